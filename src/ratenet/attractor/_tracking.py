"""Tracking: the lag of the bump behind a rotating stimulus, against its closed forms."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import ParameterError, check_int, check_nonnegative, check_positive
from .._version import __version__
from ..models.ring import RingModel
from ..noise import Noise
from ._shared import (
    _check_model,
    _jsonable,
    _unit_gain_tl,
    _wrap,
    bump_profile,
    run_order_parameters,
)


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

    Examples
    --------
    In the broad regime the lag is ``arctan(omega tau / (1 - J1/2))``: pi/4 at
    ``omega tau = 1 - J1/2``.

    >>> from ratenet import RingModel
    >>> lag = tracking_lag_theory(RingModel(J0=-2.0, J1=1.0, eps=0.1), [0.0, 0.5])
    >>> bool(np.allclose(lag, [0.0, np.pi / 4]))
    True
    """
    from ..theory.ring import stationary_state

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
    seed = check_int("seed", seed, minimum=0)  # an int (None is not documented here)
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
