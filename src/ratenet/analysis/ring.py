"""Observables of the ring model measured on simulations.

:func:`measure_final` reads the final state of a (possibly batched)
:class:`ratenet.RingTrajectory` and returns the quantities that
:mod:`ratenet.theory.ring` predicts, measured the same way for every row of
the batch in a few array operations.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import ParameterError, check_nonnegative
from ..theory.ring import REGIMES

__all__ = ["fit_rectified_cosine", "measure_final"]


def fit_rectified_cosine(rates: np.ndarray, active: np.ndarray):
    """Fit ``m_i = c + d cos(theta_i - phi)`` on the active units of each row.

    At a fixed point of the threshold-linear ring with modes J0, J1 the active
    rates are exactly of this form, so the fit recovers the input's constant
    part ``c``, amplitude ``d`` and centre ``phi`` without grid error.

    Parameters
    ----------
    rates : ndarray of shape (B, N)
    active : ndarray of bool, shape (B, N)

    Returns
    -------
    c, d, phi : ndarray of shape (B,)
        nan for rows with fewer than 3 active units.
    """
    N = rates.shape[1]
    theta = 2.0 * np.pi * np.arange(N) / N
    X = np.stack([np.ones(N), np.cos(theta), np.sin(theta)])  # (3, N)
    w = active.astype(float)
    XX = (X[:, None, :] * X[None, :, :]).reshape(9, N)
    # einsum, not BLAS: a row's result must not depend on the other rows of the batch
    # (ratenet sweep stores the same bits whatever the chunking)
    G = np.einsum("bn,kn->bk", w, XX).reshape(-1, 3, 3)  # Gram matrices of {1, cos, sin}
    rhs = np.einsum("bn,kn->bk", w * rates, X)
    ok = active.sum(axis=1) >= 3
    G[~ok] = np.eye(3)
    with np.errstate(all="ignore"):
        coef = np.linalg.solve(G, rhs[..., None])[..., 0]
    c = np.where(ok, coef[:, 0], np.nan)
    d = np.where(ok, np.hypot(coef[:, 1], coef[:, 2]), np.nan)
    phi = np.where(ok, np.mod(np.arctan2(coef[:, 2], coef[:, 1]), 2.0 * np.pi), np.nan)
    return c, d, phi


def _param_arrays(params: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    def get(key: str, default: float) -> np.ndarray:
        vals = []
        for p in params:
            v = p.get(key, default)
            vals.append(math.inf if v is None else float(v))
        return np.array(vals, dtype=float)

    out = {k: get(k, d) for k, d in (("J0", 0.0), ("J1", 0.0), ("h0", 1.0), ("eps", 0.0),
                                       ("theta0", 0.0), ("omega", 0.0), ("t_on", 0.0),
                                       ("t_off", math.inf), ("tau", 1.0))}
    return out


def _rhs(rates: np.ndarray, params: list[dict[str, Any]], t: float):
    """``dm/dt`` at the final state, shape (B, N), and whether each row is a J0-J1 ring
    without tuned input at ``t`` (rotation-invariant); rows that cannot be rebuilt are nan."""
    B, N = rates.shape
    out = np.full((B, N), np.nan)
    P = _param_arrays(params)
    invariant = ~((P["t_on"] <= t) & (t < P["t_off"]) & (P["eps"] > 0))
    simple = np.array([
        p.get("model") == "ring" and not p.get("J_higher") and p.get("external") is None
        and p.get("coupling", "fourier") in ("fourier", "fft", "dense")
        and (p.get("transfer") or {}).get("type", "ThresholdLinear") == "ThresholdLinear"
        for p in params])
    if np.any(simple):
        idx = np.flatnonzero(simple)
        Q = {k: v[idx] for k, v in P.items()}
        tr = [params[i].get("transfer") or {} for i in idx]
        gain = np.array([float(d.get("gain", 1.0)) for d in tr])
        thr = np.array([float(d.get("threshold", 0.0)) for d in tr])
        theta = 2.0 * np.pi * np.arange(N) / N
        cos, sin = np.cos(theta), np.sin(theta)
        m = rates[idx]
        r0 = m.mean(axis=1)
        Cr = np.einsum("bn,n->b", m, cos) / N  # C = Cr + i Ci (row-wise, batch-invariant)
        Ci = np.einsum("bn,n->b", m, sin) / N
        on = (Q["t_on"] <= t) & (t < Q["t_off"])
        phase = Q["theta0"] + Q["omega"] * t
        e = Q["eps"] * on
        # input = J0 r0 + h0 + (J1 Cr + eps cos phase) cos(theta) + (J1 Ci + eps sin phase) sin
        # huge couplings (a diverged or hostile run) overflow to inf here; the caller
        # reads non-finite derivatives as "not converged", so no warning is raised
        with np.errstate(over="ignore", invalid="ignore"):
            a = (Q["J0"] * r0 + Q["h0"] - thr)[:, None]
            b = (Q["J1"] * Cr + e * np.cos(phase))[:, None]
            c = (Q["J1"] * Ci + e * np.sin(phase))[:, None]
            f = gain[:, None] * np.maximum(a + b * cos + c * sin, 0.0)
            out[idx] = (f - m) / Q["tau"][:, None]
    for i in np.flatnonzero(~simple):
        try:
            from ..models.ring import RingModel

            model = RingModel.from_dict(params[i])
            out[i] = model.rhs(t, rates[i])
        except (ValueError, TypeError, KeyError):
            pass
    # the drift estimate uses the c + d cos form of the active rates: J0, J1 rings only
    return out, invariant & simple


def measure_final(traj: Any, *, active_tol: float = 1e-6, rate_floor: float = 1e-6,
                  flat_tol: float = 1e-3, settle_tol: float = 1e-6) -> dict[str, np.ndarray]:
    """Measure the ring observables on the final state of a trajectory.

    Parameters
    ----------
    traj : RingTrajectory
        One model or a batch of B models (``simulate([...])``); only the final
        state is used, so ``record_every=None`` suffices.  Rows that diverged
        are measured on their last finite state.
    active_tol : float, default 1e-6
        A unit counts as active when its rate exceeds ``active_tol * peak``
        and ``rate_floor``.
    rate_floor : float, default 1e-6
        Absolute rate below which a unit counts as silent (rates in the units
        of h0).
    flat_tol : float, default 1e-3
        A fully active profile is flat (homogeneous) when ``m1 <= flat_tol * r0``.
    settle_tol : float, default 1e-6
        The row has settled when ``residual <= settle_tol * max(peak, 1)``.

    Returns
    -------
    dict of ndarray, each of shape ``traj.batch_shape``
        ``r0`` (mean rate), ``m1`` (cos amplitude ``2|C|``), ``peak`` (max rate),
        ``theta_c`` (half-width of the active region, radians: pi when all
        active, 0 when none; otherwise from a least-squares fit of
        ``c + d cos(theta - phi)`` to the active rates, ``cos theta_c = -c/d``,
        which is free of grid error at a fixed point), ``bump_position``
        (``arg C`` in ``[0, 2 pi)``), ``n_active`` (int), ``diverged`` (bool),
        ``residual`` (``max |dm/dt|`` at the final state, rate per tau: small
        when the network has settled; nan where diverged), ``drift`` (angular
        velocity of a bump in a ring without tuned input, rad per tau, from
        projecting dm/dt on the bump's rotation; nan where there is no such
        bump), ``settled`` (bool: the residual, less that rotation for such a
        bump, is below ``settle_tol * max(peak, 1)``; a free bump on a finite
        ring drifts slowly, so it counts as settled once its shape is),
        ``regime`` (str)
        and ``regime_code`` (index into :data:`ratenet.theory.ring.REGIMES`).

    Notes
    -----
    The measured regime: ``unstable`` if the row diverged; ``homogeneous`` if
    no unit is active, or all are and the profile is flat; ``broad`` if all are
    active and the profile is modulated by a tuned input (``marginal`` if there is no
    tuned input at the final time: the neutral continuum at ``J1 = 2``, or a bump still
    forming); otherwise (some units silent)
    ``marginal`` when the row's ``J1 > 2`` (``gain * J1 > 2`` for a
    threshold-linear transfer of another gain) and ``narrow`` otherwise.
    This mirrors :func:`ratenet.theory.ring.classify_regime`.  A simulation
    that is still growing at ``t_max`` without having reached ``max_rate`` is
    not flagged unstable: look at ``settled`` (a row that is neither settled
    nor diverged needs a longer run, or a lower ``max_rate`` in ``simulate``).

    Examples
    --------
    >>> from ratenet import RingModel, simulate
    >>> traj = simulate(RingModel(J0=-2, J1=1, h0=1, eps=0.1, N=64), t_max=30,
    ...                 record_every=None)
    >>> str(measure_final(traj)["regime"])
    'broad'
    """
    active_tol = check_nonnegative("active_tol", active_tol)
    rate_floor = check_nonnegative("rate_floor", rate_floor)
    flat_tol = check_nonnegative("flat_tol", flat_tol)
    settle_tol = check_nonnegative("settle_tol", settle_tol)
    if not hasattr(traj, "rates") or not hasattr(traj, "theta"):
        raise ParameterError("traj", type(traj).__name__, "a RingTrajectory")
    shape = tuple(traj.batch_shape)
    final = np.asarray(traj.final, dtype=float)
    N = final.shape[-1]
    m = final.reshape(-1, N)
    B = m.shape[0]
    params = traj.params if isinstance(traj.params, list) else [traj.params]
    if len(params) != B:
        raise ParameterError("traj.params", f"{len(params)} entries", f"{B} (one per row)")
    diverged = (np.asarray(traj.status) == "diverged").reshape(B)
    theta = traj.theta
    r0 = m.mean(axis=1)
    C = np.einsum("bn,n->b", m, np.exp(1j * theta)) / N  # row-wise: batch-invariant
    m1 = 2.0 * np.abs(C)
    pos = np.mod(np.angle(C), 2.0 * np.pi)
    peak = m.max(axis=1)
    thr = np.maximum(active_tol * peak, rate_floor)
    active = m > thr[:, None]
    n_active = active.sum(axis=1)

    tc = np.full(B, np.nan)
    tc[n_active == N] = np.pi
    tc[n_active == 0] = 0.0
    part = (n_active > 0) & (n_active < N)
    if np.any(part):
        c, d, _ = fit_rectified_cosine(m[part], active[part])
        with np.errstate(invalid="ignore", divide="ignore"):
            fit = np.arccos(np.clip(-c / d, -1.0, 1.0))
        crude = np.pi * n_active[part] / N  # fewer than 3 active units: count them
        tc[part] = np.where(np.isfinite(fit), fit, crude)

    # the marginal phase is gain * J1 > 2 (J1 > 2 for the unit gain the theory uses)
    J1 = np.array([float(p.get("J1", 0.0)) * float((p.get("transfer") or {}).get("gain", 1.0))
                   if (p.get("transfer") or {}).get("type", "ThresholdLinear")
                   == "ThresholdLinear" else float(p.get("J1", 0.0)) for p in params])
    code = np.where(J1 > 2.0, REGIMES.index("marginal"), REGIMES.index("narrow"))
    all_on = n_active == N
    flat = m1 <= flat_tol * np.abs(r0)
    code = np.where(all_on & flat, REGIMES.index("homogeneous"), code)
    code = np.where(all_on & ~flat, REGIMES.index("broad"), code)
    code = np.where(n_active == 0, REGIMES.index("homogeneous"), code)

    t_final = float(traj.t[-1]) if len(traj.t) else math.nan
    rhs, invariant = _rhs(m, params, t_final)
    # without a tuned input a modulated, fully active profile is no input-driven 'broad'
    # state: it is the neutral continuum at J1 = 2 or a bump still forming (J1 > 2),
    # named marginal as in the theory
    code = np.where(all_on & ~flat & invariant, REGIMES.index("marginal"), code)
    code = np.where(diverged, REGIMES.index("unstable"), code)
    residual = np.max(np.abs(rhs), axis=1)
    # a bump of a rotation-invariant ring may still drift along its neutral direction
    # (slowly, on a finite ring): estimate that drift from the derivative of the fitted
    # profile, d sin(theta - phi) on the active units, and judge settling without it
    drift = np.full(B, np.nan)
    shape_residual = residual.copy()
    bump = part & invariant & np.all(np.isfinite(rhs), axis=1)
    if np.any(bump):
        _, d, phi = fit_rectified_cosine(m[bump], active[bump])
        # d sin(theta - phi) = d (sin theta cos phi - cos theta sin phi)
        g = active[bump] * (d * np.cos(phi))[:, None] * np.sin(theta)[None, :]
        g -= active[bump] * (d * np.sin(phi))[:, None] * np.cos(theta)[None, :]
        r = rhs[bump]
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.sum(r * g, axis=1) / np.sum(g * g, axis=1)
        ok = np.isfinite(v)
        v = np.where(ok, v, 0.0)
        drift[bump] = np.where(ok, v, np.nan)
        shape_residual[bump] = np.max(np.abs(r - v[:, None] * g), axis=1)
    residual[diverged] = np.nan
    drift[diverged] = np.nan
    settled = shape_residual <= settle_tol * np.maximum(peak, 1.0)

    out = {
        "r0": r0, "m1": m1, "peak": peak, "theta_c": tc, "bump_position": pos,
        "n_active": n_active, "diverged": diverged, "residual": residual,
        "drift": drift, "settled": settled,
        "regime_code": code, "regime": np.array(REGIMES)[code],
    }
    return {k: v.reshape(shape) for k, v in out.items()}
