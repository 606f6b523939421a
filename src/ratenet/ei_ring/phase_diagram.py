"""Phase diagram of the E-I ring in two parameters: batched simulation + the linear theory.

:func:`phase_diagram` simulates every cell of a grid (as batches through
:func:`ratenet.simulate`), classifies each end state with
:func:`ratenet.ei_ring.patterns.classify`, and computes on the same grid what the
per-mode theory of the uniform state predicts, with the boundaries where each mode loses
stability (refined by bisection between grid points).  No plotting here: the result holds
the arrays a figure needs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from .._validation import ParameterError, as_float, check_int, check_positive
from ..models.ei_ring import EIRingModel
from ..simulate import simulate
from ..theory import ei_ring as theory
from .patterns import Pattern, classify_batch
from .trajectory import EIRingTrajectory

__all__ = ["THEORY_TO_PATTERNS", "EIRingPhaseDiagram", "phase_diagram", "theory_grid"]

#: Which simulated patterns agree with each prediction of the linear theory.
THEORY_TO_PATTERNS: dict[str, tuple[str, ...]] = {
    "homogeneous": ("homogeneous",),
    "stationary bump": ("stationary bump",),
    "travelling or standing waves": ("travelling wave", "standing wave"),
    "bulk oscillation": ("bulk oscillation",),
}


@dataclass(frozen=True, eq=False)
class EIRingPhaseDiagram:
    """Simulated patterns and theory on a grid; arrays have shape ``(len(y), len(x))``.

    Attributes
    ----------
    x_param, y_param : str
    x, y : ndarray
        Grid values.
    pattern : ndarray of str
        Simulated pattern of each cell (:data:`ratenet.ei_ring.patterns.PATTERNS`).
    speed, period : ndarray of float
        Travelling-wave speed (rad/ms) and period (ms); nan where not defined.
    theory : ndarray of str
        Prediction of the linear theory at the uniform state: ``"homogeneous"`` when every
        mode decays, else the pattern of the fastest-growing mode
        (:func:`ratenet.theory.ei_ring.analyze`); ``"no uniform state"`` where none exists.
    theory_mode : ndarray of int
        That mode k (-1 where the uniform state is stable or missing).
    boundaries : list of dict
        ``{"mode": k, "kind": "real" | "hopf", "x": array, "y": array}``: points where the
        leading eigenvalue of mode k crosses zero along y, for each x.
    agreement : float
        Fraction of cells whose simulated pattern is one the theory predicts
        (:data:`THEORY_TO_PATTERNS`), among cells with a prediction.  The theory is linear:
        it says how the uniform state loses stability, not what the saturated state is
        (far from onset a bump may start to oscillate, waves may stand or travel).
    stability_agreement : float
        Fraction of cells where simulation and theory agree on whether the uniform state
        is the end state (simulated ``homogeneous`` exactly where every mode decays).
    base : dict
        Parameters of the model the grid was built from.
    settings : dict
        t_transient, t_window, dt, seed, elapsed (s).
    """

    x_param: str
    y_param: str
    x: np.ndarray
    y: np.ndarray
    pattern: np.ndarray
    speed: np.ndarray
    period: np.ndarray
    theory: np.ndarray
    theory_mode: np.ndarray
    boundaries: list[dict[str, Any]]
    agreement: float
    stability_agreement: float
    base: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON (nan as None)."""
        def clean(a):
            return [[None if isinstance(v, float) and not np.isfinite(v) else v for v in row]
                    for row in np.asarray(a, dtype=object).tolist()]
        return {
            "x_param": self.x_param, "y_param": self.y_param, "x": self.x.tolist(),
            "y": self.y.tolist(), "pattern": self.pattern.tolist(), "speed": clean(self.speed),
            "period": clean(self.period), "theory": self.theory.tolist(),
            "theory_mode": self.theory_mode.tolist(),
            "boundaries": [{"mode": b["mode"], "kind": b["kind"], "x": list(map(float, b["x"])),
                            "y": list(map(float, b["y"]))} for b in self.boundaries],
            "agreement": self.agreement, "stability_agreement": self.stability_agreement,
            "base": self.base, "settings": self.settings,
        }


def _grid_models(base, xp, xs, yp, ys) -> list[EIRingModel]:
    return [base.replace(**{xp: float(xv), yp: float(yv)}) for yv in ys for xv in xs]


