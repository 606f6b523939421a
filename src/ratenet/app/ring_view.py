"""The ring view: sliders, space-time activity, profile against theory, regime, M and |C|.

One :class:`RingView` per browser session; it keeps that session's state (the
segments simulated so far, whether the stimulus is on) and nothing else is shared.
"""

from __future__ import annotations

import dataclasses
import html
import math
import time
from typing import Any

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, LinearColorMapper, Range1d
from bokeh.models.annotations import ColorBar
from bokeh.models.widgets import Div
from bokeh.palettes import Viridis256
from bokeh.plotting import figure

from .._validation import ParameterError
from ..plotting._style import REGIME_COLORS
from . import _api
from ._widgets import labelled, refuse
from .limits import Limits

__all__ = ["RingView"]

#: Colours of the regimes on the phase diagram, in the theory's REGIMES order (the same
#: palette as the figures, ratenet.plotting._style), then two spares for unknown names.
REGIME_COLOURS = (*REGIME_COLORS.values(), "#fc9272", "#fdd0a2")
J0_RANGE = (-10.0, 2.0)
J1_RANGE = (0.0, 6.0)
MAP_POINTS = 101


class RingView:
    """Widgets, figures and callbacks of the ring-model view for one session.

    Parameters
    ----------
    limits : Limits
        Bounds on N and on the simulated duration.
    seed : int
        Seed of this session's initial state and perturbations.
    """

    def __init__(self, *, limits: Limits, seed: int = 0) -> None:
        self.limits = limits
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        self._busy = False
        self._segments: list[_api.RingRun] = []
        self._events: list[tuple[float, str]] = []
        self._stim_on = True
        self._valid: dict[str, Any] = {}
        self.last_update_s = math.nan
        self.updates = 0
        self._build_widgets()
        self._build_figures()
        self.layout = self._build_layout()
        self.update(reset=True)

    # ------------------------------------------------------------ widgets
    def _build_widgets(self) -> None:
        W = pn.widgets
        F, L = W.FloatSlider, labelled
        self.w_J0 = L(F, "J₀ (uniform coupling)", start=J0_RANGE[0], end=1.5, step=0.1,
                      value=-2.0, width=260)
        self.w_J1 = L(F, "J₁ (cosine coupling)", start=J1_RANGE[0], end=J1_RANGE[1], step=0.1,
                      value=1.5, width=260)
        self.w_h0 = L(F, "h₀ (uniform input)", start=0.0, end=5.0, step=0.05, value=1.0,
                      width=260)
        self.w_eps = L(F, "ε (tuned input amplitude)", start=0.0, end=1.0, step=0.01, value=0.1,
                       width=260)
        self.w_theta0 = L(F, "θ₀ (stimulus angle, deg)", start=-180.0, end=180.0,
                          step=5.0, value=0.0, width=260)
        self.w_N = L(W.EditableIntSlider, "N (units)", start=16, end=1024, step=16, value=256,
                     width=260, css_classes=["ratenet-N"])
        self.w_duration = L(W.EditableFloatSlider, "duration (units of τ)", start=5.0, end=200.0,
                            step=5.0, value=40.0, width=260, css_classes=["ratenet-duration"])
        noise_ok = _api.noise_supported()
        self.w_noise = L(F, ("noise σ (white noise on the rates)" if noise_ok
                             else "noise (needs a ratenet whose simulate has noise)"),
                         start=0.0, end=1.0, step=0.01, value=0.0, width=260,
                         disabled=not noise_ok)
        self._ends = {"N": self.w_N.end, "duration": self.w_duration.end}
        self.sliders = {"J0": self.w_J0, "J1": self.w_J1, "h0": self.w_h0, "eps": self.w_eps,
                        "theta0": self.w_theta0, "N": self.w_N, "duration": self.w_duration,
                        "noise": self.w_noise}
        for w in self.sliders.values():
            w.param.watch(self._on_slider, "value_throttled" if hasattr(w, "value_throttled")
                          and not isinstance(w, (W.EditableIntSlider, W.EditableFloatSlider))
                          else "value")
        self.b_remove = labelled(W.Button, "Remove stimulus", button_type="warning", width=125)
        self.b_rotate = labelled(W.Button, "Rotate stimulus 90°", button_type="primary",
                                 width=125)
        self.b_perturb = labelled(W.Button, "Perturb state", button_type="default", width=125)
        self.b_restart = labelled(W.Button, "Restart", button_type="light", width=125)
        self.b_remove.on_click(lambda _e: self._continue("remove"))
        self.b_rotate.on_click(lambda _e: self._continue("rotate"))
        self.b_perturb.on_click(lambda _e: self._continue("perturb"))
        self.b_restart.on_click(lambda _e: self.update(reset=True))
        self.alert = pn.pane.Alert("", alert_type="danger", visible=False, width=520,
                                   css_classes=["ratenet-ring-alert"])
        # plain Bokeh Divs: updating their text costs far less than a Panel pane's
        self.regime_text = Div(text="", css_classes=["ratenet-regime"], width=760, height=48)
        self.status_text = Div(text="", css_classes=["ratenet-status"], width=760, height=36,
                               styles={"font-size": "12px", "color": "#555"})

    # ------------------------------------------------------------ figures
    def _build_figures(self) -> None:
        tools = "pan,wheel_zoom,box_zoom,reset,save"
        self.src_st = ColumnDataSource(dict(image=[np.zeros((2, 2))], x=[0.0], y=[-180.0],
                                            dw=[1.0], dh=[360.0]))
        self.cmap = LinearColorMapper(palette=Viridis256, low=0.0, high=1.0)
        f = figure(title="Activity m(θ, t); red dots: population vector arg C", width=560,
                   height=300, tools=tools,
                   x_axis_label="time t/τ", y_axis_label="preferred angle θ (deg)",
                   x_range=Range1d(start=0, end=1), y_range=Range1d(start=-180, end=180),
                   name="ring_spacetime")
        f.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self.src_st,
                color_mapper=self.cmap)
        self.src_events = ColumnDataSource(dict(x0=[], y0=[], x1=[], y1=[], label=[]))
        f.segment("x0", "y0", "x1", "y1", source=self.src_events, line_color="white",
                  line_dash="dashed", line_width=2, name="events")
        f.text("x0", "y1", text="label", source=self.src_events, text_color="white",
               text_font_size="10px", x_offset=3, y_offset=12)
        self.src_bump = ColumnDataSource(dict(t=[], deg=[]))
        f.scatter("t", "deg", source=self.src_bump, size=2, color="#ff4d4d", alpha=0.7)
        f.add_layout(ColorBar(color_mapper=self.cmap, width=10, title="rate m"), "right")
        self.fig_st: Any = f

        self.src_prof = ColumnDataSource(dict(deg=[], m=[]))
        self.src_theory = ColumnDataSource(dict(deg=[], m=[]))
        self.src_stim = ColumnDataSource(dict(x0=[], y0=[], x1=[], y1=[]))
        g = figure(title="Current profile and theory", width=400, height=300, tools=tools,
                   x_axis_label="preferred angle θ (deg)", y_axis_label="rate m",
                   x_range=Range1d(start=-180, end=180), name="ring_profile")
        g.segment("x0", "y0", "x1", "y1", source=self.src_stim, line_color="#888",
                  line_dash="dotted", line_width=2, legend_label="stimulus angle")
        g.line("deg", "m", source=self.src_prof, line_width=3, color="#1f77b4",
               legend_label="simulation (end)", name="profile_simulation")
        g.line("deg", "m", source=self.src_theory, line_width=2, color="#d62728",
               line_dash="dashed", legend_label="theory (stationary)", name="profile_theory")
        g.legend.location = "top_left"
        g.legend.label_text_font_size = "9px"
        g.legend.background_fill_alpha = 0.6
        self.fig_prof: Any = g

        self.src_map = ColumnDataSource(dict(image=[np.zeros((2, 2))], x=[J0_RANGE[0]],
                                             y=[J1_RANGE[0]], dw=[J0_RANGE[1] - J0_RANGE[0]],
                                             dh=[J1_RANGE[1] - J1_RANGE[0]]))
        self.map_cmap = LinearColorMapper(palette=list(REGIME_COLOURS), low=-0.5,
                                          high=len(REGIME_COLOURS) - 0.5)
        p = figure(title="Phase diagram (J₀, J₁) at this h₀, ε", width=400, height=300,
                   tools=tools, x_axis_label="J₀", y_axis_label="J₁",
                   x_range=Range1d(start=J0_RANGE[0], end=J0_RANGE[1]),
                   y_range=Range1d(start=J1_RANGE[0], end=J1_RANGE[1]), name="ring_phase")
        p.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self.src_map,
                color_mapper=self.map_cmap)
        self.src_labels = ColumnDataSource(dict(x=[], y=[], text=[]))
        p.text("x", "y", text="text", source=self.src_labels, text_font_size="11px",
               text_align="center", text_baseline="middle", text_color="#222")
        self.src_here = ColumnDataSource(dict(J0=[-2.0], J1=[1.5]))
        p.scatter("J0", "J1", source=self.src_here, size=14, marker="star",
                  fill_color="white", line_color="black", line_width=2)
        self.fig_map: Any = p

        self.src_MC = ColumnDataSource(dict(t=[], M=[], C=[]))
        q = figure(title="Order parameters", width=560, height=220, tools=tools,
                   x_axis_label="time t/τ", y_axis_label="M, |C|", name="ring_MC")
        q.line("t", "M", source=self.src_MC, line_width=2, color="#2ca02c",
               legend_label="M(t)")
        q.line("t", "C", source=self.src_MC, line_width=2, color="#9467bd",
               legend_label="|C(t)|")
        q.legend.location = "bottom_right"
        q.legend.orientation = "horizontal"
        q.legend.label_text_font_size = "9px"
        q.legend.background_fill_alpha = 0.6
        self.fig_MC: Any = q

    def _build_layout(self) -> pn.viewable.Viewable:
        controls = pn.Column(
            pn.pane.HTML("<b>Ring model</b> (time in units of τ)"),
            self.w_J0, self.w_J1, self.w_h0, self.w_eps, self.w_theta0, self.w_N,
            self.w_duration, self.w_noise,
            pn.Row(self.b_remove, self.b_rotate), pn.Row(self.b_perturb, self.b_restart),
            width=290,
        )
        plots = pn.Column(
            self.alert, pn.pane.Bokeh(self.regime_text),
            pn.Row(pn.pane.Bokeh(self.fig_st), pn.pane.Bokeh(self.fig_prof)),
            pn.Row(pn.pane.Bokeh(self.fig_MC), pn.pane.Bokeh(self.fig_map)),
            pn.pane.Bokeh(self.status_text),
        )
        return pn.Row(controls, plots)

    # ---------------------------------------------------------- callbacks
    def _on_slider(self, event: Any) -> None:
        if self._busy:
            return
        self.update(reset=True)

    def _read(self) -> dict[str, Any]:
        """Slider values, checked against the limits (raises ParameterError)."""
        L = self.limits
        v = {
            "J0": L.check_float("J0", self.w_J0.value, J0_RANGE[0], J0_RANGE[1]),
            "J1": L.check_float("J1", self.w_J1.value, J1_RANGE[0], J1_RANGE[1]),
            "h0": L.check_float("h0", self.w_h0.value, 0.0, 5.0),
            "eps": L.check_float("eps", self.w_eps.value, 0.0, 1.0),
            "theta0_deg": L.check_float("theta0", self.w_theta0.value, -360.0, 360.0),
            "N": L.check_int("N", self.w_N.value, L.N_min, L.N_max),
            "duration": L.check_float("duration", self.w_duration.value, 0.5,
                                      L.ring_duration_max),
            "noise": L.check_float("noise", self.w_noise.value, 0.0, 1.0),
        }
        return v

    def _refuse(self, err: ParameterError) -> None:
        """Show why a request was refused and put the widgets back to the last valid state."""
        refuse(self, err)

    def update(self, *, reset: bool) -> None:
        """Re-run from the initial state with the current sliders."""
        t0 = time.perf_counter()
        try:
            v = self._read()
        except ParameterError as err:
            self._refuse(err)
            return
        self._stim_on = True
        self._segments = []
        self._events = []
        self._params = v
        self._run_segment(x0=None, t_start=0.0)
        # what a refused request puts back, slider by slider
        self._valid = {name: v["theta0_deg" if name == "theta0" else name]
                       for name in self.sliders}
        self._redraw(t0)

    def _continue(self, action: str) -> None:
        """Continue from the current state after removing, rotating or perturbing."""
        t0 = time.perf_counter()
        if not self._segments:
            self.update(reset=True)
            return
        last = self._segments[-1]
        x0 = last.rates[-1].copy()
        t_start = float(last.t[-1])
        if action == "remove":
            self._stim_on = False
            label = "stimulus off"
        elif action == "rotate":
            new = (self._params["theta0_deg"] + 90.0 + 180.0) % 360.0 - 180.0
            self._params = {**self._params, "theta0_deg": new}
            self._busy = True
            try:
                self.w_theta0.value = new
            finally:
                self._busy = False
            self._stim_on = True
            label = f"stimulus to {new:g}°"
        else:
            N = x0.size
            phi = self._rng.uniform(0, 2 * np.pi)
            theta = 2 * np.pi * np.arange(N) / N
            amp = max(float(x0.max()), 0.1)
            x0 = np.maximum(x0 + amp * np.exp(4.0 * (np.cos(theta - phi) - 1.0))
                            + 0.1 * amp * self._rng.standard_normal(N), 0.0)
            label = f"kick at {(np.degrees(phi) + 180.0) % 360.0 - 180.0:.0f}°"
        self._events.append((t_start, label))
        self._run_segment(x0=x0, t_start=t_start)
        keep = self.limits.ring_segments_max
        if len(self._segments) > keep:
            self._segments = self._segments[-keep:]
            t_first = float(self._segments[0].t[0])
            self._events = [(t, s) for t, s in self._events if t >= t_first]
        self._redraw(t0)

    def _run_segment(self, *, x0: np.ndarray | None, t_start: float) -> None:
        v = self._params
        run = _api.simulate_ring(
            J0=v["J0"], J1=v["J1"], h0=v["h0"], eps=v["eps"] if self._stim_on else 0.0,
            theta0=math.radians(v["theta0_deg"]), N=v["N"], t_start=t_start,
            duration=v["duration"], frames=min(160, self.limits.ring_frames_max), x0=x0,
            noise=v["noise"], seed=self.seed + len(self._segments))
        self._segments.append(run)

    # ------------------------------------------------------------- drawing
    def _redraw(self, t0: float) -> None:
        v = self._params
        segs = self._segments
        t = np.concatenate([s.t for s in segs])
        rates = np.concatenate([s.rates for s in segs], axis=0)
        N = rates.shape[1]
        theta = 2 * np.pi * np.arange(N) / N
        # show angles in [-180, 180): a stimulus at 0 sits mid-picture
        shift = N // 2
        order = (np.arange(N) + shift) % N
        deg = (np.degrees(theta[order]) + 180.0) % 360.0 - 180.0
        rates = rates[:, order]
        eps_now = v["eps"] if self._stim_on else 0.0
        centre = math.radians(v["theta0_deg"])
        if eps_now == 0.0 and segs[-1].C_abs.size:
            # no tuned input: a bump may sit anywhere (marginal phase), so the theory's
            # profile is drawn where the simulated bump is
            centre = float(segs[-1].bump_position[-1])
        theory = _api.ring_theory(J0=v["J0"], J1=v["J1"], h0=v["h0"], eps=eps_now,
                                  theta0=centre, theta=theta)
        if theory.profile is not None:
            theory = dataclasses.replace(theory, profile=theory.profile[order])
        last = rates[-1]
        top = float(np.nanmax(rates)) if rates.size else 1.0
        with pn.io.hold():
            t_lo, t_hi = float(t[0]), float(max(t[-1], t[0] + 1e-6))
            cell = 360.0 / N
            self.src_st.data = dict(image=[np.ascontiguousarray(rates.T, dtype=np.float32)],
                                    x=[t_lo],
                                    y=[float(deg[0]) - 0.5 * cell], dw=[t_hi - t_lo],
                                    dh=[360.0])
            self.cmap.high = top if top > 0 else 1.0
            self.fig_st.x_range.start, self.fig_st.x_range.end = t_lo, t_hi
            C = np.concatenate([s.C_abs for s in segs])
            pos = (np.degrees(np.concatenate([s.bump_position for s in segs])) + 180.0) % 360.0
            pos -= 180.0
            show = C > 1e-3 * max(top, 1e-12)
            self.src_bump.data = dict(t=t[show], deg=pos[show])
            self.src_events.data = dict(x0=[e[0] for e in self._events],
                                        y0=[-180.0] * len(self._events),
                                        x1=[e[0] for e in self._events],
                                        y1=[180.0] * len(self._events),
                                        label=[e[1] for e in self._events])
            ring_deg = np.append(deg, deg[0] + 360.0)
            self.src_prof.data = dict(deg=ring_deg, m=np.append(last, last[0]))
            if theory.profile is not None:
                self.src_theory.data = dict(deg=ring_deg,
                                            m=np.append(theory.profile, theory.profile[0]))
            else:
                self.src_theory.data = dict(deg=[], m=[])
            ymax = max(top, float(np.max(theory.profile)) if theory.profile is not None
                       else 0.0, 1e-6)
            stim = (v["theta0_deg"] + 180.0) % 360.0 - 180.0
            self.src_stim.data = (dict(x0=[stim], y0=[0.0], x1=[stim], y1=[ymax])
                                  if self._stim_on and v["eps"] > 0
                                  else dict(x0=[], y0=[], x1=[], y1=[]))
            self.src_MC.data = dict(t=t, M=np.concatenate([s.M for s in segs]), C=C)
            J0s, J1s = np.linspace(*J0_RANGE, MAP_POINTS), np.linspace(*J1_RANGE, MAP_POINTS)
            map_ready = _api.regime_map_cached(J0s, J1s, h0=v["h0"], eps=eps_now)
            if not map_ready:
                self.fig_map.title.text = "Phase diagram (J₀, J₁): computing for this h₀, ε…"
            elif self._map_shown != (v["h0"], eps_now):
                self._draw_map(v, eps_now)
            self.src_here.data = dict(J0=[v["J0"]], J1=[v["J1"]])
            self.alert.visible = False
            self.updates += 1
            self.last_update_s = time.perf_counter() - t0
            self._write_text(theory, segs[-1], last)
        if not map_ready:
            self._generation += 1
            gen = self._generation

            def draw_map_later() -> None:
                if gen == self._generation:
                    with pn.io.hold():
                        self._draw_map(v, eps_now)

            doc = pn.state.curdoc
            if doc is not None and doc.session_context is not None:
                doc.add_next_tick_callback(draw_map_later)
            else:
                draw_map_later()

    _generation = 0
    _map_shown: tuple[float, float] | None = None

    def _draw_map(self, v: dict[str, Any], eps: float) -> None:
        J0s = np.linspace(*J0_RANGE, MAP_POINTS)
        J1s = np.linspace(*J1_RANGE, MAP_POINTS)
        res = _api.regime_map(J0s, J1s, h0=v["h0"], eps=eps)
        self.fig_map.title.text = f"Phase diagram (J₀, J₁) at h₀ = {v['h0']:g}, ε = {eps:g}"
        self._map_shown = (v["h0"], eps)
        if res is None:
            self.src_map.data = dict(image=[np.full((2, 2), np.nan)], x=[J0_RANGE[0]],
                                     y=[J1_RANGE[0]], dw=[J0_RANGE[1] - J0_RANGE[0]],
                                     dh=[J1_RANGE[1] - J1_RANGE[0]])
            self.src_labels.data = dict(x=[-4.0], y=[3.0], text=["(no ring theory here)"])
            return
        codes, names = res
        img = (np.asarray(codes) % len(REGIME_COLOURS)).astype(np.float32)
        self.src_map.data = dict(image=[img], x=[J0_RANGE[0]], y=[J1_RANGE[0]],
                                 dw=[J0_RANGE[1] - J0_RANGE[0]],
                                 dh=[J1_RANGE[1] - J1_RANGE[0]])
        xs, ys, texts = [], [], []
        for k, name in enumerate(names):
            rows, cols = np.nonzero(np.asarray(codes) == k)
            if rows.size < 0.01 * codes.size:
                continue
            xs.append(float(np.median(J0s[cols])))
            ys.append(float(np.median(J1s[rows])))
            texts.append(name)
        self.src_labels.data = dict(x=xs, y=ys, text=texts)

    def _write_text(self, theory: _api.RingTheory, run: _api.RingRun, last: np.ndarray) -> None:
        if theory.available and theory.regime:
            regime = theory.regime
            regime_html = (f'Regime: <b class="ratenet-regime-name" data-regime="{regime}">'
                           f"{regime}</b>")
        elif theory.available:
            regime_html = "Regime: <b>(none)</b>"
        else:
            regime_html = "Regime: <i>ring theory not available in this ratenet</i>"
        stim = ("stimulus on" if self._stim_on and self._params["eps"] > 0
                else "no tuned stimulus")
        c_abs = float(run.C_abs[-1])
        pos = float(np.degrees(run.bump_position[-1]) + 180.0) % 360.0 - 180.0
        where = (f"population vector at {round(pos):d}°" if c_abs > 1e-3 * float(np.max(last))
                 else "no bump (|C| ≈ 0)")
        self.regime_text.text = (
            f'<div style="font-size:18px">{regime_html}</div>'
            f'<div style="font-size:13px">{stim} · peak rate {float(np.max(last)):.3g} · '
            f"{where} · |C| = {c_abs:.3g}</div>")
        note = "" if run.ok else f" <b>Simulation diverged:</b> {html.escape(run.message)}"
        th = f" Theory: {html.escape(theory.message)}." if theory.message else ""
        self.status_text.text = (f"N = {last.size}.{th}{note} · server time "
                                 f"{1e3 * self.last_update_s:.0f} ms · update {self.updates}")
