"""Claim-specific evidence checks that need torch (a claim about networks decided on a real network).

Importing this module registers them (:func:`theory.claims.evidence`); torch is imported inside each
check, so that without torch the checks skip (and the claims citing them are unverified).

* ``src.pydl.optim_no_l1``: no optimiser class of ``torch.optim`` takes a parameter that names an L1
  penalty; the ones without ``weight_decay`` are listed, and every one with it is run to find whether
  its decay is coupled L2 or decoupled.
* ``src.pydl.weight_decay_is_l2``: every optimiser of ``torch.optim`` that takes ``weight_decay`` (and
  its ``decoupled_weight_decay=True`` variant where it has one) is run: each step equals, from the same
  state, either the step on ``L + (λ/2)‖w‖²`` (coupled L2) or the step on ``L`` beside
  ``W ← W − ηλW`` (decoupled); the five the pydl text names (SGD, Adadelta, Adam, Adagrad, RMSprop)
  are L2. In torch 2.13 AdamW, Adafactor, Muon and the decoupled flags are the decoupled ones.
* ``src.manhua.normalised_sensitivity``: for a network whose bias-free hidden Linear layers feed
  BatchNorm or LayerNorm (eps → 0), scaling those weights by c changes neither the output nor its
  gradient in the input (with a bias before the norm BatchNorm stays invariant, LayerNorm does not);
  for a bias-free ReLU network without normalisation the input gradient scales as c^k and, with all L
  matrices scaled, every parameter gradient as c^(L−1).
"""

from __future__ import annotations

import inspect
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

import numpy as np

from theory.checks import CheckContext, CheckResult, LabelledTracker
from theory.claims import register_evidence
from theory.empirical.checks import _device, _seed, _small

__all__ = [
    "DecayKind",
    "biased_norm_mlp",
    "classify_weight_decay",
    "normalised_sensitivity",
    "optimiser_classes",
    "scale_power",
    "weight_decay_is_l2",
    "weight_decay_kinds",
    "weight_decay_variants",
]

#: substrings of an optimiser parameter's name that would announce an L1 penalty
L1_MARKERS = ("l1", "lasso", "abs_decay", "sparsity")

#: the optimisers the pydl text lists as carrying ``weight_decay``
PYDL_OPTIMISERS = ("SGD", "Adadelta", "Adam", "Adagrad", "RMSprop")


def optimiser_classes(optim: Any) -> dict[str, Any]:
    """Every public :class:`torch.optim.Optimizer` subclass in the module ``optim``, by name."""
    base = optim.Optimizer
    return {
        name: cls
        for name in dir(optim)
        if not name.startswith("_")
        and inspect.isclass(cls := getattr(optim, name))
        and issubclass(cls, base)
        and cls is not base
    }


def weight_decay_variants(optim: Any) -> list[tuple[str, Any, dict[str, Any]]]:
    """``(label, class, extra kwargs)`` for every optimiser of ``optim`` whose constructor takes
    ``weight_decay``, once as built by default and once more with ``decoupled_weight_decay=True`` where
    the constructor has that flag."""
    out: list[tuple[str, Any, dict[str, Any]]] = []
    for name, cls in sorted(optimiser_classes(optim).items()):
        params = inspect.signature(cls.__init__).parameters
        if "weight_decay" not in params:
            continue
        out.append((name, cls, {}))
        if "decoupled_weight_decay" in params:
            out.append((f"{name}(decoupled_weight_decay=True)", cls, {"decoupled_weight_decay": True}))
    return out


@dataclass(frozen=True)
class DecayKind:
    """How one optimiser's ``weight_decay`` acted, decided by running it (:func:`classify_weight_decay`).

    ``to_l2`` and ``to_decoupled`` are the largest one-step gaps (relative to ‖W‖) between the step with
    ``weight_decay = λ`` and, from the same state, the step with ``weight_decay = 0`` on
    ``L + (λ/2)‖W‖²`` (coupled L2), resp. the step with ``weight_decay = 0`` followed by
    ``W ← W − η·λ·W_old`` (decoupled decay); ``kind`` is ``"L2"``, ``"decoupled"`` or ``"neither"``
    by which gap is within ``tol``.
    """

    label: str
    kind: str
    to_l2: float
    to_decoupled: float
    tol: float


