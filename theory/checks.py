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

Your own theorems (plugins): add the theorem with :func:`theory.catalogue.add`, then register its
checks as above. ``wdt verify`` finds them in two ways, both through :func:`load_plugins`:

* an installed package declares the module that does this in the entry-point group
  ``weight_decay_theory.plugins`` (:data:`PLUGIN_GROUP`), e.g. in its ``pyproject.toml``::

      [project.entry-points."weight_decay_theory.plugins"]
      mine = "my_package.wdt_checks"

* ``wdt verify --plugin MODULE`` imports a module by name, or a file by path (``./my_theorems.py``).

Their theorems then get rows, JSON, ``--only`` and exit codes like the built-in ones. A plugin that
fails to import, or whose import raises while adding or registering, leaves nothing behind and
becomes one failed row ``plugin:<name>`` (route ``plugin``) carrying the cause, placed at the plugin's
own file and line; so does a plugin whose import registers no check at all, and a theorem a plugin adds
without a check is a failed row ``<id> has no check``. A check that raises (even ``SystemExit``) or
returns something other than a :class:`CheckResult` is a failed row with the cause, never a crash.
``examples/wdt-plugin-example`` is a complete plugin package.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import importlib.metadata
import importlib.util
import math
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from theory.catalogue import CATALOGUE, Theorem
from theory.errors import InputError

__all__ = [
    "PLUGIN_GROUP",
    "PROVIDERS",
    "ROUTES",
    "Check",
    "CheckContext",
    "CheckResult",
    "CheckSkipped",
    "ErrorTracker",
    "LabelledTracker",
    "Outcome",
    "PluginFailure",
    "all_checks",
    "check_outcome",
    "load_plugins",
    "plugin_theorems",
    "register",
    "run_check",
    "sandbox",
    "select",
    "timed_call",
]

Route = Literal["symbolic", "numeric", "empirical"]
Status = Literal["pass", "fail", "skip"]
ROUTES: tuple[Route, ...] = ("symbolic", "numeric", "empirical")

#: Modules whose import registers checks, in the order their rows are printed.
PROVIDERS: tuple[str, ...] = (
    "proofs.checks",
    "theory.harness.numeric_checks",
    "theory.harness.numeric_checks_si",
    "theory.harness.numeric_checks_equilibrium",
    "theory.harness.numeric_checks_dynamics",
    "theory.harness.numeric_checks_double_descent",
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
    #: the plugin whose import registered it (``""``: a built-in check), and whether that plugin was
    #: an installed entry point (rather than ``--plugin``)
    plugin: str = ""
    entry_point: bool = False


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

    @classmethod
    def plugin_failure(
        cls, id: str, title: str, source: str, name: str, detail: str, seconds: float = 0.0
    ) -> Outcome:
        """A failed row of route ``plugin`` with no measurement: a plugin that did not load, or a
        theorem it added without a check; ``detail`` carries the cause (into ``--json`` too)."""
        return cls(
            id=id,
            title=title,
            source=source,
            route="plugin",
            name=name,
            status="fail",
            cases=0,
            max_error=math.nan,
            tolerance=math.nan,
            ratio=math.nan,
            seconds=seconds,
            detail=detail,
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
    """Decorator: register ``func`` as the ``route`` check of ``theorem_id``.

    The id must be in the catalogue: a built-in theorem, or one added with :func:`theory.catalogue.add`.
    """
    if theorem_id not in CATALOGUE:
        raise InputError(
            f"cannot register a check for unknown theorem id {theorem_id!r}; "
            "add your theorem first with theory.catalogue.add(Theorem(...))"
        )
    if route not in ROUTES:
        raise InputError(f"route must be one of {ROUTES}; got {route!r}")

    def decorate(
        func: Callable[[CheckContext], CheckResult],
    ) -> Callable[[CheckContext], CheckResult]:
        key = (theorem_id, route)
        if key in _REGISTRY and _REGISTRY[key].func is not func:
            raise InputError(
                f"cannot register {name!r} ({func.__module__}.{func.__qualname__}) as the {route} check "
                f"of {theorem_id}: it already has one ({_REGISTRY[key].name!r}); wdt verify prints one "
                "row per (theorem, route), so extend that check instead"
            )
        _REGISTRY[key] = Check(theorem_id, route, name, func)
        return func

    return decorate


def all_checks(providers: Iterable[str] = PROVIDERS) -> list[Check]:
    """Import the provider modules and return every registered check, in catalogue order."""
    for module in providers:
        importlib.import_module(module)
    for key in [k for k in _REGISTRY if k[0] not in CATALOGUE]:  # its theorem was removed again
        del _REGISTRY[key]
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
        returned = func(ctx)
    except CheckSkipped as skip:
        returned = CheckResult(0, math.nan, math.nan, str(skip), "skip")
    except (Exception, SystemExit) as exc:  # a broken check is a failed check (Ctrl-C still stops)
        returned = CheckResult(0, math.nan, math.nan, _cause(exc, _home(func)), "fail")
    if not isinstance(returned, CheckResult):  # a float, None, a dict: say so on the row
        returned = CheckResult(
            0,
            math.nan,
            math.nan,
            f"the check returned {type(returned).__name__} {returned!r:.60}, not a CheckResult",
            "fail",
        )
    return returned, time.perf_counter() - start


def _cause(exc: BaseException, home: str | None = None) -> str:
    """``Type at file:line: message``.

    The place is the innermost frame inside ``home`` (a plugin's file, or its package's folder), so
    that a plugin's error points at the user's line rather than into the toolkit; without such a frame
    it is a :class:`SyntaxError`'s own file and line; else, when ``home`` is ``None`` (no plugin: a
    built-in check), the innermost frame that is not the import machinery (``<frozen importlib...>``);
    else no place (``home`` ``""``: a plugin whose file is unknown, e.g. a missing module).
    """
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith("<frozen")]
    inside = [f for f in frames if home and _within(f.filename, home)]
    if inside:
        where = f"{Path(inside[-1].filename).name}:{inside[-1].lineno}"
    elif isinstance(exc, SyntaxError) and exc.filename:
        where = f"{Path(exc.filename).name}:{exc.lineno}"
    elif frames and home is None:
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}"
    else:  # no frame of the plugin's: a toolkit place would mislead
        return f"{type(exc).__name__}: {exc}"
    return f"{type(exc).__name__} at {where}: {exc}"


