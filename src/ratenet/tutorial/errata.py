# ruff: noqa: E501  (long lines are HTML prose)
"""Corrections to the tutorial text: each slip, what is right, and a check that shows it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..models.ring import RingModel
from ._core import EPS, Section, Workspace, compare, fmt, holds, sum_rounding
from ._lib import lib
from .ring_part import BASE, N, simulate

__all__ = ["SECTIONS"]


def _theory(name: str) -> Callable:
    return lib("theory.ring", name)


def e1(ws: Workspace) -> Section:
    uniform_rate = _theory("uniform_rate")
    J0s = (-50.0, 0.99)
    dt, T = 0.01, 4000.0
    models = [RingModel(J0=j, J1=BASE["J1"], h0=1.0, N=N) for j in J0s]
    tr = simulate(models, t_max=T, dt=dt, record_every=None, seed=21)
    checks = []
    for k, j in enumerate(J0s):
        m0 = float(uniform_rate(j, 1.0))
        lam = j - 1.0
        M0 = abs(float(tr.rates[k, 0].mean()) - m0)
        tol = M0 * abs(1 + lam * dt) ** round(T / dt) + (sum_rounding(m0, N) + 4 * EPS * m0) / (abs(lam) * dt)
        checks.append(compare(f"E1{'ab'[k]}", f"J0 = {j:g}: m0 = h0/(1 − J0)", "mean rate",
                              m0, float(tr.mean_rate[k, -1]), tol,
                              "transient of the uniform mode (factor 1 + (J0 − 1)dt per step over "
                              f"{T:g} τ) and the rounding floor"))
    answer = f"""
<p><b>The text has</b> “m<sub>0</sub> &gt; 0 and therefore I<sub>0</sub> &lt; 1”, and the three cases as
“−J<sub>0</sub> &lt; 1”, “−J<sub>0</sub> → −∞”, “−J<sub>0</sub> → 1” (the conversion from the PDF turned
list bullets into minus signs and J into I).</p>
<p><b>Right:</b> m<sub>0</sub> = h<sub>0</sub>/(1 − J<sub>0</sub>) &gt; 0 requires J<sub>0</sub> &lt; 1; as
J<sub>0</sub> → −∞, m<sub>0</sub> → 0; as J<sub>0</sub> → 1 from below, m<sub>0</sub> → +∞.</p>
<p><b>Check:</b> rings with J<sub>0</sub> = −50 and J<sub>0</sub> = 0.99 settle at
{fmt(float(tr.mean_rate[0, -1]), 10)} (h<sub>0</sub>/51) and {fmt(float(tr.mean_rate[1, -1]), 10)}
(100 h<sub>0</sub>); see also Q3.</p>"""
    return Section("E1", "Q3: the conditions on J0", "", answer, checks)


def e2(ws: Workspace) -> Section:
    model = RingModel(**BASE, N=N)
    theta = model.theta
    phi, eps = 1.0, 0.2
    m0 = float(_theory("uniform_rate")(BASE["J0"], BASE["h0"]))
    traj = simulate(model, t_max=0.01, dt=0.01, x0=m0 + eps * np.cos(theta - phi), record_every=1)
    C0 = complex(traj.C[0])
    vanishing = abs(np.mean(np.exp(1j * (2 * theta - phi))))
    rnd = sum_rounding(1.0, N)
    checks = [
        compare("E2a", "the term multiplied by e^{−iφ} averages to zero",
                "|(1/N) Σ e^{i(2θ−φ)}|", 0.0, float(vanishing), rnd, "rounding of an N-term mean"),
        compare("E2b", "C = (ε/2) e^{+iφ}", "|C(0) − (ε/2)e^{iφ}|", 0.0,
                abs(C0 - eps / 2 * np.exp(1j * phi)), 4 * sum_rounding(m0 + eps, N),
                "rounding of an N-term mean"),
    ]
    answer = """
