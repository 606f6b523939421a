"""
Tracking a moving stimulus
==========================

A weak stimulus rotating at speed ``omega`` drags the bump of the marginal ring behind it. To
first order in ``eps`` the bump's position obeys ``tau dpsi/dt = (eps / A) sin(phi - psi)``, so
the lag is ``arcsin(omega tau A / eps)``, and beyond ``omega tau = eps / A`` a rigid bump could no
longer follow (:func:`ratenet.attractor.tracking_lag_theory`). :func:`ratenet.attractor.tracking`
measures the lag at several speeds in one batch: theory and simulation agree at small speeds;
at larger ones the bump deforms (an effect beyond first order) and keeps up a little longer.
"""

import matplotlib.pyplot as plt
import numpy as np

import ratenet as rn
from ratenet.attractor import tracking
from ratenet.plotting.attractor import plot_tracking

model = rn.RingModel(J0=-2.0, J1=3.0, h0=1.0, eps=0.1, N=128)
res = tracking(model, speeds=np.linspace(0.005, 0.12, 12), t_max=300.0)
for v, lag, th, locked in zip(res.speeds, res.lag, res.theory, res.locked):
    print(f"omega = {v:.3f} rad/tau: lag {lag:.4f} rad, theory {th:.4f} rad, locked {locked}")
fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
plot_tracking(res, ax=ax)
plt.show()
