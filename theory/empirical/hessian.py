"""Hessians of real networks, and weight-decay shrinkage beyond the quadratic model (l2.eigen).

G 7.13 says that near a minimum ``w*`` with Hessian ``H = QΛQᵀ``, adding ``(α/2)‖w‖²`` moves the
minimum to ``w̃ = (H + αI)⁻¹Hw* = Q(Λ + αI)⁻¹ΛQᵀw*``: the component along ``q_i`` is scaled by
``λ_i/(λ_i + α)``. For a network that is a second-order statement: with ``θ(α)`` the true minimiser,
``θ(α) = w* − αH⁻¹w* + O(α²)`` (implicit function theorem) and the quadratic prediction agrees to
first order, so the relative error of the predicted shift ``w* − w̃`` falls like ``O(α)``.
:func:`shrinkage_experiment` measures exactly that on a small MLP.

Two routes to the Hessian at ``w*``, always on the full data set (mini-batch Hessians vary wildly,
docs/reference.md, "Traps"):

- :func:`dense_hessian`: ``torch.func.hessian`` of the loss as a function of the flat parameter
  vector (forward-over-reverse), for small models;
- :func:`hessian_operator` / :func:`top_eigenpairs`: Hessian-vector products
  ``Hv = ∂/∂t ∇L(θ + tv)`` (``torch.func.jvp`` of ``torch.func.grad``) wrapped as a float64
  ``scipy.sparse.linalg.LinearOperator`` for ``scipy.sparse.linalg.eigsh`` (ARPACK, implicitly
  restarted Lanczos) with a fixed ``v0``; the residuals ``‖Hv − λv‖`` are reported.
  :func:`power_iteration` is the deflated power method that PyHessian uses, for the benchmark.

Batch norm in train mode and dropout make the "Hessian" change between products; :func:`prepare_model`
refuses them or, with ``stochastic="eval"``, switches the model to eval mode with a warning.
"""

from __future__ import annotations

import itertools
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse.linalg
from numpy.typing import ArrayLike, NDArray

from theory.empirical import _common as C
from theory.errors import ConvergenceError, InputError, PreconditionError
from theory.numerics import is_zero_within_rounding, rounding_zero_tolerance
from theory.quadratic import Quadratic

torch = C.torch

__all__ = [
    "Eigenpairs",
    "EmpiricalWarning",
    "FlatLoss",
    "ShrinkageResult",
    "dense_hessian",
    "hessian_operator",
    "make_mlp",
    "make_task",
    "minimise",
    "order_of_convergence",
    "power_iteration",
    "prepare_model",
    "shrinkage_experiment",
    "teacher_mlp",
    "top_eigenpairs",
]

FloatArray = C.FloatArray


class EmpiricalWarning(UserWarning):
    """A model was changed to make its Hessian well defined (switched to eval mode)."""


_STOCHASTIC = (
    torch.nn.modules.batchnorm._BatchNorm,
    torch.nn.Dropout,
    torch.nn.Dropout1d,
    torch.nn.Dropout2d,
    torch.nn.Dropout3d,
    torch.nn.AlphaDropout,
    torch.nn.FeatureAlphaDropout,
)


def prepare_model(model: Any, *, stochastic: str = "raise") -> Any:
    """Refuse (``"raise"``) or neutralise (``"eval"``) batch norm and dropout layers.

    In train mode a batch-norm layer normalises by the current batch's statistics and dropout draws
    a new mask per call, so ``Hv`` is not a product with one matrix. ``"eval"`` calls
    ``model.eval()`` (running statistics, no dropout) and warns with :class:`EmpiricalWarning`.

    Raises:
        PreconditionError: such a layer is present and ``stochastic="raise"``.
        InputError: ``model`` is not a ``torch.nn.Module``, or ``stochastic`` is unknown.
    """
    if not isinstance(model, torch.nn.Module):
        raise InputError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    if stochastic not in ("raise", "eval"):
        raise InputError(f"stochastic must be 'raise' or 'eval'; got {stochastic!r}")
    found = [
        f"{name or '<root>'} ({type(m).__name__})"
        for name, m in model.named_modules()
        if isinstance(m, _STOCHASTIC)
    ]
    if not found:
        return model
    if stochastic == "raise":
        raise PreconditionError(
            "the Hessian is not well defined for a model with batch norm or dropout in train mode: "
            f"{', '.join(found)}; pass stochastic='eval' to use eval mode (running statistics, no dropout)"
        )
    model.eval()
    warnings.warn(
        f"switched the model to eval mode for the Hessian because of {', '.join(found)}",
        EmpiricalWarning,
        stacklevel=2,
    )
    return model


_LOSSES = ("mse", "cross_entropy")


