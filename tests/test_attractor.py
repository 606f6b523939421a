"""Attractor dynamics of the ring: diffusion scalings and theory, persistence only in the
marginal phase, tracking lags against closed forms, phase diagram against theory."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ratenet as rn
from ratenet.attractor import (
    diffusion,
    diffusion_theory,
    persistent_activity,
    phase_diagram,
    run_order_parameters,
    tracking,
    tracking_lag_theory,
)
from ratenet.noise import Heterogeneity, Noise
from ratenet.theory.ring import stationary_state

MARGINAL = {"J0": -2.0, "J1": 4.0, "h0": 1.0}  # theta_c = pi/2, J0 < J0_c(4) = 0


# ------------------------------------------------------------------ diffusion
def test_diffusion_theory_closed_form_at_J1_4():
    s = stationary_state(J0=-2.0, J1=4.0, h0=1.0, eps=0.0)
    assert s.theta_c == pytest.approx(np.pi / 2)
    # A = h0 / (-cos(pi/2) - J0 g0(pi/2)) = 1 / (2/pi) = pi/2 ; m1 = 2 A g1(pi/2) = 2 (pi/2)(1/4)
    assert s.m1 == pytest.approx(np.pi / 4)
    m = rn.RingModel(**MARGINAL, N=200)
    assert diffusion_theory(m, 0.3) == pytest.approx(0.09 / (200 * (np.pi / 4) ** 2))
    assert math.isnan(diffusion_theory(m.replace(J1=1.5), 0.3))  # no free bump
    assert math.isnan(diffusion_theory(m.replace(eps=0.1), 0.3))  # pinned by the input


@pytest.fixture(scope="module")
def diffusion_runs():
    runs = {}
    for N, sigma in ((128, 0.1), (128, 0.2), (256, 0.2)):
        m = rn.RingModel(**MARGINAL, N=N)
        runs[N, sigma] = diffusion(m, sigma=sigma, trials=400, t_max=100.0, seed=3)
    return runs


def _log_ratio_se(a, b):
    return math.hypot(a.standard_error / a.diffusion_coefficient,
                      b.standard_error / b.diffusion_coefficient)


@pytest.mark.slow
def test_diffusion_coefficient_scales_as_sigma_squared(diffusion_runs):
    a, b = diffusion_runs[128, 0.1], diffusion_runs[128, 0.2]
    ratio = b.diffusion_coefficient / a.diffusion_coefficient
    # 3 standard errors of the log ratio, from the bootstrap CIs (the two runs share their
    # random numbers, so the true error of the ratio is smaller: the bound is conservative)
    assert abs(math.log(ratio / 4.0)) < 3 * _log_ratio_se(a, b)
    assert abs(math.log(ratio / 2.0)) > 3 * _log_ratio_se(a, b)  # would catch sigma^1


@pytest.mark.slow
def test_diffusion_coefficient_scales_as_one_over_N(diffusion_runs):
    a, b = diffusion_runs[128, 0.2], diffusion_runs[256, 0.2]
    ratio = a.diffusion_coefficient / b.diffusion_coefficient
    assert abs(math.log(ratio / 2.0)) < 3 * _log_ratio_se(a, b)
    assert abs(math.log(ratio / 1.0)) > 3 * _log_ratio_se(a, b)  # N-independent is excluded


@pytest.mark.slow
def test_diffusion_coefficient_matches_goldstone_projection(diffusion_runs):
    for r in diffusion_runs.values():
        assert r.trials == 400
        assert abs(r.diffusion_coefficient - r.theory) < 3 * r.standard_error
        assert r.ci_low < r.diffusion_coefficient < r.ci_high
        # pure diffusion: no mean drift beyond the spread of the walk
        assert abs(r.mean_displacement) < 4 * math.sqrt(r.msd[-1] / r.trials)


@pytest.mark.slow
@pytest.mark.parametrize(("J0", "J1", "sigma_ou", "tau_ou"), [(-2.0, 4.0, 0.15, 2.0),
                                                          (-1.0, 3.0, 0.3, 0.2)])
def test_input_noise_diffusion_matches_the_active_arc_projection(J0, J1, sigma_ou, tau_ou):
    """OU input noise enters through the active units only: D = 4 s^2 tau_ou / (N J1 m1^2)."""
    m = rn.RingModel(J0=J0, J1=J1, h0=1.0, N=128)
    r = diffusion(m, sigma=0.0, noise=Noise(sigma_ou=sigma_ou, tau_ou=tau_ou), trials=400,
                  t_max=100.0, seed=5)
    m1 = stationary_state(J0=J0, J1=J1, h0=1.0, eps=0.0).m1
    assert r.theory == pytest.approx(4 * sigma_ou**2 * tau_ou / (128 * J1 * m1**2))
    assert abs(r.diffusion_coefficient - r.theory) < 3 * r.standard_error


def test_diffusion_is_reproducible_and_independent_of_threads():
    m = rn.RingModel(**MARGINAL, N=64)
    a = diffusion(m, sigma=0.2, trials=16, t_max=10.0, seed=9, n_boot=100)
    b = diffusion(m, sigma=0.2, trials=16, t_max=10.0, seed=9, n_boot=100, parallel=False)
    assert a.diffusion_coefficient == b.diffusion_coefficient
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    assert np.array_equal(a.msd, b.msd)
    d = a.to_dict()
    assert {"diffusion_coefficient", "ci_low", "ci_high", "trials", "params",
            "ratenet_version"} <= set(d)
    assert d["params"]["model"]["N"] == 64 and d["params"]["seed"] == 9


def test_order_parameters_equal_those_of_the_recorded_rates():
    models = [rn.RingModel(**MARGINAL, N=32)] * 3
    nz = Noise(sigma=0.1)
    op = run_order_parameters(models, t_max=2.0, dt=0.01, record_every=20, noise=nz, seed=4)
    tr = rn.simulate(models, t_max=2.0, dt=0.01, record_every=20, noise=nz, seed=4)
    assert np.allclose(op.C, tr.C, rtol=0, atol=1e-13)
    assert np.allclose(op.r0, tr.mean_rate, rtol=0, atol=1e-13)
    assert np.array_equal(op.final, tr.final)


def test_heterogeneity_makes_the_bump_drift_and_the_symmetric_ring_does_not():
    m = rn.RingModel(**MARGINAL, N=128)
    clean = diffusion(m, sigma=0.0, trials=16, t_max=50.0, n_boot=100)
    het = diffusion(m, sigma=0.0, trials=16, t_max=50.0, n_boot=100,
                    heterogeneity=Heterogeneity(threshold_sd=0.05, seed=1))
    # without noise, a bump started on the lattice of preferred angles cannot move (the
    # reflection about its centre is a symmetry); frozen threshold offsets break it
    assert np.sqrt(clean.msd[-1]) < 1e-3
    assert np.sqrt(het.msd[-1]) > 0.05


# -------------------------------------------------------------------- memory
@pytest.mark.parametrize(("J0", "J1"), [(-2.0, 4.0), (-1.0, 3.0), (-3.0, 6.0)])
def test_bump_persists_in_the_marginal_phase_where_it_was_cued(J0, J1):
    cue = rn.RingModel(J0=J0, J1=J1, h0=1.0, eps=0.5, theta0=2.0, N=128)
    r = persistent_activity(cue, cue_off=10.0, t_max=40.0)
    assert r.persistent and not r.diverged
    # no noise: the bump stays where the cue left it, up to a relaxation onto the lattice of
    # preferred angles (finite-N pinning) far smaller than the lattice spacing
    spacing = 2 * np.pi / cue.N
    assert abs(r.drift) < 0.05 * spacing
    assert abs(np.angle(np.exp(1j * (r.position_final - 2.0)))) < 0.05 * spacing
    # it relaxes to the self-sustained bump of the theory
    assert r.amplitude_final == pytest.approx(stationary_state(J0=J0, J1=J1, h0=1.0,
                                                                eps=0.0).m1, rel=2e-3)


@pytest.mark.parametrize(("J0", "J1"), [(-2.0, 1.5), (-2.0, 1.0), (0.5, 0.0)])
def test_bump_decays_outside_the_marginal_phase(J0, J1):
    # a weak cue (eps = 0.05) keeps every unit active (m1 = eps / (1 - J1/2) < m0)
    cue = rn.RingModel(J0=J0, J1=J1, h0=1.0, eps=0.05, theta0=2.0, N=128)
    r = persistent_activity(cue, cue_off=10.0, t_max=40.0)
    assert not r.persistent and math.isnan(r.drift)
    # the network is linear after the cue: the cos mode decays at rate 1 - J1/2 (exactly,
    # for the Euler scheme: by the factor 1 - dt (1 - J1/2) per step)
    dt = r.params["dt"]
    expected = r.amplitude_at_cue_off * (1 - dt * (1 - J1 / 2)) ** round(30.0 / dt)
    assert r.amplitude_final == pytest.approx(expected, rel=1e-6)


def test_unbounded_growth_is_not_persistence():
    cue = rn.RingModel(J0=0.5, J1=4.0, h0=1.0, eps=0.5, N=64)  # J0 > J0_c(4) = 0
    r = persistent_activity(cue, cue_off=5.0, t_max=60.0)
    assert r.diverged and not r.persistent


def test_noise_makes_the_memory_drift():
    cue = rn.RingModel(**MARGINAL, eps=0.5, N=64)
    r = persistent_activity(cue, cue_off=5.0, t_max=55.0, noise=Noise(sigma=0.2), seed=2)
    assert r.persistent and abs(r.drift) > 1e-3


# ------------------------------------------------------------------ tracking
def test_broad_regime_lag_is_the_exact_linear_response():
    """All units active: tau dC/dt = (J1/2 - 1) C + (eps/2) e^{i w t}.  Forward Euler's
    periodic solution C_n = K e^{i w n dt} has lag arg(e^{i w dt} - 1 - dt (J1/2 - 1)),
    which tends to arctan(w / (1 - J1/2)) as dt -> 0."""
    m = rn.RingModel(J0=-1.0, J1=1.0, h0=1.0, eps=0.1, N=64)
    w = np.array([-1.0, -0.2, 0.1, 0.5, 2.0])
    dt = 0.01
    r = tracking(m, speeds=w, t_max=120.0, dt=dt)  # transients decay as e^{-t/2}
    lam = m.J1 / 2 - 1
    exact = np.angle(np.exp(1j * w * dt) - 1 - dt * lam)
    assert np.all(r.locked)
    assert np.allclose(r.lag, exact, rtol=0, atol=1e-9)
    assert np.allclose(r.theory, np.arctan(w / (1 - m.J1 / 2)))
    assert np.allclose(r.lag, r.theory, atol=dt * np.abs(w).max())
    assert np.allclose(r.bump_speed, w, rtol=1e-6)


def test_marginal_lag_is_odd_in_speed_and_follows_the_phase_equation():
    m = rn.RingModel(**MARGINAL, eps=0.1, N=256)
    A = stationary_state(J0=-2.0, J1=4.0, h0=1.0, eps=0.1).A
    w_max = m.eps / A  # fastest stimulus the bump can follow (first order in eps)
    w = np.array([-0.3, 0.1, 0.3]) * w_max
    r = tracking(m, speeds=np.concatenate([w, [0.0, 2.0 * w_max]]), t_max=400.0)
    lag = r.lag
    assert lag[3] == pytest.approx(0.0, abs=1e-12)
    # reflection theta -> -theta maps omega to -omega: the lag is odd
    assert lag[0] == pytest.approx(-lag[2], abs=1e-9)
    # tau dpsi/dt = (eps/A) sin(phi - psi): lag = arcsin(omega A / eps), to first order in eps
    assert np.allclose(lag[:3], np.arcsin(w / w_max), rtol=0.02)
    assert np.allclose(r.theory[:3], np.arcsin(w / w_max))
    assert not r.locked[4] and math.isnan(lag[4])  # twice too fast: the bump slips


def test_tracking_theory_outside_its_domain_is_nan():
    m = rn.RingModel(J0=0.5, J1=5.0, h0=1.0, eps=0.1)  # unstable
    assert np.all(np.isnan(tracking_lag_theory(m, [0.1])))


# ------------------------------------------------------------ phase diagram
def _interior(theory: np.ndarray) -> np.ndarray:
    """Cells whose 8 neighbours all share their analytic regime (away from boundaries)."""
    n1, n0 = theory.shape
    ok = np.zeros_like(theory, dtype=bool)
    for i in range(1, n1 - 1):
        for j in range(1, n0 - 1):
            ok[i, j] = np.all(theory[i - 1:i + 2, j - 1:j + 2] == theory[i, j])
    return ok


@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_phase_diagram_agrees_with_theory_away_from_boundaries(eps):
    J0s = np.linspace(-4.0, 1.5, 24)
    J1s = np.linspace(0.0, 6.0, 24)
    r = phase_diagram(h0=1.0, eps=eps, J0s=J0s, J1s=J1s, N=128)
    inner = _interior(r.theory)
    assert inner.sum() > 300  # most of the grid is tested
    assert np.all(r.agree[inner]), np.argwhere(~r.agree & inner)
    regimes = set(np.unique(r.theory[inner]))
    assert {"marginal", "unstable"} <= regimes
    assert ("homogeneous" in regimes) if eps == 0 else ({"broad", "narrow"} <= regimes)
    assert r.cells == 24 * 24
    assert r.agreement == pytest.approx(r.agree.mean())
    assert r.disagreements == int((~r.agree).sum())


def test_neutral_line_J1_2_is_marginal_in_both_maps():
    # eps = 0, J1 = 2: the cos mode is neutral; whatever modulation the start has stays
    r = phase_diagram(h0=1.0, eps=0.0, J0s=[-2.0, -1.0], J1s=[2.0], N=64, steps=400,
                      t_max=40.0)
    assert r.theory.tolist() == [["marginal", "marginal"]]
    assert r.measured.tolist() == [["marginal", "marginal"]]


def test_phase_diagram_cells_are_the_public_simulate_runs():
    # the grid runs as one batch through ratenet.simulate: each cell must be the run of its
    # own RingModel from the same initial rates (same kernel and steps: equal to rounding)
    from ratenet.attractor._phase_diagram import _simulate_grid

    J0s, J1s = np.array([-2.0, 0.5, 2.0]), np.array([1.0, 4.0])
    kw = dict(h0=1.0, eps=0.1, N=32, steps=400, dt=0.1, max_rate=1e4)
    traj = _simulate_grid(J0s, J1s, seed=3, parallel=False, progress=False, **kw)
    x0 = np.random.default_rng(np.random.SeedSequence(3)).random((6, 32))  # |h0| U(0, 1)
    assert traj.rates.shape == (6, 5, 32)  # records at 0, T/4, T/2, 3T/4, T
    for b, (J1, J0) in enumerate((a, c) for a in J1s for c in J0s):
        m = rn.RingModel(J0=J0, J1=J1, h0=1.0, eps=0.1, N=32)
        one = rn.simulate(m, t_max=40.0, dt=0.1, x0=x0[b], record_every=100, max_rate=1e4,
                          on_divergence="ignore")
        assert traj.status[b] == one.status
        np.testing.assert_allclose(traj.rates[b], one.rates, rtol=1e-12, atol=1e-12)
    # unbounded exactly where the theory says so: J0 > 1, or J0 > J0_c(4) = 0 at J1 = 4
    assert traj.status.tolist() == ["ok", "ok", "diverged", "ok", "diverged", "diverged"]
    par = _simulate_grid(J0s, J1s, seed=3, parallel=True, progress=True, **kw)
    np.testing.assert_allclose(par.rates, traj.rates, rtol=1e-12, atol=1e-12)


def test_phase_diagram_result_carries_its_parameters():
    r = phase_diagram(h0=0.5, eps=0.05, J0s=[-1.0, 0.0], J1s=[1.0, 3.0], N=32, steps=400,
                      t_max=40.0)
    d = r.to_dict(maps=True)
    assert d["params"]["h0"] == 0.5 and d["params"]["steps"] == 400
    assert d["params"]["dt"] == pytest.approx(0.1)
    assert d["ratenet_version"] == rn.__version__
    assert np.array(d["theory"]).shape == (2, 2)


def test_bad_experiment_parameters_are_named():
    m = rn.RingModel(**MARGINAL, N=32)
    with pytest.raises(rn.ParameterError, match="cue_off"):
        persistent_activity(m.replace(eps=0.5), cue_off=20.0, t_max=10.0)
    with pytest.raises(rn.ParameterError, match="eps"):
        persistent_activity(m, cue_off=2.0, t_max=10.0)
    with pytest.raises(rn.ParameterError, match="trials"):
        diffusion(m, sigma=0.1, trials=1)
    with pytest.raises(rn.ParameterError, match="sigma"):
        diffusion(m, sigma=-0.1)
    with pytest.raises(rn.ParameterError, match="speeds"):
        tracking(m.replace(eps=0.1), speeds=[])
