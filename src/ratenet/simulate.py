"""One entry point, :func:`simulate`, for every model.

* Ring models with Fourier-mode coupling and the built-in tuned input run in
  compiled kernels (``ratenet._kernels``), batched over parameter sets.
* Anything else (an FFT or dense ring, a user input function, an E-I or any
  :class:`~ratenet.RateNetwork`) runs through the same fixed-step methods in NumPy,
  driven by the model's own ``rhs``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ._engine import (
    _assemble,
    _check_dt,
    _check_memory,
    _chunks,
    _finish,
    _initial_state,
    _n_steps,
    _progress_bar,
    _ring_compiled_ok,
    _step,
)
from ._validation import ParameterError, check_int, check_positive, check_seed
from .models.ei_ring import EIRingModel
from .models.ring import RingModel
from .network import RateNetwork
from .results import Trajectory
from .transfer import ThresholdLinear

__all__ = ["METHODS", "simulate"]

METHODS = ("euler", "heun", "rk4")
_ON_DIVERGENCE = ("warn", "raise", "ignore")


def simulate(
    model: Any,
    *,
    t_max: float,
    dt: float | None = None,
    method: str = "euler",
    x0: np.ndarray | None = None,
    record_every: int | None = 1,
    seed: int | None = 0,
    max_rate: float = 1e6,
    parallel: bool = True,
    progress: bool = False,
    on_divergence: str = "warn",
    engine: str = "auto",
    noise: Any = None,
    heterogeneity: Any = None,
    trial_index: Any = None,
) -> Trajectory:
    """Integrate a rate model with a fixed-step method.

    Parameters
    ----------
    model : RingModel, sequence of RingModel, RateNetwork, or a model with ``to_network()``
        A sequence of ring models with the same ``N`` and transfer type runs as one batch.
        :class:`~ratenet.models.ei_ring.EIRingModel` (or a sequence of them, same ``N``)
        runs in its own compiled kernels and returns an ``EIRingTrajectory``.
    t_max : float
        Duration (ring: units of tau; E-I: ms).
    dt : float, optional
        Time step; default ``min(tau) / 100``.
    method : {"euler", "heun", "rk4"}
        Forward Euler (the tutorial's method, order 1), Heun (order 2) or
        classical Runge-Kutta (order 4).
    x0 : array_like of shape (n,) or (B, n), optional
        Initial rates. Default for the ring: small positive random rates
        ``1e-3 * U(0, 1)`` drawn from ``seed`` (row b from ``SeedSequence(seed,
        spawn_key=(b,))``), which lets a bump form where one should; for other
        networks: zeros.
    record_every : int or None, default 1
        Keep every k-th step (the initial state included); None keeps only the final state.
    seed : int or None, default 0
        Seed of the ring's default initial rates and of its noise. Any other network
        (a RateNetwork, an E-I model) starts from zeros, or from ``x0``, and has no noise:
        nothing random, so a seed other than the default has no effect there and gives a
        ``UserWarning`` saying so.
    max_rate : float, default 1e6
        Bound on the rates; a row whose rates leave it is stopped and reported as diverged.
    parallel : bool, default True
        Spread a batch over the CPU cores (compiled ring kernels only).
        Results do not depend on it.
    progress : bool, default False
        Show a progress bar on stderr.
    on_divergence : {"warn", "raise", "ignore"}
        What to do, besides setting ``status``, when a row diverges.
    engine : {"auto", "compiled", "numpy"}
        Force the NumPy path (reference implementation) or require the compiled one.
    noise : ratenet.Noise, optional
        Additive white noise on the rates and/or Ornstein-Uhlenbeck input noise
        (ring models only; Euler-Maruyama, compiled). See :mod:`ratenet.noise`.
        E-I rings take white noise on the rates (``Noise(sigma=...)``) only.
    heterogeneity : ratenet.Heterogeneity, optional
        A seeded frozen perturbation of the thresholds and/or the couplings (ring only).
    trial_index : int or array of int, optional
        Index of each row as a trial (default ``0 .. B-1``; an int gives the first index).
        With noise, row b's initial rates and noise depend only on ``(seed,
        trial_index[b])``, so a batch split into chunks gives the same trials.

    Returns
    -------
    Trajectory
        :class:`RingTrajectory` for ring models.

    Examples
    --------
    >>> from ratenet import RingModel, simulate
    >>> traj = simulate(RingModel(J0=-1.0, J1=1.0, h0=1.0, N=64), t_max=20.0)
    >>> round(float(traj.mean_rate[-1]), 3)  # h0 / (1 - J0)
    0.5
    """
    if method not in METHODS:
        raise ParameterError("method", method, f"one of {METHODS}")
    if on_divergence not in _ON_DIVERGENCE:
        raise ParameterError("on_divergence", on_divergence, f"one of {_ON_DIVERGENCE}")
    if engine not in ("auto", "compiled", "numpy"):
        raise ParameterError("engine", engine, "one of ('auto', 'compiled', 'numpy')")
    t_max = check_positive("t_max", t_max)
    max_rate = check_positive("max_rate", max_rate)
    if record_every is not None:
        record_every = check_int("record_every", record_every, minimum=1)
    seed = check_seed("seed", seed)
    if not isinstance(parallel, (bool, np.bool_)):
        raise ParameterError("parallel", parallel, "True or False")
    if not isinstance(progress, (bool, np.bool_)):
        raise ParameterError("progress", progress, "True or False")

    if isinstance(model, EIRingModel) or (isinstance(model, (list, tuple)) and model and all(
            isinstance(m, EIRingModel) for m in model)):
        from .ei_ring._simulate import simulate_ei_ring

        one = isinstance(model, EIRingModel)
        rings: list[EIRingModel] = [model] if one else list(model)  # type: ignore[list-item, arg-type]
        return simulate_ei_ring(rings, one, t_max=t_max, dt=dt,
                                method=method, x0=x0, record_every=record_every, seed=seed,
                                max_rate=max_rate, parallel=parallel, progress=progress,
                                on_divergence=on_divergence, engine=engine, noise=noise,
                                heterogeneity=heterogeneity, trial_index=trial_index)
    batch: list[RingModel] | None = None
    single = True
    if isinstance(model, RingModel):
        batch = [model]
    elif isinstance(model, (list, tuple)) and model and all(
            isinstance(m, RingModel) for m in model):
        batch = list(model)
        single = False
    stochastic = (noise is not None and not getattr(noise, "is_zero", False)) or (
        heterogeneity is not None and not getattr(heterogeneity, "is_zero", False)
    ) or trial_index is not None
    if batch is not None and stochastic:
        from .noise import simulate_ring_noisy

        return simulate_ring_noisy(batch, single, t_max=t_max, dt=dt, method=method, x0=x0,
                                   record_every=record_every, seed=seed, max_rate=max_rate,
                                   parallel=parallel, progress=progress,
                                   on_divergence=on_divergence, engine=engine, noise=noise,
                                   heterogeneity=heterogeneity, trial_index=trial_index)
    if stochastic:
        raise ParameterError("noise", noise, "None for models other than the ring "
                             "(noise, heterogeneity and trial_index are ring-only)")
    if batch is not None:
        return _simulate_ring(batch, single, t_max=t_max, dt=dt, method=method, x0=x0,
                              record_every=record_every, seed=seed, max_rate=max_rate,
                              parallel=parallel, progress=progress, on_divergence=on_divergence,
                              engine=engine)
    if isinstance(model, (list, tuple)):
        raise ParameterError("model", type(model).__name__,
                             "a model, or a non-empty list of RingModel objects")
    if engine == "compiled":
        raise ParameterError("engine", engine, "'auto' or 'numpy' for this model type")
    net = model if isinstance(model, RateNetwork) else getattr(model, "to_network", None)
    if net is None:
        raise ParameterError("model", type(model).__name__,
                             "a RingModel, a RateNetwork, or a model with to_network()")
    if not isinstance(net, RateNetwork):
        net = net()
    params = model.to_dict() if hasattr(model, "to_dict") else {"model": "network", "n": net.n}
    dt_ = _check_dt(dt, float(np.min(net.tau)), t_max)
    if seed not in (0, None):
        warnings.warn(f"seed = {seed} has no effect: a {type(model).__name__} starts from "
                      "zeros (or from x0) and runs without noise; pass x0 for other initial "
                      "rates", UserWarning, stacklevel=2)
    x = _initial_state(x0, 1, net.n, None)
    cause = model.divergence_cause() if hasattr(model, "divergence_cause") else (
        "time step too large for the method, or unstable recurrent dynamics")
    traj = _simulate_numpy([net], x, [params], single=True, t_max=t_max, dt=dt_, method=method,
                           record_every=record_every, max_rate=max_rate, progress=progress,
                           causes=[cause], names=tuple(net.names or ()), ring=False)
    return _finish(traj, on_divergence)


# --------------------------------------------------------------------- helpers
# (those shared with ratenet.noise live in ratenet._engine)

# Largest dt * |lambda| for which each method is stable on dx/dt = lambda x, lambda < 0.
_STABILITY_LIMIT = {"euler": 2.0, "heun": 2.0, "rk4": 2.785}


class _LazyCauses:
    """Divergence causes, worked out only for the rows that diverged."""

    def __init__(self, models: list[RingModel], dt: float, method: str) -> None:
        self.models, self.dt, self.method = models, dt, method

    def __getitem__(self, b: int) -> str:
        return _ring_cause(self.models[b], self.dt, self.method)


def _ring_cause(model: RingModel, dt: float, method: str) -> str:
    """Likely cause of a divergence: the time step, or the model's own instability."""
    lam = -min(model.J0 - 1.0, *(Jk / 2.0 - 1.0 for Jk in model.modes[1:]), -1.0) / model.tau
    gain = getattr(model.transfer, "gain", 1.0)
    lam *= max(gain, 1.0)
    limit = _STABILITY_LIMIT[method] / lam
    if dt > limit:
        return (f"dt = {dt:g} exceeds the {method} stability limit ~{limit:.3g} for the fastest "
                f"decaying mode (rate {lam:.3g}); reduce dt")
    return model.divergence_cause()


