"""Continuation of limit cycles: shooting residual, Floquet multipliers, special points.

The reference example is :func:`ratenet.continuation.cycles.bistable_example`: a
threshold-linear E-I model with a subcritical non-smooth Hopf point at the closed form
``tau_I = tau_E (1 - M_II)/(M_EE - 1) = 60`` ms and a fold of cycles below it.  Every
special point is checked by something the continuation does not use: a brute-force
scan of the Poincare return map, simulation from two starts, Liouville's formula for
the multiplier, the closed form of the Hopf point.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import ratenet as rn
from ratenet._validation import ParameterError
from ratenet.analysis._flow import make_flow
from ratenet.analysis.limit_cycle import find_limit_cycle
from ratenet.continuation import ContinuationError
from ratenet.continuation._shooting import ShootingProblem
from ratenet.continuation.cycles import bistable_example, continue_cycles

TAU_H = 60.0  # tau_E (1 - M_II) / (M_EE - 1) for the example


@pytest.fixture(scope="module")
def model():
    return bistable_example()


@pytest.fixture(scope="module")
def branch(model):
    """The branch started from the stable cycle at tau_I = 65 ms."""
    return continue_cycles(model.replace(tau_I=65.0), "tau_I", 50.0, 70.0)


@pytest.fixture(scope="module")
def branch_from_hopf(model):
    return continue_cycles(model, "tau_I", 50.0, 70.0, hopf=TAU_H)


def _problem(model, m=1, k=0):
    return ShootingProblem(lambda v: model.replace(tau_I=v).to_network(), 2, segments=m,
                           phase_unit=k)


def _cycle_u(model, p, m=1):
    """Unknowns of the stable cycle at tau_I = p (found by simulation, peak of E)."""
    mm = model.replace(tau_I=p)
    cyc = find_limit_cycle(mm, x0=np.array([80.0, 40.0]))
    assert cyc is not None
    x0 = cyc.orbit[int(np.argmax(cyc.orbit[:-1, 0]))]
    pb = _problem(model, m)
    X = [x0]
    fl = make_flow(mm.to_network())
    for _ in range(m - 1):
        X.append(fl.advance(X[-1], cyc.period / m).x)
    return pb, pb.pack(np.array(X), cyc.period), cyc


# ------------------------------------------------------------ the residual
@pytest.mark.parametrize("m", [1, 3])
def test_jacobian_matches_centred_differences(model, m):
    pb, u, _ = _cycle_u(model, 62.0, m)
    p = 62.0
    J = pb.jacobian(u, p)
    h = 1e-5
    Jfd = np.empty_like(J)
    for i in range(u.size):
        e = np.zeros(u.size)
        e[i] = h * max(1.0, abs(u[i]))
        Jfd[:, i] = (pb.residual(u + e, p) - pb.residual(u - e, p)) / (2 * e[i])
    Jfd[:, -1] = (pb.residual(u, p + h) - pb.residual(u, p - h)) / (2 * h)
    assert np.max(np.abs(J - Jfd)) < 1e-6 * np.max(np.abs(J))


@settings(max_examples=12, deadline=None)
@given(st.floats(-3.0, 3.0), st.floats(-3.0, 3.0), st.floats(-5.0, 5.0), st.floats(61.0, 69.0))
def test_jacobian_is_exact_near_any_cycle(model, dE, dI, dT, p):
    # off the cycle too: the exact dF/du and dF/dp agree with differences of F
    pb = _problem(model)
    u = np.array([75.0 + dE, 30.0 + dI, 240.0 + dT])
    F = pb.residual(u, p)
    if not np.all(np.isfinite(F)):
        return
    J = pb.jacobian(u, p)
    h = 1e-5
    for i in range(3):
        e = np.zeros(3)
        e[i] = h * max(1.0, abs(u[i]))
        col = (pb.residual(u + e, p) - pb.residual(u - e, p)) / (2 * e[i])
        assert np.allclose(J[:, i], col, atol=1e-5 * (1 + np.max(np.abs(J))))
    col = (pb.residual(u, p + h) - pb.residual(u, p - h)) / (2 * h)
    assert np.allclose(J[:, -1], col, atol=1e-5 * (1 + np.max(np.abs(J))))


def test_multiplier_obeys_liouville(model):
    # in the plane the non-trivial multiplier is exp(integral of tr J along the orbit)
    pb, u, _ = _cycle_u(model, 62.0)
    p = 62.0
    mu = pb.multipliers(u, p)
    t, X = pb.sample(u, p, samples=40000)
    net = model.replace(tau_I=p).to_network()
    tr = np.array([np.trace(net.jacobian(x)) for x in X])
    integral = float(np.sum(0.5 * (tr[1:] + tr[:-1]) * np.diff(t)))
    assert mu[0] == pytest.approx(1.0, abs=1e-9)
    assert mu[1].real == pytest.approx(math.exp(integral), rel=2e-3)
    # multiple shooting gives the same multipliers
    pb3, u3, _ = _cycle_u(model, 62.0, 3)
    mu3 = pb3.multipliers(u3, p)
    assert np.allclose(np.sort(mu3.real), np.sort(mu.real), atol=1e-9)


def test_orbit_inside_one_region_is_refused(model):
    # the linear centre at the Hopf point: a small closed orbit, never isolated
    pb = _problem(model)
    net = model.replace(tau_I=TAU_H).to_network()
    A = (net.weights - np.eye(2)) / net.tau[:, None]
    w, V = np.linalg.eig(A)
    j = int(np.argmax(w.imag))
    v = V[:, j] * np.conj(V[0, j]) / abs(V[0, j])
    x0 = np.array([40.0, 20.0]) + 1.0 * v.real
    u = np.array([x0[0], x0[1], 2 * np.pi / w[j].imag])
    assert np.all(np.isnan(pb.residual(u, TAU_H)))


def _centre_orbit(model, scale):
    """A point of the linear centre's orbit at tau_I = 60 ms, ``scale`` times the size
    at which it touches the I threshold, and the centre's period."""
    net = model.replace(tau_I=TAU_H).to_network()
    A = (net.weights - np.eye(2)) / net.tau[:, None]
    w, V = np.linalg.eig(A)
    j = int(np.argmax(w.imag))
    v = V[:, j]
    u_star = net.weights @ np.array([40.0, 20.0]) + net.h
    amp = u_star[1] / abs(net.weights[1] @ v)  # the I input touches 0
    return net, np.array([40.0, 20.0]) + scale * amp * v.real, 2 * np.pi / w[j].imag


