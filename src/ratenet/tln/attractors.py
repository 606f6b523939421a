"""Attractors of a TLN from many initial conditions: found, classified, with basins.

1. Transient: all trials at once, ``X`` of shape (trials, n), classical RK4 in NumPy
   (one BLAS product ``X @ W.T`` per stage for the whole batch; seeded uniform initial
   rates in ``[0, scale]``).  ``ratenet.simulate`` has compiled kernels for the ring
   only; for a dense ``W`` of 5-50 units the batched matrix product *is* the compiled
   dense engine, and the transient only has to bring orbits near their attractor.
2. Classification of each end state on the *exact* flow (:mod:`ratenet.pwl`):
   a fixed point (the flow provably stays in a region with a stable fixed point: its
   support); else a limit cycle (Poincare returns, period refined by exact shooting
   with :func:`ratenet.analysis.refine_limit_cycle`, Floquet multipliers, Lyapunov
   spectrum by QR along the cycle); else the Lyapunov spectrum decides: largest
   exponent ``> chaos_threshold`` chaotic, otherwise quasi-periodic.
3. Basin fractions with Wilson score intervals (95 %).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import ParameterError, check_int, check_positive
from ..pwl import PiecewiseLinearFlow
from .lyapunov import LyapunovSpectrum, lyapunov_spectrum
from .models import TLN

__all__ = ["Attractor", "Attractors", "find_attractors", "simulate_batch", "wilson_interval"]

KINDS = ("fixed point", "limit cycle", "quasi-periodic", "chaotic")


def wilson_interval(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a proportion ``k / n`` (95 % by default).

    Parameters
    ----------
    k, n : int
        Successes and trials (``0 <= k <= n``, ``n > 0``).
    z : float, default 1.96
        Normal quantile of the confidence level.

    Returns
    -------
    (float, float)
        Lower and upper bounds, inside ``[0, 1]`` even for ``k = 0`` or ``k = n``.

    Examples
    --------
    >>> lo, hi = wilson_interval(0, 10)   # no success in 10: [0, z^2 / (n + z^2)]
    >>> lo, round(hi, 4)
    (0.0, 0.2775)
    """
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    den = 1.0 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


@dataclass(eq=False)
class Attractor:
    """One attractor.

    Attributes
    ----------
    kind : str
        "fixed point", "limit cycle", "quasi-periodic" or "chaotic".
    support : tuple of int
        Fixed point: its support; otherwise the units active somewhere on the attractor.
    state : ndarray (n,)
        The fixed point, or a point on the attractor.
    period : float or None
        Limit cycles.
    floquet_multipliers : ndarray or None
    lyapunov : ndarray or None
        Lyapunov exponents, largest first (fixed point: real parts of the eigenvalues).
    trials : list of int
        The trials that ended here.
    basin_fraction, basin_interval : float, (float, float)
    orbit : ndarray (K, n) or None
        Samples of the attractor (cycles: one period; others: the last window).
    """

    kind: str
    support: tuple[int, ...]
    state: np.ndarray
    period: float | None = None
    floquet_multipliers: np.ndarray | None = None
    lyapunov: np.ndarray | None = None
    trials: list[int] = field(default_factory=list)
    basin_fraction: float = 0.0
    basin_interval: tuple[float, float] = (0.0, 1.0)
    orbit: np.ndarray | None = None
    mean_trace: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "support": list(self.support),
            "state": [float(v) for v in self.state],
            "period": None if self.period is None else float(self.period),
            "floquet_multipliers": None if self.floquet_multipliers is None else [
                [float(z.real), float(z.imag)] for z in self.floquet_multipliers],
            "lyapunov": None if self.lyapunov is None else [float(v) for v in self.lyapunov],
            "basin_fraction": float(self.basin_fraction),
            "basin_interval": [float(v) for v in self.basin_interval],
            "trials": len(self.trials),
        }


@dataclass(eq=False)
class Attractors:
    """Result of :func:`find_attractors`: the attractors, most visited first."""

    attractors: list[Attractor]
    trials: int
    seed: int
    t_max: float
    x0: np.ndarray
    t: np.ndarray
    samples: np.ndarray  # (trials, K, n): the transient, subsampled
    unclassified: list[int] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.attractors)

    def __iter__(self):
        return iter(self.attractors)

    def to_dict(self) -> dict[str, Any]:
        from .._version import __version__

        return {"attractors": [a.to_dict() for a in self.attractors], "trials": self.trials,
                "seed": self.seed, "t_max": self.t_max, "unclassified": len(self.unclassified),
                "params": self.params, "version": __version__}


