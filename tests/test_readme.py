"""The README's Python example runs as written (documentation that cannot rot)."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.slow
def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
    assert code, "README has a ```python block"
    monkeypatch.chdir(tmp_path)
    exec(compile(code.group(1), "README.md", "exec"), {})
    out = capsys.readouterr().out.split("\n")
    assert out[0].startswith("marginal 1.83")
    assert "unstable focus" in out[1]
    assert out[2] == "40.0"
    assert (tmp_path / "bump.nc").exists()


def test_readme_quick_start_is_two_commands():
    text = README.read_text()
    assert "make demo" in text and "make test" in text
