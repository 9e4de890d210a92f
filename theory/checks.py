"""Registry of the checks that ``wdt verify`` runs: one per (theorem id, route).

A check is a function ``run(ctx: CheckContext) -> CheckResult``. It draws its cases from
``ctx.rng()``, compares a closed form with an independent route, and reports the worst case as
``max_error`` with the ``tolerance`` that case was held to; ``status`` is ``pass`` exactly when
``max_error <= tolerance``. A check that cannot run here (no torch, no CUDA) raises
:class:`CheckSkipped` with the reason.

Routes: ``symbolic`` (SymPy, ``proofs/``), ``numeric`` (NumPy/SciPy, ``theory/``), ``empirical``
(trained torch models, ``theory/empirical/``). The providers are imported lazily by
:func:`all_checks`, so ``theory`` itself depends on neither ``proofs`` nor torch.

Register a check with the decorator::

    @register("l2.optimum", "numeric", "closed form vs scipy.optimize.minimize")
    def _l2_optimum(ctx: CheckContext) -> CheckResult:
        tracker = ErrorTracker()
        for _ in range(ctx.cases(20, 500)):
            ...
            tracker.add(error, tolerance)
        return tracker.result("detail")
"""

from __future__ import annotations

import importlib
import math
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from theory.catalogue import CATALOGUE
from theory.errors import InputError

__all__ = [
    "PROVIDERS",
    "ROUTES",
    "Check",
    "CheckContext",
    "CheckResult",
    "CheckSkipped",
    "ErrorTracker",
    "LabelledTracker",
    "Outcome",
    "all_checks",
    "check_outcome",
    "register",
    "run_check",
    "select",
    "timed_call",
]

Route = Literal["symbolic", "numeric", "empirical"]
Status = Literal["pass", "fail", "skip"]
ROUTES: tuple[Route, ...] = ("symbolic", "numeric", "empirical")

#: Modules whose import registers checks, in the order their rows are printed.
PROVIDERS: tuple[str, ...] = (
    "proofs.checks",
    "theory.numeric_checks",
    "theory.numeric_checks_si",
    "theory.numeric_checks_equilibrium",
    "theory.numeric_checks_dynamics",
    "theory.numeric_checks_double_descent",
    "theory.empirical.checks",
    "theory.empirical.checks_si",
    "theory.empirical.checks_equilibrium",
    "theory.empirical.checks_dynamics",
    "theory.empirical.checks_double_descent",
)


class CheckSkipped(Exception):
    """Raised by a check that cannot run here; the message is the reason shown to the user."""


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a check may depend on: the seed, the effort level and the torch device."""

    seed: int = 0
    thorough: bool = False
    device: str = "cpu"

    def rng(self, salt: int = 0) -> np.random.Generator:
        """A generator seeded from ``seed`` (and ``salt``, to give each check its own stream)."""
        return np.random.default_rng([self.seed, salt])

    def cases(self, default: int, thorough: int) -> int:
        """The number of cases to try: ``default``, or ``thorough`` under ``--thorough``."""
        return thorough if self.thorough else default


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The worst case a check met.

    ``max_error`` and ``tolerance`` belong to the case with the largest error/tolerance ratio.
    ``status`` is derived (``pass`` iff ``max_error <= tolerance``) unless given explicitly, which a
    symbolic check does when "proved" is the whole answer. ``empirical`` is ``None`` when the
    tolerance is derived from the route's error bound (conditioning, dtype, rounding); otherwise it is
    the reason the tolerance could only be set empirically, and ``wdt verify`` flags the row.
    """

    cases: int
    max_error: float
    tolerance: float
    detail: str = ""
    status: Status | None = None
    empirical: str | None = None

    @property
    def ratio(self) -> float:
        """``max_error / tolerance`` (NaN when either is undefined)."""
        if self.tolerance > 0 and math.isfinite(self.max_error):
            return self.max_error / self.tolerance
        if self.tolerance == 0 and self.max_error == 0:
            return 0.0
        return math.nan

    @property
    def verdict(self) -> Status:
        """``status`` if given, else ``pass`` iff the error is within tolerance."""
        if self.status is not None:
            return self.status
        return "pass" if self.max_error <= self.tolerance else "fail"


