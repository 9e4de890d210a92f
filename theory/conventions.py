"""How libraries scale their regularisation, as code: every setting ↔ the canonical penalty.

Canonical objective (docs/reference.md, "Canonical convention"): for regression
``(1/2n)‖Xw − y‖² + (λ/2)‖w‖² + μ‖w‖₁``; for classification the mean loss
``(1/n)Σℓ + (λ/2)‖w‖² + μ‖w‖₁``. A :class:`Penalty` holds (λ, μ).

Each library minimises ``D + P`` where its data term ``D`` is ``scale`` times the canonical data
term (``scale = 2`` for ``MSELoss``, which has no ½; ``2n`` for a sum of squares; ``n`` for a sum of
log-losses) and its penalty ``P = (l2c/2)‖w‖² + l1c‖w‖₁`` for coefficients read off its parameters.
Dividing by ``scale`` gives the canonical ``λ = l2c/scale``, ``μ = l1c/scale``. The arithmetic is
generic: ``fractions.Fraction`` inputs give exact round trips and ``sympy`` symbols give the formulas
that ``wdt conventions`` prints, so the printed table *is* the code.

Decoupled weight decay (torch ``AdamW``, optax ``adamw``, Keras optimizers' ``weight_decay`` with an
adaptive optimizer) is not an L2 penalty (opt.adam_not_equiv; Loshchilov & Hutter 2019, Prop. 2):
converting it raises :class:`~theory.errors.ConventionError`. For plain SGD it is (opt.sgd_equiv).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from theory.errors import ConventionError, InputError

__all__ = [
    "CONVENTIONS",
    "DATA_LOSSES",
    "Convention",
    "Penalty",
    "from_canonical",
    "get_convention",
    "to_canonical",
    "translate",
]

Number = Any  # float, int, Fraction or a sympy expression: the formulas only use + − × ÷


@dataclass(frozen=True, slots=True)
class Penalty:
    """Canonical penalty ``(l2/2)‖w‖² + l1‖w‖₁`` added to the canonical mean data term."""

    l2: Number
    l1: Number = 0


#: data-loss name -> (description, scale(n): library data term / canonical data term)
DATA_LOSSES: dict[str, tuple[str, Callable[[Number], Number]]] = {
    "half_mse": ("(1/2n)‖r‖²", lambda n: 1),
    "mse": ("(1/n)‖r‖²  (torch MSELoss, Keras MSE)", lambda n: 2),
    "half_sse": ("½‖r‖²", lambda n: n),
    "sse": ("‖r‖²", lambda n: 2 * n),
    "sum_logloss": ("Σℓ  (sum of per-example losses)", lambda n: n),
}


@dataclass(frozen=True, slots=True)
class Convention:
    """One row of the library table.

    Attributes:
        key: e.g. ``"torch.SGD"``.
        params: the parameter names this row takes, e.g. ``("weight_decay",)``.
        rule: what the library does, in words.
        data_loss: the library's data term (a key of :data:`DATA_LOSSES`), or ``None`` where the
            user chooses it (torch, Keras, optax: pass ``data_loss=``; default ``"mse"``).
        coefficients: params -> (l2c, l1c) in the library's own objective; ``None`` for decoupled
            decay that has no penalty form.
        parameters: (l2c, l1c) -> params, the inverse.
        note: caveats (bias decayed, standardisation, ...).
    """

    key: str
    params: tuple[str, ...]
    rule: str
    data_loss: str | None
    coefficients: Callable[[Mapping[str, Number]], tuple[Number, Number]] | None
    parameters: Callable[[Number, Number], dict[str, Number]] | None
    note: str = ""

    @property
    def decoupled(self) -> bool:
        """True where the setting has no L2-penalty equivalent."""
        return self.coefficients is None


def _l2_only(name: str, factor: Number = 1) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """A row whose penalty is ``(factor·p/2)‖w‖²`` for its one parameter p."""

    def coefficients(p: Mapping[str, Number]) -> tuple[Number, Number]:
        return factor * p[name], 0 * p[name]  # a zero of the parameter's own type (Fraction stays exact)

    def parameters(l2c: Number, l1c: Number) -> dict[str, Number]:
        if l1c != 0:
            raise ConventionError("has no L1 term")
        return {name: l2c / factor}

    return coefficients, parameters


def _l1_only(name: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    def coefficients(p: Mapping[str, Number]) -> tuple[Number, Number]:
        return 0 * p[name], p[name]

    def parameters(l2c: Number, l1c: Number) -> dict[str, Number]:
        if l2c != 0:
            raise ConventionError("has no L2 term")
        return {name: l1c}

    return coefficients, parameters


def _mixed(total: str, mix: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``total·[(1 − mix)/2‖w‖² + mix‖w‖₁]`` (sklearn ElasticNet, glmnet, statsmodels)."""

    def coefficients(p: Mapping[str, Number]) -> tuple[Number, Number]:
        return p[total] * (1 - p[mix]), p[total] * p[mix]

    def parameters(l2c: Number, l1c: Number) -> dict[str, Number]:
        t = l2c + l1c
        return {total: t, mix: (l1c / t) if t != 0 else 0 * t}

    return coefficients, parameters


