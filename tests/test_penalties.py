"""identify_penalty (theory.empirical.penalties) on the regularisers users copy from tutorials, written
here as real torch code on real torch modules: d2l's λ·Σw²/2, Keras' λΣW², torch.norm(W)**2, the ApX
text's hand-written L1, an elastic net, and the third text's ``Regularization`` module
(weight_decay · Σ torch.norm(W, p) over the parameters whose name contains "weight"; docs/claims.md),
whose p = 2 is a group norm, p = 1 an L1 and p = 0 no regulariser at all.

Coefficients are compared with ``report.tolerance`` (10·(N + 16)·eps of the probe's dtype, the bound
the classifier itself uses), never with exact equality.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from theory.errors import InputError, PreconditionError

torch = pytest.importorskip("torch")
nn = torch.nn

from theory.empirical.penalties import PenaltyReport, identify_penalty  # noqa: E402


def _mlp(dtype: Any = torch.float64, seed: int = 0) -> Any:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3)).to(dtype)


def _weights(model: Any) -> list[Any]:
    """The matrices (dim > 1): how the ApX text and many tutorials select "the weights"."""
    return [p for p in model.parameters() if p.dim() > 1]


class NameFilteredNorm(nn.Module):
    """The behaviour of the third text's ``Regularization`` module, re-implemented: it keeps the model,
    and its forward(model) returns weight_decay · Σ torch.norm(param, p) over the parameters whose
    name contains "weight" (so a LayerNorm's or BatchNorm's γ, also named "weight", is selected too)."""

    def __init__(self, model: Any, weight_decay: float, p: float = 2) -> None:
        super().__init__()
        self.model, self.weight_decay, self.p = model, weight_decay, p

    def forward(self, model: Any) -> Any:
        chosen = [param for name, param in model.named_parameters() if "weight" in name]
        return self.weight_decay * sum(torch.norm(param, p=self.p) for param in chosen)


def _close(actual: float | None, expected: float, report: PenaltyReport) -> bool:
    return actual is not None and abs(actual - expected) <= report.tolerance * abs(expected)


# ------------------------------------------------------------------------------------------- L2


@pytest.mark.parametrize(
    ("label", "penalty", "lam"),
    [
        ("d2l λ·Σw²/2", lambda m: 0.03 * sum((w**2).sum() for w in _weights(m)) / 2, 0.03),
        ("torch.norm(W)**2", lambda m: sum(torch.norm(w) ** 2 for w in _weights(m)), 2.0),
        ("Keras λΣW²", lambda m: 0.01 * sum(w.square().sum() for w in _weights(m)), 0.02),
    ],
)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_l2_in_each_scaling(label: str, penalty: Any, lam: float, dtype: Any) -> None:
    model = _mlp(dtype)
    r = identify_penalty(penalty, model)
    assert r.kind == "l2", (label, r)
    assert _close(r.l2, lam, r), (label, r.l2, lam)
    assert r.l1 is None and r.degree == 2.0
    assert r.params == ("0.weight", "2.weight")  # the biases are not penalised
    assert r.dtype == "float64"  # a float32 model is probed on float64 copies
    assert f"weight_decay={lam:.6g}" in str(r)
    assert [p.l2 is not None and _close(p.l2, lam, r) for p in r.per_param] == [True, True]


def test_l2_on_every_parameter_with_a_constant_offset() -> None:
    r = identify_penalty(lambda m: 1.5 + 0.1 * sum(p.pow(2).sum() for p in m.parameters()), _mlp())
    assert r.kind == "l2" and _close(r.l2, 0.2, r)
    assert r.params == ("0.weight", "0.bias", "2.weight", "2.bias")
    assert abs(r.constant - 1.5) <= r.tolerance * 1.5
    assert "P(0) = 1.5" in str(r)


# ------------------------------------------------------------------------------ L1, elastic net


def test_hand_written_l1_on_the_weights() -> None:
    """The ApX text's L1: μ·Σ|W| added to the loss over the parameters with dim > 1."""
    r = identify_penalty(lambda m: 1e-3 * sum(w.abs().sum() for w in _weights(m)), _mlp())
    assert r.kind == "l1" and _close(r.l1, 1e-3, r) and r.l2 is None
    assert r.degree == 1.0 and r.params == ("0.weight", "2.weight")


