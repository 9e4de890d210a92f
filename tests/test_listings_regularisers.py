"""The listings of the texts "L1、L2 和弹性网络正则化" (apx), "《python深度学习》笔记(十三):正则化" (pydl) and
"【漫话机器学习系列】245.权重衰减(Weight Decay)" (manhua): their evidence checks pass at seed 0 on real
torch (and Keras 3 on the torch backend), fail when the behaviour they assert is broken, and every
listing record cites registered evidence."""

from __future__ import annotations

from typing import Any

import pytest

from theory.checks import CheckContext, CheckResult, timed_call
from theory.claims import all_evidence, resolve
from theory.claims.records import _REGULARISER_LISTINGS, SOURCES

pytest.importorskip("torch")

from theory.empirical import listings_regularisers as L

OURS = ("src.apx.", "src.pydl.", "src.manhua.")


def _names() -> list[str]:
    """The evidence checks theory.empirical.listings_regularisers registers (other modules register
    src.pydl/src.manhua checks of claims too)."""
    module = "theory.empirical.listings_regularisers"
    return sorted(n for n, c in all_evidence().items() if c.func.__module__ == module)


def _run(name: str) -> CheckResult:
    result, _ = timed_call(all_evidence()[name].func, CheckContext(seed=0))
    return result


@pytest.mark.parametrize("name", _names())
def test_check_passes_at_seed_0(name: str) -> None:
    result = _run(name)
    if name == "src.manhua.keras_l2" and result.verdict == "skip":
        pytest.skip(result.detail)
    assert result.verdict == "pass", (name, result.detail)
    assert result.cases > 0


def test_records_cite_only_registered_evidence() -> None:
    cited = set()
    for listing in _REGULARISER_LISTINGS:
        assert listing.source in SOURCES and listing.source in ("apx", "pydl", "manhua")
        assert listing.id.startswith(f"{listing.source}.")
        assert listing.findings and listing.evidence
        for ref in listing.evidence:
            assert ref.startswith(OURS), ref
            assert resolve(ref) == [ref]
            cited.add(ref)
    assert len({x.id for x in _REGULARISER_LISTINGS}) == len(_REGULARISER_LISTINGS)
    # every check this module registers is cited by a listing
    assert cited == set(_names())


# ------------------------------------------------------------------------------------- mutations


def _full_l2(model: Any, lam: float, only: Any = None) -> Any:
    """λ‖θ‖² where the texts' formula has (λ/2)‖θ‖²."""
    total: Any = 0.0
    for name, p in model.named_parameters():
        if only is None or only(name, p):
            total = total + (p * p).sum()
    return lam * total


