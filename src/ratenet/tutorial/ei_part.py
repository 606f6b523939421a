# ruff: noqa: E501  (long lines are HTML prose)
"""Part 2 of the tutorial, questions 13-15: excitatory and inhibitory populations.

The model is :class:`ratenet.models.ei.EIModel` with the convention M_XY = weight onto X
from Y (the tutorial's equations swap the indices; see the corrections). Fixed points,
eigenvalues, limit cycles and the bifurcation diagram come from :mod:`ratenet.analysis`
(exact for the threshold-linear network); the simulations are forward Euler with
dt = 0.02 ms over 2500 ms, as in the course, through :func:`ratenet.simulate`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..simulate import simulate
from ._core import EPS, Section, Workspace, compare, fmt, holds, legend_below
from ._lib import lib
from .questions import QUESTIONS

__all__ = ["DT", "SECTIONS", "T_MAX", "nonsmooth_birth"]

DT = 0.02      # ms
T_MAX = 2500.0  # ms
TAU_IS = (30.0, 40.0, 50.0)
X_INSIDE = np.array([25.0, 25.0])
X_OUTSIDE = np.array([50.0, 60.0])


def _EI(**kw: Any) -> Any:
    return lib("models.ei", "EIModel")(**kw)


def _q(k: int) -> tuple[str, str, str]:
    q = QUESTIONS[k - 1]
    return q.id, q.title, q.prompt


def _fixed_point(model: Any) -> Any:
    fps = lib("analysis.fixed_points", "find_fixed_points")(model)
    both = [fp for fp in fps if fp.active is None or all(fp.active)]
    return both[0] if both else fps[0]


def _closed_form_fp(m: Any) -> np.ndarray:
    """Intersection of the two active nullcline branches (derived in Q13)."""
    # nu_I = ((1 - M_EE) nu_E + gamma_E) / M_EI  and  nu_E = ((1 - M_II) nu_I + gamma_I) / M_IE
    a = (1 - m.M_EE) / m.M_EI
    b = m.gamma_E / m.M_EI
    c = (1 - m.M_II) / m.M_IE
    d = m.gamma_I / m.M_IE
    nu_E = (c * b + d) / (1 - c * a)
    return np.array([nu_E, a * nu_E + b])


def _run(ws: Workspace, tau_I: float, x0: np.ndarray, *, literal: bool = False) -> Any:
    key = f"ei_{tau_I:g}_{x0[0]:g}_{x0[1]:g}_{literal}"

    def make():
        model = _EI(tau_I=tau_I)
        target = _literal_network(model) if literal else model
        return simulate(target, t_max=T_MAX, dt=DT, x0=x0, record_every=1,
                        on_divergence="ignore")
    return ws.cached(key, make)


def _literal_network(model: Any) -> Any:
    """The E-I equations exactly as printed: weight M_IE on nu_I in the E equation, etc."""
    from ..network import RateNetwork

    W = np.array([[model.M_EE, model.M_IE], [model.M_EI, model.M_II]])
    return RateNetwork(W=W, tau=model.tau, h=-model.gamma, transfer=model.transfer,
                       names=("E", "I"))


def _norm_J(model: Any) -> float:
    """Largest ‖J‖₂ over the active-set regions (bounds how fast the flow can change)."""
    W, tau = model.weights, model.tau
    out = 0.0
    for a in ((1, 1), (1, 0), (0, 1), (0, 0)):
        J = (np.diag(a) @ W - np.eye(2)) / tau[:, None]
        out = max(out, float(np.linalg.norm(J, 2)))
    return out


# ------------------------------------------------------------------------------ Q13
#: Phase-plane window of Q13-Q14 (Hz): a little below 0 so that the silent branches of the
#: nullclines, which lie on the axes, stay visible.
BOX_E = (-1.5, 60.0)
BOX_I = (-1.0, 40.0)


def q13(ws: Workspace) -> Section:
    import matplotlib.pyplot as plt

    qid, title, prompt = _q(13)
    model = _EI(tau_I=30.0)
    fp = _fixed_point(model)
    exact = _closed_form_fp(model)
    c1 = compare("Q13a", "fixed point found by the library = crossing of the nullclines",
                 "|ν*(library) − (80/3, 50/3)| (Hz)", 0.0,
                 float(np.max(np.abs(fp.state - exact))), 16 * EPS * float(np.max(exact)),
                 "both are exact (a 2×2 linear solve): rounding only")
    ncs = lib("analysis.phase_plane", "nullclines")(model, x_range=(0.0, 60.0),
                                                     y_range=(0.0, 40.0))
    # distance of the library's active segments from the lines derived below
    dist = 0.0
    for nc in ncs:
        for seg, kind in zip(nc.segments, nc.kinds):
            if kind != "active":
                continue
            e_, i_ = seg[:, 0], seg[:, 1]
            if nc.name == "E":
                dist = max(dist, float(np.max(np.abs(i_ - (e_ / 4 + 10)))))
            else:
                dist = max(dist, float(np.max(np.abs(e_ - (i_ + 10)))))
    c0 = compare("Q13c", "library's nullclines = the derived lines",
                 "max distance of the active segments from ν_I = ν_E/4 + 10 and ν_E = ν_I + 10 (Hz)",
                 0.0, dist, 64 * EPS * 60, "exact segments: rounding")
    tr = _run(ws, 30.0, X_INSIDE)
    lam = fp.eigenvalues
    vecs = np.linalg.eig(fp.jacobian)[1]
    d0 = float(np.linalg.norm(X_INSIDE - exact))
    n_steps = round(T_MAX / DT)
    growth = float(np.max(np.abs(1 + lam * DT))) ** n_steps
    tol = float(np.linalg.cond(vecs)) * d0 * growth + 1e3 * EPS * float(np.max(exact))
    c2 = compare("Q13b", "the simulation at τ_I = 30 ms settles on the crossing",
                 "|ν(2500 ms) − ν*| (Hz)", 0.0, float(np.max(np.abs(tr.final - exact))), tol,
                 "Euler keeps the fixed point exactly; what is left of the spiral after 2500 ms "
                 "is at most cond(V)·|ν(0) − ν*|·max|1 + λ dt|ⁿ (V: eigenvectors)")

    from ..plotting.ei import plot_phase_plane

    fig, ax = plt.subplots(figsize=(6.4, 5.6), layout="constrained")
    plot_phase_plane(model, ax=ax, fixed_points=[fp], x_range=BOX_E, y_range=BOX_I,
                     arrows=False, streamlines=False)
    white = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.0}
    ax.text(44, 24.5, r"$\nu_I = \nu_E/4 + 10$", color="tab:red", fontsize=9, rotation=14.04,
            transform_rotates_text=True, rotation_mode="anchor")
    ax.text(31, 22.5, r"$\nu_E = \nu_I + 10$", color="tab:blue", fontsize=9, rotation=45,
            transform_rotates_text=True, rotation_mode="anchor")
    ax.text(1.2, 30, "E silent:\n" r"$\nu_E = 0$ branch" "\n(dashed)", color="tab:red", fontsize=8,
            bbox=white)
    ax.text(1.2, 1.6, r"I silent: $\nu_I = 0$ for $\nu_E < 10$ (dashed)", color="tab:blue", fontsize=8,
            bbox=white)
    ax.annotate(f"fixed point ({exact[0]:.2f}, {exact[1]:.2f}) Hz",
                (float(exact[0]), float(exact[1])), xytext=(10, -16),
                textcoords="offset points", fontsize=8)
    ax.set_title(r"Nullclines of the E-I model, $\tau_I$ = 30 ms")
    legend_below(ax, ncol=3)
    ax.grid(alpha=0.3)
    figure = ws.save(fig, "q13_nullclines", "Nullclines (exact segments from "
                     "analysis.phase_plane.nullclines, drawn by plotting.ei.plot_phase_plane). "
                     "Each is a line where its population is active (solid) and the axis where "
                     "it is silent (dashed); they cross once, at (80/3, 50/3) Hz.")
    answer = f"""
