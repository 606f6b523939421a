"""The rate-model tutorial (TD5), every question answered from the library and checked.

>>> from ratenet.tutorial import build_tutorial   # doctest: +SKIP
>>> report = build_tutorial("out/tutorial")       # doctest: +SKIP
>>> report.passed                                 # doctest: +SKIP
True

``ratenet tutorial --out DIR`` does the same from the command line.
"""

from ._core import Check, Figure, Section
from .build import TutorialReport, build_tutorial, section_builders
from .questions import QUESTIONS, Question

__all__ = [
    "QUESTIONS",
    "Check",
    "Figure",
    "Question",
    "Section",
    "TutorialReport",
    "build_tutorial",
    "section_builders",
]
