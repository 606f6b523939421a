# ruff: noqa: E501  (long lines are HTML prose)
"""Part 1 of the tutorial, questions 1-12: the ring model, answered and checked.

Every analytic value comes from :mod:`ratenet.theory.ring`; every measured value from
:func:`ratenet.simulate` on a :class:`ratenet.RingModel` of N units integrated with forward
Euler (the tutorial's method). Tolerances are derived in each check from the time step, the
duration and the decay rates of the modes involved, or from float64 rounding where the
comparison is exact in exact arithmetic (the cosine modes are exactly orthogonal on the
N-point grid, so no O(1/N) error enters the linear questions).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, cast

import numpy as np

from ..models.ring import RingModel
from ..plotting.ring import (
    plot_amplification,
    plot_order_parameters,
    plot_profile,
    plot_uniform_rate,
)
from ..results import RingTrajectory
from ..simulate import simulate as _simulate_any
from ._core import (
    EPS,
    Section,
    Workspace,
    compare,
    euler_mode_error,
    fmt,
    holds,
    sum_rounding,
)
from ._lib import lib
from .questions import QUESTIONS

__all__ = ["BASE", "SECTIONS"]

#: The reference ring used throughout part 1 (units of tau; tau = 1).
BASE: dict[str, Any] = {"J0": -0.5, "J1": 1.5, "h0": 1.0}
N = 256
DT = 0.01


def simulate(model: Any, **kw: Any) -> RingTrajectory:
    """:func:`ratenet.simulate` for ring models (typed as returning a RingTrajectory)."""
    return cast(RingTrajectory, _simulate_any(model, **kw))


def _q(k: int) -> tuple[str, str, str]:
    q = QUESTIONS[k - 1]
    return q.id, q.title, q.prompt


def _theory(name: str) -> Callable:
    return lib("theory.ring", name)


def _model(**kw) -> RingModel:
    p = {**BASE, "N": N, **kw}
    return RingModel(**p)


def _transient(d0: float, lams: np.ndarray | list[float], dt: float, n_steps: int) -> float:
    """Bound on what is left of an initial deviation ``d0`` after ``n_steps`` Euler steps.

    Each linear mode is multiplied by ``1 + lam dt`` per step, so the slowest one bounds it.
    """
    factor = max(abs(1.0 + lam * dt) for lam in np.atleast_1d(lams))
    return float(abs(d0) * factor**n_steps)


def _fixed_point_rounding(scale: float, lam_slowest: float, dt: float, n_terms: int) -> float:
    """Rounding floor of an Euler iteration at its fixed point.

    Each step adds an error of a few ulps of ``scale`` (the sums over the units included);
    the iteration contracts errors by ``1 - |lam| dt`` per step, so they accumulate to at
    most (per-step error) / (|lam| dt).
    """
    per_step = sum_rounding(scale, n_terms) + 4 * EPS * scale
    return per_step / (abs(lam_slowest) * dt)


def _eigs(J0: float, J1: float) -> np.ndarray:
    return np.asarray(_theory("mode_eigenvalues")(J0, J1), dtype=float)


# ------------------------------------------------------------------------ Q1 and Q2
def _relax_uniform(ws: Workspace):
    """The reference ring with untuned drive, relaxed from near-silence for 60 tau."""
    def run():
        m = _model(eps=0.0)
        return m, simulate(m, t_max=60.0, dt=DT, record_every=500, seed=1)
    return ws.cached("relax_uniform", run)


def q1(ws: Workspace) -> Section:
    qid, title, prompt = _q(1)
    J0, J1, h0 = BASE["J0"], BASE["J1"], BASE["h0"]
    m0 = float(_theory("uniform_rate")(J0, h0))
    model, traj = _relax_uniform(ws)
    final = traj.final
    current = model.to_network().input_current(float(traj.t[-1]), final)
    analytic = h0 + J0 * m0
    worst = float(current[np.argmax(np.abs(current - analytic))])
    lams = _eigs(J0, J1)
    n_steps = round(traj.t[-1] / traj.dt)
    # the initial deviation split into its uniform part (decays with J0 - 1) and the rest
    # (every other mode decays at least as fast as max(J1/2 - 1, -1))
    dev = traj.rates[0] - m0
    M0 = float(dev.mean())
    rest = float(np.max(np.abs(dev - M0)))
    tol = (abs(J0) + abs(J1) + 1.0) * (_transient(M0, [lams[0]], traj.dt, n_steps)
                                       + _transient(rest, [lams[1], -1.0], traj.dt, n_steps))
    tol += _fixed_point_rounding(m0 * (abs(J0) + abs(J1) + 1), float(np.max(lams)), traj.dt, N)
    check = compare(
        "Q1", "input current in the uniform state", "I (most deviant neuron)", analytic, worst,
        tol, "what is left of the initial transient after 60 τ: its uniform part decays with J0 − 1, "
        "the rest at least as fast as J1/2 − 1, factor (1 + λ dt) per Euler step; plus rounding")
    answer = f"""
<p>Every neuron fires at m<sub>0</sub>, so the recurrent part of the input is the average of the
coupling over the ring times m<sub>0</sub>. The cosine term averages to zero over a full turn,
(1/2π)∫cos(θ − θ′) dθ′ = 0, and the constant term gives J<sub>0</sub>:</p>
<div class="math">I(θ) = h<sub>0</sub> + (1/2π)∫<sub>0</sub><sup>2π</sup>
 [J<sub>0</sub> + J<sub>1</sub> cos(θ − θ′)] m<sub>0</sub> dθ′ = h<sub>0</sub> + J<sub>0</sub> m<sub>0</sub>,</div>
