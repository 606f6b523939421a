"""
The E-I phase plane
===================

Two populations, excitatory (red) and inhibitory (blue). For ``tau_I = 50 ms`` the single
fixed point is an unstable focus, surrounded by a stable limit cycle. Fixed points are exact
(one linear solve per active set), the cycle is found by shooting.
"""

import matplotlib.pyplot as plt
import numpy as np

from ratenet.analysis import find_fixed_points, find_limit_cycle, trajectory
from ratenet.models.ei import EIModel
from ratenet.plotting.ei import plot_phase_plane

ei = EIModel(tau_I=50.0)
fps = find_fixed_points(ei)
cycle = find_limit_cycle(ei)
for fp in fps:
    print(fp.type, np.round(fp.state, 3), "Hz; eigenvalues", np.round(fp.eigenvalues, 4), "1/ms")
print(f"limit cycle: period {cycle.period:.2f} ms, stable {cycle.stable}")

run = trajectory(ei, [30.0, 10.0], t_max=400.0)
fig, ax = plt.subplots(figsize=(6.5, 5.5), layout="constrained")
plot_phase_plane(ei, ax=ax, fixed_points=fps, cycle=cycle, trajectories=[run])
plt.show()
