"""Flows of autonomous rate networks with their derivative (the monodromy matrix).

Two implementations of one small interface, ``advance(x0, t_max, ...)``: the exact
:class:`ratenet.pwl.PiecewiseLinearFlow` for threshold-linear transfer, and
:class:`SmoothFlow`, which integrates the state and its variational equations with
scipy's DOP853 at tight tolerance.  Both stop at an optional Poincare section
``n . (x - p) = 0`` crossed in the direction of ``n``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..network import RateNetwork
from ..pwl.flow import FlowResult, PiecewiseLinearFlow
from ..transfer import ThresholdLinear

__all__ = ["FlowResult", "PiecewiseLinearFlow", "SmoothFlow", "make_flow"]


class SmoothFlow:
    """Flow of a network with smooth transfer: DOP853 on the state and its variations."""

    exact = False

    def __init__(self, net: RateNetwork, *, rtol: float = 1e-11, max_rate: float = 1e6) -> None:
        self.net = net
        self.n = net.n
        self.rtol = rtol
        self.max_rate = max_rate
        h = net.external(0.0)
        self.scale = max(1.0, float(np.max(np.abs(h))))

    def rhs(self, x: np.ndarray) -> np.ndarray:
        return self.net.rhs(0.0, x)

    def trapped(self, x: np.ndarray) -> bool:
        return False

    def _run(self, y0: np.ndarray, t0: float, t1: float, section, dense: bool):
        from scipy.integrate import solve_ivp

        n = self.n
        net = self.net

        def f(t, y):
            x = y[:n]
            P = y[n:].reshape(n, n)
            return np.concatenate((net.rhs(t, x), (net.jacobian(x) @ P).ravel()))

        def blow(t, y):
            return self.max_rate - float(np.max(np.abs(y[:n])))

        blow.terminal = True  # type: ignore[attr-defined]
        events: list[Any] = [blow]
        if section is not None:
            p, nrm = section

            def ev(t, y):
                return float((y[:n] - p) @ nrm)

            ev.terminal = True  # type: ignore[attr-defined]
            ev.direction = 1.0  # type: ignore[attr-defined]
            events.append(ev)
        return solve_ivp(f, (t0, t1), y0, method="DOP853", rtol=self.rtol,
                         atol=self.rtol * self.scale, events=events, dense_output=dense)

    def advance(self, x0: np.ndarray, t_max: float, *, section=None, min_time: float = 0.0,
                record_dt: float | None = None, max_events: int = 0) -> FlowResult:
        """Follow the flow from ``x0`` for ``t_max``, or to the first section crossing
        (in the direction of the normal) after ``min_time``."""
        n = self.n
        y = np.concatenate((np.asarray(x0, dtype=float), np.eye(n).ravel()))
        dense = record_dt is not None
        sols = []
        t = 0.0
        status = "ok"
        if section is not None:
            # a start on the section is not a return: look for crossings only later
            min_time = min(max(min_time, 0.1 * float(np.min(self.net.tau))), t_max)
            sol = self._run(y, 0.0, min_time, None, dense)
            sols.append(sol)
            y, t = sol.y[:, -1], float(sol.t[-1])
            if sol.status == 1:
                status = "diverged"
        if status == "ok" and t < t_max:
            sol = self._run(y, t, t_max, section, dense)
            sols.append(sol)
            y, t = sol.y[:, -1], float(sol.t[-1])
            if sol.status == 1:
                if section is not None and sol.t_events[1].size:
                    status = "section"
                    y, t = sol.y_events[1][0], float(sol.t_events[1][0])
                else:
                    status = "diverged"
        if record_dt is not None:
            times = np.append(np.arange(0.0, t, record_dt), t)
            states = np.empty((times.size, n))
            for sol in sols:
                lo, hi = sol.t[0], sol.t[-1]
                m = (times >= lo) & (times <= hi)
                if np.any(m):
                    states[m] = sol.sol(times[m])[:n].T
        else:
            times, states = np.zeros(0), np.zeros((0, n))
        return FlowResult(x=y[:n].copy(), t=t, monodromy=y[n:].reshape(n, n).copy(),
                          status=status, times=times, states=states)


def make_flow(net: RateNetwork, *, max_rate: float = 1e6) -> PiecewiseLinearFlow | SmoothFlow:
    """The exact flow for threshold-linear networks, the integrated one otherwise."""
    if isinstance(net.transfer, ThresholdLinear):
        return PiecewiseLinearFlow(net, max_rate=max_rate)
    return SmoothFlow(net, max_rate=max_rate)
