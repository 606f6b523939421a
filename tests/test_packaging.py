"""The distributions build, carry what they should, and the wheel installs and runs.

The sdist and the wheel are built once per session with ``python -m build`` (the wheel from the
sdist, so a file missing from the sdist breaks the wheel too), from a copy of the files a fresh
clone would have plus new files not yet committed (git-ignored output is left out). The slow test
installs the wheel, with its dependencies resolved by pip from the configured package index, in
a fresh virtual environment and runs the command line and every subpackage from there, outside
the checkout.
"""

from __future__ import annotations

import email
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "ratenet"
# what the sdist must carry beyond the package: enough to run the tests and read the docs
SDIST_TOP = ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "CITATION.cff", "Makefile")
SDIST_DIRS = ("src", "tests", "docs", "examples", "benchmarks", "tools")
SUBPROCESS_TIMEOUT = 600


def _run(cmd, *, cwd=None, env=None, timeout=SUBPROCESS_TIMEOUT):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} exited {proc.returncode}\n"
                    f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}")
    return proc


def _source_files() -> list[str]:
    """Paths (relative, POSIX) a fresh clone would have, plus new files not yet committed."""
    if shutil.which("git") and (ROOT / ".git").exists():
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, check=True).stdout.decode()
        return sorted(p for p in out.split("\0") if p and (ROOT / p).is_file())
    # an unpacked sdist: everything but caches
    return sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts
                  and not any(part.startswith(".") for part in p.relative_to(ROOT).parts))


@pytest.fixture(scope="session")
def source_files() -> list[str]:
    return _source_files()