<p>the same for every θ: a uniform rate and a uniform drive give a uniform input.</p>
<p><b>Check.</b> A ring of N = {N} neurons with J<sub>0</sub> = {fmt(J0)}, J<sub>1</sub> = {fmt(J1)},
h<sub>0</sub> = {fmt(h0)} starts from small random rates and runs for 60 τ (Euler, dt = {traj.dt:g}).
The library's <code>RateNetwork.input_current</code> on the final state is compared with
h<sub>0</sub> + J<sub>0</sub>m<sub>0</sub> = {fmt(analytic)}; the neuron farthest from it receives
{fmt(worst, 12)}.</p>"""
    return Section(qid, title, prompt, answer, [check])


def q2(ws: Workspace) -> Section:
    qid, title, prompt = _q(2)
    J0, J1, h0 = BASE["J0"], BASE["J1"], BASE["h0"]
    m0 = float(_theory("uniform_rate")(J0, h0))
    _, traj = _relax_uniform(ws)
    measured = float(traj.mean_rate[-1])
    n_steps = round(traj.t[-1] / traj.dt)
    lam0 = float(_eigs(J0, J1)[0])
    M0 = abs(float(traj.mean_rate[0]) - m0)
    tol = _transient(M0, [lam0], traj.dt, n_steps) + _fixed_point_rounding(m0, lam0, traj.dt, N)
    check = compare(
        "Q2", "uniform rate m0 = h0/(1 − J0)", "population mean rate (units of the drive)",
        m0, measured, tol,
        "the mean deviation M decays alone with eigenvalue J0 − 1 (Q9), factor (1 + (J0 − 1) dt) "
        "per Euler step, over 60 τ; plus the rounding floor of the iteration")
    answer = f"""
<p>At rest dm/dt = 0, so m<sub>0</sub> = f(h<sub>0</sub> + J<sub>0</sub>m<sub>0</sub>). On the
branch where the input is positive, f is the identity and the equation is linear:</p>
<div class="math">m<sub>0</sub> = h<sub>0</sub> + J<sub>0</sub>m<sub>0</sub> &nbsp;⇔&nbsp;
m<sub>0</sub> = h<sub>0</sub> / (1 − J<sub>0</sub>).</div>
<p>This is self-consistent (input h<sub>0</sub> + J<sub>0</sub>m<sub>0</sub> = m<sub>0</sub> &gt; 0)
exactly when h<sub>0</sub> and 1 − J<sub>0</sub> have the same sign; with h<sub>0</sub> &gt; 0 that
means J<sub>0</sub> &lt; 1.</p>
<p><b>Check.</b> <code>theory.ring.uniform_rate</code> gives m<sub>0</sub> = {fmt(m0, 12)} for
J<sub>0</sub> = {fmt(J0)}, h<sub>0</sub> = {fmt(h0)}; the simulated ring of Q1 settles at a mean
rate of {fmt(measured, 12)}. Forward Euler has exactly the same fixed points as the differential
equation, so the only error left is the decaying transient and rounding.</p>"""
    return Section(qid, title, prompt, answer, [check])


# ------------------------------------------------------------------------------ Q3
Q3_J0 = np.array([-8.0, -4.0, -2.0, -1.0, -0.5, 0.0, 0.3, 0.5, 0.7, 0.8, 0.9])
Q3_J0_UNSTABLE = 1.1


def q3(ws: Workspace) -> Section:
    import matplotlib.pyplot as plt

    qid, title, prompt = _q(3)
    h0, J1 = BASE["h0"], BASE["J1"]
    uniform_rate = _theory("uniform_rate")
    m0 = np.array([float(uniform_rate(j, h0)) for j in Q3_J0])
    dt, T = 0.02, 300.0
    models = [_model(J0=float(j), eps=0.0) for j in Q3_J0]
    traj = simulate(models, t_max=T, dt=dt, record_every=None, seed=3)
    measured = traj.mean_rate[:, -1]
    n_steps = round(T / dt)
    tols = []
    for j, target, r0 in zip(Q3_J0, m0, traj.rates[:, 0, :]):
        lam0 = float(_eigs(float(j), J1)[0])
        tols.append(_transient(abs(float(r0.mean()) - target), [lam0], dt, n_steps)
                    + _fixed_point_rounding(target, lam0, dt, N))
    tols_a = np.array(tols)
    k = int(np.argmax(np.abs(measured - m0) / tols_a))
    c1 = compare("Q3a", "m0 against J0 over J0 ∈ [−8, 0.9]",
                 f"mean rate at the worst-matching J0 (J0 = {Q3_J0[k]:g})",
                 m0[k], measured[k], tols_a[k],
                 "per J0: the uniform mode decays with eigenvalue J0 − 1 (slowest at J0 = 0.9), "
                 f"Euler factor per step over {T:g} τ; plus rounding")

    # J0 > 1: the uniform mode grows at rate J0 - 1 until the rates leave the bound.
    lam = Q3_J0_UNSTABLE - 1.0
    max_rate = 1e6
    unstable = _model(J0=Q3_J0_UNSTABLE, eps=0.0)
    tr_u = simulate(unstable, t_max=400.0, dt=dt, record_every=None, seed=3,
                    max_rate=max_rate, on_divergence="ignore")
    m0_u = h0 / (1.0 - Q3_J0_UNSTABLE)  # the (negative, unreachable) rest point of the linear ODE
    start = 0.0  # simulate starts the ring from rates of order 1e-3; the bound is 1e6
    t_pred = math.log((max_rate - m0_u) / (start - m0_u)) / lam
    c2 = holds("Q3b", f"J0 = {Q3_J0_UNSTABLE:g} > 1: the rates grow without bound",
               "simulation reported as diverged", True, bool(tr_u.diverged))
    # Euler grows like (1 + lam dt)^n: the crossing time shifts by t lam dt / 2 at leading
    # order; the initial rates (<= 1e-3) shift it by at most ln(1 + 1e-3 / |m0_u|) / lam.
    tol_t = t_pred * lam * dt / 2 * (1 + lam * dt) + dt + math.log1p(1e-3 / abs(m0_u)) / lam
    c3 = compare("Q3c", "time at which the runaway uniform mode reaches 10⁶",
                 "divergence time (τ)", t_pred, float(tr_u.t_diverged), tol_t,
                 "Euler's growth factor (1 + λdt)ⁿ versus e^{λt}: relative shift λdt/2; one step; "
                 "the spread of the random initial rates")

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    plot_uniform_rate(np.linspace(-8.0, 0.95, 400), h0=h0, ax=ax, measured=(Q3_J0, measured))
    ax.set_title(f"Uniform rate against J₀ (simulations: N = {N}, 300 τ)")
    ax.grid(alpha=0.3)
    figure = ws.save(fig, "q3_uniform_rate_vs_J0", "The uniform rate m₀ against J₀ (line: theory; "
                     "circles: mean rate of simulated rings after 300 τ). It falls to 0 like "
                     "h₀/|J₀| for strong inhibition and blows up as J₀ → 1.")
    answer = f"""
