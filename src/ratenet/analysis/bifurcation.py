"""One-parameter bifurcation diagrams of small rate networks.

Along a grid of values of one parameter:

* every fixed point (exact for threshold-linear networks), grouped into **branches**:
  by active set (threshold-linear: one region, one branch) or by continuity (smooth);
  with eigenvalues, type, stability, trace and determinant of the Jacobian (the path
  in the trace-determinant plane);
* **Hopf points**, where a complex pair crosses the imaginary axis: the closed form
  when the model offers one (:meth:`ratenet.EIModel.hopf_closed_form`), root finding
  (Brent, to ``1e-12`` relative) on the real part of the pair otherwise.  For a
  piecewise-linear network this is where the linearisation is a centre; the cycle is
  born there at finite amplitude (no normal form is assumed anywhere);
* **border collisions** (threshold-linear): a fixed point meeting a threshold, located
  by root finding.  Either it crosses into the neighbouring region (``"border
  crossing"``) or it meets the fixed point of that region and both vanish
  (``"border-collision fold"``: fixed points appearing or vanishing in pairs);
* **folds** of smooth networks (two branches ending together where an eigenvalue
  goes through 0), located by bisection on the existence of the fixed point;
* the **limit cycle** at each value (period, min and max of every unit, multipliers),
  continued from one value to the next.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import brentq

from .._json import json_safe as _json_safe
from .._validation import ParameterError, as_float_array
from ..network import RateNetwork
from ..transfer import ThresholdLinear
from ._flow import make_flow
from .fixed_points import (
    FixedPoint,
    _make_fixed_point,
    as_network,
    find_fixed_points,
    region_system,
)
from .limit_cycle import LimitCycle, _default_starts, _refine, _search_from

__all__ = [
    "BifurcationDiagram",
    "BifurcationPoint",
    "Branch",
    "CycleBranch",
    "bifurcation_diagram",
]


def _active_label(active: tuple[bool, ...] | None, names: Sequence[str], k: int) -> str:
    if active is None:
        return f"branch {k}"
    on = [n for n, a in zip(names, active) if a]
    return ("active: " + ", ".join(on)) if on else "all silent"


@dataclass(frozen=True, eq=False)
class Branch:
    """One branch of fixed points along the parameter grid.

    Arrays are over the whole grid (length K = number of parameter values), with nan
    (and ``exists`` False) where the branch has no fixed point.

    Attributes
    ----------
    label : str
        ``"active: E, I"``-style for threshold-linear networks, ``"branch k"`` otherwise.
    active : tuple of bool or None
        The active set of the branch (threshold-linear networks).
    exists : ndarray of bool, shape (K,)
    states : ndarray of shape (K, n)
    eigenvalues : ndarray of complex, shape (K, n)
    types : list of str or None, length K
    stable : ndarray of bool, shape (K,)
    trace, determinant : ndarray of shape (K,)
        Of the Jacobian: the path in the trace-determinant plane.
    """

    label: str
    active: tuple[bool, ...] | None
    exists: np.ndarray
    states: np.ndarray
    eigenvalues: np.ndarray
    types: list[str | None]
    stable: np.ndarray
    trace: np.ndarray
    determinant: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON (nan where the branch does not exist becomes None)."""
        return _json_safe({
            "label": self.label,
            "active": None if self.active is None else [bool(a) for a in self.active],
            "exists": self.exists.tolist(),
            "states": self.states.tolist(),
            "eigenvalues": [[[float(z.real), float(z.imag)] for z in row]
                            for row in self.eigenvalues],
            "types": list(self.types),
            "stable": self.stable.tolist(),
            "trace": self.trace.tolist(),
            "determinant": self.determinant.tolist(),
        })