@pytest.mark.parametrize("depth, crossings", [(1e-9, 2), (-1e-9, 0)])
def test_exact_flow_sees_a_dip_between_samples(model, depth, crossings):
    from ratenet.continuation._shooting import exact_advance

    net, x0, T = _centre_orbit(model, 1.0 + depth)
    fl = make_flow(net)
    run = exact_advance(fl, x0, T)
    assert len(run.segments) - 1 == crossings
    assert np.allclose(run.x, x0, atol=1e-6)  # (nearly) the centre's closed orbit
    if crossings:
        # the dip: I silent between two exact crossings, its input below 0 in between
        (t0, xa, _), (t1, xb, _) = run.segments[1], run.segments[2]
        uI = lambda x: float(net.weights[1] @ x + net.h[1])  # noqa: E731
        assert abs(uI(xa)) < 1e-9 and abs(uI(xb)) < 1e-9 and t1 > t0
        xm = run.segments[1][2].propagate(xa, [0.5 * (t1 - t0)])[0]
        assert -1e-6 < uI(xm) < 0
    else:
        ref = fl.advance(x0, T)  # no threshold touched: the sampled flow agrees
        assert np.allclose(run.x, ref.x, atol=1e-9)
        assert np.allclose(run.monodromy, ref.monodromy, atol=1e-9)


def test_exact_flow_matches_the_sampled_flow_on_a_cycle(model):
    from ratenet.continuation._shooting import exact_advance

    _pb, u, cyc = _cycle_u(model, 62.0)
    fl = make_flow(model.replace(tau_I=62.0).to_network())
    x0 = u[:2]
    for T in (0.3 * cyc.period, cyc.period, 2.5 * cyc.period):
        a, b = exact_advance(fl, x0, T), fl.advance(x0, T)
        assert np.allclose(a.x, b.x, atol=1e-10) and np.allclose(a.monodromy, b.monodromy,
                                                                  atol=1e-10)


