"""Beyond the tutorial."""

from __future__ import annotations

SECTIONS: tuple = ()
