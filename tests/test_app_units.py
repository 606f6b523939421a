"""Fast tests of ``ratenet explore`` without a browser: limits, binding, CLI, views.

The views are driven directly in Python (one ``create_app()`` = one session) and
checked against closed forms: the ring's stationary profile, the E-I Hopf point.
"""

from __future__ import annotations

import base64
import contextlib
import math
import os
import re
import socket
import threading
import urllib.error
import urllib.request

import numpy as np
import pytest
from click.testing import CliRunner

pytest.importorskip("panel", reason="the explorer needs the 'app' extra (panel, bokeh)")

from ratenet import ParameterError
from ratenet.app import (
    DEFAULT_LIMITS,
    LimitExceeded,
    _api,
    create_app,
    origin_for,
    serve,
)


def test_limits_refuse_with_name_value_and_range():
    L = DEFAULT_LIMITS
    assert L.check_int("N", 256, L.N_min, L.N_max) == 256
    assert L.check_int("N", "512", L.N_min, L.N_max) == 512
    for bad in (L.N_max + 1, 0, 12.5, "1e9", float("nan"), True, None, "abc"):
        with pytest.raises(LimitExceeded) as err:
            L.check_int("N", bad, L.N_min, L.N_max)
        assert isinstance(err.value, ParameterError) and err.value.name == "N"
        assert f"[{L.N_min}, {L.N_max}]" in str(err.value)
    with pytest.raises(LimitExceeded, match="duration"):
        L.check_float("duration", math.inf, 0.5, L.ring_duration_max)


def test_origin_is_written_as_a_browser_does():
    assert origin_for("127.0.0.1", 5006) == "127.0.0.1:5006"
    assert origin_for("::1", 8080) == "[::1]:8080"
    assert origin_for("localhost", 80) == "localhost:80"


def test_wildcard_host_needs_explicit_origins():
    with pytest.raises(ParameterError, match="host"):
        serve(host="0.0.0.0", port=0, start=False)
    from ratenet.cli import main

    res = CliRunner().invoke(main, ["explore", "--host", "0.0.0.0"])
    assert res.exit_code == 2
    assert "--host" in res.output and "--allow-origin" in res.output
    assert "Traceback" not in res.output


def test_server_binds_the_given_address_with_an_exact_origin_allowlist():
    server = serve(host="127.0.0.1", port=0, start=False)
    try:
        assert server.address == "127.0.0.1"
        origins = set(server._tornado.websocket_origins)
        assert origins == {f"127.0.0.1:{server.port}"}
    finally:
        server.stop()


def test_ring_view_profile_matches_stationary_theory():
    """After 40 tau the simulated profile is the theory's rectified stationary profile."""
    ring = create_app().ratenet_views["ring"]
    sim = np.asarray(ring.src_prof.data["m"])
    theory = np.asarray(ring.src_theory.data["m"])
    assert sim.shape == theory.shape == (257,)
    assert np.max(np.abs(sim - theory)) < 1e-3 * sim.max()
    # below J1 = 2 with J0 < 1 and all units active, the linear closed form holds:
    # m1/m0 = (eps/h0)(1 - J0)/(1 - J1/2); with eps = 0.05, J0 = -1, J1 = 1:
    # m0 = h0/(1 - J0) = 0.5, m1 = 0.05 * 2 / 0.5 * 0.5 = 0.1
    ring.w_eps.value = 0.05
    ring.w_J0.value = -1.0
    ring.w_J1.value = 1.0
    ring.update(reset=True)
    m = np.asarray(ring.src_prof.data["m"])[:-1]
    assert abs(m.mean() - 0.5) < 1e-4
    assert abs((m.max() - m.min()) / 2 - 0.1) < 1e-3