<p><b>The text has</b> e<sup>−φ</sup> in the third line of the computation of C (Q6), and in Q9 it
integrates over φ′ in some terms and θ′ in others.</p>
<p><b>Right:</b> the factor pulled out of the integral is e<sup>−iφ</sup> (a phase, not a decay), and
there is a single integration variable θ′ throughout. Neither slip changes the result, because
the term carrying e<sup>−iφ</sup> multiplies ∫e<sup>2iθ′</sup>dθ′ = 0: C = (ε/2)e<sup>iφ</sup>.</p>"""
    return Section("E2", "Q6 and Q9: a lost i and mixed variables", "", answer, checks)


def e3(ws: Workspace) -> Section:
    stationary_state = _theory("stationary_state")
    linear_response = _theory("linear_response")
    measure_final = lib("analysis.ring", "measure_final")
    from .beyond import B1, N_RECT, _grid_tolerances

    eps = 1.0
    st = stationary_state(**B1, eps=eps)
    lin = linear_response(**B1, eps=eps, strict=False)
    tr = simulate(RingModel(**B1, eps=eps, N=N_RECT), t_max=150.0, dt=0.01, record_every=None,
                  seed=5)
    me = measure_final(tr)
    r0, m1 = float(me["r0"]), float(me["m1"])
    amp_sim = (m1 / r0) / (eps / B1["h0"])
    amp_th = (st.m1 / st.r0) / (eps / B1["h0"])
    tols = _grid_tolerances(st, N_RECT, float(me["residual"]),
                            float(np.max(np.real(st.stability_eigenvalues))))
    tol = (tols["m1"] / st.r0 + st.m1 * tols["r0"] / st.r0**2) / (eps / B1["h0"])
    checks = [
        compare("E3a", "strong input: amplification from the rectified theory",
                "(m1/r0)/(ε/h0), J0 = −1, J1 = 1.5, ε = 1", amp_th, amp_sim, tol,
                "grid tolerances of B1 carried through the ratio"),
        holds("E3b", "the linear formula fails there", "|(1 − J0)/(1 − J1/2) − simulated| > 100 × tolerance",
              True, abs(lin.amplification - amp_sim) > 100 * tol),
    ]
    answer = f"""
<p><b>The text states</b> m<sub>1</sub>/m<sub>0</sub> = (ε/h<sub>0</sub>)(1 − J<sub>0</sub>)/(1 − J<sub>1</sub>/2)
and “amplifies iff J<sub>1</sub> &gt; 2J<sub>0</sub>” without conditions.</p>
<p><b>Right:</b> both hold only for J<sub>0</sub> &lt; 1, J<sub>1</sub> &lt; 2 and while every neuron is
active (m<sub>1</sub> ≤ m<sub>0</sub>). Beyond that the profile is a rectified cosine (B1) and the
amplification follows from the self-consistency for θ<sub>c</sub>.</p>
<p><b>Check:</b> with J<sub>0</sub> = −1, J<sub>1</sub> = 1.5, ε = h<sub>0</sub> = 1 the linear formula predicts an
amplification of {lin.amplification:.4g} (and m<sub>1</sub> = {lin.m1:.3g} &gt; m<sub>0</sub> = {lin.m0:.3g},
i.e. negative rates). The simulated ring has {amp_sim:.6g}; the rectified theory gives
{amp_th:.6g}.</p>"""
    return Section("E3", "Q12: the domain of the amplification formula", "", answer, checks)


def e4(ws: Workspace) -> Section:
    critical_J0 = _theory("critical_J0")
    J1 = 3.0
    jc = float(critical_J0(J1))
    J0s = (jc - 0.1, jc + 0.1)
    models = [RingModel(J0=j, J1=J1, h0=1.0, N=N) for j in J0s]
    tr = simulate(models, t_max=600.0, dt=0.01, record_every=None, seed=22,
                  on_divergence="ignore")
    div = np.asarray(tr.diverged)
    checks = [
        holds("E4a", f"J1 = 3, J0 = J0c − 0.1 = {J0s[0]:.4f}: a bounded bump",
              "simulation diverged", False, bool(div[0])),
        holds("E4b", f"J1 = 3, J0 = J0c + 0.1 = {J0s[1]:.4f} (< 1): activity grows without bound",
              "simulation diverged", True, bool(div[1])),
    ]
    answer = f"""
