"""Smooth (sigmoid) Wilson-Cowan networks against references computed here.

With M_II = 0 the I equation at rest is explicit, nu_I = f(M_IE nu_E - gamma_I), so
the fixed points are the roots of one scalar function of nu_E, bracketed on a fine
grid and polished by Brent's method: an independent route to every fixed point.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from ratenet import EIModel, Sigmoid
from ratenet.analysis import bifurcation_diagram, find_fixed_points, find_limit_cycle, nullclines

R_MAX, GAIN = 100.0, 0.2


def logistic(u, gain=GAIN):
    return R_MAX / (1.0 + np.exp(-gain * u))


def dlogistic(u, gain=GAIN):
    s = 1.0 / (1.0 + np.exp(-gain * u))
    return R_MAX * gain * s * (1 - s)


def reference_fixed_points(p, gain=GAIN):
    def G(e):
        i = logistic(p["M_IE"] * e - p["gamma_I"], gain)
        return -e + logistic(p["M_EE"] * e + p["M_EI"] * i - p["gamma_E"], gain)

    grid = np.linspace(0.0, R_MAX, 200001)
    vals = G(grid)
    roots = [brentq(G, a, b, xtol=1e-14) for a, b, va, vb in
             zip(grid[:-1], grid[1:], vals[:-1], vals[1:]) if va * vb < 0]
    out = []
    for e in roots:
        i = logistic(p["M_IE"] * e - p["gamma_I"], gain)
        uE = p["M_EE"] * e + p["M_EI"] * i - p["gamma_E"]
        uI = p["M_IE"] * e - p["gamma_I"]
        J = np.array([[(dlogistic(uE, gain) * p["M_EE"] - 1) / p["tau_E"],
                       dlogistic(uE, gain) * p["M_EI"] / p["tau_E"]],
                      [dlogistic(uI, gain) * p["M_IE"] / p["tau_I"], -1 / p["tau_I"]]])
        out.append((np.array([e, i]), J))
    return out


def trace_det_type(J):
    tr, det = np.trace(J), np.linalg.det(J)
    if det < 0:
        return "saddle"
    side = "stable" if tr < 0 else "unstable"
    return f"{side} {'focus' if tr * tr < 4 * det else 'node'}"


BISTABLE = dict(M_EE=1.5, M_EI=-0.5, M_IE=1.0, M_II=0.0, gamma_E=40.0, gamma_I=40.0,
                tau_E=10.0, tau_I=10.0)


def test_sigmoid_fixed_points_against_scalar_reference():
    m = EIModel(transfer=Sigmoid(gain=GAIN, r_max=R_MAX), **BISTABLE)
    ref = reference_fixed_points(BISTABLE)
    fps = find_fixed_points(m)
    assert len(ref) == 5 and len(fps) == 5
    for (x, J), fp in zip(sorted(ref, key=lambda r: r[0][0]),
                          sorted(fps, key=lambda f: f.state[0])):
        np.testing.assert_allclose(fp.state, x, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(fp.jacobian, J, rtol=1e-8, atol=1e-12)
        assert fp.type == trace_det_type(J)
    assert [fp.type for fp in sorted(fps, key=lambda f: f.state[0])] == [
        "stable node", "saddle", "unstable node", "saddle", "stable node"]


OSC = dict(M_EE=2.0, M_EI=-1.5, M_IE=1.5, M_II=0.0, gamma_E=20.0, gamma_I=40.0, tau_E=10.0)


def test_sigmoid_hopf_by_root_finding_against_trace_formula():
    # the fixed point does not depend on tau_I; the trace vanishes where
    # f'(u_E) M_EE - 1) / tau_E = 1 / tau_I
    p = dict(OSC, tau_I=1.0)
    ((x, J),) = reference_fixed_points(p, gain=0.1)
    a = J[0, 0] * p["tau_E"]  # f'(u_E) M_EE - 1
    expected = p["tau_E"] / a
    base = EIModel(transfer=Sigmoid(gain=0.1, r_max=R_MAX), tau_I=5.0, **OSC)
    d = bifurcation_diagram(base, "tau_I", np.linspace(0.5 * expected, 2 * expected, 16),
                            cycles=False)
    (h,) = d.hopf
    assert h.method == "root finding"
    assert abs(h.value - expected) / expected < 1e-6
    np.testing.assert_allclose(h.state, x, rtol=1e-8)


def test_sigmoid_cycle_against_simulation():
    m = EIModel(transfer=Sigmoid(gain=0.1, r_max=R_MAX), tau_I=10.0, **OSC)
    cyc = find_limit_cycle(m)
    assert cyc is not None and cyc.stable and not cyc.exact_flow
    assert abs(cyc.floquet_multipliers[0] - 1) < 1e-7

    def f(_t, y):
        uE = OSC["M_EE"] * y[0] + OSC["M_EI"] * y[1] - OSC["gamma_E"]
        uI = OSC["M_IE"] * y[0] - OSC["gamma_I"]
        return [(-y[0] + logistic(uE, 0.1)) / 10.0, (-y[1] + logistic(uI, 0.1)) / 10.0]

    def up(_t, y):
        return y[0] - 40.0
    up.direction = 1.0

    def top(_t, y):
        return f(0, y)[0]
    top.direction = -1.0
    T = 30 * cyc.period
    sol = solve_ivp(f, (0, T), [50.0, 60.0], method="DOP853", rtol=1e-12, atol=1e-12,
                    events=[up, top])
    late = sol.t_events[0][sol.t_events[0] > 0.7 * T]
    np.testing.assert_allclose(np.diff(late), cyc.period, rtol=1e-7)
    peaks = sol.y_events[1][sol.t_events[1] > 0.7 * T][:, 0]
    np.testing.assert_allclose(peaks, cyc.maximum[0], rtol=1e-7)


def _nullcline_errors(resolution):
    m = EIModel(transfer=Sigmoid(gain=GAIN, r_max=R_MAX), **BISTABLE)
    E, I = nullclines(m, x_range=(0, 100), y_range=(0, 100), resolution=resolution)
    # E nullcline: nu_I = (logit(nu_E) - M_EE nu_E + gamma_E) / M_EI, logit = f^{-1}
    pts = np.concatenate(E.segments)
    pts = pts[(pts[:, 0] > 1) & (pts[:, 0] < 99)]
    e = pts[:, 0]
    nu_I = (np.log(e / (R_MAX - e)) / GAIN - BISTABLE["M_EE"] * e
            + BISTABLE["gamma_E"]) / BISTABLE["M_EI"]
    err_E = np.max(np.abs(pts[:, 1] - nu_I))
    # I nullcline: nu_I = f(M_IE nu_E - gamma_I), explicit
    pts = np.concatenate(I.segments)
    err_I = np.max(np.abs(pts[:, 1] - logistic(pts[:, 0] - 40.0)))
    return err_E, err_I


def test_sigmoid_nullclines_converge_at_second_order():
    # contours interpolate linearly between grid points: the error falls like h^2
    coarse, fine = _nullcline_errors(150), _nullcline_errors(600)
    for c, f in zip(coarse, fine):
        assert f < 0.05
        assert c / f > 16 / 2  # 4x finer grid: 16x smaller for order 2 (margin 2)


def test_sigmoid_folds_against_the_scalar_reference():
    # at rest, gamma_E = M_EE nu_E + M_EI nu_I(nu_E) - f^{-1}(nu_E) with
    # nu_I(nu_E) = f(M_IE nu_E - gamma_I): folds in gamma_E are its local extrema
    p = BISTABLE

    def dgamma(e):
        uI = p["M_IE"] * e - p["gamma_I"]
        return (p["M_EE"] + p["M_EI"] * dlogistic(uI) * p["M_IE"]
                - (1 / e + 1 / (R_MAX - e)) / GAIN)

    grid = np.linspace(0.01, R_MAX - 0.01, 100001)
    v = dgamma(grid)
    crit = [brentq(dgamma, a, b, xtol=1e-14) for a, b, va, vb in
            zip(grid[:-1], grid[1:], v[:-1], v[1:]) if va * vb < 0]

    def gamma_of(e):
        nu_I = logistic(p["M_IE"] * e - p["gamma_I"])
        return p["M_EE"] * e + p["M_EI"] * nu_I - np.log(e / (R_MAX - e)) / GAIN

    expected = sorted(g for g in (gamma_of(e) for e in crit) if 20 < g < 60)
    m = EIModel(transfer=Sigmoid(gain=GAIN, r_max=R_MAX), **BISTABLE)
    d = bifurcation_diagram(m, "gamma_E", np.linspace(20, 60, 41), cycles=False)
    folds = d.folds
    assert len(expected) == len(folds) == 3
    for f, g in zip(folds, expected):
        assert f.value == pytest.approx(g, rel=1e-7)
        assert len(f.branches) == 2  # two branches meet and vanish together
    assert d.hopf == []
