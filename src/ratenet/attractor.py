"""Attractor dynamics of the ring model: memory, tracking, diffusion, phase diagram.

Each experiment runs its trials or parameter sets as one compiled batch and
returns a typed, frozen result with ``to_dict()`` (plain JSON: every parameter
and the package version included).  Time is in units of ``tau``, angles in
radians.

* :func:`persistent_activity` -- a cue, then its removal: does the bump persist,
  and how far does it drift?  (It persists in the marginal phase, J1 > 2.)
* :func:`tracking` -- a stimulus rotating at speed ``omega``: the lag of the bump.
  Closed forms: ``arctan(omega tau / (1 - J1/2))`` while every neuron is active
  (broad regime, exact); ``arcsin(omega tau A / eps)`` for a bump in the marginal
  phase at small ``eps`` (``A``: the bump's input amplitude).
* :func:`diffusion` -- under additive white noise of amplitude ``sigma`` the
  position of a bump in the marginal phase (eps = 0) is a random walk.  Its
  diffusion coefficient is measured from the mean squared displacement of many
  trials and compared with :func:`diffusion_theory`, ``D = sigma^2 / (tau N m1^2)``.
* :func:`phase_diagram` -- the analytic regime map in (J0, J1) against the map
  measured from simulations of every grid cell.

The diffusion coefficient
-------------------------
About a bump ``m*(theta - psi)`` the linearised dynamics ``tau d(dm)/dt = L dm``
have a zero mode ``v = d m*/d psi``.  For the coupling ``J0 + J1 cos`` the left
zero mode of ``L = -1 + D W`` (``D``: gains of the units) is ``W v``, which is
proportional to ``sin(theta - psi)`` on *every* unit.  Projecting the noise
``sigma sqrt(tau) dW_i / tau`` on it gives
``d psi = sigma sum_i sin(theta_i - psi) dW_i / (sqrt(tau) sum_i sin(theta_i - psi) v_i)``.
With ``sum_i sin^2 = N/2`` and ``sum_i sin v_i = N |C| = N m1 / 2``
(``m1 = 2|C|``, the cos amplitude of the rate profile),
``<d psi^2> = 2 sigma^2 dt / (tau N m1^2)``, i.e. ``D = sigma^2 / (tau N m1^2)``.
This is also the phase diffusion of ``C = (1/N) sum_j m_j exp(i theta_j)``:
the deterministic flow is neutral along the direction tangent to ``C``.
Noise on the *inputs* reaches the rates only through active units; see
:func:`diffusion_theory` for the Ornstein-Uhlenbeck case.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._validation import ParameterError, as_float, check_int, check_nonnegative, check_positive
from ._version import __version__
from .models.ring import RingModel
from .noise import Heterogeneity, Noise, NoisyRingRun
from .transfer import ThresholdLinear

__all__ = [
    "DiffusionResult",
    "MemoryResult",
    "PhaseDiagramResult",
    "TrackingResult",
    "diffusion",
    "diffusion_theory",
    "persistent_activity",
    "phase_diagram",
    "run_order_parameters",
    "tracking",
    "tracking_lag_theory",
]


# ============================================================== shared helpers
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
    from .theory.ring import stationary_state

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


# ====================================================================== memory
@dataclass(frozen=True)
class MemoryResult:
    """Outcome of a cue-then-removal experiment.

    Attributes
    ----------
    persistent : bool
        True when, at ``t_max``, the bump's cos amplitude ``m1`` is at least
        ``keep_fraction`` of its value at cue offset and at least ``flat_tol``
        times the mean rate (a modulated profile, not a uniform state).
    drift : float
        Displacement of the bump from cue offset to ``t_max`` (radians, unwrapped,
        signed: positive is counter-clockwise); nan when it did not persist
        (a vanished bump has no position).
    position_at_cue_off, position_final : float
        Bump position ``arg C`` (radians in ``[0, 2 pi)``; nan when not persistent).
    amplitude_at_cue_off, amplitude_final : float
        ``m1 = 2 |C|`` at cue offset and at ``t_max``.
    mean_rate_final : float
    diverged : bool
    t, position, amplitude : ndarray of shape (T,)
        The recorded time course.
    params : dict
        Model, cue, integration and noise parameters.
    """

    persistent: bool
    drift: float
    position_at_cue_off: float
    position_final: float
    amplitude_at_cue_off: float
    amplitude_final: float
    mean_rate_final: float
    diverged: bool
    t: np.ndarray = field(repr=False)
    position: np.ndarray = field(repr=False)
    amplitude: np.ndarray = field(repr=False)
    params: dict[str, Any] = field(default_factory=dict, repr=False)
    version: str = __version__

    def to_dict(self, *, series: bool = False) -> dict[str, Any]:
        """Plain JSON; the time series only with ``series=True``."""
        out: dict[str, Any] = {
            "persistent": self.persistent, "drift": self.drift,
            "position_at_cue_off": self.position_at_cue_off,
            "position_final": self.position_final,
            "amplitude_at_cue_off": self.amplitude_at_cue_off,
            "amplitude_final": self.amplitude_final, "mean_rate_final": self.mean_rate_final,
            "diverged": self.diverged, "params": self.params, "ratenet_version": self.version,
        }
        if series:
            out.update({"t": self.t, "position": self.position, "amplitude": self.amplitude})
        return _jsonable(out)


def persistent_activity(model: RingModel, *, cue_off: float, t_max: float, dt: float = 0.01,
                        cue_on: float = 0.0, noise: Noise | None = None,
                        heterogeneity: Heterogeneity | None = None, seed: int = 0,
                        keep_fraction: float = 0.5, flat_tol: float = 0.01,
                        record_every: int | None = None) -> MemoryResult:
    """Cue, then removal: does the bump persist, and how far does it drift?

    The tuned input ``eps cos(theta - theta0)`` of ``model`` is present for
    ``cue_on <= t < cue_off`` and absent afterwards (the uniform ``h0`` stays).
    Starts from small random rates (drawn from ``seed``).

    Parameters
    ----------
    model : RingModel
        Its ``eps`` (> 0) and ``theta0`` define the cue; ``t_on``/``t_off`` are replaced.
    cue_off : float
        End of the cue (units of tau), ``0 < cue_off < t_max``.
    t_max : float
        End of the run.
    dt : float, default 0.01
        Euler(-Maruyama) step.
    cue_on : float, default 0
    noise, heterogeneity : optional
        As in :func:`ratenet.simulate`.
    seed : int, default 0
    keep_fraction : float, default 0.5
        Persistence threshold on ``m1(t_max) / m1(cue_off)``.
    flat_tol : float, default 0.01
        ``m1 / r0`` below which the final profile counts as flat.
    record_every : int, optional
        Steps between records (default: about 400 records).

    Returns
    -------
    MemoryResult

    Examples
    --------
    >>> from ratenet import RingModel
    >>> cue = RingModel(J0=-2.0, J1=4.0, h0=1.0, eps=0.5, theta0=1.0, N=128)
    >>> res = persistent_activity(cue, cue_off=10.0, t_max=30.0)
    >>> res.persistent, abs(res.drift) < 1e-3
    (True, True)
    """
    _check_model(model)
    cue_off = as_float("cue_off", cue_off)
    t_max = check_positive("t_max", t_max)
    cue_on = check_nonnegative("cue_on", cue_on)
    if not cue_on < cue_off < t_max:
        raise ParameterError("cue_off", cue_off, f"in (cue_on, t_max) = ({cue_on:g}, {t_max:g})")
    if model.eps <= 0.0:
        raise ParameterError("eps", model.eps, "> 0 (the cue's amplitude)")
    keep_fraction = check_positive("keep_fraction", keep_fraction)
    flat_tol = check_nonnegative("flat_tol", flat_tol)
    dt = check_positive("dt", dt)
    n_steps = max(1, math.ceil(t_max / dt - 1e-9))
    rec = record_every or max(1, n_steps // 400)
    # align a record with the cue offset
    k_off = max(1, round(cue_off / dt))
    rec = math.gcd(rec, k_off) if k_off % rec else rec
    m = model.replace(t_on=cue_on, t_off=cue_off, omega=0.0)
    op = run_order_parameters([m], t_max=t_max, dt=dt, record_every=rec, noise=noise,
                              heterogeneity=heterogeneity, seed=seed)
    j_off = min(k_off // rec, op.t.size - 1)
    amp = op.amplitude[0]
    finite = np.isfinite(amp)
    j_end = int(np.flatnonzero(finite)[-1])
    a_off, a_end = float(amp[j_off]), float(amp[j_end])
    r_end = float(op.r0[0, j_end])
    diverged = bool(op.diverged[0])
    persistent = (not diverged and a_end >= keep_fraction * a_off
                  and a_end > flat_tol * abs(r_end))
    pos = op.position[0]
    unwrapped = op.unwrapped_position[0]
    drift = float(unwrapped[j_end] - unwrapped[j_off]) if persistent else math.nan
    params = {"model": m.to_dict(), "cue_on": cue_on, "cue_off": cue_off, "t_max": t_max,
              "dt": dt, "seed": seed, "keep_fraction": keep_fraction, "flat_tol": flat_tol,
              "noise": (noise or Noise()).to_dict(),
              "heterogeneity": (heterogeneity or Heterogeneity()).to_dict()}
    return MemoryResult(
        persistent=bool(persistent), drift=drift,
        position_at_cue_off=float(pos[j_off]) if persistent else math.nan,
        position_final=float(pos[j_end]) if persistent else math.nan,
        amplitude_at_cue_off=a_off, amplitude_final=a_end, mean_rate_final=r_end,
        diverged=diverged, t=op.t, position=pos, amplitude=amp, params=params,
    )


# ==================================================================== tracking
def tracking_lag_theory(model: RingModel, speeds: Any) -> np.ndarray:
    """Predicted lag of the bump behind a stimulus rotating at ``speeds`` (radians).

    * Every neuron active (the broad regime, ``J1 < 2``): the network is linear and
      ``C`` obeys ``tau dC/dt = (J1/2 - 1) C + (eps/2) exp(i omega t)``, so the
      profile follows with the exact lag ``arctan(omega tau / (1 - J1/2))``.
    * A bump (narrow or marginal regime): projecting the tuned input on the
      translation mode gives ``tau dpsi/dt = (eps / A) sin(phi - psi)`` to first
      order in ``eps`` (``A``: cos amplitude of the bump's input), so
      ``lag = arcsin(omega tau A / eps)``, nan beyond ``|omega| tau = eps / A``
      (the bump can no longer follow).  In the narrow regime (J1 < 2) the
      translation mode is not neutral and this is only indicative.

    Parameters
    ----------
    model : RingModel
        Threshold-linear, unit gain, zero threshold, modes J0 and J1, ``eps > 0``.
    speeds : array_like
        Stimulus angular speeds (radians per unit time).

    Returns
    -------
    ndarray, shape of ``speeds``
    """
    from .theory.ring import stationary_state

    w = np.asarray(speeds, dtype=float) * model.tau
    if not _unit_gain_tl(model) or model.eps <= 0:
        return np.full(w.shape, np.nan)
    s = stationary_state(J0=model.J0, J1=model.J1, h0=model.h0, eps=model.eps)
    if s.regime == "broad":
        return np.arctan(w / (1.0 - model.J1 / 2.0))
    if s.regime in ("narrow", "marginal") and s.A > 0:
        x = w * s.A / model.eps
        with np.errstate(invalid="ignore"):
            return np.where(np.abs(x) <= 1.0, np.arcsin(np.clip(x, -1, 1)), np.nan)
    return np.full(w.shape, np.nan)


@dataclass(frozen=True)
class TrackingResult:
    """Lag of the bump behind a rotating stimulus, one entry per speed.

    Attributes
    ----------
    speeds : ndarray of shape (S,)
        Stimulus speeds ``omega`` (radians per unit time).
    lag : ndarray of shape (S,)
        Mean of ``wrap(phi(t) - psi(t))`` over the measuring window (radians,
        positive: the bump trails the stimulus); nan where not locked.
    lag_sd : ndarray of shape (S,)
        Its standard deviation over the window (small when locked).
    bump_speed : ndarray of shape (S,)
        Mean angular speed of the bump over the window.
    locked : ndarray of bool, shape (S,)
        The bump moves with the stimulus: ``|bump_speed - omega| <= 0.02 |omega| + 1e-3``
        and ``lag_sd <= 0.05``.
    theory : ndarray of shape (S,)
        :func:`tracking_lag_theory`.
    params : dict
    """

    speeds: np.ndarray
    lag: np.ndarray
    lag_sd: np.ndarray
    bump_speed: np.ndarray
    locked: np.ndarray
    theory: np.ndarray
    params: dict[str, Any] = field(default_factory=dict, repr=False)
    version: str = __version__

    def to_dict(self) -> dict[str, Any]:
        single = self.speeds.size == 1
        pick = (lambda a: a[0]) if single else (lambda a: a)
        return _jsonable({
            "speed": pick(self.speeds), "lag": pick(self.lag), "lag_sd": pick(self.lag_sd),
            "bump_speed": pick(self.bump_speed), "locked": pick(self.locked),
            "lag_theory": pick(self.theory), "params": self.params,
            "ratenet_version": self.version,
        })


def tracking(model: RingModel, *, speeds: Any, t_max: float = 200.0,
             t_settle: float | None = None,
             dt: float = 0.01, noise: Noise | None = None, seed: int = 0,
             parallel: bool = True, progress: bool = False) -> TrackingResult:
    """Lag of the bump behind a stimulus rotating at each of ``speeds``, one batch.

    The tuned input ``eps cos(theta - theta0 - omega t)`` is on throughout.  The lag
    is averaged over ``[t_settle, t_max]``.

    Parameters
    ----------
    model : RingModel
        ``eps > 0``; its ``omega`` is replaced by each speed.
    speeds : float or array_like of shape (S,)
        Angular speeds (radians per unit time).
    t_max : float, default 200
    t_settle : float, optional
        Start of the measuring window (default ``t_max / 2``).
    dt : float, default 0.01
    noise : Noise, optional
    seed : int, default 0
    parallel, progress : bool

    Returns
    -------
    TrackingResult

    Examples
    --------
    >>> from ratenet import RingModel
    >>> m = RingModel(J0=-1.0, J1=1.0, h0=1.0, eps=0.1, N=64)
    >>> r = tracking(m, speeds=[0.5], t_max=40.0)
    >>> bool(abs(r.lag[0] - np.arctan(0.5 / 0.5)) < 1e-2)
    True
    """
    _check_model(model)
    if model.eps <= 0:
        raise ParameterError("eps", model.eps, "> 0 (the rotating stimulus' amplitude)")
    w = np.atleast_1d(np.asarray(speeds, dtype=float))
    if w.ndim != 1 or w.size == 0 or not np.all(np.isfinite(w)):
        raise ParameterError("speeds", speeds, "one or more finite numbers")
    t_max = check_positive("t_max", t_max)
    t_settle = t_max / 2.0 if t_settle is None else check_nonnegative("t_settle", t_settle)
    if not t_settle < t_max:
        raise ParameterError("t_settle", t_settle, f"< t_max = {t_max:g}")
    dt = check_positive("dt", dt)
    models = [model.replace(omega=float(o), t_on=0.0, t_off=math.inf) for o in w]
    n_steps = max(1, math.ceil(t_max / dt - 1e-9))
    rec = max(1, n_steps // 1000)
    # start from the bump/profile centred on the stimulus, when the theory provides it
    x0 = bump_profile(model, np.full(w.size, model.theta0))
    op = run_order_parameters(models, t_max=t_max, dt=dt, record_every=rec, x0=x0,
                              noise=noise, seed=seed, parallel=parallel, progress=progress)
    win = op.t >= t_settle
    phi = model.theta0 + w[:, None] * op.t[None, :]
    lag_t = _wrap(phi - np.angle(op.C))[:, win]
    # circular mean of the lag
    lag = np.angle(np.mean(np.exp(1j * lag_t), axis=1))
    lag_sd = np.sqrt(np.mean(_wrap(lag_t - lag[:, None]) ** 2, axis=1))
    unw = op.unwrapped_position[:, win]
    tw = op.t[win]
    span = tw[-1] - tw[0] if tw.size > 1 else math.nan
    bump_speed = (unw[:, -1] - unw[:, 0]) / span
    locked = (np.abs(bump_speed - w) <= 0.02 * np.abs(w) + 1e-3) & (lag_sd <= 0.05) & (
        ~op.diverged)
    lag = np.where(locked, lag, np.nan)
    params = {"model": model.to_dict(), "t_max": t_max, "t_settle": t_settle, "dt": dt,
              "seed": seed, "noise": (noise or Noise()).to_dict()}
    return TrackingResult(speeds=w, lag=lag, lag_sd=lag_sd, bump_speed=bump_speed,
                          locked=locked, theory=tracking_lag_theory(model, w), params=params)


# =================================================================== diffusion
def diffusion_theory(model: RingModel, sigma: float, *, sigma_ou: float = 0.0,
                     tau_ou: float = 1.0) -> float:
    """Diffusion coefficient of the bump under noise (rad^2 per unit time).

    * White noise of amplitude ``sigma`` on the rates: ``D = sigma^2 / (tau N m1^2)``,
      with ``m1`` the cos amplitude of the stationary bump
      (:func:`ratenet.theory.ring.stationary_state`, N -> infinity); derivation in
      the module docstring.
    * Ornstein-Uhlenbeck noise on the inputs (s.d. ``sigma_ou``, correlation time
      ``tau_ou``): it reaches the rates only through active units, so the projection
      on the left zero mode ``sin(theta - psi)`` runs over the active arc, where
      ``sum sin^2 = N g1(theta_c) = N / J1``; the position integrates the noise, and
      its zero-frequency power ``2 sigma_ou^2 tau_ou`` gives
      ``D = sigma_ou^2 tau_ou J1 / (tau^2 N A^2) = 4 sigma_ou^2 tau_ou / (tau^2 N J1 m1^2)``
      (``A = J1 m1 / 2``: the bump's input amplitude).

    Independent noises add their coefficients.  Valid in the marginal phase at
    eps = 0 (threshold-linear, unit gain, zero threshold, modes J0 and J1), to
    leading order in the noise; nan elsewhere.

    Examples
    --------
    >>> from ratenet import RingModel
    >>> m = RingModel(J0=-2.0, J1=4.0, h0=1.0, N=256)   # theta_c = pi/2, m1 = pi/4
    >>> round(diffusion_theory(m, 0.1) * 256 * (np.pi / 4) ** 2 / 0.1**2, 12)
    1.0
    """
    from .theory.ring import stationary_state

    sigma = check_nonnegative("sigma", sigma)
    sigma_ou = check_nonnegative("sigma_ou", sigma_ou)
    tau_ou = check_positive("tau_ou", tau_ou)
    if not _unit_gain_tl(model) or model.eps != 0.0:
        return math.nan
    s = stationary_state(J0=model.J0, J1=model.J1, h0=model.h0, eps=0.0)
    if s.regime != "marginal" or not (s.m1 > 0) or model.J1 <= 2.0:
        return math.nan
    d_white = sigma**2 / (model.tau * model.N * s.m1**2)
    d_ou = 4.0 * sigma_ou**2 * tau_ou / (model.tau**2 * model.N * model.J1 * s.m1**2)
    return d_white + d_ou


@dataclass(frozen=True)
class DiffusionResult:
    """Diffusion of the bump position, measured from many trials.

    Attributes
    ----------
    diffusion_coefficient : float
        ``D`` from the least-squares slope of ``MSD(t) = a + 2 D t`` (rad^2 per unit time).
    ci_low, ci_high : float
        Confidence interval of D (``confidence``, percentile bootstrap over trials).
    confidence : float
    trials : int
        Trials used (those that neither diverged nor lost their bump).
    theory : float
        :func:`diffusion_theory` (nan where it does not apply: outside the marginal
        phase, eps > 0, or heterogeneity present).
    mean_displacement : float
        Mean over trials of the displacement at the end (radians): a systematic
        drift (heterogeneity) shows here; ~0 for pure diffusion.
    lag_t : ndarray of shape (T,)
        Time since the start of the measurement.
    msd : ndarray of shape (T,)
        Mean squared displacement (rad^2).
    msd_se : ndarray of shape (T,)
        Its standard error over trials.
    fit_intercept : float
    params : dict
    seconds : float
        Wall time of the simulation and analysis.
    """

    diffusion_coefficient: float
    ci_low: float
    ci_high: float
    confidence: float
    trials: int
    theory: float
    mean_displacement: float
    lag_t: np.ndarray = field(repr=False)
    msd: np.ndarray = field(repr=False)
    msd_se: np.ndarray = field(repr=False)
    fit_intercept: float = 0.0
    fit_from: float = 0.0
    params: dict[str, Any] = field(default_factory=dict, repr=False)
    seconds: float = math.nan
    version: str = __version__

    @property
    def standard_error(self) -> float:
        """Half-width of the CI divided by the normal quantile (a Gaussian reading)."""
        from scipy.stats import norm

        zq = norm.ppf(0.5 + self.confidence / 2.0)
        return (self.ci_high - self.ci_low) / (2.0 * zq)

    def to_dict(self, *, series: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "diffusion_coefficient": self.diffusion_coefficient, "ci_low": self.ci_low,
            "ci_high": self.ci_high, "confidence": self.confidence, "trials": self.trials,
            "theory": self.theory, "mean_displacement": self.mean_displacement,
            "fit_intercept": self.fit_intercept, "fit_from": self.fit_from,
            "seconds": self.seconds, "params": self.params, "ratenet_version": self.version,
        }
        if series:
            out.update({"lag_t": self.lag_t, "msd": self.msd, "msd_se": self.msd_se})
        return _jsonable(out)


def _slope(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares slope and intercept of y (..., T) against t (T,)."""
    tc = t - t.mean()
    slope = (y - y.mean(axis=-1, keepdims=True)) @ tc / (tc @ tc)
    return slope, y.mean(axis=-1) - slope * t.mean()


def diffusion(model: RingModel, *, sigma: float, trials: int = 500, t_max: float = 200.0,
              dt: float = 0.02, t_burn: float = 10.0, fit_from: float = 0.1,
              noise: Noise | None = None, heterogeneity: Heterogeneity | None = None,
              seed: int = 0, confidence: float = 0.95, n_boot: int = 1000,
              parallel: bool = True, progress: bool = False,
              record_every: int | None = None) -> DiffusionResult:
    """Diffusion coefficient of the bump position from ``trials`` noisy trials run as one batch.

    Each trial starts from the theoretical bump (``eps = 0``: centred at
    ``2 pi k / trials`` for trial k; otherwise at ``theta0``), relaxes for
    ``t_burn``, and its bump position ``arg C`` is then recorded, unwrapped, for
    ``t_max``.  ``MSD(t)`` is the mean over trials of the squared displacement;
    D is half the least-squares slope of MSD on ``[fit_from * t_max, t_max]``.
    The confidence interval is a percentile bootstrap over trials.

    Parameters
    ----------
    model : RingModel
        Usually in the marginal phase with ``eps = 0``.
    sigma : float
        Additive white noise on the rates (see :class:`ratenet.Noise`), >= 0.
    trials : int, default 500
    t_max : float, default 200
        Length of the measurement (units of tau), after ``t_burn``.
    dt : float, default 0.02
    t_burn : float, default 10
    fit_from : float, default 0.1
        Fraction of ``t_max`` before which MSD is not fitted (fast modes settle).
    noise : Noise, optional
        Further noise (e.g. OU input noise); its ``sigma`` is replaced by ``sigma``.
    heterogeneity : Heterogeneity, optional
    seed : int, default 0
        Trial k uses the streams of ``(seed, k)`` (see :mod:`ratenet.noise`).
    confidence : float, default 0.95
    n_boot : int, default 1000
        Bootstrap resamples (their generator is seeded from ``seed``).
    parallel, progress : bool
    record_every : int, optional
        Steps between recorded positions (default: 400 records).

    Returns
    -------
    DiffusionResult

    Examples
    --------
    >>> from ratenet import RingModel
    >>> m = RingModel(J0=-2.0, J1=4.0, h0=1.0, N=128)
    >>> r = diffusion(m, sigma=0.2, trials=200, t_max=100.0)
    >>> r.trials, bool(abs(r.diffusion_coefficient - r.theory) < 4 * r.standard_error)
    (200, True)
    """
    t0 = time.perf_counter()
    _check_model(model)
    sigma = check_nonnegative("sigma", sigma)
    trials = check_int("trials", trials, minimum=2)
    t_max = check_positive("t_max", t_max)
    dt = check_positive("dt", dt)
    t_burn = check_nonnegative("t_burn", t_burn)
    fit_from = as_float("fit_from", fit_from)
    if not 0.0 <= fit_from < 0.9:
        raise ParameterError("fit_from", fit_from, "a fraction in [0, 0.9)")
    confidence = as_float("confidence", confidence)
    if not 0.0 < confidence < 1.0:
        raise ParameterError("confidence", confidence, "a number in (0, 1)")
    n_boot = check_int("n_boot", n_boot, minimum=50)
    nz = Noise(sigma=sigma, sigma_ou=noise.sigma_ou, tau_ou=noise.tau_ou,
               ou_start=noise.ou_start) if noise is not None else Noise(sigma=sigma)
    total = t_burn + t_max
    n_steps = max(1, math.ceil(total / dt - 1e-9))
    n_burn = round(t_burn / dt)
    n_meas = n_steps - n_burn
    rec = record_every or max(1, n_meas // 400)
    if n_burn % rec:
        rec = math.gcd(rec, n_burn)
    psi = (2.0 * np.pi * np.arange(trials) / trials if model.eps == 0.0
           else np.full(trials, model.theta0))
    x0 = bump_profile(model, psi)
    op = run_order_parameters([model] * trials, t_max=total, dt=dt, record_every=rec, x0=x0,
                              noise=nz, heterogeneity=heterogeneity, seed=seed,
                              parallel=parallel, progress=progress)
    j0 = n_burn // rec
    t = op.t[j0:] - op.t[j0]
    amp = op.amplitude[:, j0:]
    r0 = op.r0[:, j0:]
    # a trial is usable when it kept a modulated profile throughout
    good = ~op.diverged & np.all(np.isfinite(amp), axis=1) & np.all(
        amp > 0.05 * np.abs(r0), axis=1)
    K = int(good.sum())
    if K < 2:
        raise ParameterError("sigma", sigma, "a noise level at which the bump survives "
                             f"(only {K} of {trials} trials kept a bump)")
    pos = op.unwrapped_position[good, j0:]
    disp = pos - pos[:, :1]
    sq = disp**2
    msd = sq.mean(axis=0)
    msd_se = sq.std(axis=0, ddof=1) / math.sqrt(K)
    fit = t >= fit_from * t[-1]
    slope, intercept = _slope(t[fit], msd[fit])
    D = float(slope) / 2.0
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2**31 - 1,)))
    boots = np.empty(n_boot)
    sqf = sq[:, fit]
    for lo in range(0, n_boot, 200):
        hi = min(n_boot, lo + 200)
        idx = rng.integers(0, K, size=(hi - lo, K))
        counts = np.zeros((hi - lo, K))
        np.add.at(counts, (np.arange(hi - lo)[:, None], idx), 1.0)
        boots[lo:hi] = _slope(t[fit], counts @ sqf / K)[0] / 2.0
    q = (1.0 - confidence) / 2.0
    ci_low, ci_high = (float(v) for v in np.quantile(boots, [q, 1.0 - q]))
    params = {"model": model.to_dict(), "sigma": sigma, "trials_requested": trials,
              "t_max": t_max, "dt": dt, "t_burn": t_burn, "fit_from": fit_from,
              "seed": seed, "confidence": confidence, "n_boot": n_boot,
              "record_every": rec, "noise": nz.to_dict(),
              "heterogeneity": (heterogeneity or Heterogeneity()).to_dict()}
    return DiffusionResult(
        diffusion_coefficient=D, ci_low=ci_low, ci_high=ci_high, confidence=confidence,
        trials=K, theory=(diffusion_theory(model, sigma, sigma_ou=nz.sigma_ou,
                                           tau_ou=nz.tau_ou)
                          if heterogeneity is None or heterogeneity.is_zero else math.nan),
        mean_displacement=float(disp[:, -1].mean()), lag_t=t, msd=msd, msd_se=msd_se,
        fit_intercept=float(intercept), fit_from=fit_from * t_max, params=params,
        seconds=time.perf_counter() - t0,
    )


