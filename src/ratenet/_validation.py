"""Validation helpers shared by every model: errors that name the parameter."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class ParameterError(ValueError):
    """A parameter value outside its allowed range.

    Attributes
    ----------
    name : str
        The parameter's name as the user wrote it (``"J0"``, ``"tau_I"``...).
    value : object
        The offending value.
    allowed : str
        What would have been accepted, in words (``"a finite number < 1"``).
    """

    def __init__(self, name: str, value: Any, allowed: str, hint: str = "") -> None:
        self.name = name
        self.value = value
        self.allowed = allowed
        self.hint = hint
        msg = f"{name} must be {allowed} (got {value!r})"
        if hint:
            msg += f"; {hint}"
        super().__init__(msg)


def as_float(name: str, value: Any) -> float:
    """Return ``value`` as a finite float or raise :class:`ParameterError`."""
    if type(value) is float and math.isfinite(value):  # the common case, checked first
        return value
    if isinstance(value, bool):
        raise ParameterError(name, value, "a finite real number")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ParameterError(name, value, "a finite real number") from None
    if not math.isfinite(out):
        raise ParameterError(name, value, "a finite real number")
    return out


def check_positive(name: str, value: Any) -> float:
    out = as_float(name, value)
    if out <= 0:
        raise ParameterError(name, value, "a finite number > 0")
    return out


def check_nonnegative(name: str, value: Any) -> float:
    out = as_float(name, value)
    if out < 0:
        raise ParameterError(name, value, "a finite number >= 0")
    return out


def check_int(name: str, value: Any, *, minimum: int = 1, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ParameterError(name, value, f"an integer >= {minimum}")
    out = int(value)
    if out < minimum or (maximum is not None and out > maximum):
        allowed = f"an integer >= {minimum}" if maximum is None else (
            f"an integer in [{minimum}, {maximum}]")
        raise ParameterError(name, value, allowed)
    return out


def check_time(name: str, value: Any, *, allow_inf: bool = True) -> float:
    """A time that may be +inf (e.g. 'never switched off')."""
    if allow_inf and value is not None and np.isposinf(value):
        return math.inf
    return as_float(name, value)
