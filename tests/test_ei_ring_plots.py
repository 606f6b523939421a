"""Figures of the E-I ring (:mod:`ratenet.plotting.ei_ring`): what they draw is checked
against the data and against closed forms of the per-mode theory."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ratenet as rn
from ratenet import ParameterError
from ratenet.plotting._style import E_COLOR, I_COLOR
from ratenet.plotting.ei_ring import (
    PATTERN_COLORS,
    ei_ring_summary_figure,
    plot_mode_spectrum,
    plot_pattern_map,
    plot_spacetime_ei,
)

BASE = dict(J_EE0=1.25, J_EI0=-1.0, J_IE0=1.0, J_II0=0.0, J_EE1=3.0, J_EI1=-2.0, J_IE1=2.0,
            h_E=10.0, h_I=-10.0, tau_E=10.0, tau_I=30.0)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def traj():
    m = rn.EIRingModel(**BASE, N=32)
    return rn.simulate(m, t_max=300.0, dt=0.05, record_every=40, seed=3)


def test_spacetime_draws_E_and_I_rates_in_hz_with_degree_axis(traj):
    axes = plot_spacetime_ei(traj)
    assert len(axes) == 2
    for ax, r, color in ((axes[0], traj.r_E, E_COLOR), (axes[1], traj.r_I, I_COLOR)):
        mesh = ax.collections[0]
        np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(32, -1), r.T)
        assert ax.get_ylabel() == r"preferred angle $\theta$ (deg)"
        assert list(ax.get_yticks()) == [0, 90, 180, 270, 360]
        assert ax.title.get_color() == color
    labels = [a.get_ylabel() for a in axes[0].figure.axes[2:]]  # the colour bars
    assert labels == ["$r_E$ (Hz)", "$r_I$ (Hz)"]
    assert axes[1].get_xlabel() == "time $t$ (ms)"


def test_spacetime_radians_and_t_min(traj):
    axes = plot_spacetime_ei(traj, degrees=False, t_min=150.0, colorbar=False)
    assert axes[0].get_ylabel().endswith("(rad)")
    np.testing.assert_allclose(axes[0].get_yticks(), np.arange(5) * np.pi / 2)
    kept = np.asarray(traj.t) >= 150.0
    assert axes[0].collections[0].get_array().size == 32 * kept.sum()
    with pytest.raises(ParameterError, match="t_min"):
        plot_spacetime_ei(traj, t_min=1e9)


def test_spacetime_batch_rows_and_bad_input():
    ms = [rn.EIRingModel(**{**BASE, "tau_I": t}, N=16) for t in (15.0, 30.0)]
    tr = rn.simulate(ms, t_max=50.0, record_every=100)
    a0 = plot_spacetime_ei(tr, row=1, colorbar=False)
    np.testing.assert_array_equal(np.asarray(a0[0].collections[0].get_array()).reshape(16, -1),
                                  tr.r_E[1].T)
    for bad in (None, 2, -3):
        with pytest.raises(ParameterError, match="row"):
            plot_spacetime_ei(tr, row=bad)
    with pytest.raises(ParameterError, match="traj"):
        plot_spacetime_ei(object())


def _lead(A: np.ndarray) -> float:
    return float(np.max(np.linalg.eigvals(A).real))


@settings(max_examples=8, deadline=None)
@given(jee1=st.floats(2.2, 6.0), jii1=st.floats(-3.0, 0.0))
def test_mode_spectrum_curves_and_hopf_points_match_the_closed_form(jee1, jii1):
    """Mode 1's curve is max Re eig of its hand-built 2 x 2 matrix; its Hopf point is
    tau_E (1 - J_II1/2) / (J_EE1/2 - 1) when det > 0 there."""
    m = rn.EIRingModel(**{**BASE, "J_EE1": jee1, "J_II1": jii1})
    taus = np.linspace(2.0, 120.0, 25)
    ax = plot_mode_spectrum(m, tau_I=taus)
    c = np.array([[jee1, -2.0], [2.0, jii1]]) / 2
    line = next(ln for ln in ax.lines if ln.get_label() == "mode k = 1")
    x, y = line.get_data()
    dashed = ax.lines[list(ax.lines).index(line) + 1]  # the real-eigenvalue stretches
    y = np.where(np.isfinite(y), y, dashed.get_ydata())
    for t, v in zip(x, y):
        A = (c - np.eye(2)) / np.array([10.0, t])[:, None]
        assert v == pytest.approx(_lead(A), abs=1e-12)
    a, d = jee1 / 2 - 1, jii1 / 2 - 1
    D = a * d - c[0, 1] * c[1, 0]
    expected = [40.0]  # mode 0: 10 (1 - 0) / 0.25
    if a > 0 and D > 0 and 2.0 <= 10.0 * (-d) / a <= 120.0:
        expected.append(10.0 * (-d) / a)
    np.testing.assert_allclose(sorted(ax.hopf_points), sorted(expected), rtol=1e-12)


def test_mode_spectrum_default_range_and_legend_below_the_axes():
    m = rn.EIRingModel(**BASE)
    ax = plot_mode_spectrum(m)
    np.testing.assert_allclose(sorted(ax.hopf_points), [20.0, 40.0], rtol=1e-12)
    lo, hi = ax.get_xlim()
    assert lo == pytest.approx(1.0) and hi >= 60.0  # 1.5 x the last Hopf point
    fig = ax.figure
    fig.canvas.draw()
    leg = ax.get_legend().get_window_extent()
    assert leg.y1 <= ax.get_window_extent().y0  # hides no curve
    with pytest.raises(ParameterError, match="tau_I"):
        plot_mode_spectrum(m, tau_I=[0.0, 1.0])


def _fake_diagram(pattern):
    m = rn.EIRingModel(**BASE, N=16)
    return SimpleNamespace(
        x_param="J_EE1", y_param="tau_I", x=np.array([0.0, 2.0, 4.0]),
        y=np.array([30.0, 50.0]), pattern=np.array(pattern), theory=np.array(
            [["homogeneous"] * 3, ["bulk oscillation"] * 3]),
        boundaries=[{"mode": 0, "kind": "hopf", "x": np.array([0.0, 2.0, 4.0]),
                     "y": np.array([40.0, 40.0, 40.0])}],
        agreement=4 / 6, base=m.to_dict())


def test_pattern_map_colours_cells_and_draws_the_mode0_hopf_line_at_40_ms():
    pat = [["homogeneous", "homogeneous", "travelling wave"],
           ["bulk oscillation", "bulk oscillation", "irregular"]]
    ax = plot_pattern_map(_fake_diagram(pat), resolution=21)
    names = list(PATTERN_COLORS)
    cells = np.asarray(ax.collections[0].get_array()).reshape(2, 3)
    assert [[names[int(v)] for v in row] for row in cells] == pat
    # the zero contour of mode 0's leading eigenvalue: tau_I = 40 for every J_EE1
    # (linear interpolation on the 21-point grid in tau_I errs by far less than a step)
    contours = [c for c in ax.collections[1:] if hasattr(c, "get_paths") and c.get_paths()]
    ys = np.concatenate([p.vertices[:, 1] for c in contours for p in c.get_paths()
                         if np.ptp(p.vertices[:, 1]) < 1.0])
    assert ys.size and np.allclose(ys, 40.0, atol=0.05)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "theory: mode 0 loses stability (Hopf point)" in texts
    assert "travelling wave" in texts and "stationary bump" not in texts
    assert ax.get_ylabel() == r"$\tau_{I}$ (ms)" and ax.get_xlabel() == r"$J_{EE1}$"
    assert "66.7%" in ax.get_title()


def test_pattern_map_refuses_a_wrong_shape():
    with pytest.raises(ParameterError, match="pattern"):
        plot_pattern_map(_fake_diagram([["homogeneous"] * 2] * 2))


def test_summary_figure_has_spacetime_and_spectrum(traj, tmp_path):
    fig = ei_ring_summary_figure(traj, t_min=100.0)
    assert len(fig.axes) == 5  # E, I, spectrum, two colour bars
    fig.savefig(tmp_path / "s.png", dpi=60)
    assert (tmp_path / "s.png").stat().st_size > 1000
