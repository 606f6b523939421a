"""Figures for the E-I model and other two-population networks.

Every function takes an optional ``ax`` and returns the Axes (the ``*_figure``
helpers return a Figure); none calls ``plt.show()``.  Units: rates in Hz, time in ms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validation import ParameterError, check_int
from ..analysis.bifurcation import BifurcationDiagram
from ..analysis.fixed_points import FixedPoint, as_network, find_fixed_points
from ..analysis.limit_cycle import LimitCycle
from ..analysis.phase_plane import default_window, nullclines, vector_field
from ._style import E_COLOR, EXTRA_COLORS, I_COLOR, math_symbol

__all__ = [
    "FIXED_POINT_STYLE",
    "bifurcation_figure",
    "phase_plane_figure",
    "plot_bifurcation",
    "plot_cycle_amplitude",
    "plot_eigenvalues",
    "plot_fixed_points",
    "plot_flow_signs",
    "plot_multipliers",
    "plot_period",
    "plot_phase_plane",
    "plot_time_course",
    "plot_trace_determinant",
]

#: Marker style for each fixed-point type: filled = stable, open = unstable.
FIXED_POINT_STYLE: dict[str, dict[str, Any]] = {
    "stable node": dict(marker="o", mfc="black", mec="black"),
    "stable focus": dict(marker="o", mfc="tab:green", mec="black"),
    "stable degenerate node": dict(marker="o", mfc="grey", mec="black"),
    "unstable node": dict(marker="o", mfc="white", mec="black"),
    "unstable focus": dict(marker="o", mfc="white", mec="tab:red"),
    "unstable degenerate node": dict(marker="o", mfc="white", mec="grey"),
    "saddle": dict(marker="X", mfc="tab:orange", mec="black"),
    "centre": dict(marker="D", mfc="tab:purple", mec="black"),
}
_DEGENERATE = dict(marker="s", mfc="yellow", mec="black")
_UNIT_COLORS = (E_COLOR, I_COLOR, *EXTRA_COLORS)  # E red, I blue: ratenet.plotting._style
_TRAJECTORY_COLORS = ("tab:cyan", "tab:orange", "tab:green", "tab:purple", "tab:brown")
_math_name = math_symbol  # parameter names as symbols in labels


def _unit(param: str) -> str:
    """Unit of a model parameter: time constants in ms, thresholds in Hz, weights none."""
    p = param.lower()
    return "ms" if p.startswith("tau") else "Hz" if p.startswith("gamma") else ""


def _param_label(param: str, onset: float | None = None) -> str:
    """Axis label for a model parameter (or its distance to ``onset``), with its unit."""
    text = _math_name(param) + (f" − {onset:g}" if onset is not None else "")
    unit = _unit(param)
    return f"{text} ({unit})" if unit else text


def _param_value(param: str, value: float, fmt: str = "g") -> str:
    """``tau_I = 40 ms`` in mathtext, with the parameter's unit."""
    unit = _unit(param)
    text = f"{value:{fmt}}".replace("-", "−")  # a true minus sign, as on the ticks
    return f"{_math_name(param)} = {text}" + (f" {unit}" if unit else "")


def _params_line(params: dict[str, float]) -> str:
    """``M_EE = 1.25, ..., tau_I = 50 ms`` in mathtext, for a figure title."""
    return ", ".join(_param_value(k, v) for k, v in params.items())


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 5))
    return ax


def _label(names: Sequence[str], i: int) -> str:
    name = names[i] if i < len(names) else str(i)
    return rf"$\nu_{{{name}}}$ (Hz)"


def plot_fixed_points(fixed_points: Sequence[FixedPoint], *, ax=None, legend: bool = True):
    """Mark fixed points in the (x_0, x_1) plane with a marker per type."""
    ax = _axes(ax)
    seen = set()
    for fp in fixed_points:
        style = FIXED_POINT_STYLE.get(fp.type, _DEGENERATE)
        lab = fp.type if fp.type not in seen else None
        seen.add(fp.type)
        ax.plot(fp.state[0], fp.state[1], ls="none", ms=10, zorder=5, label=lab, **style)
    if legend and fixed_points:
        ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    return ax


