# ruff: noqa: E501  (long lines are HTML prose)
"""Beyond the tutorial: the E-I ring, where part 1 (the ring) and part 2 (the E-I pair) meet.

Each Fourier mode k of an E-I ring with couplings ``J_XY0 + J_XY1 cos(theta - theta')`` is an
E-I pair with couplings ``c_XY = J_XY0`` (k = 0) or ``J_XY1 / 2`` (k = 1).  With the part-2
pair as mode 0 (``J_XY0 = M_XY``, ``h_X = -gamma_X``) the uniform state is part 2's fixed point
and mode 0 has part 2's Hopf point (tau_I = 40 ms).  Mode 1 is the ring of part 1: with
untuned inhibition it grows through a real eigenvalue into a bump whose width is the ring's
marginal width for J1 = J_EE1; with tuned inhibition it has its own Hopf point and the
bump travels.

Every number comes from :mod:`ratenet.theory.ei_ring` and is checked against a simulation:
the growth rate and rotation rate of a small perturbation of each mode (exact linear
dynamics while every unit is active; Euler shifts an eigenvalue by at most
``|lambda|^2 dt / 2 (1 + |lambda| dt)``), the pattern each instability leads to, the period
of the bulk oscillation against part 2's limit cycle, and the bump's width.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ._core import EPS, Check, Section, Workspace, compare, fmt, holds
from ._lib import lib

__all__ = ["SECTIONS"]

#: Mode 0: the E-I pair of part 2 (EIModel defaults: M_EE = 1.25, M_EI = -1, M_IE = 1,
#: M_II = 0, gamma_E = -10, gamma_I = 10, tau_E = 10 ms); mode 1: tuned E and I couplings.
RING: dict[str, float] = {"J_EE0": 1.25, "J_EI0": -1.0, "J_IE0": 1.0, "J_II0": 0.0,
                          "J_EE1": 3.0, "J_EI1": -2.0, "J_IE1": 2.0, "J_II1": 0.0,
                          "h_E": 10.0, "h_I": -10.0, "tau_E": 10.0}
#: The same ring with untuned inhibition: mode 1 goes through a real eigenvalue (a bump).
BUMP: dict[str, float] = {**RING, "J_EI1": 0.0, "J_IE1": 0.0}
DT = 0.05
N = 128
TAU_WAVE, TAU_BULK, TAU_BUMP = 30.0, 45.0, 10.0


def _model(params: dict[str, float], tau_I: float, n: int = N) -> Any:
    from ..models.ei_ring import EIRingModel

    kw: dict[str, Any] = dict(params)
    return EIRingModel(**kw, tau_I=tau_I, N=n)


def _euler(lam: complex) -> complex:
    """The rate at which forward Euler propagates a linear mode: ln(1 + λdt)/dt."""
    return complex(np.log(1 + complex(lam) * DT) / DT)


#: Tolerance on a fitted growth or rotation rate (1/ms), and why.
TOL_RATE = 1e-9
_RATE_BASIS = ("exact linear dynamics while every unit is active, and Euler multiplies the mode "
               "by exactly 1 + λdt per step; left: rounding of rates near 30 Hz (~1e-14 Hz per "
               "step) against a 1e-4 Hz perturbation, 1e-10 relative, far below 1e-9/ms in the "
               "slope of a fit over 150-400 ms")


def _mode_growth(m: Any, k: int, t_max: float) -> tuple[float, float, complex]:
    """Start 1e-4 Hz along mode k's leading eigenvector; fit the growth rate of |C_k| and the
    rotation rate of arg C_k (k = 1) or the frequency of the mean (k = 0)."""
    import ratenet as rn

    T = lib("theory", "ei_ring")
    s = T.uniform_state(m)
    lam, vec = np.linalg.eig(T.mode_jacobian(m, k, s))
    i = int(np.argmax(lam.real + 1e-9 * np.abs(lam.imag)))
    v = vec[:, i]
    th = m.theta
    shape = np.exp(-1j * k * th)
    pert = [1e-4 * np.real(v[p] * shape) for p in range(2)]
    x0 = np.concatenate([s.r_E + pert[0], s.r_I + pert[1]])
    tr: Any = rn.simulate(m, t_max=t_max, dt=DT, x0=x0, record_every=10)  # EIRingTrajectory
    t = np.asarray(tr.t)
    if k == 0:
        # the means follow Re(a v e^{λt}); the coordinate along eigenvector i is (a/2) e^{λt}
        W = np.linalg.inv(vec)
        z = (W[i, 0] * (np.asarray(tr.mean_E) - s.r_E)
             + W[i, 1] * (np.asarray(tr.mean_I) - s.r_I))
    else:
        z = np.asarray(tr.C_E)  # (1/N) sum r_E e^{iθ} = (a/2) v_E e^{λt}
    grow = float(np.polyfit(t, np.log(np.abs(z)), 1)[0])
    turn = float(np.polyfit(t, np.unwrap(np.angle(z)), 1)[0])
    return grow, turn, complex(lam[i])


def _bump_width(m: Any, rE: np.ndarray) -> float:
    """Half-width θc of ``A [cos(θ − ψ) − cos θc]_+`` fitted (least squares) to the active units."""
    th = m.theta
    act = rE > 1e-9 * float(np.max(rE))
    X = np.stack([np.cos(th[act]), np.sin(th[act]), np.ones(int(act.sum()))], axis=1)
    (a, b, c), *_ = np.linalg.lstsq(X, rE[act], rcond=None)
    return float(np.arccos(np.clip(-c / np.hypot(a, b), -1.0, 1.0)))


def _patterns(ws: Workspace) -> dict[str, Any]:
    """The three patterns from small random rates (seeded), N = 128, 6 s each."""
    import ratenet as rn

    classify = lib("ei_ring.patterns", "classify")

    def make() -> dict[str, Any]:
        out = {}
        for key, params, tau in (("bump", BUMP, TAU_BUMP), ("wave", RING, TAU_WAVE),
                                 ("bulk", RING, TAU_BULK)):
            m = _model(params, tau)
            tr = rn.simulate(m, t_max=6000.0, dt=DT, record_every=20, seed=7)
            out[key] = (m, tr, classify(tr, window=1500.0))
        return out

    return ws.cached("ei_ring_patterns", make)


def ei_ring(ws: Workspace) -> Section:
    import matplotlib.pyplot as plt

    from ..plotting._style import E_COLOR, I_COLOR
    from ..plotting.ei_ring import plot_mode_spectrum, plot_pattern_map, plot_spacetime_ei

    T = lib("theory", "ei_ring")
    marginal_theta_c = lib("theory.ring", "marginal_theta_c")
    checks: list[Check] = []
    m_wave = _model(RING, TAU_WAVE)
    th = T.analyze(m_wave)
    s = th.uniform
    ei = m_wave.equivalent_ei()
    hopf0, hopf1 = th.modes[0].hopf_tau_I, th.modes[1].hopf_tau_I
    omega1 = th.modes[1].hopf_frequency
    part2_hopf = float(ei.hopf_tau_I())

    # (a) mode 0 is part 2's E-I pair: its Hopf point
    checks.append(compare("B4a", "mode 0 of the ring is the E-I pair of part 2: Hopf point",
                          "τ_I* of mode 0 (ring theory) vs EIModel.hopf_tau_I() (ms)",
                          part2_hopf, float(hopf0), 8 * EPS * part2_hopf,
                          "both the closed form τ_E(1 − c_II)/(c_EE − 1): rounding"))
    # (b, c) linear growth and rotation of small perturbations of each mode
    rows = []
    for letter, k, tau, t_max in (("b", 0, TAU_BULK, 400.0), ("c", 1, TAU_WAVE, 400.0)):
        m = _model(RING, tau, 32)
        grow, turn, lam = _mode_growth(m, k, t_max)
        lam_e = _euler(lam)
        what = "bulk (k = 0)" if k == 0 else "travelling (k = 1)"
        checks.append(compare(f"B4{letter}", f"mode {k} at τ_I = {tau:g} ms: growth rate of a "
                              f"small {what} perturbation",
                              "Re λ_dt (1/ms), λ_dt = ln(1 + λdt)/dt with λ from the theory",
                              lam_e.real, grow, TOL_RATE, _RATE_BASIS))
        checks.append(compare(f"B4{letter}1", f"mode {k} at τ_I = {tau:g} ms: its frequency",
                              "|Im λ_dt| (rad/ms)", abs(lam_e.imag), abs(turn), TOL_RATE,
                              "as above"))
        rows.append((k, tau, lam, grow, turn))
    # (d) the bump: real eigenvalue of mode 1 with untuned inhibition
    m_b = _model(BUMP, TAU_BUMP, 32)
    grow_b, _turn_b, lam_b = _mode_growth(m_b, 1, 150.0)
    checks.append(compare("B4d", f"untuned inhibition, τ_I = {TAU_BUMP:g} ms: mode 1 grows "
                          "through a real eigenvalue", "λ_dt = ln(1 + λdt)/dt (1/ms)",
                          _euler(lam_b).real, grow_b, TOL_RATE, "as B4b"))
    rows.append((1, TAU_BUMP, lam_b, grow_b, _turn_b))
    # (e-h) what the instabilities lead to, from small random rates
    pats = _patterns(ws)
    m_bump, tr_bump, p_bump = pats["bump"]
    _m, tr_wave, p_wave = pats["wave"]
    m_bulk, tr_bulk, p_bulk = pats["bulk"]
    checks.append(holds("B4e", "untuned inhibition: a stationary bump (real instability)",
                        f"pattern at τ_I = {TAU_BUMP:g} ms is 'stationary bump'", True,
                        p_bump.kind == "stationary bump"))
    bump = T.bump_state(m_bump)
    tc_ring = float(marginal_theta_c(RING["J_EE1"]))
    checks.append(compare("B4f", "the bump's width is the ring's marginal width for J₁ = J_EE1",
                          "θc of the E bump (bump_state) vs the ring's marginal θc (rad)",
                          tc_ring, float(bump.theta_c[0]), 1e-8,
                          "both solve J₁ g₁(θc) = 1 (g₁ as in part 1); root finding to 1e-9"))
    tc_sim = _bump_width(m_bump, np.asarray(tr_bump.r_E)[-1])
    tc0 = float(bump.theta_c[0])
    h = 2 * math.pi / N
    tol_tc = 2 * h**2 * abs(math.cos(tc0)) / (12 * math.sin(tc0)) + 1e3 * EPS
    checks.append(compare("B4g", "the simulated bump has that width",
                          f"θc of the rectified cosine fitted to the active E units (N = {N})",
                          tc0, tc_sim, tol_tc,
                          "θc solves J_EE1 g₁(θc) = 1 with g₁ a sum over the grid instead of an "
                          "integral: the rectangle rule errs by ≤ h²|[f′]|/12 per kink "
                          "(Euler-Maclaurin, h = 2π/N), i.e. δθc ≤ h²|cos θc|/(12 sin θc) "
                          "through g₁′ = sin²θc/π; factor 2 for higher orders"))
    checks.append(holds("B4h", f"tuned inhibition, τ_I = {TAU_WAVE:g} ms (past mode 1's Hopf point "
                        f"{hopf1:g} ms, before mode 0's {hopf0:g} ms): a travelling wave",
                        "pattern is 'travelling wave' of mode 1", True,
                        p_wave.kind == "travelling wave" and p_wave.mode == 1))
    checks.append(holds("B4i", f"τ_I = {TAU_BULK:g} ms, past mode 0's Hopf point: the ring "
                        "oscillates in bulk", "pattern is 'bulk oscillation'", True,
                        p_bulk.kind == "bulk oscillation"))
    cyc = T.bulk_cycle(m_bulk)
    jn = max(float(np.linalg.norm(T.mode_jacobian(m_bulk, 0, st), 2))
             for st in T.uniform_states(m_bulk))
    jn = max(jn, 1.0 / min(m_bulk.tau_E, m_bulk.tau_I))  # the silent regions: -1/tau
    rec = float(tr_bulk.t[1] - tr_bulk.t[0])
    tol_T = cyc.period * jn * DT + 2 * rec
    per = p_bulk.period if p_bulk.period is not None else float("nan")
    checks.append(compare("B4j", "bulk oscillation period = part 2's E-I limit cycle",
                          f"period (ms): find_limit_cycle(EIModel, τ_I = {TAU_BULK:g}) vs the ring",
                          float(cyc.period), float(per), tol_T,
                          "first-order method: relative error of the flow ≤ ‖J‖dt per unit time "
                          "(as Q15e); plus two record intervals of crossing-time interpolation"))

    # figures
    fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.8), layout="constrained",
                             gridspec_kw={"width_ratios": [1, 1.15]})
    plot_mode_spectrum(m_wave, ax=axes[0], tau_I=np.linspace(2.0, 60.0, 240))
    axes[0].set_title("Mode spectrum of the uniform state (tuned ring)", fontsize=10)
    gs = axes[1].get_subplotspec().subgridspec(2, 1, hspace=0.08)
    axes[1].remove()
    aE, aI = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
    plot_spacetime_ei(tr_wave, axes=[aE, aI], t_min=5000.0)
    aE.set_xlabel("")
    aE.tick_params(labelbottom=False)
    aE.set_title(rf"Travelling wave at $\tau_I$ = {TAU_WAVE:g} ms: E (top) and I (bottom)",
                 fontsize=10, color="black")
    aI.set_title("")
    fig1 = ws.save(fig, "b4_ei_ring_modes",
                   "Left: largest real part of each mode's eigenvalues against τ_I. Mode 0 (the "
                   "E-I pair of part 2) crosses zero at 40 ms, mode 1 at 20 ms, both through a "
                   "Hopf point (circles). Right: at τ_I = 30 ms only mode 1 is unstable and the "
                   "activity travels round the ring, I trailing E.")

    fig, axes = plt.subplots(2, 3, figsize=(13, 5.4), layout="constrained", sharey=True)
    for j, (tr, title) in enumerate(((tr_bump, rf"untuned inhibition, $\tau_I$ = {TAU_BUMP:g} ms: bump"),
                                     (tr_wave, rf"tuned, $\tau_I$ = {TAU_WAVE:g} ms: travelling wave"),
                                     (tr_bulk, rf"tuned, $\tau_I$ = {TAU_BULK:g} ms: bulk oscillation"))):
        plot_spacetime_ei(tr, axes=axes[:, j], t_min=5400.0)
        axes[0, j].set_title(title, fontsize=9, color="black")
        axes[1, j].set_title("")
        axes[0, j].set_xlabel("")
        if j:
            axes[0, j].set_ylabel("")
            axes[1, j].set_ylabel("")
        else:
            axes[0, j].set_ylabel(r"E: preferred angle $\theta$ (deg)", color=E_COLOR)
            axes[1, j].set_ylabel(r"I: preferred angle $\theta$ (deg)", color=I_COLOR)
    fig2 = ws.save(fig, "b4_ei_ring_patterns",
                   "The three patterns, E (top row) and I (bottom row), over the last 600 ms of "
                   "6 s runs from small random rates (N = 128 per population). With untuned "
                   "inhibition the I population is uniform (here "
                   f"{float(np.mean(np.asarray(tr_bump.r_I)[-1])):.1f} Hz) under the E bump.")

    def make_pd() -> Any:
        phase_diagram = lib("ei_ring.phase_diagram", "phase_diagram")
        return phase_diagram(_model(RING, TAU_WAVE, 16), "J_EE1", np.linspace(0.0, 5.0, 9),
                             "tau_I", np.linspace(5.0, 50.0, 8), t_transient=4000.0,
                             t_window=1000.0, dt=DT, seed=1)

    pd = ws.cached("ei_ring_phase_diagram", make_pd)
    ax = plot_pattern_map(pd, resolution=36)
    fig3 = ws.save(ax.figure, "b4_ei_ring_pattern_map",
                   "Patterns in the (J_EE1, τ_I) plane (N = 16 per population, 5 s per cell) and "
                   "the theory's boundaries: mode 0 loses stability at τ_I = 40 ms whatever J_EE1; "
                   "mode 1 at τ_I = τ_E/(J_EE1/2 − 1) (Hopf), or, past J_EE1 = 4, for every τ_I "
                   "(real eigenvalue). Where both modes are unstable the simulations are mostly "
                   "irregular (the modes compete); cells on a boundary, where dynamics are slow, "
                   "may still be transient.")

    table = "".join(
        f"<tr><td>{k}</td><td>{tau:g}</td><td>{fmt(lam, 6)}</td><td>{fmt(g, 6)}</td>"
        f"<td>{fmt(abs(w), 6)}</td></tr>" for k, tau, lam, g, w in rows)
    speed = abs(p_wave.speed) if p_wave.speed is not None else float("nan")
    lam_wave = T.mode_eigenvalues(m_wave, 1)[0]
    answer = f"""
