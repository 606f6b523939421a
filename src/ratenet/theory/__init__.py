"""Analytic results, each confirmed by simulation in the tests."""

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