def test_l1_on_a_one_entry_tensor_is_l1_not_a_group_norm() -> None:
    """For one entry, |w| = ‖w‖: both fit; the simpler per-entry reading wins."""
    model = _mlp()
    model.register_parameter("temperature", nn.Parameter(torch.tensor([0.7], dtype=torch.float64)))
    r = identify_penalty(lambda m: 0.5 * m.temperature.abs().sum(), model)
    assert r.kind == "l1" and _close(r.l1, 0.5, r) and r.params == ("temperature",)


@pytest.mark.parametrize("mu", [1e-3, 1e-12])
def test_elastic_net(mu: float) -> None:
    """μ‖w‖₁ + (λ/2)‖w‖², also when μ is 5e-11 of λ: the L1 part of the gradient, μ against λ|w| with
    |w| ≈ 0.3, is then ≈ 1e-10 of it, 500 times the tolerance 1.8e-13 (and reads as L2 beyond that)."""
    lam = 0.02

    def penalty(m: Any) -> Any:
        return sum(mu * w.abs().sum() + lam / 2 * w.pow(2).sum() for w in _weights(m))

    r = identify_penalty(penalty, _mlp())
    assert r.kind == "elastic_net", r
    # μ's error: the rounding of the L2 part, tol·λ·|w|, projected on sign(w)
    assert _close(r.l2, lam, r) and r.l1 is not None and abs(r.l1 - mu) <= r.tolerance * lam
    assert math.isnan(r.degree)  # μ·c‖w‖₁ + (λ/2)c²‖w‖²: no single degree


# -------------------------------------------------------------- the third text's Regularization


def test_regularization_module_p2_is_a_group_norm_not_weight_decay() -> None:
    model = _mlp()
    r = identify_penalty(NameFilteredNorm(model, 0.01, p=2), model)
    assert r.kind == "group_norm" and r.l2 is None and r.l1 is None
    assert r.degree == 1.0 and r.params == ("0.weight", "2.weight")
    assert all(p.kind == "group_norm" and _close(p.group, 0.01, r) for p in r.per_param)
    assert "not weight decay" in str(r) and "c·W/‖W‖ has constant size" in str(r)


def test_regularization_module_p1_is_l1() -> None:
    model = _mlp()
    r = identify_penalty(NameFilteredNorm(model, 0.01, p=1), model)
    assert r.kind == "l1" and _close(r.l1, 0.01, r)


def test_regularization_module_p0_has_zero_gradient() -> None:
    """Its docstring's "p = 0 is L2": torch.norm(W, p=0) counts nonzero entries; no gradient at all."""
    model = _mlp()
    r = identify_penalty(NameFilteredNorm(model, 0.01, p=0), model)
    assert r.kind == "other" and r.degree == 0.0
    assert r.params == ("0.weight", "2.weight")
    assert all(p.zero_gradient for p in r.per_param)
    assert "not a regulariser" in str(r) and "c·Σ‖W‖₀ with c = 0.01," in str(r)
    piecewise = identify_penalty(lambda m: torch.round(4 * m[0].weight).abs().sum(), model)
    assert piecewise.kind == "other" and "piecewise constant" in str(piecewise)


