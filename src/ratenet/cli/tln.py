"""``ratenet tln ...``: threshold-linear networks of any size (TLN, CTLN)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import click
import numpy as np

from .._validation import ParameterError
from ._common import (
    check_memory,
    check_plot_path,
    echo_json,
    fail,
    guarded,
    note,
    save_figure,
    show_progress,
    time_cap,
)


def _network_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    opts = [
        click.option("--weights", "weights", type=click.Path(dir_okay=False), default=None,
                     help="CSV file of W (n x n, W[i, j] onto i from j)"),
        click.option("--input", "input_", default=None, metavar="B",
                     help="external input b: one number, or a CSV file of n numbers"),
        click.option("--graph", "graph", default=None, metavar="EDGES",
                     help="CTLN graph as edges 'j->i', e.g. '0->1,1->2,2->0'"),
        click.option("--n", "n", type=int, default=None, help="number of CTLN nodes"),
        click.option("--epsilon", type=float, default=0.25, show_default=True),
        click.option("--delta", type=float, default=0.5, show_default=True),
        click.option("--theta", type=float, default=1.0, show_default=True),
    ]
    for o in reversed(opts):
        fn = o(fn)
    return fn


def _read_csv(path: str, option: str) -> np.ndarray:
    if not os.path.isfile(path):
        fail(f"{option}: no such file: {path}")
    try:
        arr = np.loadtxt(path, delimiter=",", ndmin=2)
    except ValueError as err:
        fail(f"{option}: {path} is not a CSV of numbers ({str(err).splitlines()[0]})")
    return arr


def _build(weights, input_, graph, n, epsilon, delta, theta):
    from ..tln import CTLN, TLN

    if (weights is None) == (graph is None):
        fail("give exactly one of --weights W.csv or --graph EDGES")
    if n is not None:  # W is dense: n^2 numbers, several copies
        from .._validation import check_int

        n = check_int("n", n, minimum=1)
        check_memory("tln", 32.0 * float(n) * float(n), f"--n {n}: {n} x {n} weights")
    try:
        if graph is not None:
            if input_ is not None:
                fail("--input: not used with --graph (a CTLN's input is --theta)")
            return CTLN(graph, n, epsilon=epsilon, delta=delta, theta=theta)
        W = _read_csv(weights, "--weights")
        b: Any = 0.0
        if input_ is not None:
            try:
                b = float(input_)
            except ValueError:
                b = _read_csv(input_, "--input").ravel()
        return TLN(W, b=b)
    except ParameterError as err:
        opt = {"W": "--weights", "b": "--input", "graph": "--graph", "n": "--n",
               "epsilon": "--epsilon", "delta": "--delta", "theta": "--theta"}.get(err.name,
                                                                                "--" + err.name)
        fail(f"{opt}: {err}")


@click.group("tln")
def tln() -> None:
    """Threshold-linear networks: all fixed points, attractors (TLN and CTLN).

    \b
    Examples:
      ratenet tln fixed-points --graph "0->1,1->2,2->0" --json
      ratenet tln fixed-points --weights W.csv --input 1 --json
      ratenet tln attractors --graph "0->1,1->2,2->0" --trials 50 --seed 1 --json
    """


@tln.command("fixed-points")
@_network_options
@click.option("--method", type=click.Choice(["auto", "enumerate", "graph"]), default="auto",
              show_default=True, help="graph: CTLN search over connected blocks")
@click.option("--max-units", type=int, default=24, show_default=True,
              help="largest n for the enumeration of all 2^n supports")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--quiet", "-q", is_flag=True, help="no progress bar and no notes on stderr")
@guarded
def fixed_points_command(weights, input_, graph, n, epsilon, delta, theta, method, max_units,
                         as_json, quiet) -> None:
    """Every fixed point exactly: support, state, stability, index; parity certificate."""
    import warnings

    from ..tln import fixed_points

    net = _build(weights, input_, graph, n, epsilon, delta, theta)
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = fixed_points(net, method=method, max_units=max_units,
                               progress=show_progress(quiet), warn=False)
    except ParameterError as err:
        opt = {"n": "--n" if graph else "--weights", "max_units": "--max-units",
               "method": "--method"}.get(err.name, "--" + err.name.replace("_", "-"))
        fail(f"{opt}: {err}")
    out = res.to_dict()
    out["seconds"] = time.perf_counter() - t0
    if res.warning:
        note(f"ratenet: warning: {res.warning}")
    if as_json:
        echo_json(out)
        return
    click.echo(f"n = {res.n}: {len(res)} fixed point(s), parity {res.parity} "
               f"({res.method}, {out['seconds']:.3g} s)")
    for fp in res:
        tag = "stable" if fp.stable else "unstable"
        if fp.degenerate:
            tag = "degenerate: " + fp.degenerate
        click.echo(f"  support {list(fp.support)}  index {fp.index:+d}  {tag}  "
                   f"x = {np.array2string(fp.state, precision=4)}")


@tln.command("attractors")
@_network_options
@click.option("--trials", type=int, default=100, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--t-max", type=float, default=200.0, show_default=True,
              help="transient per trial (units of tau)")
@click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None,
              help="figure: graph with supports, time courses, projections")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--quiet", "-q", is_flag=True, help="no progress bar and no notes on stderr")
@click.option("--max-seconds", "max_seconds", type=float, default=600.0, show_default=True,
              help="stop (exit 1) after this much wall time; large networks classify "
                   "slowly (a limit-cycle search of up to 10 s per trial)")
@guarded
def attractors_command(weights, input_, graph, n, epsilon, delta, theta, trials, seed, t_max,
                       plot, as_json, quiet, max_seconds) -> None:
    """Simulate from many initial conditions; classify and count the attractors."""
    from ..tln import find_attractors

    net = _build(weights, input_, graph, n, epsilon, delta, theta)
    if plot is not None:
        if os.path.splitext(plot)[1].lower() not in (".png", ".pdf", ".svg"):
            fail(f"--plot: use a .png, .pdf or .svg file (got {plot!r})")
        check_plot_path("--plot", plot)
    t0 = time.perf_counter()
    try:
        with time_cap(max_seconds):
            res = find_attractors(net, trials=trials, seed=seed, t_max=t_max,
                                  progress=show_progress(quiet))
    except ParameterError as err:
        if err.name == "model":
            fail(f"the network diverged: {err}", 1)
        fail(f"--{err.name.replace('_', '-')}: {err}")
    out = res.to_dict()
    out["seconds"] = time.perf_counter() - t0
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        from ..plotting.tln import plot_attractors

        fig = plot_attractors(res, net)
        save_figure("--plot", fig, plot, dpi=120)
        out["plot"] = plot
    if as_json:
        echo_json(out)
        return
    from ..plotting._style import clean_number

    click.echo(f"{len(res)} attractor(s) from {res.trials} trials (seed {res.seed}):")
    for a in res:
        lo, hi = a.basin_interval
        extra = f" period {a.period:.5g}" if a.period else ""
        if a.lyapunov is None:
            lyap = ""
        else:  # a zero exponent (a cycle's flow direction) printed as 0, not as 4e-13
            lam = clean_number(float(a.lyapunov[0]), float(np.max(np.abs(a.lyapunov))),
                               rtol=1e-9)
            lyap = f" lambda_max {lam:.3g}"
        click.echo(f"  {a.kind:15s} support {list(a.support)}{extra}{lyap}  basin "
                   f"{a.basin_fraction:.3f} [{lo:.3f}, {hi:.3f}]")