class FlatLoss:
    """``L(θ)`` of a model on a fixed full batch, as a function of the flat parameter vector θ.

    ``L`` is ``MSELoss`` (mean of ``(ŷ − y)²``) for ``loss="mse"`` and ``CrossEntropyLoss`` (mean) for
    ``"cross_entropy"``. Only parameters with ``requires_grad`` enter θ; ``decay_mask`` marks the
    decayed ones (all, by default; ``decay_bias=False`` leaves 1-D ``bias`` tensors out).
    """

    def __init__(
        self,
        model: Any,
        X: Any,
        y: Any,
        *,
        loss: str = "mse",
        decay_bias: bool = True,
        stochastic: str = "raise",
    ) -> None:
        prepare_model(model, stochastic=stochastic)
        if not (isinstance(X, torch.Tensor) and isinstance(y, torch.Tensor)):
            raise InputError(
                f"FlatLoss takes the whole data set as two tensors X, y; got {type(X).__name__}, "
                f"{type(y).__name__}. For a DataLoader, batches or any loss callable use "
                "theory.empirical.curvature.hessian_operator(model, loss_fn, data)"
            )
        if loss not in _LOSSES:
            raise InputError(f"loss must be one of {_LOSSES}; got {loss!r}")
        self.model = model
        self.X, self.y, self.loss = X, y, loss
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        if not named:
            raise InputError("the model has no trainable parameters")
        self.names = [n for n, _ in named]
        self.shapes = [p.shape for _, p in named]
        self.sizes = [p.numel() for _, p in named]
        self.dim = int(sum(self.sizes))
        first = named[0][1]
        self.dtype, self.device = first.dtype, first.device
        self.decay_mask = torch.cat(
            [
                torch.full(
                    (s,),
                    0.0 if (not decay_bias and n.endswith("bias")) else 1.0,
                    dtype=self.dtype,
                    device=self.device,
                )
                for n, s in zip(self.names, self.sizes, strict=True)
            ]
        )
        self._fn = torch.nn.CrossEntropyLoss()
        self._grad = torch.func.grad(self.value)
        self.hvp_count = 0

    def theta(self) -> Any:
        """The model's current parameters as one flat tensor (a copy)."""
        return torch.cat(
            [p.detach().reshape(-1) for n, p in self.model.named_parameters() if n in self.names]
        ).clone()

    def load(self, theta: Any) -> None:
        """Write a flat vector back into the model's parameters."""
        with torch.no_grad():
            params = dict(self.model.named_parameters())
            for n, chunk, shape in zip(self.names, torch.split(theta, self.sizes), self.shapes, strict=True):
                params[n].copy_(chunk.reshape(shape))

    def value(self, theta: Any) -> Any:
        """``L(θ)`` (a 0-d tensor, differentiable by ``torch.func``)."""
        chunks = torch.split(theta, self.sizes)
        tensors = {n: c.reshape(s) for n, c, s in zip(self.names, chunks, self.shapes, strict=True)}
        out = torch.func.functional_call(self.model, tensors, (self.X,))
        if self.loss == "mse":  # MSELoss written out: its fused backward breaks forward-over-reverse
            r = out.reshape(self.y.shape) - self.y
            return (r * r).mean()
        return self._fn(out, self.y)

    def penalised(self, theta: Any, alpha: float) -> Any:
        """``L(θ) + (α/2)‖θ_decayed‖²``."""
        return self.value(theta) + 0.5 * alpha * (self.decay_mask * theta * theta).sum()

    def grad(self, theta: Any) -> Any:
        """``∇L(θ)``."""
        return self._grad(theta)

    def hvp(self, theta: Any, v: Any) -> Any:
        """``H(θ)v`` by reverse-over-reverse differentiation (Pearlmutter 1994): the gradient of
        ``∇L(θ)·v``. (``torch.func.jvp`` of ``torch.func.grad``, forward-over-reverse, gives the same
        numbers and is what :func:`dense_hessian` vectorises; this route is faster per product.)"""
        self.hvp_count += 1
        with torch.enable_grad():
            t = theta.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(self.value(t), t, create_graph=True)
            (hv,) = torch.autograd.grad(g, t, grad_outputs=v)
        return hv.detach()


@dataclass(frozen=True, slots=True)
class Eigenpairs:
    """Top eigenpairs of a Hessian.

    Attributes:
        values: eigenvalues, descending, shape (k,).
        vectors: unit eigenvectors as columns, shape (p, k).
        residuals: ``‖Hv_i − λ_i v_i‖₂`` per pair (recomputed with fresh Hessian-vector products).
        matvecs: Hessian-vector products used (0 for the dense route).
        seconds: wall time.
        method: ``"dense"``, ``"eigsh"`` or ``"power"``.
        iterations: per-eigenpair iterations (power iteration only; empty otherwise).
    """

    values: FloatArray
    vectors: FloatArray
    residuals: FloatArray
    matvecs: int
    seconds: float
    method: str
    iterations: tuple[int, ...] = ()


