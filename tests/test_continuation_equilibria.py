"""Continuation of equilibria: closed forms, independent root solves, brute force."""

from __future__ import annotations

import itertools
import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import fsolve

from _wilson_cowan import wc_F, wc_J, wc_network
from ratenet import EIModel, RingModel
from ratenet._validation import ParameterError
from ratenet.continuation.equilibria import continue_equilibria, pair_product
from ratenet.network import RateNetwork
from ratenet.pwl import enumerate_fixed_points


# ----------------------------------------------------------------- helpers
def ei_tl_fixed_points(m: EIModel) -> np.ndarray:
    """Every fixed point of the threshold-linear E-I model by brute force over the four
    active sets, written out here (independent of ratenet.pwl)."""
    out = []
    W, h = m.weights, -m.gamma
    for act in ((0, 0), (1, 0), (0, 1), (1, 1)):
        D = np.diag(act).astype(float)
        M = np.eye(2) - D @ W
        if abs(np.linalg.det(M)) < 1e-12:
            continue
        x = np.linalg.solve(M, D @ h)
        u = W @ x + h
        if all((u[i] >= -1e-9) if act[i] else (u[i] <= 1e-9) for i in range(2)):
            if not any(np.allclose(x, y, atol=1e-9) for y in out):
                out.append(x)
    return np.array(out)


def states_at(branches, p: float) -> list[np.ndarray]:
    """Points where the branches cross the parameter value ``p`` (linear interpolation;
    exact for threshold-linear branches, which are straight inside each region)."""
    found: list[np.ndarray] = []
    for b in branches:
        v = b.values
        cands = [b.states[k] for k in range(len(v)) if v[k] == p]
        for k in range(len(v) - 1):
            if (v[k] - p) * (v[k + 1] - p) < 0:
                w = (p - v[k]) / (v[k + 1] - v[k])
                cands.append(b.states[k] + w * (b.states[k + 1] - b.states[k]))
        for x in cands:
            if not any(np.allclose(x, y, rtol=1e-9, atol=1e-9) for y in found):
                found.append(x)
    return found


def same_points(a, b, tol=1e-7):
    A = sorted(a, key=tuple)
    B = sorted(b, key=tuple)
    return len(A) == len(B) and all(np.allclose(x, y, rtol=tol, atol=tol) for x, y in zip(A, B))


# ----------------------------------------------------------------- E-I, threshold-linear
def test_tau_I_branch_is_vertical_with_the_hopf_at_the_closed_form():
    m = EIModel()
    res = continue_equilibria(m, "tau_I", 20.0, 60.0)
    (br,) = res.branches
    nu = np.array([80 / 3, 50 / 3])  # (I - M)^-1 (-gamma), both active
    assert np.max(np.abs(br.states - nu)) < 1e-12
    assert br.values[0] == 20.0 and br.values[-1] == 60.0 and br.status == "bound"
    (hopf,) = res.hopf
    tau_c = m.tau_E * (1 - m.M_II) / (m.M_EE - 1)  # 40 ms
    assert hopf.kind == "non-smooth Hopf (linear centre)"
    assert abs(hopf.value - tau_c) <= 1e-12 * tau_c
    # frequency sqrt(det J) at the centre
    det = ((m.M_EE - 1) * (m.M_II - 1) - m.M_EI * m.M_IE) / (m.tau_E * tau_c)
    assert hopf.frequency == pytest.approx(math.sqrt(det), rel=1e-10)
    # stability along the branch: stable exactly where the trace is negative
    trace = (m.M_EE - 1) / m.tau_E + (m.M_II - 1) / br.values
    far = np.abs(trace) > 1e-9
    assert np.array_equal(br.stable[far], (trace < 0)[far])
    assert np.allclose(br.eigenvalues.real.sum(axis=1), trace, atol=1e-12)


