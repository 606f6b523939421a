"""Parameter handling for continuation: a named parameter of a model -> RateNetwork.

A :class:`ParameterFamily` turns "the model with parameter ``name`` set to ``p``" into
a :class:`ratenet.RateNetwork` with constant input, for

* any model with ``replace()`` and ``to_network()`` (:class:`ratenet.EIModel`, whose
  names may be written in any letter case, :class:`ratenet.RingModel`, ...), and
* a callable ``value -> RateNetwork`` (or ``-> model``), which lets any network be
  continued in any quantity it depends on (gain, one weight, an input...).

It also gives the threshold-linear form ``x = [A(p) x + b(p)]_+`` of a network with
``A = g W`` and ``b = g (h - threshold)`` (the same dynamics, since ``g > 0``), whose
``b_i + (A x)_i`` is the (scaled) input of unit i: zero on the region border.
Bad input raises :class:`ratenet.ParameterError` naming what was wrong.
"""

from __future__ import annotations

import dataclasses
import math
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import ParameterError, as_float
from ..network import RateNetwork
from ..transfer import ThresholdLinear

__all__ = ["ParameterFamily", "check_range"]


def check_range(start: Any, stop: Any, *, names: tuple[str, str] = ("start", "stop")
                ) -> tuple[float, float]:
    """``start`` and ``stop`` as finite, distinct floats (ParameterError otherwise)."""
    a = as_float(names[0], start)
    b = as_float(names[1], stop)
    if a == b:
        raise ParameterError(names[1], stop, f"a value different from {names[0]} = {a:g}",
                             hint="continuation needs an interval of the parameter")
    return a, b


def _numeric_fields(model: Any) -> tuple[str, ...]:
    """Names a model lets continuation vary: PARAMETERS, else its numeric dataclass fields."""
    params = getattr(model, "PARAMETERS", None)
    if params is not None:
        return tuple(params)
    if dataclasses.is_dataclass(model):  # real-valued fields (not counts such as N)
        return tuple(f.name for f in dataclasses.fields(model)
                     if isinstance(getattr(model, f.name), float))
    return ()


def _constant_input_network(model: Any, net: RateNetwork) -> RateNetwork:
    """``net`` with a callable input replaced by its constant value, when it is constant."""
    if not callable(net.h):
        return net
    # a RingModel-like input is constant when the stimulus neither rotates nor switches
    static = (getattr(model, "external", None) is None
              and float(getattr(model, "omega", math.nan)) == 0.0
              and float(getattr(model, "t_on", math.nan)) <= 0.0
              and math.isinf(float(getattr(model, "t_off", 0.0))))
    if not static:
        raise ParameterError("model", type(model).__name__,
                             "a network with constant external input (autonomous)",
                             hint="continuation follows equilibria of autonomous systems: "
                                  "omega = 0, t_on <= 0, t_off = inf and no user input")
    return RateNetwork(W=net.coupling, tau=net.tau, h=net.external(0.0), transfer=net.transfer,
                       names=net.names)