# ------------------------------------------------------------ the branch
def _return_displacement(model, p, s):
    """E-coordinate of the first return to the half-line nu_I = 20, nu_E > 40, minus s."""
    fl = make_flow(model.replace(tau_I=p).to_network())
    x = np.array([s, 20.0])
    res = fl.advance(x, 2000.0, section=(np.array([40.0, 20.0]), np.array([0.0, 1.0])),
                     min_time=50.0)
    assert res.hit_section
    return float(res.x[0] - s)


def _max_displacement(model, p, bounds=(45.0, 110.0), num=40):
    grid = np.linspace(*bounds, num)
    D = np.array([_return_displacement(model, p, s) for s in grid])
    k = int(np.argmax(D))
    r = minimize_scalar(lambda s: -_return_displacement(model, p, s),
                        bounds=(grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]),
                        method="bounded", options={"xatol": 1e-9})
    return max(float(-r.fun), float(D[k])), float(r.x)


def test_fold_of_cycles_matches_brute_force_return_map_scan(model, branch):
    folds = branch.folds
    assert len(folds) == 1
    p_fold = folds[0].value
    # brute force: cycles are zeros of the return-map displacement D(s) on a section;
    # they exist (max D >= 0) above the fold and not below it.  Bisection on p, the
    # maximum of D searched on the whole section at the ends, then next to its place.
    lo, hi = 56.0, 58.0
    d_lo, _ = _max_displacement(model, lo)
    d_hi, s_star = _max_displacement(model, hi)
    assert d_lo < 0 < d_hi
    near = (s_star - 4.0, s_star + 4.0)
    for _ in range(24):
        mid = 0.5 * (lo + hi)
        if _max_displacement(model, mid, near, 9)[0] > 0:
            hi = mid
        else:
            lo = mid
    assert p_fold == pytest.approx(0.5 * (lo + hi), rel=1e-8)


def test_fold_has_double_multiplier_one_and_joins_stable_to_unstable(branch):
    f = branch.folds[0]
    assert np.all(np.abs(f.multipliers - 1.0) < 1e-4)
    k = f.index
    # unstable (multiplier > 1) on the side of the Hopf point, stable beyond
    assert not branch.stable[k - 2] and branch.stable[k + 2]
    assert np.all(branch.values >= f.value - 1e-9 * f.value)  # the branch turns there
    assert np.abs(branch.multipliers[k - 2, 1]) > 1 > np.abs(branch.multipliers[k + 2, 1])


def test_branch_ends_at_the_closed_form_hopf_point(branch):
    hopf = branch.points_of("non-smooth Hopf (linear centre)")
    assert len(hopf) == 1
    assert hopf[0].value == pytest.approx(TAU_H, rel=1e-10)
    assert branch.status[0] == "non-smooth Hopf (linear centre)" and branch.status[1] == "bound"
    # the last cycles approach the centre's grazing orbit: period 2 pi / omega there
    A = (np.array([[1.25, -1.0], [1.0, -0.5]]) - np.eye(2)) / np.array([[10.0], [TAU_H]])
    omega = float(np.max(np.linalg.eigvals(A).imag))
    assert hopf[0].period == pytest.approx(2 * np.pi / omega, rel=1e-12)
    assert branch.period[0] == pytest.approx(2 * np.pi / omega, rel=1e-4)
    assert branch.values[0] == pytest.approx(TAU_H, rel=1e-4)
    # every cycle between the Hopf point and the fold is unstable, the others stable
    k = branch.folds[0].index
    assert not np.any(branch.stable[:k]) and np.all(branch.stable[k + 1:])


def test_grazing_point_touches_the_threshold(model, branch):
    graze = branch.points_of("grazing")
    assert [g.unit for g in graze] == ["E"]
    g = graze[0]
    pb = _problem(model)
    net = model.replace(tau_I=g.value).to_network()
    # the cycle there: its smallest E input over the orbit is 0 (the E threshold)
    u = pb.pack(g.state[None, :], g.period)
    _t, X = pb.sample(u, g.value, samples=200000)
    uE = X @ net.weights[0] + net.h[0]
    assert abs(float(np.min(uE))) < 1e-6 * float(np.max(uE))
    # two threshold crossings on one side, four on the other
    k = g.index
    assert {int(branch.crossings[k - 1]), int(branch.crossings[k + 1])} == {2, 4}


