"""Numeric checks of l2.conditioning and adamw.ema (what weight decay does to the optimiser).

Imported by :func:`theory.checks.all_checks` (``PROVIDERS``); importing it registers the checks.

l2.conditioning: :mod:`theory.conditioning` (eigenvalues from one ``eigh``) against dense routes that
never see an eigendecomposition: ``np.linalg.cond`` and the spectral norm ``‖I − ε(H + αI)‖₂`` by SVD,
SciPy's scalar minimiser over ε, a dense solve for w̃, and the plain GD loop
(:meth:`~theory.quadratic.Quadratic.simulate_gd`). adamw.ema: the closed-form average
(:func:`theory.adamw.ema_weights`) against the plain AdamW recursion, the e-folding count against the
loop, and the exact matched decay for k times the data.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.linalg
import scipy.optimize
from numpy.typing import NDArray

from theory import adamw, conditioning
from theory.checks import CheckContext, CheckResult, LabelledTracker, register
from theory.numerics import contraction_rate_error, eigenbasis_tolerance, residual_tolerance
from theory.quadratic import Quadratic
from theory.testing.strategies import log_spaced_spectrum, matrix_from_spectrum

__all__: list[str] = []  # the checks are reached through theory.checks.all_checks()

EPS = float(np.finfo(np.float64).eps)
FloatArray = NDArray[np.floating[Any]]


def _problem(rng: np.random.Generator, thorough: bool, max_kappa: float) -> tuple[Quadratic, float]:
    """A random Quadratic (full rank or singular) and an α > 0, with κ(H + αI) ≤ max_kappa."""
    d = int(rng.integers(1, 24 if thorough else 12))
    kappa = float(10 ** rng.uniform(0, math.log10(max_kappa)))
    rank = d if rng.random() < 0.7 else int(rng.integers(1, d + 1))
    lam = log_spaced_spectrum(rng, d, kappa, float(rng.uniform(0.5, 5.0)), rank=rank)
    m = matrix_from_spectrum(lam, rng)
    q = Quadratic(m.H, rng.standard_normal(d) * 3)
    lam_max = float(lam[-1])
    # α from λ_max/max_kappa (κ_α ≤ max_kappa even when H is singular) up to 10²·λ_max
    alpha = lam_max * float(10 ** rng.uniform(-math.log10(max_kappa), 2))
    return q, alpha


def _dense_ridge(q: Quadratic, alpha: float) -> tuple[FloatArray, float]:
    """w̃ by a dense Cholesky solve of (H + αI)w = Hw*, and a bound on its forward error (Higham §7.1)."""
    d = q.d
    w = scipy.linalg.solve(q.H + alpha * np.eye(d), q.H @ q.w_star, assume_a="pos")
    lam = q.eigenvalues
    lo, hi = float(lam[0]) + alpha, float(lam[-1]) + alpha
    scale = hi / lo * float(np.linalg.norm(w)) + float(lam[-1]) * float(np.linalg.norm(q.w_star)) / lo
    return w, residual_tolerance(d, 1.0) * scale


def _spectral_norm(M: FloatArray) -> float:
    return float(np.linalg.norm(M, 2))


@register(
    "l2.conditioning",
    "numeric",
    "κ_α, ε*, ρ_α vs np.linalg.cond, ‖I − ε(H + αI)‖₂ minimised by SciPy, and the GD loop's contraction",
)
def _l2_conditioning(ctx: CheckContext) -> CheckResult:
    """Per case (d ≤ 11, κ(H + αI) ≤ 1e6, singular H included, α > 0):

    1. κ_α against ``np.linalg.cond(H + αI)`` (SVD): each of eigh and the SVD moves σ_min by at most
       c·d·eps·‖H + αI‖, a relative c·d·κ_α·eps (Higham §7.1), so ``2·residual_tolerance(d, κ_α)``.
    2. ρ_α against the spectral norm of ``M = I − ε*(H + αI)`` (SVD), the worst case over starts:
       forming M rounds each entry by ≤ eps·(1 + ε*‖H + αI‖) ≤ 3eps, the SVD adds c·d·eps·‖M‖, and ρ
       from the eigenvalues c·d·eps each for λ_min and λ_max: absolute ``4·residual_tolerance(d, 1)``.
    3. SciPy's bounded scalar minimiser of ``ε ↦ ‖I − ε(H + αI)‖₂`` on (0, 2/(λ_max + α)): its minimum
       is ρ_α (to the norm's rounding plus the V's steeper slope times xatol) and its argmin is ε*: the
       V has slopes −μ and L (μ = λ_min + α, L = λ_max + α), so a rounding noise ν moves the argmin by
       ≤ ν/μ, plus where Brent's method stops (its bracket, ``2(√eps·ε + xatol/3)``).
    4. GD loop from ``w̃ + t·q_min`` and ``w̃ + t·q_max`` (w̃ by a dense solve): ``(e_k/e_0)^{1/k} = ρ_α``
       with ``e_k = ‖w_k − w̃‖``. e_k is within ``2‖δw̃‖ + k·γ·S + 2k·γ·t`` of ``ρ^k t`` (the solve's
       error δw̃, each step's rounding γ·S with γ = 10·d·eps and S the size of the step's terms, and the
       rounding of q: its mixing with an eigenvector λ_j changes the k-step factor by at most
       ``k·ε*|λ_j − λ_min|`` times a mixing ≤ γ‖H‖/|λ_j − λ_min|, i.e. ≤ 2kγ); k is chosen so ρ^k ≥ 1e-6.
    5. :func:`~theory.conditioning.bias` against ``w̃ − w*`` from the dense solve.
    """
    rng = ctx.rng(30)
    tr = LabelledTracker()
    for _ in range(ctx.cases(25, 400)):
        q, alpha = _problem(rng, ctx.thorough, 1e6)
        d = q.d
        A = q.H + alpha * np.eye(d)
        # 1. condition number; the tolerance comes from the independent value, never from the one under
        # test (a κ of inf would otherwise set an infinite tolerance)
        kappa_ref = float(np.linalg.cond(A))
        kappa = conditioning.shifted_condition_number(q, alpha)
        tr.add(
            "κ_α vs np.linalg.cond (relative)",
            abs(kappa - kappa_ref) / kappa_ref,
            2 * residual_tolerance(d, kappa_ref),
        )
        # 2. worst case over starts = spectral norm of the iteration matrix
        eps_star = conditioning.optimal_step(q, alpha)
        rho = conditioning.optimal_rate(q, alpha)
        noise = 4 * residual_tolerance(d, 1.0)
        tr.add(
            "ρ_α vs ‖I − ε*(H + αI)‖₂ (absolute)", abs(_spectral_norm(np.eye(d) - eps_star * A) - rho), noise
        )
        # 3. ε* minimises it (SciPy, no eigenvalues)
        lam = q.eigenvalues
        mu, big = float(lam[0]) + alpha, float(lam[-1]) + alpha
        bound = 2.0 / big
        xatol = 1e-12 * bound
        found = scipy.optimize.minimize_scalar(
            lambda e, A=A: _spectral_norm(np.eye(A.shape[0]) - e * A),
            bounds=(0.0, bound),
            method="bounded",
            options={"xatol": xatol, "maxiter": 2000},
        )
        # Brent's bounded method stops when its bracket is within 2(√eps·|x| + xatol/3) of x
        where = 2 * (math.sqrt(EPS) * bound + xatol / 3)
        tr.add("ρ_α vs SciPy's minimum (absolute)", abs(float(found.fun) - rho), noise + big * where)
        tr.add(
            "ε* vs SciPy's argmin (relative)",
            abs(float(found.x) - eps_star) / eps_star,
            (where + 2 * noise / mu) / eps_star,
        )
        # 4. the GD loop contracts at exactly ρ per step from an extreme eigenvector
        w_tilde, solve_err = _dense_ridge(q, alpha)
        t = 1.0 + float(np.linalg.norm(w_tilde))
        gamma = residual_tolerance(d, 1.0)
        k = 1 if rho < 1e-3 else max(1, min(60, int(math.log(1e-6) / math.log(rho))))
        for col in (0, -1):
            w0 = w_tilde + t * q.eigenvectors[:, col]
            steps = q.simulate_gd(eps_star, [0, k], w0=w0, alpha=alpha)
            e0, ek = (float(np.linalg.norm(w - w_tilde)) for w in steps)
            size = float(np.linalg.norm(w0)) + eps_star * (
                float(lam[-1]) * float(np.linalg.norm(w0 - q.w_star)) + alpha * float(np.linalg.norm(w0))
            )
            err_k = 2 * solve_err + k * gamma * size + 2 * k * gamma * t
            err_0 = gamma * (t + float(np.linalg.norm(w_tilde)))
            tr.add(
                "loop's rate (e_k/e_0)^{1/k} vs ρ_α",
                abs((ek / e0) ** (1.0 / k) - rho),
                contraction_rate_error(rho, t, k, err_k, err_0),
            )
        # 5. the price
        b = conditioning.bias(q, alpha)
        tol_b = solve_err + eigenbasis_tolerance(d) * float(np.linalg.norm(q.w_star))
        tr.add("bias vs dense solve (norm)", float(np.linalg.norm(b - (w_tilde - q.w_star))), tol_b)
        tr.add(
            "‖bias‖ vs dense solve",
            abs(conditioning.bias_norm(q, alpha) - float(np.linalg.norm(w_tilde - q.w_star))),
            tol_b,
        )
    _iterations_cases(ctx, tr)
    return tr.result(
        "cond by SVD; ‖I − ε*(H + αI)‖₂ = ρ; SciPy's argmin = ε*; loop contracts at ρ from q_min and q_max; "
        "bias vs dense solve; K(δ) vs the loop"
    )


def _iterations_cases(ctx: CheckContext, tr: LabelledTracker) -> None:
    """``iterations_to_tolerance`` against the GD loop: the last step outside δ of w*, plus one.

    δ is drawn between the bias and ``‖w̃‖ + bias`` (so that the count is finite and > 0). The loop's
    distances are within ``k·γ·S`` of the closed form's (es.trajectory); a count may differ by one only
    where a distance lies within that rounding of δ, and the tolerance then allows it.
    """
    rng = ctx.rng(31)
    for _ in range(ctx.cases(8, 100)):
        q, alpha = _problem(rng, ctx.thorough, 1e3)
        b = conditioning.bias_norm(q, alpha)
        gap = float(np.linalg.norm(q.w_star + conditioning.bias(q, alpha)))
        # w̃ = Q diag(λ/(λ + α)) Qᵀw* is known to eigenbasis_tolerance(d, κ_α)·‖w*‖; a smaller ‖w̃‖ is
        # rounding noise, and a δ drawn inside it would make the step count meaningless
        kappa = conditioning.shifted_condition_number(q, alpha)
        if gap <= eigenbasis_tolerance(q.d, kappa) * float(np.linalg.norm(q.w_star)):
            continue
        delta = b + float(rng.uniform(0.01, 0.9)) * gap
        predicted = conditioning.iterations_to_tolerance(q, alpha, delta)
        bound = conditioning.iterations_bound(q, alpha, delta)
        ks = np.arange(int(bound) + 2)
        eps_star = conditioning.optimal_step(q, alpha)
        loop = q.simulate_gd(eps_star, ks, alpha=alpha)
        dist = np.linalg.norm(loop - q.w_star, axis=1)
        outside = np.flatnonzero(dist > delta)
        measured = float(outside[-1] + 1) if outside.size else 0.0
        size = (
            2 * float(np.linalg.norm(q.w_star)) * (1 + eps_star * float(q.eigenvalues[-1]) + eps_star * alpha)
        )
        rounding = residual_tolerance(q.d, 1.0) * size * (ks + 1)
        tie = bool(np.any(np.abs(dist - delta) <= rounding))
        tr.add("K(δ) vs the loop (steps)", abs(measured - predicted), 1.5 if tie else 0.5)
        # and the bound really is one: after it every iterate is within δ
        tr.add(
            "distance beyond the bound − δ",
            float(np.max(dist[int(bound) :]) - delta),
            float(rounding[-1]),
        )


@register(
    "adamw.ema",
    "numeric",
    "the EMA closed form vs the AdamW recursion (derived rounding bound); e-folding vs the loop; λ' for kN",
)
def _adamw_ema(ctx: CheckContext) -> CheckResult:
    """Per case: T ≤ 400 random updates (constant η or a cosine schedule), ηλ ∈ [1e-6, 0.5]:

    1. :func:`~theory.adamw.ema_weights` against :func:`~theory.adamw.recursion` (the plain loop
       ``w ← (1 − η_tλ)w − η_t u_t``), within :func:`~theory.adamw.ema_rounding_bound` (T steps);
    2. the weights on w_0 and on the updates sum to 1, to ``(2T + 4)·eps`` (T-term sums of
       exp/log1p-computed products);
    3. the e-folding count ``−1/log(1 − ηλ)`` against the loop with u = 0: after ⌈τ⌉ steps w_0 has
       fallen below w_0/e, after ⌈τ⌉ − 1 it has not (count error 0; a count within rounding of an
       integer may be off by one); and ``|1/(ηλ) − τ| < 1``;
    4. k times the data: :func:`~theory.adamw.matched_decay` keeps ``(1 − ηλ')^{kT} = (1 − ηλ)^T`` to
       the rounding of the two exponents, ``(kT + T + 8)·eps/2·T|log(1 − ηλ)|`` relative, while λ/k
       keeps a weight larger by ``exp(T·(k log(1 − ηλ/k) − log(1 − ηλ)))`` ∈ [exp(T x²(1 − 1/k)/2),
       exp(T(−log(1 − x) − x))] (the series of proofs/adamw.py has positive terms).
    """
    rng = ctx.rng(32)
    tr = LabelledTracker()
    for _ in range(ctx.cases(30, 600)):
        T = int(rng.integers(1, 400))
        d = int(rng.integers(1, 20))
        lr = float(10 ** rng.uniform(-5, -1))
        x = float(10 ** rng.uniform(-6, math.log10(0.5)))
        lam = x / lr
        if rng.random() < 0.5:
            lrs: FloatArray | float = lr * 0.5 * (1 + np.cos(np.pi * (np.arange(T) + 0.5) / T))
        else:
            lrs = lr
        u = rng.standard_normal((T, d)) * float(10 ** rng.uniform(-2, 1))
        w0 = rng.standard_normal(d) * float(10 ** rng.uniform(-2, 2))
        loop = adamw.recursion(w0, u, lrs, lam)[-1]
        closed = adamw.ema_weights(w0, u, lrs, lam)
        tr.add(
            "closed form vs loop (max |Δw|)",
            float(np.max(np.abs(closed - loop))),
            adamw.ema_rounding_bound(w0, u, lrs),
        )
        p0, coef = adamw.ema_coefficients(lrs, lam, T)
        tr.add("|Σ weights − 1|", abs(p0 + float(np.sum(coef)) - 1.0), (2 * T + 4) * EPS)
        # 3. e-folding, against the loop with no updates
        tau = adamw.efolding_iterations(lr, lam)
        tr.add(
            "|1/(ηλ) − e-folding count| (steps; tolerance 1 step)",
            abs(adamw.iteration_timescale(lr, lam) - tau),
            1.0,
        )
        n = math.ceil(tau)
        if n <= 20000:
            w = adamw.recursion(np.ones(1), np.zeros((n, 1)), lr, lam)[:, 0]
            crossed = int(np.argmax(w < math.exp(-1))) if (w < math.exp(-1)).any() else n + 1
            near = abs(tau - round(tau)) <= 4 * n * EPS * tau
            tr.add("steps to 1/e, loop vs ⌈τ⌉ (steps)", abs(crossed - n), 1.5 if near else 0.5)
        # 4. k times the data
        k = int(rng.integers(2, 10))
        exact = adamw.initial_weight(lr, adamw.matched_decay(lr, lam, k), k * T)
        small = adamw.initial_weight(lr, lam, T)
        expo = T * abs(math.log1p(-x))
        tr.add(
            "matched λ' kept weight (relative)",
            abs(exact / small - 1.0),
            (k * T + T + 8) * EPS / 2 * expo + 4 * EPS,
        )
        ratio = math.log(adamw.initial_weight(lr, lam / k, k * T) / small)
        lo, hi = T * x * x * (1 - 1 / k) / 2, T * (-math.log1p(-x) - x)
        slack = (k * T + T + 8) * EPS * expo + 4 * EPS
        tr.add("log ratio for λ/k outside its bounds", max(lo - ratio, ratio - hi, 0.0), slack)
    return tr.result(
        "closed form vs loop (const η and cosine schedule); Σ weights = 1; ⌈−1/log(1 − ηλ)⌉ steps to 1/e; "
        "λ' = (1 − (1 − ηλ)^{1/k})/η exact, λ/k to O((ηλ)²)"
    )
