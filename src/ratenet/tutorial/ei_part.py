"""Part 2 of the tutorial, questions 13-15: excitatory and inhibitory populations."""

from __future__ import annotations

from ._core import Section, Workspace
from ._lib import Missing

SECTIONS: tuple = ()


def nonsmooth_birth(ws: Workspace) -> Section:
    raise Missing("ratenet.analysis.bifurcation")
