"""The claims ledger: what the five source texts say about weight decay, and what of it holds.

The toolkit was built from five short texts (:data:`theory.claims.records.SOURCES`, cited by title and
address). This package keeps one :class:`Claim` record per factual claim they make, paraphrased in
English, with a verdict and the evidence that decides it, and one :class:`Listing` record per code
listing, whose behaviour is re-implemented and run in :mod:`theory.empirical.listings_d2l` and
:mod:`theory.empirical.listings_regularisers`.

Evidence is a tuple of references, each one of

- a theorem id (``"l2.eigen"``): every check ``wdt verify`` runs for that theorem;
- a theorem id and a route (``"l2.eigen:numeric"``): that one check;
- the name of an evidence check registered with :func:`register_evidence` (``"src.d2l.data"``):
  a claim-specific check (a listing run, a counterexample), with the same contract as a ``wdt verify``
  check (a function of a :class:`~theory.checks.CheckContext` returning a
  :class:`~theory.checks.CheckResult`).

:func:`run_ledger` runs the evidence (each reference once, however many claims cite it) and gives each
claim a status: ``verified`` when every reference ran and passed, ``unverified`` when one failed,
crashed or was skipped (a claim whose evidence did not run is never reported as holding), and ``n/a``
for a claim whose verdict is "not a mathematical claim" and that cites no evidence.
``wdt claims [--source S] [--json]`` prints it; ``docs/claims.md`` is its rendered page.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from theory.catalogue import CATALOGUE
from theory.checks import ROUTES, CheckContext, CheckResult, Outcome, all_checks, run_check, timed_call
from theory.errors import InputError

__all__ = [
    "EVIDENCE_PROVIDERS",
    "STATUSES",
    "VERDICTS",
    "Claim",
    "ClaimOutcome",
    "EvidenceCheck",
    "Listing",
    "Source",
    "Status",
    "Verdict",
    "all_evidence",
    "register_evidence",
    "resolve",
    "run_ledger",
]

Verdict = Literal["holds", "holds under conditions", "false", "not a mathematical claim"]
VERDICTS: tuple[Verdict, ...] = ("holds", "holds under conditions", "false", "not a mathematical claim")
Status = Literal["verified", "unverified", "n/a"]
STATUSES: tuple[Status, ...] = ("verified", "unverified", "n/a")

#: Modules whose import registers evidence checks (torch-free first; the listings need torch and skip
#: without it, which leaves the claims that cite them unverified).
EVIDENCE_PROVIDERS: tuple[str, ...] = (
    "theory.claims.evidence",
    "theory.empirical.listings_d2l",
    "theory.empirical.listings_regularisers",
    "theory.empirical.claims_evidence",
)


@dataclass(frozen=True, slots=True)
class Source:
    """One source text. ``key`` is what ``wdt claims --source`` takes."""

    key: str
    title: str  #: the title as the text gives it (the citation)
    site: str  #: author, site or publisher, as the text names it
    url: str | None  #: the address the text gives for itself, if any
    covers: str  #: one line: what the text covers


@dataclass(frozen=True, slots=True)
class Claim:
    """One factual claim of a source text, paraphrased, with its verdict and evidence.

    Attributes:
        id: ``"<source key>.<slug>"``, unique.
        source: a key of :data:`theory.claims.records.SOURCES`.
        section: the section of the text the claim is in (its heading, as the text gives it).
        claim: the claim, paraphrased in English (never the text's own sentence).
        verdict: one of :data:`VERDICTS`.
        conditions: when the claim holds (verdict "holds under conditions"), why it is false (verdict
            "false"), or what makes it a non-mathematical statement; may be empty for "holds".
        evidence: references (see the module docstring) whose checks decide the verdict; empty only for
            "not a mathematical claim".
        network: for a claim true only for linear models or quadratic losses, what holds for a network
            instead, where the catalogue knows (for example scale-invariant weights); else empty.
    """

    id: str
    source: str
    section: str
    claim: str
    verdict: Verdict
    conditions: str = ""
    evidence: tuple[str, ...] = ()
    network: str = ""


@dataclass(frozen=True, slots=True)
class Listing:
    """One code listing of a source text: what it does, what it prints and why, and the checks that run it.

    Attributes:
        id: ``"<source key>.<slug>"``, unique.
        source, section: as for :class:`Claim`.
        behaviour: what the listing does, paraphrased (its code is re-implemented, never copied).
        findings: one sentence each: a number it prints and the theorem that explains it, a difference
            from what the text says it does, a defect of the code as printed.
        evidence: the evidence checks (``src.…``) that run the re-implementation and assert the findings.
    """

    id: str
    source: str
    section: str
    behaviour: str
    findings: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvidenceCheck:
    """A registered claim-specific check."""

    name: str
    description: str
    func: Callable[[CheckContext], CheckResult]


_EVIDENCE: dict[str, EvidenceCheck] = {}


def register_evidence(
    name: str, description: str
) -> Callable[[Callable[[CheckContext], CheckResult]], Callable[[CheckContext], CheckResult]]:
    """Decorator: register ``func`` as the evidence check ``name`` (which must start with ``src.``)."""
    if not name.startswith("src.") or name.count(".") < 2:
        raise InputError(f"an evidence check's name is 'src.<source>.<what>'; got {name!r}")

    def decorate(func: Callable[[CheckContext], CheckResult]) -> Callable[[CheckContext], CheckResult]:
        if name in _EVIDENCE and _EVIDENCE[name].func is not func:
            raise InputError(
                f"evidence check {name!r} is already registered ({_EVIDENCE[name].description!r})"
            )
        _EVIDENCE[name] = EvidenceCheck(name, description, func)
        return func

    return decorate


def all_evidence(providers: Iterable[str] = EVIDENCE_PROVIDERS) -> dict[str, EvidenceCheck]:
    """Import the evidence providers and return every registered evidence check by name."""
    for module in providers:
        importlib.import_module(module)
    return dict(_EVIDENCE)


def resolve(ref: str) -> list[str]:
    """The run keys a reference stands for: ``"<theorem>:<route>"`` for each registered check of a
    theorem (or the one route named), or the evidence check's own name.

    Raises:
        InputError: the reference names no registered check (a typo never reads as "nothing failed").
    """
    if ref.startswith("src."):
        if ref not in all_evidence():
            raise InputError(f"unknown evidence check {ref!r}; registered: {', '.join(sorted(_EVIDENCE))}")
        return [ref]
    theorem, _, route = ref.partition(":")
    if theorem not in CATALOGUE:
        raise InputError(f"evidence {ref!r}: unknown theorem id {theorem!r}")
    if route and route not in ROUTES:
        raise InputError(f"evidence {ref!r}: unknown route {route!r}; routes are {', '.join(ROUTES)}")
    keys = [
        f"{c.theorem_id}:{c.route}"
        for c in all_checks()
        if c.theorem_id == theorem and (not route or c.route == route)
    ]
    if not keys:
        raise InputError(f"evidence {ref!r}: no registered check")
    return keys


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    """A claim (or listing) with its status and the outcome of every check its evidence stands for."""

    record: Claim | Listing
    status: Status
    outcomes: tuple[Outcome, ...]
    reason: str  #: why unverified (the first failing or skipped check and its detail); else empty


def _run_key(key: str, ctx: CheckContext) -> Outcome:
    """Run one check by run key (``theorem:route`` or an evidence name)."""
    if key.startswith("src."):
        evidence_check = all_evidence()[key]
        result, seconds = timed_call(evidence_check.func, ctx)
        return Outcome(
            id=key,
            title=evidence_check.description,
            source="",
            route="evidence",
            name=evidence_check.description,
            status=result.verdict,
            cases=result.cases,
            max_error=result.max_error,
            tolerance=result.tolerance,
            ratio=result.ratio,
            seconds=seconds,
            detail=result.detail,
            tolerance_basis="derived" if result.empirical is None else "empirical",
            empirical_reason=result.empirical or "",
        )
    theorem, _, route = key.partition(":")
    (check,) = [c for c in all_checks() if c.theorem_id == theorem and c.route == route]
    return run_check(check, ctx)


def run_ledger(
    records: Iterable[Claim | Listing],
    ctx: CheckContext,
    on_run: Callable[[str, Outcome], None] | None = None,
) -> list[ClaimOutcome]:
    """Run the evidence of ``records`` (each check once) and return one :class:`ClaimOutcome` each.

    ``on_run(key, outcome)`` is called after each check (progress). A record whose evidence has a
    check that failed, crashed or skipped is ``unverified``, with that check named in ``reason``.
    """
    records = list(records)
    plan = {ref: resolve(ref) for record in records for ref in record.evidence}
    done: dict[str, Outcome] = {}
    out = []
    for record in records:
        outcomes = []
        for ref in record.evidence:
            for key in plan[ref]:
                if key not in done:
                    done[key] = _run_key(key, ctx)
                    if on_run is not None:
                        on_run(key, done[key])
                outcomes.append(done[key])
        bad = [o for o in outcomes if o.status != "pass"]
        if not record.evidence:
            status: Status = "n/a"
        else:
            status = "unverified" if bad else "verified"
        reason = f"{bad[0].id} ({bad[0].route}): {bad[0].status}: {bad[0].detail}" if bad else ""
        out.append(ClaimOutcome(record, status, tuple(outcomes), reason))
    return out
