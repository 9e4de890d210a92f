"""The claims ledger's records and the claim-specific evidence checks (theory.claims.evidence,
theory.empirical.claims_evidence): the records are well formed, every check passes at seed 0, and each
check fails when what it guards is broken."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

from theory.catalogue import CATALOGUE
from theory.checks import ROUTES, CheckContext, all_checks, timed_call
from theory.claims import VERDICTS, all_evidence, resolve
from theory.claims.records import CLAIMS, SOURCES

CTX = CheckContext(seed=0)

#: evidence checks built by the listing helpers (theory.empirical.listings_d2l / listings_regularisers);
#: a claim may cite them before they are registered on this branch
LISTING_EVIDENCE = frozenset(
    {
        "src.d2l.scratch",
        "src.d2l.concise",
        "src.d2l.same_experiment",
        "src.d2l.zero_grad",
        "src.apx.adam_l2",
        "src.apx.l1_sgd",
        "src.apx.enet_adam",
        "src.pydl.regularization_p2",
        "src.pydl.regularization_p1",
        "src.pydl.regularization_p0",
        "src.pydl.name_filter",
        "src.pydl.listing_defects",
        "src.manhua.sgd_wd",
        "src.manhua.keras_l2",
    }
)

OWN_TORCH_FREE = (
    "src.manhua.l2_dense_l1_sparse",
    "src.ddlee.noise_directions",
    "src.pydl.loss_curves",
    "src.pydl.sgd_fluctuation",
    "src.ddlee.degenerate_minimum",
    "src.manhua.bad_alpha_risk",
)
OWN_TORCH = (
    "src.pydl.optim_no_l1",
    "src.pydl.weight_decay_is_l2",
    "src.manhua.normalised_sensitivity",
    "src.d2l.zero_grad_semantics",
)


def _run(name: str, ctx: CheckContext = CTX) -> str:
    result, _ = timed_call(all_evidence()[name].func, ctx)
    return result.verdict


# ------------------------------------------------------------------------------------------ records


def test_claim_ids_unique_and_named_by_source() -> None:
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    for c in CLAIMS:
        assert c.source in SOURCES, c.id
        assert re.fullmatch(rf"{c.source}\.[a-z0-9_]+", c.id), c.id
        assert c.section.strip() and c.claim.strip(), c.id


def test_every_source_has_claims() -> None:
    assert {c.source for c in CLAIMS} == set(SOURCES)
    assert 60 <= len(CLAIMS) <= 120


def test_verdicts_conditions_and_evidence_present() -> None:
    for c in CLAIMS:
        assert c.verdict in VERDICTS, c.id
        if c.verdict != "holds":
            assert c.conditions.strip(), f"{c.id}: verdict {c.verdict!r} needs its conditions or reason"
        if c.verdict != "not a mathematical claim":
            assert c.evidence, f"{c.id}: a mathematical verdict needs evidence"


def test_evidence_refs_well_formed() -> None:
    """Theorem refs resolve to registered checks; src.* refs are registered here or are the listings'."""
    registered = all_evidence()
    routes_of = {(c.theorem_id, c.route) for c in all_checks()}
    for c in CLAIMS:
        assert len(set(c.evidence)) == len(c.evidence), f"{c.id}: a reference cited twice"
        for ref in c.evidence:
            if ref.startswith("src."):
                key = ref.split(".")[1]
                assert key in SOURCES, f"{c.id}: {ref} names no source"
                assert ref in registered or ref in LISTING_EVIDENCE, f"{c.id}: unknown evidence {ref}"
                if ref in registered:
                    assert resolve(ref) == [ref]
            else:
                theorem, _, route = ref.partition(":")
                assert theorem in CATALOGUE, f"{c.id}: unknown theorem {ref}"
                assert not route or route in ROUTES, f"{c.id}: unknown route {ref}"
                assert not route or (theorem, route) in routes_of, f"{c.id}: {ref} has no check"
                assert resolve(ref), ref


