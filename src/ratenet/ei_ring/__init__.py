"""The E-I ring: simulation results, pattern classification and phase diagrams.

The model is :class:`ratenet.models.ei_ring.EIRingModel` (also ``ratenet.EIRingModel``),
simulated by :func:`ratenet.simulate`; its per-mode theory is :mod:`ratenet.theory.ei_ring`.
"""

from .trajectory import EIRingTrajectory

__all__ = ["EIRingTrajectory"]
