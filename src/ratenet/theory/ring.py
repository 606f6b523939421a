"""Analytic theory of the threshold-linear ring model (N -> infinity).

Conventions: threshold-linear transfer with unit gain and zero threshold,
coupling ``w(d) = J0 + J1 cos d``, input ``h0 + eps cos(theta - theta0)``,
time in units of ``tau``.  Every result here is confirmed against simulation in
``tests/test_ring_theory.py``.

The stationary profile
----------------------
With only the modes J0 and J1 the total input to the neuron at ``theta`` is
always ``c + d cos(theta - theta0)``, so every stationary profile is
``m(theta) = [c + d cos(theta - theta0)]_+``.  Writing ``d = A`` and
``c = -A cos(theta_c)`` when some neurons are silent,

    m(theta) = A [cos(theta - theta0) - cos(theta_c)]_+ ,

whose mean rate and first Fourier coefficient are

    r0 = A g0(theta_c),   g0(t) = (sin t - t cos t) / pi,
    r1 = A g1(theta_c),   g1(t) = (t - sin t cos t) / (2 pi),

(``r1 = |C|``; the cos amplitude of the profile is ``m1 = 2 r1``).  Matching
the constant and the cos parts of the input gives the self-consistency

    A (1 - J1 g1(theta_c)) = eps,        A (-cos theta_c - J0 g0(theta_c)) = h0.

Regimes
-------
``homogeneous``
    A flat stationary profile: eps = 0 and the uniform state
    ``m0 = h0 / (1 - J0)`` is stable (J0 < 1, J1 < 2), or no neuron is driven
    above threshold (``h0 + eps < 0``: the quiescent state, ``r0 = 0``).
``broad``
    eps > 0, every neuron active: ``m0 + m1 cos(theta - theta0)`` with
    ``m1 = eps / (1 - J1/2) <= m0`` (theta_c = pi).
``narrow``
    J1 <= 2, a stable rectified profile with silent neurons (eps > 0).
``marginal``
    J1 > 2: a stable bump with silent neurons.  At eps = 0 its position is free
    (a ring attractor, ``J1 g1(theta_c) = 1``); it exists for ``h0 > 0`` and
    ``J0 < critical_J0(J1)``.  With eps > 0 the input pins it at theta0.
    The degenerate point J1 = 2, eps = 0 (a continuum of neutral states
    ``m0 + m1 cos``) is also called marginal.
``unstable``
    No stable bounded state: activity grows without bound (the weights are
    symmetric, so the dynamics have a Lyapunov function and cannot oscillate).

When more than one stable state exists (possible for h0 < 0, or for J0 > 1
with strong tuned input), the state reported is the first of: quiescent,
uniform/broad, narrowest rectified profile; ``stationary_states`` returns the
number of stable states in ``n_stable`` so callers can flag multistability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .._validation import ParameterError, as_float, as_float_array

__all__ = [
    "REGIMES",
    "LinearResponse",
    "RingSteadyState",
    "amplification",
    "classify_regime",
    "critical_J0",
    "g0",
    "g1",
    "linear_response",
    "marginal_theta_c",
    "mode_eigenvalues",
    "reduced_dynamics",
    "reduced_dynamics_for",
    "regime_map",
    "stationary_state",
    "stationary_states",
    "uniform_rate",
]

REGIMES = ("homogeneous", "broad", "narrow", "marginal", "unstable")
_HOM, _BROAD, _NARROW, _MARG, _UNST = range(5)

_N_GRID = 192  # grid of theta_c used to bracket the roots of the self-consistency
_N_BISECT = 52  # bisection steps: bracket pi/192 -> below 1e-15


# ------------------------------------------------------------------ basics
def g0(theta_c):
    """Mean rate of ``[cos(theta) - cos(theta_c)]_+``: ``(sin t - t cos t) / pi``.

    Parameters
    ----------
    theta_c : float or ndarray
        Half-width of the active region (radians, in ``[0, pi]``).
    """
    t = np.asarray(theta_c, dtype=float)
    return (np.sin(t) - t * np.cos(t)) / np.pi


def g1(theta_c):
    """First Fourier coefficient of ``[cos(theta) - cos(theta_c)]_+``: ``(t - sin t cos t)/(2 pi)``.

    The cos amplitude of the profile is ``2 g1``; ``g1(pi) = 1/2``.
    """
    t = np.asarray(theta_c, dtype=float)
    return (t - np.sin(t) * np.cos(t)) / (2.0 * np.pi)


def uniform_rate(J0: float, h0: float) -> float:
    """Rate of the stable uniform state of the ring, ``m0 = h0 / (1 - J0)``.

    Parameters
    ----------
    J0 : float
        Uniform coupling (must be < 1 for a positive stable uniform state).
    h0 : float
        Uniform input.

    Returns
    -------
    float
        ``h0 / (1 - J0)`` for ``J0 < 1, h0 > 0``; ``0`` (the quiescent state)
        for ``h0 <= 0``; ``nan`` for ``J0 >= 1, h0 > 0`` (no bounded uniform
        state: the uniform mode has eigenvalue ``J0 - 1 >= 0``).

    Examples
    --------
    >>> uniform_rate(-1.0, 1.0)
    0.5
    """
    J0 = as_float("J0", J0)
    h0 = as_float("h0", h0)
    if h0 <= 0.0:
        return 0.0
    if J0 >= 1.0:
        return math.nan
    return h0 / (1.0 - J0)


def mode_eigenvalues(J0: float, J1: float = 0.0, *J_higher: float) -> np.ndarray:
    """Eigenvalues of the uniform state, one per Fourier mode (units of 1/tau).

    About a uniform state with every neuron active, the mode ``cos(k theta)``
    decays (or grows) at rate ``J_k / 2 - 1`` for ``k >= 1`` and the uniform
    mode at ``J0 - 1``.

    Parameters
    ----------
    J0, J1, *J_higher : float
        Coupling Fourier coefficients ``J0, J1, J2, ...``.

    Returns
    -------
    ndarray of shape (1 + number of modes,)
        ``[J0 - 1, J1/2 - 1, J2/2 - 1, ...]``.

    Examples
    --------
    >>> mode_eigenvalues(0.5, 3.0).tolist()
    [-0.5, 0.5]
    """
    J = [as_float("J0", J0), as_float("J1", J1)]
    J += [as_float(f"J{k}", v) for k, v in enumerate(J_higher, start=2)]
    out = np.array(J, dtype=float) / 2.0 - 1.0
    out[0] = J[0] - 1.0
    return out


def marginal_theta_c(J1):
    """Half-width of the self-sustained bump: the root of ``J1 g1(theta_c) = 1``.

    Parameters
    ----------
    J1 : float or ndarray
        Must be > 2 (``g1 <= 1/2``).

    Returns
    -------
    float or ndarray
        theta_c in ``(0, pi)`` radians; shape of ``J1``.

    Examples
    --------
    At ``J1 = 4`` the bump covers half the ring (``g1(pi/2) = 1/4``):

    >>> round(marginal_theta_c(4.0), 12) == round(np.pi / 2, 12)
    True
    """
    J1a = as_float_array("J1", J1, allow_nan=True, allow_inf=True)
    if not np.all(np.isfinite(J1a)) or np.any(J1a <= 2.0):
        bad = J1 if J1a.ndim == 0 else J1a[~(J1a > 2.0)][0]
        raise ParameterError("J1", bad, "a finite number > 2 (the marginal phase)")
    tc = _marginal_tc(J1a)
    return float(tc) if tc.ndim == 0 else tc


def critical_J0(J1):
    """Critical J0 of the marginal phase: the bump grows without bound above it.

    For ``J1 > 2`` and ``eps = 0`` the self-sustained bump has
    ``A = h0 / (-cos theta_c - J0 g0(theta_c))`` with theta_c from
    :func:`marginal_theta_c`; it is positive (and stable) only for

        J0 < J0_c(J1) = -cos(theta_c) / g0(theta_c).

    ``J0_c -> 1`` as ``J1 -> 2+``, ``J0_c(4) = 0``, and ``J0_c`` decreases
    as J1 grows.

    Parameters
    ----------
    J1 : float or ndarray
        Must be > 2.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> abs(critical_J0(4.0)) < 1e-12  # theta_c = pi/2 at J1 = 4
    True
    """
    tc = np.asarray(marginal_theta_c(J1))
    with np.errstate(over="ignore", divide="ignore"):
        out = -np.cos(tc) / g0(tc)
    if not np.all(np.isfinite(out)):  # J0_c -> -inf as J1 -> inf; g0 loses all digits first
        bad = J1 if out.ndim == 0 else np.asarray(J1)[~np.isfinite(out)][0]
        raise ParameterError("J1", bad, "small enough for a finite critical J0",
                             hint="J0_c(J1) is beyond floating-point accuracy (the bump is "
                                  "too narrow)")
    return float(out) if out.ndim == 0 else out


def _marginal_tc(J1: np.ndarray) -> np.ndarray:
    """Vectorised root of ``J1 g1(t) = 1`` on (0, pi) (g1 is increasing); nan where J1 <= 2."""
    J1 = np.asarray(J1, dtype=float)
    lo = np.zeros_like(J1)
    hi = np.full_like(J1, np.pi)
    for _ in range(_N_BISECT + 8):
        mid = 0.5 * (lo + hi)
        above = J1 * g1(mid) > 1.0
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return np.where(J1 > 2.0, 0.5 * (lo + hi), np.nan)


# -------------------------------------------------------- stationary states
def _even_block_stable(tc, J0, J1):
    """Stability of the even (amplitude/width) perturbations of a rectified profile.

    On the active arc ``|theta| < theta_c`` the linearisation is ``-1 + K``
    with K the coupling compressed to the arc; on span{1, cos} it is
    ``diag(J0, J1) G`` with G the Gram matrix of {1, cos} on the arc (divided
    by 2 pi).  Returns (stable, mu1, mu2) where mu are the eigenvalues of
    ``-1 + K`` on that block (complex in general).
    """
    s, c = np.sin(tc), np.cos(tc)
    G00 = tc / np.pi
    G01 = s / np.pi
    G11 = (tc + s * c) / (2.0 * np.pi)
    a, b = J0 * G00 - 1.0, J0 * G01
    cc, d = J1 * G01, J1 * G11 - 1.0
    tr = a + d
    det = a * d - b * cc
    disc = np.sqrt((tr * tr - 4.0 * det).astype(complex))
    mu1, mu2 = 0.5 * (tr + disc), 0.5 * (tr - disc)
    return (tr < 0.0) & (det > 0.0), mu1, mu2


def _narrow_roots(J0, J1, h0, eps):
    """All roots theta_c of the self-consistency with eps > 0, for flat parameter arrays.

    Returns (point index, theta_c, A) of each root, the roots of
    ``G(t) = eps N(t) - h0 D(t)`` with ``N = -cos t - J0 g0``, ``D = 1 - J1 g1 > 0``.
    """
    P = J0.size
    # domain where D > 0: (0, pi] for J1 <= 2, (0, tc*) for J1 > 2
    tmax = np.where(J1 > 2.0, _marginal_tc(np.where(J1 > 2.0, J1, 3.0)), np.pi)
    u = np.linspace(0.0, 1.0, _N_GRID + 1)[1:]  # exclude t = 0 (G(0) = -(h0 + eps))
    t = tmax[:, None] * u[None, :]  # (P, K)

    def G(t, j0, j1, hh, ee):
        return ee * (-np.cos(t) - j0 * g0(t)) - hh * (1.0 - j1 * g1(t))

    Gv = G(t, J0[:, None], J1[:, None], h0[:, None], eps[:, None])
    G0 = -(h0 + eps)
    Gfull = np.concatenate([G0[:, None], Gv], axis=1)  # (P, K+1) on [0, ..., tmax]
    tfull = np.concatenate([np.zeros((P, 1)), t], axis=1)
    sgn = np.sign(Gfull)
    cross = (sgn[:, :-1] * sgn[:, 1:] < 0) | ((sgn[:, 1:] == 0) & (np.arange(_N_GRID) <
                                                                    _N_GRID - 1))
    # a root exactly at the right end t = tmax is a boundary (tc = pi: broad/narrow edge,
    # or D = 0 at tc*: infinite amplitude) and is not a rectified state
    pi_idx, k_idx = np.nonzero(cross)
    if pi_idx.size == 0:
        return pi_idx, np.empty(0), np.empty(0)
    lo, hi = tfull[pi_idx, k_idx], tfull[pi_idx, k_idx + 1]
    j0, j1, hh, ee = J0[pi_idx], J1[pi_idx], h0[pi_idx], eps[pi_idx]
    glo = G(lo, j0, j1, hh, ee)
    for _ in range(_N_BISECT):
        mid = 0.5 * (lo + hi)
        gm = G(mid, j0, j1, hh, ee)
        same = np.sign(gm) == np.sign(glo)
        lo = np.where(same, mid, lo)
        glo = np.where(same, gm, glo)
        hi = np.where(same, hi, mid)
    tc = 0.5 * (lo + hi)
    A = ee / (1.0 - j1 * g1(tc))
    keep = (tc > 0.0) & (tc < np.pi) & np.isfinite(A) & (A > 0.0)
    return pi_idx[keep], tc[keep], A[keep]


def stationary_states(*, J0, J1, h0, eps) -> dict[str, np.ndarray]:
    """Vectorised stationary theory: the state each parameter set settles in.

    Parameters
    ----------
    J0, J1, h0, eps : float or array_like
        Broadcast against each other (``eps >= 0``).

    Returns
    -------
    dict of ndarray, each of the broadcast shape
        ``regime_code`` (int, index into :data:`REGIMES`), ``regime`` (str),
        ``theta_c`` (radians; pi when all active, 0 when quiescent, nan when
        unstable), ``A`` (cos amplitude of the input ``d``), ``c`` (constant
        part of the input, so ``m = [c + A cos(theta - theta0)]_+``), ``r0``
        (mean rate), ``m1`` (cos amplitude of the rate profile), ``peak`` (max
        rate), ``n_stable`` (number of stable states found).

    Notes
    -----
    Cost: about 200 evaluations of the self-consistency per point, all as
    array operations (a 64 x 64 grid takes a few tens of milliseconds).
    """
    arrs = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (J0, J1, h0, eps)))
    shape = arrs[0].shape
    J0f, J1f, h0f, epsf = (a.ravel().copy() for a in arrs)
    for name, a in zip(("J0", "J1", "h0", "eps"), (J0f, J1f, h0f, epsf)):
        if not np.all(np.isfinite(a)):
            raise ParameterError(name, a[~np.isfinite(a)][0], "a finite real number")
    if np.any(epsf < 0):
        raise ParameterError("eps", epsf[epsf < 0][0], "a finite number >= 0")
    P = J0f.size
    code = np.full(P, _UNST)
    tc = np.full(P, np.nan)
    A = np.full(P, np.nan)
    c = np.full(P, np.nan)
    done = np.zeros(P, dtype=bool)
    n_stable = np.zeros(P, dtype=int)

    # 1. quiescent: every input below threshold.  h0 = eps = 0 is scale-free: the zero
    #    state attracts positive initial rates iff neither the uniform mode nor a bump grows.
    quiet = (h0f + epsf < 0.0) | ((h0f + epsf == 0.0) & (epsf > 0.0))
    J1safe = np.where(J1f > 2.0, J1f, 3.0)
    with np.errstate(divide="ignore"):  # g0 -> 0 for huge J1: the critical J0 is infinite
        jc = np.where(J1f > 2.0, -np.cos(_marginal_tc(J1safe)) / g0(_marginal_tc(J1safe)),
                      np.inf)
    no_input = (h0f == 0.0) & (epsf == 0.0)
    quiet |= no_input & (J0f < 1.0) & ((J1f < 2.0) | (J0f < jc))
    n_stable += quiet
    code[quiet] = _HOM
    tc[quiet], A[quiet], c[quiet] = 0.0, 0.0, np.minimum(h0f[quiet], 0.0)
    done |= quiet

    # 2. uniform / broad: linear solution with every neuron active
    lin_ok = (J0f < 1.0) & (J1f < 2.0) & (h0f > 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        m0 = h0f / (1.0 - J0f)
        m1 = epsf / (1.0 - J1f / 2.0)
    broad = lin_ok & (m1 <= m0)
    n_stable += broad
    new = broad & ~done
    code[new] = np.where(epsf[new] > 0.0, _BROAD, _HOM)
    tc[new], A[new], c[new] = np.pi, m1[new], m0[new]
    done |= new
    # J1 = 2 exactly, eps = 0: neutral continuum m0 + m1 cos (the edge of the marginal phase)
    edge = ~done & (J1f == 2.0) & (epsf == 0.0) & (J0f < 1.0) & (h0f > 0.0)
    code[edge] = _MARG
    tc[edge], A[edge], c[edge] = np.pi, 0.0, m0[edge]
    n_stable += edge
    done |= edge

    # 3. self-sustained bump, eps = 0 and J1 > 2
    sel = (epsf == 0.0) & (J1f > 2.0) & (h0f > 0.0)
    if np.any(sel):
        t_star = _marginal_tc(J1f[sel])
        N_star = -np.cos(t_star) - J0f[sel] * g0(t_star)
        with np.errstate(divide="ignore", invalid="ignore"):
            Ab = h0f[sel] / N_star
        stable, _, _ = _even_block_stable(t_star, J0f[sel], J1f[sel])
        ok = (N_star > 0.0) & stable
        idx = np.flatnonzero(sel)[ok]
        n_stable[idx] += 1
        idx_new = idx[~done[idx]]
        okn = ok.copy()
        okn[ok] = ~done[idx]
        code[idx_new] = _MARG
        tc[idx_new], A[idx_new] = t_star[okn], Ab[okn]
        c[idx_new] = -Ab[okn] * np.cos(t_star[okn])
        done[idx_new] = True

    # 4. rectified profiles pinned by the tuned input, eps > 0
    sel = np.flatnonzero(epsf > 0.0)
    if sel.size:
        pidx, troot, Aroot = _narrow_roots(J0f[sel], J1f[sel], h0f[sel], epsf[sel])
        pidx = sel[pidx]
        stable, _, _ = _even_block_stable(troot, J0f[pidx], J1f[pidx])
        pidx, troot, Aroot = pidx[stable], troot[stable], Aroot[stable]
        np.add.at(n_stable, pidx, 1)
        order = np.lexsort((troot, pidx))  # per point, the narrowest first
        pidx, troot, Aroot = pidx[order], troot[order], Aroot[order]
        first = np.ones(pidx.size, dtype=bool)
        first[1:] = pidx[1:] != pidx[:-1]
        pidx, troot, Aroot = pidx[first], troot[first], Aroot[first]
        take = ~done[pidx]
        pidx, troot, Aroot = pidx[take], troot[take], Aroot[take]
        code[pidx] = np.where(J1f[pidx] > 2.0, _MARG, _NARROW)
        tc[pidx], A[pidx], c[pidx] = troot, Aroot, -Aroot * np.cos(troot)
        done[pidx] = True

    # observables of the profile [c + A cos]_+
    r0 = np.full(P, np.nan)
    m1o = np.full(P, np.nan)
    peak = np.full(P, np.nan)
    full = done & (tc >= np.pi)
    r0[full], m1o[full], peak[full] = c[full], A[full], c[full] + A[full]
    part = done & (tc < np.pi) & (tc > 0.0)
    r0[part] = A[part] * g0(tc[part])
    m1o[part] = 2.0 * A[part] * g1(tc[part])
    peak[part] = A[part] * (1.0 - np.cos(tc[part]))
    zero = done & (tc == 0.0)
    r0[zero], m1o[zero], peak[zero] = 0.0, 0.0, 0.0
    names = np.array(REGIMES)[code]
    out = {"regime_code": code, "regime": names, "theta_c": tc, "A": A, "c": c, "r0": r0,
           "m1": m1o, "peak": peak, "n_stable": n_stable}
    return {k: v.reshape(shape) for k, v in out.items()}


@dataclass(frozen=True)
class RingSteadyState:
    """The stationary state of the threshold-linear ring (N -> infinity).

    Attributes
    ----------
    regime : str
        One of :data:`REGIMES`.
    theta_c : float
        Half-width of the active region (radians): pi when every neuron is
        active, 0 when none is, nan when unstable.
    A : float
        Cos amplitude of the input; the profile is ``[c + A cos(theta - theta0)]_+``
        (``A [cos(theta - theta0) - cos theta_c]_+`` when some neurons are silent).
    c : float
        Constant part of the input at the fixed point (``m0`` in the broad regime).
    r0 : float
        Mean rate.
    m1 : float
        Amplitude of the cos component of the rate profile (``2 |C|``).
    peak : float
        Maximum rate.
    eigenvalues : ndarray of shape (2,)
        Of the uniform state, per mode: ``[J0 - 1, J1/2 - 1]`` (units of 1/tau).
    stability_eigenvalues : ndarray
        Of the state itself (units of 1/tau), the non-trivial ones: for a
        rectified profile the two even (width/amplitude) modes and the
        translation mode ``J1 g1(theta_c) - 1`` (0 at eps = 0: the bump's
        position is free); every other perturbation decays at -1.
    n_stable : int
        Number of stable stationary states found (> 1: multistability).
    J0, J1, h0, eps, theta0 : float
        The parameters.
    """

    regime: str
    theta_c: float
    A: float
    c: float
    r0: float
    m1: float
    peak: float
    eigenvalues: np.ndarray
    stability_eigenvalues: np.ndarray
    n_stable: int
    J0: float
    J1: float
    h0: float
    eps: float
    theta0: float = 0.0
    _unused: Any = field(default=None, repr=False, compare=False)

    @property
    def bounded(self) -> bool:
        """False in the unstable regime."""
        return self.regime != "unstable"

    def profile(self, theta) -> np.ndarray:
        """Stationary rate ``m(theta)``, same shape as ``theta`` (radians); nan if unstable."""
        th = np.asarray(theta, dtype=float)
        if not self.bounded:
            return np.full(th.shape, np.nan)
        return np.maximum(self.c + self.A * np.cos(th - self.theta0), 0.0)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (the CLI's ``ring theory --json``)."""
        return {
            "regime": self.regime, "theta_c": self.theta_c, "A": self.A, "c": self.c,
            "r0": self.r0, "m1": self.m1, "peak": self.peak,
            "eigenvalues": [float(v) for v in self.eigenvalues],
            "stability_eigenvalues": [float(np.real(v)) for v in self.stability_eigenvalues],
            "n_stable": self.n_stable, "J0": self.J0, "J1": self.J1, "h0": self.h0,
            "eps": self.eps, "theta0": self.theta0,
        }


