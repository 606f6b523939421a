"""Limit cycles of small rate networks: found by simulation, refined by shooting.

1. Follow the flow from a starting point and iterate the Poincare map of a section
   through a point of the orbit (the hyperplane normal to the flow there) until
   successive returns agree to ``1e-3`` of the rate scale; stop early if the orbit
   provably falls into a stable fixed point or diverges.
2. Newton's method on the Poincare map ``P`` restricted to the section: solve
   ``P(x) = x`` with the exact derivative ``DP = (I - f n^T / n.f) Phi``, where ``Phi``
   is the monodromy matrix.
3. On the converged cycle: period, min and max of every unit, Floquet multipliers
   (eigenvalues of ``Phi``; one of them is 1) and stability (all others inside the
   unit circle).

For threshold-linear networks the flow is exact (closed form in each region, see
:mod:`ratenet.analysis._flow`); for smooth transfer it is integrated with DOP853 at
``rtol = 1e-11``.  Nothing here assumes a normal form: the E-I model's cycle is born
at finite amplitude (a non-smooth bifurcation), and is found like any other.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import ParameterError, check_int, check_positive
from ._flow import PiecewiseLinearFlow, SmoothFlow, make_flow
from .fixed_points import as_network, find_fixed_points

__all__ = ["LimitCycle", "find_limit_cycle", "refine_limit_cycle"]


@dataclass(frozen=True, eq=False)
class LimitCycle:
    """A periodic orbit.

    Attributes
    ----------
    period : float
        Period (E-I: ms).
    point : ndarray of shape (n,)
        A point of the cycle (on the Poincare section used by the shooting).
    t : ndarray of shape (K,)
        Times along one period, from 0 to ``period``.
    orbit : ndarray of shape (K, n)
        States at ``t``; ``orbit[0]`` is ``point``.
    minimum, maximum : ndarray of shape (n,)
        Smallest and largest rate of each unit over the cycle.
    floquet_multipliers : ndarray of complex, shape (n,)
        Eigenvalues of the monodromy matrix, the trivial multiplier (closest to 1) first.
    stable : bool
        True when every non-trivial multiplier lies inside the unit circle.
    residual : float
        ``|P(x) - x|`` at the end of the shooting.
    iterations : int
        Newton iterations taken.
    exact_flow : bool
        True when the flow was computed in closed form (threshold-linear network).
    names : tuple of str
    """

    period: float
    point: np.ndarray
    t: np.ndarray
    orbit: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    floquet_multipliers: np.ndarray
    stable: bool
    residual: float
    iterations: int
    exact_flow: bool
    names: tuple[str, ...] = ()

    @property
    def amplitude(self) -> np.ndarray:
        """Peak-to-peak amplitude of each unit, shape (n,)."""
        return self.maximum - self.minimum

    @property
    def mean(self) -> np.ndarray:
        """Time average of each unit over one period, shape (n,)."""
        dt = np.diff(self.t)[:, None]
        return np.sum(0.5 * (self.orbit[1:] + self.orbit[:-1]) * dt, axis=0) / self.period

    def __repr__(self) -> str:
        ext = ", ".join(f"{n} in [{a:.4g}, {b:.4g}]"
                        for n, a, b in zip(self.names, self.minimum, self.maximum))
        return (f"LimitCycle(period={self.period:.6g}, {ext}, "
                f"{'stable' if self.stable else 'unstable'})")

    def to_dict(self, *, orbit: bool = False) -> dict[str, Any]:
        """Plain JSON: period, per-unit min/max (``nu_E_min``-style keys), multipliers.

        Keys ``"{name}_min"``/``"{name}_max"`` use the unit names with a ``nu_``
        prefix (``nu_E_min`` for unit ``E``).  ``orbit=True`` adds the sampled cycle.
        """
        out: dict[str, Any] = {"period": float(self.period)}
        for i, name in enumerate(self.names):
            out[f"nu_{name}_min"] = float(self.minimum[i])
            out[f"nu_{name}_max"] = float(self.maximum[i])
        out["stable"] = bool(self.stable)
        out["floquet_multipliers"] = [[float(z.real), float(z.imag)]
                                      for z in self.floquet_multipliers]
        out["residual"] = float(self.residual)
        if orbit:
            out["t"] = self.t.tolist()
            out["orbit"] = self.orbit.tolist()
        return out


def _section_basis(nrm: np.ndarray) -> np.ndarray:
    """Orthonormal basis (n, n-1) of the hyperplane normal to ``nrm``."""
    n = nrm.size
    Q, _ = np.linalg.qr(np.column_stack([nrm, np.eye(n)]))
    return Q[:, 1:n]


def _extreme(flow, run, i: int, sign: float) -> float:
    """Largest (sign=1) or smallest (sign=-1) value of unit i over a recorded period.

    The sampled extremum is refined where ``dx_i/dt`` changes sign between the samples
    on either side: exactly (Brent on the closed-form solution) for piecewise-linear
    flows, by a parabola through three samples otherwise.
    """
    tt, orbit = run.times, run.states
    m = orbit.shape[0] - 1  # the last sample repeats the first (one period)
    k = int(np.argmax(sign * orbit[:m, i]))
    best = float(orbit[k, i])
    km, kp = (k - 1) % m, (k + 1) % m
    if run.segments:
        ta = tt[k - 1] if k > 0 else tt[m - 1] - tt[m]
        tb = tt[k + 1]

        def x_at(t):
            return run.state_at(t % tt[m] if t < 0 else t)

        def slope(t):
            return float(flow.rhs(x_at(t))[i])

        fa, fb = slope(ta), slope(tb)
        if sign * fa >= 0 >= sign * fb and fa != fb:
            from scipy.optimize import brentq

            ts = brentq(slope, ta, tb, xtol=1e-13 * max(1.0, tt[m]), rtol=1e-15)
            best = float(x_at(ts)[i])
    else:
        y0, y1, y2 = orbit[km, i], orbit[k, i], orbit[kp, i]
        den = y0 - 2 * y1 + y2
        if den != 0:
            best = float(y1 - (y2 - y0) ** 2 / (8 * den))
    return max(best, float(orbit[k, i])) if sign > 0 else min(best, float(orbit[k, i]))


def _shoot(flow, x0: np.ndarray, T_guess: float, *, tol: float, max_iter: int = 30):
    """Newton on the Poincare map of the section through ``x0`` normal to the flow."""
    n = x0.size
    f0 = flow.rhs(x0)
    nrm = f0 / np.linalg.norm(f0)
    p = x0.copy()
    B = _section_basis(nrm)
    y = np.zeros(n - 1)
    res = None
    for it in range(max_iter + 1):
        x = p + B @ y
        res = flow.advance(x, 3.0 * T_guess, section=(p, nrm), min_time=0.5 * T_guess)
        if not res.hit_section:
            return None
        G = B.T @ (res.x - p) - y
        f1 = flow.rhs(res.x)
        DP = (np.eye(n) - np.outer(f1, nrm) / float(nrm @ f1)) @ res.monodromy
        DG = B.T @ DP @ B - np.eye(n - 1)
        if np.linalg.norm(G) < tol:
            return x, res, it, float(np.linalg.norm(G))
        try:
            dy = np.linalg.solve(DG, -G)
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(dy)):
            return None
        # damp steps larger than the current orbit scale
        lim = 0.25 * max(flow.scale, float(np.max(np.abs(x))))
        if np.linalg.norm(dy) > lim:
            dy *= lim / np.linalg.norm(dy)
        y = y + dy
        T_guess = res.t
    return None


def refine_limit_cycle(model: Any, x0: np.ndarray, period_guess: float, *,
                       tol: float = 1e-10, samples: int = 4000) -> LimitCycle | None:
    """Shooting refinement of a cycle from a point near it and a period estimate.

    Parameters
    ----------
    model : RateNetwork or model with ``to_network()``
    x0 : array_like of shape (n,)
        A point close to the cycle.
    period_guess : float
        Rough period (the first return is looked for after half of it).
    tol : float, default 1e-10
        Convergence tolerance on ``|P(x) - x|``, relative to the rate scale.
    samples : int, default 4000
        Points kept along the converged orbit.

    Returns
    -------
    LimitCycle or None
        None when the shooting does not converge or the cycle is not isolated
        (a linear centre: a continuum of closed orbits with all multipliers 1).
    """
    net = as_network(model)
    flow = make_flow(net)
    return _refine(flow, np.asarray(x0, dtype=float), float(period_guess), tol=tol,
                   samples=samples, names=tuple(net.names or ()))


def _refine(flow, x0, T_guess, *, tol, samples, names) -> LimitCycle | None:
    scale = max(flow.scale, float(np.max(np.abs(x0))))
    out = _shoot(flow, x0, T_guess, tol=tol * scale)
    if out is None:
        return None
    x, res, iters, resid = out
    T = res.t
    mult = np.linalg.eigvals(res.monodromy)
    order = np.argsort(np.abs(mult - 1.0))
    mult = mult[order]
    if abs(mult[0] - 1.0) > 1e-5:
        return None  # no multiplier 1: not a periodic orbit (the shooting went astray)
    nontrivial = mult[1:]
    if nontrivial.size and np.all(np.abs(nontrivial - 1.0) < 1e-4):
        return None  # every multiplier 1: a continuum of closed orbits (linear centre)
    stable = bool(np.all(np.abs(nontrivial) < 1.0))
    dt = T / samples
    run = flow.advance(x, T, record_dt=dt)
    tt, orbit = run.times, run.states
    n = x.size
    maxs = np.array([_extreme(flow, run, i, 1.0) for i in range(n)])
    mins = np.array([_extreme(flow, run, i, -1.0) for i in range(n)])
    return LimitCycle(period=float(T), point=x, t=tt, orbit=orbit, minimum=mins, maximum=maxs,
                      floquet_multipliers=mult, stable=stable, residual=resid, iterations=iters,
                      exact_flow=bool(flow.exact), names=names)


def _default_starts(net, flow) -> list[np.ndarray]:
    fps = find_fixed_points(net)
    big = max([flow.scale] + [float(np.max(fp.state)) for fp in fps])
    starts = [np.full(net.n, 1.5 * big)]
    for fp in fps:
        if fp.stable or fp.type == "saddle":
            continue
        lead = np.linalg.eig(fp.jacobian)[1][:, 0].real
        lead = lead / max(np.linalg.norm(lead), 1e-300)
        starts.append(fp.state + 1e-2 * big * lead)
    return starts


def find_limit_cycle(model: Any, *, x0: np.ndarray | None = None,
                     t_search: float | None = None, tol: float = 1e-10,
                     samples: int = 4000, max_returns: int = 5000,
                     max_seconds: float = 10.0) -> LimitCycle | None:
    """Find a limit cycle: simulate, iterate the Poincare map, refine by shooting.

    Parameters
    ----------
    model : RateNetwork or model with ``to_network()`` (e.g. :class:`ratenet.EIModel`)
    x0 : array_like of shape (n,), optional
        Starting state (E-I: Hz).  Default: tried in turn, a point next to each
        unstable focus/node (1% of the rate scale along its leading eigenvector),
        then a point beyond every fixed point.
    t_search : float, optional
        Longest time followed from each start before giving up (model time units;
        default ``3000 * max(tau)``).
    tol : float, default 1e-10
        Shooting tolerance on ``|P(x) - x|`` relative to the rate scale.
    samples : int, default 4000
        Points kept along one period.
    max_returns : int, default 5000
        Most returns to the Poincare section followed, over all starts.
    max_seconds : float, default 10
        Wall-clock cap on the search (checked between flow segments of a return).
        When either cap stops the search a ``RuntimeWarning`` says so and the result
        is None.

    Returns
    -------
    LimitCycle or None
        None when the orbits fall into a fixed point, diverge, or close on themselves
        without being isolated (a linear centre), and at once for a feed-forward
        network (no cycle in the coupling graph, e.g. E-I with ``M_EI M_IE = 0``), which
        has no periodic orbit.  Forward simulation reaches
        attracting cycles only; refine an unstable one from a nearby point with
        :func:`refine_limit_cycle`.

    Examples
    --------
    >>> from ratenet import EIModel
    >>> cycle = find_limit_cycle(EIModel(tau_I=50.0))
    >>> cycle.stable
    True
    """
    net = as_network(model)
    if net.n < 2:
        return None  # a one-dimensional flow has no periodic orbit
    tau = np.asarray(net.tau, dtype=float)
    if float(np.max(tau)) > 1e6 * float(np.min(tau)):
        raise ParameterError("tau", tau.tolist(), "time constants within a factor 1e6 of each "
                             "other for the limit-cycle search (the flow is too stiff)")
    if not callable(net.h) and _acyclic(net.weights):
        return None  # feed-forward: each unit in turn is a 1-D autonomous flow, no cycle
    flow = make_flow(net)
    names = tuple(net.names or ())
    if t_search is None:
        t_search = 3000.0 * float(np.max(net.tau))
    t_search = check_positive("t_search", t_search)
    tol = check_positive("tol", tol)
    samples = check_int("samples", samples, minimum=16, maximum=10**7)
    budget = _Budget(check_int("max_returns", max_returns, minimum=1),
                     check_positive("max_seconds", max_seconds))
    if x0 is not None:
        x0 = np.asarray(x0, dtype=float)
        if x0.shape != (net.n,) or not np.all(np.isfinite(x0)):
            raise ParameterError("x0", x0, f"finite initial rates of shape ({net.n},)")
        starts = [x0]
    else:
        starts = _default_starts(net, flow)
    for start in starts:
        cyc = _search_from(flow, start, t_search, tol=tol, samples=samples, names=names,
                           budget=budget)
        if cyc is not None:
            return cyc
        if budget.spent:
            break
    if budget.spent:
        warnings.warn(f"find_limit_cycle stopped: {budget.spent}; no cycle found so far "
                      "(raise max_returns / max_seconds to search longer)", RuntimeWarning,
                      stacklevel=2)
    return None


def _acyclic(W: np.ndarray) -> bool:
    """True when the units' coupling graph (j -> i where ``W[i, j] != 0``, i != j) has no
    cycle.  Such a network has no periodic orbit: order the units so that W is
    triangular; the first obeys a one-dimensional autonomous flow, so if periodic it is
    constant, and then so is the next, and so on."""
    adj = (np.asarray(W) != 0) & ~np.eye(W.shape[0], dtype=bool)
    alive = np.ones(W.shape[0], dtype=bool)
    while alive.any():  # peel off units with no input from the remaining ones
        sources = alive & ~np.any(adj[:, alive], axis=1)
        if not sources.any():
            return False
        alive &= ~sources
    return True


class _Budget:
    """Iteration and wall-clock caps shared by every start of one search."""

    def __init__(self, max_returns: int, max_seconds: float) -> None:
        self.max_returns, self.max_seconds = max_returns, max_seconds
        self.returns = 0
        self.t0 = time.monotonic()
        self.spent = ""

    def tick(self) -> bool:
        """Count one return; True when a cap is reached (the reason kept in ``spent``)."""
        self.returns += 1
        if self.returns >= self.max_returns:
            self.spent = f"max_returns = {self.max_returns} returns to the section"
        elif time.monotonic() - self.t0 > self.max_seconds:
            self.spent = f"max_seconds = {self.max_seconds:g} s"
        return bool(self.spent)

    def out_of_time(self) -> bool:
        """True (and the reason kept) once the wall-clock cap has passed."""
        if not self.spent and time.monotonic() - self.t0 > self.max_seconds:
            self.spent = f"max_seconds = {self.max_seconds:g} s"
        return bool(self.spent)


def _advance_capped(flow, x, t_left: float, budget: _Budget, *, section=None,
                    min_time: float = 0.0):
    """``flow.advance`` in pieces of at most ``100 tau_min``, with the budget's clock
    checked between pieces; the result's ``t`` is the whole time followed.

    An orbit that leaves ``1e3`` times the rate scale (and the start) is reported as
    diverged: it escapes (e.g. linear growth along a zero eigenvalue), no cycle is there.
    """
    import dataclasses

    piece = 100.0 * float(np.min(flow.net.tau))
    escape = 1e3 * max(flow.scale, float(np.max(np.abs(x))), 1.0)
    t_acc = 0.0
    while True:
        step = min(t_left - t_acc, piece)
        res = flow.advance(x, step, section=section, min_time=max(0.0, min_time - t_acc))
        t_acc += res.t
        if res.status == "ok" and not float(np.max(np.abs(res.x))) < escape:
            return dataclasses.replace(res, t=t_acc, status="diverged")
        done = (res.status != "ok" or getattr(res, "hit_section", False)
                or t_acc >= t_left * (1.0 - 1e-12) or res.t <= 0.0)
        if done or budget.out_of_time():
            return dataclasses.replace(res, t=t_acc)
        x = res.x


def _search_from(flow: PiecewiseLinearFlow | SmoothFlow, x0: np.ndarray, t_search: float, *,
                 tol: float, samples: int, names,
                 budget: _Budget | None = None) -> LimitCycle | None:
    if budget is None:  # a caller of its own (e.g. the bifurcation diagram): the defaults
        budget = _Budget(5000, 10.0)
    tau_max = float(np.max(flow.net.tau))
    scale = max(flow.scale, float(np.max(np.abs(x0))))
    # leave the start behind
    pre = _advance_capped(flow, x0, 5.0 * tau_max, budget)
    if pre.status == "diverged":
        return None
    x = pre.x
    t_used = pre.t
    while t_used < t_search:
        f = flow.rhs(x)
        if np.linalg.norm(f) * tau_max < 1e-9 * scale or flow.trapped(x):
            return None  # at, or provably heading into, a stable fixed point
        nrm = f / np.linalg.norm(f)
        p = x.copy()
        prev = p
        T_prev = None
        n_ret = 0
        while t_used < t_search:
            if budget.tick():
                return None
            res = _advance_capped(flow, prev, t_search - t_used, budget, section=(p, nrm),
                                  min_time=0.0 if T_prev is None else 0.5 * T_prev)
            t_used += res.t
            if budget.out_of_time():
                return None
            if res.status == "diverged":
                return None
            if not res.hit_section:
                return None
            n_ret += 1
            step = float(np.linalg.norm(res.x - prev))
            if n_ret >= 2 and step < 1e-2 * scale:
                cyc = _refine(flow, res.x, res.t, tol=tol, samples=samples, names=names)
                if cyc is not None:
                    return cyc
                if step < 1e-9 * scale:
                    return None  # closes on itself but not isolated (a centre)
            if flow.trapped(res.x):
                return None
            prev, T_prev = res.x, res.t
            if n_ret % 50 == 0:
                break  # re-place the section (the orbit may have drifted away from p)
        x = prev
    return None
