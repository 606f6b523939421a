"""The E-I view: phase plane, trace-determinant plane and time courses.

One :class:`EIView` per browser session. Rates in Hz, time in ms, eigenvalues in 1/ms.
"""

from __future__ import annotations

import html
import math
import time
from typing import Any

import numpy as np
import panel as pn
from bokeh.events import Tap
from bokeh.models import BasicTickFormatter, ColumnDataSource, HoverTool, Range1d
from bokeh.models.annotations.geometry import Span
from bokeh.models.widgets import Div
from bokeh.plotting import figure

from .._validation import ParameterError
from ..plotting._style import E_COLOR, I_COLOR  # E red, I blue, as in every figure
from . import _api
from ._widgets import labelled, refuse
from .limits import Limits

__all__ = ["EIView"]

#: Marker and colour of each fixed-point type (ratenet.analysis.FIXED_POINT_TYPES).
FP_STYLE = {
    "stable node": ("circle", "#1a9850"),
    "stable degenerate node": ("circle", "#1a9850"),
    "stable focus": ("circle", "#66bd63"),
    "unstable node": ("circle", "#d73027"),
    "unstable degenerate node": ("circle", "#d73027"),
    "unstable focus": ("circle", "#f46d43"),
    "saddle": ("x", "#542788"),
    "centre": ("diamond", "#fdae61"),
}


#: Seconds allowed for one bifurcation diagram (equilibria and cycles continued).
DIAGRAM_SECONDS = 6.0
#: Marker colour of each kind of special point in the bifurcation diagram.
POINT_COLORS = {"fold of cycles": "#2ca02c", "grazing": "#7f7f7f", "fold": "#17becf",
                "border collision": "#bcbd22", "period doubling": "#9467bd"}


def _runs(x: np.ndarray, y: np.ndarray, stable: np.ndarray, marginal: np.ndarray
          ) -> tuple[list[list[float]], list[list[float]], list[list[float]], list[list[float]]]:
    """Split a polyline into stable and unstable runs of segments.

    A segment is stable when both ends are; a ``marginal`` end (a bifurcation point on
    the branch: a centre, a multiplier on the unit circle) takes the other end's
    stability.
    """
    out: dict[bool, tuple[list[list[float]], list[list[float]]]] = {True: ([], []),
                                                                     False: ([], [])}
    if x.size < 2:
        return [], [], [], []
    a, b = stable[:-1], stable[1:]
    ma, mb = marginal[:-1], marginal[1:]
    seg = np.where(ma & ~mb, b, np.where(mb & ~ma, a, a & b))
    start = 0
    for k in range(1, seg.size + 1):
        if k == seg.size or seg[k] != seg[start]:
            xs, ys = out[bool(seg[start])]
            xs.append(x[start:k + 1].tolist())
            ys.append(y[start:k + 1].tolist())
            start = k
    return out[True][0], out[True][1], out[False][0], out[False][1]


