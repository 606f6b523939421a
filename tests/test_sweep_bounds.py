"""``ratenet sweep`` under hostile input: bounded work, unwritable outputs, nothing half-written.

* every out-of-range spec value is refused by :func:`parse_spec`, before anything is written;
* a grid too large is refused from the spec's counts alone (no value is generated), with
  the estimate and the option that raises the cap;
* an ``--out`` that cannot be written is refused with exit 2 before the work;
* the store is written as ``STORE.zarr.partial`` and renamed when complete: a failure
  injected mid-run leaves nothing behind, an interruption leaves only the ``.partial``
  store that ``--resume`` finishes into the same files as an uninterrupted run;
* Hypothesis: any spec is either a valid :class:`SweepSpec` within the caps or a
  :class:`ParameterError` naming a key of the spec.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

pytest.importorskip("dask")
pytest.importorskip("zarr")

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratenet import ParameterError
from ratenet.cli import main
from ratenet.sweep import SweepSpec, completed_chunks, parse_spec, run_sweep
from ratenet.sweep import spec as spec_mod
from ratenet.sweep import store as store_mod
from ratenet.sweep.spec import (
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_WORK,
    MAX_CHUNK_BYTES,
    MAX_STEPS_PER_CELL,
    estimate_work,
)

SMALL = """
model = "ring"
seed = 3
[fixed]
n = 16
t_max = 5
[sweep]
j0 = { start = -2.0, stop = 0.0, num = 3 }
j1 = [0.0, 2.5]
[measure]
quantities = ["r0", "peak", "regime"]
[run]
chunk_cells = 1
"""


def files(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes()
            for p in sorted(path.rglob("*")) if p.is_file()}


def run_cli(args: list[str]):
    return CliRunner().invoke(main, args)


def one_line_error(r, code: int, *words: str) -> None:
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ratenet: error:"), r.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])


# ----------------------------------------------------------- out-of-range values
@pytest.mark.parametrize(("fixed", "key"), [
    ("t_max = 1e308", "fixed.t_max"),          # regression: OverflowError after a 33-file store
    ("t_max = 2e7", "fixed.t_max"),            # 2e9 steps of dt = 0.01
    ("tau = 1e-320", "fixed.tau"),             # dt = tau/100 underflows: inf steps
    ("t_max = 10\ndt = 1e-300", "fixed.dt"),
    ("t_max = nan", "fixed.t_max"),
    ("t_max = inf", "fixed.t_max"),
    ("t_max = -1", "fixed.t_max"),
    ("n = 100000000", "fixed.n"),              # 3.2 GB of state for one simulation
    ("sigma = -1.0", "fixed.sigma"),
    ("sigma = inf", "fixed.sigma"),
    ("tau_ou = 0", "fixed.tau_ou"),
    ("method = \"rk5\"", "fixed.method"),
])
def test_out_of_range_fixed_values_are_refused_at_validation(tmp_path, fixed, key):
    text = f'model = "ring"\n[fixed]\n{fixed}\n[sweep]\nj0 = [-1.0, 0.0]\n'
    with pytest.raises(ParameterError) as info:
        parse_spec(text)
    assert info.value.name == key, str(info.value)
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    r = run_cli(["sweep", str(spec), "--out", str(tmp_path / "s.zarr"), "--scheduler",
                 "synchronous"])
    one_line_error(r, 2, key)
    assert sorted(os.listdir(tmp_path)) == ["bad.toml"]  # nothing written


def test_steps_per_cell_cap_is_t_max_over_dt():
    """The cap is exactly MAX_STEPS_PER_CELL steps: t_max / dt at the cap passes, above fails."""
    dt = 0.5
    ok = parse_spec(f'model = "ring"\n[fixed]\nn = 8\nt_max = {MAX_STEPS_PER_CELL * dt}\n'
                    f'dt = {dt}\n[sweep]\nj0 = [0.0]', max_work=math.inf)
    assert estimate_work(ok)["steps_per_cell"] == MAX_STEPS_PER_CELL
    with pytest.raises(ParameterError, match="t_max"):
        parse_spec(f'model = "ring"\n[fixed]\nn = 8\nt_max = {(MAX_STEPS_PER_CELL + 1) * dt}\n'
                   f'dt = {dt}\n[sweep]\nj0 = [0.0]', max_work=math.inf)


def test_estimate_counts_cells_steps_units_and_bytes():
    spec = parse_spec(SMALL)
    w = estimate_work(spec)
    # 3 x 2 grid, 1 trial; t_max / dt = 5 / 0.01 = 500 steps; N = 16 units
    assert w["cells"] == 6 and w["steps_per_cell"] == 500 and w["units"] == 16
    assert w["work"] == 6 * 500 * 16
    assert w["store_bytes"] == 8 * 6 * 3  # three float64-sized quantities per cell
    assert w["chunk_bytes"] == 4 * 8 * 16 * 1  # chunk_cells = 1


# ---------------------------------------------------------------- grid too large
def test_huge_grid_is_refused_from_the_counts_alone(tmp_path, monkeypatch):
    """A 1e6 x 1e6 grid: refused before a single value is generated or checked."""
    def never(*args, **kwargs):
        raise AssertionError("values were generated for a grid that is refused")

    text = ('model = "ring"\n[sweep]\nj0 = { start = -2.0, stop = 0.0, num = 1000000 }\n'
            'j1 = { start = 0.0, stop = 4.0, num = 1000000 }\n')
    monkeypatch.setattr(spec_mod, "_values", never)
    monkeypatch.setattr(spec_mod, "_checked", never)
    with pytest.raises(ParameterError) as info:
        parse_spec(text)
    msg = str(info.value)
    assert info.value.name == "sweep" and "1e+12 simulations" in msg
    assert "1000000 x 1000000" in msg and "--max-cells" in msg and "TB" in msg
    monkeypatch.undo()
    spec = tmp_path / "huge.toml"
    spec.write_text(text)
    r = run_cli(["sweep", str(spec), "--out", str(tmp_path / "s.zarr")])
    one_line_error(r, 2, "--max-cells", "1e+12")
    assert sorted(os.listdir(tmp_path)) == ["huge.toml"]


def test_huge_range_beside_a_malformed_entry_is_refused_before_generating(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("values were generated for a grid that is refused")

    monkeypatch.setattr(spec_mod, "_values", never)
    with pytest.raises(ParameterError) as info:
        parse_spec('model = "ring"\n[sweep]\nj0 = { start = 0.0, stop = 1.0, num = 10000000000 }'
                   '\nj1 = { start = 0.0 }\n')
    assert info.value.name == "sweep" and "--max-cells" in str(info.value)


def test_max_cells_and_max_work_are_the_caps():
    n = 6  # cells of SMALL
    assert parse_spec(SMALL, max_cells=n).n_cells == n
    with pytest.raises(ParameterError, match="--max-cells"):
        parse_spec(SMALL, max_cells=n - 1)
    work = 6 * 500 * 16
    assert estimate_work(parse_spec(SMALL, max_work=work))["work"] == work
    with pytest.raises(ParameterError, match="--max-work"):
        parse_spec(SMALL, max_work=work - 1)
    with pytest.raises(ParameterError) as info:
        parse_spec(SMALL, max_cells=0)
    assert info.value.name == "max_cells"


def test_cli_cap_options(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(SMALL)
    r = run_cli(["sweep", str(spec), "--out", str(tmp_path / "a.zarr"), "--scheduler",
                 "synchronous", "--max-cells", "5"])
    one_line_error(r, 2, "--max-cells", "at most 5 simulations")
    r = run_cli(["sweep", str(spec), "--out", str(tmp_path / "a.zarr"), "--scheduler",
                 "synchronous", "--max-work", "1000"])
    one_line_error(r, 2, "--max-work", "4.8e+04 unit updates")
    r = run_cli(["sweep", str(spec), "--out", str(tmp_path / "a.zarr"), "--scheduler",
                 "synchronous", "--max-cells", "6", "--json", "-q"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["completed"] == 6 and r.stderr == ""


# ------------------------------------------------------------- unwritable --out
@pytest.mark.parametrize("where", ["/sys/x.zarr", "/proc/x.zarr", "MISSING/x.zarr",
                                   "LONG"])
def test_unwritable_out_is_refused_before_the_work(tmp_path, monkeypatch, where):
    spec = tmp_path / "s.toml"
    spec.write_text(SMALL)
    if where == "MISSING/x.zarr":
        where = str(tmp_path / "missing" / "x.zarr")
    elif where == "LONG":
        where = str(tmp_path / ("x" * 250 + ".zarr"))  # the name fits, STORE.partial does not
    from ratenet.sweep import grid as grid_mod

    def no_work(*args, **kwargs):
        raise AssertionError("work started for an unwritable --out")

    monkeypatch.setattr(grid_mod, "compute_chunk", no_work)
    r = run_cli(["sweep", str(spec), "--out", where, "--scheduler", "synchronous"])
    one_line_error(r, 2, "--out")
    assert sorted(os.listdir(tmp_path)) == ["s.toml"]


# ------------------------------------------------------- nothing half-written
def test_failure_injected_mid_run_leaves_nothing(tmp_path, monkeypatch):
    spec = parse_spec(SMALL)
    real = store_mod.SweepStore.write_chunk
    written = []

    def failing(self, chunk, values):
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        written.append(chunk.index)
        real(self, chunk, values)

    monkeypatch.setattr(store_mod.SweepStore, "write_chunk", failing)
    out = tmp_path / "s.zarr"
    with pytest.raises(OSError, match="No space"):
        run_sweep(spec, out, scheduler="synchronous")
    assert written == [0, 1, 2]  # the failure came mid-run, after three chunks
    assert os.listdir(tmp_path) == []  # no store, no .partial, no template
    written.clear()
    spec_file = tmp_path / "s.toml"
    spec_file.write_text(SMALL)
    r = run_cli(["sweep", str(spec_file), "--out", str(out), "--scheduler", "synchronous"])
    one_line_error(r, 1, "No space left on device", "nothing was written")
    assert os.listdir(tmp_path) == ["s.toml"]


def test_interrupted_run_keeps_only_the_partial_store_and_resume_finishes_it(tmp_path,
                                                                            monkeypatch):
    spec = parse_spec(SMALL)
    ref = tmp_path / "ref.zarr"
    run_sweep(spec, ref, scheduler="synchronous")
    assert sorted(os.listdir(tmp_path)) == ["ref.zarr"]  # renamed: no .partial left
    from ratenet.sweep import execute

    real = execute.compute_chunk
    calls = []

    def interrupted(spec_json, index):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(index)
        return real(spec_json, index)

    monkeypatch.setattr(execute, "compute_chunk", interrupted)
    spec_file = tmp_path / "s.toml"
    spec_file.write_text(SMALL)
    out = tmp_path / "s.zarr"
    r = run_cli(["sweep", str(spec_file), "--out", str(out), "--scheduler", "synchronous"])
    one_line_error(r, 1, "interrupted", "2 chunks are kept", "s.zarr.partial", "--resume")
    assert not out.exists() and completed_chunks(out) == {0, 1}
    # the unfinished store blocks a fresh run (which would throw its chunks away)...
    r = run_cli(["sweep", str(spec_file), "--out", str(out), "--scheduler", "synchronous"])
    one_line_error(r, 2, "--out", "--resume")
    monkeypatch.undo()
    # ... and --resume finishes it into the files of the uninterrupted run
    r = run_cli(["sweep", str(spec_file), "--out", str(out), "--scheduler", "synchronous",
                 "--resume", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["computed"] == 4 and d["completed"] == 6
    assert files(out) == files(ref)
    assert sorted(os.listdir(tmp_path)) == ["ref.zarr", "s.toml", "s.zarr"]


def test_check_writable_leaves_no_probe(tmp_path):
    store_mod.check_writable(tmp_path / "a.zarr")
    assert os.listdir(tmp_path) == []
    with pytest.raises(ParameterError) as info:
        store_mod.check_writable("/sys/a.zarr")
    assert info.value.name == "out"


def test_plot_out_checked_before_drawing(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(SMALL)
    store = tmp_path / "s.zarr"
    assert run_cli(["sweep", str(spec), "--out", str(store), "--scheduler",
                    "synchronous"]).exit_code == 0
    one_line_error(run_cli(["sweep", "plot", str(store), "r0", "--out", "/sys/r0.png"]), 2,
                   "--out")
    one_line_error(run_cli(["sweep", "plot", str(store), "r0", "--out",
                            str(tmp_path / "r0.xyz")]), 2, "--out", ".png")
    png = tmp_path / "r0.png"
    r = run_cli(["sweep", "plot", str(store), "r0", "--out", str(png)])
    assert r.exit_code == 0 and r.stdout == "" and r.stderr.strip() == f"wrote {png}"
    r = run_cli(["sweep", "plot", str(store), "r0", "--out", str(png), "-q"])
    assert r.exit_code == 0 and r.stdout == "" and r.stderr == ""
    assert png.stat().st_size > 1000
    assert sorted(os.listdir(tmp_path)) == ["r0.png", "s.toml", "s.zarr"]  # no temporaries


# ------------------------------------------------------------------ Hypothesis
RING_KEYS = ["j0", "j1", "h0", "eps", "theta0", "omega", "t_on", "t_off", "tau", "n",
             "t_max", "dt", "method", "sigma", "sigma_ou", "tau_ou"]
EI_KEYS = ["m_ee", "m_ei", "m_ie", "m_ii", "gamma_e", "gamma_i", "tau_e", "tau_i"]

hostile_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-320, 5e-324, 1e308, -1e308, 1e-9, 1e9]),
    st.integers(min_value=-10**30, max_value=10**30),
    st.sampled_from([10**200, -(10**200), 2**63, 2**64]),
)
hostile_values = st.one_of(hostile_numbers, st.booleans(), st.text(max_size=5),
                           st.sampled_from(["euler", "rk4", "heun"]),
                           st.lists(st.floats(-5, 5), max_size=2))


def sweep_entries():
    lists = st.lists(hostile_numbers, min_size=0, max_size=3)
    ranges = st.fixed_dictionaries(
        {"start": hostile_numbers, "stop": hostile_numbers,
         "num": st.one_of(st.integers(-2, 5), st.sampled_from([10**7, 10**12, 10**40]),
                          st.floats(-1, 4))},
        optional={"scale": st.sampled_from(["linear", "log", "cubic"])})
    return st.one_of(lists, ranges, hostile_values)


@st.composite
def hostile_specs(draw):
    model = draw(st.sampled_from(["ring", "ring", "ei", "nope"]))
    keys = RING_KEYS if model != "ei" else EI_KEYS
    spec: dict = {"model": model}
    if draw(st.booleans()):
        spec["seed"] = draw(st.one_of(st.integers(-5, 10**20), hostile_values))
    if draw(st.booleans()):
        spec["trials"] = draw(st.one_of(st.integers(-1, 4), st.sampled_from([10**9, 10**30])))
    spec["fixed"] = draw(st.dictionaries(st.sampled_from(keys), hostile_values, max_size=4))
    spec["sweep"] = draw(st.dictionaries(st.sampled_from(keys), sweep_entries(),
                                         min_size=0, max_size=3))
    if draw(st.booleans()):
        spec["run"] = {"chunk_cells": draw(st.one_of(st.integers(-1, 10**12),
                                                     hostile_values))}
    return spec


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_specs())
def test_any_spec_is_valid_within_the_caps_or_a_named_error(raw):
    try:
        spec = parse_spec(raw)
    except ParameterError as err:
        top = err.name.split(".")[0]
        assert top in ("model", "seed", "trials", "fixed", "sweep", "run", "measure",
                       "max_cells", "max_work"), err.name
        if top in ("fixed", "sweep", "run") and "." in err.name:
            assert err.name.split(".")[1] in {k for k in raw.get(top, {})}, err.name
        assert "\n" not in str(err) and len(str(err)) < 600
        return
    assert isinstance(spec, SweepSpec)
    w = estimate_work(spec)
    assert 1 <= w["cells"] <= DEFAULT_MAX_CELLS
    assert w["chunk_bytes"] <= MAX_CHUNK_BYTES
    if w["work"] is not None:
        assert w["work"] <= DEFAULT_MAX_WORK
        assert 1 <= w["steps_per_cell"] <= MAX_STEPS_PER_CELL
    for name, values in spec.sweep.items():
        for v in values:
            assert not isinstance(v, float) or math.isfinite(v) or name == "t_off", (name, v)
    # the canonical form survives the trip through JSON that every worker makes
    again = SweepSpec.from_dict(json.loads(spec.to_json()))
    assert again.to_json() == spec.to_json()


option_values = st.one_of(st.integers(-3, 10**12).map(str), st.sampled_from(
    ["0", "-1", "1e308", "nan", "inf", "abc", "", "1e-320", "6", "100000"]))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(max_cells=st.none() | option_values, max_work=st.none() | option_values,
       workers=st.none() | option_values,
       scheduler=st.sampled_from(["synchronous", "nope", "127.0.0.1:1"]))
def test_cli_run_options_exit_0_1_2_with_one_line(tmp_path_factory, max_cells, max_work,
                                                  workers, scheduler):
    tmp = tmp_path_factory.mktemp("cli")
    spec = tmp / "s.toml"
    spec.write_text(SMALL)
    args = ["sweep", str(spec), "--out", str(tmp / "s.zarr"), "--scheduler", scheduler,
            "--json", "-q"]
    for opt, v in (("--max-cells", max_cells), ("--max-work", max_work),
                   ("--workers", workers)):
        if v is not None:
            args += [opt, v]
    r = run_cli(args)
    assert r.exit_code in (0, 1, 2), r.output
    assert "Traceback" not in r.output
    if r.exit_code == 0:
        assert json.loads(r.stdout)["completed"] == 6
        assert sorted(os.listdir(tmp)) == ["s.toml", "s.zarr"]
    else:
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ratenet: error:"), r.stderr
        assert sorted(os.listdir(tmp)) == ["s.toml"]  # nothing written


def test_work_errors_name_the_key_the_spec_sets():
    # found by the property test above: the cause is the network's size or its time
    # constant (the default dt is min(tau) / 100), not keys the spec left to defaults
    with pytest.raises(ParameterError) as err:
        parse_spec({"model": "ring", "fixed": {"n": 67108865.0}, "sweep": {}})
    assert err.value.name == "fixed.n"
    with pytest.raises(ParameterError) as err:
        parse_spec({"model": "ring", "fixed": {"tau": 5.882035455432844e-32}, "sweep": {}})
    assert err.value.name == "fixed.tau"
    # a default chunk (n_cells / 64 = 40 here) shrinks to fit the memory cap, at
    # 4 x 8 bytes x N units per simulation; one given explicitly is refused instead
    sweep = {"J1": {"start": 0, "stop": 1, "num": 2560}}
    spec = parse_spec({"model": "ring", "fixed": {"N": 2_000_000, "t_max": 1.0},
                       "sweep": sweep})
    assert spec.chunk_cells == int(MAX_CHUNK_BYTES // (4 * 8 * 2_000_000)) == 33
    with pytest.raises(ParameterError) as err:
        parse_spec({"model": "ring", "fixed": {"N": 2_000_000, "t_max": 1.0},
                    "sweep": sweep, "run": {"chunk_cells": 40}})
    assert err.value.name == "run.chunk_cells"