<p>m<sub>0</sub> = h<sub>0</sub>/(1 − J<sub>0</sub>) is positive only for J<sub>0</sub> &lt; 1 (with
h<sub>0</sub> &gt; 0). Inside that range it increases with J<sub>0</sub>:</p>
<ul>
<li>J<sub>0</sub> → −∞ (strong uniform inhibition): m<sub>0</sub> ≈ h<sub>0</sub>/|J<sub>0</sub>| → 0;</li>
<li>J<sub>0</sub> = 0: the neurons simply follow the drive, m<sub>0</sub> = h<sub>0</sub>;</li>
<li>J<sub>0</sub> → 1 from below: recurrent excitation almost replaces the leak and
m<sub>0</sub> → +∞.</li>
</ul>
<p>For J<sub>0</sub> ≥ 1 there is no positive uniform state: the uniform mode grows like
e<sup>(J<sub>0</sub>−1)t</sup> and a threshold-linear network has nothing to stop it.</p>
<p><b>Checks.</b> (a) {len(Q3_J0)} rings with J<sub>0</sub> from −8 to 0.9 run as one batch; the
worst agreement with <code>uniform_rate</code> is at J<sub>0</sub> = {Q3_J0[k]:g}
({fmt(measured[k], 10)} against {fmt(m0[k], 10)}). (b) At J<sub>0</sub> = {Q3_J0_UNSTABLE:g}
<code>simulate</code> reports: “{tr_u.message[:160]}…”. (c) Starting near 0, the mean rate follows
m(t) = m<sub>0</sub> + (m(0) − m<sub>0</sub>) e<sup>(J<sub>0</sub>−1)t</sup> with the negative
m<sub>0</sub> = {fmt(m0_u)}, so it reaches the bound 10<sup>6</sup> at t = ln(10<sup>6</sup>/10 + 1)/0.1
= {fmt(t_pred)} τ; the simulation stops at {fmt(float(tr_u.t_diverged))} τ.</p>"""
    return Section(qid, title, prompt, answer, [c1, c2, c3], [figure])


# ------------------------------------------------------------------------------ Q4
def q4(ws: Workspace) -> Section:
    qid, title, prompt = _q(4)
    J0, J1, h0 = BASE["J0"], BASE["J1"], BASE["h0"]
    m0 = float(_theory("uniform_rate")(J0, h0))
    rng = np.random.default_rng(4)
    model = _model(eps=0.0)
    dm = 0.3 * m0 * rng.uniform(-1.0, 1.0, N)   # every neuron stays above threshold
    T = 8.0
    traj = simulate(model, t_max=T, dt=DT, x0=m0 + dm, record_every=1)
    lam0 = float(_eigs(J0, J1)[0])
    M0 = float(traj.M[0])
    M_theory = _reduced_M(traj.t, J0=J0, J1=J1, M0=M0)
    err = float(np.max(np.abs(traj.M - M_theory)))
    tol = euler_mode_error(lam0, traj.t, DT, M0) + 20 * sum_rounding(m0, N)
    check = compare("Q4", "M(t) of a random perturbation follows the uniform mode alone",
                    "max over t of |M_sim(t) − M(0) e^{(J0−1)t}|", 0.0, err, tol,
                    "forward-Euler error of a linear mode, |λ|²t dt/2 e^{λt} at most; "
                    "plus rounding of the mean over N units at each recorded time")
    answer = f"""
<p>M(t) is the average of the perturbation over all preferred angles: how far the population
mean rate is from m<sub>0</sub>, whatever the shape of δm. It is the projection of δm on the
constant (zeroth Fourier) mode of the ring. Because the coupling acts on that mode only
through J<sub>0</sub>, M evolves by itself, independently of how the perturbation is
distributed around the ring.</p>
<p><b>Check.</b> A random perturbation (each neuron shifted by up to ±30% of m<sub>0</sub>, seed 4)
has M(0) = {fmt(M0)}. Its M(t), measured by <code>RingTrajectory.M</code>, stays on
M(0)e<sup>(J<sub>0</sub>−1)t</sup> to within {fmt(err, 3)} over {T:g} τ, although
every other Fourier mode of the perturbation is present.</p>"""
    return Section(qid, title, prompt, answer, [check])


def _reduced_M(t: np.ndarray, *, J0: float, J1: float, M0: float) -> np.ndarray:
    """M(t) from the library's reduced dynamics (no tuned input)."""
    M, _ = _theory("reduced_dynamics")(t, J0=J0, J1=J1, h0=BASE["h0"], eps=0.0, M_init=M0)
    return np.asarray(M, dtype=float)


def _reduced_C(t: np.ndarray, *, J0: float, J1: float, C0: complex, eps: float = 0.0,
               theta0: float = 0.0) -> np.ndarray:
    """C(t) from the library's reduced dynamics (optionally with a tuned input)."""
    _, C = _theory("reduced_dynamics")(t, J0=J0, J1=J1, h0=BASE["h0"], eps=eps, theta0=theta0,
                                       C_init=C0)
    return np.asarray(C, dtype=complex)


# ------------------------------------------------------------------------ Q5 - Q7
EPS_PERT = 0.2
PHI = 1.0


def _uniform_perturbation(ws: Workspace):
    def run():
        m0 = float(_theory("uniform_rate")(BASE["J0"], BASE["h0"]))
        model = _model(eps=0.0)
        traj = simulate(model, t_max=8.0, dt=DT, x0=np.full(N, m0 + EPS_PERT), record_every=5)
        return m0, traj
    return ws.cached("uniform_perturbation", run)


