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

from theory import bayes, path, regression
from theory.checks import CheckContext, CheckResult, ErrorTracker, register
from theory.numerics import (
    eigenbasis_tolerance,
    elastic_net_agreement_tolerance,
    product_tolerance,
    relative_error,
    residual_tolerance,
)
from theory.quadratic import Quadratic
from theory.testing.strategies import (
    design_with_condition,
    log_spaced_spectrum,
    logistic_problem,
    matrix_from_spectrum,
)

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
        # each f(w ± he) sums d² products: rounding ≤ γ·F, γ = 10·d·eps, F the size of its terms;
        # a difference quotient is off by ≤ γF/h per component, √d·γF/h in norm, times the step ε
        far = float(np.linalg.norm(w - q.w_star)) + h
        size = 0.5 * float(np.linalg.norm(q.H, 2)) * far**2 + abs(q.value(q.w_star)) + alpha * h * h
        size += 0.5 * alpha * float(np.linalg.norm(w)) ** 2
        fd_tol = eps * math.sqrt(d) * residual_tolerance(d, 1.0) * size / h
        tr.add(float(np.linalg.norm(fd_step - direct)), fd_tol + 3 * residual_tolerance(d, 1.0) * terms)
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


#: each convention's objective, written out from its formula (G 7.15, G 7.17 and the canonical mean
#: loss) and evaluated as written: the l2.ridge check never reads theory.regression's multipliers
RIDGE_OBJECTIVES: dict[regression.RidgeConvention, tuple[str, Callable[..., float]]] = {
    "mean": (
        "(1/2n)‖Xw − y‖² + (α/2)‖w‖²",
        lambda w, X, y, a: float((X @ w - y) @ (X @ w - y)) / (2 * len(y)) + a / 2 * float(w @ w),
    ),
    "half_sse": (
        "½‖Xw − y‖² + (α/2)‖w‖²",
        lambda w, X, y, a: float((X @ w - y) @ (X @ w - y)) / 2 + a / 2 * float(w @ w),
    ),
    "sse": (
        "‖Xw − y‖² + (α/2)‖w‖²",
        lambda w, X, y, a: float((X @ w - y) @ (X @ w - y)) + a / 2 * float(w @ w),
    ),
}


def _objective_gradient(f: Callable[..., float], w: FloatArray, h: float, *args: Any) -> FloatArray:
    """∇f(w, *args) in w by central differences: exact for a quadratic f (its cubic and higher terms
    vanish), so the only error is rounding, ``≤ max|f|·γ/h`` per component for f evaluated to relative
    error γ."""
    return np.array([(f(w + h * e, *args) - f(w - h * e, *args)) / (2 * h) for e in np.eye(w.size)])


@register("l2.ridge", "numeric", "SVD ridge vs the gradient of each convention's objective, written out")
def _l2_ridge(ctx: CheckContext) -> CheckResult:
    """Each convention's ridge solution is the stationary point of *its own* objective.

    The objective is written out in :data:`RIDGE_OBJECTIVES` (not taken from ``theory``); its gradient
    at theory's w comes from central differences of the objective alone, exact for a quadratic up to
    rounding. Every objective is ``aΣr² + (α/2)‖w‖²`` with Hessian ``A ⪰ αI``, so ``‖w − w_true‖ ≤
    ‖∇f(w)‖/α``: a wrong factor in α (the G 7.15 trap: using (XᵀX + αI)⁻¹Xᵀy for ‖Xw − y‖² +
    (α/2)‖w‖²) leaves a gradient ``≈ (α/2)‖w‖``, far above the rounding the tolerance allows.
    """
    rng = ctx.rng(4)
    tr = ErrorTracker()
    for _ in range(ctx.cases(40, 1000)):
        X, y, cond = _regression_case(rng)
        n, d = X.shape
        alpha = float(10 ** rng.uniform(-3, 2))
        for conv, (_, objective) in RIDGE_OBJECTIVES.items():
            w = regression.ridge(X, y, alpha, convention=conv)
            h = 1.0 + float(np.linalg.norm(w))
            grad = _objective_gradient(objective, w, h, X, y, alpha)
            # data weight a = f's value on the residual alone; A = 2aXᵀX + αI with s_max(X) = 1
            a = objective(np.zeros(d), X, np.ones(n), 0.0) / n
            smin2 = cond**-2 if d <= n else 0.0
            norm_a, kappa_a = 2 * a + alpha, (2 * a + alpha) / (2 * a * smin2 + alpha)
            # rounding of f at w ± he_i: its terms are a(‖X‖(‖w‖ + h) + ‖y‖)² and (α/2)(‖w‖ + h)²,
            # each summed from n + d products; the SVD route's forward error, through ‖A‖
            terms = a * (float(np.linalg.norm(w)) + h + float(np.linalg.norm(y))) ** 2 + alpha * h * h
            fd = math.sqrt(d) * residual_tolerance(n + d, 1.0) * terms / h
            svd = norm_a * residual_tolerance(n + d, kappa_a) * float(np.linalg.norm(w))
            tr.add(float(np.linalg.norm(grad)), fd + svd)
    return tr.result("∇ of (1/2n)‖r‖², ½‖r‖², ‖r‖² + (α/2)‖w‖² (G 7.15's minimiser is (XᵀX + (α/2)I)⁻¹Xᵀy)")


@register("l2.pinv", "numeric", "theory's ridge (XᵀX + αI)⁻¹Xᵀ → X⁺ (numpy.linalg.pinv) as α → 0⁺")
def _l2_pinv(ctx: CheckContext) -> CheckResult:
    """``regression.ridge`` applied to the columns of I_n gives ``(XᵀX + αI)⁻¹Xᵀ``; its distance to
    ``numpy.linalg.pinv(X)`` is ``α/(s_min(s_min² + α))`` exactly (singular values from numpy's SVD),
    so the gap is O(α) with that constant. At α = 0 theory's ``ridge`` (the minimum-norm solution) is
    checked against LAPACK's minimum-norm least squares (``gelsd``)."""
    rng = ctx.rng(5)
    tr = ErrorTracker()
    for _ in range(ctx.cases(30, 600)):
        X, y, _ = _regression_case(rng, max_cond=1e3)
        n, d = X.shape
        s = np.linalg.svd(X, compute_uv=False)
        smin = float(s[-1])  # every singular value is ≥ 1/1e3 by construction
        pinv = np.linalg.pinv(X)
        for frac in (1e-1, 1e-2, 1e-3):
            alpha = frac * smin**2
            A = np.column_stack([regression.ridge(X, e, alpha, convention="half_sse") for e in np.eye(n)])
            gap = float(np.linalg.norm(A - pinv, 2))
            exact = alpha / (smin * (smin**2 + alpha))
            # both sides are SVD-based: each coefficient s/(s² + α) and 1/s is accurate to
            # O((n + d)·eps·s_max/s_min) relative (Weyl), times ‖·‖ ≤ 1/s_min
            tr.add(abs(gap - exact), 2 * residual_tolerance(n + d, s[0] / smin) / smin)
        # α = 0: the minimum-norm least-squares solution; Wedin's bound κ‖w‖ + κ²‖r‖ (‖X‖ = 1)
        w_ls, *_ = scipy.linalg.lstsq(X, y, lapack_driver="gelsd")
        kappa = float(s[0] / smin)
        residual = float(np.linalg.norm(X @ w_ls - y))
        bound = kappa * float(np.linalg.norm(w_ls)) + kappa**2 * residual
        error = float(np.linalg.norm(regression.ridge(X, y, 0.0) - w_ls))
        tr.add(error, residual_tolerance(n + d, 1.0) * bound)
    return tr.result("‖ridge_α − X⁺‖₂ = α/(s_min(s_min² + α)), α = 1e-1…1e-3·s_min²; ridge_0 = gelsd's X⁺y")