def _simulate_ring(models, single, *, t_max, dt, method, x0, record_every, seed, max_rate,
                   parallel, progress, on_divergence, engine) -> Trajectory:
    N = models[0].N
    for k, m in enumerate(models):
        if m.N != N:
            raise ParameterError(f"model[{k}].N", m.N, f"the same N as model[0] ({N})")
    tau_min = min(m.tau for m in models)
    dt = _check_dt(dt, tau_min, t_max)
    B = len(models)
    x = _initial_state(x0, B, N, seed, ring=True)
    params = [m.to_dict() for m in models]
    causes = _LazyCauses(models, dt, method)
    use_compiled = engine != "numpy" and _ring_compiled_ok(models)
    if engine == "compiled" and not use_compiled:
        raise ParameterError("engine", engine,
                             "'auto' or 'numpy' for rings with FFT/dense coupling, a user input "
                             "function, a Transfer subclass of your own, or mixed transfer "
                             "types")
    names = ()
    if not use_compiled:
        nets = [m.to_network() for m in models]
        traj = _simulate_numpy(nets, x, params, single=single, t_max=t_max, dt=dt, method=method,
                               record_every=record_every, max_rate=max_rate, progress=progress,
                               causes=causes, names=names, ring=True)
        return _finish(traj, on_divergence)

    from . import _kernels as K

    n_steps = _n_steps(t_max, dt)
    rec = record_every if record_every is not None else 0
    n_rec = n_steps // rec + 1 if rec else 0
    _check_memory(B, n_rec, N, record_every)
    R = np.full((B, n_rec, N), np.nan) if rec else np.empty((B, 0, N))
    if rec:
        R[:, 0, :] = x
    div_step = np.zeros(B, dtype=np.int64)
    f = lambda name: np.array([float(getattr(m, name)) for m in models])  # noqa: E731
    J0, J1, h0, eps = f("J0"), f("J1"), f("h0"), f("eps")
    th0, omega, t_on, t_off, tau = f("theta0"), f("omega"), f("t_on"), f("t_off"), f("tau")
    tp = np.array([m.transfer.params for m in models], dtype=float)
    kind = models[0].transfer.kind
    theta = models[0].theta
    max_sum = max_rate * N
    fused = (method == "euler" and not models[0].J_higher
             and isinstance(models[0].transfer, ThresholdLinear))
    kern: Any
    args_pre: tuple[Any, ...]
    if fused:
        cosv, sinv = np.cos(theta), np.sin(theta)
        kern = K.euler_cos_relu_parallel if parallel else K.euler_cos_relu_serial
        args_pre = (cosv, sinv, J0, J1, h0, eps, th0, omega, t_on, t_off, dt / tau,
                    tp[:, 0].copy(), tp[:, 1].copy(), dt)
    else:
        modes = np.arange(1, 2 + len(models[0].J_higher))[:, None]
        cosk, sink = np.cos(modes * theta), np.sin(modes * theta)
        Jk = np.array([m.modes[1:] for m in models], dtype=float)
        kern = K.modes_parallel if parallel else K.modes_serial
        args_pre = (cosk, sink, J0, Jk, h0, eps, th0, omega, t_on, t_off, tau, kind, tp,
                    K.METHODS[method], dt)
    chunks = _chunks(n_steps, max(rec, 1), 50 if progress else 1)
    with _progress_bar(n_steps, progress, "simulating") as bar:
        for start, count in chunks:
            kern(x, *args_pre, start, count, rec, R, max_sum, div_step)
            bar.update(count)
            if np.all(div_step > 0):
                break
    t = np.arange(n_rec) * rec * dt if rec else np.array([n_steps * dt])
    if not rec:
        R = x[:, None, :].copy()
    return _finish(_assemble(R, t, div_step, dt, x, params, single, method, max_rate, causes,
                             ring=True, names=names), on_divergence)


