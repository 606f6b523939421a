"""simulate(seed=...) on a network other than the ring: zeros to start, no noise, so the seed
changes nothing, and a non-default seed is warned about instead of ignored silently."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ratenet as rn
from ratenet import RateNetwork
from ratenet.models.ei import EIModel

B = np.array([1.0, 2.0, 0.5])
TAU, DT, STEPS = 2.0, 0.1, 50


def _run(net, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return rn.simulate(net, t_max=STEPS * DT, dt=DT, **kw)


def test_plain_network_starts_from_zeros_whatever_the_seed():
    # dx/dt = (-x + [b]_+) / tau from x = 0: forward Euler gives x_k = b (1 - (1 - dt/tau)^k)
    net = RateNetwork(W=np.zeros((3, 3)), tau=TAU, h=B)
    for seed in (0, None, 5, 2**40):
        traj = _run(net, seed=seed)
        k = np.arange(traj.rates.shape[0])[:, None]
        np.testing.assert_allclose(traj.rates, B * (1 - (1 - DT / TAU) ** k),
                                   rtol=1e-13, atol=1e-15)


def test_a_seed_without_effect_is_warned_about():
    net = RateNetwork(W=[[0.5, -1.0], [1.0, 0.0]], tau=1.0, h=[1.0, 0.5])
    with pytest.warns(UserWarning, match=r"seed = 7 has no effect.*RateNetwork.*x0"):
        rn.simulate(net, t_max=1.0, dt=0.01, seed=7)
    with pytest.warns(UserWarning, match="EIModel"):
        rn.simulate(EIModel(tau_I=30.0), t_max=10.0, dt=0.1, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # the default seed, None or x0 alone: silent
        rn.simulate(net, t_max=1.0, dt=0.01)
        rn.simulate(net, t_max=1.0, dt=0.01, seed=None)
        rn.simulate(net, t_max=1.0, dt=0.01, x0=[0.2, 0.1])


def test_ring_seed_still_draws_the_initial_rates():
    m = rn.RingModel(J0=-1.0, J1=1.0, h0=1.0, N=32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = rn.simulate(m, t_max=0.1, dt=0.01, seed=1).rates[0]
        b = rn.simulate(m, t_max=0.1, dt=0.01, seed=2).rates[0]
    assert np.all((a >= 0) & (a < 1e-3)) and not np.array_equal(a, b)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(min_value=1, max_value=2**63 - 1))
def test_any_seed_gives_the_default_run(seed):
    net = RateNetwork(W=[[0.2, -0.5], [0.8, -0.1]], tau=[1.0, 2.0], h=[1.0, -0.2])
    np.testing.assert_array_equal(_run(net, seed=seed).rates, _run(net).rates)
