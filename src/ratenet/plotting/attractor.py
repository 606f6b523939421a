"""Figures of the ring's attractor dynamics: phase diagram, bump diffusion, tracking, memory.

Each function takes a result of :mod:`ratenet.attractor` and an optional ``ax``
(a new figure is made when it is None), returns the Axes it drew on, and never
calls ``plt.show()``.  Times are in units of tau, angles in radians.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._style import REGIME_COLORS as _COLORS
from ._style import clean_number, format_percent

__all__ = ["plot_diffusion", "plot_memory", "plot_phase_diagram", "plot_tracking"]


def _axes(ax, size=(6.0, 4.0)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _g(v: float) -> str:
    """``f"{v:g}"`` with a true minus sign (as on the tick labels), for titles."""
    return f"{float(v):g}".replace("-", "−")


def _sci(v: float, digits: int = 3, exponent: int | None = None) -> str:
    """``v`` for a label: plain below 1e4 and from 1e-3 up, else mathtext ``1.7 \\times
    10^{-7}`` (never Python's ``1.7e-07``); ``exponent`` forces a common power of ten."""
    v = float(v)
    if not np.isfinite(v) or v == 0.0:
        return f"{v:g}"
    e = exponent if exponent is not None else int(np.floor(np.log10(abs(v))))
    if exponent is None:
        plain = f"{v:.{digits}g}"
        if -3 <= e < 4 and "e" not in plain:
            return plain
        e = int(np.floor(np.log10(abs(float(plain)))))  # 9999.7 rounds to 1e4: exponent 4
    mant = f"{v / 10.0**e:.{digits}g}".replace("-", "−")
    return rf"${mant}\times10^{{{e}}}$"


def _edges(v: np.ndarray) -> np.ndarray:
    """Cell edges for cell centres ``v`` (n,) -> (n + 1,)."""
    if v.size == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = 0.5 * (v[1:] + v[:-1])
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


def plot_phase_diagram(result: Any, *, ax=None, mark_disagreements: bool = True):
    """Measured regimes (colours), analytic boundaries (black lines), disagreements (x).

    Parameters
    ----------
    result : PhaseDiagramResult
    ax : matplotlib Axes, optional
    mark_disagreements : bool, default True
        Cross out the cells where simulation and theory differ.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    from ..theory.ring import REGIMES

    ax = _axes(ax, (6.4, 5.0))
    meas = result.codes("measured")
    theo = result.codes("theory")
    cmap = ListedColormap([_COLORS[r] for r in REGIMES])
    norm = BoundaryNorm(np.arange(len(REGIMES) + 1) - 0.5, cmap.N)
    x_e, y_e = _edges(result.J0s), _edges(result.J1s)
    ax.pcolormesh(x_e, y_e, meas, cmap=cmap, norm=norm, shading="flat")
    # analytic boundaries: cell edges where the theory's regime changes
    segs = []
    for i in range(theo.shape[0]):
        for j in range(theo.shape[1] - 1):
            if theo[i, j] != theo[i, j + 1]:
                segs.append([(x_e[j + 1], y_e[i]), (x_e[j + 1], y_e[i + 1])])
    for i in range(theo.shape[0] - 1):
        for j in range(theo.shape[1]):
            if theo[i, j] != theo[i + 1, j]:
                segs.append([(x_e[j], y_e[i + 1]), (x_e[j + 1], y_e[i + 1])])
    if segs:
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(segs, colors="k", linewidths=1.2))
    n_bad = 0
    if mark_disagreements:
        bad = np.argwhere(~result.agree)
        n_bad = len(bad)
        if n_bad:
            ax.scatter(result.J0s[bad[:, 1]], result.J1s[bad[:, 0]], marker="x", s=14,
                       c="#b2182b", linewidths=0.8, zorder=3)
    present = [r for r in REGIMES if np.any(result.measured == r) or np.any(result.theory == r)]
    handles: list[Any] = [Patch(facecolor=_COLORS[r], edgecolor="0.5", label=r)
                          for r in present]
    from matplotlib.lines import Line2D

    handles.append(Line2D([], [], color="k", lw=1.2, label="theory boundary"))
    if n_bad:
        handles.append(Line2D([], [], color="#b2182b", marker="x", lw=0,
                              label=f"disagree ({n_bad})"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False)
    ax.set_xlim(x_e[0], x_e[-1])
    ax.set_ylim(y_e[0], y_e[-1])
    ax.set_xlabel(r"uniform coupling $J_0$")
    ax.set_ylabel(r"cosine coupling $J_1$")
    p = result.params
    agree = np.asarray(result.agree, dtype=bool)
    ax.set_title(f"Ring regimes, $h_0$ = {_g(p['h0'])}, $\\epsilon$ = {_g(p['eps'])}, "
                 f"N = {p['N']}: "
                 f"agreement {format_percent(int(agree.sum()), agree.size)}", fontsize=10)
    return ax


def plot_diffusion(result: Any, *, ax=None):
    """Mean squared displacement of the bump position, its fit and the theory.

    Parameters
    ----------
    result : DiffusionResult
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    t, msd, se = result.lag_t, result.msd, result.msd_se
    ax.fill_between(t, msd - 2 * se, msd + 2 * se, color="C0", alpha=0.25, lw=0,
                    label="MSD $\\pm$ 2 s.e.")
    ax.plot(t, msd, color="C0", lw=1.5, label=f"MSD over {result.trials} trials")
    fit = t >= result.fit_from
    D = result.diffusion_coefficient
    # one power of ten for the fit, its interval and the theory, so they read side by side
    d_exp = int(np.floor(np.log10(abs(D)))) if np.isfinite(D) and D != 0 else 0
    e: int | None = None if -3 <= d_exp < 4 else d_exp
    ax.plot(t[fit], result.fit_intercept + 2 * D * t[fit], "--", color="C3", lw=1.2,
            label=f"fit: D = {_sci(D, 3, e)}, {100 * result.confidence:g}% CI "
                  f"[{_sci(result.ci_low, 3, e)}, "
                  f"{_sci(result.ci_high, 3, e)}]")
    if np.isfinite(result.theory):
        ax.plot(t, 2 * result.theory * t, ":", color="k", lw=1.4,
                label=f"theory $\\sigma^2/(N m_1^2)$ = {_sci(result.theory, 3, e)}")
    ax.set_xlabel(r"time since start of measurement ($\tau$)")
    ax.set_ylabel(r"mean squared displacement (rad$^2$)")
    ax.set_xlim(0, t[-1])
    ax.set_ylim(bottom=0)
    p = result.params
    m = p["model"]
    ax.set_title(f"Bump diffusion: $J_0$ = {_g(m['J0'])}, $J_1$ = {_g(m['J1'])}, N = {m['N']}, "
                 f"$\\sigma$ = {p['sigma']:g}", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_tracking(result: Any, *, ax=None, n_theory: int = 200):
    """Lag of the bump behind a rotating stimulus against its speed, with the theory.

    Parameters
    ----------
    result : TrackingResult
    ax : matplotlib Axes, optional
    n_theory : int, default 200
        Points of the theory curve.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..attractor import tracking_lag_theory
    from ..models.ring import RingModel

    ax = _axes(ax)
    w = result.speeds
    model = RingModel.from_dict(result.params["model"])
    lo, hi = min(0.0, float(w.min())), max(0.0, float(w.max()))
    if hi == lo:
        hi = lo + 1.0
    ws = np.linspace(lo, hi, n_theory)
    th = tracking_lag_theory(model, ws)
    if np.any(np.isfinite(th)):
        ax.plot(ws, th, "-", color="k", lw=1.2, label="theory")
    ok = result.locked
    ax.plot(w[ok], result.lag[ok], "o", color="C0", ms=5, label="simulation (locked)")
    if np.any(~ok):
        ax.plot(w[~ok], np.zeros(int((~ok).sum())), "x", color="C3", ms=6,
                label="bump cannot follow")
    ax.axhline(0.0, color="0.7", lw=0.8)
    ax.set_xlabel(r"stimulus speed $\omega$ (rad / $\tau$)")
    ax.set_ylabel("lag of the bump (rad)")
    ax.set_title(f"Tracking: $J_0$ = {_g(model.J0)}, $J_1$ = {_g(model.J1)}, "
                 f"$\\epsilon$ = {model.eps:g}, N = {model.N}", fontsize=10)
    ax.legend(fontsize=8)
    return ax


def plot_memory(result: Any, *, ax=None):
    """Bump amplitude ``m1`` and position through a cue and its removal.

    Parameters
    ----------
    result : MemoryResult
    ax : matplotlib Axes, optional
        The amplitude is drawn on it, the position on a twin axis.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    p = result.params
    ax.axvspan(p["cue_on"], p["cue_off"], color="#fee08b", alpha=0.5, lw=0, label="cue on")
    ax.plot(result.t, result.amplitude, color="C0", lw=1.5, label="amplitude $m_1 = 2|C|$")
    ax.set_xlabel(r"time ($\tau$)")
    ax.set_ylabel("bump amplitude $m_1$", color="C0")
    ax.set_xlim(result.t[0], result.t[-1])
    ax.set_ylim(bottom=0)
    ax2 = ax.twinx()
    wrapped = np.angle(np.exp(1j * np.asarray(result.position, dtype=float)))
    pos = np.where(result.amplitude > 1e-6, wrapped, np.nan)
    ax2.plot(result.t, pos, color="C1", lw=1.0, label="position arg C")
    ax2.set_ylim(-np.pi, np.pi)
    ax2.set_yticks([-np.pi, -np.pi / 2, 0, np.pi / 2, np.pi],
                   [r"$-\pi$", r"$-\pi/2$", "0", r"$\pi/2$", r"$\pi$"])
    ax2.set_ylabel("bump position (rad)", color="C1")
    verdict = "persists" if result.persistent else "decays"
    # rounding noise next to a full turn is printed as 0, not as 1e-17
    drift = (f", drift {_sci(clean_number(result.drift, 2 * np.pi), 2)} rad"
             if result.persistent else "")
    m = p["model"]
    ax.set_title(f"Memory: $J_0$ = {_g(m['J0'])}, $J_1$ = {_g(m['J1'])}: "
                 f"the bump {verdict}{drift}",
                 fontsize=10)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    # under the axes: the position line runs through the middle, the amplitude anywhere
    ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13),
              ncol=3, frameon=False)
    return ax
