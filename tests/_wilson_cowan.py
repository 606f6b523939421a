"""The Wilson-Cowan model of Neuromatch W2D4, for the continuation tests.

Built as a RateNetwork with a per-population shifted sigmoid, and written out again
without ratenet (``wc_F``, ``wc_J``) for the independent root solves.
"""

from __future__ import annotations

import numpy as np

from ratenet.network import RateNetwork
from ratenet.transfer import Transfer


class WCSigmoid(Transfer):
    """Neuromatch W2D4 sigmoid, per population, shifted so that S(0) = 0:
    S(x) = 1 / (1 + exp(-a (x - theta))) - 1 / (1 + exp(a theta))."""

    def __init__(self, a, theta):
        self.a = np.asarray(a, dtype=float)
        self.theta = np.asarray(theta, dtype=float)

    def __call__(self, u):
        u = np.asarray(u, dtype=float)
        return 1 / (1 + np.exp(-self.a * (u - self.theta))) - 1 / (1 + np.exp(self.a * self.theta))

    def derivative(self, u):
        s = 1 / (1 + np.exp(-self.a * (np.asarray(u, dtype=float) - self.theta)))
        return self.a * s * (1 - s)


WC_S = WCSigmoid([1.2, 1.0], [2.8, 4.0])
WC_TAU = np.array([1.0, 2.0])


def wc_network(I_E: float, w=(9.0, 4.0, 13.0, 11.0)) -> RateNetwork:
    wEE, wEI, wIE, wII = w
    return RateNetwork(W=[[wEE, -wEI], [wIE, -wII]], tau=WC_TAU, h=[I_E, 0.0], transfer=WC_S,
                       names=("E", "I"))


def wc_F(x, I_E, w):
    """W2D4 right-hand side written out (no ratenet)."""
    wEE, wEI, wIE, wII = w
    E, I_ = x
    uE = wEE * E - wEI * I_ + I_E
    uI = wIE * E - wII * I_
    S = lambda u, a, th: 1 / (1 + np.exp(-a * (u - th))) - 1 / (1 + np.exp(a * th))  # noqa: E731
    return np.array([(-E + S(uE, 1.2, 2.8)) / 1.0, (-I_ + S(uI, 1.0, 4.0)) / 2.0])


def wc_J(x, I_E, w):
    """Jacobian of wc_F, differentiated by hand (S' = a s (1 - s))."""
    wEE, wEI, wIE, wII = w
    E, I_ = x
    sE = 1 / (1 + np.exp(-1.2 * (wEE * E - wEI * I_ + I_E - 2.8)))
    sI = 1 / (1 + np.exp(-1.0 * (wIE * E - wII * I_ - 4.0)))
    dE, dI = 1.2 * sE * (1 - sE), 1.0 * sI * (1 - sI)
    return np.array([[(-1 + wEE * dE) / 1.0, -wEI * dE / 1.0],
                     [wIE * dI / 2.0, (-1 - wII * dI) / 2.0]])
