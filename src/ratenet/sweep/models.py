"""What a sweep can run and measure: one adapter per model, a registry of quantities.

A :class:`SweepModel` knows its parameters (which may be swept, which are fixed, their
defaults and how to validate them), the quantities it can measure, and how to evaluate a
batch of cells.  The sweep engine (grid, chunks, Dask, Zarr) knows nothing model-specific:
adding a model is writing one adapter and calling :func:`register_model`.

Two families of quantities exist:

* **measured** quantities (``[measure] quantities``) come from running the model: for the
  ring, measured on the final state of a simulation, one value per cell and per trial (each
  trial starts from its own random initial condition, and has its own noise); for the E-I
  model, from its numerical analysis (exact fixed points, limit cycles by shooting);
* **theory** quantities (``[measure] theory``) are closed-form or analytic values, one per
  cell (no trial dimension); they are stored as ``theory_<name>``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import ParameterError

__all__ = [
    "MODELS",
    "Parameter",
    "Quantity",
    "RingSweep",
    "SweepModel",
    "cell_seed_sequence",
    "get_model",
    "register_model",
]


def cell_seed_sequence(seed: int, index: int) -> np.random.SeedSequence:
    """The random stream of one cell: ``SeedSequence(seed, spawn_key=(index,))``.

    ``index`` is the cell's flat (C-order) index over the swept dimensions and the trial
    dimension, so a cell's stream depends only on the sweep's seed and the cell, never on
    how the grid was cut into chunks or which worker ran it.

    Examples
    --------
    >>> ss = cell_seed_sequence(0, 5)
    >>> ss.entropy, ss.spawn_key
    (0, (5,))
    """
    return np.random.SeedSequence(seed, spawn_key=(int(index),))


@dataclass(frozen=True)
class Parameter:
    """A model parameter as a sweep spec sees it.

    Attributes
    ----------
    name : str
        Canonical name (``"J0"``, ``"tau_I"``); spec keys match it in any letter case.
    kind : {"float", "int", "str"}
    default : object
        Value used when the spec gives none (``None``: required or computed).
    sweepable : bool
        Whether it may appear in ``[sweep]``; the others may only be fixed.
    doc : str
        One line with units.
    why_fixed : str
        Why it cannot be swept (shown in the error).
    """

    name: str
    kind: str = "float"
    default: Any = None
    sweepable: bool = True
    doc: str = ""
    why_fixed: str = ""


@dataclass(frozen=True)
class Quantity:
    """A measurable quantity and how it is stored.

    Attributes
    ----------
    name : str
        Name in the spec (``"peak"``); the store variable is ``name`` for measured
        quantities and ``"theory_" + name`` for theory ones.
    kind : {"measured", "theory"}
    dtype : str
        NumPy dtype of the stored values (``"f8"``, ``"i4"``, ``"i1"``, ``"bool"``).
    units : str
    description : str
    categories : tuple of str, optional
        For a categorical quantity (stored as ``int8`` codes): the category of each code.
    """

    name: str
    kind: str
    dtype: str
    units: str
    description: str
    categories: tuple[str, ...] | None = None

    @property
    def variable(self) -> str:
        """Name of the variable in the store."""
        return self.name if self.kind == "measured" else f"theory_{self.name}"

    @property
    def fill_value(self) -> Any:
        """Value of a cell not computed yet."""
        if self.categories is not None:
            return -1
        kind = np.dtype(self.dtype).kind
        if kind == "f":
            return math.nan
        if kind == "b":
            return False
        return -1


@dataclass
class SweepModel:
    """Base class of a sweepable model.

    Subclasses fill :attr:`parameters` and :attr:`quantities` and implement
    :meth:`simulate_cells` (and :meth:`theory_cells` if they have theory quantities).
    """

    name: str = ""
    description: str = ""
    parameters: dict[str, Parameter] = field(default_factory=dict)
    quantities: dict[str, Quantity] = field(default_factory=dict)
    default_quantities: tuple[str, ...] = ()
    #: Whether cells have random initial conditions or noise (else ``trials`` must be 1).
    stochastic: bool = True

    # ------------------------------------------------------------- spec side
    def canonical(self, key: str) -> str | None:
        """Canonical parameter name for a spec key (any letter case, ``-`` for ``_``), or None."""
        wanted = key.lower().replace("-", "_")
        for name in self.parameters:
            if name.lower() == wanted:
                return name
        return None

    def quantity(self, name: str, kind: str) -> Quantity | None:
        q = self.quantities.get(f"{kind}:{name}")
        return q

    def names(self, kind: str) -> list[str]:
        return [q.name for q in self.quantities.values() if q.kind == kind]

    def check_value(self, name: str, value: Any, fixed: Mapping[str, Any]) -> Any:
        """Validate one value of parameter ``name`` given the fixed ones; return it cleaned.

        Raises :class:`ParameterError` named after the parameter (the caller adds the key).
        """
        raise NotImplementedError

    def complete_fixed(self, fixed: dict[str, Any], sweep: Mapping[str, Sequence[Any]]) -> None:
        """Fill in computed defaults (e.g. the time step) once the whole grid is known."""

    def check_theory(self, fixed: Mapping[str, Any], sweep: Mapping[str, Sequence[Any]]) -> None:
        """Raise :class:`ParameterError` if theory quantities make no sense for this grid."""

    def work_per_cell(self, fixed: Mapping[str, Any]) -> tuple[int, float] | None:
        """``(units, time steps)`` of one simulation, or None for a model that does not
        simulate (its work is bounded by its analysis's own caps)."""
        return None

    def steps_per_cell(self, fixed: Mapping[str, Any]) -> float | None:
        """Time steps of one simulation (``inf`` if beyond any integer), or None."""
        w = self.work_per_cell(fixed)
        return None if w is None else w[1]

    # ------------------------------------------------------------ work side
    def simulate_cells(self, params: Mapping[str, np.ndarray], fixed: Mapping[str, Any], *,
                       seed: int, cell_index: np.ndarray,
                       quantities: Sequence[str]) -> dict[str, np.ndarray]:
        """Simulate a batch of cells and measure ``quantities`` on each.

        Parameters
        ----------
        params : mapping name -> ndarray of shape (n_cells,)
            The swept parameters of each cell.
        fixed : mapping
            The fixed parameters (canonical names, defaults filled in).
        seed : int
            The sweep's seed.
        cell_index : ndarray of int, shape (n_cells,)
            Flat index of each cell; its random stream is
            ``cell_seed_sequence(seed, cell_index[b])``.
        quantities : sequence of str
            Names of measured quantities.

        Returns
        -------
        dict name -> ndarray of shape (n_cells,) with the quantity's dtype
        """
        raise NotImplementedError

    def theory_cells(self, params: Mapping[str, np.ndarray], fixed: Mapping[str, Any], *,
                     quantities: Sequence[str]) -> dict[str, np.ndarray]:
        """Analytic values of ``quantities`` (theory names) for a batch of cells."""
        raise NotImplementedError


MODELS: dict[str, SweepModel] = {}


def register_model(model: SweepModel) -> SweepModel:
    """Make ``model`` available to sweep specs as ``model = "<name>"``."""
    MODELS[model.name] = model
    return model


def get_model(name: str) -> SweepModel:
    """The registered adapter for ``name``; raises :class:`ParameterError` naming ``model``."""
    if name not in MODELS:
        hint = ""
        if name == "ei":
            hint = "the E-I model (ratenet.models.ei) is not available in this installation"
        raise ParameterError("model", name, f"one of {sorted(MODELS)}", hint)
    return MODELS[name]


def _codes(values: Any, categories: Sequence[str]) -> np.ndarray:
    """Categorical labels (strings) to int8 codes, -1 for an unknown label."""
    lookup = {c: i for i, c in enumerate(categories)}
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int8)
    return np.array([lookup.get(str(v), -1) for v in arr.ravel()], dtype=np.int8).reshape(
        arr.shape)


