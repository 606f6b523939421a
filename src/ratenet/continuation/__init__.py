"""Continuation: follow equilibria and periodic orbits as parameters move.

* :func:`continue_equilibria`: every equilibrium branch of one parameter, exact for
  threshold-linear networks (border collisions, non-smooth folds, linear centres),
  with folds and Hopf points for smooth transfer functions;
* :func:`continue_cycles` / :func:`all_cycle_branches`: branches of limit cycles,
  stable and unstable, by exact shooting, with folds of cycles, period doubling,
  Neimark-Sacker points and grazing; :func:`bistable_intervals` where a stable
  equilibrium and a stable cycle coexist;
* :func:`continue_special_curves`: Hopf, fold and border-collision curves in two
  parameters, and :func:`continue_cycle_folds`: the curve of folds of cycles;
* :func:`neimark_sacker_example` / :func:`period_doubling_example`: network families
  with a Neimark-Sacker point and a period doubling of cycles.

All of them sit on one generic pseudo-arclength engine, :func:`continue_curve`, which
knows nothing of rate models (region borders are handed to it as kinks).
"""

from ._engine import (
    ContinuationError,
    Curve,
    CurveEvent,
    TestFunction,
    continue_both,
    continue_curve,
)
from .cycle_folds import continue_cycle_folds
from .cycles import (
    CyclePoint,
    LimitCycleBranch,
    all_cycle_branches,
    bistable_example,
    bistable_intervals,
    continue_cycles,
    stable_cycle_ranges,
)
from .equilibria import (
    EquilibriumBranch,
    EquilibriumBranches,
    EquilibriumSystem,
    SpecialPoint,
    continue_equilibria,
    pair_product,
)
from .examples import CycleExample, neimark_sacker_example, period_doubling_example
from .two_parameter import TwoParameterCurve, TwoParameterCurves, continue_special_curves

__all__ = [
    "ContinuationError",
    "Curve",
    "CurveEvent",
    "CycleExample",
    "CyclePoint",
    "EquilibriumBranch",
    "EquilibriumBranches",
    "EquilibriumSystem",
    "LimitCycleBranch",
    "SpecialPoint",
    "TestFunction",
    "TwoParameterCurve",
    "TwoParameterCurves",
    "all_cycle_branches",
    "bistable_example",
    "bistable_intervals",
    "continue_both",
    "continue_curve",
    "continue_cycle_folds",
    "continue_cycles",
    "continue_equilibria",
    "continue_special_curves",
    "neimark_sacker_example",
    "pair_product",
    "period_doubling_example",
    "stable_cycle_ranges",
]
