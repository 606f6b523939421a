"""Figures: functions that take an optional ``ax`` and return it (never ``plt.show()``)."""

from ._style import (
    E_COLOR,
    EXTRA_COLORS,
    I_COLOR,
    POPULATION_COLORS,
    REGIME_COLORS,
    SIMULATION_COLOR,
    THEORY_COLOR,
    clean_number,
    format_percent,
)
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
    "EXTRA_COLORS",
    "E_COLOR",
    "I_COLOR",
    "POPULATION_COLORS",
    "REGIME_COLORS",
    "SIMULATION_COLOR",
    "THEORY_COLOR",
    "clean_number",
    "format_percent",
    "plot_amplification",
    "plot_order_parameters",
    "plot_profile",
    "plot_regime_map",
    "plot_spacetime",
    "plot_tuning_vs_eps",
    "plot_uniform_rate",
    "ring_summary_figure",
]
