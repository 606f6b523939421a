"""No import cycles inside ratenet.

The import graph is read from the source with ``ast``: one node per module, an edge for
every import of another ratenet module.  Counted: imports at module level, imports inside
functions and methods, imports under ``if TYPE_CHECKING:``, and
``importlib.import_module("ratenet....")`` with a literal name.  A deferred import only
hides a circle until somebody moves it to the top of the file (or a documentation tool
evaluates the type hints); the layers are clean only if no import of any kind closes a
loop.  Not counted: the implicit import of a package's ``__init__`` when one of its
submodules is imported (every package would otherwise be a cycle with its own modules).
"""

from __future__ import annotations

import ast
from pathlib import Path

import ratenet

PACKAGE = Path(ratenet.__file__).resolve().parent


def _modules() -> dict[str, tuple[Path, bool]]:
    out = {}
    for f in sorted(PACKAGE.rglob("*.py")):
        parts = list(f.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_pkg else parts)] = (f, is_pkg)
    return out


def _targets(node: ast.AST, module: str, is_pkg: bool, modules) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "ratenet"]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = module.split(".") if is_pkg else module.split(".")[:-1]
            base = base[:len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
            if target.split(".")[0] != "ratenet":
                return []
        # "from pkg import name" imports pkg.name when that is a module, else pkg itself
        return [f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target
                for a in node.names]
    if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module"):
        if node.args and isinstance(node.args[0], ast.Constant):
            name = node.args[0].value
            if isinstance(name, str) and name.split(".")[0] == "ratenet":
                return [name]
    return []


def import_graph() -> dict[str, dict[str, int]]:
    """``graph[a][b]``: line of the first import of module ``b`` in module ``a``."""
    modules = _modules()
    graph: dict[str, dict[str, int]] = {}
    for module, (path, is_pkg) in modules.items():
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            for t in _targets(node, module, is_pkg, modules):
                if t in modules and t != module:
                    edges.setdefault(t, getattr(node, "lineno", 0))
        graph[module] = edges
    return graph


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Components with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(graph[w])))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def test_the_cycle_finder_finds_cycles():
    # a brute-force reference: a -> b -> c -> a is one component, d -> a hangs off it
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}, "e": {}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b": 1}, "b": {}}) == []
    assert sorted(strongly_connected({"a": {"b": 1}, "b": {"a": 1}, "c": {"d": 1},
                                      "d": {"c": 1}})) == [["a", "b"], ["c", "d"]]


def test_the_graph_sees_deferred_and_dynamic_imports():
    graph = import_graph()
    # a few edges that are known to be there, of each kind
    assert "ratenet.simulate" in graph["ratenet.attractor._phase_diagram"]  # module level
    assert "ratenet.noise" in graph["ratenet.simulate"]  # inside a function
    assert "ratenet._kernels" in graph["ratenet.simulate"]  # "from . import _kernels"
    assert len(graph) > 50


def test_no_import_cycles_inside_ratenet():
    graph = import_graph()
    cycles = strongly_connected(graph)
    detail = [
        " | ".join(f"{a} -> {b} (line {graph[a][b]})" for a in comp for b in graph[a]
                   if b in comp)
        for comp in cycles
    ]
    assert not cycles, "import cycles:\n" + "\n".join(detail)
