"""The CLI's caps: --max-seconds (time_cap) and --max-work refuse NaN and values <= 0;
a cap too large for the system timer is no cap (not an internal OverflowError)."""

import signal

import pytest
from click.testing import CliRunner

from ratenet.cli import main
from ratenet.cli._common import time_cap


@pytest.mark.parametrize("seconds", [1e9, 1e20, 1e308, float("inf")])
def test_huge_time_cap_sets_no_timer(seconds):
    with time_cap(seconds):
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.parametrize("seconds", [float("nan"), 0.0, -1.0])
def test_time_cap_refuses_nan_and_non_positive(seconds):
    with pytest.raises(SystemExit) as exc, time_cap(seconds):
        pass
    assert exc.value.code == 2


@pytest.mark.parametrize("value", ["nan", "0", "-5"])
def test_max_work_refuses_nan_and_non_positive(value):
    r = CliRunner().invoke(main, ["ring-ei", "simulate", "--n", "8", "--t-max", "1",
                                  "--max-work", value])
    assert r.exit_code == 2
    assert "--max-work" in r.output and "must be a number > 0" in r.output
