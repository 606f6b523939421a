"""Limit cycles: shooting against an independent, tightly toleranced simulation.

The reference integrates the E-I equations (written out here from the weights) with
scipy's DOP853 at rtol = atol = 1e-12, restarting at every threshold crossing so that
each leg is smooth; periods and extremes come from its event locator.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from ratenet import EIModel, RateNetwork, simulate
from ratenet.analysis import find_fixed_points, find_limit_cycle


def _reference(model, x0, t_end, *, level, t_from):
    """Exact-leg integration; returns upward crossing times of nu_E = level after t_from,
    and the local maxima / minima of nu_E and nu_I after t_from."""
    W, g, tau = model.weights, model.gamma, model.tau

    def u(x):
        return W @ x - g

    crossings, maxima, minima = [], {0: [], 1: []}, {0: [], 1: []}
    x, t = np.asarray(x0, dtype=float), 0.0
    active = u(x) > 0
    while t < t_end:
        act = active.copy()

        def f(_t, y, act=act):
            return (-y + np.where(act, u(y), 0.0)) / tau

        ev_thr = []
        for i in range(2):
            def e(_t, y, i=i):
                return u(y)[i]
            e.terminal = True
            e.direction = -1.0 if act[i] else 1.0
            ev_thr.append(e)

        def cross(_t, y):
            return y[0] - level
        cross.direction = 1.0

        ev_ext = []
        for i in range(2):
            def d(_t, y, i=i, f=f):
                return f(0.0, y)[i]
            ev_ext.append(d)
        sol = solve_ivp(f, (t, t_end), x, method="DOP853", rtol=1e-12, atol=1e-12,
                        events=[*ev_thr, cross, *ev_ext])
        for tc in sol.t_events[2]:
            if tc > t_from:
                crossings.append(tc)
        for i in range(2):
            for tc, y in zip(sol.t_events[3 + i], sol.y_events[3 + i]):
                if tc > t_from:
                    slope2 = (f(0.0, y + 1e-6 * f(0.0, y))[i]) / 1e-6
                    (maxima if slope2 < 0 else minima)[i].append(y[i])
        x, t = sol.y[:, -1], sol.t[-1]
        if sol.status == 1:
            for i in range(2):
                if sol.t_events[i].size:
                    active[i] = not active[i]
                    x = sol.y_events[i][0]
                    t = sol.t_events[i][0]
    return np.array(crossings), maxima, minima


@pytest.mark.parametrize("tau_I", [41.0, 50.0, 70.0])
def test_shooting_matches_tight_simulation(tau_I):
    m = EIModel(tau_I=tau_I)
    cyc = find_limit_cycle(m)
    assert cyc is not None and cyc.stable
    fp = find_fixed_points(m)[0].state
    T0 = cyc.period
    cross, maxima, minima = _reference(m, [50.0, 60.0], 30 * T0, level=fp[0], t_from=24 * T0)
    periods = np.diff(cross)
    assert periods.size >= 4
    np.testing.assert_allclose(periods, cyc.period, rtol=1e-8)
    for i in range(2):
        np.testing.assert_allclose(maxima[i], cyc.maximum[i], atol=1e-7)
        np.testing.assert_allclose(minima[i], cyc.minimum[i], atol=1e-7)


def test_same_cycle_from_both_starting_points():
    m = EIModel(tau_I=50.0)
    a = find_limit_cycle(m, x0=[25.0, 25.0])
    b = find_limit_cycle(m, x0=[50.0, 60.0])
    assert a.period == pytest.approx(b.period, rel=1e-10)
    np.testing.assert_allclose(a.minimum, b.minimum, atol=1e-9)
    np.testing.assert_allclose(a.maximum, b.maximum, atol=1e-9)
    # the core fixed-step simulation from both points ends on the same cycle
    for x0 in ([25.0, 25.0], [50.0, 60.0]):
        # (sampling a peak every dt misses it by at most dt^2 max|x''| / 8 < 5e-4 Hz)
        tr = simulate(m, t_max=2000.0, dt=0.1, method="rk4", x0=x0)
        last = tr.rates[tr.t > 2000.0 - 2 * a.period]
        np.testing.assert_allclose(last.max(axis=0), a.maximum, atol=5e-4)
        np.testing.assert_allclose(last.min(axis=0), a.minimum, atol=5e-4)


def test_period_is_not_two_pi_over_the_imaginary_part():
    # the cycle spends part of its period with a population silent: its period is
    # set by the whole orbit, not by the linearisation at the fixed point
    m = EIModel(tau_I=50.0)
    cyc = find_limit_cycle(m)
    om = abs(find_fixed_points(m)[0].eigenvalues[0].imag)
    assert abs(cyc.period - 2 * np.pi / om) > 0.1 * cyc.period
    assert cyc.minimum[0] < 10.0  # nu_E dips below 10 Hz, where I falls silent


def test_floquet_multiplier_against_perturbed_return():
    m = EIModel(tau_I=41.0)
    cyc = find_limit_cycle(m)
    mult = cyc.floquet_multipliers
    assert abs(mult[0] - 1) < 1e-9
    mu = float(mult[1].real)
    assert 0 < mu < 1 and abs(mult[1].imag) < 1e-12
    # independent: the return map of a section through the cycle point, by DOP853
    net = m.to_network()
    x_star = cyc.point
    f = net.rhs(0.0, x_star)
    n = f / np.linalg.norm(f)
    e = np.array([-n[1], n[0]])

    def sec(_t, y):
        return (y - x_star) @ n
    sec.direction = 1.0

    def ret(delta):
        # leave the section first, then stop at the next crossing
        s0 = solve_ivp(net.rhs, (0, 0.5 * cyc.period), x_star + delta * e, method="DOP853",
                       rtol=1e-12, atol=1e-12)
        s1 = solve_ivp(net.rhs, (0, cyc.period), s0.y[:, -1], method="DOP853", rtol=1e-12,
                       atol=1e-12, events=sec)
        return float((s1.y_events[0][0] - x_star) @ e)

    d = 1e-3
    slope = (ret(d) - ret(-d)) / (2 * d)
    assert slope == pytest.approx(mu, rel=1e-4)


def test_no_cycle_below_the_loss_of_stability():
    assert find_limit_cycle(EIModel(tau_I=30.0)) is None
    assert find_limit_cycle(EIModel(tau_I=39.0)) is None


def test_centre_at_tau_I_40_closes_orbits_with_the_linear_period():
    # exactly at tau_I = 40 the fixed point is a linear centre: small orbits are closed,
    # with period 2 pi / omega, and none is isolated, so no limit cycle is reported
    m = EIModel(tau_I=40.0)
    assert find_fixed_points(m)[0].type == "centre"
    assert find_limit_cycle(m) is None
    om = np.sqrt(((m.M_EE - 1) * (m.M_II - 1) - m.M_EI * m.M_IE) / (m.tau_E * m.tau_I))
    x0 = np.array([80 / 3 + 3.0, 50 / 3])
    sol = solve_ivp(m.to_network().rhs, (0, 2 * np.pi / om), x0, method="DOP853",
                    rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sol.y[:, -1], x0, atol=1e-8)


def test_cycle_is_born_at_finite_amplitude():
    # ERRATA 8: no sqrt(tau_I - 40) growth; the amplitude stays large as tau_I -> 40+
    amps, mus = [], []
    for eps in (1e-1, 1e-2, 1e-3):
        cyc = find_limit_cycle(EIModel(tau_I=40.0 + eps))
        assert cyc is not None and cyc.stable
        amps.append(cyc.amplitude[0])
        mus.append(abs(cyc.floquet_multipliers[1]))
    assert min(amps) > 45.0  # Hz
    assert amps[2] > 0.97 * amps[0]  # a sqrt law would shrink it tenfold
    assert mus[0] < mus[1] < mus[2] < 1.0  # the cycle becomes neutral as tau_I -> 40+


def test_finite_amplitude_cycle_in_simulation():
    m = EIModel(tau_I=40.1)
    cyc = find_limit_cycle(m)
    _, maxima, minima = _reference(m, [50.0, 60.0], 40 * cyc.period, level=80 / 3,
                                   t_from=36 * cyc.period)
    np.testing.assert_allclose(maxima[0], cyc.maximum[0], atol=1e-6)
    np.testing.assert_allclose(minima[0], cyc.minimum[0], atol=1e-6)
    assert cyc.amplitude[0] > 45.0


def test_three_unit_network_cycle_and_multipliers():
    # a third unit driven by E but not feeding back: the (E, I) cycle is unchanged, and
    # since its input 0.5 nu_E + 3 never falls below threshold, its own multiplier is
    # exp(-T / tau_3) exactly (the monodromy matrix is block triangular)
    tau3 = 7.0
    W = [[1.25, -1.0, 0.0], [1.0, 0.0, 0.0], [0.5, 0.0, 0.0]]
    net = RateNetwork(W=W, tau=[10.0, 50.0, tau3], h=[10.0, -10.0, 3.0],
                      names=("E", "I", "X"))
    cyc3 = find_limit_cycle(net)
    cyc2 = find_limit_cycle(EIModel(tau_I=50.0))
    assert cyc3.period == pytest.approx(cyc2.period, rel=1e-10)
    np.testing.assert_allclose(cyc3.maximum[:2], cyc2.maximum, atol=1e-8)
    np.testing.assert_allclose(cyc3.minimum[:2], cyc2.minimum, atol=1e-8)
    mult = np.sort(np.abs(cyc3.floquet_multipliers))
    expected = np.sort([1.0, abs(cyc2.floquet_multipliers[1]), np.exp(-cyc3.period / tau3)])
    np.testing.assert_allclose(mult, expected, rtol=1e-7, atol=1e-14)
    # the third unit follows E through a first-order filter: 3 + 0.5 nu_E on average
    assert cyc3.mean[2] == pytest.approx(3.0 + 0.5 * cyc3.mean[0], rel=1e-6)


def test_exact_trajectory_and_convergence_order_of_the_fixed_step_methods():
    # the closed-form flow is the reference; Euler converges at order 1 and Heun at
    # order 2, and the kinks of [.]_+ cap RK4 at order 2 as well on this orbit
    from ratenet.analysis import trajectory

    m = EIModel(tau_I=50.0)
    exact = trajectory(m, [25.0, 25.0], t_max=400.0, dt=0.4)
    assert exact.method == "exact" and exact.ok
    ref = solve_ivp(m.to_network().rhs, (0, 400), [25.0, 25.0], method="DOP853",
                    rtol=1e-12, atol=1e-12, t_eval=exact.t)
    np.testing.assert_allclose(exact.rates, ref.y.T, atol=1e-7)
    for method, lo, hi in (("euler", 1.8, 2.2), ("heun", 3.5, 4.5), ("rk4", 3.2, 16.0)):
        errs = []
        for dt in (0.2, 0.1, 0.05):
            s = simulate(m, t_max=400.0, dt=dt, method=method, x0=[25.0, 25.0],
                         record_every=round(0.4 / dt))
            errs.append(np.max(np.abs(s.rates - exact.rates)))
        ratios = np.array(errs[:-1]) / np.array(errs[1:])
        assert np.all((ratios > lo) & (ratios < hi)), (method, ratios)


def test_exact_trajectory_reports_divergence():
    from ratenet.analysis import trajectory

    tr = trajectory(EIModel(M_EE=3.0, M_EI=-0.5), [25.0, 25.0], t_max=1000.0)
    assert not tr.ok and tr.status == "diverged" and "M_EE" in tr.message
    # the linear growth rate with both active is the larger eigenvalue of (W - I)/tau
    lam = np.max(np.linalg.eigvals((np.array([[3.0, -0.5], [1.0, 0.0]]) - np.eye(2))
                                   / np.array([[10.0], [30.0]])).real)
    assert 0.5 * np.log(1e6 / 25.0) / lam < tr.t_diverged < 2 * np.log(1e6 / 25.0) / lam
