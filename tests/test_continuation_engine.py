"""The pseudo-arclength engine on curves whose every point is known in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratenet._validation import ParameterError
from ratenet.continuation import ContinuationError, TestFunction, continue_both, continue_curve


def circle(c: float, r: float):
    F = lambda u, p: np.array([u[0] ** 2 + (p - c) ** 2 - r**2])  # noqa: E731
    J = lambda u, p: np.array([[2 * u[0], 2 * (p - c)]])  # noqa: E731
    return F, J


def test_circle_closes_through_both_folds_exactly():
    F, J = circle(0.0, 1.0)
    fold = TestFunction("fold", lambda u, p: u[0])
    c = continue_curve(F, J, [1.0], 0.0, p_min=-3, p_max=3, tests=[fold], ds=0.05)
    assert c.status == "closed"
    assert sorted(e.p for e in c.events) == pytest.approx([-1.0, 1.0], abs=1e-12)
    # every point is on the circle, and the polygon's length is close to 2 pi
    assert np.max(np.abs(c.u[:, 0] ** 2 + c.p**2 - 1)) < 1e-9
    pts = np.column_stack([c.u[:, 0], c.p])
    length = np.sum(np.linalg.norm(np.diff(pts, axis=0), axis=1))
    assert length == pytest.approx(2 * math.pi, rel=2e-3)
    # at a fold the tangent is vertical in p
    for e in c.events:
        assert abs(e.tangent[-1]) < 1e-6


@settings(max_examples=25, deadline=None)
@given(st.floats(-50, 50), st.floats(0.05, 20))
def test_any_circle_closes_with_folds_at_c_plus_minus_r(c, r):
    F, J = circle(c, r)
    fold = TestFunction("fold", lambda u, p: u[0])
    curve = continue_curve(F, J, [r], c, p_min=c - 2 * r - 1, p_max=c + 2 * r + 1,
                           tests=[fold], ds=r / 10, ds_max=r / 4)
    assert curve.status == "closed"
    assert sorted(e.p for e in curve.events) == pytest.approx([c - r, c + r],
                                                              abs=1e-10 * (1 + abs(c) + r))


def test_parabola_fold_then_bound():
    # u^2 = p: from (1, 1) towards smaller p, round the fold at p = 0, out to (-1, 1)
    F = lambda u, p: np.array([u[0] ** 2 - p])  # noqa: E731
    J = lambda u, p: np.array([[2 * u[0], -1.0]])  # noqa: E731
    fold = TestFunction("fold", lambda u, p: u[0])
    c = continue_curve(F, J, [1.0], 1.0, p_min=-1, p_max=1.0, direction=-1,
                       tests=[fold], ds=0.05)
    assert c.status == "bound"
    assert c.p[-1] == 1.0 and c.u[-1, 0] == pytest.approx(-1.0, abs=1e-10)
    assert len(c.events) == 1 and abs(c.events[0].p) < 1e-12
    assert np.all(np.diff(np.sign(c.u[:, 0])) <= 0)  # u decreases monotonically


def test_non_smooth_fold_at_a_threshold():
    # one self-exciting threshold-linear unit: x = [w x + p]_+ with w = 3.
    # Equilibria for p < 0: x = 0 (silent) and x = -p / (w - 1) (active); they meet at
    # p = 0 with a corner, where the curve turns back (no smooth fold exists).
    w = 3.0
    F = lambda u, p: np.array([-u[0] + max(w * u[0] + p, 0.0)])  # noqa: E731

    def J(u, p):
        on = w * u[0] + p > 0
        return np.array([[-1.0 + (w if on else 0.0), 1.0 if on else 0.0]])

    border = TestFunction("border", lambda u, p: w * u[0] + p, kink=True)
    c = continue_curve(F, J, [0.0], -1.0, p_min=-1, p_max=1, tests=[border], ds=0.1)
    assert c.status == "bound"
    (ev,) = c.events
    assert ev.turns and abs(ev.p) < 1e-12 and abs(ev.u[0]) < 1e-12
    assert c.p[-1] == -1.0 and c.u[-1, 0] == pytest.approx(1 / (w - 1), rel=1e-12)
    on = c.u[:, 0] > 1e-12
    np.testing.assert_allclose(c.u[on, 0], -c.p[on] / (w - 1), rtol=1e-10)


def test_both_directions_give_the_same_curve():
    F = lambda u, p: np.array([u[0] ** 3 - u[0] - p])  # noqa: E731  (an S: two folds)
    J = lambda u, p: np.array([[3 * u[0] ** 2 - 1, -1.0]])  # noqa: E731
    fold = TestFunction("fold", lambda u, p: 3 * u[0] ** 2 - 1)
    kw = dict(p_min=-1.0, p_max=1.0, tests=[fold], ds=0.05)
    a = continue_both(F, J, [0.0], 0.0, **kw)
    lo = continue_curve(F, J, [-1.3247179572447], -1.0, **kw)  # the other end
    assert a.status == lo.status == "bound"
    p_fold = 2 / (3 * math.sqrt(3))
    for c in (a, lo):
        assert sorted(e.p for e in c.events) == pytest.approx([-p_fold, p_fold], abs=1e-12)
        assert {round(float(x), 9) for x in (c.u[0, 0], c.u[-1, 0])} == {
            round(-1.324717957244746, 9), round(1.324717957244746, 9)}


def test_divergence_and_time_limit_are_reported():
    F = lambda u, p: np.array([u[0] * p - 1.0])  # noqa: E731  u = 1/p blows up at 0
    J = lambda u, p: np.array([[p, u[0]]])  # noqa: E731
    c = continue_curve(F, J, [1.0], 1.0, p_min=-1, p_max=1, direction=-1, u_max=50.0)
    assert c.status == "diverged" and np.max(np.abs(c.u)) > 50
    c = continue_curve(F, J, [1.0], 1.0, p_min=-1, p_max=2, time_limit=0.0)
    assert c.status == "time limit"


def test_bad_input_names_the_parameter():
    F, J = circle(0.0, 1.0)
    with pytest.raises(ParameterError, match="p0"):
        continue_curve(F, J, [1.0], 5.0, p_min=-1, p_max=1)
    with pytest.raises(ParameterError, match="p_min"):
        continue_curve(F, J, [1.0], 0.0, p_min=1, p_max=1)
    with pytest.raises(ParameterError, match="direction"):
        continue_curve(F, J, [1.0], 0.0, p_min=-1, p_max=1, direction=0)
    with pytest.raises(ParameterError, match="u0"):
        continue_curve(F, J, [math.nan], 0.0, p_min=-1, p_max=1)
    with pytest.raises(ContinuationError, match="not a solution"):
        continue_curve(lambda u, p: np.array([u[0] ** 2 + 1.0]),
                       lambda u, p: np.array([[2 * u[0], 0.0]]), [1.0], 0.0,
                       p_min=-1, p_max=1)


def test_special_points_beyond_the_bound_are_not_reported():
    # u = p, a special point at p = 0.9; continued only up to p = 0.5 with one big step
    F = lambda u, p: np.array([u[0] - p])  # noqa: E731
    J = lambda u, p: np.array([[1.0, -1.0]])  # noqa: E731
    mark = TestFunction("mark", lambda u, p: p - 0.9)
    c = continue_curve(F, J, [0.0], 0.0, p_min=-1.0, p_max=0.5, tests=[mark], ds=2.0,
                       ds_max=2.0)
    assert c.status == "bound" and c.p[-1] == 0.5
    assert c.events == [] and np.all(c.p <= 0.5)