class ParameterFamily:
    """The networks ``p -> RateNetwork`` along one parameter.

    Parameters
    ----------
    model : model with ``replace()`` and ``to_network()``, RateNetwork-returning callable
    param : str
        The parameter's name (canonical spelling for models that define
        ``parameter_name``; for a callable any label).

    Attributes
    ----------
    name : str
        Canonical parameter name.
    base_value : float or None
        The model's own value of the parameter (None for a callable).
    """

    def __init__(self, model: Any, param: Any) -> None:
        if not isinstance(param, str) or not param.strip():
            raise ParameterError("param", param, "a parameter name (a non-empty string)")
        self.model = model
        self.base_value: float | None = None
        if hasattr(model, "replace") and hasattr(model, "to_network"):
            if hasattr(model, "parameter_name"):
                canon = model.parameter_name(param)  # ParameterError naming the choices
            else:
                canon = param
            allowed = _numeric_fields(model)
            if canon not in allowed:
                raise ParameterError("param", param,
                                     f"a numeric parameter of {type(model).__name__}: "
                                     f"one of {', '.join(allowed)}")
            self.name = canon
            self.base_value = float(getattr(model, canon))
            self._make: Callable[[float], Any] = lambda v: model.replace(**{canon: v})
        elif isinstance(model, RateNetwork):
            raise ParameterError("model", "RateNetwork",
                                 "a model with replace() and to_network(), or a function "
                                 "value -> RateNetwork", hint="wrap the network in a function "
                                 "of the parameter, e.g. lambda g: RateNetwork(W=g * W0, ...)")
        elif callable(model):
            self.name = param
            self._make = model
        else:
            raise ParameterError("model", type(model).__name__,
                                 "a model with replace() and to_network(), or a function "
                                 "value -> RateNetwork")
        self._cache: OrderedDict[float, RateNetwork] = OrderedDict()
        self._affine: OrderedDict[float, tuple[np.ndarray, np.ndarray]] = OrderedDict()

    # ------------------------------------------------------------------ networks
    def network(self, p: float) -> RateNetwork:
        """The network at parameter value ``p`` (ParameterError if the model refuses it)."""
        p = float(p)
        net = self._cache.get(p)
        if net is not None:
            self._cache.move_to_end(p)
            return net
        made = self._make(p)
        if isinstance(made, RateNetwork):
            net = made
        elif hasattr(made, "to_network"):
            net = _constant_input_network(made, made.to_network())
        else:
            raise ParameterError("model", type(made).__name__,
                                 f"a RateNetwork (or a model) returned for {self.name} = {p:g}")
        if callable(net.h):
            net = _constant_input_network(made, net)
        self._cache[p] = net
        if len(self._cache) > 16:
            self._cache.popitem(last=False)
        return net

    def valid(self, p: float) -> bool:
        """True if the model accepts the value ``p``."""
        try:
            self.network(p)
        except (ParameterError, ValueError):
            return False
        return True

    def check(self, start: Any, stop: Any) -> tuple[float, float]:
        """Validate a continuation interval: finite, distinct ends the model accepts."""
        a, b = check_range(start, stop)
        for label, v in (("start", a), ("stop", b)):
            try:
                net = self.network(v)
            except ParameterError as exc:
                raise ParameterError(label, v, f"a value of {self.name} the model accepts "
                                     f"({exc.name} must be {exc.allowed})") from None
            if net.n != self.network(a).n:
                raise ParameterError(label, v, "a value at which the network keeps its size")
        return a, b

    def piecewise_linear(self, p: float) -> bool:
        return isinstance(self.network(p).transfer, ThresholdLinear)

    # ------------------------------------------------- threshold-linear form
    def affine(self, p: float) -> tuple[np.ndarray, np.ndarray]:
        """``(A, b)`` with ``A = g W`` and ``b = g (h - threshold)`` (threshold-linear)."""
        p = float(p)
        hit = self._affine.get(p)
        if hit is not None:
            return hit
        net = self.network(p)
        tr = net.transfer
        g, thr = tr.gain, tr.threshold  # type: ignore[attr-defined]
        out = (g * net.weights, g * (net.external(0.0) - thr))
        self._affine[p] = out
        if len(self._affine) > 16:
            self._affine.popitem(last=False)
        return out

    def derivative(self, fun: Callable[[float], Any], p: float) -> Any:
        """``d fun / dp`` by central differences (one-sided next to a refused value).

        Exact to rounding for quantities that depend linearly on ``p`` (weights and
        inputs of the E-I model); used only for Newton's method and tangents, never
        for the location of a special point.
        """
        h = 1e-6 * max(1.0, abs(p))
        try:
            return (np.asarray(fun(p + h)) - np.asarray(fun(p - h))) / (2 * h)
        except (ParameterError, ValueError):
            pass
        for a, b in ((p, p + h), (p - h, p)):
            try:
                return (np.asarray(fun(b)) - np.asarray(fun(a))) / h
            except (ParameterError, ValueError):
                continue
        raise ParameterError(self.name, p, "a value with valid neighbours (for derivatives)")