# =============================================================== phase diagram
@dataclass(frozen=True)
class PhaseDiagramResult:
    """Analytic and measured regimes on a (J0, J1) grid.

    Attributes
    ----------
    J0s : ndarray of shape (n0,)
    J1s : ndarray of shape (n1,)
    theory, measured : ndarray of str, shape (n1, n0)
        Regime names (:data:`ratenet.theory.ring.REGIMES`); rows J1, columns J0.
    agree : ndarray of bool, shape (n1, n0)
    cells : int
    agreement : float
        Fraction of cells where theory and simulation agree.
    disagreements : int
    seconds : float
        Wall time of the whole computation (theory, simulation, measurement).
    simulation_seconds : float
    neuron_steps_per_second : float
        ``cells * N * steps / simulation_seconds``.
    params : dict
    """

    J0s: np.ndarray
    J1s: np.ndarray
    theory: np.ndarray
    measured: np.ndarray
    agree: np.ndarray
    cells: int
    agreement: float
    disagreements: int
    seconds: float
    simulation_seconds: float
    neuron_steps_per_second: float
    params: dict[str, Any] = field(default_factory=dict, repr=False)
    version: str = __version__

    def codes(self, which: str = "theory") -> np.ndarray:
        """Integer regime codes (index into REGIMES), shape (n1, n0)."""
        from .theory.ring import REGIMES

        arr = self.theory if which == "theory" else self.measured
        lut = {r: i for i, r in enumerate(REGIMES)}
        return np.vectorize(lut.__getitem__, otypes=[int])(arr)

    def to_dict(self, *, maps: bool = False) -> dict[str, Any]:
        from .theory.ring import REGIMES

        counts = {r: {"theory": int(np.sum(self.theory == r)),
                      "measured": int(np.sum(self.measured == r))} for r in REGIMES}
        out: dict[str, Any] = {
            "cells": self.cells, "agreement": self.agreement,
            "disagreements": self.disagreements, "seconds": self.seconds,
            "simulation_seconds": self.simulation_seconds,
            "neuron_steps_per_second": self.neuron_steps_per_second, "regime_counts": counts,
            "params": self.params, "ratenet_version": self.version,
        }
        if maps:
            out.update({"J0s": self.J0s, "J1s": self.J1s, "theory": self.theory,
                        "measured": self.measured})
        return _jsonable(out)


