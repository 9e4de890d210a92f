"""theory.empirical.curvature: the Hessian operator of any model, loss and data, against dense Hessians.

The reference is ``torch.func.hessian`` of the full-data loss on all examples at once (one batch, no
batch weighting), flattened: an independent route from the operator's batched Hessian-vector
products. Tolerances: a product computed by back-propagation is a sum of products of length at most
``m = p + N`` (parameters, examples) per entry, so in precision ``u`` each entry is off by at most about
``γ_m·(|H||v|)`` (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.5, applied to each of
the O(1) stages); both routes have that error, hence ``tol = 10·m·u·‖|H||v|‖₂`` with ``|H|`` the dense
matrix entrywise.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from theory.empirical import _common as C  # noqa: E402
from theory.empirical import curvature as cv  # noqa: E402
from theory.errors import InputError, PreconditionError  # noqa: E402
from theory.numerics import rounding_zero_tolerance  # noqa: E402

EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)


def mlp(seed: int = 0, dtype: Any = torch.float64) -> Any:
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3)
    ).to(dtype)


class SmallCNN(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 3, 3)
        self.head = torch.nn.Linear(3 * 4 * 4, 3)

    def forward(self, x: Any) -> Any:
        return self.head(torch.tanh(self.conv(x)).flatten(1))


def cnn(seed: int = 0) -> Any:
    torch.manual_seed(seed)
    return SmallCNN().double()


def classification(n: int = 23, shape: tuple[int, ...] = (4,), seed: int = 1) -> tuple[Any, Any]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, *shape, generator=g, dtype=torch.float64), torch.randint(0, 3, (n,), generator=g)


def loader(X: Any, y: Any, batch_size: int = 7, **kw: Any) -> Any:
    """23 examples in batches of 7, 7, 7, 2: unequal sizes."""
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=batch_size, **kw)


def dense(
    model: Any, loss_fn: Any, X: Any, y: Any, names: list[str], *, functorch: bool = True
) -> np.ndarray:
    """``torch.func.hessian`` of the loss on all examples at once, over the flat selected parameters
    (``functorch=False``: ``torch.autograd.functional.hessian``, see the attention test)."""
    named = dict(model.named_parameters())
    shapes = [named[n].shape for n in names]
    sizes = [named[n].numel() for n in names]
    theta = torch.cat([named[n].detach().reshape(-1) for n in names])

    def f(t: Any) -> Any:
        parts = {n: c.reshape(s) for n, c, s in zip(names, torch.split(t, sizes), shapes, strict=True)}
        args = tuple(X) if isinstance(X, tuple) else (X,)
        return loss_fn(torch.func.functional_call(model, parts, args), y)

    with C.exact_math():
        if functorch:
            H = torch.func.hessian(f)(theta).detach().to(torch.float64).numpy()
        else:
            H = torch.autograd.functional.hessian(f, theta, vectorize=True).detach().numpy()
    return (H + H.T) / 2


def product_tol(H: np.ndarray, v: np.ndarray, n: int, u: float = EPS64) -> float:
    m = H.shape[0] + n
    return 10 * m * u * float(np.linalg.norm(np.abs(H) @ np.abs(v)))


def assert_products(op: Any, H: np.ndarray, n: int, u: float = EPS64, count: int = 3) -> None:
    rng = np.random.default_rng(5)
    for _ in range(count):
        v = rng.standard_normal(op.dim)
        err = float(np.linalg.norm(op.matvec(v) - H @ v))
        tol = product_tol(H, v, n, u)
        assert err <= tol, f"‖op·v − Hv‖ = {err:.3g} > {tol:.3g}"


# --------------------------------------------------------------------------- products vs dense


@pytest.mark.parametrize("cache", [False, True])
def test_mlp_dataloader_unequal_batches(cache: bool) -> None:
    model, (X, y) = mlp(), classification()
    lf = torch.nn.CrossEntropyLoss()
    op = cv.hessian_operator(model, lf, loader(X, y), cache=cache)
    assert op.cached is cache
    assert (op.n_examples, op.n_batches, op.max_batch) == (23, 4, 7)
    H = dense(model, lf, X, y, op.names)
    assert_products(op, H, 23)
    # loss and gradient: the batch-size-weighted mean equals the mean on all examples at once
    full = lf(model(X), y)
    assert abs(op.loss() - full.item()) <= 10 * 23 * EPS64 * abs(full.item())
    g = torch.autograd.grad(full, [dict(model.named_parameters())[n] for n in op.names])
    g_ref = np.concatenate([t.detach().numpy().ravel() for t in g])
    assert np.linalg.norm(op.gradient() - g_ref) <= 10 * (op.dim + 23) * EPS64 * np.abs(g_ref).sum()


def test_cnn_conv2d() -> None:
    model, (X, y) = cnn(), classification(n=17, shape=(1, 6, 6))
    lf = torch.nn.CrossEntropyLoss()
    op = cv.hessian_operator(model, lf, loader(X, y, batch_size=5))
    H = dense(model, lf, X, y, op.names)
    assert op.dim == H.shape[0] == 3 * 9 + 3 + 48 * 3 + 3
    assert_products(op, H, 17)


def _custom_loss(out: Any, y: Any) -> Any:
    """A loss torch does not ship: mean log-cosh of the first output minus a float target."""
    return torch.log(torch.cosh(out[:, 0] - y)).mean()


@pytest.mark.parametrize(
    ("name", "loss_fn", "float_target"),
    [
        ("label_smoothing", torch.nn.CrossEntropyLoss(label_smoothing=0.2), False),
        ("mse", lambda out, y: torch.nn.functional.mse_loss(out[:, 0], y), True),
        ("custom", _custom_loss, True),
    ],
)
def test_losses(name: str, loss_fn: Any, float_target: bool) -> None:
    model, (X, y) = mlp(), classification()
    if float_target:
        y = y.to(torch.float64) - 1.0
    op = cv.hessian_operator(model, loss_fn, loader(X, y))
    assert_products(op, dense(model, loss_fn, X, y, op.names), 23)


def test_class_weights_single_batch_is_global_weighted_mean() -> None:
    """``CrossEntropyLoss(weight=w)`` divides by the batch's total weight: with one batch the operator
    is the Hessian of ``Σ w_{y_i} l_i / Σ w_{y_i}`` (module doc)."""
    model, (X, y) = mlp(), classification()
    w = torch.tensor([0.5, 2.0, 1.0], dtype=torch.float64)
    lf = torch.nn.CrossEntropyLoss(weight=w)
    op = cv.hessian_operator(model, lf, (X, y))
    assert op.n_batches == 1
    assert_products(op, dense(model, lf, X, y, op.names), 23)


def test_class_weights_several_batches_are_size_weighted_batch_means() -> None:
    """Several batches: ``Σ_b n_b·ℓ_b/N`` with ℓ_b each batch's weighted mean, as documented."""
    model, (X, y) = mlp(), classification()
    lf = torch.nn.CrossEntropyLoss(weight=torch.tensor([0.5, 2.0, 1.0], dtype=torch.float64))
    op = cv.hessian_operator(model, lf, loader(X, y))
    parts = [(X[i : i + 7], y[i : i + 7]) for i in range(0, 23, 7)]
    H = sum(len(yb) * dense(model, lf, xb, yb, op.names) for xb, yb in parts) / 23
    assert_products(op, H, 23)