def test_bistability_by_simulation_inside_the_fold_hopf_range(model, branch):
    f = branch.folds[0].value
    p = 58.0
    assert f < p < TAU_H
    mm = model.replace(tau_I=p)
    kw = dict(t_max=6000.0, dt=0.2, method="rk4", record_every=5)
    near = rn.simulate(mm, x0=[43.0, 20.0], **kw)
    far = rn.simulate(mm, x0=[90.0, 45.0], **kw)
    # inside the unstable cycle: spirals into the focus (40, 20) at the rate Re(lambda)
    dist = np.linalg.norm(near.rates - np.array([40.0, 20.0]), axis=1)
    env = [float(np.max(dist[(near.t >= a) & (near.t < a + 1000.0)])) for a in (1000.0, 5000.0)]
    A = (np.array([[1.25, -1.0], [1.0, -0.5]]) - np.eye(2)) / np.array([[10.0], [p]])
    decay = math.exp(float(np.max(np.linalg.eigvals(A).real)) * 4000.0)
    assert env[1] / env[0] == pytest.approx(decay, rel=0.1)
    assert dist[-1] < 0.05 * dist[0]
    late = far.rates[far.t > 4000.0]
    st = branch.stable
    vals, maxE = branch.values[st], branch.maximum[st, 0]
    order = np.argsort(vals)
    expect = float(np.interp(p, vals[order], maxE[order]))
    assert float(np.max(late[:, 0])) == pytest.approx(expect, rel=1e-2)
    assert float(np.min(late[:, 0])) < 1.0  # a large cycle, not the focus


def test_branch_is_the_same_from_either_end(branch, branch_from_hopf):
    a, b = branch, branch_from_hopf
    assert a.status == b.status
    ka = [(s.kind, s.unit) for s in a.special]
    kb = [(s.kind, s.unit) for s in b.special]
    assert ka == kb
    for sa, sb in zip(a.special, b.special):
        assert sa.value == pytest.approx(sb.value, rel=1e-9)
        assert sa.period == pytest.approx(sb.period, rel=1e-8)
    assert a.values[-1] == b.values[-1] == 70.0
    assert a.period[-1] == pytest.approx(b.period[-1], rel=1e-9)
    assert np.allclose(a.points[-1], b.points[-1], rtol=1e-8)


def test_a_rough_guess_starts_the_same_branch(model, branch):
    # a point near the orbit and a period 5% off, at the model's tau_I = 65 ms
    guess = continue_cycles(model.replace(tau_I=65.0), "tau_I", 50.0, 70.0,
                            cycle=([75.0, 30.0], 235.0))
    assert guess.folds[0].value == pytest.approx(branch.folds[0].value, rel=1e-10)
    assert guess.status == branch.status


def test_multiple_shooting_follows_the_same_branch(model, branch):
    b3 = continue_cycles(model.replace(tau_I=65.0), "tau_I", 50.0, 70.0, segments=3)
    assert [s.kind for s in b3.special] == [s.kind for s in branch.special]
    for s3, s1 in zip(b3.special, branch.special):
        assert s3.value == pytest.approx(s1.value, rel=1e-9)
    assert np.allclose(np.abs(b3.multipliers[-1]), np.abs(branch.multipliers[-1]), atol=1e-9)


def test_bistable_interval_runs_from_the_fold_to_the_hopf_point(model, branch):
    from ratenet.continuation.cycles import bistable_intervals

    (iv,) = bistable_intervals(model, "tau_I", 50.0, 70.0, [branch], breakpoints=[TAU_H])
    assert iv[0] == branch.folds[0].value and iv[1] == TAU_H
    # none without the stable cycles
    assert bistable_intervals(model, "tau_I", 50.0, 70.0, [], breakpoints=[TAU_H]) == []


@pytest.mark.slow
@settings(max_examples=3, deadline=None)
@given(st.floats(58.5, 69.5))
def test_any_start_on_the_stable_branch_gives_the_same_branch(model, branch, tau_I):
    other = continue_cycles(model.replace(tau_I=tau_I), "tau_I", 50.0, 70.0)
    assert other.status == branch.status
    assert [s.kind for s in other.special] == [s.kind for s in branch.special]
    for a, b in zip(other.special, branch.special):
        assert a.value == pytest.approx(b.value, rel=1e-9)


