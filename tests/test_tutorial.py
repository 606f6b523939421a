"""The tutorial report: it builds, every check passes, results.json has the promised schema,
and the tolerance bounds used by the checks are true bounds (not padding)."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from click.testing import CliRunner

from ratenet.cli import main
from ratenet.tutorial import QUESTIONS, build_tutorial, section_builders
from ratenet.tutorial._core import compare, euler_mode_error, rk4_mode_error, sum_rounding
from ratenet.tutorial._lib import Missing

KEYS = {"id", "title", "quantity", "analytic", "numeric", "tolerance", "passed"}
FIGURES = {
    "q3_uniform_rate_vs_J0", "q9_perturbation_decay", "q11_tuned_response",
    "q12_amplification_vs_J1", "q13_nullclines", "q14_flow_field", "q15_eigenvalues_trace_det",
    "q15_time_courses", "q15_limit_cycle", "q15_bifurcation_tau_I", "b1_rectified_tuning",
    "b2_marginal_phase", "b3_nonsmooth_birth", "b4_ei_ring_modes", "b4_ei_ring_patterns",
    "b4_ei_ring_pattern_map",
}


@pytest.fixture(scope="module")
def full_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("tutorial")
    return build_tutorial(out), out


@pytest.mark.slow
def test_every_check_passes_and_schema(full_report):
    report, out = full_report
    assert report.passed, [(c.id, c.basis) for c in report.failed]
    data = json.loads((out / "results.json").read_text())
    assert isinstance(data, list) and len(data) == len(report.checks)
    for row in data:
        assert set(row) == KEYS
        assert isinstance(row["passed"], bool) and row["passed"]
        assert isinstance(row["tolerance"], float) and row["tolerance"] >= 0
        for k in ("analytic", "numeric"):
            assert row[k] is None or isinstance(row[k], (bool, float))
        if isinstance(row["analytic"], float):
            assert abs(row["analytic"] - row["numeric"]) <= row["tolerance"]
    ids = [row["id"] for row in data]
    assert len(ids) == len(set(ids))
    for q in QUESTIONS:   # every question has at least one check of its own
        assert any(re.fullmatch(rf"{q.id}([a-z]\d*)?", i) for i in ids), q.id
    assert any(i.startswith("B") for i in ids) and any(i.startswith("E") for i in ids)


@pytest.mark.slow
def test_page_is_self_contained_with_all_sections_and_figures(full_report):
    _report, out = full_report
    page = (out / "report.html").read_text(encoding="utf-8")
    for sid, _, _, _ in section_builders():
        assert f'id="{sid}"' in page
    assert not re.search(r"""(src|href)=["']https?://""", page)   # nothing fetched
    names = {p.stem for p in (out / "figures").glob("*.png")}
    assert FIGURES <= names
    assert page.count("data:image/png;base64,") >= len(FIGURES)
    # no text copied from the seed: a few of its sentences must not appear
    for phrase in ("The equilibrium is found by solving", "is a scalar number, which represents",
                   "portrays the"):
        assert phrase not in page


def test_cli_builds_a_section_and_rejects_unknown_ids(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["tutorial", "--out", str(tmp_path), "--only", "Q5", "--quiet"])
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "results.json").read_text())
    assert [r["id"] for r in data] == ["Q5a", "Q5b"]
    res = runner.invoke(main, ["tutorial", "--out", str(tmp_path), "--only", "Q99"])
    assert res.exit_code == 2
    assert "--only" in res.output and "Traceback" not in res.output


def test_missing_library_piece_fails_visibly(tmp_path, monkeypatch):
    from ratenet.tutorial import ring_part

    def missing(name):
        raise Missing(f"ratenet.theory.ring.{name}")

    monkeypatch.setattr(ring_part, "_theory", missing)
    report = build_tutorial(tmp_path, only=["Q2"])
    assert not report.passed
    assert report.checks[0].analytic is None and "not available" in report.checks[0].basis
    assert "Not available" in (tmp_path / "report.html").read_text(encoding="utf-8")
    res = CliRunner().invoke(main, ["tutorial", "--out", str(tmp_path), "--only", "Q2", "-q"])
    assert res.exit_code == 1


def test_compare_rejects_non_finite_and_outside_tolerance():
    assert compare("x", "t", "q", 1.0, 1.0 + 1e-9, 2e-9, "b").passed
    assert not compare("x", "t", "q", 1.0, 1.0 + 3e-9, 2e-9, "b").passed
    assert not compare("x", "t", "q", 1.0, math.nan, 1.0, "b").passed


@pytest.mark.parametrize("lam", [-1.5, -0.25, 0.25, -0.05 + 0.5j])
@pytest.mark.parametrize("dt", [0.01, 0.05])
def test_euler_bound_is_a_tight_upper_bound(lam, dt):
    # exact Euler iterates of a linear mode against the exponential
    n = np.arange(0, round(8.0 / dt) + 1)
    t = n * dt
    err = np.max(np.abs((1 + lam * dt) ** n - np.exp(lam * t)))
    bound = euler_mode_error(lam, t, dt, 1.0)
    assert err <= bound
    assert bound <= 1.2 * err   # the bound is the leading error term, not padding


@pytest.mark.parametrize("lam", [-1.0, -0.3 + 1.0j])
def test_rk4_bound_is_an_upper_bound(lam):
    dt = 0.1
    n = np.arange(0, 101)
    z = lam * dt
    g = 1 + z + z**2 / 2 + z**3 / 6 + z**4 / 24   # RK4 amplification factor
    err = np.max(np.abs(g**n - np.exp(lam * n * dt)))
    bound = rk4_mode_error(lam, n * dt, dt, 1.0)
    assert err <= bound <= 1.5 * err


def test_sum_rounding_bounds_a_float64_mean():
    rng = np.random.default_rng(0)
    x = rng.random(4096)
    exact = math.fsum(x) / x.size
    assert abs(float(np.sum(x)) / x.size - exact) <= sum_rounding(1.0, x.size) / 2
