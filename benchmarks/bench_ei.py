"""E-I bifurcation diagram speed: the CLI command of issue 3, end to end.

Run:  .venv/bin/python benchmarks/bench_ei.py [--repeat 3]
Times ``ratenet ei bifurcation --param tau_I --start 20 --stop 100 --num 200`` (fixed
points, Hopf point, and a shooting-refined limit cycle at every value), the same
diagram as a library call, and the bare interpreter start-up (``ratenet --version``)
for scale, all in this run (the machine is shared).  Prints a table and writes
benchmarks/RESULTS_ei.md.  Target: under 5 s for the command.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RATENET = str(Path(sys.executable).with_name("ratenet"))
COMMAND = ["ei", "bifurcation", "--param", "tau_I", "--start", "20", "--stop", "100",
           "--num", "200"]


def timed(args: list[str], repeat: int) -> tuple[list[float], str]:
    times, out = [], ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = subprocess.run([RATENET, *args], capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - t0)
        out = res.stdout
    return times, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    t_start, _ = timed(["--version"], args.repeat)
    t_cli, text = timed(COMMAND, args.repeat)
    t_json, js = timed([*COMMAND, "--json", "--quiet"], 1)
    d = json.loads(js)

    from ratenet import EIModel
    from ratenet.analysis import bifurcation_diagram

    lib = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        diag = bifurcation_diagram(EIModel(), "tau_I", np.linspace(20, 100, 200))
        lib.append(time.perf_counter() - t0)
    n_cycles = int(np.sum(diag.cycles.exists))
    hopf = d["hopf"]

    rows = [
        ("`ratenet --version` (start-up)", min(t_start), float(np.median(t_start))),
        ("`ratenet " + " ".join(COMMAND) + "`", min(t_cli), float(np.median(t_cli))),
        ("same with `--json`", t_json[0], t_json[0]),
        ("`bifurcation_diagram(...)` in-process", min(lib), float(np.median(lib))),
    ]
    lines = [
        "## E-I bifurcation diagram (issue 3)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
        f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load:.2f} at start; best and median of {args.repeat}. "
        "Command: `.venv/bin/python benchmarks/bench_ei.py`.",
        "",
        "| what | best (s) | median (s) |",
        "|---|---:|---:|",
        *[f"| {name} | {b:.2f} | {m:.2f} |" for name, b, m in rows],
        "",
        f"200 values of tau_I in [20, 100]: Hopf point at tau_I = {hopf[0]:.12g} ms "
        f"(closed form 40), stable limit cycle found and refined by shooting at "
        f"{n_cycles} values (every grid value above 40 ms: "
        f"{int(np.sum(diag.values > 40))}). Target: command under 5 s "
        f"({'met' if min(t_cli) < 5 else 'NOT met'}).",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    print(text)
    (HERE / "RESULTS_ei.md").write_text(report)


if __name__ == "__main__":
    main()
