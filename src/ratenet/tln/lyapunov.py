"""Lyapunov spectra of threshold-linear networks from the exact piecewise-linear flow.

Inside a region the flow derivative over a time ``s`` is ``expm(A s)``
(:meth:`ratenet.pwl.Region.derivative`); the TLN vector field is continuous across
thresholds, so the saltation matrices are the identity and the derivative of the flow
over any interval is the product of the regions' exponentials (the monodromy of
:meth:`ratenet.pwl.PiecewiseLinearFlow.advance`).  The spectrum comes from the
standard QR re-orthonormalisation of these products.

Independent check: by Liouville, ``det expm(A s) = exp(s tr A)``, so the exponents sum
to the time average of ``tr A`` along the orbit (``mean_trace``, from the regions
visited and the time spent in each, not from the QR factors).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import ParameterError, check_int, check_nonnegative, check_positive
from ..pwl import PiecewiseLinearFlow
from .models import TLN

__all__ = ["LyapunovSpectrum", "lyapunov_spectrum"]


@dataclass(frozen=True, eq=False)
class LyapunovSpectrum:
    """Lyapunov exponents (1/time unit), largest first, and their diagnostics.

    Attributes
    ----------
    exponents : ndarray of shape (n,)
    mean_trace : float
        Time average of the trace of the Jacobian along the orbit (= sum of exponents).
    t : float
        Averaging time.
    x_end : ndarray of shape (n,)
    status : str
        The flow's status ("ok", or "diverged"/"stalled").
    """

    exponents: np.ndarray
    mean_trace: float
    t: float
    x_end: np.ndarray
    status: str = "ok"

    @property
    def largest(self) -> float:
        return float(self.exponents[0])

    def to_dict(self) -> dict[str, Any]:
        return {"exponents": [float(v) for v in self.exponents],
                "mean_trace": float(self.mean_trace), "t": float(self.t),
                "status": self.status}


def lyapunov_spectrum(model: Any, x0: Any, *, t_total: float = 500.0,
                      t_transient: float = 0.0, interval: float | None = None,
                      q0: Any = None, max_intervals: int = 1_000_000) -> LyapunovSpectrum:
    """Lyapunov spectrum by QR on exact flow derivatives.

    Parameters
    ----------
    model : TLN or RateNetwork with threshold-linear transfer
    x0 : array_like of shape (n,)
    t_total : float, default 500
        Averaging time (units of tau).
    t_transient : float, default 0
        Time followed first, not averaged.
    interval : float, optional
        Time between re-orthonormalisations (default ``max(tau)``).
    q0 : array_like of shape (n, n), optional
        Initial tangent frame (orthonormalised); put the flow direction ``f(x0)``
        first to pin the zero exponent of an orbit started on a periodic orbit.
        Default: a random orthonormal frame drawn with a fixed seed (0), so results
        are reproducible. (An axis-aligned frame would stay inside the coordinate
        subspaces of decoupled blocks, and its exponents converge like ``1/t`` with a
        large constant.)
    max_intervals : int
        Refuse when ``t_total / interval`` exceeds this.

    Examples
    --------
    >>> from ratenet.tln import TLN
    >>> spec = lyapunov_spectrum(TLN([[0.5]], b=1.0), [0.0], t_total=20.0)
    >>> round(spec.largest, 6)   # the linear rate -(1 - w) / tau
    -0.5
    """
    net = model.to_network() if hasattr(model, "to_network") else model
    n = net.n
    x = np.asarray(x0, dtype=float)
    if x.shape != (n,) or not np.all(np.isfinite(x)):
        raise ParameterError("x0", x0, f"finite rates of shape ({n},)")
    t_total = check_positive("t_total", t_total)
    t_transient = check_nonnegative("t_transient", t_transient)
    tau_max = float(np.max(net.tau))
    interval = tau_max if interval is None else check_positive("interval", interval)
    max_intervals = check_int("max_intervals", max_intervals, minimum=1)
    m = int(np.ceil(t_total / interval))
    if m > max_intervals:
        raise ParameterError("t_total", t_total, f"at most max_intervals * interval = "
                             f"{max_intervals * interval:g}", hint="raise max_intervals")
    flow = PiecewiseLinearFlow(net)
    if t_transient > 0:
        pre = flow.advance(x, t_transient)
        x = pre.x
    if q0 is None:
        Q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((n, n)))
    else:
        Q, _ = np.linalg.qr(np.asarray(q0, dtype=float).reshape(n, n))
    logs = np.zeros(n)
    trace_int = 0.0
    t = 0.0
    status = "ok"
    for _k in range(m):
        dt = min(interval, t_total - t)
        if dt <= 0:
            break
        res = flow.advance(x, dt, record_dt=dt)
        segs = res.segments
        for s_i, (t0, _x0, reg) in enumerate(segs):
            t1 = segs[s_i + 1][0] if s_i + 1 < len(segs) else res.t
            trace_int += float(np.trace(reg.A)) * (t1 - t0)
        Q, R = np.linalg.qr(res.monodromy @ Q)
        d = np.diag(R)
        logs += np.log(np.abs(d))
        Q = Q * np.sign(d)
        t += res.t
        x = res.x
        if res.status not in ("ok",):
            status = res.status
            break
    exps = logs / t
    return LyapunovSpectrum(exponents=np.sort(exps)[::-1], mean_trace=trace_int / t, t=t,
                            x_end=x, status=status)


def _check_tln(model: Any) -> None:
    if not isinstance(model, TLN):
        raise ParameterError("model", type(model).__name__, "a TLN or CTLN")
