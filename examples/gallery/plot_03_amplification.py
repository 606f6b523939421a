"""
Amplification of a weak tuned input
===================================

In the linear regime (every unit active) the response is ``m0 + m1 cos(theta - theta0)``, and
its tuning depth ``m1 / m0`` is the input's ``eps / h0`` amplified by
``(1 - J0) / (1 - J1 / 2)`` (:func:`ratenet.theory.amplification`): uniform inhibition (``J0 < 0``)
and tuned excitation (``J1 > 0``) both sharpen, and the gain diverges as ``J1 -> 2``. We measure
``m1 / m0`` on simulated rings at a small ``eps`` and put it on the theory curve.
"""

import matplotlib.pyplot as plt
import numpy as np

import ratenet as rn
from ratenet.plotting import plot_amplification
from ratenet.theory import amplification

J0, h0, eps = -2.0, 1.0, 0.05
J1s = np.array([0.0, 0.5, 1.0, 1.4, 1.7])
models = [rn.RingModel(J0=J0, J1=J1, h0=h0, eps=eps, N=128) for J1 in J1s]
batch = rn.simulate(models, t_max=60.0, dt=0.02, record_every=None)  # one compiled batch
m1 = batch.bump_amplitude[:, -1]       # m1 = 2 |C|
m0 = batch.mean_rate[:, -1]
measured = (m1 / m0) / (eps / h0)
for J1, a in zip(J1s, measured):
    print(f"J1 = {J1:.1f}: (m1/m0)/(eps/h0) = {a:.4f}, theory {amplification(J0=J0, J1=J1):.4f}")

ax = plot_amplification(np.linspace(-4.5, 1.95, 300), J0=J0, measured=(J1s, measured))
plt.show()
