"""The example notebooks execute top to bottom (kernel: this interpreter)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
#: How long the kernel may take to answer (s): nbclient waits for it to be ready; its
#: default, 60 s, is too short on a machine loaded by a parallel test run.
KERNEL_START_S = 300


@pytest.fixture()
def this_python_kernel(tmp_path, monkeypatch):
    """A kernelspec that runs ipykernel with the interpreter running the tests."""
    spec = tmp_path / "kernels" / "ratenet-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "ratenet test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return "ratenet-test"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ring_model.ipynb", "ei_populations.ipynb"])
def test_notebook_runs(name, this_python_kernel):
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    assert "find_spec(\"ratenet\")" in nb.cells[1].source   # guarded install cell
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name=this_python_kernel,
                                     startup_timeout=KERNEL_START_S,
                                     resources={"metadata": {"path": str(EXAMPLES)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors


@pytest.mark.slow
def test_tln_notebook_runs(this_python_kernel):
    nb = nbformat.read(EXAMPLES / "tln.ipynb", as_version=4)
    assert "find_spec(\"ratenet\")" in nb.cells[1].source   # guarded install cell
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name=this_python_kernel,
                                     startup_timeout=KERNEL_START_S,
                                     resources={"metadata": {"path": str(EXAMPLES)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    assert "parity 1" in text and "limit cycle (0, 1, 2)" in text
