"""The E-I ring: an excitatory and an inhibitory population on a ring of orientations.

N units per population sit at angles ``theta_i = 2 pi i / N``; for X, Y in {E, I}
(time in ms, rates in Hz)

    tau_E dr_E/dt = -r_E + f( u_E ),   tau_I dr_I/dt = -r_I + f( u_I ),
    u_X(theta) = (1/N) sum_j sum_Y w_XY(theta - theta_j) r_Y(theta_j)
                 + h_X + eps_X cos(theta - theta0)  [- J_A a(theta) for X = E],
    w_XY(d) = J_XY0 + J_XY1 cos d + sum_{k >= 2} J_XYk cos(k d),

with optional spike-frequency adaptation on E, ``tau_A da/dt = -a + r_E``.

Sign convention (as in :class:`ratenet.EIModel`, weight onto X from Y): every Fourier
coefficient of a coupling *from* E is >= 0 and every one *from* I is <= 0.

Normalisation: the sum is divided by N (the ring model's convention; for large N it is
the continuum average ``(1/2 pi) int d theta'``).  Hence the k-th Fourier mode of the
coupling acts on the k-th mode of the rates with the factor ``J_XY0`` for k = 0 and
``J_XYk / 2`` for k >= 1 (``cos(k(theta - theta'))`` averages to ``1/2`` against
``cos(k theta')``).  Mode 0 of the ring is exactly an :class:`ratenet.EIModel` with
``M_XY = J_XY0`` and ``gamma_X = -h_X``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .._validation import ParameterError, as_float, check_int, check_nonnegative, check_positive
from ..coupling import DenseCoupling, FourierCoupling, ring_angles
from ..network import RateNetwork
from ..transfer import PowerLaw, Sigmoid, ThresholdLinear, Transfer

__all__ = ["EIRingModel"]

_TRANSFERS = {"ThresholdLinear": ThresholdLinear, "Sigmoid": Sigmoid, "PowerLaw": PowerLaw}
_PAIRS = ("EE", "EI", "IE", "II")


@dataclass(frozen=True)
class EIRingModel:
    """Parameters of the E-I ring network; validated when built.

    Units: time in ms, rates in Hz, angles in radians, eigenvalues in 1/ms.

    Parameters
    ----------
    J_EE0, J_EE1 : float, default 0
        Uniform and cos(theta - theta') parts of the coupling onto E from E (>= 0).
    J_EI0, J_EI1 : float, default 0
        Onto E from I (<= 0, inhibitory).
    J_IE0, J_IE1 : float, default 0
        Onto I from E (>= 0).
    J_II0, J_II1 : float, default 0
        Onto I from I (<= 0).
    J_higher : tuple of 4-tuples, default ()
        Higher harmonics: entry ``k - 2`` is ``(J_EEk, J_EIk, J_IEk, J_IIk)`` for
        ``cos(k (theta - theta'))``, k = 2, 3, ... (same signs as above).
    h_E, h_I : float, default 1
        Uniform external inputs (input units; with the default transfer, Hz).
    eps_E, eps_I : float, default 0
        Amplitudes (>= 0) of the tuned inputs ``eps_X cos(theta - theta0)``.
    theta0 : float, default 0
        Stimulus direction (radians).
    tau_E, tau_I : float, default 10
        Time constants (ms, > 0).
    J_A : float, default 0
        Strength of the adaptation on E (>= 0; 0 switches it off).
    tau_A : float, default 100
        Adaptation time constant (ms, > 0).
    N : int, default 256
        Units per population (at least ``2 K + 1`` for K harmonics).
    transfer : Transfer, default ThresholdLinear()
        Rate function, the same for both populations.

    Notes
    -----
    The state has ``2 N`` entries (E then I), ``3 N`` with adaptation (E, I, a).
    Mode k of the coupling matrix onto X from Y is ``J_XY0`` (k = 0) and ``J_XYk / 2``
    (k >= 1); see :meth:`mode_coupling`.

    Examples
    --------
    >>> model = EIRingModel(J_EE1=3.0, J_EI0=-2.0, J_IE0=1.0, h_E=1.0, h_I=0.0, N=64)
    >>> model.n_harmonics, model.n_state
    (1, 128)
    >>> model.mode_coupling(1)   # [[J_EE1, J_EI1], [J_IE1, J_II1]] / 2
    array([[1.5, 0. ],
           [0. , 0. ]])
    """

    J_EE0: float = 0.0
    J_EE1: float = 0.0
    J_EI0: float = 0.0
    J_EI1: float = 0.0
    J_IE0: float = 0.0
    J_IE1: float = 0.0
    J_II0: float = 0.0
    J_II1: float = 0.0
    J_higher: tuple[tuple[float, float, float, float], ...] = ()
    h_E: float = 1.0
    h_I: float = 1.0
    eps_E: float = 0.0
    eps_I: float = 0.0
    theta0: float = 0.0
    tau_E: float = 10.0
    tau_I: float = 10.0
    J_A: float = 0.0
    tau_A: float = 100.0
    N: int = 256
    transfer: Transfer = field(default_factory=ThresholdLinear)

    #: Numeric parameters a sweep or a phase diagram may vary.
    PARAMETERS: ClassVar[tuple[str, ...]] = (
        "J_EE0", "J_EE1", "J_EI0", "J_EI1", "J_IE0", "J_IE1", "J_II0", "J_II1",
        "h_E", "h_I", "eps_E", "eps_I", "theta0", "tau_E", "tau_I", "J_A", "tau_A")

    def __post_init__(self) -> None:
        for pair in _PAIRS:
            for k in (0, 1):
                name = f"J_{pair}{k}"
                object.__setattr__(self, name, _check_sign(name, getattr(self, name), pair))
        higher = self.J_higher
        if isinstance(higher, dict) or not isinstance(higher, (tuple, list)):
            raise ParameterError("J_higher", higher,
                                 "a tuple of (J_EEk, J_EIk, J_IEk, J_IIk) for k = 2, 3, ...")
        rows = []
        for k, row in enumerate(higher, start=2):
            if not isinstance(row, (tuple, list, np.ndarray)) or len(row) != 4:
                raise ParameterError(f"J_higher[{k - 2}]", row,
                                     f"4 numbers (J_EE{k}, J_EI{k}, J_IE{k}, J_II{k})")
            rows.append(tuple(_check_sign(f"J_{p}{k}", v, p) for p, v in zip(_PAIRS, row)))
        object.__setattr__(self, "J_higher", tuple(rows))
        for name in ("h_E", "h_I", "theta0"):
            object.__setattr__(self, name, as_float(name, getattr(self, name)))
        for name in ("eps_E", "eps_I", "J_A"):
            object.__setattr__(self, name, check_nonnegative(name, getattr(self, name)))
        for name in ("tau_E", "tau_I", "tau_A"):
            object.__setattr__(self, name, check_positive(name, getattr(self, name)))
        n_min = max(3, 2 * (1 + len(rows)) + 1)
        object.__setattr__(self, "N", check_int("N", self.N, minimum=n_min))
        if not isinstance(self.transfer, Transfer):
            raise ParameterError("transfer", self.transfer, "a ratenet Transfer instance")

    # ------------------------------------------------------------------ basics
    @classmethod
    def parameter_name(cls, name: str) -> str:
        """Canonical spelling of a numeric parameter given in any letter case
        (``"tau_i"`` and ``"TAU-I"`` give ``"tau_I"``)."""
        key = str(name).strip().lower().replace("-", "_")
        for p in cls.PARAMETERS:
            if p.lower() == key:
                return p
        raise ParameterError("param", name, f"one of {', '.join(cls.PARAMETERS)} (any case)")

    def replace(self, **changes: Any) -> EIRingModel:
        """A copy with some parameters changed (validated again).

        Numeric names may be given in any letter case; ``N``, ``J_higher`` and
        ``transfer`` as written.
        """
        fixed = {}
        for k, v in changes.items():
            fixed[k if k in ("N", "J_higher", "transfer") else self.parameter_name(k)] = v
        return dataclasses.replace(self, **fixed)

    @property
    def theta(self) -> np.ndarray:
        """Preferred angles, shape ``(N,)``, radians in ``[0, 2 pi)``."""
        return ring_angles(self.N)

    @property
    def adaptation(self) -> bool:
        """True when the E population adapts (``J_A > 0``)."""
        return self.J_A > 0.0

    @property
    def n_state(self) -> int:
        """Length of the state vector: ``2 N`` (E, I), ``3 N`` with adaptation (E, I, a)."""
        return (3 if self.adaptation else 2) * self.N

    @property
    def n_harmonics(self) -> int:
        """Number K of coupling harmonics (1 + len(J_higher))."""
        return 1 + len(self.J_higher)

    @property
    def unit_names(self) -> tuple[str, ...]:
        """``("E_0", ..., "I_0", ..., ["a_0", ...])``, one name per state entry."""
        pops = ("E", "I", "a") if self.adaptation else ("E", "I")
        return tuple(f"{p}_{i}" for p in pops for i in range(self.N))

    def coupling_coefficients(self, k: int) -> np.ndarray:
        """Fourier coefficients ``[[J_EEk, J_EIk], [J_IEk, J_IIk]]`` of harmonic k, shape (2, 2).

        Zero beyond the last harmonic given.
        """
        k = check_int("k", k, minimum=0)
        if k <= 1:
            vals = [getattr(self, f"J_{p}{k}") for p in _PAIRS]
        elif k - 2 < len(self.J_higher):
            vals = list(self.J_higher[k - 2])
        else:
            vals = [0.0] * 4
        return np.array(vals, dtype=float).reshape(2, 2)

    def mode_coupling(self, k: int) -> np.ndarray:
        """Coupling matrix seen by Fourier mode k of the rates, shape (2, 2), row = onto.

        ``J_XY0`` for k = 0 and ``J_XYk / 2`` for k >= 1 (the 1/N normalisation).
        """
        c = self.coupling_coefficients(k)
        return c if k == 0 else 0.5 * c

    def kernel(self, d: np.ndarray) -> np.ndarray:
        """Coupling profiles ``w_XY(d)``, shape ``(2, 2) + d.shape``."""
        d = np.asarray(d, dtype=float)
        out = np.zeros((2, 2) + d.shape)
        for k in range(self.n_harmonics + 1):
            J = self.coupling_coefficients(k).reshape((2, 2) + (1,) * d.ndim)
            out += J * np.cos(k * d)
        return out

    def equivalent_ei(self) -> Any:
        """Mode 0 as an :class:`ratenet.EIModel` (``M_XY = J_XY0``, ``gamma_X = -h_X``).

        A spatially uniform state of the ring (``eps_E = eps_I = 0``, no adaptation) obeys
        exactly the dynamics of this two-population model.
        """
        from .ei import EIModel

        return EIModel(M_EE=self.J_EE0, M_EI=self.J_EI0, M_IE=self.J_IE0, M_II=self.J_II0,
                       gamma_E=-self.h_E, gamma_I=-self.h_I, tau_E=self.tau_E,
                       tau_I=self.tau_I, transfer=self.transfer)

    # ------------------------------------------------------------------ dynamics
    def input_external(self) -> np.ndarray:
        """External inputs ``(h_E + eps_E cos(theta - theta0), h_I + ...)``, shape (2, N)."""
        c = np.cos(self.theta - self.theta0)
        return np.stack([self.h_E + self.eps_E * c, self.h_I + self.eps_I * c])

    def input_current(self, x: np.ndarray) -> np.ndarray:
        """Total inputs ``(u_E, u_I)`` for states ``x`` of shape ``(..., n_state)``;
        returns shape ``(..., 2, N)``.  O(N K) through the Fourier moments."""
        x = self._check_state(x)
        N = self.N
        r = x[..., :2 * N].reshape(x.shape[:-1] + (2, N))
        u = np.broadcast_to(self.input_external(), r.shape).copy()
        theta = self.theta
        for k in range(self.n_harmonics + 1):
            J = self.coupling_coefficients(k)
            if not np.any(J):
                continue
            if k == 0:
                mean = r.mean(axis=-1)  # (..., 2)
                u += (mean @ J.T)[..., None]
            else:
                ck, sk = np.cos(k * theta), np.sin(k * theta)
                c = r @ ck / N  # (..., 2)
                s = r @ sk / N
                u += (c @ J.T)[..., None] * ck + (s @ J.T)[..., None] * sk
        if self.adaptation:
            u[..., 0, :] -= self.J_A * x[..., 2 * N:]
        return u

    def rhs(self, t: float, x: np.ndarray) -> np.ndarray:
        """``dx/dt`` (Hz/ms) for states ``x = (r_E, r_I[, a])`` of shape ``(..., n_state)``.

        The dynamics are autonomous; ``t`` is accepted for the integrators' interface.
        """
        x = self._check_state(x)
        N = self.N
        fu = self.transfer(self.input_current(x)).reshape(x.shape[:-1] + (2 * N,))
        out = np.empty_like(x)
        out[..., :N] = (fu[..., :N] - x[..., :N]) / self.tau_E
        out[..., N:2 * N] = (fu[..., N:] - x[..., N:2 * N]) / self.tau_I
        if self.adaptation:
            out[..., 2 * N:] = (x[..., :N] - x[..., 2 * N:]) / self.tau_A
        return out

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        """Jacobian of :meth:`rhs` at ``x`` (shape ``(n_state,)``), shape ``(n_state, n_state)``,
        in 1/ms.  Dense: O(N^2) memory.  For threshold-linear transfer it is exact inside each
        region of fixed active set (right derivative on a threshold)."""
        x = self._check_state(x)
        if x.ndim != 1:
            raise ParameterError("x", f"array of shape {x.shape}", f"shape ({self.n_state},)")
        N = self.N
        gain = self.transfer.derivative(self.input_current(x)).reshape(2 * N)
        W = self._weight_matrix()
        n = self.n_state
        Jm = np.zeros((n, n))
        Jm[:2 * N, :] = gain[:, None] * W
        Jm[np.arange(n), np.arange(n)] -= 1.0
        tau = np.concatenate([np.full(N, self.tau_E), np.full(N, self.tau_I)]
                             + ([np.full(N, self.tau_A)] if self.adaptation else []))
        if self.adaptation:
            Jm[2 * N + np.arange(N), np.arange(N)] += 1.0
        return Jm / tau[:, None]

    def _weight_matrix(self) -> np.ndarray:
        """Dense weights onto the 2N rate units from the state (2N x n_state)."""
        N = self.N
        W = np.zeros((2 * N, self.n_state))
        for a in range(2):
            for b in range(2):
                modes = [self.coupling_coefficients(k)[a, b] for k in range(self.n_harmonics + 1)]
                W[a * N:(a + 1) * N, b * N:(b + 1) * N] = FourierCoupling(modes, N).matrix()
        if self.adaptation:
            W[np.arange(N), 2 * N + np.arange(N)] = -self.J_A
        return W

    def to_network(self) -> RateNetwork:
        """The equivalent :class:`RateNetwork` (dense O(N^2) weights), units E then I.

        With adaptation the network has 3N units, the last N being ``a``, each driven by its
        own E unit; this is exact only for the default transfer ``ThresholdLinear()`` with
        non-negative rates (then ``f(r_E) = r_E``), and refused otherwise.
        """
        N = self.N
        W = self._weight_matrix()
        tau = [np.full(N, self.tau_E), np.full(N, self.tau_I)]
        h = self.input_external().reshape(2 * N)
        if self.adaptation:
            t = self.transfer
            if not (isinstance(t, ThresholdLinear) and t.gain == 1.0 and t.threshold == 0.0):
                raise ParameterError("transfer", t, "ThresholdLinear() (gain 1, threshold 0) "
                                     "for a RateNetwork with adaptation units",
                                     hint="use EIRingModel.rhs / ratenet.simulate instead")
            Wa = np.zeros((N, 3 * N))
            Wa[np.arange(N), np.arange(N)] = 1.0
            W = np.vstack([W, Wa])
            tau.append(np.full(N, self.tau_A))
            h = np.concatenate([h, np.zeros(N)])
        return RateNetwork(W=DenseCoupling(W), tau=np.concatenate(tau), h=h,
                           transfer=self.transfer, names=self.unit_names)

    def _check_state(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.ndim == 0 or x.shape[-1] != self.n_state:
            raise ParameterError("x", f"array of shape {x.shape}",
                                 f"last dimension n_state = {self.n_state}")
        return x

    def divergence_cause(self) -> str:
        """A sentence on why the rates may grow without bound for these parameters."""
        t = self.transfer
        g = t.gain if isinstance(t, ThresholdLinear) else 1.0
        worst = None
        for k in range(self.n_harmonics + 1):
            A = g * self.mode_coupling(k)
            A[0, 0] -= g * self.J_A if k == 0 and self.adaptation else 0.0
            lam = np.linalg.eigvals((A - np.eye(2)) / np.array([self.tau_E, self.tau_I])[:, None])
            if worst is None or lam.real.max() > worst[1].real.max():
                worst = (k, lam)
        assert worst is not None
        k, lam = worst
        if lam.real.max() > 0:
            return (f"with every unit active, Fourier mode {k} grows (eigenvalues "
                    f"{', '.join(f'{z:.3g}' for z in lam)} 1/ms): recurrent excitation "
                    f"J_EE{k} = {self.coupling_coefficients(k)[0, 0]:g} is not held by inhibition")
        return "time step too large for the chosen method, or runaway excitation"

    # ----------------------------------------------------------- serialisation
    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON parameters (the transfer function by type and fields)."""
        t = self.transfer
        d: dict[str, Any] = {"model": "ei_ring"}
        d.update(self.__dict__)  # the fields, in order (a batch of thousands is saved)
        d["J_higher"] = [list(r) for r in self.J_higher]
        d["transfer"] = {"type": type(t).__name__, **vars(t)}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EIRingModel:
        """Rebuild from :meth:`to_dict` output."""
        d = dict(d)
        model = d.pop("model", "ei_ring")
        d.pop("noise", None)  # recorded by a noisy simulation; not a model parameter
        if model != "ei_ring":
            raise ParameterError("model", model, "'ei_ring'")
        tr = dict(d.pop("transfer", {"type": "ThresholdLinear"}))
        kind = tr.pop("type", "ThresholdLinear")
        if kind not in _TRANSFERS:
            raise ParameterError("transfer.type", kind, f"one of {tuple(_TRANSFERS)}")
        d["transfer"] = _TRANSFERS[kind](**tr)
        d["J_higher"] = tuple(tuple(r) for r in d.get("J_higher", ()))
        return cls(**d)


def _check_sign(name: str, value: Any, pair: str) -> float:
    v = as_float(name, value)
    if pair[1] == "E" and v < 0:
        raise ParameterError(name, value, "a finite number >= 0 (a coupling from E is "
                             "excitatory)")
    if pair[1] == "I" and v > 0:
        raise ParameterError(name, value, "a finite number <= 0 (a coupling from I is "
                             "inhibitory)")
    return v
