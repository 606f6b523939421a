"""Named models built on :class:`ratenet.RateNetwork`."""

from .ei import EIModel
from .ei_ring import EIRingModel
from .ring import RingModel

__all__ = ["EIModel", "EIRingModel", "RingModel"]
