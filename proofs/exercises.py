"""Exercises: a student submits an expression for a catalogue result and gets a verdict.

``exercises.list()`` gives the exercises (id, prompt with LaTeX, the names the answer may use);
``exercises.check("l2.shrinkage", "lambda_i/(lambda_i + alpha)")`` returns a :class:`Verdict`:

* ``"proved"``: ``sympy.simplify(answer − expected)`` is exactly 0 under the declared symbols'
  assumptions, or is 0 in every case of the exercise's case split (the soft threshold: ``w* > α/h``,
  ``w* < −α/h``, ``|w*| ≤ α/h``, each written with fresh positive/non-negative symbols). Only an exact
  simplification proves; numbers never do.
* ``"counterexample"``: at a random rational point inside the symbols' domain the two sides have
  different exact values; the verdict gives the point and both values (exact, and as floats).
* ``"conditional"``: the answer is wrong in general (a counterexample is given too) but it is exactly
  the right answer's special case at the edge of a symbol's domain that the answer leaves out: the
  answer ``1`` for the shrinkage factor ``λ_i/(λ_i + α)`` is the case ``α = 0`` (no penalty), and
  ``condition`` is ``Eq(alpha, 0)``. Two wrong answers that merely coincide somewhere inside the domain
  (``α/(λ_i + α)`` at ``λ_i = α``) are counterexamples, not conditional: almost every wrong answer
  agrees with the right one on some surface, and saying so would hide the mistake.
* ``"undecided"``: ``simplify`` did not reduce the difference to 0 (or ran out of its time limit,
  :data:`SECONDS`) and no sampled point separates the sides; not a proof.

An answer that is undefined at a sampled point of the domain (a ``Piecewise`` with a gap, a division by
zero) gets a counterexample there ("your answer is undefined at …"); a ``Piecewise`` answer without a
default ``(…, True)`` branch is never proved (SymPy drops an uncovered branch when it simplifies).
Hostile input cannot hang the checker: numbers longer than :data:`MAX_NUMBER` characters, decimal
exponents beyond ±:data:`MAX_EXPONENT`, power towers (``a**b**c``, ``a**(b**c)``) and literal powers
above :data:`MAX_EXPONENT` are refused before parsing, and every ``simplify`` and exact evaluation
runs under a wall-clock limit (``SIGALRM``, in the main thread, where Jupyter and the CLI run).

Each exercise's right answer is imported from a derivation's :class:`~proofs.framework.Result`
(``proofs.derivation("l2.eigen").results["shrinkage"]``), with its symbols renamed to the exercise's,
never retyped. Answers given as strings are parsed by SymPy's ``parse_expr`` with only the exercise's
names and a short list of functions (:data:`FUNCTIONS`) in scope: no builtins, no attribute access, no
strings, no keywords; anything else is an :class:`~theory.errors.InputError` listing the allowed names.
"""

from __future__ import annotations

import builtins
import functools
import io
import keyword
import random
import signal
import threading
import time
import tokenize
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import sympy as sp
from sympy.parsing.sympy_parser import auto_number, convert_xor, parse_expr, rationalize

from proofs.registry import derivation
from theory.errors import InputError

__all__ = ["FUNCTIONS", "Exercise", "Verdict", "check", "get", "list"]

_T = TypeVar("_T")
Status = Literal["proved", "counterexample", "conditional", "undecided"]

#: the functions an answer may call, besides the exercise's symbols
FUNCTIONS: dict[str, Any] = {
    "sqrt": sp.sqrt,
    "exp": sp.exp,
    "log": sp.log,
    "Abs": sp.Abs,
    "sign": sp.sign,
    "Max": sp.Max,
    "Min": sp.Min,
    "Piecewise": sp.Piecewise,
    "Eq": sp.Eq,
    "pi": sp.pi,
}
#: what ``parse_expr``'s generated code calls (numbers), the only other names in its global scope
_PARSER_NAMES: dict[str, Any] = {"Integer": sp.Integer, "Rational": sp.Rational, "Float": sp.Float}
_OPERATORS = frozenset({"+", "-", "*", "/", "**", "^", "(", ")", ",", "<", ">", "<=", ">="})
_MAX_LENGTH = 2000
#: the longest number literal an answer may contain (characters), and the largest decimal exponent
#: (``1e30``) or literal power (``x**30``) it may use: beyond them exact arithmetic can run for hours
MAX_NUMBER = 15
MAX_EXPONENT = 30
#: the wall-clock limit, in seconds, of each phase of a check (simplifying; exact values at points)
SECONDS = 5.0
_POWER = frozenset({"**", "^"})
#: how many random points are tried for a counterexample (each must satisfy the exercise's domain)
DRAWS = 40


