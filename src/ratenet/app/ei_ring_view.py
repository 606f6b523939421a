"""The E-I ring view: sliders, space-time activity of E and I, and the mode spectrum.

One :class:`EIRingView` per browser session.  Every change re-runs the theory
(:mod:`ratenet.theory.ei_ring`: uniform state, leading eigenvalue of modes 0 and 1 against
tau_I, Hopf points) and a simulation started near the uniform state, whose end is
classified (:func:`ratenet.ei_ring.classify`).  Time in ms, rates in Hz, angles in degrees
on screen.
"""

from __future__ import annotations

import html
import math
import time
from typing import Any

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, LinearColorMapper, Range1d
from bokeh.models.annotations import ColorBar
from bokeh.models.widgets import Div
from bokeh.palettes import Blues256, Reds256
from bokeh.plotting import figure

from .._validation import ParameterError
from ..plotting._style import E_COLOR, I_COLOR  # E red, I blue, as in every figure
from ..plotting.ei_ring import MODE_COLORS
from ._widgets import labelled, refuse
from .limits import Limits

__all__ = ["EIRingView"]

#: Longest simulation one request may ask for (ms), and most units per population.
DURATION_MAX = 10_000.0
N_MAX = 512
#: Frames of the space-time pictures, and tau_I points of the spectrum.
FRAMES = 300
SPECTRUM_POINTS = 150
TAU_I_RANGE = (2.0, 100.0)


