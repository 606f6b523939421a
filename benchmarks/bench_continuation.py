"""Continuation of E-I cycles (stable and unstable) against today's grid scan.

Run:  .venv/bin/python benchmarks/bench_continuation.py [--repeat 3] [--num 200]

The model is :func:`ratenet.continuation.cycles.bistable_example` (threshold-linear E-I,
``M_II = -0.5``): a subcritical non-smooth Hopf point at ``tau_I = 60`` ms and a fold of
cycles near 57.16 ms.  Timed in one process, in this run (the machine is shared):

* ``continue_cycles`` over ``tau_I`` in [50, 70] ms from the stable cycle at 65 ms (the
  whole branch: unstable cycles from the Hopf point, the fold, the stable cycles; every
  special point located), and from the Hopf point;
* ``continue_equilibria`` over the same interval, when the module is there;
* the grid scan ``bifurcation_diagram(..., cycles=True)`` on ``--num`` values (the code
  behind ``ratenet ei bifurcation`` before continuation): it finds the stable cycle at
  each grid value by simulation and shooting, and cannot see the unstable one.

BrainPy has no continuation of periodic orbits: its ``Bifurcation2D`` finds fixed points
on a parameter grid by optimisation and cycles by simulation.  It is timed on the same
model when an interpreter with brainpy is available (this one, or ``--brainpy-python``;
JAX is not installed into ratenet's own environment), else the row says skipped.
Writes benchmarks/RESULTS_continuation.md.  Target: the continuation of cycles in
< 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

from ratenet import __version__
from ratenet.analysis import bifurcation_diagram
from ratenet.continuation.cycles import bistable_example, continue_cycles

HERE = Path(__file__).resolve().parent


CPU: dict[str, float] = {}


def best_of(fun, repeat: int, key: str = ""):
    """Best wall time of ``repeat`` runs (and the CPU time of this process in that run,
    in ``CPU[key]``: on a shared machine the wall time includes waiting for a core)."""
    best, out = np.inf, None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fun()
        dt = time.perf_counter() - t0
        if dt < best:
            best = dt
            CPU[key] = time.process_time() - c0
    return best, out


BRAINPY_SCRIPT = r"""
import json, time
t0 = time.perf_counter()
import brainpy as bp
import brainpy.math as bm
import matplotlib
matplotlib.use("Agg")
bm.enable_x64()
t_import = time.perf_counter() - t0

@bp.odeint
def int_e(e, t, i, tau_I):
    return (-e + bm.maximum(1.25 * e - i + 10.0, 0.0)) / 10.0

@bp.odeint
def int_i(i, t, e, tau_I):
    return (-i + bm.maximum(e - 0.5 * i - 10.0, 0.0)) / tau_I

t0 = time.perf_counter()
an = bp.analysis.Bifurcation2D(model=[int_e, int_i],
                               target_vars={"e": [0.0, 150.0], "i": [0.0, 100.0]},
                               target_pars={"tau_I": [50.0, 70.0]},
                               resolutions={"tau_I": 0.1})
an.plot_bifurcation(show=False)
t_fp = time.perf_counter() - t0
t0 = time.perf_counter()
an.plot_limit_cycle_by_sim(duration=3000.0, show=False)
t_lc = time.perf_counter() - t0
print("RESULT " + json.dumps({"import": t_import, "fixed_points": t_fp,
                              "limit_cycles_by_sim": t_lc, "version": bp.__version__}))
