# ruff: noqa: E501  (long lines are HTML prose)
"""Beyond the tutorial: bistability and a fold of cycles (issue 10).

Part 2's E-I pair with self-inhibition of I (``M_II = -0.5``,
:func:`ratenet.continuation.cycles.bistable_example`) loses stability at the non-smooth Hopf
point ``tau_I = tau_E (1 - M_II)/(M_EE - 1) = 60`` ms, but the Hopf is subcritical: an
unstable cycle is born there and grows as tau_I decreases, until it merges with a stable cycle
at a fold of cycles.  Between the fold and the Hopf point a stable focus and a stable cycle
coexist.  Every number comes from :mod:`ratenet.continuation` (exact shooting for
threshold-linear networks) and is checked against exact simulations
(:func:`ratenet.analysis.trajectory`): two starts that end on the two attractors, two
starts just inside and just outside the unstable cycle, and the disappearance of the stable
cycle on the other side of the fold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._core import Check, Section, Workspace, compare, fmt, holds
from ._lib import lib

__all__ = ["SECTIONS"]

#: The interval of tau_I continued (ms), the value inside the bistable range where the
#: two starts are simulated, and the simulated duration (ms).
TAU_LO, TAU_HI, TAU_BI = 50.0, 70.0, 58.0
T_SIM = 30000.0
DT = 0.05  # output spacing of the exact trajectories (ms)
FOCUS = np.array([40.0, 20.0])  # the both-active equilibrium (Hz), independent of tau_I


def _continuation(ws: Workspace) -> dict[str, Any]:
    def make() -> dict[str, Any]:
        cyc = lib("continuation.cycles", "all_cycle_branches")
        eqf = lib("continuation.equilibria", "continue_equilibria")
        model = lib("continuation.cycles", "bistable_example")()
        eq = eqf(model, "tau_I", TAU_LO, TAU_HI)
        hopf = [p.value for p in eq.points if "opf" in p.kind]
        branches, notes = cyc(model, "tau_I", TAU_LO, TAU_HI, hopf=hopf)
        bist = lib("continuation.cycles", "bistable_intervals")(
            model, "tau_I", TAU_LO, TAU_HI, branches, breakpoints=[p.value for p in eq.points])
        return {"model": model, "eq": eq, "hopf": hopf, "branches": branches, "notes": notes,
                "bistable": bist}

    return ws.cached("continuation_bistable", make)


def _at(branch: Any, value: float) -> list[tuple[float, np.ndarray, bool, float]]:
    """Cycles of ``branch`` at ``value`` corrected by shooting:
    (period, orbit point, stable, |second multiplier|)."""
    cont = lib("continuation.cycles", "continue_cycles")
    out: list[tuple[float, np.ndarray, bool, float]] = []
    v = branch.values
    for j in range(len(branch) - 1):
        a, b = float(v[j]), float(v[j + 1])
        if a == b or not min(a, b) <= value <= max(a, b):
            continue
        w = (value - a) / (b - a)
        T = branch.period[j] + w * (branch.period[j + 1] - branch.period[j])
        x0 = branch.points[j] + w * (branch.points[j + 1] - branch.points[j])
        c = cont(branch_model(value), "tau_I", value - 0.05, value + 0.05, cycle=(x0, T),
                 max_steps=2)
        k = int(np.argmin(np.abs(c.values - value)))
        if abs(c.values[k] - value) <= 1e-12 * value and not any(
                abs(T0 - c.period[k]) < 1e-6 * T0 for T0, *_ in out):
            out.append((float(c.period[k]), np.array(c.points[k]), bool(c.stable[k]),
                        float(np.abs(c.multipliers[k, 1]))))
    return out


def branch_model(tau_I: float) -> Any:
    return lib("continuation.cycles", "bistable_example")().replace(tau_I=tau_I)


def _crossings(t: np.ndarray, e: np.ndarray, level: float) -> tuple[np.ndarray, float]:
    """Upward crossings of ``level`` (linear interpolation) and the largest interpolation
    error ``dt^2 |e''| / (8 |e'|)`` at them (from finite differences of the samples)."""
    d = e - level
    k = np.nonzero((d[:-1] < 0) & (d[1:] >= 0))[0]
    k = k[(k >= 1) & (k + 2 < e.size)]
    tc = t[k] - d[k] * (t[k + 1] - t[k]) / (d[k + 1] - d[k])
    h = float(t[1] - t[0])
    e1 = (e[k + 1] - e[k]) / h
    e2 = (e[k + 2] - 2 * e[k + 1] + e[k]) / h**2
    err = float(np.max(h**2 * np.abs(e2) / (8 * np.abs(e1)))) if k.size else float("nan")
    return tc, err


def bistability(ws: Workspace) -> Section:
    import matplotlib.pyplot as plt

    trajectory = lib("analysis", "trajectory")
    continuation_figure = lib("plotting.continuation", "continuation_figure")
    plot_phase_plane = lib("plotting.ei", "plot_phase_plane")
    res = _continuation(ws)
    model = res["model"]
    eq, branches, bist = res["eq"], res["branches"], res["bistable"]
    checks: list[Check] = []
    p = model.to_dict()
    hopf_closed = p["tau_E"] * (1 - p["M_II"]) / (p["M_EE"] - 1)

    # (a) the Hopf point on the equilibria against the closed form
    hopf = res["hopf"][0] if res["hopf"] else float("nan")
    checks.append(compare("B5a", "non-smooth Hopf point of the equilibrium (continuation)",
                          "τ_I at the Hopf point: τ_E(1 − M_II)/(M_EE − 1) vs the continuation (ms)",
                          hopf_closed, hopf, 1e-8 * hopf_closed,
                          "located to 1e-8 relative (issue 10); the trace of the both-active "
                          "Jacobian is linear in 1/τ_I, the root is exact up to rounding"))
    br = branches[0] if branches else None
    folds = br.folds if br is not None else []
    fold = folds[0] if folds else None
    # (b) the fold of cycles: the second Floquet multiplier is 1 there
    mu = float(np.abs(fold.multipliers[1])) if fold is not None else float("nan")
    checks.append(compare("B5b", "fold of cycles: a second Floquet multiplier equals 1",
                          "|μ₂| at the located fold", 1.0, mu, 1e-6,
                          "μ₂ − 1 is linear in the arclength at a fold and the fold is located "
                          "to ~1e-10 in τ_I; 1e-6 covers the shooting tolerance (1e-10) "
                          "amplified by the condition of the monodromy matrix"))
    # (c) the bistable range from the continuation: [fold, Hopf]
    lo_b, hi_b = bist[0] if bist else (float("nan"), float("nan"))
    fold_v = fold.value if fold is not None else float("nan")
    checks.append(holds("B5c", "the bistable range runs from the fold of cycles to the Hopf point",
                        "bistable_intervals gives one interval [fold, Hopf]", True,
                        len(bist) == 1 and abs(lo_b - fold_v) <= 1e-9 * fold_v
                        and abs(hi_b - hopf) <= 1e-9 * hopf))

    # (d, e) two starts at tau_I = 58 ms: one settles on the focus, one on the stable cycle
    m58 = model.replace(tau_I=TAU_BI)
    here = _at(br, TAU_BI) if br is not None else []
    stable = [c for c in here if c[2]]
    unstable = [c for c in here if not c[2]]
    T_s = stable[0][0] if stable else float("nan")
    T_u = unstable[0][0] if unstable else float("nan")
    mu_u = unstable[0][3] if unstable else float("nan")
    near = FOCUS + np.array([1.0, 0.0])
    far = np.array([90.0, 40.0])
    tr_near = trajectory(m58, near, t_max=T_SIM, dt=DT)
    tr_far = trajectory(m58, far, t_max=T_SIM, dt=DT)
    end_near = float(np.linalg.norm(np.asarray(tr_near.rates)[-1] - FOCUS))
    lam = np.linalg.eigvals(np.array([[(p["M_EE"] - 1) / p["tau_E"], p["M_EI"] / p["tau_E"]],
                                      [p["M_IE"] / TAU_BI, (p["M_II"] - 1) / TAU_BI]]))
    decay = float(np.linalg.norm(near - FOCUS)) * float(np.exp(lam.real.max() * T_SIM))
    checks.append(compare("B5d", f"τ_I = {TAU_BI:g} ms, start 1 Hz from the focus: it settles there",
                          "distance to (40, 20) Hz after 30 s (Hz) vs 0",
                          0.0, end_near, 3 * decay,
                          f"a linear focus: the distance decays as e^(Re λ t) (Re λ = {lam.real.max():.3g}/ms), "
                          "times the eigenvector condition (≤ 3 here)"))
    t, e = np.asarray(tr_far.t), np.asarray(tr_far.rates)[:, 0]
    keep = t > 0.5 * T_SIM
    tc, err = _crossings(t[keep], e[keep], FOCUS[0])
    T_sim = float(np.mean(np.diff(tc))) if tc.size > 2 else float("nan")
    checks.append(compare("B5e", f"τ_I = {TAU_BI:g} ms, start (90, 40) Hz: it settles on the stable cycle",
                          "period (ms): continuation (shooting) vs upward crossings of ν_E = 40 Hz",
                          T_s, T_sim, 2 * err + 1e-9 * T_s,
                          "exact flow; linear interpolation of a crossing errs by ≤ dt²|ν̈|/(8|ν̇|) "
                          f"(dt = {DT:g} ms, measured on the samples), twice for a difference"))
    # (f, g) just inside / just outside the unstable cycle
    inside = outside = None
    tr_in = None
    if unstable:
        x_u = unstable[0][1]
        x_in, x_out = FOCUS + 0.98 * (x_u - FOCUS), FOCUS + 1.02 * (x_u - FOCUS)
        tr_in = trajectory(m58, x_in, t_max=T_SIM, dt=1.0)
        tr_out = trajectory(m58, x_out, t_max=T_SIM, dt=1.0)
        inside = float(np.ptp(np.asarray(tr_in.rates)[-2000:, 0]))
        outside = float(np.ptp(np.asarray(tr_out.rates)[-2000:, 0]))
    checks.append(holds("B5f", "2% inside the unstable cycle: the rates spiral in to the focus",
                        "peak-to-peak ν_E over the last 2 s below 1 Hz", True,
                        inside is not None and inside < 1.0))
    checks.append(holds("B5g", "2% outside the unstable cycle: the rates spiral out to the stable cycle",
                        "peak-to-peak ν_E over the last 2 s above 50 Hz", True,
                        outside is not None and outside > 50.0))
    # (h) below the fold there is no cycle: the far start settles on the focus
    tau_below = round(fold_v - 0.5, 1) if fold is not None else float("nan")
    tr_below = trajectory(model.replace(tau_I=tau_below), far, t_max=T_SIM, dt=1.0)
    below = float(np.ptp(np.asarray(tr_below.rates)[-2000:, 0]))
    checks.append(holds("B5h", f"τ_I = {tau_below:g} ms, below the fold: no cycle, the far start ends on the focus",
                        "peak-to-peak ν_E over the last 2 s below 1 Hz", True, below < 1.0))

    # figures
    fig = continuation_figure(branches, eq, title="E-I model, $M_{II}$ = −0.5: equilibria and "
                              r"cycles against $\tau_I$ (continuation)")
    for ax in fig.axes[:2]:
        ax.axvspan(lo_b, hi_b, color="#fdd0a2", alpha=0.5, zorder=0, lw=0)
        ax.text(0.5 * (lo_b + hi_b), 0.62, "bistable", ha="center", va="center", fontsize=8,
                rotation=90, transform=ax.get_xaxis_transform())
    fig1 = ws.save(fig, "b5_fold_of_cycles",
                   f"Continuation in τ_I of the E-I model with M_II = −0.5. Left and middle: ν_E and ν_I at "
                   f"the equilibrium (black; solid stable, dashed unstable) and the smallest and largest "
                   f"rate over each cycle (stable solid, unstable dashed). The unstable cycle born at the "
                   f"non-smooth Hopf point (τ_I = {fmt(hopf, 8)} ms, star) grows as τ_I decreases and meets "
                   f"the stable cycle at the fold of cycles (τ_I = {fmt(fold_v, 8)} ms, circle); a grazing "
                   f"(the cycle touches the E threshold) lies next to it. Shaded: the bistable range. "
                   f"Right: the periods.")

    fig, ax = plt.subplots(figsize=(7.2, 5.6), layout="constrained")
    orbit_u = trajectory(m58, unstable[0][1], t_max=T_u, dt=0.5) if unstable else None
    orbit_s = trajectory(m58, stable[0][1], t_max=T_s, dt=0.5) if stable else None
    shown = [np.asarray(tr_far.rates)[:8000]]
    labels = ["start (90, 40) Hz (first 400 ms)"]
    if tr_in is not None:
        shown.insert(0, np.asarray(tr_in.rates)[:6000])
        labels.insert(0, "start 2% inside the unstable cycle (first 6 s)")
    plot_phase_plane(m58, ax=ax, trajectories=shown, trajectory_labels=labels,
                     streamlines=False, num=13)
    if orbit_s is not None:
        r = np.asarray(orbit_s.rates)
        ax.plot(r[:, 0], r[:, 1], color="black", lw=2.4, label=f"stable cycle (T = {T_s:.4g} ms)")
    if orbit_u is not None:
        r = np.asarray(orbit_u.rates)
        ax.plot(r[:, 0], r[:, 1], color="black", lw=1.8, ls="--",
                label=f"unstable cycle (T = {T_u:.4g} ms)")
    ax.legend(fontsize=7, loc="lower right", framealpha=0.9)
    ax.set_title(rf"$\tau_I$ = {TAU_BI:g} ms: a stable focus inside a stable cycle", fontsize=10)
    fig2 = ws.save(fig, "b5_bistable_phase_plane",
                   f"Phase plane at τ_I = {TAU_BI:g} ms. The unstable cycle (dashed) separates the basins: "
                   "a start 2% inside it spirals in to the focus, the start at (90, 40) Hz winds onto the "
                   "stable cycle (thick).")

    answer = f"""
<p>Part 2's Hopf point is where the both-active fixed point turns from a stable to an unstable
focus; in the tutorial's model (M<sub>II</sub> = 0) a stable cycle exists on the unstable side only.
That is not the rule. Give the I population self-inhibition, M<sub>II</sub> = −0.5
(<code>continuation.cycles.bistable_example()</code>; the other weights as in part 2). The fixed point
stays at (40, 20) Hz and loses stability at τ<sub>I</sub> = τ<sub>E</sub>(1 − M<sub>II</sub>)/(M<sub>EE</sub> − 1)
= {fmt(hopf_closed, 8)} ms, where its linear centre's largest closed orbit touches the I threshold
(the non-smooth Hopf point of B3). Past that threshold the I unit is silent and the E unit alone
expands, so the cycle born at the Hopf point is <b>unstable</b> (its second Floquet multiplier is
{fmt(mu_u, 4)} at τ<sub>I</sub> = {TAU_BI:g} ms) and it exists <b>below</b> 60 ms: the Hopf point is subcritical.</p>
<p>Forward simulation cannot see an unstable cycle. Continuation can: <code>ratenet.continuation</code>
follows the cycles by exact shooting (the flow is a matrix exponential in each region, threshold
crossings solved exactly) whatever their stability. Followed from the Hopf point, the unstable cycle
grows as τ<sub>I</sub> decreases and meets a stable cycle, one that also crosses the E threshold where the
flow contracts, at a <b>fold of cycles</b>, τ<sub>I</sub> = {fmt(fold_v, 10)} ms (period
{fmt(fold.period if fold is not None else None, 6)} ms). Between the fold and the Hopf point,
τ<sub>I</sub> ∈ [{fmt(lo_b, 8)}, {fmt(hi_b, 8)}] ms, a stable focus and a stable cycle coexist: the
network is <b>bistable</b>, and which state it is in depends on where it starts. At
τ<sub>I</sub> = {TAU_BI:g} ms the stable cycle has period {fmt(T_s, 8)} ms and the unstable one, the
boundary between the two basins, {fmt(T_u, 8)} ms.</p>
<p>The same answer from the command line: <code>ratenet ei analyze --m-ii -0.5 --tau-i {TAU_BI:g}</code>
names the coexisting attractors (from a local continuation), <code>ratenet ei bifurcation --param tau_I
--start {TAU_LO:g} --stop {TAU_HI:g} --m-ii -0.5 --plot fig.png</code> draws the first figure, and
<code>--param2 M_EE --start2 1.1 --stop2 1.6</code> adds the Hopf curve and the bistable band in the
(τ<sub>I</sub>, M<sub>EE</sub>) plane.</p>
<p><b>Checks.</b> (a) The Hopf point on the equilibrium branch is the closed form. (b) At the fold
the second Floquet multiplier is 1. (c) The bistable range is [fold, Hopf]. (d, e) At
τ<sub>I</sub> = {TAU_BI:g} ms, exact simulations from two starts end on the two attractors, the second
with the continuation's period (upward crossings of ν<sub>E</sub> = 40 Hz over the last 15 s).
(f, g) Starts 2% inside and 2% outside the unstable cycle (scaled from the focus) go to different
attractors: the unstable cycle is the separatrix. (h) Half a millisecond below the fold the far start
ends on the focus: the stable cycle is gone.</p>"""
    return Section("B5", "Bistability and a fold of cycles",
                   "Can the E-I pair oscillate and rest at the same parameters, and where does "
                   "the oscillation disappear when it does not end at the Hopf point?",
                   answer, checks, [fig1, fig2])


SECTIONS: tuple[tuple[str, str, Callable[[Workspace], Section]], ...] = (
    ("B5", "Bistability and a fold of cycles", bistability),
)
