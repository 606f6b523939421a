"""Network families with a Neimark-Sacker point and a period doubling of cycles.

Both are 5-unit threshold-linear networks built from two blocks, so that their special
points can be checked without the continuation code:

* block 1: the 3-cycle CTLN (graph ``0->1, 1->2, 2->0``, ``epsilon = 0.25``,
  ``delta = 0.5``, ``theta = 1``, ``tau = 1``), whose stable limit cycle has period
  ``T1 ~ 11.24`` (its time unit);
* block 2: an excitatory-inhibitory pair (E, I) with the weights of
  :class:`ratenet.EIModel` (``M_EE = 1.25``, ``M_EI = -1``, ``M_IE = 1``, ``M_II = 0``), the
  thresholds divided by 20 (``gamma_E = -0.5``, ``gamma_I = 0.5``, so its rates are of the
  CTLN's size) and ``tau_E = 1`` (the CTLN's time unit).  Its both-active equilibrium
  ``(4/3, 5/6)`` is a focus whose trace ``(M_EE - 1)/tau_E + (M_II - 1)/tau_I`` vanishes at
  ``tau_I = tau_E (1 - M_II)/(M_EE - 1) = 4``.

The continued parameter is ``tau_I`` of block 2 in both families.

:func:`neimark_sacker_example`: the blocks are uncoupled.  The product orbit (the CTLN
cycle with block 2 at its equilibrium) has the multipliers of the CTLN cycle together with
``exp(T1 lambda_pm)``, ``lambda_pm`` the eigenvalues of block 2's Jacobian, and this
complex pair leaves the unit circle exactly where the trace is zero, ``tau_I = 4``.

:func:`period_doubling_example`: CTLN unit 0 inhibits E (weight -1; feedforward only),
so E is switched off and on once per CTLN period.  The multipliers of block 2 are then
those of a switched linear system, the eigenvalues of a product of 2 x 2 matrix
exponentials (parametric forcing), and one of them passes through -1 as ``tau_I`` grows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..models.ei import EIModel
from ..network import RateNetwork
from ..tln.models import CTLN

__all__ = ["CycleExample", "neimark_sacker_example", "period_doubling_example"]

#: Unit names of both example networks: the CTLN's nodes, then block 2.
UNIT_NAMES = ("c0", "c1", "c2", "E", "I")

#: A point near the CTLN cycle (where c0 peaks) and its period, to about 1e-3.
_CTLN_POINT = np.array([0.6707, 0.0500, 0.3000])
_CTLN_PERIOD = 11.244


class CycleExample(NamedTuple):
    """A family of networks along one parameter and what is known about it.

    A named tuple ``(family, param, interval, cycle, critical)``; continue it with
    ``continue_cycles(ex.family, ex.param, *ex.interval, cycle=ex.cycle)``.
    """

    family: Callable[[float], RateNetwork]
    param: str
    interval: tuple[float, float]
    cycle: tuple[np.ndarray, float]
    critical: float | None


# the fields' own entries (autodoc lists them as members)
CycleExample.family.__doc__ = ("The network at each value of the parameter (callable "
                               "``value -> RateNetwork``).")
CycleExample.param.__doc__ = "The parameter's name."
CycleExample.interval.__doc__ = "The interval ``(start, stop)`` to continue over."
CycleExample.cycle.__doc__ = ("A point near a stable cycle at ``interval[0]`` (shape (5,)) and "
                              "a period guess, for ``continue_cycles(..., cycle=cycle)``.")
CycleExample.critical.__doc__ = ("The special point's value in closed form, where there is "
                                 "one, else None.")


def _blocks(drive: float) -> tuple[np.ndarray, np.ndarray, EIModel]:
    """Weights and input of the 5-unit network (CTLN unit 0 onto E with ``-drive``)."""
    ctln = CTLN("0->1,1->2,2->0", epsilon=0.25, delta=0.5, theta=1.0)
    ei = EIModel(gamma_E=-0.5, gamma_I=0.5, tau_E=1.0)
    W = np.zeros((5, 5))
    W[:3, :3] = ctln.W
    W[3:, 3:] = ei.weights
    W[3, 0] = -drive
    h = np.concatenate([np.full(3, ctln.theta), -ei.gamma])
    return W, h, ei


def neimark_sacker_example() -> CycleExample:
    """The uncoupled CTLN x E-I network: a Neimark-Sacker point at ``tau_I = 4``.

    Block 1 is the 3-cycle CTLN, block 2 an E-I pair (see the module docstring); the blocks
    are not coupled.  The cycle continued is the CTLN cycle with block 2 at its equilibrium
    ``(4/3, 5/6)``; its Floquet multipliers are those of the CTLN cycle (1, about 1.7e-3
    and about 1e-12) together with ``exp(T1 lambda_pm)``, where ``T1 ~ 11.2439`` is the CTLN
    period and ``lambda_pm`` the eigenvalues of block 2's Jacobian
    ``[[(M_EE - 1)/tau_E, M_EI/tau_E], [M_IE/tau_I, (M_II - 1)/tau_I]]``.  That pair is
    complex (``T1 Im lambda ~ 4.9`` at the crossing) and crosses the unit circle where the
    trace vanishes: ``critical = tau_E (1 - M_II)/(M_EE - 1) = 4`` (closed form).  Below
    it the cycle is stable, above it unstable.

    This is a non-smooth analogue of a Neimark-Sacker bifurcation, not the smooth one: at
    ``tau_I = 4`` block 2 is a linear centre, so the invariant torus is not born small.
    Just above 4 block 2 has a stable oscillation of finite amplitude (its cycle born at
    the grazing orbit of the centre, E swinging by about 2.5), and the network's
    attractor is the product of the two cycles, a torus, quasi-periodic where the two
    periods are incommensurate.

    Returns
    -------
    CycleExample
        ``family``: ``tau_I -> RateNetwork``; ``interval = (3.5, 4.5)``;
        ``critical = 4.0``.

    Examples
    --------
    >>> from ratenet.continuation import continue_cycles, neimark_sacker_example
    >>> ex = neimark_sacker_example()
    >>> branch = continue_cycles(ex.family, ex.param, *ex.interval, cycle=ex.cycle)
    >>> [(s.kind, round(s.value, 9)) for s in branch.special]
    [('neimark-sacker', 4.0)]
    """
    W, h, ei = _blocks(0.0)
    critical = ei.hopf_tau_I()
    assert critical is not None

    def family(tau_I: float) -> RateNetwork:
        return RateNetwork(W=W, tau=np.array([1.0, 1.0, 1.0, ei.tau_E, float(tau_I)]), h=h,
                           names=UNIT_NAMES)

    x_eq = ei.active_fixed_point()
    assert x_eq is not None
    x0 = np.concatenate([_CTLN_POINT, x_eq])
    return CycleExample(family, "tau_I", (3.5, 4.5), (x0, _CTLN_PERIOD), float(critical))


def period_doubling_example() -> CycleExample:
    """The CTLN driving an E-I pair: a period doubling at ``tau_I ~ 4.73021``.

    The blocks of :func:`neimark_sacker_example`, with CTLN unit 0 inhibiting E (weight
    ``W[E, c0] = -1``; nothing feeds back onto the CTLN).  E's input falls below threshold
    while ``c0`` is high, so block 2 is switched once per CTLN period between the E-I
    focus (both units active; unstable for ``tau_I > 4``) and a node (E silent).  The
    cycle has the CTLN's period and multipliers, and block 2's two multipliers are the
    eigenvalues of the ordered product of the regions' 2 x 2 matrix exponentials (the
    vector field is continuous, so no saltation terms): both real and negative here, the
    larger in modulus passing through -1 near ``tau_I = 4.73021`` (a parametric
    resonance: half a turn of the focus per forcing period, amplified while both units are
    active and squeezed while E is silent).

    No closed form is known, so ``critical`` is None.  The doubling is supercritical:
    past it a stable cycle of twice the period appears.  At the CTLN section where
    ``c0 - c1`` crosses 0 upwards its two points are about ``5.89 sqrt(tau_I - 4.73021)``
    apart, and its multiplier is ``1 - 4 eps`` where the period-1 cycle has
    ``-(1 + eps)``, as in the normal form of a flip (found with a finite-difference
    return map; see ``tests/test_continuation_examples.py``).

    Returns
    -------
    CycleExample
        ``family``: ``tau_I -> RateNetwork``; ``interval = (4.0, 5.5)`` (stable below the
        doubling, unstable above it); ``critical = None``.

    Examples
    --------
    >>> from ratenet.continuation import continue_cycles, period_doubling_example
    >>> ex = period_doubling_example()
    >>> branch = continue_cycles(ex.family, ex.param, *ex.interval, cycle=ex.cycle)
    >>> [(s.kind, round(s.value, 5)) for s in branch.special]
    [('period doubling', 4.73021)]
    """
    W, h, ei = _blocks(1.0)

    def family(tau_I: float) -> RateNetwork:
        return RateNetwork(W=W, tau=np.array([1.0, 1.0, 1.0, ei.tau_E, float(tau_I)]), h=h,
                           names=UNIT_NAMES)

    # a point of the stable cycle at tau_I = 4 (where E peaks), to about 1e-4
    x0 = np.array([0.3693, 0.0319, 0.5657, 1.7610, 0.5709])
    return CycleExample(family, "tau_I", (4.0, 5.5), (x0, _CTLN_PERIOD), None)
