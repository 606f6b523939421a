"""Folds of cycles in two parameters: the curve where a stable and an unstable cycle merge.

A fold of cycles of the one-parameter shooting problem ``G(u; P) = 0`` (``u`` the orbit
point and period, :class:`ratenet.continuation._shooting.ShootingProblem`) is a point
where ``dG/du`` is singular.  With a second parameter ``Q`` the folds form a curve,
followed here by the pseudo-arclength engine on the augmented system

    G(u; P, Q) = 0,    g(u; P, Q) = 0,

with unknowns ``(u, P)`` and ``Q`` as the curve's parameter.  ``g`` is the bordered test
function: ``[[G_u, b], [c^T, 0]] [w, g]^T = [0, 1]^T`` with ``b``, ``c`` the left and right
singular vectors of ``G_u`` at the starting fold, zero exactly where ``G_u`` is singular
and smooth across (unlike ``det G_u``, it is well scaled).  ``dG/du`` and ``dG/dP`` come
from the exact shooting Jacobian, ``dG/dQ`` by centred differences, and the derivatives
of ``g`` from the bordered system itself (``dg = -psi^T (dG_u) w``, the second
derivatives of ``G`` by one centred difference of the shooting Jacobian along ``w``).

The curve stays in the box ``[start, stop] x [start2, stop2]``.  ``Q``, the engine's
parameter, is kept in its interval by the engine (the last point put on the bound).
``P`` is an unknown: past its bounds the residual is not finite, the engine stalls just
inside, and Newton's method in ``(u, Q)`` at ``P`` on the bound puts the end there, so
each end lies on an edge of the box instead of the curve running on in ``P`` until the
time cap.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import ParameterError, as_float
from ._engine import ContinuationError, Curve, continue_curve
from ._models import ParameterFamily
from ._shooting import ShootingProblem
from .cycles import continue_cycles
from .equilibria import _join

__all__ = ["continue_cycle_folds"]


class _FoldSystem:
    def __init__(self, model: Any, param: str, param2: str, n: int, phase_unit: int,
                 p_range: tuple[float, float]) -> None:
        self.model, self.param, self.param2 = model, param, param2
        self.n, self.k = n, phase_unit
        self.p_lo, self.p_hi = p_range
        #: rates beyond which the cycle counts as gone to infinity (the residual is not
        #: finite there, so the engine stops); set from the starting fold
        self.rate_cap = np.inf
        self._problems: dict[float, ShootingProblem] = {}
        self.b: np.ndarray | None = None
        self.c: np.ndarray | None = None

    def problem(self, q: float) -> ShootingProblem:
        q = float(q)
        pr = self._problems.get(q)
        if pr is None:
            fam = ParameterFamily(self.model.replace(**{self.param2: q}), self.param)
            pr = ShootingProblem(fam.network, self.n, phase_unit=self.k)
            if len(self._problems) > 32:
                self._problems.pop(next(iter(self._problems)))
            self._problems[q] = pr
        return pr

    def _bordered(self, Gu: np.ndarray) -> np.ndarray:
        """``[[G_u, b], [c^T, 0]]``."""
        m = Gu.shape[0]
        A = np.zeros((m + 1, m + 1))
        A[:m, :m] = Gu
        A[:m, m] = self.b
        A[m, :m] = self.c
        return A

    def g(self, u: np.ndarray, P: float, q: float) -> float:
        Gu = self.problem(q).jacobian_u(u, P)
        if not np.all(np.isfinite(Gu)):
            return float("nan")
        rhs = np.zeros(Gu.shape[0] + 1)
        rhs[-1] = 1.0
        return float(np.linalg.solve(self._bordered(Gu), rhs)[-1])

    def residual(self, v: np.ndarray, q: float) -> np.ndarray:
        u, P = v[:-1], float(v[-1])
        if not self.p_lo <= P <= self.p_hi:  # past a bound of P: the engine stops there
            return np.full(v.size, np.nan)
        if not float(np.max(np.abs(u[:-1]))) <= self.rate_cap:  # a cycle gone to infinity
            return np.full(v.size, np.nan)
        G = self.problem(q).residual(u, P)
        return np.append(G, self.g(u, P, q))

    def jacobian(self, v: np.ndarray, q: float) -> np.ndarray:
        """``[dR/d(u, P) | dR/dQ]`` of ``R = (G, g)``, shape (m + 1, m + 2).

        The row of ``g``: with ``[w, g]`` the bordered solution and ``[psi, psi_0]`` the
        left one (``[psi, psi_0]^T [[G_u, b], [c^T, 0]] = [0, 1]``), differentiating the
        bordered system gives ``dg = -psi^T (dG_u) w`` (``b``, ``c`` are constants).  The
        second derivatives ``d(G_u w)/du_j = (d/de) G_u(u + e w) e_j`` (symmetry of
        ``G_uu``) and ``d(G_u w)/dP = (d/de) G_P(u + e w)`` come from the shooting
        Jacobian at ``u -+ e w`` (one centred difference for all of them, where
        differencing ``g`` itself would take one per unknown), the ``Q`` derivative from
        ``G_u`` at ``Q -+ h``.
        """
        u, P = v[:-1], float(v[-1])
        m = u.size
        J = np.full((m + 1, m + 2), np.nan)
        pr = self.problem(q)
        JuP = pr.jacobian(u, P)
        J[:m, :m + 1] = JuP
        # small: near a singular region the residual's dependence on Q is very steep
        # (at 1e-6 the column was 1 % off on the E-I curve at rates ~600 Hz)
        hq = 1e-8 * max(1.0, abs(q))
        above, below = self.problem(q + hq), self.problem(q - hq)
        J[:m, m + 1] = (above.residual(u, P) - below.residual(u, P)) / (2 * hq)
        if not np.all(np.isfinite(JuP)):
            return J
        A = self._bordered(JuP[:, :m])
        e = np.zeros(m + 1)
        e[-1] = 1.0
        try:
            w = np.linalg.solve(A, e)[:m]
            psi = np.linalg.solve(A.T, e)[:m]
        except np.linalg.LinAlgError:
            return J
        eps = 1e-6 * (1.0 + float(np.max(np.abs(u)))) / max(float(np.max(np.abs(w))), 1e-300)
        D = (pr.jacobian(u + eps * w, P) - pr.jacobian(u - eps * w, P)) / (2 * eps)
        J[m, :m + 1] = -psi @ D
        DQ = (above.jacobian_u(u, P) - below.jacobian_u(u, P)) / (2 * hq)
        J[m, m + 1] = -psi @ DQ @ w
        return J


def _onto_wall(system: _FoldSystem, y: np.ndarray, t: np.ndarray, bound: float
               ) -> np.ndarray | None:
    """The curve's point on ``P = bound`` next to its point ``y = (u, P, Q)`` (tangent
    ``t``): Newton's method on ``R(u, bound, Q) = 0`` in ``(u, Q)`` from the tangent's
    extrapolation to the bound; None if it does not converge there."""
    z = y.copy()
    if abs(t[-2]) > 1e-12:
        z = y + (bound - y[-2]) / t[-2] * t
    z[-2] = bound
    keep = [j for j in range(z.size) if j != z.size - 2]  # every unknown but P
    with np.errstate(all="ignore"):
        for _ in range(12):
            R = system.residual(z[:-1], float(z[-1]))
            A = system.jacobian(z[:-1], float(z[-1]))[:, keep]
            if not (np.all(np.isfinite(R)) and np.all(np.isfinite(A))):
                return None
            try:
                dz = np.linalg.solve(A, -R)
            except np.linalg.LinAlgError:
                return None
            z[keep] += dz
            if not np.all(np.isfinite(z)) or np.max(np.abs(z - y)) > 0.1 * (
                    1.0 + float(np.max(np.abs(y)))):
                return None
            if np.max(np.abs(dz)) <= 1e-11 * (1.0 + float(np.max(np.abs(z)))):
                R = system.residual(z[:-1], float(z[-1]))
                if np.all(np.isfinite(R)) and np.max(np.abs(R)) <= 1e-8:
                    return z
                return None
    return None


def _one_way(system: _FoldSystem, y0: np.ndarray, direction: int,
             kw: dict[str, Any]) -> tuple[Curve, str]:
    """One half of the curve from ``y0 = (u, P, Q)`` and what ended it (``"bound"`` on
    an edge of the box).

    Past a bound of ``P`` the residual is not finite, so the engine, halving its step,
    stalls just inside (within a few of its smallest steps): that end is put on the
    bound by :func:`_onto_wall`.
    """
    c = continue_curve(system.residual, system.jacobian, y0[:-1], float(y0[-1]),
                       direction=direction, **kw)
    if c.status == "bound":  # on a bound of Q (the engine's parameter)
        side = "lower" if c.p[-1] == kw["p_min"] else "upper"
        c.message = f"reached the {side} bound {system.param2} = {float(c.p[-1]):g}"
    if c.status != "stalled":
        return c, c.status
    lo, hi = system.p_lo, system.p_hi
    P = float(c.u[-1, -1])
    bound = lo if abs(P - lo) <= abs(P - hi) else hi
    y = None
    if abs(P - bound) <= 1e-2 * (hi - lo):  # stalled next to a bound of P
        y = _onto_wall(system, np.append(c.u[-1], c.p[-1]), c.tangent[-1], bound)
    if y is None:
        if float(np.max(np.abs(c.u[-1, :-2]))) >= 0.9 * system.rate_cap:
            # stopped on the rate cap: the orbit grows without bound along the curve
            c.message = (f"the cycle goes to infinity: rates beyond {system.rate_cap:.4g}"
                         f" (rate cap) at {system.param} = {P:.6g}, {system.param2} = "
                         f"{float(c.p[-1]):.6g}")
            return c, "cycle at infinity"
        return c, c.status  # a genuine stall
    u, p, tan = c.u.copy(), c.p.copy(), c.tangent.copy()
    u[-1], p[-1] = y[:-1], y[-1]
    jac = system.jacobian(y[:-1], float(y[-1]))
    _, _, vh = np.linalg.svd(jac)
    tan[-1] = vh[-1] if float(vh[-1] @ tan[-1]) >= 0 else -vh[-1]
    side = "lower" if bound == lo else "upper"
    return Curve(u, p, tan, list(c.events), "bound",
                 f"reached the {side} bound {system.param} = {bound:g}"), "bound"


def continue_cycle_folds(model: Any, param: str, start: float, stop: float, param2: str,
                         start2: float, stop2: float, *, max_steps: int = 400,
                         time_limit: float = 60.0, rate_cap: float | None = None
                         ) -> dict[str, Any]:
    """The curve of folds of cycles in the plane of two parameters.

    Parameters
    ----------
    model : EIModel or any model with ``replace`` and ``to_network``
    param, start, stop : str, float, float
        The first parameter ``P`` and the interval where a fold of cycles is sought at
        the model's own value of ``param2`` (by :func:`continue_cycles`, from the
        model's own cycle: its value of ``param`` must lie in the interval).  The curve
        stays in it: an end that reaches ``start`` or ``stop`` is put on it.
    param2, start2, stop2 : str, float, float
        The second parameter ``Q``, followed both ways within ``[start2, stop2]``.
    max_steps, time_limit : int, float
        Caps of each half of the curve.
    rate_cap : float, optional
        Rates beyond which the cycle counts as gone to infinity: that end stops there
        (``"cycle at infinity"``).  Default: twice the larger of the starting fold's
        largest rate and the model's rate scale.  Lower than :func:`continue_cycles`'
        (ten times): as the orbit grows the input matters less and less, the flow
        tends to a homogeneous one whose cycles come in families of scaled copies, so
        the fold system turns near-singular and the steps shrink (E-I, M_II = -1,
        M_EE -> 1.5: 74 points to twice the start, 108 to three times, 230 to ten).

    Returns
    -------
    dict
        ``{"kind": "fold of cycles", P: [...], Q: [...], "period": [...],
        "status": ..., "message": ..., "ends": [...]}`` with keys named by the two
        parameters.  ``ends`` says what stopped each end (first point, last point):
        ``"bound"`` (an edge of the box, in ``P`` or ``Q``), ``"cycle at infinity"``
        (the orbit's rates reached ``rate_cap``: the cycle grows without bound, as
        where a region's linear system turns singular) or the engine's status
        (``"max_steps"``, ``"time limit"``, ``"stalled"``, ``"closed"``...);
        ``status`` is ``"bound"`` when both ends are, else the other end's.

    Raises
    ------
    ParameterError
        Bad names or intervals, or no fold of cycles on the branch at the model's value.

    Examples
    --------
    The bistable E-I example: the fold of cycles moves with M_II.

    >>> from ratenet.continuation import bistable_example
    >>> c = continue_cycle_folds(bistable_example(), "tau_I", 50, 70, "M_II", -0.6, -0.4)
    >>> round(c["tau_I"][len(c["tau_I"]) // 2 - 1], 1) > 50.0, c["kind"], c["ends"]
    (True, 'fold of cycles', ['bound', 'bound'])
    """
    if not hasattr(model, "replace"):
        raise ParameterError("model", type(model).__name__, "a model with replace()")
    lo2, hi2 = sorted((as_float("start2", start2), as_float("stop2", stop2)))
    if lo2 == hi2:
        raise ParameterError("stop2", stop2, f"different from start2 = {start2!r}")
    fam2 = ParameterFamily(model, param2)
    q0 = float(getattr(model, fam2.name))
    if not lo2 <= q0 <= hi2:
        raise ParameterError("start2", start2, f"an interval holding the model's own {fam2.name}"
                             f" = {q0:g}")
    branch = continue_cycles(model, param, start, stop, time_limit=time_limit)
    folds = branch.points_of("fold of cycles")
    if not folds:
        raise ParameterError("param", param, f"an interval holding a fold of cycles at "
                             f"{fam2.name} = {q0:g} (the branch has none in [{start:g}, "
                             f"{stop:g}])")
    f = folds[0]
    n = f.state.size
    u0 = np.append(f.state, f.period)
    # the phase condition's unit: the one whose derivative vanishes at the stored point
    # (the branch's own choice); the residual there is zero for it
    res = []
    for k in range(n):
        r = ShootingProblem(ParameterFamily(model, param).network, n,
                            phase_unit=k).residual(u0, f.value)
        res.append(float(np.max(np.abs(r))) if np.all(np.isfinite(r)) else np.inf)
    lo, hi = sorted((float(start), float(stop)))
    system = _FoldSystem(model, param, fam2.name, n, phase_unit=int(np.argmin(res)),
                         p_range=(lo, hi))
    Gu = system.problem(q0).jacobian_u(u0, f.value)
    U, _s, Vt = np.linalg.svd(Gu)
    system.b, system.c = U[:, -1], Vt[-1]
    # arclength mixes the orbit (Hz), the period and P (ms) with Q: steps sized on the
    # orbit's own scale, so that the curve is not crawled along in units of Q
    ds = 0.01 * max(1.0, float(np.max(np.abs(u0))))
    # a cycle that grows without bound along the curve (the linear system of a region
    # turning singular: the E-I pair's W - I) stops on a rate cap set from the start
    x_ref = max(1.0, float(np.max(np.abs(f.state))))
    if rate_cap is None:
        system.rate_cap = 2.0 * max(x_ref, float(system.problem(q0).flow(f.value).scale))
    else:
        system.rate_cap = as_float("rate_cap", rate_cap)
        if not system.rate_cap > x_ref:
            raise ParameterError("rate_cap", rate_cap, f"a rate above the starting fold's "
                                 f"largest rate {x_ref:g}")
    ds_max = 20 * ds
    # the smallest step bounds how close the engine creeps to a bound of P (where the
    # residual stops being finite) before the end is put on it by Newton's method; the
    # step grows after corrections of up to 5 Newton iterations (this system takes 4-5
    # throughout, so the engine's usual 3 kept the first step all along the curve)
    kw: dict[str, Any] = dict(p_min=lo2, p_max=hi2, max_steps=max_steps,
                              time_limit=time_limit, ds=ds, ds_max=ds_max,
                              ds_min=1e-5 * ds_max, grow_newton=5)
    y0 = np.append(np.append(u0, f.value), q0)
    try:
        up, end_up = _one_way(system, y0, 1, kw)
        if up.status == "closed":
            curve, ends = up, ("closed", "closed")
        else:
            y1 = np.append(up.u[0], up.p[0])
            down, end_down = _one_way(system, y1, -1, kw)
            curve, ends = _join(down.reversed(), up), (end_down, end_up)
    except ContinuationError as err:
        raise ContinuationError(f"the fold-of-cycles curve could not be followed: {err}"
                                ) from None
    status = next((e for e in ends if e != "bound"), "bound")
    message = up.message if ends[0] == "closed" else f"{down.message}; {up.message}"
    return {"kind": "fold of cycles", branch.param: curve.u[:, -1].tolist(),
            fam2.name: curve.p.tolist(), "period": curve.u[:, -2].tolist(),
            "status": status, "message": message, "ends": list(ends)}
