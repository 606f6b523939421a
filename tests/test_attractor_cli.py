"""``ratenet ring diffusion | memory | track | phase-diagram``: the command-line contract,
and the attractor figures."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pytest
from click.testing import CliRunner

import ratenet as rn
from ratenet.attractor import diffusion, persistent_activity, phase_diagram, tracking
from ratenet.cli import main
from ratenet.plotting.attractor import (
    plot_diffusion,
    plot_memory,
    plot_phase_diagram,
    plot_tracking,
)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_diffusion_json_contract(tmp_path):
    out = tmp_path / "d.json"
    r = run("ring", "diffusion", "--j0", "-2", "--j1", "4", "--h0", "1", "--sigma", "0.2",
            "--n", "64", "--trials", "40", "--t-max", "20", "--seed", "1", "--json",
            "--out", str(out))
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert {"diffusion_coefficient", "ci_low", "ci_high", "trials"} <= set(d)
    assert d["trials"] == 40 and d["ci_low"] < d["diffusion_coefficient"] < d["ci_high"]
    lib = diffusion(rn.RingModel(J0=-2, J1=4, h0=1, N=64), sigma=0.2, trials=40, t_max=20,
                    seed=1)
    assert d["diffusion_coefficient"] == lib.diffusion_coefficient  # same seed, same numbers
    saved = json.loads(out.read_text())
    assert saved["ratenet_version"] == rn.__version__
    assert saved["params"]["sigma"] == 0.2 and saved["params"]["model"]["J1"] == 4.0
    assert saved["params"]["seed"] == 1 and len(saved["msd"]) == len(saved["lag_t"])


def test_memory_json_contract():
    r = run("ring", "memory", "--j0", "-2", "--j1", "4", "--h0", "1", "--n", "64",
            "--cue-off", "5", "--t-max", "30", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["persistent"] is True and abs(d["drift"]) < 0.01
    r = run("ring", "memory", "--j0", "-2", "--j1", "1", "--h0", "1", "--n", "64",
            "--cue-off", "5", "--t-max", "30", "--json")
    d = json.loads(r.stdout)
    assert d["persistent"] is False and d["drift"] is None


def test_track_json_contract():
    r = run("ring", "track", "--j0", "-1", "--j1", "1", "--h0", "1", "--eps", "0.1",
            "--n", "32", "--speed", "0.5", "--t-max", "60", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["lag"] == pytest.approx(np.arctan(0.5 / 0.5), abs=0.01)  # broad regime


def test_phase_diagram_json_contract(tmp_path):
    out = tmp_path / "p.json"
    r = run("ring", "phase-diagram", "--h0", "1", "--eps", "0.1", "--j0-range", "-3", "1.5",
            "12", "--j1-range", "0", "6", "10", "--n", "64", "--json", "--out", str(out))
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["cells"] == 120 and 0.8 <= d["agreement"] <= 1.0 and d["seconds"] > 0
    saved = json.loads(out.read_text())
    assert saved["params"]["J0_range"] == [-3.0, 1.5, 12]
    assert np.array(saved["theory"]).shape == (10, 12)
    assert saved["ratenet_version"] == rn.__version__


@pytest.mark.parametrize(("args", "option"), [
    (("diffusion", "--sigma", "-1"), "--sigma"),
    (("diffusion", "--sigma", "0.1", "--trials", "1"), "--trials"),
    (("diffusion", "--sigma", "0.1", "--n", "2"), "--n"),
    (("memory", "--cue-off", "10", "--t-max", "5"), "--cue-off"),
    (("memory", "--cue-off", "1", "--t-max", "5", "--eps", "-1"), "--eps"),
    (("track", "--speed", "nan"), "--speed"),
    (("phase-diagram", "--j0-range", "1", "0", "5"), "--j0-range"),
    (("phase-diagram", "--j1-range", "0", "1", "2.5"), "--j1-range"),
    (("phase-diagram", "--eps", "-0.1"), "--eps"),
    (("diffusion", "--sigma", "0.1", "--out", "x.txt"), "--out"),
])
def test_bad_values_give_one_line_errors_with_exit_2(args, option):
    r = run("ring", *args)
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.strip().splitlines() if ln]
    assert len(lines) == 1 and lines[0].startswith("ratenet: error:")
    assert lines[0].startswith(f"ratenet: error: {option}")
    assert "Traceback" not in r.output


# -------------------------------------------------------------------- figures
def test_phase_diagram_figure_shows_both_maps():
    r = phase_diagram(h0=1.0, eps=0.1, J0s=np.linspace(-3, 1.5, 10), J1s=np.linspace(0, 6, 8),
                      N=32)
    ax = plot_phase_diagram(r)
    mesh = ax.collections[0]
    assert np.array_equal(np.asarray(mesh.get_array()).reshape(8, 10), r.codes("measured"))
    assert len(ax.collections[1].get_segments()) > 0  # analytic boundaries drawn
    assert "J_0" in ax.get_xlabel() and "J_1" in ax.get_ylabel()
    plt.close(ax.figure)


def test_diffusion_figure_draws_msd_fit_and_theory():
    res = diffusion(rn.RingModel(J0=-2, J1=4, h0=1, N=64), sigma=0.2, trials=20, t_max=10,
                    n_boot=100)
    ax = plot_diffusion(res)
    lines = ax.get_lines()
    assert np.array_equal(lines[0].get_ydata(), res.msd)
    theory = lines[-1]
    assert np.allclose(theory.get_ydata(), 2 * res.theory * res.lag_t)
    plt.close(ax.figure)


def test_tracking_and_memory_figures():
    m = rn.RingModel(J0=-1, J1=1, h0=1, eps=0.1, N=32)
    res = tracking(m, speeds=[0.1, 0.5], t_max=40)
    fig, ax_in = plt.subplots()
    ax = plot_tracking(res, ax=ax_in)
    assert ax is ax_in
    pts = next(ln for ln in ax.get_lines() if ln.get_marker() == "o")
    assert np.allclose(pts.get_ydata(), res.lag)
    plt.close(fig)
    mem = persistent_activity(m.replace(J0=-2, J1=4, eps=0.5), cue_off=5, t_max=20)
    ax = plot_memory(mem)
    assert np.allclose(ax.get_lines()[0].get_ydata(), mem.amplitude)
    plt.close(ax.figure)
