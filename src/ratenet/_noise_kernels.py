"""Compiled (Numba) Euler-Maruyama integrators for the ring with noise and heterogeneity.

Random numbers
--------------
Every row of a batch (one trial) owns a xoshiro256++ generator whose 256-bit
state lives in ``S[b]`` (shape ``(B, 4)``, uint64) and is carried from one call
to the next, so splitting a run into time chunks, or trials into batches, does
not change a single bit.  Normal deviates come from a 256-layer ziggurat
(Marsaglia & Tsang 2000, with Doornik's 2005 choice of independent bits for
the layer index and the abscissa) written here; its tables are built at import.

Dynamics (time in units of ``tau``)
----------------------------------
    m_i <- m_i + (dt/tau) (f(u_i) - m_i) + sigma sqrt(dt/tau) z_i
    u_i  = h0 + J0 r0 + J1 (c cos theta_i + s sin theta_i) + eps cos(theta_i - phase(t))
           + eta_i - delta_i          (delta_i: quenched threshold offsets)
    eta_i <- a eta_i + sigma_ou sqrt(1 - a^2) z'_i,   a = exp(-dt / tau_ou)   (exact OU step)

Rows are independent, so the parallel and serial drivers give identical results.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ._kernels import _FM, _eps_at, _mode_inputs, _transfer

# ----------------------------------------------------------------- xoshiro256++
_U11 = np.uint64(11)
_U17 = np.uint64(17)
_U23 = np.uint64(23)
_U41 = np.uint64(41)
_U45 = np.uint64(45)
_U19 = np.uint64(19)
_U255 = np.uint64(255)
_TWO_M53 = 1.0 / 9007199254740992.0


@njit(cache=True, inline="always")
def _next(s0, s1, s2, s3):
    """One xoshiro256++ output and the advanced state."""
    a = s0 + s3
    result = ((a << _U23) | (a >> _U41)) + s0
    t = s1 << _U17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << _U45) | (s3 >> _U19)
    return result, s0, s1, s2, s3


def _ziggurat_tables(n: int = 256, r: float = 3.6541528853610088):
    """Layer edges ``x`` (n+1,), densities ``f(x)`` (n+1,) and ratios x[i+1]/x[i] (n,)."""
    f = lambda x: math.exp(-0.5 * x * x)  # noqa: E731
    v = r * f(r) + math.sqrt(math.pi / 2.0) * math.erfc(r / math.sqrt(2.0))
    x = np.zeros(n + 1)
    x[0] = v / f(r)
    x[1] = r
    for i in range(1, n - 1):
        x[i + 1] = math.sqrt(-2.0 * math.log(v / x[i] + f(x[i])))
    x[n] = 0.0
    fx = np.exp(-0.5 * x * x)
    return x, fx, x[1:] / x[:-1], v


_ZX, _ZF, _ZR, _ZV = _ziggurat_tables()
_ZTAIL = float(_ZX[1])


@njit(cache=True, inline="always")
def _uniform_open(r):
    """A double in (0, 1) from the top 53 bits."""
    return (np.float64(r >> _U11) + 0.5) * _TWO_M53


@njit(cache=True)
def _ziggurat_finish(i, u, s0, s1, s2, s3):
    """The ziggurat's slow path after a failed fast test in layer ``i``.

    Returns ``(accepted, x, s0, s1, s2, s3)``: layer 0 draws from the tail beyond R
    (Marsaglia's method, always accepted); other layers test the wedge once.
    """
    if i == 0:
        while True:
            r, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
            xt = -math.log(_uniform_open(r)) / _ZTAIL
            r, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
            yt = -math.log(_uniform_open(r))
            if yt + yt >= xt * xt:
                break
        return True, (_ZTAIL + xt if u > 0.0 else -(_ZTAIL + xt)), s0, s1, s2, s3
    x = u * _ZX[i]
    r, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
    y = _ZF[i] + (np.float64(r >> _U11) * _TWO_M53) * (_ZF[i + 1] - _ZF[i])
    return y < math.exp(-0.5 * x * x), x, s0, s1, s2, s3


@njit(cache=True)
def _normal(s0, s1, s2, s3):
    """One standard normal deviate (ziggurat) and the advanced generator state."""
    while True:
        r, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
        i = np.int64(r & _U255)
        u = 2.0 * (np.float64(r >> _U11) * _TWO_M53) - 1.0
        if abs(u) < _ZR[i]:
            return u * _ZX[i], s0, s1, s2, s3
        ok, x, s0, s1, s2, s3 = _ziggurat_finish(i, u, s0, s1, s2, s3)
        if ok:
            return x, s0, s1, s2, s3


@njit(cache=True)
def _normal_slow(i, u, s0, s1, s2, s3):
    """Finish a ziggurat draw whose fast test failed (wedge or tail), else draw afresh."""
    ok, x, s0, s1, s2, s3 = _ziggurat_finish(i, u, s0, s1, s2, s3)
    if ok:
        return x, s0, s1, s2, s3
    return _normal(s0, s1, s2, s3)


@njit(cache=True, inline="always")
def _fill_normals(buf, n, s0, s1, s2, s3):
    """``buf[:n]`` <- standard normals; the ziggurat's fast path is inlined here."""
    for j in range(n):
        a = s0 + s3
        r = ((a << _U23) | (a >> _U41)) + s0
        t = s1 << _U17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << _U45) | (s3 >> _U19)
        i = np.int64(r & _U255)
        u = 2.0 * (np.float64(r >> _U11) * _TWO_M53) - 1.0
        if abs(u) < _ZR[i]:
            buf[j] = u * _ZX[i]
        else:
            z, s0, s1, s2, s3 = _normal_slow(i, u, s0, s1, s2, s3)
            buf[j] = z
    return s0, s1, s2, s3