def theory_grid(base: EIRingModel, x_param: str, x: Any, y_param: str, y: Any, *,
                bisect_iter: int = 60) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """The linear theory on a grid: predicted pattern, mode, and stability boundaries.

    Returns ``(theory, theory_mode, boundaries)`` as in :class:`EIRingPhaseDiagram`.

    Examples
    --------
    >>> m = EIRingModel(J_EE1=3.0, J_EI1=-2.0, J_IE1=2.0, J_EI0=-1.0, J_IE0=1.0,
    ...                 h_E=2.0, h_I=0.0, tau_E=10.0)
    >>> th, mode, bounds = theory_grid(m, "J_EE1", [1.0, 3.0], "tau_I", [10.0, 30.0])
    >>> th.tolist()
    [['homogeneous', 'homogeneous'], ['homogeneous', 'travelling or standing waves']]
    >>> [(b["mode"], b["kind"], [round(float(v), 6) for v in b["y"]]) for b in bounds]
    [(1, 'hopf', [20.0])]
    """
    xp, yp = EIRingModel.parameter_name(x_param), EIRingModel.parameter_name(y_param)
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    pred = np.empty((ys.size, xs.size), dtype=object)
    mode = np.full((ys.size, xs.size), -1, dtype=int)
    K = base.n_harmonics

    def lead(m: EIRingModel, k: int) -> complex | None:
        try:
            return complex(theory.mode_eigenvalues(m, k)[0])
        except ParameterError:
            return None

    for i, yv in enumerate(ys):
        for j, xv in enumerate(xs):
            m = base.replace(**{xp: float(xv), yp: float(yv)})
            try:
                th = theory.analyze(m)
            except ParameterError:
                pred[i, j] = "no uniform state"
                continue
            pred[i, j] = th.instability["pattern"]
            if th.instability["mode"] is not None:
                mode[i, j] = th.instability["mode"]
    bounds = []
    for k in range(K + 1):
        pts_x, pts_y, kinds = [], [], []
        for xv in xs:
            vals = [lead(base.replace(**{xp: float(xv), yp: float(yv)}), k) for yv in ys]
            for a in range(ys.size - 1):
                la, lb = vals[a], vals[a + 1]
                if la is None or lb is None or (la.real < 0) == (lb.real < 0):
                    continue
                lo, hi = float(ys[a]), float(ys[a + 1])
                s_lo = la.real < 0
                for _ in range(bisect_iter):
                    mid = 0.5 * (lo + hi)
                    lm = lead(base.replace(**{xp: float(xv), yp: mid}), k)
                    if lm is None:
                        break
                    if (lm.real < 0) == s_lo:
                        lo = mid
                    else:
                        hi = mid
                lm = lead(base.replace(**{xp: float(xv), yp: 0.5 * (lo + hi)}), k)
                pts_x.append(float(xv))
                pts_y.append(0.5 * (lo + hi))
                kinds.append("hopf" if lm is not None and abs(lm.imag) > 1e-12 else "real")
        for kind in ("real", "hopf"):
            sel = [n for n, kd in enumerate(kinds) if kd == kind]
            if sel:
                bounds.append({"mode": k, "kind": kind, "x": np.array(pts_x)[sel],
                               "y": np.array(pts_y)[sel]})
    return pred.astype(str), mode, bounds


