"""Shared CLI machinery: one-line errors with exit code 2, JSON output, progress."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click
import numpy as np

from .._validation import ParameterError, short_repr


def option_name(param: str) -> str:
    """CLI spelling of a model parameter: ``J0 -> --j0``, ``tau_I -> --tau-i``."""
    return "--" + param.lower().replace("_", "-")


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``ratenet: error: ...`` on one line of stderr and exit."""
    click.echo(f"ratenet: error: {message}", err=True)
    sys.exit(code)


def parameter_error(err: ParameterError, options: dict[str, str] | None = None) -> NoReturn:
    """Report a library ParameterError as a one-line CLI error naming the option."""
    opt = (options or {}).get(err.name, option_name(err.name))
    fail(f"{opt}: {err}")


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: turn ParameterError raised inside a command into a one-line error."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ParameterError as err:
            parameter_error(err)

    return wrapper


def to_jsonable(obj: Any) -> Any:
    """Numbers, arrays, complex and nan/inf made JSON-safe (nan/inf become null)."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (complex, np.complexfloating)):
        return [to_jsonable(obj.real), to_jsonable(obj.imag)]
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None
    return obj


def echo_json(obj: Any) -> None:
    click.echo(json.dumps(to_jsonable(obj), indent=2))


def show_progress(quiet: bool) -> bool:
    """Progress bars only on an interactive stderr and without --quiet."""
    return (not quiet) and sys.stderr.isatty()


def note(message: str) -> None:
    """A message (``wrote FILE``, a remark) on stderr, unless the command runs with --quiet.

    Results go to stdout; everything else goes through here or is an error/warning.
    """
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.params.get("quiet"):
        return
    click.echo(message, err=True)


# ------------------------------------------------------------------ the guard
#: Exit codes: 0 ok, 1 the computation failed (diverged, did not converge, internal error),
#: 2 bad input (a value, an option, an unwritable output), 130 interrupted (Ctrl-C).
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _one_line(text: str, limit: int = 400) -> str:
    """An exception message on one line, cut to ``limit`` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _computation_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean 'the computation failed' (exit 1), not 'a bug' or 'bad input'."""
    from ..results import SimulationDiverged

    kinds: list[type[BaseException]] = [SimulationDiverged, np.linalg.LinAlgError,
                                        FloatingPointError, WorkTimeout]
    try:
        from ..continuation import ContinuationError
        kinds.append(ContinuationError)
    except ImportError:  # the continuation package is optional here
        pass
    return tuple(kinds)


def _debug() -> bool:
    import os

    return os.environ.get("RATENET_DEBUG", "").strip() not in ("", "0")


def _report(err: BaseException, message: str, code: int) -> NoReturn:
    """One line on stderr (the traceback first with RATENET_DEBUG=1), then exit."""
    if _debug():
        import traceback

        traceback.print_exception(type(err), err, err.__traceback__, file=sys.stderr)
    fail(message, code)


def handle_exception(err: BaseException) -> NoReturn:
    """Map any exception escaping a command to one line on stderr and an exit code.

    ParameterError, click.BadParameter/UsageError and OSError (an unwritable output)
    exit 2; computation failures (divergence, LinAlgError, ContinuationError,
    MemoryError) exit 1; Ctrl-C exits 130 with ``interrupted``; anything else is an
    ``internal error`` (exit 1) whose traceback ``RATENET_DEBUG=1`` shows.
    """
    if isinstance(err, SystemExit):
        raise err
    if isinstance(err, click.UsageError):
        if type(err).__name__.startswith("NoArgsIsHelp"):  # a bare group: show its help
            click.echo(err.ctx.get_help() if err.ctx else str(err))
            sys.exit(0)
        hint = ""
        if err.ctx is not None and err.ctx.command_path:
            hint = f" (see '{err.ctx.command_path} --help')"
        _report(err, _one_line(err.format_message()) + hint, err.exit_code)
    if isinstance(err, click.ClickException):
        _report(err, _one_line(err.format_message()), err.exit_code)
    if isinstance(err, (KeyboardInterrupt, click.exceptions.Abort)):
        if isinstance(err, KeyboardInterrupt) or isinstance(err.__cause__, KeyboardInterrupt):
            click.echo("ratenet: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        click.echo("ratenet: aborted", err=True)
        sys.exit(EXIT_FAILED)
    if isinstance(err, ParameterError):
        if _debug():
            import traceback

            traceback.print_exception(type(err), err, err.__traceback__, file=sys.stderr)
        parameter_error(err)
    if isinstance(err, BrokenPipeError):  # `ratenet ... | head`: the reader left
        import os

        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        sys.exit(EXIT_FAILED)
    if isinstance(err, OSError):
        where = f" {short_repr(err.filename)}" if getattr(err, "filename", None) else ""
        _report(err, _one_line(f"cannot access{where}: {err.strerror or err}"),
                EXIT_BAD_INPUT)
    if isinstance(err, MemoryError):
        _report(err, _one_line(f"not enough memory for this computation ({err})"),
                EXIT_FAILED)
    if isinstance(err, _computation_errors()):
        _report(err, _one_line(f"the computation failed: {err}"), EXIT_FAILED)
    _report(err, _one_line(f"internal error: {type(err).__name__}: {err} "
                           "(RATENET_DEBUG=1 shows the traceback)"), EXIT_FAILED)


class RatenetGroup(click.Group):
    """The ``ratenet`` group: every command runs under :func:`handle_exception`.

    Usage errors are one line (``ratenet: error: ...``, exit 2) and no exception
    escapes as a traceback, from any command of any subgroup.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except SystemExit:
            raise
        except BaseException as err:
            handle_exception(err)
        if isinstance(rv, int):
            sys.exit(rv)
        sys.exit(0)


