"""Sweep adapter of the E-I model: exact fixed points, their stability, the limit cycle.

Units: rates in Hz, time in ms, eigenvalues in 1/ms.  Everything here is deterministic
(no random start, no noise), so an E-I sweep has one trial per cell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._validation import ParameterError
from ..analysis.fixed_points import FIXED_POINT_TYPES, find_fixed_points
from ..analysis.limit_cycle import find_limit_cycle
from ..models.ei import EIModel
from .models import Parameter, Quantity, SweepModel, _store_dtype, register_model

__all__ = ["EISweep"]

_CYCLE = ("period", "nu_E_min", "nu_E_max", "nu_I_min", "nu_I_max", "cycle_stable")


class EISweep(SweepModel):
    """The E-I model: fixed points (exact for threshold-linear transfer), limit cycles.

    The reported fixed point (``nu_E``, ``nu_I``, ``fp_type``, ``stable``, eigenvalue
    quantities) is the stable one when there is one (the first stable one when several
    coexist), otherwise the first found; nan (or code -1) when there is none.
    """

    def __init__(self) -> None:
        defaults = EIModel()
        docs = {
            "M_EE": "weight onto E from E (>= 0)", "M_EI": "weight onto E from I (<= 0)",
            "M_IE": "weight onto I from E (>= 0)", "M_II": "weight onto I from I (<= 0)",
            "gamma_E": "threshold of E (Hz)", "gamma_I": "threshold of I (Hz)",
            "tau_E": "time constant of E (ms)", "tau_I": "time constant of I (ms)",
        }
        params = {n: Parameter(n, default=float(getattr(defaults, n)), doc=docs[n])
                  for n in EIModel.PARAMETERS}
        Q = Quantity
        q = [
            Q("n_fixed_points", "measured", "i4", "", "number of fixed points"),
            Q("n_stable", "measured", "i4", "", "number of stable fixed points"),
            Q("nu_E", "measured", "f8", "Hz", "E rate at the fixed point"),
            Q("nu_I", "measured", "f8", "Hz", "I rate at the fixed point"),
            Q("fp_type", "measured", "i1", "", "type of the fixed point",
              categories=tuple(t.replace(" ", "_") for t in FIXED_POINT_TYPES)),
            Q("stable", "measured", "bool", "", "the fixed point is stable"),
            Q("max_real_eigenvalue", "measured", "f8", "1/ms",
              "largest real part of the fixed point's eigenvalues"),
            Q("trace", "measured", "f8", "1/ms", "trace of the Jacobian at the fixed point"),
            Q("determinant", "measured", "f8", "1/ms^2",
              "determinant of the Jacobian at the fixed point"),
            Q("period", "measured", "f8", "ms", "period of the limit cycle (nan: none)"),
            Q("nu_E_min", "measured", "f8", "Hz", "smallest E rate on the cycle"),
            Q("nu_E_max", "measured", "f8", "Hz", "largest E rate on the cycle"),
            Q("nu_I_min", "measured", "f8", "Hz", "smallest I rate on the cycle"),
            Q("nu_I_max", "measured", "f8", "Hz", "largest I rate on the cycle"),
            Q("cycle_stable", "measured", "bool", "", "a stable limit cycle was found"),
            Q("hopf_tau_I", "theory", "f8", "ms",
              "tau_I at which the both-active fixed point loses stability (closed form)"),
        ]
        super().__init__(
            name="ei",
            description="excitatory-inhibitory populations (ms, Hz)",
            parameters=params,
            quantities={f"{x.kind}:{x.name}": x for x in q},
            default_quantities=("nu_E", "nu_I", "stable", "period"),
            stochastic=False,
        )

    def check_value(self, name: str, value: Any, fixed: Mapping[str, Any]) -> Any:
        if isinstance(value, (str, bool)):
            raise ParameterError(name, value, "a finite real number")
        base = {k: v for k, v in fixed.items() if k in EIModel.PARAMETERS}
        base[name] = value
        model = EIModel(**base)  # validates (raises ParameterError named after the field)
        return getattr(model, name)

    def complete_fixed(self, fixed: dict[str, Any], sweep: Mapping[str, Any]) -> None:
        for name, p in self.parameters.items():
            if name not in fixed and name not in sweep:
                fixed[name] = p.default

    def _models(self, params: Mapping[str, np.ndarray], fixed: Mapping[str, Any], n: int):
        base: dict[str, Any] = {k: v for k, v in fixed.items() if k in EIModel.PARAMETERS}
        cols = {k: np.asarray(v, dtype=float) for k, v in params.items()}
        out = []
        for i in range(n):
            kw = dict(base)
            kw.update((k, float(c[i])) for k, c in cols.items())
            out.append(EIModel(**kw))
        return out

    def simulate_cells(self, params, fixed, *, seed, cell_index, quantities):
        models = self._models(params, fixed, np.asarray(cell_index).size)
        fp_type_q = self.quantities["measured:fp_type"]
        assert fp_type_q.categories is not None
        want_cycle = any(q in _CYCLE for q in quantities)
        rows: dict[str, list[Any]] = {q: [] for q in quantities}
        for model in models:
            fps = find_fixed_points(model)
            stable = [f for f in fps if f.stable]
            fp = stable[0] if stable else (fps[0] if fps else None)
            vals: dict[str, Any] = {
                "n_fixed_points": len(fps), "n_stable": len(stable),
                "nu_E": fp.state[0] if fp else math.nan,
                "nu_I": fp.state[1] if fp else math.nan,
                "fp_type": fp.type.replace(" ", "_") if fp else "",
                "stable": bool(fp.stable) if fp else False,
                "max_real_eigenvalue": float(np.max(fp.eigenvalues.real)) if fp else math.nan,
                "trace": fp.trace if fp else math.nan,
                "determinant": fp.determinant if fp else math.nan,
            }
            if want_cycle:
                cyc = find_limit_cycle(model)
                vals.update({
                    "period": cyc.period if cyc else math.nan,
                    "nu_E_min": cyc.minimum[0] if cyc else math.nan,
                    "nu_E_max": cyc.maximum[0] if cyc else math.nan,
                    "nu_I_min": cyc.minimum[1] if cyc else math.nan,
                    "nu_I_max": cyc.maximum[1] if cyc else math.nan,
                    "cycle_stable": bool(cyc.stable) if cyc else False,
                })
            for q in quantities:
                rows[q].append(vals[q])
        out = {}
        for name, vals_ in rows.items():
            q = self.quantity(name, "measured")
            assert q is not None
            out[name] = _store_dtype(vals_, q)
        return out

    def theory_cells(self, params, fixed, *, quantities):
        n = len(next(iter(params.values()))) if params else 1
        models = self._models(params, fixed, n)
        out = {}
        for name in quantities:
            q = self.quantity(name, "theory")
            assert q is not None
            if name == "hopf_tau_I":
                vals = [m.hopf_tau_I() for m in models]
                out[name] = np.array([math.nan if v is None else v for v in vals], dtype=float)
            else:  # pragma: no cover - every theory quantity is handled above
                raise ParameterError("measure.theory", name, "a theory quantity of the E-I model")
            out[name] = _store_dtype(out[name], q)
        return out


register_model(EISweep())
