"""``ratenet ring-ei theory | simulate | phase-diagram``: the command-line contract.

Expected values are closed forms written here (the 2 x 2 uniform state, the mode
Jacobians built by hand) or measured independently on the saved trajectory.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratenet.cli import main
from ratenet.cli.ring_ei import DEFAULTS

TAU_E = DEFAULTS["tau_E"]


def run(*args: str):
    return CliRunner().invoke(main, ["ring-ei", *args])


def _stdout(r) -> str:
    return getattr(r, "stdout", r.output)


def _stderr(r) -> str:
    try:
        return r.stderr
    except ValueError:  # older click without separate stderr
        return r.output


def _mode_matrix(k: int, tau_I: float, J: dict[str, float]) -> np.ndarray:
    """Mode-k Jacobian with both populations active: c = J_XY0 (k = 0), J_XY1 / 2 (k = 1)."""
    f = 1.0 if k == 0 else 0.5
    c = {p: f * J[f"J_{p}{k}"] for p in ("EE", "EI", "IE", "II")}
    return np.array([[(c["EE"] - 1) / TAU_E, c["EI"] / TAU_E],
                     [c["IE"] / tau_I, (c["II"] - 1) / tau_I]])


def test_theory_json_contract_and_closed_forms():
    r = run("theory", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(_stdout(r))
    assert {"uniform", "modes", "instability"} <= set(d)
    # r_E = 10 + 1.25 r_E - r_I, r_I = -10 + r_E  =>  r_E = 80/3, r_I = 50/3
    assert d["uniform"]["m_E"] == pytest.approx(80 / 3, rel=1e-13)
    assert d["uniform"]["m_I"] == pytest.approx(50 / 3, rel=1e-13)
    modes = {m["k"]: m for m in d["modes"]}
    assert set(modes) == {0, 1}
    # Hopf: tau_I = tau_E (1 - c_II) / (c_EE - 1): mode 0 (1.25) -> 40, mode 1 (3/2) -> 20
    assert modes[0]["hopf_tau_I"] == pytest.approx(40.0, rel=1e-13)
    assert modes[1]["hopf_tau_I"] == pytest.approx(20.0, rel=1e-13)
    for k in (0, 1):
        lam = np.linalg.eigvals(_mode_matrix(k, DEFAULTS["tau_I"], DEFAULTS))
        got = [complex(a, b) for a, b in modes[k]["eigenvalues"]]

        def order(z: complex) -> tuple[float, float]:
            return (z.real, z.imag)
        np.testing.assert_allclose(sorted(lam, key=order), sorted(got, key=order), rtol=1e-12)
    assert d["instability"]["mode"] == 1 and d["instability"]["kind"] == "hopf"


def test_theory_text_names_the_modes_and_the_instability():
    r = run("theory")
    assert r.exit_code == 0, r.output
    out = _stdout(r)
    assert "m_E = 26.6667 Hz" in out and "Hopf at tau_I = 40 ms" in out
    assert "Hopf at tau_I = 20 ms" in out and "mode 1 (hopf)" in out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tau_I=st.floats(1.0, 100.0), jee1=st.floats(0.0, 6.0), jei1=st.floats(-4.0, 0.0),
       jie1=st.floats(0.0, 4.0))
def test_theory_mode_one_against_hand_built_jacobian(tau_I, jee1, jei1, jie1):
    """Mode 1's eigenvalues, Hopf point and the verdict follow from its 2 x 2 matrix."""
    r = run("theory", "--json", "--tau-i", repr(tau_I), "--jee1", repr(jee1),
            "--jei1", repr(jei1), "--jie1", repr(jie1))
    assert r.exit_code == 0, r.output
    d = json.loads(_stdout(r))
    J = dict(DEFAULTS, J_EE1=jee1, J_EI1=jei1, J_IE1=jie1)
    A = _mode_matrix(1, tau_I, J)
    lam = np.linalg.eigvals(A)
    got = np.array([complex(a, b) for a, b in d["modes"][1]["eigenvalues"]])
    assert np.max(got.real) == pytest.approx(np.max(lam.real), abs=1e-12)
    a, dd = jee1 / 2 - 1, -1.0
    D = a * dd - jei1 * jie1 / 4
    hopf = d["modes"][1]["hopf_tau_I"]
    if a > 0 and D > 0:
        assert hopf == pytest.approx(TAU_E / a, rel=1e-12)
    else:
        assert hopf is None
    lam0 = np.linalg.eigvals(_mode_matrix(0, tau_I, J))
    growth = max(np.max(lam.real), np.max(lam0.real))
    if growth < -1e-12:
        assert d["instability"]["mode"] is None
    elif growth > 1e-12:
        assert d["instability"]["mode"] == (1 if np.max(lam.real) > np.max(lam0.real) else 0)


