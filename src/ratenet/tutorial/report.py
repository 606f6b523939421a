"""The tutorial report as one self-contained HTML page (figures embedded, no network)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from .._version import __version__
from ._core import Check, Section, TutorialReport, fmt

__all__ = ["write_html"]

_GROUPS = (
    ("question", "Part 1 and 2: the tutorial's questions"),
    ("beyond", "Beyond the tutorial"),
    ("errata", "Corrections to the text"),
)

_CSS = """
body { font-family: Georgia, 'DejaVu Serif', serif; max-width: 60em; margin: 2em auto;
       padding: 0 1.2em; line-height: 1.5; color: #222; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #345; padding-bottom: 0.2em; margin-top: 2.2em; }
h3 { margin-top: 1.8em; color: #234; }
.question { background: #eef3f8; border-left: 4px solid #4a7aa8; padding: 0.5em 0.9em; }
.math { font-family: 'DejaVu Serif', 'Cambria Math', serif; margin: 0.6em 0 0.6em 2em;
        font-size: 1.05em; }
figure { margin: 1em 0; text-align: center; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.9em; color: #444; margin-top: 0.3em; text-align: left; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.86em; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.45em; vertical-align: top; }
th { background: #f3f3f3; text-align: left; }
td.num { font-family: 'DejaVu Sans Mono', monospace; white-space: nowrap; }
.pass { color: #17692e; font-weight: bold; }
.fail { color: #b00020; font-weight: bold; }
.missing { color: #b00020; }
.summary { font-size: 1.1em; padding: 0.6em 0.9em; border-radius: 4px; }
.summary.ok { background: #e6f4ea; } .summary.bad { background: #fde7e9; }
.basis { color: #555; font-size: 0.92em; }
nav > ol > li > ol { columns: 2; }
code { background: #f4f4f4; padding: 0 0.2em; }
"""


def _checks_table(checks: list[Check]) -> str:
    rows = []
    for c in checks:
        if isinstance(c.analytic, bool) or isinstance(c.numeric, bool) or c.analytic is None \
                or c.numeric is None:
            diff = "—"
        else:
            diff = fmt(abs(float(c.analytic) - float(c.numeric)), 3)
        status = '<span class="pass">pass</span>' if c.passed else '<span class="fail">FAIL</span>'
        rows.append(
            f"<tr><td>{html.escape(c.id)}</td><td>{html.escape(c.title)}<br>"
            f'<span class="basis">{html.escape(c.quantity)}</span></td>'
            f'<td class="num">{fmt(c.analytic, 10)}</td><td class="num">{fmt(c.numeric, 10)}</td>'
            f'<td class="num">{diff}</td><td class="num">{fmt(c.tolerance, 3)}</td>'
            f'<td class="basis">{html.escape(c.basis)}</td><td>{status}</td></tr>')
    return ("<table><tr><th>id</th><th>check</th><th>library (theory)</th><th>simulation</th>"
            "<th>|difference|</th><th>tolerance</th><th>where the tolerance comes from</th>"
            "<th></th></tr>" + "".join(rows) + "</table>")


def _figure(out: Path, fig) -> str:
    data = base64.b64encode((out / fig.filename).read_bytes()).decode("ascii")
    return (f'<figure><img alt="{html.escape(fig.caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(fig.caption)} <i>({html.escape(fig.filename)})</i>"
            "</figcaption></figure>")


def _section(out: Path, s: Section) -> str:
    status = "pass" if s.passed else "fail"
    parts = [f'<section id="{s.id}"><h3>{html.escape(s.id)}. {s.title} '
             f'<span class="{status}">[{"all checks pass" if s.passed else "check failed"}]'
             "</span></h3>"]
    if s.question:
        label = "Question" if s.group == "question" else "Topic"
        parts.append(f'<div class="question"><b>{label}.</b> {s.question}</div>')
    parts.append(s.answer)
    parts.extend(_figure(out, f) for f in s.figures)
    if s.checks:
        parts.append(_checks_table(s.checks))
    parts.append("</section>")
    return "\n".join(parts)


def write_html(report: TutorialReport, path: Path) -> None:
    """Write the report page (figures embedded as base64 PNG)."""
    out = report.out
    n, n_ok = len(report.checks), sum(c.passed for c in report.checks)
    ok = report.passed
    nav = []
    body = []
    for group, heading in _GROUPS:
        secs = [s for s in report.sections if s.group == group]
        if not secs:
            continue
        nav.append(f"<li><b>{heading}</b><ol>" + "".join(
            f'<li><a href="#{s.id}">{s.id}. {s.title}</a>'
            f'{"" if s.passed else " <span class=fail>(fail)</span>"}</li>' for s in secs)
            + "</ol></li>")
        body.append(f"<h2>{heading}</h2>")
        body.extend(_section(out, s) for s in secs)
    failed = "".join(f"<li>{html.escape(c.id)}: {html.escape(c.title)}</li>"
                     for c in report.failed)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ratenet: the rate-model tutorial, answered and checked</title>
<style>{_CSS}</style></head>
<body>
<h1>Rate models: the ring model and E-I populations</h1>
<p>Every question of the tutorial (TD5, rate models) answered, with the value the
<b>ratenet</b> library computes from theory next to the same quantity measured in a simulation.
Each check states its tolerance and where it comes from (time step, method order, number of
neurons, float64 rounding); none is widened to make a check pass.</p>
<p>Units: the ring model in units of its time constant τ (τ = 1); the E-I model in ms and Hz.
Generated by ratenet {html.escape(__version__)} in {report.seconds:.1f} s.</p>
<div class="summary {'ok' if ok else 'bad'}">{n_ok} of {n} checks pass.
{'' if ok else '<ul>' + failed + '</ul>'}</div>
<nav><h2>Contents</h2><ol>{''.join(nav)}</ol></nav>
{''.join(body)}
<h2>All checks</h2>
{_checks_table(report.checks)}
</body></html>
"""
    path.write_text(page, encoding="utf-8")
