"""One contract, every model: the same checks run over each model type.

A model must (1) give rhs of the state's shape, (2) have a Jacobian equal to the
finite-difference derivative of its own rhs, (3) simulate into a Trajectory with its
parameters and the package version, (4) rebuild from its saved parameters, and
(5) reject a bad parameter with a ParameterError naming it.
"""

import numpy as np
import pytest

import ratenet as rn
from ratenet.models.ei import EIModel


def _models():
    return [
        pytest.param(rn.RingModel(J0=-2.0, J1=3.0, h0=1.0, eps=0.2, N=32), id="ring-relu"),
        pytest.param(rn.RingModel(J0=-1.0, J1=1.0, h0=0.5, eps=0.2, N=20,
                                  transfer=rn.Sigmoid(gain=2.0)), id="ring-sigmoid"),
        pytest.param(rn.RingModel(J0=-1.0, J1=1.0, h0=0.5, eps=0.2, N=20, coupling="fft",
                                  J_higher=(0.5,)), id="ring-fft"),
        pytest.param(EIModel(), id="ei-default"),
        pytest.param(EIModel(tau_I=50.0, transfer=rn.Sigmoid(gain=0.1, r_max=100.0)),
                     id="ei-sigmoid"),
        pytest.param(rn.EIRingModel(J_EE0=1.0, J_EE1=3.0, J_EI0=-2.0, J_EI1=-0.5, J_IE0=1.5,
                                    J_IE1=0.5, J_II0=-1.0, h_E=1.0, h_I=0.5, eps_E=0.2,
                                    tau_I=15.0, N=16), id="ei-ring-relu"),
        pytest.param(rn.EIRingModel(J_EE0=0.5, J_EE1=2.0, J_EI0=-1.0, J_IE0=1.0, J_II0=-0.5,
                                    J_higher=((0.4, -0.2, 0.1, -0.1),), h_E=1.0, h_I=0.5,
                                    J_A=0.5, tau_A=50.0, N=12), id="ei-ring-adaptation"),
        pytest.param(rn.EIRingModel(J_EE0=0.5, J_EE1=2.0, J_EI0=-1.0, J_IE0=1.0, h_E=0.5,
                                    h_I=0.2, N=12, transfer=rn.Sigmoid(gain=2.0)),
                     id="ei-ring-sigmoid"),
    ]


def _state(model, rng):
    n = model.to_network().n
    return 0.5 + rng.random(n) * (20.0 if isinstance(model, (EIModel, rn.EIRingModel)) else 0.5)


@pytest.mark.parametrize("model", _models())
def test_rhs_shape_and_jacobian(model):
    rng = np.random.default_rng(3)
    x = _state(model, rng)
    net = model.to_network()
    assert net.rhs(0.0, x).shape == x.shape
    assert net.rhs(0.0, np.stack([x, x])).shape == (2, x.size)
    u = net.input_current(0.0, x)
    if model.to_network().transfer.is_piecewise_linear:
        assert np.min(np.abs(u)) > 1e-3  # the finite difference must not straddle a kink
    J = net.jacobian(x)
    h = 1e-6 * max(1.0, float(np.max(np.abs(x))))
    fd = np.column_stack([(net.rhs(0.0, x + h * e) - net.rhs(0.0, x - h * e)) / (2 * h)
                          for e in np.eye(x.size)])
    np.testing.assert_allclose(J, fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("model", _models())
def test_simulate_and_parameters_round_trip(model):
    tau = min(np.min(model.to_network().tau), 1e9)
    tr = rn.simulate(model, t_max=5 * tau, dt=tau / 50, method="rk4", record_every=10)
    assert isinstance(tr, rn.Trajectory) and tr.ok
    assert tr.rates.shape[-1] == model.to_network().n
    assert tr.version == rn.__version__
    assert type(model).from_dict(tr.params) == model
    assert isinstance(model.divergence_cause(), str)


@pytest.mark.parametrize("model", _models())
def test_bad_parameter_is_named(model):
    name = "tau" if isinstance(model, rn.RingModel) else "tau_I"
    with pytest.raises(rn.ParameterError) as err:
        model.replace(**{name: -1.0})
    assert err.value.name == name


@pytest.mark.parametrize("model", [p for p in _models() if "ei-ring" in p.id])
def test_own_rhs_and_jacobian_match_the_network(model):
    """The E-I ring's O(N) Fourier rhs and its Jacobian equal the dense network's."""
    x = _state(model, np.random.default_rng(5))
    net = model.to_network()
    np.testing.assert_allclose(model.rhs(0.0, x), net.rhs(0.0, x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(model.jacobian(x), net.jacobian(x), rtol=1e-12, atol=1e-12)
