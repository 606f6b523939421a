"""A ring sweep through Dask on the local cluster against the batched engine on the same cells.

Run:  .venv/bin/python benchmarks/bench_sweep.py              # 256 x 256 cells, N = 256,
                                                              # t_max = 200 (a few minutes)
      .venv/bin/python benchmarks/bench_sweep.py --t-max 50   # the same grid, ~1 minute
      .venv/bin/python benchmarks/bench_sweep.py --quick      # 64 x 64 cells, seconds

Both sides compute the same numbers: the grid J0 x J1 (h0 = 1, eps = 0, the regime map of
the issue's example), each cell from its own seed stream, measured on the final state with
``measure_final`` (r0, peak, regime).

* engine: ``ratenet.simulate`` on every cell in one batch (compiled kernel spread over the
  cores by Numba), then ``measure_final`` on the whole batch;
* sweep: ``ratenet.sweep.run_sweep`` with the default local Dask cluster (one worker process
  per core), everything included: cluster start-up, chunks, Zarr writes, syncs.

"Cores used" is the CPU time of this process and of its child processes (the Dask workers),
divided by the wall time. The machine may be shared: the load average before and after is
printed. The two stores of results are checked to be identical, bit for bit.
Writes benchmarks/RESULTS_sweep.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def spec_text(grid: int, n: int, t_max: float, chunk_cells: int) -> str:
    return f"""
