"""Tests of theory.empirical.report (weight_decay_report) and theory.empirical.digits, on models, data
and losses the project did not write: torch.nn building blocks (Conv2d, TransformerEncoderLayer),
scikit-learn's bundled data sets (load_digits, load_breast_cancer, load_diabetes), DataLoaders with
unequal batches, label smoothing and a hand-written loss.

What must hold: the report names a separable data set "separable" with numbers, finds the softmax
shift's null space with its dimension, says ρ ≈ 1 and a small error where the prediction holds, keeps
the best iterate on Ctrl-C and on non-convergence, and reads D off the optimiser's parameter groups.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

pytest.importorskip("torch", reason="the report needs the torch extra: pip install '.[torch]'")

import torch

from theory.empirical import report as R
from theory.empirical.curvature import hessian_operator
from theory.empirical.digits import digits_cnn, digits_data, digits_loader, param_groups, train_digits
from theory.errors import InputError

pytestmark = pytest.mark.torch


@pytest.fixture(autouse=True)
def _one_thread() -> object:
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.fixture(scope="module")
def digits_report() -> R.WeightDecayReport:
    """A 2-channel CNN (p = 350) on 150 digits, trained by SGD(momentum, weight_decay on the weights
    only) over a DataLoader whose last batch is smaller (64, 64, 22), then reported on."""
    torch.set_num_threads(1)
    data = digits_data(150, seed=1)
    model = digits_cnn(2, seed=1)
    loader = digits_loader(data, 64)
    opt = train_digits(model, loader, optimizer="sgd", weight_decay=1e-3, epochs=15)
    return R.weight_decay_report(
        model, torch.nn.CrossEntropyLoss(), loader, optimizer=opt, epochs=5, k=3, progress=False,
        slq_steps=30, slq_probes=3,
    )  # fmt: skip


def _assumption(r: R.WeightDecayReport, start: str) -> R.Assumption:
    (a,) = [a for a in r.assumptions if a.name.startswith(start)]
    return a


def test_digits_report_separable_with_numbers(digits_report: R.WeightDecayReport) -> None:
    a = _assumption(digits_report, "finite unregularised minimiser")
    assert a.holds is False
    assert "separable" in a.detail and "LP" in a.detail
    assert a.numbers["train_accuracy"] == 1.0
    # the LP's separating layer scaled up drives the user's loss towards 0
    assert a.numbers["loss_t100"] < 1e-3 * a.numbers["loss_t1"]
    assert a in digits_report.failed


def test_digits_report_softmax_shift_null_space(digits_report: R.WeightDecayReport) -> None:
    # final Linear(32, 10): 32 weight-column shifts + 1 bias shift; the bias is not decayed
    assert digits_report.null_space_dim == 33
    assert digits_report.null_space_undecayed == 1
    a = _assumption(digits_report, "no symmetry null space")
    assert a.holds is False and "33-dimensional" in a.detail
    z = _assumption(digits_report, "no zero curvature")
    assert z.holds is False and z.numbers["n_zero"] >= 33
    regime = _assumption(digits_report, "α below the curvature")
    # λ_min is the smallest Ritz value actually found (negative here), and the zero eigenvalues of the
    # null space are named beside it (the row used to print "λ_min = 0" whenever a null space existed)
    assert regime.holds is False
    assert regime.numbers["lambda_min"] == float(digits_report.spectrum.bottom[0])
    assert f"{z.numbers['n_zero']:.0f} zero eigenvalues" in regime.detail


def test_digits_report_prediction_and_rho(digits_report: R.WeightDecayReport) -> None:
    r = digits_report
    assert r.polish.converged and r.polish_next.converged
    assert r.minres_residual <= 1e-6 * np.linalg.norm(r.decay * r.theta)
    # first-order prediction of the move α → α + δα: error O(δα/α) = O(rel_step) = 5 %
    assert r.relative_error < 0.1
    assert abs(r.rho - 1) < 0.05
    strict = _assumption(r, "strict local minimiser")
    assert strict.holds is True and strict.numbers["lambda_min_penalised"] > 0
    # the per-direction picture is the projection of the two moves on the top eigenvectors
    np.testing.assert_allclose(r.predicted_along, r.top_vectors.T @ r.predicted_change)
    np.testing.assert_allclose(r.measured_along, r.top_vectors.T @ r.measured_change)
    assert r.spectrum.top[0] >= r.spectrum.top[-1] > 0
    assert 0 < r.spectrum.effective_dim < r.n_params


def test_digits_report_optimizer_and_rendering(digits_report: R.WeightDecayReport) -> None:
    o = digits_report.optimizer
    assert o is not None and o.name == "SGD" and not o.decoupled
    assert [g["weight_decay"] for g in o.groups] == [1e-3, 0.0]
    assert o.objective_gap > -1e-12  # w̃(α) minimises F_α: SGD's end point cannot be lower
    text = digits_report.render()
    for word in ("separable", "softmax shift", "ρ", "SGD"):
        assert word in text
    d = digits_report.to_dict()
    json.dumps(d)
    assert "finite unregularised minimiser (data not separable)" in d["failed"]


def test_decay_from_param_groups() -> None:
    model = digits_cnn(2)
    opt = torch.optim.SGD(param_groups(model, 3e-3), lr=0.1)
    data = digits_data(20)
    op = hessian_operator(model, torch.nn.CrossEntropyLoss(), (data.images, data.labels))
    d = R.decay_vector(op, opt, 1e-3)
    sizes = dict(zip(op.names, op.sizes, strict=True))
    expected = np.concatenate(
        [np.full(sizes[n], 3.0 if p.ndim >= 2 else 0.0) for n, p in model.named_parameters()]
    )
    np.testing.assert_array_equal(d, expected)
    with pytest.raises(InputError, match="length p"):
        R.decay_vector(op, np.ones(3), 1.0)
    with pytest.raises(InputError, match="unknown parameters"):
        R.decay_vector(op, {"nope": 1.0}, 1.0)


def test_prediction_holds_on_diabetes_regression() -> None:
    """load_diabetes, a torch MLP, MSELoss, D = I: no symmetry, not classification; the path
    derivative predicts the move (small error, ρ ≈ 1), and the optimiser is Adam with coupled L2."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    X = torch.tensor(X[:200] / X[:200].std(0), dtype=torch.float64)
    y = torch.tensor((y[:200] - y[:200].mean()) / y[:200].std(), dtype=torch.float64)[:, None]
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(10, 6), torch.nn.Tanh(), torch.nn.Linear(6, 1)).double()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=0.05)
    batches = [(X[i : i + 70], y[i : i + 70]) for i in range(0, 200, 70)]  # 70, 70, 60
    r = R.weight_decay_report(
        model, torch.nn.MSELoss(), batches, optimizer=opt, epochs=30, k=3, progress=False, rel_step=0.01
    )
    assert r.alpha == 0.05 and np.all(r.decay == 1.0)
    assert r.polish.converged
    assert r.relative_error < 0.02
    assert abs(r.rho - 1) < 0.01
    assert _assumption(r, "quadratic model valid").holds is True
    assert _assumption(r, "no symmetry null space").holds is None  # not tested: regression
    assert r.null_space_dim == 0
    assert r.optimizer is not None and not r.optimizer.decoupled and "coupled L2" in r.optimizer.converges_to