def _bump_perturbation(ws: Workspace):
    def run():
        m0 = float(_theory("uniform_rate")(BASE["J0"], BASE["h0"]))
        model = _model(eps=0.0)
        x0 = m0 + EPS_PERT * np.cos(model.theta - PHI)
        traj = simulate(model, t_max=20.0, dt=DT, x0=x0, record_every=5)
        return m0, traj
    return ws.cached("bump_perturbation", run)


def q5(ws: Workspace) -> Section:
    qid, title, prompt = _q(5)
    m0, traj = _uniform_perturbation(ws)
    tol = sum_rounding(m0 + EPS_PERT, N) + 2 * EPS * m0
    c1 = compare("Q5a", "M of a uniform perturbation", "M(0)", EPS_PERT, float(traj.M[0]), tol,
                 "float64 rounding of a mean over N units")
    c2 = compare("Q5b", "C of a uniform perturbation", "|C(0)|", 0.0, float(abs(traj.C[0])),
                 tol, "the discrete sum of e^{iθ_k} over the N-point grid is 0 exactly; rounding")
    answer = f"""
<p>With δm(θ) = ε for every θ, the average is ε and the first Fourier coefficient vanishes
because e<sup>iθ</sup> averages to zero over a turn:</p>
<div class="math">M = (1/2π)∫ ε dθ′ = ε, &nbsp;&nbsp; C = (ε/2π)∫ e<sup>iθ′</sup> dθ′ = 0.</div>
<p>A uniform push changes the mean rate and nothing else.</p>
<p><b>Check.</b> For ε = {EPS_PERT:g} on top of m<sub>0</sub> = {fmt(m0)} the library's order
parameters of the initial state are M = {fmt(float(traj.M[0]), 15)} and |C| =
{fmt(float(abs(traj.C[0])), 3)}. On the N-point ring the sums are exact, not approximations
of the integrals: Σ<sub>k</sub> e<sup>2πik/N</sup> = 0.</p>"""
    return Section(qid, title, prompt, answer, [c1, c2])


def q6(ws: Workspace) -> Section:
    qid, title, prompt = _q(6)
    m0, traj = _bump_perturbation(ws)
    C0 = complex(traj.C[0])
    tol = sum_rounding(m0 + EPS_PERT, N) + 2 * EPS * m0
    c1 = compare("Q6a", "M of a cosine bump", "M(0)", 0.0, float(traj.M[0]), tol,
                 "float64 rounding of a mean over N units")
    c2 = compare("Q6b", "modulus of C of a cosine bump", "|C(0)| = ε/2", EPS_PERT / 2,
                 abs(C0), tol, "exact discrete orthogonality of the cosines; rounding")
    c3 = compare("Q6c", "argument of C of a cosine bump", "arg C(0) = φ (rad)", PHI,
                 float(np.angle(C0)), 4 * tol / abs(C0),
                 "rounding of C, divided by |C| (an error δ in C moves its angle by δ/|C|)")
    answer = f"""
<p>Write the cosine with exponentials, ε cos(θ − φ) = (ε/2)[e<sup>i(θ−φ)</sup> + e<sup>−i(θ−φ)</sup>].
The average over a turn is zero, so M = 0. Multiplying by e<sup>iθ′</sup> gives two terms,
(ε/2)e<sup>−iφ</sup>e<sup>2iθ′</sup>, which averages to zero, and (ε/2)e<sup>iφ</sup>, which does not:</p>
<div class="math">M = 0, &nbsp;&nbsp; C = (ε/2) e<sup>iφ</sup>.</div>
<p><b>Check.</b> For ε = {EPS_PERT:g}, φ = {PHI:g} rad: the library finds M = {fmt(float(traj.M[0]), 3)},
|C| = {fmt(abs(C0), 15)} and arg C = {fmt(float(np.angle(C0)), 15)} rad.</p>"""
    return Section(qid, title, prompt, answer, [c1, c2, c3])


VM_KAPPA = 2.0
VM_PHI = 2.345  # deliberately between grid points


def q7(ws: Workspace) -> Section:
    from scipy.special import iv

    qid, title, prompt = _q(7)
    m0 = float(_theory("uniform_rate")(BASE["J0"], BASE["h0"]))
    model = _model(eps=0.0)
    amp = 0.1
    dm = amp * np.exp(VM_KAPPA * (np.cos(model.theta - VM_PHI) - 1.0))
    traj = simulate(model, t_max=DT, dt=DT, x0=m0 + dm, record_every=1)
    C0 = complex(traj.C[0])
    # Fourier coefficients of a von Mises bump: amp e^{-kappa} I_k(kappa) e^{i k phi}.
    C_exact = amp * math.exp(-VM_KAPPA) * iv(1, VM_KAPPA)
    alias = amp * math.exp(-VM_KAPPA) * (iv(N - 1, VM_KAPPA) + iv(N + 1, VM_KAPPA))
    rnd = sum_rounding(m0 + amp, N) + 2 * EPS * m0
    c1 = compare("Q7a", "arg C is the centre of a non-cosine bump",
                 "bump_position (rad) of a von Mises bump centred at φ", VM_PHI,
                 float(traj.bump_position[0]), 4 * (alias + rnd) / C_exact,
                 "aliasing of the harmonics N ± 1 onto the first one on the N-point grid "
                 "(Bessel I_{N±1}(κ), negligible) plus rounding, divided by |C|")
    c2 = compare("Q7b", "|C| is half the first-harmonic amplitude",
                 "|C| = a e^{−κ} I₁(κ)", C_exact, abs(C0), 4 * (alias + rnd),
                 "aliasing of harmonics N ± 1 and rounding")
    answer = f"""
<p>C is the first Fourier coefficient of the perturbation. Its argument is the direction of the
population vector, i.e. where on the ring the perturbation is concentrated (the bump's centre
φ); its modulus is half the amplitude of the cos component, |C| = m<sub>1</sub>/2, and measures
how strongly the activity is tuned. C = 0 means no preferred direction at all.</p>
<p>This holds for any bump symmetric about its centre, not only a pure cosine: for
δm(θ) = a e<sup>κ[cos(θ−φ)−1]</sup> (a von Mises bump) C = a e<sup>−κ</sup>I<sub>1</sub>(κ) e<sup>iφ</sup>,
with I<sub>1</sub> the modified Bessel function.</p>
<p><b>Check.</b> A von Mises bump with a = {amp:g}, κ = {VM_KAPPA:g}, centred at φ = {VM_PHI:g} rad
(between two grid points): the library's <code>bump_position</code> is
{fmt(float(traj.bump_position[0]), 15)} rad and |C| = {fmt(abs(C0), 15)} against
a e<sup>−κ</sup>I<sub>1</sub>(κ) = {fmt(C_exact, 15)}.</p>"""
    return Section(qid, title, prompt, answer, [c1, c2])


