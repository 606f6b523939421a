"""Figures of the E-I ring: space-time activity, the mode spectrum against tau_I, the pattern map.

Every function takes an optional ``ax`` (or ``axes``) and returns what it drew on; none calls
``plt.show()``.  As in the ring figures (:mod:`ratenet.plotting.ring`) angles are shown in
degrees by default (``degrees=False`` for radians).  Time in ms, rates in Hz, eigenvalues
in 1/ms.  E is drawn in red and I in blue (:mod:`ratenet.plotting._style`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import ParameterError
from ._style import E_COLOR, EXTRA_COLORS, I_COLOR, THEORY_COLOR

__all__ = [
    "MODE_COLORS",
    "PATTERN_COLORS",
    "ei_ring_summary_figure",
    "plot_mode_spectrum",
    "plot_pattern_map",
    "plot_spacetime_ei",
]

#: Line colour of Fourier mode k (k = 0, 1, 2, ...; neither the E red nor the I blue).
MODE_COLORS = ("#000000", *EXTRA_COLORS, "#e377c2", "#7f7f7f")

#: Fill colour of each simulated pattern (:data:`ratenet.ei_ring.patterns.PATTERNS`).
PATTERN_COLORS = {
    "homogeneous": "#d9d9d9",
    "stationary bump": "#a1d99b",
    "travelling wave": "#fdae6b",
    "standing wave": "#fdd0a2",
    "bulk oscillation": "#bcbddc",
    "irregular": "#969696",
    "diverged": "#525252",
}


def _mode_color(k: int) -> str:
    return MODE_COLORS[k % len(MODE_COLORS)]


def _angle_axis(degrees: bool) -> tuple[float, str]:
    return (180.0 / np.pi, r"preferred angle $\theta$ (deg)") if degrees else (
        1.0, r"preferred angle $\theta$ (rad)")


def _angle_ticks(ax: Any, degrees: bool) -> None:
    if degrees:
        ax.set_yticks([0, 90, 180, 270, 360])
    else:
        ax.set_yticks([0, np.pi / 2, np.pi, 3 * np.pi / 2, 2 * np.pi],
                      ["0", r"$\pi/2$", r"$\pi$", r"$3\pi/2$", r"$2\pi$"])


def _rows(traj: Any, row: int | None) -> tuple[np.ndarray, np.ndarray]:
    """E and I rates (T, N) of one row of a (batched) E-I ring trajectory."""
    from ..ei_ring.trajectory import EIRingTrajectory

    if not isinstance(traj, EIRingTrajectory):
        raise ParameterError("traj", type(traj).__name__, "an EIRingTrajectory")
    rE, rI = np.asarray(traj.r_E), np.asarray(traj.r_I)
    if rE.ndim == 2:
        if row not in (None, 0):
            raise ParameterError("row", row, "None or 0 for a single trajectory")
        return rE, rI
    B = int(np.prod(rE.shape[:-2]))
    if row is None or not isinstance(row, (int, np.integer)) or not -B <= row < B:
        raise ParameterError("row", row, f"an integer in [0, {B}) for a batch")
    return rE.reshape((B, *rE.shape[-2:]))[row], rI.reshape((B, *rI.shape[-2:]))[row]


def plot_spacetime_ei(traj: Any, *, axes: Any = None, row: int | None = None,
                      degrees: bool = True, t_min: float | None = None,
                      colorbar: bool = True) -> Any:
    """Heatmaps of ``r_E(theta, t)`` and ``r_I(theta, t)``: time on x, angle on y.

    Parameters
    ----------
    traj : EIRingTrajectory
        Recorded at two or more times (``record_every`` set).
    axes : pair of matplotlib Axes, optional
        Where to draw E and I; a new figure with two panels when None.
    row : int, optional
        Which row of a batched trajectory.
    degrees : bool, default True
        Angle axis in degrees (else radians).
    t_min : float, optional
        Draw only times >= t_min (ms), e.g. to skip the transient.
    colorbar : bool, default True
        A colour bar per panel, in Hz.

    Returns
    -------
    ndarray of two Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import ratenet as rn
    >>> m = rn.EIRingModel(J_EE1=4.0, J_EI0=-2.0, J_IE0=1.0, h_E=1.0, h_I=0.0, N=32)
    >>> axes = plot_spacetime_ei(rn.simulate(m, t_max=200.0, record_every=100))
    >>> [ax.get_ylabel() for ax in axes]
    ['preferred angle $\\\\theta$ (deg)', 'preferred angle $\\\\theta$ (deg)']
    """
    rE, rI = _rows(traj, row)
    t = np.asarray(traj.t, dtype=float)
    if t_min is not None:
        keep = t >= float(t_min)
        if keep.sum() < 2:
            raise ParameterError("t_min", t_min, f"a time (ms) before the last two records "
                                 f"(the record ends at {t[-1]:g} ms)")
        t, rE, rI = t[keep], rE[keep], rI[keep]
    if t.size < 2:
        raise ParameterError("traj", f"{t.size} recorded time", "a trajectory recorded at two "
                             "or more times (simulate with record_every set)")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(2, 1, figsize=(7, 5.6), sharex=True, layout="constrained")
    axes = np.asarray(axes).ravel()
    scale, label = _angle_axis(degrees)
    N = rE.shape[-1]
    edges_theta = (np.arange(N + 1) - 0.5) * 2 * np.pi / N * scale
    dt = np.diff(t)
    edges_t = np.concatenate([[t[0] - dt[0] / 2], t[:-1] + dt / 2, [t[-1] + dt[-1] / 2]])
    for ax, R, name, cmap, color in ((axes[0], rE, "E", "Reds", E_COLOR),
                                     (axes[1], rI, "I", "Blues", I_COLOR)):
        finite = np.isfinite(R)
        vmax = float(np.max(R[finite])) if finite.any() else 1.0
        mesh = ax.pcolormesh(edges_t, edges_theta, R.T, cmap=cmap, shading="flat", vmin=0.0,
                             vmax=vmax if vmax > 0 else 1.0, rasterized=True)
        ax.set_ylabel(label)
        ax.set_ylim(-np.pi / N * scale, (2 * np.pi - np.pi / N) * scale)
        _angle_ticks(ax, degrees)
        ax.set_title(rf"{name} population $r_{name}(\theta, t)$", color=color)
        if colorbar:
            ax.figure.colorbar(mesh, ax=ax, label=rf"$r_{name}$ (Hz)")
    axes[-1].set_xlabel("time $t$ (ms)")
    return axes


def plot_mode_spectrum(model: Any, tau_I: Any = None, *, ax: Any = None,
                       modes: Any = None, mark_current: bool = True) -> Any:
    """Largest real part of each Fourier mode's eigenvalues against tau_I, Hopf points marked.

    The uniform state and the mode Jacobians come from :mod:`ratenet.theory.ei_ring`; the
    uniform state does not depend on tau_I, so only the time scale of I changes along the
    curves.  A mode whose curve crosses zero with complex eigenvalues has a Hopf point there
    (a circle, at :func:`ratenet.theory.ei_ring.hopf_tau_I`).

    Parameters
    ----------
    model : EIRingModel
        Threshold-linear; every parameter but tau_I is taken from it.
    tau_I : array_like, optional
        tau_I values (ms, > 0); default 200 points from ``tau_E / 10`` to the largest of
        ``5 tau_E``, 1.5 times the last Hopf point and 1.2 times the model's tau_I.
    ax : matplotlib Axes, optional
    modes : sequence of int, optional
        Which modes (default 0 .. K).
    mark_current : bool, default True
        A dashed vertical line at the model's tau_I.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import ratenet as rn
    >>> m = rn.EIRingModel(J_EE0=1.25, J_EI0=-1.0, J_IE0=1.0, J_EE1=3.0, J_EI1=-2.0,
    ...                    J_IE1=2.0, h_E=10.0, h_I=-10.0, tau_E=10.0, tau_I=30.0)
    >>> ax = plot_mode_spectrum(m)
    >>> sorted(round(x, 6) for x in ax.hopf_points)   # mode 1 at 20 ms, mode 0 at 40 ms
    [20.0, 40.0]
    """
    from ..theory import ei_ring as theory

    state = theory.uniform_state(model)
    ks = list(range(model.n_harmonics + 1)) if modes is None else [int(k) for k in modes]
    hopf = {k: theory.hopf_tau_I(model, k, state) for k in ks}
    if tau_I is None:
        top = max([5.0 * model.tau_E, 1.2 * model.tau_I]
                  + [1.5 * v for v in hopf.values() if v is not None])
        taus = np.linspace(model.tau_E / 10.0, top, 200)
    else:
        taus = np.asarray(tau_I, dtype=float).ravel()
        if taus.size < 2 or not np.all(np.isfinite(taus)) or np.any(taus <= 0):
            raise ParameterError("tau_I", tau_I, "two or more finite values > 0 (ms)")
    taus = np.unique(np.concatenate([taus, [v for v in hopf.values() if v is not None
                                            and taus.min() <= v <= taus.max()]]))
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    ax.axhline(0.0, color="0.6", lw=0.8)
    points = []
    for k in ks:
        lead = np.array([theory.mode_eigenvalues(model.replace(tau_I=float(v)), k, state)[0]
                         for v in taus])
        osc = np.abs(lead.imag) > 1e-12
        color = _mode_color(k)
        # solid where the leading pair is complex (the mode oscillates), dashed where real
        solid = osc | np.concatenate([osc[1:], [False]]) | np.concatenate([[False], osc[:-1]])
        ax.plot(taus, np.where(solid, lead.real, np.nan), color=color, lw=2,
                label=f"mode k = {k}")
        ax.plot(taus, np.where(osc, np.nan, lead.real), color=color, lw=1.5, ls="--")
        h = hopf[k]
        if h is not None and taus.min() <= h <= taus.max():
            omega = float(np.max(np.abs(theory.mode_eigenvalues(
                model.replace(tau_I=h), k, state).imag)))
            ax.plot([h], [0.0], "o", ms=8, mfc="w", mec=color, mew=2, zorder=5,
                    label=rf"Hopf, k = {k}: $\tau_I$ = {h:.4g} ms, $\omega$ = {omega:.3g}/ms")
            points.append(h)
    if mark_current:
        ax.axvline(model.tau_I, color=I_COLOR, ls="--", lw=1,
                   label=rf"this model: $\tau_I$ = {model.tau_I:g} ms")
    ax.set_xlabel(r"inhibitory time constant $\tau_I$ (ms)")
    ax.set_ylabel(r"max Re $\lambda_k$ (1/ms)")
    ax.set_title("Stability of the uniform state, mode by mode\n"
                 "(solid: complex pair, dashed: real eigenvalue)", fontsize=10)
    ax.set_xlim(taus.min(), taus.max())
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    rank = {"mode": 0, "this": 1, "Hopf": 2}
    order = sorted(range(len(labels)), key=lambda i: (rank.get(labels[i].split()[0], 3), i))
    # two columns filled top to bottom: the curves (and this tau_I), then the Hopf points
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper center",
              bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8, frameon=False)
    ax.hopf_points = points  # type: ignore[attr-defined]
    return ax


def plot_pattern_map(pd: Any, *, ax: Any = None, boundaries: bool = True,
                     resolution: int = 48) -> Any:
    """The phase diagram: each cell coloured by its simulated pattern, theory boundaries on top.

    Parameters
    ----------
    pd : EIRingPhaseDiagram
        From :func:`ratenet.ei_ring.phase_diagram.phase_diagram`.
    ax : matplotlib Axes, optional
    boundaries : bool, default True
        Draw where each mode of the uniform state loses stability (solid: through a Hopf
        point, dashed: through a real eigenvalue): the zero contour of the mode's leading
        eigenvalue on a ``resolution x resolution`` grid, and the boundary points the
        phase diagram refined by bisection (dots).
    resolution : int, default 48
        Points per axis of the theory's grid (the theory costs about 1 ms per point).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    x, y = np.asarray(pd.x, dtype=float), np.asarray(pd.y, dtype=float)
    pat = np.asarray(pd.pattern).astype(str)
    if pat.shape != (y.size, x.size):
        raise ParameterError("pd.pattern", f"shape {pat.shape}", f"shape ({y.size}, {x.size})")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6.4, 5.0), layout="constrained")
    names = list(PATTERN_COLORS)
    idx = np.vectorize(lambda s: names.index(s) if s in names else names.index("irregular"))(pat)

    def edges(v: np.ndarray) -> np.ndarray:
        if v.size == 1:
            return np.array([v[0] - 0.5, v[0] + 0.5])
        mid = 0.5 * (v[1:] + v[:-1])
        return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])

    ax.pcolormesh(edges(x), edges(y), idx, cmap=ListedColormap(list(PATTERN_COLORS.values())),
                  vmin=-0.5, vmax=len(names) - 0.5, shading="flat")
    handles: list[Any] = [Patch(facecolor=PATTERN_COLORS[n], edgecolor="0.4", label=n)
                          for n in names if n in set(pat.ravel())]
    if boundaries:
        from matplotlib.lines import Line2D

        shown: set[tuple[int, str]] = set()
        if x.size > 1 and y.size > 1:
            xf, yf, lam = _theory_fields(pd, int(resolution))
            for k, L in enumerate(lam):
                osc = np.abs(L.imag) > 1e-12
                for kind, mask, ls in (("hopf", ~osc, "-"), ("real", osc, "--")):
                    field = np.ma.masked_array(L.real, mask=mask | ~np.isfinite(L.real))
                    if field.count() == 0 or not (field.min() < 0 < field.max()):
                        continue
                    ax.contour(xf, yf, field, levels=[0.0], colors=[_mode_color(k)],
                               linestyles=[ls], linewidths=2)
                    shown.add((k, kind))
        for b in pd.boundaries:
            bx, by = np.asarray(b["x"], dtype=float), np.asarray(b["y"], dtype=float)
            if bx.size:
                ax.plot(bx, by, ls="none", marker="o", ms=3, color=_mode_color(int(b["mode"])))
                shown.add((int(b["mode"]), str(b["kind"])))
        for k, kind in sorted(shown):
            what = "Hopf point" if kind == "hopf" else "real eigenvalue"
            handles.append(Line2D([], [], color=_mode_color(k), lw=2,
                                  ls="-" if kind == "hopf" else "--",
                                  label=f"theory: mode {k} loses stability ({what})"))
    ax.set_xlim(edges(x)[0], edges(x)[-1])
    ax.set_ylim(edges(y)[0], edges(y)[-1])
    ax.set_xlabel(_param_label(pd.x_param))
    ax.set_ylabel(_param_label(pd.y_param))
    agree = getattr(pd, "agreement", float("nan"))
    title = "E-I ring: simulated patterns"
    if np.isfinite(agree):
        from ..ei_ring.phase_diagram import THEORY_TO_PATTERNS
        from ._style import format_percent

        n = int(np.sum([str(t) in THEORY_TO_PATTERNS for t in np.ravel(pd.theory)]))
        title += f" (theory agrees: {format_percent(round(agree * n), n) if n else '-'})"
    ax.set_title(title, fontsize=10)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
              fontsize=8, frameon=False)
    return ax