def test_name_filter_selects_the_layernorm_gamma() -> None:
    """'weight' in name picks the LayerNorm's γ too (but not its β or any bias)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6), nn.ReLU(), nn.Linear(6, 2)).double()
    r = identify_penalty(NameFilteredNorm(model, 0.1, p=2), model)
    assert r.kind == "group_norm"
    assert r.params == ("0.weight", "1.weight", "3.weight")
    assert "normalisation-layer parameters (1.weight)" in str(r)


# ------------------------------------------------------------------------------- not weight decay


def test_log_penalty_is_not_homogeneous() -> None:
    r = identify_penalty(lambda m: sum(torch.log1p(w**2).sum() for w in _weights(m)), _mlp())
    assert r.kind == "other" and math.isnan(r.degree) and r.l2 is None and r.l1 is None


def test_global_norm_and_its_fourth_power_are_other_with_their_degree() -> None:
    def sq(m: Any) -> Any:
        return sum(p.pow(2).sum() for p in m.parameters())

    one = identify_penalty(lambda m: sq(m).sqrt(), _mlp())  # ‖θ‖: not per tensor
    four = identify_penalty(lambda m: sq(m) ** 2, _mlp())
    assert (one.kind, one.degree, four.kind, four.degree) == ("other", 1.0, "other", 4.0)


def test_a_homogeneous_penalty_whose_gradient_misses_a_factor_fails_euler() -> None:
    """P = S·S.detach(), S = Σθ²: the value has degree 4, the gradient is 2S·θ (that of S²/2): Euler's
    identity ⟨∇P(θ), θ⟩ = 4P fails (it gives 2P)."""

    def penalty(m: Any) -> Any:
        s = sum(p.pow(2).sum() for p in m.parameters())
        return s * s.detach()

    r = identify_penalty(penalty, _mlp())
    assert r.kind == "other" and r.degree == 4.0
    assert "Euler's identity" in str(r) and "does not match its value" in str(r)
    honest = identify_penalty(lambda m: sum(p.pow(2).sum() for p in m.parameters()) ** 2, _mlp())
    assert honest.degree == 4.0 and "Euler" not in str(honest)


def test_a_different_lambda_per_tensor_is_not_one_weight_decay() -> None:
    def penalty(m: Any) -> Any:
        return 0.5 * (0.1 * m[0].weight.pow(2).sum() + 0.3 * m[2].weight.pow(2).sum())

    r = identify_penalty(penalty, _mlp())
    assert r.kind == "other" and r.l2 is None and r.degree == 2.0
    assert [p.kind for p in r.per_param] == ["l2", "l2"]
    assert _close(r.per_param[0].l2, 0.1, r) and _close(r.per_param[1].l2, 0.3, r)
    assert "different λ per tensor" in str(r)


def test_l2_on_weights_and_l1_on_biases_is_not_one_penalty() -> None:
    def penalty(m: Any) -> Any:
        return sum(p.pow(2).sum() if p.dim() > 1 else p.abs().sum() for p in m.parameters())

    r = identify_penalty(penalty, _mlp())
    assert r.kind == "other" and [p.kind for p in r.per_param] == ["l2", "l1", "l2", "l1"]
    assert "not one penalty: the tensors get different kinds" in str(r)  # not "an elastic net per tensor"


def test_a_detached_factor_fails_the_value_check() -> None:
    """Σ w.detach()·w has the gradient of ½‖w‖² (λ = 1) but the value ‖w‖²: not what it looks like."""
    r = identify_penalty(lambda m: sum((w.detach() * w).sum() for w in _weights(m)), _mlp())
    assert r.kind == "other" and r.l2 is None
    assert "its value is not" in str(r)


# ----------------------------------------------------------------------- closures, dtypes, layers


def test_closures_over_the_model_and_over_a_parameter_list() -> None:
    model = _mlp(torch.float32)
    weights = _weights(model)
    over_model = identify_penalty(lambda _: 0.5 * sum(w.pow(2).sum() for w in _weights(model)), model)
    over_list = identify_penalty(lambda _: 0.5 * sum(w.pow(2).sum() for w in weights), model)
    for r in (over_model, over_list):
        assert r.kind == "l2" and _close(r.l2, 1.0, r) and r.params == ("0.weight", "2.weight")


def test_float32_accumulator_widens_the_tolerance() -> None:
    """A penalty summed into a float32 tensor is only float32-accurate: the tolerance says so."""
    model = _mlp()

    def penalty(m: Any) -> Any:
        total = torch.zeros(1, dtype=torch.float32)  # shape (1,), as the texts' FloatTensor([0.])
        for w in _weights(m):
            total = total + 0.05 * w.pow(2).sum()
        return total

    r = identify_penalty(penalty, model)
    eps32 = float(torch.finfo(torch.float32).eps)
    assert r.kind == "l2" and _close(r.l2, 0.1, r)
    assert r.tolerance >= 10 * eps32


def test_a_group_norm_of_a_large_tensor_in_float32_is_still_a_group_norm() -> None:
    """8 080 entries with a float32 result: tol = 10·(N + 16)·eps₃₂ ≈ 0.0097. ‖W‖ of a random 8 000-entry
    draw varies by only ≈ 1/√16000 ≈ 0.008 between draws of one scale, so c·W/‖W‖ would pass for λW;
    the probe points' scales (each tensor's norm spans a factor ≥ 2) keep them apart."""
    torch.manual_seed(0)
    model = nn.Linear(100, 80)
    r = identify_penalty(lambda m: torch.zeros(1) + 0.01 * torch.norm(m.weight), model)
    assert r.tolerance > 0.009 and r.kind == "group_norm", r
    assert r.per_param[0].group is not None and abs(r.per_param[0].group - 0.01) <= r.tolerance * 0.01


def test_a_float32_result_on_a_large_model_is_refused_not_guessed() -> None:
    """20 100 entries in float32: 10·(N + 16)·eps₃₂ = 0.024 cannot separate the kinds."""
    torch.manual_seed(0)
    model = nn.Linear(200, 100)
    with pytest.raises(PreconditionError, match="cannot tell the kinds apart"):
        identify_penalty(lambda m: torch.zeros(1) + m.weight.pow(2).sum(), model)
    assert identify_penalty(lambda m: m.weight.pow(2).sum(), model).kind == "l2"  # float64 result


def _cnn() -> Any:
    torch.manual_seed(1)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Dropout(0.5),
        nn.Flatten(), nn.Linear(4 * 4 * 4, 3),
    )  # fmt: skip


def _snapshot(model: Any) -> dict[str, Any]:
    return {
        "state": {k: v.clone() for k, v in model.state_dict().items()},
        "ptrs": [(id(p), p.data_ptr(), p.dtype, p.requires_grad) for p in model.parameters()],
        "grads": [None if p.grad is None else p.grad.clone() for p in model.parameters()],
        "buffers": [(id(b), b.data_ptr()) for b in model.buffers()],
        "modes": [m.training for m in model.modules()],
        "rng": torch.get_rng_state(),
    }


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["state"].keys() == b["state"].keys()
        and all(torch.equal(a["state"][k], b["state"][k]) for k in a["state"])
        and a["ptrs"] == b["ptrs"]
        and a["buffers"] == b["buffers"]
        and all(
            (x is None and y is None) or (x is not None and y is not None and torch.equal(x, y))
            for x, y in zip(a["grads"], b["grads"], strict=True)
        )
        and a["modes"] == b["modes"]
        and torch.equal(a["rng"], b["rng"])
    )


def test_batchnorm_dropout_model_penalty_and_model_left_untouched() -> None:
    model = _cnn()  # float32
    model[1].eval()  # mixed modes: BatchNorm in eval, the rest in train
    model[5].weight.requires_grad_(False)  # a frozen parameter: kept, not probed
    x = torch.randn(2, 1, 6, 6)
    model(x).sum().backward()  # .grad set on the trainable parameters
    before = _snapshot(model)
    r = identify_penalty(lambda m: 5e-4 * sum(p.pow(2).sum() for p in m.parameters()), model)
    assert r.kind == "l2" and _close(r.l2, 1e-3, r)
    assert r.params == ("0.weight", "0.bias", "1.weight", "1.bias", "5.bias")
    assert "normalisation-layer parameters (1.weight, 1.bias)" in str(r)
    assert r.constant > 0  # the frozen 5.weight's share
    assert _same(before, _snapshot(model))


def test_a_penalty_that_runs_the_model_falls_back_to_its_dtype_and_leaves_it_untouched() -> None:
    """An activation penalty runs BatchNorm in train mode (running statistics move) and Dropout (the
    RNG advances) on a float32 input, and flips a module's mode: it fails in float64, runs in float32,
    and every change is undone."""
    model = _cnn()
    x = torch.randn(3, 1, 6, 6)
    before = _snapshot(model)

    def activations(m: Any) -> Any:
        m[0].eval()  # flips a module's mode (BatchNorm stays in train mode: its statistics move)
        return m(x).pow(2).mean()

    r = identify_penalty(activations, model)
    assert r.dtype == "float32" and "fn fails in float64" in str(r)
    assert r.kind == "other"
    assert _same(before, _snapshot(model))


def test_on_cuda() -> None:
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    model = _mlp(torch.float32).cuda()
    state = torch.cuda.get_rng_state()
    r = identify_penalty(NameFilteredNorm(model, 0.01, p=2), model)
    assert r.kind == "group_norm" and r.dtype == "float64"
    l2 = identify_penalty(lambda m: 0.01 * sum(w.pow(2).sum() for w in _weights(m)), model)
    assert l2.kind == "l2" and _close(l2.l2, 0.02, l2)
    assert model[0].weight.dtype == torch.float32 and model[0].weight.is_cuda
    assert torch.equal(state, torch.cuda.get_rng_state())


# ------------------------------------------------------------------------------------------ errors


def test_errors_name_the_problem() -> None:
    model, other = _mlp(torch.float32), _mlp(seed=1)
    before = _snapshot(model)
    with pytest.raises(InputError, match="shape"):
        identify_penalty(lambda m: m[0].weight.pow(2), model)  # not reduced
    with pytest.raises(InputError, match="torch tensor; got float"):
        identify_penalty(lambda m: float(m[0].weight.pow(2).sum().detach()), model)
    with pytest.raises(PreconditionError, match="no gradient path"):
        identify_penalty(lambda m: torch.tensor(sum(w.pow(2).sum().item() for w in _weights(m))), model)
    with pytest.raises(PreconditionError, match="not finite at the current"):
        identify_penalty(lambda m: m[0].weight.sum() * float("nan"), model)
    with pytest.raises(PreconditionError, match="constant: no parameter changes it"):
        identify_penalty(lambda _: sum(w.pow(2).sum() for w in _weights(other)), model)
    with pytest.raises(PreconditionError, match="raised ZeroDivisionError"):
        identify_penalty(lambda m: 1 / 0, model)
    with pytest.raises(InputError, match="no trainable floating-point parameter"):
        identify_penalty(lambda m: torch.zeros(()), nn.ReLU())
    with pytest.raises(InputError, match="torch.nn.Module"):
        identify_penalty(lambda m: torch.zeros(()), [torch.zeros(2)])
    with pytest.raises(InputError, match="callable"):
        identify_penalty(0.01, model)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="points"):
        identify_penalty(lambda m: m[0].weight.pow(2).sum(), model, points=1)
    assert _same(before, _snapshot(model))  # every failure above restored the model
    with torch.device("meta"):
        ghost = nn.Linear(3, 2)
    with pytest.raises(InputError, match="meta device"):
        identify_penalty(lambda m: m.weight.pow(2).sum(), ghost)


class _BrokenBackward(torch.autograd.Function):
    """x ↦ x whose backward raises: an error inside torch.autograd.grad, not inside fn."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.clone()

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        raise ValueError("no backward here")


