"""Every fixed point of a TLN, with support, index and the parity certificate.

Two methods, one verification:

* ``"enumerate"`` (any ``W``): all ``2^n`` supports, batched
  (:func:`ratenet.pwl.fixed_points.enumerate_fixed_points`); ``n <= max_units``.
* ``"graph"`` (CTLNs): candidate supports from the graph, then the same exact solve.
  For a CTLN, ``I - W_ss = (1 + delta) 1 1^T - M_s`` with ``M_s = delta I +
  (epsilon + delta) A_ss`` (``A[i, j] = 1`` when ``j -> i``), so by Sherman-Morrison the
  solution on ``s`` is ``x_s = theta z / ((1 + delta) Z - 1)`` with ``z = M_s^{-1} 1`` and
  ``Z = sum(z)``, and a unit ``k`` outside ``s`` gets the input
  ``u_k = theta (1 - (epsilon + delta) sum_{j in s, j -> k} z_j) / (1 - (1 + delta) Z)``.
  Hence for ``s`` not the whole network: ``z > 0``, ``Z > 1 / (1 + delta)`` and every
  ``k`` outside gets ``sum_{j -> k} z_j < 1 / (epsilon + delta)``.  ``M_s`` is block
  diagonal over the (weakly) connected components of the graph restricted to ``s``, so
  ``z`` is computed per connected block; a fixed-point support is a union of pairwise
  non-adjacent *valid* blocks (``z > 0`` and no outside node over the bound), and the
  bound only grows as blocks are added.  This is the graph rules' content (sinks,
  uniform in-degree and domination are special cases, see :mod:`ratenet.tln.rules`)
  turned into a search over connected induced subgraphs: fast for sparse graphs.

In both, every fixed point gets its Jacobian eigenvalues, stability and index
``sgn det(I - W_ss)``; the parity (sum of indices) is checked against +1.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import ParameterError, check_int
from ..pwl.fixed_points import MAX_UNITS, enumerate_fixed_points
from ._blocks import MAX_NODES, SINGULAR, TOO_MANY, neighbourhoods, search_blocks, unions
from .models import CTLN, TLN

__all__ = ["TLNFixedPoint", "TLNFixedPoints", "ctln_candidate_supports", "fixed_points"]

METHODS = ("auto", "enumerate", "graph")


@dataclass(frozen=True, eq=False)
class TLNFixedPoint:
    """One fixed point of a TLN.

    Attributes
    ----------
    support : tuple of int
        Active units (``x_i > 0``, or on the threshold inside the support).
    state : ndarray of shape (n,)
    eigenvalues : ndarray of complex, shape (n,)
        Of the Jacobian ``(-I + D_s W) / tau`` of the region, by decreasing real part.
    stable : bool
        Every eigenvalue has a negative real part (and the point is not degenerate).
    index : int
        ``sgn det(I - W_ss)`` (+1 or -1).
    degenerate : str or None
        Why the point is degenerate (a unit exactly on its threshold), else None.
    """

    support: tuple[int, ...]
    state: np.ndarray
    eigenvalues: np.ndarray
    stable: bool
    index: int
    degenerate: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"support": list(self.support), "state": [float(v) for v in self.state],
                "stable": bool(self.stable), "index": int(self.index),
                "eigenvalues": [[float(z.real), float(z.imag)] for z in self.eigenvalues],
                "degenerate": self.degenerate}


@dataclass(frozen=True, eq=False)
class TLNFixedPoints:
    """All fixed points of a TLN and their parity certificate.

    Attributes
    ----------
    n : int
    fixed_points : list of TLNFixedPoint
    parity : int
        Sum of the indices over all fixed points (+1 for a non-degenerate TLN).
    singular : list of tuple of int
        Supports with singular ``I - W_ss`` and a consistent system (continua).
    method : str
        ``"enumerate"`` or ``"graph"``.
    n_supports : int
        Supports solved exactly.
    seconds : float
    warning : str or None
        Set when the parity is not +1, with the cause.
    parity_certified : bool
        The network is competitive (``W_ij <= 0`` for ``i != j``, ``W_ii < 1``), so its
        rates are bounded and, if it is non-degenerate, the parity must be +1 (the
        degree of ``x - [W x + b]_+`` on a large ball, by the homotopy ``W -> t W``).
        Other networks may lose fixed points to infinity: their parity is reported,
        not checked.
    """

    n: int
    fixed_points: list[TLNFixedPoint]
    parity: int
    singular: list[tuple[int, ...]] = field(default_factory=list)
    method: str = "enumerate"
    n_supports: int = 0
    seconds: float = 0.0
    warning: str | None = None
    parity_certified: bool = True

    @property
    def supports(self) -> list[tuple[int, ...]]:
        return [fp.support for fp in self.fixed_points]

    @property
    def stable(self) -> list[TLNFixedPoint]:
        return [fp for fp in self.fixed_points if fp.stable]

    def __len__(self) -> int:
        return len(self.fixed_points)

    def __iter__(self):
        return iter(self.fixed_points)

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "fixed_points": [fp.to_dict() for fp in self.fixed_points],
                "parity": self.parity, "parity_certified": self.parity_certified,
                "singular": [list(s) for s in self.singular],
                "method": self.method, "n_supports": self.n_supports,
                "seconds": float(self.seconds), "warning": self.warning}


def _as_tln(model: Any) -> TLN:
    if isinstance(model, TLN):
        return model
    raise ParameterError("model", type(model).__name__, "a TLN or CTLN")


def _eigs(J: np.ndarray) -> np.ndarray:
    lam = np.linalg.eigvals(J)
    return lam[np.lexsort((-lam.imag, -lam.real))]


def ctln_candidate_supports(net: CTLN, *, max_blocks: int = 5_000_000,
                            max_fixed_points: int = 100_000, tol: float = 1e-9
                            ) -> list[tuple[int, ...]] | None:
    """Supports that can be fixed points of a CTLN, from its graph (see the module doc).

    A superset of the fixed-point supports (each is then solved exactly); the
    inequalities are relaxed by ``tol`` so that points on a threshold stay in.

    Returns
    -------
    list of tuple of int, or None
        None when some connected block has a singular ``M_s`` (the rank-one formula
        does not apply; fall back to enumeration).

    Raises
    ------
    ParameterError
        ``max_blocks`` connected blocks or ``max_fixed_points`` candidates exceeded
        (a dense graph, or very many fixed points), naming the option to raise.
    """
    n = net.n
    A = net.adjacency
    ed = net.epsilon + net.delta
    bound = 1.0 / ed
    if n > MAX_NODES:
        raise ParameterError("n", n, f"at most {MAX_NODES} for the graph method",
                             hint="use method='enumerate' for n <= "
                             f"{MAX_UNITS}, or a smaller network")
    nbr_a, innbr_a, outnbr_a = neighbourhoods(A)
    masks, contribs, zsums, _visited, status = search_blocks(
        n, nbr_a, innbr_a, outnbr_a, A.astype(float), float(net.delta), float(ed),
        float(bound), float(tol), int(max_blocks))
    if status == TOO_MANY:
        raise ParameterError("max_blocks", max_blocks, f"more than the connected "
                             f"blocks of this graph (n = {n})",
                             hint="the graph is too dense for the graph method; raise "
                             "max_blocks, or use method='enumerate' for n <= "
                             f"{MAX_UNITS}")
    if status == SINGULAR:
        return None
    order = np.argsort(masks, kind="stable")
    masks, contribs, zsums = masks[order], contribs[order], zsums[order]
    closed = masks.copy()
    for q, m in enumerate(masks):
        for i in range(n):
            if int(m) >> i & 1:
                closed[q] |= nbr_a[i]
    z_min = 1.0 / (1.0 + net.delta) - tol
    sup, status = unions(masks, closed, contribs, zsums, float(bound), float(tol),
                         float(z_min), int(max_fixed_points))
    if status == TOO_MANY:
        raise ParameterError("max_fixed_points", max_fixed_points,
                             "more than the candidate supports of this graph",
                             hint="raise max_fixed_points (the network has very "
                             "many fixed points)")
    out = [tuple(i for i in range(n) if int(m) >> i & 1) for m in sup]
    out.append(tuple(range(n)))  # the full support: no outside unit, z < 0 allowed
    return sorted(set(out))


def fixed_points(model: Any, *, method: str = "auto", max_units: int = MAX_UNITS,
                 max_blocks: int = 5_000_000, max_fixed_points: int = 100_000,
                 rtol: float = 1e-10, progress: bool = False, warn: bool = True
                 ) -> TLNFixedPoints:
    """All fixed points of a TLN or CTLN, exactly, with the parity certificate.

    Parameters
    ----------
    model : TLN or CTLN
    method : {"auto", "enumerate", "graph"}, default "auto"
        ``"graph"`` (CTLNs only) searches the graph's connected blocks; ``"enumerate"``
        tries all ``2^n`` supports.  ``"auto"``: ``"graph"`` for a CTLN, else
        ``"enumerate"``.
    max_units : int, default 24
        Largest ``n`` for ``"enumerate"``.
    max_blocks, max_fixed_points : int, default 5,000,000 and 100,000
        Caps of the graph method: connected blocks visited by the compiled search
        (a few microseconds each: the default is seconds on a quiet machine), and
        candidate supports.
    rtol : float, default 1e-10
        Relative tolerance for a unit on its threshold.
    progress : bool, default False
    warn : bool, default True
        Issue a RuntimeWarning when the parity of a competitive network is not +1.

    Returns
    -------
    TLNFixedPoints

    Examples
    --------
    >>> from ratenet.tln import CTLN
    >>> res = fixed_points(CTLN("0->1,1->2,2->0"))
    >>> [fp.support for fp in res], res.parity
    ([(0, 1, 2)], 1)
    """
    net = _as_tln(model)
    if method not in METHODS:
        raise ParameterError("method", method, f"one of {METHODS}")
    max_units = check_int("max_units", max_units, minimum=1)
    max_blocks = check_int("max_blocks", max_blocks, minimum=1)
    max_fixed_points = check_int("max_fixed_points", max_fixed_points, minimum=1)
    if method == "graph" and not isinstance(net, CTLN):
        raise ParameterError("method", method, "'enumerate' or 'auto' for a TLN that is not "
                             "a CTLN (the graph method needs a graph)")
    t0 = time.perf_counter()
    used = "enumerate"
    cands = None
    if isinstance(net, CTLN) and method in ("auto", "graph"):
        cands = ctln_candidate_supports(net, max_blocks=max_blocks,
                                        max_fixed_points=max_fixed_points)
        if cands is not None:
            used = "graph"
        elif net.n > max_units:
            raise ParameterError("n", net.n, f"at most max_units = {max_units}: the graph "
                                 "method does not apply (a singular block) and the "
                                 "enumeration of 2^n supports is capped",
                                 hint="raise max_units")
    if cands is None and net.n > max_units:
        raise ParameterError("n", net.n, f"at most max_units = {max_units} for "
                             "method='enumerate' (2^n supports)",
                             hint="raise max_units, or build a CTLN to use the graph method")
    res = enumerate_fixed_points(net.W, net.b, rtol=rtol, max_units=max_units,
                                 supports=cands, progress=progress)
    fps: list[TLNFixedPoint] = []
    for x, act, idx, thr in zip(res.states, res.supports, res.index, res.on_threshold):
        S = tuple(int(i) for i in np.flatnonzero(act))
        lam = _eigs(net.jacobian(S))
        why = None
        if np.any(thr):
            units = [int(i) for i in np.flatnonzero(thr)]
            why = f"unit(s) {units} exactly on the threshold (input 0)"
        stable = why is None and bool(np.all(lam.real < 0))
        fps.append(TLNFixedPoint(support=S, state=x, eigenvalues=lam, stable=stable,
                                 index=int(idx), degenerate=why))
    singular = [tuple(int(i) for i in np.flatnonzero(s)) for s in res.singular]
    parity = int(sum(fp.index for fp in fps))
    certified = net.is_competitive
    msg = None
    if parity != 1 and not certified:
        msg = (f"parity (sum of indices) is {parity}: the +1 certificate holds for "
               "competitive networks (W_ij <= 0 off the diagonal, W_ii < 1), whose rates "
               "stay bounded; this network is not one")
    elif parity != 1:
        causes = []
        if singular:
            causes.append(f"singular I - W_ss on support(s) {singular[:5]}")
        border = [fp.support for fp in fps if fp.degenerate]
        if border:
            causes.append(f"fixed point(s) on a threshold, support(s) {border[:5]}")
        cause = "; ".join(causes) if causes else (
            "no degeneracy detected: a fixed point may be missing (report this)")
        msg = f"parity (sum of indices) is {parity}, not +1: {cause}"
    if msg and warn and certified:
        warnings.warn(msg, RuntimeWarning, stacklevel=2)
    return TLNFixedPoints(n=net.n, fixed_points=fps, parity=parity, singular=singular,
                          method=used, n_supports=res.n_supports,
                          seconds=time.perf_counter() - t0, warning=msg,
                          parity_certified=certified)
