"""
The 3-cycle CTLN
================

A combinatorial threshold-linear network built from the directed 3-cycle ``0 -> 1 -> 2 -> 0``
has a single fixed point, unstable, with full support, and a stable limit cycle in which the
three units take turns (Curto and Morrison's sequential attractor).
"""

import matplotlib.pyplot as plt

from ratenet.plotting.tln import plot_attractors
from ratenet.tln import CTLN, find_attractors, fixed_points

net = CTLN("0->1,1->2,2->0")
res = fixed_points(net)
print("fixed point supports:", res.supports, "parity:", res.parity)
att = find_attractors(net, trials=8, seed=0, t_max=100.0, lyapunov_time=100.0)
for a in att.attractors:
    print(a.kind, a.support, a.period)
fig = plot_attractors(att, net)
plt.show()
