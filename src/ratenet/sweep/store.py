"""The Zarr store of a sweep: template first, then one chunk at a time, resumable.

Layout (Zarr format 2, consolidated metadata, readable with :func:`xarray.open_zarr`):

* one coordinate per swept parameter (and ``trial`` when there are several trials);
* one variable per measured quantity, chunked exactly like the sweep's chunks, so every
  chunk of work fills whole Zarr chunks and never touches a neighbour's;
* attributes: ``sweep_spec`` (the canonical spec as JSON), ``sweep_spec_toml`` (the spec as
  written), ``ratenet_version``, the grid's chunk shape;
* a hidden folder ``.ratenet_sweep/`` with ``spec.json`` and one completion marker per
  chunk in ``done/``, written (atomically) only after that chunk's data files have been
  written and synced to disk (``fsync``; in a background thread, so computing goes on).  A
  resume recomputes exactly the chunks without a marker.

Nothing is half-written under the store's name: the template is built in a temporary
folder next to the store, renamed to ``STORE.zarr.partial`` (:func:`partial_path`), the
chunks are written there, and only a complete sweep is renamed to ``STORE.zarr``.  An
interrupted sweep (Ctrl-C, a killed process, a failed chunk) stays in ``STORE.zarr.partial``
for ``--resume``; temporary files a killed writer may leave (Zarr's ``*.partial`` chunk
files, half-written markers, template folders) are removed on resume.  Before any work,
:func:`check_writable` makes sure the folder takes the store's names.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import ParameterError
from .._version import __version__
from .grid import Chunk, Grid
from .spec import SweepSpec

__all__ = ["SweepStore", "check_writable", "completed_chunks", "open_sweep", "partial_path"]

_META = ".ratenet_sweep"
_DONE = "done"
_TMP_TEMPLATE = ".ratenet-template-"
_PARTIAL = ".partial"


def partial_path(path: str | os.PathLike[str]) -> Path:
    """Where the store at ``path`` is written until every chunk is stored: ``path.partial``."""
    path = Path(path)
    return path.with_name(path.name + _PARTIAL)


def _template_path(path: Path) -> Path:
    return path.absolute().parent / f"{_TMP_TEMPLATE}{path.name}-{uuid.uuid4().hex[:12]}"


def _exists(path: Path) -> bool:
    """``path.exists()``, with a name the system refuses (too long, ...) as ParameterError."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return False
    except OSError as err:
        if err.errno in (errno.ENOENT, errno.ENOTDIR):
            return False
        raise ParameterError("out", str(path), "a path this system can hold",
                             err.strerror or str(err)) from None
    return True


def check_writable(path: str | os.PathLike[str]) -> None:
    """Raise :class:`ParameterError` (name ``"out"``) unless a store can be written at ``path``.

    The folder must exist and take a new folder under each name the writer uses (the
    template, ``path.partial``, ``path``): a probe folder is made, renamed through those
    names and removed, so that a read-only place (``/sys``), a missing folder or a name
    too long for the file system is refused before any work.
    """
    path = Path(path)
    parent = path.absolute().parent
    if not parent.is_dir():
        raise ParameterError("out", str(path), "a path in an existing folder",
                             f"{parent} is not a folder" if parent.exists()
                             else f"{parent} does not exist")
    probe = _template_path(path)
    try:
        probe.mkdir()
        for name in (partial_path(path), path):
            if _exists(name):
                continue
            os.rename(probe, name)
            probe = name
    except OSError as err:
        raise ParameterError("out", str(path), "a path where a new folder can be written",
                             err.strerror or str(err)) from None
    finally:
        try:
            probe.rmdir()
        except OSError:
            pass


