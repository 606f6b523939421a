"""``ratenet sweep ...``: parameter sweeps on a Dask cluster, results in a Zarr store."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from .._validation import ParameterError
from ._common import echo_json, fail, note, show_progress

_OPTION_ERRORS = {"out": "--out", "scheduler": "--scheduler", "workers": "--workers",
                  "resume": "--resume", "sel": "--sel", "trial": "--trial",
                  "quantity": "QUANTITY", "store": "STORE", "max_cells": "--max-cells",
                  "max_work": "--max-work"}


def _report(err: ParameterError, spec_path: str | None = None) -> None:
    opt = _OPTION_ERRORS.get(err.name)
    if opt is not None:
        fail(f"{opt}: {err}")
    fail(f"{spec_path}: {err}" if spec_path else str(err))


class _SweepGroup(click.Group):
    """A group whose default command is ``run``: ``ratenet sweep SPEC.toml ...`` runs a spec."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_SweepGroup, no_args_is_help=True)
def sweep() -> None:
    """Parameter sweeps: a grid over model parameters, run in chunks on Dask, stored in Zarr.

    \b
    Run a sweep (locally, on this machine's cores):
      ratenet sweep SPEC.toml --out STORE.zarr [--json]
    On an existing Dask cluster:
      ratenet sweep SPEC.toml --out STORE.zarr --scheduler tcp://HOST:8786
    Continue an interrupted sweep (stored chunks are skipped):
      ratenet sweep SPEC.toml --out STORE.zarr --resume
    Draw a stored quantity (1-D curve or 2-D map):
      ratenet sweep plot STORE.zarr regime --out regime.png
    List what can be measured:
      ratenet sweep quantities

    The spec format is described in docs/sweep.md; examples/sweep_ring.toml is a small one.
    """