<p>Use the convention of the text's own Jacobian (M<sub>XY</sub>: weight onto X from Y; the printed
equations swap the indices, see the corrections):</p>
<div class="math">τ<sub>E</sub> dν<sub>E</sub>/dt = −ν<sub>E</sub> + [M<sub>EE</sub>ν<sub>E</sub> + M<sub>EI</sub>ν<sub>I</sub> − γ<sub>E</sub>]<sub>+</sub>,
&nbsp;&nbsp; τ<sub>I</sub> dν<sub>I</sub>/dt = −ν<sub>I</sub> + [M<sub>IE</sub>ν<sub>E</sub> + M<sub>II</sub>ν<sub>I</sub> − γ<sub>I</sub>]<sub>+</sub>.</div>
<p>Where E is active, dν<sub>E</sub>/dt = 0 means ν<sub>E</sub> = M<sub>EE</sub>ν<sub>E</sub> + M<sub>EI</sub>ν<sub>I</sub> − γ<sub>E</sub>, a line:</p>
<div class="math">E-nullcline: ν<sub>I</sub> = [γ<sub>E</sub> − (M<sub>EE</sub> − 1)ν<sub>E</sub>]/M<sub>EI</sub> = ν<sub>E</sub>/4 + 10 Hz;</div>
<p>where E's input is negative the only rest is ν<sub>E</sub> = 0 (the vertical axis above the line).
Likewise</p>
<div class="math">I-nullcline: ν<sub>E</sub> = [(1 − M<sub>II</sub>)ν<sub>I</sub> + γ<sub>I</sub>]/M<sub>IE</sub> = ν<sub>I</sub> + 10 Hz,</div>
<p>continued by ν<sub>I</sub> = 0 for ν<sub>E</sub> &lt; 10 Hz. A fixed point is a crossing of the two
nullclines. The two active branches have slopes 1/4 and 1 in the (ν<sub>E</sub>, ν<sub>I</sub>) plane, so
they always cross once, and the crossing is a valid fixed point when it lies where both
populations are active (both rates positive). Qualitatively: recurrent excitation must be
balanced by inhibition, i.e. the I-nullcline must climb faster than the E-nullcline; had the
E-nullcline been steeper and above, the lines would not meet in the positive quadrant and the
rates would run away. Here they cross at</p>
<div class="math">(ν<sub>E</sub>*, ν<sub>I</sub>*) = (80/3, 50/3) Hz ≈ ({exact[0]:.4f}, {exact[1]:.4f}) Hz.</div>
<p><b>Checks.</b> (a) <code>analysis.fixed_points.find_fixed_points</code> (exact, by active sets)
finds one fixed point, {fp.type} at τ<sub>I</sub> = 30 ms, at ({fp.state[0]:.12g}, {fp.state[1]:.12g}) Hz.
(b) Simulated from (25, 25) Hz for 2500 ms the rates end at ({tr.final[0]:.10g}, {tr.final[1]:.10g}) Hz.</p>"""
    return Section(qid, title, prompt, answer, [c1, c2, c0], [figure])


# ------------------------------------------------------------------------------ Q14
def q14(ws: Workspace) -> Section:
    import matplotlib.pyplot as plt

    qid, title, prompt = _q(14)
    model = _EI(tau_I=30.0)
    fp = _fixed_point(model)
    e = np.linspace(0.5, 60.0, 60)
    i = np.linspace(0.5, 40.0, 40)
    E, I = np.meshgrid(e, i)
    F = model.rhs(0.0, np.stack([E, I], axis=-1))
    # predicted signs from Q14's argument (see the answer): above the E-line E falls,
    # right of the I-line I rises
    pred_E = np.sign(E / 4 + 10 - I)
    pred_I = np.sign(np.maximum(E - 10, 0) - I)
    clear = (np.abs(E / 4 + 10 - I) > 1e-9) & (np.abs(np.maximum(E - 10, 0) - I) > 1e-9)
    bad = int(np.sum(clear & ((np.sign(F[..., 0]) != pred_E) | (np.sign(F[..., 1]) != pred_I))))
    c1 = compare("Q14", "direction of the flow on each side of the nullclines",
                 f"grid points (of {int(clear.sum())}) where the library's dν/dt has the wrong sign",
                 0.0, float(bad), 0.0, "exact: a count")

    from ..plotting.ei import plot_flow_signs, plot_phase_plane

    fig, axes = plt.subplots(1, 2, figsize=(12.5, 5.8), layout="constrained")
    plot_phase_plane(model, ax=axes[0], fixed_points=[fp], x_range=BOX_E, y_range=BOX_I,
                     arrows=False, streamlines=False)
    # the arrow grid starts clear of the axes, where the silent branches lie
    plot_flow_signs(model, ax=axes[0], x_range=(1.5, BOX_E[1]), y_range=(1.0, BOX_I[1]))
    axes[0].set_xlim(*BOX_E)
    axes[0].set_ylim(*BOX_I)
    axes[0].set_title(r"Horizontal and vertical arrows (signs only), $\tau_I$ = 30 ms")
    plot_phase_plane(model, ax=axes[1], fixed_points=[fp], x_range=BOX_E, y_range=BOX_I)
    axes[1].set_title(r"Full flow field, $\tau_I$ = 30 ms")
    for ax in axes:
        legend_below(ax)
    figure = ws.save(fig, "q14_flow_field", "Left: the arrows Q14 asks for, the sign of "
                     "dν_E/dt (horizontal) and of dν_I/dt (vertical) in each region cut out by "
                     "the nullclines (plotting.ei.plot_flow_signs); together they turn "
                     "anticlockwise around the fixed point. Right: the full vector field "
                     "(plotting.ei.plot_phase_plane): streamlines, and arrows of unit length "
                     "shaded by speed (darker = faster).")
    answer = f"""