def _fsync_file(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:  # Zarr does not write chunks that hold only the fill value
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def _variables(spec: SweepSpec) -> list[tuple[Any, str]]:
    adapter = spec.adapter
    out = []
    for name in spec.quantities:
        out.append((adapter.quantity(name, "measured"), "measured"))
    for name in spec.theory:
        out.append((adapter.quantity(name, "theory"), "theory"))
    return out


def _template(spec: SweepSpec, grid: Grid):
    """The store's skeleton as a lazy xarray Dataset, with its Zarr encoding."""
    import dask.array as da
    import xarray as xr

    adapter = spec.adapter
    coords: dict[str, Any] = {}
    for name, values in grid.values.items():
        p = adapter.parameters[name]
        coords[name] = (name, np.asarray(values, dtype=float), {"description": p.doc})
    if grid.trials > 1:
        coords["trial"] = ("trial", np.arange(grid.trials),
                           {"description": "trial number (each from its own random start)"})
    data_vars: dict[str, Any] = {}
    encoding: dict[str, Any] = {}
    for q, kind in _variables(spec):
        shape = grid.variable_shape(kind)
        chunks = grid.variable_chunks(kind)
        dtype = np.dtype(q.dtype)
        data = da.full(shape, q.fill_value, dtype=dtype, chunks=chunks or ())
        attrs: dict[str, Any] = {"long_name": q.description, "kind": kind}
        if q.units:
            attrs["units"] = q.units
        if q.categories is not None:
            attrs["flag_values"] = list(range(len(q.categories)))
            attrs["flag_meanings"] = " ".join(q.categories)
        data_vars[q.variable] = (grid.variable_dims(kind), data, attrs)
        enc: dict[str, Any] = {"chunks": chunks or ()}
        enc["_FillValue"] = np.nan if dtype.kind == "f" else None
        encoding[q.variable] = enc
    ds = xr.Dataset(data_vars, coords=coords)
    ds.attrs.update({
        "title": f"ratenet sweep of the {spec.model} model",
        "model": spec.model,
        "sweep_spec": spec.to_json(),
        "sweep_spec_toml": spec.source,
        "ratenet_version": __version__,
        "seed": spec.seed,
        "trials": spec.trials,
        "n_cells": spec.n_cells,
        "chunk_shape": list(grid.chunk_shape),
        "n_chunks": grid.n_chunks,
    })
    return ds, encoding


class SweepStore:
    """Writer of a sweep's Zarr store.

    Use :meth:`create` for a fresh store and :meth:`resume` for an existing one.
    """

    def __init__(self, path: str | os.PathLike[str], spec: SweepSpec, grid: Grid, *,
                 fsync: bool = True) -> None:
        self.path = Path(path)
        self.spec = spec
        self.grid = grid
        self.fsync = fsync
        self._arrays: dict[str, Any] | None = None
        self._committer: Any = None
        self._pending: list[Any] = []
        #: Where the finished store goes (``path`` itself once it is there).
        self.final_path = self.path

    # ---------------------------------------------------------------- opening
    @classmethod
    def create(cls, path: str | os.PathLike[str], spec: SweepSpec, *,
               fsync: bool = True) -> SweepStore:
        """Write the template of a new store; refuse to touch an existing path."""
        path = Path(path)
        _refuse_existing(path)
        grid = Grid(spec)
        parent = path.absolute().parent
        if not parent.is_dir():
            raise ParameterError("out", str(path), "a path in an existing folder")
        _remove_stale_templates(path)
        tmp = _template_path(path)
        work = partial_path(path)
        try:
            ds, encoding = _template(spec, grid)
            ds.to_zarr(tmp, mode="w-", compute=False, zarr_format=2, consolidated=True,
                       encoding=encoding)
            meta = tmp / _META
            (meta / _DONE).mkdir(parents=True)
            _write_atomic(meta / "spec.json", spec.to_json())
            _fsync_tree(tmp)
            os.rename(tmp, work)
            _fsync_dir(parent)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        store = cls(work, spec, grid, fsync=fsync)
        store.final_path = path
        return store

    @classmethod
    def resume(cls, path: str | os.PathLike[str], spec: SweepSpec, *,
               fsync: bool = True) -> SweepStore:
        """Open an interrupted store written by the same spec and clean its temporary files."""
        final = Path(path)
        path = final
        work = partial_path(final)
        if work.exists() and final.exists():
            raise ParameterError("resume", str(final), "one store: either the finished one or "
                                 "the unfinished one", f"both {final} and {work} exist")
        if work.exists():
            path = work
        meta = path / _META
        if not (meta / "spec.json").is_file():
            what = "does not exist" if not path.exists() else "is not a ratenet sweep store"
            raise ParameterError("resume", str(final), "a store written by 'ratenet sweep'",
                                 f"{path} {what}")
        stored = json.loads((meta / "spec.json").read_text())
        current = json.loads(spec.to_json())
        if stored != current:
            diff = sorted(k for k in set(stored) | set(current) if stored.get(k) != current.get(k))
            raise ParameterError("resume", str(path), "a store written by the same spec",
                                 f"the spec differs in {diff}")
        _remove_stale_templates(final)
        for leftover in path.rglob("*.partial"):  # Zarr's temporary chunk files
            leftover.unlink(missing_ok=True)
        for leftover in (meta / _DONE).glob("*.tmp*"):
            leftover.unlink(missing_ok=True)
        (meta / _DONE).mkdir(exist_ok=True)
        store = cls(path, spec, Grid(spec), fsync=fsync)
        store.final_path = final
        return store

    # ---------------------------------------------------------------- writing
    def completed(self) -> set[int]:
        """Numbers of the chunks whose data is stored."""
        return completed_chunks(self.path)

    def _open_arrays(self) -> dict[str, Any]:
        if self._arrays is None:
            import zarr

            group = zarr.open_group(str(self.path), mode="r+", zarr_format=2)
            self._arrays = {q.variable: (group[q.variable], kind)
                            for q, kind in _variables(self.spec)}
        return self._arrays

    def write_chunk(self, chunk: Chunk, values: Mapping[str, np.ndarray]) -> None:
        """Store one chunk's values; its completion marker follows once they are on disk.

        The data is written here; syncing it to disk and then writing the marker happen in
        a background thread, in order, so that computing and writing go on meanwhile.
        Call :meth:`flush` to wait for every marker.
        """
        self._raise_failed_commit()
        arrays = self._open_arrays()
        files = []
        for name, (arr, kind) in arrays.items():
            region = self.grid.variable_region(chunk, kind)
            data = np.asarray(values[name])
            expected = tuple(s.stop - s.start for s in region)
            if data.shape != expected:
                raise ValueError(f"chunk {chunk.index}: {name} has shape {data.shape}, "
                                 f"expected {expected}")
            if region:
                arr[region] = data
            else:
                arr[...] = data
            coords = tuple(s.start // c for s, c in zip(region, arr.chunks))
            files.append(self.path / name / _chunk_key(arr, coords))
        if self._committer is None:
            from concurrent.futures import ThreadPoolExecutor

            self._committer = ThreadPoolExecutor(1, thread_name_prefix="ratenet-sweep-commit")
        dirs = [self.path / name for name in arrays]
        self._pending.append(self._committer.submit(self._commit, chunk.index, files, dirs))

    def _commit(self, index: int, files: list[Path], dirs: list[Path]) -> None:
        if self.fsync:
            for f in files:
                _fsync_file(f)
            for d in dirs:
                _fsync_dir(d)
        _write_atomic(self.path / _META / _DONE / str(index), "", fsync=self.fsync)

    def _raise_failed_commit(self) -> None:
        still = []
        for fut in self._pending:
            if fut.done():
                fut.result()  # re-raises the failure of an earlier commit
            else:
                still.append(fut)
        self._pending = still

    def flush(self) -> None:
        """Wait until every chunk written so far is synced and marked complete."""
        pending, self._pending = self._pending, []
        for fut in pending:
            fut.result()

    def close(self) -> None:
        """Flush, then stop the background thread."""
        try:
            self.flush()
        finally:
            if self._committer is not None:
                self._committer.shutdown(wait=True)
                self._committer = None
            self._arrays = None

    @property
    def complete(self) -> bool:
        """Whether every chunk is stored."""
        return len(self.completed()) == self.grid.n_chunks

    def finish(self) -> Path:
        """Rename a complete store from ``STORE.zarr.partial`` to ``STORE.zarr``; its path."""
        self.close()
        if self.path == self.final_path:
            return self.path
        if not self.complete:
            raise RuntimeError(f"{self.path}: {len(self.completed())} of {self.grid.n_chunks} "
                               "chunks stored; the sweep is not finished")
        _refuse_existing(self.final_path, partial_too=False)
        os.rename(self.path, self.final_path)
        _fsync_dir(self.final_path.absolute().parent)
        self.path = self.final_path
        return self.path

    def discard(self) -> None:
        """Remove an unfinished store (``STORE.zarr.partial``); a finished one is kept."""
        self.close()
        if self.path != self.final_path and self.path.name.endswith(_PARTIAL):
            shutil.rmtree(self.path, ignore_errors=True)


def _refuse_existing(path: Path, *, partial_too: bool = True) -> None:
    if _exists(path):
        raise ParameterError("out", str(path), "a path that does not exist yet",
                             "pass --resume to continue the sweep stored there, or remove it")
    work = partial_path(path)
    if partial_too and _exists(work):
        raise ParameterError("out", str(path), "a path without an unfinished sweep",
                             f"an interrupted sweep is stored in {work}: pass --resume to "
                             "continue it, or remove it")


def completed_chunks(path: str | os.PathLike[str]) -> set[int]:
    """Chunk numbers marked complete in the store at ``path`` (or, while it is being
    written, in its unfinished version ``path.partial``)."""
    done = Path(path) / _META / _DONE
    if not done.is_dir():
        done = partial_path(path) / _META / _DONE
    if not done.is_dir():
        return set()
    return {int(p.name) for p in done.iterdir() if p.name.isdigit()}


def open_sweep(path: str | os.PathLike[str], *, regimes_as_labels: bool = False):
    """Open a sweep store as an :class:`xarray.Dataset` (lazy, Dask-backed).

    Parameters
    ----------
    path : path of the ``.zarr`` store
    regimes_as_labels : bool, default False
        Replace categorical codes (e.g. ``regime``) by their labels (strings; loads them).

    Returns
    -------
    xarray.Dataset
    """
    import xarray as xr

    p = Path(path)
    if not (p / ".zgroup").is_file() and not (p / "zarr.json").is_file():
        raise ParameterError("store", str(path), "an existing Zarr store")
    ds = xr.open_zarr(p)
    if regimes_as_labels:
        for name, var in ds.data_vars.items():
            meanings = var.attrs.get("flag_meanings")
            if meanings:
                labels = np.array(meanings.split() + [""], dtype=object)
                codes = var.values.astype(int)
                ds[name] = var.copy(data=labels[np.where(codes < 0, -1, codes)])
    return ds


# ----------------------------------------------------------------- utilities
def _chunk_key(arr: Any, coords: tuple[int, ...]) -> str:
    """File name of a chunk inside its array folder (``"0.3"`` for Zarr format 2)."""
    return str(arr.metadata.encode_chunk_key(coords))


def _write_atomic(path: Path, text: str, *, fsync: bool = True) -> None:
    tmp = path.with_name(f"{path.name}.tmp{uuid.uuid4().hex[:8]}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        if fsync:
            os.fsync(fh.fileno())
    os.replace(tmp, path)
    if fsync:
        _fsync_dir(path.parent)


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            _fsync_file(Path(dirpath) / f)
        _fsync_dir(Path(dirpath))


def _remove_stale_templates(path: Path) -> None:
    """Template folders of killed runs for this store (``.ratenet-template-<name>-<hex>``)."""
    parent = path.absolute().parent
    if not parent.is_dir():
        return
    for stale in parent.glob(f"{_TMP_TEMPLATE}{path.name}-*"):
        if (stale / _META).exists() or (stale / ".zgroup").exists() or stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
