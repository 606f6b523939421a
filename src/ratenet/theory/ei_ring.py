"""Per-mode theory of the E-I ring (:class:`ratenet.models.ei_ring.EIRingModel`).

Threshold-linear transfer ``f(u) = g [u - T]_+``; time in ms, rates in Hz, eigenvalues in 1/ms.

Uniform state
-------------
With ``eps_E = eps_I = 0`` a spatially uniform state ``(r_E, r_I)`` obeys the two-population
equations of mode 0, ``r = g [h - T + C_0 r]_+`` with ``C_0 = [[J_EE0 - J_A, J_EI0],
[J_IE0, J_II0]]`` (at rest the adaptation equals ``r_E``).  Each active set (both active,
E silent, I silent, both silent) gives a linear system, solved exactly here
(:func:`uniform_states`).  Without adaptation this is exactly the fixed point of the
equivalent :class:`ratenet.EIModel` (``M_XY = J_XY0``, ``gamma_X = -h_X``).  With tuned input
and every unit active the state is ``r0 + r1 cos(theta - theta0)`` with
``r1 = (I - g C_1)^{-1} g eps`` (mode 1 of the same equations).

Per-mode linearisation
----------------------
About a state in which each population is entirely active (gain ``g_X = g``) or entirely
silent (``g_X = 0``), the Fourier modes decouple: mode k of the perturbation obeys::

    d/dt (dr_E, dr_I) = A_k (dr_E, dr_I),
    A_k = [[(g_E c_EE - 1)/tau_E,  g_E c_EI / tau_E],
           [ g_I c_IE / tau_I,    (g_I c_II - 1)/tau_I]],

with ``c_XY = J_XY0`` for k = 0 and ``J_XYk / 2`` for k >= 1; with adaptation a third row
``(1/tau_A, 0, -1/tau_A)`` and the entry ``-g_E J_A / tau_E`` couple ``da`` (3 x 3).  On a
ring of N units modes k and N - k share these eigenvalues (a pair of travelling waves), and
the modes without coupling (k > K) decay at ``-1/tau_E``, ``-1/tau_I`` (``-1/tau_A``): the
2N x 2N (3N x 3N) Jacobian's spectrum is exactly the union, for every N >= 2K + 1.

How a mode loses stability
--------------------------
``det A_k`` has the sign of ``D_k = (g_E c_EE - 1)(g_I c_II - 1) - g_E g_I c_EI c_IE``,
independent of the time constants.  ``D_k < 0``: a real eigenvalue is positive whatever
tau_I (k = 0: runaway or switch to another uniform state; k = 1: a stationary bump; k >= 2:
a stationary pattern with k bumps).  ``D_k > 0``: the trace::

    tr A_k = (g_E c_EE - 1)/tau_E + (g_I c_II - 1)/tau_I

vanishes at the Hopf point ``tau_I* = tau_E (1 - g_I c_II) / (g_E c_EE - 1)`` (when
``g_E c_EE > 1``), beyond which the mode oscillates at ``omega = sqrt(det A_k)``
(rad/ms) at onset: k = 0 a bulk oscillation (the E-I limit cycle), k >= 1 travelling waves
(speed ``omega / k`` rad/ms) or standing waves; which of the two is stable is decided by the
nonlinearity, not by this linear theory.

Drift of the bump with adaptation
---------------------------------
For one harmonic (K = 1) and a stationary bump ``r_X = g'_X [A_X + B_X cos theta]_+``
(``g'_E = g / (1 + g J_A)``), the translation mode lives in the subspace
``(alpha 1_E, gamma 1_I, beta 1_E) sin theta`` and obeys a 3 x 3 linear system with the
effective couplings ``J_XY1 q_Y``, ``q_Y = (theta_c,Y - sin theta_c,Y cos theta_c,Y)/(2 pi)``.
It has a zero eigenvalue (the free position); the bump starts to drift when the next one
crosses zero, i.e. at

    g J_A tau_A = tau_E + tau_I b c / d^2,   b = g J_EI1 q_I, c = g J_IE1 q_E,
    d = g J_II1 q_I - 1,

which for untuned inhibition (b c = 0) is the single-population result ``J_A tau_A = tau_E``
(g = 1).  These are continuum (N -> infinity) results: on a ring of N units the active
fractions, hence ``q_Y``, carry O(1/N) lattice corrections, so a tuned-inhibition threshold
is met only to a few per cent at N = 64 (the untuned one does not depend on ``q``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import ParameterError, as_float, check_int, check_positive
from ..models.ei_ring import EIRingModel
from ..transfer import ThresholdLinear
from .ring import g0, g1

__all__ = [
    "BumpState",
    "EIRingTheory",
    "ModeAnalysis",
    "UniformState",
    "analyze",
    "bulk_cycle",
    "bump_state",
    "drift_J_A",
    "first_instability",
    "hopf_tau_I",
    "mode_eigenvalues",
    "mode_jacobian",
    "mode_spectrum",
    "network_eigenvalues",
    "predicted_network_eigenvalues",
    "uniform_state",
    "uniform_states",
]

_KINDS = {(True, True): "both active", (False, True): "E silent", (True, False): "I silent",
          (False, False): "both silent"}


def _gain_threshold(model: EIRingModel) -> tuple[float, float]:
    if not isinstance(model, EIRingModel):
        raise ParameterError("model", type(model).__name__, "an EIRingModel")
    t = model.transfer
    if not isinstance(t, ThresholdLinear):
        raise ParameterError("transfer", t, "ThresholdLinear for the E-I ring theory",
                             hint="simulate smooth transfer functions with ratenet.simulate")
    return t.gain, t.threshold


# ------------------------------------------------------------------ the uniform state
@dataclass(frozen=True)
class UniformState:
    """A stationary state of the E-I ring that is uniform (plus, with tuned input, a cos part).

    Attributes
    ----------
    r_E, r_I : float
        Mean rates (Hz); for ``eps = 0`` the rates of every unit.
    r1_E, r1_I : float
        Amplitudes of ``cos(theta - theta0)`` (Hz), 0 without tuned input.
    active : tuple of bool
        ``(E active, I active)``.
    kind : str
        ``"both active"``, ``"E silent"``, ``"I silent"`` or ``"both silent"``.
    gains : tuple of float
        ``(g_E, g_I)``: the slope of f for each population (0 if silent).
    exact : bool
        True when each population is entirely above or entirely below threshold, so that
        the per-mode theory applies; False when a tuned input leaves part of a population
        silent (the rates given are then those of the linear formula, not a solution).
    stable : bool or None
        True when every mode decays (filled in by :func:`uniform_states`).
    """

    r_E: float
    r_I: float
    r1_E: float
    r1_I: float
    active: tuple[bool, bool]
    kind: str
    gains: tuple[float, float]
    exact: bool
    stable: bool | None = None

    @property
    def m_E(self) -> float:
        """Alias of ``r_E`` (the CLI's JSON name)."""
        return self.r_E

    @property
    def m_I(self) -> float:
        """Alias of ``r_I``."""
        return self.r_I

    def state(self, model: EIRingModel) -> np.ndarray:
        """The state vector of ``model`` (shape ``(n_state,)``) at this stationary state."""
        c = np.cos(model.theta - model.theta0)
        rE = self.r_E + self.r1_E * c
        parts = [rE, self.r_I + self.r1_I * c] + ([rE] if model.adaptation else [])
        return np.concatenate(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"m_E": self.r_E, "m_I": self.r_I, "m1_E": self.r1_E, "m1_I": self.r1_I,
                "kind": self.kind, "exact": self.exact, "stable": self.stable}


def _mode0_matrix(model: EIRingModel) -> np.ndarray:
    C = model.mode_coupling(0).copy()
    C[0, 0] -= model.J_A  # at rest a = r_E
    return C


def _candidate_states(model: EIRingModel) -> list[UniformState]:
    g, T = _gain_threshold(model)
    C0 = _mode0_matrix(model)
    h = np.array([model.h_E, model.h_I]) - T
    eps = np.array([model.eps_E, model.eps_I])
    out: list[UniformState] = []
    for active in ((True, True), (False, True), (True, False), (False, False)):
        S = np.array(active)
        r = np.zeros(2)
        if S.any():
            A = np.eye(int(S.sum())) - g * C0[np.ix_(S, S)]
            if abs(np.linalg.det(A)) < 1e-13:
                continue
            r[S] = np.linalg.solve(A, g * h[S])
        u = h + C0 @ r  # input minus threshold
        tol = 1e-12 * max(1.0, float(np.max(np.abs(h))))
        if np.any(u[S] < -tol) or np.any(u[~S] > tol):
            continue
        gains = np.where(S, g, 0.0)
        C1 = model.mode_coupling(1).copy()
        C1[0, 0] -= model.J_A
        r1 = np.zeros(2)
        if np.any(eps > 0):
            A1 = np.eye(2) - gains[:, None] * C1
            r1 = np.linalg.solve(A1, gains * eps) if abs(np.linalg.det(A1)) > 1e-13 else \
                np.full(2, np.inf)
        # every unit of an active population above threshold, every silent one below (an
        # infinite response, at a singular mode-1 matrix or past float64, is never exact)
        with np.errstate(invalid="ignore", over="ignore"):
            u1 = eps + C1 @ r1
        exact = bool(np.all(np.isfinite(u1)) and np.all(np.isfinite(r1)) and np.all(
            np.where(S, u - np.abs(u1) >= -tol, u + np.abs(u1) <= tol)))
        if any(abs(o.r_E - r[0]) <= tol and abs(o.r_I - r[1]) <= tol for o in out):
            continue  # a population exactly on threshold: the same state, already listed
            # with the right-derivative (active) gain
        out.append(UniformState(float(r[0]), float(r[1]), float(r1[0]), float(r1[1]),
                                (bool(active[0]), bool(active[1])), _KINDS[active],
                                (float(gains[0]), float(gains[1])), exact))
    return out


def uniform_states(model: EIRingModel) -> list[UniformState]:
    """Every uniform stationary state (exact, threshold-linear), with its stability.

    Parameters
    ----------
    model : EIRingModel

    Returns
    -------
    list of UniformState
        In the order: both active, E silent, I silent, both silent (those that exist).

    Examples
    --------
    >>> m = EIRingModel(J_EI0=-1.0, J_IE0=1.0, h_E=2.0, h_I=0.0)
    >>> [(s.kind, s.r_E, s.r_I) for s in uniform_states(m)]
    [('both active', 1.0, 1.0)]
    """
    out = []
    for s in _candidate_states(model):
        lam = np.concatenate([mode_eigenvalues(model, k, s) for k in range(model.n_harmonics + 1)])
        stable = bool(np.all(lam.real < 0)) and s.exact
        out.append(UniformState(s.r_E, s.r_I, s.r1_E, s.r1_I, s.active, s.kind, s.gains,
                                s.exact, stable))
    return out


def uniform_state(model: EIRingModel) -> UniformState:
    """The uniform state the theory is about: the first stable one of :func:`uniform_states`,
    else the first that exists (both-active preferred).

    Raises
    ------
    ParameterError
        If there is no uniform state (a mode-0 matrix ``I - g C_0`` that is singular on
        every active set); not possible for generic parameters.

    Examples
    --------
    >>> uniform_state(EIRingModel(J_EE0=0.5, J_EI0=-1.0, J_IE0=0.2, h_E=1.0, h_I=-1.0)).kind
    'I silent'
    """
    states = uniform_states(model)
    if not states:
        raise ParameterError("model", "these couplings", "parameters with a uniform state")
    for s in states:
        if s.stable:
            return s
    return states[0]


# ------------------------------------------------------------------ modes
def mode_jacobian(model: EIRingModel, k: int, state: UniformState | None = None) -> np.ndarray:
    """Jacobian of Fourier mode k about ``state`` (default :func:`uniform_state`), 1/ms.

    Shape (2, 2) for (dr_E, dr_I), (3, 3) with adaptation (dr_E, dr_I, da).

    Examples
    --------
    >>> m = EIRingModel(J_EE1=3.0, J_EI0=-1.0, J_IE0=1.0, h_E=2.0, h_I=0.0, tau_E=10.0)
    >>> float(mode_jacobian(m, 1)[0, 0])   # (J_EE1 / 2 - 1) / tau_E
    0.05
    """
    k = check_int("k", k, minimum=0)
    s = state if state is not None else uniform_state(model)
    gE, gI = s.gains
    C = model.mode_coupling(k)
    A = np.array([[gE * C[0, 0] - 1.0, gE * C[0, 1]], [gI * C[1, 0], gI * C[1, 1] - 1.0]])
    A /= np.array([model.tau_E, model.tau_I])[:, None]
    if not model.adaptation:
        return A
    out = np.zeros((3, 3))
    out[:2, :2] = A
    out[0, 2] = -gE * model.J_A / model.tau_E
    out[2, 0] = 1.0 / model.tau_A
    out[2, 2] = -1.0 / model.tau_A
    return out


def _sorted(lam: np.ndarray) -> np.ndarray:
    lam = np.asarray(lam, dtype=complex)
    return lam[np.lexsort((-lam.imag, -lam.real))]


def mode_eigenvalues(model: EIRingModel, k: int, state: UniformState | None = None
                     ) -> np.ndarray:
    """Eigenvalues (1/ms) of :func:`mode_jacobian`, largest real part first.

    Examples
    --------
    >>> m = EIRingModel(J_EE1=3.0, J_EI0=-1.0, J_IE0=1.0, h_E=2.0, h_I=0.0, tau_E=10.0)
    >>> mode_eigenvalues(m, 1).real.tolist()   # (J_EE1/2 - 1)/tau_E and -1/tau_I
    [0.05, -0.1]
    """
    return _sorted(np.linalg.eigvals(mode_jacobian(model, k, state)))


def hopf_tau_I(model: EIRingModel, k: int, state: UniformState | None = None) -> float | None:
    """tau_I (ms) at which mode k of the uniform state has a Hopf point, or None.

    Without adaptation in closed form: ``tr A_k = 0``, i.e.
    ``tau_I = tau_E (1 - g_I c_II) / (g_E c_EE - 1)``, provided ``g_E c_EE > 1`` and
    ``det A_k > 0`` there.  With adaptation, where ``a_1 a_2 = a_3`` for the characteristic
    polynomial ``l^3 + a_1 l^2 + a_2 l + a_3`` (Routh-Hurwitz), found numerically for
    tau_I in (0, 1e6 tau_E] (the smallest such tau_I at which a pair crosses).
    The uniform state does not depend on tau_I, so neither does ``state``.

    Examples
    --------
    >>> m = EIRingModel(J_EE1=3.0, J_EI1=-2.0, J_IE1=2.0, J_EI0=-1.0, J_IE0=1.0,
    ...                 h_E=2.0, h_I=0.0, tau_E=10.0)
    >>> hopf_tau_I(m, 1)   # 10 * (1 - 0) / (1.5 - 1)
    20.0
    """
    s = state if state is not None else uniform_state(model)
    gE, gI = s.gains
    C = model.mode_coupling(k)
    a, d = gE * C[0, 0] - 1.0, gI * C[1, 1] - 1.0
    D = a * d - gE * gI * C[0, 1] * C[1, 0]
    if not model.adaptation:
        if a <= 0 or D <= 0:
            return None
        tau = float(model.tau_E) * float(-d) / float(a)   # Python floats: inf, no warning
        return tau if math.isfinite(tau) else None   # beyond float64: no Hopf point
    return _hopf_tau_I_numeric(model, k, s)


def _rh_margin(model: EIRingModel, k: int, s: UniformState, tau_I: float) -> float:
    A = mode_jacobian(model.replace(tau_I=tau_I), k, s)
    c = np.poly(A)  # 1, a1, a2, a3
    return float(c[1] * c[2] - c[3])


def _hopf_tau_I_numeric(model, k, s) -> float | None:
    from scipy.optimize import brentq

    grid = model.tau_E * np.geomspace(1e-3, 1e6, 400)
    vals = [_rh_margin(model, k, s, t) for t in grid]
    for i in range(len(grid) - 1):
        if vals[i] > 0 >= vals[i + 1]:
            t = brentq(lambda x: _rh_margin(model, k, s, x), grid[i], grid[i + 1],
                       xtol=1e-12, maxiter=200)
            lam = mode_eigenvalues(model.replace(tau_I=t), k, s)
            if np.any(np.abs(lam.imag) > 1e-12) and abs(lam[0].real) < 1e-8:
                return float(t)
    return None


@dataclass(frozen=True)
class ModeAnalysis:
    """Linear analysis of one Fourier mode about the uniform state.

    Attributes
    ----------
    k : int
    coupling : ndarray (2, 2)
        The mode's coupling matrix (``J_XY0`` or ``J_XYk / 2``).
    jacobian : ndarray (2, 2) or (3, 3)
        1/ms.
    eigenvalues : ndarray of complex
        1/ms, largest real part first.
    stable : bool
    oscillatory : bool
        The leading eigenvalue is complex.
    D : float
        ``(g_E c_EE - 1)(g_I c_II - 1) - g_E g_I c_EI c_IE``: < 0 means a real instability
        for every tau_I (E-I part; without adaptation).
    hopf_tau_I : float or None
        tau_I of the mode's Hopf point (ms).
    hopf_frequency : float or None
        Angular frequency at that point (rad/ms); the travelling-wave speed is
        ``hopf_frequency / k``.
    pattern : str
        What the loss of stability of this mode gives (see :data:`PATTERN_OF_MODE`).
    """

    k: int
    coupling: np.ndarray
    jacobian: np.ndarray
    eigenvalues: np.ndarray
    stable: bool
    oscillatory: bool
    D: float
    hopf_tau_I: float | None
    hopf_frequency: float | None
    pattern: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "eigenvalues": [[float(z.real), float(z.imag)] for z in self.eigenvalues],
            "stable": self.stable, "oscillatory": self.oscillatory, "D": self.D,
            "hopf_tau_I": self.hopf_tau_I, "hopf_frequency": self.hopf_frequency,
            "pattern": self.pattern,
        }


