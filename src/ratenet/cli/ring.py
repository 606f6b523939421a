"""``ratenet ring ...``: theory and simulation of the ring model."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import click

from ._common import (
    check_memory,
    check_output_path,
    check_plot_path,
    check_work,
    echo_json,
    fail,
    guarded,
    max_work_option,
    note,
    save_figure,
    show_progress,
)
from ._ring_options import DEFAULTS_HELP, EPS_DEFAULT, RING_DEFAULTS


@click.group(epilog=DEFAULTS_HELP)
def ring() -> None:
    """The ring model: analytic theory, simulation, attractor dynamics.

    \b
    Examples:
      ratenet ring theory --j0 -2 --j1 1.5 --h0 1 --eps 0.5
      ratenet ring simulate --j0 -2 --j1 3 --h0 1 --plot bump.png --json
    """


#: Default cap on the work of one ``ring simulate`` (unit-steps, N x t_max/dt): about a
#: minute on one core of a laptop.  ``--max-work`` raises it.
MAX_WORK = 1e10


def _model_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The ring parameters shared by ``theory`` and ``simulate`` (defaults: _ring_options)."""
    eps, why = EPS_DEFAULT["theory"]
    opts = [
        click.option("--j0", "J0", type=float, default=RING_DEFAULTS["J0"], show_default=True,
                     help="Uniform coupling J0 (the uniform state needs J0 < 1)."),
        click.option("--j1", "J1", type=float, default=RING_DEFAULTS["J1"], show_default=True,
                     help="Cosine coupling J1 (J1 > 2: marginal phase)."),
        click.option("--h0", "h0", type=float, default=RING_DEFAULTS["h0"], show_default=True,
                     help="Uniform input h0."),
        click.option("--eps", "eps", type=float, default=eps, show_default=True,
                     help=f"Tuned input amplitude eps (>= 0); default {why}."),
        click.option("--theta0", "theta0", type=float, default=0.0, show_default=True,
                     help="Stimulus direction theta0 (radians)."),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if math.isnan(v):
            return "-"
        return f"{v:.6g}"
    return str(v)


def _angle(v: float) -> str:
    if math.isnan(v):
        return "-"
    return f"{v:.6g} rad ({math.degrees(v):.4g} deg)"


def _theory(J0: float, J1: float, h0: float, eps: float, theta0: float):
    from ..theory.ring import stationary_state

    return stationary_state(J0=J0, J1=J1, h0=h0, eps=eps, theta0=theta0)


@ring.command("theory", epilog=DEFAULTS_HELP)
@_model_options
@click.option("--quiet", "-q", is_flag=True, help="No notes on stderr.")
@guarded
def theory(J0: float, J1: float, h0: float, eps: float, theta0: float, as_json: bool,
           quiet: bool) -> None:
    """Stationary state of the ring in the limit N -> infinity (threshold-linear f).

    Prints the regime (homogeneous, broad, narrow, marginal, unstable), the
    half-width theta_c of the active region (pi when every neuron is active),
    the mean rate r0, the cos amplitude m1, the peak rate, and the stability of
    that state: its non-trivial eigenvalues in units of 1/tau (per Fourier mode
    when every neuron is active; the width/amplitude modes and the translation
    mode of a bump).  For a bump the eigenvalues of the uniform state
    (J0 - 1, J1/2 - 1) follow: they say why it is not the uniform state.

    \b
    Example:
      ratenet ring theory --j0 -2 --j1 1.5 --h0 1 --eps 0.5 --json
    """
    s = _theory(J0, J1, h0, eps, theta0)
    d = s.to_dict()
    if J1 > 2.0:
        from ..theory.ring import critical_J0

        d["critical_J0"] = critical_J0(J1)
    if as_json:
        echo_json(d)
        return
    rows = [
        ("regime", s.regime),
        ("theta_c", _angle(s.theta_c)),
        ("r0 (mean rate)", _num(s.r0)),
        ("m1 (cos amplitude)", _num(s.m1)),
        ("peak", _num(s.peak)),
        *_stability_rows(s),
    ]
    if "critical_J0" in d:
        rows.append(("critical J0", _num(d["critical_J0"])
                     + "  (bump grows without bound above)"))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        click.echo(f"{k:<{width}}  {v}")
    if s.n_stable > 1:
        note(f"note: {s.n_stable} stable states coexist; the one reached from near-zero "
             "rates is shown")


def _num(v: Any) -> str:
    """A number for text output; rounding noise (|v| < 1e-12) is printed as 0."""
    if isinstance(v, complex):
        if abs(v.imag) >= 1e-12:
            return f"{_num(v.real)} {'+' if v.imag > 0 else '-'} {_num(abs(v.imag))}i"
        v = v.real
    v = float(v)
    return "0" if math.isfinite(v) and abs(v) < 1e-12 else _fmt(v)


def _stability_rows(s: Any) -> list[tuple[str, str]]:
    """Rows on the stability of the state itself (as ``stability_eigenvalues`` in the JSON)."""
    ev = [complex(v) for v in s.stability_eigenvalues]
    uniform = ("J0-1 = " + _num(float(s.eigenvalues[0])) + ", J1/2-1 = "
               + _num(float(s.eigenvalues[1])) + "  (1/tau)")
    if s.regime == "unstable":
        return [("stability", "no bounded stationary state: rates grow without bound"),
                ("uniform state", uniform)]
    re_ = [v.real for v in ev]
    neutral = [abs(r) < 1e-12 for r in re_]
    if max(re_) < 0 and not any(neutral):
        verdict = "stable"
    elif all(r < 0 or z for r, z in zip(re_, neutral)):
        verdict = "neutral"
    else:
        verdict = "unstable"
    if s.theta_c >= math.pi:  # every neuron active: linear, one eigenvalue per Fourier mode
        return [("stability", f"{verdict}; J0-1 = {_num(ev[0])} (uniform mode), "
                 f"J1/2-1 = {_num(ev[1])} (cos mode), 1/tau")]
    if s.theta_c == 0.0:  # every neuron silent
        return [("stability", f"{verdict}; every perturbation decays at {_num(ev[0])}/tau")]
    trans = "0 (translation: free position)" if neutral[2] else f"{_num(ev[2])} (translation)"
    return [("stability", f"{verdict}; {_num(ev[0])}, {_num(ev[1])} (width/amplitude), "
             f"{trans}, 1/tau"),
            ("uniform state", uniform + ("  unstable: why a bump forms"
                                         if max(float(v) for v in s.eigenvalues) > 0 else ""))]


@ring.command("simulate", epilog=DEFAULTS_HELP)
@_model_options
@click.option("--n", "N", type=int, default=RING_DEFAULTS["N"], show_default=True,
              help="Number of neurons N.")
@click.option("--t-max", "t_max", type=float, default=100.0, show_default=True,
              help="Duration (units of tau).")
@click.option("--dt", "dt", type=float, default=0.01, show_default=True,
              help="Time step (units of tau).")
@click.option("--method", type=click.Choice(["euler", "heun", "rk4"]), default="euler",
              show_default=True, help="Integration method.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random initial rates.")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Write the trajectory to this NetCDF file (.nc).")
@click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None,
              help="Write a figure (space-time activity, profile vs theory, M and |C|).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no notes on stderr.")
