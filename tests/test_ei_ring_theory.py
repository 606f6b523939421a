"""Per-mode theory of the E-I ring, each result confirmed against an independent computation
or a simulation: uniform states, the full finite-N spectrum, Hopf points and onset
frequencies, travelling-wave speed near onset, the bulk cycle, the bump and its drift."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq, linear_sum_assignment

import ratenet as rn
from ratenet import EIRingModel, ParameterError
from ratenet.analysis import find_fixed_points
from ratenet.ei_ring import EXAMPLES, classify
from ratenet.theory import ei_ring as T

WAVE = EXAMPLES["travelling wave"]
BUMP = EXAMPLES["stationary bump"]


def match(a: np.ndarray, b: np.ndarray) -> float:
    """Largest distance after pairing two multisets of eigenvalues optimally."""
    assert a.shape == b.shape
    r, c = linear_sum_assignment(np.abs(a[:, None] - b[None, :]))
    return float(np.max(np.abs(a[r] - b[c])))


def test_uniform_state_is_the_ei_fixed_point_and_the_simulated_state():
    m = WAVE.replace(tau_I=15.0, N=16)  # below every Hopf point: the uniform state is stable
    s = T.uniform_state(m)
    assert s.kind == "both active" and s.stable
    fps = [fp for fp in find_fixed_points(m.equivalent_ei()) if fp.stable]
    assert len(fps) == 1
    np.testing.assert_allclose([s.r_E, s.r_I], fps[0].state, atol=1e-12)
    tr = rn.simulate(m, t_max=1500.0, dt=0.1, record_every=None)
    np.testing.assert_allclose(tr.final, s.state(m), atol=1e-8)


def test_silent_population_states_and_their_stability():
    # h_I < 0 with weak E -> I: I silent; E alone obeys r_E = h_E / (1 - J_EE0)
    m = EIRingModel(J_EE0=0.5, J_EI0=-1.0, J_IE0=0.2, h_E=1.0, h_I=-1.0, N=8)
    states = T.uniform_states(m)
    assert [s.kind for s in states] == ["I silent"]
    assert states[0].r_E == pytest.approx(2.0) and states[0].r_I == 0.0
    assert states[0].gains == (1.0, 0.0) and states[0].stable
    tr = rn.simulate(m, t_max=800.0, dt=0.1, record_every=None)
    np.testing.assert_allclose(tr.final, states[0].state(m), atol=1e-8)
    # a silent population's modes decay at -1/tau_I whatever its couplings
    lam = T.mode_eigenvalues(m.replace(J_IE1=3.0, J_II1=-2.0), 1, states[0])
    assert np.any(np.isclose(lam, -1.0 / m.tau_I))


def test_a_population_on_its_threshold_is_listed_once():
    m = EIRingModel(J_EI0=-1.0, J_IE0=0.0, h_E=1.0, h_I=0.0, N=8)  # u_I = 0 exactly
    states = T.uniform_states(m)
    assert len(states) == 1 and states[0].kind == "both active"
    assert (states[0].r_E, states[0].r_I) == (1.0, 0.0)


def test_tuned_input_with_every_unit_active_gives_the_mode_one_response():
    m = WAVE.replace(tau_I=15.0, eps_E=0.2, eps_I=0.1, theta0=1.1, N=32)
    s = T.uniform_state(m)
    assert s.exact and s.r1_E > 0
    tr = rn.simulate(m, t_max=2000.0, dt=0.1, record_every=None)
    np.testing.assert_allclose(tr.final, s.state(m), atol=1e-7)


@pytest.mark.parametrize("J_EE1,eps_E", [(2.0, 1.0), (3.0, 1e308)])
def test_infinite_mode_one_response_is_not_exact_and_warns_nothing(J_EE1, eps_E):
    """Untuned inhibition, both populations active (gain 1): the mode-1 matrix
    1 - J_EE1/2 is singular at J_EE1 = 2, so a tuned input has no finite response; at
    J_EE1 = 3 the response -eps_E/(1 - 3/2) = 2 eps_E overflows for eps_E = 1e308."""
    import warnings

    m = EIRingModel(J_EE0=1.25, J_EE1=J_EE1, J_EI0=-1.0, J_IE0=1.0, h_E=10.0, h_I=-10.0,
                    eps_E=eps_E, N=16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = T.uniform_state(m)
    # mode 0: r_E = 10 + 1.25 r_E - r_I, r_I = r_E - 10
    assert (s.r_E, s.r_I) == pytest.approx((80 / 3, 50 / 3))
    assert not s.exact and not np.isfinite(s.r1_E)


@pytest.mark.parametrize("extra", [{}, {"J_A": 0.3, "tau_A": 60.0},
                                   {"J_higher": ((0.8, -0.5, 0.6, -0.2), (0.3, 0.0, 0.1, 0.0))},
                                   {"tau_I": 70.0}])
@pytest.mark.parametrize("N", [7, 12, 25])
def test_network_spectrum_is_the_union_of_the_mode_spectra(extra, N):
    m = WAVE.replace(N=N, **extra)
    full = T.network_eigenvalues(m)
    assert match(full, T.predicted_network_eigenvalues(m)) < 1e-10
    # and each mode's eigenvalues appear (twice for k >= 1: the two travelling directions)
    for k in range(m.n_harmonics + 1):
        for lam in T.mode_eigenvalues(m, k):
            count = np.sum(np.abs(full - lam) < 1e-8)
            assert count >= (1 if k == 0 else 2)


def test_continuum_theory_does_not_depend_on_N():
    a = T.analyze(WAVE.replace(N=5)).to_dict()
    b = T.analyze(WAVE.replace(N=501)).to_dict()
    assert a == b


def test_mode_spectrum_crosses_zero_at_each_modes_hopf_point():
    m = WAVE.replace(J_higher=((3.4, -2.0, 2.0, 0.0),))  # mode 2: tau_I* = 10 / 0.7
    taus = np.linspace(10.0, 60.0, 501)
    sp = T.mode_spectrum(m, "tau_I", taus)
    for k in (1, 2):
        re = sp["eigenvalues"][k][:, 0].real
        i = int(np.flatnonzero(np.diff(np.sign(re)) > 0)[0])
        assert taus[i] <= T.hopf_tau_I(m, k) <= taus[i + 1]
    first = T.analyze(m).first_hopf  # mode 2 goes before mode 1 (tau_I* = 20 ms)
    assert first["mode"] == 2 and first["tau_I"] == pytest.approx(10.0 / 0.7, rel=1e-12)


def brute_hopf(m: EIRingModel, k: int, lo: float, hi: float) -> float:
    """tau_I where the mode's leading real part crosses 0, from eigenvalues alone."""
    s = T.uniform_state(m)

    def lead(tau_I):
        return float(np.max(np.linalg.eigvals(T.mode_jacobian(m.replace(tau_I=tau_I), k, s)).real))
    return brentq(lead, lo, hi, xtol=1e-12)


