"""The documentation site (docs/, built by ``make docs``).

* every public name of every public module has an entry on its API page (or, for a re-export,
  on the page of the module it comes from), and every such module has a page in the index;
* the code blocks of the guides run;
* the doctests of every module pass (what ``pytest --doctest-modules src/ratenet`` does);
* the CLI help text survives its trip through reST.

The full Sphinx build (warnings as errors, gallery executed) is ``make docs``, run by .ci/run.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
import re
import sys
import types
from pathlib import Path

import pytest

import ratenet

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
API = DOCS / "api"

# The modules the issue names; continuation and the E-I ring join when importable.
REQUIRED = ["ratenet", "ratenet.theory", "ratenet.analysis", "ratenet.tln", "ratenet.pwl",
            "ratenet.sweep", "ratenet.attractor"]
# Public subpackages documented elsewhere: the CLI reference (docs/cli.rst), the explorer guide,
# the tutorial report; models only re-exports what ratenet exports (checked below).
ELSEWHERE = {"ratenet.cli", "ratenet.app", "ratenet.tutorial", "ratenet.models"}

_DIRECTIVE = re.compile(r"^\.\. (?:autoclass|autofunction|autodata|autoexception):: (\S+)",
                        re.M)
_ALIAS = re.compile(r"^\* ``([\w.]+)``: :\w+:`([\w.]+)`", re.M)
_SUBMODULE = re.compile(r"^\* :doc:`([\w.]+)` \(``([\w.]+)``\)", re.M)


def _public_packages() -> list[str]:
    """The required modules, every public subpackage, and every module with an API page."""
    found = set(REQUIRED) | {p.stem for p in API.glob("*.rst")}
    for info in pkgutil.iter_modules(ratenet.__path__):
        if info.ispkg and not info.name.startswith("_"):
            found.add(f"ratenet.{info.name}")
    return sorted(found - ELSEWHERE)


def _page(module: str) -> str:
    path = API / f"{module}.rst"
    assert path.exists(), (f"{module} has no API page {path.relative_to(ROOT)}: add it to "
                           "PAGES in docs/api/_generate.py and run that script")
    return path.read_text()


def _documented() -> dict[str, str]:
    """Full name -> page, for every name with an autodoc entry on some API page."""
    out: dict[str, str] = {}
    for path in sorted(API.glob("*.rst")):
        text = path.read_text()
        current = re.search(r"^\.\. currentmodule:: (\S+)", text, re.M)
        assert current, f"{path.name}: no currentmodule"
        for name in _DIRECTIVE.findall(text):
            full = name if "." in name else f"{current.group(1)}.{name}"
            assert full not in out, f"{full} documented twice ({out.get(full)}, {path.name})"
            out[full] = path.name
    return out


def _import(module: str) -> types.ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as err:  # an optional extra missing (sweep needs dask, zarr)
        pytest.skip(f"{module} not importable here: {err}")


@pytest.mark.parametrize("module", _public_packages())
def test_every_public_name_is_documented(module):
    mod = _import(module)
    text = _page(module)
    documented = _documented()
    entries = {n.rsplit(".", 1)[-1] for n in _DIRECTIVE.findall(text)}
    aliases = {src.rsplit(".", 1)[-1]: target for src, target in _ALIAS.findall(text)}
    submodules = {name.rsplit(".", 1)[-1] for _, name in _SUBMODULE.findall(text)}
    missing = [n for n in mod.__all__ if n not in entries | set(aliases) | submodules]
    assert not missing, (f"{module}: public names without an API entry: {missing}; "
                         "run docs/api/_generate.py")
    extra = sorted(entries - set(mod.__all__))
    assert not extra, f"{module}: API entries for names not in __all__: {extra}"
    for name, target in aliases.items():
        # a re-export: its target is documented, and is the very same object
        assert target in documented, f"{module}.{name} points to undocumented {target}"
        home, attr = target.rsplit(".", 1)
        assert getattr(importlib.import_module(home), attr) is getattr(mod, name), target
    for name in submodules:
        assert isinstance(getattr(mod, name), types.ModuleType)
        _page(getattr(mod, name).__name__)


def test_every_api_page_is_in_the_index():
    index = (API / "index.md").read_text()
    listed = set(re.findall(r"^(ratenet[\w.]*)$", index, re.M))
    pages = {p.stem for p in API.glob("*.rst")}
    assert pages == listed, f"pages not listed: {pages - listed}, listed without a page: " \
                            f"{listed - pages}"
    for module in REQUIRED:
        assert module in pages


def test_models_reexports_are_documented():
    """ratenet.models is not given a page: everything it exports is exported by ratenet."""
    import ratenet.models as models

    top = {id(getattr(ratenet, n)) for n in ratenet.__all__}
    assert all(id(getattr(models, n)) in top for n in models.__all__)


def test_every_guide_is_in_a_toctree():
    text = (DOCS / "index.md").read_text()
    for path in sorted(DOCS.glob("guides/*.md")) + [DOCS / "tln.md", DOCS / "sweep.md"]:
        entry = path.relative_to(DOCS).with_suffix("").as_posix()
        assert re.search(rf"^{re.escape(entry)}$", text, re.M), f"{entry} not in index.md"


def test_gallery_has_ten_titled_examples():
    scripts = sorted((ROOT / "examples" / "gallery").glob("plot_*.py"))
    assert len(scripts) >= 10
    for script in scripts:
        doc = script.read_text().split('"""')[1].strip().splitlines()
        assert len(doc) >= 3 and set(doc[1]) == {"="} and len(doc[1]) >= len(doc[0]), \
            f"{script.name}: the docstring must open with a reST title"


