"""Active-set regions of a threshold-linear network and their linear dynamics.

A threshold-linear network ``tau_i dx_i/dt = -x_i + g [sum_j W_ij x_j + h_i - theta]_+``
splits its state space by which units are above threshold (the *active set*).  Inside
one region the dynamics are linear, ``dx/dt = A x + c``: :func:`region_system` builds
``A`` and ``c``, :class:`Region` solves them in closed form.  Everything exact in
ratenet (fixed points, flows, shooting, continuation, Lyapunov spectra) stands on these.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.linalg import expm

from ..network import RateNetwork

__all__ = ["Region", "region_system"]


def region_system(net: RateNetwork, active: tuple[bool, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Linear dynamics ``dx/dt = A x + c`` of a threshold-linear network in one region.

    Parameters
    ----------
    net : RateNetwork
        With :class:`ratenet.ThresholdLinear` transfer and constant input.
    active : tuple of bool, length n
        Which units are above threshold.

    Returns
    -------
    A : ndarray of shape (n, n)
    c : ndarray of shape (n,)

    Examples
    --------
    With both populations of the default E-I model active, ``A = diag(1/tau) (M - I)`` and
    ``c = -diag(1/tau) gamma``; the region's fixed point solves ``A x + c = 0``:

    >>> from ratenet import EIModel
    >>> A, c = region_system(EIModel().to_network(), (True, True))
    >>> bool(np.allclose(A, [[0.25 / 10, -1 / 10], [1 / 30, -1 / 30]]))
    True
    >>> np.linalg.solve(A, -c)   # (80/3, 50/3) Hz
    array([26.66666667, 16.66666667])
    """
    tr = net.transfer
    g, thr = tr.gain, tr.threshold  # type: ignore[attr-defined]
    D = g * np.asarray(active, dtype=float)
    tau = np.asarray(net.tau, dtype=float)
    A = (D[:, None] * net.weights - np.eye(net.n)) / tau[:, None]
    c = D * (net.external(0.0) - thr) / tau
    return A, c


class Region:
    """Closed-form solution of ``dx/dt = A x + c`` (one active set)."""

    def __init__(self, A: np.ndarray, c: np.ndarray) -> None:
        self.A, self.c = A, c
        n = A.shape[0]
        lam, V = np.linalg.eig(A)
        self.lam = lam
        self.rate = float(max(np.max(np.abs(lam)), 1e-12))
        self.modal = bool(np.linalg.cond(V) < 1e8 and abs(np.linalg.det(A)) > 1e-14 * self.rate**n)
        if self.modal:
            self.V = V
            self.Vinv = np.linalg.inv(V)
            self.xstar = np.linalg.solve(A, -c)
        else:
            M = np.zeros((n + 1, n + 1))
            M[:n, :n], M[:n, n] = A, c
            self.M = M
        self._lyap: tuple[np.ndarray, np.ndarray] | None = None

    def propagate(self, x0: np.ndarray, s: Any) -> np.ndarray:
        """States at times ``s`` (K,) after ``x0``: shape (K, n)."""
        s = np.atleast_1d(np.asarray(s, dtype=float))
        if self.modal:
            coef = self.Vinv @ (x0 - self.xstar)
            E = np.exp(np.outer(s, self.lam)) * coef
            return self.xstar + (E @ self.V.T).real
        n = x0.size
        y0 = np.append(x0, 1.0)
        return np.array([(expm(self.M * si) @ y0)[:n] for si in s])

    def at(self, x0: np.ndarray):
        """A fast function ``s -> x(s)`` (scalar ``s``) for the orbit from ``x0``."""
        if not self.modal:
            return lambda s: self.propagate(x0, [s])[0]
        coef = self.Vinv @ (x0 - self.xstar)
        V, lam, xstar = self.V, self.lam, self.xstar
        return lambda s: xstar + (V @ (np.exp(lam * s) * coef)).real

    def derivative(self, s: float) -> np.ndarray:
        """``expm(A s)``: derivative of the flow over time ``s``."""
        if self.modal:
            return ((self.V * np.exp(self.lam * s)) @ self.Vinv).real
        n = self.A.shape[0]
        return expm(self.M * s)[:n, :n]
