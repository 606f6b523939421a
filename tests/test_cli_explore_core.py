"""`ratenet explore` on a core-only install: a clear message (exit 2), not an internal error."""

import importlib.util

from click.testing import CliRunner

from ratenet.cli import main


def test_explore_without_the_app_extra_exits_2_naming_it(monkeypatch):
    real = importlib.util.find_spec

    def no_panel(name, *args, **kwargs):
        return None if name in ("panel", "bokeh") else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", no_panel)
    r = CliRunner().invoke(main, ["explore", "--port", "5999"])
    assert r.exit_code == 2, r.output
    assert "pip install 'ratenet[app]'" in r.output and "panel, bokeh" in r.output
    assert "serving" not in r.output and "internal error" not in r.output