<p>The sign of dν<sub>E</sub>/dt changes only on the E-nullcline. Above its active branch
(ν<sub>I</sub> &gt; ν<sub>E</sub>/4 + 10) the extra inhibition makes the bracket smaller than ν<sub>E</sub>,
so dν<sub>E</sub>/dt &lt; 0 (arrows point left); below it E grows (arrows point right). Where E's
input is negative, dν<sub>E</sub>/dt = −ν<sub>E</sub>/τ<sub>E</sub> &lt; 0 too, consistent with
“above”.</p>
<p>The sign of dν<sub>I</sub>/dt changes only on the I-nullcline: to the right of it
(ν<sub>E</sub> &gt; ν<sub>I</sub> + 10) excitation from E drives I up (arrows point up); to the left, I decays
(arrows point down).</p>
<p>Going round the fixed point: below-right E and I both rise, above-right E falls while I still
rises, above-left both fall, below-left E rises while I falls. The flow turns
<i>anticlockwise</i> around the fixed point: E leads, I follows and then shuts E down. Whether
the turning spirals in or out is decided by the eigenvalues (Q15).</p>
<p><b>Check.</b> On a 60 × 40 grid of rates the library's right-hand side has the predicted sign
for both components at every point off the nullclines ({bad} disagreements).</p>"""
    return Section(qid, title, prompt, answer, [c1], [figure])


# ------------------------------------------------------------------------------ Q15
def _closed_form_eigs(m: Any) -> tuple[complex, complex, float, float]:
    """(b ± i sqrt(-Δ))/2 with b the trace and Δ = b² − 4 det (both populations active)."""
    b = (m.M_EE - 1) / m.tau_E + (m.M_II - 1) / m.tau_I
    det = ((m.M_EE - 1) * (m.M_II - 1) - m.M_EI * m.M_IE) / (m.tau_E * m.tau_I)
    delta = b * b - 4 * det
    root = complex(0, math.sqrt(-delta)) if delta < 0 else complex(math.sqrt(delta), 0)
    return (b + root) / 2, (b - root) / 2, b, delta


def _eigs_from_simulation(traj: Any, fp_state: np.ndarray, lag: int, *,
                          model: Any) -> tuple[np.ndarray, int]:
    """Eigenvalues measured from a trajectory: fit the propagator ν(t+lag) − ν* = P (ν(t) − ν*).

    Only samples where both populations are active (the linear region) are used; for Euler
    P = (I + J dt)^lag exactly, so ln(eig P)/(lag dt) are Euler's discrete eigenvalues.
    """
    R = traj.rates
    W, gam = model.weights, model.gamma
    u = R @ W.T - gam
    ok = np.all(u > 0, axis=1)
    n = R.shape[0] - lag
    good = ok[:n] & ok[lag:]
    # use the first contiguous stretch in the linear region
    idx = np.flatnonzero(good)
    X = (R[:n][idx] - fp_state).T
    Y = (R[lag:][idx] - fp_state).T
    P = Y @ np.linalg.pinv(X)
    mu = np.linalg.eigvals(P)
    lam = np.log(mu.astype(complex)) / (lag * traj.dt)
    return lam[np.argsort(-lam.imag)], int(idx.size)


def q15(ws: Workspace) -> Section:

    qid, title, prompt = _q(15)
    checks = []
    rows = []
    jn = _norm_J(_EI())
    for k, tau_I in enumerate(TAU_IS):
        m = _EI(tau_I=tau_I)
        fp = _fixed_point(m)
        lib_l = fp.eigenvalues[np.argmax(np.imag(fp.eigenvalues))]
        cf_p, _, b, delta = _closed_form_eigs(m)
        x0 = fp.state + np.array([1.0, 0.0])
        tr = simulate(m, t_max=600.0, dt=DT, x0=x0, record_every=1)
        lag = 50
        lam_sim, _n_used = _eigs_from_simulation(tr, fp.state, lag, model=m)
        ls = lam_sim[0]
        # Euler's discrete eigenvalue ln(1 + λdt)/dt differs from λ by λ²dt/2 (1 + O(λdt))
        shift = abs(lib_l) ** 2 * DT / 2 * (1 + abs(lib_l) * DT)
        fit_rnd = 1e4 * EPS / (lag * DT)
        letter = "abc"[k]
        checks.append(compare(
            f"Q15{letter}", f"eigenvalue at τ_I = {tau_I:g} ms: library against closed form",
            "|λ(library) − (b + i√−Δ)/2| (1/ms)", 0.0, abs(lib_l - cf_p),
            64 * EPS * abs(cf_p), "both exact: rounding"))
        checks.append(compare(
            f"Q15{letter}{'1'}", f"τ_I = {tau_I:g} ms: real part measured in a simulation",
            "Re λ (1/ms)", float(lib_l.real), float(ls.real), shift + fit_rnd,
            "Euler's discrete eigenvalue ln(1 + λdt)/dt is within |λ|²dt/2 of λ; the "
            "propagator fit adds rounding only"))
        checks.append(compare(
            f"Q15{letter}{'2'}", f"τ_I = {tau_I:g} ms: frequency measured in a simulation",
            "Im λ (rad/ms)", float(lib_l.imag), float(ls.imag), shift + fit_rnd, "as above"))
        rows.append((tau_I, b, delta, lib_l, ls, fp.type))

    # Hopf point
    bifurcation_diagram = lib("analysis.bifurcation", "bifurcation_diagram")
    m0 = _EI()
    tau_grid = np.linspace(20.0, 80.0, 61)
    diag = ws.cached("ei_bifurcation", lambda: bifurcation_diagram(m0, "tau_I", tau_grid))
    hopf = [p.value for p in diag.hopf]
    closed = m0.tau_E * (1 - m0.M_II) / (m0.M_EE - 1)
    checks.append(compare("Q15d", "loss of stability: τ_I at which Re λ = 0",
                          "Hopf point of the library's bifurcation diagram (ms)", closed,
                          float(hopf[0]) if hopf else float("nan"), 1e-12 * closed,
                          "closed form or Brent root finding to 1e-12 relative"))
    # limit cycle at tau_I = 50 from inside and outside
    find_limit_cycle = lib("analysis.limit_cycle", "find_limit_cycle")
    m50 = _EI(tau_I=50.0)
    cyc = find_limit_cycle(m50)
    tin, tout = _run(ws, 50.0, X_INSIDE), _run(ws, 50.0, X_OUTSIDE)
    per_in = _period_from_simulation(tin, cyc)
    per_out = _period_from_simulation(tout, cyc)
    tol_T = cyc.period * jn * DT + 2 * DT
    checks.append(compare("Q15e", "period of the cycle at τ_I = 50 ms (from inside, (25, 25) Hz)",
                          "period (ms): shooting vs simulation", cyc.period, per_in, tol_T,
                          "first-order method: relative error of the flow ≤ ‖J‖dt per unit time "
                          "(‖J‖ the largest over the regions, kinks included); plus two samples "
                          "of crossing-time interpolation"))
    checks.append(compare("Q15f", "the same cycle from outside ((50, 60) Hz)",
                          "period (ms): shooting vs simulation", cyc.period, per_out, tol_T,
                          "as Q15e"))
    amp_tol = float(np.max(cyc.maximum)) * jn * DT * 4
    for j, (lbl, tr) in enumerate((("inside", tin), ("outside", tout))):
        last = tr.rates[tr.t > T_MAX - cyc.period]
        checks.append(compare(f"Q15{'gh'[j]}", f"ν_E maximum on the cycle reached from {lbl}",
                              "max ν_E over the last period (Hz)", float(cyc.maximum[0]),
                              float(last[:, 0].max()), amp_tol,
                              "first-order method: the Euler cycle differs from the true one by "
                              "O(‖J‖dt) of its size (factor 4 for the kinks and the sampling)"))

    figs = [_fig_eigen_path(ws, diag), _fig_time_courses(ws, cyc), _fig_cycle(ws, cyc),
            _fig_bifurcation(ws, diag)]
    table = "".join(
        f"<tr><td>{t:g}</td><td>{fmt(b, 5)}</td><td>{fmt(d, 5)}</td><td>{fmt(complex(l), 6)}</td>"
        f"<td>{fmt(complex(s), 6)}</td><td>{ty}</td></tr>" for t, b, d, l, s, ty in rows)
    answer = f"""