@dataclass(frozen=True)
class Exercise:
    """One exercise.

    Attributes:
        id: the exercise id (``"l2.shrinkage"``).
        title: a short title.
        prompt: the question, Markdown with ``$…$`` LaTeX.
        symbols: the names the answer may use → the SymPy symbols (with their assumptions).
        solution: the right answer, taken from ``theorem_id``'s derivation (``origin`` says which).
        theorem_id: the catalogue theorem the exercise is drawn from.
        origin: where ``solution`` comes from (``"proofs.derivation('l2.eigen').results['shrinkage']"``).
        domain: extra conditions a sampled point must satisfy (``ε λ_i < 1``).
        cases: a case split that covers the domain, for answers ``simplify`` cannot compare at once
            (piecewise answers): ``(label, substitution)`` pairs; proved means 0 in every case.
        near: defensible answers to a nearby question, ``(expression, explanation)``: an answer equal
            to one still gets its counterexample, with the explanation of what it answers instead.
    """

    id: str
    title: str
    prompt: str
    symbols: Mapping[str, sp.Symbol]
    solution: sp.Expr = field(repr=False)  # not in the printed form: it is the answer
    theorem_id: str
    origin: str
    domain: tuple[Any, ...] = ()
    cases: tuple[tuple[str, Mapping[sp.Symbol, sp.Expr]], ...] = ()
    near: tuple[tuple[sp.Expr, str], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The names an answer may use for the symbols."""
        return tuple(self.symbols)

    def describe_symbols(self) -> str:
        """``lambda_i (λ_i > 0), alpha (α ≥ 0)``: each name with what it stands for."""
        return ", ".join(f"`{name}` (${_assumption(s)}$)" for name, s in self.symbols.items())

    def check(self, answer: str | sp.Expr) -> Verdict:
        """:func:`check` for this exercise."""
        return _verdict(self, parse_answer(self, answer))

    def _repr_markdown_(self) -> str:
        domain = ""
        if self.domain:
            domain = " Domain: " + ", ".join(f"${sp.latex(c)}$" for c in self.domain) + "."
        return (
            f"**{self.id}**: {self.title} (from `{self.theorem_id}`)\n\n{self.prompt}\n\n"
            f"*Use:* {self.describe_symbols()}.{domain}"
        )


@dataclass(frozen=True)
class Verdict:
    """The verdict on one answer.

    Attributes:
        exercise_id: the exercise.
        status: ``"proved"``, ``"counterexample"``, ``"conditional"`` or ``"undecided"``.
        message: the verdict in words, with numbers (exact and as floats) where there are some.
        answer: the answer as parsed.
        counterexample: ``None``, or the point where the sides differ: symbol name → exact value,
            plus ``"answer"`` and ``"expected"``, the two sides' exact values there (``"answer"`` is
            ``nan`` where the answer is undefined, or not a finite real number, at that point).
        condition: for ``"conditional"``, the equation under which the answer is right (``α = 0``).
        how: the method that decided: ``simplify``, ``simplify in each case``, random rational points.
    """

    exercise_id: str
    status: Status
    message: str
    answer: sp.Expr
    counterexample: dict[str, sp.Expr] | None = None
    condition: sp.Basic | None = None
    how: str = ""
    _exercise: Exercise | None = field(default=None, repr=False, compare=False)

    def __bool__(self) -> bool:
        return self.status == "proved"

    def _repr_markdown_(self) -> str:
        mark = {"proved": "✅", "counterexample": "❌", "conditional": "⚠️", "undecided": "❔"}[self.status]
        lines = [
            f"{mark} **{self.status}** (`{self.exercise_id}`): your answer is ${sp.latex(self.answer)}$",
            "",
        ]
        lines += [self.message.replace("*", r"\*"), ""]
        if self.condition is not None:
            lines += [f"Equal only when ${sp.latex(self.condition)}$.", ""]
        if self.counterexample is not None:
            rows = ["| | exact | float |", "|---|---|---|"]
            names = self._exercise.symbols if self._exercise is not None else {}
            for key, value in self.counterexample.items():
                label = f"${sp.latex(names[key])}$" if key in names else key
                rows.append(f"| {label} | ${sp.latex(value)}$ | {_float(value)} |")
            lines += [*rows, ""]
        if self.how:
            lines += [f"*Decided by:* {self.how}.", ""]
        return "\n".join(lines)


# ---------------------------------------------------------------------------- parsing


def parse_answer(exercise: Exercise, answer: str | sp.Expr) -> sp.Expr:
    """The answer as a SymPy expression in the exercise's symbols.

    A string is tokenised first: every name must be one of the exercise's names, :data:`FUNCTIONS` or
    ``True`` (Piecewise's last branch),
    and only arithmetic, comparison and grouping operators may appear (no ``.``, ``[``, ``=``, strings,
    keywords); then ``parse_expr`` runs with exactly those names (``^`` means power, decimals become
    rationals). A SymPy expression may use symbols named as the exercise names them (``w_star``) or as
    its SymPy symbols are named (``w^*``), with any assumptions: they are replaced by the exercise's.

    Raises:
        InputError: an unknown name (listing the allowed ones), a forbidden token, a syntax error.
    """
    allowed = ", ".join(exercise.names)
    if isinstance(answer, str):
        answer = answer.strip()
        _screen(answer, exercise, allowed)
        try:
            parsed = parse_expr(
                answer,
                local_dict={**exercise.symbols, **FUNCTIONS},
                global_dict={"__builtins__": {}, **_PARSER_NAMES},
                transformations=(auto_number, rationalize, convert_xor),
            )
        except (SyntaxError, TypeError, ValueError, AttributeError, sp.SympifyError) as exc:
            raise InputError(f"answer {answer!r} for {exercise.id!r} does not parse: {exc}") from exc
    elif isinstance(answer, sp.Basic):
        # the exercise's names (``w_star``) and the SymPy names of its symbols (``w^*``), any assumptions
        by_name = {s.name: s for s in exercise.symbols.values()} | dict(exercise.symbols)
        unknown = sorted(s.name for s in answer.free_symbols if s.name not in by_name)
        if unknown:
            raise InputError(
                f"answer {answer} for {exercise.id!r} uses {', '.join(unknown)}; allowed symbols: {allowed}"
            )
        parsed = answer.xreplace({s: by_name[s.name] for s in answer.free_symbols})
    else:
        raise InputError(
            f"an answer is a string or a SymPy expression, not {type(answer).__name__} ({answer!r})"
        )
    if not isinstance(parsed, sp.Expr):
        raise InputError(f"answer {answer!r} for {exercise.id!r} is not an expression but {parsed!r}")
    return parsed


def _screen(text: str, exercise: Exercise, allowed: str) -> None:
    if not text.strip():
        raise InputError(f"the answer for {exercise.id!r} is empty; allowed symbols: {allowed}")
    if len(text) > _MAX_LENGTH:
        raise InputError(f"the answer for {exercise.id!r} has {len(text)} characters; at most {_MAX_LENGTH}")
    try:
        tokens = builtins.list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise InputError(f"answer {text!r} for {exercise.id!r} does not parse: {exc}") from exc
    functions = ", ".join(FUNCTIONS)
    for token in tokens:
        kind, value = token.type, token.string
        if kind == tokenize.NUMBER:
            _screen_number(value, text, exercise)
            continue
        if kind in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER):
            continue
        if kind == tokenize.NAME:
            if value == "True":  # the default branch of Piecewise
                continue
            if keyword.iskeyword(value) or (value not in exercise.symbols and value not in FUNCTIONS):
                raise InputError(
                    f"answer {text!r} uses the name {value!r}; allowed symbols: {allowed} "
                    f"(functions: {functions})"
                )
            continue
        if kind == tokenize.OP and value in _OPERATORS:
            continue
        raise InputError(
            f"answer {text!r} contains {value!r}, which an answer may not use (only the symbols "
            f"{allowed}, numbers, the functions {functions} and + - * / ** ^ ( ) , < > <= >=)"
        )
    _screen_powers(tokens, text, exercise)


def _screen_number(value: str, text: str, exercise: Exercise) -> None:
    """Refuse imaginary literals, overlong numbers and huge decimal exponents (``1e100000000``)."""
    if value[-1] in "jJ":
        raise InputError(
            f"answer {text!r} for {exercise.id!r} uses the imaginary number {value!r}; answers are real"
        )
    if len(value) > MAX_NUMBER:
        raise InputError(
            f"answer {text!r} for {exercise.id!r} has the number {value[:20]}… of {len(value)} characters; "
            f"at most {MAX_NUMBER}"
        )
    mantissa, _, exponent = value.lower().replace("_", "").partition("e")
    if exponent and not mantissa.startswith("0x") and abs(int(exponent)) > MAX_EXPONENT:
        raise InputError(
            f"answer {text!r} for {exercise.id!r} has the number {value!r}, whose exponent is beyond "
            f"±{MAX_EXPONENT}"
        )


def _screen_powers(tokens: builtins.list[tokenize.TokenInfo], text: str, exercise: Exercise) -> None:
    """Refuse power towers (an exponent that contains a power) and literal exponents above
    :data:`MAX_EXPONENT`: ``9**9**9`` or ``alpha**10**10`` would be evaluated exactly for hours."""
    meaningful = [t for t in tokens if t.type in (tokenize.OP, tokenize.NAME, tokenize.NUMBER)]
    for i, token in enumerate(meaningful):
        if token.string not in _POWER:
            continue
        j = i + 1
        while j < len(meaningful) and meaningful[j].string in ("+", "-"):  # unary signs
            j += 1
        end = j + 1  # the exponent is meaningful[j:end]
        called = end < len(meaningful) and meaningful[end].string == "("
        if j < len(meaningful) and meaningful[j].type == tokenize.NAME and called:  # a call: f(...)
            j, end = end, end + 1
        if j < len(meaningful) and meaningful[j].string == "(":
            depth = 0
            for end in range(j, len(meaningful)):
                depth += {"(": 1, ")": -1}.get(meaningful[end].string, 0)
                if depth == 0:
                    break
            end += 1
        exponent = meaningful[i + 1 : end]
        after = meaningful[end].string if end < len(meaningful) else ""
        if after in _POWER or any(t.string in _POWER for t in exponent):
            raise InputError(
                f"answer {text!r} for {exercise.id!r} has a power tower (an exponent that is itself a "
                "power); write the exponent out, e.g. alpha**6"
            )
        for t in exponent:
            if t.type == tokenize.NUMBER and abs(complex(t.string)) > MAX_EXPONENT:
                raise InputError(
                    f"answer {text!r} for {exercise.id!r} raises to the power {t.string}; literal "
                    f"exponents may be at most {MAX_EXPONENT}"
                )


# ---------------------------------------------------------------------------- deciding


class _OutOfTime(BaseException):
    """Raised by the SIGALRM handler inside SymPy; a BaseException, so SymPy's ``except Exception``
    blocks do not swallow it."""


def _limited(function: Callable[[], _T], seconds: float) -> _T:
    """``function()``, stopped by :class:`_OutOfTime` after ``seconds`` of wall-clock time.

    The limit is a ``SIGALRM`` timer, available in the main thread of a Unix process (Jupyter's kernel,
    the CLI, pytest); elsewhere the function runs without a limit and only the input screen
    (:func:`_screen`) bounds its cost."""
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0  # no enclosing timer to overwrite
    )
    if not usable:
        return function()
    if seconds <= 0:
        raise _OutOfTime

    def _alarm(signum: int, frame: object) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Clock:
    """The time left of one phase of a check."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.ran_out = False

    def run(self, function: Callable[[], _T]) -> _T:
        try:
            return _limited(function, self.deadline - time.monotonic())
        except _OutOfTime:
            self.ran_out = True
            raise


def _total(expr: sp.Expr) -> bool:
    """Every ``Piecewise`` in ``expr`` ends with a default ``(…, True)`` branch (is defined everywhere)."""
    return all(p.args[-1].cond == sp.true for p in expr.atoms(sp.Piecewise))


def _simplifies_to_zero(expr: sp.Expr, clock: _Clock | None = None) -> bool:
    """``simplify(expr) == 0``; ``False`` when SymPy fails or the clock runs out (not proved)."""
    clock = clock or _Clock(SECONDS)
    try:
        return bool(clock.run(lambda: sp.simplify(expr)) == 0)
    except (Exception, _OutOfTime):  # SymPy could not simplify it in time: not proved
        return False


def _draw(symbol: sp.Symbol, rng: random.Random) -> sp.Expr:
    """A random value inside the symbol's domain: small integers for integers, rationals p/q else."""
    if symbol.is_integer:
        return sp.Integer(
            rng.randint(1, 6) if symbol.is_nonnegative else rng.choice((-1, 1)) * rng.randint(1, 6)
        )
    value = sp.Rational(rng.randint(1, 24), rng.randint(1, 8))
    return value if symbol.is_nonnegative else rng.choice((-1, 1)) * value


def _value(expr: sp.Expr, point: Mapping[sp.Symbol, sp.Expr], clock: _Clock) -> sp.Expr | None:
    """The exact value at the point, or ``None`` where it is not a finite real number.

    Raises:
        _OutOfTime: the clock ran out.
    """
    try:
        value = clock.run(lambda: sp.simplify(expr.xreplace(dict(point))))
    except Exception:
        return None
    if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan) or value.is_real is not True or value.free_symbols:
        return None
    return value


@dataclass
class _Search:
    """What the search for a counterexample found: the point (or None), how many points it compared,
    skipped (the right answer undefined there) and whether it ran out of time."""

    found: tuple[dict[sp.Symbol, sp.Expr], sp.Expr, sp.Expr] | None = None
    compared: int = 0
    skipped: int = 0
    ran_out: bool = False


def _counterexample(exercise: Exercise, answer: sp.Expr, rng: random.Random) -> _Search:
    """A point inside the domain where the sides' exact values differ (``is_zero`` is False) or where
    the right answer is a finite number and the answer is not (then its value is ``nan``)."""
    symbols = builtins.list(exercise.symbols.values())
    search, clock = _Search(), _Clock(SECONDS)
    try:
        for _ in range(DRAWS):
            point = {s: _draw(s, rng) for s in symbols}
            if not all(bool(c.xreplace(point)) is True for c in exercise.domain):
                continue
            expected = _value(exercise.solution, point, clock)
            if expected is None:
                search.skipped += 1
                continue
            got = _value(answer, point, clock)
            search.compared += 1
            if got is None:  # the answer is undefined (or not real) where the right one is a number
                search.found = point, sp.nan, expected
                return search
            if clock.run(lambda: sp.simplify(got - expected)).is_zero is False:  # noqa: B023 (run now)
                search.found = point, got, expected
                return search
    except _OutOfTime:
        search.ran_out = True
    return search


def _special_case(exercise: Exercise, answer: sp.Expr, clock: _Clock) -> sp.Basic | None:
    """``Eq(s, 0)`` when the answer leaves out a symbol s ≥ 0 of the solution and is exactly the
    solution at s = 0 (the edge of s's domain), else ``None``."""
    missing = exercise.solution.free_symbols - answer.free_symbols
    for symbol in exercise.symbols.values():
        if symbol not in missing or not symbol.is_nonnegative or symbol.is_positive:
            continue
        if not all(bool(c.xreplace({symbol: 0})) is not False for c in exercise.domain):
            continue
        edge = exercise.solution.subs(symbol, 0)
        if not edge.has(sp.nan, sp.zoo) and _simplifies_to_zero(edge - answer, clock):
            return sp.Eq(symbol, 0)
    return None


def _float(value: sp.Expr) -> str:
    if value is sp.nan:
        return "undefined"
    try:
        number = float(value)
    except OverflowError:
        number = float("inf")
    return f"{number:.6g}" if abs(number) < float("inf") else str(sp.N(value, 6))  # beyond float64


def _at(exercise: Exercise, point: Mapping[sp.Symbol, sp.Expr]) -> str:
    names = {s: name for name, s in exercise.symbols.items()}
    return ", ".join(f"{names[s]} = {v} ({_float(v)})" for s, v in point.items())


def _verdict(exercise: Exercise, answer: sp.Expr) -> Verdict:
    assumptions = ", ".join(f"{name}: {_words(s)}" for name, s in exercise.symbols.items())
    difference = answer - exercise.solution
    total = _total(answer)  # a Piecewise without a default branch is undefined somewhere: never proved
    clock = _Clock(SECONDS)
    if total and _simplifies_to_zero(difference, clock):
        return Verdict(
            exercise.id,
            "proved",
            f"Proved: simplify(answer − expected) = 0 exactly, with {assumptions}.",
            answer,
            how="sympy.simplify of the difference",
            _exercise=exercise,
        )
    if (
        total
        and exercise.cases
        and all(_simplifies_to_zero(difference.subs(sub), clock) for _, sub in exercise.cases)
    ):
        labels = "; ".join(label for label, _ in exercise.cases)
        return Verdict(
            exercise.id,
            "proved",
            f"Proved case by case: simplify(answer − expected) = 0 in each of the cases {labels}, which "
            f"together cover the domain ({assumptions}).",
            answer,
            how="sympy.simplify of the difference in each case of the split",
            _exercise=exercise,
        )
    rng = random.Random(f"{exercise.id}|{sp.srepr(answer)}")
    search = _counterexample(exercise, answer, rng)
    if search.found is None:
        reasons = []
        if clock.ran_out:
            reasons.append(f"simplify ran out of its {SECONDS:g} s")
        else:
            reasons.append("simplify did not reduce answer − expected to 0")
        if not total:
            reasons.append(
                "your Piecewise has no default (…, True) branch, so it may be undefined somewhere and "
                "cannot be proved"
            )
        tried = (
            f"the sides agreed at every one of the {search.compared} random points compared "
            f"({search.skipped} more skipped: the right answer is undefined there)"
        )
        if search.ran_out:
            tried += f", and the search for a counterexample ran out of its {SECONDS:g} s"
        return Verdict(
            exercise.id,
            "undecided",
            f"Not proved: {'; '.join(reasons)}; {tried}. Numbers are not a proof; try writing the answer "
            "in another form.",
            answer,
            how=f"sympy.simplify, then up to {DRAWS} random rational points",
            _exercise=exercise,
        )
    point, got, expected = search.found
    numbers = {name: point[s] for name, s in exercise.symbols.items()}
    numbers |= {"answer": got, "expected": expected}
    if got is sp.nan:
        differ = (
            f"at {_at(exercise, point)} your answer is undefined (not a finite real number) but the right "
            f"answer is {expected} ({_float(expected)})"
        )
    else:
        differ = (
            f"at {_at(exercise, point)} your answer is {got} ({_float(got)}) but the right answer is "
            f"{expected} ({_float(expected)})"
        )
    how = "sympy.simplify, then exact values at random rational points inside the domain"
    after = _Clock(SECONDS)  # the special case and the nearby answers share one more time limit
    condition = _special_case(exercise, answer, after) if got is not sp.nan else None
    if condition is not None:
        name = {s: n for n, s in exercise.symbols.items()}[condition.lhs]
        return Verdict(
            exercise.id,
            "conditional",
            f"Equal only when {name} = {condition.rhs}: your answer is the right one's special "
            f"case {name} = {condition.rhs} (it leaves {name} out). In general it is wrong: {differ}.",
            answer,
            numbers,
            condition,
            how,
            exercise,
        )
    note = "".join(f" {why}" for near, why in exercise.near if _simplifies_to_zero(answer - near, after))
    return Verdict(
        exercise.id, "counterexample", f"Not equal: {differ}.{note}", answer, numbers, None, how, exercise
    )


def _words(symbol: sp.Symbol) -> str:
    if symbol.is_integer:
        return "a positive integer" if symbol.is_positive else "an integer"
    if symbol.is_positive:
        return "> 0"
    if symbol.is_nonnegative:
        return "≥ 0"
    if symbol.is_real and symbol.is_nonzero:
        return "real, ≠ 0"
    return "real"


def _assumption(symbol: sp.Symbol) -> str:
    name = sp.latex(symbol)
    if symbol.is_integer:
        return rf"{name} \in \mathbb{{Z}}_{{> 0}}" if symbol.is_positive else rf"{name} \in \mathbb{{Z}}"
    if symbol.is_positive:
        return f"{name} > 0"
    if symbol.is_nonnegative:
        return rf"{name} \ge 0"
    if symbol.is_real and symbol.is_nonzero:
        return rf"{name} \in \mathbb{{R}} \setminus \{{0\}}"
    return rf"{name} \in \mathbb{{R}}"


# ---------------------------------------------------------------------------- the exercises


def _result(theorem_id: str, name: str, *replacements: sp.Expr) -> tuple[sp.Expr, str]:
    """A derivation's named result with its arguments replaced, in order, by the exercise's."""
    result = derivation(theorem_id).results[name]
    if len(result.args) != len(replacements):
        raise InputError(
            f"{theorem_id} result {name!r} takes {len(result.args)} arguments {result.args}, "
            f"got {len(replacements)}"
        )
    expr = sp.sympify(result.expr).xreplace(dict(zip(result.args, replacements, strict=True)))
    return expr, f"proofs.derivation({theorem_id!r}).results[{name!r}]"


def _build() -> tuple[Exercise, ...]:
    lam = sp.Symbol("lambda_i", positive=True)
    alpha = sp.Symbol("alpha", nonnegative=True)
    c = sp.Symbol("c_i", real=True)
    eps = sp.Symbol("epsilon", positive=True)
    tau = sp.Symbol("tau", integer=True, positive=True)
    exercises: builtins.list[Exercise] = []

    def add(
        exercise_id: str,
        title: str,
        prompt: str,
        symbols: dict[str, sp.Symbol],
        found: tuple[sp.Expr, str],
        theorem_id: str,
        **extra: Any,
    ) -> None:
        solution, origin = found
        exercises.append(Exercise(exercise_id, title, prompt, symbols, solution, theorem_id, origin, **extra))

    add(
        "l2.shrinkage",
        "The shrinkage factor",
        r"L2 regularisation of a quadratic with Hessian $H = Q\Lambda Q^\top$: the penalised optimum "
        r"$\tilde w$ multiplies the component of $w^*$ along the eigenvector $q_i$ by a factor. Which "
        r"factor, in terms of the eigenvalue $\lambda_i$ and the penalty $\alpha$?",
        {"lambda_i": lam, "alpha": alpha},
        _result("l2.eigen", "shrinkage", lam, alpha),
        "l2.eigen",
    )
    add(
        "l2.optimum_eigen",
        "The L2 optimum in the eigenbasis",
        r"With $c_i = q_i^\top w^*$, what is the coordinate $q_i^\top \tilde w$ of the minimiser of "
        r"$\tfrac12 (w - w^*)^\top H (w - w^*) + \tfrac{\alpha}{2}\|w\|^2$?",
        {"c_i": c, "lambda_i": lam, "alpha": alpha},
        _result("l2.eigen", "coordinate", lam, c, alpha),
        "l2.eigen",
    )
    ls = sp.symbols("lambda_1:4", positive=True)
    dof = sum(_result("l2.dof", "term", li, alpha)[0] for li in ls)
    add(
        "l2.dof",
        "Effective degrees of freedom",
        r"$H$ has the eigenvalues $\lambda_1, \lambda_2, \lambda_3 > 0$. What is "
        r"$\mathrm{df}(\alpha) = \operatorname{tr}\left[(H + \alpha I)^{-1} H\right]$?",
        {"lambda_1": ls[0], "lambda_2": ls[1], "lambda_3": ls[2], "alpha": alpha},
        (sp.sympify(dof), "the sum over i = 1, 2, 3 of proofs.derivation('l2.dof').results['term']"),
        "l2.dof",
    )
    add(
        "es.alpha",
        "Early stopping as ridge: the exact α_i",
        r"Gradient descent with step $\epsilon$ from $w^{(0)} = 0$ for $\tau$ steps, along the eigenvector "
        r"with eigenvalue $\lambda_i$ ($0 < \epsilon\lambda_i < 1$), reaches the ridge solution of some "
        r"penalty $\alpha_i$. Which $\alpha_i$?",
        {"lambda_i": lam, "epsilon": eps, "tau": tau},
        _result("es.equivalence", "alpha", lam, eps, tau),
        "es.equivalence",
        domain=(sp.Lt(eps * lam, 1),),
    )
    add(
        "es.approx",
        "Early stopping: α_i to first order in λ_i",
        r"Expand that $\alpha_i$ in $\lambda_i$: what are its terms of order $\lambda_i^0$ and "
        r"$\lambda_i^1$ (the answer is $a + b\lambda_i$)?",
        {"lambda_i": lam, "epsilon": eps, "tau": tau},
        _result("es.approx", "alpha_series", lam, eps, tau),
        "es.approx",
        domain=(sp.Lt(eps * lam, 1),),
    )
    w_star = sp.Symbol("w^*", real=True)
    h = sp.Symbol("h", positive=True)
    t = sp.Symbol("t", positive=True)
    u, v = sp.symbols("u v", nonnegative=True)
    add(
        "l1.soft_threshold",
        "The L1 soft threshold",
        r"Minimise $\tfrac{h}{2}(w - w^*)^2 + \alpha |w|$ over $w$ (one coordinate of a diagonal "
        r"Hessian, $h = H_{ii} > 0$). What is the minimiser? (`sign`, `Abs`, `Max`, `Piecewise` are "
        r"available.)",
        {"w_star": w_star, "h": h, "alpha": alpha},
        _result("l1.soft_threshold", "w", w_star, h, alpha),
        "l1.soft_threshold",
        cases=(
            ("w* > α/h (w* = α/h + t, t > 0)", {w_star: alpha / h + t}),
            ("w* < −α/h (w* = −α/h − t)", {w_star: -alpha / h - t}),
            ("0 ≤ w* ≤ α/h (w* = u, α = h(u + v), u, v ≥ 0)", {w_star: u, alpha: h * (u + v)}),
            ("−α/h ≤ w* ≤ 0 (w* = −u, α = h(u + v))", {w_star: -u, alpha: h * (u + v)}),
        ),
    )
    x1, x2 = sp.symbols("x_1 x_2", real=True, nonzero=True)
    y1, y2 = sp.symbols("y_1 y_2", real=True)
    norm = sp.sqrt(x1**2 + x2**2)
    add(
        "l2.ridge_1d",
        "Ridge regression with one feature",
        r"Two samples, one feature: $X = \begin{pmatrix} x_1 \\ x_2 \end{pmatrix}$, "
        r"$y = \begin{pmatrix} y_1 \\ y_2 \end{pmatrix}$. What is the minimiser of "
        r"$\tfrac12\|Xw - y\|^2 + \tfrac{\alpha}{2} w^2$, $w = (X^\top X + \alpha I)^{-1} X^\top y$?",
        {"x_1": x1, "x_2": x2, "y_1": y1, "y_2": y2, "alpha": alpha},
        _result("l2.ridge", "half_sse", norm, (x1 * y1 + x2 * y2) / norm, alpha),
        "l2.ridge",
    )
    w, g = sp.symbols("w g", real=True)
    eta = sp.Symbol("eta", positive=True)
    lam_wd = sp.Symbol("lambda", nonnegative=True)
    add(
        "l2.sgd_update",
        "The SGD step with weight decay",
        r"One gradient step with learning rate $\eta$ on $L(w) + \tfrac{\lambda}{2}\|w\|^2$, where "
        r"$g = \nabla L(w)$. What is the new weight (`lam` is $\lambda$)?",
        {"w": w, "g": g, "eta": eta, "lam": lam_wd},
        _result("l2.update", "update", w, g, eta, lam_wd),
        "l2.update",
    )
    sigma = sp.Symbol("sigma", positive=True)
    tau_prior = sp.Symbol("tau_0", positive=True)
    add(
        "bayes.map_alpha",
        "MAP with a Gaussian prior is ridge",
        r"$y \sim \mathcal N(Xw, \sigma^2 I)$ and the prior $w \sim \mathcal N(0, \tau_0^2 I)$. The MAP "
        r"estimate minimises $\tfrac12\|Xw - y\|^2 + \tfrac{\alpha}{2}\|w\|^2$ for which $\alpha$?",
        {"sigma": sigma, "tau_0": tau_prior},
        _result("bayes.gaussian", "alpha", sigma**2, tau_prior**2),
        "bayes.gaussian",
    )
    lam_pos = sp.Symbol("lambda", positive=True)
    add(
        "adamw.timescale",
        "The AdamW averaging timescale",
        r"AdamW with learning rate $\eta$ and decoupled weight decay $\lambda$ ($0 < \eta\lambda < 1$) "
        r"keeps an exponential moving average of its recent updates, with the factor "
        r"$\beta = 1 - \eta\lambda$ per step. Over how many steps does it average: what is its "
        r"timescale $1/(1 - \beta)$? (`lam` is $\lambda$.)",
        {"eta": eta, "lam": lam_pos},
        _result("adamw.ema", "timescale", eta, lam_pos),
        "adamw.ema",
        domain=(sp.Lt(eta * lam_pos, 1),),
        near=(
            (
                -1 / sp.log(1 - eta * lam_pos),
                "Your answer is the e-folding time of the decay (1 − ηλ)^t, −1/log(1 − ηλ) = "
                "1/(ηλ) − 1/2 + O(ηλ): the same timescale to first order in ηλ, but the exercise asks for "
                "1/(1 − β) exactly.",
            ),
        ),
    )
    return tuple(exercises)


@functools.cache
def _exercises() -> tuple[Exercise, ...]:
    return _build()


def list() -> tuple[Exercise, ...]:
    """Every exercise, in order: id, title, prompt (Markdown with LaTeX) and the names an answer uses."""
    return _exercises()


def get(exercise_id: str) -> Exercise:
    """The exercise with this id.

    Raises:
        InputError: no such exercise; the message suggests the closest ids and lists them all.
    """
    from theory.harness.console import did_you_mean

    known = {e.id: e for e in _exercises()}
    if exercise_id not in known:
        raise InputError(
            f"no exercise {exercise_id!r}{did_you_mean(exercise_id, known)} (exercises: {', '.join(known)})"
        )
    return known[exercise_id]


def check(exercise_id: str, answer: str | sp.Expr) -> Verdict:
    """The verdict on ``answer`` (a string or a SymPy expression) for the exercise ``exercise_id``."""
    return get(exercise_id).check(answer)
