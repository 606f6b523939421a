"""Threshold-linear networks: fixed points against closed forms and an independent brute
force, the parity theorem, graph rules against enumeration, permitted sets, Lyapunov
spectra against Liouville and Floquet, attractors of the 3-cycle."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from ratenet import EIModel, ParameterError
from ratenet.analysis import find_fixed_points
from ratenet.pwl.fixed_points import enumerate_fixed_points
from ratenet.tln import (
    CTLN,
    TLN,
    find_attractors,
    fixed_points,
    is_permitted,
    lyapunov_spectrum,
    permitted_sets,
    wilson_interval,
)
from ratenet.tln.attractors import simulate_batch
from ratenet.tln.rules import domination_rule, sinks, uniform_in_degree_rule

THREE_CYCLE = "0->1,1->2,2->0"


def _brute_force(W, b):
    """Independent reference: every support, one np.linalg.solve each, strict checks."""
    n = W.shape[0]
    out = {}
    for bits in itertools.product((0, 1), repeat=n):
        S = [i for i in range(n) if bits[i]]
        x = np.zeros(n)
        if S:
            M = np.eye(len(S)) - W[np.ix_(S, S)]
            x[S] = np.linalg.solve(M, b[S])
        u = W @ x + b
        off = [i for i in range(n) if not bits[i]]
        if np.all(x[S] > 0) and np.all(u[off] < 0):
            sign = 1 if not S else int(np.sign(np.linalg.det(np.eye(len(S)) - W[np.ix_(S, S)])))
            out[tuple(S)] = (x, sign)
    return out


# --------------------------------------------------------------------- closed forms
def test_three_cycle_fixed_point_closed_form():
    res = fixed_points(CTLN(THREE_CYCLE))
    assert res.parity == 1 and len(res) == 1
    fp = res.fixed_points[0]
    assert fp.support == (0, 1, 2)
    # x (1 + (1 - eps) + (1 + delta)) = theta on the full support
    np.testing.assert_allclose(fp.state, 1 / 3.25, rtol=1e-14)
    # circulant Jacobian -I + W: lambda_k = -1 + (eps - 1) w^k + (-1 - delta) w^2k
    w = np.exp(2j * np.pi / 3)
    lam = np.array([-1 - 0.75 * w**k - 1.5 * w ** (2 * k) for k in range(3)])
    np.testing.assert_allclose(sorted(fp.eigenvalues, key=lambda z: (z.real, z.imag)),
                               sorted(lam, key=lambda z: (z.real, z.imag)), atol=1e-13)
    np.testing.assert_allclose(lam[0], -3.25)
    np.testing.assert_allclose(abs(lam[1].imag), 0.75 * math.sqrt(3) / 2)  # 0.6495...
    assert not fp.stable and fp.index == 1


def test_brute_force_agrees_with_production_path():
    rng = np.random.default_rng(12)
    for n in (1, 2, 3, 5, 8, 12):
        for _ in range(3 if n < 12 else 1):
            W = rng.normal(scale=1.2 / math.sqrt(n), size=(n, n))
            b = rng.normal(size=n)
            ref = _brute_force(W, b)
            res = fixed_points(TLN(W, b), warn=False)
            assert {fp.support: None for fp in res}.keys() == ref.keys()
            for fp in res:
                np.testing.assert_allclose(fp.state, ref[fp.support][0], rtol=1e-9, atol=1e-12)
                assert fp.index == ref[fp.support][1]
                # a fixed point of the vector field
                np.testing.assert_allclose(TLN(W, b).rhs(fp.state), 0.0, atol=1e-10)


def test_parity_is_one_on_thousands_of_random_networks():
    rng = np.random.default_rng(5)
    count = 0
    for _ in range(1500):
        n = int(rng.integers(1, 7))
        # competitive (bounded rates): W_ij <= 0 off the diagonal, W_ii < 1
        W = -np.abs(rng.normal(scale=rng.uniform(0.3, 2.0), size=(n, n)))
        np.fill_diagonal(W, rng.uniform(-1.0, 0.9, n))
        b = rng.normal(size=n)
        assert TLN(W, b).is_competitive
        res = enumerate_fixed_points(W, b)
        assert not res.is_degenerate  # continuous random data: degenerate with probability 0
        assert res.parity == 1, (W, b)
        count += len(res.states)
    assert count > 1500  # many networks have several fixed points
    # not competitive: fixed points may escape to infinity (w > 1, b > 0: none at all)
    res = fixed_points(TLN([[2.0]], b=1.0))
    assert len(res) == 0 and res.parity == 0 and not res.parity_certified


def test_index_is_sign_of_minus_jacobian_determinant():
    # sgn det(I - W_SS) = sgn det(-J): (-1)^(number of real positive eigenvalues)
    rng = np.random.default_rng(3)
    for _ in range(40):
        n = 5
        net = TLN(rng.normal(size=(n, n)), rng.normal(size=n), tau=rng.uniform(0.5, 2, n))
        for fp in fixed_points(net):
            lam = fp.eigenvalues
            n_pos = int(np.sum((lam.real > 0) & (np.abs(lam.imag) < 1e-12)))
            assert fp.index == (-1) ** n_pos


def test_degenerate_cases_are_named():
    # unit exactly on its threshold: b = 0 for a single unit
    with pytest.warns(RuntimeWarning, match="threshold"):
        res = fixed_points(TLN([[0.0, -1.0], [-1.0, 0.0]], b=[1.0, 1.0]))
    # x1 = x2 line: I - W = [[1, 1], [1, 1]] singular and consistent (continuum)
    assert res.singular == [(0, 1)]
    assert "singular" in res.warning
    res = fixed_points(TLN([[0.0]], b=0.0), warn=False)
    assert res.fixed_points[0].degenerate and "threshold" in res.fixed_points[0].degenerate


def test_ei_tutorial_fixed_points_through_the_shared_path():
    m = EIModel(tau_I=30.0)
    net = m.to_network()
    res = enumerate_fixed_points(net.weights, net.external(0.0) - net.transfer.threshold,
                                 gain=net.transfer.gain)
    assert res.supports.tolist() == [[True, True]]
    np.testing.assert_allclose(res.states[0], [80 / 3, 50 / 3], rtol=1e-13)
    (fp,) = find_fixed_points(m)
    np.testing.assert_allclose(fp.state, res.states[0], rtol=0, atol=0)


# --------------------------------------------------------------------- graph rules
def _random_ctln(rng, n, p):
    A = rng.random((n, n)) < p
    np.fill_diagonal(A, False)
    eps = rng.uniform(0.05, 0.3)
    delta = rng.uniform(max(0.3, 1.2 * eps / (1 - eps)), 1.5)  # legal range
    return CTLN(A.astype(int), epsilon=eps, delta=delta)


def test_graph_method_equals_enumeration():
    rng = np.random.default_rng(7)
    for _ in range(120):
        net = _random_ctln(rng, int(rng.integers(2, 9)), rng.uniform(0.1, 0.7))
        a = fixed_points(net, method="enumerate")
        g = fixed_points(net, method="graph")
        assert g.method == "graph" and a.supports == g.supports and g.parity == 1


def test_graph_method_equals_enumeration_on_larger_sparse_graphs():
    # n = 12..16 with mean in-degree 1.5..4: deep searches, where the in-closed core
    # rule and the domination rules cut whole subtrees
    rng = np.random.default_rng(23)
    for _ in range(8):
        n = int(rng.integers(12, 17))
        net = _random_ctln(rng, n, rng.uniform(1.5, 4.0) / (n - 1))
        a = fixed_points(net, method="enumerate")
        g = fixed_points(net, method="graph")
        assert a.supports == g.supports and g.parity == 1


def test_block_search_split_over_threads_is_the_same_search():
    from ratenet.tln._blocks import OK, neighbourhoods, search_blocks

    rng = np.random.default_rng(5)
    for _ in range(6):
        n = int(rng.integers(10, 30))
        net = _random_ctln(rng, n, rng.uniform(1.0, 2.5) / (n - 1))
        ed = net.epsilon + net.delta
        nbr, innbr, outnbr = neighbourhoods(net.adjacency)
        runs = []
        for workers in (1, 2, 3):
            m, c, z, visited, status = search_blocks(
                n, nbr, innbr, outnbr, net.adjacency.astype(float), net.delta, ed, 1 / ed,
                1e-9, 10**7, workers=workers)
            o = np.argsort(m)
            runs.append((m[o].tolist(), c[o], z[o], visited, status))
        for m, c, z, visited, status in runs[1:]:
            assert m == runs[0][0] and visited == runs[0][3] and status == OK
            np.testing.assert_array_equal(c, runs[0][1])
            np.testing.assert_array_equal(z, runs[0][2])


def test_in_closed_core_rule_closed_form():
    # the 3-cycle 0->1->2->0 receives from nothing else, so z = 1 / (epsilon + 2 delta)
    # on it in every block that contains it; a unit 3 fed by all three gets the drive
    # 3 (epsilon + delta) / (epsilon + 2 delta) = 1.8 > 1: no block grown from the cycle
    # is valid.  Fed by one of them, 0.6 < 1: the rule is silent.
    from ratenet.tln._blocks import CORE_DEAD, CORE_OPEN, CORE_WHOLE, _core_dead, neighbourhoods

    eps, delta = 0.25, 0.5
    for feeders, dead in (((0, 1, 2), True), ((0,), False)):
        edges = "0->1,1->2,2->0," + ",".join(f"{j}->3" for j in feeders)
        net = CTLN(edges, n=4, epsilon=eps, delta=delta)
        A = net.adjacency.astype(float)
        _, innbr, _ = neighbourhoods(net.adjacency)
        assert 3 * (eps + delta) / (eps + 2 * delta) == pytest.approx(1.8)
        zbuf = np.full(4, np.nan)
        verdict = _core_dead(4, 0b0111, 0b1000, innbr, A, delta, eps + delta, 1e-9, zbuf)
        assert verdict == (CORE_DEAD if dead else CORE_WHOLE)
        if not dead:  # the block's own z, handed on to its test
            np.testing.assert_allclose(zbuf[:3], 1 / (eps + 2 * delta), rtol=1e-14)
        # unit 3 feeding the cycle back breaks the closure: nothing is fixed yet
        back = CTLN(edges + ",3->0", n=4, epsilon=eps, delta=delta)
        _, innbr_b, _ = neighbourhoods(back.adjacency)
        assert _core_dead(4, 0b0111, 0b1000, innbr_b, back.adjacency.astype(float),
                          delta, eps + delta, 1e-9, np.empty(4)) == CORE_OPEN


def test_uniform_in_degree_rule_against_enumeration():
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(60):
        net = _random_ctln(rng, int(rng.integers(2, 8)), rng.uniform(0.2, 0.6))
        fp = set(fixed_points(net, method="enumerate").supports)
        for r in range(1, net.n + 1):
            for s in itertools.combinations(range(net.n), r):
                verdict = uniform_in_degree_rule(net, s)
                if verdict is not None:
                    assert verdict == (s in fp), (net.edges, s)
                    checked += 1
                if domination_rule(net, s) is False:
                    assert s not in fp
        assert {s for s in fp if len(s) == 1} == {(i,) for i in sinks(net)}
    assert checked > 300


def test_sparse_ctln_forty_nodes_by_graph_method():
    # 13 disjoint 3-cycles and one isolated node: FP = unions of the cycles' full supports
    # and the isolated node (each a fixed point of its component), 2^14 - 1 of them
    edges = ",".join(f"{3 * k + i}->{3 * k + (i + 1) % 3}" for k in range(13) for i in range(3))
    res = fixed_points(CTLN(edges, n=40))
    assert res.method == "graph" and len(res) == 2**14 - 1 and res.parity == 1
    cyc = fixed_points(CTLN(",".join(f"{i}->{(i + 1) % 40}" for i in range(40))))
    assert cyc.supports == [tuple(range(40))]


def test_refusals_name_the_limit():
    rng = np.random.default_rng(0)
    with pytest.raises(ParameterError, match="max_units"):
        fixed_points(TLN(rng.normal(size=(25, 25))))
    with pytest.raises(ParameterError, match="max_blocks"):
        fixed_points(_random_ctln(rng, 30, 0.3), max_blocks=1000)
    with pytest.raises(ParameterError, match="W"):
        TLN(np.ones((2, 3)))
    with pytest.raises(ParameterError, match="W"):
        TLN([[0.0, np.nan], [0.0, 0.0]])
    with pytest.raises(ParameterError, match=r"0\.\.2"):
        CTLN("0->3", n=3)
    with pytest.raises(ParameterError, match="method"):
        fixed_points(TLN([[0.0]]), method="graph")


# --------------------------------------------------------------------- permitted sets
def test_permitted_sets_interlacing_and_realisation():
    rng = np.random.default_rng(2)
    n = 6
    B = rng.normal(scale=0.6, size=(n, n))
    W = (B + B.T) / 2
    res = permitted_sets(W)
    for r in range(n + 1):
        for s in itertools.combinations(range(n), r):
            lam_max = np.linalg.eigvalsh(W[np.ix_(s, s)]).max() if s else -np.inf
            assert res.is_permitted(s) == (lam_max < 1) == is_permitted(W, s)
    assert res.maximal_permitted and res.minimal_forbidden
    # a permitted set is the support of a stable fixed point for a suitable input:
    # x_S = 1, b_S = (I - W_SS) 1, b off S very negative; the simulation goes there
    S = list(res.maximal_permitted[0])
    b = np.full(n, -50.0)
    b[S] = (np.eye(len(S)) - W[np.ix_(S, S)]) @ np.ones(len(S))
    # slowest decay rate: the smallest eigenvalue of I - W_SS (> 0: permitted)
    rate = np.linalg.eigvalsh(np.eye(len(S)) - W[np.ix_(S, S)]).min()
    _, X = simulate_batch(TLN(W, b), np.full((1, n), 0.5), 40.0 / rate, 0.01)
    target = np.zeros(n)
    target[S] = 1.0
    np.testing.assert_allclose(X[0, -1], target, atol=1e-8)  # e^-40 of the start


# --------------------------------------------------------------------- Lyapunov, attractors
def test_lyapunov_sum_equals_mean_trace():
    rng = np.random.default_rng(4)
    W = rng.normal(size=(4, 4))  # nonzero diagonal: the trace changes from region to region
    np.fill_diagonal(W, rng.uniform(-0.5, 0.9, 4))
    W -= 1.2
    net = TLN(W, b=1.0, tau=[1.0, 0.5, 2.0, 1.5])
    spec = lyapunov_spectrum(net, rng.random(4), t_total=60.0, interval=0.7)
    assert spec.status == "ok"
    assert np.sum(spec.exponents) == pytest.approx(spec.mean_trace, rel=1e-9, abs=1e-12)


def test_three_cycle_attractor_is_a_limit_cycle_with_zero_exponent():
    res = find_attractors(CTLN(THREE_CYCLE), trials=30, seed=1, t_max=60.0)
    assert len(res) == 1
    (a,) = res.attractors
    assert a.kind == "limit cycle" and a.support == (0, 1, 2)
    assert a.basin_fraction == 1.0 and a.basin_interval == wilson_interval(30, 30)
    assert abs(a.lyapunov[0]) < 1e-6
    assert np.sum(a.lyapunov) == pytest.approx(-3.0, rel=1e-9)  # tr(-I + D W) = -3
    # QR exponents over m periods of a cycle tend to log|Floquet multipliers| / period,
    # with an error decaying like 1/m: quadrupling m divides it by about 4
    floq = np.sort(np.log(np.abs(a.floquet_multipliers)) / a.period)[::-1]
    q0 = np.column_stack([CTLN(THREE_CYCLE).rhs(a.state), np.eye(3)[:, :2]])
    errs = []
    for m in (25, 100):
        spec = lyapunov_spectrum(CTLN(THREE_CYCLE), a.state, t_total=m * a.period,
                                 interval=a.period / 12, q0=q0)
        errs.append(np.max(np.abs(spec.exponents - floq)))
        assert abs(spec.exponents[0]) < 1e-9
    assert 3.0 < errs[0] / errs[1] < 5.0


def test_bistable_ctln_basins():
    # two sinks that inhibit each other: {0} and {1} stable, basins split by symmetry
    res = find_attractors(CTLN([], n=2), trials=200, seed=3, t_max=40.0)
    kinds = {(a.kind, a.support) for a in res}
    assert kinds == {("fixed point", (0,)), ("fixed point", (1,))}
    assert sum(a.basin_fraction for a in res) == pytest.approx(1.0)
    for a in res:
        lo, hi = a.basin_interval
        assert lo < 0.5 < hi  # symmetric basins (200 trials: 95 % interval about +-0.07)


def test_wilson_interval_closed_form():
    z = 1.959963984540054
    lo, hi = wilson_interval(0, 50)
    assert lo == pytest.approx(0.0, abs=1e-15) and hi == pytest.approx(z * z / (50 + z * z))
    lo, hi = wilson_interval(25, 100)
    assert (lo + hi) / 2 == pytest.approx((0.25 + z * z / 200) / (1 + z * z / 100))


def test_graph_forms_agree_and_permitted_needs_symmetry():
    text = CTLN("0->1,1->2,2->0")
    pairs = CTLN([(0, 1), (1, 2), (2, 0)])
    A = np.zeros((3, 3), dtype=int)
    A[1, 0] = A[2, 1] = A[0, 2] = 1  # A[i, j] = 1 when j -> i
    adj = CTLN(A)
    np.testing.assert_array_equal(text.W, pairs.W)
    np.testing.assert_array_equal(text.W, adj.W)
    with pytest.raises(ParameterError, match="symmetric"):
        permitted_sets(text.W)
    nx = pytest.importorskip("networkx")  # optional: a DiGraph with nodes 0..n-1
    np.testing.assert_array_equal(CTLN(nx.DiGraph([(0, 1), (1, 2), (2, 0)])).W, text.W)
