"""The fold-of-cycles curve in two parameters against one-parameter folds found independently."""

from __future__ import annotations

import numpy as np
import pytest

from ratenet import ParameterError
from ratenet.continuation import bistable_example, continue_cycles
from ratenet.continuation.cycle_folds import continue_cycle_folds


@pytest.fixture(scope="module")
def curve():
    return continue_cycle_folds(bistable_example(), "tau_I", 50, 70, "M_II", -0.6, -0.4)


def test_curve_spans_the_box_and_stays_below_the_hopf_curve(curve):
    assert curve["kind"] == "fold of cycles" and curve["status"] == "bound"
    Q, P = np.array(curve["M_II"]), np.array(curve["tau_I"])
    assert Q.min() == pytest.approx(-0.6) and Q.max() == pytest.approx(-0.4)
    # the cycles are born at the non-smooth Hopf point tau_I = tau_E (1 - M_II) / (M_EE - 1)
    # (closed form; 40 (1 - M_II) here) and fold back below it: a bistable band between
    hopf = 10.0 * (1.0 - Q) / 0.25
    assert np.all(P < hopf) and np.all(hopf - P < 5.0)


@pytest.mark.parametrize("q", [-0.57, -0.43])
def test_each_point_is_a_fold_of_the_one_parameter_branch(curve, q):
    Q, P = np.array(curve["M_II"]), np.array(curve["tau_I"])
    order = np.argsort(Q)
    p_curve = float(np.interp(q, Q[order], P[order]))
    # started from the non-smooth Hopf point (at tau_I = 58 there may be no cycle)
    branch = continue_cycles(bistable_example().replace(M_II=q), "tau_I", 50, 70,
                             hopf=40.0 * (1.0 - q))
    (fold,) = branch.points_of("fold of cycles")
    # the interpolation between curve points is the only error: points are ~0.05 apart in Q
    assert fold.value == pytest.approx(p_curve, abs=0.05)
    # and exactly on the curve where a curve point is: re-run at that Q
    k = int(np.argmin(np.abs(Q - q)))
    b2 = continue_cycles(bistable_example().replace(M_II=float(Q[k])), "tau_I", 50, 70,
                         hopf=40.0 * (1.0 - float(Q[k])))
    (f2,) = b2.points_of("fold of cycles")
    assert f2.value == pytest.approx(P[k], rel=1e-7)
    assert f2.period == pytest.approx(curve["period"][k], rel=1e-6)


def test_bad_input_is_named():
    with pytest.raises(ParameterError, match="start2"):
        continue_cycle_folds(bistable_example(), "tau_I", 50, 70, "M_II", -0.3, -0.2)
    with pytest.raises(ParameterError, match="stop2"):
        continue_cycle_folds(bistable_example(), "tau_I", 50, 70, "M_II", -0.5, -0.5)
    with pytest.raises(ParameterError, match="fold of cycles"):  # the fold is at 57.16
        continue_cycle_folds(bistable_example().replace(tau_I=65.0), "tau_I", 60.5, 70,
                             "M_II", -0.6, -0.4)


def test_cli_param2_adds_the_fold_of_cycles_curve():
    import json

    from click.testing import CliRunner

    from ratenet.cli import main

    res = CliRunner().invoke(main, [
        "ei", "bifurcation", "--param", "tau_I", "--start", "50", "--stop", "70", "--m-ii",
        "-0.5", "--tau-i", "58", "--param2", "M_II", "--start2", "-0.6", "--stop2", "-0.4",
        "--json"])
    assert res.exit_code == 0, res.output
    curves = json.loads(res.stdout)["curves"]
    (fold,) = [c for c in curves if c["kind"] == "fold of cycles"]
    assert min(fold["M_II"]) == pytest.approx(-0.6) and max(fold["M_II"]) == pytest.approx(-0.4)
    hopf = [c for c in curves if "hopf" in c["kind"].lower()]
    assert hopf  # the curve of non-smooth Hopf points is there too
