"""Classify the end state of an E-I ring simulation.

Patterns (:data:`PATTERNS`):

``homogeneous``
    Flat in space and constant in time.
``stationary bump``
    Modulated in space (dominant Fourier mode k = 1; ``k`` bumps for a higher mode),
    constant in time.
``travelling wave``
    A profile of constant amplitude whose phase ``arg C_k`` advances at a constant rate:
    ``speed = d arg C_k / dt / k`` in rad/ms (> 0: towards increasing theta,
    counterclockwise), period ``2 pi / (k |speed|)``.
``standing wave``
    A fixed spatial axis (``arg C_k`` constant modulo pi) with an amplitude that
    oscillates through zero; ``period`` of the rates (ms).
``bulk oscillation``
    Flat in space, periodic in time (the mode-0 E-I cycle); ``period`` in ms.
``irregular``
    Anything else in the analysed window (aperiodic, quasi-periodic, or still transient).
``diverged``
    The simulation left its bound.

The classification looks at the E population over the last ``window`` ms of the record
(default: the second half), using the complex Fourier moments
``C_k(t) = (1/N) sum_i r_E,i exp(i k theta_i)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import ParameterError, check_positive
from .trajectory import EIRingTrajectory

__all__ = ["PATTERNS", "Pattern", "classify", "classify_batch", "estimate_period"]

PATTERNS = ("homogeneous", "stationary bump", "travelling wave", "standing wave",
            "bulk oscillation", "irregular", "diverged")


@dataclass(frozen=True)
class Pattern:
    """The end state of one simulation.

    Attributes
    ----------
    kind : str
        One of :data:`PATTERNS`.
    mode : int or None
        Dominant spatial Fourier mode k (None for flat patterns).
    speed : float or None
        Travelling waves: signed angular speed of the profile (rad/ms).
    direction : str or None
        ``"counterclockwise"`` (increasing theta) or ``"clockwise"`` for travelling waves.
    period : float or None
        Temporal period of the rates (ms): bulk oscillation, standing and travelling waves.
    position : float or None
        Angle (rad) of the bump, or the axis of a standing wave.
    amplitude : float
        Largest peak-to-trough modulation of r_E across the ring in the window (Hz).
    mean_E, mean_I : float
        Time- and population-averaged rates in the window (Hz).
    details : dict
        The measured indicators (relative spatial and temporal variation, phase fit).
    """

    kind: str
    mode: int | None = None
    speed: float | None = None
    direction: str | None = None
    period: float | None = None
    position: float | None = None
    amplitude: float = 0.0
    mean_E: float = math.nan
    mean_I: float = math.nan
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON (``"pattern"`` is the kind)."""
        def f(v):
            return None if v is None or (isinstance(v, float) and not math.isfinite(v)) \
                else float(v)
        return {"pattern": self.kind, "mode": self.mode, "speed": f(self.speed),
                "direction": self.direction, "period": f(self.period),
                "position": f(self.position), "amplitude": f(self.amplitude),
                "mean_E": f(self.mean_E), "mean_I": f(self.mean_I),
                "details": {k: (f(v) if isinstance(v, (float, int)) and not isinstance(v, bool)
                                else v) for k, v in self.details.items()}}


