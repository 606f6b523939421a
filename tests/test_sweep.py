"""``ratenet sweep``: specs, grid and chunking, stored values against theory and direct
simulation, independence from the chunking, resume after a crash, plots and the CLI.

Everything here runs in-process (``scheduler="synchronous"``); the tests that start Dask
clusters are in ``test_sweep_cluster.py``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("dask")
pytest.importorskip("zarr")

from click.testing import CliRunner

from ratenet import ParameterError, RingModel, simulate
from ratenet.analysis.ring import measure_final
from ratenet.cli import main
from ratenet.sweep import (
    Grid,
    chunk_shape_for,
    completed_chunks,
    load_spec,
    open_sweep,
    parse_spec,
    plot_quantity,
    run_sweep,
)
from ratenet.theory.ring import REGIMES, stationary_states

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sweep_ring.toml"

SMALL = """
model = "ring"
seed = 7
[fixed]
h0 = 1.0
eps = 0.0
n = 32
t_max = 10
[sweep]
j0 = { start = -3.0, stop = 0.5, num = 4 }
j1 = [0.0, 1.5, 3.0]
[measure]
quantities = ["r0", "peak", "m1", "theta_c", "bump_position", "n_active", "diverged",
              "regime"]
theory = ["regime", "r0"]
[run]
chunk_cells = 5
"""


def store_files(path: Path) -> dict[str, bytes]:
    """Every file of a store by relative path, with its bytes."""
    out = {}
    for p in sorted(path.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(path))] = p.read_bytes()
    return out


def assert_same_values(a, b) -> None:
    assert set(a.data_vars) == set(b.data_vars)
    for name in a.data_vars:
        assert a[name].dims == b[name].dims, name
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
    for name in a.coords:
        np.testing.assert_array_equal(a[name].values, b[name].values)


# --------------------------------------------------------------------------- specs
def test_example_spec_parses_into_the_grid_it_describes():
    spec = load_spec(EXAMPLE)
    assert spec.model == "ring"
    assert spec.dims == ("J0", "J1")
    assert spec.grid_shape == (24, 24)
    np.testing.assert_allclose(spec.sweep["J0"], np.linspace(-6.0, 0.9, 24), rtol=0, atol=0)
    assert spec.fixed["N"] == 128 and spec.fixed["t_max"] == 100.0
    assert spec.fixed["dt"] == pytest.approx(0.01)  # tau / 100
    assert spec.n_cells == 576


def test_spec_forms_of_values_and_defaults():
    spec = parse_spec("""
