"""Maps of a stored sweep quantity: a curve over one swept parameter, a map over two."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._validation import ParameterError
from ..plotting._style import REGIME_COLORS as _REGIME_COLORS  # the phase diagram's colours
from ..plotting._style import math_symbol

__all__ = ["plot_quantity"]


def _label(ds: Any, name: str) -> str:
    units = ds[name].attrs.get("units", "")
    return f"{math_symbol(name)} ({units})" if units else math_symbol(name)


def _fixed_summary(ds: Any, shown: set[str]) -> str:
    try:
        spec = json.loads(ds.attrs["sweep_spec"])
    except (KeyError, ValueError):
        return ""
    parts = []
    for k, v in spec.get("fixed", {}).items():
        if k in shown or k == "method" or (v in (0.0, "inf") and k in (
                "theta0", "omega", "t_on", "t_off", "sigma", "sigma_ou")):
            continue
        if k in ("tau", "tau_ou") and v == 1.0:
            continue
        parts.append(f"{math_symbol(k)} = {v:g}" if isinstance(v, (int, float))
                     else f"{math_symbol(k)} = {v}")
    return ", ".join(parts)


def plot_quantity(store: Any, quantity: str, *, ax: Any = None,
                  sel: Mapping[str, float] | None = None, trial: int | None = None,
                  log: bool = False, hide_diverged: bool = True) -> Any:
    """Draw a stored quantity against the swept parameters.

    Parameters
    ----------
    store : path of a sweep's Zarr store, or the :class:`xarray.Dataset` read from it
    quantity : str
        A variable of the store (``"peak"``, ``"regime"``, ``"theory_r0"``...).
    ax : matplotlib Axes, optional
    sel : mapping parameter -> value, optional
        Fix swept parameters (nearest stored value) until one or two remain.
    trial : int, optional
        With several trials per cell: show this trial.  Default: the mean over trials for
        numbers (the fraction for true/false), trial 0 for categories.
    log : bool, default False
        Logarithmic colour scale (map) or y axis (curve).
    hide_diverged : bool, default True
        Leave blank the simulations that diverged (when the store has ``diverged``): their
        measured values are those of the last finite state, up to the divergence bound.

    Returns
    -------
    matplotlib Axes
        A curve for one remaining parameter; a map (first parameter on x, second on y) for
        two.  Categorical quantities (``regime``) get one colour per category and a legend.
    """
    import matplotlib.pyplot as plt

    if isinstance(store, (str, os.PathLike)):
        from .store import open_sweep

        ds = open_sweep(store)
    else:
        ds = store
    if quantity not in ds.data_vars:
        raise ParameterError("quantity", quantity, f"one of {sorted(ds.data_vars)}")
    da = ds[quantity]
    meanings = da.attrs.get("flag_meanings")
    categories = meanings.split() if meanings else None
    notes = []
    if (hide_diverged and categories is None and quantity != "diverged"
            and da.attrs.get("kind") == "measured" and "diverged" in ds.data_vars):
        bad = ds["diverged"].astype(bool)
        if bool(bad.any()):
            da = da.astype(float).where(~bad)
            notes.append("diverged: blank")
    for k, v in (sel or {}).items():
        if k not in da.dims or k == "trial":
            raise ParameterError("sel", k, f"a swept parameter of the store {list(da.dims)}")
        da = da.sel({k: v}, method="nearest")
        notes.append(f"{math_symbol(k)} = {float(da[k]):.4g}")
    if "trial" in da.dims:
        n_trials = da.sizes["trial"]
        if trial is not None:
            if not 0 <= trial < n_trials:
                raise ParameterError("trial", trial, f"an integer in [0, {n_trials - 1}]")
            da = da.isel(trial=trial)
            notes.append(f"trial {trial}")
        elif categories is not None:
            da = da.isel(trial=0)
            notes.append(f"trial 0 of {n_trials}")
        else:
            da = da.astype(float).mean("trial")
            notes.append(f"mean over {n_trials} trials")
    elif trial is not None:
        raise ParameterError("trial", trial, "None (the store has one trial per cell)")
    dims = list(da.dims)
    if len(dims) not in (1, 2):
        raise ParameterError("sel", dict(sel or {}),
                             f"values for all but one or two of the swept parameters {dims}")
    values = np.asarray(da.values)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.8) if len(dims) == 2 else (6.4, 4.0))
    label = _label(ds, quantity)

    if categories is not None:
        codes = values.astype(int)
        present = [i for i in range(len(categories)) if np.any(codes == i)]
        colors = [_REGIME_COLORS.get(c, plt.get_cmap("tab10")(i % 10))
                  for i, c in enumerate(categories)]
    if len(dims) == 1:
        x = np.asarray(da[dims[0]].values, dtype=float)
        if categories is not None:
            ax.plot(x, codes, color="0.6", lw=0.8, zorder=1)
            for i in present:
                on = codes == i
                ax.scatter(x[on], codes[on], color=colors[i], s=18, zorder=2,
                           label=categories[i])
            ax.set_yticks(range(len(categories)), categories)
            ax.set_ylim(-0.5, len(categories) - 0.5)
        else:
            ax.plot(x, values.astype(float), marker="o" if x.size <= 40 else None, ms=3)
            ax.set_ylabel(label)
            if log:
                ax.set_yscale("log")
        ax.set_xlabel(_label(ds, dims[0]))
    else:
        xd, yd = dims
        x = np.asarray(da[xd].values, dtype=float)
        y = np.asarray(da[yd].values, dtype=float)
        Z = values.T  # rows: y (second parameter), columns: x (first)
        if categories is not None:
            from matplotlib.colors import BoundaryNorm, ListedColormap
            from matplotlib.patches import Patch

            cmap = ListedColormap(colors)
            norm = BoundaryNorm(np.arange(len(categories) + 1) - 0.5, len(categories))
            Zm = np.ma.masked_less(Z.astype(int), 0)
            ax.pcolormesh(x, y, Zm, cmap=cmap, norm=norm, shading="nearest")
            ax.legend(handles=[Patch(color=colors[i], label=categories[i]) for i in present],
                      loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
                      title=quantity)
        else:
            from matplotlib.colors import LogNorm

            Zf = np.ma.masked_invalid(Z.astype(float))
            if log:
                Zf = np.ma.masked_less_equal(Zf, 0.0)
            mesh = ax.pcolormesh(x, y, Zf, cmap="viridis", shading="nearest",
                                 norm=LogNorm() if log else None)
            ax.figure.colorbar(mesh, ax=ax, label=label)
        ax.set_xlabel(_label(ds, xd))
        ax.set_ylabel(_label(ds, yd))
    fixed = _fixed_summary(ds, set(dims))
    title = math_symbol(quantity) + (f" ({', '.join(notes)})" if notes else "")
    ax.set_title(title + (f"\n{fixed}" if fixed else ""), fontsize=10)
    return ax
