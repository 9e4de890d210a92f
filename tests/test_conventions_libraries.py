"""Every row of :mod:`theory.conventions` against the real library it describes.

Each test fits the library (full batch, run to its fixed point or its tightest tolerance) and checks
that the result is the canonical optimum for the translated (λ, μ):

    F(w) = D(w) + (λ/2)‖w‖² + μ‖w‖₁,   D = (1/2n)‖Xw − y‖²  or  (1/n)Σ log-loss,

through the minimal-norm subgradient ``g(w)`` of F (zero exactly at the optimum). F is m-strongly
convex with ``m ≥ λ_min(XᵀX/n) + λ``, so ``‖w − w*‖ ≤ ‖g(w)‖/m``: a small residual *is* a small
distance to the canonical solution, and the residual of the same fit against the row's λ, μ with one
factor halved is asserted to be far larger, so a halved row factor fails the test.

Tolerance (empirical, with its reason): ``‖g(w)‖ ≤ STATIONARY·S`` with ``S = ‖Xᵀy‖/n`` (the data
gradient at 0). The gradient-descent loops run until the iterate stops moving (relative change
≤ 1e-14 over 50 steps), which leaves a residual near the float64 floor d·κ·eps·S ≈ 1e-15·S; the
libraries' own solvers stop on their tolerances (set to their tightest), which leaves 1e-12..1e-9·S.
``STATIONARY = 1e-7`` bounds them all; :func:`assert_canonical` also asserts that the same fit
against the row with λ or μ halved leaves a residual at least 100 times the tolerance.

Libraries: Keras 3 on the torch backend (``KERAS_BACKEND=torch``, no TensorFlow), optax on jax CPU,
statsmodels, glum, scikit-learn, torch, and glmnet (python-glmnet; optional, see the README). A
missing library skips its tests with the reason; CI installs them all.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported anywhere
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import math
import sys
import types
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from theory.conventions import Penalty, from_canonical, to_canonical, translate
from theory.errors import ConventionError, InputError

STATIONARY = 1e-7  # see the module docstring: empirical, bounds every library's stopping rule
# Keras 3 on torch computes in float32 even with float64 variables and floatx (its type promotion
# maps float64 to float32: keras/src/backend/common/dtypes.py, BIT64_TO_BIT32_DTYPE), so its loops
# stop when 50 steps move w by ≤ 1e-6·‖w‖ (≈ 10·eps32; κ ≤ 3 here, so w is then within ~1e-6·‖w‖ of
# the fixed point) and the residual bound is 30·eps32·d·κ ≈ 1e-5 (empirical, float32 rounding).
KERAS_STALL = 1e-6
KERAS_STATIONARY = 1e-5
WRONG = 1e-2  # relative distance between the optima of two readings of a row that must differ


# ---------------------------------------------------------------- data and the canonical residual


def _design(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns orthogonal with XᵀX/n eigenvalues in [0.5, 1.5] (κ = 3: the loops converge fast)."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, d)))
    X = Q * (math.sqrt(n) * np.sqrt(np.linspace(0.5, 1.5, d)))
    y = X @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n) + 1.0
    return X, y


def _classification(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    p = 1.0 / (1.0 + np.exp(-(X @ rng.standard_normal(d))))
    return X, (rng.random(n) < p).astype(float)


X_REG, Y_REG = _design(40, 3, seed=11)
X_CLS, Y_CLS = _classification(80, 3, seed=12)
N_REG, N_CLS = X_REG.shape[0], X_CLS.shape[0]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free


def subgradient(
    w: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    penalty: Penalty,
    *,
    loss: str = "squared",
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Minimal-norm subgradient of the canonical objective at w (zero exactly at its optimum).

    ``weights`` s: the data term is the weighted mean (1/Σs)Σ s_i·ℓ_i.
    """
    s = np.ones(X.shape[0]) if weights is None else weights
    z = X @ w
    r = (z - y) if loss == "squared" else (_sigmoid(z) - y)
    g = X.T @ (s * r) / s.sum() + float(penalty.l2) * w
    mu = float(penalty.l1)
    return np.where(w != 0, g + mu * np.sign(w), np.sign(g) * np.maximum(np.abs(g) - mu, 0.0))


