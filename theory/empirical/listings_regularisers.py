"""The code listings of the texts "L1、L2 和弹性网络正则化", "《python深度学习》笔记(十三):正则化" and
"【漫话机器学习系列】245.权重衰减(Weight Decay)", re-implemented and run (torch, Keras).

Importing this module registers their evidence checks (``src.apx.…``, ``src.pydl.…``,
``src.manhua.…``; :func:`theory.claims.evidence`); ``docs/claims.md`` lists the listings and what the
checks found. Torch is imported inside the functions, so importing this module never needs it; a check
without torch (or without Keras, or scikit-learn for its data) raises
:class:`~theory.checks.CheckSkipped`.

What the listings do, in our words (their code is re-implemented, never copied):

* ``apx``: L2 through ``torch.optim.Adam(model.parameters(), weight_decay=λ)``; L1 added to the loss by
  hand, ``λ₁·Σ|θ|`` over the parameters with ``dim() > 1``, trained with SGD; the elastic net as both
  (hand L1 plus Adam's ``weight_decay``). Adam's ``weight_decay`` adds λθ to the gradient before the
  moment estimates (coupled L2, opt.adam_not_equiv): the same iterates as Adam on
  ``loss + (λ/2)Σ‖θ‖²`` over every parameter, biases included, and not AdamW.
* ``pydl``: the same ``Adam(weight_decay=0.01)`` line, and a ``Regularization`` module whose penalty is
  ``wd·Σ_{names containing 'weight'} torch.norm(W, p)`` (:func:`name_norm_penalty`).
* ``manhua``: ``SGD(model.parameters(), lr, weight_decay=1e-4)`` against the formula
  ``Loss + ½λ‖w‖²`` (opt.sgd_equiv), and Keras' ``regularizers.L2`` (which adds ``l2·Σw²``, no ½).

The models are the texts' own example, ``Linear(10, 20)–ReLU–Linear(20, 1)`` (:func:`mlp`), and
``Linear(10, 1)`` for the linear cases, on the diabetes data shipped with scikit-learn (Efron, Hastie,
Johnstone and Tibshirani, "Least angle regression", Ann. Statist. 2004; 442 patients, 10 inputs).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from theory.checks import CheckContext, CheckResult, CheckSkipped, LabelledTracker
from theory.claims import register_evidence
from theory.empirical.checks import _device, _seed, _small
from theory.errors import InputError
from theory.validate import dtype_eps

__all__ = [
    "diabetes",
    "hand_l1_penalty",
    "mlp",
    "name_filter",
    "name_norm_penalty",
    "printed_regularization",
]

FloatArray = NDArray[np.float64]
EPS = dtype_eps(np.float64)


# ------------------------------------------------------------------------------------- data, models


def diabetes(*, centre_y: bool = False) -> tuple[FloatArray, FloatArray]:
    """The diabetes data shipped with scikit-learn: X (442×10) with each column centred and scaled to
    unit variance (1/n divisor), and y divided by its standard deviation, not centred by default (so a
    model's intercept has something to fit); ``centre_y=True`` centres it first, as
    :func:`theory.empirical.dynamics.diabetes_regression` (which calls this) needs.

    The two files are read where scikit-learn keeps them (importing ``sklearn.datasets`` costs about a
    second and a half); when they are not there, ``sklearn.datasets.load_diabetes`` is used.

    Raises:
        CheckSkipped: scikit-learn is not installed.
    """
    import importlib.util

    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise CheckSkipped("scikit-learn not installed: the listings run on its diabetes data")
    base = Path(spec.origin).parent / "datasets" / "data"
    try:
        X = np.loadtxt(base / "diabetes_data_raw.csv.gz")
        y = np.loadtxt(base / "diabetes_target.csv.gz")
    except OSError:
        from sklearn.datasets import load_diabetes

        X, y = load_diabetes(return_X_y=True, scaled=False)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    if centre_y:
        y = y - y.mean()
    return np.ascontiguousarray(X, dtype=np.float64), np.asarray(y / y.std(), dtype=np.float64)


def mlp(seed: int, device: Any = "cpu", hidden: int = 20) -> Any:
    """The texts' example network ``Linear(10, hidden)–ReLU–Linear(hidden, 1)`` in float64, with torch's
    default initialisation drawn under ``seed`` (the global generator is left as it was)."""
    import torch
    from torch import nn

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(10, hidden), nn.ReLU(), nn.Linear(hidden, 1))
    return model.to(device=device, dtype=torch.float64)


def _linear(device: Any, seed: int) -> Any:
    import torch
    from torch import nn

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = nn.Linear(10, 1)
    return model.to(device=device, dtype=torch.float64)


def _tensors(X: FloatArray, y: FloatArray, device: Any) -> tuple[Any, Any]:
    import torch

    return (
        torch.tensor(X, dtype=torch.float64, device=device),
        torch.tensor(y, dtype=torch.float64, device=device).reshape(-1, 1),
    )


def _flat(model: Any) -> FloatArray:
    """θ as one float64 vector in parameter order (:func:`theory.empirical._common.flat`)."""
    from theory.empirical import _common

    return np.asarray(_common.flat(model.parameters()), dtype=np.float64)


def _copy(model: Any) -> Any:
    import copy

    return copy.deepcopy(model)


# ------------------------------------------------------------------------------------- the penalties


def hand_l1_penalty(model: Any, lam: float) -> Any:
    """The apx listings' L1 term: ``λ₁·Σ_{θ: θ.dim() > 1} Σ|θ_ij|`` (weight matrices; vectors such as
    biases and norm-layer scales are left out). Its gradient is ``λ₁·sign(W)``, with torch's
    subgradient 0 at an entry that is exactly 0."""
    total: Any = 0.0
    for param in model.parameters():
        if param.dim() > 1:
            total = total + param.abs().sum()
    return lam * total


def name_filter(model: Any) -> list[str]:
    """The names the pydl ``Regularization`` module selects: those of ``model.named_parameters()`` that
    contain the substring ``'weight'`` anywhere in the dotted name."""
    return [name for name, _ in model.named_parameters() if "weight" in name]


def name_norm_penalty(model: Any, weight_decay: float, p: float = 2) -> Any:
    """The pydl ``Regularization`` module's penalty: ``wd·Σ_{name ∋ 'weight'} torch.norm(W, p)``.

    For p = 2 this is the unsquared Frobenius norm of each selected tensor (degree 1, gradient
    ``wd·W/‖W‖_F``: a group-lasso penalty, not weight decay); for p = 1 the L1 norm (μ = wd); for p = 0
    the number of nonzero entries, whose gradient is zero (no regularisation).
    """
    import torch

    params = dict(model.named_parameters())
    total: Any = 0.0
    for name in name_filter(model):
        total = total + torch.norm(params[name], p=p)
    return weight_decay * total


def printed_regularization() -> type:
    """A class with the structure of the pydl ``Regularization`` module as printed (re-implemented):
    its constructor exits the process with status 0 (``SystemExit(0)``) when ``weight_decay ≤ 0``, and
    otherwise calls a weight-printing method the class never defines (an ``AttributeError``). Its
    ``forward(model)`` would return :func:`name_norm_penalty`. Built on call, so that this module
    imports without torch."""
    from torch import nn

    class PrintedRegularization(nn.Module):
        def __init__(self, model: Any, weight_decay: float, p: float = 2) -> None:
            super().__init__()
            if weight_decay <= 0:
                print(f"weight_decay must be > 0; got {weight_decay}")
                sys.exit(0)
            self.model = model
            self.weight_decay = weight_decay
            self.p = p
            self.weight_list = name_filter(model)
            self.weight_info(self.weight_list)  # type: ignore[operator]  # never defined, as printed

        def forward(self, model: Any) -> Any:
            return name_norm_penalty(model, self.weight_decay, self.p)

    return PrintedRegularization


# ------------------------------------------------------------------------------------- helpers


def _worst(
    tracker: LabelledTracker, label: str, diff: NDArray[np.floating[Any]], tol: NDArray[np.floating[Any]]
) -> float:
    """Add the entry with the largest ``diff/tol`` to ``tracker``; return that ratio."""
    j = int(np.argmax(diff / tol))
    tracker.add(label, float(diff[j]), float(tol[j]))
    return float(diff[j] / tol[j])


def _must_exceed(tracker: LabelledTracker, label: str, bound: float, measured: float) -> None:
    """A case that passes when ``measured`` exceeds ``bound`` (an effect larger than rounding): its error
    is the bound and its tolerance the measurement, so ``max_error/tolerance`` < 1 reads as "exceeds"
    (a measurement of 0 becomes the smallest positive float: the case then fails, it does not crash)."""
    tracker.add(f"{label} (must exceed)", bound, max(measured, sys.float_info.min))


def _mse(model: Any, X: Any, Y: Any) -> Any:
    return ((model(X) - Y) ** 2).mean()


def _half_l2(model: Any, lam: float, only: Callable[[str, Any], bool] | None = None) -> Any:
    total: Any = 0.0
    for name, p in model.named_parameters():
        if only is None or only(name, p):
            total = total + (p * p).sum()
    return (lam / 2.0) * total


# ------------------------------------------------------------------------------------- apx: Adam L2


@register_evidence(
    "src.apx.adam_l2",
    "Adam(weight_decay=λ) = Adam on loss + (λ/2)Σ‖θ‖² (all parameters), step by step; ≠ AdamW; its "
    "per-step shrink is not 1 − ηλ (SGD's is)",
)
def _apx_adam_l2(ctx: CheckContext) -> CheckResult:
    """The text "L1、L2 和弹性网络正则化" (``apx``) writes L2 as ``Adam(params, weight_decay=λ)``.

    Equation: torch's Adam adds λθ to the gradient before the moments, so one step of
    ``Adam(weight_decay=λ)`` on L equals one step of plain Adam on ``L + (λ/2)‖θ‖²`` from the same
    state (Loshchilov & Hutter, "Decoupled weight decay regularization", ICLR 2019, Prop. 2; theorem
    opt.adam_not_equiv). Checked step by step (:func:`theory.empirical.optimizers.decay_step`, which
    re-syncs the two after each step), with the per-entry tolerance of
    :func:`theory.empirical.optimizers.adam_step_bound` (the two routes' gradients differ by ≤ 4 eps,
    propagated through Adam's update to first order, plus Adam's own ≈ 10 roundings). Then two effects
    that must exceed 100× that rounding bound: AdamW from the same state differs from Adam(wd), and
    Adam's per-step decay contribution is not −ηλθ. Finally SGD(weight_decay) from the same parameters
    is exactly ``(1 − ηλ)θ − η∇L`` within :func:`~theory.empirical.optimizers.sgd_step_bound`.
    """
    device = _device(ctx)
    import torch

    from theory.empirical import optimizers as O

    X, y = diabetes()
    Xt, Yt = _tensors(X, y, device)

    def loss(model: Any) -> Any:
        return _mse(model, Xt, Yt)

    tracker = LabelledTracker()
    notes = []
    # (λ, η): the apx listing's Adam(lr=0.001, weight_decay=0.01); the pydl line's weight_decay=0.01
    # with a larger learning rate (it gives none)
    cases = [(0.01, 1e-3), (0.01, 1e-2)] + ([(0.1, 3e-3)] if ctx.thorough else [])
    steps = ctx.cases(25, 200)
    with _small():
        for k, (lam, lr) in enumerate(cases):
            a = mlp(_seed(ctx, 700 + k), device)
            b, w = _copy(a), _copy(a)
            opt_a = torch.optim.Adam(a.parameters(), lr=lr, weight_decay=lam)
            opt_b = torch.optim.Adam(b.parameters(), lr=lr)
            opt_w = torch.optim.AdamW(w.parameters(), lr=lr, weight_decay=lam)
            worst_eq = 0.0
            adamw_gap: list[float] = []
            adamw_bound: list[float] = []
            for _ in range(steps):
                # AdamW from the same state as Adam (its moments see the data gradient only)
                O.sync_state(a, opt_a, w, opt_w)
                step = O.decay_step(
                    a, opt_a, b, opt_b, loss, lam, penalty=lambda m, lam=lam: _half_l2(m, lam)
                )
                t = O.adam_state(opt_a, a)[2]
                worst_eq = max(
                    worst_eq,
                    _worst(
                        tracker,
                        f"Adam(wd={lam}, lr={lr}) vs Adam on loss + (λ/2)‖θ‖², step {t}",
                        step.error,
                        step.bound,
                    ),
                )
                opt_w.zero_grad()
                loss(w).backward()
                opt_w.step()
                adamw_gap.append(float(np.median(np.abs(_flat(w) - step.decayed))))
                adamw_bound.append(float(np.median(step.bound)))
            gap, bound = float(np.median(adamw_gap)), float(np.median(adamw_bound))
            _must_exceed(
                tracker,
                f"Adam(wd={lam}, lr={lr}): 100× rounding bound vs its median gap to AdamW",
                100.0 * bound,
                gap,
            )
            notes.append(
                f"λ={lam}, η={lr}: worst ratio {worst_eq:.2g}, median |Adam − AdamW| {gap:.2g} "
                f"({gap / bound:.2g}× its rounding bound)"
            )

            # the per-step shrink: Adam's decay contribution Δ_wd − Δ_0 against −ηλθ (SGD's, exactly)
            a0, dec = _copy(a), _copy(a)
            opt_0 = torch.optim.Adam(a0.parameters(), lr=lr)
            opt_d = torch.optim.Adam(dec.parameters(), lr=lr, weight_decay=lam)
            O.sync_state(a, opt_a, a0, opt_0)
            O.sync_state(a, opt_a, dec, opt_d)
            theta = _flat(a)
            for model, opt in ((dec, opt_d), (a0, opt_0)):
                opt.zero_grad()
                _mse(model, Xt, Yt).backward()
                opt.step()
            m, v, t = O.adam_state(opt_d, dec)
            contribution = _flat(dec) - _flat(a0)
            big = np.abs(theta) > 1e-3 * float(np.max(np.abs(theta)))
            ratio = contribution[big] / (-lr * lam * theta[big])
            tol = O.adam_step_bound(theta, np.zeros_like(theta), lam, lr, m, v, t, contribution)
            deviation = float(np.median(np.abs(contribution + lr * lam * theta)))
            _must_exceed(
                tracker,
                f"Adam(wd={lam}, lr={lr}) step {t}: 100× rounding bound vs median |Adam's decay "
                "contribution − (−ηλθ)|",
                100.0 * float(np.median(tol)),
                deviation,
            )
            notes.append(
                f"Adam's decay contribution at step {t} is {np.median(ratio):.3g}× ηλθ (median; range "
                f"{ratio.min():.3g} to {ratio.max():.3g}), a per-step factor 1 − {np.median(ratio):.3g}ηλ"
            )

            # SGD(weight_decay) from the same parameters: exactly (1 − ηλ)θ − η∇L
            s = _copy(a)
            opt_s = torch.optim.SGD(s.parameters(), lr=lr, weight_decay=lam)
            theta = _flat(s)
            opt_s.zero_grad()
            _mse(s, Xt, Yt).backward()
            g_data = O.flat_gradients(s)
            opt_s.step()
            expected = (1.0 - lr * lam) * theta - lr * g_data
            _worst(
                tracker,
                f"SGD(wd={lam}, lr={lr}) step vs (1 − ηλ)θ − η∇L",
                np.abs(_flat(s) - expected),
                O.sgd_step_bound(theta, g_data, lr, lam),
            )
    return tracker.result(
        f"{steps} steps per case on Linear(10,20)–ReLU–Linear(20,1), diabetes; " + "; ".join(notes)
    )


# ------------------------------------------------------------------------------------- apx: hand L1


def _lasso(X: FloatArray, y: FloatArray, l1: float, l2: float = 0.0) -> tuple[FloatArray, float, Any]:
    """The project's elastic-net (lasso for α₂ = 0) solution of ``(1/2n)‖Xw − (y − ȳ)‖² + α₁‖w‖₁ +
    (α₂/2)‖w‖²``: one point of the homotopy path ``Quadratic.elastic_net_path`` (enet.path), whose
    inactive coordinates are exact zeros; returns (w, its KKT violation, the Quadratic)."""
    from theory.quadratic import Quadratic

    q = Quadratic.from_regression(X, y - y.mean())
    path = q.elastic_net_path([l1], l2=l2)
    return np.asarray(path.W[0], dtype=np.float64), float(path.kkt_violation[0]), q


def _distance_bound(q: Any, kkt: float, w: FloatArray, l2: float) -> float:
    """``‖w − w_opt‖₂ ≤ √d·(kkt + δ)/μ`` for ``F = J + α₁‖w‖₁ + (α₂/2)‖w‖²``, μ = λ_min(H) + α₂ (F is
    μ-strongly convex; Nesterov, *Lectures on Convex Optimization*, 2018, Thm 2.1.10), with δ the
    rounding of the computed gradient ``Hw − Hw* + α₂w``
    (:func:`theory.numerics.elastic_net_agreement_tolerance` makes the same argument for diagonal H)."""
    mu = float(q.eigenvalues[0]) + l2
    if not mu > 0:
        raise InputError(f"the distance bound needs λ_min(H) + α₂ > 0; got {mu}")
    lam_max = float(q.eigenvalues[-1])
    delta = 4.0 * q.d * EPS * (lam_max * float(np.max(np.abs(w))) + float(np.max(np.abs(q.gradient(0 * w)))))
    return math.sqrt(q.d) * (kkt + delta) / mu


@register_evidence(
    "src.apx.l1_sgd",
    "hand L1 on dim > 1 + SGD: touches weights only, gradient λ₁sign(W) (0 at 0); SGD leaves no exact "
    "zeros (hovers within η(λ₁ + |g|) of the lasso's zeros), a proximal step keeps them",
)
def _apx_l1_sgd(ctx: CheckContext) -> CheckResult:
    """The apx text's hand-written L1: ``λ₁·Σ_{θ.dim() > 1} Σ|θ|`` added to the loss, trained with SGD.

    Equations: its gradient is λ₁·sign(W) on the matrices (torch's subgradient is 0 at W = 0) and none
    on the vectors; on ``Linear(10, 1)`` with centred diabetes data, ``MSE + λ₁‖w‖₁ = 2(J + (λ₁/2)‖w‖₁)``,
    whose minimiser is the project's lasso (coordinate descent, :func:`_lasso`, with its KKT bound
    :func:`_distance_bound`). SGD's subgradient steps never land on 0: entries at the lasso's zeros hover
    within η(λ₁ + max|g|) of it, while a proximal (ISTA) step keeps them exactly 0 (Beck & Teboulle,
    "A fast iterative shrinkage-thresholding algorithm", 2009). Tolerances: the gradient entries within
    2 eps·λ₁ (one multiplication and one sign); "zero" is 10·d·eps·max|w| (the rounding of the lasso
    solution's d-term sums); the distance to the optimum is the KKT bound √d·(kkt + δ)/μ.
    """
    device = _device(ctx)
    import torch

    X, y = diabetes()
    Xt, Yt = _tensors(X, y - y.mean(), device)
    tracker = LabelledTracker()
    notes = []
    with _small():
        # (1) the MLP: which parameters the term touches, and its gradient
        model = mlp(_seed(ctx, 710), device)
        lam1 = 0.005  # the listing's λ₁
        with torch.no_grad():
            model[0].weight[0, 0] = 0.0  # an entry at exactly 0: torch's subgradient there
        hand_l1_penalty(model, lam1).backward()
        for name, p in model.named_parameters():
            if p.dim() > 1:
                assert p.grad is not None
                expected = lam1 * torch.sign(p.detach())
                err = float((p.grad - expected).abs().max())
                tracker.add(f"∂(λ₁Σ|W|)/∂{name} vs λ₁·sign({name})", err, 2.0 * EPS * lam1)
            else:
                # a tensor the term does not involve has no gradient at all (structural, not a float)
                tracker.add(f"{name} (dim 1) is touched", float(p.grad is not None), 0.5)
        touched = [n for n, p in model.named_parameters() if p.grad is not None]
        notes.append(f"touches {touched}, gradient at a zero entry {float(model[0].weight.grad[0, 0]):g}")

        # (2) the linear model Linear(10, 1) on centred data, from the lasso solution itself
        lam1, lr, steps = 0.1, 0.05, ctx.cases(300, 3000)  # MSE + λ₁‖W‖₁ = 2(J + (λ₁/2)‖w‖₁)
        alpha1 = lam1 / 2.0
        w_l, kkt, q = _lasso(X, y, alpha1)
        zeros = np.abs(w_l) <= 1e-300  # the path's inactive set: exact zeros by construction
        thr = 10.0 * q.d * EPS * float(np.max(np.abs(w_l)))  # rounding-level |w|: "is zero"
        for kind in ("sgd", "prox"):
            lin = _linear(device, 0)
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(w_l, dtype=torch.float64).reshape(1, -1))
                lin.bias.zero_()
            opt = torch.optim.SGD(lin.parameters(), lr=lr)
            min_zero_abs, max_zero_abs, max_g = math.inf, 0.0, 0.0
            for _ in range(steps):
                opt.zero_grad()
                if kind == "sgd":
                    (_mse(lin, Xt, Yt) + hand_l1_penalty(lin, lam1)).backward()
                    g_data = lin.weight.grad - lam1 * torch.sign(lin.weight.detach())
                    max_g = max(
                        max_g, float(g_data[0, torch.as_tensor(zeros, device=g_data.device)].abs().max())
                    )
                    opt.step()
                else:  # ISTA: a gradient step on the MSE, then the soft threshold S_{ηλ₁}
                    _mse(lin, Xt, Yt).backward()
                    opt.step()
                    with torch.no_grad():
                        W = lin.weight
                        W.copy_(torch.sign(W) * torch.clamp(W.abs() - lr * lam1, min=0.0))
                w = lin.weight.detach().cpu().numpy().ravel()
                min_zero_abs = min(min_zero_abs, float(np.min(np.abs(w[zeros]))))
                max_zero_abs = max(max_zero_abs, float(np.max(np.abs(w[zeros]))))
            n_zero = int(np.sum(np.abs(w) <= thr))
            if kind == "sgd":
                # no entry within rounding of 0, at any step: the subgradient step never lands on 0
                _must_exceed(
                    tracker,
                    f"SGD: smallest |w_i| over {steps} steps at the lasso's zeros vs the rounding threshold",
                    thr,
                    min_zero_abs,
                )
                # and the entries hover: |w_i| ≤ η(λ₁ + max|g_i|), given max|g_i| < λ₁ (KKT margin)
                tracker.add(
                    "SGD: max|w_i| at the lasso's zeros vs η(λ₁ + max|∂MSE/∂w_i|)",
                    max_zero_abs,
                    lr * (lam1 + max_g) * (1.0 + 8.0 * EPS),
                )
                tracker.add("SGD: max|∂MSE/∂w_i| at the lasso's zeros vs λ₁ (KKT margin)", max_g, lam1)
                notes.append(
                    f"lasso (α₁ = λ₁/2 = {alpha1}) has {int(zeros.sum())} zeros; SGD (η = {lr}) from it: "
                    f"{n_zero} entries within {thr:.2g} of 0, the lasso's zeros at |w| in "
                    f"[{min_zero_abs:.2g}, {max_zero_abs:.2g}] (ηλ₁ = {lr * lam1:.2g})"
                )
            else:
                tracker.add(
                    "prox: entries within rounding of 0 vs the lasso's zero count",
                    abs(n_zero - int(zeros.sum())),
                    0.5,
                )
                # ISTA is a contraction towards w_opt: ‖w − w_l‖ ≤ ‖w − w_opt‖ + ‖w_l − w_opt‖ ≤ 2 bound
                bound = 2.0 * _distance_bound(q, kkt, w_l, 0.0) + thr
                tracker.add(
                    "prox: ‖w_ISTA − w_lasso‖₂ vs the KKT distance bound",
                    float(np.linalg.norm(w - w_l)),
                    bound,
                )
                notes.append(f"proximal steps keep {n_zero} exact zeros, max|w| there {max_zero_abs:g}")
    return tracker.result("; ".join(notes))


# ------------------------------------------------------------------------------------- apx: elastic net


@register_evidence(
    "src.apx.enet_adam",
    "hand L1 + Adam(weight_decay): stationary for MSE + λ₁Σ_{dim>1}‖W‖₁ + (λ₂/2)Σ_all‖θ‖² (biases in the "
    "L2 part only), the project's elastic net; Adam leaves no exact zeros",
)
def _apx_enet_adam(ctx: CheckContext) -> CheckResult:
    """The apx text's elastic net: the hand L1 on the matrices plus ``Adam(weight_decay=λ₂)``.

    Equation: Adam's weight_decay adds λ₂θ to every parameter's gradient (see :func:`_apx_adam_l2`), so
    the stationary points are those of ``MSE + λ₁Σ_{dim>1}‖W‖₁ + (λ₂/2)Σ_all‖θ‖²``: on ``Linear(10, 1)``
    the project's elastic net ``2(J + α₁‖w‖₁ + (α₂/2)‖w‖²)`` with α = λ/2, the bias in the L2 part only
    (b = 2ȳ/(2 + λ₂) with centred X). Checked: the gradient Adam's moments see, g + λ₂θ, vanishes on the
    support and on the bias and is ≤ λ₁ at the zeros (KKT), within the path's KKT violation (×2 for
    MSE's units) plus the rounding of the torch gradient's n = 442-row sums; real Adam started at the
    solution leaves the exact zeros (by more than 100× rounding) and stays within 10η of it.
    """
    device = _device(ctx)
    import torch

    X, y = diabetes()  # y not centred: the bias has an intercept to fit, shrunk by the L2 part
    Xt, Yt = _tensors(X, y, device)
    lam1, lam2 = 0.1, 0.1
    alpha1, alpha2 = lam1 / 2.0, lam2 / 2.0  # MSE + λ₁‖w‖₁ + (λ₂/2)‖w‖² = 2(J + α₁‖w‖₁ + (α₂/2)‖w‖²)
    w_e, kkt, q = _lasso(X, y, alpha1, alpha2)
    b_e = 2.0 * float(y.mean()) / (2.0 + lam2)  # ∂/∂b[(b − ȳ)² + (λ₂/2)b²] = 0 (X centred)
    zeros = np.abs(w_e) <= 1e-300
    tracker = LabelledTracker()
    with _small():
        lin = _linear(device, _seed(ctx, 720))
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(w_e, dtype=torch.float64).reshape(1, -1))
            lin.bias.fill_(b_e)
        # (1) the gradient Adam's moments see, g + λ₂θ (src.apx.adam_l2), at the elastic-net solution
        lin.zero_grad()
        (_mse(lin, Xt, Yt) + hand_l1_penalty(lin, lam1)).backward()
        g_w = lin.weight.grad.detach().cpu().numpy().ravel() + lam2 * w_e
        g_b = float(lin.bias.grad) + lam2 * b_e
        # the path's KKT violation is in J's units (×2 in MSE's); rounding of the torch gradient: its
        # terms are of size ‖H‖·|w| + |Hw*| + λ's, summed over n = 442 rows
        scale = (
            2.0
            * (
                float(q.eigenvalues[-1]) * float(np.max(np.abs(w_e)))
                + float(np.max(np.abs(q.gradient(0 * w_e))))
            )
            + lam1
            + lam2
        )
        rnd = 10.0 * X.shape[0] * EPS * (scale + abs(b_e))
        tol = 2.0 * kkt + rnd
        tracker.add("|∂/∂w_i| on the support at the enet solution", float(np.max(np.abs(g_w[~zeros]))), tol)
        tracker.add("|∂/∂b| at b = 2ȳ/(2 + λ₂) (bias in the L2 part, not the L1 part)", abs(g_b), tol)
        g_off = np.abs(g_w[zeros])
        tracker.add("|∂MSE/∂w_i| ≤ λ₁ at the enet zeros (KKT)", float(np.max(g_off)), lam1 + tol)
        # (2) real Adam with the listing's loss, from the solution: it leaves the zeros (torch's
        # subgradient there is 0, so the step is −η·m̂/(√v̂+ε) of the data gradient) and hovers
        opt = torch.optim.Adam(lin.parameters(), lr=1e-3, weight_decay=lam2)
        steps = ctx.cases(300, 3000)
        thr = 10.0 * q.d * EPS * float(np.max(np.abs(w_e)))
        min_zero, drift = math.inf, 0.0
        for _ in range(steps):
            opt.zero_grad()
            (_mse(lin, Xt, Yt) + hand_l1_penalty(lin, lam1)).backward()
            opt.step()
            w = lin.weight.detach().cpu().numpy().ravel()
            min_zero = min(min_zero, float(np.min(np.abs(w[zeros]))))
            drift = max(drift, float(np.max(np.abs(w - w_e))), abs(float(lin.bias.detach()) - b_e))
        _must_exceed(
            tracker,
            f"Adam: smallest |w_i| at the enet zeros over {steps} steps vs rounding threshold",
            thr,
            min_zero,
        )
        tracker.tracker.empirical_tolerance(
            "Adam on a nonsmooth objective has no fixed point at a zero entry; its distance from the "
            "solution is held to 10 learning rates, a scale, not a bound"
        )
        tracker.add("Adam: max|θ − θ_enet| over the run vs 10η", drift, 10.0 * 1e-3)
    return tracker.result(
        f"Linear(10,1) on diabetes, λ₁ = {lam1}, λ₂ = {lam2} (α₁ = {alpha1}, α₂ = {alpha2} on "
        f"(1/2n)‖r‖²); enet has {int(zeros.sum())} zeros, b = {b_e:.4g}; Adam from it: min |w| at the "
        f"zeros {min_zero:.2g}, max drift {drift:.2g}"
    )


# ------------------------------------------------------------------------------------- pydl: Regularization


def _selected(model: Any) -> list[Any]:
    params = dict(model.named_parameters())
    return [params[n] for n in name_filter(model)]


@register_evidence(
    "src.pydl.regularization_p2",
    "Regularization(p=2): wd·Σ‖W‖_F unsquared (degree 1, gradient wd·W/‖W‖_F of norm wd per tensor): a "
    "group-lasso penalty with constant pull, not weight decay",
)
def _pydl_p2(ctx: CheckContext) -> CheckResult:
    """The text "《python深度学习》笔记(十三):正则化" (``pydl``): its ``Regularization`` module with p = 2.

    Equation: ``P = wd·Σ_{name ∋ 'weight'} ‖W‖_F`` (unsquared): homogeneous of degree 1,
    P(cθ) = c·P(θ); gradient wd·W/‖W‖_F, of norm wd whatever ‖W‖ (a group-lasso penalty, Yuan & Lin,
    "Model selection and estimation in regression with grouped variables", 2006, not weight decay's
    λW). Plain SGD on P alone shrinks ‖W‖ by ηwd per step, reaching 0 after ‖W_0‖/(ηwd) steps, where
    weight decay would leave (1 − ηλ)^t‖W_0‖. Tolerances: a sum of n squares, a sqrt and an outer sum
    carry n + 4 roundings, so 2(n + 4)·eps relative (4(n + 4) for the scaled and gradient comparisons,
    which compare two such computations; 4t(n + 4) after t SGD steps, the errors adding).
    """
    device = _device(ctx)
    import torch

    wd = 0.01
    tracker = LabelledTracker()
    with _small():
        model = mlp(_seed(ctx, 730), device)
        sel = _selected(model)
        norms = [float(torch.sqrt((W.detach() ** 2).sum())) for W in sel]
        value = name_norm_penalty(model, wd, 2).item()
        expected = wd * sum(norms)
        # the sums of squares: n roundings each (n entries), the sqrt and the outer sum a few more
        n_max = max(W.numel() for W in sel)
        tracker.add(
            "value vs wd·Σ‖W‖_F (unsquared)", abs(value - expected), 2.0 * (n_max + 4) * EPS * expected
        )
        # degree 1: P(cθ) = c·P(θ) (and not c²·P(θ) as for L2)
        for c in (2.0, 0.5, 3.0):
            scaled = _copy(model)
            with torch.no_grad():
                for p in scaled.parameters():
                    p.mul_(c)
            v_c = name_norm_penalty(scaled, wd, 2).item()
            tracker.add(
                f"P({c}θ) vs {c}·P(θ) (degree 1)", abs(v_c - c * value), 4.0 * (n_max + 4) * EPS * c * value
            )
        # the gradient: wd·W/‖W‖_F, of norm wd whatever ‖W‖
        model.zero_grad()
        name_norm_penalty(model, wd, 2).backward()
        for W, nrm in zip(sel, norms, strict=True):
            assert W.grad is not None
            err = float((W.grad - wd * W.detach() / nrm).abs().max())
            tracker.add(
                "∂P/∂W vs wd·W/‖W‖_F", err, 4.0 * (n_max + 4) * EPS * wd / nrm * float(W.detach().abs().max())
            )
            gnorm = float(torch.sqrt((W.grad**2).sum()))
            tracker.add("‖∂P/∂W‖_F vs wd (constant)", abs(gnorm - wd), 4.0 * (n_max + 4) * EPS * wd)
        # SGD on the penalty alone: ‖W_t‖ = ‖W_0‖ − tηwd (constant pull; L2 would give (1 − ηλ)^t‖W_0‖),
        # so the whole tensor reaches 0 (within ηwd) after ‖W_0‖/(ηwd) steps
        lr = 1.0
        W = model[2].weight  # 1×20
        w0 = float(torch.sqrt((W.detach() ** 2).sum()))
        t_zero = int(w0 / (lr * wd))
        opt = torch.optim.SGD([W], lr=lr)
        for t in range(1, t_zero + 1):
            opt.zero_grad()
            (wd * torch.norm(W, p=2)).backward()
            opt.step()
            if t in (1, t_zero // 2, t_zero):
                nrm = float(torch.sqrt((W.detach() ** 2).sum()))
                tracker.add(
                    f"SGD on wd·‖W‖_F alone, step {t}: ‖W_t‖ vs ‖W_0‖ − tηwd",
                    abs(nrm - (w0 - t * lr * wd)),
                    4.0 * t * (W.numel() + 4) * EPS * w0,
                )
        final = float(torch.sqrt((W.detach() ** 2).sum()))
        tracker.add(f"after ‖W_0‖/(ηwd) = {t_zero} steps, ‖W‖ vs ηwd (the whole tensor at 0)", final, lr * wd)
        l2_final = w0 * (1.0 - lr * wd) ** t_zero
    return tracker.result(
        f"wd = {wd} on Linear(10,20)–ReLU–Linear(20,1): selected {name_filter(model)}; SGD (η = {lr}) on "
        f"wd·‖W‖_F takes the 1×20 weight from ‖W‖ = {w0:.3g} to {final:.2g} in {t_zero} steps; "
        f"weight decay λ = wd would leave (1 − ηλ)^t‖W_0‖ = {l2_final:.3g}"
    )


@register_evidence(
    "src.pydl.regularization_p1", "Regularization(p=1): wd·Σ_{name∋'weight'}‖W‖₁ = L1 with μ = wd"
)
def _pydl_p1(ctx: CheckContext) -> CheckResult:
    """The pydl ``Regularization`` module with p = 1: ``wd·Σ_{name ∋ 'weight'} ‖W‖₁``, an L1 with μ = wd.

    Equation: value wd·Σ|W_ij|, gradient wd·sign(W) on the selected tensors and none on the biases.
    Tolerances: the value, a sum of n absolute values, 2(n + 4)·eps relative; each gradient entry
    4·eps·wd (a sign and a product); the biases' gradient is structural (None or not), counted against 0.5.
    """
    device = _device(ctx)
    import torch

    wd = 0.01
    tracker = LabelledTracker()
    with _small():
        model = mlp(_seed(ctx, 731), device)
        sel = _selected(model)
        l1 = sum(float(W.detach().abs().sum()) for W in sel)
        n = sum(W.numel() for W in sel)
        value = name_norm_penalty(model, wd, 1).item()
        tracker.add("value vs wd·Σ|W_ij| (μ = wd)", abs(value - wd * l1), 2.0 * (n + 4) * EPS * wd * l1)
        model.zero_grad()
        name_norm_penalty(model, wd, 1).backward()
        for W in sel:
            assert W.grad is not None
            err = float((W.grad - wd * torch.sign(W.detach())).abs().max())
            tracker.add("∂P/∂W vs wd·sign(W)", err, 4.0 * EPS * wd)
        # the biases ('0.bias', '2.bias') are not selected: no gradient reaches them
        missed = [n for n, p in model.named_parameters() if p.grad is None]
        tracker.add(
            "biases left out (count of bias tensors with a gradient)",
            float(sum(1 for n, p in model.named_parameters() if "bias" in n and p.grad is not None)),
            0.5,
        )
    return tracker.result(f"wd = {wd}: value {value:.6g} = wd·Σ|W|; untouched: {missed}")


@register_evidence(
    "src.pydl.regularization_p0",
    "Regularization(p=0), said to be L2: torch.norm(W, 0) counts nonzeros, gradient 0: no regularisation",
)
def _pydl_p0(ctx: CheckContext) -> CheckResult:
    """The pydl ``Regularization`` module with p = 0, which the text presents as L2.

    Equation: ``torch.norm(W, p=0)`` counts the nonzero entries, so P = wd·#{W_ij ≠ 0}: piecewise
    constant, gradient exactly 0, and SGD with the term takes the same steps as SGD without it. Not
    (wd/2)‖W‖². Tolerances: the value 4·eps·wd·count (a count is exact, the product and sum round);
    the gradient against eps·wd·min|W|, the rounding of the smallest entry of an L2 gradient wd·W that
    it would have; the two SGD runs against eps·max|θ| (they must agree to the last bit, up to one
    rounding).
    """
    device = _device(ctx)
    import torch

    wd = 0.01
    X, y = diabetes()
    Xt, Yt = _tensors(X, y, device)
    tracker = LabelledTracker()
    with _small():
        model = mlp(_seed(ctx, 732), device)
        sel = _selected(model)
        count = sum(int(torch.count_nonzero(W)) for W in sel)
        l2 = sum(float((W.detach() ** 2).sum()) for W in sel)
        value = name_norm_penalty(model, wd, 0).item()
        tracker.add(
            "value vs wd·(number of nonzero entries)", abs(value - wd * count), 4.0 * EPS * wd * count
        )
        model.zero_grad()
        name_norm_penalty(model, wd, 0).backward()
        g = max(float(W.grad.abs().max()) if W.grad is not None else 0.0 for W in sel)
        # L2 with λ = wd would give a gradient of size wd·|W|: the measured one must be far below it
        smallest = min(float(W.detach().abs().min()) for W in sel)
        tracker.add(
            "max|∂P/∂W| vs the rounding of an L2 gradient wd·|W| (p = 0 has none)", g, EPS * wd * smallest
        )
        # SGD with the p = 0 term is SGD without it, step for step
        a, b = _copy(model), _copy(model)
        opt_a = torch.optim.SGD(a.parameters(), lr=0.05)
        opt_b = torch.optim.SGD(b.parameters(), lr=0.05)
        for _ in range(ctx.cases(20, 200)):
            opt_a.zero_grad()
            (_mse(a, Xt, Yt) + name_norm_penalty(a, wd, 0)).backward()
            opt_a.step()
            opt_b.zero_grad()
            _mse(b, Xt, Yt).backward()
            opt_b.step()
        diff = float(np.max(np.abs(_flat(a) - _flat(b))))
        tracker.add(
            "SGD with the p = 0 penalty vs without it, after the run",
            diff,
            EPS * float(np.max(np.abs(_flat(b)))),
        )
    return tracker.result(
        f"wd = {wd}: P = {value:g} = wd × {count} nonzero entries (wd·‖W‖²/2 would be {wd * l2 / 2:.4g}); "
        f"gradient {g:g}; training unchanged (max difference {diff:g})"
    )


@register_evidence(
    "src.pydl.name_filter",
    "the 'weight' in name filter on real modules: selects norm-layer scales, embeddings, recurrent "
    "weights, in_proj_weight; misses biases and parameters not named 'weight'; matches substrings",
)
def _pydl_name_filter(ctx: CheckContext) -> CheckResult:
    """The pydl module's selection rule, ``'weight' in name`` over ``named_parameters()``, on real modules.

    No equation: a table of roles built from the modules' types (normalisation scales, biases, the
    rest) predicts what a substring test on names selects (norm-layer γ and embeddings, recurrent and
    attention ``*weight*`` matrices, and any name containing "weight", even a bias inside a submodule so
    named; not parameters called otherwise). The count of names where filter and table disagree must be
    0 (structural, compared with 0.5: no rounding involved).
    """
    _device(ctx)
    import torch
    from torch import nn

    class Gated(nn.Module):
        """A module with a parameter not named weight and a submodule whose name contains 'weight'."""

        def __init__(self) -> None:
            super().__init__()
            self.kernel = nn.Parameter(torch.zeros(4, 4))
            self.weighting = nn.Linear(4, 1)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(_seed(ctx, 733))
        models = {
            "TransformerEncoderLayer": nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16),
            "MultiheadAttention(kdim≠embed)": nn.MultiheadAttention(8, 2, kdim=4, vdim=4),
            "Embedding+GRU": nn.ModuleDict({"emb": nn.Embedding(20, 8), "gru": nn.GRU(8, 8)}),
            "Conv+BatchNorm": nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU()),
            "custom": Gated(),
        }
    tracker = LabelledTracker()
    found = []
    for label, module in models.items():
        chosen = set(name_filter(module))
        # the reference, from the modules' types: each module's own parameters by their role
        norm_scales, biases, others = set(), set(), set()
        for mod_name, mod in module.named_modules():
            for p_name, _ in mod.named_parameters(recurse=False):
                full = f"{mod_name}.{p_name}" if mod_name else p_name
                if isinstance(mod, (nn.LayerNorm, nn.BatchNorm2d)) and p_name == "weight":
                    norm_scales.add(full)
                elif "bias" in p_name:
                    biases.add(full)
                else:
                    others.add(full)
        substring_biases = {b for b in biases if "weight" in b}
        expected_in = {o for o in others if "weight" in o.rsplit(".", 1)[-1]} | norm_scales | substring_biases
        tracker.add(
            f"{label}: names where the filter and the role table disagree",
            float(len(chosen ^ expected_in)),
            0.5,
        )
        found.append(
            f"{label}: selects {sorted(chosen)}; norm scales among them {sorted(norm_scales & chosen)}; "
            f"misses {sorted(set(dict(module.named_parameters())) - chosen)}"
        )
    return tracker.result(" | ".join(found))


@register_evidence(
    "src.pydl.listing_defects",
    "the Regularization module as printed: wd > 0 → AttributeError (weight_info undefined); wd ≤ 0 → "
    "the process exits with status 0",
)
def _pydl_listing_defects(ctx: CheckContext) -> CheckResult:
    """The pydl ``Regularization`` module as printed (:func:`printed_regularization`, re-implemented).

    No equation: constructing it with wd > 0 raises AttributeError naming ``weight_info`` (used before
    it is defined), and with wd ≤ 0 it prints a message and exits the process with status 0 (success).
    Each outcome is structural (an exception or not), compared with 0.5.
    """
    device = _device(ctx)
    import contextlib
    import io

    cls = printed_regularization()
    model = mlp(_seed(ctx, 734), device)
    tracker = LabelledTracker()
    outcome = []
    try:
        cls(model, 0.01)
        tracker.add("constructing with wd = 0.01 raised no AttributeError", 1.0, 0.5)
    except AttributeError as exc:
        ok = "weight_info" in str(exc)
        tracker.add("the AttributeError names weight_info", float(not ok), 0.5)
        outcome.append(f"wd = 0.01: AttributeError ({exc})")
    for wd in (0.0, -0.01):
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                cls(model, wd)
            tracker.add(f"wd = {wd}: no SystemExit", 1.0, 0.5)
        except SystemExit as stop:
            tracker.add(f"wd = {wd}: exit status is 0 (success)", float(stop.code not in (0, None)), 0.5)
            outcome.append(f"wd = {wd}: SystemExit({stop.code}) after printing {out.getvalue().strip()!r}")
    return tracker.result("; ".join(outcome))


# ------------------------------------------------------------------------------------- manhua


@register_evidence(
    "src.manhua.sgd_wd",
    "SGD(weight_decay=1e-4) = SGD on Loss + ½λ‖θ‖², λ = 1e-4, over all parameters (biases too), step "
    "by step; the formula's w (weights only) differs on the biases",
)
def _manhua_sgd_wd(ctx: CheckContext) -> CheckResult:
    """The text "【漫话机器学习系列】245.权重衰减(Weight Decay)" (``manhua``): ``SGD(weight_decay=1e-4)``
    against its formula ``Loss + ½λ‖w‖²``.

    Equation: ``SGD(weight_decay=λ)`` steps ``θ ← θ − η(∇L + λθ)`` on every parameter, biases included:
    one step equals SGD on ``L + (λ/2)‖θ‖²`` from the same parameters (Loshchilov & Hutter 2019, Prop. 1;
    theorem opt.sgd_equiv). Checked step by step with :func:`theory.empirical.optimizers.decay_step`
    (tolerance :func:`~theory.empirical.optimizers.sgd_step_bound`: 5 roundings per side, per entry);
    the formula read with w = the weight matrices only must differ on the biases, by more than 100× that
    bound (the gap is ηλ|b| per step).
    """
    device = _device(ctx)
    import torch

    lam, lr = 1e-4, 0.01
    from theory.empirical import optimizers as O

    X, y = diabetes()
    Xt, Yt = _tensors(X, y, device)

    def loss(model: Any) -> Any:
        return _mse(model, Xt, Yt)

    tracker = LabelledTracker()
    with _small():
        a = mlp(_seed(ctx, 740), device)
        b, c = _copy(a), _copy(a)
        opt_a = torch.optim.SGD(a.parameters(), lr=lr, weight_decay=lam)
        opt_b = torch.optim.SGD(b.parameters(), lr=lr)
        opt_c = torch.optim.SGD(c.parameters(), lr=lr)
        is_bias = np.concatenate([np.full(p.numel(), p.dim() == 1) for p in a.parameters()])
        gaps, bounds = [], []
        steps = ctx.cases(30, 300)
        for _ in range(steps):
            O.sync_state(a, opt_a, c, opt_c)  # the weights-only formula from the same parameters
            step = O.decay_step(a, opt_a, b, opt_b, loss, lam, penalty=lambda m: _half_l2(m, lam))
            opt_c.zero_grad()
            (loss(c) + _half_l2(c, lam, only=lambda name, p: p.dim() > 1)).backward()
            opt_c.step()
            _worst(
                tracker,
                "SGD(weight_decay=λ) vs SGD on Loss + ½λ‖θ‖² (all parameters)",
                step.error,
                step.bound,
            )
            gaps.append(float(np.max(np.abs(_flat(c) - step.decayed)[is_bias])))
            bounds.append(float(np.max(step.bound[is_bias])))
        _must_exceed(
            tracker,
            "weights-only ½λ‖W‖²: 100× rounding bound vs its largest bias gap to SGD(weight_decay)",
            100.0 * max(bounds),
            max(gaps),
        )
    return tracker.result(
        f"λ = {lam}, η = {lr}, {steps} steps on Linear(10,20)–ReLU–Linear(20,1), diabetes; the biases' "
        f"per-step gap to the weights-only formula is up to {max(gaps):.2g} (ηλ|b|)"
    )


@register_evidence(
    "src.manhua.keras_l2",
    "Keras Dense(kernel_regularizer=L2(l2)) adds l2·‖W‖² (no ½), kernel only: Loss + ½λ‖w‖² needs "
    "l2 = λ/2 (Keras 3, torch backend)",
)
def _manhua_keras_l2(ctx: CheckContext) -> CheckResult:
    """The manhua text's Keras ``regularizers.l2``: ``Dense(kernel_regularizer=L2(l2))``.

    Equation: Keras 3 adds ``l2·Σ W²`` (no ½) for the kernel only, gradient 2·l2·W: the text's
    ``Loss + ½λ‖w‖²`` needs l2 = λ/2 (Keras documentation, "Layer weight regularizers"). Run on Keras 3
    with the torch backend in float64. Tolerances: the added loss, a sum of n squares, 2(n + 4)·eps
    relative; each gradient entry 4·eps·2·l2·max|W|; no bias term (count of extra losses against 0.5).
    """
    _device(ctx)
    if "keras" not in sys.modules:
        os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
    except ImportError:
        raise CheckSkipped("Keras 3 not installed (the libs test extra)") from None
    if keras.backend.backend() != "torch":
        raise CheckSkipped(
            f"Keras runs on the {keras.backend.backend()!r} backend here; this check needs torch"
        )
    import torch

    lam = 1e-3
    tracker = LabelledTracker()
    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        keras.utils.set_random_seed(_seed(ctx, 750))
        X, _ = diabetes()
        found = []
        for l2 in (lam, lam / 2.0):
            # the text names it tf.keras.regularizers.l2: in Keras 3 the lowercase name is the L2 class
            layer = keras.layers.Dense(20, kernel_regularizer=keras.regularizers.l2(l2=l2))
            model = keras.Sequential([keras.Input((10,)), layer])
            model(X[:4])
            (added,) = model.losses  # one term: the kernel's (no bias_regularizer)
            kernel = layer.kernel.value
            W = kernel.detach().cpu().numpy()
            sq = float((W**2).sum())
            tracker.add(
                f"L2(l2={l2}): added loss vs l2·‖W‖² (no ½)",
                abs(added.item() - l2 * sq),
                2.0 * (W.size + 4) * EPS * l2 * sq,
            )
            (grad,) = torch.autograd.grad(added, kernel)
            err = float(np.max(np.abs(grad.detach().cpu().numpy() - 2.0 * l2 * W)))
            tracker.add(
                f"L2(l2={l2}): gradient vs 2·l2·W", err, 4.0 * EPS * 2.0 * l2 * float(np.max(np.abs(W)))
            )
            found.append(
                f"l2 = {l2}: added {added.item():.6g} = {added.item() / (lam * sq / 2):.6g} × ½λ‖W‖²"
            )
        tracker.add(
            "count of loss terms beyond the kernel's (the bias is not regularised)",
            float(len(model.losses) - 1),
            0.5,
        )
    finally:
        keras.config.set_floatx(previous)
    return tracker.result(f"λ = {lam}: " + "; ".join(found))


# ------------------------------------------------------------------------------- identify_penalty


@register_evidence(
    "src.pydl.identified",
    "identify_penalty on the texts' regularisers: Regularization(p=2) a group norm c = wd, p=1 L1 μ = wd, "
    "p=0 no regulariser; the apx hand L1 an L1 with μ = λ₁ on the weights only",
)
def _pydl_identified(ctx: CheckContext) -> CheckResult:
    """:func:`theory.empirical.penalties.identify_penalty`, pointed at the penalties of the texts as a
    user would point it at code they found: the pydl ``Regularization`` module's
    ``wd·Σ_{name∋'weight'}‖W‖_p`` for p = 2, 1, 0 (:func:`name_norm_penalty`) and the apx text's hand
    L1 ``λ₁Σ_{dim>1}‖W‖₁`` (:func:`hand_l1_penalty`), on the texts' MLP. Each must get the kind the
    listing checks above establish from the penalty's definition (group norm with c = wd, L1 with
    μ = wd, zero gradient, L1 with μ = λ₁), on exactly the weight matrices. A kind or parameter set that
    differs is an infinitely bad case; a coefficient is compared relative to its value within the
    probe's own rounding tolerance (``PenaltyReport.tolerance``, derived in
    :mod:`theory.empirical.penalties`).
    """
    device = _device(ctx)
    from theory.empirical.penalties import identify_penalty

    wd, lam1 = 0.01, 0.005
    tracker = LabelledTracker()
    seen = []
    with _small():
        model = mlp(_seed(ctx, 760), device)
        weights = ("0.weight", "2.weight")
        cases: list[tuple[str, Callable[[Any], Any], str, Callable[[Any], float | None], float]] = [
            ("Regularization(p=2)", lambda m: name_norm_penalty(m, wd, 2), "group_norm",
             lambda r: r.per_param[0].group, wd),
            ("Regularization(p=1)", lambda m: name_norm_penalty(m, wd, 1), "l1", lambda r: r.l1, wd),
            ("Regularization(p=0)", lambda m: name_norm_penalty(m, wd, 0), "other", lambda r: None, wd),
            ("apx hand L1", lambda m: hand_l1_penalty(m, lam1), "l1", lambda r: r.l1, lam1),
        ]  # fmt: skip
        for label, fn, kind, coefficient, expected in cases:
            report = identify_penalty(fn, model)
            seen.append(f"{label}: {report.kind}")
            right = report.kind == kind and report.params == weights
            tracker.add(f"{label}: kind {report.kind!r} on {report.params}", 0.0 if right else math.inf, 1.0)
            got = coefficient(report)
            if got is not None:
                tracker.add(f"{label}: coefficient, relative", abs(got / expected - 1.0), report.tolerance)
            elif kind == "other":
                zero = all(p.zero_gradient for p in report.per_param)
                tracker.add(f"{label}: zero gradient everywhere", 0.0 if zero else math.inf, 1.0)
    return tracker.result("; ".join(seen))
