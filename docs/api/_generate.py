"""Write the API reference pages (docs/api/<module>.rst) from each module's ``__all__``.

Run ``.venv/bin/python docs/api/_generate.py`` after adding a public module (add it to
``PAGES``) or a name to a module's ``__all__``; ``tests/test_docs.py`` fails until every public
name has its entry. Names are grouped as classes, exceptions, functions, submodules and constants.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent

# module -> page title, in the order of the API index
PAGES = {
    "ratenet": "The top-level package",
    "ratenet.theory": "Ring theory",
    "ratenet.analysis": "Analysis: fixed points, phase planes, limit cycles, bifurcations",
    "ratenet.attractor": "Attractor experiments on the ring",
    "ratenet.tln": "Threshold-linear networks",
    "ratenet.pwl": "The piecewise-linear core",
    "ratenet.sweep": "Sweeps on Dask",
    "ratenet.plotting": "Plotting and the palette",
    "ratenet.continuation": "Continuation",
    "ratenet.ei_ring": "The E-I ring",
    "ratenet.theory.ei_ring": "E-I ring theory",
    "ratenet.plotting.ei": "Figures of two-population networks",
    "ratenet.plotting.attractor": "Figures of the attractor experiments",
    "ratenet.plotting.tln": "Figures of threshold-linear networks",
    "ratenet.plotting.ei_ring": "Figures of the E-I ring",
    "ratenet.plotting.continuation": "Figures of continued branches",
    "ratenet.plotting.bifurcation2d": "Two-parameter bifurcation diagrams",
}

# Pages whose results the tutorial report derives: a line of links to its sections.
REPORT_SECTIONS = {
    "ratenet.theory": [f"Q{i}" for i in range(1, 13)] + ["B1", "B2", "E1", "E2", "E3", "E4"],
    "ratenet.analysis": ["Q13", "Q14", "Q15", "B3", "E6", "E7", "E8", "E9"],
    "ratenet.attractor": ["B2"],
    "ratenet.theory.ei_ring": ["B4"],
    "ratenet.ei_ring": ["B4"],
}

_DIRECTIVE = {"Classes": "autoclass", "Exceptions": "autoexception",
              "Functions": "autofunction", "Constants": "autodata"}


def _groups(mod: types.ModuleType) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {"Classes": [], "Exceptions": [], "Functions": [],
                                    "Submodules": [], "Constants": []}
    for name in mod.__all__:
        obj = getattr(mod, name)
        if isinstance(obj, types.ModuleType):
            groups["Submodules"].append(name)
        elif inspect.isclass(obj) and issubclass(obj, BaseException):
            groups["Exceptions"].append(name)
        elif inspect.isclass(obj):
            groups["Classes"].append(name)
        elif callable(obj):
            groups["Functions"].append(name)
        else:
            groups["Constants"].append(name)
    return groups


def homes() -> dict[int, str]:
    """Where each public object is documented: the first page in ``PAGES`` order after the
    top-level one whose module exports it (``ratenet.TLN`` lives on ``ratenet.tln``), else the
    top-level page. An object documented twice would be a duplicate description in Sphinx."""
    home: dict[int, str] = {}
    order = [m for m in PAGES if m != "ratenet"] + ["ratenet"]
    for module in order:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        for name in mod.__all__:
            obj = getattr(mod, name)
            if not isinstance(obj, (str, int, float, tuple, dict, list)):  # values may repeat
                home.setdefault(id(obj), f"{module}.{name}")
    return home


def page(module: str, title: str, home: dict[int, str]) -> str:
    mod = importlib.import_module(module)
    head = f"``{module}``: {title}"
    lines = [f".. Written by docs/api/_generate.py from {module}.__all__.", "",
             head, "=" * len(head), "", f".. automodule:: {module}", "   :no-members:", "",
             f".. currentmodule:: {module}", ""]
    if module in REPORT_SECTIONS:
        links = ", ".join(f'<a href="../tutorial/report.html#{sid}">{sid}</a>'
                          for sid in REPORT_SECTIONS[module])
        lines += [".. raw:: html", "", "   <p>Derivations: sections " + links +
                  ' of the <a href="../tutorial/report.html">tutorial report</a>'
                  " (<code>ratenet tutorial</code>, built with this site).</p>", ""]
    aliases = []
    for group, names in _groups(mod).items():
        elsewhere = [n for n in names if group != "Submodules"
                     and home.get(id(getattr(mod, n)), f"{module}.{n}") != f"{module}.{n}"]
        aliases += [(n, home[id(getattr(mod, n))], group) for n in elsewhere]
        names = [n for n in names if n not in elsewhere]
        if not names:
            continue
        lines += [group, "-" * len(group), ""]
        if group == "Submodules":
            for name in names:
                sub = getattr(mod, name).__name__
                lines += [f"* :doc:`{sub}` (``{module}.{name}``)", ""]
            continue
        lines += [".. autosummary::", "   :nosignatures:", ""]
        lines += [f"   {n}" for n in names] + [""]
        for name in names:
            lines += [f".. {_DIRECTIVE[group]}:: {name}"]
            if group == "Classes":
                lines += ["   :members:"]
            if group == "Constants":
                lines += ["   :no-value:"]
            lines += [""]
    if aliases:
        lines += ["Also exported here", "------------------", ""]
        role = {"Classes": "class", "Exceptions": "exc", "Functions": "func"}
        for name, target, group in aliases:
            lines += [f"* ``{module}.{name}``: :{role.get(group, 'data')}:`{target}`"]
        lines += [""]
    return "\n".join(lines)


def main() -> int:
    home = homes()
    for module, title in PAGES.items():
        try:
            text = page(module, title, home)
        except ModuleNotFoundError as err:
            print(f"skipped {module}: {err}", file=sys.stderr)
            continue
        (HERE / f"{module}.rst").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
