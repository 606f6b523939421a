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
