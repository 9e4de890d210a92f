"""What a user's regulariser is: :func:`identify_penalty` probes a penalty function of a model.

Users copy regularisers from tutorials (the third source text's ``Regularization`` module adds
``weight_decay · Σ torch.norm(W, p)``; see ``docs/claims.md``). ``identify_penalty(fn, model)`` calls
``fn(model)`` at scaled and perturbed parameters, reads its gradient, and says what the penalty is:
its homogeneity degree, which parameters it touches, per-entry or per-tensor structure, and its
canonical equivalent, (λ/2)‖w‖² or μ‖w‖₁, or that it is not weight decay at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["PenaltyKind", "PenaltyReport", "identify_penalty"]

PenaltyKind = Literal["l2", "l1", "elastic_net", "group_norm", "other"]


@dataclass(frozen=True, slots=True)
class PenaltyReport:
    """What :func:`identify_penalty` found.

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
    """

    kind: PenaltyKind
    degree: float
    l2: float | None
    l1: float | None
    params: tuple[str, ...]
    explanation: str


def identify_penalty(fn: Any, model: Any) -> PenaltyReport:
    """Probe ``fn(model)`` (a scalar torch tensor) and say what penalty it is (not built yet)."""
    raise NotImplementedError("identify_penalty is being built (issue 12)")