"""


def brainpy_rows(python: str | None) -> list[str]:
    """BrainPy's Bifurcation2D on the same model (fixed points on a 0.1 ms grid of tau_I,
    cycles by simulation), in a separate interpreter that has brainpy."""
    import json
    import subprocess
    import sys

    exe = python or sys.executable
    if python is None:
        try:
            import brainpy  # noqa: F401
        except ImportError:
            return ["| BrainPy Bifurcation2D | skipped: brainpy is not installed in this "
                    "environment (pass --brainpy-python PATH of an interpreter that has it) | |"]
    try:
        out = subprocess.run([exe, "-c", BRAINPY_SCRIPT], capture_output=True, text=True,
                             timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [f"| BrainPy Bifurcation2D | failed to run: {exc} | |"]
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        tail = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["no output"]
        return [f"| BrainPy Bifurcation2D | failed: {tail[0][:150]} | |"]
    r = json.loads(line[len("RESULT "):])
    return [f"| BrainPy {r['version']} Bifurcation2D.plot_bifurcation (fixed points, tau_I step "
            f"0.1) | {r['fixed_points']:.1f} | equilibria only (import {r['import']:.1f} s "
            f"not counted) |",
            f"| BrainPy Bifurcation2D.plot_limit_cycle_by_sim | {r['limit_cycles_by_sim']:.1f} | "
            f"stable cycles by simulation only |"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--num", type=int, default=200, help="grid values of the scan")
    ap.add_argument("--brainpy-python", default=None,
                    help="an interpreter with brainpy installed (e.g. a separate venv)")
    args, _ = ap.parse_known_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    model = bistable_example()
    rows = []

    t_c, br = best_of(lambda: continue_cycles(model.replace(tau_I=65.0), "tau_I", 50.0, 70.0),
                      args.repeat, "cycles")
    fold = br.folds[0].value
    hopf = br.points_of("non-smooth Hopf (linear centre)")[0].value
    n_st, n_un = int(np.sum(br.stable)), int(np.sum(~br.stable))
    rows.append(f"| continue_cycles from the stable cycle at 65 ms | {t_c:.3f} (CPU "
                f"{CPU['cycles']:.3f}) | {len(br)} cycles "
                f"({n_st} stable, {n_un} unstable); fold of cycles at {fold:.10f}, Hopf end at "
                f"{hopf:.10f} |")
    print(rows[-1], flush=True)
    t_h, brh = best_of(lambda: continue_cycles(model, "tau_I", 50.0, 70.0, hopf=60.0),
                       args.repeat, "hopf")
    rows.append(f"| continue_cycles from the Hopf point | {t_h:.3f} (CPU {CPU['hopf']:.3f}) | "
                f"{len(brh)} cycles; fold "
                f"at {brh.folds[0].value:.10f} |")
    print(rows[-1], flush=True)
    t_e = None
    try:
        from ratenet.continuation.equilibria import continue_equilibria
    except ImportError:
        rows.append("| continue_equilibria | not available in this checkout | |")
    else:
        t_e, eq = best_of(lambda: continue_equilibria(model, "tau_I", 50.0, 70.0), args.repeat,
                          "eq")
        rows.append(f"| continue_equilibria | {t_e:.3f} (CPU {CPU['eq']:.3f}) | "
                    f"{len(eq.branches)} branch(es), "
                    f"{len(eq.points)} special point(s) |")
    print(rows[-1], flush=True)

    values = np.linspace(50.0, 70.0, args.num)
    t_g, diag = best_of(lambda: bifurcation_diagram(model, "tau_I", values, cycles=True), 1,
                        "grid")
    c = diag.cycles
    assert c is not None
    have = values[c.exists]
    low = f"{have.min():.4f}" if have.size else "none"
    rows.append(f"| grid scan bifurcation_diagram, {args.num} values, cycles=True | {t_g:.3f} "
                f"(CPU {CPU['grid']:.3f}) | "
                f"stable cycle at {int(c.exists.sum())} values (lowest {low}); no unstable "
                f"cycle, fold only bracketed by the grid spacing {values[1] - values[0]:.3g} |")
    print(rows[-1], flush=True)
    for row in brainpy_rows(args.brainpy_python):
        rows.append(row)
        print(row, flush=True)

    total = t_c + (t_e or 0.0)
    text = "\n".join([
        "# Continuation of E-I cycles",
        "",
        "`.venv/bin/python benchmarks/bench_continuation.py"
        f" --repeat {args.repeat} --num {args.num}"
        f"{' --brainpy-python PATH' if args.brainpy_python else ''}` (best of {args.repeat}; "
        "grid scan and BrainPy once)."
        + (" BrainPy ran in a separate interpreter (a throwaway venv with brainpy and "
           "jax[cpu]; JAX is not in ratenet's environment)." if args.brainpy_python else ""),
        f"ratenet {__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"load average {load:.2f} at the start (shared machine).",
        "",
        "Model: `bistable_example()` (E-I threshold-linear, M_II = -0.5), tau_I in [50, 70] ms.",
        "",
        "| what | seconds | result |",
        "|---|---|---|",
        *rows,
        "",
        f"Ratio grid scan / continuation of cycles: {t_g / t_c:.1f}x wall, "
        f"{CPU['grid'] / CPU['cycles']:.1f}x CPU "
        f"(the scan still misses the unstable cycles and the fold).",
        f"Cycles + equilibria: {total:.3f} s wall (target for the cycles: < 0.5 s; "
        f"{'met' if t_c < 0.5 else 'not met'} in wall time, "
        f"{'met' if CPU['cycles'] < 0.5 else 'not met'} in CPU time in this run).",
        "",
    ])
    (HERE / "RESULTS_continuation.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
