"""E-I figures: each function returns its Axes and draws what it says (data checked)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from ratenet import EIModel, simulate
from ratenet.analysis import bifurcation_diagram, find_limit_cycle
from ratenet.plotting.ei import (
    bifurcation_figure,
    phase_plane_figure,
    plot_eigenvalues,
    plot_phase_plane,
    plot_time_course,
    plot_trace_determinant,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_phase_plane_draws_exact_nullclines_and_the_cycle():
    m = EIModel(tau_I=50.0)
    cyc = find_limit_cycle(m)
    tr = simulate(m, t_max=200.0, dt=0.1, method="rk4", x0=[25.0, 25.0])
    _, ax = plt.subplots()
    assert plot_phase_plane(m, ax=ax, cycle=cyc, trajectories=[tr]) is ax
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    e_line = lines[r"$d\nu_{E}/dt = 0$"]
    x, y = e_line.get_data()
    np.testing.assert_allclose(y, 0.25 * np.asarray(x) + 10, atol=1e-9)  # ERRATA 6
    i_line = lines[r"$d\nu_{I}/dt = 0$"]
    x, y = i_line.get_data()
    np.testing.assert_allclose(x, np.asarray(y) + 10, atol=1e-9)
    (c,) = [ln for lab, ln in lines.items() if lab.startswith("limit cycle")]
    np.testing.assert_array_equal(c.get_xydata(), cyc.orbit)
    assert "Hz" in ax.get_xlabel() and "Hz" in ax.get_ylabel()
    # the window holds the cycle and the start of the trajectory
    assert ax.get_xlim()[1] >= cyc.maximum[0] and ax.get_ylim()[1] >= cyc.maximum[1]
    assert ax.get_xlim()[0] < 0 < ax.get_xlim()[1]


def test_time_course_axes():
    tr = simulate(EIModel(), t_max=100.0, dt=0.1, x0=[25.0, 25.0])
    ax = plot_time_course(tr)
    assert ax.get_xlabel() == "time (ms)" and ax.get_ylabel() == "rate (Hz)"
    assert len(ax.get_lines()) == 2


def test_trace_determinant_marks_the_centre():
    d = bifurcation_diagram(EIModel(), "tau_I", np.linspace(20, 60, 21), cycles=False)
    ax = plot_trace_determinant(d)
    (star,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("Hopf")]
    x, y = star.get_data()
    assert x[0] == 0 and y[0] == pytest.approx(0.75 / 400)  # det = omega^2 at tau_I = 40
    assert "1/ms" in ax.get_xlabel()
    ax = plot_eigenvalues(d)
    assert ax.get_xlabel() == "tau_I" and "1/ms" in ax.get_ylabel()


def test_figures_have_their_panels():
    d = bifurcation_diagram(EIModel(), "tau_I", np.linspace(30, 60, 11))
    fig = bifurcation_figure(d)
    panels = [a for a in fig.axes if a.get_label() != "<colorbar>"]
    assert len(panels) == 6
    assert all(a.get_xlabel() and a.get_ylabel() for a in panels)
    fig = phase_plane_figure(EIModel(tau_I=50.0))
    assert len(fig.axes) == 2