def test_errors_inside_autograd_are_in_the_family() -> None:
    model = _mlp()
    with pytest.raises(PreconditionError, match="gradient of fn.*failed.*ValueError: no backward here"):
        identify_penalty(lambda m: _BrokenBackward.apply(m[0].weight).pow(2).sum(), model)


def test_sparse_gradients_are_densified() -> None:
    """nn.Embedding(sparse=True) returns a sparse gradient for its weight: probed like a dense one."""
    torch.manual_seed(0)
    emb = nn.Embedding(10, 3, sparse=True).double()
    r = identify_penalty(lambda m: 0.5 * m(torch.arange(10)).pow(2).sum(), emb)
    assert r.kind == "l2" and _close(r.l2, 1.0, r) and r.params == ("weight",)


# ------------------------------------------------------------------- zero, tiny, huge, constant


@pytest.mark.parametrize(
    ("label", "zeroed", "penalty", "kind", "coef"),
    [
        ("L2, W = 0", ("weight",), lambda m: 0.05 * m.weight.pow(2).sum(), "l2", 0.1),
        ("L1, W = 0", ("weight",), lambda m: 0.05 * m.weight.abs().sum(), "l1", 0.05),
        (
            "L2, all zero",
            ("weight", "bias"),
            lambda m: 0.5 * sum(p.pow(2).sum() for p in m.parameters()),
            "l2",
            1.0,
        ),
    ],
)
def test_zero_initialised_parameters(
    label: str, zeroed: tuple[str, ...], penalty: Any, kind: str, coef: float
) -> None:
    """The current point is uninformative (P = P(0) = 0 there): the random points decide, and the value
    check's bound at that point is the absolute floor (N + K)·tiny, never a division by 0."""
    torch.manual_seed(0)
    model = nn.Linear(3, 2).double()
    with torch.no_grad():
        for name in zeroed:
            getattr(model, name).zero_()
    r = identify_penalty(penalty, model)
    assert r.kind == kind, (label, r)
    assert _close(r.l2 if kind == "l2" else r.l1, coef, r), (label, r)


