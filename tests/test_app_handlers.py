"""The explorer's request handlers under hostile input, and what a session leaves behind.

* Hypothesis: any number (or non-number) a browser may send for a slider, a typed box or a
  click is either taken (within the explorer's limits) or refused with a message naming
  it, the last valid picture kept and the slider put back; nothing raises;
* a closed session is released whole (Panel's JavaScript-link registry would keep every
  session with an editable slider alive for good);
* the order parameter C(t) and the cached theory equal their definitions.
"""

from __future__ import annotations

import gc
import math
import weakref

import numpy as np
import pytest

pytest.importorskip("panel", reason="the explorer needs the 'app' extra (panel, bokeh)")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratenet import RingModel, simulate
from ratenet.app import DEFAULT_LIMITS, LimitExceeded, _api, create_app

hostile = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from([0, -0.0, 5e-324, 1e308, -1e308, True, False, None, "", "1e3", "abc",
                     "nan", [1.0], {"a": 1}]),
)


@settings(max_examples=150, deadline=None)
@given(value=hostile, lo=st.integers(-100, 100), width=st.integers(0, 100))
def test_limits_take_a_value_in_range_or_refuse_it_by_name(value, lo, width):
    hi = lo + width
    try:
        got = DEFAULT_LIMITS.check_int("N", value, lo, hi)
    except LimitExceeded as err:
        assert err.name == "N" and f"[{lo}, {hi}]" in str(err)
    else:
        assert type(got) is int and lo <= got <= hi
        assert not isinstance(value, bool) and float(value) == got
    try:
        f = DEFAULT_LIMITS.check_float("eps", value, float(lo), float(hi))
    except LimitExceeded as err:
        assert err.name == "eps"
    else:
        assert type(f) is float and math.isfinite(f) and lo <= f <= hi
        assert not isinstance(value, bool) and f == float(value)


@pytest.fixture(scope="module")
def ring():
    return create_app().ratenet_views["ring"]


@pytest.fixture(scope="module")
def ei():
    return create_app().ratenet_views["ei"]


def _force(widget, value) -> bool:
    """Set a widget's value as a browser message would (False where Panel itself refuses)."""
    try:
        widget.value = value
    except (ValueError, TypeError):
        return False
    return True


RING_BOUNDS = {"J0": (-10.0, 2.0), "J1": (0.0, 6.0), "h0": (0.0, 5.0), "eps": (0.0, 1.0),
               "N": (8, 4096), "duration": (0.5, 500.0)}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(RING_BOUNDS)), value=hostile)
def test_ring_handler_takes_or_refuses_any_value(ring, name, value):
    widget = ring.sliders[name]
    before = ring._valid.get(name, widget.value)
    updates = ring.updates
    profile = np.asarray(ring.src_prof.data["m"]).copy()
    ring._busy = True  # set silently, then run the handler as the slider's watcher does
    ok = _force(widget, value)
    ring._busy = False
    if not ok:
        return
    ring._on_slider(None)  # must not raise
    lo, hi = RING_BOUNDS[name]
    taken = (not isinstance(value, (bool, str, type(None), list, dict))
             and _finite_in(value, lo, hi)
             and (name != "N" or float(value).is_integer()))
    if taken:
        assert ring.updates == updates + 1 and not ring.alert.visible
        m = np.asarray(ring.src_prof.data["m"])
        assert np.all(np.isfinite(m)) and np.all(m >= 0)
    else:
        assert ring.alert.visible and "Request refused" in ring.alert.object
        assert name in ring.alert.object
        assert ring.updates == updates  # nothing recomputed, the picture kept
        np.testing.assert_array_equal(ring.src_prof.data["m"], profile)
        assert widget.value == before  # the slider is put back
    # put the widget back where the other examples expect it
    ring._busy = True
    widget.value = ring._valid[name]
    ring._busy = False


def _finite_in(value, lo, hi) -> bool:
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError):
        return False
    return math.isfinite(f) and lo <= f <= hi


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(x=hostile, y=hostile)
def test_ei_click_anywhere_is_taken_inside_the_window_or_refused(ei, x, y):
    class Tap:
        pass

    tap = Tap()
    tap.x, tap.y = x, y
    xr, yr = ei.fig_phase.x_range, ei.fig_phase.y_range
    start = ei._start
    ei._on_tap(tap)  # must not raise
    inside = (not isinstance(x, (bool, str, type(None), list, dict))
              and not isinstance(y, (bool, str, type(None), list, dict))
              and _finite_in(x, min(0.0, xr.start), xr.end)
              and _finite_in(y, min(0.0, yr.start), yr.end))
    if inside:
        assert ei._start == (max(float(x), 0.0), max(float(y), 0.0))
        tx = np.asarray(ei.src_traj.data["x"])
        assert tx.size > 0 and abs(tx[0] - ei._start[0]) < 1e-9
    else:
        assert ei._start == start and ei.alert.visible
        assert "click nu_" in ei.alert.object