def classify_weight_decay(
    ctx: CheckContext,
    device: Any,
    cls: Any,
    extra: dict[str, Any],
    case: int,
    half: float = 0.5,
    shrink: float = 1.0,
) -> tuple[str, float, float, float]:
    """Run ``cls(lr, weight_decay=λ, **extra)`` for ``steps`` full-batch steps on the mean squared error
    of a linear map ``W`` (6 × 3, a matrix so that Muon, which takes only matrices, runs too); before
    each step copy the optimiser with its state twice, set the copies' ``weight_decay`` to 0 and step
    them from the same ``W`` and gradient: one on ``L + half·λ‖W‖²`` (the gradient autograd gives;
    ``half = ½`` is the L2 convention), one on ``L`` followed by ``W ← W − shrink·η·λ·W_old`` (the
    decoupled decay of AdamW; ``shrink = 1``). Comparing single steps from one state, rather than
    whole runs, keeps rounding differences from being amplified by the adaptive rules (Muon rounds its
    update to bfloat16).

    Tolerance: one step of each rule is a fixed number (≤ 20) of elementwise flops per entry, each of
    relative error eps, on numbers of size ≤ max(‖W‖, ‖ΔW‖), and the two gradients (torch's
    ``g + λW`` and autograd's ``g + ½λ·2W``) differ by an ulp per entry: ``20·n·eps`` relative to ‖W‖
    for n = 18 entries. Returns ``(kind, gap to L2, gap to decoupled, tol)``.
    """
    from theory.empirical import _common as C

    torch = C.torch
    steps, d, k = 20, 6, 3
    rng = np.random.default_rng(_seed(ctx, 7500 + case))
    dev, dt, _ = C.setup(device, "float64")
    X = C.tensor(rng.standard_normal((30, d)), dev, dt)
    Y = C.tensor(rng.standard_normal((30, k)), dev, dt)
    W = torch.nn.Parameter(C.tensor(rng.standard_normal((d, k)), dev, dt))
    wd = float(10 ** rng.uniform(-2, -0.5))
    lr = 1.0 if cls.__name__ == "Adadelta" else 0.01
    opt = cls([W], lr=lr, weight_decay=wd, **extra)
    tol = 20 * d * k * C.eps("float64")
    to_l2 = to_dec = 0.0

    def twin() -> tuple[Any, Any]:
        copy = deepcopy(opt)
        copy.param_groups[0]["weight_decay"] = 0.0
        return copy, copy.param_groups[0]["params"][0]

    def loss(w: Any, penalty: float) -> Any:
        r = X @ w - Y
        return (r * r).mean() + half * penalty * (w * w).sum()

    for _ in range(steps):
        opt.zero_grad()
        loss(W, 0.0).backward()
        (c_opt, c_w), (d_opt, d_w) = twin(), twin()
        w_old = W.detach().clone()
        d_w.grad = W.grad.detach().clone()  # the copy does not carry .grad
        opt.step()
        c_w.grad = None
        loss(c_w, wd).backward()
        c_opt.step()
        d_opt.step()
        with torch.no_grad():
            d_w.sub_(shrink * lr * wd * w_old)
        scale = float(torch.linalg.norm(W.detach()))
        to_l2 = max(to_l2, float(torch.linalg.norm(W.detach() - c_w.detach())) / scale)
        to_dec = max(to_dec, float(torch.linalg.norm(W.detach() - d_w.detach())) / scale)
    kind = "L2" if to_l2 <= tol else "decoupled" if to_dec <= tol else "neither"
    return kind, to_l2, to_dec, tol


def weight_decay_kinds(
    ctx: CheckContext, cases: int, half: float = 0.5, shrink: float = 1.0
) -> tuple[Any, list[DecayKind]]:
    """:func:`classify_weight_decay` for every variant of :func:`weight_decay_variants`, ``cases`` random
    problems each; a variant's kind is the one all its cases agree on (else ``"neither"``). Returns
    ``(torch, kinds)``."""
    device = _device(ctx)
    from theory.empirical import _common as C

    torch = C.torch
    kinds = []
    with _small():
        for label, cls, extra in weight_decay_variants(torch.optim):
            runs = [
                classify_weight_decay(ctx, device, cls, extra, case, half, shrink) for case in range(cases)
            ]
            found = {r[0] for r in runs}
            kinds.append(
                DecayKind(
                    label,
                    found.pop() if len(found) == 1 else "neither",
                    max(r[1] for r in runs),
                    max(r[2] for r in runs),
                    runs[0][3],
                )
            )
    return torch, kinds


