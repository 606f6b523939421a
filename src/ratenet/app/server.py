"""Serving the explorer: one Bokeh server (under Panel), bound explicitly.

Security choices, all on by default:

* the server listens only on the address given (``127.0.0.1`` unless told
  otherwise); a wildcard address must come with the origins browsers will use;
* the websocket origin allowlist holds exactly the served ``host:port`` (plus any
  origin named explicitly), so a page from another origin cannot open a session;
* every request (page, websocket handshake, static file) whose ``Host`` header is not
  one of those origins is answered 403 by :class:`HostGuard` before Bokeh sees it: no
  session is built and no token is issued for a page fetched under another name
  (DNS rebinding);
* a session is released a few seconds after its page closes (its websocket goes), and a
  page fetched without ever opening its websocket is released likewise
  (:data:`SESSION_LINGER_MS`);
* no admin page, no autoreload, small incoming websocket messages;
* nothing a browser sends is evaluated: widgets carry numbers, checked against
  :class:`~ratenet.app.limits.Limits` before anything runs.
"""

from __future__ import annotations

import ipaddress
import itertools
import os
import socket
import sys
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from .._validation import ParameterError
from .limits import DEFAULT_LIMITS, Limits

__all__ = ["HostGuard", "create_app", "origin_for", "serve"]

WILDCARD_HOSTS = ("0.0.0.0", "::", "")
#: Largest websocket message the server accepts from a browser (bytes).
MAX_INCOMING_MESSAGE = 1 << 20
#: How long a session outlives its last websocket (or, never connected, its page) (ms).
#: Page loads that never open their websocket (crawlers, scripts) keep at most this long's
#: worth of sessions alive, which bounds the server's peak memory (~3 MB a session). A
#: browser that opens the websocket later still gets a session: Bokeh builds a new one
#: from the page's token.
SESSION_LINGER_MS = 5_000
#: How often sessions without a websocket are looked for (ms).
SESSION_CHECK_MS = 1_000

_session_counter = itertools.count()


def _ring_tab(limits: Limits, seed: int) -> Any:
    from .ring_view import RingView

    return RingView(limits=limits, seed=seed)


def _ei_tab(limits: Limits, seed: int) -> Any:
    from .ei_view import EIView

    return EIView(limits=limits)


def _ei_ring_tab(limits: Limits, seed: int) -> Any:
    from .ei_ring_view import EIRingView

    return EIRingView(limits=limits, seed=seed)


#: The explorer's tabs in order: ``(key, title, factory(limits, seed) -> view)``; a view
#: has a ``layout`` (a Panel object).  The first tab is built with the page; the others
#: when first shown (or first asked for in ``page.ratenet_views[key]``), so that a page
#: load costs one view.  A new tab is one more entry here.
TABS: list[tuple[str, str, Callable[[Limits, int], Any]]] = [
    ("ring", "Ring model", _ring_tab),
    ("ei", "E-I populations", _ei_tab),
    ("ei_ring", "E-I ring", _ei_ring_tab),
]


class SessionViews(Mapping[str, Any]):
    """The views of one session by key, each built on first use into its tab."""

    def __init__(self, limits: Limits, seed: int,
                 tabs: Sequence[tuple[str, str, Callable[[Limits, int], Any]]]) -> None:
        import panel as pn

        self._limits, self._seed = limits, seed
        self._factories = {key: factory for key, _title, factory in tabs}
        self._views: dict[str, Any] = {}
        self.holders = {key: pn.Column(sizing_mode="stretch_width") for key, _t, _f in tabs}
        self.keys_in_order = [key for key, _t, _f in tabs]
        self._links = []

    def __getitem__(self, key: str) -> Any:
        if key not in self._views:
            factory = self._factories[key]  # KeyError if unknown
            before = _js_link_sources()
            view = factory(self._limits, self._seed)
            self._links += [weakref.ref(w) for w in _js_link_sources() - before]
            self._views[key] = view
            self.holders[key][:] = [view.layout]
        return self._views[key]

    _links: list[Any]

    def release(self) -> int:
        """Drop what Panel keeps for this session's widgets after its page has gone.

        Panel registers the JavaScript links inside an editable slider (its slider and
        its text box) in a class-wide ``WeakKeyDictionary`` whose values refer back to
        the keys, so they are never freed: every session would stay in memory for good.
        Removing this session's entries lets the whole session be collected. Returns
        the number of entries removed.
        """
        from panel.links import Callback

        n = 0
        for ref in self._links:
            widget = ref()
            if widget is not None and widget in Callback.registry:
                del Callback.registry[widget]
                n += 1
        self._links = []
        return n

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys_in_order)

    def __len__(self) -> int:
        return len(self.keys_in_order)

    @property
    def built(self) -> list[str]:
        """Keys of the views built so far."""
        return [k for k in self.keys_in_order if k in self._views]


