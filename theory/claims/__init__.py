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
for a claim whose verdict is "not a mathematical claim": nothing to verify (the evidence such a record
may cite backs the precise statement its conditions put in the claim's place; it runs, and a failure
still makes the record ``unverified``).

:func:`load` gives the records, after :func:`validate` has checked every one of them (ids unique and
prefixed by their source key, verdicts known, conditions and evidence present where the verdict needs
them, every reference resolving); a bad record is an :class:`~theory.errors.InputError` naming it.
``wdt claims [--source S ...] [--only PREFIX] [--json]`` (:mod:`theory.claims.cli`) runs and prints the
ledger; ``docs/claims.md`` is its page, rendered from the records by :mod:`theory.claims.render`.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import importlib.util
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Literal

from theory.catalogue import CATALOGUE
from theory.checks import (
    ROUTES,
    CheckContext,
    CheckResult,
    Outcome,
    all_checks,
    check_outcome,
    timed_call,
)
from theory.errors import InputError

__all__ = [
    "EVIDENCE_PROVIDERS",
    "NEEDS_CONDITIONS",
    "STATUSES",
    "VERDICTS",
    "Claim",
    "ClaimOutcome",
    "EvidenceCheck",
    "LedgerInterrupted",
    "Listing",
    "Source",
    "Status",
    "Verdict",
    "all_evidence",
    "load",
    "needs_torch",
    "plan",
    "register_evidence",
    "resolve",
    "run_ledger",
    "validate",
    "warm_up",
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


#: verdicts that need a non-empty ``conditions``: when the claim holds, or why it is false
NEEDS_CONDITIONS: tuple[Verdict, ...] = ("holds under conditions", "false")


def _record_problems(record: object, known_sources: Iterable[str]) -> list[str]:
    """What is wrong with one record (empty when nothing is); each problem a phrase."""
    if not isinstance(record, Claim | Listing):
        return [f"is a {type(record).__name__}, not a Claim or a Listing"]
    problems = []
    known = list(known_sources)
    if record.source not in known:
        problems.append(f"source {record.source!r} is not one of {', '.join(known)}")
    if not record.id.startswith(f"{record.source}.") or record.id == f"{record.source}.":
        problems.append(f"id must be '{record.source}.<slug>' (prefixed by its source key)")
    if not record.section.strip():
        problems.append("section is empty")
    texts = ("evidence",) if isinstance(record, Claim) else ("findings", "evidence")
    for name in texts:  # a bare string where a tuple belongs would be read letter by letter
        value = getattr(record, name)
        if not isinstance(value, tuple) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append(f"{name} must be a tuple of non-empty strings; got {value!r}")
    if isinstance(record, Claim):
        if not record.claim.strip():
            problems.append("claim is empty")
        if record.verdict not in VERDICTS:
            problems.append(f"verdict {record.verdict!r} is not one of {', '.join(map(repr, VERDICTS))}")
        elif record.verdict in NEEDS_CONDITIONS and not record.conditions.strip():
            problems.append(f"verdict {record.verdict!r} needs its conditions")
        if record.verdict != "not a mathematical claim" and not record.evidence:
            problems.append(
                f"verdict {record.verdict!r} needs evidence (only 'not a mathematical claim' may cite none)"
            )
    else:
        if not record.behaviour.strip():
            problems.append("behaviour is empty")
        if not record.findings:
            problems.append("a listing needs at least one finding")
        if not record.evidence:
            problems.append("a listing needs the evidence checks that run it")
    if isinstance(record.evidence, tuple):
        repeated = sorted({ref for ref in record.evidence if record.evidence.count(ref) > 1})
        if repeated:
            problems.append(f"evidence cites {', '.join(repeated)} more than once")
        for ref in record.evidence:
            if isinstance(ref, str) and ref.strip():
                try:
                    resolve(ref)
                except InputError as exc:
                    problems.append(str(exc))
    return problems


def validate(records: Iterable[Claim | Listing], sources: Iterable[str] | None = None) -> None:
    """Check the records of the ledger: ids unique and ``<source>.<slug>``, sources known, verdicts in
    :data:`VERDICTS`, ``conditions`` given for the verdicts in :data:`NEEDS_CONDITIONS`, evidence given
    (unless "not a mathematical claim") as a tuple of references that :func:`resolve`.

    ``sources`` defaults to the keys of :data:`theory.claims.records.SOURCES`.

    Raises:
        InputError: naming every bad record and what is wrong with it.
    """
    if sources is None:
        from theory.claims.records import SOURCES

        sources = SOURCES
    known = list(sources)
    records = list(records)
    problems: list[str] = []
    seen: dict[str, str] = {}  # id -> "the <kind> at record <index>"
    for index, record in enumerate(records):
        rid = getattr(record, "id", None)
        kind = type(record).__name__.lower()
        if rid in seen:
            problems.append(f"{kind} {rid!r} (record {index}): id already used by {seen[rid]}")
        elif isinstance(rid, str):
            seen[rid] = f"the {kind} at record {index}"
        problems += [f"{kind} {rid!r}: {p}" for p in _record_problems(record, known)]
    if problems:
        many = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
        raise InputError("invalid claims-ledger records (" + many + "):\n  " + "\n  ".join(problems))


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""


def load(sources: Iterable[str] = (), only: Iterable[str] = ()) -> list[Claim | Listing]:
    """The records of the ledger (listings first, then claims, each in the texts' order), validated
    (:func:`validate`, all of them), then those of ``sources`` whose id starts with one of ``only``
    (either empty: no filter).

    Raises:
        InputError: an invalid record; an unknown source; a prefix that matches no selected record
            (each with a did-you-mean and the valid choices).
    """
    from theory.claims.records import CLAIMS, LISTINGS, SOURCES

    every: list[Claim | Listing] = [*LISTINGS, *CLAIMS]
    validate(every, SOURCES)
    only = list(only)
    lower = {k.lower(): k for k in SOURCES}
    sources = [lower.get(key.lower(), key) for key in sources]  # --source D2L is d2l
    for key in sources:
        if key not in SOURCES:
            raise InputError(
                f"unknown source {key!r}{_did_you_mean(key, SOURCES)}; sources are {', '.join(SOURCES)}"
            )
    chosen = [r for r in every if not sources or r.source in sources]
    for prefix in only:
        if not any(r.id.startswith(prefix) for r in chosen):
            # close prefixes: the source keys with their dot, and the ids
            near = {f"{k}." for k in SOURCES} | {r.id for r in chosen}
            where = f" of source {', '.join(sources)}" if sources else ""
            keys = ", ".join(f"{k}." for k in (sources or SOURCES))
            raise InputError(
                f"--only {prefix!r} matches no record{where}{_did_you_mean(prefix, sorted(near))}; ids "
                f"start with their source key and a dot: {keys} (wdt claims --source S lists them)"
            )
    return [r for r in chosen if not only or any(r.id.startswith(p) for p in only)]


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    """A claim (or listing) with its status and the outcome of every check its evidence stands for."""

    record: Claim | Listing
    status: Status
    outcomes: tuple[Outcome, ...]
    reason: str  #: why unverified (the first failing or skipped check and its detail); else empty
    #: the evidence reference each of ``outcomes`` was run for (parallel to ``outcomes``)
    refs: tuple[str, ...] = ()

    @property
    def seconds(self) -> float:
        """Seconds of this record's checks (a check shared with other records counts in each)."""
        return sum(o.seconds for o in self.outcomes)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: ``kind`` (``"listing"`` or ``"claim"``), every field of the record (tuples as
        lists) with ``source_title`` (the source text's title) after ``source``, ``status``, ``reason``,
        ``seconds``, and ``checks``: per check run, ``ref`` (the evidence reference it stands for) and
        the keys of :meth:`theory.checks.Outcome.as_dict` (an evidence check's ``source`` is its source
        text's key, ``d2l`` for ``src.d2l.data``)."""
        from theory.claims.records import SOURCES

        out: dict[str, object] = {"kind": "claim" if isinstance(self.record, Claim) else "listing"}
        for key in self.record.__slots__:
            value = getattr(self.record, key)
            out[key] = list(value) if isinstance(value, tuple) else value
            if key == "source":  # the text's title, as the ledger cites it
                known = SOURCES.get(self.record.source)
                out["source_title"] = known.title if known is not None else ""
        out["status"] = self.status
        out["reason"] = self.reason
        out["seconds"] = self.seconds
        out["checks"] = [{"ref": ref, **o.as_dict()} for ref, o in zip(self.refs, self.outcomes, strict=True)]
        return out


def _sound(result: object) -> CheckResult:
    """``result`` if it is a CheckResult whose pass means something, else a ``fail`` result saying why.

    A check is trusted only as far as its result can be read: a pass needs at least one case and a
    finite, non-negative tolerance (a pass over zero cases, or within an infinite tolerance, checked
    nothing), and anything but a CheckResult (``None`` from a missing ``return``) is a broken check,
    reported on its row rather than crashing the run.
    """
    if not isinstance(result, CheckResult):
        return CheckResult(
            0,
            math.nan,
            math.nan,
            f"the check returned {type(result).__name__} {result!r:.60}, not a CheckResult",
            "fail",
        )
    if result.verdict != "pass":
        return result
    why = []
    if not (isinstance(result.cases, int) and result.cases >= 1):
        why.append(f"{result.cases!r} cases (nothing was checked)")
    if not (math.isfinite(result.tolerance) and result.tolerance >= 0):
        why.append(f"tolerance {result.tolerance!r} (not finite and non-negative)")
    if not math.isfinite(result.max_error):
        why.append(f"error {result.max_error!r} (not finite)")
    if not why:
        return result
    detail = f"a pass with {' and '.join(why)} is not evidence" + (
        f"; {result.detail}" if result.detail else ""
    )
    return replace(result, detail=detail, status="fail")


def _run_key(key: str, ctx: CheckContext) -> Outcome:
    """Run one check by run key (``theorem:route`` or an evidence name)."""
    if key.startswith("src."):
        evidence_check = all_evidence()[key]
        result, seconds = timed_call(evidence_check.func, ctx)
        source = key.split(".")[1]  # src.<source>.<what>: the source text's key
        name = evidence_check.description
        return Outcome.of(_sound(result), seconds, key, name, source, "evidence", name)
    theorem, _, route = key.partition(":")
    (check,) = [c for c in all_checks() if c.theorem_id == theorem and c.route == route]
    result, seconds = timed_call(check.func, ctx)
    return check_outcome(check, _sound(result), seconds)


def plan(records: Iterable[Claim | Listing]) -> list[str]:
    """The run keys the records' evidence stands for, each once, in the order they will run."""
    keys: dict[str, None] = {}
    for record in records:
        for ref in record.evidence:
            keys.update(dict.fromkeys(resolve(ref)))
    return list(keys)


def run_ledger(
    records: Iterable[Claim | Listing],
    ctx: CheckContext,
    on_run: Callable[[str, Outcome], None] | None = None,
    on_start: Callable[[str], None] | None = None,
) -> list[ClaimOutcome]:
    """Validate ``records`` (:func:`validate`), run their evidence (each check once, however many
    records cite it) and return one :class:`ClaimOutcome` each, in order.

    ``on_start(key)`` and ``on_run(key, outcome)`` are called before and after each check (progress).
    A record whose evidence has a check that failed, crashed or skipped is ``unverified``, with the
    first such check and its detail in ``reason`` (and the others named); otherwise a "not a
    mathematical claim" (with or without evidence) is ``n/a``, any other record ``verified``.

    Raises:
        LedgerInterrupted: on Ctrl-C, with the records finished before it.
    """
    records = list(records)
    validate(records)
    warm_up(plan(records))
    done: dict[str, Outcome] = {}
    out: list[ClaimOutcome] = []
    try:
        for record in records:
            out.append(_run_record(record, ctx, done, on_run, on_start))
    except KeyboardInterrupt:
        raise LedgerInterrupted(out, len(records)) from None
    return out


def needs_torch(keys: Iterable[str]) -> bool:
    """Whether a run key stands for a torch check: an evidence check of a ``theory.empirical`` module,
    or a theorem's empirical route."""
    evidence = all_evidence()
    return any(
        key.endswith(":empirical")
        or (key in evidence and evidence[key].func.__module__.startswith("theory.empirical"))
        for key in keys
    )


def warm_up(keys: Iterable[str]) -> None:
    """Import the evidence providers and, when a key needs it and it is installed, torch, before the
    first check is timed: the seconds of each check are then its own, not torch's import time
    (≈ 1-2 s charged to whichever torch check ran first)."""
    keys = list(keys)
    if needs_torch(keys) and importlib.util.find_spec("torch") is not None:
        # a broken install: the checks themselves report it (skip or crash)
        with contextlib.suppress(Exception):
            importlib.import_module("torch")


class LedgerInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`run_ledger`: carries the records finished before it and the planned count."""

    def __init__(self, outcomes: list[ClaimOutcome], planned: int) -> None:
        super().__init__(f"interrupted after {len(outcomes)} of {planned} records")
        self.outcomes = outcomes
        self.planned = planned


def _run_record(
    record: Claim | Listing,
    ctx: CheckContext,
    done: dict[str, Outcome],
    on_run: Callable[[str, Outcome], None] | None,
    on_start: Callable[[str], None] | None,
) -> ClaimOutcome:
    """One record of :func:`run_ledger`: its checks not in ``done`` run (and are added to it)."""
    outcomes: dict[str, Outcome] = {}  # run key -> outcome; a key two refs share counts once
    refs: dict[str, str] = {}
    for ref in record.evidence:
        for key in resolve(ref):
            if key not in done:
                if on_start is not None:
                    on_start(key)
                done[key] = _run_key(key, ctx)
                if on_run is not None:
                    on_run(key, done[key])
            outcomes.setdefault(key, done[key])
            refs.setdefault(key, ref)
    bad = [o for o in outcomes.values() if o.status != "pass"]
    nothing_to_verify = isinstance(record, Claim) and record.verdict == "not a mathematical claim"
    status: Status = "unverified" if bad else "n/a" if nothing_to_verify else "verified"
    reason = ""
    if bad:
        reason = f"{bad[0].id} ({bad[0].route}): {bad[0].status}: {bad[0].detail}"
        if len(bad) > 1:
            reason += f"; and {len(bad) - 1} more: " + ", ".join(
                f"{o.id} ({o.route}): {o.status}" for o in bad[1:]
            )
    return ClaimOutcome(record, status, tuple(outcomes.values()), reason, tuple(refs.values()))