def test_ctln_cycle_scales_with_theta():
    # a threshold-linear network with zero thresholds and input theta is homogeneous:
    # x -> c x maps its orbits for theta onto those for c theta, so along theta the
    # period and the multipliers stay put and every extreme grows in proportion
    from ratenet.tln import CTLN

    def build(theta):
        return CTLN("0->1,1->2,2->0", theta=theta).to_network()

    br = continue_cycles(build, "theta", 1.0, 3.0, cycle=([0.3, 0.1, 0.05], 11.0))
    assert br.status == ("bound", "bound") and len(br.names) == 3
    assert np.allclose(br.period, br.period[0], rtol=1e-9)
    assert np.allclose(br.maximum / br.values[:, None], br.maximum[0] / br.values[0],
                       rtol=1e-8)
    assert np.allclose(np.abs(br.multipliers), np.abs(br.multipliers[0]), atol=1e-8)
    assert np.all(br.stable) and br.special == []


def test_to_dict_is_plain_json(branch):
    import json

    d = json.loads(json.dumps(branch.to_dict()))
    assert len(d["points"]) == len(branch)
    pt = d["points"][0]
    assert set(pt) >= {"value", "period", "stable", "nu_E_min", "nu_E_max",
                       "floquet_multipliers"}
    assert [s["kind"] for s in d["special"]] == [s.kind for s in branch.special]


# ------------------------------------------------------------ bad input
def test_bad_input_is_named(model):
    with pytest.raises(ParameterError, match="param"):
        continue_cycles(model, "tau_X", 50.0, 70.0)
    with pytest.raises(ParameterError, match="stop"):
        continue_cycles(model, "tau_I", 50.0, 50.0)
    with pytest.raises(ParameterError, match="tau_I"):
        continue_cycles(model, "tau_I", 61.0, 70.0)  # the model's 58 is outside
    with pytest.raises(ParameterError, match="cycle"):
        continue_cycles(model, "tau_I", 50.0, 70.0, cycle=([1.0, 2.0, 3.0], 200.0))
    with pytest.raises(ParameterError, match="cycle"):
        continue_cycles(model, "tau_I", 50.0, 70.0, cycle=([80.0, 40.0], -1.0))
    with pytest.raises(ParameterError, match="hopf"):
        continue_cycles(model, "tau_I", 50.0, 70.0, hopf=55.0)


def test_no_cycle_is_a_clear_error(model):
    # at tau_I = 50 ms the focus attracts everything: nothing to start from
    with pytest.raises(ContinuationError, match="no limit cycle"):
        continue_cycles(model.replace(tau_I=50.0), "tau_I", 45.0, 55.0)


def test_period_cap_stops_the_branch_with_a_label(model):
    # the stable branch's period grows with tau_I; a cap at 240 ms stops it there
    br = continue_cycles(model.replace(tau_I=62.0), "tau_I", 50.0, 70.0, period_cap=240.0)
    assert br.status[1] == "period cap"
    end = br.points_of("period cap")
    assert len(end) == 1 and end[0].period == pytest.approx(240.0, rel=1e-5)
    assert np.all(br.period <= 240.0)


def test_homoclinic_approach_is_labelled():
    # gamma_E = 0: the silent state (0, 0) is a fixed point on the E threshold; the
    # unstable cycles from the Hopf point at 60 ms grow until they pass next to it
    m = rn.EIModel(M_II=-0.5, gamma_E=0.0, tau_I=TAU_H)
    br = continue_cycles(m, "tau_I", 48.0, 72.0, hopf=TAU_H)
    assert br.status == ("homoclinic approach", "non-smooth Hopf (linear centre)")
    (h,) = br.points_of("homoclinic approach")
    assert h.period > 3 * br.period[-1]
    assert np.all(np.diff(br.period) < 0)  # the period grows all the way to that end
    # the last orbit passes within a small fraction of its size of the silent state
    pb = _problem(m)
    _t, X = pb.sample(pb.pack(br.points[0][None, :], br.period[0]), br.values[0], 20000)
    size = float(np.max(np.ptp(X, axis=0)))
    assert float(np.min(np.linalg.norm(X, axis=1))) < 1e-2 * size


