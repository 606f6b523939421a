"""``ratenet ei ...``: the excitatory-inhibitory model (rates in Hz, time in ms)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import click
import numpy as np

from .._validation import ParameterError
from ._common import (
    check_plot_path,
    check_work,
    echo_json,
    fail,
    guarded,
    note,
    save_figure,
    show_progress,
)

#: Default cap on the values of one ``ei bifurcation`` (each is a fixed-point solve and,
#: with cycles, a limit-cycle search of up to a few seconds); ``--max-values`` raises it.
MAX_VALUES = 10_000

_MODEL_OPTIONS = (
    ("--m-ee", "M_EE", "weight onto E from E (>= 0)"),
    ("--m-ei", "M_EI", "weight onto E from I (<= 0)"),
    ("--m-ie", "M_IE", "weight onto I from E (>= 0)"),
    ("--m-ii", "M_II", "weight onto I from I (<= 0)"),
    ("--gamma-e", "gamma_E", "threshold of E (Hz)"),
    ("--gamma-i", "gamma_I", "threshold of I (Hz)"),
    ("--tau-e", "tau_E", "time constant of E (ms, > 0)"),
    ("--tau-i", "tau_I", "time constant of I (ms, > 0)"),
)


def _model_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add one option per model parameter; defaults are those of EIModel."""
    from ..models.ei import EIModel

    defaults = EIModel()
    for opt, name, help_ in reversed(_MODEL_OPTIONS):
        fn = click.option(opt, name, type=float, default=None, metavar="X",
                          help=f"{help_}; default {getattr(defaults, name):g}")(fn)
    return fn


def _build_model(params: dict[str, Any]):
    from ..models.ei import EIModel

    given = {k: v for k, v in params.items() if v is not None}
    return EIModel(**given)