def dense_hessian(flat: FlatLoss, theta: Any | None = None) -> FloatArray:
    """The full ``p × p`` Hessian ``∇²L(θ)`` by ``torch.func.hessian``, symmetrised, as float64 NumPy.

    Memory grows like ``p²`` times the batch activations (see ``bench/hessian.py``); use
    :func:`hessian_operator` beyond a few thousand parameters.
    """
    th = flat.theta() if theta is None else theta
    with C.exact_math():
        Hm = torch.func.hessian(flat.value)(th)
    H = C.numpy(Hm)
    if not np.isfinite(H).all():
        raise InputError("the Hessian has NaN or Inf entries")
    return (H + H.T) / 2


def hessian_operator(flat: FlatLoss, theta: Any | None = None) -> scipy.sparse.linalg.LinearOperator:
    """``H(θ)`` as a float64 ``LinearOperator`` whose ``matvec`` is one Hessian-vector product.

    The product runs in the model's dtype on its device; the operator converts to and from float64
    NumPy, so ARPACK works in float64 (an operator of dtype float32 would make ARPACK work in
    float32, docs/reference.md, "Traps").
    """
    th = flat.theta() if theta is None else theta

    def matvec(v: FloatArray) -> FloatArray:
        vt = torch.as_tensor(np.ascontiguousarray(v, dtype=np.float64).ravel(), dtype=flat.dtype).to(
            flat.device
        )
        return C.numpy(flat.hvp(th, vt))

    return scipy.sparse.linalg.LinearOperator((flat.dim, flat.dim), matvec=matvec, dtype=np.float64)


def _residuals(op: Callable[[FloatArray], FloatArray], values: FloatArray, vectors: FloatArray) -> FloatArray:
    return np.array(
        [np.linalg.norm(op(vectors[:, i]) - values[i] * vectors[:, i]) for i in range(len(values))]
    )


def top_eigenpairs(
    flat: FlatLoss,
    k: int = 5,
    *,
    method: str = "eigsh",
    theta: Any | None = None,
    tol: float = 0.0,
    seed: int = 0,
    ncv: int | None = None,
) -> Eigenpairs:
    """The ``k`` algebraically largest eigenpairs of ``∇²L(θ)``.

    ``method="eigsh"``: ``scipy.sparse.linalg.eigsh(op, k, which="LA", v0=v0, tol=tol)`` on
    :func:`hessian_operator`, ``v0`` a fixed standard-normal vector from ``seed``; ``tol=0`` means
    machine precision. ``method="dense"``: ``numpy.linalg.eigh`` of :func:`dense_hessian`.
    Residuals are recomputed with extra products, which are not counted in ``matvecs``.
    """
    if not isinstance(k, int) or not 1 <= k < flat.dim:
        raise InputError(f"k must be an integer with 1 ≤ k < p = {flat.dim}; got {k!r}")
    th = flat.theta() if theta is None else theta
    op = hessian_operator(flat, th)
    start = time.perf_counter()
    if method == "dense":
        H = dense_hessian(flat, th)
        lam, Q = np.linalg.eigh(H)
        values, vectors, count = lam[::-1][:k].copy(), Q[:, ::-1][:, :k].copy(), 0
    elif method == "eigsh":
        v0 = np.random.default_rng(seed).standard_normal(flat.dim)
        before = flat.hvp_count
        with C.exact_math():
            lam, Q = scipy.sparse.linalg.eigsh(op, k=k, which="LA", v0=v0, tol=tol, ncv=ncv)
        order = np.argsort(lam)[::-1]
        values, vectors, count = lam[order], Q[:, order], flat.hvp_count - before
    else:
        raise InputError(f"method must be 'eigsh' or 'dense'; got {method!r}")
    seconds = time.perf_counter() - start
    with C.exact_math():
        res = _residuals(op.matvec, values, vectors)
    return Eigenpairs(values, vectors, res, count, seconds, method)


