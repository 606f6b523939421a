"""Compiled (Numba) integrators for the ring with a few Fourier modes.

The coupling ``(1/N) sum_j (J0 + sum_k J_k cos k(theta_i - theta_j)) m_j`` needs only
the mean rate and the Fourier moments ``(1/N) sum_j m_j cos k theta_j`` and
``... sin k theta_j``: O(N K) per step.  For the tutorial's case (K = 1,
threshold-linear, forward Euler) one fused pass per step updates every unit
and accumulates the next step's moments at the same time.

Every kernel works on a batch ``X`` of shape ``(B, N)``, one parameter set per
row, updated in place.  ``div_step[b]`` is set to the (1-based) step at which
row b left the bound ``max_rate``; that row then stops.  Rows are independent,
so the parallel and the serial drivers give bit-identical results.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

_FM = {"reassoc", "contract"}  # keeps NaN/inf semantics (no 'nnan'/'ninf')

METHODS = {"euler": 0, "heun": 1, "rk4": 2}


@njit(cache=True, fastmath=_FM)
def _transfer(u, kind, p0, p1, p2):
    if kind == 0:
        v = u - p1
        return p0 * v if v > 0.0 else 0.0
    if kind == 1:
        return p2 / (1.0 + math.exp(-p0 * (u - p1)))
    v = u - p1
    return p0 * v**p2 if v > 0.0 else 0.0


@njit(cache=True, fastmath=_FM)
def _eps_at(t, eps, t_on, t_off):
    return eps if (t >= t_on and t < t_off) else 0.0


# inline="always": the row body is compiled into each driver, so that the driver loaded from
# Numba's on-disk cache runs as fast as a fresh compile (a cached, separately linked callee
# measured ~20% slower here).
@njit(cache=True, fastmath=_FM, inline="always")
def _euler_cos_relu_row(b, X, cosv, sinv, J0, J1, h0, eps, th0, omega, t_on, t_off, dt_tau,
                        gain, thr, dt, start_step, n_steps, rec_every, R, max_sum, div_step):
    """Fused forward Euler, K = 1, threshold-linear: one pass over the units per step.

    Units j and N - j see the same cos(theta) and opposite sin(theta), so they are updated
    together: their inputs are p + q and p - q with p = a + bc cos, q = bs sin, and they
    enter the moments through their sum and difference.  That halves the table reads and
    the multiplications.  Both halves live in buffers read forwards (``xa[j] = x[j + 1]``,
    ``y[j] = x[N - 1 - j]``), padded to a multiple of 16 pairs so that the compiled loop
    has no scalar remainder: a padding pair has cos = sin = 0 and starts each step at 0, so
    it adds exactly ``2 [a]_+`` to the mean and nothing to the other moments, which is
    taken off again.  ``x`` is brought up to date whenever it is recorded and when the call
    returns.  (Unit N - j uses ``cos(theta_j)`` and ``-sin(theta_j)`` from the table, equal
    to its own table values to within one rounding.)
    """
    x = X[b]
    N = x.shape[0]
    P = (N - 1) // 2  # pairs (j, N - j), j = 1..P; unit 0 and, for even N, unit N/2 unpaired
    H = N // 2
    even = N % 2 == 0
    Q = (P + 15) // 16 * 16  # padded number of pairs
    xa = np.zeros(Q)
    y = np.zeros(Q)
    cp = np.zeros(Q)
    sp = np.zeros(Q)
    for j in range(P):
        xa[j] = x[j + 1]
        y[j] = x[N - 1 - j]
        cp[j] = cosv[j + 1]
        sp[j] = sinv[j + 1]
    n_pad2 = 2.0 * (Q - P)
    c0, s0t = cosv[0], sinv[0]
    ch, sh = cosv[H], sinv[H]
    inv_n = 1.0 / N
    s0 = 0.0
    sc = 0.0
    ss = 0.0
    for i in range(N):
        s0 += x[i]
        sc += x[i] * cosv[i]
        ss += x[i] * sinv[i]
    a_j0 = J0[b] * inv_n
    a_j1 = J1[b] * inv_n
    kg = dt_tau[b] * gain[b]
    one_k = 1.0 - dt_tau[b]
    a_h = h0[b] - thr[b]
    e_b = eps[b]
    w_b = omega[b]
    on_b = t_on[b]
    off_b = t_off[b]
    # a static stimulus needs no trigonometry inside the time loop
    ec_static = e_b * math.cos(th0[b])
    es_static = e_b * math.sin(th0[b])
    for step in range(n_steps):
        gstep = start_step + step
        t = gstep * dt
        ec = 0.0
        es = 0.0
        if t >= on_b and t < off_b:
            if w_b == 0.0:
                ec = ec_static
                es = es_static
            else:
                ph = th0[b] + w_b * t
                ec = e_b * math.cos(ph)
                es = e_b * math.sin(ph)
        # x + k (g [u]_+ - x) = (1 - k) x + [k g u]_+  (k, g > 0): fold k g into the input
        a = kg * (a_h + a_j0 * s0)
        bc = kg * (ec + a_j1 * sc)
        bs = kg * (es + a_j1 * ss)
        u0 = one_k * x[0] + max(a + bc * c0 + bs * s0t, 0.0)
        x[0] = u0
        n0 = u0
        nc = u0 * c0
        ns = u0 * s0t
        if even:
            uh = one_k * x[H] + max(a + bc * ch + bs * sh, 0.0)
            x[H] = uh
            n0 += uh
            nc += uh * ch
            ns += uh * sh
        m0 = 0.0
        mc = 0.0
        ms = 0.0
        for j in range(Q):
            ci = cp[j]
            si = sp[j]
            pj = a + bc * ci
            qj = bs * si
            ya = one_k * xa[j] + max(pj + qj, 0.0)
            yb = one_k * y[j] + max(pj - qj, 0.0)
            u = ya + yb
            m0 += u
            mc += u * ci
            ms += (ya - yb) * si
            xa[j] = ya
            y[j] = yb
        for j in range(P, Q):  # the padding pairs start every step at 0
            xa[j] = 0.0
            y[j] = 0.0
        s0 = n0 + (m0 - n_pad2 * max(a, 0.0))
        sc = nc + mc
        ss = ns + ms
        if not (abs(s0) + abs(sc) + abs(ss) < max_sum):
            div_step[b] = gstep + 1
            break
        if rec_every > 0 and (gstep + 1) % rec_every == 0:
            for j in range(P):
                x[j + 1] = xa[j]
                x[N - 1 - j] = y[j]
            R[b, (gstep + 1) // rec_every, :] = x
    for j in range(P):
        x[j + 1] = xa[j]
        x[N - 1 - j] = y[j]


@njit(cache=True, parallel=True, fastmath=_FM)
def euler_cos_relu_parallel(X, cosv, sinv, J0, J1, h0, eps, th0, omega, t_on, t_off, dt_tau,
                            gain, thr, dt, start_step, n_steps, rec_every, R, max_sum, div_step):
    for b in prange(X.shape[0]):
        if div_step[b] == 0:
            _euler_cos_relu_row(b, X, cosv, sinv, J0, J1, h0, eps, th0, omega, t_on, t_off,
                                dt_tau, gain, thr, dt, start_step, n_steps, rec_every, R,
                                max_sum, div_step)


@njit(cache=True, fastmath=_FM)
def euler_cos_relu_serial(X, cosv, sinv, J0, J1, h0, eps, th0, omega, t_on, t_off, dt_tau,
                          gain, thr, dt, start_step, n_steps, rec_every, R, max_sum, div_step):
    for b in range(X.shape[0]):
        if div_step[b] == 0:
            _euler_cos_relu_row(b, X, cosv, sinv, J0, J1, h0, eps, th0, omega, t_on, t_off,
                                dt_tau, gain, thr, dt, start_step, n_steps, rec_every, R,
                                max_sum, div_step)


@njit(cache=True, fastmath=_FM, inline="always")
def _mode_inputs(x, cosk, sink, Jk, inv_n, cbuf, sbuf):
    """Recurrent input per Fourier mode: ``cbuf[k], sbuf[k] = J_k <m cos>, J_k <m sin>``
    (k = 1..K, stored from index 0); returns ``sum_i x[i]``."""
    N = x.shape[0]
    s0 = 0.0
    for i in range(N):
        s0 += x[i]
    for k in range(cosk.shape[0]):
        c = 0.0
        s = 0.0
        for i in range(N):
            c += x[i] * cosk[k, i]
            s += x[i] * sink[k, i]
        cbuf[k] = Jk[k] * c * inv_n
        sbuf[k] = Jk[k] * s * inv_n
    return s0


@njit(cache=True, fastmath=_FM)
def _rhs_modes(x, out, t, cosk, sink, J0, Jk, h0, eps, th0, omega, t_on, t_off, tau,
               kind, p0, p1, p2, cbuf, sbuf):
    """dm/dt for one row with K Fourier modes; ``cbuf``, ``sbuf`` are work arrays (K,)."""
    K = cosk.shape[0]
    N = x.shape[0]
    inv_n = 1.0 / N
    s0 = _mode_inputs(x, cosk, sink, Jk, inv_n, cbuf, sbuf)
    e = _eps_at(t, eps, t_on, t_off)
    ph = th0 + omega * t
    cbuf[0] += e * math.cos(ph)
    sbuf[0] += e * math.sin(ph)
    a = h0 + J0 * s0 * inv_n
    inv_tau = 1.0 / tau
    for i in range(N):
        u = a
        for k in range(K):
            u += cbuf[k] * cosk[k, i] + sbuf[k] * sink[k, i]
        out[i] = (_transfer(u, kind, p0, p1, p2) - x[i]) * inv_tau


@njit(cache=True, fastmath=_FM, inline="always")
def _modes_row(b, X, cosk, sink, J0, Jk, h0, eps, th0, omega, t_on, t_off, tau, kind, tp,
               method, dt, start_step, n_steps, rec_every, R, max_sum, div_step):
    x = X[b]
    N = x.shape[0]
    K = cosk.shape[0]
    k1 = np.empty(N)
    k2 = np.empty(N)
    k3 = np.empty(N)
    k4 = np.empty(N)
    tmp = np.empty(N)
    cbuf = np.empty(K)
    sbuf = np.empty(K)
    p0 = tp[b, 0]
    p1 = tp[b, 1]
    p2 = tp[b, 2]
    jk = Jk[b]
    for step in range(n_steps):
        gstep = start_step + step
        t = gstep * dt
        _rhs_modes(x, k1, t, cosk, sink, J0[b], jk, h0[b], eps[b], th0[b], omega[b], t_on[b],
                   t_off[b], tau[b], kind, p0, p1, p2, cbuf, sbuf)
        if method == 0:
            for i in range(N):
                x[i] += dt * k1[i]
        elif method == 1:
            for i in range(N):
                tmp[i] = x[i] + dt * k1[i]
            _rhs_modes(tmp, k2, t + dt, cosk, sink, J0[b], jk, h0[b], eps[b], th0[b], omega[b],
                       t_on[b], t_off[b], tau[b], kind, p0, p1, p2, cbuf, sbuf)
            for i in range(N):
                x[i] += 0.5 * dt * (k1[i] + k2[i])
        else:
            for i in range(N):
                tmp[i] = x[i] + 0.5 * dt * k1[i]
            _rhs_modes(tmp, k2, t + 0.5 * dt, cosk, sink, J0[b], jk, h0[b], eps[b], th0[b],
                       omega[b], t_on[b], t_off[b], tau[b], kind, p0, p1, p2, cbuf, sbuf)
            for i in range(N):
                tmp[i] = x[i] + 0.5 * dt * k2[i]
            _rhs_modes(tmp, k3, t + 0.5 * dt, cosk, sink, J0[b], jk, h0[b], eps[b], th0[b],
                       omega[b], t_on[b], t_off[b], tau[b], kind, p0, p1, p2, cbuf, sbuf)
            for i in range(N):
                tmp[i] = x[i] + dt * k3[i]
            _rhs_modes(tmp, k4, t + dt, cosk, sink, J0[b], jk, h0[b], eps[b], th0[b], omega[b],
                       t_on[b], t_off[b], tau[b], kind, p0, p1, p2, cbuf, sbuf)
            for i in range(N):
                x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])
        total = 0.0
        for i in range(N):
            total += abs(x[i])
        if not (total < max_sum):
            div_step[b] = gstep + 1
            return
        if rec_every > 0 and (gstep + 1) % rec_every == 0:
            R[b, (gstep + 1) // rec_every, :] = x


@njit(cache=True, parallel=True, fastmath=_FM)
def modes_parallel(X, cosk, sink, J0, Jk, h0, eps, th0, omega, t_on, t_off, tau, kind, tp,
                   method, dt, start_step, n_steps, rec_every, R, max_sum, div_step):
    for b in prange(X.shape[0]):
        if div_step[b] == 0:
            _modes_row(b, X, cosk, sink, J0, Jk, h0, eps, th0, omega, t_on, t_off, tau, kind,
                       tp, method, dt, start_step, n_steps, rec_every, R, max_sum, div_step)


@njit(cache=True, fastmath=_FM)
def modes_serial(X, cosk, sink, J0, Jk, h0, eps, th0, omega, t_on, t_off, tau, kind, tp,
                 method, dt, start_step, n_steps, rec_every, R, max_sum, div_step):
    for b in range(X.shape[0]):
        if div_step[b] == 0:
            _modes_row(b, X, cosk, sink, J0, Jk, h0, eps, th0, omega, t_on, t_off, tau, kind,
                       tp, method, dt, start_step, n_steps, rec_every, R, max_sum, div_step)
