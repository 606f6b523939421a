"""Named models built on :class:`ratenet.RateNetwork`."""

from .ring import RingModel

__all__ = ["RingModel"]