def test_gamma_E_border_collisions_fold_at_closed_forms_and_match_brute_force():
    m = EIModel()
    res = continue_equilibria(m, "gamma_E", -20.0, 20.0)
    bcs = res.border_collisions
    assert [p.unit for p in bcs] == ["E", "I"]
    # E silent, I silent: the all-silent state meets E's threshold at gamma_E = 0
    # both active meets I's threshold where nu_I = 0: nu_E = gamma_I / M_IE and
    # nu_E (1 - M_EE) = -gamma_E, i.e. gamma_E = (M_EE - 1) gamma_I / M_IE = 2.5
    assert abs(bcs[0].value - 0.0) < 1e-12 and np.allclose(bcs[0].state, 0, atol=1e-12)
    assert abs(bcs[1].value - 2.5) < 1e-12 * 2.5
    assert np.allclose(bcs[1].state, [10.0, 0.0], atol=1e-11)
    assert all(p.fold for p in bcs)  # both are non-smooth folds: pairs appear/vanish
    assert [p.value for p in res.folds] == [p.value for p in bcs]
    # the branch holds every fixed point at every value, and nothing else
    for p in np.linspace(-19.5, 19.5, 27) + 0.013:  # off the two border values
        found = states_at(res.branches, p)
        assert same_points(found, ei_tl_fixed_points(m.replace(gamma_E=p)), tol=1e-9), p
    # every stored point is an exact equilibrium
    for br in res.branches:
        for x, p in zip(br.states, br.values):
            mm = m.replace(gamma_E=p)
            assert np.max(np.abs(-x + np.maximum(mm.weights @ x - mm.gamma, 0))) < 1e-9


def test_border_crossing_without_fold():
    # gamma_I: the E-silent state (0, -gamma_I) meets E's threshold where
    # M_EI nu_I - gamma_E = 0, i.e. nu_I = 10, gamma_I = -10; it crosses into both-active
    res = continue_equilibria(EIModel(), "gamma_I", -20.0, 50.0)
    (bc,) = res.border_collisions
    assert bc.unit == "E" and bc.fold is False
    assert abs(bc.value + 10.0) < 1e-12 * 10 and np.allclose(bc.state, [0.0, 10.0], atol=1e-11)
    assert bc.types == ("stable node", "stable focus")


def test_hopf_in_M_EE_at_closed_form():
    m = EIModel()
    res = continue_equilibria(m, "M_EE", 0.5, 1.9)
    (h,) = res.hopf
    c = 1 + m.tau_E * (1 - m.M_II) / m.tau_I  # trace = 0
    assert abs(h.value - c) < 1e-12 * c
    assert np.allclose(h.state, [20 / (2 - c), 20 / (2 - c) - 10], rtol=1e-12)


def test_divergent_branch_is_reported():
    # det(I - M) = 2 - M_EE: the both-active fixed point 20 / (2 - M_EE) goes to infinity
    res = continue_equilibria(EIModel(), "M_EE", 1.5, 2.5, u_max=1e6)
    (br,) = res.branches
    assert br.status == "diverged" and "grew beyond" in br.message
    # stopped at the first point past |x| = 1e6, i.e. past M_EE = 2 - 20 / 1e6
    assert np.max(br.states[-1]) > 1e6 and 2 - 2e-5 < br.values[-1] < 2.0
    assert np.allclose(br.states[:, 0], 20 / (2 - br.values), rtol=1e-9)


def test_ring_units_crossing_together():
    # all N units of the uniform ring state cross their threshold together at h0 = 0
    r = RingModel(J0=-2.0, J1=1.5, N=8)
    res = continue_equilibria(r, "h0", -1.0, 2.0)
    (br,) = res.branches
    assert br.status == "bound"
    (bc,) = res.border_collisions
    assert abs(bc.value) < 1e-12 and bc.unit.count("theta") == 8 and not bc.fold
    on = br.values > 1e-9
    assert np.allclose(br.states[on], (br.values[on] / (1 - r.J0))[:, None], rtol=1e-12)
    assert np.allclose(br.states[~on], 0.0)


# ----------------------------------------------------------------- either end
@pytest.mark.parametrize("param,a,b", [("gamma_E", -20.0, 20.0), ("tau_I", 20.0, 60.0),
                                       ("gamma_I", -20.0, 50.0)])