def test_tiny_coefficient_is_found_and_subnormal_changes_are_refused() -> None:
    """1e-300·Σw²: gradients of 1e-300, whose squares underflow; the norms and residuals are scaled
    first, so it is an L2 with λ = 2e-300. Parameters of 1e-160 make the penalty itself subnormal
    (≈ 1e-320), below (N + 16)·tiny: refused, not guessed."""
    torch.manual_seed(0)
    r = identify_penalty(
        lambda m: 1e-300 * sum(p.pow(2).sum() for p in m.parameters()), nn.Linear(3, 2).double()
    )
    assert r.kind == "l2" and _close(r.l2, 2e-300, r) and r.degree == 2.0
    tiny = nn.Linear(3, 2).double()
    with torch.no_grad():
        for p in tiny.parameters():
            p.mul_(1e-160)
    with pytest.raises(PreconditionError, match="below .N \\+ 16.·tiny"):
        identify_penalty(lambda m: 0.5 * sum(p.pow(2).sum() for p in m.parameters()), tiny)


def test_a_constant_that_swamps_the_penalty_is_refused() -> None:
    """1e12 + 0.05Σw²: the changes (≈ 0.1) lie within the rounding of the values (≈ 1e12·tol ≈ 0.05):
    a refusal, not kind "l2" with degree NaN. A moderate constant (1.5, above) is reported as P(0)."""
    torch.manual_seed(0)
    with pytest.raises(PreconditionError, match="constant swamps the penalty"):
        identify_penalty(lambda m: 1e12 + 0.05 * sum(p.pow(2).sum() for p in m.parameters()), nn.Linear(3, 2))


