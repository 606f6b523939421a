"""The (J0, J1) phase diagram: the analytic regime map against one simulation per cell."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import (
    ParameterError,
    as_float,
    check_int,
    check_nonnegative,
    check_positive,
)
from .._version import __version__
from ..models.ring import RingModel
from ..simulate import simulate
from ._shared import _jsonable


@dataclass(frozen=True)
class PhaseDiagramResult:
    """Analytic and measured regimes on a (J0, J1) grid.

    Attributes
    ----------
    J0s : ndarray of shape (n0,)
    J1s : ndarray of shape (n1,)
    theory, measured : ndarray of str, shape (n1, n0)
        Regime names (:data:`ratenet.theory.ring.REGIMES`); rows J1, columns J0.
    agree : ndarray of bool, shape (n1, n0)
    cells : int
    agreement : float
        Fraction of cells where theory and simulation agree.
    disagreements : int
    seconds : float
        Wall time of the whole computation (theory, simulation, measurement).
    simulation_seconds : float
    neuron_steps_per_second : float
        ``cells * N * steps / simulation_seconds``.
    params : dict
    """

    J0s: np.ndarray
    J1s: np.ndarray
    theory: np.ndarray
    measured: np.ndarray
    agree: np.ndarray
    cells: int
    agreement: float
    disagreements: int
    seconds: float
    simulation_seconds: float
    neuron_steps_per_second: float
    params: dict[str, Any] = field(default_factory=dict, repr=False)
    version: str = __version__

    def codes(self, which: str = "theory") -> np.ndarray:
        """Integer regime codes (index into REGIMES), shape (n1, n0)."""
        from ..theory.ring import REGIMES

        arr = self.theory if which == "theory" else self.measured
        lut = {r: i for i, r in enumerate(REGIMES)}
        return np.vectorize(lut.__getitem__, otypes=[int])(arr)

    def to_dict(self, *, maps: bool = False) -> dict[str, Any]:
        from ..theory.ring import REGIMES

        counts = {r: {"theory": int(np.sum(self.theory == r)),
                      "measured": int(np.sum(self.measured == r))} for r in REGIMES}
        out: dict[str, Any] = {
            "cells": self.cells, "agreement": self.agreement,
            "disagreements": self.disagreements, "seconds": self.seconds,
            "simulation_seconds": self.simulation_seconds,
            "neuron_steps_per_second": self.neuron_steps_per_second, "regime_counts": counts,
            "params": self.params, "ratenet_version": self.version,
        }
        if maps:
            out.update({"J0s": self.J0s, "J1s": self.J1s, "theory": self.theory,
                        "measured": self.measured})
        return _jsonable(out)


def _simulate_grid(J0s, J1s, *, h0, eps, N, steps, dt, seed, max_rate, parallel, progress):
    """Forward Euler for every (J1, J0) cell, one batch through :func:`ratenet.simulate`.

    Threshold-linear rings with Fourier coupling run as one batch on the compiled
    fused kernel.  Initial rates ``|h0| U(0, 1)`` (1 when ``h0 = 0``): every unstable
    mode starts well above rounding level.  Records at 0, T/4, T/2, 3T/4 and T when
    ``steps`` is a multiple of 4 (for :func:`_accelerating`), and always the final state.

    Returns
    -------
    RingTrajectory with rates of shape (B, T, N), B = len(J1s) * len(J0s), row-major in
    (J1, J0).
    """
    J0 = np.tile(np.asarray(J0s, dtype=float), len(J1s))
    J1 = np.repeat(np.asarray(J1s, dtype=float), len(J0s))
    B = J0.size
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    x0 = (abs(h0) if h0 != 0 else 1.0) * rng.random((B, N))
    # records at multiples of rec, a divisor of steps near steps / 4 (so that the final
    # state is recorded); no intermediate records when steps has no such divisor
    rec = next((r for r in range(max(1, steps // 4), 0, -1) if steps % r == 0), steps)
    if steps // rec > 16:
        rec = steps
    base = RingModel(h0=h0, eps=eps, N=N)
    models = [base.replace(J0=float(a), J1=float(b)) for a, b in zip(J0, J1)]
    return simulate(models, t_max=steps * dt, dt=dt, x0=x0, record_every=rec,
                    max_rate=max_rate, parallel=parallel, progress=progress,
                    on_divergence="ignore", engine="compiled")


def _accelerating(rates: np.ndarray) -> np.ndarray:
    """Rows whose peak rate is still growing by a steady factor at the end of the run.

    ``rates`` has shape (B, T, N), records equally spaced in time (T >= 3; the last
    three are used).  Unbounded growth multiplies the peak rate by a steady factor
    over successive intervals (``exp(lambda dT)`` for an unstable mode; slowly
    decreasing factors for the linear growth at a critical point).  Flagged: growth
    by more than 20 % over each of the last two intervals, with log-factors within a
    factor 2 of each other, and a larger increment in the last interval than in the
    one before.  Approaching a fixed point (shrinking increments), or a bump turning
    slowly toward a weak stimulus (a few per cent), is not flagged.  Rows that diverged (nan
    records) are left to ``measure_final``.
    """
    if rates.shape[1] < 3:
        return np.zeros(rates.shape[0], dtype=bool)
    peak = np.max(rates, axis=-1)  # (B, T)
    with np.errstate(invalid="ignore", divide="ignore"):
        l1 = np.log(peak[:, -2] / peak[:, -3])
        l2 = np.log(peak[:, -1] / peak[:, -2])
        d1 = peak[:, -2] - peak[:, -3]
        d2 = peak[:, -1] - peak[:, -2]
        grows = ((l1 > np.log(1.2)) & (l2 > np.log(1.2)) & (np.abs(np.log(l2 / l1)) < np.log(2))
                 & (d2 > d1) & np.isfinite(peak[:, -1]))
    return grows


def _grid(name: str, spec: Any) -> np.ndarray:
    arr = np.asarray(spec, dtype=float)
    if arr.ndim != 1 or arr.size < 1 or not np.all(np.isfinite(arr)):
        raise ParameterError(name, spec, "a 1-D array of finite numbers")
    return arr


def phase_diagram(*, h0: float = 1.0, eps: float = 0.0, J0s: Any = None, J1s: Any = None,
                  N: int = 256, steps: int = 2000, t_max: float = 200.0, seed: int = 0,
                  max_rate: float = 1e4, parallel: bool = True,
                  progress: bool = False) -> PhaseDiagramResult:
    """Analytic regime map vs the map measured from one batched simulation per grid cell.

    Every cell ``(J1s[i], J0s[j])`` is simulated (forward Euler, ``steps`` steps
    over ``t_max``, threshold-linear, initial rates ``|h0| U(0, 1)`` drawn from ``seed``)
    and classified by :func:`ratenet.analysis.ring.measure_final` (plus: a peak rate
    still growing geometrically at ``t_max`` counts as unstable; at ``eps = 0`` a
    modulated profile with every unit active is the neutral continuum of ``J1 = 2``,
    named marginal as in the theory); the theory is
    :func:`ratenet.theory.ring.regime_map`.  Disagreements are expected only in
    cells next to a regime boundary, where the dynamics slow down.

    Parameters
    ----------
    h0 : float, default 1
    eps : float, default 0
        Tuned input (theta0 = 0), present throughout.
    J0s : array_like of shape (n0,), default ``linspace(-4, 1.5, 64)``
    J1s : array_like of shape (n1,), default ``linspace(0, 6, 64)``
    N : int, default 256
    steps : int, default 2000
        Euler steps per cell (``dt = t_max / steps``).
    t_max : float, default 200
        Duration (units of tau); the default gives ``dt = 0.1``.
    seed : int, default 0
    max_rate : float, default 1e4
        Rates beyond this count as unbounded growth (the "unstable" regime).
    parallel, progress : bool

    Returns
    -------
    PhaseDiagramResult

    Examples
    --------
    >>> r = phase_diagram(h0=1.0, eps=0.0, J0s=[-1.0, 2.0], J1s=[1.0, 4.0], N=64)
    >>> r.theory.tolist()
    [['homogeneous', 'unstable'], ['marginal', 'unstable']]
    >>> r.agreement
    1.0
    """
    from ..analysis.ring import measure_final
    from ..theory.ring import regime_map

    t0 = time.perf_counter()
    h0 = as_float("h0", h0)
    eps = check_nonnegative("eps", eps)
    J0s = np.linspace(-4.0, 1.5, 64) if J0s is None else _grid("J0s", J0s)
    J1s = np.linspace(0.0, 6.0, 64) if J1s is None else _grid("J1s", J1s)
    N = check_int("N", N, minimum=3)
    steps = check_int("steps", steps, minimum=1)
    seed = check_int("seed", seed, minimum=0)  # an int (None is not documented here)
    t_max = check_positive("t_max", t_max)
    max_rate = check_positive("max_rate", max_rate)
    dt = t_max / steps
    theory = regime_map(J0s, J1s, h0=h0, eps=eps)
    ts = time.perf_counter()
    traj = _simulate_grid(J0s, J1s, h0=h0, eps=eps, N=N, steps=steps, dt=dt, seed=seed,
                          max_rate=max_rate, parallel=parallel, progress=progress)
    sim_s = time.perf_counter() - ts
    measured = measure_final(traj)["regime"]
    if eps == 0.0:
        # without a tuned input a modulated profile with every unit active can only be the
        # neutral continuum m0 + m1 cos at J1 = 2, which the theory names "marginal"
        measured = np.where(measured == "broad", "marginal", measured)
    measured = np.where(_accelerating(traj.rates), "unstable", measured)
    measured = measured.reshape(J1s.size, J0s.size)
    agree = measured == theory
    cells = int(agree.size)
    params = {"h0": h0, "eps": eps, "N": N, "steps": steps, "t_max": t_max, "dt": dt,
              "seed": seed, "max_rate": max_rate,
              "J0_range": [float(J0s[0]), float(J0s[-1]), int(J0s.size)],
              "J1_range": [float(J1s[0]), float(J1s[-1]), int(J1s.size)]}
    return PhaseDiagramResult(
        J0s=J0s, J1s=J1s, theory=theory, measured=measured, agree=agree, cells=cells,
        agreement=float(agree.mean()), disagreements=int((~agree).sum()),
        seconds=time.perf_counter() - t0, simulation_seconds=sim_s,
        neuron_steps_per_second=cells * N * steps / sim_s, params=params,
    )
