"""Sphinx configuration for the ratenet documentation (built by ``make docs``)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

import ratenet  # noqa: E402

project = "ratenet"
author = "The ratenet developers"
copyright = "The ratenet developers"
release = ratenet.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_click",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
smartquotes = False                 # keep "--json" as typed (no en dashes in option names)
exclude_patterns = ["_build", "api/_generate.py", "Thumbs.db", ".DS_Store", "gallery/*.ipynb",
                    "gallery/*.py", "gallery/*.zip", "gallery/*.md5", "gallery/*.json"]
templates_path: list[str] = []

# -- autodoc / numpydoc ------------------------------------------------------------------------
autodoc_typehints = "none"          # numpydoc gives the types, with units
autodoc_member_order = "bysource"
autodoc_inherit_docstrings = True
autosummary_generate = False        # the API pages are written by hand (tests/test_docs.py)
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# -- MyST (the Markdown guides) ----------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# -- sphinx-gallery ----------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples" / "gallery"),
    "gallery_dirs": "gallery",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "reset_modules": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "show_memory": False,
    "min_reported_time": 1,
}

# -- HTML --------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"ratenet {release}"
html_static_path: list[str] = []
html_theme_options = {"navigation_with_keys": True}


# -- sphinx-click: the CLI help is plain text, not reST ------------------------------------------
_LITERAL = re.compile(r"(``.*?``)")
_STAR = re.compile(r"(?<!\\)\*")


def _escape_help(text: str) -> str:
    """Escape ``|`` and ``*`` outside double-backquoted literals: click help is plain text."""
    parts = _LITERAL.split(text)
    return "".join(p if p.startswith("``") else _STAR.sub(r"\\*", p.replace("|", r"\|"))
                   for p in parts)


def _escape_lines(app, ctx, lines):
    # sphinx-click turns click's \b paragraphs into reST line blocks ("| text"): keep the marker
    lines[:] = [line[:2] + _escape_help(line[2:]) if line.startswith("| ") else _escape_help(line)
                for line in lines]


def _skip_namedtuple_fields(app, what, name, obj, skip, options):
    """NamedTuple fields: their docstrings say only "Alias for field number k"."""
    if (getattr(obj, "__doc__", None) or "").startswith("Alias for field number"):
        return True
    return None


# -- the tutorial report (the derivations the theory pages link to) ---------------------------
def _tutorial_report(app, exception):
    """Build ``ratenet tutorial`` into ``<html>/tutorial/`` unless it is newer than the sources."""
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util import logging

    out = Path(app.outdir) / "tutorial"
    report = out / "report.html"
    newest = max(p.stat().st_mtime for p in (ROOT / "src" / "ratenet").rglob("*.py"))
    if report.exists() and report.stat().st_mtime > newest:
        return
    from ratenet.tutorial import build_tutorial

    logging.getLogger(__name__).info("building the tutorial report into %s", out)
    result = build_tutorial(out)
    if not result.passed:
        failed = ", ".join(c.id for c in result.failed)
        logging.getLogger(__name__).warning("tutorial report: checks failed: %s", failed)


def setup(app):
    for event in ("description", "options", "arguments", "epilog"):
        app.connect(f"sphinx-click-process-{event}", _escape_lines)
    app.connect("autodoc-skip-member", _skip_namedtuple_fields)
    app.connect("build-finished", _tutorial_report)
