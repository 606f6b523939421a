"""Issue 13: no input crashes or hangs ratenet.

One validation path for every numeric parameter, a guard on the CLI group (one line and
an exit code, never a traceback), bounded work (estimates refused above a documented
cap), outputs checked before the work and written atomically, degenerate models named,
and the regression cases of the issue as named tests (each well under 5 s).
"""

from __future__ import annotations

import json
import math
import os
import time

import numpy as np
import pytest
from click.testing import CliRunner

import ratenet as rn
from ratenet import EIModel, ParameterError, RateNetwork, RingModel, simulate
from ratenet._validation import as_float, as_float_array, check_int, check_seed
from ratenet.analysis import find_fixed_points, find_limit_cycle
from ratenet.cli import main
from ratenet.theory import critical_J0, marginal_theta_c, stationary_state

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def one_line_error(r, code: int) -> str:
    """The run exited with ``code`` and printed exactly one error line, no traceback."""
    assert r.exit_code == code, (r.exit_code, r.output)
    assert "Traceback" not in r.output
    err = [ln for ln in r.stderr.splitlines() if ln.startswith("ratenet:")]
    assert len(err) == 1, r.stderr
    return err[0]


# ------------------------------------------------------------ one validation path
REFUSED = ["1", "abc", True, False, 1j, complex(1, 0), None, float("nan"), float("inf"),
           -float("inf"), 10**400, np.array([1.0, 2.0]), [1.0], np.bool_(True)]
ACCEPTED = [2, 2.0, np.float64(2.0), np.float32(2.0), np.int64(2), np.array(2.0), np.array(2),
            np.int8(2)]


@pytest.mark.parametrize("value", REFUSED, ids=repr)
def test_every_constructor_refuses_the_same_values(value):
    """RingModel, EIModel, RateNetwork, simulate and the theory refuse alike."""
    calls = [
        lambda v: RingModel(J0=v), lambda v: RingModel(h0=v), lambda v: RingModel(tau=v),
        lambda v: EIModel(tau_I=v), lambda v: EIModel(gamma_E=v), lambda v: EIModel(M_EE=v),
        lambda v: RateNetwork(W=[[0.0]], tau=v), lambda v: RateNetwork(W=[[0.0]], h=v),
        lambda v: stationary_state(J0=v, J1=1.0, h0=1.0, eps=0.0),
        lambda v: stationary_state(J0=-1.0, J1=1.0, h0=1.0, eps=v),
        lambda v: simulate(RingModel(N=8), t_max=v),
    ]
    if value is not None:  # dt=None is the documented default (min(tau) / 100)
        calls.append(lambda v: simulate(RingModel(N=8), t_max=1.0, dt=v))
    if isinstance(value, (list, np.ndarray)):  # RateNetwork takes one value per unit
        calls = [c for c in calls if "RateNetwork" not in c.__code__.co_names]
    for call in calls:
        with pytest.raises(ParameterError):
            call(value)


@pytest.mark.parametrize("value", ACCEPTED, ids=repr)
def test_every_constructor_accepts_numpy_scalars_and_0d_arrays(value):
    assert RingModel(J0=-value).J0 == -2.0 and type(RingModel(J0=value).J0) is float
    assert EIModel(tau_I=value * 20).tau_I == 40.0
    assert RingModel(N=value * 8).N == 16 and type(RingModel(N=value * 8).N) is int
    net = RateNetwork(W=[[0.0]], tau=value, h=value)
    assert net.tau.tolist() == [2.0] and net.h.tolist() == [2.0]
    s = stationary_state(J0=-value, J1=1.0, h0=1.0, eps=0.0)
    assert s.r0 == pytest.approx(1.0 / 3.0)  # h0 / (1 - J0), homogeneous
    tr = simulate(RingModel(N=8, J0=-1.0, h0=1.0), t_max=value, dt=0.5, seed=value - 2)
    assert tr.t[-1] == pytest.approx(2.0)


