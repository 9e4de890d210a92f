"""The derivation framework: every derivation holds, and deliberately wrong variants are rejected."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from proofs import optim, registry
from proofs.framework import (
    Derivation,
    Step,
    check,
    check_step,
    define,
    evalf,
    holds,
    identity,
    limit,
    nsolve,
    partition,
    series,
    solve,
    solveset,
    symbol_clashes,
    undeclared_symbols,
)
from theory.catalogue import CATALOGUE
from theory.errors import InputError

x = sp.Symbol("x", real=True)
a = sp.Symbol("a", positive=True)


@pytest.mark.parametrize("theorem_id", registry.ids())
def test_every_derivation_holds(theorem_id: str) -> None:
    outcome = registry.report(theorem_id)
    assert outcome.ok, outcome.detail
    d = registry.derivation(theorem_id)
    assert outcome.steps == len(d.steps)
    assert outcome.checked == len(d.steps) - d.definitions
    assert outcome.detail == d.extent
    assert outcome.detail.startswith(("proved for general n", "checked for ", "the constant "))
    assert not symbol_clashes(d)
    assert not undeclared_symbols(d)


def test_the_issue_list_is_covered() -> None:
    wanted = {
        "l2.update",
        "l2.optimum",
        "l2.eigen",
        "l2.ridge",
        "l2.pinv",
        "l1.soft_threshold",
        "enet.diagonal",
        "bayes.gaussian",
        "bayes.laplace",
        "es.trajectory",
        "es.equivalence",
        "es.approx",
        "gd.stability",
        "opt.sgd_equiv",
        "opt.adam_not_equiv",
        "gd.min_norm",
    }
    assert wanted <= set(registry.ids())
    assert set(registry.ids()) <= set(CATALOGUE)


def test_only_prefix_selects_and_rejects_typos() -> None:
    assert registry.ids(["es."]) == [t for t in CATALOGUE if t.startswith("es.") and t in registry.BUILDERS]
    with pytest.raises(InputError, match="'zz'"):
        registry.ids(["zz"])
    without = [t for t in CATALOGUE if t not in registry.BUILDERS]
    with pytest.raises(InputError, match="no derivation"):
        registry.derivation(without[0] if without else "zz.none")


# ---------------------------------------------------------------------------- the checker itself


@pytest.mark.parametrize("by", ["cancel", "factor", "expand"])
def test_identity_methods_accept_true_and_reject_false(by: str) -> None:
    true = identity((x + a) ** 2, x**2 + 2 * a * x + a**2, "binomial", by)
    false = identity((x + a) ** 2, x**2 - 2 * a * x + a**2, "wrong sign", by)
    assert check_step(true) == ""
    assert "not 0" in check_step(false)


def test_cancel_normalises_nested_fractions() -> None:
    r = sp.Symbol("r", positive=True)
    assert check_step(identity(a / (a + a * r / (1 - r)), 1 - r, "nested")) == ""


def test_holds_needs_the_assumptions() -> None:
    y = sp.Symbol("y", real=True)
    assert check_step(holds(sp.Gt(a**2 + 1, 0, evaluate=False), "positive")) == ""
    assert "not True" in check_step(holds(sp.Gt(y, 0, evaluate=False), "a real y may be negative"))


def test_derive_methods_compare_with_the_stated_result() -> None:
    assert check_step(solve(x, 2 * x - a, a / 2, "linear")) == ""
    assert check_step(solve(x, 2 * x - a, a, "α in place of α/2")) != ""
    assert check_step(solve(x, x**2 - a, [sp.sqrt(a)], "misses a root")) != ""
    assert check_step(series(sp.exp(x), x, 2, 1 + x + sp.O(x**2), "exp")) == ""
    assert check_step(series(sp.exp(x), x, 2, 1 - x + sp.O(x**2), "flipped sign")) != ""
    assert check_step(series(sp.exp(x), x, 3, 1 + x + sp.O(x**3), "missing x²/2")) != ""
    assert check_step(limit(a / (a + x), x, 0, 1, "limit")) == ""
    assert check_step(solveset(x, sp.Abs(1 - x * a) < 1, sp.Interval.open(0, 2 / a), "stable")) == ""
    assert check_step(solveset(x, sp.Abs(1 - x * a) < 1, sp.Interval.open(0, 1 / a), "half")) != ""


def test_numerical_steps_hold_to_the_stated_digits_only() -> None:
    root = sp.Float("1.793282132900761007557553363901042400798", 40)
    equation = sp.exp(x) - x**2 - x - 1
    assert check_step(nsolve(x, equation, 1.8, root, 30, "root")) == ""
    assert check_step(nsolve(x, equation, 1.8, root + sp.Float("1e-20"), 30, "off at digit 20")) != ""
    assert check_step(evalf(sp.Subs(x**2, x, root), root**2, 30, "value")) == ""
    assert check_step(evalf(sp.Subs(x**2, x, root), sp.Float("3.2159"), 30, "rounded value")) != ""


def test_sympy_limit_trap_is_real() -> None:
    """Why l2.pinv treats λ = 0 apart: with λ ≥ 0 SymPy's limit of λ/(λ + α) is 1, wrong at λ = 0."""
    lam = sp.Symbol("lambda", nonnegative=True)
    assert check_step(limit(lam / (lam + a), a, 0, 0, "naive limit at λ = 0")) != ""


