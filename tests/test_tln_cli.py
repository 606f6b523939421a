"""``ratenet tln``: JSON contracts, exit codes, one-line errors, and property tests."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from ratenet import ParameterError
from ratenet.cli import main
from ratenet.tln import CTLN, TLN, fixed_points

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def _one_line_error(res, code=2):
    assert res.exit_code == code, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("ratenet: error: "), res.output
    assert "Traceback" not in res.output
    return lines[0]


def test_fixed_points_json_three_cycle():
    res = run("tln", "fixed-points", "--graph", "0->1,1->2,2->0", "--n", "3", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["n"] == 3 and out["parity"] == 1 and isinstance(out["seconds"], float)
    (fp,) = out["fixed_points"]
    assert fp["support"] == [0, 1, 2] and fp["index"] == 1 and fp["stable"] is False
    np.testing.assert_allclose(fp["state"], 1 / 3.25, rtol=1e-14)
    lam = sorted(complex(*z).real for z in fp["eigenvalues"])
    np.testing.assert_allclose(lam, [-3.25, 0.125, 0.125], atol=1e-13)


def test_fixed_points_from_csv_with_number_and_file_input(tmp_path):
    W = np.array([[0.0, -2.0], [-2.0, 0.0]])
    np.savetxt(tmp_path / "W.csv", W, delimiter=",")
    np.savetxt(tmp_path / "b.csv", [1.0, 1.0], delimiter=",")
    for b in ("1", str(tmp_path / "b.csv")):
        res = run("tln", "fixed-points", "--weights", str(tmp_path / "W.csv"), "--input", b,
                  "--json")
        assert res.exit_code == 0, res.output
        out = json.loads(res.output)
        # winner-take-all pair: {0}, {1} stable (x = 1), {0, 1} a saddle at 1/3
        assert [f["support"] for f in out["fixed_points"]] == [[1], [0], [0, 1]]
        assert [f["stable"] for f in out["fixed_points"]] == [True, True, False]
        np.testing.assert_allclose(out["fixed_points"][2]["state"], [1 / 3, 1 / 3])
        assert out["parity"] == 1


def test_attractors_json_and_plot(tmp_path):
    png = tmp_path / "att.png"
    res = run("tln", "attractors", "--graph", "0->1,1->2,2->0", "--trials", "8", "--seed",
              "2", "--t-max", "60", "--plot", str(png), "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)  # the "wrote" note goes to stderr
    (a,) = out["attractors"]
    assert a["kind"] == "limit cycle" and a["support"] == [0, 1, 2]
    assert a["basin_fraction"] == 1.0 and a["period"] > 0
    assert abs(a["lyapunov"][0]) < 1e-6
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize("args, needle", [
    (("--graph", "0->3", "--n", "3"), "--graph"),
    (("--graph", "0-1"), "--graph"),
    (("--graph", "0->1", "--epsilon", "1.5"), "--epsilon"),
    (("--weights", "/no/such.csv"), "--weights"),
    ((), "exactly one of"),
])
def test_bad_input_one_line_errors(args, needle):
    line = _one_line_error(run("tln", "fixed-points", *args))
    assert needle in line


def test_bad_matrix_files(tmp_path):
    np.savetxt(tmp_path / "rect.csv", np.ones((2, 3)), delimiter=",")
    assert "square" in _one_line_error(run("tln", "fixed-points", "--weights",
                                           str(tmp_path / "rect.csv")))
    (tmp_path / "nan.csv").write_text("0,nan\n0,0\n")
    assert "finite" in _one_line_error(run("tln", "fixed-points", "--weights",
                                           str(tmp_path / "nan.csv")))
    np.savetxt(tmp_path / "big.csv", -np.ones((25, 25)), delimiter=",")
    line = _one_line_error(run("tln", "fixed-points", "--weights", str(tmp_path / "big.csv"),
                               "--input", "1"))
    assert "max_units" in line or "--max-units" in line


def test_diverging_network_exit_1(tmp_path):
    np.savetxt(tmp_path / "W.csv", [[2.0]], delimiter=",")
    _one_line_error(run("tln", "attractors", "--weights", str(tmp_path / "W.csv"), "--input",
                        "1", "--trials", "2", "--t-max", "800"), code=1)


# --------------------------------------------------------------------- properties
@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 6), seed=st.integers(0, 2**31 - 1))
def test_property_every_fixed_point_is_a_zero_of_the_vector_field(n, seed):
    rng = np.random.default_rng(seed)
    W = -np.abs(rng.normal(size=(n, n)))
    np.fill_diagonal(W, rng.uniform(-1, 0.9, n))
    net = TLN(W, rng.normal(size=n))
    res = fixed_points(net)
    assert res.parity == 1
    for fp in res:
        np.testing.assert_allclose(net.rhs(fp.state), 0.0, atol=1e-10)
        assert np.all(fp.state[list(fp.support)] >= 0)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 8), edges=st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10)),
                                           max_size=12))
def test_property_graphs_parse_or_fail_clearly(n, edges):
    text = ",".join(f"{j}->{i}" for j, i in edges)
    bad = any(max(e) >= n or e[0] == e[1] for e in edges)
    if bad:
        with pytest.raises(ParameterError, match="graph"):
            CTLN(text, n)
        res = run("tln", "fixed-points", "--graph", text, "--n", str(n), "--json")
        assert "--graph" in _one_line_error(res)
    else:
        net = CTLN(text, n)
        res = fixed_points(net)
        assert res.parity == 1 and len(res) >= 1
        assert res.supports == fixed_points(net, method="enumerate").supports


@settings(max_examples=30, deadline=None)
@given(rows=st.integers(1, 4), cols=st.integers(1, 4))
def test_property_non_square_weights_are_refused(rows, cols):
    W = np.zeros((rows, cols))
    if rows == cols:
        assert TLN(W).n == rows
    else:
        with pytest.raises(ParameterError, match="square"):
            TLN(W)
