"""A small derivation framework: a theorem, its assumptions, and a list of checked steps.

A :class:`Derivation` carries the theorem id (``theory.catalogue``), the symbols with their SymPy
assumptions, and a tuple of :class:`Step` objects. Each step is one equation (or claim) with a one-line
justification and a *method* that says how the checker establishes it:

* ``cancel`` / ``factor`` / ``expand`` / ``expand_log`` / ``expand_sum``: ``lhs − rhs`` (after
  ``doit()``, which evaluates ``Subs`` and ``Sum`` objects) reduces to 0 under that rewrite, entry by
  entry for explicit matrices. ``expand_sum`` expands and then combines sums (``sum_simplify``).
  ``cancel`` is ``cancel(together(·))``, so nested fractions are normalised first. Never a blanket
  ``simplify()``.
* ``equals``: ``lhs.equals(rhs) is True`` (SymPy's numerical-and-structural test).
* ``matrix``: ``lhs − rhs`` of matrix expressions (``MatrixSymbol``) expands to the zero matrix,
  after ``refine`` with the step's SymPy ``Q`` facts (``Q.orthogonal(Q)``, ...).
* ``gradient``: ``∇_w lhs`` (SymPy's matrix calculus, ``lhs.diff(w)``) minus ``rhs`` expands to
  zero after ``refine`` with the step's facts (``Q.symmetric(H)``).
* ``holds``: a relational or boolean claim evaluates to ``True`` from the symbols' assumptions.
* ``solve`` / ``solveset`` / ``rsolve`` / ``series`` / ``limit`` / ``expectation`` (``sympy.stats.E``
  of the expanded expression) / ``nsolve`` and ``evalf`` (a root of a transcendental equation, and a
  value at it, to a stated number of digits: the numerical methods, named as such in the document):
  the stated result is *derived*. The checker runs that SymPy routine on the stated problem and
  compares what it returns with the stated right-hand side (``cancel`` of the difference, set
  equality, or agreement to the stated digits).

:func:`check` runs every step and reports the first failing one, so a deliberately wrong variant
(``α`` in place of ``α/2``, a flipped sign, a missing factor) is rejected, not silently accepted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr
from sympy.simplify.simplify import sum_simplify

from theory.catalogue import Theorem
from theory.catalogue import get as get_theorem
from theory.errors import InputError

__all__ = [
    "Derivation",
    "Method",
    "Report",
    "Result",
    "Step",
    "check",
    "check_step",
    "evalf",
    "expectation",
    "gradient",
    "holds",
    "identity",
    "limit",
    "nsolve",
    "rsolve",
    "series",
    "solve",
    "solveset",
]

Method = Literal[
    "cancel",
    "factor",
    "expand",
    "expand_log",
    "expand_sum",
    "equals",
    "matrix",
    "gradient",
    "holds",
    "solve",
    "solveset",
    "rsolve",
    "series",
    "limit",
    "expectation",
    "nsolve",
    "evalf",
]
_IDENTITY_METHODS: dict[str, Callable[[Any], Any]] = {
    "cancel": lambda e: sp.cancel(sp.together(e)),
    "factor": sp.factor,
    "expand": sp.expand,
    "expand_log": lambda e: sp.expand(sp.expand_log(e)),
    "expand_sum": lambda e: sum_simplify(sp.expand(sp.expand(e).doit())),
}
_DERIVE_METHODS = ("solve", "solveset", "rsolve", "series", "limit", "expectation", "nsolve", "evalf")


@dataclass(frozen=True)
class Step:
    """One step: ``lhs = rhs`` (or the claim ``lhs`` for ``holds``), its justification and method.

    Attributes:
        lhs: left-hand side; for ``solve``/``solveset``/``rsolve`` the unknown; for ``holds`` the claim.
        rhs: the stated right-hand side (the derived result for the derive methods).
        why: one-line justification, shown in the document.
        by: the :data:`Method` that checks the step.
        case: heading of the case this step belongs to ("" for the main line).
        problem: what the derive methods work on: ``solve``/``solveset`` ``(expr,)`` meaning
            ``expr = 0`` (or a relational), ``rsolve`` ``(recurrence, initial conditions)``,
            ``series`` ``(variable, point, order)``, ``limit`` ``(variable, point, direction)``,
            ``nsolve`` ``(expr, guess, digits)``, ``evalf`` ``(digits,)``; for ``gradient`` the
            variable ``(w,)``.
        facts: SymPy ``Q`` predicates used by ``matrix`` steps (for ``refine``).
    """

    lhs: Any
    rhs: Any
    why: str
    by: Method = "cancel"
    case: str = ""
    problem: tuple[Any, ...] = ()
    facts: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Result:
    """A final expression of a derivation, with the argument order used to ``lambdify`` it."""

    args: tuple[Any, ...]
    expr: Any

    def function(self) -> Callable[..., Any]:
        """``sympy.lambdify(args, expr, "numpy", cse=True)``: the result as a NumPy function."""
        return sp.lambdify(self.args, self.expr, modules="numpy", cse=True)


@dataclass(frozen=True)
class Derivation:
    """A theorem's derivation.

    Attributes:
        theorem_id: an id of ``theory.catalogue``.
        symbols: the symbols (and matrix symbols) with their SymPy assumptions, in display order.
        steps: the checked steps, in order.
        scope: how far it goes: ``"proved for general n"``, ``"checked for n ≤ N"``, or what else
            honestly describes it (a counterexample, a constant found numerically).
        results: named final expressions, compared with the numeric functions of ``theory``.
        notes: remarks shown after the steps (conventions, traps avoided).
    """

    theorem_id: str
    symbols: tuple[Any, ...]
    steps: tuple[Step, ...]
    scope: str
    results: Mapping[str, Result] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        get_theorem(self.theorem_id)  # raises InputError naming the known ids
        if not self.steps:
            raise InputError(f"derivation {self.theorem_id!r} has no steps")

    @property
    def theorem(self) -> Theorem:
        """The catalogue record: statement, source, assumptions in words."""
        return get_theorem(self.theorem_id)

    def function(self, name: str) -> Callable[..., Any]:
        """The named result as a NumPy function (see :class:`Result`)."""
        if name not in self.results:
            raise InputError(
                f"derivation {self.theorem_id!r} has no result {name!r}; it has {', '.join(self.results)}"
            )
        return self.results[name].function()


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of checking one derivation."""

    theorem_id: str
    ok: bool
    steps: int
    scope: str
    seconds: float
    failed_step: int | None = None
    reason: str = ""

    @property
    def detail(self) -> str:
        """``scope`` when every step holds, else which step failed and why."""
        if self.ok:
            return self.scope
        return f"step {self.failed_step} fails: {self.reason}"