def _simulate_grid(J0s, J1s, *, h0, eps, N, steps, dt, seed, max_rate, parallel, progress):
    """Forward Euler for every (J1, J0) cell, straight into the compiled fused kernel.

    The same kernel and arguments as :func:`ratenet.simulate` for a batch of
    threshold-linear rings, without its per-model bookkeeping (a divergence
    diagnosis and a parameter dict per cell cost more than the simulation itself
    at 4096 cells).  Records at 0, T/4, T/2, 3T/4 and T when ``steps`` is a multiple
    of 4 (for :func:`_accelerating`); the run is always cut at those records, so the
    progress bar changes nothing.

    Returns
    -------
    RingTrajectory with rates of shape (B, T, N), B = len(J1s) * len(J0s), row-major in
    (J1, J0).
    """
    from tqdm.auto import tqdm

    from . import _kernels as K
    from .coupling import ring_angles
    from .results import RingTrajectory

    J0 = np.tile(np.asarray(J0s, dtype=float), len(J1s))
    J1 = np.repeat(np.asarray(J1s, dtype=float), len(J0s))
    B = J0.size
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    # O(1) random initial rates: every unstable mode starts well above rounding level
    x = (abs(h0) if h0 != 0 else 1.0) * rng.random((B, N))
    # records at multiples of rec, a divisor of steps near steps / 4 (so that the final
    # state is recorded); no intermediate records when steps has no such divisor
    rec = next((r for r in range(max(1, steps // 4), 0, -1) if steps % r == 0), steps)
    if steps // rec > 16:
        rec = steps
    n_rec = steps // rec
    R = np.full((B, n_rec + 1, N), np.nan)
    R[:, 0, :] = x
    div = np.zeros(B, dtype=np.int64)
    theta = ring_angles(N)
    one, zero = np.ones(B), np.zeros(B)
    kern = K.euler_cos_relu_parallel if parallel else K.euler_cos_relu_serial
    args = (np.cos(theta), np.sin(theta), J0, J1, h0 * one, eps * one, zero, zero, zero,
            np.full(B, np.inf), dt * one, one, zero, dt)
    with tqdm(total=steps, disable=not progress, desc="simulating", unit="step",
              leave=False) as bar:
        start = 0
        while start < steps:
            count = min(rec, steps - start)
            kern(x, *args, start, count, rec, R, max_rate * N, div)
            bar.update(count)
            start += count
    base = RingModel(h0=h0, eps=eps, N=N).to_dict()
    params = [{**base, "J0": float(a), "J1": float(b)} for a, b in zip(J0, J1)]
    status = np.where(div > 0, "diverged", "ok")
    t = np.arange(n_rec + 1) * rec * dt
    return RingTrajectory(t=t, rates=R, status=status,
                          t_diverged=np.where(div > 0, div * dt, np.nan),
                          message=f"{int((div > 0).sum())} of {B} cells diverged",
                          params=params, method="euler", dt=dt)


def _accelerating(rates: np.ndarray) -> np.ndarray:
    """Rows whose peak rate is still growing by a steady factor at the end of the run.

    ``rates`` has shape (B, T, N), records equally spaced in time (T >= 3; the last
    three are used).  Unbounded growth multiplies the peak rate by a steady factor
    over successive intervals (``exp(lambda dT)`` for an unstable mode; slowly
    decreasing factors for the linear growth at a critical point).  Flagged: growth
    by more than 20 % over each of the last two intervals, with log-factors within a
    factor 2 of each other, and a larger increment in the last interval than in the
    one before.  Approaching a fixed point (shrinking increments), or a bump turning
    slowly toward a weak stimulus (a few per cent), is not flagged.  Rows that diverged (nan
    records) are left to ``measure_final``.
    """
    if rates.shape[1] < 3:
        return np.zeros(rates.shape[0], dtype=bool)
    peak = np.max(rates, axis=-1)  # (B, T)
    with np.errstate(invalid="ignore", divide="ignore"):
        l1 = np.log(peak[:, -2] / peak[:, -3])
        l2 = np.log(peak[:, -1] / peak[:, -2])
        d1 = peak[:, -2] - peak[:, -3]
        d2 = peak[:, -1] - peak[:, -2]
        grows = ((l1 > np.log(1.2)) & (l2 > np.log(1.2)) & (np.abs(np.log(l2 / l1)) < np.log(2))
                 & (d2 > d1) & np.isfinite(peak[:, -1]))
    return grows


def _grid(name: str, spec: Any) -> np.ndarray:
    arr = np.asarray(spec, dtype=float)
    if arr.ndim != 1 or arr.size < 1 or not np.all(np.isfinite(arr)):
        raise ParameterError(name, spec, "a 1-D array of finite numbers")
    return arr


def phase_diagram(*, h0: float = 1.0, eps: float = 0.0, J0s: Any = None, J1s: Any = None,
                  N: int = 256, steps: int = 2000, t_max: float = 200.0, seed: int = 0,
                  max_rate: float = 1e4, parallel: bool = True,
                  progress: bool = False) -> PhaseDiagramResult:
    """Analytic regime map vs the map measured from one batched simulation per grid cell.

    Every cell ``(J1s[i], J0s[j])`` is simulated (forward Euler, ``steps`` steps
    over ``t_max``, threshold-linear, initial rates ``|h0| U(0, 1)`` drawn from ``seed``)
    and classified by :func:`ratenet.analysis.ring.measure_final` (plus: a peak rate
    still growing geometrically at ``t_max`` counts as unstable; at ``eps = 0`` a
    modulated profile with every unit active is the neutral continuum of ``J1 = 2``,
    named marginal as in the theory); the theory is
    :func:`ratenet.theory.ring.regime_map`.  Disagreements are expected only in
    cells next to a regime boundary, where the dynamics slow down.

    Parameters
    ----------
    h0 : float, default 1
    eps : float, default 0
        Tuned input (theta0 = 0), present throughout.
    J0s : array_like of shape (n0,), default ``linspace(-4, 1.5, 64)``
    J1s : array_like of shape (n1,), default ``linspace(0, 6, 64)``
    N : int, default 256
    steps : int, default 2000
        Euler steps per cell (``dt = t_max / steps``).
    t_max : float, default 200
        Duration (units of tau); the default gives ``dt = 0.1``.
    seed : int, default 0
    max_rate : float, default 1e4
        Rates beyond this count as unbounded growth (the "unstable" regime).
    parallel, progress : bool

    Returns
    -------
    PhaseDiagramResult

    Examples
    --------
    >>> r = phase_diagram(h0=1.0, eps=0.0, J0s=[-1.0, 2.0], J1s=[1.0, 4.0], N=64)
    >>> r.theory.tolist()
    [['homogeneous', 'unstable'], ['marginal', 'unstable']]
    >>> r.agreement
    1.0
    """
    from .analysis.ring import measure_final
    from .theory.ring import regime_map

    t0 = time.perf_counter()
    h0 = as_float("h0", h0)
    eps = check_nonnegative("eps", eps)
    J0s = np.linspace(-4.0, 1.5, 64) if J0s is None else _grid("J0s", J0s)
    J1s = np.linspace(0.0, 6.0, 64) if J1s is None else _grid("J1s", J1s)
    N = check_int("N", N, minimum=3)
    steps = check_int("steps", steps, minimum=1)
    t_max = check_positive("t_max", t_max)
    max_rate = check_positive("max_rate", max_rate)
    dt = t_max / steps
    theory = regime_map(J0s, J1s, h0=h0, eps=eps)
    ts = time.perf_counter()
    traj = _simulate_grid(J0s, J1s, h0=h0, eps=eps, N=N, steps=steps, dt=dt, seed=seed,
                          max_rate=max_rate, parallel=parallel, progress=progress)
    sim_s = time.perf_counter() - ts
    measured = measure_final(traj)["regime"]
    if eps == 0.0:
        # without a tuned input a modulated profile with every unit active can only be the
        # neutral continuum m0 + m1 cos at J1 = 2, which the theory names "marginal"
        measured = np.where(measured == "broad", "marginal", measured)
    measured = np.where(_accelerating(traj.rates), "unstable", measured)
    measured = measured.reshape(J1s.size, J0s.size)
    agree = measured == theory
    cells = int(agree.size)
    params = {"h0": h0, "eps": eps, "N": N, "steps": steps, "t_max": t_max, "dt": dt,
              "seed": seed, "max_rate": max_rate,
              "J0_range": [float(J0s[0]), float(J0s[-1]), int(J0s.size)],
              "J1_range": [float(J1s[0]), float(J1s[-1]), int(J1s.size)]}
    return PhaseDiagramResult(
        J0s=J0s, J1s=J1s, theory=theory, measured=measured, agree=agree, cells=cells,
        agreement=float(agree.mean()), disagreements=int((~agree).sum()),
        seconds=time.perf_counter() - t0, simulation_seconds=sim_s,
        neuron_steps_per_second=cells * N * steps / sim_s, params=params,
    )
