"""Shared CLI machinery: one-line errors with exit code 2, JSON output, progress."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click
import numpy as np

from .._validation import ParameterError


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


class RatenetGroup(click.Group):
    """A click group whose usage errors are one line (``ratenet: error: ...``), exit 2."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.UsageError as e:
            if type(e).__name__.startswith("NoArgsIsHelp"):  # a bare group: show its help
                click.echo(e.ctx.get_help() if e.ctx else str(e))
                sys.exit(0)
            hint = ""
            if e.ctx is not None and e.ctx.command_path:
                hint = f" (see '{e.ctx.command_path} --help')"
            fail(e.format_message() + hint, e.exit_code)
        except click.ClickException as e:
            fail(e.format_message(), e.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except ParameterError as err:
            parameter_error(err)
        if isinstance(rv, int):
            sys.exit(rv)
        sys.exit(0)