def test_hopf_tau_I_closed_form_and_frequency():
    m = WAVE
    g_E = g_I = 1.0
    c = m.mode_coupling(1)
    expected = m.tau_E * (1 - g_I * c[1, 1]) / (g_E * c[0, 0] - 1)
    assert T.hopf_tau_I(m, 1) == pytest.approx(expected, rel=1e-14) == pytest.approx(20.0)
    assert T.hopf_tau_I(m, 1) == pytest.approx(brute_hopf(m, 1, 5.0, 100.0), rel=1e-9)
    mode = T.analyze(m).modes[1]
    A = T.mode_jacobian(m.replace(tau_I=20.0), 1)
    assert mode.hopf_frequency == pytest.approx(np.sqrt(np.linalg.det(A)), rel=1e-12)
    # mode 0 of these parameters has D_0 > 0 but g c_EE0 = 1: no Hopf point
    assert T.hopf_tau_I(m, 0) is None
    # a real instability (D_1 < 0) has no Hopf point: J_EE1 = 4 without I tuning
    assert T.hopf_tau_I(BUMP, 1) is None and T.analyze(BUMP).modes[1].D < 0


def test_hopf_tau_I_with_adaptation_is_where_a_pair_crosses():
    m = WAVE.replace(J_A=0.2, tau_A=80.0)
    t = T.hopf_tau_I(m, 1)
    assert t is not None and t < 20.0  # adaptation brings the waves earlier
    assert t == pytest.approx(brute_hopf(m, 1, 5.0, 19.9), rel=1e-8)


def test_bulk_hopf_is_the_ei_models_hopf():
    m = EXAMPLES["bulk oscillation"]
    assert T.hopf_tau_I(m, 0) == pytest.approx(m.equivalent_ei().hopf_tau_I())


