"""How libraries scale their regularisation, as code: every setting ↔ the canonical penalty.

Canonical objective (``docs/reference.md``, "Canonical convention"): for regression
``(1/2n)‖Xw − y‖² + (λ/2)‖w‖² + μ‖w‖₁``; for classification the mean loss
``(1/n)Σℓ + (λ/2)‖w‖² + μ‖w‖₁``. A :class:`Penalty` holds (λ, μ).

Each library minimises ``D + P`` where its data term ``D`` is ``scale`` times the canonical data
term (``scale = 2`` for ``MSELoss``, which has no ½; ``2n`` for a sum of squares; ``n`` for a sum of
log-losses; a summed loss over mini-batches of size B counts B, not n) and its penalty
``P = (l2c/2)‖w‖² + l1c‖w‖₁`` for coefficients read off its parameters. Dividing by ``scale`` gives
the canonical ``λ = l2c/scale``, ``μ = l1c/scale``. The arithmetic is generic: ``fractions.Fraction``
inputs give exact round trips and ``sympy`` symbols give the formulas that ``wdt conventions``
prints, so the printed table *is* the code.

Some rows need more than their penalty parameters: Keras' decoupled SGD decay has the fixed point of
``λ = (1 − β)·wd`` on its data term (β the momentum), glmnet's ridge part is divided by sd(y)
because it standardises y internally, and optax's ``chain(sgd, add_decayed_weights)`` depends on
the learning rate. Those are *inputs* of the row (:attr:`Convention.inputs`): given, never solved
for, and an :class:`~theory.errors.InputError` names one that is missing.

Decoupled weight decay (torch ``AdamW``, optax ``adamw``, Keras ``weight_decay`` with an adaptive
optimizer) is not an L2 penalty (opt.adam_not_equiv; Loshchilov & Hutter 2019, Prop. 2): converting
it raises :class:`~theory.errors.ConventionError`, as does a setting whose λ is negative
(anti-decay). For plain SGD decoupled decay is an L2 penalty (opt.sgd_equiv).

The table is built by :func:`table` on every call (about 50 µs) rather than once at import, and not
cached: a mutation tool forks its workers after importing the module, so a table built (or cached)
before the fork would hide a mutated row. The rows' prose (rule and caveats, :data:`_TEXTS`) is data
outside the function; the structure and every formula are inside it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from theory.errors import ConventionError, InputError

__all__ = [
    "DATA_LOSSES",
    "INPUTS",
    "Convention",
    "Penalty",
    "from_canonical",
    "get_convention",
    "table",
    "to_canonical",
    "translate",
]

Number = Any  # float, int, Fraction or a sympy expression: the formulas only use + − × ÷


@dataclass(frozen=True, slots=True)
class Penalty:
    """Canonical penalty ``(l2/2)‖w‖² + l1‖w‖₁`` added to the canonical mean data term."""

    l2: Number
    l1: Number = 0


#: data-loss name -> (description, scale(m): library data term / canonical data term), where m is
#: the number of examples the library sums over (n, or the mini-batch size for a summed loss)
DATA_LOSSES: dict[str, tuple[str, Callable[[Number], Number]]] = {
    "half_mse": ("(1/2n)‖r‖²", lambda m: 1),
    "mse": ("(1/n)‖r‖²  (torch MSELoss, Keras MSE)", lambda m: 2),
    "half_sse": ("½‖r‖²", lambda m: m),
    "sse": ("‖r‖²", lambda m: 2 * m),
    "sum_logloss": ("Σℓ  (sum of per-example log-losses)", lambda m: m),
    "mean_logloss": ("(1/n)Σℓ  (torch BCEWithLogitsLoss/CrossEntropyLoss, Keras crossentropy)", lambda m: 1),
}

#: data losses that sum over the examples (their scale counts them); the others are means
_SUMMED = frozenset({"half_sse", "sse", "sum_logloss"})
#: data losses of a classification problem (a penalty on them is not one on a squared loss)
_CLASSIFICATION = frozenset({"sum_logloss", "mean_logloss"})

#: translation inputs: values a row's λ depends on that are not solved for
INPUTS: dict[str, str] = {
    "momentum": "the optimizer's momentum β in [0, 1)",
    "sd_y": "the standard deviation of y (1/n divisor, about its mean) that glmnet divides by",
    "learning_rate": "the learning rate (> 0)",
}


@dataclass(frozen=True, slots=True)
class Convention:
    """One row of the library table.

    Attributes:
        key: e.g. ``"torch.SGD"``.
        params: the parameter names this row takes, e.g. ``("weight_decay",)``; includes its inputs.
        rule: what the library does, in words.
        data_loss: the library's data term (a key of :data:`DATA_LOSSES`), or ``None`` where the
            user chooses it (torch, Keras, optax: pass ``data_loss=``; default ``"mse"``).
        coefficients: params -> (l2c, l1c) in the library's own objective; ``None`` for decoupled
            decay that has no penalty form.
        parameters: (l2c, l1c, inputs) -> params, the inverse (``inputs`` holds :attr:`inputs`).
        note: caveats (bias decayed, standardisation, ...).
        inputs: parameters that :func:`from_canonical` takes as given (a key of :data:`INPUTS`).
        ranges: parameter -> ``"fraction"`` ([0, 1]), ``"momentum"`` ([0, 1)) or ``"positive"``
            (> 0); every other parameter must be ≥ 0.
    """

    key: str
    params: tuple[str, ...]
    rule: str
    data_loss: str | None
    coefficients: Callable[[Mapping[str, Number]], tuple[Number, Number]] | None
    parameters: Callable[[Number, Number, Mapping[str, Number]], dict[str, Number]] | None
    note: str = ""
    inputs: tuple[str, ...] = ()
    ranges: Mapping[str, str] = field(default_factory=dict)

    @property
    def decoupled(self) -> bool:
        """True where the setting has no L2-penalty equivalent."""
        return self.coefficients is None


Pair = tuple[Callable[..., Any], Callable[..., Any]]


def _l2_only(name: str, factor: Number = 1) -> Pair:
    """A row whose penalty is ``(factor·p/2)‖w‖²`` for its one parameter p."""

    def coefficients(p: Mapping[str, Number]) -> tuple[Number, Number]:
        return factor * p[name], 0 * p[name]  # a zero of the parameter's own type (Fraction stays exact)

    def parameters(l2c: Number, l1c: Number, given: Mapping[str, Number]) -> dict[str, Number]:
        if l1c != 0:
            raise ConventionError("has no L1 term")
        return {name: l2c / factor}

    return coefficients, parameters


def _l1_only(name: str) -> Pair:
    def coefficients(p: Mapping[str, Number]) -> tuple[Number, Number]:
        return 0 * p[name], p[name]

    def parameters(l2c: Number, l1c: Number, given: Mapping[str, Number]) -> dict[str, Number]:
        if l2c != 0:
            raise ConventionError("has no L2 term")
        return {name: l1c}

    return coefficients, parameters


def _mixed(total: str, mix: str) -> Pair:
    """``total·[(1 − mix)/2‖w‖² + mix‖w‖₁]`` (sklearn ElasticNet, glum, statsmodels)."""

    def coefficients(p: Mapping[str, Number]) -> tuple[Number, Number]:
        return p[total] * (1 - p[mix]), p[total] * p[mix]

    def parameters(l2c: Number, l1c: Number, given: Mapping[str, Number]) -> dict[str, Number]:
        t = l2c + l1c
        return {total: t, mix: (l1c / t) if t != 0 else 0 * t}

    return coefficients, parameters


def _glmnet() -> Pair:
    """glmnet fits ``y/s`` with ``λ/s`` (s = sd(y)): on y that is ``(1/2N)Σr² + (λ(1 − a)/s)/2‖β‖²
    + λa‖β‖₁``, so the L1 part is invariant and the ridge part is divided by s (Friedman, Hastie &
    Tibshirani 2010, §2.3 and the glmnet documentation of ``standardize``)."""

    def coefficients(p: Mapping[str, Number]) -> tuple[Number, Number]:
        return p["lambda"] * (1 - p["alpha"]) / p["sd_y"], p["lambda"] * p["alpha"]

    def parameters(l2c: Number, l1c: Number, given: Mapping[str, Number]) -> dict[str, Number]:
        s = given["sd_y"]
        lam = l1c + l2c * s
        return {"lambda": lam, "alpha": (l1c / lam) if lam != 0 else 0 * lam, "sd_y": s}

    return coefficients, parameters


def _keras_sgd() -> Pair:
    """Keras' SGD decays ``w ← w − lr·wd·w`` and then steps ``m ← βm − lr·g(w)``, ``w ← w + m`` with
    the gradient taken before the decay (keras/src/optimizers/base_optimizer.py ``apply`` and
    ``_apply_weight_decay``; sgd.py ``update_step``). At a fixed point ``m = lr·wd·w`` and
    ``(1 − β)m = −lr·g``, so ``g + (1 − β)·wd·w = 0``: the optimum of the data term plus
    ``((1 − β)·wd/2)‖w‖²`` (Nesterov has the same fixed point)."""

    def coefficients(p: Mapping[str, Number]) -> tuple[Number, Number]:
        return (1 - p["momentum"]) * p["weight_decay"], 0 * p["weight_decay"]

    def parameters(l2c: Number, l1c: Number, given: Mapping[str, Number]) -> dict[str, Number]:
        if l1c != 0:
            raise ConventionError("has no L1 term")
        beta = given["momentum"]
        return {"weight_decay": l2c / (1 - beta), "momentum": beta}

    return coefficients, parameters


def _optax_anti() -> Pair:
    """``chain(sgd(lr), add_decayed_weights(wd))``: sgd first gives ``−lr·g``, then ``+wd·w`` is
    added and applied, ``w ← w − lr·g + wd·w``: gradient descent on ``D − (wd/lr)/2‖w‖²``."""

    def coefficients(p: Mapping[str, Number]) -> tuple[Number, Number]:
        return -p["weight_decay"] / p["learning_rate"], 0 * p["weight_decay"]

    def parameters(l2c: Number, l1c: Number, given: Mapping[str, Number]) -> dict[str, Number]:
        if l2c != 0 or l1c != 0:
            raise ConventionError(
                "anti-decays (λ = −wd/lr < 0): it expresses no penalty but λ = μ = 0; "
                "use chain(add_decayed_weights(wd), sgd(lr))"
            )
        return {"weight_decay": 0 * l2c, "learning_rate": given["learning_rate"]}

    return coefficients, parameters


def _logistic() -> Pair:
    """``C·Σℓ + ½‖w‖²`` = C·(Σℓ + (1/C)·½‖w‖²)."""

    def coefficients(p: Mapping[str, Number]) -> tuple[Number, Number]:
        return 1 / p["C"], 0 * p["C"]

    def parameters(l2c: Number, l1c: Number, given: Mapping[str, Number]) -> dict[str, Number]:
        if l1c != 0:
            raise ConventionError("has no L1 term (penalty='l2')")
        if l2c == 0:
            raise ConventionError("needs λ > 0 (C = 1/(λn) must be finite)")
        return {"C": 1 / l2c}

    return coefficients, parameters


def _row(
    key: str,
    params: tuple[str, ...],
    data_loss: str | None,
    pair: Pair | None,
    *,
    inputs: tuple[str, ...] = (),
    ranges: Mapping[str, str] | None = None,
) -> Convention:
    """One row; its rule and note (prose, kept out of the code that mutation testing varies) from _TEXTS."""
    coefficients, parameters = pair if pair is not None else (None, None)
    rule, note = _TEXTS[key]
    return Convention(
        key, params, rule, data_loss, coefficients, parameters, note, inputs, dict(ranges or {})
    )


_BIAS = "decays every parameter it is given, biases included, unless told not to"
_KERAS_BIAS = (
    "Keras optimizers' weight_decay decays every trainable variable, biases included, unless "
    "optimizer.exclude_from_weight_decay(var_names=['bias']) is called before building"
)
_SUM_BATCH = (
    "a summed data loss (reduction='sum') over mini-batches of size B is scaled by B, not n: pass batch_size"
)
_SAMPLE_WEIGHT_RIDGE = "sample_weight s is not renormalised: the data term is Σs_i·r_i², so use n = Σs_i"
_SAMPLE_WEIGHT_CD = (
    "sample_weight s is rescaled to sum to n: the data term is (1/2Σs)Σs_i·r_i², n stays the row count"
)


#: key -> (rule, note): what each library does and its caveats, in words (printed by wdt conventions)
_TEXTS: dict[str, tuple[str, str]] = {
    "torch.SGD": (
        "grad += wd·w before momentum",
        f"{_BIAS}; {_SUM_BATCH}",
    ),
    "torch.Adam": (
        "grad += wd·w, then rescaled by 1/√v̂",
        f"same objective as torch.SGD; steps differ from AdamW; {_BIAS}; {_SUM_BATCH}",
    ),
    "torch.AdamW": (
        "w ← w(1 − lr·wd), then the Adam step",
        "decoupled: no L2 equivalent; the paper's decay per step is lr·wd",
    ),
    "keras.regularizers.L2": (
        "loss += l2·Σw² (no ½), on every batch",
        f"penalises only the layers it is attached to; {_SUM_BATCH}",
    ),
    "keras.regularizers.L1": (
        "loss += l1·Σ|w|, on every batch",
        f"penalises only the layers it is attached to; {_SUM_BATCH}",
    ),
    "keras.optimizers.SGD": (
        "w ← w − lr·wd·w, then m ← βm − lr·g, w ← w + m (g taken before the decay)",
        "decoupled, but for SGD its fixed point is that of the L2 coefficient (1 − β)·wd on the "
        f"data term (momentum β is an input; Nesterov the same); {_KERAS_BIAS}; {_SUM_BATCH}",
    ),
    "keras.optimizers.Adam": (
        "w ← w − lr·wd·w before the Adam step",
        f"decoupled (AdamW-like): no L2 equivalent; {_KERAS_BIAS}",
    ),
    "optax.add_decayed_weights+sgd": (
        "chain(add_decayed_weights(wd), sgd(lr)): update = −lr·(g + wd·w)",
        f"{_BIAS}; {_SUM_BATCH}",
    ),
    "optax.sgd+add_decayed_weights": (
        "chain(sgd(lr), add_decayed_weights(wd)): update = −lr·g + wd·w",
        "the wrong order: it anti-decays, gradient descent on D − (wd/lr)/2‖w‖² (λ < 0); "
        "translation refuses it",
    ),
    "optax.adamw": (
        "as torch AdamW",
        "decoupled: no L2 equivalent",
    ),
    "sklearn.Ridge": (
        "‖y − Xw‖² + α‖w‖²",
        f"intercept unpenalised; {_SAMPLE_WEIGHT_RIDGE}",
    ),
    "sklearn.Lasso": (
        "(1/2n)‖y − Xw‖² + α‖w‖₁",
        f"intercept unpenalised; {_SAMPLE_WEIGHT_CD}",
    ),
    "sklearn.ElasticNet": (
        "(1/2n)‖r‖² + αρ‖w‖₁ + (α(1 − ρ)/2)‖w‖²",
        f"intercept unpenalised; {_SAMPLE_WEIGHT_CD}",
    ),
    "sklearn.LogisticRegression": (
        "C·Σℓ + ½‖w‖²",
        "canonical data term is the mean log-loss",
    ),
    "glmnet": (
        "(1/2N)Σr² + λ[(1 − a)/2‖β‖² + a‖β‖₁] fitted to y/sd(y) with λ/sd(y)",
        "glmnet standardises y internally even with standardize=False, so the ridge part on y is "
        "λ(1 − a)/sd(y) (sd_y is an input: 1/n divisor, about the mean of y, with or without an "
        "intercept); it standardises x and leaves the intercept unpenalised by default",
    ),
    "glum.GeneralizedLinearRegressor": (
        "(1/2n)Σr² + α[ρ‖w‖₁ + (1 − ρ)/2‖w‖²]  (family='normal')",
        "intercept unpenalised; sample weights are normalised to sum 1",
    ),
    "glum.GeneralizedLinearRegressor(binomial)": (
        "(1/n)Σℓ + α[ρ‖w‖₁ + (1 − ρ)/2‖w‖²]  (family='binomial')",
        "intercept unpenalised; sample weights are normalised to sum 1",
    ),
    "statsmodels.fit_regularized": (
        "OLS: 0.5·RSS/n + α[(1 − L1_wt)/2‖b‖² + L1_wt‖b‖₁]",
        "the constant is penalised too",
    ),
    "statsmodels.Logit.fit_regularized": (
        "Logit: −Σ log-likelihood + α‖b‖₁  (method='l1')",
        "α is on the summed log-loss, so μ = α/n; the constant is penalised too",
    ),
    "goodfellow.7.15": (
        "‖Xw − y‖² + (α/2)‖w‖²  (G 7.15 as printed)",
        "",
    ),
    "goodfellow.7.17": (
        "½‖Xw − y‖² + (α/2)‖w‖²  (minimiser G 7.17)",
        "",
    ),
}


def table() -> dict[str, Convention]:
    """Every row of the library table, by key (built afresh on each call; see the module docstring)."""
    rows = (
        _row("torch.SGD", ("weight_decay",), None, _l2_only("weight_decay")),
        _row("torch.Adam", ("weight_decay",), None, _l2_only("weight_decay")),
        _row("torch.AdamW", ("weight_decay",), None, None),
        _row("keras.regularizers.L2", ("l2",), None, _l2_only("l2", 2)),
        _row("keras.regularizers.L1", ("l1",), None, _l1_only("l1")),
        _row(
            "keras.optimizers.SGD",
            ("weight_decay", "momentum"),
            None,
            _keras_sgd(),
            inputs=("momentum",),
            ranges={"momentum": "momentum"},
        ),
        _row("keras.optimizers.Adam", ("weight_decay",), None, None),
        _row("optax.add_decayed_weights+sgd", ("weight_decay",), None, _l2_only("weight_decay")),
        _row(
            "optax.sgd+add_decayed_weights",
            ("weight_decay", "learning_rate"),
            None,
            _optax_anti(),
            inputs=("learning_rate",),
            ranges={"learning_rate": "positive"},
        ),
        _row("optax.adamw", ("weight_decay",), None, None),
        _row("sklearn.Ridge", ("alpha",), "sse", _l2_only("alpha", 2)),
        _row("sklearn.Lasso", ("alpha",), "half_mse", _l1_only("alpha")),
        _row(
            "sklearn.ElasticNet",
            ("alpha", "l1_ratio"),
            "half_mse",
            _mixed("alpha", "l1_ratio"),
            ranges={"l1_ratio": "fraction"},
        ),
        _row("sklearn.LogisticRegression", ("C",), "sum_logloss", _logistic(), ranges={"C": "positive"}),
        _row(
            "glmnet",
            ("lambda", "alpha", "sd_y"),
            "half_mse",
            _glmnet(),
            inputs=("sd_y",),
            ranges={"alpha": "fraction", "sd_y": "positive"},
        ),
        _row(
            "glum.GeneralizedLinearRegressor",
            ("alpha", "l1_ratio"),
            "half_mse",
            _mixed("alpha", "l1_ratio"),
            ranges={"l1_ratio": "fraction"},
        ),
        _row(
            "glum.GeneralizedLinearRegressor(binomial)",
            ("alpha", "l1_ratio"),
            "mean_logloss",
            _mixed("alpha", "l1_ratio"),
            ranges={"l1_ratio": "fraction"},
        ),
        _row(
            "statsmodels.fit_regularized",
            ("alpha", "L1_wt"),
            "half_mse",
            _mixed("alpha", "L1_wt"),
            ranges={"L1_wt": "fraction"},
        ),
        _row("statsmodels.Logit.fit_regularized", ("alpha",), "sum_logloss", _l1_only("alpha")),
        _row("goodfellow.7.15", ("alpha",), "sse", _l2_only("alpha")),
        _row("goodfellow.7.17", ("alpha",), "half_sse", _l2_only("alpha")),
    )
    return {row.key: row for row in rows}


def __getattr__(name: str) -> Any:
    """``CONVENTIONS``: the table as a dict (a fresh :func:`table`), kept for existing callers."""
    if name == "CONVENTIONS":
        return table()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_convention(key: str) -> Convention:
    """The row with this key; an InputError listing the keys otherwise."""
    rows = table()
    try:
        return rows[key]
    except KeyError:
        raise InputError(f"unknown convention {key!r}; known: {', '.join(rows)}") from None


def _is_symbolic(value: object) -> bool:
    """A SymPy expression: the table of ``wdt conventions`` passes symbols, which skip range checks."""
    return type(value).__module__.startswith("sympy")


def _number(value: object, what: str) -> Number:
    """A real number (int, float, Fraction, NumPy scalar) that is finite, or a SymPy expression."""
    if _is_symbolic(value):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{what} must be a real number; got {value!r} ({type(value).__name__})")
    if not math.isfinite(value):
        raise InputError(f"{what} must be finite; got {value}")
    return value


def _check_value(conv: Convention, name: str, value: Number) -> Number:
    """One parameter or input of ``conv``, checked against its range (symbols pass unchecked)."""
    value = _number(value, f"{conv.key}: {name}")
    if _is_symbolic(value):
        return value
    kind = conv.ranges.get(name)  # None: the default range, ≥ 0
    if value < 0:
        raise InputError(f"{conv.key}: {name} must be ≥ 0; got {name} = {value}")
    if kind == "fraction" and value > 1:
        raise InputError(f"{conv.key}: {name} is a mixing fraction in [0, 1]; got {name} = {value}")
    if kind == "momentum" and value >= 1:
        raise InputError(f"{conv.key}: {name} must be < 1 (no fixed point at β ≥ 1); got {name} = {value}")
    if kind == "positive" and value == 0:
        raise InputError(f"{conv.key}: {name} must be > 0 (it divides); got {name} = {value}")
    return value


def _check_params(conv: Convention, params: Mapping[str, Number]) -> dict[str, Number]:
    missing = [p for p in conv.params if p not in params]
    extra = [p for p in params if p not in conv.params]
    if missing or extra:
        raise InputError(f"{conv.key} takes parameters {conv.params}; missing {missing}, unexpected {extra}")
    return {name: _check_value(conv, name, value) for name, value in params.items()}


def _check_inputs(conv: Convention, inputs: Mapping[str, Number] | None) -> dict[str, Number]:
    """The inputs ``conv`` needs, taken from ``inputs``; an InputError names a missing one."""
    given = dict(inputs or {})
    unknown = [k for k in given if k not in INPUTS]
    if unknown:
        raise InputError(f"unknown translation input(s) {unknown}; known: {', '.join(INPUTS)}")
    missing = [k for k in conv.inputs if k not in given]
    if missing:
        needs = "; ".join(f"{k}: {INPUTS[k]}" for k in missing)
        raise InputError(f"{conv.key} needs the input(s) {missing}, on which its λ depends ({needs})")
    return {k: _check_value(conv, k, given[k]) for k in conv.inputs}


def _scale(conv: Convention, n: Number, data_loss: str | None, batch_size: Number | None = None) -> Number:
    """Library data term / canonical data term: DATA_LOSSES' scale of the examples summed over."""
    name = conv.data_loss
    if name is None:
        name = data_loss or "mse"
    elif data_loss is not None and data_loss != name:
        raise InputError(f"{conv.key} fixes its data loss to {name!r}; got data_loss={data_loss!r}")
    if name not in DATA_LOSSES:
        raise InputError(f"unknown data_loss {name!r}; choose one of {', '.join(DATA_LOSSES)}")
    n = _number(n, "n (number of examples)")
    if not _is_symbolic(n) and not n > 0:
        raise InputError(f"n (number of examples) must be > 0; got {n}")
    m = n
    if batch_size is not None:
        batch_size = _number(batch_size, "batch_size")
        if not _is_symbolic(batch_size) and not _is_symbolic(n) and not 0 < batch_size <= n:
            raise InputError(f"batch_size must be in (0, n = {n}]; got {batch_size}")
        if conv.data_loss is None and name in _SUMMED:  # a mini-batch loop the user writes
            m = batch_size
    return DATA_LOSSES[name][1](m)