BAD = [("--jee0", "-0.5"), ("--jee1", "-1"), ("--jei0", "0.5"), ("--jei1", "2"),
       ("--jie0", "-1"), ("--jie1", "-3"), ("--jii0", "1"), ("--jii1", "0.1"),
       ("--tau-e", "0"), ("--tau-i", "-5"), ("--h-e", "nan"), ("--h-i", "inf"),
       ("--eps-e", "-1"), ("--tau-a", "0"), ("--j-a", "-1"),
       # finite but overflowing the mode Jacobians (1/tau, J/tau beyond 1e150 per ms)
       ("--tau-e", "5e-324"), ("--tau-i", "1e-200"), ("--jee1", "1e200"), ("--h-e", "1e300"),
       # a tuned input that overflows, and time constants whose ratios overflow (tau_E = 1e308
       # made the mode-0 Hopf tau_I infinite and was reported against --tau-i)
       ("--eps-e", "1e308"), ("--eps-i", "1e200"), ("--tau-e", "1e308"), ("--tau-a", "1e200")]


@pytest.mark.parametrize("command", ["theory", "simulate"])
@pytest.mark.parametrize("option,value", BAD)
def test_bad_value_exits_2_with_one_line_naming_the_option(command, option, value):
    extra = ["--n", "16", "--t-max", "10"] if command == "simulate" else []
    r = run(command, option, value, *extra)
    assert r.exit_code == 2, r.output
    err = _stderr(r).strip()
    assert len(err.splitlines()) == 1 and option in err and "Traceback" not in r.output
    assert _stdout(r).strip() == ""


def test_simulate_bad_times_and_paths_exit_2(tmp_path):
    for args, option in ((["--dt", "5", "--t-max", "1"], "--dt"), (["--t-max", "0"], "--t-max"),
                         (["--n", "2"], "--n"), (["--window", "0"], "--window"),
                         (["--out", str(tmp_path / "x.txt")], "--out"),
                         (["--plot", str(tmp_path / "nofolder" / "a.png")], "--plot")):
        r = run("simulate", *args)
        assert r.exit_code == 2, (args, r.output)
        assert option in _stderr(r)
    assert list(tmp_path.iterdir()) == []


def test_simulate_default_is_a_travelling_wave_whose_speed_is_measured_independently(tmp_path):
    """Defaults (tau_I = 30 > 20, the mode-1 Hopf point): a travelling wave.  Its speed is
    checked against the bump position tracked on the saved trajectory."""
    import ratenet as rn

    out = tmp_path / "wave.nc"
    r = run("simulate", "--n", "64", "--json", "-q", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert _stderr(r).strip() == ""  # -q: no notes
    d = json.loads(_stdout(r))
    assert d["pattern"] == "travelling wave" and d["mode"] == 1 and d["diverged"] is False
    assert d["theory"]["instability"]["mode"] == 1
    assert d["theory"]["instability"]["kind"] == "hopf"
    assert d["period"] == pytest.approx(2 * math.pi / abs(d["speed"]), rel=1e-12)
    traj = rn.load(str(out))
    N = 64
    t = np.asarray(traj.t)
    sel = t >= 4500.0
    rE = np.asarray(traj.rates)[sel, :N]
    theta = 2 * np.pi * np.arange(N) / N
    peak = np.unwrap(theta[np.argmax(rE, axis=1)])  # position of the most active E unit
    slope = np.polyfit(t[sel], peak, 1)[0]
    # the argmax moves by whole grid steps (2 pi / N) over 1500 ms
    assert slope == pytest.approx(d["speed"], abs=2 * (2 * np.pi / N) / 1500.0)
    assert ("counterclockwise" if slope > 0 else "clockwise") == d["direction"]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tau_I=st.floats(5.0, 60.0), jee1=st.floats(0.0, 6.0), jee0=st.floats(0.0, 2.0))
