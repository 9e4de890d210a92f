"""A small derivation framework: a theorem, its assumptions, and a list of checked steps.

A :class:`Derivation` carries the theorem id (``theory.catalogue``), the symbols with their SymPy
assumptions, and a tuple of :class:`Step` objects. Each step is one equation (or claim) with a one-line
justification and a *method* that says how the checker establishes it:

* ``cancel`` / ``factor`` / ``expand`` / ``expand_log`` / ``expand_sum`` / ``combsimp``
  (factorials): ``lhs − rhs`` (after ``doit()``, which evaluates ``Subs`` and ``Sum`` objects)
  reduces to 0 under that rewrite, entry by entry for explicit matrices. ``expand_sum`` expands and
  then combines sums (``sum_simplify``). ``cancel`` is ``cancel(together(·))``, so nested
  fractions are normalised first. Never a blanket ``simplify()``.
* ``equals``: ``lhs.equals(rhs) is True`` (SymPy's numerical-and-structural test).
* ``matrix``: ``lhs − rhs`` of matrix expressions (``MatrixSymbol``) expands to the zero matrix,
  after ``refine`` with the step's SymPy ``Q`` facts (``Q.orthogonal(Q)``, ...).
* ``gradient``: ``∇_w lhs`` (SymPy's matrix calculus, ``lhs.diff(w)``) minus ``rhs`` expands to
  zero after ``refine`` with the step's facts (``Q.symmetric(H)``).
* ``partition``: intervals (with symbolic endpoints) tile the real line, each non-empty and
  consecutive ones sharing an endpoint exactly one contains: an exhaustive, disjoint case split.
* ``holds``: a relational or boolean claim evaluates to ``True`` from the symbols' assumptions.
* ``solve`` / ``solveset`` / ``rsolve`` / ``series`` / ``limit`` / ``expectation`` (``sympy.stats.E``
  of the expanded expression) / ``nsolve`` and ``evalf`` (a root of a transcendental equation, and a
  value at it, to a stated number of digits: the numerical methods, named as such in the document):
  the stated result is *derived*. The checker runs that SymPy routine on the stated problem and
  compares what it returns with the stated right-hand side (``cancel`` of the difference, set
  equality, or agreement to the stated digits).

:func:`define` marks a step as a *definition* (``name := expression``): it introduces a name and
proves nothing; the document labels it "Definition" and :class:`Report` counts it apart from the
checked steps. An identity step whose two displayed sides are the same expression is rejected: it would
be a definition posing as a proof. Two computations that should agree (torch's SGD update against SGD
on the penalised loss) are compared with ``shown=(name_lhs, name_rhs)``: the document shows the names,
the checker compares the computed values.

Scope. A step checked only for explicit sizes carries ``sizes`` (``"n = 3"``); a derivation whose
scope says "proved for general n" may hold such steps only under a case headed "Second check" or
"Counterexample" (:meth:`Derivation.__post_init__` enforces it), and :attr:`Derivation.extent` appends
the explicit sizes to the scope, so the row of ``wdt verify`` and the document say what was checked
where.

Symbols. One name, one object: :func:`symbol_clashes` lists names used by two different SymPy objects
(``Symbol('t', positive=True)`` and ``Symbol('t', nonnegative=True)``, a symbol and a function ``e``),
and :func:`check` fails a derivation that has any, or that uses a symbol it does not declare
(:func:`undeclared_symbols`: the document lists every declared symbol with its assumptions).

:func:`check` runs every step and reports the first failing one, so a deliberately wrong variant
(``α`` in place of ``α/2``, a flipped sign, a missing factor) is rejected, not silently accepted.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.matexpr import MatrixExpr
from sympy.simplify.simplify import sum_simplify

from theory.catalogue import Theorem
from theory.catalogue import get as get_theorem
from theory.errors import InputError

__all__ = [
    "HOW",
    "KIND",
    "Derivation",
    "Method",
    "Report",
    "Result",
    "Step",
    "StepResult",
    "check",
    "check_step",
    "check_step_result",
    "define",
    "evalf",
    "expectation",
    "gradient",
    "holds",
    "identity",
    "limit",
    "nsolve",
    "partition",
    "rsolve",
    "series",
    "solve",
    "solveset",
    "symbol_clashes",
    "undeclared_symbols",
]

Method = Literal[
    "cancel",
    "factor",
    "expand",
    "expand_log",
    "expand_sum",
    "combsimp",
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
    "definition",
    "partition",
]
_IDENTITY_METHODS: dict[str, Callable[[Any], Any]] = {
    "cancel": lambda e: sp.cancel(sp.together(e)),
    "factor": sp.factor,
    "expand": sp.expand,
    "expand_log": lambda e: sp.expand(sp.expand_log(e)),
    "expand_sum": lambda e: sum_simplify(sp.expand(sp.expand(e).doit())),
    "combsimp": sp.combsimp,
}
#: case headings under which explicit-size steps do not limit a "proved for general n" scope
SUPPORTING_CASES = ("Second check", "Counterexample")
_GENERAL = "proved for general n"
_DERIVE_METHODS = ("solve", "solveset", "rsolve", "series", "limit", "expectation", "nsolve", "evalf")

#: how each method checks a step, in words (the document's "Check:" and :attr:`StepResult.how`)
HOW: dict[str, str] = {
    "cancel": "`cancel` reduces lhs − rhs to 0",
    "factor": "`factor` reduces lhs − rhs to 0",
    "expand": "`expand` reduces lhs − rhs to 0",
    "expand_log": "`expand_log` reduces lhs − rhs to 0",
    "expand_sum": "`expand` and `sum_simplify` reduce lhs − rhs to 0",
    "combsimp": "`combsimp` (factorials and binomials) reduces lhs − rhs to 0",
    "equals": "`equals` proves lhs = rhs",
    "matrix": "matrix algebra (`expand`, `refine` with the facts) reduces lhs − rhs to 0",
    "gradient": "SymPy's matrix calculus (`diff`) gives the stated gradient",
    "holds": "the claim evaluates to True from the symbols' assumptions",
    "solve": "`solve` returns exactly the stated solution(s)",
    "solveset": "`solveset` over the reals returns the stated set",
    "rsolve": "`rsolve` returns the stated closed form",
    "series": "`series` returns the stated expansion",
    "limit": "`limit` returns the stated value",
    "expectation": "`sympy.stats.E` of the expanded expression returns the stated value",
    "nsolve": "`nsolve` (numerical) finds the stated root to the stated digits",
    "evalf": "`evalf` (numerical) gives the stated value to the stated digits",
    "partition": "the intervals tile ℝ: consecutive ones share one endpoint, contained in exactly one",
    "definition": "none: a definition names an expression, it proves nothing",
}

#: what kind of step each method makes (:attr:`StepResult.kind`)
KIND: dict[str, str] = {
    **dict.fromkeys(("cancel", "factor", "expand", "expand_log", "expand_sum", "combsimp"), "identity"),
    "equals": "identity",
    "matrix": "identity",
    "gradient": "gradient",
    "holds": "claim",
    **{by: by for by in ("solve", "solveset", "rsolve", "series", "limit", "expectation")},
    "nsolve": "numerical root",
    "evalf": "numerical value",
    "partition": "case split",
    "definition": "definition",
}


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
        sizes: "" when the step holds for symbolic sizes; else the explicit sizes it is checked for
            (``"n = 3"``).
        shown: ``(lhs, rhs)`` displayed in the document instead of the checked objects, for steps whose
            sides are long computations (named there) or explicit matrices with long entries.
    """

    lhs: Any
    rhs: Any
    why: str
    by: Method = "cancel"
    case: str = ""
    problem: tuple[Any, ...] = ()
    facts: tuple[Any, ...] = ()
    sizes: str = ""
    shown: tuple[Any, Any] | None = None

    @property
    def displayed(self) -> tuple[Any, Any]:
        """The two sides the document shows: ``shown`` or ``(lhs, rhs)``."""
        return self.shown if self.shown is not None else (self.lhs, self.rhs)

    def check(self) -> StepResult:
        """Check this step: a :class:`StepResult` saying what was compared, how, and whether it holds
        (``bool(result)`` is :attr:`StepResult.passed`)."""
        return check_step_result(self)

    def latex(self) -> str:
        """The step's formula in LaTeX (no ``$``), as the derivations document prints it."""
        from proofs.document import render_step

        return render_step(self)

    def _repr_markdown_(self) -> str:
        """Jupyter: the step as the derivations document shows it (reason, check method, ``$$`` math)."""
        from proofs.document import render_step_markdown

        return render_step_markdown(self)

    def _repr_latex_(self) -> str:
        """Jupyter (LaTeX frontends): the formula in display math."""
        return f"$$ {self.latex()} $$"


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
        if self.scope.startswith(_GENERAL):
            limited = [
                i
                for i, step in enumerate(self.steps, start=1)
                if step.sizes and not step.case.startswith(SUPPORTING_CASES)
            ]
            if limited:
                raise InputError(
                    f"derivation {self.theorem_id!r} says {self.scope!r} but steps {limited} are checked "
                    f"for explicit sizes only ({', '.join(self.steps[i - 1].sizes for i in limited)})"
                )

    @property
    def sizes(self) -> tuple[str, ...]:
        """The explicit sizes some steps are checked for, in order of first use."""
        return tuple(dict.fromkeys(step.sizes for step in self.steps if step.sizes))

    @property
    def definitions(self) -> int:
        """How many steps are definitions (named, not proved)."""
        return sum(step.by == "definition" for step in self.steps)

    @property
    def extent(self) -> str:
        """The scope with what the metadata adds: explicit sizes of supporting steps, definitions."""
        extras = []
        if self.sizes and self.scope.startswith(_GENERAL):
            extras.append(f"explicit checks at {', '.join(self.sizes)}")
        if self.definitions:
            extras.append(f"{self.definitions} definition{'s' * (self.definitions > 1)}")
        return f"{self.scope} ({'; '.join(extras)})" if extras else self.scope

    @property
    def theorem(self) -> Theorem:
        """The catalogue record: statement, source, assumptions in words."""
        return get_theorem(self.theorem_id)

    def __iter__(self) -> Iterator[Step]:
        """The steps in order: ``for step in derivation: step.check()``."""
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def check(self) -> Report:
        """Check every step (:func:`check`): the :class:`Report`."""
        return check(self)

    def _repr_markdown_(self) -> str:
        """Jupyter: the theorem's section of the derivations document (statement, source, symbols,
        every step with its ``$$`` math), from the document's own renderer
        (:func:`proofs.document.render_derivation`)."""
        from proofs.document import render_derivation

        return render_derivation(self)

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
    definitions: int = 0

    @property
    def checked(self) -> int:
        """Steps checked, definitions excluded."""
        return self.steps - self.definitions

    @property
    def detail(self) -> str:
        """``scope`` (the derivation's :attr:`~Derivation.extent`) when every step holds, else which
        step failed and why."""
        if self.ok:
            return self.scope
        return f"step {self.failed_step} fails: {self.reason}"


