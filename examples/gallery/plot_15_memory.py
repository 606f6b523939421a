"""
Working memory: the bump outlives its cue
=========================================

A tuned cue at ``theta0`` is switched off at ``t = 20 tau``. In the marginal phase (``J1 > 2``)
the bump it created persists where the cue left it: the ring remembers an angle.
:func:`ratenet.attractor.persistent_activity` reports whether it persisted, its drift and its
amplitude before and after the cue.
"""

import matplotlib.pyplot as plt
import numpy as np

import ratenet as rn
from ratenet.attractor import persistent_activity
from ratenet.plotting.attractor import plot_memory

model = rn.RingModel(J0=-2.0, J1=3.0, h0=1.0, eps=0.5, theta0=np.pi / 2, N=256)
res = persistent_activity(model, cue_off=20.0, t_max=100.0)
print(f"persistent: {res.persistent}; position at cue off {res.position_at_cue_off:.4f} rad, "
      f"at the end {res.position_final:.4f} rad (drift {res.drift:.2e} rad)")

weak = persistent_activity(model.replace(J1=1.5), cue_off=20.0, t_max=100.0)
print(f"J1 = 1.5: persistent: {weak.persistent}, final amplitude {weak.amplitude_final:.2e}")

fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
plot_memory(res, ax=ax)
plt.show()
