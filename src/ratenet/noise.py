"""Noise and quenched heterogeneity for ring simulations.

:class:`Noise` describes the stochastic terms of the dynamics (additive white
noise on the rates, Ornstein-Uhlenbeck noise on the inputs) and
:class:`Heterogeneity` a seeded, frozen perturbation of the network (threshold
offsets, a random perturbation of the couplings).  Pass them to
:func:`ratenet.simulate` (``noise=..., heterogeneity=...``).

Reproducibility contract
------------------------
Trial ``k`` (``trial_index[k]``, by default its row in the batch) draws its initial
rates from ``SeedSequence(seed, spawn_key=(k,))`` (as noiseless simulations do)
and its noise from a xoshiro256++ generator seeded by
``SeedSequence(seed, spawn_key=(k, 1))``.  Results therefore depend only on
``(seed, trial index)``: the same whether trials run one by one, in one batch, in
chunks (pass ``trial_index``), serially or in parallel.  No global random state
is read or written.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _engine as S  # shared integrator bookkeeping (not ratenet.simulate)
from ._validation import ParameterError, check_int, check_nonnegative, check_positive

__all__ = ["Heterogeneity", "Noise", "trial_generator_states"]


@dataclass(frozen=True)
class Noise:
    """Stochastic terms of the ring dynamics (time in units of ``tau``).

    With both terms the rate equation reads, in Ito form,

        tau dm_i = (-m_i + f(u_i + eta_i)) dt + sigma sqrt(tau) dW_i
        tau_ou d eta_i = -eta_i dt + sigma_ou sqrt(2 tau_ou) dW'_i

    so that an isolated linear unit (``f = 0``) has stationary variance
    ``sigma**2 / 2`` whatever ``tau``, and ``eta_i`` is stationary Gaussian with
    standard deviation ``sigma_ou`` and correlation time ``tau_ou``.  Every unit
    has its own independent noise.

    Parameters
    ----------
    sigma : float, default 0
        Amplitude of additive Gaussian white noise on the rates (rate units).
        Integrated by Euler-Maruyama: each step adds ``sigma sqrt(dt / tau) z``.
    sigma_ou : float, default 0
        Stationary standard deviation of the Ornstein-Uhlenbeck input noise (input units).
    tau_ou : float, default 1
        Correlation time of the input noise (same units as ``tau``); its update is
        the exact one, ``eta <- a eta + sigma_ou sqrt(1 - a^2) z`` with ``a = exp(-dt/tau_ou)``.
    ou_start : {"stationary", "zero"}, default "stationary"
        Initial ``eta``: drawn from its stationary law, or 0.

    Examples
    --------
    >>> Noise(sigma=0.1).is_zero
    False
    """

    sigma: float = 0.0
    sigma_ou: float = 0.0
    tau_ou: float = 1.0
    ou_start: str = "stationary"

    def __post_init__(self) -> None:
        object.__setattr__(self, "sigma", check_nonnegative("sigma", self.sigma))
        object.__setattr__(self, "sigma_ou", check_nonnegative("sigma_ou", self.sigma_ou))
        object.__setattr__(self, "tau_ou", check_positive("tau_ou", self.tau_ou))
        if self.ou_start not in ("stationary", "zero"):
            raise ParameterError("ou_start", self.ou_start, "'stationary' or 'zero'")

    @property
    def is_zero(self) -> bool:
        return self.sigma == 0.0 and self.sigma_ou == 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"sigma": self.sigma, "sigma_ou": self.sigma_ou, "tau_ou": self.tau_ou,
                "ou_start": self.ou_start}


@dataclass(frozen=True)
class Heterogeneity:
    """A quenched (frozen) random perturbation of the ring network.

    One realisation, drawn from ``seed`` alone, is shared by every trial of a
    simulation: a heterogeneous *network* in which many noisy trials run.

    Parameters
    ----------
    threshold_sd : float, default 0
        Standard deviation of Gaussian offsets ``delta_i`` added to each unit's
        threshold (input units): unit i receives ``u_i - delta_i``.
    coupling_sd : float, default 0
        Standard deviation of independent Gaussian perturbations of the coupling
        profile: ``W_ij = (w(theta_i - theta_j) + coupling_sd * g_ij) / N``.  The
        coupling is then no longer circulant and costs O(N^2) per step.
    seed : int, default 0
        Seed of the realisation.

    Examples
    --------
    >>> het = Heterogeneity(threshold_sd=0.05, seed=3)
    >>> het.threshold_offsets(4).shape
    (4,)
    """

    threshold_sd: float = 0.0
    coupling_sd: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold_sd", check_nonnegative("threshold_sd",
                                                                   self.threshold_sd))
        object.__setattr__(self, "coupling_sd", check_nonnegative("coupling_sd",
                                                                  self.coupling_sd))
        object.__setattr__(self, "seed", check_int("seed", self.seed, minimum=0))

    @property
    def is_zero(self) -> bool:
        return self.threshold_sd == 0.0 and self.coupling_sd == 0.0

    def _rng(self, which: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(which,)))

    def threshold_offsets(self, N: int) -> np.ndarray:
        """Threshold offsets ``delta_i``, shape ``(N,)`` (zeros when ``threshold_sd == 0``)."""
        if self.threshold_sd == 0.0:
            return np.zeros(N)
        return self.threshold_sd * self._rng(0).standard_normal(N)

    def coupling_perturbation(self, N: int) -> np.ndarray:
        """Perturbation of ``W``, shape ``(N, N)``, already divided by ``N``."""
        if self.coupling_sd == 0.0:
            return np.zeros((N, N))
        return self.coupling_sd * self._rng(1).standard_normal((N, N)) / N

    def to_dict(self) -> dict[str, Any]:
        return {"threshold_sd": self.threshold_sd, "coupling_sd": self.coupling_sd,
                "seed": self.seed}


def trial_generator_states(seed: int | None, trial_index: Sequence[int] | np.ndarray
                           ) -> np.ndarray:
    """Initial xoshiro256++ states of the trials' noise generators, shape ``(B, 4)`` uint64.

    Trial k's state is ``SeedSequence(seed, spawn_key=(k, 1)).generate_state(4)``.
    """
    out = np.empty((len(trial_index), 4), dtype=np.uint64)
    for b, k in enumerate(trial_index):
        st = np.random.SeedSequence(seed, spawn_key=(int(k), 1)).generate_state(4, np.uint64)
        if not np.any(st):  # the all-zero state is the one xoshiro cannot leave
            st[0] = np.uint64(1)
        out[b] = st
    return out


def check_trial_index(trial_index: Any, B: int) -> np.ndarray:
    """Validated trial indices, shape ``(B,)`` (default ``0 .. B-1``)."""
    if trial_index is None:
        return np.arange(B)
    if isinstance(trial_index, (int, np.integer)) and not isinstance(trial_index, bool):
        start = check_int("trial_index", trial_index, minimum=0)
        return np.arange(start, start + B)
    arr = np.asarray(trial_index)
    if arr.shape != (B,) or arr.dtype.kind not in "iu" or np.any(arr < 0):
        raise ParameterError("trial_index", trial_index,
                             f"a non-negative int (first index) or {B} non-negative ints")
    return arr.astype(np.int64)


def initial_rates(seed: int | None, trial_index: np.ndarray, N: int) -> np.ndarray:
    """Default initial rates ``1e-3 U(0, 1)`` per trial, as :func:`ratenet.simulate` draws them."""
    out = np.empty((trial_index.size, N))
    for b, k in enumerate(trial_index):
        ss = np.random.SeedSequence(seed, spawn_key=(int(k),))
        out[b] = 1e-3 * np.random.default_rng(ss).random(N)
    return out


class NoisyRingRun:
    """A prepared batch of noisy ring trials that can be advanced step by step.

    Holds the state ``x`` (B, N), the OU inputs, the generators' states and the
    divergence flags; :meth:`advance` integrates ``count`` Euler-Maruyama steps.
    Advancing in several calls gives exactly the result of one call.  Used by
    :func:`ratenet.simulate` and by :mod:`ratenet.attractor` (which records only
    the order parameters instead of every rate).
    """

    def __init__(self, models, *, dt, x0, seed, noise, heterogeneity, trial_index,
                 parallel=True, max_rate=1e6, method="euler", engine="auto"):
        from . import _noise_kernels as NK
        from .transfer import ThresholdLinear

        noise = noise if noise is not None else Noise()
        het = heterogeneity if heterogeneity is not None else Heterogeneity()
        if not isinstance(noise, Noise):
            raise ParameterError("noise", noise, "a ratenet.Noise instance or None")
        if not isinstance(het, Heterogeneity):
            raise ParameterError("heterogeneity", het, "a ratenet.Heterogeneity instance or None")
        if method != "euler":
            raise ParameterError("method", method,
                                 "'euler' (Euler-Maruyama) when noise or heterogeneity is given")
        if engine == "numpy":
            raise ParameterError("engine", engine,
                                 "'auto' or 'compiled' when noise or heterogeneity is given")
        if not S._ring_compiled_ok(models):
            raise ParameterError("model", "ring with FFT/dense coupling or a user input",
                                 "Fourier-mode rings with the built-in input when noise or "
                                 "heterogeneity is given")
        N = models[0].N
        for k, m in enumerate(models):
            if m.N != N:
                raise ParameterError(f"model[{k}].N", m.N, f"the same N as model[0] ({N})")
        B = len(models)
        self.models, self.noise, self.heterogeneity, self.dt = models, noise, het, dt
        self.N, self.B = N, B
        self.trial_index = idx = check_trial_index(trial_index, B)
        self.x = initial_rates(seed, idx, N) if x0 is None else S._initial_state(
            x0, B, N, seed, ring=True)
        self.states = trial_generator_states(seed, idx)
        self.div_step = np.zeros(B, dtype=np.int64)
        self.max_sum = max_rate * N
        f = lambda name: np.array([float(getattr(m, name)) for m in models])  # noqa: E731
        J0, J1, h0, eps = f("J0"), f("J1"), f("h0"), f("eps")
        th0, omega, t_on, t_off, tau = f("theta0"), f("omega"), f("t_on"), f("t_off"), f("tau")
        tp = np.array([m.transfer.params for m in models], dtype=float)
        theta = models[0].theta
        sig_w = noise.sigma * np.sqrt(dt / tau)
        a = math.exp(-dt / noise.tau_ou)
        a_ou = np.full(B, a)
        sig_ou = np.full(B, noise.sigma_ou * math.sqrt(max(0.0, 1.0 - a * a)))
        self.eta = np.zeros((B, N))
        if noise.sigma_ou > 0.0 and noise.ou_start == "stationary":
            NK.standard_normals(self.states, self.eta)
            self.eta *= noise.sigma_ou
        dthr = het.threshold_offsets(N) if het.threshold_sd > 0 else np.zeros(0)
        DW = het.coupling_perturbation(N) if het.coupling_sd > 0 else np.zeros((0, 0))
        fused = (not models[0].J_higher and isinstance(models[0].transfer, ThresholdLinear)
                 and DW.shape[0] == 0)
        if fused:
            self._kern = NK.em_cos_relu_parallel if parallel else NK.em_cos_relu_serial
            self._moments = np.zeros((B, 3))
            self._args = (self.x, self.eta, self.states, self._moments, np.cos(theta),
                          np.sin(theta), J0, J1,
                          h0, eps, th0, omega, t_on, t_off, dt / tau, tp[:, 0].copy(),
                          tp[:, 1].copy(), dthr, sig_w, a_ou, sig_ou, dt)
        else:
            modes = np.arange(1, 2 + len(models[0].J_higher))[:, None]
            Jk = np.array([m.modes[1:] for m in models], dtype=float)
            self._kern = NK.em_modes_parallel if parallel else NK.em_modes_serial
            self._args = (self.x, self.eta, self.states, np.cos(modes * theta),
                          np.sin(modes * theta), J0, Jk, h0, eps, th0, omega, t_on, t_off, tau,
                          models[0].transfer.kind, tp, dthr, DW, sig_w, a_ou, sig_ou, dt)
        self._no_record = np.empty((B, 0, N))

    def advance(self, start_step: int, count: int, rec_every: int = 0,
                R: np.ndarray | None = None, moments: bool = False) -> None:
        """Integrate steps ``start_step .. start_step + count - 1`` in place.

        Every ``rec_every`` steps (global step count) the rates are written to
        ``R[:, step // rec_every, :]`` (shape (B, T, N)), or with ``moments=True``
        the mean rate and the first Fourier moments ``(1/N) sum x (1, cos, sin)``
        (R of shape (B, T, 3)).
        """
        self._kern(*self._args, start_step, count, rec_every, moments,
                   self._no_record if R is None else R, self.max_sum, self.div_step)


def simulate_ring_noisy(models, single, *, t_max, dt, method, x0, record_every, seed, max_rate,
                        parallel, progress, on_divergence, engine, noise, heterogeneity,
                        trial_index):
    """Driver behind ``simulate(..., noise=..., heterogeneity=...)`` for ring models."""
    dt = S._check_dt(dt, min(m.tau for m in models), t_max)
    run = NoisyRingRun(models, dt=dt, x0=x0, seed=seed, noise=noise,
                       heterogeneity=heterogeneity, trial_index=trial_index, parallel=parallel,
                       max_rate=max_rate, method=method, engine=engine)
    B, N = run.B, run.N
    params = [m.to_dict() for m in models]
    for p in params:
        p["noise"] = run.noise.to_dict()
        p["heterogeneity"] = run.heterogeneity.to_dict()
    causes = [m.divergence_cause() for m in models]
    n_steps = S._n_steps(t_max, dt)
    rec = record_every if record_every is not None else 0
    n_rec = n_steps // rec + 1 if rec else 0
    R = np.full((B, n_rec, N), np.nan) if rec else np.empty((B, 0, N))
    if rec:
        R[:, 0, :] = run.x
    chunks = S._chunks(n_steps, max(rec, 1), 50 if progress else 1)
    with S._progress_bar(n_steps, progress, "simulating") as bar:
        for start, count in chunks:
            run.advance(start, count, rec, R)
            bar.update(count)
            if np.all(run.div_step > 0):
                break
    t = np.arange(n_rec) * rec * dt if rec else np.array([n_steps * dt])
    if not rec:
        R = run.x[:, None, :].copy()
    traj = S._assemble(R, t, run.div_step, dt, run.x, params, single, method, max_rate, causes,
                       ring=True, names=())
    traj.extra.update({"noise": run.noise.to_dict(), "heterogeneity": run.heterogeneity.to_dict(),
                       "seed": seed, "trial_index": run.trial_index.tolist()})
    return S._finish(traj, on_divergence)
