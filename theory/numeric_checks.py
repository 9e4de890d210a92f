"""Numeric checks registered with ``wdt verify`` (route ``numeric``).

Each check draws random cases from the context's seed, computes the closed form of ``theory`` and an
*independent* route (a dense Cholesky solve instead of the eigenbasis, the plain GD loop instead of
matrix powers, an augmented least-squares QR instead of the SVD, SciPy's distributions, FISTA or
SLSQP instead of a closed form), and reports the worst error against a tolerance that scales with
dimension, conditioning and dtype (:mod:`theory.numerics`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.stats
from numpy.typing import NDArray

from theory import bayes, regression
from theory.checks import CheckContext, CheckResult, ErrorTracker, register
from theory.numerics import (
    eigenbasis_tolerance,
    elastic_net_agreement_tolerance,
    relative_error,
    residual_tolerance,
)
from theory.quadratic import Quadratic
from theory.testing.strategies import design_with_condition, log_spaced_spectrum, matrix_from_spectrum

__all__: list[str] = []  # everything here registers itself; nothing to import

EPS = float(np.finfo(np.float64).eps)
FloatArray = NDArray[np.floating[Any]]


def _quadratic(
    rng: np.random.Generator, d: int, kappa: float, rank: int | None = None
) -> tuple[Quadratic, float]:
    """A random Quadratic and the condition number of its non-zero spectrum."""
    lam = log_spaced_spectrum(rng, d, kappa, rng.uniform(0.5, 5.0), rank=rank)
    m = matrix_from_spectrum(lam, rng)
    w = rng.standard_normal(d) * 3
    nz = lam[lam > 0]
    return Quadratic(m.H, w), float(nz.max() / nz.min())


def _sizes(ctx: CheckContext, rng: np.random.Generator) -> tuple[int, float]:
    d = int(rng.integers(1, 40 if ctx.thorough else 12))
    kappa = float(10 ** rng.uniform(0, 10 if ctx.thorough else 8))
    return d, kappa


@register("l2.update", "numeric", "direct step vs eigenbasis step vs finite-difference gradient")
def _l2_update(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(1)
    tr = ErrorTracker()
    for _ in range(ctx.cases(40, 1000)):
        d, kappa = _sizes(ctx, rng)
        q, _ = _quadratic(rng, d, min(kappa, 1e6))
        alpha = float(10 ** rng.uniform(-3, 2))
        eps = rng.uniform(0.05, 0.95) * q.max_stable_step(alpha)
        w = rng.standard_normal(d) * 3
        direct = (1 - eps * alpha) * w - eps * q.gradient(w)
        closed = q.gd_iterates(eps, [1], w0=w, alpha=alpha)[0]
        # rounding is relative to the terms that are added, not to their (possibly cancelling) sum;
        # the eigenbasis route has three O(d·eps) operations: eigh's backward error, Qᵀw and Q(·)
        terms = float(np.linalg.norm(w) + eps * np.linalg.norm(q.H, 2) * np.linalg.norm(w - q.w_star))
        tr.add(float(np.linalg.norm(closed - direct)) / terms, 3 * residual_tolerance(d, 1.0))
        # gradient by central differences of the objective J(w) + (α/2)‖w‖² (exact for a quadratic,
        # up to rounding of size eps·|f|/h)
        h = 1e-3 * (1 + float(np.linalg.norm(w)))

        def f(v: FloatArray, q: Quadratic = q, alpha: float = alpha) -> float:
            return q.value(v) + 0.5 * alpha * float(v @ v)

        grad_fd = np.array([(f(w + h * e) - f(w - h * e)) / (2 * h) for e in np.eye(d)])
        fd_step = w - eps * grad_fd
        scale = abs(f(w)) + float(np.linalg.norm(w)) ** 2 + 1
        tr.add(
            float(np.linalg.norm(fd_step - direct)) / (1 + float(np.linalg.norm(direct))),
            100 * d * EPS * scale * eps / h,
        )
    return tr.result("one step: (1 − εα)w − ε∇J(w), three ways")


@register("l2.optimum", "numeric", "eigenbasis vs dense Cholesky solve of (H + αI)w = Hw*")
def _l2_optimum(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(2)
    tr = ErrorTracker()
    for _ in range(ctx.cases(60, 2000)):
        d, kappa = _sizes(ctx, rng)
        rank = int(rng.integers(1, d + 1))
        q, _ = _quadratic(rng, d, kappa, rank)
        alpha = float(10 ** rng.uniform(-6, 3))
        dense = scipy.linalg.solve(q.H + alpha * np.eye(d), q.H @ q.w_star, assume_a="pos")
        lam = q.eigenvalues
        kappa_shift = (lam[-1] + alpha) / (lam[0] + alpha)
        w = q.l2_optimum(alpha)
        # forward error of a solve Ax = b: ‖δx‖ ≲ ‖A⁻¹‖(‖δA‖‖x‖ + ‖δb‖), ‖δb‖ ≈ eps‖H‖‖w*‖ (Higham §7.1)
        shift = lam[0] + alpha
        scale = kappa_shift * float(np.linalg.norm(w)) + lam[-1] * float(np.linalg.norm(q.w_star)) / shift
        tol = residual_tolerance(d, 1.0) * scale + eigenbasis_tolerance(d) * float(np.linalg.norm(w))
        tr.add(float(np.linalg.norm(w - dense)), max(tol, np.finfo(float).tiny))
    return tr.result("solve's forward error + eigenbasis rounding; singular H included; κ(H + αI) ≤ 1e8")


@register("l2.eigen", "numeric", "λ/(λ+α) vs eigenvalues of (H + αI)⁻¹H computed densely")
def _l2_eigen(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(3)
    tr = ErrorTracker()
    for _ in range(ctx.cases(60, 2000)):
        d, kappa = _sizes(ctx, rng)
        q, _ = _quadratic(rng, d, min(kappa, 1e6))
        alpha = float(10 ** rng.uniform(-3, 3))
        M = scipy.linalg.solve(q.H + alpha * np.eye(d), q.H, assume_a="pos")
        ev = np.sort(np.real(scipy.linalg.eigvals(M)))
        lam = q.eigenvalues
        kappa_shift = (lam[-1] + alpha) / (lam[0] + alpha)
        err = float(np.max(np.abs(ev - q.shrinkage(alpha))))
        # M = (H + αI)⁻¹H is symmetric in exact arithmetic, so (Bauer–Fike) |δλ| ≤ ‖δM‖ ≲
        # eps(κ(H + αI)‖M‖ + ‖H‖/(λ_min + α)), and ‖M‖ ≤ 1
        tr.add(err, residual_tolerance(d, kappa_shift + lam[-1] / (lam[0] + alpha)))
    return tr.result("spectrum of (H + αI)⁻¹H (LAPACK geev, dense) = {λ_i/(λ_i + α)}")


def _regression_case(rng: np.random.Generator, max_cond: float = 1e4) -> tuple[FloatArray, FloatArray, float]:
    """X = U diag(s) Vᵀ with s from 1 down to 1/cond (n < d gives a singular XᵀX); y Gaussian."""
    n = int(rng.integers(2, 30))
    d = int(rng.integers(1, 30))
    cond = float(10 ** rng.uniform(0, math.log10(max_cond)))
    X = design_with_condition(rng, n, d, cond)
    return X, rng.standard_normal(n), cond


@register("l2.ridge", "numeric", "SVD ridge vs augmented least squares, in three conventions")
def _l2_ridge(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(4)
    tr = ErrorTracker()
    # the multiplier m in (XᵀX + mα)w = Xᵀy, derived from each objective independently of theory
    weights: dict[regression.RidgeConvention, Callable[[int], float]] = {
        "mean": lambda n: float(n),
        "half_sse": lambda n: 1.0,
        "sse": lambda n: 0.5,
    }
    for _ in range(ctx.cases(40, 1000)):
        X, y, cond = _regression_case(rng)
        n, d = X.shape
        alpha = float(10 ** rng.uniform(-3, 2))
        for conv, m in weights.items():
            aug_X = np.vstack([X, math.sqrt(m(n) * alpha) * np.eye(d)])
            aug_y = np.concatenate([y, np.zeros(d)])
            w_ls = scipy.linalg.lstsq(aug_X, aug_y, lapack_driver="gelsy")[0]
            smin2 = (cond**-2 if d <= n else 0.0) + m(n) * alpha  # XᵀX is singular when d > n
            kappa_aug = math.sqrt((1 + m(n) * alpha) / smin2)  # κ of [X; √(mα)I], with s_max(X) = 1
            residual = float(np.linalg.norm(aug_X @ w_ls - aug_y))
            # least-squares forward error (Wedin; Higham §20.1): κ‖w‖ + κ²‖r‖/‖A‖, ‖A‖ ≥ 1 here; the
            # SVD route's own error is of the first kind
            bound = kappa_aug * float(np.linalg.norm(w_ls)) + kappa_aug**2 * residual
            w = regression.ridge(X, y, alpha, convention=conv)
            tr.add(float(np.linalg.norm(w - w_ls)), residual_tolerance(n + d, 1.0) * max(bound, 1e-300))
        # G 7.15 (‖r‖² + (α/2)‖w‖²) is G 7.17's formula at α/2: the factor-of-2 trap
        tr.add(
            relative_error(
                regression.ridge(X, y, alpha, convention="sse"),
                regression.ridge(X, y, alpha / 2, convention="half_sse"),
            ),
            residual_tolerance(d, 1.0),
        )
    return tr.result("G 7.15's minimiser is (XᵀX + (α/2)I)⁻¹Xᵀy, not G 7.17's")


@register("l2.pinv", "numeric", "(XᵀX + αI)⁻¹Xᵀ → X⁺ (numpy.linalg.pinv) as α → 0⁺")
def _l2_pinv(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(5)
    tr = ErrorTracker()
    for _ in range(ctx.cases(30, 600)):
        X, _, _ = _regression_case(rng, max_cond=1e3)
        n, d = X.shape
        s = np.linalg.svd(X, compute_uv=False)
        smin = float(s[s > 1e-12 * s[0]].min())
        pinv = np.linalg.pinv(X)
        for frac in (1e-1, 1e-2, 1e-3):  # κ(XᵀX + αI) ≤ s_max²/α ≤ 1e9: the solve stays accurate
            alpha = frac * smin**2
            A = scipy.linalg.solve(X.T @ X + alpha * np.eye(d), X.T, assume_a="pos")
            # ‖(XᵀX + αI)⁻¹Xᵀ − X⁺‖₂ = max_i α/(s_i(s_i² + α)) = α/(s_min(s_min² + α)) exactly:
            # the distance is O(α) with this constant; what remains is rounding of the solve
            gap = float(np.linalg.norm(A - pinv, 2))
            exact = alpha / (smin * (smin**2 + alpha))
            tr.add(abs(gap - exact), residual_tolerance(n + d, (s[0] ** 2 + alpha) / alpha) / smin)
    return tr.result("‖(XᵀX + αI)⁻¹Xᵀ − X⁺‖₂ = α/(s_min(s_min² + α)) → 0, α = 1e-1…1e-3·s_min²")


@register("l2.dof", "numeric", "Σ λ/(λ+α) vs tr(H(H + αI)⁻¹) by dense solve")
def _l2_dof(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(6)
    tr = ErrorTracker()
    for _ in range(ctx.cases(60, 2000)):
        d, kappa = _sizes(ctx, rng)
        rank = int(rng.integers(1, d + 1))
        q, _ = _quadratic(rng, d, kappa, rank)
        alpha = float(10 ** rng.uniform(-4, 3))
        dense = float(np.trace(scipy.linalg.solve(q.H + alpha * np.eye(d), q.H, assume_a="pos")))
        kappa_shift = (q.eigenvalues[-1] + alpha) / (q.eigenvalues[0] + alpha)
        tr.add(abs(q.effective_dof(alpha) - dense), residual_tolerance(d, kappa_shift) * d)
        tr.add(abs(q.effective_dof(0.0) - q.rank), 0.5)  # the α → 0⁺ limit is rank(H)
    return tr.result("df(0⁺) = rank(H)")


@register("l2.constraint", "numeric", "penalised optimum vs SLSQP on min J s.t. ‖w‖ ≤ k")
def _l2_constraint(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(7)
    tr = ErrorTracker()
    for _ in range(ctx.cases(15, 200)):
        d = int(rng.integers(2, 7))
        q, _ = _quadratic(rng, d, float(10 ** rng.uniform(0, 2)))
        alpha = float(10 ** rng.uniform(-1, 1)) * q.eigenvalues[-1]
        k = q.constraint_radius(alpha)
        ball = {"type": "ineq", "fun": lambda w, k=k: k * k - w @ w, "jac": lambda w: -2 * w}
        res = scipy.optimize.minimize(
            q.value,
            np.zeros(d),
            jac=q.gradient,
            constraints=[ball],
            method="SLSQP",
            options={"ftol": 1e-14, "maxiter": 1000},
        )
        # SLSQP is accurate to about √ftol in w: its own tolerance, not ours
        tr.add(relative_error(res.x, q.l2_optimum(alpha)), 1e-5)
        # the KKT multiplier recovered from k is α (a root-finding round trip)
        tr.add(abs(q.alpha_for_radius(k) - alpha) / alpha, 1e3 * EPS * q.condition_number)
        alphas = np.sort(10 ** rng.uniform(-3, 3, size=20)) * q.eigenvalues[-1]
        radii = [q.constraint_radius(a) for a in alphas]
        # k(α) decreasing: no rise beyond the rounding of a d-term norm (a few d·eps relative)
        tr.add(float(np.sum(np.diff(radii) > 4 * d * EPS * np.asarray(radii[:-1]))), 0.5)
    return tr.result("SLSQP ftol 1e-14 (tolerance 1e-5 is SLSQP's, in w); α(k) round trip; k(α) decreasing")


def _diagonal_quadratic(rng: np.random.Generator, d: int) -> Quadratic:
    h = 10 ** rng.uniform(-1, 1, size=d)
    w = rng.standard_normal(d) * 2
    return Quadratic(np.diag(h), w)


@register("l1.soft_threshold", "numeric", "soft threshold vs FISTA; zero pattern |w*_i| ≤ α/H_ii")
def _l1_soft(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(8)
    tr = ErrorTracker()
    for _ in range(ctx.cases(40, 800)):
        d = int(rng.integers(1, 20))
        q = _diagonal_quadratic(rng, d)
        alpha = float(10 ** rng.uniform(-2, 0.5))
        closed = q.l1_optimum(alpha)
        prox = q.proximal_optimum(l1=alpha, tol=1e-13)
        tr.add(relative_error(prox.w, closed), 1e-11 * math.sqrt(d))
        h = np.diag(q.H)
        predicted_zero = np.abs(q.w_star) <= alpha / h
        tr.add(float(np.sum((closed == 0) != predicted_zero)), 0.5)
        tr.add(float(np.sum(q.l2_optimum(alpha) == 0)), 0.5)  # L2 never zeroes w*_i ≠ 0
    return tr.result("FISTA stopped at KKT violation 1e-13·‖Hw*‖∞; exact zeros where predicted")


@register("enet.diagonal", "numeric", "closed form vs FISTA on J + α₁‖w‖₁ + (α₂/2)‖w‖², H_ii of both signs")
def _enet(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(9)
    tr = ErrorTracker()
    for _ in range(ctx.cases(40, 800)):
        d = int(rng.integers(1, 20))
        l1 = float(10 ** rng.uniform(-2, 0.5))
        l2 = float(10 ** rng.uniform(-2, 1))
        # the whole domain H_ii + α₂ > 0: curvature m_i = H_ii + α₂ ∈ [0.05, 20], so H_ii < 0 where m_i < α₂
        h = 10 ** rng.uniform(math.log10(0.05), math.log10(20), size=d) - l2
        q = Quadratic(np.diag(h), rng.standard_normal(d) * 2, allow_indefinite=True)
        closed = q.elastic_net_optimum(l1, l2)
        prox = q.proximal_optimum(l1=l1, l2=l2, tol=1e-13)
        tol = elastic_net_agreement_tolerance(h, q.w_star, l1, l2, closed, prox.tolerance)
        tr.add(float(np.linalg.norm(prox.w - closed)), tol)
    return tr.result(
        "FISTA's KKT stop over the strong convexity μ = min(H_ii + α₂), plus the closed form's rounding"
    )


@register("bayes.gaussian", "numeric", "posterior mean (precision form) vs SVD ridge at α = σ²/s²")
def _bayes_gaussian(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(10)
    tr = ErrorTracker()
    for _ in range(ctx.cases(40, 800)):
        X, y, _ = _regression_case(rng)
        n, d = X.shape
        noise, prior = float(10 ** rng.uniform(-2, 1)), float(10 ** rng.uniform(-2, 1))
        mean, _ = bayes.gaussian_posterior(X, y, noise, prior)
        alpha = bayes.alpha_from_gaussian_prior(noise, prior)
        kappa = (1 + alpha) / alpha  # κ(XᵀX + αI) with s_max(X) = 1, whatever s_min
        tol = residual_tolerance(n + d, kappa * 10)
        tr.add(relative_error(regression.ridge(X, y, alpha, convention="half_sse"), mean), tol)
        # on the canonical mean scale α = σ²/(n s²)
        alpha_mean = bayes.alpha_from_gaussian_prior(noise, prior, n=n)
        tr.add(relative_error(regression.ridge(X, y, alpha_mean, convention="mean"), mean), tol)
        # MAP: the log posterior's gradient vanishes at the mean (central differences)
        h = 1e-4 * (1 + float(np.linalg.norm(mean)))
        grad = np.array(
            [
                (
                    bayes.gaussian_log_posterior(mean + h * e, X, y, noise, prior)
                    - bayes.gaussian_log_posterior(mean - h * e, X, y, noise, prior)
                )
                / (2 * h)
                for e in np.eye(d)
            ]
        )
        value = abs(bayes.gaussian_log_posterior(mean, X, y, noise, prior))
        tr.add(float(np.linalg.norm(grad)), 100 * d * EPS * (value + 1) / h)
    return tr.result("MAP = posterior mean = ridge(σ²/s²) on the ½-SSE scale = ridge(σ²/(ns²)) per mean")


@register("bayes.laplace", "numeric", "log prior vs the density in 40-digit mpmath; 1-D MAP by grid search")
def _bayes_laplace(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(11)
    tr = ErrorTracker()
    for _ in range(ctx.cases(40, 800)):
        d = int(rng.integers(1, 20))
        alpha = float(10 ** rng.uniform(-2, 2))
        w = rng.standard_normal(d) * 3
        # reference: log of the density (1/2b)·e^{−|w|/b}, b = 1/α, evaluated in 40-digit mpmath (SciPy
        # 1.17's laplace.logpdf loses up to 9 digits where the density is subnormal, |w|α > 708)
        with mpmath.workdps(40):
            b = 1 / mpmath.mpf(alpha)
            ref = float(sum(mpmath.log(mpmath.exp(-abs(mpmath.mpf(float(v))) / b) / (2 * b)) for v in w))
        tr.add(abs(bayes.laplace_log_prior(w, alpha) - ref), 100 * d * EPS * (abs(ref) + 1))
        # MAP with a quadratic log-likelihood −J(w) is the L1 optimum: check in 1-D on a fine grid
        q = _diagonal_quadratic(rng, 1)
        grid = np.linspace(-8, 8, 160_001)
        h, ws = float(q.H[0, 0]), float(q.w_star[0])
        log_post = -0.5 * h * (grid - ws) ** 2 - alpha * np.abs(grid)
        tr.add(abs(grid[np.argmax(log_post)] - q.l1_optimum(alpha)[0]), 2 * (grid[1] - grid[0]))
    return tr.result("log p(w) = −α‖w‖₁ + d log α − d log 2; grid MAP within two grid steps")


@register("es.trajectory", "numeric", "closed form (I − εH)^τ vs the plain GD loop; flow vs expm")
def _es_trajectory(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(12)
    tr = ErrorTracker()
    for _ in range(ctx.cases(30, 500)):
        d, kappa = _sizes(ctx, rng)
        q, _ = _quadratic(rng, d, min(kappa, 1e4))
        alpha = 0.0 if rng.random() < 0.5 else float(10 ** rng.uniform(-3, 0))
        eps = rng.uniform(0.05, 0.99) * q.max_stable_step(alpha)
        w0 = None if rng.random() < 0.5 else rng.standard_normal(d)
        taus = np.array([0, 1, 7, 100, 1000])
        closed = q.gd_iterates(eps, taus, w0=w0, alpha=alpha)
        loop = q.simulate_gd(eps, taus, w0=w0, alpha=alpha)
        scale = float(np.linalg.norm(q.w_star)) + (0.0 if w0 is None else float(np.linalg.norm(w0)))
        for t, a, b in zip(taus, closed, loop, strict=True):
            # rounding accumulates at most linearly in τ (each step contracts earlier errors)
            tr.add(float(np.linalg.norm(a - b)) / scale, residual_tolerance(d, 1.0) * (1 + t))
    _gradient_flow_cases(ctx, tr)
    return tr.result(
        "τ ∈ {0, 1, 7, 100, 1000}, from 0 and from w⁽⁰⁾, α ≥ 0; gradient flow vs scipy.linalg.expm, "
        "GD → flow as ε → 0"
    )


@register("es.equivalence", "numeric", "generalised ridge at the exact α_i vs the GD loop")
def _es_equivalence(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(13)
    tr = ErrorTracker()
    for _ in range(ctx.cases(30, 500)):
        d, kappa = _sizes(ctx, rng)
        q, _ = _quadratic(rng, d, min(kappa, 1e4))
        eps = rng.uniform(0.05, 0.99) / q.eigenvalues[-1]
        tau = int(rng.integers(1, 2000))
        alphas = q.early_stopping_alpha(eps, tau)
        ridge = q.generalized_ridge(alphas)
        loop = q.simulate_gd(eps, [tau])[0]
        tr.add(relative_error(ridge, loop), residual_tolerance(d, 1.0) * (1 + tau))
    return tr.result("(1 − ελ_i)^τ = α_i/(λ_i + α_i) per direction, checked against the loop")


@register("es.approx", "numeric", "α_i vs its series; the worked example of REFERENCE.md")
def _es_approx(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(14)
    tr = ErrorTracker()
    for _ in range(ctx.cases(40, 800)):
        tau = int(rng.integers(10, 5000))
        eps = float(10 ** rng.uniform(-4, -1))
        # λ with x = ετλ ∈ [1e-4, 1e-2]: deep in the regime of the series
        x = 10 ** rng.uniform(-4, -2, size=5)
        lam = x / (eps * tau)
        q = Quadratic(np.diag(lam), np.ones(5))
        exact = q.early_stopping_alpha(eps, tau)
        series = q.early_stopping_alpha_series(eps, tau)
        c2 = eps * (tau**2 - 1) / (12 * tau)  # next term: +ε(τ² − 1)λ²/(12τ) (derived in proofs)
        remainder = exact - series
        # |remainder − c2λ²| = O(λ³): relative to c2λ² it is O(ετλ) = O(x)
        rel = np.abs(remainder - c2 * q.eigenvalues**2) / (c2 * q.eigenvalues**2)
        tr.add(float(np.max(rel / q.eigenvalues / (eps * tau))), 1.0)
        # rule τ ≈ 1/(εα): relative error ≈ λ(τ + 1)ε/2
        err = q.early_stopping_approx_error(eps, tau)
        first = q.eigenvalues * (tau + 1) * eps / 2
        tr.add(float(np.max(np.abs(err - first) / first)), 2 * float(np.max(x)))
    # REFERENCE.md: ετ = 100: (1 − ελ)^τ vs α/(λ + α) is 0.905 vs 0.909 at λ/α = 0.1, 0.368 vs 0.5 at 1
    eps, tau = 1e-4, 1_000_000
    alpha = 1 / (eps * tau)
    q = Quadratic(np.diag([0.1 * alpha, alpha]), np.ones(2))
    gd_remaining = 1 - q.gd_iterates(eps, tau)[0]
    ridge_remaining = 1 - q.l2_optimum(alpha)
    got = np.concatenate([gd_remaining, ridge_remaining])
    tr.add(float(np.max(np.abs(got - [0.905, 0.368, 0.909, 0.5]))), 5e-4)
    return tr.result("remainder = ε(τ² − 1)λ²/(12τ) + O(λ³); 0.905/0.909 and 0.368/0.500 reproduced")


@register("es.nonzero_init", "numeric", "GD from w⁽⁰⁾ vs ridge centred at w⁽⁰⁾ with the exact α_i")
def _es_nonzero(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(15)
    tr = ErrorTracker()
    for _ in range(ctx.cases(30, 500)):
        d, kappa = _sizes(ctx, rng)
        q, _ = _quadratic(rng, d, min(kappa, 1e4))
        eps = rng.uniform(0.05, 0.99) / q.eigenvalues[-1]
        tau = int(rng.integers(1, 2000))
        w0 = rng.standard_normal(d) * 3
        ridge = q.generalized_ridge(q.early_stopping_alpha(eps, tau), center=w0)
        loop = q.simulate_gd(eps, [tau], w0=w0)[0]
        tr.add(relative_error(ridge, loop), residual_tolerance(d, 1.0) * (1 + tau))
    return tr.result("penalty ½Σα_i(q_iᵀ(w − w⁽⁰⁾))²")


def _gradient_flow_cases(ctx: CheckContext, tr: ErrorTracker) -> None:
    """Gradient flow (the ε → 0 trajectory) against scipy.linalg.expm, and GD converging to it."""
    rng = ctx.rng(22)
    for _ in range(ctx.cases(30, 500)):
        d, kappa = _sizes(ctx, rng)
        q, _ = _quadratic(rng, d, min(kappa, 1e4))
        alpha = 0.0 if rng.random() < 0.5 else float(10 ** rng.uniform(-3, 0))
        t = float(10 ** rng.uniform(-2, 2))
        w0 = rng.standard_normal(d)
        target = q.w_star if alpha == 0 else q.l2_optimum(alpha)
        dense = target + scipy.linalg.expm(-t * (q.H + alpha * np.eye(d))) @ (w0 - target)
        flow = q.gradient_flow(t, w0=w0, alpha=alpha)[0]
        norm_ht = (q.eigenvalues[-1] + alpha) * t  # scaling and squaring is accurate relative to ‖Ht‖
        scale = float(np.linalg.norm(w0) + np.linalg.norm(target))
        tr.add(float(np.linalg.norm(flow - dense)) / scale, residual_tolerance(d, max(norm_ht, 1.0)))
        # GD with step ε and τ = t/ε steps approaches the flow at rate O(ε): ‖w_GD − w(t)‖ ≤ ε·t·λ²_max·…
        eps = 1e-3 / (q.eigenvalues[-1] + alpha)
        steps = round(t / eps)
        gd = q.gd_iterates(t / steps, steps, w0=w0, alpha=alpha)[0]
        bound = (t / steps) * (q.eigenvalues[-1] + alpha) / 2 * float(np.linalg.norm(w0 - target)) + 1e-15
        tr.add(float(np.linalg.norm(gd - flow)), bound)


@register("gd.stability", "numeric", "ε < 2/(λ_max + α) vs spectral norm of I − ε(H + αI) and the loop")
def _gd_stability(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(16)
    tr = ErrorTracker()
    for _ in range(ctx.cases(40, 800)):
        d, kappa = _sizes(ctx, rng)
        q, _ = _quadratic(rng, d, min(kappa, 1e3))
        alpha = float(10 ** rng.uniform(-3, 0))
        bound = q.max_stable_step(alpha)
        for factor in (0.9, 0.999, 1.001, 1.1):
            eps = factor * bound
            M = np.eye(d) - eps * (q.H + alpha * np.eye(d))
            radius = float(np.linalg.norm(M, 2))  # SVD: independent of eigh
            margin = residual_tolerance(d, 1.0)  # SVD's backward error on ‖M‖₂ ≤ 1.1: c·d·eps
            tr.add(float(not (radius < 1 - margin if factor < 1 else radius > 1 + margin)), 0.5)
        # and the loop itself: contracting just inside, blowing up just outside
        w0 = rng.standard_normal(d)
        target = q.l2_optimum(alpha)
        inside = q.simulate_gd(0.95 * bound, [2000], w0=w0, alpha=alpha)[0]
        outside = q.simulate_gd(1.05 * bound, [200], w0=w0, alpha=alpha)[0]
        start = float(np.linalg.norm(w0 - target))
        tr.add(float(np.linalg.norm(inside - target) > start), 0.5)
        tr.add(float(np.linalg.norm(outside - target) < start), 0.5)
    return tr.result("classification errors counted (0 expected), at ε/bound ∈ {0.9, 0.999, 1.001, 1.1}")


@register("gd.min_norm", "numeric", "GD loop on least squares vs X⁺y + (I − X⁺X)w⁽⁰⁾ by SVD")
def _gd_min_norm(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(17)
    tr = ErrorTracker()
    for _ in range(ctx.cases(20, 300)):
        n = int(rng.integers(2, 15))
        d = int(rng.integers(n + 1, 40))  # underdetermined, as in d2l
        X = rng.standard_normal((n, d))
        y = rng.standard_normal(n)
        w0 = rng.standard_normal(d) * 3
        q = Quadratic.from_regression(X, y)
        nz = q.eigenvalues[q.eigenvalues > 0]
        eps = 1.0 / nz[-1]
        # steps for the contraction (1 − ελ_min⁺)^T to fall below 1e-14
        steps = math.ceil(math.log(1e-14) / math.log(1 - eps * nz[0]))
        loop = q.simulate_gd(eps, [steps], w0=w0)[0]
        limit = regression.gd_least_squares_limit(X, y, w0)
        scale = float(np.linalg.norm(limit))
        tr.add(relative_error(loop, limit), residual_tolerance(d, nz[-1] / nz[0]) * 10 + 1e-13)
        tr.add(relative_error(q.gd_limit(eps, w0), limit), residual_tolerance(d, nz[-1] / nz[0]))
        # from 0 the limit is the minimum-norm solution: orthogonal to the null space of X
        from_zero = q.gd_limit(eps)
        tr.add(float(np.linalg.norm(from_zero - np.linalg.pinv(X) @ y)) / scale, residual_tolerance(d, 1e2))
    return tr.result("n < d; the null-space part of w⁽⁰⁾ never moves")


# ---------------------------------------------------------------- beyond the textbook


def _gf_and_ridge_maps(X: FloatArray, t: float) -> tuple[FloatArray, FloatArray]:
    """The linear maps y ↦ β̂ of gradient flow at t and ridge at λ = 1/t, built with expm and solve."""
    n, d = X.shape
    H = X.T @ X / n
    # gradient flow from 0 on (1/2n)‖Xβ − y‖²: β(t) = ∫₀ᵗ e^{−Hs} ds Xᵀy/n, via the augmented expm
    aug = np.zeros((2 * d, 2 * d))
    aug[:d, :d] = -H
    aug[:d, d:] = np.eye(d)
    integral = scipy.linalg.expm(aug * t)[:d, d:]
    gf = integral @ X.T / n
    ridge = scipy.linalg.solve(H + np.eye(d) / t, X.T / n, assume_a="pos")
    return gf, ridge


@register("es.gf_vs_ridge", "numeric", "risk ratio ≤ sup[(1 − e⁻ˣ)(1 + x)/x]² via expm-built estimators")
def _gf_vs_ridge(ctx: CheckContext) -> CheckResult:
    from theory import risk

    rng = ctx.rng(18)
    tr = ErrorTracker()
    sup, arg = risk.worst_variance_ratio()
    grid = np.linspace(1e-3, 20, 200_001)
    dense_sup = float(np.max(risk.variance_ratio(grid)))
    tr.add(abs(sup - dense_sup), 1e-8)  # Brent's sup vs a dense grid
    tr.add(abs(sup - 1.685909058), 1e-9)  # REFERENCE.md's 1.685909058…
    tr.add(abs(arg - 1.79328), 1e-5)
    tr.add(float(np.sum(np.exp(-grid) > (1 + 4 * EPS) / (1 + grid))), 0.5)  # e^{−x} ≤ 1/(1 + x), 2 roundings
    for _ in range(ctx.cases(15, 200)):
        n, d = int(rng.integers(2, 30)), int(rng.integers(1, 8))
        X = rng.standard_normal((n, d)) * 10 ** rng.uniform(-1, 1, size=d)
        beta0, noise, t = (
            rng.standard_normal(d),
            float(10 ** rng.uniform(-2, 1)),
            float(10 ** rng.uniform(-2, 2)),
        )
        gf_map, ridge_map = _gf_and_ridge_maps(X, t)

        def risk_of(
            A: FloatArray, X: FloatArray = X, beta0: FloatArray = beta0, noise: float = noise
        ) -> tuple[float, float]:
            """E‖AY − β₀‖² = ‖(AX − I)β₀‖² + σ² tr(AAᵀ), and the size of the terms it sums."""
            AX = A @ X
            bias = AX @ beta0 - beta0  # may cancel when AX ≈ I: rounding is relative to the terms
            terms = (float(np.linalg.norm(AX, 2)) + 1) ** 2 * float(beta0 @ beta0) + noise * np.sum(A * A)
            return float(bias @ bias + noise * np.sum(A * A)), float(terms)

        gf_risk, ridge_risk = risk.estimation_risks(X, beta0, noise, t)
        # the per-direction formulas against the matrices built with expm and a solve
        # scaling-and-squaring expm is accurate relative to ‖Ht‖ (Higham, SIAM J. Matrix Anal. 2005)
        H = X.T @ X / n
        norm_ht = float(np.linalg.norm(H, 2) * t)
        kappa_ridge = float(np.linalg.cond(H + np.eye(d) / t))
        for formula, (dense, terms), kappa in (
            (gf_risk, risk_of(gf_map), max(norm_ht, 1.0)),
            (ridge_risk, risk_of(ridge_map), kappa_ridge),
        ):
            tr.add(abs(formula - dense), residual_tolerance(2 * d, kappa) * terms)
        tr.add(max(gf_risk / ridge_risk - sup, 0.0), 1e-12)  # the theorem: ratio ≤ 1.685909…
    return tr.result(f"sup = {sup:.9f} at x = {arg:.5f}; estimators built with scipy.linalg.expm")


@register("es.gf_vs_ridge_tuned", "numeric", "sup (1 + u)[e⁻²ᵘ + (1 − e⁻ᵘ)²/u] by Brent vs a dense grid")
def _gf_vs_ridge_tuned(ctx: CheckContext) -> CheckResult:
    from theory import risk

    tr = ErrorTracker()
    sup, arg = risk.worst_tuned_ratio()
    grid = np.linspace(1e-3, 40, 400_001)
    tr.add(abs(sup - float(np.max(risk.tuned_bayes_ratio(grid)))), 1e-8)
    # the reference values are printed to 7 and 5 significant digits: half a unit of the last digit
    tr.add(abs(sup - 1.214662), 5e-7)  # REFERENCE.md's 1.214662
    tr.add(abs(arg - 3.2136), 5e-5)
    tr.add(max(sup - risk.GF_RIDGE_TUNED_BOUND, 0.0), 1e-12)  # the paper's printed bound holds
    return tr.result(f"sup = {sup:.7f} at u = {arg:.4f} (paper: 1.2147, abstract: 1.22)")


@register("es.gd_generalized_ridge", "numeric", "GD loop after k steps vs (XᵀX + nQ_k)⁻¹Xᵀy by dense solve")
def _gd_generalized_ridge(ctx: CheckContext) -> CheckResult:
    from theory import risk

    rng = ctx.rng(19)
    tr = ErrorTracker()
    for _ in range(ctx.cases(20, 300)):
        d = int(rng.integers(1, 10))
        n = int(rng.integers(d + 1, 40))  # full column rank: every s_i > 0, as the lemma's formula needs
        X = rng.standard_normal((n, d))
        y = rng.standard_normal(n)
        q = Quadratic.from_regression(X, y)
        S, V = q.eigenvalues, q.eigenvectors
        eps = float(rng.uniform(0.05, 0.95)) / S[-1]
        k = int(rng.integers(1, 500))
        # the paper's formula, written out: Q_k = V S((I − εS)^{−k} − I)^{−1} Vᵀ
        with np.errstate(over="ignore"):  # (1 − εs)^{−k} = inf gives s/inf = 0, the right limit
            Qk = (V * (S / ((1 - eps * S) ** (-k) - 1))) @ V.T
        ridge = scipy.linalg.solve(X.T @ X + n * Qk, X.T @ y, assume_a="pos")
        loop = q.simulate_gd(eps, [k])[0]
        # the solve's forward error relative to its terms (Xᵀy may cancel): A = n·V(S + diag α_i)Vᵀ
        a_eig = n * (S + q.early_stopping_alpha(eps, k))
        scale = (
            a_eig.max() / a_eig.min() * float(np.linalg.norm(ridge))
            + float(np.linalg.norm(X, 2) * np.linalg.norm(y)) / a_eig.min()
        )
        tr.add(float(np.linalg.norm(ridge - loop)), residual_tolerance(d, 1.0) * (1 + k) * scale)
        tr.add(relative_error(risk.gd_penalty_matrix(X, eps, k), Qk), residual_tolerance(d, 1.0) * (1 + k))
    return tr.result("supplement Lemma 3; Q_k equals V diag(α_i) Vᵀ with es.equivalence's α_i")


@register("noise.tikhonov", "numeric", "Monte Carlo over Ξ (5 standard errors) vs ‖y − Xw‖²/n + s²‖w‖²")
def _noise_tikhonov(ctx: CheckContext) -> CheckResult:
    from theory import noise

    rng = ctx.rng(20)
    tr = ErrorTracker()
    draws = ctx.cases(4000, 40_000)
    for _ in range(ctx.cases(10, 50)):
        n, d = int(rng.integers(1, 20)), int(rng.integers(1, 10))
        X, y, w = rng.standard_normal((n, d)), rng.standard_normal(n), rng.standard_normal(d)
        s2 = float(10 ** rng.uniform(-2, 0.5))
        Xi = rng.standard_normal((draws, n, d)) * math.sqrt(s2)
        r = y - np.einsum("knd,d->kn", X + Xi, w)
        samples = np.mean(r * r, axis=1)
        closed = noise.expected_input_noise_loss(X, y, w, s2)
        se = float(samples.std(ddof=1)) / math.sqrt(draws)
        tr.add(abs(float(samples.mean()) - closed), 5 * se)
    return tr.result(f"{draws} noise draws per case; tolerance 5 standard errors (seeded)")


@register("dropout.ridge", "numeric", "exact expectation over every mask vs ‖y − pXw‖² + p(1 − p)‖Γw‖²")
def _dropout_ridge(ctx: CheckContext) -> CheckResult:
    import itertools

    from theory import noise

    rng = ctx.rng(21)
    tr = ErrorTracker()
    for _ in range(ctx.cases(10, 60)):
        n, d = int(rng.integers(1, 4)), int(rng.integers(1, 4))  # n·d ≤ 9: 512 masks at most
        X, y, w = rng.standard_normal((n, d)), rng.standard_normal(n), rng.standard_normal(d)
        p = float(rng.uniform(0.05, 1.0))
        plain = scaled = 0.0
        for bits in itertools.product((0.0, 1.0), repeat=n * d):
            R = np.array(bits).reshape(n, d)
            prob = p ** R.sum() * (1 - p) ** (R.size - R.sum())
            r = y - (R * X) @ w
            plain += prob * float(r @ r)
            r_scaled = y - (R * X / p) @ w  # PyTorch: kept units rescaled by 1/p
            scaled += prob * float(r_scaled @ r_scaled)
        for exact, rescale in ((plain, False), (scaled, True)):
            closed = noise.expected_dropout_loss(X, y, w, p, rescale=rescale)
            tr.add(abs(closed - exact) / max(exact, 1e-300), 100 * 2 ** (n * d) * EPS)
    return tr.result("Srivastava et al. (keep probability p) and PyTorch's rescaled convention")