def power_iteration(
    matvec: Callable[[FloatArray], FloatArray],
    dim: int,
    k: int,
    *,
    tol: float = 1e-3,
    max_iter: int = 100,
    seed: int = 0,
    reference: ArrayLike | None = None,
) -> Eigenpairs:
    """Top-``k`` eigenpairs by power iteration with deflation, as PyHessian computes them.

    For each i: start from a random unit vector, orthogonalise against the eigenvectors found so far
    (Gram–Schmidt), multiply, ``λ = vᵀHv``, normalise; stop when ``|λ − λ_prev| / (|λ_prev| + 1e-6) <
    tol`` (PyHessian's rule, default ``tol = 1e-3``, ``max_iter = 100``) or, when ``reference``
    eigenvalues are given, when ``|λ − λ_ref,i| ≤ tol·|λ_ref,i|`` (an oracle stop: the fewest products
    that reach ``tol``, which is the best case for this method). Converges to the largest *magnitude*
    eigenvalues, like PyHessian.
    """
    rng = np.random.default_rng(seed)
    ref = None if reference is None else np.asarray(reference, dtype=np.float64)
    values: list[float] = []
    vectors: list[FloatArray] = []
    iterations: list[int] = []
    count = 0
    start = time.perf_counter()
    for i in range(k):
        v: FloatArray = rng.standard_normal(dim)
        lam_prev = math.inf
        lam = 0.0
        it = 0
        for it in range(1, max_iter + 1):  # noqa: B007 - it is recorded
            for u in vectors:
                v = v - (u @ v) * u
            v = v / np.linalg.norm(v)
            hv = matvec(v)
            count += 1
            lam = float(v @ hv)
            scale = float(np.linalg.norm(hv))
            for u in vectors:
                hv = hv - (u @ hv) * u
            nrm = float(np.linalg.norm(hv))
            # hv is rounding noise (v in the null space, or all of H deflated): stop, λ = vᵀHv stands
            if is_zero_within_rounding(nrm, dim, scale):
                break
            v = hv / nrm
            if ref is not None:
                if abs(lam - ref[i]) <= tol * abs(ref[i]):
                    break
            elif abs(lam - lam_prev) / (abs(lam_prev) + 1e-6) < tol:
                break
            lam_prev = lam
        values.append(lam)
        vectors.append(v)
        iterations.append(it)
    seconds = time.perf_counter() - start
    vals = np.asarray(values)
    vecs = np.stack(vectors, axis=1)
    return Eigenpairs(vals, vecs, _residuals(matvec, vals, vecs), count, seconds, "power", tuple(iterations))


# --------------------------------------------------------------------------------- models and tasks


def make_mlp(
    sizes: Sequence[int] = (4, 16, 1),
    *,
    activation: str = "tanh",
    seed: int = 0,
    device: str = "cpu",
    dtype: Any = "float64",
) -> Any:
    """``Linear → act → … → Linear`` with these layer widths, initialised from ``torch.Generator(seed)``."""
    widths = [int(s) for s in sizes]
    if len(widths) < 2 or min(widths) < 1:
        raise InputError(f"sizes must list at least two positive widths; got {sizes!r}")
    acts = {
        "tanh": torch.nn.Tanh,
        "relu": torch.nn.ReLU,
        "gelu": torch.nn.GELU,
        "softplus": torch.nn.Softplus,
    }
    if activation not in acts:
        raise InputError(f"activation must be one of {sorted(acts)}; got {activation!r}")
    dev, dt, _ = C.setup(device, dtype)
    g = C.generator(seed)
    layers: list[Any] = []
    for i, (a, b) in enumerate(itertools.pairwise(widths)):
        lin = torch.nn.Linear(a, b, dtype=dt)
        with torch.no_grad():  # PyTorch's default scale, from our generator
            bound = 1.0 / math.sqrt(a)
            lin.weight.copy_((torch.rand(b, a, generator=g, dtype=dt) * 2 - 1) * bound)
            lin.bias.copy_((torch.rand(b, generator=g, dtype=dt) * 2 - 1) * bound)
        layers.append(lin)
        if i < len(widths) - 2:
            layers.append(acts[activation]())
    return torch.nn.Sequential(*layers).to(dev)


def teacher_mlp(
    sizes: Sequence[int] = (4, 6, 1),
    *,
    seed: int = 0,
    scale: float = 2.5,
    device: str = "cpu",
    dtype: Any = "float64",
) -> Any:
    """A random MLP (:func:`make_mlp`) with every weight matrix multiplied by ``scale``.

    At PyTorch's default scale a tanh network is nearly linear on ``N(0, I)`` inputs, and a nearly
    linear network has nearly flat directions (only the product of its matrices matters): its minima
    have condition numbers of 1e9 and more. ``scale = 2.5`` puts the units in their non-linear range.
    """
    model = make_mlp(sizes, seed=seed, device=device, dtype=dtype)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.Linear):
                m.weight.mul_(scale)
    return model


def make_task(
    kind: str = "regression",
    *,
    sizes: Sequence[int] = (4, 6, 1),
    n: int = 1024,
    noise: float = 0.1,
    scale: float = 2.5,
    seed: int = 0,
) -> tuple[FloatArray, FloatArray]:
    """Data from a planted teacher ``teacher_mlp(sizes, seed=seed, scale=scale)`` on ``x ~ N(0, I)``.

    Regression: ``y = teacher(x) + noise·ξ``. Classification (``sizes[-1]`` classes, at least 2):
    labels drawn from ``softmax(teacher(x))``; the label noise keeps the minimiser finite. NumPy
    float64 (labels as float64 integers). A student of the same shape started at the teacher
    (:func:`shrinkage_experiment`) trains to a strict, well-conditioned minimum near it.
    """
    if kind not in ("regression", "classification"):
        raise InputError(f"kind must be 'regression' or 'classification'; got {kind!r}")
    if kind == "regression" and int(sizes[-1]) != 1:
        raise InputError(f"regression needs one output; sizes = {tuple(sizes)}")
    if kind == "classification" and int(sizes[-1]) < 2:
        raise InputError(f"classification needs at least 2 outputs (classes); sizes = {tuple(sizes)}")
    g = C.generator(seed + 10_007)
    X = torch.randn(n, int(sizes[0]), generator=g, dtype=torch.float64)
    teacher = teacher_mlp(sizes, seed=seed, scale=scale)
    with torch.no_grad():
        f = teacher(X)
    if kind == "regression":
        y = f.squeeze(-1) + noise * torch.randn(n, generator=g, dtype=torch.float64)
    else:
        y = torch.multinomial(torch.softmax(f, dim=1), 1, generator=g).squeeze(-1).to(torch.float64)
    return X.numpy().copy(), y.numpy().copy()


