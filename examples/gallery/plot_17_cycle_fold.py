"""
A subcritical Hopf point and a fold of cycles
=============================================

For ``EIModel(M_II=-0.5)`` the both-active focus loses stability at ``tau_I = 60 ms``, but the
cycle born there is unstable and exists for *smaller* ``tau_I``; it meets a stable cycle at a
fold of cycles. Between the fold and the Hopf point the network is bistable: a stable focus and
a stable oscillation, separated by the unstable cycle. Equilibria and cycles are followed by
:func:`ratenet.continuation.continue_equilibria` and :func:`ratenet.continuation.continue_cycles`
(stable solid, unstable dashed).
"""

import matplotlib.pyplot as plt

from ratenet.continuation import (
    bistable_example,
    bistable_intervals,
    continue_cycles,
    continue_equilibria,
)
from ratenet.plotting.continuation import continuation_figure

model = bistable_example()
equilibria = continue_equilibria(model, "tau_I", 50.0, 70.0)
cycles = continue_cycles(model, "tau_I", 50.0, 70.0)
for p in equilibria.points:
    print(f"{p.kind} at tau_I = {p.value:.6f} ms")
for f in cycles.folds:
    print(f"{f.kind} at tau_I = {f.value:.6f} ms")
lo, hi = bistable_intervals(model, "tau_I", 50.0, 70.0, [cycles], breakpoints=[60.0])[0]
print(f"bistable for {lo:.4f} < tau_I < {hi:.4f} ms")
fig = continuation_figure([cycles], equilibria)
plt.show()
