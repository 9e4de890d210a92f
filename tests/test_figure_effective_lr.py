"""Figure ``effective-lr``: its data are calls into theory.scale_invariance, and the plotted routes agree."""

from __future__ import annotations

import numpy as np
from matplotlib import rc_context
from numpy.testing import assert_array_equal

from figures import effective_lr as m
from figures import registry
from figures.style import get_style
from theory.numeric_checks_si import _propagated, _stage_tolerance
from theory.scale_invariance import gd_weight_decay, sphere_gd


def test_effective_lr_data_and_drawing() -> None:
    d = registry.get_figure(m.NAME).data()
    f, w0 = m.problem()
    for lam in m.LAMBDAS:
        run = sphere_gd(f.grad, w0, m.ETA, lam, m.STEPS)
        r = d["runs"][lam]
        assert_array_equal(r["eta_hat"], run.eta_hats)
        W = gd_weight_decay(f.grad, w0, m.ETA, lam, m.STEPS)
        assert_array_equal(r["norm"], np.linalg.norm(W, axis=1))
        # the markers lie on the lines: GD, the sphere route and the rescaled run agree to the
        # propagated rounding bound (converted to degrees: an angle error ≤ the chord error / sin θ
        # is avoided by comparing cosines)
        bound = 2 * _propagated(f, run.directions, run.eta_hats, _stage_tolerance(f, 1))
        for key in ("gd", "rescaled"):
            gap = np.abs(np.cos(np.radians(r[key])) - np.cos(np.radians(r["sphere"])))
            assert np.all(gap <= bound + 4 * np.finfo(float).eps * 180)
        assert r["sphere"][-1] > 90  # the direction really turns
    # η̂ with decay grows (‖w‖ shrinks), without decay it does not grow
    assert d["runs"][0.0]["eta_hat"][-1] <= d["runs"][0.0]["eta_hat"][0] * (
        1 + 4 * np.finfo(float).eps
    )  # ‖w‖ only grows
    assert d["runs"][m.LAMBDAS[-1]]["eta_hat"][-1] > 10 * d["runs"][m.LAMBDAS[-1]]["eta_hat"][0]
    st = get_style("paper")
    with rc_context(st.rc()):
        fig = registry.get_figure(m.NAME).draw(d, st)
    lines = [
        (np.asarray(ln.get_xdata()), np.asarray(ln.get_ydata())) for ax in fig.axes for ln in ax.get_lines()
    ]
    assert any(np.array_equal(y, d["runs"][m.LAMBDAS[1]]["sphere"]) for _, y in lines)
    assert any(np.array_equal(y, d["runs"][m.LAMBDAS[1]]["eta_hat"]) for _, y in lines)
