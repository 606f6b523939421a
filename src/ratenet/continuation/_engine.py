"""Pseudo-arclength continuation of a curve ``F(u, p) = 0`` with ``F: R^n x R -> R^n``.

The engine knows nothing about rate models: equilibria, periodic orbits and the
augmented systems of two-parameter curves all hand it a residual and its Jacobian.

One step (Keller's pseudo-arclength method, as in AUTO and MatCont):

1. predictor ``y_pred = y + ds t`` along the unit tangent ``t`` (the null vector of
   ``[dF/du | dF/dp]``, oriented as the previous one);
2. corrector: Newton on ``F(y) = 0``, ``t . (y - y_pred) = 0`` (the bordered system is
   regular at folds, so the curve is followed round them);
3. step control: halve ``ds`` when Newton fails, when the correction is large compared
   with the step or when the tangent turns sharply; grow it by 1.3 after easy steps.

Test functions mark special points: a sign change between two points is located by
Brent's method on the step length, each trial point corrected onto the curve, so a
located point satisfies ``F = 0`` to the Newton tolerance and lies on the curve.
A test function flagged ``kink`` marks where the Jacobian of ``F`` jumps (a region
border of a piecewise-linear system): there the engine stops, takes the tangent of the
region across, and orients it so that the curve goes on crossing the border. A curve
whose parameter turns back at such a point has a *non-smooth fold*, which the smooth
machinery would miss or stall on.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from .._validation import ParameterError, as_float

__all__ = ["ContinuationError", "Curve", "CurveEvent", "TestFunction", "continue_both",
           "continue_curve"]

Residual = Callable[[np.ndarray, float], np.ndarray]
Jacobian = Callable[[np.ndarray, float], np.ndarray]


class ContinuationError(RuntimeError):
    """The continuation could not be carried out (a failed correction, a singular start)."""


@dataclass(frozen=True)
class TestFunction:
    """A scalar function on the curve whose zeros are special points.

    Parameters
    ----------
    name : str
        Label of the points it finds (``"hopf"``, ``"border E"``...).
    value : callable ``(u, p) -> float``
    kink : bool, default False
        True where the Jacobian of the residual is discontinuous across the zero set
        (a threshold of a threshold-linear unit).
    """

    name: str
    value: Callable[[np.ndarray, float], float]
    kink: bool = False
    __test__ = False  # not a pytest test class, despite the name


@dataclass
class CurveEvent:
    """A located zero of a test function.

    ``index`` is the position of the event's own point in :attr:`Curve.u`.
    ``tangent[-1]`` is ``dp/ds`` on arrival; for a kink ``tangent_after`` is the
    tangent the curve leaves with (its ``[-1]`` of the other sign at a non-smooth fold).
    """

    name: str
    index: int
    u: np.ndarray
    p: float
    tangent: np.ndarray
    tangent_after: np.ndarray | None = None

    @property
    def turns(self) -> bool:
        """True if ``dp/ds`` changes sign across this (kink) event: a non-smooth fold."""
        if self.tangent_after is None:
            return False
        return bool(self.tangent[-1] * self.tangent_after[-1] < 0)


@dataclass
class Curve:
    """Points of a continued curve in order of arclength.

    Attributes
    ----------
    u : ndarray (K, n)
    p : ndarray (K,)
    tangent : ndarray (K, n + 1)
        Unit tangents ``(du/ds, dp/ds)``.
    events : list of CurveEvent
        Located special points (each also a point of the curve).
    status : str
        Why it stopped: ``"bound"``, ``"closed"``, ``"diverged"``, ``"stalled"``,
        ``"max_steps"`` or ``"time limit"``.
    message : str
        The same, in one sentence for users.
    """

    u: np.ndarray
    p: np.ndarray
    tangent: np.ndarray
    events: list[CurveEvent] = field(default_factory=list)
    status: str = "bound"
    message: str = ""

    def __len__(self) -> int:
        return int(self.p.size)

    def reversed(self) -> Curve:
        """The same curve traversed the other way (tangents and event indices flipped)."""
        K = len(self)
        ev = [CurveEvent(e.name, K - 1 - e.index, e.u, e.p,
                         -(e.tangent_after if e.tangent_after is not None else e.tangent),
                         None if e.tangent_after is None else -e.tangent)
              for e in reversed(self.events)]
        return Curve(self.u[::-1].copy(), self.p[::-1].copy(), -self.tangent[::-1],
                     ev, self.status, self.message)


def _tangent(J: np.ndarray, prev: np.ndarray | None) -> np.ndarray:
    """Unit null vector of ``J`` (n, n+1), oriented along ``prev`` when given."""
    t: np.ndarray | None = None
    if prev is not None:
        A = np.vstack([J, prev[None, :]])
        rhs = np.zeros(J.shape[1])
        rhs[-1] = 1.0
        try:
            t = np.linalg.solve(A, rhs)
        except np.linalg.LinAlgError:
            t = None
        if t is not None and not np.all(np.isfinite(t)):
            t = None
    if t is None:
        _, _, vh = np.linalg.svd(J)
        t = vh[-1]
    t = t / np.linalg.norm(t)
    if prev is not None and float(t @ prev) < 0:
        t = -t
    return t


@dataclass
class _Setup:
    residual: Residual
    jacobian: Jacobian
    n: int
    tol: float
    max_newton: int

    def F(self, y: np.ndarray) -> np.ndarray:
        return np.asarray(self.residual(y[:-1], float(y[-1])), dtype=float)

    def J(self, y: np.ndarray) -> np.ndarray:
        return np.asarray(self.jacobian(y[:-1], float(y[-1])), dtype=float)

    def correct(self, y_pred: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, int] | None:
        """Newton on ``F(y) = 0, t.(y - y_pred) = 0``; None if it does not converge."""
        y = y_pred.copy()
        with np.errstate(all="ignore"):
            for it in range(1, self.max_newton + 1):
                Fy = self.F(y)
                if not np.all(np.isfinite(Fy)):
                    return None
                g = np.append(Fy, t @ (y - y_pred))
                A = np.vstack([self.J(y), t[None, :]])
                if not np.all(np.isfinite(A)):
                    return None
                try:
                    dy = np.linalg.solve(A, -g)
                except np.linalg.LinAlgError:
                    return None
                if not np.all(np.isfinite(dy)):
                    return None
                y = y + dy
                if np.max(np.abs(dy)) <= self.tol * (1.0 + np.max(np.abs(y))):
                    Fy = self.F(y)
                    if np.all(np.isfinite(Fy)) and np.max(np.abs(Fy)) <= 1e3 * self.tol * (
                            1.0 + np.max(np.abs(y))):
                        return y, it
                    return None
        return None


def _start_point(s: _Setup, u0: np.ndarray, p0: float) -> np.ndarray:
    """Newton on ``F(u, p0) = 0`` (least squares steps, so a fold start works)."""
    u = u0.astype(float).copy()
    with np.errstate(all="ignore"):
        for _ in range(4 * s.max_newton):
            Fu = np.asarray(s.residual(u, p0), dtype=float)
            if not np.all(np.isfinite(Fu)):
                break
            if np.max(np.abs(Fu)) <= 1e2 * s.tol * (1.0 + np.max(np.abs(u))):
                return np.append(u, p0)
            Ju = np.asarray(s.jacobian(u, p0), dtype=float)[:, :-1]
            du = np.linalg.lstsq(Ju, -Fu, rcond=None)[0]
            if not np.all(np.isfinite(du)):
                break
            u = u + du
    raise ContinuationError(
        f"the starting point is not a solution at p = {p0:g}: Newton's method did not "
        f"converge from it (residual {float(np.max(np.abs(s.residual(u0, p0)))):.3g})")


def continue_curve(residual: Residual, jacobian: Jacobian, u0: np.ndarray | Sequence[float],
                   p0: float, *, p_min: float, p_max: float, direction: int = 1,
                   ds: float | None = None, ds_min: float | None = None,
                   ds_max: float | None = None, max_steps: int = 2000, tol: float = 1e-10,
                   max_newton: int = 12, tests: Sequence[TestFunction] = (),
                   u_max: float = 1e8, time_limit: float = 60.0,
                   closed: bool = True,
                   ds_cap: Callable[[np.ndarray, float], float] | None = None,
                   grow_newton: int = 3) -> Curve:
    """Follow the solution curve of ``F(u, p) = 0`` through ``(u0, p0)``.

    Parameters
    ----------
    residual : callable ``(u, p) -> (n,)``
    jacobian : callable ``(u, p) -> (n, n + 1)``
        ``[dF/du | dF/dp]``.
    u0 : array_like (n,)
        A solution (or a close guess) at ``p0``; corrected by Newton's method first.
    p0 : float
        Starting parameter value, inside ``[p_min, p_max]``.
    p_min, p_max : float
        The curve is followed until the parameter leaves this interval; the last
        point is placed on the bound.
    direction : {+1, -1}
        Sign of ``dp/ds`` at the start.
    ds, ds_min, ds_max : float, optional
        Initial, smallest and largest arclength step; defaults ``1e-2 L``,
        ``1e-10 ds_max`` and ``0.1 L`` with ``L = max(1, p_max - p_min)``.
    max_steps : int, default 2000
    tol : float, default 1e-10
        Newton tolerance (relative to ``1 + |y|``).
    max_newton : int, default 12
    tests : sequence of TestFunction
        Special points to locate.
    u_max : float, default 1e8
        ``|u|`` beyond which the curve is declared diverged.
    time_limit : float, default 60
        Seconds of wall time before stopping with status ``"time limit"``.
    closed : bool, default True
        Stop when the curve comes back to its start (status ``"closed"``).
    ds_cap : callable ``(u, p) -> float``, optional
        Largest step at a point, where it should grow along the curve (never below
        ``ds_max``): a solution that grows without bound (an equilibrium going to
        infinity) has a curve of infinite arclength, which a fixed cap can only crawl
        along; a cap proportional to the solution's size reaches ``u_max`` in a number
        of steps logarithmic in it.
    grow_newton : int, default 3
        The step grows (by 1.3, up to its cap) after a correction that took at most this
        many Newton iterations; a system whose corrections take one more throughout would
        otherwise keep its first step all along the curve.

    Returns
    -------
    Curve

    Examples
    --------
    The unit circle ``u^2 + p^2 = 1`` is followed round its two folds and closes:

    >>> import numpy as np
    >>> F = lambda u, p: np.array([u[0] ** 2 + p ** 2 - 1])
    >>> J = lambda u, p: np.array([[2 * u[0], 2 * p]])
    >>> fold = TestFunction("fold", lambda u, p: u[0])
    >>> c = continue_curve(F, J, [1.0], 0.0, p_min=-2, p_max=2, tests=[fold], ds=0.1)
    >>> c.status, [round(e.p, 12) for e in c.events]
    ('closed', [1.0, -1.0])
    """
    p0 = as_float("p0", p0)
    p_min, p_max = as_float("p_min", p_min), as_float("p_max", p_max)
    if not p_min < p_max:
        raise ParameterError("p_min", p_min, f"< p_max = {p_max:g}")
    if not p_min <= p0 <= p_max:
        raise ParameterError("p0", p0, f"inside [p_min, p_max] = [{p_min:g}, {p_max:g}]")
    if direction not in (1, -1):
        raise ParameterError("direction", direction, "+1 or -1")
    u0 = np.atleast_1d(np.asarray(u0, dtype=float))
    if u0.ndim != 1 or not np.all(np.isfinite(u0)):
        raise ParameterError("u0", u0, "a finite 1-d array")
    L = max(1.0, p_max - p_min)
    ds_max = 0.1 * L if ds_max is None else as_float("ds_max", ds_max)
    ds = min(1e-2 * L, ds_max) if ds is None else min(as_float("ds", ds), ds_max)
    ds_min = 1e-10 * ds_max if ds_min is None else as_float("ds_min", ds_min)
    if not 0 < ds_min <= ds <= ds_max:
        raise ParameterError("ds", ds, f"with 0 < ds_min <= ds <= ds_max ({ds_min:g}, {ds_max:g})")

    s = _Setup(residual, jacobian, u0.size, tol, max_newton)
    y = _start_point(s, u0, p0)
    t = _tangent(s.J(y), None)
    if t[-1] * direction < 0 or (t[-1] == 0 and t[0] < 0):
        t = -t

    ys, ts = [y], [t]
    events: list[CurveEvent] = []
    tvals = [float(f.value(y[:-1], y[-1])) for f in tests]
    y_start, arc = y.copy(), 0.0
    status, message = "max_steps", f"stopped after max_steps = {max_steps} steps"
    t_end = time.monotonic() + time_limit

    xtol = 1e-13

    def locate(y0: np.ndarray, t0: np.ndarray, h: float, g: Callable[[np.ndarray], float],
               g0: float, g1: float, side: float | None = None) -> np.ndarray | None:
        """Point of the curve within the step ``h`` from ``y0`` where ``g`` is zero.

        With ``side`` (the sign of ``g`` at ``y0``, for a kink), a trial point whose
        correction fails or lands across the border counts as across, so the border is
        found from the side the curve comes from, whatever lies beyond it.
        """
        cache: dict[float, np.ndarray] = {}

        def at(sig: float) -> float:
            if sig <= 0:
                return g0
            r = s.correct(y0 + sig * t0, t0)
            if r is not None:
                v = g(r[0])
                if side is None or v * side > 0:
                    cache[sig] = r[0]
                    return v
            elif side is None:
                raise ContinuationError("correction failed while locating a special point")
            return -side if g1 * side > 0 else g1

        try:
            sig = brentq(at, 0.0, h, xtol=xtol * (1.0 + float(np.max(np.abs(y0)))),
                         rtol=1e-15, maxiter=200)
        except (ValueError, RuntimeError, ContinuationError):
            return None
        if sig in cache:
            return cache[sig]
        r = s.correct(y0 + sig * t0, t0)
        return None if r is None else r[0]

    def value(k: int, yy: np.ndarray) -> float:
        return float(tests[k].value(yy[:-1], yy[-1]))

    kinks = [k for k, f in enumerate(tests) if f.kink]
    step = 0
    while step < max_steps:
        step += 1
        if time.monotonic() > t_end:
            status, message = "time limit", f"stopped at the time limit ({time_limit:g} s)"
            break
        y, t = ys[-1], ts[-1]
        if ds_cap is not None:  # a step grown where the solution was larger shrinks back
            ds = min(ds, max(ds_max, float(ds_cap(y[:-1], float(y[-1])))))
        y_pred = y + ds * t
        res = s.correct(y_pred, t)
        # a threshold ahead, on the predictor or the corrected point?
        crossing = []
        for k in kinks:
            a = tvals[k]
            if a == 0 or not math.isfinite(a):
                continue
            b_pred = value(k, y_pred)
            b_new = value(k, res[0]) if res is not None else b_pred
            if a * b_pred < 0 or a * b_new < 0:
                b = b_pred if a * b_pred < 0 else b_new
                yb = locate(y, t, ds, functools.partial(value, k), a, b,
                            side=math.copysign(1, a))
                if yb is not None:
                    crossing.append((float(t @ (yb - y)), k, yb))
        if crossing:
            _sig, kb, yb = min(crossing, key=lambda e: e[0])
            _record_events(s, tests, [k for k in range(len(tests)) if k not in kinks], tvals,
                           y, t, yb, locate, value, ys, ts, events)
            tb = _tangent(s.J(yb), t)
            ev = CurveEvent(tests[kb].name, len(ys), yb[:-1].copy(), float(yb[-1]), tb)
            ev.tangent_after = _far_tangent(s, yb, t, tests[kb])
            events.append(ev)
            ys.append(yb)
            ts.append(ev.tangent_after)
            delta = 1e-7 * (1.0 + float(np.max(np.abs(yb))))
            probe = yb + delta * ev.tangent_after
            # the crossed test, and any other on its zero set here (several units reaching
            # their thresholds together), take their sign from just beyond the point
            near = 1e-9 * (1.0 + float(np.max(np.abs(yb))))
            tvals = [value(k, probe) if (k == kb or (k in kinks and abs(value(k, yb)) <= near))
                     else value(k, yb) for k in range(len(tests))]
            arc += float(np.linalg.norm(yb - y))
            if not _inside(yb, p_min, p_max):
                ys, ts, status, message = _clip(s, ys, ts, y, t, p_min, p_max, locate, events)
                break
            continue
        ok = res is not None
        if res is not None:
            y_new, its = res
            t_new = _tangent(s.J(y_new), t)
            dist = float(np.linalg.norm(y_new - y_pred))
            if ds > ds_min * 2 and (float(t_new @ t) < 0.8 or dist > 0.3 * ds):
                ok = False
        if not ok:
            if ds > ds_min * 2:
                ds = max(ds / 2, ds_min)
                continue
            if res is None:
                status = "stalled"
                message = (f"stalled at p = {y[-1]:.6g}: no solution found within the "
                           f"smallest step ({ds_min:.2g})")
                break
        y_new, its = res  # type: ignore[misc]
        smooth = [k for k in range(len(tests)) if k not in kinks]
        new_vals = _record_events(s, tests, smooth, tvals, y, t, y_new, locate, value, ys, ts,
                                  events)
        for k in kinks:
            new_vals[k] = value(k, y_new)
        ys.append(y_new)
        ts.append(t_new)
        tvals = new_vals
        arc += float(np.linalg.norm(y_new - y))
        if its <= grow_newton:
            cap = ds_max if ds_cap is None else max(ds_max, float(ds_cap(y_new[:-1],
                                                                         float(y_new[-1]))))
            ds = min(ds * 1.3, cap)
        if not _inside(y_new, p_min, p_max):
            ys, ts, status, message = _clip(s, ys, ts, y, t, p_min, p_max, locate, events)
            break
        if np.max(np.abs(y_new[:-1])) > u_max:
            status = "diverged"
            message = f"the solution grew beyond {u_max:g} at p = {y_new[-1]:.6g}"
            break
        if closed and len(ys) > 4 and arc > 3 * ds and float(t_new @ ts[0]) > 0.5:
            seg = y_new - y
            w = min(1.0, max(0.0, float(seg @ (y_start - y)) / float(seg @ seg)))
            if np.linalg.norm(y + w * seg - y_start) <= 0.25 * ds:
                ys[-1], ts[-1] = y_start.copy(), ts[0].copy()
                events = [e for e in events if e.index < len(ys) - 1]
                status, message = "closed", "the curve closed on itself"
                break
    Y, T = np.array(ys), np.array(ts)
    return Curve(Y[:, :-1], Y[:, -1].copy(), T, events, status, message)


def _record_events(s: _Setup, tests: Sequence[TestFunction], which: list[int],
                   tvals: list[float], y: np.ndarray, t: np.ndarray, y_end: np.ndarray,
                   locate, value, ys: list[np.ndarray], ts: list[np.ndarray],
                   events: list[CurveEvent]) -> list[float]:
    """Locate the zeros of the tests ``which`` between ``y`` and ``y_end``, in order.

    Appends them as points and events; returns every test's value at ``y_end``.
    """
    h = float(t @ (y_end - y))
    new_vals = [value(k, y_end) for k in range(len(tests))]
    found = []
    for k in which:
        a, b = tvals[k], new_vals[k]
        if not (math.isfinite(a) and math.isfinite(b)) or a * b > 0 or a == 0:
            continue
        yl = y_end if b == 0 else locate(y, t, h, functools.partial(value, k), a, b)
        if yl is not None:
            found.append((float(t @ (yl - y)), k, yl))
    for _sig, k, yl in sorted(found, key=lambda e: e[0]):
        tl = _tangent(s.J(yl), t)
        events.append(CurveEvent(tests[k].name, len(ys), yl[:-1].copy(), float(yl[-1]), tl))
        ys.append(yl)
        ts.append(tl)
    return new_vals


def _inside(y: np.ndarray, p_min: float, p_max: float) -> bool:
    return bool(p_min <= y[-1] <= p_max)


def _clip(s: _Setup, ys: list[np.ndarray], ts: list[np.ndarray], y: np.ndarray,
          t: np.ndarray, p_min: float, p_max: float, locate, events: list[CurveEvent]):
    """Replace the last point (beyond a bound) by the curve's point on the bound."""
    y_out = ys[-1]
    bound = p_max if y_out[-1] > p_max else p_min
    ys.pop()
    ts.pop()
    # special points found in this last step beyond the bound go too
    while len(ys) > 1 and not _inside(ys[-1], p_min, p_max):
        ys.pop()
        ts.pop()
    while events and events[-1].index >= len(ys):
        events.pop()
    h = float(t @ (y_out - y)) if float(t @ (y_out - y)) > 0 else float(np.linalg.norm(y_out - y))
    yb = locate(y, t, h, lambda yy: float(yy[-1] - bound), float(y[-1] - bound),
                float(y_out[-1] - bound))
    if yb is None:  # fall back on the linear interpolation of the last step
        w = (bound - y[-1]) / (y_out[-1] - y[-1])
        yb = y + w * (y_out - y)
    yb[-1] = bound
    ys.append(yb)
    ts.append(_tangent(s.J(yb), t))
    side = "upper" if bound == p_max else "lower"
    return ys, ts, "bound", f"reached the {side} bound p = {bound:g}"