def test_a_sympy_error_is_a_failed_step_not_a_crash() -> None:
    step = Step(x, 1, "solve something SymPy rejects", "solve", problem=(sp.MatrixSymbol("M", 2, 2),))
    assert check_step(step) != ""


def test_bad_construction_is_an_input_error() -> None:
    with pytest.raises(InputError, match="identity steps"):
        identity(x, x, "no such method", "simplify")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown theorem id"):
        Derivation("l2.nothing", (), (identity(x, x, "trivial"),), "proved for general n")
    with pytest.raises(InputError, match="no steps"):
        Derivation("l2.update", (), (), "proved for general n")
    with pytest.raises(InputError, match="no result"):
        registry.derivation("l2.update").function("nothing")


# ---------------------------------------------------------------------------- wrong variants


def _variant(theorem_id: str, why: str | int, **changes: object) -> tuple[Derivation, int]:
    """The derivation with one step changed: the one whose justification contains ``why``, or the
    step at index ``why``."""
    d = registry.derivation(theorem_id)
    hits = [why] if isinstance(why, int) else [i for i, s in enumerate(d.steps) if why in s.why]
    assert len(hits) == 1, f"{why!r} matches steps {hits} of {theorem_id}"
    steps = list(d.steps)
    steps[hits[0]] = dataclasses.replace(steps[hits[0]], **changes)
    return dataclasses.replace(d, steps=tuple(steps)), hits[0] + 1