def test_records_cite_no_private_paths_or_source_sentences() -> None:
    for c in CLAIMS:
        text = " ".join((c.claim, c.conditions, c.network, c.section))
        assert "/work/" not in text and "shared/" not in text, c.id
        # a paraphrase is in English: no run of Chinese text outside the section heading
        assert not re.search(r"[\u4e00-\u9fff]{4,}", " ".join((c.claim, c.conditions, c.network))), c.id


def test_the_decorator_survives_the_providers_import() -> None:
    """Importing every provider (the submodule theory.claims.evidence among them) leaves the decorator
    theory.claims.register_evidence callable for the providers imported after it."""
    import theory.claims as claims

    claims.all_evidence()
    assert callable(claims.register_evidence)
    registered = claims.register_evidence("src.d2l.test_probe", "a probe")(lambda ctx: None)  # type: ignore[arg-type,return-value]
    try:
        assert "src.d2l.test_probe" in claims._EVIDENCE and registered is not None
    finally:
        del claims._EVIDENCE["src.d2l.test_probe"]


# ------------------------------------------------------------------------------------------ checks pass


@pytest.mark.parametrize("name", OWN_TORCH_FREE)
def test_torch_free_checks_pass(name: str) -> None:
    assert _run(name) == "pass"


@pytest.mark.parametrize("name", OWN_TORCH)
def test_torch_checks_pass(name: str) -> None:
    pytest.importorskip("torch")
    assert _run(name) == "pass"


# ------------------------------------------------------------------------------------------ mutations


def test_l2_dense_l1_sparse_fails_when_ridge_has_zeros(monkeypatch: pytest.MonkeyPatch) -> None:
    from theory.claims import evidence as ev
    from theory.regression import ridge

    def thresholded(X, y, alpha):  # type: ignore[no-untyped-def]
        w = ridge(X, y, alpha)
        return np.where(np.abs(w) < np.median(np.abs(w)), 0.0, w)

    monkeypatch.setattr(ev, "ridge", thresholded)
    assert _run("src.manhua.l2_dense_l1_sparse") == "fail"


def test_l2_dense_l1_sparse_fails_when_l1_is_too_weak(monkeypatch: pytest.MonkeyPatch) -> None:
    from theory.claims import evidence as ev
    from theory.sparse_path import elastic_net_path

    monkeypatch.setattr(
        ev, "elastic_net_path", lambda H, b, l1s: elastic_net_path(H, b, [1e-9 * a for a in l1s])
    )
    assert _run("src.manhua.l2_dense_l1_sparse") == "fail"


def test_noise_directions_fails_with_a_wrong_variance(monkeypatch: pytest.MonkeyPatch) -> None:
    from theory.claims import evidence as ev

    right = ev.estimate_variance_along
    # the ridge factor λ/(λ + α) unsquared
    monkeypatch.setattr(
        ev,
        "estimate_variance_along",
        lambda lam, s2, n, alpha=0.0: right(lam, s2, n, alpha) * (lam + alpha) / lam,
    )
    assert _run("src.ddlee.noise_directions") == "fail"


def test_loss_curves_fails_when_decay_grows_the_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    from theory.claims import evidence as ev

    right = ev.gd_data_losses
    monkeypatch.setattr(
        ev, "gd_data_losses", lambda q, w0, eps, alpha, steps: right(q, w0, eps, -alpha, steps)
    )
    assert _run("src.pydl.loss_curves") == "fail"


def test_sgd_fluctuation_fails_without_the_second_order_term(monkeypatch: pytest.MonkeyPatch) -> None:
    from theory.claims import evidence as ev

    monkeypatch.setattr(ev, "stationary_variance", lambda eps, s2, h: eps * s2 / (2.0 * h))
    assert _run("src.pydl.sgd_fluctuation") == "fail"


def test_degenerate_minimum_fails_with_a_wrong_hessian(monkeypatch: pytest.MonkeyPatch) -> None:
    """An off-diagonal ab instead of 2ab − 1 makes H regular at w*: the check must fail."""
    from theory.claims import evidence as ev

    monkeypatch.setattr(
        ev, "two_weight_hessian", lambda a, b: np.array([[b * b, a * b], [a * b, a * a + 1.0]])
    )
    assert _run("src.ddlee.degenerate_minimum") == "fail"