@pytest.mark.parametrize(
    "penalty",
    [
        lambda m: 0 * sum(p.pow(2).sum() for p in m.parameters()),
        lambda m: torch.tensor(3.0, requires_grad=True),
        lambda m: 3.0 + 0 * m.weight.sum(),
    ],
)
def test_a_zero_or_constant_penalty_says_so(penalty: Any) -> None:
    with pytest.raises(PreconditionError, match="constant: no parameter changes it"):
        identify_penalty(penalty, nn.Linear(3, 2))


def test_weight_norm_parametrisation_skips_theta_zero() -> None:
    """parametrizations.weight_norm: weight = g·v/‖v‖ is NaN at v = 0, so P(0) is not finite; the θ = 0
    probe is skipped (and said so), and (λ/2)‖weight‖² = (λ/2)Σ g² is an L2 on the magnitudes g."""
    torch.manual_seed(0)
    model = torch.nn.utils.parametrizations.weight_norm(nn.Linear(4, 4).double())
    r = identify_penalty(lambda m: 0.05 * m.weight.pow(2).sum(), model)
    assert r.kind == "l2" and _close(r.l2, 0.1, r)
    assert r.params == ("parametrizations.weight.original0",)
    assert math.isnan(r.constant) and "P(0) = nan is not finite" in str(r)
    log = identify_penalty(lambda m: torch.log(sum(w.pow(2).sum() for w in _weights(m))), _mlp())
    assert log.kind == "other" and "P(0) = -inf is not finite" in str(log)


# ------------------------------------------------------------------- the value, threshold, degree


