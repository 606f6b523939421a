"""Defaults shared by every ``ratenet ring`` command, in one place.

One set of model parameters for all ring commands: ``J0 = -2, J1 = 3, h0 = 1`` (the
marginal phase: a bump that sustains itself, the README's running example) and
``N = 256`` units.  Only the tuned input differs, for a stated reason: ``theory`` and
``simulate`` default to no stimulus (``eps = 0``), ``memory`` to a strong cue
(``eps = 0.5``) and ``track`` to a weak moving stimulus (``eps = 0.1``, where the
first-order lag theory holds).
"""

from __future__ import annotations

__all__ = ["DEFAULTS_HELP", "EPS_DEFAULT", "RING_DEFAULTS"]

RING_DEFAULTS: dict[str, float | int] = {"J0": -2.0, "J1": 3.0, "h0": 1.0, "N": 256}

#: Default tuned-input amplitude per command, and why.
EPS_DEFAULT: dict[str, tuple[float, str]] = {
    "theory": (0.0, "no stimulus: the self-sustained state"),
    "simulate": (0.0, "no stimulus: the self-sustained state"),
    "memory": (0.5, "a strong cue, removed at --cue-off"),
    "track": (0.1, "a weak moving stimulus, where the first-order lag theory holds"),
}

DEFAULTS_HELP = ("Defaults shared by every ring command: J0 = -2, J1 = 3, h0 = 1 (the "
                 "marginal phase), N = 256.")
