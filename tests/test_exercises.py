"""Exercises: right answers are proved, wrong ones get a counterexample with real numbers."""

from __future__ import annotations

import keyword

import numpy as np
import pytest
import sympy as sp

from proofs import exercises, registry
from proofs.exercises import Verdict, parse_answer
from theory.errors import InputError

RIGHT = [
    ("l2.shrinkage", "lambda_i/(lambda_i + alpha)"),
    ("l2.shrinkage", "1 - alpha/(lambda_i + alpha)"),
    ("l2.shrinkage", "1/(1 + alpha/lambda_i)"),
    ("l2.optimum_eigen", "c_i - alpha*c_i/(lambda_i + alpha)"),
    ("l2.dof", "3 - alpha*(1/(lambda_1 + alpha) + 1/(lambda_2 + alpha) + 1/(lambda_3 + alpha))"),
    ("es.alpha", "lambda_i/((1 - epsilon*lambda_i)^(-tau) - 1)"),
    ("es.approx", "1/(epsilon*tau) - lambda_i/2 - lambda_i/(2*tau)"),
    ("l1.soft_threshold", "sign(w_star)*Max(h*Abs(w_star) - alpha, 0)/h"),
    (
        "l1.soft_threshold",
        "Piecewise((w_star - alpha/h, w_star > alpha/h), (w_star + alpha/h, w_star < -alpha/h), (0, True))",
    ),
    ("l2.ridge_1d", "(x_1*y_1 + x_2*y_2)/(x_1^2 + x_2^2 + alpha)"),
    ("l2.sgd_update", "w - eta*(g + lam*w)"),
    ("bayes.map_alpha", "(sigma/tau_0)**2"),
    ("adamw.timescale", "1/(eta*lam)"),
]

WRONG = [
    ("l2.shrinkage", "alpha/(lambda_i + alpha)"),  # the complement
    ("l2.shrinkage", "lambda_i/(lambda_i - alpha)"),  # a sign flip in the denominator
    ("l2.shrinkage", "-lambda_i/(lambda_i + alpha)"),  # a sign flip
    ("es.approx", "1/(epsilon*tau) - lambda_i*(tau + 1)/tau"),  # the ½ missing
    ("es.approx", "1/(epsilon*tau)"),  # the λ_i = 0 case, but λ_i > 0: not a special case in the domain
    ("l1.soft_threshold", "sign(w_star)*Max(Abs(w_star) - alpha, 0)"),  # the threshold not divided by h
    ("l2.ridge_1d", "(x_1*y_1 + x_2*y_2)/(x_1^2 + x_2^2 + alpha/2)"),  # G 7.15's SSE convention
    ("l2.sgd_update", "(1 - eta)*w - eta*g"),  # η in place of ηλ
    ("bayes.map_alpha", "tau_0^2/sigma^2"),  # upside down
    ("adamw.timescale", "1/eta"),  # η in place of ηλ
]


def test_the_exercises_are_drawn_from_the_derivations() -> None:
    listed = exercises.list()
    assert len(listed) >= 8 and len({e.id for e in listed}) == len(listed)
    for exercise in listed:
        assert "$" in exercise.prompt and exercise.theorem_id in registry.BUILDERS
        assert all(name.isidentifier() and not keyword.iskeyword(name) for name in exercise.names)
        assert exercise.solution.free_symbols <= set(exercise.symbols.values()), exercise.id
        assert (
            exercise.origin.startswith(f"proofs.derivation({exercise.theorem_id!r})")
            or "l2.dof" in exercise.origin
        )
        assert exercises.check(exercise.id, exercise.solution).status == "proved"
        assert all(n in exercise._repr_markdown_() for n in exercise.names)


def test_the_shrinkage_answer_is_the_derivations_result() -> None:
    result = registry.derivation("l2.eigen").results["shrinkage"]
    exercise = exercises.get("l2.shrinkage")
    lam, alpha = exercise.symbols["lambda_i"], exercise.symbols["alpha"]
    assert exercise.solution == result.expr.xreplace(dict(zip(result.args, (lam, alpha), strict=True)))


