"""``ei bifurcation --param2`` (two-parameter curves) and ``ei analyze`` (coexisting attractors).

Independent references: the Hopf curve of the threshold-linear E-I model in closed form
(the trace of the both-active Jacobian vanishes: tau_I = tau_E (1 - M_II) / (M_EE - 1)),
and exact simulations from two starts for the bistability that ``ei analyze`` reports.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from ratenet.analysis import trajectory
from ratenet.cli import main
from ratenet.models.ei import EIModel

BIF = ("ei", "bifurcation", "--param", "tau_I", "--start", "40", "--stop", "80", "--num", "5",
       "--no-cycles")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def hopf_tau_I(M_EE, M_II, tau_E=10.0):
    return tau_E * (1.0 - M_II) / (M_EE - 1.0)


def test_param2_adds_curves_with_keys_named_by_the_parameters():
    r = run(*BIF, "--m-ii", "-0.5", "--param2", "M_EE", "--start2", "1.1", "--stop2", "1.6",
            "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    # today's keys are kept
    assert {"param", "values", "points", "branches", "names", "model"} <= set(d)
    hopf = [c for c in d["curves"] if "Hopf" in c["kind"]]
    assert len(hopf) == 1
    c = hopf[0]
    assert {"kind", "tau_I", "M_EE"} <= set(c)
    assert len(c["tau_I"]) == len(c["M_EE"]) >= 10
    # the curve spans the box: M_EE from the value where tau_I = 80 to where tau_I = 40
    P, Q = np.array(c["tau_I"]), np.array(c["M_EE"])
    assert P.min() == pytest.approx(40.0, rel=1e-9) and P.max() == pytest.approx(80.0, rel=1e-9)
    assert Q.min() == pytest.approx(1.0 + 15.0 / 80.0, rel=1e-8)
    assert Q.max() == pytest.approx(1.0 + 15.0 / 40.0, rel=1e-8)


@pytest.mark.parametrize("M_II, box", [("0", ("1.1", "2.0")), ("-0.5", ("1.1", "1.6")),
                                       ("-1", ("1.3", "1.45"))])
def test_hopf_curve_against_the_closed_form(M_II, box):
    r = run(*BIF, "--m-ii", M_II, "--param2", "M_EE", "--start2", box[0], "--stop2", box[1],
            "--json")
    assert r.exit_code == 0, r.output
    (c,) = [c for c in json.loads(r.output)["curves"] if "Hopf" in c["kind"]]
    P, Q = np.array(c["tau_I"]), np.array(c["M_EE"])
    np.testing.assert_allclose(P, hopf_tau_I(Q, float(M_II)), rtol=1e-8)
    # and at a few points chosen here: the curve interpolated against the formula
    for q in (1.3, 1.5, 1.7):
        if Q.min() < q < Q.max():
            order = np.argsort(Q)
            p = np.interp(q, Q[order], P[order])
            assert p == pytest.approx(hopf_tau_I(q, float(M_II)), rel=2e-3)  # linear interp.


@pytest.mark.parametrize("extra, message", [
    (("--param2", "M_XX", "--start2", "1", "--stop2", "2"), "--param2"),
    (("--param2", "M_EE", "--start2", "1.2", "--stop2", "1.2"), "--stop2"),
    (("--param2", "M_EE", "--start2", "1.3", "--stop2", "1.2"), "--stop2"),
    (("--param2", "tau_i", "--start2", "10", "--stop2", "20"), "must differ from --param"),
    (("--param2", "M_EE", "--start2", "1.2"), "--start2/--stop2"),
    (("--start2", "1.2", "--stop2", "1.3"), "needs --param2"),
    (("--param2", "tau_E", "--start2", "-1", "--stop2", "5"), "--start2"),
])
def test_bad_param2_input_exits_2_with_one_line(extra, message):
    r = run(*BIF, *extra, "--json")
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert "Traceback" not in r.output
    assert "{" not in r.output  # nothing half-written


def test_param2_box_whose_seed_row_has_its_hopf_point_just_past_the_bound():
    # at M_EE = 1.18 (a seed row) the Hopf point is tau_I = 83.33, past the box [40, 80]:
    # it must not start a curve (it did, and the CLI exited 1, before 5ed817d)
    r = run(*BIF, "--m-ii", "-0.5", "--param2", "M_EE", "--start2", "1.1", "--stop2", "1.5",
            "--json")
    assert r.exit_code == 0, r.output
    (c,) = [c for c in json.loads(r.output)["curves"] if "Hopf" in c["kind"]]
    P, Q = np.array(c["tau_I"]), np.array(c["M_EE"])
    np.testing.assert_allclose(P, hopf_tau_I(Q, -0.5), rtol=1e-8)
    assert Q.min() == pytest.approx(1.0 + 15.0 / 80.0, rel=1e-8)
    assert Q.max() == pytest.approx(1.0 + 15.0 / 40.0, rel=1e-8)


@pytest.mark.slow  # a box where the curve stalls takes its 2000 steps (~10 s on 2 loaded cores)
def test_param2_property_hopf_curve_follows_the_formula():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=6, deadline=None)
    @hypothesis.given(M_II=st.floats(-2.0, 0.0), lo=st.floats(1.05, 1.4),
                      width=st.floats(0.1, 0.6))
    def check(M_II, lo, width):
        r = run(*BIF, "--m-ii", repr(M_II), "--param2", "M_EE", "--start2", repr(lo),
                "--stop2", repr(lo + width), "--json")
        # 1 (with a one-line message): a failure inside the continuation, never a traceback
        assert r.exit_code in (0, 1), r.output
        assert "Traceback" not in r.output
        if r.exit_code == 1:
            assert "two-parameter continuation in (tau_I, M_EE) failed" in r.output
            return
        for c in json.loads(r.output)["curves"]:
            if "Hopf" in c["kind"]:
                Q = np.array(c["M_EE"])
                np.testing.assert_allclose(c["tau_I"], hopf_tau_I(Q, M_II), rtol=1e-8)
                assert np.all((Q >= lo - 1e-12) & (Q <= lo + width + 1e-12))

    check()


# ---------------------------------------------------------------- ei analyze
def _period_from_simulation(model, x0, t_max=12000.0, dt=0.05):
    """Upward crossings of nu_E through the focus's rate over the last half of a run."""
    tr = trajectory(model, np.asarray(x0, float), t_max=t_max, dt=dt)
    t, e = np.asarray(tr.t), np.asarray(tr.rates)[:, 0]
    keep = t > 0.5 * t_max
    t, e = t[keep], e[keep] - 40.0
    k = np.nonzero((e[:-1] < 0) & (e[1:] >= 0))[0]
    crossings = t[k] - e[k] * (t[k + 1] - t[k]) / (e[k + 1] - e[k])
    return np.diff(crossings), tr