@pytest.fixture(scope="session")
def dists(tmp_path_factory, source_files):
    """(sdist, wheel) built from a clean copy of the source files."""
    if importlib.util.find_spec("build") is None:
        pytest.skip("the 'build' package is not installed (it is in the dev extra)")
    src = tmp_path_factory.mktemp("tree")
    for rel in source_files:
        dest = src / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest)
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(src)])
    sdists = sorted(out.glob("ratenet-*.tar.gz"))
    wheels = sorted(out.glob("ratenet-*-py3-none-any.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted(p.name for p in out.iterdir())
    return sdists[0], wheels[0]


def _project() -> dict:
    if tomllib is None:
        pytest.skip("tomllib needs Python >= 3.11")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_sdist_carries_the_sources_tests_and_docs(dists, source_files):
    sdist, _ = dists
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    prefix = names[0].split("/")[0]
    assert prefix == sdist.name.removesuffix(".tar.gz")
    inside = {n.removeprefix(prefix + "/") for n in names}
    wanted = [p for p in source_files
              if p in SDIST_TOP or p.split("/")[0] in SDIST_DIRS]
    # the checks below must have something to check
    assert {"tests/conftest.py", "src/ratenet/__init__.py", "README.md"} <= set(wanted)
    assert any(p.startswith("docs/") for p in wanted)
    assert any(p.startswith("examples/") and p.endswith(".ipynb") for p in wanted)
    missing = sorted(set(wanted) - inside)
    assert not missing, f"missing from the sdist: {missing}"
    junk = sorted(n for n in inside if "__pycache__" in n or n.endswith((".pyc", ".nc"))
                  or n.startswith((".venv", "out/", "docs/_build")))
    assert not junk, f"generated files in the sdist: {junk}"


def test_wheel_carries_the_package_and_its_data(dists, source_files):
    _, wheel = dists
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = email.message_from_bytes(zf.read(next(n for n in names
                                                     if n.endswith(".dist-info/METADATA"))))
        entry_points = zf.read(next(n for n in names
                                    if n.endswith(".dist-info/entry_points.txt"))).decode()
    package = [p.removeprefix("src/") for p in source_files if p.startswith("src/ratenet/")]
    data = [p for p in package if not p.endswith(".py")]
    assert "ratenet/py.typed" in data
    missing = sorted(set(package) - names)
    assert not missing, f"missing from the wheel (package data included): {missing}"
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"ratenet"}, f"the wheel installs more than ratenet: {tops}"
    assert "ratenet = ratenet.cli:main" in entry_points
    assert meta["Name"] == "ratenet"
    project = _project()["project"]
    assert meta["Version"] == project["version"]
    assert meta["Requires-Python"] == project["requires-python"]
    required = {r.replace(" ", "") for r in meta.get_all("Requires-Dist")
                if "extra ==" not in r}
    assert required == {r.replace(" ", "") for r in project["dependencies"]}
    assert set(meta.get_all("Provides-Extra")) >= set(project["optional-dependencies"])


def test_package_data_is_declared(source_files):
    """Every non-Python file in the package (HTML, CSS, py.typed ...) matches package-data."""
    import fnmatch

    patterns = _project()["tool"]["setuptools"]["package-data"]["ratenet"]
    for rel in source_files:
        if rel.startswith("src/ratenet/") and not rel.endswith(".py"):
            inner = rel.removeprefix("src/ratenet/")
            assert any(fnmatch.fnmatch(inner, pat) or fnmatch.fnmatch(Path(inner).name, pat)
                       for pat in patterns), f"{rel} is not declared in package-data"


def _subpackages() -> list[str]:
    return sorted("ratenet" + "".join("." + part for part in init.parent.relative_to(PACKAGE).parts)
                  for init in PACKAGE.rglob("__init__.py") if "__pycache__" not in init.parts)


@pytest.mark.slow
def test_wheel_installs_and_runs_in_a_fresh_venv(dists, tmp_path):
    _, wheel = dists
    venv = tmp_path / "venv"
    # the base interpreter, not this environment: nothing of the dev environment is visible
    _run([sys.executable, "-m", "venv", str(venv)])
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    env["MPLBACKEND"] = "Agg"
    _run([str(python), "-m", "pip", "install", "-q", str(wheel)], env=env)
    _run([str(python), "-m", "pip", "check"], env=env)
    work = tmp_path / "elsewhere"  # outside the checkout: src/ cannot be picked up
    work.mkdir()

    found = _run([str(python), "-c", "import ratenet, sys; print(ratenet.__file__); "
                  "print(ratenet.__version__)"], cwd=work, env=env).stdout.split()
    assert Path(found[0]).resolve().is_relative_to(venv.resolve()), found
    assert found[1] == _project()["project"]["version"]

    helptext = _run([str(bindir / "ratenet"), "--help"], cwd=work, env=env).stdout
    for group in ("ring", "ei", "tutorial", "tln"):
        assert group in helptext

    installed = json.loads(_run([str(bindir / "ratenet"), "ring", "theory", "--json"],
                                cwd=work, env=env).stdout)
    # the same answer as the checkout's code, and the ring's marginal bump has a neutral
    # (translation) mode: one eigenvalue zero up to rounding
    here = json.loads(_run([sys.executable, "-c", "from ratenet.cli import main; main()",
                            "ring", "theory", "--json"], cwd=work).stdout)
    assert installed == here
    assert installed["regime"] == "marginal"
    assert min(abs(v) for v in installed["stability_eigenvalues"]) < 1e-12

    mods = _subpackages()
    assert {"ratenet.theory", "ratenet.analysis", "ratenet.cli", "ratenet.app"} <= set(mods)
    code = ("import importlib, sys\n"
            f"for name in {mods!r}:\n"
            "    mod = importlib.import_module(name)\n"
            "    assert mod.__file__.startswith(sys.prefix), (name, mod.__file__)\n"
            "    for attr in getattr(mod, '__all__', ()):\n"
            "        getattr(mod, attr)\n"
            f"print('imported', {len(mods)})\n")
    out = _run([str(python), "-c", code], cwd=work, env=env).stdout
    assert out.strip() == f"imported {len(mods)}"


NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))