@pytest.mark.parametrize(("exercise_id", "answer"), RIGHT)
def test_a_right_answer_is_proved(exercise_id: str, answer: str) -> None:
    verdict = exercises.check(exercise_id, answer)
    assert verdict.status == "proved" and verdict, verdict.message
    assert verdict.counterexample is None and verdict.condition is None
    assert "proved" in verdict._repr_markdown_()


@pytest.mark.parametrize(("exercise_id", "answer"), WRONG)
def test_a_wrong_answer_gets_a_counterexample_that_really_differs(exercise_id: str, answer: str) -> None:
    verdict = exercises.check(exercise_id, answer)
    assert verdict.status == "counterexample" and not verdict, verdict.message
    _assert_numbers_differ(exercise_id, answer, verdict)


def _assert_numbers_differ(exercise_id: str, answer: str, verdict: Verdict) -> None:
    """Recompute both sides at the reported point, independently of the checker."""
    exercise = exercises.get(exercise_id)
    numbers = verdict.counterexample
    assert numbers is not None
    point = {exercise.symbols[name]: numbers[name] for name in exercise.names}
    assert all(v.is_Rational for v in point.values())
    assert all(bool(c.subs(point)) for c in exercise.domain)
    for name, symbol in exercise.symbols.items():  # inside the declared domain
        assert not (symbol.is_positive and numbers[name] <= 0) and not (
            symbol.is_nonnegative and numbers[name] < 0
        )
    mine = sp.sympify(parse_answer(exercise, answer)).subs(point)
    right = exercise.solution.subs(point)
    assert sp.nsimplify(mine - numbers["answer"]) == 0 and sp.nsimplify(right - numbers["expected"]) == 0
    gap = abs(float(mine) - float(right))
    assert gap > 1e-6 * max(1.0, abs(float(right))), (mine, right)  # exact rationals: far above rounding
    assert f"{float(right):.6g}" in verdict.message


def test_an_answer_right_only_without_the_penalty_is_conditional() -> None:
    verdict = exercises.check("l2.shrinkage", "1")
    alpha = exercises.get("l2.shrinkage").symbols["alpha"]
    assert verdict.status == "conditional" and not verdict
    assert verdict.condition == sp.Eq(alpha, 0)
    assert exercises.get("l2.shrinkage").solution.subs(alpha, 0) == 1  # it is the α = 0 case ...
    _assert_numbers_differ("l2.shrinkage", "1", verdict)  # ... and wrong for α > 0
    assert "Equal only when" in verdict._repr_markdown_() and r"\alpha = 0" in verdict._repr_markdown_()
    lam = exercises.get("l2.sgd_update").symbols["lam"]
    assert exercises.check("l2.sgd_update", "w - eta*g").condition == sp.Eq(lam, 0)
    assert exercises.check("l1.soft_threshold", "w_star").status == "conditional"


def test_numbers_alone_never_prove() -> None:
    # equal for 0 < ελ < 1, but SymPy cannot rewrite exp(τ log(1 − ελ)) without knowing 1 − ελ > 0
    answer = "lambda_i*exp(tau*log(1 - epsilon*lambda_i))/(1 - (1 - epsilon*lambda_i)^tau)"
    verdict = exercises.check("es.alpha", answer)
    assert verdict.status == "undecided" and not verdict and verdict.counterexample is None
    assert "not a proof" in verdict.message


def test_the_soft_threshold_cases_cover_every_point() -> None:
    exercise = exercises.get("l1.soft_threshold")
    w_star, h, alpha = (exercise.symbols[n] for n in ("w_star", "h", "alpha"))
    rng = np.random.default_rng(0)
    for _ in range(30):
        point = {
            w_star: sp.Rational(int(rng.integers(-40, 41)), 8),
            h: sp.Rational(int(rng.integers(1, 9)), 4),
        }
        point[alpha] = sp.Rational(int(rng.integers(0, 30)), 4)
        assert any(_in_case(sub, point) for _, sub in exercise.cases), point


