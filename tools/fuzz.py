#!/usr/bin/env python
"""Fuzz ratenet as a hostile user would: every CLI command and the public API.

Each case is one CLI invocation (through click's CliRunner) or one call of a public
function, with option values drawn from hostile lists (NaN, inf, 1e308, 5e-324, 200-digit
integers, strings, unwritable or absurd paths) mixed with plausible random values.
Cases run in a worker process; a case that passes its time cap is a *hang* and the
worker is replaced.  The report counts:

* tracebacks: an exception escaping the CLI guard, a traceback printed, or (API) any
  exception other than :class:`ratenet.ParameterError` (and the documented
  ``SimulationDiverged`` with ``on_divergence="raise"``);
* hangs: cases past ``--timeout`` seconds;
* exit codes seen (only 0, 1, 2 are allowed; 130 only on Ctrl-C);
* invalid JSON: a ``--json`` run ending 0 or 1 whose stdout is not one JSON object;
* NaN/inf: ``NaN``/``Infinity`` in JSON output, or non-finite numbers in API results
  that claim success (a stationary state that exists, a simulation with status ok,
  fixed points, cycles);
* internal errors: the guard's ``internal error`` line (a bug mapped to exit 1).

Usage::

    nice -n 19 .venv/bin/python tools/fuzz.py --cases 10000 --seed 1 --timeout 60 \\
        --report fuzz-report.json

The commands' work caps are lowered for the run (``--max-work 1e8``, ``--max-values
200``) so that a drawn run is either small or refused; API simulations are drawn below
1e7 unit-steps unless a value is hostile (then it must be refused).  ``explore`` is
fuzzed with invalid listening options only (a valid one serves until Ctrl-C).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from typing import Any

# ----------------------------------------------------------------- value pools
HOSTILE_NUM = ["nan", "inf", "-inf", "1e308", "-1e308", "1e400", "5e-324", "1e-320", "-0",
               "0", "1e200", "-1e200", "1" + "0" * 200, "-" + "1" * 200, "abc", "", " ",
               "1,5", "0x10", "1e", "--", "-1", "1e-300", "3.5e38", "-1e-320", "1_000"]
HOSTILE_INT = ["-1", "0", "1", "2", "3", "-5", "100000000", "1000000000", "1" + "0" * 200,
               "9223372036854775808", "1.5", "abc", "", "nan", "1e3", "-9223372036854775809",
               "4294967296", "2147483648"]


def plausible(rng: random.Random, scale: float, signed: bool = True) -> str:
    v = rng.choice([rng.gauss(0.0, scale), rng.uniform(0, 3 * scale),
                    10 ** rng.uniform(-6, 6), rng.choice([0.5, 1, 2, 3, 10, 50])])
    if not signed:
        v = abs(v)
    return repr(float(v)) if rng.random() < 0.8 else str(int(v))


def num(rng: random.Random, scale: float = 1.0, signed: bool = True) -> str:
    return rng.choice(HOSTILE_NUM) if rng.random() < 0.3 else plausible(rng, scale, signed)


def integer(rng: random.Random, lo: int, hi: int) -> str:
    return rng.choice(HOSTILE_INT) if rng.random() < 0.3 else str(rng.randint(lo, hi))


def path(rng: random.Random, tmp: str, suffix: str) -> str:
    choices = [
        os.path.join(tmp, f"ok{suffix}"), os.path.join(tmp, f"ok{suffix}"),
        os.path.join(tmp, f"ok{suffix}"), f"/sys/x{suffix}", "/dev/full",
        f"/nonexistent/dir/x{suffix}", os.path.join(tmp, "a" * 5000 + suffix), tmp,
        os.path.join(tmp, "x.unknownext"), "", os.path.join(tmp, "sub", f"x{suffix}"),
        f"/proc/x{suffix}", os.path.join(tmp, "nul\x01name" + suffix), "/",
    ]
    return rng.choice(choices)


# ------------------------------------------------------------------ CLI specs
def _ring_model_opts(rng: random.Random) -> dict[str, str]:
    return {"--j0": num(rng, 2.0), "--j1": num(rng, 3.0), "--h0": num(rng, 1.0),
            "--eps": num(rng, 0.3)}


def cli_case(rng: random.Random, tmp: str) -> list[str]:
    """One command line (without the program name)."""
    cmd = rng.choice(["ring theory", "ring simulate", "ring diffusion", "ring memory",
                      "ring track", "ring phase-diagram", "ei analyze", "ei phase-plane",
                      "ei bifurcation", "tln fixed-points", "tln attractors", "tutorial",
                      "explore", "sweep run", "sweep plot", "sweep quantities",
                      "ring simulate", "ring theory", "ei analyze", "ring simulate",
                      "ring-ei theory", "ring-ei simulate", "ring-ei phase-diagram"])
    base: list[str] = cmd.split()
    opts: dict[str, str] = {}
    small: dict[str, str] = {}
    flags: list[str] = []
    if cmd == "ring theory":
        opts = {**_ring_model_opts(rng), "--theta0": num(rng, 3.0)}
    elif cmd == "ring simulate":
        small = {"--n": "32", "--t-max": "5", "--dt": "0.05", "--max-work": "1e8"}
        opts = {**_ring_model_opts(rng), "--theta0": num(rng, 3.0),
                "--n": integer(rng, 3, 256), "--t-max": num(rng, 10.0, False),
                "--dt": num(rng, 0.05, False), "--seed": integer(rng, 0, 100),
                "--method": rng.choice(["euler", "heun", "rk4", "bogus"]),
                "--out": path(rng, tmp, ".nc"), "--plot": path(rng, tmp, ".png"),
                "--max-work": rng.choice(["nan", "-1", "0", "abc", "1e3", "1e6", "inf"])}
    elif cmd == "ring diffusion":
        small = {"--n": "32", "--trials": "4", "--t-max": "2", "--t-burn": "1",
                 "--sigma": "0.1", "--max-work": "1e8"}
        opts = {"--j0": num(rng, 2), "--j1": num(rng, 3), "--h0": num(rng, 1),
                "--n": integer(rng, 3, 128), "--sigma": num(rng, 0.1, False),
                "--trials": integer(rng, 2, 16), "--t-max": num(rng, 2, False),
                "--t-burn": num(rng, 1, False), "--dt": num(rng, 0.02, False),
                "--seed": integer(rng, 0, 9), "--sigma-ou": num(rng, 0.1, False),
                "--tau-ou": num(rng, 1, False), "--threshold-sd": num(rng, 0.05, False),
                "--coupling-sd": num(rng, 0.05, False), "--het-seed": integer(rng, 0, 9),
                "--out": path(rng, tmp, ".json"), "--plot": path(rng, tmp, ".png"),
                "--max-work": rng.choice(["nan", "-1", "0", "abc", "1e3", "1e6"])}
    elif cmd == "ring memory":
        small = {"--n": "32", "--cue-off": "2", "--t-max": "5", "--max-work": "1e8"}
        opts = {**_ring_model_opts(rng), "--n": integer(rng, 3, 128),
                "--theta0": num(rng, 3), "--cue-off": num(rng, 2, False),
                "--t-max": num(rng, 5, False), "--dt": num(rng, 0.01, False),
                "--sigma": num(rng, 0.05, False), "--seed": integer(rng, 0, 9),
                "--out": path(rng, tmp, ".json"), "--plot": path(rng, tmp, ".png")}
    elif cmd == "ring track":
        small = {"--n": "32", "--t-max": "5", "--speed": "0.02", "--max-work": "1e8"}
        opts = {**_ring_model_opts(rng), "--n": integer(rng, 3, 128),
                "--speed": num(rng, 0.05), "--t-max": num(rng, 5, False),
                "--dt": num(rng, 0.01, False), "--seed": integer(rng, 0, 9),
                "--out": path(rng, tmp, ".json"), "--plot": path(rng, tmp, ".png")}
    elif cmd == "ring phase-diagram":
        small = {"--n": "16", "--steps": "50", "--t-max": "10", "--j0-range": "-2 0 3",
                 "--j1-range": "0 4 3", "--max-work": "1e8"}
        opts = {"--h0": num(rng, 1), "--eps": num(rng, 0.1, False),
                "--n": integer(rng, 3, 64), "--steps": integer(rng, 1, 200),
                "--t-max": num(rng, 10, False),
                "--j0-range": f"{num(rng, 2)} {num(rng, 2)} {integer(rng, 2, 5)}",
                "--j1-range": f"{num(rng, 3)} {num(rng, 3)} {integer(rng, 2, 5)}",
                "--seed": integer(rng, 0, 9), "--out": path(rng, tmp, ".json"),
                "--plot": path(rng, tmp, ".png")}
    elif cmd in ("ei analyze", "ei phase-plane", "ei bifurcation"):
        opts = {"--m-ee": num(rng, 1.5, False), "--m-ei": num(rng, 1.5), "--m-ie": num(rng, 1),
                "--m-ii": num(rng, 0.5), "--gamma-e": num(rng, 10), "--gamma-i": num(rng, 10),
                "--tau-e": num(rng, 10, False), "--tau-i": num(rng, 30, False)}
        for k in ("--m-ei", "--m-ii"):  # mostly of the right sign
            if rng.random() < 0.7 and opts[k][:1].isdigit():
                opts[k] = "-" + opts[k]
        if cmd == "ei phase-plane":
            small = {"--plot": os.path.join(tmp, "pp.png"), "--t-max": "300"}
            opts.update({"--plot": path(rng, tmp, ".png"), "--t-max": num(rng, 300, False),
                         "--x0": f"{num(rng, 20, False)},{num(rng, 20, False)}"})
        if cmd == "ei bifurcation":
            small = {"--param": "tau_I", "--start": "20", "--stop": "60", "--num": "5",
                     "--max-values": "200"}
            opts.update({"--param": rng.choice(["tau_I", "TAU_E", "m_ee", "gamma_i", "bogus",
                                                "M_EI", ""]),
                         "--start": num(rng, 20), "--stop": num(rng, 60),
                         "--num": integer(rng, 2, 12), "--plot": path(rng, tmp, ".png"),
                         "--max-values": integer(rng, 1, 300)})
            if rng.random() < 0.5:
                flags.append("--no-cycles")
    elif cmd.startswith("ring-ei"):
        opts = {"--jee0": num(rng, 1, False), "--jee1": num(rng, 2), "--jei0": num(rng, 1),
                "--jei1": num(rng, 1), "--jie0": num(rng, 1, False), "--jie1": num(rng, 1),
                "--jii0": num(rng, 1), "--jii1": num(rng, 1), "--h-e": num(rng, 10),
                "--h-i": num(rng, 10), "--eps-e": num(rng, 1, False),
                "--eps-i": num(rng, 1, False), "--theta0": num(rng, 3),
                "--tau-e": num(rng, 10, False), "--tau-i": num(rng, 30, False),
                "--j-a": num(rng, 1, False), "--tau-a": num(rng, 100, False)}
        for k in ("--jei0", "--jii0"):  # mostly of the right sign
            if rng.random() < 0.7 and opts[k][:1].isdigit():
                opts[k] = "-" + opts[k]
        if cmd == "ring-ei simulate":
            small = {"--n": "16", "--t-max": "50", "--dt": "0.05", "--max-work": "1e8"}
            opts.update({"--n": integer(rng, 3, 64), "--t-max": num(rng, 50, False),
                         "--window": num(rng, 20, False), "--dt": num(rng, 0.05, False),
                         "--seed": integer(rng, 0, 9), "--out": path(rng, tmp, ".nc"),
                         "--plot": path(rng, tmp, ".png")})
        elif cmd == "ring-ei phase-diagram":
            small = {"--x": "jee1", "--x-range": "0 1 2", "--y": "tau_i",
                     "--y-range": "5 10 2", "--n": "8", "--t-transient": "20",
                     "--t-window": "20", "--max-work": "1e8"}
            opts.update({"--x": rng.choice(["jee1", "JEI0", "tau_e", "bogus", ""]),
                         "--x-range": f"{num(rng, 1)} {num(rng, 2)} {integer(rng, 2, 3)}",
                         "--n": integer(rng, 3, 16), "--t-transient": num(rng, 20, False),
                         "--t-window": num(rng, 20, False), "--dt": num(rng, 0.05, False),
                         "--seed": integer(rng, 0, 9), "--out": path(rng, tmp, ".json"),
                         "--plot": path(rng, tmp, ".png")})
    elif cmd in ("tln fixed-points", "tln attractors"):
        graph = rng.choice(["0->1,1->2,2->0", "0->1", "0->1,1->0", "a->b", "0->99", "",
                            ",".join(f"{i}->{(i + 1) % 5}" for i in range(5)), "0->0",
                            "0->1,1->2,2->3,3->0,0->2"])
        small = {"--graph": "0->1,1->2,2->0"}
        opts = {"--graph": graph, "--n": integer(rng, 1, 8), "--epsilon": num(rng, 0.25),
                "--delta": num(rng, 0.5), "--theta": num(rng, 1.0)}
        if cmd == "tln fixed-points":
            opts.update({"--method": rng.choice(["auto", "enumerate", "graph", "x"]),
                         "--max-units": integer(rng, 1, 30)})
        else:
            small.update({"--trials": "4", "--t-max": "20", "--max-seconds": "30"})
            opts.update({"--trials": integer(rng, 1, 8), "--seed": integer(rng, 0, 9),
                         "--max-seconds": rng.choice(["nan", "-1", "0", "abc", "1e-3", "5"]),
                         "--t-max": num(rng, 20, False), "--plot": path(rng, tmp, ".png")})
    elif cmd == "tutorial":
        small = {"--only": "Q1", "--out": os.path.join(tmp, "tut")}
        opts = {"--out": rng.choice([path(rng, tmp, ""), "/dev/full", "/sys/tut",
                                     os.path.join(tmp, "tut2")]),
                "--only": rng.choice(["Q1", "Q2", "Q99", "", "E1", "q1"])}
    elif cmd == "explore":  # invalid listening options only (a valid one would serve)
        opts = {"--host": rng.choice(["999.1.1.1", "not a host!", "0.0.0.0", "a" * 300,
                                      "::g", "256.0.0.1"]),
                "--allow-origin": rng.choice(["*", "evil", "http://x:1/", "h:99999", ""]),
                "--port": rng.choice(["-1", "65536", "abc", "1" + "0" * 30, "5006"])}
        keys = list(opts)
        rng.shuffle(keys)
        # keep --host invalid, or a wildcard host with a wildcard origin: refused either way
        if opts["--host"] == "0.0.0.0":
            opts["--allow-origin"] = "*"
        return base + [x for k in keys for x in (k, opts[k])] + ["-q"]
    elif cmd == "sweep run":
        spec = rng.choice(["/nonexistent.toml", tmp, os.path.join(tmp, "bad.toml"), ""])
        return base + [spec, "--out", path(rng, tmp, ".zarr")]
    elif cmd == "sweep plot":
        return base + [rng.choice(["/nonexistent.zarr", tmp, ""]),
                       rng.choice(["regime", "x", ""]), "--out", path(rng, tmp, ".png")]
    elif cmd == "sweep quantities":
        return base
    args = dict(small)
    keys = list(opts)
    rng.shuffle(keys)
    for k in keys[: rng.randint(1, min(4, len(keys)))]:
        args[k] = opts[k]
    out = list(base)
    for k, v in args.items():
        out.append(k)
        out.extend(v.split(" ") if k.endswith("-range") else [v])
    out.extend(flags)
    if rng.random() < 0.6 and cmd != "tutorial":
        out.append("--json")
    if rng.random() < 0.5:
        out.append("-q")
    return out


# ------------------------------------------------------------------- API cases
def _pyval(rng: random.Random, scale: float = 1.0, positive: bool = False) -> Any:
    """A Python value: mostly a number, sometimes hostile (types included)."""
    import numpy as np

    r = rng.random()
    if r < 0.5:
        v = abs(rng.gauss(0, scale)) if positive else rng.gauss(0, scale)
        return float(v)
    hostile = [float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 5e-324, 1e-320, 0,
               0.0, -0.0, 10**200, -(10**200), 10**400, "1", "abc", True, False, 1j, None,
               np.float64(1.5), np.array(2.0), np.array([1.0, 2.0]), np.int64(3),
               np.float32(0.5), [1.0], (), np.nan, 2**63, -1, 1, 3]
    return rng.choice(hostile)


def api_case(rng: random.Random) -> dict[str, Any]:
    fn = rng.choice(["RingModel", "EIModel", "RateNetwork", "simulate_ring", "simulate_ei",
                     "stationary_state", "critical_J0", "marginal_theta_c", "uniform_rate",
                     "mode_eigenvalues", "amplification", "linear_response",
                     "reduced_dynamics", "find_fixed_points", "find_limit_cycle",
                     "diffusion_theory", "hopf_tau_I", "bifurcation_diagram", "trajectory",
                     "nullclines", "stationary_state", "find_limit_cycle", "simulate_ring"])
    kw: dict[str, Any] = {}
    pick = lambda names: rng.sample(names, rng.randint(1, min(3, len(names))))  # noqa: E731
    if fn == "RingModel":
        names = ["J0", "J1", "h0", "eps", "theta0", "omega", "t_on", "t_off", "tau", "N",
                 "J_higher"]
        for k in pick(names):
            kw[k] = _pyval(rng, 2.0) if k != "N" else rng.choice(
                [_pyval(rng), 16, 3, 2, 10**200, 1e308, "32", 8.0, 8])
    elif fn in ("EIModel", "find_fixed_points", "find_limit_cycle", "hopf_tau_I",
                "bifurcation_diagram", "trajectory", "nullclines", "simulate_ei"):
        names = ["M_EE", "M_EI", "M_IE", "M_II", "gamma_E", "gamma_I", "tau_E", "tau_I"]
        base = {"M_EE": 1.25, "M_EI": -1.0, "M_IE": 1.0, "M_II": 0.0, "gamma_E": -10.0,
                "gamma_I": 10.0, "tau_E": 10.0, "tau_I": 30.0}
        for k in pick(names):
            v = _pyval(rng, 2.0 if k.startswith("M") else 20.0)
            if isinstance(v, float) and k in ("M_EI", "M_II") and rng.random() < 0.7:
                v = -abs(v)
            elif isinstance(v, float) and k in ("M_EE", "M_IE", "tau_E", "tau_I"):
                v = abs(v) if rng.random() < 0.8 else v
            base[k] = v
        if rng.random() < 0.15:  # the degenerate families of the issue
            base.update(rng.choice([{"M_EE": 1.0, "M_EI": 0.0, "M_IE": 0.0, "M_II": 0.0},
                                    {"M_EE": 0.0, "M_EI": 0.0}, {"M_EE": 1.0},
                                    {"M_EE": 2.0, "M_EI": -1.0, "M_IE": 1.0, "M_II": -1.0}]))
        kw = {"model": base}
        if fn == "find_limit_cycle" and rng.random() < 0.3:
            kw["t_search"] = _pyval(rng, 1000.0, True)
        if fn == "simulate_ei":
            kw["t_max"], kw["dt"] = _pyval(rng, 200.0, True), rng.choice(
                [None, 0.1, 1.0, _pyval(rng, 0.5, True)])
        if fn == "bifurcation_diagram":
            kw["param"] = rng.choice(["tau_I", "M_EE", "gamma_E", "bogus", 3])
            kw["values"] = [_pyval(rng, 30.0, True) for _ in range(rng.randint(1, 4))]
        if fn == "trajectory":
            kw["x0"] = [_pyval(rng, 20.0, True), _pyval(rng, 20.0, True)]
            kw["t_max"] = _pyval(rng, 300.0, True)
        if fn == "nullclines":
            kw["x_range"] = (0.0, _pyval(rng, 50.0, True))
            kw["y_range"] = (_pyval(rng, 1.0), 60.0)
    elif fn == "RateNetwork":
        n = rng.randint(1, 4)
        kw["W"] = rng.choice([[[_pyval(rng) for _ in range(n)] for _ in range(n)],
                              "1", [[1, 2]], [[10**400]], [[1j]], [[True]]])
        kw["tau"] = rng.choice([1.0, _pyval(rng, 1.0, True), [1.0] * n, "1", [1.0] * (n + 1)])
        kw["h"] = rng.choice([0.0, _pyval(rng), [0.0] * n, "0"])
    elif fn == "simulate_ring":
        model = {"J0": -2.0, "J1": 3.0, "h0": 1.0, "N": 32}
        if rng.random() < 0.4:
            model.update({k: _pyval(rng, 2.0) for k in rng.sample(["J0", "J1", "h0", "eps"], 1)})
        kw = {"model": model, "t_max": rng.choice([5.0, _pyval(rng, 10.0, True)]),
              "dt": rng.choice([None, 0.05, _pyval(rng, 0.05, True)]),
              "method": rng.choice(["euler", "heun", "rk4", "x"]),
              "record_every": rng.choice([1, None, 10, _pyval(rng, 10, True)]),
              "seed": rng.choice([0, 1, _pyval(rng, 5)]),
              "max_rate": rng.choice([1e6, _pyval(rng, 100.0, True)]),
              "on_divergence": rng.choice(["warn", "ignore", "raise", "x"])}
    elif fn in ("stationary_state", "linear_response", "reduced_dynamics"):
        kw = {"J0": -2.0, "J1": 3.0, "h0": 1.0, "eps": 0.1}
        for k in pick(["J0", "J1", "h0", "eps"]):
            kw[k] = _pyval(rng, 3.0)
        if fn == "stationary_state" and rng.random() < 0.3:
            kw["theta0"] = _pyval(rng, 3.0)
        if fn == "reduced_dynamics":
            kw["t"] = rng.choice([[0.0, 1.0, 2.0], _pyval(rng, 5.0, True), "1", [float("nan")]])
            if rng.random() < 0.5:
                kw["tau"] = _pyval(rng, 1.0, True)
    elif fn in ("critical_J0", "marginal_theta_c"):
        kw = {"J1": _pyval(rng, 5.0)}
    elif fn == "uniform_rate":
        kw = {"J0": _pyval(rng, 2.0), "h0": _pyval(rng, 1.0)}
    elif fn == "mode_eigenvalues":
        kw = {"J0": _pyval(rng, 2.0), "J1": _pyval(rng, 3.0)}
    elif fn == "amplification":
        kw = {"J0": _pyval(rng, 2.0), "J1": _pyval(rng, 3.0)}
    elif fn == "diffusion_theory":
        kw = {"model": {"J0": -2.0, "J1": rng.choice([4.0, 3.0, _pyval(rng, 5.0)]),
                        "h0": rng.choice([1.0, 5e-324, _pyval(rng, 1.0)]), "N": 64},
              "sigma": _pyval(rng, 0.1, True)}
    return {"fn": fn, "kw": kw}


def _finite(x: Any) -> bool:
    import numpy as np

    try:
        a = np.asarray(x, dtype=complex)
    except (TypeError, ValueError):
        return True
    return bool(np.all(np.isfinite(a)))


def run_api(case: dict[str, Any]) -> dict[str, Any]:
    """Run one API case in this process: 'ok', 'refused' or 'traceback', plus NaN/inf."""
    import warnings

    import ratenet as rn
    from ratenet import analysis, theory
    from ratenet.attractor import diffusion_theory

    fn, kw = case["fn"], dict(case["kw"])
    nonfinite = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if fn == "RingModel":
                rn.RingModel(**kw)
            elif fn == "EIModel":
                rn.EIModel(**kw["model"])
            elif fn == "RateNetwork":
                rn.RateNetwork(**kw)
            elif fn == "simulate_ring":
                model = rn.RingModel(**kw.pop("model"))
                t_max, dt = kw["t_max"], kw["dt"]
                try:  # keep plausible runs small; hostile values must be refused
                    steps = float(t_max) / float(dt if dt is not None else 0.01)
                    if math.isfinite(steps) and 1e5 / model.N < steps <= 2**53:
                        kw["t_max"] = float(dt if dt is not None else 0.01) * 1e5 / model.N
                except (TypeError, ValueError, OverflowError, ZeroDivisionError):
                    pass
                tr = rn.simulate(model, **kw)
                if str(tr.status) == "ok" and not _finite(tr.rates):
                    nonfinite = True
            elif fn == "simulate_ei":
                model = rn.EIModel(**kw.pop("model"))
                try:
                    steps = float(kw["t_max"]) / float(kw["dt"] or 0.1)
                    if math.isfinite(steps) and 1e5 < steps <= 2**53:
                        kw["t_max"] = float(kw["dt"] or 0.1) * 1e5
                except (TypeError, ValueError, OverflowError, ZeroDivisionError):
                    pass
                tr = rn.simulate(model, on_divergence="ignore", **kw)
                if str(tr.status) == "ok" and not _finite(tr.rates):
                    nonfinite = True
            elif fn == "stationary_state":
                s = theory.stationary_state(**kw)
                if s.regime != "unstable" and not _finite([s.r0, s.m1, s.peak, s.theta_c]):
                    nonfinite = True
            elif fn == "critical_J0":
                nonfinite = not _finite(theory.critical_J0(**kw))
            elif fn == "marginal_theta_c":
                nonfinite = not _finite(theory.marginal_theta_c(**kw))
            elif fn == "uniform_rate":
                theory.uniform_rate(**kw)  # documented: nan/inf where no uniform state
            elif fn == "mode_eigenvalues":
                nonfinite = not _finite(theory.mode_eigenvalues(kw["J0"], kw["J1"]))
            elif fn == "amplification":
                theory.amplification(**kw)
            elif fn == "linear_response":
                theory.linear_response(**kw)
            elif fn == "reduced_dynamics":
                theory.reduced_dynamics(kw.pop("t"), **kw)
            elif fn == "find_fixed_points":
                fps = analysis.find_fixed_points(rn.EIModel(**kw["model"]))
                nonfinite = not all(_finite(fp.state) for fp in fps)
            elif fn == "find_limit_cycle":
                model = rn.EIModel(**kw.pop("model"))
                cyc = analysis.find_limit_cycle(model, **kw)
                if cyc is not None and not _finite([cyc.period, cyc.minimum, cyc.maximum]):
                    nonfinite = True
            elif fn == "hopf_tau_I":
                rn.EIModel(**kw["model"]).hopf_tau_I()
            elif fn == "bifurcation_diagram":
                analysis.bifurcation_diagram(rn.EIModel(**kw["model"]), kw["param"],
                                             kw["values"], cycles=False)
            elif fn == "trajectory":
                analysis.trajectory(rn.EIModel(**kw["model"]), kw["x0"], t_max=kw["t_max"])
            elif fn == "nullclines":
                analysis.nullclines(rn.EIModel(**kw["model"]), x_range=kw["x_range"],
                                    y_range=kw["y_range"], resolution=50)
            elif fn == "diffusion_theory":
                d = diffusion_theory(rn.RingModel(**kw["model"]), kw["sigma"])
                nonfinite = isinstance(d, float) and math.isinf(d)
        outcome = "ok"
    except rn.ParameterError:
        outcome = "refused"
    except rn.SimulationDiverged:
        outcome = "diverged"  # asked for with on_divergence="raise"
    except Exception as err:
        return {"outcome": "traceback", "error": f"{type(err).__name__}: {err}"[:300],
                "where": traceback.format_exc().strip().splitlines()[-3][:200],
                "nonfinite": False}
    return {"outcome": outcome, "nonfinite": nonfinite and outcome == "ok"}


def _json_has_nonfinite(text: str) -> bool:
    bad = []
    json.loads(text, parse_constant=lambda c: bad.append(c))
    return bool(bad)


def run_cli(args: list[str], tmp: str) -> dict[str, Any]:
    from click.testing import CliRunner

    from ratenet.cli import main

    res = CliRunner().invoke(main, args, catch_exceptions=True)
    stdout, stderr = res.stdout, res.stderr
    escaped = res.exception is not None and not isinstance(res.exception, SystemExit)
    tb = escaped or "Traceback (most recent call last)" in stderr + stdout
    out: dict[str, Any] = {"exit": res.exit_code, "traceback": tb,
                           "internal": "internal error" in stderr,
                           "stderr_tail": stderr.strip().splitlines()[-1][:300]
                           if stderr.strip() else ""}
    if escaped:
        out["error"] = f"{type(res.exception).__name__}: {res.exception}"[:300]
    if "--json" in args and res.exit_code in (0, 1) and not tb:
        try:
            out["json_invalid"] = False
            out["nonfinite"] = _json_has_nonfinite(stdout)
        except ValueError:
            # a refusal before any result prints no JSON (exit 1 only for failures)
            out["json_invalid"] = res.exit_code == 0 or bool(stdout.strip())
            out["nonfinite"] = False
    for name in os.listdir(tmp):  # keep the scratch folder small
        p = os.path.join(tmp, name)
        if os.path.isdir(p):
            shutil.rmtree(p, ignore_errors=True)
        else:
            try:
                os.remove(p)
            except OSError:
                pass
    return out


# --------------------------------------------------------------------- worker
def _worker(conn: Any, tmp: str, mem_gib: float = 16.0) -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:  # an allocation past the cap raises MemoryError here instead of waking the OOM killer
        import resource

        cap = int(mem_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):
        pass
    import warnings

    warnings.simplefilter("ignore")
    import ratenet.analysis
    import ratenet.attractor
    import ratenet.cli  # noqa: F401

    conn.send("ready")
    while True:
        case = conn.recv()
        if case is None:
            return
        try:
            if case["kind"] == "cli":
                out = run_cli(case["args"], tmp)
            else:
                out = run_api(case)
        except BaseException as err:
            out = {"outcome": "traceback", "traceback": True,
                   "error": f"fuzzer: {type(err).__name__}: {err}"[:300]}
        conn.send(out)


class Worker:
    """One worker process with its own scratch folder; replaced after a case passes its
    time cap (or if it dies)."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.tmp = tempfile.mkdtemp(prefix="ratenet-fuzz-")
        self.case: dict[str, Any] | None = None
        self.t_start = 0.0
        self.retry = False
        self._start()

    def _start(self) -> None:
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(child, self.tmp), daemon=True)
        self.proc.start()
        if self.conn.poll(600):  # the imports are not part of any case's time
            self.conn.recv()

    def submit(self, case: dict[str, Any], retry: bool = False) -> None:
        self.case, self.retry, self.t_start = case, retry, time.time()
        if case["kind"] == "cli":
            case = {**case, "args": [a.replace(TMP, self.tmp) for a in case["args"]]}
        self.conn.send(case)

    def restart(self) -> None:
        self.proc.kill()
        self.proc.join()
        self._start()

    def close(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


#: Placeholder for the worker's scratch folder in generated command lines.
TMP = "/@TMP@"


class Tally:
    """The counts of the report."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.exit_codes: Counter[int] = Counter()
        self.failures: list[dict[str, Any]] = []
        self.slowest: list[tuple[float, Any]] = []
        self.slow_once: list[dict[str, Any]] = []

    def record(self, case: dict[str, Any], out: dict[str, Any] | None, dt: float) -> None:
        counts = self.counts
        self.slowest = sorted([*self.slowest, (dt, case)], key=lambda x: -x[0])[:10]
        counts[f"{case['kind']} cases"] += 1
        problem = None
        if out is None:
            counts["hangs"] += 1
            problem = "hang"
        elif case["kind"] == "api":
            counts[f"api {out['outcome']}"] += 1
            if out["outcome"] == "traceback":
                counts["tracebacks"] += 1
                problem = "traceback"
            if out.get("nonfinite"):
                counts["nan/inf"] += 1
                problem = "nan/inf"
        else:
            self.exit_codes[out["exit"]] += 1
            if out["traceback"]:
                counts["tracebacks"] += 1
                problem = "traceback"
            if out.get("internal"):
                counts["internal errors"] += 1
                problem = problem or "internal error"
            if out["exit"] not in (0, 1, 2):
                counts["bad exit codes"] += 1
                problem = problem or f"exit {out['exit']}"
            if "json_invalid" in out:
                counts["json runs"] += 1
                if out["json_invalid"]:
                    counts["invalid json"] += 1
                    problem = problem or "invalid json"
                if out.get("nonfinite"):
                    counts["nan/inf"] += 1
                    problem = problem or "nan/inf"
        if problem:
            self.failures.append({"problem": problem, "case": _printable(case),
                                  "result": out})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--api-fraction", type=float, default=0.5,
                    help="share of API cases (the rest are CLI invocations)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per case")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--report", default=None, help="write the counts and failures as JSON")
    args = ap.parse_args(argv)

    # one thread per library: idle OpenMP/BLAS/Numba threads spinning on a shared, loaded
    # machine slow every later case of the worker down (the fuzzer tests behaviour, not speed)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMBA_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    rng = random.Random(args.seed)
    cases: list[dict[str, Any]] = []
    for _ in range(args.cases):  # drawn up front: the same cases for any --jobs
        if rng.random() < args.api_fraction:
            cases.append({"kind": "api", **api_case(rng)})
        else:
            cases.append({"kind": "cli", "args": cli_case(rng, TMP)})
    ctx = mp.get_context("fork")
    workers = [Worker(ctx) for _ in range(max(1, args.jobs))]
    tally = Tally()
    queue = list(range(len(cases)))[::-1]
    retries: list[tuple[int, float]] = []
    done = 0
    t0 = time.time()
    from multiprocessing.connection import wait

    try:
        while queue or retries or any(w.case is not None for w in workers):
            for w in workers:  # hand out work: retries (a case that passed its cap) first
                if w.case is None and (retries or queue):
                    if retries:
                        k, first = retries.pop()
                        w.submit({**cases[k], "_k": k, "_first": first}, retry=True)
                    else:
                        k = queue.pop()
                        w.submit({**cases[k], "_k": k})
            busy = [w for w in workers if w.case is not None]
            now = time.time()
            left = min(w.t_start + args.timeout - now for w in busy)
            ready = wait([w.conn for w in busy], timeout=max(0.0, left))
            now = time.time()
            for w in busy:
                assert w.case is not None
                case, k = w.case, w.case["_k"]
                if w.conn in ready:
                    try:
                        out = w.conn.recv()
                    except EOFError:  # the worker died: a crash of the interpreter
                        out = {"outcome": "traceback", "traceback": True, "exit": -1,
                               "error": "worker died"}
                        w.restart()
                elif now - w.t_start >= args.timeout:
                    w.restart()
                    if not w.retry:  # again, in a fresh worker: a load spike or a hang?
                        retries.append((k, now - w.t_start))
                        w.case = None
                        continue
                    out = None
                else:
                    continue
                dt = now - w.t_start
                if w.retry and out is not None:
                    tally.counts["slow once (not reproduced)"] += 1
                    tally.slow_once.append({"case": _printable(case),
                                            "first_s": round(case["_first"], 1),
                                            "again_s": round(dt, 1)})
                w.case = None
                tally.record(cases[k], out, dt)
                done += 1
                if done % 500 == 0:
                    print(f"{done} cases, {time.time() - t0:.0f} s: {dict(tally.counts)} exit "
                          f"codes {dict(tally.exit_codes)}", file=sys.stderr, flush=True)
    finally:
        for w in workers:
            w.close()
    counts = tally.counts
    for key in ("tracebacks", "hangs", "invalid json", "nan/inf", "internal errors",
                "bad exit codes"):
        counts.setdefault(key, 0)
    summary = {"cases": args.cases, "seed": args.seed, "timeout_s": args.timeout,
               "jobs": args.jobs, "seconds": round(time.time() - t0, 1),
               "counts": dict(counts),
               "exit_codes": {str(k): v for k, v in sorted(tally.exit_codes.items())},
               "slowest": [{"seconds": round(d, 2), "case": _printable(c)}
                           for d, c in tally.slowest],
               "slow_once": tally.slow_once, "failures": tally.failures[:200]}
    text = json.dumps(summary, indent=1, default=str)
    if args.report:
        with open(args.report, "w") as fh:
            fh.write(text)
    print(json.dumps({k: summary[k] for k in ("cases", "seed", "jobs", "seconds", "counts",
                                             "exit_codes")}, indent=1))
    for f in tally.failures[:20]:
        print(json.dumps(f, default=str)[:600])
    bad = sum(counts[k] for k in ("tracebacks", "hangs", "invalid json", "nan/inf",
                                  "bad exit codes"))
    return 1 if bad else 0


def _printable(case: dict[str, Any]) -> Any:
    if case["kind"] == "cli":
        return " ".join(a if len(a) < 80 else a[:40] + f"...({len(a)} chars)"
                        for a in case["args"])
    return {"fn": case["fn"], "kw": {k: repr(v)[:80] for k, v in case["kw"].items()}}


if __name__ == "__main__":
    sys.exit(main())
