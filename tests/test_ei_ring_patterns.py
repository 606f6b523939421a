"""Pattern classification on fields with known answers, its symmetries, and the phase
diagram against the theory's boundaries."""

from __future__ import annotations

import numpy as np
import pytest

import ratenet as rn
from ratenet import EIRingModel, ParameterError
from ratenet.ei_ring import (
    EXAMPLES,
    EIRingTrajectory,
    classify,
    classify_batch,
    estimate_period,
    phase_diagram,
    theory_grid,
)
from ratenet.theory import ei_ring as T

N = 48
TH = 2 * np.pi * np.arange(N) / N
T_REC = np.linspace(0.0, 1000.0, 2001)


def field(rE: np.ndarray, rI: np.ndarray | None = None) -> EIRingTrajectory:
    """A trajectory made from given E (and I) fields of shape (T, N)."""
    rI = np.full_like(rE, 0.5) if rI is None else rI
    return EIRingTrajectory(t=T_REC, rates=np.concatenate([rE, rI], axis=1),
                            status=np.array("ok"), t_diverged=np.array(np.nan), message="",
                            params=EIRingModel(N=N).to_dict(), method="euler", dt=0.5)


def tt():
    return T_REC[:, None]


def test_known_fields_are_named_with_their_numbers():
    p = classify(field(np.full((T_REC.size, N), 2.0)))
    assert p.kind == "homogeneous" and p.mean_E == pytest.approx(2.0)
    p = classify(field(1.0 + 0.4 * np.cos(TH - 2.0) + 0 * tt()))
    assert (p.kind, p.mode) == ("stationary bump", 1) and p.position == pytest.approx(2.0)
    p = classify(field(1.0 + 0.4 * np.cos(3 * (TH - 0.5)) + 0 * tt()))
    assert (p.kind, p.mode) == ("stationary bump", 3)
    assert p.position == pytest.approx(0.5)
    p = classify(field(1.0 + 0.5 * np.cos(TH - 0.03 * tt())))
    assert (p.kind, p.direction) == ("travelling wave", "counterclockwise")
    assert p.speed == pytest.approx(0.03, rel=1e-9)
    assert p.period == pytest.approx(2 * np.pi / 0.03, rel=1e-9)
    p = classify(field(1.0 + 0.5 * np.cos(2 * (TH + 0.01 * tt()))))
    assert (p.kind, p.mode, p.direction) == ("travelling wave", 2, "clockwise")
    assert p.speed == pytest.approx(-0.01, rel=1e-9)
    p = classify(field(1.0 + 0.5 * np.cos(2 * np.pi * tt() / 80.0) * np.cos(TH - 1.0)))
    assert (p.kind, p.mode) == ("standing wave", 1)
    assert p.period == pytest.approx(80.0, rel=1e-4)
    assert p.position == pytest.approx(1.0, abs=1e-9) or p.position == pytest.approx(1.0 + np.pi)
    p = classify(field(1.0 + 0.5 * np.sin(2 * np.pi * tt() / 37.0) + 0 * TH))
    assert p.kind == "bulk oscillation" and p.period == pytest.approx(37.0, rel=1e-4)
    rng = np.random.default_rng(1)
    p = classify(field(1.0 + rng.random((T_REC.size, N))))
    assert p.kind == "irregular"
    # a bump settling towards its place (exponential approach) is not a travelling wave
    settle = 1.0 + 0.5 * np.cos(TH - 0.3 * np.exp(-tt() / 300.0))
    assert classify(field(settle)).kind == "irregular"
    # a bump whose height still oscillates is not a travelling wave either
    p = classify(field(1.0 + 0.5 * (1 + 0.3 * np.sin(tt() / 20.0)) * np.cos(TH - 0.01 * tt())))
    assert p.kind == "irregular"


def test_reflecting_the_ring_reverses_the_wave():
    up = 1.0 + 0.5 * np.cos(TH - 0.02 * tt())
    a = classify(field(up))
    b = classify(field(up[:, (-np.arange(N)) % N]))  # theta -> -theta
    assert a.speed == pytest.approx(-b.speed, rel=1e-9)
    assert {a.direction, b.direction} == {"clockwise", "counterclockwise"}