def _pattern_of(k: int, oscillatory: bool) -> str:
    if k == 0:
        return "bulk oscillation" if oscillatory else "homogeneous runaway or switch"
    if oscillatory:
        return "travelling or standing waves"
    return "stationary bump" if k == 1 else f"stationary pattern with {k} bumps"


def _analyse_mode(model: EIRingModel, k: int, s: UniformState) -> ModeAnalysis:
    J = mode_jacobian(model, k, s)
    lam = _sorted(np.linalg.eigvals(J))
    gE, gI = s.gains
    C = model.mode_coupling(k)
    D = (gE * C[0, 0] - 1.0) * (gI * C[1, 1] - 1.0) - gE * gI * C[0, 1] * C[1, 0]
    tau_h = hopf_tau_I(model, k, s)
    freq = None
    if tau_h is not None:
        lam_h = mode_eigenvalues(model.replace(tau_I=tau_h), k, s)
        freq = float(np.max(np.abs(lam_h.imag)))
    osc = bool(abs(lam[0].imag) > 1e-12 * max(1.0, abs(lam[0])))
    return ModeAnalysis(k, C.copy(), J, lam, bool(np.all(lam.real < 0)), osc, float(D), tau_h,
                        freq, _pattern_of(k, osc))


@dataclass(frozen=True)
class EIRingTheory:
    """Result of :func:`analyze`.

    Attributes
    ----------
    uniform : UniformState
    modes : list of ModeAnalysis
        k = 0 .. K.
    instability : dict
        ``{"mode": k or None, "kind": "real" | "hopf" | None, "pattern": str,
        "growth_rate": float}``: the fastest-growing mode when the uniform state is
        unstable (None when stable).
    first_hopf : dict
        ``{"mode", "tau_I", "frequency"}``: the mode whose Hopf point in tau_I comes first
        (None entries when no mode has one).
    """

    uniform: UniformState
    modes: list[ModeAnalysis]
    instability: dict[str, Any]
    first_hopf: dict[str, Any] = field(default_factory=dict)

    @property
    def stable(self) -> bool:
        return self.instability["mode"] is None

    def to_dict(self) -> dict[str, Any]:
        return {"uniform": self.uniform.to_dict(), "modes": [m.to_dict() for m in self.modes],
                "instability": dict(self.instability), "first_hopf": dict(self.first_hopf)}


