"""
Following a curve round its folds
=================================

:func:`ratenet.continuation.continue_curve` is a pseudo-arclength predictor-corrector for any
``F(u, p) = 0``. Here the S-shaped curve of equilibria of ``du/dt = p + u - u^3`` is followed
through both folds, which a test function (``dF/du = 1 - 3 u^2``) locates; the exact folds are at
``p = -+ 2 / (3 sqrt 3)``. Between them three equilibria coexist: bistability.
"""

import matplotlib.pyplot as plt
import numpy as np

from ratenet.continuation import TestFunction, continue_curve


def F(u, p):
    return np.array([p + u[0] - u[0] ** 3])


def J(u, p):
    return np.array([[1.0 - 3.0 * u[0] ** 2, 1.0]])   # [dF/du | dF/dp]


fold = TestFunction("fold", lambda u, p: 1.0 - 3.0 * u[0] ** 2)
curve = continue_curve(F, J, [-1.5], -1.0, p_min=-1.0, p_max=1.0, tests=[fold], ds=0.02,
                       ds_max=0.03)
exact = 2.0 / (3.0 * np.sqrt(3.0))
for e in curve.events:
    print(f"{e.name} at p = {e.p:+.12f}, u = {e.u[0]:+.6f} (exact |p| = {exact:.12f})")
print(curve.status, curve.message)

stable = 1.0 - 3.0 * curve.u[:, 0] ** 2 < 0       # dF/du < 0: stable equilibrium
fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
u = np.where(stable, curve.u[:, 0], np.nan)
ax.plot(curve.p, u, color="k", label="stable")
ax.plot(curve.p, np.where(~stable, curve.u[:, 0], np.nan), "k--", label="unstable")
for e in curve.events:
    ax.plot(e.p, e.u[0], "o", color="C3", ms=7)
ax.plot([], [], "o", color="C3", label="fold (located)")
ax.set_xlabel("parameter $p$")
ax.set_ylabel("equilibrium $u^*$")
ax.set_title(r"equilibria of $\dot u = p + u - u^3$")
ax.legend(loc="upper left")
plt.show()