def _mode_growth(m: EIRingModel, t_max: float):
    """Simulate a small travelling perturbation along the mode-1 eigenvector; return the
    growth rate of |C_E| and the rotation rate of arg C_E fitted over the run."""
    s = T.uniform_state(m)
    lam, vec = np.linalg.eig(T.mode_jacobian(m, 1, s))
    i = int(np.argmax(lam.real + 1e-9 * lam.imag))
    v = vec[:, i]
    th = m.theta
    pert = [1e-4 * np.real(v[p] * np.exp(-1j * th)) for p in range(2)]
    x0 = np.concatenate([s.r_E + pert[0], s.r_I + pert[1]])
    tr = rn.simulate(m, t_max=t_max, dt=0.05, method="rk4", x0=x0, record_every=20)
    C = tr.C_E
    grow = np.polyfit(tr.t, np.log(np.abs(C)), 1)[0]
    turn = np.polyfit(tr.t, np.unwrap(np.angle(C)), 1)[0]
    return grow, turn, lam[i]


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_simulated_mode_growth_and_frequency_match_the_eigenvalue(factor):
    m = WAVE.replace(tau_I=20.0 * factor, N=16)
    grow, turn, lam = _mode_growth(m, 300.0)
    assert grow == pytest.approx(lam.real, abs=2e-6)
    assert abs(turn) == pytest.approx(abs(lam.imag), rel=1e-5)
    assert (grow > 0) == (factor > 1)  # the onset is at the Hopf tau_I


def test_travelling_wave_speed_tends_to_the_hopf_frequency_at_onset():
    base = WAVE.replace(N=32)
    tau_h = T.hopf_tau_I(base, 1)
    omega = T.analyze(base).modes[1].hopf_frequency
    th = base.theta
    x0 = np.concatenate([1.5 + 1.0 * np.cos(th), 4 / 3 + 0.5 * np.sin(th)])
    errs = []
    speeds = {}
    for delta in (0.04, 0.02):
        m = base.replace(tau_I=tau_h * (1 + delta))
        tr = rn.simulate(m, t_max=4000.0, dt=0.05, method="heun", x0=x0, record_every=20)
        p = classify(tr, window=1000.0)
        assert p.kind == "travelling wave" and p.mode == 1
        assert p.period == pytest.approx(2 * np.pi / abs(p.speed))
        errs.append(abs(abs(p.speed) - omega) / omega)
        speeds[delta] = p.speed
    # the continuum result does not depend on N: the same wave on a ring four times finer
    m = base.replace(tau_I=tau_h * 1.02, N=128)
    x0 = np.concatenate([1.5 + 1.0 * np.cos(m.theta), 4 / 3 + 0.5 * np.sin(m.theta)])
    tr = rn.simulate(m, t_max=4000.0, dt=0.05, method="heun", x0=x0, record_every=20)
    assert classify(tr, window=1000.0).speed == pytest.approx(speeds[0.02], rel=1e-3)
    # within a few per cent, and closing in linearly with the distance to onset
    assert errs[1] < 0.015 and errs[1] < 0.6 * errs[0]


def test_mode_two_waves_travel_at_omega_over_two():
    # a second harmonic whose Hopf point (tau_I* = 10 / 0.7 ms) comes before mode 1's (20 ms)
    base = WAVE.replace(J_higher=((3.4, -2.0, 2.0, 0.0),), N=32)
    s = T.uniform_state(base)
    th = base.theta
    x0 = np.concatenate([s.r_E + 1.0 * np.cos(2 * th), s.r_I + 0.5 * np.sin(2 * th)])
    m = base.replace(tau_I=10.0 / 0.7 * 1.02)
    omega = T.analyze(m).first_hopf["frequency"]
    tr = rn.simulate(m, t_max=4000.0, dt=0.05, method="heun", x0=x0, record_every=20)
    p = classify(tr, window=1000.0)
    assert (p.kind, p.mode) == ("travelling wave", 2)
    assert abs(p.speed) == pytest.approx(omega / 2, rel=0.03)


def test_bulk_oscillation_period_is_the_ei_limit_cycle():
    m = EXAMPLES["bulk oscillation"].replace(N=8)
    cycle = T.bulk_cycle(m)
    assert cycle is not None and cycle.stable
    tr = rn.simulate(m, t_max=2000.0, dt=0.02, method="rk4", record_every=5)
    p = classify(tr, window=1000.0)
    assert p.kind == "bulk oscillation"
    assert p.period == pytest.approx(cycle.period, rel=1e-5)
    assert np.max(tr.r_E[-1]) == pytest.approx(np.min(tr.r_E[-1]))


def test_instability_kind_predicts_the_simulated_pattern():
    cases = {"stationary bump": (1, "real"), "travelling wave": (1, "hopf"),
             "standing wave": (1, "hopf"), "bulk oscillation": (0, "hopf"),
             "homogeneous": (None, None)}
    for name, (mode, kind) in cases.items():
        m = EXAMPLES[name].replace(N=32)
        inst = T.analyze(m).instability
        assert (inst["mode"], inst["kind"]) == (mode, kind), name
        tr = rn.simulate(m, t_max=4000.0, dt=0.1, record_every=10)
        assert classify(tr).kind == name


