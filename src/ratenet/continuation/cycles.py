"""Continuation of periodic orbits, stable and unstable, in one parameter.

A branch of cycles is the curve of zeros of the shooting residual of
:mod:`ratenet.continuation._shooting` (unknowns: points on the orbit and the period),
followed by the pseudo-arclength engine.  For threshold-linear networks every orbit is
computed exactly (closed form in each region, threshold crossings by root finding),
so the branch, its Floquet multipliers and its special points are exact to the Newton
tolerance; for smooth transfer the flow is integrated with DOP853 (``rtol = 1e-11``)
together with its variational equations.

Special points, located by Brent's method on the arclength (each trial point corrected
onto the branch; parameter exact to ~1e-10 relative):

* ``"fold of cycles"``: ``det dF/du`` changes sign (``dp/ds`` does; a second multiplier
  passes through +1): a stable and an unstable cycle merge;
* ``"period doubling"``: ``det(M + I)`` changes sign (a multiplier through -1);
* ``"neimark-sacker"`` (n >= 3): a complex pair crosses the unit circle
  (``prod (mu_i mu_j - 1)`` over the non-trivial multipliers changes sign, and the
  pair is confirmed complex with ``|mu| = 1``);
* ``"grazing"`` (threshold-linear): the cycle touches a threshold, the number of
  threshold crossings changes (the smallest or largest input of a unit over the orbit
  goes through 0).  Not a kink of the shooting residual: the vector field is
  continuous, so the time spent beyond the threshold, and with it the change of the
  flow and of its derivative, vanish continuously at the grazing (the map is C^1,
  only its second derivative is singular, as ``depth^(1/2)``); the test function is
  located like a smooth one, and ``dp/ds`` is continuous across it (a fold there is
  found by the fold test like any other);
* ``"non-smooth Hopf (linear centre)"``: the end of a branch of a threshold-linear
  network where the cycle shrinks onto the grazing orbit of a linear centre (the
  cycle is born at finite amplitude); ``"hopf"``: the end where a smooth network's
  cycle shrinks to a point;
* ``"homoclinic approach"``: the end where the period reaches ``period_cap`` while
  growing fast (``|d ln T/dp|`` times the branch's parameter span above 20); where it
  grows slowly the end is labelled ``"period cap"``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._json import json_safe as _json_safe
from .._validation import ParameterError, as_float
from ..analysis.fixed_points import find_fixed_points
from ..analysis.limit_cycle import LimitCycle, find_limit_cycle
from ._engine import ContinuationError, Curve, CurveEvent, TestFunction, continue_curve
from ._models import ParameterFamily
from ._shooting import ShootingProblem

__all__ = ["CyclePoint", "LimitCycleBranch", "all_cycle_branches", "bistable_example",
           "bistable_intervals", "continue_cycles", "stable_cycle_ranges"]


def _complex_list(z: np.ndarray) -> list[list[float]]:
    return [[float(w.real), float(w.imag)] for w in np.asarray(z)]


@dataclass(frozen=True, eq=False)
class CyclePoint:
    """A special point of a branch of cycles.

    Attributes
    ----------
    kind : str
        ``"fold of cycles"``, ``"period doubling"``, ``"neimark-sacker"``, ``"grazing"``,
        ``"non-smooth Hopf (linear centre)"``, ``"hopf"``, ``"homoclinic approach"`` or
        ``"period cap"``.
    value : float
        Parameter value.
    period : float
        Period there (model time units; E-I: ms).
    state : ndarray of shape (n,)
        The point of the orbit where the phase unit is largest.
    multipliers : ndarray of complex, shape (n,)
        Floquet multipliers, trivial first.
    index : int
        Position in the branch's arrays.
    method : str
        How it was found (``"test function"``, or ``"end of branch: ..."``).
    unit : str or None
        Grazing: the unit whose input touches its threshold.
    """

    kind: str
    value: float
    period: float
    state: np.ndarray
    multipliers: np.ndarray
    index: int
    method: str = "test function"
    unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _json_safe({"kind": self.kind, "value": float(self.value),
                           "period": float(self.period), "state": self.state.tolist(),
                           "multipliers": _complex_list(self.multipliers),
                           "method": self.method, "unit": self.unit})


@dataclass(frozen=True, eq=False)
class LimitCycleBranch:
    """A branch of periodic orbits along one parameter, in order of arclength.

    Attributes
    ----------
    param : str
    values : ndarray of shape (K,)
        Parameter values (they go back and forth at folds).
    period : ndarray of shape (K,)
    points : ndarray of shape (K, n)
        The point of each orbit where the phase unit peaks.
    minimum, maximum : ndarray of shape (K, n)
        Smallest and largest rate of each unit over the orbit.
    multipliers : ndarray of complex, shape (K, n)
        Floquet multipliers, the trivial one first.
    stable : ndarray of bool, shape (K,)
        All non-trivial multipliers inside the unit circle.
    neutral : ndarray of bool, shape (K,)
        Threshold-linear networks: every non-trivial multiplier on the unit circle
        (within 1e-5), a cycle of a continuum (e.g. the orbits of a piecewise-linear
        centre), neither stable nor unstable; ``stable`` is False there.
    crossings : ndarray of int, shape (K,)
        Threshold crossings per period (threshold-linear; 0 for smooth networks).
    special : list of CyclePoint
    status : tuple of str
        How each end was reached: ``"bound"``, ``"diverged"``, ``"stalled"``,
        ``"max_steps"``, ``"time limit"`` (the engine's), or the kind of the end point
        (``"non-smooth Hopf (linear centre)"``, ``"hopf"``, ``"homoclinic approach"``,
        ``"period cap"``).
    message : str
    names : tuple of str
    exact_flow : bool
    """

    param: str
    values: np.ndarray
    period: np.ndarray
    points: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    multipliers: np.ndarray
    stable: np.ndarray
    crossings: np.ndarray
    special: list[CyclePoint] = field(default_factory=list)
    neutral: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    status: tuple[str, str] = ("", "")
    message: str = ""
    names: tuple[str, ...] = ()
    exact_flow: bool = True

    def __len__(self) -> int:
        return int(self.values.size)

    @property
    def amplitude(self) -> np.ndarray:
        """Peak-to-peak amplitude of each unit, shape (K, n)."""
        return self.maximum - self.minimum

    def points_of(self, kind: str) -> list[CyclePoint]:
        return [s for s in self.special if s.kind == kind]

    @property
    def folds(self) -> list[CyclePoint]:
        """Folds of cycles (smooth and non-smooth)."""
        return self.points_of("fold of cycles")

    def range(self) -> tuple[float, float]:
        return float(np.min(self.values)), float(np.max(self.values))

    def __repr__(self) -> str:
        lo, hi = self.range()
        kinds = ", ".join(f"{s.kind} at {s.value:.8g}" for s in self.special) or "none"
        return (f"LimitCycleBranch({self.param} in [{lo:.6g}, {hi:.6g}], {len(self)} cycles, "
                f"{int(np.sum(self.stable))} stable; special points: {kinds})")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: per point ``value``, ``period``, ``stable``, extremes
        (``nu_E_min``-style keys), ``floquet_multipliers``; and ``special``."""
        pts = []
        for k in range(len(self)):
            d: dict[str, Any] = {"value": float(self.values[k]), "period": float(self.period[k]),
                                 "stable": bool(self.stable[k])}
            for i, name in enumerate(self.names):
                d[f"nu_{name}_min"] = float(self.minimum[k, i])
                d[f"nu_{name}_max"] = float(self.maximum[k, i])
            d["floquet_multipliers"] = _complex_list(self.multipliers[k])
            d["neutral"] = bool(self.neutral[k]) if self.neutral.size else False
            d["crossings"] = int(self.crossings[k])
            pts.append(d)
        return _json_safe({"param": self.param, "points": pts,
                           "special": [s.to_dict() for s in self.special],
                           "status": list(self.status), "message": self.message,
                           "names": list(self.names), "exact_flow": self.exact_flow})


# ------------------------------------------------------------------ helpers
def _rephase(problem: ShootingProblem, p: float, x0: np.ndarray, T: float,
             samples: int = 2000) -> np.ndarray:
    """The point of the orbit from ``x0`` where the phase unit is largest."""
    _t, X = problem.sample(problem.pack(np.tile(x0, (problem.m, 1)), T), p, samples)
    return X[int(np.argmax(X[:-1, problem.k]))]


def _points_along(problem: ShootingProblem, p: float, x0: np.ndarray, T: float) -> np.ndarray:
    """Unknowns ``u`` for ``m`` segments of the orbit from ``x0``."""
    m = problem.m
    if m == 1:
        return problem.pack(x0[None, :], T)
    fl = problem.flow(p)
    X = [x0]
    for _ in range(m - 1):
        X.append(fl.advance(X[-1], T / m).x)
    return problem.pack(np.array(X), T)


def _newton_fixed_p(problem: ShootingProblem, u: np.ndarray, p: float, *, tol: float = 1e-10,
                    max_iter: int = 40) -> np.ndarray | None:
    """Damped Newton on ``F(u, p) = 0`` at fixed ``p`` (None if it fails)."""
    u = np.asarray(u, dtype=float).copy()
    scale = 1.0 + float(np.max(np.abs(u)))
    for _ in range(max_iter):
        F = problem.residual(u, p)
        if not np.all(np.isfinite(F)):
            return None
        if np.max(np.abs(F)) < tol * scale:
            return u
        J = problem.jacobian_u(u, p)
        try:
            du = np.linalg.solve(J, -F)
        except np.linalg.LinAlgError:
            return None
        lim = 0.2 * scale
        if np.max(np.abs(du)) > lim:
            du *= lim / np.max(np.abs(du))
        lam = 1.0
        for _ in range(12):
            trial = u + lam * du
            Ft = problem.residual(trial, p)
            if np.all(np.isfinite(Ft)) and np.max(np.abs(Ft)) < (1 - 0.25 * lam) * max(
                    np.max(np.abs(F)), 1e-300) + tol * scale:
                break
            lam *= 0.5
        else:
            return None
        u = trial
    return None


def _hopf_start(problem: ShootingProblem, family: ParameterFamily, p_h: float,
                lo: float, hi: float) -> tuple[np.ndarray, float]:
    """A first cycle next to a Hopf point ``p_h`` (see :func:`continue_cycles`)."""
    net = family.network(p_h)
    fps = find_fixed_points(net)
    best = None
    for fp in fps:
        lam = fp.eigenvalues
        cplx = np.flatnonzero(np.abs(lam.imag) > 1e-12 * max(1.0, float(np.max(np.abs(lam)))))
        if cplx.size == 0:
            continue
        j = cplx[int(np.argmin(np.abs(lam[cplx].real)))]
        score = abs(lam[j].real) / abs(lam[j].imag)
        if best is None or score < best[0]:
            best = (score, fp, j)
    if best is None or best[0] > 1e-6:
        raise ParameterError("hopf", p_h, f"a value of {family.name} where a fixed point has a "
                             "pair of imaginary eigenvalues (a Hopf point)")
    _, fp, _ = best
    w, V = np.linalg.eig(fp.jacobian)
    j = int(np.argmax(w.imag))
    omega, v = float(w[j].imag), V[:, j]
    x_star = fp.state
    k = problem.k
    v = v * np.conj(v[k]) / abs(v[k])  # unit k peaks at phase 0
    T0 = 2 * np.pi / omega
    scale = max(1.0, float(np.max(np.abs(x_star))))
    span = hi - lo
    if problem.exact(p_h):
        # amplitude at which the centre's orbit first touches a threshold
        W = net.weights
        u_star = W @ x_star + net.external(0.0) - net.transfer.threshold  # type: ignore[attr-defined]
        gain = np.abs(W @ v)
        with np.errstate(divide="ignore"):
            graze = np.where(gain > 1e-14, np.abs(u_star) / gain, np.inf)
        amp0 = float(np.min(graze))
        if not math.isfinite(amp0):
            raise ContinuationError("the centre at the Hopf point touches no threshold: "
                                    "its closed orbits fill the whole region")
        for eps in (1e-4, 1e-3, 1e-2):
            for side in (1.0, -1.0):
                p = p_h + side * eps * max(abs(p_h), 1e-3 * span, 1e-12)
                if not lo <= p <= hi or not family.valid(p):
                    continue
                for delta in (eps ** (2 / 3), 3 * eps ** (2 / 3)):
                    x0 = x_star + amp0 * (1 + delta) * v.real
                    u = _newton_fixed_p(problem, _points_along(problem, p, x0, T0), p)
                    if u is None:
                        continue
                    s = problem.summary(u, p)
                    mu = problem.multipliers(u, p)
                    if s is None or mu is None or s.crossings == 0:
                        continue
                    if abs(mu[0] - 1) < 1e-6 and np.all(np.abs(mu[1:] - 1) > 1e-9):
                        return u, p
        raise ContinuationError(f"no cycle found next to the Hopf point {family.name} = "
                                f"{p_h:.10g} (tried both sides, up to 1% away)")
    # smooth: small amplitude along the critical eigenvector, parameter free
    a = 1e-2 * scale
    x0 = x_star + a * v.real
    u = _points_along(problem, p_h, x0, T0)
    y = np.append(u, p_h)
    e = np.zeros(problem.size)
    e[:problem.n] = v.real / float(v.real @ v.real)
    for _ in range(40):
        F = np.append(problem.residual(y[:-1], y[-1]), e @ (y[:-1] - np.append(
            np.tile(x_star, problem.m), 0.0)) - a)
        if not np.all(np.isfinite(F)):
            break
        if np.max(np.abs(F)) < 1e-10 * (1 + np.max(np.abs(y))):
            return y[:-1], float(y[-1])
        J = np.vstack([problem.jacobian(y[:-1], y[-1]), np.append(e, 0.0)])
        y = y - np.linalg.solve(J, F)
    raise ContinuationError(f"no small cycle found at the Hopf point {family.name} = {p_h:.10g}")


def _centre_end(problem: ShootingProblem, family: ParameterFamily, u: np.ndarray,
                p: float) -> tuple[float, float] | None:
    """Where a threshold-linear branch ends on a centre's grazing orbit.

    The orbit at the end of the branch lies almost wholly in the region of the focus it
    encircles; returns ``(p_H, 2 pi / omega)`` with ``p_H`` the root (Brent, to ~1e-14
    relative) of that focus's real part next to ``p``, or None if there is none within
    1e-3 relative (the branch stopped for another reason).
    """
    from ..pwl.regions import region_system

    s = problem.summary(u, p, rates=False)
    if s is None:
        return None
    spread = float(np.max(s.input_max - s.input_min))
    depth = np.minimum(np.abs(s.input_min), np.abs(s.input_max))
    if float(np.min(depth)) > 1e-2 * spread:
        return None  # not close to touching a threshold
    fps = [fp for fp in find_fixed_points(family.network(p)) if fp.active is not None
           and np.any(np.abs(fp.eigenvalues.imag) > 0)]
    if not fps:
        return None
    fp = min(fps, key=lambda f: abs(float(np.max(f.eigenvalues.real))))
    active = fp.active
    assert active is not None

    def re(v: float) -> float:
        lam = np.linalg.eigvals(region_system(family.network(v), active)[0])
        return float(np.max(lam.real))

    from scipy.optimize import brentq

    r0 = re(p)
    for w in (1e-6, 1e-5, 1e-4, 1e-3):
        for side in (1.0, -1.0):
            q = p + side * w * max(1.0, abs(p))
            if not family.valid(q):
                continue
            rq = re(q)
            if r0 == 0 or r0 * rq < 0:
                p_h = p if r0 == 0 else float(brentq(re, min(p, q), max(p, q),
                                                     xtol=1e-14 * max(1.0, abs(p)),
                                                     rtol=1e-15))
                lam = np.linalg.eigvals(region_system(family.network(p_h), active)[0])
                omega = float(np.max(np.abs(lam.imag)))
                return p_h, 2 * np.pi / omega
    return None


def _smooth_hopf_end(family: ParameterFamily, u: np.ndarray, p: float,
                     amplitude: np.ndarray) -> tuple[float, float] | None:
    """Where a smooth branch ends on a Hopf point: ``(p_H, 2 pi / omega)`` or None.

    The orbit at the end has shrunk to (almost) a point: the fixed point there is
    found by Newton's method from it, and the parameter where its complex pair has zero
    real part by Brent's method next to ``p`` (within 1e-2 relative).
    """
    from scipy.optimize import brentq

    x0 = np.asarray(u[:amplitude.size], dtype=float)
    if float(np.max(amplitude)) > 1e-2 * (1.0 + float(np.max(np.abs(x0)))):
        return None

    def fixed(v: float) -> np.ndarray | None:
        net = family.network(v)
        x = x0.copy()
        for _ in range(30):
            F = net.rhs(0.0, x)
            if np.max(np.abs(F * net.tau)) < 1e-13 * (1 + np.max(np.abs(x))):
                return x
            x = x - np.linalg.solve(net.jacobian(x), F)
        return None

    def re(v: float) -> float:
        x = fixed(v)
        if x is None:
            return math.nan
        lam = np.linalg.eigvals(family.network(v).jacobian(x))
        c = lam[np.abs(lam.imag) > 0]
        return float(np.max(c.real)) if c.size else math.nan

    r0 = re(p)
    if not math.isfinite(r0):
        return None
    for w in (1e-6, 1e-5, 1e-4, 1e-3, 1e-2):
        for side in (1.0, -1.0):
            q = p + side * w * max(1.0, abs(p))
            if not family.valid(q):
                continue
            rq = re(q)
            if math.isfinite(rq) and (r0 == 0 or r0 * rq < 0):
                p_h = p if r0 == 0 else float(brentq(re, min(p, q), max(p, q),
                                                     xtol=1e-14 * max(1.0, abs(p)),
                                                     rtol=1e-15))
                x = fixed(p_h)
                assert x is not None
                lam = np.linalg.eigvals(family.network(p_h).jacobian(x))
                return p_h, 2 * np.pi / float(np.max(np.abs(lam.imag)))
    return None


def _tests(problem: ShootingProblem, names: Sequence[str], exact: bool) -> list[TestFunction]:
    n = problem.n

    def fold(u, p):
        J = problem.jacobian_u(u, p)
        if not np.all(np.isfinite(J)):
            return math.nan
        return float(np.linalg.det(J))

    def pd(u, p):
        M = problem.monodromy(u, p)
        return math.nan if M is None else float(np.linalg.det(M + np.eye(n)))

    def ns(u, p):
        mu = problem.multipliers(u, p)
        if mu is None:
            return math.nan
        z = mu[1:]
        prod = 1.0 + 0j
        for i in range(z.size):
            for j in range(i + 1, z.size):
                prod *= z[i] * z[j] - 1.0
        return float(prod.real)

    tests = [TestFunction("fold of cycles", fold), TestFunction("period doubling", pd)]
    if n >= 3:
        tests.append(TestFunction("neimark-sacker", ns))
    if exact:
        for i in range(n):
            def lo(u, p, i=i):
                s = problem.summary(u, p, rates=False)
                return math.nan if s is None else float(s.input_min[i])

            def hi(u, p, i=i):
                s = problem.summary(u, p, rates=False)
                return math.nan if s is None else float(s.input_max[i])

            tests.append(TestFunction(f"grazing:{names[i]}:min", lo))
            tests.append(TestFunction(f"grazing:{names[i]}:max", hi))
    return tests


class _HomoclinicWatch:
    """Sees every point the engine accepts (a test function that never changes sign).

    When the period has grown by 25%, and is more than twice the starting one, while the
    parameter moved by less than 1e-3 of the interval, the branch is running into a
    homoclinic orbit (the period grows like ``-log |p - p_c|``): the period cap is lowered
    to the current period, so the next steps are refused and the branch stops there
    (labelled ``"homoclinic approach"``) instead of creeping on.
    """

    def __init__(self, problem: ShootingProblem, s_T: float, T0: float, L: float) -> None:
        self.problem, self.s_T, self.T0, self.L = problem, s_T, T0, L
        self.seen: list[tuple[float, float]] = []

    def __call__(self, v: np.ndarray, p: float) -> float:
        T = float(v[-1]) * self.s_T
        self.seen.append((float(p), T))
        if len(self.seen) > 400:
            del self.seen[:200]
        if T > 2 * self.T0:
            T_min = T
            for q, Tq in reversed(self.seen):
                if abs(q - p) > 1e-3 * self.L:
                    break
                T_min = min(T_min, Tq)
            if T >= 1.25 * T_min:
                self.problem.period_cap = min(self.problem.period_cap, T)
        return 1.0


#: Weight of the orbit against the parameter in the arclength (see continue_cycles).
_KAPPA = 3.0


def _join(up: Curve, down: Curve) -> tuple[np.ndarray, np.ndarray, list[CurveEvent]]:
    """One curve from the down half (reversed) and the up half (sharing the start)."""
    back = down.reversed()
    K = len(back) - 1
    ev = [e for e in back.events if e.index < K]
    ev += [CurveEvent(e.name, e.index + K, e.u, e.p, e.tangent, e.tangent_after)
           for e in up.events]
    return np.vstack([back.u[:-1], up.u]), np.concatenate([back.p[:-1], up.p]), ev


# ------------------------------------------------------------------ driver
def continue_cycles(model: Any, param: str, start: float, stop: float, *,
                    cycle: LimitCycle | tuple[Any, float] | None = None,
                    hopf: float | None = None, segments: int = 1,
                    ds: float | None = None, ds_max: float | None = None,
                    max_steps: int = 400, period_cap: float | None = None,
                    rate_cap: float | None = None, time_limit: float = 30.0,
                    tol: float = 1e-10) -> LimitCycleBranch:
    """Follow a branch of periodic orbits (stable and unstable) in one parameter.

    Parameters
    ----------
    model : EIModel (or any model with ``replace`` and ``to_network``), or callable
        A callable ``value -> RateNetwork`` lets any network be continued.
    param : str
        The parameter varied (``"tau_I"``, ``"M_EE"``...; any case for EIModel).
    start, stop : float
        The interval of the parameter (either order; distinct).
    cycle : LimitCycle or (x0, T), optional
        A cycle of the model at its own value of ``param`` (which must lie in the
        interval; for a callable ``model``, at ``min(start, stop)``): a
        :class:`ratenet.analysis.LimitCycle`, or a point near the orbit and a period
        guess, corrected by shooting.  Default (and ``hopf`` not given): the cycle
        :func:`ratenet.analysis.find_limit_cycle` finds there.
    hopf : float, optional
        Start at this Hopf value instead.  Smooth transfer: a small cycle (amplitude
        ``1e-2`` of the rate scale) along the critical eigenvector, the parameter solved
        for; the branch ends next to the Hopf point where the cycle has shrunk to about
        ``1e-3`` of the rate scale, and the Hopf value itself is located on the fixed
        point.  Threshold-linear (a linear centre, cycles born at finite amplitude): the
        centre's largest closed orbit touches a threshold (the grazing orbit, found in
        closed form from the critical eigenvector); just past the Hopf value
        (``1e-4``, ``1e-3``, ``1e-2`` relative, on either side) the cycle crosses the
        threshold by about ``eps^(2/3)`` of its size, and shooting from the grazing orbit
        pushed out by that much converges onto it.
    segments : int, default 1
        Shooting segments (multiple shooting for strongly unstable cycles).
    ds, ds_max : float, optional
        First and largest arclength step (default ``0.05 L`` and ``0.2 L``, ``L`` the
        length of the interval; the engine shortens steps where the branch bends).
    max_steps : int, default 400
        Steps per direction.
    period_cap : float, optional
        Longest period followed (default 50 times the starting period); a branch whose
        period passes it stops with a ``"homoclinic approach"`` point (``"period cap"``
        where the period grows slowly).
    rate_cap : float, optional
        Largest rate followed (default 10 times the largest rate of the starting
        orbit, or of the input scale if larger); a branch whose cycles grow past it
        stops with status ``"diverged"``.
    time_limit : float, default 30
        Seconds per direction.
    tol : float, default 1e-10
        Newton tolerance (relative).

    Returns
    -------
    LimitCycleBranch
        Ordered by arclength from the end with the smaller parameter value to the
        other (the same whichever point it was started from).

    Raises
    ------
    ParameterError
        Bad parameter name, interval or starting cycle.
    ContinuationError
        No cycle to start from.

    Examples
    --------
    >>> from ratenet.continuation.cycles import bistable_example, continue_cycles
    >>> model = bistable_example()
    >>> branch = continue_cycles(model, "tau_I", 50.0, 70.0)
    >>> [s.kind for s in branch.special if s.kind != "grazing"]
    ['non-smooth Hopf (linear centre)', 'fold of cycles']
    """
    family = ParameterFamily(model, param)
    a, b = family.check(start, stop)
    lo, hi = min(a, b), max(a, b)
    if int(segments) != segments or segments < 1:
        raise ParameterError("segments", segments, "an integer >= 1")
    if max_steps < 1:
        raise ParameterError("max_steps", max_steps, "an integer >= 1")
    net0 = family.network(lo)
    n = net0.n
    if n < 2:
        raise ParameterError("model", f"{n} unit", "a network of at least 2 units "
                             "(a one-dimensional flow has no periodic orbit)")
    names = tuple(net0.names or (f"x{i}" for i in range(n)))
    exact = family.piecewise_linear(lo)

    # ---- the starting cycle
    if hopf is not None:
        p_h = as_float("hopf", hopf)
        if not lo <= p_h <= hi:
            raise ParameterError("hopf", hopf, f"inside [{lo:g}, {hi:g}]")
        x_guess, T_guess, p0 = None, None, p_h
    else:
        p0 = family.base_value if family.base_value is not None else lo
        if not lo <= p0 <= hi:
            raise ParameterError(param, p0, f"inside [{lo:g}, {hi:g}] (the starting cycle is "
                                 "the model's own; set the parameter inside the interval)")
        if cycle is None:
            found = find_limit_cycle(family.network(p0))
            if found is None:
                raise ContinuationError(
                    f"no limit cycle found by simulation at {family.name} = {p0:g}; give "
                    f"cycle=(x0, T) or hopf=value to start from")
            cycle = found
        if isinstance(cycle, LimitCycle):
            x_guess, T_guess = np.asarray(cycle.point, float), float(cycle.period)
        else:
            try:
                x_guess = np.asarray(cycle[0], dtype=float)
                T_guess = float(cycle[1])
            except (TypeError, ValueError, IndexError):
                raise ParameterError("cycle", cycle, "a LimitCycle or a pair (x0, T)") from None
            if x_guess.shape != (n,) or not np.all(np.isfinite(x_guess)):
                raise ParameterError("cycle", cycle, f"x0 of shape ({n},), finite")
            if not (math.isfinite(T_guess) and T_guess > 0):
                raise ParameterError("cycle", cycle, "a period T > 0")

    # phase unit: the unit that swings most on the starting orbit (unit 0 from a Hopf)
    k = 0
    if x_guess is not None:
        probe = ShootingProblem(family.network, n)
        assert T_guess is not None
        _, X = probe.sample(probe.pack(x_guess[None], T_guess), p0, 500)
        k = int(np.argmax(np.ptp(X, axis=0)))
    cap = math.inf if period_cap is None else as_float("period_cap", period_cap)
    problem = ShootingProblem(family.network, n, segments=int(segments), phase_unit=k,
                              period_cap=cap)
    if x_guess is None:
        u0, p0 = _hopf_start(problem, family, p0, lo, hi)
    else:
        assert T_guess is not None
        x0 = _rephase(problem, p0, x_guess, T_guess)
        u_fix = _newton_fixed_p(problem, _points_along(problem, p0, x0, T_guess), p0, tol=tol)
        if u_fix is None:
            raise ContinuationError(f"the starting cycle is not a periodic orbit at "
                                    f"{family.name} = {p0:g}: shooting did not converge")
        u0 = u_fix
    T0 = float(u0[-1])
    if period_cap is None:
        problem.period_cap = 50.0 * T0
    cap0 = problem.period_cap
    x_ref = max(1.0, float(np.max(np.abs(u0[:-1]))))
    if rate_cap is None:
        problem.rate_cap = 10.0 * max(x_ref, float(problem.flow(p0).scale))
    else:
        problem.rate_cap = as_float("rate_cap", rate_cap)
    L = hi - lo
    # arclength in scaled unknowns v = u / S: rates in units of the starting orbit's size,
    # the period in units of the starting period, both mapped onto the interval's length,
    # so a step of ds moves the orbit and the parameter by comparable fractions
    S = np.full(u0.size, x_ref / (_KAPPA * L))
    S[-1] = T0 / (_KAPPA * L)

    def res(v: np.ndarray, p: float) -> np.ndarray:
        return problem.residual(v * S, p)

    def jac(v: np.ndarray, p: float) -> np.ndarray:
        J = problem.jacobian(v * S, p)
        J[:, :-1] *= S
        return J

    def scaled(f: Any) -> Any:
        return lambda v, p: f(v * S, p)

    tests = [TestFunction(t.name, scaled(t.value), t.kink) for t in _tests(problem, names, exact)]
    tests.append(TestFunction("observer", _HomoclinicWatch(problem, S[-1], T0, L)))
    ds_max = 0.2 * L if ds_max is None else as_float("ds_max", ds_max)
    ds = min(0.05 * L, ds_max) if ds is None else as_float("ds", ds)
    halves = []
    for direction in (1, -1):
        # the smallest step only bounds how close a refused orbit (the end of a branch) is
        # approached; special points are located independently of it
        halves.append(continue_curve(res, jac, u0 / S, p0, p_min=lo, p_max=hi,
                                     direction=direction, ds=ds, ds_max=ds_max,
                                     ds_min=1e-5 * ds_max, max_steps=max_steps, tol=tol,
                                     tests=tests, time_limit=time_limit,
                                     u_max=1e7 / float(np.min(S))))
    up, down = halves
    U, P, events = _join(up, down)
    U = U * S
    ends = (down, up)
    if P[-1] < P[0]:  # one orientation whichever end the branch was started from
        K = P.size
        U, P = U[::-1].copy(), P[::-1].copy()
        events = [CurveEvent(e.name, K - 1 - e.index, e.u, e.p,
                             -(e.tangent_after if e.tangent_after is not None else e.tangent),
                             None if e.tangent_after is None else -e.tangent)
                  for e in reversed(events)]
        ends = (up, down)
    return _assemble(problem, family, U, P, events, ends, names, exact, cap0)


def _assemble(problem: ShootingProblem, family: ParameterFamily, U: np.ndarray, P: np.ndarray,
              events: list[CurveEvent], halves: tuple[Curve, Curve], names, exact: bool,
              cap0: float) -> LimitCycleBranch:
    K, n = P.size, problem.n
    period = U[:, -1].copy()
    points = U[:, :n].copy()
    mins, maxs = np.empty((K, n)), np.empty((K, n))
    mult = np.empty((K, n), dtype=complex)
    cross = np.zeros(K, dtype=int)
    for j in range(K):
        s = problem.summary(U[j], P[j])
        mu = problem.multipliers(U[j], P[j])
        if s is None or mu is None:
            raise ContinuationError(f"a point of the branch at {family.name} = {P[j]:g} "
                                    "could not be recomputed")
        mins[j], maxs[j], cross[j] = s.rate_min, s.rate_max, s.crossings
        mult[j] = mu
    stable = np.all(np.abs(mult[:, 1:]) < 1.0, axis=1)
    # a continuum of closed orbits is generic only for piecewise-linear networks (regions
    # of zero trace); a smooth cycle next to its Hopf point is weakly stable, not neutral
    # (and a continuum: a neighbour is neutral too; a fold alone is not)
    raw = np.all(np.abs(np.abs(mult[:, 1:]) - 1.0) < 1e-5, axis=1) & (n > 1) & exact
    near = np.zeros_like(raw)
    near[1:] |= raw[:-1]
    near[:-1] |= raw[1:]
    neutral = raw & near
    stable &= ~neutral
    special: list[CyclePoint] = []
    for e in events:
        mu = mult[e.index]
        kind, unit, method = e.name, None, "test function"
        # each located point is checked: a step across a fold can make the engine's
        # Brent search converge to a jump between the two sheets instead of a zero
        if kind.startswith("grazing"):
            _, unit, side = kind.split(":")
            kind = "grazing"
            s = problem.summary(U[e.index], P[e.index])
            i = list(names).index(unit)
            if s is None:
                continue
            val = s.input_min[i] if side == "min" else s.input_max[i]
            if abs(val) > 1e-7 * (1.0 + float(np.max(s.input_max - s.input_min))):
                continue
        elif kind == "fold of cycles":
            if not np.any(np.abs(mu[1:] - 1.0) < 1e-3):
                continue
        elif kind == "period doubling":
            if not np.any(np.abs(mu + 1.0) < 1e-3):
                continue
        elif kind == "neimark-sacker":
            z = mu[1:]
            if not np.any((np.abs(z.imag) > 1e-8) & (np.abs(np.abs(z) - 1) < 1e-6)):
                continue  # a neutral saddle (two real multipliers with product 1)
        special.append(CyclePoint(kind, float(e.p), float(period[e.index]), points[e.index],
                                  mu, int(e.index), method, unit))
    # the ends
    status = []
    extra_msgs: list[str] = []
    for end, half in ((0, halves[0]), (K - 1, halves[1])):
        label = half.status
        if half.status == "stalled":
            mu = mult[end]
            s = problem.summary(U[end], P[end])
            if float(np.max(maxs[end])) >= 0.5 * problem.rate_cap:
                label = "diverged"
                status.append(label)
                extra_msgs.append(f"the cycles grow without bound: rates beyond "
                                  f"{problem.rate_cap:.4g} (rate_cap) at {family.name} = "
                                  f"{P[end]:.6g}")
                continue
            if period[end] >= 0.9 * problem.period_cap:
                # a homoclinic approach: the period runs away (|d ln T / dp| large)
                j = end + 1 if end == 0 else end - 1
                dp = abs(float(P[end] - P[j]))
                growth = abs(math.log(period[end] / period[j])) / max(dp, 1e-300)
                span = float(np.max(P) - np.min(P))
                label = "homoclinic approach" if (growth * max(span, 1e-300) > 20
                                                  or problem.period_cap < cap0) else "period cap"
            elif exact and s is not None and (hopf := _centre_end(problem, family, U[end],
                                                                     float(P[end]))):
                label = "non-smooth Hopf (linear centre)"
                p_h, T_h = hopf
                special.append(CyclePoint(label, p_h, T_h, points[end], mult[end], end,
                                          "end of branch: the encircled focus is a centre "
                                          "(root of its real part)"))
                status.append(label)
                continue
            elif not exact and (hopf_s := _smooth_hopf_end(family, U[end], float(P[end]),
                                                          maxs[end] - mins[end])):
                label = "hopf"
                special.append(CyclePoint(label, hopf_s[0], hopf_s[1], points[end], mult[end],
                                          end, "end of branch: the fixed point's complex pair "
                                          "crosses the imaginary axis (root of its real part)"))
                status.append(label)
                continue
            if label != half.status:
                special.append(CyclePoint(label, float(P[end]), float(period[end]),
                                          points[end], mult[end], end, "end of branch"))
        status.append(label)
    special.sort(key=lambda c: c.index)
    msgs = [f"first end: {halves[0].message}", f"last end: {halves[1].message}", *extra_msgs]
    return LimitCycleBranch(param=family.name, values=P.copy(), period=period, points=points,
                            minimum=mins, maximum=maxs, multipliers=mult, stable=stable,
                            crossings=cross, special=special, neutral=neutral,
                            status=(status[0], status[1]),
                            message="; ".join(msgs), names=tuple(names), exact_flow=exact)


def _contains(br: LimitCycleBranch, p: float, period: float, rtol: float = 1e-3) -> bool:
    """True if the branch passes through a cycle of this period at ``p``."""
    v, T = br.values, br.period
    for j in range(len(br) - 1):
        a, b = v[j], v[j + 1]
        if min(a, b) <= p <= max(a, b):
            w = 0.0 if a == b else (p - a) / (b - a)
            if abs(T[j] + w * (T[j + 1] - T[j]) - period) <= rtol * period:
                return True
    return False


def all_cycle_branches(model: Any, param: str, start: float, stop: float, *,
                       hopf: Sequence[float] = (), probes: int = 3,
                       time_limit: float = 30.0, **kwargs: Any
                       ) -> tuple[list[LimitCycleBranch], list[str]]:
    """Every branch of cycles reachable from the Hopf points and from simulation.

    Branches are started at each value in ``hopf`` (e.g. the Hopf points of
    :func:`ratenet.continuation.equilibria.continue_equilibria`), then from the cycle
    that simulation finds (:func:`ratenet.analysis.find_limit_cycle`) at ``probes``
    evenly spaced values of the interval, unless that cycle lies on a branch already
    followed.  A branch not attached to a Hopf point and never attracting (an isola of
    unstable cycles) is not found.

    Parameters
    ----------
    model, param, start, stop
        As for :func:`continue_cycles`.
    hopf : sequence of float
        Hopf values to start from.
    probes : int, default 3
        Values searched by simulation (the two ends and interior points).
    time_limit : float, default 30
        Seconds for all branches together (each branch gets what is left).
    **kwargs
        Passed to :func:`continue_cycles`.

    Returns
    -------
    branches : list of LimitCycleBranch
    notes : list of str
        One sentence per start that gave nothing (e.g. no cycle next to a Hopf point).

    Examples
    --------
    >>> from ratenet.continuation.cycles import all_cycle_branches, bistable_example
    >>> branches, notes = all_cycle_branches(bistable_example(), "tau_I", 50, 70, hopf=[60.0])
    >>> len(branches), [round(f.value, 6) for f in branches[0].folds]
    (1, [57.161545])
    """
    import time

    family = ParameterFamily(model, param)
    a, b = family.check(start, stop)
    lo, hi = min(a, b), max(a, b)
    t_end = time.monotonic() + float(time_limit)
    out: list[LimitCycleBranch] = []
    notes: list[str] = []
    failed: list[tuple[float, str]] = []
    name = family.name

    def left() -> float:
        return max(t_end - time.monotonic(), 0.0)

    for ph in hopf:
        if left() <= 0:
            notes.append(f"time limit reached before the Hopf point {name} = {ph:.10g}")
            break
        if any(abs(sp.value - ph) <= 1e-8 * max(1.0, abs(ph)) for br in out
               for sp in br.special if "opf" in sp.kind):
            continue
        try:
            out.append(continue_cycles(model, param, lo, hi, hopf=ph, time_limit=left(),
                                       **kwargs))
        except ContinuationError as exc:
            failed.append((ph, f"no cycle branch from the Hopf point {name} = {ph:.10g}: "
                               f"{exc}"))
    for v in np.linspace(lo, hi, max(int(probes), 2)):
        if left() <= 0:
            break
        at = family._make(float(v)) if family.base_value is not None else None
        net = family.network(float(v))
        cyc = find_limit_cycle(net, t_search=min(3000.0 * float(np.max(net.tau)), 1e6))
        if cyc is None or any(_contains(br, float(v), cyc.period) for br in out):
            continue
        base = at if at is not None else model
        try:
            if at is None:
                continue  # a callable family has no 'own value' to start from
            out.append(continue_cycles(base, param, lo, hi, cycle=cyc, time_limit=left(),
                                       **kwargs))
        except ContinuationError as exc:
            notes.append(f"the cycle found at {name} = {v:.6g} could not be continued: {exc}")
    # a Hopf point that gave nothing but ends a branch found from simulation is covered
    for ph, msg in failed:
        if not any(abs(sp.value - ph) <= 1e-8 * max(1.0, abs(ph)) for br in out
                   for sp in br.special if "opf" in sp.kind):
            notes.append(msg)
    return out, notes


def stable_cycle_ranges(branches: Sequence[LimitCycleBranch]) -> list[tuple[float, float]]:
    """Parameter intervals covered by stable cycles (each run of consecutive stable
    points of a branch, with its end points), merged."""
    runs: list[tuple[float, float]] = []
    for br in branches:
        st = np.asarray(br.stable, dtype=bool)
        k = 0
        while k < st.size:
            if not st[k]:
                k += 1
                continue
            j = k
            while j + 1 < st.size and st[j + 1]:
                j += 1
            lo_k, hi_k = max(k - 1, 0), min(j + 1, st.size - 1)  # up to the neighbours
            # (the neighbours are the special points where stability changes)
            seg = br.values[lo_k:hi_k + 1]
            runs.append((float(np.min(seg)), float(np.max(seg))))
            k = j + 1
    runs.sort()
    merged: list[tuple[float, float]] = []
    for a, b in runs:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def bistable_intervals(model: Any, param: str, start: float, stop: float,
                       branches: Sequence[LimitCycleBranch],
                       breakpoints: Sequence[float] = ()) -> list[tuple[float, float]]:
    """Intervals of the parameter where a stable equilibrium and a stable cycle coexist.

    The interval ``[start, stop]`` is cut at ``breakpoints`` (e.g. the Hopf points and
    folds of the equilibria) and at the ends of the stable runs of the cycle branches;
    in each piece the midpoint decides (a stable fixed point of the model there, by
    :func:`ratenet.analysis.find_fixed_points`, and a stable cycle covering it).

    Examples
    --------
    >>> from ratenet.continuation.cycles import bistable_example, continue_cycles
    >>> br = continue_cycles(bistable_example(), "tau_I", 50.0, 70.0)
    >>> [(round(a, 6), round(b, 6)) for a, b in bistable_intervals(
    ...     bistable_example(), "tau_I", 50.0, 70.0, [br], breakpoints=[60.0])]
    [(57.161545, 60.0)]
    """
    family = ParameterFamily(model, param)
    a, b = family.check(start, stop)
    lo, hi = min(a, b), max(a, b)
    ranges = stable_cycle_ranges(branches)
    cuts = {lo, hi, *(float(v) for v in breakpoints if lo <= v <= hi)}
    for r0, r1 in ranges:
        cuts.update(v for v in (r0, r1) if lo <= v <= hi)
    edges = sorted(cuts)
    out: list[tuple[float, float]] = []
    for e0, e1 in itertools.pairwise(edges):
        if e1 - e0 <= 1e-12 * max(1.0, abs(e0)):
            continue
        mid = 0.5 * (e0 + e1)
        if not any(r0 <= mid <= r1 for r0, r1 in ranges):
            continue
        if not any(fp.stable for fp in find_fixed_points(family.network(mid))):
            continue
        if out and abs(out[-1][1] - e0) <= 1e-12 * max(1.0, abs(e0)):
            out[-1] = (out[-1][0], e1)
        else:
            out.append((e0, e1))
    return out


# ------------------------------------------------------------------ the example
def bistable_example() -> Any:
    """A threshold-linear E-I model with a stable cycle around a stable focus.

    ``EIModel(M_II=-0.5)`` (other parameters at their defaults: ``M_EE = 1.25``,
    ``M_EI = -1``, ``M_IE = 1``, ``gamma_E = -10``, ``gamma_I = 10``, ``tau_E = 10`` ms)
    at ``tau_I = 58`` ms.  The both-active focus ``(40, 20)`` Hz loses stability at the
    non-smooth Hopf point ``tau_I = tau_E (1 - M_II)/(M_EE - 1) = 60`` ms, where the
    linear centre's grazing orbit touches the I threshold.  Beyond that threshold
    (I silent) the dynamics expand (trace ``(M_EE - 1)/tau_E - 1/tau_I > 0``): the Hopf
    is subcritical, the unstable cycle born there grows as ``tau_I`` decreases, and
    merges with a stable cycle (which also crosses the E threshold, where the flow
    contracts) at a fold of cycles near ``tau_I = 56.5`` ms.  Between the fold and the
    Hopf point a stable focus and a stable cycle coexist, separated by the unstable
    cycle.

    Returns
    -------
    EIModel

    Examples
    --------
    >>> m = bistable_example()
    >>> m.M_II, m.tau_I, m.hopf_tau_I()
    (-0.5, 58.0, 60.0)
    """
    from ..models.ei import EIModel

    return EIModel(M_II=-0.5, tau_I=58.0)