def analyze(model: EIRingModel, *, state: UniformState | None = None) -> EIRingTheory:
    """Uniform state and per-mode stability of an E-I ring (threshold-linear).

    Parameters
    ----------
    model : EIRingModel
    state : UniformState, optional
        Default :func:`uniform_state`.

    Returns
    -------
    EIRingTheory

    Examples
    --------
    >>> m = EIRingModel(J_EE1=3.0, J_EI1=-2.0, J_IE1=2.0, J_EI0=-1.0, J_IE0=1.0,
    ...                 h_E=2.0, h_I=0.0, tau_E=10.0, tau_I=25.0)
    >>> th = analyze(m)
    >>> th.instability["mode"], th.instability["kind"], th.first_hopf["tau_I"]
    (1, 'hopf', 20.0)
    """
    s = state if state is not None else uniform_state(model)
    modes = [_analyse_mode(model, k, s) for k in range(model.n_harmonics + 1)]
    lead = max(modes, key=lambda m: m.eigenvalues[0].real)
    if lead.eigenvalues[0].real < 0:
        inst: dict[str, Any] = {"mode": None, "kind": None, "pattern": "homogeneous",
                                "growth_rate": float(lead.eigenvalues[0].real)}
    else:
        inst = {"mode": lead.k, "kind": "hopf" if lead.oscillatory else "real",
                "pattern": lead.pattern, "growth_rate": float(lead.eigenvalues[0].real)}
    hopfs = [(m.hopf_tau_I, m.k, m.hopf_frequency) for m in modes if m.hopf_tau_I is not None]
    if hopfs:
        t, k, w = min(hopfs)
        first = {"mode": k, "tau_I": t, "frequency": w}
    else:
        first = {"mode": None, "tau_I": None, "frequency": None}
    return EIRingTheory(s, modes, inst, first)


