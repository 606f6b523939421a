"""``ratenet tutorial`` leaves nothing half-written when the build fails or is interrupted."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import ratenet.tutorial
from ratenet.cli import main


@pytest.mark.parametrize("error, code", [(RuntimeError("boom"), 1), (KeyboardInterrupt(), 130)])
def test_failed_build_leaves_out_untouched(tmp_path, monkeypatch, error, code):
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.html").write_text("previous report")

    def half_build(path, **kwargs):
        (Path(path) / "figures").mkdir(parents=True)
        (Path(path) / "figures" / "q1.png").write_bytes(b"half")
        (Path(path) / "report.html").write_text("half")
        raise error

    monkeypatch.setattr(ratenet.tutorial, "build_tutorial", half_build)
    res = CliRunner().invoke(main, ["tutorial", "--out", str(out), "-q"])
    assert res.exit_code == code, res.output
    assert (out / "report.html").read_text() == "previous report"
    assert not (out / "figures").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # no .partial folder left
