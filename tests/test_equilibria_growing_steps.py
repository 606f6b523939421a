"""A branch of equilibria going to infinity is followed with steps growing with the state.

E-I model with ``M_II = -1`` (other weights at their defaults, ``h = (10, -10)``): in the
region where both units are active the equilibrium is ``x = (I - W)^-1 h = (30, 10 M_EE) /
(3 - 2 M_EE)`` (closed form), which goes to infinity as ``M_EE -> 1.5``.
"""

from __future__ import annotations

import numpy as np
import pytest

from ratenet import EIModel
from ratenet.continuation import continue_equilibria
from ratenet.continuation.equilibria import _state_cap


def closed_form(m_ee: np.ndarray) -> np.ndarray:
    return np.column_stack([30.0 + 0 * m_ee, 10.0 * m_ee]) / (3.0 - 2.0 * m_ee)[:, None]


def test_branch_to_infinity_reaches_u_max_in_few_steps_on_the_closed_form():
    res = continue_equilibria(EIModel(M_II=-1.0, tau_I=80.0), "M_EE", 1.1, 1.6)
    (b,) = res.branches
    assert b.status == "diverged"
    assert len(b) < 100  # 263 points with the step fixed within each segment
    assert np.max(np.abs(b.states[-1])) > 1e8  # the default u_max
    assert 0 < 1.5 - b.values[-1] < 1e-6
    assert b.values[0] == pytest.approx(1.1, abs=1e-12)
    np.testing.assert_allclose(b.states, closed_form(b.values), rtol=1e-8)
    # the non-smooth Hopf point on it: trace 0, (M_EE - 1) / tau_E = (1 - M_II) / tau_I
    (h,) = [p for p in res.points if "Hopf" in p.kind]
    assert h.value == pytest.approx(1.0 + 10.0 * 2.0 / 80.0, abs=1e-10)


def test_cap_is_the_largest_step_until_the_state_doubles_then_half_the_excess():
    cap = _state_cap(np.array([3.0, -9.0]), 0.5)
    s0 = 2.0 * (1.0 + 9.0)
    assert cap(np.array([s0, 1.0]), 0.0) == 0.5
    assert cap(np.array([1.0, -(s0 + 10.0)]), 0.0) == pytest.approx(5.0)
    assert cap(np.array([s0 + 1e6, 0.0]), 0.0) == pytest.approx(5e5)