def _as_column(measurements: Any, name: str) -> Any:
    if isinstance(measurements, Mapping):
        return measurements[name]
    return getattr(measurements, name)


# ====================================================================== ring
_RING_FLOATS = ("J0", "J1", "h0", "eps", "theta0", "omega", "t_on", "t_off", "tau")
_RING_NOISE = ("sigma", "sigma_ou", "tau_ou")


def _ring_regimes() -> tuple[str, ...]:
    from ..theory.ring import REGIMES

    return tuple(REGIMES)


class RingSweep(SweepModel):
    """The ring model: batched compiled simulation, ring observables and ring theory.

    Simulated quantities come from :func:`ratenet.analysis.ring.measure_final` on the final
    state; theory quantities from :func:`ratenet.theory.ring.stationary_states` (N -> infinity,
    threshold-linear, static input).
    """

    def __init__(self) -> None:
        P = Parameter
        params = {
            "J0": P("J0", default=0.0, doc="uniform coupling"),
            "J1": P("J1", default=0.0, doc="first Fourier mode of the coupling"),
            "h0": P("h0", default=1.0, doc="uniform input"),
            "eps": P("eps", default=0.0, doc="tuned input amplitude (>= 0)"),
            "theta0": P("theta0", default=0.0, doc="stimulus angle (rad)"),
            "omega": P("omega", default=0.0, doc="stimulus rotation speed (rad per tau)"),
            "t_on": P("t_on", default=0.0, doc="tuned input switched on (tau)"),
            "t_off": P("t_off", default=math.inf, doc="tuned input switched off (tau)"),
            "tau": P("tau", default=1.0, doc="time constant"),
            "N": P("N", kind="int", default=256, sweepable=False, doc="number of units",
                   why_fixed="one batched simulation needs one N; run one sweep per N"),
            "t_max": P("t_max", default=200.0, sweepable=False, doc="simulated time (tau)",
                       why_fixed="the cells of a batch run for the same time"),
            "dt": P("dt", default=None, sweepable=False,
                    doc="time step (tau); default min(tau) / 100 over the grid",
                    why_fixed="the cells of a batch share one time step"),
            "method": P("method", kind="str", default="euler", sweepable=False,
                        doc="euler, heun or rk4",
                        why_fixed="the cells of a batch share one method"),
            "sigma": P("sigma", default=0.0, sweepable=False,
                       doc="white noise on the rates (see ratenet.Noise)",
                       why_fixed="one noise setting per batched simulation"),
            "sigma_ou": P("sigma_ou", default=0.0, sweepable=False,
                          doc="Ornstein-Uhlenbeck input noise, standard deviation",
                          why_fixed="one noise setting per batched simulation"),
            "tau_ou": P("tau_ou", default=1.0, sweepable=False,
                        doc="correlation time of the input noise (tau)",
                        why_fixed="one noise setting per batched simulation"),
        }
        Q = Quantity
        q = [
            Q("r0", "measured", "f8", "rate", "population mean rate of the final state"),
            Q("m1", "measured", "f8", "rate",
              "amplitude of the cos component of the final profile"),
            Q("peak", "measured", "f8", "rate", "largest rate in the final state"),
            Q("theta_c", "measured", "f8", "rad",
              "half-width of the active region (pi: all units active)"),
            Q("bump_position", "measured", "f8", "rad",
              "population-vector angle of the final state, in [0, 2 pi)"),
            Q("n_active", "measured", "i4", "units", "number of active units"),
            Q("diverged", "measured", "bool", "", "the rates grew without bound"),
            Q("t_diverged", "measured", "f8", "tau",
              "time at which the rates left the bound (nan: never)"),
            Q("residual", "measured", "f8", "rate/tau",
              "max |dm/dt| at the final state (small: settled)"),
            Q("settled", "measured", "bool", "", "the final state is stationary"),
            Q("regime", "measured", "i1", "", "regime measured on the final state"),
            Q("regime", "theory", "i1", "", "regime predicted by the N -> infinity theory"),
            Q("r0", "theory", "f8", "rate", "mean rate of the stationary profile"),
            Q("m1", "theory", "f8", "rate",
              "amplitude of the cos component of the stationary profile"),
            Q("peak", "theory", "f8", "rate", "peak rate of the stationary profile"),
            Q("theta_c", "theory", "f8", "rad",
              "half-width of the active region of the stationary profile"),
            Q("n_stable", "theory", "i4", "", "number of stable stationary states"),
            Q("lambda0", "theory", "f8", "1/tau",
              "eigenvalue of the uniform mode of the uniform state, J0 - 1"),
            Q("lambda1", "theory", "f8", "1/tau",
              "eigenvalue of the cos mode of the uniform state, J1/2 - 1"),
        ]
        super().__init__(
            name="ring",
            description="ring model (units of tau)",
            parameters=params,
            quantities={f"{x.kind}:{x.name}": x for x in q},
            default_quantities=("regime", "r0", "peak"),
        )

    def quantity(self, name: str, kind: str) -> Quantity | None:
        q = self.quantities.get(f"{kind}:{name}")
        if q is not None and name == "regime" and q.categories is None:
            q = Quantity(q.name, q.kind, q.dtype, q.units, q.description,
                         categories=_ring_regimes())
            self.quantities[f"{kind}:{name}"] = q
        return q

    def check_value(self, name: str, value: Any, fixed: Mapping[str, Any]) -> Any:
        from .._validation import check_nonnegative, check_positive
        from ..models.ring import RingModel
        from ..simulate import METHODS

        p = self.parameters[name]
        if name == "method":
            if value not in METHODS:
                raise ParameterError("method", value, f"one of {METHODS}")
            return value
        if name == "t_max":
            return check_positive("t_max", value)
        if name == "dt":
            dt = check_positive("dt", value)
            t_max = fixed.get("t_max", self.parameters["t_max"].default)
            if dt > t_max:
                raise ParameterError("dt", value, f"<= t_max = {t_max:g}")
            return dt
        if name in ("sigma", "sigma_ou"):
            return check_nonnegative(name, value)
        if name == "tau_ou":
            return check_positive(name, value)
        if p.kind == "float" and isinstance(value, str):
            raise ParameterError(name, value, "a finite real number")
        base = {k: v for k, v in fixed.items() if k in _RING_FLOATS or k == "N"}
        base[name] = value
        model = RingModel(**base)  # validates (raises ParameterError named after the field)
        return getattr(model, name)

    def complete_fixed(self, fixed: dict[str, Any], sweep: Mapping[str, Sequence[Any]]) -> None:
        for name, p in self.parameters.items():
            if name not in fixed and name not in sweep and p.default is not None:
                fixed[name] = p.default
        if fixed.get("dt") is None:
            taus = list(sweep.get("tau", [fixed.get("tau", 1.0)]))
            fixed["dt"] = min(float(t) for t in taus) / 100.0

    def work_per_cell(self, fixed: Mapping[str, Any]) -> tuple[int, float] | None:
        ratio = float(fixed["t_max"]) / float(fixed["dt"])
        steps: float = max(1, math.ceil(ratio - 1e-9)) if ratio < 1e18 else math.inf
        return int(fixed["N"]), steps

    def check_theory(self, fixed: Mapping[str, Any], sweep: Mapping[str, Sequence[Any]]) -> None:
        """The stationary theory needs a static input: omega = 0 and no switch-off."""
        omegas = sweep.get("omega", [fixed.get("omega", 0.0)])
        if any(float(w) != 0.0 for w in omegas):
            raise ParameterError("measure.theory", "omega != 0",
                                 "requested only for a static input (omega = 0)")
        t_offs = sweep.get("t_off", [fixed.get("t_off", math.inf)])
        if any(math.isfinite(float(t)) for t in t_offs):
            raise ParameterError("measure.theory", "finite t_off",
                                 "requested only for an input never switched off")

    def _models(self, params: Mapping[str, np.ndarray], fixed: Mapping[str, Any], n: int):
        from ..models.ring import RingModel

        base: dict[str, Any] = {k: v for k, v in fixed.items()
                                if k in _RING_FLOATS or k == "N"}
        cols = {k: np.asarray(v, dtype=float) for k, v in params.items()}
        models = []
        for i in range(n):
            kw: dict[str, Any] = dict(base)
            kw.update((k, float(c[i])) for k, c in cols.items())
            models.append(RingModel(**kw))
        return models

    def simulate_cells(self, params, fixed, *, seed, cell_index, quantities):
        from ..analysis.ring import measure_final
        from ..simulate import simulate

        cell_index = np.asarray(cell_index, dtype=np.int64)
        n_cells = cell_index.size
        models = self._models(params, fixed, cell_index.size)
        N = int(fixed["N"])
        kwargs: dict[str, Any] = {}
        if fixed.get("sigma", 0.0) > 0.0 or fixed.get("sigma_ou", 0.0) > 0.0:
            from ..noise import Noise

            # simulate() draws row b's initial rates and noise from (seed, trial_index[b]).
            kwargs = {"noise": Noise(sigma=fixed["sigma"], sigma_ou=fixed["sigma_ou"],
                                     tau_ou=fixed["tau_ou"]),
                      "seed": seed, "trial_index": cell_index}
        else:
            # The default initial rates of simulate(), each from its cell's own stream.
            x0 = np.empty((cell_index.size, N))
            for b, k in enumerate(cell_index):
                x0[b] = 1e-3 * np.random.default_rng(cell_seed_sequence(seed, k)).random(N)
            kwargs = {"x0": x0}
        traj = simulate(models, t_max=float(fixed["t_max"]), dt=float(fixed["dt"]),
                        method=str(fixed["method"]), record_every=None, parallel=False,
                        on_divergence="ignore", **kwargs)
        meas = measure_final(traj)
        out: dict[str, np.ndarray] = {}
        for name in quantities:
            q = self.quantity(name, "measured")
            assert q is not None
            if name == "t_diverged":
                col: Any = np.asarray(traj.t_diverged, dtype=float)
            elif name == "regime":
                col = meas["regime_code"]
            else:
                col = meas[name]
            out[name] = _store_dtype(col, q)[:n_cells]
        return out

    def theory_cells(self, params, fixed, *, quantities):
        from ..theory import ring as th

        n = len(next(iter(params.values()))) if params else 1
        col = {k: np.broadcast_to(np.asarray(params.get(k, fixed.get(k)), dtype=float), (n,))
               for k in ("J0", "J1", "h0", "eps")}
        states = th.stationary_states(J0=col["J0"], J1=col["J1"], h0=col["h0"], eps=col["eps"])
        out = {}
        for name in quantities:
            q = self.quantity(name, "theory")
            assert q is not None
            if name == "regime":
                values: Any = states["regime_code"]
            elif name in ("lambda0", "lambda1"):
                k = int(name[-1])
                values = [th.mode_eigenvalues(a, b)[k] for a, b in zip(col["J0"], col["J1"])]
            else:
                values = states[name]
            out[name] = _store_dtype(values, q)
        return out


def _store_dtype(values: Any, q: Quantity) -> np.ndarray:
    if q.categories is not None:
        return _codes(values, q.categories)
    arr = np.asarray(values)
    if np.dtype(q.dtype).kind == "f":
        return arr.astype(np.float64)
    return arr.astype(q.dtype)


register_model(RingSweep())
# the E-I model registers itself in ratenet.sweep._ei (imported by ratenet.sweep), which
# imports this module: no import from here back to it
