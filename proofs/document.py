"""The derivations document: every derivation rendered to Markdown with ``$$`` math (GitHub renders it).

Every formula is ``sympy.latex`` of the very object the checker verified, so the document cannot say
something the checker did not check. The output depends only on the derivations (no timings, no
dates), and SymPy's printer orders terms by ``sort_key``, not by hash, so it is the same under every
``PYTHONHASHSEED``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy as sp

from proofs.framework import HOW, Derivation, Step

__all__ = [
    "MAX_FORMULA",
    "SYMPY_LINE",
    "markdown_text",
    "render",
    "render_derivation",
    "render_step",
    "render_step_markdown",
]

_HOW = HOW  # one table of methods in words, shared with StepResult.how

#: the longest formula line the document prints; a longer one (explicit n = 3 entries) is summarised
MAX_FORMULA = 400

#: the line that records the SymPy version whose printer wrote the document
SYMPY_LINE = "Rendered with SymPy"

_ANCHOR_TABLE = str.maketrans({".": "-", "_": "-"})


def markdown_text(text: str) -> str:
    """Plain text safe in Markdown: ``w*`` must not open or close emphasis, ``<`` must not open a tag."""
    return text.replace("*", r"\*").replace("<", "&lt;")


def _tex(value: Any) -> str:
    if isinstance(value, list | tuple):
        return r"\left(" + ", ".join(_tex(v) for v in value) + r"\right)"
    return sp.latex(value)


def _equations(expr: Any) -> str:
    if isinstance(expr, list):
        rows = r" \\ ".join(rf"{sp.latex(e)} = 0" for e in expr)
        return rf"\begin{{cases}} {rows} \end{{cases}}"
    if isinstance(expr, sp.Equality):
        return sp.latex(expr)
    return rf"{sp.latex(expr)} = 0"


def render_step(step: Step) -> str:
    """The LaTeX (no ``$$``) of one step, from the objects the checker uses (or the step's ``shown``
    sides); a formula longer than :data:`MAX_FORMULA` characters is replaced by a sentence saying what
    was checked for which size."""
    text = _render_step(step)
    if len(text) <= MAX_FORMULA:
        return text
    size = step.sizes or "explicit sizes"
    return rf"\text{{checked entry by entry for {size}; the {len(text)}-character formula is omitted}}"


def _render_step(step: Step) -> str:
    by = step.by
    if by == "definition":
        return rf"{_tex(step.lhs)} := {_tex(step.rhs)}"
    if by == "partition":
        return r" \sqcup ".join(sp.latex(i) for i in step.lhs) + r" = \mathbb{R}"
    if by == "holds":
        return sp.latex(step.lhs)
    if by == "gradient":
        (variable,) = step.problem
        return rf"\nabla_{{{sp.latex(variable)}}} \left({sp.latex(step.lhs)}\right) = {sp.latex(step.rhs)}"
    if by == "solve":
        (expr,) = step.problem
        if isinstance(step.rhs, list) and not step.rhs:
            result = rf"\text{{no solution for }} {_tex(step.lhs)}"
        elif isinstance(step.rhs, list):
            result = rf"{_tex(step.lhs)} \in \left\{{{', '.join(_tex(v) for v in step.rhs)}\right\}}"
        else:
            result = rf"{_tex(step.lhs)} = {_tex(step.rhs)}"
        return rf"{_equations(expr)} \;\Longrightarrow\; {result}"
    if by == "nsolve":
        expr, guess, digits = step.problem
        return (
            rf"{sp.latex(expr)} = 0,\ {sp.latex(step.lhs)} \approx {sp.latex(guess)} "
            rf"\;\Longrightarrow\; {sp.latex(step.lhs)} = {sp.latex(step.rhs)} "
            rf"\ (\text{{{digits} digits}})"
        )
    if by == "evalf":
        (digits,) = step.problem
        return rf"{sp.latex(step.lhs)} = {sp.latex(step.rhs)}\ (\text{{{digits} digits}})"
    if by == "expectation":
        return rf"\mathbb{{E}}\left[{sp.latex(step.lhs)}\right] = {sp.latex(step.rhs)}"
    if by == "solveset":
        (claim,) = step.problem
        return rf"{sp.latex(claim)} \;\iff\; {sp.latex(step.lhs)} \in {sp.latex(step.rhs)}"
    if by == "rsolve":
        recurrence, initial = step.problem
        starts = ",\\ ".join(rf"{sp.latex(k)} = {sp.latex(v)}" for k, v in initial.items())
        return (
            rf"{sp.latex(recurrence)} = 0,\ {starts} \;\Longrightarrow\; "
            rf"{sp.latex(step.lhs)} = {sp.latex(step.rhs)}"
        )
    lhs, rhs = step.displayed
    return rf"{_tex(lhs)} = {_tex(rhs)}"


def render_step_markdown(step: Step, number: int | None = None) -> str:
    """One step as the document shows it: ``N.`` (when numbered), the reason, how it is checked (or
    that it is a definition), its facts and sizes, then the formula in ``$$`` display math. Also what
    a :class:`~proofs.framework.Step` shows in Jupyter."""
    facts = ""
    if step.facts:
        facts = " Facts: " + ", ".join(f"${sp.latex(f)}$" for f in step.facts) + "."
    sentence = markdown_text(step.why if step.why.endswith((".", "...")) else f"{step.why}.")
    label = "*Definition* (not checked)." if step.by == "definition" else f"*Check:* {_HOW[step.by]}."
    sizes = f" Checked for {step.sizes} only." if step.sizes else ""
    head = f"{number}. " if number is not None else ""
    return "\n".join([f"{head}{sentence} {label}{facts}{sizes}", "", "$$", render_step(step), "$$"])


def _assumption(symbol: Any) -> tuple[str, str]:
    """``(name, what it is)``: the LaTeX name and its set or sign from the SymPy assumptions."""
    name = sp.latex(symbol)
    if isinstance(symbol, sp.MatrixSymbol):
        rows, cols = symbol.shape
        return name, rf"\in \mathbb{{R}}^{{{sp.latex(rows)} \times {sp.latex(cols)}}}"
    if isinstance(symbol, sp.IndexedBase):
        return rf"{name}_{{i}}", r"\in \mathbb{R}"
    if symbol.is_integer:
        low = "> 0" if symbol.is_positive else r"\ge 0"
        return name, rf"\in \mathbb{{Z}}_{{{low}}}"
    if symbol.is_positive:
        return name, "> 0"
    if symbol.is_nonnegative:
        return name, r"\ge 0"
    if symbol.is_real and symbol.is_nonzero:
        return name, r"\in \mathbb{R} \setminus \{0\}"
    if symbol.is_real:
        return name, r"\in \mathbb{R}"
    return name, ""


def _symbol_lines(symbols: Iterable[Any]) -> list[str]:
    """The symbols grouped by what they are (``$a, b, c \\in \\mathbb{R}$``), one group a line, in
    order of first appearance."""
    groups: dict[str, list[str]] = {}
    for symbol in symbols:
        name, what = _assumption(symbol)
        groups.setdefault(what, []).append(name)
    return [f"${', '.join(names)} {what}$".replace(" $", "$") for what, names in groups.items()]


def _how_far(derivation: Derivation) -> str:
    checked = len(derivation.steps) - derivation.definitions
    counted = f"{checked} steps, each checked by SymPy"
    if derivation.definitions:
        counted += f", and {derivation.definitions} definition{'s' * (derivation.definitions > 1)}"
    return f"{derivation.extent}; {counted}"


def _anchor(theorem_id: str) -> str:
    return theorem_id.translate(_ANCHOR_TABLE)


def render_derivation(derivation: Derivation) -> str:
    """One theorem's section: statement, source, assumptions, how far it goes, every step."""
    theorem = derivation.theorem
    lines = [
        f'<a id="{_anchor(theorem.id)}"></a>',
        "",
        f"## `{theorem.id}`: {markdown_text(theorem.title)}",
        "",
        f"**Statement** ({markdown_text(theorem.source)}):",
        "",
        "$$",
        theorem.statement,
        "$$",
        "",
    ]
    if theorem.assumptions:
        lines += [f"**Assumptions** (catalogue): {markdown_text('; '.join(theorem.assumptions))}.", ""]
    symbols = ",\n".join(_symbol_lines(derivation.symbols))
    lines += [
        f"**Symbols** (SymPy assumptions): {symbols}.",
        "",
        f"**How far:** {_how_far(derivation)}.",
        "",
    ]
    case = ""
    for number, step in enumerate(derivation.steps, start=1):
        if step.case != case:
            case = step.case
            lines += [f"*{markdown_text(case)}*" if case else "*Back to the general case*", ""]
        lines += [render_step_markdown(step, number), ""]
    for note in derivation.notes:
        lines += [f"> {markdown_text(note)}", ""]
    return "\n".join(lines)