#: the step methods that compute (a root, a value to stated digits) rather than prove
_NUMERICAL_METHODS = frozenset({"nsolve", "evalf"})


@dataclass(frozen=True)
class StepResult:
    """What checking one step found (:meth:`Step.check`); ``bool(result)`` is :attr:`passed`.

    Attributes:
        passed: the step holds as what it claims to be: a proof step is proved, a definition names
            something. A definition proves nothing: its :attr:`status` is ``"definition"``, never
            ``"proved"`` (see :attr:`proved`); a numerical step (``nsolve``, ``evalf``: a root or a
            value to stated digits) is ``"numerical"``, not ``"proved"`` either.
        kind: :data:`KIND` of the method: ``identity``, ``gradient``, ``claim``, ``solve``, ``limit``,
            ``series``, ..., ``case split``, ``definition``.
        what: the two objects compared, as SymPy objects: ``(lhs, rhs)`` of an identity (the shown
            names for steps with ``shown``); the unknown (or the expression) and the stated result of a
            derive method (``solve``, ``limit``, ...); ``(claim, True)`` for a claim; ``(intervals, ℝ)``
            for a case split; ``(name, expression)`` for a definition.
        how: the method, in words (:data:`HOW`): ``"`cancel` reduces lhs − rhs to 0"``.
        why: the step's reason, as written in the derivation.
        detail: ``""`` when the step passed; else why not: the residue that did not reduce to 0, the
            value SymPy derived instead, or the SymPy error.
        method: the step's :data:`Method` (``step.by``).
        step: the :class:`Step` checked (for :attr:`formula`).
    """

    passed: bool
    kind: str
    what: tuple[Any, Any]
    how: str
    why: str
    detail: str = ""
    method: str = ""
    step: Step | None = field(default=None, repr=False, compare=False)

    @property
    def formula(self) -> str:
        """The step's LaTeX (no ``$``), as the derivations document prints it (``""`` without a step)."""
        return self.step.latex() if self.step is not None else ""

    def __bool__(self) -> bool:
        return self.passed

    @property
    def proved(self) -> bool:
        """``True`` for an exact proof step that holds; ``False`` for a definition (nothing to prove),
        a numerical step (digits, not a proof) and a step that fails."""
        return self.status == "proved"

    @property
    def status(self) -> Literal["proved", "numerical", "definition", "failed"]:
        """``"proved"`` (an exact step that holds), ``"numerical"`` (an ``nsolve``/``evalf`` step that
        holds to its stated digits: computed, not proved), ``"definition"`` (a well-formed definition:
        checked, nothing) or ``"failed"``."""
        if not self.passed:
            return "failed"
        if self.method in _NUMERICAL_METHODS:
            return "numerical"
        return "definition" if self.kind == "definition" else "proved"

    def __str__(self) -> str:
        head = {
            "proved": "proved",
            "numerical": "computed numerically (not a proof)",
            "definition": "definition (nothing to prove)",
            "failed": "FAILED",
        }
        text = f"{head[self.status]}: {self.why} [{self.kind}; check: {self.how}]"
        return f"{text}: {self.detail}" if self.detail else text

    def _repr_markdown_(self) -> str:
        """Jupyter: the verdict, the reason, the method, the formula in ``$$`` math, and on failure why."""
        from proofs.document import markdown_text

        label = {
            "proved": "✅ **proved**",
            "numerical": "🔢 **numerical**: computed to the stated digits, not proved",
            "definition": "📘 **definition**: names an expression, checked: nothing",
            "failed": "❌ **failed**",
        }[self.status]
        lines = [
            f"{label} ({self.kind}): {markdown_text(self.why)}",
            "",
            f"*Check:* {self.how}.",
            "",
        ]
        if self.formula:
            lines += ["$$", self.formula, "$$", ""]
        if self.detail:
            lines += [f"*Why it fails:* `{self.detail}`", ""]
        return "\n".join(lines)


