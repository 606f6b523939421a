"""Figures of the ring model: space-time activity, profiles, order parameters, amplification.

Every function takes an optional ``ax`` (a new figure is made when it is None)
and returns the Axes it drew on; none calls ``plt.show()``.  Angles are shown in
degrees by default (``degrees=False`` for radians); times in units of tau.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import ParameterError, check_int
from ._style import REGIME_COLORS

__all__ = [
    "plot_amplification",
    "plot_order_parameters",
    "plot_profile",
    "plot_regime_map",
    "plot_spacetime",
    "plot_tuning_vs_eps",
    "plot_uniform_rate",
    "ring_summary_figure",
]

_REGIME_COLORS = REGIME_COLORS  # one palette: ratenet.plotting._style


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    return ax


def _row(traj: Any, row: int | None):
    """Rates (T, N), M (T,), C (T,) and params of one row of a (batched) trajectory."""
    shape = tuple(traj.batch_shape)
    if shape == ():
        if row not in (None, 0):
            raise ParameterError("row", row, "None or 0 for a single trajectory")
        return traj.rates, traj.M, traj.C, traj.params
    if row is None:
        raise ParameterError("row", row, f"an index into the batch of shape {shape}")
    B = int(np.prod(shape))
    if not (-B <= row < B):
        raise ParameterError("row", row, f"an integer in [0, {B})")
    R = traj.rates.reshape((B, *traj.rates.shape[-2:]))
    params = traj.params if isinstance(traj.params, list) else [traj.params]
    return (R[row], np.asarray(traj.M).reshape(B, -1)[row],
            np.asarray(traj.C).reshape(B, -1)[row], params[row])


def _unit_relu(params: dict[str, Any]) -> bool:
    """True for the transfer the theory assumes: threshold-linear, gain 1, threshold 0."""
    tr = params.get("transfer") or {}
    return (tr.get("type", "ThresholdLinear") == "ThresholdLinear"
            and float(tr.get("gain", 1.0)) == 1.0 and float(tr.get("threshold", 0.0)) == 0.0)


def _angle_axis(degrees: bool) -> tuple[float, str]:
    return (180.0 / np.pi, r"preferred angle $\theta$ (deg)") if degrees else (
        1.0, r"preferred angle $\theta$ (rad)")


def plot_spacetime(traj: Any, *, ax=None, row: int | None = None, degrees: bool = True,
                   cmap: str = "viridis", colorbar: bool = True, position: bool = False):
    """Heatmap of the rates ``m(theta, t)``: time on x, preferred angle on y.

    Parameters
    ----------
    traj : RingTrajectory
        Recorded with ``record_every`` set (at least two time points).
    ax : matplotlib Axes, optional
    row : int, optional
        Which row of a batched trajectory.
    degrees : bool, default True
        Angle axis in degrees (else radians).
    cmap : str, default "viridis"
    colorbar : bool, default True
    position : bool, default False
        Overlay the bump position ``arg C(t)`` (a cyan line, broken where it wraps
        around the ring).

    Returns
    -------
    matplotlib.axes.Axes
    """
    R, _, C, _ = _row(traj, row)
    if R.shape[0] < 2:
        raise ParameterError("traj", f"{R.shape[0]} recorded time", "a trajectory recorded "
                             "at two or more times (simulate with record_every set)")
    ax = _axes(ax)
    scale, label = _angle_axis(degrees)
    N = R.shape[-1]
    t = np.asarray(traj.t)
    edges_theta = (np.arange(N + 1) - 0.5) * 2 * np.pi / N * scale
    dt = np.diff(t)
    edges_t = np.concatenate([[t[0] - dt[0] / 2], t[:-1] + dt / 2, [t[-1] + dt[-1] / 2]])
    finite = np.isfinite(R)
    vmax = float(np.nanmax(R[finite])) if finite.any() else 1.0
    mesh = ax.pcolormesh(edges_t, edges_theta, R.T, cmap=cmap, shading="flat", vmin=0.0,
                         vmax=vmax if vmax > 0 else 1.0, rasterized=True)
    ax.set_xlabel(r"time $t$ ($\tau$)")
    ax.set_ylabel(label)
    ax.set_ylim(0.0, 2 * np.pi * scale)
    if degrees:
        ax.set_yticks([0, 90, 180, 270, 360])
    else:
        ax.set_yticks([0, np.pi / 2, np.pi, 3 * np.pi / 2, 2 * np.pi],
                      ["0", r"$\pi/2$", r"$\pi$", r"$3\pi/2$", r"$2\pi$"])
    ax.set_title(r"activity $m(\theta, t)$")
    if position:
        pos = np.mod(np.angle(np.asarray(C)), 2 * np.pi) * scale
        jump = np.abs(np.diff(pos)) > np.pi * scale   # wrapped around the ring
        tt = np.insert(t, np.flatnonzero(jump) + 1, np.nan)
        pp = np.insert(pos, np.flatnonzero(jump) + 1, np.nan)
        ax.plot(tt, pp, color="c", lw=1.0, label=r"bump position $\arg C(t)$")
        ax.legend(loc="upper right", fontsize="small")
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=r"rate $m$")
    return ax


def plot_profile(traj: Any = None, *, theory: Any = True, ax=None, row: int | None = None,
                 degrees: bool = True, time_index: int = -1, color: str | None = None,
                 label: str | None = None, legend: bool = True, origin: float = 0.0,
                 stride: int = 1, edges: bool = True, show_input: bool = False):
    """Rate profile ``m(theta)`` of a simulation (dots) with the N -> inf theory (line).

    Parameters
    ----------
    traj : RingTrajectory, optional
        The simulation; its state at ``time_index`` (default: the last) is drawn.
    theory : RingSteadyState, True, or None, default True
        The theoretical stationary state to overlay; True computes it from the
        trajectory's parameters and the input present at the time shown
        (threshold-linear ring with J0, J1 only, static input), and
        None draws no theory.  When the bump position is free (eps = 0), the
        theory is centred on the simulated bump.
    ax, row, degrees
        As in :func:`plot_spacetime`.
    time_index : int, default -1
        Which recorded time to draw.
    color : str, optional
        One colour for the dots and the theory line (default: C0 dots, C3 line),
        so that several profiles can share an Axes.
    label : str, optional
        Legend name of this profile: the dots are labelled ``label`` and the line
        ``"label, theory (regime)"`` (default: "simulation (N = ...)" and
        "theory, N → ∞ (regime)").
    legend : bool, default True
        Draw the legend.
    origin : float, default 0
        The angle axis runs over ``[origin, origin + 2 pi)`` (radians), e.g.
        ``-pi`` to centre a bump at 0.
    stride : int, default 1
        Draw every ``stride``-th neuron; with ``stride > 1`` as open circles, so
        that the theory line stays visible under a large ring.
    edges : bool, default True
        Mark the edges ``theta0 -+ theta_c`` of the active region (narrow and
        marginal states) with dotted vertical lines.
    show_input : bool, default False
        Also draw the external input ``h(theta) = h0 + eps cos(theta - theta0)``
        present at the time shown (grey, dashed); needs ``traj`` with a static
        input (no ``omega``, no ``external``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..theory.ring import RingSteadyState, stationary_state

    stride = check_int("stride", stride, minimum=1)
    ax = _axes(ax)
    scale, xlabel = _angle_axis(degrees)
    origin = float(origin)

    def wrap(angle):
        return (np.mod(np.asarray(angle) - origin, 2 * np.pi) + origin) * scale

    th_fine = np.linspace(origin, origin + 2 * np.pi, 721)
    position = None
    params: dict[str, Any] = {}
    title = "stationary profile"
    if traj is not None:
        R, _, _, params = _row(traj, row)
        k = time_index % R.shape[0]
        good = np.flatnonzero(np.all(np.isfinite(R), axis=-1))
        if not np.all(np.isfinite(R[k])) and good.size:
            k = int(good[-1])
        m = R[k]
        t_shown = float(np.asarray(traj.t)[k])
        title = rf"profile at $t = {t_shown:g}\,\tau$"
        N = m.size
        th = 2 * np.pi * np.arange(N) / N
        style: dict[str, Any] = (dict(marker=".", ms=3) if stride == 1
                                 else dict(marker="o", ms=3.5, mfc="none"))
        ax.plot(wrap(th[::stride]), m[::stride], ls="none", color=color or "C0", zorder=3,
                label=label or f"simulation (N = {N})", **style)
        position = float(np.angle(np.mean(m * np.exp(1j * th))))
    if show_input:
        if traj is None or params.get("external") is not None or (
                params.get("omega", 0.0) != 0.0):
            raise ParameterError("show_input", show_input, "False unless traj has a static "
                                 "cosine input (no omega, no external)")
        t_end = np.inf if params.get("t_off") is None else params["t_off"]
        eps_in = params["eps"] if params.get("t_on", 0.0) <= t_shown < t_end else 0.0
        ax.plot(th_fine * scale,
                params["h0"] + eps_in * np.cos(th_fine - params.get("theta0", 0.0)),
                color="0.5", ls="--", lw=1.2,
                label=r"input $h(\theta) = h_0 + \epsilon\cos(\theta - \theta_0)$")
    state = theory
    if theory is True:
        if traj is None:
            raise ParameterError("theory", theory, "a RingSteadyState when no traj is given")
        state = None
        t_off = np.inf if params.get("t_off") is None else params["t_off"]
        eps_now = params["eps"] if params.get("t_on", 0.0) <= t_shown < t_off else 0.0
        if (not params.get("J_higher") and params.get("external") is None
                and (eps_now == 0.0 or params.get("omega", 0.0) == 0.0)
                and _unit_relu(params)):  # theory: static input, J0 and J1 only
            state = stationary_state(J0=params["J0"], J1=params["J1"], h0=params["h0"],
                                     eps=eps_now, theta0=params.get("theta0", 0.0))
    if isinstance(state, RingSteadyState) and state.bounded:
        if state.eps == 0.0 and position is not None:
            state = stationary_state(J0=state.J0, J1=state.J1, h0=state.h0, eps=0.0,
                                     theta0=position)
        ax.plot(th_fine * scale, state.profile(th_fine), "-", color=color or "C3", lw=1.5,
                label=(f"theory, N → ∞ ({state.regime})" if label is None
                       else f"{label}, theory ({state.regime})"))
        if edges and 0.0 < state.theta_c < np.pi:
            for s in (-1, 1):
                ax.axvline(float(wrap(state.theta0 + s * state.theta_c)), color=color or "C3",
                           ls=":", lw=0.8)
    elif isinstance(state, RingSteadyState):
        ax.text(0.5, 0.9, "theory: unstable (no bounded state)", transform=ax.transAxes,
                ha="center", color=color or "C3")
    ax.set_xlim(origin * scale, (origin + 2 * np.pi) * scale)
    if degrees:
        ax.set_xticks(origin * scale + np.array([0, 90, 180, 270, 360]))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"rate $m(\theta)$")
    top = max((float(np.nanmax(np.asarray(line.get_ydata(), dtype=float)))
               for line in ax.lines if len(line.get_ydata()) > 2), default=1.0)
    ax.set_ylim(0.0, 1.15 * top if top > 0 else 1.0)
    ax.set_title(title)
    if legend:
        ax.legend(loc="best", fontsize="small")
    return ax