def plot_phase_plane(model: Any, *, ax=None, fixed_points: Sequence[FixedPoint] | None = None,
                     cycle: LimitCycle | None = None,
                     trajectories: Sequence[Any] = (),
                     trajectory_labels: Sequence[str] | None = None,
                     x_range: tuple[float, float] | None = None,
                     y_range: tuple[float, float] | None = None,
                     arrows: bool = True, streamlines: bool = True, num: int = 17):
    """Phase plane of a 2-unit network: nullclines, flow, fixed points, trajectories, cycle.

    Parameters
    ----------
    model : EIModel, RateNetwork, or model with ``to_network()`` (2 units)
    ax : matplotlib Axes, optional
    fixed_points : list of FixedPoint, optional
        Computed with :func:`ratenet.analysis.find_fixed_points` when omitted.
    cycle : LimitCycle, optional
        Drawn as a thick closed curve.
    trajectories : sequence of Trajectory or array of shape (T, 2)
        Drawn as thin lines with a dot at their start.
    trajectory_labels : sequence of str, optional
        One legend entry per trajectory, each in its own colour (default: all
        trajectories cyan under one entry).
    x_range, y_range : (float, float), optional
        Window (Hz); by default from 0 to past every fixed point and the cycle.
    arrows, streamlines : bool, default True
        Draw flow arrows (normalised length, colour = speed) and streamlines.
    num : int, default 17
        Arrows per axis.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    net = as_network(model)
    names = tuple(net.names or ("x0", "x1"))
    fps = list(fixed_points) if fixed_points is not None else find_fixed_points(net)
    if x_range is None or y_range is None:
        xr, yr = default_window(fps, cycle)
        if trajectories:
            # take in the trajectories too, but not a runaway one
            states = np.concatenate([np.asarray(getattr(tr, "rates", tr))[:, :2]
                                     for tr in trajectories])
            cap = 3.0 * np.array([xr[1], yr[1]])
            states = np.minimum(states[np.all(np.isfinite(states), axis=1)], cap)
            xr, yr = default_window(fps, cycle, points=states, margin=1.05)
        x_range = x_range or xr
        y_range = y_range or yr
    if streamlines:
        vf = vector_field(net, x_range=x_range, y_range=y_range, num=60)
        ax.streamplot(vf.x, vf.y, vf.U, vf.V, color="0.75", density=1.0, linewidth=0.6,
                      arrowsize=0.7, zorder=1)
    if arrows:
        vf = vector_field(net, x_range=x_range, y_range=y_range, num=num)
        sp = vf.speed
        with np.errstate(invalid="ignore", divide="ignore"):
            U, V = vf.U / sp, vf.V / sp
        ax.quiver(vf.x, vf.y, U, V, np.log10(sp + 1e-12), cmap="Greys", pivot="mid",
                  angles="xy", scale=num * 1.4, width=0.003, zorder=2, alpha=0.8)
    for nc in nullclines(net, x_range=x_range, y_range=y_range):
        color = _UNIT_COLORS[nc.unit % len(_UNIT_COLORS)]
        first = True
        for seg, kind in zip(nc.segments, nc.kinds):
            lab = None
            if first:
                lab = rf"$d\nu_{{{nc.name}}}/dt = 0$"
                first = False
            ax.plot(seg[:, 0], seg[:, 1], color=color, lw=2.2 if kind != "silent" else 3.0,
                    ls="-" if kind != "silent" else (0, (4, 2)), label=lab, zorder=3,
                    solid_capstyle="butt")
    if trajectory_labels is not None and len(trajectory_labels) != len(trajectories):
        raise ParameterError("trajectory_labels", len(trajectory_labels),
                             f"one label per trajectory ({len(trajectories)})")
    for j, tr in enumerate(trajectories):
        xy = np.asarray(getattr(tr, "rates", tr))
        if trajectory_labels is None:
            color, lab = "tab:cyan", "trajectories (dot: start)" if j == 0 else None
        else:
            color = _TRAJECTORY_COLORS[j % len(_TRAJECTORY_COLORS)]
            lab = trajectory_labels[j]
        ax.plot(xy[:, 0], xy[:, 1], color=color, lw=1.0, zorder=4, label=lab)
        ax.plot(xy[0, 0], xy[0, 1], "o", color=color, ms=4, zorder=4)
    if cycle is not None:
        ax.plot(cycle.orbit[:, 0], cycle.orbit[:, 1], color="black", lw=2.5, zorder=4,
                label=f"limit cycle (T = {cycle.period:.1f} ms)")
    plot_fixed_points(fps, ax=ax, legend=False)
    ax.set_xlim(*x_range)
    ax.set_ylim(*y_range)
    ax.set_xlabel(_label(names, 0))
    ax.set_ylabel(_label(names, 1))
    # under the axes: inside, it would hide trajectories and nullclines
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8,
              frameon=False)
    return ax


def plot_time_course(trajectory: Any, *, ax=None, t_start: float = 0.0,
                     names: Sequence[str] | None = None):
    """Rates against time (ms) from a :class:`ratenet.Trajectory` (or ``(t, rates)``)."""
    ax = _axes(ax)
    if isinstance(trajectory, tuple):
        t, rates = trajectory
    else:
        t, rates = trajectory.t, trajectory.rates
        names = names or getattr(trajectory, "unit_names", None)
    t, rates = np.asarray(t), np.asarray(rates)
    keep = t >= t_start
    names = names or tuple(str(i) for i in range(rates.shape[-1]))
    for i in range(rates.shape[-1]):
        ax.plot(t[keep], rates[keep, i], color=_UNIT_COLORS[i % len(_UNIT_COLORS)],
                label=rf"$\nu_{{{names[i]}}}$")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("rate (Hz)")
    # the legend in a band above the data (one row), so that it covers no peak
    shown = rates[keep][np.isfinite(rates[keep])]
    if shown.size:
        lo, hi = float(min(shown.min(), 0.0)), float(shown.max())
        span = (hi - lo) or 1.0
        ax.set_ylim(lo - 0.04 * span, hi + 0.2 * span)
    ax.legend(loc="upper right", ncol=max(rates.shape[-1], 1), fontsize=8, frameon=False)
    return ax


def plot_trace_determinant(diagram: BifurcationDiagram, *, ax=None, cmap: str = "viridis",
                           marks: Sequence[float] = ()):
    """Path of each fixed-point branch in the (trace, determinant) plane.

    The parabola ``det = trace^2 / 4`` separates nodes from foci; ``trace = 0`` with
    ``det > 0`` is where the linearisation is a centre (Hopf points marked).

    Parameters
    ----------
    diagram : BifurcationDiagram
    ax : matplotlib Axes, optional
    cmap : str, default "viridis"
        Colour of the points = parameter value.
    marks : sequence of float, optional
        Parameter values to label on the path (the nearest grid value of each branch).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = _axes(ax)
    trs = np.concatenate([b.trace[b.exists] for b in diagram.branches] or [np.zeros(1)])
    dets = np.concatenate([b.determinant[b.exists] for b in diagram.branches] or [np.zeros(1)])
    span = max(float(np.max(np.abs(trs))), np.sqrt(max(float(np.max(np.abs(dets))), 1e-30)))
    tt = np.linspace(-1.2 * span, 1.2 * span, 200)
    ax.plot(tt, tt**2 / 4, color="0.5", lw=1, label=r"$\det = \mathrm{tr}^2/4$")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.axvline(0, color="0.3", lw=0.8)
    norm = plt.Normalize(float(diagram.values[0]), float(diagram.values[-1]))
    sc = None
    for b in diagram.branches:
        m = b.exists
        ax.plot(b.trace[m], b.determinant[m], color="0.6", lw=0.8, zorder=2)
        sc = ax.scatter(b.trace[m], b.determinant[m], c=diagram.values[m], cmap=cmap,
                        norm=norm, s=12, zorder=3)
        for v in marks:
            idx = np.flatnonzero(m)
            if idx.size:
                j = int(idx[np.argmin(np.abs(diagram.values[idx] - v))])
                ax.annotate(_param_value(diagram.param, float(diagram.values[j])),
                            (b.trace[j], b.determinant[j]), textcoords="offset points",
                            xytext=(6, 6), fontsize=8)
    for p in diagram.hopf:
        ax.plot(0, p.frequency**2 if p.frequency else 0, "*", color="tab:red", ms=14, zorder=4,
                label=f"Hopf ({_param_value(diagram.param, p.value, '.4g')})")
    if sc is not None:
        ax.figure.colorbar(sc, ax=ax, label=_param_label(diagram.param))
    ax.set_xlabel("trace of the Jacobian (1/ms)")
    ax.set_ylabel("determinant (1/ms$^2$)")
    ymax = float(np.nanmax(dets)) if dets.size else 1.0
    ax.set_ylim(min(-0.1 * abs(ymax), float(np.nanmin(dets)) * 1.1), 1.2 * abs(ymax) + 1e-30)
    ax.set_xlim(-1.2 * span, 1.2 * span)
    # under the axes: inside, it would sit on the parabola or the path
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=8,
              frameon=False)
    return ax