def stationary_state(*, J0: float, J1: float, h0: float, eps: float,
                     theta0: float = 0.0) -> RingSteadyState:
    """Stationary state of the threshold-linear ring model in the limit N -> infinity.

    Parameters
    ----------
    J0, J1 : float
        Coupling ``J0 + J1 cos(theta - theta')``.
    h0 : float
        Uniform input.
    eps : float
        Amplitude of the tuned input (>= 0).
    theta0 : float, default 0
        Stimulus direction (radians); the profile peaks there.  At eps = 0 in
        the marginal phase the bump's position is free and theta0 only places
        the reported profile.

    Returns
    -------
    RingSteadyState

    Examples
    --------
    >>> s = stationary_state(J0=-2.0, J1=1.5, h0=1.0, eps=0.05)
    >>> s.regime, round(s.r0, 6), round(s.m1, 6)
    ('broad', 0.333333, 0.2)
    """
    J0 = as_float("J0", J0)
    J1 = as_float("J1", J1)
    h0 = as_float("h0", h0)
    eps = as_float("eps", eps)
    theta0 = as_float("theta0", theta0)
    if eps < 0:
        raise ParameterError("eps", eps, "a finite number >= 0")
    with np.errstate(over="ignore", invalid="ignore"):
        s = {k: v.item() for k, v in stationary_states(J0=J0, J1=J1, h0=h0, eps=eps).items()}
    if s["regime"] != "unstable":
        bad = [k for k in ("r0", "m1", "peak", "A") if not math.isfinite(float(s[k]))]
        if bad:  # the state exists, but its rates overflow: the inputs are too large
            given = {"J0": J0, "J1": J1, "h0": h0, "eps": eps}
            name = max(given, key=lambda k: abs(given[k]))
            raise ParameterError(name, given[name], "small enough for finite rates",
                                 hint=f"{', '.join(bad)} of the stationary state "
                                      f"overflow{'s' if len(bad) == 1 else ''} the "
                                      "floating-point range")
    tc = float(s["theta_c"])
    if s["regime"] == "unstable":
        stab = np.array([], dtype=complex)
    elif tc >= np.pi:
        stab = np.array([J0 - 1.0, J1 / 2.0 - 1.0], dtype=complex)
    elif tc == 0.0:
        stab = np.array([-1.0], dtype=complex)
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            _, mu1, mu2 = _even_block_stable(np.array(tc), J0, J1)
        stab = np.array([complex(mu1), complex(mu2), J1 * float(g1(tc)) - 1.0])
    if np.all(np.abs(stab.imag) < 1e-14):
        stab = stab.real
    return RingSteadyState(
        regime=str(s["regime"]), theta_c=tc, A=float(s["A"]), c=float(s["c"]),
        r0=float(s["r0"]), m1=float(s["m1"]), peak=float(s["peak"]),
        eigenvalues=mode_eigenvalues(J0, J1), stability_eigenvalues=stab,
        n_stable=int(s["n_stable"]), J0=J0, J1=J1, h0=h0, eps=eps, theta0=theta0,
    )