def phase_diagram(base: EIRingModel, x_param: str, x: Any, y_param: str, y: Any, *,
                  t_transient: float = 4000.0, t_window: float = 2000.0,
                  dt: float | None = None, record_dt: float = 1.0, seed: int = 0,
                  chunk: int = 64, parallel: bool = True,
                  max_seconds: float = 600.0) -> EIRingPhaseDiagram:
    """Simulate and classify every cell of a two-parameter grid, with the theory on top.

    Parameters
    ----------
    base : EIRingModel
        The other parameters (and N).
    x_param, y_param : str
        Names of two numeric parameters (any case), e.g. ``"J_EE1"`` and ``"tau_I"``.
    x, y : array_like of float
        Their grid values.
    t_transient : float, default 4000
        Time (ms) simulated before the analysed window (only the final state is kept).
    t_window : float, default 2000
        Length (ms) of the window recorded and classified.
    dt : float, optional
        Time step (ms); default ``min(tau_E, tau_I) / 100`` over the grid.
    record_dt : float, default 1
        Spacing (ms) of the records in the window (rounded to a multiple of dt).
    seed : int, default 0
        Seed of the initial rates (cell b of a chunk uses trial index b of the whole grid).
    chunk : int, default 64
        Cells simulated per batch (memory: chunk x t_window/record_dt x 2N floats).
    parallel : bool, default True
    max_seconds : float, default 600
        Give up (RuntimeError) when the simulation takes longer than this.

    Returns
    -------
    EIRingPhaseDiagram

    Examples
    --------
    >>> m = EIRingModel(J_EE1=3.0, J_EI1=-2.0, J_IE1=2.0, J_EI0=-1.0, J_IE0=1.0,
    ...                 h_E=2.0, h_I=0.0, tau_E=10.0, N=16)
    >>> pd = phase_diagram(m, "J_EE1", [1.0, 3.0], "tau_I", [10.0, 40.0],
    ...                    t_transient=1500.0, t_window=500.0)
    >>> pd.pattern.tolist()
    [['homogeneous', 'homogeneous'], ['homogeneous', 'travelling wave']]
    """
    if not isinstance(base, EIRingModel):
        raise ParameterError("base", type(base).__name__, "an EIRingModel")
    xp, yp = EIRingModel.parameter_name(x_param), EIRingModel.parameter_name(y_param)
    if xp == yp:
        raise ParameterError("y_param", y_param, f"a parameter other than x_param ({xp})")
    xs = np.atleast_1d(np.asarray([as_float(xp, v) for v in np.ravel(x)]))
    ys = np.atleast_1d(np.asarray([as_float(yp, v) for v in np.ravel(y)]))
    if xs.size == 0 or ys.size == 0:
        raise ParameterError("x" if xs.size == 0 else "y", [], "at least one value")
    t_transient = check_positive("t_transient", t_transient)
    t_window = check_positive("t_window", t_window)
    record_dt = check_positive("record_dt", record_dt)
    chunk = check_int("chunk", chunk, minimum=1)
    max_seconds = check_positive("max_seconds", max_seconds)
    models = _grid_models(base, xp, xs, yp, ys)  # validates every cell
    if dt is None:
        dt = min(min(m.tau_E, m.tau_I) for m in models) / 100.0
    dt = check_positive("dt", dt)
    rec = max(1, round(record_dt / dt))
    t0 = time.monotonic()
    patterns: list[Any] = [None] * len(models)
    # cells with and without adaptation have states of different sizes: separate batches
    groups = [[i for i, m in enumerate(models) if m.adaptation == flag] for flag in (False, True)]
    done = 0
    for group in groups:
        for start in range(0, len(group), chunk):
            idx = group[start:start + chunk]
            part = [models[i] for i in idx]
            pre = _transient(part, idx, t_transient, dt, seed, parallel)
            x0 = np.asarray(pre.rates[:, -1, :])
            bad = ~np.all(np.isfinite(x0), axis=1) | (np.asarray(pre.status) == "diverged")
            x0[bad] = 0.0
            win = simulate(part, t_max=t_window, dt=dt, record_every=rec, x0=x0,
                           parallel=parallel, on_divergence="ignore")
            got = classify_batch(cast(EIRingTrajectory, win))
            for b, i in enumerate(idx):
                patterns[i] = (Pattern("diverged", details={"message": pre.message})
                               if bad[b] else got[b])
            done += len(idx)
            if time.monotonic() - t0 > max_seconds:
                raise RuntimeError(f"phase_diagram: simulation exceeded max_seconds = "
                                   f"{max_seconds:g} s after {done} of {len(models)} cells")
    shape = (ys.size, xs.size)
    pat = np.array([p.kind for p in patterns]).reshape(shape)
    speed = np.array([np.nan if p.speed is None else p.speed for p in patterns]).reshape(shape)
    period = np.array([np.nan if p.period is None else p.period for p in patterns]).reshape(shape)
    th, mode, bounds = theory_grid(base, xp, xs, yp, ys)
    ok = [pat[i, j] in THEORY_TO_PATTERNS[th[i, j]] for i in range(shape[0])
          for j in range(shape[1]) if th[i, j] in THEORY_TO_PATTERNS]
    agreement = float(np.mean(ok)) if ok else float("nan")
    known = th != "no uniform state"
    same = (pat == "homogeneous") == (th == "homogeneous")
    stab = float(np.mean(same[known])) if np.any(known) else float("nan")
    return EIRingPhaseDiagram(
        xp, yp, xs, ys, pat, speed, period, th, mode, bounds, agreement, stab, base.to_dict(),
        {"t_transient": t_transient, "t_window": t_window, "dt": dt, "record_every": rec,
         "seed": seed, "elapsed": time.monotonic() - t0})


def _transient(part, idx, t_max, dt, seed, parallel):
    """The transient of one chunk; cell i's initial rates are drawn from its grid index i."""
    from ..noise import initial_rates

    N = part[0].N
    x0 = np.zeros((len(part), part[0].n_state))
    x0[:, :2 * N] = initial_rates(seed, np.asarray(idx), 2 * N)
    return simulate(part, t_max=t_max, dt=dt, record_every=None, x0=x0, parallel=parallel,
                    on_divergence="ignore")