def render(derivations: Iterable[Derivation]) -> str:
    """The whole document: a title, a table of contents with how far each derivation goes, sections."""
    items = list(derivations)
    lines = [
        "# Derivations",
        "",
        "Generated by `wdt proofs --out proofs/DERIVATIONS.md` from the SymPy objects that `wdt proofs` "
        "checks; do not edit by hand (a test fails when this file is out of date).",
        "",
        f"{SYMPY_LINE} {sp.__version__}.",
        "",
        "Each step is an equation with a one-line justification. Checking it either proves the two "
        "sides equal by a targeted rewrite (`cancel`, `factor`, `expand`, `equals`, matrix algebra; "
        "never a blanket `simplify()`),",
        "or derives the stated result with `solve`, `solveset`, `rsolve`, `series`, `limit` or "
        "`sympy.stats.E` and compares, or checks that a case split tiles the real line. The only "
        "numerical steps (`nsolve`, `evalf`: the constants of `es.gf_vs_ridge` and `es.gf_vs_ridge_tuned`) "
        "say so.",
        '"Proved for general n" means every step of the proof is for symbolic size n (matrix symbols), '
        "or in an eigenbasis where the problem decouples into one scalar problem per direction;",
        "steps checked only at explicit sizes are then second checks or counterexamples, and the sizes are "
        'listed after the scope. "Checked for n ≤ N" means explicit sizes only.',
        "A *definition* names an expression and proves nothing; it is labelled and counted apart. "
        f"Formulas longer than {MAX_FORMULA} characters (explicit n = 3 entries) are checked but not "
        "printed.",
        "",
        "| id | theorem | how far | steps |",
        "|---|---|---|---|",
    ]
    for d in items:
        link = f"[`{d.theorem_id}`](#{_anchor(d.theorem_id)})"
        lines.append(f"| {link} | {markdown_text(d.theorem.title)} | {d.extent} | {len(d.steps)} |")
    lines.append("")
    for d in items:
        lines.append(render_derivation(d))
    return "\n".join(lines).rstrip("\n") + "\n"
