"""``ratenet sweep`` on real Dask clusters, all on 127.0.0.1 with free ports.

* a cluster started here (``dask scheduler`` and two ``dask worker`` processes from the
  virtual environment) gives the same store as the local cluster and as the in-process run;
* the local cluster listens on 127.0.0.1 only;
* a worker killed mid-sweep: the sweep still completes, nothing lost;
* the client killed with SIGKILL mid-sweep leaves no process behind, and ``--resume`` then
  gives a store identical, file for file, to an uninterrupted run.

Every process started here is stopped at the end of its test (by its own id).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")
pytest.importorskip("zarr")
psutil = pytest.importorskip("psutil")

from ratenet import ParameterError  # noqa: E402
from ratenet.sweep import Grid, completed_chunks, local_cluster, parse_spec, run_sweep  # noqa: E402

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

#: Deadline for a cluster to be up (s): a wait for readiness, not a sleep.
START_S = 300

BIN = Path(sys.executable).parent
RATENET = [str(BIN / "ratenet")]
if not (BIN / "dask").exists() or not (BIN / "ratenet").exists():
    pytest.skip("the dask and ratenet commands of this environment are needed",
                allow_module_level=True)

# A ring sweep of 16 chunks of 4 cells; each chunk takes about a tenth of a second (RK4),
# so that there is time to kill a process while chunks are still pending.
SPEC = """
model = "ring"
seed = 5
[fixed]
h0 = 1.0
eps = 0.1
n = 64
t_max = 100
method = "rk4"
[sweep]
j1 = { start = 0.0, stop = 5.0, num = 8 }
j0 = { start = -4.0, stop = 0.5, num = 8 }
[measure]
quantities = ["regime", "r0", "peak", "theta_c", "bump_position", "diverged"]
theory = ["regime", "peak"]
[run]
chunk_cells = 4
"""


def store_files(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes()
            for p in sorted(path.rglob("*")) if p.is_file()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(procs) -> None:
    """Kill processes started by these tests (by their id) and reap them."""
    for p in procs:
        if p.poll() is None:
            p.kill()
    for p in procs:
        p.wait(timeout=30)


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "ring.toml"
    path.write_text(SPEC)
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The sweep run in-process, chunk after chunk: what every other run must reproduce."""
    out = tmp_path_factory.mktemp("ref") / "ref.zarr"
    run_sweep(parse_spec(SPEC), out, scheduler="synchronous")
    return out


