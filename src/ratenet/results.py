"""Typed results: :class:`Trajectory` and, for the ring, :class:`RingTrajectory`.

A trajectory carries its times, rates, status (``"ok"`` or ``"diverged"``), a
human-readable message, the parameters that made it and the package version,
and converts to an :class:`xarray.Dataset` or a NetCDF file and back.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._version import __version__

__all__ = ["RingTrajectory", "SimulationDiverged", "Trajectory", "load"]


class SimulationDiverged(RuntimeError):
    """Raised by ``simulate(..., on_divergence="raise")``; ``.trajectory`` holds the result."""

    def __init__(self, message: str, trajectory: Trajectory) -> None:
        super().__init__(message)
        self.trajectory = trajectory


#: Trajectory classes by name, for :func:`load` (filled by ``__init_subclass__``).
_KINDS: dict[str, type[Trajectory]] = {}


@dataclass(frozen=True, eq=False)
class Trajectory:
    """A simulated time course.

    Attributes
    ----------
    t : ndarray of shape (T,)
        Recorded times (model time units: tau for the ring, ms for E-I).
    rates : ndarray of shape ``(*batch, T, n)``
        Rates at the recorded times; ``batch`` is ``()`` for one model, ``(B,)`` for a list.
        After a row diverged, its later records are nan (see ``status``).
    status : ndarray of str, shape batch
        ``"ok"`` or ``"diverged"``.
    t_diverged : ndarray of float, shape batch
        Time at which the rates left the bound, nan where they did not.
    message : str
        What happened, in words (the cause of any divergence included).
    params : dict or list of dict
        The parameters of the model(s), as plain JSON.
    method : str
    dt : float
    unit_names : tuple of str
    version : str
        The ratenet version that produced it.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _KINDS[cls.__name__] = cls

    t: np.ndarray
    rates: np.ndarray
    status: np.ndarray
    t_diverged: np.ndarray
    message: str
    params: Any
    method: str
    dt: float
    unit_names: tuple[str, ...] = ()
    version: str = __version__
    extra: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ views
    @property
    def batch_shape(self) -> tuple[int, ...]:
        return self.rates.shape[:-2]

    @property
    def diverged(self) -> np.ndarray | bool:
        """True where the simulation left its bound (array for a batch)."""
        out = np.asarray(self.status) == "diverged"
        return bool(out) if out.ndim == 0 else out

    @property
    def ok(self) -> bool:
        """True when no row diverged."""
        return not np.any(np.asarray(self.status) == "diverged")

    @property
    def final(self) -> np.ndarray:
        """Last recorded finite state, shape ``(*batch, n)``."""
        R = self.rates
        if self.ok:
            return R[..., -1, :]
        flat = R.reshape(-1, R.shape[-2], R.shape[-1])
        out = np.empty((flat.shape[0], flat.shape[-1]))
        for b in range(flat.shape[0]):
            good = np.flatnonzero(np.all(np.isfinite(flat[b]), axis=-1))
            out[b] = flat[b, good[-1]] if good.size else np.nan
        return out.reshape(R.shape[:-2] + (R.shape[-1],))

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(batch={self.batch_shape}, T={self.t.size}, "
                f"n={self.rates.shape[-1]}, method={self.method!r}, dt={self.dt:g}, "
                f"status={'ok' if self.ok else 'diverged'!r})")

    # -------------------------------------------------------------- exporting
    def _data_vars(self) -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
        b = tuple(f"batch{i}" if i else "batch" for i in range(len(self.batch_shape)))
        return {
            "rates": (b + ("time", "unit"), self.rates),
            "diverged": (b, (np.asarray(self.status) == "diverged").astype(np.int8)),
            "t_diverged": (b, np.asarray(self.t_diverged, dtype=float)),
        }

    def _coords(self) -> dict[str, Any]:
        n = self.rates.shape[-1]
        names = list(self.unit_names) if self.unit_names else [str(i) for i in range(n)]
        return {"time": self.t, "unit": np.arange(n), "unit_name": ("unit", names)}

    def to_xarray(self):
        """An :class:`xarray.Dataset` with the rates, derived quantities and attributes."""
        import xarray as xr

        ds = xr.Dataset(self._data_vars(), coords=self._coords())
        ds.attrs.update({
            "kind": type(self).__name__, "params": json.dumps(self.params),
            "method": self.method, "dt": float(self.dt), "message": self.message,
            "ratenet_version": self.version, "extra": json.dumps(self.extra),
        })
        ds["time"].attrs["units"] = "tau" if isinstance(self, RingTrajectory) else "model time"
        return ds

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write to a NetCDF file (complex variables stored as real and imaginary parts).

        The file is written to a temporary name and moved into place, so an
        interrupted save never leaves a half-written file at ``path``.
        """
        ds = self.to_xarray()
        for name in list(ds.data_vars):
            if np.iscomplexobj(ds[name].values):
                ds[f"{name}__real"] = ds[name].real
                ds[f"{name}__imag"] = ds[name].imag
                ds = ds.drop_vars(name)
        ds = ds.drop_vars("unit_name")
        path = os.fspath(path)
        tmp = f"{path}.tmp-{os.getpid()}"
        try:
            ds.to_netcdf(tmp, engine="scipy")
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    @classmethod
    def from_xarray(cls, ds) -> Trajectory:
        kind = ds.attrs.get("kind", "Trajectory")
        # every subclass registers itself by name (``ratenet`` imports the E-I ring's)
        klass: type[Trajectory] = _KINDS.get(kind, Trajectory)
        diverged = ds["diverged"].values.astype(bool)
        status = np.where(diverged, "diverged", "ok")
        names = tuple(str(v) for v in ds["unit_name"].values) if "unit_name" in ds else ()
        return klass(
            t=ds["time"].values, rates=ds["rates"].values, status=status,
            t_diverged=ds["t_diverged"].values, message=str(ds.attrs.get("message", "")),
            params=json.loads(ds.attrs["params"]), method=str(ds.attrs["method"]),
            dt=float(ds.attrs["dt"]), unit_names=names,
            version=str(ds.attrs.get("ratenet_version", "")),
            extra=json.loads(ds.attrs.get("extra", "{}")),
        )


_KINDS["Trajectory"] = Trajectory


@dataclass(frozen=True, eq=False, repr=False)
class RingTrajectory(Trajectory):
    """A ring-model trajectory, with the tutorial's order parameters.

    ``M(t)`` and ``C(t)`` are defined as in the tutorial, about the uniform state
    ``m0 = h0 / (1 - J0)``:  ``M = (1/N) sum_i (m_i - m0)`` and
    ``C = (1/N) sum_i (m_i - m0) exp(i theta_i) = (1/N) sum_i m_i exp(i theta_i)``.
    For a profile ``m0 + m1 cos(theta - phi)``, ``C = (m1 / 2) exp(i phi)``.
    """

    @property
    def theta(self) -> np.ndarray:
        """Preferred angles, shape ``(N,)``."""
        n = self.rates.shape[-1]
        return 2.0 * np.pi * np.arange(n) / n

    @property
    def mean_rate(self) -> np.ndarray:
        """Population mean rate ``r0(t)``, shape ``(*batch, T)``."""
        return self.rates.mean(axis=-1)

    @property
    def uniform_rate(self) -> np.ndarray | float:
        """``m0 = h0/(1 - J0)`` for each model (nan where no uniform state exists)."""
        from .models.ring import RingModel

        ps = self.params if isinstance(self.params, list) else [self.params]
        vals = []
        for p in ps:
            try:
                vals.append(RingModel.from_dict(p).uniform_rate)
            except (ValueError, TypeError, KeyError):
                vals.append(np.nan)
        arr = np.array(vals).reshape(self.batch_shape)
        return float(arr) if arr.ndim == 0 else arr

    @property
    def M(self) -> np.ndarray:
        """Tutorial's ``M(t)``: mean deviation from the uniform state, shape ``(*batch, T)``."""
        m0 = np.asarray(self.uniform_rate)[..., None]
        return self.mean_rate - m0

    @property
    def C(self) -> np.ndarray:
        """Tutorial's complex ``C(t) = (1/N) sum_i m_i exp(i theta_i)``, shape ``(*batch, T)``."""
        # two real products: a real matrix times a complex vector takes NumPy's slow path
        N = self.rates.shape[-1]
        return (self.rates @ np.cos(self.theta) + 1j * (self.rates @ np.sin(self.theta))) / N

    @property
    def bump_position(self) -> np.ndarray:
        """Population-vector angle ``arg C(t)`` in ``[0, 2 pi)``, shape ``(*batch, T)``."""
        return np.mod(np.angle(self.C), 2.0 * np.pi)

    @property
    def bump_amplitude(self) -> np.ndarray:
        """Amplitude of the cos component ``m1 = 2 |C(t)|``, shape ``(*batch, T)``."""
        return 2.0 * np.abs(self.C)

    def _data_vars(self):
        out = super()._data_vars()
        b = tuple(f"batch{i}" if i else "batch" for i in range(len(self.batch_shape)))
        out["mean_rate"] = (b + ("time",), self.mean_rate)
        out["C"] = (b + ("time",), self.C)
        out["M"] = (b + ("time",), self.M)
        out["bump_position"] = (b + ("time",), self.bump_position)
        out["bump_amplitude"] = (b + ("time",), self.bump_amplitude)
        return out

    def _coords(self):
        c = super()._coords()
        c["theta"] = ("unit", self.theta)
        return c


def load(path: str | os.PathLike[str]) -> Trajectory:
    """Read a trajectory written by :meth:`Trajectory.save`.

    Parameters
    ----------
    path : str or path-like
        A NetCDF file written by ``Trajectory.save``.

    Returns
    -------
    Trajectory
        A :class:`RingTrajectory` for a ring, an ``EIRingTrajectory`` for an E-I ring, with the
        parameters and version it was saved with.

    Examples
    --------
    >>> import os, tempfile
    >>> import ratenet as rn
    >>> traj = rn.simulate(rn.RingModel(N=16), t_max=1.0, dt=0.1)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     traj.save(os.path.join(tmp, "run.nc"))
    ...     back = rn.load(os.path.join(tmp, "run.nc"))
    >>> bool(np.array_equal(back.rates, traj.rates)), back.params == traj.params
    (True, True)
    """
    import xarray as xr

    with xr.open_dataset(os.fspath(path), engine="scipy") as ds:
        ds = ds.load()
    return Trajectory.from_xarray(ds)
