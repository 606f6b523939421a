# ruff: noqa: E501  (long lines are HTML prose)
"""Beyond the tutorial: rectified tuning, the marginal phase, the non-smooth birth of the rhythm.

The rectified ring profiles are compared with simulations of N = 512 neurons. The
difference between a finite ring and the N → ∞ theory comes from the two kinks of the
rectified profile, where the sums over the grid are not exact: by the Euler-Maclaurin
formula the periodic rectangle rule errs by at most h²|[f′]|/12 per kink (h = 2π/N,
[f′] the jump of the slope). Those sum errors act on the finite ring exactly like a small
change of h₀ (by J₀ δr₀) and of ε (by J₁ δr₁), so their effect on any stationary quantity
is bounded with the library's own sensitivities of that quantity to h₀ and ε (finite
differences of :func:`ratenet.theory.ring.stationary_state`). A factor 2 covers the
higher-order terms.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ._core import (
    EPS,
    Check,
    Section,
    Workspace,
    compare,
    fmt,
    holds,
    legend_below,
    sum_rounding,
)
from ._lib import lib
from .ring_part import simulate

__all__ = ["SECTIONS"]

N_RECT = 512


def _theory(name: str) -> Callable:
    return lib("theory.ring", name)


def _grid_tolerances(st: Any, N: int, residual: float, lam_slow: float) -> dict[str, float]:
    """Tolerances on theta_c, r0, m1, peak of a finite ring against the N → ∞ theory."""
    stationary_state = _theory("stationary_state")
    h = 2 * math.pi / N
    tc, A = st.theta_c, st.A
    slope = A * math.sin(tc)                     # slope jump of the profile at each kink
    d_r0 = 2 * h**2 * slope / 12 / (2 * math.pi)
    d_r1 = 2 * h**2 * slope * abs(math.cos(tc)) / 12 / (2 * math.pi)
    dh0, deps = abs(st.J0) * d_r0, abs(st.J1) * d_r1
    base = {"theta_c": st.theta_c, "r0": st.r0, "m1": st.m1, "peak": st.peak}

    def sens(param: str, step: float) -> dict[str, float]:
        kw = {"J0": st.J0, "J1": st.J1, "h0": st.h0, "eps": st.eps}
        up = dict(kw, **{param: kw[param] + step})
        s_up = stationary_state(**up)
        if param == "eps" and kw["eps"] - step < 0:
            return {k: abs(getattr(s_up, k) - base[k]) / step for k in base}
        s_dn = stationary_state(**dict(kw, **{param: kw[param] - step}))
        return {k: abs(getattr(s_up, k) - getattr(s_dn, k)) / (2 * step) for k in base}

    s_h = sens("h0", 1e-5)
    s_e = sens("eps", 1e-5)
    settle = residual * math.sqrt(N) / abs(lam_slow)   # distance left to the fixed point
    direct = {"theta_c": 0.0, "r0": d_r0, "m1": 2 * d_r1, "peak": A * h**2 / 8}
    return {k: 2 * (s_h[k] * dh0 + s_e[k] * deps + direct[k]) + settle
            + sum_rounding(st.peak, N) for k in base}


def _compare_state(prefix: str, st: Any, meas: dict[str, Any], tols: dict[str, float],
                   what: str) -> list[Check]:
    basis = ("grid error of the two kinks of the rectified profile (Euler-Maclaurin, "
             "h²|[f′]|/12 per kink, h = 2π/N), propagated with the library's sensitivities "
             "to h0 and ε; plus the distance to the fixed point bounded by the final residual")
    names = {"theta_c": "θc, half-width of the active region (rad)", "r0": "mean rate r0",
             "m1": "cos amplitude m1 = 2|C|", "peak": "peak rate"}
    return [compare(f"{prefix}{k}", f"{what}: {names[key].split(',')[0]}", names[key],
                    float(getattr(st, key)), float(meas[key]), tols[key], basis)
            for k, key in zip("abcd", ("theta_c", "r0", "m1", "peak"))]


# --------------------------------------------------------------------------- B1
B1: dict[str, Any] = {"J0": -1.0, "J1": 1.5, "h0": 1.0}
B1_EPS = (0.1, 0.5, 1.0)


def b1(ws: Workspace) -> Section:
    import matplotlib.pyplot as plt

    from ..models.ring import RingModel
    from ..plotting.ring import plot_profile, plot_tuning_vs_eps

    stationary_state = _theory("stationary_state")
    measure_final = lib("analysis.ring", "measure_final")
    linear_response = _theory("linear_response")
    models = [RingModel(**B1, eps=e, N=N_RECT) for e in B1_EPS]
    traj = simulate(models, t_max=150.0, dt=0.01, record_every=None, seed=5)
    meas = measure_final(traj)
    states = [stationary_state(**B1, eps=e) for e in B1_EPS]
    k = len(B1_EPS) - 1
    st = states[k]
    row = {key: np.asarray(meas[key])[k] for key in ("theta_c", "r0", "m1", "peak", "residual")}
    lam_slow = float(np.max(np.real(st.stability_eigenvalues)))
    tols = _grid_tolerances(st, N_RECT, float(row["residual"]), lam_slow)
    checks = _compare_state("B1", st, row, tols, f"narrow tuning, ε = {B1_EPS[k]:g}")
    lin = linear_response(**B1, eps=B1_EPS[k], strict=False)
    regimes = [s.regime for s in states]
    checks.append(holds("B1e", "regime: broad for weak input, narrow when m1 would exceed m0",
                        "library regimes = measured regimes for ε = " + ", ".join(f"{e:g}" for e in B1_EPS),
                        True, list(np.asarray(meas["regime"]).astype(str)) == regimes))

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained")
    for j, (c, e) in enumerate(zip(("C0", "C1", "C3"), B1_EPS)):
        plot_profile(traj, row=j, ax=axes[0], degrees=False, color=c, label=f"ε = {e:g}",
                     origin=-np.pi, legend=False, stride=8)
    axes[0].set_xlabel("θ − θ₀ (rad)")
    axes[0].set_title(rf"Rectified tuning, $J_0 = {B1['J0']:g}$, $J_1 = {B1['J1']:g}$, "
                      r"$h_0 = 1$ "
                      f"(dots: N = {N_RECT})")
    legend_below(axes[0], ncol=3)
    axes[0].grid(alpha=0.3)
    ax = plot_tuning_vs_eps(np.linspace(0.01, 1.5, 120), **B1, ax=axes[1],
                            measured=(B1_EPS, meas["theta_c"], meas["m1"]))
    ax.set_title("Width and modulation against ε")
    ax.grid(alpha=0.3)
    figure = ws.save(fig, "b1_rectified_tuning",
                     "Left: stationary profiles for weak (broad, every neuron active) and strong "
                     "input (narrow: a rectified cosine, silent outside |θ − θ₀| < θc). Right: "
                     "the half-width θc and the modulation m₁ against ε; past the dashed line the "
                     "linear formula m₁ = ε/(1 − J₁/2) overestimates the modulation.")
    answer = f"""
