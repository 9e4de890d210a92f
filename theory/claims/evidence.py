"""Claim-specific evidence checks that need no torch (counterexamples, small numeric facts).

Importing this module registers them (:func:`theory.claims.evidence`); :func:`theory.claims.all_evidence`
imports it. Each check follows the ``wdt verify`` contract: cases from ``ctx.rng(salt)``, the worst
error against a tolerance derived from the route's error bound (or marked empirical with its reason).

The checks decide claims of the source texts that no catalogue theorem decides alone (see
``docs/claims.md``):

* ``src.manhua.l2_dense_l1_sparse``: the exact ridge minimiser of generic data has no zero
  coordinate, while the lasso minimiser has coordinates that are exactly 0, certified by a strict KKT
  margin (the "L2: small but not zero; L1: some exactly zero" table of the manhua text);
* ``src.ddlee.noise_directions``: for linear regression with homoscedastic noise the least-squares
  estimate varies along eigendirection q_i of ``H = XᵀX/n`` with variance ``σ²/(nλ_i)``, and ridge
  multiplies that by ``(λ_i/(λ_i + α))²`` (the ddlee text's "small-eigenvalue directions are noise");
* ``src.pydl.loss_curves``: on a quadratic, the data loss of GD with decay stays above the data loss
  without decay at every step when both start at ``w⁽⁰⁾ = 0`` with ``ε(λ_max + α) ≤ 1``, and not in
  general (a start beyond ``w*`` is a counterexample) (the pydl text's "regularised loss falls more
  slowly");
* ``src.pydl.sgd_fluctuation``: on a noisy quadratic, the stationary covariance of SGD with decay is
  ``ε s²/((λ_i + α)(2 − ε(λ_i + α)))`` along q_i, falling with α, while the data loss's stationary
  variance can rise with α (the pydl text's "smoother curves");
* ``src.ddlee.degenerate_minimum``: at a non-strict minimiser (the two-weight network ½(ab − 1)²) the
  first-order formula (H + αI)⁻¹Hw* is not where the penalty takes the minimiser;
* ``src.manhua.bad_alpha_risk``: for linear regression a large α has larger expected test risk than
  α = 0 when the signal is strong (the "prevents overfitting" claims need a well-chosen α).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import scipy.linalg

from theory.checks import CheckContext, CheckResult, ErrorTracker, LabelledTracker
from theory.claims import register_evidence
from theory.numerics import product_tolerance, residual_tolerance
from theory.quadratic import Quadratic
from theory.regression import ridge
from theory.sparse_path import elastic_net_path
from theory.testing.strategies import log_spaced_spectrum, matrix_from_spectrum
from theory.validate import dtype_eps

__all__ = [
    "bad_alpha_risk",
    "estimate_variance_along",
    "gd_data_losses",
    "stationary_variance",
    "two_weight_hessian",
    "two_weight_penalised_minimiser",
]  # and the registered checks

_EPS = dtype_eps(np.float64)


def _correlated_design(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """An n×d design whose columns are correlated (so ``XᵀX`` is far from diagonal)."""
    mix = np.eye(d) + 0.5 * rng.standard_normal((d, d)) / math.sqrt(d)
    return rng.standard_normal((n, d)) @ mix


# ------------------------------------------------------------------------------ L2 dense, L1 sparse


@register_evidence(
    "src.manhua.l2_dense_l1_sparse",
    "exact ridge minimiser: no coordinate within rounding of 0; exact lasso minimiser: coordinates "
    "certified 0 by a strict KKT margin",
)
def _l2_dense_l1_sparse(ctx: CheckContext) -> CheckResult:
    """Ridge ``(XᵀX + nαI)⁻¹Xᵀy`` is zero in coordinate j only on a measure-zero set of data; the lasso
    minimiser of ``(1/2n)‖Xw − y‖² + α₁‖w‖₁`` is zero wherever ``|c_j| < α₁`` (KKT, ``c = b − Hw``).

    Ridge: the smallest ``|w̃_j|`` must exceed the solve's forward-error bound
    ``10·d·κ(H + αI)·eps·‖w̃‖`` (so it is not 0 within rounding). Lasso: the path solver certifies its
    point to a KKT violation v; the objective is μ-strongly convex with ``μ = λ_min(H) > 0`` (n > d), so
    the exact minimiser lies within ``√d·v/μ`` of it (Nesterov 2018, Thm 2.1.10) and its correlations
    within ``‖H‖₂·√d·v/μ`` of the computed ones. A coordinate that is within ``√d·v/μ`` of 0 and whose
    slack ``α₁ − |c_j|`` exceeds ``‖H‖₂·√d·v/μ`` is therefore 0 at the exact minimiser (if it were not,
    its correlation would equal α₁ in size). At least one such coordinate must exist (α₁ is half of
    ‖b‖_∞, where several coordinates drop out).
    """
    tracker = LabelledTracker()
    zeros = []
    for case in range(ctx.cases(4, 40)):
        rng = ctx.rng(7100 + case)
        n, d = 60, int(rng.integers(8, 20))
        X = _correlated_design(rng, n, d)
        w_true = rng.standard_normal(d) * (rng.random(d) < 0.5)  # sparse truth: ridge still fills it in
        y = X @ w_true + 0.3 * rng.standard_normal(n)
        H, b = X.T @ X / n, X.T @ y / n
        lam = np.linalg.eigvalsh(H)
        alpha = float(10 ** rng.uniform(-2, 0))
        w = ridge(X, y, alpha)
        kappa = (lam[-1] + alpha) / (lam[0] + alpha)
        tol = residual_tolerance(d, kappa) * float(np.linalg.norm(w))
        smallest = float(np.min(np.abs(w)))
        # passes iff the smallest ridge coordinate is farther from 0 than rounding can move it
        tracker.add(f"ridge: rounding bound / min|w̃_j| (case {case})", tol, max(smallest, 1e-300))
        alpha1 = 0.5 * float(np.max(np.abs(b)))
        p = elastic_net_path(H, b, [alpha1])
        wl = p.W[0]
        c = b - H @ wl
        dist = math.sqrt(d) * float(p.tolerance[0]) / lam[0]  # ‖w_computed − w_exact‖ ≤ √d·v/μ
        reach = lam[-1] * dist  # how far that moves the correlations c = b − Hw
        slack = alpha1 - np.abs(c)
        certified = int(np.sum((slack > reach) & (np.abs(wl) <= dist)))
        zeros.append(f"{certified}/{d}")
        # passes iff at least one coordinate is certified 0 at the exact lasso minimiser
        tracker.add(
            f"lasso: certified zero coordinates (case {case}) must be ≥ 1", 1.0, max(certified, 1e-300)
        )
    return tracker.result(
        "correlated X (non-diagonal H), sparse truth; lasso coordinates certified 0 per case: "
        + ", ".join(zeros)
    )


# ------------------------------------------------------------------------------ noise directions


#: standard errors of the Monte Carlo variance that the closed form must fall within
_NOISE_SE = 6.0


def estimate_variance_along(lam: np.ndarray, noise_var: float, n: int, alpha: float = 0.0) -> np.ndarray:
    """``Var(q_iᵀŵ)`` of the ridge estimate ``(XᵀX + nαI)⁻¹Xᵀy`` for noise of variance σ² along each
    eigenvector of ``H = XᵀX/n`` (eigenvalues ``lam``): ``σ²λ_i/(n(λ_i + α)²)``; ``σ²/(nλ_i)`` at α = 0
    (least squares, which needs every λ_i > 0)."""
    return noise_var * lam / (n * (lam + alpha) ** 2)


@register_evidence(
    "src.ddlee.noise_directions",
    "Monte Carlo over the noise: Var(q_iᵀŵ) = σ²/(nλ_i) for least squares, × (λ_i/(λ_i + α))² for ridge",
)
def _noise_directions(ctx: CheckContext) -> CheckResult:
    """For ``y = Xw + e``, ``e ~ N(0, σ²I)``, the least-squares estimate ``ŵ = (XᵀX)⁻¹Xᵀy`` has covariance
    ``σ²(XᵀX)⁻¹ = (σ²/n)H⁻¹``, so along the eigenvector q_i of ``H = XᵀX/n`` its variance is
    ``σ²/(nλ_i)``: the small-eigenvalue directions are the ones the noise moves most. Ridge
    ``(XᵀX + nαI)⁻¹Xᵀy`` has variance ``σ²λ_i/(n(λ_i + α)²)`` there, the least-squares variance times
    ``(λ_i/(λ_i + α))²`` (l2.eigen applied to the noise), which suppresses exactly those directions.

    Route: closed forms from one ``eigh`` of H against the sample variance of ``q_iᵀŵ`` over m noise
    draws (each estimate a separate linear solve). The relative error of a sample variance of m
    Gaussian draws has standard deviation ``√(2/(m − 1))``; the tolerance is 6 of them.
    """
    tracker = ErrorTracker()
    tracker.empirical_tolerance(
        f"Monte Carlo, {_NOISE_SE:g} standard errors √(2/(m − 1)) of a Gaussian sample variance (a "
        "statistical bound, false alarm ≈ 2e-9 per direction; seeded, so reproducible), not a rounding bound"
    )
    draws = ctx.cases(2000, 20_000)
    ratios = []
    for case in range(ctx.cases(3, 20)):
        rng = ctx.rng(7200 + case)
        n, d = 40, int(rng.integers(4, 10))
        X = _correlated_design(rng, n, d) * np.exp(rng.uniform(-1.5, 1.5, d))  # spread the spectrum
        sigma = float(10 ** rng.uniform(-1, 0))
        w_true = rng.standard_normal(d)
        Y = (X @ w_true)[:, None] + sigma * rng.standard_normal((n, draws))
        lam, Q = np.linalg.eigh(X.T @ X / n)
        alpha = float(np.median(lam))
        ols = np.linalg.solve(X.T @ X, X.T @ Y)
        rdg = np.linalg.solve(X.T @ X + n * alpha * np.eye(d), X.T @ Y)
        tol = _NOISE_SE * math.sqrt(2.0 / (draws - 1))
        for est, closed in (
            (ols, estimate_variance_along(lam, sigma**2, n)),
            (rdg, estimate_variance_along(lam, sigma**2, n, alpha)),
        ):
            sample = np.var(Q.T @ est, axis=1, ddof=1)
            for i in range(d):
                tracker.add(abs(sample[i] / closed[i] - 1.0), tol)
        ratios.append(f"{lam[-1] / lam[0]:.0f}")
    return tracker.result(
        f"{draws} noise draws per case; Var along q_min / Var along q_max = λ_max/λ_min = "
        + ", ".join(ratios)
    )


# ------------------------------------------------------------------------------ loss curves


def gd_data_losses(q: Quadratic, w0: np.ndarray, eps: float, alpha: float, steps: int) -> np.ndarray:
    """Data loss ``½(w − w*)ᵀH(w − w*)`` along plain GD on ``J + (α/2)‖w‖²`` (the loop, no closed form)."""
    H, ws = q.H, q.w_star
    w = np.array(w0, dtype=np.float64)
    out = np.empty(steps + 1)
    for t in range(steps + 1):
        r = w - ws
        out[t] = 0.5 * float(r @ H @ r)
        w = w - eps * (H @ r + alpha * w)
    return out


@register_evidence(
    "src.pydl.loss_curves",
    "GD on a quadratic: from w⁽⁰⁾ = 0 the data loss with decay is ≥ without at every step; from "
    "w⁽⁰⁾ = 3w* it is lower at some step",
)
def _loss_curves(ctx: CheckContext) -> CheckResult:
    """Along q_i, GD from 0 on ``J + (α/2)‖w‖²`` gives ``a_{t+1} = (1 − ε(λ_i + α))a_t + ελ_i c_i`` and
    without decay ``b_{t+1} = (1 − ελ_i)b_t + ελ_i c_i`` (``c = Qᵀw*``). With ``ε(λ_i + α) ≤ 1`` and
    ``ελ_i ≤ 1`` induction gives ``0 ≤ a_t/c_i ≤ b_t/c_i ≤ 1``, so ``|c_i − a_t| ≥ |c_i − b_t|`` in every
    direction and the data loss with decay is never below the data loss without: the "slower" curve.
    From a start beyond w* (``w⁽⁰⁾ = 3w*``) the shrinkage points toward w*, and the data loss with decay
    is lower after one step (``2c_i(1 − ελ_i) − 3εαc_i`` against ``2c_i(1 − ελ_i)``), so the claim needs
    the start.

    Route: the GD loop itself (no closed form). Tolerance: T steps of rounding in a d-vector, each of
    relative size ``10·d·eps`` of ``‖w*‖`` and contracted afterwards, move the data loss by at most
    ``λ_max·‖w*‖·(T·10·d·eps·‖w*‖)`` (times 2 for the two runs; times 6 more from 3w*, where the
    iterates reach 3‖w*‖ and lie 2‖w*‖ from w*).
    """
    tracker = LabelledTracker()
    steps = ctx.cases(100, 400)
    gaps = []
    for case in range(ctx.cases(4, 40)):
        rng = ctx.rng(7300 + case)
        d = int(rng.integers(3, 12))
        lam = log_spaced_spectrum(rng, d, float(10 ** rng.uniform(0.5, 3)), 1.0)
        q = Quadratic(matrix_from_spectrum(lam, rng).H, rng.standard_normal(d))
        alpha = float(lam[-1] * 10 ** rng.uniform(-2, 0))
        eps = 1.0 / (lam[-1] + alpha)
        scale = float(np.linalg.norm(q.w_star))
        tol = 2.0 * lam[-1] * scale * steps * residual_tolerance(d, 1.0) * scale
        zero = np.zeros(d)
        deficit = gd_data_losses(q, zero, eps, 0.0, steps) - gd_data_losses(q, zero, eps, alpha, steps)
        # passes iff the run with decay is never below the run without by more than rounding
        tracker.add(f"from 0: max_t (J₀(t) − J_α(t)) (case {case})", max(float(deficit.max()), 0.0), tol)
        far = 3.0 * q.w_star
        gain = gd_data_losses(q, far, eps, 0.0, steps) - gd_data_losses(q, far, eps, alpha, steps)
        # passes iff from 3w* the run with decay is resolvably below the run without at some step
        tracker.add(
            f"from 3w*: rounding bound / max_t (J₀(t) − J_α(t)) (case {case})",
            6.0 * tol,  # ‖w‖ ≤ 3‖w*‖ and ‖w − w*‖ ≤ 2‖w*‖ on this run
            max(float(gain.max()), 1e-300),
        )
        gaps.append(f"{float(gain.max()) / float(gd_data_losses(q, far, eps, 0.0, 0)[0]):.2f}")
    return tracker.result(
        f"{steps} steps, ε = 1/(λ_max + α); from 3w*, the largest lead of the decayed run as a fraction of "
        "J(w⁽⁰⁾): " + ", ".join(gaps)
    )


# ------------------------------------------------------------------------------ SGD fluctuations


def stationary_variance(eps: float, noise_var: float, h: np.ndarray) -> np.ndarray:
    """Stationary variance of ``x ← (1 − εh)x − εξ`` with ``Var ξ = s²``:
    ``ε²s²/(1 − (1 − εh)²) = εs²/(h(2 − εh))`` (for ``0 < εh < 2``), along each eigendirection with
    curvature ``h = λ_i + α``."""
    return eps * noise_var / (h * (2.0 - eps * h))


@register_evidence(
    "src.pydl.sgd_fluctuation",
    "noisy quadratic: SGD's stationary covariance along q_i = εs²/(h_i(2 − εh_i)), h_i = λ_i + α, falls "
    "with α; the data loss's stationary variance can rise",
)
def _sgd_fluctuation(ctx: CheckContext) -> CheckResult:
    """SGD with additive gradient noise on ``J + (α/2)‖w‖²``: ``w ← w − ε(H(w − w*) + αw + ξ)``,
    ``ξ ~ N(0, s²I)`` independent across steps (a model of minibatch noise). The iterates' stationary
    law is Gaussian with mean ``w̃`` and covariance Σ solving ``Σ = AΣAᵀ + ε²s²I``, ``A = I − ε(H + αI)``;
    in the eigenbasis ``q_iᵀΣq_i = εs²/(h_i(2 − εh_i))`` with ``h_i = λ_i + α``, which falls as α grows
    while ``εh_i < 1``: decay damps the weights' fluctuations.

    The data loss ``J(w) = ½(w − w*)ᵀH(w − w*)`` of a Gaussian w has variance
    ``½tr((HΣ)²) + rᵀHΣHr`` with ``r = w̃ − w*`` (the variance of a Gaussian quadratic form; Mathai &
    Provost, *Quadratic Forms in Random Variables*, 1992, Thm 3.2b.2). The second term is 0 without
    decay and grows with the bias r: on the one-dimensional problem λ = 2, w* = 5, s = 1, ε = 0.1
    the loss's stationary variance at α = 0.5 exceeds that at α = 0, so "smoother loss curves" is
    not implied by "smaller weight fluctuations".

    Route: ``scipy.linalg.solve_discrete_lyapunov`` (a backward-stable solve of the dense equation)
    against the eigenbasis closed form. Tolerance ``residual_tolerance(d, κ_S)`` relative, κ_S the
    condition number of the Stein operator ``Σ ↦ Σ − AΣAᵀ``, whose eigenvalues are ``1 − a_ia_j``
    (a_i those of A): ``κ_S = (1 − a_min²)/(1 − a_max²)`` for ``0 < a_i < 1``. The monotonicity in α is
    read off the Lyapunov route and must hold with a margin of ``product_tolerance(d, 1/(1 − a_max))``.
    """
    tracker = LabelledTracker()
    for case in range(ctx.cases(4, 40)):
        rng = ctx.rng(7400 + case)
        d = int(rng.integers(2, 10))
        lam = log_spaced_spectrum(rng, d, float(10 ** rng.uniform(0.5, 2.5)), 1.0)
        m = matrix_from_spectrum(lam, rng)
        s2 = float(10 ** rng.uniform(-2, 1))
        alphas = (0.0, float(lam[0]), float(lam[-1]))
        eps = 0.5 / (lam[-1] + alphas[-1])  # one step size for every α, so only α changes
        along = []
        for alpha in alphas:
            A = np.eye(d) - eps * (m.H + alpha * np.eye(d))
            sigma = scipy.linalg.solve_discrete_lyapunov(A, eps * eps * s2 * np.eye(d))
            h = lam + alpha
            closed = stationary_variance(eps, s2, h)
            along.append(np.einsum("ji,jk,ki->i", m.eigenvectors, sigma, m.eigenvectors))
            a = 1.0 - eps * h  # eigenvalues of A, in (0, 1)
            kappa_stein = float((1.0 - a.min() ** 2) / (1.0 - a.max() ** 2))
            tracker.add(
                f"Lyapunov vs closed form, relative (case {case}, α = {alpha:.3g})",
                float(np.max(np.abs(along[-1] / closed - 1.0))),
                residual_tolerance(d, kappa_stein),
            )
        for lo, hi in itertools.pairwise(along):
            # passes iff more decay gives smaller fluctuations in every direction (Lyapunov route), by more
            # than the solve's rounding: rounding bound / smallest relative decrease
            decrease = 1.0 - float(np.max(hi / lo))
            tracker.add(
                f"fluctuations: rounding bound / smallest relative decrease as α grows (case {case})",
                product_tolerance(d, 1.0 / (1 - eps * (lam[-1] + alphas[-1]))),
                max(decrease, 1e-300),
            )
    # the data loss's stationary variance: the 1-d counterexample, closed form against quadrature
    v0, v1 = (loss_variance(a, *_LOSS_EXAMPLE) for a in (0.0, 0.5))
    for alpha_1d, var_j in ((0.0, v0), (0.5, v1)):
        quad, scale = loss_variance_by_quadrature(alpha_1d, *_LOSS_EXAMPLE)
        tracker.add(
            f"Var J closed form vs Gauss–Hermite quadrature, relative (α = {alpha_1d})",
            abs(var_j / quad - 1.0),
            64 * _EPS * scale / quad,
        )
    # passes iff the loss variance at α = 0.5 is resolvably larger than at α = 0
    tracker.add(
        "loss variance: rounding bound / (1 − Var J(0)/Var J(0.5))", 10 * _EPS, max(1.0 - v0 / v1, 1e-300)
    )
    lam1, ws, s2, eps = _LOSS_EXAMPLE
    return tracker.result(
        f"ε = 0.5/(λ_max + α); 1-d example λ = {lam1:g}, w* = {ws:g}, s² = {s2:g}, ε = {eps:g}: "
        f"Var J = {v0:.3g} at α = 0, {v1:.3g} at α = 0.5"
    )


#: the one-dimensional counterexample (λ, w*, s², ε): decay damps the weight's fluctuations but raises
#: the data loss's (λ ≠ 1, so a misplaced factor λ shows)
_LOSS_EXAMPLE = (2.0, 5.0, 1.0, 0.1)


def loss_variance(alpha: float, lam: float, w_star: float, s2: float, eps: float) -> float:
    """Stationary variance of the data loss ``J = ½λ(w − w*)²`` under SGD with gradient noise on
    ``J + (α/2)w²`` in one dimension: w is Gaussian with mean ``w̃ = λw*/(λ + α)`` and variance
    ``v = εs²/(h(2 − εh))``, ``h = λ + α``, so ``Var J = λ²v²/2 + λ²(w̃ − w*)²v`` (the variance of a
    Gaussian quadratic form; Mathai & Provost, 1992, Thm 3.2b.2)."""
    h = lam + alpha
    var = float(stationary_variance(eps, s2, np.array([h]))[0])
    bias = lam * w_star / h - w_star
    return 0.5 * (lam * var) ** 2 + (lam * bias) ** 2 * var


def loss_variance_by_quadrature(
    alpha: float, lam: float, w_star: float, s2: float, eps: float
) -> tuple[float, float]:
    """:func:`loss_variance` by an independent route: the stationary variance from SciPy's Lyapunov
    solve of ``v = a²v + ε²s²``, ``a = 1 − ε(λ + α)``, the stationary mean by iterating the mean's own
    recursion ``m ← m − ε(λ(m − w*) + αm)`` to its fixed point, and ``E[J]``, ``E[J²]`` by 8-point
    Gauss–Hermite quadrature (exact for the degree-4 polynomial J²). Returns ``(Var J, E[J²] + E[J]²)``,
    the second the size of the cancelling terms, which scales the rounding tolerance."""
    a = 1.0 - eps * (lam + alpha)
    v = float(scipy.linalg.solve_discrete_lyapunov(np.array([[a]]), np.array([[eps * eps * s2]]))[0, 0])
    m = 0.0
    for _ in range(400):  # contraction |a| ≤ 0.8 here: a^400 < 1e-38
        m = m - eps * (lam * (m - w_star) + alpha * m)
    x, w = np.polynomial.hermite_e.hermegauss(8)
    w = w / math.sqrt(2.0 * math.pi)
    j = 0.5 * lam * (m + math.sqrt(v) * x - w_star) ** 2
    mean, second = float(w @ j), float(w @ j**2)
    return second - mean * mean, second + mean * mean


# ------------------------------------------------------------------------------ degenerate minimum


def two_weight_hessian(a: float, b: float) -> np.ndarray:
    """Hessian of the two-weight network loss ``L(a, b) = ½(ab − 1)²``: ``[[b², 2ab − 1], [2ab − 1, a²]]``."""
    off = 2.0 * a * b - 1.0
    return np.array([[b * b, off], [off, a * a]])


def two_weight_penalised_minimiser(alpha: float) -> np.ndarray:
    """The minimiser (one of the two, ±) of ``½(ab − 1)² + (α/2)(a² + b²)`` for ``0 < α < 1``:
    ``√(1 − α)·(1, 1)``. The stationary equations ``(ab − 1)b + αa = 0``, ``(ab − 1)a + αb = 0`` give
    ``α(a² − b²) = 0`` (multiply by a and b and subtract), so a = ±b; a = −b leaves only the origin
    (objective ½), a = b = t gives ``t² = 1 − α`` (objective ``α − α²/2 < ½``)."""
    return math.sqrt(1.0 - alpha) * np.ones(2)


@register_evidence(
    "src.ddlee.degenerate_minimum",
    "L = ½(ab − 1)² at w* = (2, 0.5): H singular (eigenvalues 0, 4.25); the penalised minimiser tends to "
    "(1, 1), not to (H + αI)⁻¹Hw*, which is no minimiser",
)
def _degenerate_minimum(ctx: CheckContext) -> CheckResult:
    """The first-order formula ``w̃ ≈ (H + αI)⁻¹Hw*`` (ddlee, after Goodfellow et al. §7.1.1) needs a
    strict minimiser. The two-weight network ``f(x) = abx`` fitted to one example, ``L = ½(ab − 1)²``,
    has a curve of minimisers ab = 1 (the rescaling a → ca, b → b/c of a ReLU unit), and at
    ``w* = (2, 0.5)`` its Hessian ``uuᵀ``, ``u = (b, a) = (0.5, 2)``, has eigenvalues 0 and ‖u‖² = 4.25.
    The penalised minimiser :func:`two_weight_penalised_minimiser` tends to (1, 1) as α → 0, the
    least-norm point of the curve, ‖(1, 1) − w*‖ = √1.25 = 1.118 away; the formula tends to the
    projection of w* on u, (2/4.25)·u = (0.235, 0.941), where ab = 0.221 and the gradient of L is not 0.

    Route: the closed forms against numpy: ``eigvalsh`` of H, the formula by ``solve``, and the
    penalised gradient at the closed-form minimiser (each within ``10·eps`` times the size of its
    terms, a few flops on numbers ≤ 4.25); the gaps (1.118, and the formula's gradient norm) must
    exceed those bounds by far.
    """
    tracker = LabelledTracker()
    w_star = np.array([2.0, 0.5])
    H = two_weight_hessian(*w_star)
    lam = np.linalg.eigvalsh(H)
    rnd = 10.0 * _EPS * float(lam[-1])
    # passes iff H is singular at w*: its smallest eigenvalue is 0 within rounding of ‖H‖
    tracker.add("λ_min(H) at w* = (2, 0.5) (singular)", abs(float(lam[0])), rnd)
    tracker.add("λ_max(H) vs 4.25", abs(float(lam[-1]) - 4.25), rnd)
    notes = []
    for alpha in (1e-2, 1e-4, 1e-6):
        w_true = two_weight_penalised_minimiser(alpha)
        a, b = w_true
        grad = np.array([(a * b - 1.0) * b + alpha * a, (a * b - 1.0) * a + alpha * b])
        tracker.add(f"penalised gradient at √(1 − α)(1, 1), α = {alpha:g}", float(np.linalg.norm(grad)), rnd)
        formula = np.linalg.solve(H + alpha * np.eye(2), H @ w_star)
        gap = float(np.linalg.norm(formula - w_true))
        # passes iff the formula's point is resolvably not the penalised minimiser
        tracker.add(f"rounding / ‖formula − true minimiser‖, α = {alpha:g}", rnd, gap)
        fa, fb = formula
        g_formula = float(np.hypot((fa * fb - 1.0) * fb, (fa * fb - 1.0) * fa))
        # passes iff the formula's point is not even stationary for L (‖∇L‖ resolvably > 0)
        tracker.add(f"rounding / ‖∇L(formula)‖, α = {alpha:g}", rnd, g_formula)
        notes.append(
            f"α = {alpha:g}: true ({a:.3f}, {b:.3f}), {float(np.linalg.norm(w_true - w_star)):.3f} from w*; "
            f"formula ({fa:.3f}, {fb:.3f})"
        )
    return tracker.result("H eigenvalues " + ", ".join(f"{v:.3g}" for v in lam) + "; " + "; ".join(notes))


# ------------------------------------------------------------------------------ a badly chosen α


@register_evidence(
    "src.manhua.bad_alpha_risk",
    "linear regression, x ~ N(0, I): a large α has expected test risk above that of α = 0 when "
    "‖β‖² > σ²d/(n − d − 1) (limit σ² + ‖β‖² vs E R(ŵ₀), and Monte Carlo at α = 10⁴)",
)
def _bad_alpha_risk(ctx: CheckContext) -> CheckResult:
    """The registered check: :func:`bad_alpha_risk` with ‖β‖² four times the threshold."""
    return bad_alpha_risk(ctx, 4.0)


def bad_alpha_risk(ctx: CheckContext, excess: float) -> CheckResult:
    """ "Weight decay prevents overfitting" is not true for every α. As α → ∞ the ridge estimate tends
    to 0 for every design, so its risk tends to ``σ² + ‖β‖²`` exactly; least squares (α = 0) has
    ``E R(ŵ₀) = σ² + σ²d/(n − d − 1)`` for n ≥ d + 2 (ridge.double_descent,
    :func:`theory.double_descent.min_norm_risk`). So every large enough α is worse than no penalty
    whenever ``‖β‖² > σ²d/(n − d − 1)``, and the closed forms must show it. At a finite α = 10⁴ the
    Monte Carlo mean of the exact conditional risks (:func:`theory.double_descent.ridge_risk_draws`)
    must exceed E R(ŵ₀) by 6 standard errors. ``excess`` is ‖β‖² over the threshold; below 1 (a
    weak signal) the comparison reverses and the check fails.
    """
    from theory.double_descent import min_norm_risk, monte_carlo_risk

    tracker = LabelledTracker()
    tracker.tracker.empirical_tolerance(
        "Monte Carlo over designs: the α = 10⁴ risk must exceed E R(ŵ₀) by 6 standard errors (a "
        "statistical margin, seeded), besides the exact α → ∞ comparison"
    )
    notes = []
    for case in range(ctx.cases(2, 10)):
        rng = ctx.rng(7800 + case)
        d = int(rng.integers(5, 15))
        n = int(rng.integers(4 * d, 10 * d))
        s2 = float(10 ** rng.uniform(-1, 0))
        beta = rng.standard_normal(d)
        beta *= math.sqrt(excess * s2 * d / (n - d - 1)) / float(np.linalg.norm(beta))  # 4× the threshold
        r2 = float(beta @ beta)
        ols = min_norm_risk(n, d, s2, r2)
        limit = s2 + r2
        tracker.add(
            f"α → ∞: rounding / (σ² + ‖β‖² − E R(ŵ₀)) (case {case})",
            10 * _EPS * limit,
            max(limit - ols, 1e-300),
        )
        mc = monte_carlo_risk(n, d, s2, beta, [1e4], ctx.cases(200, 2000), rng)
        low = float(mc.mean[0] - 6.0 * mc.stderr[0])
        tracker.add(f"α = 10⁴: E R(ŵ₀) / (mean − 6 SE) (case {case})", ols, max(low, 1e-300))
        notes.append(f"n = {n}, d = {d}: E R(ŵ₀) = {ols:.3g}, α = 10⁴: {float(mc.mean[0]):.3g}")
    return tracker.result(f"‖β‖² = {excess:g}σ²d/(n − d − 1); " + "; ".join(notes))