def create_app(limits: Limits = DEFAULT_LIMITS) -> Any:
    """A fresh explorer for one browser session: one tab per entry of :data:`TABS`.

    The first tab's view is built at once, the others when their tab is first shown;
    ``page.ratenet_views[key]`` gives (and builds) a view.
    """
    import panel as pn

    seed = next(_session_counter)
    views = SessionViews(limits, seed, TABS)
    tabs = pn.Tabs(*((title, views.holders[key]) for key, title, _f in TABS), dynamic=False)
    views[TABS[0][0]]

    def on_tab(event: Any) -> None:
        views[TABS[int(event.new)][0]]

    tabs.param.watch(on_tab, "active")
    header = pn.pane.HTML(
        "<h2 style='margin:4px 0'>ratenet explorer</h2>"
        "<span style='color:#555'>Firing-rate networks: the ring model and excitatory-"
        "inhibitory populations. Every change is simulated on the server.</span>")
    page = pn.Column(header, tabs)
    page.ratenet_views = views  # type: ignore[attr-defined]
    page.ratenet_tabs = tabs  # type: ignore[attr-defined]
    doc = pn.state.curdoc
    if doc is not None and doc.session_context is not None:
        def release(_ctx: Any) -> None:
            views.release()

        doc.on_session_destroyed(release)
    return page


def _js_link_sources() -> set[Any]:
    """The objects that Panel's JavaScript-link registry holds right now."""
    from panel.links import Callback

    return set(Callback.registry.keys())


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


def _host_key(host: str) -> str:
    """``Host`` header value as ``name:port`` in lower case (port 80 when none is given)."""
    text = host.strip().lower()
    if text.startswith("["):  # [::1]:5006
        end = text.find("]")
        return text if text[end + 1:end + 2] == ":" else f"{text[:end + 1]}:80"
    if text.count(":") == 1:
        return text
    return f"{text}:80"


class HostGuard:
    """A Tornado router in front of the Bokeh application: foreign ``Host`` headers get 403.

    Parameters
    ----------
    application : tornado.web.Application
        The Bokeh server's application, which handles every allowed request.
    allowed : iterable of str
        ``host:port`` values (as in the origin allowlist) a request may name in ``Host``.

    Notes
    -----
    The check runs when the request's headers arrive, before any handler: a page asked
    for under another name gets no session and no token, and a websocket handshake no
    upgrade. ``allowed_hosts`` is a set of lower-case ``host:port``.
    """

    def __init__(self, application: Any, allowed: Sequence[str]) -> None:
        from tornado.routing import Router

        self.application = application
        self.allowed_hosts = {_host_key(h) for h in allowed}
        self.refused = 0
        guard = self

        class _Router(Router):
            def find_handler(self, request: Any, **kwargs: Any) -> Any:
                return guard.find_handler(request, **kwargs)

        self.router = _Router()

    def find_handler(self, request: Any, **kwargs: Any) -> Any:
        if _host_key(str(request.host or "")) in self.allowed_hosts:
            return self.application.find_handler(request, **kwargs)
        self.refused += 1
        return self.application.get_handler_delegate(
            request, _forbidden_handler(), target_kwargs={"allowed": self.allowed_hosts})


def _forbidden_handler() -> Any:
    import tornado.web

    class Forbidden(tornado.web.RequestHandler):
        """403 for every method, naming the host names this server answers to."""

        def initialize(self, allowed: set[str]) -> None:
            self.allowed = allowed

        def prepare(self) -> None:
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(f"403 Forbidden: this server does not answer to host "
                        f"{self.request.host!r}; use one of {', '.join(sorted(self.allowed))}\n")

    return Forbidden


def install_host_guard(server: Any, allowed: Sequence[str]) -> HostGuard:
    """Put a :class:`HostGuard` in front of a Bokeh ``Server``'s application; return it."""
    guard = HostGuard(server._tornado, allowed)
    server._http.request_callback = guard.router
    server.ratenet_host_guard = guard
    return guard


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
    env_origins = [o.strip() for o in os.environ.get("BOKEH_ALLOW_WS_ORIGIN", "").split(",")
                   if o.strip()]
    if env_origins:
        print("ratenet explore: warning: BOKEH_ALLOW_WS_ORIGIN is set and replaces the "
              "origin allowlist", file=sys.stderr)

    def app() -> Any:
        return create_app(limits)

    if start:
        _warm_up()
    server = pn.serve(
        {"/": app},
        port=port, address=host, websocket_origin=origins, show=False, start=False,
        title="ratenet explorer", verbose=False, admin=False, threaded=False,
        websocket_max_message_size=MAX_INCOMING_MESSAGE,
        check_unused_sessions_milliseconds=SESSION_CHECK_MS,
        unused_session_lifetime_milliseconds=SESSION_LINGER_MS,
    )
    install_host_guard(server, origins + env_origins)
    if start:
        server.start()
        if show:
            server.io_loop.add_callback(server.show, "/")
        server.io_loop.start()
    return server
