"""Which derivation proves which theorem, built and checked lazily and once per process.

The table maps a catalogue id to ``"module:function"``; nothing here imports SymPy until a derivation
is asked for, so ``import proofs.checks`` (which ``wdt verify`` does for every run) stays fast.
:func:`derivation` and :func:`report` are cached, so ``wdt verify`` and ``wdt proofs`` in one process
build and check each derivation once.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import time
from typing import TYPE_CHECKING

from theory.catalogue import CATALOGUE
from theory.errors import InputError

if TYPE_CHECKING:
    from proofs.framework import Derivation, Report

__all__ = ["BUILDERS", "derivation", "ids", "report"]

#: theorem id -> "module:function" building its :class:`~proofs.framework.Derivation`
BUILDERS: dict[str, str] = {
    "l2.update": "proofs.l2:update",
    "l2.optimum": "proofs.l2:optimum",
    "l2.eigen": "proofs.l2:eigen",
    "l2.ridge": "proofs.l2:ridge",
    "l2.pinv": "proofs.l2:pinv",
    "l2.kernel": "proofs.kernel:kernel",
    "l2.dof": "proofs.l2:dof",
    "l2.loo": "proofs.selection:loo",
    "l2.gcv": "proofs.selection:gcv",
    "l2.constraint": "proofs.l2:constraint",
    "l2.path_derivative": "proofs.path:path_derivative",
    "l1.soft_threshold": "proofs.sparsity:soft_threshold",
    "enet.diagonal": "proofs.sparsity:elastic_net",
    "enet.path": "proofs.sparsity:path",
    "bayes.gaussian": "proofs.bayes:gaussian",
    "bayes.laplace": "proofs.bayes:laplace",
    "es.trajectory": "proofs.dynamics:trajectory",
    "es.equivalence": "proofs.dynamics:equivalence",
    "es.approx": "proofs.dynamics:approx",
    "es.nonzero_init": "proofs.dynamics:nonzero_init",
    "gd.stability": "proofs.dynamics:stability",
    "gd.min_norm": "proofs.dynamics:min_norm",
    "es.gf_vs_ridge": "proofs.dynamics:gradient_flow_vs_ridge",
    "es.gf_vs_ridge_tuned": "proofs.dynamics:gradient_flow_vs_tuned_ridge",
    "es.gd_generalized_ridge": "proofs.dynamics:generalized_ridge",
    "noise.tikhonov": "proofs.noise:input_noise",
    "dropout.ridge": "proofs.noise:dropout",
    "opt.sgd_equiv": "proofs.optim:sgd_equiv",
    "opt.adam_not_equiv": "proofs.optim:adam_not_equiv",
    "si.gradient": "proofs.scale_invariance:gradient",
    "si.effective_lr": "proofs.scale_invariance:effective_lr",
    "si.equilibrium": "proofs.equilibrium:equilibrium",
    "l2.conditioning": "proofs.conditioning:conditioning",
    "adamw.ema": "proofs.adamw:ema",
    "ridge.double_descent": "proofs.double_descent:double_descent",
}


def ids(prefixes: tuple[str, ...] | list[str] = ()) -> list[str]:
    """Ids with a derivation, in catalogue order; with ``prefixes``, those starting with one of them.

    Raises:
        InputError: a prefix matches no derivation (a typo is never a silent "nothing to check").
    """
    known = [tid for tid in CATALOGUE if tid in BUILDERS]
    for prefix in prefixes:
        if not any(tid.startswith(prefix) for tid in known):
            raise InputError(
                f"--only {prefix!r} matches no derivation; ids with derivations: {', '.join(known)}"
            )
    return [tid for tid in known if not prefixes or any(tid.startswith(p) for p in prefixes)]


@functools.cache
def derivation(theorem_id: str) -> Derivation:
    """The derivation of ``theorem_id``, built once per process.

    Raises:
        InputError: no derivation has that id; the message names the closest ids ("did you mean").
    """
    if theorem_id not in BUILDERS:
        from theory.harness.console import did_you_mean

        raise InputError(
            f"no derivation for {theorem_id!r}{did_you_mean(theorem_id, BUILDERS)} "
            f"(ids with derivations: {', '.join(BUILDERS)})"
        )
    module, _, name = BUILDERS[theorem_id].partition(":")
    built: Derivation = getattr(importlib.import_module(module), name)()
    return built


@functools.cache
def report(theorem_id: str) -> Report:
    """The checked outcome of :func:`derivation`, computed once per process.

    ``seconds`` counts building the derivation (when this call builds it) and checking every step.
    """
    from proofs.framework import check

    start = time.perf_counter()
    result = check(derivation(theorem_id))
    return dataclasses.replace(result, seconds=time.perf_counter() - start)