def _split_model_params(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    names = {name for _, name, _ in _MODEL_OPTIONS}
    model = {k: kwargs.pop(k) for k in list(kwargs) if k in names}
    return model, kwargs


def _check_plot_path(path: str | None) -> None:
    check_plot_path("--plot", path)


def _save(fig, path: str) -> None:
    save_figure("--plot", fig, path, dpi=120, bbox_inches="tight")


_QUIET = click.option("--quiet", "-q", is_flag=True, help="No progress bar and no notes on "
                      "stderr.")


def _fixed_point_json(fp) -> dict[str, Any]:
    names = fp.names or ("E", "I")
    out: dict[str, Any] = {f"nu_{n}": float(v) for n, v in zip(names, fp.state)}
    out["eigenvalues"] = [[float(z.real), float(z.imag)] for z in fp.eigenvalues]
    out["type"] = fp.type
    out["stable"] = fp.stable
    out["trace"] = fp.trace
    out["determinant"] = fp.determinant
    if fp.active is not None:
        out["active"] = {n: bool(a) for n, a in zip(names, fp.active)}
    return out


def _cycle_json(cyc) -> dict[str, Any] | None:
    if cyc is None:
        return None
    d = cyc.to_dict()
    return {k: d[k] for k in ("period", "nu_E_min", "nu_E_max", "nu_I_min", "nu_I_max",
                              "stable", "floquet_multipliers")}


def _analysis(model) -> dict[str, Any]:
    import warnings

    from ..analysis import find_fixed_points, find_limit_cycle

    fps = find_fixed_points(model)
    degenerate = model.degeneracies() if hasattr(model, "degeneracies") else []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        # a degenerate flow (a zero eigenvalue) is slow to follow exactly: a shorter cap
        cyc = find_limit_cycle(model, max_seconds=2.0 if degenerate else 10.0)
    notes = [f"limit-cycle search: {w.message}" for w in caught
             if "find_limit_cycle stopped" in str(w.message)]
    if any(fp.type == "centre" for fp in fps) and cyc is None:
        notes.append("the fixed point is a centre of the linear system in its region: "
                     "the orbits around it close on themselves (a continuum, no isolated "
                     "limit cycle)")
    notes.extend(f"degenerate model: {d}" for d in degenerate)
    if not fps and cyc is None:
        cause = "see the degenerate structure above" if degenerate else model.divergence_cause()
        notes.append(f"no fixed point and no limit cycle: the rates grow without bound; {cause}")
    hopf = model.hopf_tau_I()
    return {"model": model.to_dict(), "fixed_points": fps, "limit_cycle": cyc,
            "hopf_tau_I": hopf, "notes": notes}


#: Seconds for the continuation of ``ei analyze`` (equilibria and cycles in tau_I).
ATTRACTOR_SECONDS = 6.0


def _cycles_at(model: Any, branches: list[Any], value: float, t_end: float) -> list[Any]:
    """Every cycle of ``branches`` at tau_I = ``value``, corrected there by shooting.

    Each crossing of ``value`` by a branch gives a guess (orbit point and period
    interpolated between the two neighbouring cycles), corrected by a short continuation
    started at ``value``; returns ``(branch, index)`` pairs of the corrected cycles,
    one per distinct period.
    """
    import time

    from ..continuation import ContinuationError
    from ..continuation.cycles import continue_cycles

    out: list[Any] = []
    for br in branches:
        v = br.values
        for j in range(len(br) - 1):
            a, b = float(v[j]), float(v[j + 1])
            if a == b or not min(a, b) <= value <= max(a, b) or time.monotonic() > t_end:
                continue
            w = (value - a) / (b - a)
            T = br.period[j] + w * (br.period[j + 1] - br.period[j])
            x0 = br.points[j] + w * (br.points[j + 1] - br.points[j])
            d = 1e-3 * abs(value)
            try:
                c = continue_cycles(model, "tau_I", value - d, value + d, cycle=(x0, T),
                                    max_steps=2, time_limit=max(t_end - time.monotonic(), 0.2))
            except (ContinuationError, ParameterError):
                continue
            k = int(np.argmin(np.abs(c.values - value)))
            if abs(c.values[k] - value) > 1e-9 * abs(value):
                continue
            if any(abs(o.period[i] - c.period[k]) <= 1e-6 * c.period[k] for o, i in out):
                continue
            out.append((c, k))
    return out


def _attractors(model: Any, fps: list[Any], cyc: Any) -> dict[str, Any]:
    """Coexisting attractors at the model's tau_I, from a local continuation in tau_I.

    Equilibria and every branch of cycles (stable and unstable: from the Hopf points
    and from simulation) are continued over tau_I in [min(tau_I, Hopf)/1.25,
    max(tau_I, Hopf) * 1.25] (``ATTRACTOR_SECONDS`` at most); the cycles the branches
    have at tau_I are corrected there by shooting.  A simulated cycle not on any
    branch is continued too.
    """
    import time

    from ..continuation import ContinuationError
    from ..continuation.cycles import all_cycle_branches, continue_cycles
    from ..continuation.equilibria import continue_equilibria

    t_end = time.monotonic() + ATTRACTOR_SECONDS
    v = float(model.tau_I)
    h = model.hopf_tau_I()
    ref = [v] + ([float(h)] if h is not None and math.isfinite(h) and h > 0 else [])
    lo, hi = min(ref) / 1.25, max(ref) * 1.25
    notes: list[str] = []
    branches: list[Any] = []
    try:
        eq = continue_equilibria(model, "tau_I", lo, hi, time_limit=0.3 * ATTRACTOR_SECONDS)
        hopf = [pt.value for pt in eq.points if "opf" in pt.kind]
        branches, more = all_cycle_branches(model, "tau_I", lo, hi, hopf=hopf, probes=2,
                                            time_limit=max(t_end - time.monotonic(), 0.2))
        notes.extend(more)
        if cyc is not None and not any(
                abs(c.period[k] - cyc.period) <= 1e-3 * cyc.period
                for c, k in _cycles_at(model, branches, v, t_end)):
            branches.append(continue_cycles(model, "tau_I", lo, hi, cycle=cyc,
                                            time_limit=max(t_end - time.monotonic(), 0.2)))
    except (ContinuationError, ParameterError) as exc:
        notes.append(f"continuation in tau_I over [{lo:.6g}, {hi:.6g}] ms stopped: {exc}")
    found = _cycles_at(model, branches, v, t_end)
    names = ("E", "I")
    attractors: list[dict[str, Any]] = []
    unstable: list[dict[str, Any]] = []
    for fp in fps:
        if fp.stable:
            attractors.append({"kind": fp.type, "state": {f"nu_{n}": float(x) for n, x in
                                                           zip(names, fp.state)},
                               "stable": True, "source": "fixed-point solve"})
        elif "degenerate" in fp.type:
            notes.append(f"the fixed point ({fp.state[0]:.6g}, {fp.state[1]:.6g}) Hz is "
                         f"{fp.type}: one Jacobian does not decide its stability, so it is "
                         "not listed as an attractor")
    for c, k in found:
        d: dict[str, Any] = {"kind": "limit cycle", "period": float(c.period[k]),
                             "stable": bool(c.stable[k])}
        for i, n in enumerate(names):
            d[f"nu_{n}_min"] = float(c.minimum[k, i])
            d[f"nu_{n}_max"] = float(c.maximum[k, i])
        d["floquet_multipliers"] = [[float(z.real), float(z.imag)] for z in c.multipliers[k]]
        d["source"] = "continuation"
        (attractors if c.stable[k] else unstable).append(d)
    if cyc is not None and cyc.stable and not any(
            a["kind"] == "limit cycle" and abs(a["period"] - cyc.period) <= 1e-3 * cyc.period
            for a in attractors):
        # simulation found a stable cycle the continuation did not reach: still name it
        d = {k: v for k, v in cyc.to_dict().items()
             if k in ("period", "nu_E_min", "nu_E_max", "nu_I_min", "nu_I_max",
                      "floquet_multipliers")}
        attractors.append({"kind": "limit cycle", **d, "stable": True, "source": "simulation"})
        notes.append("the stable cycle found by simulation is not on a continued branch")
    if time.monotonic() > t_end:
        notes.append(f"the continuation reached its time cap ({ATTRACTOR_SECONDS:g} s): "
                     "cycles may be missing")
    return {"attractors": attractors, "unstable_cycles": unstable,
            "multistability": _attractor_sentence(attractors, unstable),
            "attractor_notes": notes, "continuation_range": [lo, hi]}


def _attractor_sentence(att: list[dict[str, Any]], unstable: list[dict[str, Any]]) -> str:
    def cycle(d: dict[str, Any]) -> str:
        return f"{'a stable' if d['stable'] else 'an unstable'} limit cycle " \
               f"(period {d['period']:.6g} ms)"

    def point(d: dict[str, Any]) -> str:
        s = d["state"]
        return f"a {d['kind']} at ({s['nu_E']:.6g}, {s['nu_I']:.6g}) Hz"

    fps = [d for d in att if d["kind"] != "limit cycle"]
    cycles = [d for d in att if d["kind"] == "limit cycle"]
    if not att:
        return "no attractor found (continuation and fixed-point solve)"
    if len(att) == 1:
        return "one attractor: " + (point(fps[0]) if fps else cycle(cycles[0]))
    head = "bistable" if len(att) == 2 else f"multistable ({len(att)} attractors)"
    parts = []
    for f in fps:
        s = f["state"]
        around = [c for c in cycles if c["nu_E_min"] <= s["nu_E"] <= c["nu_E_max"]
                  and c["nu_I_min"] <= s["nu_I"] <= c["nu_I_max"]]
        parts.append(point(f) + (" inside " + " and ".join(cycle(c) for c in around)
                                 if around else ""))
    inside = {id(c) for f in fps for c in cycles
              if c["nu_E_min"] <= f["state"]["nu_E"] <= c["nu_E_max"]
              and c["nu_I_min"] <= f["state"]["nu_I"] <= c["nu_I_max"]}
    parts += [cycle(c) for c in cycles if id(c) not in inside]
    text = f"{head}: " + ", ".join(parts)
    if unstable:
        text += ", separated by " + " and ".join(cycle(u) for u in unstable)
    return text


def _fmt_eig(z: complex) -> str:
    if abs(z.imag) < 1e-15:
        return f"{z.real:.6g}"
    return f"{z.real:.6g} {'+' if z.imag >= 0 else '-'} {abs(z.imag):.6g}i"


@click.group()
def ei() -> None:
    """The excitatory-inhibitory model: fixed points, phase plane, cycles, bifurcations.

    \b
    tau_E dnu_E/dt = -nu_E + [M_EE nu_E + M_EI nu_I - gamma_E]_+
    tau_I dnu_I/dt = -nu_I + [M_IE nu_E + M_II nu_I - gamma_I]_+
    (M_XY: weight onto X from Y; rates in Hz, time in ms)
    """


def _guard_model(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(**kwargs: Any) -> Any:
        return guarded(fn)(**kwargs)

    return wrapper


@ei.command("analyze")
@_model_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_QUIET
@_guard_model
def analyze_command(as_json: bool, quiet: bool, **kwargs: Any) -> None:
    """Fixed points (rates, eigenvalues in 1/ms, type) and the limit cycle.

    \b
    Example:
      ratenet ei analyze --tau-i 50 --json
    """
    params, _ = _split_model_params(kwargs)
    model = _build_model(params)
    res = _analysis(model)
    att = _attractors(model, res["fixed_points"], res["limit_cycle"])
    if as_json:
        echo_json({"model": res["model"],
                   "fixed_points": [_fixed_point_json(fp) for fp in res["fixed_points"]],
                   "limit_cycle": _cycle_json(res["limit_cycle"]),
                   "hopf_tau_I": res["hopf_tau_I"], "notes": res["notes"],
                   "attractors": att["attractors"], "unstable_cycles": att["unstable_cycles"],
                   "multistability": att["multistability"],
                   "attractor_notes": att["attractor_notes"]})
        return
    p = res["model"]
    unit = {"gamma_E": " Hz", "gamma_I": " Hz", "tau_E": " ms", "tau_I": " ms"}
    click.echo("E-I model: " + ", ".join(f"{k} = {p[k]:g}{unit.get(k, '')}"
                                         for k in model.PARAMETERS))
    fps = res["fixed_points"]
    click.echo(f"{len(fps)} fixed point{'s' if len(fps) != 1 else ''}"
               f"{':' if fps else ''}")
    for fp in fps:
        eig = ", ".join(_fmt_eig(z) for z in fp.eigenvalues)
        silent = f"; silent: {', '.join(fp.silent)}" if fp.silent else ""
        click.echo(f"  nu_E = {fp.state[0]:.6g} Hz, nu_I = {fp.state[1]:.6g} Hz: {fp.type} "
                   f"(eigenvalues {eig} 1/ms{silent})")
    cyc = res["limit_cycle"]
    if cyc is None:
        click.echo("no limit cycle")
    else:
        click.echo(f"limit cycle ({'stable' if cyc.stable else 'unstable'}): period "
                   f"{cyc.period:.6g} ms, nu_E in [{cyc.minimum[0]:.6g}, {cyc.maximum[0]:.6g}] "
                   f"Hz, nu_I in [{cyc.minimum[1]:.6g}, {cyc.maximum[1]:.6g}] Hz")
    if res["hopf_tau_I"] is not None:
        click.echo(f"both-active fixed point loses stability at tau_I = "
                   f"{res['hopf_tau_I']:.6g} ms (trace of the Jacobian = 0)")
    for remark in res["notes"]:
        note(f"note: {remark}")
    lo, hi = att["continuation_range"]
    click.echo(f"attractors (continuation in tau_I over [{lo:.6g}, {hi:.6g}] ms): "
               f"{att['multistability']}")
    for remark in att["attractor_notes"]:
        note(f"note: {remark}")


def _parse_x0(values: tuple[str, ...]) -> list[np.ndarray]:
    out = []
    for v in values:
        try:
            parts = [float(s) for s in v.replace(" ", "").split(",")]
        except ValueError:
            parts = []
        if len(parts) != 2 or not all(math.isfinite(x) and x >= 0 for x in parts):
            fail(f"--x0: expected NU_E,NU_I with two finite rates >= 0 in Hz, e.g. --x0 25,25 "
                 f"(got {v!r})")
        out.append(np.array(parts))
    return out


@ei.command("phase-plane")
@_model_options
@click.option("--plot", "plot", type=click.Path(dir_okay=False), required=True,
              metavar="FILE.png", help="Write the figure here.")
@click.option("--x0", "x0", multiple=True, metavar="NU_E,NU_I",
              help="Starting rates (Hz) of a trajectory; repeatable. Default: 25,25 and 50,60.")
@click.option("--t-max", type=float, default=1500.0, show_default=True,
              help="Duration of each trajectory (ms).")
@click.option("--json", "as_json", is_flag=True, help="Also print the analysis as JSON.")
@_QUIET
@_guard_model
def phase_plane_command(plot: str, x0: tuple[str, ...], t_max: float, as_json: bool,
                        quiet: bool, **kwargs: Any) -> None:
    """Phase plane: nullclines, flow field, fixed points by type, trajectories, the cycle.

    \b
    Example:
      ratenet ei phase-plane --tau-i 50 --plot phase.png
    """
    from ..analysis import trajectory

    params, _ = _split_model_params(kwargs)
    model = _build_model(params)
    _check_plot_path(plot)
    starts = _parse_x0(x0) if x0 else [np.array([25.0, 25.0]), np.array([50.0, 60.0])]
    if not (math.isfinite(t_max) and t_max > 0):
        fail(f"--t-max: must be a finite number > 0 (got {t_max!r})")
    res = _analysis(model)
    trajs = []
    for s in starts:
        tr = trajectory(model, s, t_max=t_max)  # exact for threshold-linear transfer
        if not tr.ok:
            note(f"warning: trajectory from ({s[0]:g}, {s[1]:g}) Hz: {tr.message}")
        trajs.append(tr)
    from ..plotting.ei import phase_plane_figure

    fig = phase_plane_figure(model, trajectories=trajs, cycle=res["limit_cycle"],
                             fixed_points=res["fixed_points"])
    _save(fig, plot)
    if as_json:
        echo_json({"model": res["model"],
                   "fixed_points": [_fixed_point_json(fp) for fp in res["fixed_points"]],
                   "limit_cycle": _cycle_json(res["limit_cycle"]), "plot": plot})
    else:
        for fp in res["fixed_points"]:
            click.echo(f"fixed point ({fp.state[0]:.6g}, {fp.state[1]:.6g}) Hz: {fp.type}")
        cyc = res["limit_cycle"]
        click.echo("no limit cycle" if cyc is None else
                   f"limit cycle: period {cyc.period:.6g} ms")


def _continued_cycles(model: Any, name: str, start: float, stop: float, diagram: Any,
                      no_cycles: bool) -> tuple[list[Any] | None, list[tuple[float, float]]]:
    """Every branch of cycles by continuation (from the Hopf points and from cycles that
    simulation finds), and where a stable equilibrium and a stable cycle coexist."""
    if no_cycles:
        return None, []
    from ..continuation import ContinuationError
    from ..continuation.cycles import all_cycle_branches, bistable_intervals

    try:
        cycles, notes = all_cycle_branches(model, name, start, stop,
                                           hopf=[p.value for p in diagram.hopf])
        bistable = bistable_intervals(model, name, start, stop, cycles,
                                      breakpoints=[p.value for p in diagram.points])
    except ContinuationError as err:
        fail(f"continuation of the limit cycles failed: {err}", code=1)
    for msg in notes:
        note(f"note: {msg}")
    return cycles, bistable


def _cycle_points(cycles: list[Any]) -> list[dict[str, Any]]:
    """The special points of the cycle branches as ``points`` entries."""
    out = []
    for k, br in enumerate(cycles):
        for sp in br.special:
            d = sp.to_dict()
            d["branches"] = [f"cycles {k}"]
            d["frequency"] = None
            out.append(d)
    return out


def _math_name(name: str) -> str:
    from ..plotting.ei import _math_name as math_name

    return math_name(name)


def _grid_equilibria(diagram: Any) -> Any:
    """The grid scan's fixed-point branches in the form the continuation figure draws."""
    from types import SimpleNamespace

    branches = [SimpleNamespace(values=diagram.values[b.exists], states=b.states[b.exists],
                                stable=b.stable[b.exists], eigenvalues=b.eigenvalues[b.exists])
                for b in diagram.branches if np.any(b.exists)]
    # a threshold-linear 'hopf' is a linear centre: one name (and marker) with the cycles'
    pl = any(b.active is not None for b in diagram.branches)
    points = [SimpleNamespace(kind="non-smooth Hopf (linear centre)" if pl and p.kind == "hopf"
                              else p.kind, value=p.value, state=p.state)
              for p in diagram.points]
    return SimpleNamespace(param=diagram.param, names=diagram.names, branches=branches,
                           points=points)


@ei.command("bifurcation")
@click.option("--param", "param", required=True, metavar="NAME",
              help="Parameter to vary: M_EE, M_EI, M_IE, M_II, gamma_E, gamma_I, tau_E or "
                   "tau_I (any letter case).")
@click.option("--start", type=float, required=True, help="First value.")
@click.option("--stop", type=float, required=True, help="Last value.")
@click.option("--num", type=int, default=101, show_default=True, help="Number of values.")
@click.option("--no-cycles", is_flag=True, help="Skip the limit cycles (fixed points only).")
@_model_options
@click.option("--json", "as_json", is_flag=True, help="Print the diagram as JSON.")
@click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None,
              metavar="FILE.png", help="Write the diagram here: E and I (equilibria, cycle "
                                       "min/max; stable solid, unstable dashed) and periods.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no notes on stderr.")
@click.option("--max-values", "max_values", type=int, default=MAX_VALUES, show_default=True,
              help="Refuse a --num above this (each value costs a fixed-point solve); raise "
                   "it for finer fixed-point branches.")
@click.option("--param2", "param2", default=None, metavar="NAME",
              help="A second parameter: add the two-parameter curves of Hopf points, folds "
                   "and border collisions ('curves' in the JSON); with --plot, draw the "
                   "two-parameter diagram instead.")
@click.option("--start2", type=float, default=None, help="First value of --param2.")
@click.option("--stop2", type=float, default=None, help="Last value of --param2.")
@_guard_model
def bifurcation_command(param: str, start: float, stop: float, num: int, no_cycles: bool,
                        as_json: bool, plot: str | None, quiet: bool, max_values: int,
                        param2: str | None, start2: float | None, stop2: float | None,
                        **kwargs: Any) -> None:
    """Fixed-point branches, Hopf points, border collisions and cycles along one parameter.

    The fixed points are exact on the grid of --num values; the limit cycles, stable and
    unstable, are continued (from each Hopf point and from the cycles simulation finds),
    with their folds, grazings and ends ('cycles', 'points', 'bistable' in the JSON).

    With --param2 Q --start2 C --stop2 D: also the curves of special points in the
    plane of the two parameters (continued, not scanned), and --plot draws them over the
    regions (stable equilibrium, stable cycle, bistable) that one-parameter
    continuations along a few rows of Q find.

    \b
    Example:
      ratenet ei bifurcation --param tau_I --start 20 --stop 100 --num 200 --plot bif.png
      ratenet ei bifurcation --param tau_I --start 40 --stop 80 --param2 M_EE \\
          --start2 1.1 --stop2 1.6 --m-ii -0.5 --json
    """
    from ..analysis import bifurcation_diagram
    from ..models.ei import EIModel

    params, _ = _split_model_params(kwargs)
    model = _build_model(params)
    try:
        name = EIModel.parameter_name(param)
    except ParameterError as err:
        fail(f"--param: {err}")
    if num < 2:
        fail(f"--num: must be an integer >= 2 (got {num})")
    check_work("ei bifurcation", num, max_values, "--max-values",
               f"--num {num}: one fixed-point solve per value", unit="values")
    if not stop > start:
        fail(f"--stop: must be greater than --start = {start:g} (got {stop:g})")
    for opt, v in (("--start", start), ("--stop", stop)):
        try:
            model.replace(**{name: v})
        except ParameterError as err:
            fail(f"{opt}: {err}")
    name2 = _check_param2(model, name, param2, start2, stop2)
    _check_plot_path(plot)
    values = np.linspace(start, stop, num)
    diagram = bifurcation_diagram(model, name, values, cycles=False,
                                  progress=show_progress(quiet))
    cycles, bistable = _continued_cycles(model, name, start, stop, diagram, no_cycles)
    curves = fold_curve = None
    if name2 is not None and start2 is not None and stop2 is not None:
        if cycles and any(br.points_of("fold of cycles") for br in cycles):
            fold_curve = _cycle_fold_curve(model, name, start, stop, name2, start2, stop2,
                                           cycles)
        curves = _two_parameter(model, name, start, stop, name2, start2, stop2, plot, quiet,
                                regions=not no_cycles, fold_of_cycles=fold_curve)
    if plot is not None and curves is None:
        from ..plotting.continuation import continuation_figure

        _save(continuation_figure(cycles or [], _grid_equilibria(diagram),
                                  title=f"varying {_math_name(name)}"), plot)
    if as_json:
        out = diagram.to_dict()
        out["cycles"] = None if cycles is None else [b.to_dict() for b in cycles]
        if cycles:
            out["points"] = sorted(out["points"] + _cycle_points(cycles),
                                   key=lambda d: d["value"])
        out["bistable"] = [[float(a), float(b)] for a, b in bistable]
        if curves is not None:
            out["curves"] = curves.to_dict()["curves"]
            if fold_curve is not None:
                out["curves"].append(fold_curve)
        echo_json(out)
        return
    click.echo(f"{name} from {start:g} to {stop:g} ({num} values); "
               f"{len(diagram.branches)} fixed-point branch(es)")
    for b in diagram.branches:
        vals = diagram.values[b.exists]
        n_st = int(np.sum(b.stable & b.exists))
        click.echo(f"  {b.label}: exists for {name} in [{vals[0]:.6g}, {vals[-1]:.6g}], stable "
                   f"at {n_st} of {vals.size} values")
    if not diagram.points:
        click.echo("no bifurcation point in the range")
    for p in diagram.points:
        extra = f", unit {p.unit}" if p.unit else ""
        if p.kind == "hopf":
            extra += f", frequency {p.frequency:.6g} rad/ms"
        state = ", ".join(f"{v:.6g}" for v in p.state)
        click.echo(f"  {p.kind} at {name} = {p.value:.10g} ({p.method}{extra}); fixed point "
                   f"({state}) Hz")
    if cycles is not None:
        if not cycles:
            click.echo("no limit cycle in the range")
        for k, br in enumerate(cycles):
            lo, hi = br.range()
            n_st, n_neu = int(np.sum(br.stable)), int(np.sum(br.neutral))
            neutral = f", {n_neu} neutral (a continuum of closed orbits)" if n_neu else ""
            click.echo(f"cycle branch {k}: {name} in [{lo:.6g}, {hi:.6g}] (continuation), "
                       f"{len(br)} cycles, {n_st} stable, {len(br) - n_st - n_neu} unstable"
                       f"{neutral}; period "
                       f"{np.min(br.period):.6g} to {np.max(br.period):.6g} ms; ends: "
                       f"{br.status[0]}, {br.status[1]}")
            for sp in br.special:
                unit = f", unit {sp.unit}" if sp.unit else ""
                click.echo(f"  {sp.kind} at {name} = {sp.value:.10g} (period {sp.period:.6g} "
                           f"ms{unit})")
        for v0, v1 in bistable:
            click.echo(f"bistable for {name} in [{v0:.10g}, {v1:.10g}]: a stable equilibrium "
                       f"and a stable cycle coexist")
    if curves is not None:
        n_curves = len(curves.curves) + (fold_curve is not None)
        click.echo(f"{n_curves} curve(s) of special points in ({name}, {name2}):")
        for cv in curves.curves:
            unit = f" of unit {cv.unit}" if cv.unit else ""
            click.echo(f"  {cv.kind}{unit}: {len(cv)} points, {name} in "
                       f"[{np.min(cv.P):.6g}, {np.max(cv.P):.6g}], {name2} in "
                       f"[{np.min(cv.Q):.6g}, {np.max(cv.Q):.6g}] (ends: {', '.join(cv.ends)})")
        if fold_curve is not None:
            assert name2 is not None
            P, Q = fold_curve[name], fold_curve[name2]
            click.echo(f"  fold of cycles: {len(P)} points, {name} in [{min(P):.6g}, "
                       f"{max(P):.6g}], {name2} in [{min(Q):.6g}, {max(Q):.6g}] "
                       f"({fold_curve['message']})")


def _cycle_fold_curve(model: Any, name: str, start: float, stop: float, name2: str,
                      start2: float, stop2: float, cycles: Any = ()) -> dict[str, Any] | None:
    """The fold-of-cycles curve through the model's own fold, or None (with a note).

    The curve starts from a cycle of the model at its own value of ``name``; when that
    value lies outside [start, stop], from a stable cycle of the branch with the fold
    (the median of its stable values).  The curve stops on the edges of the box."""
    from .._validation import ParameterError as _PE
    from ..continuation import ContinuationError
    from ..continuation.cycle_folds import continue_cycle_folds

    if not start <= float(getattr(model, name)) <= stop:
        for br in cycles or ():
            if br.points_of("fold of cycles") and np.any(br.stable):
                model = model.replace(**{name: float(np.median(br.values[br.stable]))})
                break

    try:
        return continue_cycle_folds(model, name, start, stop, name2, start2, stop2,
                                    time_limit=TWO_PARAMETER_SECONDS)
    except (_PE, ContinuationError) as err:
        note(f"note: no fold-of-cycles curve: {err}")
        return None


def _check_param2(model: Any, name: str, param2: str | None, start2: float | None,
                  stop2: float | None) -> str | None:
    """The canonical name of --param2 (None without it); exit 2 on bad input."""
    from ..models.ei import EIModel

    if param2 is None:
        for opt, v in (("--start2", start2), ("--stop2", stop2)):
            if v is not None:
                fail(f"{opt}: needs --param2 (the second parameter to vary)")
        return None
    try:
        name2 = EIModel.parameter_name(param2)
    except ParameterError as err:
        fail(f"--param2: {err}")
    if name2 == name:
        fail(f"--param2: must differ from --param = {name} (got {param2!r})")
    if start2 is None or stop2 is None:
        fail("--start2/--stop2: both are needed with --param2")
    if not (math.isfinite(start2) and math.isfinite(stop2)):
        fail(f"--start2/--stop2: must be finite numbers (got {start2:g}, {stop2:g})")
    if not stop2 > start2:
        fail(f"--stop2: must be greater than --start2 = {start2:g} (got {stop2:g})")
    for opt, v in (("--start2", start2), ("--stop2", stop2)):
        try:
            model.replace(**{name2: v})
        except ParameterError as err:
            fail(f"{opt}: {err}")
    return name2


#: Seconds for the two-parameter curves and, with --plot, for the regions' rows.
TWO_PARAMETER_SECONDS = 60.0
#: Cells per row of the regions (a fixed-point solve each, ~2 ms): their width is how far
#: a drawn region boundary may sit from the curve it follows.
TWO_PARAMETER_COLUMNS = 161
#: Values of Q where one-parameter runs in P start the two-parameter curves.
TWO_PARAMETER_SEEDS = 11


def _two_parameter(model: Any, name: str, start: float, stop: float, name2: str,
                   start2: float, stop2: float, plot: str | None, quiet: bool, *,
                   regions: bool = True, fold_of_cycles: Any = None) -> Any:
    """The special-point curves; with ``plot``, the figure (over the regions unless
    ``regions`` is False: --no-cycles, the regions need the cycles; with the
    fold-of-cycles curve when given)."""
    from ..continuation import ContinuationError
    from ..continuation.two_parameter import continue_special_curves

    # seeds: one-parameter runs in P at this many values of Q; a curve that crosses the
    # box only between seed rows would be missed (3, the default, misses the Hopf curve
    # of EIModel() in tau_I [40, 80] x M_EE [1.1, 2]); each run costs a few ms
    try:
        curves = continue_special_curves(model, name, start, stop, name2, start2, stop2,
                                         seeds=TWO_PARAMETER_SEEDS,
                                         time_limit=TWO_PARAMETER_SECONDS)
    except (ParameterError, ContinuationError) as err:
        # the box was checked above: an error here is the continuation's, not the input's
        fail(f"the two-parameter continuation in ({name}, {name2}) failed: {err}", code=1)
    if plot is not None:
        from ..plotting.bifurcation2d import classify_regions, two_parameter_figure

        grid = None
        if regions:
            if not quiet:
                note("classifying the regions: one continuation of equilibria and cycles per "
                     f"row of {name2} (7 rows, at most {TWO_PARAMETER_SECONDS:g} s)")
            grid = classify_regions(model, name, start, stop, name2, start2, stop2,
                                    num=TWO_PARAMETER_COLUMNS, rows=7,
                                    time_limit=TWO_PARAMETER_SECONDS)
            for remark in grid.notes:
                if not quiet:
                    note(f"regions: {remark}")
        _save(two_parameter_figure(curves, grid, fold_of_cycles=fold_of_cycles), plot)
    return curves
