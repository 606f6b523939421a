"""Access to library pieces by name, so that a missing piece becomes a visible failure.

The tutorial report is built only from the library's own functions. When one of them is
not (yet) part of the installed package, the section that needs it says so and its check
fails, instead of the report silently re-implementing the science.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["Missing", "lib"]


class Missing(Exception):
    """A library function the report needs is not available."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def lib(module: str, name: str) -> Any:
    """``ratenet.<module>.<name>``, or raise :class:`Missing` naming it."""
    full = f"ratenet.{module}"
    try:
        mod = importlib.import_module(full)
    except ModuleNotFoundError as err:
        if err.name and (full.startswith(err.name) or err.name.startswith(full)):
            raise Missing(f"{full}.{name}") from None
        raise
    try:
        return getattr(mod, name)
    except AttributeError:
        raise Missing(f"{full}.{name}") from None