def test_simulate_json_contract_property(tau_I, jee1, jee0):
    """Any valid model: exit 0 or 1, one JSON object without NaN, exit 1 iff diverged."""
    from ratenet.ei_ring.patterns import PATTERNS

    r = run("simulate", "--tau-i", repr(tau_I), "--jee1", repr(jee1), "--jee0", repr(jee0),
            "--n", "16", "--t-max", "300", "--json")
    assert r.exit_code in (0, 1), r.output

    def no_nan(name: str) -> float:
        raise AssertionError(f"{name} in the JSON")

    d = json.loads(_stdout(r), parse_constant=no_nan)
    assert {"pattern", "speed", "period", "diverged", "theory"} <= set(d)
    assert d["pattern"] in PATTERNS
    assert (r.exit_code == 1) == d["diverged"] == (d["pattern"] == "diverged")
    if d["speed"] is not None:
        assert d["period"] == pytest.approx(2 * math.pi / (d["mode"] * abs(d["speed"])))


def _marginal_theta_c(J1: float) -> float:
    """Root of J1 g1(t) = 1, g1(t) = (t - sin t cos t) / (2 pi): part 1's marginal width."""
    from scipy.optimize import brentq

    return brentq(lambda t: J1 * (t - math.sin(t) * math.cos(t)) / (2 * math.pi) - 1,
                  1e-9, math.pi, xtol=1e-14)


def test_theory_bump_with_untuned_inhibition_has_the_ring_width_and_drift_threshold():
    """J_EI1 = J_IE1 = 0: mode 1 goes through a real eigenvalue (D_1 = -(J_EE1/2 - 1) < 0)
    into a bump of half-width J_EE1 g1(theta_c) = 1; with adaptation it drifts for
    J_A tau_A > tau_E, i.e. J_A > 10/100."""
    r = run("theory", "--jei1", "0", "--jie1", "0", "--tau-i", "10", "--json")
    d = json.loads(_stdout(r))
    assert d["instability"]["mode"] == 1 and d["instability"]["kind"] == "real"
    assert d["instability"]["growth_rate"] == pytest.approx((3.0 / 2 - 1) / TAU_E, rel=1e-12)
    b = d["bump"]
    assert b["theta_c_E"] == pytest.approx(_marginal_theta_c(3.0), abs=1e-9)
    assert b["theta_c_I"] == pytest.approx(math.pi)  # untuned I: every I unit active
    assert b["drifting"] is False
    assert b["drift_J_A"] == pytest.approx(TAU_E / 100.0, rel=1e-6)
    # the default instability is a Hopf point: no bump
    assert json.loads(_stdout(run("theory", "--json")))["bump"] is None