model = "ring"
trials = 3
[fixed]
N = 16
[sweep]
TAU = { values = [0.5, 2.0] }
eps = { start = 0.01, stop = 1.0, num = 3, scale = "log" }
[measure]
theory = ["lambda1"]
""")
    assert spec.sweep["tau"] == (0.5, 2.0)
    np.testing.assert_allclose(spec.sweep["eps"], [0.01, 0.1, 1.0], rtol=1e-12)
    assert spec.dims == ("tau", "eps", "trial")
    assert spec.fixed["dt"] == pytest.approx(0.005)  # smallest tau of the grid / 100
    assert spec.quantities == () and spec.theory == ("lambda1",)
    assert spec.n_cells == 2 * 3 * 3
    ei = parse_spec('model = "ei"\n[sweep]\ntau-i = [30.0, 50.0]\nM_ee = [1.25]')
    assert ei.dims == ("tau_I", "M_EE")
    # without [measure], the model's default quantities
    assert parse_spec('model = "ring"\n[sweep]\nj0 = [0.0]').quantities == ("regime", "r0",
                                                                           "peak")


BAD_SPECS = [
    ('model = "rign"', "model"),
    ('model = "ring"\nsteps = 3', "steps"),
    ('model = "ring"\nseed = -1', "seed"),
    ('model = "ring"\ntrials = 0', "trials"),
    ('model = "ring"\nsweep = 3', "sweep"),
    ('model = "ring"\n[fixed]\nj2 = 1.0', "fixed.j2"),
    ('model = "ring"\n[fixed]\neps = -0.1', "fixed.eps"),
    ('model = "ring"\n[fixed]\nn = 2', "fixed.n"),
    ('model = "ring"\n[fixed]\nt_max = 1\ndt = 2', "fixed.dt"),
    ('model = "ring"\n[fixed]\nmethod = "leapfrog"', "fixed.method"),
    ('model = "ring"\n[sweep]\nfoo = [1.0]', "sweep.foo"),
    ('model = "ring"\n[sweep]\nn = [64, 128]', "sweep.n"),
    ('model = "ring"\n[fixed]\nj0 = 0.0\n[sweep]\nJ0 = [1.0]', "sweep.J0"),
    ('model = "ring"\n[sweep]\neps = [0.1, -0.2]', "sweep.eps"),
    ('model = "ring"\n[sweep]\ntau = [1.0, 0.0]', "sweep.tau"),
    ('model = "ring"\n[sweep]\nj1 = [1.0, 1.0]', "sweep.j1"),
    ('model = "ring"\n[sweep]\nj1 = []', "sweep.j1"),
    ('model = "ring"\n[sweep]\nj1 = ["a"]', "sweep.j1"),
    ('model = "ring"\n[sweep]\nj0 = { start = 0.0, stop = 1.0 }', "sweep.j0.num"),
    ('model = "ring"\n[sweep]\nj0 = { start = 0.0, stop = 1.0, num = 0 }', "sweep.j0.num"),
    ('model = "ring"\n[sweep]\nj0 = { start = 0.0, stop = 1.0, num = 2.5 }', "sweep.j0.num"),
    ('model = "ring"\n[sweep]\nj0 = { start = 0.0, stop = 1.0, step = 0.1 }', "sweep.j0.step"),
    ('model = "ring"\n[sweep]\nj0 = { start = 1.0, stop = 1.0, num = 3 }', "sweep.j0.stop"),
    ('model = "ring"\n[sweep]\nj0 = { start = "a", stop = 1.0, num = 3 }', "sweep.j0.start"),
    ('model = "ring"\n[sweep]\neps = { start = 0.0, stop = 1.0, num = 3, scale = "log" }',
     "sweep.eps.start"),
    ('model = "ring"\n[measure]\nquantities = ["peak", "bump_width"]', "measure.quantities"),
    ('model = "ring"\n[measure]\nquantities = "peak"', "measure.quantities"),
    ('model = "ring"\n[measure]\nquantities = ["lambda0"]', "measure.quantities"),
    ('model = "ring"\n[measure]\ntheory = ["diverged"]', "measure.theory"),
    ('model = "ring"\n[measure]\nquantities = []', "measure.quantities"),
    ('model = "ring"\n[measure]\nwhat = ["r0"]', "measure.what"),
    ('model = "ring"\n[fixed]\nomega = 0.1\n[measure]\ntheory = ["r0"]', "measure.theory"),
    ('model = "ring"\n[run]\nchunk_cells = 0', "run.chunk_cells"),
    ('model = "ring"\n[run]\nworkers = 4', "run.workers"),
    ('model = "ei"\ntrials = 2', "trials"),
    ('model = "ei"\n[sweep]\nm_ei = [-1.0, 0.5]', "sweep.m_ei"),
    ('model = "ring"\n[sweep\nj0 = [1.0]', "spec"),
]


@pytest.mark.parametrize("text,key", BAD_SPECS)
def test_bad_spec_error_names_the_key(text, key):
    with pytest.raises(ParameterError) as info:
        parse_spec(text)
    assert info.value.name == key
    assert str(info.value).startswith(key)


@pytest.mark.parametrize("text,key", [BAD_SPECS[i] for i in (0, 13, 19, 25, 36)])
def test_cli_bad_spec_one_line_error_and_nothing_written(tmp_path, text, key):
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    out = tmp_path / "never.zarr"
    r = CliRunner().invoke(main, ["sweep", str(spec), "--out", str(out)])
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ratenet: error:")
    assert key in lines[0] and "Traceback" not in r.output
    assert sorted(os.listdir(tmp_path)) == ["bad.toml"]  # nothing written


def test_existing_store_without_resume_is_refused_and_untouched(tmp_path):
    out = tmp_path / "s.zarr"
    run_sweep(parse_spec(SMALL), out, scheduler="synchronous")
    before = store_files(out)
    with pytest.raises(ParameterError) as info:
        run_sweep(parse_spec(SMALL), out, scheduler="synchronous")
    assert info.value.name == "out"
    assert store_files(out) == before


def test_unreachable_scheduler_writes_nothing(tmp_path):
    import socket

    with socket.socket() as s:  # a free port on which nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = parse_spec(SMALL)
    from ratenet.sweep import execute

    with pytest.raises(ParameterError) as info:
        execute._connect(f"tcp://127.0.0.1:{port}", None, timeout="1s")
    assert info.value.name == "scheduler"
    with pytest.raises(ParameterError):
        run_sweep(spec, tmp_path / "s.zarr", scheduler="127.0.0.1:8786")  # no protocol
    assert not (tmp_path / "s.zarr").exists()


# ------------------------------------------------------------------ grid and chunks
def test_chunk_shape_examples():
    assert chunk_shape_for((256, 256), 1024) == (4, 256)
    assert chunk_shape_for((5, 4), 3) == (1, 3)
    assert chunk_shape_for((5, 4), 100) == (5, 4)
    assert chunk_shape_for((), 10) == ()


@pytest.mark.parametrize("shape,cells,trials", [((7, 5), 6, 1), ((3, 4, 5), 13, 2),
                                                ((9,), 4, 3), ((2, 3), 1, 1)])
def test_chunks_tile_the_grid_exactly_once(shape, cells, trials):
    sweep = "\n".join(f"j{k} = {[float(v) for v in np.arange(n) * 0.1 - 1.0]}" if k < 2 else
                      f"h0 = {[float(v) for v in np.arange(n) + 1.0]}"
                      for k, n in enumerate(shape))
    spec = parse_spec(f'model = "ring"\ntrials = {trials}\n[sweep]\n{sweep}\n'
                      f'[run]\nchunk_cells = {cells}')
    grid = Grid(spec)
    seen = np.zeros(shape + (trials,), dtype=int)
    for chunk in grid:
        idx = grid.cell_indices(chunk)
        seen.reshape(-1)[idx] += 1
        params = grid.cell_params(chunk)
        # each simulation's parameters are the grid values at its own index
        pos = np.unravel_index(idx, shape + (trials,))
        for axis, name in enumerate(spec.sweep):
            np.testing.assert_array_equal(params[name], grid.values[name][pos[axis]])
    assert np.all(seen == 1)


# ------------------------------------------------------- stored values: the science
def test_store_layout_coordinates_and_attributes(tmp_path):
    spec = parse_spec(SMALL)
    run_sweep(spec, tmp_path / "s.zarr", scheduler="synchronous")
    import xarray as xr

    ds = xr.open_zarr(tmp_path / "s.zarr")
    assert dict(ds.sizes) == {"J0": 4, "J1": 3}
    np.testing.assert_allclose(ds.J0.values, [-3.0, -3.0 + 3.5 / 3, -3.0 + 7.0 / 3, 0.5],
                               rtol=1e-15)
    np.testing.assert_array_equal(ds.J1.values, [0.0, 1.5, 3.0])
    assert json.loads(ds.attrs["sweep_spec"]) == spec.to_dict()
    assert ds.attrs["sweep_spec_toml"] == SMALL
    import ratenet

    assert ds.attrs["ratenet_version"] == ratenet.__version__
    assert ds.regime.attrs["flag_meanings"].split() == list(REGIMES)
    assert ds.r0.encoding["chunks"] == Grid(spec).chunk_shape
    assert ds.n_active.dtype == np.int32 and ds.diverged.dtype == bool


def test_store_equals_one_batched_simulation_of_every_cell(tmp_path):
    """Cell k of the sweep is row k of simulate(all cells, seed=seed): same seed stream."""
    spec = parse_spec(SMALL)
    run_sweep(spec, tmp_path / "s.zarr", scheduler="synchronous")
    ds = open_sweep(tmp_path / "s.zarr").load()
    models = [RingModel(J0=a, J1=b, h0=1.0, eps=0.0, N=32)
              for a in spec.sweep["J0"] for b in spec.sweep["J1"]]
    traj = simulate(models, t_max=10.0, dt=0.01, seed=7, record_every=None,
                    on_divergence="ignore")
    meas = measure_final(traj)
    for name in ("r0", "peak", "m1", "theta_c", "bump_position", "n_active", "diverged"):
        np.testing.assert_array_equal(ds[name].values.ravel(), meas[name], err_msg=name)
    np.testing.assert_array_equal(ds.regime.values.ravel(), meas["regime_code"])
    th = stationary_states(J0=np.repeat(spec.sweep["J0"], 3), J1=np.tile(spec.sweep["J1"], 4),
                           h0=1.0, eps=0.0)
    np.testing.assert_array_equal(ds.theory_regime.values.ravel(), th["regime_code"])
    np.testing.assert_array_equal(ds.theory_r0.values.ravel(), th["r0"])


def test_broad_regime_cells_match_the_closed_forms(tmp_path):
    """eps > 0, J0 < 1, J1 < 2: m = m0 + m1 cos, m0 = h0/(1-J0), m1 = eps/(1-J1/2)."""
    spec = parse_spec("""