def test_branches_the_same_from_either_end(param, a, b):
    r1 = continue_equilibria(EIModel(), param, a, b)
    r2 = continue_equilibria(EIModel(), param, b, a)
    assert [(p.kind, p.unit, p.fold) for p in r1.points] == [
        (p.kind, p.unit, p.fold) for p in r2.points]
    for p, q in zip(r1.points, r2.points):
        assert abs(p.value - q.value) <= 1e-10 * max(1.0, abs(p.value))
        assert np.allclose(p.state, q.state, rtol=1e-10, atol=1e-10)
    assert len(r1.branches) == len(r2.branches)
    lo, hi = min(a, b), max(a, b)
    for p in np.linspace(lo, hi, 13)[1:-1] + 0.00731 * (hi - lo):  # off the special values
        assert same_points(states_at(r1.branches, p), states_at(r2.branches, p), tol=1e-9)


def test_smooth_branches_the_same_from_either_end():
    r1 = continue_equilibria(wc_network, "I_E", -2.0, 2.0, seeds=2)
    r2 = continue_equilibria(wc_network, "I_E", 2.0, -2.0, seeds=2)
    assert [p.kind for p in r1.points] == [p.kind for p in r2.points]
    for p, q in zip(r1.points, r2.points):
        assert abs(p.value - q.value) <= 1e-10 * max(1.0, abs(p.value))


# ----------------------------------------------------------------- Wilson-Cowan (smooth)
W_REF = (9.0, 4.0, 13.0, 11.0)


def test_wilson_cowan_fixed_points_and_folds_against_root_solves():
    res = continue_equilibria(lambda v: wc_network(v, W_REF), "I_ext_E", -2.0, 2.0)
    assert len(res.branches) == 1 and res.branches[0].status == "bound"
    # the branch passes I_ext_E = 0 at the three W2D4 fixed points
    at0 = sorted(states_at(res.branches, 0.0), key=tuple)
    assert len(at0) == 3
    # the interpolated points are within the step's chord error; refine each with an
    # independent root solve and check the published values
    for x, ref in zip(at0, [(0.0, 0.0), (0.3369, 0.1684), (0.9384, 0.6725)]):
        y = fsolve(lambda z: wc_F(z, 0.0, W_REF), x, xtol=1e-13)
        assert np.allclose(y, ref, atol=1e-4)
        assert np.linalg.norm(y - x) < 1e-2
    folds = [p for p in res.points if p.kind == "fold"]
    assert len(folds) == 2 and {p.kind for p in res.points} == {"fold"}
    # no Hopf point in this interval, checked independently: every solution of
    # F = 0, trace J = 0 found from a grid of starts has det J < 0 (a neutral saddle)
    neutral = 0
    for g in itertools.product(np.linspace(0.05, 0.95, 4), np.linspace(0.05, 0.9, 4),
                               np.linspace(-1.8, 1.8, 4)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            z, info, ok, _ = fsolve(lambda z: np.append(wc_F(z[:2], z[2], W_REF),
                                                         np.trace(wc_J(z[:2], z[2], W_REF))),
                                    g, full_output=True)
        if ok == 1 and -2.0 <= z[2] <= 2.0 and np.max(np.abs(info["fvec"])) < 1e-10:
            assert np.linalg.det(wc_J(z[:2], z[2], W_REF)) < 0
            neutral += 1
    assert neutral > 0  # the search does find the trace-zero points (both saddles)
    # independent solve of F = 0, det J = 0 from rough guesses
    guesses = [(0.8, 0.5, -0.8), (0.1, 0.03, 0.5)]
    for g, f in zip(sorted(guesses, key=lambda g: g[2]), folds):
        sol = fsolve(lambda z: np.append(wc_F(z[:2], z[2], W_REF),
                                          np.linalg.det(wc_J(z[:2], z[2], W_REF))),
                     g, xtol=1e-13)
        assert abs(f.value - sol[2]) <= 1e-8 * max(1.0, abs(sol[2]))
        assert np.allclose(f.state, sol[:2], atol=1e-8)
        assert np.min(np.abs(f.eigenvalues)) < 1e-8  # a zero eigenvalue


W_OSC = (6.4, 4.8, 6.0, 1.2)  # W2D4's oscillating weight set


def test_wilson_cowan_hopf_against_root_solve():
    res = continue_equilibria(lambda v: wc_network(v, W_OSC), "I_ext_E", -2.0, 4.0)
    (h,) = [p for p in res.points if p.kind == "hopf"]
    sol = fsolve(lambda z: np.append(wc_F(z[:2], z[2], W_OSC),
                                      np.trace(wc_J(z[:2], z[2], W_OSC))), (0.6, 0.4, 1.0),
                 xtol=1e-13)
    assert np.linalg.det(wc_J(sol[:2], sol[2], W_OSC)) > 0  # a centre, not a neutral saddle
    assert abs(h.value - sol[2]) <= 1e-8 * abs(sol[2])
    assert np.allclose(h.state, sol[:2], atol=1e-8)
    omega = math.sqrt(np.linalg.det(wc_J(sol[:2], sol[2], W_OSC)))
    assert h.frequency == pytest.approx(omega, rel=1e-6)
    # stability changes there: just below the Hopf stable, just above unstable (or back)
    br = res.branches[0]
    k = h.index
    assert br.stable[k - 1] != br.stable[k + 1]


# ----------------------------------------------------------------- test function
@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=3, max_size=3),
       st.floats(-3, 3), st.floats(0.1, 3))
