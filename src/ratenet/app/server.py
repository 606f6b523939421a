"""Serving the explorer: one Bokeh server (under Panel), bound explicitly.

Security choices, all on by default:

* the server listens only on the address given (``127.0.0.1`` unless told
  otherwise); a wildcard address must come with the origins browsers will use;
* the websocket origin allowlist holds exactly the served ``host:port`` (plus any
  origin named explicitly), so a page from another origin cannot open a session;
* no admin page, no autoreload, small incoming websocket messages, and idle
  sessions are dropped;
* nothing a browser sends is evaluated: widgets carry numbers, checked against
  :class:`~ratenet.app.limits.Limits` before anything runs.
"""

from __future__ import annotations

import html
import ipaddress
import itertools
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

from .._validation import ParameterError
from .limits import DEFAULT_LIMITS, Limits

__all__ = ["create_app", "origin_for", "serve"]

WILDCARD_HOSTS = ("0.0.0.0", "::", "")
#: Largest websocket message the server accepts from a browser (bytes).
MAX_INCOMING_MESSAGE = 1 << 20

_session_counter = itertools.count()


def create_app(limits: Limits = DEFAULT_LIMITS) -> Any:
    """A fresh explorer (ring and E-I tabs) for one browser session."""
    import panel as pn

    from .ei_view import EIView
    from .ring_view import RingView

    seed = next(_session_counter)
    ring = RingView(limits=limits, seed=seed)
    ei = EIView(limits=limits)
    tabs = pn.Tabs(("Ring model", ring.layout), ("E-I populations", ei.layout),
                   dynamic=False)
    header = pn.pane.HTML(
        "<h2 style='margin:4px 0'>ratenet explorer</h2>"
        "<span style='color:#555'>Firing-rate networks: the ring model and excitatory-"
        "inhibitory populations. Every change is simulated on the server.</span>")
    page = pn.Column(header, tabs)
    page.ratenet_views = {"ring": ring, "ei": ei}  # type: ignore[attr-defined]
    return page


def _warm_up() -> None:
    """Compile the simulation kernels before the first visitor arrives."""
    from . import _api

    for sigma in (0.0, 0.1) if _api.noise_supported() else (0.0,):
        _api.simulate_ring(J0=-2.0, J1=1.5, h0=1.0, eps=0.1, theta0=0.0, N=16, t_start=0.0,
                           duration=1.0, frames=10, x0=None, noise=sigma)


def origin_for(host: str, port: int) -> str:
    """``host:port`` as a browser writes it in an Origin header (IPv6 in brackets)."""
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]:{port}"
    except ValueError:
        pass
    return f"{host}:{port}"


def check_host(host: str) -> str:
    """``host`` if this machine can listen on it, else :class:`ParameterError`.

    The name is resolved here (``socket.getaddrinfo``) so that an address such as
    ``999.1.1.1`` is refused before any server is built.
    """
    if host in WILDCARD_HOSTS:
        return host
    try:
        socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as err:
        raise ParameterError("host", host, "an address or name this machine resolves",
                             hint=str(err)) from None
    return host


def check_origin(origin: str) -> str:
    """``origin`` (``host:port``) if it names one origin; wildcards are refused."""
    text = str(origin).strip()
    if not text or any(c in text for c in "*?/ \t"):
        raise ParameterError("allow_origin", origin,
                             "one HOST:PORT origin (no wildcard such as '*')")
    return text


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def serve(*, host: str = "127.0.0.1", port: int = 5006,
          allow_origins: Sequence[str] = (), limits: Limits = DEFAULT_LIMITS,
          show: bool = False, start: bool = True) -> Any:
    """Serve the explorer on ``http://host:port/`` until interrupted.

    Parameters
    ----------
    host : str, default "127.0.0.1"
        Address to listen on. A wildcard (``0.0.0.0``, ``::``) needs ``allow_origins``.
    port : int, default 5006
        TCP port; 0 picks a free one.
    allow_origins : sequence of str
        Further ``host:port`` origins whose pages may open a session.
    limits : Limits
        Bounds on what one request may compute.
    show : bool
        Open a browser tab.
    start : bool
        Run the server loop (blocks); False returns the server unstarted.

    Returns
    -------
    bokeh.server.server.Server
    """
    import panel as pn

    if host in WILDCARD_HOSTS and not allow_origins:
        raise ParameterError(
            "host", host, "a specific address, or a wildcard together with allow_origins",
            hint="a wildcard listens on every interface; name the origins browsers will use")
    if not 0 <= int(port) <= 65535:
        raise ParameterError("port", port, "an integer in [0, 65535]")
    check_host(host)
    allow_origins = [check_origin(o) for o in allow_origins]
    if port == 0:
        port = free_port(host if host not in WILDCARD_HOSTS else "127.0.0.1")
    origins = [] if host in WILDCARD_HOSTS else [origin_for(host, port)]
    origins += [o for o in allow_origins if o not in origins]
    if os.environ.get("BOKEH_ALLOW_WS_ORIGIN"):
        print("ratenet explore: warning: BOKEH_ALLOW_WS_ORIGIN is set and replaces the "
              "origin allowlist", file=sys.stderr)
    allowed_hosts = {o.lower() for o in origins}

    def app() -> Any:
        # A page asked for under another host name (DNS rebinding) gets no session:
        # its websocket would be refused anyway, so nothing is computed for it.
        ctx = pn.state.curdoc.session_context if pn.state.curdoc is not None else None
        request = getattr(ctx, "request", None)
        asked = str(getattr(request, "host", "") or "").lower()
        if allowed_hosts and asked not in allowed_hosts:
            return pn.pane.HTML(
                f"<p>ratenet explorer: this server does not answer to host "
                f"{html.escape(asked)!s}; use one of {', '.join(sorted(allowed_hosts))}.</p>")
        return create_app(limits)

    if start:
        _warm_up()
    return pn.serve(
        {"/": app},
        port=port, address=host, websocket_origin=origins, show=show, start=start,
        title="ratenet explorer", verbose=False, admin=False, threaded=False,
        websocket_max_message_size=MAX_INCOMING_MESSAGE,
        check_unused_sessions_milliseconds=10_000, unused_session_lifetime_milliseconds=60_000,
    )