def _in_case(sub: dict[sp.Symbol, sp.Expr], point: dict[sp.Symbol, sp.Expr]) -> bool:
    fresh = sorted(set().union(*(e.free_symbols for e in sub.values())) - set(point), key=str)
    solved = sp.solve([lhs.subs(point) - rhs.subs(point) for lhs, rhs in sub.items()], fresh, dict=True)
    for values in solved:
        if all(s in values and (values[s] > 0 if s.is_positive else values[s] >= 0) for s in fresh):
            return True
    return False


def test_the_ridge_exercise_is_what_the_library_computes() -> None:
    from theory.regression import ridge

    exercise = exercises.get("l2.ridge_1d")
    values = {"x_1": 0.7, "x_2": -1.3, "y_1": 2.0, "y_2": 0.4, "alpha": 0.9}
    X = np.array([[values["x_1"]], [values["x_2"]]])
    y = np.array([values["y_1"], values["y_2"]])
    expected = ridge(X, y, values["alpha"], convention="half_sse")[0]
    got = float(exercise.solution.subs({exercise.symbols[k]: sp.Float(v, 30) for k, v in values.items()}))
    assert got == pytest.approx(expected, rel=1e-13)  # two float64 routes, κ(XᵀX + αI) = 1 (one feature)


@pytest.mark.torch
def test_the_sgd_exercise_is_what_torch_does() -> None:
    torch = pytest.importorskip("torch")
    exercise = exercises.get("l2.sgd_update")
    w0, g, eta, lam = 1.5, -0.25, 0.1, 0.3
    w = torch.tensor([w0], dtype=torch.float64, requires_grad=True)
    w.grad = torch.tensor([g], dtype=torch.float64)
    torch.optim.SGD([w], lr=eta, weight_decay=lam).step()
    values = {"w": w0, "g": g, "eta": eta, "lam": lam}
    mine = float(exercise.solution.subs({exercise.symbols[k]: sp.Float(v, 30) for k, v in values.items()}))
    assert mine == pytest.approx(float(w.detach()[0]), rel=4 * np.finfo(np.float64).eps)  # 3 roundings


@pytest.mark.parametrize(
    "unsafe",
    [
        "__import__('os')",
        "lambda_i.__class__",
        "alpha.func",
        "exec('1')",
        "[alpha]",
        "alpha; 1",
        "lambda: 1",
        "alpha = 1",
        "'alpha'",
        "Symbol('x')",
        "",
    ],
)
def test_unsafe_or_foreign_input_is_rejected(unsafe: str) -> None:
    with pytest.raises(InputError, match="lambda_i, alpha"):
        exercises.check("l2.shrinkage", unsafe)


def test_unknown_names_list_the_allowed_ones() -> None:
    with pytest.raises(InputError, match=r"uses the name 'lam'; allowed symbols: lambda_i, alpha"):
        exercises.check("l2.shrinkage", "lam/(lam + alpha)")
    with pytest.raises(InputError, match="does not parse"):
        exercises.check("l2.shrinkage", "lambda_i/(")


def test_a_sympy_answer_is_matched_by_name() -> None:
    lam, alpha = sp.symbols("lambda_i alpha")  # no assumptions: replaced by the exercise's symbols
    assert exercises.check("l2.shrinkage", lam / (lam + alpha)).status == "proved"
    with pytest.raises(InputError, match="uses x; allowed symbols: lambda_i, alpha"):
        exercises.check("l2.shrinkage", sp.Symbol("x") / alpha)
    with pytest.raises(InputError, match="string or a SymPy expression"):
        exercises.check("l2.shrinkage", 0.5)  # type: ignore[arg-type]


def test_an_unknown_exercise_suggests_the_closest() -> None:
    with pytest.raises(InputError, match=r"did you mean 'l2\.shrinkage'"):
        exercises.check("l2.shrinkge", "1")
