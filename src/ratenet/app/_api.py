"""The one place where the explorer calls the ratenet library.

The views never import model, theory or analysis code themselves: they call the
functions here, which return small plain records.  When the library's API moves,
only this module changes.  Parts of the library that a given installation lacks
(the ring theory, the E-I analysis, noise in :func:`ratenet.simulate`) are
reported as missing, and the page says so instead of failing.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from .. import RingModel, RingTrajectory, simulate

__all__ = [
    "EICycle",
    "EIFixedPoint",
    "EIPhasePlane",
    "RingRun",
    "RingTheory",
    "ei_model",
    "ei_phase_plane",
    "ei_trajectory",
    "noise_supported",
    "regime_map",
    "regime_map_cached",
    "ring_theory",
    "simulate_ring",
]


def _optional(module: str) -> Any | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


# ---------------------------------------------------------------------- ring
@dataclass(frozen=True)
class RingRun:
    """One ring simulation segment.

    Attributes
    ----------
    t : ndarray of shape (T,)
        Recorded times (units of tau), starting at the segment's start time.
    rates : ndarray of shape (T, N)
    M : ndarray of shape (T,)
        Mean deviation from the uniform state (nan where no uniform state exists).
    C_abs : ndarray of shape (T,)
        ``|C(t)|``.
    bump_position : ndarray of shape (T,)
        Population-vector angle (radians).
    ok : bool
    message : str
    """

    t: np.ndarray
    rates: np.ndarray
    M: np.ndarray
    C_abs: np.ndarray
    bump_position: np.ndarray
    ok: bool
    message: str


@functools.lru_cache(maxsize=1)
def noise_supported() -> bool:
    """Whether this ratenet's :func:`simulate` accepts ``noise=ratenet.noise.Noise(...)``."""
    mod = _optional("ratenet.noise")
    return "noise" in inspect.signature(simulate).parameters and hasattr(mod, "Noise")


def _noise(sigma: float) -> Any:
    """White noise of amplitude ``sigma`` on the rates (``ratenet.noise.Noise``)."""
    from ..noise import Noise

    return Noise(sigma=sigma)


