"""
Patterns of the E-I ring
========================

An excitatory and an inhibitory ring, coupled by cosine kernels. With slow enough inhibition the
first Fourier mode goes through a Hopf point and the activity travels round the ring. Left: the
space-time activity of E and I; right: the largest real part of each mode's eigenvalues against
``tau_I`` from the per-mode theory (:mod:`ratenet.theory.ei_ring`), the model's own ``tau_I``
marked.
"""

import matplotlib.pyplot as plt

import ratenet as rn
from ratenet.ei_ring import EXAMPLES, classify
from ratenet.plotting.ei_ring import ei_ring_summary_figure
from ratenet.theory.ei_ring import analyze

model = EXAMPLES["travelling wave"]
traj = rn.simulate(model, t_max=3000.0, dt=0.1, record_every=10, seed=0)
pattern = classify(traj, window=1000.0)
theory = analyze(model)
print(f"simulated: {pattern.kind}, speed {pattern.speed:.4f} rad/ms, "
      f"period {pattern.period:.1f} ms")
print(f"theory: mode {theory.instability['mode']} {theory.instability['kind']} -> "
      f"{theory.instability['pattern']}; first Hopf at tau_I = {theory.first_hopf['tau_I']:g} ms")
fig = ei_ring_summary_figure(traj, t_min=2000.0)
plt.show()
