"""
A sweep result
==============

:func:`ratenet.sweep.run_sweep` runs a TOML-described grid in chunks (on Dask when a cluster is
given; here in this process) and writes a Zarr store, which
:func:`ratenet.sweep.plot_quantity` draws. Needs the ``[sweep]`` extra.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

from ratenet.sweep import open_sweep, parse_spec, plot_quantity, run_sweep

spec = parse_spec("""
model = "ring"
seed = 0
trials = 1
[fixed]
h0 = 1.0
eps = 0.0
n = 64
t_max = 60
[sweep]
j0 = { start = -6.0, stop = 0.5, num = 12 }
j1 = { start = 0.0, stop = 6.0, num = 12 }
[measure]
quantities = ["regime", "r0"]
theory = ["regime"]
[run]
chunk_cells = 72
""")
with tempfile.TemporaryDirectory() as tmp:
    store = Path(tmp) / "ring.zarr"
    result = run_sweep(spec, store, scheduler="synchronous")
    print(f"{result.cells} cells in {result.chunks} chunks, {result.seconds:.2f} s")
    ds = open_sweep(store)
    fig, ax = plt.subplots(figsize=(6.5, 5), layout="constrained")
    plot_quantity(ds, "regime", ax=ax)
    plt.show()