model = "ring"
[fixed]
h0 = 1.0
eps = 0.1
n = 32
t_max = 40
[sweep]
j1 = [0.0, 0.5, 1.0]
j0 = [-2.0, -1.0, 0.0]
[measure]
quantities = ["r0", "m1", "peak", "theta_c", "regime"]
theory = ["r0", "m1", "regime", "lambda0", "lambda1"]
""")
    run_sweep(spec, tmp_path / "b.zarr", scheduler="synchronous")
    ds = open_sweep(tmp_path / "b.zarr").load()
    assert ds.r0.dims == ("J1", "J0")  # the spec's order, not alphabetical
    J1, J0 = np.meshgrid(ds.J1.values, ds.J0.values, indexing="ij")
    m0 = 1.0 / (1.0 - J0)
    m1 = 0.1 / (1.0 - J1 / 2.0)
    # slowest decay: rate min(1 - J0, 1 - J1/2) = 1/2 over t_max = 40 -> e^-20
    np.testing.assert_allclose(ds.r0.values, m0, rtol=1e-7)
    np.testing.assert_allclose(ds.m1.values, m1, rtol=1e-6)
    np.testing.assert_allclose(ds.peak.values, m0 + m1, rtol=1e-6)
    np.testing.assert_array_equal(ds.theta_c.values, np.pi)
    assert np.all(ds.regime.values == REGIMES.index("broad"))
    np.testing.assert_allclose(ds.theory_r0.values, m0, rtol=1e-12)
    np.testing.assert_allclose(ds.theory_m1.values, m1, rtol=1e-12)
    np.testing.assert_array_equal(ds.theory_lambda0.values, J0 - 1.0)
    np.testing.assert_array_equal(ds.theory_lambda1.values, J1 / 2.0 - 1.0)


def test_trials_rotate_the_bump_but_not_its_shape(tmp_path):
    """Marginal phase, eps = 0: each trial's random start picks a bump position; the bump
    is the same up to rotation (peak and mean rate agree to the grid's discretisation)."""
    spec = parse_spec("""
model = "ring"
trials = 4
seed = 3
[fixed]
h0 = 1.0
n = 64
t_max = 40
[sweep]
j0 = [-2.0]
j1 = [4.0, 5.0]
[measure]
quantities = ["bump_position", "peak", "r0", "regime"]
[run]
chunk_cells = 3
""")
    run_sweep(spec, tmp_path / "t.zarr", scheduler="synchronous")
    ds = open_sweep(tmp_path / "t.zarr").load()
    assert ds.peak.dims == ("J0", "J1", "trial")
    assert np.all(ds.regime.values == REGIMES.index("marginal"))
    pos = ds.bump_position.values[0]  # (J1, trial)
    for row in pos:
        gaps = np.abs(np.angle(np.exp(1j * (row[:, None] - row[None, :]))))
        assert np.max(gaps) > 0.2  # the trials' bumps sit at different places
    peak = ds.peak.values[0]
    np.testing.assert_allclose(peak, peak[:, :1] * np.ones((1, 4)), rtol=5e-3)
    # trial t of cell (0, j) is flat cell k = (j * 4 + t) of SeedSequence(3, spawn_key=(k,))
    x0 = np.array([1e-3 * np.random.default_rng(np.random.SeedSequence(3, spawn_key=(k,)))
                   .random(64) for k in range(4, 8)])
    traj = simulate([RingModel(J0=-2.0, J1=5.0, h0=1.0, N=64)] * 4, t_max=40.0, dt=0.01,
                    x0=x0, record_every=None)
    np.testing.assert_array_equal(ds.bump_position.values[0, 1], measure_final(traj)[
        "bump_position"])
    import matplotlib.pyplot as plt

    line = plot_quantity(ds, "peak", sel={"J0": -2.0}).get_lines()[0]  # a curve against J1
    np.testing.assert_allclose(line.get_ydata(), ds.peak.values[0].mean(axis=-1), rtol=1e-14)
    assert "mean over 4 trials" in line.axes.get_title()
    plt.close("all")


def _spec_with_chunks(text: str, cells: int):
    return parse_spec(text.replace("chunk_cells = 5", f"chunk_cells = {cells}"))


def test_values_do_not_depend_on_the_chunking(tmp_path):
    stores = []
    for cells in (1, 5, 1000):
        out = tmp_path / f"c{cells}.zarr"
        run_sweep(_spec_with_chunks(SMALL, cells), out, scheduler="synchronous")
        stores.append(open_sweep(out).load())
    assert Grid(_spec_with_chunks(SMALL, 1)).n_chunks == 12
    for other in stores[1:]:
        assert_same_values(stores[0], other)


def test_noisy_trials_do_not_depend_on_the_chunking(tmp_path):
    text = """
model = "ring"
trials = 2
seed = 11
[fixed]
h0 = 1.0
eps = 0.2
n = 32
t_max = 5
sigma = 0.05
[sweep]
j1 = [0.0, 1.0, 3.0]
[measure]
quantities = ["r0", "peak", "bump_position"]
[run]
chunk_cells = 5
"""
    a, b = tmp_path / "a.zarr", tmp_path / "b.zarr"
    run_sweep(_spec_with_chunks(text, 2), a, scheduler="synchronous")
    run_sweep(_spec_with_chunks(text, 6), b, scheduler="synchronous")
    da, db = open_sweep(a).load(), open_sweep(b).load()
    assert_same_values(da, db)
    # the noise is really there: the two trials of a cell differ
    assert np.all(da.r0.values[:, 0] != da.r0.values[:, 1])


# ---------------------------------------------------------------------- resume
def test_resume_after_a_crash_between_data_and_marker_gives_the_same_store(tmp_path,
                                                                          monkeypatch):
    spec = parse_spec(SMALL)
    ref = tmp_path / "ref.zarr"
    run_sweep(spec, ref, scheduler="synchronous")

    from ratenet.sweep import store as store_mod

    real = store_mod._write_atomic
    markers = []

    def dying(path, text, **kwargs):  # the writer "dies" after 3 markers: data, no marker
        if path.parent.name == "done":
            if len(markers) == 3:
                raise KeyboardInterrupt("killed")
            markers.append(path.name)
        real(path, text, **kwargs)

    out = tmp_path / "s.zarr"
    monkeypatch.setattr(store_mod, "_write_atomic", dying)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, out, scheduler="synchronous")
    monkeypatch.setattr(store_mod, "_write_atomic", real)
    assert completed_chunks(out) == {0, 1, 2}
    # nothing under the store's own name: the chunks so far wait in s.zarr.partial
    assert not out.exists() and (tmp_path / "s.zarr.partial").is_dir()
    work = tmp_path / "s.zarr.partial"
    # debris a killed writer can leave: Zarr temporaries, a half-written marker, a template
    (work / "r0" / ".0.0.3f2a.partial").write_bytes(b"\x00garbage")
    (work / ".ratenet_sweep" / "done" / "7.tmpdeadbeef").write_text("")
    (tmp_path / ".ratenet-template-s.zarr-0123456789ab").mkdir()
    result = run_sweep(spec, out, scheduler="synchronous", resume=True)
    grid = Grid(spec)
    assert result.computed == spec.n_cells - sum(grid.chunk(i).n_points for i in range(3))
    assert result.completed == spec.n_cells
    assert store_files(out) == store_files(ref)
    assert not (tmp_path / ".ratenet-template-s.zarr-0123456789ab").exists()
    assert not work.exists()
    again = run_sweep(spec, out, scheduler="synchronous", resume=True)
    assert again.computed == 0 and store_files(out) == store_files(ref)