def classify_regime(*, J0: float, J1: float, h0: float, eps: float) -> str:
    """Regime of the ring model (one of :data:`REGIMES`); see the module docstring.

    Parameters
    ----------
    J0, J1, h0, eps : float
        As in :class:`ratenet.RingModel`.

    Returns
    -------
    str
        ``stationary_state(...).regime``.

    Examples
    --------
    >>> classify_regime(J0=-2.0, J1=0.0, h0=1.0, eps=0.0)   # no tuning at all
    'homogeneous'
    >>> classify_regime(J0=-2.0, J1=3.0, h0=1.0, eps=0.0)   # J1 > 2: a bump
    'marginal'
    """
    return stationary_state(J0=J0, J1=J1, h0=h0, eps=eps).regime


def regime_map(J0s, J1s, *, h0: float, eps: float) -> np.ndarray:
    """Regimes on a grid of couplings.

    Parameters
    ----------
    J0s : array_like of shape (n0,)
    J1s : array_like of shape (n1,)
    h0, eps : float

    Returns
    -------
    ndarray of str, shape (n1, n0)
        ``out[i, j]`` is the regime at ``J1 = J1s[i]``, ``J0 = J0s[j]``
        (rows J1, columns J0: ready for ``imshow(..., origin="lower")``
        with J0 on the x axis).  Codes: ``np.searchsorted``-free, compare
        with :data:`REGIMES`.

    Examples
    --------
    >>> regime_map([-2.0, -1.0], [0.0, 3.0], h0=1.0, eps=0.0).tolist()
    [['homogeneous', 'homogeneous'], ['marginal', 'marginal']]
    """
    J0s = np.atleast_1d(np.asarray(J0s, dtype=float))
    J1s = np.atleast_1d(np.asarray(J1s, dtype=float))
    if J0s.ndim != 1 or J1s.ndim != 1:
        raise ParameterError("J0s/J1s", (J0s.shape, J1s.shape), "1-D arrays")
    return stationary_states(J0=J0s[None, :], J1=J1s[:, None], h0=h0, eps=eps)["regime"]


