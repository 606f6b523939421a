"""Continuation: follow equilibria and periodic orbits as a parameter moves.

:mod:`ratenet.continuation._engine` holds a generic pseudo-arclength engine
(:func:`continue_curve`) that knows nothing of rate models; the modules beside it
build residuals for equilibria, limit cycles and two-parameter curves on top of it,
exact for threshold-linear networks (region borders are located as kinks).
"""

from ._engine import (
           ContinuationError,
           Curve,
           CurveEvent,
           TestFunction,
           continue_both,
           continue_curve,
)

__all__ = ["ContinuationError", "Curve", "CurveEvent", "TestFunction", "continue_both",
           "continue_curve"]