def minimise(
    flat: FlatLoss,
    *,
    alpha: float = 0.0,
    theta0: Any | None = None,
    lbfgs_iter: int = 200,
    newton_iter: int = 60,
) -> tuple[Any, float]:
    """Minimise ``L(θ) + (α/2)‖θ_decayed‖²`` to rounding level: ``torch.optim.LBFGS`` (strong Wolfe)
    to get close, then damped Newton steps with the dense Hessian (Levenberg–Marquardt: the shift
    ``μ·λ_max`` grows ×10 when a step does not decrease the loss and shrinks ×10 when it does).

    Returns ``(θ, ‖gradient‖∞)`` and writes θ into the model.

    Raises:
        ConvergenceError: the gradient did not reach ``10⁴·p·eps·max(1, ‖∇L(0)‖∞)``.
        PreconditionError: the Hessian at the end is not positive definite (a saddle or a flat
            minimum: the quadratic theory needs a strict one).
    """
    a = float(alpha)

    def pen(t: Any) -> Any:
        return flat.penalised(t, a)

    th = (flat.theta() if theta0 is None else theta0.detach().clone()).requires_grad_(True)
    with C.exact_math():
        if lbfgs_iter > 0:
            opt = torch.optim.LBFGS(
                [th],
                lr=1.0,
                max_iter=lbfgs_iter,
                tolerance_grad=1e-12,
                tolerance_change=0.0,
                history_size=30,
                line_search_fn="strong_wolfe",
            )

            def closure() -> Any:
                opt.zero_grad(set_to_none=True)
                val = pen(th)
                val.backward()
                return val

            opt.step(closure)
        th = th.detach()
        scale = max(float(flat.grad(torch.zeros_like(th)).abs().max()), 1.0)
        gtol = 1e4 * flat.dim * C.eps(th.dtype) * scale
        grad_fn = torch.func.grad(pen)
        hess_fn = torch.func.hessian(pen)
        eye = torch.eye(flat.dim, dtype=th.dtype, device=th.device)
        mu, val = 1e-6, float(pen(th))
        g = grad_fn(th)
        for _ in range(newton_iter):
            if float(g.abs().max()) <= gtol:
                break
            Hm = hess_fn(th)
            Hm = (Hm + Hm.T) / 2
            ev = torch.linalg.eigvalsh(Hm)
            gnow = float(g.abs().max())
            for _ in range(30):
                shift = mu * float(ev[-1]) + max(0.0, -1.01 * float(ev[0]))
                cand = th - torch.linalg.solve(Hm + shift * eye, g)
                cval = float(pen(cand))
                # near the minimum the loss changes by less than its rounding: accept a step that
                # lowers the loss, or keeps it within rounding and lowers the gradient
                flat_loss = cval <= val + 64 * C.eps(th.dtype) * abs(val)
                gcand = grad_fn(cand) if cval > val and flat_loss else None
                if cval <= val or (gcand is not None and float(gcand.abs().max()) < gnow):
                    th, val, mu = cand, min(cval, val), max(mu / 10, 1e-16)
                    break
                mu *= 10
            else:
                break
            g = grad_fn(th)
        gmax = float(g.abs().max())
        C.check_finite_tensor(th, "the minimiser")
        if gmax > gtol:
            raise ConvergenceError(
                f"minimise stopped with ‖∇‖∞ = {gmax:.3g} > {gtol:.3g} (α = {a}); the loss may be "
                "too flat here (a near-singular Hessian)"
            )
        Hm = hess_fn(th)
        ev = torch.linalg.eigvalsh((Hm + Hm.T) / 2)
        lo = float(ev[0])
        # λ_min within eigvalsh's rounding of 0 (|λ| ≤ 10·p·eps·‖H‖₂, Higham §7.1) is a flat
        # direction, not a strict minimum, whatever its computed sign
        zero_tol = rounding_zero_tolerance(flat.dim, float(ev.abs().max()), eps=C.eps(th.dtype))
    if not lo > zero_tol:
        raise PreconditionError(
            f"the penalised loss has no strict minimum here: smallest Hessian eigenvalue {lo:.3g} is not "
            f"above the rounding level {zero_tol:.3g} (α = {a}). Zero curvature comes from symmetries "
            "(the softmax shift, rescalings), separable data (no finite minimiser without α) or more "
            "parameters than constraints; theory.empirical.report.weight_decay_report measures which, "
            "and handles such minima"
        )
    flat.load(th)
    return th, gmax


