"""Building blocks of the tutorial report: checks, figures, sections, tolerances.

A *check* puts a value the library computes from theory next to the same
quantity measured in a simulation, with a tolerance derived from the numerics
(time step, number of units, order of the method), never tuned to pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "EPS",
    "Check",
    "Figure",
    "Section",
    "TutorialReport",
    "Workspace",
    "compare",
    "euler_mode_error",
    "holds",
    "legend_below",
    "not_available",
    "rk4_mode_error",
    "sum_rounding",
]

#: Unit roundoff of float64.
EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class Check:
    """One comparison of an analytic value with a simulated one.

    Attributes
    ----------
    id : str
        ``"Q9a"``-style identifier; several checks may share a question.
    title : str
        What is being checked, in a few words.
    quantity : str
        The quantity compared, with its unit.
    analytic, numeric : float, bool or None
        The library's closed-form (or exactly computed) value and the value measured in a
        simulation. ``None`` when the piece of the library needed is not available.
    tolerance : float
        Largest accepted ``|analytic - numeric|`` (0 for yes/no checks).
    passed : bool
    basis : str
        Where the tolerance comes from (shown in the report).
    """

    id: str
    title: str
    quantity: str
    analytic: float | bool | None
    numeric: float | bool | None
    tolerance: float
    passed: bool
    basis: str = ""

    def to_json(self) -> dict[str, Any]:
        """The object written to ``results.json``."""
        def clean(v: Any) -> Any:
            if v is None or isinstance(v, bool):
                return v
            f = float(v)
            return f if math.isfinite(f) else None

        return {"id": self.id, "title": self.title, "quantity": self.quantity,
                "analytic": clean(self.analytic), "numeric": clean(self.numeric),
                "tolerance": float(self.tolerance), "passed": bool(self.passed)}


def compare(id: str, title: str, quantity: str, analytic: float, numeric: float,
            tolerance: float, basis: str) -> Check:
    """A numeric check: passes when ``|analytic - numeric| <= tolerance`` (both finite)."""
    a, n, tol = float(analytic), float(numeric), float(tolerance)
    ok = math.isfinite(a) and math.isfinite(n) and math.isfinite(tol) and abs(a - n) <= tol
    return Check(id, title, quantity, a, n, tol, bool(ok), basis)


def holds(id: str, title: str, quantity: str, expected: bool, observed: bool,
          basis: str = "exact: a yes/no outcome") -> Check:
    """A yes/no check: passes when the observation matches the prediction."""
    return Check(id, title, quantity, bool(expected), bool(observed), 0.0,
                 bool(expected) == bool(observed), basis)


def not_available(id: str, title: str, quantity: str, what: str) -> Check:
    """A failing placeholder for a check whose library piece is missing."""
    return Check(id, title, quantity, None, None, 0.0, False,
                 f"not available: {what} is missing from the library")


# --------------------------------------------------------------------- tolerances
def sum_rounding(scale: float, n_terms: int) -> float:
    """Bound on the rounding error of a float64 sum of ``n_terms`` terms of size ``scale``.

    The recursive-summation bound ``gamma_n = n u / (1 - n u)`` with ``u`` the unit roundoff,
    doubled to cover the few operations around the sum.
    """
    nu = n_terms * EPS / 2
    return 2.0 * scale * nu / (1.0 - nu)


def euler_mode_error(lam: float | complex, t: np.ndarray | float, dt: float,
                     amplitude: float) -> float:
    """Bound on ``max_t |x0 (1 + lam dt)^(t/dt) - x0 exp(lam t)|`` for forward Euler.

    Forward Euler multiplies a linear mode by ``1 + lam dt`` per step, i.e. by
    ``exp(lam t + z)`` after time ``t`` with ``z = -lam^2 t dt / 2 + O(lam^3 t dt^2)``, so the
    error is ``|x0| |exp(lam t)| |exp(z) - 1| <= |x0| |exp(lam t)| w exp(w)`` with
    ``w = |lam|^2 t dt / 2 (1 + |lam| dt)`` bounding ``|z|`` (the factor ``1 + |lam| dt``
    covers the higher terms of the series; ``exp(w)`` covers ``Re z > 0``, which happens for
    oscillating modes).
    """
    t = np.atleast_1d(np.asarray(t, dtype=float))
    lam = complex(lam)
    w = abs(lam) ** 2 * t * dt / 2.0 * (1.0 + abs(lam) * dt)
    return float(abs(amplitude) * np.max(np.exp(lam.real * t) * w * np.exp(w)))


def rk4_mode_error(lam: float | complex, t: np.ndarray | float, dt: float,
                   amplitude: float) -> float:
    """Same bound for classical Runge-Kutta (order 4).

    ``w = |lam|^5 t dt^4 / 120 (1 + |lam| dt)`` replaces the Euler ``w``.
    """
    t = np.atleast_1d(np.asarray(t, dtype=float))
    lam = complex(lam)
    w = abs(lam) ** 5 * t * dt**4 / 120.0 * (1.0 + abs(lam) * dt)
    return float(abs(amplitude) * np.max(np.exp(lam.real * t) * w * np.exp(w)))


# ----------------------------------------------------------------------- sections
@dataclass(frozen=True)
class Figure:
    """A figure file in ``DIR/figures`` and its caption."""

    filename: str
    caption: str


@dataclass
class Section:
    """One part of the report: a tutorial question, a topic beyond it, or a correction.

    Attributes
    ----------
    id : str
        ``"Q1"`` ... ``"Q15"``, ``"B1"`` ..., ``"E1"`` ...
    title : str
    question : str
        The question in the project's own words (HTML); empty for non-question sections.
    answer : str
        The answer and its derivation (HTML, math in Unicode).
    checks : list of Check
    figures : list of Figure
    """

    id: str
    title: str
    question: str
    answer: str
    checks: list[Check] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    group: str = "question"

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


@dataclass(frozen=True)
class TutorialReport:
    """What :func:`ratenet.tutorial.build_tutorial` produced.

    Attributes
    ----------
    sections : list of Section
    checks : list of Check
        Every check, in report order.
    out : Path
        The output directory (``report.html``, ``results.json``, ``figures/``).
    seconds : float
        Wall time of the build.
    """

    sections: list[Section]
    checks: list[Check]
    out: Path
    seconds: float

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(c.passed for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


class Workspace:
    """Where figures go, plus a cache of simulations shared between sections."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.fig_dir = self.out / "figures"
        self.fig_dir.mkdir(parents=True, exist_ok=True)
        self._cache: dict[str, Any] = {}

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        """Compute once, reuse in every section that needs it."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def save(self, fig: Any, name: str, caption: str) -> Figure:
        """Write a matplotlib figure to ``figures/NAME.png`` and close it."""
        import matplotlib.pyplot as plt

        path = self.fig_dir / f"{name}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        return Figure(f"figures/{name}.png", caption)


def legend_below(ax: Any, *, ncol: int = 2, handles: Sequence[Any] | None = None) -> None:
    """Put the legend of ``ax`` (or one of ``handles``) under the axes, where it hides nothing.

    The figure needs ``layout="constrained"`` (or ``bbox_inches="tight"`` on saving, as
    :meth:`Workspace.save` does) for the legend to stay inside the image.
    """
    if handles is None:
        handles = ax.get_legend_handles_labels()[0]
    ax.legend(handles=list(handles), loc="upper center", bbox_to_anchor=(0.5, -0.13),
              ncol=ncol, fontsize=8, frameon=False)


def fmt(x: Any, digits: int = 6) -> str:
    """A number for the report: ``g`` format, complex as ``a + b i``, None as a dash."""
    if x is None:
        return "—"
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, complex):
        sign = "+" if x.imag >= 0 else "−"
        return f"{x.real:.{digits}g} {sign} {abs(x.imag):.{digits}g} i"
    if isinstance(x, Sequence) and not isinstance(x, str):
        return ", ".join(fmt(v, digits) for v in x)
    f = float(x)
    if not math.isfinite(f):
        return str(f)
    return f"{f:.{digits}g}".replace("-", "−")
