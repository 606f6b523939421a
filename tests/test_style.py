"""One palette (E red, I blue; one colour per ring regime) used by the figures, the explorer and
the notebooks, and number formats that never round a non-exact fraction to 100 % or 0 %."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_hex

from ratenet.models.ei import EIModel
from ratenet.plotting import (
    E_COLOR,
    I_COLOR,
    REGIME_COLORS,
    clean_number,
    format_percent,
)
from ratenet.theory.ring import REGIMES

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ formats
@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 10**9), data=st.data())
def test_percent_is_100_or_0_only_when_exact(n, data):
    k = data.draw(st.integers(0, n))
    s = format_percent(k, n)
    assert s.endswith("%")
    p = float(s[:-1])
    assert (p == 100.0) == (k == n) and (p == 0.0) == (k == 0)
    # the shown digits are a correct rounding of 100 k / n
    digits = len(s[:-1].partition(".")[2])
    assert abs(p - 100.0 * k / n) <= 0.5 * 10.0**-digits * (1 + 1e-9)


def test_percent_examples_and_refusals():
    assert format_percent(4094, 4096) == "99.95%"  # the phase diagram's 2 disagreements
    assert format_percent(2047, 2048) == "99.95%"
    assert format_percent(1, 3) == "33.3%"
    assert format_percent(999_999, 1_000_000) == "99.9999%"
    for k, n in ((3, 2), (-1, 4), (0, 0)):
        with pytest.raises(ValueError):
            format_percent(k, n)


def test_clean_number_zeroes_only_rounding_noise():
    assert clean_number(8.67e-19) == 0.0 and clean_number(-2.2e-16) == 0.0
    assert clean_number(1e-9) == 1e-9 and clean_number(-0.25) == -0.25
    assert clean_number(5e-9, scale=1e4) == 0.0 and clean_number(5e-7, scale=1e4) == 5e-7
    assert np.isnan(clean_number(np.nan))


# ------------------------------------------------------------------ palette
def test_palette_e_red_i_blue_and_one_colour_per_regime():
    r, g, b = (int(E_COLOR[i:i + 2], 16) for i in (1, 3, 5))
    assert r > g and r > b  # E is red
    r, g, b = (int(I_COLOR[i:i + 2], 16) for i in (1, 3, 5))
    assert b > r and b > g  # I is blue
    assert tuple(REGIME_COLORS) == tuple(REGIMES)  # same order as the theory
    assert len(set(REGIME_COLORS.values())) == len(REGIMES)


def test_matplotlib_figures_draw_e_red_and_i_blue():
    from ratenet.plotting.ei import plot_phase_plane, plot_time_course
    from ratenet.simulate import simulate

    model = EIModel(tau_I=30.0)
    ax = plot_phase_plane(model, arrows=False, streamlines=False)
    colours = {to_hex(ln.get_color()) for ln in ax.get_lines()}
    assert {E_COLOR, I_COLOR} <= colours  # the two nullclines
    plt.close(ax.figure)
    tr = simulate(model, t_max=50.0, dt=0.1, x0=np.array([5.0, 5.0]))
    ax = plot_time_course(tr)
    by_label = {ln.get_label(): to_hex(ln.get_color()) for ln in ax.get_lines()}
    e = next(c for lab, c in by_label.items() if "E" in lab)
    i = next(c for lab, c in by_label.items() if "I" in lab)
    assert (e, i) == (E_COLOR, I_COLOR)
    plt.close(ax.figure)


def test_explorer_draws_e_red_and_i_blue():
    pytest.importorskip("panel", reason="the explorer needs the 'app' extra")
    from ratenet.app import create_app

    ei = create_app().ratenet_views["ei"]
    lines = [r for fig in _figures(ei) for r in fig.renderers if hasattr(r.glyph, "line_color")]
    src = {id(ei.src_ncE): "E", id(ei.src_ncI): "I"}
    seen = {src[id(r.data_source)]: r.glyph.line_color for r in lines
            if id(r.data_source) in src}
    assert seen == {"E": E_COLOR, "I": I_COLOR}
    tc = {r.glyph.y: r.glyph.line_color for r in lines if r.data_source is ei.src_tc}
    assert tc == {"E": E_COLOR, "I": I_COLOR}


def _figures(view):
    from bokeh.plotting import figure

    return [v for v in vars(view).values() if isinstance(v, figure)]


def test_notebooks_take_population_colours_from_the_palette():
    nb = json.loads((ROOT / "examples" / "ei_populations.ipynb").read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "E_COLOR" in code and "I_COLOR" in code
    assert 'colors="C0"' not in code and 'colors="C3"' not in code
