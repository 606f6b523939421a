"""The fold-of-cycles curve stops on the edges of its box in P as well as in Q.

The curve's points are checked against one-parameter continuations of the cycles at fixed
``M_II`` (an independent computation: a branch in ``tau_I`` started from the closed-form
non-smooth Hopf point, its fold located by the branch's own test function), and the
bordered test function's derivative against centred differences of the function itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from ratenet.continuation import bistable_example, continue_cycles
from ratenet.continuation import cycle_folds as cf

#: tau_I in [55, 59] cuts the curve on both sides: the fold is at tau_I = 57.16 at the
#: model's M_II = -0.5, at 60.5 at M_II = -0.6 and below 55 at M_II = -0.4
BOX = ("tau_I", 55.0, 59.0, "M_II", -0.6, -0.4)


def one_parameter_fold(m_ii: float) -> tuple[float, float]:
    """(tau_I, period) of the fold of cycles at fixed M_II, from the branch born at the
    non-smooth Hopf point tau_I = tau_E (1 - M_II) / (M_EE - 1) = 40 (1 - M_II)."""
    model = bistable_example().replace(M_II=m_ii)
    branch = continue_cycles(model, "tau_I", 50.0, 70.0, hopf=40.0 * (1.0 - m_ii))
    (fold,) = branch.points_of("fold of cycles")
    return fold.value, fold.period


@pytest.fixture(scope="module")
def curve():
    return cf.continue_cycle_folds(bistable_example(), *BOX)


def test_both_ends_on_the_p_bounds(curve):
    P, Q = np.array(curve["tau_I"]), np.array(curve["M_II"])
    assert curve["status"] == "bound" and curve["ends"] == ["bound", "bound"]
    assert np.all((P >= 55.0) & (P <= 59.0))
    # M_II decreases as tau_I increases along the fold: the end with the larger M_II is on
    # the lower bound of tau_I
    lo_end, hi_end = (0, -1) if Q[0] > Q[-1] else (-1, 0)
    assert abs(P[lo_end] - 55.0) <= 1e-8 and abs(P[hi_end] - 59.0) <= 1e-8
    # stopped by tau_I, not by M_II: both ends inside the M_II interval
    assert np.all((Q[[0, -1]] > -0.6 + 1e-3) & (Q[[0, -1]] < -0.4 - 1e-3))
    assert "tau_I = 55" in curve["message"] and "tau_I = 59" in curve["message"]
    assert len(P) < 40


@pytest.mark.parametrize("where", ["interior", "end"])
def test_points_are_folds_of_the_one_parameter_branch(curve, where):
    P, Q, T = (np.array(curve[k]) for k in ("tau_I", "M_II", "period"))
    ks = [len(P) // 3, 2 * len(P) // 3] if where == "interior" else [0, len(P) - 1]
    for k in ks:
        value, period = one_parameter_fold(float(Q[k]))
        assert value == pytest.approx(P[k], rel=1e-6)
        assert period == pytest.approx(T[k], rel=1e-6)


def test_box_that_does_not_cut_the_curve_ends_on_the_q_bounds():
    c = cf.continue_cycle_folds(bistable_example(), "tau_I", 50.0, 70.0, "M_II", -0.6, -0.4)
    Q = np.array(c["M_II"])
    assert c["ends"] == ["bound", "bound"]
    assert sorted([Q[0], Q[-1]]) == pytest.approx([-0.6, -0.4], abs=1e-12)
    assert "M_II = -0.6" in c["message"] and "M_II = -0.4" in c["message"]


def test_test_function_row_of_the_jacobian_against_centred_differences():
    # the row of g is -psi^T (dG_u) w (differentiated bordered system); here g itself is
    # differenced in every unknown and in Q, at a point off the curve
    model = bistable_example()
    branch = continue_cycles(model, "tau_I", 50.0, 70.0)
    (f,) = branch.points_of("fold of cycles")
    u0 = np.append(f.state, f.period)
    system = cf._FoldSystem(model, "tau_I", "M_II", 2, 0, (50.0, 70.0))
    assert np.max(np.abs(system.problem(-0.5).residual(u0, f.value))) < 1e-9  # unit 0 phase
    U, _, Vt = np.linalg.svd(system.problem(-0.5).jacobian_u(u0, f.value))
    system.b, system.c = U[:, -1], Vt[-1]
    v = np.append(u0, f.value) + np.array([0.01, -0.02, 0.3, 0.2])
    q = -0.49
    row = system.jacobian(v, q)[-1]
    y = np.append(v, q)
    diffs = []
    for h_rel in (1e-4, 1e-5):
        fd = np.empty(y.size)
        for j in range(y.size):
            e = np.zeros(y.size)
            e[j] = h_rel * (1.0 + abs(y[j]))
            yp, ym = y + e, y - e
            fd[j] = (system.g(yp[:-2], yp[-2], yp[-1]) - system.g(ym[:-2], ym[-2], ym[-1])) / (
                2 * e[j])
        diffs.append(float(np.max(np.abs(fd - row)) / np.max(np.abs(row))))
    # the centred differences converge onto the row as h^2
    assert diffs[1] < 2e-6 and diffs[1] < 0.05 * diffs[0]


@pytest.mark.slow
def test_cli_starts_from_a_branch_cycle_and_stops_on_the_p_bounds():
    # the model's own tau_I (30) lies outside [40, 80]: the curve starts from a stable cycle
    # of the branch; M_II = -0.5, the fold curve crosses the box from tau_I = 80 to 40
    import json

    from click.testing import CliRunner

    from ratenet import EIModel
    from ratenet.cli import main

    res = CliRunner().invoke(main, [
        "ei", "bifurcation", "--param", "tau_I", "--start", "40", "--stop", "80", "--m-ii",
        "-0.5", "--param2", "M_EE", "--start2", "1.1", "--stop2", "1.6", "--json"])
    assert res.exit_code == 0, res.output
    (fold,) = [c for c in json.loads(res.stdout)["curves"] if c["kind"] == "fold of cycles"]
    P, Q = np.array(fold["tau_I"]), np.array(fold["M_EE"])
    assert fold["ends"] == ["bound", "bound"]
    assert sorted([P[0], P[-1]]) == pytest.approx([40.0, 80.0], abs=1e-8)
    assert np.all((Q > 1.1) & (Q < 1.6))
    # a point of the curve against the fold of the one-parameter branch at its M_EE, born
    # at the non-smooth Hopf point tau_I = tau_E (1 - M_II) / (M_EE - 1)
    k = len(P) // 2
    model = EIModel(M_II=-0.5, M_EE=float(Q[k]))
    branch = continue_cycles(model, "tau_I", 40.0, 80.0, hopf=15.0 / (float(Q[k]) - 1.0))
    (f,) = branch.points_of("fold of cycles")
    assert f.value == pytest.approx(P[k], rel=1e-6)