@register(
    "l2.kernel",
    "numeric",
    "Gram-route (n×n eigh) path vs primal-route path vs dense primal and kernel solves; α = 0 vs gelsd",
)
def _l2_kernel(ctx: CheckContext) -> CheckResult:
    """``(XᵀX + nαI)⁻¹Xᵀy = Xᵀ(XXᵀ + nαI)⁻¹y`` along a path of α, tall and wide X, routes:
    ``regression_spectrum(route="gram")`` (one eigh of XXᵀ/n, w = Q_r(Λ_r + α)⁻¹b), its
    ``route="primal"`` (eigh of XᵀX/n), the library's ``Quadratic.from_regression(X, y, route=…)
    .l2_path`` on each route, a dense Cholesky solve of the primal system and, for n ≤ d, one of the
    kernel system followed by Xᵀ. At α = 0 both spectral routes give X⁺y, checked against
    LAPACK's ``gelsd``. Singular values come from numpy's SVD of X, not from the routes under test.

    Error bound (Higham §7.1: a backward-stable solve or eigh has ``‖E‖ ≤ c·N·eps·‖X‖²``, N = max(n, d),
    which also covers forming XᵀX, XXᵀ and Xᵀy). With ``A = XᵀX + nαI``,
    ``‖ŵ − w‖ ≤ ‖A⁻¹‖(‖E‖‖ŵ‖ + N·eps·‖X‖‖y‖) ≤ c·N·κ_α·eps·S``, ``S = ‖A⁻¹‖₂‖X‖₂‖y‖``,
    ``κ_α = (λ_max + α)/(λ_min + α)`` over all d eigenvalues of XᵀX/n (λ_min = 0 for wide X). For n ≤ d
    the kernel matrix ``XXᵀ + nαI`` has the same non-zero spectrum and no zeros, so its solve obeys the
    same bound. A spectral route whose matrix has exact zero eigenvalues (Gram for n > d, primal for
    d > n) drops or zeroes them; its smallest kept eigenvector leans towards the null space by
    ``‖E‖/λ_min,nz`` (Davis–Kahan), which moves w by ``c·N·κ(X)·eps·S`` more: its bound uses
    ``κ_α + κ(X)``. Two routes' bounds add. At α = 0 the spectral routes square X: error
    ``c·N·κ(X)²·eps`` on the scale ``‖y‖/s_min`` (``‖X⁺y‖ ≤ ‖y‖/s_min``), and gelsd adds Wedin's
    ``κ(X)·eps`` (its residual term ``κ²‖r‖/‖X‖`` is within the same scale).
    """
    from theory.regression import regression_spectrum

    rng = ctx.rng(41)
    tr = ErrorTracker()
    for case in range(ctx.cases(40, 600)):
        if case % 4 == 3:  # wide: the case the Gram route exists for
            n, d = int(rng.integers(2, 10)), int(rng.integers(50, 250))
        else:
            n, d = int(rng.integers(1, 30)), int(rng.integers(1, 30))
        cond = float(10 ** rng.uniform(0, 4))
        X = design_with_condition(rng, n, d, cond) * 10 ** rng.uniform(-2, 2)
        y = rng.standard_normal(n) * 10 ** rng.uniform(-2, 2)
        s = np.linalg.svd(X, compute_uv=False)
        s_max, s_min = float(s[0]), float(s[-1])
        kappa = s_max / s_min
        lam_max = s_max**2 / n
        lam_min = s_min**2 / n if n >= d else 0.0  # smallest of all d eigenvalues of XᵀX/n
        N = max(n, d)
        gram = regression_spectrum(X, y, route="gram")
        primal = regression_spectrum(X, y, route="primal")
        # the library's paths on either route (Quadratic.from_regression, one eigh each)
        alphas = lam_max * 10 ** rng.uniform(-6, 1, size=3)
        library = {r: Quadratic.from_regression(X, y, route=r).l2_path(alphas) for r in ("gram", "primal")}
        # κ(X) is added for the route whose matrix has exact zero eigenvalues
        extra = {"gram": kappa if n > d else 0.0, "primal": kappa if d > n else 0.0, "kernel": 0.0}
        for j, alpha in enumerate(alphas):
            routes = {
                name: sp_.Q @ (sp_.b / (sp_.lam + alpha))
                for name, sp_ in (("gram", gram), ("primal", primal))
            }
            routes |= {f"library {r}": path[j] for r, path in library.items()}
            if n <= d:
                routes["kernel"] = X.T @ scipy.linalg.solve(
                    X @ X.T + n * alpha * np.eye(n), y, assume_a="pos"
                )
            dense = scipy.linalg.solve(X.T @ X + n * alpha * np.eye(d), X.T @ y, assume_a="pos")
            scale = float(np.linalg.norm(y)) * s_max / (n * (lam_min + alpha))
            k_alpha = (lam_max + alpha) / (lam_min + alpha)
            for name, w in routes.items():
                tol = residual_tolerance(N, k_alpha + extra[name.removeprefix("library ")])
                tol += residual_tolerance(N, k_alpha)
                tr.add(float(np.linalg.norm(w - dense)) / scale, tol)
            if "kernel" in routes:  # the push-through pair itself, without the dense primal solve
                tol = residual_tolerance(N, k_alpha + extra["gram"]) + residual_tolerance(N, k_alpha)
                tr.add(float(np.linalg.norm(routes["gram"] - routes["kernel"])) / scale, tol)
        # α → 0⁺: X⁺y (the non-zero λ only: the zero ones are the limit's own case, coefficient 0)
        w_ls = scipy.linalg.lstsq(X, y, lapack_driver="gelsd")[0]
        for sp_ in (gram, primal):
            lam_, Q_, b_ = sp_.eigenbasis()
            keep = lam_ > 0  # rounding-zeros are already exactly 0 (RegressionSpectrum.zero_tol)
            w0 = Q_[:, keep] @ (b_[keep] / lam_[keep])
            tr.add(
                float(np.linalg.norm(w0 - w_ls)) * s_min / float(np.linalg.norm(y)),
                product_tolerance(N, kappa) + residual_tolerance(N, kappa),
            )
    return tr.result("tall and wide X (d up to 250 > n); α from 1e-6 to 10 λ_max; α = 0 against gelsd's X⁺y")


@register("l2.dof", "numeric", "Σ λ/(λ+α) vs tr(H(H + αI)⁻¹) by dense solve; df(0⁺) vs rank(X) by SVD")
def _l2_dof(ctx: CheckContext) -> CheckResult:
    """df(α) against the trace of a dense solve, and ``df(0⁺) = rank`` against ranks not computed from
    theory's thresholded eigenvalues: the rank a spectrum was built with, and for H = XᵀX/n the rank of
    X (numpy's SVD of X) and the trace of the hat matrix ``XX⁺`` (X⁺ by LAPACK least squares)."""
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
        # the spectrum was built with exactly `rank` non-zero eigenvalues (κ ≤ 1e10 keeps them far
        # above eigh's rounding, d·eps·λ_max); summing ones is exact, so any miscount is an error ≥ 1
        tr.add(abs(q.effective_dof(0.0) - rank), residual_tolerance(d, 1.0) * rank)
        # H = XᵀX/n with rounding-level "zero" eigenvalues when n < d
        n = int(rng.integers(1, 2 * d + 2))
        X = design_with_condition(rng, n, d, float(10 ** rng.uniform(0, 4)))
        qx = Quadratic.from_regression(X, rng.standard_normal(n))
        svd_rank = int(np.linalg.matrix_rank(X))  # numpy: s > max(n, d)·eps·s_max, s from X itself
        hat = X @ scipy.linalg.lstsq(X, np.eye(n), lapack_driver="gelsd")[0]
        tr.add(abs(qx.effective_dof(0.0) - svd_rank), residual_tolerance(d, 1.0) * max(svd_rank, 1))
        # tr(XX⁺) = rank: a projector's trace, accurate to n·(n + d)·κ(X)·eps (κ ≤ 1e4 here)
        tr.add(abs(qx.effective_dof(0.0) - float(np.trace(hat))), n * residual_tolerance(n + d, 1e4))
    return tr.result("df(0⁺) = rank: the built rank, numpy's rank of X, and tr(XX⁺) by lstsq")


