"""Fixed points and nullclines: closed forms (ERRATA 6-7) and complete enumeration."""

import itertools

import numpy as np
import pytest
from scipy.optimize import root

from ratenet import EIModel, RateNetwork
from ratenet.analysis import classify_eigenvalues, find_fixed_points, nullclines, vector_field


def _closed_form_eigenvalues(m):
    # ERRATA 7: lambda = (b +- sqrt(Delta)) / 2 with b the trace and
    # Delta = b^2 - 4 [(M_EE - 1)(M_II - 1) - M_EI M_IE] / (tau_E tau_I)
    b = (m.M_EE - 1) / m.tau_E + (m.M_II - 1) / m.tau_I
    delta = b**2 - 4 * ((m.M_EE - 1) * (m.M_II - 1) - m.M_EI * m.M_IE) / (m.tau_E * m.tau_I)
    s = np.sqrt(complex(delta))
    return b, np.array([(b + s) / 2, (b - s) / 2])


@pytest.mark.parametrize("tau_I, b_expected, kind", [
    (30.0, -1 / 120, "stable focus"), (40.0, 0.0, "centre"), (50.0, 1 / 200, "unstable focus"),
])
def test_default_fixed_point_and_eigenvalues(tau_I, b_expected, kind):
    m = EIModel(tau_I=tau_I)
    fps = find_fixed_points(m)
    assert len(fps) == 1
    fp = fps[0]
    np.testing.assert_allclose(fp.state, [80 / 3, 50 / 3], rtol=1e-13)
    b, lam = _closed_form_eigenvalues(m)
    assert b == pytest.approx(b_expected, abs=1e-16)
    assert fp.trace == pytest.approx(b, abs=1e-16)
    got = fp.eigenvalues[np.argsort(-fp.eigenvalues.imag)]
    np.testing.assert_allclose(got, lam, rtol=1e-12, atol=1e-17)
    assert fp.type == kind
    assert fp.active == (True, True) and fp.silent == ()
    np.testing.assert_allclose(m.rhs(0.0, fp.state), 0.0, atol=1e-14)


def test_exact_centre_is_named_centre_not_guessed():
    # at tau_I = tau_E (1 - M_II)/(M_EE - 1) the linearisation in its region is a centre
    for M_EE, M_II in [(1.25, 0.0), (1.5, -0.5), (2.0, -0.25)]:
        m = EIModel(M_EE=M_EE, M_II=M_II, M_EI=-3.0, M_IE=2.0)
        m = m.replace(tau_I=m.hopf_tau_I())
        (fp,) = [f for f in find_fixed_points(m) if f.active == (True, True)]
        assert fp.type == "centre"
        assert not fp.stable


def _three_fixed_point_model():
    # E alone is bistable (M_EE > 1, gamma_E > 0); inhibition adds a third state
    return EIModel(M_EE=2.0, M_EI=-2.0, M_IE=1.0, M_II=0.0, gamma_E=5.0, gamma_I=10.0,
                   tau_E=10.0, tau_I=5.0)


def test_several_fixed_points_with_silent_populations():
    m = _three_fixed_point_model()
    fps = find_fixed_points(m)
    by_state = {tuple(np.round(fp.state, 9)): fp for fp in fps}
    # derived by hand, region by region
    # both silent: u_E = -5 < 0, u_I = -10 < 0 -> (0, 0), J = -diag(1/tau)
    # E only: nu_E = 2 nu_E - 5 -> 5; u_I = 5 - 10 < 0; J = [[1/10, -2/10], [0, -1/5]]
    # both: nu_E = 2 nu_E - 2 nu_I - 5, nu_I = nu_E - 10 -> (15, 5)
    assert set(by_state) == {(0.0, 0.0), (5.0, 0.0), (15.0, 5.0)}
    silent = by_state[(0.0, 0.0)]
    assert silent.type == "stable node" and silent.silent == ("E", "I")
    np.testing.assert_allclose(sorted(silent.eigenvalues.real), [-1 / 5, -1 / 10])
    saddle = by_state[(5.0, 0.0)]
    assert saddle.type == "saddle" and saddle.silent == ("I",)
    np.testing.assert_allclose(sorted(saddle.eigenvalues.real), [-1 / 5, 1 / 10])
    both = by_state[(15.0, 5.0)]
    tr, det = 1 / 10 - 1 / 5, (1 * -1 + 2 * 1) / (10 * 5)
    assert both.trace == pytest.approx(tr) and both.determinant == pytest.approx(det)
    assert tr**2 - 4 * det < 0 and both.type == "stable focus"


def _brute_force_roots(net, box, n_per_axis=15):
    """Independent search: Powell's hybrid method on -x + [W x + h]_+ from a grid."""
    tau = net.tau
    found = []
    axes = [np.linspace(lo, hi, n_per_axis) for lo, hi in box]
    for x0 in itertools.product(*axes):
        res = root(lambda x: net.rhs(0.0, x) * tau, np.array(x0), method="hybr")
        if res.success and np.max(np.abs(net.rhs(0.0, res.x))) < 1e-10:
            if not any(np.allclose(res.x, f, atol=1e-7) for f in found):
                found.append(res.x)
    return found


def test_enumeration_agrees_with_brute_force_root_finding():
    net = _three_fixed_point_model().to_network()
    brute = _brute_force_roots(net, [(-1, 30), (-1, 20)])
    exact = [fp.state for fp in find_fixed_points(net)]
    assert len(brute) == len(exact) == 3
    for x in brute:
        assert any(np.allclose(x, y, atol=1e-7) for y in exact)