def test_huge_integers_give_parameter_error_not_overflow():
    """Issue 13: a 200-digit integer, 10**400 and record_every=1e308."""
    big = 10**200
    with pytest.raises(ParameterError, match="N must be"):
        RingModel(N=big)
    with pytest.raises(ParameterError, match="too large for a float"):
        RingModel(J0=10**400)
    with pytest.raises(ParameterError, match="tau_I"):
        EIModel(tau_I=big)  # finite as a float (1e200), beyond the documented range
    with pytest.raises(ParameterError, match="J0"):
        stationary_state(J0=10**400, J1=0.0, h0=1.0, eps=0.0)
    with pytest.raises(ParameterError, match="record_every"):
        simulate(RingModel(N=8), t_max=1.0, record_every=1e308)
    with pytest.raises(ParameterError, match="seed"):
        simulate(RingModel(N=8), t_max=1.0, seed=-1)
    with pytest.raises(ParameterError, match="dt"):  # t_max / dt = inf steps
        simulate(RingModel(N=8), t_max=1e308)


def test_messages_cut_long_values():
    with pytest.raises(ParameterError) as info:
        RingModel(N=10**200)
    assert len(str(info.value)) < 200 and "201 characters" in str(info.value)


def test_stationary_state_refuses_an_overflowing_result():
    """Issue 13: eps = 1e308 returned m1 = inf silently."""
    with pytest.raises(ParameterError, match=r"eps .*overflow"):
        stationary_state(J0=-2.0, J1=3.0, h0=1.0, eps=1e308)
    s = stationary_state(J0=-2.0, J1=1.5, h0=1.0, eps=1e300)  # large, representable
    assert math.isfinite(s.m1) and s.m1 > 0


def test_simulate_refuses_memory_it_cannot_have():
    with pytest.raises(ParameterError, match=r"record_every.*GiB"):
        simulate(RingModel(N=64), t_max=1e9, dt=1e-3)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(),
                 st.text(max_size=5), st.booleans(), st.complex_numbers(), st.none()))
def test_as_float_contract(value):
    """as_float returns float(value) for finite real numbers, else ParameterError."""
    real = (isinstance(value, (int, float)) and not isinstance(value, bool))
    try:
        expected = float(value) if real else None
    except OverflowError:
        expected = None
    if expected is not None and math.isfinite(expected):
        assert as_float("x", value) == expected
    else:
        with pytest.raises(ParameterError):
            as_float("x", value)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.integers(), st.floats(), st.text(max_size=3), st.booleans()))
def test_check_int_contract(value):
    ok = (isinstance(value, int) and not isinstance(value, bool) and 1 <= value < 2**63) or (
        isinstance(value, float) and math.isfinite(value) and value.is_integer()
        and 1 <= value < 2**63)
    if ok:
        assert check_int("n", value) == int(value)
    else:
        with pytest.raises(ParameterError):
            check_int("n", value)


def test_check_seed_and_arrays():
    assert check_seed("seed", None) is None and check_seed("seed", np.int64(3)) == 3
    with pytest.raises(ParameterError):
        as_float_array("W", [[1.0, "2"]])
    with pytest.raises(ParameterError):
        as_float_array("W", [[1, 10**400]])
    np.testing.assert_array_equal(as_float_array("W", [[1, 2]]), [[1.0, 2.0]])


# ----------------------------------------------------------- properties of the API
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
hostile = st.one_of(finite, st.sampled_from([float("nan"), float("inf"), 1e308, -1e308,
                                              5e-324, 1e-320, 10**200, "1", True, 1j]))


