"""Ring figures: they draw the data and the theory they claim to, on the axes given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from ratenet import ParameterError, RingModel, simulate
from ratenet.plotting import (
    plot_amplification,
    plot_order_parameters,
    plot_profile,
    plot_regime_map,
    plot_spacetime,
    plot_tuning_vs_eps,
    plot_uniform_rate,
    ring_summary_figure,
)
from ratenet.theory import reduced_dynamics_for, stationary_state


@pytest.fixture(scope="module")
def narrow():
    model = RingModel(J0=-2.0, J1=1.5, h0=1.0, eps=0.5, theta0=1.0, N=128)
    return model, simulate(model, t_max=30.0, dt=0.05, method="rk4", record_every=4)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_spacetime_heatmap_shows_the_rates(narrow):
    _, traj = narrow
    fig, ax = plt.subplots()
    assert plot_spacetime(traj, ax=ax) is ax
    mesh = ax.collections[0]
    np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(128, -1),
                                  traj.rates.T)
    assert "deg" in ax.get_ylabel() and "tau" in ax.get_xlabel()
    assert len(fig.axes) == 2  # the colorbar
    ax2 = plot_spacetime(traj, degrees=False, colorbar=False)
    assert "rad" in ax2.get_ylabel()
    assert ax2.get_ylim() == pytest.approx((0, 2 * np.pi))


def test_profile_overlays_the_theory(narrow):
    _, traj = narrow
    ax = plot_profile(traj)
    sim, theo = ax.lines[0], ax.lines[1]
    np.testing.assert_allclose(sim.get_ydata(), traj.rates[-1])
    x = np.radians(theo.get_xdata())
    s = stationary_state(J0=-2.0, J1=1.5, h0=1.0, eps=0.5, theta0=1.0)
    np.testing.assert_allclose(theo.get_ydata(), s.profile(x), atol=1e-12)
    # the two active-region edges theta0 -+ theta_c are marked
    edges = sorted(line.get_xdata()[0] for line in ax.lines[2:])
    expect = sorted(np.degrees(np.mod([1.0 - s.theta_c, 1.0 + s.theta_c], 2 * np.pi)))
    np.testing.assert_allclose(edges, expect)


def test_free_bump_theory_is_centred_on_the_simulated_bump():
    traj = simulate(RingModel(J0=-2.0, J1=3.0, h0=1.0, N=128), t_max=60.0, dt=0.05,
                    record_every=100, seed=4)
    ax = plot_profile(traj, degrees=False)
    theo = ax.lines[1]
    k = np.argmax(theo.get_ydata())
    pos = np.angle(traj.C[-1])
    assert np.angle(np.exp(1j * (theo.get_xdata()[k] - pos))) == pytest.approx(0, abs=0.01)


def test_order_parameters_against_the_reduced_ode():
    N = 128
    th = 2 * np.pi * np.arange(N) / N
    model = RingModel(J0=-1.0, J1=1.2, h0=1.0, eps=0.1, theta0=2.0, t_off=10.0, N=N)
    x0 = 0.5 + 0.2 * np.cos(th)
    traj = simulate(model, t_max=20.0, dt=0.01, method="rk4", x0=x0, record_every=10)
    ax = plot_order_parameters(traj)
    labels = [line.get_label() for line in ax.lines]
    assert labels[:2] == ["$M(t)$, simulation", "$|C(t)|$, simulation"]
    M, C = reduced_dynamics_for(model, traj.t, m_init=x0)
    np.testing.assert_allclose(ax.lines[2].get_ydata(), M)
    np.testing.assert_allclose(ax.lines[3].get_ydata(), np.abs(C))
    assert len(ax.lines[3].get_xdata()) == traj.t.size  # all neurons driven throughout


def test_reduced_ode_is_cut_where_a_neuron_falls_below_threshold(narrow):
    _, traj = narrow
    ax = plot_order_parameters(traj)
    n = len(ax.lines[2].get_xdata())
    assert 1 < n < traj.t.size  # narrow regime: the linear reduction stops applying


def test_amplification_curve_and_boundary():
    ax = plot_amplification(np.linspace(-1, 2.5, 50), J0=-0.25,
                            measured=([0.0, 1.0], [1.25, 2.5]))
    curve = ax.lines[0]
    J1 = curve.get_xdata()
    assert J1.max() < 2  # no linear response beyond J1 = 2
    np.testing.assert_allclose(curve.get_ydata(), 1.25 / (1 - J1 / 2))
    assert ax.lines[2].get_xdata()[0] == pytest.approx(-0.5)  # J1 = 2 J0
    with pytest.raises(ParameterError, match="J0"):
        plot_amplification(J0=1.0)


def test_regime_map_and_summary_figure(narrow):
    _, traj = narrow
    ax = plot_regime_map(np.linspace(-3, 1.5, 20), np.linspace(0, 5, 20), h0=1.0, eps=0.0)
    names = {t.get_text() for t in ax.get_legend().get_texts()}
    assert {"homogeneous", "marginal", "unstable"} <= names
    fig = ring_summary_figure(traj)
    assert len(fig.axes) == 4  # three panels and a colorbar
    with pytest.raises(ParameterError, match="row"):
        plot_spacetime(traj, row=3)


def test_spacetime_needs_a_recorded_trajectory():
    traj = simulate(RingModel(N=16), t_max=1.0, record_every=None)
    with pytest.raises(ParameterError, match="traj"):
        plot_spacetime(traj)


def test_uniform_rate_against_J0():
    J0 = np.array([-4.0, -1.0, 0.0, 0.5, 0.9, 1.0, 1.5])
    ax = plot_uniform_rate(J0, h0=2.0, measured=([-1.0, 0.5], [1.0, 4.0]))
    curve, sim, wall = ax.lines
    np.testing.assert_array_equal(curve.get_xdata(), J0[J0 < 1])  # no uniform state at J0 >= 1
    np.testing.assert_allclose(curve.get_ydata(), 2.0 / (1.0 - J0[J0 < 1]), rtol=1e-15)
    np.testing.assert_array_equal(sim.get_ydata(), [1.0, 4.0])
    assert wall.get_xdata()[0] == 1.0 and ax.get_yscale() == "log"
    with pytest.raises(ParameterError, match="h0"):
        plot_uniform_rate(h0=0.0)


def test_amplification_for_two_J0_shares_one_axes():
    _, ax = plt.subplots()
    for j0, c in ((-0.5, "C0"), (0.4, "C3")):
        plot_amplification(np.linspace(-1, 1.9, 30), J0=j0, ax=ax, color=c,
                           measured=([0.0], [(1 - j0)]))
    boundaries = sorted(ln.get_xdata()[0] for ln in ax.lines if ln.get_linestyle() == "--")
    assert boundaries == pytest.approx([-1.0, 0.8])  # J1 = 2 J0 for each J0
    assert sum(ln.get_linestyle() == ":" for ln in ax.lines) == 1  # J1 = 2 drawn once
    curves = [ln for ln in ax.lines if ln.get_label().startswith("theory")]
    assert [c.get_color() for c in curves] == ["C0", "C3"]
    np.testing.assert_allclose(curves[1].get_ydata(), 0.6 / (1 - curves[1].get_xdata() / 2))


def _g0(t):
    return (np.sin(t) - t * np.cos(t)) / np.pi


def _g1(t):
    return (t - np.sin(t) * np.cos(t)) / (2 * np.pi)


def test_width_and_modulation_against_eps():
    J0, J1, h0 = -1.0, 1.5, 1.0
    eps = np.linspace(0.02, 1.5, 40)
    ax = plot_tuning_vs_eps(eps, J0=J0, J1=J1, h0=h0, measured=([0.5], [1.9], [0.8]))
    right = next(a for a in ax.figure.axes if a is not ax)
    tc = ax.lines[0].get_ydata()
    m1 = right.lines[0].get_ydata()
    e_lim = h0 * (1 - J1 / 2) / (1 - J0)
    assert ax.lines[-1].get_xdata()[0] == pytest.approx(e_lim)
    broad = eps < e_lim
    np.testing.assert_allclose(tc[broad], np.pi)                  # every neuron active
    np.testing.assert_allclose(m1[broad], eps[broad] / (1 - J1 / 2), rtol=1e-10)
    np.testing.assert_allclose(right.lines[1].get_ydata(), eps / (1 - J1 / 2))
    # narrow: theta_c solves eps/h0 = [1 - J1 g1] / [-cos theta_c - J0 g0]
    t = tc[~broad]
    assert np.all(t < np.pi)
    np.testing.assert_allclose((1 - J1 * _g1(t)) / (-np.cos(t) - J0 * _g0(t)),
                               eps[~broad] / h0, rtol=1e-8)
    # and m1 = 2 |C| = 2 A g1 with A = eps / (1 - J1 g1)
    np.testing.assert_allclose(m1[~broad], 2 * eps[~broad] * _g1(t) / (1 - J1 * _g1(t)),
                               rtol=1e-8)


def test_profile_options_several_on_one_axes(narrow):
    _, traj = narrow
    _, ax = plt.subplots()
    plot_profile(traj, ax=ax, origin=-np.pi, stride=4, color="C2", label="a", legend=False,
                 edges=False)
    assert ax.get_xlim() == pytest.approx((-180, 180))
    sim, theo = ax.lines  # no edge lines
    assert sim.get_label() == "a" and theo.get_label().startswith("a, theory")
    assert sim.get_color() == theo.get_color() == "C2"
    x = np.asarray(sim.get_xdata())
    assert x.size == 128 // 4 and np.all((-180 <= x) & (x < 180))
    th = np.radians(x)   # each dot is the rate of the neuron at that angle
    k = np.round(np.mod(th, 2 * np.pi) / (2 * np.pi / 128)).astype(int) % 128
    np.testing.assert_array_equal(sim.get_ydata(), traj.rates[-1][k])
    s = stationary_state(J0=-2.0, J1=1.5, h0=1.0, eps=0.5, theta0=1.0)
    np.testing.assert_allclose(theo.get_ydata(), s.profile(np.radians(theo.get_xdata())),
                               atol=1e-12)
    assert ax.get_legend() is None


def test_spacetime_shows_the_bump_position(narrow):
    _, traj = narrow
    ax = plot_spacetime(traj, degrees=False, position=True, colorbar=False)
    (line,) = ax.lines
    y = np.asarray(line.get_ydata())
    np.testing.assert_allclose(y, np.mod(np.angle(traj.C), 2 * np.pi))  # no wrap here
    # a rotating input drags the bump round the ring: the line breaks at each wrap
    moving = simulate(RingModel(J0=-2.0, J1=1.5, h0=1.0, eps=0.5, omega=0.5, N=64),
                      t_max=30.0, dt=0.05, method="rk4", record_every=2)
    ax = plot_spacetime(moving, degrees=False, position=True, colorbar=False)
    y = np.asarray(ax.lines[0].get_ydata())
    pos = np.mod(np.angle(moving.C), 2 * np.pi)
    n_wraps = int(np.sum(np.abs(np.diff(pos)) > np.pi))
    assert n_wraps >= 2 and int(np.sum(np.isnan(y))) == n_wraps
    np.testing.assert_allclose(y[np.isfinite(y)], pos)


def test_profile_shows_the_input(narrow):
    _, traj = narrow
    ax = plot_profile(traj, degrees=False, show_input=True, theory=None)
    _, inp = ax.lines
    x = np.asarray(inp.get_xdata())
    np.testing.assert_allclose(inp.get_ydata(), 1.0 + 0.5 * np.cos(x - 1.0))  # h0, eps, theta0
    assert ax.get_ylim()[1] >= 1.5   # the input's peak is in view
    moving = simulate(RingModel(eps=0.5, omega=0.2, N=16), t_max=1.0, record_every=5)
    with pytest.raises(ParameterError, match="show_input"):
        plot_profile(moving, show_input=True)
