"""Continuation of equilibria of rate networks in one parameter, with special points.

An equilibrium of ``tau_i dx_i/dt = -x_i + f(sum_j W_ij x_j + h_i)`` solves
``G(x, p) = -x + f(W(p) x + h(p)) = 0``; the time constants do not move it (they
enter the stability only).  :func:`continue_equilibria` follows every branch of such
solutions through an interval of one parameter with the pseudo-arclength engine of
:mod:`ratenet.continuation._engine`:

* **threshold-linear** transfer: ``G = -x + [A x + b]_+`` (``A = g W``,
  ``b = g (h - threshold)``) is exact and linear inside each region of fixed active
  set, so its Jacobian is exact there; the input ``(A x + b)_i`` of every unit is a
  *kink* test function, so each crossing of a threshold is located as a
  **border collision**; where ``dp/ds`` changes sign there the branch turns back
  (``fold: true``, a non-smooth fold: two equilibria meet on the border and vanish).
  A Hopf point inside a region is a **linear centre** (kind ``"non-smooth Hopf
  (linear centre)"``): the linear flow there is a continuum of closed orbits and the
  limit cycle is born at finite amplitude, not from zero as in the smooth case.
* **smooth** transfer (anything with ``derivative``): analytic Jacobian
  ``-I + diag f'(u) W``; **folds** where ``det dG/dx`` changes sign (told apart from
  branch points by the sign of ``dp/ds`` on either side), **Hopf** points where the
  bialternate-product determinant ``det(2 J (.) I) = prod_{i<j} (lambda_i + lambda_j)``
  changes sign and a complex pair is on the imaginary axis (a real pair ``lambda,
  -lambda`` is a neutral saddle, not reported).

Every point of every branch stores the eigenvalues of the full Jacobian
``J = diag(1/tau) dG/dx`` (time constants included), its type and stability.  A
parameter such as ``tau_I`` that does not move the equilibrium gives a branch that is
a straight line in ``(p, x)`` with ``x`` constant; its Hopf test still varies.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._json import json_safe as _json_safe
from .._validation import ParameterError, as_float, check_int
from ..analysis.fixed_points import classify_eigenvalues
from ._engine import ContinuationError, Curve, CurveEvent, TestFunction, continue_curve
from ._models import ParameterFamily

__all__ = [
    "EquilibriumBranch",
    "EquilibriumBranches",
    "EquilibriumSystem",
    "SpecialPoint",
    "continue_equilibria",
    "pair_product",
]

#: Units enumerated exhaustively for threshold-linear seeds (2^n supports).
_MAX_ENUMERATED = 16
#: Steps per segment of a branch (see _follow).
_SEGMENT = 40


def _pairs(lam: np.ndarray) -> list[list[float]]:
    return [[float(z.real), float(z.imag)] for z in lam]


def _sorted_eigs(J: np.ndarray) -> np.ndarray:
    lam = np.linalg.eigvals(J)
    return lam[np.lexsort((-lam.imag, -lam.real))]


def pair_product(lam: np.ndarray) -> float:
    """Sign-preserving normalised ``prod_{i<j} (lambda_i + lambda_j)``.

    The product is ``det(2 J (.) I)`` (the bialternate product): real, a polynomial
    in the entries of ``J``, and zero exactly when two eigenvalues sum to zero (a
    complex pair on the imaginary axis: Hopf; or a real pair ``+-lambda``: neutral
    saddle).  Each factor is divided by ``|lambda_i| + |lambda_j|`` and the result is
    the geometric mean of the factors' magnitudes with the product's sign, so it
    stays in ``[-1, 1]`` and neither overflows nor underflows for large ``n``.
    For ``n = 2`` it has the sign of the trace.

    Examples
    --------
    >>> pair_product([-1.0, 0.5 + 2j, 0.5 - 2j]) > 0  # an unstable pair: Re > 0
    True
    >>> pair_product([-1.0, 2j, -2j])  # a pair on the imaginary axis: Hopf
    0.0
    """
    lam = np.asarray(lam, dtype=complex)
    n = lam.size
    if n < 2:
        return 1.0
    i, j = np.triu_indices(n, 1)
    s = lam[i] + lam[j]
    w = np.abs(lam[i]) + np.abs(lam[j])
    f = s / np.where(w > 0, w, 1.0)
    mag = np.abs(f)
    if np.any(mag == 0):
        return 0.0
    sign = float(np.real(np.prod(f / mag)))
    return math.copysign(float(np.exp(np.mean(np.log(mag)))), sign)


class EquilibriumSystem:
    """Residual ``G(x, p)``, its Jacobian ``[dG/dx | dG/dp]`` and stability.

    Parameters
    ----------
    family : ParameterFamily
    """

    def __init__(self, family: ParameterFamily, p_ref: float) -> None:
        self.family = family
        net = family.network(p_ref)
        self.n = net.n
        self.names: tuple[str, ...] = tuple(net.names or ())
        self.pl = family.piecewise_linear(p_ref)
        self._last: tuple[float, bytes, np.ndarray] | None = None

    # -- threshold-linear inputs (cached: every border test asks for them)
    def inputs(self, x: np.ndarray, p: float) -> np.ndarray:
        """``A x + b`` (threshold-linear) or ``W x + h`` (smooth), shape (n,)."""
        key = x.tobytes()
        if self._last is not None and self._last[0] == p and self._last[1] == key:
            return self._last[2]
        if self.pl:
            A, b = self.family.affine(p)
            u = A @ x + b
        else:
            u = self.family.network(p).input_current(0.0, x)
        self._last = (p, key, u)
        return u

    def safe_residual(self, x: np.ndarray, p: float) -> np.ndarray:
        """:meth:`residual`, not finite where the model refuses ``p`` (the engine's
        predictor may step just past the interval)."""
        try:
            return self.residual(x, p)
        except (ParameterError, ValueError):
            return np.full(self.n, np.nan)

    def safe_jacobian(self, x: np.ndarray, p: float) -> np.ndarray:
        try:
            return self.jacobian(x, p)
        except (ParameterError, ValueError):
            return np.full((self.n, self.n + 1), np.nan)

    def residual(self, x: np.ndarray, p: float) -> np.ndarray:
        u = self.inputs(x, p)
        if self.pl:
            return -x + np.maximum(u, 0.0)
        return -x + self.family.network(p).transfer(u)

    def region_residual(self, x: np.ndarray, p: float, active: np.ndarray) -> np.ndarray:
        """``G`` with the active set held fixed (threshold-linear; smooth: ``G``)."""
        if not self.pl:
            return self.residual(x, p)
        A, b = self.family.affine(p)
        return -x + np.asarray(active, dtype=float) * (A @ x + b)

    def polish(self, name: str, x: np.ndarray, p: float) -> tuple[np.ndarray, float]:
        """The special point of test ``name`` near ``(x, p)``, solved to rounding.

        ``border U``: ``G_D = 0`` and ``u_U = 0``; ``hopf``: ``G = 0`` and the real part
        of the complex pair nearest the imaginary axis ``= 0``; ``fold``: ``G = 0`` and
        ``det dG/dx = 0``.  Returns the input unchanged where Newton fails.
        """
        D = self.inputs(x, p) > 0
        fun = None
        if name.startswith("border "):
            i = self.names.index(name[len("border "):])
            D[i] = False

            def fun(y):
                return np.append(self.region_residual(y[:-1], y[-1], D),
                                 self.inputs(y[:-1], y[-1])[i])
        elif name == "hopf":
            def fun(y):
                lam = np.linalg.eigvals(self.full_jacobian(y[:-1], y[-1], D if self.pl
                                                           else None))
                up = lam[lam.imag > 0]
                re = float(up[np.argmin(np.abs(up.real))].real) if up.size else np.nan
                return np.append(self.region_residual(y[:-1], y[-1], D), re)
        elif name == "fold":
            def fun(y):
                return np.append(self.residual(y[:-1], y[-1]),
                                 np.linalg.det(self.state_jacobian(y[:-1], y[-1])))
        if fun is None:
            return x, p
        try:
            y = newton_polish(fun, np.append(x, p))
        except (ParameterError, ValueError):
            y = None
        if y is None:
            return x, p
        return y[:-1], float(y[-1])

    def _affine_flat(self, p: float) -> np.ndarray:
        A, b = self.family.affine(p)
        return np.concatenate([A.ravel(), b])

    def state_jacobian(self, x: np.ndarray, p: float,
                       active: np.ndarray | None = None) -> np.ndarray:
        """``dG/dx`` (n, n); ``active`` overrides the region (threshold-linear)."""
        n = self.n
        if self.pl:
            A, _ = self.family.affine(p)
            D = (self.inputs(x, p) > 0) if active is None else np.asarray(active, dtype=bool)
            return D[:, None] * A - np.eye(n)
        net = self.family.network(p)
        gain = net.transfer.derivative(self.inputs(x, p))
        return np.asarray(gain)[:, None] * net.weights - np.eye(n)

    def jacobian(self, x: np.ndarray, p: float) -> np.ndarray:
        """``[dG/dx | dG/dp]``, shape (n, n + 1)."""
        n = self.n
        out = np.empty((n, n + 1))
        out[:, :n] = self.state_jacobian(x, p)
        if self.pl:
            d = self.family.derivative(self._affine_flat, p)
            dA, db = d[:n * n].reshape(n, n), d[n * n:]
            D = self.inputs(x, p) > 0
            out[:, n] = D * (dA @ x + db)
        else:
            out[:, n] = self.family.derivative(lambda q: self.residual(x, q), p)
        return out

    def full_jacobian(self, x: np.ndarray, p: float,
                      active: np.ndarray | None = None) -> np.ndarray:
        """Jacobian of the dynamics ``diag(1/tau) dG/dx`` (time constants included)."""
        tau = np.asarray(self.family.network(p).tau, dtype=float)
        return self.state_jacobian(x, p, active) / tau[:, None]

    # -- test functions
    def hopf_value(self, x: np.ndarray, p: float) -> float:
        return pair_product(np.linalg.eigvals(self.full_jacobian(x, p)))

    def fold_value(self, x: np.ndarray, p: float) -> float:
        M = self.state_jacobian(x, p)
        sign, logdet = np.linalg.slogdet(M)
        if sign == 0:
            return 0.0
        lognorm = float(np.sum(np.log(np.maximum(np.linalg.norm(M, axis=1), 1e-300))))
        return float(sign) * math.exp((logdet - lognorm) / self.n)

    def border_tol(self, x: np.ndarray, p: float) -> float:
        """Inputs this close to zero count as on the threshold (units crossing together)."""
        return 1e-8 * (1.0 + max(float(np.max(np.abs(x))), abs(p)))

    def units_on_border(self, x: np.ndarray, p: float) -> np.ndarray:
        return np.abs(self.inputs(x, p)) <= self.border_tol(x, p)

    def region_jacobian(self, x: np.ndarray, p: float, active: np.ndarray) -> np.ndarray:
        """``[dG/dx | dG/dp]`` of the region ``active`` (threshold-linear), (n, n + 1)."""
        n = self.n
        D = np.asarray(active, dtype=bool)
        A, _ = self.family.affine(p)
        d = self.family.derivative(self._affine_flat, p)
        dA, db = d[:n * n].reshape(n, n), d[n * n:]
        return np.column_stack([D[:, None] * A - np.eye(n), D * (dA @ x + db)])

    def _border(self, i: int) -> Callable[[np.ndarray, float], float]:
        def value(x: np.ndarray, p: float) -> float:
            return float(self.inputs(x, p)[i])
        return value

    def tests(self) -> list[TestFunction]:
        return [TestFunction(t.name, _safe(t.value), t.kink) for t in self._tests()]

    def _tests(self) -> list[TestFunction]:
        out = [TestFunction("hopf", self.hopf_value)]
        if self.pl:
            for i, name in enumerate(self.names):
                out.append(TestFunction(f"border {name}", self._border(i), kink=True))
        else:
            out.append(TestFunction("fold", self.fold_value))
        return out


def _safe(f: Callable[[np.ndarray, float], float]) -> Callable[[np.ndarray, float], float]:
    """``f`` returning nan where the model refuses the parameter value."""
    def value(x: np.ndarray, p: float) -> float:
        try:
            return float(f(x, p))
        except (ParameterError, ValueError, np.linalg.LinAlgError):
            return float("nan")
    return value


# ------------------------------------------------------------------ results
@dataclass(frozen=True, eq=False)
class SpecialPoint:
    """A special point located on an equilibrium branch (exact to ~1e-10 relative).

    Attributes
    ----------
    kind : str
        ``"fold"``, ``"branch point"``, ``"hopf"``, ``"non-smooth Hopf (linear
        centre)"`` or ``"border collision"``.
    value : float
        Parameter value.
    state : ndarray (n,)
    eigenvalues : ndarray of complex (n,)
        Of the full Jacobian there (for a border collision: the region it arrives from).
    branch : str
        Label of the branch.
    frequency : float or None
        Hopf points: imaginary part of the critical pair (rad per time unit).
    unit : str or None
        Border collisions: the unit whose input meets its threshold.
    fold : bool or None
        Border collisions: True when the branch turns back there (a non-smooth fold).
    eigenvalues_after : ndarray or None
        Border collisions: eigenvalues in the region the branch goes on into.
    types : tuple of str
        Border collisions: (type before, type after); others: (type,).
    index : int
        Position of the point on its branch.
    note : str or None
        Border collisions between a stable and an unstable focus: the piecewise-linear
        Hopf-like bifurcation (stability changes at the border, without a centre).
    """

    kind: str
    value: float
    state: np.ndarray
    eigenvalues: np.ndarray
    branch: str
    frequency: float | None = None
    unit: str | None = None
    fold: bool | None = None
    eigenvalues_after: np.ndarray | None = None
    types: tuple[str, ...] = ()
    index: int = 0
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON, with the keys of :class:`ratenet.analysis.bifurcation.BifurcationPoint`
        (``kind``, ``value``, ``state``, ``branches``, ``method``, ``frequency``, ``unit``)
        and ``eigenvalues``, ``fold``, ``eigenvalues_after``, ``types``."""
        return _json_safe({
            "kind": self.kind, "value": float(self.value), "state": self.state.tolist(),
            "branches": [self.branch], "method": "continuation",
            "frequency": self.frequency, "unit": self.unit, "fold": self.fold,
            "eigenvalues": _pairs(self.eigenvalues),
            "eigenvalues_after": (None if self.eigenvalues_after is None
                                  else _pairs(self.eigenvalues_after)),
            "types": list(self.types), "note": self.note,
        })