@settings(max_examples=40, deadline=None)
@given(J0=hostile, J1=hostile, h0=hostile, eps=hostile)
def test_stationary_state_is_refused_or_finite_and_consistent(J0, J1, h0, eps):
    """Either a ParameterError, or a state whose rates are finite and self-consistent:
    r0 = mean rate, and for every neuron active (theta_c = pi) the linear solution."""
    try:
        s = stationary_state(J0=J0, J1=J1, h0=h0, eps=eps)
    except ParameterError:
        return
    if s.regime == "unstable":
        return
    assert all(math.isfinite(v) for v in (s.r0, s.m1, s.peak, s.theta_c))
    assert 0.0 <= s.theta_c <= math.pi and s.peak >= 0 and s.r0 >= 0
    if s.theta_c == math.pi and s.regime == "homogeneous" and abs(J0 - 1) > 1e-3:
        assert s.r0 == pytest.approx(h0 / (1 - J0), rel=1e-9, abs=1e-300)


@settings(max_examples=30, deadline=None)
@given(J1=st.floats(min_value=2.0001, max_value=1e3))
def test_critical_J0_is_where_the_bump_amplitude_blows_up(J1):
    """J0_c = -cos(theta_c) / g0(theta_c) with J1 g1(theta_c) = 1: checked from the
    definitions g0 = (sin t - t cos t)/pi, g1 = (t - sin t cos t)/(2 pi)."""
    tc = marginal_theta_c(J1)
    g1 = (tc - math.sin(tc) * math.cos(tc)) / (2 * math.pi)
    g0 = (math.sin(tc) - tc * math.cos(tc)) / math.pi
    assert J1 * g1 == pytest.approx(1.0, rel=1e-9)
    assert critical_J0(J1) == pytest.approx(-math.cos(tc) / g0, rel=1e-9, abs=1e-12)


ei_param = st.fixed_dictionaries({
    "M_EE": st.floats(0, 3), "M_EI": st.floats(-3, 0), "M_IE": st.floats(0, 3),
    "M_II": st.floats(-3, 0), "gamma_E": st.floats(-20, 20), "gamma_I": st.floats(-20, 20),
    "tau_E": st.floats(1, 50), "tau_I": st.floats(1, 100)})


@settings(max_examples=30, deadline=None)
@given(ei_param)
def test_ei_fixed_points_are_zeros_of_the_flow(params):
    """Every fixed point found satisfies rhs = 0 (an independent evaluation of the ODE)."""
    model = EIModel(**params)
    for fp in find_fixed_points(model):
        nu = np.asarray(fp.state)
        W = model.weights
        u = W @ nu - model.gamma
        rhs = (-nu + np.maximum(u, 0.0)) / model.tau
        assert np.all(np.abs(rhs) <= 1e-8 * (1.0 + np.abs(nu).max()) / model.tau.min())


@settings(max_examples=12, deadline=None)
@given(ei_param)
def test_find_limit_cycle_is_bounded_and_periodic(params):
    """Finishes within its caps; a cycle found returns to its start after one period."""
    model = EIModel(**params)
    t0 = time.monotonic()
    with _no_fail():
        cyc = find_limit_cycle(model, max_seconds=2.0)
    assert time.monotonic() - t0 < 10.0
    if cyc is not None:
        assert cyc.period > 0 and np.all(np.isfinite(cyc.orbit))
        assert np.allclose(cyc.orbit[-1], cyc.orbit[0], atol=1e-6 * (1 + cyc.maximum.max()))


class _no_fail:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        self._w.__exit__(*exc)
        return False


@settings(max_examples=25, deadline=None)
@given(J0=st.floats(-5, 2), J1=st.floats(0, 6), h0=st.floats(-1, 2), eps=st.floats(0, 1),
       method=st.sampled_from(["euler", "heun", "rk4"]))
def test_simulate_is_ok_and_finite_or_reports_divergence(J0, J1, h0, eps, method):
    tr = simulate(RingModel(J0=J0, J1=J1, h0=h0, eps=eps, N=16), t_max=20.0, dt=0.05,
                  method=method, on_divergence="ignore")
    if str(tr.status) == "ok":
        assert np.all(np.isfinite(tr.rates)) and np.all(tr.rates >= -1e-12)
    else:
        assert str(tr.status) == "diverged" and "likely cause" in tr.message
        assert J0 >= 1.0 or J1 > 2.0 or h0 > 0  # only a growing mode can diverge