<p>The linear answer of Q11-Q12 needs m<sub>1</sub> ≤ m<sub>0</sub>. With stronger tuning of the
input the neurons far from θ<sub>0</sub> are pushed below threshold and fall silent. The input to
every neuron is still of the form c + A cos(θ − θ<sub>0</sub>) (only the modes J<sub>0</sub> and
J<sub>1</sub> exist), so the profile is a <i>rectified</i> cosine</p>
<div class="math">m(θ) = A [cos(θ − θ<sub>0</sub>) − cos θ<sub>c</sub>]<sub>+</sub>,</div>
<p>active only within θ<sub>c</sub> of the stimulus. Its mean and first Fourier coefficient are
r<sub>0</sub> = A g<sub>0</sub>(θ<sub>c</sub>) and |C| = A g<sub>1</sub>(θ<sub>c</sub>) with
g<sub>0</sub>(t) = (sin t − t cos t)/π and g<sub>1</sub>(t) = (t − sin t cos t)/(2π). Matching the
constant and the cosine parts of the input, c = −A cos θ<sub>c</sub> = h<sub>0</sub> + J<sub>0</sub>r<sub>0</sub>
and A = ε + J<sub>1</sub>|C|, gives the self-consistency</p>
<div class="math">A [1 − J<sub>1</sub>g<sub>1</sub>(θ<sub>c</sub>)] = ε, &nbsp;&nbsp;
A [−cos θ<sub>c</sub> − J<sub>0</sub>g<sub>0</sub>(θ<sub>c</sub>)] = h<sub>0</sub>,</div>
<p>whose ratio is one equation for θ<sub>c</sub> alone: ε/h<sub>0</sub> =
[1 − J<sub>1</sub>g<sub>1</sub>]/[−cos θ<sub>c</sub> − J<sub>0</sub>g<sub>0</sub>]. The library solves it
(<code>theory.ring.stationary_state</code>). The width θ<sub>c</sub> then depends on the input's
tuning ε/h<sub>0</sub> and on the couplings; it does not follow the input's own width, which is
what the ring model was proposed to explain.</p>
<p><b>Checks.</b> For ε = {B1_EPS[k]:g} (where the linear formula would give m<sub>1</sub> =
{fmt(lin.m1, 4)} &gt; m<sub>0</sub> = {fmt(lin.m0, 4)}) the library gives θ<sub>c</sub> =
{fmt(st.theta_c, 8)} rad, r<sub>0</sub> = {fmt(st.r0, 8)}, m<sub>1</sub> = {fmt(st.m1, 8)},
peak {fmt(st.peak, 8)}; a ring of N = {N_RECT} after 150 τ (measured with
<code>analysis.ring.measure_final</code>, which reads θ<sub>c</sub> off a fit of the active
rates) agrees to within the grid error of the two kinks.</p>"""
    return Section("B1", "Rectified (narrow) tuning", "What replaces the linear answer of Q11 "
                   "when the input is so strongly tuned that some neurons fall silent?",
                   answer, checks, [figure])


# --------------------------------------------------------------------------- B2
B2: dict[str, Any] = {"J0": -1.0, "J1": 3.0, "h0": 1.0}
B2_SEEDS = (11, 12, 13, 14, 15, 16)
B2_CUE: dict[str, Any] = {"eps": 0.5, "t_off": 20.0}


def b2(ws: Workspace) -> Section:
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from ..models.ring import RingModel
    from ..plotting.ring import plot_profile, plot_spacetime

    stationary_state = _theory("stationary_state")
    critical_J0 = _theory("critical_J0")
    marginal_theta_c = _theory("marginal_theta_c")
    measure_final = lib("analysis.ring", "measure_final")
    st = stationary_state(**B2, eps=0.0)
    jc = float(critical_J0(B2["J1"]))
    T = 200.0
    models = [RingModel(**B2, N=N_RECT) for _ in B2_SEEDS]
    x0 = []
    for s in B2_SEEDS:
        x0.append(1e-3 * np.random.default_rng(s).random(N_RECT))
    traj = simulate(models, t_max=T, dt=0.01, x0=np.array(x0), record_every=None)
    meas = measure_final(traj)
    # memory: a cue at theta0 (on the grid), switched off at t = 20; the bump stays there.
    # Starting from silence keeps the state mirror-symmetric about theta0.
    theta0 = 2 * np.pi * 170 / N_RECT
    cue = RingModel(**B2, N=N_RECT, theta0=theta0, **B2_CUE)
    t_mem = 120.0
    tr_cue = simulate(cue, t_max=t_mem, dt=0.01, record_every=50, x0=np.zeros(N_RECT))
    mc = measure_final(tr_cue)
    row = {key: float(np.asarray(mc[key])) for key in ("theta_c", "r0", "m1", "peak", "residual")}
    shape_modes = [v for v in np.real(st.stability_eigenvalues) if v < -1e-9]
    tols = _grid_tolerances(st, N_RECT, row["residual"], max(shape_modes))
    checks = _compare_state("B2", st, row, tols, "bump held after the cue (ε = 0)")
    pos = np.asarray(meas["bump_position"], dtype=float)
    spread = float(np.max(np.abs(np.angle(np.exp(1j * (pos[:, None] - pos[None, :]))))))
    checks.append(holds("B2e", "the bump's position is set by the initial noise, not by the network",
                        f"largest angular distance between the bumps of {len(B2_SEEDS)} seeds > π/2",
                        True, spread > np.pi / 2))
    tols_f = _grid_tolerances(st, N_RECT, float(np.max(meas["residual"])), max(shape_modes))
    checks.append(compare("B2f", "bumps grown from noise all have the theoretical shape",
                          f"max over {len(B2_SEEDS)} seeds of |m1 − m1(theory)|", 0.0,
                          float(np.max(np.abs(np.asarray(meas["m1"]) - st.m1))), tols_f["m1"],
                          "as B2c, with the largest final residual of the six runs (the bumps "
                          "may still drift slowly along the neutral direction)"))
    C_end = complex(tr_cue.C[-1])
    n_steps = round(t_mem / 0.01)
    tol_pos = n_steps * sum_rounding(st.peak, N_RECT) / abs(C_end) + 4 * EPS * np.pi
    checks.append(compare(
        "B2g", "memory: after the cue is removed the bump stays where the cue was",
        "bump position 100 τ after the cue went off (rad)", theta0,
        float(tr_cue.bump_position[-1]), tol_pos,
        "the mirror symmetry about a grid angle forbids any drift in exact arithmetic; the "
        "neutral mode accumulates rounding, at most one sum's rounding per step"))

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained",
                             gridspec_kw={"width_ratios": [1.25, 1]})
    ax = plot_spacetime(tr_cue, ax=axes[0], degrees=False, cmap="magma", position=True)
    ax.axvline(B2_CUE["t_off"], color="w", ls="--", lw=1)
    ax.text(B2_CUE["t_off"], 0.3, "  cue off", color="w", fontsize=9)
    ax.set_title(rf"Memory of a cue at $\theta_0 = {theta0:.3f}$ ($J_0 = {B2['J0']:g}$, "
                 rf"$J_1 = {B2['J1']:g}$)")
    ax = axes[1]
    for j, (s, p) in enumerate(zip(B2_SEEDS, pos)):
        plot_profile(traj, row=j, ax=ax, degrees=False, color=f"C{j}",
                     label=f"seed {s}: centre {p:.2f}", legend=False, stride=8, edges=False)
    # one legend entry per bump; the theory lines (one per bump, centred on it) share one
    dots = [ln for ln in ax.lines if ln.get_label().startswith("seed") and "theory" not in
            ln.get_label()]
    proxy = Line2D([], [], color="0.3", lw=1.5, label="theory (ε = 0), centred on each bump")
    legend_below(ax, ncol=3, handles=[*dots, proxy])
    ax.set_title("Bumps grown from noise: same shape, any position (t = 200 τ)")
    ax.grid(alpha=0.3)
    figure = ws.save(fig, "b2_marginal_phase",
                     "The marginal phase (J₁ > 2). Left: a cue creates a bump that outlives it; "
                     "its position holds the cue's angle. Right: from weak random activity the "
                     "network forms a bump of the shape the theory predicts, at a position set "
                     "by the initial noise.")
    answer = f"""