def continuation_diagram(model: Any, param: str, start: float, stop: float, *,
                         time_limit: float = DIAGRAM_SECONDS) -> dict[str, Any]:
    """The one-parameter diagram of ``nu_E`` as plain lists for the explorer.

    Equilibria (:func:`ratenet.continuation.equilibria.continue_equilibria`) and every
    branch of cycles reachable from the Hopf points and from simulation
    (:func:`ratenet.continuation.cycles.all_cycle_branches`: stable and unstable, their
    smallest and largest ``nu_E``), within ``time_limit`` seconds in all.

    Returns
    -------
    dict
        ``eq_stable``, ``eq_unstable``, ``cyc_stable``, ``cyc_unstable``: ``(xs, ys)``
        lists of polylines; ``points``: ``{x, y, kind}`` of the special points;
        ``notes``: what was not found; ``seconds``.

    Examples
    --------
    >>> from ratenet.continuation.cycles import bistable_example
    >>> d = continuation_diagram(bistable_example(), "tau_I", 50.0, 70.0)
    >>> sorted(set(d["points"]["kind"]))
    ['fold of cycles', 'grazing', 'non-smooth Hopf (linear centre)']
    """
    from ..continuation import ContinuationError
    from ..continuation.cycles import all_cycle_branches
    from ..continuation.equilibria import continue_equilibria

    t0 = time.monotonic()
    d: dict[str, Any] = {k: ([], []) for k in ("eq_stable", "eq_unstable", "cyc_stable",
                                                "cyc_unstable")}
    pts: dict[str, list[Any]] = {"x": [], "y": [], "kind": []}
    notes: list[str] = []
    try:
        eq = continue_equilibria(model, param, start, stop, time_limit=0.4 * time_limit)
    except ContinuationError as exc:
        notes.append(f"equilibria: {exc}")
        eq = None
    branches: list[Any] = []
    if eq is not None:
        for b in eq.branches:
            lam = np.asarray(b.eigenvalues)
            scale = np.maximum(np.max(np.abs(lam), axis=1), 1e-300)
            st = np.asarray(b.stable, dtype=bool)
            marg = (np.abs(np.max(lam.real, axis=1)) <= 1e-9 * scale) & ~st
            xs, ys, xu, yu = _runs(np.asarray(b.values), np.asarray(b.states)[:, 0], st, marg)
            d["eq_stable"][0].extend(xs), d["eq_stable"][1].extend(ys)
            d["eq_unstable"][0].extend(xu), d["eq_unstable"][1].extend(yu)
        for pt in eq.points:
            pts["x"].append(float(pt.value))
            pts["y"].append(float(pt.state[0]))
            pts["kind"].append(str(pt.kind))
        left = time_limit - (time.monotonic() - t0)
        if left > 0.2:
            try:
                branches, more = all_cycle_branches(
                    model, param, start, stop, probes=2, time_limit=left,
                    hopf=[p.value for p in eq.points if "opf" in p.kind])
                notes.extend(more)
            except ContinuationError as exc:
                notes.append(f"cycles: {exc}")
        else:
            notes.append("no time left for the cycles")
    for br in branches:
        st = np.asarray(br.stable, dtype=bool)
        mu = np.abs(np.asarray(br.multipliers)[:, 1:])
        marg = np.any(np.abs(mu - 1.0) < 1e-4, axis=1) & ~st
        for y in (br.minimum[:, 0], br.maximum[:, 0]):
            xs, ys, xu, yu = _runs(np.asarray(br.values), np.asarray(y), st, marg)
            d["cyc_stable"][0].extend(xs), d["cyc_stable"][1].extend(ys)
            d["cyc_unstable"][0].extend(xu), d["cyc_unstable"][1].extend(yu)
        for sp in br.special:
            for y in (br.minimum[sp.index, 0], br.maximum[sp.index, 0]):
                pts["x"].append(float(sp.value))
                pts["y"].append(float(y))
                pts["kind"].append(str(sp.kind))
    d["points"] = pts
    d["notes"] = notes
    d["seconds"] = time.monotonic() - t0
    return d


def _style(kind: str) -> tuple[str, str]:
    """Marker and colour for a fixed-point type; degenerate ones are grey squares."""
    return FP_STYLE.get(kind.lower(), ("square", "#555555"))


