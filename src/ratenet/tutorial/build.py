"""Build the tutorial report: run every section, write report.html, results.json, figures."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from ._core import Section, TutorialReport, Workspace, not_available
from ._lib import Missing

__all__ = ["TutorialReport", "build_tutorial", "section_builders"]


def section_builders() -> list[tuple[str, str, str, Callable[[Workspace], Section]]]:
    """``(id, title, group, builder)`` for every section of the report, in order."""
    from . import beyond, continuation_part, ei_part, ei_ring_part, errata, ring_part
    from .questions import QUESTIONS

    out = []
    builders = list(ring_part.SECTIONS) + list(ei_part.SECTIONS)
    for q, fn in zip(QUESTIONS, builders):
        out.append((q.id, q.title, "question", fn))
    for sid, title, fn in (*beyond.SECTIONS, *ei_ring_part.SECTIONS,
                           *continuation_part.SECTIONS):
        out.append((sid, title, "beyond", fn))
    for sid, title, fn in errata.SECTIONS:
        out.append((sid, title, "errata", fn))
    return out


def _run(sid: str, title: str, group: str, fn: Callable[[Workspace], Section],
         ws: Workspace) -> Section:
    try:
        sec = fn(ws)
    except Missing as err:
        from .questions import QUESTIONS

        prompt = next((q.prompt for q in QUESTIONS if q.id == sid), "")
        return Section(
            sid, title, prompt,
            f'<p class="missing">Not available: this section needs '
            f"<code>{err.what}</code>, which is not part of the installed library.</p>",
            [not_available(sid, title, "—", err.what)], group=group)
    sec.group = group
    return sec


def build_tutorial(out: str | os.PathLike[str], *, progress: bool = False,
                   only: list[str] | None = None) -> TutorialReport:
    """Answer and check every question of the tutorial; write the report.

    Parameters
    ----------
    out : path
        Output directory; created if needed. Receives ``report.html``,
        ``results.json`` and ``figures/*.png``.
    progress : bool, default False
        Show a progress bar (one step per section) on stderr.
    only : list of str, optional
        Build only these section ids (e.g. ``["Q1", "Q9"]``), for quick looks.

    Returns
    -------
    TutorialReport
    """
    import matplotlib

    matplotlib.use("Agg")
    from tqdm.auto import tqdm

    from .report import write_html

    start = time.perf_counter()
    ws = Workspace(Path(out))
    todo = [b for b in section_builders() if only is None or b[0] in only]
    sections: list[Section] = []
    with tqdm(total=len(todo), disable=not progress, desc="tutorial", unit="section",
              leave=False) as bar:
        for sid, title, group, fn in todo:
            bar.set_postfix_str(sid)
            sections.append(_run(sid, title, group, fn, ws))
            bar.update(1)
    checks = [c for s in sections for c in s.checks]
    seconds = time.perf_counter() - start
    report = TutorialReport(sections, checks, ws.out, seconds)
    (ws.out / "results.json").write_text(
        json.dumps([c.to_json() for c in checks], indent=2, allow_nan=False) + "\n")
    write_html(report, ws.out / "report.html")
    return report