@sweep.command("run")
@click.argument("spec_file", metavar="SPEC.toml", type=click.Path(dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(),
              help="Zarr store to write (a folder STORE.zarr; must not exist unless --resume). "
                   "It is written as STORE.zarr.partial and renamed when complete.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address tcp://HOST:PORT of an existing cluster. Default: a "
                   "local cluster on 127.0.0.1 with one worker process per core. "
                   "'synchronous' runs every chunk in this process, without Dask.")
@click.option("--workers", type=click.IntRange(1, 1024), default=None,
              help="Worker processes of the local cluster (default: the CPU cores).")
@click.option("--resume", is_flag=True,
              help="Continue the sweep stored in --out: chunks already stored are skipped.")
@click.option("--max-cells", type=click.IntRange(1, None), default=None,
              help="Most simulations (grid points x trials) accepted  [default: 1e7].")
@click.option("--max-work", type=click.FloatRange(0, None, min_open=True), default=None,
              help="Most unit updates (units x time steps x simulations) accepted  "
                   "[default: 1e13, about an hour on two cores].")
@click.option("--json", "as_json", is_flag=True,
              help="Print cells, completed, seconds (and more) as one JSON object.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no notes on stderr.")
def run_command(spec_file: str, out: str, scheduler: str | None, workers: int | None,
                resume: bool, max_cells: int | None, max_work: float | None, as_json: bool,
                quiet: bool) -> None:
    """Run the sweep described by SPEC.toml and store it in --out.

    Exit codes: 0 done, 1 the computation failed or was interrupted (the chunks stored so
    far are kept in STORE.zarr.partial for --resume), 2 bad input (nothing written).
    """
    from ..sweep import load_spec, run_sweep
    from ..sweep.spec import DEFAULT_MAX_CELLS, DEFAULT_MAX_WORK
    from ..sweep.store import completed_chunks, partial_path

    if not os.path.isfile(spec_file):
        fail(f"SPEC.toml: no such file: {spec_file}")
    try:
        spec = load_spec(spec_file, max_cells=max_cells or DEFAULT_MAX_CELLS,
                         max_work=max_work or DEFAULT_MAX_WORK)
    except ParameterError as err:
        _report(err, spec_file)
    progress = show_progress(quiet)
    if not resume:  # before anything starts: an --out that cannot be written is bad input
        from ..sweep.store import _refuse_existing, check_writable

        try:
            _refuse_existing(Path(out))
            check_writable(out)
        except ParameterError as err:
            _report(err, spec_file)
    if scheduler is None:
        note("starting a local Dask cluster on 127.0.0.1 ...")

    def kept() -> str:
        work = partial_path(out)
        if not work.exists():
            return "nothing was written"
        return (f"{len(completed_chunks(work))} chunks are kept in {work} (continue with: "
                f"ratenet sweep {spec_file} --out {out} --resume)")

    try:
        result = run_sweep(spec, out, scheduler=scheduler, workers=workers, resume=resume,
                           progress=progress)
    except ParameterError as err:
        _report(err, spec_file)
    except KeyboardInterrupt:
        fail(f"interrupted; {kept()}", 1)
    except ImportError as err:
        fail(str(err))
    except (RuntimeError, OSError, ArithmeticError, MemoryError) as err:
        fail(f"the sweep failed: {type(err).__name__}: {err}; {kept()}", 1)
    if as_json:
        echo_json(result.to_dict())
        return
    where = ("in this process" if result.scheduler == "synchronous"
             else f"on {result.scheduler} ({result.workers} workers)")
    click.echo(f"{result.completed} of {result.cells} cells stored in {result.store} "
               f"({result.computed} computed now, {result.chunks} chunks) in "
               f"{result.seconds:.1f} s {where}")


def _parse_sel(items: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            if not sep or not name:
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            fail(f"--sel: expected NAME=VALUE with a number, e.g. --sel eps=0.1 (got {item!r})")
    return out


@sweep.command("plot")
@click.argument("store", metavar="STORE.zarr", type=click.Path(file_okay=False))
@click.argument("quantity")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="PNG (or PDF/SVG) file to write. Default: STORE_QUANTITY.png here.")
@click.option("--sel", multiple=True, metavar="NAME=VALUE",
              help="Fix a swept parameter (nearest stored value) when more than two are swept; "
                   "repeat as needed.")
@click.option("--trial", type=int, default=None,
              help="Show one trial (default: mean over trials; trial 0 for categories).")
@click.option("--log", is_flag=True, help="Logarithmic colour scale (map) or y axis (curve).")
@click.option("--show-diverged", is_flag=True,
              help="Also draw the values of simulations that diverged (blank by default).")
@click.option("--quiet", "-q", is_flag=True, help="No 'wrote FILE' note on stderr.")
def plot_command(store: str, quantity: str, out: str | None, sel: tuple[str, ...],
                 trial: int | None, log: bool, show_diverged: bool, quiet: bool) -> None:
    """Draw QUANTITY of a sweep store: a curve over one parameter or a map over two."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..sweep import open_sweep, plot_quantity

    path = Path(out) if out else Path(f"{Path(store).stem}_{quantity}.png")
    fmt = path.suffix.lstrip(".").lower()
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    if fmt not in formats:
        fail(f"--out: {str(path)[:80]!r} must end in one of "
             f"{', '.join('.' + f for f in sorted(formats))}")
    _check_file_writable(path)
    try:
        ds = open_sweep(store)
        ax = plot_quantity(ds, quantity, sel=_parse_sel(sel), trial=trial, log=log,
                           hide_diverged=not show_diverged)
    except ParameterError as err:
        _report(err)
    fig: Any = ax.figure
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fig.savefig(tmp, dpi=120, bbox_inches="tight", format=fmt)
        os.replace(tmp, path)
    except OSError as err:
        fail(f"--out: cannot write {str(path)[:80]}: {err.strerror or err}", 1)
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)
    note(f"wrote {path}")


def _check_file_writable(path: Path) -> None:
    """Exit 2 naming --out unless a file can be written at ``path`` (checked before work)."""
    import tempfile

    parent = path.absolute().parent
    shown = str(path) if len(str(path)) <= 80 else str(path)[:60] + "..."
    if not parent.is_dir():
        fail(f"--out: {shown}: the folder {str(parent)[:80]} does not exist")
    if path.is_dir():
        fail(f"--out: {shown} is a folder, not a file")
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".ratenet-probe-"):
            pass
        if len(os.fsencode(path.name)) + 16 > os.pathconf(parent, "PC_NAME_MAX"):
            raise OSError(36, "File name too long")
    except OSError as err:
        fail(f"--out: cannot write {shown}: {err.strerror or err}")


@sweep.command("quantities")
@click.option("--model", default=None, help="Only this model (default: every registered one).")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
def quantities_command(model: str | None, as_json: bool) -> None:
    """List the parameters and the quantities a sweep spec can use, per model."""
    from ..sweep import MODELS, get_model

    try:
        models = [get_model(model)] if model else list(MODELS.values())
    except ParameterError as err:
        fail(f"--model: {err}")
    data = {}
    for m in models:
        qs = [m.quantity(q.name, q.kind) or q for q in m.quantities.values()]
        data[m.name] = {
            "parameters": {p.name: {"sweepable": p.sweepable, "default": p.default,
                                    "description": p.doc} for p in m.parameters.values()},
            "quantities": {q.name: {"units": q.units, "description": q.description}
                           for q in qs if q.kind == "measured"},
            "theory": {q.name: {"units": q.units, "description": q.description}
                       for q in qs if q.kind == "theory"},
        }
    if as_json:
        echo_json(data)
        return
    for name, d in data.items():
        click.echo(f"model = \"{name}\"")
        click.echo("  parameters ([fixed] or [sweep]; * = fixed only):")
        for p, info in d["parameters"].items():
            star = " " if info["sweepable"] else "*"
            click.echo(f"   {star} {p.lower():<10} {info['description']}")
        for section, key in (("quantities", "measure.quantities"), ("theory", "measure.theory")):
            click.echo(f"  {key}:")
            for q, info in d[section].items():
                units = f" [{info['units']}]" if info["units"] else ""
                click.echo(f"    {q:<14} {info['description']}{units}")
