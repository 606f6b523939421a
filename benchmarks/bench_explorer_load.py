"""The explorer under load: page loads (memory), concurrent sessions moving sliders.

Run:  .venv/bin/python benchmarks/bench_explorer_load.py [--sessions 50 --moves 100
      --loads 300] [--write]

Starts ``ratenet explore`` in a subprocess on a free port of 127.0.0.1 (and nothing but
127.0.0.1 is ever contacted), waits until it answers, then

1. **page loads**: ``--loads`` plain HTTP page loads, one after the other, as a crawler or
   a fuzzer makes them (every page builds a session that never opens its websocket); the
   server's resident memory (RSS, psutil) before, after, and once the sessions have been
   released; the page-load times;
2. **sessions**: ``--sessions`` concurrent clients that speak Bokeh's websocket protocol
   (tornado's websocket client; the same frames a browser sends): each loads the page,
   opens the websocket, pulls the document, then moves a slider ``--moves`` times,
   alternating the ring's J1 and J0 sliders, and waits after each move for the view's
   status line to report the new update (``update N``): the latency of a move is from
   sending it to that line arriving. Errors: a refused or failed HTTP request or
   handshake, an ``ERROR`` message, a socket closed by the server, a move not answered
   within 120 s, a refused request, and each line of the server's log that holds
   ``Traceback`` or ``ERROR``;
3. the RSS once every client has closed and the sessions have been released.

``--write`` writes the figures to benchmarks/RESULTS_app.md (the section
"Explorer under load"). The functions here are also used by tests/test_app_load.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SESSION_RELEASE_S = 12.0  # SESSION_LINGER_MS (5 s) + the 1 s check + a margin


# -------------------------------------------------------------------- server
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen | None = None, timeout: float = 180.0) -> float:
    """Poll ``url`` until it answers 200; the seconds it took. Generous deadline: on a busy
    machine the server's start (imports, compiling the kernels) takes tens of seconds."""
    t0 = time.monotonic()
    delay = 0.05
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                if r.status == 200:
                    return time.monotonic() - t0
        except OSError:
            pass
        if time.monotonic() - t0 > timeout:
            raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(delay)
        delay = min(1.0, delay * 1.5)


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def rss(self) -> int:
        """Resident memory of the server process and its children (bytes)."""
        import psutil

        p = psutil.Process(self.proc.pid)
        return sum(q.memory_info().rss for q in [p, *p.children(recursive=True)])

    def log_errors(self) -> list[str]:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return [line for line in text.splitlines() if "Traceback" in line or "ERROR" in line]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)