def assert_canonical(
    w: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    penalty: Penalty,
    *,
    loss: str = "squared",
    weights: np.ndarray | None = None,
    halved: bool = True,
    tol: float = STATIONARY,
) -> None:
    """w is the canonical optimum for ``penalty``, and not for the penalty with a factor halved."""
    s = np.ones(X.shape[0]) if weights is None else weights
    scale = float(np.linalg.norm(X.T @ (s * y))) / s.sum()
    res = float(np.linalg.norm(subgradient(w, X, y, penalty, loss=loss, weights=weights))) / scale
    assert res <= tol, f"residual {res:.3g}·S > {tol:g}·S for {penalty}"
    if not halved:
        return
    for wrong in (Penalty(penalty.l2 / 2, penalty.l1), Penalty(penalty.l2, penalty.l1 / 2)):
        if wrong == penalty:
            continue
        bad = float(np.linalg.norm(subgradient(w, X, y, wrong, loss=loss, weights=weights))) / scale
        assert bad >= 100 * tol, f"a halved factor {wrong} is not detected: residual {bad:.3g}·S"


def _gd(
    step: Callable[[], np.ndarray], *, max_steps: int = 20_000, every: int = 50, stall: float = 1e-14
) -> np.ndarray:
    """Run ``step`` (one library update, returning the weights) until 50 steps move w ≤ stall·‖w‖."""
    previous = step()
    for i in range(1, max_steps):
        current = step()
        if i % every == 0:
            if np.linalg.norm(current - previous) <= stall * np.linalg.norm(current):
                return current
            previous = current
    raise AssertionError(f"no fixed point after {max_steps} steps")


def _lr(X: np.ndarray, coupled_l2: float, data_scale: float) -> float:
    """1/L for gradient descent on data_scale·(1/2n)‖Xw − y‖² + (coupled_l2/2)‖w‖²."""
    return 1.0 / (data_scale * float(np.linalg.eigvalsh(X.T @ X / X.shape[0]).max()) + coupled_l2)


# ---------------------------------------------------------------- Keras 3 (torch backend)


def _skip_in_forked_mutation_workers(library: str) -> None:
    """mutmut (bench/mutation.py) forks a worker per mutant from a process that has run the tests;
    jax's and Keras-on-torch's threads do not survive the fork, and a worker that reaches them hangs
    until its timeout. Under mutmut these tests skip: the rows they fit are also checked by
    tests/test_conventions.py's restatements and by the scikit-learn, statsmodels, glum and torch fits."""
    if "mutmut" in sys.modules:
        pytest.skip(f"{library} deadlocks in mutmut's forked workers")


@pytest.fixture(scope="module")
def keras() -> Iterator[Any]:
    _skip_in_forked_mutation_workers("Keras 3")
    keras = pytest.importorskip("keras", reason="Keras 3 is in the libs test extra")
    if keras.backend.backend() != "torch":
        pytest.skip(f"Keras runs on the {keras.backend.backend()!r} backend here; these tests need torch")
    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    yield keras
    keras.config.set_floatx(previous)


def _keras_fit(
    keras: Any,
    X: np.ndarray,
    y: np.ndarray,
    optimizer: Any,
    *,
    loss: Any = "mse",
    regularizer: Any = None,
    bias: bool = False,
    exclude_bias: bool = False,
    batch_size: int | None = None,
) -> np.ndarray:
    """Train Dense(1) with Keras' own loss (``model.compute_loss``: data + regularisers) and
    ``optimizer.apply`` until the fixed point; mini-batches in order when ``batch_size`` is given."""
    import torch

    model = keras.Sequential(
        [
            keras.Input((X.shape[1],)),
            keras.layers.Dense(1, use_bias=bias, kernel_initializer="zeros", kernel_regularizer=regularizer),
        ]
    )
    if exclude_bias:
        optimizer.exclude_from_weight_decay(var_names=["bias"])
    model.compile(optimizer=optimizer, loss=loss)
    Xt, yt = torch.tensor(X), torch.tensor(y)[:, None]
    b = batch_size or X.shape[0]
    batches = [(Xt[i : i + b], yt[i : i + b]) for i in range(0, X.shape[0], b)]
    variables = model.trainable_variables

    def epoch() -> np.ndarray:
        for xb, yb in batches:
            value = model.compute_loss(x=xb, y=yb, y_pred=model(xb))
            grads = torch.autograd.grad(value, [v.value for v in variables])
            optimizer.apply(list(grads), variables)
        # v.numpy() would go through np.array(v), which warns under NumPy 2
        return np.concatenate([v.value.detach().numpy().ravel() for v in variables])

    return _gd(epoch, stall=KERAS_STALL, max_steps=5_000)