def test_figure_draws_stable_solid_and_unstable_dashed(branch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ratenet.plotting.continuation import continuation_figure, plot_continuation

    ax = plot_continuation([branch], unit=0)
    styles = {ln.get_linestyle() for ln in ax.get_lines() if len(ln.get_xdata()) > 1}
    assert styles == {"-", "--"}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "fold of cycles" in labels and "non-smooth Hopf (linear centre)" in labels
    fig = continuation_figure([branch])
    assert len(fig.axes) == 3
    plt.close("all")


# ------------------------------------------------------------ smooth transfer
OSC = dict(M_EE=2.0, M_EI=-1.5, M_IE=1.5, M_II=0.0, gamma_E=20.0, gamma_I=40.0, tau_E=10.0)


@pytest.mark.slow
def test_smooth_hopf_branch_against_root_solve_and_simulation():
    from scipy.optimize import brentq

    R_MAX, GAIN = 100.0, 0.1

    def logistic(u):
        return R_MAX / (1.0 + np.exp(-GAIN * u))

    # the fixed point does not depend on tau_I (M_II = 0): one scalar root in nu_E
    def G(e):
        i = logistic(OSC["M_IE"] * e - OSC["gamma_I"])
        return -e + logistic(OSC["M_EE"] * e + OSC["M_EI"] * i - OSC["gamma_E"])

    grid = np.linspace(0.0, R_MAX, 20001)
    vals = G(grid)
    (k,) = np.flatnonzero(vals[:-1] * vals[1:] < 0)
    e = brentq(G, grid[k], grid[k + 1], xtol=1e-14)
    i = logistic(OSC["M_IE"] * e - OSC["gamma_I"])
    uE = OSC["M_EE"] * e + OSC["M_EI"] * i - OSC["gamma_E"]
    s = 1.0 / (1.0 + np.exp(-GAIN * uE))
    a = R_MAX * GAIN * s * (1 - s) * OSC["M_EE"] - 1.0
    tau_h = OSC["tau_E"] / a  # trace (a / tau_E - 1 / tau_I) = 0
    base = rn.EIModel(transfer=rn.Sigmoid(gain=GAIN, r_max=R_MAX), tau_I=6.0, **OSC)
    br = continue_cycles(base, "tau_I", 4.0, 6.0, hopf=tau_h, max_steps=200, time_limit=120)
    (h,) = br.points_of("hopf")
    assert h.value == pytest.approx(tau_h, rel=1e-8)
    assert br.status == ("hopf", "bound")
    assert np.all(br.stable)  # supercritical here
    # normal form: amplitude^2 grows linearly with tau_I - tau_H next to the Hopf point
    near = (br.values - tau_h) < 0.02 * tau_h
    amp2 = br.amplitude[near, 0] ** 2
    slope = np.polyfit(br.values[near] - tau_h, amp2, 1)
    resid = amp2 - np.polyval(slope, br.values[near] - tau_h)
    assert np.max(np.abs(resid)) < 0.05 * np.max(amp2)
    # the cycle at the far end against one found by simulation
    cyc = find_limit_cycle(base)
    assert cyc is not None
    assert br.period[-1] == pytest.approx(cyc.period, rel=1e-6)
    assert np.allclose(br.maximum[-1], cyc.maximum, rtol=1e-4)


# ------------------------------------------------------------ command line
def test_cli_bifurcation_reports_the_fold_of_cycles_and_bistability(branch):
    import json

    from click.testing import CliRunner

    from ratenet.cli import main

    args = ["ei", "bifurcation", "--param", "tau_I", "--start", "50", "--stop", "70", "--num",
            "21", "--m-ii", "-0.5", "--quiet"]
    r = CliRunner().invoke(main, [*args, "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    # today's keys kept; cycles are now continued branches
    assert {"param", "values", "hopf", "folds", "border_collisions", "points", "branches",
            "cycles", "names", "model"} <= set(d)
    assert d["hopf"] == [pytest.approx(TAU_H, rel=1e-12)]
    (cyc,) = d["cycles"]
    stable = [pt["stable"] for pt in cyc["points"]]
    assert any(stable) and not all(stable)
    folds = [p for p in d["points"] if p["kind"] == "fold of cycles"]
    assert [f["value"] for f in folds] == [pytest.approx(branch.folds[0].value, rel=1e-9)]
    assert d["bistable"] == [[pytest.approx(branch.folds[0].value, rel=1e-9),
                              pytest.approx(TAU_H, rel=1e-12)]]
    assert [p["value"] for p in d["points"]] == sorted(p["value"] for p in d["points"])
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    assert "fold of cycles at tau_I = 57.16154" in text.output
    assert "bistable for tau_I in [57.16154" in text.output
