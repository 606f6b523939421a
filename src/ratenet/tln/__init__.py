"""Threshold-linear networks of any size: TLNs, combinatorial TLNs (CTLNs) from graphs.

* :class:`TLN`, :class:`CTLN`: the models.
* :func:`fixed_points`: every fixed point exactly, with index and the parity certificate
  (all supports batched, or, for CTLNs, a search over the graph's connected blocks).
* :mod:`~ratenet.tln.rules`: graph rules of Curto, Geneson and Morrison.
* :func:`permitted_sets`: permitted and forbidden sets of symmetric networks.
* :func:`find_attractors`, :func:`lyapunov_spectrum`: attractors from many initial
  conditions, classified, with basin fractions and Lyapunov spectra.
"""

from .fixed_points import TLNFixedPoint, TLNFixedPoints, ctln_candidate_supports, fixed_points
from .models import CTLN, TLN, parse_edges

__all__ = [
    "CTLN",
    "TLN",
    "TLNFixedPoint",
    "TLNFixedPoints",
    "ctln_candidate_supports",
    "fixed_points",
    "parse_edges",
]
