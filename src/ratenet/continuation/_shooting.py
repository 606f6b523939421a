"""Periodic orbits as zeros of a shooting residual, with its exact Jacobian.

Unknowns ``u = (x_0, ..., x_{m-1}, T)``: ``m`` points along the orbit, equally spaced
in time, and the period ``T`` (``m = 1`` is single shooting).  Residual::

    F_j = phi_{T/m}(x_j; p) - x_{j+1 mod m}      (j = 0 .. m-1; n equations each)
    F_m = tau_k f_k(x_0; p)                        (phase condition)

The phase condition puts ``x_0`` where unit ``k`` (the unit that swings most) has
``dx_k/dt = 0``, its maximum on the orbit (points where it would be a minimum are
refused): it needs no reference orbit, so the same residual serves the whole branch.
It is regular wherever that maximum is non-degenerate (``d^2 x_k / dt^2 != 0``).

Jacobian: ``dF_j/dx_j = M_j`` (the flow derivative over a segment; for a
threshold-linear network the product of the regions' matrix exponentials: the vector
field is continuous across thresholds, so the saltation matrices are the identity),
``dF_j/dx_{j+1} = -I``, ``dF_j/dT = f(phi_{T/m}(x_j)) / m``, the phase row is
``tau_k`` times row ``k`` of the network's Jacobian at ``x_0``.  ``dF/dp`` is a centred
difference for smooth networks; for threshold-linear ones it is exact (the variational
equation in the parameter, solved in closed form region by region).

The flow is :class:`ratenet.pwl.PiecewiseLinearFlow` (exact) for threshold-linear
networks, DOP853 on the state and its variational equations (``rtol = 1e-11``) for
smooth transfer.  Floquet multipliers are the eigenvalues of ``M_{m-1} ... M_0``.

A threshold-linear orbit that crosses no threshold lies in one region, where the
dynamics are linear: such a closed orbit belongs to a linear centre's continuum and is
never isolated.  The residual refuses it (returns NaN), so a branch of cycles ends
where its cycle stops crossing thresholds: the grazing orbit of a centre, i.e. the
non-smooth Hopf point.  For smooth networks an orbit that barely moves
(``|f(x_0)| T / 2 pi < 1e-3 (1 + |x_0|)``, about its amplitude: next to a fixed point,
which solves the residual for any ``T``) is refused, so a branch ends next to its Hopf
point instead of running through it.  Orbits with a period above ``period_cap`` are
refused too (a branch running into a homoclinic orbit stops there).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.linalg import expm
from scipy.optimize import brentq

from ..analysis._flow import make_flow
from ..network import RateNetwork
from ..pwl.flow import FlowResult
from ..pwl.regions import region_system
from ..transfer import ThresholdLinear

__all__ = ["OrbitSummary", "ShootingProblem"]


@dataclass(frozen=True)
class OrbitSummary:
    """Extremes of one orbit (exact for threshold-linear networks).

    ``rate_min``, ``rate_max``: (n,) smallest and largest rate of each unit;
    ``input_min``, ``input_max``: (n,) of the input above threshold,
    ``sum_j W_ij x_j + h_i - theta``; ``crossings``: threshold crossings in one period.
    """

    rate_min: np.ndarray
    rate_max: np.ndarray
    input_min: np.ndarray
    input_max: np.ndarray
    crossings: int


class ShootingProblem:
    """The shooting residual of periodic orbits along one parameter.

    Parameters
    ----------
    build : callable ``p -> RateNetwork``
        The network at parameter value ``p`` (autonomous, constant input).
    n : int
        Number of units.
    segments : int, default 1
        Shooting segments ``m`` (more for strongly unstable cycles).
    phase_unit : int, default 0
        ``k`` in the phase condition ``dx_k/dt (x_0) = 0``.
    period_cap : float, default inf
        Orbits with a longer period are refused (NaN residual).
    rate_cap : float, default inf
        Orbits whose points have a rate beyond it are refused.
    """

    def __init__(self, build: Callable[[float], RateNetwork], n: int, *, segments: int = 1,
                 phase_unit: int = 0, period_cap: float = np.inf,
                 rate_cap: float = np.inf) -> None:
        self.build = build
        self.n = n
        self.m = int(segments)
        self.k = int(phase_unit)
        self.period_cap = float(period_cap)
        self.rate_cap = float(rate_cap)
        self._flows: OrderedDict[float, Any] = OrderedDict()
        self._runs: OrderedDict[tuple[bytes, float], tuple[Any, list[Any] | None]] = OrderedDict()
        self._summ: OrderedDict[tuple[bytes, float, bool], OrbitSummary | None] = OrderedDict()
        self.evaluations = 0

    # ------------------------------------------------------------ plumbing
    @property
    def size(self) -> int:
        """Number of unknowns, ``m n + 1``."""
        return self.m * self.n + 1

    def flow(self, p: float):
        p = float(p)
        fl = self._flows.get(p)
        if fl is None:
            fl = make_flow(self.build(p))
            self._flows[p] = fl
            if len(self._flows) > 16:
                self._flows.popitem(last=False)
        return fl

    def exact(self, p: float) -> bool:
        return isinstance(self.flow(p).net.transfer, ThresholdLinear)

    def split(self, u: np.ndarray) -> tuple[np.ndarray, float]:
        """``(X, T)``: the points (m, n) and the period."""
        return np.asarray(u[:-1], dtype=float).reshape(self.m, self.n), float(u[-1])

    def pack(self, X: np.ndarray, T: float) -> np.ndarray:
        return np.append(np.asarray(X, dtype=float).ravel(), float(T))

    def _runs_at(self, u: np.ndarray, p: float) -> list[Any] | None:
        """The m flow segments from the points of ``u`` (None if any fails)."""
        return self._flow_runs(u, p)[1]

    def _flow_runs(self, u: np.ndarray, p: float) -> tuple[Any, list[Any] | None]:
        key = (np.asarray(u, dtype=float).tobytes(), float(p))
        if key in self._runs:
            return self._runs[key]
        X, T = self.split(u)
        out: list[Any] | None = None
        try:
            fl = self.flow(p)
        except ValueError:  # ParameterError: the model refuses this value (a trial step)
            self._runs[key] = (None, None)
            return None, None
        if (np.isfinite(T) and 0 < T <= self.period_cap and np.all(np.isfinite(X))
                and float(np.max(np.abs(X))) <= self.rate_cap and self._at_peak(fl, X[0])):
            h = T / self.m
            runs: list[Any] = []
            for j in range(self.m):
                self.evaluations += 1
                if fl.exact:
                    r = exact_advance(fl, X[j], h)
                else:
                    r = fl.advance(X[j], h)
                if r.status not in ("ok",) or not np.all(np.isfinite(r.x)):
                    runs = []
                    break
                runs.append(r)
            if runs:
                # an orbit inside one region of a threshold-linear network is not isolated
                if fl.exact and sum(len(r.segments) - 1 for r in runs) == 0:
                    runs = []
                # a vanishing orbit (a fixed point, any T) is not a cycle either
                elif not fl.exact and float(np.linalg.norm(fl.rhs(X[0]))) * T / (
                        2 * np.pi) < 1e-3 * (1.0 + float(np.max(np.abs(X[0])))):
                    runs = []
                out = runs or None
        self._runs[key] = (fl, out)
        if len(self._runs) > 64:
            self._runs.popitem(last=False)
        return fl, out

    def _at_peak(self, fl, x0: np.ndarray) -> bool:
        """False where ``x_0`` would be a minimum of the phase unit (``d^2 x_k/dt^2 > 0``).

        The phase condition ``dx_k/dt = 0`` holds at the maximum and at the minimum of
        unit k; only the maximum is accepted, so a branch cannot run through a smooth
        Hopf point onto its mirror image (the same cycles, phase-shifted).
        """
        net = fl.net
        acc = float(net.jacobian(x0)[self.k] @ net.rhs(0.0, x0))
        return acc <= 0.0

    # ------------------------------------------------------------ residual
    def _phase(self, x0: np.ndarray, p: float) -> float:
        net = self.flow(p).net
        return float(net.rhs(0.0, x0)[self.k] * net.tau[self.k])

    def residual(self, u: np.ndarray, p: float) -> np.ndarray:
        """``F(u, p)``, shape (m n + 1,); NaN where the orbit is refused."""
        u = np.asarray(u, dtype=float)
        runs = self._runs_at(u, p)
        if runs is None:
            return np.full(self.size, np.nan)
        X, _ = self.split(u)
        F = np.empty(self.size)
        for j, r in enumerate(runs):
            F[j * self.n:(j + 1) * self.n] = r.x - X[(j + 1) % self.m]
        F[-1] = self._phase(X[0], p)
        return F

    def jacobian_u(self, u: np.ndarray, p: float) -> np.ndarray:
        """``dF/du``, shape (m n + 1, m n + 1)."""
        u = np.asarray(u, dtype=float)
        runs = self._runs_at(u, p)
        N, n, m = self.size, self.n, self.m
        if runs is None:
            return np.full((N, N), np.nan)
        X, _ = self.split(u)
        fl = self.flow(p)
        J = np.zeros((N, N))
        eye = np.eye(n)
        for j, r in enumerate(runs):
            rows = slice(j * n, (j + 1) * n)
            J[rows, j * n:(j + 1) * n] += r.monodromy
            jn = (j + 1) % m
            J[rows, jn * n:(jn + 1) * n] -= eye
            J[rows, -1] = fl.rhs(r.x) / m
        net = fl.net
        J[-1, :n] = net.jacobian(X[0])[self.k] * net.tau[self.k]
        return J

    def jacobian_p(self, u: np.ndarray, p: float) -> np.ndarray:
        """``dF/dp``, shape (m n + 1,).

        Threshold-linear: exact, from the variational equation ``dz/dt = A z + A_p x +
        c_p`` solved with the flow in each region (the augmented matrix exponential;
        ``z`` does not jump at a crossing since the vector field is continuous), with
        ``A_p, c_p`` by a centred difference of the region's (affine) system.  Smooth:
        a centred difference of the residual.
        """
        u = np.asarray(u, dtype=float)
        h = 1e-6 * (1.0 + abs(float(p)))
        fl, runs = self._flow_runs(u, p)
        if fl is None or runs is None:
            return np.full(self.size, np.nan)
        if not fl.exact:
            return (self.residual(u, p + h) - self.residual(u, p - h)) / (2 * h)
        n = self.n
        try:
            net_p, net_m = self.build(p + h), self.build(p - h)
        except ValueError:  # next to a value the model refuses
            return np.full(self.size, np.nan)
        bits_of = {id(reg): bits for bits, reg in fl._regions.items()}
        derivs: dict[tuple[bool, ...], tuple[np.ndarray, np.ndarray]] = {}
        out = np.empty(self.size)
        M = np.zeros((2 * n + 1, 2 * n + 1))
        for j, r in enumerate(runs):
            z = np.zeros(n)
            ends = [seg[0] for seg in r.segments[1:]] + [r.t]
            for (t0, x0, reg), t1 in zip(r.segments, ends):
                bits = bits_of[id(reg)]
                if bits not in derivs:
                    Ap, cp = region_system(net_p, bits)
                    Am, cm = region_system(net_m, bits)
                    derivs[bits] = ((Ap - Am) / (2 * h), (cp - cm) / (2 * h))
                dA, dc = derivs[bits]
                if reg.modal:
                    z = _modal_sensitivity(reg, x0, z, t1 - t0, dA, dc)
                    continue
                M[:n, :n], M[:n, -1] = reg.A, reg.c
                M[n:2 * n, :n], M[n:2 * n, n:2 * n], M[n:2 * n, -1] = dA, reg.A, dc
                E = expm(M * (t1 - t0))
                z = E[n:2 * n, :n] @ x0 + E[n:2 * n, n:2 * n] @ z + E[n:2 * n, -1]
            out[j * n:(j + 1) * n] = z
        X, _ = self.split(u)
        tau_p, tau_m = np.asarray(net_p.tau), np.asarray(net_m.tau)
        out[-1] = (float(net_p.rhs(0.0, X[0])[self.k] * tau_p[self.k])
                   - float(net_m.rhs(0.0, X[0])[self.k] * tau_m[self.k])) / (2 * h)
        return out

    def jacobian(self, u: np.ndarray, p: float) -> np.ndarray:
        """``[dF/du | dF/dp]``, shape (m n + 1, m n + 2)."""
        return np.column_stack([self.jacobian_u(u, p), self.jacobian_p(u, p)])

    # ------------------------------------------------------------ orbit data
    def monodromy(self, u: np.ndarray, p: float) -> np.ndarray | None:
        """``M_{m-1} ... M_0`` (n, n), or None if the orbit is refused."""
        runs = self._runs_at(np.asarray(u, dtype=float), p)
        if runs is None:
            return None
        M = np.eye(self.n)
        for r in runs:
            M = r.monodromy @ M
        return M

    def multipliers(self, u: np.ndarray, p: float) -> np.ndarray | None:
        """Floquet multipliers (n,), the trivial one first.

        The non-trivial ones are the eigenvalues of the derivative of the Poincare map
        on the plane through ``x_0`` normal to ``f(x_0)``, ``B^T (I - f f^T/|f|^2) M B``
        (``B`` an orthonormal basis of the plane): unlike the eigenvalues of ``M``
        itself they stay accurate for strongly unstable cycles (next to a saddle),
        where ``M`` has huge entries and its eigenvalue 1 is ill-conditioned.  The
        trivial one is reported as ``f . M f / |f|^2`` (1 on an exact cycle).
        """
        M = self.monodromy(u, p)
        if M is None:
            return None
        X, _ = self.split(np.asarray(u, dtype=float))
        f = self.flow(p).rhs(X[0])
        nf = float(f @ f)
        if not nf > 0:
            mu = np.linalg.eigvals(M)
            return mu[np.argsort(np.abs(mu - 1.0), kind="stable")]
        e = f / np.sqrt(nf)
        Q, _ = np.linalg.qr(np.column_stack([e, np.eye(self.n)]))
        B = Q[:, 1:self.n]
        DP = B.T @ (M - np.outer(e, e @ M)) @ B
        rest = np.linalg.eigvals(DP) if self.n > 1 else np.zeros(0)
        rest = rest[np.argsort(-np.abs(rest), kind="stable")]
        trivial = float(f @ M @ f) / nf
        return np.concatenate([[complex(trivial)], rest.astype(complex)])

    def summary(self, u: np.ndarray, p: float, *, rates: bool = True) -> OrbitSummary | None:
        """Extremes of inputs (and of rates, unless ``rates=False``: NaN) over the orbit."""
        u = np.asarray(u, dtype=float)
        key = (u.tobytes(), float(p), rates)
        if key in self._summ:
            return self._summ[key]
        if not rates and (key[0], key[1], True) in self._summ:
            return self._summ[(key[0], key[1], True)]
        out = self._summary(u, p, rates)
        self._summ[key] = out
        if len(self._summ) > 64:
            self._summ.popitem(last=False)
        return out

    def _summary(self, u: np.ndarray, p: float, rates: bool) -> OrbitSummary | None:
        fl, runs = self._flow_runs(u, p)
        if runs is None:
            return None
        net = fl.net
        n = self.n
        W = net.weights
        if fl.exact:
            off = net.external(0.0) - net.transfer.threshold  # type: ignore[attr-defined]
        else:
            off = net.external(0.0)
        # linear functionals: rates (identity rows) and inputs (rows of W, offset)
        L = np.vstack([np.eye(n), W]) if rates else W
        c = np.concatenate([np.zeros(n), off]) if rates else off
        lo = np.full(L.shape[0], np.inf)
        hi = np.full(L.shape[0], -np.inf)
        crossings = 0
        if fl.exact:
            near = None
            if not rates:  # test functions: exact values matter only next to 0
                starts = np.array([seg[1] for r in runs for seg in r.segments])
                near = 0.02 * max(1.0, float(np.max(np.abs(starts @ L.T + c))))
            for r in runs:
                crossings += len(r.segments) - 1
                ends = [s[0] for s in r.segments[1:]] + [r.t]
                for (t0, x0, reg), t1 in zip(r.segments, ends):
                    _segment_extremes(reg, x0, t1 - t0, L, c, lo, hi, near=near)
        else:
            X, T = self.split(u)
            for j in range(self.m):
                run = fl.advance(X[j], T / self.m, record_dt=T / self.m / 400)
                V = run.states @ L.T + c
                k_lo, k_hi = np.argmin(V, axis=0), np.argmax(V, axis=0)
                for q in range(L.shape[0]):
                    lo[q] = min(lo[q], _parabola(V[:, q], int(k_lo[q])))
                    hi[q] = max(hi[q], _parabola(V[:, q], int(k_hi[q])))
        if not rates:
            nan = np.full(n, np.nan)
            return OrbitSummary(rate_min=nan, rate_max=nan.copy(), input_min=lo, input_max=hi,
                                crossings=crossings)
        return OrbitSummary(rate_min=lo[:n], rate_max=hi[:n], input_min=lo[n:],
                            input_max=hi[n:], crossings=crossings)

    def sample(self, u: np.ndarray, p: float, samples: int = 400) -> tuple[np.ndarray, np.ndarray]:
        """``(t, states)`` along one period, ``samples + 1`` points from ``x_0``."""
        X, T = self.split(u)
        fl = self.flow(p)
        if not fl.exact:
            run = fl.advance(X[0], T, record_dt=T / samples)
            return run.times, run.states
        run = exact_advance(fl, X[0], T)
        t = np.linspace(0.0, run.t, samples + 1)
        starts = np.array([seg[0] for seg in run.segments])
        which = np.clip(np.searchsorted(starts, t, side="right") - 1, 0, len(starts) - 1)
        out = np.empty((t.size, self.n))
        for j, (t0, x0, reg) in enumerate(run.segments):
            m = which == j
            if np.any(m):
                out[m] = reg.propagate(x0, t[m] - t0)
        return t, out


def exact_advance(fl, x0: np.ndarray, T: float, *, max_events: int = 10000) -> FlowResult:
    """The exact flow of a threshold-linear network over time ``T``, no crossing missed.

    Like :meth:`ratenet.pwl.PiecewiseLinearFlow.advance` (closed form in each region,
    threshold crossings by Brent's method), and also where an input dips across its
    threshold and back between two samples: every local extremum of an input on the
    allowed side of its threshold between samples (a sign change of its derivative) is
    refined by Newton's method on the closed form, and one past the threshold is a
    crossing.  Shooting near a grazing cycle depends on it.  Returns a
    :class:`ratenet.pwl.flow.FlowResult` with ``segments`` (start time, start state,
    region) and ``status`` "ok", "diverged" or "stalled".
    """
    n = fl.n
    W, hth = fl.W, fl.hth
    x = np.array(x0, dtype=float)
    t = 0.0
    Phi = np.eye(n)
    bits = fl.active_set(x)
    segs: list[tuple[float, np.ndarray, Any]] = []
    status = "ok"
    K = 64
    for _ in range(max_events):
        rem = T - t
        if rem <= 0:
            break
        reg = fl.region(bits)
        sign = np.where(np.array(bits), 1.0, -1.0)
        tol = 1e-12 * max(fl.scale, float(np.max(np.abs(x))))
        delta = 0.1 / reg.rate
        A, c = reg.A, reg.c
        WA = W @ A
        s0 = 0.0
        hit: tuple[float, int] | None = None
        while s0 < rem and hit is None:
            grid = s0 + delta * np.arange(K + 1)
            if grid[-1] >= rem:
                grid = np.append(grid[grid < rem], rem)
            with np.errstate(over="ignore", invalid="ignore"):
                X = reg.propagate(x, grid)
                G = sign * (X @ W.T + hth)              # >= 0 on the allowed side
                dG = sign * (X @ WA.T + W @ c)          # d/ds of G
            # rates past max_rate before the region is left: diverged (samples beyond a
            # crossing follow this region's dynamics, not the flow's, and do not count)
            big = ~np.all(np.abs(X) < fl.max_rate, axis=1)
            k_big = int(np.argmax(big)) if np.any(big) else grid.size
            bad = G[1:] < -tol
            first = np.where(bad.any(axis=0), bad.argmax(axis=0) + 1, grid.size)
            # hidden dips: a local minimum of G between samples that are both allowed
            k_idx, i_idx = np.nonzero((dG[:-1] < 0) & (dG[1:] > 0) & (G[:-1] >= -tol)
                                      & (G[1:] >= -tol))
            brackets: list[tuple[float, float, int]] = []
            for i in range(n):
                if first[i] < grid.size:
                    brackets.append((float(grid[first[i] - 1]), float(grid[first[i]]), i))
            for k, iu in zip(k_idx.tolist(), i_idx.tolist()):
                sm = _newton_min(reg, x, W[iu], sign[iu], grid[k], grid[k + 1])
                gm = sign[iu] * (float(W[iu] @ reg.at(x)(sm)) + hth[iu])
                if gm < -tol:
                    brackets.append((float(grid[k]), float(sm), int(iu)))
            if brackets:
                x_of = reg.at(x)
                roots = []
                for a_s, b_s, i in brackets:
                    def g(sv: float, Wi=W[i], hi_=hth[i], sg=sign[i], tol=tol,
                          x_of=x_of) -> float:
                        return sg * (float(Wi @ x_of(sv)) + hi_) + tol

                    root = a_s if g(a_s) <= 0 else brentq(g, a_s, b_s, xtol=1e-14, rtol=1e-15)
                    roots.append((root, i))
                hit = min(roots)
                if k_big < grid.size and grid[k_big] <= hit[0]:
                    status = "diverged"
                break
            if k_big < grid.size:
                status = "diverged"
                break
            s0 = float(grid[-1])
        if status != "ok":
            break
        segs.append((t, x.copy(), reg))
        if hit is None:
            x = reg.propagate(x, [rem])[0]
            Phi = reg.derivative(rem) @ Phi
            t = T
            break
        s_c, i = hit
        x = reg.propagate(x, [s_c])[0]
        Phi = reg.derivative(s_c) @ Phi
        t += s_c
        b = list(bits)
        b[i] = not b[i]
        bits = tuple(b)
    else:
        status = "stalled"
    return FlowResult(x=x, t=t, monodromy=Phi, status=status, segments=segs)


def _newton_min(reg, x0: np.ndarray, w: np.ndarray, sign: float, a: float, b: float) -> float:
    """Time of the minimum of ``sign * w . x(s)`` in ``[a, b]`` (Newton on the derivative)."""
    A, c = reg.A, reg.c
    s = 0.5 * (a + b)
    for _ in range(30):
        xs = reg.propagate(x0, [s])[0]
        v = A @ xs + c
        d1 = sign * float(w @ v)
        d2 = sign * float(w @ (A @ v))
        if d2 <= 0:
            break
        s_new = min(max(s - d1 / d2, a), b)
        if abs(s_new - s) <= 1e-14 * max(1.0, abs(s)):
            s = s_new
            break
        s = s_new
    return s


def _parabola(y: np.ndarray, k: int) -> float:
    """Extremum of the parabola through samples ``k-1, k, k+1`` (ends kept as they are)."""
    if k <= 0 or k >= y.size - 1:
        return float(y[k])
    y0, y1, y2 = y[k - 1], y[k], y[k + 1]
    den = y0 - 2 * y1 + y2
    return float(y1 - (y2 - y0) ** 2 / (8 * den)) if den != 0 else float(y1)


def _segment_extremes(reg, x0: np.ndarray, dur: float, L: np.ndarray, c: np.ndarray,
                      lo: np.ndarray, hi: np.ndarray, K: int = 16,
                      near: float | None = None) -> None:
    """Update ``lo``/``hi`` with the extremes of ``L x(s) + c`` for ``s`` in [0, dur].

    Sampled at ``K + 1`` points; each interior extremum is refined by Newton's method
    on ``d/ds (L x(s))`` with the closed-form solution of the region
    (``dx/ds = A x + b``), all functionals at once.  With ``near``, only extremes
    within ``near`` of 0 are refined (the others keep their sampled value: enough
    where only their sign matters).
    """
    if dur <= 0:
        V = L @ x0 + c
        np.minimum(lo, V, out=lo)
        np.maximum(hi, V, out=hi)
        return
    s = np.linspace(0.0, dur, K + 1)
    X = reg.propagate(x0, s)
    V = X @ L.T + c
    np.minimum(lo, V.min(axis=0), out=lo)
    np.maximum(hi, V.max(axis=0), out=hi)
    A, b = reg.A, reg.c
    for sign, arr in ((1.0, lo), (-1.0, hi)):
        kq = np.argmin(sign * V, axis=0)
        inner = (kq > 0) & (kq < K)
        if near is not None:
            inner &= np.abs(V[kq, np.arange(V.shape[1])]) <= near
        if not np.any(inner):
            continue
        rows = np.flatnonzero(inner)
        Lr = L[rows]
        t = s[kq[rows]]
        t_lo, t_hi = s[kq[rows] - 1], s[kq[rows] + 1]
        for _ in range(8):
            Xt = np.array([reg.propagate(x0, [ti])[0] for ti in t]) if not reg.modal else \
                _modal_states(reg, x0, t)
            dX = Xt @ A.T + b
            d1 = np.sum(Lr * dX, axis=1)
            d2 = np.sum(Lr * (dX @ A.T), axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = np.where(d2 != 0, d1 / d2, 0.0)
            t_new = np.clip(t - step, t_lo, t_hi)
            if np.max(np.abs(t_new - t)) <= 1e-13 * max(1.0, dur):
                t = t_new
                break
            t = t_new
        Xt = _modal_states(reg, x0, t) if reg.modal else np.array(
            [reg.propagate(x0, [ti])[0] for ti in t])
        val = np.sum(Lr * Xt, axis=1) + c[rows]
        cur = arr[rows]
        arr[rows] = np.minimum(cur, val) if sign > 0 else np.maximum(cur, val)


def _modal_sensitivity(reg, x0: np.ndarray, z0: np.ndarray, t: float, dA: np.ndarray,
                       dc: np.ndarray) -> np.ndarray:
    """``z(t)`` for ``dz/ds = A z + dA x(s) + dc`` along ``x(s) = x* + V e^{L s} a``.

    In the eigenbasis ``w = V^{-1} z``: ``w_i(t) = e^{l_i t} w_i(0) + g_i (e^{l_i t} - 1)/l_i
    + sum_k B_ik a_k (e^{l_k t} - e^{l_i t})/(l_k - l_i)`` with ``g = V^{-1}(dA x* + dc)``,
    ``B = V^{-1} dA V`` (limits ``t``, ``t e^{l t}`` for ``l -> 0``, ``l_k -> l_i``).
    """
    lam, V, Vinv = reg.lam, reg.V, reg.Vinv
    a = Vinv @ (x0 - reg.xstar)
    g = Vinv @ (dA @ reg.xstar + dc)
    B = Vinv @ dA @ V
    e = np.exp(lam * t)
    lt = lam * t
    small = np.abs(lt) < 1e-8
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(small, t * (1 + 0.5 * lt), (e - 1) / np.where(small, 1.0, lam))
        D = lam[None, :] - lam[:, None]  # l_k - l_i (row i, column k)
        close = np.abs(D * t) < 1e-8
        psi = np.where(close, t * e[:, None] * (1 + 0.5 * D * t),
                       (e[None, :] - e[:, None]) / np.where(close, 1.0, D))
    w = e * (Vinv @ z0) + g * phi + (B * psi) @ a
    return (V @ w).real


def _modal_states(reg, x0: np.ndarray, t: np.ndarray) -> np.ndarray:
    """States at the times ``t`` (Q,) of a diagonalisable region, shape (Q, n)."""
    coef = reg.Vinv @ (x0 - reg.xstar)
    E = np.exp(np.outer(t, reg.lam)) * coef
    return reg.xstar + (E @ reg.V.T).real
