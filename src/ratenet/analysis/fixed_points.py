"""Fixed points of small rate networks, with their Jacobian, eigenvalues and type.

* Threshold-linear transfer: exact and complete.  The state space splits into
  2^n regions by which units are above threshold (the *active set*); inside each the
  dynamics are linear, so each region holds at most one fixed point (solve a linear
  system, keep it if it is self-consistent).  Silent populations and several
  coexisting fixed points come out naturally.
* Smooth transfer: a multi-start root finder (scipy's hybrid Powell method with the
  analytic Jacobian) from a grid of starting points, with duplicates merged.

Works for any :class:`ratenet.RateNetwork` or model with ``to_network()``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import ParameterError, check_int
from ..network import RateNetwork
from ..pwl.regions import region_system
from ..transfer import Sigmoid, ThresholdLinear

__all__ = [
    "FIXED_POINT_TYPES",
    "FixedPoint",
    "as_network",
    "classify_eigenvalues",
    "find_fixed_points",
]

#: Every type name :func:`classify_eigenvalues` can return.
FIXED_POINT_TYPES = (
    "stable node", "unstable node", "stable focus", "unstable focus", "saddle", "centre",
    "stable degenerate node", "unstable degenerate node",
    "degenerate (zero eigenvalue)", "degenerate (non-hyperbolic)",
    "degenerate (on a threshold)",
)


def as_network(model: Any) -> RateNetwork:
    """The :class:`RateNetwork` of ``model`` (a network, or anything with ``to_network()``)."""
    if isinstance(model, RateNetwork):
        return model
    to_net = getattr(model, "to_network", None)
    if to_net is None:
        raise ParameterError("model", type(model).__name__,
                             "a RateNetwork or a model with to_network()")
    net = to_net()
    if callable(net.h):
        raise ParameterError("model", type(model).__name__,
                             "a network with constant external input (autonomous)")
    return net


def classify_eigenvalues(eigenvalues: np.ndarray, *, rtol: float = 1e-9) -> str:
    """Name the type of a fixed point from the eigenvalues of its Jacobian.

    Parameters
    ----------
    eigenvalues : array_like of complex, shape (n,)
    rtol : float, default 1e-9
        A real part (or imaginary part, or difference of eigenvalues) smaller than
        ``rtol * max |lambda|`` counts as zero.

    Returns
    -------
    str
        One of :data:`FIXED_POINT_TYPES` except ``"degenerate (on a threshold)"``.
        All real parts < 0: stable node (all real) or stable focus (some complex);
        all > 0: unstable node / focus; both signs: saddle; purely imaginary pairs
        only: centre; a zero eigenvalue or other zero real parts: degenerate.
        Two equal real eigenvalues (n = 2): degenerate node.

    Examples
    --------
    >>> classify_eigenvalues([-1.0, -2.0])
    'stable node'
    >>> classify_eigenvalues([0.1 + 1.0j, 0.1 - 1.0j])
    'unstable focus'
    >>> classify_eigenvalues([-1.0, 2.0])
    'saddle'
    """
    lam = np.asarray(eigenvalues, dtype=complex)
    scale = float(np.max(np.abs(lam))) if lam.size else 0.0
    if scale == 0.0:
        return "degenerate (zero eigenvalue)"
    tol = rtol * scale
    re, im = lam.real, lam.imag
    is_complex = np.abs(im) > tol
    zero_re = np.abs(re) <= tol
    if np.any(zero_re & ~is_complex):
        return "degenerate (zero eigenvalue)"
    if np.any(zero_re):
        return "centre" if np.all(zero_re) else "degenerate (non-hyperbolic)"
    if np.all(re < 0) or np.all(re > 0):
        side = "stable" if np.all(re < 0) else "unstable"
        if np.any(is_complex):
            return f"{side} focus"
        if lam.size == 2 and abs(re[0] - re[1]) <= tol:
            return f"{side} degenerate node"
        return f"{side} node"
    return "saddle"


@dataclass(frozen=True, eq=False)
class FixedPoint:
    """A fixed point of a rate network.

    Attributes
    ----------
    state : ndarray of shape (n,)
        Rates at the fixed point (E-I: Hz).
    jacobian : ndarray of shape (n, n)
        Jacobian of the right-hand side there (E-I: 1/ms).  For threshold-linear
        networks, the exact Jacobian of the region (active set) holding the point.
    eigenvalues : ndarray of complex, shape (n,)
        Eigenvalues of ``jacobian``, sorted by decreasing real part.
    type : str
        One of :data:`FIXED_POINT_TYPES`.
    active : tuple of bool or None
        Which units are above threshold (threshold-linear networks), else None.
    on_threshold : tuple of bool or None
        Units whose input sits exactly on the threshold (to rounding); where any is
        True the point lies on a region border, the linearisation is not defined
        there and the type is ``"degenerate (on a threshold)"``.
    names : tuple of str
        Unit names.
    """

    state: np.ndarray
    jacobian: np.ndarray
    eigenvalues: np.ndarray
    type: str
    active: tuple[bool, ...] | None = None
    on_threshold: tuple[bool, ...] | None = None
    names: tuple[str, ...] = ()

    @property
    def stable(self) -> bool:
        """True when every eigenvalue has a negative real part (and the type says so)."""
        return self.type in ("stable node", "stable focus", "stable degenerate node")

    @property
    def trace(self) -> float:
        return float(np.trace(self.jacobian))

    @property
    def determinant(self) -> float:
        return float(np.linalg.det(self.jacobian))

    @property
    def silent(self) -> tuple[str, ...]:
        """Names of the units at zero rate (threshold-linear networks)."""
        if self.active is None:
            return ()
        return tuple(n for n, a in zip(self.names, self.active) if not a)

    def __repr__(self) -> str:
        st = ", ".join(f"{n}={v:.6g}" for n, v in zip(self.names, self.state))
        return f"FixedPoint({st}, type={self.type!r})"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: state by unit name, eigenvalues as [re, im] pairs, type, etc."""
        return {
            "state": {n: float(v) for n, v in zip(self.names, self.state)},
            "eigenvalues": [[float(z.real), float(z.imag)] for z in self.eigenvalues],
            "jacobian": self.jacobian.tolist(),
            "type": self.type,
            "stable": self.stable,
            "active": None if self.active is None else [bool(a) for a in self.active],
            "on_threshold": (None if self.on_threshold is None
                             else [bool(a) for a in self.on_threshold]),
        }


