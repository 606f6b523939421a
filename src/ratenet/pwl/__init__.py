"""The piecewise-linear core: active-set regions, their linear systems, exact flows.

For threshold-linear transfer the dynamics inside each region of fixed active set are
linear; :mod:`ratenet.pwl` holds that fact in one place, and every exact analysis
(fixed points, limit cycles, continuation, threshold-linear networks, the E-I ring)
calls it.
"""

from .fixed_points import SupportEnumeration, enumerate_fixed_points
from .flow import FlowResult, PiecewiseLinearFlow
from .regions import Region, region_system

__all__ = ["FlowResult", "PiecewiseLinearFlow", "Region", "SupportEnumeration",
           "enumerate_fixed_points", "region_system"]