<p>Where both populations are active the dynamics are linear, with Jacobian</p>
<div class="math">J = ( (M<sub>EE</sub> − 1)/τ<sub>E</sub> &nbsp;&nbsp; M<sub>EI</sub>/τ<sub>E</sub> ; &nbsp;&nbsp;
M<sub>IE</sub>/τ<sub>I</sub> &nbsp;&nbsp; (M<sub>II</sub> − 1)/τ<sub>I</sub> ).</div>
<p>Its eigenvalues solve λ² − bλ + det J = 0 with b = tr J = (M<sub>EE</sub> − 1)/τ<sub>E</sub> +
(M<sub>II</sub> − 1)/τ<sub>I</sub> and det J = [(M<sub>EE</sub> − 1)(M<sub>II</sub> − 1) − M<sub>EI</sub>M<sub>IE</sub>]/(τ<sub>E</sub>τ<sub>I</sub>):</p>
<div class="math">λ<sub>±</sub> = (b ± i√−Δ)/2, &nbsp; Δ = b² − 4 det J.</div>
<p>Here det J = 0.75/(τ<sub>E</sub>τ<sub>I</sub>) &gt; 0 and Δ &lt; 0, so the fixed point is a focus, and its
stability is the sign of b = 0.025 − 1/τ<sub>I</sub> (per ms): stable for τ<sub>I</sub> &lt; 40 ms, a centre
of the linearisation at τ<sub>I</sub> = τ<sub>E</sub>(1 − M<sub>II</sub>)/(M<sub>EE</sub> − 1) = 40 ms, unstable above.
Slow inhibition arrives too late to damp the excitatory overshoot.</p>
<table><tr><th>τ<sub>I</sub> (ms)</th><th>b (1/ms)</th><th>Δ (1/ms²)</th><th>λ<sub>+</sub> from the library</th>
<th>λ<sub>+</sub> measured in a simulation</th><th>type</th></tr>{table}</table>
<p>When the fixed point is unstable the rates spiral out until one population hits its threshold;
there the dynamics change (the silent population stops feeding back), and the orbit closes into
a stable <b>limit cycle</b>: E bursts, I follows and silences E, I decays, E recovers. The
threshold does what a saturating nonlinearity does in a smooth model, but the cycle appears at
once with a large amplitude (see “Beyond the tutorial”, B3). At τ<sub>I</sub> = 50 ms the library's
shooting method gives a period of {cyc.period:.4f} ms with ν<sub>E</sub> between
{cyc.minimum[0]:.3f} and {cyc.maximum[0]:.3f} Hz; it is reached from inside, (25, 25) Hz, and from
outside, (50, 60) Hz.</p>
<p><b>Checks.</b> (a-c) For each τ<sub>I</sub>, the library's eigenvalue against the closed form, and
the eigenvalue measured from a 600 ms simulation started 1 Hz off the fixed point (a least-squares
fit of the propagator over 1 ms, using only samples with both populations active).
(d) The Hopf point of <code>analysis.bifurcation.bifurcation_diagram</code>. (e-h) Period and
amplitude of the cycle from shooting (<code>analysis.limit_cycle.find_limit_cycle</code>) against
2500 ms Euler simulations from both starting points.</p>"""
    return Section(qid, title, prompt, answer, checks, figs)


def _period_from_simulation(traj: Any, cyc: Any) -> float:
    """Mean time between upward crossings of ν_E through the cycle's mid level (last 1000 ms)."""
    t, x = traj.t, traj.rates[:, 0]
    level = 0.5 * (cyc.minimum[0] + cyc.maximum[0])
    sel = t > T_MAX - 1000.0
    t, x = t[sel], x[sel]
    up = np.flatnonzero((x[:-1] < level) & (x[1:] >= level))
    tc = t[up] + (level - x[up]) / (x[up + 1] - x[up]) * (t[up + 1] - t[up])
    return float((tc[-1] - tc[0]) / (len(tc) - 1)) if len(tc) > 1 else float("nan")