# ------------------------------------------------------------------------------ Q8
def q8(ws: Workspace) -> Section:
    qid, title, prompt = _q(8)
    J0, J1, h0 = BASE["J0"], BASE["J1"], BASE["h0"]
    m0 = float(_theory("uniform_rate")(J0, h0))
    model = _model(eps=0.0)
    theta = model.theta
    rng = np.random.default_rng(8)
    dm = 0.2 * m0 * rng.standard_normal(N)
    rhs = model.rhs(0.0, m0 + dm)
    M = dm.mean()
    C = np.mean(dm * np.exp(1j * theta))
    linear = -dm + J0 * M + J1 * np.real(C * np.exp(-1j * theta))
    err = float(np.max(np.abs(rhs - linear)))
    tol = sum_rounding((abs(J0) + abs(J1) + 2) * (m0 + np.max(np.abs(dm))), N)
    check = compare("Q8", "library right-hand side equals the linearised one",
                    "max over neurons of |dm/dt − (−δm + J0 M + J1 Re[C e^{−iθ}])|", 0.0, err,
                    tol, "exact in exact arithmetic while every input is positive; rounding of "
                    "the N-term sums")
    answer = f"""
<p>Put m = m<sub>0</sub> + δm into the rate equation. While every neuron's input stays positive,
f is the identity, so no approximation is needed beyond staying on that branch: the dynamics of
δm are exactly linear,</p>
<div class="math">∂δm(θ,t)/∂t = −δm(θ,t) + (1/2π)∫[J<sub>0</sub> + J<sub>1</sub>cos(θ − θ′)] δm(θ′,t) dθ′.</div>
<p>The J<sub>0</sub> term is J<sub>0</sub>M(t). For the J<sub>1</sub> term write
cos(θ − θ′) = [e<sup>iθ</sup>e<sup>−iθ′</sup> + e<sup>−iθ</sup>e<sup>iθ′</sup>]/2; the two integrals are
the complex conjugate C̄ and C itself:</p>
<div class="math">∂δm/∂t = −δm + J<sub>0</sub>M + (J<sub>1</sub>/2)[e<sup>iθ</sup>C̄ + e<sup>−iθ</sup>C]
 = −δm + J<sub>0</sub>M + J<sub>1</sub>|C| cos(θ − arg C).</div>
<p>The recurrent input seen by a perturbation depends on it only through M and C: the
network “sees” only the mean and the first harmonic.</p>
<p><b>Check.</b> For a random δm (Gaussian, 20% of m<sub>0</sub>, seed 8) the library's
<code>RingModel.rhs</code> and the right-hand side above differ by at most {fmt(err, 3)}.</p>"""
    return Section(qid, title, prompt, answer, [check])


# ------------------------------------------------------------------------------ Q9
def q9(ws: Workspace) -> Section:
    import matplotlib.pyplot as plt

    qid, title, prompt = _q(9)
    J0, J1 = BASE["J0"], BASE["J1"]
    lam0, lam1 = (float(v) for v in _eigs(J0, J1)[:2])
    m0, tu = _uniform_perturbation(ws)
    _, tb = _bump_perturbation(ws)
    M_th = _reduced_M(tu.t, J0=J0, J1=J1, M0=EPS_PERT)
    C_th = _reduced_C(tb.t, J0=J0, J1=J1, C0=EPS_PERT / 2 * np.exp(1j * PHI))
    errM = float(np.max(np.abs(tu.M - M_th)))
    errC = float(np.max(np.abs(tb.C - C_th)))
    rnd = 20 * sum_rounding(m0 + EPS_PERT, N)
    c1 = compare("Q9a", "uniform perturbation: M(t) = ε e^{(J0−1)t}",
                 "max over t of |M_sim − M_reduced|", 0.0, errM,
                 euler_mode_error(lam0, tu.t, DT, EPS_PERT) + rnd,
                 "forward-Euler error of the mode λ = J0 − 1: |λ|² t dt/2 e^{λt} at most")
    c2 = compare("Q9b", "bump perturbation: C(t) = C(0) e^{(J1/2−1)t}",
                 "max over t of |C_sim − C_reduced|", 0.0, errC,
                 euler_mode_error(lam1, tb.t, DT, EPS_PERT / 2) + rnd,
                 "forward-Euler error of the mode λ = J1/2 − 1")
    c3 = compare("Q9c", "bump perturbation: the centre does not move",
                 "max over t of |arg C(t) − φ| (rad)", 0.0,
                 float(np.max(np.abs(np.angle(tb.C * np.exp(-1j * PHI))))),
                 rnd / float(np.min(np.abs(C_th))),
                 "rounding of C divided by the smallest |C| reached")

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    for ax, traj, what in ((axes[0], tu, f"Uniform perturbation ε = {EPS_PERT:g}"),
                           (axes[1], tb, f"Bump perturbation ε cos(θ − {PHI:g}), ε = {EPS_PERT:g}")):
        plot_order_parameters(traj, ax=ax)
        ax.set_title(what)
        ax.grid(alpha=0.3)
    fig.suptitle(rf"Decay of perturbations, $J_0 = {J0:g}$, $J_1 = {J1:g}$: "
                 "network against reduced ODEs")
    figure = ws.save(fig, "q9_perturbation_decay",
                     "Solid: M(t) and |C(t)| of the network (N = 256, forward Euler); dashed: "
                     "the library's reduced ODEs dM/dt = (J₀ − 1)M, dC/dt = (J₁/2 − 1)C from the "
                     "same initial state. Left: a uniform perturbation decays with rate 1 − J₀ and "
                     "never creates a bump (C stays 0). Right: a cosine perturbation decays with "
                     "rate 1 − J₁/2 and never changes the mean (M stays 0).")
    answer = f"""
<p>Average the linearised equation of Q8 over θ. The −δm term gives −M, the J<sub>0</sub>M term
is constant, and e<sup>±iθ</sup> average to zero:</p>
<div class="math">dM/dt = (J<sub>0</sub> − 1) M.</div>
<p>Multiply by e<sup>iθ</sup> and average. −δm gives −C; the constant J<sub>0</sub>M gives zero;
of the two J<sub>1</sub> terms, (J<sub>1</sub>/2)C̄e<sup>2iθ</sup> averages to zero and
(J<sub>1</sub>/2)C survives:</p>
<div class="math">dC/dt = (J<sub>1</sub>/2 − 1) C.</div>
<p>The two order parameters decouple: each is an eigenmode of the linearised network, with
eigenvalues λ<sub>0</sub> = J<sub>0</sub> − 1 = {fmt(lam0)} and λ<sub>1</sub> = J<sub>1</sub>/2 − 1 =
{fmt(lam1)} here. Every higher harmonic (and every mode orthogonal to both) decays at rate 1:
the coupling has no component there.</p>
<p><b>Checks.</b> The network is started from the perturbations of Q5 and Q6 and integrated
with forward Euler (dt = {DT:g}); the library's reduced ODE solutions are compared with
the measured M(t) and C(t) over the whole run (figure). The differences, {fmt(errM, 3)} for M and
{fmt(errC, 3)} for C, are the size of Euler's O(dt) error; the perturbations are
{EPS_PERT / m0:.0%} of m<sub>0</sub>, not small, and the linear theory is still exact because no
neuron crosses its threshold.</p>"""
    return Section(qid, title, prompt, answer, [c1, c2, c3], [figure])