def simulate_ring(*, J0: float, J1: float, h0: float, eps: float, theta0: float, N: int,
                  t_start: float, duration: float, frames: int, x0: np.ndarray | None,
                  noise: float = 0.0, seed: int = 0) -> RingRun:
    """Simulate the ring (compiled kernel) for ``duration`` from ``x0``; see :class:`RingRun`.

    ``t_start`` shifts the recorded times only (the input does not depend on time
    here).  ``x0=None`` starts from ratenet's default small random rates.  ``noise``
    is the amplitude sigma of white noise on the rates (rate units), drawn from ``seed``.
    """
    model = RingModel(J0=J0, J1=J1, h0=h0, eps=eps, theta0=theta0, N=N)
    # Euler with dt = tau/50: stable for every slider setting (|1 - dt (1 - J0)| < 1 down
    # to J0 = -10), and its fixed points are exactly those of the ODE
    dt = 0.02
    n_steps = max(1, math.ceil(duration / dt - 1e-9))
    record_every = max(1, n_steps // max(frames, 1))
    kwargs: dict[str, Any] = {}
    if noise > 0 and noise_supported():
        kwargs["noise"] = _noise(noise)
    # one thread per request: the server runs many sessions, and Numba's parallel kernel
    # pays a thread barrier per time step that costs more than N = 256 units take
    traj = simulate(model, t_max=duration, dt=dt, x0=x0, record_every=record_every, seed=seed,
                    on_divergence="ignore", parallel=False, **kwargs)
    good = np.all(np.isfinite(traj.rates), axis=-1)
    rates = traj.rates[good]
    t = traj.t[good] + t_start
    traj = cast(RingTrajectory, traj)  # what simulate() returns for a RingModel
    # C(t) = (1/N) sum_i m_i exp(i theta_i), as RingTrajectory.C, with two real products
    # (a real-by-complex matrix product has no BLAS path in NumPy: 1000x slower)
    theta = np.asarray(traj.theta, dtype=float)
    C = (rates @ np.cos(theta) + 1j * (rates @ np.sin(theta))) / rates.shape[-1]
    return RingRun(t=t, rates=rates, M=np.asarray(traj.M)[good], C_abs=np.abs(C),
                   bump_position=np.mod(np.angle(C), 2 * np.pi), ok=bool(traj.ok),
                   message=str(traj.message))


@dataclass(frozen=True)
class RingTheory:
    """What the analytic theory says for one parameter set.

    Attributes
    ----------
    available : bool
        False where this ratenet has no ``ratenet.theory.ring``.
    regime : str
        The regime's name (``"marginal"``, ...), or "" when unavailable.
    profile : ndarray of shape (N,) or None
        Predicted stationary profile at the simulated angles (None where the theory
        gives none, e.g. an unbounded regime).
    theta_c : float
        Cutoff angle (radians; nan where not defined).
    message : str
    """

    available: bool
    regime: str = ""
    profile: np.ndarray | None = None
    theta_c: float = math.nan
    message: str = ""


def _regime_name(value: Any) -> str:
    name = getattr(value, "name", None) or getattr(value, "value", None) or value
    return str(name)


def ring_theory(*, J0: float, J1: float, h0: float, eps: float, theta0: float,
                theta: np.ndarray) -> RingTheory:
    """The theory's stationary state and regime at angles ``theta`` (radians, shape (N,)).

    Results are cached (shared by sessions; the function is pure and the profile is
    returned read-only): moving a slider back and forth costs the theory once.
    """
    theta = np.asarray(theta, dtype=float)
    key = (float(J0), float(J1), float(h0), float(eps), float(theta0), theta.tobytes())
    hit = _THEORY_CACHE.get(key)
    if hit is None:
        hit = _ring_theory(J0=J0, J1=J1, h0=h0, eps=eps, theta0=theta0, theta=theta)
        if hit.profile is not None:
            hit.profile.setflags(write=False)
        if len(_THEORY_CACHE) >= _THEORY_CACHE_SIZE:
            _THEORY_CACHE.pop(next(iter(_THEORY_CACHE)))
        _THEORY_CACHE[key] = hit
    return hit


_THEORY_CACHE: dict[tuple[Any, ...], RingTheory] = {}
_THEORY_CACHE_SIZE = 256


def _ring_theory(*, J0: float, J1: float, h0: float, eps: float, theta0: float,
                 theta: np.ndarray) -> RingTheory:
    mod = _optional("ratenet.theory.ring")
    if mod is None or not hasattr(mod, "stationary_state"):
        return RingTheory(available=False, message="ring theory not available in this ratenet")
    try:
        state = mod.stationary_state(J0=J0, J1=J1, h0=h0, eps=eps, theta0=theta0)
    except ValueError as err:
        regime = ""
        if hasattr(mod, "classify_regime"):
            try:
                regime = _regime_name(mod.classify_regime(J0=J0, J1=J1, h0=h0, eps=eps))
            except (ValueError, TypeError):
                regime = ""
        return RingTheory(available=True, regime=regime, message=str(err))
    profile = None
    try:
        p = np.asarray(state.profile(theta), dtype=float)
        if p.shape == theta.shape and np.all(np.isfinite(p)):
            profile = p
    except (ValueError, TypeError, AttributeError, ArithmeticError):
        profile = None
    return RingTheory(available=True, regime=_regime_name(state.regime), profile=profile,
                      theta_c=float(getattr(state, "theta_c", math.nan)), message="")


_MAP_CACHE: dict[tuple[Any, ...], tuple[np.ndarray, tuple[str, ...]] | None] = {}
_MAP_CACHE_SIZE = 64


def _map_key(J0s: np.ndarray, J1s: np.ndarray, h0: float, eps: float) -> tuple[Any, ...]:
    return (tuple(np.round(np.asarray(J0s, dtype=float), 9)),
            tuple(np.round(np.asarray(J1s, dtype=float), 9)), round(float(h0), 9),
            round(float(eps), 9))


def regime_map_cached(J0s: np.ndarray, J1s: np.ndarray, *, h0: float, eps: float) -> bool:
    """Whether :func:`regime_map` for these arguments is already computed."""
    return _map_key(J0s, J1s, h0, eps) in _MAP_CACHE


def regime_map(J0s: np.ndarray, J1s: np.ndarray, *, h0: float,
               eps: float) -> tuple[np.ndarray, tuple[str, ...]] | None:
    """Regime codes on the grid, shape ``(len(J1s), len(J0s))``, and the regime names.

    None where this ratenet has no ``regime_map``.  Results are cached (the map
    depends only on the grid, ``h0`` and ``eps``; the cache is shared by sessions,
    which is safe because the function is pure).
    """
    key = _map_key(J0s, J1s, h0, eps)
    if key in _MAP_CACHE:
        return _MAP_CACHE[key]
    mod = _optional("ratenet.theory.ring")
    if mod is None or not hasattr(mod, "regime_map"):
        return None
    J0s, J1s = np.asarray(J0s, dtype=float), np.asarray(J1s, dtype=float)
    raw = mod.regime_map(J0s, J1s, h0=h0, eps=eps)
    names = tuple(_regime_name(r) for r in getattr(mod, "REGIMES", ()))
    arr = np.asarray(getattr(raw, "regime", raw))
    if arr.dtype.kind in "US" or arr.dtype == object:
        labels = [_regime_name(v) for v in arr.ravel()]
        known = list(names)
        for lab in labels:
            if lab not in known:
                known.append(lab)
        codes = np.array([known.index(lab) for lab in labels]).reshape(arr.shape)
        names = tuple(known)
    else:
        codes = arr.astype(int)
    if codes.shape != (len(J1s), len(J0s)):  # documented: rows follow J1, columns J0
        raise ValueError(f"regime_map returned shape {codes.shape}, expected "
                         f"{(len(J1s), len(J0s))}")
    codes.setflags(write=False)
    if len(_MAP_CACHE) >= _MAP_CACHE_SIZE:
        _MAP_CACHE.pop(next(iter(_MAP_CACHE)))
    _MAP_CACHE[key] = (codes, names)
    return codes, names


# ----------------------------------------------------------------------- E-I
def ei_model(**params: float) -> Any:
    """A :class:`ratenet.EIModel` (raises ParameterError on a bad value)."""
    from .. import EIModel

    return EIModel(**params)  # type: ignore[arg-type]


#: Longest search for a limit cycle in one request (s).
LIMIT_CYCLE_SECONDS = 2.0


@dataclass(frozen=True)
class EIFixedPoint:
    """A fixed point: rates (Hz), type, eigenvalues, Jacobian trace and determinant (1/ms)."""

    nu_E: float
    nu_I: float
    kind: str
    eigenvalues: tuple[complex, ...]
    trace: float
    det: float


@dataclass(frozen=True)
class EICycle:
    """One period of a limit cycle: ``nu_E``, ``nu_I`` (Hz, closed), period (ms), stability."""

    nu_E: np.ndarray
    nu_I: np.ndarray
    period: float
    stable: bool


@dataclass(frozen=True)
class EIPhasePlane:
    """Everything the phase-plane picture shows except the clicked trajectory.

    Attributes
    ----------
    fixed_points : list of EIFixedPoint
    nullcline_E, nullcline_I : list of (nu_E array, nu_I array)
        Pieces of the curves where ``dnu_E/dt = 0`` and ``dnu_I/dt = 0`` (Hz).
    cycle : EICycle or None
    x_range, y_range : (float, float)
        Window (Hz) holding the fixed points and the cycle.
    flow : (X, Y, U, V)
        Grid (Hz) and ``dnu/dt`` (Hz/ms) there, each of shape (grid, grid).
    """

    fixed_points: list[EIFixedPoint]
    nullcline_E: list[tuple[np.ndarray, np.ndarray]]
    nullcline_I: list[tuple[np.ndarray, np.ndarray]]
    cycle: EICycle | None
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    flow: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def ei_phase_plane(model: Any, *, grid: int) -> EIPhasePlane:
    """Fixed points, limit cycle, nullclines and flow of ``model`` (``ratenet.analysis``)."""
    from .. import analysis as A

    fps = A.find_fixed_points(model)
    # a bounded search: one request must not hold the server (and every other session)
    lc = A.find_limit_cycle(model, max_seconds=LIMIT_CYCLE_SECONDS)
    x_range, y_range = A.default_window(fps, lc)
    ncl = A.nullclines(model, x_range=x_range, y_range=y_range)
    pieces = [[(np.asarray(seg)[:, 0], np.asarray(seg)[:, 1]) for seg in n.segments]
              for n in ncl]
    # arrows at cell centres, away from the window's edges
    vf = A.vector_field(model, x_range=x_range, y_range=y_range, num=grid + 2)
    X, Y = np.meshgrid(vf.x[1:-1], vf.y[1:-1])
    U, V = vf.U[1:-1, 1:-1], vf.V[1:-1, 1:-1]
    points = [EIFixedPoint(nu_E=float(fp.state[0]), nu_I=float(fp.state[1]), kind=str(fp.type),
                           eigenvalues=tuple(complex(z) for z in fp.eigenvalues),
                           trace=fp.trace, det=fp.determinant) for fp in fps]
    cycle = None
    if lc is not None:
        orbit = np.vstack([lc.orbit, lc.orbit[:1]])
        cycle = EICycle(nu_E=orbit[:, 0], nu_I=orbit[:, 1], period=float(lc.period),
                        stable=bool(lc.stable))
    return EIPhasePlane(fixed_points=points, nullcline_E=pieces[0], nullcline_I=pieces[1],
                        cycle=cycle, x_range=x_range, y_range=y_range, flow=(X, Y, U, V))


def ei_trajectory(model: Any, *, start: tuple[float, float], duration: float,
                  dt: float = 1.0) -> tuple[np.ndarray, np.ndarray, bool, str]:
    """Simulate from ``start`` (Hz) for ``duration`` (ms): times, rates (T, 2), ok, message.

    Classical Runge-Kutta with ``dt = min(1, tau_min / 10)`` ms: a picture, not a
    measurement (the period and the cycle come from ``ratenet.analysis``, exactly).
    """
    dt = min(dt, 0.1 * min(model.tau_E, model.tau_I))
    n_steps = max(1, math.ceil(duration / dt))
    record_every = max(1, n_steps // 2000)
    traj = simulate(model, t_max=duration, dt=dt, x0=np.asarray(start, dtype=float),
                    method="rk4", record_every=record_every, on_divergence="ignore")
    good = np.all(np.isfinite(traj.rates), axis=-1)
    return traj.t[good], traj.rates[good], bool(traj.ok), str(traj.message)
