"""The E-I ring: simulation results, pattern classification and phase diagrams.

The model is :class:`ratenet.models.ei_ring.EIRingModel` (also ``ratenet.EIRingModel``),
simulated by :func:`ratenet.simulate` (which returns an :class:`EIRingTrajectory`); its
per-mode theory is :mod:`ratenet.theory.ei_ring`.

Examples
--------
>>> import ratenet as rn
>>> from ratenet.ei_ring import EXAMPLES, classify
>>> model = EXAMPLES["stationary bump"].replace(N=64)
>>> traj = rn.simulate(model, t_max=1000.0, dt=0.1, record_every=10)
>>> classify(traj).kind
'stationary bump'
"""

from .examples import EXAMPLES
from .patterns import PATTERNS, Pattern, classify, classify_batch, estimate_period
from .phase_diagram import THEORY_TO_PATTERNS, EIRingPhaseDiagram, phase_diagram, theory_grid
from .trajectory import EIRingTrajectory

__all__ = [
    "EXAMPLES",
    "PATTERNS",
    "THEORY_TO_PATTERNS",
    "EIRingPhaseDiagram",
    "EIRingTrajectory",
    "Pattern",
    "classify",
    "classify_batch",
    "estimate_period",
    "phase_diagram",
    "theory_grid",
]