# ---------------------------------------------------------------------------- step constructors


def identity(
    lhs: Any,
    rhs: Any,
    why: str,
    by: Method = "cancel",
    *,
    case: str = "",
    facts: Iterable[Any] = (),
    sizes: str = "",
    shown: tuple[Any, Any] | None = None,
) -> Step:
    """A step ``lhs = rhs`` proved by rewriting ``lhs − rhs`` to 0 with ``by``.

    Build ``lhs`` unevaluated (``sp.Subs``, ``sp.Derivative``, ``sp.MatMul(..., evaluate=False)``) so
    the document shows what was proved, not ``X = X``; ``shown`` names the sides instead.
    """
    if by not in (*_IDENTITY_METHODS, "equals", "matrix"):
        raise InputError(
            f"identity steps are checked by {', '.join(_IDENTITY_METHODS)}, equals or matrix; got {by!r}"
        )
    return Step(lhs, rhs, why, by, case, (), tuple(facts), sizes, shown)


def partition(intervals: Iterable[sp.Interval], why: str, *, case: str = "") -> Step:
    """The intervals, in order, tile the real line: the first starts at −∞, the last ends at ∞, each
    is non-empty (start ≤ end from the assumptions), and consecutive ones share an endpoint that
    exactly one of them contains. The check that a case split is exhaustive and its cases disjoint."""
    return Step(tuple(intervals), sp.S.Reals, why, "partition", case)