def _fig_eigen_path(ws: Workspace, diag: Any) -> Any:
    import matplotlib.pyplot as plt

    from ..plotting.ei import plot_eigenvalues, plot_trace_determinant

    fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.6), layout="constrained")
    ax = plot_eigenvalues(diag, ax=axes[0])
    for t in TAU_IS:
        ax.axvline(t, color="0.7", lw=0.6, zorder=0)
    ax.set_ylabel("eigenvalues of the fixed point (1/ms)")
    ax.set_title(r"Eigenvalues against $\tau_I$ (both populations active)")
    ax.grid(alpha=0.3)
    ax = plot_trace_determinant(diag, ax=axes[1], marks=TAU_IS)
    trace = np.concatenate([b.trace for b in diag.branches])
    ax.set_xlim(1.2 * float(np.min(trace)), 1.8 * float(np.max(trace)))   # zoom on the path
    ax.set_xlabel("trace b (1/ms)")
    ax.set_title(r"Path in the trace-determinant plane (colour: $\tau_I$)")
    ax.text(0.03, 0.3, "stable focus\n(trace < 0)", transform=ax.transAxes, fontsize=9)
    ax.text(0.97, 0.6, "unstable focus\n(trace > 0)", transform=ax.transAxes, fontsize=9,
            ha="right")
    ax.locator_params(axis="x", nbins=6)
    ax.grid(alpha=0.3)
    return ws.save(fig, "q15_eigenvalues_trace_det", "Left: real (solid) and imaginary "
                   "(dotted) parts of the eigenvalues against τ_I; the real part crosses zero "
                   "at 40 ms. Right: the fixed point's path in the trace-determinant plane "
                   "crosses the vertical axis (trace 0) from the stable to the unstable side "
                   "while staying a focus, far above the node-focus parabola det = tr²/4.")


