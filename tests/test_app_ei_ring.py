"""The explorer's E-I ring tab (:mod:`ratenet.app.ei_ring_view`): driven in Python against
the closed forms of the per-mode theory, and once in a real browser (slow)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("panel", reason="the explorer needs the 'app' extra (panel, bokeh)")

from ratenet.app import DEFAULT_LIMITS
from ratenet.app.ei_ring_view import EIRingView


@pytest.fixture(scope="module")
def view():
    return EIRingView(limits=DEFAULT_LIMITS, seed=1)


def _lead(c: np.ndarray, tau_E: float, tau_I: float) -> float:
    A = (c - np.eye(2)) / np.array([tau_E, tau_I])[:, None]
    return float(np.max(np.linalg.eigvals(A).real))


def test_defaults_show_the_mode_spectrum_of_the_closed_form_and_a_travelling_wave(view):
    # Hopf points tau_E (1 - c_II)/(c_EE - 1): mode 0 (c_EE = 1.25) 40 ms, mode 1 (1.5) 20 ms
    assert view.src_hopf[0].data["tau"] == pytest.approx([40.0], rel=1e-12)
    assert view.src_hopf[1].data["tau"] == pytest.approx([20.0], rel=1e-12)
    c = {0: np.array([[1.25, -1.0], [1.0, 0.0]]), 1: np.array([[3.0, -2.0], [2.0, 0.0]]) / 2}
    for k in (0, 1):
        d = view.src_modes[k].data
        for t, re in list(zip(d["tau"], d["re"]))[::15]:
            assert re == pytest.approx(_lead(c[k], 10.0, t), abs=1e-12)
    assert view.pattern.kind == "travelling wave" and view.pattern.mode == 1
    assert 'data-pattern="travelling wave"' in view.summary.text
    assert "mode 1 unstable (hopf)" in view.summary.text
    img = view.src_E.data["image"][0]
    assert img.shape[0] == 64 and img.shape[1] > 100  # angle x time


def test_below_both_hopf_points_the_ring_rests_at_the_e_i_fixed_point():
    v = EIRingView(limits=DEFAULT_LIMITS, seed=2)
    v.sliders["tau_I"].value = 15.0
    v.update()
    assert v.pattern.kind == "homogeneous"
    # the uniform state: r_E = 10 + 1.25 r_E - r_I, r_I = -10 + r_E -> (80/3, 50/3) Hz
    np.testing.assert_allclose(v.src_E.data["image"][0][:, -1], 80 / 3, rtol=1e-6)
    np.testing.assert_allclose(v.src_I.data["image"][0][:, -1], 50 / 3, rtol=1e-6)
    assert v.src_now.data["x"] == [15.0, 15.0]


def test_out_of_range_requests_are_refused_and_the_last_result_kept():
    v = EIRingView(limits=DEFAULT_LIMITS, seed=3)
    before = v.src_E.data["image"][0].copy()
    n = v.updates
    v.w_N.value = 100_000
    assert v.alert.visible and "N" in v.alert.object and "[16, 512]" in v.alert.object
    assert v.w_N.value == 64 and v.updates == n
    np.testing.assert_array_equal(v.src_E.data["image"][0], before)
    v.w_duration.value = 1e7
    assert v.alert.visible and "duration" in v.alert.object and v.w_duration.value == 3000.0
    v.sliders["tau_I"].value = 20.5  # a valid request clears the alert
    v.update()
    assert not v.alert.visible and v.updates == n + 1


def test_runaway_excitation_is_reported_as_diverged_without_a_spectrum():
    """J_EE0 = 3: no uniform state (both active would need r_E = -20 Hz, E alone -5 Hz,
    I alone r_I = -10 Hz; both silent leaves u_E = h_E = 10 > 0); the run diverges."""
    v = EIRingView(limits=DEFAULT_LIMITS, seed=4)
    for name, value in (("J_EE0", 3.0), ("J_EE1", 6.0), ("J_EI1", 0.0), ("J_IE1", 0.0)):
        v.sliders[name].value = value
    v.update()
    assert not v.alert.visible and v.theory is None
    assert v.pattern.kind == "diverged" and 'data-pattern="diverged"' in v.summary.text
    assert "no uniform stationary state" in v.summary.text
    assert v.src_modes[0].data["tau"] == [] and v.src_hopf[1].data["tau"] == []
    assert np.all(np.isfinite(v.src_E.data["image"][0]))


def test_the_tab_is_registered_and_built_on_demand():
    from ratenet.app import create_app

    page = create_app()
    views = page.ratenet_views
    assert "ei_ring" in list(views) and "ei_ring" not in views.built
    assert isinstance(views["ei_ring"], EIRingView)
    from ratenet.app.server import TABS

    assert [(k, t) for k, t, _f in TABS][-1] == ("ei_ring", "E-I ring")


# ------------------------------------------------------------------ browser (slow)
try:
    from test_app import _SKIP, browser, press, server, session, shot  # noqa: F401
except Exception as err:  # pragma: no cover - depends on the environment
    _SKIP = f"browser helpers of tests/test_app.py unavailable ({err})"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(_SKIP is not None, reason=f"BROWSER TESTS SKIPPED: {_SKIP}")
def test_browser_tab_shows_a_wave_that_stops_below_the_hopf_point(browser, server):
    with session(browser, server) as page:
        page.locator(".bk-tab", has_text="E-I ring").click()
        page.locator(".ratenet-eiring-pattern[data-pattern='travelling wave']").wait_for(
            timeout=30_000)
        # mode 1's Hopf point is tau_I = tau_E / (J_EE1/2 - 1) = 20 ms: below it, no wave
        press(page, "ring τ_I", "ArrowLeft", 12)  # 30 -> 18 ms
        page.locator(".ratenet-eiring-pattern[data-pattern='homogeneous']").wait_for(
            timeout=30_000)
        shot(page, "app_ei_ring_homogeneous.png")
