"""The Neimark-Sacker and period-doubling example families, checked independently.

Nothing here uses the package's shooting or flow code to produce an expected value: the
networks are integrated by scipy's DOP853 region by region (in a region of fixed active
units the threshold-linear flow is linear; an event ends the region where an input
crosses 0), the CTLN's period comes from that integration of the 3 CTLN units alone, the
Neimark-Sacker value from the closed form of the E-I trace, and the period doubling from
a finite-difference stroboscopic return map.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm
from scipy.optimize import brentq

from ratenet.continuation import (
    continue_cycles,
    neimark_sacker_example,
    period_doubling_example,
)

RTOL = 1e-12

# block 1: the 3-cycle CTLN, from its definition (W_ij = -1 + eps if j -> i, else -1 - delta)
EPS, DELTA, THETA = 0.25, 0.5, 1.0
W_CTLN = np.full((3, 3), -1.0 - DELTA)
np.fill_diagonal(W_CTLN, 0.0)
for _j, _i in ((0, 1), (1, 2), (2, 0)):
    W_CTLN[_i, _j] = -1.0 + EPS
# block 2: the E-I pair
M_EE, M_EI, M_IE, M_II = 1.25, -1.0, 1.0, 0.0
GAMMA_E, GAMMA_I, TAU_E = -0.5, 0.5, 1.0
M = np.array([[M_EE, M_EI], [M_IE, M_II]])
H_EI = np.array([-GAMMA_E, -GAMMA_I])
X_EQ = np.linalg.solve(np.eye(2) - M, H_EI)  # both-active equilibrium (inputs > 0 checked)
TAU_I_NS = TAU_E * (1.0 - M_II) / (M_EE - 1.0)  # trace of block 2's Jacobian = 0


def _jacobian_ei(tau_I: float) -> np.ndarray:
    """Block 2's Jacobian with both units active."""
    return np.array([[(M_EE - 1.0) / TAU_E, M_EI / TAU_E], [M_IE / tau_I, (M_II - 1.0) / tau_I]])