def simulate_batch(net: TLN, X0: np.ndarray, t_max: float, dt: float, *,
                   record_every: int = 10, max_rate: float = 1e8
                   ) -> tuple[np.ndarray, np.ndarray]:
    """RK4 for all rows of ``X0`` (trials, n) at once: times (K,), states (trials, K, n).

    Stops early (the last recorded state then holds a rate above ``max_rate``) when
    some trial diverges.
    """
    W_T, b, tau = net.W.T.copy(), net.b, net.tau
    X = np.array(X0, dtype=float)

    def f(Y):
        return (np.maximum(Y @ W_T + b, 0.0) - Y) / tau

    steps = math.ceil(t_max / dt)
    dt = t_max / steps
    out_t = [0.0]
    out = [X.copy()]
    for s in range(1, steps + 1):
        k1 = f(X)
        k2 = f(X + 0.5 * dt * k1)
        k3 = f(X + 0.5 * dt * k2)
        k4 = f(X + dt * k3)
        X = X + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        if s % record_every == 0 or s == steps:
            out_t.append(s * dt)
            out.append(X.copy())
            if not np.all(np.abs(X) < max_rate):
                break
    return np.array(out_t), np.stack(out, axis=1)


def _core(orbit: np.ndarray) -> tuple[int, ...]:
    """Units whose time-averaged rate on ``orbit`` exceeds half the largest one."""
    mean = orbit.mean(axis=0)
    return tuple(int(i) for i in np.flatnonzero(mean > 0.5 * float(np.max(mean))))


def _classify_fixed(flow: PiecewiseLinearFlow, x: np.ndarray, rate_scale: float
                    ) -> tuple[tuple[int, ...], np.ndarray, np.ndarray] | None:
    """Support, fixed point and eigenvalues when ``x`` ends at a stable fixed point.

    Either the flow provably stays in the region (its Lyapunov sublevel set, see
    :meth:`PiecewiseLinearFlow.trapped`), or -- for regions whose matrix is defective,
    where that test does not apply -- ``x`` lies within ``1e-7`` (relative) of the
    region's self-consistent fixed point and every eigenvalue there is negative.
    """
    bits = flow.active_set(x)
    reg = flow.region(bits)
    if not flow.trapped(x):
        A, c = reg.A, reg.c
        try:
            xs = np.linalg.solve(A, -c)
        except np.linalg.LinAlgError:
            return None
        lam = np.linalg.eigvals(A)
        u = flow.W @ xs + flow.hth
        act = np.array(bits)
        tol = 1e-9 * rate_scale
        if (np.max(lam.real) >= 0 or np.any(np.where(act, u < -tol, u > tol))
                or np.linalg.norm(x - xs) > 1e-7 * rate_scale):
            return None
        return tuple(int(i) for i in np.flatnonzero(bits)), xs, lam
    return tuple(int(i) for i in np.flatnonzero(bits)), np.linalg.solve(reg.A, -reg.c), reg.lam