def _add_kinds(tracker: LabelledTracker, kinds: list[DecayKind]) -> None:
    """Every variant must be decided: its gap to L2 or to decoupled decay within the tolerance, and a
    decoupled one resolvably not L2."""
    for k in kinds:
        # passes iff the step matches one of the two rules (the smaller gap within rounding)
        tracker.add(
            f"{k.label}: one-step gap to L2 or to decoupled decay", min(k.to_l2, k.to_decoupled), k.tol
        )
        if k.kind == "decoupled":
            # passes iff the decoupled step is resolvably not the L2 step
            tracker.add(f"{k.label}: tolerance / one-step gap to L2", k.tol, max(k.to_l2, 1e-300))


def _names(kinds: list[DecayKind], kind: str) -> str:
    return ", ".join(k.label for k in kinds if k.kind == kind) or "none"


@register_evidence(
    "src.pydl.optim_no_l1",
    "every torch.optim optimiser's parameters: none names an L1 penalty; which lack weight_decay; which "
    "decay decoupled, decided by running each",
)
def _optim_no_l1(ctx: CheckContext) -> CheckResult:
    """Inspect the constructor of every optimiser class in ``torch.optim`` (not a list we wrote): a
    parameter whose name contains an L1 marker (``l1``, ``lasso``, ...) would be an L1 option. Then run
    every optimiser that takes ``weight_decay`` (:func:`weight_decay_kinds`, one problem each) and
    report which add the L2 gradient and which decay decoupled (``W ← (1 − ηλ)W`` beside the step),
    which is not an L2 penalty (opt.adam_not_equiv): the decision is by behaviour, not by class name.
    """
    _device(ctx)
    import torch

    tracker = LabelledTracker()
    classes = optimiser_classes(torch.optim)
    no_decay = []
    for name, cls in sorted(classes.items()):
        params = list(inspect.signature(cls.__init__).parameters)
        l1 = [p for p in params if any(m in p.lower() for m in L1_MARKERS)]
        # passes iff no parameter names an L1 penalty (0 of them; the tolerance 0.5 separates 0 from 1)
        tracker.add(f"{name}: parameters naming L1 {l1}", float(len(l1)), 0.5)
        if "weight_decay" not in params:
            no_decay.append(name)
    # passes iff the inspection saw optimisers at all (an empty module would prove nothing)
    tracker.add("optimiser classes found (must be ≥ 5)", 5.0, float(len(classes)))
    _, kinds = weight_decay_kinds(ctx, 1)
    _add_kinds(tracker, kinds)
    return tracker.result(
        f"torch {torch.__version__}: {len(classes)} optimisers; no weight_decay: {', '.join(no_decay)}; "
        f"weight_decay is coupled L2 in: {_names(kinds, 'L2')}; decoupled in: {_names(kinds, 'decoupled')}"
    )


@register_evidence(
    "src.pydl.weight_decay_is_l2",
    "every torch.optim optimiser with weight_decay, run: coupled L2 (a step on L + (λ/2)‖w‖²) or decoupled "
    "(W ← W − ηλW beside the step); the five the pydl text names are L2",
)
def _weight_decay_is_l2(ctx: CheckContext) -> CheckResult:
    """The registered check: :func:`weight_decay_is_l2` with the ½ of (λ/2)‖w‖²."""
    return weight_decay_is_l2(ctx)


