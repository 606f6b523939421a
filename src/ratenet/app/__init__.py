"""``ratenet explore``: the browser explorer (Panel on a Bokeh server).

Needs the ``app`` extra (``pip install 'ratenet[app]'``). Start it with
``ratenet explore`` or :func:`serve`; each browser session gets its own
:func:`create_app`.
"""

from .limits import DEFAULT_LIMITS, LimitExceeded, Limits
from .server import create_app, origin_for, serve

__all__ = ["DEFAULT_LIMITS", "LimitExceeded", "Limits", "create_app", "origin_for", "serve"]
