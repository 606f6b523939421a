"""ratenet: firing-rate network models, simulated fast and analysed exactly.

The public API is re-exported here; everything in modules starting with ``_``
is private.
"""

from ._validation import ParameterError
from ._version import __version__
from .coupling import CirculantCoupling, DenseCoupling, FourierCoupling, ring_angles
from .ei_ring import trajectory as _ei_ring_trajectory  # noqa: F401  (registers it with load)
from .models.ei import EIModel
from .models.ei_ring import EIRingModel
from .models.ring import RingModel
from .network import RateNetwork
from .noise import Heterogeneity, Noise
from .results import RingTrajectory, SimulationDiverged, Trajectory, load
from .simulate import simulate
from .transfer import PowerLaw, Sigmoid, ThresholdLinear, Transfer

__all__ = [
    "CTLN",
    "TLN",
    "CirculantCoupling",
    "DenseCoupling",
    "EIModel",
    "EIRingModel",
    "FourierCoupling",
    "Heterogeneity",
    "Noise",
    "ParameterError",
    "PowerLaw",
    "RateNetwork",
    "RingModel",
    "RingTrajectory",
    "Sigmoid",
    "SimulationDiverged",
    "ThresholdLinear",
    "Trajectory",
    "Transfer",
    "__version__",
    "load",
    "ring_angles",
    "simulate",
]


_SUBPACKAGES = ("analysis", "attractor", "ei_ring", "models", "plotting", "sweep", "theory", "tln",
                "tutorial")


def __getattr__(name: str):
    """Subpackages on first use (``ratenet.theory.stationary_state``) without importing
    matplotlib, Dask or Panel at ``import ratenet``."""
    if name in _SUBPACKAGES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    if name in ("TLN", "CTLN"):  # threshold-linear networks, loaded on first use
        from .tln import models

        return getattr(models, name)
    raise AttributeError(f"module 'ratenet' has no attribute {name!r}")
