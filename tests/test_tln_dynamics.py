"""Quasi-periodic and chaotic attractors of threshold-linear networks.

Two known cases:

* the product of two 3-cycle CTLNs with incommensurate time constants (1 and sqrt 2)
  lives on a 2-torus: two zero exponents, and the other four are those of each cycle
  alone (its Floquet exponents, divided by its tau);
* the 5-node "baby chaos" CTLN of Morrison, Degeratu, Itskov and Curto (2016, Fig. 3D)
  has chaotic attractors; its largest exponent is confirmed by Benettin's
  two-trajectory method with a Runge-Kutta integrator written here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ratenet.tln import CTLN, TLN, find_attractors, lyapunov_spectrum

BABY_CHAOS = "4->0,0->1,2->1,4->2,0->3,2->3,1->4,3->4"


def _two_cycles():
    c3 = CTLN("0->1,1->2,2->0")
    W = np.zeros((6, 6))
    W[:3, :3] = c3.W
    W[3:, 3:] = c3.W
    tau = np.array([1, 1, 1, math.sqrt(2), math.sqrt(2), math.sqrt(2)])
    return c3, TLN(W, np.ones(6), tau=tau)


def test_product_of_two_cycles_is_quasi_periodic_with_two_zero_exponents():
    c3, net = _two_cycles()
    (cycle,) = list(find_attractors(c3, trials=2, t_max=100))
    assert cycle.kind == "limit cycle"
    floquet = np.sort(np.log(np.abs(cycle.floquet_multipliers)) / cycle.period)[::-1]
    assert abs(floquet[0]) < 1e-9  # the trivial multiplier
    expected = np.sort(np.concatenate([floquet, floquet / math.sqrt(2)]))[::-1]

    res = list(find_attractors(net, trials=6, seed=0, t_max=100, lyapunov_time=1600))
    assert [a.kind for a in res] == ["quasi-periodic"]
    lam = res[0].lyapunov
    assert res[0].support == (0, 1, 2, 3, 4, 5)
    # exponents of a finite average converge like 1/t; 1600 tau leaves ~1e-3
    np.testing.assert_allclose(lam, expected, atol=5e-3)
    assert abs(lam[0]) < 2e-3 and abs(lam[1]) < 2e-3
    assert np.sum(lam) == pytest.approx(res[0].mean_trace, rel=1e-9)


def _benettin(net: CTLN, x: np.ndarray, *, t_total: float, dt: float = 0.01,
              renorm: float = 1.0, d0: float = 1e-8) -> float:
    """Largest exponent from two nearby orbits, RK4 written independently of ratenet."""
    W, b = np.asarray(net.W), np.asarray(net.b)

    def f(X):
        return -X + np.maximum(X @ W.T + b, 0.0)

    rng = np.random.default_rng(1)
    v = rng.standard_normal(x.size)
    X = np.stack([x, x + d0 * v / np.linalg.norm(v)])
    per = round(renorm / dt)
    total = 0.0
    for _ in range(round(t_total / renorm)):
        for _ in range(per):
            k1 = f(X)
            k2 = f(X + 0.5 * dt * k1)
            k3 = f(X + 0.5 * dt * k2)
            k4 = f(X + dt * k3)
            X = X + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        d = np.linalg.norm(X[1] - X[0])
        total += math.log(d / d0)
        X[1] = X[0] + (X[1] - X[0]) * (d0 / d)
    return total / t_total


def _three_cycles(edges: str, n: int) -> set[frozenset[int]]:
    E = {tuple(int(v) for v in e.split("->")) for e in edges.split(",")}
    return {frozenset((i, j, k)) for i in range(n) for j in range(n) for k in range(n)
            if (i, j) in E and (j, k) in E and (k, i) in E}


def test_baby_chaos_is_chaotic_and_its_exponent_is_confirmed_independently():
    net = CTLN(BABY_CHAOS, n=5)
    res = list(find_attractors(net, trials=24, seed=1, t_max=200))
    assert {a.kind for a in res} == {"chaotic"}
    # four chaotic attractors (Morrison et al. 2016), each dominated by one 3-cycle of
    # the graph: the units whose time-averaged rate exceeds half the largest
    cores = {frozenset(np.flatnonzero(a.orbit.mean(axis=0) > 0.5 * a.orbit.mean(axis=0).max()))
             for a in res}
    assert len(res) == 4
    assert cores == _three_cycles(BABY_CHAOS, 5)
    assert sum(a.basin_fraction for a in res) == pytest.approx(1.0)
    for a in res:
        assert a.lyapunov[0] > 0.02
        assert np.sum(a.lyapunov) == pytest.approx(a.mean_trace, rel=1e-9)
    x = res[0].state
    qr = lyapunov_spectrum(net, x, t_total=1000.0).exponents
    assert abs(qr[1]) < 5e-3  # the flow direction
    lam_b = _benettin(net, x, t_total=1000.0)
    assert lam_b > 0.02
    assert lam_b == pytest.approx(qr[0], rel=0.3)


@pytest.mark.parametrize("kwargs, name", [
    (dict(W=[[0.0]], b=10**400), "b"),
    (dict(W=[["a"]], b=1.0), "W"),
    (dict(W=[[0.0]], b="1"), "b"),
    (dict(W=[[0.0]], b=1.0, tau=0.0), "tau"),
])
def test_bad_tln_input_is_named(kwargs, name):
    from ratenet import ParameterError

    with pytest.raises(ParameterError) as err:
        TLN(**kwargs)
    assert err.value.name == name


def test_huge_ctln_is_refused_before_allocating():
    from ratenet import ParameterError

    with pytest.raises(ParameterError, match="at most 10000 nodes"):
        CTLN("0->1", n=10**6)