<p>For J<sub>1</sub> &gt; 2 the uniform state is unstable (Q10), but with enough uniform inhibition
the growth stops once neurons fall silent: at ε = 0 the second self-consistency condition becomes
J<sub>1</sub>g<sub>1</sub>(θ<sub>c</sub>) = 1, which fixes the width of the bump by J<sub>1</sub> alone
(θ<sub>c</sub> = {fmt(float(marginal_theta_c(B2['J1'])), 8)} rad for J<sub>1</sub> = {B2['J1']:g}),
and A = h<sub>0</sub>/[−cos θ<sub>c</sub> − J<sub>0</sub>g<sub>0</sub>(θ<sub>c</sub>)] fixes its height.
A is positive, and the bump exists, only for J<sub>0</sub> below the critical value
J<sub>0c</sub>(J<sub>1</sub>) = −cos θ<sub>c</sub>/g<sub>0</sub>(θ<sub>c</sub>) = {fmt(jc, 6)}; above it the
activity grows without bound (see the corrections, item 4).</p>
<p>Nothing in the network prefers one angle: every rotation of the bump is again a stationary
state. The bump's position is a neutral direction (the library's stability eigenvalues here are
{fmt([float(v) for v in np.real(st.stability_eigenvalues)], 4)}, one of them zero), so the network
is a <i>continuous attractor</i>: it can hold any angle, e.g. the direction of a cue that has
disappeared. This is the marginal phase.</p>
<p><b>Checks.</b> (a-d) The bump left by the cue, 100 τ after the cue went off, against
<code>stationary_state(ε = 0)</code>. (e) Six seeds give bumps centred at
{fmt([float(p) for p in pos], 3)} rad. (f) All have the theoretical shape. (g) A cue at θ<sub>0</sub>
= {theta0:.6f} rad, on for 20 τ and then removed, leaves a bump at {fmt(float(tr_cue.bump_position[-1]), 12)} rad
100 τ later.</p>"""
    return Section("B2", "The marginal phase and the bump attractor",
                   "What does the ring do when J<sub>1</sub> &gt; 2, where the uniform state is "
                   "unstable to the cos mode?", answer, checks, [figure])


def b3(ws: Workspace) -> Section:
    from .ei_part import nonsmooth_birth

    return nonsmooth_birth(ws)


SECTIONS: tuple[tuple[str, str, Callable[[Workspace], Section]], ...] = (
    ("B1", "Rectified (narrow) tuning", b1),
    ("B2", "The marginal phase and the bump attractor", b2),
    ("B3", "The non-smooth birth of the oscillation", b3),
)