@pytest.mark.parametrize("l2", [0.05, 0.5])
def test_keras_l2_regularizer(keras, l2):
    """keras.regularizers.L2(l2) on MSE: loss += l2·Σw² (no ½), so λ = 2·l2/2 = l2."""
    penalty = to_canonical("keras.regularizers.L2", {"l2": l2}, n=N_REG, data_loss="mse")
    opt = keras.optimizers.SGD(learning_rate=_lr(X_REG, 2 * l2, 2.0))
    w = _keras_fit(keras, X_REG, Y_REG, opt, regularizer=keras.regularizers.L2(l2))
    assert_canonical(w, X_REG, Y_REG, penalty, tol=KERAS_STATIONARY)


def test_keras_l1_regularizer(keras):
    """keras.regularizers.L1(l1) on MSE: μ = l1/2. μ is small enough that no weight is 0 at the
    optimum, so plain gradient descent converges (the subgradient is a gradient there)."""
    l1 = 0.02
    penalty = to_canonical("keras.regularizers.L1", {"l1": l1}, n=N_REG, data_loss="mse")
    opt = keras.optimizers.SGD(learning_rate=_lr(X_REG, 0.0, 2.0))
    w = _keras_fit(keras, X_REG, Y_REG, opt, regularizer=keras.regularizers.L1(l1))
    assert np.all(np.abs(w) > 10 * l1)
    assert_canonical(w, X_REG, Y_REG, penalty, tol=KERAS_STATIONARY)


@pytest.mark.parametrize(("momentum", "nesterov"), [(0.0, False), (0.5, False), (0.9, False), (0.9, True)])
def test_keras_sgd_weight_decay_with_momentum(keras, momentum, nesterov):
    """keras.optimizers.SGD(weight_decay=wd, momentum=β): the fixed point is the optimum of the data
    term + ((1 − β)·wd/2)‖w‖² (so λ = (1 − β)·wd/2 on MSE); the old row's λ = wd/2 fails for β > 0."""
    wd = 0.6
    penalty = to_canonical(
        "keras.optimizers.SGD", {"weight_decay": wd, "momentum": momentum}, n=N_REG, data_loss="mse"
    )
    lr = 0.5 * _lr(X_REG, 0.0, 2.0)
    opt = keras.optimizers.SGD(learning_rate=lr, momentum=momentum, nesterov=nesterov, weight_decay=wd)
    w = _keras_fit(keras, X_REG, Y_REG, opt)
    assert_canonical(w, X_REG, Y_REG, penalty, tol=KERAS_STATIONARY)
    if momentum > 0:  # the momentum-blind reading of the old row is off
        with pytest.raises(AssertionError, match="residual"):
            assert_canonical(w, X_REG, Y_REG, Penalty(wd / 2), halved=False, tol=KERAS_STATIONARY)


def test_keras_sgd_needs_the_momentum(keras):
    """A missing momentum is an error naming it, both ways; the CLI takes it as a setting."""
    with pytest.raises(InputError, match="momentum"):
        to_canonical("keras.optimizers.SGD", {"weight_decay": 0.1}, n=10)
    with pytest.raises(InputError, match="momentum"):
        from_canonical("keras.optimizers.SGD", Penalty(0.1), n=10)
    out = translate("torch.SGD", {"weight_decay": 0.1}, n=10)
    assert "momentum" in str(out["keras.optimizers.SGD"])
    out = translate("torch.SGD", {"weight_decay": 0.1}, n=10, inputs={"momentum": 0.75})
    assert out["keras.optimizers.SGD"] == {"weight_decay": pytest.approx(0.4, rel=1e-15), "momentum": 0.75}


