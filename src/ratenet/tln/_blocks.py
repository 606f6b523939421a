"""Compiled search of a CTLN's valid connected blocks (see :mod:`ratenet.tln.fixed_points`).

Connected induced subgraphs are searched once each from their smallest node, on 64-bit
masks, by binary branching: a state is a block, its candidates (neighbours not yet
decided) and the units decided out; each step takes one candidate in or out.  Which
candidate is decided next matters most: first an in-neighbour of a unit that has none
in the block yet, then the candidate feeding most units of the block.  That closes the
block's *core* (below) early, so the core rule cuts subtrees near the root: on random
40-node graphs with mean in-degree 2 the search visits 30 to 200 times fewer blocks
than growing the sets in a fixed order (the ESU scheme of Wernicke, the first version
here).  Exact pruning rules, each ruling out a whole subtree:

* a block of two or more nodes with a *source* (a node without an in-neighbour in the
  block) is never valid: the source has ``z = 1/delta`` and its out-neighbour ``k`` then
  ``delta z_k <= -epsilon / delta``;
* a block with a node ``j`` *dominated* by an outside node ``k`` (``j -> k``, and ``k``
  receives from every in-neighbour of ``j`` in the block) never survives ``k``;
* a block with ``j`` dominated by ``k`` inside it (``j -> k``, ``k -/-> j``, ``k``
  receives from every other in-neighbour of ``j``) has ``delta z_k <= -epsilon z_j``;
* the *in-closed core* of a block (its units that receive neither from a candidate
  nor from the rest of the block) has ``z`` fixed for the whole subtree; a negative
  entry, or a unit that the core alone drives over the bound, rules the subtree out.

(Graphical domination, Curto, Geneson and Morrison 2019; here, like the core rule,
derived from the rows of ``M z = 1``, so they hold for every ``epsilon, delta > 0``.)

A missing in-neighbour, or a dominating ``k``, is a neighbour of the block, so the
search can only add it later from the candidates; when it cannot, the subtree goes.
Each remaining block is solved (``M_b z = 1`` by Gaussian elimination) and kept when
``z > 0`` and no outside node gets ``sum_{j -> k} z_j`` over the bound.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

#: Largest network the compiled search takes (masks are signed 64-bit integers).
MAX_NODES = 62

OK, TOO_MANY, SINGULAR = 0, 1, 2
CORE_OPEN, CORE_DEAD, CORE_WHOLE = 0, 1, 2
BLOCK_INVALID, BLOCK_VALID, BLOCK_SINGULAR = 0, 1, 2
#: Decision depth at which :func:`search_blocks` deals the subtrees out to threads.
SPLIT_DEPTH = 4


def _mod67_table() -> np.ndarray:
    t = np.zeros(67, dtype=np.int64)
    for k in range(63):
        t[(1 << k) % 67] = k  # 2 is a primitive root mod 67: the residues are distinct
    return t


_BIT = _mod67_table()


@njit(cache=True)
def _bit(low: int) -> int:
    """Index of the single set bit of ``low``."""
    return _BIT[low % 67]


@njit(cache=True)
def _source_in(mask, avail, innbr):
    m = mask
    while m:
        low = m & -m
        if not innbr[_bit(low)] & avail:
            return True
        m ^= low
    return False


@njit(cache=True)
def _dominated(mask, avail, innbr, outnbr):
    m = mask
    while m:
        low = m & -m
        j = _bit(low)
        m ^= low
        ks = outnbr[j] & ~avail
        need = innbr[j] & avail
        while ks:
            lk = ks & -ks
            ks ^= lk
            if not need & ~innbr[_bit(lk)] & ~lk:
                return True
    return False


@njit(cache=True)
def _dominated_inside(mask, avail, innbr, outnbr):
    """Some j, k in ``mask`` with j -> k, k -/-> j, and k receiving from every other
    in-neighbour of j in ``avail``: then delta z_k <= -epsilon z_j, so z is not > 0."""
    m = mask
    while m:
        low = m & -m
        j = _bit(low)
        m ^= low
        ks = outnbr[j] & mask & ~innbr[j]
        while ks:
            lk = ks & -ks
            ks ^= lk
            if not innbr[j] & avail & ~lk & ~innbr[_bit(lk)]:
                return True
    return False


@njit(cache=True)
def _solve(M, b):
    """Gaussian elimination with partial pivoting; flag if a pivot is ~0."""
    k = M.shape[0]
    M = M.copy()
    b = b.copy()
    scale = np.max(np.abs(M))
    singular = False
    for c in range(k):
        p = c + np.argmax(np.abs(M[c:, c]))
        if abs(M[p, c]) <= 1e-12 * scale:
            return b, True
        if p != c:
            for q in range(k):
                M[c, q], M[p, q] = M[p, q], M[c, q]
            b[c], b[p] = b[p], b[c]
        for r in range(c + 1, k):
            f = M[r, c] / M[c, c]
            if f != 0.0:
                for q in range(c, k):
                    M[r, q] -= f * M[c, q]
                b[r] -= f * b[c]
    for c in range(k - 1, -1, -1):
        s = b[c]
        for q in range(c + 1, k):
            s -= M[c, q] * b[q]
        b[c] = s / M[c, c]
    return b, singular


@njit(cache=True)
def _unpack(mask, members):
    """Write the units of ``mask`` into ``members`` (ascending); return how many."""
    k = 0
    m = mask
    while m:
        low = m & -m
        members[k] = _bit(low)
        k += 1
        m ^= low
    return k


@njit(cache=True)
def _solve_rows(members, k, A, delta, ed):
    """``M z = 1`` on the units ``members[:k]``: (z, singular)."""
    M = np.empty((k, k))
    for a in range(k):
        for b in range(k):
            M[a, b] = ed * A[members[a], members[b]]
        M[a, a] += delta
    return _solve(M, np.ones(k))


@njit(cache=True)
def _core_dead(n, sub, ext, innbr, A, delta, ed, tol, zbuf):
    """The in-closed core ``T`` of ``sub`` rules out every block grown from it.

    ``T`` is the largest part of ``sub`` none of whose units receives from
    ``ext`` or from the rest of ``sub``: the rows of ``T`` in ``M z = 1`` involve
    only ``z_T`` for every block the search can still reach, so ``z_T = M_T^{-1} 1``
    is fixed.  A negative entry, or a unit ``k`` outside ``T`` with
    ``(epsilon + delta) sum_{j in T, j -> k} z_j > 1`` (inside the block it would get
    ``z_k < 0``, outside it survives), rules out the whole subtree.

    Returns ``CORE_DEAD``, ``CORE_OPEN`` (no verdict), or ``CORE_WHOLE`` when ``T`` is
    all of ``sub`` and the subtree lives: ``zbuf[:|sub|]`` then holds the block's own
    ``z`` (the same solve, so the block test reuses it).
    """
    return _core_verdict(n, _core(sub, ext, innbr), sub, A, delta, ed, tol, zbuf)


@njit(cache=True)
def _core(sub, ext, innbr):
    """The in-closed core of ``sub`` given the candidates ``ext`` (a mask)."""
    T = sub
    changed = True
    while changed:
        changed = False
        m = T
        while m:
            low = m & -m
            m ^= low
            if innbr[_bit(low)] & (ext | (sub & ~T)):
                T ^= low
                changed = True
    return T


@njit(cache=True)
def _core_verdict(n, T, sub, A, delta, ed, tol, zbuf):
    """:func:`_core_dead` for a core ``T`` already found."""
    if not T:
        return CORE_OPEN
    members = np.empty(n, dtype=np.int64)
    k = _unpack(T, members)
    z, sing = _solve_rows(members, k, A, delta, ed)
    if sing:
        return CORE_OPEN  # the blocks' own solve reports the singular case
    for a in range(k):
        if z[a] < -2.0 * tol:
            return CORE_DEAD
    margin = (n + 2) * tol
    for i in range(n):
        if (T >> i) & 1:
            continue
        s = 0.0
        for a in range(k):
            s += A[i, members[a]] * z[a]
        if ed * s > 1.0 + margin:
            return CORE_DEAD
    if T != sub:
        return CORE_OPEN
    zbuf[:k] = z
    return CORE_WHOLE


@njit(cache=True)
def block_test(n, sub, A, delta, ed, bound, tol, zbuf, reuse, members, contrib):
    """Is the connected block ``sub`` valid?  Returns (verdict, sum of z).

    Solves ``M_b z = 1`` (``zbuf`` already holds ``z`` when ``reuse``), then checks
    ``z >= -tol`` and that every unit outside gets ``sum_{j -> k} z_j < bound``;
    ``contrib`` receives those sums (0 inside).  Verdict ``BLOCK_VALID``,
    ``BLOCK_INVALID`` or ``BLOCK_SINGULAR``.
    """
    k = _unpack(sub, members)
    if reuse:
        z = zbuf[:k]
    else:
        z, sing = _solve_rows(members, k, A, delta, ed)
        if sing:
            return BLOCK_SINGULAR, 0.0
    for a in range(k):
        if z[a] < -tol:
            return BLOCK_INVALID, 0.0
    for i in range(n):
        contrib[i] = 0.0
        if (sub >> i) & 1:
            continue
        s = 0.0
        for a in range(k):
            s += A[i, members[a]] * z[a]
        if s >= bound + tol:
            return BLOCK_INVALID, 0.0
        contrib[i] = s
    return BLOCK_VALID, np.sum(z)


@njit(cache=True)
def keep_block(masks, contribs, zsum, kept, sub, contrib, zs):
    """Store a valid block at row ``kept``, doubling the arrays when full."""
    if kept == masks.size:
        cap = 2 * masks.size
        nm = np.empty(cap, dtype=np.int64)
        nm[:kept] = masks[:kept]
        nc = np.empty((cap, contribs.shape[1]))
        nc[:kept] = contribs[:kept]
        nz = np.empty(cap)
        nz[:kept] = zsum[:kept]
        masks, contribs, zsum = nm, nc, nz
    masks[kept] = sub
    contribs[kept] = contrib
    zsum[kept] = zs
    return masks, contribs, zsum


@njit(cache=True)
def _popcount(m):
    c = 0
    while m:
        m &= m - 1
        c += 1
    return c


@njit(cache=True)
def _branch_unit(sub, ext, innbr, outnbr):
    """The candidate to decide next (returned as its bit).

    First an in-neighbour of a unit of ``sub`` that has none in ``sub`` yet (of the
    unit with the fewest such candidates: no block without one of them); then the
    candidate feeding most units of ``sub`` (deciding the in-neighbours of ``sub``
    closes its core, see :func:`_core_dead`); then the lowest candidate.
    """
    best = np.int64(0)
    best_count = 65
    m = sub
    while m:
        low = m & -m
        m ^= low
        i = _bit(low)
        if not innbr[i] & sub:
            opts = innbr[i] & ext
            c = _popcount(opts)
            if 0 < c < best_count:
                best, best_count = opts, c
    if best:
        return best & -best
    feeders = np.int64(0)
    m = sub
    while m:
        low = m & -m
        m ^= low
        feeders |= innbr[_bit(low)]
    feeders &= ext
    if feeders:
        pick = np.int64(0)
        most = -1
        f = feeders
        while f:
            low = f & -f
            f ^= low
            c = _popcount(outnbr[_bit(low)] & sub)
            if c > most:
                pick, most = low, c
        return pick
    return ext & -ext


@njit(cache=True, nogil=True)
def valid_blocks(n, nbr, innbr, outnbr, A, delta, ed, bound, tol, max_blocks, stride=1,
                 offset=0):
    """Valid connected blocks: (masks, contributions (K, n), z sums, visited, status).

    Binary branching over connected sets: a state is a block ``sub`` (smallest unit
    ``v``), its candidates ``ext`` (neighbours not yet decided) and the units decided
    out; each step takes one candidate (:func:`_branch_unit`) in or out, so every
    connected set with smallest unit ``v`` is reached once, as the state where its
    last unit comes in.  ``visited`` counts those states (not pruned).

    With ``stride > 1`` only the states at decision depth ``SPLIT_DEPTH`` numbered
    ``offset (mod stride)`` are searched below (the shallower states recorded only
    for ``offset == 0``): ``stride`` calls with offsets ``0 .. stride - 1`` split the
    search without overlap (see :func:`search_blocks`).
    """
    masks = np.empty(1024, dtype=np.int64)
    contribs = np.empty((1024, n))
    zsum = np.empty(1024)
    kept = 0
    scap = 4 * n + 16
    st_sub = np.empty(scap, dtype=np.int64)
    st_ext = np.empty(scap, dtype=np.int64)
    st_out = np.empty(scap, dtype=np.int64)
    st_new = np.empty(scap, dtype=np.bool_)
    st_depth = np.empty(scap, dtype=np.int64)
    st_core = np.zeros(scap, dtype=np.int64)  # the parent's core
    count = 0
    members = np.empty(n, dtype=np.int64)
    zbuf = np.empty(n)
    contrib = np.empty(n)
    numbered = 0
    for v in range(n):
        above = ~((np.int64(1) << (v + 1)) - 1)
        st_sub[0] = np.int64(1) << v
        st_ext[0] = nbr[v] & above
        st_out[0] = (np.int64(1) << v) - 1
        st_new[0] = True
        st_depth[0] = 0
        st_core[0] = -1  # no parent: never a core
        top = 1
        while top > 0:
            top -= 1
            sub, ext, out, new, depth = (st_sub[top], st_ext[top], st_out[top],
                                         st_new[top], st_depth[top])
            if stride > 1 and depth == SPLIT_DEPTH:
                numbered += 1
                if (numbered - 1) % stride != offset:
                    continue
            single = (sub & (sub - 1)) == 0
            avail = sub | ext
            if (not single and (_source_in(sub, avail, innbr) or _dominated_inside(
                    sub, avail, innbr, outnbr))) or _dominated(sub, avail, innbr, outnbr):
                continue
            T = _core(sub, ext, innbr)
            core = CORE_OPEN
            if T != st_core[top]:
                core = _core_verdict(n, T, sub, A, delta, ed, tol, zbuf)
                if core == CORE_DEAD:
                    continue
            # else the parent's core, its verdict (alive) unchanged; and T != sub for a
            # new block, whose core is at most its parent's block
            record = new and (stride == 1 or depth >= SPLIT_DEPTH or offset == 0)
            if record:
                count += 1
                if count > max_blocks:
                    return masks[:kept], contribs[:kept], zsum[:kept], count, TOO_MANY
            if record and (single or not (_source_in(sub, sub, innbr) or _dominated(
                    sub, sub, innbr, outnbr))):
                verdict, zs = block_test(n, sub, A, delta, ed, bound, tol, zbuf,
                                         core == CORE_WHOLE, members, contrib)
                if verdict == BLOCK_SINGULAR:
                    return masks[:kept], contribs[:kept], zsum[:kept], count, SINGULAR
                if verdict == BLOCK_VALID:
                    masks, contribs, zsum = keep_block(masks, contribs, zsum, kept, sub,
                                                       contrib, zs)
                    kept += 1
            if not ext:
                continue
            if single and not innbr[v] & ext:
                continue  # every larger block from here has v as a source
            low = _branch_unit(sub, ext, innbr, outnbr)
            if top + 2 > scap:
                scap *= 2
                a1 = np.empty(scap, dtype=np.int64)
                a1[:top] = st_sub[:top]
                a2 = np.empty(scap, dtype=np.int64)
                a2[:top] = st_ext[:top]
                a3 = np.empty(scap, dtype=np.int64)
                a3[:top] = st_out[:top]
                a4 = np.empty(scap, dtype=np.bool_)
                a4[:top] = st_new[:top]
                a5 = np.empty(scap, dtype=np.int64)
                a5[:top] = st_depth[:top]
                a6 = np.zeros(scap, dtype=np.int64)
                a6[:top] = st_core[:top]
                st_sub, st_ext, st_out, st_new, st_depth, st_core = a1, a2, a3, a4, a5, a6
            # out first, so that the branch taking the unit in is searched first
            st_sub[top] = sub
            st_ext[top] = ext & ~low
            st_out[top] = out | low
            st_new[top] = False
            st_depth[top] = depth + 1
            st_core[top] = T
            top += 1
            nsub = sub | low
            st_sub[top] = nsub
            st_ext[top] = (ext | (nbr[_bit(low)] & above)) & ~nsub & ~out
            st_out[top] = out
            st_new[top] = True
            st_depth[top] = depth + 1
            st_core[top] = T
            top += 1
    return masks[:kept], contribs[:kept], zsum[:kept], count, OK


def search_blocks(n, nbr, innbr, outnbr, A, delta, ed, bound, tol, max_blocks,
                  workers=None):
    """:func:`valid_blocks` split over ``workers`` threads (default: the CPUs, at most 4).

    The compiled search releases the GIL; each thread takes every ``workers``-th of
    the subtrees at decision depth ``SPLIT_DEPTH``.  Same result as one call, blocks in another
    order; ``max_blocks`` bounds each thread's count and the total.
    """
    if workers is None:
        workers = min(4, os.cpu_count() or 1)
    args = (n, nbr, innbr, outnbr, A, delta, ed, bound, tol, max_blocks)
    if workers <= 1:
        return valid_blocks(*args)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(lambda k: valid_blocks(*args, workers, k), range(workers)))
    masks = np.concatenate([p[0] for p in parts])
    contribs = np.concatenate([p[1] for p in parts]) if masks.size else np.empty((0, n))
    zsum = np.concatenate([p[2] for p in parts])
    visited = sum(int(p[3]) for p in parts)
    statuses = {int(p[4]) for p in parts}
    status = SINGULAR if SINGULAR in statuses else (
        TOO_MANY if TOO_MANY in statuses or visited > max_blocks else OK)
    return masks, contribs, zsum, visited, status


@njit(cache=True)
def unions(masks, closed, contribs, zsum, bound, tol, z_min, max_out):
    """Supports made of pairwise non-adjacent valid blocks that stay under the bound.

    Depth-first over block indices in increasing order (each union once); ``closed``
    holds each block with its neighbours.  Returns (support masks, status).
    """
    nb, n = contribs.shape
    out = np.empty(1024, dtype=np.int64)
    kept = 0
    pos = np.zeros(n + 2, dtype=np.int64)
    used = np.zeros(n + 2, dtype=np.int64)
    sigma = np.zeros(n + 2, dtype=np.int64)
    Z = np.zeros(n + 2)
    C = np.zeros((n + 2, n))
    d = 0
    while d >= 0:
        q = pos[d]
        found = -1
        while q < nb:
            if not masks[q] & used[d]:
                ok = True
                for i in range(n):
                    if C[d, i] + contribs[q, i] >= bound + tol:
                        ok = False
                        break
                if ok:
                    found = q
                    break
            q += 1
        if found < 0:
            d -= 1
            continue
        pos[d] = found + 1
        used[d + 1] = used[d] | closed[found]
        sigma[d + 1] = sigma[d] | masks[found]
        Z[d + 1] = Z[d] + zsum[found]
        for i in range(n):
            C[d + 1, i] = C[d, i] + contribs[found, i]
        if Z[d + 1] > z_min:
            if kept == max_out:
                return out[:kept], TOO_MANY
            if kept == out.size:
                bigger = np.empty(2 * out.size, dtype=np.int64)
                bigger[:kept] = out[:kept]
                out = bigger
            out[kept] = sigma[d + 1]
            kept += 1
        pos[d + 1] = found + 1
        d += 1
    return out[:kept], OK


def neighbourhoods(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Undirected, in- and out-neighbourhoods of ``A`` (``A[i, j]``: j -> i) as masks."""
    n = A.shape[0]
    off = A.astype(bool) & ~np.eye(n, dtype=bool)
    w = np.int64(1) << np.arange(n, dtype=np.int64)
    innbr = (off * w[None, :]).sum(axis=1).astype(np.int64)
    outnbr = (off.T * w[None, :]).sum(axis=1).astype(np.int64)
    return innbr | outnbr, innbr, outnbr
