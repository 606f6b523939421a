"""The integrators: exact solutions, convergence order, engines, batches, divergence."""

import os

import numpy as np
import pytest

import ratenet as rn


def linear_ring_exact(t, *, J0, J1, h0, eps, a0, b0):
    """Exact m(theta, t) while every unit stays above threshold.

    With m = a + b cos(theta), the ring dynamics reduce to
    da/dt = -(1 - J0) a + h0 and db/dt = -(1 - J1/2) b + eps.
    """
    la, lb = 1 - J0, 1 - J1 / 2
    a_inf, b_inf = h0 / la, eps / lb
    a = a_inf + (a0 - a_inf) * np.exp(-la * t)
    b = b_inf + (b0 - b_inf) * np.exp(-lb * t)
    return a, b


LIN = {"J0": -1.0, "J1": 1.2, "h0": 1.0, "eps": 0.2}


def _linear_run(method, dt, t_max=1.0, engine="auto"):
    N = 32
    model = rn.RingModel(**LIN, N=N)
    theta = model.theta
    x0 = 0.3 + 0.1 * np.cos(theta)
    tr = rn.simulate(model, t_max=t_max, dt=dt, method=method, x0=x0, record_every=None,
                     engine=engine)
    a, b = linear_ring_exact(t_max, **LIN, a0=0.3, b0=0.1)
    assert a > b > 0  # all units active along the way: the dynamics are linear
    return np.max(np.abs(tr.final - (a + b * np.cos(theta))))


@pytest.mark.parametrize(("method", "order"), [("euler", 1), ("heun", 2), ("rk4", 4)])
@pytest.mark.parametrize("engine", ["compiled", "numpy"])
def test_convergence_order_against_exact_solution(method, order, engine):
    dts = [0.1, 0.05, 0.025]
    errs = [_linear_run(method, dt, engine=engine) for dt in dts]
    observed = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    # an order-p method halves its error 2^p times per halving of dt, up to O(dt) corrections
    assert np.all(np.abs(observed - order) < 0.15), observed


def test_uniform_state_reached():
    # the slowest mode of the default 1e-3 perturbation decays like exp(-t) (modes k >= 2):
    # after t = 30 it is below 1e-3 e^{-30} ~ 1e-16
    tr = rn.simulate(rn.RingModel(J0=-3.0, J1=0.5, h0=2.0, N=64), t_max=30.0, dt=0.01,
                     record_every=None)
    np.testing.assert_allclose(tr.final, 2.0 / 4.0, rtol=1e-9)


