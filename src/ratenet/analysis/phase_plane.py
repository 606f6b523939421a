"""Phase plane of a two-population rate network: nullclines and vector field.

* Threshold-linear transfer: the nullcline of unit i, ``x_i = g [u_i]_+`` with
  ``u_i = sum_j W_ij x_j + h_i - threshold``, is exactly two straight pieces: the
  *active* branch ``x_i = g u_i`` where ``u_i >= 0`` and the *silent* branch ``x_i = 0``
  where ``u_i <= 0``.  Both are returned as line segments clipped to the window.
* Smooth transfer: the zero contour of ``-x_i + f(u_i)`` on a grid (contourpy).

For the E-I model (defaults) the active branches are ``nu_I = 0.25 nu_E + 10`` (E) and
``nu_E = nu_I + 10`` (I); they cross at ``(80/3, 50/3)`` Hz.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import ParameterError, as_float, as_float_array, check_int
from ..network import RateNetwork
from ..transfer import ThresholdLinear
from .fixed_points import FixedPoint, as_network

if TYPE_CHECKING:
    from ..results import Trajectory

__all__ = ["Nullcline", "VectorField", "default_window", "nullclines", "trajectory",
           "vector_field"]


@dataclass(frozen=True, eq=False)
class Nullcline:
    """Where ``dx_i/dt = 0`` for one unit, as polylines in the window.

    Attributes
    ----------
    unit : int
        Index of the unit whose rate is stationary on it.
    name : str
        Its name (``"E"``, ``"I"``).
    segments : list of ndarray of shape (m, 2)
        Polylines in (x_0, x_1) coordinates (E-I: ``(nu_E, nu_I)`` in Hz).
    kinds : list of str
        For each segment: ``"active"`` (unit above threshold), ``"silent"`` (unit at
        zero rate, input below threshold) or ``"contour"`` (smooth transfer).
    """

    unit: int
    name: str
    segments: list[np.ndarray] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "name": self.name, "kinds": list(self.kinds),
                "segments": [s.tolist() for s in self.segments]}


@dataclass(frozen=True, eq=False)
class VectorField:
    """``dx/dt`` sampled on a grid.

    Attributes
    ----------
    x, y : ndarray of shape (nx,) and (ny,)
        Grid of unit 0 and unit 1 rates.
    U, V : ndarray of shape (ny, nx)
        ``dx_0/dt`` and ``dx_1/dt`` (E-I: Hz/ms) at ``(x[j], y[i])``.
    """

    x: np.ndarray
    y: np.ndarray
    U: np.ndarray
    V: np.ndarray

    @property
    def speed(self) -> np.ndarray:
        """``|dx/dt|``, shape (ny, nx)."""
        return np.hypot(self.U, self.V)


def _check_plane(net: RateNetwork) -> None:
    if net.n != 2:
        raise ParameterError("model", f"a network of {net.n} units", "a network of 2 units "
                             "(a phase plane)")


def _check_range(name: str, r) -> tuple[float, float]:
    try:
        lo, hi = (as_float(name, v) for v in r)
    except (TypeError, ValueError):
        raise ParameterError(name, r, "a pair (low, high) of finite numbers") from None
    if not hi > lo:
        raise ParameterError(name, r, "a pair (low, high) with high > low")
    return lo, hi


def _clip_line(a: np.ndarray, b: float, C: np.ndarray, d: np.ndarray) -> np.ndarray | None:
    """The part of the line ``a . x = b`` inside ``{C x <= d}``: (2, 2) endpoints or None."""
    na = float(a @ a)
    if na == 0.0:
        return None
    p0 = a * b / na
    direc = np.array([-a[1], a[0]])
    lo, hi = -np.inf, np.inf
    for c, e in zip(C, d):
        cd = float(c @ direc)
        r = float(e - c @ p0)
        if abs(cd) <= 1e-15 * np.linalg.norm(c) * np.linalg.norm(direc):  # 0 for c = 0
            if r < 0:
                return None
            continue
        if cd > 0:
            hi = min(hi, r / cd)
        else:
            lo = max(lo, r / cd)
    if not hi > lo:
        return None
    return np.array([p0 + lo * direc, p0 + hi * direc])


def nullclines(model: Any, *, x_range: tuple[float, float], y_range: tuple[float, float],
               resolution: int = 400) -> list[Nullcline]:
    """Nullclines of both units of a 2-unit network, within a window.

    Parameters
    ----------
    model : RateNetwork or model with ``to_network()`` (2 units)
    x_range, y_range : (float, float)
        Window in unit-0 and unit-1 rates (E-I: nu_E and nu_I in Hz).
    resolution : int, default 400
        Grid points per axis for the contours of smooth transfer (unused when exact).

    Returns
    -------
    list of Nullcline
        One per unit, in unit order.

    Examples
    --------
    >>> from ratenet import EIModel
    >>> ncl = nullclines(EIModel(), x_range=(0, 50), y_range=(0, 40))
    >>> ncl[0].kinds
    ['active', 'silent']
    """
    net = as_network(model)
    _check_plane(net)
    xr = _check_range("x_range", x_range)
    yr = _check_range("y_range", y_range)
    resolution = check_int("resolution", resolution, minimum=10)
    names = tuple(net.names or ("x0", "x1"))
    out = []
    if isinstance(net.transfer, ThresholdLinear):
        g, thr = net.transfer.gain, net.transfer.threshold
        W = net.weights
        hth = net.external(0.0) - thr
        box_C = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
        box_d = np.array([xr[1], -xr[0], yr[1], -yr[0]])
        for i in range(2):
            segs, kinds = [], []
            e_i = np.eye(2)[i]
            # active: x_i = g u_i  <=>  (g W_i - e_i) . x = -g hth_i, with u_i >= 0
            C = np.vstack([box_C, -W[i]])
            d = np.append(box_d, hth[i])
            seg = _clip_line(g * W[i] - e_i, -g * hth[i], C, d)
            if seg is not None:
                segs.append(seg)
                kinds.append("active")
            # silent: x_i = 0 with u_i <= 0
            C = np.vstack([box_C, W[i]])
            d = np.append(box_d, -hth[i])
            seg = _clip_line(e_i, 0.0, C, d)
            if seg is not None:
                segs.append(seg)
                kinds.append("silent")
            out.append(Nullcline(unit=i, name=names[i], segments=segs, kinds=kinds))
        return out
    import contourpy

    xs = np.linspace(*xr, resolution)
    ys = np.linspace(*yr, resolution)
    X, Y = np.meshgrid(xs, ys)
    F = net.rhs(0.0, np.stack([X, Y], axis=-1)) * net.tau  # (ny, nx, 2)
    for i in range(2):
        lines = contourpy.contour_generator(X, Y, F[..., i]).lines(0.0)
        segs = [np.asarray(s) for s in lines if len(s) >= 2]  # type: ignore[arg-type]
        out.append(Nullcline(unit=i, name=names[i], segments=segs,
                             kinds=["contour"] * len(segs)))
    return out


def vector_field(model: Any, *, x_range: tuple[float, float], y_range: tuple[float, float],
                 num: int = 21) -> VectorField:
    """``dx/dt`` of a 2-unit network on a ``num x num`` grid of the window.

    Parameters
    ----------
    model : RateNetwork or model with ``to_network()`` (2 units)
    x_range, y_range : (float, float)
    num : int, default 21

    Returns
    -------
    VectorField
    """
    net = as_network(model)
    _check_plane(net)
    xr = _check_range("x_range", x_range)
    yr = _check_range("y_range", y_range)
    num = check_int("num", num, minimum=2)
    xs, ys = np.linspace(*xr, num), np.linspace(*yr, num)
    X, Y = np.meshgrid(xs, ys)
    F = net.rhs(0.0, np.stack([X, Y], axis=-1))
    return VectorField(x=xs, y=ys, U=F[..., 0], V=F[..., 1])


def default_window(fixed_points: list[FixedPoint] | None = None, cycle: Any = None, *,
                   points: np.ndarray | None = None, minimum: float = 50.0,
                   margin: float = 1.25
                   ) -> tuple[tuple[float, float], tuple[float, float]]:
    """A window from just below 0 that holds every fixed point and the cycle.

    Returns
    -------
    x_range, y_range : (float, float)
        From ``-0.03 * top`` to ``top``, with ``top`` at least ``minimum`` and at least
        ``margin`` times the largest rate of the fixed points, the cycle and ``points``
        (array of shape (m, 2), e.g. trajectory states).
    """
    pts = [np.zeros(2)]
    pts += [fp.state[:2] for fp in fixed_points or []]
    if cycle is not None:
        pts.append(cycle.maximum[:2])
    if points is not None and np.size(points):
        pts.append(np.nanmax(np.asarray(points, dtype=float).reshape(-1, 2), axis=0))
    top = np.max(np.array(pts), axis=0) * margin
    top = np.maximum(top, minimum)
    low = -0.03 * top  # so that the silent branches on the axes stay visible
    return (float(low[0]), float(top[0])), (float(low[1]), float(top[1]))


def trajectory(model: Any, x0: Any, *, t_max: float, dt: float | None = None,
               max_rate: float = 1e6) -> Trajectory:
    """A trajectory from ``x0``, exact for threshold-linear networks.

    Threshold-linear: the closed-form solution in each region, joined at the threshold
    crossings (exact to rounding).  Smooth transfer: DOP853 at ``rtol = 1e-11``.
    Unlike :func:`ratenet.simulate`, no fixed time step enters the result.

    Parameters
    ----------
    model : RateNetwork or model with ``to_network()`` (any number of units)
    x0 : array_like of shape (n,)
        Initial rates (E-I: Hz).
    t_max : float
        Duration (E-I: ms).
    dt : float, optional
        Spacing of the recorded samples; default ``min(tau) / 20``.
    max_rate : float, default 1e6
        Rates beyond this bound stop the run, reported as diverged.

    Returns
    -------
    Trajectory
        ``method`` is ``"exact"`` or ``"DOP853"``; ``status`` ``"ok"`` or ``"diverged"``.

    Examples
    --------
    >>> from ratenet import EIModel
    >>> tr = trajectory(EIModel(tau_I=50.0), [25.0, 25.0], t_max=100.0)
    >>> tr.rates.shape
    (201, 2)
    """
    from .._validation import check_positive
    from ..results import Trajectory
    from ._flow import make_flow

    net = as_network(model)
    t_max = check_positive("t_max", t_max)
    dt = check_positive("dt", dt if dt is not None else float(np.min(net.tau)) / 20.0)
    max_rate = check_positive("max_rate", max_rate)
    if not t_max / dt <= 1e7:  # the recording is kept in memory
        raise ParameterError("dt", dt, f"a step giving at most 1e7 samples over t_max = "
                             f"{t_max:g}", hint=f"t_max / dt = {t_max / dt:.3g}")
    x = as_float_array("x0", x0, allow_nan=True, allow_inf=True)
    if x.shape != (net.n,) or not np.all(np.isfinite(x)):
        raise ParameterError("x0", x0, f"finite initial rates of shape ({net.n},)")
    flow = make_flow(net, max_rate=max_rate)
    run = flow.advance(x, t_max, record_dt=dt)
    if run.status == "stalled":
        raise RuntimeError(f"the exact flow stopped at t = {run.t:.6g} after too many "
                           "threshold crossings (an orbit chattering along a threshold)")
    diverged = run.status == "diverged"
    cause = model.divergence_cause() if hasattr(model, "divergence_cause") else (
        "unstable recurrent dynamics")
    message = (f"diverged at t = {run.t:.6g}: rates left the bound max_rate = {max_rate:g}; "
               f"likely cause: {cause}") if diverged else "completed"
    params = model.to_dict() if hasattr(model, "to_dict") else {"model": "network", "n": net.n}
    return Trajectory(t=run.times, rates=run.states, status=np.asarray(
        "diverged" if diverged else "ok"), t_diverged=np.asarray(run.t if diverged else np.nan),
        message=message, params=params, method="exact" if flow.exact else "DOP853", dt=dt,
        unit_names=tuple(net.names or ()))