@dataclass(frozen=True, eq=False)
class EquilibriumBranch:
    """One continued branch of equilibria, in order of arclength.

    Oriented so that it starts at its end with the smaller parameter value.

    Attributes
    ----------
    label : str
    values : ndarray (K,)
        Parameter value at each point.
    states : ndarray (K, n)
    eigenvalues : ndarray of complex (K, n)
        Of the full Jacobian (time constants included), by decreasing real part.
    types : list of str
    stable : ndarray of bool (K,)
    active : ndarray of bool (K, n) or None
        Threshold-linear: units above threshold at each point.
    status, message : str
        Why the continuation stopped: ``"bound"``, ``"closed"``, ``"diverged"``,
        ``"continuum"`` (it met a continuum of equilibria at one parameter value),
        ``"stalled"``, ``"max_steps"`` or ``"time limit"``.
    """

    label: str
    values: np.ndarray
    states: np.ndarray
    eigenvalues: np.ndarray
    types: list[str]
    stable: np.ndarray
    active: np.ndarray | None
    status: str
    message: str
    tangents: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))

    def __len__(self) -> int:
        return int(self.values.size)

    @property
    def trace(self) -> np.ndarray:
        return np.sum(self.eigenvalues, axis=1).real

    @property
    def determinant(self) -> np.ndarray:
        return np.prod(self.eigenvalues, axis=1).real

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON (keys of the grid scan's branches, plus ``values`` and ``status``)."""
        return _json_safe({
            "label": self.label, "values": self.values.tolist(),
            "states": self.states.tolist(),
            "eigenvalues": [_pairs(row) for row in self.eigenvalues],
            "types": list(self.types), "stable": self.stable.tolist(),
            "active": None if self.active is None else self.active.tolist(),
            "exists": [True] * len(self),
            "trace": self.trace.tolist(), "determinant": self.determinant.tolist(),
            "status": self.status, "message": self.message,
        })


@dataclass(frozen=True, eq=False)
class EquilibriumBranches:
    """Every equilibrium branch found in an interval of one parameter.

    Attributes
    ----------
    param : str
    start, stop : float
    branches : list of EquilibriumBranch
    points : list of SpecialPoint
        Sorted by parameter value.
    names : tuple of str
    model : dict
        The base model's ``to_dict()`` when it has one.
    """

    param: str
    start: float
    stop: float
    branches: list[EquilibriumBranch]
    points: list[SpecialPoint]
    names: tuple[str, ...]
    model: dict[str, Any] = field(default_factory=dict)

    def of_kind(self, *kinds: str) -> list[SpecialPoint]:
        return [p for p in self.points if p.kind in kinds]

    @property
    def hopf(self) -> list[SpecialPoint]:
        """Hopf points, smooth and non-smooth (linear centres)."""
        return self.of_kind("hopf", "non-smooth Hopf (linear centre)")

    @property
    def folds(self) -> list[SpecialPoint]:
        """Smooth folds and border collisions where the branch turns back."""
        return [p for p in self.points if p.kind == "fold" or
                (p.kind == "border collision" and p.fold)]

    @property
    def border_collisions(self) -> list[SpecialPoint]:
        return self.of_kind("border collision")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON with the keys of ``bifurcation_diagram(...).to_dict()``:
        ``param``, ``hopf``, ``folds``, ``border_collisions`` (parameter values),
        ``points``, ``branches``, ``names``, ``model``; and ``start``, ``stop``."""
        return _json_safe({
            "param": self.param, "start": self.start, "stop": self.stop,
            "hopf": [float(p.value) for p in self.hopf],
            "folds": [float(p.value) for p in self.folds],
            "border_collisions": [float(p.value) for p in self.border_collisions],
            "points": [p.to_dict() for p in self.points],
            "branches": [b.to_dict() for b in self.branches],
            "names": list(self.names), "model": self.model,
        })


# ------------------------------------------------------------------ seeds
def _seed_states(sys_: EquilibriumSystem, p: float, bounds: tuple[float, float] | None
                 ) -> list[np.ndarray]:
    from ..analysis.fixed_points import smooth_fixed_points, threshold_linear_fixed_points

    net = sys_.family.network(p)
    if sys_.pl:
        if net.n > _MAX_ENUMERATED:
            raise ParameterError("x0", None, f"a starting state: n = {net.n} units is too many "
                                 f"to enumerate every fixed point (at most {_MAX_ENUMERATED})",
                                 hint="pass x0, a state near an equilibrium at start")
        fps, _ = threshold_linear_fixed_points(net)
        # points on a threshold last: a branch is best started inside a region
        return [fp.state for fp in sorted(fps, key=lambda f: any(f.on_threshold or ()))]
    return [fp.state for fp in smooth_fixed_points(net, bounds=bounds)]


def _on_branch(sys_: EquilibriumSystem, curve: Curve, x: np.ndarray, p: float) -> bool:
    """True if the equilibrium ``(x, p)`` lies on ``curve`` (already computed)."""
    scale = max(1.0, float(np.max(np.abs(x))))
    P = curve.p
    for j in np.flatnonzero(np.abs(P - p) <= 1e-9 * (1.0 + abs(p))):
        if np.max(np.abs(curve.u[j] - x)) <= 1e-7 * scale:
            return True
    for k in range(len(P) - 1):
        a, b = P[k] - p, P[k + 1] - p
        if a * b > 0 or a == b:
            continue
        w = a / (a - b)
        y = curve.u[k] + w * (curve.u[k + 1] - curve.u[k])
        if np.max(np.abs(y - x)) > 1e-2 * scale + np.linalg.norm(curve.u[k + 1] - curve.u[k]):
            continue
        for _ in range(20):  # Newton at fixed p from the interpolated point
            F = sys_.residual(y, p)
            if np.max(np.abs(F)) <= 1e-12 * scale:
                break
            try:
                y = y - np.linalg.solve(sys_.state_jacobian(y, p), F)
            except np.linalg.LinAlgError:
                break
        if np.max(np.abs(y - x)) <= 1e-7 * scale:
            return True
    return False


def newton_polish(fun, y0: np.ndarray, *, tol: float = 1e-14, max_iter: int = 30,
                  max_move: float = 1e-4) -> np.ndarray | None:
    """Newton's method on the square system ``fun(y) = 0`` from ``y0`` (FD Jacobian).

    Used to pin a located special point down to rounding (the point the engine hands
    over satisfies the residual to its Newton tolerance only).  Returns None if it does
    not converge, or moves further than ``max_move * (1 + |y0|)`` (a different root).
    """
    y = np.asarray(y0, dtype=float).copy()
    scale = 1.0 + float(np.max(np.abs(y)))
    with np.errstate(all="ignore"):
        for _ in range(max_iter):
            r = np.asarray(fun(y), dtype=float)
            if not np.all(np.isfinite(r)):
                return None
            m = y.size
            Jm = np.empty((r.size, m))
            for j in range(m):
                h = 1e-7 * (1.0 + abs(y[j]))
                e = np.zeros(m)
                e[j] = h
                Jm[:, j] = (np.asarray(fun(y + e)) - np.asarray(fun(y - e))) / (2 * h)
            try:
                dy = np.linalg.solve(Jm, -r)
            except np.linalg.LinAlgError:
                return None
            if not np.all(np.isfinite(dy)):
                return None
            y = y + dy
            if np.max(np.abs(y - y0)) > max_move * scale:
                return None
            if np.max(np.abs(dy)) <= tol * scale:
                return y
    # rounding may keep the last steps just above tol: accept a converged iterate
    return y if np.max(np.abs(dy)) <= 1e-10 * scale else None


def _join(first: Curve, second: Curve) -> Curve:
    """``second`` appended to ``first`` (it starts at ``first``'s last point)."""
    K = len(first) - 1
    ev = list(first.events) + [CurveEvent(e.name, e.index + K, e.u, e.p, e.tangent,
                                          e.tangent_after) for e in second.events if e.index > 0]
    return Curve(np.vstack([first.u, second.u[1:]]), np.concatenate([first.p, second.p[1:]]),
                 np.vstack([first.tangent, second.tangent[1:]]), ev, second.status,
                 second.message)


def _follow(sys_: EquilibriumSystem, x: np.ndarray, p: float, direction: int,
            kw: dict[str, Any], max_steps: int, t_end: float) -> Curve:
    """One direction of a branch, in segments whose largest step grows with the state.

    A branch going to infinity (a region whose linear system turns singular) needs
    steps that grow with ``|x|`` to reach ``u_max`` in a bounded number of steps; the
    engine's largest step is fixed per call, so the branch is followed in segments of
    :data:`_SEGMENT` steps, each allowed steps in proportion to the size of the state.
    Several units crossing their thresholds at one point (a symmetric network) are
    crossed here (:func:`_cross_together`), the engine taking one border at a time.
    """
    kw = dict(kw)
    curve: Curve | None = None
    done = 0
    while True:
        remaining = t_end - time.monotonic()
        if remaining <= 0:
            if curve is None:
                raise ContinuationError("time limit reached before the branch was started")
            curve.status, curve.message = "time limit", "stopped at the time limit"
            return curve
        if done >= max_steps and curve is not None:
            curve.status = "max_steps"
            curve.message = f"stopped after max_steps = {max_steps} steps"
            return curve
        steps = min(_SEGMENT, max_steps - done)
        c = continue_curve(sys_.safe_residual, sys_.safe_jacobian, x, p, direction=direction,
                           max_steps=steps, time_limit=remaining, closed=curve is None,
                           ds_cap=_state_cap(x, kw["ds_max"]), **kw)
        c, restart = _cross_together(sys_, c)
        if c.status == "stalled":
            _onto_bound(sys_, c, kw["p_min"], kw["p_max"])
        if curve is not None:
            c = _close_on(c, np.append(curve.u[0], curve.p[0]), curve.tangent[0])
        curve = c if curve is None else _join(curve, c)
        if curve.status == "closed":
            return curve
        if _cut_continuum(curve, sys_.family.name):
            return curve
        done += steps
        if restart is not None:
            x, p, direction = restart
            continue
        if c.status != "max_steps" or done >= max_steps:
            return curve
        grow = (1.0 + float(np.max(np.abs(c.u[-1])))) / (1.0 + float(np.max(np.abs(c.u[0]))))
        if grow > 1.5:
            kw["ds_max"] = kw["ds_max"] * grow
        x, p = c.u[-1].copy(), float(c.p[-1])
        last = float(np.linalg.norm(np.append(c.u[-1] - c.u[-2], c.p[-1] - c.p[-2])))
        kw["ds"] = min(kw["ds_max"], max(last, 1e-3 * kw["ds_max"]))
        direction = 1 if c.tangent[-1][-1] >= 0 else -1


def _state_cap(x0: np.ndarray, ds_max: float) -> Callable[[np.ndarray, float], float]:
    """Largest step at ``(x, p)`` within a segment started from ``x0``: ``ds_max`` until
    the state is twice the size of ``x0``, then half of the excess over that size.

    Where the equilibrium goes to infinity (``x ~ 1/(p* - p)`` as the linear system of
    its region turns singular at ``p*``) the branch's arclength is infinite: a step fixed
    within each segment of :data:`_SEGMENT` steps crawls (263 points from the E-I model
    with ``M_II = -1`` in ``M_EE`` towards 1.5), a step growing with ``|x|`` reaches
    ``u_max`` in a number of steps logarithmic in it.  The cap shrinks back where the
    state does, so branches of bounded states keep the segment's ``ds_max``.
    """
    s0 = 2.0 * (1.0 + float(np.max(np.abs(x0))))

    def cap(x: np.ndarray, p: float) -> float:
        return max(ds_max, 0.5 * (float(np.max(np.abs(x))) - s0))
    return cap


def _cut_continuum(c: Curve, name: str, run: int = 8) -> bool:
    """Stop a branch that runs along a continuum of equilibria at one parameter value.

    ``run`` successive points with the same ``p`` (to 1e-12) but moving states: the
    equilibria are not isolated there (a region whose linear system is singular at that
    value, e.g. a bump free to rotate), so the branch is cut at the first of them.
    Returns True (and sets status ``"continuum"``) if it cut.
    """
    K = len(c)
    if K < run:
        return False
    P = c.p
    same = np.abs(np.diff(P)) <= 1e-12 * (1.0 + np.abs(P[1:]))
    k = K - 1
    while k > 0 and same[k - 1]:
        k -= 1
    if K - k < run:
        return False
    scale = 1.0 + float(np.max(np.abs(c.u[k])))
    if np.max(np.abs(c.u[-1] - c.u[k])) <= 1e-6 * scale:
        return False
    c.u, c.p, c.tangent = c.u[:k + 1], c.p[:k + 1], c.tangent[:k + 1]
    c.events = [e for e in c.events if e.index <= k]
    c.status = "continuum"
    c.message = (f"a continuum of equilibria at {name} = {float(P[k]):.8g} (not isolated: "
                 f"the linear system of a region is singular there); not followed along it")
    return True


def _close_on(c: Curve, y0: np.ndarray, t0: np.ndarray) -> Curve:
    """``c`` cut where it passes through ``y0`` going the same way (a closed branch:
    the engine only sees its own segment's start)."""
    Y = np.column_stack([c.u, c.p])
    for k in range(len(Y) - 1):
        seg = Y[k + 1] - Y[k]
        L2 = float(seg @ seg)
        if L2 == 0 or float(c.tangent[k] @ t0) <= 0.5:
            continue
        w = min(1.0, max(0.0, float(seg @ (y0 - Y[k])) / L2))
        if np.linalg.norm(Y[k] + w * seg - y0) <= 0.25 * math.sqrt(L2):
            u = np.vstack([c.u[:k + 1], y0[:-1]])
            return Curve(u, np.append(c.p[:k + 1], y0[-1]),
                         np.vstack([c.tangent[:k + 1], t0]),
                         [e for e in c.events if e.index <= k], "closed",
                         "the curve closed on itself")
    return c


def _onto_bound(sys_: EquilibriumSystem, c: Curve, p_min: float, p_max: float) -> None:
    """A curve stalled next to a bound the model sets (past it the residual is not
    finite): put its last point on the bound, status ``"bound"``."""
    p = float(c.p[-1])
    bound = p_min if abs(p - p_min) < abs(p - p_max) else p_max
    if abs(p - bound) > 1e-6 * (p_max - p_min):
        return
    x = c.u[-1].copy()
    for _ in range(30):
        F = sys_.safe_residual(x, bound)
        if not np.all(np.isfinite(F)):
            return
        if np.max(np.abs(F)) <= 1e-13 * (1.0 + float(np.max(np.abs(x)))):
            c.u[-1], c.p[-1] = x, bound
            side = "upper" if bound == p_max else "lower"
            c.status, c.message = "bound", f"reached the {side} bound p = {bound:g}"
            return
        try:
            x = x - np.linalg.solve(sys_.state_jacobian(x, bound), F)
        except np.linalg.LinAlgError:
            return


def _cross_together(sys_: EquilibriumSystem, c: Curve
                    ) -> tuple[Curve, tuple[np.ndarray, float, int] | None]:
    """Cross a border where several units reach their thresholds at once.

    The engine handles one kink at a time: at such a point it reports the same border
    again and again without moving.  Detected here as repeated border events at one
    point; the curve is cut after the first, the tangent beyond is the null vector of
    the Jacobian with every unit on the border switched, oriented so that their inputs
    go on across, and the branch restarts a small step along it.
    """
    if not sys_.pl or len(c.events) < 3:
        return c, None
    Y = np.column_stack([c.u, c.p])
    for a, e in enumerate(c.events[:-2]):
        k = e.index
        if not e.name.startswith("border ") or k + 2 >= len(Y):
            continue
        scale = 1.0 + float(np.max(np.abs(Y[k])))
        if not (np.max(np.abs(Y[k + 1] - Y[k])) <= 1e-9 * scale
                and np.max(np.abs(Y[k + 2] - Y[k])) <= 1e-9 * scale):
            continue
        x, p = c.u[k].copy(), float(c.p[k])
        on = sys_.units_on_border(x, p)
        t_in = e.tangent
        delta = 1e-6 * scale
        before = sys_.inputs(x - delta * t_in[:-1], p - delta * t_in[-1]) > 0
        D = sys_.inputs(x, p) > 0
        D[on] = ~before[on]
        Jr = sys_.region_jacobian(x, p, D)
        t = np.linalg.svd(Jr)[2][-1]
        # d(input)/ds of the units on the border: positive for those switching on
        du = sys_.region_jacobian(x, p, np.ones(sys_.n, dtype=bool))[:, :] @ t + t[:-1]
        want = np.where(D, 1.0, -1.0)
        if float(np.sum((want * du)[on])) < 0:
            t = -t
        e.tangent_after = t
        keep_events = c.events[:a + 1]
        cut = Curve(c.u[:k + 1].copy(), c.p[:k + 1].copy(), c.tangent[:k + 1].copy(),
                    keep_events, c.status, c.message)
        cut.tangent[k] = t
        y1 = np.append(x, p) + delta * t
        return cut, (y1[:-1], float(y1[-1]), 1 if t[-1] >= 0 else -1)
    return c, None


def _both(sys_: EquilibriumSystem, x: np.ndarray, p: float, kw: dict[str, Any],
          max_steps: int, t_end: float) -> Curve:
    up = _follow(sys_, x, p, 1, kw, max_steps, t_end)
    if up.status == "closed":
        return up
    down = _follow(sys_, up.u[0], float(up.p[0]), -1, kw, max_steps, t_end)
    back = down.reversed()
    both = _join(back, up)
    if up.status == "bound" and down.status == "bound":
        both.message = "reached both bounds"
    elif up.status == "bound":
        both.status, both.message = down.status, down.message
    return both


def _orient(curve: Curve) -> Curve:
    """Start at the end with the smaller parameter (then the lexicographically smaller state).

    A closed branch starts at its point of smallest parameter value and runs so that
    the first state component increases there."""
    if curve.status == "closed" and len(curve) > 3:
        K = len(curve) - 1  # the last point repeats the first
        j = int(np.argmin(curve.p[:K]))
        order = np.r_[np.arange(j, K), np.arange(0, j), j]
        ev = [CurveEvent(e.name, (e.index - j) % K, e.u, e.p, e.tangent, e.tangent_after)
              for e in curve.events if e.index < K]
        ev.sort(key=lambda e: e.index)
        c = Curve(curve.u[order].copy(), curve.p[order].copy(), curve.tangent[order].copy(),
                  ev, curve.status, curve.message)
        return c.reversed() if c.u[1, 0] < c.u[-2, 0] else c
    a = (curve.p[0], *curve.u[0])
    b = (curve.p[-1], *curve.u[-1])
    return curve.reversed() if b < a else curve


# ------------------------------------------------------------------ driver
def continue_equilibria(model: Any, param: str, start: float, stop: float, *,
                        x0: Sequence[float] | np.ndarray | None = None, seeds: int = 3,
                        bounds: tuple[float, float] | None = None, ds: float | None = None,
                        ds_max: float | None = None, max_steps: int = 2000,
                        u_max: float = 1e8, time_limit: float = 60.0) -> EquilibriumBranches:
    """Follow every branch of equilibria of a rate network through ``[start, stop]``.

    Parameters
    ----------
    model : model with ``replace()`` and ``to_network()``, or callable ``value -> RateNetwork``
        E.g. :class:`ratenet.EIModel` (any parameter of ``EIModel.PARAMETERS``, any case).
    param : str
        The parameter varied (for a callable: its label).
    start, stop : float
        The interval (either order; distinct, finite, accepted by the model).
    x0 : array_like (n,), optional
        A state near an equilibrium at ``start``: follow only its branch.  Without it,
        every fixed point at ``seeds`` evenly spaced values (both ends included) is
        found (exact enumeration for threshold-linear networks, a multi-start root
        solve for smooth ones) and continued; points on a branch already followed are
        merged into it.
    seeds : int, default 3
        Parameter values where fixed points are searched (>= 2: the two ends, then
        interior values that catch isolated branches).
    bounds : (float, float), optional
        Smooth transfer: box of starting points for the fixed-point search.
    ds, ds_max : float, optional
        First and largest arclength step (engine defaults).
    max_steps : int, default 2000
        Per branch direction.
    u_max : float, default 1e8
        A branch whose state grows beyond this is stopped as ``"diverged"``.
    time_limit : float, default 60
        Seconds for the whole call.

    Returns
    -------
    EquilibriumBranches

    Raises
    ------
    ParameterError
        A name the model lacks, ``start == stop``, a non-finite or refused value.
    ContinuationError
        The continuation itself failed.

    Examples
    --------
    >>> from ratenet import EIModel
    >>> res = continue_equilibria(EIModel(), "tau_I", 20.0, 60.0)
    >>> [(p.kind, round(p.value, 9)) for p in res.hopf]
    [('non-smooth Hopf (linear centre)', 40.0)]
    """
    family = ParameterFamily(model, param)
    a, b = family.check(start, stop)
    seeds = check_int("seeds", seeds, minimum=2, maximum=101)
    u_max = as_float("u_max", u_max)
    time_limit = as_float("time_limit", time_limit)
    p_min, p_max = min(a, b), max(a, b)
    sys_ = EquilibriumSystem(family, a)
    n = sys_.n
    t_end = time.monotonic() + time_limit
    max_steps = check_int("max_steps", max_steps, minimum=1)
    kw: dict[str, Any] = dict(p_min=p_min, p_max=p_max, ds=ds, ds_max=ds_max, u_max=u_max,
                              tests=sys_.tests())

    if x0 is not None:
        x = np.asarray(x0, dtype=float)
        if x.shape != (n,) or not np.all(np.isfinite(x)):
            raise ParameterError("x0", x0, f"a finite state of {n} values")
        seed_list: list[tuple[float, np.ndarray]] = [(a, x)]
    else:
        seed_list = []
        for v in np.linspace(a, b, seeds):
            v = float(v)
            seed_list += [(v, s) for s in _seed_states(sys_, v, bounds)]

    # steps in (x, p) arclength: scaled by the size of the states as well as the interval
    size = max(1.0, p_max - p_min) + max([1.0] + [float(np.max(np.abs(x))) for _, x in seed_list])
    if ds_max is None:
        kw["ds_max"] = 0.1 * size
    if ds is None:
        kw["ds"] = min(1e-2 * size, kw["ds_max"])
    curves: list[Curve] = []
    for v, x in seed_list:
        if any(_on_branch(sys_, c, x, v) for c in curves):
            continue
        remaining = t_end - time.monotonic()
        if remaining <= 0:
            warnings.warn(f"continue_equilibria: time_limit = {time_limit:g} s reached; "
                          f"some seeds were not continued", RuntimeWarning, stacklevel=2)
            break
        try:
            if v == p_min or v == p_max:
                c = _follow(sys_, x, v, 1 if v == p_min else -1, kw, max_steps, t_end)
            else:
                c = _both(sys_, x, v, kw, max_steps, t_end)
        except ContinuationError:
            if x0 is not None:
                raise
            continue  # a seed on a fold or a border that Newton cannot start from
        for e in c.events:  # pin the special points down to rounding
            c.u[e.index], c.p[e.index] = sys_.polish(e.name, c.u[e.index], float(c.p[e.index]))
            e.u, e.p = c.u[e.index].copy(), float(c.p[e.index])
        curves.append(_orient(c))
    if not curves:
        if not seed_list:
            vals = ", ".join(f"{v:g}" for v in np.linspace(a, b, seeds))
            cause = ""
            if hasattr(model, "divergence_cause"):
                try:
                    cause = f" ({model.replace(**{family.name: a}).divergence_cause()})"
                except (ParameterError, ValueError, TypeError):
                    cause = ""
            raise ContinuationError(f"no equilibrium at {family.name} = {vals}: the network "
                                    f"has no fixed point there{cause}")
        raise ContinuationError(f"no equilibrium branch could be followed from {family.name} "
                                f"= {a:g} (Newton's method failed from every fixed point)")
    curves.sort(key=lambda c: (float(c.p[0]), *map(float, c.u[0])))

    branches, points = [], []
    for k, c in enumerate(curves):
        br, pts = _branch_of(sys_, c, f"branch {k}")
        branches.append(br)
        points += pts
    points.sort(key=lambda q: (q.value, q.kind))
    base = model.to_dict() if hasattr(model, "to_dict") else {}
    return EquilibriumBranches(param=family.name, start=a, stop=b, branches=branches,
                               points=points, names=sys_.names, model=base)


def _branch_of(sys_: EquilibriumSystem, c: Curve, label: str
               ) -> tuple[EquilibriumBranch, list[SpecialPoint]]:
    K, n = c.u.shape
    U, P = c.u, c.p
    eig = np.empty((K, n), dtype=complex)
    types: list[str] = []
    stable = np.zeros(K, dtype=bool)
    active = np.zeros((K, n), dtype=bool) if sys_.pl else None
    border = {e.index: e for e in c.events if e.name.startswith("border ")}
    points: list[SpecialPoint] = []
    for k in range(K):
        x, p = U[k], float(P[k])
        if active is not None:
            active[k] = sys_.inputs(x, p) > 0
        lam = _sorted_eigs(sys_.full_jacobian(x, p))
        eig[k] = lam
        if k in border:
            on = sys_.units_on_border(x, p)
            on[sys_.names.index(border[k].name[len("border "):])] = True
            ok = True
            for side in (False, True):
                D = sys_.inputs(x, p) > 0
                D[on] = side
                ok = ok and bool(np.all(_sorted_eigs(sys_.full_jacobian(x, p, D)).real < 0))
            types.append("degenerate (on a threshold)")
            stable[k] = ok
        else:
            t = classify_eigenvalues(lam)
            types.append(t)
            stable[k] = t in ("stable node", "stable focus", "stable degenerate node")
    for e in c.events:
        k = e.index
        x, p = U[k], float(P[k])
        lam = eig[k]
        scale = max(float(np.max(np.abs(lam))), 1e-300)
        if e.name == "hopf":
            cplx = np.abs(lam.imag) > 1e-9 * scale
            if not np.any(cplx):
                continue
            j = int(np.argmin(np.where(cplx, np.abs(lam.real), np.inf)))
            if abs(lam[j].real) > 1e-6 * scale:
                continue  # a jump of the test at a border, not a crossing
            if sys_.pl and np.min(np.abs(sys_.inputs(x, p))) <= 1e-9 * max(
                    1.0, float(np.max(np.abs(x)))):
                continue
            kind = "non-smooth Hopf (linear centre)" if sys_.pl else "hopf"
            points.append(SpecialPoint(kind=kind, value=p, state=x.copy(), eigenvalues=lam,
                                       branch=label, frequency=float(abs(lam[j].imag)),
                                       types=(types[k],), index=k))
        elif e.name == "fold":
            before = c.tangent[max(k - 1, 0)][-1]
            after = c.tangent[min(k + 1, K - 1)][-1]
            kind = "fold" if before * after < 0 else "branch point"
            points.append(SpecialPoint(kind=kind, value=p, state=x.copy(), eigenvalues=lam,
                                       branch=label, types=(types[k],), index=k))
        elif e.name.startswith("border "):
            on = sys_.units_on_border(x, p)
            on[sys_.names.index(e.name[len("border "):])] = True
            unit = ", ".join(nm for nm, o in zip(sys_.names, on) if o)
            # the region the branch arrives from and the one it goes on into
            eps = 1e-6 * (1.0 + float(np.max(np.abs(np.append(x, p)))))
            yb = np.append(x, p) - eps * e.tangent
            ta = e.tangent_after if e.tangent_after is not None else e.tangent
            ya = np.append(x, p) + eps * ta
            D0 = sys_.inputs(x, p) > 0
            D1 = D0.copy()
            D0[on] = (sys_.inputs(yb[:-1], float(yb[-1])) > 0)[on]
            D1[on] = (sys_.inputs(ya[:-1], float(ya[-1])) > 0)[on]
            l0 = _sorted_eigs(sys_.full_jacobian(x, p, D0))
            l1 = _sorted_eigs(sys_.full_jacobian(x, p, D1))
            t0, t1 = classify_eigenvalues(l0), classify_eigenvalues(l1)
            note = None
            if t0.endswith("focus") and t1.endswith("focus") and t0 != t1:
                note = ("focus-focus border collision: the equilibrium changes stability at "
                        "the threshold (a Hopf-like bifurcation of piecewise-linear systems)")
            points.append(SpecialPoint(
                kind="border collision", value=p, state=x.copy(), eigenvalues=l0, branch=label,
                unit=unit, fold=e.turns, eigenvalues_after=l1, types=(t0, t1), index=k,
                note=note))
    br = EquilibriumBranch(label=label, values=P, states=U, eigenvalues=eig,
                           types=types, stable=stable, active=active, status=c.status,
                           message=c.message, tangents=c.tangent.copy())
    return br, points
