"""Attractor dynamics of the ring model: memory, tracking, diffusion, phase diagram.

Each experiment runs its trials or parameter sets as one compiled batch and
returns a typed, frozen result with ``to_dict()`` (plain JSON: every parameter
and the package version included).  Time is in units of ``tau``, angles in
radians.

* :func:`persistent_activity` -- a cue, then its removal: does the bump persist,
  and how far does it drift?  (It persists in the marginal phase, J1 > 2.)
* :func:`tracking` -- a stimulus rotating at speed ``omega``: the lag of the bump.
  Closed forms: ``arctan(omega tau / (1 - J1/2))`` while every neuron is active
  (broad regime, exact); ``arcsin(omega tau A / eps)`` for a bump in the marginal
  phase at small ``eps`` (``A``: the bump's input amplitude).
* :func:`diffusion` -- under additive white noise of amplitude ``sigma`` the
  position of a bump in the marginal phase (eps = 0) is a random walk.  Its
  diffusion coefficient is measured from the mean squared displacement of many
  trials and compared with :func:`diffusion_theory`, ``D = sigma^2 / (tau N m1^2)``.
* :func:`phase_diagram` -- the analytic regime map in (J0, J1) against the map
  measured from simulations of every grid cell.

The diffusion coefficient
-------------------------
About a bump ``m*(theta - psi)`` the linearised dynamics ``tau d(dm)/dt = L dm``
have a zero mode ``v = d m*/d psi``.  For the coupling ``J0 + J1 cos`` the left
zero mode of ``L = -1 + D W`` (``D``: gains of the units) is ``W v``, which is
proportional to ``sin(theta - psi)`` on *every* unit.  Projecting the noise
``sigma sqrt(tau) dW_i / tau`` on it gives
``d psi = sigma sum_i sin(theta_i - psi) dW_i / (sqrt(tau) sum_i sin(theta_i - psi) v_i)``.
With ``sum_i sin^2 = N/2`` and ``sum_i sin v_i = N |C| = N m1 / 2``
(``m1 = 2|C|``, the cos amplitude of the rate profile),
``<d psi^2> = 2 sigma^2 dt / (tau N m1^2)``, i.e. ``D = sigma^2 / (tau N m1^2)``.
This is also the phase diffusion of ``C = (1/N) sum_j m_j exp(i theta_j)``:
the deterministic flow is neutral along the direction tangent to ``C``.
Noise on the *inputs* reaches the rates only through active units; see
:func:`diffusion_theory` for the Ornstein-Uhlenbeck case.
"""

from ._diffusion import DiffusionResult, diffusion, diffusion_theory
from ._memory import MemoryResult, persistent_activity
from ._phase_diagram import PhaseDiagramResult, phase_diagram
from ._shared import OrderParameters, bump_profile, run_order_parameters
from ._tracking import TrackingResult, tracking, tracking_lag_theory

__all__ = [
    "DiffusionResult",
    "MemoryResult",
    "OrderParameters",
    "PhaseDiagramResult",
    "TrackingResult",
    "bump_profile",
    "diffusion",
    "diffusion_theory",
    "persistent_activity",
    "phase_diagram",
    "run_order_parameters",
    "tracking",
    "tracking_lag_theory",
]