# ------------------------------------------------------------------ the CLI guard
def test_guard_internal_error_is_one_line_and_debug_shows_traceback(monkeypatch):
    import ratenet.cli.ring as ring_cli

    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(ring_cli, "_theory", boom)
    r = run("ring", "theory")
    line = one_line_error(r, 1)
    assert "internal error: RuntimeError: boom" in line and "RATENET_DEBUG" in line
    r = run("ring", "theory", env={"RATENET_DEBUG": "1"})
    assert r.exit_code == 1 and "Traceback (most recent call last)" in r.stderr


@pytest.mark.parametrize("exc, code, needle", [
    (KeyboardInterrupt(), 130, "interrupted"),
    (np.linalg.LinAlgError("singular"), 1, "the computation failed: singular"),
    (MemoryError(), 1, "not enough memory"),
    (PermissionError(13, "Permission denied", "/x.png"), 2, "cannot access '/x.png'"),
    (ParameterError("J0", 5, "a number < 1"), 2, "--j0: J0 must be a number < 1 (got 5)"),
])
def test_guard_maps_each_kind_of_failure(monkeypatch, exc, code, needle):
    import ratenet.cli.ring as ring_cli

    def raiser(*a, **k):
        raise exc

    monkeypatch.setattr(ring_cli, "_theory", raiser)
    line = one_line_error(run("ring", "theory"), code)
    assert needle in line


def test_continuation_error_exits_1(monkeypatch):
    cont = pytest.importorskip("ratenet.continuation")
    import ratenet.cli.ring as ring_cli

    def raiser(*a, **k):
        raise cont.ContinuationError("no convergence")

    monkeypatch.setattr(ring_cli, "_theory", raiser)
    assert "no convergence" in one_line_error(run("ring", "theory"), 1)


# ------------------------------------------------------- regression cases (issue 13)
@pytest.mark.parametrize("args, code, needle", [
    (("ring", "simulate", "--t-max", "1e308"), 2, "--max-work"),
    (("ring", "simulate", "--dt", "1e-320"), 2, "--max-work"),
    (("ring", "simulate", "--seed", "-1"), 2, "--seed"),
    (("ring", "simulate", "--n", "100000000"), 2, "estimated 1e+12 unit-steps"),
    (("ring", "diffusion", "--sigma", "0.1", "--trials", "1000000000"), 2, "--max-work"),
    (("ei", "bifurcation", "--param", "tau_I", "--start", "20", "--stop", "100", "--num",
      "100000000"), 2, "--max-values"),
    (("ei", "analyze", "--m-ee", "1e308"), 2, "--m-ee"),
    (("ei", "analyze", "--tau-e", "1e-320"), 2, "--tau-e"),
    (("ring", "simulate", "--plot", "/sys/f.png"), 2, "--plot"),
    (("ring", "simulate", "--plot", "/tmp/" + "a" * 5000 + ".png"), 2, "file name too long"),
    (("ring", "simulate", "--out", "/dev/full"), 2, "must end in .nc"),
    (("ring", "memory", "--cue-off", "1", "--t-max", "2", "--out", "/proc/x.json"), 2,
     "--out"),
    (("tutorial", "--out", "/dev/full"), 2, "--out"),
    (("tln", "attractors", "--graph", "0->1,1->2,2->0", "--plot", "/proc/x.png"), 2, "--plot"),
])
def test_issue_13_bad_input_is_one_line_exit_2(args, code, needle):
    t0 = time.monotonic()
    line = one_line_error(run(*args), code)
    assert needle in line and len(line) < 500
    assert time.monotonic() - t0 < 5.0


def test_issue_13_diffusion_subnormal_h0_no_zero_division():
    r = run("ring", "diffusion", "--h0", "5e-324", "--sigma", "0.1", "--trials", "2",
            "--t-max", "1", "--t-burn", "0.5", "--n", "16", "--json", "-q")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["theory"] is None  # beyond the float range: reported as no value (null)


