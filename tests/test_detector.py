"""The scale-invariance detector (theory.empirical.normalised.scale_invariant_parameters) on models the
project did not write: each test is a finding of a user's report (invariance at one point only, zero
and unused parameters, float32, dropout, input errors) or a result the user confirmed right."""

from __future__ import annotations

from typing import Any

import pytest

from theory.errors import InputError, PreconditionError, TheoryError

torch = pytest.importorskip("torch")
nn = torch.nn

from theory.empirical.normalised import scale_invariant_parameters  # noqa: E402

CE = nn.CrossEntropyLoss()


def _data(n: int = 32, d: int = 6, k: int = 3, seed: int = 0, dtype: Any = torch.float64) -> tuple[Any, Any]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g, dtype=dtype), torch.randint(0, k, (n,), generator=g)


def _report(model: Any, loss: Any, data: Any, **kw: Any) -> dict[str, Any]:
    return {r.name: r for r in scale_invariant_parameters(model, loss, data, **kw)}


def _invariant(rep: dict[str, Any]) -> set[str]:
    return {name for name, r in rep.items() if r.invariant}


# ---------------------------------------------------------------- 1: every point, not the current one


def test_batchnorm_gamma_before_relu_is_not_invariant() -> None:
    """γ of the first BatchNorm looks invariant at initialisation (β = 0, ReLU positively homogeneous)
    but is not once β moves; the weights feeding the BatchNorms are invariant at every point."""
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(2, 64, bias=False), nn.BatchNorm1d(64), nn.ReLU(),
        nn.Linear(64, 64, bias=False), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 3),
    ).double()  # fmt: skip
    rep = _report(model, CE, _data(d=2))
    assert rep["1.weight"].status == "not invariant", rep["1.weight"]
    assert rep["1.weight"].change > 1e6 * rep["1.weight"].tolerance
    assert _invariant(rep) == {"0.weight", "3.weight"}
    assert rep["0.weight"].row_invariant and rep["3.weight"].row_invariant
    assert rep["0.weight"].points == 3  # the current point and 2 random ones


