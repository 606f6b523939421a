"""Pictures of threshold-linear networks: the graph with supports, time courses, attractors."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._style import format_percent

__all__ = ["plot_attractors", "plot_graph"]


def plot_graph(net: Any, supports: list[tuple[int, ...]] | None = None, *, ax=None,
               labels: list[str] | None = None):
    """Draw a CTLN's graph on a circle (or a TLN's excitatory/inhibitory pattern).

    Nodes of each support get that support's colour (a ring per support).  Returns the
    Axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    n = net.n
    ang = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    P = np.column_stack([np.cos(ang), np.sin(ang)])
    A = getattr(net, "adjacency", None)
    if A is None:
        A = net.W > -1.0  # weaker than the CTLN "no edge" level: drawn as an edge
        np.fill_diagonal(A, False)
    for i, j in zip(*np.nonzero(A)):
        ax.annotate("", xy=P[i], xytext=P[j],
                    arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.0,
                                    shrinkA=9, shrinkB=9))
    ax.scatter(P[:, 0], P[:, 1], s=260, color="white", edgecolor="k", zorder=3)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for s_i, sup in enumerate(supports or []):
        c = colours[s_i % len(colours)]
        r = 320 + 160 * s_i
        ax.scatter(P[list(sup), 0], P[list(sup), 1], s=r, facecolor="none", edgecolor=c,
                   lw=2, zorder=2, label=(labels[s_i] if labels else f"support {list(sup)}"))
    for i in range(n):
        ax.text(P[i, 0], P[i, 1], str(i), ha="center", va="center", zorder=4, fontsize=9)
    ax.set_aspect("equal")
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.45, 1.45)
    ax.axis("off")
    if supports:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=7, frameon=False)
    return ax


def plot_attractors(res: Any, net: Any, *, max_attractors: int = 4):
    """Figure: graph with the attractors' supports, a time course and a projection of each.

    ``res`` is :class:`ratenet.tln.Attractors`.  Returns the Figure.
    """
    import matplotlib.pyplot as plt

    atts = list(res.attractors)[:max_attractors]
    m = max(1, len(atts))
    fig = plt.figure(figsize=(11, 3.0 * m + 0.6), layout="constrained")
    gs = fig.add_gridspec(m, 3, width_ratios=[1.0, 1.6, 1.0])
    labels = [f"{a.kind} {list(a.support)} ({format_percent(len(a.trials), res.trials)})"
              for a in atts]
    plot_graph(net, [a.support for a in atts], ax=fig.add_subplot(gs[:, 0]), labels=labels)
    for r, a in enumerate(atts):
        k = a.trials[0]
        ax = fig.add_subplot(gs[r, 1])
        for i in range(net.n):
            ax.plot(res.t, res.samples[k, :, i], lw=0.9,
                    label=f"$x_{{{i}}}$" if net.n <= 10 else None)
        ax.set_xlabel(r"time ($\tau$)")
        ax.set_ylabel(r"rate $x_i$")
        ax.set_title(f"trial {k}: {labels[r]}", fontsize=9)
        top = float(np.max(res.samples[k]))
        ax.set_ylim(-0.03 * top, 1.3 * top)  # head room for the legend
        if net.n <= 10:
            ax.legend(fontsize=7, ncol=min(net.n, 5), loc="upper center", frameon=False)
        ax2 = fig.add_subplot(gs[r, 2])
        if a.kind == "fixed point" or a.orbit is None:
            orb = res.samples[k]  # the whole run of this trial, into the fixed point
            title = "trajectory into the fixed point"
        else:
            orb = a.orbit
            title = "projection of the attractor"
        # the plane of the two units that move most
        rng_ = np.ptp(orb, axis=0)
        i, j = (sorted(np.argsort(-rng_)[:2].tolist()) if net.n >= 2 else (0, 0))
        ax2.plot(orb[:, i], orb[:, j], lw=1.0)
        ax2.plot([a.state[i]], [a.state[j]], "o", ms=5, label="fixed point" if
                 a.kind == "fixed point" else "point on the attractor")
        ax2.set_xlabel(f"$x_{{{i}}}$")
        ax2.set_ylabel(f"$x_{{{j}}}$")
        ax2.set_title(title, fontsize=9)
        ax2.legend(fontsize=7, loc="best")
    return fig