def test_issue_13_diverged_simulation_exits_1_with_its_json():
    r = run("ring", "simulate", "--j0", "1.5", "--n", "16", "--t-max", "50", "--json", "-q")
    assert r.exit_code == 1
    d = json.loads(r.stdout)
    assert d["status"] == "diverged" and d["diverged"] is True and d["t_diverged"] > 0


def test_issue_13_degenerate_ei_model_is_named_and_ends():
    t0 = time.monotonic()
    r = run("ei", "analyze", "--m-ee", "1", "--m-ei", "0", "--m-ie", "0", "--m-ii", "0",
            "--json")
    assert time.monotonic() - t0 < 5.0
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["fixed_points"] == [] and d["limit_cycle"] is None
    text = " ".join(d["notes"])
    assert "degenerate model" in text and "g M_EE = 1" in text and "not coupled" in text


@pytest.mark.parametrize("params", [
    {"M_EE": 1.0, "M_EI": 0.0, "M_IE": 0.0, "M_II": 0.0},   # E alone: dnu_E/dt = 1 Hz/ms
    {"M_EE": 0.0, "M_EI": 0.0},                              # I driven by E, no feedback
    {"M_EE": 1.0, "M_EI": 0.0, "M_IE": 0.0, "M_II": 0.0, "gamma_E": 0.0},  # line of eq.
], ids=["decoupled-MEE1", "MEE0-MEI0", "line-of-equilibria"])
def test_issue_13_find_limit_cycle_no_longer_hangs(params):
    """Feed-forward networks have no periodic orbit: found at once, not after > 60 s."""
    t0 = time.monotonic()
    with _no_fail():
        assert find_limit_cycle(EIModel(**params)) is None
    assert time.monotonic() - t0 < 5.0


def test_find_limit_cycle_caps_are_honoured():
    """With a tiny budget the search stops, says why, and returns None; the default still
    finds the E-I cycle (tau_I = 50 ms > the Hopf value 40 ms)."""
    with pytest.warns(RuntimeWarning, match="max_returns = 1"):
        assert find_limit_cycle(EIModel(tau_I=50.0), max_returns=1) is None
    cyc = find_limit_cycle(EIModel(tau_I=50.0))
    assert cyc is not None and cyc.stable and cyc.period > 0


def test_degeneracies_named():
    assert EIModel().degeneracies() == []
    d = EIModel(M_EE=1.0, M_EI=0.0, M_IE=0.0, M_II=0.0).degeneracies()
    assert len(d) == 2 and "zero eigenvalue" in d[0] and "M_EI M_IE = 0" in d[1]
    # both-active system singular: det(g M - I) = (M_EE - 1)(M_II - 1) - M_EI M_IE = 0
    # det(g M - I) = (M_EE - 1)(M_II - 1) - M_EI M_IE: -1 here (regular), nothing named
    assert EIModel(M_EE=2.0, M_EI=-1.0, M_IE=1.0, M_II=-1.0).degeneracies() == []
    # (3 - 1)(0 - 1) - (-1)(2) = 0: the both-active system is singular
    d = EIModel(M_EE=3.0, M_EI=-1.0, M_IE=2.0, M_II=0.0).degeneracies()
    assert len(d) == 1 and "singular" in d[0]


# ------------------------------------------------------------------- output files
def test_outputs_are_checked_before_the_work(tmp_path, monkeypatch):
    """An unwritable --plot is refused before simulate is even called."""
    import ratenet

    called = []
    monkeypatch.setattr(ratenet, "simulate", lambda *a, **k: called.append(1))
    target = tmp_path / "fifo.png"
    os.mkfifo(target)  # exists, not a regular file: renaming over it would replace it
    r = run("ring", "simulate", "--plot", str(target))
    assert "exists and is not a regular file" in one_line_error(r, 2) and not called