def test_pair_product_is_sign_of_bialternate_determinant(reals, a, b):
    # spectrum: three real eigenvalues and a complex pair a +- ib
    lam = np.array(reals + [a + 1j * b, a - 1j * b])
    i, j = np.triu_indices(lam.size, 1)
    brute = np.prod(lam[i] + lam[j]).real
    if abs(brute) < 1e-9:
        return
    assert np.sign(pair_product(lam)) == np.sign(brute)
    assert abs(pair_product(lam)) <= 1.0


# ----------------------------------------------------------------- JSON and errors
def test_to_dict_is_json_with_the_grid_scan_keys():
    d = continue_equilibria(EIModel(), "gamma_E", -20.0, 20.0).to_dict()
    s = json.dumps(d)
    assert "NaN" not in s
    for key in ("param", "hopf", "folds", "border_collisions", "points", "branches", "names",
                "model"):
        assert key in d
    pt = d["points"][0]
    assert {"kind", "value", "state", "branches", "method", "frequency", "unit",
            "fold", "eigenvalues"} <= set(pt)
    br = d["branches"][0]
    assert {"label", "values", "states", "eigenvalues", "types", "stable", "trace",
            "determinant", "status"} <= set(br)
    assert d["folds"] == pytest.approx([0.0, 2.5], abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=1, max_size=12))
def test_unknown_parameter_names_are_refused(name):
    key = name.strip().lower().replace("-", "_")
    if key in {p.lower() for p in EIModel.PARAMETERS}:
        return
    with pytest.raises(ParameterError) as err:
        continue_equilibria(EIModel(), name, 1.0, 2.0)
    assert err.value.name == "param"


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(EIModel.PARAMETERS),
       st.one_of(st.just(math.nan), st.just(math.inf), st.just(-math.inf), st.floats(1, 5)))
def test_bad_intervals_are_refused(name, v):
    # start == stop, or a non-finite end
    with pytest.raises(ParameterError) as err:
        continue_equilibria(EIModel(), name, v, v)
    assert err.value.name in ("start", "stop")


@pytest.mark.parametrize("param,a,b,bad", [("tau_I", -5.0, 10.0, "start"),
                                          ("M_EE", 1.0, -1.0, "stop"),
                                          ("M_EI", 0.0, 2.0, "stop")])
def test_values_the_model_refuses_name_the_end(param, a, b, bad):
    with pytest.raises(ParameterError) as err:
        continue_equilibria(EIModel(), param, a, b)
    assert err.value.name == bad and param in str(err.value)