def _check_partition(intervals: tuple[sp.Interval, ...]) -> str:
    if not intervals or not all(isinstance(i, sp.Interval) for i in intervals):
        return f"a partition needs intervals, got {intervals}"
    if intervals[0].start != -sp.oo or intervals[-1].end != sp.oo:
        return f"the intervals run from {intervals[0].start} to {intervals[-1].end}, not from −∞ to ∞"
    for k, piece in enumerate(intervals):
        if piece.start.is_infinite or piece.end.is_infinite:
            continue
        if _decide(sp.Le(piece.start, piece.end, evaluate=False)) is not sp.true:
            return f"interval {k + 1} {piece} may be empty: {piece.start} ≤ {piece.end} is not known"
    for k, (left, right) in enumerate(itertools.pairwise(intervals)):
        if sp.cancel(sp.together(left.end - right.start)) != 0:
            return f"intervals {k + 1} and {k + 2} leave a gap or overlap: {left.end} vs {right.start}"
        if left.right_open == right.left_open:
            both = "neither contains" if left.right_open else "both contain"
            return f"intervals {k + 1} and {k + 2}: {both} the shared endpoint {left.end}"
    return ""


def define(name: Any, value: Any, why: str, *, case: str = "") -> Step:
    """A definition ``name := value``: it introduces ``name`` (a symbol, matrix symbol or undefined
    function applied to symbols) and proves nothing; shown and counted as a definition."""
    return Step(name, value, why, "definition", case)


