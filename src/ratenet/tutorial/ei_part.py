"""Part 2 of the tutorial, questions 13-15: excitatory and inhibitory populations."""

from __future__ import annotations

SECTIONS: tuple = ()