def estimate_period(t: np.ndarray, y: np.ndarray, *, min_cycles: int = 2) -> float | None:
    """Mean interval (same unit as t) between upward crossings of the mean of ``y``.

    Crossing times are interpolated linearly; returns None with fewer than
    ``min_cycles`` full cycles or when the intervals vary by more than 5%.

    Examples
    --------
    >>> t = np.linspace(0.0, 100.0, 2001)
    >>> round(estimate_period(t, np.sin(2 * np.pi * t / 12.5)), 6)
    12.5
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float) - float(np.mean(y))
    idx = np.flatnonzero((y[:-1] < 0) & (y[1:] >= 0))
    if idx.size < min_cycles + 1:
        return None
    tc = t[idx] - y[idx] * (t[idx + 1] - t[idx]) / (y[idx + 1] - y[idx])
    d = np.diff(tc)
    if d.size == 0 or np.std(d) > 0.05 * np.mean(d):
        return None
    return float(np.mean(d))


def _window(traj: EIRingTrajectory, window: float | None) -> np.ndarray:
    t = traj.t
    if t.size < 3:
        raise ParameterError("record_every", "too few records",
                             "a trajectory with at least 3 recorded times to classify")
    if window is None:
        return t >= t[0] + 0.5 * (t[-1] - t[0])
    window = check_positive("window", window)
    return t >= t[-1] - window


def classify(traj: EIRingTrajectory, *, window: float | None = None, row: int | None = None,
             rtol: float = 1e-3) -> Pattern:
    """Classify the end state of a (single) E-I ring trajectory.

    Parameters
    ----------
    traj : EIRingTrajectory
        Recorded densely enough to resolve the dynamics (a few records per period).
    window : float, optional
        Length (ms) of the final stretch analysed; default the second half of the record.
    row : int, optional
        Row of a batch trajectory (required for a batch).
    rtol : float, default 1e-3
        Variation below ``rtol * (mean rate + 1e-9)`` counts as none.

    Returns
    -------
    Pattern

    Examples
    --------
    >>> import ratenet as rn
    >>> m = rn.EIRingModel(J_EE1=4.0, J_EI0=-2.0, J_IE0=1.0, h_E=1.0, h_I=0.0, N=64)
    >>> p = classify(rn.simulate(m, t_max=1000.0, dt=0.1, record_every=10))
    >>> p.kind, p.mode
    ('stationary bump', 1)
    """
    if not isinstance(traj, EIRingTrajectory):
        raise ParameterError("traj", type(traj).__name__, "an EIRingTrajectory")
    rates = traj.rates
    status = np.asarray(traj.status)
    if rates.ndim == 3:
        if row is None:
            raise ParameterError("row", row, f"an index in [0, {rates.shape[0]}) for a batch "
                                 "(or use classify_batch)")
        rates = rates[row]
        status = status[row]
    if str(status) == "diverged":
        return Pattern("diverged", details={"message": traj.message})
    sel = _window(traj, window)
    N = traj.N
    t = traj.t[sel]
    rE = rates[sel, :N]
    rI = rates[sel, N:2 * N]
    return _classify_arrays(t, rE, rI, traj.theta, rtol)


def classify_batch(traj: EIRingTrajectory, *, window: float | None = None,
                   rtol: float = 1e-3) -> list[Pattern]:
    """:func:`classify` every row of a batch trajectory (a list, one per row).

    Examples
    --------
    >>> import ratenet as rn
    >>> m = rn.EIRingModel(J_EE1=4.0, J_EI0=-2.0, J_IE0=1.0, h_E=1.0, h_I=0.0, N=32)
    >>> batch = rn.simulate([m, m.replace(J_EE1=1.0)], t_max=1000.0, record_every=10)
    >>> [p.kind for p in classify_batch(batch)]
    ['stationary bump', 'homogeneous']
    """
    if traj.rates.ndim == 2:
        return [classify(traj, window=window, rtol=rtol)]
    return [classify(traj, window=window, row=b, rtol=rtol) for b in range(traj.rates.shape[0])]


def _classify_arrays(t, rE, rI, theta, rtol) -> Pattern:
    mean_E, mean_I = float(rE.mean()), float(rI.mean())
    scale = abs(mean_E) + abs(mean_I) + float(np.max(np.abs(rE))) + 1e-9
    tol = rtol * scale
    spatial = np.ptp(rE, axis=1)  # modulation across the ring at each time
    amp = float(spatial.max())
    temporal = float(np.max(np.ptp(rE, axis=0)))  # largest change of one unit over time
    details: dict[str, Any] = {"spatial": amp / scale, "temporal": temporal / scale}
    base: dict[str, Any] = dict(amplitude=amp, mean_E=mean_E, mean_I=mean_I, details=details)
    if amp <= tol:
        if temporal <= tol:
            return Pattern("homogeneous", **base)
        period = estimate_period(t, rE.mean(axis=1))
        if period is not None:
            return Pattern("bulk oscillation", period=period, **base)
        return Pattern("irregular", **base)
    N = theta.size
    K = max(1, (N - 1) // 2)
    ks = np.arange(1, K + 1)
    C = (rE - rE.mean(axis=1, keepdims=True)) @ np.exp(1j * np.outer(theta, ks)) / N  # (T, K)
    power = np.mean(np.abs(C) ** 2, axis=0)
    k = int(ks[np.argmax(power)])
    Ck = C[:, k - 1]
    details["mode_power_fraction"] = float(power[k - 1] / power.sum())
    if temporal <= tol:
        pos = float(np.mod(np.angle(Ck[-1]) / k, 2 * np.pi / k))
        return Pattern("stationary bump", mode=k, position=pos, **base)
    mag = np.abs(Ck)
    rel_mag = float(np.std(mag) / (np.mean(mag) + 1e-300))
    details["magnitude_variation"] = rel_mag
    phase = np.unwrap(np.angle(Ck))
    if rel_mag < 0.05 and t.size >= 3:
        slope, icpt = np.polyfit(t, phase, 1)
        resid = float(np.max(np.abs(phase - (slope * t + icpt))))
        details["phase_residual"] = resid
        turned = abs(slope) * (t[-1] - t[0])
        # a steady rotation, however slow: the phase is a straight line in time (a bump
        # still settling turns along a curve, jitter turns back and forth)
        if resid < 0.02 * max(turned, 1e-300) and turned > 1e-3:
            speed = float(slope / k)
            return Pattern("travelling wave", mode=k, speed=speed,
                           direction="counterclockwise" if speed > 0 else "clockwise",
                           period=float(2 * np.pi / (k * abs(speed))), **base)
    # standing wave: exp(2 i arg C_k) fixed (the axis), the amplitude through zero
    w = mag ** 2
    axis_coherence = float(np.abs(np.sum(w * np.exp(2j * np.angle(Ck)))) / (np.sum(w) + 1e-300))
    details["axis_coherence"] = axis_coherence
    if axis_coherence > 0.95 and rel_mag > 0.3:
        ax = 0.5 * np.angle(np.sum(w * np.exp(2j * np.angle(Ck))))
        proj = np.real(Ck * np.exp(-1j * ax))
        period = estimate_period(t, proj)
        if period is not None:
            return Pattern("standing wave", mode=k, period=period,
                           position=float(np.mod(ax / k, 2 * np.pi / k)), **base)
    return Pattern("irregular", mode=k, **base)
