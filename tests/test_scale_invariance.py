"""Tests of si.gradient and si.effective_lr: the library (theory.scale_invariance), its checks, the
derivations, the torch helpers (theory.empirical.normalised), and that wrong constants are caught."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from proofs.framework import check_step, identity
from proofs.registry import derivation, report
from theory import scale_invariance as si
from theory.checks import CheckContext, all_checks, run_check
from theory.errors import InputError, PreconditionError, TheoryError
from theory.harness.numeric_checks_si import _propagated, _stage_tolerance
from theory.numerics import residual_tolerance

EPS = float(np.finfo(np.float64).eps)


def _bn(seed: int, loss: str = "squared", eps: float = 0.0) -> si.BatchNormLoss:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((24, 5)) + 1.0
    y = rng.standard_normal(24) if loss == "squared" else np.where(rng.standard_normal(24) > 0, 1.0, -1.0)
    return si.BatchNormLoss(X, y, gamma=1.7, beta=-0.4, eps=eps, loss=loss)


def _functions(seed: int) -> list[si.BatchNormLoss | si.SphereFunction]:
    return [_bn(seed), _bn(seed, "logistic"), si.SphereFunction.random(np.random.default_rng(seed), 5)]


_X0 = np.random.default_rng(0).standard_normal(5)
_COLLINEAR = np.column_stack([_X0, 2 * _X0 + 0.3])  # X·(2, −1) = −0.3 + rounding (‖Xc·w‖ ≈ 5e-16)


def _check(theorem_id: str, route: str):  # type: ignore[no-untyped-def]
    return next(c for c in all_checks() if c.theorem_id == theorem_id and c.route == route)


# ---------------------------------------------------------------- si.gradient, numeric


@given(seed=st.integers(0, 2**32 - 1), log_c=st.floats(-3, 3), log_r=st.floats(-3, 3))
def test_identities_hold_on_both_functions(seed: int, log_c: float, log_r: float) -> None:
    rng = np.random.default_rng(seed)
    c = 10.0**log_c
    for f in _functions(seed % 1000):
        w = rng.standard_normal(f.d) * 10.0**log_r
        g, H = f.grad(w), f.hess(w)
        nw, ng, nH = np.linalg.norm(w), np.linalg.norm(g), np.linalg.norm(H, 2)
        tol = 3 * residual_tolerance(f.size, f.condition**2) * (1 + nH * nw / ng)
        assert abs(w @ g) <= tol * nw * ng
        assert np.linalg.norm(c * f.grad(c * w) - g) <= tol * ng
        assert np.linalg.norm(c * c * f.hess(c * w) - H, 2) <= tol * nH
        assert np.linalg.norm(H @ w + g) <= tol * (nH * nw + ng)


def test_closed_forms_match_complex_step() -> None:
    w = np.array([0.3, -1.2, 0.8, 2.0, -0.5])
    for f in _functions(7):
        g, H = f.grad(w), f.hess(w)
        kappa = 1 + np.linalg.norm(H, 2) * np.linalg.norm(w) / np.linalg.norm(g)
        cs = si.complex_step_gradient(f.evaluate, w)
        assert np.linalg.norm(g - cs) <= _stage_tolerance(f, 1) * kappa * np.linalg.norm(g)
        J = si.complex_step_jacobian(f.evaluate_grad, w)
        assert np.linalg.norm(H - J, 2) <= _stage_tolerance(f, 2) * np.linalg.norm(H, 2)


def test_a_wrong_hessian_scaling_is_detected() -> None:
    """1/c instead of 1/c² (and 1/c² instead of 1/c for the gradient) is off by a factor c."""
    f, w, c = _bn(3), np.linspace(-1, 1, 5) + 0.1, 3.0
    H, g = f.hess(w), f.grad(w)
    assert np.linalg.norm(c * f.hess(c * w) - H, 2) > 0.5 * np.linalg.norm(H, 2)
    assert np.linalg.norm(c * c * f.grad(c * w) - g) > 0.5 * np.linalg.norm(g)


def test_eps_breaks_invariance_by_the_bound() -> None:
    """With eps > 0 the features at cw are ρ times those at w, and |ρ − 1| ≤ eps_defect_bound, tight to
    first order (the bound is the exact first-order term)."""
    f = _bn(5, eps=1e-3)
    w = np.array([0.2, -0.1, 0.3, 0.1, -0.2])  # variance ≈ 100·eps: a visible, first-order defect
    v = float(np.var(f.Xc @ w))
    for c in (0.25, 0.5, 2.0, 10.0):
        rho = f.features(c * w) / f.features(w)
        rounding = _stage_tolerance(f, 1)
        assert np.ptp(rho) <= rounding  # one factor for every example
        bound = si.eps_defect_bound(1e-3, v, c)
        assert abs(rho[0] - 1) <= bound + rounding
        assert abs(rho[0] - 1) >= 0.5 * bound  # not vacuous
    assert si.eps_defect_bound(0.0, v, 3.0) == 0.0
    # f_eps(cw) = f_{eps/c²}(w): the exact law
    c = 4.0
    assert f.value(c * w) == pytest.approx(_bn(5, eps=1e-3 / c**2).value(w), rel=_stage_tolerance(f, 1))


# ---------------------------------------------------------------- si.effective_lr, numeric


def test_effective_lr_value() -> None:
    assert si.effective_lr(0.1, 0.5, 2.0) == pytest.approx(0.1 / (0.95 * 4.0), rel=4 * EPS)
    assert si.effective_lr(0.1, 0.0, 0.5) == pytest.approx(0.4, rel=4 * EPS)


def test_sphere_route_equals_gd_with_weight_decay() -> None:
    f = _bn(11, "logistic")
    w0 = np.array([0.7, -1.1, 0.4, 1.5, -0.2])
    eta, lam = 0.3, 0.4
    W = si.gd_weight_decay(f.grad, w0, eta, lam, 60)
    run = si.sphere_gd(f.grad, w0, eta, lam, 60)
    norms = np.linalg.norm(W, axis=1)
    bound = _propagated(f, run.directions, run.eta_hats, _stage_tolerance(f, 1))
    assert np.all(np.linalg.norm(W / norms[:, None] - run.directions, axis=1) <= bound)
    assert np.all(np.abs(norms / run.norms - 1) <= bound)
    # the directions really move, and ‖w‖ really changes: the comparison is not trivial
    assert np.arccos(run.directions[0] @ run.directions[-1]) > 0.3
    assert abs(norms[-1] / norms[0] - 1) > 0.1
    # one step by hand: u' = (u − η̂∇f(u))/‖·‖
    u0 = w0 / np.linalg.norm(w0)
    hat = eta / ((1 - eta * lam) * np.linalg.norm(w0) ** 2)
    step = u0 - hat * f.grad(u0)
    assert np.linalg.norm(run.directions[1] - step / np.linalg.norm(step)) <= bound[1]


def test_rescaled_run_gives_the_same_directions() -> None:
    f = _bn(12)
    w0 = np.array([0.7, -1.1, 0.4, 1.5, -0.2])
    eta, lam, c = 0.2, 0.3, 7.0
    W = si.gd_weight_decay(f.grad, w0, eta, lam, 40)
    W2 = si.gd_weight_decay(f.grad, c * w0, c * c * eta, lam / c**2, 40)
    run = si.sphere_gd(f.grad, w0, eta, lam, 40)
    bound = 2 * _propagated(f, run.directions, run.eta_hats, _stage_tolerance(f, 1))
    assert np.all(np.linalg.norm(W2 / c - W, axis=1) / np.linalg.norm(W, axis=1) <= bound)
    # but (c·w0, c·η, λ/c) does not: only ηλ and η/‖w‖² matter
    W3 = si.gd_weight_decay(f.grad, c * w0, c * eta, lam / c, 40)
    assert np.max(np.linalg.norm(W3 / c - W, axis=1) / np.linalg.norm(W, axis=1)) > 1e-2


def test_propagated_bound_stays_finite_over_long_runs() -> None:
    """A new user's failure: ``wdt verify --only si. --thorough --seed 3`` (also seeds 0, 1) exited 1,
    the si.effective_lr row raising "a tolerance must be positive and finite; got inf": the worst-case
    propagated bound grew geometrically over 400 steps and overflowed. It is now capped at 2 (two unit
    vectors are never further apart), trajectories are compared only below the cap, and every step is
    also checked on its own."""
    from theory.harness.numeric_checks_si import _VACUOUS, _propagated

    f = si.SphereFunction.random(np.random.default_rng(3), 6)
    us = np.tile(np.eye(6)[0], (2000, 1))
    bound = _propagated(f, us, np.full(2000, 50.0), 1e-14)  # Lipschitz ≫ 1: (1 + 50‖∇²f‖)^2000 overflows
    assert np.all(np.isfinite(bound))
    assert float(np.max(bound)) <= _VACUOUS


@pytest.mark.parametrize(
    "wrong",
    [
        lambda eta, lam, r: eta / ((1 - eta * lam) * r),  # η/‖w‖ instead of η/‖w‖²
        lambda eta, lam, r: eta / r**2,  # the (1 − ηλ) dropped
    ],
    ids=["eta_over_norm", "no_decay_factor"],
)
def test_a_wrong_effective_lr_fails_the_numeric_check(monkeypatch: pytest.MonkeyPatch, wrong) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(si, "effective_lr", wrong)
    outcome = run_check(_check("si.effective_lr", "numeric"), CheckContext())
    assert outcome.status == "fail" and outcome.ratio > 1e3


def test_proved_effective_lr_is_the_library_function() -> None:
    fn = derivation("si.effective_lr").function("effective_lr")
    for eta, lam, r in [(0.1, 0.5, 2.0), (1e-3, 10.0, 0.3), (2.0, 0.0, 5.0)]:
        assert fn(eta, lam, r) == pytest.approx(si.effective_lr(eta, lam, r), rel=4 * EPS)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "kind", "match"),
    [
        (lambda: si.direction(np.zeros(3)), PreconditionError, r"w ≠ 0; got ‖w‖ = 0\.0"),
        (lambda: si.effective_lr(0.5, 2.0, 1.0), PreconditionError, r"ηλ < 1.*η = 0\.5, λ = 2\.0, ηλ = 1\.0"),
        (lambda: si.effective_lr(0.0, 0.1, 1.0), PreconditionError, r"lr must be > 0; got lr = 0\.0"),
        (
            lambda: si.effective_lr(0.1, -1.0, 1.0),
            PreconditionError,
            r"weight_decay must be ≥ 0; .* -1\.0",
        ),
        (lambda: si.effective_lr(0.1, 0.1, 0.0), PreconditionError, r"norm must be > 0; got norm = 0\.0"),
        (lambda: si.eps_defect_bound(1e-5, 1.0, -2.0), PreconditionError, r"c must be > 0; got c = -2\.0"),
        (lambda: si.eps_defect_bound(1e-5, 0.0, 2.0), PreconditionError, r"variance must be > 0"),
        (lambda: si.gd_weight_decay(np.sin, np.ones(2), 0.1, 0.1, -1), InputError, r"steps .* got -1"),
        (
            lambda: si.sphere_gd(np.sin, np.ones(2), 0.1, 0.1, True),
            InputError,
            r"steps must be an integer ≥ 0; got True",
        ),
        (lambda: si.sphere_gd(np.sin, np.zeros(2), 0.1, 0.1, 3), PreconditionError, r"w0 ≠ 0"),
        (lambda: si.weight_decay_step(np.ones(2), np.ones(2), 4.0, 0.5), PreconditionError, r"ηλ = 2\.0"),
        (
            lambda: si.norm_step(np.array([1.0, 0.0]), 0.1, 0.1, 1.0),
            PreconditionError,
            r"x = ‖w‖² > 0; got x = \[1\. 0\.\]",
        ),
        (lambda: si.norm_step(1.0, 0.1, 0.1, -1.0), PreconditionError, r"g must be ≥ 0; got g = -1\.0"),
        (
            lambda: si.angle_between(np.ones(2), np.zeros(2)),
            PreconditionError,
            r"non-zero vectors; got norms",
        ),
        # a new user's reports: raw ZeroDivisionError / a negative squared norm / numpy's broadcast error
        (lambda: si.norm_step(0.0, 0.1, 0.1, 1.0), PreconditionError, r"x = ‖w‖² > 0; got x = 0\.0"),
        (lambda: si.norm_step(-1.0, 0.1, 0.1, 1.0), PreconditionError, r"x = ‖w‖² > 0; got x = -1\.0"),
        (
            lambda: si.angle_between([1, 0], [1, 0, 0]),
            InputError,
            r"got shapes \(2,\) and \(3,\)",
        ),
        (lambda: si.angle_between(np.ones(2), np.ones((3, 2))), InputError, r"shapes \(2,\) and \(3, 2\)"),
        (lambda: si.angle_between([1, np.nan], [1, 0]), InputError, r"finite entries"),
        (lambda: si.BatchNormLoss(np.ones((1, 2)), [1.0]), InputError, r"n ≥ 2; got X of shape \(1, 2\)"),
        (lambda: si.BatchNormLoss(np.ones((3, 2)), [1, 2, 3], loss="hinge"), InputError, r"'hinge'"),
        (
            lambda: si.BatchNormLoss(np.ones((3, 2)), [1, 2, 3]).grad([1.0, 2.0]),
            PreconditionError,
            r"variance 0",
        ),
        # Xw constant only up to rounding (collinear columns): still variance 0, not a division by 1e-16
        (lambda: si.BatchNormLoss(_COLLINEAR, np.ones(5)).grad([2, -1]), PreconditionError, r"variance 0"),
        (lambda: si.SphereFunction([[1, 2], [0, 1]], [1, 1], [[1, 1]]), InputError, r"max\|A − Aᵀ\| = 2"),
    ],
)
def test_bad_input_is_a_typed_error_with_the_values(call, kind, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(kind, match=match) as info:
        call()
    assert isinstance(info.value, TheoryError)


# ---------------------------------------------------------------- derivations


def test_both_derivations_check() -> None:
    for tid in ("si.gradient", "si.effective_lr"):
        outcome = report(tid)
        assert outcome.ok, outcome.detail
    assert derivation("si.gradient").scope.startswith("proved for general n")


def test_wrong_symbolic_variants_are_rejected() -> None:
    """The slice steps with 1/c for the Hessian, c² for the gradient, + for ∇²f·w; the step identity
    with η/(βr) for η̂: each must fail."""
    import sympy as sp

    steps = {s.why.split(":")[0]: s for s in derivation("si.gradient").steps}
    hess = next(s for k, s in steps.items() if k.startswith("∂_b²F(c, 0)"))
    c = sp.Symbol("c", positive=True)
    assert check_step(identity(hess.lhs / c, hess.rhs, "wrong: 1/c")) != ""
    grad = next(s for k, s in steps.items() if k.startswith("∂_bF(c, 0)"))
    assert check_step(identity(grad.lhs * c, grad.rhs, "wrong: c²")) != ""
    hw = next(s for k, s in steps.items() if k.startswith("∂_a∂_bF(1, 0)"))
    assert check_step(identity(hw.lhs, -hw.rhs, "wrong sign")) != ""
    lr = derivation("si.effective_lr")
    step = next(s for s in lr.steps if s.by == "matrix" and "multiple of the sphere step" in s.why)
    eta, beta, r = (next(x for x in lr.symbols if str(x) == name) for name in ("eta", "beta", "r"))
    u, q = (next(x for x in lr.symbols if str(x) == name) for name in ("u", "q"))
    wrong = sp.MatMul(beta * r, u - eta / (beta * r) * q)
    assert check_step(identity(step.lhs, wrong, "wrong: η/‖w‖", "matrix")) != ""


# ---------------------------------------------------------------- torch


def test_detector_on_real_modules() -> None:
    pytest.importorskip("torch")
    import torch

    from theory.empirical.normalised import normalised_mlp, scale_invariant_parameters

    g = torch.Generator().manual_seed(0)
    x = torch.randn(32, 6, generator=g, dtype=torch.float64)
    y = torch.randint(0, 3, (32,), generator=g)
    ce = torch.nn.CrossEntropyLoss()
    for norm in ("batch", "layer"):
        model = normalised_mlp(6, 5, 3, norm=norm, seed=1)
        rep = {r.name: r for r in scale_invariant_parameters(model, ce, (x, y))}
        assert rep["0.weight"].invariant, rep["0.weight"]
        assert rep["3.weight"].status == rep["1.bias"].status == "not invariant"  # head; β (0 at init)
        assert rep["0.weight"].eps_change > 0  # the model's own eps (1e-5) breaks invariance slightly
        # BatchNorm normalises each unit: each row of W may be scaled on its own; LayerNorm: only all of W
        assert rep["0.weight"].row_invariant is (norm == "batch"), rep["0.weight"]
        assert rep["0.bias" if "0.bias" in rep else "1.bias"].row_invariant is None
    model = normalised_mlp(6, 5, 3, norm="batch", seed=1)
    with torch.no_grad():
        model(x)  # running statistics
    before = {k: b.clone() for k, b in model.named_buffers()}
    scale_invariant_parameters(model, ce, (x, y))  # training-mode passes must not leave a trace
    assert all(torch.equal(before[k], b) for k, b in model.named_buffers())
    model.eval()  # negative control: eval-mode BatchNorm is an affine map, not invariant
    (r,) = scale_invariant_parameters(model, ce, (x, y), names=["0.weight"])
    assert not r.invariant and r.change > 1e6 * r.tolerance
    # eval mode without running statistics uses batch statistics: invariant again, and the Linear's
    # bias is removed by the centring (the loss does not depend on it at all)
    nn = torch.nn
    batch_stats = nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5, track_running_stats=False), nn.Tanh())
    batch_stats = nn.Sequential(*batch_stats, nn.Linear(5, 3)).double().eval()
    rep = {r.name: r for r in scale_invariant_parameters(batch_stats, ce, (x, y))}
    assert rep["0.weight"].invariant and rep["0.weight"].row_invariant
    assert rep["0.bias"].status == "unused" and not rep["0.bias"].invariant
    plain = torch.nn.Sequential(torch.nn.Linear(6, 5, bias=False), torch.nn.Tanh(), torch.nn.Linear(5, 3))
    plain = plain.double()
    (r,) = scale_invariant_parameters(plain, ce, (x, y), names=["0.weight"])
    assert not r.invariant
    with pytest.raises(InputError, match=r"scales must be positive.*\[1\.0\]"):
        scale_invariant_parameters(plain, ce, (x, y), scales=[1.0])
    with pytest.raises(InputError, match=r"scales must be positive.*-2"):
        scale_invariant_parameters(plain, ce, (x, y), scales=[-2])
    with pytest.raises(InputError, match=r"no parameter named \['nope'\]"):
        scale_invariant_parameters(plain, ce, (x, y), names=["nope"])


def test_norm_eps_restores_and_validates() -> None:
    pytest.importorskip("torch")
    from theory.empirical.normalised import norm_eps, normalised_mlp

    model = normalised_mlp(4, 3, 2, norm="layer", eps=1e-3)
    with norm_eps(model, 0.0) as layers:
        assert len(layers) == 1 and 0 < layers[0].eps < 1e-300
    assert model[1].eps == 1e-3
    with pytest.raises(InputError, match=r"eps must be a finite float ≥ 0; got -1"), norm_eps(model, -1):
        pass
    with pytest.raises(InputError, match=r"norm must be 'batch' or 'layer'; got 'group'"):
        normalised_mlp(4, 3, 2, norm="group")
    with pytest.raises(InputError, match=r"activation must be one of \['relu', 'tanh'\]; got 'gelu'"):
        normalised_mlp(4, 3, 2, activation="gelu")
    with pytest.raises(InputError, match=r"hidden must be a positive integer; got 0"):
        normalised_mlp(4, (3, 0), 2)


def test_empirical_checks_pass_and_a_wrong_effective_lr_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    for tid in ("si.gradient", "si.effective_lr"):
        outcome = run_check(_check(tid, "empirical"), CheckContext())
        assert outcome.status == "pass", outcome.detail
    monkeypatch.setattr(si, "effective_lr", lambda eta, lam, r: eta / r**2)  # (1 − ηλ) dropped
    outcome = run_check(_check("si.effective_lr", "empirical"), CheckContext())
    assert outcome.status == "fail" and math.isfinite(outcome.ratio) and outcome.ratio > 10


def test_empirical_hessian_norm_is_the_full_hessians() -> None:
    """si.gradient's empirical row scales its tolerance with ‖∇²f‖₂; it is now the full Hessian's
    (columns = Hessian-vector products of the basis), not a doubled power-iteration estimate; the
    estimate still used by si.effective_lr's empirical row is marked as one (empirical tolerance)."""
    pytest.importorskip("torch")
    import torch

    from theory.empirical.checks_si import _hessian_norm_estimate, _hessian_spectral_norm
    from theory.empirical.normalised import hvp, normalised_mlp

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(12, 6, generator=gen, dtype=torch.float64)
    batch = (x, torch.randint(0, 3, (12,), generator=gen))
    model = normalised_mlp(6, 4, 3, norm="batch", seed=2)
    W, ce = model[0].weight, torch.nn.CrossEntropyLoss()
    cols = [hvp(model, ce, batch, W, e.reshape(W.shape)).ravel() for e in torch.eye(W.numel(), dtype=W.dtype)]
    H = torch.stack(cols, dim=1)
    exact = float(torch.linalg.matrix_norm(H, 2))
    assert abs(_hessian_spectral_norm(model, ce, batch, W) / exact - 1) < 1e-10
    assert _hessian_norm_estimate(model, ce, batch, W, 0) / 2 <= exact * (1 + 1e-10)