def test_adamw_says_what_it_converges_to() -> None:
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float64)[:120]
    y = torch.tensor(y, dtype=torch.int64)[:120]
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(30, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-2)

    def smoothed(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:  # a hand-written loss
        return torch.nn.functional.cross_entropy(out, target, label_smoothing=0.1)

    r = R.weight_decay_report(model, smoothed, (X, y), optimizer=opt, epochs=50, k=2, progress=False)
    o = r.optimizer
    assert o is not None and o.name == "AdamW" and o.decoupled
    assert "g + λ_gθ(|g| + ε) = 0" in o.converges_to
    # label smoothing keeps the softmax shift: Linear(4, 2) gives 4 + 1 flat directions, all decayed
    assert r.null_space_dim == 5 and r.null_space_undecayed == 0


def test_transformer_encoder_layer_on_digits_rows() -> None:
    """torch.nn.TransformerEncoderLayer on digits read as 8 tokens of 8 pixels; eval mode, no dropout."""

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = torch.nn.TransformerEncoderLayer(
                8, 2, dim_feedforward=8, dropout=0.0, batch_first=True
            )
            self.head = torch.nn.Linear(8, 10)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.enc(x.reshape(-1, 8, 8)).mean(1))

    torch.manual_seed(0)
    model = Net().double().eval()
    data = digits_data(60)
    r = R.weight_decay_report(
        model, torch.nn.CrossEntropyLoss(), (data.images, data.labels), 0.1, k=2, progress=False,
        lbfgs_iter=60, newton_iter=2, bottom_k=1, slq_steps=15, slq_probes=2, separability=False,
    )  # fmt: skip
    assert r.null_space_dim == 9  # Linear(8, 10): 8 column shifts + the bias shift
    # a budget too small to reach w̃(α) from a random start: the result is kept and the report says so
    reached = _assumption(r, "w̃(α) reached")
    assert not r.polish.converged and reached.holds is False
    assert "not converged" in reached.detail and math.isfinite(r.polish.objective)
    assert reached in r.failed and "NO" in r.render()
    # the step α → α + δα was not polished either: the "measured" change is then meaningless
    assert _assumption(r, "w̃(α + δα) reached").holds is r.polish_next.converged