def test_ring_view_refuses_oversized_requests_and_keeps_the_result():
    ring = create_app().ratenet_views["ring"]
    before = np.asarray(ring.src_prof.data["m"]).copy()
    ring.w_N.value = DEFAULT_LIMITS.N_max + 1
    assert ring.alert.visible and "N must be an integer" in ring.alert.object
    assert ring.w_N.value == 256
    np.testing.assert_array_equal(ring.src_prof.data["m"], before)


def test_regime_map_rows_follow_J1():
    """The map's orientation agrees with the theory's pointwise classification."""
    theory = pytest.importorskip("ratenet.theory.ring")
    J0s, J1s = np.linspace(-8, 0.5, 7), np.linspace(0.5, 4, 5)
    codes, names = _api.regime_map(J0s, J1s, h0=1.0, eps=0.1)
    assert codes.shape == (5, 7)
    for i, j1 in enumerate(J1s):
        for j, j0 in enumerate(J0s):
            assert names[codes[i, j]] == theory.classify_regime(J0=j0, J1=j1, h0=1.0, eps=0.1)


@pytest.mark.parametrize(("tau_I", "cycle"), [(39.0, False), (41.0, True)])
def test_ei_view_shows_a_limit_cycle_only_past_the_hopf_point(tau_I, cycle):
    """Trace of the Jacobian = 0 at tau_I = tau_E (1 - M_II)/(M_EE - 1) = 40 ms."""
    ei = create_app().ratenet_views["ei"]
    ei.sliders["tau_I"].value = tau_I
    ei.update()
    assert ('data-cycle="yes"' in ei.summary.text) is cycle
    assert (len(ei.src_cycle.data["x"]) > 0) is cycle
    tr = ei.src_trdet.data["x"][0]
    assert math.isclose(tr, 0.25 / 10.0 - 1.0 / tau_I, rel_tol=1e-9)


