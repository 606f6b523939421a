"""The drawn regions between the rows of classify_regions: the bistable strip between the
fold-of-cycles curve and the Hopf curve, which moves along the rows from one row to the
next by more than its width, is drawn between its cells in the two rows.

Checked at M_EE = 1.275, half-way between the rows M_EE = 1.25 and 1.30 of the bistable
E-I example (M_II = -0.5): a point in the strip (bistable by simulation from a start
next to the focus and one far out) and a point below it (both starts settle on the
focus).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from ratenet.continuation.cycles import bistable_example
from ratenet.plotting.bifurcation2d import (
    REGIONS,
    _between_rows,
    classify_regions,
    plot_two_parameter,
)

M = bistable_example()
BOX = ("tau_I", 45.0, 65.0, "M_EE", 1.25, 1.30)
M_EE_MID = 1.275


def ei_rhs(tau_I: float, M_EE: float):
    """tau dnu/dt = -nu + [W nu - gamma]_+, written out for the two populations."""
    def f(t, y):
        E, I = y
        uE = M_EE * E + M.M_EI * I - M.gamma_E
        uI = M.M_IE * E + M.M_II * I - M.gamma_I
        return [(-E + max(uE, 0.0)) / M.tau_E, (-I + max(uI, 0.0)) / tau_I]
    return f


def focus(M_EE: float) -> np.ndarray:
    """The both-active equilibrium: (I - W) nu = -gamma."""
    W = np.array([[M_EE, M.M_EI], [M.M_IE, M.M_II]])
    return np.linalg.solve(np.eye(2) - W, -np.array([M.gamma_E, M.gamma_I]))


def late_rates(tau_I: float, M_EE: float, start) -> np.ndarray:
    t_end = 12000.0
    late = np.linspace(t_end - 1500.0, t_end, 1501)
    return solve_ivp(ei_rhs(tau_I, M_EE), (0, t_end), start, rtol=1e-8, atol=1e-8,
                     dense_output=True).sol(late)


def hopf_tau_I(M_EE: float) -> float:
    """The trace of the both-active Jacobian vanishes: tau_I = tau_E (1 - M_II)/(M_EE - 1)."""
    return M.tau_E * (1.0 - M.M_II) / (M_EE - 1.0)


@pytest.fixture(scope="module")
def rows():
    return classify_regions(M, *BOX, num=41, rows=2, time_limit=60.0)


def drawn(ax, p: float, q: float) -> str:
    (mesh,) = ax.collections
    xy = mesh.get_coordinates()
    codes = np.asarray(mesh.get_array()).reshape(xy.shape[0] - 1, xy.shape[1] - 1)
    ix = int(np.searchsorted(xy[0, :, 0], p) - 1)
    iy = int(np.searchsorted(xy[:, 0, 1], q) - 1)
    return REGIONS[int(codes[iy, ix]) - 1]


@pytest.mark.slow
def test_the_bistable_strip_is_drawn_between_the_rows(rows):
    folds = rows.cycle_folds[np.argsort(rows.cycle_folds[:, 1])]
    assert folds[:, 1] == pytest.approx([1.25, 1.30])
    # the strip [fold, Hopf] moves by more than its width from one row to the next
    assert folds[0, 0] - folds[1, 0] > hopf_tau_I(1.25) - folds[0, 0]
    # in the strip half-way between the rows: between the mean of the rows' folds and
    # the Hopf point at M_EE = 1.275 (54.545 ms)
    inside = 0.5 * (0.5 * (folds[0, 0] + folds[1, 0]) + hopf_tau_I(M_EE_MID))
    below = float(folds[1, 0]) - 0.5  # below the lower fold: no stable cycle at M_EE 1.275
    fx = focus(M_EE_MID)
    near = late_rates(inside, M_EE_MID, fx + [1.0, 0.0])
    # the focus is stable: a kick of 1 Hz decays (slowly, this close to the Hopf point)
    assert np.max(np.abs(near - fx[:, None])) < 0.2
    far = late_rates(inside, M_EE_MID, [90.0, 40.0])
    assert np.ptp(far[0]) > 50.0  # and a cycle of tens of Hz coexists
    for start in (fx + [1.0, 0.0], [90.0, 40.0]):
        assert np.max(np.abs(late_rates(below, M_EE_MID, start) - fx[:, None])) < 0.05
    ax = plot_two_parameter(None, rows)
    assert drawn(ax, inside, M_EE_MID) == "bistable"
    assert drawn(ax, below, M_EE_MID) == "stable equilibrium"
    assert drawn(ax, hopf_tau_I(M_EE_MID) + 2.0, M_EE_MID) == "stable cycle"
    plt.close(ax.figure)


def test_runs_are_interpolated_between_rows_and_a_vanishing_region_shrinks():
    # row 0: A on cells 0-5, B on 6-7, C on 8-11; row 1: A on 0-1, B on 2-3, C on 4-11
    codes = np.array([[0] * 6 + [1] * 2 + [2] * 4, [0] * 2 + [1] * 2 + [2] * 8])
    xe = np.arange(13) - 0.5
    ye = np.array([-0.5, 0.5, 1.5])
    fxe, fye, out = _between_rows(codes, xe, ye)
    fx = 0.5 * (fxe[1:] + fxe[:-1])
    fy = 0.5 * (fye[1:] + fye[:-1])
    for k, y in enumerate(fy):
        s = min(max(y, 0.0), 1.0)
        lo, hi = 5.5 - 4 * s, 7.5 - 4 * s  # B's ends, linear between the rows
        inside = (fx > lo + 1e-9) & (fx < hi - 1e-9)
        assert np.all(out[k, inside] == 1)
        assert np.all(out[k, fx < lo - 1e-9] == 0) and np.all(out[k, fx > hi + 1e-9] == 2)
    # a region in one row only: it shrinks to a point at the other row
    codes = np.array([[0] * 8 + [1] * 4, [0] * 12])
    _, _, out = _between_rows(codes, xe, ye)
    width = (out == 1).sum(axis=1)
    mid = width[(fy > 0) & (fy < 1)]
    assert np.all(np.diff(mid) <= 0) and mid[0] > mid[-1]