@pytest.fixture
def dask_cluster(tmp_path):
    """``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1 (no nanny)."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path / "logs"
    logs.mkdir()
    env = dict(os.environ, NUMBA_NUM_THREADS="1")
    procs = []

    def start(name: str, args: list[str]) -> subprocess.Popen:
        fh = open(logs / f"{name}.log", "wb")
        p = subprocess.Popen([str(BIN / "dask"), *args], stdout=fh, stderr=subprocess.STDOUT,
                             env=env, cwd=tmp_path)
        fh.close()
        procs.append(p)
        return p

    try:
        start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(port),
                            "--no-dashboard"])
        workers = [start(f"worker{i}", ["worker", address, "--host", "127.0.0.1",
                                        "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                        "--name", f"w{i}"]) for i in range(2)]
        from distributed import Client

        # ready when both workers have registered (generous deadlines, no sleeps: on a
        # loaded machine the workers' imports alone take tens of seconds)
        with Client(address, timeout=f"{START_S}s") as client:
            client.wait_for_workers(2, timeout=START_S)
            info = client.scheduler_info(n_workers=-1)
        assert all(a.startswith("tcp://127.0.0.1:") for a in info["workers"])
        yield address, workers
    finally:
        stop(procs)


def wait_for_markers(store: Path, at_least: int, proc: subprocess.Popen,
                     timeout: float = 600.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = len(completed_chunks(store))  # of STORE.partial while the sweep runs
        if n >= at_least:
            return n
        if proc.poll() is not None:
            raise AssertionError(f"the sweep ended (rc {proc.returncode}) before "
                                 f"{at_least} chunks were stored")
        time.sleep(0.02)
    raise AssertionError("timed out waiting for the sweep to store chunks")


def test_same_store_on_a_started_cluster_on_the_local_cluster_and_in_process(
        tmp_path, reference, dask_cluster, monkeypatch):
    address, _ = dask_cluster
    spec = parse_spec(SPEC)
    # workers running another ratenet than the client: refused before anything is written
    with monkeypatch.context() as m:
        m.setattr("ratenet._version.__version__", "0.0.0+other")
        with pytest.raises(ParameterError) as info:
            run_sweep(spec, tmp_path / "refused.zarr", scheduler=address)
    assert info.value.name == "scheduler" and "another version" in str(info.value)
    assert not (tmp_path / "refused.zarr").exists()
    remote = run_sweep(spec, tmp_path / "remote.zarr", scheduler=address)
    assert remote.workers == 2 and remote.scheduler == address
    local = run_sweep(spec, tmp_path / "local.zarr", workers=1)
    assert local.workers == 1 and local.scheduler.startswith("tcp://127.0.0.1:")
    ref = store_files(reference)
    assert store_files(tmp_path / "remote.zarr") == ref
    assert store_files(tmp_path / "local.zarr") == ref
    import xarray as xr

    a = xr.open_zarr(reference).load()
    b = xr.open_zarr(tmp_path / "remote.zarr").load()
    for name in a.data_vars:  # value for value (the file comparison above implies it)
        np.testing.assert_array_equal(a[name].values, b[name].values)


def test_local_cluster_listens_on_loopback_only():
    from distributed import Client

    cluster = local_cluster(2)
    try:
        with Client(cluster) as client:
            info = client.scheduler_info(n_workers=-1)
            assert info["address"].startswith("tcp://127.0.0.1:")
            assert len(info["workers"]) == 2
            for addr, w in info["workers"].items():
                assert addr.startswith("tcp://127.0.0.1:")
                assert w["nthreads"] == 1
                assert str(w.get("nanny", "tcp://127.0.0.1")).startswith("tcp://127.0.0.1")
            me = psutil.Process()
            for proc in [me, *me.children(recursive=True)]:
                for conn in proc.net_connections(kind="inet"):
                    if conn.status == psutil.CONN_LISTEN:
                        assert conn.laddr.ip in ("127.0.0.1", "::1"), (proc, conn)
    finally:
        cluster.close()


def test_worker_killed_mid_sweep_still_completes(tmp_path, spec_file, reference,
                                                 dask_cluster):
    address, workers = dask_cluster
    out = tmp_path / "s.zarr"
    n_chunks = Grid(parse_spec(SPEC)).n_chunks
    client = subprocess.Popen([*RATENET, "sweep", str(spec_file), "--out", str(out),
                               "--scheduler", address, "--json", "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        done = wait_for_markers(out, 1, client)
        workers[1].send_signal(signal.SIGKILL)
        workers[1].wait(timeout=10)
        assert done < n_chunks  # the kill came while chunks were still pending
        stdout, stderr = client.communicate(timeout=600)
    finally:
        stop([client])
    assert client.returncode == 0, stderr.decode()
    result = json.loads(stdout)
    assert result["completed"] == result["cells"] == 64
    assert store_files(out) == store_files(reference)


def test_client_sigkilled_mid_sweep_then_resume_is_identical(tmp_path, spec_file, reference):
    out = tmp_path / "s.zarr"
    n_chunks = Grid(parse_spec(SPEC)).n_chunks
    client = subprocess.Popen([*RATENET, "sweep", str(spec_file), "--out", str(out),
                               "--workers", "2", "--quiet"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_markers(out, 2, client)
        children = psutil.Process(client.pid).children(recursive=True)
        client.send_signal(signal.SIGKILL)
        client.wait(timeout=10)
        stored = len(completed_chunks(out))
        assert stored < n_chunks
        assert not out.exists()  # nothing under the store's name until it is complete
        # the local cluster's worker processes must not outlive their client
        _, alive = psutil.wait_procs(children, timeout=20)
        for p in alive:
            p.kill()
        assert not alive, f"processes left behind by the killed client: {alive}"
    finally:
        stop([client])
    r = subprocess.run([*RATENET, "sweep", str(spec_file), "--out", str(out), "--resume",
                        "--workers", "2", "--json", "--quiet"], capture_output=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr.decode()
    result = json.loads(r.stdout)
    assert result["completed"] == 64
    assert result["computed"] == 64 - 4 * stored  # exactly the chunks without a marker
    assert store_files(out) == store_files(reference)
