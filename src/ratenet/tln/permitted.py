"""Permitted and forbidden sets of a symmetric threshold-linear network.

Hahnloser, Seung and Slotine (2003): for symmetric ``W``, a set ``S`` of units is
*permitted* when some input ``b`` makes it the support of a stable fixed point; this
holds exactly when every eigenvalue of ``W_SS`` is below 1, i.e. when ``I - W_SS`` is
positive definite.  Otherwise ``S`` is *forbidden*.  By Cauchy interlacing every subset
of a permitted set is permitted (and every superset of a forbidden set forbidden), so
the search grows permitted sets only and the answer is given by the maximal permitted
and the minimal forbidden sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import ParameterError, check_int
from .models import TLN

__all__ = ["PermittedSets", "is_permitted", "permitted_sets"]


@dataclass(frozen=True)
class PermittedSets:
    """``maximal_permitted`` and ``minimal_forbidden`` sets (tuples of units)."""

    n: int
    maximal_permitted: list[tuple[int, ...]]
    minimal_forbidden: list[tuple[int, ...]]
    n_permitted: int

    def is_permitted(self, S: Any) -> bool:
        s = set(int(i) for i in S)
        return any(s <= set(m) for m in self.maximal_permitted)


def _weights(model: Any) -> np.ndarray:
    W = model.W if isinstance(model, TLN) else TLN(model).W
    if not np.allclose(W, W.T, rtol=0.0, atol=1e-12 * max(1.0, float(np.max(np.abs(W))))):
        raise ParameterError("W", "a non-symmetric matrix", "symmetric (W = W^T) for "
                             "permitted and forbidden sets")
    return W


def is_permitted(model: Any, S: Any) -> bool:
    """True when ``I - W_SS`` is positive definite (Cholesky succeeds).

    Parameters
    ----------
    model : TLN or CTLN or array_like of shape (n, n)
        A network with a symmetric ``W``.
    S : sequence of int
        The set of units.

    Returns
    -------
    bool

    Examples
    --------
    Two units inhibiting each other with weight -2: each alone is permitted, the pair is not
    (``I - W_SS`` has eigenvalues 3 and -1):

    >>> from ratenet.tln import TLN
    >>> net = TLN(W=[[0.0, -2.0], [-2.0, 0.0]], b=1.0)
    >>> is_permitted(net, [0]), is_permitted(net, [0, 1])
    (True, False)
    """
    W = _weights(model)
    s = sorted(set(int(i) for i in S))
    if not s:
        return True
    try:
        np.linalg.cholesky(np.eye(len(s)) - W[np.ix_(s, s)])
    except np.linalg.LinAlgError:
        return False
    return True


def permitted_sets(model: Any, *, max_permitted: int = 1_000_000) -> PermittedSets:
    """All permitted sets of a symmetric TLN, as maximal permitted / minimal forbidden.

    Parameters
    ----------
    model : TLN or array_like (n, n)
        Symmetric weights.
    max_permitted : int, default 1e6
        Refuse when more permitted sets than this would have to be visited.

    Examples
    --------
    >>> res = permitted_sets([[0.0, 2.0], [2.0, 0.0]])  # mutual excitation: not both
    >>> res.maximal_permitted, res.minimal_forbidden
    ([(0,), (1,)], [(0, 1)])
    """
    W = _weights(model)
    max_permitted = check_int("max_permitted", max_permitted, minimum=1)
    n = W.shape[0]
    level: list[tuple[int, ...]] = [()]
    permitted: set[tuple[int, ...]] = {()}
    forbidden: list[tuple[int, ...]] = []
    maximal: list[tuple[int, ...]] = []
    while level:
        nxt: list[tuple[int, ...]] = []
        for S in level:
            grew = False
            for i in range(S[-1] + 1 if S else 0, n):
                T = S + (i,)
                if any(T[:m] + T[m + 1:] not in permitted for m in range(len(T))):
                    continue  # a subset is forbidden, so T is too (not minimal)
                try:
                    np.linalg.cholesky(np.eye(len(T)) - W[np.ix_(T, T)])
                except np.linalg.LinAlgError:
                    forbidden.append(T)
                    continue
                permitted.add(T)
                nxt.append(T)
                grew = True
                if len(permitted) > max_permitted:
                    raise ParameterError("max_permitted", max_permitted,
                                         "more than the permitted sets of this network",
                                         hint="raise max_permitted")
            if not grew and S and not any(set(S) < set(T) for T in nxt):
                maximal.append(S)
        level = nxt
    maximal = [S for S in maximal if not any(set(S) < set(T) for T in permitted)]
    return PermittedSets(n=n, maximal_permitted=sorted(maximal),
                         minimal_forbidden=sorted(forbidden), n_permitted=len(permitted) - 1)