@pytest.mark.parametrize("exclude", [False, True])
def test_keras_weight_decay_decays_the_bias(keras, exclude):
    """Keras' optimizer weight_decay decays the bias too (the canonical optimum with the intercept
    penalised); exclude_from_weight_decay(var_names=["bias"]) leaves it unpenalised."""
    wd = 0.8
    lam = float(to_canonical("keras.optimizers.SGD", {"weight_decay": wd, "momentum": 0}, n=N_REG).l2)
    opt = keras.optimizers.SGD(learning_rate=0.5 * _lr(X_REG, 0.0, 2.0), weight_decay=wd)
    theta = _keras_fit(keras, X_REG, Y_REG, opt, bias=True, exclude_bias=exclude)
    Xb = np.column_stack([X_REG, np.ones(N_REG)])
    decay = np.append(np.ones(X_REG.shape[1]), 0.0 if exclude else 1.0)
    # canonical optimum with the bias penalised (or not): (XbᵀXb/n + λ·diag(decay)) θ = Xbᵀy/n
    expected = np.linalg.solve(Xb.T @ Xb / N_REG + lam * np.diag(decay), Xb.T @ Y_REG / N_REG)
    other = np.linalg.solve(
        Xb.T @ Xb / N_REG + lam * np.diag(np.append(decay[:-1], 1 - decay[-1])), Xb.T @ Y_REG / N_REG
    )
    m = float(np.linalg.eigvalsh(Xb.T @ Xb / N_REG).min())  # strong convexity of the data term
    g = Xb.T @ (Xb @ theta - Y_REG) / N_REG + lam * decay * theta
    assert np.linalg.norm(theta - expected) <= np.linalg.norm(g) / m + KERAS_STATIONARY * np.linalg.norm(
        expected
    )
    assert np.linalg.norm(g) <= KERAS_STATIONARY * np.linalg.norm(Xb.T @ Y_REG / N_REG)
    assert np.linalg.norm(theta - other) >= WRONG * np.linalg.norm(expected)


def test_keras_sum_reduction_with_mini_batches_scales_by_the_batch(keras):
    """L2(l2) with MeanSquaredError(reduction="sum") on mini-batches of B: Keras adds l2·Σw² to each
    batch's summed loss, so over an epoch the penalty counts n/B times: λ = 2·l2/(2B), not 2·l2/(2n).
    Full-batch equivalence by gradient accumulation over the n/B batches (Keras averages them)."""
    l2, batch = 0.5, 10
    loss = keras.losses.MeanSquaredError(reduction="sum")
    penalty = to_canonical("keras.regularizers.L2", {"l2": l2}, n=N_REG, data_loss="sse", batch_size=batch)
    steps = N_REG // batch
    opt = keras.optimizers.SGD(
        learning_rate=_lr(X_REG, 2 * l2, 2.0 * batch), gradient_accumulation_steps=steps
    )
    w = _keras_fit(
        keras, X_REG, Y_REG, opt, loss=loss, regularizer=keras.regularizers.L2(l2), batch_size=batch
    )
    assert_canonical(w, X_REG, Y_REG, penalty, tol=KERAS_STATIONARY)
    full_batch = to_canonical("keras.regularizers.L2", {"l2": l2}, n=N_REG, data_loss="sse")
    with pytest.raises(AssertionError, match="residual"):
        assert_canonical(w, X_REG, Y_REG, full_batch, halved=False, tol=KERAS_STATIONARY)


def test_keras_adam_weight_decay_is_refused():
    with pytest.raises(ConventionError, match="decoupled"):
        to_canonical("keras.optimizers.Adam", {"weight_decay": 0.1}, n=10)


# ---------------------------------------------------------------- optax (jax on CPU)


@pytest.fixture(scope="module")
def optax() -> Any:
    _skip_in_forked_mutation_workers("jax/optax")
    jax = pytest.importorskip("jax", reason="jax[cpu] is in the libs test extra")
    optax = pytest.importorskip("optax", reason="optax is in the libs test extra")
    jax.config.update("jax_enable_x64", True)
    return optax