def plot_eigenvalues(diagram: BifurcationDiagram, *, ax=None):
    """Real (solid) and imaginary (dotted) parts of the eigenvalues along the parameter."""
    ax = _axes(ax)
    for j, b in enumerate(diagram.branches):
        color = f"C{j}"
        for i in range(b.eigenvalues.shape[1]):
            lam = b.eigenvalues[:, i]
            ax.plot(diagram.values, lam.real, color=color, lw=1.5,
                    label=f"Re λ, {b.label}" if i == 0 else None)
            ax.plot(diagram.values, lam.imag, color=color, lw=1, ls=":",
                    label=f"Im λ, {b.label}" if i == 0 else None)
    ax.axhline(0, color="0.3", lw=0.8)
    for p in diagram.hopf:
        ax.axvline(p.value, color="tab:red", lw=0.8, ls="--")
    ax.set_xlabel(_param_label(diagram.param))
    ax.set_ylabel("eigenvalue (1/ms)")
    ax.legend(loc="best", fontsize=7)
    return ax


def plot_bifurcation(diagram: BifurcationDiagram, *, unit: int = 0, ax=None):
    """Fixed points (solid = stable, dashed = unstable) and cycle min/max of one unit."""
    ax = _axes(ax)
    names = diagram.names or tuple(str(i) for i in range(diagram.branches[0].states.shape[1]))
    v = diagram.values
    for j, b in enumerate(diagram.branches):
        y = b.states[:, unit]
        st = np.where(b.exists & b.stable, y, np.nan)
        un = np.where(b.exists & ~b.stable, y, np.nan)
        if np.any(np.isfinite(st)):
            ax.plot(v, st, color=f"C{j}", lw=2, label=f"fixed point, {b.label} (stable)")
        if np.any(np.isfinite(un)):
            ax.plot(v, un, color=f"C{j}", lw=1.5, ls="--",
                    label=f"fixed point, {b.label} (unstable)")
    c = diagram.cycles
    if c is not None and np.any(c.exists):
        lo = np.where(c.exists, c.minimum[:, unit], np.nan)
        hi = np.where(c.exists, c.maximum[:, unit], np.nan)
        ax.fill_between(v, lo, hi, color="0.85", zorder=0)
        ax.plot(v, lo, color="black", lw=1.5, label="limit cycle min / max")
        ax.plot(v, hi, color="black", lw=1.5)
    for p in diagram.points:
        mk = {"hopf": ("*", "tab:red", 14)}.get(p.kind, ("s", "tab:orange", 7))
        kind = "Hopf" if p.kind == "hopf" else p.kind
        ax.plot(p.value, p.state[unit], mk[0], color=mk[1], ms=mk[2], zorder=5,
                label=f"{kind} ({_param_value(diagram.param, p.value, '.4g')})")
    ax.set_xlabel(_param_label(diagram.param))
    ax.set_ylabel(_label(names, unit))
    ax.legend(loc="best", fontsize=7)
    return ax


