"""Double descent of least squares and its absence for tuned ridge (ridge.double_descent).

Model: features ``x ~ N(0, I_d)``, response ``y = xᵀβ + ε`` with ``Var ε = σ²``, n training rows; the
test risk of an estimate ŵ is ``R(ŵ) = E(y − xᵀŵ)² = σ² + ‖ŵ − β‖²`` (the test point is independent
of the training set and isotropic). Write ``r² = ‖β‖²``. Ridge is taken in the canonical convention
(``docs/reference.md``, "Canonical convention"): ``ŵ_α = (XᵀX + nαI)⁻¹Xᵀy``; α = 0 means the
minimum-norm least-squares solution ``X⁺y`` (l2.pinv).

Exact finite n, from the mean of an inverse Wishart matrix (Muirhead, below; the same formulas are
Thm 1 of Belkin, Hsu & Xu, *Two Models of Double Descent for Weak Features*, SIAM J. Math. Data Sci.
2020; Hastie, Montanari, Rosset & Tibshirani, *Surprises in High-Dimensional Ridgeless Least Squares
Interpolation*, Ann. Statist. 2022, treat the proportional limit, below, not finite n):

* ``n ≥ d + 2``: ``E R(ŵ₀) = σ² + σ²d/(n − d − 1)``: ``ŵ₀ − β = (XᵀX)⁻¹Xᵀε`` and
  ``E(XᵀX)⁻¹ = I/(n − d − 1)``, the mean of an inverse Wishart matrix (Muirhead, *Aspects of
  Multivariate Statistical Theory*, Thm 3.2.12);
* ``n ≤ d − 2``: ``E R(ŵ₀) = σ² + r²(1 − n/d) + σ²n/(d − n − 1)``: the bias is the part of β outside
  the row space of X, a uniformly random n-dimensional subspace (so ``E‖(I − P)β‖² = r²(1 − n/d)``),
  and the variance is ``σ² tr(XXᵀ)⁻¹`` with ``XXᵀ`` an n×n Wishart matrix with d degrees of freedom;
* ``|n − d| ≤ 1``: the expectation is infinite when σ² > 0 (the inverse-Wishart mean does not exist):
  :func:`min_norm_risk` returns ``+inf`` there. This is the peak of double descent.

Optimally tuned ridge (Nakkiran, Venkat, Kakade & Ma, *Optimal Regularization Can Mitigate Double
Descent*, Thm 1). Ridge is linear in y, so ``ŵ_α − β = −nα(XᵀX + nαI)⁻¹β + (XᵀX + nαI)⁻¹Xᵀε`` is
linear in β and ε, and ``E_ε R(ŵ_α)`` given X is σ² plus a quadratic form ``βᵀA(X)β`` plus a
β-free noise term. Because the law of X is rotation invariant, ``E_X βᵀA(X)β`` is the same for every
β of norm r, hence equals its average over β uniform on that sphere; a quadratic form's average
depends only on ``E ββᵀ = (r²/d)I``, which the Gaussian prior ``β ~ N(0, (r²/d)I)`` shares. So
``E R(ŵ_α)`` equals the Bayes risk under that prior, whose posterior mean is ridge with
``nα = σ²d/r²``. Hence ``α*(n) = σ²d/(n r²)`` in the canonical convention (``λ* = σ²d/r²`` in the
``½‖Xw − y‖² + (λ/2)‖w‖²`` convention, independent of n), and the tuned risk is the Bayes risk, which
cannot increase with n (a Bayes estimator from n + 1 rows may ignore one row). Per eigenvalue s of
XᵀX the averaged risk is ``(r²/d)(nα)²/(s + nα)² + σ²s/(s + nα)²``, minimised at ``nα = σ²d/r²`` for
*every* s, where it collapses to ``σ²/(s + nα*)``: ``min_α E R = σ² + σ² E tr(XᵀX + nα*I)⁻¹``.

Proportional limit ``n, d → ∞``, ``d/n → γ`` (Dobriban & Wager, *High-Dimensional Asymptotics of
Prediction: Ridge Regression and Classification*, Ann. Statist. 2018, Thm 2.1): the eigenvalues of
``XᵀX/n`` follow the Marchenko–Pastur law with ratio γ, whose Stieltjes transform at ``−α``,
``m(α) = ∫ dF(s)/(s + α)``, is the positive root of ``γα m² + (1 − γ + α)m − 1 = 0``. With
``q(α) = ∫ dF(s)/(s + α)² = −m'(α)``:

    R_∞(α) = σ² + r²α² q(α) + σ²γ (m(α) − α q(α)),

and at ``α* = σ²γ/r²`` it collapses to ``σ² + σ²γ m(α*)``, which increases strictly in γ, i.e.
decreases in n (proved in ``proofs/double_descent.py``). The ridgeless limits are ``σ²/(1 − γ)`` for
γ < 1 and ``σ² + r²(1 − 1/γ) + σ²/(γ − 1)`` for γ > 1, the limits of the exact finite-n formulas.

Monte Carlo (:func:`ridge_risk_draws`): one SVD per draw of X, every α at once; the noise ε is
integrated exactly given X (the conditional risk ``E_ε[R | X]`` is the l2.eigen algebra below), so the
only randomness left is X's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.stats
from numpy.typing import ArrayLike, NDArray

from theory.errors import InputError, PreconditionError
from theory.validate import as_alphas, as_nonneg_float, as_positive_float, as_vector

__all__ = [
    "MonteCarloRisk",
    "asymptotic_min_norm_risk",
    "asymptotic_ridge_risk",
    "asymptotic_tuned_risk",
    "bonferroni_z",
    "min_norm_risk",
    "monte_carlo_risk",
    "mp_resolvent_moments",
    "nested_risk_draws",
    "optimal_alpha",
    "ridge_risk_draws",
    "summarise",
]

FloatArray = NDArray[np.floating[Any]]
_WHERE = "ridge.double_descent"
_EPS = float(np.finfo(np.float64).eps)


def _size(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(f"{_WHERE}: {name} must be an integer ≥ 1; got {value!r} ({type(value).__name__})")
    if int(value) < 1:
        raise InputError(f"{_WHERE}: {name} must be ≥ 1; got {name} = {int(value)}")
    return int(value)


def min_norm_risk(n: int, d: int, noise_var: float, beta_norm2: float) -> float:
    """Exact ``E R(X⁺y) = σ² + E‖X⁺y − β‖²`` for n rows of ``N(0, I_d)`` features (module docstring).

    ``σ² + σ²d/(n − d − 1)`` for ``n ≥ d + 2``; ``σ² + r²(1 − n/d) + σ²n/(d − n − 1)`` for
    ``n ≤ d − 2``; ``+inf`` for ``|n − d| ≤ 1`` when σ² > 0 (the expectation diverges: the peak).
    With σ² = 0 there is no variance term and the risk is ``r²·max(1 − n/d, 0)`` for every n.

    Raises:
        InputError: n or d not an integer ≥ 1.
        PreconditionError: σ² < 0 or r² < 0.
    """
    nn, dd = _size(n, "n"), _size(d, "d")
    s2 = as_nonneg_float(noise_var, "noise_var", where=_WHERE)
    r2 = as_nonneg_float(beta_norm2, "beta_norm2", where=_WHERE)
    bias = r2 * (1.0 - nn / dd) if nn < dd else 0.0
    if s2 == 0.0:  # exactly no noise: no variance term (0·∞ does not arise)
        return bias
    if abs(nn - dd) <= 1:
        return math.inf
    if nn > dd:
        return s2 + s2 * dd / (nn - dd - 1)
    return s2 + bias + s2 * nn / (dd - nn - 1)


def optimal_alpha(n: int, d: int, noise_var: float, beta_norm2: float) -> float:
    """``α* = σ²d/(n r²)``: the canonical-convention ridge penalty minimising ``E R(ŵ_α)`` at every n.

    (``λ* = nα* = σ²d/r²`` in the ``½‖Xw − y‖² + (λ/2)‖w‖²`` convention; Nakkiran et al., Thm 1.)

    Raises:
        InputError: n or d not an integer ≥ 1.
        PreconditionError: σ² < 0 or r² ≤ 0 (with β = 0 the best estimate is 0, α* = ∞).
    """
    nn, dd = _size(n, "n"), _size(d, "d")
    s2 = as_nonneg_float(noise_var, "noise_var", where=_WHERE)
    r2 = as_positive_float(beta_norm2, "beta_norm2", where=_WHERE)
    return s2 * dd / (nn * r2)


def _mp_parts(gamma: float, alpha: ArrayLike) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """``(γ, α, μ, s)`` with ``s = √(b² + 4γα)``, ``b = 1 − γ + α``, and ``μ = α·m(α)``, every entry
    finite for every finite α > 0 (no overflow, no cancellation).

    In μ the quadratic ``γαm² + bm − 1 = 0`` reads ``γμ² + bμ − α = 0``, whose positive root is
    ``μ = 2α/(b + s)`` (b ≥ 0) or ``(s − b)/(2γ)`` (b < 0). s is a ``hypot`` of ``b`` and ``2√γ√α``.
    """
    g = as_positive_float(gamma, "gamma", where=_WHERE)
    a = as_alphas(alpha, "alpha", where=_WHERE)
    if (a <= 0).any():
        raise PreconditionError(f"{_WHERE}: the MP moments need α > 0; got α = {a[a <= 0][0]}")
    b = 1.0 - g + a
    s = np.hypot(b, 2.0 * math.sqrt(g) * np.sqrt(a))
    pos = b >= 0
    mu = np.where(pos, a / (0.5 * np.where(pos, b, 0.0) + 0.5 * s), (s - np.where(pos, 0.0, b)) / (2.0 * g))
    return g, a, mu, s


def _scalar_or_array(values: FloatArray, like: ArrayLike) -> Any:
    """A float for a scalar input, else the 1-D array: scalars in, floats out."""
    return float(values[0]) if np.ndim(like) == 0 else values


def mp_resolvent_moments(gamma: float, alpha: ArrayLike) -> tuple[Any, Any]:
    """``(m(α), q(α)) = (∫ dF/(s + α), ∫ dF/(s + α)²)`` for the Marchenko–Pastur law of ratio γ.

    F is the limit spectrum of ``XᵀX/n`` (unit variance, ``d/n → γ``; an atom ``1 − 1/γ`` at 0 when
    γ > 1). ``m`` is the positive root of ``γα m² + (1 − γ + α)m − 1 = 0``, evaluated as ``μ/α`` with
    ``μ = αm`` from :func:`_mp_parts` (no cancellation in either branch); ``q = −dm/dα =
    m(γm + 1)/(2γαm + b) = m(γm + 1)/s`` by implicit differentiation, since ``2γμ + b = s`` (the
    roots of the quadratic in μ differ by ``s/γ``). Floats for a scalar α, arrays for an array; m and
    q themselves overflow as α → 0 where their true values exceed the float range (q ~ α^{-3/2} at
    γ = 1): :func:`asymptotic_ridge_risk` never forms them.

    Raises:
        PreconditionError: γ ≤ 0 or some α ≤ 0.
    """
    g, a, mu, s = _mp_parts(gamma, alpha)
    with np.errstate(over="ignore"):
        m = mu / a
        q = m * (g * m + 1.0) / s
    return _scalar_or_array(m, alpha), _scalar_or_array(q, alpha)


def asymptotic_ridge_risk(gamma: float, alpha: ArrayLike, noise_var: float, beta_norm2: float) -> Any:
    """``R_∞(α) = σ² + r²α²q(α) + σ²γ(m(α) − αq(α))`` (Dobriban & Wager 2018, Thm 2.1), per α > 0.

    Evaluated in forms finite for every finite α > 0 (the plain one gives ∞·0 = NaN at α = 10³⁰⁰ and
    0·∞ at α = 10⁻³⁰⁰): with μ = αm and s as in :func:`_mp_parts`,

        α²q = μ(γμ + α)/s,    m − αq = (1 − μ)/s = 2/((1 + γ + α + s)·s),

    the first since ``α(γm + 1) = γμ + α`` and ``2γμ + b = s``, the second since the quadratic gives
    ``γμ + 1 − γ = α(1 − μ)/μ`` and ``(1 + γ + α)² − s² = 4γ(1 + α) − 4γα = 4γ`` makes
    ``1 − μ = 2/(1 + γ + α + s)`` (all terms positive: no cancellation). As α → ∞ the risk tends to
    ``σ² + r²`` (ŵ → 0); as α → 0 to :func:`asymptotic_min_norm_risk` (∞ at γ = 1, like
    ``σ²/(2√α)``). A float for a scalar α, an array for an array.
    """
    s2 = as_nonneg_float(noise_var, "noise_var", where=_WHERE)
    r2 = as_nonneg_float(beta_norm2, "beta_norm2", where=_WHERE)
    g, a, mu, s = _mp_parts(gamma, alpha)
    bias = mu * ((g * mu + a) / s)
    variance = (2.0 / (1.0 + g + a + s)) / s  # underflows to 0 for huge α, never overflows
    out: FloatArray = s2 + r2 * bias + s2 * g * variance
    return _scalar_or_array(out, alpha)


def _at_the_peak(g: float) -> bool:
    """``|γ − 1| ≤ 4·eps``: γ cannot be told from 1.

    A ratio ``d/n`` that equals 1 is computed exactly, and one of integers below 2⁵² that does not is
    at least ``1/n > 2⁻⁵²`` away; a γ within a few ulps of 1 therefore comes from a short computation
    of an exact 1 (each operation moves it by ≤ eps/2 relative), and ``1 − γ`` there is rounding
    noise, not a gap: ``σ²/(1 − γ)`` would return ~10¹⁵ of either sign's meaning. Four ulps cover a
    handful of such roundings; beyond them ``1 − γ`` is exact (Sterbenz) and the formula is right
    for the γ given.
    """
    return abs(g - 1.0) <= 4.0 * _EPS


def asymptotic_min_norm_risk(gamma: float, noise_var: float, beta_norm2: float) -> float:
    """Ridgeless limit: ``σ²/(1 − γ)`` for γ < 1, ``σ² + r²(1 − 1/γ) + σ²/(γ − 1)`` for γ > 1, ∞ at 1
    (and within 4 eps of 1, where γ cannot be told from 1: :func:`_at_the_peak`)."""
    g = as_positive_float(gamma, "gamma", where=_WHERE)
    s2 = as_nonneg_float(noise_var, "noise_var", where=_WHERE)
    r2 = as_nonneg_float(beta_norm2, "beta_norm2", where=_WHERE)
    bias = r2 * (1.0 - 1.0 / g) if g > 1 else 0.0
    if s2 == 0.0:  # exactly no noise: no variance term (an input, not a computed value)
        return bias
    if _at_the_peak(g):
        return math.inf
    return s2 / (1.0 - g) if g < 1 else s2 + bias + s2 / (g - 1.0)


def asymptotic_tuned_risk(gamma: ArrayLike, noise_var: float, beta_norm2: float) -> Any:
    """``σ² + σ²γ m(α*)`` at ``α* = σ²γ/r²``: the limit of ``min_α E R(ŵ_α)``, decreasing in n = d/γ.

    Evaluated as ``σ² + r²μ(α*)`` (μ = α*m(α*), :func:`_mp_parts`; ``σ²γ/α* = r²``), finite for every
    finite γ > 0. Vectorised over γ: a float for a scalar γ, a 1-D array for an array. Raises
    PreconditionError for σ² ≤ 0 (then α* = 0) or r² ≤ 0.
    """
    s2 = as_positive_float(noise_var, "noise_var", where=_WHERE)
    r2 = as_positive_float(beta_norm2, "beta_norm2", where=_WHERE)
    gs = np.atleast_1d(np.asarray(gamma, dtype=np.float64))
    if gs.ndim != 1:
        raise InputError(f"{_WHERE}: gamma must be a number or a 1-D array; got shape {gs.shape}")
    out = np.empty_like(gs)
    for i, g in enumerate(gs):
        _, _, mu, _ = _mp_parts(float(g), s2 * float(g) / r2)
        out[i] = s2 + r2 * float(mu[0])
    return _scalar_or_array(out, gamma)


def ridge_risk_draws(
    n: int,
    d: int,
    noise_var: float,
    beta: ArrayLike,
    alphas: ArrayLike,
    draws: int,
    rng: np.random.Generator,
    *,
    X: ArrayLike | None = None,
    average_direction: bool = False,
) -> FloatArray:
    """Conditional risks ``E_ε[R(ŵ_α) | X]`` for ``draws`` independent X, shape ``(draws, len(alphas))``.

    One batched SVD ``X = U diag(s) Vᵀ`` per draw gives every α at once: with ``c = Vᵀβ``,

        E_ε[R | X] = σ² + Σ_i (nα/(s_i² + nα))² c_i² + (r² − Σ_i c_i²) + σ² Σ_i s_i²/(s_i² + nα)²,

    the bias of the shrinkage ``s_i²/(s_i² + nα)`` (l2.eigen), the part of β outside the row space,
    and the noise pushed through ``(XᵀX + nαI)⁻¹Xᵀ``. α = 0 is the minimum-norm solution: singular
    values below ``max(n, d)·eps·s_max`` count as 0 (the rank cut-off of ``numpy.linalg.pinv``).
    ``X`` (shape ``(draws, n, d)``) may be given instead of drawn, e.g. nested prefixes of one draw.

    ``average_direction=True`` also integrates β's direction exactly (β uniform on the sphere of
    radius ‖β‖: ``E c_i² = r²/d``), which removes the O(r²/√d) per-draw spread of the bias; since the
    law of X is rotation invariant, ``E R`` is the same for every β of that norm (module docstring).
    """
    nn, dd = _size(n, "n"), _size(d, "d")
    reps = _size(draws, "draws")
    s2 = as_nonneg_float(noise_var, "noise_var", where=_WHERE)
    b = as_vector(beta, "beta", size=dd)
    a = np.asarray(alphas, dtype=np.float64).reshape(-1)
    if a.size == 0 or not np.all(np.isfinite(a)) or (a < 0).any():
        raise PreconditionError(f"{_WHERE}: alphas must be finite and ≥ 0; got {a}")
    if X is None:
        Xs = rng.standard_normal((reps, nn, dd))
    else:
        Xs = np.asarray(X, dtype=np.float64)
        if Xs.shape != (reps, nn, dd):
            raise InputError(f"{_WHERE}: X must have shape {(reps, nn, dd)}; got {Xs.shape}")
    r2 = float(b @ b)
    if average_direction and a.min() > 0:
        # only the singular values are needed, and with α > 0 their squares to O(eps·s_max²) absolute
        # accuracy suffice (each enters as s²/(s² + nα)): the eigenvalues of the smaller Gram matrix
        gram = Xs @ np.swapaxes(Xs, 1, 2) if nn <= dd else np.swapaxes(Xs, 1, 2) @ Xs
        s = np.sqrt(np.clip(np.linalg.eigvalsh(gram)[:, ::-1], 0.0, None))  # (draws, k), descending
        c2 = np.full(s.shape, r2 / dd)
    elif average_direction:  # α = 0 needs the small singular values accurately: SVD, values only
        s = np.linalg.svd(Xs, compute_uv=False)  # (draws, k), k = min(n, d)
        c2 = np.full(s.shape, r2 / dd)
    else:
        _, s, Vt = np.linalg.svd(Xs, full_matrices=False)  # Vt: (draws, k, d)
        c2 = (Vt @ b) ** 2  # (draws, k)
    cutoff = max(nn, dd) * np.finfo(np.float64).eps * s[:, :1]
    s_sq = np.where(s > cutoff, s, 0.0) ** 2  # (draws, k)
    outside = np.maximum(r2 - c2.sum(axis=1), 0.0)  # ‖β‖² minus its row-space part
    na = nn * a[None, None, :]
    ss = s_sq[:, :, None]
    live = ss > 0
    denom = np.where(live | (na > 0), ss + na, 1.0)
    keep_bias = np.where(live, na / denom, 1.0)  # a zero singular value keeps its component of β
    var = np.where(live, ss / denom**2, 0.0)
    bias = np.sum(keep_bias**2 * c2[:, :, None], axis=1) + outside[:, None]
    result: FloatArray = s2 + bias + s2 * np.sum(var, axis=1)
    return result


def nested_risk_draws(
    d: int,
    n_values: ArrayLike,
    noise_var: float,
    beta: ArrayLike,
    alpha_of_n: Any,
    draws: int,
    rng: np.random.Generator,
) -> FloatArray:
    """Conditional risks at ``α = alpha_of_n(n)`` for each n, shape ``(draws, len(n_values))``.

    The designs are nested: each draw is one ``max(n_values) × d`` matrix and size n uses its first n
    rows, so consecutive sizes share their randomness and the differences ``R(n + 1) − R(n)`` have a
    far smaller spread than two independent estimates (common random numbers).
    """
    dd = _size(d, "d")
    reps = _size(draws, "draws")
    ns = [_size(int(v), "n") for v in np.asarray(n_values).reshape(-1)]
    if not ns:
        raise InputError(f"{_WHERE}: n_values is empty")
    full = rng.standard_normal((reps, max(ns), dd))
    out = np.empty((reps, len(ns)))
    for j, nn in enumerate(ns):
        out[:, j] = ridge_risk_draws(nn, dd, noise_var, beta, [alpha_of_n(nn)], reps, rng, X=full[:, :nn])[
            :, 0
        ]
    return out


@dataclass(frozen=True, slots=True)
class MonteCarloRisk:
    """Mean risk over independent draws, with its standard error (``std/√draws``), per α."""

    mean: FloatArray
    stderr: FloatArray
    draws: int

    def interval(self, z: float) -> tuple[FloatArray, FloatArray]:
        """``mean ∓ z·stderr``."""
        return self.mean - z * self.stderr, self.mean + z * self.stderr


def summarise(samples: ArrayLike) -> MonteCarloRisk:
    """Mean and standard error over axis 0 (at least two draws); 1-D even for 1-D samples."""
    arr = np.asarray(samples, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[0] < 2:
        raise InputError(f"{_WHERE}: a standard error needs at least 2 draws; got shape {arr.shape}")
    mean = np.atleast_1d(arr.mean(axis=0))
    stderr = np.atleast_1d(arr.std(axis=0, ddof=1) / math.sqrt(arr.shape[0]))
    return MonteCarloRisk(mean, stderr, arr.shape[0])


def monte_carlo_risk(
    n: int, d: int, noise_var: float, beta: ArrayLike, alphas: ArrayLike, draws: int, rng: np.random.Generator
) -> MonteCarloRisk:
    """:func:`ridge_risk_draws` summarised: the Monte Carlo estimate of ``E R(ŵ_α)`` per α."""
    return summarise(ridge_risk_draws(n, d, noise_var, beta, alphas, draws, rng))


def bonferroni_z(false_alarm: float, comparisons: int, *, sided: int = 2) -> float:
    """The normal quantile z with ``P(|Z| > z)`` (``sided=2``) or ``P(Z > z)`` (``sided=1``) equal to
    ``false_alarm/comparisons``: each of ``comparisons`` CLT-based comparisons then fails by chance
    with probability at most that, and the whole check with probability at most ``false_alarm``
    (Bonferroni's union bound)."""
    p = float(false_alarm)
    k = _size(comparisons, "comparisons")
    if not 0 < p < 1 or sided not in (1, 2):
        raise InputError(f"bonferroni_z needs 0 < false_alarm < 1 and sided in (1, 2); got {p}, {sided}")
    return float(scipy.stats.norm.isf(p / (k * sided)))
