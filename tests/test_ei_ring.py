"""E-I ring model and its simulation: equations against brute force, exact solutions,
integrator order, symmetries, batching, noise statistics, divergence, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg

import ratenet as rn
from ratenet import EIRingModel, ParameterError
from ratenet.ei_ring import EIRingTrajectory
from ratenet.models.ei import EIModel

WAVE = dict(J_EE0=1.0, J_EE1=3.0, J_EI0=-1.5, J_EI1=-2.0, J_IE0=1.0, J_IE1=2.0, J_II0=-0.5,
            h_E=2.0, h_I=0.5, tau_E=10.0, tau_I=40.0)


def brute_force_rhs(m: EIRingModel, x: np.ndarray) -> np.ndarray:
    """dx/dt from the definition: the O(N^2) double sum over units and harmonics."""
    N = m.N
    th = 2 * np.pi * np.arange(N) / N
    d = th[:, None] - th[None, :]
    harm = [[m.J_EE0, m.J_EI0, m.J_IE0, m.J_II0], [m.J_EE1, m.J_EI1, m.J_IE1, m.J_II1]]
    harm += [list(row) for row in m.J_higher]
    W = {p: sum(h[n] * np.cos(k * d) for k, h in enumerate(harm)) / N
         for n, p in enumerate(("EE", "EI", "IE", "II"))}
    rE, rI = x[:N], x[N:2 * N]
    uE = W["EE"] @ rE + W["EI"] @ rI + m.h_E + m.eps_E * np.cos(th - m.theta0)
    uI = W["IE"] @ rE + W["II"] @ rI + m.h_I + m.eps_I * np.cos(th - m.theta0)
    if m.J_A > 0:
        uE = uE - m.J_A * x[2 * N:]
    f = m.transfer
    out = [(f(uE) - rE) / m.tau_E, (f(uI) - rI) / m.tau_I]
    if m.J_A > 0:
        out.append((rE - x[2 * N:]) / m.tau_A)
    return np.concatenate(out)


@pytest.mark.parametrize("extra", [{}, {"J_A": 0.4, "tau_A": 50.0},
                                   {"J_higher": ((0.7, -0.3, 0.2, -0.1),), "eps_I": 0.3},
                                   {"transfer": rn.Sigmoid()}])
def test_rhs_and_jacobian_match_the_definition(extra):
    m = EIRingModel(**WAVE, eps_E=0.4, theta0=0.7, N=11, **extra)
    rng = np.random.default_rng(3)
    x = rng.uniform(0.0, 3.0, m.n_state)
    np.testing.assert_allclose(m.rhs(0.0, x), brute_force_rhs(m, x), rtol=0, atol=1e-12)
    h = 1e-6
    fd = np.array([(m.rhs(0.0, x + h * e) - m.rhs(0.0, x - h * e)) / (2 * h)
                   for e in np.eye(m.n_state)]).T
    np.testing.assert_allclose(m.jacobian(x), fd, atol=1e-7)
    if not isinstance(m.transfer, rn.Sigmoid):
        np.testing.assert_allclose(m.to_network().rhs(0.0, x), m.rhs(0.0, x), atol=1e-13)


def test_mode_coupling_is_the_halved_fourier_coefficient():
    m = EIRingModel(**WAVE, J_higher=((0.6, -0.2, 0.4, -0.8),), N=9)
    # the matrix of the linear map r -> (1/N) sum_j w(theta_i - theta_j) r_j on e^{i k theta}
    th = m.theta
    d = th[:, None] - th[None, :]
    coeffs = {"EE": (m.J_EE0, m.J_EE1, 0.6), "EI": (m.J_EI0, m.J_EI1, -0.2),
              "IE": (m.J_IE0, m.J_IE1, 0.4), "II": (m.J_II0, m.J_II1, -0.8)}
    for k in range(4):
        v = np.exp(1j * k * th)
        for a, X in enumerate("EI"):
            for b, Y in enumerate("EI"):
                w = sum(c * np.cos(q * d) for q, c in enumerate(coeffs[X + Y])) / m.N
                np.testing.assert_allclose(m.kernel(d)[a, b] / m.N, w, atol=1e-14)
                ratio = (w @ v) / v
                np.testing.assert_allclose(ratio, m.mode_coupling(k)[a, b], atol=1e-12)


@pytest.mark.parametrize("extra", [{}, {"J_A": 0.3}, {"J_higher": ((0.5, 0.0, 0.0, 0.0),)},
                                   {"transfer": rn.Sigmoid(gain=2.0, threshold=1.0,
                                                           r_max=5.0)}])
@pytest.mark.parametrize("method", ["euler", "heun", "rk4"])
def test_compiled_kernels_equal_the_numpy_reference(extra, method):
    N = 9 if extra else 10  # odd and even rings (the fused kernel pairs units j, N - j)
    m = EIRingModel(**WAVE, eps_E=0.3, eps_I=0.1, theta0=1.0, N=N, **extra)
    a = rn.simulate(m, t_max=60.0, dt=0.1, method=method, record_every=37)
    b = rn.simulate(m, t_max=60.0, dt=0.1, method=method, record_every=37, engine="numpy")
    assert isinstance(a, EIRingTrajectory) and a.ok
    np.testing.assert_allclose(a.rates, b.rates, rtol=0, atol=1e-10)


def linear_exact(m: EIRingModel, x0: np.ndarray, t: float) -> np.ndarray:
    """Every unit active (threshold-linear): dx/dt = A x + c, solved by the matrix exponential
    of a dense A built in this test from the definition (brute_force_rhs is affine)."""
    n = m.n_state
    c = brute_force_rhs(m, np.zeros(n))
    A = np.array([brute_force_rhs(m, e) - c for e in np.eye(n)]).T
    xs = np.linalg.solve(A, -c)
    return xs + scipy.linalg.expm(A * t) @ (x0 - xs)


@pytest.mark.parametrize("method,order", [("euler", 1), ("heun", 2), ("rk4", 4)])
def test_integrators_converge_at_their_order_to_the_exact_linear_solution(method, order):
    m = EIRingModel(**{**WAVE, "tau_I": 15.0}, J_A=0.2, tau_A=30.0, N=7)
    th = m.theta
    x0 = np.concatenate([1.5 + 0.3 * np.cos(th), 1.3 + 0.2 * np.sin(th), 1.5 + 0 * th])
    T = 40.0
    exact = linear_exact(m, x0, T)
    errs = []
    for dt in (0.4, 0.2):
        tr = rn.simulate(m, t_max=T, dt=dt, method=method, x0=x0, record_every=None)
        assert np.min(tr.final[:2 * m.N]) > 0.1  # stayed in the linear region
        errs.append(np.max(np.abs(tr.final - exact)))
    measured = math.log2(errs[0] / errs[1])
    assert abs(measured - order) < 0.25, (errs, measured)


def test_uniform_ring_is_the_equivalent_ei_model():
    m = EIRingModel(J_EE0=1.25, J_EI0=-1.0, J_IE0=1.0, h_E=10.0, h_I=-10.0, tau_E=10.0,
                    tau_I=50.0, N=12)
    ei = m.equivalent_ei()
    assert ei == EIModel(tau_I=50.0)  # the tutorial's E-I model: gamma = -h
    x0e = np.array([5.0, 3.0])
    ring = rn.simulate(m, t_max=300.0, dt=0.05, method="heun",
                       x0=np.repeat(x0e, m.N), record_every=100)
    pair = rn.simulate(ei, t_max=300.0, dt=0.05, method="heun", x0=x0e, record_every=100)
    np.testing.assert_allclose(ring.r_E, np.repeat(pair.rates[:, :1], m.N, axis=1), atol=1e-10)
    np.testing.assert_allclose(ring.r_I, np.repeat(pair.rates[:, 1:], m.N, axis=1), atol=1e-10)


def test_rotating_the_stimulus_rotates_the_solution():
    N, s = 24, 5
    m = EIRingModel(**WAVE, eps_E=0.5, eps_I=0.2, theta0=0.3, N=N)
    rng = np.random.default_rng(0)
    x0 = rng.uniform(0, 2, 2 * N)
    a = rn.simulate(m, t_max=200.0, dt=0.1, x0=x0, record_every=50)
    x0r = np.concatenate([np.roll(x0[:N], s), np.roll(x0[N:], s)])
    b = rn.simulate(m.replace(theta0=0.3 + 2 * np.pi * s / N), t_max=200.0, dt=0.1, x0=x0r,
                    record_every=50)
    np.testing.assert_allclose(b.r_E, np.roll(a.r_E, s, axis=-1), atol=1e-9)
    np.testing.assert_allclose(b.r_I, np.roll(a.r_I, s, axis=-1), atol=1e-9)


def test_batch_rows_equal_single_runs_and_parallel_equals_serial():
    base = EIRingModel(**WAVE, N=16)
    models = [base.replace(tau_I=t) for t in (15.0, 30.0, 45.0)]
    batch = rn.simulate(models, t_max=100.0, dt=0.1, record_every=50, seed=4)
    serial = rn.simulate(models, t_max=100.0, dt=0.1, record_every=50, seed=4, parallel=False)
    np.testing.assert_array_equal(batch.rates, serial.rates)
    for b, m in enumerate(models):
        one = rn.simulate(m, t_max=100.0, dt=0.1, record_every=50,
                          x0=batch.rates[b, 0])
        np.testing.assert_array_equal(one.rates, batch.rates[b])


def test_white_noise_has_the_ornstein_uhlenbeck_variance():
    # uncoupled, every unit active and linear: tau dr = (h - r) dt + sigma sqrt(tau) dW has
    # stationary variance sigma^2 / 2 (ratenet.Noise's convention), mean h
    sigma = 0.2
    m = EIRingModel(h_E=5.0, h_I=5.0, tau_E=5.0, tau_I=10.0, N=200)
    tr = rn.simulate(m, t_max=400.0, dt=0.05, x0=np.full(400, 5.0), record_every=40,
                     noise=rn.Noise(sigma=sigma), seed=2)
    late = tr.rates[tr.t > 50.0]
    assert abs(late.mean() - 5.0) < 0.01
    var_E, var_I = late[:, :200].var(), late[:, 200:].var()
    assert abs(var_E / (sigma ** 2 / 2) - 1) < 0.05
    assert abs(var_I / (sigma ** 2 / 2) - 1) < 0.05
    again = rn.simulate(m, t_max=400.0, dt=0.05, x0=np.full(400, 5.0), record_every=40,
                        noise=rn.Noise(sigma=sigma), seed=2)
    np.testing.assert_array_equal(again.rates, tr.rates)
    other = rn.simulate(m, t_max=400.0, dt=0.05, x0=np.full(400, 5.0), record_every=40,
                        noise=rn.Noise(sigma=sigma), seed=3)
    assert np.max(np.abs(other.final - tr.final)) > 0.1


def test_divergence_is_detected_with_its_cause():
    bad = EIRingModel(J_EE0=5.0, J_EI0=-1.0, J_IE0=1.0, h_E=1.0, h_I=0.0, N=8)
    with pytest.warns(RuntimeWarning, match="mode 0 grows"):
        tr = rn.simulate(bad, t_max=500.0, dt=0.1)
    assert tr.diverged and np.isfinite(tr.t_diverged)
    assert np.all(np.isfinite(tr.final))
    with pytest.raises(rn.SimulationDiverged):
        rn.simulate(bad, t_max=500.0, dt=0.1, on_divergence="raise")
    fine = EIRingModel(**WAVE, N=8)
    with pytest.warns(RuntimeWarning, match="stability limit"):
        rn.simulate(fine, t_max=5000.0, dt=25.0)
    tr = rn.simulate([fine, bad], t_max=500.0, dt=0.1, on_divergence="ignore")
    assert list(tr.status) == ["ok", "diverged"]


def test_trajectory_views_and_save_load(tmp_path):
    m = EIRingModel(**WAVE, J_A=0.1, N=8)
    tr = rn.simulate(m, t_max=20.0, dt=0.1, record_every=10)
    assert tr.r_E.shape == tr.r_I.shape == tr.a.shape == (tr.t.size, 8)
    assert tr.unit_names[0] == "E_0" and tr.unit_names[-1] == "a_7"
    np.testing.assert_allclose(tr.C_E, (tr.r_E * np.exp(1j * tr.theta)).mean(axis=-1))
    tr.save(tmp_path / "r.nc")
    back = rn.load(tmp_path / "r.nc")
    assert isinstance(back, EIRingTrajectory)   # its views without from_trajectory
    np.testing.assert_array_equal(back.rates, tr.rates)
    np.testing.assert_array_equal(back.r_I, tr.r_I)
    assert back.models[0] == m


@pytest.mark.parametrize("kwargs,name", [
    ({"J_EI0": 0.5}, "J_EI0"), ({"J_II1": 0.1}, "J_II1"), ({"J_EE1": -1.0}, "J_EE1"),
    ({"J_IE0": float("nan")}, "J_IE0"), ({"tau_I": 0.0}, "tau_I"), ({"eps_E": -0.1}, "eps_E"),
    ({"N": 2}, "N"), ({"N": 4.5}, "N"), ({"J_A": -1.0}, "J_A"), ({"tau_A": -3.0}, "tau_A"),
    ({"J_higher": ((1.0, 2.0),)}, "J_higher[0]"), ({"J_higher": ((1.0, 1.0, 0, 0),)}, "J_EI2"),
    ({"J_higher": {2: 1.0}}, "J_higher"), ({"transfer": "relu"}, "transfer"),
    ({"h_E": "x"}, "h_E"),
])
def test_bad_parameters_are_named(kwargs, name):
    with pytest.raises(ParameterError) as err:
        EIRingModel(**kwargs)
    assert err.value.name == name


def test_bad_simulation_input_is_named():
    m = EIRingModel(**WAVE, N=8)
    cases = [
        (lambda: rn.simulate([m, m.replace(N=9)], t_max=1.0), "model[1].N"),
        (lambda: rn.simulate([m, m.replace(J_A=0.1)], t_max=1.0), "model[1].J_A"),
        (lambda: rn.simulate(m, t_max=1.0, x0=np.zeros(5)), "x0"),
        (lambda: rn.simulate(m, t_max=1.0, noise=rn.Noise(sigma_ou=0.1)), "noise.sigma_ou"),
        (lambda: rn.simulate(m, t_max=1.0, noise=rn.Noise(sigma=0.1), method="rk4"), "method"),
        (lambda: rn.simulate(m, t_max=1.0, heterogeneity=rn.Heterogeneity(threshold_sd=0.1)),
         "heterogeneity"),
        (lambda: m.replace(tau_x=1.0), "param"),
        (lambda: rn.simulate([m] * 1000, t_max=1e6, dt=0.1), "record_every"),  # 1e13 bytes
        (lambda: m.rhs(0.0, np.zeros(3)), "x"),
    ]
    for call, name in cases:
        with pytest.raises(ParameterError) as err:
            call()
        assert err.value.name == name