def weight_decay_is_l2(ctx: CheckContext, half: float = 0.5, shrink: float = 1.0) -> CheckResult:
    """The pydl text says the weight_decay of torch.optim's optimisers is the λ of L2 regularisation and
    names SGD, Adadelta, Adam, Adagrad and RMSprop. Every optimiser that takes ``weight_decay`` is run
    (:func:`weight_decay_kinds`): each step must equal, from the same state, either the step on
    ``L + (λ/2)‖W‖²`` (coupled L2: torch adds ``λW`` to the gradient before the optimiser's own rule)
    or the step on ``L`` followed by ``W ← W − ηλW_old`` (decoupled decay, not an L2 penalty:
    opt.adam_not_equiv); the five named must be L2. The detail lists which are which.

    ``half`` (the factor of the penalty ``half·λ‖W‖²``) and ``shrink`` (of the decoupled ``ηλ``) are
    ½ and 1; ``half = 1`` or ``shrink = 2`` are the mutations that show the check can fail.
    """
    tracker = LabelledTracker()
    _, kinds = weight_decay_kinds(ctx, ctx.cases(2, 10), half, shrink)
    by_label = {k.label: k for k in kinds}
    for name in PYDL_OPTIMISERS:
        k = by_label[name]
        # passes iff the named optimiser's weight_decay is the L2 gradient, step by step
        tracker.add(f"{name}(weight_decay) vs {name} on L + (λ/2)‖W‖², one step", k.to_l2, k.tol)
    _add_kinds(tracker, kinds)
    decoupled = [k for k in kinds if k.kind == "decoupled"]
    return tracker.result(
        "20 full-batch steps, float64, each compared from the same state; "
        f"coupled L2: {_names(kinds, 'L2')}; "
        f"decoupled: {_names(kinds, 'decoupled')} (one-step gap to L2 up to "
        + ", ".join(f"{k.to_l2:.1g}" for k in decoupled)
        + f"); neither: {_names(kinds, 'neither')}"
    )


@register_evidence(
    "src.manhua.normalised_sensitivity",
    "BatchNorm/LayerNorm networks with bias-free pre-norm layers: scaling those weights by c leaves the "
    "output and its input gradient unchanged (with a bias LayerNorm is not invariant); a bias-free ReLU "
    "network's input gradient scales as c^k, its parameter gradients as c^(L−1)",
)
def _normalised_sensitivity(ctx: CheckContext) -> CheckResult:
    """The registered check: :func:`normalised_sensitivity` with normalisation eps 0, batch statistics."""
    return normalised_sensitivity(ctx)


