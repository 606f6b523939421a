"""Widget construction that works across Panel versions."""

from __future__ import annotations

from typing import Any


def labelled(cls: Any, label: str, **params: Any) -> Any:
    """``cls(label=label, **params)`` on any Panel >= 1.4.

    Newer Panels call a widget's text ``label`` (``name`` is deprecated) and a
    button's ``button_type`` ``color``; older ones know only the old names.
    """
    key = "label" if "label" in cls.param else "name"
    if "button_type" in params and "color" in cls.param:
        params["color"] = params.pop("button_type")
    return cls(**{key: label}, **params)