def _sorted_eigs(J: np.ndarray) -> np.ndarray:
    lam = np.linalg.eigvals(J)
    return lam[np.lexsort((-lam.imag, -lam.real))]


def _make_fixed_point(net: RateNetwork, x: np.ndarray, active, on_thr, J=None) -> FixedPoint:
    if J is None:
        J = net.jacobian(x)
    lam = _sorted_eigs(J)
    if on_thr is not None and any(on_thr):
        kind = "degenerate (on a threshold)"
    else:
        kind = classify_eigenvalues(lam)
    return FixedPoint(state=np.asarray(x, dtype=float) + 0.0, jacobian=J, eigenvalues=lam,
                      type=kind, active=active, on_threshold=on_thr,
                      names=tuple(net.names or ()))


def threshold_linear_fixed_points(net: RateNetwork, *, rtol: float = 1e-10
                                  ) -> tuple[list[FixedPoint], list[tuple[bool, ...]]]:
    """All fixed points of a threshold-linear network, by enumerating active sets.

    Delegates to :func:`ratenet.pwl.fixed_points.enumerate_fixed_points` (batched over
    all supports), so the E-I analysis and :mod:`ratenet.tln` share one code path.

    Returns
    -------
    fixed_points : list of FixedPoint
    singular : list of tuple of bool
        Active sets whose linear system is singular but consistent: the fixed points of
        that region, if the constraints leave any, form a line (or plane), not a point.
        They are not listed as points; :func:`find_fixed_points` warns about them.
    """
    from ..pwl.fixed_points import enumerate_fixed_points

    g, thr = net.transfer.gain, net.transfer.threshold  # type: ignore[attr-defined]
    res = enumerate_fixed_points(net.weights, net.external(0.0) - thr, gain=g, rtol=rtol)
    found: list[FixedPoint] = []
    for x, act, on_thr in zip(res.states, res.supports, res.on_threshold):
        bits = tuple(bool(a) for a in act)
        A, _ = region_system(net, bits)
        found.append(_make_fixed_point(net, x, bits, tuple(bool(t) for t in on_thr), J=A))
    singular = list(res.singular)
    return found, singular


