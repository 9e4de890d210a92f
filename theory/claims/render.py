"""The page ``docs/claims.md``: the claims ledger rendered from its records.

:func:`claims_page` renders, from :mod:`theory.claims.records` alone (no check is run, so the page holds
nothing that drifts from run to run): a header saying how to run the evidence (``wdt claims``) and
what the verdicts and statuses mean, an overview (records per source and verdict), then per source
text its title, address and what it covers, its code listings (behaviour, findings, evidence) and its
claims (paraphrase, verdict, conditions, what holds for a network, evidence). A theorem id in the
evidence links to its entry in the catalogue of ``docs/reference.md``; an evidence check is named with
its description.

``python -m theory.harness.docs --write`` writes it (block ``claims`` of ``docs/claims.md``, see
:mod:`theory.harness.docs`); ``tests/test_claims.py`` fails when the committed page is out of date.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from theory.catalogue import CATALOGUE
from theory.claims import VERDICTS, Claim, Listing, Source, all_evidence, validate

__all__ = ["catalogue_anchor", "claims_page", "evidence_link"]

#: what each verdict means, as the page's header says it
VERDICT_MEANING: dict[str, str] = {
    "holds": "true as the text states it (the evidence proves or checks it)",
    "holds under conditions": "true only under the conditions given with it (for example for a linear "
    "model, a quadratic loss, plain SGD, or an exact minimiser); outside them it fails",
    "false": "wrong as stated; the conditions say why, and the evidence shows it",
    "not a mathematical claim": "advice, a matter of practice or of wording that no theorem decides; "
    "recorded so that every statement of the texts has a record",
}


def catalogue_anchor(theorem_id: str) -> str:
    """The anchor of a theorem's heading in ``docs/reference.md``.

    The heading is ``### `<id>`: <title>`` (:func:`theory.harness.docs.catalogue_section`); a Markdown
    renderer such as GitHub's makes its anchor by dropping the backticks and every character that is
    not a letter, digit, ``_``, ``-`` or space, lower-casing, and turning each space into ``-``.
    """
    heading = f"{theorem_id}: {CATALOGUE[theorem_id].title}".lower()
    return re.sub(r"[^\w\- ]", "", heading).replace(" ", "-")


def evidence_link(ref: str) -> str:
    """One evidence reference in Markdown: a theorem (or one of its routes) linked to the catalogue
    with its title; an evidence check with its description."""
    if ref.startswith("src."):
        return f"`{ref}` ({_text(all_evidence()[ref].description)})"
    theorem = ref.partition(":")[0]
    return f"[`{ref}`](reference.md#{catalogue_anchor(theorem)}) ({_text(CATALOGUE[theorem].title)})"


def _text(text: str) -> str:
    """Record text for Markdown: on one line, and no ``<`` that could open an HTML tag."""
    return " ".join(text.split()).replace("<", "&lt;")


def _evidence(refs: Iterable[str]) -> str:
    return "; ".join(evidence_link(ref) for ref in refs) or "none"


def _header() -> str:
    verdicts = "\n".join(f"- **{v}**: {VERDICT_MEANING[v]}." for v in VERDICTS)
    return f"""\