def _fig_time_courses(ws: Workspace, cyc: Any) -> Any:
    import matplotlib.pyplot as plt

    from ..plotting.ei import plot_phase_plane, plot_time_course

    fig, axes = plt.subplots(2, 2, figsize=(12.5, 9.0), layout="constrained")
    for row, tau_I in enumerate((30.0, 50.0)):
        tr = _run(ws, tau_I, X_INSIDE)
        ax = plot_time_course(tr, ax=axes[row, 0])
        ax.set_xlim(0, 1000)
        ax.set_title(rf"$\tau_I$ = {tau_I:g} ms, from (25, 25) Hz")
        ax.grid(alpha=0.3)
        ax = plot_phase_plane(_EI(tau_I=tau_I), ax=axes[row, 1], trajectories=[tr],
                              x_range=(-1.5, 60.0), y_range=(-1.0, 35.0), arrows=False,
                              streamlines=False)
        ax.set_title(rf"Phase plane, $\tau_I$ = {tau_I:g} ms")
        legend_below(ax)
    return ws.save(fig, "q15_time_courses", "Forward Euler (dt = 0.02 ms) from (25, 25) Hz. "
                   "Top: at τ_I = 30 ms a damped oscillation into the fixed point. Bottom: at "
                   f"τ_I = 50 ms the rates settle on a limit cycle of period {cyc.period:.1f} ms, "
                   "during which E falls almost silent each cycle.")