# ---------------------------------------------------------------------------- step constructors


def identity(
    lhs: Any, rhs: Any, why: str, by: Method = "cancel", *, case: str = "", facts: Iterable[Any] = ()
) -> Step:
    """A step ``lhs = rhs`` proved by rewriting ``lhs − rhs`` to 0 with ``by``."""
    if by not in (*_IDENTITY_METHODS, "equals", "matrix"):
        raise InputError(
            f"identity steps are checked by {', '.join(_IDENTITY_METHODS)}, equals or matrix; got {by!r}"
        )
    return Step(lhs, rhs, why, by, case, (), tuple(facts))


def gradient(
    expr: Any, variable: Any, stated: Any, why: str, *, case: str = "", facts: Iterable[Any] = ()
) -> Step:
    """``∇_variable expr = stated``, derived by SymPy's matrix calculus (``expr.diff(variable)``)."""
    return Step(expr, stated, why, "gradient", case, (variable,), tuple(facts))


def holds(claim: Any, why: str, *, case: str = "") -> Step:
    """A claim that must evaluate to ``True`` from the symbols' assumptions.

    Build relationals with ``evaluate=False`` (``sp.Gt(x, 0, evaluate=False)``) so the document shows
    the claim, not its value; the checker evaluates it (``doit()``).
    """
    return Step(claim, sp.true, why, "holds", case)


def solve(unknown: Any, expr: Any, stated: Any, why: str, *, case: str = "") -> Step:
    """``solve(expr = 0, unknown)`` must return exactly the stated solutions.

    ``unknown`` may be a tuple of symbols and ``expr`` a list of equations (a system); ``stated`` is
    then a tuple of values. A list ``stated`` means several solutions; ``[]`` means none.
    """
    return Step(unknown, stated, why, "solve", case, (expr,))


def solveset(unknown: Any, claim: Any, stated: sp.Set, why: str, *, case: str = "") -> Step:
    """``solveset(claim, unknown, Reals)`` must equal the stated set."""
    return Step(unknown, stated, why, "solveset", case, (claim,))


def rsolve(
    call: Any, recurrence: Any, initial: Mapping[Any, Any], stated: Any, why: str, *, case: str = ""
) -> Step:
    """``rsolve(recurrence = 0, call, initial)`` must equal ``stated``."""
    return Step(call, stated, why, "rsolve", case, (recurrence, dict(initial)))


