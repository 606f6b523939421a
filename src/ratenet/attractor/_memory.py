"""Persistent activity: a cue, then its removal (does the bump persist, how far does it drift?)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import (
    ParameterError,
    as_float,
    check_int,
    check_nonnegative,
    check_positive,
)
from .._version import __version__
from ..models.ring import RingModel
from ..noise import Heterogeneity, Noise
from ._shared import (
    _check_model,
    _jsonable,
    run_order_parameters,
)


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
    seed = check_int("seed", seed, minimum=0)  # an int (None is not documented here)
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
