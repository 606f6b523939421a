"""``ratenet explore``: serve the interactive explorer in the browser."""

from __future__ import annotations

import click

from ._common import fail, guarded, note


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=5006, show_default=True,
              help="TCP port (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only this machine can connect with the default.")
@click.option("--allow-origin", "allow_origins", multiple=True, metavar="HOST:PORT",
              help="A further origin whose pages may open a session (repeatable); "
                   "required with a wildcard --host such as 0.0.0.0.")
@click.option("--show/--no-show", default=False, show_default=True,
              help="Open a browser tab.")
@click.option("--quiet", "-q", is_flag=True, help="No notes on stderr (errors still show).")
@guarded
def explore(port: int, host: str, allow_origins: tuple[str, ...], show: bool,
            quiet: bool) -> None:
    """Serve the interactive explorer (ring, E-I and E-I ring views) at http://HOST:PORT/.

    Requests whose Host header is not HOST:PORT (or an --allow-origin) get 403, and
    websockets from other origins are refused. Exit codes: 0 stopped with Ctrl-C,
    2 bad option or a port that cannot be listened on.

    \b
    Examples:
      ratenet explore                  # http://127.0.0.1:5006/
      ratenet explore --port 8080
    """
    try:
        from ..app.server import (
            WILDCARD_HOSTS,
            check_host,
            check_origin,
            free_port,
            origin_for,
            serve,
        )
    except ImportError as err:
        fail(f"the explorer needs the 'app' extra: pip install 'ratenet[app]' ({err})")
    import importlib.util

    # the server module imports Panel and Bokeh only when it serves: check them first (a core
    # install printed "serving on ..." and then an internal ModuleNotFoundError)
    missing = [m for m in ("panel", "bokeh") if importlib.util.find_spec(m) is None]
    if missing:
        fail(f"the explorer needs the 'app' extra: pip install 'ratenet[app]' (missing: "
             f"{', '.join(missing)})")
    check_host(host)
    allow_origins = tuple(check_origin(o) for o in allow_origins)
    if host in WILDCARD_HOSTS and not allow_origins:
        fail(f"--host: {host!r} listens on every interface; name the origins browsers will "
             "use with --allow-origin HOST:PORT")
    if port == 0:
        port = free_port(host if host not in WILDCARD_HOSTS else "127.0.0.1")
    note(f"ratenet explore: serving on http://{origin_for(host, port)}/ (Ctrl-C to stop)")
    if quiet:  # no access-log lines either (a refused Host is logged as a 403 warning)
        import logging

        logging.getLogger("tornado.access").setLevel(logging.ERROR)
    try:
        serve(host=host, port=port, allow_origins=allow_origins, show=show)
    except OSError as err:
        fail(f"--port: cannot listen on {origin_for(host, port)}: {err.strerror or err}")
    except KeyboardInterrupt:
        note("ratenet explore: stopped")