def _fig_cycle(ws: Workspace, cyc: Any) -> Any:
    import matplotlib.pyplot as plt

    from ..plotting.ei import plot_phase_plane

    fig, ax = plt.subplots(figsize=(6.6, 5.8), layout="constrained")
    runs = [_run(ws, 50.0, X_INSIDE), _run(ws, 50.0, X_OUTSIDE)]
    plot_phase_plane(_EI(tau_I=50.0), ax=ax, cycle=cyc, trajectories=runs,
                     trajectory_labels=["from inside (25, 25) Hz", "from outside (50, 60) Hz"],
                     x_range=(-2.0, 62.0), y_range=(-2.0, 65.0), arrows=False, streamlines=False)
    ax.set_title(r"$\tau_I$ = 50 ms: one attracting limit cycle")
    legend_below(ax)
    ax.grid(alpha=0.3)
    return ws.save(fig, "q15_limit_cycle", "Trajectories from inside and from outside the "
                   "cycle (forward Euler, 2500 ms) converge to the same closed orbit, the one "
                   "found by the library's shooting method (black).")


def _fig_bifurcation(ws: Workspace, diag: Any) -> Any:
    import matplotlib.pyplot as plt

    from ..plotting.ei import plot_bifurcation, plot_period

    fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.6), layout="constrained")
    ax = plot_bifurcation(diag, unit=0, ax=axes[0])
    ax.set_title(r"Bifurcation diagram in $\tau_I$")
    legend_below(ax)
    ax.grid(alpha=0.3)
    ax = plot_period(diag, ax=axes[1], linear=True)
    ax.set_title("Period of the oscillation")
    legend_below(ax)
    ax.grid(alpha=0.3)
    return ws.save(fig, "q15_bifurcation_tau_I", "Left: the fixed point (stable below 40 ms, "
                   "unstable above) and the extremes of ν_E on the limit cycle (grey band), which "
                   "exists only above 40 ms and is born with a large amplitude. Right: the "
                   "cycle's period (shooting) against the linear estimate 2π/|Im λ|.")