def test_post_ln_transformer_norm2_followed_by_layernorm_is_not_invariant() -> None:
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
    model = nn.Sequential(layer, nn.LayerNorm(8), nn.Flatten(), nn.Linear(5 * 8, 3)).double()
    x = torch.randn(16, 5, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    y = torch.randint(0, 3, (16,), generator=torch.Generator().manual_seed(2))
    rep = _report(model, CE, (x, y), names=["0.norm2.weight", "0.norm1.weight", "0.linear2.weight"])
    assert rep["0.norm2.weight"].status == "not invariant", rep["0.norm2.weight"]
    assert not _invariant(rep)


def test_a_truly_invariant_weight_stays_invariant_at_the_random_points() -> None:
    """More points cannot lose a true invariance, and another seed gives the same verdicts."""
    from theory.empirical.normalised import normalised_mlp

    model = normalised_mlp(6, (5, 4), 3, norm="layer", activation="relu", seed=3)
    verdicts = [
        {n: r.status for n, r in _report(model, CE, _data(), points=p, seed=s).items()}
        for p, s in ((1, 0), (4, 7))
    ]
    assert verdicts[0] == verdicts[1]
    assert {n for n, s in verdicts[0].items() if s == "scale-invariant"} == {"0.weight", "3.weight"}


# ---------------------------------------------------------------- 2: zero and unused parameters


def test_a_zero_weight_before_batchnorm_is_invariant() -> None:
    """p = 0 makes f(cp) = f(p) empty at the current point; the random points test it."""
    from theory.empirical.normalised import normalised_mlp

    model = normalised_mlp(6, 5, 3, norm="batch", seed=1)
    nn.init.zeros_(model[0].weight)
    rep = _report(model, CE, _data())
    assert rep["0.weight"].invariant and rep["0.weight"].points == 2, rep["0.weight"]


def test_conv_bias_before_train_batchnorm_is_unused_and_conv_weight_invariant_per_row() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 3)
    ).double()
    x = torch.randn(8, 2, 6, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    y = torch.randint(0, 3, (8,), generator=torch.Generator().manual_seed(2))
    rep = _report(model, CE, (x, y))
    assert rep["0.bias"].status == "unused" and not rep["0.bias"].invariant, rep["0.bias"]
    assert rep["0.weight"].status == "scale-invariant" and rep["0.weight"].row_invariant
    assert {n for n, r in rep.items() if r.status == "not invariant"} == {
        "1.weight",
        "1.bias",
        "4.weight",
        "4.bias",
    }


# ---------------------------------------------------------------- 3: float32


def test_weak_non_invariance_is_found_in_a_float32_model() -> None:
    """A bias scaled by 1e-3 before LayerNorm changes the loss by ~3e-5 under scaling of the weight,
    below the float32 forward-error bound (~1e-4) but far above float64's; the user's model stays
    float32 and unchanged."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.LayerNorm(16), nn.Tanh(), nn.Linear(16, 3))
    with torch.no_grad():
        model[0].bias.mul_(1e-3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    (r,) = scale_invariant_parameters(model, CE, _data(dtype=torch.float32), names=["0.weight"])
    assert not r.invariant and r.change > 1e6 * r.tolerance, r
    after = model.state_dict()
    assert all(after[k].dtype == torch.float32 and torch.equal(after[k], v) for k, v in before.items())
    model_nb = nn.Sequential(nn.Linear(6, 16, bias=False), nn.LayerNorm(16), nn.Tanh(), nn.Linear(16, 3))
    (r,) = scale_invariant_parameters(model_nb, CE, _data(dtype=torch.float32), names=["0.weight"])
    assert r.invariant and r.row_invariant is False, r


# ---------------------------------------------------------------- 4: dropout in train mode


def test_dropout_in_train_mode_uses_one_mask_per_point_and_leaves_the_rng_alone() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(6, 16, bias=False), nn.LayerNorm(16), nn.Dropout(0.5), nn.Linear(16, 3)
    ).double()
    state = torch.get_rng_state()
    rep = _report(model, CE, _data())
    assert _invariant(rep) == {"0.weight"}, rep["0.weight"]
    assert rep["0.weight"].change <= rep["0.weight"].tolerance
    assert torch.equal(state, torch.get_rng_state())  # the caller's random stream is not consumed


# ---------------------------------------------------------------- 5: what hessian_operator accepts


class _Keywords(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(6, 5, bias=False)
        self.norm = nn.LayerNorm(5)
        self.head = nn.Linear(5, 3)

    def forward(self, *, features: Any) -> Any:
        return self.head(torch.tanh(self.norm(self.lin(features))))


def test_dataloaders_lists_and_dict_inputs_are_accepted() -> None:
    from theory.empirical.normalised import normalised_mlp

    x, y = _data()
    model = normalised_mlp(6, 5, 3, norm="batch", seed=1)
    want = {n: r.status for n, r in _report(model, CE, (x, y)).items()}
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32)
    for data in (loader, [(x, y)], [x, y]):
        assert {n: r.status for n, r in _report(model, CE, data).items()} == want
    torch.manual_seed(0)
    rep = _report(_Keywords().double(), CE, ({"features": x}, y))
    assert _invariant(rep) == {"lin.weight"}


def test_a_frozen_parameter_is_skipped_unless_named() -> None:
    from theory.empirical.normalised import normalised_mlp

    model = normalised_mlp(6, 5, 3, norm="batch", seed=1)
    model[0].weight.requires_grad_(False)
    assert "0.weight" not in _report(model, CE, _data())
    (r,) = scale_invariant_parameters(model, CE, _data(), names="0.weight")
    assert r.invariant and not model[0].weight.requires_grad


def _plain(x: Any) -> Any:
    return x


@pytest.mark.parametrize(
    ("model", "loss", "data", "kind", "match"),
    [
        ("mlp", CE, "dict_batch", InputError, r"got a dict with keys \['x', 'y'\]"),
        ("mlp", CE, "one", InputError, r"got a tuple of length 1 \(Tensor\)"),
        ("mlp", nn.CrossEntropyLoss(reduction="none"), "pair", InputError, r"one number .* shape \(32,\)"),
        (_plain, CE, "pair", InputError, r"torch.nn.Module; got function"),
        ("mlp", "ce", "pair", InputError, r"callable .* got 'ce'"),
        ("mlp", CE, "empty", InputError, r"no batch; got an empty list"),
        ("mlp", CE, "tiny", PreconditionError, r"fails on the batch .*\(1, 6\).*more than 1 value"),
    ],
    ids=["dict_batch", "one_element", "reduction_none", "function", "loss_name", "empty", "batch_of_one"],
)
def test_bad_input_is_a_typed_error_with_the_value(model, loss, data, kind, match) -> None:  # type: ignore[no-untyped-def]
    from theory.empirical.normalised import normalised_mlp

    x, y = _data()
    model = normalised_mlp(6, 5, 3, norm="batch", seed=1) if model == "mlp" else model
    data = {
        "dict_batch": [{"x": x, "y": y}],
        "one": (x,),
        "pair": (x, y),
        "empty": [],
        "tiny": (x[:1], y[:1]),
    }[data]
    with pytest.raises(kind, match=match) as info:
        scale_invariant_parameters(model, loss, data)
    assert isinstance(info.value, TheoryError)
    with pytest.raises(InputError, match=r"points must be an integer ≥ 1.*got 0"):
        scale_invariant_parameters(normalised_mlp(6, 5, 3), CE, (x, y), points=0)


# ---------------------------------------------------------------- what was right stays right


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_layer_has_no_invariant_parameter(norm_first: bool) -> None:
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True, norm_first=norm_first)
    model = nn.Sequential(layer, nn.Flatten(), nn.Linear(5 * 8, 3)).double()  # train mode: dropout 0.1
    x = torch.randn(16, 5, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    y = torch.randint(0, 3, (16,), generator=torch.Generator().manual_seed(2))
    rep = _report(model, CE, (x, y))
    assert not _invariant(rep), _invariant(rep)
    assert all(r.status == "not invariant" for r in rep.values())


@pytest.mark.parametrize("bias", [False, True])
def test_groupnorm_conv_weight_invariant_only_without_bias_and_not_per_row(bias: bool) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3, bias=bias), nn.GroupNorm(2, 4), nn.ReLU(), nn.Flatten(), nn.Linear(64, 3)
    ).double()
    x = torch.randn(8, 2, 6, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    y = torch.randint(0, 3, (8,), generator=torch.Generator().manual_seed(2))
    (r,) = scale_invariant_parameters(model, CE, (x, y), names=["0.weight"])
    assert r.invariant is (not bias), r
    assert r.row_invariant is False


def test_linear_with_bias_before_layernorm_is_not_invariant() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 5), nn.LayerNorm(5), nn.Tanh(), nn.Linear(5, 3)).double()
    rep = _report(model, CE, _data(), names=["0.weight", "0.bias"])
    assert not _invariant(rep)


def test_weight_norm_direction_is_invariant_per_row_and_the_gain_is_not() -> None:
    torch.manual_seed(0)
    lin = nn.utils.parametrizations.weight_norm(nn.Linear(6, 5))
    model = nn.Sequential(lin, nn.Tanh(), nn.Linear(5, 3)).double()
    rep = _report(model, CE, _data())
    g, v = rep["0.parametrizations.weight.original0"], rep["0.parametrizations.weight.original1"]
    assert v.invariant and v.row_invariant, v
    assert g.status == "not invariant"


def test_on_cuda_the_dropout_mask_is_fixed_and_the_cuda_rng_restored() -> None:
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16, bias=False), nn.LayerNorm(16), nn.Dropout(0.5), nn.Linear(16, 3))
    model = model.to("cuda")  # float32 on the GPU: the detector's copy is float64 on the same device
    x, y = _data(dtype=torch.float32)
    state = torch.cuda.get_rng_state()
    rep = _report(model, CE, (x.cuda(), y.cuda()))
    assert _invariant(rep) == {"0.weight"}, rep["0.weight"]
    assert torch.equal(state, torch.cuda.get_rng_state())
    assert next(model.parameters()).dtype == torch.float32