def _kind(conv: Convention, data_loss: str | None) -> str:
    """``classification`` for a log-loss data term, else ``regression``: penalties compare only within.

    Decided by the data loss in use: the row's fixed one, else the one the user chose (default mse).
    """
    return "classification" if (conv.data_loss or data_loss) in _CLASSIFICATION else "regression"


def to_canonical(
    key: str,
    params: Mapping[str, Number],
    *,
    n: Number,
    data_loss: str | None = None,
    batch_size: Number | None = None,
) -> Penalty:
    """The canonical (λ, μ) of a library setting.

    Example: ``to_canonical("torch.SGD", {"weight_decay": 1e-4}, n=1000)`` is
    ``Penalty(l2=5e-05, l1=0.0)``: ``MSELoss`` has no ½, so λ = wd/2. ``batch_size`` B: a summed data
    loss in a mini-batch loop (torch, Keras, optax rows) counts B examples per penalty, not n.

    Raises:
        InputError: unknown key, missing or extra parameters, a parameter or n that is not a finite
            real number, a parameter out of its range (negative; a mixing fraction above 1; momentum
            ≥ 1; C, sd_y or learning_rate = 0), a bad data loss, n ≤ 0, batch_size outside (0, n].
        ConventionError: decoupled decay (no L2 equivalent), or a negative λ (anti-decay).
    """
    conv = get_convention(key)
    checked = _check_params(conv, params)
    if conv.coefficients is None:
        raise ConventionError(f"{key} is decoupled weight decay: no L2-penalty equivalent ({conv.note})")
    scale = _scale(conv, n, data_loss, batch_size)
    l2c, l1c = conv.coefficients(checked)
    penalty = Penalty(l2=l2c / scale, l1=l1c / scale)
    if not _is_symbolic(penalty.l2) and penalty.l2 < 0:
        raise ConventionError(f"{key} anti-decays: λ = {penalty.l2} < 0 ({conv.note})")
    return penalty


