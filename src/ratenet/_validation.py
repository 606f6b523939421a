"""Validation helpers shared by every model: errors that name the parameter.

One path for every numeric parameter of the public API, with the same rules everywhere:

* a real number is a Python ``int``/``float``, a NumPy integer or floating scalar, a 0-d
  array of one, or any object with ``__float__`` that is not one of the refused kinds;
* refused: ``bool`` (``True`` is not 1.0 here), strings and bytes (``'1'``), complex
  numbers, arrays with more than one element, NaN and +-inf (unless a function says
  otherwise, e.g. ``t_off = inf``);
* integers too large for a float (``10**400``) or for a 64-bit count give a
  :class:`ParameterError`, never an ``OverflowError``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = [
    "INT_MAX", "ParameterError", "as_float", "as_float_array", "check_finite_result",
    "check_int", "check_nonnegative", "check_positive", "check_seed", "check_time",
    "max_count", "memory_limit", "short_repr",
]

#: Largest integer accepted for a count, a size or a seed (64-bit signed).
INT_MAX = 2**63 - 1


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters (a 200-digit integer, a 5000-character path)."""
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__
        text = f"<{type(value).__name__}>"
    if len(text) > limit:
        text = f"{text[:limit // 2]}...{text[-limit // 4:]} ({len(text)} characters)"
    return text


class ParameterError(ValueError):
    """A parameter value outside its allowed range.

    Attributes
    ----------
    name : str
        The parameter's name as the user wrote it (``"J0"``, ``"tau_I"``...).
    value : object
        The offending value.
    allowed : str
        What would have been accepted, in words (``"a finite number < 1"``).
    """

    def __init__(self, name: str, value: Any, allowed: str, hint: str = "") -> None:
        self.name = name
        self.value = value
        self.allowed = allowed
        self.hint = hint
        msg = f"{name} must be {allowed} (got {short_repr(value)})"
        if hint:
            msg += f"; {hint}"
        super().__init__(msg)


_REAL = "a finite real number"


def _refused_kind(value: Any) -> str | None:
    """Why ``value`` is not a real number at all (None when it may be one)."""
    if isinstance(value, (bool, np.bool_)):
        return "not a bool"
    if isinstance(value, (str, bytes, bytearray)):
        return "a number, not a string"
    if isinstance(value, (complex, np.complexfloating)):
        return "real, not complex"
    return None


def as_float(name: str, value: Any, *, allow_nan: bool = False,
             allow_inf: bool = False) -> float:
    """Return ``value`` as a float or raise :class:`ParameterError` naming ``name``.

    Parameters
    ----------
    name : str
        Parameter name used in the error.
    value : object
        int, float, NumPy scalar or 0-d array (see the module docstring for what is refused).
    allow_nan, allow_inf : bool, default False
        Accept NaN / +-inf.

    Examples
    --------
    >>> as_float("J0", np.array(2))
    2.0
    >>> as_float("tau_I", "1")
    Traceback (most recent call last):
    ...
    ratenet._validation.ParameterError: tau_I must be a finite real number (got '1'); \
a number, not a string
    """
    if type(value) is float and math.isfinite(value):  # the common case, checked first
        return value
    why = _refused_kind(value)
    if why is not None:
        raise ParameterError(name, value, _REAL, why)
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise ParameterError(name, value, _REAL, f"one number, not an array of shape "
                                 f"{value.shape}")
        return as_float(name, value.item(), allow_nan=allow_nan, allow_inf=allow_inf)
    try:
        out = float(value)
    except OverflowError:
        raise ParameterError(name, value, _REAL,
                             "too large for a float (|x| < 1.8e308)") from None
    except (TypeError, ValueError):
        raise ParameterError(name, value, _REAL) from None
    if math.isnan(out) and not allow_nan:
        raise ParameterError(name, value, _REAL, "not NaN")
    if math.isinf(out) and not allow_inf:
        raise ParameterError(name, value, _REAL, "not infinite")
    return out


def check_positive(name: str, value: Any) -> float:
    """A finite float > 0."""
    out = as_float(name, value)
    if out <= 0:
        raise ParameterError(name, value, "a finite number > 0")
    return out