def _optax_fit(optax: Any, X: np.ndarray, y: np.ndarray, tx: Any, *, data_scale: float = 2.0) -> np.ndarray:
    """Full-batch optax updates on data_scale·(1/2n)‖Xw − y‖² (data_scale 2: MSE) to the fixed point."""
    import jax
    import jax.numpy as jnp

    Xj, yj = jnp.asarray(X), jnp.asarray(y)

    def data(w: Any) -> Any:
        return data_scale * 0.5 * jnp.mean((Xj @ w - yj) ** 2)

    @jax.jit
    def step(w: Any, state: Any) -> tuple[Any, Any]:
        updates, state = tx.update(jax.grad(data)(w), state, w)
        return optax.apply_updates(w, updates), state

    w = jnp.zeros(X.shape[1], dtype=jnp.float64)
    box = [w, tx.init(w)]

    def one() -> np.ndarray:
        box[0], box[1] = step(box[0], box[1])
        return np.asarray(box[0])

    return _gd(one)


@pytest.mark.parametrize("wd", [0.1, 1.0])
def test_optax_add_decayed_weights_then_sgd(optax, wd):
    """chain(add_decayed_weights(wd), sgd(lr)) on MSE: gradient descent on D + (wd/2)‖w‖²: λ = wd/2."""
    penalty = to_canonical("optax.add_decayed_weights+sgd", {"weight_decay": wd}, n=N_REG, data_loss="mse")
    tx = optax.chain(optax.add_decayed_weights(wd), optax.sgd(_lr(X_REG, wd, 2.0)))
    assert_canonical(_optax_fit(optax, X_REG, Y_REG, tx), X_REG, Y_REG, penalty)


def test_optax_sgd_then_add_decayed_weights_anti_decays(optax):
    """chain(sgd(lr), add_decayed_weights(wd)): w ← w − lr·g + wd·w, gradient descent on
    D − (wd/lr)/2‖w‖²: its fixed point is the stationary point of a *negative* λ = −wd/(2·lr) on MSE,
    which the canonical translation refuses (and the right order does not anti-decay)."""
    lr = 0.5 * _lr(X_REG, 0.0, 2.0)
    wd = 0.2 * lr  # λ_lib = −0.2, above −λ_min(H) so the anti-decayed problem still has a minimum
    w = _optax_fit(optax, X_REG, Y_REG, optax.chain(optax.sgd(lr), optax.add_decayed_weights(wd)))
    anti = Penalty(-wd / lr / 2)
    assert_canonical(w, X_REG, Y_REG, anti)
    with pytest.raises(ConventionError, match="anti-decays"):
        to_canonical(
            "optax.sgd+add_decayed_weights",
            {"weight_decay": wd, "learning_rate": lr},
            n=N_REG,
            data_loss="mse",
        )
    with pytest.raises(ConventionError, match="anti-decays"):
        from_canonical("optax.sgd+add_decayed_weights", Penalty(0.1), n=N_REG, inputs={"learning_rate": lr})


def test_optax_adamw_is_refused():
    with pytest.raises(ConventionError, match="decoupled"):
        to_canonical("optax.adamw", {"weight_decay": 0.1}, n=10)


# ---------------------------------------------------------------- torch: a mean cross-entropy


@pytest.mark.torch
@pytest.mark.parametrize("wd", [0.01, 0.2])
def test_torch_sgd_on_a_mean_cross_entropy_translates_to_logistic_regression(wd):
    """torch.SGD(weight_decay=wd) on BCEWithLogitsLoss (mean): λ = wd; translated to sklearn's
    LogisticRegression C; both real fits are the canonical optimum."""
    torch = pytest.importorskip("torch")
    linear_model = pytest.importorskip("sklearn.linear_model")
    penalty = to_canonical("torch.SGD", {"weight_decay": wd}, n=N_CLS, data_loss="mean_logloss")
    Xt, yt = torch.tensor(X_CLS), torch.tensor(Y_CLS)
    w = torch.zeros(X_CLS.shape[1], dtype=torch.float64, requires_grad=True)
    lr = 1.0 / (0.25 * float(np.linalg.eigvalsh(X_CLS.T @ X_CLS / N_CLS).max()) + wd)
    opt = torch.optim.SGD([w], lr=lr, momentum=0.5, weight_decay=wd)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def step() -> np.ndarray:
        opt.zero_grad()
        loss_fn(Xt @ w, yt).backward()
        opt.step()
        return w.detach().numpy().copy()

    assert_canonical(_gd(step), X_CLS, Y_CLS, penalty, loss="logistic")
    params = translate("torch.SGD", {"weight_decay": wd}, n=N_CLS, data_loss="mean_logloss")[
        "sklearn.LogisticRegression"
    ]
    assert isinstance(params, dict), params
    model = linear_model.LogisticRegression(
        **params, fit_intercept=False, solver="newton-cholesky", tol=1e-14, max_iter=1000
    )
    assert_canonical(model.fit(X_CLS, Y_CLS).coef_.ravel(), X_CLS, Y_CLS, penalty, loss="logistic")