def series(expr: Any, variable: Any, order: int, stated: Any, why: str, *, case: str = "") -> Step:
    """``series(expr, variable, 0, order)`` must equal ``stated`` (an expression with its ``O`` term)."""
    return Step(expr, stated, why, "series", case, (variable, 0, order))


def limit(
    expr: Any, variable: Any, point: Any, stated: Any, why: str, *, direction: str = "+", case: str = ""
) -> Step:
    """``limit(expr, variable, point, direction)`` must equal ``stated``."""
    return Step(
        sp.Limit(expr, variable, point, direction), stated, why, "limit", case, (variable, point, direction)
    )


def expectation(expr: Any, stated: Any, why: str, *, case: str = "") -> Step:
    """``sympy.stats.E(expand(expr))`` (``expr`` built from ``sympy.stats`` random symbols) must equal
    ``stated``."""
    return Step(expr, stated, why, "expectation", case)


def nsolve(
    unknown: Any, expr: Any, guess: Any, stated: Any, digits: int, why: str, *, case: str = ""
) -> Step:
    """``nsolve(expr = 0, unknown, guess)`` at ``digits + 10`` digits must agree with ``stated`` to
    ``digits`` digits: a numerical root, for an equation with no closed form."""
    return Step(unknown, stated, why, "nsolve", case, (expr, guess, digits))


def evalf(expr: Any, stated: Any, digits: int, why: str, *, case: str = "") -> Step:
    """``expr.evalf(digits + 10)`` must agree with ``stated`` to ``digits`` digits."""
    return Step(expr, stated, why, "evalf", case, (digits,))


# ---------------------------------------------------------------------------- checking


def _entries(value: Any) -> list[Any]:
    if isinstance(value, sp.MatrixBase):
        return list(value)
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _explicit(value: Any) -> Any:
    if isinstance(value, MatrixExpr) and not isinstance(value, sp.MatrixBase):
        return value.as_explicit()
    return value


def _differs(a: Any, b: Any) -> str:
    """ "" when the expressions (or matrices, entry by entry) agree after ``cancel``, else the residue."""
    ea, eb = _entries(a), _entries(b)
    if len(ea) != len(eb):
        return f"{len(ea)} entries against {len(eb)}"
    for x, y in zip(ea, eb, strict=True):
        residue = sp.cancel(sp.together(sp.sympify(x) - sp.sympify(y)))
        if residue != 0:
            return f"difference {residue} ≠ 0"
    return ""


def _same_set(got: sp.Set, stated: sp.Set) -> str:
    if got == stated:
        return ""
    if isinstance(got, sp.Interval) and isinstance(stated, sp.Interval):
        ends = (got.left_open, got.right_open) == (stated.left_open, stated.right_open)
        if ends and not _differs([got.start, got.end], [stated.start, stated.end]):
            return ""
    return f"derived {got}, stated {stated}"


def _zero_matrix_expr(residue: Any, facts: tuple[Any, ...]) -> str:
    """ "" when a matrix expression is zero: refine with the facts before or after expanding."""
    assume = sp.And(*facts)
    refined_first = sp.expand(sp.refine(residue, assume).doit()).doit()
    if refined_first == 0 or isinstance(refined_first, sp.ZeroMatrix):
        return ""
    expanded_first = sp.expand(sp.refine(sp.expand(residue), assume)).doit()
    if expanded_first == 0 or isinstance(expanded_first, sp.ZeroMatrix):
        return ""
    return f"lhs − rhs reduces to {expanded_first}, not 0"


def _decide(claim: Any) -> Any:
    """Evaluate a claim from the assumptions; an undecided ``a ⋈ b`` is retried as
    ``expand(a − b) ⋈ 0`` and ``factor(a − b) ⋈ 0``."""
    if isinstance(claim, sp.And | sp.Or | sp.Not):
        return claim.func(*(_decide(arg) for arg in claim.args))
    value = claim.doit()
    if isinstance(value, sp.core.relational.Relational):
        gap = value.lhs - value.rhs
        for rewrite in (sp.expand, sp.factor):
            value = claim.func(rewrite(gap), 0)
            if not isinstance(value, sp.core.relational.Relational):
                break
    return value


