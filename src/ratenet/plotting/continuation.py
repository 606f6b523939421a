"""One-parameter continuation diagrams: equilibria and cycles, stable solid, unstable dashed.

:func:`plot_continuation` draws, against the continued parameter, the rate of one unit
at every equilibrium branch and the smallest and largest rate of that unit over every
branch of cycles (one line each), stable parts solid and unstable parts dashed, with
the special points marked; :func:`plot_cycle_periods` the periods; :func:`continuation_figure`
both units and the periods side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._style import EXTRA_COLORS, POPULATION_COLORS, THEORY_COLOR

__all__ = ["continuation_figure", "plot_continuation", "plot_cycle_periods"]

#: Marker, colour and size of each kind of special point.
_MARKERS: dict[str, tuple[str, str, float]] = {
    "hopf": ("*", "#ff7f0e", 13),
    "non-smooth Hopf (linear centre)": ("*", "#ff7f0e", 13),
    "fold of cycles": ("o", "#2ca02c", 8),
    "period doubling": ("D", "#9467bd", 7),
    "neimark-sacker": ("^", "#8c564b", 8),
    "grazing": ("x", "#7f7f7f", 8),
    "homoclinic approach": ("P", "#e377c2", 9),
    "fold": ("o", "#17becf", 8),
    "border collision": ("s", "#bcbd22", 7),
}


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 4.5))
    return ax


def _unit_color(names: Sequence[str], unit: int) -> str:
    name = names[unit] if unit < len(names) else str(unit)
    if name in POPULATION_COLORS:
        return POPULATION_COLORS[name]
    return EXTRA_COLORS[unit % len(EXTRA_COLORS)]


def _styled(ax, x: np.ndarray, y: np.ndarray, stable: np.ndarray, color: str, lw: float,
            zorder: float = 2, marginal: np.ndarray | None = None,
            neutral: np.ndarray | None = None) -> None:
    """A polyline, solid where ``stable``, dashed elsewhere.

    A segment is solid when both of its ends are stable; a ``marginal`` end (a
    bifurcation point on the branch: a centre, a multiplier 1) takes the stability of
    the segment's other end.
    """
    if x.size == 0:
        return
    if x.size == 1:
        ax.plot(x, y, "o", mfc=color if stable[0] else "white", color=color, ms=4,
                zorder=zorder)
        return
    marg = np.zeros(x.size, dtype=bool) if marginal is None else np.asarray(marginal, bool)
    a, b = stable[:-1], stable[1:]
    ma, mb = marg[:-1], marg[1:]
    seg_stable = np.where(ma & ~mb, b, np.where(mb & ~ma, a, a & b))
    neu = np.zeros(x.size, dtype=bool) if neutral is None else np.asarray(neutral, bool)
    style = np.where(neu[:-1] & neu[1:], ":", np.where(seg_stable, "-", "--"))
    start = 0
    for k in range(1, style.size + 1):
        if k == style.size or style[k] != style[start]:
            ax.plot(x[start:k + 1], y[start:k + 1], ls=str(style[start]), color=color, lw=lw,
                    zorder=zorder)
            start = k


def _cycle_marginal(br: Any) -> np.ndarray:
    """Points of a cycle branch with a non-trivial multiplier on the unit circle."""
    mu = np.abs(np.asarray(br.multipliers)[:, 1:])
    if mu.shape[1] == 0:
        return np.zeros(len(br.values), dtype=bool)
    return np.any(np.abs(mu - 1.0) < 1e-4, axis=1)


def _equilibrium_marginal(b: Any) -> np.ndarray:
    """Points of an equilibrium branch with an eigenvalue on the imaginary axis."""
    lam = np.asarray(getattr(b, "eigenvalues", np.zeros((len(b.values), 0))))
    if lam.ndim != 2 or lam.shape[1] == 0:
        return np.zeros(len(b.values), dtype=bool)
    scale = np.maximum(np.max(np.abs(lam), axis=1), 1e-300)
    return np.max(lam.real, axis=1) <= 1e-9 * scale


def _math(name: str) -> str:
    from .ei import _math_name

    return _math_name(name)


def _xlabel(param: str) -> str:
    unit = " (ms)" if param.startswith("tau") else ""
    return f"{_math(param)}{unit}"


def plot_continuation(cycles: Sequence[Any] = (), equilibria: Any = None, *, unit: int = 0,
                      ax=None, legend: bool = True):
    """Equilibria and cycles of one unit against the continued parameter.

    Parameters
    ----------
    cycles : sequence of LimitCycleBranch
        From :func:`ratenet.continuation.cycles.continue_cycles`.
    equilibria : EquilibriumBranches, optional
        From :func:`ratenet.continuation.equilibria.continue_equilibria` (any object
        with ``branches`` holding ``values``, ``states``, ``stable``, and ``points``).
    unit : int, default 0
        Which unit's rate is drawn (E-I: 0 = E, 1 = I).
    ax : matplotlib Axes, optional
    legend : bool, default True

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from ratenet.continuation.cycles import bistable_example, continue_cycles
    >>> br = continue_cycles(bistable_example(), "tau_I", 50.0, 70.0)
    >>> ax = plot_continuation([br])
    >>> ax.get_xlabel()
    '$\\\\tau_I$ (ms)'
    """
    from matplotlib.lines import Line2D

    ax = _axes(ax)
    names: tuple[str, ...] = ()
    param = ""
    if cycles:
        names, param = tuple(cycles[0].names), cycles[0].param
    if equilibria is not None:
        names = names or tuple(getattr(equilibria, "names", ()))
        param = param or str(getattr(equilibria, "param", ""))
    color = _unit_color(names, unit)
    seen: dict[str, Any] = {}
    if equilibria is not None:
        for b in equilibria.branches:
            _styled(ax, np.asarray(b.values), np.asarray(b.states)[:, unit],
                    np.asarray(b.stable, dtype=bool), THEORY_COLOR, 1.8, zorder=3,
                    marginal=_equilibrium_marginal(b) & ~np.asarray(b.stable, dtype=bool))
        for pt in getattr(equilibria, "points", []):
            kind = str(pt.kind)
            mk = _MARKERS.get(kind, ("s", "#bcbd22", 7))
            ax.plot(pt.value, pt.state[unit], mk[0], color=mk[1], ms=mk[2], zorder=6,
                    mec="black", mew=0.5)
            seen.setdefault(kind, mk)
    any_neutral = False
    for br in cycles:
        st = np.asarray(br.stable, dtype=bool)
        marg = _cycle_marginal(br)
        neu = np.asarray(getattr(br, "neutral", np.zeros(0)), dtype=bool)
        if neu.size != st.size:
            neu = np.zeros(st.size, dtype=bool)
        any_neutral = any_neutral or bool(np.any(neu[:-1] & neu[1:]))
        for y in (br.minimum[:, unit], br.maximum[:, unit]):
            _styled(ax, br.values, y, st, color, 1.6, marginal=marg, neutral=neu)
        for sp in br.special:
            mk = _MARKERS.get(sp.kind, ("s", "#bcbd22", 7))
            k = sp.index
            for y in (br.minimum[k, unit], br.maximum[k, unit]):
                ax.plot(sp.value, y, mk[0], color=mk[1], ms=mk[2], mec="black", mew=0.5,
                        zorder=7 if sp.kind == "grazing" else 6)  # a cross shows on a dot
            seen.setdefault(sp.kind, mk)
    name = names[unit] if unit < len(names) else str(unit)
    ax.set_xlabel(_xlabel(param))
    ax.set_ylabel(rf"$\nu_{{{name}}}$ (Hz)" if name in ("E", "I") else f"{name}")
    if legend:
        handles = [Line2D([], [], color=THEORY_COLOR, lw=1.8, label="equilibrium, stable"),
                   Line2D([], [], color=THEORY_COLOR, lw=1.8, ls="--",
                          label="equilibrium, unstable")] if equilibria is not None else []
        if cycles:
            handles += [Line2D([], [], color=color, lw=1.6, label="cycle min/max, stable"),
                        Line2D([], [], color=color, lw=1.6, ls="--",
                               label="cycle min/max, unstable")]
            if any_neutral:
                handles.append(Line2D([], [], color=color, lw=1.6, ls=":",
                                      label="cycles, neutral (a continuum)"))
        handles += [Line2D([], [], ls="", marker=mk[0], color=mk[1], ms=mk[2], mec="black",
                           mew=0.5, label=kind) for kind, mk in seen.items()]
        ax.legend(handles=handles, fontsize=7, loc="upper left", framealpha=0.9)
    return ax


def plot_cycle_periods(cycles: Sequence[Any], *, ax=None, legend: bool = True):
    """Period of every branch of cycles against the parameter (stable solid, unstable
    dashed), special points marked.

    Examples
    --------
    >>> from ratenet.continuation.cycles import bistable_example, continue_cycles
    >>> br = continue_cycles(bistable_example(), "tau_I", 50.0, 70.0)
    >>> ax = plot_cycle_periods([br])
    >>> ax.get_ylabel()
    'period (ms)'
    """
    from matplotlib.lines import Line2D

    ax = _axes(ax)
    seen: dict[str, Any] = {}
    for br in cycles:
        neu = np.asarray(getattr(br, "neutral", np.zeros(0)), dtype=bool)
        _styled(ax, br.values, br.period, np.asarray(br.stable, dtype=bool), THEORY_COLOR, 1.6,
                marginal=_cycle_marginal(br),
                neutral=neu if neu.size == len(br.values) else None)
        for sp in br.special:
            mk = _MARKERS.get(sp.kind, ("s", "#bcbd22", 7))
            ax.plot(sp.value, sp.period, mk[0], color=mk[1], ms=mk[2], mec="black", mew=0.5,
                    zorder=7 if sp.kind == "grazing" else 6)
            seen.setdefault(sp.kind, mk)
    if cycles:
        ax.set_xlabel(_xlabel(cycles[0].param))
    ax.set_ylabel("period (ms)")
    if legend and cycles:
        handles = [Line2D([], [], color=THEORY_COLOR, lw=1.6, label="stable cycle"),
                   Line2D([], [], color=THEORY_COLOR, lw=1.6, ls="--", label="unstable cycle")]
        handles += [Line2D([], [], ls="", marker=mk[0], color=mk[1], ms=mk[2], mec="black",
                           mew=0.5, label=kind) for kind, mk in seen.items()]
        ax.legend(handles=handles, fontsize=7, loc="upper left", framealpha=0.9)
    return ax


def continuation_figure(cycles: Sequence[Any] = (), equilibria: Any = None, *,
                        title: str | None = None):
    """Three panels: the diagram for each of the first two units, and the periods.

    Examples
    --------
    >>> from ratenet.continuation.cycles import bistable_example, continue_cycles
    >>> fig = continuation_figure([continue_cycles(bistable_example(), "tau_I", 50.0, 70.0)])
    >>> len(fig.axes)
    3
    """
    import matplotlib.pyplot as plt

    n = 1
    if cycles:
        n = len(cycles[0].names)
    elif equilibria is not None and equilibria.branches:
        n = np.asarray(equilibria.branches[0].states).shape[1]
    units = list(range(min(n, 2)))
    fig, axes = plt.subplots(1, len(units) + 1, figsize=(6.2 * (len(units) + 1), 4.8))
    for j, u in enumerate(units):
        plot_continuation(cycles, equilibria, unit=u, ax=axes[j], legend=(j == 0))
    plot_cycle_periods(cycles, ax=axes[-1])
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
