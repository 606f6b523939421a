"""
The Hopf bifurcation in tau_I
=============================

Slowing inhibition destabilises the E-I fixed point: at ``tau_I = 40 ms``
(:meth:`ratenet.models.ei.EIModel.hopf_tau_I`) a pair of complex eigenvalues crosses the
imaginary axis and a limit cycle is born. :func:`ratenet.analysis.bifurcation_diagram` follows
the fixed point and the cycle over a range of ``tau_I``.
"""

import matplotlib.pyplot as plt
import numpy as np

from ratenet.analysis import bifurcation_diagram
from ratenet.models.ei import EIModel
from ratenet.plotting.ei import plot_bifurcation, plot_period

ei = EIModel()
print(f"Hopf point (closed form): tau_I = {ei.hopf_tau_I():.3f} ms")
diagram = bifurcation_diagram(ei, "tau_I", np.linspace(20.0, 100.0, 60))
for p in diagram.points:
    print(f"{p.kind} at tau_I = {p.value:.3f} ms ({p.method})")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
plot_bifurcation(diagram, unit=0, ax=ax1)
plot_period(diagram, ax=ax2)
plt.show()
