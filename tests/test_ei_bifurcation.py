"""Bifurcation diagrams: Hopf points, border collisions and cycles along a parameter."""

import numpy as np
import pytest

from ratenet import EIModel
from ratenet.analysis import bifurcation_diagram, find_limit_cycle

GRID = np.linspace(20.0, 100.0, 200)  # does not contain 40


def test_default_hopf_closed_form_and_root_finding():
    d = bifurcation_diagram(EIModel(), "tau_I", GRID, cycles=False)
    (h,) = d.hopf
    assert h.method == "closed form"
    assert h.value == pytest.approx(40.0, rel=1e-12)
    np.testing.assert_allclose(h.state, [80 / 3, 50 / 3], rtol=1e-12)
    # omega^2 = det at the centre: ((M_EE - 1)(M_II - 1) - M_EI M_IE) / (tau_E tau_I)
    assert h.frequency == pytest.approx(np.sqrt(0.75 / 400.0), rel=1e-12)
    # a plain network-valued builder has no closed form: Brent on Re(lambda)
    d2 = bifurcation_diagram(lambda v: EIModel(tau_I=v).to_network(), "tau_I", GRID,
                             cycles=False)
    (h2,) = d2.hopf
    assert h2.method == "root finding"
    assert abs(h2.value - 40.0) / 40.0 < 1e-6


@pytest.mark.parametrize("M_EE, M_II, tau_E, M_EI, M_IE", [
    (1.5, -0.5, 8.0, -3.0, 2.0), (2.0, 0.0, 10.0, -2.0, 2.0), (1.1, -0.2, 4.0, -1.0, 1.0),
])
def test_hopf_at_the_formula_for_other_weights(M_EE, M_II, tau_E, M_EI, M_IE):
    base = EIModel(M_EE=M_EE, M_II=M_II, tau_E=tau_E, M_EI=M_EI, M_IE=M_IE)
    expected = tau_E * (1 - M_II) / (M_EE - 1)
    grid = np.linspace(0.3 * expected, 2.7 * expected, 37)
    for model in (base, lambda v, b=base: b.replace(tau_I=v).to_network()):
        d = bifurcation_diagram(model, "tau_I", grid, cycles=False)
        (h,) = d.hopf
        assert abs(h.value - expected) / expected < 1e-6
        assert h.branches == ("active: E, I",)
    # just below it the both-active point is a stable focus, just above an unstable one
    (br,) = [b for b in d.branches if b.active == (True, True)]
    below, above = grid < expected, grid > expected
    assert all(t == "stable focus" for t, m in zip(br.types, below) if m)
    assert all(t == "unstable focus" for t, m in zip(br.types, above) if m)


def test_hopf_in_other_parameters():
    m = EIModel()
    d = bifurcation_diagram(m, "M_EE", np.linspace(1.05, 1.9, 30), cycles=False)
    (h,) = d.hopf
    assert h.value == pytest.approx(1 + m.tau_E * (1 - m.M_II) / m.tau_I, rel=1e-12)
    d = bifurcation_diagram(m, "TAU_E", np.linspace(1.0, 20.0, 30), cycles=False)
    (h,) = d.hopf
    assert h.value == pytest.approx(m.tau_I * (m.M_EE - 1) / (1 - m.M_II), rel=1e-12)


def test_trace_determinant_path_in_closed_form():
    m = EIModel()
    d = bifurcation_diagram(m, "tau_I", GRID, cycles=False)
    (br,) = d.branches
    tr = (m.M_EE - 1) / m.tau_E + (m.M_II - 1) / GRID
    det = ((m.M_EE - 1) * (m.M_II - 1) - m.M_EI * m.M_IE) / (m.tau_E * GRID)
    np.testing.assert_allclose(br.trace, tr, rtol=1e-12, atol=1e-18)
    np.testing.assert_allclose(br.determinant, det, rtol=1e-12)


def test_border_collision_folds_with_silent_populations():
    # E-only branch nu_E = gamma_E / (M_EE - 1) meets the silent state at gamma_E = 0 and
    # the both-active branch (20 - gamma_E, 10 - gamma_E) at gamma_E = 10, where nu_I = 0
    m = EIModel(M_EE=2.0, M_EI=-2.0, M_IE=1.0, gamma_E=5.0, gamma_I=10.0, tau_I=5.0)
    for grid in (np.linspace(-20, 20, 81), np.linspace(-20.3, 20.3, 81)):
        d = bifurcation_diagram(m, "gamma_E", grid, cycles=False)
        assert [p.kind for p in d.points] == ["border-collision fold"] * 2
        a, b = d.points
        assert a.value == pytest.approx(0.0, abs=1e-10) and a.unit == "E"
        assert set(a.branches) == {"all silent", "active: E"}
        assert b.value == pytest.approx(10.0, rel=1e-10) and b.unit == "I"
        assert set(b.branches) == {"active: E, I", "active: E"}
        np.testing.assert_allclose(b.state, [10.0, 0.0], atol=1e-9)


def test_border_crossing_into_a_silent_region():
    # both-active fixed point ((10 + gamma_I)/0.75, (10 + gamma_I/4)/0.75): nu_E reaches 0
    # at gamma_I = -10 and the point moves on into the region where E is silent
    d = bifurcation_diagram(EIModel(), "gamma_I", np.linspace(-30, 30, 61), cycles=False)
    (p,) = d.border_collisions
    assert p.kind == "border crossing" and p.unit == "E"
    assert p.value == pytest.approx(-10.0, rel=1e-10)
    np.testing.assert_allclose(p.state, [0.0, 10.0], atol=1e-9)
    assert d.folds == []


def test_fixed_point_escaping_to_infinity():
    # det(I - W) = (1 - M_EE)(1 - M_II) - M_EI M_IE vanishes at M_EI = -0.25
    grid = np.linspace(-1.0, -0.01, 34)
    d = bifurcation_diagram(EIModel(), "M_EI", grid, cycles=False)
    esc = [p for p in d.points if p.kind == "escape to infinity"]
    assert len(esc) == 1
    assert abs(esc[0].value + 0.25) <= grid[1] - grid[0]


def test_cycles_along_tau_I():
    grid = np.linspace(30.0, 70.0, 21) + 0.5  # 30.5, 32.5, ... none at 40
    d = bifurcation_diagram(EIModel(), "tau_I", grid)
    c = d.cycles
    np.testing.assert_array_equal(c.exists, grid > 40.0)
    assert np.all(c.stable[c.exists])
    # continuation agrees with a fresh search from the default start
    k = int(np.flatnonzero(grid > 55)[0])
    fresh = find_limit_cycle(EIModel(tau_I=grid[k]))
    assert c.period[k] == pytest.approx(fresh.period, rel=1e-9)
    np.testing.assert_allclose(c.maximum[k], fresh.maximum, atol=1e-8)
    # finite amplitude at the first grid value above 40 (no sqrt law)
    first = int(np.flatnonzero(c.exists)[0])
    assert c.maximum[first, 0] - c.minimum[first, 0] > 45.0


def test_diagram_to_dict_is_json():
    import json

    d = bifurcation_diagram(EIModel(), "tau_I", np.linspace(35, 45, 6))
    out = json.loads(json.dumps(d.to_dict(), allow_nan=False))
    assert out["hopf"] == [pytest.approx(40.0)]
    assert out["branches"][0]["label"] == "active: E, I"
    assert out["cycles"]["period"][0] is None and out["cycles"]["period"][-1] > 0
