"""Exercises: right answers are proved, wrong ones get a counterexample with real numbers."""

from __future__ import annotations

import json
import keyword
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from proofs import exercises, registry
from proofs.exercises import Verdict, parse_answer
from theory.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_time_limit_on_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The verdicts tested here must not depend on how loaded the machine is: their time limit is
    lifted. The limit itself is tested by the hostile answers, in a child process at the default."""
    monkeypatch.setattr(exercises, "SECONDS", 600.0)


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
    ("l1.soft_threshold", "w_star - alpha/h"),  # right in the case w* > α/h only
    (  # a Piecewise with a sign error in one branch
        "l1.soft_threshold",
        "Piecewise((w_star - alpha/h, w_star > alpha/h), (w_star - alpha/h, w_star < -alpha/h), (0, True))",
    ),
    ("l2.shrinkage", "lambda_i/(lambda_i + alpha**2)"),  # keeps α and agrees at α = 0: not conditional
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
    w, h, a = sp.symbols("w_star h alpha")  # the names the exercise declares (its SymPy name is w^*)
    assert exercises.check("l1.soft_threshold", sp.sign(w) * sp.Max(sp.Abs(w) - a / h, 0)).status == "proved"
    assert exercises.check("l1.soft_threshold", sp.Symbol("w^*", real=True)).status == "conditional"
    eta, lam_wd = sp.symbols("eta lam", positive=True)
    assert exercises.check("adamw.timescale", 1 / (eta * lam_wd)).status == "proved"
    dropped = exercises.check("l2.sgd_update", sp.Symbol("w") - eta * sp.Symbol("g"))
    assert dropped.status == "conditional" and "Equal only when lam = 0" in dropped.message
    with pytest.raises(InputError, match="uses x; allowed symbols: lambda_i, alpha"):
        exercises.check("l2.shrinkage", sp.Symbol("x") / alpha)
    with pytest.raises(InputError, match="string or a SymPy expression"):
        exercises.check("l2.shrinkage", 0.5)  # type: ignore[arg-type]


def test_an_unknown_exercise_suggests_the_closest() -> None:
    with pytest.raises(InputError, match=r"did you mean 'l2\.shrinkage'"):
        exercises.check("l2.shrinkge", "1")


HOSTILE = [
    "alpha**10**10",
    "9**9**9",
    "1e100000000",
    "alpha**alpha**alpha**alpha**alpha",
    "lambda_i**(alpha**(lambda_i**(alpha**lambda_i)))",
    "*".join(f"(lambda_i + alpha + {k})" for k in range(1, 80)),  # 1500 characters, under the limit
]


_HOSTILE_RUN = """
import json, sys
from proofs import exercises
from theory.errors import InputError
out = []
for answer in json.loads(sys.argv[1]):
    try:
        verdict = exercises.check("l2.shrinkage", answer)
        out.append(["verdict", verdict.status, verdict.message])
    except InputError as exc:
        out.append(["refused", "", str(exc)])
print(json.dumps(out))
"""


def test_hostile_input_gets_a_verdict_or_an_input_error_without_hanging() -> None:
    """Each hostile answer is refused by the screen or judged within the checker's own time limits.
    They run in one child process, so that a hang inside a single C call (an exact ``9**9**9``, which
    no signal interrupts) fails this test at a generous liveness bound instead of hanging the suite;
    the bound is not a speed requirement (each answer takes at most a few seconds)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _HOSTILE_RUN, json.dumps(HOSTILE)],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the checker hung on one of the hostile answers (no result after 600 s)")
    assert done.returncode == 0, done.stderr[-4000:]
    results = json.loads(done.stdout)
    assert len(results) == len(HOSTILE)
    for answer, (kind, status, message) in zip(HOSTILE, results, strict=True):
        if kind == "refused":
            assert "l2.shrinkage" in message, (answer[:40], message)
        else:
            assert status in ("counterexample", "undecided"), (answer[:40], message)


