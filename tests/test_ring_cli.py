"""``ratenet ring theory`` and ``ratenet ring simulate``: the command-line contract."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

import ratenet
from ratenet.cli import main
from ratenet.theory import stationary_state

THEORY_KEYS = {"regime", "theta_c", "r0", "m1", "peak", "eigenvalues"}


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_theory_json_contract():
    r = run("ring", "theory", "--j0", "-2", "--j1", "1.5", "--h0", "1", "--eps", "0.5", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert THEORY_KEYS <= set(d)
    s = stationary_state(J0=-2, J1=1.5, h0=1, eps=0.5)
    assert d["regime"] == "narrow"
    for k in ("theta_c", "r0", "m1", "peak"):
        assert d[k] == pytest.approx(getattr(s, k), rel=1e-12)
    assert d["eigenvalues"] == pytest.approx([-3.0, -0.25])  # J0 - 1, J1/2 - 1


def test_theory_all_active_reports_theta_c_pi_and_marginal_reports_J0c():
    d = json.loads(run("ring", "theory", "--j0", "-1", "--j1", "1", "--h0", "1", "--eps",
                       "0.1", "--json").output)
    assert d["regime"] == "broad" and d["theta_c"] == pytest.approx(math.pi)
    assert d["r0"] == pytest.approx(0.5) and d["m1"] == pytest.approx(0.2)
    d = json.loads(run("ring", "theory", "--j0", "-1", "--j1", "4", "--h0", "1",
                       "--json").output)
    assert d["regime"] == "marginal"
    assert d["theta_c"] == pytest.approx(math.pi / 2) and abs(d["critical_J0"]) < 1e-12
    d = json.loads(run("ring", "theory", "--j0", "1.5", "--h0", "1", "--json").output)
    assert d["regime"] == "unstable" and d["r0"] is None  # nan becomes null


def test_theory_text_is_aligned():
    r = run("ring", "theory", "--j0", "-2", "--j1", "1.5", "--h0", "1", "--eps", "0.5")
    assert r.exit_code == 0
    lines = r.output.strip().splitlines()
    assert lines[0].split()[:2] == ["regime", "narrow"]
    cols = {re.match(r"^(.+?)\s{2,}", line).end() for line in lines}
    assert len(cols) == 1  # values start in one column


def test_simulate_json_matches_theory_and_writes_files(tmp_path):
    nc, png = tmp_path / "run.nc", tmp_path / "run.png"
    r = run("ring", "simulate", "--j0", "-2", "--j1", "1.5", "--h0", "1", "--eps", "0.5",
            "--n", "512", "--t-max", "60", "--dt", "0.05", "--method", "rk4", "--seed", "3",
            "--theta0", "1.0", "--out", str(nc), "--plot", str(png), "--json", "--quiet")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert THEORY_KEYS | {"bump_position", "diverged"} <= set(d)
    assert d["diverged"] is False and d["regime"] == "narrow"
    # finite-N error at the rectification kinks is O(h^2) ~ 1.5e-4 relative (see
    # test_ring_theory.kink_bound); 1e-3 is well above it and far below any regime change
    for k in ("theta_c", "r0", "m1", "peak"):
        assert d[k] == pytest.approx(d["theory"][k], rel=1e-3)
    assert d["bump_position"] == pytest.approx(1.0, abs=1e-3)
    traj = ratenet.load(nc)
    assert traj.params["J0"] == -2.0 and traj.version == ratenet.__version__
    assert traj.rates.shape[-1] == 512 and traj.t[-1] == pytest.approx(60.0)
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"


def test_simulate_reports_divergence_without_traceback():
    r = run("ring", "simulate", "--j0", "1.5", "--h0", "1", "--n", "64", "--t-max", "200",
            "--dt", "0.05", "--json", "--quiet")
    assert r.exit_code == 1  # issue 13: a diverged run exits 1, its JSON still printed
    d = json.loads(r.output)
    assert d["diverged"] is True and d["regime"] == "unstable"
    assert "J0" in d["message"] and d["t_diverged"] > 0


def test_simulate_text_output():
    r = run("ring", "simulate", "--j0", "-1", "--j1", "1", "--h0", "1", "--eps", "0.1",
            "--n", "64", "--t-max", "40", "--quiet")
    assert r.exit_code == 0
    out = r.output
    assert "broad" in out and "theory" in out and "64 of 64" in out


@pytest.mark.parametrize(("args", "option"), [
    (["--n", "2"], "--n"),
    (["--dt", "-1"], "--dt"),
    (["--method", "foo"], "--method"),
    (["--eps", "-1"], "--eps"),
    (["--t-max", "0"], "--t-max"),
    (["--j0", "abc"], "--j0"),
    (["--out", "run.txt"], "--out"),
])
def test_simulate_bad_values_one_line_exit_2(args, option):
    r = CliRunner().invoke(main, ["ring", "simulate", "--t-max", "1", *args])
    assert r.exit_code == 2
    err = r.output.strip()
    assert len(err.splitlines()) == 1 and option in err and "Traceback" not in err


def test_bad_values_through_the_console_script():
    """Real process: one line on stderr, exit status 2, no traceback."""
    code = "from ratenet.cli import main; main(['ring', 'theory', '--eps', '-1'])"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       check=False)
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "--eps" in p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""


def test_help_everywhere():
    for args in (["ring", "--help"], ["ring", "theory", "--help"],
                 ["ring", "simulate", "--help"]):
        r = run(*args)
        assert r.exit_code == 0 and "Usage" in r.output
    assert "--t-max" in run("ring", "simulate", "--help").output


def test_theory_and_simulation_agree_in_the_marginal_phase():
    """The CLI's measured bump reproduces the theory at eps = 0 (J1 > 2)."""
    r = run("ring", "simulate", "--j0", "-2", "--j1", "3", "--h0", "1", "--n", "512",
            "--t-max", "120", "--dt", "0.05", "--method", "rk4", "--json", "--quiet")
    d = json.loads(r.output)
    assert d["regime"] == d["theory"]["regime"] == "marginal"
    assert np.isclose(d["r0"], d["theory"]["r0"], rtol=1e-3)
    assert 0 < d["n_active"] < 512