def test_write_atomic_leaves_nothing_half_written(tmp_path):
    from ratenet.cli._common import write_atomic

    dest = tmp_path / "out.json"
    dest.write_text("old")

    def bad_writer(tmp):
        with open(tmp, "w") as fh:
            fh.write("partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(SystemExit) as info:
        write_atomic("--out", str(dest), bad_writer)
    assert info.value.code == 2
    assert dest.read_text() == "old" and os.listdir(tmp_path) == ["out.json"]
    write_atomic("--out", str(dest), lambda tmp: open(tmp, "w").write("new"))
    assert dest.read_text() == "new" and os.listdir(tmp_path) == ["out.json"]


def test_ring_json_out_written_and_quiet_silences_notes(tmp_path):
    out = tmp_path / "m.json"
    r = run("ring", "memory", "--n", "16", "--cue-off", "1", "--t-max", "3", "--out",
            str(out), "-q")
    assert r.exit_code == 0, r.output
    assert r.stderr == "" and json.loads(out.read_text())["command"] == "ring memory"
    r = run("ring", "memory", "--n", "16", "--cue-off", "1", "--t-max", "3", "--out",
            str(out))
    assert f"wrote {out}" in r.stderr


@pytest.mark.parametrize("args", [
    ("ei", "analyze"), ("ei", "bifurcation", "--param", "tau_I", "--start", "20", "--stop",
                        "30", "--num", "3", "--no-cycles"),
    ("tln", "fixed-points", "--graph", "0->1,1->2,2->0"),
    ("ring", "theory"),
])
def test_every_command_takes_q(args):
    r = run(*args, "-q")
    assert r.exit_code == 0, r.output
    assert r.stderr == ""


# ----------------------------------------------- properties of every CLI command
CLI_VALUES = st.sampled_from(["nan", "inf", "-inf", "1e308", "5e-324", "1e-320", "-1", "0",
                              "1" + "0" * 200, "abc", "", "0.5", "2", "-3", "1e6"])
CLI_CASES = [
    (("ring", "theory"), ["--j0", "--j1", "--h0", "--eps", "--theta0"]),
    (("ring", "simulate", "--n", "16", "--t-max", "2", "--dt", "0.1", "--max-work", "1e6"),
     ["--j0", "--j1", "--h0", "--eps", "--n", "--t-max", "--dt", "--seed", "--max-work"]),
    (("ring", "diffusion", "--n", "16", "--sigma", "0.1", "--trials", "2", "--t-max", "1",
      "--t-burn", "0.5", "--max-work", "1e6"),
     ["--j1", "--h0", "--sigma", "--trials", "--t-max", "--dt", "--sigma-ou", "--tau-ou"]),
    (("ring", "memory", "--n", "16", "--cue-off", "1", "--t-max", "2", "--max-work", "1e6"),
     ["--j0", "--eps", "--cue-off", "--t-max", "--dt", "--sigma", "--theta0"]),
    (("ring", "track", "--n", "16", "--speed", "0.02", "--t-max", "2", "--max-work", "1e6"),
     ["--eps", "--speed", "--t-max", "--dt"]),
    (("ring", "phase-diagram", "--n", "8", "--steps", "20", "--t-max", "5", "--j0-range",
      "-2", "0", "2", "--j1-range", "0", "4", "2", "--max-work", "1e6"),
     ["--h0", "--eps", "--n", "--steps", "--t-max"]),
    (("ei", "analyze"), ["--m-ee", "--m-ei", "--m-ie", "--m-ii", "--gamma-e", "--tau-i"]),
    (("ei", "bifurcation", "--param", "tau_I", "--start", "20", "--stop", "60", "--num", "3",
      "--no-cycles", "--max-values", "50"), ["--start", "--stop", "--num", "--m-ee",
                                             "--max-values"]),
    (("tln", "fixed-points", "--graph", "0->1,1->2,2->0"), ["--epsilon", "--delta", "--theta",
                                                           "--max-units"]),
    (("tln", "attractors", "--graph", "0->1,1->2,2->0", "--trials", "2", "--t-max", "10"),
     ["--trials", "--t-max", "--seed", "--theta", "--max-seconds"]),
    (("ring-ei", "theory"), ["--jee0", "--jee1", "--jei0", "--h-e", "--tau-i", "--eps-e"]),
    (("ring-ei", "simulate", "--n", "8", "--t-max", "20", "--dt", "0.1", "--max-work", "1e6"),
     ["--jee1", "--tau-e", "--n", "--t-max", "--dt", "--seed", "--window"]),
]


@settings(max_examples=40, deadline=None)
@given(case=st.sampled_from(CLI_CASES), data=st.data())
def test_cli_commands_never_trace_back(case, data):
    """Any value of any option: exit 0/1/2, one error line at most, valid JSON."""
    base, options = case
    opt = data.draw(st.sampled_from(options))
    value = data.draw(CLI_VALUES)
    args = [*base, opt, value, "--json", "-q"]
    r = run(*args)
    assert r.exit_code in (0, 1, 2), (args, r.output)
    assert "Traceback" not in r.output and "internal error" not in r.stderr, (args, r.output)
    if r.exit_code == 0:
        bad = []
        json.loads(r.stdout, parse_constant=bad.append)
        assert bad == [], args
    if r.exit_code == 2:
        assert len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)


