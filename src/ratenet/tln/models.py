"""Threshold-linear networks (TLN) of any size, and combinatorial TLNs (CTLN) from a graph.

``tau dx_i/dt = -x_i + [sum_j W_ij x_j + b_i]_+`` with ``W[i, j]`` onto unit i from
unit j.  A CTLN (Curto and Morrison) builds ``W`` from a directed graph ``G``::

    W_ij = 0              if i == j
         = -1 + epsilon   if j -> i in G
         = -1 - delta     if j -/-> i,          b_i = theta.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import ParameterError, as_float, as_float_array, check_int, check_positive
from ..network import RateNetwork
from ..transfer import ThresholdLinear

__all__ = ["CTLN", "TLN", "parse_edges"]


def _check_weights(W: Any) -> np.ndarray:
    W = as_float_array("W", W, allow_nan=True, allow_inf=True)  # non-finite: named below
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] == 0:
        raise ParameterError("W", f"array of shape {W.shape}", "a square (n, n) matrix, n >= 1")
    if not np.all(np.isfinite(W)):
        bad = np.argwhere(~np.isfinite(W))[0]
        raise ParameterError("W", f"W[{bad[0]}, {bad[1]}] = {W[tuple(bad)]}",
                             "finite in every entry")
    return W


def _check_vector(name: str, v: Any, n: int, *, positive: bool = False) -> np.ndarray:
    arr = as_float_array(name, v, allow_nan=True, allow_inf=True)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.size != n):
        raise ParameterError(name, f"array of shape {arr.shape}", f"a number or shape ({n},)")
    arr = np.broadcast_to(arr, (n,)).copy()
    if not np.all(np.isfinite(arr)) or (positive and np.any(arr <= 0)):
        raise ParameterError(name, v, "finite and > 0" if positive else "finite")
    return arr


#: Largest CTLN built (its dense W takes 8 n^2 bytes: 0.8 GB at this n).
MAX_CTLN_NODES = 10_000


@dataclass(frozen=True, eq=False)
class TLN:
    """A threshold-linear network ``tau dx/dt = -x + [W x + b]_+``.

    Parameters
    ----------
    W : array_like of shape (n, n)
        Weights, ``W[i, j]`` onto unit i from unit j.
    b : float or array_like of shape (n,), default 0
        External input.
    tau : float or array_like of shape (n,), default 1
        Time constants (the unit of time).

    Examples
    --------
    >>> net = TLN([[0.0, -2.0], [-2.0, 0.0]], b=1.0)
    >>> net.n, net.rhs(np.array([1.0, 0.0])).tolist()
    (2, [0.0, 0.0])
    """

    W: Any
    b: Any = 0.0
    tau: Any = 1.0

    def __post_init__(self) -> None:
        W = _check_weights(self.W)
        n = W.shape[0]
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "b", _check_vector("b", self.b, n))
        object.__setattr__(self, "tau", _check_vector("tau", self.tau, n, positive=True))

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.W.shape[0])

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(str(i) for i in range(self.n))

    def to_network(self) -> RateNetwork:
        """The :class:`ratenet.RateNetwork` (threshold-linear transfer, input ``b``)."""
        return RateNetwork(W=self.W, tau=self.tau, h=self.b, transfer=ThresholdLinear(),
                           names=self.names)

    def rhs(self, x: np.ndarray) -> np.ndarray:
        """``dx/dt`` for states of shape ``(..., n)``."""
        x = np.asarray(x, dtype=float)
        return (-x + np.maximum(x @ self.W.T + self.b, 0.0)) / self.tau

    def jacobian(self, support: Iterable[int]) -> np.ndarray:
        """Jacobian ``(-I + D_S W) / tau`` in the region of active set ``support``."""
        D = np.zeros(self.n)
        D[list(support)] = 1.0
        return (D[:, None] * self.W - np.eye(self.n)) / self.tau[:, None]

    @property
    def is_competitive(self) -> bool:
        """``W_ij <= 0`` for ``i != j`` and ``W_ii < 1``: rates stay bounded."""
        off = self.W[~np.eye(self.n, dtype=bool)]
        return bool(np.all(off <= 0) and np.all(np.diag(self.W) < 1))

    @property
    def is_symmetric(self) -> bool:
        return bool(np.allclose(self.W, self.W.T, rtol=0.0, atol=1e-14))

    def to_dict(self) -> dict[str, Any]:
        return {"model": "TLN", "n": self.n, "W": self.W.tolist(), "b": self.b.tolist(),
                "tau": self.tau.tolist()}


def parse_edges(graph: Any, n: int | None = None) -> tuple[int, list[tuple[int, int]]]:
    """Edges ``(j, i)`` (j -> i) and ``n`` from an edge list, a string or a networkx DiGraph.

    ``graph`` may be ``"0->1,1->2,2->0"``, a list of pairs ``(j, i)``, a square NumPy
    adjacency matrix (``A[i, j] != 0`` when ``j -> i``, as for ``W``) or a ``networkx.DiGraph``
    whose nodes are ``0..n-1``.  Without ``n``, ``n`` is one more than the largest node.

    Examples
    --------
    >>> parse_edges("0->1,1->2,2->0")
    (3, [(0, 1), (1, 2), (2, 0)])
    >>> parse_edges([(0, 1)], n=3)   # node 2 has no edges
    (3, [(0, 1)])
    """
    if n is not None:
        n = check_int("n", n, minimum=1)
    edges: list[tuple[int, int]] = []
    if hasattr(graph, "nodes") and hasattr(graph, "edges"):  # networkx, duck-typed
        nodes = list(graph.nodes)
        if n is None:
            n = len(nodes)
        for v in nodes:
            if not isinstance(v, (int, np.integer)) or not 0 <= int(v) < n:
                raise ParameterError("graph", f"node {v!r}", f"nodes numbered 0..{n - 1}")
        edges = [(int(j), int(i)) for j, i in graph.edges]
    elif isinstance(graph, str):
        text = graph.replace(";", ",").replace(" ", "")
        for item in filter(None, text.split(",")):
            parts = item.split("->")
            if len(parts) != 2:
                raise ParameterError("graph", item, "edges written 'j->i', separated by commas")
            try:
                edges.append((int(parts[0]), int(parts[1])))
            except ValueError:
                raise ParameterError("graph", item, "edges 'j->i' between integer nodes") from None
    else:
        arr = graph if isinstance(graph, np.ndarray) else None
        if arr is not None and arr.ndim == 2 and arr.shape[0] == arr.shape[1]:
            ii, jj = np.nonzero(arr)
            edges = [(int(j), int(i)) for i, j in zip(ii, jj)]
            if n is None:
                n = arr.shape[0]
            elif n != arr.shape[0]:
                raise ParameterError("n", n, f"{arr.shape[0]} (the adjacency matrix's size)")
        else:
            try:
                edges = [(int(e[0]), int(e[1])) for e in graph]
            except (TypeError, ValueError, IndexError):
                raise ParameterError("graph", graph, "an edge list such as '0->1,1->2' or "
                                     "[(0, 1), (1, 2)], an adjacency matrix or a "
                                     "networkx DiGraph") from None
            if any(len(e) != 2 for e in graph):
                raise ParameterError("graph", graph, "pairs (j, i) meaning j -> i")
    top = max((max(e) for e in edges), default=-1)
    if n is None:
        if top < 0:
            raise ParameterError("n", None, "given when the graph has no edges")
        n = top + 1
    for j, i in edges:
        if not (0 <= j < n and 0 <= i < n):
            raise ParameterError("graph", f"edge {j}->{i}", f"edges between nodes 0..{n - 1} "
                                 f"(n = {n})")
        if i == j:
            raise ParameterError("graph", f"edge {j}->{i}", "no self-loops (W_ii = 0)")
    return n, sorted(set(edges))


@dataclass(frozen=True, eq=False)
class CTLN(TLN):
    """Combinatorial threshold-linear network of a directed graph (Curto and Morrison).

    Parameters
    ----------
    graph : str, sequence of (j, i), adjacency matrix or networkx.DiGraph
        The edges ``j -> i`` (see :func:`parse_edges`).
    n : int, optional
        Number of nodes (default: one more than the largest node named).
    epsilon, delta : float, default 0.25, 0.5
        ``W_ij = -1 + epsilon`` when ``j -> i``, ``-1 - delta`` when not.  Need
        ``0 < epsilon < 1`` and ``delta > 0``; the graph rules hold in the *legal range*
        ``epsilon < delta / (delta + 1)``.
    theta : float, default 1
        Uniform input ``b_i = theta > 0``.
    tau : float, default 1

    Examples
    --------
    >>> net = CTLN("0->1,1->2,2->0")
    >>> net.W[1, 0], net.W[0, 1]
    (np.float64(-0.75), np.float64(-1.5))
    """

    graph: Any = None
    n_nodes: int | None = None
    epsilon: float = 0.25
    delta: float = 0.5
    theta: float = 1.0
    adjacency: np.ndarray = field(init=False, repr=False)
    edges: tuple[tuple[int, int], ...] = field(init=False, repr=False)

    def __init__(self, graph: Any, n: int | None = None, *, epsilon: float = 0.25,
                 delta: float = 0.5, theta: float = 1.0, tau: Any = 1.0) -> None:
        eps = as_float("epsilon", epsilon)
        if not 0.0 < eps < 1.0:
            raise ParameterError("epsilon", epsilon, "a number in (0, 1)")
        dlt = check_positive("delta", delta)
        th = check_positive("theta", theta)
        n_, edges = parse_edges(graph, n)
        if n_ > MAX_CTLN_NODES:
            raise ParameterError("n", n_, f"at most {MAX_CTLN_NODES} nodes (W is dense: "
                                 f"{8 * n_ * n_ / 2**30:.3g} GiB for this n)")
        A = np.zeros((n_, n_), dtype=bool)
        for j, i in edges:
            A[i, j] = True
        W = np.where(A, -1.0 + eps, -1.0 - dlt)
        np.fill_diagonal(W, 0.0)
        object.__setattr__(self, "graph", graph)
        object.__setattr__(self, "n_nodes", n_)
        object.__setattr__(self, "epsilon", eps)
        object.__setattr__(self, "delta", dlt)
        object.__setattr__(self, "theta", th)
        object.__setattr__(self, "adjacency", A)
        object.__setattr__(self, "edges", tuple(edges))
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "b", th)
        object.__setattr__(self, "tau", tau)
        TLN.__post_init__(self)

    @property
    def in_legal_range(self) -> bool:
        """``0 < epsilon < delta / (delta + 1)`` (the range of the graph rules)."""
        return self.epsilon < self.delta / (self.delta + 1.0)

    @property
    def edge_string(self) -> str:
        return ",".join(f"{j}->{i}" for j, i in self.edges)

    def to_dict(self) -> dict[str, Any]:
        return {"model": "CTLN", "n": self.n, "graph": self.edge_string,
                "epsilon": self.epsilon, "delta": self.delta, "theta": self.theta,
                "tau": self.tau.tolist()}
