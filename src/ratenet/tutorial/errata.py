"""Corrections to the tutorial text."""

from __future__ import annotations

SECTIONS: tuple = ()
