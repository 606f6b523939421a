"""Two-parameter curves of special points: closed forms and independent root solves."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import fsolve

from _wilson_cowan import wc_F, wc_J, wc_network
from ratenet import EIModel
from ratenet._validation import ParameterError
from ratenet.continuation.two_parameter import continue_special_curves


def test_hopf_curve_of_the_ei_model_is_the_closed_form():
    m = EIModel(M_II=-0.5)
    res = continue_special_curves(m, "M_EE", 1.1, 1.6, "tau_I", 20.0, 120.0, kinds=("hopf",),
                                  seeds=1)
    (c,) = res.curves
    assert c.kind == "non-smooth Hopf (linear centre)" and c.names == ("M_EE", "tau_I")
    assert len(c) >= 10
    # tau_I = tau_E (1 - M_II) / (M_EE - 1): the trace of the both-active region vanishes
    tau_c = m.tau_E * (1 - m.M_II) / (c.P - 1)
    assert np.max(np.abs(c.Q - tau_c) / tau_c) < 1e-8
    # the curve spans the box: it leaves through tau_I = 120 (M_EE = 1.125) and through
    # M_EE = 1.6 (tau_I = 25)
    assert c.ends == ("bound", "bound")
    ends = sorted([(c.P[0], c.Q[0]), (c.P[-1], c.Q[-1])])
    assert ends[0] == pytest.approx((1.125, 120.0), rel=1e-10)
    assert ends[1] == pytest.approx((1.6, 25.0), rel=1e-10)
    # states: the both-active fixed point (I - M) nu = -gamma, written out
    for x, p in zip(c.states, c.P):
        M = np.array([[p, m.M_EI], [m.M_IE, m.M_II]])
        assert np.allclose(x, np.linalg.solve(np.eye(2) - M, -m.gamma), rtol=1e-10)
    # frequency: sqrt(det J) at trace 0
    det = ((c.P - 1) * (m.M_II - 1) - m.M_EI * m.M_IE) / (m.tau_E * c.Q)
    assert np.allclose(c.frequency, np.sqrt(det), rtol=1e-8)


def test_border_collision_curve_is_the_closed_form():
    m = EIModel()
    res = continue_special_curves(m, "M_EE", 0.0, 0.9, "gamma_I", 5.0, 150.0,
                                  kinds=("border collision",), seeds=1)
    (c,) = [c for c in res.curves if c.unit == "I"]
    # nu_I = 0 on I's threshold: nu_E = gamma_I / M_IE and (1 - M_EE) nu_E = -gamma_E
    gI = -m.gamma_E * m.M_IE / (1 - c.P)
    assert np.max(np.abs(c.Q - gI) / gI) < 1e-8
    assert np.allclose(c.states[:, 0], -m.gamma_E / (1 - c.P), rtol=1e-10)
    assert np.max(np.abs(c.states[:, 1])) < 1e-10
    assert c.ends == ("bound", "bound") and c.P[0] == 0.0 and c.P[-1] == 0.9
    d = res.to_dict()
    json.dumps(d)
    cd = next(x for x in d["curves"] if x["unit"] == "I")
    assert {"kind", "M_EE", "gamma_I"} <= set(cd) and cd["kind"] == "border collision"
    assert len(cd["M_EE"]) == len(cd["gamma_I"]) == len(c)


W_REF = (9.0, 4.0, 13.0, 11.0)
W_OSC = (6.4, 4.8, 6.0, 1.2)


def _wc(w_rest):
    return lambda I_E, w_EE: wc_network(I_E, (w_EE, *w_rest))


def test_wilson_cowan_fold_curves_against_independent_root_solves():
    res = continue_special_curves(_wc(W_REF[1:]), "I_ext_E", -2.0, 2.0, "w_EE", 7.0, 11.0,
                                  kinds=("fold",), seeds=1)
    assert len(res.curves) == 2  # the two folds at w_EE = 9 are on different curves
    for c in res.curves:
        assert c.kind == "fold"
        for k in np.linspace(0, len(c) - 1, 4).astype(int):
            w = (c.Q[k], *W_REF[1:])
            guess = np.append(c.states[k], c.P[k]) + np.array([0.01, -0.01, 0.02])
            sol = fsolve(lambda z, w=w: np.append(wc_F(z[:2], z[2], w),
                                                   np.linalg.det(wc_J(z[:2], z[2], w))),
                         guess, xtol=1e-12)
            assert abs(sol[2] - c.P[k]) <= 1e-8 * max(1.0, abs(sol[2]))
            assert np.allclose(sol[:2], c.states[k], atol=1e-8)


@pytest.fixture(scope="module")
def wc_osc_curves():
    return continue_special_curves(_wc(W_OSC[1:]), "I_ext_E", -2.0, 4.0, "w_EE", 5.0, 8.0,
                                   seeds=1)


def test_wilson_cowan_hopf_curve_against_root_solves_and_its_bogdanov_takens_end(
        wc_osc_curves):
    (c,) = wc_osc_curves.of_kind("hopf")
    assert c.kind == "hopf"
    for k in np.linspace(0, len(c) - 1, 4).astype(int)[:-1]:
        w = (c.Q[k], *W_OSC[1:])
        guess = np.append(c.states[k], c.P[k]) + np.array([0.01, -0.01, 0.02])
        sol = fsolve(lambda z, w=w: np.append(wc_F(z[:2], z[2], w),
                                               np.trace(wc_J(z[:2], z[2], w))),
                     guess, xtol=1e-12)
        assert np.linalg.det(wc_J(sol[:2], sol[2], w)) > 0
        assert abs(sol[2] - c.P[k]) <= 1e-8 * max(1.0, abs(sol[2]))
        assert c.frequency[k] == pytest.approx(
            math.sqrt(np.linalg.det(wc_J(sol[:2], sol[2], w))), rel=1e-6)
    # one end is where det J reaches 0 with trace 0: a Bogdanov-Takens point
    assert "Bogdanov-Takens" in c.ends
    k = 0 if c.ends[0] == "Bogdanov-Takens" else len(c) - 1
    J = wc_J(c.states[k], c.P[k], (c.Q[k], *W_OSC[1:]))
    assert abs(np.trace(J)) < 1e-6 and abs(np.linalg.det(J)) < 1e-6


# ----------------------------------------------------------------- errors
def test_bad_inputs_are_refused():
    m = EIModel()
    with pytest.raises(ParameterError) as e:
        continue_special_curves(m, "M_EE", 1.1, 1.6, "m_ee", 20.0, 150.0)
    assert e.value.name == "param2"
    with pytest.raises(ParameterError) as e:
        continue_special_curves(m, "M_EE", 1.1, 1.6, "tau_I", 20.0, 20.0)
    assert e.value.name == "stop2"
    with pytest.raises(ParameterError) as e:
        continue_special_curves(m, "M_EE", 1.1, 1.6, "tau_I", 20.0, 50.0, kinds=("cusp",))
    assert e.value.name == "kinds"
    with pytest.raises(ParameterError) as e:
        continue_special_curves(m, "M_EE", 1.1, 1.6, "tau_I", -1.0, 50.0)
    assert e.value.name == "start"


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=10))
def test_unknown_second_parameter_names_are_refused(name):
    if name.strip().lower().replace("-", "_") in {p.lower() for p in EIModel.PARAMETERS}:
        return
    with pytest.raises(ParameterError) as e:
        continue_special_curves(EIModel(), "tau_I", 20.0, 60.0, name, 1.0, 2.0)
    assert e.value.name == "param2"


def test_three_unit_hopf_curve_uses_the_complex_pair_condition():
    # n = 3: the Hopf condition is the real part of the critical pair; for the inhibitory
    # 3-cycle with every unit active it vanishes at c = 2 whatever the input h
    from ratenet.network import RateNetwork

    cycle = np.roll(np.eye(3), 1, axis=1)
    res = continue_special_curves(lambda c, h: RateNetwork(W=-c * cycle, h=h * np.ones(3)),
                                  "c", 1.0, 3.0, "h", 0.5, 2.0, kinds=("hopf",), seeds=1)
    (c,) = res.curves
    assert np.max(np.abs(c.P - 2.0)) < 1e-12
    assert sorted([c.Q[0], c.Q[-1]]) == pytest.approx([0.5, 2.0], rel=1e-12)
    assert np.allclose(c.states, (c.Q / 3)[:, None], rtol=1e-12)  # x = h / (1 + c)
    assert np.allclose(c.frequency, math.sqrt(3), rtol=1e-12)


def test_bogdanov_takens_point_on_the_fold_curve_is_the_hopf_curve_end(wc_osc_curves):
    # two augmented systems (F = 0, det = 0 with trace as test; F = 0, trace = 0 with
    # det as test) must meet at the same Bogdanov-Takens point
    res = wc_osc_curves
    (hopf,) = res.of_kind("hopf")
    bts = [pt for c in res.of_kind("fold") for pt in c.points]
    assert len(bts) == 1 and bts[0]["kind"] == "Bogdanov-Takens"
    k = 0 if hopf.ends[0] == "Bogdanov-Takens" else len(hopf) - 1
    assert bts[0]["I_ext_E"] == pytest.approx(hopf.P[k], rel=1e-7)
    assert bts[0]["w_EE"] == pytest.approx(hopf.Q[k], rel=1e-7)
    J = wc_J(np.array(bts[0]["state"]), bts[0]["I_ext_E"], (bts[0]["w_EE"], *W_OSC[1:]))
    assert abs(np.trace(J)) < 1e-7 and abs(np.linalg.det(J)) < 1e-7
