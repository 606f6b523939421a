"""Running a sweep: chunks scheduled with Dask, results written as each chunk finishes.

* ``scheduler=None``: a local Dask cluster on this machine, listening on 127.0.0.1 only, one
  worker *process* per core with one thread each.  Each chunk runs the single-threaded
  compiled kernels (``simulate(..., parallel=False)``): parallelism comes from the processes,
  never from Numba threads inside Dask worker threads (which can abort the process with
  Numba's default threading layer).
* ``scheduler="tcp://HOST:PORT"``: an existing Dask cluster (``dask scheduler`` plus
  ``dask worker`` processes that can import ratenet).  The workers only compute; the client
  writes the store, so the store needs no shared file system.
* ``scheduler="synchronous"``: every chunk in this process, in order (no Dask; for debugging
  and small tests).

Results are independent of the scheduler, the number of workers and the chunking: each
cell's initial condition comes from its own seed stream, and rows of a batch are computed
independently.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._validation import ParameterError
from .grid import Grid, compute_chunk
from .spec import SweepSpec, load_spec
from .store import SweepStore, _refuse_existing, check_writable

__all__ = ["ChunkFailed", "SweepResult", "run_sweep"]


@dataclass(frozen=True)
class SweepResult:
    """What a call to :func:`run_sweep` did.

    Attributes
    ----------
    store : str
        Path of the Zarr store.
    cells : int
        Simulations in the whole sweep (grid points times trials).
    completed : int
        Simulations stored now (from this run and earlier ones).
    computed : int
        Simulations computed by this run (0 when a resumed sweep was already complete).
    chunks : int
        Chunks in the whole sweep.
    seconds : float
        Wall-clock time of the run, cluster start-up included.
    scheduler : str
        Address of the scheduler used (``"synchronous"`` without Dask).
    workers : int
        Number of Dask workers when the run started (0 without Dask).
    """

    store: str
    cells: int
    completed: int
    computed: int
    chunks: int
    seconds: float
    scheduler: str
    workers: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _cells_in(grid: Grid, indices) -> int:
    return sum(grid.chunk(i).n_points for i in indices) * grid.trials


def local_cluster(n_workers: int | None = None):
    """A Dask ``LocalCluster`` on 127.0.0.1: ``n_workers`` processes of one thread each.

    Parameters
    ----------
    n_workers : int, optional
        Default: the number of CPU cores available to this process.
    """
    from distributed import LocalCluster

    if n_workers is None:
        try:
            n_workers = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not Linux
            n_workers = os.cpu_count() or 1
    # Every listening socket on the loopback interface: the scheduler, the workers, their
    # nannies and the dashboard (an explicit host, since ":0" alone would bind 0.0.0.0).
    return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                        host="127.0.0.1", dashboard_address="127.0.0.1:0", protocol="tcp",
                        silence_logs=logging.ERROR)


def run_sweep(
    spec: SweepSpec | str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: bool = False,
    client: Any = None,
    fsync: bool = True,
) -> SweepResult:
    """Run a parameter sweep and store its results in a Zarr store.

    Parameters
    ----------
    spec : SweepSpec or path of a TOML spec
    out : path
        The Zarr store (``.zarr`` folder). Must not exist unless ``resume``. It is written
        as ``out.partial`` and renamed to ``out`` once every chunk is stored.
    scheduler : str, optional
        None: a local Dask cluster on 127.0.0.1; ``"tcp://HOST:PORT"``: an existing Dask
        scheduler; ``"synchronous"``: no Dask, every chunk in this process.
    workers : int, optional
        Worker processes of the local cluster (default: the CPU cores).
    resume : bool, default False
        Continue the sweep stored at ``out``: chunks already stored are skipped.
    progress : bool, default False
        A progress bar with ETA on stderr.
    client : distributed.Client, optional
        Use this client instead of ``scheduler``.
    fsync : bool, default True
        Sync each chunk's files to disk before marking it complete (survives a machine
        crash, not only a killed process).

    Returns
    -------
    SweepResult

    Raises
    ------
    ParameterError
        Bad spec, an existing ``out`` without ``resume``, a place where ``out`` cannot be
        written, a store from another spec, or a scheduler that cannot be reached; raised
        before anything is written.
    ChunkFailed
        A chunk raised on a Dask worker; the chunks stored before stay in ``out.partial``
        (continue with ``resume=True``), as they do after a ``KeyboardInterrupt``. After any
        other error nothing this call made is left behind.

    Examples
    --------
    >>> from ratenet.sweep import parse_spec, run_sweep       # doctest: +SKIP
    >>> spec = parse_spec('model = "ring"\\n[sweep]\\nj0 = [-1.0, 0.0]')  # doctest: +SKIP
    >>> run_sweep(spec, "s.zarr", scheduler="synchronous").completed  # doctest: +SKIP
    2
    """
    t_start = time.perf_counter()
    _require("zarr", "xarray", *(() if scheduler == "synchronous" and client is None
                                 else ("distributed",)))
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or not 1 <= workers <= 1024):
        raise ParameterError("workers", workers, "an integer in [1, 1024]")
    if workers is not None and (scheduler is not None or client is not None):
        raise ParameterError("workers", workers, "given only for the local cluster",
                             "the workers of an existing cluster are started with it")
    grid = Grid(spec)
    out = Path(out)
    store: SweepStore | None
    if resume:
        store = SweepStore.resume(out, spec, fsync=fsync)
        done = store.completed()
    else:
        _refuse_existing(out)
        check_writable(out)
        store = None
        done = set()
    todo = [i for i in range(grid.n_chunks) if i not in done]
    created = store is None

    own_cluster = None
    own_client = client is None
    sync = client is None and scheduler == "synchronous"
    address = "synchronous"
    n_workers = 0
    template = None
    if store is None and client is None and scheduler is None:
        # A local cluster takes seconds to start: build the store's template meanwhile.
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(1, thread_name_prefix="ratenet-sweep-template")
        template = pool.submit(SweepStore.create, out, spec, fsync=fsync)
        pool.shutdown(wait=False)  # the thread ends with the task
    try:
        if not sync and todo:
            if client is None:
                client, own_cluster = _connect(scheduler, workers)
            address = str(client.scheduler.address)
            n_workers = len(client.scheduler_info(n_workers=-1).get("workers", {}))
            if own_cluster is None:
                _check_worker_versions(client, address)
        if store is None:
            store = (template.result() if template is not None
                     else SweepStore.create(out, spec, fsync=fsync))
        try:
            computed = _execute(spec, grid, store, todo, client=None if sync else client,
                                progress=progress, initial=_cells_in(grid, done))
            store.finish()  # every chunk's marker, then STORE.zarr.partial -> STORE.zarr
        except BaseException as err:
            store.close()
            # Interrupted (Ctrl-C) or a chunk that failed on a worker: the chunks stored so
            # far stay in STORE.zarr.partial for --resume. Any other error (a failure of
            # this process: a full disk, a bug): nothing this run made is left behind.
            keep = isinstance(err, (KeyboardInterrupt, ChunkFailed)) and store.completed()
            if created and not keep:
                store.discard()
            raise
    except BaseException:
        if created and store is None and template is not None:
            _discard_template(template)
        raise
    finally:
        if own_client and client is not None:
            client.close()
        if own_cluster is not None:
            own_cluster.close()
    completed = _cells_in(grid, store.completed())
    return SweepResult(store=str(out), cells=spec.n_cells, completed=completed,
                       computed=computed, chunks=grid.n_chunks,
                       seconds=time.perf_counter() - t_start, scheduler=address,
                       workers=n_workers)


class ChunkFailed(RuntimeError):
    """A chunk's computation raised on a worker (the chunks stored so far are kept)."""