class EIRingView:
    """Widgets, figures and callbacks of the E-I ring view for one session.

    Parameters
    ----------
    limits : Limits
        The explorer's bounds (N within ``[limits.N_min, min(limits.N_max, 512)]``, the
        duration within ``ei_duration_max`` and 10 s).
    seed : int
        Seed of this session's initial perturbation.
    """

    SLIDERS = (
        # name, label, start, end, step, default (the ring-ei CLI's defaults)
        ("tau_I", "ring τ_I (ms): inhibitory time constant", 2.0, 100.0, 1.0, 30.0),
        ("tau_E", "τ_E (ms): excitatory time constant", 1.0, 50.0, 0.5, 10.0),
        ("J_EE0", "J_EE0 (uniform, onto E from E)", 0.0, 3.0, 0.05, 1.25),
        ("J_EI0", "J_EI0 (uniform, onto E from I)", -3.0, 0.0, 0.05, -1.0),
        ("J_IE0", "J_IE0 (uniform, onto I from E)", 0.0, 3.0, 0.05, 1.0),
        ("J_EE1", "J_EE1 (tuned, onto E from E)", 0.0, 6.0, 0.1, 3.0),
        ("J_EI1", "J_EI1 (tuned, onto E from I)", -4.0, 0.0, 0.1, -2.0),
        ("J_IE1", "J_IE1 (tuned, onto I from E)", 0.0, 4.0, 0.1, 2.0),
        ("h_E", "h_E (Hz): uniform input to E", -20.0, 30.0, 0.5, 10.0),
        ("h_I", "h_I (Hz): uniform input to I", -30.0, 20.0, 0.5, -10.0),
    )

    def __init__(self, *, limits: Limits, seed: int = 0) -> None:
        self.limits = limits
        self.seed = seed
        self._busy = False
        self._valid: dict[str, Any] = {}
        self.last_update_s = math.nan
        self.updates = 0
        self.pattern: Any = None
        self.theory: Any = None
        self._build_widgets()
        self._build_figures()
        self.layout = self._build_layout()
        self.update()

    # ------------------------------------------------------------ widgets
    def _build_widgets(self) -> None:
        W = pn.widgets
        self.sliders: dict[str, Any] = {}
        for name, label, lo, hi, step, default in self.SLIDERS:
            extra = {"bar_color": I_COLOR} if name == "tau_I" else {}
            w = labelled(W.FloatSlider, label, start=lo, end=hi, step=step, value=default,
                         width=280, **extra)
            w.param.watch(self._on_change, "value_throttled")
            self.sliders[name] = w
        self.n_max = min(self.limits.N_max, N_MAX)
        self.duration_max = min(self.limits.ei_duration_max, DURATION_MAX)
        self.w_N = labelled(W.EditableIntSlider, "N (units per population)", start=16,
                            end=self.n_max, step=16, value=64, width=280,
                            css_classes=["ratenet-eiring-N"])
        self.w_duration = labelled(W.EditableFloatSlider, "duration (ms)", start=200.0,
                                   end=self.duration_max, step=100.0, value=3000.0,
                                   width=280, css_classes=["ratenet-eiring-duration"])
        for box in (self.w_N, self.w_duration):
            box.param.watch(self._on_change, "value")
        self.sliders["N"] = self.w_N
        self.sliders["duration"] = self.w_duration
        self._ends = {"N": self.w_N.end, "duration": self.w_duration.end}
        self.alert = pn.pane.Alert("", alert_type="danger", visible=False, width=560,
                                   css_classes=["ratenet-eiring-alert"])
        self.summary = Div(text="", css_classes=["ratenet-eiring-summary"], width=900,
                           height=64)
        self.status_text = Div(text="", width=900, height=30,
                               styles={"font-size": "12px", "color": "#555"})

    # ------------------------------------------------------------ figures
    def _spacetime(self, name: str, palette: Any, color: str) -> tuple[Any, Any, Any]:
        src = ColumnDataSource(dict(image=[np.zeros((2, 2))], x=[0.0], y=[0.0], dw=[1.0],
                                    dh=[360.0]))
        cmap = LinearColorMapper(palette=list(reversed(palette)), low=0.0, high=1.0)
        f = figure(title=f"{name} population r_{name}(θ, t)", width=560, height=230,
                   tools="pan,wheel_zoom,box_zoom,reset,save", x_axis_label="time (ms)",
                   y_axis_label="preferred angle θ (deg)", x_range=Range1d(start=0, end=1),
                   y_range=Range1d(start=0, end=360), name=f"eiring_spacetime_{name}")
        f.title.text_color = color  # type: ignore[union-attr]
        f.image(image="image", x="x", y="y", dw="dw", dh="dh", source=src, color_mapper=cmap)
        f.yaxis.ticker = [0, 90, 180, 270, 360]
        f.add_layout(ColorBar(color_mapper=cmap, width=10, title=f"r_{name} (Hz)"), "right")
        return f, src, cmap

    def _build_figures(self) -> None:
        self.fig_E, self.src_E, self.cmap_E = self._spacetime("E", Reds256, E_COLOR)
        self.fig_I, self.src_I, self.cmap_I = self._spacetime("I", Blues256, I_COLOR)
        self.fig_I.x_range = self.fig_E.x_range
        g = figure(title="Mode spectrum of the uniform state (max Re λ_k)", width=420,
                   height=470, tools="pan,wheel_zoom,box_zoom,reset,save",
                   x_axis_label="τ_I (ms)", y_axis_label="max Re λ_k (1/ms)",
                   x_range=Range1d(start=TAU_I_RANGE[0], end=TAU_I_RANGE[1]),
                   name="eiring_spectrum")
        g.line(x=list(TAU_I_RANGE), y=[0.0, 0.0], line_color="#999")
        self.src_modes = {}
        self.src_hopf = {}
        for k in (0, 1):
            src = ColumnDataSource(dict(tau=[], re=[]))
            g.line("tau", "re", source=src, line_color=MODE_COLORS[k], line_width=2.5,
                   legend_label=f"mode {k}", name=f"mode{k}")
            self.src_modes[k] = src
            hs = ColumnDataSource(dict(tau=[], re=[]))
            g.scatter("tau", "re", source=hs, size=11, fill_color="white",
                      line_color=MODE_COLORS[k], line_width=2.5,
                      legend_label=f"Hopf point, mode {k}", name=f"hopf{k}")
            self.src_hopf[k] = hs
        self.src_now = ColumnDataSource(dict(x=[30.0, 30.0], y=[-1.0, 1.0]))
        g.line("x", "y", source=self.src_now, line_color=I_COLOR, line_dash="dashed",
               legend_label="this τ_I")
        g.legend.location = "bottom_right"
        g.legend.label_text_font_size = "9px"
        g.legend.background_fill_alpha = 0.7
        self.fig_spec: Any = g

    def _build_layout(self) -> pn.viewable.Viewable:
        s = self.sliders
        controls = pn.Column(
            pn.pane.HTML("<b>E-I ring</b> (ms, Hz): each Fourier mode is an E-I pair"),
            s["tau_I"], pn.layout.Divider(),
            *(s[k] for k in ("tau_E", "J_EE0", "J_EI0", "J_IE0", "J_EE1", "J_EI1", "J_IE1",
                             "h_E", "h_I")),
            pn.layout.Divider(), self.w_N, self.w_duration, width=310,
        )
        plots = pn.Column(
            self.alert, pn.pane.Bokeh(self.summary),
            pn.Row(pn.Column(pn.pane.Bokeh(self.fig_E), pn.pane.Bokeh(self.fig_I)),
                   pn.pane.Bokeh(self.fig_spec)),
            pn.pane.Bokeh(self.status_text),
        )
        return pn.Row(controls, plots)

    # ---------------------------------------------------------- callbacks
    def _on_change(self, event: Any) -> None:
        if not self._busy:
            self.update()

    def _read(self) -> tuple[dict[str, float], int, float]:
        L = self.limits
        params = {name: L.check_float(name, self.sliders[name].value, lo, hi)
                  for name, _label, lo, hi, _step, _d in self.SLIDERS}
        N = L.check_int("N", self.w_N.value, max(L.N_min, 16), self.n_max)
        duration = L.check_float("duration", self.w_duration.value, 100.0, self.duration_max)
        return params, N, duration

    def _refuse(self, err: ParameterError) -> None:
        refuse(self, err)

    def model(self) -> Any:
        """The :class:`ratenet.EIRingModel` of the current sliders (validated)."""
        from ..models.ei_ring import EIRingModel

        params, N, _duration = self._read()
        kw: dict[str, Any] = dict(params)
        return EIRingModel(**kw, J_II0=0.0, J_II1=0.0, N=N)

    def update(self) -> None:
        """Theory, then a simulation from near the uniform state; redraw everything."""
        t0 = time.perf_counter()
        try:
            _params, N, duration = self._read()
            model = self.model()
        except ParameterError as err:
            self._refuse(err)
            return
        from ..theory import ei_ring as theory

        try:
            self.theory = theory.analyze(model)
        except ParameterError:  # no uniform state: simulate all the same, say so
            self.theory = None
        with pn.io.hold():
            self._draw_spectrum(model)
            self._simulate_and_draw(model, duration)
            self.alert.visible = False
        self._valid = {"N": N, "duration": duration}
        self.updates += 1
        self.last_update_s = time.perf_counter() - t0
        self.status_text.text = (f"N = {N} per population, {duration:g} ms, forward Euler "
                                 f"dt = {self._dt:g} ms · server time "
                                 f"{1e3 * self.last_update_s:.0f} ms · update {self.updates}")

    _dt = 0.05

    def _draw_spectrum(self, model: Any) -> None:
        from ..theory import ei_ring as theory

        if self.theory is None:
            for k in (0, 1):
                self.src_modes[k].data = dict(tau=[], re=[])
                self.src_hopf[k].data = dict(tau=[], re=[])
            self.src_now.data = dict(x=[model.tau_I] * 2, y=[-1.0, 1.0])
            return
        st = self.theory.uniform
        taus = np.linspace(*TAU_I_RANGE, SPECTRUM_POINTS)
        lo, hi = 0.0, 0.0
        for k in (0, 1):
            re = np.array([theory.mode_eigenvalues(model.replace(tau_I=float(t)), k, st)[0].real
                           for t in taus])
            self.src_modes[k].data = dict(tau=taus, re=re)
            h = self.theory.modes[k].hopf_tau_I
            inside = h is not None and TAU_I_RANGE[0] <= h <= TAU_I_RANGE[1]
            self.src_hopf[k].data = dict(tau=[h] if inside else [], re=[0.0] if inside else [])
            lo, hi = min(lo, float(re.min())), max(hi, float(re.max()))
        pad = 0.08 * (hi - lo) if hi > lo else 0.01
        self.fig_spec.y_range.start, self.fig_spec.y_range.end = lo - pad, hi + pad
        self.src_now.data = dict(x=[model.tau_I] * 2, y=[lo - pad, hi + pad])

    def _simulate_and_draw(self, model: Any, duration: float) -> None:
        import ratenet as rn

        from ..ei_ring.patterns import classify

        self._dt = dt = min(0.05, min(model.tau_E, model.tau_I) / 50.0)
        steps = max(1, math.ceil(duration / dt))
        rec = max(1, steps // FRAMES)
        rng = np.random.default_rng(self.seed)
        x0 = 0.5 * rng.random(model.n_state)  # near the uniform state, or near rest
        if self.theory is not None:
            x0 += self.theory.uniform.state(model)
        tr: Any = rn.simulate(model, t_max=duration, dt=dt, x0=x0, record_every=rec,
                              on_divergence="ignore")
        t = np.asarray(tr.t)
        for src, cmap, r in ((self.src_E, self.cmap_E, tr.r_E), (self.src_I, self.cmap_I, tr.r_I)):
            R = np.nan_to_num(np.asarray(r, dtype=float), nan=0.0, posinf=0.0)
            src.data = dict(image=[R.T], x=[float(t[0])], y=[0.0],
                            dw=[float(t[-1] - t[0]) or 1.0], dh=[360.0])
            top = float(R.max())
            cmap.low, cmap.high = 0.0, top if top > 0 else 1.0
        self.fig_E.x_range.start, self.fig_E.x_range.end = float(t[0]), float(t[-1])
        self.pattern = p = classify(tr, window=duration / 3.0)
        th = self.theory
        extra = ""
        if p.speed is not None:
            extra = f", speed {abs(p.speed):.4g} rad/ms ({p.direction})"
        elif p.period is not None:
            extra = f", period {p.period:.4g} ms"
        if p.kind == "diverged":
            extra = f": {html.escape(str(tr.message))}"
        self.summary.text = (
            f'<div style="font-size:15px">Simulation (last third): '
            f'<b class="ratenet-eiring-pattern" data-pattern="{html.escape(p.kind)}">'
            f"{html.escape(p.kind)}</b>{extra}</div>"
            f'<div style="font-size:13px">Theory: {html.escape(_theory_line(th))}</div>')


def _theory_line(th: Any) -> str:
    """One line on the uniform state and its modes (or why there is none)."""
    if th is None:
        return "no uniform stationary state for these couplings: no mode spectrum"
    st, inst = th.uniform, th.instability
    pred = ("every mode decays: homogeneous" if inst["mode"] is None else
            f"mode {inst['mode']} unstable ({inst['kind']}): {inst['pattern']}")
    hopf = ", ".join(f"mode {m.k}: {m.hopf_tau_I:.4g} ms" for m in th.modes
                     if m.hopf_tau_I is not None) or "none"
    return (f"uniform state ({st.r_E:.3g}, {st.r_I:.3g}) Hz ({st.kind}); {pred}; "
            f"Hopf points in τ_I: {hopf}")
