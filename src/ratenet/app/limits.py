"""Bounds on what one request to the explorer may ask the server to compute.

Every number a browser sends (a slider, a typed value, a click) is checked here
before anything runs; a value beyond the bounds is refused with a
:class:`LimitExceeded` naming the quantity, the value and the allowed range, and
the page shows that message while the server keeps serving.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .._validation import ParameterError

__all__ = ["DEFAULT_LIMITS", "LimitExceeded", "Limits"]


class LimitExceeded(ParameterError):
    """A request beyond the explorer's bounds (a :class:`ratenet.ParameterError`)."""


@dataclass(frozen=True)
class Limits:
    """Largest sizes one browser request may ask for.

    Parameters
    ----------
    N_min, N_max : int
        Number of ring units.
    ring_duration_max : float
        Length of one ring simulation segment (units of tau).
    ring_frames_max : int
        Time frames kept for the space-time picture of one segment.
    ring_segments_max : int
        Segments (the first run and each button press) kept on screen.
    ei_duration_max : float
        Length of an E-I simulation (ms).
    ei_grid_min, ei_grid_max : int
        Arrows per axis of the E-I flow field.
    """

    N_min: int = 8
    N_max: int = 4096
    ring_duration_max: float = 500.0
    ring_frames_max: int = 300
    ring_segments_max: int = 3
    ei_duration_max: float = 10_000.0
    ei_grid_min: int = 4
    ei_grid_max: int = 60

    def check_int(self, name: str, value: Any, lo: int, hi: int) -> int:
        """``value`` as an int in ``[lo, hi]``, else :class:`LimitExceeded`."""
        allowed = f"an integer in [{lo}, {hi}] (this explorer's limit)"
        if isinstance(value, bool):
            raise LimitExceeded(name, value, allowed)
        try:
            f = float(value)
        except (TypeError, ValueError, OverflowError):  # 'abc', None, 10**400
            raise LimitExceeded(name, value, allowed) from None
        if not math.isfinite(f) or not f.is_integer() or not lo <= f <= hi:
            raise LimitExceeded(name, value, allowed)
        return int(f)

    def check_float(self, name: str, value: Any, lo: float, hi: float) -> float:
        """``value`` as a finite float in ``[lo, hi]``, else :class:`LimitExceeded`."""
        allowed = f"a number in [{lo:g}, {hi:g}] (this explorer's limit)"
        if isinstance(value, bool):
            raise LimitExceeded(name, value, allowed)
        try:
            f = float(value)
        except (TypeError, ValueError, OverflowError):  # 'abc', None, 10**400
            raise LimitExceeded(name, value, allowed) from None
        if not math.isfinite(f) or not lo <= f <= hi:
            raise LimitExceeded(name, value, allowed)
        return f


DEFAULT_LIMITS = Limits()
