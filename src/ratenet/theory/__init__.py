"""Analytic results, each confirmed by simulation in the tests.

The E-I ring's per-mode theory is the submodule :mod:`ratenet.theory.ei_ring`.
"""

from . import ei_ring
from .ring import (
    REGIMES,
    LinearResponse,
    RingSteadyState,
    amplification,
    classify_regime,
    critical_J0,
    linear_response,
    marginal_theta_c,
    mode_eigenvalues,
    reduced_dynamics,
    reduced_dynamics_for,
    regime_map,
    stationary_state,
    stationary_states,
    uniform_rate,
)

__all__ = [
    "REGIMES",
    "LinearResponse",
    "RingSteadyState",
    "amplification",
    "classify_regime",
    "critical_J0",
    "ei_ring",
    "linear_response",
    "marginal_theta_c",
    "mode_eigenvalues",
    "reduced_dynamics",
    "reduced_dynamics_for",
    "regime_map",
    "stationary_state",
    "stationary_states",
    "uniform_rate",
]
