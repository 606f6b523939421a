"""
The (J0, J1) phase diagram: theory against simulation
=====================================================

Each cell of the grid is a simulated ring; its measured regime (one of
:data:`ratenet.theory.REGIMES`: homogeneous, broad, narrow, marginal or unstable) is compared with
the ``N -> infinity`` theory of :func:`ratenet.theory.classify_regime`. All cells run as one
compiled batch.
"""

import matplotlib.pyplot as plt
import numpy as np

from ratenet.attractor import phase_diagram
from ratenet.plotting.attractor import plot_phase_diagram

result = phase_diagram(h0=1.0, eps=0.1, J0s=np.linspace(-6.0, 0.9, 32),
                       J1s=np.linspace(0.0, 6.0, 32), N=128, steps=1000, t_max=100.0)
print(f"{result.cells} cells, {result.disagreements} disagreements, "
      f"{result.seconds:.2f} s")
fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
plot_phase_diagram(result, ax=ax)
plt.show()