def _discard_template(template: Any) -> None:
    """Remove the store that the template thread made, once it is done."""
    try:
        made = template.result()
    except BaseException:
        return  # it made nothing (its own temporary folder is removed by create)
    made.discard()


def _ratenet_version() -> str:
    from .._version import __version__

    return __version__


def _check_worker_versions(client: Any, address: str) -> None:
    """Workers of an existing cluster must run the same ratenet as this process."""
    try:
        versions = client.run(_ratenet_version)
    except Exception as err:
        raise ParameterError("scheduler", address, "a cluster whose workers can import ratenet",
                             f"{type(err).__name__}: {err}") from None
    mine = _ratenet_version()
    other = {w: v for w, v in versions.items() if v != mine}
    if other:
        w, v = next(iter(other.items()))
        raise ParameterError("scheduler", address,
                             f"a cluster whose workers run ratenet {mine} like this client",
                             f"{len(other)} worker(s) run another version, e.g. {w}: {v}")


def _require(*modules: str) -> None:
    """Raise ImportError naming the ``sweep`` extra when one of ``modules`` is missing."""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise ImportError(f"ratenet sweeps need {', '.join(missing)}: install the 'sweep' "
                          "extra, e.g. pip install 'ratenet[sweep]'")


def _connect(scheduler: str | None, workers: int | None, timeout: str = "15s"):
    from distributed import Client

    if scheduler is None:
        cluster = local_cluster(workers)
        return Client(cluster), cluster
    if not isinstance(scheduler, str) or "://" not in scheduler:
        raise ParameterError("scheduler", scheduler,
                             "an address tcp://HOST:PORT, or 'synchronous'")
    try:
        return Client(scheduler, timeout=timeout), None
    except (OSError, TimeoutError) as err:
        raise ParameterError("scheduler", scheduler, "the address of a running Dask scheduler",
                             f"cannot connect: {err}") from None


def _execute(spec: SweepSpec, grid: Grid, store: SweepStore, todo: list[int], *, client: Any,
             progress: bool, initial: int) -> int:
    from tqdm.auto import tqdm

    spec_json = spec.to_json()
    computed = 0
    with tqdm(total=spec.n_cells, initial=initial, unit="cell", desc="sweep",
              disable=not progress, dynamic_ncols=True, smoothing=0.1) as bar:
        if client is None:
            for index in todo:
                store.write_chunk(grid.chunk(index), compute_chunk(spec_json, index))
                n = grid.chunk(index).n_points * grid.trials
                computed += n
                bar.update(n)
            return computed

        from distributed import as_completed

        token = uuid.uuid4().hex[:8]
        futures = []
        index_of = {}
        for index in todo:
            fut = client.submit(compute_chunk, spec_json, index, pure=False,
                                key=f"ratenet-sweep-{token}-{index}")
            futures.append(fut)
            index_of[fut.key] = index
        pending = as_completed(futures)
        del futures  # only ``pending`` holds them now; each is released once written
        for fut in pending:
            index = index_of[fut.key]
            try:
                values = fut.result()
            except Exception as err:
                raise ChunkFailed(f"chunk {index} of the sweep failed: "
                                  f"{type(err).__name__}: {err}") from err
            store.write_chunk(grid.chunk(index), values)
            fut.release()
            n = grid.chunk(index).n_points * grid.trials
            computed += n
            bar.update(n)
    return computed