def _wrong_variants() -> list[tuple[str, str | int, dict[str, object]]]:
    s, b = sp.Symbol("s_i", positive=True), sp.Symbol("b_i", real=True)
    alpha = sp.Symbol("alpha", positive=True)
    update = registry.derivation("l2.update")
    upd = next(st for st in update.steps if st.by == "matrix")
    eps = sp.Symbol("epsilon", positive=True)
    alpha_nn = sp.Symbol("alpha", nonnegative=True)
    h = sp.Symbol("h", positive=True)
    lam = sp.Symbol("lambda_i", positive=True)
    tau = sp.Symbol("tau", integer=True, positive=True)
    lam0 = sp.Symbol("lambda_i", nonnegative=True)
    tau0 = sp.Symbol("tau", integer=True, nonnegative=True)
    c, z0 = sp.Symbol("c_i", real=True), sp.Symbol("z_0", real=True)
    mu = sp.Symbol("mu_i", positive=True)
    gauss = registry.derivation("bayes.gaussian")
    post = next(st for st in gauss.steps if "MAP is ridge" in st.why)
    sigma2, s2 = (sp.Symbol(n, positive=True) for n in ("sigma^2", "s^2"))
    q = sp.Symbol("q", nonnegative=True)
    enet = registry.derivation("enet.diagonal")
    a2 = sp.Symbol("alpha_2", nonnegative=True)
    hr, ws = sp.Symbol("h", real=True), sp.Symbol("w^*", real=True)
    enet_counter = next(st for st in enet.steps if "the formula gives −1" in st.why)
    a1 = sp.Symbol("alpha_1", nonnegative=True)
    old_enet = sp.sign(ws) * sp.Max(hr * sp.Abs(ws) - a1, 0) / (hr + a2)
    e_back = next(st for st in enet.steps if "back in H_ii" in st.why)
    e_split = next(st for st in enet.steps if st.by == "partition")
    l1_back = next(st for st in registry.derivation("l1.soft_threshold").steps if "back in w*" in st.why)
    gf_risk = next(
        st for st in registry.derivation("es.gf_vs_ridge").steps if "with b_i = s_iβ_i + z_i" in st.why
    )
    t_pos = sp.Symbol("t", positive=True)
    k = sp.Symbol("k", integer=True, positive=True)
    return [
        # α in place of α/2 (G 7.15 vs 7.17)
        ("l2.ridge", "along v_i: 2(s_i²", {"rhs": s * b / (s**2 + alpha)}),
        # flipped sign of the decay term
        ("l2.update", "collected in w", {"rhs": upd.rhs.subs(1 - eps * alpha_nn, 1 + eps * alpha_nn)}),
        # missing factor h in the soft threshold: α in place of α/h when going back to w*
        ("l1.soft_threshold", "back in w*", {"rhs": l1_back.rhs.subs(alpha_nn / h, alpha_nn)}),
        # the earlier elastic-net formula sign(w*)max(h|w*| − α₁, 0)/(h + α₂), wrong for h < 0
        ("enet.diagonal", "the formula gives −1", {"lhs": sp.Subs(old_enet, *enet_counter.lhs.args[1:])}),
        # denominator h instead of h + α₂ = a
        ("enet.diagonal", "back in H_ii", {"rhs": e_back.rhs.subs(hr + a2, hr)}),
        # a case split that forgets the boundary |b| = α₁ (open middle interval)
        (
            "enet.diagonal",
            "cover every b once",
            {"lhs": (e_split.lhs[0], sp.Interval.open(*e_split.lhs[1].args[:2]), e_split.lhs[2])},
        ),
        # α_i increasing rather than decreasing: a flipped sign in dp/dλ
        ("es.equivalence", "p increases strictly", {"rhs": -eps / (1 - eps * lam) ** 2}),
        # the variance of gradient flow without the square on (1 − e^{−s t})
        (
            "es.gf_vs_ridge",
            "with b_i = s_iβ_i + z_i",
            {"rhs": gf_risk.rhs.subs((1 - sp.exp(-s * t_pos)) ** 2, 1 - sp.exp(-s * t_pos))},
        ),
        # 2^k/k! wrong by one in the Taylor coefficient of the uniqueness proof
        ("es.gf_vs_ridge_tuned", "for k ≥ 4", {"rhs": (2 * (k**2 + 1) - 2 ** (k + 1)) / sp.factorial(k)}),
        # the ½‖Xw − y‖² scale: stability interval 2/s_i² instead of 2n/s_i²
        ("gd.min_norm", "has modulus < 1", {"rhs": sp.Interval.open(0, 2 / s**2)}),
        # the converse: α → 0⁺ limit of a λ_j > 0 term claimed 0
        ("l2.constraint", "as α → 0⁺ a term", {"rhs": sp.S.Zero}),
        # (τ − 1) instead of (τ + 1) in the series
        ("es.approx", "expand α_i", {"rhs": 1 / (eps * tau) - lam * (tau - 1) / (2 * tau) + sp.O(lam**2)}),
        # a flipped sign in the rsolve answer
        ("es.trajectory", "solved for a general start", {"rhs": c + (1 + eps * lam0) ** tau0 * (z0 - c)}),
        # the stability bound off by a factor 2
        ("gd.stability", "|1 − εμ_i| < 1 iff", {"rhs": sp.Interval.open(0, 1 / mu)}),
        # α = s²/σ² instead of σ²/s²
        ("bayes.gaussian", "MAP is ridge", {"rhs": post.rhs + q / 2 * (s2 / sigma2 - sigma2 / s2)}),
        # a solution claimed where there is none
        ("opt.adam_not_equiv", "no λ' makes the first steps equal", {"rhs": [sp.Rational(1, 2)]}),
    ]


@pytest.mark.parametrize(
    ("theorem_id", "why", "changes"),
    _wrong_variants(),
    ids=lambda v: v if isinstance(v, str) and "." in v and " " not in v else "",
)
def test_wrong_variant_is_rejected(theorem_id: str, why: str | int, changes: dict[str, object]) -> None:
    wrong, index = _variant(theorem_id, why, **changes)
    assert check_step(wrong.steps[index - 1]) != "", "the checker accepted a wrong step"
    outcome = check(wrong)
    assert not outcome.ok
    assert outcome.failed_step == index
    assert outcome.detail.startswith(f"step {index} fails")