def start_server(log: Path, timeout: float = 180.0) -> Server:
    """``ratenet explore --port P -q`` with default options, once it answers."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("BOKEH_ALLOW_WS_ORIGIN", None)
    fh = open(log, "w")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from ratenet.cli import main; main()", "explore",
         "--port", str(port), "-q"], stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    fh.close()
    server = Server(proc, port, log)
    try:
        wait_ready(server.url, proc, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def wait_rss_settles(server: Server, *, at_least: float, timeout: float = 60.0) -> int:
    """RSS after ``at_least`` seconds, then once two readings 2 s apart agree within 2 MB."""
    time.sleep(at_least)
    last = server.rss()
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        time.sleep(2.0)
        now = server.rss()
        if abs(now - last) < 2 * 2**20:
            return now
        last = now
    return last


# -------------------------------------------------------------- page loads
def _token(page: str) -> str | None:
    m = re.search(r'"token"\s*:\s*"([^"]+)"', page) or re.search(r"token=([\w.\-]+)", page)
    return m.group(1) if m else None


async def load_page(url: str, timeout: float = 300.0) -> tuple[float, str]:
    """One page load: (seconds, session token).

    As many requests at once as there are clients (Tornado's client queues all but 10 by
    default, and times the queued ones out after 20 s: an error of the load generator,
    not of the server); a page may take ``timeout`` seconds, as a browser waits.
    """
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=1000)
    t0 = time.perf_counter()
    resp = await AsyncHTTPClient().fetch(url, connect_timeout=timeout, request_timeout=timeout,
                                         raise_error=True)
    dt = time.perf_counter() - t0
    token = _token(resp.body.decode(errors="replace"))
    if token is None:
        raise RuntimeError("no session token in the page")
    return dt, token


async def page_loads(url: str, n: int) -> tuple[list[float], int]:
    """``n`` page loads one after the other: their times and the number that failed."""
    times, errors = [], 0
    for _ in range(n):
        try:
            dt, _ = await load_page(url)
            times.append(dt)
        except Exception:
            errors += 1
    return times, errors


# ------------------------------------------------------ a websocket client
def _walk(obj: Any):
    """Every serialized Bokeh model (``{"type": "object", "name": ..., "id": ...}``) in a doc."""
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            if x.get("type") == "object" and "id" in x:
                yield x
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)


@dataclass
class Client:
    """One browser-like session: page, websocket, Bokeh protocol, slider moves."""

    url: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    page_s: float = float("nan")

    async def run(self, moves: int, move_timeout: float = 120.0) -> None:
        try:
            await self._run(moves, move_timeout)
        except Exception as err:  # every failure is counted, none is raised
            self.errors.append(f"{type(err).__name__}: {err}")

    async def _run(self, moves: int, move_timeout: float) -> None:
        from bokeh.protocol import Protocol
        from bokeh.protocol.receiver import Receiver
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        self.page_s, token = await load_page(self.url)
        ws_url = self.url.replace("http://", "ws://").rstrip("/") + "/ws"
        request = HTTPRequest(ws_url, headers={"Origin": self.url.rstrip("/")},
                              connect_timeout=300.0, request_timeout=300.0)
        self.ws = await websocket_connect(request, subprotocols=["bokeh", token],
                                          max_message_size=64 * 2**20)
        self.receiver = Receiver(Protocol())
        self._n = 0
        try:
            ack = await self._next_message(60.0)
            if ack.msgtype != "ACK":
                raise RuntimeError(f"expected ACK, got {ack.msgtype}")
            await self._send("PULL-DOC-REQ", {})
            reply = await self._next_message(60.0)
            while reply.msgtype != "PULL-DOC-REPLY":
                reply = await self._next_message(60.0)
            sliders, status = self._find_models(reply.content["doc"])
            # what BokehJS sends once the page is rendered: Panel holds its updates until then
            await self._send("PATCH-DOC", {"events": [
                {"kind": "MessageSent", "msg_type": "bokeh_event",
                 "msg_data": {"type": "event", "name": "document_ready",
                              "values": {"type": "map", "entries": []}}}]})
            updates = self._updates(status["attributes"]["text"])
            plan = [("J₁ (cosine coupling)", [1.5 + 0.1 * (k % 10) for k in range(1, 11)]),
                    ("J₀ (uniform coupling)", [-2.0 - 0.1 * (k % 10) for k in range(1, 11)])]
            for k in range(moves):
                title, values = plan[k % 2]
                value = values[(k // 2) % len(values)]
                model_id = sliders[title]
                t0 = time.perf_counter()
                await self._send("PATCH-DOC", {"events": [
                    {"kind": "ModelChanged", "model": {"id": model_id}, "attr": attr,
                     "new": value} for attr in ("value", "value_throttled")]})
                updates += 1
                await self._wait_status(status["id"], updates, t0 + move_timeout)
                self.latencies.append(time.perf_counter() - t0)
        finally:
            self.ws.close()

    def _find_models(self, doc: Any) -> tuple[dict[str, str], dict[str, Any]]:
        sliders: dict[str, str] = {}
        status = None
        for m in _walk(doc):
            attrs = m.get("attributes", {})
            if m.get("name") == "Slider" and isinstance(attrs.get("title"), str):
                sliders.setdefault(attrs["title"], m["id"])
            text = attrs.get("text")
            if (m.get("name") == "Div" and isinstance(text, str) and "server time" in text
                    and "update" in text and status is None):
                status = m
        if status is None or "J₁ (cosine coupling)" not in sliders:
            raise RuntimeError(f"no ring status line or J1 slider in the page ({len(sliders)} "
                               "sliders)")
        return sliders, status

    @staticmethod
    def _updates(text: str) -> int:
        m = re.search(r"update (\d+)", text)
        return int(m.group(1)) if m else 0

    async def _send(self, msgtype: str, content: dict[str, Any]) -> None:
        self._n += 1
        header = {"msgid": f"load-{id(self)}-{self._n}", "msgtype": msgtype}
        for part in (header, {}, content):
            await self.ws.write_message(json.dumps(part))

    async def _next_message(self, timeout: float) -> Any:
        while True:
            fragment = await asyncio.wait_for(self.ws.read_message(), timeout)
            if fragment is None:
                raise RuntimeError("the server closed the websocket")
            msg = await self.receiver.consume(fragment)
            if msg is not None:
                if msg.msgtype == "ERROR":
                    raise RuntimeError(f"server ERROR: {msg.content.get('text', '')[:200]}")
                return msg

    async def _wait_status(self, status_id: str, wanted: int, deadline: float) -> None:
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no 'update {wanted}' within the deadline")
            msg = await self._next_message(left)
            if msg.msgtype != "PATCH-DOC":
                continue
            for ev in msg.content.get("events", []):
                if ev.get("kind") != "ModelChanged" or ev.get("attr") != "text":
                    continue
                model = ev.get("model", {})
                if model.get("id") == status_id and self._updates(str(ev.get("new"))) >= wanted:
                    return
                new = str(ev.get("new"))
                if "Request refused" in new:
                    raise RuntimeError(f"request refused: {new[:200]}")


async def sessions(url: str, n_sessions: int, moves: int) -> list[Client]:
    """``n_sessions`` clients at once, each making ``moves`` slider moves."""
    clients = [Client(url) for _ in range(n_sessions)]
    await asyncio.gather(*(c.run(moves) for c in clients))
    return clients


# ------------------------------------------------------- building a page
def page_build_times(repeats: int = 5) -> dict[str, float]:
    """Median seconds to build one page's explorer and its Bokeh models, in this process:
    as served (only the first tab's view; the others when first shown) and with every
    tab's view built at once (as before), interleaved in the same run."""
    from bokeh.document import Document

    from ratenet.app import create_app
    from ratenet.app.server import _warm_up

    _warm_up()
    create_app().get_root(Document())  # imports, caches
    times: dict[str, list[float]] = {"lazy": [], "eager": []}
    for _ in range(repeats):
        for mode in ("eager", "lazy"):
            t0 = time.perf_counter()
            page = create_app()
            if mode == "eager":
                for key in page.ratenet_views:
                    page.ratenet_views[key]
            page.get_root(Document())
            times[mode].append(time.perf_counter() - t0)
            page.ratenet_views.release()
    return {k: statistics.median(v) for k, v in times.items()}


# ------------------------------------------------------------------ figures
def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    v = sorted(values)

    def q(p: float) -> float:
        return v[min(len(v) - 1, round(p * (len(v) - 1)))]

    return {"n": len(v), "median": statistics.median(v), "p90": q(0.9), "p99": q(0.99),
            "max": v[-1]}


def measure(*, loads: int, n_sessions: int, moves: int, log: Path) -> dict[str, Any]:
    """Run both phases against a fresh server; every figure in one dict."""
    server = start_server(log)
    out: dict[str, Any] = {"cores": os.cpu_count() or 1}
    try:
        out["load_average_start"] = os.getloadavg()[0]
        rss0 = server.rss()
        out["rss_start_MB"] = rss0 / 2**20
        if loads:
            t0 = time.perf_counter()
            times, errors = asyncio.run(page_loads(server.url, loads))
            out["page_loads"] = {"count": loads, "errors": errors,
                                 "seconds": time.perf_counter() - t0,
                                 "time_s": percentiles(times)}
            out["rss_after_loads_MB"] = server.rss() / 2**20
            out["rss_loads_released_MB"] = wait_rss_settles(
                server, at_least=SESSION_RELEASE_S) / 2**20
        if n_sessions:
            t0 = time.perf_counter()
            clients = asyncio.run(sessions(server.url, n_sessions, moves))
            lat = [x for c in clients for x in c.latencies]
            errs = [e for c in clients for e in c.errors]
            out["sessions"] = {
                "sessions": n_sessions, "moves_each": moves, "moves_done": len(lat),
                "errors": len(errs), "error_examples": errs[:5],
                "seconds": time.perf_counter() - t0,
                "latency_ms": {k: (v * 1e3 if k != "n" else v)
                               for k, v in percentiles(lat).items()},
                "page_load_s": percentiles([c.page_s for c in clients
                                            if c.page_s == c.page_s]),
            }
            out["rss_after_sessions_MB"] = server.rss() / 2**20
            out["rss_sessions_released_MB"] = wait_rss_settles(
                server, at_least=SESSION_RELEASE_S) / 2**20
        out["server_log_errors"] = server.log_errors()
        out["load_average_end"] = os.getloadavg()[0]
        out["server_alive"] = server.proc.poll() is None
    finally:
        server.stop()
    return out


def markdown(r: dict[str, Any], command: str) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = ["## Explorer under load", "",
             f"`{command}`, {when}, {r['cores']} cores, load average "
             f"{r['load_average_start']:.1f} at the start and {r['load_average_end']:.1f} at "
             "the end (the clients run on the same cores as the server).", ""]
    if "page_loads" in r:
        p = r["page_loads"]
        t = p["time_s"]
        lines += [
            f"**{p['count']} page loads** (plain HTTP, one after the other, no websocket): "
            f"{p['errors']} errors; page-load time median {t.get('median', 0):.2f} s, p90 "
            f"{t.get('p90', 0):.2f} s, max {t.get('max', 0):.2f} s. Server RSS "
            f"{r['rss_start_MB']:.0f} MB at the start, {r['rss_after_loads_MB']:.0f} MB right "
            f"after the loads, {r['rss_loads_released_MB']:.0f} MB once the sessions were "
            f"released ({r['rss_loads_released_MB'] - r['rss_start_MB']:+.0f} MB; the target "
            "is +150 MB).", ""]
    if "page_build_s" in r:
        b = r["page_build_s"]
        lines += [
            f"**Building a page** (in-process, median of 5, same run): "
            f"{b['lazy']:.2f} s with the tabs after the first built when first shown, "
            f"{b['eager']:.2f} s with every tab built at once (before): "
            f"{b['eager'] / b['lazy']:.1f}x faster.", ""]
    if "sessions" in r:
        s = r["sessions"]
        lat = s["latency_ms"]
        lines += [
            f"**{s['sessions']} concurrent sessions x {s['moves_each']} slider moves** "
            "(Bokeh websocket protocol, ring J1/J0 alternately, each move waits for its "
            f"redraw): {s['moves_done']} moves done, **{s['errors']} errors**, "
            f"{s['seconds']:.0f} s in all.", "",
            "| latency of a move (ms) | median | p90 | p99 | max |", "|---|---|---|---|---|",
            f"| 50 sessions at once | {lat.get('median', 0):.0f} | {lat.get('p90', 0):.0f} | "
            f"{lat.get('p99', 0):.0f} | {lat.get('max', 0):.0f} |", "",
            f"Server RSS {r['rss_after_sessions_MB']:.0f} MB with the sessions open, "
            f"{r['rss_sessions_released_MB']:.0f} MB once they were closed and released. "
            f"Server log lines with Traceback/ERROR: {len(r['server_log_errors'])}.", ""]
    return "\n".join(lines)


def write_results(section: str) -> None:
    path = HERE / "RESULTS_app.md"
    text = path.read_text() if path.exists() else "# Explorer latency\n"
    head = text.split("## Explorer under load")[0].rstrip() + "\n\n"
    path.write_text(head + section)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loads", type=int, default=300)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--moves", type=int, default=100)
    ap.add_argument("--write", action="store_true", help="update benchmarks/RESULTS_app.md")
    ap.add_argument("--json", default=None, help="also write every figure to this file")
    a = ap.parse_args(argv)
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    r = measure(loads=a.loads, n_sessions=a.sessions, moves=a.moves,
                log=ROOT / "test-artifacts" / "explorer-load-server.log")
    r["page_build_s"] = page_build_times()
    if a.json:
        Path(a.json).write_text(json.dumps(r, indent=2))
    command = ("python benchmarks/bench_explorer_load.py --loads "
               f"{a.loads} --sessions {a.sessions} --moves {a.moves}")
    section = markdown(r, command)
    print(section)
    if a.write:
        write_results(section)
    bad = (r.get("sessions", {}).get("errors", 0) or r.get("page_loads", {}).get("errors", 0)
           or r["server_log_errors"] or not r["server_alive"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
