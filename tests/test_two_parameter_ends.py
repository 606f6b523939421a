"""How two-parameter curves end when the equilibrium goes to infinity along them.

The E-I model with ``M_II = -1`` (other weights at their defaults): the both-active
region's matrix ``W - I`` is singular at ``M_EE = 1 + M_EI M_IE / (M_II - 1) = 1.5``, where
the both-active equilibrium goes to infinity, and its Hopf curve (trace 0)
``tau_I = tau_E (1 - M_II) / (M_EE - 1)`` reaches ``tau_I = 40`` ms there: a Bogdanov-Takens
point at infinity.  A fixed largest step crawled towards it (2000 steps for ``|x|`` from
1e2 to 1e4, status "max_steps"); the curve must end at the box or at that point, in
few steps.
"""

from __future__ import annotations

import numpy as np
import pytest

from ratenet import EIModel
from ratenet.continuation._engine import continue_curve
from ratenet.continuation.two_parameter import continue_special_curves

M = EIModel(M_II=-1.0)


def hopf_tau_I(M_EE: np.ndarray) -> np.ndarray:
    """Trace of the both-active Jacobian, (M_EE - 1)/tau_E + (M_II - 1)/tau_I, is 0."""
    return M.tau_E * (1.0 - M.M_II) / (M_EE - 1.0)


def both_active(M_EE: float) -> np.ndarray:
    """The both-active fixed point: (I - W) nu = -gamma (gamma: the thresholds)."""
    W = np.array([[M_EE, M.M_EI], [M.M_IE, M.M_II]])
    return np.linalg.solve(np.eye(2) - W, -np.array([M.gamma_E, M.gamma_I]))


def hopf_curve(tau_lo: float):
    res = continue_special_curves(M, "tau_I", tau_lo, 80.0, "M_EE", 1.1, 1.6,
                                  kinds=("hopf",), seeds=11)
    (c,) = res.curves
    assert c.kind == "non-smooth Hopf (linear centre)"
    return c


def test_hopf_curve_near_the_singular_region_ends_on_the_box_in_few_steps():
    # tau_I >= 41 ms: the curve leaves the box at tau_I = 41 (M_EE = 1 + 20/41, where
    # |x| is about 1.2e3, 20 times its size at tau_I = 80); it took 203 points before
    c = hopf_curve(41.0)
    assert c.ends == ("bound", "bound") and c.status == "bound"
    assert len(c) < 100
    assert np.max(np.abs(c.P - hopf_tau_I(c.Q)) / c.P) < 1e-8
    ends = sorted([(c.P[0], c.Q[0]), (c.P[-1], c.Q[-1])])
    assert ends[0] == pytest.approx((41.0, 1.0 + 20.0 / 41.0), rel=1e-10)
    assert ends[1] == pytest.approx((80.0, 1.25), rel=1e-10)
    for k in (0, len(c) // 2, len(c) - 1):
        assert np.allclose(c.states[k], both_active(c.Q[k]), rtol=1e-8)


def test_hopf_curve_running_to_infinity_ends_at_the_bogdanov_takens_point():
    # tau_I >= 40 ms: the curve tends to (40, 1.5) with |x| -> infinity; before the fix
    # it stopped at max_steps (2015 points, tau_I = 40.095)
    c = hopf_curve(40.0)
    assert len(c) < 100
    i = c.ends.index("equilibrium at infinity")  # which end: the first or the last point
    k = 0 if i == 0 else len(c) - 1
    assert c.ends[1 - i] == "bound"
    assert c.status == "equilibrium at infinity"
    assert np.max(np.abs(c.P - hopf_tau_I(c.Q)) / c.P) < 1e-8
    assert np.max(np.abs(c.states[k])) > 1e7  # the equilibrium is off to infinity
    # the states still solve the both-active system, to the Newton tolerance of their size
    for j in (k, len(c) // 2):
        x = both_active(c.Q[j])
        assert np.allclose(c.states[j], x, rtol=1e-6)
    # the Bogdanov-Takens point at infinity: det (W - I) = 0 and trace 0, on the box
    # boundary tau_I = 40
    M_EE_bt = 1.0 + M.M_EI * M.M_IE / (M.M_II - 1.0)
    (bt,) = c.points
    assert bt["kind"] == "Bogdanov-Takens (equilibrium at infinity)" and bt["state"] is None
    assert bt["M_EE"] == pytest.approx(M_EE_bt, abs=1e-8)
    assert bt["tau_I"] == pytest.approx(float(hopf_tau_I(np.array(M_EE_bt))), abs=1e-8)
    assert bt["tau_I"] == pytest.approx(40.0, abs=1e-8)
    # the curve's last point is next to it (|x| ~ 1/distance)
    assert abs(c.P[k] - 40.0) < 1e-4 and abs(c.Q[k] - M_EE_bt) < 1e-5


def test_growing_step_cap_reaches_u_max_along_a_hyperbola():
    # u p = 1 followed towards p = 0: u = 1/p goes to infinity, the arclength is infinite
    def F(u, p):
        return np.array([u[0] * p - 1.0])

    def J(u, p):
        return np.array([[p, u[0]]])

    kw = dict(p_min=1e-12, p_max=2.0, direction=-1, ds=0.01, ds_max=0.1, max_steps=400)
    crawl = continue_curve(F, J, [1.0], 1.0, **kw)
    assert crawl.status == "max_steps" and np.max(crawl.u) < 100
    fast = continue_curve(F, J, [1.0], 1.0, ds_cap=lambda u, p: 0.5 * abs(u[0]), **kw)
    assert fast.status == "diverged" and len(fast) < 120
    assert np.max(np.abs(fast.u[:, 0] * fast.p - 1.0)) < 1e-8
    assert fast.u[-1, 0] > 1e8


def test_cli_hopf_curve_with_m_ii_minus_one_ends_at_infinity_not_at_max_steps():
    import json

    from click.testing import CliRunner

    from ratenet.cli import main

    r = CliRunner().invoke(main, ["ei", "bifurcation", "--param", "tau_I", "--start", "40",
                                  "--stop", "80", "--num", "5", "--no-cycles", "--m-ii", "-1",
                                  "--param2", "M_EE", "--start2", "1.1", "--stop2", "1.6",
                                  "--json"])
    assert r.exit_code == 0, r.output
    (c,) = [c for c in json.loads(r.output)["curves"] if "Hopf" in c["kind"]]
    P, Q = np.array(c["tau_I"]), np.array(c["M_EE"])
    assert P.size < 100 and "max_steps" not in c["ends"]
    assert sorted(c["ends"]) == ["bound", "equilibrium at infinity"]
    assert c["status"] == "equilibrium at infinity"
    assert np.max(np.abs(P - hopf_tau_I(Q)) / P) < 1e-8
    (bt,) = c["points"]
    assert (bt["tau_I"], bt["M_EE"]) == pytest.approx((40.0, 1.5), abs=1e-8)