def gradient(
    expr: Any, variable: Any, stated: Any, why: str, *, case: str = "", facts: Iterable[Any] = ()
) -> Step:
    """``∇_variable expr = stated``, derived by SymPy's matrix calculus (``expr.diff(variable)``)."""
    return Step(expr, stated, why, "gradient", case, (variable,), tuple(facts))


def holds(claim: Any, why: str, *, case: str = "", sizes: str = "") -> Step:
    """A claim that must evaluate to ``True`` from the symbols' assumptions.

    Build relationals with ``evaluate=False`` (``sp.Gt(x, 0, evaluate=False)``) so the document shows
    the claim, not its value; the checker evaluates it (``doit()``).
    """
    return Step(claim, sp.true, why, "holds", case, sizes=sizes)


def solve(unknown: Any, expr: Any, stated: Any, why: str, *, case: str = "", sizes: str = "") -> Step:
    """``solve(expr = 0, unknown)`` must return exactly the stated solutions.

    ``unknown`` may be a tuple of symbols and ``expr`` a list of equations (a system); ``stated`` is
    then a tuple of values. A list ``stated`` means several solutions; ``[]`` means none.
    """
    return Step(unknown, stated, why, "solve", case, (expr,), sizes=sizes)


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
    expr: Any,
    variable: Any,
    point: Any,
    stated: Any,
    why: str,
    *,
    direction: str = "+",
    case: str = "",
    sizes: str = "",
) -> Step:
    """``limit(expr, variable, point, direction)`` must equal ``stated``."""
    return Step(
        sp.Limit(expr, variable, point, direction),
        stated,
        why,
        "limit",
        case,
        (variable, point, direction),
        sizes=sizes,
    )