_UNITS = {"tau_E": "ms", "tau_I": "ms", "tau_A": "ms", "h_E": "Hz", "h_I": "Hz",
          "eps_E": "Hz", "eps_I": "Hz", "theta0": "rad"}


_SYMBOLS = {"tau": r"\tau", "eps": r"\varepsilon", "h": "h", "J": "J"}


def _param_label(name: str) -> str:
    """Axis label of a model parameter: ``tau_I`` -> ``$\\tau_{I}$ (ms)``."""
    unit = _UNITS.get(name)
    if name == "theta0":
        tex = r"$\theta_0$"
    else:
        head, _, tail = name.partition("_")
        tex = rf"${_SYMBOLS.get(head, head)}_{{{tail}}}$" if tail else name
    return f"{tex} ({unit})" if unit else tex


def _theory_fields(pd: Any, resolution: int) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """Leading eigenvalue of each mode on a fine grid: ``(xf, yf, [lam_k (ny, nx)])``."""
    from ..models.ei_ring import EIRingModel
    from ..theory import ei_ring as theory

    base = EIRingModel.from_dict(pd.base)
    x, y = np.asarray(pd.x, dtype=float), np.asarray(pd.y, dtype=float)
    xf = np.linspace(x.min(), x.max(), resolution) if x.size > 1 else x
    yf = np.linspace(y.min(), y.max(), resolution) if y.size > 1 else y
    K = base.n_harmonics
    lam = [np.full((yf.size, xf.size), np.nan + 0j) for _ in range(K + 1)]
    for i, yv in enumerate(yf):
        for j, xv in enumerate(xf):
            try:
                m = base.replace(**{pd.x_param: float(xv), pd.y_param: float(yv)})
                st = theory.uniform_state(m)
            except ParameterError:
                continue
            for k in range(K + 1):
                lam[k][i, j] = theory.mode_eigenvalues(m, k, st)[0]
    return xf, yf, lam


def ei_ring_summary_figure(traj: Any, *, row: int | None = None, degrees: bool = True,
                           t_min: float | None = None) -> Any:
    """Space-time of E and I beside the mode spectrum of the model that made ``traj``.

    Returns the matplotlib Figure.  The spectrum panel needs threshold-linear transfer; for
    other transfer functions it says so instead.
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(12, 5.6), layout="constrained")
    gs = fig.add_gridspec(2, 2, width_ratios=[1.3, 1])
    a0 = fig.add_subplot(gs[0, 0])
    a1 = fig.add_subplot(gs[1, 0], sharex=a0)
    plot_spacetime_ei(traj, axes=[a0, a1], row=row, degrees=degrees, t_min=t_min)
    a0.set_xlabel("")
    a0.tick_params(labelbottom=False)
    ax = fig.add_subplot(gs[:, 1])
    model = traj.models[0 if row is None else row]
    try:
        plot_mode_spectrum(model, ax=ax)
    except ParameterError as err:
        ax.text(0.5, 0.5, f"no mode spectrum:\n{err}", ha="center", va="center",
                transform=ax.transAxes, wrap=True, fontsize=9, color=THEORY_COLOR)
        ax.set_axis_off()
    return fig