def test_estimate_period_and_bad_input():
    t = np.linspace(0.0, 100.0, 10001)
    assert estimate_period(t, np.sin(2 * np.pi * t / 7.0) ** 3) == pytest.approx(7.0, rel=1e-5)
    assert estimate_period(t, np.sin(2 * np.pi * t / 70.0)) is None  # not 2 full cycles
    with pytest.raises(ParameterError):
        classify(rn.simulate(rn.RingModel(N=8), t_max=1.0))
    batch = rn.simulate([EXAMPLES["homogeneous"].replace(N=8)] * 2, t_max=600.0,
                        record_every=10)
    with pytest.raises(ParameterError) as err:
        classify(batch)
    assert err.value.name == "row"
    assert [p.kind for p in classify_batch(batch)] == ["homogeneous"] * 2
    with pytest.raises(ParameterError):
        classify(batch, row=0, window=-1.0)


def test_diverged_runs_are_reported_as_such():
    bad = EIRingModel(J_EE0=5.0, J_EI0=-1.0, J_IE0=1.0, h_E=1.0, h_I=0.0, N=8)
    tr = rn.simulate(bad, t_max=500.0, dt=0.1, record_every=10, on_divergence="ignore")
    assert classify(tr).kind == "diverged"


def test_phase_diagram_matches_the_theory_and_its_boundary():
    base = EXAMPLES["travelling wave"].replace(N=16)
    # J_EE1 below 2: mode 1 cannot go unstable; above, it goes through a Hopf point at
    # tau_I* = tau_E / (J_EE1 / 2 - 1)  (J_II1 = 0)
    xs = [1.5, 2.5, 3.0, 3.5]
    ys = [12.0, 30.0]
    pd = phase_diagram(base, "J_EE1", xs, "tau_I", ys, t_transient=2500.0, t_window=800.0)
    assert pd.pattern.tolist() == [["homogeneous"] * 4,
                                   ["homogeneous"] * 2 + ["travelling wave"] * 2]
    assert pd.agreement == 1.0 and pd.stability_agreement == 1.0
    hopf = [b for b in pd.boundaries if b["mode"] == 1 and b["kind"] == "hopf"]
    assert len(hopf) == 1 and list(hopf[0]["x"]) == [3.0, 3.5]  # 2.5: tau_I* = 40 > 30
    for x, y in zip(hopf[0]["x"], hopf[0]["y"]):
        assert y == pytest.approx(base.tau_E / (x / 2 - 1), rel=1e-9)
        assert y == pytest.approx(T.hopf_tau_I(base.replace(J_EE1=x), 1), rel=1e-9)
    speed = pd.speed[1, 2]
    assert np.isfinite(speed) and np.isnan(pd.speed[0, 0])
    d = pd.to_dict()
    assert d["pattern"][1][2] == "travelling wave" and d["speed"][0][0] is None


def test_theory_grid_marks_the_real_instability_of_the_bump():
    base = EXAMPLES["stationary bump"]
    th, mode, bounds = theory_grid(base, "J_EE1", [1.0, 1.5, 2.5, 4.0], "h_E", [0.5, 1.0])
    assert th.tolist() == [["homogeneous", "homogeneous", "stationary bump",
                            "stationary bump"]] * 2
    assert mode.tolist() == [[-1, -1, 1, 1]] * 2
    assert not bounds  # the y parameter (h_E) crosses no boundary


def test_phase_diagram_bad_input():
    base = EXAMPLES["homogeneous"].replace(N=8)
    with pytest.raises(ParameterError) as err:
        phase_diagram(base, "J_EE1", [1.0], "j_ee1", [2.0])
    assert err.value.name == "y_param"
    with pytest.raises(ParameterError) as err:
        phase_diagram(base, "J_EI0", [1.0], "tau_I", [2.0])
    assert err.value.name == "J_EI0"
    with pytest.raises(ParameterError):
        phase_diagram(base, "J_EE1", [], "tau_I", [2.0])
    with pytest.raises(ParameterError):
        phase_diagram("model", "J_EE1", [1.0], "tau_I", [2.0])


@pytest.mark.parametrize("module", ["ratenet.models.ei_ring", "ratenet.theory.ei_ring",
                                    "ratenet.ei_ring", "ratenet.ei_ring.patterns",
                                    "ratenet.ei_ring.phase_diagram", "ratenet.ei_ring.trajectory"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