<p><b>The text says</b> for J<sub>1</sub> &gt; 2 only that non-uniform activity “is expanded into a bump
whose amplitude grows exponentially”.</p>
<p><b>Right:</b> the exponential growth lasts only until neurons fall silent. For J<sub>0</sub> below
a critical value J<sub>0c</sub>(J<sub>1</sub>) the network settles into a self-sustained bump of fixed
shape and free position, a continuous attractor (B2). For J<sub>0</sub> above J<sub>0c</sub>(J<sub>1</sub>),
even if J<sub>0</sub> &lt; 1, or for J<sub>0</sub> ≥ 1, the activity of the threshold-linear network grows
without bound.</p>
<p><b>Check:</b> for J<sub>1</sub> = 3 the library gives J<sub>0c</sub> = {jc:.6f}. At J<sub>0</sub> = {J0s[0]:.4f}
the simulation ends bounded; at J<sub>0</sub> = {J0s[1]:.4f} it is reported as diverged:
“{tr.message[:200]}…”.</p>"""
    return Section("E4", "Q10: what happens when J1 > 2", "", answer, checks)


def e5(ws: Workspace) -> Section:
    from .ei_part import _EI, X_INSIDE, _literal_network, _run

    model = _EI(tau_I=30.0)
    lit = _literal_network(model)
    x = np.array([80 / 3, 50 / 3])
    J_lit = lit.jacobian(x)
    J_ok = model.jacobian(x)
    tr_lit = _run(ws, 30.0, X_INSIDE, literal=True)
    tr_ok = _run(ws, 30.0, X_INSIDE)
    checks = [
        holds("E5a", "printed equations: more inhibitory rate speeds E up",
              "∂(dν_E/dt)/∂ν_I > 0 in the literal equations (library Jacobian)", True,
              bool(J_lit[0, 1] > 0)),
        holds("E5b", "corrected equations: inhibition slows E", "∂(dν_E/dt)/∂ν_I < 0", True,
              bool(J_ok[0, 1] < 0)),
        holds("E5c", "the literal equations run away from (25, 25) Hz at τ_I = 30 ms",
              "simulation diverged", True, bool(tr_lit.diverged)),
        holds("E5d", "the corrected ones settle", "simulation diverged", False,
              bool(tr_ok.diverged)),
    ]
    answer = f"""
<p><b>The text has</b> τ<sub>E</sub>dν<sub>E</sub>/dt = −ν<sub>E</sub> + [M<sub>EE</sub>ν<sub>E</sub> + M<sub>IE</sub>ν<sub>I</sub> − γ<sub>E</sub>]<sub>+</sub>
and τ<sub>I</sub>dν<sub>I</sub>/dt = −ν<sub>I</sub> + [M<sub>EI</sub>ν<sub>E</sub> + M<sub>II</sub>ν<sub>I</sub> − γ<sub>I</sub>]<sub>+</sub> with
M<sub>IE</sub> = +1, M<sub>EI</sub> = −1: taken literally, the inhibitory population excites E and E
inhibits I.</p>
<p><b>Right:</b> M<sub>XY</sub> is the weight onto X from Y (the convention of the text's own Jacobian
and of Dayan &amp; Abbott, ch. 7.5): τ<sub>E</sub>dν<sub>E</sub>/dt = −ν<sub>E</sub> + [M<sub>EE</sub>ν<sub>E</sub> +
M<sub>EI</sub>ν<sub>I</sub> − γ<sub>E</sub>]<sub>+</sub>, τ<sub>I</sub>dν<sub>I</sub>/dt = −ν<sub>I</sub> + [M<sub>IE</sub>ν<sub>E</sub> + M<sub>II</sub>ν<sub>I</sub> − γ<sub>I</sub>]<sub>+</sub>.</p>
<p><b>Check:</b> simulating the equations as printed (a <code>RateNetwork</code> with the swapped
weights): ∂(dν<sub>E</sub>/dt)/∂ν<sub>I</sub> = {J_lit[0, 1]:+.3g} per ms instead of {J_ok[0, 1]:+.3g}; I is driven
below threshold, E excites itself unopposed and the run is stopped:
“{tr_lit.message[:160]}…”. The corrected model settles at (80/3, 50/3) Hz.</p>"""
    return Section("E5", "Equations (5)-(6): swapped weight indices", "", answer, checks)


def e6(ws: Workspace) -> Section:
    from .ei_part import _EI, _fixed_point

    m = _EI(tau_I=30.0)
    fp = _fixed_point(m)
    nuE, nuI = fp.state
    printed_I_on_E_line = ((m.M_EE - 1) * nuE - m.gamma_E) / m.M_EI
    right_I_on_E_line = (m.gamma_E - (m.M_EE - 1) * nuE) / m.M_EI
    printed_E_on_I_line = ((m.M_EE - 1) * nuI - m.gamma_I) / m.M_IE
    right_E_on_I_line = ((1 - m.M_II) * nuI + m.gamma_I) / m.M_IE
    tol = 16 * EPS * 30
    checks = [
        compare("E6a", "corrected E-nullcline passes through the library's fixed point",
                "ν_I on the E-line at ν_E* (Hz)", float(right_I_on_E_line), float(nuI), tol,
                "rounding"),
        compare("E6b", "corrected I-nullcline passes through the library's fixed point",
                "ν_E on the I-line at ν_I* (Hz)", float(right_E_on_I_line), float(nuE), tol,
                "rounding"),
        holds("E6c", "the printed formulas miss the fixed point",
              "printed lines pass within 1 Hz of (80/3, 50/3)", False,
              abs(printed_I_on_E_line - nuI) < 1 or abs(printed_E_on_I_line - nuE) < 1),
    ]
    answer = f"""