def _selection_problem(
    rng: np.random.Generator, n: int, d: int
) -> tuple[FloatArray, FloatArray, float, bool]:
    """Data for l2.loo / l2.gcv: X with condition ≤ 10², a noisy linear y, α spread over 10⁻³…10²·λ̄."""
    X = design_with_condition(rng, n, d, float(10 ** rng.uniform(0, 2))) + rng.uniform(-1, 1)
    y = X @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n) + rng.uniform(-2, 2)
    scale = float(np.sum(X * X)) / (n * max(min(n, d), 1))  # mean eigenvalue of XᵀX/n
    return X, y, float(10 ** rng.uniform(-3, 2)) * scale, bool(rng.integers(0, 2))


@register(
    "l2.loo", "numeric", "e_i/(1 − S_ii) from one eigh (ridge_cv) vs n explicit refits by SVD least squares"
)
def _l2_loo(ctx: CheckContext) -> CheckResult:
    """The shortcut (theory.selection.ridge_cv: one eigendecomposition, U∘U times the shrinkage grid)
    against n refits without point i (``loo_by_refit``: LAPACK gelsd on the stacked ridge system, with
    the intercept by centring the n − 1 rows), tall and wide, with and without an intercept.

    Tolerance per residual: the shortcut's bound (``loo_error_bound``: τ(‖y‖ + |LOO_i|)/(1 − S_ii),
    τ = eigenbasis_tolerance(min(n, d), κ)) plus the refit's, ``residual_tolerance(n + d, κ_A)·(‖y‖ +
    |LOO_i|)/(1 − S_ii)`` with κ_A = (s_max² + nα)/(s_min² + nα) the condition of its normal matrix."""
    from theory.regression import regression_spectrum
    from theory.selection import loo_by_refit, loo_error_bound, ridge_cv

    rng = ctx.rng(40)
    tr = ErrorTracker()
    for _ in range(ctx.cases(12, 200)):
        n = int(rng.integers(3, 16 if ctx.thorough else 10))
        d = int(rng.integers(1, 2 * n + 1))
        X, y, alpha, intercept = _selection_problem(rng, n, d)
        res = ridge_cv(X, y, [alpha], fit_intercept=intercept, return_residuals=True)
        assert res.loo_residuals is not None
        loo = res.loo_residuals[:, 0]
        Xc = X - X.mean(axis=0) if intercept else X
        spec = regression_spectrum(Xc, y - y.mean() if intercept else y)
        bound = loo_error_bound(spec, [alpha], res.loo_residuals, intercept=intercept)[:, 0]
        refit = loo_by_refit(X, y, alpha, fit_intercept=intercept)
        s = scipy.linalg.svdvals(Xc)
        s_min = float(s[-1]) if d <= n - int(intercept) else 0.0
        kappa_a = (float(s[0]) ** 2 + n * alpha) / (s_min**2 + n * alpha)
        inv_xt = scipy.linalg.solve(Xc.T @ Xc + n * alpha * np.eye(d), Xc.T, assume_a="pos")  # A⁻¹X_cᵀ
        leverage = np.einsum("ij,ji->i", Xc, inv_xt) + (1.0 / n if intercept else 0.0)
        one_minus = 1.0 - leverage
        scale = float(np.linalg.norm(y)) + np.abs(refit)
        tol_refit = residual_tolerance(n + d, kappa_a) * scale / one_minus
        for err, tol in zip(np.abs(loo - refit), bound + tol_refit, strict=True):
            tr.add(float(err), float(tol))
    return tr.result("n refits without point i (gelsd), n ≤ 15, d ≤ 2n, intercept or not; α > 0")


@register(
    "l2.gcv",
    "numeric",
    "GCV vs the LOO of the Hadamard-rotated problem; vs (1/n)‖(I − S)y‖²/(1 − tr S/n)² with a dense S",
)
def _l2_gcv(ctx: CheckContext) -> CheckResult:
    """Golub, Heath & Wahba's property: with ``R = WΓᵀ`` (Γ the eigenvectors of XXᵀ, W the n×n Hadamard
    matrix over √n), the rotated problem (RX, Ry) has a constant hat diagonal tr S/n, so its LOO MSE
    (theory.selection.ridge_cv on the rotated data: a different spectrum route, residuals and leverages
    computed per point) equals the GCV of the original; and GCV against the dense hat matrix
    (Cholesky solve), with dof = tr S.

    Tolerance, relative: each route's fitted values carry τ‖y‖ and each 1 − S_ii carries τ
    (τ = eigenbasis_tolerance(n, κ_X²), as in ``loo_error_bound``), so GCV carries
    ``2τ‖y‖/‖e‖ + 2τ/(1 − tr S/n)``; two routes, twice that."""
    from theory.selection import ridge_cv

    rng = ctx.rng(41)
    tr = ErrorTracker()
    for _ in range(ctx.cases(10, 150)):
        n = int(2 ** rng.integers(2, 6 if ctx.thorough else 5))
        d = int(rng.integers(1, 2 * n + 1))
        X, y, alpha, _ = _selection_problem(rng, n, d)
        res = ridge_cv(X, y, [alpha])
        _, Gamma = np.linalg.eigh(X @ X.T)
        R = scipy.linalg.hadamard(n) / math.sqrt(n) @ Gamma.T
        rotated = ridge_cv(R @ X, R @ y, [alpha])
        s = scipy.linalg.svdvals(X)
        kappa = float(s[0] / s[-1]) ** 2 if s[-1] > 0 else 1.0 / EPS
        tau = eigenbasis_tolerance(n, min(kappa, 1.0 / EPS))
        # the scale of the tolerance from the independent dense route, not from the GCV under test
        S = X @ scipy.linalg.solve(X.T @ X + n * alpha * np.eye(d), X.T, assume_a="pos")
        e = y - S @ y
        trace = float(np.trace(S))
        dense = float(e @ e) / n / (1 - trace / n) ** 2
        dof = float(res.dof[0])
        rel = 2 * tau * float(np.linalg.norm(y)) / float(np.linalg.norm(e)) + 2 * tau / (1 - trace / n)
        gcv = float(res.gcv[0])
        tr.add(abs(float(rotated.loo_mse[0]) - dense) / dense, 2 * rel)
        tr.add(abs(dense - gcv) / dense, 2 * rel)
        tr.add(abs(dof - trace), n * tau)
    return tr.result("n ∈ {4, 8, 16} (thorough: 32), d ≤ 2n, α > 0; Hadamard rotation and dense hat matrix")