def test_degenerate_minimum_fails_with_a_wrong_minimiser(monkeypatch: pytest.MonkeyPatch) -> None:
    """√(1 − α) → 1 − α: the claimed penalised minimiser is no longer stationary."""
    from theory.claims import evidence as ev

    monkeypatch.setattr(ev, "two_weight_penalised_minimiser", lambda alpha: (1.0 - alpha) * np.ones(2))
    assert _run("src.ddlee.degenerate_minimum") == "fail"


def test_bad_alpha_risk_fails_for_a_weak_signal() -> None:
    """Below the threshold ‖β‖² < σ²d/(n − d − 1) a large α beats least squares: the check fails."""
    from theory.claims.evidence import bad_alpha_risk

    assert bad_alpha_risk(CTX, 0.5).verdict == "fail"


def test_optim_no_l1_fails_on_an_optimiser_with_an_l1_option(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")

    class SGDL1(torch.optim.SGD):  # type: ignore[misc,name-defined]
        def __init__(self, params, lr=0.1, l1_lambda=0.0):  # type: ignore[no-untyped-def]
            super().__init__(params, lr=lr)

    monkeypatch.setattr(torch.optim, "SGDL1", SGDL1, raising=False)
    assert "l1_lambda" in inspect.signature(SGDL1.__init__).parameters
    assert _run("src.pydl.optim_no_l1") == "fail"


def test_weight_decay_is_l2_fails_for_the_unhalved_penalty() -> None:
    pytest.importorskip("torch")
    from theory.checks import CheckSkipped
    from theory.empirical.claims_evidence import weight_decay_is_l2

    try:
        assert weight_decay_is_l2(CTX, half=1.0).verdict == "fail"  # weight_decay = λ of λ‖w‖²: wrong
    except CheckSkipped:
        pytest.skip("torch device unavailable")


def test_weight_decay_is_l2_fails_for_a_wrong_decoupled_shrink() -> None:
    """With the decoupled reference shrinking by 2ηλ, AdamW, Adafactor and Muon match neither rule."""
    pytest.importorskip("torch")
    from theory.checks import CheckSkipped
    from theory.empirical.claims_evidence import weight_decay_is_l2

    try:
        assert weight_decay_is_l2(CTX, shrink=2.0).verdict == "fail"
    except CheckSkipped:
        pytest.skip("torch device unavailable")


def test_weight_decay_kinds_are_decided_by_running() -> None:
    """The classification comes from the runs, not from names: AdamW, Adafactor and Muon (which take
    weight_decay in torch 2.13) are decoupled, the five the pydl text names are L2, and a coupled
    optimiser whose class is named like AdamW is still found to be L2."""
    torch = pytest.importorskip("torch")
    from theory.checks import CheckSkipped
    from theory.empirical.claims_evidence import weight_decay_kinds

    class AdamWLike(torch.optim.Adam):  # type: ignore[misc,name-defined]
        pass

    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(torch.optim, "AdamWLike", AdamWLike, raising=False)
            _, kinds = weight_decay_kinds(CTX, 1)
    except CheckSkipped:
        pytest.skip("torch device unavailable")
    kind = {k.label: k.kind for k in kinds}
    for name in ("SGD", "Adadelta", "Adam", "Adagrad", "RMSprop", "AdamWLike"):
        assert kind[name] == "L2", (name, kind)
    for name in ("AdamW", "Adam(decoupled_weight_decay=True)"):
        assert kind[name] == "decoupled", (name, kind)
    for name in ("Adafactor", "Muon"):
        if name in kind:  # present in torch ≥ 2.5 / 2.9
            assert kind[name] == "decoupled", (name, kind)


def test_normalised_sensitivity_fails_for_the_wrong_parameter_gradient_power(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Parameter gradients scale as c^(L−1); claiming c^L (the input gradient's power) fails."""
    pytest.importorskip("torch")
    from theory.empirical import claims_evidence as ce

    monkeypatch.setattr(ce, "scale_power", lambda c, n: float(c**n))
    assert ce.normalised_sensitivity(CTX).verdict == "fail"


def test_normalised_sensitivity_fails_if_the_layernorm_bias_had_no_effect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The biased LayerNorm network must change under W × 10: with its biases zeroed it is invariant
    again, and the check (which requires the change) fails."""
    torch = pytest.importorskip("torch")
    from theory.empirical import claims_evidence as ce

    right = ce.biased_norm_mlp

    def zero_bias(*args):  # type: ignore[no-untyped-def]
        model = right(*args)
        with torch.no_grad():
            for m in model:
                if isinstance(m, torch.nn.Linear):
                    m.bias.zero_()
        return model

    monkeypatch.setattr(ce, "biased_norm_mlp", zero_bias)
    assert ce.normalised_sensitivity(CTX).verdict == "fail"


@pytest.mark.parametrize(("eps", "train"), [(1e-5, True), (0.0, False)])
def test_normalised_sensitivity_fails_without_invariance(eps: float, train: bool) -> None:
    """Normalisation eps > 0 or BatchNorm's running statistics (eval mode) break scale invariance."""
    pytest.importorskip("torch")
    from theory.empirical.claims_evidence import normalised_sensitivity

    assert normalised_sensitivity(CTX, norm_eps_value=eps, train=train).verdict == "fail"


def test_zero_grad_semantics_fails_if_zero_grad_kept_zero_tensors(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    original = torch.optim.Optimizer.zero_grad
    monkeypatch.setattr(
        torch.optim.Optimizer, "zero_grad", lambda self, set_to_none=False: original(self, set_to_none=False)
    )
    assert _run("src.d2l.zero_grad_semantics") == "fail"


def test_torch_checks_skip_cleanly_without_cuda() -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("CUDA present: the GPU path runs instead")
    for name in OWN_TORCH:
        result, _ = timed_call(all_evidence()[name].func, CheckContext(device="cuda"))
        assert result.verdict == "skip", (name, result.detail)


def test_ledger_verifies_claims_decided_by_own_checks_alone() -> None:
    """run_ledger on the claims whose evidence is only this module's checks: each is verified."""
    from theory.claims import run_ledger

    own = set(OWN_TORCH_FREE) | set(OWN_TORCH)
    chosen = [c for c in CLAIMS if c.evidence and set(c.evidence) <= own]
    assert len(chosen) >= 3
    outcomes = run_ledger(chosen, CTX)
    expected = ["n/a" if c.verdict == "not a mathematical claim" else "verified" for c in chosen]
    assert [o.status for o in outcomes] == expected, [o.reason for o in outcomes]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda lam, var, bias: 1.0 * (lam * var) ** 2 + (lam * bias) ** 2 * var,  # factor ½ → 1
        lambda lam, var, bias: 0.5 * var**2 + (lam * bias) ** 2 * var,  # λ dropped from the first term
        lambda lam, var, bias: 0.5 * (lam * var) ** 2 + (0.5 * lam * bias) ** 2 * var,  # bias halved
    ],
)
def test_sgd_fluctuation_fails_for_a_wrong_loss_variance(monkeypatch: pytest.MonkeyPatch, mutate) -> None:  # type: ignore[no-untyped-def]
    """The 1-d counterexample's closed-form Var J is checked against quadrature, so a wrong factor in it
    fails the check instead of passing unchecked (review R2 M2)."""
    from theory.claims import evidence as ev

    def wrong(alpha: float, lam: float, w_star: float, s2: float, eps: float) -> float:
        h = lam + alpha
        var = float(ev.stationary_variance(eps, s2, np.array([h]))[0])
        return float(mutate(lam, var, lam * w_star / h - w_star))

    monkeypatch.setattr(ev, "loss_variance", wrong)
    assert _run("src.pydl.sgd_fluctuation") == "fail"