def expectation(expr: Any, stated: Any, why: str, *, case: str = "", sizes: str = "") -> Step:
    """``sympy.stats.E(expand(expr))`` (``expr`` built from ``sympy.stats`` random symbols) must equal
    ``stated``."""
    return Step(expr, stated, why, "expectation", case, sizes=sizes)


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
        if sp.sympify(x) == sp.sympify(y):  # also ±∞, where x − y is nan
            continue
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


def _is_name(value: Any) -> bool:
    if isinstance(value, sp.Symbol | sp.MatrixSymbol):
        return True
    return isinstance(value, AppliedUndef) and all(isinstance(a, sp.Symbol) for a in value.args)


def check_step(step: Step) -> str:
    """Check one step: ``""`` when it holds, else the reason it does not (a SymPy error counts too).

    The string form of :func:`check_step_result` (kept for callers that test ``== ""``).
    """
    result = check_step_result(step)
    return "" if result.passed else result.detail


def check_step_result(step: Step) -> StepResult:
    """Check one step and say what was compared, how, and why it holds or fails (:class:`StepResult`).

    A definition holds when it names something (``lhs`` a symbol or an undefined function of
    symbols); an identity whose displayed sides are the same expression fails (it proves nothing).
    """
    reason = _failure(step)
    how = HOW[step.by] if step.by != "definition" else "nothing: a definition names an expression"
    return StepResult(
        passed=not reason,
        kind=KIND[step.by],
        what=step.displayed,
        how=how,
        why=step.why,
        detail=reason,
        method=step.by,
        step=step,
    )


def _failure(step: Step) -> str:
    """``""`` when the step holds, else the reason (the one implementation behind both checkers)."""
    if step.by == "definition":
        return "" if _is_name(step.lhs) else f"a definition must introduce a name, not {step.lhs}"
    if step.by == "partition":
        return _check_partition(step.lhs)
    if step.by in (*_IDENTITY_METHODS, "equals", "matrix"):
        shown_lhs, shown_rhs = step.displayed
        if _same_expression(shown_lhs, shown_rhs):
            return (
                f"both sides are the same expression {shown_lhs} as built: a definition, not a proof "
                "(build the left side unevaluated or mark the step as a definition)"
            )
    try:
        if step.by == "holds":
            value = _decide(step.lhs)
            return "" if value is sp.true else f"the claim evaluates to {value}, not True"
        if step.by in _DERIVE_METHODS:
            return _check_derived(step)
        return _check_identity(step)
    except Exception as exc:  # a step SymPy cannot handle is a step not checked
        return f"{type(exc).__name__}: {exc}"


def _same_expression(a: Any, b: Any) -> bool:
    try:
        return bool(sp.sympify(a) == sp.sympify(b))
    except (sp.SympifyError, TypeError):
        return a is b


def _objects(value: Any) -> list[Any]:
    """Every SymPy object reachable from ``value`` (tuples, lists, dicts opened)."""
    if isinstance(value, dict | Mapping):
        return [o for k, v in value.items() for o in (*_objects(k), *_objects(v))]
    if isinstance(value, list | tuple):
        return [o for v in value for o in _objects(v)]
    return [value] if isinstance(value, sp.Basic | sp.MatrixBase) else []


def _named(obj: Any) -> set[Any]:
    """The named atoms of one object: symbols (not dummies, not a limit's direction ``+``/``-``, not
    the symbol inside a ``sympy.stats`` random variable), matrix symbols, indexed bases, undefined
    functions (by their class)."""
    from sympy.stats.rv import RandomSymbol

    atoms: set[Any] = set()
    hidden = {r.symbol for r in obj.atoms(RandomSymbol)} | {sp.Symbol("+"), sp.Symbol("-")}
    atoms |= {a for a in obj.atoms(sp.Symbol) if not isinstance(a, sp.Dummy) and a not in hidden}
    atoms |= obj.atoms(sp.MatrixSymbol)
    bases = obj.atoms(sp.IndexedBase)
    atoms -= {base.label for base in bases}  # w[i]'s label is the base's own name
    atoms |= bases
    atoms |= {f.func for f in obj.atoms(AppliedUndef)}
    return atoms


