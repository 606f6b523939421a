"""Graph rules for CTLN fixed points (Curto, Geneson and Morrison 2019).

Each rule decides, from the graph alone, whether a support ``sigma`` is the support of
a fixed point (``sigma in FP(G)``), or rules it out.  They hold for CTLNs in the legal
range (``0 < epsilon < delta / (delta + 1)``); the tests check each against the exact
enumeration.  ``A[i, j]`` is True when ``j -> i`` (as for ``W``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .models import CTLN

__all__ = [
    "domination_rule",
    "graphically_dominates",
    "in_degrees",
    "sinks",
    "uniform_in_degree_rule",
]


def _sigma(net: CTLN, sigma: Iterable[int]) -> list[int]:
    s = sorted({int(i) for i in sigma})
    if not s or s[0] < 0 or s[-1] >= net.n:
        from .._validation import ParameterError

        raise ParameterError("sigma", s, f"a non-empty set of nodes in 0..{net.n - 1}")
    return s


def in_degrees(net: CTLN, sigma: Iterable[int]) -> np.ndarray:
    """For every node i, the number of edges it receives from ``sigma``, shape (n,)."""
    s = _sigma(net, sigma)
    return net.adjacency[:, s].sum(axis=1)


def sinks(net: CTLN) -> list[int]:
    """Nodes without outgoing edges; ``{i}`` is a fixed point support iff i is a sink."""
    return [int(j) for j in range(net.n) if not net.adjacency[:, j].any()]


def uniform_in_degree_rule(net: CTLN, sigma: Iterable[int]) -> bool | None:
    """The uniform in-degree rule.

    If every node of ``sigma`` receives exactly ``d`` edges from ``sigma``, then
    ``sigma in FP(G)`` iff no node outside ``sigma`` receives more than ``d`` edges from
    ``sigma``.  Returns that verdict, or None when ``sigma`` is not of uniform in-degree.
    """
    s = _sigma(net, sigma)
    deg = in_degrees(net, s)
    d = set(int(v) for v in deg[s])
    if len(d) != 1:
        return None
    (d0,) = d
    outside = np.setdiff1d(np.arange(net.n), s)
    return bool(np.all(deg[outside] <= d0))


def graphically_dominates(net: CTLN, k: int, j: int, sigma: Iterable[int]) -> bool:
    """True when ``k`` graphically dominates ``j`` with respect to ``sigma``.

    Conditions (with ``sigma`` meeting ``{j, k}``): every ``i`` in ``sigma - {j, k}``
    with ``i -> j`` also has ``i -> k``; if ``j`` is in ``sigma`` then ``j -> k``; if
    ``k`` is in ``sigma`` then ``k -/-> j``.
    """
    s = set(_sigma(net, sigma))
    A = net.adjacency
    if k == j or not ({j, k} & s):
        return False
    for i in s - {j, k}:
        if A[j, i] and not A[k, i]:
            return False
    if j in s and not A[k, j]:
        return False
    return not (k in s and A[j, k])


def domination_rule(net: CTLN, sigma: Iterable[int]) -> bool | None:
    """False when a domination inside or onto ``sigma`` rules it out, else None.

    If ``k`` dominates ``j`` w.r.t. ``sigma`` with ``j`` in ``sigma`` (``k`` inside or
    outside), ``sigma`` is not a fixed point support.
    """
    s = _sigma(net, sigma)
    for j in s:
        for k in range(net.n):
            if graphically_dominates(net, k, j, s):
                return False
    return None