def test_resume_refuses_a_store_from_another_spec(tmp_path):
    out = tmp_path / "s.zarr"
    run_sweep(parse_spec(SMALL), out, scheduler="synchronous")
    before = store_files(out)
    other = parse_spec(SMALL.replace("seed = 7", "seed = 8"))
    with pytest.raises(ParameterError) as info:
        run_sweep(other, out, scheduler="synchronous", resume=True)
    assert info.value.name == "resume" and "seed" in str(info.value)
    assert store_files(out) == before
    with pytest.raises(ParameterError):
        run_sweep(other, tmp_path / "missing.zarr", scheduler="synchronous", resume=True)


# ------------------------------------------------------------------------- E-I
def test_ei_sweep_finds_the_hopf_point_where_the_closed_form_puts_it(tmp_path):
    """Both-active fixed point (80/3, 50/3) Hz; stable iff tau_I < tau_E (1-M_II)/(M_EE-1)."""
    spec = parse_spec("""
model = "ei"
[sweep]
tau_i = [30.0, 35.0, 45.0, 50.0]
m_ee = [1.25, 1.5]
[measure]
quantities = ["nu_E", "nu_I", "stable", "fp_type", "trace", "period"]
theory = ["hopf_tau_I"]
""")
    run_sweep(spec, tmp_path / "e.zarr", scheduler="synchronous")
    ds = open_sweep(tmp_path / "e.zarr").load()
    tau_I, M_EE = np.meshgrid(ds.tau_I.values, ds.M_EE.values, indexing="ij")
    hopf = 10.0 * (1.0 - 0.0) / (M_EE - 1.0)
    np.testing.assert_allclose(ds.theory_hopf_tau_I.values, hopf, rtol=1e-12)
    np.testing.assert_array_equal(ds.stable.values, tau_I < hopf)
    # trace of the both-active Jacobian: (M_EE - 1)/tau_E + (M_II - 1)/tau_I
    np.testing.assert_allclose(ds.trace.values, (M_EE - 1.0) / 10.0 - 1.0 / tau_I, rtol=1e-9)
    assert np.all(np.isnan(ds.period.values[tau_I < hopf]))
    assert np.all(ds.period.values[tau_I > hopf] > 0)
    # default weights: the fixed point (80/3, 50/3) Hz whatever tau_I
    np.testing.assert_allclose(ds.nu_E.values[:, 0], 80.0 / 3.0, rtol=1e-12)
    np.testing.assert_allclose(ds.nu_I.values[:, 0], 50.0 / 3.0, rtol=1e-12)
    labels = open_sweep(tmp_path / "e.zarr", regimes_as_labels=True).fp_type.values
    assert set(labels[tau_I < hopf]) == {"stable_focus"}


