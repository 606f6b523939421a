"""The ``ratenet ei`` command line: JSON contract, readable text, one-line errors."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from ratenet.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


FP_KEYS = {"nu_E", "nu_I", "eigenvalues", "type"}
CYCLE_KEYS = {"period", "nu_E_min", "nu_E_max", "nu_I_min", "nu_I_max", "stable"}


@pytest.mark.parametrize("tau_I, kind", [("30", "stable focus"), ("40", "centre"),
                                         ("50", "unstable focus")])
def test_analyze_json_contract(tau_I, kind):
    r = run("ei", "analyze", "--tau-i", tau_I, "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    (fp,) = d["fixed_points"]
    assert FP_KEYS <= set(fp)
    assert fp["nu_E"] == pytest.approx(80 / 3, rel=1e-12)
    assert fp["nu_I"] == pytest.approx(50 / 3, rel=1e-12)
    assert fp["type"] == kind
    # eigenvalues as [re, im] pairs in 1/ms: (b +- i sqrt(-Delta)) / 2
    t = float(tau_I)
    b = 0.25 / 10 - 1 / t
    delta = b**2 - 4 * (-0.25 + 1) / (10 * t)
    got = sorted(fp["eigenvalues"], key=lambda z: -z[1])
    np.testing.assert_allclose(got, [[b / 2, np.sqrt(-delta) / 2], [b / 2, -np.sqrt(-delta) / 2]],
                               atol=1e-15)
    if t <= 40:
        assert d["limit_cycle"] is None
    else:
        c = d["limit_cycle"]
        assert CYCLE_KEYS <= set(c) and c["stable"] is True
        assert c["nu_E_min"] < 10 < 50 < c["nu_E_max"] and c["period"] > 150


def test_analyze_several_fixed_points_and_options():
    r = run("ei", "analyze", "--m-ee", "2", "--m-ei", "-2", "--gamma-e", "5", "--tau-i", "5",
            "--json")
    d = json.loads(r.output)
    got = sorted((round(f["nu_E"], 9), round(f["nu_I"], 9), f["type"])
                 for f in d["fixed_points"])
    assert got == [(0.0, 0.0, "stable node"), (5.0, 0.0, "saddle"), (15.0, 5.0, "stable focus")]
    assert d["model"]["M_EE"] == 2.0 and d["model"]["tau_I"] == 5.0


def test_analyze_text_is_readable():
    r = run("ei", "analyze", "--tau-i", "50")
    assert r.exit_code == 0
    assert "unstable focus" in r.output and "limit cycle (stable)" in r.output
    assert "period" in r.output and "ms" in r.output and not r.output.lstrip().startswith("{")
    r = run("ei", "analyze", "--tau-i", "40")
    assert "centre" in r.output and "no limit cycle" in r.output


@pytest.mark.parametrize("args, option", [
    (["analyze", "--tau-i", "-1"], "--tau-i"),
    (["analyze", "--m-ei", "0.5"], "--m-ei"),
    (["analyze", "--m-ee", "abc"], "--m-ee"),
    (["analyze", "--gamma-e", "nan"], "--gamma-e"),
    (["bifurcation", "--param", "tau_x", "--start", "1", "--stop", "2"], "--param"),
    (["bifurcation", "--param", "tau_E", "--start", "-1", "--stop", "2"], "--start"),
    (["bifurcation", "--param", "M_EI", "--start", "-1", "--stop", "1"], "--stop"),
    (["bifurcation", "--param", "tau_I", "--start", "50", "--stop", "20"], "--stop"),
    (["bifurcation", "--param", "tau_I", "--start", "20", "--stop", "50", "--num", "1"],
     "--num"),
    (["bifurcation", "--param", "tau_I", "--start", "20", "--stop", "50", "--plot", "a.xyz"],
     "--plot"),
    (["phase-plane", "--plot", "a.png", "--x0", "1,2,3"], "--x0"),
    (["phase-plane", "--plot", "a.png", "--t-max", "0"], "--t-max"),
    (["phase-plane"], "--plot"),
])
def test_bad_values_one_line_exit_2(args, option):
    r = run("ei", *args)
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ratenet: error:")
    assert option in lines[0]
    assert "Traceback" not in r.output


def test_bifurcation_json_any_case():
    r = run("ei", "bifurcation", "--param", "TAU_I", "--start", "20", "--stop", "100", "--num",
            "41", "--json", "--quiet")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["param"] == "tau_I"
    assert d["hopf"] == [pytest.approx(40.0, rel=1e-12)]
    assert len(d["values"]) == 41 and d["branches"][0]["label"] == "active: E, I"
    # the cycles are continued: one branch, born at the Hopf point, stable beyond it
    (cyc,) = d["cycles"]
    vals = np.array([pt["value"] for pt in cyc["points"]])
    stable = np.array([pt["stable"] for pt in cyc["points"]])
    assert vals.min() == pytest.approx(40.0, rel=1e-9) and vals.max() == 100.0
    assert np.all(stable[vals > 40.0 + 1e-6]) and not np.any(stable[vals < 40.0 + 1e-9])


def test_bifurcation_text_and_plot(tmp_path):
    out = tmp_path / "bif.png"
    r = run("ei", "bifurcation", "--param", "gamma_e", "--start", "-20", "--stop", "20",
            "--num", "41", "--m-ee", "2", "--m-ei", "-2", "--gamma-e", "5", "--tau-i", "5",
            "--no-cycles", "--plot", str(out))
    assert r.exit_code == 0, r.output
    assert "border-collision fold at gamma_E = 0" in r.output
    assert "border-collision fold at gamma_E = 10" in r.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_phase_plane_plot(tmp_path):
    out = tmp_path / "pp.png"
    r = run("ei", "phase-plane", "--tau-i", "50", "--t-max", "300", "--x0", "25,25",
            "--plot", str(out), "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output[r.output.index("{"):])
    assert d["limit_cycle"]["stable"] is True
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