def test_rho_band() -> None:
    assert R.rho_holds(1.0) and R.rho_holds(0.8) and R.rho_holds(1.2)
    assert not R.rho_holds(0.5) and not R.rho_holds(20.0) and not R.rho_holds(-1.0)
    assert not R.rho_holds(math.nan)


def test_ctrl_c_keeps_the_best_iterate() -> None:
    data = digits_data(40)
    model = digits_cnn(1)
    calls = {"n": 0}
    ce = torch.nn.CrossEntropyLoss()

    def loss(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        calls["n"] += 1
        if calls["n"] == 30:
            raise KeyboardInterrupt
        return ce(out, target)

    op = hessian_operator(model, loss, (data.images, data.labels))
    start = op.theta()
    d = np.ones(op.dim)
    f0 = ce(model(data.images), data.labels).item() + 0.5e-2 * float(start @ start)
    res = R.polish(op, 1e-2, d, progress=False)
    assert res.interrupted and "Ctrl-C" in res.reason and not res.converged
    assert res.objective < f0
    np.testing.assert_array_equal(op.theta(), res.theta)  # the model holds the best iterate


def test_non_convergence_returns_the_result_with_its_reason() -> None:
    data = digits_data(40)
    model = digits_cnn(1)
    op = hessian_operator(model, torch.nn.CrossEntropyLoss(), (data.images, data.labels))
    res = R.polish(op, 1e-2, np.ones(op.dim), lbfgs_iter=3, newton_iter=0, gtol=1e-30, progress=False)
    assert not res.converged and not res.interrupted
    assert "not converged" in res.reason and f"{res.grad_norm:.3g}" in res.reason


def test_separable_lp_against_known_answers() -> None:
    rng = np.random.default_rng(0)
    H = rng.standard_normal((40, 3))
    y = (H[:, 0] > 0).astype(int)  # separable by the first feature
    sep, Wb, _ = R.separable_lp(H, y, 2)
    assert sep and Wb is not None
    # the returned layer separates: every example's own logit wins by the margin 1
    logits = H @ Wb[:, :-1].T + Wb[:, -1]
    assert np.all(logits[np.arange(40), y] - logits[np.arange(40), 1 - y] >= 1 - 1e-7)
    Hx = np.vstack([H, H[:1]])  # one point with both labels: no separating layer exists
    yx = np.concatenate([y, 1 - y[:1]])
    sep, Wb, _ = R.separable_lp(Hx, yx, 2)
    assert not sep and Wb is None


def test_softmax_shift_needs_shift_invariance() -> None:
    """MSE on one-hot targets is not shift invariant: the candidate directions are not flat."""
    data = digits_data(30)
    model = digits_cnn(1)
    onehot = torch.nn.functional.one_hot(data.labels, 10).double()
    op = hessian_operator(model, torch.nn.MSELoss(), (data.images, onehot))
    U, labels = R.softmax_shift_basis(op, 10)
    assert U.shape == (op.dim, 17) and labels[-1] == "4.bias"
    assert min(np.linalg.norm(op.matvec(U[:, j])) for j in range(U.shape[1])) > 1e-3


def test_progress_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert R._bar(True, "x") is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert R._bar(False, "x") is None
    bar = R._bar(True, "x")
    assert bar is not None and bar.desc == "x"
    bar.close()


def test_a_loss_without_the_shift_symmetry_has_no_null_space() -> None:
    """Cross-entropy plus a logit penalty on integer labels: a classification task whose loss is not
    shift invariant, so the candidate softmax-shift directions must fail the ‖Hu‖ test."""
    data = digits_data(60, seed=2)
    model = digits_cnn(1, seed=2)
    ce = torch.nn.CrossEntropyLoss()

    def penalised_logits(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return ce(out, target) + 1e-2 * out.pow(2).mean()

    r = R.weight_decay_report(
        model, penalised_logits, (data.images, data.labels), 1e-2, k=2, progress=False,
        slq_steps=20, slq_probes=2, bottom_k=2,
    )  # fmt: skip
    assert r.null_space_dim == 0
    a = _assumption(r, "no symmetry null space")
    assert a.holds is True and "no softmax-shift null space" in a.detail


@pytest.mark.slow
def test_polish_gets_past_the_trust_region_stall() -> None:
    """On the digits CNN with 500 examples, trust-krylov alone stops at ‖∇F‖ ≈ 1e-7 ("A bad
    approximation caused failure to predict improvement", the undecayed softmax-shift direction
    makes H + αD singular); the Newton–MINRES steps reach gtol = 1e-10."""
    from theory.empirical.digits import digits_case

    model, _, pair = digits_case(500)
    op = hessian_operator(model, torch.nn.CrossEntropyLoss(), pair)
    res = R.polish(op, 1e-3, R.decay_vector(op, "weights", 1e-3), progress=False)
    assert res.converged and res.grad_norm <= 1e-10, res.reason


def test_float32_model_is_reported_in_float64_and_left_untouched() -> None:
    """A user's float32 model (torch's default) and float32 data: the report polishes a float64 copy
    to the default gtol = 1e-10 (unreachable in float32), trains the optimiser in the model's own
    dtype, and leaves the caller's model as it was."""
    from sklearn.datasets import load_wine
    from sklearn.preprocessing import StandardScaler

    X, y = load_wine(return_X_y=True)
    ds = torch.utils.data.TensorDataset(
        torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32), torch.tensor(y)
    )
    loader = torch.utils.data.DataLoader(ds, batch_size=50)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(13, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3))
    before = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-2)
    r = R.weight_decay_report(
        model, torch.nn.CrossEntropyLoss(), loader, optimizer=opt, epochs=2, k=2, progress=False,
        slq_steps=20, slq_probes=2, separability=False,
    )  # fmt: skip
    assert r.polish.converged and r.polish.grad_norm <= 1e-10
    assert r.precision == float(np.finfo(np.float64).eps)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert r.optimizer is not None and r.optimizer.decoupled