def find_attractors(model: Any, *, trials: int = 100, seed: int = 0, t_max: float = 200.0,
                    dt: float | None = None, scale: float | None = None,
                    lyapunov_time: float = 400.0, chaos_threshold: float = 1e-2,
                    progress: bool = False) -> Attractors:
    """Attractors of a TLN from ``trials`` random initial conditions.

    Parameters
    ----------
    model : TLN or CTLN
    trials : int, default 100
    seed : int, default 0
        Seed of the initial conditions (``numpy.random.default_rng(seed)``).
    t_max : float, default 200
        Transient simulated for every trial (units of tau).
    dt : float, optional
        RK4 step of the transient (default ``0.02 * min(tau)``).
    scale : float, optional
        Initial rates uniform in ``[0, scale]`` (default ``max(1, max b)``).
    lyapunov_time : float, default 400
        Averaging time of the Lyapunov spectrum for orbits that are not cycles.
    chaos_threshold : float, default 1e-2
        Largest exponent (1/tau) above which an orbit is called chaotic.
    progress : bool, default False

    Returns
    -------
    Attractors

    Examples
    --------
    >>> from ratenet.tln import CTLN
    >>> res = find_attractors(CTLN("0->1,1->2,2->0"), trials=4, t_max=50.0)
    >>> [(a.kind, a.support, round(a.basin_fraction, 2)) for a in res]
    [('limit cycle', (0, 1, 2), 1.0)]
    """
    if not isinstance(model, TLN):
        raise ParameterError("model", type(model).__name__, "a TLN or CTLN")
    net = model
    trials = check_int("trials", trials, minimum=1, maximum=1_000_000)
    seed = check_int("seed", seed, minimum=0)
    t_max = check_positive("t_max", t_max)
    tau_min, tau_max = float(np.min(net.tau)), float(np.max(net.tau))
    dt = 0.02 * tau_min if dt is None else check_positive("dt", dt)
    if t_max / dt > 5e6:
        raise ParameterError("t_max", t_max, f"at most 5e6 steps of dt = {dt:g}",
                             hint="raise dt or lower t_max")
    lyapunov_time = check_positive("lyapunov_time", lyapunov_time)
    chaos_threshold = check_positive("chaos_threshold", chaos_threshold)
    if scale is None:
        scale = max(1.0, float(np.max(net.b)))
    scale = check_positive("scale", scale)
    rng = np.random.default_rng(seed)
    X0 = scale * rng.random((trials, net.n))
    t, S = simulate_batch(net, X0, t_max, dt, record_every=max(1, round(0.1 * tau_min / dt)))
    if not np.all(np.abs(S[:, -1]) < 1e8):
        bad = int(np.flatnonzero(~np.all(np.abs(S[:, -1]) < 1e8, axis=1))[0])
        raise ParameterError("model", "an unbounded network", "a network whose rates stay "
                             f"bounded (trial {bad} passed rate 1e8 at t = {t[-1]:.4g})")
    flow = PiecewiseLinearFlow(net.to_network())
    rate_scale = max(1.0, float(np.max(np.abs(S[:, -1]))))
    found: list[Attractor] = []
    window = max(2, S.shape[1] // 5)
    unclassified: list[int] = []
    from ..analysis.limit_cycle import find_limit_cycle

    it = range(trials)
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, desc="classifying", leave=False)
    for k in it:
        x = S[k, -1]
        fx = _classify_fixed(flow, x, rate_scale)
        if fx is not None:
            support, xs, lam = fx
            for a in found:
                if a.kind == "fixed point" and a.support == support:
                    a.trials.append(k)
                    break
            else:
                found.append(Attractor("fixed point", support, xs,
                                       lyapunov=np.sort(lam.real)[::-1], trials=[k]))
            continue
        active = tuple(int(i) for i in np.flatnonzero(np.max(S[k, -window:], axis=0)
                                                         > 1e-9 * rate_scale))
        placed = False
        for a in found:
            if a.kind == "limit cycle" and a.orbit is not None:
                if np.min(np.linalg.norm(a.orbit - x, axis=1)) < 1e-2 * rate_scale:
                    a.trials.append(k)
                    placed = True
                    break
            elif (a.kind in ("chaotic", "quasi-periodic") and a.support == active
                  and a.orbit is not None and _core(a.orbit) == _core(S[k, -window:])):
                # the same active units and the same dominant ones: symmetric copies of
                # a chaotic attractor (same support, other dominant units) stay apart
                a.trials.append(k)
                placed = True
                break
        if placed:
            continue
        cyc = find_limit_cycle(net.to_network(), x0=x, t_search=max(50.0 * tau_max, 2 * t_max))
        if cyc is not None and cyc.stable:
            f0 = flow.rhs(cyc.point)
            q0 = np.column_stack([f0, np.eye(net.n)])[:, :net.n]
            # whole periods, re-orthonormalised every tau or so (one interval must not
            # span a range of singular values beyond double precision)
            sub = max(1, math.ceil(cyc.period / tau_max))
            spec = lyapunov_spectrum(net, cyc.point, t_total=20 * cyc.period,
                                     interval=cyc.period / sub, q0=q0)
            sup = tuple(int(i) for i in np.flatnonzero(cyc.maximum > 1e-9 * rate_scale))
            found.append(Attractor("limit cycle", sup, cyc.point.copy(), period=cyc.period,
                                   floquet_multipliers=cyc.floquet_multipliers,
                                   lyapunov=spec.exponents, trials=[k],
                                   orbit=cyc.orbit[::max(1, cyc.orbit.shape[0] // 1000)],
                                   mean_trace=spec.mean_trace))
            continue
        spec2: LyapunovSpectrum = lyapunov_spectrum(net, x, t_total=lyapunov_time)
        if spec2.status != "ok":
            unclassified.append(k)
            continue
        kind = "chaotic" if spec2.largest > chaos_threshold / tau_max else "quasi-periodic"
        found.append(Attractor(kind, active, x.copy(), lyapunov=spec2.exponents, trials=[k],
                               orbit=S[k, -window:], mean_trace=spec2.mean_trace))
    for a in found:
        a.basin_fraction = len(a.trials) / trials
        a.basin_interval = wilson_interval(len(a.trials), trials)
    found.sort(key=lambda a: (-len(a.trials), a.kind, a.support))
    return Attractors(attractors=found, trials=trials, seed=seed, t_max=t_max, x0=X0, t=t,
                      samples=S, unclassified=unclassified,
                      params={**net.to_dict(), "dt": dt, "scale": scale})
