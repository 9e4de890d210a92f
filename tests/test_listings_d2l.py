"""The d2l text's listings, re-implemented (theory.empirical.listings_d2l), and their ledger records.

The evidence checks pass at seed 0; breaking the helpers they guard (d2l's sgd without its division by
the batch size, a halved learning rate, the concise run compared with scratch at λ = wd instead of
wd/2, noise of the wrong size) makes them fail; the records cite only registered evidence.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from theory.checks import CheckContext, timed_call  # noqa: E402
from theory.claims import all_evidence, resolve  # noqa: E402
from theory.claims.records import LISTINGS  # noqa: E402
from theory.empirical import listings_d2l as L  # noqa: E402
from theory.empirical.d2l import D2LRecipe  # noqa: E402

pytestmark = pytest.mark.torch

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")

#: the checks theory.empirical.listings_d2l registers (claims register src.d2l checks of their own)
D2L_CHECKS = sorted(
    k for k, c in all_evidence().items() if c.func.__module__ == "theory.empirical.listings_d2l"
)


def _run(name: str, ctx: CheckContext | None = None) -> str:
    result, _ = timed_call(all_evidence()[name].func, ctx or CheckContext())
    return result.verdict


@pytest.mark.parametrize("name", D2L_CHECKS)
def test_evidence_passes_at_seed_0(name: str) -> None:
    assert _run(name) == "pass"


def test_dropping_the_batch_division_of_sgd_fails_scratch(monkeypatch: pytest.MonkeyPatch) -> None:
    def sgd_sum(params: list[torch.Tensor], lr: float, batch_size: int) -> None:
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()

    monkeypatch.setattr(L, "sgd", sgd_sum)
    assert _run("src.d2l.scratch") == "fail"


def test_halving_the_rate_fails_scratch(monkeypatch: pytest.MonkeyPatch) -> None:
    real = L.sgd
    monkeypatch.setattr(L, "sgd", lambda params, lr, batch_size: real(params, lr / 2, batch_size))
    assert _run("src.d2l.scratch") == "fail"


def test_scratch_at_lambda_wd_is_not_the_concise_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """same_experiment compares concise(wd, η) with scratch(wd/2, 2η); with scratch(wd, 2η) it fails."""
    real = L.train

    def twin_at_wd(lambd: float, data: L.ListingData, **kw: object) -> L.ListingRun:
        return real(2 * lambd if "lr" in kw else lambd, data, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(L, "train", twin_at_wd)
    assert _run("src.d2l.same_experiment") == "fail"


def test_noise_of_the_wrong_size_fails_data(monkeypatch: pytest.MonkeyPatch) -> None:
    real = L.synthetic_data
    monkeypatch.setattr(
        L,
        "synthetic_data",
        lambda w, b, n, *, generator, noise=0.01: real(w, b, n, generator=generator, noise=2 * noise),
    )
    assert _run("src.d2l.data") == "fail"


def test_records_cite_only_registered_d2l_evidence() -> None:
    records = [r for r in LISTINGS if r.source == "d2l"]
    assert len(records) == 5
    assert len({r.id for r in records}) == len(records)
    cited = set()
    for record in records:
        assert record.id.startswith("d2l.listing_")
        assert record.findings and record.behaviour
        for ref in record.evidence:
            assert ref.startswith("src.d2l.")
            assert resolve(ref) == [ref]
            cited.add(ref)
    assert cited == set(D2L_CHECKS)  # every check runs for some listing


def test_helpers_follow_d2l() -> None:
    y_hat = torch.tensor([[1.0], [3.0]], dtype=torch.float64)
    assert torch.equal(
        L.squared_loss(y_hat, torch.tensor([0.0, 1.0], dtype=torch.float64)),
        torch.tensor([[0.5], [2.0]], dtype=torch.float64),
    )
    w = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    (3.0 * w).sum().backward()
    L.sgd([w], 0.5, 3)  # w − 0.5·3/3
    assert torch.equal(w.detach(), torch.tensor([0.5, 1.5], dtype=torch.float64))
    assert torch.equal(w.grad, torch.zeros(2, dtype=torch.float64))
    X = torch.eye(3, dtype=torch.float64)
    y = torch.tensor([[1.0], [2.0], [3.0]], dtype=torch.float64)
    loader = L.load_array((X, y), 2, is_train=False)
    mean = L.evaluate_loss(lambda X: X @ torch.zeros(3, 1, dtype=torch.float64), loader, L.squared_loss)
    assert mean == pytest.approx((1 + 4 + 9) / 2 / 3, rel=4 * np.finfo(float).eps)
    assert L.init_params_as_printed(4, generator=torch.Generator().manual_seed(0)) is None  # type: ignore[func-returns-value]
    w0, b0 = L.init_params(4, generator=torch.Generator().manual_seed(0))
    assert tuple(w0.shape) == (4, 1) and w0.dtype == torch.float32 and w0.requires_grad
    assert b0.tolist() == [0.0]
    assert L.printed_line("norm: {}", 1.5) == "norm: {} 1.5"


def test_run_record_on_a_short_recipe() -> None:
    """10 epochs: the animator's x values, the curves' lengths and scale, and the predicted curves."""
    data = L.listing_data(D2LRecipe(epochs=10), seed=3, dtype="float64")
    scratch = L.train(3.0, data, predict_curves=True, record_iterates=True)
    concise = L.train_concise(3.0, data, predict_curves=True)
    for run in (scratch, concise):
        assert run.plot_epochs.tolist() == [2.0, 7.0]
        assert run.train_loss.shape == run.test_loss.shape == (2,)
        assert run.predicted_test_loss is not None and run.predicted_test_loss.shape == (2,)
        assert run.steps == 40
        assert math.isclose(run.printed_norm, float(np.linalg.norm(run.w)))
    assert scratch.iterates is not None and scratch.iterates.shape == (41, 201)
    assert concise.canonical_lambda == 1.5 and concise.canonical_lr == 2 * data.recipe.lr
    assert L.listing_data(D2LRecipe(epochs=1), seed=0).dtype == "float32"  # d2l's dtype by default


@CUDA
@pytest.mark.parametrize("name", ["src.d2l.scratch", "src.d2l.same_experiment"])
def test_evidence_passes_on_cuda(name: str) -> None:
    assert _run(name, CheckContext(device="cuda")) == "pass"