def mode_spectrum(model: EIRingModel, param: str, values: Any, *,
                  k_max: int | None = None) -> dict[str, Any]:
    """Eigenvalues of every mode of the uniform state as one parameter varies.

    Parameters
    ----------
    model : EIRingModel
    param : str
        Numeric parameter (any case), e.g. ``"tau_I"``.
    values : array_like of float
    k_max : int, optional
        Highest mode (default: the last harmonic, K).

    Returns
    -------
    dict
        ``{"param", "values" (P,), "eigenvalues": {k: complex array (P, 2 or 3)},
        "uniform_kind": list of str}``; eigenvalues sorted largest real part first, nan
        where the model has no uniform state.

    Examples
    --------
    >>> m = EIRingModel(J_EE1=3.0, J_EI1=-2.0, J_IE1=2.0, J_EI0=-1.0, J_IE0=1.0,
    ...                 h_E=2.0, h_I=0.0, tau_E=10.0)
    >>> sp = mode_spectrum(m, "tau_I", [10.0, 20.0, 30.0])
    >>> [round(float(z.real), 12) + 0.0 for z in sp["eigenvalues"][1][:, 0]]  # tr A_1 / 2
    [-0.025, 0.0, 0.008333333333]
    """
    p = EIRingModel.parameter_name(param)
    vals = np.atleast_1d(np.asarray(values, dtype=float))
    K = model.n_harmonics if k_max is None else check_int("k_max", k_max, minimum=0)
    n = 3 if model.adaptation else 2
    out = {k: np.full((vals.size, n), np.nan + 0j) for k in range(K + 1)}
    kinds = []
    for i, v in enumerate(vals):
        m = model.replace(**{p: float(v)})
        try:
            s = uniform_state(m)
        except ParameterError:
            kinds.append("none")
            continue
        kinds.append(s.kind)
        for k in range(K + 1):
            out[k][i] = mode_eigenvalues(m, k, s)
    return {"param": p, "values": vals, "eigenvalues": out, "uniform_kind": kinds}


