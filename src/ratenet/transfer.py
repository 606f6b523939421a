"""Transfer functions f(u) that turn an input current into a firing rate.

Every transfer function is a small frozen object with ``__call__`` (the rate),
``derivative`` (the gain f'(u), used for Jacobians) and, for the compiled
simulators, an integer ``kind`` and a parameter triple ``params``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float, check_positive

__all__ = ["PowerLaw", "Sigmoid", "ThresholdLinear", "Transfer"]

# Codes understood by the compiled kernels (ratenet._kernels).
KIND_THRESHOLD_LINEAR = 0
KIND_SIGMOID = 1
KIND_POWER_LAW = 2


class Transfer:
    """Base class: a pointwise rate function.

    Subclasses define ``__call__(u)``, ``derivative(u)``, ``kind`` and ``params``.
    ``is_piecewise_linear`` tells the analysis whether exact active-set
    enumeration applies.
    """

    kind: int = -1
    is_piecewise_linear: bool = False

    @property
    def params(self) -> tuple[float, float, float]:
        raise NotImplementedError

    def __call__(self, u):  # pragma: no cover - abstract
        raise NotImplementedError

    def derivative(self, u):  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class ThresholdLinear(Transfer):
    """Threshold-linear (rectified linear) transfer, ``f(u) = gain * [u - threshold]_+``.

    Parameters
    ----------
    gain : float, default 1
        Slope above threshold (rate per unit input).
    threshold : float, default 0
        Input at which the rate starts to rise.

    Examples
    --------
    >>> f = ThresholdLinear()
    >>> f(np.array([-1.0, 0.5]))
    array([0. , 0.5])
    """

    gain: float = 1.0
    threshold: float = 0.0
    kind = KIND_THRESHOLD_LINEAR
    is_piecewise_linear = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "gain", check_positive("gain", self.gain))
        object.__setattr__(self, "threshold", as_float("threshold", self.threshold))

    @property
    def params(self) -> tuple[float, float, float]:
        return (self.gain, self.threshold, 0.0)

    def __call__(self, u):
        return self.gain * np.maximum(np.asarray(u, dtype=float) - self.threshold, 0.0)

    def derivative(self, u):
        """f'(u): ``gain`` above threshold, 0 below (the right derivative at the kink)."""
        return np.where(np.asarray(u, dtype=float) > self.threshold, self.gain, 0.0)


@dataclass(frozen=True)
class Sigmoid(Transfer):
    """Logistic transfer, ``f(u) = r_max / (1 + exp(-gain * (u - threshold)))``.

    Parameters
    ----------
    gain : float, default 1
        Steepness; the slope at ``threshold`` is ``r_max * gain / 4``.
    threshold : float, default 0
        Input at half-maximal rate.
    r_max : float, default 1
        Saturation rate.
    """

    gain: float = 1.0
    threshold: float = 0.0
    r_max: float = 1.0
    kind = KIND_SIGMOID

    def __post_init__(self) -> None:
        object.__setattr__(self, "gain", check_positive("gain", self.gain))
        object.__setattr__(self, "threshold", as_float("threshold", self.threshold))
        object.__setattr__(self, "r_max", check_positive("r_max", self.r_max))

    @property
    def params(self) -> tuple[float, float, float]:
        return (self.gain, self.threshold, self.r_max)

    def __call__(self, u):
        z = self.gain * (np.asarray(u, dtype=float) - self.threshold)
        return self.r_max * _expit(z)

    def derivative(self, u):
        z = self.gain * (np.asarray(u, dtype=float) - self.threshold)
        s = _expit(z)
        return self.r_max * self.gain * s * (1.0 - s)


@dataclass(frozen=True)
class PowerLaw(Transfer):
    """Rectified power law, ``f(u) = gain * [u - threshold]_+ ** exponent``.

    Parameters
    ----------
    gain : float, default 1
    threshold : float, default 0
    exponent : float, default 2
        Must be >= 1 so that f is continuously differentiable above threshold.
    """

    gain: float = 1.0
    threshold: float = 0.0
    exponent: float = 2.0
    kind = KIND_POWER_LAW

    def __post_init__(self) -> None:
        object.__setattr__(self, "gain", check_positive("gain", self.gain))
        object.__setattr__(self, "threshold", as_float("threshold", self.threshold))
        n = as_float("exponent", self.exponent)
        if n < 1:
            from ._validation import ParameterError

            raise ParameterError("exponent", self.exponent, "a number >= 1")
        object.__setattr__(self, "exponent", n)

    @property
    def params(self) -> tuple[float, float, float]:
        return (self.gain, self.threshold, self.exponent)

    def __call__(self, u):
        v = np.maximum(np.asarray(u, dtype=float) - self.threshold, 0.0)
        return self.gain * v**self.exponent

    def derivative(self, u):
        v = np.maximum(np.asarray(u, dtype=float) - self.threshold, 0.0)
        return self.gain * self.exponent * v ** (self.exponent - 1.0) * (v > 0)


def _expit(z):
    from scipy.special import expit

    return expit(z)