def test_three_population_winner_take_all():
    # self-excitation a = 0.5, mutual inhibition b = -2, input h = 1, tau = 2
    # one winner: x = h/(1 - a) = 2 (the losers get 1 - 4 < 0): 3 stable nodes
    # two active: x = h/(1 - a - b) = 0.4: 3 saddles; all three: x = h/(1 - a - 2b) = 2/9
    a, b, h, tau = 0.5, -2.0, 1.0, 2.0
    W = np.full((3, 3), b) + (a - b) * np.eye(3)
    net = RateNetwork(W=W, tau=tau, h=h, names=("A", "B", "C"))
    fps = find_fixed_points(net)
    assert len(fps) == 7
    for fp in fps:
        k = int(np.sum(fp.active))
        value = {1: 2.0, 2: 0.4, 3: 2 / 9}[k]
        np.testing.assert_allclose(fp.state[list(fp.active)], value, rtol=1e-13)
        assert fp.type == {1: "stable node", 2: "saddle", 3: "saddle"}[k]
    # eigenvalues of the all-active point: (a - 1 + 2b)/tau once, (a - 1 - b)/tau twice
    (allon,) = [fp for fp in fps if all(fp.active)]
    np.testing.assert_allclose(np.sort(allon.eigenvalues.real),
                               [(a - 1 + 2 * b) / tau, (a - 1 - b) / tau, (a - 1 - b) / tau])
    brute = _brute_force_roots(net, [(-0.5, 2.5)] * 3, n_per_axis=7)
    assert len(brute) == 7


@pytest.mark.parametrize("lam, kind", [
    ([-1, -2], "stable node"), ([1, 2], "unstable node"), ([-1, 2], "saddle"),
    ([-1 + 1j, -1 - 1j], "stable focus"), ([1 + 1j, 1 - 1j], "unstable focus"),
    ([1j, -1j], "centre"), ([0, -1], "degenerate (zero eigenvalue)"),
    ([-1, -1], "stable degenerate node"), ([1j, -1j, -1], "degenerate (non-hyperbolic)"),
])
def test_classification(lam, kind):
    assert classify_eigenvalues(np.array(lam, dtype=complex)) == kind


def test_fixed_point_on_a_threshold_is_named_degenerate():
    # gamma_E = 0 puts the silent state exactly on E's threshold
    fps = find_fixed_points(_three_fixed_point_model().replace(gamma_E=0.0))
    (origin,) = [fp for fp in fps if np.allclose(fp.state, 0)]
    assert origin.type == "degenerate (on a threshold)" and origin.on_threshold[0]


def test_nullclines_exact_segments():
    # ERRATA 6: active branches nu_I = 0.25 nu_E + 10 (E) and nu_E = nu_I + 10 (I)
    ncl = nullclines(EIModel(), x_range=(0, 50), y_range=(0, 40))
    E, I = ncl
    (e_act,) = [s for s, k in zip(E.segments, E.kinds) if k == "active"]
    np.testing.assert_allclose(e_act[:, 1], 0.25 * e_act[:, 0] + 10, atol=1e-12)
    np.testing.assert_allclose(e_act[:, 0], [0, 50], atol=1e-12)
    (e_sil,) = [s for s, k in zip(E.segments, E.kinds) if k == "silent"]
    np.testing.assert_allclose(e_sil, [[0, 10], [0, 40]], atol=1e-12)  # nu_E = 0 for nu_I >= 10
    (i_act,) = [s for s, k in zip(I.segments, I.kinds) if k == "active"]
    np.testing.assert_allclose(i_act[:, 0], i_act[:, 1] + 10, atol=1e-12)
    (i_sil,) = [s for s, k in zip(I.segments, I.kinds) if k == "silent"]
    np.testing.assert_allclose(sorted(i_sil[:, 0]), [0, 10], atol=1e-12)
    np.testing.assert_allclose(i_sil[:, 1], 0, atol=1e-12)
    # the active branches cross at the fixed point (80/3, 50/3)
    A = np.array([[-0.25, 1.0], [1.0, -1.0]])
    np.testing.assert_allclose(np.linalg.solve(A, [10.0, 10.0]), [80 / 3, 50 / 3])


def test_vector_field_vanishes_only_on_nullclines():
    m = EIModel()
    vf = vector_field(m, x_range=(0, 50), y_range=(0, 40), num=11)
    X, Y = np.meshgrid(vf.x, vf.y)
    np.testing.assert_allclose(vf.U, m.rhs(0.0, np.stack([X, Y], -1))[..., 0])
    # dnu_E/dt > 0 below the E nullcline's active branch (where E is active)
    below = (Y < 0.25 * X + 10) & (X > 0)
    assert np.all(vf.U[below] > 0)


def test_continuum_of_fixed_points_is_named_not_guessed():
    # M_EE = 1 and gamma_E = 0: with I silent, every nu_E in [0, 10] is at rest
    m = EIModel(M_EE=1.0, gamma_E=0.0)
    with pytest.warns(RuntimeWarning, match=r"\{E\} is singular"):
        fps = find_fixed_points(m)
    ends = sorted(tuple(fp.state) for fp in fps)
    assert ends == [(0.0, 0.0), (10.0, 0.0)]
    assert all(fp.type == "degenerate (on a threshold)" for fp in fps)
    for nu_E in (2.5, 5.0, 7.5):
        np.testing.assert_allclose(m.rhs(0.0, np.array([nu_E, 0.0])), 0.0, atol=1e-15)