@contextlib.contextmanager
def running_server(**kwargs):
    """``serve(start=False)`` run on a background thread; yields the Bokeh server."""
    server = serve(host="127.0.0.1", port=0, start=False, **kwargs)
    server.start()
    thread = threading.Thread(target=server.io_loop.start, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.io_loop.add_callback(server.stop)
        server.io_loop.add_callback(server.io_loop.stop)
        thread.join(timeout=10)


def _get(port: int, host: str, path: str = "/") -> tuple[int, str]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


def _handshake(port: int, host: str, origin: str, token: str) -> str:
    """Status line of a raw websocket upgrade request to /ws."""
    key = base64.b64encode(os.urandom(16)).decode()
    req = (f"GET /ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
           f"Sec-WebSocket-Protocol: bokeh, {token}\r\nOrigin: {origin}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(req.encode())
        return s.recv(4096).decode(errors="replace").split("\r\n")[0]


def _token(page: str) -> str:
    m = re.search(r'"token"\s*:\s*"([^"]+)"', page) or re.search(r"token=([\w.\-]+)", page)
    assert m, "no Bokeh session token in the page"
    return m.group(1)


def test_foreign_host_header_gets_403_before_any_session_or_token(monkeypatch):
    """DNS rebinding: a page or websocket asked for under another host name is refused
    with 403 before Bokeh sees the request: no explorer is built and no token issued."""
    import panel as pn

    from ratenet.app import server as srv_mod

    built: list[str] = []
    real = srv_mod.create_app

    def spy(limits):
        built.append(pn.state.curdoc.session_context.request.host)
        return real(limits)

    monkeypatch.setattr(srv_mod, "create_app", spy)
    with running_server() as server:
        port = server.port
        foreign = [f"evil.example:{port}", f"localhost:{port}", f"127.0.0.1:{port + 1}",
                   f"127.0.0.1.evil.example:{port}", "127.0.0.1", f"[::1]:{port}",
                   f"EVIL.example:{port}"]
        for host in foreign:
            for path in ("/", "/autoload.js", "/static/js/bokeh.min.js", "/nope"):
                status, body = _get(port, host, path)
                assert status == 403, (host, path, status)
                assert "token" not in body and host.lower() in body.lower()
        assert built == [] and len(server.get_sessions("/")) == 0
        assert server.ratenet_host_guard.refused == 4 * len(foreign)
        status, page = _get(port, f"127.0.0.1:{port}")
        assert status == 200 and built == [f"127.0.0.1:{port}"]
        token = _token(page)
        # the handshake with the foreign Host, its matching Origin and a valid token: 403
        assert " 403 " in _handshake(port, f"evil.example:{port}", f"http://evil.example:{port}",
                                     token) + " "
        # control: the served host and origin upgrade
        assert " 101 " in _handshake(port, f"127.0.0.1:{port}", f"http://127.0.0.1:{port}",
                                     token) + " "


def test_host_guard_follows_the_allowed_origins():
    with running_server(allow_origins=["ratenet.example:8080"]) as server:
        port = server.port
        assert _get(port, "ratenet.example:8080", "/nope")[0] == 404  # passed to Bokeh
        assert _get(port, "RATENET.example:8080", "/nope")[0] == 404  # names ignore case
        assert _get(port, "ratenet.example:8081", "/nope")[0] == 403
        assert _get(port, f"127.0.0.1:{port}", "/nope")[0] == 404


@pytest.mark.parametrize(("header", "key"), [
    ("127.0.0.1:5006", "127.0.0.1:5006"), ("Example.COM", "example.com:80"),
    ("[::1]:5006", "[::1]:5006"), ("[::1]", "[::1]:80"), (" localhost:80 ", "localhost:80"),
])
def test_host_header_normal_form(header, key):
    from ratenet.app.server import _host_key

    assert _host_key(header) == key


@pytest.mark.parametrize("origin", ["*", "http://*", "*.example.com:80", "*:5006", "", "  ",
                                    "a b:1", "host:5006/path", "?:1"])
def test_wildcard_or_malformed_origins_are_refused(origin):
    from ratenet.app.server import check_origin
    from ratenet.cli import main

    with pytest.raises(ParameterError) as info:
        check_origin(origin)
    assert info.value.name == "allow_origin"
    with pytest.raises(ParameterError):
        serve(host="127.0.0.1", port=0, allow_origins=[origin], start=False)
    r = CliRunner().invoke(main, ["explore", "--host", "0.0.0.0", "--allow-origin", origin,
                                  "--port", "0"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "--allow-origin" in lines[0], r.stderr


def test_explore_quiet_and_bad_host_messages(monkeypatch):
    from ratenet.app import server as srv_mod
    from ratenet.cli import main

    calls = []
    monkeypatch.setattr(srv_mod, "serve", lambda **kw: calls.append(kw))
    r = CliRunner().invoke(main, ["explore", "--port", "0"])
    assert r.exit_code == 0 and r.stdout == "" and "serving on http://127.0.0.1:" in r.stderr
    r = CliRunner().invoke(main, ["explore", "--port", "0", "-q"])
    assert r.exit_code == 0 and r.stdout == "" and r.stderr == ""
    assert len(calls) == 2 and calls[1]["host"] == "127.0.0.1" and calls[1]["port"] > 0
    r = CliRunner().invoke(main, ["explore", "--host", "999.1.1.1"])
    assert r.exit_code == 2 and "--host" in r.stderr and "Traceback" not in r.output


def test_tabs_after_the_first_are_built_when_first_shown():
    from ratenet.app.server import TABS

    page = create_app()
    views = page.ratenet_views
    assert list(views) == [key for key, _t, _f in TABS]
    assert views.built == ["ring"]  # a page load costs the first view only
    page.ratenet_tabs.active = 1
    assert views.built == ["ring", "ei"]
    assert views.holders["ei"][0] is views["ei"].layout
    page.ratenet_tabs.active = 0
    page.ratenet_tabs.active = 1
    assert views.built == ["ring", "ei"]  # built once
