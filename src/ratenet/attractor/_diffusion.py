"""Diffusion of the bump position under noise, measured from many trials and from theory."""

from __future__ import annotations

import math
import time
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
    _unit_gain_tl,
    bump_profile,
    run_order_parameters,
)


def diffusion_theory(model: RingModel, sigma: float, *, sigma_ou: float = 0.0,
                     tau_ou: float = 1.0) -> float:
    """Diffusion coefficient of the bump under noise (rad^2 per unit time).

    * White noise of amplitude ``sigma`` on the rates: ``D = sigma^2 / (tau N m1^2)``,
      with ``m1`` the cos amplitude of the stationary bump
      (:func:`ratenet.theory.ring.stationary_state`, N -> infinity); derivation in
      the docstring of :mod:`ratenet.attractor`.
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
    from ..theory.ring import stationary_state

    sigma = check_nonnegative("sigma", sigma)
    sigma_ou = check_nonnegative("sigma_ou", sigma_ou)
    tau_ou = check_positive("tau_ou", tau_ou)
    if not _unit_gain_tl(model) or model.eps != 0.0:
        return math.nan
    s = stationary_state(J0=model.J0, J1=model.J1, h0=model.h0, eps=0.0)
    if s.regime != "marginal" or not (s.m1 > 0) or model.J1 <= 2.0:
        return math.nan
    with np.errstate(over="ignore"):
        # NumPy floats: inf rather than OverflowError (a subnormal bump, h0 = 5e-324, or a
        # huge sigma)
        r = (1.0 / np.float64(s.m1)) ** 2
        d_white = np.float64(sigma) ** 2 * r / (model.tau * model.N)
        d_ou = (4.0 * np.float64(sigma_ou) ** 2 * tau_ou * r / (model.tau**2 * model.N * model.J1)
                if sigma_ou > 0 else 0.0)
    d = float(d_white + d_ou)
    return d if math.isfinite(d) else math.nan  # beyond the float range: no value


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
    seed = check_int("seed", seed, minimum=0)  # an int (None is not documented here)
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
    if np.count_nonzero(fit) < 2:  # a line through one point has no slope
        raise ParameterError("fit_from", fit_from, "a fraction of t_max that leaves at least "
                             f"2 recorded times to fit (t_max = {t_max:g}, {t.size} recorded)",
                             hint="lower fit_from or raise t_max")
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