@pytest.mark.parametrize("name", ["src.apx.adam_l2", "src.manhua.sgd_wd"])
def test_lambda_instead_of_half_lambda_fails(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(L, "_half_l2", _full_l2)
    assert _run(name).verdict == "fail"


def test_weights_only_l2_fails_the_sgd_equivalence(monkeypatch: pytest.MonkeyPatch) -> None:
    """The penalty over the weights only (the formula's w read literally) is not what SGD decays."""
    original = L._half_l2

    def weights_only(model: Any, lam: float, only: Any = None) -> Any:
        return original(model, lam, only=lambda name, p: p.dim() > 1)

    monkeypatch.setattr(L, "_half_l2", weights_only)
    assert _run("src.manhua.sgd_wd").verdict == "fail"
    assert _run("src.apx.adam_l2").verdict == "fail"


def test_l1_on_biases_too_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def every_param(model: Any, lam: float) -> Any:
        return lam * sum(p.abs().sum() for p in model.parameters())

    monkeypatch.setattr(L, "hand_l1_penalty", every_param)
    assert _run("src.apx.l1_sgd").verdict == "fail"
    assert _run("src.apx.enet_adam").verdict == "fail"


def test_squared_norm_fails_p2(monkeypatch: pytest.MonkeyPatch) -> None:
    """wd·Σ‖W‖²_F (what weight decay would be, up to ½) is not the listing's unsquared norm."""
    import torch

    def squared(model: Any, weight_decay: float, p: float = 2) -> Any:
        params = dict(model.named_parameters())
        return weight_decay * sum(torch.norm(params[n], p=p) ** 2 for n in L.name_filter(model))

    monkeypatch.setattr(L, "name_norm_penalty", squared)
    assert _run("src.pydl.regularization_p2").verdict == "fail"


def test_dim_filter_instead_of_name_filter_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """apx's dim > 1 rule is not pydl's 'weight' in name rule (norm-layer scales, substrings)."""
    monkeypatch.setattr(
        L, "name_filter", lambda model: [n for n, p in model.named_parameters() if p.dim() > 1]
    )
    assert _run("src.pydl.name_filter").verdict == "fail"


def test_regularisation_p0_is_not_l2() -> None:
    """torch.norm(W, p=0) is the nonzero count: the docstring's "p = 0 is L2" is false on real torch."""
    import torch

    model = L.mlp(0)
    value = L.name_norm_penalty(model, 0.5, 0)
    count = sum(int(torch.count_nonzero(p)) for n, p in model.named_parameters() if "weight" in n)
    assert value.item() == pytest.approx(0.5 * count, rel=1e-15)
    value.backward()
    # L2 with λ = 0.5 would give 0.5·|W| per entry; rounding of that is eps·0.5·min|W|
    eps = torch.finfo(torch.float64).eps
    floor = eps * 0.5 * min(float(p.detach().abs().min()) for p in model.parameters() if p.dim() > 1)
    assert all(p.grad is None or float(p.grad.abs().max()) <= floor for p in model.parameters())


# ------------------------------------------------------------- the shared step-by-step comparison


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_decay_step_holds_and_a_doubled_penalty_breaks_it(kind: str) -> None:
    """optimizers.decay_step: one step of weight_decay=λ equals one step on L + (λ/2)‖θ‖² within its
    rounding bound, step after step; a penalty of λ‖θ‖² (no ½) exceeds the bound; AdamW (decoupled)
    and SGD with momentum are refused (the bound is not theirs)."""
    import torch

    from theory.empirical import optimizers as O
    from theory.errors import InputError

    X, y = L.diabetes()
    Xt, Yt = L._tensors(X, y, "cpu")
    lam, lr = 0.05, 0.01

    def loss(model: Any) -> Any:
        return ((model(Xt) - Yt) ** 2).mean()

    cls = getattr(torch.optim, kind)
    for penalty, ok in ((None, True), (lambda m: lam * sum((p * p).sum() for p in m.parameters()), False)):
        a, b = L.mlp(0), L.mlp(1)  # b is put into a's state by decay_step itself
        opt_a, opt_b = cls(a.parameters(), lr=lr, weight_decay=lam), cls(b.parameters(), lr=lr)
        ratios = [O.decay_step(a, opt_a, b, opt_b, loss, lam, penalty=penalty).ratio for _ in range(5)]
        assert (max(ratios) <= 1.0) is ok, (kind, penalty, ratios)
    w = L.mlp(0)
    with pytest.raises(InputError, match="AdamW"):
        O.decay_step(w, torch.optim.AdamW(w.parameters(), weight_decay=lam), b, opt_b, loss, lam)
    with pytest.raises(InputError, match="momentum"):
        O.decay_step(
            w,
            torch.optim.SGD(w.parameters(), lr=lr, momentum=0.9, weight_decay=lam),
            b,
            torch.optim.SGD(b.parameters(), lr=lr, momentum=0.9),
            loss,
            lam,
        )


def test_identified_fails_when_identify_penalty_answers_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    """src.pydl.identified checks identify_penalty's kind and coefficient on the texts' penalties: a
    doubled μ or a group norm called L2 fails it."""
    import dataclasses

    from theory.empirical import penalties

    right = penalties.identify_penalty

    def doubled(fn: Any, model: Any, **kw: Any) -> Any:
        report = right(fn, model, **kw)
        return dataclasses.replace(report, l1=None if report.l1 is None else 2 * report.l1)

    def renamed(fn: Any, model: Any, **kw: Any) -> Any:
        report = right(fn, model, **kw)
        return dataclasses.replace(report, kind="l2" if report.kind == "group_norm" else report.kind)

    for wrong in (doubled, renamed):
        monkeypatch.setattr(penalties, "identify_penalty", wrong)
        assert _run("src.pydl.identified").verdict == "fail"
