"""Two-parameter bifurcation diagrams: special-point curves over labelled regions.

:func:`classify_regions` decides, on a coarse grid of ``(P, Q)``, which attractors exist,
**from the continuation** (not from one simulation per cell): for each row ``Q`` it
continues the equilibria in ``P``
(:func:`ratenet.continuation.equilibria.continue_equilibria`), follows every branch of
cycles from their Hopf points and from simulation
(:func:`ratenet.continuation.cycles.all_cycle_branches`, stable and unstable) and takes
the intervals of ``P`` covered by stable cycles
(:func:`ratenet.continuation.cycles.stable_cycle_ranges`); a cell has a stable
equilibrium when :func:`ratenet.analysis.find_fixed_points` (exact for threshold-linear
transfer) finds one at its centre.  Each cell is then "stable equilibrium", "stable
cycle", "bistable" (both) or "no attractor found" (the rates diverge, or a continuum of
neutral orbits).  Rows left when the time cap is reached, and cells of a row where a cycle
found by simulation could not be continued and nothing else was found, are marked
unclassified (a cycle may be there).  :func:`plot_two_parameter` draws the cells (their
boundaries interpolated between the rows, so that they follow oblique curves rather than
stepping across them), the curves of
:func:`ratenet.continuation.two_parameter.continue_special_curves` on top (by kind), the
fold-of-cycles curves of :func:`ratenet.continuation.cycle_folds.continue_cycle_folds`
(the lower edge in ``P`` of the bistable strip whose other edge is the Hopf curve, in the
bistable E-I example), and a label inside each region.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import ParameterError, as_float, check_int
from ._style import math_symbol

__all__ = [
    "REGIONS",
    "REGION_COLORS",
    "RegionGrid",
    "classify_regions",
    "plot_two_parameter",
    "two_parameter_figure",
]

#: Region labels, in the order of their integer codes in :attr:`RegionGrid.codes`.
REGIONS = ("no attractor found", "stable equilibrium", "stable cycle", "bistable")
#: Fill colour of each region (light, so that the curves stay readable on top).
REGION_COLORS = {"no attractor found": "#f0f0f0", "stable equilibrium": "#c7e9c0",
                 "stable cycle": "#c6dbef", "bistable": "#fdd0a2"}
#: Line colour and style of each kind of special-point curve (the fold of cycles dash-
#: dotted, so that it stays apart from the Hopf curve where the two run side by side).
CURVE_STYLES = {"hopf": ("#ff7f0e", "-"), "non-smooth Hopf (linear centre)": ("#ff7f0e", "-"),
                "fold": ("#17becf", "-"), "border collision": ("#636363", "--"),
                "fold of cycles": ("#2ca02c", "-.")}


@dataclass(frozen=True, eq=False)
class RegionGrid:
    """Attractors on a grid of two parameters.

    Attributes
    ----------
    param, param2 : str
        Names of ``P`` (columns) and ``Q`` (rows).
    P, Q : ndarray
        Cell centres, shapes ``(num,)`` and ``(rows,)``.
    codes : ndarray of int, shape (rows, num)
        Index into :data:`REGIONS`; -1 where the row was not classified (time cap).
    cycle_folds : ndarray, shape (K, 2)
        ``(P, Q)`` of every fold of cycles found along the rows (located to ~1e-10 in
        ``P`` by the one-parameter continuation; the rows sample ``Q``).
    notes : list of str
        Rows that failed or were skipped, and why.
    """

    param: str
    param2: str
    P: np.ndarray
    Q: np.ndarray
    codes: np.ndarray
    notes: list[str] = field(default_factory=list)
    cycle_folds: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))

    def label(self, i: int, j: int) -> str:
        """Region of cell (row ``i``, column ``j``), or ``"unclassified"``."""
        c = int(self.codes[i, j])
        return REGIONS[c] if c >= 0 else "unclassified"

    def to_dict(self) -> dict[str, Any]:
        return {"param": self.param, "param2": self.param2, self.param: self.P.tolist(),
                self.param2: self.Q.tolist(), "regions": list(REGIONS),
                "codes": self.codes.tolist(), "notes": list(self.notes),
                "cycle_folds": self.cycle_folds.tolist()}


def classify_regions(model: Any, param: str, start: float, stop: float, param2: str,
                     start2: float, stop2: float, *, num: int = 41, rows: int = 7,
                     time_limit: float = 30.0) -> RegionGrid:
    """Classify a grid of ``(P, Q)`` by the attractors the continuation finds.

    Parameters
    ----------
    model : model with ``replace()`` (e.g. EIModel)
    param, param2 : str
        Names of ``P`` and ``Q``.
    start, stop, start2, stop2 : float
        The box (each pair distinct).
    num : int, default 41
        Values of ``P`` per row (a stable-equilibrium test each).
    rows : int, default 7
        Values of ``Q`` (a one-parameter continuation of equilibria and cycles each).
    time_limit : float, default 30
        Seconds for the whole grid; rows not reached are left unclassified (code -1).

    Returns
    -------
    RegionGrid

    Examples
    --------
    One row, ``M_EE = 1.25`` (the middle of the box), ``tau_I = 50, 54, 58, 62, 66`` ms:
    the fold of cycles is at 57.16 ms, the Hopf point at 60 ms.

    >>> from ratenet.continuation.cycles import bistable_example
    >>> g = classify_regions(bistable_example(), "tau_I", 50.0, 66.0, "M_EE", 1.2, 1.3,
    ...                      num=5, rows=1)
    >>> [g.label(0, j) for j in range(5)]
    ['stable equilibrium', 'stable equilibrium', 'bistable', 'stable cycle', 'stable cycle']
    """
    from ..analysis import find_fixed_points
    from ..continuation._models import check_range
    from ..continuation.cycles import all_cycle_branches, stable_cycle_ranges
    from ..continuation.equilibria import continue_equilibria

    a, b = check_range(start, stop)
    a2, b2 = check_range(start2, stop2, names=("start2", "stop2"))
    num = check_int("num", num, minimum=2, maximum=1000)
    rows = check_int("rows", rows, minimum=1, maximum=200)
    time_limit = as_float("time_limit", time_limit)
    if not time_limit > 0:
        raise ParameterError("time_limit", time_limit, "a number of seconds > 0")
    if not hasattr(model, "replace"):
        raise ParameterError("model", type(model).__name__, "a model with replace()")
    P = np.linspace(min(a, b), max(a, b), num)
    Q = np.linspace(min(a2, b2), max(a2, b2), rows) if rows > 1 else np.array([0.5 * (a2 + b2)])
    codes = np.full((rows, num), -1, dtype=int)
    notes: list[str] = []
    folds: list[tuple[float, float]] = []
    t_end = time.monotonic() + time_limit
    for i, q in enumerate(Q):
        left = t_end - time.monotonic()
        if left <= 0:
            notes.append(f"time limit ({time_limit:g} s) reached: rows {param2} >= {q:.6g} "
                         "unclassified")
            break
        m = model.replace(**{param2: float(q)})
        try:
            eq = continue_equilibria(m, param, P[0], P[-1], time_limit=max(0.2 * left, 0.1))
            hopf = [pt.value for pt in eq.points if "opf" in pt.kind]
            branches, row_notes = all_cycle_branches(m, param, P[0], P[-1], hopf=hopf,
                                                     probes=2, time_limit=max(0.8 * left, 0.1))
        except ParameterError as exc:
            notes.append(f"{param2} = {q:.6g}: {exc}")
            continue
        except Exception as exc:  # a failed row must not lose the others
            notes.append(f"{param2} = {q:.6g}: continuation failed ({exc})")
            continue
        notes.extend(f"{param2} = {q:.6g}: {n}" for n in row_notes)
        failed = any("could not be continued" in n for n in row_notes)
        ranges = stable_cycle_ranges(branches)
        folds.extend((f.value, float(q)) for br in branches for f in br.folds)
        for j, p in enumerate(P):
            try:
                fps = find_fixed_points(m.replace(**{param: float(p)}))
            except ParameterError:
                continue
            eq_ok = any(fp.stable for fp in fps)
            cyc_ok = any(r0 <= p <= r1 for r0, r1 in ranges)
            code = (1 if eq_ok else 0) + (2 if cyc_ok else 0)
            # a cycle simulation found on this row but the continuation could not follow
            # may cover a cell where nothing else was found: leave such cells unclassified
            codes[i, j] = -1 if (code == 0 and failed) else code
    return RegionGrid(param=param, param2=param2, P=P, Q=Q, codes=codes, notes=notes,
                      cycle_folds=np.array(folds, dtype=float).reshape(-1, 2))


def _label(name: str) -> str:
    p = name.lower()
    unit = " (ms)" if p.startswith("tau") else " (Hz)" if p.startswith("gamma") else ""
    return math_symbol(name) + unit


def _edges(c: np.ndarray, lo: float, hi: float) -> np.ndarray:
    if c.size == 1:
        return np.array([lo, hi])
    mid = 0.5 * (c[1:] + c[:-1])
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


def _fold_curves(fold_of_cycles: Any, param: str, param2: str) -> list[np.ndarray]:
    """The fold-of-cycles curves as ``(K, 2)`` arrays of ``(P, Q)``; bad input refused."""
    if fold_of_cycles is None:
        return []
    items = [fold_of_cycles] if isinstance(fold_of_cycles, dict) else list(fold_of_cycles)
    out = []
    for c in items:
        if not (isinstance(c, dict) and param in c and param2 in c):
            keys = sorted(c) if isinstance(c, dict) else type(c).__name__
            raise ParameterError("fold_of_cycles", keys, f"dicts with keys {param!r} and "
                                 f"{param2!r} (from continue_cycle_folds)")
        P, Q = np.asarray(c[param], dtype=float), np.asarray(c[param2], dtype=float)
        if P.shape != Q.shape or P.ndim != 1:
            raise ParameterError("fold_of_cycles", (P.shape, Q.shape),
                                 f"equal-length lists of {param} and {param2}")
        out.append(np.column_stack([P, Q]))
    return out


def plot_two_parameter(curves: Any = None, regions: RegionGrid | None = None, *, ax=None,
                       legend: bool = True, fold_of_cycles: Any = None):
    """Special-point curves in ``(P, Q)`` over the regions of :func:`classify_regions`.

    Parameters
    ----------
    curves : TwoParameterCurves, optional
        From :func:`ratenet.continuation.two_parameter.continue_special_curves`.
    regions : RegionGrid, optional
    ax : matplotlib Axes, optional
    legend : bool, default True
    fold_of_cycles : dict or list of dict, optional
        Fold-of-cycles curves from
        :func:`ratenet.continuation.cycle_folds.continue_cycle_folds` (keys named by the
        two parameters), drawn dash-dotted ("fold of cycles" in the legend); the folds
        the rows of ``regions`` found are then drawn as markers only, on the curve.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from ratenet import EIModel
    >>> from ratenet.continuation.two_parameter import continue_special_curves
    >>> c = continue_special_curves(EIModel(), "M_EE", 1.05, 1.95, "tau_I", 12.0, 150.0,
    ...                             kinds=("hopf",))
    >>> ax = plot_two_parameter(c)
    >>> ax.get_ylabel()
    '$\\\\tau_I$ (ms)'
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7.5, 5.2))
    if curves is None and regions is None:
        raise ParameterError("curves", None, "curves, regions or both")
    param = curves.param if curves is not None else regions.param  # type: ignore[union-attr]
    param2 = curves.param2 if curves is not None else regions.param2  # type: ignore[union-attr]
    folds = _fold_curves(fold_of_cycles, param, param2)
    handles: list[Any] = []
    if regions is not None:
        cols = ["#ffffff"] + [REGION_COLORS[r] for r in REGIONS]
        cmap = ListedColormap(cols)
        lo_p, hi_p = float(regions.P[0]), float(regions.P[-1])
        if curves is not None:
            lo_p, hi_p = min(curves.box[:2]), max(curves.box[:2])
        lo_q, hi_q = (min(curves.box[2:]), max(curves.box[2:])) if curves is not None else (
            float(regions.Q[0]), float(regions.Q[-1]))
        xe, ye = _edges(regions.P, lo_p, hi_p), _edges(regions.Q, lo_q, hi_q)
        xe_fine, ye_fine, codes_fine = _between_rows(regions.codes, xe, ye)
        ax.pcolormesh(xe_fine, ye_fine, codes_fine + 1, cmap=cmap, vmin=-0.5,
                      vmax=len(cols) - 0.5, shading="flat", zorder=0)
        present = [r for k, r in enumerate(REGIONS) if np.any(regions.codes == k)]
        _region_labels(ax, regions)
        handles += [Patch(facecolor=REGION_COLORS[r], edgecolor="#999999", label=r)
                    for r in present]
        if np.any(regions.codes < 0):
            handles.append(Patch(facecolor="#ffffff", edgecolor="#999999",
                                 label="unclassified (time cap, or a cycle not continued)"))
        ax.set_xlim(xe[0], xe[-1])
        ax.set_ylim(ye[0], ye[-1])
    color, ls = CURVE_STYLES["fold of cycles"]
    for f in folds:
        ax.plot(f[:, 0], f[:, 1], color=color, ls=ls, lw=2.0, zorder=3,
                label="_fold of cycles")
    if folds:
        handles.append(Line2D([], [], color=color, ls=ls, lw=2.0, label="fold of cycles"))
    if regions is not None and regions.cycle_folds.size:
        f = regions.cycle_folds[np.argsort(regions.cycle_folds[:, 1])]
        # joined by a line only when no continued curve is drawn
        row_ls = "none" if folds else "-"
        ax.plot(f[:, 0], f[:, 1], marker="o", ls=row_ls, color=color, lw=1.5, ms=5,
                mfc="white" if folds else color, zorder=4)
        handles.append(Line2D([], [], color=color, ls=row_ls, marker="o", ms=5,
                              mfc="white" if folds else color,
                              label="fold of cycles (on the rows)"))
    seen: set[str] = set()
    if curves is not None:
        for c in curves.curves:
            color, ls = CURVE_STYLES.get(c.kind, ("#000000", ":"))
            ax.plot(c.P, c.Q, color=color, ls=ls, lw=2.0, zorder=3)
            label = c.kind if c.unit is None else f"{c.kind} ({c.unit})"
            if label not in seen:
                seen.add(label)
                handles.append(Line2D([], [], color=color, ls=ls, lw=2.0, label=label))
            for pt in c.points:
                ax.plot(pt[param], pt[param2], "D", color="black", ms=6, zorder=4)
        if regions is None:
            ax.set_xlim(min(curves.box[:2]), max(curves.box[:2]))
            ax.set_ylim(min(curves.box[2:]), max(curves.box[2:]))
    ax.set_xlabel(_label(param))
    ax.set_ylabel(_label(param2))
    if legend and handles:
        ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  framealpha=0.9, borderaxespad=0.0)
    return ax