@pytest.mark.parametrize(
    ("answer", "match"),
    [
        ("1j", "imaginary"),
        ("lambda_i/(lambda_i + 2J)", "imaginary"),
        ("alpha**31", "at most 30"),
        ("alpha**(-31.5)", "at most 30"),
        ("1234567890123456", "at most 15"),
        ("1e31*alpha", "beyond"),
        ("exp(alpha)**exp(alpha)**2", "power tower"),
    ],
)
def test_numbers_that_cannot_be_evaluated_quickly_are_refused(answer: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        exercises.check("l2.shrinkage", answer)


def test_numbers_at_the_limits_are_accepted() -> None:
    answer = "lambda_i**30/(lambda_i**30 + 1e-30*alpha) + 0*123456789012345"
    assert exercises.check("l2.shrinkage", answer).status == "counterexample"


def test_surrounding_whitespace_and_eq_conditions_are_accepted() -> None:
    assert exercises.check("l2.shrinkage", "  lambda_i/(lambda_i + alpha)\n").status == "proved"
    answer = "Piecewise((1, Eq(alpha, 0)), (lambda_i/(lambda_i + alpha), True))"
    assert exercises.check("l2.shrinkage", answer).status == "proved"
    with pytest.raises(InputError, match="not an expression"):
        exercises.check("l2.shrinkage", "Eq(alpha, 0)")


@pytest.mark.parametrize(
    "answer",
    [  # undefined where |w*| = α/h (strict <), and for w* ≥ 1000 when α/h is larger
        "Piecewise((w_star - alpha/h, w_star > alpha/h), (w_star + alpha/h, w_star < -alpha/h), "
        "(0, Abs(w_star) < alpha/h))",
        "Piecewise((w_star - alpha/h, w_star > alpha/h), (w_star + alpha/h, w_star < -alpha/h), "
        "(0, w_star < 1000))",
    ],
)
def test_a_piecewise_answer_undefined_somewhere_is_never_proved(answer: str) -> None:
    exercise = exercises.get("l1.soft_threshold")
    w_star, h, alpha = (exercise.symbols[n] for n in ("w_star", "h", "alpha"))
    gap = {w_star: 2000, h: 1, alpha: 3000} if "1000" in answer else {w_star: 1, h: 2, alpha: 2}
    assert parse_answer(exercise, answer).subs(gap) is sp.nan  # really undefined there
    assert exercise.solution.subs(gap) == 0
    verdict = exercises.check("l1.soft_threshold", answer)
    assert verdict.status != "proved" and "no default (…, True) branch" in verdict.message


@pytest.mark.parametrize(
    ("exercise_id", "answer"),
    [
        (
            "l1.soft_threshold",
            "Piecewise((w_star - alpha/h, w_star > alpha/h), (w_star + alpha/h, w_star < -alpha/h))",
        ),
        ("l2.shrinkage", "Piecewise((lambda_i/(lambda_i + alpha), alpha < 1))"),
    ],
)
def test_an_answer_undefined_at_a_point_of_the_domain_gets_that_point(exercise_id: str, answer: str) -> None:
    verdict = exercises.check(exercise_id, answer)
    assert verdict.status == "counterexample" and verdict.counterexample is not None, verdict.message
    exercise = exercises.get(exercise_id)
    point = {exercise.symbols[n]: verdict.counterexample[n] for n in exercise.names}
    assert parse_answer(exercise, answer).subs(point) is sp.nan  # recomputed: undefined there ...
    right = exercise.solution.subs(point)
    assert right.is_Rational and verdict.counterexample["expected"] == right  # ... the right one is not
    assert "your answer is undefined" in verdict.message and "undefined" in verdict._repr_markdown_()


def test_the_timescale_prompt_says_which_and_explains_the_e_folding_time() -> None:
    exercise = exercises.get("adamw.timescale")
    assert r"1/(1 - \beta)" in exercise.prompt and r"\beta = 1 - \eta\lambda" in exercise.prompt
    verdict = exercises.check("adamw.timescale", "-1/log(1 - eta*lam)")
    assert verdict.status == "counterexample" and "e-folding time" in verdict.message
    _assert_numbers_differ("adamw.timescale", "-1/log(1 - eta*lam)", verdict)
    assert "e-folding" not in exercises.check("adamw.timescale", "1/eta").message
