"""
Two attractors of a CTLN and their basins
=========================================

A graph with two sinks gives two stable fixed points; which one the network falls into depends
on the initial state. :func:`ratenet.tln.find_attractors` starts many seeded trials, classifies
each attractor and estimates the basin fractions with Wilson intervals.
"""

import matplotlib.pyplot as plt

from ratenet.plotting.tln import plot_attractors
from ratenet.tln import CTLN, find_attractors, fixed_points

# 0 and 1 both feed 2 and 3; 2 and 3 do not talk to each other: two sinks
net = CTLN("0->2,0->3,1->2,1->3")
res = fixed_points(net)
stable = [fp.support for fp in res if fp.stable]
print("stable fixed-point supports:", stable, "parity:", res.parity)
att = find_attractors(net, trials=40, seed=1, t_max=60.0, lyapunov_time=50.0)
for a in att.attractors:
    lo, hi = a.basin_interval
    print(f"{a.kind} on {a.support}: basin {a.basin_fraction:.2f} [{lo:.2f}, {hi:.2f}]")

fig = plot_attractors(att, net)
plt.show()