def _logistic() -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``C·Σℓ + ½‖w‖²`` = C·(Σℓ + (1/C)·½‖w‖²)."""

    def coefficients(p: Mapping[str, Number]) -> tuple[Number, Number]:
        return 1 / p["C"], 0 * p["C"]

    def parameters(l2c: Number, l1c: Number) -> dict[str, Number]:
        if l1c != 0:
            raise ConventionError("has no L1 term (penalty='l2')")
        if l2c == 0:
            raise ConventionError("needs λ > 0 (C = 1/(λn) must be finite)")
        return {"C": 1 / l2c}

    return coefficients, parameters


def _row(
    key: str,
    params: tuple[str, ...],
    rule: str,
    data_loss: str | None,
    pair: tuple[Callable[..., Any], Callable[..., Any]] | None,
    note: str = "",
) -> Convention:
    coefficients, parameters = pair if pair is not None else (None, None)
    return Convention(key, params, rule, data_loss, coefficients, parameters, note)


_BIAS = "decays every parameter it is given, biases included, unless told not to"

CONVENTIONS: dict[str, Convention] = {
    c.key: c
    for c in (
        _row(
            "torch.SGD",
            ("weight_decay",),
            "grad += wd·w before momentum",
            None,
            _l2_only("weight_decay"),
            _BIAS,
        ),
        _row(
            "torch.Adam",
            ("weight_decay",),
            "grad += wd·w, then rescaled by 1/√v̂",
            None,
            _l2_only("weight_decay"),
            "same objective as torch.SGD; steps differ from AdamW. " + _BIAS,
        ),
        _row(
            "torch.AdamW",
            ("weight_decay",),
            "w ← w(1 − lr·wd), then the Adam step",
            None,
            None,
            "decoupled: no L2 equivalent; the paper's decay per step is lr·wd",
        ),
        _row("keras.regularizers.L2", ("l2",), "loss += l2·Σw² (no ½)", None, _l2_only("l2", 2)),
        _row("keras.regularizers.L1", ("l1",), "loss += l1·Σ|w|", None, _l1_only("l1")),
        _row(
            "keras.optimizers.SGD",
            ("weight_decay",),
            "w ← w − lr·wd·w before the step",
            None,
            _l2_only("weight_decay"),
            "decoupled; equals L2 only without momentum (opt.sgd_equiv): with momentum β its "
            "fixed point is that of λ = (1 − β)·wd",
        ),
        _row(
            "keras.optimizers.Adam",
            ("weight_decay",),
            "w ← w − lr·wd·w before the Adam step",
            None,
            None,
            "decoupled (AdamW-like): no L2 equivalent",
        ),
        _row(
            "optax.add_decayed_weights+sgd",
            ("weight_decay",),
            "update += wd·w before sgd",
            None,
            _l2_only("weight_decay"),
            _BIAS,
        ),
        _row("optax.adamw", ("weight_decay",), "as torch AdamW", None, None, "decoupled: no L2 equivalent"),
        _row(
            "sklearn.Ridge",
            ("alpha",),
            "‖y − Xw‖² + α‖w‖²",
            "sse",
            _l2_only("alpha", 2),
            "intercept unpenalised",
        ),
        _row("sklearn.Lasso", ("alpha",), "(1/2n)‖y − Xw‖² + α‖w‖₁", "half_mse", _l1_only("alpha")),
        _row(
            "sklearn.ElasticNet",
            ("alpha", "l1_ratio"),
            "(1/2n)‖r‖² + αρ‖w‖₁ + (α(1 − ρ)/2)‖w‖²",
            "half_mse",
            _mixed("alpha", "l1_ratio"),
        ),
        _row(
            "sklearn.LogisticRegression",
            ("C",),
            "C·Σℓ + ½‖w‖²",
            "sum_logloss",
            _logistic(),
            "canonical data term is the mean log-loss",
        ),
        _row(
            "glmnet",
            ("lambda", "alpha"),
            "(1/2N)Σr² + λ[(1 − a)/2‖β‖² + a‖β‖₁]",
            "half_mse",
            _mixed("lambda", "alpha"),
            "standardises x and leaves the intercept unpenalised by default",
        ),
        _row(
            "statsmodels.fit_regularized",
            ("alpha", "L1_wt"),
            "0.5·RSS/n + α[(1 − L1_wt)/2‖b‖² + L1_wt‖b‖₁]",
            "half_mse",
            _mixed("alpha", "L1_wt"),
            "the constant is penalised too",
        ),
        _row(
            "goodfellow.7.15",
            ("alpha",),
            "‖Xw − y‖² + (α/2)‖w‖²  (G 7.15 as printed)",
            "sse",
            _l2_only("alpha"),
        ),
        _row(
            "goodfellow.7.17",
            ("alpha",),
            "½‖Xw − y‖² + (α/2)‖w‖²  (minimiser G 7.17)",
            "half_sse",
            _l2_only("alpha"),
        ),
    )
}


def get_convention(key: str) -> Convention:
    """The row with this key; an InputError listing the keys otherwise."""
    try:
        return CONVENTIONS[key]
    except KeyError:
        raise InputError(f"unknown convention {key!r}; known: {', '.join(CONVENTIONS)}") from None


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


def _check_params(conv: Convention, params: Mapping[str, Number]) -> dict[str, Number]:
    missing = [p for p in conv.params if p not in params]
    extra = [p for p in params if p not in conv.params]
    if missing or extra:
        raise InputError(f"{conv.key} takes parameters {conv.params}; missing {missing}, unexpected {extra}")
    out = {name: _number(value, f"{conv.key}: {name}") for name, value in params.items()}
    for name, value in out.items():
        if _is_symbolic(value):
            continue
        if value < 0:
            raise InputError(f"{conv.key}: {name} must be ≥ 0; got {name} = {value}")
        if (conv.key, name) in _MIXING and value > 1:
            raise InputError(f"{conv.key}: {name} is a mixing fraction in [0, 1]; got {name} = {value}")
        if name == "C" and value == 0:
            raise InputError(f"{conv.key}: C must be > 0 (C = 0 is infinite regularisation); got C = 0")
    return out


#: (row, parameter) pairs that mix L1 and L2 and so live in [0, 1]
_MIXING = frozenset(
    {("sklearn.ElasticNet", "l1_ratio"), ("glmnet", "alpha"), ("statsmodels.fit_regularized", "L1_wt")}
)


def _scale(conv: Convention, n: Number, data_loss: str | None) -> Number:
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
    return DATA_LOSSES[name][1](n)


def _kind(conv: Convention, data_loss: str | None) -> str:
    """``classification`` for a log-loss data term, else ``regression``: penalties compare only within.

    Decided by the data loss in use: the row's fixed one, else the one the user chose (default mse).
    """
    return "classification" if (conv.data_loss or data_loss or "mse") == "sum_logloss" else "regression"


def to_canonical(
    key: str, params: Mapping[str, Number], *, n: Number, data_loss: str | None = None
) -> Penalty:
    """The canonical (λ, μ) of a library setting.

    Example: ``to_canonical("torch.SGD", {"weight_decay": 1e-4}, n=1000)`` is
    ``Penalty(l2=5e-05, l1=0.0)``: ``MSELoss`` has no ½, so λ = wd/2.

    Raises:
        InputError: unknown key, missing or extra parameters, a parameter or n that is not a finite
            real number, a negative parameter, a mixing fraction outside [0, 1], C = 0, a bad data loss,
            n ≤ 0.
        ConventionError: decoupled decay (no L2 equivalent).
    """
    conv = get_convention(key)
    checked = _check_params(conv, params)
    if conv.coefficients is None:
        raise ConventionError(f"{key} is decoupled weight decay: no L2-penalty equivalent ({conv.note})")
    scale = _scale(conv, n, data_loss)
    l2c, l1c = conv.coefficients(checked)
    return Penalty(l2=l2c / scale, l1=l1c / scale)


def from_canonical(
    key: str, penalty: Penalty, *, n: Number, data_loss: str | None = None
) -> dict[str, Number]:
    """The library parameters that give ``penalty``; the inverse of :func:`to_canonical`.

    Raises:
        InputError: a penalty component that is negative or not a finite real number, or bad n.
        ConventionError: the row cannot express the penalty (decoupled, or a missing L1/L2 term).
    """
    conv = get_convention(key)
    l2 = _number(penalty.l2, "penalty.l2")
    l1 = _number(penalty.l1, "penalty.l1")
    for name, value in (("l2", l2), ("l1", l1)):
        if not _is_symbolic(value) and value < 0:
            raise InputError(f"the canonical penalty must be ≥ 0; got {name} = {value}")
    if conv.parameters is None:
        raise ConventionError(f"{key} is decoupled weight decay: no L2-penalty equivalent")
    scale = _scale(conv, n, data_loss)
    try:
        return conv.parameters(l2 * scale, l1 * scale)
    except ConventionError as exc:
        raise ConventionError(f"{key} {exc}: the canonical penalty is λ = {l2}, μ = {l1}") from None


def translate(
    key: str,
    params: Mapping[str, Number],
    *,
    n: Number,
    data_loss: str | None = None,
    target_data_loss: str | None = None,
) -> dict[str, dict[str, Number] | str]:
    """One setting in every library's terms: ``{key: params}``, or ``{key: reason}`` where impossible.

    ``data_loss`` is the source's data term (for torch/Keras/optax), ``target_data_loss`` the one
    assumed for the targets that let the user choose (default ``"mse"``). A classification setting
    (LogisticRegression) translates only to classification rows, a regression setting only to
    regression rows: a penalty on a log-loss is not one on a squared loss.
    """
    source = get_convention(key)
    penalty = to_canonical(key, params, n=n, data_loss=data_loss)
    out: dict[str, dict[str, Number] | str] = {}
    kind = _kind(source, data_loss)
    for other, conv in CONVENTIONS.items():
        target = target_data_loss if conv.data_loss is None else None
        if _kind(conv, target) != kind:
            out[other] = (
                f"{other} is a {_kind(conv, target)} loss here and {key} a {kind} one: not comparable"
            )
            continue
        try:
            out[other] = from_canonical(other, penalty, n=n, data_loss=target)
        except ConventionError as exc:
            out[other] = str(exc)
    return out