# ------------------------------------------------------------------ finite N
def network_eigenvalues(model: EIRingModel, state: UniformState | None = None) -> np.ndarray:
    """Eigenvalues (1/ms) of the full ``n_state x n_state`` Jacobian at the uniform state,
    computed densely from :meth:`EIRingModel.jacobian` (O(N^3); for checks at modest N).

    Examples
    --------
    >>> m = EIRingModel(J_EE1=3.0, J_EI0=-1.0, J_IE0=1.0, h_E=2.0, h_I=0.0, N=8)
    >>> lam = network_eigenvalues(m)
    >>> lam.shape, round(float(lam[0].real), 12)   # mode 1's 0.05, twice (k = 1 and N - 1)
    ((16,), 0.05)
    """
    s = state if state is not None else uniform_state(model)
    return _sorted(np.linalg.eigvals(model.jacobian(s.state(model))))


def predicted_network_eigenvalues(model: EIRingModel, state: UniformState | None = None
                                  ) -> np.ndarray:
    """The same spectrum from the mode theory: for each ring index q = 0..N-1 the
    eigenvalues of mode ``min(q, N - q)`` (zero coupling beyond K).

    Examples
    --------
    >>> m = EIRingModel(J_EE1=3.0, J_EI0=-1.0, J_IE0=1.0, h_E=2.0, h_I=0.0, N=8)
    >>> full = network_eigenvalues(m)
    >>> all(np.min(np.abs(full - z)) < 1e-9 for z in predicted_network_eigenvalues(m))
    True
    """
    s = state if state is not None else uniform_state(model)
    N = model.N
    cache: dict[int, np.ndarray] = {}
    out = []
    for q in range(N):
        k = min(q, N - q)
        if k not in cache:
            cache[k] = mode_eigenvalues(model, k, s)
        out.append(cache[k])
    return _sorted(np.concatenate(out))


