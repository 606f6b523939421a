"""Noise and heterogeneity: the generator, Euler-Maruyama against closed forms,
the reproducibility contract (bit for bit), and quenched perturbations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import linalg, stats

import ratenet as rn
from ratenet import _noise_kernels as NK
from ratenet.noise import Heterogeneity, Noise, trial_generator_states


# ------------------------------------------------------------------ generator
def test_ziggurat_tables_close_the_top_layer():
    # every layer has the same area V; the recursion must end at the density's top, f(0) = 1
    x, v = NK._ZX, NK._ZV
    assert v / x[255] + math.exp(-0.5 * x[255] ** 2) == pytest.approx(1.0, abs=1e-12)
    assert x[1] == pytest.approx(3.6541528853610088) and x[256] == 0.0


def test_normals_have_gaussian_moments_and_distribution():
    S = trial_generator_states(123, range(4))
    z = np.empty((4, 500_000))
    NK.standard_normals(S, z)
    z = z.ravel()
    n = z.size
    # mean, variance, skewness, excess kurtosis within 5 standard errors of N(0, 1)
    assert abs(z.mean()) < 5 / math.sqrt(n)
    assert abs(z.var() - 1) < 5 * math.sqrt(2 / n)
    assert abs(np.mean(z**3)) < 5 * math.sqrt(15 / n)
    assert abs(np.mean(z**4) - 3) < 5 * math.sqrt(96 / n)
    # the tail beyond the base strip is sampled with the right weight
    p_tail = math.erfc(3.6541528853610088 / math.sqrt(2))
    k = np.sum(np.abs(z) > 3.6541528853610088)
    assert abs(k - n * p_tail) < 5 * math.sqrt(n * p_tail)
    assert stats.kstest(z[:200_000], "norm").pvalue > 1e-3


def test_streams_of_different_trials_are_uncorrelated():
    S = trial_generator_states(7, range(2))
    z = np.empty((2, 200_000))
    NK.standard_normals(S, z)
    r = np.corrcoef(z)[0, 1]
    assert abs(r) < 5 / math.sqrt(z.shape[1])


# ----------------------------------------------------- Euler-Maruyama, closed forms
def _stationary_samples(model, noise, *, trials, t_burn, t_max, dt, every, seed=0):
    x0 = np.full(model.N, model.h0 / (1 - model.J0))
    tr = rn.simulate([model] * trials, t_max=t_burn + t_max, dt=dt, x0=x0, noise=noise,
                     seed=seed, record_every=every)
    keep = tr.t >= t_burn
    return tr.rates[:, keep, :]  # (trials, T, N)


def test_white_noise_on_an_uncoupled_unit_has_the_euler_maruyama_variance():
    """J = 0: each unit is an OU process m' = -m + h0 + sigma xi.

    Euler-Maruyama gives m_{n+1} = (1 - dt) m_n + dt h0 + sigma sqrt(dt) z_n, whose exact
    stationary variance is sigma^2 dt / (1 - (1 - dt)^2) = sigma^2 / (2 - dt); the
    continuous process has sigma^2 / 2.  dt = 0.1 separates the two by 5 %.
    """
    sigma, dt, h0 = 0.5, 0.1, 5.0
    model = rn.RingModel(J0=0.0, J1=0.0, h0=h0, N=256)
    R = _stationary_samples(model, Noise(sigma=sigma), trials=16, t_burn=10.0, t_max=50.0,
                            dt=dt, every=50)  # records 5 tau apart: correlation e^-5
    assert R.min() > 0  # never below threshold: the dynamics are linear
    samples = R.ravel()
    n = samples.size
    var = samples.var()
    se = math.sqrt(2 / n) * sigma**2 / (2 - dt)
    assert abs(samples.mean() - h0) < 5 * math.sqrt(sigma**2 / 2 / n)
    assert abs(var - sigma**2 / (2 - dt)) < 5 * se
    assert abs(var - sigma**2 / 2) > 5 * se  # the discrete scheme, not the continuum, is met


def test_uniform_mode_variance_matches_the_euler_maruyama_ou_formula():
    """All units active, J1 = 0: the mean rate r0 is an OU process with rate 1 - J0 and
    noise sigma / sqrt(N); Euler-Maruyama: var = (sigma^2 dt / N) / (1 - (1 - (1-J0) dt)^2)."""
    sigma, dt, J0, N = 0.5, 0.05, -1.0, 64
    model = rn.RingModel(J0=J0, J1=0.0, h0=10.0, N=N)
    R = _stationary_samples(model, Noise(sigma=sigma), trials=400, t_burn=5.0, t_max=20.0,
                            dt=dt, every=100)
    r0 = R.mean(axis=-1).ravel()
    lam = 1 - J0
    expected = (sigma**2 * dt / N) / (1 - (1 - lam * dt) ** 2)
    se = math.sqrt(2 / r0.size) * expected
    assert abs(r0.var() - expected) < 5 * se


def test_ou_input_noise_matches_the_discrete_lyapunov_solution():
    """J = 0 with OU input noise eta (s.d. s, time tau_ou): the pair (m, eta) is the linear
    system m' = (1 - dt) m + dt eta, eta' = a eta + s sqrt(1 - a^2) z (a = exp(-dt/tau_ou)).
    Its stationary covariance solves a discrete Lyapunov equation; the continuum limit is
    var m = s^2 tau_ou / (1 + tau_ou)."""
    s, tau_ou, dt, h0 = 0.4, 2.0, 0.05, 5.0
    model = rn.RingModel(J0=0.0, J1=0.0, h0=h0, N=256)
    R = _stationary_samples(model, Noise(sigma_ou=s, tau_ou=tau_ou), trials=16, t_burn=20.0,
                            t_max=150.0, dt=dt, every=400)  # 20 tau apart
    a = math.exp(-dt / tau_ou)
    A = np.array([[1 - dt, dt], [0.0, a]])
    Q = np.diag([0.0, s**2 * (1 - a * a)])
    expected = linalg.solve_discrete_lyapunov(A, Q)[0, 0]
    assert expected == pytest.approx(s**2 * tau_ou / (1 + tau_ou), rel=0.05)
    samples = R.ravel()
    # correlation between records 20 tau apart is e^-10 (input) at most
    se = math.sqrt(2 / samples.size) * expected
    assert abs(samples.var() - expected) < 5 * se
    assert abs(samples.mean() - h0) < 5 * math.sqrt(expected / samples.size)


def test_noise_amplitude_is_independent_of_dt_in_the_limit():
    """sqrt(dt) scaling: halving dt changes the variance only through the O(dt) scheme
    correction sigma^2/(2 - dt), never by a factor."""
    sigma = 0.5
    model = rn.RingModel(J0=0.0, J1=0.0, h0=5.0, N=256)
    vs = []
    for dt in (0.2, 0.05):
        R = _stationary_samples(model, Noise(sigma=sigma), trials=8, t_burn=10.0,
                                t_max=40.0, dt=dt, every=round(5 / dt))
        vs.append(R.var())
    for v, dt in zip(vs, (0.2, 0.05)):
        assert v == pytest.approx(sigma**2 / (2 - dt), rel=0.03)


# ---------------------------------------------------------- reproducibility
NOISY = Noise(sigma=0.05, sigma_ou=0.05, tau_ou=0.5)
HET = Heterogeneity(threshold_sd=0.02, seed=5)


def _run(models, **kw):
    return rn.simulate(models, t_max=5.0, dt=0.01, record_every=50, seed=11, noise=NOISY,
                       heterogeneity=HET, **kw)


@pytest.mark.parametrize("model", [
    rn.RingModel(J0=-2.0, J1=4.0, h0=1.0, eps=0.1, omega=0.3, N=64),  # fused kernel
    rn.RingModel(J0=-2.0, J1=4.0, h0=1.0, J_higher=(0.5,), N=64),  # general kernel
    rn.RingModel(J0=-1.0, J1=3.0, h0=1.0, transfer=rn.Sigmoid(), N=64),
])
def test_trials_are_identical_one_by_one_batched_chunked_serial_or_parallel(model):
    B = 6
    batch = _run([model] * B)
    serial = _run([model] * B, parallel=False)
    chunks = [_run([model] * 2, trial_index=k) for k in (0, 2, 4)]
    singles = [_run([model], trial_index=[k]) for k in range(B)]
    timed = _run([model] * B, progress=True)  # the run is cut into 50 time chunks
    assert np.array_equal(batch.rates, serial.rates)
    assert np.array_equal(batch.rates, np.concatenate([c.rates for c in chunks]))
    assert np.array_equal(batch.rates, np.concatenate([s.rates for s in singles]))
    assert np.array_equal(batch.rates, timed.rates)
    # and the trials differ from one another
    assert not np.array_equal(batch.rates[0], batch.rates[1])


def test_dense_coupling_perturbation_is_reproducible_too():
    model = rn.RingModel(J0=-2.0, J1=4.0, h0=1.0, N=32)
    het = Heterogeneity(coupling_sd=0.5, seed=1)
    a = rn.simulate([model] * 4, t_max=2.0, dt=0.01, noise=NOISY, heterogeneity=het,
                    record_every=None)
    b = rn.simulate([model] * 2, t_max=2.0, dt=0.01, noise=NOISY, heterogeneity=het,
                    record_every=None, trial_index=2, parallel=False)
    assert np.array_equal(a.rates[2:], b.rates)


def test_seed_changes_the_noise_and_global_state_is_untouched():
    # the legacy global generator is read here only to show that simulate never uses it
    model = rn.RingModel(J0=-2.0, J1=4.0, h0=1.0, N=32)
    before = np.random.get_state()  # noqa: NPY002
    a = rn.simulate(model, t_max=1.0, dt=0.01, noise=Noise(sigma=0.1), seed=1)
    after = np.random.get_state()  # noqa: NPY002
    assert np.array_equal(before[1], after[1]) and before[2] == after[2]
    np.random.random(10)  # noqa: NPY002  (move the global state: results must not change)
    b = rn.simulate(model, t_max=1.0, dt=0.01, noise=Noise(sigma=0.1), seed=1)
    c = rn.simulate(model, t_max=1.0, dt=0.01, noise=Noise(sigma=0.1), seed=2)
    assert np.array_equal(a.rates, b.rates)
    assert not np.array_equal(a.rates, c.rates)


def test_noise_parameters_are_recorded_in_the_trajectory():
    tr = rn.simulate(rn.RingModel(N=16), t_max=0.1, dt=0.01, noise=Noise(sigma=0.2), seed=3)
    assert tr.params["noise"]["sigma"] == 0.2
    assert tr.extra["seed"] == 3 and tr.extra["trial_index"] == [0]


# -------------------------------------------------------------- heterogeneity
def test_threshold_offsets_shift_the_linear_fixed_point_exactly():
    """J = 0: m_i* = h0 - delta_i (every unit active), reached from any start."""
    het = Heterogeneity(threshold_sd=0.1, seed=4)
    model = rn.RingModel(J0=0.0, J1=0.0, h0=1.0, N=64)
    tr = rn.simulate(model, t_max=40.0, dt=0.01, heterogeneity=het, record_every=None)
    assert np.allclose(tr.final, 1.0 - het.threshold_offsets(64), atol=1e-12)


def test_coupling_perturbation_gives_the_perturbed_linear_fixed_point():
    """All units active: m* = (I - W - dW)^-1 h with the circulant W and the drawn dW."""
    N = 48
    het = Heterogeneity(coupling_sd=0.3, seed=2)
    model = rn.RingModel(J0=-1.0, J1=1.0, h0=1.0, eps=0.2, N=N)
    W = rn.FourierCoupling(model.modes, N).matrix()
    h = model.input_at(0.0)
    m_star = np.linalg.solve(np.eye(N) - W - het.coupling_perturbation(N), h)
    assert m_star.min() > 0
    tr = rn.simulate(model, t_max=60.0, dt=0.01, heterogeneity=het, record_every=None)
    assert np.allclose(tr.final, m_star, atol=1e-9)


def test_bad_noise_values_are_named():
    with pytest.raises(rn.ParameterError, match="sigma"):
        Noise(sigma=-1)
    with pytest.raises(rn.ParameterError, match="tau_ou"):
        Noise(sigma_ou=0.1, tau_ou=0)
    with pytest.raises(rn.ParameterError, match="method"):
        rn.simulate(rn.RingModel(N=16), t_max=1, noise=Noise(sigma=0.1), method="rk4")
    with pytest.raises(rn.ParameterError, match="trial_index"):
        rn.simulate([rn.RingModel(N=16)] * 2, t_max=1, noise=Noise(sigma=0.1),
                    trial_index=[0])