<p><b>The text has</b> ν<sub>I</sub> = ((M<sub>EE</sub> − 1)ν<sub>E</sub> − γ<sub>E</sub>)/M<sub>EI</sub> and
ν<sub>E</sub> = ((M<sub>EE</sub> − 1)ν<sub>I</sub> − γ<sub>I</sub>)/M<sub>IE</sub>.</p>
<p><b>Right:</b> ν<sub>I</sub> = (γ<sub>E</sub> − (M<sub>EE</sub> − 1)ν<sub>E</sub>)/M<sub>EI</sub> = ν<sub>E</sub>/4 + 10 and
ν<sub>E</sub> = ((1 − M<sub>II</sub>)ν<sub>I</sub> + γ<sub>I</sub>)/M<sub>IE</sub> = ν<sub>I</sub> + 10, crossing at (80/3, 50/3) Hz.</p>
<p><b>Check:</b> at the library's fixed point the printed lines give ν<sub>I</sub> = {printed_I_on_E_line:.4g} Hz
and ν<sub>E</sub> = {printed_E_on_I_line:.4g} Hz (negative: they never cross in the physical quadrant); the
corrected ones give {right_I_on_E_line:.10g} and {right_E_on_I_line:.10g} Hz.</p>"""
    return Section("E6", "Q13: the nullcline formulas", "", answer, checks)


def e7(ws: Workspace) -> Section:
    from .ei_part import _EI, DT, _closed_form_eigs, _eigs_from_simulation, _fixed_point

    m = _EI(tau_I=50.0)
    fp = _fixed_point(m)
    _, _, b, delta = _closed_form_eigs(m)
    tr = simulate(m, t_max=600.0, dt=DT, x0=fp.state + np.array([1.0, 0.0]), record_every=1)
    lam, _ = _eigs_from_simulation(tr, fp.state, 50, model=m)
    lam_l = fp.eigenvalues[0]
    shift = abs(lam_l) ** 2 * DT / 2 * (1 + abs(lam_l) * DT) + 1e4 * EPS
    b30 = _closed_form_eigs(_EI(tau_I=30.0))[2]
    checks = [
        compare("E7a", "Re λ = +b/2 (not −b/2) at τ_I = 50 ms",
                "real part measured in a simulation (1/ms)", b / 2, float(lam[0].real), shift,
                "Euler's eigenvalue shift |λ|²dt/2; the text's −b/2 = "
                f"{-b / 2:g} lies {abs(b):g} away"),
        compare("E7b", "b at τ_I = 30 ms", "trace (1/ms)", -1 / 120, b30, 8 * EPS,
                "exact arithmetic: rounding (the text rounds to −0.008)"),
    ]
    answer = f"""