# ------------------------------------------------------------------ memory
def test_a_released_session_is_collected_whole():
    page = create_app()
    views = page.ratenet_views
    views["ei"]  # both views, each with editable sliders
    alive = [weakref.ref(views["ring"]), weakref.ref(views["ei"]), weakref.ref(page)]
    from panel.links import Callback

    mine = [w for w in (r() for r in views._links) if w is not None]
    assert mine and all(w in Callback.registry for w in mine)
    del mine
    removed = views.release()
    assert removed >= 2  # the N and duration boxes of the ring, duration and grid of E-I
    del page, views
    gc.collect()
    assert [r() for r in alive] == [None, None, None]


def test_without_release_panel_keeps_the_session():
    """The leak that release() fixes (if Panel fixes it, this test says so)."""
    page = create_app()
    ref = weakref.ref(page.ratenet_views["ring"])
    links = list(page.ratenet_views._links)
    del page
    gc.collect()
    try:
        assert ref() is not None, "Panel no longer leaks sessions: release() may go"
    finally:
        from panel.links import Callback

        for r in links:
            if r() is not None:
                Callback.registry.pop(r(), None)


# ------------------------------------------------------- exact quantities
def test_order_parameter_C_is_the_population_vector():
    theta0 = 2 * np.pi * 7 / 64  # on a unit: the discrete bump is symmetric about it
    model = RingModel(J0=-2.0, J1=3.0, h0=1.0, eps=0.1, theta0=theta0, N=64)
    run = _api.simulate_ring(J0=-2.0, J1=3.0, h0=1.0, eps=0.1, theta0=theta0, N=64,
                             t_start=0.0, duration=40.0, frames=50, x0=None)
    traj = simulate(model, t_max=40.0, dt=0.02, record_every=2000 // 50,
                    on_divergence="ignore", seed=0, parallel=False)
    theta = 2 * np.pi * np.arange(64) / 64
    C = np.array([np.mean(r * np.exp(1j * theta)) for r in traj.rates])  # the definition
    np.testing.assert_allclose(run.C_abs, np.abs(C), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(run.bump_position, np.mod(np.angle(C), 2 * np.pi), atol=1e-12)
    # a bump centred on the stimulus: its population vector relaxes onto theta0 (slowly
    # for J1 > 2, where only the weak stimulus pins the bump's position)
    miss = np.abs(run.bump_position - theta0)
    assert miss[-1] < 1e-4 and miss[-1] < 0.25 * miss[len(miss) // 2]


def test_cached_theory_equals_a_fresh_computation_and_is_read_only():
    theta = 2 * np.pi * np.arange(32) / 32
    kw = dict(J0=-1.0, J1=1.0, h0=1.0, eps=0.05, theta0=0.3, theta=theta)
    a = _api.ring_theory(**kw)
    b = _api.ring_theory(**kw)
    fresh = _api._ring_theory(**kw)
    assert b is a and a.regime == fresh.regime
    np.testing.assert_array_equal(a.profile, fresh.profile)
    # the linear closed form (all units active): m0 = h0/(1 - J0), m1 = eps/(1 - J1/2)
    m0, m1 = 1.0 / 2.0, 0.05 / (1 - 0.5)
    np.testing.assert_allclose(a.profile, m0 + m1 * np.cos(theta - 0.3), rtol=1e-9)
    with pytest.raises(ValueError):
        a.profile[0] = 1.0


def test_ei_analysis_failure_is_shown_and_the_last_picture_kept(ei, monkeypatch):
    fixed = list(ei.src_fp.data["x"])
    updates = ei.updates

    def gives_up(model, *, grid):
        raise RuntimeError("no convergence in 30 iterations")

    monkeypatch.setattr(_api, "ei_phase_plane", gives_up)
    ei.update()
    assert ei.alert.visible and "analysis failed" in ei.alert.object
    assert "no convergence" in ei.alert.object
    assert list(ei.src_fp.data["x"]) == fixed and ei.updates == updates
    monkeypatch.undo()
    ei.update()
    assert not ei.alert.visible


def test_limit_cycle_search_is_bounded_per_request(monkeypatch):
    """One request may not hold the server: the search gets LIMIT_CYCLE_SECONDS."""
    from ratenet import analysis

    seen = {}
    real = analysis.find_limit_cycle

    def spy(model, **kw):
        seen.update(kw)
        return real(model, **kw)

    monkeypatch.setattr(analysis, "find_limit_cycle", spy)
    _api.ei_phase_plane(_api.ei_model(tau_I=50.0), grid=5)
    assert seen["max_seconds"] == _api.LIMIT_CYCLE_SECONDS <= 2.0