def test_wrong_gradient_and_wrong_adjugate_are_rejected() -> None:
    d = registry.derivation("l2.optimum")
    grad = d.steps[0]
    assert check_step(grad) == ""
    H = sp.MatrixSymbol("H", *grad.rhs.shape[:1] * 2)
    w, w_star = (sp.MatrixSymbol(n, grad.rhs.shape[0], 1) for n in ("w", "w^*"))
    assert check_step(dataclasses.replace(grad, rhs=H * (w + w_star))) != ""
    assert check_step(dataclasses.replace(grad, rhs=2 * H * (w - w_star))) != ""
    adjugate = next(s for s in d.steps if s.why.startswith("w̃ = adj") and "n = 2" in s.case)
    lhs = adjugate.lhs  # (H + αI)·w̃ for the explicit 2×2 H
    assert check_step(dataclasses.replace(adjugate, lhs=2 * lhs)) != ""


# ---------------------------------------------------------------------------- opt.sgd_equiv: two routes


def _wrong_torch_first_step_damped(
    grad_f: object,
    theta: object,
    buf: object,
    first: bool,
    lr: object,
    wd: object,
    mu: object,
    damp: object,
    nesterov: bool,
) -> tuple[object, object]:
    """torch's update with the buffer damped on the first step too (b₁ = (1 − δ)g): not torch."""
    g = grad_f + wd * theta  # type: ignore[operator]
    if mu == 0:
        return theta - lr * g, None  # type: ignore[operator]
    b = (1 - damp) * g if first else mu * buf + (1 - damp) * g  # type: ignore[operator]
    g = g + mu * b if nesterov else b  # type: ignore[operator]
    return theta - lr * g, b  # type: ignore[operator]


def _wrong_torch_nesterov_uses_buffer_only(
    grad_f: object,
    theta: object,
    buf: object,
    first: bool,
    lr: object,
    wd: object,
    mu: object,
    damp: object,
    nesterov: bool,
) -> tuple[object, object]:
    """Nesterov written as g ← μb (dropping the gradient term): not torch."""
    g = grad_f + wd * theta  # type: ignore[operator]
    if mu == 0:
        return theta - lr * g, None  # type: ignore[operator]
    b = g if first else mu * buf + (1 - damp) * g  # type: ignore[operator]
    g = mu * b if nesterov else b  # type: ignore[operator]
    return theta - lr * g, b  # type: ignore[operator]


def _wrong_torch_decay_doubled(
    grad_f: object,
    theta: object,
    buf: object,
    first: bool,
    lr: object,
    wd: object,
    mu: object,
    damp: object,
    nesterov: bool,
) -> tuple[object, object]:
    """weight decay 2λw: that is SGD on L + λ‖w‖², not L + (λ/2)‖w‖²."""
    return optim.heavy_ball_step(grad_f + 2 * wd * theta, theta, buf, first, lr, mu, damp, nesterov)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("wrong", "first_failing_why"),
    [
        (_wrong_torch_first_step_damped, "first step (b₁ = g): the buffers agree"),
        (_wrong_torch_nesterov_uses_buffer_only, "Nesterov, first step (b₁ = g): the new weights agree"),
        (_wrong_torch_decay_doubled, "without momentum: torch's"),
    ],
)
def test_sgd_equiv_rejects_a_wrong_torch_update(
    monkeypatch: pytest.MonkeyPatch, wrong: object, first_failing_why: str
) -> None:
    """The torch route is written apart from the penalised route, so a wrong torch update fails a step."""
    monkeypatch.setattr(optim, "torch_sgd_step", wrong)
    outcome = check(optim.sgd_equiv())
    assert not outcome.ok
    assert first_failing_why in outcome.reason, outcome.detail


def test_sgd_equiv_rejects_heavy_ball_in_place_of_nesterov(monkeypatch: pytest.MonkeyPatch) -> None:
    """Momentum SGD on F with Nesterov and heavy ball swapped is not torch's update."""
    original = optim.heavy_ball_step
    monkeypatch.setattr(
        optim, "heavy_ball_step", lambda grad, w, *rest: original(grad, w, *rest[:-1], not rest[-1])
    )
    outcome = check(optim.sgd_equiv())
    assert not outcome.ok
    assert "heavy ball, first step (b₁ = g): the new weights agree" in outcome.reason


# ---------------------------------------------------------------------------- framework rules