def _name(atom: Any) -> str:
    if isinstance(atom, sp.MatrixSymbol | sp.IndexedBase):
        return str(atom.name if isinstance(atom, sp.MatrixSymbol) else atom.label)
    return str(getattr(atom, "name", atom))


def symbol_clashes(derivation: Derivation) -> dict[str, list[str]]:
    """Names used by two or more different SymPy objects in one derivation, with a description of
    each (its assumptions, or its kind): one name must have one meaning and one set of assumptions.

    Scanned: the declared symbols, every step (sides, problem, facts, shown), the results.
    """
    objects = _objects(list(derivation.symbols))
    for step in derivation.steps:
        objects += _objects([step.lhs, step.rhs, list(step.problem), list(step.facts)])
        if step.shown is not None:
            objects += _objects(list(step.shown))
    for result in derivation.results.values():
        objects += _objects([list(result.args), result.expr])
    by_name: dict[str, set[Any]] = {}
    for obj in objects:
        for atom in _named(obj):
            by_name.setdefault(_name(atom), set()).add(atom)
    return {name: sorted(_describe(a) for a in atoms) for name, atoms in by_name.items() if len(atoms) > 1}


_SHOWN_FACTS = ("integer", "positive", "nonnegative", "nonzero", "real")


def undeclared_symbols(derivation: Derivation) -> list[str]:
    """Names used by the steps but missing from ``derivation.symbols``: their assumptions would be
    hidden from the document's symbol list (undefined functions are exempt; their arguments are not)."""
    declared: set[Any] = set()
    for obj in _objects(list(derivation.symbols)):
        declared |= _named(obj)
    used: set[Any] = set()
    for step in derivation.steps:
        for obj in _objects([step.lhs, step.rhs, list(step.problem), list(step.facts)]):
            used |= _named(obj)
    return sorted({_name(a) for a in used - declared if not isinstance(a, type)})


def _describe(atom: Any) -> str:
    if isinstance(atom, sp.Symbol):
        facts = ", ".join(k for k in _SHOWN_FACTS if atom.assumptions0.get(k) is True)
        return f"Symbol({facts})"
    return type(atom).__name__ if not isinstance(atom, type) else "function"


def check(derivation: Derivation) -> Report:
    """Check every step in order; stop at the first that fails and report it (1-based).

    A derivation with a symbol clash (:func:`symbol_clashes`) or a symbol missing from its declared
    symbols (:func:`undeclared_symbols`) fails at "step 0" before any step runs.
    """
    start = time.perf_counter()
    clashes = symbol_clashes(derivation)
    missing = undeclared_symbols(derivation)
    if clashes or missing:
        listed = "; ".join(f"{name}: {' vs '.join(kinds)}" for name, kinds in sorted(clashes.items()))
        if clashes:
            listed = f"one name, two SymPy objects: {listed}"
        if missing:
            listed += ("; " if clashes else "") + f"used but not declared: {', '.join(missing)}"
        return Report(
            derivation.theorem_id,
            False,
            0,
            derivation.extent,
            time.perf_counter() - start,
            0,
            listed,
            derivation.definitions,
        )
    for index, step in enumerate(derivation.steps, start=1):
        outcome = check_step_result(step)
        if not outcome:
            reason = outcome.detail
            return Report(
                derivation.theorem_id,
                False,
                index - 1,
                derivation.extent,
                time.perf_counter() - start,
                index,
                f"{step.why}: {reason}",
                sum(s.by == "definition" for s in derivation.steps[: index - 1]),
            )
    return Report(
        derivation.theorem_id,
        True,
        len(derivation.steps),
        derivation.extent,
        time.perf_counter() - start,
        definitions=derivation.definitions,
    )