# ---------------------------------------------------------------- statsmodels


@pytest.mark.parametrize(("alpha", "l1_wt"), [(0.3, 0.0), (0.1, 0.5), (0.1, 1.0)])
def test_statsmodels_ols_fit_regularized(alpha, l1_wt):
    """OLS(y, X).fit_regularized(alpha, L1_wt): 0.5·RSS/n + α[(1 − L1_wt)/2‖b‖² + L1_wt‖b‖₁]."""
    sm = pytest.importorskip("statsmodels.api", reason="statsmodels is in the libs test extra")
    penalty = to_canonical("statsmodels.fit_regularized", {"alpha": alpha, "L1_wt": l1_wt}, n=N_REG)
    fit = sm.OLS(Y_REG, X_REG).fit_regularized(
        method="elastic_net", alpha=alpha, L1_wt=l1_wt, cnvrg_tol=1e-14, maxiter=10_000
    )
    assert_canonical(np.asarray(fit.params), X_REG, Y_REG, penalty)


@pytest.mark.parametrize("alpha", [0.5, 3.0])
def test_statsmodels_logit_fit_regularized_is_on_the_summed_log_loss(alpha):
    """Logit(y, X).fit_regularized(method="l1", alpha): −Σ log-lik + α‖b‖₁, so μ = α/n."""
    sm = pytest.importorskip("statsmodels.api", reason="statsmodels is in the libs test extra")
    penalty = to_canonical("statsmodels.Logit.fit_regularized", {"alpha": alpha}, n=N_CLS)
    assert penalty == Penalty(0 * alpha, alpha / N_CLS)
    fit = sm.Logit(Y_CLS, X_CLS).fit_regularized(method="l1", alpha=alpha, acc=1e-14, maxiter=1000, disp=0)
    assert_canonical(np.asarray(fit.params), X_CLS, Y_CLS, penalty, loss="logistic")


# ---------------------------------------------------------------- glum


@pytest.mark.parametrize(("alpha", "l1_ratio"), [(0.2, 0.0), (0.05, 0.5), (0.05, 1.0)])
def test_glum_normal(alpha, l1_ratio):
    glum = pytest.importorskip("glum", reason="glum is in the libs test extra")
    penalty = to_canonical("glum.GeneralizedLinearRegressor", {"alpha": alpha, "l1_ratio": l1_ratio}, n=N_REG)
    model = glum.GeneralizedLinearRegressor(
        family="normal",
        alpha=alpha,
        l1_ratio=l1_ratio,
        fit_intercept=False,
        gradient_tol=1e-14,
        max_iter=1000,
    )
    assert_canonical(model.fit(X_REG, Y_REG).coef_, X_REG, Y_REG, penalty)


@pytest.mark.parametrize(("alpha", "l1_ratio"), [(0.1, 0.0), (0.02, 0.5)])
def test_glum_binomial_is_the_mean_log_loss(alpha, l1_ratio):
    glum = pytest.importorskip("glum", reason="glum is in the libs test extra")
    key = "glum.GeneralizedLinearRegressor(binomial)"
    penalty = to_canonical(key, {"alpha": alpha, "l1_ratio": l1_ratio}, n=N_CLS)
    model = glum.GeneralizedLinearRegressor(
        family="binomial",
        alpha=alpha,
        l1_ratio=l1_ratio,
        fit_intercept=False,
        gradient_tol=1e-14,
        max_iter=1000,
    )
    assert_canonical(model.fit(X_CLS, Y_CLS).coef_, X_CLS, Y_CLS, penalty, loss="logistic")


# ---------------------------------------------------------------- scikit-learn: sample_weight


SAMPLE_WEIGHT = np.random.default_rng(13).uniform(0.2, 3.0, N_REG)


