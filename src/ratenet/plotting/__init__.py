"""Figures: functions that take an optional ``ax`` and return it (never ``plt.show()``)."""

from .ring import (
    plot_amplification,
    plot_order_parameters,
    plot_profile,
    plot_regime_map,
    plot_spacetime,
    ring_summary_figure,
)

__all__ = [
    "plot_amplification",
    "plot_order_parameters",
    "plot_profile",
    "plot_regime_map",
    "plot_spacetime",
    "ring_summary_figure",
]
