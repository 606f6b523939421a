"""One palette and one way of writing numbers for every figure: the matplotlib plots, the
browser explorer (Bokeh) and the notebooks all take their colours from here.

Nothing here imports matplotlib, so the explorer can use it without it.

* Populations: **E red, I blue** (``E_COLOR``, ``I_COLOR``; ``POPULATION_COLORS`` by name).
* Ring regimes: ``REGIME_COLORS``, keyed by :data:`ratenet.theory.ring.REGIMES`.
* Simulation against theory: ``SIMULATION_COLOR`` (data) and ``THEORY_COLOR`` (a closed form).

Examples
--------
>>> from ratenet.plotting import E_COLOR, I_COLOR, format_percent
>>> E_COLOR, I_COLOR
('#d62728', '#1f77b4')
>>> format_percent(4094, 4096), format_percent(4096, 4096), format_percent(1, 10**6)
('99.95%', '100%', '0.0001%')
"""

from __future__ import annotations

import math
import re

__all__ = [
    "EXTRA_COLORS",
    "E_COLOR",
    "I_COLOR",
    "POPULATION_COLORS",
    "REGIME_COLORS",
    "SIMULATION_COLOR",
    "THEORY_COLOR",
    "clean_number",
    "format_percent",
    "math_symbol",
]

#: Excitatory population (matplotlib's tab:red).
E_COLOR = "#d62728"
#: Inhibitory population (matplotlib's tab:blue).
I_COLOR = "#1f77b4"
#: Further populations or units, after E and I (tab:green, tab:purple, tab:brown).
EXTRA_COLORS = ("#2ca02c", "#9467bd", "#8c564b")
#: Colour of each population by name.
POPULATION_COLORS = {"E": E_COLOR, "I": I_COLOR}

#: Simulated data drawn against a closed form.
SIMULATION_COLOR = "#1f77b4"
#: A theoretical curve.
THEORY_COLOR = "#000000"

#: Fill colour of each ring regime (keys: ratenet.theory.ring.REGIMES).
REGIME_COLORS = {
    "homogeneous": "#9ecae1",
    "broad": "#a1d99b",
    "narrow": "#fdae6b",
    "marginal": "#bcbddc",
    "unstable": "#d9d9d9",
}


def format_percent(k: int, n: int) -> str:
    """``100 k / n`` as a percentage that reads 100% (or 0%) only when it is exactly that.

    The fewest decimals (at least one unless exact) that keep a fraction below 1 from
    rounding up to 100% and a positive one from rounding down to 0%.

    Parameters
    ----------
    k, n : int
        Count and total, ``0 <= k <= n``, ``n > 0``.

    Returns
    -------
    str
    """
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0 (got k = {k}, n = {n})")
    if k == n:
        return "100%"
    if k == 0:
        return "0%"
    p = 100.0 * k / n
    for digits in range(1, 16):
        s = f"{p:.{digits}f}"
        if 0.0 < float(s) < 100.0:
            return s + "%"
    return f"{p!r}%"  # pragma: no cover - n beyond 1e15


def clean_number(v: float, scale: float = 1.0, *, rtol: float = 1e-12) -> float:
    """``v``, or exactly 0 when it is rounding noise next to ``scale`` (``|v| < rtol scale``).

    For printing results such as a translation eigenvalue of ``2e-16`` or an amplitude of
    ``8.67e-19`` that are zero in exact arithmetic.

    >>> clean_number(8.67e-19), clean_number(0.25), clean_number(3e-10, scale=1e4)
    (0.0, 0.25, 0.0)
    """
    v = float(v)
    if math.isfinite(v) and abs(v) < rtol * max(abs(float(scale)), 1e-300):
        return 0.0
    return v


_GREEK = {"tau": r"\tau", "gamma": r"\gamma", "theta": r"\theta", "sigma": r"\sigma",
          "nu": r"\nu", "omega": r"\omega", "eps": r"\varepsilon", "epsilon": r"\varepsilon"}


def math_symbol(name: str) -> str:
    r"""A parameter name written as a symbol in matplotlib mathtext, for labels.

    ``tau_I`` -> ``$\tau_I$``, ``M_EE`` -> ``$M_{EE}$``, ``J0`` -> ``$J_0$``, ``eps`` ->
    ``$\varepsilon$``; a name that is not a symbol (``peak``, ``max_rate``) comes back as it is.

    >>> print(math_symbol("tau_I"), math_symbol("M_EE"), math_symbol("J0"), math_symbol("peak"))
    $\tau_I$ $M_{EE}$ $J_0$ peak
    """
    m = re.fullmatch(r"([A-Za-z]+?)(?:_([A-Za-z0-9]+)|([0-9]+))?", name)
    if m is None:
        return name
    base, sub = m.group(1), m.group(2) or m.group(3)
    if base in _GREEK:
        base = _GREEK[base]
    elif len(base) != 1:
        return name
    if not sub:
        return f"${base}$"
    return f"${base}_{sub}$" if len(sub) == 1 else f"${base}_{{{sub}}}$"
