"""Empirical (torch) checks of si.gradient and si.effective_lr.

Imported by :func:`theory.checks.all_checks` (``PROVIDERS``); importing it registers the checks. Real
torch modules (``Linear(bias=False) → BatchNorm1d`` in training mode, or ``→ LayerNorm``, then tanh and
a linear head) on scikit-learn's ``load_digits`` (64 pixels, 10 classes) with
``torch.nn.CrossEntropyLoss``; gradients by autograd, Hessian-vector products by double backward,
training by ``torch.optim.SGD(lr=η, weight_decay=λ)``. Float64 by default (float32 added under
``--thorough``), on ``ctx.device`` (CUDA when asked and present, else a skip).

Tolerances (rounding). Every compared quantity is a forward/backward pass of S = 5 stages (linear,
normalisation, tanh, head, cross-entropy), each a dot product of length ≤ m = max(batch, 64) with
relative error ``residual_tolerance(m, κ)`` (:mod:`theory.numerics`), where κ = ‖X‖‖W‖/‖Z_c‖ is the
amplification of rounding in the pre-normalisation activations ``Z = XWᵀ`` centred along the normalised
axis (measured, not assumed) and κ² for a Hessian-vector product (two Jacobians). Comparing at W and
at cW adds the rounding of cW itself: ``eps·‖∇²f‖‖W‖`` against ‖∇f‖, with ‖∇²f‖₂ from the full Hessian
(si.gradient); si.effective_lr's propagated bounds use a power-iteration estimate at every step and say
so (an empirical tolerance).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from theory.checks import CheckContext, CheckResult, ErrorTracker, register
from theory.empirical.checks import _device, _dtypes, _small
from theory.numerics import residual_tolerance

__all__: list[str] = []  # the checks are reached through theory.checks.all_checks()

_STAGES = 5
_CONFIGS = (("batch", True), ("batch", False), ("layer", True), ("layer", False))


def _digits(n: int, device: str, dtype: str) -> tuple[Any, Any]:
    """The first n examples of ``load_digits`` (fixed permutation), flattened to 64 pixels in [0, 1]."""
    from theory.empirical import _common as C
    from theory.empirical.digits import digits_data

    data = digits_data(n, dtype=dtype)
    dev, _, _ = C.setup(device, dtype)
    return data.images.reshape(n, -1).to(dev), data.labels.to(dev)


def _amplification(x: Any, W: Any, norm: str) -> float:
    """κ = ‖X‖_F‖W‖_F / ‖Z_c‖_F, Z = XWᵀ centred over the batch (BN) or the features (LN)."""
    z = x @ W.T
    zc = z - z.mean(dim=0 if norm == "batch" else 1, keepdim=True)
    return max(1.0, float(x.norm() * W.norm() / zc.norm()))


def _hessian_spectral_norm(model: Any, loss: Any, batch: Any, W: Any) -> float:
    """‖∇²_W f‖₂ from the full Hessian (one batched double backward over the basis of W's p entries,
    p ≤ 512 here), its largest singular value: the value itself, to rounding, not an estimate."""
    from theory.empirical import _common as C

    torch = C.torch
    with torch.enable_grad():
        value = loss(model(batch[0]), batch[1])
        (g,) = torch.autograd.grad(value, [W], create_graph=True)
        basis = torch.eye(W.numel(), dtype=W.dtype, device=W.device).reshape(W.numel(), *W.shape)
        (H,) = torch.autograd.grad(g, [W], grad_outputs=basis, is_grads_batched=True)
    return float(torch.linalg.matrix_norm(H.reshape(W.numel(), W.numel()).detach(), 2))


def _hessian_norm_estimate(model: Any, loss: Any, batch: Any, W: Any, seed: int, iters: int = 5) -> float:
    """‖∇²_W f‖₂ estimated by power iteration on Hessian-vector products, doubled. An estimate, not a
    bound (power iteration approaches the top |eigenvalue| from below, at an unknown rate): the row that
    uses it marks its tolerance empirical. Against the full Hessian's spectral norm
    (:func:`_hessian_spectral_norm`) on these MLPs it came out 1.9–2.0× the true value."""
    from theory.empirical import _common as C
    from theory.empirical.normalised import hvp

    v = C.torch.randn(W.shape, generator=C.generator(seed), dtype=W.dtype).to(W.device)
    lam = 0.0
    for _ in range(iters):
        v = v / v.norm()
        hv = hvp(model, loss, batch, W, v)
        lam = float(hv.norm())
        v = hv
    return 2.0 * lam


@register(
    "si.gradient",
    "empirical",
    "autograd on Linear→BatchNorm1d (train) / LayerNorm: Wᵀ∇f = 0, 1/c, 1/c² (hvp), ∇²f·W = −∇f; eps",
)
def _si_gradient(ctx: CheckContext) -> CheckResult:
    """The identities for the weight W of the Linear before the normalisation, on load_digits.

    With the normalisation eps set to 0 (:func:`~theory.empirical.normalised.norm_eps`):
    ``⟨W, ∇f⟩ = 0``, ``c∇f(cW) = ∇f(W)``, ``c²∇²f(cW)v = ∇²f(W)v`` and ``∇²f(W)W = −∇f(W)``. With the
    layer's eps = 10⁻⁵: the exact law ``c∇f_ε(cW) = ∇f_{ε/c²}(W)`` (and its Hessian form), and the
    change of the normalised features against :func:`~theory.scale_invariance.eps_defect_bound`.
    A negative control (float64): BatchNorm in eval mode (running statistics) must *fail*
    ``⟨W, ∇f⟩ = 0`` by 10³ tolerances, else the check itself fails (it would be blind).
    """
    device = _device(ctx)
    from theory.empirical import _common as C
    from theory.empirical.normalised import hvp, loss_and_grad, norm_eps, normalised_mlp
    from theory.scale_invariance import eps_defect_bound

    torch = C.torch
    tr = ErrorTracker()
    ce = torch.nn.CrossEntropyLoss()
    control = math.inf
    with _small():
        for dtype in _dtypes(ctx):
            batch = _digits(64, device, dtype)
            x = batch[0]
            for case in range(ctx.cases(1, 5)):
                rng = ctx.rng(1200 + case)
                for norm, affine in _CONFIGS:
                    model = normalised_mlp(
                        64,
                        8,
                        10,
                        norm=norm,
                        affine=affine,
                        seed=int(rng.integers(2**31)),
                        dtype=dtype,
                        device=device,
                    )
                    if affine:  # non-trivial γ, β
                        with torch.no_grad():
                            model[1].weight.uniform_(0.5, 2.0)
                            model[1].bias.uniform_(-1.0, 1.0)
                    W = model[0].weight
                    c = float(10 ** rng.uniform(-1.5, 1.5))
                    v = C.tensor(rng.standard_normal(tuple(W.shape)), W.device, W.dtype)
                    kappa = _amplification(x, W.detach(), norm)
                    m = max(64, x.shape[0])
                    base = _STAGES * residual_tolerance(m, kappa, np.dtype(dtype))
                    base_h = _STAGES * residual_tolerance(m, kappa**2, np.dtype(dtype))
                    with norm_eps(model, 0.0):
                        _, g = loss_and_grad(model, ce, batch, W)
                        _, gc = loss_and_grad(model, ce, batch, W, at=c * W.detach())
                        hv = hvp(model, ce, batch, W, v)
                        hvc = hvp(model, ce, batch, W, v, at=c * W.detach())
                        hw = hvp(model, ce, batch, W, W.detach())
                        h_norm = _hessian_spectral_norm(model, ce, batch, W)
                    ng, nw = float(g.norm()), float(W.detach().norm())
                    rho = 1.0 + h_norm * nw / ng
                    tol_g, tol_h = base * rho, base_h * rho
                    tr.add(abs(float((W.detach() * g).sum())) / (nw * ng), tol_g)
                    tr.add(float((c * gc - g).norm()) / ng, tol_g)
                    tr.add(float((c * c * hvc - hv).norm()) / float(hv.norm()), tol_h)
                    tr.add(float((hw + g).norm()) / ng, tol_h)
                    # eps > 0: the layer at cW is the layer at W with eps/c² (exact law), and the
                    # features move by at most eps_defect_bound
                    layer_eps = 1e-5
                    with norm_eps(model, layer_eps):
                        _, g_eps_c = loss_and_grad(model, ce, batch, W, at=c * W.detach())
                        hv_eps_c = hvp(model, ce, batch, W, v, at=c * W.detach())
                    with norm_eps(model, layer_eps / c**2):
                        _, g_eps = loss_and_grad(model, ce, batch, W)
                        hv_eps = hvp(model, ce, batch, W, v)
                    tr.add(float((c * g_eps_c - g_eps).norm()) / float(g_eps.norm()), tol_g)
                    tr.add(float((c * c * hv_eps_c - hv_eps).norm()) / float(hv_eps.norm()), tol_h)
                    with torch.no_grad(), norm_eps(model, layer_eps):
                        z = x @ W.T
                        feats = model[1](z)
                        feats_c = model[1](c * z)
                        axis = 0 if norm == "batch" else 1
                        var = z.var(dim=axis, unbiased=False)
                        zhat = (z - z.mean(dim=axis, keepdim=True)) / (var.unsqueeze(axis) + layer_eps).sqrt()
                        gamma = float(model[1].weight.abs().max()) if affine else 1.0
                    bound = gamma * eps_defect_bound(layer_eps, float(var.min()), c) * float(zhat.norm())
                    tr.add(float((feats_c - feats).norm()), bound + tol_g * float(feats.norm()))
                    # negative control: running statistics (in float64, where the tolerance is ~1e-12; in
                    # float32 a derived tolerance of ~1e-2 could not tell it apart)
                    if norm == "batch" and affine and dtype == "float64":
                        model.eval()
                        with norm_eps(model, 0.0):
                            _, g_eval = loss_and_grad(model, ce, batch, W)
                        control = min(
                            control, abs(float((W.detach() * g_eval).sum())) / (nw * float(g_eval.norm()))
                        )
                        model.train()
                        if not control > 1e3 * tol_g:
                            tr.add(math.inf, tol_g)  # the control looked invariant: the check is blind
    return tr.result(
        f"{'+'.join(_dtypes(ctx))} digits, 4 configs; eval-mode BN control "
        f"|⟨W,∇f⟩|/(‖W‖‖∇f‖) = {control:.2g} (not invariant)"
    )


@register(
    "si.effective_lr",
    "empirical",
    "torch SGD(lr, weight_decay) on a BN/LN MLP (digits): W/‖W‖ = sphere copy stepped at η/((1−ηλ)‖W‖²)",
)
def _si_effective_lr(ctx: CheckContext) -> CheckResult:
    """Full-batch ``torch.optim.SGD(lr=η, weight_decay=λ)`` on every parameter of a normalised MLP on
    load_digits; a unit-norm copy u of the first weight is stepped by
    ``u ← (u − η̂_t∇_W f(u))/‖·‖``, ``η̂_t = η/((1 − ηλ)‖W_t‖²)`` from the run's norm, with the other
    parameters as in the run at step t and the normalisation eps taken as ``ε/‖W_t‖²`` (the exact law
    of si.gradient's eps note), so the two routes agree to rounding.

    Each torch step is also compared on its own with one sphere step from the run's own direction
    ``W_t/‖W_t‖`` (bound ``(2 + η̂‖∇²f(u_t)‖ + 2η̂‖∇f(u_t)‖)δ``, the first step of the propagation
    below), which stays at rounding level however long the run. The trajectory's error bound
    propagates a per-step rounding δ (module docstring) through T steps with the
    sphere map's Lipschitz constant ``1 + η̂_t‖∇²f(u_t)‖`` (as the numeric check does), where
    ``‖∇²f(u_t)‖ = ‖W_t‖²‖∇²f(W_t)‖`` (si.gradient; the eps law keeps it exact), estimated by power
    iteration at every step (an estimate, so the tolerance is marked empirical).
    """
    device = _device(ctx)
    from theory.empirical import _common as C
    from theory.empirical.normalised import loss_and_grad, norm_eps, normalised_mlp
    from theory.scale_invariance import effective_lr

    torch = C.torch
    tr = ErrorTracker()
    tr.empirical_tolerance(
        "the bounds use ‖∇²f(u_t)‖ from 5 power iterations, doubled: an estimate, not a bound (measured "
        "1.9–2.0× the full Hessian's spectral norm on these MLPs; the full Hessian every step is too slow)"
    )
    ce = torch.nn.CrossEntropyLoss()
    steps = ctx.cases(15, 60)
    detail = ""
    with _small():
        for dtype in _dtypes(ctx):
            batch = _digits(ctx.cases(128, 512), device, dtype)
            x = batch[0]
            for case, norm in enumerate(("batch", "layer")):
                rng = ctx.rng(1300 + case)
                model = normalised_mlp(
                    64, 16, 10, norm=norm, seed=int(rng.integers(2**31)), dtype=dtype, device=device
                )
                twin = normalised_mlp(64, 16, 10, norm=norm, dtype=dtype, device=device)
                W = model[0].weight
                eta, lam = float(rng.uniform(0.2, 1.0)), float(rng.uniform(0.01, 0.2))
                layer_eps = float(model[1].eps)
                opt = torch.optim.SGD(model.parameters(), lr=eta, weight_decay=lam)
                u = W.detach() / W.detach().norm()
                u0 = u.clone()
                kappa = _amplification(x, W.detach(), norm)
                delta = _STAGES * residual_tolerance(max(64, x.shape[0]), kappa, np.dtype(dtype))
                bound = delta
                for _ in range(steps):
                    r = float(W.detach().norm())
                    hat = effective_lr(eta, lam, r)
                    # ‖∇²f(u_t)‖ (an estimate: the full Hessian every step would cost ~0.2 s each)
                    h_norm = _hessian_norm_estimate(model, ce, batch, W, case) * r * r
                    # the sphere copy: the run's other parameters, W replaced by u, eps by ε/r²
                    twin.load_state_dict(model.state_dict())
                    u_run = W.detach() / r  # the run's own direction: one step, no propagation
                    with norm_eps(twin, layer_eps / r**2):
                        _, gu = loss_and_grad(twin, ce, batch, twin[0].weight, at=u)
                        _, g_run = loss_and_grad(twin, ce, batch, twin[0].weight, at=u_run)
                    step = u - hat * gu
                    u = step / step.norm()
                    step_run = u_run - hat * g_run
                    opt.zero_grad()
                    ce(model(x), batch[1]).backward()
                    opt.step()
                    bound = (1.0 + hat * h_norm) * bound + (1.0 + 2.0 * hat * float(gu.norm())) * delta
                    direction = W.detach() / W.detach().norm()
                    tr.add(float((direction - u).norm()), bound)
                    one = (2.0 + hat * h_norm + 2.0 * hat * float(g_run.norm())) * delta
                    tr.add(float((direction - step_run / step_run.norm()).norm()), one)
                turned = math.degrees(math.acos(min(1.0, float((u * u0).sum()))))
                detail = f"{steps} steps, η̂ ≈ {hat:.2g}, the direction turned {turned:.3g}°"
    return tr.result(f"BN and LN MLPs on digits (full batch), {detail}")
