"""Named models built on :class:`ratenet.RateNetwork`."""

from .ei import EIModel
from .ring import RingModel

__all__ = ["EIModel", "RingModel"]
