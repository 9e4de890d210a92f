"""Claim-specific evidence checks that need torch (a claim about networks decided on a real network).

Importing this module registers them (:func:`theory.claims.evidence`); torch is imported inside each
check, so that without torch the checks skip (and the claims citing them are unverified).

* ``src.pydl.optim_no_l1``: no optimiser class of ``torch.optim`` takes a parameter that names an L1
  penalty; the ones without ``weight_decay`` and the ones with decoupled decay are listed.
* ``src.pydl.weight_decay_is_l2``: for each optimiser the pydl text names (SGD, Adadelta, Adam,
  Adagrad, RMSprop), ``weight_decay=λ`` takes exactly the steps of the same optimiser on
  ``L + (λ/2)‖w‖²``; ``AdamW(weight_decay=λ)`` does not.
* ``src.manhua.normalised_sensitivity``: for a network whose hidden Linear layers feed BatchNorm or
  LayerNorm, scaling those weights by c changes neither the output nor its gradient in the input,
  while for a bias-free ReLU network without normalisation the input gradient scales as c^k.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from theory.checks import CheckContext, CheckResult, LabelledTracker
from theory.claims import register_evidence
from theory.empirical.checks import _device, _seed, _small

__all__ = ["normalised_sensitivity", "optimiser_classes", "weight_decay_is_l2"]

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


@register_evidence(
    "src.pydl.optim_no_l1",
    "every torch.optim optimiser's parameters: none names an L1 penalty; which lack weight_decay, which "
    "decouple it",
)
def _optim_no_l1(ctx: CheckContext) -> CheckResult:
    """Inspect the constructor of every optimiser class in ``torch.optim`` (not a list we wrote): a
    parameter whose name contains an L1 marker (``l1``, ``lasso``, ...) would be an L1 option. The
    detail lists the optimisers with no ``weight_decay`` at all and those whose decay can be decoupled
    (``AdamW``, or a ``decoupled_weight_decay`` flag), which is not an L2 penalty (opt.adam_not_equiv).
    """
    _device(ctx)
    import torch

    tracker = LabelledTracker()
    classes = optimiser_classes(torch.optim)
    no_decay, decoupled = [], []
    for name, cls in sorted(classes.items()):
        params = list(inspect.signature(cls.__init__).parameters)
        l1 = [p for p in params if any(m in p.lower() for m in L1_MARKERS)]
        # passes iff no parameter names an L1 penalty (0 of them; the tolerance 0.5 separates 0 from 1)
        tracker.add(f"{name}: parameters naming L1 {l1}", float(len(l1)), 0.5)
        if "weight_decay" not in params:
            no_decay.append(name)
        if name == "AdamW" or "decoupled_weight_decay" in params:
            decoupled.append(name)
    # passes iff the inspection saw optimisers at all (an empty module would prove nothing)
    tracker.add("optimiser classes found (must be ≥ 5)", 5.0, float(len(classes)))
    return tracker.result(
        f"torch {torch.__version__}: {len(classes)} optimisers; no weight_decay: {', '.join(no_decay)}; "
        f"decoupled decay available: {', '.join(decoupled)}"
    )


def _run(
    torch: Any, name: str, w0: Any, X: Any, y: Any, wd: float, penalty: float, steps: int, half: float = 0.5
) -> Any:
    """``steps`` full-batch steps of ``torch.optim.<name>(lr, weight_decay=wd)`` on the mean squared error
    plus ``half·penalty·‖w‖²`` written into the loss (``half = ½``: the L2 convention under test);
    returns the final weights."""
    w = torch.nn.Parameter(w0.clone())
    lr = {"Adadelta": 1.0}.get(name, 0.01)
    opt = getattr(torch.optim, name)([w], lr=lr, weight_decay=wd)
    for _ in range(steps):
        opt.zero_grad()
        r = X @ w - y
        loss = (r * r).mean() + half * penalty * (w * w).sum()
        loss.backward()
        opt.step()
    return w.detach()


@register_evidence(
    "src.pydl.weight_decay_is_l2",
    "SGD, Adadelta, Adam, Adagrad, RMSprop: weight_decay=λ steps = steps on L + (λ/2)‖w‖²; AdamW's differ",
)
def _weight_decay_is_l2(ctx: CheckContext) -> CheckResult:
    """The registered check: :func:`weight_decay_is_l2` with the ½ of (λ/2)‖w‖²."""
    return weight_decay_is_l2(ctx)


def weight_decay_is_l2(ctx: CheckContext, half: float = 0.5) -> CheckResult:
    """The pydl text says the weight_decay of these optimisers is the λ of L2 regularisation. For the
    five it names, torch adds ``λw`` to the gradient before the optimiser's own rule, so 20 steps with
    ``weight_decay=λ`` equal 20 steps with ``weight_decay=0`` on ``L + (λ/2)‖w‖²`` up to rounding (the
    penalty's autograd gradient ``½λ·2w`` and torch's ``λw`` can differ by an ulp, which the adaptive
    rules then carry): tolerance ``10·steps·d·eps`` relative. AdamW's decoupled decay is not that
    penalty (opt.adam_not_equiv): its weights must differ from the L2 run by more than the tolerance.

    ``half`` is the factor of the penalty ``half·λ‖w‖²`` the runs without weight_decay minimise; only ½
    (the L2 convention) should pass, so ``half = 1`` is the mutation that shows the check can fail.
    """
    device = _device(ctx)
    from theory.empirical import _common as C

    torch = C.torch
    tracker = LabelledTracker()
    steps, d = 20, 6
    tol = 10 * steps * d * C.eps("float64")
    gaps = []
    with _small():
        for case in range(ctx.cases(2, 10)):
            rng = np.random.default_rng(_seed(ctx, 7500 + case))
            dev, dt, _ = C.setup(device, "float64")
            X = C.tensor(rng.standard_normal((30, d)), dev, dt)
            y = C.tensor(rng.standard_normal(30), dev, dt)
            w0 = C.tensor(rng.standard_normal(d), dev, dt)
            wd = float(10 ** rng.uniform(-2, -0.5))
            for name in PYDL_OPTIMISERS:
                decayed = _run(torch, name, w0, X, y, wd, 0.0, steps)
                penalised = _run(torch, name, w0, X, y, 0.0, wd, steps, half)
                err = float(torch.linalg.norm(decayed - penalised) / torch.linalg.norm(penalised))
                tracker.add(f"{name}(weight_decay) vs {name} on L + (λ/2)‖w‖² (case {case})", err, tol)
            decayed = _run(torch, "AdamW", w0, X, y, wd, 0.0, steps)
            penalised = _run(torch, "AdamW", w0, X, y, 0.0, wd, steps, half)
            gap = float(torch.linalg.norm(decayed - penalised) / torch.linalg.norm(penalised))
            # passes iff AdamW's decay is resolvably not the L2 penalty
            tracker.add(f"AdamW: tolerance / gap to the L2 run (case {case})", tol, max(gap, 1e-300))
            gaps.append(f"{gap:.2g}")
    return tracker.result(
        f"{steps} full-batch steps, float64; AdamW vs its L2 run, relative: " + ", ".join(gaps)
    )


@register_evidence(
    "src.manhua.normalised_sensitivity",
    "BatchNorm/LayerNorm networks: scaling the pre-norm weights by c leaves the output and its input "
    "gradient unchanged; a bias-free ReLU network's input gradient scales as c^k",
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

    def rel(a: Any, b: Any) -> float:
        return float(torch.linalg.norm(a - b) / torch.linalg.norm(b))

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
    return tracker.result(
        f"Linear(bias=False) → norm → tanh × {len(widths)} → Linear, batch {batch}, train mode, "
        f"norm eps = 0; "
        f"tolerance 10·L·h·eps = {tol:.2g}"
    )


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
