"""Shared pieces of the attractor experiments: model checks, the theoretical bump,
the batched order-parameter run, JSON conversion."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import ParameterError, check_int, check_positive
from ..models.ring import RingModel
from ..noise import Heterogeneity, Noise, NoisyRingRun
from ..transfer import ThresholdLinear


def _check_model(model: Any) -> RingModel:
    if not isinstance(model, RingModel):
        raise ParameterError("model", type(model).__name__, "a ratenet.RingModel")
    if model.coupling != "fourier" or model.external is not None:
        raise ParameterError("model", "FFT/dense coupling or a user input",
                             "a ring with Fourier coupling and the built-in tuned input")
    return model


def _unit_gain_tl(model: RingModel) -> bool:
    t = model.transfer
    return (isinstance(t, ThresholdLinear) and t.gain == 1.0 and t.threshold == 0.0
            and not model.J_higher)


def bump_profile(model: RingModel, psi: np.ndarray) -> np.ndarray | None:
    """The theoretical stationary bump (N -> infinity) centred at each ``psi``.

    Parameters
    ----------
    model : RingModel
        Threshold-linear, unit gain, zero threshold, modes J0 and J1 only.
    psi : ndarray of shape (K,)
        Centres (radians).

    Returns
    -------
    ndarray of shape (K, N), or None when the theory has no bounded, modulated
    state for these parameters (then callers start from small random rates).
    """
    if not _unit_gain_tl(model):
        return None
    from ..theory.ring import stationary_state

    s = stationary_state(J0=model.J0, J1=model.J1, h0=model.h0, eps=model.eps)
    if s.regime in ("unstable", "homogeneous") or not (s.A > 0):
        return None
    d = model.theta[None, :] - np.asarray(psi, dtype=float)[:, None]
    return np.maximum(s.c + s.A * np.cos(d), 0.0)


@dataclass(frozen=True)
class OrderParameters:
    """Order parameters recorded during a batched run.

    Attributes
    ----------
    t : ndarray of shape (T,)
        Times (units of tau).
    C : ndarray of complex, shape (B, T)
        ``(1/N) sum_i m_i exp(i theta_i)``; the bump sits at ``arg C``, its cos
        amplitude is ``2 |C|``.
    r0 : ndarray of shape (B, T)
        Mean rate.
    final : ndarray of shape (B, N)
        Rates at the end.
    diverged : ndarray of bool, shape (B,)
    t_diverged : ndarray of shape (B,)
        nan where the row did not diverge.
    """

    t: np.ndarray
    C: np.ndarray
    r0: np.ndarray
    final: np.ndarray
    diverged: np.ndarray
    t_diverged: np.ndarray

    @property
    def position(self) -> np.ndarray:
        """Bump position ``arg C`` in ``[0, 2 pi)``, shape (B, T)."""
        return np.mod(np.angle(self.C), 2.0 * np.pi)

    @property
    def unwrapped_position(self) -> np.ndarray:
        """Bump position unwrapped along time (no 2 pi jumps), shape (B, T)."""
        return np.unwrap(np.angle(self.C), axis=-1)

    @property
    def amplitude(self) -> np.ndarray:
        """Cos amplitude of the rate profile ``m1 = 2 |C|``, shape (B, T)."""
        return 2.0 * np.abs(self.C)


def run_order_parameters(models: Sequence[RingModel], *, t_max: float, dt: float,
                         record_every: int, x0: np.ndarray | None = None,
                         noise: Noise | None = None,
                         heterogeneity: Heterogeneity | None = None, seed: int | None = 0,
                         trial_index: Any = None, parallel: bool = True,
                         progress: bool = False, max_rate: float = 1e6) -> OrderParameters:
    """Run a batch and record only ``C(t)`` and ``r0(t)`` (memory O(B T), not O(B T N)).

    The same integrator and random streams as ``simulate(models, noise=...,
    heterogeneity=..., trial_index=...)``: the recorded ``C`` equals the one computed
    from that trajectory's rates.

    Parameters
    ----------
    models : sequence of RingModel, length B
    t_max, dt : float
        Duration and Euler(-Maruyama) step, units of tau.
    record_every : int
        Record every k-th step (and the initial state).
    x0 : ndarray of shape (N,) or (B, N), optional
    noise, heterogeneity, seed, trial_index, parallel, max_rate
        As in :func:`ratenet.simulate`.
    progress : bool
        Progress bar on stderr.

    Returns
    -------
    OrderParameters
    """
    from tqdm.auto import tqdm

    t_max = check_positive("t_max", t_max)
    dt = check_positive("dt", dt)
    if dt > t_max:
        raise ParameterError("dt", dt, f"<= t_max = {t_max:g}")
    rec = check_int("record_every", record_every, minimum=1)
    run = NoisyRingRun(list(models), dt=dt, x0=x0, seed=seed, noise=noise,
                       heterogeneity=heterogeneity, trial_index=trial_index, parallel=parallel,
                       max_rate=max_rate)
    n_steps = max(1, math.ceil(t_max / dt - 1e-9))
    n_rec = n_steps // rec + 1
    theta = models[0].theta
    R = np.full((run.B, n_rec, 3), np.nan)
    R[:, 0, 0] = run.x.sum(axis=1) / run.N
    R[:, 0, 1] = (run.x * np.cos(theta)).sum(axis=1) / run.N
    R[:, 0, 2] = (run.x * np.sin(theta)).sum(axis=1) / run.N
    n_chunks = 50 if progress else 1
    size = max(rec, (n_steps // n_chunks) // rec * rec)
    with tqdm(total=n_steps, disable=not progress, desc="simulating", unit="step",
              leave=False) as bar:
        start = 0
        while start < n_steps:
            count = min(size, n_steps - start)
            run.advance(start, count, rec, R, moments=True)
            bar.update(count)
            start += count
            if np.all(run.div_step > 0):
                break
    r0 = R[:, :, 0]
    C = R[:, :, 1] + 1j * R[:, :, 2]
    t = np.arange(n_rec) * rec * dt
    div = run.div_step > 0
    return OrderParameters(t=t, C=C, r0=r0, final=run.x.copy(), diverged=div,
                           t_diverged=np.where(div, run.div_step * dt, np.nan))


def _wrap(a):
    """Angle(s) wrapped to ``(-pi, pi]``."""
    return np.angle(np.exp(1j * np.asarray(a, dtype=float)))


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None
    return obj
