"""A bridge from Hypothesis to ``wdt verify``: a property of drawn inputs becomes a numeric check.

A property is a function of drawn inputs that returns ``(error, tolerance)`` for one case, the error
of a closed form against an independent route and the bound it must stay within. :func:`property_check`
turns it into a check ``run(ctx) -> CheckResult`` and registers it as a row of ``wdt verify``::

    import numpy as np
    from theory.checks import CheckContext
    from theory.numerics import residual_tolerance
    from theory.testing import property_check, strategies as wst

    @property_check("l2.optimum", wst.quadratics(dims=(1, 6)), wst.alphas(), register=False)
    def ridge_solves_its_normal_equations(qm, alpha):
        q, _ = qm
        w = q.l2_optimum(alpha)
        residual = q.H @ (w - q.w_star) + alpha * w  # ∇(J + α/2‖w‖²) at the optimum
        # a backward-stable solve leaves a residual of c·d·eps·(‖H‖ + α)·‖w‖ whatever κ (hence κ = 1),
        # and forming H(w − w*) rounds by d·eps·‖H‖·(‖w‖ + ‖w*‖); the floor keeps it positive at w* = 0
        lam, w_max = float(np.max(q.eigenvalues)), float(np.max(np.abs(w)))
        scale = lam * (w_max + float(np.max(np.abs(q.w_star)))) + alpha * w_max + 1e-300
        return float(np.max(np.abs(residual))), residual_tolerance(q.d, 1.0) * scale

    ridge_solves_its_normal_equations(CheckContext(seed=0))  # a CheckResult

What the check does (``run(ctx)``):

* runs Hypothesis over the strategies with ``max_examples`` examples (``thorough`` under ``wdt verify
  --thorough``), seeded from ``ctx.seed`` (``hypothesis.seed``; no example database), so one seed is
  one run, repeatable: the same cases whatever ran before in the process. (Hypothesis also mixes into
  its draws the literal constants of every non-installed module imported so far, so that which
  modules happened to be imported, e.g. by an earlier empirical check, would change the cases; the
  bridge empties that pool while it runs. What stays machine-dependent is the rounding of each case:
  a ratio at rounding level can differ with the BLAS, not with the order of the checks.);
* calls ``hypothesis.target(error/tolerance)`` on every case, so Hypothesis's targeted phase climbs
  towards the worst case (Löscher & Sagonas, "Targeted property-based testing", ISSTA 2017);
* reports ``cases`` (every call of the property: generation, targeting and shrinking), and the worst
  ``error``/``tolerance`` pair over them, as an :class:`~theory.checks.ErrorTracker` does;
* when a case fails (``error > tolerance``, an error that is negative or not finite, a tolerance that
  is not positive and finite, or the property raises) Hypothesis shrinks
  it, and the row's detail carries the SHRUNK counterexample: the ``repr`` of each input (a
  :class:`~theory.Quadratic` prints its w*, rank and spectrum range) with its error and tolerance or
  the exception it raised;
* Hypothesis's own errors (a failed health check, a flaky property that fails and then passes on the
  same input, a strategy that cannot be satisfied) become a failed row that names the cause, never a
  crash of ``wdt verify``.

A tolerance must be positive and finite (:meth:`~theory.checks.ErrorTracker.add`); derive it from the
route's error bound (:mod:`theory.numerics`), or pass ``empirical="reason"`` when it can only be set
empirically, and the row is flagged so.
"""

from __future__ import annotations

import contextlib
import importlib
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings, target
from hypothesis import errors as hyp_errors
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from theory.checks import CheckContext, CheckResult, ErrorTracker, Route
from theory.checks import register as register_check
from theory.errors import InputError

__all__ = ["property_check", "run_property"]

#: How many characters of one input's repr a row's detail keeps.
REPR_LIMIT = 400

Property = Callable[..., tuple[float, float]]


class _CaseFailed(AssertionError):
    """Raised inside the Hypothesis test when one case exceeds its tolerance (so that it shrinks)."""


