"""Driver behind ``ratenet.simulate(EIRingModel | [EIRingModel, ...])``.

Compiled paths (``ratenet.ei_ring._kernels``): a fused forward-Euler pass for one harmonic
and threshold-linear transfer, and a general kernel (any number of harmonics, any transfer,
Euler / Heun / RK4, Euler-Maruyama with white noise on the rates).  ``engine="numpy"`` runs
the reference integrator driven by :meth:`EIRingModel.rhs`.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .. import _engine as S
from .._validation import ParameterError
from ..models.ei_ring import EIRingModel
from ..transfer import ThresholdLinear
from .trajectory import EIRingTrajectory

__all__ = ["simulate_ei_ring"]

_STABILITY_LIMIT = {"euler": 2.0, "heun": 2.0, "rk4": 2.785}


@functools.lru_cache(maxsize=8)
def _names(N: int, adapt: bool) -> tuple[str, ...]:
    pops = ("E", "I", "a") if adapt else ("E", "I")
    return tuple(f"{p}_{i}" for p in pops for i in range(N))


def _fastest_rate(m: EIRingModel) -> float:
    """Largest |eigenvalue| (1/ms) of the mode matrices with every unit active."""
    g = getattr(m.transfer, "gain", 1.0)
    lam = 1.0 / min(m.tau_E, m.tau_I)
    for k in range(m.n_harmonics + 1):
        A = (g * m.mode_coupling(k) - np.eye(2)) / np.array([m.tau_E, m.tau_I])[:, None]
        lam = max(lam, float(np.max(np.abs(np.linalg.eigvals(A)))))
    return lam


class _Causes:
    def __init__(self, models: list[EIRingModel], dt: float, method: str) -> None:
        self.models, self.dt, self.method = models, dt, method

    def __getitem__(self, b: int) -> str:
        m = self.models[b]
        lam = _fastest_rate(m)
        limit = _STABILITY_LIMIT[self.method] / lam
        if self.dt > limit:
            return (f"dt = {self.dt:g} ms exceeds the {self.method} stability limit "
                    f"~{limit:.3g} ms for the fastest mode (rate {lam:.3g}/ms); reduce dt")
        return m.divergence_cause()


def _initial(x0: Any, models: list[EIRingModel], seed: int | None, idx: np.ndarray) -> np.ndarray:
    B, N, n = len(models), models[0].N, models[0].n_state
    if x0 is not None:
        return S._initial_state(x0, B, n, seed)
    out = np.zeros((B, n))
    for b, k in enumerate(idx):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(int(k),)))
        out[b, :2 * N] = 1e-3 * rng.random(2 * N)
    return out


def simulate_ei_ring(models: list[EIRingModel], single: bool, *, t_max: float, dt: float | None,
                     method: str, x0: Any, record_every: int | None, seed: int | None,
                     max_rate: float, parallel: bool, progress: bool, on_divergence: str,
                     engine: str, noise: Any = None, heterogeneity: Any = None,
                     trial_index: Any = None) -> EIRingTrajectory:
    """Integrate a batch of E-I rings (arguments as :func:`ratenet.simulate`)."""
    from ..noise import Noise, check_trial_index, trial_generator_states

    m0 = models[0]
    for k, m in enumerate(models):
        if m.N != m0.N:
            raise ParameterError(f"model[{k}].N", m.N, f"the same N as model[0] ({m0.N})")
        if m.adaptation != m0.adaptation:
            raise ParameterError(f"model[{k}].J_A", m.J_A,
                                 "J_A > 0 in every model of a batch or in none (model[0] has "
                                 f"J_A = {m0.J_A:g})")
        if type(m.transfer) is not type(m0.transfer):
            raise ParameterError(f"model[{k}].transfer", m.transfer,
                                 "the same transfer type as model[0] "
                                 f"({type(m0.transfer).__name__})")
    if heterogeneity is not None and not getattr(heterogeneity, "is_zero", False):
        raise ParameterError("heterogeneity", heterogeneity, "None for the E-I ring")
    if noise is not None and not isinstance(noise, Noise):
        raise ParameterError("noise", noise, "a ratenet.Noise instance or None")
    noisy = noise is not None and not noise.is_zero
    if noise is not None and noisy:
        if noise.sigma_ou != 0.0:
            raise ParameterError("noise.sigma_ou", noise.sigma_ou,
                                 "0 for the E-I ring (white noise on the rates, sigma, only)")
        if method != "euler":
            raise ParameterError("method", method, "'euler' (Euler-Maruyama) with noise")
        if engine == "numpy":
            raise ParameterError("engine", engine, "'auto' or 'compiled' with noise")
    B, N = len(models), m0.N
    idx = check_trial_index(trial_index, B)
    dt = S._check_dt(dt, min(min(m.tau_E, m.tau_I) for m in models), t_max)
    x = _initial(x0, models, seed, idx)
    params = [m.to_dict() for m in models]
    if noise is not None and noisy:
        for p in params:
            p["noise"] = noise.to_dict()
    causes = _Causes(models, dt, method)
    names = _names(N, m0.adaptation)
    n_steps = S._n_steps(t_max, dt)
    rec = record_every if record_every is not None else 0
    n_rec = n_steps // rec + 1 if rec else 0
    n = m0.n_state
    S._check_memory(B, n_rec, n, record_every)
    R = np.full((B, n_rec, n), np.nan) if rec else np.empty((B, 0, n))
    if rec:
        R[:, 0, :] = x
    div_step = np.zeros(B, dtype=np.int64)
    max_sum = max_rate * n
    chunks = S._chunks(n_steps, max(rec, 1), 50 if progress else 1)
    if engine == "numpy":
        _numpy_loop(models, x, R, div_step, dt, n_steps, rec, method, max_sum, progress)
    else:
        states = (trial_generator_states(seed, idx) if noisy
                  else np.zeros((B, 4), dtype=np.uint64))
        run = _compiled_runner(models, x, R, div_step, dt, rec, method, max_sum, parallel,
                               noise if noisy else None, states)
        with S._progress_bar(n_steps, progress, "simulating") as bar:
            for start, count in chunks:
                run(start, count)
                bar.update(count)
                if np.all(div_step > 0):
                    break
    t = np.arange(n_rec) * rec * dt if rec else np.array([n_steps * dt])
    if not rec:
        R = x[:, None, :].copy()
    traj = S._assemble(R, t, div_step, dt, x, params, single, method, max_rate, causes,
                       ring=False, names=names)
    out = EIRingTrajectory.from_trajectory(traj)
    if noise is not None and noisy:
        out.extra.update({"noise": noise.to_dict(), "seed": seed,
                          "trial_index": idx.tolist()})
    return S._finish(out, on_divergence)  # type: ignore[return-value]


def uses_fused_kernel(models: list[EIRingModel], method: str, noisy: bool) -> bool:
    """Whether a batch runs in the fused one-pass kernel (Euler, K = 1, threshold-linear)."""
    return (method == "euler" and not noisy and all(not m.J_higher for m in models)
            and isinstance(models[0].transfer, ThresholdLinear))


def _compiled_runner(models, x, R, div_step, dt, rec, method, max_sum, parallel, noise, states):
    from . import _kernels as K

    B = x.shape[0]
    Kmax = max(m.n_harmonics for m in models)
    # one np.array call per table (a batch of thousands: no per-model element assignment)
    Jc = np.zeros((B, Kmax + 1, 2, 2))
    Jc[:, :2] = np.array([(m.J_EE0, m.J_EI0, m.J_IE0, m.J_II0, m.J_EE1, m.J_EI1, m.J_IE1,
                           m.J_II1) for m in models], dtype=float).reshape(B, 2, 2, 2)
    for b, m in enumerate(models):
        if m.J_higher:
            Jc[b, 2:2 + len(m.J_higher)] = np.reshape(m.J_higher, (-1, 2, 2))
    P = np.array([(m.h_E, m.h_I, m.eps_E, m.eps_I, m.theta0, m.tau_E, m.tau_I, m.J_A, m.tau_A,
                   *m.transfer.params) for m in models], dtype=float)
    theta = models[0].theta
    adapt = bool(models[0].adaptation)
    if uses_fused_kernel(models, method, noise is not None):
        kern = K.fused_parallel if parallel else K.fused_serial
        cosv, sinv = np.cos(theta), np.sin(theta)

        def run(start: int, count: int) -> None:
            kern(x, cosv, sinv, Jc, P, adapt, dt, start, count, rec, R, max_sum, div_step)
        return run
    kg = K.general_parallel if parallel else K.general_serial
    ang = np.arange(1, Kmax + 1)[:, None] * theta[None, :]  # (K, N)
    cs = np.empty((2 * Kmax, theta.size))
    cs[0::2] = np.cos(ang)
    cs[1::2] = np.sin(ang)
    sig = np.zeros((B, 2))
    if noise is not None:
        sig[:, 0] = noise.sigma * np.sqrt(dt / P[:, 5])
        sig[:, 1] = noise.sigma * np.sqrt(dt / P[:, 6])
    kind = models[0].transfer.kind
    meth = K.METHODS[method]

    def run_general(start: int, count: int) -> None:
        kg(x, cs, Jc, P, kind, adapt, meth, sig, states, dt, start, count, rec, R, max_sum,
           div_step)
    return run_general


def _numpy_loop(models, x, R, div_step, dt, n_steps, rec, method, max_sum, progress) -> None:
    """Reference integrator: the same fixed-step methods driven by ``EIRingModel.rhs``."""
    with S._progress_bar(n_steps * len(models), progress, "simulating") as bar:
        for b, m in enumerate(models):
            xb = x[b].copy()
            for step in range(n_steps):
                xb = S._step(m.rhs, step * dt, xb, dt, method)
                if not (np.sum(np.abs(xb)) < max_sum):
                    div_step[b] = step + 1
                    break
                if rec and (step + 1) % rec == 0:
                    R[b, (step + 1) // rec] = xb
                if step % 256 == 255:
                    bar.update(256)
            x[b] = xb
