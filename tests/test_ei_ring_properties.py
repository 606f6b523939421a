"""Property-based tests (Hypothesis) of the E-I ring's public constructor and classifier."""

from __future__ import annotations

import numpy as np
import pytest

from ratenet import EIRingModel, ParameterError
from ratenet.ei_ring import EIRingTrajectory, classify

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

N = 48
TH = 2 * np.pi * np.arange(N) / N
T_REC = np.linspace(0.0, 1000.0, 2001)


def field(rE: np.ndarray) -> EIRingTrajectory:
    """A trajectory made from a given E field of shape (T, N) (I constant)."""
    rates = np.concatenate([rE, np.full_like(rE, 0.5)], axis=1)
    return EIRingTrajectory(t=T_REC, rates=rates, status=np.array("ok"),
                            t_diverged=np.array(np.nan), message="",
                            params=EIRingModel(N=N).to_dict(), method="euler", dt=0.5)


def tt():
    return T_REC[:, None]


finite = st.floats(-5.0, 5.0, allow_nan=False)
pos = st.floats(0.0, 5.0, allow_nan=False)
neg = st.floats(-5.0, 0.0, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(jee=pos, jei=neg, jie=pos, jii=neg, h=finite, tau=st.floats(0.1, 100.0),
       ja=st.floats(0.0, 2.0), n=st.integers(3, 40), wrong=st.sampled_from(
           ["J_EI0", "J_II1", "J_EE1", "J_IE0"]), bad=st.floats(0.01, 10.0))
def test_constructor_property(jee, jei, jie, jii, h, tau, ja, n, wrong, bad):
    m = EIRingModel(J_EE0=jee, J_EE1=jee, J_EI0=jei, J_EI1=jei, J_IE0=jie, J_IE1=jie,
                    J_II0=jii, J_II1=jii, h_E=h, h_I=-h, tau_E=tau, tau_I=2 * tau, J_A=ja,
                    N=n)
    assert EIRingModel.from_dict(m.to_dict()) == m
    assert m.replace(tau_i=3.0).tau_I == 3.0
    assert m.n_state == (3 if ja > 0 else 2) * n
    # each coefficient from E must be >= 0, from I <= 0: the wrong sign is refused by name
    sign = -1.0 if wrong[-2] == "E" else 1.0
    with pytest.raises(ParameterError) as err:
        m.replace(**{wrong: sign * bad})
    assert err.value.name == wrong


@settings(max_examples=30, deadline=None)
@given(speed=st.floats(1e-3, 0.2), amp=st.floats(0.05, 1.0), phase=st.floats(0, 6.3),
       k=st.integers(1, 4), sign=st.sampled_from([-1.0, 1.0]))
def test_wave_speed_is_recovered_property(speed, amp, phase, k, sign):
    v = sign * speed
    p = classify(field(1.0 + amp * np.cos(k * (TH - v * tt()) + phase)))
    assert p.kind == "travelling wave" and p.mode == k
    assert p.speed == pytest.approx(v, rel=1e-6)


coupling = st.floats(0.0, 4.0, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(jee0=coupling, jee1=coupling, jei0=coupling, jei1=coupling, jie0=coupling,
       jie1=coupling, jii0=coupling, jii1=coupling, hE=st.floats(-2.0, 3.0),
       hI=st.floats(-2.0, 3.0), tau_I=st.floats(2.0, 80.0), ja=st.sampled_from([0.0, 0.5]),
       n=st.integers(3, 12))
def test_mode_theory_property(jee0, jee1, jei0, jei1, jie0, jie1, jii0, jii1, hE, hI, tau_I,
                              ja, n):
    from scipy.optimize import linear_sum_assignment

    from ratenet.theory import ei_ring as T

    m = EIRingModel(J_EE0=jee0, J_EE1=jee1, J_EI0=-jei0, J_EI1=-jei1, J_IE0=jie0,
                    J_IE1=jie1, J_II0=-jii0, J_II1=-jii1, h_E=hE, h_I=hI, tau_E=10.0,
                    tau_I=tau_I, J_A=ja, N=n)
    try:
        s = T.uniform_state(m)
    except ParameterError:
        return  # a singular mode-0 matrix: no isolated uniform state
    u = m.input_current(s.state(m))
    if np.min(np.abs(u)) < 1e-9:
        return  # a unit on its threshold: the Jacobian is one-sided there
    # the network's spectrum at finite N is exactly the union of the mode spectra
    full = T.network_eigenvalues(m, s)
    pred = T.predicted_network_eigenvalues(m, s)
    r, c = linear_sum_assignment(np.abs(full[:, None] - pred[None, :]))
    assert np.max(np.abs(full[r] - pred[c])) < 1e-7 * max(1.0, float(np.max(np.abs(full))))
    # each mode's Hopf point, where there is one, is a pair of imaginary eigenvalues
    for k in (0, 1):
        t = T.hopf_tau_I(m, k, s)
        if t is not None:
            lam = T.mode_eigenvalues(m.replace(tau_I=t), k, s)
            assert abs(lam[0].real) < 1e-8 and abs(lam[0].imag) > 0
