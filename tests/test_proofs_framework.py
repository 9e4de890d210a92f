"""The derivation framework: every derivation holds, and deliberately wrong variants are rejected."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from proofs import registry
from proofs.framework import (
    Derivation,
    Step,
    check,
    check_step,
    evalf,
    holds,
    identity,
    limit,
    nsolve,
    series,
    solve,
    solveset,
)
from theory.catalogue import CATALOGUE
from theory.errors import InputError

x = sp.Symbol("x", real=True)
a = sp.Symbol("a", positive=True)


@pytest.mark.parametrize("theorem_id", registry.ids())
def test_every_derivation_holds(theorem_id: str) -> None:
    outcome = registry.report(theorem_id)
    assert outcome.ok, outcome.detail
    assert outcome.steps == len(registry.derivation(theorem_id).steps)
    assert outcome.detail == registry.derivation(theorem_id).scope
    assert outcome.detail.startswith(("proved for general n", "checked for ", "the constant only"))


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
    with pytest.raises(InputError, match="no derivation"):
        registry.derivation("ridge.double_descent")


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
    h, t = sp.Symbol("h", positive=True), sp.Symbol("t", positive=True)
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
    e_pos = next(st for st in enet.steps if st.why.startswith("and there") and st.case == "Case w > 0")
    e_index = enet.steps.index(e_pos)
    return [
        # α in place of α/2 (G 7.15 vs 7.17)
        ("l2.ridge", "along v_i: 2(s_i²", {"rhs": s * b / (s**2 + alpha)}),
        # flipped sign of the decay term
        ("l2.update", "collected in w", {"rhs": upd.rhs.subs(1 - eps * alpha_nn, 1 + eps * alpha_nn)}),
        # missing factor h in the soft threshold (α instead of α/h)
        (
            "l1.soft_threshold",
            "this w is positive exactly",
            {
                "lhs": sp.Subs(
                    sp.Symbol("w^*", real=True) - alpha_nn, sp.Symbol("w^*", real=True), alpha_nn / h + t
                )
            },
        ),
        # denominator h instead of h + α₂
        ("enet.diagonal", e_index, {"rhs": e_pos.rhs.subs(h + a2, h)}),
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