def _network(drive: float, tau_I: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(W, h, tau) of the 5-unit network written out here: CTLN unit 0 onto E with -drive."""
    W = np.zeros((5, 5))
    W[:3, :3] = W_CTLN
    W[3:, 3:] = M
    W[3, 0] = -drive
    return W, np.concatenate([np.full(3, THETA), H_EI]), np.array([1, 1, 1, TAU_E, tau_I])


def _integrate(W, h, tau, x, T, section=None):
    """x(T) of ``tau dx/dt = -x + [W x + h]_+``, and the times and states where
    ``section(x)`` crosses 0 upwards; DOP853 on the linear flow of each region, which ends
    at an event where an input crosses its threshold."""
    n = x.size
    x = np.asarray(x, dtype=float)
    active = W @ x + h > 0
    t, hits = 0.0, []
    while True:
        D = active.astype(float)
        A = (D[:, None] * W - np.eye(n)) / tau[:, None]
        b = D * h / tau
        events = []
        for i in range(n):
            def ev(_t, y, i=i):
                return W[i] @ y + h[i]
            ev.terminal = True
            ev.direction = -1.0 if active[i] else 1.0
            events.append(ev)
        if section is not None:
            def sec(_t, y):
                return section(y)
            sec.direction = 1.0
            events.append(sec)
        r = solve_ivp(lambda _t, y, A=A, b=b: A @ y + b, (t, T), x, method="DOP853", rtol=RTOL,
                      atol=RTOL * 1e-2, events=events)
        if section is not None:
            hits += list(zip(r.t_events[n], r.y_events[n], strict=True))
        x, t = r.y[:, -1], float(r.t[-1])
        if r.status == 0:
            return x, hits
        fired = [i for i in range(n) if r.t_events[i].size]
        active[fired[0]] = not active[fired[0]]


@pytest.fixture(scope="module")
def ctln():
    """Period T1 of the CTLN cycle and its point z0 where x0 - x1 crosses 0 upwards."""
    x, _ = _integrate(W_CTLN, np.full(3, THETA), np.ones(3), np.array([0.6, 0.1, 0.3]), 150.0)
    _, hits = _integrate(W_CTLN, np.full(3, THETA), np.ones(3), x, 40.0,
                         section=lambda y: y[0] - y[1])
    (t_a, _), (t_b, z0) = hits[-2], hits[-1]
    return t_b - t_a, z0


def _returns(drive, tau_I, z0, T1, y0, count):
    """Block 2 at times k T1 (the CTLN back at z0), k = 1..count, and the CTLN's drift."""
    W, h, tau = _network(drive, tau_I)
    x = np.concatenate([z0, y0])
    out = []
    for _ in range(count):
        x, _ = _integrate(W, h, tau, x, T1)
        out.append(x.copy())
    X = np.array(out)
    return X[:, 3:], float(np.max(np.abs(X[:, :3] - z0)))


@pytest.mark.parametrize("make, drive", [(neimark_sacker_example, 0.0),
                                        (period_doubling_example, 1.0)])
def test_examples_are_the_block_networks(make, drive):
    ex = make()
    assert ex.param == "tau_I"
    for tau_I in (ex.interval[0], 4.3):
        net = ex.family(tau_I)
        W, h, tau = _network(drive, tau_I)
        np.testing.assert_array_equal(net.weights, W)
        np.testing.assert_array_equal(net.h, h)
        np.testing.assert_array_equal(net.tau, tau)
    # the E-I equilibrium has both inputs above threshold (the linear analysis holds)
    assert np.all(M @ X_EQ + H_EI > 0)


# ------------------------------------------------------------------ Neimark-Sacker
@pytest.fixture(scope="module")
def ns_branch():
    ex = neimark_sacker_example()
    return ex, continue_cycles(ex.family, ex.param, *ex.interval, cycle=ex.cycle)


def test_neimark_sacker_at_the_trace_zero_value(ns_branch, ctln):
    ex, branch = ns_branch
    assert ex.critical == TAU_I_NS == 4.0
    assert [s.kind for s in branch.special] == ["neimark-sacker"]
    ns = branch.special[0]
    assert abs(ns.value - TAU_I_NS) < 1e-8 * TAU_I_NS
    assert np.all(branch.stable[branch.values < ns.value - 1e-9])
    assert not np.any(branch.stable[branch.values > ns.value + 1e-9])
    # the crossing pair: exp(+-i T1 omega), omega^2 = det J at zero trace
    T1, _ = ctln
    omega = math.sqrt(np.linalg.det(_jacobian_ei(TAU_I_NS)))
    pair = np.exp(1j * T1 * omega * np.array([1, -1]))
    for z in pair:
        assert np.min(np.abs(ns.multipliers - z)) < 1e-7


def test_neimark_sacker_multipliers_are_exp_of_period_times_eigenvalues(ns_branch, ctln):
    _, branch = ns_branch
    T1, _ = ctln
    np.testing.assert_allclose(branch.period, T1, rtol=1e-9)
    rest = []
    for tau_I, mu in zip(branch.values, branch.multipliers, strict=True):
        expected = np.exp(T1 * np.linalg.eigvals(_jacobian_ei(tau_I)))
        assert np.all(np.abs(expected.imag) > 0.1)  # a complex pair all along
        near = [int(np.argmin(np.abs(mu - z))) for z in expected]
        assert len(set(near)) == 2
        np.testing.assert_allclose(mu[near], expected, atol=1e-8)
        rest.append(np.sort(np.abs(np.delete(mu, near))))
    # the CTLN's own multipliers (1 and two inside) do not depend on block 2's tau_I
    rest = np.array(rest)
    np.testing.assert_allclose(rest, np.broadcast_to(rest[0], rest.shape), atol=1e-9)
    assert abs(rest[0, -1] - 1.0) < 1e-9 and rest[0, -2] < 1e-2


def _return_matrix(Y):
    """The linear map R with Y[k+1] - X_EQ = R (Y[k] - X_EQ), from three returns."""
    D = (Y[:3] - X_EQ).T
    return D[:, 1:3] @ np.linalg.inv(D[:, 0:2])


@pytest.mark.slow
def test_neimark_sacker_simulation_decays_below_and_is_a_torus_above(ctln):
    T1, z0 = ctln
    d0 = np.array([0.05, 0.0])
    # below: block 2 stays in its linear region and spirals into the focus
    tau_I = 0.95 * TAU_I_NS
    Y, drift = _returns(0.0, tau_I, z0, T1, X_EQ + d0, 40)
    assert drift < 1e-7  # the CTLN stays on its cycle
    R = _return_matrix(Y)
    lam = np.linalg.eigvals(_jacobian_ei(tau_I))
    np.testing.assert_allclose(np.sort_complex(np.linalg.eigvals(R)),
                               np.sort_complex(np.exp(T1 * lam)), atol=1e-8)
    assert np.all(np.abs(np.exp(T1 * lam)) < 1)
    np.testing.assert_allclose(Y[-1] - X_EQ, np.linalg.matrix_power(
        expm(T1 * _jacobian_ei(tau_I)), 40) @ d0, atol=1e-10)
    d = np.linalg.norm(Y - X_EQ, axis=1)
    assert d[-1] < 0.1 * d[0]  # exp(39 T1 tr J / 2) = 0.056
    # above: the same linear map, now expanding ...
    tau_I = 1.05 * TAU_I_NS
    Y, drift = _returns(0.0, tau_I, z0, T1, X_EQ + d0, 3)
    lam = np.linalg.eigvals(_jacobian_ei(tau_I))
    np.testing.assert_allclose(np.sort_complex(np.linalg.eigvals(_return_matrix(Y))),
                               np.sort_complex(np.exp(T1 * lam)), atol=1e-8)
    assert np.all(np.abs(np.exp(T1 * lam)) > 1)
    # ... until block 2 is on its own oscillation of finite amplitude (period T2): the
    # network's returns lie on that closed curve, a torus
    Y, drift = _returns(0.0, tau_I, z0, T1, X_EQ + np.array([0.3, 0.0]), 70)
    assert drift < 1e-7
    late = Y[30:]
    assert np.min(np.linalg.norm(late - X_EQ, axis=1)) > 0.2
    assert np.ptp(late[:, 0]) > 1.0
    tau2 = np.array([TAU_E, tau_I])
    _, hits = _integrate(M, H_EI, tau2, late[0], 60.0, section=lambda y: y[0] - X_EQ[0])
    T2 = hits[-1][0] - hits[-2][0]
    for y in late[::10]:
        assert np.max(np.abs(_integrate(M, H_EI, tau2, y, T2)[0] - y)) < 1e-8
    # quasi-periodic, as far as 40 returns show: T1 / T2 = 0.674..., and no return comes
    # back to within 1e-3 of an earlier one in up to 20 periods T1
    assert T1 / T2 == pytest.approx(0.674, abs=1e-3)
    for k in range(1, 21):
        assert np.min(np.linalg.norm(late[k:] - late[:-k], axis=1)) > 1e-3


# ------------------------------------------------------------------ period doubling
@pytest.fixture(scope="module")
def pd_branch():
    ex = period_doubling_example()
    return ex, continue_cycles(ex.family, ex.param, *ex.interval, cycle=ex.cycle)


def test_period_doubling_on_the_branch(pd_branch, ctln):
    ex, branch = pd_branch
    assert ex.critical is None
    assert [s.kind for s in branch.special] == ["period doubling"]
    pd = branch.special[0]
    assert ex.interval[0] < pd.value < ex.interval[1]
    assert np.min(np.abs(pd.multipliers + 1.0)) < 1e-8
    assert np.all(branch.stable[branch.values < pd.value - 1e-9])
    assert not np.any(branch.stable[branch.values > pd.value + 1e-9])
    T1, _ = ctln
    np.testing.assert_allclose(branch.period, T1, rtol=1e-9)


def _strobe(tau_I, z0, T1, y):
    W, h, tau = _network(1.0, tau_I)
    return _integrate(W, h, tau, np.concatenate([z0, y]), T1)[0][3:]


def _fd_fixed_point(F, y, step=1e-5, tol=1e-12):
    """A fixed point of the map ``F`` (Newton's method, to steps below ``tol``) and
    ``F``'s centred-difference derivative there."""
    def deriv(y):
        return np.column_stack([(F(y + step * e) - F(y - step * e)) / (2 * step)
                                for e in np.eye(y.size)])
    for _ in range(12):
        dy = np.linalg.solve(deriv(y) - np.eye(y.size), y - F(y))
        y = y + dy
        if np.max(np.abs(dy)) < tol:
            return y, deriv(y)
    raise AssertionError("Newton on the return map did not converge")


def _fd_multipliers(tau_I, z0, T1, y, step=1e-5):
    """Fixed point of block 2's stroboscopic map and its multipliers, by increasing real
    part."""
    y, D = _fd_fixed_point(lambda v: _strobe(tau_I, z0, T1, v), y, step)
    mu = np.linalg.eigvals(D)
    return y, mu[np.argsort(mu.real)]


@pytest.mark.slow
def test_period_doubling_agrees_with_a_finite_difference_return_map(pd_branch, ctln):
    _, branch = pd_branch
    p_pd = branch.special[0].value
    T1, z0 = ctln
    y = np.array([1.3, 0.28])
    y, mu_lo = _fd_multipliers(p_pd - 0.02, z0, T1, y)
    y, mu_hi = _fd_multipliers(p_pd + 0.02, z0, T1, y)
    assert np.all(np.abs(mu_lo) < 1) and mu_hi[0] < -1 < mu_lo[0] < 0
    assert np.all(np.abs(mu_hi.imag) == 0)

    def g(p):
        return float(_fd_multipliers(p, z0, T1, y)[1][0].real) + 1.0

    # centred differences with step 1e-5 on a map integrated to rtol 1e-12: the multiplier
    # to a few 1e-9 (it moves by about 3e-9 when the step is 1e-4 or 1e-6), and
    # d mu / d tau_I ~ -0.5, so the root to about 1e-8
    p_fd = brentq(g, p_pd - 0.02, p_pd + 0.02, xtol=1e-10)
    assert abs(p_fd - p_pd) < 1e-8 * p_pd


@pytest.mark.slow
def test_period_doubling_simulation_period_one_before_two_after(pd_branch, ctln):
    _, branch = pd_branch
    p_pd = branch.special[0].value
    T1, z0 = ctln
    y0 = np.array([1.4, 0.4])
    Y, drift = _returns(1.0, p_pd - 0.3, z0, T1, y0, 60)
    assert drift < 1e-7
    # one point (period T1), approached as mu^k with mu ~ -0.85: 0.85^58 ~ 8e-5
    step = np.linalg.norm(np.diff(Y, axis=0), axis=1)
    assert step[-1] < 1e-3 * step[0]
    assert np.linalg.norm(Y[-1] - Y[-3]) < step[-1]
    Y, drift = _returns(1.0, p_pd + 0.2, z0, T1, y0, 100)
    assert drift < 1e-7
    assert np.linalg.norm(Y[-1] - Y[-3]) < 1e-9  # two alternating points: period 2 T1
    assert np.linalg.norm(Y[-2] - Y[-4]) < 1e-9
    assert np.linalg.norm(Y[-1] - Y[-2]) > 1.0


@pytest.mark.slow
def test_period_doubling_is_supercritical(pd_branch, ctln):
    """Past the doubling, the fixed points of the twice-iterated stroboscopic map: a
    stable pair whose separation grows like sqrt(tau_I - tau_PD), with multiplier
    1 - 4 eps where the period-1 point has -(1 + eps) (the flip normal form
    x -> -(1 + eps) x + c x^3, c < 0)."""
    _, branch = pd_branch
    p_pd = branch.special[0].value
    T1, z0 = ctln
    sep = []
    for dp in (1e-3, 1e-4):
        p = p_pd + dp

        def strobe(v, p=p):
            return _strobe(p, z0, T1, v)

        y_star, D = _fd_fixed_point(strobe, np.array([1.3, 0.28]))
        mu, V = np.linalg.eig(D)
        v = V[:, int(np.argmin(mu.real))].real  # the flip direction (mu < -1)
        # from outside the pair (half its separation is about 3 sqrt(dp)), so that Newton
        # does not fall onto y_star; P(P(y)) - y has a Jacobian eigenvalue ~ 2 dp there,
        # which magnifies the integration's ~1e-12 by 1 / (2 dp): steps stop near 1e-9
        y2, D2 = _fd_fixed_point(lambda y: strobe(strobe(y)), y_star + 4 * np.sqrt(dp) * v,
                                 tol=1e-8)
        other = strobe(y2)
        assert np.linalg.norm(y2 - y_star) > 1e-3 and np.linalg.norm(other - y_star) > 1e-3
        assert np.all(np.abs(np.linalg.eigvals(D2)) < 1)  # the doubled cycle is stable
        eps = -float(np.min(mu.real)) - 1.0
        lead = float(np.max(np.linalg.eigvals(D2).real))
        assert 1.0 - lead == pytest.approx(4 * eps, rel=0.05)
        sep.append(np.linalg.norm(y2 - other))
    assert sep[0] / sep[1] == pytest.approx(np.sqrt(10), rel=1e-2)