# -- the CLI help goes through reST (sphinx-click); conf.py escapes what reST would eat ----------
def _conf():
    spec = importlib.util.spec_from_file_location("ratenet_docs_conf", DOCS / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


def _render(text: str) -> tuple[str, list[str]]:
    from docutils import nodes
    from docutils.core import publish_doctree

    doc = publish_doctree(text, settings_overrides={"report_level": 5, "halt_level": 5})
    messages = [m.astext() for m in doc.findall(nodes.system_message)]
    return doc.astext(), messages


def test_escape_help_examples():
    conf = _conf()
    text, messages = _render(conf._escape_help("profile vs theory, M and |C|; OUT/figures/*.png"))
    assert not messages
    assert text == "profile vs theory, M and |C|; OUT/figures/*.png"
    # double-backquoted literals are left alone
    assert conf._escape_help("``a|b*c`` and *") == r"``a|b*c`` and \*"


def test_escape_help_property():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies
    conf = _conf()

    @hypothesis.settings(max_examples=150, deadline=None)
    @hypothesis.given(st.text(alphabet="ab *|()-,", max_size=30))
    def check(tail):
        raw = "help" + tail.rstrip()   # a word first: "a)" alone would be a list item
        text, messages = _render(conf._escape_help(raw))
        assert not messages, (raw, messages)
        assert text == raw, raw

    check()


# -- the guides' code and the doctests --------------------------------------------------------
def _blocks(path: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", path.read_text(), flags=re.S | re.M)


GUIDES = sorted(DOCS.glob("guides/*.md")) + [DOCS / "tln.md"]
NO_PYTHON = {"explorer"}   # a browser page: its guide shows shell commands only


def test_guides_teach_with_code():
    for path in GUIDES:
        assert bool(_blocks(path)) != (path.stem in NO_PYTHON), path.name


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in GUIDES if p.stem not in NO_PYTHON],
                         ids=lambda p: p.stem)
def test_guide_code_runs(path, tmp_path, monkeypatch):
    """Each guide's ```python blocks run in order, in one namespace, in a scratch folder."""
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    module = types.ModuleType(f"guide_{path.stem}")   # a real module: dataclasses need one
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for i, block in enumerate(_blocks(path)):
        exec(compile(block, f"{path.name}[block {i}]", "exec"), module.__dict__)


def _modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(ratenet.__path__, "ratenet."):
        names.append(info.name)
    return sorted(names)


@pytest.mark.slow
def test_doctests(monkeypatch, tmp_path):
    """Every docstring example of the package (as ``pytest --doctest-modules src/ratenet``)."""
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    failures, skipped = [], []
    for name in _modules():
        try:
            module = importlib.import_module(name)
        except ImportError as err:  # an optional extra missing
            skipped.append(f"{name}: {err}")
            continue
        for test in finder.find(module, name, globs=dict(vars(module))):
            result = runner.run(test, out=lambda s: None)
            if result.failed:
                failures.append(test.name)
    assert not failures, f"doctests failing: {failures} (run pytest --doctest-modules)"
    assert runner.tries > 30, runner.tries
    if skipped:
        pytest.skip(f"modules not importable here: {skipped}")


def test_report_links_name_real_sections():
    """Links into the tutorial report (built with the site) name sections that exist."""
    from ratenet.tutorial import section_builders

    ids = {b[0] for b in section_builders()}
    pages = sorted(DOCS.glob("**/*.md")) + sorted(API.glob("*.rst"))
    linked = {(p.name, sid) for p in pages if "_build" not in p.parts
              for sid in re.findall(r"tutorial/report\.html#(\w+)", p.read_text())}
    assert {sid for _, sid in linked} >= {"Q1", "Q15", "B4"}
    bad = sorted((page, sid) for page, sid in linked if sid not in ids)
    assert not bad, f"links to report sections that do not exist: {bad}"