model = "ring"
seed = 0
[fixed]
h0 = 1.0
eps = 0.0
n = {n}
t_max = {t_max}
[sweep]
j0 = {{ start = -6.0, stop = 0.9, num = {grid} }}
j1 = {{ start = 0.0, stop = 6.0, num = {grid} }}
[measure]
quantities = ["regime", "peak", "r0"]
[run]
chunk_cells = {chunk_cells}
"""


def cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_engine(spec) -> tuple[float, float, dict]:
    """The batched engine directly on every cell of the sweep (same initial rates)."""
    from ratenet import RingModel, simulate
    from ratenet.analysis.ring import measure_final
    from ratenet.sweep import Grid, cell_seed_sequence

    grid = Grid(spec)
    t0, c0 = time.perf_counter(), cpu_seconds()
    J0 = np.repeat(spec.sweep["J0"], len(spec.sweep["J1"]))
    J1 = np.tile(spec.sweep["J1"], len(spec.sweep["J0"]))
    N = spec.fixed["N"]
    models = [RingModel(J0=a, J1=b, h0=1.0, eps=0.0, N=N) for a, b in zip(J0, J1)]
    x0 = np.empty((len(models), N))
    for k in range(len(models)):
        x0[k] = 1e-3 * np.random.default_rng(cell_seed_sequence(spec.seed, k)).random(N)
    traj = simulate(models, t_max=spec.fixed["t_max"], dt=spec.fixed["dt"], x0=x0,
                    record_every=None, on_divergence="ignore")
    meas = measure_final(traj)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    shape = grid.shape
    return wall, cpu, {"r0": meas["r0"].reshape(shape), "peak": meas["peak"].reshape(shape),
                       "regime": meas["regime_code"].reshape(shape).astype(np.int8)}


def run_dask(spec, out: Path, workers: int | None) -> tuple[float, float, object]:
    from ratenet.sweep import run_sweep

    t0, c0 = time.perf_counter(), cpu_seconds()
    result = run_sweep(spec, out, workers=workers)
    return time.perf_counter() - t0, cpu_seconds() - c0, result


def warm_up(n: int) -> None:
    """Load the compiled kernels from Numba's cache (or compile them) before timing."""
    from ratenet import RingModel, simulate

    for parallel in (True, False):
        simulate([RingModel(J0=-1.0, J1=1.0, N=n)] * 2, t_max=0.1, dt=0.01, record_every=None,
                 parallel=parallel)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", type=int, default=256, help="cells per side (default 256)")
    ap.add_argument("--n", type=int, default=256, help="units per ring (default 256)")
    ap.add_argument("--t-max", type=float, default=200.0,
                    help="simulated time in tau, dt = 0.01 (default 200, as in the issue's "
                         "example spec)")
    ap.add_argument("--chunk-cells", type=int, default=1024,
                    help="simulations per chunk (default 1024)")
    ap.add_argument("--workers", type=int, default=None,
                    help="local Dask workers (default: one per core)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="alternate engine and sweep this many times; report the fastest of "
                         "each (default 1)")
    ap.add_argument("--quick", action="store_true", help="64 x 64 cells, t_max = 10")
    ap.add_argument("--no-write", action="store_true", help="do not write RESULTS_sweep.md")
    args = ap.parse_args()
    if args.quick:
        args.grid, args.t_max, args.chunk_cells = 64, 10.0, 256

    from ratenet import __version__
    from ratenet.sweep import open_sweep, parse_spec

    spec = parse_spec(spec_text(args.grid, args.n, args.t_max, args.chunk_cells))
    steps = round(args.t_max / spec.fixed["dt"])
    work = spec.n_cells * args.n * steps
    cores = len(os.sched_getaffinity(0))
    load_before = os.getloadavg()
    print(f"{args.grid} x {args.grid} cells, N = {args.n}, {steps} Euler steps, "
          f"{spec.n_cells // args.chunk_cells} chunks of {args.chunk_cells}; {cores} cores; "
          f"load average {load_before[0]:.2f}", flush=True)
    warm_up(args.n)

    engine_runs, sweep_runs = [], []
    identical = True
    for rep in range(max(1, args.repeat)):
        tmp = Path(tempfile.mkdtemp(prefix="bench_sweep_"))
        try:
            engine_wall, engine_cpu, ref = run_engine(spec)
            engine_runs.append((engine_wall, engine_cpu))
            print(f"engine : {engine_wall:8.2f} s  cpu {engine_cpu:8.2f} s  "
                  f"({engine_cpu / engine_wall:.2f} cores, "
                  f"{work / engine_wall:.3g} neuron-steps/s)", flush=True)
            sweep_wall, sweep_cpu, result = run_dask(spec, tmp / f"bench{rep}.zarr", args.workers)
            sweep_runs.append((sweep_wall, sweep_cpu))
            print(f"sweep  : {sweep_wall:8.2f} s  cpu {sweep_cpu:8.2f} s  "
                  f"({sweep_cpu / sweep_wall:.2f} cores, {work / sweep_wall:.3g} "
                  f"neuron-steps/s, {result.workers} workers, cluster start-up and store "
                  "writes included)", flush=True)
            ds = open_sweep(tmp / f"bench{rep}.zarr").load()
            identical &= all(np.array_equal(ds[k].values, ref[k], equal_nan=True) for k in ref)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    engine_wall, engine_cpu = min(engine_runs)
    sweep_wall, sweep_cpu = min(sweep_runs)
    load_after = os.getloadavg()
    ratio = sweep_wall / engine_wall
    cpu_ratio = sweep_cpu / engine_cpu
    verdict = "within 15%" if ratio <= 1.15 else "NOT within 15%"
    print(f"sweep / engine: wall {ratio:.3f} ({verdict}), cpu {cpu_ratio:.3f}; results "
          f"identical: {identical}; load average after {load_after[0]:.2f}")

    if args.no_write:
        return
    cmd = "python benchmarks/bench_sweep.py " + " ".join(sys.argv[1:])
    lines = [
        "# Sweep benchmark: Dask local cluster against the batched engine",
        "",
        f"Command: `{cmd.strip()}` (ratenet {__version__}, Python "
        f"{platform.python_version()}, {platform.machine()}, {cores} cores; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}).",
        "",
        f"Grid {args.grid} x {args.grid} (J0, J1), h0 = 1, eps = 0, N = {args.n}, "
        f"t_max = {args.t_max:g} ({steps} forward-Euler steps, dt = 0.01), "
        f"{spec.n_cells // args.chunk_cells} chunks of {args.chunk_cells} simulations; "
        "regime, peak and r0 measured on each final state.",
        "",
        "| run | wall (s) | CPU (s) | cores used | neuron-steps/s |",
        "|---|---:|---:|---:|---:|",
        f"| engine: `simulate` on all cells in one batch + `measure_final` | "
        f"{engine_wall:.2f} | {engine_cpu:.2f} | {engine_cpu / engine_wall:.2f} | "
        f"{work / engine_wall:.3g} |",
        f"| sweep: `run_sweep`, local Dask cluster ({result.workers} workers), all included | "
        f"{sweep_wall:.2f} | {sweep_cpu:.2f} | {sweep_cpu / sweep_wall:.2f} | "
        f"{work / sweep_wall:.3g} |",
        "",
        f"Sweep / engine: wall time **{ratio:.3f}** ({verdict}), CPU time {cpu_ratio:.3f} "
        f"(fastest of {len(engine_runs)} alternating run(s) each). Stored values identical to "
        f"the engine's, bit for bit: {identical}.",
        "",
        f"The machine was shared: load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after. Other jobs compete for the same cores, so wall times "
        "and the cores used vary from run to run; the CPU time (this process and its children, "
        "the Dask workers) is the comparison least disturbed by them. Rerun on a quiet "
        "machine for reference wall times.",
        "",
    ]
    (HERE / "RESULTS_sweep.md").write_text("\n".join(lines))
    print(f"wrote {HERE / 'RESULTS_sweep.md'}")


if __name__ == "__main__":
    main()