# ------------------------------------------------------------------------------ B3
def nonsmooth_birth(ws: Workspace) -> Section:
    """Beyond the tutorial: the cycle appears at finite amplitude just above 40 ms."""
    import matplotlib.pyplot as plt

    find_limit_cycle = lib("analysis.limit_cycle", "find_limit_cycle")
    m0 = _EI()
    tau_c = float(m0.hopf_tau_I())
    offsets = np.array([0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0])
    amps = []
    for d in offsets:
        c = find_limit_cycle(m0.replace(tau_I=tau_c + d))
        amps.append(np.nan if c is None else float(c.amplitude[0]))
    amps_a = np.array(amps)
    # smooth (supercritical) Hopf: amplitude ∝ sqrt(tau_I - tau_c), i.e. it would shrink by
    # sqrt(1000) ≈ 32 between offsets 10 and 0.01 ms.
    ratio = amps_a[0] / amps_a[-1]
    checks = [
        holds("B3a", "a cycle exists arbitrarily close above the loss of stability",
              "limit cycle found at τ_I = 40.01 ms", True, bool(np.isfinite(amps_a[0]))),
        holds("B3b", "its amplitude does not vanish at the bifurcation",
              "A(40.01)/A(50) > 0.5 (a smooth Hopf would give √(0.01/10) ≈ 0.03)", True,
              bool(ratio > 0.5)),
    ]
    below = find_limit_cycle(m0.replace(tau_I=tau_c - 1.0))
    checks.append(holds("B3c", "no cycle below: the fixed point attracts everything",
                        "limit cycle found at τ_I = 39 ms", False, below is not None))
    from ..plotting.ei import plot_cycle_amplitude

    diag = lib("analysis.bifurcation", "bifurcation_diagram")(m0, "tau_I", tau_c + offsets)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    plot_cycle_amplitude(diag, onset=tau_c, ax=ax)
    ax.set_title("Birth of the oscillation: finite amplitude at once")
    ax.grid(alpha=0.3, which="both")
    figure = ws.save(fig, "b3_nonsmooth_birth", "Amplitude of the limit cycle against the "
                     "distance to the bifurcation (log scale). A smooth Hopf bifurcation would "
                     "follow the dashed square-root law; the threshold-linear network's cycle "
                     "keeps almost its full size as τ_I → 40 ms⁺.")
    answer = f"""
<p>In a smooth network a supercritical Hopf bifurcation produces a small cycle whose amplitude
grows like √(τ<sub>I</sub> − τ<sub>c</sub>). The threshold-linear E-I network is different. At
τ<sub>I</sub> = 40 ms the linearisation is an exact centre: a whole family of closed ellipses around
the fixed point, up to the largest one that touches a threshold. Just above 40 ms the orbits
spiral out slowly through that family until they reach the threshold, where the silent
population's feedback is cut; the orbit is closed there, at the scale set by the distance from
the fixed point to the threshold, not by τ<sub>I</sub> − 40 ms. The cycle is thus born at a finite
amplitude (a non-smooth, border-type bifurcation), and no normal-form argument applies.</p>
<p><b>Checks.</b> The library's shooting method finds the cycle at τ<sub>I</sub> − 40 ms =
{", ".join(f"{d:g}" for d in offsets)} with peak-to-peak ν<sub>E</sub> amplitudes
{", ".join(f"{a:.2f}" for a in amps_a)} Hz; the ratio between the closest and the farthest is
{ratio:.3f}, where a square-root law would give {math.sqrt(offsets[0] / offsets[-1]):.3f}. Below
40 ms no cycle is found.</p>"""
    return Section("B3", "The non-smooth birth of the oscillation",
                   "How does the oscillation of Q15 appear as τ<sub>I</sub> crosses 40 ms?",
                   answer, checks, [figure])


SECTIONS: tuple[Callable[[Workspace], Section], ...] = (q13, q14, q15)