# ------------------------------------------------------ every public constructor
CONSTRUCTORS = {
    "RingModel.J1": lambda v: rn.RingModel(J1=v), "RingModel.N": lambda v: rn.RingModel(N=v),
    "RingModel.t_off": lambda v: rn.RingModel(t_off=v),
    "EIModel.M_IE": lambda v: rn.EIModel(M_IE=v), "EIModel.tau_E": lambda v: rn.EIModel(tau_E=v),
    "EIRingModel": lambda v: rn.EIRingModel(**{next(iter(rn.EIRingModel.__dataclass_fields__)):
                                               v}),
    "RateNetwork.W": lambda v: rn.RateNetwork(W=[[v]]),
    "ThresholdLinear.gain": lambda v: rn.ThresholdLinear(gain=v),
    "ThresholdLinear.threshold": lambda v: rn.ThresholdLinear(threshold=v),
    "Sigmoid.r_max": lambda v: rn.Sigmoid(r_max=v),
    "PowerLaw.exponent": lambda v: rn.PowerLaw(exponent=v),
    "FourierCoupling.N": lambda v: rn.FourierCoupling((1.0, 2.0), v),
    "FourierCoupling.modes": lambda v: rn.FourierCoupling((v, 2.0), 16),
    "CirculantCoupling.N": lambda v: rn.CirculantCoupling.from_function(np.cos, v),
    "DenseCoupling": lambda v: rn.DenseCoupling([[v]]),
    "Noise.sigma": lambda v: rn.Noise(sigma=v),
    "Noise.tau_ou": lambda v: rn.Noise(sigma_ou=0.1, tau_ou=v),
    "Heterogeneity.threshold_sd": lambda v: rn.Heterogeneity(threshold_sd=v),
    "Heterogeneity.seed": lambda v: rn.Heterogeneity(seed=v),
    "CTLN.epsilon": lambda v: rn.CTLN("0->1,1->2,2->0", epsilon=v),
    "ring_angles": lambda v: rn.ring_angles(v),
}
ANY_VALUE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-10**400,
                                                                max_value=10**400),
    st.sampled_from(["1", "", True, 1j, None, np.array([1.0, 2.0]), np.array(2.0),
                     np.float32(0.5), np.int64(3), 5e-324]))


@settings(max_examples=80, deadline=None)
@given(name=st.sampled_from(sorted(CONSTRUCTORS)), value=ANY_VALUE)
def test_public_constructors_build_or_refuse_with_parameter_error(name, value):
    """Any value: an object, or a ParameterError -- never another exception."""
    try:
        CONSTRUCTORS[name](value)
    except ParameterError:
        pass


