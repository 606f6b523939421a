"""Explorer responsiveness: milliseconds from a slider key press to the redrawn plot.

Run:  .venv/bin/python benchmarks/bench_app.py
Drives the real app in headless Debian chromium through the browser test that records the
timings (tests/test_app.py::test_every_slider_step_redraws_the_plot), then writes
benchmarks/RESULTS_app.md. The target is a median under 200 ms at default sizes; the load
average is recorded because on a shared machine the numbers measure the other processes too.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ART = ROOT / "test-artifacts" / "app_latency.json"


def main() -> int:
    ART.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "tests/test_app.py::test_every_slider_step_redraws_the_plot"]
    rc = subprocess.run(cmd, cwd=ROOT).returncode
    if rc != 0 or not ART.exists():
        print("the browser measurement did not run "
              "(is chromium installed? see tools/ensure-browser.sh)")
        return 1
    data = json.loads(ART.read_text())
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = ["# Explorer latency", "",
             f"`python benchmarks/bench_app.py`, {when}, "
             f"load average {data['load average']:.1f} on {data['cores']} cores "
             "(key press on a slider to the repainted figure, 7 presses each).", "",
             "| view | median (ms) | max (ms) | target met (< 200 ms) |", "|---|---|---|---|"]
    for name, values in data.items():
        if isinstance(values, list):
            med = statistics.median(values)
            met = "yes" if med < 200 else "no"
            lines.append(f"| {name} | {med:.0f} | {max(values):.0f} | {met} |")
    text = "\n".join(lines) + "\n"
    print(text)
    path = HERE / "RESULTS_app.md"
    old = path.read_text() if path.exists() else ""
    load = old.find("## Explorer under load")  # written by bench_explorer_load.py: kept
    path.write_text(text + ("\n" + old[load:] if load >= 0 else ""))
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
