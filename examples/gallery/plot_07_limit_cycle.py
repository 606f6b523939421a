"""
A limit cycle and its time course
=================================

Beyond the Hopf point, E and I oscillate: inhibition lags excitation. The cycle from
:func:`ratenet.analysis.find_limit_cycle` carries its period, extremes and Floquet multipliers
(one is 1, the other's modulus below 1 for a stable cycle).
"""

import matplotlib.pyplot as plt
import numpy as np

from ratenet.analysis import find_limit_cycle
from ratenet.models.ei import EIModel
from ratenet.plotting import E_COLOR, I_COLOR

ei = EIModel(tau_I=60.0)
cycle = find_limit_cycle(ei)
print(f"period {cycle.period:.3f} ms; min {np.round(cycle.minimum, 2)}, "
      f"max {np.round(cycle.maximum, 2)} Hz; Floquet multipliers "
      f"{np.round(np.abs(cycle.floquet_multipliers), 6)}")

fig, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
ax.plot(cycle.t, cycle.orbit[:, 0], color=E_COLOR, label=r"$\nu_E$")
ax.plot(cycle.t, cycle.orbit[:, 1], color=I_COLOR, label=r"$\nu_I$")
ax.set_xlabel("time in the cycle (ms)")
ax.set_ylabel("rate (Hz)")
ax.set_title(rf"one period, $\tau_I$ = 60 ms: T = {cycle.period:.1f} ms")
ax.legend(loc="upper right")
plt.show()