def check_nonnegative(name: str, value: Any) -> float:
    """A finite float >= 0."""
    out = as_float(name, value)
    if out < 0:
        raise ParameterError(name, value, "a finite number >= 0")
    return out


def check_int(name: str, value: Any, *, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer in ``[minimum, maximum]`` (``maximum`` at most :data:`INT_MAX`).

    Accepts Python and NumPy integers, 0-d integer arrays and floats with an integer
    value (``256.0``); refuses bools, strings, non-integral numbers and NaN/inf.
    """
    hi = INT_MAX if maximum is None else min(maximum, INT_MAX)
    allowed = (f"an integer >= {minimum}" if maximum is None
               else f"an integer in [{minimum}, {maximum}]")
    why = _refused_kind(value)
    if why is not None:
        raise ParameterError(name, value, allowed, why)
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise ParameterError(name, value, allowed, "one number, not an array")
        value = value.item()
    if isinstance(value, (int, np.integer)):
        out = int(value)
    elif isinstance(value, (float, np.floating)) or isinstance(value, numbers.Real):
        try:
            f = float(value)
        except (OverflowError, TypeError, ValueError):
            raise ParameterError(name, value, allowed) from None
        if not (math.isfinite(f) and f.is_integer()):
            raise ParameterError(name, value, allowed)
        out = int(f)
    else:
        raise ParameterError(name, value, allowed)
    if out < minimum or out > hi:
        if maximum is None and out > hi:
            allowed = f"an integer in [{minimum}, 2**63 - 1]"
        raise ParameterError(name, value, allowed)
    return out


def memory_limit() -> float:
    """Half the machine's physical memory in bytes (8 GiB if unknown): the most one array
    may take before a size is refused (a larger one would be killed, not raise)."""
    import os

    try:
        return 0.5 * os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8.0 * 2**30


def max_count(bytes_each: float) -> int:
    """Most items of ``bytes_each`` bytes that fit in :func:`memory_limit`."""
    return max(1, int(memory_limit() // max(bytes_each, 1.0)))


def check_seed(name: str, value: Any) -> int | None:
    """A random seed: None or an integer in ``[0, 2**63 - 1]``."""
    if value is None:
        return None
    return check_int(name, value, minimum=0)


def check_time(name: str, value: Any, *, allow_inf: bool = True) -> float:
    """A time that may be +inf (e.g. 'never switched off'); None means +inf."""
    if allow_inf and value is None:
        return math.inf
    out = as_float(name, value, allow_inf=allow_inf)
    if out == -math.inf:
        raise ParameterError(name, value, "a finite number or +inf")
    return out


def as_float_array(name: str, value: Any, *, allow_nan: bool = False,
                   allow_inf: bool = False) -> np.ndarray:
    """A float array (copy) from numbers; strings, bools, complex and objects are refused."""
    if isinstance(value, (str, bytes)):
        raise ParameterError(name, value, "an array of finite real numbers", "not a string")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(name, value, "an array of finite real numbers") from None
    if arr.dtype.kind == "O":  # e.g. a list holding huge Python ints or mixed objects
        try:
            arr = np.array([as_float(f"{name}[{i}]", v, allow_nan=allow_nan,
                                     allow_inf=allow_inf)
                            for i, v in enumerate(arr.ravel())]).reshape(arr.shape)
        except ParameterError as err:
            raise ParameterError(name, value, "an array of finite real numbers",
                                 str(err)) from None
    if arr.dtype.kind not in "iuf":
        raise ParameterError(name, value, "an array of finite real numbers",
                             f"got dtype {arr.dtype}")
    out = np.array(arr, dtype=float)
    bad = (~np.isfinite(out)) & ~(np.isnan(out) if allow_nan else False) & ~(
        np.isinf(out) if allow_inf else False)
    if np.any(bad):
        raise ParameterError(name, value, "an array of finite real numbers")
    return out


def check_finite_result(name: str, value: Any, inputs: str, quantity: str) -> None:
    """Refuse inputs whose result overflows: ``quantity`` (a name) came out non-finite.

    Raises a :class:`ParameterError` naming the input ``name`` and the inputs in words.
    """
    arr = np.asarray(value, dtype=complex if np.iscomplexobj(value) else float)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, inputs, "small enough for a finite result",
                             f"{quantity} overflows the floating-point range")