# ------------------------------------------------------ linear response
class LinearResponse(NamedTuple):
    """Linear (all neurons active) response of the ring to ``h0 + eps cos``.

    m0 : uniform rate ``h0/(1-J0)``; m1 : cos amplitude ``eps/(1-J1/2)``;
    amplification : ``(m1/m0)/(eps/h0) = (1-J0)/(1-J1/2)``; valid : True
    when the linear solution is the actual state (``J0 < 1``, ``J1 < 2``,
    ``0 <= m1 <= m0``).
    """

    m0: float
    m1: float
    amplification: float
    valid: bool


def amplification(*, J0: float, J1: float) -> float:
    """Amplification of the input's tuning, ``(m1/m0)/(eps/h0) = (1 - J0)/(1 - J1/2)``.

    Holds while every neuron is active and the uniform state is stable; the
    tuning is amplified (> 1) iff ``J1 > 2 J0``.

    Parameters
    ----------
    J0, J1 : float
        Uniform and cosine couplings.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        If ``J0 >= 1`` or ``J1 >= 2`` (no stable linear state).

    Examples
    --------
    >>> amplification(J0=-2.0, J1=1.0)   # (1 + 2) / (1 - 1/2)
    6.0
    """
    J0 = as_float("J0", J0)
    J1 = as_float("J1", J1)
    if J0 >= 1.0:
        raise ParameterError("J0", J0, "< 1 for a linear response (uniform state stable)")
    if J1 >= 2.0:
        raise ParameterError("J1", J1, "< 2 for a linear response (cos mode stable)")
    return (1.0 - J0) / (1.0 - J1 / 2.0)