def _within(filename: str, home: str) -> bool:
    """Whether ``filename`` is the file ``home`` or lies in the folder ``home``."""
    path, home = os.path.abspath(filename), os.path.abspath(home)
    return path == home or path.startswith(home + os.sep)


def _home(func: Callable[..., object]) -> str | None:
    """The file of a plugin's check function (``None`` for a built-in one: its innermost frame is
    the useful place)."""
    code = getattr(func, "__code__", None)
    if getattr(func, "__module__", None) in PROVIDERS or code is None:
        return None
    return str(code.co_filename)


def _module_home(module: str) -> str | None:
    """The file of module ``module``, or the folder of a package (``None`` when it cannot be found)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    origin = None if spec is None else spec.origin
    if not origin or not origin.endswith(".py"):
        return None
    return str(Path(origin).parent) if Path(origin).name == "__init__.py" else origin


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


#: The entry-point group whose modules ``wdt verify`` imports (:func:`load_plugins`).
PLUGIN_GROUP = "weight_decay_theory.plugins"


@dataclass(frozen=True, slots=True)
class PluginFailure:
    """A plugin that could not be loaded: its name, where it was declared, and why it failed."""

    name: str
    origin: str
    cause: str
    seconds: float = 0.0

    def outcome(self) -> Outcome:
        """Its row in ``wdt verify``: id ``plugin:<name>``, route ``plugin``, status ``fail``, the cause
        as the detail (so ``--json`` carries it too)."""
        return Outcome.plugin_failure(
            id=f"plugin:{self.name}",
            title=f"plugin {self.name} did not load",
            source=self.origin,
            name="import the plugin and register its checks",
            detail=self.cause,
            seconds=self.seconds,
        )


#: theorem id -> (plugin name, loaded from an entry point) for every theorem a loaded plugin added
_PLUGIN_THEOREMS: dict[str, tuple[str, bool]] = {}


def plugin_theorems(*, entry_points: bool = True) -> dict[str, str]:
    """The theorems that loaded plugins added (still in the catalogue): id -> plugin name; without
    those of installed entry points when ``entry_points`` is false."""
    return {
        tid: name
        for tid, (name, from_ep) in _PLUGIN_THEOREMS.items()
        if tid in CATALOGUE and (entry_points or not from_ep)
    }


#: the modules :func:`load_plugins` imported successfully, so that loading twice in one process imports once
_LOADED: set[str] = set()


def load_plugins(modules: Iterable[str] = (), *, discover: bool = True) -> list[PluginFailure]:
    """Import every plugin module and return the ones that failed (an empty list when all loaded).

    The plugins are the modules named by the entry points of group :data:`PLUGIN_GROUP` (unless
    ``discover`` is false), then ``modules``: each a module name (``my_theorems``, imported from
    ``sys.path``) or the path of a ``.py`` file. Importing a plugin is what adds its theorems
    (:func:`theory.catalogue.add`) and registers its checks (:func:`register`). A plugin fails when its
    import raises (even :class:`SystemExit`), or when it registers no check; its failure is returned,
    never raised, and whatever it added or registered before failing is undone (the module too, so a
    second load tries again). A plugin that loaded is not imported again. The built-in check providers
    (:data:`PROVIDERS`) are imported before any plugin, so a failing plugin never undoes their checks.
    """
    # the built-in providers first: a plugin that imports one and then fails must not roll its checks
    # back (the rollback restores the registry as it was before the plugin), and a plugin that
    # registers a second check for a built-in (theorem, route) must be the one refused
    all_checks()
    failures: list[PluginFailure] = []
    if discover:
        try:
            found = list(importlib.metadata.entry_points(group=PLUGIN_GROUP))
        except Exception as exc:  # unreadable metadata of some installed package
            failures.append(PluginFailure("entry-points", f"entry-point group {PLUGIN_GROUP}", _cause(exc)))
            found = []
        for ep in found:
            dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist is not None else "an unknown distribution"
            origin = f"entry point {ep.name} = {ep.value} of {dist}"
            failure = _load_one(ep.name, ep.module, origin, ep.load, entry_point=True)
            if failure is not None:
                failures.append(failure)
    for name in modules:
        failure = _load_one(*_module_loader(name))
        if failure is not None:
            failures.append(failure)
    return failures


def _module_loader(name: str) -> tuple[str, str, str, Callable[[], object], str | None]:
    """``(row name, module name, origin, import function, file)`` for a ``--plugin`` argument."""
    origin = f"--plugin {name}"
    if not name.endswith(".py"):
        return name, name, origin, lambda: importlib.import_module(name), None
    path = Path(name)
    module = path.stem

    def load() -> object:
        if not path.is_file():
            raise FileNotFoundError(f"no plugin file {str(path)!r} (from {Path.cwd()})")
        if not module.isidentifier():
            raise InputError(f"a plugin file's name must be a Python identifier; got {path.name!r}")
        if module in sys.modules:
            raise InputError(f"the module name {module!r} of {str(path)!r} is already taken; rename the file")
        spec = importlib.util.spec_from_file_location(module, path)
        if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has a loader
            raise InputError(f"cannot import {str(path)!r}")
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[module] = loaded  # as import does: dataclasses and pickling look the module up here
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules[module]
            raise
        return loaded

    return path.name, module, origin, load, os.path.abspath(path)


def _load_one(
    name: str,
    module: str,
    origin: str,
    load: Callable[[], object],
    home: str | None = None,
    *,
    entry_point: bool = False,
) -> PluginFailure | None:
    """Import one plugin; on failure undo what it added and return the failure (its cause placed in
    the plugin's file ``home``, or its module's file or package folder). On success, mark the checks it
    registered with its name (:attr:`Check.plugin`) and remember the theorems it added."""
    if module in _LOADED and module in sys.modules:
        return None  # loaded before, in this process
    fresh = module not in sys.modules
    theorems, registry = dict(CATALOGUE), dict(_REGISTRY)
    start = time.perf_counter()
    cause: str | None = None
    try:
        load()
    except (Exception, SystemExit) as exc:  # a broken plugin is a failed row, never a crash
        cause = _cause(exc, home or _module_home(module) or "")  # "": a plugin whose file is unknown
    else:
        if fresh and set(_REGISTRY) <= set(registry):
            cause = (
                f"importing {module} registered no check (a plugin module adds its theorems with "
                "theory.catalogue.add and registers their checks with theory.checks.register)"
            )
    seconds = time.perf_counter() - start
    if cause is None:
        _LOADED.add(module)
        for key in set(_REGISTRY) - set(registry):
            _REGISTRY[key] = dataclasses.replace(_REGISTRY[key], plugin=name, entry_point=entry_point)
        for tid in set(CATALOGUE) - set(theorems):
            _PLUGIN_THEOREMS[tid] = (name, entry_point)
        return None
    _restore(theorems, registry)
    if fresh:
        sys.modules.pop(module, None)  # so that loading it again runs it again, and fails again
    return PluginFailure(name, origin, cause, seconds)


def _restore(theorems: dict[str, Theorem], registry: dict[tuple[str, str], Check]) -> None:
    """Put the catalogue and the registry back as they were (in place: other modules hold them)."""
    CATALOGUE.clear()
    CATALOGUE.update(theorems)
    _REGISTRY.clear()
    _REGISTRY.update(registry)


@contextlib.contextmanager
def sandbox() -> Iterator[None]:
    """Undo, on exit, every theorem added, check registered and plugin loaded inside the block.

    For tests and examples that add theorems of their own: the plugin modules loaded inside are
    forgotten (also from ``sys.modules``), so loading them again imports them again. The built-in
    providers are imported first, so that their checks are not among what the block undoes.
    """
    all_checks()
    theorems, registry, loaded = dict(CATALOGUE), dict(_REGISTRY), set(_LOADED)
    added = dict(_PLUGIN_THEOREMS)
    try:
        yield
    finally:
        _restore(theorems, registry)
        _PLUGIN_THEOREMS.clear()
        _PLUGIN_THEOREMS.update(added)
        for module in _LOADED - loaded:
            _LOADED.discard(module)
            sys.modules.pop(module, None)
