"""Derivations in Jupyter: display (``_repr_markdown_``, ``_repr_latex_``) and stepping with results."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import sympy as sp

import proofs
from proofs.document import render, render_derivation, render_step
from proofs.framework import HOW, KIND, StepResult, check_step, check_step_result, define, identity
from theory.errors import InputError


def _formatted(obj: Any) -> dict[str, object]:
    """The MIME bundle IPython's display formatter makes of ``obj`` (what a notebook shows); without
    IPython, the bundle from the ``_repr_*_`` methods it would call."""
    try:
        from IPython.core.formatters import DisplayFormatter
    except ImportError:
        reprs = {"text/markdown": "_repr_markdown_", "text/latex": "_repr_latex_"}
        return {mime: getattr(obj, name)() for mime, name in reprs.items() if hasattr(obj, name)}
    data, _ = DisplayFormatter().format(obj)
    return dict(data)


def test_a_derivation_displays_as_its_section_of_the_document() -> None:
    d = proofs.derivation("l2.eigen")
    bundle = _formatted(d)
    markdown = bundle["text/markdown"]
    assert markdown == render_derivation(d)  # one renderer: the document's
    assert markdown in render([d])
    assert "$$" in markdown and markdown.count("$$") % 2 == 0
    assert r"\frac{\lambda_{i}}{\alpha + \lambda_{i}}" in markdown


def test_a_step_displays_as_markdown_and_latex() -> None:
    step = proofs.derivation("l2.eigen").steps[2]
    bundle = _formatted(step)
    assert bundle["text/latex"] == f"$$ {render_step(step)} $$"
    markdown = bundle["text/markdown"]
    assert render_step(step) in markdown
    assert "*Check:* `solve` returns exactly the stated solution(s)." in markdown
    assert "$$" in markdown


def test_stepping_through_a_derivation_returns_results() -> None:
    d = proofs.derivation("l2.eigen")
    assert len(d) == len(d.steps) and list(d) == list(d.steps)
    results = [step.check() for step in d]
    assert all(isinstance(r, StepResult) and r.passed and bool(r) and r.proved for r in results)
    solved = results[2]
    assert (solved.kind, solved.method, solved.detail) == ("solve", "solve", "")
    assert solved.what == (d.steps[2].lhs, d.steps[2].rhs)
    assert solved.how == HOW["solve"] and solved.why == d.steps[2].why
    assert solved.formula == render_step(d.steps[2])
    assert {r.kind for r in results} == {"identity", "solve", "claim"}
    assert d.check().ok
    with pytest.raises(dataclasses.FrozenInstanceError):
        solved.passed = False  # type: ignore[misc]


def test_a_wrong_step_fails_with_the_residue() -> None:
    step = proofs.derivation("l2.eigen").steps[3]  # λ/(λ + α) = 1 − α/(λ + α)
    wrong = dataclasses.replace(step, rhs=2 - step.rhs)  # 1 + α/(λ + α): the sign flipped
    result = wrong.check()
    assert not result and result.status == "failed" and not result.proved
    assert "not 0" in result.detail and result.detail == check_step(wrong)
    assert "failed" in result._repr_markdown_() and result.detail in result._repr_markdown_()
    assert str(result).startswith("FAILED")


def test_a_definition_is_never_reported_as_proved() -> None:
    x, y = sp.symbols("x y", real=True)
    named = define(y, x + 1, "y := x + 1").check()
    assert named.passed and named.status == "definition" and not named.proved
    assert named.kind == "definition" and named.how.startswith("nothing")
    shown = named._repr_markdown_()
    assert "definition" in shown and "checked: nothing" in shown and "proved" not in shown
    assert "proved" not in str(named)
    bad = define(x + 1, x + 1, "not a name").check()
    assert not bad and "introduce a name" in bad.detail
    same = identity(x + 1, x + 1, "x + 1 = x + 1").check()
    assert not same and "same expression" in same.detail


@pytest.mark.parametrize("theorem_id", ["l2.eigen", "l2.dof", "l1.soft_threshold"])
def test_check_step_is_derived_from_the_result(theorem_id: str) -> None:
    for step in proofs.derivation(theorem_id):
        result = check_step_result(step)
        assert check_step(step) == ("" if result.passed else result.detail)
        assert result.kind == KIND[step.by]
        if step.by in ("cancel", "factor"):
            wrong = dataclasses.replace(step, rhs=sp.Symbol("zz") + 1)
            failed = check_step_result(wrong)
            assert not failed and check_step(wrong) == failed.detail != ""


def test_a_derivation_with_definitions_counts_them_as_such() -> None:
    d = proofs.derivation("adamw.ema")
    statuses = [step.check().status for step in d]
    assert statuses.count("definition") == d.definitions > 0
    assert statuses.count("failed") == 0


def test_an_unknown_derivation_suggests_the_closest_ids() -> None:
    with pytest.raises(InputError, match=r"'l2\.eigne'; did you mean 'l2\.eigen'"):
        proofs.derivation("l2.eigne")
    with pytest.raises(InputError, match="ids with derivations: l2.update"):
        proofs.derivation("no.such")


def test_a_numerical_step_is_computed_not_proved() -> None:
    d = proofs.derivation("es.gf_vs_ridge")
    results = [step.check() for step in d]
    numerical = [r for r in results if r.method in ("nsolve", "evalf")]
    assert numerical and all(r.passed and r.status == "numerical" and not r.proved for r in numerical)
    assert all(r.status != "numerical" for r in results if r.method not in ("nsolve", "evalf"))
    shown = numerical[0]._repr_markdown_()
    assert "numerical" in shown and "not proved" in shown and "✅" not in shown
    assert str(numerical[0]).startswith("computed numerically (not a proof)")