#: Bands drawn per cell, each way, for the regions (their boundaries interpolated); fewer
#: per column on a grid of more than _FINE / _SUB columns.
_SUB = 8
_FINE = 800


def _runs(row: np.ndarray) -> list[tuple[int, float, float]]:
    """A row of codes as runs ``(code, start, end)`` in cell units (cell ``j`` spans
    ``[j - 1/2, j + 1/2]``), tiling ``[-1/2, num - 1/2]``."""
    cuts = np.flatnonzero(np.diff(row)) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [row.size]])
    return [(int(row[i]), i - 0.5, j - 0.5) for i, j in zip(starts, ends)]


def _matched(a: list[int], b: list[int]) -> list[tuple[int, int]]:
    """Index pairs of a longest common subsequence of the label sequences ``a``, ``b``."""
    L = np.zeros((len(a) + 1, len(b) + 1), dtype=int)
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            L[i, j] = L[i + 1, j + 1] + 1 if a[i] == b[j] else max(L[i + 1, j], L[i, j + 1])
    pairs, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif L[i + 1, j] >= L[i, j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _morph(ra: list[tuple[int, float, float]], rb: list[tuple[int, float, float]]
           ) -> list[tuple[int, float, float, float, float]]:
    """Runs of two neighbouring rows paired for interpolation: ``(code, start_a, end_a,
    start_b, end_b)``.  Runs of the same region in the same order (a longest common
    subsequence) are paired; a run with no partner has zero width in the other row, at
    the middle of the gap between the partners of its paired neighbours there (a region
    that ends between the rows shrinks to a point)."""
    pairs = _matched([r[0] for r in ra], [r[0] for r in rb])
    out = [(ra[i][0], ra[i][1], ra[i][2], rb[j][1], rb[j][2]) for i, j in pairs]
    bounds = [(-1, -1)] + pairs + [(len(ra), len(rb))]
    for (i0, j0), (i1, j1) in itertools.pairwise(bounds):
        # the gap between paired runs: a's runs i0+1..i1-1 and b's runs j0+1..j1-1
        a_lo = ra[i0][2] if i0 >= 0 else ra[0][1]
        a_hi = ra[i1][1] if i1 < len(ra) else ra[-1][2]
        b_lo = rb[j0][2] if j0 >= 0 else rb[0][1]
        b_hi = rb[j1][1] if j1 < len(rb) else rb[-1][2]
        a_mid, b_mid = 0.5 * (a_lo + a_hi), 0.5 * (b_lo + b_hi)
        out += [(ra[i][0], ra[i][1], ra[i][2], b_mid, b_mid) for i in range(i0 + 1, i1)]
        out += [(rb[j][0], a_mid, a_mid, rb[j][1], rb[j][2]) for j in range(j0 + 1, j1)]
    return out


def _between_rows(codes: np.ndarray, xe: np.ndarray, ye: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes on a finer grid, for drawing: the region boundaries interpolated between
    the rows, so that a boundary crossing the rows obliquely (along a fold-of-cycles or
    Hopf curve) is drawn as a slanted line, not as a staircase of row-high steps.

    Each row is cut into runs of one region; the runs of two neighbouring rows are
    paired (the same regions in the same order; a region missing from one row has zero
    width there, see :func:`_morph`) and the ends of each pair are interpolated
    linearly between the rows (held constant beyond the first and the last row).  So a
    narrow strip that moves along the rows from one row to the next (the bistable strip
    between a fold of cycles and a Hopf curve) is drawn as a slanted strip between its
    cells in the two rows, where interpolating each region's distance along a row
    would lose it between the rows.  At the rows' own cell centres the codes are those
    computed.  Returns the finer column and row edges and the codes, shape
    ``(len(row edges) - 1, len(column edges) - 1)``.
    """
    rows, num = codes.shape
    # fine cell centres, in units of cells (cell j spans [j - 1/2, j + 1/2])
    sx = max(1, min(_SUB, _FINE // num))
    fx = (np.arange(num * sx) + 0.5) / sx - 0.5
    fy = (np.arange(rows * _SUB) + 0.5) / _SUB - 0.5
    out = np.empty((fy.size, fx.size), dtype=codes.dtype)
    runs = [_runs(codes[i]) for i in range(rows)]
    morphs = [_morph(runs[i], runs[i + 1]) for i in range(rows - 1)]
    for k, y in enumerate(fy):
        i = int(np.clip(np.floor(y), 0, max(rows - 2, 0)))
        s = float(np.clip(y - i, 0.0, 1.0))
        if rows == 1:
            pieces = [(c, a0, a1) for c, a0, a1 in runs[0]]
        else:
            pieces = [(c, (1 - s) * a0 + s * b0, (1 - s) * a1 + s * b1)
                      for c, a0, a1, b0, b1 in morphs[i]]
        line = codes[min(i + (s > 0.5), rows - 1), np.clip(np.round(fx), 0, num - 1).astype(int)]
        for c, lo, hi in pieces:
            line = np.where((fx >= lo) & (fx < hi), c, line)
        out[k] = line

    def refine(edges: np.ndarray, sub: int) -> np.ndarray:
        inner = edges[:-1, None] + np.diff(edges)[:, None] * np.arange(sub) / sub
        return np.append(inner.ravel(), edges[-1])

    return refine(xe, sx), refine(ye, _SUB), out


def _region_labels(ax, regions: RegionGrid) -> None:
    """Write each region's name in it: at the cell nearest the region's centroid among
    those at least 0.6 times as far from the other regions as the farthest (so that a
    narrow strip, e.g. the bistable one between a fold of cycles and a Hopf curve, is
    labelled half-way along, not at the box's edge where it happens to be widest)."""
    from scipy.ndimage import distance_transform_edt

    for k, name in enumerate(REGIONS):
        mask = regions.codes == k
        if mask.sum() < 2:
            continue
        # distances in fractions of each axis, so that a wide grid is not favoured
        rows, cols = mask.shape
        d = distance_transform_edt(np.pad(mask, 1, constant_values=False),
                                   sampling=(1.0 / rows, 1.0 / cols))[1:-1, 1:-1]
        ii, jj = np.nonzero(d >= 0.6 * float(np.max(d)))
        ci, cj = (float(np.mean(a)) for a in np.nonzero(mask))
        best = int(np.argmin(((ii - ci) / rows) ** 2 + ((jj - cj) / cols) ** 2))
        i, j = int(ii[best]), int(jj[best])
        ha = "left" if j < 0.2 * cols else "right" if j > 0.8 * cols else "center"
        ax.text(regions.P[j], regions.Q[i], name, ha=ha, va="center", fontsize=8,
                zorder=5, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none",
                                    alpha=0.75))


def two_parameter_figure(curves: Any = None, regions: RegionGrid | None = None, *,
                         title: str | None = None, fold_of_cycles: Any = None):
    """One panel: :func:`plot_two_parameter`, legend outside on the right.

    Examples
    --------
    >>> from ratenet import EIModel
    >>> from ratenet.continuation.two_parameter import continue_special_curves
    >>> fig = two_parameter_figure(continue_special_curves(
    ...     EIModel(), "M_EE", 1.05, 1.95, "tau_I", 12.0, 150.0, kinds=("hopf",)))
    >>> len(fig.axes)
    1
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.8, 5.2))
    plot_two_parameter(curves, regions, ax=ax, fold_of_cycles=fold_of_cycles)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
