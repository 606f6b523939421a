"""E-I figures: each function returns its Axes and draws what it says (data checked)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from ratenet import EIModel, ParameterError, simulate
from ratenet.analysis import bifurcation_diagram, find_limit_cycle
from ratenet.plotting.ei import (
    bifurcation_figure,
    phase_plane_figure,
    plot_cycle_amplitude,
    plot_eigenvalues,
    plot_flow_signs,
    plot_period,
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
    assert ax.get_xlabel() == r"$\tau_I$ (ms)" and "1/ms" in ax.get_ylabel()


def test_figures_have_their_panels():
    d = bifurcation_diagram(EIModel(), "tau_I", np.linspace(30, 60, 11))
    fig = bifurcation_figure(d)
    panels = [a for a in fig.axes if a.get_label() != "<colorbar>"]
    assert len(panels) == 6
    assert all(a.get_xlabel() and a.get_ylabel() for a in panels)
    fig = phase_plane_figure(EIModel(tau_I=50.0))
    assert len(fig.axes) == 2


def test_flow_signs_follow_the_nullclines():
    m = EIModel(tau_I=30.0)
    ax = plot_flow_signs(m, x_range=(0.0, 60.0), y_range=(0.0, 40.0), num=(12, 8))
    horiz, vert = ax.collections
    E, I = horiz.X, horiz.Y
    assert E.size == 96 and np.all((0 < E) & (E < 60)) and np.all((0 < I) & (I < 40))
    # E rises below the E-nullcline nu_I = nu_E/4 + 10; I rises right of nu_E = nu_I + 10
    # (on its silent branch nu_I = 0 it can only fall)
    np.testing.assert_array_equal(horiz.U, np.sign(E / 4 + 10 - I))
    np.testing.assert_array_equal(vert.V, np.sign(np.maximum(E - 10, 0) - I))
    assert not np.any(horiz.V) and not np.any(vert.U)
    assert "Hz" in ax.get_xlabel() and ax.get_xlim() == (0.0, 60.0)


def _closed_form(tau_I):
    """Trace, determinant and rotation frequency of the E-I Jacobian (both active)."""
    tr = 0.25 / 10 - 1 / tau_I
    det = 0.75 / (10 * tau_I)
    return tr, det, np.sqrt(det - tr**2 / 4)


def test_trace_determinant_marks_and_linear_period():
    d = bifurcation_diagram(EIModel(), "tau_I", np.linspace(20, 80, 61), cycles=False)
    ax = plot_trace_determinant(d, marks=(30.0, 50.0))
    for t in (30.0, 50.0):
        (note,) = [a for a in ax.texts if a.get_text() == rf"$\tau_I$ = {t:g} ms"]
        tr, det, _ = _closed_form(t)
        assert note.xy == pytest.approx((tr, det), rel=1e-12)
    ax = plot_period(d, linear=True)
    (line,) = [ln for ln in ax.lines if ln.get_label().startswith(r"$2\pi")]
    _, _, omega = _closed_form(np.asarray(line.get_xdata()))
    np.testing.assert_allclose(line.get_ydata(), 2 * np.pi / omega, rtol=1e-12)


def test_cycle_amplitude_against_the_distance_to_onset():
    offsets = np.array([0.1, 1.0, 10.0])
    d = bifurcation_diagram(EIModel(), "tau_I", 40.0 + offsets)
    ax = plot_cycle_amplitude(d, onset=40.0)
    data, ref = ax.lines
    np.testing.assert_allclose(data.get_xdata(), offsets, rtol=1e-12)
    for tau, a in zip(40.0 + offsets, data.get_ydata()):
        assert a == pytest.approx(find_limit_cycle(EIModel(tau_I=tau)).amplitude[0], rel=1e-6)
    x, y = ref.get_xdata(), ref.get_ydata()   # square-root law through the farthest point
    np.testing.assert_allclose(y, data.get_ydata()[-1] * np.sqrt(x / 10.0))
    assert ax.get_xscale() == "log"
    with pytest.raises(ParameterError, match="onset"):
        plot_cycle_amplitude(d)   # no Hopf point on this grid, none given
    with pytest.raises(ParameterError, match="diagram"):
        plot_cycle_amplitude(bifurcation_diagram(EIModel(), "tau_I", [45.0, 50.0], cycles=False),
                             onset=40.0)


def test_trajectory_labels_give_each_run_its_colour():
    m = EIModel(tau_I=50.0)
    runs = [simulate(m, t_max=50.0, dt=0.1, x0=x0) for x0 in ([25.0, 25.0], [50.0, 60.0])]
    ax = plot_phase_plane(m, trajectories=runs, trajectory_labels=["in", "out"],
                          arrows=False, streamlines=False)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert lines["in"].get_color() != lines["out"].get_color()
    np.testing.assert_array_equal(lines["out"].get_xydata(), runs[1].rates)
    with pytest.raises(ParameterError, match="trajectory_labels"):
        plot_phase_plane(m, trajectories=runs, trajectory_labels=["only one"])