@pytest.mark.parametrize("factor", [1.0, 7.0])
def test_sklearn_ridge_sample_weight_is_not_renormalised(factor):
    """Ridge: Σs_i r_i² + α‖w‖²: with weights s the row holds with n = Σs (so 7·s needs 7·α)."""
    linear_model = pytest.importorskip("sklearn.linear_model")
    s, alpha = factor * SAMPLE_WEIGHT, 5.0 * factor  # the same fit for (s, α) and (7s, 7α)
    penalty = to_canonical("sklearn.Ridge", {"alpha": alpha}, n=float(s.sum()))
    fit = linear_model.Ridge(alpha=alpha, fit_intercept=False, solver="cholesky").fit(
        X_REG, Y_REG, sample_weight=s
    )
    assert_canonical(fit.coef_, X_REG, Y_REG, penalty, weights=s)
    with pytest.raises(AssertionError, match="residual"):  # n = number of rows is wrong with weights
        assert_canonical(
            fit.coef_, X_REG, Y_REG, to_canonical("sklearn.Ridge", {"alpha": alpha}, n=N_REG), weights=s
        )


@pytest.mark.parametrize(
    ("key", "params"),
    [("sklearn.Lasso", {"alpha": 0.05}), ("sklearn.ElasticNet", {"alpha": 0.1, "l1_ratio": 0.5})],
)
@pytest.mark.parametrize("factor", [1.0, 7.0])
def test_sklearn_coordinate_descent_renormalises_sample_weight(key, params, factor):
    """Lasso/ElasticNet rescale s to sum to n: the row holds with n = number of rows, for s and 7·s."""
    linear_model = pytest.importorskip("sklearn.linear_model")
    s = factor * SAMPLE_WEIGHT
    penalty = to_canonical(key, params, n=N_REG)
    model = getattr(linear_model, key.split(".")[1])(
        **params, fit_intercept=False, tol=1e-14, max_iter=100_000
    )
    assert_canonical(model.fit(X_REG, Y_REG, sample_weight=s).coef_, X_REG, Y_REG, penalty, weights=s)


# ---------------------------------------------------------------- glmnet (optional)


def _glmnet() -> Any:
    """python-glmnet, which imports ``pkg_resources`` (gone from setuptools ≥ 81) only for its
    ``__version__``: give it a stand-in from importlib.metadata when missing."""
    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        import importlib.metadata as metadata

        sys.modules["pkg_resources"] = types.SimpleNamespace(  # type: ignore[assignment]
            get_distribution=lambda name: types.SimpleNamespace(version=metadata.version(name))
        )
    return pytest.importorskip(
        "glmnet", reason="glmnet is optional: see the README (gfortran, old setuptools)"
    )


def _sd(y: np.ndarray) -> float:
    return float(np.sqrt(np.mean((y - y.mean()) ** 2)))


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("intercept", [False, True])
def test_glmnet_standardises_y(alpha, intercept):
    """glmnet fits y/sd(y) with λ/sd(y): the ridge part on y is λ(1 − a)/sd(y), the lasso part λa."""
    glmnet = _glmnet()
    lam = 0.3
    penalty = to_canonical("glmnet", {"lambda": lam, "alpha": alpha, "sd_y": _sd(Y_REG)}, n=N_REG)
    model = glmnet.ElasticNet(
        alpha=alpha,
        lambda_path=np.array([10.0, lam]),
        standardize=False,
        fit_intercept=intercept,
        tol=1e-14,
        max_iter=100_000,
    )
    w = model.fit(X_REG, Y_REG).coef_path_[:, -1]
    X, y = (X_REG - X_REG.mean(0), Y_REG - Y_REG.mean()) if intercept else (X_REG, Y_REG)
    assert_canonical(w, X, y, penalty)


def test_glmnet_needs_sd_y():
    with pytest.raises(InputError, match="sd_y"):
        from_canonical("glmnet", Penalty(0.1, 0.1), n=10)
    with pytest.raises(InputError, match="sd_y"):
        to_canonical("glmnet", {"lambda": 0.1, "alpha": 0.5, "sd_y": 0}, n=10)
    back = from_canonical(
        "glmnet", Penalty(Fraction(1, 5), Fraction(1, 10)), n=10, inputs={"sd_y": Fraction(2)}
    )
    assert back == {"lambda": Fraction(1, 2), "alpha": Fraction(1, 5), "sd_y": Fraction(2)}