class TwoInputs(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = torch.nn.Linear(3, 4)
        self.b = torch.nn.Linear(2, 4)
        self.out = torch.nn.Linear(4, 3)

    def forward(self, xa: Any, xb: Any) -> Any:
        return self.out(torch.tanh(self.a(xa) + self.b(xb)))


def test_tuple_inputs_are_passed_as_positional_arguments() -> None:
    torch.manual_seed(0)
    model = TwoInputs().double()
    g = torch.Generator().manual_seed(3)
    xa, xb = (
        torch.randn(11, 3, generator=g, dtype=torch.float64),
        torch.randn(11, 2, generator=g, dtype=torch.float64),
    )
    y = torch.randint(0, 3, (11,), generator=g)
    lf = torch.nn.CrossEntropyLoss()
    batches = [((xa[:6], xb[:6]), y[:6]), ((xa[6:], xb[6:]), y[6:])]
    op = cv.hessian_operator(model, lf, batches)
    assert op.n_examples == 11
    assert_products(op, dense(model, lf, (xa, xb), y, op.names), 11)
    # one pair whose inputs are a tuple
    op1 = cv.hessian_operator(model, lf, ((xa, xb), y))
    assert op1.n_batches == 1
    # a dict of inputs is passed as keyword arguments
    op2 = cv.hessian_operator(model, lf, [({"xa": xa, "xb": xb}, y)])
    v = np.random.default_rng(1).standard_normal(op.dim)
    assert np.linalg.norm(op2.matvec(v) - op1.matvec(v)) <= 10 * (op.dim + 11) * EPS64 * np.linalg.norm(
        op1.matvec(v)
    )


class Attention(torch.nn.Module):
    """A transformer block: its attention calls ``scaled_dot_product_attention``."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = torch.nn.Linear(3, 8)
        self.enc = torch.nn.TransformerEncoderLayer(8, 2, 12, dropout=0.0, batch_first=True)
        self.head = torch.nn.Linear(8, 3)

    def forward(self, x: Any) -> Any:
        return self.head(self.enc(self.emb(x)).mean(1))


def test_attention_uses_the_twice_differentiable_kernel() -> None:
    """torch's fused attention kernels have no second derivative; the operator runs the math one.

    Reference: ``torch.autograd.functional.hessian``. ``torch.func.hessian`` (and ``jacrev∘jacrev``)
    of this ``TransformerEncoderLayer`` through ``functional_call`` disagreed with both the operator
    and central differences of the gradient by 0.19 in ‖·v‖ (torch 2.13), while
    ``autograd.functional`` agreed with both to 2e-15."""
    torch.manual_seed(0)
    model = Attention().double()
    X, y = classification(n=10, shape=(4, 3))
    lf = torch.nn.CrossEntropyLoss()
    op = cv.hessian_operator(model, lf, loader(X, y, batch_size=4))
    with torch.nn.attention.sdpa_kernel([torch.nn.attention.SDPBackend.MATH]):
        H = dense(model, lf, X, y, op.names, functorch=False)
    assert_products(op, H, 10, count=1)


# --------------------------------------------------------------------------- data sources


def test_one_shot_iterator_is_refused_with_the_reason() -> None:
    X, y = classification()
    with pytest.raises(InputError, match="one-shot iterator"):
        cv.hessian_operator(mlp(), torch.nn.CrossEntropyLoss(), iter(loader(X, y)))
    with pytest.raises(InputError, match="one-shot iterator generator"):
        cv.hessian_operator(
            mlp(), torch.nn.CrossEntropyLoss(), ((X[i : i + 5], y[i : i + 5]) for i in range(0, 23, 5))
        )


def test_malformed_batches_and_losses() -> None:
    X, y = classification()
    with pytest.raises(InputError, match="length 3"):
        cv.hessian_operator(mlp(), torch.nn.CrossEntropyLoss(), [(X, y, y)])
    with pytest.raises(InputError, match=r"0-d tensor; got Tensor of shape \(23,\)"):
        cv.hessian_operator(mlp(), torch.nn.CrossEntropyLoss(reduction="none"), (X, y))
    with pytest.raises(InputError, match="no examples"):
        cv.hessian_operator(mlp(), torch.nn.CrossEntropyLoss(), [])


def test_shuffle_with_drop_last_is_refused_naming_both_values() -> None:
    X, y = classification()
    torch.manual_seed(0)
    data = loader(X, y, shuffle=True, drop_last=True)
    with pytest.raises(PreconditionError, match=r"N·L = .* then .* rounding bound"):
        cv.hessian_operator(mlp(), torch.nn.CrossEntropyLoss(), data)
    op = cv.hessian_operator(mlp(), torch.nn.CrossEntropyLoss(), data, check_data=False)
    assert op.n_examples == 21


def test_random_augmentation_is_refused() -> None:
    X, y = classification()

    class Noisy(torch.utils.data.Dataset):  # type: ignore[type-arg]
        def __len__(self) -> int:
            return 23

        def __getitem__(self, i: int) -> tuple[Any, Any]:
            return X[i] + 0.1 * torch.randn(4, dtype=torch.float64), y[i]

    with pytest.raises(PreconditionError, match="second pass"):
        cv.hessian_operator(
            mlp(), torch.nn.CrossEntropyLoss(), torch.utils.data.DataLoader(Noisy(), batch_size=7)
        )


def test_shuffle_without_drop_last_is_accepted_in_float32() -> None:
    """Shuffling alone only reorders the sum: the two passes differ by rounding, within the bound
    (float32, so the rounding is large enough to show; a bound too tight would refuse this)."""
    model = mlp(dtype=torch.float32)
    X, y = classification(n=200)
    torch.manual_seed(1)
    op = cv.hessian_operator(
        model, torch.nn.CrossEntropyLoss(), loader(X.float(), y, batch_size=9, shuffle=True)
    )
    assert op.precision == EPS32 and op.n_examples == 200


# --------------------------------------------------------------------------- params


class WithUnused(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.used = torch.nn.Linear(4, 3)
        self.unused = torch.nn.Linear(4, 3)

    def forward(self, x: Any) -> Any:
        return self.used(x)


def test_params_by_name_and_tensor_and_unused_rows() -> None:
    torch.manual_seed(0)
    model = WithUnused().double()
    X, y = classification()
    lf = torch.nn.CrossEntropyLoss()
    op = cv.hessian_operator(model, lf, loader(X, y))
    assert op.names == ["used.weight", "used.bias", "unused.weight", "unused.bias"]
    v = np.random.default_rng(0).standard_normal(op.dim)
    hv = op.matvec(v)
    assert np.all(hv[15:] == 0.0)  # the unused block: materialised zero gradients, exactly 0
    H = dense(model, lf, X, y, op.names)
    assert_products(op, H, 23)
    by_name = cv.hessian_operator(model, lf, loader(X, y), params=["used.bias"])
    by_tensor = cv.hessian_operator(model, lf, loader(X, y), params=[model.used.bias])
    assert by_name.names == by_tensor.names == ["used.bias"] and by_name.dim == 3
    u = v[:3]
    assert np.linalg.norm(by_name.matvec(u) - H[12:15, 12:15] @ u) <= product_tol(H[12:15, 12:15], u, 23)
    with pytest.raises(InputError, match="nope is not a parameter"):
        cv.hessian_operator(model, lf, (X, y), params=["nope"])
    with pytest.raises(InputError, match="selected twice"):
        cv.hessian_operator(model, lf, (X, y), params=["used.bias", model.used.bias])


# --------------------------------------------------------------------------- train-mode randomness


def bn_dropout_model() -> Any:
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(4, 6),
        torch.nn.BatchNorm1d(6),
        torch.nn.Tanh(),
        torch.nn.Dropout(0.3),
        torch.nn.Linear(6, 3),
    ).double()


def test_train_mode_batchnorm_and_dropout_are_refused_listing_them() -> None:
    X, y = classification()
    with pytest.raises(PreconditionError, match=r"module '1' \(BatchNorm1d\), module '3' \(Dropout\)"):
        cv.hessian_operator(bn_dropout_model(), torch.nn.CrossEntropyLoss(), loader(X, y))


def test_eval_option_warns_uses_eval_mode_and_restores() -> None:
    X, y = classification()
    model = bn_dropout_model()
    with torch.no_grad():  # running statistics that differ from the batch ones
        model[1].running_mean.fill_(0.3)
        model[1].running_var.fill_(2.0)
    lf = torch.nn.CrossEntropyLoss()
    with pytest.warns(cv.EmpiricalWarning, match="eval mode"):
        op = cv.hessian_operator(model, lf, loader(X, y), stochastic="eval")
    assert model.training and model[1].training and model[3].training
    hv = op.matvec(np.ones(op.dim))
    assert model.training and model[1].training  # restored after every evaluation
    ref = bn_dropout_model()
    ref.load_state_dict(model.state_dict())
    ref.eval()
    H = dense(ref, lf, X, y, op.names)
    assert np.linalg.norm(hv - H @ np.ones(op.dim)) <= product_tol(H, np.ones(op.dim), 23)


# --------------------------------------------------------------------------- dtype, device, caching


def test_dtype_works_on_a_copy_and_float32_precision_is_reported() -> None:
    model32 = mlp(dtype=torch.float32)
    X, y = classification()
    X = X.float().double()  # the float32 data, exactly, for the float64 reference
    lf = torch.nn.CrossEntropyLoss()
    op64 = cv.hessian_operator(model32, lf, loader(X.float(), y), dtype="float64")
    assert op64.model is not model32 and next(model32.parameters()).dtype == torch.float32
    assert op64.precision == EPS64
    op32 = cv.hessian_operator(model32, lf, loader(X.float(), y))
    assert op32.model is model32 and op32.precision == EPS32
    H = dense(op64.model, lf, X, y, op64.names)
    assert_products(op64, H, 23)
    assert_products(op32, H, 23, u=EPS32)  # products in float32, returned as float64
    out = op32.matvec(np.ones(op32.dim))
    assert out.dtype == np.float64
    # same dtype and device: no copy
    assert cv.hessian_operator(model32, lf, (X.float(), y), dtype="float32", device="cpu").model is model32


def test_cache_is_rebuilt_after_in_place_changes() -> None:
    model, (X, y) = mlp(), classification()
    lf = torch.nn.CrossEntropyLoss()
    op = cv.hessian_operator(model, lf, loader(X, y), cache=True)
    assert op.cached and op.graph_bytes > 0
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(3):
        opt.zero_grad()
        lf(model(X), y).backward()
        opt.step()
    assert_products(op, dense(model, lf, X, y, op.names), 23, count=1)
    theta = op.theta()
    op.set_theta(theta * 0.5)
    assert_products(op, dense(model, lf, X, y, op.names), 23, count=1)
    auto = cv.hessian_operator(model, lf, loader(X, y), cache="auto", cache_bytes=op.graph_bytes - 1)
    assert not auto.cached  # the measured estimate exceeds the limit: recompute per product


def test_cuda_without_a_device_is_refused() -> None:
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present; tests/test_curvature.py::test_cuda_products covers it")
    from theory.errors import DeviceUnavailableError

    X, y = classification()
    with pytest.raises(DeviceUnavailableError):
        cv.hessian_operator(mlp(), torch.nn.CrossEntropyLoss(), (X, y), device="cuda")


@pytest.mark.cuda
def test_cuda_products() -> None:
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine (CPU-only torch or no visible GPU)")
    model, (X, y) = mlp(), classification()
    lf = torch.nn.CrossEntropyLoss()
    op = cv.hessian_operator(model, lf, loader(X, y), device="cuda")
    assert op.model is not model and next(model.parameters()).device.type == "cpu"
    assert_products(op, dense(model, lf, X, y, op.names), 23)


# --------------------------------------------------------------------------- eigenpairs


@pytest.mark.parametrize("which", ["LA", "SA", "LM"])
def test_top_eigenpairs_against_dense_spectrum(which: str) -> None:
    model, (X, y) = cnn(), classification(n=17, shape=(1, 6, 6))
    lf = torch.nn.CrossEntropyLoss()
    op = cv.hessian_operator(model, lf, loader(X, y, batch_size=5))
    H = dense(model, lf, X, y, op.names)
    lam = np.linalg.eigvalsh(H)
    k = 4
    pairs = cv.top_eigenpairs(op, k, which)
    ref = {"LA": lam[::-1][:k], "SA": lam[:k], "LM": lam[np.argsort(-np.abs(lam))][:k]}[which]
    norm = float(np.abs(lam).max())
    # eigsh's residual bounds the distance to the true spectrum of the operator (Bauer–Fike for a
    # symmetric matrix); the dense eigvalsh and the products' rounding add their own bounds
    tol = pairs.residuals + rounding_zero_tolerance(op.dim, norm) + product_tol(H, np.ones(op.dim), 17)
    assert np.all(np.abs(pairs.values - ref) <= tol), (pairs.values, ref)
    assert np.all(pairs.converged), (pairs.residuals, pairs.residual_bound)
    assert pairs.matvecs > 0 and pairs.which == which
    G = pairs.vectors.T @ pairs.vectors
    assert np.abs(G - np.eye(k)).max() <= rounding_zero_tolerance(op.dim, 1.0)


def test_top_eigenpairs_of_a_plain_linear_operator() -> None:
    import scipy.sparse.linalg as sla

    rng = np.random.default_rng(0)
    A = rng.standard_normal((30, 30))
    A = A + A.T
    plain = sla.LinearOperator((30, 30), matvec=lambda v: A @ v, dtype=np.float64)
    pairs = cv.top_eigenpairs(plain, 3, "LA")
    lam = np.linalg.eigvalsh(A)[::-1][:3]
    assert np.all(
        np.abs(pairs.values - lam) <= pairs.residuals + rounding_zero_tolerance(30, np.abs(lam).max())
    )
    assert pairs.matvecs > 0 and np.all(pairs.converged)
    # an indefinite matrix: "LM" orders by magnitude, mixing signs; "SA" ascending
    full = np.linalg.eigvalsh(A)
    for which, ref in (("LM", full[np.argsort(-np.abs(full))][:4]), ("SA", full[:4])):
        got = cv.top_eigenpairs(plain, 4, which)
        tol = got.residuals + rounding_zero_tolerance(30, np.abs(full).max())
        assert np.all(np.abs(got.values - ref) <= tol), (which, got.values, ref)
    assert np.any(full[np.argsort(-np.abs(full))][:4] < 0) and np.any(full[np.argsort(-np.abs(full))][:4] > 0)
    # a float32 operator: precision from its dtype, eigsh still runs in float64
    plain32 = sla.LinearOperator(
        (30, 30), matvec=lambda v: A.astype(np.float32) @ v.astype(np.float32), dtype=np.float32
    )
    p32 = cv.top_eigenpairs(plain32, 3, "LA")
    assert p32.values.dtype == np.float64 and np.all(p32.converged)


def test_top_eigenpairs_refuses_bad_arguments() -> None:
    A = np.eye(5)
    with pytest.raises(InputError, match="'LA', 'SA' or 'LM'; got 'BE'"):
        cv.top_eigenpairs(A, 2, "BE")
    with pytest.raises(InputError, match="1 ≤ k < p = 5; got 5"):
        cv.top_eigenpairs(A, 5)
    with pytest.raises(InputError, match="square"):
        cv.top_eigenpairs(np.ones((3, 4)), 1)


def test_no_warning_on_a_clean_model() -> None:
    X, y = classification()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cv.hessian_operator(mlp(), torch.nn.CrossEntropyLoss(), loader(X, y))


def test_threads_are_capped_during_products_and_restored() -> None:
    X, y = classification()
    seen: list[int] = []

    def loss(out: Any, target: Any) -> Any:
        seen.append(torch.get_num_threads())
        return torch.nn.functional.cross_entropy(out, target)

    before = torch.get_num_threads()
    op = cv.hessian_operator(mlp(), loss, loader(X, y), threads=1, cache=False)
    seen.clear()
    op.matvec(np.ones(op.dim))
    assert seen and set(seen) == {1}
    assert torch.get_num_threads() == before
    # "auto" caps a small problem at one thread; None leaves torch's setting alone
    assert cv.hessian_operator(mlp(), loss, loader(X, y), threads="auto")._threads == 1
    assert cv.hessian_operator(mlp(), loss, loader(X, y), threads=None)._threads is None
    for bad in (0, -1, True, "two", 1.5):
        with pytest.raises(InputError, match="threads"):
            cv.hessian_operator(mlp(), loss, loader(X, y), threads=bad)


def test_dict_batches_and_numpy_data_are_refused_with_advice() -> None:
    X, y = classification()
    dict_batches = [{"x": X[:10], "y": y[:10]}, {"x": X[10:], "y": y[10:]}]
    with pytest.raises(InputError, match=r"dict with keys \['x', 'y'\].*yields \(batch\['x'\]"):
        cv.hessian_operator(mlp(), torch.nn.functional.cross_entropy, dict_batches)
    with pytest.raises(InputError, match="torch tensors.*ndarray.*torch.as_tensor"):
        cv.hessian_operator(mlp(), torch.nn.functional.cross_entropy, (X.numpy(), y.numpy()))
    with pytest.raises(InputError, match="torch tensors.*ndarray.*torch.as_tensor"):
        cv.hessian_operator(mlp(), torch.nn.functional.cross_entropy, [(X, y.numpy())])