CASES = [
    {"J0": -2.0, "J1": 3.0, "h0": 1.0, "eps": 0.5, "omega": 0.3, "t_off": 3.0},
    {"J0": -1.0, "J1": 1.5, "h0": 1.0, "eps": 2.0, "theta0": 1.0, "t_on": 1.0},
    {"J0": -1.0, "J1": 1.5, "h0": 0.5, "eps": 0.3, "transfer": rn.Sigmoid(gain=2.0, r_max=3.0)},
    {"J0": -1.0, "J1": 1.0, "h0": 0.5, "eps": 0.3, "J_higher": (0.8, 0.4)},
    {"J0": -1.0, "J1": 2.2, "h0": 0.5, "eps": 0.3, "transfer": rn.PowerLaw(exponent=2.0)},
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_compiled_engine_matches_numpy_reference(case, method):
    model = rn.RingModel(N=40, **case)
    kw = {"t_max": 6.0, "dt": 0.02, "method": method, "record_every": 25}
    a = rn.simulate(model, engine="compiled", **kw)
    b = rn.simulate(model, engine="numpy", **kw)
    np.testing.assert_allclose(a.rates, b.rates, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.t, b.t)


@pytest.mark.parametrize("coupling", ["fft", "dense"])
def test_fft_and_dense_rings_match_fourier(coupling):
    model = rn.RingModel(J0=-2.0, J1=3.0, h0=1.0, eps=0.5, N=48)
    kw = {"t_max": 5.0, "dt": 0.05, "method": "heun", "record_every": 10}
    a = rn.simulate(model, **kw)
    b = rn.simulate(model.replace(coupling=coupling), **kw)
    np.testing.assert_allclose(a.rates, b.rates, rtol=1e-9, atol=1e-12)


def test_batch_equals_single_runs_and_parallel_equals_serial():
    models = [rn.RingModel(J0=j0, J1=j1, h0=1.0, eps=0.1, N=64)
              for j0, j1 in [(-2.0, 1.0), (-1.0, 3.0), (0.5, 0.5), (-4.0, 4.5)]]
    kw = {"t_max": 4.0, "dt": 0.01, "record_every": 50, "seed": 7}
    batch = rn.simulate(models, **kw)
    serial = rn.simulate(models, parallel=False, **kw)
    np.testing.assert_array_equal(batch.rates, serial.rates)
    for b, m in enumerate(models):
        # row b's default initial state comes from SeedSequence(seed, spawn_key=(b,))
        x0 = 1e-3 * np.random.default_rng(np.random.SeedSequence(7, spawn_key=(b,))).random(64)
        one = rn.simulate(m, x0=x0, **kw)
        np.testing.assert_array_equal(batch.rates[b], one.rates)
    assert batch.rates.shape == (4, 9, 64)


def test_record_every_and_final_only():
    m = rn.RingModel(J0=-1.0, J1=1.0, h0=1.0, N=16)
    tr = rn.simulate(m, t_max=1.0, dt=0.01, record_every=10)
    np.testing.assert_allclose(tr.t, np.arange(11) * 0.1)
    assert tr.rates.shape == (11, 16)
    fin = rn.simulate(m, t_max=1.0, dt=0.01, record_every=None)
    np.testing.assert_array_equal(fin.rates[-1], tr.rates[-1])
    assert fin.t.tolist() == pytest.approx([1.0])


def test_rotation_symmetry_is_exact_on_the_grid():
    # rotating the stimulus by one grid step rotates the whole solution by one unit
    N, k = 60, 7
    base = rn.RingModel(J0=-2.0, J1=3.0, h0=1.0, eps=0.4, theta0=0.3, N=N)
    rot = base.replace(theta0=0.3 + 2 * np.pi * k / N)
    x0 = 0.2 + 0.05 * np.cos(base.theta)
    a = rn.simulate(base, t_max=3.0, dt=0.01, x0=x0, record_every=None)
    b = rn.simulate(rot, t_max=3.0, dt=0.01, x0=np.roll(x0, k), record_every=None)
    np.testing.assert_allclose(np.roll(a.final, k), b.final, atol=1e-12)


def test_order_parameters_are_the_tutorials():
    N, m0, m1, phi = 90, 0.8, 0.3, 2.0
    model = rn.RingModel(J0=-1.5, J1=1.0, h0=2.0, N=N)  # uniform state h0/(1-J0) = 0.8
    theta = model.theta
    x0 = m0 + m1 * np.cos(theta - phi)
    tr = rn.simulate(model, t_max=0.01, dt=0.01, x0=x0)
    assert tr.uniform_rate == pytest.approx(0.8)
    assert tr.M[0] == pytest.approx(0.0, abs=1e-14)
    assert tr.C[0] == pytest.approx(m1 / 2 * np.exp(1j * phi), abs=1e-14)
    assert tr.bump_position[0] == pytest.approx(phi)
    assert tr.bump_amplitude[0] == pytest.approx(m1)


def test_divergence_detected_with_time_units_and_cause():
    model = rn.RingModel(J0=1.5, J1=0.0, h0=1.0, N=32)
    with pytest.warns(RuntimeWarning, match="J0 = 1.5 >= 1"):
        tr = rn.simulate(model, t_max=100.0, dt=0.01)
    assert tr.diverged and tr.status == "diverged"
    # the uniform mode grows like exp((J0 - 1) t): it crosses 1e6 near t = ln(1e6 / m)/0.5
    assert 20.0 < tr.t_diverged < 40.0
    assert "units" in tr.message and "t = " in tr.message
    assert np.all(np.isfinite(tr.final))
    with pytest.raises(rn.SimulationDiverged) as err:
        rn.simulate(model, t_max=100.0, dt=0.01, on_divergence="raise")
    assert err.value.trajectory.diverged


def test_divergence_in_a_batch_is_reported_per_row():
    models = [rn.RingModel(J0=-1.0, N=16), rn.RingModel(J0=2.0, N=16)]
    tr = rn.simulate(models, t_max=50.0, dt=0.01, record_every=100, on_divergence="ignore")
    assert tr.status.tolist() == ["ok", "diverged"]
    assert np.isnan(tr.t_diverged[0]) and tr.t_diverged[1] > 0
    assert "1 of 2" in tr.message and "model[1]" in tr.message
    assert np.all(np.isfinite(tr.rates[0]))


def test_many_divergences_are_counted_and_the_first_five_described():
    # J0 > 1: the uniform mode grows like exp((J0 - 1) t) in every row; row 0 stays bounded
    models = [rn.RingModel(J0=-1.0, N=16)] + [rn.RingModel(J0=2.0 + 0.1 * k, N=16)
                                              for k in range(8)]
    tr = rn.simulate(models, t_max=50.0, dt=0.01, record_every=None, on_divergence="ignore")
    assert tr.status.tolist() == ["ok"] + ["diverged"] * 8
    assert tr.message.startswith("8 of 9 simulations diverged.")
    described = [f"model[{b}] " in tr.message for b in range(9)]
    assert described == [False] + [True] * 5 + [False] * 3
    assert tr.message.endswith(" | ...")


def test_euler_instability_of_too_large_dt_is_reported():
    # forward Euler on dm/dt = -(1 - J0) m is unstable when dt (1 - J0) > 2
    # (rectification bounds it for dt < 1: f = 0 can only shrink a positive rate)
    with pytest.warns(RuntimeWarning, match="exceeds the euler stability limit"):
        tr = rn.simulate(rn.RingModel(J0=-3.0, N=8, h0=1.0), t_max=100.0, dt=1.5,
                         x0=np.full(8, 0.5))
    assert tr.diverged


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"t_max": -1.0}, "t_max"), ({"t_max": 1.0, "dt": 0.0}, "dt"),
     ({"t_max": 1.0, "method": "rk45"}, "method"), ({"t_max": 1.0, "x0": np.zeros(5)}, "x0"),
     ({"t_max": 1.0, "record_every": 0}, "record_every"), ({"t_max": 1.0, "dt": 2.0}, "dt")],
)
def test_simulate_validation(kwargs, name):
    with pytest.raises(rn.ParameterError) as err:
        rn.simulate(rn.RingModel(N=8), **kwargs)
    assert err.value.name == name


