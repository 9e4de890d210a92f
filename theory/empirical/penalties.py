"""What a user's regulariser is: :func:`identify_penalty` probes a penalty function of a model.

Users copy regularisers from tutorials (the third source text's ``Regularization`` module adds
``weight_decay · Σ torch.norm(W, p)``; see ``docs/claims.md``). ``identify_penalty(fn, model)`` calls
``fn(model)`` at scaled and perturbed parameters, reads its gradient, and says what the penalty is:
its homogeneity degree, which parameters it touches, per-entry or per-tensor structure, and its
canonical equivalent, (λ/2)‖w‖² or μ‖w‖₁, or that it is not weight decay at all.

Importing this module needs no torch; :func:`identify_penalty` imports it when called.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from theory.errors import InputError, PreconditionError, TheoryError
from theory.numerics import residual_tolerance

__all__ = ["ParamPenalty", "PenaltyKind", "PenaltyReport", "identify_penalty"]

PenaltyKind = Literal["l2", "l1", "elastic_net", "group_norm", "other"]

#: the per-entry models fitted to each tensor's gradient, simplest first (ties go to the first)
_MODELS: tuple[PenaltyKind, ...] = ("l2", "l1", "group_norm", "elastic_net")
#: per tensor, per model: (coefficients, relative residual)
_Fits = dict[int, dict[PenaltyKind, tuple[tuple[float, ...], float]]]
#: the factors c of the degree test P(cθ) − P(0) = c^d (P(θ) − P(0))
_SCALES = (0.5, 2.0)
#: roundings allowed per entry before the penalty's sum (pow, abs, mul, sqrt, scale, casts): the K of
#: the forward-error bound γ_{N+K} in the docstring of identify_penalty
_ROUNDINGS = 16
#: the largest tolerance at which the kinds are told apart: at the probe points, a gradient of one
#: kind fitted by another leaves a relative residual of order 0.1 or more (L1 against L2: ≈ 0.6; a
#: per-tensor norm against L2, with norms spanning a factor ≥ 2 over the points: ≈ 0.15 or more)
_RESOLUTION = 0.01
_ARTICLE = {"l2": "an L2", "l1": "an L1", "elastic_net": "an elastic-net", "group_norm": "a group-norm"}


@dataclass(frozen=True, slots=True)
class ParamPenalty:
    """What the penalty does to one parameter tensor W (its gradient g at the random probe points).

    Attributes:
        name, shape: the parameter's name in ``model.named_parameters()`` and its shape.
        kind: the simplest model the gradient fits: ``"l2"`` (g = λW), ``"l1"`` (g = μ·sign W),
            ``"group_norm"`` (g = c·W/‖W‖), ``"elastic_net"`` (g = μ·sign W + λW); ``"other"`` when none
            fits, or when W changes the penalty's value but its gradient is zero (``zero_gradient``).
        l2, l1: the fitted λ and μ of kinds ``"l2"``, ``"l1"``, ``"elastic_net"`` (else None).
        group: the fitted c of kind ``"group_norm"`` (else None).
        residual: ‖g − fit‖/‖g‖ of that fit over the probe points (of the best fit for ``"other"``).
        zero_gradient: the gradient is zero at every probe point although W changes the value.
        closest: for kind ``"other"`` with a gradient, the model whose fit left ``residual`` (else None).
        smooth: for ``zero_gradient``, whether a small relative change (1 + δ)W moves the value (a value
            computed outside autograd) rather than leaving it (a piecewise-constant penalty).
    """

    name: str
    shape: tuple[int, ...]
    kind: PenaltyKind
    l2: float | None
    l1: float | None
    group: float | None
    residual: float
    zero_gradient: bool = False
    closest: PenaltyKind | None = None
    smooth: bool = False


@dataclass(frozen=True, slots=True)
class PenaltyReport:
    """What :func:`identify_penalty` found. ``str(report)`` is the one-line explanation.

    Attributes:
        kind: ``"l2"`` ((λ/2)‖w‖² on the touched parameters), ``"l1"`` (μ‖w‖₁), ``"elastic_net"``
            (μ‖w‖₁ + (λ/2)‖w‖²), ``"group_norm"`` (Σ c‖W‖ over tensors, unsquared), or ``"other"``.
        degree: the homogeneity degree d of P(cθ) = c^d P(θ) (2.0 for a squared norm, 1.0 for a norm),
            or NaN when the penalty is not homogeneous.
        l2: the λ for which the penalty equals (λ/2)‖w‖² on the parameters it touches (kinds "l2" and
            "elastic_net"), else None.
        l1: the μ for which it equals μ‖w‖₁ (kinds "l1" and "elastic_net"), else None.
        params: the names (``model.named_parameters()``) of the parameters it touches.
        explanation: one line a user can read.
        per_param: one :class:`ParamPenalty` per touched parameter, in ``params`` order.
        constant: P(0), the penalty with every trainable parameter set to 0 (frozen ones, with
            ``requires_grad=False``, keep their values); the canonical forms describe P(θ) − P(0).
            NaN when P(0) is not finite (θ = 0 outside fn's domain, as for a weight-norm
            parametrisation): then the canonical forms describe P(θ) itself.
        dtype: the precision the probes ran in (``"float64"`` unless ``fn`` fails in it).
        tolerance: the relative tolerance of the fits and value checks (see :func:`identify_penalty`).
    """

    kind: PenaltyKind
    degree: float
    l2: float | None
    l1: float | None
    params: tuple[str, ...]
    explanation: str
    per_param: tuple[ParamPenalty, ...] = field(default=())
    constant: float = 0.0
    dtype: str = "float64"
    tolerance: float = 0.0

    def __str__(self) -> str:
        return self.explanation


Penalty = Callable[[Any], Any]


def identify_penalty(fn: Penalty, model: Any, *, points: int = 3, seed: int = 0) -> PenaltyReport:
    """Probe the penalty ``fn(model)`` (a scalar torch tensor) and say what it is.

    The canonical convention (``docs/reference.md``, "Library conventions") is
    ``loss + (λ/2)‖w‖² + μ‖w‖₁``: λ is what ``torch.optim``'s ``weight_decay`` adds to the gradient
    (λw), μ the size of the L1 subgradient (μ·sign w). Examples, each on the parameters it sums over:

    ====================================================  =============  ====================
    ``fn(m)``                                             kind           coefficients
    ====================================================  =============  ====================
    ``λ/2 · Σ (W**2).sum()``  (d2l's ``l2_penalty``·λ)    ``"l2"``       ``l2 = λ``
    ``Σ torch.norm(W)**2``                                ``"l2"``       ``l2 = 2``
    ``λ · Σ (W**2).sum()``    (Keras ``L2(λ)``)           ``"l2"``       ``l2 = 2λ``
    ``μ · Σ W.abs().sum()``, ``μ · Σ torch.norm(W, 1)``   ``"l1"``       ``l1 = μ``
    ``μ · Σ |W| + λ/2 · Σ W²``                            elastic net    ``l1 = μ, l2 = λ``
    ``c · Σ torch.norm(W)``   (unsquared, per tensor)     group norm     ``per_param[i].group``
    ``Σ torch.norm(W, p=0)``  (counts nonzero entries)    ``"other"``    degree 0, no gradient
    ``c · torch.cat([W.view(-1), ...]).norm()``           ``"other"``    a global group norm c‖θ‖
    ``torch.tensor(Σ(W**2).sum().item(), ...)``           ``"other"``    outside autograd
    ====================================================  =============  ====================

    For example, with ``model = torch.nn.Linear(3, 2)``::

        identify_penalty(lambda m: 0.01 * m.weight.pow(2).sum(), model)   # Keras-style λΣW²
        # kind "l2", l2 = 0.02, degree 2.0, params ("weight",)
        identify_penalty(lambda m: 0.01 * torch.norm(m.weight), model)    # unsquared norm
        # kind "group_norm", l2 = l1 = None, degree 1.0: "not weight decay: Σ c‖W‖ ..."

    Which parameters: the trainable ones (floating point, ``requires_grad=True``; frozen ones keep
    their values and are not probed, since ``fn`` may select by ``requires_grad``). A parameter is
    *touched* when the penalty's gradient with respect to it is nonzero at some probe point, or when
    setting it to 0 changes the penalty's value (a penalty with zero gradient, such as
    ``torch.norm(W, p=0)``, is still reported, as one gradient descent never feels). Such a tensor is
    also set to 0 and scaled by 1024 (lifting a one-entry tensor's share above the rounding), and scaled
    by (1 + δ), δ ≈ √tol: a value that moves then is smooth in W, computed outside autograd (``.item()``,
    NumPy, ``torch.tensor(x.item(), requires_grad=True)``); one that does not is piecewise constant.
    Frozen parameters are set to 0 and doubled (all together, then one by one): those that change the
    value are named in the explanation or in the error.

    Probes. The penalty is evaluated at θ = 0 (giving ``constant`` = P(0)), at the current parameters,
    and at ``points`` random points (seeded by ``seed``) where each trainable tensor W is drawn as
    σ_W·s·z: z standard normal, σ_W the RMS of W's current value (1 if it is zero), and
    s = 2^(a_k + b) with a_k running from −1 to 1 over the points and b uniform in [−½, ½] per tensor
    and point: each tensor's norm spans at least a factor 2 over the points (so a per-tensor norm,
    whose gradient does not grow with W, is not mistaken for a per-entry L2), and the tensors' norms
    vary independently of each other (so one norm of all parameters together is not mistaken for a
    norm per tensor). At each random point θ_k it reads the gradient and the
    values at c·θ_k for c in (1/2, 2) (powers of 2: scaling is exact in floating point).
    The answer describes the penalty where it was probed, at the scale of the current parameters: a
    penalty that changes form elsewhere (a Huber penalty beyond its threshold) is described there. When
    value and gradient agree with a canonical form at the current and random points but not at ½× or
    2× them (smooth_l1 with |w| < β there, |w| > β at 2×), the kind is that form "near the current
    parameters", the degree NaN, and the explanation says at which scale the form changes.

    Structure, per touched tensor W from its gradients g at the random points (least squares over the
    points, checked by the relative residual ‖g − fit‖/‖g‖ ≤ tol):

    - L2 ⇔ g = λW;  L1 ⇔ g = μ·sign(W);  elastic net ⇔ g = μ·sign(W) + λW;
    - group norm ⇔ g = c·W/‖W‖: the gradient has the constant size c whatever ‖W‖ (degree 1). This
      is the third source text's ``torch.norm(W, p=2)``: not weight decay, whose gradient λW shrinks
      with W, but a group-lasso penalty (Yuan and Lin, "Model selection and estimation in regression
      with grouped variables", 2006) that pulls each tensor towards 0 with the same force however
      small it is.

    The kind is the first of l2, l1, group norm, elastic net that fits every touched tensor with one
    coefficient (λ, μ or both) shared by all tensors (the group norm's c may differ per tensor:
    group lasso often weighs tensors by their size). Coefficients that differ across tensors (an L2
    with one λ per tensor), tensors of different kinds, or a tensor that changes the value but has zero
    gradient give ``"other"``, with ``per_param`` and the explanation saying what each tensor gets.
    Otherwise, one unsquared norm of all touched tensors together, c‖θ‖ (gradient c·θ/‖θ‖), is
    reported as a global group norm (kind ``"other"``); else the explanation gives each tensor's own
    result (its kind and coefficient, or no fit and the closest model with its residual).
    Then the value is checked: P(θ) − P(0) must equal the canonical penalty with the fitted
    coefficients at the current point, the random points and the scaled points, else the kind is
    ``"other"`` (a gradient that does not belong to the value: part of the penalty is detached).

    Degree: P is homogeneous of degree d when P(cθ) − P(0) = c^d (P(θ) − P(0)) for all c > 0, so each
    random point and c gives an estimate d = ln(D(cθ)/D(θ))/ln c, D = P − P(0); the estimates must
    agree within their rounding errors (an integer within them is reported exactly), else the degree
    is NaN (elastic net, Σ log(1 + W²)). For a homogeneous P, Euler's identity ⟨∇P(θ), θ⟩ = d·D(θ)
    must hold at every random point; when it does not, the explanation says that the gradient does not
    match the value.

    Tolerance. The probes run in float64 (the model's parameters and floating buffers are replaced by
    float64 copies for the duration, so a float32 model is probed as precisely as a float64 one);
    if ``fn`` fails in float64 they run in the model's own dtype. eps is that dtype's, or the returned
    tensor's when coarser. A sum of N terms each computed with at most K roundings has relative error
    at most γ_{N+K} ≈ (N + K)·eps (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed.,
    §3.1, §4.2), for the value and for each gradient entry (whose common factors, such as 1/‖W‖,
    come from such sums); with N the number of trainable entries, K = 16 and a factor 10,
    ``tol = 10·(N + 16)·eps`` (:func:`theory.numerics.residual_tolerance`) bounds the relative
    residual of a correct fit and the relative value mismatch |D − canonical| / (|P| + |P(0)| +
    canonical). A term smaller than tol relative to the rest (an L1 part of 1e-14 next to an L2 part)
    is not seen. When tol exceeds 0.01 (a float32 result of a model with more than about 10⁴ entries)
    the kinds cannot be told apart reliably and a PreconditionError says so.

    The model is left exactly as it was: the original parameter and buffer tensors are put back
    (never written to: every probe point is a fresh tensor installed with ``param.data = probe``, so a
    penalty written as a closure over the model or over a list of its parameters, ignoring its
    argument, is probed correctly; ``torch.func.functional_call`` would miss such closures), and so are
    ``requires_grad``, ``.grad``, each module's training mode and torch's RNG state (CPU and the
    model's CUDA devices; every call of ``fn`` runs under one fixed seed, so a penalty that draws
    random numbers is probed as one deterministic function). Swapping ``.data`` does not raise a
    parameter's version counter (an in-place ``copy_`` would), so an autograd graph built before the
    call still backpropagates after it. Tensor hooks registered on the parameters (``W.register_hook``)
    are held back during the probes and put back after; module forward hooks do fire when ``fn``
    runs the model (they belong to the forward pass ``fn`` asks for).

    Scales. Norms and residuals are computed after dividing by the largest entry (a power of 2), so
    gradients of 1e-300 do not underflow; a penalty whose changes over the probe points lie below
    (N + 16)·tiny (subnormal, where rounding is absolute) is refused, and so is one whose changes are
    within 1/0.01 of the rounding of a large constant (1e12 + Σw²: subtract the constant). When P(0) is
    not finite (θ = 0 is outside fn's domain, as for ``parametrizations.weight_norm``'s g·v/‖v‖), the
    θ = 0 probe is skipped, the explanation says so, ``constant`` is NaN, and the canonical forms are
    compared with P(θ) itself.

    Args:
        fn: ``fn(model)`` returns the penalty as a torch tensor with one element, differentiable in
            the parameters (a function or an ``nn.Module`` such as the third text's).
        model: a ``torch.nn.Module`` (CPU or CUDA, float32 or float64).
        points: how many random points (≥ 2).
        seed: seeds the random points.

    Raises:
        InputError: ``model`` is not an ``nn.Module`` or has no trainable floating-point parameter,
            ``fn`` is not callable, ``points`` < 2, or ``fn`` returns something other than a tensor
            with one floating-point element.
        InputError: also when the model's parameters are on the ``meta`` device (no values).
        PreconditionError: ``fn`` or its backward pass raises, returns a non-finite value (at the
            current point or a probe point) or a non-finite gradient, returns a tensor without a
            gradient path (``.item()``, ``.detach()``, NumPy or ``torch.no_grad()`` inside), is
            constant (no parameter changes it: a zero penalty, a constant, a closure over another
            model), changes by less than (N + 16)·tiny or within the rounding of a large constant,
            or is too imprecise for the model's size (tol > 0.01). Sparse gradients
            (``nn.Embedding(sparse=True)``) are densified, not refused.
        MissingDependencyError: torch is not installed.
    """
    from theory.empirical import require_torch

    torch = require_torch()
    if not isinstance(model, torch.nn.Module):
        raise InputError(f"model must be a torch.nn.Module; got {type(model).__name__} {model!r:.80}")
    if not callable(fn):
        raise InputError(f"fn must be callable as fn(model) -> tensor; got {type(fn).__name__} {fn!r:.80}")
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise InputError(f"points must be an integer ≥ 2 (random probe points); got {points!r}")
    trainable = [
        (n, p) for n, p in model.named_parameters() if p.is_floating_point() and p.requires_grad and p.numel()
    ]
    if not trainable:
        names = [n for n, _ in model.named_parameters()]
        raise InputError(
            f"model {type(model).__name__} has no trainable floating-point parameter to probe "
            f"(parameters: {names or 'none'}; frozen ones, requires_grad=False, are not probed)"
        )
    meta = [n for n, p in trainable if p.device.type == "meta"]
    if meta:
        raise InputError(
            f"model {type(model).__name__} has parameters on the meta device ({_names(meta)}), which hold "
            "no values to probe: materialise it first (model.to_empty(device=...) and initialise it)"
        )
    from theory.empirical import _common

    size = sum(int(p.numel()) for _, p in trainable)
    # no TF32 (a float32 fallback on a GPU keeps eps₃₂); one CPU thread for small models (see exact_math)
    with _common.exact_math(threads=_common.threads_for(size)):
        with _Probe(torch, fn, model, trainable, seed) as probe:
            data = probe.collect(points)
        return _analyse(data, trainable, _normalisation_scales(torch, model))


def _normalisation_scales(torch: Any, model: Any) -> set[str]:
    """Names of the normalisation layers' scale and shift parameters (γ is named ``weight``)."""
    nn = torch.nn
    kinds: Any = tuple(
        k
        for k in (
            getattr(nn.modules.batchnorm, "_NormBase", None),  # BatchNorm*, InstanceNorm*, SyncBatchNorm
            nn.LayerNorm,
            nn.GroupNorm,
            getattr(nn, "RMSNorm", None),
        )
        if isinstance(k, type)
    )
    names: set[str] = set()
    for prefix, mod in model.named_modules():
        if isinstance(mod, kinds):
            names.update(f"{prefix}.{n}" if prefix else n for n, _ in mod.named_parameters(recurse=False))
    return names


# ------------------------------------------------------------------------------------- probing


@dataclass
class _Data:
    """The probes' results, in float64 (tensors on the model's device)."""

    dtype: str
    eps: float
    note: str
    p0: float  # P(0)
    p_now: float  # P(current point)
    now: list[Any]  # current values, per trainable tensor (flattened)
    values: list[float]  # P(θ_k)
    thetas: list[list[Any]]  # θ_k per tensor (flattened)
    grads: list[list[Any]]  # ∇P(θ_k) per tensor (flattened)
    scaled: list[list[float]]  # P(c θ_k) for c in _SCALES
    #: per zero-gradient tensor i: (|P(θ_1 with W_i changed) − P(θ_1)|, |P(changed)| + |P(θ_1)|) for
    #: W_i set to 0 and W_i scaled by 2^10 (which lifts a small tensor's share above the rounding)
    zero_change: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    smooth: set[int] = field(default_factory=set)  # zero-gradient tensors that (1 + δ)W_i moves
    fallback: str = ""  # why fn failed in float64 (the probes then ran in the model's dtype)
    frozen: tuple[str, ...] = ()  # frozen parameters (requires_grad=False) that change the value
    largest: float = 0.0  # the largest |entry| of any probe point (scaled ones included)
    tiny: float = float(np.finfo(np.float64).tiny)  # the smallest normal number of the probes' dtype
    p0_finite: bool = True  # False: P(0) was not finite, p0 is taken as 0

    def floor(self) -> float:
        """(N + K)·tiny: below it a result is subnormal (or a sum of subnormal terms), where rounding
        is absolute (tiny·eps per operation) rather than relative, so no tolerance of the form tol·|x|
        bounds it; every relative bound here gets it added, and a penalty whose changes lie below it
        is refused."""
        return self.tiny * (sum(int(t.numel()) for t in self.now) + _ROUNDINGS)


class _Probe:
    """Installs working copies of the model's tensors, calls ``fn``, and restores everything on exit."""

    def __init__(self, torch: Any, fn: Penalty, model: Any, trainable: list[tuple[str, Any]], seed: int):
        self.torch, self.fn, self.model, self.seed = torch, fn, model, int(seed)
        self.params = [p for _, p in trainable]
        self.names = [n for n, _ in trainable]
        self.out_eps = self.out_tiny = 0.0
        self.p0_finite = True
        self.fallback = ""
        self.frozen: tuple[str, ...] = ()
        #: frozen floating parameters: not probed, but fn may read them (then it is said)
        self.frozen_params = [
            (n, p)
            for n, p in model.named_parameters()
            if p.is_floating_point() and not p.requires_grad and p.numel()
        ]

    def __enter__(self) -> _Probe:
        torch, model = self.torch, self.model
        self._param_state = [(p, p.data, p.grad, p.requires_grad) for p in model.parameters()]
        self._buffers = [(m, dict(m._buffers)) for m in model.modules()]
        self._training = [(m, m.training) for m in model.modules()]
        tensors = [t for t in model.parameters()] + [b for _, b in model.named_buffers()]
        cuda = sorted({t.device.index or 0 for t in tensors if t.device.type == "cuda"})
        self._cuda = cuda
        self._rng = contextlib.ExitStack()
        self._rng.enter_context(torch.random.fork_rng(devices=cuda))
        # tensor hooks (``W.register_hook``) would see the probes' gradients: their dicts are emptied
        # for the duration (the autograd engine holds the same dict object) and refilled on exit
        self._hooks = [(h, dict(h)) for p, _, _, _ in self._param_state if (h := p._backward_hooks)]
        for h, _ in self._hooks:
            h.clear()
        for p, _, _, _ in self._param_state:
            p.grad = None
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            for p, data, grad, requires_grad in self._param_state:
                p.data = data
                p.grad = grad
                p.requires_grad_(requires_grad)
            for m, buffers in self._buffers:
                m._buffers.clear()
                m._buffers.update(buffers)
            for m, mode in self._training:
                m.training = mode
            for h, saved in self._hooks:
                h.update(saved)
        finally:
            self._rng.close()

    def install(self, dtype: Any) -> None:
        """Replace every parameter's and buffer's data by a copy (floating ones in ``dtype``, or in
        their own dtype when ``dtype`` is None); the originals are kept untouched for __exit__."""
        torch = self.torch

        def copy(t: Any) -> Any:
            to = dtype if dtype is not None and t.is_floating_point() else t.dtype
            return t.detach().to(dtype=to, copy=True)

        for p, data, _, _ in self._param_state:
            p.data = copy(data)
        for m, buffers in self._buffers:
            for k, b in buffers.items():
                if isinstance(b, torch.Tensor):
                    m._buffers[k] = copy(b)
        for m, mode in self._training:
            m.training = mode

    def call(self, *, grad: bool, where: str, finite: bool = True) -> tuple[float, list[Any] | None]:
        """P at the installed values (and its gradient per trainable tensor, zeros where unused); a
        non-finite value raises PreconditionError unless ``finite`` is False (then it is returned)."""
        torch = self.torch
        torch.default_generator.manual_seed(self.seed)
        for i in self._cuda:
            torch.cuda.default_generators[i].manual_seed(self.seed)
        with torch.enable_grad():
            try:
                out = self.fn(self.model)
            except TheoryError:
                raise
            except Exception as err:  # the user's function failing is reported as one error
                raise PreconditionError(f"fn(model) raised {type(err).__name__} at {where}: {err}") from err
        if not isinstance(out, torch.Tensor):
            raise InputError(f"fn(model) must return a torch tensor; got {type(out).__name__} {out!r:.80}")
        if out.numel() != 1 or not out.is_floating_point():
            raise InputError(
                "fn(model) must return one floating-point number (a scalar tensor); got a "
                f"{out.dtype} tensor of shape {tuple(out.shape)}"
            )
        self.out_eps = max(self.out_eps, float(torch.finfo(out.dtype).eps))
        self.out_tiny = max(self.out_tiny, float(torch.finfo(out.dtype).tiny))
        value = float(out.detach().reshape(()))
        if not math.isfinite(value) and (finite or grad):
            raise PreconditionError(f"fn(model) is not finite at {where}: {value}")
        if not grad:
            return value, None
        if not out.requires_grad:
            if self.frozen:
                raise PreconditionError(
                    f"fn(model) = {value:.6g} has no gradient path to any trainable parameter; what "
                    f"changes its value is frozen: {_names(list(self.frozen))} (requires_grad=False, so "
                    "not trained and not probed). An optimiser would not see it; unfreeze them "
                    "(requires_grad_(True)) to have it identified"
                )
            raise PreconditionError(
                f"fn(model) = {value:.6g} has no gradient path to any parameter (requires_grad=False): "
                "was it computed with .item(), .detach(), NumPy or under torch.no_grad()? An optimiser "
                "would not see it"
            )
        try:
            gs = torch.autograd.grad(out.reshape(()), self.params, allow_unused=True)
        except Exception as err:  # e.g. a custom autograd.Function whose backward raises
            raise PreconditionError(
                f"the gradient of fn(model) = {value:.6g} failed at {where}: {type(err).__name__}: {err}"
            ) from err
        flat = []
        for name, p, g in zip(self.names, self.params, gs, strict=True):
            g = torch.zeros_like(p) if g is None else g
            if g.layout != torch.strided:  # nn.Embedding(sparse=True) and friends: a sparse gradient
                g = g.to_dense()
            g = g.detach().reshape(-1).to(torch.float64)
            if not bool(torch.isfinite(g).all()):
                raise PreconditionError(f"the gradient of fn(model) for {name} is not finite at {where}")
            flat.append(g)
        return value, flat

    def set(self, values: Sequence[Any]) -> None:
        """Install ``values`` as the trainable parameters' data: fresh tensors swapped in with
        ``p.data = ...``, which keeps each parameter object (so closures over it see the probe) and
        does not raise its version counter, as an in-place ``p.copy_(...)`` would (a graph built
        before the call, which saved the parameter, then still backpropagates after it)."""
        for p, v in zip(self.params, values, strict=True):
            p.data = v.detach().to(device=p.device, dtype=p.dtype).reshape(p.shape).clone()

    def _frozen_probe(self, base: float) -> tuple[str, ...]:
        """The frozen parameters whose change (set to 0, or doubled) moves fn's value ``base``: all of
        them together first (one or two calls when none does), then one by one (at most 64)."""
        torch = self.torch
        if not self.frozen_params:
            return ()
        n = sum(int(p.numel()) for p in self.params) + sum(int(p.numel()) for _, p in self.frozen_params)
        coarsest = max(
            float(torch.finfo(p.dtype).eps) for p in [p for _, p in self.frozen_params] + self.params
        )
        eps = max(coarsest, self.out_eps)
        tol = residual_tolerance(n + _ROUNDINGS, 1.0, np.float64) * (eps / float(np.finfo(np.float64).eps))
        floor = max(self.out_tiny, float(np.finfo(np.float64).tiny)) * (n + _ROUNDINGS)

        def moves(group: list[tuple[str, Any]]) -> bool:
            saved = [p.data for _, p in group]
            try:
                for factor in (0.0, 2.0):
                    for (_, p), d in zip(group, saved, strict=True):
                        p.data = d * factor
                    try:
                        v, _ = self.call(grad=False, where="a frozen parameter changed", finite=False)
                    except TheoryError:
                        return True  # fn fails when a frozen parameter changes: it reads it
                    if not math.isfinite(v) or abs(v - base) > tol * (abs(v) + abs(base)) + floor:
                        return True
                return False
            finally:
                for (_, p), d in zip(group, saved, strict=True):
                    p.data = d

        if not moves(self.frozen_params):
            return ()
        return tuple(n for n, p in self.frozen_params[:64] if moves([(n, p)])) or ("several together",)

    def collect(self, points: int) -> _Data:
        torch = self.torch
        self.install(None)
        base, _ = self.call(grad=False, where="the current parameters")
        self.frozen = self._frozen_probe(base)
        self.call(grad=True, where="the current parameters")  # validates fn in the model's own dtype
        dtype, note = torch.float64, ""
        if any(p.dtype != torch.float64 for p in self.params):
            try:
                self.install(torch.float64)
                self.call(grad=True, where="the current parameters (in float64)")
            except TheoryError as err:
                self.install(None)
                dtype, note = None, f"probed in the model's dtype (fn fails in float64: {err})"
                self.fallback = str(err)
        coarsest = max(self.params, key=lambda p: float(torch.finfo(p.dtype).eps)).dtype
        p_dtype = coarsest if dtype is None else dtype
        self.out_eps = self.out_tiny = 0.0
        now = [p.detach().reshape(-1).clone() for p in self.params]
        p_now, _ = self.call(grad=False, where="the current parameters")
        self.set([torch.zeros_like(v) for v in now])
        p0, _ = self.call(grad=False, where="θ = 0 (every trainable parameter set to 0)", finite=False)
        if not math.isfinite(p0):  # a weight-norm parametrisation divides by ‖v‖ = 0 there
            note = (note + "; " if note else "") + (
                f"P(0) = {p0} is not finite (θ = 0 is outside its domain, as for a weight-norm "
                "parametrisation): the canonical forms are compared with P(θ) itself, constant taken as 0"
            )
            p0 = 0.0
            self.p0_finite = False
        gen = torch.Generator().manual_seed(self.seed)
        sigma = [_rms(v) for v in now]
        values, thetas, grads, scaled = [], [], [], []
        for k in range(points):
            # s = 2^(a_k + b), a_k from −1 to 1 over the points, b ~ U(−½, ½) per tensor: each tensor's
            # norm spans at least a factor 2 over the points, and the tensors' norms vary independently
            b = torch.rand(len(now), generator=gen, dtype=torch.float64) - 0.5
            s = torch.exp2(-1.0 + 2.0 * k / (points - 1) + b)
            theta = [
                (sigma[i] * float(s[i]) * torch.randn(v.shape, generator=gen, dtype=torch.float64)).to(
                    device=v.device, dtype=v.dtype
                )
                for i, v in enumerate(now)
            ]
            self.set(theta)
            value, g = self.call(grad=True, where=f"random point {k + 1}")
            assert g is not None
            row = []
            for c in _SCALES:
                self.set([c * t for t in theta])
                row.append(self.call(grad=False, where=f"random point {k + 1} scaled by {c}")[0])
            values.append(value)
            thetas.append([t.to(torch.float64) for t in theta])
            grads.append(g)
            scaled.append(row)
        eps = max(float(torch.finfo(p_dtype).eps), self.out_eps)
        tiny = max(float(torch.finfo(p_dtype).tiny), self.out_tiny)
        name = str(p_dtype).removeprefix("torch.")
        data = _Data(
            name, eps, note, p0, p_now, [v.to(torch.float64) for v in now], values, thetas, grads, scaled
        )
        data.tiny, data.p0_finite = tiny, self.p0_finite
        data.fallback, data.frozen = self.fallback, self.frozen
        data.largest = 2.0 * max(
            (float(t.abs().max()) for th in thetas for t in th if t.numel()), default=0.0
        )
        # a tensor whose gradient is zero at every point may still change the value: ‖W‖₀ (piecewise
        # constant), or a value computed outside autograd (.item(), NumPy, torch.tensor(x.item()))
        gnorm = [max(_norm(g[i]) for g in grads) for i in range(len(now))]
        tol = _tolerance(data, now)
        floor = tol * max(gnorm)
        # δ = √tol (a power of 2): a smooth value moves by ≈ δ·|d|·|D|, ≫ its rounding tol·|P|; a
        # piecewise-constant one stays unless an entry lies within a relative δ of a jump
        delta = 2.0 ** math.floor(math.log2(math.sqrt(tol)))
        for i in range(len(now)):
            if gnorm[i] > floor:
                continue
            name, changes = self.names[i], []
            # NaN when W = 0 is outside fn's domain (weight norm's v): no information, left out
            at: dict[float, float] = {1.0: values[0]}
            for factor, what in ((0.0, "= 0"), (1024.0, "× 1024")):
                self.set([t * factor if j == i else t for j, t in enumerate(thetas[0])])
                moved, _ = self.call(grad=False, where=f"random point 1 with {name} {what}", finite=False)
                if math.isfinite(moved):
                    at[factor] = moved
                    changes.append((abs(moved - values[0]), abs(moved) + abs(values[0])))
            # smooth: (1 + δ)W_i moves the value, at W_i or at 1024·W_i (where a small tensor's share
            # of the value stands out of the rounding of the rest); there δ/1024 (so that entries move
            # by as little as at W_i, and a jump is as unlikely), but at least 64·tol
            for base in (1.0, 1024.0):
                if base not in at:
                    continue
                step = 2.0 ** math.floor(math.log2(max(delta / base, 64 * tol)))
                self.set([t * (base * (1.0 + step)) if j == i else t for j, t in enumerate(thetas[0])])
                moved, _ = self.call(
                    grad=False, where=f"random point 1 with {name} × {base:g}(1 + {step:.3g})", finite=False
                )
                if (
                    math.isfinite(moved)
                    and abs(moved - at[base]) > tol * (abs(moved) + abs(at[base]) + abs(p0)) + data.floor()
                ):
                    data.smooth.add(i)
                    break
            data.zero_change[i] = changes
        return data


def _norm(t: Any) -> float:
    """‖t‖₂, scaled by max|t| first so that squares of tiny (1e-300) or huge entries neither underflow
    to 0 nor overflow."""
    top = float(t.detach().abs().max()) if t.numel() else 0.0
    if not top > 0 or not math.isfinite(top):
        return top
    return top * float((t.detach() / top).norm())


def _rms(v: Any) -> float:
    """σ_W: the RMS of W, or 1 when W is zero."""
    r = _norm(v.detach().double()) / math.sqrt(max(int(v.numel()), 1))  # no underflow of squares
    return r if r > 0 and math.isfinite(r) else 1.0


def _tolerance(data: _Data, tensors: Sequence[Any]) -> float:
    """``10·(N + K)·eps``: γ_{N+K}, the relative error bound of a sum of N terms each computed with K
    roundings, with a factor 10 (:func:`theory.numerics.residual_tolerance` at κ = 1, with the eps of
    the probe's dtype or of the returned tensor, whichever is coarser)."""
    n = sum(int(t.numel()) for t in tensors)
    return residual_tolerance(n + _ROUNDINGS, 1.0, np.float64) * (data.eps / float(np.finfo(np.float64).eps))


# ------------------------------------------------------------------------------------ analysis


def _columns(kind: PenaltyKind, w: Any) -> list[Any]:
    """The design columns of a per-entry model at one point: g ≈ Σ coef_j · column_j."""
    if kind == "l2":
        return [w]
    if kind == "l1":
        return [w.sign()]
    if kind == "group_norm":
        n = _norm(w)
        return [w / n if n > 0 else w]
    return [w.sign(), w]  # elastic net: (μ, λ)


def _fit(kind: PenaltyKind, ws: Sequence[Any], gs: Sequence[Any]) -> tuple[tuple[float, ...], float]:
    """Least-squares coefficients of ``kind`` over the points, and the relative residual."""
    cols = [_columns(kind, w) for w in ws]
    m = len(cols[0])
    gram = np.array([[sum(float(c[a] @ c[b]) for c in cols) for b in range(m)] for a in range(m)])
    rhs = np.array([sum(float(c[a] @ g) for c, g in zip(cols, gs, strict=True)) for a in range(m)])
    coef = tuple(float(x) for x in np.linalg.lstsq(gram, rhs, rcond=None)[0])
    return coef, _residual(kind, coef, ws, gs)


def _residual(kind: PenaltyKind, coef: Sequence[float], ws: Sequence[Any], gs: Sequence[Any]) -> float:
    """‖g − Σ coef_j column_j‖ / ‖g‖ over the points, computed entry by entry (no cancellation), with
    g and the fit divided by max|g| first (a power of 2: exact), so that tiny gradients' squares do
    not underflow."""
    top = max((float(g.abs().max()) for g in gs if g.numel()), default=0.0)
    if not top > 0:
        return math.inf
    unit = 2.0 ** -math.frexp(top)[1]
    num = den = 0.0
    for w, g in zip(ws, gs, strict=True):
        fit = sum(c * col for c, col in zip(coef, _columns(kind, w), strict=True))
        num += float(((g - fit) * unit).pow(2).sum())
        den += float((g * unit).pow(2).sum())
    return math.sqrt(num / den) if den > 0 else math.inf


def _canonical(
    kind: PenaltyKind, coef: Sequence[Sequence[float]], theta: Sequence[Any]
) -> tuple[float, float]:
    """(the canonical penalty, the sum of its terms' sizes) at θ; ``coef`` per tensor."""
    total = size = 0.0
    for c, w in zip(coef, theta, strict=True):
        if kind == "l2":
            terms = [c[0] / 2 * float(w.pow(2).sum())]
        elif kind == "l1":
            terms = [c[0] * float(w.abs().sum())]
        elif kind == "group_norm":
            terms = [c[0] * _norm(w)]
        else:
            terms = [c[0] * float(w.abs().sum()), c[1] / 2 * float(w.pow(2).sum())]
        total += sum(terms)
        size += sum(abs(t) for t in terms)
    return total, size


def _degree(data: _Data, tol: float) -> tuple[float, float]:
    """(d, its uncertainty) from P(cθ_k) − P(0) = c^d (P(θ_k) − P(0)); (NaN, inf) if inconsistent."""
    lo, hi, seen = -math.inf, math.inf, False
    for value, row in zip(data.values, data.scaled, strict=True):
        d1 = value - data.p0
        r1 = tol * (abs(value) + abs(data.p0))
        if abs(d1) <= r1:
            continue  # P(θ_k) ≈ P(0): no information at this point
        for c, vc in zip(_SCALES, row, strict=True):
            dc = vc - data.p0
            rc = tol * (abs(vc) + abs(data.p0))
            if abs(dc) <= rc or dc / d1 <= 0:
                return math.nan, math.inf
            est = math.log(dc / d1) / math.log(c)
            err = (rc / abs(dc) + r1 / abs(d1)) / abs(math.log(c)) * 1.01 + 1e-300
            lo, hi, seen = max(lo, est - err), min(hi, est + err), True
    if not seen or lo > hi:
        return math.nan, math.inf
    k = round((lo + hi) / 2)
    return (float(k), 0.0) if lo <= k <= hi else ((lo + hi) / 2, (hi - lo) / 2)


def _euler(data: _Data, d: float, spread: float, tol: float, touched: list[int]) -> float:
    """The worst |⟨∇P(θ_k), θ_k⟩ − d·D(θ_k)| relative to its bound (≤ 1: Euler's identity holds)."""
    worst = 0.0
    for value, theta, grad in zip(data.values, data.thetas, data.grads, strict=True):
        inner = [float(grad[i] @ theta[i]) for i in touched]
        size = [float((grad[i] * theta[i]).abs().sum()) for i in touched]
        d1 = value - data.p0
        bound = tol * (sum(size) + abs(d) * (abs(value) + abs(data.p0))) + spread * abs(d1)
        worst = max(worst, abs(sum(inner) - d * d1) / bound if bound > 0 else math.inf)
    return worst


def _names(names: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _g(x: float) -> str:
    return f"{x:.6g}"


def _analyse(data: _Data, trainable: list[tuple[str, Any]], norm_scales: set[str]) -> PenaltyReport:
    names = [n for n, _ in trainable]
    shapes = [tuple(p.shape) for _, p in trainable]
    tol = _tolerance(data, data.now)
    if tol > _RESOLUTION:
        if data.fallback:  # the real cause: fn fails in float64, so the probes ran in the model's dtype
            fix = (
                f"the probes ran in {data.dtype} because fn fails in float64 ({data.fallback}); make fn "
                "work in float64 (build the tensors it uses inside in the parameters' dtype, e.g. "
                "M.to(W.dtype), not float32 constants)"
            )
        else:
            fix = (
                f"fn's result is coarser than its {data.dtype} probes; make fn return float64 (start "
                "its sum from a float64 value rather than a float32 tensor such as torch.zeros(1))"
            )
        raise PreconditionError(
            f"cannot tell the kinds apart: {sum(int(t.numel()) for t in data.now)} trainable entries with "
            f"eps = {_g(data.eps)} give a rounding bound 10·(N + {_ROUNDINGS})·eps = {_g(tol)} > "
            f"{_RESOLUTION}: {fix}"
        )
    gnorm = [max(_norm(g[i]) for g in data.grads) for i in range(len(names))]
    gmax = max(gnorm)
    by_grad = [i for i in range(len(names)) if gnorm[i] > tol * gmax]
    by_value = [
        i
        for i, changes in sorted(data.zero_change.items())
        if any(ch > tol * (mag + abs(data.p0)) + data.floor() for ch, mag in changes)
    ]
    touched = sorted(set(by_grad) | set(by_value))
    seen = [data.p_now, data.p0, *data.values, *(v for row in data.scaled for v in row)]
    flat = max(seen) - min(seen) <= tol * max(abs(v) for v in seen) + data.floor()
    if not touched or (gmax == 0 and flat):
        where = (
            f"at every probe point: the current parameters, θ = 0, and {len(data.values)} random points "
            "whose tensors have RMS 2^-1.5 to 2^1.5 times their current RMS, each also ×½ and ×2 (largest "
            f"entry probed |w| = {_g(data.largest)}), also with each tensor set to 0 or ×1024"
        )
        if touched:
            why = (
                f"it changes only when a tensor of {_names([names[i] for i in touched])} is scaled ×1024 "
                "or set to 0: inactive at the probed scales (as a hinge such as relu(‖w‖ − c)² is "
                "while no norm reaches c), so an optimiser gets nothing from it here"
            )
        elif data.frozen:
            why = (
                f"what changes it is frozen: {_names(list(data.frozen))} (requires_grad=False, so not "
                "trained and not probed); unfreeze them to have it identified"
            )
        elif max(abs(v) for v in seen) == 0.0:
            why = (
                "it is zero there: inactive at these scales (as a hinge such as relu(‖w‖ − c)² is while "
                "no norm reaches c), or a zero penalty; an optimiser gets nothing from it here"
            )
        else:
            why = (
                "a constant: a penalty that ignores its argument and reads no trainable parameter (a "
                "closure over another model's parameters?)"
            )
        raise PreconditionError(
            f"fn(model) is constant: no parameter changes it (its gradient is zero for all {len(names)} "
            f"trainable tensors and its value stays between {_g(min(seen))} and {_g(max(seen))} {where}); "
            f"{why}"
        )
    floor = data.floor()
    change = max(abs(v - data.p0) for v in data.values)
    if 0 < gmax < floor or change < floor:
        raise PreconditionError(
            f"fn(model) changes by at most {_g(change)} (gradient norm at most {_g(gmax)}) over the probe "
            f"points: below (N + {_ROUNDINGS})·tiny = {_g(floor)} of {data.dtype}, where rounding is no "
            "longer relative and the kinds cannot be told apart; scale the penalty (or the parameters) up"
        )
    # the changes D = P(θ_k) − P(0) must stand out of the rounding of the values themselves, by the
    # factor 1/_RESOLUTION at some random point, or a large constant P(0) swamps them (1e12 + Σw²)
    clear = max(abs(v - data.p0) / (tol * (abs(v) + abs(data.p0))) for v in data.values)
    if clear < 1 / _RESOLUTION:
        raise PreconditionError(
            f"fn(model)'s changes over the probe points (at most {_g(change)}) are within "
            f"{_g(1 / clear)}× the rounding of its values tol·(|P(θ)| + |P(0)|), with P(0) = {_g(data.p0)} "
            f"and tol = {_g(tol)} (more than {_RESOLUTION}): the constant swamps the penalty, so its value "
            "and degree cannot be checked; subtract the constant from fn"
        )
    degree, spread = _degree(data, tol)
    ws = {i: [t[i] for t in data.thetas] for i in by_grad}
    gs = {i: [g[i] for g in data.grads] for i in by_grad}
    fits: _Fits = {i: {k: _fit(k, ws[i], gs[i]) for k in _MODELS} for i in by_grad}

    per: list[ParamPenalty] = []
    for i in touched:
        if i not in fits:
            smooth = i in data.smooth
            per.append(
                ParamPenalty(names[i], shapes[i], "other", None, None, None, math.inf, True, None, smooth)
            )
            continue
        ok = [k for k in _MODELS if fits[i][k][1] <= tol]
        kind: PenaltyKind = ok[0] if ok else "other"
        if ok:
            coef, res = fits[i][kind]
            per.append(ParamPenalty(names[i], shapes[i], kind, *_coefficients(kind, coef), res))
        else:
            closest = min(_MODELS, key=lambda k: fits[i][k][1])
            per.append(
                ParamPenalty(
                    names[i], shapes[i], "other", None, None, None, fits[i][closest][1], False, closest
                )
            )
    report = _Builder(data, names, touched, per, degree, spread, tol, norm_scales)
    zero = [names[i] for i in touched if i not in fits]
    if zero:
        return report.zero_gradient(zero)
    differ: PenaltyKind | None = None
    for kind in _MODELS:
        if any(fits[i][kind][1] > tol for i in touched):
            continue
        coefs = [fits[i][kind][0] for i in touched]
        if kind == "group_norm":  # c may differ per tensor
            return report.in_kind(kind, fits).check_value(kind, coefs, None)
        glob, _ = _fit(kind, [w for i in touched for w in ws[i]], [g for i in touched for g in gs[i]])
        if all(_residual(kind, glob, ws[i], gs[i]) <= tol for i in touched):
            return report.in_kind(kind, fits).check_value(kind, [glob] * len(touched), glob)
        if differ is None:
            differ = kind
    if differ is not None and {p.kind for p in per} == {differ}:
        return report.per_tensor(differ, [fits[i][differ][0] for i in touched])
    if len(touched) > 1:  # one unsquared norm of all the touched tensors together: c·θ/‖θ‖
        glob_c, glob_res = _global_fit([ws[i] for i in touched], [gs[i] for i in touched])
        if glob_res <= tol:
            return report.global_norm(glob_c)
    return report.other()  # e.g. L2 on the weights and L1 on the biases: each its own kind


def _global_fit(ws: Sequence[Sequence[Any]], gs: Sequence[Sequence[Any]]) -> tuple[float, float]:
    """c and the relative residual of g = c·θ/‖θ‖, θ the touched tensors concatenated (per point):
    the gradient of c‖θ‖, one norm of them all."""
    points = len(ws[0])
    cols = [[w[k] for w in ws] for k in range(points)]
    grads = [[g[k] for g in gs] for k in range(points)]
    units = []
    for col in cols:
        n = math.sqrt(sum(_norm(t) ** 2 for t in col))
        units.append([t / n if n > 0 else t for t in col])
    num = sum(float(u @ g) for us, g_ in zip(units, grads, strict=True) for u, g in zip(us, g_, strict=True))
    den = sum(float(u @ u) for us in units for u in us)
    c = num / den if den > 0 else 0.0
    top = max((float(g.abs().max()) for g_ in grads for g in g_ if g.numel()), default=0.0)
    if not top > 0:
        return c, math.inf
    unit = 2.0 ** -math.frexp(top)[1]
    res = sum(
        float(((g - c * u) * unit).pow(2).sum())
        for us, g_ in zip(units, grads, strict=True)
        for u, g in zip(us, g_, strict=True)
    )
    size = sum(float((g * unit).pow(2).sum()) for g_ in grads for g in g_)
    return c, math.sqrt(res / size) if size > 0 else math.inf


def _coefficients(
    kind: PenaltyKind, coef: tuple[float, ...] | None
) -> tuple[float | None, float | None, float | None]:
    """(λ, μ, c) of a per-tensor fit of ``kind``."""
    if coef is None or kind == "other":
        return None, None, None
    if kind == "l2":
        return coef[0], None, None
    if kind == "l1":
        return None, coef[0], None
    if kind == "group_norm":
        return None, None, coef[0]
    return coef[1], coef[0], None


class _Builder:
    """Turns the analysis into a PenaltyReport with its one-line explanation."""

    def __init__(
        self,
        data: _Data,
        names: list[str],
        touched: list[int],
        per: list[ParamPenalty],
        degree: float,
        spread: float,
        tol: float,
        norm_scales: set[str],
    ) -> None:
        self.data, self.names, self.touched, self.per = data, names, touched, per
        self.norm_scales = [n for i in touched if (n := names[i]) in norm_scales]
        self.degree, self.spread, self.tol = degree, spread, tol
        self.params = tuple(names[i] for i in touched)
        self.extra = ""  # a first note (the form changes at another scale)

    def in_kind(self, kind: PenaltyKind, fits: _Fits) -> _Builder:
        """Express every tensor's entry of ``per_param`` in ``kind``, which fits them all."""
        self.per = [
            ParamPenalty(p.name, p.shape, kind, *_coefficients(kind, fits[i][kind][0]), fits[i][kind][1])
            for i, p in zip(self.touched, self.per, strict=True)
        ]
        return self

    def _where(self) -> str:
        n, total = len(self.params), len(self.names)
        on = f"on {_names(list(self.params))}"
        return on + ("" if n == total else f" ({n} of {total} trainable tensors)")

    def _degree(self) -> str:
        if math.isnan(self.degree):
            return "not homogeneous (degree NaN)"
        return f"degree {_g(self.degree)}"

    def _report(self, kind: PenaltyKind, l2: float | None, l1: float | None, text: str) -> PenaltyReport:
        d = self.data
        notes = [self.extra] if self.extra else []
        if self.norm_scales:
            notes.append(f"it includes normalisation-layer parameters ({_names(self.norm_scales)})")
        if abs(d.p0) > self.tol * max(abs(v) for v in d.values):
            notes.append(f"plus the constant P(0) = {_g(d.p0)}")
        if d.note:
            notes.append(d.note)
        if d.frozen:
            notes.append(
                f"frozen parameters change its value too: {_names(list(d.frozen))} (requires_grad=False, "
                "not probed; their part is in P(0))"
            )
        note = "".join(f"; {n}" for n in notes)
        return PenaltyReport(
            kind=kind,
            degree=self.degree,
            l2=l2,
            l1=l1,
            params=self.params,
            explanation=text + note,
            per_param=tuple(self.per),
            constant=self.data.p0 if self.data.p0_finite else math.nan,
            dtype=self.data.dtype,
            tolerance=self.tol,
        )

    def zero_gradient(self, zero: list[str]) -> PenaltyReport:
        smooth = [p.name for p in self.per if p.zero_gradient and p.smooth]
        outside = (
            "computed outside autograd (.item()/NumPy/re-wrapped tensor such as "
            "torch.tensor(x.item(), requires_grad=True)): its value changes smoothly with them (a "
            "relative change (1 + δ) of them moves it) but no gradient reaches them"
        )
        if len(zero) == len(self.params):
            count = self._count()
            if count is not None:
                what = (
                    f"it is c·Σ‖W‖₀ with c = {_g(count)}, c times the count of nonzero entries (what "
                    "torch.norm(W, p=0) computes), so its gradient is zero at every probe point"
                )
            elif smooth:
                what = f"it is {outside}"
            else:
                what = (
                    "it is piecewise constant (its value changes by jumps, not under a small relative "
                    "change of the parameters), so its gradient is zero at every probe point"
                )
            return self._report(
                "other",
                None,
                None,
                f"not a regulariser for training: {what}, and gradient descent never feels it; "
                f"{self._degree()} {self._where()}",
            )
        how = (
            outside
            if len(smooth) == len(zero)
            else "piecewise constant in them"
            if not smooth
            else f"computed outside autograd for {_names(smooth)}, piecewise constant for the rest"
        )
        return self._report(
            "other",
            None,
            None,
            f"not weight decay: {_names(zero)} change the value but get zero gradient ({how}), while "
            f"{_names([n for n in self.params if n not in zero])} get one; {self._degree()}",
        )

    def _count(self) -> float | None:
        """c when P(θ) − P(0) = c·(number of nonzero entries of the touched tensors) at every point."""
        d = self.data
        pts = [(d.p_now, d.now), *zip(d.values, d.thetas, strict=True)]
        pairs = [(v - d.p0, sum(int((t[i] != 0).sum()) for i in self.touched), v) for v, t in pts]
        n_last = pairs[-1][1]  # a random point: its entries are nonzero (normal draws)
        if n_last < 1:
            return None
        c = pairs[-1][0] / n_last
        ok = all(
            abs(dv - c * n) <= self.tol * (abs(v) + abs(d.p0) + abs(c) * n) + d.floor() for dv, n, v in pairs
        )
        return c if ok else None

    def per_tensor(self, kind: PenaltyKind, coefs: list[tuple[float, ...]]) -> PenaltyReport:
        label = {"l2": "λ", "l1": "μ", "elastic_net": "(μ, λ)"}[kind]
        parts = "; ".join(
            f"{self.names[i]}: {', '.join(_g(x) for x in c)}"
            for i, c in zip(self.touched, coefs, strict=True)
        )
        what = "weight decay λ" if kind == "l2" else "coefficient"
        return self._report(
            "other",
            None,
            None,
            f"{_ARTICLE[kind]} penalty with a different {label} per tensor ({parts}): not one {what}; "
            f"{self._degree()} {self._where()}",
        )

    def other(self) -> PenaltyReport:
        kinds = {p.kind for p in self.per}
        if len(kinds) > 1 and "other" not in kinds:
            desc = "; ".join(f"{p.name}: {p.kind}" for p in self.per)
            head = f"not one penalty: the tensors get different kinds ({desc})"
        else:
            head = (
                "not weight decay: not (λ/2)‖w‖², μ‖w‖₁, their sum nor Σ c‖W‖ with one coefficient; "
                f"per tensor (fit residual against tolerance {_g(self.tol)}): " + self._per_tensor()
            )
        tail = ""
        if not math.isnan(self.degree):
            worst = _euler(self.data, self.degree, self.spread, self.tol, self.touched)
            if worst > 1.0:
                tail = (
                    "; its gradient does not match its value (Euler's identity ⟨∇P(θ), θ⟩ = d·P(θ) "
                    "fails): part of it is detached"
                )
        return self._report("other", None, None, f"{head}; {self._degree()} {self._where()}{tail}")

    def _per_tensor(self, limit: int = 6) -> str:
        """Each tensor's kind and coefficient, or, for kind other, no fit and the closest one."""
        form = {"l2": "λ", "l1": "μ", "group_norm": "c"}
        parts = []
        for p in self.per[:limit]:
            if p.kind == "other":
                closest = f"closest {p.closest}, residual {_g(p.residual)}" if p.closest else "zero gradient"
                parts.append(f"{p.name}: none ({closest})")
            elif p.kind == "elastic_net":
                parts.append(f"{p.name}: elastic_net (μ = {_g(p.l1 or 0.0)}, λ = {_g(p.l2 or 0.0)})")
            else:
                coef = {"l2": p.l2, "l1": p.l1, "group_norm": p.group}[p.kind]
                parts.append(
                    f"{p.name}: {p.kind} ({form[p.kind]} = {_g(coef or 0.0)}, residual {_g(p.residual)})"
                )
        more = f"; and {len(self.per) - limit} more" if len(self.per) > limit else ""
        return "; ".join(parts) + more

    def global_norm(self, c: float) -> PenaltyReport:
        """c‖θ‖ over the touched tensors together, if its value agrees (else :meth:`other`)."""
        d = self.data
        pts = [(d.p_now, d.now), *zip(d.values, d.thetas, strict=True)]
        pts += [
            (v, [s * t for t in theta])
            for row, theta in zip(d.scaled, d.thetas, strict=True)
            for s, v in zip(_SCALES, row, strict=True)
        ]
        for value, theta in pts:
            canon = c * math.sqrt(sum(_norm(theta[i]) ** 2 for i in self.touched))
            if abs(value - d.p0 - canon) > self.tol * (abs(value) + abs(d.p0) + abs(canon)) + d.floor():
                return self.other()
        return self._report(
            "other",
            None,
            None,
            f"not weight decay: c‖θ‖ with c = {_g(c)}, one unsquared norm of all the touched tensors "
            f"together (a global group norm: one group) {self._where()}, {self._degree()}: its gradient "
            "c·θ/‖θ‖ has constant size c whatever ‖θ‖, where weight decay's λθ shrinks with θ",
        )

    def check_value(
        self, kind: PenaltyKind, coefs: list[tuple[float, ...]], glob: tuple[float, ...] | None
    ) -> PenaltyReport:
        d = self.data
        full = [(0.0,) * len(coefs[0])] * len(self.names)
        for i, c in zip(self.touched, coefs, strict=True):
            full[i] = c
        pts = [(d.p_now, d.now), *zip(d.values, d.thetas, strict=True)]
        pts += [
            (v, [c * t for t in theta])
            for row, theta in zip(d.scaled, d.thetas, strict=True)
            for c, v in zip(_SCALES, row, strict=True)
        ]
        local = 1 + len(d.values)  # the current point and the random points: where gradients were read
        scales = [c for _ in d.scaled for c in _SCALES]
        worst, at, worst_local, at_scale = 0.0, (0.0, 0.0), 0.0, 1.0
        for n, (value, theta) in enumerate(pts):
            canon, size = _canonical(kind, full, theta)
            # at a point where every value is 0 (a zero-initialised model's current point) the bound
            # is the absolute floor alone: never a division by 0
            bound = self.tol * (abs(value) + abs(d.p0) + size) + d.floor()
            ratio = abs(value - d.p0 - canon) / bound
            if n < local:
                worst_local = max(worst_local, ratio)
            if ratio > worst:
                worst, at = ratio, (value - d.p0, canon)
                at_scale = scales[n - local] if n >= local else 1.0
        near = ""
        if worst_local <= 1.0 < worst:
            # value and gradient agree where the gradient was read, not at ½× or 2× those points: the
            # penalty has this form near the current parameters only (Huber: quadratic below β)
            side = "larger" if at_scale > 1 else "smaller"
            near = " near the current parameters (where its gradient was read)"
            self.extra = (
                f"the form changes at {side} scale (Huber-like): at {_g(at_scale)}× a random point "
                f"P − P(0) = {_g(at[0])}, not {_g(at[1])}"
            )
            self.degree = math.nan
        elif worst > 1.0:
            form = {
                "l2": "(λ/2)‖w‖²",
                "l1": "μ‖w‖₁",
                "elastic_net": "μ‖w‖₁ + (λ/2)‖w‖²",
                "group_norm": "Σ c‖W‖",
            }[kind]
            return self._report(
                "other",
                None,
                None,
                f"not weight decay as written: its gradient is that of {form} "
                f"({self._coefs(kind, coefs)}) but its value is not (P(θ) − P(0) = {_g(at[0])} where "
                f"{form} = {_g(at[1])}): part of it is detached or computed outside autograd; "
                f"{self._degree()} {self._where()}",
            )
        where = self._where() + near
        if kind == "l2":
            assert glob is not None
            lam = glob[0]
            sign = "; λ < 0: it rewards large weights" if lam < 0 else ""
            return self._report(
                "l2",
                lam,
                None,
                f"L2 weight decay (λ/2)‖w‖² with λ = {_g(lam)} {where}, {self._degree()}: its gradient "
                f"λ·w is what torch.optim's weight_decay={_g(lam)} adds{sign}",
            )
        if kind == "l1":
            assert glob is not None
            return self._report(
                "l1",
                None,
                glob[0],
                f"L1 penalty μ‖w‖₁ with μ = {_g(glob[0])} {where}, {self._degree()}: its (sub)gradient "
                "μ·sign(w) has the same size for every nonzero entry; not weight decay",
            )
        if kind == "elastic_net":
            assert glob is not None
            mu, lam = glob
            return self._report(
                "elastic_net",
                lam,
                mu,
                f"elastic net μ‖w‖₁ + (λ/2)‖w‖² with μ = {_g(mu)}, λ = {_g(lam)} {where}, {self._degree()}",
            )
        return self._report(
            "group_norm",
            None,
            None,
            f"not weight decay: Σ c‖W‖ (unsquared norm per tensor, a group-lasso penalty) with "
            f"{self._coefs(kind, coefs)} {where}, {self._degree()}: its gradient c·W/‖W‖ has constant "
            "size c whatever ‖W‖, where weight decay's λW shrinks with W",
        )

    def _coefs(self, kind: PenaltyKind, coefs: list[tuple[float, ...]]) -> str:
        if kind == "elastic_net":
            return f"μ = {_g(coefs[0][0])}, λ = {_g(coefs[0][1])}"
        label = {"l2": "λ", "l1": "μ", "group_norm": "c"}[kind]
        values = sorted({_g(c[0]) for c in coefs})
        if len(values) == 1:
            return f"{label} = {values[0]}"
        return f"{label} = " + ", ".join(
            f"{self.names[i]}: {_g(c[0])}" for i, c in zip(self.touched, coefs, strict=True)
        )