# ----------------------------------------------------------------- plots and CLI
def test_plot_2d_map_1d_curve_and_selection(tmp_path):
    import matplotlib.pyplot as plt

    spec = parse_spec(SMALL)
    run_sweep(spec, tmp_path / "s.zarr", scheduler="synchronous")
    ax = plot_quantity(tmp_path / "s.zarr", "peak")
    assert ax.get_xlabel() == "$J_0$" and ax.get_ylabel() == "$J_1$"
    x0, x1 = ax.get_xlim()
    assert x0 < -3.0 and x1 > 0.5  # cells centred on the stored J0 values
    plt.close(ax.figure)
    ax = plot_quantity(tmp_path / "s.zarr", "regime")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    ds = open_sweep(tmp_path / "s.zarr", regimes_as_labels=True)
    assert set(legend) == set(np.unique(ds.regime.values))
    plt.close(ax.figure)
    ax = plot_quantity(tmp_path / "s.zarr", "r0", sel={"J1": 1.4})  # nearest: 1.5
    line = ax.get_lines()[0]
    np.testing.assert_array_equal(line.get_xdata(), ds.J0.values)
    np.testing.assert_array_equal(line.get_ydata(), ds.r0.sel(J1=1.5).values)
    assert "$J_1$ = 1.5" in ax.get_title()
    plt.close(ax.figure)
    with pytest.raises(ParameterError) as info:
        plot_quantity(tmp_path / "s.zarr", "width")
    assert info.value.name == "quantity"


