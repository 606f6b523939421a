"""Bookkeeping shared by the fixed-step integrators (:mod:`ratenet.simulate`,
:mod:`ratenet.noise`): time steps, default initial rates, progress, divergence messages
and the assembly of a trajectory.  Imports no integrator, so that both can import it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

from ._validation import ParameterError, check_positive
from .models.ring import RingModel
from .results import RingTrajectory, SimulationDiverged, Trajectory

#: Most time steps one simulation may take: a limit of the representation (step counts are
#: exact in a float below it), far beyond a run that ends; the CLI's caps are lower.
MAX_STEPS = 2**53


def _check_dt(dt: float | None, tau_min: float, t_max: float) -> float:
    if dt is None:
        dt = tau_min / 100.0
    dt = check_positive("dt", dt)
    if dt > t_max:
        raise ParameterError("dt", dt, f"<= t_max = {t_max:g}")
    steps = t_max / dt
    if not steps <= MAX_STEPS:
        raise ParameterError("dt", dt, f"a time step giving at most 2**53 steps over t_max = "
                             f"{t_max:g}", hint=f"t_max / dt = {steps:.3g} steps")
    return dt


def _memory_limit() -> float:
    """Half the machine's physical memory, in bytes (8 GiB if unknown)."""
    from ._validation import memory_limit

    return memory_limit()


def _check_memory(B: int, n_rec: int, n: int, record_every: int | None) -> None:
    """Refuse before allocating a recorded trajectory larger than half the memory."""
    need = 8.0 * B * (max(n_rec, 1) + 4) * n
    limit = _memory_limit()
    if need > limit:
        raise ParameterError(
            "record_every", record_every,
            f"large enough for the recorded rates to fit in memory ({limit / 2**30:.3g} GiB, "
            "half of this machine's)",
            hint=f"{B} x {n_rec} samples x {n} units would need {need / 2**30:.3g} GiB; "
                 "record fewer steps (larger record_every, or None) or fewer units")


def _n_steps(t_max: float, dt: float) -> int:
    return max(1, math.ceil(t_max / dt - 1e-9))


def _initial_state(x0, B: int, n: int, seed: int | None, ring: bool = False) -> np.ndarray:
    if x0 is None:
        if not ring:
            return np.zeros((B, n))
        out = np.empty((B, n))
        for b in range(B):
            ss = np.random.SeedSequence(seed, spawn_key=(b,))
            out[b] = 1e-3 * np.random.default_rng(ss).random(n)
        return out
    x = np.asarray(x0, dtype=float)
    if x.shape == (n,):
        x = np.broadcast_to(x, (B, n))
    if x.shape != (B, n):
        raise ParameterError("x0", f"array of shape {x.shape}", f"shape ({n},) or ({B}, {n})")
    if not np.all(np.isfinite(x)):
        raise ParameterError("x0", "array with non-finite entries", "finite initial rates")
    return np.array(x, dtype=float, order="C")


class _NoBar:
    """Stand-in for a disabled progress bar (costs nothing per call)."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


def _progress_bar(total: int, enabled: bool, desc: str):
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="step", leave=False)


def _chunks(n_steps: int, record_every: int, n_chunks: int) -> list[tuple[int, int]]:
    if n_chunks <= 1:
        return [(0, n_steps)]
    size = max(record_every, (n_steps // n_chunks) // record_every * record_every)
    out = []
    s = 0
    while s < n_steps:
        e = min(n_steps, s + size)
        out.append((s, e - s))
        s = e
    return out


def _divergence_message(x_row: np.ndarray, t: float, max_rate: float, cause: str,
                        names: Sequence[str] | None) -> str:
    bad = np.flatnonzero(~(np.abs(x_row) < max_rate))
    if bad.size == 0:  # the sum crossed the bound before any single unit did
        bad = np.argsort(-np.abs(np.nan_to_num(x_row, nan=np.inf)))[:5]
    shown = bad[:5]
    if names:
        which = ", ".join(str(names[i]) for i in shown)
    else:
        which = ", ".join(str(i) for i in shown)
    more = f" and {bad.size - shown.size} more" if bad.size > shown.size else ""
    return (f"diverged at t = {t:.6g}: rates left the bound max_rate = {max_rate:g} "
            f"({bad.size} units: {which}{more}); likely cause: {cause}")


def _finish(traj: Trajectory, on_divergence: str) -> Trajectory:
    if not traj.ok:
        if on_divergence == "raise":
            raise SimulationDiverged(traj.message, traj)
        if on_divergence == "warn":
            warnings.warn(traj.message, RuntimeWarning, stacklevel=3)
    return traj


def _ring_compiled_ok(models: list[RingModel]) -> bool:
    m0 = models[0]
    if getattr(m0.transfer, "kind", -1) < 0:
        return False  # a Transfer of the user's own: only the NumPy engine can call it
    return all(
        m.external is None and m.coupling == "fourier" and type(m.transfer) is type(m0.transfer)
        and len(m.J_higher) == len(m0.J_higher)
        for m in models
    )


def _assemble(R, t, div_step, dt, x_last, params, single, method, max_rate, causes, *, ring,
              names) -> Trajectory:
    B = R.shape[0]
    status = np.where(div_step > 0, "diverged", "ok")
    t_div = np.where(div_step > 0, div_step * dt, np.nan)
    # only the first five diverged rows are described (a cause can cost a root search)
    diverged = np.flatnonzero(div_step > 0)
    n_div = int(diverged.size)
    msgs = []
    for b in diverged[:5]:
        msg = _divergence_message(x_last[b], float(t_div[b]), max_rate, causes[b], names)
        msgs.append(msg if B == 1 else f"model[{b}] {msg}")
    if msgs:
        head = "" if B == 1 else f"{n_div} of {B} simulations diverged. "
        message = head + " | ".join(msgs[:5]) + (" | ..." if n_div > 5 else "")
    else:
        message = "completed" + (f": {B} simulations" if B > 1 else "")
    cls = RingTrajectory if ring else Trajectory
    if single:
        R, status, t_div, params = R[0], status[0], t_div[0], params[0]
    return cls(t=t, rates=R, status=np.asarray(status), t_diverged=np.asarray(t_div),
               message=message, params=params, method=method, dt=dt, unit_names=tuple(names))


def _step(rhs, t: float, x: np.ndarray, dt: float, method: str) -> np.ndarray:
    """One fixed step (euler, heun or rk4) of ``dx/dt = rhs(t, x)``: the NumPy engines."""
    k1 = rhs(t, x)
    if method == "euler":
        return x + dt * k1
    if method == "heun":
        k2 = rhs(t + dt, x + dt * k1)
        return x + 0.5 * dt * (k1 + k2)
    k2 = rhs(t + 0.5 * dt, x + 0.5 * dt * k1)
    k3 = rhs(t + 0.5 * dt, x + 0.5 * dt * k2)
    k4 = rhs(t + dt, x + dt * k3)
    return x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
