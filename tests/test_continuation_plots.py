"""The two-parameter diagram (ratenet.plotting.bifurcation2d) and its regions.

Independent references: the Hopf curve in closed form, tau_I = tau_E (1 - M_II)/(M_EE - 1),
and exact simulations from a far start, which end on a cycle only where one is stable.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from click.testing import CliRunner

from ratenet import EIModel, ParameterError
from ratenet.analysis import trajectory
from ratenet.continuation.cycles import bistable_example
from ratenet.continuation.two_parameter import continue_special_curves
from ratenet.plotting.bifurcation2d import (
    REGIONS,
    classify_regions,
    plot_two_parameter,
    two_parameter_figure,
)


@pytest.fixture(scope="module")
def hopf_curves():
    return continue_special_curves(EIModel(), "M_EE", 1.05, 1.95, "tau_I", 12.0, 150.0,
                                   kinds=("hopf",))


def test_figure_draws_the_hopf_curve_of_the_closed_form(hopf_curves, tmp_path):
    fig = two_parameter_figure(hopf_curves, title="E-I model")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "$M_{EE}$"
    assert ax.get_ylabel() == "$\\tau_I$ (ms)"
    (line,) = [ln for ln in ax.get_lines() if ln.get_xdata().size > 2]
    x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    np.testing.assert_allclose(y, 10.0 * (1.0 - 0.0) / (x - 1.0), rtol=1e-8)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["non-smooth Hopf (linear centre)"]
    path = tmp_path / "hopf2d.png"
    fig.savefig(path, dpi=60)
    assert path.stat().st_size > 5000


@pytest.fixture(scope="module")
def row():
    # one row (M_EE = 1.25, the midpoint), tau_I = 50, 54, 58, 62, 66 ms
    return classify_regions(bistable_example(), "tau_I", 50.0, 66.0, "M_EE", 1.2, 1.3, num=5,
                            rows=1, time_limit=60.0)


def test_regions_of_one_row_against_closed_form_and_simulation(row):
    got = [row.label(0, j) for j in range(5)]
    assert got == ["stable equilibrium", "stable equilibrium", "bistable", "stable cycle",
                   "stable cycle"]
    # the equilibrium side: stable below the closed-form Hopf point, unstable above
    hopf = 10.0 * (1 + 0.5) / (1.25 - 1)
    for j, p in enumerate(row.P):
        assert ("equilibrium" in got[j] or got[j] == "bistable") == (p < hopf)
    # the cycle side, by brute force: from far out the rates end on a cycle or at rest
    for p, expect_cycle in ((54.0, False), (58.0, True), (62.0, True)):
        tr = trajectory(bistable_example().replace(tau_I=p), np.array([90.0, 40.0]),
                        t_max=30000.0, dt=1.0)
        swing = float(np.ptp(np.asarray(tr.rates)[-3000:, 0]))
        assert (swing > 50.0) == expect_cycle, (p, swing)
    # the fold of cycles of the row lies in the cell boundary 54 < fold < 58
    (fold,) = row.cycle_folds
    assert 54.0 < fold[0] < 58.0 and fold[1] == pytest.approx(1.25)


def test_regions_figure_labels_every_region_present(row, tmp_path):
    curves = continue_special_curves(bistable_example(), "tau_I", 50.0, 66.0, "M_EE", 1.2, 1.3,
                                     kinds=("hopf",))
    fig = two_parameter_figure(curves, row)
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert {"stable equilibrium", "stable cycle"} <= texts  # 'bistable' is one cell: no label
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    for name in ("stable equilibrium", "bistable", "stable cycle",
                 "fold of cycles (on the rows)", "non-smooth Hopf (linear centre)"):
        assert name in legend
    assert ax.get_xlim() == pytest.approx((48.0, 68.0))  # cells of width 4 around 50 ... 66
    fig.savefig(tmp_path / "regions.png", dpi=60)


def test_time_cap_leaves_rows_unclassified_and_says_so():
    g = classify_regions(bistable_example(), "tau_I", 50.0, 66.0, "M_EE", 1.2, 1.3, num=3,
                         rows=3, time_limit=1e-9)
    assert np.all(g.codes == -1)
    assert g.label(0, 0) == "unclassified"
    assert any("time limit" in n for n in g.notes)
    ax = plot_two_parameter(None, g)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "unclassified (time cap, or a cycle not continued)" in legend
    assert g.to_dict()["regions"] == list(REGIONS)


@pytest.mark.parametrize("kw, name", [
    (dict(num=1), "num"), (dict(rows=0), "rows"), (dict(time_limit=0.0), "time_limit"),
    (dict(stop=50.0), "stop"), (dict(stop2=1.2), "stop2"),
])
def test_bad_input_names_the_parameter(kw, name):
    args = dict(start=50.0, stop=66.0, start2=1.2, stop2=1.3)
    args.update({k: v for k, v in kw.items() if k in args})
    extra = {k: v for k, v in kw.items() if k not in args}
    with pytest.raises(ParameterError) as err:
        classify_regions(bistable_example(), "tau_I", args["start"], args["stop"], "M_EE",
                         args["start2"], args["stop2"], **extra)
    assert err.value.name == name


def test_bad_grid_sizes_property():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=10, deadline=None)
    @hypothesis.given(num=st.integers(-5, 1) | st.integers(1001, 10**6),
                      rows=st.integers(1, 3))
    def check(num, rows):
        with pytest.raises(ParameterError) as err:
            classify_regions(bistable_example(), "tau_I", 50.0, 66.0, "M_EE", 1.2, 1.3,
                             num=num, rows=rows)
        assert err.value.name == "num"

    check()


def test_plot_needs_something_to_draw():
    with pytest.raises(ParameterError):
        plot_two_parameter(None, None)


@pytest.mark.slow
def test_cli_plot_with_param2_writes_the_two_parameter_diagram(tmp_path):
    from ratenet.cli import main

    out = tmp_path / "two.png"
    r = CliRunner().invoke(main, ["ei", "bifurcation", "--param", "tau_I", "--start", "40",
                                  "--stop", "80", "--num", "5", "--m-ii", "-0.5", "--param2",
                                  "M_EE", "--start2", "1.1", "--stop2", "1.6", "--plot",
                                  str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert out.stat().st_size > 10000


# ---------------------------------------------------------------- the explorer's E-I view
@pytest.fixture(scope="module")
def ei_view():
    pytest.importorskip("panel", reason="the explorer needs the 'app' extra (panel, bokeh)")
    from ratenet.app import create_app

    ei = create_app().ratenet_views["ei"]
    ei.sliders["M_II"].value = -0.5
    ei.sliders["tau_I"].value = 58.0
    ei.update()
    ei.compute_diagram()
    return ei


def test_explorer_diagram_splits_stability_at_the_closed_form_hopf_point(ei_view):
    hopf = 10.0 * (1 + 0.5) / (1.25 - 1)  # tau_E (1 - M_II)/(M_EE - 1) = 60 ms
    eq_s = ei_view.src_bif["eq_stable"].data
    eq_u = ei_view.src_bif["eq_unstable"].data
    assert max(max(xs) for xs in eq_s["xs"]) == pytest.approx(hopf, rel=1e-8)
    assert min(min(xs) for xs in eq_u["xs"]) == pytest.approx(hopf, rel=1e-8)
    # the equilibrium is (40, 20) Hz at every tau_I: nu_E = 40 on both runs
    for d in (eq_s, eq_u):
        np.testing.assert_allclose(np.concatenate(d["ys"]), 40.0, rtol=1e-12)
    pts = ei_view.src_bif_pts.data
    kinds = list(pts["kind"])
    h = [x for x, k in zip(pts["x"], kinds) if "Hopf" in k]
    assert h and all(x == pytest.approx(hopf, rel=1e-8) for x in h)
    (fold,) = sorted({round(x, 9) for x, k in zip(pts["x"], kinds) if k == "fold of cycles"})
    # the unstable cycles lie between the fold and the Hopf point, below the Hopf value
    xs_u = np.concatenate(ei_view.src_bif["cyc_unstable"].data["xs"])
    assert xs_u.min() == pytest.approx(fold, rel=1e-9) and xs_u.max() <= hopf * (1 + 1e-9)
    # brute force on either side of the fold: a far start ends on a cycle only above it
    for p, cycle in ((fold - 0.3, False), (fold + 0.3, True)):
        tr = trajectory(bistable_example().replace(tau_I=p), np.array([90.0, 40.0]),
                        t_max=30000.0, dt=1.0)
        assert (float(np.ptp(np.asarray(tr.rates)[-3000:, 0])) > 50.0) == cycle
    assert ei_view.bif_now.location == 58.0
    assert "fold of cycles" in ei_view.bif_text.text


def test_explorer_current_value_line_follows_the_slider_and_select_switches(ei_view):
    ei_view.sliders["tau_I"].value = 65.0
    ei_view.update()
    assert ei_view.bif_now.location == 65.0
    ei_view.w_bif_param.value = "gamma_E"  # recomputed for the new parameter
    assert ei_view.fig_bif.xaxis.axis_label == "gamma_E (Hz)"
    assert ei_view.bif_now.location == ei_view.sliders["gamma_E"].value
    xs = np.concatenate(ei_view.src_bif["eq_stable"].data["xs"]
                        + ei_view.src_bif["eq_unstable"].data["xs"])
    assert xs.min() >= -40.0 - 1e-9 and xs.max() <= 40.0 + 1e-9  # the slider's range
    assert "gamma_E from -40 to 40" in ei_view.bif_text.text