def test_generic_network_simulation():
    # a linear 2-unit network with a known exact solution (all inputs stay positive)
    net = rn.RateNetwork(W=[[0.0, 0.5], [0.5, 0.0]], tau=1.0, h=[1.0, 1.0])
    tr = rn.simulate(net, t_max=2.0, dt=1e-3, method="rk4", x0=[0.0, 0.0])
    # symmetric mode s = x1 + x2: ds/dt = -s/2 + 2 -> s = 4 (1 - e^{-t/2})
    s = tr.rates[:, 0] + tr.rates[:, 1]
    np.testing.assert_allclose(s, 4 * (1 - np.exp(-tr.t / 2)), atol=1e-12)


def test_save_load_round_trip(tmp_path):
    model = rn.RingModel(J0=-2.0, J1=3.0, h0=1.0, eps=0.2, N=32)
    tr = rn.simulate(model, t_max=2.0, dt=0.01, record_every=20)
    path = tmp_path / "run.nc"
    tr.save(path)
    assert sorted(os.listdir(tmp_path)) == ["run.nc"]  # no temporary left behind
    back = rn.load(path)
    assert isinstance(back, rn.RingTrajectory)
    np.testing.assert_array_equal(back.rates, tr.rates)
    np.testing.assert_allclose(back.C, tr.C)
    assert back.params == tr.params and back.version == rn.__version__
    assert rn.RingModel.from_dict(back.params) == model
    ds = tr.to_xarray()
    assert ds["rates"].dims == ("time", "unit")
    assert ds.attrs["ratenet_version"] == rn.__version__
    assert np.iscomplexobj(ds["C"].values)