@register(
    "l2.constraint", "numeric", "KKT certificate and SLSQP on min J s.t. ‖w‖ ≤ k vs the penalised optimum"
)
def _l2_constraint(ctx: CheckContext) -> CheckResult:
    """w̃(α) solves ``min J(w) s.t. ‖w‖ ≤ k`` with ``k = ‖w̃(α)‖``, and k(α) decreases.

    Three routes, none through theory's formulas: (1) a KKT certificate, which is sufficient for this
    convex problem: with ∇J = H(w − w*) written here, the multiplier ``μ = −w̃ᵀ∇J(w̃)/‖w̃‖²`` must
    leave a residual ``‖∇J(w̃) + μw̃‖`` at rounding level and equal α; (2) SLSQP on the same problem,
    its answer pulled back into the ball, finds no point with a lower J (a one-sided test: SLSQP's own
    inaccuracy only raises its J, so it needs no tolerance of its own); (3) the multiplier recovered
    from k by ``alpha_for_radius`` is α, and k(α) never rises.
    """
    rng = ctx.rng(7)
    tr = ErrorTracker()
    for _ in range(ctx.cases(15, 200)):
        d = int(rng.integers(2, 7))
        q, _ = _quadratic(rng, d, float(10 ** rng.uniform(0, 2)))
        H, w_star = q.H, q.w_star
        alpha = float(10 ** rng.uniform(-1, 1)) * q.eigenvalues[-1]
        k = q.constraint_radius(alpha)
        w_t = q.l2_optimum(alpha)
        norm_h, norm_t = float(np.linalg.norm(H, 2)), float(np.linalg.norm(w_t))

        def objective(w: FloatArray, H: FloatArray = H, w_star: FloatArray = w_star) -> float:
            r = w - w_star
            return 0.5 * float(r @ H @ r)

        grad = H @ (w_t - w_star)
        mu = -float(w_t @ grad) / float(w_t @ w_t)
        # the eigenbasis solve's backward error: ‖(H + αI)w̃ − Hw*‖ ≤ 3γ(‖H + αI‖‖w̃‖ + ‖H‖‖w*‖)
        residual = eigenbasis_tolerance(d) * (
            (norm_h + alpha) * norm_t + norm_h * float(np.linalg.norm(w_star))
        )
        tr.add(float(np.linalg.norm(grad + mu * w_t)), residual)  # stationary with multiplier μ
        tr.add(abs(mu - alpha) * norm_t, 2 * residual)  # and μ = α (so μ ≥ 0)
        tr.add(abs(norm_t - k), residual_tolerance(d, 1.0) * k)  # on the boundary: ‖w̃‖ = k
        ball = {"type": "ineq", "fun": lambda w, k=k: k * k - w @ w, "jac": lambda w: -2 * w}
        res = scipy.optimize.minimize(
            objective,
            np.zeros(d),
            jac=lambda w, H=H, w_star=w_star: H @ (w - w_star),
            constraints=[ball],
            method="SLSQP",
            options={"ftol": 1e-14, "maxiter": 1000},
        )
        # SLSQP's point, pulled back into the ball if it ends outside, is feasible: J there is never
        # below J(w̃). Rounding: the pulled-back point may sit γk outside, which can gain at most
        # ≈ αk·γk (the multiplier times the radius change), and J is evaluated from d² terms twice
        x = res.x if float(np.linalg.norm(res.x)) <= k else res.x * (k / float(np.linalg.norm(res.x)))
        far = max(float(np.linalg.norm(x)), norm_t) + float(np.linalg.norm(w_star))
        gamma = residual_tolerance(d, 1.0)
        tr.add(max(objective(w_t) - objective(x), 0.0), gamma * (norm_h * far**2 + alpha * k * k))
        # the KKT multiplier recovered from k is α: brentq on log α stops at rtol = 4·eps, and k(α)
        # is evaluated to γ = 10·d·eps; dk/dα relative to k is ≥ α/(λ_max + α)·(…) ≥ 1/κ_shift, so a
        # root of a function known to γ is off by ≤ γ·κ_shift relative (plus brentq's 4·eps)
        kappa_shift = (q.eigenvalues[-1] + alpha) / (q.eigenvalues[0] + alpha)
        tr.add(abs(q.alpha_for_radius(k) - alpha) / alpha, residual_tolerance(d, kappa_shift) + 4 * EPS)
        alphas = np.sort(10 ** rng.uniform(-3, 3, size=20)) * q.eigenvalues[-1]
        radii = np.array([q.constraint_radius(a) for a in alphas])
        # k(α) strictly decreasing: count rises larger than k's rounding, γ·k
        rises = np.diff(radii) > residual_tolerance(d, 1.0) * radii[1:]
        tr.add(float(np.sum(rises)), 0.5)  # a count
    return tr.result(
        "KKT: ∇J(w̃) = −αw̃ on ‖w̃‖ = k; SLSQP finds nothing better; α(k) round trip; k(α) decreasing"
    )


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
        h = np.diag(q.H)
        tol = elastic_net_agreement_tolerance(h, q.w_star, alpha, 0.0, closed, prox.kkt_violation)
        tr.add(float(np.linalg.norm(prox.w - closed)), tol)
        # soft thresholding returns exact zeros by construction (max(·, 0)); the prediction is
        # |w*_i| ≤ α/H_ii. Cases within rounding of the threshold could go either way: skipped.
        margin = np.abs(np.abs(q.w_star) - alpha / h) > 10 * EPS * (np.abs(q.w_star) + alpha / h)
        predicted_zero = np.abs(q.w_star) <= alpha / h
        tr.add(float(np.sum(((closed == 0) != predicted_zero) & margin)), 0.5)  # a count
        tr.add(float(np.sum(q.l2_optimum(alpha) == 0)), 0.5)  # L2 never zeroes w*_i ≠ 0 (a count)
    return tr.result("FISTA's distance ≤ √d·(KKT violation)/μ; exact zeros where predicted")


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
        tol = elastic_net_agreement_tolerance(h, q.w_star, l1, l2, closed, prox.kkt_violation)
        tr.add(float(np.linalg.norm(prox.w - closed)), tol)
    return tr.result(
        "FISTA's KKT stop over the strong convexity μ = min(H_ii + α₂), plus the closed form's rounding"
    )