def linear_response(*, J0: float, J1: float, h0: float, eps: float,
                    strict: bool = True) -> LinearResponse:
    """Linear response ``m(theta) = m0 + m1 cos(theta - theta0)`` and its domain of validity.

    Parameters
    ----------
    J0, J1, h0, eps : float
    strict : bool, default True
        Raise :class:`ParameterError` when the linear solution is not the
        network's state (some rate would be negative: ``m1 > m0``, or
        ``h0 <= 0``); with False, return it with ``valid=False``.

    Returns
    -------
    LinearResponse

    Examples
    --------
    >>> r = linear_response(J0=-2.0, J1=1.0, h0=1.0, eps=0.05)
    >>> round(r.m0, 12), round(r.m1, 12), r.amplification, r.valid   # 1/3, 0.05/(1/2)
    (0.333333333333, 0.1, 6.0, True)
    """
    J0 = as_float("J0", J0)
    J1 = as_float("J1", J1)
    h0 = as_float("h0", h0)
    eps = as_float("eps", eps)
    if eps < 0:
        raise ParameterError("eps", eps, "a finite number >= 0")
    amp = amplification(J0=J0, J1=J1)
    m0 = h0 / (1.0 - J0)
    m1 = eps / (1.0 - J1 / 2.0)
    valid = h0 > 0.0 and m1 <= m0
    if strict and not valid:
        if h0 <= 0.0:
            raise ParameterError("h0", h0, "> 0 for a linear response")
        lim = h0 * (1.0 - J1 / 2.0) / (1.0 - J0)
        raise ParameterError("eps", eps, f"<= h0 (1 - J1/2)/(1 - J0) = {lim:.6g} for every "
                             "neuron to stay active (beyond it the profile is rectified: "
                             "use stationary_state)")
    return LinearResponse(m0=m0, m1=m1, amplification=amp, valid=bool(valid))