def from_canonical(
    key: str,
    penalty: Penalty,
    *,
    n: Number,
    data_loss: str | None = None,
    batch_size: Number | None = None,
    inputs: Mapping[str, Number] | None = None,
) -> dict[str, Number]:
    """The library parameters that give ``penalty``; the inverse of :func:`to_canonical`.

    ``inputs`` supplies what the row's λ depends on besides its penalty parameters (``momentum`` for
    ``keras.optimizers.SGD``, ``sd_y`` for glmnet, ``learning_rate``; see :data:`INPUTS`); they are
    returned among the parameters.

    Raises:
        InputError: a penalty component that is negative or not a finite real number, bad n, an
            unknown input, or a missing one (named).
        ConventionError: the row cannot express the penalty (decoupled, anti-decay, or a missing
            L1/L2 term).
    """
    conv = get_convention(key)
    l2 = _number(penalty.l2, "penalty.l2")
    l1 = _number(penalty.l1, "penalty.l1")
    for name, value in (("l2", l2), ("l1", l1)):
        if not _is_symbolic(value) and value < 0:
            raise InputError(f"the canonical penalty must be ≥ 0; got {name} = {value}")
    if conv.parameters is None:
        raise ConventionError(f"{key} is decoupled weight decay: no L2-penalty equivalent")
    scale = _scale(conv, n, data_loss, batch_size)
    given = _check_inputs(conv, inputs)
    try:
        return conv.parameters(l2 * scale, l1 * scale, given)
    except ConventionError as exc:
        raise ConventionError(f"{key} {exc}: the canonical penalty is λ = {l2}, μ = {l1}") from None