@dataclass(slots=True)
class ErrorTracker:
    """Keeps the case with the worst error/tolerance ratio over many cases."""

    cases: int = 0
    max_error: float = 0.0
    tolerance: float = 0.0
    worst_ratio: float = -1.0
    notes: list[str] = field(default_factory=list)
    #: ``None``: every tolerance passed to :meth:`add` is derived from an error bound; else the reason
    #: the tolerance is empirical (set it with :meth:`empirical_tolerance`).
    empirical: str | None = None

    def empirical_tolerance(self, reason: str) -> None:
        """Mark this check's tolerance as empirical, with ``reason`` (printed by ``wdt verify``)."""
        if not reason.strip():
            raise InputError("an empirical tolerance needs its reason")
        self.empirical = reason if self.empirical is None else f"{self.empirical}; {reason}"

    def add(self, error: float, tolerance: float) -> None:
        """Record one case. A NaN error counts as infinitely bad; the tolerance must be finite and > 0."""
        error = float(error)
        tolerance = float(tolerance)
        if not 0 < tolerance < math.inf:  # an infinite tolerance passes everything, even an infinite error
            raise InputError(f"a tolerance must be positive and finite; got {tolerance!r}")
        self.cases += 1
        ratio = math.inf if math.isnan(error) else error / tolerance
        if ratio > self.worst_ratio:
            self.worst_ratio = ratio
            self.max_error = math.inf if math.isnan(error) else error
            self.tolerance = tolerance

    def result(self, detail: str = "") -> CheckResult:
        """The worst case as a :class:`CheckResult`."""
        if self.cases == 0:
            raise InputError("a check must try at least one case")
        return CheckResult(self.cases, self.max_error, self.tolerance, detail, empirical=self.empirical)


class LabelledTracker:
    """An :class:`~theory.checks.ErrorTracker` whose every case carries a label saying what its error
    and tolerance measure (and in which unit); the row's detail names the worst case's label, so that
    ``max_error / tolerance`` in ``wdt verify`` can be read."""

    def __init__(self) -> None:
        self.tracker = ErrorTracker()
        self.label = ""

    def add(self, label: str, error: float, tolerance: float) -> None:
        """Record one case (:meth:`ErrorTracker.add`) and, if it is the new worst, its label."""
        before = self.tracker.worst_ratio
        self.tracker.add(error, tolerance)
        if self.tracker.worst_ratio > before:
            self.label = label

    def result(self, detail: str) -> CheckResult:
        """:meth:`ErrorTracker.result`, the detail prefixed by the worst case's label."""
        return self.tracker.result(f"max_error/tolerance is the worst case: {self.label}; {detail}")


@dataclass(frozen=True, slots=True)
class Check:
    """One registered check."""

    theorem_id: str
    route: Route
    name: str
    func: Callable[[CheckContext], CheckResult]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What ``wdt verify`` prints for one check (``--json`` keys are these field names)."""

    id: str
    title: str
    source: str
    route: str
    name: str
    status: Status
    cases: int
    max_error: float
    tolerance: float
    ratio: float
    seconds: float
    detail: str
    #: ``"derived"`` (from the route's error bound) or ``"empirical"`` (see ``empirical_reason``)
    tolerance_basis: str = "derived"
    empirical_reason: str = ""

    @classmethod
    def of(
        cls, result: CheckResult, seconds: float, id: str, title: str, source: str, route: str, name: str
    ) -> Outcome:
        """The row for ``result`` of the check named by the other arguments."""
        return cls(
            id=id,
            title=title,
            source=source,
            route=route,
            name=name,
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

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: non-finite floats become ``None``."""
        out: dict[str, object] = {}
        for key in self.__slots__:
            value = getattr(self, key)
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            out[key] = value
        return out


