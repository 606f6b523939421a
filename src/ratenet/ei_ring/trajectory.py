""":class:`EIRingTrajectory`: a simulated E-I ring, with its population profiles and moments."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..results import Trajectory

__all__ = ["EIRingTrajectory"]


@dataclass(frozen=True, eq=False, repr=False)
class EIRingTrajectory(Trajectory):
    """A trajectory of :class:`ratenet.models.ei_ring.EIRingModel` (times in ms, rates in Hz).

    ``rates`` has shape ``(*batch, T, n_state)``: E units ``0..N-1``, then I units, then
    (with adaptation) the adaptation variables.  The views below split it.

    Examples
    --------
    >>> import ratenet as rn
    >>> m = rn.EIRingModel(J_EI0=-1.0, J_IE0=1.0, h_E=2.0, h_I=0.0, N=32)
    >>> traj = rn.simulate(m, t_max=200.0)
    >>> round(float(traj.mean_E[-1]), 3), round(float(traj.mean_I[-1]), 3)
    (1.0, 1.0)
    """

    @classmethod
    def from_trajectory(cls, traj: Trajectory) -> EIRingTrajectory:
        """The same data as an :class:`EIRingTrajectory` (e.g. after :func:`ratenet.load`)."""
        return cls(**{f.name: getattr(traj, f.name) for f in dataclasses.fields(Trajectory)})

    @property
    def _first_params(self) -> dict[str, Any]:
        return self.params[0] if isinstance(self.params, list) else self.params

    @property
    def N(self) -> int:
        """Units per population."""
        return int(self._first_params["N"])

    @property
    def models(self) -> list[Any]:
        """The model(s) that made it, rebuilt from ``params`` (a list, one per row)."""
        from ..models.ei_ring import EIRingModel

        ps = self.params if isinstance(self.params, list) else [self.params]
        return [EIRingModel.from_dict(p) for p in ps]

    @property
    def theta(self) -> np.ndarray:
        """Preferred angles, shape ``(N,)``."""
        return 2.0 * np.pi * np.arange(self.N) / self.N

    @property
    def r_E(self) -> np.ndarray:
        """E rates, shape ``(*batch, T, N)`` (Hz)."""
        return self.rates[..., :self.N]

    @property
    def r_I(self) -> np.ndarray:
        """I rates, shape ``(*batch, T, N)`` (Hz)."""
        return self.rates[..., self.N:2 * self.N]

    @property
    def a(self) -> np.ndarray | None:
        """Adaptation variables, shape ``(*batch, T, N)``, or None without adaptation."""
        if self.rates.shape[-1] < 3 * self.N:
            return None
        return self.rates[..., 2 * self.N:3 * self.N]

    @property
    def mean_E(self) -> np.ndarray:
        """Population mean of E, shape ``(*batch, T)``."""
        return self.r_E.mean(axis=-1)

    @property
    def mean_I(self) -> np.ndarray:
        """Population mean of I, shape ``(*batch, T)``."""
        return self.r_I.mean(axis=-1)

    def moment(self, population: str = "E", k: int = 1) -> np.ndarray:
        """Complex Fourier moment ``(1/N) sum_i r_X,i exp(i k theta_i)``, shape ``(*batch, T)``.

        For a profile ``r0 + r1 cos(k (theta - phi))`` it is ``(r1 / 2) exp(i k phi)``.
        """
        r = {"E": self.r_E, "I": self.r_I}.get(population)
        if r is None:
            from .._validation import ParameterError

            raise ParameterError("population", population, "'E' or 'I'")
        return r @ np.exp(1j * k * self.theta) / self.N

    @property
    def C_E(self) -> np.ndarray:
        """First moment of E, ``(1/N) sum_i r_E,i exp(i theta_i)``, shape ``(*batch, T)``."""
        return self.moment("E", 1)

    @property
    def C_I(self) -> np.ndarray:
        """First moment of I, shape ``(*batch, T)``."""
        return self.moment("I", 1)

    @property
    def position_E(self) -> np.ndarray:
        """Angle ``arg C_E`` of the E activity in ``[0, 2 pi)``, shape ``(*batch, T)``."""
        return np.mod(np.angle(self.C_E), 2.0 * np.pi)

    @property
    def amplitude_E(self) -> np.ndarray:
        """Amplitude ``2 |C_E|`` of the cos component of E, shape ``(*batch, T)``."""
        return 2.0 * np.abs(self.C_E)

    def _data_vars(self):
        out = super()._data_vars()
        b = tuple(f"batch{i}" if i else "batch" for i in range(len(self.batch_shape)))
        out["mean_E"] = (b + ("time",), self.mean_E)
        out["mean_I"] = (b + ("time",), self.mean_I)
        out["C_E"] = (b + ("time",), self.C_E)
        out["C_I"] = (b + ("time",), self.C_I)
        return out

    def to_xarray(self):
        """An :class:`xarray.Dataset`; time in ms."""
        ds = super().to_xarray()
        ds["time"].attrs["units"] = "ms"
        return ds