def _install_cell(notebook: Path) -> str:
    cells = json.loads(notebook.read_text())["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert 'find_spec("ratenet")' in code[0], f"{notebook.name}: the first code cell installs"
    return code[0]


@pytest.mark.parametrize("where", ["in the checkout", "elsewhere"])
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_install_cell(notebook, where, tmp_path, monkeypatch, capsys):
    """Without ratenet the cell installs the checkout it sits in, or says how to install."""
    pytest.importorskip("IPython")
    from IPython.core.inputtransformer2 import TransformerManager
    from IPython.utils.text import DollarFormatter

    code = TransformerManager().transform_cell(_install_cell(notebook))
    magics: list[tuple[str, str]] = []
    namespace: dict = {}

    class Shell:  # what the cell's %pip asks of IPython; {name} expanded as IPython does
        def run_line_magic(self, name, line):
            magics.append((name, DollarFormatter().vformat(line, [], namespace)))

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "ratenet" else real_find_spec(name, *a))
    if where == "in the checkout":
        monkeypatch.chdir(ROOT / "examples")
    else:  # a pyproject.toml of another project above does not count
        (tmp_path / "pyproject.toml").write_text('[project]\nname = "ratenet-notes"\n')
        (tmp_path / "work").mkdir()
        monkeypatch.chdir(tmp_path / "work")
    namespace["get_ipython"] = Shell
    exec(compile(code, notebook.name, "exec"), namespace)
    printed = capsys.readouterr().out
    if where == "in the checkout":
        assert magics == [("pip", f'install "{ROOT}"')]
    else:
        assert magics == []
        assert "pip install" in printed and "://" not in printed


def test_no_placeholder_urls(source_files):
    """No OWNER/ratenet, <repository URL> or example.com left in what we ship.

    Tests may use example.com as what it is reserved for (a foreign host in the explorer's
    Host-header tests); the docs, README, notebooks and package may not."""
    placeholders = ("github.com/" + "OWNER", "<repository" + " URL>")
    me = Path(__file__).resolve().relative_to(ROOT).as_posix()
    found = []
    for rel in source_files:
        if rel == me:
            continue
        try:
            text = (ROOT / rel).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        found += [f"{rel}: {p}" for p in placeholders if p in text]
        if not rel.startswith("tests/") and "example" + ".com" in text.lower():
            found.append(f"{rel}: example" + ".com")
    assert not found, found


def test_changelog_has_the_released_version_and_unreleased_work():
    import re

    text = (ROOT / "CHANGELOG.md").read_text()
    version = _project()["project"]["version"]
    assert "## [Unreleased]" in text
    m = re.search(rf"^## \[{re.escape(version)}\] - (\d{{4}}-\d{{2}}-\d{{2}})$", text, re.M)
    assert m, f"CHANGELOG.md has no '## [{version}] - YYYY-MM-DD' section"
    import datetime

    datetime.date.fromisoformat(m.group(1))
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        assert re.search(r"^### (Added|Changed|Deprecated|Removed|Fixed|Security)$", section,
                         re.M), f"section without a Keep-a-Changelog heading: {section[:40]!r}"


def test_citation_cff_is_valid_and_in_step():
    """CITATION.cff: the keys CFF 1.2.0 requires, the types it allows, and the same version,
    licence and release date as pyproject.toml and CHANGELOG.md."""
    import datetime
    import re

    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "type", "version", "date-released", "license", "abstract"):
        assert isinstance(cff[key], str) and cff[key].strip(), key
    assert cff["type"] in ("software", "dataset")
    assert cff["authors"] and all(
        isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in cff["authors"])
    project = _project()["project"]
    assert cff["version"] == project["version"]
    assert cff["license"] == project["license"]
    released = datetime.date.fromisoformat(cff["date-released"])
    m = re.search(rf"^## \[{re.escape(cff['version'])}\] - (\S+)$",
                  (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert m and datetime.date.fromisoformat(m.group(1)) == released
    assert all(isinstance(k, str) and k for k in cff.get("keywords", []))
    assert not any(str(v).startswith(("http://", "https://")) and "example" in str(v)
                   for v in cff.values())


def test_make_demo_installs_the_core_only_and_make_test_the_extras(tmp_path):
    """Dry runs (``make -n``) in an empty virtual-environment folder: what each target installs."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    venv = tmp_path / "venv"

    def dry(target):
        return _run(["make", "-n", "-C", str(ROOT), target, f"VENV={venv}",
                     f"OUT={tmp_path / 'out'}"]).stdout

    demo = dry("demo")
    installs = [line for line in demo.splitlines() if "pip install" in line]
    assert installs == [f"{venv}/bin/python -m pip install -e ."], installs
    assert " -q" not in installs[0]                     # pip's own progress is shown
    assert "ratenet tutorial --out" in demo and "echo" in demo
    test = dry("test")
    assert "pip install -q -e '.[dev,app,sweep]'" in test
    assert "tools/ensure-browser.sh" in test            # chromium with apt-get when root