_REGISTRY: dict[tuple[str, str], Check] = {}


def register(
    theorem_id: str, route: Route, name: str
) -> Callable[[Callable[[CheckContext], CheckResult]], Callable[[CheckContext], CheckResult]]:
    """Decorator: register ``func`` as the ``route`` check of ``theorem_id``."""
    if theorem_id not in CATALOGUE:
        raise InputError(f"cannot register a check for unknown theorem id {theorem_id!r}")
    if route not in ROUTES:
        raise InputError(f"route must be one of {ROUTES}; got {route!r}")

    def decorate(
        func: Callable[[CheckContext], CheckResult],
    ) -> Callable[[CheckContext], CheckResult]:
        key = (theorem_id, route)
        if key in _REGISTRY and _REGISTRY[key].func is not func:
            raise InputError(
                f"{theorem_id} already has a {route} check ({_REGISTRY[key].name!r}); wdt verify prints "
                "one row per (theorem, route), so extend that check instead"
            )
        _REGISTRY[key] = Check(theorem_id, route, name, func)
        return func

    return decorate


def all_checks(providers: Iterable[str] = PROVIDERS) -> list[Check]:
    """Import the provider modules and return every registered check, in catalogue order."""
    for module in providers:
        importlib.import_module(module)
    order = {tid: i for i, tid in enumerate(CATALOGUE)}
    route_order = {r: i for i, r in enumerate(ROUTES)}
    return sorted(
        _REGISTRY.values(),
        key=lambda c: (order[c.theorem_id], route_order[c.route]),
    )


def select(checks: Iterable[Check], prefixes: Iterable[str] = (), routes: Iterable[str] = ()) -> list[Check]:
    """The checks whose theorem id starts with one of ``prefixes`` and whose route is in ``routes``.

    Empty ``prefixes`` or ``routes`` select everything. A prefix that matches no check is an error,
    so a typo is never a silent "nothing failed".
    """
    checks = list(checks)
    prefixes = list(prefixes)
    routes = list(routes)
    for route in routes:
        if route not in ROUTES:
            raise InputError(f"unknown route {route!r}; routes are {', '.join(ROUTES)}")
    chosen = [
        c
        for c in checks
        if (not prefixes or any(c.theorem_id.startswith(p) for p in prefixes))
        and (not routes or c.route in routes)
    ]
    for p in prefixes:
        if not any(c.theorem_id.startswith(p) for c in checks):
            known = ", ".join(sorted({c.theorem_id for c in checks}))
            raise InputError(f"--only {p!r} matches no check; ids with checks: {known}")
    return chosen


def timed_call(func: Callable[[CheckContext], CheckResult], ctx: CheckContext) -> tuple[CheckResult, float]:
    """Run one check function and time it: a :class:`CheckSkipped` becomes a ``skip`` result and any
    other exception a ``fail`` result carrying its type, place and message, never a crash."""
    start = time.perf_counter()
    try:
        result = func(ctx)
    except CheckSkipped as skip:
        result = CheckResult(0, math.nan, math.nan, str(skip), "skip")
    except Exception as exc:  # a broken check is a failed check, with its cause on the row
        last = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"
        result = CheckResult(0, math.nan, math.nan, f"{type(exc).__name__} at {where}: {exc}", "fail")
    return result, time.perf_counter() - start


def run_check(check: Check, ctx: CheckContext) -> Outcome:
    """Run one check, timing it; a skip or an unexpected exception becomes its row, never a crash."""
    result, seconds = timed_call(check.func, ctx)
    return check_outcome(check, result, seconds)


def check_outcome(check: Check, result: CheckResult, seconds: float) -> Outcome:
    """The row of ``check`` for ``result`` (which took ``seconds``)."""
    theorem = CATALOGUE[check.theorem_id]
    return Outcome.of(
        result, seconds, check.theorem_id, theorem.title, theorem.source, check.route, check.name
    )