# ------------------------------------------------------------- bounded work
def check_work(what: str, estimate: float, cap: float, option: str, detail: str,
               unit: str = "unit-steps") -> None:
    """Refuse (exit 2) before starting when the estimated work exceeds its cap.

    The message gives the estimate, what it is made of, and the option raising the cap.
    """
    if not (math.isfinite(estimate) and estimate <= cap):
        fail(f"{what}: estimated {estimate:.3g} {unit} ({detail}) exceeds the cap "
             f"{option} {cap:.3g}; raise {option} to run it anyway, or make the run smaller")


def check_memory(what: str, n_bytes: float, detail: str) -> None:
    """Refuse (exit 2) a run whose arrays would need more than half of the memory."""
    from .._engine import _memory_limit

    limit = _memory_limit()
    if not (math.isfinite(n_bytes) and n_bytes <= limit):
        fail(f"{what}: needs about {n_bytes / 2**30:.3g} GiB of memory ({detail}), more than "
             f"half of this machine's ({2 * limit / 2**30:.3g} GiB); make the run smaller")


def _positive_cap(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A cap must be > 0 (inf: no cap); NaN and values <= 0 are refused, naming the option."""
    if not value > 0:
        raise click.BadParameter(f"must be a number > 0 (got {value:g})")
    return value


def max_work_option(default: float, unit: str = "unit-steps") -> Callable[..., Any]:
    """``--max-work``: the cap on the estimated work of one run (refused above it)."""
    return click.option(
        "--max-work", "max_work", type=float, default=default, show_default=True,
        callback=_positive_cap,
        help=f"Refuse runs estimated above this many {unit} (units x time steps x "
             "trials); raise it for longer runs.")


class WorkTimeout(RuntimeError):
    """A command passed its wall-clock cap (``--max-seconds``)."""


class time_cap:
    """Context manager: raise :class:`WorkTimeout` after ``seconds`` of wall time.

    Uses ``SIGALRM`` (main thread, POSIX); elsewhere it does nothing.  The guard turns
    the exception into one line naming ``option``, exit 1.
    """

    def __init__(self, seconds: float, option: str = "--max-seconds") -> None:
        self.seconds, self.option = float(seconds), option
        self._old: Any = None

    def _fire(self, signum: int, frame: Any) -> None:
        raise WorkTimeout(f"stopped after {self.seconds:g} s, the cap {self.option}; raise "
                          f"{self.option} to let it run longer")

    def __enter__(self) -> time_cap:
        import signal
        import threading

        if not self.seconds > 0:  # NaN too
            fail(f"{self.option}: must be a number > 0 (got {self.seconds:g})")
        # a cap past ~30 years is no cap (setitimer overflows time_t near 1e20 s)
        if not (hasattr(signal, "setitimer") and threading.current_thread()
                is threading.main_thread() and self.seconds < 1e9):
            return self
        self._old = signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        if self._old is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old)
            self._old = None


# -------------------------------------------------------------- output files
def check_output_path(option: str, path: str | None, *, suffixes: tuple[str, ...] = (),
                      directory: bool = False) -> None:
    """Before any work: the output ``path`` can be written (exit 2 naming ``option`` if not).

    Checks the name's length, the folder (exists, is a folder, writable), and that an
    existing ``path`` is a regular file (or, ``directory=True``, a folder) that may be
    replaced.  With ``suffixes`` the name must end in one of them.
    """
    import os

    if path is None:
        return
    shown = short_repr(path)
    if not path or "\x00" in path:
        fail(f"{option}: not a valid file name ({shown})")
    if suffixes and not path.lower().endswith(suffixes):
        fail(f"{option}: the file name must end in {' or '.join(suffixes)} (got {shown})")
    full = os.path.abspath(path)
    folder, base = os.path.split(full)
    try:
        name_max = os.pathconf(folder if os.path.isdir(folder) else "/", "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    if len(os.fsencode(base)) + 16 > name_max:  # room for the temporary suffix
        fail(f"{option}: file name too long ({len(base)} characters, at most "
             f"{name_max - 16}): {shown}")
    if directory:
        if os.path.exists(full) and not os.path.isdir(full):
            fail(f"{option}: {shown} exists and is not a folder")
        probe = full
        while not os.path.exists(probe):  # the nearest existing parent must be writable
            probe = os.path.dirname(probe)
        if not os.path.isdir(probe) or not os.access(probe, os.W_OK | os.X_OK):
            fail(f"{option}: cannot create or write the folder {shown} "
                 f"({short_repr(probe)} is not writable)")
        return
    if not os.path.isdir(folder):
        fail(f"{option}: the folder {short_repr(folder)} does not exist")
    if os.path.exists(full) and not os.path.isfile(full):
        fail(f"{option}: {shown} exists and is not a regular file")
    if not os.access(folder, os.W_OK | os.X_OK):
        fail(f"{option}: the folder {short_repr(folder)} is not writable")
    try:  # access() says yes on read-only mounts and for root: try a real file
        import tempfile

        fd, probe_name = tempfile.mkstemp(prefix=".ratenet-probe-", dir=folder)
        os.close(fd)
        os.remove(probe_name)
    except OSError as err:
        fail(f"{option}: cannot write in {short_repr(folder)}: {err.strerror or err}")


def check_plot_path(option: str, path: str | None) -> None:
    """A figure file: a format matplotlib writes (from the suffix), in a writable folder."""
    import os

    if path is None:
        return
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backend_bases import FigureCanvasBase

    ext = os.path.splitext(path)[1].lstrip(".").lower()
    formats = FigureCanvasBase.get_supported_filetypes()
    if ext not in formats:
        fail(f"{option}: unsupported file type {short_repr(ext)} in {short_repr(path)}; use "
             f"one of {', '.join(sorted(formats))}")
    check_output_path(option, path)


def temp_name(path: str) -> str:
    """A temporary name next to ``path`` (same folder, so that the rename is atomic)."""
    import os

    folder, base = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{base[:200]}.tmp-{os.getpid()}")


def write_atomic(option: str, path: str, write: Callable[[str], Any]) -> None:
    """Call ``write(tmp)`` on a temporary name, then rename it to ``path``.

    On any error the temporary file is removed and ``path`` is left as it was;
    an OSError becomes a one-line error naming ``option`` (exit 2).
    """
    import os

    tmp = temp_name(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as err:
        fail(f"{option}: cannot write {short_repr(path)}: {err.strerror or err}")
    finally:
        if os.path.exists(tmp):
            try:
                os.remove(tmp)
            except OSError:
                pass


def save_figure(option: str, fig: Any, path: str, *, announce: bool = True,
                **kwargs: Any) -> None:
    """Save a matplotlib figure atomically (format from ``path``), close it, note it."""
    import os

    import matplotlib.pyplot as plt

    fmt = os.path.splitext(path)[1].lstrip(".").lower() or None
    try:
        write_atomic(option, path, lambda tmp: fig.savefig(tmp, format=fmt, **kwargs))
    finally:
        plt.close(fig)
    if announce:
        note(f"wrote {path}")