# --------------------------------------------------------------------------------- l2.eigen


@dataclass(frozen=True, slots=True)
class ShrinkageResult:
    """Measured vs predicted weight-decay shrinkage of a trained MLP (the "hessian-shrinkage" figure).

    Shrinkage along a unit eigenvector ``q`` of ``H(w*)`` is ``qᵀθ(α) / qᵀw*``, with ``θ(α)`` the
    trained minimiser of ``L + (α/2)‖θ‖²``; the quadratic theory predicts ``λ/(λ + α)`` (G 7.13).

    Attributes:
        alphas: the weight-decay coefficients α (descending), shape (m,).
        eigenvalues: top-k eigenvalues of H at w* (descending, eigsh), shape (k,).
        measured: measured shrinkage along the top-k eigsh eigenvectors, shape (m, k).
        predicted: ``λ_i/(λ_i + α)``, shape (m, k).
        coordinates: ``q_iᵀw*``, shape (k,) (a ratio is noisy where this is small).
        all_eigenvalues, all_measured, all_predicted, all_coordinates: the same along every
            eigenvector of the dense H (ascending λ; shapes (p,), (m, p), (m, p), (p,)).
        shift_error: ``‖θ(α) − w̃(α)‖ / ‖w* − w̃(α)‖`` per α, with ``w̃ = (H + αI)⁻¹Hw*``
            (:meth:`theory.Quadratic.l2_optimum`): the relative error of the quadratic prediction of
            the move; it falls like O(α) (both agree to first order in α).
        shrinkage_error: ``max_i |measured − predicted|`` over the top-k per α.
        direction_error: ``|q_iᵀ(θ(α) − w̃(α))| / |q_iᵀ(w* − w̃(α))|`` along every eigenvector of the
            dense H (ascending λ), shape (m, p): the relative error of the predicted move along
            ``q_i``, i.e. ``|measured − predicted| / |1 − predicted|`` of the factors. First-order
            agreement makes it O(α) along every direction, like ``shift_error``.
        informative: shape (m, p), True where the prediction along ``q_i`` can be tested at that α:
            ``|q_iᵀw*|`` is at least 100× its noise and the predicted move ``|q_iᵀ(w* − w̃)|`` is at
            least 100× the optimisation error of θ(α) and w* along ``q_i`` (``noise``).
        noise: shape (m, p), the error of the measured move along ``q_i``: the Newton corrections
            ``|q_iᵀ(H + αD)⁻¹∇L_α(θ(α))| + |q_iᵀH⁻¹∇L(w*)|`` (how far θ(α) and w* are from the exact
            minimisers, to first order) plus the eigenvector error ``p·eps·λ_max/gap_i·‖w*‖``
            (Davis–Kahan) times ``α/(λ_i + α)``.
        dense_vs_eigsh: ``max_i |λ_i^dense − λ_i^eigsh| / λ_max`` over the top-k.
        eigsh_residual: ``max_i ‖Hv_i − λ_iv_i‖ / λ_max``.
        eigsh_matvecs: Hessian-vector products eigsh used.
        grad_norm: ``‖∇L(w*)‖∞`` after training.
        n_params, n_samples: model and data size.
        condition_number: ``λ_max/λ_min`` of the dense H.
        attempts: data draws tried (a draw whose loss is too flat at w* to have a strict minimum is
            replaced by the next; deterministic in ``seed``).
        seconds: total wall time.
    """

    alphas: FloatArray
    eigenvalues: FloatArray
    measured: FloatArray
    predicted: FloatArray
    coordinates: FloatArray
    all_eigenvalues: FloatArray
    all_measured: FloatArray
    all_predicted: FloatArray
    all_coordinates: FloatArray
    shift_error: FloatArray
    shrinkage_error: FloatArray
    direction_error: FloatArray
    informative: NDArray[np.bool_]
    noise: FloatArray
    dense_vs_eigsh: float
    eigsh_residual: float
    eigsh_matvecs: int
    grad_norm: float
    n_params: int
    n_samples: int
    condition_number: float
    attempts: int
    seconds: float

    @property
    def shift_order(self) -> float:
        """:func:`order_of_convergence` of ``shift_error`` over the last decade of α (smallest two α)."""
        return order_of_convergence(self.alphas[-2:], self.shift_error[-2:])

    def direction_orders(self) -> tuple[FloatArray, FloatArray]:
        """``(λ_i, order_i)`` for every eigenvector informative at the smallest two α: the
        :func:`order_of_convergence` of ``direction_error`` along ``q_i`` over that decade."""
        keep = self.informative[-2:].all(axis=0) & (self.direction_error[-2:] > 0).all(axis=0)
        orders = np.array(
            [
                order_of_convergence(self.alphas[-2:], self.direction_error[-2:, i])
                for i in np.flatnonzero(keep)
            ]
        )
        return self.all_eigenvalues[keep], orders


