"""Recurrent coupling: one interface, three implementations.

A coupling turns the rates ``x`` of shape ``(..., N)`` into the recurrent input
``sum_j W_ij x_j`` of the same shape.  The ring model's weights
``W_ij = w(theta_i - theta_j) / N`` can be applied

* in O(N K) when ``w`` has K Fourier modes (:class:`FourierCoupling`),
* in O(N log N) by FFT for any circulant kernel (:class:`CirculantCoupling`),
* in O(N^2) for any matrix (:class:`DenseCoupling`).

All three agree to rounding error on the same weights (tested), so the
integrators need not know which they have.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ._validation import ParameterError, as_float, as_float_array, check_int, max_count

__all__ = ["CirculantCoupling", "Coupling", "DenseCoupling", "FourierCoupling", "ring_angles"]


def ring_angles(N: int) -> np.ndarray:
    """Preferred angles ``theta_i = 2 pi i / N``, shape ``(N,)``.

    Parameters
    ----------
    N : int
        Number of units (>= 1).

    Returns
    -------
    ndarray of shape (N,)
        Radians, in ``[0, 2 pi)``.

    Examples
    --------
    >>> ring_angles(4) / np.pi
    array([0. , 0.5, 1. , 1.5])
    """
    N = check_int("N", N, minimum=1, maximum=max_count(64.0))  # a few N-arrays must fit
    return 2.0 * np.pi * np.arange(N) / N


def _circulant(w: np.ndarray) -> np.ndarray:
    """``W[i, j] = w[(i - j) mod N]``, built row by row from one doubled copy of ``w``."""
    N = w.size
    ww = np.concatenate([w[::-1], w[::-1]])  # ww[N - 1 - k] = w[k], twice
    W = np.empty((N, N))
    for i in range(N):
        # row i: w[(i - j) mod N] for j = 0..N-1, i.e. ww[N - 1 - i + j]
        W[i] = ww[N - 1 - i:2 * N - 1 - i]
    return W


class Coupling:
    """Interface: ``apply(x)`` and ``matrix()``; ``N`` is the number of units."""

    N: int

    def apply(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """Recurrent input ``W @ x`` for ``x`` of shape ``(..., N)``."""
        raise NotImplementedError

    def matrix(self) -> np.ndarray:  # pragma: no cover - abstract
        """The dense weight matrix ``W`` of shape ``(N, N)``."""
        raise NotImplementedError

    def _check(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.shape[-1] != self.N:
            raise ValueError(f"x must have last dimension N = {self.N} (got shape {x.shape})")
        return x


class FourierCoupling(Coupling):
    """Cosine-series kernel ``w(d) = J0 + sum_k J_k cos(k d)``, applied in O(N K).

    Parameters
    ----------
    J : sequence of float
        ``(J0, J1, J2, ...)``: the uniform coupling and the Fourier modes.
    N : int
        Number of units; must exceed ``2 K`` so every mode is resolved.
    """

    def __init__(self, J: Sequence[float], N: int) -> None:
        J = tuple(as_float(f"J{k}", v) for k, v in enumerate(J))
        if len(J) < 1:
            raise ParameterError("J", J, "a sequence with at least J0")
        self.J = J
        K = len(J) - 1
        self.N = check_int("N", N, minimum=max(3, 2 * K + 1), maximum=max_count(16.0 * K + 64))
        theta = ring_angles(self.N)
        k = np.arange(1, K + 1)[:, None]
        self._cos = np.cos(k * theta)  # (K, N)
        self._sin = np.sin(k * theta)
        self._Jk = np.array(J[1:], dtype=float)

    def apply(self, x: np.ndarray) -> np.ndarray:
        x = self._check(x)
        out = self.J[0] * x.mean(axis=-1, keepdims=True) + np.zeros_like(x)
        if self._Jk.size:
            c = x @ self._cos.T / self.N  # (..., K)
            s = x @ self._sin.T / self.N
            out = out + (c * self._Jk) @ self._cos + (s * self._Jk) @ self._sin
        return out

    def matrix(self) -> np.ndarray:
        d = ring_angles(self.N)  # the N distinct angle differences
        w = np.full_like(d, self.J[0])
        for k, Jk in enumerate(self.J[1:], start=1):
            w += Jk * np.cos(k * d)
        return _circulant(w / self.N)


class CirculantCoupling(Coupling):
    """Any circulant kernel ``W_ij = w(theta_i - theta_j) / N``, applied by FFT.

    Parameters
    ----------
    kernel : array_like of shape (N,)
        ``w`` sampled at the angle differences ``2 pi d / N``, d = 0..N-1.
    """

    def __init__(self, kernel: np.ndarray) -> None:
        w = np.asarray(kernel, dtype=float)
        if w.ndim != 1 or w.size < 3:
            raise ParameterError("kernel", f"array of shape {w.shape}",
                                 "a 1-D array of length >= 3")
        if not np.all(np.isfinite(w)):
            raise ParameterError("kernel", "array with non-finite entries", "finite values")
        self.N = w.size
        self.kernel = w
        self._w_hat = np.fft.rfft(w) / self.N

    @classmethod
    def from_function(cls, w: Callable[[np.ndarray], np.ndarray], N: int) -> CirculantCoupling:
        """Sample ``w(d)`` at ``d = 2 pi k / N``."""
        N = check_int("N", N, minimum=3)
        return cls(np.asarray(w(ring_angles(N)), dtype=float))

    def apply(self, x: np.ndarray) -> np.ndarray:
        x = self._check(x)
        return np.fft.irfft(np.fft.rfft(x, axis=-1) * self._w_hat, n=self.N, axis=-1)

    def matrix(self) -> np.ndarray:
        return _circulant(self.kernel / self.N)


class DenseCoupling(Coupling):
    """An arbitrary weight matrix ``W`` of shape ``(N, N)``, applied in O(N^2)."""

    def __init__(self, W: np.ndarray) -> None:
        W = np.ascontiguousarray(as_float_array("W", W, allow_nan=True, allow_inf=True))
        if W.ndim != 2 or W.shape[0] != W.shape[1]:
            raise ParameterError("W", f"array of shape {W.shape}", "a square 2-D array")
        if not np.all(np.isfinite(W)):
            raise ParameterError("W", "matrix with non-finite entries", "finite values")
        self.N = W.shape[0]
        self.W = W

    def apply(self, x: np.ndarray) -> np.ndarray:
        x = self._check(x)
        if x.ndim == 1:
            return self.W @ x
        return x @ self.W.T

    def matrix(self) -> np.ndarray:
        return self.W.copy()