def test_plot_leaves_diverged_simulations_blank(tmp_path):
    """J0 = 3: the uniform mode grows at J0 - 1 = 2 and leaves the bound before t = 10."""
    import matplotlib.pyplot as plt

    spec = parse_spec("""
model = "ring"
[fixed]
n = 16
t_max = 10
[sweep]
j0 = [-1.0, 0.0, 3.0]
[measure]
quantities = ["peak", "diverged"]
""")
    run_sweep(spec, tmp_path / "d.zarr", scheduler="synchronous")
    ds = open_sweep(tmp_path / "d.zarr")
    np.testing.assert_array_equal(ds.diverged.values, [False, False, True])
    y = plot_quantity(ds, "peak").get_lines()[0].get_ydata()
    np.testing.assert_allclose(y[:2], [0.5, 1.0], rtol=1e-3)  # h0 / (1 - J0)
    assert np.isnan(y[2])
    plt.close("all")
    y = plot_quantity(ds, "peak", hide_diverged=False, log=True).get_lines()[0].get_ydata()
    assert y[2] > 1e4
    plt.close("all")


def test_cli_run_json_resume_and_plot(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(SMALL)
    out = tmp_path / "s.zarr"
    runner = CliRunner()
    r = runner.invoke(main, ["sweep", str(spec), "--out", str(out), "--scheduler",
                             "synchronous", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["cells"] == 12 and d["completed"] == 12 and d["computed"] == 12
    assert d["seconds"] > 0
    r = runner.invoke(main, ["sweep", "run", str(spec), "--out", str(out), "--scheduler",
                             "synchronous", "--resume", "--json"])
    d = json.loads(r.output)
    assert d["completed"] == 12 and d["computed"] == 0
    png = tmp_path / "regime.png"
    r = runner.invoke(main, ["sweep", "plot", str(out), "regime", "--out", str(png)])
    assert r.exit_code == 0, r.output
    assert png.stat().st_size > 1000
    r = runner.invoke(main, ["sweep", "plot", str(out), "r0", "--sel", "J1"])
    assert r.exit_code == 2 and "--sel" in r.output
    r = runner.invoke(main, ["sweep", "quantities", "--json"])
    listed = json.loads(r.output)
    assert {"ring", "ei"} <= set(listed)
    assert listed["ring"]["parameters"]["N"]["sweepable"] is False
    assert "regime" in listed["ring"]["quantities"] and "regime" in listed["ring"]["theory"]
    assert "period" in listed["ei"]["quantities"]
    r = runner.invoke(main, ["sweep", "--help"])
    assert r.exit_code == 0
    assert "SPEC.toml --out STORE.zarr" in r.output and "--scheduler" in r.output
    r = runner.invoke(main, ["sweep", "run", "--help"])
    assert "127.0.0.1" in r.output and "--resume" in r.output


def test_docs_commands_use_the_example(tmp_path):
    """docs/sweep.md shows commands that exist and an example spec that parses."""
    doc = (EXAMPLE.parents[1] / "docs" / "sweep.md").read_text()
    assert "examples/sweep_ring.toml" in doc and "--scheduler tcp://" in doc
    shutil.copy(EXAMPLE, tmp_path / "x.toml")
    assert math.isclose(load_spec(tmp_path / "x.toml").fixed["t_max"], 100.0)


def test_values_do_not_depend_on_the_chunking_on_a_larger_mixed_grid(tmp_path):
    """Hundreds of cells in every regime (partly active rows included), measured in chunks
    of 1, 7 and all cells: the same bits (no batch-size-dependent reductions)."""
    text = """
model = "ring"
seed = 2
[fixed]
h0 = 1.0
n = 64
t_max = 25
[sweep]
eps = [0.0, 0.3]
j0 = { start = -5.0, stop = 0.5, num = 8 }
j1 = { start = 0.0, stop = 5.0, num = 8 }
[measure]
quantities = ["r0", "m1", "peak", "theta_c", "bump_position", "n_active", "regime"]
[run]
chunk_cells = 5
"""
    stores = []
    for cells in (3, 7, 128):
        out = tmp_path / f"c{cells}.zarr"
        run_sweep(_spec_with_chunks(text, cells), out, scheduler="synchronous")
        stores.append(open_sweep(out).load())
    ds = stores[0]
    partly = (ds.n_active.values > 0) & (ds.n_active.values < 64)
    assert partly.sum() > 20  # theta_c comes from a fit on these rows
    for other in stores[1:]:
        assert_same_values(stores[0], other)