def test_other_bad_inputs():
    with pytest.raises(ParameterError, match="model"):
        continue_equilibria(42, "x", 0.0, 1.0)
    with pytest.raises(ParameterError, match="x0"):
        continue_equilibria(EIModel(), "tau_I", 20.0, 30.0, x0=[1.0, 2.0, 3.0])
    with pytest.raises(ParameterError, match="x0"):  # too many units to enumerate
        continue_equilibria(RingModel(N=64), "h0", 0.0, 1.0)
    with pytest.raises(ParameterError, match="param"):  # a count, not a real parameter
        continue_equilibria(RingModel(N=8), "N", 8.0, 9.0)
    with pytest.raises(ParameterError, match="model"):  # a rotating stimulus: not autonomous
        continue_equilibria(RingModel(N=8, eps=0.1, omega=0.5), "h0", 0.0, 1.0)


def test_a_continuum_of_equilibria_stops_the_branch():
    # x = [W x + h]_+ with W = [[0, p], [p, 0]], h = (1, -1): for p < 1 the fixed point is
    # (1, 0) (unit 1 silent, input p - 1 < 0); at p = 1 every (t + 1, t), t >= 0, is a fixed
    # point (I - W singular with h in its range): the branch meets that line and stops
    res = continue_equilibria(lambda p: RateNetwork(W=[[0, p], [p, 0]], h=[1.0, -1.0]), "p",
                              0.0, 2.0)
    (br,) = res.branches
    assert br.status == "continuum" and "continuum of equilibria at p = 1" in br.message
    assert br.values[-1] == pytest.approx(1.0, abs=1e-12)
    assert np.allclose(br.states, [1.0, 0.0], atol=1e-12)
    (bc,) = res.border_collisions
    assert bc.unit == "x1" and bc.value == pytest.approx(1.0, abs=1e-12)


def test_no_fixed_point_anywhere_is_a_clear_error():
    from ratenet.continuation import ContinuationError

    # M_EE = 3 > 1 + |M_EI M_IE|: no fixed point, the rates run away, whatever tau_I
    with pytest.raises(ContinuationError, match=r"no fixed point there.*too strong"):
        continue_equilibria(EIModel(M_EE=3.0), "tau_I", 10.0, 50.0)


def test_x0_follows_one_branch():
    # gamma_E = 1: three fixed points; x0 near the silent one follows its branch only
    fps = enumerate_fixed_points(EIModel().weights, -EIModel(gamma_E=1.0).gamma)
    assert len(fps.states) == 3
    res = continue_equilibria(EIModel(), "gamma_E", 1.0, 20.0, x0=[0.0, 0.0])
    (br,) = res.branches
    assert np.allclose(br.states, 0.0)


# ----------------------------------------------------------------- n = 3: bialternate test
CYCLE = np.roll(np.eye(3), 1, axis=1)  # unit i inhibited by unit i + 1 (mod 3)


def test_three_unit_inhibitory_cycle_linear_centre_at_c_2():
    # tau dx/dt = -x + [h - c P x]_+ with all units active: J = -I - c P, eigenvalues
    # -1 - c exp(2 pi i k / 3); the complex pair crosses at c = 2 with frequency sqrt(3)
    res = continue_equilibria(lambda c: RateNetwork(W=-c * CYCLE, h=np.ones(3)), "c", 1.0, 3.0)
    (h,) = res.points
    assert h.kind == "non-smooth Hopf (linear centre)"
    assert abs(h.value - 2.0) < 1e-12 and h.frequency == pytest.approx(math.sqrt(3), rel=1e-12)
    assert np.allclose(h.state, 1 / 3, rtol=1e-12)  # x = h / (1 + c)


