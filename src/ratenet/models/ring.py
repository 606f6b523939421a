"""The ring model of orientation tuning (Ben-Yishai, Bar-Or & Sompolinsky 1995).

N units with preferred angles ``theta_i = 2 pi i / N`` obey (time in units of ``tau``)

    tau dm_i/dt = -m_i + f( (1/N) sum_j w(theta_i - theta_j) m_j + h(theta_i, t) ),

with ``w(d) = J0 + J1 cos d (+ sum_k J_k cos k d)`` and the tuned input
``h(theta, t) = h0 + eps cos(theta - theta0 - omega t)`` present for
``t_on <= t < t_off`` (the ``h0`` part is always on), or any user function.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import (
    ParameterError,
    as_float,
    check_int,
    check_nonnegative,
    check_positive,
    check_time,
)
from ..coupling import CirculantCoupling, Coupling, DenseCoupling, FourierCoupling, ring_angles
from ..network import RateNetwork
from ..transfer import PowerLaw, Sigmoid, ThresholdLinear, Transfer

__all__ = ["RingModel"]

_COUPLINGS = ("fourier", "fft", "dense")


@dataclass(frozen=True)
class RingModel:
    """Parameters of a ring network; validated when built.

    Parameters
    ----------
    J0 : float, default 0
        Uniform coupling. The uniform state is stable only for ``J0 < 1``.
    J1 : float, default 0
        First Fourier mode of the coupling (``J1 > 2``: marginal phase).
    h0 : float, default 1
        Uniform part of the external input.
    eps : float, default 0
        Amplitude of the tuned part of the input (>= 0; ``theta0`` sets its direction).
    theta0 : float, default 0
        Preferred angle of the stimulus at ``t = 0`` (radians).
    omega : float, default 0
        Rotation speed of the stimulus (radians per unit time).
    t_on, t_off : float, default 0 and inf
        The tuned part of the input is present for ``t_on <= t < t_off``.
    tau : float, default 1
        Time constant; times are in units of ``tau`` when it is 1.
    N : int, default 256
        Number of units.
    J_higher : tuple of float, default ()
        Further Fourier modes ``(J2, J3, ...)``.
    transfer : Transfer, default ThresholdLinear()
    coupling : {"fourier", "fft", "dense"}, default "fourier"
        How the recurrent input is computed: O(N K), O(N log N), or O(N^2).
        All give the same dynamics; only the speed differs.
    external : callable ``external(t, theta) -> array (N,)``, optional
        Replaces the tuned input entirely.

    Examples
    --------
    >>> model = RingModel(J0=-2.0, J1=1.5, h0=1.0, eps=0.1, N=128)
    >>> model.modes
    (-2.0, 1.5)
    """

    J0: float = 0.0
    J1: float = 0.0
    h0: float = 1.0
    eps: float = 0.0
    theta0: float = 0.0
    omega: float = 0.0
    t_on: float = 0.0
    t_off: float = math.inf
    tau: float = 1.0
    N: int = 256
    J_higher: tuple[float, ...] = ()
    transfer: Transfer = field(default_factory=ThresholdLinear)
    coupling: str = "fourier"
    external: Callable[[float, np.ndarray], np.ndarray] | None = None

    def __post_init__(self) -> None:
        for name in ("J0", "J1", "h0", "theta0", "omega", "t_on"):
            object.__setattr__(self, name, as_float(name, getattr(self, name)))
        object.__setattr__(self, "eps", check_nonnegative("eps", self.eps))
        object.__setattr__(self, "t_off", check_time("t_off", self.t_off))
        object.__setattr__(self, "tau", check_positive("tau", self.tau))
        if (isinstance(self.J_higher, (str, bytes)) or not hasattr(self.J_higher, "__iter__")
                or np.ndim(self.J_higher) == 0):  # a 0-d array has __iter__ but no items
            raise ParameterError("J_higher", self.J_higher, "a sequence of finite numbers "
                                 "(J2, J3, ...)")
        higher = tuple(as_float(f"J{k}", v) for k, v in enumerate(self.J_higher, start=2))
        object.__setattr__(self, "J_higher", higher)
        n_min = max(3, 2 * (1 + len(higher)) + 1)
        object.__setattr__(self, "N", check_int("N", self.N, minimum=n_min))
        if not isinstance(self.transfer, Transfer):
            raise ParameterError("transfer", self.transfer, "a ratenet Transfer instance")
        if self.coupling not in _COUPLINGS:
            raise ParameterError("coupling", self.coupling, f"one of {_COUPLINGS}")
        if self.external is not None and not callable(self.external):
            raise ParameterError("external", self.external, "a function external(t, theta)")

    # ------------------------------------------------------------------ basics
    @property
    def modes(self) -> tuple[float, ...]:
        """Coupling Fourier coefficients ``(J0, J1, J2, ...)``."""
        return (self.J0, self.J1, *self.J_higher)

    @property
    def theta(self) -> np.ndarray:
        """Preferred angles, shape ``(N,)``, radians in ``[0, 2 pi)``."""
        return ring_angles(self.N)

    def replace(self, **changes: Any) -> RingModel:
        """A copy with some parameters changed (validated again)."""
        if type(self) is not RingModel or not changes.keys() <= _FIELD_NAMES:
            return dataclasses.replace(self, **changes)  # subclasses; its error for bad names
        # as dataclasses.replace, without re-running the generated __init__ (a batch of
        # thousands of models is built this way): copy the fields, then validate them all
        new = object.__new__(RingModel)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        new.__post_init__()
        return new

    def kernel(self, d: np.ndarray) -> np.ndarray:
        """Coupling profile ``w(d) = J0 + sum_k J_k cos(k d)``."""
        d = np.asarray(d, dtype=float)
        return sum((Jk * np.cos(k * d) for k, Jk in enumerate(self.modes)), np.zeros_like(d))

    def make_coupling(self, implementation: str | None = None) -> Coupling:
        """The recurrent coupling object (``"fourier"``, ``"fft"`` or ``"dense"``)."""
        impl = implementation or self.coupling
        if impl == "fourier":
            return FourierCoupling(self.modes, self.N)
        if impl == "fft":
            return CirculantCoupling.from_function(self.kernel, self.N)
        if impl == "dense":
            return DenseCoupling(FourierCoupling(self.modes, self.N).matrix())
        raise ParameterError("coupling", impl, f"one of {_COUPLINGS}")

    def input_at(self, t: float) -> np.ndarray:
        """External input ``h(theta_i, t)``, shape ``(N,)``."""
        theta = self.theta
        if self.external is not None:
            return np.broadcast_to(np.asarray(self.external(t, theta), dtype=float), (self.N,))
        eps = self.eps if (self.t_on <= t < self.t_off) else 0.0
        return self.h0 + eps * np.cos(theta - self.theta0 - self.omega * t)

    def to_network(self) -> RateNetwork:
        """The equivalent general :class:`RateNetwork` (used by the generic integrator)."""
        return RateNetwork(
            W=self.make_coupling(), tau=self.tau, h=self.input_at, transfer=self.transfer,
            names=tuple(f"theta_{i}" for i in range(self.N)),
        )

    def rhs(self, t: float, m: np.ndarray) -> np.ndarray:
        """``dm/dt`` for rates ``m`` of shape ``(..., N)``."""
        return self.to_network().rhs(t, m)

    def jacobian(self, m: np.ndarray, t: float = 0.0) -> np.ndarray:
        """Jacobian of :meth:`rhs` at ``m`` (shape ``(N,)``), shape ``(N, N)``."""
        return self.to_network().jacobian(m, t)

    @property
    def uniform_rate(self) -> float:
        """``m0 = h0 / (1 - J0)`` (threshold-linear), 0 if ``h0 <= 0``, nan if no uniform state.

        With gain g and threshold T: ``g (h0 - T) / (1 - g J0)``; nan when ``g J0 >= 1``
        and ``h0 > T`` (the uniform mode grows), and for smooth transfer functions.

        The reference about which the order parameter ``M(t)`` is measured.
        """
        if isinstance(self.transfer, ThresholdLinear):
            g, thr = self.transfer.gain, self.transfer.threshold
            if self.h0 <= thr:
                return 0.0  # the quiescent state: no unit is driven above threshold
            if self.J0 * g >= 1.0:
                return math.nan
            return g * (self.h0 - thr) / (1.0 - g * self.J0)
        return math.nan

    def divergence_cause(self) -> str:
        """A sentence on why activity may grow without bound for these parameters."""
        if self.J0 >= 1.0:
            return (f"J0 = {self.J0:g} >= 1: the uniform mode is unstable "
                    f"(eigenvalue J0 - 1 = {self.J0 - 1:g} > 0)")
        if self.J1 > 2.0:
            try:
                from ..theory.ring import critical_J0

                jc = critical_J0(self.J1)
                return (f"J1 = {self.J1:g} > 2 with J0 = {self.J0:g} above the critical "
                        f"J0_c(J1) = {jc:.4g}: the bump grows without bound")
            except Exception:
                return f"J1 = {self.J1:g} > 2: the bump may grow without bound"
        return "time step too large for the chosen method, or strong positive feedback"

    # ----------------------------------------------------------- serialisation
    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON parameters (the transfer function by type and fields)."""
        if self.external is not None:
            ext = getattr(self.external, "__qualname__", repr(self.external))
        else:
            ext = None
        t = self.transfer
        return {
            "model": "ring", "J0": self.J0, "J1": self.J1, "h0": self.h0, "eps": self.eps,
            "theta0": self.theta0, "omega": self.omega, "t_on": self.t_on,
            "t_off": None if math.isinf(self.t_off) else self.t_off, "tau": self.tau,
            "N": self.N, "J_higher": list(self.J_higher),
            "transfer": {"type": type(t).__name__, **vars(t)},
            "coupling": self.coupling, "external": ext,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RingModel:
        d = dict(d)
        d.pop("model", None)
        if d.pop("external", None):
            raise ValueError("a RingModel with a user function as input cannot be rebuilt from "
                             "saved parameters")
        tr = dict(d.pop("transfer", {"type": "ThresholdLinear"}))
        kind = tr.pop("type")
        transfers = {"ThresholdLinear": ThresholdLinear, "Sigmoid": Sigmoid, "PowerLaw": PowerLaw}
        d["transfer"] = transfers[kind](**tr)
        d["J_higher"] = tuple(d.get("J_higher", ()))
        if d.get("t_off") is None:
            d["t_off"] = math.inf
        return cls(**d)


_FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(RingModel))
