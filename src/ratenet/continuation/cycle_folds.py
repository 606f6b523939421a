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
from the exact shooting Jacobian; the derivatives in ``Q`` and of ``g`` by centred
differences.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import ParameterError, as_float
from ._engine import ContinuationError, continue_both
from ._models import ParameterFamily
from ._shooting import ShootingProblem
from .cycles import continue_cycles

__all__ = ["continue_cycle_folds"]


class _FoldSystem:
    def __init__(self, model: Any, param: str, param2: str, n: int, phase_unit: int) -> None:
        self.model, self.param, self.param2 = model, param, param2
        self.n, self.k = n, phase_unit
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

    def g(self, u: np.ndarray, P: float, q: float) -> float:
        Gu = self.problem(q).jacobian_u(u, P)
        if not np.all(np.isfinite(Gu)):
            return float("nan")
        m = Gu.shape[0]
        A = np.zeros((m + 1, m + 1))
        A[:m, :m] = Gu
        A[:m, m] = self.b
        A[m, :m] = self.c
        rhs = np.zeros(m + 1)
        rhs[m] = 1.0
        return float(np.linalg.solve(A, rhs)[m])

    def residual(self, v: np.ndarray, q: float) -> np.ndarray:
        u, P = v[:-1], float(v[-1])
        G = self.problem(q).residual(u, P)
        return np.append(G, self.g(u, P, q))

    def jacobian(self, v: np.ndarray, q: float) -> np.ndarray:
        u, P = v[:-1], float(v[-1])
        m = u.size
        J = np.zeros((m + 1, m + 2))
        J[:m, :m + 1] = self.problem(q).jacobian(u, P)
        hq = 1e-6 * max(1.0, abs(q))
        J[:m, m + 1] = (self.problem(q + hq).residual(u, P)
                        - self.problem(q - hq).residual(u, P)) / (2 * hq)
        scale = 1.0 + np.abs(v)
        for j in range(m + 2):
            h = 1e-6 * (scale[j] if j < m + 1 else max(1.0, abs(q)))
            vp, vm = v.copy(), v.copy()
            qp = qm = q
            if j < m + 1:
                vp[j] += h
                vm[j] -= h
            else:
                qp, qm = q + h, q - h
            J[m, j] = (self.g(vp[:-1], float(vp[-1]), qp)
                       - self.g(vm[:-1], float(vm[-1]), qm)) / (2 * h)
        return J


def continue_cycle_folds(model: Any, param: str, start: float, stop: float, param2: str,
                         start2: float, stop2: float, *, max_steps: int = 400,
                         time_limit: float = 60.0) -> dict[str, Any]:
    """The curve of folds of cycles in the plane of two parameters.

    Parameters
    ----------
    model : EIModel or any model with ``replace`` and ``to_network``
    param, start, stop : str, float, float
        The first parameter ``P`` and the interval where a fold of cycles is sought at
        the model's own value of ``param2`` (by :func:`continue_cycles`).
    param2, start2, stop2 : str, float, float
        The second parameter ``Q``, followed both ways within ``[start2, stop2]``.
    max_steps, time_limit : int, float
        Caps of each half of the curve.

    Returns
    -------
    dict
        ``{"kind": "fold of cycles", P: [...], Q: [...], "period": [...],
        "status": ..., "message": ...}`` with keys named by the two parameters.

    Raises
    ------
    ParameterError
        Bad names or intervals, or no fold of cycles on the branch at the model's value.

    Examples
    --------
    The bistable E-I example: the fold of cycles moves with M_II.

    >>> from ratenet.continuation import bistable_example
    >>> c = continue_cycle_folds(bistable_example(), "tau_I", 50, 70, "M_II", -0.6, -0.4)
    >>> round(c["tau_I"][len(c["tau_I"]) // 2 - 1], 1) > 50.0, c["kind"]
    (True, 'fold of cycles')
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
    system = _FoldSystem(model, param, fam2.name, n, phase_unit=int(np.argmin(res)))
    Gu = system.problem(q0).jacobian_u(u0, f.value)
    U, _s, Vt = np.linalg.svd(Gu)
    system.b, system.c = U[:, -1], Vt[-1]
    # arclength mixes the orbit (Hz), the period and P (ms) with Q: steps sized on the
    # orbit's own scale, so that the curve is not crawled along in units of Q
    ds = 0.01 * max(1.0, float(np.max(np.abs(u0))))
    try:
        curve = continue_both(system.residual, system.jacobian, np.append(u0, f.value), q0,
                              p_min=lo2, p_max=hi2, max_steps=max_steps,
                              time_limit=time_limit, ds=ds, ds_max=20 * ds)
    except ContinuationError as err:
        raise ContinuationError(f"the fold-of-cycles curve could not be followed: {err}"
                                ) from None
    return {"kind": "fold of cycles", branch.param: curve.u[:, -1].tolist(),
            fam2.name: curve.p.tolist(), "period": curve.u[:, -2].tolist(),
            "status": curve.status, "message": curve.message}