def order_of_convergence(alphas: ArrayLike, errors: ArrayLike) -> float:
    """The least-squares slope of ``log error`` against ``log α``: 1 for an O(α) error, ½ for O(√α).

    Raises:
        InputError: fewer than two points, or a non-positive α or error (no logarithm).
    """
    a = np.asarray(alphas, dtype=np.float64).ravel()
    e = np.asarray(errors, dtype=np.float64).ravel()
    if a.size < 2 or a.shape != e.shape or not (np.all(a > 0) and np.all(e > 0)):
        raise InputError(f"the order needs ≥ 2 positive (α, error) pairs; got α = {a}, error = {e}")
    x, z = np.log(a), np.log(e)
    x = x - x.mean()
    return float(x @ (z - z.mean()) / (x @ x))


def shrinkage_experiment(
    *,
    sizes: Sequence[int] = (4, 6, 1),
    n: int = 1024,
    k: int = 5,
    alphas: Sequence[float] | None = None,
    noise: float = 0.1,
    decay_bias: bool = True,
    seed: int = 0,
    device: str = "cpu",
    dtype: Any = "float64",
    max_attempts: int = 4,
) -> ShrinkageResult:
    """Train an MLP to ``w*`` on a planted-teacher regression task (``MSELoss``, full batch), compute
    ``H(w*)`` densely and by eigsh, retrain with weight decay α from ``w*``, and compare with
    ``w̃ = (H + αI)⁻¹Hw*`` (l2.eigen, G 7.13).

    The student has the teacher's shape and starts at the teacher, so ``w*`` is the strict minimum
    near it. Only the decayed parameters enter the shift: with ``decay_bias=False`` the biases are
    not decayed and the prediction is ``w̃ = (H + αD)⁻¹Hw*`` with ``D`` the 0/1 diagonal of decayed
    parameters (then the per-direction factor is ``q_iᵀw̃/q_iᵀw*``, no longer ``λ_i/(λ_i + α)``);
    ``predicted`` always holds the quadratic model's factors. ``alphas`` defaults to
    ``λ_min(H)·{10, 1, 0.1, 0.01, 0.001}``: the shift error falls about tenfold per step once α is
    below ``λ_min``.
    """
    start = time.perf_counter()
    dev, dt, _ = C.setup(device, dtype)
    if not isinstance(k, int) or k < 1:
        raise InputError(f"k must be a positive integer; got {k!r}")
    with C.exact_math(threads=C.threads_for(n * int(max(sizes)) * 4)):
        flat, w_star, gnorm, attempts = _trained_student(
            sizes, n, noise, seed, decay_bias, dev, dt, max_attempts
        )
        return _shrinkage(flat, w_star, gnorm, attempts, k, alphas, seed, n, start)


def _trained_student(
    sizes: Sequence[int],
    n: int,
    noise: float,
    seed: int,
    decay_bias: bool,
    dev: Any,
    dt: Any,
    max_attempts: int,
) -> tuple[FlatLoss, Any, float, int]:
    failure: Exception | None = None
    for attempt in range(max_attempts):
        draw = seed + 7919 * attempt
        X, y = make_task("regression", sizes=sizes, n=n, noise=noise, seed=draw)
        model = teacher_mlp(sizes, seed=draw, device=str(dev), dtype=dt)
        flat = FlatLoss(model, C.tensor(X, dev, dt), C.tensor(y, dev, dt), loss="mse", decay_bias=decay_bias)
        try:
            w_star, gnorm = minimise(flat)
        except (ConvergenceError, PreconditionError) as exc:
            failure = exc
            continue
        lam = np.linalg.eigvalsh(dense_hessian(flat, w_star))
        if lam[0] > 1e-10 * lam[-1]:  # strict and numerically resolvable: κ(H) < 1e10
            return flat, w_star, gnorm, attempt + 1
        failure = PreconditionError(f"H(w*) is nearly singular: λ_min/λ_max = {lam[0] / lam[-1]:.3g}")
    raise ConvergenceError(f"no strict minimum found in {max_attempts} data draws: {failure}")