def _all_driven(R, C, t, p) -> np.ndarray:
    """Per recorded time: is every neuron's input above threshold (shape (T,))?"""
    N = R.shape[-1]
    th = 2 * np.pi * np.arange(N) / N
    t_off = np.inf if p.get("t_off") is None else p["t_off"]
    on = (p.get("t_on", 0.0) <= t) & (t < t_off)
    phase = p.get("theta0", 0.0) + p.get("omega", 0.0) * t
    u = (p["J0"] * R.mean(axis=-1)[:, None] + p["J1"] * np.real(C[:, None] * np.exp(-1j * th))
         + p["h0"] + (p["eps"] * on)[:, None] * np.cos(th[None, :] - phase[:, None]))
    thr = (p.get("transfer") or {}).get("threshold", 0.0)
    return np.all(u > thr, axis=-1)


def plot_order_parameters(traj: Any, *, ax=None, row: int | None = None, reduced: bool = True,
                          theory: bool = True):
    """``M(t)`` and ``|C(t)|`` of a simulation with the reduced linear ODE overlaid.

    Parameters
    ----------
    traj : RingTrajectory
    ax, row
        As in :func:`plot_spacetime`.
    reduced : bool, default True
        Overlay the closed-form solution of the reduced dynamics
        (:func:`ratenet.theory.ring.reduced_dynamics`) from the recorded initial
        state, drawn only while every neuron's input stays above threshold
        (where the reduction is exact).
    theory : bool, default True
        Dotted lines at the stationary values ``M = r0 - m0`` and ``|C| = m1/2``
        (static input only).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..theory.ring import reduced_dynamics

    R, M, C, params = _row(traj, row)
    ax = _axes(ax)
    t = np.asarray(traj.t)
    ax.plot(t, M, color="C0", lw=1.5, label=r"$M(t)$, simulation")
    ax.plot(t, np.abs(C), color="C1", lw=1.5, label=r"$|C(t)|$, simulation")
    simple = (params.get("external") is None and not params.get("J_higher")
              and _unit_relu(params))
    if reduced and simple and t.size > 1 and params.get("J0", 1.0) != 1.0:
        n_valid = int(np.sum(np.cumprod(_all_driven(R, C, t, params))))
        if n_valid > 1:
            N = R.shape[-1]
            th = 2 * np.pi * np.arange(N) / N
            m_init = R[0]
            t_off = params.get("t_off")
            Mr, Cr = reduced_dynamics(
                t[:n_valid], J0=params["J0"], J1=params["J1"], h0=params["h0"],
                eps=params["eps"], theta0=params.get("theta0", 0.0),
                omega=params.get("omega", 0.0), t_on=params.get("t_on", 0.0),
                t_off=np.inf if t_off is None else t_off, tau=params.get("tau", 1.0),
                M_init=float(m_init.mean() - params["h0"] / (1 - params["J0"])),
                C_init=complex(np.mean(m_init * np.exp(1j * th))))
            ax.plot(t[:n_valid], Mr, "--", color="k", lw=1.0,
                    label="reduced linear ODE (all neurons driven)")
            ax.plot(t[:n_valid], np.abs(Cr), "--", color="k", lw=1.0)
            if n_valid < t.size:
                ax.axvline(t[n_valid - 1], color="0.5", ls=":", lw=0.8)
                ax.text(t[n_valid - 1], 0.5, "a neuron falls below threshold ", va="center",
                        ha="right", rotation=90, fontsize=7, color="0.4",
                        transform=ax.get_xaxis_transform())
    if theory and simple and params.get("omega", 0.0) == 0.0 and params.get("t_off") is None:
        from ..theory.ring import stationary_state, uniform_rate

        st = stationary_state(J0=params["J0"], J1=params["J1"], h0=params["h0"],
                              eps=params["eps"])
        m0 = uniform_rate(params["J0"], params["h0"])
        if st.bounded and np.isfinite(m0):
            ax.axhline(st.r0 - m0, color="C0", ls=":", lw=1.0)
            ax.axhline(st.m1 / 2, color="C1", ls=":", lw=1.0,
                       label=f"stationary theory ({st.regime})")
    ax.axhline(0.0, color="0.8", lw=0.5)
    ax.set_xlabel(r"time $t$ ($\tau$)")
    ax.set_ylabel("order parameter")
    ax.set_title(r"$M(t)$ (about $h_0/(1-J_0)$) and $|C(t)|$")
    ax.legend(loc="best", fontsize="small")
    return ax


def _has_gid(ax, gid: str) -> bool:
    return any(artist.get_gid() == gid for artist in ax.lines)


def plot_uniform_rate(J0s: Any = None, *, h0: float = 1.0, ax=None, measured: Any = None):
    """Rate of the uniform state ``m0 = h0 / (1 - J0)`` against J0 (log scale).

    Parameters
    ----------
    J0s : array_like, optional
        Values of J0 for the theory curve (default: 400 points on ``[-8, 0.95]``);
        values >= 1 are dropped (no bounded uniform state there).
    h0 : float, default 1
        Uniform input, > 0.
    ax : matplotlib Axes, optional
    measured : tuple of array_like ``(J0, m0)``, optional
        Simulated mean rates to overlay (open circles).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..theory.ring import uniform_rate

    if not (np.isfinite(h0) and h0 > 0):
        raise ParameterError("h0", h0, "a finite number > 0 (else the uniform rate is 0)")
    if J0s is None:
        J0s = np.linspace(-8.0, 0.95, 400)
    J0s = np.asarray(J0s, dtype=float)
    J0s = J0s[J0s < 1.0]
    ax = _axes(ax)
    ax.plot(J0s, [uniform_rate(float(j), h0) for j in J0s], color="C0", lw=1.5,
            label=r"theory $m_0 = h_0/(1 - J_0)$")
    if measured is not None:
        mj, mr = (np.asarray(v, dtype=float) for v in measured)
        ax.plot(mj, mr, "o", color="C1", mfc="none", ms=7, label="simulation")
    ax.axvline(1.0, color="k", ls="--", lw=1.0, label=r"$J_0 = 1$: no bounded uniform state")
    ax.set_yscale("log")
    ax.set_xlabel(r"uniform coupling $J_0$")
    ax.set_ylabel(rf"uniform rate $m_0$ ($h_0 = {h0:g}$)")
    ax.set_title(r"uniform state against $J_0$")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_amplification(J1s: Any = None, *, J0: float, ax=None, measured: Any = None,
                       color: str | None = None):
    """Amplification ``(m1/m0)/(eps/h0) = (1 - J0)/(1 - J1/2)`` against J1.

    Parameters
    ----------
    J1s : array_like, optional
        Values of J1 for the theory curve (default: 200 points on
        ``[min(2 J0, 0) - 1, 1.95]``); values >= 2 are dropped (no linear
        response there).
    J0 : float
        Must be < 1.
    ax : matplotlib Axes, optional
    measured : tuple of array_like ``(J1, amplification)``, optional
        Simulated points to overlay.
    color : str, optional
        One colour for the curve, the points and the ``J1 = 2 J0`` line (default:
        C3, C0, C2), so that several J0 can share an Axes; the lines common to
        all J0 (amplification 1, ``J1 = 2``) are drawn once.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..theory.ring import amplification

    amplification(J0=J0, J1=0.0)  # validates J0 < 1
    if J1s is None:
        J1s = np.linspace(min(2 * J0, 0.0) - 1.0, 1.95, 200)
    J1s = np.asarray(J1s, dtype=float)
    J1s = J1s[J1s < 2.0]
    ax = _axes(ax)
    amp = (1.0 - J0) / (1.0 - J1s / 2.0)
    ax.plot(J1s, amp, color=color or "C3", lw=1.5,
            label=rf"theory $(1-J_0)/(1-J_1/2)$, $J_0={J0:g}$")
    if not _has_gid(ax, "amplification-one"):
        ax.axhline(1.0, color="0.5", lw=0.8, gid="amplification-one")
    ax.axvline(2 * J0, color=color or "C2", ls="--", lw=1.0,
               label=rf"$J_1 = 2J_0 = {2 * J0:g}$ (amplification 1)")
    if not _has_gid(ax, "amplification-J1-2"):
        ax.axvline(2.0, color="k", ls=":", lw=1.0, label=r"$J_1 = 2$ (cos mode unstable)",
                   gid="amplification-J1-2")
    if measured is not None:
        mj, ma = (np.asarray(v, dtype=float) for v in measured)
        ax.plot(mj, ma, "o", color=color or "C0", ms=5, mfc="none" if color else None,
                label=rf"simulation, $J_0={J0:g}$")
    ax.set_yscale("log")
    ax.set_xlabel(r"$J_1$")
    ax.set_ylabel(r"$(m_1/m_0)\,/\,(\epsilon/h_0)$")
    ax.set_title("amplification of the input tuning (all neurons active)")
    # under the axes: inside, the vertical J1 = 2 J0 line runs through it
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize="small",
              frameon=False)
    return ax


def plot_tuning_vs_eps(eps: Any = None, *, J0: float, J1: float, h0: float = 1.0, ax=None,
                       measured: Any = None):
    """Half-width ``theta_c`` and cos amplitude ``m1`` of the stationary profile against eps.

    ``theta_c`` (left axis) is pi while every neuron is active and shrinks once the
    input is tuned enough to silence some (narrow regime); ``m1`` (right axis) is
    compared with the linear formula ``eps/(1 - J1/2)``, exact only up to
    ``eps = h0 (1 - J1/2)/(1 - J0)`` (``m1 = m0``, dashed vertical line).

    Parameters
    ----------
    eps : array_like, optional
        Input modulations (default: 120 points on ``[0.01, 1.5 h0]``), >= 0.
    J0, J1, h0 : float
        Couplings and uniform input (theory of :func:`ratenet.theory.ring.stationary_states`).
    ax : matplotlib Axes, optional
        The left axis; the right one is made with ``twinx``.
    measured : tuple of array_like ``(eps, theta_c, m1)``, optional
        Simulated values to overlay (open circles).

    Returns
    -------
    matplotlib.axes.Axes
        The left (theta_c) axis.
    """
    from ..theory.ring import stationary_states

    if eps is None:
        eps = np.linspace(0.01, 1.5 * h0, 120)
    eps = np.asarray(eps, dtype=float)
    st = stationary_states(J0=J0, J1=J1, h0=h0, eps=eps)
    ax = _axes(ax)
    ax.plot(eps, st["theta_c"], color="C0", lw=2, label=r"$\theta_c$ (theory)")
    ax.axhline(np.pi, color="C0", ls=":", lw=1)
    ax.set_xlabel(r"input modulation $\epsilon$")
    ax.set_ylabel(r"half-width $\theta_c$ (rad)", color="C0")
    right = ax.twinx()
    right.plot(eps, st["m1"], color="C3", lw=2, label=r"$m_1$ (theory)")
    if J1 < 2.0:
        right.plot(eps, eps / (1.0 - J1 / 2.0), color="C3", ls="--", lw=1,
                   label=r"$m_1 = \epsilon/(1 - J_1/2)$, linear")
    right.set_ylabel(r"cos amplitude $m_1$", color="C3")
    if measured is not None:
        me, mt, mm = (np.asarray(v, dtype=float) for v in measured)
        ax.plot(me, mt, "o", color="C0", mfc="none", label=r"$\theta_c$ (simulation)")
        right.plot(me, mm, "o", color="C3", mfc="none", label=r"$m_1$ (simulation)")
    if J0 < 1.0 and J1 < 2.0 and h0 > 0:
        e_lim = h0 * (1 - J1 / 2) / (1 - J0)
        ax.axvline(e_lim, color="k", ls="--", lw=1)
        ax.text(e_lim, 0.02, r" $m_1 = m_0$: neurons" + "\n" + " start to fall silent",
                fontsize=8, transform=ax.get_xaxis_transform())
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = right.get_legend_handles_labels()
    # below the axes: the curves of the two y axes leave no free corner inside
    ax.legend(h1 + h2, l1 + l2, fontsize="small", loc="upper center", ncol=3,
              bbox_to_anchor=(0.5, -0.14), frameon=False)
    ax.set_title(rf"width and modulation, $J_0 = {J0:g}$, $J_1 = {J1:g}$, $h_0 = {h0:g}$")
    return ax


def plot_regime_map(J0s: Any, J1s: Any, *, h0: float, eps: float, ax=None):
    """Regimes of the ring (theory) on a (J0, J1) grid, with ``J0_c(J1)`` drawn.

    Parameters
    ----------
    J0s, J1s : array_like of shape (n0,), (n1,)
    h0, eps : float
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    from ..theory.ring import REGIMES, critical_J0, stationary_states

    J0s = np.asarray(J0s, dtype=float)
    J1s = np.asarray(J1s, dtype=float)
    states = stationary_states(J0=J0s[None, :], J1=J1s[:, None], h0=h0, eps=eps)
    grid, codes = states["regime"], states["regime_code"]
    ax = _axes(ax)
    cmap = ListedColormap([_REGIME_COLORS[r] for r in REGIMES])
    ax.pcolormesh(J0s, J1s, codes, cmap=cmap, vmin=-0.5, vmax=len(REGIMES) - 0.5,
                  shading="nearest", rasterized=True)
    J1c = J1s[J1s > 2.0]
    if J1c.size:
        ax.plot(critical_J0(J1c), J1c, "k-", lw=1.0)
    ax.axhline(2.0, color="k", ls=":", lw=0.8)
    ax.axvline(1.0, color="k", ls=":", lw=0.8)
    ax.set_xlim(J0s.min(), J0s.max())
    ax.set_ylim(J1s.min(), J1s.max())
    ax.set_xlabel(r"$J_0$")
    ax.set_ylabel(r"$J_1$")
    ax.set_title(rf"regimes, $h_0 = {h0:g}$, $\epsilon = {eps:g}$ (theory, $N\to\infty$)")
    present = [r for r in REGIMES if np.any(grid == r)]
    handles: list[Any] = [Patch(color=_REGIME_COLORS[r], label=r) for r in present]
    if J1c.size:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], color="k", lw=1.0, label=r"$J_0^c(J_1)$ at $\epsilon=0$"))
    ax.legend(handles=handles, loc="upper left", fontsize="small")
    return ax


def ring_summary_figure(traj: Any, *, row: int | None = None, degrees: bool = True):
    """Three panels: space-time activity, final profile with theory, ``M`` and ``|C|``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained")
    plot_spacetime(traj, ax=axes[0], row=row, degrees=degrees)
    plot_profile(traj, ax=axes[1], row=row, degrees=degrees)
    plot_order_parameters(traj, ax=axes[2], row=row)
    _, _, _, p = _row(traj, row)
    fig.suptitle(
        rf"ring model: $J_0={p['J0']:g}$, $J_1={p['J1']:g}$, $h_0={p['h0']:g}$, "
        rf"$\epsilon={p['eps']:g}$, N = {traj.rates.shape[-1]}" + (
            "" if traj.ok else "  (diverged)"))
    return fig
