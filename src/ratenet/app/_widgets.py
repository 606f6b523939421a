"""Widget construction that works across Panel versions."""

from __future__ import annotations

import html
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


def restore_slider_end(widget: Any, end: float) -> None:
    """Put back the end of an editable slider's bar after a refused typed value.

    Typing a value beyond the bar's end stretches the bar in the browser only; the
    server-side end never changed, so setting it again sends nothing.  Nudging the
    inner slider's end and setting it back sends the end to the browser.
    """
    widget.end = end
    inner = getattr(widget, "_slider", None)
    if inner is not None and hasattr(inner, "end"):
        inner.end = end + (widget.step or 1)
        inner.end = end


def refuse(view: Any, err: Exception) -> None:
    """Show in ``view.alert`` why a request was refused and put the offending slider back.

    ``view`` has ``alert``, ``sliders`` (name -> widget), ``_valid`` (name -> last valid
    value), ``_ends`` (name -> slider end) and a ``_busy`` flag that silences the
    callbacks while the widget is reset.  ``err`` is a ParameterError naming the slider.
    """
    view.alert.object = (f"Request refused: {html.escape(str(err))}. "
                         "The previous result is kept.")
    view.alert.visible = True
    name = getattr(err, "name", None)
    widget = view.sliders.get(name)
    if widget is not None and name in view._valid:
        view._busy = True
        try:
            widget.value = view._valid[name]
            if name in view._ends:
                restore_slider_end(widget, view._ends[name])
        finally:
            view._busy = False
