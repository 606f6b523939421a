"""Every fixed point of a threshold-linear network, by batched enumeration of supports.

A fixed point of ``x = g [W x + h]_+`` with support (active set) ``S`` solves
``(I - g W_SS) x_S = g h_S`` and is self-consistent when the inputs ``u = W x + h`` are
``>= 0`` on ``S`` and ``<= 0`` off ``S``.  Each region holds at most one isolated fixed
point, so trying every support finds all of them.  This module does that for all
``2^n`` supports at once, grouped by size: one batched LU (``slogdet``, ``solve``) per
chunk of supports of equal size, so ``n = 20`` (about a million supports) takes seconds.

For each fixed point it also returns the *index* ``sgn det(I - g W_SS)``; the sum of
the indices over all fixed points of a non-degenerate network is +1 (Curto, Geneson and
Morrison 2019, the parity of a TLN), a certificate that nothing was missed.

Degenerate cases are named, never skipped: a support whose matrix ``I - g W_SS`` is
singular (its fixed points, if any, form a continuum), and a fixed point with a unit
exactly on its threshold (input zero to rounding: it lies on a region border).

Used by :func:`ratenet.analysis.find_fixed_points` (the E-I network is ``n = 2``) and by
:mod:`ratenet.tln`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import ParameterError, check_int

__all__ = ["MAX_UNITS", "SupportEnumeration", "enumerate_fixed_points", "solve_supports"]

#: Largest ``n`` :func:`enumerate_fixed_points` accepts by default (2^24 supports).
MAX_UNITS = 24

_CHUNK = 1 << 15          # supports per batched solve
_SINGULAR_HADAMARD = 1e-11  # |det M| / prod(row norms of M) below this: check the condition
_SINGULAR_COND = 1e12


@dataclass(frozen=True, eq=False)
class SupportEnumeration:
    """Result of :func:`enumerate_fixed_points` (or :func:`solve_supports`).

    Attributes
    ----------
    supports : ndarray of bool, shape (m, n)
        Support of each fixed point (True: unit active), ordered as
        ``itertools.product((False, True), repeat=n)`` orders them.
    states : ndarray of shape (m, n)
        The fixed points.
    index : ndarray of int, shape (m,)
        ``sgn det(I - g W_SS)`` of each (+1 or -1; 0 never occurs: singular supports are
        listed in ``singular`` instead).
    on_threshold : ndarray of bool, shape (m, n)
        Units whose input is zero to rounding (the point lies on a region border).
    singular : list of tuple of bool
        Supports whose ``I - g W_SS`` is singular and whose system is consistent: a
        continuum of fixed points may live there.
    n_supports : int
        Number of supports tried.
    """

    supports: np.ndarray
    states: np.ndarray
    index: np.ndarray
    on_threshold: np.ndarray
    singular: list[tuple[bool, ...]] = field(default_factory=list)
    n_supports: int = 0

    @property
    def degenerate(self) -> np.ndarray:
        """Per fixed point: True when a unit sits on its threshold, shape (m,)."""
        return np.any(self.on_threshold, axis=1)

    @property
    def parity(self) -> int:
        """Sum of the indices (+1 for a non-degenerate network)."""
        return int(np.sum(self.index))

    @property
    def is_degenerate(self) -> bool:
        """True when some fixed point is on a threshold or some support is singular."""
        return bool(self.singular) or bool(np.any(self.on_threshold))


def _as_problem(W: Any, h: Any, gain: float) -> tuple[np.ndarray, np.ndarray, float]:
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ParameterError("W", f"array of shape {W.shape}", "a square (n, n) matrix")
    n = W.shape[0]
    h = np.broadcast_to(np.asarray(h, dtype=float), (n,)).astype(float)
    if not np.all(np.isfinite(W)):
        raise ParameterError("W", "a matrix with NaN or inf", "finite in every entry")
    if not np.all(np.isfinite(h)):
        raise ParameterError("h", h, "finite for every unit")
    return W, h, float(gain)


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


def _bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="supports", unit="support", leave=False)


def _masks_by_size(n: int) -> list[np.ndarray]:
    """All n-bit masks (bit i = unit i) grouped by the number of bits set, increasing."""
    masks = np.arange(1 << n, dtype=np.int64)
    count = np.zeros(masks.size, dtype=np.int64)
    for i in range(n):
        count += (masks >> i) & 1
    order = np.argsort(count, kind="stable")
    edges = np.searchsorted(count[order], np.arange(n + 2))
    return [masks[order[edges[k]:edges[k + 1]]] for k in range(n + 1)]


def _index_rows(masks: np.ndarray, n: int, k: int) -> np.ndarray:
    bits = (masks[:, None] >> np.arange(n)) & 1
    return np.nonzero(bits)[1].reshape(masks.size, k)


def solve_supports(W: Any, h: Any, idx: np.ndarray, *, gain: float = 1.0,
                   rtol: float = 1e-10) -> tuple[np.ndarray, ...]:
    """Fixed-point candidates of many supports of one size, in one batch.

    Parameters
    ----------
    W : array_like of shape (n, n)
    h : array_like of shape (n,)
        External input minus threshold.
    idx : ndarray of int, shape (m, k)
        The units of each support (k >= 0).
    gain : float, default 1
    rtol : float, default 1e-10
        Inputs within ``rtol * max(1, |g h|, |x|)`` of zero count as on the threshold.

    Returns
    -------
    X : ndarray (m, n)
        The solution of each support's linear system (zero off the support).
    valid : ndarray of bool (m,)
        Self-consistent (a fixed point, possibly on a threshold).
    index : ndarray of int (m,)
        ``sgn det(I - g W_SS)`` (0 where singular).
    on_threshold : ndarray of bool (m, n)
    singular : ndarray of bool (m,)
        Singular and consistent (continuum); such rows are never ``valid``.
    """
    W, h, g = _as_problem(W, h, gain)
    n = W.shape[0]
    idx = np.asarray(idx, dtype=np.int64)
    m, k = idx.shape
    scale = max(1.0, float(np.max(np.abs(h), initial=0.0)) * g)
    X = np.zeros((m, n))
    index = np.ones(m, dtype=np.int64)
    singular = np.zeros(m, dtype=bool)
    solvable = np.ones(m, dtype=bool)
    rows = np.arange(m)[:, None]
    if k:
        M = np.eye(k) - g * W[idx[:, :, None], idx[:, None, :]]
        rhs = g * h[idx]
        sign, logdet = np.linalg.slogdet(M)
        lognorm = np.sum(np.log(np.maximum(np.linalg.norm(M, axis=2), 1e-300)), axis=1)
        flag = (sign == 0) | (logdet - lognorm < np.log(_SINGULAR_HADAMARD))
        index = sign.astype(np.int64)
        for r in np.flatnonzero(flag):  # the few nearly singular ones, one by one
            if np.linalg.cond(M[r]) > _SINGULAR_COND:
                solvable[r] = False
                index[r] = 0
                xs, *_ = np.linalg.lstsq(M[r], rhs[r], rcond=None)
                singular[r] = bool(np.allclose(M[r] @ xs, rhs[r], atol=rtol * scale))
                M[r] = np.eye(k)
                rhs[r] = 0.0
        X[rows, idx] = np.linalg.solve(M, rhs[:, :, None])[:, :, 0]
    U = X @ W.T + h
    tol = rtol * np.maximum(scale, np.max(np.abs(X), axis=1, initial=0.0))[:, None]
    act = np.zeros((m, n), dtype=bool)
    act[rows, idx] = True
    ok = np.where(act, U >= -tol, U <= tol)
    valid = np.all(ok, axis=1) & solvable
    on_thr = np.abs(U) <= tol
    return X, valid, index, on_thr, singular


def enumerate_fixed_points(W: Any, h: Any, *, gain: float = 1.0, rtol: float = 1e-10,
                           max_units: int = MAX_UNITS, supports: Any = None,
                           progress: bool = False) -> SupportEnumeration:
    """All fixed points of ``tau dx/dt = -x + g [W x + h]_+``, exactly.

    Parameters
    ----------
    W : array_like of shape (n, n)
        Weights onto unit i from unit j (``W[i, j]``).
    h : float or array_like of shape (n,)
        External input minus threshold.
    gain : float, default 1
        Slope ``g`` of the transfer function.
    rtol : float, default 1e-10
        Relative tolerance for "on the threshold".
    max_units : int, default :data:`MAX_UNITS`
        Refuse larger ``n`` (the work grows as ``2^n``).
    supports : iterable of sequences of int, optional
        Try only these supports (e.g. the candidates left by graph rules) instead of all
        ``2^n``; ``max_units`` does not apply then.
    progress : bool, default False
        Show a progress bar over the support sizes.

    Returns
    -------
    SupportEnumeration

    Examples
    --------
    >>> res = enumerate_fixed_points([[0.0, -2.0], [-2.0, 0.0]], 1.0)
    >>> res.supports.astype(int).tolist(), res.index.tolist(), res.parity
    ([[0, 1], [1, 0], [1, 1]], [1, 1, -1], 1)
    """
    W, h, g = _as_problem(W, h, gain)
    n = W.shape[0]
    groups: dict[int, list[np.ndarray]] = {}
    if supports is None:
        max_units = check_int("max_units", max_units, minimum=1)
        if n > max_units:
            raise ParameterError(
                "n", n, f"at most max_units = {max_units} units for the enumeration of all "
                f"2^n supports", hint="raise max_units (time and memory grow as 2^n), or "
                "give candidate supports (CTLNs: the graph rules do)")
        sizes: list[int] = list(range(n + 1))
        by_size = _masks_by_size(n)
        n_total = 1 << n
    else:
        n_total = 0
        seen: set[tuple[int, ...]] = set()
        for s in supports:
            key = tuple(sorted({int(i) for i in s}))
            if key and (key[0] < 0 or key[-1] >= n):
                raise ParameterError("supports", list(s), f"sets of units in 0..{n - 1}")
            if key in seen:
                continue
            seen.add(key)
            groups.setdefault(len(key), []).append(np.array(key, dtype=np.int64))
            n_total += 1
        sizes = sorted(groups)
    out_x, out_s, out_i, out_t, out_key = [], [], [], [], []
    singular: list[tuple[bool, ...]] = []
    weights = np.left_shift(np.int64(1), np.arange(n - 1, -1, -1, dtype=np.int64))
    with _bar(n_total, progress) as bar:
        for k in sizes:
            if supports is None:
                masks = by_size[k]
                all_idx = None
            else:
                all_idx = np.array(groups[k], dtype=np.int64).reshape(-1, k)
                masks = np.zeros(all_idx.shape[0], dtype=np.int64)
            for start in range(0, masks.size, _CHUNK):
                if all_idx is None:
                    idx = _index_rows(masks[start:start + _CHUNK], n, k)
                else:
                    idx = all_idx[start:start + _CHUNK]
                X, valid, index, on_thr, sing = solve_supports(W, h, idx, gain=g, rtol=rtol)
                act = np.zeros((idx.shape[0], n), dtype=bool)
                act[np.arange(idx.shape[0])[:, None], idx] = True
                for r in np.flatnonzero(sing):
                    singular.append(tuple(bool(a) for a in act[r]))
                sel = np.flatnonzero(valid)
                out_x.append(X[sel])
                out_s.append(act[sel])
                out_i.append(index[sel])
                out_t.append(on_thr[sel])
                out_key.append(act[sel].astype(np.int64) @ weights)
                bar.update(idx.shape[0])
    if out_x:
        X = np.concatenate(out_x)
        S = np.concatenate(out_s)
        idx_ = np.concatenate(out_i)
        T = np.concatenate(out_t)
        keys = np.concatenate(out_key)
    else:
        X, S, T = np.zeros((0, n)), np.zeros((0, n), bool), np.zeros((0, n), bool)
        idx_, keys = np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.argsort(keys, kind="stable")
    X, S, idx_, T = X[order], S[order], idx_[order], T[order]
    # a point on a threshold solves the systems of two or more supports: keep the first
    keep = np.ones(X.shape[0], dtype=bool)
    border = np.flatnonzero(np.any(T, axis=1))
    scale = max(1.0, float(np.max(np.abs(h), initial=0.0)) * g)
    for a_pos, a in enumerate(border):
        if not keep[a]:
            continue
        for b in border[a_pos + 1:]:
            if keep[b] and np.allclose(X[a], X[b], rtol=1e-9,
                                       atol=rtol * max(scale, float(np.max(np.abs(X[a]))))):
                keep[b] = False
    singular.sort(key=lambda b: int(np.dot(np.array(b, dtype=np.int64), weights)))
    return SupportEnumeration(supports=S[keep], states=X[keep] + 0.0, index=idx_[keep],
                              on_threshold=T[keep], singular=singular, n_supports=n_total)