def _short_repr(value: Any) -> str:
    """``repr`` of one drawn input, arrays summarised by NumPy, cut at :data:`REPR_LIMIT` characters."""
    with np.printoptions(precision=4, threshold=12, edgeitems=3, linewidth=10_000):
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= REPR_LIMIT else text[: REPR_LIMIT - 1] + "…"


def _cause(exc: BaseException) -> str:
    """The exception's message on one line, cut at :data:`REPR_LIMIT` characters."""
    return " ".join(str(exc).split())[:REPR_LIMIT]


def _inputs(args: tuple[Any, ...]) -> str:
    return ", ".join(_short_repr(a) for a in args)


@contextlib.contextmanager
def _no_local_constants() -> Iterator[None]:
    """While inside: Hypothesis's pool of constants taken from the source of the imported local
    modules is empty (it grows as modules are imported, so the cases of one seed would depend on what
    the process imported before). Hypothesis keeps the pool in a private function; where a version has
    none, this does nothing."""
    providers = importlib.import_module("hypothesis.internal.conjecture.providers")
    original = getattr(providers, "_get_local_constants", None)
    constants = getattr(providers, "Constants", None)
    if original is None or constants is None:  # pragma: no cover - another Hypothesis
        yield
        return
    empty = constants()
    providers._get_local_constants = lambda: empty  # type: ignore[attr-defined]
    try:
        yield
    finally:
        providers._get_local_constants = original  # type: ignore[attr-defined]


def run_property(
    prop: Property,
    strategies: tuple[SearchStrategy[Any], ...],
    ctx: CheckContext,
    *,
    max_examples: int = 50,
    thorough: int = 500,
    empirical: str | None = None,
) -> CheckResult:
    """Run ``prop`` under Hypothesis as :func:`property_check` describes; the check's body.

    Args:
        prop: ``prop(*drawn) -> (error, tolerance)``.
        strategies: one strategy per argument of ``prop``.
        ctx: seed (``ctx.seed``) and effort (``ctx.thorough``).
        max_examples, thorough: Hypothesis's ``max_examples`` by default and under ``--thorough``.
        empirical: the reason the tolerance is empirical, or ``None`` when it is derived.
    """
    if not strategies:
        raise InputError("property_check needs at least one strategy (one per argument of the property)")
    if max_examples < 1 or thorough < 1:
        raise InputError(f"max_examples and thorough must be ≥ 1; got {max_examples}, {thorough}")
    tracker = ErrorTracker()
    if empirical is not None:
        tracker.empirical_tolerance(empirical)
    # the last failing call: after shrinking, Hypothesis replays the minimal example last
    failure: dict[str, Any] = {}

    def case(args: tuple[Any, ...]) -> None:
        try:
            error, tolerance = prop(*args)
        except _CaseFailed:  # pragma: no cover - a property does not raise ours
            raise
        except Exception as exc:
            failure.update(args=args, error=None, tolerance=None, exc=exc)
            raise
        try:
            # an error is a distance: a negative one is a signed difference (it would pass however
            # large it is) and a non-finite one means the case could not be measured; both are bugs
            # of the property, so its row fails and names the value
            if not (isinstance(error, (int, float, np.floating, np.integer)) and 0 <= error < math.inf):
                raise InputError(
                    f"a property's error must be finite and ≥ 0 (return an absolute difference or a "
                    f"norm); got {error!r}"
                )
            tracker.add(error, tolerance)  # refuses a tolerance that is not positive and finite
        except InputError as exc:
            failure.update(args=args, error=None, tolerance=None, exc=exc)
            raise
        error, tolerance = float(error), float(tolerance)
        ratio = error / tolerance
        target(min(ratio, 1e300), label="error/tolerance")
        if not ratio <= 1.0:
            failure.update(args=args, error=error, tolerance=tolerance, exc=None)
            raise _CaseFailed(f"error {error:.3g} > tolerance {tolerance:.3g}")

    test = settings(
        max_examples=ctx.cases(max_examples, thorough),
        database=None,
        derandomize=False,
        deadline=None,
        verbosity=Verbosity.quiet,
        phases=(Phase.generate, Phase.target, Phase.shrink),
        suppress_health_check=[HealthCheck.too_slow],
        report_multiple_bugs=False,
    )(seed(ctx.seed)(given(st.tuples(*strategies))(case)))

    def settled(detail: str) -> CheckResult:
        """A failed row: worst case if any case ran, else the cause alone."""
        if tracker.cases == 0:
            return CheckResult(0, math.nan, math.nan, detail, "fail", tracker.empirical)
        worst = tracker.result(detail)
        return CheckResult(worst.cases, worst.max_error, worst.tolerance, detail, "fail", worst.empirical)

    try:
        with _no_local_constants():
            test()
    except _CaseFailed:
        shrunk = (
            f"shrunk counterexample: {_inputs(failure['args'])} gave error {failure['error']:.3g} > "
            f"tolerance {failure['tolerance']:.3g}"
        )
        return settled(
            f"{shrunk}; worst error/tolerance over {tracker.cases} cases {tracker.worst_ratio:.3g}"
        )
    except hyp_errors.FailedHealthCheck as exc:
        return settled(f"Hypothesis health check failed: {_cause(exc)}")
    except (hyp_errors.Flaky, hyp_errors.FlakyFailure) as exc:
        return settled(
            f"Hypothesis found the property flaky (it failed, then passed on the same input): {_cause(exc)}"
        )
    except hyp_errors.Unsatisfiable as exc:
        return settled(f"Hypothesis could not satisfy the strategies: {_cause(exc)}")
    except Exception as exc:
        if failure.get("exc") is exc:
            return settled(
                f"shrunk counterexample: {_inputs(failure['args'])} raised {type(exc).__name__}: {exc}"
            )
        raise
    if tracker.cases == 0:  # pragma: no cover - Hypothesis runs at least one example or raises
        return settled("Hypothesis ran no example")
    return tracker.result(
        f"Hypothesis, seed {ctx.seed}: {tracker.cases} cases, worst error/tolerance {tracker.worst_ratio:.3g}"
    )


