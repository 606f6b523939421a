"""Excitatory and inhibitory populations (Wilson-Cowan style rate model).

Two populations, E and I, with rates ``nu_E`` and ``nu_I`` (Hz) and time in ms:

    tau_E dnu_E/dt = -nu_E + f( M_EE nu_E + M_EI nu_I - gamma_E )
    tau_I dnu_I/dt = -nu_I + f( M_IE nu_E + M_II nu_I - gamma_I )

with the convention ``M_XY`` = weight onto population X from population Y (Dayan &
Abbott, *Theoretical Neuroscience*, sec. 7.5). The tutorial's equations (5)-(6) swap
these indices; its Jacobian and numbers use the convention above. ``f`` is
threshold-linear by default (``[u]_+``); any :class:`ratenet.Transfer` is accepted.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .._validation import ParameterError, as_float, check_positive
from ..network import RateNetwork
from ..transfer import PowerLaw, Sigmoid, ThresholdLinear, Transfer

__all__ = ["EIModel"]

_TRANSFERS = {"ThresholdLinear": ThresholdLinear, "Sigmoid": Sigmoid, "PowerLaw": PowerLaw}


@dataclass(frozen=True)
class EIModel:
    """Parameters of the excitatory-inhibitory rate model; validated when built.

    Units: rates in Hz, time in ms, eigenvalues in 1/ms.

    Parameters
    ----------
    M_EE : float, default 1.25
        Weight onto E from E (>= 0, excitatory).  Every weight has magnitude at most
        ``MAX_WEIGHT = 1e6``, every threshold at most ``MAX_GAMMA = 1e9`` Hz and the time
        constants lie in ``TAU_RANGE = [1e-6, 1e9]`` ms.
    M_EI : float, default -1
        Weight onto E from I (<= 0, inhibitory).
    M_IE : float, default 1
        Weight onto I from E (>= 0, excitatory).
    M_II : float, default 0
        Weight onto I from I (<= 0, inhibitory).
    gamma_E, gamma_I : float, default -10 and 10
        Thresholds (Hz); they enter the network as the external input ``h = -gamma``.
    tau_E, tau_I : float, default 10 and 30
        Time constants (ms, > 0).
    transfer : Transfer, default ThresholdLinear()
        Rate function ``f``, the same for both populations.

    Examples
    --------
    >>> from ratenet import EIModel
    >>> model = EIModel(tau_I=50.0)
    >>> model.hopf_tau_I()  # tau_E (1 - M_II) / (M_EE - 1)
    40.0
    >>> model.to_network().names
    ('E', 'I')
    """

    M_EE: float = 1.25
    M_EI: float = -1.0
    M_IE: float = 1.0
    M_II: float = 0.0
    gamma_E: float = -10.0
    gamma_I: float = 10.0
    tau_E: float = 10.0
    tau_I: float = 30.0
    transfer: Transfer = field(default_factory=ThresholdLinear)

    #: The numeric parameters, in order (the ones a bifurcation diagram may vary).
    PARAMETERS: ClassVar[tuple[str, ...]] = (
        "M_EE", "M_EI", "M_IE", "M_II", "gamma_E", "gamma_I", "tau_E", "tau_I")
    #: Population names, in state order.
    POPULATIONS: ClassVar[tuple[str, str]] = ("E", "I")

    #: Largest magnitudes accepted (far beyond a rate model's range; beyond them the
    #: exact flows and eigenvalues overflow): weights, thresholds (Hz), time constants (ms).
    MAX_WEIGHT: ClassVar[float] = 1e6
    MAX_GAMMA: ClassVar[float] = 1e9
    TAU_RANGE: ClassVar[tuple[float, float]] = (1e-6, 1e9)

    def __post_init__(self) -> None:
        wmax = self.MAX_WEIGHT
        for name in ("M_EE", "M_IE"):
            v = as_float(name, getattr(self, name))
            if not 0 <= v <= wmax:
                raise ParameterError(name, getattr(self, name), f"a number in [0, {wmax:g}] "
                                     "(a weight from E is excitatory)")
            object.__setattr__(self, name, v)
        for name in ("M_EI", "M_II"):
            v = as_float(name, getattr(self, name))
            if not -wmax <= v <= 0:
                raise ParameterError(name, getattr(self, name), f"a number in [-{wmax:g}, 0] "
                                     "(a weight from I is inhibitory)")
            object.__setattr__(self, name, v)
        for name in ("gamma_E", "gamma_I"):
            v = as_float(name, getattr(self, name))
            if abs(v) > self.MAX_GAMMA:
                raise ParameterError(name, getattr(self, name),
                                     f"a number in [-{self.MAX_GAMMA:g}, {self.MAX_GAMMA:g}] Hz")
            object.__setattr__(self, name, v)
        lo, hi = self.TAU_RANGE
        for name in ("tau_E", "tau_I"):
            v = check_positive(name, getattr(self, name))
            if not lo <= v <= hi:
                raise ParameterError(name, getattr(self, name), f"a time constant in "
                                     f"[{lo:g}, {hi:g}] ms")
            object.__setattr__(self, name, v)
        if not isinstance(self.transfer, Transfer):
            raise ParameterError("transfer", self.transfer, "a ratenet Transfer instance")

    # ------------------------------------------------------------------ basics
    @classmethod
    def parameter_name(cls, name: str) -> str:
        """Canonical spelling of a parameter name given in any letter case.

        ``"tau_i"``, ``"TAU_I"`` and ``"tau-I"`` all give ``"tau_I"``.

        Raises
        ------
        ParameterError
            If ``name`` is not one of :attr:`PARAMETERS`.
        """
        key = str(name).strip().lower().replace("-", "_")
        for p in cls.PARAMETERS:
            if p.lower() == key:
                return p
        raise ParameterError("param", name, f"one of {', '.join(cls.PARAMETERS)} (any case)")

    @property
    def weights(self) -> np.ndarray:
        """``[[M_EE, M_EI], [M_IE, M_II]]``, shape (2, 2): row = onto, column = from."""
        return np.array([[self.M_EE, self.M_EI], [self.M_IE, self.M_II]])

    @property
    def tau(self) -> np.ndarray:
        """``[tau_E, tau_I]`` in ms, shape (2,)."""
        return np.array([self.tau_E, self.tau_I])

    @property
    def gamma(self) -> np.ndarray:
        """``[gamma_E, gamma_I]`` in Hz, shape (2,)."""
        return np.array([self.gamma_E, self.gamma_I])

    def replace(self, **changes: Any) -> EIModel:
        """A copy with some parameters changed (validated again).

        Parameter names may be given in any letter case (``tau_i=50``).
        """
        fixed = {}
        for k, v in changes.items():
            fixed[k if k == "transfer" else self.parameter_name(k)] = v
        return dataclasses.replace(self, **fixed)

    def to_network(self) -> RateNetwork:
        """The general :class:`RateNetwork` (units E, I; ``h = -gamma``)."""
        return RateNetwork(W=self.weights, tau=self.tau, h=-self.gamma, transfer=self.transfer,
                           names=self.POPULATIONS)

    def rhs(self, t: float, nu: np.ndarray) -> np.ndarray:
        """``dnu/dt`` in Hz/ms for rates ``nu = (nu_E, nu_I)`` of shape ``(..., 2)``."""
        return self.to_network().rhs(t, nu)

    def jacobian(self, nu: np.ndarray) -> np.ndarray:
        """Jacobian of :meth:`rhs` at ``nu`` (shape (2,)), shape (2, 2), in 1/ms."""
        return self.to_network().jacobian(nu)

    # ------------------------------------------------------------ closed forms
    def _gain(self) -> float | None:
        t = self.transfer
        if isinstance(t, ThresholdLinear):
            return t.gain
        return None

    def active_fixed_point(self) -> np.ndarray | None:
        """The fixed point with both populations active, in closed form (threshold-linear).

        Solves ``(I - g M) nu = g (-gamma - theta)``; returns it (Hz, shape (2,)) if it
        is self-consistent (both inputs above threshold), else ``None``.
        For the defaults this is ``(80/3, 50/3)`` Hz.
        """
        g = self._gain()
        if g is None:
            return None
        thr = self.transfer.threshold  # type: ignore[attr-defined]
        A = np.eye(2) - g * self.weights
        if abs(np.linalg.det(A)) < 1e-14:
            return None
        nu = np.linalg.solve(A, g * (-self.gamma - thr))
        u = self.weights @ nu - self.gamma - thr
        if np.all(u >= 0):
            return nu
        return None

    def hopf_tau_I(self) -> float | None:
        """Closed-form ``tau_I`` at which the both-active fixed point loses stability.

        With threshold-linear gain ``g``, the trace of the Jacobian in the region where
        both populations are active, ``(g M_EE - 1)/tau_E + (g M_II - 1)/tau_I``, vanishes at
        ``tau_I = tau_E (1 - g M_II) / (g M_EE - 1)`` (40 ms for the defaults).  Returns
        ``None`` when there is no such positive ``tau_I`` (``g M_EE <= 1``) or the
        determinant there is not positive (no centre), or for smooth transfer.
        """
        return self.hopf_closed_form("tau_I")

    def hopf_closed_form(self, param: str) -> float | None:
        """Closed-form value of ``param`` where the trace of the both-active Jacobian is 0.

        Available for threshold-linear transfer and ``param`` in ``tau_E``, ``tau_I``,
        ``M_EE``, ``M_II`` (the trace depends on no other parameter).  Returns ``None``
        where no such value exists in the allowed range, or where the determinant there
        is not positive (the eigenvalues would be real, not a centre).  Whether the
        both-active fixed point exists there is not checked here.
        """
        g = self._gain()
        p = self.parameter_name(param)
        if g is None:
            return None
        a, d = g * self.M_EE - 1.0, g * self.M_II - 1.0
        value: float | None
        if p == "tau_I":
            value = self.tau_E * (-d) / a if a > 0 else None
        elif p == "tau_E":
            value = self.tau_I * a / (-d) if a > 0 and d < 0 else None
        elif p == "M_EE":
            value = (1.0 - self.tau_E * d / self.tau_I) / g
        elif p == "M_II":
            value = (1.0 - self.tau_I * a / self.tau_E) / g
            value = value if value <= 0 else None
        else:
            return None
        if value is None or not math.isfinite(value) or (value <= 0 and p.startswith("tau")):
            return None
        m = self.replace(**{p: value})
        W = g * m.weights
        det = ((W[0, 0] - 1) * (W[1, 1] - 1) - W[0, 1] * W[1, 0]) / (m.tau_E * m.tau_I)
        return float(value) if det > 0 else None

    def degeneracies(self) -> list[str]:
        """Degenerate structure of the threshold-linear model, one sentence each.

        Named: a singular linear system where E alone or both populations are active
        (a line of equilibria, or rates growing linearly without bound, instead of
        isolated fixed points), and populations not coupled both ways
        (``M_EI M_IE = 0``: feed-forward, so no oscillation).  Empty for smooth transfer
        or a generic model.

        Examples
        --------
        >>> EIModel(M_EE=1.0, M_EI=0.0, M_IE=0.0, M_II=0.0).degeneracies()[0][:33]
        'E alone: g M_EE = 1, its self-exc'
        """
        g = self._gain()
        if g is None:
            return []
        out = []
        if g * self.M_EE == 1.0:
            out.append("E alone: g M_EE = 1, its self-excitation cancels its leak (a zero "
                       "eigenvalue): a line of equilibria where the input to E balances, "
                       "otherwise nu_E changes linearly without bound")
        A = g * self.weights - np.eye(2)
        if g * self.M_EE != 1.0 and abs(np.linalg.det(A)) <= 1e-12 * max(1.0, np.abs(A).max()) ** 2:
            out.append("both active: the linear system (g M - I) is singular (a zero "
                       "eigenvalue): a line of equilibria or linear growth, no isolated "
                       "fixed point there")
        if self.M_EI * self.M_IE == 0.0:
            out.append(f"the populations are not coupled both ways (M_EI M_IE = "
                       f"{self.M_EI * self.M_IE:g}): a feed-forward network, no limit cycle")
        return out

    def divergence_cause(self) -> str:
        """A sentence on why the rates may grow without bound for these parameters."""
        g = self._gain()
        if g is not None:
            A = (g * self.weights - np.eye(2)) / self.tau[:, None]
            lam = np.linalg.eigvals(A)
            if np.max(lam.real) > 0 and self.active_fixed_point() is None:
                return (f"with both populations active the linear dynamics are unstable "
                        f"(eigenvalues {', '.join(f'{z:.3g}' for z in lam)} 1/ms) and no "
                        f"fixed point holds them: excitation M_EE = {self.M_EE:g} is too strong "
                        f"for the inhibition M_EI M_IE = {self.M_EI * self.M_IE:g}")
            if g * self.M_EE > 1 and self.M_IE == 0:
                return (f"M_EE = {self.M_EE:g} > 1 with M_IE = 0: E excites itself and "
                        f"nothing inhibits it")
        return "time step too large for the chosen method, or runaway excitation"

    # ----------------------------------------------------------- serialisation
    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON parameters (the transfer function by type and fields)."""
        t = self.transfer
        return {
            "model": "ei", **{p: getattr(self, p) for p in self.PARAMETERS},
            "transfer": {"type": type(t).__name__, **dataclasses.asdict(t)},  # type: ignore[call-overload]
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EIModel:
        """Rebuild from :meth:`to_dict` output."""
        d = dict(d)
        model = d.pop("model", "ei")
        if model != "ei":
            raise ParameterError("model", model, "'ei'")
        tr = dict(d.pop("transfer", {"type": "ThresholdLinear"}))
        kind = tr.pop("type", "ThresholdLinear")
        if kind not in _TRANSFERS:
            raise ParameterError("transfer.type", kind, f"one of {tuple(_TRANSFERS)}")
        d["transfer"] = _TRANSFERS[kind](**tr)
        return cls(**d)
