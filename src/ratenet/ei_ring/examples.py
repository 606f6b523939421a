"""Parameter sets of the E-I ring that show each pattern (checked in tests/test_ei_ring*.py).

Every entry is an :class:`ratenet.models.ei_ring.EIRingModel` with N = 128 (change it with
``.replace(N=...)``); times in ms.  The names are the patterns of
:data:`ratenet.ei_ring.patterns.PATTERNS` (plus ``"drifting bump"``, which is a travelling
wave made by adaptation).
"""

from __future__ import annotations

from typing import Any

from ..models.ei_ring import EIRingModel

__all__ = ["EXAMPLES"]

_WAVES: dict[str, Any] = dict(
    J_EE0=1.0, J_EE1=3.0, J_EI0=-1.5, J_EI1=-2.0, J_IE0=1.0, J_IE1=2.0, J_II0=-0.5,
    h_E=2.0, h_I=0.5, tau_E=10.0, N=128)
_BUMP: dict[str, Any] = dict(
    J_EE1=4.0, J_EI0=-2.0, J_IE0=1.0, h_E=1.0, h_I=0.0, tau_E=10.0, tau_I=10.0, N=128)

#: One model per pattern.  ``"travelling wave"``: mode 1 past its Hopf point
#: (tau_I* = 20 ms); ``"standing wave"``: the same, further past it (tau_I = 100 ms);
#: ``"bulk oscillation"``: mode 0 is the default :class:`ratenet.EIModel` at tau_I = 50 ms;
#: ``"drifting bump"``: the bump with adaptation J_A tau_A = 20 ms > tau_E = 10 ms.
EXAMPLES: dict[str, EIRingModel] = {
    "homogeneous": EIRingModel(**{**_BUMP, "J_EE1": 1.0}),
    "stationary bump": EIRingModel(**_BUMP),
    "travelling wave": EIRingModel(**_WAVES, tau_I=40.0),
    "standing wave": EIRingModel(**_WAVES, tau_I=100.0),
    "bulk oscillation": EIRingModel(J_EE0=1.25, J_EI0=-1.0, J_IE0=1.0, h_E=10.0, h_I=-10.0,
                                    tau_E=10.0, tau_I=50.0, N=128),
    "drifting bump": EIRingModel(**_BUMP, J_A=0.2, tau_A=100.0),
}