def test_three_unit_smooth_cycle_hopf_against_root_solve():
    from ratenet.transfer import Sigmoid

    def net(c):
        return RateNetwork(W=-c * CYCLE, h=2.0 * np.ones(3), transfer=Sigmoid())

    res = continue_equilibria(net, "c", 1.0, 20.0, x0=[0.7, 0.7, 0.7])
    (h,) = [p for p in res.points if p.kind == "hopf"]
    # symmetric state x = s(2 - c x) with s the logistic function, s' = x (1 - x); the
    # pair -1 - c s' exp(+-2 pi i / 3) is on the imaginary axis where c s' = 2
    sol = fsolve(lambda z: [z[0] - 1 / (1 + np.exp(-(2 - z[1] * z[0]))),
                            z[1] * z[0] * (1 - z[0]) - 2], [0.3, 10.0], xtol=1e-12)
    assert abs(h.value - sol[1]) < 1e-8 * sol[1]
    assert np.allclose(h.state, sol[0], atol=1e-9)
    assert h.frequency == pytest.approx(math.sqrt(3), rel=1e-8)


@settings(max_examples=10, deadline=None)
@given(st.floats(5.0, 100.0), st.floats(5.0, 100.0))
def test_any_tau_I_interval_finds_the_hopf_iff_it_contains_40(a, b):
    if abs(a - b) < 1e-3 or min(abs(a - 40.0), abs(b - 40.0)) < 1e-6:
        return
    res = continue_equilibria(EIModel(), "tau_I", a, b)
    (br,) = res.branches
    assert br.values[0] == min(a, b) and br.values[-1] == max(a, b)
    expect = [40.0] if min(a, b) < 40.0 < max(a, b) else []
    assert [p.value for p in res.hopf] == pytest.approx(expect, rel=1e-12)


@settings(max_examples=10, deadline=None)
@given(st.floats(-30.0, 30.0), st.floats(-30.0, 30.0))
def test_any_gamma_E_interval_finds_the_border_collisions_inside_it(a, b):
    if abs(a - b) < 1e-3 or min(abs(v - c) for v in (a, b) for c in (0.0, 2.5)) < 1e-6:
        return
    res = continue_equilibria(EIModel(), "gamma_E", a, b)
    expect = [c for c in (0.0, 2.5) if min(a, b) < c < max(a, b)]
    assert [p.value for p in res.border_collisions] == pytest.approx(expect, abs=1e-12)
    # and every fixed point at the interval's ends lies on a branch
    for v in (a, b):
        ends = [br.states[k] for br in res.branches for k in (0, -1) if br.values[k] == v]
        assert same_points(ends, ei_tl_fixed_points(EIModel(gamma_E=v)), tol=1e-9)


def test_isolated_closed_branch_and_its_folds():
    # x = s(6 x + p^2 - 3), s logistic: p^2 = phi(x) + 3 with phi(x) = log(x/(1-x)) - 6x.
    # phi has a local maximum at x* = (1 - sqrt(1/3)) / 2 where phi + 3 > 0, so around
    # x* the solutions form a closed curve (an isola) with folds at p = +-sqrt(phi(x*) + 3)
    from ratenet.transfer import Sigmoid

    def net(p):
        return RateNetwork(W=[[6.0]], h=[p * p - 3.0], transfer=Sigmoid())

    def phi(x):
        return np.log(x / (1 - x)) - 6 * x

    xs = (1 - math.sqrt(1 / 3)) / 2
    p_fold = math.sqrt(phi(xs) + 3)
    runs = [continue_equilibria(net, "p", a, b, bounds=(0.0, 1.0)) for a, b in
            ((-1.0, 1.0), (1.0, -1.0))]
    for res in runs:
        closed = [b for b in res.branches if b.status == "closed"]
        assert len(closed) == 1 and len(res.branches) == 2
        iso = closed[0]
        assert np.allclose(iso.states[0], iso.states[-1]) and iso.values[0] == iso.values[-1]
        assert np.allclose(iso.values**2, phi(iso.states[:, 0]) + 3, atol=1e-9)
        folds = [p.value for p in res.points if p.kind == "fold"]
        assert folds == pytest.approx([-p_fold, p_fold], rel=1e-10)
        # from either end the closed branch starts at its fold of smallest p, at x*
        assert iso.values[0] == pytest.approx(-p_fold, rel=1e-10)
        assert iso.states[0, 0] == pytest.approx(xs, rel=1e-8)