@pytest.mark.parametrize("J_A,drifting", [(0.05, False), (0.2, True)])
def test_adaptation_past_the_drift_threshold_makes_the_bump_travel(J_A, drifting):
    r = run("simulate", "--jei1", "0", "--jie1", "0", "--tau-i", "10", "--j-a", str(J_A),
            "--n", "32", "--t-max", "4000", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(_stdout(r))
    assert d["theory"]["bump"]["drifting"] is drifting
    assert d["pattern"] == ("travelling wave" if drifting else "stationary bump")


def test_simulate_below_every_hopf_point_rests_at_the_uniform_state():
    r = run("simulate", "--tau-i", "15", "--n", "32", "--t-max", "1500", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(_stdout(r))
    assert d["pattern"] == "homogeneous"
    assert d["mean_E"] == pytest.approx(80 / 3, rel=1e-6)
    assert d["mean_I"] == pytest.approx(50 / 3, rel=1e-6)


def test_simulate_bulk_oscillation_has_the_period_of_the_part_two_cycle():
    """Untuned couplings, tau_I = 45 > 40: the ring oscillates in bulk as the E-I pair."""
    from ratenet.analysis import find_limit_cycle
    from ratenet.models.ei import EIModel

    dt = 0.05
    r = run("simulate", "--tau-i", "45", "--jee1", "0", "--jei1", "0", "--jie1", "0",
            "--n", "16", "--t-max", "3000", "--dt", str(dt), "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(_stdout(r))
    assert d["pattern"] == "bulk oscillation"
    cyc = find_limit_cycle(EIModel(M_EE=1.25, M_EI=-1.0, M_IE=1.0, M_II=0.0, gamma_E=-10.0,
                                   gamma_I=10.0, tau_E=10.0, tau_I=45.0))
    A = _mode_matrix(0, 45.0, DEFAULTS)
    # Euler: relative error of the flow <= ||A|| dt per unit time; records every 1 ms
    tol = cyc.period * np.linalg.norm(A, 2) * dt + 2 * 1.0
    assert d["period"] == pytest.approx(cyc.period, abs=tol)


def test_simulate_divergence_exits_1_and_still_prints_json():
    r = run("simulate", "--jee1", "5", "--jei1", "0", "--jie1", "0", "--tau-i", "10",
            "--n", "16", "--t-max", "2000", "--json")
    assert r.exit_code == 1, r.output
    d = json.loads(_stdout(r))
    assert d["diverged"] is True and d["pattern"] == "diverged"
    assert "diverged" in _stderr(r)


def test_simulate_plot_is_written(tmp_path):
    png = tmp_path / "wave.png"
    r = run("simulate", "--n", "32", "--t-max", "400", "--plot", str(png))
    assert r.exit_code == 0, r.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {png}" in _stderr(r)


def test_phase_diagram_json_and_theory_boundary(tmp_path):
    """A 3 x 2 grid: the mode-0 Hopf boundary is tau_I = 40 ms whatever J_EE1."""
    out = tmp_path / "pd.json"
    r = run("phase-diagram", "--x", "jee1", "--x-range", "0", "4", "3", "--y", "tau_i",
            "--y-range", "30", "50", "2", "--n", "16", "--t-transient", "500",
            "--t-window", "300", "--json", "--out", str(out))
    assert r.exit_code == 0, r.output
    d = json.loads(_stdout(r))
    assert d["cells"] == 6 and d["x_param"] == "J_EE1" and d["y_param"] == "tau_I"
    assert np.asarray(d["pattern"]).shape == (2, 3)
    assert sum(d["patterns"].values()) == 6
    b0 = [b for b in d["boundaries"] if b["mode"] == 0 and b["kind"] == "hopf"]
    assert b0 and np.allclose(b0[0]["y"], 40.0, rtol=1e-9) and sorted(b0[0]["x"]) == [0, 2, 4]
    saved = json.loads(out.read_text())
    assert saved["command"] == "ring-ei phase-diagram" and saved["pattern"] == d["pattern"]


@pytest.mark.parametrize("args,option", [
    (["--x", "nope"], "--x"), (["--x", "tau_i", "--y", "TAU_I"], "--y"),
    (["--x-range", "1", "0", "3"], "--x-range"), (["--y-range", "0", "1", "1.5"], "--y-range"),
    (["--x-range", "0", "1", "1000"], "--x-range"), (["--t-window", "-1"], "--t-window"),
    (["--max-work", "10"], "--max-work"), (["--max-work", "nan"], "--max-work"),
    (["--max-work", "0"], "--max-work"),
    # a grid value the model refuses, or one that overflows, is named by the range it came from
    (["--y-range", "0", "50", "3"], "--y-range"), (["--y-range", "1", "1e300", "3"], "--y-range"),
    (["--x", "jee1", "--x-range", "0", "1e200", "2"], "--x-range")])
def test_phase_diagram_bad_input_exits_2(args, option):
    r = run("phase-diagram", *args)
    assert r.exit_code == 2, r.output
    err = _stderr(r).strip()
    assert option in err and len(err.splitlines()) == 1


def test_hopf_tau_I_beyond_float64_is_none_not_inf():
    """tau_I* = tau_E (1 - g_I c_II) / (g_E c_EE - 1) overflows for huge tau_E: no Hopf point
    at a representable tau_I (None), and mode 1's closed form still holds where it fits."""
    import warnings

    from ratenet import EIRingModel
    from ratenet.theory.ei_ring import hopf_tau_I

    base = dict(J_EE0=1.25, J_EE1=3.0, J_EI0=-1.0, J_EI1=-2.0, J_IE0=1.0, J_IE1=2.0,
                J_II1=-1.0, h_E=10.0, h_I=-10.0)
    # mode 1: c_EE = 1.5, c_II = -0.5, D > 0: tau_I* = tau_E * 1.5 / 0.5 = 3 tau_E
    assert hopf_tau_I(EIRingModel(**base, tau_E=1e300, N=8), 1) == pytest.approx(3e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert hopf_tau_I(EIRingModel(**base, tau_E=1e308, N=8), 1) is None
