"""The exact flow of a threshold-linear network, with its derivative (the monodromy matrix).

* :class:`PiecewiseLinearFlow` (threshold-linear transfer) is exact: inside each
  region of fixed active set the dynamics are linear, ``dx/dt = A x + c``, and are
  solved in closed form through the eigen-decomposition of ``A`` (the matrix
  exponential of the augmented system when ``A`` is singular or defective).  The
  times at which a unit crosses its threshold are located by sampling the closed-form
  solution and refining with Brent's method.  The vector field is continuous across
  thresholds, so the saltation matrices are the identity and the flow derivative is
  the product of the regions' matrix exponentials.
  The solution is sampled every ``0.1 / max|eigenvalue|`` of the region; an orbit
  that crossed a threshold and came back between two samples (a grazing contact
  shallower than that resolution) would not be seen.
* :class:`SmoothFlow` integrates the state and its variational equations with
  scipy's DOP853 at tight tolerance.

Both stop at an optional Poincare section ``n . (x - p) = 0`` crossed in the
direction of ``n``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import brentq

from ..network import RateNetwork
from ..transfer import ThresholdLinear
from .regions import Region, region_system

__all__ = ["FlowResult", "PiecewiseLinearFlow"]


@dataclass
class FlowResult:
    """Outcome of :meth:`advance`.

    ``x``: final state (n,); ``t``: elapsed time; ``monodromy``: d x(t) / d x0 (n, n);
    ``hit_section``: stopped on the section; ``status``: "ok", "section", "diverged" or
    "stalled" (too many threshold crossings: chattering at a tangency);
    ``times`` (K,), ``states`` (K, n): the recorded samples (with ``record_dt``).
    """

    x: np.ndarray
    t: float
    monodromy: np.ndarray
    status: str
    times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    states: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    segments: list[tuple[float, np.ndarray, Any]] = field(default_factory=list)

    def state_at(self, t: float) -> np.ndarray:
        """Exact state at time ``t`` of a recorded piecewise-linear run."""
        starts = [seg[0] for seg in self.segments]
        j = max(int(np.searchsorted(starts, t, side="right")) - 1, 0)
        t0, x0, reg = self.segments[j]
        return reg.propagate(x0, [t - t0])[0]

    @property
    def hit_section(self) -> bool:
        return self.status == "section"


class PiecewiseLinearFlow:
    """Exact flow of a threshold-linear network (see the module docstring)."""

    exact = True

    def __init__(self, net: RateNetwork, *, max_rate: float = 1e6) -> None:
        if not isinstance(net.transfer, ThresholdLinear):
            raise TypeError("PiecewiseLinearFlow needs threshold-linear transfer")
        self.net = net
        self.n = net.n
        self.W = net.weights
        self.hth = net.external(0.0) - net.transfer.threshold
        self.scale = max(1.0, float(np.max(np.abs(self.hth))))
        self.max_rate = max_rate
        self._regions: dict[tuple[bool, ...], Region] = {}

    def rhs(self, x: np.ndarray) -> np.ndarray:
        return self.net.rhs(0.0, x)

    def region(self, bits: tuple[bool, ...]) -> Region:
        reg = self._regions.get(bits)
        if reg is None:
            reg = Region(*region_system(self.net, bits))
            self._regions[bits] = reg
        return reg

    def active_set(self, x: np.ndarray) -> tuple[bool, ...]:
        """Region of ``x``; a unit on its threshold goes the way the flow takes it."""
        u = self.W @ x + self.hth
        tol = 1e-12 * max(self.scale, float(np.max(np.abs(x))))
        du = self.W @ self.rhs(x)
        return tuple(bool(ui > tol or (abs(ui) <= tol and dui > 0)) for ui, dui in zip(u, du))

    def trapped(self, x: np.ndarray) -> bool:
        """True if ``x`` provably converges to a stable fixed point of its region.

        Uses the quadratic Lyapunov function of the region's linear dynamics: when the
        sublevel set through ``x`` lies inside the region, the orbit never leaves it.
        """
        from scipy.linalg import solve_continuous_lyapunov

        bits = self.active_set(x)
        reg = self.region(bits)
        if not reg.modal or np.max(reg.lam.real) >= 0:
            return False
        act = np.array(bits)
        u_star = self.W @ reg.xstar + self.hth
        if np.any(np.where(act, u_star <= 0, u_star >= 0)):
            return False
        if reg._lyap is None:
            P = solve_continuous_lyapunov(reg.A.T, -np.eye(self.n))
            reg._lyap = (P, np.linalg.inv(P))
        P, Pinv = reg._lyap
        d = x - reg.xstar
        V = float(d @ P @ d)
        for i in range(self.n):  # distance (in V) from x* to the plane u_i = 0
            a = self.W[i]
            if float(a @ Pinv @ a) <= 0:
                continue
            if V >= 0.999 * u_star[i] ** 2 / float(a @ Pinv @ a):
                return False
        return True

    def advance(self, x0: np.ndarray, t_max: float, *, section: tuple[np.ndarray, np.ndarray]
                | None = None, min_time: float = 0.0, record_dt: float | None = None,
                max_events: int = 100000) -> FlowResult:
        """Follow the flow from ``x0`` for ``t_max``, or to the first section crossing."""
        n = self.n
        x = np.array(x0, dtype=float)
        t = 0.0
        Phi = np.eye(n)
        bits = self.active_set(x)
        rec_t: list[np.ndarray] = []
        rec_x: list[np.ndarray] = []
        segments: list[tuple[float, np.ndarray, Any]] = []
        if record_dt is not None:
            rec_t.append(np.zeros(1))
            rec_x.append(x[None, :].copy())
        if section is not None:
            p, nrm = section
        status = "ok"
        for _ in range(max_events):
            reg = self.region(bits)
            act = np.array(bits)
            tol = 1e-12 * max(self.scale, float(np.max(np.abs(x))))
            delta = 0.1 / reg.rate
            K = 128
            s = delta * np.arange(1, K + 1)
            if s[-1] >= t_max - t:
                s = np.append(s[s < t_max - t], t_max - t)
            X = reg.propagate(x, s)
            U = X @ self.W.T + self.hth
            viol = np.where(act, U < -tol, U > tol)
            bad = np.flatnonzero(np.any(viol, axis=1))
            k_thr = int(bad[0]) if bad.size else len(s)
            k_sec = len(s)
            if section is not None:
                S = (X - p) @ nrm
                S_prev = np.concatenate(([float((x - p) @ nrm)], S[:-1]))
                hits = np.flatnonzero((S_prev < 0) & (S >= 0) & (t + s >= min_time))
                if hits.size:
                    k_sec = int(hits[0])
            k_div = len(s)
            big = np.flatnonzero(~(np.abs(X).max(axis=1) < self.max_rate))
            if big.size:
                k_div = int(big[0])
            k_ev = min(k_thr, k_sec, k_div)
            kind, flip, s_evt = "end", -1, float(s[-1])
            if k_ev < len(s):
                s_lo = 0.0 if k_ev == 0 else float(s[k_ev - 1])
                s_hi = float(s[k_ev])
                s_evt = s_hi
                if k_div == k_ev and k_div < min(k_thr, k_sec):
                    kind = "diverged"
                x_of = reg.at(x)
                if k_thr == k_ev:
                    for i in np.flatnonzero(viol[k_thr]):
                        sign = 1.0 if act[i] else -1.0
                        off = float(self.hth[i] + sign * tol)
                        Wi = self.W[i]

                        def g(si, Wi=Wi, off=off, x_of=x_of):
                            return float(Wi @ x_of(si)) + off

                        if g(s_lo) * sign <= 0:
                            root = s_lo
                        else:
                            root = brentq(g, s_lo, s_hi, xtol=1e-14, rtol=1e-15)
                        if kind != "threshold" or root < s_evt:
                            s_evt, flip, kind = root, int(i), "threshold"
                if k_sec == k_ev:
                    def gs(si, x_of=x_of):
                        return float((x_of(si) - p) @ nrm)

                    top = s_evt if kind == "threshold" else s_hi
                    if gs(s_lo) < 0 <= gs(top):
                        root = top if gs(top) == 0 else brentq(gs, s_lo, top, xtol=1e-14,
                                                               rtol=1e-15)
                        if kind != "threshold" or root <= s_evt:
                            s_evt, flip, kind = root, -1, "section"
            x_new = reg.propagate(x, [s_evt])[0]
            if record_dt is not None:
                segments.append((t, x.copy(), reg))
                k0 = int(np.floor(t / record_dt)) + 1
                k1 = int(np.floor((t + s_evt) / record_dt + 1e-12))
                if k1 >= k0:
                    tg = record_dt * np.arange(k0, k1 + 1)
                    rec_t.append(tg)
                    rec_x.append(reg.propagate(x, tg - t))
            Phi = reg.derivative(s_evt) @ Phi
            t += s_evt
            x = x_new
            if kind == "threshold":
                b = list(bits)
                b[flip] = not b[flip]
                bits = tuple(b)
                continue
            if kind == "section":
                status = "section"
                break
            if kind == "diverged":
                status = "diverged"
                break
            if t >= t_max * (1 - 1e-15):
                break
        else:
            status = "stalled"  # max_events region changes without reaching t_max
        if record_dt is not None:
            if rec_t[-1][-1] < t:
                rec_t.append(np.array([t]))
                rec_x.append(x[None, :].copy())
            times, states = np.concatenate(rec_t), np.concatenate(rec_x)
        else:
            times, states = np.zeros(0), np.zeros((0, n))
        return FlowResult(x=x, t=t, monodromy=Phi, status=status, times=times, states=states,
                          segments=segments)