The toolkit was built from five short texts on weight decay, which mix correct theory with code and
claims that are wrong or true only under conditions. This page has one record per code listing of
those texts (what it does, described in our words, and what it prints and why) and one per factual
claim (paraphrased in English, never quoted), each with a verdict and the evidence that decides it:
theorems of the catalogue ([reference.md](reference.md#theorem-catalogue)), and claim-specific
checks (`src.…`) that re-implement a listing's behaviour or build a counterexample. The texts are
cited by title, and by address where the text gives one.

Run the evidence with `wdt claims` (`--source d2l` for one text, `--only d2l.` for an id prefix,
`--json` for everything a script needs; see the README). It prints each record's status:

- **verified**: every check its evidence stands for ran and passed;
- **unverified**: one of them failed, crashed or was skipped (for example without torch): a claim
  whose evidence did not run is never reported as holding;
- **n/a**: a "not a mathematical claim": nothing to verify (evidence it cites backs the precise
  statement its conditions put in its place, and must pass too).

This page is generated from the records (`python -m theory.harness.docs --write`); the statuses are what
`wdt claims` prints. The numbers in the listings' findings are those their checks measure at the
default seed 0 (the d2l checks assert the quoted ones at that seed); `wdt claims --seed N` reruns the
checks on other random draws, and each check's detail (`--json`) shows that draw's numbers. The d2l
numbers differ from the README's section on the d2l experiment because that section draws the data
and the start with the project's own generator (`theory/empirical/d2l.py`), while the listings
re-implement d2l's helpers and draw their own: two draws of one experiment, each predicted exactly.
The verdicts:

{verdicts}

An evidence reference is a theorem id (every check `wdt verify` runs for it), `id:route` (one of
them), or the name of a claim-specific check."""


def _overview(sources: dict[str, Source], records: list[Claim | Listing]) -> str:
    head = "| text | key | listings | claims | " + " | ".join(VERDICTS) + " |"
    lines = [head, "|---|---|---|---|" + "---|" * len(VERDICTS)]
    for key, source in sources.items():
        mine = [r for r in records if r.source == key]
        verdicts = Counter(r.verdict for r in mine if isinstance(r, Claim))
        listings = sum(isinstance(r, Listing) for r in mine)
        counts = " | ".join(str(verdicts[v]) for v in VERDICTS)
        lines.append(
            f"| [{source.title}](#{key}) | `{key}` | {listings} | {sum(verdicts.values())} | {counts} |"
        )
    return "\n".join(lines)


def _listing(listing: Listing) -> str:
    findings = "\n".join(f"- {_text(f)}" for f in listing.findings)
    return (
        f'<a id="{listing.id}"></a>\n'
        f"#### `{listing.id}` (section {_text(listing.section)})\n\n"
        f"{_text(listing.behaviour)}\n\n"
        f"What it prints and does, explained:\n\n{findings}\n\n"
        f"Evidence: {_evidence(listing.evidence)}"
    )


def _claim(claim: Claim) -> str:
    lines = [
        f'- <a id="{claim.id}"></a>**`{claim.id}`** (section {_text(claim.section)}): {_text(claim.claim)}',
        f"  - Verdict: **{claim.verdict}**" + (f": {_text(claim.conditions)}" if claim.conditions else ""),
    ]
    if claim.network:
        lines.append(f"  - For a network: {_text(claim.network)}")
    lines.append(f"  - Evidence: {_evidence(claim.evidence)}")
    return "\n".join(lines)


def _source(source: Source, records: list[Claim | Listing]) -> str:
    address = f"<{source.url}>" if source.url else "the text gives no address"
    parts = [
        f'<a id="{source.key}"></a>\n## `{source.key}`: {source.title}\n\n'
        f"{_text(source.site[:1].upper() + source.site[1:])}; {address}. It covers {_text(source.covers)}."
    ]
    listings = [r for r in records if isinstance(r, Listing)]
    claims = [r for r in records if isinstance(r, Claim)]
    if listings:
        parts.append("### Code listings\n\n" + "\n\n".join(_listing(r) for r in listings))
    parts.append(
        "### Claims\n\n" + ("\n".join(_claim(r) for r in claims) if claims else "No claims recorded yet.")
    )
    return "\n\n".join(parts)


def claims_page(
    listings: Iterable[Listing] | None = None,
    claims: Iterable[Claim] | None = None,
    sources: dict[str, Source] | None = None,
) -> str:
    """The Markdown of ``docs/claims.md``'s generated block (the records default to the ledger's).

    Raises:
        InputError: a record is invalid (:func:`theory.claims.validate`).
    """
    from theory.claims import records as ledger

    listings = list(ledger.LISTINGS if listings is None else listings)
    claims = list(ledger.CLAIMS if claims is None else claims)
    sources = ledger.SOURCES if sources is None else sources
    records: list[Claim | Listing] = [*listings, *claims]
    validate(records, sources)
    parts = [_header(), _overview(sources, records)]
    parts += [_source(s, [r for r in records if r.source == key]) for key, s in sources.items()]
    return "\n\n".join(parts)