def normalised_sensitivity(ctx: CheckContext, norm_eps_value: float = 0.0, train: bool = True) -> CheckResult:
    """ "Smaller weights make the model less sensitive to input noise" is true for a linear model (the
    output moves by ``wᵀδ``, at most ``‖w‖‖δ‖``; noise.tikhonov) and for a bias-free ReLU network, whose
    input Jacobian is positively homogeneous: scaling k weight matrices by c scales it by ``c^k``. It is
    false for weights followed by normalisation: with BatchNorm (batch statistics) or LayerNorm, at
    ``eps = 0``, the network is the same function of the input for W and cW (si.gradient), so the
    output and the input gradient (the sensitivity to input noise) do not depend on ‖W‖.

    Route: torch models (:func:`theory.empirical.normalised.normalised_mlp`, a plain
    ``Sequential``), float64; the input gradient by autograd. Tolerance: a forward (and backward) pass
    through L layers of width h has relative rounding ``≲ L·h·eps`` per pass (Higham §3.5); 10× that,
    relative to the norm of the unscaled result.

    The invariance needs the layer before the norm to be bias-free (or its bias scaled with W): with a
    biased Linear, BatchNorm (batch mean removed) is still invariant but LayerNorm is not, and the
    check requires the LayerNorm network's output to change resolvably. For "exploding gradients" the
    parameter gradients matter: with all L matrices of the bias-free ReLU network scaled by c, the
    gradient of the output in each matrix scales as ``c^(L−1)`` (:func:`scale_power`).

    ``norm_eps_value`` (the normalisation layers' eps) and ``train`` (batch statistics) are the settings
    under which the invariance is exact (0 and True); eps > 0 or BatchNorm's running statistics
    (``train=False``) break it, and the check then fails.
    """
    device = _device(ctx)
    from theory.empirical import _common as C
    from theory.empirical.normalised import norm_eps, normalised_mlp

    torch = C.torch
    tracker = LabelledTracker()
    d_in, widths, batch = 5, (16, 16), 32
    tol = 10 * (len(widths) + 1) * max(widths) * C.eps("float64")

    def output_and_input_grad(model: Any, x: Any) -> tuple[Any, Any]:
        xi = x.clone().requires_grad_(True)
        out = model(xi)
        (grad,) = torch.autograd.grad(out.sum(), xi)
        return out.detach(), grad

    def output_and_param_grads(model: Any, x: Any) -> tuple[Any, list[Any]]:
        out = model(x)
        weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
        return out.detach(), list(torch.autograd.grad(out.sum(), weights))

    def rel(a: Any, b: Any) -> float:
        return float(torch.linalg.norm(a - b) / torch.linalg.norm(b))

    changes: dict[str, list[float]] = {"batch": [], "layer": []}

    with _small():
        for case in range(ctx.cases(2, 10)):
            seed = _seed(ctx, 7600 + case)
            dev, dt, _ = C.setup(device, "float64")
            x = torch.randn(batch, d_in, generator=C.generator(seed), dtype=dt).to(dev)
            for c in (0.1, 10.0):
                for norm in ("batch", "layer"):
                    model = normalised_mlp(d_in, widths, 1, norm=norm, seed=seed, device=device)
                    model.train(train)
                    with norm_eps(model, norm_eps_value):
                        out0, g0 = output_and_input_grad(model, x)
                        with torch.no_grad():
                            for k in range(len(widths)):
                                model[3 * k].weight.mul_(c)
                        out1, g1 = output_and_input_grad(model, x)
                    tracker.add(f"{norm}norm, c = {c:g}: output change (case {case})", rel(out1, out0), tol)
                    tracker.add(
                        f"{norm}norm, c = {c:g}: input-gradient change (case {case})", rel(g1, g0), tol
                    )
                torch.manual_seed(seed)
                layers: list[Any] = []
                for fan_in, width in zip((d_in, *widths), widths, strict=False):
                    layers += [torch.nn.Linear(fan_in, width, bias=False), torch.nn.ReLU()]
                plain = torch.nn.Sequential(*layers, torch.nn.Linear(widths[-1], 1, bias=False)).to(dev, dt)
                _, g0 = output_and_input_grad(plain, x)
                with torch.no_grad():
                    for k in range(len(widths)):
                        plain[2 * k].weight.mul_(c)
                _, g1 = output_and_input_grad(plain, x)
                expected = g0 * c ** len(widths)
                tracker.add(
                    f"plain ReLU, c = {c:g}: input gradient vs c^k × before (case {case})",
                    rel(g1, expected),
                    tol,
                )
                # parameter gradients ("exploding gradients"): scale all L matrices by c, then
                # ∂(Σ out)/∂W_j scales as c^(L−1) for every j
                _, p0 = output_and_param_grads(plain, x)
                with torch.no_grad():
                    for m in plain:
                        if isinstance(m, torch.nn.Linear):
                            m.weight.mul_(c)
                _, p1 = output_and_param_grads(plain, x)
                n_mat = len(p0)
                for j, (a, b) in enumerate(zip(p0, p1, strict=True)):
                    tracker.add(
                        f"plain ReLU, all {n_mat} matrices × {c:g}: ∂out/∂W_{j} vs c^(L−1) × before "
                        f"(case {case})",
                        rel(b, a * scale_power(c, n_mat)),
                        tol,
                    )
            # a bias before the norm: BatchNorm (batch mean removed) stays invariant, LayerNorm does not
            for norm in ("batch", "layer"):
                biased = biased_norm_mlp(torch, d_in, widths, norm, seed, dev, dt)
                biased.train(train)
                with norm_eps(biased, norm_eps_value):
                    out0, _ = output_and_input_grad(biased, x)
                    with torch.no_grad():
                        for k in range(len(widths)):
                            biased[3 * k].weight.mul_(10.0)
                    out1, _ = output_and_input_grad(biased, x)
                change = rel(out1, out0)
                changes[norm].append(change)
                if norm == "batch":
                    tracker.add(
                        f"biased Linear → batchnorm, W × 10: output change (case {case})", change, tol
                    )
                else:
                    # passes iff the biased LayerNorm network resolvably changes: the invariance needs no bias
                    tracker.add(
                        f"biased Linear → layernorm, W × 10: tolerance / output change (case {case})",
                        tol,
                        max(change, 1e-300),
                    )
    return tracker.result(
        f"Linear(bias=False) → norm → tanh × {len(widths)} → Linear, batch {batch}, train mode, "
        f"norm eps = 0; tolerance 10·L·h·eps = {tol:.2g}; with a biased Linear and W × 10 the output "
        f"changes by {max(changes['layer']):.2g} (LayerNorm) and {max(changes['batch']):.2g} (BatchNorm), "
        "relative"
    )