@max_work_option(MAX_WORK)
@guarded
def simulate_cmd(J0: float, J1: float, h0: float, eps: float, theta0: float, as_json: bool,
                 N: int, t_max: float, dt: float, method: str, seed: int, out: str | None,
                 plot: str | None, quiet: bool, max_work: float) -> None:
    """Simulate a ring of N neurons and measure its final state against the theory.

    The JSON holds the quantities of ``ring theory`` measured on the final state
    (regime, theta_c, r0, m1, peak), plus bump_position, n_active, diverged,
    settled, the status message and the theory values under "theory".
    A run that diverges prints its result (status "diverged") and exits with 1.
    Runs estimated above --max-work unit-steps (N x t_max/dt) are refused before
    they start.

    \b
    Example:
      ratenet ring simulate --j0 -2 --j1 3 --h0 1 --t-max 100 --plot bump.png --json
    """
    import numpy as np

    from .. import RingModel, simulate
    from .._validation import check_positive, check_seed
    from ..analysis.ring import measure_final

    model = RingModel(J0=J0, J1=J1, h0=h0, eps=eps, theta0=theta0, N=N)
    t_max, dt = check_positive("t_max", t_max), check_positive("dt", dt)
    check_seed("seed", seed)
    if dt > t_max:
        fail(f"--dt: must be <= --t-max = {t_max:g} (got {dt:g})")
    check_output_path("--out", out, suffixes=(".nc",))
    check_plot_path("--plot", plot)
    steps = t_max / dt
    check_work("ring simulate", steps * N, max_work, "--max-work",
               f"N = {N} units x {steps:.3g} time steps")
    check_memory("ring simulate", 8.0 * N * 12, f"N = {N} units")
    n_steps = max(1, math.ceil(steps - 1e-9))
    record = max(1, n_steps // 500) if (out or plot) else None
    traj = simulate(model, t_max=t_max, dt=dt, method=method, seed=seed, record_every=record,
                    progress=show_progress(quiet), on_divergence="ignore")
    meas = {k: v.item() if isinstance(v, np.ndarray) else v
            for k, v in measure_final(traj).items()}
    th = _theory(J0, J1, h0, eps, theta0)
    result = {
        "regime": meas["regime"], "theta_c": meas["theta_c"], "r0": meas["r0"],
        "m1": meas["m1"], "peak": meas["peak"], "bump_position": meas["bump_position"],
        "n_active": meas["n_active"], "diverged": bool(meas["diverged"]),
        "settled": bool(meas["settled"]), "residual": meas["residual"], "drift": meas["drift"],
        "eigenvalues": [float(v) for v in th.eigenvalues],
        "status": str(traj.status), "message": traj.message,
        "t_diverged": float(traj.t_diverged), "t_max": t_max, "dt": dt, "method": method,
        "N": N, "seed": seed,
        "theory": {k: th.to_dict()[k] for k in ("regime", "theta_c", "r0", "m1", "peak")},
    }
    if out:
        try:
            traj.save(out)
        except OSError as err:
            fail(f"--out: cannot write {out!r}: {err.strerror or err}")
        result["out"] = out
        note(f"wrote {out}")
    if plot:
        _write_plot(traj, plot)
        result["plot"] = plot
    if as_json:
        echo_json(result)
    else:
        _print_comparison(result, meas, th)
    if meas["diverged"]:
        note(f"ratenet: the simulation diverged (exit status 1): {traj.message}")
        raise SystemExit(1)


def _modulated(meas: dict[str, Any]) -> bool:
    """A profile with a cos component above rounding (else a bump position means nothing)."""
    m1, r0 = float(meas["m1"]), float(meas["r0"])
    return math.isfinite(m1) and abs(m1) > 1e-9 * max(abs(r0), 1.0)


def _print_comparison(result: dict[str, Any], meas: dict[str, Any], th: Any) -> None:
    rows = [
        ("quantity", "simulation", "theory (N -> inf)"),
        ("regime", meas["regime"], th.regime),
        ("theta_c (rad)", _num(meas["theta_c"]), _num(th.theta_c)),
        ("r0 (mean rate)", _num(meas["r0"]), _num(th.r0)),
        ("m1 (cos amplitude)", _num(meas["m1"]), _num(th.m1)),
        ("peak", _num(meas["peak"]), _num(th.peak)),
        ("bump position (rad)", _num(meas["bump_position"]) if _modulated(meas) else "-", ""),
        ("active neurons", f"{meas['n_active']} of {result['N']}", ""),
        ("diverged", _fmt(bool(meas["diverged"])), ""),
        ("settled", _fmt(bool(meas["settled"])), ""),
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    for a, b, c in rows:
        click.echo(f"{a:<{w0}}  {b:>{w1}}  {c}".rstrip())


def _write_plot(traj: Any, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting.ring import ring_summary_figure

    fig = ring_summary_figure(traj)
    try:
        save_figure("--plot", fig, path, dpi=110)
    except ValueError as err:
        plt.close(fig)
        fail(f"--plot: cannot write {path!r}: {err}")


def _register_dynamics() -> None:
    """Commands of the attractor-dynamics module (diffusion, memory, track, phase-diagram)."""
    try:
        from .ring_dynamics import register
    except ModuleNotFoundError as err:
        if err.name and err.name.endswith("ring_dynamics"):
            return
        raise
    register(ring)


_register_dynamics()