def property_check(
    theorem_id: str,
    *strategies: SearchStrategy[Any],
    name: str | None = None,
    route: Route = "numeric",
    max_examples: int = 50,
    thorough: int = 500,
    empirical: str | None = None,
    register: bool = True,
) -> Callable[[Property], Callable[[CheckContext], CheckResult]]:
    """Decorator: the property ``f(*drawn) -> (error, tolerance)`` as the ``route`` check of ``theorem_id``.

    Returns the check ``run(ctx) -> CheckResult`` (see the module docstring for what it does), with
    the property itself as ``run.property``. With ``register`` (the default) the check is
    registered (:func:`theory.checks.register`), so the theorem id must be in the catalogue; the row's
    name is ``name`` or the property's docstring's first line or its ``__name__``.

    Args:
        theorem_id: the catalogue id.
        strategies: one Hypothesis strategy per argument of the property.
        max_examples: examples Hypothesis generates by default; ``thorough`` under ``--thorough``.
        empirical: the reason the tolerance is empirical (``None``: derived from an error bound).
    """
    if not strategies:
        raise InputError(f"property_check({theorem_id!r}) needs at least one strategy")

    def decorate(prop: Property) -> Callable[[CheckContext], CheckResult]:
        def run(ctx: CheckContext) -> CheckResult:
            return run_property(
                prop, strategies, ctx, max_examples=max_examples, thorough=thorough, empirical=empirical
            )

        doc = (prop.__doc__ or "").strip().splitlines()
        label = name or (doc[0] if doc else prop.__name__)
        run.__name__ = getattr(prop, "__name__", "property")
        run.__doc__ = prop.__doc__
        run.property = prop  # type: ignore[attr-defined]
        if register:
            register_check(theorem_id, route, f"Hypothesis: {label}")(run)
        return run

    return decorate