def _default_box(net: RateNetwork) -> tuple[float, float]:
    tr = net.transfer
    if isinstance(tr, Sigmoid):
        return 0.0, tr.r_max
    # a generous box from the largest rate the input alone would give
    u_max = float(np.max(np.abs(net.external(0.0)))) + 1.0
    return 0.0, float(max(1.0, 5.0 * np.max(tr(np.array([u_max])))))


def smooth_fixed_points(net: RateNetwork, *, bounds: tuple[float, float] | None = None,
                        starts_per_dim: int = 12, max_starts: int = 2000, seed: int = 0,
                        tol: float = 1e-10) -> list[FixedPoint]:
    """Fixed points of a network with smooth transfer, by multi-start root finding.

    Starts on a regular grid in ``bounds ** n`` (random points drawn from ``seed``
    when the grid would exceed ``max_starts``), solves ``-x + f(W x + h) = 0`` with
    scipy's ``hybr`` and the analytic Jacobian, keeps converged solutions and merges
    duplicates.  Complete up to the resolution of the starting grid.
    """
    from scipy.optimize import root

    n = net.n
    lo, hi = bounds if bounds is not None else _default_box(net)
    if not hi > lo:
        raise ParameterError("bounds", bounds, "(low, high) with high > low")
    tau = np.asarray(net.tau, dtype=float)

    def F(x):
        return net.rhs(0.0, x) * tau

    def DF(x):
        return net.jacobian(x) * tau[:, None]

    if starts_per_dim**n <= max_starts:
        axis = np.linspace(lo, hi, starts_per_dim)
        starts = np.array(list(itertools.product(axis, repeat=n)))
    else:
        rng = np.random.default_rng(seed)
        starts = lo + (hi - lo) * rng.random((max_starts, n))
    scale = max(1.0, abs(hi), abs(lo))
    sols: list[np.ndarray] = []
    for x0 in starts:
        res = root(F, x0, jac=DF, method="hybr", options={"xtol": 1e-13})
        x = res.x
        if not np.all(np.isfinite(x)) or np.max(np.abs(F(x))) > tol * scale:
            continue
        if any(np.allclose(x, s, rtol=1e-7, atol=1e-7 * scale) for s in sols):
            continue
        sols.append(x)
    sols.sort(key=lambda s: tuple(s))
    return [_make_fixed_point(net, s, None, None) for s in sols]


def find_fixed_points(model: Any, *, bounds: tuple[float, float] | None = None,
                      starts_per_dim: int = 12, seed: int = 0) -> list[FixedPoint]:
    """All fixed points of a rate network, each with Jacobian, eigenvalues and type.

    Parameters
    ----------
    model : RateNetwork or model with ``to_network()`` (e.g. :class:`ratenet.EIModel`)
        Constant external input required.
    bounds : (float, float), optional
        Smooth transfer only: the box ``[low, high] ** n`` searched for starting points
        (default ``[0, r_max]`` for a sigmoid).
    starts_per_dim : int, default 12
        Smooth transfer only: starting points per dimension of the grid.
    seed : int, default 0
        Smooth transfer only: seed of the random starts used for large ``n``.

    Returns
    -------
    list of FixedPoint
        Threshold-linear: every isolated fixed point, exactly (ordered by active set:
        silent units first); a region holding a continuum of fixed points (singular
        linear system) raises a RuntimeWarning naming it.  Smooth: every root found,
        sorted by state.

    Examples
    --------
    >>> from ratenet import EIModel
    >>> [fp.type for fp in find_fixed_points(EIModel(tau_I=30.0))]
    ['stable focus']
    """
    net = as_network(model)
    starts_per_dim = check_int("starts_per_dim", starts_per_dim, minimum=2)
    if isinstance(net.transfer, ThresholdLinear):
        fps, singular = threshold_linear_fixed_points(net)
        if singular:
            import warnings

            names = tuple(net.names or ())
            sets = "; ".join("{" + ", ".join(n for n, a in zip(names, b) if a) + "}"
                             for b in singular)
            warnings.warn(f"degenerate network: the linear system of the active set(s) "
                          f"{sets} is singular and consistent, so any fixed points there "
                          f"form a continuum (not listed)", RuntimeWarning, stacklevel=2)
        return fps
    return smooth_fixed_points(net, bounds=bounds, starts_per_dim=starts_per_dim, seed=seed)