# ----------------------------------------------------------------------------- Q10
def _growth_rate(t: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of log y against t (the exponential growth rate of y)."""
    return float(np.polyfit(t, np.log(y), 1)[0])


def q10(ws: Workspace) -> Section:
    qid, title, prompt = _q(10)
    J0, J1, h0 = BASE["J0"], BASE["J1"], BASE["h0"]
    m0 = float(_theory("uniform_rate")(J0, h0))
    lams = _eigs(J0, J1)
    model = _model(eps=0.0, N=64)
    Jac = model.jacobian(np.full(64, m0))
    ev = np.sort(np.linalg.eigvalsh(0.5 * (Jac + Jac.T)))
    expected = np.sort(np.concatenate([[lams[0]], [lams[1], lams[1]], np.full(64 - 3, -1.0)]))
    err = float(np.max(np.abs(ev - expected)))
    tol_eig = 64 * EPS * float(np.linalg.norm(Jac, 2)) * 10
    c1 = compare("Q10a", "spectrum of the network Jacobian at the uniform state",
                 "max |eig(Jacobian, N = 64) − {J0 − 1, J1/2 − 1 (twice), −1 (N − 3 times)}|",
                 0.0, err, tol_eig,
                 "backward stability of the symmetric eigensolver: error ≲ 10 N ε ‖J‖₂")

    # J1 > 2: a bump grows at rate J1/2 - 1 while all neurons are above threshold.
    J1u = 2.5
    lam_u = J1u / 2 - 1
    mu = _model(J1=J1u, eps=0.0)
    x0 = m0 + 1e-4 * np.cos(mu.theta - PHI)
    T1 = 16.0
    tr = simulate(mu, t_max=T1, dt=DT, x0=x0, record_every=10)
    rate_C = _growth_rate(tr.t, np.abs(tr.C))
    euler_rate = math.log1p(lam_u * DT) / DT
    rate_tol = abs(euler_rate - lam_u) * (1 + lam_u * DT) + 1e-9
    c2 = compare("Q10b", f"J1 = {J1u:g} > 2: a bump grows", "growth rate of |C(t)| (1/τ)",
                 lam_u, rate_C, rate_tol,
                 "Euler multiplies the mode by 1 + λdt per step: its rate is ln(1 + λdt)/dt, "
                 "λ²dt/2 below λ")
    # J0 > 1: the mean grows at rate J0 - 1.
    J0u = 1.2
    lam_m = J0u - 1
    mm = _model(J0=J0u, eps=0.0)
    m0u = h0 / (1 - J0u)
    tr2 = simulate(mm, t_max=T1, dt=DT, x0=np.full(N, 1.0), record_every=10)
    rate_M = _growth_rate(tr2.t, tr2.mean_rate - m0u)
    euler_rate2 = math.log1p(lam_m * DT) / DT
    c3 = compare("Q10c", f"J0 = {J0u:g} > 1: the mean rate runs away",
                 "growth rate of m̄(t) − h0/(1 − J0) (1/τ)", lam_m, rate_M,
                 abs(euler_rate2 - lam_m) * (1 + lam_m * DT) + 1e-9,
                 "as for (b): ln(1 + λdt)/dt against λ")
    answer = f"""
<p>The solutions are M(t) = M(0)e<sup>(J<sub>0</sub>−1)t</sup> and
C(t) = C(0)e<sup>(J<sub>1</sub>/2−1)t</sup>, and all other modes decay like e<sup>−t</sup>. The
uniform state is therefore (linearly) stable if and only if</p>
<div class="math">J<sub>0</sub> &lt; 1 &nbsp; and &nbsp; J<sub>1</sub> &lt; 2.</div>
<ul>
<li>If J<sub>0</sub> &gt; 1 the mean rate runs away exponentially; a threshold-linear network
has no saturation, so the rates grow without bound.</li>
<li>If J<sub>1</sub> &gt; 2 any small tuned component grows: a bump forms at the angle of the
initial C (or of noise). Once the trough of the bump reaches zero the linear theory stops
applying; the rectification then limits the growth and, if J<sub>0</sub> is inhibitory
enough, the network settles in a bump of fixed shape whose position is arbitrary (the marginal
phase; see “Beyond the tutorial”).</li>
</ul>
<p><b>Checks.</b> (a) The Jacobian of a 64-neuron ring at the uniform state, computed by the
library, has eigenvalues J<sub>0</sub> − 1 = {fmt(lams[0])}, J<sub>1</sub>/2 − 1 = {fmt(lams[1])}
(twice: cos and sin) and −1 (61 times), as <code>mode_eigenvalues</code> states (largest
difference {fmt(err, 3)}). (b) With J<sub>1</sub> = {J1u:g} a bump of amplitude 10<sup>−4</sup>
grows with the fitted rate {fmt(rate_C, 8)} (λ = {lam_u:g}; Euler's discrete rate is
{fmt(euler_rate, 8)}). (c) With J<sub>0</sub> = {J0u:g} the mean rate moves away from the
(unreachable) rest point h<sub>0</sub>/(1 − J<sub>0</sub>) = {fmt(m0u)} at the rate
{fmt(rate_M, 8)} (λ = {lam_m:g}).</p>"""
    return Section(qid, title, prompt, answer, [c1, c2, c3])


# ----------------------------------------------------------------------------- Q11
EPS_IN = 0.1
THETA0 = 1.0


def q11(ws: Workspace) -> Section:
    import matplotlib.pyplot as plt

    qid, title, prompt = _q(11)
    J0, J1, h0 = BASE["J0"], BASE["J1"], BASE["h0"]
    st = _theory("stationary_state")(J0=J0, J1=J1, h0=h0, eps=EPS_IN, theta0=THETA0)
    lams = _eigs(J0, J1)
    model = _model(eps=EPS_IN, theta0=THETA0)
    T = 100.0
    m0 = float(_theory("uniform_rate")(J0, h0))
    traj = simulate(model, t_max=T, dt=DT, x0=np.full(N, m0), record_every=100)
    final = traj.final
    m1_sim = float(traj.bump_amplitude[-1])
    C_star = (EPS_IN / 2) / (1 - J1 / 2)
    n_steps = round(T / DT)
    tr = _transient(2 * C_star + 1e-3, lams, DT, n_steps)
    rnd = _fixed_point_rounding(m0 + 2 * C_star, float(np.max(lams)), DT, N)
    c1 = compare("Q11a", "first harmonic of the response",
                 "m1 = ε/(1 − J1/2)", float(st.m1), m1_sim, 2 * (tr + rnd),
                 "decay of the initial difference (slowest mode J1/2 − 1, Euler factor per step, "
                 f"{T:g} τ) plus the rounding floor; m1 = 2|C| doubles both")
    c2 = compare("Q11b", "mean of the response", "r0 = h0/(1 − J0)", float(st.r0),
                 float(traj.mean_rate[-1]), tr + rnd, "as (a)")
    c3 = compare("Q11c", "centre of the response", "bump position = θ0 (rad)", THETA0,
                 float(traj.bump_position[-1]), 2 * (tr + rnd) / m1_sim,
                 "as (a), divided by |C| to become an angle")
    prof = np.asarray(st.profile(model.theta), dtype=float)
    errp = float(np.max(np.abs(final - prof)))
    c4 = compare("Q11d", "whole profile", "max over θ of |m_sim(θ) − m0 − m1 cos(θ − θ0)|",
                 0.0, errp, 3 * (tr + rnd), "as (a), for the sum of three modes")
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    plot_profile(traj, ax=ax, degrees=False, theory=st, legend=False, stride=4,
                 show_input=True)
    ax.axvline(THETA0, color="k", lw=0.8, ls=":")
    ax.set_title(rf"Response to a weakly tuned input ($J_0 = {J0:g}$, $J_1 = {J1:g}$, "
                 rf"$\epsilon = {EPS_IN:g}$)")
    ax.legend(loc="lower left", fontsize=9)
    ax.grid(alpha=0.3)
    figure = ws.save(fig, "q11_tuned_response", "The stationary profile with weakly tuned "
                     "input: a cosine centred on the stimulus angle θ₀, with a modulation "
                     f"m₁ = {float(st.m1):.3g} four times larger than the input's ε = {EPS_IN:g} "
                     "because J₁/2 = 0.75 is close to 1.")
    answer = f"""
<p>The tuned part of the drive enters the linearised equation as a source
ε cos(θ − θ<sub>0</sub>) (take θ<sub>0</sub> = 0 as in the text). It has no mean, so M still obeys
dM/dt = (J<sub>0</sub> − 1)M and relaxes to 0. Its first Fourier coefficient is
(ε/2)e<sup>iθ<sub>0</sub></sup>, so</p>
<div class="math">dC/dt = (J<sub>1</sub>/2 − 1) C + (ε/2) e<sup>iθ<sub>0</sub></sup>
 &nbsp;⟶&nbsp; C<sup>*</sup> = (ε/2) e<sup>iθ<sub>0</sub></sup> / (1 − J<sub>1</sub>/2).</div>
<p>With C = (m<sub>1</sub>/2)e<sup>iθ<sub>0</sub></sup> the network settles into</p>
<div class="math">m(θ) = m<sub>0</sub> + m<sub>1</sub> cos(θ − θ<sub>0</sub>), &nbsp;
 m<sub>0</sub> = h<sub>0</sub>/(1 − J<sub>0</sub>), &nbsp; m<sub>1</sub> = ε/(1 − J<sub>1</sub>/2),</div>
<p>a bump centred on the stimulus, valid as long as m<sub>1</sub> ≤ m<sub>0</sub> (no neuron silent;
otherwise see the rectified profile in “Beyond the tutorial”). For these parameters the library
places the network in the <i>{st.regime}</i> regime.</p>
<p><b>Checks.</b> A ring driven by h<sub>0</sub> + ε cos(θ − θ<sub>0</sub>), θ<sub>0</sub> = {THETA0:g},
runs for {T:g} τ from the uniform state. Library: m<sub>1</sub> = {fmt(float(st.m1), 10)},
r<sub>0</sub> = {fmt(float(st.r0), 10)}; simulation: m<sub>1</sub> = {fmt(m1_sim, 10)},
mean {fmt(float(traj.mean_rate[-1]), 10)}, centre {fmt(float(traj.bump_position[-1]), 10)} rad.</p>"""
    return Section(qid, title, prompt, answer, [c1, c2, c3, c4], [figure])


# ----------------------------------------------------------------------------- Q12
Q12_J0 = (-0.5, 0.4)
Q12_J1 = np.array([-1.6, -1.2, -0.8, -0.4, 0.0, 0.4, 0.7, 0.9, 1.2, 1.5, 1.7, 1.8, 1.9])
Q12_EPS_REL = 0.01   # eps / h0: small enough that m1 <= m0 on the whole grid


def q12(ws: Workspace) -> Section:
    import matplotlib.pyplot as plt

    qid, title, prompt = _q(12)
    h0 = BASE["h0"]
    eps = Q12_EPS_REL * h0
    amplification = _theory("amplification")
    rows = [(j0, j1) for j0 in Q12_J0 for j1 in Q12_J1]
    models = [_model(J0=j0, J1=float(j1), eps=eps) for j0, j1 in rows]
    dt, T = 0.02, 500.0
    x0 = np.array([[h0 / (1 - j0)] * N for j0, _ in rows])
    traj = simulate(models, t_max=T, dt=dt, x0=x0, record_every=None)
    m1 = traj.bump_amplitude[:, -1]
    r0 = traj.mean_rate[:, -1]
    amp_sim = (m1 / r0) / (eps / h0)
    amp_th = np.array([float(amplification(J0=j0, J1=float(j1))) for j0, j1 in rows])
    n_steps = round(T / dt)
    tols = []
    for (j0, j1), a in zip(rows, amp_th):
        lams = _eigs(j0, float(j1))
        m0 = h0 / (1 - j0)
        m1_th = a * eps / h0 * m0
        # transient of m1 (slowest mode) and its effect on the ratio, plus rounding
        d = _transient(m1_th, lams, dt, n_steps)
        d += _fixed_point_rounding(m0 + m1_th, float(np.max(lams)), dt, N)
        tols.append(2 * d / m0 / (eps / h0) * (1 + a * eps / h0))
    tols_a = np.array(tols)
    k = int(np.argmax(np.abs(amp_sim - amp_th) / tols_a))
    j0k, j1k = rows[k]
    c1 = compare("Q12a", "amplification (m1/m0)/(ε/h0) = (1 − J0)/(1 − J1/2)",
                 f"amplification at the worst-matching point (J0 = {j0k:g}, J1 = {j1k:g})",
                 amp_th[k], amp_sim[k], tols_a[k],
                 "per point: transient of the slowest mode after 500 τ and the rounding floor, "
                 "propagated to the ratio m1/m0")
    predicted = np.array([j1 > 2 * j0 for j0, j1 in rows])
    observed = amp_sim > 1.0
    c2 = holds("Q12b", "amplification exactly where J1 > 2 J0",
               f"simulated amplification > 1 ⇔ J1 > 2 J0 at all {len(rows)} grid points",
               True, bool(np.all(predicted == observed)))
    fig, ax = plt.subplots(figsize=(9.6, 4.4), layout="constrained")
    for c, j0 in zip(("C0", "C3"), Q12_J0):
        sel = np.array([r[0] == j0 for r in rows])
        plot_amplification(np.linspace(-1.8, 1.93, 400), J0=j0, ax=ax, color=c,
                           measured=(Q12_J1, amp_sim[sel]))
    ax.set_title("Amplification of the input tuning (all neurons active)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    ax.grid(alpha=0.3, which="both")
    figure = ws.save(fig, "q12_amplification_vs_J1",
                     "Amplification against J₁ for two values of J₀. It exceeds 1 to the right of "
                     "the dashed line J₁ = 2J₀ and diverges as J₁ → 2 (dotted), where the "
                     "uniform state loses stability.")
    answer = f"""
<p>From Q11, m<sub>1</sub> = ε/(1 − J<sub>1</sub>/2) and m<sub>0</sub> = h<sub>0</sub>/(1 − J<sub>0</sub>), so</p>
<div class="math">(m<sub>1</sub>/m<sub>0</sub>) / (ε/h<sub>0</sub>) = (1 − J<sub>0</sub>) / (1 − J<sub>1</sub>/2).</div>
<p>With J<sub>0</sub> &lt; 1 and J<sub>1</sub> &lt; 2 both brackets are positive, and the ratio
exceeds 1 exactly when 1 − J<sub>0</sub> &gt; 1 − J<sub>1</sub>/2, i.e.</p>
<div class="math">J<sub>1</sub> &gt; 2J<sub>0</sub>.</div>
<p>Uniform inhibition (J<sub>0</sub> &lt; 0) lowers the mean while tuned excitation
(J<sub>1</sub> &gt; 0) raises the modulation; both sharpen the tuning relative to the input.
The result is valid while no neuron is silent, m<sub>1</sub> ≤ m<sub>0</sub>; the grid here uses
ε/h<sub>0</sub> = {Q12_EPS_REL:g} so that this holds everywhere.</p>
<p><b>Checks.</b> {len(rows)} rings (two J<sub>0</sub>, {len(Q12_J1)} J<sub>1</sub> each, up to
J<sub>1</sub> = 1.9 where the slowest mode decays at rate 0.05) run as one batch for {T:g} τ.
(a) <code>theory.ring.amplification</code> against the simulated ratio; (b) the sign of
amplification − 1 flips exactly at J<sub>1</sub> = 2J<sub>0</sub>.</p>"""
    return Section(qid, title, prompt, answer, [c1, c2], [figure])


SECTIONS: tuple[Callable[[Workspace], Section], ...] = (
    q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12)