def _simulate_numpy(nets, x, params, *, single, t_max, dt, method, record_every, max_rate,
                    progress, causes, names, ring) -> Trajectory:
    """Reference integrator: the same fixed-step methods driven by each network's ``rhs``."""
    B, n = x.shape
    n_steps = _n_steps(t_max, dt)
    rec = record_every if record_every is not None else 0
    n_rec = n_steps // rec + 1 if rec else 0
    _check_memory(B, n_rec, n, record_every)
    R = np.full((B, n_rec, n), np.nan) if rec else np.empty((B, 0, n))
    if rec:
        R[:, 0, :] = x
    div_step = np.zeros(B, dtype=np.int64)
    with _progress_bar(n_steps * B, progress, "simulating") as bar:
        for b, net in enumerate(nets):
            xb = x[b].copy()
            for step in range(n_steps):
                xb = _step(net.rhs, step * dt, xb, dt, method)
                if not (np.sum(np.abs(xb)) < max_rate * n):
                    div_step[b] = step + 1
                    break
                if rec and (step + 1) % rec == 0:
                    R[b, (step + 1) // rec] = xb
                if step % 256 == 255:
                    bar.update(256)
            x[b] = xb
    t = np.arange(n_rec) * rec * dt if rec else np.array([n_steps * dt])
    if not rec:
        R = x[:, None, :].copy()
    return _assemble(R, t, div_step, dt, x, params, single, method, max_rate, causes, ring=ring,
                     names=names)