class EIView:
    """Widgets, figures and callbacks of the E-I view for one session.

    Parameters
    ----------
    limits : Limits
        Bounds on the simulated duration and the flow-field grid.
    """

    SLIDERS = (
        # name, label, start, end, step, default
        ("tau_I", "τ_I (ms): inhibitory time constant", 5.0, 100.0, 1.0, 30.0),
        ("tau_E", "τ_E (ms): excitatory time constant", 1.0, 50.0, 0.5, 10.0),
        ("M_EE", "M_EE (onto E from E)", 0.0, 3.0, 0.05, 1.25),
        ("M_EI", "M_EI (onto E from I)", -3.0, 0.0, 0.05, -1.0),
        ("M_IE", "M_IE (onto I from E)", 0.0, 3.0, 0.05, 1.0),
        ("M_II", "M_II (onto I from I)", -3.0, 0.0, 0.05, 0.0),
        ("gamma_E", "γ_E (Hz): E threshold", -40.0, 40.0, 0.5, -10.0),
        ("gamma_I", "γ_I (Hz): I threshold", -40.0, 40.0, 0.5, 10.0),
    )

    def __init__(self, *, limits: Limits) -> None:
        self.limits = limits
        self._busy = False
        self._start = (25.0, 25.0)
        self._valid: dict[str, Any] = {}
        self.last_update_s = math.nan
        self.updates = 0
        self._build_widgets()
        self._build_figures()
        self.layout = self._build_layout()
        self.update()

    # ------------------------------------------------------------ widgets
    def _build_widgets(self) -> None:
        W = pn.widgets
        self.sliders: dict[str, Any] = {}
        for name, label, lo, hi, step, default in self.SLIDERS:
            extra = {"bar_color": I_COLOR} if name == "tau_I" else {}  # the I time constant
            w = labelled(W.FloatSlider, label, start=lo, end=hi, step=step, value=default,
                         width=280 if name != "tau_I" else 300, **extra)
            w.param.watch(self._on_change, "value_throttled")
            self.sliders[name] = w
        self.w_duration = labelled(W.EditableFloatSlider, "duration (ms)", start=100.0,
                                   end=3000.0, step=50.0, value=1000.0, width=280,
                                   css_classes=["ratenet-ei-duration"])
        self.w_grid = labelled(W.EditableIntSlider, "flow field arrows per axis", start=5,
                               end=40, step=1, value=17, width=280,
                               css_classes=["ratenet-ei-grid"])
        for box in (self.w_duration, self.w_grid):
            box.param.watch(self._on_change, "value")
        self._ends = {"duration": self.w_duration.end, "grid": self.w_grid.end}
        self.sliders["duration"] = self.w_duration
        self.sliders["grid"] = self.w_grid
        self.alert = pn.pane.Alert("", alert_type="danger", visible=False, width=560,
                                   css_classes=["ratenet-ei-alert"])
        # plain Bokeh Divs: updating their text costs far less than a Panel pane's
        self.summary = Div(text="", css_classes=["ratenet-ei-summary"], width=900, height=60)
        self.status_text = Div(text="", width=900, height=36,
                               styles={"font-size": "12px", "color": "#555"})
        # the one-parameter bifurcation diagram, computed on demand
        self.w_bif_param = W.Select(label="bifurcation diagram in", value="tau_I",
                                    options=[name for name, *_ in self.SLIDERS], width=200,
                                    css_classes=["ratenet-ei-bif-param"])
        self.w_bif_param.param.watch(lambda event: self.compute_diagram(), "value")
        self.w_bif_go = W.Button(label="compute the diagram", color="primary",
                                 width=200, css_classes=["ratenet-ei-bif-go"])
        self.w_bif_go.on_click(lambda event: self.compute_diagram())
        self.bif_text = Div(text="Choose a parameter and press <i>compute the diagram</i>: "
                                 "equilibria and cycles (stable and unstable) continued over "
                                 "the slider's range.", width=900, height=40,
                            styles={"font-size": "12px", "color": "#555"},
                            css_classes=["ratenet-ei-bif-text"])
        self._bif_param: str | None = None

    # ------------------------------------------------------------ figures
    def _build_figures(self) -> None:
        tools = "pan,wheel_zoom,box_zoom,reset,save"
        f = figure(title="Phase plane (click to start a trajectory)", width=560, height=480,
                   tools=tools, x_axis_label="ν_E (Hz)", y_axis_label="ν_I (Hz)",
                   x_range=Range1d(start=0, end=60), y_range=Range1d(start=0, end=50),
                   name="ei_phase")
        self.src_flow = ColumnDataSource(dict(x0=[], y0=[], x1=[], y1=[]))
        f.segment("x0", "y0", "x1", "y1", source=self.src_flow, line_color="#9e9e9e",
                  line_width=1.2)
        self.src_flow_head = ColumnDataSource(dict(x=[], y=[]))
        f.scatter("x", "y", source=self.src_flow_head, size=3, color="#9e9e9e")
        self.src_ncE = ColumnDataSource(dict(xs=[], ys=[]))
        self.src_ncI = ColumnDataSource(dict(xs=[], ys=[]))
        f.multi_line("xs", "ys", source=self.src_ncE, line_color=E_COLOR, line_width=2.5,
                     legend_label="E-nullcline dν_E/dt = 0")
        f.multi_line("xs", "ys", source=self.src_ncI, line_color=I_COLOR, line_width=2.5,
                     legend_label="I-nullcline dν_I/dt = 0")
        self.src_cycle = ColumnDataSource(dict(x=[], y=[]))
        f.line("x", "y", source=self.src_cycle, line_color="#ff7f0e", line_width=5, alpha=0.8,
               legend_label="limit cycle", name="limit_cycle")
        self.src_traj = ColumnDataSource(dict(x=[], y=[]))
        f.line("x", "y", source=self.src_traj, line_color="#2ca02c", line_width=1.5,
               legend_label="trajectory from click", name="trajectory")
        self.src_start = ColumnDataSource(dict(x=[], y=[]))
        f.scatter("x", "y", source=self.src_start, size=10, marker="triangle",
                  color="#2ca02c")
        self.src_fp = ColumnDataSource(dict(x=[], y=[], marker=[], color=[], kind=[], eig=[]))
        r = f.scatter("x", "y", source=self.src_fp, size=14, marker="marker", fill_color="color",
                      line_color="black", line_width=1.5, legend_label="fixed points",
                      name="fixed_points")
        f.add_tools(HoverTool(renderers=[r], tooltips=[("type", "@kind"),
                                                        ("ν_E, ν_I", "@x{0.00}, @y{0.00} Hz"),
                                                        ("eigenvalues", "@eig")]))
        f.legend.orientation = "horizontal"
        f.legend.label_text_font_size = "9px"
        f.legend.spacing = 4
        f.add_layout(f.legend[0], "below")
        f.on_event(Tap, self._on_tap)
        self.fig_phase: Any = f

        g = figure(title="Jacobian at the fixed points: trace and determinant",
                   width=420, height=380,
                   tools=tools, x_axis_label="trace tr J (1/ms)",
                   y_axis_label="determinant det J (1/ms²)",
                   x_range=Range1d(start=-0.05, end=0.05),
                   y_range=Range1d(start=-0.001, end=0.01),
                   name="ei_trdet")
        for axis in (g.xaxis, g.yaxis):  # 0.004, not Bokeh's 4.000e-3
            axis.formatter = BasicTickFormatter(use_scientific=False)
        self.src_parab = ColumnDataSource(dict(x=[], y=[]))
        g.line("x", "y", source=self.src_parab, line_color="#777", line_dash="dashed")
        g.line(x=[0, 0], y=[0, 1e3], line_color="#bbb")
        self.src_axes = ColumnDataSource(dict(x=[], y=[]))
        g.line("x", "y", source=self.src_axes, line_color="#bbb")
        self.src_trdet = ColumnDataSource(dict(x=[], y=[], marker=[], color=[], kind=[],
                                               eig=[]))
        r2 = g.scatter("x", "y", source=self.src_trdet, size=14, marker="marker",
                       fill_color="color", line_color="black", line_width=1.5)
        g.add_tools(HoverTool(renderers=[r2], tooltips=[("type", "@kind"),
                                                         ("eigenvalues", "@eig")]))
        self.src_regions = ColumnDataSource(dict(x=[], y=[], text=[]))
        g.text("x", "y", text="text", source=self.src_regions, text_font_size="10px",
               text_color="#666", text_align="center")
        self.fig_trdet: Any = g

        h = figure(title="Time courses from the clicked point", width=620, height=220,
                   tools=tools, x_axis_label="time (ms)", y_axis_label="rate (Hz)",
                   name="ei_time")
        self.src_tc = ColumnDataSource(dict(t=[], E=[], I=[]))
        h.line("t", "E", source=self.src_tc, line_color=E_COLOR, line_width=2,
               legend_label="ν_E")
        h.line("t", "I", source=self.src_tc, line_color=I_COLOR, line_width=2,
               legend_label="ν_I")
        h.legend.label_text_font_size = "9px"
        h.add_layout(h.legend[0], "right")
        self.fig_tc: Any = h

        b = figure(title="Bifurcation diagram (continuation): stable solid, unstable dashed",
                   width=980, height=330, tools=tools, x_axis_label="tau_I (ms)",
                   y_axis_label="ν_E (Hz)", name="ei_bifurcation")
        self.src_bif: dict[str, Any] = {}
        for key, color, dash, label in (
                ("eq_stable", "black", "solid", "equilibrium, stable"),
                ("eq_unstable", "black", "dashed", "equilibrium, unstable"),
                ("cyc_stable", E_COLOR, "solid", "cycle min/max ν_E, stable"),
                ("cyc_unstable", E_COLOR, "dashed", "cycle min/max ν_E, unstable")):
            self.src_bif[key] = ColumnDataSource(dict(xs=[], ys=[]))
            b.multi_line("xs", "ys", source=self.src_bif[key], line_color=color,
                         line_dash=dash, line_width=2, legend_label=label, name=key)
        self.src_bif_pts = ColumnDataSource(dict(x=[], y=[], kind=[], color=[]))
        rp = b.scatter("x", "y", source=self.src_bif_pts, size=11, marker="circle",
                       fill_color="color", line_color="black", legend_label="special points",
                       name="special_points")
        b.add_tools(HoverTool(renderers=[rp], tooltips=[("", "@kind"), ("at", "@x{0.0000}")]))
        self.bif_now = Span(location=30.0, dimension="height", line_color="#555",
                            line_dash="dotted", line_width=2)
        b.add_layout(self.bif_now)
        b.legend.label_text_font_size = "9px"
        b.add_layout(b.legend[0], "right")
        self.fig_bif: Any = b

    def _build_layout(self) -> pn.viewable.Viewable:
        s = self.sliders
        controls = pn.Column(
            pn.pane.HTML("<b>E-I populations</b> (ms, Hz)"),
            s["tau_I"], pn.layout.Divider(),
            *(s[k] for k in ("tau_E", "M_EE", "M_EI", "M_IE", "M_II", "gamma_E", "gamma_I")),
            pn.layout.Divider(), self.w_duration, self.w_grid, width=310,
        )
        plots = pn.Column(
            self.alert, pn.pane.Bokeh(self.summary),
            pn.Row(pn.pane.Bokeh(self.fig_phase), pn.pane.Bokeh(self.fig_trdet)),
            pn.pane.Bokeh(self.fig_tc), pn.pane.Bokeh(self.status_text),
            pn.Row(self.w_bif_param, self.w_bif_go), pn.pane.Bokeh(self.bif_text),
            pn.pane.Bokeh(self.fig_bif),
        )
        return pn.Row(controls, plots)

    # ------------------------------------------------------------ diagram
    def compute_diagram(self) -> None:
        """Continue equilibria and cycles in the chosen parameter over its slider's range
        (at most ``DIAGRAM_SECONDS``), the other parameters as the sliders set them."""
        name = str(self.w_bif_param.value)
        try:
            params, _duration, _grid = self._read()
            model = _api.ei_model(**params)
        except ParameterError as err:
            self._refuse(err)
            return
        lo, hi = next((lo, hi) for n, _l, lo, hi, _s, _d in self.SLIDERS if n == name)
        try:
            d = continuation_diagram(model, name, lo, hi, time_limit=DIAGRAM_SECONDS)
        except (ParameterError, ArithmeticError, RuntimeError, ValueError,
                np.linalg.LinAlgError) as err:
            self.bif_text.text = (f"The continuation failed: {html.escape(type(err).__name__)}: "
                                  f"{html.escape(str(err)[:300])}")
            return
        with pn.io.hold():
            for key, src in self.src_bif.items():
                src.data = dict(xs=d[key][0], ys=d[key][1])
            kinds = d["points"]["kind"]
            self.src_bif_pts.data = dict(
                x=d["points"]["x"], y=d["points"]["y"], kind=kinds,
                color=[POINT_COLORS.get(k, "#ff7f0e") for k in kinds])
            unit = " (ms)" if name.startswith("tau") else " (Hz)" if name.startswith(
                "gamma") else ""
            self.fig_bif.xaxis.axis_label = f"{name}{unit}"
            self._bif_param = name
            self.bif_now.location = params[name]
            found = sorted(set(kinds))
            notes = "; ".join(html.escape(n) for n in d["notes"])
            self.bif_text.text = (
                f"{html.escape(name)} from {lo:g} to {hi:g}: "
                f"{len(d['eq_stable'][0]) + len(d['eq_unstable'][0])} equilibrium run(s), "
                f"{len(d['cyc_stable'][0]) + len(d['cyc_unstable'][0])} cycle run(s); "
                f"special points: {html.escape(', '.join(found) or 'none')}; "
                f"{d['seconds']:.1f} s (cap {DIAGRAM_SECONDS:g} s)"
                + (f" · <i>{notes}</i>" if notes else ""))

    # ---------------------------------------------------------- callbacks
    def _on_change(self, event: Any) -> None:
        if not self._busy:
            self.update()

    def _on_tap(self, event: Any) -> None:
        """A click starts a trajectory there; only a point of the shown window is taken
        (a browser can click nowhere else; anything else is refused, the state kept)."""
        xr, yr = self.fig_phase.x_range, self.fig_phase.y_range
        try:
            x = self.limits.check_float("click nu_E", event.x, min(0.0, xr.start), xr.end)
            y = self.limits.check_float("click nu_I", event.y, min(0.0, yr.start), yr.end)
        except ParameterError as err:
            self._refuse(err)
            return
        self._start = (max(x, 0.0), max(y, 0.0))
        self.update(trajectory_only=True)

    def _read(self) -> tuple[dict[str, float], float, int]:
        L = self.limits
        params = {}
        for name, _label, lo, hi, _step, _d in self.SLIDERS:
            params[name] = L.check_float(name, self.sliders[name].value, lo, hi)
        duration = L.check_float("duration", self.w_duration.value, 10.0, L.ei_duration_max)
        grid = L.check_int("grid", self.w_grid.value, L.ei_grid_min, L.ei_grid_max)
        return params, duration, grid

    def _refuse(self, err: ParameterError) -> None:
        """Show why a request was refused and put the widgets back to the last valid state."""
        refuse(self, err)

    def update(self, *, trajectory_only: bool = False) -> None:
        """Redraw in two steps: the analysis at once, then the clicked trajectory.

        Fixed points, limit cycle, nullclines and flow come from ``ratenet.analysis``
        (exact for threshold-linear f) and take milliseconds; they are drawn first.
        The trajectory from the clicked point is simulated on the next tick (a newer
        request makes a pending one moot).
        """
        t0 = time.perf_counter()
        try:
            params, duration, grid = self._read()
            model = _api.ei_model(**params)
        except ParameterError as err:
            self._refuse(err)
            return
        self._generation += 1
        gen = self._generation
        with pn.io.hold():
            if not trajectory_only:
                try:
                    self._draw_analysis(model, grid)
                except (ArithmeticError, RuntimeError, ValueError, np.linalg.LinAlgError) as err:
                    # the numerical analysis gave up: say so, keep the last picture
                    self.alert.object = (f"The analysis failed for these parameters: "
                                         f"{html.escape(type(err).__name__)}: "
                                         f"{html.escape(str(err)[:300])}. The previous "
                                         "result is kept.")
                    self.alert.visible = True
                    return
            self.src_start.data = dict(x=[self._start[0]], y=[self._start[1]])
            self.alert.visible = False
        self._valid = {**params, "duration": duration, "grid": grid}  # put back if refused
        if self._bif_param is not None:  # the current value on the diagram
            self.bif_now.location = params[self._bif_param]
        self.first_draw_s = time.perf_counter() - t0

        def simulate_and_draw() -> None:
            if gen == self._generation:
                self._draw_trajectory(model, duration, t0)

        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            doc.add_next_tick_callback(simulate_and_draw)
        else:
            simulate_and_draw()

    _generation = 0
    _analysis_note = ""
    first_draw_s = math.nan

    def _draw_trajectory(self, model: Any, duration: float, t0: float) -> None:
        t, r, ok, msg = _api.ei_trajectory(model, start=self._start, duration=duration)
        with pn.io.hold():
            self.src_traj.data = dict(x=r[:, 0], y=r[:, 1])
            self.src_tc.data = dict(t=t, E=r[:, 0], I=r[:, 1])
            self.updates += 1
            self.last_update_s = time.perf_counter() - t0
            note = "" if ok else f" <b>Trajectory diverged:</b> {html.escape(msg)}"
            self.status_text.text = (
                f"Trajectory from ({self._start[0]:.1f}, {self._start[1]:.1f}) Hz over "
                f"{duration:g} ms (RK4).{note} · server time: analysis "
                f"{1e3 * self.first_draw_s:.0f} ms, with the trajectory "
                f"{1e3 * self.last_update_s:.0f} ms · update {self.updates}")

    def _draw_analysis(self, model: Any, grid: int) -> None:
        plane = _api.ei_phase_plane(model, grid=grid)
        (x_lo, x_hi), (y_lo, y_hi) = plane.x_range, plane.y_range
        self.fig_phase.x_range.start, self.fig_phase.x_range.end = x_lo, x_hi
        self.fig_phase.y_range.start, self.fig_phase.y_range.end = y_lo, y_hi
        # flow field: equal-length arrows along dnu/dt, measured in grid cells
        X, Y, U, V = plane.flow
        sx, sy = (x_hi - x_lo) / (grid + 1), (y_hi - y_lo) / (grid + 1)
        u, v = U / sx, V / sy
        norm = np.hypot(u, v)
        norm[norm == 0] = 1.0
        x1 = X + 0.8 * sx * u / norm
        y1 = Y + 0.8 * sy * v / norm
        self.src_flow.data = dict(x0=X.ravel(), y0=Y.ravel(), x1=x1.ravel(), y1=y1.ravel())
        self.src_flow_head.data = dict(x=x1.ravel(), y=y1.ravel())
        self.src_ncE.data = dict(xs=[c[0] for c in plane.nullcline_E],
                                 ys=[c[1] for c in plane.nullcline_E])
        self.src_ncI.data = dict(xs=[c[0] for c in plane.nullcline_I],
                                 ys=[c[1] for c in plane.nullcline_I])
        cyc = plane.cycle
        self.src_cycle.data = (dict(x=cyc.nu_E, y=cyc.nu_I) if cyc is not None
                               else dict(x=[], y=[]))
        fps = plane.fixed_points
        styles = [_style(p.kind) for p in fps]
        eig = [", ".join(_fmt(z) for z in p.eigenvalues) for p in fps]
        self.src_fp.data = dict(x=[p.nu_E for p in fps], y=[p.nu_I for p in fps],
                                marker=[s[0] for s in styles], color=[s[1] for s in styles],
                                kind=[p.kind for p in fps], eig=eig)
        self.src_trdet.data = dict(x=[p.trace for p in fps], y=[p.det for p in fps],
                                   marker=[s[0] for s in styles], color=[s[1] for s in styles],
                                   kind=[p.kind for p in fps], eig=eig)
        span = max([abs(p.trace) for p in fps] + [2 * math.sqrt(abs(p.det)) for p in fps]
                   + [0.02])
        tr = np.linspace(-1.5 * span, 1.5 * span, 101)
        self.src_parab.data = dict(x=tr, y=tr**2 / 4)
        self.src_axes.data = dict(x=[-1.5 * span, 1.5 * span], y=[0.0, 0.0])
        self.fig_trdet.x_range.start, self.fig_trdet.x_range.end = -1.5 * span, 1.5 * span
        top = max([p.det for p in fps] + [span**2 / 4]) * 1.6
        bottom = min([p.det for p in fps] + [0.0]) * 1.3 - 0.35 * top
        self.fig_trdet.y_range.start, self.fig_trdet.y_range.end = bottom, top
        # the regions of the plane, named
        self.src_regions.data = dict(
            x=[-0.75 * span, 0.75 * span, -1.2 * span, 1.2 * span, 0.0],
            y=[0.85 * top, 0.85 * top, 0.12 * top, 0.12 * top, 0.6 * bottom],
            text=["stable focus", "unstable focus", "stable node", "unstable node",
                  "saddle (det < 0); dashed: det = tr²/4"])
        parts = [f"fixed point ({p.nu_E:.2f}, {p.nu_I:.2f}) Hz: <b>{p.kind}</b>, eigenvalues "
                 f"{e} /ms, tr = {p.trace:.4g}, det = {p.det:.4g}" for p, e in zip(fps, eig)]
        if not parts:
            parts.append("no fixed point")
        if cyc is not None:
            head = (f'<b class="ratenet-cycle" data-cycle="yes">Limit cycle</b> '
                    f"({'stable' if cyc.stable else 'unstable'}): period {cyc.period:.1f} ms, "
                    f"ν_E from {np.min(cyc.nu_E):.1f} to {np.max(cyc.nu_E):.1f} Hz, "
                    f"ν_I from {np.min(cyc.nu_I):.1f} to {np.max(cyc.nu_I):.1f} Hz")
        else:
            head = '<span class="ratenet-cycle" data-cycle="no">No limit cycle</span>'
        self.summary.text = (f'<div style="font-size:16px">{head}</div>'
                               f'<div class="ratenet-ei-fixed-points" style="font-size:13px">'
                               f'{"<br>".join(parts)}</div>')


def _fmt(z: complex) -> str:
    if abs(z.imag) < 1e-12:
        return f"{z.real:.4g}"
    sign = "+" if z.imag >= 0 else "-"
    return f"{z.real:.3g} {sign} {abs(z.imag):.3g}i"
