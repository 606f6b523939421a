"""The grid of a sweep and how it is cut into chunks.

The grid is the Cartesian product of the swept values (C order: the last swept parameter
varies fastest), with a trailing ``trial`` axis.  Cell ``k`` is the flat index over
``grid_shape + (trials,)``; its random stream is ``SeedSequence(seed, spawn_key=(k,))``.

Chunks are rectangular blocks of grid points (all trials of a point stay together); each
chunk is one batched simulation and exactly one Zarr chunk of every stored variable, so
writes never straddle chunk boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .spec import SweepSpec

__all__ = ["Chunk", "Grid", "chunk_shape_for"]


def chunk_shape_for(grid_shape: tuple[int, ...], target_points: int) -> tuple[int, ...]:
    """Block shape of about ``target_points`` grid points, whole rows of the last axes first.

    Examples
    --------
    >>> chunk_shape_for((256, 256), 1024)
    (4, 256)
    >>> chunk_shape_for((5, 4), 3)
    (1, 3)
    """
    out = [1] * len(grid_shape)
    room = max(1, int(target_points))
    for ax in range(len(grid_shape) - 1, -1, -1):
        size = grid_shape[ax]
        if size <= room:
            out[ax] = size
            room //= size
        else:
            out[ax] = max(1, room)
            break
    return tuple(out)


@dataclass(frozen=True)
class Chunk:
    """One block of the grid.

    Attributes
    ----------
    index : int
        Flat chunk number (C order over the chunk grid).
    slices : tuple of slice
        The block in grid coordinates, one slice per swept dimension.
    """

    index: int
    slices: tuple[slice, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(s.stop - s.start for s in self.slices)

    @property
    def n_points(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


class Grid:
    """Grid and chunking of a :class:`SweepSpec`.

    Parameters
    ----------
    spec : SweepSpec
    """

    def __init__(self, spec: SweepSpec) -> None:
        self.spec = spec
        self.names: tuple[str, ...] = tuple(spec.sweep)
        self.values: dict[str, np.ndarray] = {k: np.asarray(v) for k, v in spec.sweep.items()}
        self.shape: tuple[int, ...] = spec.grid_shape
        self.trials = spec.trials
        points = max(1, spec.chunk_cells // spec.trials)
        self.chunk_shape: tuple[int, ...] = chunk_shape_for(self.shape, points)
        self.chunks_per_dim: tuple[int, ...] = tuple(
            -(-n // c) for n, c in zip(self.shape, self.chunk_shape))
        self.n_chunks = int(np.prod(self.chunks_per_dim, dtype=np.int64))

    def chunk(self, index: int) -> Chunk:
        """The ``index``-th chunk (``0 <= index < n_chunks``)."""
        pos = np.unravel_index(int(index), self.chunks_per_dim) if self.shape else ()
        slices = tuple(
            slice(int(p) * c, min(n, (int(p) + 1) * c))
            for p, c, n in zip(pos, self.chunk_shape, self.shape))
        return Chunk(int(index), slices)

    def __iter__(self):
        return (self.chunk(i) for i in range(self.n_chunks))

    def point_params(self, chunk: Chunk) -> dict[str, np.ndarray]:
        """Swept parameter values of every grid point of ``chunk``, C order, shape (points,)."""
        axes = [self.values[n][s] for n, s in zip(self.names, chunk.slices)]
        mesh = np.meshgrid(*axes, indexing="ij") if axes else []
        return {n: m.ravel() for n, m in zip(self.names, mesh)}

    def cell_indices(self, chunk: Chunk) -> np.ndarray:
        """Flat cell indices (over ``shape + (trials,)``) of ``chunk``, shape (points * trials,)."""
        ranges = [np.arange(s.start, s.stop) for s in chunk.slices] + [np.arange(self.trials)]
        mesh = np.meshgrid(*ranges, indexing="ij")
        return np.ravel_multi_index([m.ravel() for m in mesh], self.shape + (self.trials,))

    def cell_params(self, chunk: Chunk) -> dict[str, np.ndarray]:
        """Parameters of every simulation of ``chunk`` (each point repeated ``trials`` times)."""
        return {k: np.repeat(v, self.trials) for k, v in self.point_params(chunk).items()}

    def variable_region(self, chunk: Chunk, kind: str) -> tuple[slice, ...]:
        """Region of a store variable covered by ``chunk`` (trial axis whole)."""
        if kind == "measured" and self.trials > 1:
            return chunk.slices + (slice(0, self.trials),)
        return chunk.slices

    def variable_shape(self, kind: str) -> tuple[int, ...]:
        return self.shape + ((self.trials,) if kind == "measured" and self.trials > 1 else ())

    def variable_chunks(self, kind: str) -> tuple[int, ...]:
        return self.chunk_shape + (
            (self.trials,) if kind == "measured" and self.trials > 1 else ())

    def variable_dims(self, kind: str) -> tuple[str, ...]:
        return self.names + (("trial",) if kind == "measured" and self.trials > 1 else ())


def compute_chunk(spec_json: str, index: int) -> dict[str, Any]:
    """Run one chunk: the task every Dask worker executes.

    Parameters
    ----------
    spec_json : str
        :meth:`SweepSpec.to_json` of the sweep (plain text, cheap to ship).
    index : int
        Chunk number.

    Returns
    -------
    dict variable name -> ndarray of the variable's chunk shape
    """
    import json

    spec = SweepSpec.from_dict(json.loads(spec_json))
    grid = Grid(spec)
    chunk = grid.chunk(index)
    adapter = spec.adapter
    out: dict[str, Any] = {}
    if spec.quantities:
        vals = adapter.simulate_cells(grid.cell_params(chunk), spec.fixed, seed=spec.seed,
                                      cell_index=grid.cell_indices(chunk),
                                      quantities=spec.quantities)
        shape = chunk.shape + ((grid.trials,) if grid.trials > 1 else ())
        for name in spec.quantities:
            q = adapter.quantity(name, "measured")
            assert q is not None
            out[q.variable] = np.asarray(vals[name]).reshape(shape)
    if spec.theory:
        vals = adapter.theory_cells(grid.point_params(chunk), spec.fixed, quantities=spec.theory)
        for name in spec.theory:
            q = adapter.quantity(name, "theory")
            assert q is not None
            out[q.variable] = np.asarray(vals[name]).reshape(chunk.shape)
    return out