@pytest.mark.parametrize("share", [1.0, 1e-3])
def test_a_detached_share_of_an_l2_fails_the_value_check(share: float) -> None:
    """0.05ΣW² + share·0.05Σ(W.detach())²: the gradient is that of λ = 0.1, the value (1 + share) times
    its L2 part. A share of 1e-3 is a relative mismatch of 1e-3, ≈ 2e10 times the tolerance 5e-14: still
    refused (a value check loosened to a ratio of 1e12 would pass it)."""
    torch.manual_seed(0)
    r = identify_penalty(
        lambda m: 0.05 * m.weight.pow(2).sum() + share * 0.05 * m.weight.detach().pow(2).sum(),
        nn.Linear(3, 2),
    )
    assert r.kind == "other" and r.l2 is None and "not weight decay as written" in str(r)


def test_a_tiny_lambda_on_one_tensor_still_counts() -> None:
    """λ = 2e-6 on the bias next to 0.1 on the weight: the bias's gradient, ≈ 2e-5 of the weight's, is
    far above the touched-tensor threshold tol·max‖g‖ (≈ 5e-14): a different λ per tensor."""
    torch.manual_seed(0)
    r = identify_penalty(lambda m: 0.05 * m.weight.pow(2).sum() + 1e-6 * m.bias.pow(2).sum(), nn.Linear(3, 2))
    assert r.kind == "other" and r.params == ("weight", "bias")
    assert "different λ per tensor" in str(r) and "bias: 2e-06" in str(r)


def test_a_non_integer_degree_is_reported_as_measured() -> None:
    """Σ|w|^1.5 is homogeneous of degree 1.5 (not snapped to an integer) and is not weight decay."""
    torch.manual_seed(0)
    r = identify_penalty(lambda m: m.weight.abs().pow(1.5).sum(), nn.Linear(3, 2))
    assert r.kind == "other" and abs(r.degree - 1.5) <= 1e-9 and "degree 1.5" in str(r)


# --------------------------------------------------------------------------- left as it was