def test_identical_sides_are_a_definition_not_a_proof() -> None:
    assert "same expression" in check_step(identity(x + a, x + a, "x + a = x + a"))
    assert check_step(define(sp.Symbol("y"), x + a, "y := x + a")) == ""
    assert "introduce a name" in check_step(define(x + a, x + a, "not a name"))
    shown = identity(x + a, a + x, "named sides", shown=(sp.Function("f")(x), sp.Function("g")(x)))
    assert check_step(shown) == ""
    same_names = identity(x + a, a + x, "named the same", shown=(sp.Function("f")(x), sp.Function("f")(x)))
    assert "same expression" in check_step(same_names)


def test_definitions_are_counted_apart() -> None:
    d = Derivation(
        "l2.update",
        (x, a, sp.Symbol("y")),
        (
            define(sp.Symbol("y"), x + a, "y := x + a"),
            identity((x + a) ** 2, x**2 + 2 * a * x + a**2, "sq", "expand"),
        ),
        "proved for general n",
    )
    outcome = check(d)
    assert outcome.ok and outcome.steps == 2 and outcome.checked == 1 and outcome.definitions == 1
    assert outcome.detail == "proved for general n (1 definition)"


def test_a_symbol_clash_fails_the_derivation() -> None:
    t_pos, t_nonneg = sp.Symbol("t", positive=True), sp.Symbol("t", nonnegative=True)
    d = Derivation(
        "l2.update",
        (t_pos,),
        (identity(sp.Subs(t_nonneg**2, t_nonneg, 0), 0, "t ≥ 0 set to 0"),),
        "proved for general n",
    )
    assert symbol_clashes(d) == {
        "t": ["Symbol(nonnegative, real)", "Symbol(positive, nonnegative, nonzero, real)"]
    }
    outcome = check(d)
    assert not outcome.ok and outcome.failed_step == 0
    assert "one name, two SymPy objects: t" in outcome.detail
    function_and_symbol = Derivation(
        "l2.update",
        (sp.Symbol("e", real=True),),
        (identity(sp.Derivative(sp.Function("e")(x), x), sp.Function("e")(x).diff(x) + 0 * x, "d"),),
        "proved for general n",
    )
    assert "e" in symbol_clashes(function_and_symbol)


def test_an_undeclared_symbol_fails_the_derivation() -> None:
    """Every symbol a step uses is declared, so the document lists its assumptions (issue 8: h_i)."""
    h = sp.Symbol("h_i", positive=True)
    step = holds(sp.Gt(h + a, 0, evaluate=False), "h_i + a > 0 needs h_i > 0")
    hidden = Derivation("l2.update", (a,), (step,), "proved for general n")
    assert undeclared_symbols(hidden) == ["h_i"]
    outcome = check(hidden)
    assert not outcome.ok and outcome.failed_step == 0 and "used but not declared: h_i" in outcome.detail
    assert check(dataclasses.replace(hidden, symbols=(a, h))).ok
    adam = registry.derivation("opt.adam_not_equiv")
    assert "h_i" in [str(sym) for sym in adam.symbols]


def test_general_scope_needs_general_steps() -> None:
    sized = identity((x + a) ** 2, x**2 + 2 * a * x + a**2, "sq", "expand", sizes="n = 2")
    with pytest.raises(InputError, match=r"steps \[1\] are checked for explicit sizes only \(n = 2\)"):
        Derivation("l2.update", (), (sized,), "proved for general n")
    second = dataclasses.replace(sized, case="Second check: n = 2")
    d = Derivation("l2.update", (), (second,), "proved for general n")
    assert d.extent == "proved for general n (explicit checks at n = 2)"
    assert Derivation("l2.update", (), (sized,), "checked for n = 2").extent == "checked for n = 2"


def test_partition_accepts_a_tiling_and_rejects_gaps_overlaps_and_empty_pieces() -> None:
    t = sp.Symbol("t", nonnegative=True)
    good = (sp.Interval.open(-sp.oo, -t), sp.Interval(-t, t), sp.Interval.open(t, sp.oo))
    assert check_step(partition(good, "tiles")) == ""
    assert "neither contains" in check_step(
        partition((good[0], sp.Interval.open(-t, t), good[2]), "gap at ±t")
    )
    assert "both contain" in check_step(partition((sp.Interval(-sp.oo, -t), *good[1:]), "overlap at −t"))
    assert "gap or overlap" in check_step(partition((good[0], sp.Interval(-t, 2 * t), good[2]), "overlap"))
    assert "may be empty" in check_step(
        partition((good[0], sp.Interval(-t, x), sp.Interval.open(x, sp.oo)), "x")
    )
    assert "not from −∞ to ∞" in check_step(partition(good[1:], "misses the left"))
