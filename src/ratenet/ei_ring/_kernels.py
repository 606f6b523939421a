"""Compiled (Numba) integrators for the E-I ring, O(N K) per step through Fourier moments.

State of one row: ``x = (r_E[0:N], r_I[0:N], a[0:N])`` (``a`` only with adaptation).
The recurrent input onto population X at angle theta_i is

    u_X,i = sum_k sum_Y J_XYk [ c_Yk cos(k theta_i) + s_Yk sin(k theta_i) ] + h_X
            + eps_X cos(theta_i - theta0) - [X = E] J_A a_i,

with the moments ``c_Yk = (1/N) sum_j r_Y,j cos(k theta_j)`` (``s_Yk`` with sin; k = 0 gives
the mean rate).  Every kernel works on a batch ``X`` of shape ``(B, n_state)``, one
parameter set per row, in place; ``div_step[b]`` is set to the (1-based) step at which
row b's rates left the bound, after which that row stops.  Rows are independent, so the
parallel and serial drivers give bit-identical results.

Parameter rows ``P[b]`` hold, in order: h_E, h_I, eps_E, eps_I, theta0, tau_E, tau_I,
J_A, tau_A, and the transfer's three parameters (see :data:`P_COLUMNS`); the couplings
are ``Jc[b, k, X, Y]`` for k = 0..K.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .._kernels import _FM, _transfer
from .._noise_kernels import _fill_normals

P_COLUMNS = ("h_E", "h_I", "eps_E", "eps_I", "theta0", "tau_E", "tau_I", "J_A", "tau_A",
             "p0", "p1", "p2")
METHODS = {"euler": 0, "heun": 1, "rk4": 2}


# ------------------------------------------------------------- fused Euler, K = 1, ReLU
@njit(cache=True, fastmath=_FM, inline="always")
def _fused_row(b, X, cosv, sinv, Jc, P, adapt, dt, start_step, n_steps, rec_every, R,
               max_sum, div_step):
    """Forward Euler, one harmonic, threshold-linear: one pass over the units per step
    updates E, I (and a) and accumulates the next step's six moments at the same time.

    ``x + k (g [u - T]_+ - x) = (1 - k) x + [k g (u - T)]_+`` (k, g > 0) folds the step
    size and the gain into the input coefficients.  As in the ring's fused kernel, units j
    and N - j (same cos, opposite sin) are updated together: their inputs are ``p + q`` and
    ``p - q`` with ``p = a + b cos``, ``q = d sin``, and they enter the moments through their
    sum and difference, which halves the table reads and the multiplications.  The pairs
    live in buffers read forwards (``xa[j] = x[j + 1]``, ``xb[j] = x[N - 1 - j]``), padded to
    a multiple of 16 pairs; a padding pair has cos = sin = 0 and starts each step at 0, so
    it adds exactly ``2 [a]_+`` to the mean and nothing to the other moments, which is taken
    off again.  Units 0 and (N even) N/2 are updated on their own.  ``x`` is brought up to
    date when it is recorded and when the call returns.
    """
    x = X[b]
    N = cosv.shape[0]
    NP = (N - 1) // 2
    H = N // 2
    even = N % 2 == 0
    Q = (NP + 15) // 16 * 16
    ea = np.zeros(Q)
    eb = np.zeros(Q)
    ia = np.zeros(Q)
    ib = np.zeros(Q)
    aa = np.zeros(Q)
    ab = np.zeros(Q)
    cp = np.zeros(Q)
    sp = np.zeros(Q)
    for j in range(NP):
        ea[j] = x[j + 1]
        eb[j] = x[N - 1 - j]
        ia[j] = x[N + j + 1]
        ib[j] = x[2 * N - 1 - j]
        if adapt:
            aa[j] = x[2 * N + j + 1]
            ab[j] = x[3 * N - 1 - j]
        cp[j] = cosv[j + 1]
        sp[j] = sinv[j + 1]
    n_pad2 = 2.0 * (Q - NP)
    hE, hI, eE, eI, th0 = P[b, 0], P[b, 1], P[b, 2], P[b, 3], P[b, 4]
    kE = dt / P[b, 5]
    kI = dt / P[b, 6]
    JA = P[b, 7] if adapt else 0.0
    kA = dt / P[b, 8]
    g, thr = P[b, 9], P[b, 10]
    gE = kE * g
    gI = kI * g
    oE = 1.0 - kE
    oI = 1.0 - kI
    oA = 1.0 - kA
    gJA = gE * JA
    inv_n = 1.0 / N
    jEE0, jEI0, jIE0, jII0 = Jc[b, 0, 0, 0], Jc[b, 0, 0, 1], Jc[b, 0, 1, 0], Jc[b, 0, 1, 1]
    jEE1, jEI1, jIE1, jII1 = Jc[b, 1, 0, 0], Jc[b, 1, 0, 1], Jc[b, 1, 1, 0], Jc[b, 1, 1, 1]
    ecE, esE = eE * math.cos(th0), eE * math.sin(th0)
    ecI, esI = eI * math.cos(th0), eI * math.sin(th0)
    mE = 0.0
    cE = 0.0
    sE = 0.0
    mI = 0.0
    cI = 0.0
    sI = 0.0
    for i in range(N):
        mE += x[i]
        cE += x[i] * cosv[i]
        sE += x[i] * sinv[i]
        mI += x[N + i]
        cI += x[N + i] * cosv[i]
        sI += x[N + i] * sinv[i]
    c0, s0 = cosv[0], sinv[0]
    ch, sh = cosv[H], sinv[H]
    for step in range(n_steps):
        gstep = start_step + step
        aE = gE * (hE - thr + (jEE0 * mE + jEI0 * mI) * inv_n)
        bE = gE * (ecE + (jEE1 * cE + jEI1 * cI) * inv_n)
        dE = gE * (esE + (jEE1 * sE + jEI1 * sI) * inv_n)
        aI = gI * (hI - thr + (jIE0 * mE + jII0 * mI) * inv_n)
        bI = gI * (ecI + (jIE1 * cE + jII1 * cI) * inv_n)
        dI = gI * (esI + (jIE1 * sE + jII1 * sI) * inv_n)
        # the unpaired units 0 and N/2
        e0 = x[0]
        ye = oE * e0 + max(aE + bE * c0 + dE * s0 - (gJA * x[2 * N] if adapt else 0.0), 0.0)
        yi = oI * x[N] + max(aI + bI * c0 + dI * s0, 0.0)
        if adapt:
            x[2 * N] = oA * x[2 * N] + kA * e0
        x[0] = ye
        x[N] = yi
        mE = ye
        cE = ye * c0
        sE = ye * s0
        mI = yi
        cI = yi * c0
        sI = yi * s0
        if even:
            e0 = x[H]
            ye = oE * e0 + max(aE + bE * ch + dE * sh - (gJA * x[2 * N + H] if adapt else 0.0),
                               0.0)
            yi = oI * x[N + H] + max(aI + bI * ch + dI * sh, 0.0)
            if adapt:
                x[2 * N + H] = oA * x[2 * N + H] + kA * e0
            x[H] = ye
            x[N + H] = yi
            mE += ye
            cE += ye * ch
            sE += ye * sh
            mI += yi
            cI += yi * ch
            sI += yi * sh
        m0E = 0.0
        mcE = 0.0
        msE = 0.0
        m0I = 0.0
        mcI = 0.0
        msI = 0.0
        if adapt:
            for j in range(Q):
                c = cp[j]
                s = sp[j]
                pE = aE + bE * c
                qE = dE * s
                pI = aI + bI * c
                qI = dI * s
                e1 = ea[j]
                e2 = eb[j]
                y1 = oE * e1 + max(pE + qE - gJA * aa[j], 0.0)
                y2 = oE * e2 + max(pE - qE - gJA * ab[j], 0.0)
                z1 = oI * ia[j] + max(pI + qI, 0.0)
                z2 = oI * ib[j] + max(pI - qI, 0.0)
                aa[j] = oA * aa[j] + kA * e1
                ab[j] = oA * ab[j] + kA * e2
                ea[j] = y1
                eb[j] = y2
                ia[j] = z1
                ib[j] = z2
                u = y1 + y2
                v = z1 + z2
                m0E += u
                mcE += u * c
                msE += (y1 - y2) * s
                m0I += v
                mcI += v * c
                msI += (z1 - z2) * s
        else:
            for j in range(Q):
                c = cp[j]
                s = sp[j]
                pE = aE + bE * c
                qE = dE * s
                pI = aI + bI * c
                qI = dI * s
                y1 = oE * ea[j] + max(pE + qE, 0.0)
                y2 = oE * eb[j] + max(pE - qE, 0.0)
                z1 = oI * ia[j] + max(pI + qI, 0.0)
                z2 = oI * ib[j] + max(pI - qI, 0.0)
                ea[j] = y1
                eb[j] = y2
                ia[j] = z1
                ib[j] = z2
                u = y1 + y2
                v = z1 + z2
                m0E += u
                mcE += u * c
                msE += (y1 - y2) * s
                m0I += v
                mcI += v * c
                msI += (z1 - z2) * s
        for j in range(NP, Q):  # the padding pairs start every step at 0
            ea[j] = 0.0
            eb[j] = 0.0
            ia[j] = 0.0
            ib[j] = 0.0
        mE += m0E - n_pad2 * max(aE, 0.0)
        cE += mcE
        sE += msE
        mI += m0I - n_pad2 * max(aI, 0.0)
        cI += mcI
        sI += msI
        if not (abs(mE) + abs(mI) + abs(cE) + abs(cI) + abs(sE) + abs(sI) < max_sum):
            div_step[b] = gstep + 1
            break
        if rec_every > 0 and (gstep + 1) % rec_every == 0:
            _unpack(x, N, NP, adapt, ea, eb, ia, ib, aa, ab)
            R[b, (gstep + 1) // rec_every, :] = x
    _unpack(x, N, NP, adapt, ea, eb, ia, ib, aa, ab)


@njit(cache=True, inline="always")
def _unpack(x, N, NP, adapt, ea, eb, ia, ib, aa, ab):
    for j in range(NP):
        x[j + 1] = ea[j]
        x[N - 1 - j] = eb[j]
        x[N + j + 1] = ia[j]
        x[2 * N - 1 - j] = ib[j]
        if adapt:
            x[2 * N + j + 1] = aa[j]
            x[3 * N - 1 - j] = ab[j]


@njit(cache=True, parallel=True, fastmath=_FM)
def fused_parallel(X, cosv, sinv, Jc, P, adapt, dt, start_step, n_steps, rec_every, R,
                   max_sum, div_step):
    for b in prange(X.shape[0]):
        if div_step[b] == 0:
            _fused_row(b, X, cosv, sinv, Jc, P, adapt, dt, start_step, n_steps, rec_every, R,
                       max_sum, div_step)


@njit(cache=True, fastmath=_FM)
def fused_serial(X, cosv, sinv, Jc, P, adapt, dt, start_step, n_steps, rec_every, R,
                 max_sum, div_step):
    for b in range(X.shape[0]):
        if div_step[b] == 0:
            _fused_row(b, X, cosv, sinv, Jc, P, adapt, dt, start_step, n_steps, rec_every, R,
                       max_sum, div_step)


# ----------------------------------------------------- general: K modes, any transfer
@njit(cache=True, fastmath=_FM, inline="always")
def _rhs(x, out, cs, Jc, P, kind, adapt, coef, uE, uI):
    """dx/dt of one row.  ``cs[2k], cs[2k + 1] = cos, sin((k + 1) theta)`` (2K, N);
    ``coef`` (2, 2K + 1) and ``uE``, ``uI`` (N,) are work arrays.  Every loop runs over
    contiguous arrays with scalar accumulators (vectorised by the compiler)."""
    N = cs.shape[1]
    M = cs.shape[0]
    inv_n = 1.0 / N
    mE = 0.0
    mI = 0.0
    for i in range(N):
        mE += x[i]
        mI += x[N + i]
    for X in range(2):
        coef[X, 0] = P[X] + (Jc[0, X, 0] * mE + Jc[0, X, 1] * mI) * inv_n
    for q in range(M):
        row = cs[q]
        cE = 0.0
        cI = 0.0
        for i in range(N):
            cE += x[i] * row[i]
            cI += x[N + i] * row[i]
        k = q // 2 + 1
        for X in range(2):
            coef[X, 1 + q] = (Jc[k, X, 0] * cE + Jc[k, X, 1] * cI) * inv_n
    th0 = P[4]
    for X in range(2):
        coef[X, 1] += P[2 + X] * math.cos(th0)
        coef[X, 2] += P[2 + X] * math.sin(th0)
    aE = coef[0, 0]
    aI = coef[1, 0]
    JA = P[7] if adapt else 0.0
    if adapt:
        for i in range(N):
            uE[i] = aE - JA * x[2 * N + i]
            uI[i] = aI
    else:
        for i in range(N):
            uE[i] = aE
            uI[i] = aI
    for q in range(M):
        row = cs[q]
        bE = coef[0, 1 + q]
        bI = coef[1, 1 + q]
        for i in range(N):
            uE[i] += bE * row[i]
            uI[i] += bI * row[i]
    p0, p1, p2 = P[9], P[10], P[11]
    inv_tE = 1.0 / P[5]
    inv_tI = 1.0 / P[6]
    if kind == 0:
        for i in range(N):
            out[i] = (p0 * max(uE[i] - p1, 0.0) - x[i]) * inv_tE
            out[N + i] = (p0 * max(uI[i] - p1, 0.0) - x[N + i]) * inv_tI
    else:
        for i in range(N):
            out[i] = (_transfer(uE[i], kind, p0, p1, p2) - x[i]) * inv_tE
            out[N + i] = (_transfer(uI[i], kind, p0, p1, p2) - x[N + i]) * inv_tI
    if adapt:
        inv_tA = 1.0 / P[8]
        for i in range(N):
            out[2 * N + i] = (x[i] - x[2 * N + i]) * inv_tA


@njit(cache=True, fastmath=_FM, inline="always")
def _general_row(b, X, cs, Jc, P, kind, adapt, method, sig, S, dt, start_step, n_steps,
                 rec_every, R, max_sum, div_step):
    x = X[b]
    n = x.shape[0]
    N = cs.shape[1]
    M = cs.shape[0]
    k1 = np.empty(n)
    k2 = np.empty(n)
    k3 = np.empty(n)
    k4 = np.empty(n)
    tmp = np.empty(n)
    z = np.empty(2 * N)
    coef = np.empty((2, M + 1))
    uE = np.empty(N)
    uI = np.empty(N)
    Jb = Jc[b]
    Pb = P[b]
    noisy = sig[b, 0] != 0.0 or sig[b, 1] != 0.0
    r0, r1, r2, r3 = S[b, 0], S[b, 1], S[b, 2], S[b, 3]
    for step in range(n_steps):
        gstep = start_step + step
        _rhs(x, k1, cs, Jb, Pb, kind, adapt, coef, uE, uI)
        if method == 0:
            for i in range(n):
                x[i] += dt * k1[i]
            if noisy:
                r0, r1, r2, r3 = _fill_normals(z, 2 * N, r0, r1, r2, r3)
                for i in range(N):
                    x[i] += sig[b, 0] * z[i]
                    x[N + i] += sig[b, 1] * z[N + i]
        elif method == 1:
            for i in range(n):
                tmp[i] = x[i] + dt * k1[i]
            _rhs(tmp, k2, cs, Jb, Pb, kind, adapt, coef, uE, uI)
            for i in range(n):
                x[i] += 0.5 * dt * (k1[i] + k2[i])
        else:
            for i in range(n):
                tmp[i] = x[i] + 0.5 * dt * k1[i]
            _rhs(tmp, k2, cs, Jb, Pb, kind, adapt, coef, uE, uI)
            for i in range(n):
                tmp[i] = x[i] + 0.5 * dt * k2[i]
            _rhs(tmp, k3, cs, Jb, Pb, kind, adapt, coef, uE, uI)
            for i in range(n):
                tmp[i] = x[i] + dt * k3[i]
            _rhs(tmp, k4, cs, Jb, Pb, kind, adapt, coef, uE, uI)
            for i in range(n):
                x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])
        total = 0.0
        for i in range(n):
            total += abs(x[i])
        if not (total < max_sum):
            div_step[b] = gstep + 1
            break
        if rec_every > 0 and (gstep + 1) % rec_every == 0:
            R[b, (gstep + 1) // rec_every, :] = x
    S[b, 0], S[b, 1], S[b, 2], S[b, 3] = r0, r1, r2, r3


@njit(cache=True, parallel=True, fastmath=_FM)
def general_parallel(X, cs, Jc, P, kind, adapt, method, sig, S, dt, start_step,
                     n_steps, rec_every, R, max_sum, div_step):
    for b in prange(X.shape[0]):
        if div_step[b] == 0:
            _general_row(b, X, cs, Jc, P, kind, adapt, method, sig, S, dt, start_step,
                         n_steps, rec_every, R, max_sum, div_step)


@njit(cache=True, fastmath=_FM)
def general_serial(X, cs, Jc, P, kind, adapt, method, sig, S, dt, start_step,
                   n_steps, rec_every, R, max_sum, div_step):
    for b in range(X.shape[0]):
        if div_step[b] == 0:
            _general_row(b, X, cs, Jc, P, kind, adapt, method, sig, S, dt, start_step,
                         n_steps, rec_every, R, max_sum, div_step)