def test_a_graph_built_before_the_call_still_backpropagates_and_hooks_stay_quiet() -> None:
    """The probes swap fresh tensors in with ``p.data = ...``: no version-counter bump (an in-place
    copy_ would make loss.backward() fail on a graph that saved the parameters), and tensor hooks
    registered on the parameters do not see the probes' gradients (they fire again afterwards)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    x = torch.randn(5, 3)
    loss = model(x).pow(2).sum()
    versions = [p._version for p in model.parameters()]
    seen: list[Any] = []
    handle = model[0].weight.register_hook(lambda g: seen.append(g.clone()))
    r = identify_penalty(lambda m: 0.05 * sum(p.pow(2).sum() for p in m.parameters()), model)
    assert r.kind == "l2" and seen == []
    assert [p._version for p in model.parameters()] == versions
    loss.backward()  # the graph built before the call
    assert len(seen) == 1 and torch.equal(seen[0], model[0].weight.grad)
    assert all(p.grad is not None for p in model.parameters())
    handle.remove()


# ------------------------------------------------------- what the new-user tester found (issue 12)


def _tester_mlp() -> Any:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 1))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_an_item_value_rewrapped_in_a_tensor_is_computed_outside_autograd(dtype: Any) -> None:
    """torch.tensor(λΣw².item(), requires_grad=True): a leaf with no path to the parameters. Its value
    changes smoothly with every tensor (degree 2) while no gradient arrives: "computed outside
    autograd", never "piecewise constant"; the one-entry 2.bias counts too (in a float32 result its
    share at θ_1 was below the rounding bound until the W×1024 probe)."""
    model = _tester_mlp()

    def penalty(m: Any) -> Any:
        return torch.tensor(
            1e-3 * sum(p.pow(2).sum().item() for p in m.parameters()), dtype=dtype, requires_grad=True
        )

    r = identify_penalty(penalty, model)
    assert r.kind == "other" and r.degree == 2.0
    assert r.params == ("0.weight", "0.bias", "2.weight", "2.bias")
    assert all(p.zero_gradient and p.smooth for p in r.per_param)
    assert "computed outside autograd" in str(r) and "piecewise constant" not in str(r)


def test_huber_in_its_quadratic_zone_is_l2_near_the_current_parameters() -> None:
    """smooth_l1(w, 0, beta) = w²/(2β) for |w| < β: at the current and random points (|w| < 1) it is
    (λ/2)‖w‖² with λ = 1/β; at 2× a random point some |w| pass β and it grows linearly there. That is a
    form that changes with scale, not a detached part."""
    model = _tester_mlp()

    def huber(beta: float) -> Any:
        def penalty(m: Any) -> Any:
            return sum(
                nn.functional.smooth_l1_loss(p, torch.zeros_like(p), reduction="sum", beta=beta)
                for p in m.parameters()
            )

        return penalty

    r = identify_penalty(huber(1.0), model)
    assert r.kind == "l2" and _close(r.l2, 1.0, r) and math.isnan(r.degree)
    assert "near the current parameters" in str(r) and "changes at larger scale (Huber-like)" in str(r)
    assert "detached" not in str(r)
    wide = identify_penalty(huber(10.0), model)  # every probe inside |w| < 10: plain L2, degree 2
    assert wide.kind == "l2" and _close(wide.l2, 0.1, wide) and wide.degree == 2.0


def test_an_inactive_max_norm_hinge_says_it_is_inactive_at_the_probed_scales() -> None:
    """relu(‖row‖ − 3)² is 0 wherever it was probed (rows far below norm 3): no closure suggested."""
    with pytest.raises(PreconditionError, match="inactive at the probed scales") as info:
        identify_penalty(lambda m: torch.relu(m[0].weight.norm(dim=1) - 3.0).pow(2).sum(), _tester_mlp())
    assert "largest entry probed" in str(info.value) and "closure" not in str(info.value)


def test_frozen_parameters_that_change_the_value_are_named() -> None:
    model = _tester_mlp()
    for p in model[0].parameters():
        p.requires_grad_(False)
    with pytest.raises(
        PreconditionError, match="what changes its value is frozen: 0.weight \\(requires_grad"
    ):
        identify_penalty(lambda m: 0.5 * m[0].weight.pow(2).sum(), model)
    r = identify_penalty(lambda m: 0.5 * sum(p.pow(2).sum() for p in m.parameters()), model)
    assert r.kind == "l2" and r.params == ("2.weight", "2.bias")
    assert "frozen parameters change its value too: 0.weight, 0.bias" in str(r)
    clean = identify_penalty(lambda m: sum(p.pow(2).sum() for p in m.parameters() if p.requires_grad), model)
    assert "frozen" not in str(clean)


def test_a_float64_failure_is_named_as_the_cause_on_a_large_model() -> None:
    """A float32 constant M inside fn: fn fails in float64, the probes fall back to float32, whose
    bound for 20 100 entries exceeds 0.01; the message names the float64 failure, not the result dtype."""
    torch.manual_seed(0)
    model = nn.Linear(200, 100)
    mat = torch.randn(100, 100)
    with pytest.raises(PreconditionError, match="because fn fails in float64.*dtype") as info:
        identify_penalty(lambda m: (mat @ m.weight).pow(2).sum(), model)
    assert "start its sum" not in str(info.value)


def test_other_gives_each_tensor_its_own_result() -> None:
    """Spectral norm ‖W‖₂: for the 1×20 last layer it is its Frobenius norm (a group norm, c = 0.001);
    for the 20×10 first layer none of the four forms fits. Said per tensor, not as one best residual."""
    r = identify_penalty(
        lambda m: 1e-3 * sum(torch.linalg.matrix_norm(w, 2) for w in _weights(m)), _tester_mlp()
    )
    assert r.kind == "other" and [p.kind for p in r.per_param] == ["other", "group_norm"]
    assert r.per_param[0].closest is not None and r.per_param[0].residual > 0.1
    assert "0.weight: none (closest" in str(r) and "2.weight: group_norm (c = 0.001" in str(r)


def test_one_norm_of_all_parameters_is_a_global_group_norm() -> None:
    r = identify_penalty(
        lambda m: 1e-3 * torch.cat([p.view(-1) for p in m.parameters()]).norm(), _tester_mlp()
    )
    assert r.kind == "other" and r.degree == 1.0 and len(r.params) == 4
    assert "c‖θ‖ with c = 0.001" in str(r) and "global group norm" in str(r) and "constant size c" in str(r)