def test_first_instability_along_tau_I_and_along_J_EE1():
    r = T.first_instability(WAVE.replace(tau_I=10.0), "tau_I", 40.0)
    assert (r["mode"], r["kind"]) == (1, "hopf")
    assert r["value"] == pytest.approx(20.0, rel=1e-8)
    assert r["frequency"] == pytest.approx(0.05, rel=1e-6)
    # without I tuning, mode 1 goes through D_1 = 0: (J_EE1 / 2 - 1)(-1) = 0 -> J_EE1 = 2
    r = T.first_instability(BUMP.replace(J_EE1=1.0), "J_EE1", 5.0)
    assert (r["mode"], r["kind"], r["pattern"]) == (1, "real", "stationary bump")
    assert r["value"] == pytest.approx(2.0, rel=1e-8)
    assert T.first_instability(BUMP.replace(J_EE1=1.0), "h_E", 3.0)["value"] is None


def test_bump_state_matches_the_simulated_bump():
    m = BUMP.replace(N=128)
    b = T.bump_state(m)
    assert b is not None and not b.drifting
    # the single-population ring's marginal bump: J1 g1(theta_c) = 1 -> theta_c = pi / 2
    assert b.theta_c[0] == pytest.approx(np.pi / 2, rel=1e-9)
    tr = rn.simulate(m, t_max=1500.0, dt=0.1, record_every=None)
    phi = float(tr.position_E[-1])
    np.testing.assert_allclose(tr.final, b.profile(m.replace(theta0=phi)), atol=2e-3)
    assert np.min(np.abs(b.eigenvalues)) < 1e-12  # the free position


def test_drift_threshold_is_J_A_tau_A_equal_tau_E_and_simulation_agrees():
    m = BUMP.replace(N=64, tau_A=100.0)
    assert T.drift_J_A(m) == pytest.approx(m.tau_E / m.tau_A, rel=1e-9)
    speeds = []
    for ja in (0.08, 0.12):
        mm = m.replace(J_A=ja)
        b = T.bump_state(mm)
        assert b.drifting == (ja > 0.1)
        x0 = b.profile(mm) + 0.01 * np.sin(np.tile(mm.theta, 3))
        tr = rn.simulate(mm, t_max=5000.0, dt=0.1, x0=x0, record_every=10)
        late = tr.t > 3000.0
        speeds.append(abs(np.polyfit(tr.t[late], np.unwrap(tr.position_E[late]), 1)[0]))
    assert speeds[0] < 1e-6 < 1e-3 < speeds[1]


def test_drift_threshold_with_tuned_inhibition_follows_the_closed_form():
    m = BUMP.replace(J_EI1=-1.0, J_IE1=1.0, tau_I=20.0, tau_A=100.0, N=64)
    ja = T.drift_J_A(m)
    b = T.bump_state(m.replace(J_A=ja))
    q = np.array([(t - np.sin(t) * np.cos(t)) / (2 * np.pi) if t < np.pi else 0.5
                  for t in b.theta_c])
    bb, cc, dd = m.J_EI1 * q[1], m.J_IE1 * q[0], m.J_II1 * q[1] - 1.0
    assert ja * m.tau_A == pytest.approx(m.tau_E + m.tau_I * bb * cc / dd ** 2, rel=1e-8)
    assert ja * m.tau_A < m.tau_E  # tuned inhibition makes the bump drift earlier
    # simulation on a fine ring (q_Y carries O(1/N) lattice corrections), 20% either side
    speeds = []
    for f in (0.8, 1.2):
        mm = m.replace(J_A=ja * f, N=256)
        b = T.bump_state(mm)
        assert b.drifting == (f > 1)
        x0 = b.profile(mm) + 0.01 * np.sin(np.tile(mm.theta, 3))
        tr = rn.simulate(mm, t_max=4000.0, dt=0.1, x0=x0, record_every=10)
        late = tr.t > 2500.0
        speeds.append(abs(np.polyfit(tr.t[late], np.unwrap(tr.position_E[late]), 1)[0]))
    assert speeds[0] < 1e-6 < 1e-3 < speeds[1]


def test_theory_refuses_what_it_does_not_cover():
    with pytest.raises(ParameterError) as err:
        T.analyze(WAVE.replace(transfer=rn.Sigmoid()))
    assert err.value.name == "transfer"
    with pytest.raises(ParameterError):
        T.bulk_cycle(WAVE.replace(J_A=0.1))
    with pytest.raises(ParameterError):
        T.bump_state(WAVE.replace(J_higher=((1.0, 0, 0, 0),)))
    with pytest.raises(ParameterError):
        T.first_instability(WAVE, "nope", 1.0)
