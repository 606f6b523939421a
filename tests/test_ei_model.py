"""EIModel: the Dayan & Abbott convention, validation, serialisation, closed forms."""

import numpy as np
import pytest

import ratenet as rn
from ratenet import EIModel, ParameterError


def test_rhs_is_the_corrected_tutorial_equations():
    # ERRATA 5: M_XY is the weight onto X from Y, so M_EI (< 0) multiplies nu_I in the
    # E equation and inhibition inhibits.
    m = EIModel(M_EE=1.1, M_EI=-0.7, M_IE=0.9, M_II=-0.2, gamma_E=-3.0, gamma_I=4.0,
                tau_E=7.0, tau_I=23.0)
    rng = np.random.default_rng(0)
    for nu_E, nu_I in rng.uniform(0, 40, size=(20, 2)):
        dE = (-nu_E + max(1.1 * nu_E - 0.7 * nu_I + 3.0, 0.0)) / 7.0
        dI = (-nu_I + max(0.9 * nu_E - 0.2 * nu_I - 4.0, 0.0)) / 23.0
        np.testing.assert_allclose(m.rhs(0.0, np.array([nu_E, nu_I])), [dE, dI], rtol=1e-12,
                                   atol=1e-14)


def test_network_mapping():
    net = EIModel().to_network()
    np.testing.assert_array_equal(net.weights, [[1.25, -1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(net.tau, [10.0, 30.0])
    np.testing.assert_array_equal(net.h, [10.0, -10.0])  # h = -gamma
    assert tuple(net.names) == ("E", "I")


@pytest.mark.parametrize("name, value", [
    ("M_EE", -0.1), ("M_IE", -1.0), ("M_EI", 0.5), ("M_II", 0.1), ("tau_E", 0.0),
    ("tau_I", -5.0), ("gamma_E", float("nan")), ("gamma_I", "ten"), ("M_EE", float("inf")),
])
def test_bad_values_are_named(name, value):
    with pytest.raises(ParameterError) as err:
        EIModel(**{name: value})
    assert err.value.name == name
    assert name in str(err.value) and repr(value) in str(err.value)


def test_unknown_parameter_and_any_case():
    assert EIModel().replace(tau_i=50.0).tau_I == 50.0
    assert EIModel().replace(TAU_I=50.0, gamma_e=-5).gamma_E == -5.0
    assert EIModel.parameter_name("m_Ee") == "M_EE"
    with pytest.raises(ParameterError) as err:
        EIModel().replace(tau_x=1.0)
    assert err.value.name == "param"


def test_round_trip_and_frozen():
    m = EIModel(tau_I=42.0, transfer=rn.Sigmoid(gain=0.2, r_max=80.0))
    assert EIModel.from_dict(m.to_dict()) == m
    with pytest.raises(AttributeError):
        m.tau_I = 3.0  # type: ignore[misc]


@pytest.mark.parametrize("M_EE, M_II, tau_E", [(1.25, 0.0, 10.0), (1.5, -0.5, 8.0),
                                               (2.0, -1.0, 5.0), (1.1, 0.0, 12.0)])
def test_hopf_tau_I_formula(M_EE, M_II, tau_E):
    m = EIModel(M_EE=M_EE, M_II=M_II, tau_E=tau_E, M_EI=-3.0, M_IE=2.0)
    expected = tau_E * (1 - M_II) / (M_EE - 1)
    assert m.hopf_tau_I() == pytest.approx(expected, rel=1e-14)
    # the trace of the both-active Jacobian vanishes there
    mc = m.replace(tau_I=expected)
    J = (mc.weights - np.eye(2)) / mc.tau[:, None]
    assert abs(np.trace(J)) < 1e-15


def test_no_hopf_without_recurrent_excitation():
    assert EIModel(M_EE=0.9).hopf_tau_I() is None
    assert EIModel(transfer=rn.Sigmoid()).hopf_tau_I() is None


def test_active_fixed_point_closed_form():
    np.testing.assert_allclose(EIModel().active_fixed_point(), [80 / 3, 50 / 3], rtol=1e-14)


def test_divergence_cause_names_runaway_excitation():
    m = EIModel(M_EE=3.0, M_EI=-0.5)
    assert "M_EE" in m.divergence_cause()
    tr = rn.simulate(m, t_max=2000.0, dt=0.1, x0=[30.0, 10.0], on_divergence="ignore")
    assert not tr.ok and "M_EE" in tr.message
