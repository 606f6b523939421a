"""``ratenet tutorial``: build the tutorial report (every question answered and checked)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import click

from ._common import check_output_path, fail, guarded, note, show_progress


@click.command()
@click.option("--out", "out", type=click.Path(file_okay=False, writable=True),
              default="out/tutorial", show_default=True,
              help="Directory for report.html, results.json and figures/.")
@click.option("--only", multiple=True, metavar="ID",
              help="Build only these sections (e.g. --only Q9 --only Q15); repeatable.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@guarded
def tutorial(out: str, only: tuple[str, ...], quiet: bool) -> None:
    """Answer every question of the rate-model tutorial, with checks, as a report.

    Writes OUT/report.html (self-contained page), OUT/results.json (one object per
    check: id, title, quantity, analytic, numeric, tolerance, passed) and
    OUT/figures/*.png. Exits with status 1 if any check fails.

    \b
    Example:
      ratenet tutorial --out out/tutorial
    """
    from ..tutorial import build_tutorial, section_builders

    check_output_path("--out", out, directory=True)
    if only:
        known = [b[0] for b in section_builders()]
        bad = [s for s in only if s not in known]
        if bad:
            fail(f"--only: unknown section {bad[0]!r} (known: {', '.join(known)})")
    dest = Path(out)
    dest.mkdir(parents=True, exist_ok=True)
    # built beside OUT, then each file moved into place: an error or Ctrl-C mid-build
    # leaves OUT as it was (no half-written report)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    try:
        report = build_tutorial(tmp, progress=show_progress(quiet), only=list(only) or None)
        for f in sorted(tmp.rglob("*")):
            if f.is_file():
                target = dest / f.relative_to(tmp)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(f, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    n, n_ok = len(report.checks), sum(c.passed for c in report.checks)
    if not quiet:
        click.echo(f"{n_ok} of {n} checks pass ({report.seconds:.1f} s); "
                   f"report: {dest / 'report.html'}")
    for c in report.failed:
        note(f"  FAILED {c.id}: {c.title} ({c.basis})")
    if not report.passed:
        raise SystemExit(1)