def test_analyze_names_the_bistability_and_two_starts_confirm_it():
    r = run("ei", "analyze", "--m-ii", "-0.5", "--tau-i", "58", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert {"model", "fixed_points", "limit_cycle", "hopf_tau_I", "notes"} <= set(d)
    kinds = sorted(a["kind"] for a in d["attractors"])
    assert kinds == ["limit cycle", "stable focus"]
    assert all(a["stable"] for a in d["attractors"])
    assert d["multistability"].startswith("bistable: a stable focus at (40, 20) Hz inside a "
                                          "stable limit cycle")
    (cyc,) = [a for a in d["attractors"] if a["kind"] == "limit cycle"]
    (uns,) = d["unstable_cycles"]
    assert uns["period"] < cyc["period"]
    model = EIModel(M_II=-0.5, tau_I=58.0)
    # start 1: near the focus (inside the unstable cycle): the rates settle on (40, 20) Hz
    tr = trajectory(model, np.array([41.0, 20.0]), t_max=30000.0)
    np.testing.assert_allclose(np.asarray(tr.rates)[-1], [40.0, 20.0], atol=0.05)
    # start 2: outside the stable cycle: it oscillates with the period analyze reports
    assert cyc["nu_E_max"] < 90.0
    periods, tr2 = _period_from_simulation(model, [90.0, 40.0])
    assert periods.size >= 10
    assert np.ptp(periods) < 1e-3 * cyc["period"]  # settled on the cycle
    assert np.mean(periods) == pytest.approx(cyc["period"], rel=1e-4)
    e = np.asarray(tr2.rates)[np.asarray(tr2.t) > 6000.0, 0]
    assert e.max() == pytest.approx(cyc["nu_E_max"], rel=1e-3)
    # and the text says the same
    text = run("ei", "analyze", "--m-ii", "-0.5", "--tau-i", "58")
    assert text.exit_code == 0
    assert f"stable limit cycle (period {cyc['period']:.6g} ms)" in text.output
    assert "separated by an unstable limit cycle" in text.output


def test_analyze_single_attractor_outside_the_bistable_range():
    # tau_I = 50 < fold of cycles (57.16): only the focus; the simulated start far out decays
    r = run("ei", "analyze", "--m-ii", "-0.5", "--tau-i", "50", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert [a["kind"] for a in d["attractors"]] == ["stable focus"]
    assert d["unstable_cycles"] == []
    assert d["multistability"] == "one attractor: a stable focus at (40, 20) Hz"
    tr = trajectory(EIModel(M_II=-0.5, tau_I=50.0), np.array([90.0, 40.0]), t_max=20000.0)
    np.testing.assert_allclose(np.asarray(tr.rates)[-1], [40.0, 20.0], atol=0.05)


def test_analyze_does_not_call_a_fixed_point_on_a_threshold_an_attractor():
    # M_EE = 0: nu_E = [10 - nu_I]_+ and nu_I = [nu_E - 10]_+ meet at (10, 0) Hz, where the
    # input of I is exactly at its threshold: two linear regions, no single Jacobian
    r = run("ei", "analyze", "--m-ee", "0", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    (fp,) = d["fixed_points"]
    assert (fp["nu_E"], fp["nu_I"]) == pytest.approx((10.0, 0.0), abs=1e-12)
    assert d["attractors"] == []
    assert any("(10, 0) Hz is degenerate" in n for n in d["attractor_notes"])
    assert d["multistability"].startswith("no attractor found")
