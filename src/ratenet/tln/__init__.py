"""Threshold-linear networks of any size: TLNs, combinatorial TLNs (CTLNs) from graphs.

* :class:`TLN`, :class:`CTLN`: the models.
* :func:`fixed_points`: every fixed point exactly, with index and the parity certificate
  (all supports batched, or, for CTLNs, a search over the graph's connected blocks).
* :mod:`~ratenet.tln.rules`: graph rules of Curto, Geneson and Morrison.
* :func:`permitted_sets`: permitted and forbidden sets of symmetric networks.
* :func:`find_attractors`, :func:`lyapunov_spectrum`: attractors from many initial
  conditions, classified, with basin fractions and Lyapunov spectra.
"""

from .attractors import Attractor, Attractors, find_attractors, wilson_interval
from .fixed_points import TLNFixedPoint, TLNFixedPoints, ctln_candidate_supports, fixed_points
from .lyapunov import LyapunovSpectrum, lyapunov_spectrum
from .models import CTLN, TLN, parse_edges
from .permitted import PermittedSets, is_permitted, permitted_sets

__all__ = [
    "CTLN",
    "TLN",
    "Attractor",
    "Attractors",
    "LyapunovSpectrum",
    "PermittedSets",
    "TLNFixedPoint",
    "TLNFixedPoints",
    "ctln_candidate_supports",
    "find_attractors",
    "fixed_points",
    "is_permitted",
    "lyapunov_spectrum",
    "parse_edges",
    "permitted_sets",
    "wilson_interval",
]
