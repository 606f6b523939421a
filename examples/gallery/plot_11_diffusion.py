"""
Noise makes the bump diffuse
============================

With white noise of strength ``sigma`` on every unit, a bump on the marginal ring performs a
random walk: its mean squared displacement grows linearly in time, ``MSD = 2 D t``.
:func:`ratenet.attractor.diffusion` fits ``D`` over many trials (one compiled batch) and compares
it with the theory of :func:`ratenet.attractor.diffusion_theory`.
"""

import matplotlib.pyplot as plt

import ratenet as rn
from ratenet.attractor import diffusion
from ratenet.plotting.attractor import plot_diffusion

model = rn.RingModel(J0=-2.0, J1=3.0, h0=1.0, N=128)
# 60 trials are quick on one core, and the serial kernel compiles faster than the parallel one
res = diffusion(model, sigma=0.1, trials=60, t_max=60.0, seed=1, parallel=False)
print(f"D = {res.diffusion_coefficient:.2e} [{res.ci_low:.2e}, {res.ci_high:.2e}] rad^2/tau, "
      f"theory {res.theory:.2e}")
fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
plot_diffusion(res, ax=ax)
plt.show()