def translate(
    key: str,
    params: Mapping[str, Number],
    *,
    n: Number,
    data_loss: str | None = None,
    target_data_loss: str | None = None,
    batch_size: Number | None = None,
    inputs: Mapping[str, Number] | None = None,
) -> dict[str, dict[str, Number] | str]:
    """One setting in every library's terms: ``{key: params}``, or ``{key: reason}`` where impossible.

    ``data_loss`` is the source's data term (for torch/Keras/optax), ``target_data_loss`` the one
    assumed for the targets that let the user choose (default ``"mse"``); ``batch_size`` the
    mini-batch size of both where their data loss is summed. ``inputs`` (e.g. ``{"momentum": 0.9,
    "sd_y": 1.3}``) feeds the targets that need them; the source's own inputs are used where
    ``inputs`` does not name them, and a target whose input is missing gets a reason naming it.
    A classification setting (a log-loss) translates only to classification rows, a regression
    setting only to regression rows: a penalty on a log-loss is not one on a squared loss.
    """
    source = get_convention(key)
    penalty = to_canonical(key, params, n=n, data_loss=data_loss, batch_size=batch_size)
    unknown = [k for k in (inputs or {}) if k not in INPUTS]
    if unknown:
        raise InputError(f"unknown translation input(s) {unknown}; known: {', '.join(INPUTS)}")
    given = {k: v for k, v in params.items() if k in source.inputs}
    given.update(inputs or {})
    out: dict[str, dict[str, Number] | str] = {}
    kind = _kind(source, data_loss)
    for other, conv in table().items():
        target = target_data_loss if conv.data_loss is None else None
        if _kind(conv, target) != kind:
            out[other] = (
                f"{other} is a {_kind(conv, target)} loss here and {key} a {kind} one: not comparable"
            )
            continue
        try:
            out[other] = from_canonical(
                other,
                penalty,
                n=n,
                data_loss=target,
                batch_size=batch_size,
                inputs={k: v for k, v in given.items() if k in conv.inputs},
            )
        except (ConventionError, InputError) as exc:
            out[other] = str(exc)
    return out