# ------------------------------------------------------------------ parameter scans
def first_instability(model: EIRingModel, param: str, stop: float, *, num: int = 200,
                      tol: float = 1e-9, max_time: float = 30.0) -> dict[str, Any]:
    """Move one parameter from its value in ``model`` towards ``stop``; report where the
    uniform state first loses stability, which mode goes and how.

    Parameters
    ----------
    model : EIRingModel
    param : str
        A numeric parameter of the model (any case), e.g. ``"tau_I"`` or ``"J_EE1"``.
    stop : float
        End of the scan.
    num : int, default 200
        Grid points before the crossing is refined by bisection.
    tol : float, default 1e-9
        Relative tolerance of the bisection (at most 200 halvings).
    max_time : float, default 30
        Seconds before the scan gives up (raises ``RuntimeError``).

    Returns
    -------
    dict
        ``{"param", "value", "mode", "kind", "pattern", "frequency"}``; value None when the
        uniform state stays stable (or is unstable from the start: then value = start).

    Examples
    --------
    >>> m = EIRingModel(J_EE1=3.0, J_EI1=-2.0, J_IE1=2.0, J_EI0=-1.0, J_IE0=1.0,
    ...                 h_E=2.0, h_I=0.0, tau_E=10.0, tau_I=10.0)
    >>> r = first_instability(m, "tau_I", 40.0)
    >>> r["mode"], r["kind"], round(r["value"], 6)
    (1, 'hopf', 20.0)
    """
    p = EIRingModel.parameter_name(param)
    stop = as_float("stop", stop)
    num = check_int("num", num, minimum=2)
    check_positive("max_time", max_time)
    start = float(getattr(model, p))
    t0 = time.monotonic()

    def at(v: float) -> EIRingTheory:
        if time.monotonic() - t0 > max_time:
            raise RuntimeError(f"first_instability: no answer within max_time = {max_time} s")
        return analyze(model.replace(**{p: v}))

    def result(v, th):
        inst = th.instability
        freq = None
        if inst["mode"] is not None and inst["kind"] == "hopf":
            lead = th.modes[inst["mode"]].eigenvalues[0]
            freq = float(abs(lead.imag))
        return {"param": p, "value": v, "mode": inst["mode"], "kind": inst["kind"],
                "pattern": inst["pattern"], "frequency": freq}

    th = at(start)
    if not th.stable:
        return result(start, th)
    grid = np.linspace(start, stop, num)
    prev = start
    for v in grid[1:]:
        thv = at(float(v))
        if not thv.stable:
            lo, hi = prev, float(v)
            for _ in range(200):
                if abs(hi - lo) <= tol * max(1.0, abs(hi)):
                    break
                mid = 0.5 * (lo + hi)
                if at(mid).stable:
                    lo = mid
                else:
                    hi = mid
            return result(hi, at(hi))
        prev = float(v)
    return {"param": p, "value": None, "mode": None, "kind": None, "pattern": "homogeneous",
            "frequency": None}