def _shrinkage(
    flat: FlatLoss,
    w_star: Any,
    gnorm: float,
    attempts: int,
    k: int,
    alphas: Sequence[float] | None,
    seed: int,
    n: int,
    start: float,
) -> ShrinkageResult:
    if k >= flat.dim:
        raise InputError(f"k must be below the number of parameters {flat.dim}; got {k}")
    H = dense_hessian(flat, w_star)
    ws = C.numpy(w_star)
    D = C.numpy(flat.decay_mask)
    quad = Quadratic(H, ws, allow_indefinite=True)
    lam_all, Q_all = quad.eigenvalues, quad.eigenvectors
    lam_max, lam_min = float(lam_all[-1]), float(lam_all[0])
    pairs = top_eigenpairs(flat, k, method="eigsh", theta=w_star, seed=seed)
    dense_vs = float(np.max(np.abs(lam_all[::-1][:k] - pairs.values)) / lam_max)
    raw = lam_min * np.array([10.0, 1.0, 0.1, 0.01, 0.001]) if alphas is None else alphas
    grid = np.asarray(raw, dtype=np.float64)
    if grid.ndim != 1 or grid.size == 0 or not (np.isfinite(grid).all() and (grid > 0).all()):
        raise InputError(f"alphas must be a 1-D sequence of positive numbers; got {alphas!r}")
    grid = np.sort(grid)[::-1]
    coords, coords_all = pairs.vectors.T @ ws, quad.coordinates
    measured, predicted, all_meas, all_pred, shift_err, shrink_err = [], [], [], [], [], []
    dir_err, informative, noise = [], [], []
    all_decayed = bool(np.all(D == 1.0))
    # noise of q_iᵀw*: Davis–Kahan, ‖δq_i‖ ≤ ‖E‖/gap_i with ‖E‖ ≤ p·eps·λ_max (eigh's backward error)
    gaps = np.full(lam_all.shape, np.inf)
    if lam_all.size > 1:
        diffs = np.diff(lam_all)
        gaps[:-1] = diffs
        gaps[1:] = np.minimum(gaps[1:], diffs)
    eps64 = float(np.finfo(np.float64).eps)
    coord_noise = (
        flat.dim * eps64 * abs(lam_max) / np.maximum(gaps, eps64 * abs(lam_max)) * float(np.linalg.norm(ws))
    )
    # optimisation error of w* along q_i, to first order: the Newton step H⁻¹∇L(w*)
    g_star = C.numpy(flat.grad(w_star))
    newton_star = np.abs(Q_all.T @ np.linalg.solve(H, g_star))
    for a in grid:
        theta, _ = minimise(flat, alpha=float(a), theta0=w_star, lbfgs_iter=0)
        th = C.numpy(theta)
        g_alpha = C.numpy(flat.grad(theta)) + a * D * th
        newton_alpha = np.abs(Q_all.T @ np.linalg.solve(H + a * np.diag(D), g_alpha))
        if all_decayed:  # G 7.10/7.13 in the eigenbasis
            w_tilde = quad.l2_optimum(float(a))
            pred = pairs.values / (pairs.values + a)
            pred_all = quad.shrinkage(float(a))
        else:  # only decayed parameters enter the shift: (H + αD)⁻¹Hw*
            w_tilde = np.linalg.solve(H + a * np.diag(D), H @ ws)
            pred = (pairs.vectors.T @ w_tilde) / coords
            pred_all = (Q_all.T @ w_tilde) / coords_all
        meas = (pairs.vectors.T @ th) / coords
        measured.append(meas)
        predicted.append(pred)
        all_meas.append((Q_all.T @ th) / coords_all)
        all_pred.append(pred_all)
        shift_err.append(float(np.linalg.norm(th - w_tilde) / np.linalg.norm(ws - w_tilde)))
        shrink_err.append(float(np.max(np.abs(meas - pred))))
        move = np.abs(Q_all.T @ (ws - w_tilde))
        # |measured − predicted factor| / |1 − predicted factor| = |q_iᵀ(θ − w̃)| / |q_iᵀ(w* − w̃)|
        kept = np.abs(1.0 - pred_all)
        dir_err.append(np.abs(all_meas[-1] - pred_all) / np.maximum(kept, np.finfo(np.float64).tiny))
        nz = newton_alpha + newton_star + coord_noise * np.abs(1.0 - pred_all)
        noise.append(nz)
        informative.append((np.abs(coords_all) >= 100 * coord_noise) & (move >= 100 * nz))
    flat.load(w_star)
    return ShrinkageResult(
        alphas=grid,
        eigenvalues=pairs.values,
        measured=np.array(measured),
        predicted=np.array(predicted),
        coordinates=coords,
        all_eigenvalues=lam_all.copy(),
        all_measured=np.array(all_meas),
        all_predicted=np.array(all_pred),
        all_coordinates=coords_all.copy(),
        shift_error=np.array(shift_err),
        shrinkage_error=np.array(shrink_err),
        direction_error=np.array(dir_err),
        informative=np.array(informative),
        noise=np.array(noise),
        dense_vs_eigsh=dense_vs,
        eigsh_residual=float(pairs.residuals.max() / lam_max),
        eigsh_matvecs=pairs.matvecs,
        grad_norm=gnorm,
        n_params=flat.dim,
        n_samples=n,
        condition_number=lam_max / lam_min,
        attempts=attempts,
        seconds=time.perf_counter() - start,
    )
