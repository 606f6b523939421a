"""Analysis of rate networks: fixed points, phase planes, limit cycles, bifurcations."""

from .bifurcation import (
    BifurcationDiagram,
    BifurcationPoint,
    Branch,
    CycleBranch,
    bifurcation_diagram,
)
from .fixed_points import FIXED_POINT_TYPES, FixedPoint, classify_eigenvalues, find_fixed_points
from .limit_cycle import LimitCycle, find_limit_cycle, refine_limit_cycle
from .phase_plane import (
    Nullcline,
    VectorField,
    default_window,
    nullclines,
    trajectory,
    vector_field,
)

__all__ = [
    "FIXED_POINT_TYPES",
    "BifurcationDiagram",
    "BifurcationPoint",
    "Branch",
    "CycleBranch",
    "FixedPoint",
    "LimitCycle",
    "Nullcline",
    "VectorField",
    "bifurcation_diagram",
    "classify_eigenvalues",
    "default_window",
    "find_fixed_points",
    "find_limit_cycle",
    "nullclines",
    "refine_limit_cycle",
    "trajectory",
    "vector_field",
]
