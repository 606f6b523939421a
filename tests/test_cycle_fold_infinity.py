"""The fold-of-cycles curve whose cycle goes to infinity stops on the rate cap.

E-I model with M_II = -1 (M_EI = -1, M_IE = 1): in the both-active region
det(W - I) = (M_EE - 1)(M_II - 1) - M_EI M_IE = 1 - 2 (M_EE - 1) vanishes at
M_EE = 1.5, where equilibrium and cycles go to infinity.  The curve through the fold
at M_EE = 1.25 runs up towards that line, its orbit growing; it must end there with
the label "cycle at infinity" in few points instead of crawling to max_steps.
"""

from __future__ import annotations

import numpy as np
import pytest

from ratenet import EIModel, ParameterError
from ratenet.continuation.cycle_folds import continue_cycle_folds

# a stable cycle of the branch with the fold (the CLI starts from one too)
MODEL = EIModel(M_II=-1.0, tau_I=77.5)
BOX = ("tau_I", 40.0, 80.0, "M_EE", 1.1, 1.6)


def singular_M_EE(m: EIModel) -> float:
    """det(W - I) = 0 in the both-active region."""
    return 1.0 + m.M_EI * m.M_IE / (m.M_II - 1.0)


@pytest.mark.slow
def test_the_end_going_to_infinity_stops_on_the_rate_cap_in_few_points():
    cap = 160.0  # Hz; the starting fold's largest rate is about 108 Hz
    c = continue_cycle_folds(MODEL, *BOX, rate_cap=cap)
    assert singular_M_EE(MODEL) == pytest.approx(1.5)
    P, Q, T = (np.array(c[k]) for k in ("tau_I", "M_EE", "period"))
    assert c["ends"] == ["bound", "cycle at infinity"]
    assert c["status"] == "cycle at infinity"
    assert "rate cap" in c["message"] and "160" in c["message"]
    # the other end on the edge tau_I = 80 of the box
    assert P[0] == pytest.approx(80.0, abs=1e-8)
    assert len(P) < 100  # not max_steps = 400
    # towards that end M_EE rises towards the singular line and stays below it, the
    # period grows (the orbit grows) and tau_I falls
    tail = slice(len(P) // 2, None)
    assert np.all(np.diff(Q[tail]) > 0) and Q[-1] < singular_M_EE(MODEL)
    assert np.all(np.diff(T[tail]) > 0) and np.all(np.diff(P[tail]) < 0)


def test_a_rate_cap_below_the_starting_orbit_is_refused():
    with pytest.raises(ParameterError) as err:
        continue_cycle_folds(MODEL, *BOX, rate_cap=50.0)
    assert err.value.name == "rate_cap"