<p><b>The text has</b> λ<sub>±</sub> = (−b ± i√−Δ)/2 with b the trace, b = −0.008 at τ<sub>I</sub> = 30 ms, and
Δ written without the brackets that make it b² − 4 det.</p>
<p><b>Right:</b> λ<sub>±</sub> = (b ± i√−Δ)/2 with b = tr J, and Δ = b² − 4[(M<sub>EE</sub> − 1)(M<sub>II</sub> − 1) −
M<sub>EI</sub>M<sub>IE</sub>]/(τ<sub>E</sub>τ<sub>I</sub>). b = −1/120 ≈ −0.0083, 0, +0.005 per ms at τ<sub>I</sub> = 30, 40,
50 ms; the fixed point is stable for τ<sub>I</sub> &lt; 40 ms, as the text concludes (its conclusion
matches the correct sign, not its formula).</p>
<p><b>Check:</b> at τ<sub>I</sub> = 50 ms perturbations grow at {lam[0].real:.6g} per ms in a simulation,
i.e. +b/2 = {b / 2:g}; the printed formula would predict decay at {-b / 2:g}. Δ = {delta:.6g} per ms².</p>"""
    return Section("E7", "Q15: the sign of b and the brackets of Δ", "", answer, checks)


def e8(ws: Workspace) -> Section:
    from .ei_part import _EI

    find_limit_cycle = lib("analysis.limit_cycle", "find_limit_cycle")
    c = find_limit_cycle(_EI(tau_I=40.05))
    amp = float("nan") if c is None else float(c.amplitude[0])
    checks = [holds("E8", "the cycle is born at finite amplitude",
                    "peak-to-peak ν_E at τ_I = 40.05 ms exceeds 20 Hz", True, amp > 20)]
    answer = f"""
<p><b>The text says</b> the system “goes through a Hopf bifurcation”, which suggests the textbook
smooth picture (a small cycle growing like the square root of the distance to the bifurcation).</p>
<p><b>Right:</b> the network is piecewise linear; at τ<sub>I</sub> = 40 ms the linearisation is a centre and
just above it the cycle appears with an amplitude set by the thresholds
({amp:.3g} Hz peak-to-peak in ν<sub>E</sub> already at τ<sub>I</sub> = 40.05 ms). See B3.</p>"""
    return Section("E8", "Q15: not a smooth Hopf bifurcation", "", answer, checks)


def e9(ws: Workspace) -> Section:
    from .ei_part import _EI, X_INSIDE, _period_from_simulation, _run

    find_limit_cycle = lib("analysis.limit_cycle", "find_limit_cycle")
    cyc = find_limit_cycle(_EI(tau_I=50.0))
    tr = _run(ws, 50.0, X_INSIDE)
    per = _period_from_simulation(tr, cyc)
    n_steps = per / tr.dt
    checks = [holds("E9", "the period read off a correctly labelled time axis",
                    "simulated period within 1% of the shooting period, and not within 1% of half of it",
                    True, abs(per - cyc.period) < 0.01 * cyc.period
                    and abs(per - cyc.period / 2) > 0.01 * cyc.period)]
    answer = f"""
<p><b>The course notebook</b> (not included here) integrates the E-I model with forward Euler but
labels its time axis wrongly by a factor of about 2, so a period read off its plots is wrong by
that factor.</p>
<p><b>Right:</b> at τ<sub>I</sub> = 50 ms the period is {cyc.period:.3f} ms (shooting). In the report's
simulation (dt = {tr.dt:g} ms, time axis = step index × dt) one period spans {n_steps:.0f} steps,
i.e. {per:.3f} ms.</p>"""
    return Section("E9", "The course notebook: the period of the oscillation", "", answer, checks)


SECTIONS: tuple[tuple[str, str, Callable[[Workspace], Section]], ...] = (
    ("E1", "Q3: the conditions on J0", e1),
    ("E2", "Q6 and Q9: a lost i and mixed variables", e2),
    ("E3", "Q12: the domain of the amplification formula", e3),
    ("E4", "Q10: what happens when J1 > 2", e4),
    ("E5", "Equations (5)-(6): swapped weight indices", e5),
    ("E6", "Q13: the nullcline formulas", e6),
    ("E7", "Q15: the sign of b and the brackets of Δ", e7),
    ("E8", "Q15: not a smooth Hopf bifurcation", e8),
    ("E9", "The course notebook: the period of the oscillation", e9),
)


