"""Empirical (torch) checks of l2.conditioning and adamw.ema.

Imported by :func:`theory.checks.all_checks` (``PROVIDERS``); importing it registers the checks.
Both train with real ``torch.optim`` optimisers on data the project did not write (scikit-learn's
bundled diabetes and digits data), on ``ctx.device`` in float64; torch and CUDA are checked first
(a missing one is a skip with the reason).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from theory.checks import CheckContext, CheckResult, LabelledTracker, register
from theory.empirical.checks import _device, _small
from theory.numerics import contraction_rate_error, eigenbasis_tolerance, residual_tolerance

__all__: list[str] = []  # the checks are reached through theory.checks.all_checks()

EPS = float(np.finfo(np.float64).eps)
FloatArray = NDArray[np.floating[Any]]


@register(
    "l2.conditioning",
    "empirical",
    "torch SGD(lr=ε*, weight_decay=α) on sklearn's diabetes: contraction ρ_α per step; steps to δ of w*",
)
def _l2_conditioning(ctx: CheckContext) -> CheckResult:
    """Full-batch ``torch.optim.SGD(lr=ε*(α), weight_decay=α)`` on the standardised diabetes data
    (n = 442, d = 10, κ(H) ≈ 470; no bias, mean half squared error), for α = 0 and α at 0.3, 0.7 and 2
    times :func:`~theory.conditioning.max_useful_alpha` for δ = 0.3‖w*‖.

    1. From ``w̃ + t·q_min`` and ``w̃ + t·q_max``: ``(e_k/e_0)^{1/k} = ρ_α`` with ``e_k = ‖w_k − w̃‖``.
       e_k is within ``2‖δw̃‖ + k·γ·S + 2kγt`` of ``ρ^k t``: w̃'s eigenbasis error, torch's rounding of
       each step (γ = 10·n·eps on the terms ``S = ‖w‖ + ε(‖|X|ᵀ(|X||w| + |y|)‖/n + α‖w‖)`` of the step,
       the matrix products summing n terms), and q's rounding (as in the numeric check).
    2. From 0: the last step with ``‖w_k − w*‖ > δ``, plus one, equals
       :func:`~theory.conditioning.iterations_to_tolerance` (one more or less only where a distance is
       within the rounding k·γ·S of δ). For the α beyond the limit, the distance after enough steps
       (``ρ^k‖w̃‖ ≤ 10⁻³(b − δ)``) is the bias b, above δ: never reached for good.
    """
    device = _device(ctx)
    from theory import conditioning
    from theory.empirical.dynamics import diabetes_regression
    from theory.empirical.linear import gd_trajectory
    from theory.quadratic import Quadratic

    X, y = diabetes_regression()
    n, d = X.shape
    q = Quadratic.from_regression(X, y)
    w_star = q.w_star
    delta = 0.3 * float(np.linalg.norm(w_star))
    a_max = conditioning.max_useful_alpha(q, delta)
    gamma = residual_tolerance(n, 1.0)
    absX = np.abs(X)

    def step_size(w: FloatArray, eps_: float, alpha: float) -> float:
        grad_terms = absX.T @ (absX @ np.abs(w) + np.abs(y)) / n
        return float(np.linalg.norm(w) + eps_ * (np.linalg.norm(grad_terms) + alpha * np.linalg.norm(w)))

    tr = LabelledTracker()
    notes = []
    factors = (0.0, 0.3, 0.7, 2.0) if not ctx.thorough else (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.5, 2.0, 5.0)
    with _small():
        for f in factors:
            alpha = f * a_max
            eps_ = conditioning.optimal_step(q, alpha)
            rho = conditioning.optimal_rate(q, alpha)
            kappa = conditioning.shifted_condition_number(q, alpha)
            kappa_ref = float(np.linalg.cond(X.T @ X / n + alpha * np.eye(d)))  # for tolerances
            w_tilde = w_star + conditioning.bias(q, alpha)
            wt_err = eigenbasis_tolerance(d, kappa_ref) * (
                float(np.linalg.norm(w_tilde)) + float(np.linalg.norm(w_star))
            )
            t = 1.0 + float(np.linalg.norm(w_tilde))
            k = max(1, min(60, int(math.log(1e-6) / math.log(rho))))
            for col in (0, -1):
                w0 = w_tilde + t * q.eigenvectors[:, col]
                path = gd_trajectory(X, y, eps_, [0, k], w0=w0, l2=alpha, device=device)
                e0, ek = (float(np.linalg.norm(w - w_tilde)) for w in path)
                err_k = 2 * wt_err + k * gamma * step_size(w0, eps_, alpha) + 2 * k * gamma * t
                err_0 = gamma * (t + float(np.linalg.norm(w_tilde))) + wt_err
                tr.add(
                    "torch's rate (e_k/e_0)^{1/k} vs ρ_α",
                    abs((ek / e0) ** (1.0 / k) - rho),
                    contraction_rate_error(rho, t, k, err_k, err_0),
                )
            predicted = conditioning.iterations_to_tolerance(q, alpha, delta)
            b = conditioning.bias_norm(q, alpha)
            if math.isfinite(predicted):
                bound = int(conditioning.iterations_bound(q, alpha, delta))
                ks = np.arange(bound + 2)
                path = gd_trajectory(X, y, eps_, ks, l2=alpha, device=device)
                dist = np.linalg.norm(path - w_star, axis=1)
                outside = np.flatnonzero(dist > delta)
                measured = float(outside[-1] + 1) if outside.size else 0.0
                # iterates from 0 stay within 2‖w̃‖ ≤ 2‖w*‖ of 0 (each factor 1 − (1 − x)^k is in [0, 2])
                rounding = gamma * step_size(2 * w_star, eps_, alpha) * (ks + 1) + wt_err
                tie = bool(np.any(np.abs(dist - delta) <= rounding))
                tr.add("K(δ), torch vs theory (steps)", abs(measured - predicted), 1.5 if tie else 0.5)
                notes.append(
                    f"α = {alpha:.2e}: κ_α = {kappa:.0f}, K = {measured:.0f} (theory {predicted:.0f})"
                )
            else:
                gap = float(np.linalg.norm(w_tilde))
                steps = math.ceil(math.log(1e-3 * (b - delta) / gap) / math.log(rho))
                last = gd_trajectory(X, y, eps_, [steps], l2=alpha, device=device)[0]
                dist_last = float(np.linalg.norm(last - w_star))
                settled = gamma * step_size(2 * w_star, eps_, alpha) * (steps + 1) + wt_err
                # the distance has settled at the bias (within ρ^k·gap + rounding), which exceeds δ
                tr.add("settled distance vs bias (norm)", abs(dist_last - b), 1e-3 * (b - delta) + settled)
                notes.append(
                    f"α = {alpha:.2e}: bias {b:.3f} > δ = {delta:.3f}, "
                    f"distance after {steps} steps {dist_last:.3f}"
                )
    return tr.result(f"δ = 0.3‖w*‖, α_max = {a_max:.3e}; " + "; ".join(notes))


@register(
    "adamw.ema",
    "empirical",
    "torch AdamW on the digits CNN: weights = EMA of −u_t/λ; a zero-gradient probe measures the decay: "
    "1/e after B/(ηλN) epochs, N vs 3N with λ/3",
)
def _adamw_ema(ctx: CheckContext) -> CheckResult:
    """Three ``torch.optim.AdamW`` runs of the digits CNN (:func:`theory.empirical.dynamics.digits_adamw_run`,
    shuffled minibatches of B = 50, 10 epochs, lr η = 10⁻², every parameter decayed): N = 200 with
    λ = 3 (ηλ = 0.03, τ_iter ≈ 33 steps, τ_epoch = B/(ηλN) ≈ 8.3 epochs), the same under a cosine
    schedule, and N = 600 with λ/3 (the same τ_epoch).

    1. torch's weights after steps 1, T/2 and T against :func:`theory.adamw.ema_weights` applied to
       updates recomputed from the recorded gradients by :func:`theory.adamw.adam_updates` (NumPy):
       tolerance the EMA's rounding (:func:`theory.adamw.ema_rounding_bound`) plus the propagated bound
       on the two Adam implementations' difference, ``Σ_s η_s|δu_s|``.
    2. The decay as torch applied it, measured: each run carries a zero-gradient probe parameter in
       its AdamW group (:class:`~theory.empirical.dynamics.AdamWRecord`), which torch multiplies by
       ``1 − η_tλ`` per step and nothing else. (a) Its value after every step t against
       ``P_0(t) = Π_{s<t}(1 − η_sλ)`` (:func:`theory.adamw.ema_coefficients`, the λ the check intends,
       the run's recorded schedule): relative tolerance ``(4t + (t + 1)Λ + 4)·u`` (u = eps/2,
       Λ = |log P_0(t)|; torch rounds ηλ, 1 − ηλ and the product, ≤ 3u a step; the closed form's suffix
       sum, log1p and exp ≤ ((t + 1)Λ + 2)u). (b) Constant η: the first step t_e with probe < 1/e,
       in epochs ``t_e/(steps per epoch)`` as the DataLoader ran them, against
       :func:`theory.adamw.epoch_timescale` ``B/(ηλN)``: ``t_e = ⌈−1/log(1 − ηλ)⌉`` lies in
       ``(1/(ηλ) − 1, 1/(ηλ) + ½)``, so within one step. (c) Data size: the measured weights on w₀
       after 10 epochs, p_N (T steps, λ) and p_3N (3T steps, λ/3), have
       ``log(p_3N/p_N) = T[3 log(1 − ηλ/3) − log(1 − ηλ)] ∈ [T(ηλ)²/3, T(−log(1 − ηλ) − ηλ)]``
       (proofs/adamw.py), to the probes' rounding ``(3(k + 1)T + 8)u`` plus the bounds' own
       ``4Tηλ·eps``; keeping λ on 3N would give ``2T log(1 − ηλ) ≈ −2.4`` instead.
    """
    device = _device(ctx)
    from theory import adamw
    from theory.empirical.dynamics import digits_adamw_run

    tr = LabelledTracker()
    add = tr.add

    unit = EPS / 2
    lam, k, epochs, batch = 3.0, 3, 10, 50  # ηλ = 0.03: the probe crosses 1/e at epoch 8.25 of 10
    runs = {}
    seeds = range(ctx.cases(1, 3))
    efold: dict[str, tuple[float, float]] = {}
    with _small():
        for seed in seeds:
            cases: dict[str, tuple[int, float, bool]] = {
                "N": (200, lam, False),
                "N cosine": (200, lam, True),
                "3N": (200 * k, lam / k, False),
            }
            for name, (n, wd, cosine) in cases.items():
                kw = dict(batch_size=batch, weight_decay=wd, epochs=epochs, cosine=cosine, seed=seed)
                run = digits_adamw_run(n, device=device, **kw)  # type: ignore[arg-type]
                runs[name] = run
                up = adamw.adam_updates(run.grads, run.betas, run.eps)
                T = run.grads.shape[0]
                for t in sorted({1, T // 2, T}):
                    got = run.weights[t]
                    want = adamw.ema_weights(run.w0, up.u[:t], run.lrs[:t], run.weight_decay)
                    tol = adamw.ema_rounding_bound(run.w0, up.u[:t], run.lrs[:t]) + float(
                        np.max(np.tensordot(run.lrs[:t], up.error[:t], axes=(0, 0)))
                    )
                    add("weights vs EMA (absolute)", float(np.max(np.abs(got - want))), tol)
                # 2a. the probe is the product of the decay factors, step by step
                for t in range(1, T + 1):
                    p0 = adamw.ema_coefficients(run.lrs[:t], wd, t)[0]
                    big_l = abs(math.log(p0))
                    add(
                        "probe vs Π(1 − η_tλ) (relative)",
                        abs(run.probe[t] / p0 - 1.0),
                        (4 * t + (t + 1) * big_l + 4) * unit,
                    )
                # 2b. the probe falls to 1/e after B/(ηλN) epochs (constant η), within one step
                if not cosine:
                    below = np.flatnonzero(run.probe < math.exp(-1))
                    per_epoch = run.steps_per_epoch
                    measured = below[0] / per_epoch if below.size else math.inf
                    predicted = adamw.epoch_timescale(float(run.lrs[0]), wd, batch, n)
                    efold[name] = (measured, predicted)
                    add("epochs to 1/e vs B/(ηλN)", abs(measured - predicted), 1.0 / per_epoch)
            # 2c. N against 3N with λ/3, from the measured probes
            small, large = runs["N"], runs["3N"]
            T_small = small.grads.shape[0]
            lr = float(small.lrs[0])
            p_small, p_large = float(small.probe[-1]), float(large.probe[-1])
            x = lr * lam
            # a probe that torch moved by more than its decay may have crossed 0: no ratio, a failure
            log_ratio = math.log(p_large / p_small) if p_large > 0 and p_small > 0 else math.inf
            lo, hi = T_small * x * x * (1 - 1 / k) / 2, T_small * (-math.log1p(-x) - x)
            slack = (3 * (k + 1) * T_small + 8) * unit + 4 * T_small * x * EPS
            add("log(p_3N/p_N) outside its bounds", max(lo - log_ratio, log_ratio - hi, 0.0), slack)
            add("DataLoader steps 3N − 3·N", abs(large.grads.shape[0] - k * T_small), 0.5)
    p_same = adamw.initial_weight(lr, lam, k * T_small)
    fold = ", ".join(f"{name} {m:.2f} (theory {p:.2f})" for name, (m, p) in efold.items())
    return tr.result(
        f"measured by a zero-gradient probe: epochs to 1/e {fold}; "
        f"weight on w₀ after {epochs} epochs: N {p_small:.4f}, 3N with λ/3 {p_large:.4f} "
        f"(3N keeping λ would give {p_same:.4f})"
    )