# ------------------------------------------------------------------ mode 0: bulk cycle
def bulk_cycle(model: EIRingModel, **kwargs: Any):
    """The limit cycle of mode 0 (the bulk oscillation), from the equivalent
    :class:`ratenet.EIModel` with :func:`ratenet.analysis.find_limit_cycle`.

    Valid for ``eps_E = eps_I = 0`` and no adaptation (the uniform subspace is then
    exactly that E-I model); returns a :class:`ratenet.analysis.LimitCycle` or None.

    Examples
    --------
    >>> m = EIRingModel(J_EE0=1.25, J_EI0=-1.0, J_IE0=1.0, h_E=10.0, h_I=-10.0,
    ...                 tau_E=10.0, tau_I=50.0)
    >>> round(bulk_cycle(m).period, 1)   # ms: the tutorial's E-I cycle at tau_I = 50 ms
    187.3
    """
    if model.adaptation:
        raise ParameterError("J_A", model.J_A, "0 for the bulk cycle (the equivalent E-I "
                             "model has no adaptation)")
    from ..analysis import find_limit_cycle

    return find_limit_cycle(model.equivalent_ei(), **kwargs)


# ------------------------------------------------------------------ the stationary bump
@dataclass(frozen=True)
class BumpState:
    """A stationary bump ``r_X = g'_X [A_X + B_X cos(theta - theta0)]_+`` (K = 1).

    Attributes
    ----------
    A, B : ndarray (2,)
        Input offsets and amplitudes (E, I) after the threshold, divided as in the profile.
    theta_c : ndarray (2,)
        Half-widths of the active regions (pi: fully active, 0: silent).
    R0, R1 : ndarray (2,)
        Mean rates and first cos coefficients ``(1/2pi) int r cos`` (Hz).
    translation_matrix : ndarray (3, 3) or (2, 2)
        Linear dynamics (1/ms) of the bump's sine (translation) subspace.
    eigenvalues : ndarray
        Its eigenvalues; one is 0 (the free position) when ``eps = 0``.
    drift_margin : float
        ``a_2`` of its characteristic polynomial (with adaptation): the bump drifts when < 0.
    drifting : bool
        True when the translation subspace has an eigenvalue with positive real part.
    """

    A: np.ndarray
    B: np.ndarray
    theta_c: np.ndarray
    R0: np.ndarray
    R1: np.ndarray
    translation_matrix: np.ndarray
    eigenvalues: np.ndarray
    drift_margin: float
    drifting: bool

    def profile(self, model: EIRingModel) -> np.ndarray:
        """The state vector (shape ``(n_state,)``) of the bump centred at ``model.theta0``."""
        g, _ = _gain_threshold(model)
        gE = g / (1.0 + g * model.J_A)
        c = np.cos(model.theta - model.theta0)
        rE = gE * np.maximum(self.A[0] + self.B[0] * c, 0.0)
        rI = g * np.maximum(self.A[1] + self.B[1] * c, 0.0)
        return np.concatenate([rE, rI] + ([rE] if model.adaptation else []))


def _moments(A: float, B: float) -> tuple[float, float, float]:
    """Mean, first cos coefficient and active half-width of ``[A + B cos]_+``."""
    b = abs(B)
    if b <= 1e-300 or A >= b:
        return max(A, 0.0), 0.5 * B if A >= b else 0.0, math.pi if A > 0 else 0.0
    if A <= -b:
        return 0.0, 0.0, 0.0
    tc = math.acos(-A / b)
    r0 = b * float(g0(tc))
    r1 = b * float(g1(tc))
    return r0, math.copysign(r1, B), tc


