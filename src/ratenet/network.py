"""The general firing-rate network ``tau_i dx_i/dt = -x_i + f(sum_j W_ij x_j + h_i(t))``.

:class:`RateNetwork` is what every analysis routine (fixed points, Jacobians,
phase planes, limit cycles) and the generic integrator work with.  Named
models (:class:`ratenet.RingModel`, :class:`ratenet.EIModel`) build one with
:meth:`to_network` and add what is special to them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ._validation import ParameterError, as_float_array
from .coupling import Coupling, DenseCoupling
from .transfer import ThresholdLinear, Transfer

__all__ = ["RateNetwork"]


@dataclass(frozen=True, eq=False)
class RateNetwork:
    """A rate network with n units.

    Parameters
    ----------
    W : array_like of shape (n, n) or Coupling
        Recurrent weights, ``W[i, j]`` onto unit i from unit j.
    tau : float or array_like of shape (n,)
        Time constants (same time unit as ``t``).
    h : array_like of shape (n,) or callable ``h(t) -> (n,)``
        External input, added to the recurrent input inside ``f``.
        A threshold ``gamma`` enters as ``h = -gamma``.
    transfer : Transfer, default ThresholdLinear()
    names : sequence of str, optional
        Unit names used in results and messages.

    Notes
    -----
    :func:`ratenet.simulate` starts a network from zeros unless given ``x0``; it draws
    nothing at random, so its ``seed`` has no effect here (a non-default one is warned
    about).

    Examples
    --------
    >>> net = RateNetwork(W=[[0.5]], tau=1.0, h=[1.0])
    >>> float(net.rhs(0.0, np.array([2.0]))[0])
    0.0
    """

    W: np.ndarray | Coupling
    tau: float | np.ndarray = 1.0
    h: np.ndarray | Callable[[float], np.ndarray] = 0.0  # type: ignore[assignment]
    transfer: Transfer = field(default_factory=ThresholdLinear)
    names: Sequence[str] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.W, Coupling):
            coupling = self.W
        else:
            coupling = DenseCoupling(as_float_array("W", self.W, allow_nan=True, allow_inf=True))
        object.__setattr__(self, "W", coupling)
        n = coupling.N
        tau = as_float_array("tau", self.tau, allow_inf=True, allow_nan=True)
        if tau.ndim > 1 or tau.size not in (1, n):
            raise ParameterError("tau", self.tau, f"one number or {n} numbers")
        tau = np.broadcast_to(tau, (n,)).copy()
        if not np.all(np.isfinite(tau)) or np.any(tau <= 0):
            raise ParameterError("tau", self.tau, "finite and > 0 for every unit")
        object.__setattr__(self, "tau", tau)
        if not callable(self.h):
            h = as_float_array("h", self.h, allow_inf=True, allow_nan=True)
            if h.ndim > 1 or h.size not in (1, n):
                raise ParameterError("h", self.h, f"one number or {n} numbers")
            h = np.broadcast_to(h, (n,)).copy()
            if not np.all(np.isfinite(h)):
                raise ParameterError("h", self.h, "finite for every unit")
            object.__setattr__(self, "h", h)
        if self.names is None:
            object.__setattr__(self, "names", tuple(f"x{i}" for i in range(n)))
        elif len(self.names) != n:
            raise ParameterError("names", self.names, f"a sequence of {n} names")

    @property
    def n(self) -> int:
        """Number of units."""
        return self.coupling.N

    @property
    def coupling(self) -> Coupling:
        return self.W  # type: ignore[return-value]

    @property
    def weights(self) -> np.ndarray:
        """Dense ``W``, shape ``(n, n)``."""
        return self.coupling.matrix()

    def external(self, t: float) -> np.ndarray:
        """External input ``h(t)``, shape ``(n,)``."""
        if callable(self.h):
            return np.asarray(self.h(t), dtype=float)
        return self.h  # type: ignore[return-value]

    def input_current(self, t: float, x: np.ndarray) -> np.ndarray:
        """Total input ``u = W x + h(t)``, shape like ``x``."""
        return self.coupling.apply(x) + self.external(t)

    def rhs(self, t: float, x: np.ndarray) -> np.ndarray:
        """``dx/dt``; ``x`` has shape ``(..., n)``."""
        x = np.asarray(x, dtype=float)
        return (-x + self.transfer(self.input_current(t, x))) / self.tau

    def jacobian(self, x: np.ndarray, t: float = 0.0) -> np.ndarray:
        """``d(rhs)/dx`` at state ``x`` (shape ``(n,)``): ``(-I + diag f'(u) W) / tau``.

        For threshold-linear transfer this is exact inside each region of
        fixed active set; at a unit exactly on its threshold the right
        derivative is used.
        """
        x = np.asarray(x, dtype=float)
        gain = self.transfer.derivative(self.input_current(t, x))
        J = gain[:, None] * self.weights - np.eye(self.n)
        return J / np.asarray(self.tau)[:, None]