def _check_identity(step: Step) -> str:
    if step.by == "equals":
        verdict = sp.sympify(step.lhs).doit().equals(sp.sympify(step.rhs).doit())
        return "" if verdict is True else f"equals() returned {verdict}"
    if step.by == "matrix":
        return _zero_matrix_expr(step.lhs - step.rhs, step.facts)
    if step.by == "gradient":
        (variable,) = step.problem
        reason = _zero_matrix_expr(step.lhs.diff(variable) - step.rhs, step.facts)
        return reason and f"the gradient differs: {reason}"
    rewrite = _IDENTITY_METHODS[step.by]
    ea, eb = _entries(_explicit(step.lhs)), _entries(_explicit(step.rhs))
    if len(ea) != len(eb):
        return f"{len(ea)} entries against {len(eb)}"
    for k, (x, y) in enumerate(zip(ea, eb, strict=True)):
        residue = rewrite(sp.sympify(x).doit() - sp.sympify(y).doit())
        if residue != 0:
            where = f" (entry {k})" if len(ea) > 1 else ""
            return f"{step.by}(lhs − rhs){where} = {residue}, not 0"
    return ""


def _check_solve(step: Step) -> str:
    (expr,) = step.problem
    if isinstance(step.lhs, tuple):  # a system: one solution, a tuple of values
        got = sp.solve(expr, list(step.lhs), dict=True)
        if len(got) != 1:
            return f"solve returned {len(got)} solutions {got}, stated one"
        values = [got[0].get(u, u) for u in step.lhs]
        reason = _differs(values, list(step.rhs))
        return reason and f"solve gave {got[0]}: {reason}"
    got = sp.solve(expr, step.lhs)
    stated = step.rhs if isinstance(step.rhs, list) else [step.rhs]
    if len(got) != len(stated):
        return f"solve returned {len(got)} solution(s) {got}, stated {len(stated)}"
    for s in stated:
        if all(_differs(g, s) for g in got):
            return f"stated solution {s} is not among {got}"
    return ""


def _check_derived(step: Step) -> str:
    if step.by == "solve":
        return _check_solve(step)
    if step.by == "solveset":
        (claim,) = step.problem
        return _same_set(sp.solveset(claim, step.lhs, sp.S.Reals), step.rhs)
    if step.by == "rsolve":
        recurrence, initial = step.problem
        got = sp.rsolve(recurrence, step.lhs, initial)
        if got is None:
            return "rsolve found no solution"
        reason = _differs(got, step.rhs)
        return reason and f"rsolve gave {got}: {reason}"
    if step.by == "series":
        variable, point, order = step.problem
        got = sp.series(sp.sympify(step.lhs).doit(), variable, point, order)
        stated = sp.sympify(step.rhs)
        if got.getO() != stated.getO():
            return f"order terms differ: derived {got.getO()}, stated {stated.getO()}"
        reason = _differs(got.removeO(), stated.removeO())
        return reason and f"series gave {got}: {reason}"
    if step.by == "nsolve":
        expr, guess, digits = step.problem
        root = sp.nsolve(sp.sympify(expr).doit(), step.lhs, guess, prec=digits + 10)
        gap = abs(root - step.rhs)
        return "" if gap < sp.Float(10) ** -digits else f"nsolve gave {root}, {gap} from the stated value"
    if step.by == "evalf":
        (digits,) = step.problem
        value = sp.sympify(step.lhs).doit().evalf(digits + 10)
        gap = abs(value - step.rhs)
        return "" if gap < sp.Float(10) ** -digits else f"evalf gave {value}, {gap} from the stated value"
    if step.by == "expectation":
        from sympy.stats import E

        got = E(sp.expand(step.lhs))
        reason = _differs(got, step.rhs)
        return reason and f"the expectation is {got}: {reason}"
    got = step.lhs.doit()  # limit
    reason = _differs(got, step.rhs)
    return reason and f"limit gave {got}: {reason}"


def check_step(step: Step) -> str:
    """Check one step: ``""`` when it holds, else the reason it does not (a SymPy error counts too)."""
    try:
        if step.by == "holds":
            value = _decide(step.lhs)
            return "" if value is sp.true else f"the claim evaluates to {value}, not True"
        if step.by in _DERIVE_METHODS:
            return _check_derived(step)
        return _check_identity(step)
    except Exception as exc:  # a step SymPy cannot handle is a step not checked
        return f"{type(exc).__name__}: {exc}"


def check(derivation: Derivation) -> Report:
    """Check every step in order; stop at the first that fails and report it (1-based)."""
    start = time.perf_counter()
    for index, step in enumerate(derivation.steps, start=1):
        reason = check_step(step)
        if reason:
            return Report(
                derivation.theorem_id,
                False,
                index - 1,
                derivation.scope,
                time.perf_counter() - start,
                index,
                f"{step.why}: {reason}",
            )
    return Report(
        derivation.theorem_id, True, len(derivation.steps), derivation.scope, time.perf_counter() - start
    )
