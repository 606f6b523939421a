"""One face for every figure: legends clear of the data, parameters written as symbols
(tau_I as the mathtext $\\tau_I$, with its unit), percentages that never round to 100%,
a peak-to-peak quantity called so."""

from __future__ import annotations

import re
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text

from ratenet.analysis import bifurcation_diagram
from ratenet.models.ei import EIModel
from ratenet.plotting.attractor import plot_memory, plot_phase_diagram
from ratenet.plotting.ei import (
    _math_name,
    bifurcation_figure,
    phase_plane_figure,
    plot_cycle_amplitude,
    plot_phase_plane,
    plot_time_course,
)
from ratenet.theory.ring import REGIMES

ASCII_NAME = re.compile(r"\b(tau|gamma|theta|sigma|M|J)_[A-Za-z0-9]")


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _texts(fig) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _outside_math(text: str) -> str:
    return re.sub(r"\$[^$]*\$", "", text)


def _points_in(bbox, ax) -> int:
    """How many drawn data points of ``ax`` (and its twins) fall inside ``bbox`` (pixels)."""
    n = 0
    for a in ax.figure.axes:
        if a.bbox.bounds != ax.bbox.bounds:
            continue
        for line in a.get_lines():
            xy = np.asarray(line.get_xydata(), dtype=float)
            xy = xy[np.all(np.isfinite(xy), axis=1)]
            if xy.size:
                px = line.get_transform().transform(xy)
                n += int(np.sum((px[:, 0] >= bbox.x0) & (px[:, 0] <= bbox.x1)
                                & (px[:, 1] >= bbox.y0) & (px[:, 1] <= bbox.y1)))
    return n


def test_parameter_names_become_symbols():
    assert _math_name("tau_I") == r"$\tau_I$"
    assert _math_name("M_EE") == r"$M_{EE}$"
    assert _math_name("gamma_E") == r"$\gamma_E$"
    assert _math_name("J0") == r"$J_0$"
    assert _math_name("eps") == r"$\varepsilon$"
    assert _math_name("N") == "$N$"
    assert _math_name("max_rate") == "max_rate"   # not a symbol: left as it is


def test_parameter_symbols_render():
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")

    @settings(max_examples=60, deadline=None)
    @given(st.from_regex(r"[A-Za-z]{1,6}(_[A-Za-z0-9]{1,3}|[0-9]{0,2})", fullmatch=True))
    def check(name):
        out = _math_name(name)
        if out == name:
            return
        assert out.startswith("$") and out.endswith("$")
        parser.parse(out)   # valid mathtext
        sub = re.split(r"_|(?<=[A-Za-z])(?=[0-9])", name, maxsplit=1)
        if len(sub) == 2 and sub[1]:
            assert sub[1] in out

    check()


def test_e_i_figures_write_tau_i_as_a_symbol_with_its_unit():
    d = bifurcation_diagram(EIModel(), "tau_I", np.linspace(20, 60, 21), cycles=False)
    texts = _texts(bifurcation_figure(d)) + _texts(phase_plane_figure(EIModel(tau_I=50.0)))
    ascii_names = [t for t in texts if ASCII_NAME.search(_outside_math(t))]
    assert not ascii_names, ascii_names
    assert any(r"$\tau_I$ (ms)" == t for t in texts)             # axis labels
    fig = bifurcation_figure(d)
    (cbar,) = [a for a in fig.axes if a.get_label() == "<colorbar>"]
    assert cbar.get_ylabel() == r"$\tau_I$ (ms)"                 # the colour bar's unit
    hopf = [t for t in _texts(fig) if t.startswith("Hopf")]
    assert hopf and all(r"$\tau_I$ = 40 ms" in t for t in hopf), hopf


def test_peak_to_peak_is_called_so():
    d = bifurcation_diagram(EIModel(), "tau_I", [41.0, 45.0])
    ax = plot_cycle_amplitude(d, onset=40.0)
    assert "peak-to-peak" in ax.get_ylabel() and "amplitude" not in ax.get_ylabel()
    assert ax.get_xlabel() == r"$\tau_I$ − 40 (ms)"