# ------------------------------------------- cases the fuzzer found (tools/fuzz.py)
def test_fuzz_found_api_cases_are_refused_cleanly():
    from ratenet.analysis import nullclines, trajectory
    from ratenet.attractor import diffusion_theory
    from ratenet.theory import reduced_dynamics

    with pytest.raises(ParameterError, match="x0"):
        trajectory(EIModel(), [10**400, 1.0], t_max=10.0)
    with pytest.raises(ParameterError, match="dt"):  # 1e300 / 0.5 samples in memory
        trajectory(EIModel(), [1.0, 1.0], t_max=1e300)
    with pytest.raises(ParameterError, match="J1"):
        critical_J0(1e308)
    with pytest.raises(ParameterError, match="J_higher"):  # 0-d array: TypeError before
        RingModel(J_higher=np.array(2.0))
    assert RingModel(J_higher=np.array([0.5]), N=16).J_higher == (0.5,)
    for t in ("abc", 1j, [float("nan")]):
        with pytest.raises(ParameterError, match="t must be"):
            reduced_dynamics(t, J0=-2.0, J1=3.0, h0=1.0, eps=0.1)
    # a zero row of the E-I weights (M_IE = M_II = 0) with a zero-height window edge
    nullclines(EIModel(M_IE=0.0), x_range=(0.0, 40.0), y_range=(-0.0, 60.0), resolution=50)
    # sigma = 10**79 and a subnormal bump: D beyond the float range is no value (nan), not
    # OverflowError; with h0 = 1 it is large and finite: sigma^2 / (N m1^2), m1 = pi/4
    assert math.isnan(diffusion_theory(RingModel(J0=-2.0, J1=4.0, h0=5e-324, N=64), 10**79))
    big = diffusion_theory(RingModel(J0=-2.0, J1=4.0, h0=1.0, N=64), 10**79)
    assert big == pytest.approx(1e158 / (64 * (math.pi / 4) ** 2), rel=1e-12)
    # and the closed form itself: D = sigma^2 / (N m1^2) with m1 = pi/4 at J1 = 4
    d = diffusion_theory(RingModel(J0=-2.0, J1=4.0, h0=1.0, N=256), 0.1)
    assert d == pytest.approx(0.1**2 / (256 * (math.pi / 4) ** 2), rel=1e-12)


@pytest.mark.parametrize("args, needle", [
    (("ring", "phase-diagram", "--n", "8", "--steps", "10", "--j0-range", "-2", "0", "2",
      "--j1-range", "0", "4", "2", "--seed", "-5"), "--seed"),
    (("ring", "track", "--n", "16", "--speed", "0.02", "--t-max", "2", "--seed", "-5"),
     "--seed"),
    (("tln", "fixed-points", "--graph", "0->1,1->2,2->0", "--n", "4294967296"), "memory"),
    (("tln", "fixed-points", "--graph", "0->1,1->2,2->0", "--n", "1" + "0" * 200), "--n"),
    (("tln", "attractors", "--graph", "0->1", "--max-seconds", "0"), "--max-seconds"),
])
def test_fuzz_found_cli_cases_exit_2(args, needle):
    assert needle in one_line_error(run(*args), 2)


def test_time_cap_stops_a_long_command_with_exit_1(monkeypatch):
    import ratenet.tln as tln_pkg

    def slow(*a, **k):
        t_end = time.monotonic() + 30.0
        while time.monotonic() < t_end:  # Python-level work: the alarm interrupts it
            sum(range(1000))

    monkeypatch.setattr(tln_pkg, "find_attractors", slow)
    t0 = time.monotonic()
    r = run("tln", "attractors", "--graph", "0->1,1->2,2->0", "--max-seconds", "0.5")
    assert "stopped after 0.5 s, the cap --max-seconds" in one_line_error(r, 1)
    assert time.monotonic() - t0 < 10.0