<p>Give the ring of part 1 two populations: N excitatory and N inhibitory units at angles
θ<sub>i</sub> = 2πi/N, with couplings onto X from Y of the form J<sub>XY0</sub> + J<sub>XY1</sub> cos(θ − θ′)
(signed as in part 2: those from I negative). The rates of each population split into Fourier
modes exactly as in part 1 (Q8-Q10), and because the coupling is a sum of cosines, <b>each mode is
an E-I pair</b> with couplings c<sub>XY</sub> = J<sub>XY0</sub> for k = 0 and J<sub>XY1</sub>/2 for k = 1
(<code>theory.ei_ring.mode_jacobian</code>):</p>
<div class="math">A<sub>k</sub> = ( (c<sub>EE</sub> − 1)/τ<sub>E</sub> &nbsp;&nbsp; c<sub>EI</sub>/τ<sub>E</sub> ; &nbsp;&nbsp;
c<sub>IE</sub>/τ<sub>I</sub> &nbsp;&nbsp; (c<sub>II</sub> − 1)/τ<sub>I</sub> ).</div>
<p>Take part 2's pair as mode 0: J<sub>EE0</sub> = 1.25, J<sub>EI0</sub> = −1, J<sub>IE0</sub> = 1,
J<sub>II0</sub> = 0, h<sub>E</sub> = −γ<sub>E</sub> = 10, h<sub>I</sub> = −γ<sub>I</sub> = −10. The uniform
state is part 2's fixed point, ({fmt(s.r_E, 6)}, {fmt(s.r_I, 6)}) Hz, and mode 0 is part 2's
Jacobian (Q15): it loses stability through the same Hopf point, τ<sub>I</sub>* = {fmt(hopf0, 6)} ms, into the
same limit cycle, now the whole ring oscillating in bulk.</p>
<p>Mode 1 is the ring of part 1. As in part 2, det A<sub>k</sub> has the sign of
D<sub>k</sub> = (c<sub>EE</sub> − 1)(c<sub>II</sub> − 1) − c<sub>EI</sub>c<sub>IE</sub>, whatever the time constants.
With <b>untuned inhibition</b> (J<sub>EI1</sub> = J<sub>IE1</sub> = 0) D<sub>1</sub> = −(J<sub>EE1</sub>/2 − 1) &lt; 0 for
J<sub>EE1</sub> &gt; 2: a real eigenvalue, the instability of Q10 (J<sub>1</sub> &gt; 2), and the activity settles
into a <b>stationary bump</b> whose width solves part 1's marginal condition J<sub>1</sub>g<sub>1</sub>(θ<sub>c</sub>) = 1
with J<sub>1</sub> = J<sub>EE1</sub>: θ<sub>c</sub> = {fmt(tc_ring, 6)} rad for J<sub>EE1</sub> = 3, the width of B2.
With <b>tuned inhibition</b> (J<sub>EI1</sub> = −2, J<sub>IE1</sub> = 2) D<sub>1</sub> = {fmt(th.modes[1].D, 4)} &gt; 0, so mode 1
can only lose stability when its trace vanishes, at τ<sub>I</sub>* = τ<sub>E</sub>(1 − c<sub>II</sub>)/(c<sub>EE</sub> − 1) =
{fmt(hopf1, 6)} ms, with frequency ω = √det A<sub>1</sub> = {fmt(omega1, 6)} rad/ms: slow inhibition that follows
the bump arrives behind it and pushes it on, and the bump <b>travels</b>. Mode 1 goes before mode 0
(20 &lt; 40 ms), so between the two Hopf points the ring carries a travelling wave while the E-I
pair of part 2 alone would still be at rest.</p>
<table><tr><th>mode k</th><th>τ<sub>I</sub> (ms)</th><th>leading eigenvalue λ (theory)</th>
<th>growth rate measured</th><th>rotation rate measured</th></tr>{table}</table>
<p>(Forward Euler with dt = {DT:g} ms propagates a mode at λ<sub>dt</sub> = ln(1 + λdt)/dt ≈ λ − λ²dt/2;
the measured rates match λ<sub>dt</sub> to better than 10<sup>−10</sup>/ms, see the checks.)</p>
<p>The wave born at the Hopf point of mode 1 is not small: as in part 2 (B3) the linear growth stops
only when units fall silent, so the wave appears at once with a large amplitude
({fmt(p_wave.amplitude, 4)} Hz peak to trough at τ<sub>I</sub> = {TAU_WAVE:g} ms) and turns at
{fmt(speed, 4)} rad/ms ({p_wave.direction}; the direction is set by the initial noise), slower than the
linear rotation rate {fmt(abs(lam_wave.imag), 4)} rad/ms of mode 1 at this τ<sub>I</sub>. Past τ<sub>I</sub> = 40 ms
both modes are unstable and, from small random rates, the bulk oscillation wins; its period
is that of part 2's cycle.</p>
<p><b>Checks.</b> (a) Mode 0's Hopf point is part 2's. (b-d) Small perturbations along each mode's
leading eigenvector (10<sup>−4</sup> Hz, every unit active) grow and turn at the theory's rates
(as forward Euler propagates them).
(e-j) From small random rates the simulations show the pattern each instability predicts, the
bump has the width of part 1's marginal bump, and the bulk oscillation has the period of
<code>analysis.find_limit_cycle</code> applied to part 2's model at τ<sub>I</sub> = {TAU_BULK:g} ms.
The map shows the whole (J<sub>EE1</sub>, τ<sub>I</sub>) plane (<code>ratenet ring-ei phase-diagram</code>).</p>"""
    return Section("B4", "The E-I ring: parts 1 and 2 joined",
                   "What happens when each unit of the ring is an E-I pair: which Fourier mode "
                   "loses stability first as τ<sub>I</sub> grows, and into what pattern?",
                   answer, checks, [fig1, fig2, fig3])


SECTIONS: tuple[tuple[str, str, Callable[[Workspace], Section]], ...] = (
    ("B4", "The E-I ring: parts 1 and 2 joined", ei_ring),
)