def test_time_course_legend_covers_no_data():
    # rates peaking everywhere, up to the right edge (as the tau_I = 50 ms cycle does)
    t = np.linspace(0.0, 1500.0, 3001)
    rates = np.column_stack([28 + 28 * np.sin(2 * np.pi * t / 187.3),
                             18 + 13 * np.sin(2 * np.pi * (t - 30) / 187.3)])
    ax = plot_time_course((t, rates), names=("E", "I"))
    ax.figure.canvas.draw()
    box = ax.get_legend().get_window_extent()
    assert _points_in(box, ax) == 0
    lo, hi = ax.get_ylim()
    assert lo <= rates.min() and hi >= rates.max()               # nothing cut off


def test_phase_plane_legend_outside_the_plane():
    fig, ax = plt.subplots(layout="constrained")
    m = EIModel(tau_I=50.0)
    run = np.column_stack([np.linspace(50, 1, 200), np.linspace(60, 10, 200)])
    plot_phase_plane(m, ax=ax, trajectories=[run])
    fig.canvas.draw()
    box = ax.get_legend().get_window_extent()
    assert box.y1 <= ax.bbox.y0 + 1e-9                           # under the axes
    assert _points_in(box, ax) == 0


def test_memory_legend_covers_no_data():
    t = np.linspace(0.0, 200.0, 401)
    amp = np.where(t < 20, 0.84 * (1 - np.exp(-t)), 0.56)
    res = SimpleNamespace(t=t, amplitude=amp, position=np.zeros_like(t), persistent=True,
                          drift=0.0, params={"cue_on": 0.0, "cue_off": 20.0,
                                             "model": {"J0": -2.0, "J1": 3.0}})
    ax = plot_memory(res)
    ax.figure.canvas.draw()
    box = ax.get_legend().get_window_extent()
    assert box.y1 <= ax.bbox.y0 + 1e-9
    assert _points_in(box, ax) == 0


def test_phase_diagram_title_does_not_round_to_100_percent():
    n = 64
    codes = np.zeros((n, n), dtype=int)            # all "homogeneous"
    theory = codes.copy()
    theory[0, 0] = 1                               # one cell of 4096 disagrees: 99.9756...%
    names = np.array(REGIMES, dtype=object)
    res = SimpleNamespace(
        J0s=np.linspace(-4, 1, n), J1s=np.linspace(0, 6, n),
        codes=lambda which: codes if which == "measured" else theory,
        measured=names[codes], theory=names[theory], agree=codes == theory,
        agreement=float(np.mean(codes == theory)), params={"h0": 1.0, "eps": 0.1, "N": 256})
    title = plot_phase_diagram(res).get_title()
    assert title.endswith("agreement 99.98%"), title


def test_small_numbers_in_labels_are_written_as_powers_of_ten():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from ratenet.plotting.attractor import _sci

    assert _sci(0.25) == "0.25" and _sci(0.0) == "0"
    assert _sci(-1.7e-7, 2) == r"$−1.7\times10^{-7}$"               # not '-1.7e-07'
    assert _sci(8.26e-5, 3, exponent=-4) == r"$0.826\times10^{-4}$"   # a shared exponent

    @settings(max_examples=60, deadline=None)
    @given(st.floats(min_value=1e-300, max_value=1e300), st.booleans())
    def check(mag, negative):
        v = -mag if negative else mag
        text = _sci(v, 3)
        assert "e-" not in text and "e+" not in text
        m = re.fullmatch(r"\$(−?[0-9.]+)\\times10\^\{(-?\d+)\}\$", text)
        value = float(m.group(1).replace("−", "-")) * 10.0 ** int(m.group(2)) if m else float(text)
        assert value == pytest.approx(v, rel=5e-3)

    check()


def test_memory_title_prints_rounding_noise_as_zero():
    t = np.linspace(0.0, 50.0, 101)

    def title(drift):
        res = SimpleNamespace(t=t, amplitude=np.full_like(t, 0.5), position=np.zeros_like(t),
                              persistent=True, drift=drift,
                              params={"cue_on": 0.0, "cue_off": 20.0,
                                      "model": {"J0": -2.0, "J1": 3.0}})
        return plot_memory(res).get_title()

    assert title(8.67e-19).endswith("drift 0 rad")
    assert title(-1.7e-7).endswith(r"drift $−1.7\times10^{-7}$ rad")   # a real drift stays
