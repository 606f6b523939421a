"""Figures: functions that take an optional ``ax`` and return it (never ``plt.show()``)."""

from .ring import (
    plot_amplification,
    plot_order_parameters,
    plot_profile,
    plot_regime_map,
    plot_spacetime,
    plot_tuning_vs_eps,
    plot_uniform_rate,
    ring_summary_figure,
)

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
