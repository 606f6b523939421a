"""``ratenet ring-ei ...``: the E-I ring (theory per Fourier mode, simulation, phase diagram).

Defaults (one set for every command): the E-I pair of the tutorial's part 2 as mode 0
(``J_EE0 = 1.25, J_EI0 = -1, J_IE0 = 1, J_II0 = 0, h_E = 10, h_I = -10``: the E-I model's
``M_XY`` and ``gamma_X = -h_X``, ``tau_E = 10``, ``tau_I = 30`` ms), with tuned excitation and
tuned inhibition as mode 1 (``J_EE1 = 3, J_EI1 = -2, J_IE1 = 2, J_II1 = 0``).  The uniform
state is (80/3, 50/3) Hz; mode 0 has its Hopf point at tau_I = 40 ms (as in part 2) and
mode 1 at tau_I = 20 ms, so at the default tau_I = 30 ms the uniform state loses stability
to mode 1 alone, through a Hopf point: a travelling wave (about 0.036 rad/ms at N = 256).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import click

from .._validation import ParameterError
from ._common import (
    check_memory,
    check_output_path,
    check_plot_path,
    check_work,
    echo_json,
    fail,
    max_work_option,
    note,
    parameter_error,
    save_figure,
    show_progress,
    to_jsonable,
    write_atomic,
)

__all__ = ["DEFAULTS", "OPTION_OF", "ring_ei"]

#: Model defaults shared by every ``ring-ei`` command (see the module docstring).
DEFAULTS: dict[str, float] = {
    "J_EE0": 1.25, "J_EE1": 3.0, "J_EI0": -1.0, "J_EI1": -2.0,
    "J_IE0": 1.0, "J_IE1": 2.0, "J_II0": 0.0, "J_II1": 0.0,
    "h_E": 10.0, "h_I": -10.0, "eps_E": 0.0, "eps_I": 0.0,
    "tau_E": 10.0, "tau_I": 30.0, "J_A": 0.0, "tau_A": 100.0,
}

DEFAULTS_HELP = (
    "Defaults: mode 0 is the E-I pair of the tutorial's part 2 (J_EE0 = 1.25, J_EI0 = -1, "
    "J_IE0 = 1, J_II0 = 0, h_E = 10, h_I = -10, tau_E = 10 ms: Hopf point at tau_I = 40 ms); "
    "mode 1 has tuned E and I couplings (J_EE1 = 3, J_EI1 = -2, J_IE1 = 2, J_II1 = 0: Hopf "
    "point at tau_I = 20 ms). At the default tau_I = 30 ms only mode 1 is unstable: a "
    "travelling wave.")

#: CLI option of each model parameter (ParameterError names -> options).
OPTION_OF: dict[str, str] = {
    **{f"J_{p}{k}": f"--j{p.lower()}{k}" for p in ("EE", "EI", "IE", "II") for k in (0, 1)},
    "h_E": "--h-e", "h_I": "--h-i", "eps_E": "--eps-e", "eps_I": "--eps-i",
    "tau_E": "--tau-e", "tau_I": "--tau-i", "J_A": "--j-a", "tau_A": "--tau-a", "N": "--n",
    "theta0": "--theta0", "t_max": "--t-max", "window": "--window", "dt": "--dt", "seed": "--seed",
    "x_param": "--x", "y_param": "--y", "x": "--x-range", "y": "--y-range",
    "t_transient": "--t-transient", "t_window": "--t-window", "record_dt": "--record-dt",
}

_HELP = {
    "J_EE": "onto E from E (>= 0)", "J_EI": "onto E from I (<= 0)",
    "J_IE": "onto I from E (>= 0)", "J_II": "onto I from I (<= 0)",
}

#: Default cap on one ``ring-ei simulate`` or ``phase-diagram`` (unit-steps: 2N x steps x
#: cells), about a minute on one core.
MAX_WORK = 2e11


def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A ParameterError inside the command becomes one line naming the CLI option (exit 2)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ParameterError as err:
            parameter_error(err, OPTION_OF)

    return wrapper


def _model_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    opts = []
    for pair in ("EE", "EI", "IE", "II"):
        for k in (0, 1):
            name = f"J_{pair}{k}"
            part = "uniform part" if k == 0 else "cos(theta - theta') part"
            opts.append(click.option(OPTION_OF[name], name, type=float, default=DEFAULTS[name],
                                     show_default=True,
                                     help=f"{name}: {part} of the coupling {_HELP[name[:4]]}."))
    opts += [
        click.option("--h-e", "h_E", type=float, default=DEFAULTS["h_E"], show_default=True,
                     help="Uniform input to E, h_E (Hz with the default transfer)."),
        click.option("--h-i", "h_I", type=float, default=DEFAULTS["h_I"], show_default=True,
                     help="Uniform input to I, h_I."),
        click.option("--eps-e", "eps_E", type=float, default=0.0, show_default=True,
                     help="Tuned input to E, eps_E cos(theta - theta0) (>= 0)."),
        click.option("--eps-i", "eps_I", type=float, default=0.0, show_default=True,
                     help="Tuned input to I (>= 0)."),
        click.option("--theta0", "theta0", type=float, default=0.0, show_default=True,
                     help="Stimulus direction theta0 (radians)."),
        click.option("--tau-e", "tau_E", type=float, default=DEFAULTS["tau_E"],
                     show_default=True, help="E time constant tau_E (ms, > 0)."),
        click.option("--tau-i", "tau_I", type=float, default=DEFAULTS["tau_I"],
                     show_default=True, help="I time constant tau_I (ms, > 0)."),
        click.option("--j-a", "J_A", type=float, default=0.0, show_default=True,
                     help="Adaptation strength on E, J_A (>= 0; 0: none)."),
        click.option("--tau-a", "tau_A", type=float, default=DEFAULTS["tau_A"],
                     show_default=True, help="Adaptation time constant tau_A (ms, > 0)."),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar and no notes on "
                     "stderr."),
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


_MODEL_KEYS = tuple(DEFAULTS) + ("theta0",)


#: Largest rate scale |J| / tau (1/ms) the commands accept: the mode Jacobians and their
#: eigenvalues (squares of it appear) stay finite in float64.
RATE_SCALE_MAX = 1e150


def _model(params: dict[str, Any], N: int = 256) -> Any:
    from ..models.ei_ring import EIRingModel

    model = EIRingModel(**{k: params[k] for k in _MODEL_KEYS}, N=N)
    _check_scales(model)
    return model


def _check_scales(model: Any, options: dict[str, str] | None = None) -> None:
    """Refuse (exit 2, naming the option) parameters whose Jacobian entries overflow.

    ``options`` maps a parameter to the option to name (default ``OPTION_OF``)."""
    opts = {**OPTION_OF, **(options or {})}
    taus = {"tau_E": model.tau_E, "tau_I": model.tau_I, "tau_A": model.tau_A}
    couplings = {k: abs(getattr(model, k)) for k in DEFAULTS if k.startswith("J_")}
    couplings["h_E"], couplings["h_I"] = abs(model.h_E), abs(model.h_I)
    couplings["eps_E"], couplings["eps_I"] = model.eps_E, model.eps_I
    big_name, big = max(couplings.items(), key=lambda kv: kv[1])
    tau_name, tau = min(taus.items(), key=lambda kv: kv[1])
    if not 1.0 / tau < RATE_SCALE_MAX:
        fail(f"{opts[tau_name]}: {tau_name} = {tau:g} ms is too small: rates of 1/{tau_name}"
             f" would exceed {RATE_SCALE_MAX:g}/ms (use {tau_name} >= {1 / RATE_SCALE_MAX:g})")
    slow_name, slow = max(taus.items(), key=lambda kv: kv[1])
    if not slow <= RATE_SCALE_MAX:
        fail(f"{opts[slow_name]}: {slow_name} = {slow:g} ms is too large: time constants "
             f"up to {RATE_SCALE_MAX:g} ms are accepted (ratios of them stay finite)")
    if not (1.0 + big) / tau < RATE_SCALE_MAX:
        fail(f"{opts[big_name]}: |{big_name}| = {big:g} with {tau_name} = {tau:g} ms gives "
             f"rates above {RATE_SCALE_MAX:g}/ms; use smaller values")


def _num(v: Any, digits: int = 6) -> str:
    if v is None:
        return "-"
    if isinstance(v, complex):
        re_, im = _num(v.real, digits), abs(v.imag)
        if im < 1e-12 * max(1.0, abs(v)):
            return re_
        return f"{re_} {'+' if v.imag > 0 else '-'} {_num(im, digits)}i"
    f = float(v)
    if not math.isfinite(f):
        return "-"
    return "0" if abs(f) < 1e-12 else f"{f:.{digits}g}"


def _theory_dict(model: Any) -> dict[str, Any]:
    """``analyze(model).to_dict()`` plus, when mode 1 loses stability through a real
    eigenvalue (one harmonic), the stationary bump under "bump" (else null)."""
    from ..theory.ei_ring import analyze

    d = analyze(model).to_dict()
    inst = d["instability"]
    d["bump"] = (_bump_dict(model) if inst["mode"] == 1 and inst["kind"] == "real"
                 and not model.J_higher else None)
    return d


def _bump_dict(model: Any) -> dict[str, Any] | None:
    """The stationary bump (``theory.ei_ring.bump_state``) and the adaptation strength at
    which it starts to drift (``drift_J_A``), or None when there is none."""
    from ..theory.ei_ring import bump_state, drift_J_A

    try:
        b = bump_state(model)
        if b is None:
            return None
        ja = drift_J_A(model.replace(J_A=0.0))
    except (ParameterError, ValueError, RuntimeError):
        return None
    return {"theta_c_E": float(b.theta_c[0]), "theta_c_I": float(b.theta_c[1]),
            "R0_E": float(b.R0[0]), "R0_I": float(b.R0[1]), "drifting": b.drifting,
            "drift_J_A": ja}


@click.group("ring-ei", epilog=DEFAULTS_HELP)
def ring_ei() -> None:
    """The E-I ring: an E and an I ring of units coupled by cosine kernels.

    Each Fourier mode k of the rates is an E-I pair: mode 0 oscillates in bulk past its
    Hopf point, mode 1 forms a stationary bump (real instability) or travelling /
    standing waves (Hopf).  Time in ms, rates in Hz, eigenvalues in 1/ms.

    \b
    Examples:
      ratenet ring-ei theory --json
      ratenet ring-ei simulate --tau-i 30 --plot wave.png --json
      ratenet ring-ei phase-diagram --x jee1 --y tau_i --plot map.png
    """


# ------------------------------------------------------------------ theory
@ring_ei.command("theory", epilog=DEFAULTS_HELP)
@_model_options
@_guarded
def theory_cmd(as_json: bool, quiet: bool, **params: Any) -> None:
    """Uniform state and per-mode linear stability (threshold-linear f, N -> infinity).

    For each Fourier mode k (0 and 1) the eigenvalues of its Jacobian about the uniform
    state, and the tau_I of its Hopf point (null when the mode has none); then which mode
    loses stability and how (kind "real" or "hopf"; null when the uniform state is
    stable).  The JSON has "uniform" {m_E, m_I, ...}, "modes" [{k, eigenvalues as
    [re, im] pairs, hopf_tau_I, hopf_frequency, ...}], "instability" {mode, kind,
    pattern, growth_rate} and "first_hopf".

    \b
    Example:
      ratenet ring-ei theory --tau-i 30 --json
    """
    model = _model(params)
    d = _theory_dict(model)
    if as_json:
        echo_json(d)
        return
    u, inst = d["uniform"], d["instability"]
    rows = [("uniform state", f"m_E = {_num(u['m_E'])} Hz, m_I = {_num(u['m_I'])} Hz "
                              f"({u['kind']})")]
    if u["m1_E"] or u["m1_I"]:
        rows.append(("tuned part", f"m1_E = {_num(u['m1_E'])}, m1_I = {_num(u['m1_I'])} Hz"
                     + ("" if u["exact"] else "  (part of a population silent: linear "
                        "formula only)")))
    for m in d["modes"]:
        ev = ", ".join(_num(complex(*z), 4) for z in m["eigenvalues"])
        hopf = ("no Hopf point in tau_I" if m["hopf_tau_I"] is None else
                f"Hopf at tau_I = {_num(m['hopf_tau_I'])} ms, "
                f"omega = {_num(m['hopf_frequency'], 4)} rad/ms")
        rows.append((f"mode {m['k']}", f"{'stable' if m['stable'] else 'unstable'}; "
                     f"eigenvalues {ev} 1/ms; {hopf}"))
    if inst["mode"] is None:
        rows.append(("instability", "none: the uniform state is stable"))
    else:
        rows.append(("instability", f"mode {inst['mode']} ({inst['kind']}): "
                     f"{inst['pattern']}, growth rate {_num(inst['growth_rate'], 4)} 1/ms"))
    b = d.get("bump")
    if b:
        drift = ("no drift threshold found" if b["drift_J_A"] is None else
                 f"drifts for J_A > {_num(b['drift_J_A'])}")
        rows.append(("bump", f"theta_c = {_num(b['theta_c_E'])} rad (E), mean rates "
                     f"{_num(b['R0_E'])} / {_num(b['R0_I'])} Hz; "
                     f"{'drifting' if b['drifting'] else 'stationary'} ({drift})"))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        click.echo(f"{k:<{width}}  {v}")
    if not u["exact"]:
        note("note: with this tuned input part of a population is silent; the per-mode "
             "theory is only indicative")


# ------------------------------------------------------------------ simulate
def _check_times(t_max: float, dt: float) -> tuple[float, float]:
    from .._validation import check_positive

    t_max, dt = check_positive("t_max", t_max), check_positive("dt", dt)
    if dt > t_max:
        fail(f"--dt: must be <= --t-max = {t_max:g} ms (got {dt:g})")
    return t_max, dt


@ring_ei.command("simulate", epilog=DEFAULTS_HELP)
@_model_options
@click.option("--n", "N", type=int, default=256, show_default=True,
              help="Units per population N.")
@click.option("--t-max", "t_max", type=float, default=6000.0, show_default=True,
              help="Duration (ms); the last quarter is classified (see --window).")
@click.option("--window", "window", type=float, default=None,
              help="Length (ms) of the final stretch classified; default t_max / 4.")
@click.option("--dt", "dt", type=float, default=0.05, show_default=True,
              help="Euler time step (ms).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random initial rates.")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Write the trajectory to this NetCDF file (.nc).")
@click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None,
              help="Write a figure: space-time of E and I (last quarter) and the mode "
                   "spectrum against tau_I.")
@max_work_option(MAX_WORK)
@_guarded
def simulate_cmd(as_json: bool, quiet: bool, N: int, t_max: float, window: float | None,
                 dt: float, seed: int, out: str | None, plot: str | None, max_work: float,
                 **params: Any) -> None:
    """Simulate the E-I ring and classify its end state against the theory.

    The pattern (homogeneous, stationary bump, travelling wave, standing wave, bulk
    oscillation, irregular, diverged) is read off the last --window ms of the run (from
    small random rates, a wave takes 2-3 s to form at the defaults); the JSON
    has "pattern", "speed" (rad/ms, travelling waves; > 0 counterclockwise), "period"
    (ms), "diverged", "mode", "direction", "amplitude", "mean_E", "mean_I", the status,
    and the theory's prediction under "theory".  A run that diverges prints its result
    and exits with 1.

    \b
    Example:
      ratenet ring-ei simulate --tau-i 30 --t-max 6000 --plot wave.png --json
    """
    import numpy as np

    from .. import simulate
    from .._validation import check_positive, check_seed
    from ..ei_ring.patterns import classify

    model = _model(params, N)
    t_max, dt = _check_times(t_max, dt)
    if window is None:
        window = t_max / 4.0
    window = check_positive("window", window)
    if window > t_max:
        fail(f"--window: must be <= --t-max = {t_max:g} ms (got {window:g})")
    check_seed("seed", seed)
    check_output_path("--out", out, suffixes=(".nc",))
    check_plot_path("--plot", plot)
    steps = t_max / dt
    check_work("ring-ei simulate", steps * model.n_state, max_work, "--max-work",
               f"{model.n_state} state variables x {steps:.3g} time steps")
    n_steps = max(1, math.ceil(steps - 1e-9))
    record = max(1, round(1.0 / dt), n_steps // 4000)  # >= every 1 ms, <= 4001 records
    check_memory("ring-ei simulate", 8.0 * model.n_state * (n_steps // record + 2),
                 f"{model.n_state} state variables x {n_steps // record + 1} records")
    traj = simulate(model, t_max=t_max, dt=dt, seed=seed, record_every=record,
                    progress=show_progress(quiet), on_divergence="ignore")
    pattern = classify(traj, window=window)  # type: ignore[arg-type]  # an EIRingTrajectory
    diverged = str(np.asarray(traj.status)) == "diverged"
    result = {**pattern.to_dict(), "diverged": diverged, "status": str(traj.status),
              "message": traj.message, "N": N, "t_max": t_max, "window": window, "dt": dt,
              "seed": seed}
    try:
        th = _theory_dict(model)
        result["theory"] = {"uniform": th["uniform"], "instability": th["instability"],
                            "first_hopf": th["first_hopf"],
                            "hopf_tau_I": [m["hopf_tau_I"] for m in th["modes"]],
                            "hopf_frequency": [m["hopf_frequency"] for m in th["modes"]],
                            "bump": th["bump"]}
    except ParameterError as err:  # e.g. no uniform state: the simulation still stands
        result["theory"] = None
        note(f"note: no theory for these parameters ({err})")
    if out:
        def write(tmp: str) -> None:
            traj.save(tmp)
        write_atomic("--out", out, write)
        result["out"] = out
        note(f"wrote {out}")
    if plot and not diverged:
        _write_plot(traj, plot, t_min=float(traj.t[-1]) - window)
        result["plot"] = plot
    elif plot:
        note(f"note: no figure written to {plot}: the simulation diverged")
    if as_json:
        echo_json(result)
    else:
        _print_simulation(result)
    if diverged:
        click.echo(f"ratenet: error: the simulation diverged: {traj.message}", err=True)
        raise SystemExit(1)


def _print_simulation(r: dict[str, Any]) -> None:
    rows = [("pattern", r["pattern"] + (f" (mode {r['mode']})" if r["mode"] else ""))]
    if r["speed"] is not None:
        rows.append(("speed", f"{_num(r['speed'])} rad/ms ({r['direction']})"))
    if r["period"] is not None:
        rows.append(("period", f"{_num(r['period'])} ms"))
    rows += [("mean rates", f"E {_num(r['mean_E'])} Hz, I {_num(r['mean_I'])} Hz"),
             ("modulation of E", f"{_num(r['amplitude'])} Hz (peak to trough)"),
             ("status", r["status"] + (f": {r['message']}" if r["diverged"] else ""))]
    th = r.get("theory")
    if th:
        inst = th["instability"]
        pred = ("stable uniform state" if inst["mode"] is None else
                f"mode {inst['mode']} unstable ({inst['kind']}): {inst['pattern']}")
        rows.append(("theory", pred))
        hop = [f"mode {k}: {_num(v)} ms" for k, v in enumerate(th["hopf_tau_I"])
               if v is not None]
        rows.append(("Hopf points (tau_I)", ", ".join(hop) if hop else "none"))
        b = th.get("bump")
        if b:
            drift = ("" if b["drift_J_A"] is None else
                     f", drifts for J_A > {_num(b['drift_J_A'])}")
            rows.append(("theory bump", f"theta_c = {_num(b['theta_c_E'])} rad, "
                         f"{'drifting' if b['drifting'] else 'stationary'}{drift}"))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        click.echo(f"{k:<{width}}  {v}")


def _write_plot(traj: Any, path: str, t_min: float | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from ..plotting.ei_ring import ei_ring_summary_figure

    save_figure("--plot", ei_ring_summary_figure(traj, t_min=t_min), path, dpi=110)


# ------------------------------------------------------------------ phase diagram
def _grid(option: str, spec: tuple[float, float, float]) -> Any:
    import numpy as np

    a, b, kf = spec
    if not (math.isfinite(a) and math.isfinite(b)) or not a < b:
        fail(f"{option}: need finite A < B (got {a:g} {b:g})")
    if not float(kf).is_integer() or not 2 <= kf <= 256:
        fail(f"{option}: K must be an integer in [2, 256] (got {kf:g})")
    return np.linspace(a, b, int(kf))


@ring_ei.command("phase-diagram", epilog=DEFAULTS_HELP)
@_model_options
@click.option("--x", "x_param", default="J_EE1", show_default=True,
              help="Parameter on the x axis (any model parameter, any case: jee1, tau_i).")
@click.option("--x-range", "x_range", type=(float, float, float), default=(0.0, 5.0, 11),
              show_default=True, metavar="A B K", help="K values of the x parameter, A to B.")
@click.option("--y", "y_param", default="tau_I", show_default=True,
              help="Parameter on the y axis.")
@click.option("--y-range", "y_range", type=(float, float, float), default=(5.0, 50.0, 10),
              show_default=True, metavar="A B K", help="K values of the y parameter, A to B.")
@click.option("--n", "N", type=int, default=64, show_default=True,
              help="Units per population (64 resolve modes 0 and 1 well).")
@click.option("--t-transient", "t_transient", type=float, default=4000.0, show_default=True,
              help="Time (ms) simulated before the classified window.")
@click.option("--t-window", "t_window", type=float, default=1000.0, show_default=True,
              help="Length (ms) of the classified window.")
@click.option("--dt", "dt", type=float, default=None,
              help="Euler time step (ms); default min(tau_E, tau_I) / 100 over the grid.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random initial rates (cell i: stream (seed, i)).")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Save the maps, the boundaries and every parameter as JSON.")
@click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None,
              help="Draw the pattern map with the theory's boundaries.")
@max_work_option(MAX_WORK)
@_guarded
def phase_diagram_cmd(as_json: bool, quiet: bool, x_param: str, x_range: Any, y_param: str,
                      y_range: Any, N: int, t_transient: float, t_window: float,
                      dt: float | None, seed: int, out: str | None, plot: str | None,
                      max_work: float, **params: Any) -> None:
    """Patterns in a plane of two parameters: batched simulations against the theory.

    Every cell is simulated (compiled batches), its end state classified, and the
    per-mode theory of the uniform state evaluated on the same grid, with the points
    where each mode loses stability.  Prints the number of cells, the agreement (cells
    whose pattern is one the theory predicts), the count of each pattern and the time.

    \b
    Example:
      ratenet ring-ei phase-diagram --x jee1 --y tau_i --plot map.png --json
    """
    from .._validation import check_positive, check_seed
    from ..ei_ring.phase_diagram import phase_diagram
    from ..models.ei_ring import EIRingModel

    base = _model(params, N)

    def param(option: str, name: str) -> str:
        """Any spelling: ``J_EE1``, ``jee1``, ``tau-i`` (case, ``_`` and ``-`` ignored)."""
        key = str(name).lower().replace("_", "").replace("-", "")
        for p in EIRingModel.PARAMETERS:
            if p.lower().replace("_", "") == key:
                return p
        fail(f"{option}: unknown parameter {name!r}; one of "
             f"{', '.join(EIRingModel.PARAMETERS)}")

    xp, yp = param("--x", x_param), param("--y", y_param)
    if xp == yp:
        fail(f"--y: must differ from --x (both are {xp})")
    xs, ys = _grid("--x-range", x_range), _grid("--y-range", y_range)
    t_transient = check_positive("t_transient", t_transient)
    t_window = check_positive("t_window", t_window)
    check_seed("seed", seed)
    check_output_path("--out", out, suffixes=(".json",))
    check_plot_path("--plot", plot)
    # every cell validated; a refused value is reported against the range it came from
    from_range = {**OPTION_OF, xp: "--x-range", yp: "--y-range"}
    cells = []
    for b in ys:
        for a in xs:
            try:
                cell = base.replace(**{xp: float(a), yp: float(b)})
            except ParameterError as err:
                parameter_error(err, from_range)
            _check_scales(cell, from_range)
            cells.append(cell)
    step = dt if dt is not None else min(min(m.tau_E, m.tau_I) for m in cells) / 100.0
    step = check_positive("dt", step)
    steps = (t_transient + t_window) / step
    check_work("ring-ei phase-diagram", steps * base.n_state * len(cells), max_work,
               "--max-work", f"{len(cells)} cells x {base.n_state} state variables x "
               f"{steps:.3g} time steps")
    note(f"simulating {len(cells)} cells ({xp} x {yp}) ...")
    res = phase_diagram(base, xp, xs, yp, ys, t_transient=t_transient, t_window=t_window,
                        dt=step, seed=seed)
    from collections import Counter

    counts = dict(Counter(str(p) for p in res.pattern.ravel()))
    summary = {"cells": len(cells), "x_param": xp, "y_param": yp,
               "agreement": res.agreement, "patterns": counts,
               "seconds": res.settings.get("elapsed")}
    if out:
        import json

        from .._version import __version__

        text = json.dumps(to_jsonable({"command": "ring-ei phase-diagram",
                                       "ratenet_version": __version__, **res.to_dict()}),
                          indent=1, allow_nan=False)

        def write(tmp: str) -> None:
            with open(tmp, "w") as fh:
                fh.write(text)

        write_atomic("--out", out, write)
        note(f"wrote {out}")
        summary["out"] = out
    if plot:
        import matplotlib

        matplotlib.use("Agg")
        from ..plotting.ei_ring import plot_pattern_map

        ax = plot_pattern_map(res)
        save_figure("--plot", ax.figure, plot, dpi=120, bbox_inches="tight")
        summary["plot"] = plot
    if as_json:
        echo_json({**summary, "x": res.x, "y": res.y, "pattern": res.pattern.tolist(),
                   "theory": res.theory.tolist(),
                   "boundaries": res.to_dict()["boundaries"]})
        return
    from ..plotting._style import format_percent

    ag = res.agreement
    from ..ei_ring.phase_diagram import THEORY_TO_PATTERNS

    n_pred = sum(1 for t in res.theory.ravel() if str(t) in THEORY_TO_PATTERNS)
    rows = [("cells", f"{len(cells)} ({xs.size} {xp} x {ys.size} {yp})"),
            ("agreement with theory", "-" if not math.isfinite(ag) or not n_pred
             else format_percent(round(ag * n_pred), n_pred)),
            *((f"  {k}", str(v)) for k, v in sorted(counts.items())),
            ("seconds", _num(summary["seconds"], 3))]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        click.echo(f"{k:<{width}}  {v}")
