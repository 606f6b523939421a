"""Sweep specifications: read from TOML, validated completely before any work starts.

A spec names the model, its fixed parameters, the swept ones (a grid over all of them), the
quantities to measure, the seed and the number of trials per cell::

    model = "ring"
    seed = 0                 # optional, default 0
    trials = 1               # optional: simulations per cell, each from its own random start
    [fixed]
    h0 = 1.0
    eps = 0.0
    n = 256
    t_max = 200
    [sweep]
    j0 = { start = -6.0, stop = 0.9, num = 128 }
    j1 = [0.0, 1.0, 2.5, 4.0]          # or a list of values
    [measure]
    quantities = ["regime", "peak", "r0"]   # simulated
    theory = ["regime", "peak"]             # optional: analytic values, stored as theory_<name>
    [run]
    chunk_cells = 1024       # optional: simulations per chunk (one batched simulation each)

Keys match parameter names in any letter case (``j0`` is ``J0``).  Every mistake raises
:class:`ratenet.ParameterError` whose ``name`` is the key as written in the spec
(``sweep.j0.num``, ``fixed.eps``, ``measure.quantities``).

The work is bounded before anything runs (:func:`estimate_work`): at most
``DEFAULT_MAX_CELLS`` simulations (``max_cells``, ``--max-cells``), at most
``DEFAULT_MAX_WORK`` unit updates (units x time steps x simulations; ``max_work``,
``--max-work``), at most ``MAX_STEPS_PER_CELL`` time steps per simulation and at most
``MAX_CHUNK_BYTES`` of state per chunk.  The grid's size is computed from the spec's
counts before any value is generated, so a huge grid is refused at once.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .._validation import ParameterError
from .models import SweepModel, get_model

__all__ = ["DEFAULT_MAX_CELLS", "DEFAULT_MAX_WORK", "SweepSpec", "estimate_work", "load_spec",
           "parse_spec"]

_TOP_KEYS = ("model", "seed", "trials", "fixed", "sweep", "measure", "run")
_RANGE_KEYS = ("start", "stop", "num", "scale")
DEFAULT_CHUNK_CELLS = 1024
#: Most simulations (grid points x trials) a sweep may hold unless ``max_cells`` says more.
DEFAULT_MAX_CELLS = 10_000_000
#: Most unit updates (units x time steps x simulations) unless ``max_work`` says more:
#: about an hour on two cores of a laptop (the compiled kernels do ~1e9 per second per core).
DEFAULT_MAX_WORK = 10**13
#: Most time steps one simulation may take (not raisable: use a larger dt).
MAX_STEPS_PER_CELL = 10**9
#: Most bytes of simulation state one chunk may hold (rates, buffers: ~4 arrays of N floats).
MAX_CHUNK_BYTES = 2 * 1024**3


@dataclass(frozen=True, eq=False)
class SweepSpec:
    """A validated sweep.

    Attributes
    ----------
    model : str
        Registered model name (``"ring"``, ``"ei"``).
    fixed : dict
        Fixed parameters by canonical name, defaults and computed values (``dt``) filled in.
    sweep : dict name -> tuple of values
        Swept parameters in spec order; the grid is their Cartesian product.
    quantities : tuple of str
        Quantities to measure (on simulations, or by the model's numerical analysis).
    theory : tuple of str
        Theory quantities to compute (stored as ``theory_<name>``).
    seed : int
        Seed of the sweep; cell ``k`` uses ``SeedSequence(seed, spawn_key=(k,))``.
    trials : int
        Simulations per cell.
    chunk_cells : int
        Target number of simulations per chunk.
    source : str
        The spec as written (TOML text), kept for the store's attributes.
    """

    model: str
    fixed: dict[str, Any]
    sweep: dict[str, tuple[Any, ...]]
    quantities: tuple[str, ...]
    theory: tuple[str, ...]
    seed: int
    trials: int
    chunk_cells: int
    source: str = ""

    @property
    def adapter(self) -> SweepModel:
        return get_model(self.model)

    @property
    def dims(self) -> tuple[str, ...]:
        """Dimensions of the measured variables: the swept parameters, then ``trial``."""
        return tuple(self.sweep) + (("trial",) if self.trials > 1 else ())

    @property
    def grid_shape(self) -> tuple[int, ...]:
        return tuple(len(v) for v in self.sweep.values())

    @property
    def n_cells(self) -> int:
        """Number of simulations (grid points times trials)."""
        return int(np.prod(self.grid_shape, dtype=np.int64)) * self.trials

    def to_dict(self) -> dict[str, Any]:
        """Canonical plain-JSON form (what a resumed sweep must match)."""
        return {
            "model": self.model, "seed": self.seed, "trials": self.trials,
            "fixed": {k: _jsonable(v) for k, v in self.fixed.items()},
            "dims": list(self.sweep),  # the grid's axis order (JSON objects have none)
            "sweep": {k: [_jsonable(x) for x in v] for k, v in self.sweep.items()},
            "measure": {"quantities": list(self.quantities), "theory": list(self.theory)},
            "run": {"chunk_cells": self.chunk_cells},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, source: str = "") -> SweepSpec:
        """Rebuild from :meth:`to_dict` output (no validation: it was validated when made)."""
        return cls(
            model=d["model"], seed=int(d["seed"]), trials=int(d["trials"]),
            fixed={k: _from_json(v) for k, v in d["fixed"].items()},
            sweep={k: tuple(_from_json(x) for x in d["sweep"][k]) for k in d["dims"]},
            quantities=tuple(d["measure"]["quantities"]), theory=tuple(d["measure"]["theory"]),
            chunk_cells=int(d["run"]["chunk_cells"]), source=source,
        )


def _jsonable(v: Any) -> Any:
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if isinstance(v, np.generic):
        return v.item()
    return v


def _from_json(v: Any) -> Any:
    if v == "inf":
        return math.inf
    if v == "-inf":
        return -math.inf
    return v


def _toml_loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib.loads(text)


def load_spec(path: str | os.PathLike[str], *, max_cells: int = DEFAULT_MAX_CELLS,
              max_work: float = DEFAULT_MAX_WORK) -> SweepSpec:
    """Read and validate a sweep spec from a TOML file (see :func:`parse_spec`).

    Raises
    ------
    ParameterError
        Naming the offending key (``name`` is ``"spec"`` when the file is not valid TOML).
    """
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as err:
        raise ParameterError("spec", path, "a readable TOML file", err.strerror or "") from None
    except (UnicodeDecodeError, ValueError) as err:
        raise ParameterError("spec", path, "a UTF-8 TOML file", str(err)) from None
    return parse_spec(text, max_cells=max_cells, max_work=max_work)


def parse_spec(spec: str | Mapping[str, Any], *, max_cells: int = DEFAULT_MAX_CELLS,
               max_work: float = DEFAULT_MAX_WORK) -> SweepSpec:
    """Validate a sweep spec given as TOML text or as the equivalent mapping.

    Parameters
    ----------
    spec : str or mapping
        TOML text, or the dictionary it parses into.
    max_cells : int, default DEFAULT_MAX_CELLS
        Most simulations (grid points x trials); a larger grid is refused before any of
        its values is generated (``ratenet sweep --max-cells``).
    max_work : float, default DEFAULT_MAX_WORK
        Most unit updates (units x time steps x simulations) of a simulated sweep
        (``ratenet sweep --max-work``).

    Returns
    -------
    SweepSpec

    Examples
    --------
    >>> s = parse_spec('''
    ... model = "ring"
    ... [fixed]
    ... n = 64
    ... t_max = 10
    ... [sweep]
    ... j0 = { start = -2.0, stop = 0.0, num = 3 }
    ... j1 = [0.0, 3.0]
    ... [measure]
    ... quantities = ["r0", "regime"]
    ... ''')
    >>> s.dims, s.grid_shape, s.sweep["J0"]
    (('J0', 'J1'), (3, 2), (-2.0, -1.0, 0.0))
    """
    source = ""
    if isinstance(spec, str):
        source = spec
        try:
            raw = _toml_loads(spec)
        except Exception as err:  # tomllib.TOMLDecodeError
            raise ParameterError("spec", "<TOML text>", "valid TOML", str(err)) from None
    elif isinstance(spec, Mapping):
        raw = dict(spec)
    else:
        raise ParameterError("spec", type(spec).__name__, "TOML text or a mapping")

    for key in raw:
        if key not in _TOP_KEYS:
            raise ParameterError(key, raw[key], f"one of the spec keys {list(_TOP_KEYS)}")
    if "model" not in raw:
        raise ParameterError("model", None, "given (e.g. model = \"ring\")")
    if not isinstance(raw["model"], str):
        raise ParameterError("model", raw["model"], "a model name in quotes, e.g. \"ring\"")
    adapter = get_model(raw["model"])

    seed = _int_key("seed", raw.get("seed", 0), minimum=0)
    trials = _int_key("trials", raw.get("trials", 1), minimum=1)
    if trials > 1 and not adapter.stochastic:
        raise ParameterError("trials", trials, f"1 for the {adapter.name} model",
                             "its quantities are deterministic (no random start, no noise)")

    fixed_raw = _table(raw, "fixed")
    sweep_raw = _table(raw, "sweep")
    measure_raw = _table(raw, "measure")
    run_raw = _table(raw, "run")

    # ---- which key is which parameter
    fixed_keys = _canonical_keys(adapter, fixed_raw, "fixed")
    sweep_keys = _canonical_keys(adapter, sweep_raw, "sweep")
    sweep_names = {key: name for name, key in sweep_keys.items()}
    for name, key in sweep_keys.items():
        if name in fixed_keys:
            raise ParameterError(f"sweep.{key}", sweep_raw[key],
                                 f"either fixed or swept, not both (fixed.{fixed_keys[name]} "
                                 "is also given)")
        p = adapter.parameters[name]
        if not p.sweepable:
            raise ParameterError(f"sweep.{key}", sweep_raw[key], "a fixed parameter",
                                 f"{name} cannot be swept: {p.why_fixed}")

    # ---- fixed values, in declaration order (t_max before dt)
    fixed: dict[str, Any] = {}
    for name in adapter.parameters:
        if name in fixed_keys:
            key = fixed_keys[name]
            fixed[name] = _checked(adapter, name, fixed_raw[key], fixed, f"fixed.{key}")

    # ---- the grid's size, from the counts alone (before any value is generated)
    max_cells = _int_key("max_cells", max_cells, minimum=1)
    counts = [_count(entry) for entry in sweep_raw.values()]
    # entries not counted (malformed: refused below) hold at least one value each, so the
    # product of the others is a lower bound of the grid's size
    n_points = math.prod(c for c in counts if c is not None)
    _check_cells(n_points, trials, [c if c is not None else "?" for c in counts], measure_raw,
                 max_cells)

    # ---- swept values
    sweep: dict[str, tuple[Any, ...]] = {}
    for key in sweep_raw:  # spec order
        name = sweep_names[key]
        values = _values(f"sweep.{key}", sweep_raw[key])
        sweep[name] = tuple(_checked(adapter, name, v, fixed, f"sweep.{key}") for v in values)
        if len(set(sweep[name])) != len(sweep[name]):
            raise ParameterError(f"sweep.{key}", list(values), "distinct values")

    # ---- measures
    for key in measure_raw:
        if key not in ("quantities", "theory"):
            raise ParameterError(f"measure.{key}", measure_raw[key],
                                 "one of the keys ['quantities', 'theory']")
    sim_names = adapter.names("measured")
    theory_names = adapter.names("theory")
    quantities = _names("measure.quantities",
                        measure_raw.get("quantities",
                                        [] if "theory" in measure_raw
                                        else list(adapter.default_quantities)), sim_names,
                        theory_names, "theory")
    theory = _names("measure.theory", measure_raw.get("theory", []), theory_names, sim_names,
                    "quantities")
    if not quantities and not theory:
        raise ParameterError("measure.quantities", [], "at least one quantity",
                             f"measured: {sim_names}; theory: {theory_names}")

    # ---- run settings
    for key in run_raw:
        if key != "chunk_cells":
            raise ParameterError(f"run.{key}", run_raw[key], "one of the keys ['chunk_cells']")
    grid_points = math.prod(len(v) for v in sweep.values())
    n_cells = grid_points * trials
    _check_cells(grid_points, trials, [len(v) for v in sweep.values()], measure_raw, max_cells)
    default_chunk = max(1, min(DEFAULT_CHUNK_CELLS, math.ceil(n_cells / 64)))
    chunk_cells = _int_key("run.chunk_cells", run_raw.get("chunk_cells", default_chunk),
                           minimum=1)

    adapter.complete_fixed(fixed, sweep)
    if theory:
        adapter.check_theory(fixed, sweep)
    out = SweepSpec(model=adapter.name, fixed=fixed, sweep=sweep, quantities=quantities,
                    theory=theory, seed=seed, trials=trials, chunk_cells=chunk_cells,
                    source=source)
    chunk_given = "chunk_cells" in run_raw
    if not chunk_given:  # a default chunk holds at most MAX_CHUNK_BYTES where it can
        per_sim = estimate_work(out)["chunk_bytes"] / min(chunk_cells, out.n_cells)
        fit = max(1, int(MAX_CHUNK_BYTES // per_sim))
        if fit < chunk_cells:
            out = replace(out, chunk_cells=fit)
    _check_work(out, fixed_keys, sweep_keys, chunk_given, max_work)
    return out


def estimate_work(spec: SweepSpec) -> dict[str, Any]:
    """What a sweep will cost, estimated before it runs.

    Returns
    -------
    dict
        ``cells`` (simulations), ``steps_per_cell`` (time steps of one simulation, None
        for a model that does not simulate), ``units`` (state variables per simulation),
        ``work`` (unit updates: units x steps x cells, None likewise), ``store_bytes``
        (the stored values) and ``chunk_bytes`` (simulation state of one chunk).

    Examples
    --------
    >>> s = parse_spec('model = "ring"\\n[fixed]\\nn = 64\\nt_max = 10\\n[sweep]\\nj0 = [0.0, 0.5]')
    >>> w = estimate_work(s)
    >>> w["cells"], w["steps_per_cell"], w["work"]
    (2, 1000, 128000)
    """
    adapter = spec.adapter
    per_cell = adapter.work_per_cell(spec.fixed)
    variables = len(spec.quantities) * spec.trials + len(spec.theory)
    points = spec.n_cells // spec.trials
    chunk = min(spec.chunk_cells, spec.n_cells)
    if per_cell is None:
        units, steps = 2, None
    else:
        units, steps = per_cell
    return {
        "cells": spec.n_cells,
        "steps_per_cell": steps,
        "units": units,
        "work": None if steps is None else units * steps * spec.n_cells,
        "store_bytes": 8 * points * max(1, variables),
        "chunk_bytes": 4 * 8 * units * chunk,
    }


def _count(entry: Any) -> int | None:
    """Number of values of one ``[sweep]`` entry, or None where malformed (checked later)."""
    if isinstance(entry, list):
        return len(entry)
    if isinstance(entry, Mapping):
        if isinstance(entry.get("values"), list):
            return len(entry["values"])
        num = entry.get("num")
        if isinstance(num, int) and not isinstance(num, bool) and num >= 1:
            return num
    return None


def _size(n_bytes: float) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.3g} {unit}"
    return f"{n_bytes:.0f} B"


def _check_cells(points: int, trials: int, counts: list[Any], measure_raw: Mapping[str, Any],
                 max_cells: int) -> None:
    cells = points * trials
    if cells <= max_cells:
        return
    names: list[Any] = []
    for k in ("quantities", "theory"):
        listed = measure_raw.get(k)
        names += listed if isinstance(listed, list) else []
    store = 8 * cells * max(1, len(names) or 3)
    shape = " x ".join(str(c) for c in counts) or "1"
    raise ParameterError(
        "sweep", f"{cells:.3g} simulations", f"at most {max_cells} simulations",
        f"a {shape} grid x {trials} trial(s), a store of about {_size(store)}; split the "
        "sweep, or raise the cap with --max-cells (max_cells= in Python)")


def _blamed_key(spec: SweepSpec, fixed_keys: Mapping[str, str],
                sweep_keys: Mapping[str, str], names: Sequence[str]) -> tuple[str, Any]:
    """The first of ``names`` the spec itself sets (fixed, else swept): the key to name
    in an error, as the user wrote it, and its value."""
    for name in names:
        if name in fixed_keys:
            return f"fixed.{fixed_keys[name]}", spec.fixed[name]
        if name in sweep_keys:
            return f"sweep.{sweep_keys[name]}", list(spec.sweep[name])
    return "fixed", {k: spec.fixed[k] for k in names if k in spec.fixed}


def _check_work(spec: SweepSpec, fixed_keys: Mapping[str, str],
                sweep_keys: Mapping[str, str], chunk_given: bool, max_work: float) -> None:
    w = estimate_work(spec)
    steps = spec.adapter.steps_per_cell(spec.fixed)
    if steps is not None and not steps <= MAX_STEPS_PER_CELL:
        t_max, dt = spec.fixed["t_max"], spec.fixed["dt"]
        # dt, else t_max, else the time constants that set the default dt = min(tau) / 100
        taus = [name for name in spec.adapter.parameters if name.startswith("tau")]
        key, value = _blamed_key(spec, fixed_keys, sweep_keys, ["dt", "t_max", *taus])
        raise ParameterError(key, value,
                             f"such that t_max / dt <= {MAX_STEPS_PER_CELL:.0e} time steps",
                             f"t_max = {t_max:g} with dt = {dt:g} gives {t_max / dt:.3g} "
                             "steps per simulation")
    if w["chunk_bytes"] > MAX_CHUNK_BYTES and not chunk_given:
        # the default chunk is one simulation already: the network itself is too large
        key, value = _blamed_key(spec, fixed_keys, sweep_keys,
                                 [name for name in ("N", "n") if name in
                                  spec.adapter.parameters])
        raise ParameterError(
            key, value, f"small enough for one simulation to hold at most "
            f"{_size(MAX_CHUNK_BYTES)} of state",
            f"{spec.chunk_cells} simulation(s) of {w['units']} units take about "
            f"{_size(w['chunk_bytes'])}")
    if w["chunk_bytes"] > MAX_CHUNK_BYTES:
        raise ParameterError(
            "run.chunk_cells", spec.chunk_cells,
            f"small enough for a chunk to hold at most {_size(MAX_CHUNK_BYTES)} of state",
            f"{spec.chunk_cells} simulations of {w['units']} units take about "
            f"{_size(w['chunk_bytes'])}")
    try:
        max_work = float(max_work)
    except (TypeError, ValueError):
        raise ParameterError("max_work", max_work, "a number > 0") from None
    if not max_work > 0:
        raise ParameterError("max_work", max_work, "a number > 0")
    if w["work"] is not None and w["work"] > max_work:
        raise ParameterError(
            "sweep", f"{w['work']:.3g} unit updates", f"at most {max_work:.3g} unit updates",
            f"{w['cells']} simulations x {w['steps_per_cell']} steps x {w['units']} units; "
            "shorten t_max, coarsen the grid, or raise the cap with --max-work "
            "(max_work= in Python)")


# --------------------------------------------------------------------- helpers
def _table(raw: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise ParameterError(key, value, f"a table ([{key}])")
    return dict(value)


def _int_key(key: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ParameterError(key, value, f"an integer >= {minimum}")
    return int(value)


def _canonical_keys(adapter: SweepModel, table: Mapping[str, Any], where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in table:
        name = adapter.canonical(key)
        if name is None:
            known = ", ".join(k.lower() for k in adapter.parameters)
            raise ParameterError(f"{where}.{key}", table[key],
                                 f"a parameter of the {adapter.name} model ({known})")
        if name in out:
            raise ParameterError(f"{where}.{key}", table[key],
                                 f"given once (also given as {where}.{out[name]})")
        out[name] = key
    return out


def _checked(adapter: SweepModel, name: str, value: Any, fixed: Mapping[str, Any],
             key: str) -> Any:
    try:
        return adapter.check_value(name, value, fixed)
    except ParameterError as err:
        if err.name != name:  # a constraint on another parameter, e.g. dt <= t_max
            raise ParameterError(key, value, f"such that {err}") from None
        raise ParameterError(key, value, err.allowed, err.hint) from None


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ParameterError(key, value, "a finite number")
    return float(value)


def _values(key: str, entry: Any) -> list[Any]:
    """Values of one swept parameter: a list, ``{values = [...]}`` or a range table."""
    if isinstance(entry, list):
        values = entry
    elif isinstance(entry, Mapping):
        if "values" in entry:
            extra = [k for k in entry if k != "values"]
            if extra:
                raise ParameterError(f"{key}.{extra[0]}", entry[extra[0]],
                                     "absent when values = [...] is given")
            values = entry["values"]
            if not isinstance(values, list):
                raise ParameterError(f"{key}.values", values, "a list of values")
            key = f"{key}.values"
        else:
            for k in entry:
                if k not in _RANGE_KEYS:
                    raise ParameterError(f"{key}.{k}", entry[k],
                                         "a range key: start, stop, num (and optional scale), "
                                         "or values = [...]")
            for k in ("start", "stop", "num"):
                if k not in entry:
                    raise ParameterError(f"{key}.{k}", None,
                                         "given: a range needs start, stop and num")
            start = _number(f"{key}.start", entry["start"])
            stop = _number(f"{key}.stop", entry["stop"])
            num = _int_key(f"{key}.num", entry["num"], minimum=1)
            scale = entry.get("scale", "linear")
            if scale not in ("linear", "log"):
                raise ParameterError(f"{key}.scale", scale, "'linear' or 'log'")
            if num == 1 and start != stop:
                raise ParameterError(f"{key}.num", num,
                                     "an integer >= 2 (for one value write a list: [x])")
            if num > 1 and start == stop:
                raise ParameterError(f"{key}.stop", stop, f"different from start = {start:g}")
            if scale == "log":
                if start <= 0 or stop <= 0:
                    bad = "start" if start <= 0 else "stop"
                    raise ParameterError(f"{key}.{bad}", entry[bad], "> 0 with scale = 'log'")
                return [float(v) for v in np.geomspace(start, stop, num)]
            return [float(v) for v in np.linspace(start, stop, num)]
    else:
        raise ParameterError(key, entry,
                             "a list of values or a range {start = ..., stop = ..., num = ...}")
    if not values:
        raise ParameterError(key, values, "a non-empty list")
    return values


def _names(key: str, value: Any, allowed: list[str], other: list[str],
           other_key: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list):
        raise ParameterError(key, value, "a list of quantity names, e.g. [\"r0\", \"peak\"]")
    seen: list[str] = []
    for v in value:
        if v not in allowed:
            label = "a theory" if other_key == "theory" else "a measured"
            hint = (f"{v!r} is {label} quantity: list it in measure.{other_key}"
                    if v in other else "")
            raise ParameterError(key, v, f"one of {allowed}", hint)
        if v in seen:
            raise ParameterError(key, v, "each quantity listed once")
        seen.append(v)
    return tuple(seen)