def bump_state(model: EIRingModel, *, max_starts: int = 12) -> BumpState | None:
    """The stationary bump of a one-harmonic, threshold-linear E-I ring, or None.

    Solves the self-consistency of ``A_X = h_X - T + sum_Y J_XY0 R0_Y`` and
    ``B_X = eps_X + sum_Y J_XY1 R1_Y`` (``R0, R1`` the moments of ``g'_Y [A_Y + B_Y cos]_+``,
    ``g'_E = g / (1 + g J_A)``) from up to ``max_starts`` starting points (each a
    ``scipy.optimize.fsolve`` with at most 2000 evaluations); returns the first solution
    with ``B_E > 0`` that is not uniform.

    Examples
    --------
    >>> m = EIRingModel(J_EE1=4.0, J_EI0=-2.0, J_IE0=1.0, h_E=1.0, h_I=0.0)
    >>> b = bump_state(m)
    >>> round(float(b.eigenvalues[np.argmin(abs(b.eigenvalues))].real), 9)   # free position
    0.0
    """
    from scipy.optimize import fsolve

    g, T = _gain_threshold(model)
    if model.J_higher:
        raise ParameterError("J_higher", model.J_higher, "() for bump_state (one harmonic)")
    gp = np.array([g / (1.0 + g * model.J_A), g])
    C0, C1 = model.coupling_coefficients(0), model.coupling_coefficients(1)
    h = np.array([model.h_E, model.h_I]) - T
    eps = np.array([model.eps_E, model.eps_I])

    def moments(z):
        R0, R1, tc = np.zeros(2), np.zeros(2), np.zeros(2)
        for X in range(2):
            R0[X], R1[X], tc[X] = _moments(z[X], z[2 + X])
        return gp * R0, gp * R1, tc

    def F(z):
        R0, R1, _ = moments(z)
        return np.concatenate([z[:2] - (h + C0 @ R0), z[2:] - (eps + C1 @ R1)])

    scale = max(1.0, float(np.max(np.abs(h))))
    for i in range(check_int("max_starts", max_starts, minimum=1)):
        amp = scale * (0.5 + i)
        z0 = np.array([-0.3 * amp, h[1], amp, 0.3 * amp * np.sign(C1[1, 0] + 1e-300)])
        z, _info, ier, _ = fsolve(F, z0, full_output=True, maxfev=2000, xtol=1e-13)
        if ier != 1 or not np.all(np.isfinite(z)) or np.max(np.abs(F(z))) > 1e-9 * scale:
            continue
        R0, R1, tc = moments(z)
        if z[2] <= 1e-8 * scale or tc[0] >= math.pi - 1e-9 or tc[0] <= 0.0:
            continue  # uniform, fully active or silent: not a bump
        return _bump_from(model, z, R0, R1, tc, g)
    return None


def _bump_from(model, z, R0, R1, tc, g) -> BumpState:
    q = np.array([float(g1(t)) if 0.0 < t < math.pi else (0.5 if t >= math.pi else 0.0)
                  for t in tc])
    C1 = model.coupling_coefficients(1)
    e = g * C1[0, 0] * q[0] - 1.0
    b = g * C1[0, 1] * q[1]
    c = g * C1[1, 0] * q[0]
    d = g * C1[1, 1] * q[1] - 1.0
    tau = np.array([model.tau_E, model.tau_I])
    M2 = np.array([[e, b], [c, d]]) / tau[:, None]
    if model.adaptation:
        M = np.zeros((3, 3))
        M[:2, :2] = M2
        M[0, 2] = -g * model.J_A / model.tau_E
        M[2, 0] = 1.0 / model.tau_A
        M[2, 2] = -1.0 / model.tau_A
    else:
        M = M2
    lam = _sorted(np.linalg.eigvals(M))
    coeffs = np.poly(M)
    margin = float(coeffs[-2]) if model.adaptation else float(coeffs[1])
    scale = float(np.max(np.abs(lam))) or 1.0
    drifting = bool(np.any(lam.real > 1e-9 * scale))
    return BumpState(z[:2].copy(), z[2:].copy(), tc, R0, R1, M, lam, margin, drifting)


def drift_J_A(model: EIRingModel, *, J_A_max: float = 100.0, max_iter: int = 200
              ) -> float | None:
    """Adaptation strength J_A at which the stationary bump starts to drift, or None.

    The root of the drift margin ``a_2(J_A)`` of :class:`BumpState` (the bump recomputed
    at each J_A), bracketed on ``(0, J_A_max]`` and refined by Brent's method (at most
    ``max_iter`` iterations).  For untuned inhibition the answer is ``tau_E / (g tau_A)``.

    Examples
    --------
    >>> m = EIRingModel(J_EE1=4.0, J_EI0=-2.0, J_IE0=1.0, h_E=1.0, h_I=0.0,
    ...                 tau_E=10.0, tau_A=100.0)
    >>> round(drift_J_A(m), 9)    # tau_E / tau_A
    0.1
    """
    from scipy.optimize import brentq

    def margin(ja: float) -> float:
        b = bump_state(model.replace(J_A=ja))
        if b is None:
            raise ValueError("no bump")
        return b.drift_margin

    J_A_max = check_positive("J_A_max", J_A_max)
    grid = np.geomspace(1e-4, J_A_max, 60)
    prev_v, prev_m = None, None
    for v in grid:
        try:
            mv = margin(float(v))
        except ValueError:
            prev_v = None
            continue
        if prev_v is not None and prev_m is not None and prev_m > 0 >= mv:
            return float(brentq(margin, prev_v, float(v), xtol=1e-13, maxiter=max_iter))
        prev_v, prev_m = float(v), mv
    return None
