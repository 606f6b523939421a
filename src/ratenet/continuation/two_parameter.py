"""Curves of special points of equilibria in two parameters ``(P, Q)``.

Each curve is continued with the same pseudo-arclength engine as the equilibria, on an
augmented system with unknowns ``u = (x, Q)`` and parameter ``P``:

* **Hopf**: ``G(x; P, Q) = 0`` and the Hopf condition: the trace of the Jacobian
  ``J = diag(1/tau) dG/dx`` for ``n = 2`` (with ``det J > 0``), the real part of the
  complex pair nearest the imaginary axis for ``n >= 3``.  For threshold-linear
  networks ``G`` is the exact linear system of the region, so the curve is that of the
  linear centres (non-smooth Hopf points); it ends where the equilibrium meets a
  threshold (a different region, a different linear system) and, for ``n = 2``, where
  ``det J`` reaches 0 (Bogdanov-Takens: the pair becomes real).  Where ``det J`` tends to
  0 because the region's linear system turns singular, the equilibrium goes to infinity
  on the way (``x = -M^-1 b``, ``|x| ~ 1/det``): the largest step then grows with
  ``|x|`` (the curve's arclength is infinite), the curve ends when ``|x|`` passes the
  engine's ``u_max`` (end ``"equilibrium at infinity"``) and the Bogdanov-Takens point at
  infinity it tends to (trace and determinant of that region both 0) is put in
  :attr:`TwoParameterCurve.points`.
* **fold** (smooth transfer): ``G = 0`` and ``det dG/dx = 0``.
* **border collision** of unit ``i`` (threshold-linear): ``G = 0`` and the input of
  unit ``i`` at its threshold, ``(A x + b)_i = 0``; other units crossing their
  thresholds along the curve are kinks for the engine, as in one parameter.

Curves are started from the special points of one-parameter runs in ``P`` at a few
values of ``Q`` and joined when the same curve is found twice.  ``Q`` is kept inside
its interval by the residual (outside it, or where the model refuses a value, the
residual is not finite and the engine stops there); the end point is then put on
the bound by Newton's method.  Jacobians are central differences of the residual.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._json import json_safe as _json_safe
from .._validation import ParameterError, as_float, check_int
from ..network import RateNetwork
from ..transfer import ThresholdLinear
from ._engine import ContinuationError, Curve, TestFunction, continue_curve
from ._models import ParameterFamily, _constant_input_network, _numeric_fields, check_range
from .equilibria import _join, _safe, continue_equilibria, newton_polish

__all__ = ["TwoParameterCurve", "TwoParameterCurves", "continue_special_curves"]

_KINDS = ("hopf", "fold", "border collision")


class _TwoParameterFamily:
    """``(P, Q) -> RateNetwork`` for a model with ``replace()`` or a callable of two values."""

    def __init__(self, model: Any, param: str, param2: str) -> None:
        if hasattr(model, "replace") and hasattr(model, "to_network"):
            names = []
            for label, p in (("param", param), ("param2", param2)):
                try:
                    names.append(ParameterFamily(model, p).name)
                except ParameterError as exc:
                    raise ParameterError(label, p, exc.allowed) from None
            self.P, self.Q = names
            if self.P == self.Q:
                raise ParameterError("param2", param2, f"a parameter other than {self.P}",
                                     hint=f"one of {', '.join(_numeric_fields(model))}")
            self._make: Callable[[float, float], Any] = (
                lambda a, b: model.replace(**{self.P: a, self.Q: b}))
        elif callable(model) and not isinstance(model, RateNetwork):
            for label, p in (("param", param), ("param2", param2)):
                if not isinstance(p, str) or not p.strip():
                    raise ParameterError(label, p, "a parameter name (a non-empty string)")
            if param == param2:
                raise ParameterError("param2", param2, f"a name other than {param}")
            self.P, self.Q = param, param2
            self._make = model
        else:
            raise ParameterError("model", type(model).__name__,
                                 "a model with replace() and to_network(), or a function "
                                 "(P, Q) -> RateNetwork")
        self._cache: OrderedDict[tuple[float, float], RateNetwork] = OrderedDict()

    def network(self, a: float, b: float) -> RateNetwork:
        key = (float(a), float(b))
        net = self._cache.get(key)
        if net is not None:
            return net
        made = self._make(*key)
        if not isinstance(made, RateNetwork):
            if not hasattr(made, "to_network"):
                raise ParameterError("model", type(made).__name__, "a RateNetwork or a model")
            net = _constant_input_network(made, made.to_network())
        else:
            net = made if not callable(made.h) else _constant_input_network(made, made)
        self._cache[key] = net
        if len(self._cache) > 64:
            self._cache.popitem(last=False)
        return net

    def at_Q(self, b: float) -> Callable[[float], RateNetwork]:
        return lambda a: self.network(a, b)


@dataclass(frozen=True, eq=False)
class TwoParameterCurve:
    """One curve of special points in the ``(P, Q)`` plane.

    Attributes
    ----------
    kind : str
        ``"hopf"``, ``"non-smooth Hopf (linear centre)"``, ``"fold"`` or
        ``"border collision"``.
    P, Q : ndarray (K,)
        The two parameters along the curve (names in :attr:`names`).
    states : ndarray (K, n)
        The equilibrium at each point.
    names : (str, str)
        Names of P and Q.
    unit : str or None
        Border collisions: the unit on its threshold.
    frequency : ndarray (K,) or None
        Hopf curves: imaginary part of the critical pair.
    status, message : str
        Why the curve ends (each end: ``ends``).
    ends : tuple of str
        What stopped each end (first point, last point): ``"bound"``, ``"threshold"``
        (the equilibrium met a threshold), ``"Bogdanov-Takens"``, ``"equilibrium at
        infinity"`` (its size passed ``u_max``: the region's linear system turns
        singular), ``"closed"``, or the engine's status (``"max_steps"``, ``"time
        limit"``, ``"stalled"``).  :attr:`status` is an engine stop if either end is
        one, else the other natural end, else ``"bound"``.
    points : list of dict
        Codimension-two points on the curve (``{kind, <P>, <Q>, state}``): Bogdanov-
        Takens points on fold curves (``n = 2``: the trace vanishes there too), and
        ``"Bogdanov-Takens (equilibrium at infinity)"`` where a threshold-linear Hopf
        curve ran off to infinity (``state`` None).
    """

    kind: str
    P: np.ndarray
    Q: np.ndarray
    states: np.ndarray
    names: tuple[str, str]
    unit: str | None = None
    frequency: np.ndarray | None = None
    status: str = ""
    message: str = ""
    ends: tuple[str, ...] = ()
    points: list[dict[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.P.size)

    def to_dict(self) -> dict[str, Any]:
        """``{kind, <P name>: [...], <Q name>: [...], states, unit, frequency, ends}``."""
        return _json_safe({
            "kind": self.kind, self.names[0]: self.P.tolist(), self.names[1]: self.Q.tolist(),
            "states": self.states.tolist(), "unit": self.unit,
            "frequency": None if self.frequency is None else self.frequency.tolist(),
            "status": self.status, "message": self.message, "ends": list(self.ends),
            "points": self.points,
        })


@dataclass(frozen=True, eq=False)
class TwoParameterCurves:
    """Every special-point curve found in a box of two parameters."""

    param: str
    param2: str
    box: tuple[float, float, float, float]
    curves: list[TwoParameterCurve] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[TwoParameterCurve]:
        return [c for c in self.curves if c.kind in kinds]

    def to_dict(self) -> dict[str, Any]:
        """``{param, param2, box, curves: [{kind, P: [...], Q: [...]}, ...]}``."""
        return _json_safe({"param": self.param, "param2": self.param2,
                           "box": list(self.box), "curves": [c.to_dict() for c in self.curves]})


# ----------------------------------------------------------------- augmented systems
class _Augmented:
    """Residual ``R(u, P)`` with ``u = (x, Q)`` for one kind of special point."""

    def __init__(self, fam: _TwoParameterFamily, kind: str, q_range: tuple[float, float],
                 n: int, pl: bool, names: tuple[str, ...], unit: int | None = None) -> None:
        self.fam, self.kind, self.n, self.pl, self.names = fam, kind, n, pl, names
        self.q_lo, self.q_hi = q_range
        self.unit = unit
        self._cache: OrderedDict[tuple[float, float],
                                 tuple[RateNetwork, np.ndarray, np.ndarray]] = OrderedDict()

    def _parts(self, P: float, Q: float) -> tuple[RateNetwork, np.ndarray, np.ndarray]:
        """The network at ``(P, Q)`` and its ``(A, b)`` (``g W``, ``g (h - threshold)``
        for threshold-linear transfer, ``W``, ``h`` otherwise), cached."""
        key = (float(P), float(Q))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        net = self.fam.network(P, Q)
        if self.pl:
            tr = net.transfer
            g, thr = tr.gain, tr.threshold  # type: ignore[attr-defined]
            out = (net, g * net.weights, g * (net.external(0.0) - thr))
        else:
            out = (net, net.weights, net.external(0.0))
        self._cache[key] = out
        if len(self._cache) > 32:
            self._cache.popitem(last=False)
        return out

    def inputs(self, x: np.ndarray, P: float, Q: float) -> np.ndarray:
        _, A, b = self._parts(P, Q)
        return A @ x + b

    def region(self, x: np.ndarray, P: float, Q: float) -> np.ndarray:
        D = self.inputs(x, P, Q) > 0
        if self.unit is not None:
            D[self.unit] = False  # on its threshold both regions agree; take the silent one
        return D

    def G(self, x: np.ndarray, P: float, Q: float) -> np.ndarray:
        net, A, b = self._parts(P, Q)
        u = A @ x + b
        if self.pl:
            return -x + np.maximum(u, 0.0)
        return -x + net.transfer(u)

    def J(self, x: np.ndarray, P: float, Q: float, D: np.ndarray | None = None) -> np.ndarray:
        """Full Jacobian ``diag(1/tau) dG/dx``."""
        net, A, b = self._parts(P, Q)
        if self.pl:
            D = self.inputs(x, P, Q) > 0 if D is None else D
            M = D[:, None] * A - np.eye(self.n)
        else:
            M = np.asarray(net.transfer.derivative(A @ x + b))[:, None] * A - np.eye(self.n)
        return M / np.asarray(net.tau, dtype=float)[:, None]

    def condition(self, x: np.ndarray, P: float, Q: float) -> float:
        if self.kind == "border collision":
            assert self.unit is not None
            return float(self.inputs(x, P, Q)[self.unit])
        if self.kind == "fold":
            net, A, b = self._parts(P, Q)
            M = np.asarray(net.transfer.derivative(A @ x + b))[:, None] * A - np.eye(self.n)
            return float(np.linalg.det(M))
        Jm = self.J(x, P, Q)
        if self.n == 2:
            return float(np.trace(Jm))
        lam = np.linalg.eigvals(Jm)
        up = lam[lam.imag > 1e-12 * max(1.0, float(np.max(np.abs(lam))))]
        if up.size == 0:
            return float("nan")
        return float(up[np.argmin(np.abs(up.real))].real)

    def residual(self, u: np.ndarray, P: float) -> np.ndarray:
        x, Q = u[:-1], float(u[-1])
        if not self.q_lo <= Q <= self.q_hi:
            return np.full(self.n + 1, np.nan)
        try:
            return np.append(self.G(x, P, Q), self.condition(x, P, Q))
        except (ParameterError, ValueError, np.linalg.LinAlgError):
            return np.full(self.n + 1, np.nan)

    def jacobian(self, u: np.ndarray, P: float) -> np.ndarray:
        y = np.append(u, P)
        m = y.size
        out = np.empty((self.n + 1, m))
        for j in range(m):
            h = 1e-7 * (1.0 + abs(y[j]))
            e = np.zeros(m)
            e[j] = h
            yp, ym = y + e, y - e
            rp, rm = self.residual(yp[:-1], yp[-1]), self.residual(ym[:-1], ym[-1])
            if np.all(np.isfinite(rp)) and np.all(np.isfinite(rm)):
                out[:, j] = (rp - rm) / (2 * h)
            elif np.all(np.isfinite(rm)):  # one-sided next to the Q bound
                out[:, j] = (self.residual(u, P) - rm) / h
            else:
                out[:, j] = (rp - self.residual(u, P)) / h
        return out

    # -- test functions that end a curve
    def tests(self) -> list[TestFunction]:
        return [TestFunction(t.name, _safe(t.value), t.kink) for t in self._tests()]

    def _tests(self) -> list[TestFunction]:
        out: list[TestFunction] = []
        if self.pl:
            for i, name in enumerate(self.names):
                if i != self.unit:
                    out.append(TestFunction(f"threshold {name}", self._input(i), kink=True))
        if self.kind == "hopf" and self.n == 2:
            out.append(TestFunction("Bogdanov-Takens",
                                    lambda u, P: float(np.linalg.det(
                                        self.J(u[:-1], P, float(u[-1]))))))
        if self.kind == "fold" and self.n == 2:
            # on a fold curve the other eigenvalue is the trace: zero at a BT point
            out.append(TestFunction("BT on fold",
                                    lambda u, P: float(np.trace(
                                        self.J(u[:-1], P, float(u[-1]))))))
        return out

    def _input(self, i: int) -> Callable[[np.ndarray, float], float]:
        def value(u: np.ndarray, P: float) -> float:
            return float(self.inputs(u[:-1], P, float(u[-1]))[i])
        return value


def _cut(c: Curve, names_ending: tuple[str, ...]) -> tuple[Curve, str]:
    """The curve up to its first event whose name starts with one of ``names_ending``."""
    for e in c.events:
        if e.name.startswith(names_ending):
            k = e.index
            end = "threshold" if e.name.startswith("threshold") else e.name
            return Curve(c.u[:k + 1], c.p[:k + 1], c.tangent[:k + 1],
                         [f for f in c.events if f.index <= k], "ended", end), end
    return c, c.status


def _growing_cap(u0: np.ndarray, ds_max: float) -> Callable[[np.ndarray, float], float]:
    """Largest step at ``(u, P)``: ``ds_max`` while the state is within twice the size of
    the curve's first point, then half of its excess over that.

    Where the equilibrium goes to infinity (the linear system of its region turns
    singular: a Bogdanov-Takens point at infinity on a Hopf curve) the curve's arclength
    is infinite; a fixed cap crawls along it (``x ~ 1/delta``: 2000 steps took the E-I
    model's Hopf curve from ``|x| ~ 1e2`` to ``1.3e4`` only), a cap growing with ``|x|``
    reaches the engine's ``u_max`` in a number of steps logarithmic in it.
    """
    s0 = 2.0 * (1.0 + float(np.max(np.abs(u0[:-1]))))

    def cap(u: np.ndarray, P: float) -> float:
        return max(ds_max, 0.5 * (float(np.max(np.abs(u[:-1]))) - s0))
    return cap


def _one_way(aug: _Augmented, u0: np.ndarray, P0: float, direction: int, kw: dict[str, Any],
             t_end: float, max_steps: int, stop_at: tuple[str, ...]) -> tuple[Curve, str]:
    remaining = max(t_end - time.monotonic(), 1e-3)
    c = continue_curve(aug.residual, aug.jacobian, u0, P0, direction=direction,
                       max_steps=max_steps, time_limit=remaining,
                       ds_cap=_growing_cap(np.asarray(u0, dtype=float), kw["ds_max"]), **kw)
    c, end = _cut(c, stop_at)
    if c.status == "diverged":
        end = "equilibrium at infinity"
    if c.status == "stalled":
        # stopped by a bound the model or the box sets (the residual is not finite past
        # it): put the end on the bound
        q, P = float(c.u[-1, -1]), float(c.p[-1])
        q_bound = aug.q_lo if abs(q - aug.q_lo) < abs(q - aug.q_hi) else aug.q_hi
        p_bound = kw["p_min"] if abs(P - kw["p_min"]) < abs(P - kw["p_max"]) else kw["p_max"]
        end = "stalled"
        if abs(q - q_bound) <= 1e-3 * (aug.q_hi - aug.q_lo):
            y = newton_polish(lambda z: aug.residual(np.append(z[:-1], q_bound), float(z[-1])),
                              np.append(c.u[-1, :-1], P), max_move=1e-2)
            if y is not None:
                c.u[-1], c.p[-1], end = np.append(y[:-1], q_bound), y[-1], "bound"
        elif abs(P - p_bound) <= 1e-3 * (kw["p_max"] - kw["p_min"]):
            y = newton_polish(lambda z: aug.residual(z, p_bound), c.u[-1].copy(),
                              max_move=1e-2)
            if y is not None:
                c.u[-1], c.p[-1], end = y, p_bound, "bound"
    return c, end


def _bogdanov_takens_at_infinity(aug: _Augmented, u: np.ndarray, P: float
                                 ) -> tuple[float, float] | None:
    """``(P, Q)`` where the Hopf curve of a threshold-linear pair that ran off to infinity
    at ``(u, P)`` ends: the trace and the determinant of the Jacobian of the last point's
    region both vanish there (the equilibrium ``x = -M^-1 b`` diverges as ``det M -> 0``).
    None if Newton's method does not find it, or finds it outside the box."""
    if not (aug.pl and aug.kind == "hopf" and aug.n == 2):
        return None
    x = u[:-1]
    D = aug.region(x, P, float(u[-1]))

    def trace_det(z: np.ndarray) -> np.ndarray:
        Jm = aug.J(x, float(z[0]), float(z[1]), D)
        return np.array([np.trace(Jm), np.linalg.det(Jm)])

    try:
        y = newton_polish(trace_det, np.array([P, float(u[-1])]), max_move=1e-3)
    except (ParameterError, ValueError):
        return None
    if y is None or not aug.q_lo <= y[1] <= aug.q_hi:
        return None
    return float(y[0]), float(y[1])


def _follow_curve(aug: _Augmented, u0: np.ndarray, P0: float, kw: dict[str, Any],
                  t_end: float, max_steps: int) -> tuple[Curve, tuple[str, str]]:
    stop_at = ("threshold", "Bogdanov-Takens")
    up, end_up = _one_way(aug, u0, P0, 1, kw, t_end, max_steps, stop_at)
    if up.status == "closed":
        return up, ("closed", "closed")
    down, end_down = _one_way(aug, up.u[0], float(up.p[0]), -1, kw, t_end, max_steps, stop_at)
    return _join(down.reversed(), up), (end_down, end_up)


#: Ends where the engine gave up rather than the curve ending.
_ENGINE_STOPS = ("max_steps", "time limit", "stalled")


def _status(ends: tuple[str, str]) -> str:
    """One word for both ends: an engine stop first, then a natural end, else "bound"."""
    for group in (_ENGINE_STOPS, None):
        for e in ends:
            if e != "bound" and (group is None or e in group):
                return e
    return "bound"


def _on_curve(aug: _Augmented, c: TwoParameterCurve, x: np.ndarray, P: float, Q: float) -> bool:
    """True if the special point ``(x, P, Q)`` lies on the computed curve ``c``."""
    scale = 1.0 + max(float(np.max(np.abs(x))), abs(P), abs(Q))
    for k in range(len(c) - 1):
        a, b = c.Q[k] - Q, c.Q[k + 1] - Q
        if a * b > 0 or a == b:
            continue
        w = a / (a - b)
        guess = np.append(c.states[k] + w * (c.states[k + 1] - c.states[k]),
                          c.P[k] + w * (c.P[k + 1] - c.P[k]))
        if np.max(np.abs(guess - np.append(x, P))) > 1e-2 * scale:
            continue
        y = newton_polish(lambda z: aug.residual(np.append(z[:-1], Q), float(z[-1])), guess,
                          max_move=1e-2)
        if y is not None and np.max(np.abs(y - np.append(x, P))) <= 1e-7 * scale:
            return True
    close = (np.abs(c.Q - Q) <= 1e-9 * scale) & (np.abs(c.P - P) <= 1e-7 * scale)
    return bool(np.any(close))


# ----------------------------------------------------------------- driver
def continue_special_curves(model: Any, param: str, start: float, stop: float, param2: str,
                            start2: float, stop2: float, *,
                            kinds: tuple[str, ...] = _KINDS, seeds: int = 3,
                            ds_max: float | None = None, max_steps: int = 2000,
                            time_limit: float = 60.0) -> TwoParameterCurves:
    """Hopf, fold and border-collision curves of equilibria in a box of ``(P, Q)``.

    Parameters
    ----------
    model : model with ``replace()`` and ``to_network()``, or callable ``(P, Q) -> RateNetwork``
    param, param2 : str
        Names of ``P`` and ``Q`` (for a callable: labels).
    start, stop, start2, stop2 : float
        The box ``P`` in ``[start, stop]``, ``Q`` in ``[start2, stop2]`` (either order).
    kinds : tuple of str, default ("hopf", "fold", "border collision")
        Which curves to follow ("hopf" includes the non-smooth Hopf points).
    seeds : int, default 3
        Values of ``Q`` (evenly spaced, ends included) where a one-parameter run in
        ``P`` provides the starting points.
    ds_max : float, optional
        Largest arclength step (default a tenth of the box size plus the states' size).
    max_steps : int, default 2000
        Per curve direction.
    time_limit : float, default 60
        Seconds for the whole call.

    Returns
    -------
    TwoParameterCurves

    Examples
    --------
    The Hopf curve of the E-I model, ``tau_I = tau_E (1 - M_II) / (M_EE - 1)``:

    >>> from ratenet import EIModel
    >>> res = continue_special_curves(EIModel(), "M_EE", 1.05, 1.95, "tau_I", 12.0, 150.0,
    ...                               kinds=("hopf",))
    >>> c = res.curves[0]
    >>> c.kind, bool(abs(c.Q[0] * (c.P[0] - 1) - 10.0) < 1e-9)
    ('non-smooth Hopf (linear centre)', True)
    """
    fam = _TwoParameterFamily(model, param, param2)
    a, b = check_range(start, stop)
    a2, b2 = check_range(start2, stop2, names=("start2", "stop2"))
    for label, (p, q) in (("start", (a, a2)), ("stop", (b, b2))):
        try:
            fam.network(p, q)
        except ParameterError as exc:
            raise ParameterError(label, (p, q), f"values of ({fam.P}, {fam.Q}) the model "
                                 f"accepts ({exc.name} must be {exc.allowed})") from None
    bad = [k for k in kinds if k not in _KINDS]
    if bad or not kinds:
        raise ParameterError("kinds", kinds, f"a non-empty tuple of {_KINDS}")
    seeds = check_int("seeds", seeds, minimum=1, maximum=21)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    time_limit = as_float("time_limit", time_limit)
    t_end = time.monotonic() + time_limit
    p_lo, p_hi = min(a, b), max(a, b)
    q_lo, q_hi = min(a2, b2), max(a2, b2)
    net0 = fam.network(a, a2)
    n, names = net0.n, tuple(net0.names or ())
    pl = isinstance(net0.transfer, ThresholdLinear)

    # seeds: one-parameter runs in P, middle Q first
    qs = [0.5 * (q_lo + q_hi)] if seeds == 1 else list(np.linspace(q_lo, q_hi, seeds))
    qs.sort(key=lambda q: abs(q - 0.5 * (q_lo + q_hi)))
    want = {"hopf": ("hopf", "non-smooth Hopf (linear centre)"), "fold": ("fold",),
            "border collision": ("border collision",)}
    curves: list[TwoParameterCurve] = []
    augs: list[_Augmented] = []
    for q in qs:
        if time.monotonic() > t_end:
            break
        try:
            one = continue_equilibria(fam.at_Q(float(q)), fam.P, p_lo, p_hi,
                                      time_limit=max(t_end - time.monotonic(), 1e-3))
        except (ParameterError, ContinuationError):
            continue
        for pt in one.points:
            kind = next((k for k in kinds if pt.kind in want[k]), None)
            if kind is None:
                continue
            unit = None
            if kind == "border collision":
                if pt.unit is None or "," in pt.unit:
                    continue  # several units at once: not a curve of one condition
                unit = names.index(pt.unit)
            aug = _Augmented(fam, kind, (q_lo, q_hi), n, pl, names, unit)
            same = [c for c, g in zip(curves, augs) if c.kind == pt.kind and c.unit == pt.unit]
            if any(_on_curve(aug, c, pt.state, pt.value, float(q)) for c in same):
                continue
            size = (p_hi - p_lo) + (q_hi - q_lo) + float(np.max(np.abs(pt.state)))
            step = 0.05 * size if ds_max is None else as_float("ds_max", ds_max)
            kw: dict[str, Any] = dict(p_min=p_lo, p_max=p_hi, tests=aug.tests(), ds_max=step,
                                      ds=0.1 * step)
            try:
                c, ends = _follow_curve(aug, np.append(pt.state, q), pt.value, kw, t_end,
                                        max_steps)
            except ContinuationError:
                continue
            freq = None
            if kind == "hopf":
                freq = np.array([float(np.max(np.abs(np.linalg.eigvals(
                    aug.J(u[:-1], P, float(u[-1]))).imag))) for u, P in zip(c.u, c.p)])
            bt: list[dict[str, Any]] = []
            for k_end, end_name in zip((0, len(c) - 1), ends):
                if end_name != "equilibrium at infinity":
                    continue
                lim = _bogdanov_takens_at_infinity(aug, c.u[k_end], float(c.p[k_end]))
                if lim is not None:
                    bt.append({"kind": "Bogdanov-Takens (equilibrium at infinity)",
                               fam.P: lim[0], fam.Q: lim[1], "state": None})
            for e in c.events:
                if e.name == "BT on fold":
                    y = newton_polish(lambda z, aug=aug: np.append(
                        aug.residual(z[:-1], float(z[-1])),
                        np.trace(aug.J(z[:-2], float(z[-1]), float(z[-2])))),
                        np.append(e.u, e.p), max_move=1e-3)
                    y = np.append(e.u, e.p) if y is None else y
                    bt.append({"kind": "Bogdanov-Takens", fam.P: float(y[-1]),
                               fam.Q: float(y[-2]), "state": y[:-2].tolist()})
            curves.append(TwoParameterCurve(
                kind=pt.kind, P=c.p.copy(), Q=c.u[:, -1].copy(), states=c.u[:, :-1].copy(),
                names=(fam.P, fam.Q), unit=pt.unit if kind == "border collision" else None,
                frequency=freq, status=_status(ends),
                message=f"ends: {ends[0]}, {ends[1]}", ends=ends, points=bt))
            augs.append(aug)
    return TwoParameterCurves(param=fam.P, param2=fam.Q, box=(a, b, a2, b2), curves=curves)