@register("enet.path", "numeric", "KKT from H at every point; affine between points of one (A, s); vs FISTA")
def _enet_path(ctx: CheckContext) -> CheckResult:
    """``Quadratic.elastic_net_path`` on random regressions (n < d included, α₂ = 0 or not), checked by
    the theorem's three parts, each independently of the path's own bookkeeping:

    * optimality: ``c = b − (H + α₂I)w`` recomputed from H meets the KKT conditions at every point,
      within the row's certified tolerance plus this evaluation's rounding ``d·eps·(‖b‖_∞ +
      ‖H + α₂I‖_∞‖w‖_∞)`` (Higham §3.5);
    * piecewise linearity: at three grid points with one active set A and signs s, the middle row is
      the linear interpolation of the outer two (``w_A = M_AA⁻¹(b_A − α₁s_A)`` is one affine function of
      α₁ for fixed (A, s)); each row is that function plus ``M_AA⁻¹r`` with ``‖r‖_∞`` at most its KKT
      violation v, so the gap is at most ``√k·(v_mid + t·v_left + (1 − t)·v_right)/λ_min(M_AA)``;
    * the minimiser: FISTA (:meth:`Quadratic.proximal_optimum`) at two grid points, within
      ``√d·(v_path + v_FISTA + δ)/μ`` (strong convexity μ = λ_min(H) + α₂, Nesterov 2018 Thm 2.1.10).
    """
    rng = ctx.rng(31)
    tr = ErrorTracker()
    for _ in range(ctx.cases(12, 200)):
        d = int(rng.integers(2, 40 if ctx.thorough else 16))
        n = int(rng.integers(max(2, d // 2), 3 * d))
        X = rng.standard_normal((n, d))
        beta = np.where(rng.random(d) < 0.3, rng.standard_normal(d) * 2, 0.0)
        y = X @ beta + 0.3 * rng.standard_normal(n)
        q = Quadratic.from_regression(X, y)
        l2 = 0.0 if rng.random() < 0.5 else float(10 ** rng.uniform(-3, 0))
        H = np.asarray(q.H, dtype=np.float64)
        b = H @ q.w_star
        bmax = float(np.max(np.abs(b)))
        grid = bmax * np.logspace(0, -2.5, 30)
        P = q.elastic_net_path(grid, l2=l2)
        W = P.W
        C = b[None, :] - W @ H - l2 * W
        S = grid[:, None]
        viol = np.where(W != 0, np.abs(C - S * np.sign(W)), np.maximum(np.abs(C) - S, 0.0)).max(axis=1)
        norm_m = float(np.max(np.sum(np.abs(H), axis=1))) + l2
        rounding = d * EPS * (bmax + norm_m * np.max(np.abs(W), axis=1))
        for v, t in zip(viol, P.tolerance + rounding, strict=True):
            tr.add(float(v), float(t))
        signs = np.sign(W)
        for i in range(len(grid) - 2):
            if not (np.array_equal(signs[i], signs[i + 1]) and np.array_equal(signs[i], signs[i + 2])):
                continue
            A = np.flatnonzero(signs[i])
            if A.size == 0:
                continue
            mu_a = float(scipy.linalg.eigvalsh(H[np.ix_(A, A)] + l2 * np.eye(A.size))[0])
            if mu_a <= 100 * A.size * EPS * norm_m:  # M_AA singular to rounding: no bound
                continue
            t = (grid[i + 1] - grid[i + 2]) / (grid[i] - grid[i + 2])
            gap = float(np.linalg.norm(W[i + 1] - (t * W[i] + (1 - t) * W[i + 2])))
            v_all = viol + rounding
            bound = math.sqrt(A.size) * (v_all[i + 1] + t * v_all[i] + (1 - t) * v_all[i + 2]) / mu_a
            tr.add(gap, bound)
        # λ_min of the whole H, not q.eigenvalues[0]: for n < d the Gram route stores only the r non-zero
        # eigenvalues and H is 0 on the rest, so with α₂ = 0 there is no strong convexity at all
        mu = float(scipy.linalg.eigvalsh(H)[0]) + l2
        if mu > 100 * d * EPS * norm_m:
            for i in (5, 20):
                r = q.proximal_optimum(l1=float(grid[i]), l2=l2, tol=1e-12)
                delta = d * EPS * (bmax + norm_m * float(np.max(np.abs(r.w))))
                bound = math.sqrt(d) * (viol[i] + rounding[i] + r.kkt_violation + delta) / mu
                tr.add(float(np.linalg.norm(W[i] - r.w)), bound)
    return tr.result("KKT from H ≤ certified tolerance; interpolation and FISTA gaps ≤ √k·(KKT)/λ_min")


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
        # two routes (Cholesky of the precision, SVD), each with relative forward error ≤ γκ,
        # γ = 10(n + d)·eps (b = Ax, so ‖b‖ ≤ ‖A‖‖x‖: no cancellation term)
        tol = 2 * residual_tolerance(n + d, kappa)
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
        # central differences of a quadratic are exact up to rounding: √d·γF/h, F the size of the
        # log posterior's terms at mean ± he (‖X‖ = 1); plus the gradient's response to the mean's
        # own error, ‖A‖·tol·‖mean‖ with A = XᵀX/σ² + I/s²
        far = float(np.linalg.norm(mean)) + h
        size = (float(np.linalg.norm(y)) + far) ** 2 / (2 * noise) + far**2 / (2 * prior)
        size += abs(bayes.gaussian_log_posterior(mean, X, y, noise, prior))
        fd_tol = math.sqrt(d) * residual_tolerance(n + d, 1.0) * size / h
        tr.add(
            float(np.linalg.norm(grad)), fd_tol + (1 / noise + 1 / prior) * tol * float(np.linalg.norm(mean))
        )
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
        # 1.17's laplace.logpdf loses digits where the density is subnormal, |w|α > 708: relative error
        # 3.9e-9 at 732, and −inf at 744.04; the README gives the command)
        with mpmath.workdps(40):
            b = 1 / mpmath.mpf(alpha)
            ref = float(sum(mpmath.log(mpmath.exp(-abs(mpmath.mpf(float(v))) / b) / (2 * b)) for v in w))
        # d terms of sizes α|w_i|, |log α|, log 2, summed: rounding ≤ γ_d·Σ|terms| (γ = 10·d·eps);
        # the 40-digit reference is rounded once to float (½ ulp)
        terms = alpha * float(np.sum(np.abs(w))) + d * (abs(math.log(alpha)) + math.log(2))
        tr.add(
            abs(bayes.laplace_log_prior(w, alpha) - ref), residual_tolerance(d, 1.0) * terms + EPS * abs(ref)
        )
        # MAP with a quadratic log-likelihood −J(w) is the L1 optimum: check in 1-D on a fine grid
        q = _diagonal_quadratic(rng, 1)
        grid = np.linspace(-8, 8, 160_001)
        h, ws = float(q.H[0, 0]), float(q.w_star[0])
        log_post = -0.5 * h * (grid - ws) ** 2 - alpha * np.abs(grid)
        # the grid's best point is within half a step of the maximiser, plus the width of the set
        # where the log posterior is within rounding (10·eps·F) of its maximum: √(2·10·eps·F/h)
        step = float(grid[1] - grid[0])
        size = 0.5 * h * (8 + abs(ws)) ** 2 + 8 * alpha
        flat = math.sqrt(2 * 10 * EPS * size / h)
        tr.add(abs(grid[np.argmax(log_post)] - q.l1_optimum(alpha)[0]), step / 2 + flat)
    return tr.result("log p(w) = −α‖w‖₁ + d log α − d log 2; grid MAP within half a grid step")


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


@register("es.approx", "numeric", "α_i and its series vs 50-digit mpmath; the rule's error bounded both ways")
def _es_approx(ctx: CheckContext) -> CheckResult:
    """``α_i = 1/(ετ) − λ(τ + 1)/(2τ) + c₂λ² + c₃λ³ + c₄λ⁴ + …`` with (SymPy series of λ/(e^L − 1),
    ``L = −τ log(1 − ελ)``) ``c₂ = ε(τ² − 1)/(12τ)``, ``c₃ = ε²(τ² − 1)/(24τ)``,
    ``c₄ = −ε³(τ² − 1)(τ² − 19)/(720τ)``.

    (1) theory's α_i and its two-term series against the same formulas in 50-digit mpmath, to their
    rounding (α_i: about six operations, each relative eps: 10·eps); (2) in mpmath, where nothing
    rounds, the remainder after c₂λ² + c₃λ³ is within 2|c₄|λ⁴ (the next term, doubled for the tail:
    with x = ετλ ≤ 1e-2 each further term is smaller by a factor ≈ 1.5·ελ); (3) the rule τ ≈ 1/(εα)
    has relative error ``r = ((1 − ελ)^{−τ} − 1)/(ετλ) − 1 = Σ_{k≥1} C(τ + k, k + 1)(ελ)^k/τ``, a series
    with positive terms whose ratio of consecutive terms is below x: so
    ``0 ≤ r/r₁ − 1 ≤ (τ + 2)ελ/(3(1 − x))`` with ``r₁ = (τ + 1)ελ/2``, checked with theory's r.
    """
    rng = ctx.rng(14)
    tr = ErrorTracker()
    gamma = residual_tolerance(1, 1.0)  # 10·eps
    for _ in range(ctx.cases(40, 800)):
        tau = int(rng.integers(10, 5000))
        eps = float(10 ** rng.uniform(-4, -1))
        # λ with x = ετλ ∈ [1e-4, 1e-2]: deep in the regime of the series
        x = 10 ** rng.uniform(-4, -2, size=5)
        q = Quadratic(np.diag(x / (eps * tau)), np.ones(5))
        lam = q.eigenvalues  # sorted, as theory returns α_i
        exact = q.early_stopping_alpha(eps, tau)
        series = q.early_stopping_alpha_series(eps, tau)
        c2 = eps * (tau**2 - 1) / (12 * tau)
        c3 = eps**2 * (tau**2 - 1) / (24 * tau)
        c4 = -(eps**3) * (tau**2 - 1) * (tau**2 - 19) / (720 * tau)
        with mpmath.workdps(50):
            e, t = mpmath.mpf(eps), mpmath.mpf(tau)
            for i, li in enumerate(lam):
                m = mpmath.mpf(float(li))
                q_m = (1 - e * m) ** t
                alpha_m = m * q_m / (1 - q_m)
                series_m = 1 / (e * t) - m * (t + 1) / (2 * t)
                tr.add(abs(exact[i] - float(alpha_m)) / float(alpha_m), gamma)
                tr.add(abs(series[i] - float(series_m)) / float(series_m), gamma)
                rest = alpha_m - series_m - c2 * m**2 - c3 * m**3
                tr.add(float(abs(rest)), 2 * abs(c4) * float(m) ** 4)
        err = q.early_stopping_approx_error(eps, tau)
        first = lam * (tau + 1) * eps / 2
        xs = eps * tau * lam
        # err = |1/(ετ) − α|/α with α relative γ: the cancellation leaves ≤ 2γ/r₁ on err/r₁
        slack = 2 * gamma / first
        tr.add(float(np.max(np.maximum(1 - err / first - slack, 0.0))), float(np.min(slack)))  # r ≥ r₁
        upper = (tau + 2) * eps * lam / (3 * (1 - xs))
        tr.add(float(np.max(err / first - 1 - upper)), float(np.min(slack)))  # r/r₁ − 1 ≤ upper
    # docs/reference.md, "Worked examples": ετ = 100: (1 − ελ)^τ vs α/(λ + α) is 0.905 vs 0.909
    # at λ/α = 0.1, 0.368 vs 0.5 at 1
    eps, tau = 1e-4, 1_000_000
    alpha = 1 / (eps * tau)
    q = Quadratic(np.diag([0.1 * alpha, alpha]), np.ones(2))
    gd_remaining = 1 - q.gd_iterates(eps, tau)[0]
    ridge_remaining = 1 - q.l2_optimum(alpha)
    got = np.concatenate([gd_remaining, ridge_remaining])
    # the reference numbers are printed to three decimals: half a unit of the last digit
    tr.add(float(np.max(np.abs(got - [0.905, 0.368, 0.909, 0.5]))), 5e-4)
    return tr.result(
        "α_i, series to 10·eps of mpmath; remainder c₂λ² + c₃λ³ + O(λ⁴); the rule's error in [r₁, r₁(1 + "
        "(τ + 2)ελ/3(1 − x))]; 0.905/0.909 and 0.368/0.500 reproduced"
    )


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
        # per direction (1 − εμ)^{t/ε} = e^{−μt − εμ²t/2 − …}, so the gap is ≤ e^{−μt}·εμ²t/2 ≤ εμ/(2e):
        # ≤ εμ_max/2 · ‖w0 − target‖ (with room for the O(ε²μ²) terms, εμ ≤ 1e-3); plus both routes'
        # rounding: the flow's (above) and the closed-form iterates' (γ(1 + τ), as in es.trajectory)
        truncation = (t / steps) * (q.eigenvalues[-1] + alpha) / 2 * float(np.linalg.norm(w0 - target))
        rounding = (
            residual_tolerance(d, max(norm_ht, 1.0)) + residual_tolerance(d, 1.0) * (1 + steps)
        ) * scale
        tr.add(float(np.linalg.norm(gd - flow)), truncation + rounding)


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
            # the spectral norm is computed to γ(1 + ε‖H + αI‖) (γ = 10·d·eps); it must lie on the
            # predicted side of 1 by more than that (|1 − radius| ≥ 1e-3·… here)
            rounding = residual_tolerance(d, 1.0) * (1 + eps * (q.eigenvalues[-1] + alpha))
            wrong = radius > 1 - rounding if factor < 1 else radius < 1 + rounding
            tr.add(float(wrong), 0.5)  # a count
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
        kappa_h = float(nz[-1] / nz[0])
        # truncation: the range part has contracted to ≤ 1e-14 of its start; rounding: each step adds
        # γ·(‖w‖ + ‖w*‖) (γ = 10·d·eps), damped by (1 − ελ_min⁺) in range(H) (a sum ≤ γκ·…) but never in
        # the null space (a sum ≤ γ·steps·…); the SVD limit's own error is γκ(H)‖limit‖
        size = float(np.linalg.norm(w0)) + scale + float(np.linalg.norm(q.w_star))
        loop_tol = (
            1e-14 * float(np.linalg.norm(w0 - limit)) + residual_tolerance(d, 1.0) * (steps + kappa_h) * size
        )
        tr.add(float(np.linalg.norm(loop - limit)), loop_tol + residual_tolerance(d, kappa_h) * scale)
        tr.add(relative_error(q.gd_limit(eps, w0), limit), 2 * residual_tolerance(d, kappa_h))
        # from 0 the limit is the minimum-norm solution: orthogonal to the null space of X
        from_zero = q.gd_limit(eps)
        tr.add(
            float(np.linalg.norm(from_zero - np.linalg.pinv(X) @ y)) / scale,
            2 * residual_tolerance(d, kappa_h),
        )
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


# The two functions whose suprema are the paper's constants, written out here from their formulas
# (not through theory.risk, whose Brent search they check) with their derivatives, for the grid
# searches and the sign-change count that show each maximiser is unique.


def _variance_ratio_and_slope(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``g(x) = h(x)²``, ``h = (1 − e⁻ˣ)(1 + x)/x``; ``g' = 2hh'`` with
    ``h' = [e⁻ˣ(1 + x) + 1 − e⁻ˣ]/x − (1 − e⁻ˣ)(1 + x)/x²``; and the size of the terms of g' (its
    rounding scale, since the two terms cancel to O(1/x²) for large x)."""
    one_minus = -np.expm1(-x)
    h = one_minus * (1 + x) / x
    first = (np.exp(-x) * (1 + x) + one_minus) / x
    second = one_minus * (1 + x) / x**2
    return h * h, 2 * h * (first - second), 2 * h * (np.abs(first) + np.abs(second))


def _tuned_ratio_and_slope(u: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``f(u) = (1 + u)[e^{−2u} + (1 − e^{−u})²/u]`` and ``f'(u) = e^{−2u} + (1 − e^{−u})²/u +
    (1 + u)[−2e^{−2u} + 2e^{−u}(1 − e^{−u})/u − (1 − e^{−u})²/u²]``, with the size of f''s terms."""
    one_minus = -np.expm1(-u)
    bracket = np.exp(-2 * u) + one_minus**2 / u
    pieces = (-2 * np.exp(-2 * u), 2 * np.exp(-u) * one_minus / u, -(one_minus**2) / u**2)
    slope = bracket + (1 + u) * sum(pieces)
    size = bracket + (1 + u) * sum(np.abs(p) for p in pieces)
    return (1 + u) * bracket, slope, size


def _check_unique_maximum(
    tr: ErrorTracker,
    f_and_slope: Callable[[FloatArray], tuple[FloatArray, FloatArray, FloatArray]],
    sup: float,
    arg: float,
) -> float:
    """The maximiser found by Brent (``sup`` at ``arg``) is the only one on x ∈ [1e-6, 1e6].

    (1) The derivative, evaluated on 200,001 log-spaced points, changes sign exactly once, from + to
    −, ignoring points where it is below its rounding (``10·eps`` × the size of its terms). (2) Brent's
    ``arg`` lies in that sign change's grid interval. (3) A dense linear grid around it (step δ) never
    exceeds ``sup`` by more than rounding, and comes within ``½|f''|(δ/2)²`` of it: the grid's best
    point is at most δ/2 from the maximiser, where f falls quadratically. Returns |f''| at the maximum
    (second differences on that grid), which bounds how well any search can place the argmax.
    """
    grid = np.logspace(-6, 6, 200_001)
    _, slope, size = f_and_slope(grid)
    firm = np.abs(slope) > 10 * EPS * size
    signs = np.sign(slope[firm])
    changes = np.flatnonzero(signs[1:] != signs[:-1])
    tr.add(abs(len(changes) - 1), 0.5)  # a count: exactly one sign change
    tr.add(float(signs[0] < 0) + float(signs[-1] > 0), 0.5)  # rising first, falling last
    if len(changes) == 1:
        where = grid[firm]
        lo, hi = float(where[changes[0]]), float(where[changes[0] + 1])
        tr.add(max(lo - arg, arg - hi, 0.0), hi - lo)  # Brent's argmax within that interval
    step = 1e-4
    dense = np.arange(max(arg - 5.0, step), arg + 5.0, step)
    values, _, _ = f_and_slope(dense)
    best = int(np.argmax(values))
    curvature = abs(float(values[best + 1] - 2 * values[best] + values[best - 1])) / step**2
    rounding = 10 * EPS * sup
    tr.add(max(float(values[best]) - sup, 0.0), rounding)  # Brent's value is the maximum
    tr.add(sup - float(values[best]), 0.5 * curvature * (step / 2) ** 2 + rounding)
    return curvature


@register("es.gf_vs_ridge", "numeric", "per-direction bias², variance of expm-built estimators vs the bound")
def _gf_vs_ridge(ctx: CheckContext) -> CheckResult:
    """Ali, Kolter & Tibshirani (2019), Theorem 1, and the decomposition it rests on.

    With ``H = XᵀX/n = V diag(s) Vᵀ``, gradient flow at t and ridge at λ = 1/t are functions of H, so
    their risks split over the eigenvectors v_i: per direction, bias² ``(v_iᵀ(AX − I)β₀)²`` and
    variance ``σ² v_iᵀAAᵀv_i`` for the estimator ``β̂ = Ay``. The theorem is two per-direction facts:
    gradient flow's bias² ≤ ridge's (``e^{−x} ≤ 1/(1 + x)``, x = s_i t) and its variance ≤ 1.685909…
    × ridge's (``sup_x [(1 − e^{−x})(1 + x)/x]²``); summing gives risk ≤ 1.685909… × ridge risk. Both
    are checked on the matrices A built with ``scipy.linalg.expm`` and a dense solve (not through
    ``theory.risk``), the totals against :func:`theory.risk.estimation_risks`, and the constant and
    the uniqueness of its maximiser against the formula written out here.
    """
    from theory import risk

    rng = ctx.rng(18)
    tr = ErrorTracker()
    sup, arg = risk.worst_variance_ratio()
    curvature = _check_unique_maximum(tr, _variance_ratio_and_slope, sup, arg)
    # the reference values 1.685909058… and 1.79328… (docs/reference.md, "Worked examples"): half a
    # unit of the last printed digit, plus Brent's own error — in the value rounding, in the argmax
    # √(2·10·eps·g/|g''|), with |g''| measured on the dense grid
    tr.add(abs(sup - 1.685909058), 5e-10 + 10 * EPS * sup)
    tr.add(abs(arg - 1.79328), 5e-6 + math.sqrt(2 * 10 * EPS * sup / curvature))
    tr.add(max(sup - risk.GF_RIDGE_RISK_BOUND, 0.0), 10 * EPS * sup)  # the paper's 1.6862 bounds it
    worst_variance = 0.0
    for _ in range(ctx.cases(15, 200)):
        n, d = int(rng.integers(2, 30)), int(rng.integers(1, 8))
        X = rng.standard_normal((n, d)) * 10 ** rng.uniform(-1, 1, size=d)
        beta0, noise, t = (
            rng.standard_normal(d),
            float(10 ** rng.uniform(-2, 1)),
            float(10 ** rng.uniform(-2, 2)),
        )
        gf_map, ridge_map = _gf_and_ridge_maps(X, t)
        H = X.T @ X / n
        _, V = np.linalg.eigh(H)

        def split(
            A: FloatArray,
            X: FloatArray = X,
            beta0: FloatArray = beta0,
            noise: float = noise,
            V: FloatArray = V,
        ) -> tuple[FloatArray, FloatArray, float]:
            """Per-direction bias² and variance of β̂ = Ay, and the size of the terms they sum."""
            AX = A @ X
            bias = V.T @ (AX @ beta0 - beta0)  # may cancel when AX ≈ I: rounding is relative to terms
            variance = noise * np.sum((V.T @ A) ** 2, axis=1)
            terms = (float(np.linalg.norm(AX, 2)) + 1) ** 2 * float(beta0 @ beta0) + noise * np.sum(A * A)
            return bias**2, variance, float(terms)

        gf_bias, gf_var, gf_terms = split(gf_map)
        ridge_bias, ridge_var, ridge_terms = split(ridge_map)
        # scaling-and-squaring expm is accurate relative to ‖Ht‖ (Higham, SIAM J. Matrix Anal. 2005);
        # the solve relative to κ(H + I/t); the eigenvectors V rotate both by O(d·eps)
        norm_ht = float(np.linalg.norm(H, 2) * t)
        kappa_ridge = float(np.linalg.cond(H + np.eye(d) / t))
        gf_tol = residual_tolerance(2 * d, max(norm_ht, 1.0)) * gf_terms
        ridge_tol = residual_tolerance(2 * d, kappa_ridge) * ridge_terms
        both = gf_tol + sup * ridge_tol
        firm = ridge_var > 1e3 * both  # directions whose variance is far above rounding
        if firm.any():
            worst_variance = max(worst_variance, float(np.max(gf_var[firm] / ridge_var[firm])))
        for i in range(d):
            tr.add(max(gf_bias[i] - ridge_bias[i], 0.0), both)  # bias² ≤ ridge's, per direction
            tr.add(max(gf_var[i] - sup * ridge_var[i], 0.0), both)  # variance ≤ sup × ridge's
        gf_risk, ridge_risk = risk.estimation_risks(X, beta0, noise, t)
        tr.add(abs(gf_risk - float(np.sum(gf_bias + gf_var))), gf_tol)
        tr.add(abs(ridge_risk - float(np.sum(ridge_bias + ridge_var))), ridge_tol)
        tr.add(max(gf_risk - sup * ridge_risk, 0.0), both)  # the theorem: ratio ≤ 1.685909…
    return tr.result(
        f"sup = {sup:.9f} at x = {arg:.5f}, unique; per eigendirection bias² ≤ ridge's and variance ≤ "
        f"sup × ridge's (largest variance ratio met: {worst_variance:.4f})"
    )


def _bayes_risks(X: FloatArray, prior_var: float, noise: float, t: float) -> tuple[float, float]:
    """Bayes risks of gradient flow at t and ridge at λ = 1/t under ``β₀ ~ N(0, prior_var·I)``.

    The risk is affine in β₀β₀ᵀ, and ``E β₀β₀ᵀ = prior_var·I`` is the average of ``(√(d·prior_var)
    e_j)(·)ᵀ`` over the coordinate vectors, so the Bayes risk is the average of
    :func:`theory.risk.estimation_risks` at those d points: exact, per eigendirection.
    """
    from theory import risk

    d = X.shape[1]
    pairs = [risk.estimation_risks(X, math.sqrt(d * prior_var) * e, noise, t) for e in np.eye(d)]
    return float(np.mean([p[0] for p in pairs])), float(np.mean([p[1] for p in pairs]))


@register("es.gf_vs_ridge_tuned", "numeric", "Bayes risk: tuned gradient flow / optimal ridge ∈ [1, 1.2147]")
def _gf_vs_ridge_tuned(ctx: CheckContext) -> CheckResult:
    """Ali, Kolter & Tibshirani (2019), Theorem 2, on random designs, and its constant.

    Under ``β₀ ~ N(0, r²I)`` and noise σ², ridge at ``λ* = σ²/(n r²)`` is the posterior mean, hence
    Bayes-optimal among all estimators; gradient flow is linear in y, so its Bayes risk at every t is ≥
    ridge's at λ*, and at ``t = 1/λ*`` it is ≤ sup_u (1 + u)[e^{−2u} + (1 − e^{−u})²/u] = 1.214662… ×
    ridge's. So gradient flow at its best time has ratio in [1, 1.2147]. Checked with exact per-
    direction risks (:func:`_bayes_risks`) on random X, r, σ: λ* against a Brent search over λ, the
    best time by a Brent search over log t; then the constant, and that its maximiser is unique.
    """
    from theory import risk

    rng = ctx.rng(23)
    tr = ErrorTracker()
    sup, arg = risk.worst_tuned_ratio()
    curvature = _check_unique_maximum(tr, _tuned_ratio_and_slope, sup, arg)
    # docs/reference.md, "Worked examples", printed to 7 and 5 significant digits: half a unit of the
    # last digit (+ Brent's error, as in es.gf_vs_ridge)
    tr.add(abs(sup - 1.214662), 5e-7 + 10 * EPS * sup)
    tr.add(abs(arg - 3.2136), 5e-5 + math.sqrt(2 * 10 * EPS * sup / curvature))
    tr.add(max(sup - risk.GF_RIDGE_TUNED_BOUND, 0.0), 10 * EPS * sup)  # the paper's 1.2147 bounds it
    ratios: list[float] = []
    for _ in range(ctx.cases(10, 100)):
        n, d = int(rng.integers(2, 30)), int(rng.integers(1, 8))
        X = rng.standard_normal((n, d)) * 10 ** rng.uniform(-1, 1, size=d)
        prior, noise = float(10 ** rng.uniform(-2, 1)), float(10 ** rng.uniform(-2, 1))
        lam_star = noise / (n * prior)
        gf_star, ridge_star = _bayes_risks(X, prior, noise, 1 / lam_star)
        # each risk is a sum of d positive per-direction terms whose s_i carry eigh's error
        # d·eps·s_max: relative rounding ≤ 10·d·eps·(1 + s_max/λ*)
        s_max = float(np.linalg.norm(X, 2)) ** 2 / n
        rel = residual_tolerance(d, 1 + s_max / lam_star)

        def ridge_at(log_lam: float, X: FloatArray = X, prior: float = prior, noise: float = noise) -> float:
            return _bayes_risks(X, prior, noise, math.exp(-log_lam))[1]

        def gf_at(log_t: float, X: FloatArray = X, prior: float = prior, noise: float = noise) -> float:
            return _bayes_risks(X, prior, noise, math.exp(log_t))[0]

        span = (math.log(lam_star) - 12, math.log(lam_star) + 12)
        best_ridge = scipy.optimize.minimize_scalar(ridge_at, bounds=span, method="bounded").fun
        tr.add(max(ridge_star - best_ridge, 0.0), rel * ridge_star)  # λ* is the best ridge
        best_t = scipy.optimize.minimize_scalar(gf_at, bounds=(-span[1], -span[0]), method="bounded")
        gf_best = min(float(best_t.fun), gf_star)
        ratios.append(gf_best / ridge_star)
        tr.add(max(gf_star - sup * ridge_star, 0.0), 2 * rel * gf_star)  # at t = 1/λ*: ≤ 1.214662…
        tr.add(max(ridge_star - gf_best, 0.0), 2 * rel * ridge_star)  # ratio ≥ 1
        tr.add(max(gf_best - risk.GF_RIDGE_TUNED_BOUND * ridge_star, 0.0), 2 * rel * gf_best)  # ≤ 1.2147
    return tr.result(
        f"sup = {sup:.7f} at u = {arg:.4f}, unique (paper: 1.2147); Bayes-risk ratio at the best t on "
        f"{len(ratios)} random designs: {min(ratios):.4f}…{max(ratios):.4f} ∈ [1, 1.2147]"
    )


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
    tr.empirical_tolerance(
        "Monte Carlo, 5 estimated standard errors (a statistical bound: false alarm "
        "≈ 6e-7 per case under the CLT; seeded, so reproducible), not a rounding bound"
    )
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
        # both sides sum non-negative terms of size ≤ T = (‖y‖ + ‖X‖_F‖w‖/p)²: the enumeration
        # 2^{nd} of them, each from O(nd) operations; the closed form O(nd) operations
        size = (float(np.linalg.norm(y)) + float(np.linalg.norm(X)) * float(np.linalg.norm(w)) / p) ** 2
        tol = (2 ** (n * d) + 10 * (n * d + n + d)) * EPS * size
        for exact, rescale in ((plain, False), (scaled, True)):
            closed = noise.expected_dropout_loss(X, y, w, p, rescale=rescale)
            tr.add(abs(closed - exact), tol)
    return tr.result("Srivastava et al. (keep probability p) and PyTorch's rescaled convention")


def _central_difference(solve: Callable[[float], FloatArray], alpha: float, delta: float) -> FloatArray:
    """``(w(α + δ) − w(α − δ))/(2δ)`` from two solved optima."""
    out: FloatArray = (solve(alpha + delta) - solve(alpha - delta)) / (2.0 * delta)
    return out


def _path_quadratic_cases(ctx: CheckContext, rng: np.random.Generator, tr: ErrorTracker) -> None:
    """(a) quadratics, D = I: the formula at w̃ = l2.optimum vs the α-derivative of l2.optimum, exactly
    in the eigenbasis (``−Σ λ_ic_i/(λ_i + α)² q_i``) and by central differences of l2.optimum."""
    for _ in range(ctx.cases(30, 500)):
        d, kappa = _sizes(ctx, rng)
        q, _ = _quadratic(rng, d, min(kappa, 1e6))
        alpha = float(10 ** rng.uniform(-2, 2))
        lam, Q = q.eigenvalues, q.eigenvectors
        mu = float(lam[0]) + alpha
        kappa_a = (float(lam[-1]) + alpha) / mu
        w = q.l2_optimum(alpha)
        formula = path.path_derivative(q.H, w, alpha)
        exact = -Q @ (lam * q.coordinates / (lam + alpha) ** 2)
        scale = float(np.linalg.norm(exact))
        # w̃ carries eigenbasis rounding (relative, times κ through the solve), the Cholesky solve
        # its own d·κ·eps; the eigenbasis derivative three O(d·eps) stages
        tol_exact = (2 * eigenbasis_tolerance(d, kappa_a) + residual_tolerance(d, kappa_a)) * scale
        tr.add(float(np.linalg.norm(formula - exact)), max(tol_exact, np.finfo(float).tiny))
        # central differences of the closed form: exact truncation bound, each optimum off by the
        # eigenbasis rounding eigenbasis_tolerance·‖w̃‖; δ balances the two
        w_norm = float(np.linalg.norm(w))
        e_solve = eigenbasis_tolerance(d, kappa_a) * w_norm
        third = 6.0 * w_norm / mu**3  # ‖w̃'''‖ ≤ 3!‖w̃‖/μ³
        delta = min(path.balanced_step(third, e_solve), 0.5 * mu)
        fd = _central_difference(q.l2_optimum, alpha, delta)
        tol_fd = path.quadratic_truncation_bound(w_norm, mu, delta) + e_solve / delta + tol_exact
        tr.add(float(np.linalg.norm(formula - fd)), tol_fd)


def _path_logistic_cases(ctx: CheckContext, rng: np.random.Generator, tr: ErrorTracker) -> None:
    """(b) L2-regularised logistic regression, unpenalised intercept (D ≠ I): the formula at the Newton
    optimum vs central differences of Newton optima at α ± δ."""
    for _ in range(ctx.cases(6, 100)):
        X, y, mask, alpha = logistic_problem(
            rng, int(rng.integers(30, 80)), int(rng.integers(1, 6)), float(10 ** rng.uniform(-2, 0))
        )
        cache: dict[float, path.LogisticOptimum] = {}

        def solve(
            a: float,
            X: FloatArray = X,
            y: FloatArray = y,
            mask: FloatArray = mask,
            cache: dict[float, path.LogisticOptimum] = cache,
        ) -> FloatArray:
            if a not in cache:
                cache[a] = path.logistic_optimum(X, y, a, mask)
            return cache[a].w

        w = solve(alpha)
        opt = cache[alpha]
        H = path.logistic_hessian(X, y, w)
        formula = path.path_derivative(H, w, alpha, mask)
        # w''' estimated by the four-point stencil at h and 2h (their larger value, doubled for the
        # stencil's own O(h²) error); the solve error e from Newton's gradient norm and strong convexity
        h = 0.05 * alpha
        stencils = [
            (solve(alpha + 2 * s) - 2 * solve(alpha + s) + 2 * solve(alpha - s) - solve(alpha - 2 * s))
            / (2 * s**3)
            for s in (h, 2 * h)
            if alpha - 2 * s > 0
        ]
        third = 2.0 * max(float(np.linalg.norm(t)) for t in stencils)
        e_solve = max(c.error_bound for c in cache.values())
        delta = min(path.balanced_step(third, e_solve), 0.5 * alpha)
        fd = _central_difference(solve, alpha, delta)
        e_solve = max(c.error_bound for c in cache.values())  # now including the optima at α ± δ
        # the formula's own error: the Hessian at ŵ (‖ŵ − w̃‖ ≤ e, Lipschitz constant M), the rounding
        # of Xᵀdiag(σ')X/n, and the Cholesky solve (d·κ·eps)
        mu = opt.min_eigenvalue
        A = H + alpha * np.diag(mask)
        kappa_a = float(np.linalg.norm(A, 2)) / mu
        n = X.shape[0]
        h_round = 2.0 * (n + X.shape[1]) * EPS * float(np.linalg.norm(X)) ** 2 / (4.0 * n)
        dn = float(np.linalg.norm(formula))
        tol_formula = (
            path.logistic_hessian_lipschitz(X) * e_solve * dn + e_solve + h_round * dn
        ) / mu + residual_tolerance(X.shape[1], kappa_a) * dn
        tol = path.central_difference_tolerance(third, e_solve, delta) + tol_formula
        tr.add(float(np.linalg.norm(formula - fd)), tol)


@register(
    "l2.path_derivative",
    "numeric",
    "−(∇²L + αD)⁻¹Dw̃ vs d/dα of l2.optimum (exact, central differences); logistic + free intercept vs "
    "central differences of Newton optima",
)
def _l2_path_derivative(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(30)
    tr = ErrorTracker()
    _path_quadratic_cases(ctx, rng, tr)
    _path_logistic_cases(ctx, rng, tr)
    return tr.result("central-difference tolerance δ²|w'''|/6 + e/δ at the balancing δ; quadratics exact")
