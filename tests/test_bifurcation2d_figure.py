"""The two-parameter figure draws the fold-of-cycles curve, and labels the bistable strip
between it and the Hopf curve.

The example: ``bistable_example()`` (the E-I model with M_II = -0.5) in
(tau_I, M_II) in [50, 70] x [-0.6, -0.4].  The focus (40, 20) Hz loses stability on the
closed-form non-smooth Hopf curve tau_I = tau_E (1 - M_II) / (M_EE - 1); below it in tau_I,
down to the fold of cycles, a stable cycle coexists with the stable focus.  The bistable
point is checked here by integrating the equations (scipy) from two starts.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from ratenet import ParameterError
from ratenet.continuation.cycle_folds import continue_cycle_folds
from ratenet.continuation.cycles import bistable_example
from ratenet.continuation.two_parameter import continue_special_curves
from ratenet.plotting.bifurcation2d import (
    CURVE_STYLES,
    classify_regions,
    plot_two_parameter,
    two_parameter_figure,
)

BOX = ("tau_I", 50.0, 70.0, "M_II", -0.6, -0.4)
M = bistable_example()


def hopf_tau_I(M_II):
    """The trace of the both-active Jacobian vanishes."""
    return M.tau_E * (1.0 - np.asarray(M_II)) / (M.M_EE - 1.0)


def ei_rhs(tau_I: float, M_II: float):
    """tau dnu/dt = -nu + [W nu - gamma]_+, written out for the two populations."""
    def f(t, y):
        E, I = y
        uE = M.M_EE * E + M.M_EI * I - M.gamma_E
        uI = M.M_IE * E + M_II * I - M.gamma_I
        return [(-E + max(uE, 0.0)) / M.tau_E, (-I + max(uI, 0.0)) / tau_I]
    return f


@pytest.fixture(scope="module")
def hopf_curves():
    return continue_special_curves(M, *BOX, kinds=("hopf",), seeds=1)


def lines_with_data(ax, x, y):
    return [ln for ln in ax.get_lines()
            if np.asarray(ln.get_xdata()).shape == np.shape(x)
            and np.array_equal(np.asarray(ln.get_xdata(), dtype=float), x)
            and np.array_equal(np.asarray(ln.get_ydata(), dtype=float), y)]


def test_fold_of_cycles_curve_is_a_line_of_its_points_with_its_legend_entry(hopf_curves):
    # a curve given by hand: the artist must carry exactly its points
    fold = {"kind": "fold of cycles", "tau_I": [53.8, 55.5, 57.2, 58.8, 60.5],
            "M_II": [-0.4, -0.45, -0.5, -0.55, -0.6]}
    fig = two_parameter_figure(hopf_curves, fold_of_cycles=fold)
    ax = fig.axes[0]
    (line,) = lines_with_data(ax, np.array(fold["tau_I"]), np.array(fold["M_II"]))
    color, ls = CURVE_STYLES["fold of cycles"]
    assert line.get_linestyle() == ls and matplotlib.colors.same_color(line.get_color(), color)
    # distinct from the Hopf curve's style
    hopf_line = [ln for ln in ax.get_lines() if ln is not line and len(ln.get_xdata()) > 2]
    assert hopf_line and all(h.get_linestyle() != ls for h in hopf_line)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "fold of cycles" in legend and "non-smooth Hopf (linear centre)" in legend
    plt.close(fig)
    # several curves: one line each, one legend entry
    ax = plot_two_parameter(hopf_curves, fold_of_cycles=[fold, {
        "tau_I": [51.0, 52.0], "M_II": [-0.42, -0.44]}])
    assert len(lines_with_data(ax, np.array([51.0, 52.0]), np.array([-0.42, -0.44]))) == 1
    assert [t.get_text() for t in ax.get_legend().get_texts()].count("fold of cycles") == 1
    plt.close(ax.figure)


@pytest.mark.parametrize("bad", [{"tau_I": [1.0]}, {"P": [1.0], "Q": [2.0]},
                                 [{"tau_I": [1.0, 2.0], "M_II": [0.0]}], [3.0]])
def test_a_bad_fold_of_cycles_curve_is_refused_naming_the_argument(hopf_curves, bad):
    with pytest.raises(ParameterError) as err:
        plot_two_parameter(hopf_curves, fold_of_cycles=bad)
    assert err.value.name == "fold_of_cycles"
    plt.close("all")


def test_point_between_the_curves_is_bistable_by_simulation_and_in_the_figure(hopf_curves):
    # the row M_II = -0.5 (the box's midpoint), tau_I = 50, 50.5, ..., 70
    row = classify_regions(M, *BOX, num=41, rows=1, time_limit=60.0)
    assert row.Q[0] == pytest.approx(-0.5)
    j = int(np.argmin(np.abs(row.P - 58.5)))
    p = float(row.P[j])
    (fold,) = row.cycle_folds  # the row's fold of cycles, below the Hopf point (60 ms)
    assert fold[0] < p < hopf_tau_I(-0.5) == pytest.approx(60.0)
    assert row.label(0, j) == "bistable"
    # independently: from next to the focus the rates settle on (40, 20) Hz (solving
    # nu = [W nu - gamma]_+ in the both-active region); from far out, on a cycle
    W = np.array([[M.M_EE, M.M_EI], [M.M_IE, -0.5]])
    focus = np.linalg.solve(np.eye(2) - W, -np.array([M.gamma_E, M.gamma_I]))
    np.testing.assert_allclose(focus, [40.0, 20.0], rtol=1e-12)
    t_end = 12000.0
    late = np.linspace(t_end - 1500.0, t_end, 1501)
    near = solve_ivp(ei_rhs(p, -0.5), (0, t_end), focus + [1.0, 0.0], rtol=1e-8,
                     atol=1e-8, dense_output=True).sol(late)
    assert np.max(np.abs(near - focus[:, None])) < 0.05
    far = solve_ivp(ei_rhs(p, -0.5), (0, t_end), [90.0, 40.0], rtol=1e-8, atol=1e-8,
                    dense_output=True).sol(late)
    assert np.ptp(far[0]) > 50.0  # a cycle of tens of Hz (period about 220 ms)
    # the drawn regions say the same at that point, and the label sits in the strip
    ax = plot_two_parameter(hopf_curves, row)
    (mesh,) = ax.collections
    codes = np.asarray(mesh.get_array()).reshape(-1, mesh.get_coordinates().shape[1] - 1)
    xe = mesh.get_coordinates()[0, :, 0]
    ye = mesh.get_coordinates()[:, 0, 1]
    ix = int(np.searchsorted(xe, p) - 1)
    iy = int(np.searchsorted(ye, -0.5) - 1)
    assert codes[iy, ix] - 1 == 3  # REGIONS[3] == "bistable"
    (label,) = [t for t in ax.texts if t.get_text() == "bistable"]
    assert fold[0] < label.get_position()[0] < hopf_tau_I(-0.5)
    plt.close(ax.figure)


@pytest.mark.slow
def test_continued_fold_of_cycles_curve_in_the_figure_and_against_the_rows(hopf_curves):
    fold = continue_cycle_folds(M, *BOX)
    P, Q = np.array(fold["tau_I"]), np.array(fold["M_II"])
    # it spans the box in M_II and lies below the Hopf curve in tau_I (the bistable strip)
    assert Q.min() == pytest.approx(-0.6) and Q.max() == pytest.approx(-0.4)
    assert np.all(P < hopf_tau_I(Q))
    row = classify_regions(M, *BOX, num=41, rows=1, time_limit=60.0)
    (row_fold,) = row.cycle_folds  # found by a one-parameter continuation along the row
    order = np.argsort(Q)
    assert np.interp(-0.5, Q[order], P[order]) == pytest.approx(row_fold[0], abs=2e-3)
    fig = two_parameter_figure(hopf_curves, row, fold_of_cycles=fold)
    ax = fig.axes[0]
    assert len(lines_with_data(ax, P, Q)) == 1
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"fold of cycles", "fold of cycles (on the rows)", "bistable"} <= set(legend)
    # the row's fold is drawn as a marker only, on the curve
    (marks,) = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert marks.get_linestyle() == "None"
    plt.close(fig)


@pytest.mark.slow
def test_cli_plot_draws_the_fold_of_cycles_curve(monkeypatch, tmp_path):
    # the CLI hands the curve it puts in the JSON to the figure (the curve starts from the
    # model's own cycle: --tau-i inside --start/--stop)
    from click.testing import CliRunner

    import ratenet.plotting.bifurcation2d as b2d
    from ratenet.cli import main

    seen = {}
    real = b2d.two_parameter_figure

    def spy(*args, **kwargs):
        fig = real(*args, **kwargs)
        seen["fold"] = kwargs.get("fold_of_cycles")
        seen["lines"] = [(np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float))
                         for ln in fig.axes[0].get_lines()]
        return fig

    monkeypatch.setattr(b2d, "two_parameter_figure", spy)
    out = tmp_path / "two.png"
    r = CliRunner().invoke(main, ["ei", "bifurcation", "--param", "tau_I", "--start", "50",
                                  "--stop", "70", "--num", "21", "--m-ii", "-0.5", "--tau-i", "58",
                                  "--param2",
                                  "M_II", "--start2", "-0.6", "--stop2", "-0.4", "--plot",
                                  str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert out.stat().st_size > 10000
    fold = seen["fold"]
    assert fold is not None and fold["kind"] == "fold of cycles"
    P, Q = np.array(fold["tau_I"]), np.array(fold["M_II"])
    assert any(x.shape == P.shape and np.array_equal(x, P) and np.array_equal(y, Q)
               for x, y in seen["lines"])
    assert np.all(P < hopf_tau_I(Q))