def plot_period(diagram: BifurcationDiagram, *, ax=None, linear: bool = False):
    """Period of the limit cycle (ms) along the parameter.

    With ``linear=True``, also ``2 pi / |Im lambda|`` of each fixed-point branch with
    complex eigenvalues (the period of the linearised rotation), dashed.
    """
    ax = _axes(ax)
    if linear:
        for j, b in enumerate(diagram.branches):
            omega = np.max(np.abs(b.eigenvalues.imag), axis=1)
            ok = b.exists & (omega > 0)
            if np.any(ok):
                with np.errstate(divide="ignore"):
                    ax.plot(diagram.values, np.where(ok, 2 * np.pi / omega, np.nan),
                            color=f"C{j}", ls="--", lw=1.2,
                            label=rf"$2\pi/|\mathrm{{Im}}\,\lambda|$, {b.label}")
    c = diagram.cycles
    if c is not None:
        for mask, style, lab in ((c.exists & c.stable, "k-", "stable cycle"),
                                 (c.exists & ~c.stable, "k--", "unstable cycle")):
            if np.any(mask):
                ax.plot(diagram.values, np.where(mask, c.period, np.nan), style, lw=2,
                        label=lab)
    for p in diagram.hopf:
        ax.axvline(p.value, color="tab:red", lw=0.8, ls="--",
                   label=f"Hopf ({_param_value(diagram.param, p.value, '.4g')})")
    if c is None or not np.any(c.exists):
        ax.text(0.5, 0.5, "no limit cycle" if c is not None else "limit cycles not computed",
                transform=ax.transAxes, ha="center", va="center", color="0.4")
    ax.set_xlim(float(diagram.values[0]), float(diagram.values[-1]))
    ax.set_xlabel(_param_label(diagram.param))
    ax.set_ylabel("period (ms)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=8)
    return ax


def plot_cycle_amplitude(diagram: BifurcationDiagram, *, onset: float | None = None,
                         unit: int = 0, ax=None):
    """Peak-to-peak size (max - min) of one rate on the cycle against the distance to its
    onset (log axis).

    A smooth supercritical Hopf bifurcation gives an amplitude growing like the square
    root of that distance; the dashed reference ``A_far sqrt(d / d_far)`` goes through
    the farthest point, so a cycle born at finite amplitude stands out above it.

    Parameters
    ----------
    diagram : BifurcationDiagram
        With cycles computed, on parameter values above the onset.
    onset : float, optional
        Parameter value where the fixed point loses stability (default: the
        diagram's first Hopf point).
    unit : int, default 0
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    c = diagram.cycles
    if c is None:
        raise ParameterError("diagram", "cycles=False", "a diagram with limit cycles computed")
    if onset is None:
        if not diagram.hopf:
            raise ParameterError("onset", None, "a parameter value (the diagram has no Hopf "
                                 "point)")
        onset = float(diagram.hopf[0].value)
    ax = _axes(ax)
    names = diagram.names or tuple(str(i) for i in range(c.minimum.shape[1]))
    d = diagram.values - onset
    ok = c.exists & (d > 0)
    amp = c.maximum[:, unit] - c.minimum[:, unit]
    unit_name = names[unit] if unit < len(names) else str(unit)
    ax.plot(d[ok], amp[ok], "o-", color="tab:red",
            label=rf"peak-to-peak $\nu_{{{unit_name}}}$ on the cycle")
    if np.any(ok):
        far = int(np.flatnonzero(ok)[np.argmax(d[ok])])
        dd = np.geomspace(float(np.min(d[ok])), float(d[far]), 100)
        ax.plot(dd, amp[far] * np.sqrt(dd / d[far]), "--", color="0.4",
                label=f"smooth Hopf: ∝ √({_math_name(diagram.param)} − {onset:g}"
                      + (f" {_unit(diagram.param)})" if _unit(diagram.param) else ")"))
    else:
        ax.text(0.5, 0.5, "no limit cycle above the onset", transform=ax.transAxes,
                ha="center", va="center", color="0.4")
    ax.set_xscale("log")
    ax.set_xlabel(_param_label(diagram.param, onset))
    ax.set_ylabel(rf"peak-to-peak $\nu_{{{unit_name}}}$ on the cycle (Hz)")
    ax.legend(loc="lower right", fontsize=8)
    return ax


def plot_flow_signs(model: Any, *, x_range: tuple[float, float], y_range: tuple[float, float],
                    num: tuple[int, int] = (9, 7), ax=None):
    """The sign of each component of the flow: a horizontal and a vertical arrow per point.

    At each point of a ``num[0] x num[1]`` grid (cell centres of the window) a
    horizontal arrow points along the sign of ``dx_0/dt`` and a vertical one along the
    sign of ``dx_1/dt`` (E-I: right = E rises, up = I rises). The signs change only
    across the nullclines (draw them with :func:`plot_phase_plane`).

    Parameters
    ----------
    model : EIModel, RateNetwork, or model with ``to_network()`` (2 units)
    x_range, y_range : (float, float)
        Window (Hz).
    num : (int, int), default (9, 7)
        Grid points along x and y.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    nx = check_int("num[0]", num[0], minimum=1)
    ny = check_int("num[1]", num[1], minimum=1)
    net = as_network(model)
    names = tuple(net.names or ("x0", "x1"))
    ax = _axes(ax)
    (x0, x1), (y0, y1) = x_range, y_range
    dx, dy = (x1 - x0) / nx, (y1 - y0) / ny
    X, Y = np.meshgrid(x0 + (np.arange(nx) + 0.5) * dx, y0 + (np.arange(ny) + 0.5) * dy)
    F = net.rhs(0.0, np.stack([X, Y], axis=-1))
    sx, sy = np.sign(F[..., 0]), np.sign(F[..., 1])
    for U, V, step, i in ((sx, 0 * sx, dx, 0), (0 * sy, sy, dy, 1)):
        ax.quiver(X, Y, U, V, color=_UNIT_COLORS[i], angles="xy", scale_units="xy",
                  scale=1.0 / (0.4 * step), width=0.004, zorder=4,
                  label=rf"sign of $d\nu_{{{names[i]}}}/dt$")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(_label(names, 0))
    ax.set_ylabel(_label(names, 1))
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    return ax


def plot_multipliers(diagram: BifurcationDiagram, *, ax=None):
    """Moduli of the non-trivial Floquet multipliers of the cycle along the parameter.

    Below 1: the cycle attracts; the trivial multiplier (1, along the orbit) is left out.
    """
    ax = _axes(ax)
    c = diagram.cycles
    if c is not None and np.any(c.exists):
        mods = np.abs(c.multipliers[:, 1:])
        for j in range(mods.shape[1]):
            ax.semilogy(diagram.values, np.where(c.exists, mods[:, j], np.nan), "k.-", ms=3,
                        lw=1, label="|non-trivial multiplier|" if j == 0 else None)
        ax.axhline(1.0, color="tab:red", lw=0.8, ls="--", label="1 (neutral)")
        ax.legend(loc="best", fontsize=8)
    else:
        ax.text(0.5, 0.5, "no limit cycle" if c is not None else "limit cycles not computed",
                transform=ax.transAxes, ha="center", va="center", color="0.4")
    ax.set_xlim(float(diagram.values[0]), float(diagram.values[-1]))
    ax.set_xlabel(_param_label(diagram.param))
    ax.set_ylabel("Floquet multiplier modulus")
    return ax


def phase_plane_figure(model: Any, *, trajectories: Sequence[Any] = (),
                       cycle: LimitCycle | None = None,
                       fixed_points: Sequence[FixedPoint] | None = None):
    """Two panels: the phase plane and the time course of the first trajectory."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5), gridspec_kw={"width_ratios": [1.1, 1]})
    plot_phase_plane(model, ax=axes[0], trajectories=trajectories, cycle=cycle,
                     fixed_points=fixed_points)
    if trajectories:
        plot_time_course(trajectories[0], ax=axes[1])
        axes[1].set_title("time course from the first starting point")
    else:
        axes[1].set_axis_off()
    fig.suptitle(_params_line(_params(model)), fontsize=9)
    fig.tight_layout()
    return fig


def bifurcation_figure(diagram: BifurcationDiagram):
    """Six panels: diagram for E and for I, cycle period; trace-determinant path,
    eigenvalues, Floquet multipliers, all against the parameter."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(18, 10))
    plot_bifurcation(diagram, unit=0, ax=axes[0, 0])
    plot_bifurcation(diagram, unit=1, ax=axes[0, 1])
    plot_period(diagram, ax=axes[0, 2])
    plot_trace_determinant(diagram, ax=axes[1, 0])
    plot_eigenvalues(diagram, ax=axes[1, 1])
    plot_multipliers(diagram, ax=axes[1, 2])
    others = {k: v for k, v in diagram.model.items()
              if k not in ("model", "transfer", diagram.param)}
    fig.suptitle(f"varying {_math_name(diagram.param)}; {_params_line(others)}", fontsize=9)
    fig.tight_layout()
    return fig


def _params(model: Any) -> dict[str, float]:
    d = model.to_dict() if hasattr(model, "to_dict") else {}
    return {k: v for k, v in d.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