def scale_power(c: float, n_matrices: int) -> float:
    """The factor ``c^(L−1)`` by which every parameter gradient of a bias-free ReLU network's output grows
    when all its ``L`` weight matrices are multiplied by ``c`` (the output is degree-L homogeneous in the
    weights, each matrix enters once, so its gradient in one matrix is degree L − 1)."""
    return float(c ** (n_matrices - 1))


def biased_norm_mlp(
    torch: Any, d_in: int, widths: tuple[int, ...], norm: str, seed: int, dev: Any, dt: Any
) -> Any:
    """``[Linear(bias=True) → BatchNorm1d/LayerNorm → tanh] × len(widths) → Linear``: the layout of
    :func:`theory.empirical.normalised.normalised_mlp` with a bias before each norm; its biases are drawn
    far from 0 (N(0, 1)) so that a LayerNorm's input has a resolvable constant part."""
    torch.manual_seed(seed)
    layers: list[Any] = []
    for fan_in, width in zip((d_in, *widths), widths, strict=False):
        lin = torch.nn.Linear(fan_in, width, bias=True)
        torch.nn.init.normal_(lin.bias)
        layers += [
            lin,
            torch.nn.BatchNorm1d(width) if norm == "batch" else torch.nn.LayerNorm(width),
            torch.nn.Tanh(),
        ]
    return torch.nn.Sequential(*layers, torch.nn.Linear(widths[-1], 1)).to(dev, dt)


@register_evidence(
    "src.d2l.zero_grad_semantics",
    "torch: backward accumulates into .grad; Optimizer.zero_grad() sets .grad to None by default (zeros "
    "with set_to_none=False) and only for the optimiser's own parameters",
)
def _zero_grad_semantics(ctx: CheckContext) -> CheckResult:
    """What the d2l text says ``trainer.zero_grad()`` does, on real torch: two ``backward`` calls leave
    ``2g`` in ``.grad`` (accumulation); ``zero_grad()`` then leaves ``.grad`` as ``None`` (the default
    ``set_to_none=True`` since torch 2.0, not a zero tensor), ``zero_grad(set_to_none=False)`` a zero
    tensor, and a parameter not handed to the optimiser keeps its gradient. Each fact is a 0/1 outcome
    (tolerance 0.5 separates them) except the accumulation, held to ``4·eps`` relative (one addition).
    """
    device = _device(ctx)
    from theory.empirical import _common as C

    torch = C.torch
    tracker = LabelledTracker()
    dev, dt, _ = C.setup(device, "float64")
    rng = np.random.default_rng(_seed(ctx, 7700))
    with _small():
        w = torch.nn.Parameter(C.tensor(rng.standard_normal(4), dev, dt))
        other = torch.nn.Parameter(C.tensor(rng.standard_normal(4), dev, dt))
        x = C.tensor(rng.standard_normal(4), dev, dt)

        def backward() -> None:
            (torch.tanh(w @ x) + (other * other).sum()).backward()

        backward()
        g = w.grad.clone()
        backward()
        acc = float(torch.linalg.norm(w.grad - 2 * g) / torch.linalg.norm(2 * g))
        tracker.add("accumulation: ‖grad after 2 backward − 2g‖/‖2g‖", acc, 4 * C.eps("float64"))
        opt = torch.optim.SGD([w], lr=0.1)
        opt.zero_grad()
        tracker.add("zero_grad(): .grad is not None (0 = it is None)", float(w.grad is not None), 0.5)
        tracker.add(
            "zero_grad(): a parameter outside the optimiser lost its .grad", float(other.grad is None), 0.5
        )
        backward()
        opt.zero_grad(set_to_none=False)
        nonzero = w.grad is None or bool(torch.any(w.grad != 0))  # set by zero_(), so exactly 0 (no rounding)
        tracker.add("zero_grad(set_to_none=False): .grad is not a zero tensor", float(nonzero), 0.5)
    return tracker.result(f"torch {torch.__version__}")