def _wine(n: int = 90) -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_wine
    from sklearn.preprocessing import StandardScaler

    X, y = load_wine(return_X_y=True)
    idx = np.random.default_rng(0).permutation(len(y))[:n]
    return (
        torch.tensor(StandardScaler().fit_transform(X[idx]), dtype=torch.float32),
        torch.tensor(y[idx]),
    )


@pytest.mark.parametrize(
    ("head", "loss_fn", "falls"),
    [
        # the model ends in log_softmax and the loss is NLLLoss: the check must go through the model
        (torch.nn.LogSoftmax(dim=1), torch.nn.NLLLoss(), True),
        # label smoothing: separable features, yet the loss grows along the separating ray
        (torch.nn.Identity(), torch.nn.CrossEntropyLoss(label_smoothing=0.1), False),
    ],
)
def test_separability_verdict_follows_the_models_own_loss(head: object, loss_fn: object, falls: bool) -> None:
    X, y = _wine()
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(13, 4), torch.nn.Tanh(), torch.nn.Linear(4, 3), head)
    r = R.weight_decay_report(
        model, loss_fn, (X, y), alpha=1e-2, k=2, progress=False, slq_steps=15, slq_probes=2
    )  # fmt: skip
    a = _assumption(r, "finite unregularised minimiser")
    t1, t100 = a.numbers["loss_t1"], a.numbers["loss_t100"]
    assert t1 >= 0 and t100 >= 0  # an NLL of raw logits could be negative: the old route's bug
    assert a.holds is (not falls)
    assert (t100 < t1) is falls


def test_class_weights_and_eval_mode_pass_through_the_float64_copy() -> None:
    """CrossEntropyLoss(weight=float32 tensor) on the report's float64 copy (its buffer is cast with
    the model), and stochastic='eval' for a model with dropout, are accepted."""
    X, y = _wine()
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(13, 4), torch.nn.Tanh(), torch.nn.Dropout(0.2), torch.nn.Linear(4, 3)
    )
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor([2.0, 1.0, 1.0]))
    with pytest.warns(UserWarning, match="eval mode"):
        r = R.weight_decay_report(
            model, loss_fn, (X, y), alpha=1e-2, k=2, progress=False, slq_steps=15, slq_probes=2,
            stochastic="eval", separability=False,
        )  # fmt: skip
    assert r.polish.converged
    assert model.training and loss_fn.weight.dtype == torch.float32  # the caller's objects untouched