@dataclass(frozen=True, eq=False)
class BifurcationPoint:
    """A located bifurcation.

    Attributes
    ----------
    kind : str
        ``"hopf"``, ``"border crossing"``, ``"border-collision fold"``, ``"fold"``,
        ``"zero eigenvalue"`` or ``"escape to infinity"``.
    value : float
        Parameter value.
    state : ndarray of shape (n,)
        The fixed point there.
    branches : tuple of str
        Labels of the branch(es) involved.
    method : str
        ``"closed form"``, ``"root finding"``, ``"bisection on existence"`` (smooth
        folds) or ``"grid"`` (bracketed between two grid values only).
    frequency : float or None
        Hopf: the imaginary part of the critical pair (rad per time unit).
    unit : str or None
        Border collisions: the unit whose input meets its threshold.
    """

    kind: str
    value: float
    state: np.ndarray
    branches: tuple[str, ...]
    method: str
    frequency: float | None = None
    unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _json_safe({"kind": self.kind, "value": float(self.value),
                           "state": self.state.tolist(), "branches": list(self.branches),
                           "method": self.method, "frequency": self.frequency,
                           "unit": self.unit})


@dataclass(frozen=True, eq=False)
class CycleBranch:
    """The limit cycle along the grid (nan where none was found).

    Attributes
    ----------
    exists : ndarray of bool, shape (K,)
    period : ndarray of shape (K,)
    minimum, maximum : ndarray of shape (K, n)
    stable : ndarray of bool, shape (K,)
    multipliers : ndarray of complex, shape (K, n)
    """

    exists: np.ndarray
    period: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    stable: np.ndarray
    multipliers: np.ndarray

    def to_dict(self, names: Sequence[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"exists": self.exists.tolist(), "period": self.period.tolist()}
        for i, n in enumerate(names):
            out[f"nu_{n}_min"] = self.minimum[:, i].tolist()
            out[f"nu_{n}_max"] = self.maximum[:, i].tolist()
        out["stable"] = self.stable.tolist()
        out["multipliers"] = [[[float(z.real), float(z.imag)] for z in row]
                              for row in self.multipliers]
        return _json_safe(out)


@dataclass(frozen=True, eq=False)
class BifurcationDiagram:
    """Fixed-point branches, bifurcation points and cycles along one parameter.

    Attributes
    ----------
    param : str
    values : ndarray of shape (K,)
    branches : list of Branch
    points : list of BifurcationPoint
        Sorted by parameter value.
    cycles : CycleBranch or None
        None when cycles were not computed.
    names : tuple of str
    model : dict
        The base model's parameters (``to_dict()``), when it has them.
    """

    param: str
    values: np.ndarray
    branches: list[Branch]
    points: list[BifurcationPoint]
    cycles: CycleBranch | None
    names: tuple[str, ...]
    model: dict[str, Any] = field(default_factory=dict)

    @property
    def hopf(self) -> list[BifurcationPoint]:
        """The Hopf points (centre crossings for piecewise-linear networks)."""
        return [p for p in self.points if p.kind == "hopf"]

    @property
    def folds(self) -> list[BifurcationPoint]:
        """Points where fixed points appear or vanish in pairs."""
        return [p for p in self.points if p.kind in ("fold", "border-collision fold")]

    @property
    def border_collisions(self) -> list[BifurcationPoint]:
        """Fixed points meeting a threshold (crossings and folds)."""
        return [p for p in self.points if p.kind.startswith("border")]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: ``hopf``, ``folds``, ``border_collisions`` (parameter values),
        ``points``, ``branches``, ``cycles``; nan becomes None."""
        return _json_safe({
            "param": self.param, "values": self.values.tolist(),
            "hopf": [float(p.value) for p in self.hopf],
            "folds": [float(p.value) for p in self.folds],
            "border_collisions": [float(p.value) for p in self.border_collisions],
            "points": [p.to_dict() for p in self.points],
            "branches": [b.to_dict() for b in self.branches],
            "cycles": None if self.cycles is None else self.cycles.to_dict(self.names),
            "names": list(self.names), "model": self.model,
        })


# ----------------------------------------------------------------- builders
def _builder(model: Any, param: str) -> tuple[Callable[[float], Any], str]:
    """``value -> model`` and the canonical parameter name."""
    if hasattr(model, "replace") and hasattr(model, "to_network"):
        canon = model.parameter_name(param) if hasattr(model, "parameter_name") else param
        if hasattr(model, canon):
            return (lambda v: model.replace(**{canon: float(v)})), canon
        raise ParameterError("param", param, f"a parameter of {type(model).__name__}")
    if callable(model):
        return model, param
    raise ParameterError("model", type(model).__name__,
                         "a model with replace() and to_network(), or a function value -> model")


def _margin(net: RateNetwork, active: tuple[bool, ...]) -> tuple[float, np.ndarray, int]:
    """Self-consistency margin of the region's fixed point (>= 0 where it exists)."""
    W = net.weights
    g, thr = net.transfer.gain, net.transfer.threshold  # type: ignore[attr-defined]
    h = net.external(0.0) - thr
    S = np.flatnonzero(active)
    x = np.zeros(net.n)
    if S.size:
        M = np.eye(S.size) - g * W[np.ix_(S, S)]
        x[S] = np.linalg.solve(M, g * h[S])
    u = W @ x + h
    c = np.where(np.array(active), u, -u)
    i = int(np.argmin(c))
    return float(c[i]), x + 0.0, i  # (+ 0.0 turns -0.0 into 0.0)


def _real_part(net: RateNetwork, x: np.ndarray, active) -> tuple[float, float]:
    """Largest real part among the complex eigenvalues (nan if none) and its imaginary part."""
    J = region_system(net, active)[0] if active is not None else net.jacobian(x)
    lam = np.linalg.eigvals(J)
    cplx = lam[np.abs(lam.imag) > 1e-12 * max(1.0, float(np.max(np.abs(lam))))]
    if cplx.size == 0:
        return np.nan, 0.0
    k = int(np.argmax(cplx.real))
    return float(cplx[k].real), float(abs(cplx[k].imag))


def _continue_smooth(net: RateNetwork, x: np.ndarray) -> np.ndarray | None:
    from scipy.optimize import root

    tau = np.asarray(net.tau, dtype=float)
    res = root(lambda y: net.rhs(0.0, y) * tau, x, jac=lambda y: net.jacobian(y) * tau[:, None],
               method="hybr", options={"xtol": 1e-13})
    # judged by the residual: near a fold hybr may stop short of xtol yet be on the root
    if not np.all(np.isfinite(res.x)) or np.max(np.abs(net.rhs(0.0, res.x) * tau)) > 1e-9 * max(
            1.0, float(np.max(np.abs(res.x)))):
        return None
    return res.x


# ------------------------------------------------------------------- driver
def bifurcation_diagram(model: Any, param: str, values: Sequence[float] | np.ndarray, *,
                        cycles: bool = True, progress: bool = False) -> BifurcationDiagram:
    """Fixed points, their stability, bifurcations and limit cycles along one parameter.

    Parameters
    ----------
    model : EIModel (or any model with ``replace`` and ``to_network``), or callable
        A callable ``value -> model`` (or ``-> RateNetwork``) lets any network be swept.
    param : str
        The parameter varied (any letter case for :class:`ratenet.EIModel`).
    values : array_like of shape (K,)
        Increasing parameter values.
    cycles : bool, default True
        Also find the limit cycle at each value (continued from the previous one).
    progress : bool, default False
        Show a progress bar on stderr.

    Returns
    -------
    BifurcationDiagram

    Examples
    --------
    >>> import numpy as np
    >>> from ratenet import EIModel
    >>> d = bifurcation_diagram(EIModel(), "tau_I", np.linspace(20, 60, 41), cycles=False)
    >>> [round(p.value, 9) for p in d.hopf]
    [40.0]
    """
    from tqdm.auto import tqdm

    build, canon = _builder(model, param)
    vals = as_float_array("values", values)
    if vals.ndim != 1 or vals.size < 2 or not np.all(np.isfinite(vals)):
        raise ParameterError("values", values, "at least 2 finite parameter values")
    if np.any(np.diff(vals) <= 0):
        raise ParameterError("values", values, "strictly increasing parameter values")
    K = vals.size
    nets = [as_network(build(v)) for v in vals]
    n = nets[0].n
    names = tuple(nets[0].names or ())
    pl = isinstance(nets[0].transfer, ThresholdLinear)

    # ---- fixed points on the grid, grouped into branches
    per_value: list[list[FixedPoint]] = []
    for k in tqdm(range(K), disable=not progress, desc="fixed points", leave=False):
        if pl or k == 0:
            per_value.append(find_fixed_points(nets[k]))
        else:
            found: list[FixedPoint] = []
            for fp in per_value[-1]:
                x = _continue_smooth(nets[k], fp.state)
                if x is not None and not any(np.allclose(x, f.state, atol=1e-7) for f in found):
                    found.append(_make_fixed_point(nets[k], x, None, None))
            for fp in find_fixed_points(nets[k], starts_per_dim=6):
                if not any(np.allclose(fp.state, f.state, atol=1e-6 * max(1.0, float(
                        np.max(np.abs(f.state))))) for f in found):
                    found.append(fp)
            per_value.append(found)
    keys: list[Any] = []
    slots: list[dict[int, FixedPoint]] = []
    for k, fps in enumerate(per_value):
        if pl:
            for fp in fps:
                if fp.active in keys:
                    j = keys.index(fp.active)
                else:
                    keys.append(fp.active)
                    slots.append({})
                    j = len(slots) - 1
                slots[j][k] = fp
            continue
        # smooth: continue each branch to the mutually nearest fixed point, predicted
        # linearly from the branch's last two points
        live = [b for b, slot in enumerate(slots) if (k - 1) in slot]
        match: dict[int, int] = {}
        if live and fps:
            pred = np.array([2 * slots[b][k - 1].state - slots[b][k - 2].state
                             if (k - 2) in slots[b] else slots[b][k - 1].state for b in live])
            cur = np.array([fp.state for fp in fps])
            D = np.linalg.norm(cur[:, None, :] - pred[None, :, :], axis=-1)
            for i in range(len(fps)):
                jb = int(np.argmin(D[i]))
                if int(np.argmin(D[:, jb])) == i:
                    match[i] = live[jb]
        for i, fp in enumerate(fps):
            j = match.get(i, -1)
            if j < 0:
                keys.append(None)
                slots.append({})
                j = len(slots) - 1
            slots[j][k] = fp
    branches = []
    for b, (key, slot) in enumerate(zip(keys, slots)):
        exists = np.array([k in slot for k in range(K)])
        states = np.full((K, n), np.nan)
        eig = np.full((K, n), np.nan + 0j)
        types: list[str | None] = [None] * K
        stable = np.zeros(K, dtype=bool)
        tr, det = np.full(K, np.nan), np.full(K, np.nan)
        for k, fp in slot.items():
            states[k], eig[k], types[k], stable[k] = fp.state, fp.eigenvalues, fp.type, fp.stable
            tr[k], det[k] = fp.trace, fp.determinant
        branches.append(Branch(label=_active_label(key, names, b), active=key, exists=exists,
                               states=states, eigenvalues=eig, types=types, stable=stable,
                               trace=tr, determinant=det))

    # ---- bifurcation points
    points: list[BifurcationPoint] = []
    closed = getattr(model, "hopf_closed_form", None)
    for br, slot in zip(branches, slots):
        ks = sorted(slot)
        for k0, k1 in itertools.pairwise(ks):
            if k1 != k0 + 1:
                continue
            r0, _ = _real_part(nets[k0], slot[k0].state, br.active)
            r1, _ = _real_part(nets[k1], slot[k1].state, br.active)
            if not (np.isfinite(r0) and np.isfinite(r1)) or np.sign(r0) == np.sign(r1) or (
                    r0 == 0 and k0 > ks[0]):
                continue
            points.append(_locate_hopf(build, canon, vals[k0], vals[k1], br, slot[k0], pl,
                                       closed, n))
        if pl:
            for k in range(K - 1):
                if br.exists[k] != br.exists[k + 1]:
                    pt = _locate_border(build, br, vals[k], vals[k + 1], bool(br.exists[k]),
                                        branches, k, names)
                    if pt is not None and not any(
                            q.kind == pt.kind and abs(q.value - pt.value) <= 1e-9 * max(
                                1.0, abs(pt.value)) and set(q.branches) == set(pt.branches)
                            for q in points):
                        points.append(pt)
        else:
            for k in range(K - 1):
                if br.exists[k] != br.exists[k + 1]:
                    kk = k if br.exists[k] else k + 1
                    pt = _locate_smooth_fold(build, vals[kk], vals[k + k + 1 - kk],
                                             br.states[kk], br.label)
                    if pt is None:
                        continue
                    twin = next((q for q in points if q.kind == "fold" and abs(
                        q.value - pt.value) <= 1e-6 * max(1.0, abs(pt.value))), None)
                    if twin is None:
                        points.append(pt)
                    elif br.label not in twin.branches:
                        points[points.index(twin)] = BifurcationPoint(
                            kind="fold", value=twin.value, state=twin.state,
                            branches=(*twin.branches, br.label), method=twin.method)
    points.sort(key=lambda p: p.value)

    # ---- limit cycles, continued along the grid
    cyc_branch = None
    if cycles:
        cyc_branch = _cycles_along(nets, progress=progress)
    base = model.to_dict() if hasattr(model, "to_dict") else {}
    return BifurcationDiagram(param=canon, values=vals, branches=branches, points=points,
                              cycles=cyc_branch, names=names, model=base)


def _locate_hopf(build, canon, v0, v1, br: Branch, fp0: FixedPoint, pl: bool, closed,
                 n: int) -> BifurcationPoint:
    method = "root finding"
    value = None
    if closed is not None and pl and br.active is not None and all(br.active):
        c = closed(canon)
        if c is not None and min(v0, v1) <= c <= max(v0, v1):
            value, method = float(c), "closed form"
    state_guess = fp0.state

    def fixed_state(v):
        net = as_network(build(v))
        if pl:
            return net, _margin(net, br.active)[1]
        x = _continue_smooth(net, state_guess)
        return net, (state_guess if x is None else x)

    def re(v):
        net, x = fixed_state(v)
        return _real_part(net, x, br.active)[0]

    if value is None:
        r0 = re(v0)
        if r0 == 0:
            value = float(v0)
        else:
            value = float(brentq(re, v0, v1, xtol=1e-13 * max(1.0, abs(v0)), rtol=1e-14))
    net, x = fixed_state(value)
    _, om = _real_part(net, x, br.active)
    return BifurcationPoint(kind="hopf", value=value, state=np.asarray(x, dtype=float),
                            branches=(br.label,), method=method, frequency=om)


def _locate_border(build, br: Branch, v0, v1, exists_left: bool, branches: list[Branch],
                   k: int, names) -> BifurcationPoint | None:
    active = br.active
    assert active is not None

    def margin(v):
        try:
            return _margin(as_network(build(v)), active)[0]
        except (np.linalg.LinAlgError, ParameterError):
            return -np.inf

    m0, m1 = margin(v0), margin(v1)
    side = k if exists_left else k + 1
    scale = max(1.0, float(np.nanmax(np.abs(br.states[side]))))
    escape = BifurcationPoint(kind="escape to infinity", value=float(0.5 * (v0 + v1)),
                              state=br.states[side].copy(), branches=(br.label,), method="grid")
    if not (np.isfinite(m0) and np.isfinite(m1)):
        return escape
    if m0 * m1 > 0:
        if min(abs(m0), abs(m1)) > 1e-9 * scale:
            return escape  # no sign change: the solution went through infinity
        v = float(v0 if abs(m0) < abs(m1) else v1)  # the grid value sits on the border
    else:
        v = float(brentq(margin, v0, v1, xtol=1e-13 * max(1.0, abs(v0)), rtol=1e-14))
    net = as_network(build(v))
    _, x, i = _margin(net, active)
    if not np.max(np.abs(x)) < 1e6 * scale:
        return escape
    other = tuple(not a if j == i else a for j, a in enumerate(active))
    partner = next((b for b in branches if b.active == other), None)
    labels: tuple[str, ...] = (br.label,) if partner is None else (br.label, partner.label)
    # which side of v each of the two fixed points lives on, just off the border
    eps = 1e-4 * (v1 - v0)
    own_left = margin(v - eps) >= 0 if exists_left is None else exists_left

    def partner_margin(w):
        try:
            return _margin(as_network(build(w)), other)[0]
        except (np.linalg.LinAlgError, ParameterError):
            return -np.inf

    p_left, p_right = partner_margin(v - eps) >= 0, partner_margin(v + eps) >= 0
    if (p_left and own_left) or (p_right and not own_left):
        kind = "border-collision fold"  # the two meet and vanish together
    else:
        kind = "border crossing"  # the fixed point moves on into the neighbouring region
    return BifurcationPoint(kind=kind, value=v, state=x, branches=labels, method="root finding",
                            unit=str(names[i]) if names else str(i))


def _locate_smooth_fold(build, v_in: float, v_out: float, x_in: np.ndarray, label: str,
                        iters: int = 50) -> BifurcationPoint | None:
    """Where a smooth branch ends between ``v_in`` (exists) and ``v_out`` (does not).

    Bisection on the existence of the fixed point, each trial continued by Newton from
    the last one found; reported as a fold when the Jacobian there has an eigenvalue
    close to 0 (relative ``1e-3``), else None.
    """
    x = np.asarray(x_in, dtype=float)
    scale = max(1.0, float(np.max(np.abs(x))))
    a, b = float(v_in), float(v_out)
    for _ in range(iters):
        mid = 0.5 * (a + b)
        try:
            y = _continue_smooth(as_network(build(mid)), x)
        except ParameterError:
            y = None
        if y is not None and np.linalg.norm(y - x) < 0.2 * scale:
            a, x = mid, y
        else:
            b = mid
        if abs(b - a) <= 1e-13 * max(1.0, abs(a)):
            break
    lam = np.linalg.eigvals(as_network(build(a)).jacobian(x))
    if np.min(np.abs(lam)) > 1e-3 * np.max(np.abs(lam)):
        return None
    return BifurcationPoint(kind="fold", value=a, state=x, branches=(label,),
                            method="bisection on existence")


def _cycles_along(nets: list[RateNetwork], *, progress: bool) -> CycleBranch:
    from tqdm.auto import tqdm

    K, n = len(nets), nets[0].n
    exists = np.zeros(K, dtype=bool)
    period = np.full(K, np.nan)
    mins, maxs = np.full((K, n), np.nan), np.full((K, n), np.nan)
    stable = np.zeros(K, dtype=bool)
    mult = np.full((K, n), np.nan + 0j)
    prev: LimitCycle | None = None
    names = tuple(nets[0].names or ())
    for k in tqdm(range(K), disable=not progress, desc="limit cycles", leave=False):
        net = nets[k]
        flow = make_flow(net)
        cyc = None
        if prev is not None:
            cyc = _refine(flow, prev.point, prev.period, tol=1e-10, samples=2000, names=names)
        if cyc is None:
            t_search = 3000.0 * float(np.max(net.tau))
            for start in _default_starts(net, flow):
                cyc = _search_from(flow, start, t_search, tol=1e-10, samples=2000, names=names)
                if cyc is not None:
                    break
        if cyc is not None:
            exists[k], period[k] = True, cyc.period
            mins[k], maxs[k], stable[k] = cyc.minimum, cyc.maximum, cyc.stable
            mult[k] = cyc.floquet_multipliers
        prev = cyc
    return CycleBranch(exists=exists, period=period, minimum=mins, maximum=maxs, stable=stable,
                       multipliers=mult)
