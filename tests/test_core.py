"""Core contracts: couplings agree, Jacobians match the dynamics, transfer derivatives."""

import numpy as np
import pytest

import ratenet as rn
from ratenet.network import RateNetwork


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.mark.parametrize("J", [(0.5,), (-2.0, 3.0), (-1.0, 1.5, 0.7, -0.3)])
def test_three_coupling_implementations_agree(J, rng):
    N = 64
    fourier = rn.FourierCoupling(J, N)
    kernel = lambda d: sum(Jk * np.cos(k * d) for k, Jk in enumerate(J))  # noqa: E731
    fft = rn.CirculantCoupling.from_function(kernel, N)
    dense = rn.DenseCoupling(fourier.matrix())
    x = rng.random((3, 5, N))
    ref = x @ fourier.matrix().T
    for c in (fourier, fft, dense):
        np.testing.assert_allclose(c.apply(x), ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fft.matrix(), fourier.matrix(), atol=1e-14)


def test_fourier_coupling_is_the_tutorial_integral(rng):
    # (1/N) sum_j (J0 + J1 cos(theta_i - theta_j)) m_j for m = a + b cos(theta - phi):
    # the integral gives J0 a + (J1 b / 2) cos(theta_i - phi), exact on the grid for N > 2.
    N, J0, J1, a, b, phi = 50, -1.3, 2.4, 0.7, 0.3, 0.9
    theta = rn.ring_angles(N)
    m = a + b * np.cos(theta - phi)
    out = rn.FourierCoupling((J0, J1), N).apply(m)
    np.testing.assert_allclose(out, J0 * a + 0.5 * J1 * b * np.cos(theta - phi), atol=1e-13)


def test_circulant_coupling_arbitrary_kernel_matches_dense(rng):
    w = rng.normal(size=33)
    c = rn.CirculantCoupling(w)
    x = rng.random(33)
    np.testing.assert_allclose(c.apply(x), c.matrix() @ x, atol=1e-12)


@pytest.mark.parametrize("transfer", [rn.ThresholdLinear(gain=2.0, threshold=0.3),
                                      rn.Sigmoid(gain=3.0, threshold=0.5, r_max=2.0),
                                      rn.PowerLaw(gain=0.5, threshold=0.1, exponent=2.5)])
def test_transfer_derivative_matches_finite_difference(transfer):
    u = np.linspace(-2, 3, 41)
    u = u[np.abs(u - getattr(transfer, "threshold", 0.0)) > 1e-3]  # away from a kink
    h = 1e-6
    fd = (transfer(u + h) - transfer(u - h)) / (2 * h)
    np.testing.assert_allclose(transfer.derivative(u), fd, rtol=1e-6, atol=1e-8)


def test_threshold_linear_values():
    f = rn.ThresholdLinear(gain=2.0, threshold=1.0)
    np.testing.assert_array_equal(f(np.array([0.0, 1.0, 1.5, 3.0])), [0.0, 0.0, 1.0, 4.0])


@pytest.mark.parametrize("transfer", [rn.Sigmoid(gain=2.0), rn.ThresholdLinear()])
def test_jacobian_matches_finite_difference_of_rhs(transfer, rng):
    model = rn.RingModel(J0=-1.5, J1=2.5, h0=0.4, eps=0.8, N=24, transfer=transfer)
    x = 0.5 + 0.4 * rng.random(24)
    J = model.jacobian(x)
    h = 1e-7
    fd = np.empty_like(J)
    for j in range(24):
        e = np.zeros(24)
        e[j] = h
        fd[:, j] = (model.rhs(0.0, x + e) - model.rhs(0.0, x - e)) / (2 * h)
    # threshold-linear: no unit sits within h of its threshold for this state (checked)
    u = model.to_network().input_current(0.0, x)
    assert np.min(np.abs(u)) > 1e-4
    np.testing.assert_allclose(J, fd, atol=1e-6)


def test_rate_network_general_rhs():
    net = RateNetwork(W=[[0.0, -1.0], [1.0, 0.0]], tau=[10.0, 20.0], h=[5.0, -1.0],
                      names=("E", "I"))
    x = np.array([2.0, 3.0])
    # u = W x + h = (-3 + 5, 2 - 1) = (2, 1)
    np.testing.assert_allclose(net.rhs(0.0, x), [(-2 + 2) / 10, (-3 + 1) / 20])
    np.testing.assert_allclose(net.jacobian(x), [[-0.1, -0.1], [0.05, -0.05]])


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"N": 2}, "N"), ({"tau": -1.0}, "tau"), ({"eps": -0.1}, "eps"),
     ({"J0": float("nan")}, "J0"), ({"J1": "big"}, "J1"), ({"coupling": "sparse"}, "coupling"),
     ({"transfer": np.tanh}, "transfer"),
     ({"N": 4, "J_higher": (1.0,)}, "N"), ({"N": 10.5}, "N")],
)
def test_ring_model_validation_names_the_parameter(kwargs, name):
    with pytest.raises(rn.ParameterError) as err:
        rn.RingModel(**kwargs)
    assert err.value.name == name
    assert name in str(err.value) and "got" in str(err.value)


def test_ring_model_rejects_unknown_parameter():
    with pytest.raises(TypeError):
        rn.RingModel(J2=1.0)  # typo'd parameters never pass silently


def test_ring_model_dict_round_trip():
    m = rn.RingModel(J0=-2.0, J1=3.0, h0=0.5, eps=0.1, theta0=1.0, omega=0.2, t_off=5.0, N=100,
                     J_higher=(0.3,), transfer=rn.Sigmoid(gain=2.0))
    assert rn.RingModel.from_dict(m.to_dict()) == m
