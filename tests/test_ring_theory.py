"""Ring-model theory (N -> infinity) against simulations of finite rings (N >= 512).

Tolerances come from error analysis, not from observed output:

* While every neuron is active the network is linear and its mean and first
  Fourier component obey the reduced equations *exactly* for any N >= 3, so
  uniform/broad states, mode decay rates, M(t), C(t) and the amplification
  agree to integration and rounding error (RK4 with dt = 0.01: local error
  ~ dt^5 |lambda|^5 / 120, far below the 1e-8 used).
* With silent neurons the finite ring replaces integrals by periodic
  trapezoidal sums of a profile with derivative jumps ``A sin(theta_c)`` at
  the two edges.  Each sum is then off by at most ``q = A sin(theta_c) h^2 /
  (12 pi)`` (h = 2 pi / N; Euler-Maclaurin, |B2| <= 1/6).  These errors shift
  the self-consistent input (c, d) by at most ``|(I - diag(J0, J1) G)^-1|
  |(J0, J1)| q`` (G: Gram matrix of {1, cos} on the active arc), and the
  observables follow.  :func:`kink_bound` computes this O(1/N^2) bound and the
  tests allow twice it (second-order terms).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy.integrate import trapezoid

from ratenet import ParameterError, RingModel, simulate
from ratenet.analysis.ring import measure_final
from ratenet.theory import (
    REGIMES,
    amplification,
    classify_regime,
    critical_J0,
    linear_response,
    marginal_theta_c,
    mode_eigenvalues,
    reduced_dynamics,
    reduced_dynamics_for,
    regime_map,
    stationary_state,
    stationary_states,
    uniform_rate,
)
from ratenet.theory.ring import g0, g1


def kink_bound(state, N: int) -> dict[str, float]:
    """A-priori bound on |finite-N - theory| for a rectified profile (see module docstring)."""
    tc, A, J0, J1 = state.theta_c, state.A, state.J0, state.J1
    h = 2.0 * np.pi / N
    s, c = np.sin(tc), np.cos(tc)
    q = A * s * h**2 / (12.0 * np.pi)
    G = np.array([[tc / np.pi, s / np.pi], [s / np.pi, (tc + s * c) / (2.0 * np.pi)]])
    K = np.eye(2) - np.diag([J0, J1]) @ G
    delta = np.linalg.norm(np.linalg.inv(K), 2) * np.hypot(J0, J1) * q
    return {
        "r0": q + np.linalg.norm(G[0]) * delta,
        "m1": 2.0 * (q + np.linalg.norm(G[1]) * delta),
        "peak": np.sqrt(2.0) * delta,
        "theta_c": np.sqrt(1.0 + c * c) * delta / (A * s),
    }


# ------------------------------------------------------------ closed forms
def test_closed_forms_of_the_uniform_state():
    assert uniform_rate(-1.0, 1.0) == pytest.approx(0.5)
    assert uniform_rate(0.5, 2.0) == pytest.approx(4.0)
    assert uniform_rate(0.5, -1.0) == 0.0  # quiescent
    assert np.isnan(uniform_rate(1.5, 1.0))  # no bounded uniform state
    np.testing.assert_allclose(mode_eigenvalues(0.5, 3.0, 1.0, -4.0), [-0.5, 0.5, -0.5, -3.0])
    with pytest.raises(ParameterError, match="J0"):
        uniform_rate(float("nan"), 1.0)


def test_self_consistency_functions_and_critical_J0_closed_forms():
    # g0, g1 are the mean and first Fourier coefficient of [cos - cos tc]_+ (exact integrals)
    th = np.linspace(-np.pi, np.pi, 200001)
    for tc in (0.3, 1.2, 2.9):
        f = np.maximum(np.cos(th) - np.cos(tc), 0.0)
        assert trapezoid(f, th) / (2 * np.pi) == pytest.approx(g0(tc), abs=1e-9)
        assert trapezoid(f * np.cos(th), th) / (2 * np.pi) == pytest.approx(g1(tc), abs=1e-9)
    assert g0(np.pi) == pytest.approx(1.0) and g1(np.pi) == pytest.approx(0.5)
    # J1 = 4: g1(pi/2) = 1/4, so theta_c = pi/2 and J0_c = -cos(pi/2)/g0 = 0
    assert marginal_theta_c(4.0) == pytest.approx(np.pi / 2, abs=1e-12)
    assert critical_J0(4.0) == pytest.approx(0.0, abs=1e-12)
    # J1 -> 2+: the bump covers the ring and J0_c -> 1 (the uniform-mode limit)
    assert critical_J0(2.0 + 1e-9) == pytest.approx(1.0, abs=1e-3)
    J1 = np.linspace(2.05, 10.0, 50)
    assert np.all(np.diff(critical_J0(J1)) < 0)
    for bad in (2.0, 1.0):
        with pytest.raises(ParameterError, match="J1"):
            critical_J0(bad)


def test_theory_profile_satisfies_the_self_consistency():
    """The returned profile reproduces itself through the N -> inf field equation."""
    th = np.linspace(0.0, 2 * np.pi, 400001)[:-1]
    for p in [dict(J0=-2, J1=1.5, h0=1, eps=0.5), dict(J0=-2, J1=3, h0=1, eps=0),
              dict(J0=0.5, J1=1, h0=1, eps=0.1), dict(J0=-1, J1=2.5, h0=0.3, eps=0.4),
              dict(J0=-3, J1=1.0, h0=-0.5, eps=1.0)]:
        s = stationary_state(**p, theta0=0.7)
        m = s.profile(th)
        r0, C = m.mean(), np.mean(m * np.exp(1j * th))
        u = p["h0"] + p["eps"] * np.cos(th - 0.7) + p["J0"] * r0 + p["J1"] * np.real(
            C * np.exp(-1j * th))
        np.testing.assert_allclose(np.maximum(u, 0), m, atol=1e-9 * max(1, s.peak))
        assert r0 == pytest.approx(s.r0, abs=1e-9) and 2 * abs(C) == pytest.approx(s.m1,
                                                                                  abs=1e-9)
        assert m.max() == pytest.approx(s.peak, rel=1e-6)


# ------------------------------------------- uniform state and mode spectrum
def test_uniform_state_matches_simulation():
    params = [(-2.0, 1.0, 1.0), (0.5, 1.5, 0.3), (-0.5, -1.0, 2.0), (0.8, 0.0, 1.0)]
    models = [RingModel(J0=a, J1=b, h0=h, N=512) for a, b, h in params]
    # slowest decay |J0 - 1| >= 0.2: t = 250 leaves e^-50 of the initial deviation
    traj = simulate(models, t_max=250.0, dt=0.05, method="rk4", record_every=None)
    meas = measure_final(traj)
    for k, (a, _, h) in enumerate(params):
        assert meas["r0"][k] == pytest.approx(uniform_rate(a, h), rel=1e-10)
        assert meas["m1"][k] < 1e-10 and meas["regime"][k] == "homogeneous"
        assert classify_regime(J0=a, J1=params[k][1], h0=h, eps=0.0) == "homogeneous"


def test_mode_decay_rates_match_eigenvalues():
    """Perturb the uniform state along 1, cos, cos 2: each decays/grows at its eigenvalue."""
    N = 512
    th = 2 * np.pi * np.arange(N) / N
    J0, J1, J2, h0 = -1.5, 1.2, 2.6, 1.0  # J2/2 - 1 = +0.3: a growing mode
    model = RingModel(J0=J0, J1=J1, J_higher=(J2,), h0=h0, N=N)
    m0 = h0 / (1 - J0)
    x0 = m0 + 1e-3 * (1.0 + np.cos(th - 0.4) + np.cos(2 * th - 1.0))
    traj = simulate(model, t_max=3.0, dt=0.01, method="rk4", x0=x0, record_every=10)
    R = traj.rates
    assert R.min() > 0  # all active throughout: the linear theory applies
    t = traj.t
    amp0 = np.abs(R.mean(-1) - m0)
    amp1 = np.abs(R @ np.exp(1j * th)) / N
    amp2 = np.abs(R @ np.exp(2j * th)) / N
    lam = mode_eigenvalues(J0, J1, J2)
    for amp, l in zip((amp0, amp1, amp2), lam):
        slope = np.polyfit(t, np.log(amp), 1)[0]
        assert slope == pytest.approx(l, abs=1e-7)


# ------------------------------------------------------- reduced dynamics
@pytest.mark.parametrize("case", ["bump", "uniform", "rotating"])
def test_reduced_MC_dynamics_match_the_network(case):
    N = 512
    th = 2 * np.pi * np.arange(N) / N
    rng = np.random.default_rng(3)
    kw = dict(J0=-1.0, J1=1.4, h0=1.0, eps=0.05, theta0=1.0, N=N)
    if case == "rotating":
        kw.update(omega=0.3)
    model = RingModel(**kw)
    m0 = 0.5
    if case == "bump":  # bump-shaped perturbation away from the stimulus direction
        x0 = m0 + 0.2 * np.cos(th - 2.5)
    elif case == "uniform":
        x0 = m0 + 0.3 + 0.01 * rng.random(N)  # uniform offset plus modes C does not see
    else:
        x0 = m0 + 0.1 * np.cos(th)
    traj = simulate(model, t_max=20.0, dt=0.01, method="rk4", x0=x0, record_every=10)
    assert traj.rates.min() > 0  # validity of the linear reduction
    M, C = reduced_dynamics_for(model, traj.t, m_init=x0)
    np.testing.assert_allclose(traj.M, M, atol=1e-9)
    np.testing.assert_allclose(traj.C, C, atol=1e-9)


def test_reduced_dynamics_with_switched_off_input():
    """Input on for t < t_off, then C relaxes to 0; compare with the closed form.

    RK4 sees the switch inside one step, where its stages sample the input
    as a step function: the one-step error is at most dt * eps / 2 and is
    then propagated with decay; the tolerance is that bound.
    """
    N, dt = 512, 0.01
    model = RingModel(J0=-1.0, J1=1.0, h0=1.0, eps=0.1, theta0=2.0, t_off=5.0, N=N)
    x0 = np.full(N, 0.5)
    traj = simulate(model, t_max=12.0, dt=dt, method="rk4", x0=x0, record_every=10)
    M, C = reduced_dynamics_for(model, traj.t, m_init=x0)
    np.testing.assert_allclose(traj.C, C, atol=dt * model.eps / 2)
    np.testing.assert_allclose(traj.M, M, atol=1e-12)  # started at m0: M stays 0
    # the closed form itself: at t_off, C = C*(1 - e^{lam t_off}), then decays at lam
    lam = model.J1 / 2 - 1
    Cstar = model.eps / 2 * np.exp(2j) / (1 - model.J1 / 2)
    _, Cc = reduced_dynamics(np.array([5.0, 9.0]), J0=-1.0, J1=1.0, h0=1.0, eps=0.1,
                             theta0=2.0, t_off=5.0)
    np.testing.assert_allclose(Cc[0], Cstar * (1 - np.exp(lam * 5.0)), rtol=1e-12)
    np.testing.assert_allclose(Cc[1], Cc[0] * np.exp(lam * 4.0), rtol=1e-12)


# ----------------------------------------------------------- linear response
def test_amplification_matches_simulation_and_its_domain():
    cases = [(-2.0, 1.0), (0.5, 0.5), (-1.0, 1.8), (0.2, -1.0)]
    h0, eps = 1.0, 0.02
    models = [RingModel(J0=a, J1=b, h0=h0, eps=eps, N=512) for a, b in cases]
    traj = simulate(models, t_max=300.0, dt=0.05, method="rk4", record_every=None)
    meas = measure_final(traj)
    for k, (a, b) in enumerate(cases):
        lr = linear_response(J0=a, J1=b, h0=h0, eps=eps)
        measured = (meas["m1"][k] / meas["r0"][k]) / (eps / h0)
        assert measured == pytest.approx(amplification(J0=a, J1=b), rel=1e-8)
        assert lr.amplification == pytest.approx((1 - a) / (1 - b / 2))
        assert (lr.amplification > 1) == (b > 2 * a)  # amplifies iff J1 > 2 J0
        assert meas["regime"][k] == "broad" and meas["n_active"][k] == 512
    with pytest.raises(ParameterError, match="J0"):
        amplification(J0=1.0, J1=0.0)
    with pytest.raises(ParameterError, match="J1"):
        amplification(J0=0.0, J1=2.5)
    with pytest.raises(ParameterError, match="eps"):  # m1 > m0: rectified, not linear
        linear_response(J0=-2.0, J1=1.5, h0=1.0, eps=0.5)
    assert not linear_response(J0=-2.0, J1=1.5, h0=1.0, eps=0.5, strict=False).valid


# ---------------------------------------------------- rectified profiles
NARROW = [dict(J0=-2.0, J1=1.5, h0=1.0, eps=0.5), dict(J0=0.3, J1=1.0, h0=0.2, eps=1.0),
          dict(J0=-1.0, J1=0.0, h0=-0.3, eps=1.0)]


def _check_profile(state, meas, k, N):
    tol = kink_bound(state, N)
    for key in ("r0", "m1", "peak", "theta_c"):
        assert abs(meas[key][k] - getattr(state, key)) <= 2 * tol[key], (key, N)
    assert meas["settled"][k]


@pytest.mark.parametrize("N", [512, 2048])
def test_narrow_profile_matches_simulation(N):
    models = [RingModel(**p, N=N) for p in NARROW]
    traj = simulate(models, t_max=150.0, dt=0.05, method="rk4", record_every=None)
    meas = measure_final(traj)
    for k, p in enumerate(NARROW):
        s = stationary_state(**p)
        assert s.regime == "narrow" and 0 < s.theta_c < np.pi
        assert meas["regime"][k] == "narrow"
        assert 0 < meas["n_active"][k] < N  # silent neurons
        _check_profile(s, meas, k, N)
        # the count of active units brackets 2 theta_c / h
        assert abs(meas["n_active"][k] - N * s.theta_c / np.pi) <= 2


def test_marginal_bump_at_zero_input_tuning():
    N = 1024
    params = [dict(J0=-2.0, J1=3.0, h0=1.0), dict(J0=0.2, J1=3.0, h0=1.0),
              dict(J0=-5.0, J1=5.0, h0=2.0)]
    models = [RingModel(**p, eps=0.0, N=N) for p in params]
    traj = simulate(models, t_max=250.0, dt=0.05, method="rk4", record_every=None, seed=11)
    meas = measure_final(traj)
    for k, p in enumerate(params):
        s = stationary_state(**p, eps=0.0)
        assert s.regime == "marginal" == meas["regime"][k]
        assert s.theta_c == pytest.approx(marginal_theta_c(p["J1"]))
        assert abs(s.stability_eigenvalues[-1]) < 1e-12  # free position: a zero mode
        _check_profile(s, meas, k, N)


def test_tuned_input_pins_the_bump_in_the_marginal_phase():
    """J1 > 2 with eps > 0: the bump sits at theta0 with the theta_c of the pinned
    self-consistency (A (1 - J1 g1) = eps).  Above the eps = 0 critical J0 the theory
    still predicts a stable pinned bump in a band of inhibitory-biased inputs (h0 < 0),
    and runaway just beyond it: both confirmed."""
    N = 1024
    jc = critical_J0(3.0)
    th0 = 2 * np.pi * 326 / N  # a grid angle (about 2 rad): the sampled bump is symmetric
    params = [dict(J0=-2.0, J1=3.0, h0=1.0, eps=0.2),
              dict(J0=jc + 0.05, J1=3.0, h0=-0.8, eps=0.92),
              dict(J0=jc + 0.05, J1=3.0, h0=-0.8, eps=1.3)]
    models = [RingModel(**p, theta0=th0, N=N) for p in params]
    # the runaway is slow this close to the band's edge (growth ~ 0.03 / tau): a low
    # max_rate (the bounded rows peak below 3) catches it within t_max
    traj = simulate(models, t_max=300.0, dt=0.05, method="rk4", record_every=None,
                    max_rate=100.0, on_divergence="ignore")
    meas = measure_final(traj)
    for k, p in enumerate(params[:2]):
        s = stationary_state(**p, theta0=th0)
        assert s.regime == "marginal" == meas["regime"][k]
        assert s.theta_c < marginal_theta_c(3.0)  # narrower than the free bump
        assert meas["bump_position"][k] == pytest.approx(th0, abs=1e-9)
        _check_profile(s, meas, k, N)
    assert classify_regime(**params[2]) == "unstable" == meas["regime"][2]


def test_marginal_bump_position_is_free():
    """Different random initial rates give bumps at different places with one shape."""
    N = 512
    p = dict(J0=-2.0, J1=3.0, h0=1.0, eps=0.0)
    models = [RingModel(**p, N=N)] * 6
    rng = np.random.default_rng(5)
    x0 = 1.0 + 0.01 * rng.random((6, N))
    traj = simulate(models, t_max=150.0, dt=0.05, method="rk4", x0=x0, record_every=None)
    meas = measure_final(traj)
    pos = meas["bump_position"]
    assert np.ptp(np.unwrap(np.sort(pos))) > 1.0  # spread over the ring
    s = stationary_state(**p)
    bound = kink_bound(s, N)
    for key in ("r0", "m1", "theta_c"):
        assert np.all(np.abs(meas[key] - getattr(s, key)) <= 2 * bound[key])


def test_free_bump_drift_estimate_matches_its_motion():
    """On a finite ring a free bump drifts slowly (the grid breaks the rotation symmetry).

    measure_final's drift, from the final state alone, is compared with the motion of
    arg C (one-sided second-order difference over the last two records, 1 tau apart;
    the speed changes by < 1 % per tau here, so that difference is accurate to far
    better than the 5 % allowed for the lattice "breathing" of a moving bump, which
    the rigid-rotation projection does not capture).
    """
    model = RingModel(J0=-2.0, J1=3.0, h0=1.0, N=512)
    traj = simulate(model, t_max=60.0, dt=0.05, method="rk4", record_every=20, seed=2)
    meas = measure_final(traj)
    assert meas["settled"]  # the shape has converged ...
    assert meas["residual"] > 1e-7  # ... while the bump still moves
    pos = np.unwrap(traj.bump_position[-3:])
    h = traj.t[-1] - traj.t[-2]
    v_obs = (3 * pos[-1] - 4 * pos[-2] + pos[-3]) / (2 * h)
    assert v_obs != 0
    assert meas["drift"] == pytest.approx(v_obs, rel=0.05)


def test_critical_J0_separates_bounded_bump_from_runaway():
    J1 = 3.0
    jc = critical_J0(J1)
    below, above = jc - 0.05, jc + 0.05
    models = [RingModel(J0=below, J1=J1, h0=1.0, N=512), RingModel(J0=above, J1=J1, h0=1.0,
                                                                     N=512)]
    traj = simulate(models, t_max=600.0, dt=0.05, method="rk4", record_every=None,
                    max_rate=1e4, on_divergence="ignore")
    meas = measure_final(traj)
    assert not meas["diverged"][0] and meas["settled"][0]
    s = stationary_state(J0=below, J1=J1, h0=1.0, eps=0.0)
    assert s.regime == "marginal"
    assert meas["r0"][0] == pytest.approx(s.r0, abs=2 * kink_bound(s, 512)["r0"])
    assert meas["diverged"][1] and meas["regime"][1] == "unstable"
    assert classify_regime(J0=above, J1=J1, h0=1.0, eps=0.0) == "unstable"
    assert "J0_c" in traj.message  # the divergence names the cause


# ------------------------------------------------------- regimes and symmetry
def _robust_regime(J0, J1, h0, eps, d=0.06):
    """Theory regime if unchanged under +-d moves of every parameter (away from boundaries)."""
    base = stationary_states(J0=J0, J1=J1, h0=h0, eps=eps)["regime"]
    same = np.ones(base.shape, dtype=bool)
    for dJ0 in (-d, d):
        for dJ1 in (-d, d):
            for dh in (-d, d):
                for de in (-d, d):
                    e = np.where(eps > 0, np.maximum(eps + de, 1e-3), 0.0)
                    same &= stationary_states(J0=J0 + dJ0, J1=J1 + dJ1, h0=h0 + dh,
                                              eps=e)["regime"] == base
    return base, same


def test_regime_classification_matches_simulation_away_from_boundaries():
    rng = np.random.default_rng(2024)
    P = 240
    J0 = rng.uniform(-4, 1.5, P)
    J1 = rng.uniform(-1, 6, P)
    h0 = rng.uniform(-1, 1.5, P)
    eps = np.where(rng.random(P) < 0.35, 0.0, rng.uniform(0.05, 1.5, P))
    theory, robust = _robust_regime(J0, J1, h0, eps)
    idx = np.flatnonzero(robust)
    assert idx.size > 100
    assert set(theory[idx]) == set(REGIMES)  # every regime is exercised
    models = [RingModel(J0=J0[i], J1=J1[i], h0=h0[i], eps=eps[i], N=512) for i in idx]
    traj = simulate(models, t_max=800.0, dt=0.05, record_every=None, max_rate=1e4,
                    on_divergence="ignore")
    meas = measure_final(traj)
    bad = [(J0[i], J1[i], h0[i], eps[i], theory[i], meas["regime"][k])
           for k, i in enumerate(idx) if theory[i] != meas["regime"][k]]
    assert not bad
    # every bounded row settled (so its regime is not a transient)
    assert np.all(meas["settled"] | meas["diverged"])


def test_regime_boundaries_follow_the_theory():
    # broad/narrow edge: m1 = m0, i.e. eps = h0 (1 - J1/2)/(1 - J0)
    J0, J1, h0 = -1.0, 1.0, 1.0
    edge = h0 * (1 - J1 / 2) / (1 - J0)
    assert classify_regime(J0=J0, J1=J1, h0=h0, eps=0.99 * edge) == "broad"
    assert classify_regime(J0=J0, J1=J1, h0=h0, eps=1.01 * edge) == "narrow"
    assert stationary_state(J0=J0, J1=J1, h0=h0, eps=1.0001 * edge).theta_c == pytest.approx(
        np.pi, abs=0.05)
    # no neuron driven: h0 + eps < 0 is quiescent
    s = stationary_state(J0=J0, J1=J1, h0=-0.5, eps=0.4)
    assert s.regime == "homogeneous" and s.r0 == 0.0 and s.peak == 0.0
    # eps > 0 with J1 > 2: the bump is pinned at theta0 and still "marginal"
    assert classify_regime(J0=-2.0, J1=3.0, h0=1.0, eps=0.2) == "marginal"
    # J0 >= 1 with positive drive: unstable
    assert classify_regime(J0=1.0, J1=0.0, h0=1.0, eps=0.0) == "unstable"
    with pytest.raises(ParameterError, match="eps"):
        classify_regime(J0=0.0, J1=0.0, h0=1.0, eps=-0.1)


def test_regime_map_is_fast_and_agrees_pointwise():
    J0s = np.linspace(-3, 1.5, 64)
    J1s = np.linspace(0, 6, 64)
    t = time.perf_counter()
    grid = regime_map(J0s, J1s, h0=1.0, eps=0.1)
    elapsed = time.perf_counter() - t
    assert grid.shape == (64, 64)
    assert elapsed < 1.0
    rng = np.random.default_rng(0)
    for i, j in rng.integers(0, 64, size=(25, 2)):
        assert grid[i, j] == classify_regime(J0=J0s[j], J1=J1s[i], h0=1.0, eps=0.1)


def test_rotating_the_stimulus_rotates_the_profile():
    N = 512
    base = dict(J0=-2.0, J1=1.5, h0=1.0, eps=0.5, N=N)
    shifts = [0, 37, 300]
    models = [RingModel(**base, theta0=2 * np.pi * k / N) for k in shifts]
    models.append(RingModel(**base, theta0=1.2345))  # off the grid
    x0 = np.full(N, 0.3)
    traj = simulate(models, t_max=120.0, dt=0.05, method="rk4", x0=x0, record_every=None)
    final = traj.final
    for row, k in zip(final[1:3], shifts[1:3]):
        np.testing.assert_allclose(row, np.roll(final[0], k), atol=1e-12)
    meas = measure_final(traj)
    thetas = np.array([m.theta0 for m in models])
    dpos = np.angle(np.exp(1j * (meas["bump_position"] - thetas)))
    assert np.all(np.abs(dpos[:3]) < 1e-9)  # on the grid the profile is symmetric
    # off the grid, Im(C e^{-i theta0}) is a trapezoid error of an odd function with
    # kinks: at most q = A sin(tc) h^2 / (12 pi), so the angle is off by <= q / |C|
    s0 = stationary_state(J0=-2.0, J1=1.5, h0=1.0, eps=0.5)
    q = s0.A * np.sin(s0.theta_c) * (2 * np.pi / N) ** 2 / (12 * np.pi)
    assert abs(dpos[3]) <= 2 * q / (s0.m1 / 2)
    s1 = stationary_state(J0=-2.0, J1=1.5, h0=1.0, eps=0.5, theta0=1.2345)
    th = np.linspace(0, 2 * np.pi, 101)
    np.testing.assert_allclose(s1.profile(th), s0.profile(th - 1.2345), atol=1e-14)
    # off-grid: the profile is the same function sampled elsewhere; r0, m1 within the bound
    bound = kink_bound(s0, N)
    assert abs(meas["r0"][3] - s0.r0) <= 2 * bound["r0"]


# --------------------------------------------------------------- measure_final
def test_measure_final_is_vectorised_and_fast():
    B, N = 4096, 256
    rng = np.random.default_rng(1)
    J1 = rng.uniform(0, 4, B)
    models = [RingModel(J0=-1.0, J1=float(j), h0=1.0, eps=0.1, N=N) for j in J1]
    x0 = 0.1 + rng.random((B, N))
    traj = simulate(models, t_max=0.01, dt=0.01, x0=x0, record_every=None)
    t = time.perf_counter()
    meas = measure_final(traj)
    elapsed = time.perf_counter() - t
    assert elapsed < 1.0
    assert meas["r0"].shape == (B,) and meas["regime"].shape == (B,)
    one = measure_final(simulate(models[7], t_max=0.01, dt=0.01, x0=x0[7], record_every=None))
    for key in ("r0", "m1", "peak", "bump_position", "n_active"):
        assert np.asarray(one[key]).shape == ()
        assert one[key] == pytest.approx(meas[key][7], rel=1e-12, abs=1e-15)


def test_measure_final_theta_c_fit_is_exact_on_a_sampled_profile():
    """On an exactly rectified cosine the fit recovers theta_c without grid error."""
    from ratenet.results import RingTrajectory

    N, tc, phi = 512, 1.1, 0.77
    th = 2 * np.pi * np.arange(N) / N
    m = np.maximum(np.cos(th - phi) - np.cos(tc), 0.0)
    traj = RingTrajectory(t=np.array([0.0]), rates=m[None, :], status=np.array("ok"),
                          t_diverged=np.array(np.nan), message="", method="euler", dt=0.1,
                          params=RingModel(J0=-1, J1=1, h0=1, eps=1, N=N).to_dict())
    meas = measure_final(traj)
    assert meas["theta_c"] == pytest.approx(tc, abs=1e-10)
    assert meas["regime"] == "narrow"
    with pytest.raises(ParameterError, match="active_tol"):
        measure_final(traj, active_tol=-1)