@njit(cache=True)
def standard_normals(S, out):
    """Fill ``out`` (B, n) with normals, row b from the generator ``S[b]`` (tests, tools)."""
    for b in range(out.shape[0]):
        s0, s1, s2, s3 = S[b, 0], S[b, 1], S[b, 2], S[b, 3]
        row = out[b]
        s0, s1, s2, s3 = _fill_normals(row, row.shape[0], s0, s1, s2, s3)
        S[b, 0], S[b, 1], S[b, 2], S[b, 3] = s0, s1, s2, s3


# ------------------------------------------------- fused K = 1, threshold-linear
@njit(cache=True, fastmath=_FM)
def _em_cos_relu_row(b, X, ETA, S, MOM, cosv, sinv, J0, J1, h0, eps, th0, omega, t_on, t_off,
                     dt_tau, gain, thr, dthr, sig_w, a_ou, sig_ou, dt, start_step, n_steps,
                     rec_every, rec_moments, R, max_sum, div_step):
    """Euler-Maruyama for one row: K = 1, threshold-linear; white and/or OU noise.

    Per step: the OU normals (if any) then the white-noise normals (if any) are drawn
    into buffers, then one fused pass updates every unit.
    """
    x = X[b]
    eta = ETA[b]
    N = x.shape[0]
    inv_n = 1.0 / N
    if start_step == 0:
        s0 = 0.0
        sc = 0.0
        ss = 0.0
        for i in range(N):
            s0 += x[i]
            sc += x[i] * cosv[i]
            ss += x[i] * sinv[i]
    else:  # carried over from the previous call: a run cut in chunks stays bit-identical
        s0 = MOM[b, 0]
        sc = MOM[b, 1]
        ss = MOM[b, 2]
    a_j0 = J0[b] * inv_n
    a_j1 = J1[b] * inv_n
    k = dt_tau[b]
    g = gain[b]
    sw = sig_w[b]
    so = sig_ou[b]
    ao = a_ou[b]
    white = sw != 0.0
    ou = so != 0.0
    het = dthr.shape[0] == N
    zw = np.zeros(N)
    zo = np.zeros(N)
    offs = dthr if het else np.zeros(N)
    r0, r1, r2, r3 = S[b, 0], S[b, 1], S[b, 2], S[b, 3]
    for step in range(n_steps):
        gstep = start_step + step
        t = gstep * dt
        e = _eps_at(t, eps[b], t_on[b], t_off[b])
        a = h0[b] + a_j0 * s0 - thr[b]
        bc = a_j1 * sc
        bs = a_j1 * ss
        if e != 0.0:
            ph = th0[b] + omega[b] * t
            bc += e * math.cos(ph)
            bs += e * math.sin(ph)
        if ou:
            r0, r1, r2, r3 = _fill_normals(zo, N, r0, r1, r2, r3)
        if white:
            r0, r1, r2, r3 = _fill_normals(zw, N, r0, r1, r2, r3)
        n0 = 0.0
        nc = 0.0
        ns = 0.0
        for i in range(N):
            ei = eta[i]
            u = a + bc * cosv[i] + bs * sinv[i] - offs[i] + ei
            eta[i] = ao * ei + so * zo[i]
            f = g * u if u > 0.0 else 0.0
            xi = x[i] + k * (f - x[i]) + sw * zw[i]
            x[i] = xi
            n0 += xi
            nc += xi * cosv[i]
            ns += xi * sinv[i]
        s0 = n0
        sc = nc
        ss = ns
        if not (abs(s0) + abs(sc) + abs(ss) < max_sum):
            div_step[b] = gstep + 1
            break
        if rec_every > 0 and (gstep + 1) % rec_every == 0:
            if rec_moments:
                jr = (gstep + 1) // rec_every
                R[b, jr, 0] = s0 * inv_n
                R[b, jr, 1] = sc * inv_n
                R[b, jr, 2] = ss * inv_n
            else:
                R[b, (gstep + 1) // rec_every, :] = x
    S[b, 0], S[b, 1], S[b, 2], S[b, 3] = r0, r1, r2, r3
    MOM[b, 0] = s0
    MOM[b, 1] = sc
    MOM[b, 2] = ss


@njit(cache=True, parallel=True)
def em_cos_relu_parallel(X, ETA, S, MOM, cosv, sinv, J0, J1, h0, eps, th0, omega, t_on, t_off,
                         dt_tau, gain, thr, dthr, sig_w, a_ou, sig_ou, dt, start_step, n_steps,
                         rec_every, rec_moments, R, max_sum, div_step):
    for b in prange(X.shape[0]):
        if div_step[b] == 0:
            _em_cos_relu_row(b, X, ETA, S, MOM, cosv, sinv, J0, J1, h0, eps, th0, omega, t_on,
                             t_off, dt_tau, gain, thr, dthr, sig_w, a_ou, sig_ou, dt,
                             start_step, n_steps, rec_every, rec_moments, R, max_sum, div_step)


@njit(cache=True)
def em_cos_relu_serial(X, ETA, S, MOM, cosv, sinv, J0, J1, h0, eps, th0, omega, t_on, t_off,
                       dt_tau, gain, thr, dthr, sig_w, a_ou, sig_ou, dt, start_step, n_steps,
                       rec_every, rec_moments, R, max_sum, div_step):
    for b in range(X.shape[0]):
        if div_step[b] == 0:
            _em_cos_relu_row(b, X, ETA, S, MOM, cosv, sinv, J0, J1, h0, eps, th0, omega, t_on,
                             t_off, dt_tau, gain, thr, dthr, sig_w, a_ou, sig_ou, dt,
                             start_step, n_steps, rec_every, rec_moments, R, max_sum, div_step)


# ------------------------------------------- general: K modes, any transfer, dense dW
@njit(cache=True, fastmath=_FM)
def _em_modes_row(b, X, ETA, S, cosk, sink, J0, Jk, h0, eps, th0, omega, t_on, t_off, tau,
                  kind, tp, dthr, DW, sig_w, a_ou, sig_ou, dt, start_step, n_steps, rec_every,
                  rec_moments, R, max_sum, div_step):
    """Euler-Maruyama for one row with K Fourier modes, any transfer, an optional dense
    coupling perturbation ``DW`` (N, N) (already divided by N), threshold offsets ``dthr``."""
    x = X[b]
    eta = ETA[b]
    N = x.shape[0]
    K = cosk.shape[0]
    inv_n = 1.0 / N
    u = np.empty(N)
    zw = np.zeros(N)
    zo = np.zeros(N)
    cbuf = np.empty(K)
    sbuf = np.empty(K)
    p0 = tp[b, 0]
    p1 = tp[b, 1]
    p2 = tp[b, 2]
    k = dt / tau[b]
    sw = sig_w[b]
    so = sig_ou[b]
    ao = a_ou[b]
    white = sw != 0.0
    ou = so != 0.0
    het = dthr.shape[0] == N
    dense = DW.shape[0] == N
    r0, r1, r2, r3 = S[b, 0], S[b, 1], S[b, 2], S[b, 3]
    for step in range(n_steps):
        gstep = start_step + step
        t = gstep * dt
        s0 = _mode_inputs(x, cosk, sink, Jk[b], inv_n, cbuf, sbuf)
        e = _eps_at(t, eps[b], t_on[b], t_off[b])
        if e != 0.0:
            ph = th0[b] + omega[b] * t
            cbuf[0] += e * math.cos(ph)
            sbuf[0] += e * math.sin(ph)
        a = h0[b] + J0[b] * s0 * inv_n
        for i in range(N):
            v = a
            for q in range(K):
                v += cbuf[q] * cosk[q, i] + sbuf[q] * sink[q, i]
            if het:
                v -= dthr[i]
            if dense:
                acc = 0.0
                for j in range(N):
                    acc += DW[i, j] * x[j]
                v += acc
            if ou:
                v += eta[i]
            u[i] = v
        if ou:
            r0, r1, r2, r3 = _fill_normals(zo, N, r0, r1, r2, r3)
            for i in range(N):
                eta[i] = ao * eta[i] + so * zo[i]
        if white:
            r0, r1, r2, r3 = _fill_normals(zw, N, r0, r1, r2, r3)
        total = 0.0
        for i in range(N):
            xi = x[i] + k * (_transfer(u[i], kind, p0, p1, p2) - x[i]) + sw * zw[i]
            x[i] = xi
            total += abs(xi)
        if not (total < max_sum):
            div_step[b] = gstep + 1
            break
        if rec_every > 0 and (gstep + 1) % rec_every == 0:
            jr = (gstep + 1) // rec_every
            if rec_moments:
                m0 = 0.0
                mc = 0.0
                ms = 0.0
                for i in range(N):
                    m0 += x[i]
                    mc += x[i] * cosk[0, i]
                    ms += x[i] * sink[0, i]
                R[b, jr, 0] = m0 * inv_n
                R[b, jr, 1] = mc * inv_n
                R[b, jr, 2] = ms * inv_n
            else:
                R[b, jr, :] = x
    S[b, 0], S[b, 1], S[b, 2], S[b, 3] = r0, r1, r2, r3


@njit(cache=True, parallel=True)
def em_modes_parallel(X, ETA, S, cosk, sink, J0, Jk, h0, eps, th0, omega, t_on, t_off, tau,
                      kind, tp, dthr, DW, sig_w, a_ou, sig_ou, dt, start_step, n_steps,
                      rec_every, rec_moments, R, max_sum, div_step):
    for b in prange(X.shape[0]):
        if div_step[b] == 0:
            _em_modes_row(b, X, ETA, S, cosk, sink, J0, Jk, h0, eps, th0, omega, t_on, t_off,
                          tau, kind, tp, dthr, DW, sig_w, a_ou, sig_ou, dt, start_step,
                          n_steps, rec_every, rec_moments, R, max_sum, div_step)


@njit(cache=True)
def em_modes_serial(X, ETA, S, cosk, sink, J0, Jk, h0, eps, th0, omega, t_on, t_off, tau,
                    kind, tp, dthr, DW, sig_w, a_ou, sig_ou, dt, start_step, n_steps,
                    rec_every, rec_moments, R, max_sum, div_step):
    for b in range(X.shape[0]):
        if div_step[b] == 0:
            _em_modes_row(b, X, ETA, S, cosk, sink, J0, Jk, h0, eps, th0, omega, t_on, t_off,
                          tau, kind, tp, dthr, DW, sig_w, a_ou, sig_ou, dt, start_step,
                          n_steps, rec_every, rec_moments, R, max_sum, div_step)