# ----------------------------------------------------- reduced dynamics
def _phi1(z):
    """``(exp(z) - 1)/z`` with the limit 1 at z = 0 (complex z)."""
    z = np.asarray(z, dtype=complex)
    small = np.abs(z) < 1e-8
    zs = np.where(small, 1.0, z)
    return np.where(small, 1.0 + z / 2.0, np.expm1(zs) / zs)


def reduced_dynamics(t, *, J0: float, J1: float, h0: float, eps: float, theta0: float = 0.0,
                     omega: float = 0.0, t_on: float = 0.0, t_off: float = math.inf,
                     tau: float = 1.0, M_init: float = 0.0, C_init: complex = 0.0):
    """Closed-form order parameters ``M(t)``, ``C(t)`` while every neuron is active.

    With all neurons above threshold the network is linear and its mean and
    first Fourier component obey, exactly (any N >= 3),

        tau dM/dt = (J0 - 1) M,
        tau dC/dt = (J1/2 - 1) C + (eps/2) exp(i (theta0 + omega t)) [t_on <= t < t_off],

    with ``M = r0 - h0/(1 - J0)`` and ``C = (1/N) sum_i m_i exp(i theta_i)``
    (a bump-shaped perturbation ``delta cos(theta - phi)`` adds ``delta/2 e^{i phi}``
    to C).  Valid only as long as no rate reaches zero (check with
    ``min rate = r0 - 2|C| > 0`` for profiles with one harmonic).

    Parameters
    ----------
    t : array_like of shape (T,)
        Times (units of tau, >= 0).
    J0, J1, h0, eps, theta0, omega, t_on, t_off, tau : float
        As in :class:`ratenet.RingModel` (``J0 != 1``).
    M_init : float
        ``M(0)``.
    C_init : complex
        ``C(0)``.

    Returns
    -------
    M : ndarray of shape (T,), float
    C : ndarray of shape (T,), complex

    Examples
    --------
    ``M`` decays as ``exp((J0 - 1) t / tau)``; ``C`` relaxes to ``(eps/2) / (1 - J1/2)``:

    >>> M, C = reduced_dynamics([0.0, 1.0], J0=0.0, J1=0.0, h0=1.0, eps=0.0, M_init=1.0)
    >>> bool(np.isclose(M[1], np.exp(-1.0)))
    True
    >>> M, C = reduced_dynamics([0.0, 50.0], J0=-2.0, J1=1.0, h0=1.0, eps=0.1)
    >>> bool(np.isclose(C[-1], 0.05 / 0.5))
    True
    """
    J0 = as_float("J0", J0)
    if J0 == 1.0:
        raise ParameterError("J0", J0, "!= 1 (M is measured about h0/(1 - J0))")
    J1, h0, eps = as_float("J1", J1), as_float("h0", h0), as_float("eps", eps)
    theta0, omega, t_on = as_float("theta0", theta0), as_float("omega", omega), as_float(
        "t_on", t_on)
    tau = as_float("tau", tau)
    if tau <= 0:
        raise ParameterError("tau", tau, "a finite number > 0")
    t = as_float_array("t", t)  # finite times; strings, complex, NaN refused
    lam0 = (J0 - 1.0) / tau
    lam1 = (J1 / 2.0 - 1.0) / tau
    M = float(M_init) * np.exp(lam0 * t)
    b = eps / (2.0 * tau) * np.exp(1j * theta0)
    a = np.clip(t_on, 0.0, None)
    lo = np.minimum(a, t)
    hi = np.clip(np.minimum(t_off, t), lo, None)
    L = hi - lo
    if lam1 <= 0.0:  # written about the window's end: no overflow for long windows
        forced = np.exp(lam1 * (t - hi) + 1j * omega * hi) * L * _phi1((lam1 - 1j * omega) * L)
    else:  # about its start
        forced = np.exp(lam1 * (t - lo) + 1j * omega * lo) * L * _phi1((1j * omega - lam1) * L)
    C = complex(C_init) * np.exp(lam1 * t) + b * forced
    return M, C


def reduced_dynamics_for(model: Any, t, *, m_init):
    """:func:`reduced_dynamics` for a :class:`ratenet.RingModel` and initial rates.

    Parameters
    ----------
    model : RingModel
        Threshold-linear with unit gain and zero threshold, built-in input.
    t : array_like of shape (T,)
    m_init : array_like of shape (N,)
        Initial rates; ``M(0)`` and ``C(0)`` are computed from them.

    Returns
    -------
    M, C : ndarray of shape (T,)
    """
    m = np.asarray(m_init, dtype=float)
    theta = 2.0 * np.pi * np.arange(m.shape[-1]) / m.shape[-1]
    M0 = float(m.mean() - model.h0 / (1.0 - model.J0))
    C0 = complex(np.mean(m * np.exp(1j * theta)))
    return reduced_dynamics(t, J0=model.J0, J1=model.J1, h0=model.h0, eps=model.eps,
                            theta0=model.theta0, omega=model.omega, t_on=model.t_on,
                            t_off=model.t_off, tau=model.tau, M_init=M0, C_init=C0)
