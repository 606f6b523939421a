"""Parameter sweeps at scale: a TOML spec, chunks scheduled with Dask, results in Zarr.

>>> from ratenet.sweep import load_spec, run_sweep        # doctest: +SKIP
>>> result = run_sweep(load_spec("examples/sweep_ring.toml"), "ring.zarr")  # doctest: +SKIP
>>> import xarray as xr; xr.open_zarr("ring.zarr")          # doctest: +SKIP

See ``docs/sweep.md`` for the spec format, the command line and running on a cluster.
"""

from . import _ei  # noqa: F401  (registers the E-I sweep model)
from .execute import SweepResult, local_cluster, run_sweep
from .grid import Chunk, Grid, chunk_shape_for, compute_chunk
from .models import (
    MODELS,
    Parameter,
    Quantity,
    SweepModel,
    cell_seed_sequence,
    get_model,
    register_model,
)
from .plot import plot_quantity
from .spec import SweepSpec, load_spec, parse_spec
from .store import SweepStore, completed_chunks, open_sweep

__all__ = [
    "MODELS",
    "Chunk",
    "Grid",
    "Parameter",
    "Quantity",
    "SweepModel",
    "SweepResult",
    "SweepSpec",
    "SweepStore",
    "cell_seed_sequence",
    "chunk_shape_for",
    "completed_chunks",
    "compute_chunk",
    "get_model",
    "load_spec",
    "local_cluster",
    "open_sweep",
    "parse_spec",
    "plot_quantity",
    "register_model",
    "run_sweep",
]
