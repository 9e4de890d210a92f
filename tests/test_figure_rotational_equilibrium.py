"""Figure rotational-equilibrium: its data are theory.equilibrium's, and they show the equilibrium."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_array_equal

from figures import registry
from figures import rotational_equilibrium as m
from figures.style import get_style
from theory import equilibrium as E


def test_data_are_theory_calls_and_reach_the_predicted_levels() -> None:
    d = registry.get_figure(m.NAME).data()
    for k, (key, _, kind, eta, wd, beta) in enumerate(m.RUNS):
        sim = E.simulate(
            kind,  # type: ignore[arg-type]
            eta,
            wd,
            m.STEPS,
            dim=m.DIM,
            trials=m.TRIALS,
            momentum=beta,
            scale0=m.SCALE0,
            seed=m.SEED + k,
        )
        assert_array_equal(d[f"{key}_angle"], np.sqrt(np.mean(sim.angles**2, axis=1)))
        # the last third is at equilibrium: within 5 % of the predicted angle and norm
        tail = slice(2 * m.STEPS // 3, None)
        assert abs(np.sqrt(np.mean(d[f"{key}_angle"][tail] ** 2)) / d[f"{key}_predicted"] - 1) <= 0.05
        assert abs(np.mean(d[f"{key}_norm"][tail]) - 1) <= 0.08  # AdamW: v̂'s RMS, O(1 − β₂)
    assert d["sgd_predicted"] == E.equilibrium_angle(0.1, 0.1)
    assert d["momentum_predicted"] == E.first_order_angle(0.1, 0.1, 0.9)
    assert d["adamw_predicted"] == E.adamw_angle(0.01, 1.0, 0.9)
    # the SGD walk follows the exact recursion to rounding (64 coordinates, 1200 steps)
    assert np.max(np.abs(d["sgd_trial0"] / d["recursion"] - 1)) <= 10 * m.DIM * m.STEPS * 2.3e-16
    fig = registry.get_figure(m.NAME).draw(d, get_style("paper"))
    assert len(fig.axes) == 2
