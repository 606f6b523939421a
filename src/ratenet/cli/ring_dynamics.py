"""``ratenet ring diffusion | memory | track | phase-diagram``: attractor dynamics.

Registered on the ``ring`` group by :func:`register` (called from ``cli/ring.py``).
Each command prints a short summary, or one JSON object with ``--json``;
``--out FILE.json`` saves the full result with every parameter and the package
version; ``--plot FILE.png`` draws the matching figure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import click

from .._validation import ParameterError
from .._version import __version__
from ._common import (
    check_output_path,
    check_plot_path,
    check_work,
    echo_json,
    fail,
    guarded,
    max_work_option,
    note,
    parameter_error,
    save_figure,
    show_progress,
    to_jsonable,
    write_atomic,
)
from ._ring_options import DEFAULTS_HELP, EPS_DEFAULT, RING_DEFAULTS

__all__ = ["register"]


# ------------------------------------------------------------------ options
_Deco = Callable[[Callable[..., Any]], Callable[..., Any]]


def _model_options(*, command: str | None) -> _Deco:
    """Model, output and run options; ``command`` picks the --eps default (None: no --eps)."""
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        opts = [
            click.option("--j0", "J0", type=float, default=RING_DEFAULTS["J0"],
                         show_default=True, help="Uniform coupling J0."),
            click.option("--j1", "J1", type=float, default=RING_DEFAULTS["J1"],
                         show_default=True,
                         help="Cosine coupling J1 (J1 > 2 with J0 below its critical value: "
                              "marginal phase)."),
            click.option("--h0", "h0", type=float, default=RING_DEFAULTS["h0"],
                         show_default=True, help="Uniform input h0."),
            click.option("--n", "N", type=int, default=RING_DEFAULTS["N"], show_default=True,
                         help="Number of units N."),
            click.option("--dt", "dt", type=float, default=None,
                         help="Euler(-Maruyama) time step (units of tau)."),
            click.option("--seed", "seed", type=int, default=0, show_default=True,
                         help="Seed of initial rates and noise (trial k: streams of (seed, k))."),
            click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
            click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
                         help="Save the full result (parameters, version, series) as JSON."),
            click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None,
                         help="Draw the figure to this file (.png, .pdf, .svg ...)."),
            click.option("--quiet", "-q", is_flag=True,
                         help="No progress bar and no notes on stderr."),
        ]
        if command is not None:
            eps, why = EPS_DEFAULT[command]
            opts.insert(3, click.option("--eps", "eps", type=float, default=eps,
                                        show_default=True,
                                        help=f"Amplitude of the tuned input (>= 0); "
                                             f"default {why}."))
        for opt in reversed(opts):
            fn = opt(fn)
        return fn

    return deco


#: Default cap on the estimated work of one command, in unit-steps (units x time steps x
#: trials or speeds or grid cells): about a minute on one core.  ``--max-work`` raises it.
MAX_WORK = 1e10


def _check_paths(out: str | None, plot: str | None) -> None:
    """Both outputs writable, before any work (exit 2 naming the option)."""
    check_output_path("--out", out, suffixes=(".json",))
    check_plot_path("--plot", plot)


def _steps(t_max: float, dt: float) -> float:
    """Time steps of a run, after checking both times (exit 2 on bad values)."""
    from .._validation import check_positive

    t_max, dt = check_positive("t_max", t_max), check_positive("dt", dt)
    return t_max / dt


def _write_json(path: str, payload: dict[str, Any]) -> None:
    payload = dict(payload)
    payload.setdefault("ratenet_version", __version__)
    text = json.dumps(to_jsonable(payload), indent=1, allow_nan=False)

    def write(tmp: str) -> None:
        with open(tmp, "w") as fh:
            fh.write(text)

    write_atomic("--out", path, write)
    note(f"wrote {path}")


def _save_figure(ax: Any, path: str) -> None:
    save_figure("--plot", ax.figure, path, dpi=120, bbox_inches="tight")


def _model(J0: float, J1: float, h0: float, N: int, eps: float = 0.0, theta0: float = 0.0):
    from ..models.ring import RingModel

    return RingModel(J0=J0, J1=J1, h0=h0, eps=eps, theta0=theta0, N=N)


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return "n/a" if not math.isfinite(v) else f"{v:.6g}"
    return str(v)


def _print_rows(rows: list[tuple[str, Any]]) -> None:
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        click.echo(f"{k:<{width}}  {_fmt(v)}")


def _perturbation_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """OU input noise and quenched heterogeneity, shared by ``diffusion`` and ``memory``."""
    opts = [
        click.option("--sigma-ou", "sigma_ou", type=float, default=0.0, show_default=True,
                     help="S.d. of Ornstein-Uhlenbeck noise on each unit's input."),
        click.option("--tau-ou", "tau_ou", type=float, default=1.0, show_default=True,
                     help="Correlation time of the input noise (units of tau)."),
        click.option("--threshold-sd", "threshold_sd", type=float, default=0.0,
                     show_default=True,
                     help="S.d. of frozen random threshold offsets (heterogeneity)."),
        click.option("--coupling-sd", "coupling_sd", type=float, default=0.0,
                     show_default=True,
                     help="S.d. of a frozen random perturbation of the coupling profile "
                          "(O(N^2) per step)."),
        click.option("--het-seed", "het_seed", type=int, default=0, show_default=True,
                     help="Seed of the heterogeneity (one network for all trials)."),
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


def _perturbations(sigma: float, sigma_ou: float, tau_ou: float, threshold_sd: float,
                   coupling_sd: float, het_seed: int):
    from ..noise import Heterogeneity, Noise

    return (Noise(sigma=sigma, sigma_ou=sigma_ou, tau_ou=tau_ou),
            Heterogeneity(threshold_sd=threshold_sd, coupling_sd=coupling_sd, seed=het_seed))


# ----------------------------------------------------------------- diffusion
@click.command("diffusion", epilog=DEFAULTS_HELP)
@_model_options(command=None)
@click.option("--sigma", "sigma", type=float, required=True,
              help="Additive white noise on the rates (rate units; a lone unit's "
                   "stationary s.d. is sigma/sqrt(2)).")
@click.option("--trials", "trials", type=int, default=500, show_default=True,
              help="Trials, run as one batch.")
@click.option("--t-max", "t_max", type=float, default=200.0, show_default=True,
              help="Length of the measurement (units of tau), after the burn-in.")
@click.option("--t-burn", "t_burn", type=float, default=10.0, show_default=True,
              help="Relaxation before the measurement starts.")
@_perturbation_options
@max_work_option(MAX_WORK)
@guarded
def diffusion_cmd(J0: float, J1: float, h0: float, N: int, dt: float | None, seed: int,
                  as_json: bool, out: str | None, plot: str | None, quiet: bool, sigma: float,
                  trials: int, t_max: float, t_burn: float, sigma_ou: float, tau_ou: float,
                  threshold_sd: float, coupling_sd: float, het_seed: int,
                  max_work: float) -> None:
    """Diffusion coefficient of the bump position under noise (eps = 0).

    Runs TRIALS noisy trials as one batch, each starting from the theoretical
    bump, and fits the mean squared displacement of the (unwrapped) bump
    position: MSD = a + 2 D t.  The confidence interval (95 %) is a bootstrap
    over trials; the theory is D = sigma^2 / (N m1^2) (white noise alone).
    With --threshold-sd/--coupling-sd the network is heterogeneous and the bump
    also drifts: see mean_displacement.

    \b
    Example:
      ratenet ring diffusion --j0 -2 --j1 4 --h0 1 --sigma 0.2 --n 256 \\
          --trials 500 --t-max 200 --seed 1 --json
    """
    from ..attractor import diffusion

    _check_paths(out, plot)
    model = _model(J0, J1, h0, N)
    noise, het = _perturbations(sigma, sigma_ou, tau_ou, threshold_sd, coupling_sd, het_seed)
    from .._validation import check_int, check_nonnegative

    trials = check_int("trials", trials, minimum=2)
    steps = _steps(t_max + check_nonnegative("t_burn", t_burn), 0.02 if dt is None else dt)
    per_step = N * (N if coupling_sd else 1)
    check_work("ring diffusion", float(trials) * steps * per_step, max_work, "--max-work",
               f"{trials} trials x N = {N} units{' x N (--coupling-sd)' if coupling_sd else ''}"
               f" x {steps:.3g} time steps")
    res = diffusion(model, sigma=sigma, trials=trials, t_max=t_max, t_burn=t_burn,
                    dt=0.02 if dt is None else dt, seed=seed, noise=noise,
                    heterogeneity=het, progress=show_progress(quiet))
    summary = {"diffusion_coefficient": res.diffusion_coefficient, "ci_low": res.ci_low,
               "ci_high": res.ci_high, "trials": res.trials, "theory": res.theory,
               "mean_displacement": res.mean_displacement, "seconds": res.seconds}
    if out:
        _write_json(out, {"command": "ring diffusion", **res.to_dict(series=True)})
    if plot:
        from ..plotting.attractor import plot_diffusion

        _save_figure(plot_diffusion(res), plot)
    if as_json:
        echo_json(summary)
    else:
        _print_rows([("D (rad^2/tau)", res.diffusion_coefficient),
                     ("95% CI", f"[{res.ci_low:.4g}, {res.ci_high:.4g}]"),
                     ("theory sigma^2/(N m1^2)", res.theory), ("trials", res.trials),
                     ("mean displacement (rad)", res.mean_displacement)])


# -------------------------------------------------------------------- memory
@click.command("memory", epilog=DEFAULTS_HELP)
@_model_options(command="memory")
@click.option("--theta0", "theta0", type=float, default=0.0, show_default=True,
              help="Cue direction (radians).")
@click.option("--cue-off", "cue_off", type=float, required=True,
              help="Time at which the cue is removed (units of tau).")
@click.option("--t-max", "t_max", type=float, required=True, help="End of the run.")
@click.option("--sigma", "sigma", type=float, default=0.0, show_default=True,
              help="Additive white noise on the rates.")
@_perturbation_options
@max_work_option(MAX_WORK)
@guarded
def memory_cmd(J0: float, J1: float, h0: float, eps: float, N: int, dt: float | None,
               seed: int, as_json: bool, out: str | None, plot: str | None, quiet: bool,
               theta0: float, cue_off: float, t_max: float, sigma: float, sigma_ou: float,
               tau_ou: float, threshold_sd: float, coupling_sd: float, het_seed: int,
               max_work: float) -> None:
    """Working memory: a cue of amplitude EPS at THETA0, then its removal at CUE_OFF.

    Reports whether the bump persisted to T_MAX (it does in the marginal phase)
    and how far it drifted after the cue was removed (noise and frozen
    heterogeneity make it drift).

    \b
    Example:
      ratenet ring memory --j0 -2 --j1 4 --h0 1 --cue-off 10 --t-max 60 --json
    """
    from ..attractor import persistent_activity

    _check_paths(out, plot)
    model = _model(J0, J1, h0, N, eps=eps, theta0=theta0)
    noise, het = _perturbations(sigma, sigma_ou, tau_ou, threshold_sd, coupling_sd, het_seed)
    steps = _steps(t_max, 0.01 if dt is None else dt)
    per_step = N * (N if coupling_sd else 1)
    check_work("ring memory", steps * per_step, max_work, "--max-work",
               f"N = {N} units{' x N (--coupling-sd)' if coupling_sd else ''} x {steps:.3g} "
               "time steps")
    res = persistent_activity(model, cue_off=cue_off, t_max=t_max,
                              dt=0.01 if dt is None else dt, noise=noise,
                              heterogeneity=het, seed=seed)
    if out:
        _write_json(out, {"command": "ring memory", **res.to_dict(series=True)})
    if plot:
        from ..plotting.attractor import plot_memory

        _save_figure(plot_memory(res), plot)
    if as_json:
        echo_json({"persistent": res.persistent, "drift": res.drift,
                   "amplitude_at_cue_off": res.amplitude_at_cue_off,
                   "amplitude_final": res.amplitude_final,
                   "position_final": res.position_final, "diverged": res.diverged})
    else:
        _print_rows([("persistent", res.persistent), ("drift (rad)", res.drift),
                     ("m1 at cue off", res.amplitude_at_cue_off),
                     ("m1 at t_max", res.amplitude_final),
                     ("final position (rad)", res.position_final)])
    if res.diverged:
        note("ratenet: the simulation diverged (exit status 1)")
        raise SystemExit(1)


# --------------------------------------------------------------------- track
@click.command("track", epilog=DEFAULTS_HELP)
@_model_options(command="track")
@click.option("--speed", "speeds", type=float, multiple=True, required=True,
              help="Stimulus angular speed (radians per tau); repeat for several.")
@click.option("--t-max", "t_max", type=float, default=200.0, show_default=True,
              help="Duration; the lag is averaged over the second half.")
@max_work_option(MAX_WORK)
@guarded
def track_cmd(J0: float, J1: float, h0: float, eps: float, N: int, dt: float | None, seed: int,
              as_json: bool, out: str | None, plot: str | None, quiet: bool,
              speeds: tuple[float, ...], t_max: float, max_work: float) -> None:
    """Tracking: the lag of the bump behind a stimulus rotating at SPEED.

    Positive lag: the bump trails the stimulus.  Several --speed values run
    as one batch; a speed the bump cannot follow gives lag null.

    \b
    Example:
      ratenet ring track --j0 -2 --j1 4 --h0 1 --eps 0.1 --speed 0.02 --json
    """
    from ..attractor import tracking

    _check_paths(out, plot)
    model = _model(J0, J1, h0, N, eps=eps)
    steps = _steps(t_max, 0.01 if dt is None else dt)
    check_work("ring track", len(speeds) * steps * N, max_work, "--max-work",
               f"{len(speeds)} speeds x N = {N} units x {steps:.3g} time steps")
    try:
        res = tracking(model, speeds=list(speeds), t_max=t_max,
                       dt=0.01 if dt is None else dt, seed=seed, progress=show_progress(quiet))
    except ParameterError as err:
        parameter_error(err, {"speeds": "--speed"})
    if out:
        _write_json(out, {"command": "ring track", **res.to_dict()})
    if plot:
        from ..plotting.attractor import plot_tracking

        _save_figure(plot_tracking(res), plot)
    if as_json:
        d = res.to_dict()
        echo_json({k: d[k] for k in ("speed", "lag", "locked", "lag_theory", "bump_speed")})
    else:
        for w, lag, th, ok in zip(res.speeds, res.lag, res.theory, res.locked):
            click.echo(f"speed {w:<10.4g} lag {_fmt(float(lag)):<12} theory {_fmt(float(th)):<12}"
                       f" locked {_fmt(bool(ok))}")


# ------------------------------------------------------------- phase diagram
def _range(name: str, spec: tuple[float, float, float] | None, default: tuple[float, float, int]):
    import numpy as np

    if spec is None:
        a, b, k = default
    else:
        a, b, kf = spec
        if not (math.isfinite(a) and math.isfinite(b)) or not a < b:
            fail(f"{name}: need finite A < B (got {a:g} {b:g})")
        if not float(kf).is_integer() or kf < 2 or kf > 1024:
            fail(f"{name}: K must be an integer in [2, 1024] (got {kf:g})")
        k = int(kf)
    return np.linspace(a, b, k)


@click.command("phase-diagram", epilog=DEFAULTS_HELP)
@click.option("--h0", "h0", type=float, default=RING_DEFAULTS["h0"], show_default=True,
              help="Uniform input h0.")
@click.option("--eps", "eps", type=float, default=0.0, show_default=True,
              help="Tuned input amplitude (>= 0).")
@click.option("--j0-range", "j0_range", type=(float, float, float), default=None,
              metavar="A B K", help="K values of J0 from A to B  [default: -4 1.5 64]")
@click.option("--j1-range", "j1_range", type=(float, float, float), default=None,
              metavar="A B K", help="K values of J1 from A to B  [default: 0 6 64]")
@click.option("--n", "N", type=int, default=RING_DEFAULTS["N"], show_default=True,
              help="Units per network.")
@click.option("--steps", "steps", type=int, default=2000, show_default=True,
              help="Euler steps per cell.")
@click.option("--t-max", "t_max", type=float, default=200.0, show_default=True,
              help="Simulated time per cell (dt = t_max / steps).")
@click.option("--seed", "seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Save both maps and all parameters as JSON.")
@click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None,
              help="Draw theory and simulation overlaid.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no notes on stderr.")
@max_work_option(MAX_WORK)
@guarded
def phase_diagram_cmd(h0: float, eps: float, j0_range, j1_range, N: int, steps: int,
                      t_max: float, seed: int, as_json: bool, out: str | None, plot: str | None,
                      quiet: bool, max_work: float) -> None:
    """Regimes in the (J0, J1) plane: analytic map vs batched simulations.

    Every grid cell is simulated (one compiled batch) and classified; prints the
    number of cells, the fraction where theory and simulation agree, and the
    wall time.  Disagreements sit on regime boundaries, where dynamics are slow.

    \b
    Example:
      ratenet ring phase-diagram --h0 1 --eps 0.1 --json --plot phases.png
    """
    from ..attractor import phase_diagram

    _check_paths(out, plot)
    J0s = _range("--j0-range", j0_range, (-4.0, 1.5, 64))
    J1s = _range("--j1-range", j1_range, (0.0, 6.0, 64))
    check_work("ring phase-diagram", float(J0s.size) * J1s.size * N * max(steps, 1), max_work,
               "--max-work", f"{J0s.size} x {J1s.size} cells x N = {N} units x {steps} steps")
    res = phase_diagram(h0=h0, eps=eps, J0s=J0s, J1s=J1s, N=N, steps=steps, t_max=t_max,
                        seed=seed, progress=show_progress(quiet))
    if out:
        _write_json(out, {"command": "ring phase-diagram", **res.to_dict(maps=True)})
    if plot:
        from ..plotting.attractor import plot_phase_diagram

        _save_figure(plot_phase_diagram(res), plot)
    if as_json:
        echo_json({"cells": res.cells, "agreement": res.agreement,
                   "disagreements": res.disagreements, "seconds": res.seconds,
                   "simulation_seconds": res.simulation_seconds,
                   "neuron_steps_per_second": res.neuron_steps_per_second})
    else:
        from ..plotting._style import format_percent

        agree = format_percent(res.cells - res.disagreements, res.cells)
        _print_rows([("cells", res.cells), ("agreement", agree),
                     ("disagreeing cells", res.disagreements), ("seconds", res.seconds),
                     ("neuron-steps per second", f"{res.neuron_steps_per_second:.3g}")])


def register(ring_group: click.Group) -> None:
    """Add ``diffusion``, ``memory``, ``track`` and ``phase-diagram`` to ``ring``."""
    for cmd in (diffusion_cmd, memory_cmd, track_cmd, phase_diagram_cmd):
        ring_group.add_command(cmd)
