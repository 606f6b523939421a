"""A Transfer subclass of the user's own runs through simulate (on the NumPy engine)."""

from __future__ import annotations

import numpy as np
import pytest

from ratenet import ParameterError, RingModel, ThresholdLinear, Transfer, simulate


class MyRectifier(Transfer):
    """[u]_+ written by a user: no compiled kind, so only NumPy can call it."""

    is_piecewise_linear = True

    @property
    def params(self) -> tuple[float, float, float]:
        return (0.0, 0.0, 0.0)

    def __call__(self, u):
        return np.maximum(u, 0.0)

    def derivative(self, u):
        return (np.asarray(u) > 0).astype(float)


def test_own_transfer_matches_the_built_in_one():
    kw = dict(N=64, J0=-2.0, J1=3.0, h0=1.0, eps=0.2)
    mine = simulate(RingModel(transfer=MyRectifier(), **kw), t_max=5.0, seed=3)
    ref = simulate(RingModel(transfer=ThresholdLinear(), **kw), t_max=5.0, seed=3)
    np.testing.assert_allclose(mine.rates, ref.rates, rtol=1e-10, atol=1e-12)


def test_compiled_engine_refuses_it_by_name():
    with pytest.raises(ParameterError, match="Transfer subclass of your own"):
        simulate(RingModel(N=16, transfer=MyRectifier()), t_max=1.0, engine="compiled")