def _far_tangent(s: _Setup, yb: np.ndarray, t: np.ndarray, f: TestFunction) -> np.ndarray:
    """Tangent of the curve beyond the border ``f = 0`` at ``yb``."""
    delta = 1e-7 * (1.0 + float(np.max(np.abs(yb))))
    across = yb + delta * t
    t_b = _tangent(s.J(across), None)
    g_across = float(f.value(across[:-1], across[-1]))
    g_b = float(f.value(*_split(yb + delta * t_b)))
    if g_b * g_across < 0:
        t_b = -t_b
    elif g_b == 0 and float(t_b @ t) < 0:
        t_b = -t_b
    return t_b


def _split(y: np.ndarray) -> tuple[np.ndarray, float]:
    return y[:-1], float(y[-1])


def continue_both(residual: Residual, jacobian: Jacobian, u0: np.ndarray | Sequence[float],
                  p0: float, **kwargs) -> Curve:
    """Continue from ``(u0, p0)`` both ways and join the halves into one curve.

    The result runs from the end reached with ``dp/ds < 0`` at the start to the end
    reached with ``dp/ds > 0``; its status and message are those of the second half
    (a closed curve is returned once, from the first run).
    """
    kwargs.pop("direction", None)
    up = continue_curve(residual, jacobian, u0, p0, direction=1, **kwargs)
    if up.status == "closed":
        return up
    down = continue_curve(residual, jacobian, up.u[0], float(up.p[0]), direction=-1, **kwargs)
    back = down.reversed()
    K = len(back) - 1  # the shared start point is kept once (from `up`)
    ev = [e for e in back.events if e.index < K]
    ev += [CurveEvent(e.name, e.index + K, e.u, e.p, e.tangent, e.tangent_after)
           for e in up.events]
    status = up.status if up.status != "bound" else down.status
    msg = up.message if up.status != "bound" else down.message
    if up.status == "bound" and down.status == "bound":
        msg = "reached both bounds"
    return Curve(np.vstack([back.u[:-1], up.u]), np.concatenate([back.p[:-1], up.p]),
                 np.vstack([back.tangent[:-1], up.tangent]), ev, status, msg)
