"""Stochastic spectral estimators of a symmetric operator seen only through products ``v ↦ Av``.

Three quantities of a network's Hessian ``H`` (p × p, never formed) that the weight-decay theory
needs (``docs/reference.md``, "Theorem catalogue": ``l2.eigen``, ``l2.dof``):

- :func:`trace` — ``tr A`` by Hutchinson, Hutch++ or a Krylov-deflated Hutchinson, with a standard
  error;
- :func:`spectral_density` — stochastic Lanczos quadrature (SLQ): per probe the Ritz values of a
  Lanczos run (nodes) and the squared first components of its Ritz vectors (weights), a smoothed
  density for plotting, and ``tr f(A)`` for any ``f`` with its standard error;
- :func:`effective_dimensionality` — ``Σ λ_i / (λ_i + α) = tr(A(A + αI)⁻¹)`` (``l2.dof``).

Every function accepts a symmetric ``scipy.sparse.linalg.LinearOperator``, a dense symmetric array,
or a callable ``matvec`` together with ``dim=``; counts the products it asks for (``matvecs`` in each
result); draws every random vector from ``numpy.random.default_rng(seed)``; and stops at a product
budget (``matvecs=``) and/or a target standard error (``target_se=``).

**One estimator underneath.** For any ``f`` and any orthonormal ``Q`` (p × m) with complement
projector ``P = I − QQᵀ``,

    tr f(A) = tr(Qᵀ f(A) Q) + tr(P f(A) P),

because ``tr(QQᵀ f(A) P) = tr(f(A) P QQᵀ) = 0``. The first term is computed "exactly" on a small
space, the second by Hutchinson's estimator ``E[gᵀ P f(A) P g] = tr(P f(A) P)`` with Rademacher
probes ``g`` drawn independently of ``Q``. The per-probe values ``gᵀ P f(A) P g`` form an i.i.d. sample,
so their sample standard deviation over ``√n`` is an honest standard error of the residual term. With
``Q`` empty this is plain Hutchinson/SLQ; with ``Q`` spanning ``A S`` it is Hutch++ (Meyer, Musco,
Musco & Woodruff, "Hutch++: Optimal stochastic trace estimation", SOSA 2021); with ``Q`` a Lanczos
(Krylov) basis ``K_m(A, v₀)`` it is the Krylov-deflated variant (in the spirit of Chen & Hallman,
"Krylov-aware stochastic trace estimation", SIMAX 2023): ``m`` products buy an ``m``-dimensional
basis that captures both ends of the spectrum (the outliers of a network Hessian) and whose
``QᵀAQ = T_m`` is the Lanczos tridiagonal, already known — half the cost per basis vector of Hutch++,
which spends one product on ``AS`` and another on ``AQ``. A caller's eigenpairs (e.g. from
``top_eigenpairs``) can serve as ``Q`` at no extra product.

``gᵀ P f(A) P g`` is evaluated by Gauss quadrature from ``s`` Lanczos steps started at ``u = Pg``
(Golub & Meurant, *Matrices, Moments and Quadrature*; Ubaru, Chen & Saad, "Fast estimation of
tr(f(A)) via stochastic Lanczos quadrature", SIMAX 2017): ``uᵀf(A)u ≈ ‖u‖² Σ_k τ_k² f(θ_k)`` with
``θ_k`` the eigenvalues of the tridiagonal ``T_s`` and ``τ_k`` the first components of its unit
eigenvectors; it is exact for polynomials of degree ≤ 2s − 1, and for every ``f`` once the run
breaks down (an invariant subspace). The deflated term ``tr(Qᵀ f(A) Q)`` is likewise read from the
first ``m`` rows of the eigenvectors of ``T_{m+s}``. The standard error covers the probe sampling
only; the quadrature error is reported separately as ``quadrature_change`` (the change when the
last Lanczos step of every run is dropped), an a-posteriori indicator.

Lanczos here keeps full reorthogonalisation (twice, against every earlier vector), so Ritz values do
not appear as spurious copies and ``s = p`` steps reproduce the spectrum to rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.linalg
import scipy.sparse.linalg
from numpy.typing import NDArray

from theory.errors import InputError, PreconditionError
from theory.validate import as_count

__all__ = [
    "DEFAULT_PROBES",
    "DEFAULT_TRACE_MATVECS",
    "SpectralDensity",
    "SpectralEstimate",
    "TraceEstimate",
    "effective_dimensionality",
    "ritz_values",
    "spectral_density",
    "trace",
    "wasserstein1",
]

FloatArray = NDArray[np.float64]
_EPS = float(np.finfo(np.float64).eps)
_MIN_PROBES = 2  # a sample standard deviation needs two draws


# --------------------------------------------------------------------------------------------------
# the operator: validation and product counting
# --------------------------------------------------------------------------------------------------


class _Counted:
    """``v ↦ Av`` for a symmetric operator, counting products (one per column) and checking outputs."""

    def __init__(self, op: Any, dim: int | None) -> None:
        self.precision = _EPS
        if isinstance(op, np.ndarray) or (hasattr(op, "__array__") and not callable(op)):
            a = np.asarray(op)
            if a.dtype.kind not in "fiu" or a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
                raise InputError(
                    f"op must be a real square non-empty matrix; got shape {a.shape} and dtype {a.dtype}"
                )
            a = a.astype(np.float64)
            if not np.all(np.isfinite(a)):
                raise InputError(f"op has {int(np.sum(~np.isfinite(a)))} non-finite entries")
            scale = float(np.max(np.abs(a)))
            asym = float(np.max(np.abs(a - a.T)))
            # a matrix symmetric up to rounding of its d-term dot products (Higham §3.1)
            if asym > 10 * a.shape[0] * _EPS * scale:
                raise PreconditionError(
                    f"op must be symmetric; max |A − Aᵀ| = {asym:.3g} with max |A| = {scale:.3g}"
                )
            self._mv: Callable[[FloatArray], FloatArray] = a.__matmul__
            self._mm: Callable[[FloatArray], FloatArray] | None = a.__matmul__
            d = a.shape[0]
        elif isinstance(op, scipy.sparse.linalg.LinearOperator):
            if len(op.shape) != 2 or op.shape[0] != op.shape[1] or op.shape[0] == 0:
                raise InputError(f"op must be a square non-empty operator; got shape {op.shape}")
            if np.dtype(op.dtype).kind == "c":
                raise InputError(f"op must be real; got dtype {op.dtype}")
            self._mv, self._mm = op.matvec, op.matmat
            d = int(op.shape[0])
            precision = getattr(op, "precision", None)
            if isinstance(precision, float) and precision > 0:
                self.precision = max(_EPS, precision)
        elif callable(op):
            if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool) or dim < 1:
                raise InputError(f"a matvec callable needs dim= a positive integer; got dim={dim!r}")
            self._mv, self._mm, d = op, None, int(dim)
        else:
            raise InputError(
                "op must be a LinearOperator, a square ndarray or a matvec callable with dim=; "
                f"got {type(op).__name__}"
            )
        if dim is not None and int(dim) != d:
            raise InputError(f"dim={dim!r} disagrees with the operator's size {d}")
        self.dim = d
        self.matvecs = 0

    def __call__(self, v: FloatArray) -> FloatArray:
        """``A v`` for one vector (d,) or a block (d, k), each column one product."""
        v = np.ascontiguousarray(v, dtype=np.float64)
        k = 1 if v.ndim == 1 else v.shape[1]
        if v.ndim == 2 and self._mm is not None:
            out = np.asarray(self._mm(v), dtype=np.float64)
        elif v.ndim == 2:
            out = np.column_stack([np.asarray(self._mv(c), dtype=np.float64).ravel() for c in v.T])
        else:
            out = np.asarray(self._mv(v), dtype=np.float64).reshape(-1)
        self.matvecs += k
        if out.shape[0] != self.dim:
            raise InputError(f"the operator returned {out.shape[0]} rows for a vector of size {self.dim}")
        if not np.all(np.isfinite(out)):
            raise InputError(f"the operator returned non-finite values after {self.matvecs} products")
        return out.reshape(v.shape)


def _positive_int(value: Any, name: str, *, allow_zero: bool = False) -> int:
    return as_count(value, name, low=0 if allow_zero else 1)


def _check_stopping(matvecs: Any, target_se: Any) -> tuple[int | None, float | None]:
    if matvecs is None and target_se is None:
        raise InputError("give a product budget matvecs=, a target standard error target_se=, or both")
    budget = None if matvecs is None else _positive_int(matvecs, "matvecs")
    if target_se is not None:
        if isinstance(target_se, bool) or not isinstance(target_se, (int, float)) or not target_se > 0:
            raise InputError(f"target_se must be a positive number; got {target_se!r}")
        if not math.isfinite(float(target_se)):
            raise InputError(f"target_se must be finite; got {target_se!r}")
        target_se = float(target_se)
    return budget, target_se


#: trace's budget when neither ``matvecs`` nor ``target_se`` is given: on the 2,410-parameter digits
#: MLP of ``bench/spectral.py`` the default ``"krylov"`` method reached 1 % relative error at a median
#: of 42 products
DEFAULT_TRACE_MATVECS = 100
#: spectral_density's (and effective_dimensionality's) probes when no budget is given
DEFAULT_PROBES = 10


def _rademacher(rng: np.random.Generator, d: int) -> FloatArray:
    return (2.0 * rng.integers(0, 2, size=d) - 1.0).astype(np.float64)


def _mean_se(samples: FloatArray) -> tuple[float, float]:
    """The sample mean and its standard error ``s/√n`` (``inf`` with fewer than two samples)."""
    n = samples.size
    if n == 0:
        return 0.0, 0.0
    mean = float(np.mean(samples))
    if n < _MIN_PROBES:
        return mean, math.inf
    return mean, float(np.std(samples, ddof=1) / math.sqrt(n))


def _orthonormal(vectors: Any, d: int) -> FloatArray:
    """Validate a caller's eigenvector block (d, k) as orthonormal columns to rounding."""
    v = np.asarray(vectors, dtype=np.float64)
    if v.ndim == 1:
        v = v[:, None]
    if v.ndim != 2 or v.shape[0] != d or v.shape[1] >= d:
        raise InputError(f"eigenvectors must be an array (p={d}, k<p); got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise InputError("eigenvectors hold non-finite values")
    gram_err = float(np.max(np.abs(v.T @ v - np.eye(v.shape[1]))))
    # Gram matrix of d-term dot products of unit vectors: rounding c·d·eps; eigsh returns it to ~1e-12
    if gram_err > max(1e-8, 10 * d * _EPS):
        raise PreconditionError(f"eigenvectors must be orthonormal; max |VᵀV − I| = {gram_err:.3g}")
    return v


def _eigenpairs(eigenpairs: Any, d: int) -> tuple[FloatArray, FloatArray]:
    """``(values, vectors)`` from an ``Eigenpairs``-like object or a pair."""
    if hasattr(eigenpairs, "values") and hasattr(eigenpairs, "vectors"):
        values, vectors = eigenpairs.values, eigenpairs.vectors
    else:
        try:
            values, vectors = eigenpairs
        except (TypeError, ValueError):
            raise InputError(
                f"eigenpairs must be an Eigenpairs result or a (values, vectors) pair; got {eigenpairs!r}"
            ) from None
    vecs = _orthonormal(vectors, d)
    vals = np.asarray(values, dtype=np.float64).reshape(-1)
    if vals.size != vecs.shape[1] or not np.all(np.isfinite(vals)):
        raise InputError(f"eigenpairs: {vals.size} finite values needed for {vecs.shape[1]} vectors")
    return vals, vecs


# --------------------------------------------------------------------------------------------------
# Lanczos with full reorthogonalisation
# --------------------------------------------------------------------------------------------------


@dataclass
class _Lanczos:
    alpha: FloatArray
    beta: FloatArray  # off-diagonal, len(alpha) − 1
    basis: FloatArray  # (d, len(alpha))
    beta_last: float = 0.0  # ‖w‖ after the last step (0 at an invariant subspace): the Ritz residuals


def _lanczos(
    apply: _Counted, start: FloatArray, steps: int, *, restart: np.random.Generator | None = None
) -> _Lanczos:
    """``steps`` Lanczos steps from ``start`` (any nonzero vector), reorthogonalised twice.

    A step whose new residual ``‖w‖`` is below ``10·√d·u·‖T‖`` (``u`` the product's unit roundoff)
    found an invariant subspace: without ``restart`` the run stops there (quadrature is then exact for
    every f); with ``restart`` a fresh random vector orthogonal to the basis continues it with a zero
    coupling, so that ``steps = d`` always spans the whole space.
    """
    d = apply.dim
    steps = min(steps, d)
    basis = np.empty((d, steps))
    alpha: list[float] = []
    beta: list[float] = []
    q = start / np.linalg.norm(start)
    scale = last = 0.0
    for j in range(steps):
        basis[:, j] = q
        w = apply(q)
        a = float(q @ w)
        alpha.append(a)
        qs = basis[:, : j + 1]
        for _ in range(2):  # "twice is enough" (Parlett, The Symmetric Eigenvalue Problem, §6.9)
            w -= qs @ (qs.T @ w)
        b = float(np.linalg.norm(w))
        if j == steps - 1:
            last = b
            break
        scale = max(scale, abs(a), b)
        if b <= 10 * math.sqrt(d) * apply.precision * scale:
            if restart is None:
                break
            w = _rademacher(restart, d)
            for _ in range(2):
                w -= qs @ (qs.T @ w)
            beta.append(0.0)
            q = w / np.linalg.norm(w)
            continue
        beta.append(b)
        q = w / b
    k = len(alpha)
    return _Lanczos(np.array(alpha), np.array(beta[: k - 1]), basis[:, :k], last)


def ritz_values(
    op: Any, k: int, *, steps: int = 60, which: str = "SA", dim: int | None = None, seed: int = 0
) -> tuple[FloatArray, FloatArray]:
    """The ``k`` smallest (``"SA"``) or largest (``"LA"``) Ritz values of one ``steps``-step Lanczos run
    from a Rademacher start, and their residual norms ``β_m·|s_mj|``: each Ritz value lies within its
    residual of an eigenvalue (Parlett, *The Symmetric Eigenvalue Problem*, §13.2). Repeated
    eigenvalues are not resolved (one Krylov space holds one copy of each), and an invariant subspace
    ends the run early (residual 0).
    """
    apply = _Counted(op, dim)
    if which not in ("SA", "LA"):
        raise InputError(f"which must be 'SA' or 'LA'; got {which!r}")
    k = _positive_int(k, "k")
    run = _lanczos(apply, _rademacher(np.random.default_rng(seed), apply.dim), _positive_int(steps, "steps"))
    theta, S = _ritz(run)
    res = run.beta_last * np.abs(S[-1])
    order = np.arange(theta.size) if which == "SA" else np.arange(theta.size)[::-1]
    return theta[order][:k].copy(), res[order][:k].copy()


def _ritz(run: _Lanczos, drop_last: bool = False) -> tuple[FloatArray, FloatArray]:
    """Eigenvalues ``θ`` and unit eigenvectors ``S`` (columns) of the Lanczos tridiagonal."""
    a, b = run.alpha, run.beta
    if drop_last and a.size > 1:
        a, b = a[:-1], b[:-1]
    if a.size == 1:
        return a.copy(), np.ones((1, 1))
    theta, s = scipy.linalg.eigh_tridiagonal(a, b)
    return theta, s


# --------------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TraceEstimate:
    """``tr A ≈ value ± se``.

    Attributes:
        value: the estimate, ``exact_part`` plus the mean of ``samples``.
        se: standard error of ``value`` from the probe sample (0 when no probe was needed because the
            deflation basis spans the space; ``inf`` with a single probe).
        exact_part: ``tr(QᵀAQ)`` on the deflation basis (0 for plain Hutchinson).
        samples: the per-probe residual estimates ``gᵀPAPg`` (their mean is the stochastic part).
        matvecs: products used (reused eigenpairs cost none).
        method: ``"hutchinson"``, ``"hutch++"`` or ``"krylov"``.
        basis_dim: the dimension of the deflation basis ``Q``.
    """

    value: float
    se: float
    exact_part: float
    samples: FloatArray = field(repr=False)
    matvecs: int
    method: str
    basis_dim: int


@dataclass(frozen=True, slots=True)
class SpectralEstimate:
    """``tr f(A) ≈ value ± se`` from stochastic Lanczos quadrature.

    Attributes:
        value: ``exact_part`` + mean of ``samples``.
        se: standard error over probes (probe sampling only, not quadrature; see module doc).
        exact_part: the deflated part ``tr(Qᵀ f(A) Q)`` by quadrature.
        samples: per-probe quadrature values of ``gᵀ P f(A) P g``.
        quadrature_change: ``|value − value with every run one Lanczos step shorter|``, an
            a-posteriori indicator of the quadrature error the SE does not cover.
        matvecs: products used to build the underlying :class:`SpectralDensity`.
    """

    value: float
    se: float
    exact_part: float
    samples: FloatArray = field(repr=False)
    quadrature_change: float
    matvecs: int


@dataclass(frozen=True, slots=True)
class SpectralDensity:
    """Stochastic Lanczos quadrature of a p × p symmetric operator.

    The spectral measure ``μ = (1/p) Σ_i δ(λ − λ_i)`` is estimated by the discrete measure with nodes
    ``deflated_nodes`` (weights ``deflated_weights``, summing to the deflation dimension) plus the mean
    over probes of ``nodes[i]`` with weights ``weights[i]`` (each summing to ``‖P g_i‖²``), all over
    ``dim``. Zero weights pad runs that stopped early (an invariant subspace reached).

    Attributes:
        dim: p.
        nodes, weights: (n_probes, steps) Ritz values and weights ``‖Pg‖² τ_k²`` per probe.
        deflated_nodes, deflated_weights: the deflated part (empty without deflation).
        nodes_short, weights_short, deflated_nodes_short, deflated_weights_short: the same with each
            run one step shorter, for ``quadrature_change``.
        matvecs: products used. steps: Lanczos steps per probe. basis_dim: deflation dimension.
    """

    dim: int
    nodes: FloatArray
    weights: FloatArray
    deflated_nodes: FloatArray
    deflated_weights: FloatArray
    nodes_short: FloatArray = field(repr=False)
    weights_short: FloatArray = field(repr=False)
    deflated_nodes_short: FloatArray = field(repr=False)
    deflated_weights_short: FloatArray = field(repr=False)
    matvecs: int
    steps: int
    basis_dim: int

    @property
    def probes(self) -> int:
        """The number of probe vectors."""
        return int(self.nodes.shape[0])

    def ritz_min(self) -> float:
        """The smallest Ritz value carrying weight: an upper bound on ``λ_min`` (Ritz values lie in
        the numerical range ``[λ_min, λ_max]``)."""
        cands = [self.nodes[self.weights > 0], self.deflated_nodes]
        vals = np.concatenate([c.ravel() for c in cands])
        return float(np.min(vals)) if vals.size else math.nan

    def measure(self) -> tuple[FloatArray, FloatArray]:
        """The estimated spectral measure as pooled ``(nodes, weights)``, weights summing to ≈ 1."""
        n = max(self.probes, 1)
        nodes = np.concatenate([self.deflated_nodes, self.nodes.ravel()])
        weights = np.concatenate([self.deflated_weights, self.weights.ravel() / n]) / self.dim
        keep = weights > 0
        return nodes[keep], weights[keep]

    def trace_of(self, f: Callable[[FloatArray], Any]) -> SpectralEstimate:
        """``tr f(A)`` with its standard error over probes; ``f`` maps an array of eigenvalues to an
        array of the same shape (vectorised)."""
        full = self._estimate(f, self.nodes, self.weights, self.deflated_nodes, self.deflated_weights)
        short = self._estimate(
            f, self.nodes_short, self.weights_short, self.deflated_nodes_short, self.deflated_weights_short
        )
        return SpectralEstimate(
            value=full[0],
            se=full[1],
            exact_part=full[2],
            samples=full[3],
            quadrature_change=abs(full[0] - short[0]),
            matvecs=self.matvecs,
        )

    @staticmethod
    def _estimate(
        f: Callable[[FloatArray], Any], nodes: FloatArray, weights: FloatArray, dn: FloatArray, dw: FloatArray
    ) -> tuple[float, float, float, FloatArray]:
        def fv(x: FloatArray) -> FloatArray:
            y = np.asarray(f(x), dtype=np.float64)
            if y.shape != x.shape:
                raise InputError(f"f must be vectorised: f(array of shape {x.shape}) has shape {y.shape}")
            return y

        exact = float(np.sum(dw * fv(dn))) if dn.size else 0.0
        if nodes.size:
            fx = fv(nodes)
            samples = np.sum(np.where(weights > 0, weights * fx, 0.0), axis=1)
        else:
            samples = np.zeros(0)
        if not (math.isfinite(exact) and np.all(np.isfinite(samples))):
            raise PreconditionError("f is not finite at a Ritz value; see ritz_min() and the nodes")
        mean, se = _mean_se(samples)
        if nodes.size == 0:
            se = 0.0
        return exact + mean, se, exact, samples

    def density(self, grid: Any, width: float | None = None) -> FloatArray:
        """The measure smoothed by a Gaussian kernel of standard deviation ``width`` on ``grid``.

        ``width`` defaults to ``(θ_max − θ_min) / (2·steps)``: half the mean node spacing of one
        ``steps``-point Gauss rule, wide enough that one probe's nodes merge into a curve and narrow
        enough to keep outliers separate. The result integrates to ≈ 1 over a grid that covers the
        nodes with a margin of a few widths.
        """
        x = np.asarray(grid, dtype=np.float64).reshape(-1)
        if x.size == 0 or not np.all(np.isfinite(x)):
            raise InputError(f"grid must be a non-empty finite array; got {x.size} points")
        nodes, weights = self.measure()
        if width is None:
            spread = float(np.ptp(nodes)) if nodes.size else 0.0
            width = spread / (2 * max(self.steps, 1)) if spread > 0 else 1.0
        if not (isinstance(width, (int, float)) and width > 0 and math.isfinite(width)):
            raise InputError(f"width must be a positive finite number; got {width!r}")
        z = (x[:, None] - nodes[None, :]) / width
        return np.asarray(np.exp(-0.5 * z * z) @ weights / (width * math.sqrt(2 * math.pi)))


def wasserstein1(nodes: Any, weights: Any, eigenvalues: Any) -> float:
    """Wasserstein-1 distance between the discrete measure ``Σ w_k δ(θ_k)`` (weights normalised to
    sum 1) and the empirical measure ``(1/p) Σ δ(λ_i)``: ``∫ |F₁(x) − F₂(x)| dx`` over the merged
    support (Villani, *Optimal Transport*, the 1-D CDF formula)."""
    th = np.asarray(nodes, dtype=np.float64).ravel()
    w = np.asarray(weights, dtype=np.float64).ravel()
    lam = np.asarray(eigenvalues, dtype=np.float64).ravel()
    if th.size != w.size or th.size == 0 or lam.size == 0 or np.any(w < 0) or not np.sum(w) > 0:
        raise InputError(
            f"need matching non-empty nodes/weights (≥ 0) and eigenvalues; got {th.size}, {w.size}"
        )
    w = w / np.sum(w)
    xs = np.concatenate([th, lam])
    masses = np.concatenate([w, -np.full(lam.size, 1.0 / lam.size)])
    order = np.argsort(xs, kind="stable")
    xs, cdf = xs[order], np.cumsum(masses[order])
    return float(np.sum(np.abs(cdf[:-1]) * np.diff(xs)))


# --------------------------------------------------------------------------------------------------
# trace
# --------------------------------------------------------------------------------------------------


def _residual_samples(
    apply: _Counted,
    rng: np.random.Generator,
    q: FloatArray | None,
    budget: int | None,
    target_se: float | None,
    min_probes: int,
) -> FloatArray:
    """``gᵀ P A P g`` for Rademacher ``g``, ``P = I − QQᵀ``, one product each, until the budget is
    spent or (after ``min_probes``) the standard error of their mean reaches ``target_se``."""
    d = apply.dim
    out: list[float] = []
    while True:
        n = len(out)
        if budget is not None and n >= budget:
            break
        if target_se is not None and n >= min_probes and _mean_se(np.array(out))[1] <= target_se:
            break
        # a block of probes per call (one product per column) where no stopping test can intervene
        if target_se is None:
            k = 64
        elif n < min_probes:
            k = min_probes - n
        else:
            k = 1
        if budget is not None:
            k = min(k, budget - n)
        g = np.column_stack([_rademacher(rng, d) for _ in range(k)])
        if q is not None and q.shape[1]:
            g = g - q @ (q.T @ g)
        # gᵀ P A P g with g ← Pg: the projection of A(Pg) is implied, since (Pg)ᵀQ = 0
        out.extend(np.einsum("ij,ij->j", g, apply(g)).tolist())
    return np.array(out, dtype=np.float64)


def trace(
    op: Any,
    *,
    dim: int | None = None,
    method: str = "krylov",
    matvecs: int | None = None,
    target_se: float | None = None,
    basis: int | None = None,
    eigenpairs: Any = None,
    seed: int = 0,
    min_probes: int = 8,
) -> TraceEstimate:
    """Estimate ``tr A`` of a symmetric operator with a standard error.

    ``tr A = tr(QᵀAQ) + tr(PAP)`` (module doc) with the first term exact and the second Hutchinson's
    mean of ``gᵀPAPg`` over Rademacher probes ``g`` (Hutchinson, "A stochastic estimator of the trace
    of the influence matrix for Laplacian smoothing splines", 1989). The SE is the sample standard
    deviation of those per-probe values over ``√n``; for Hutch++ and ``krylov`` it is therefore the
    error of the residual Hutchinson term alone: the low-rank part ``tr(QᵀAQ)`` is exact (to rounding)
    and, since ``Q`` is independent of the residual probes, the estimate is unbiased given ``Q``.

    Methods:
        ``"hutchinson"``: ``Q`` empty, every product a probe.
        ``"hutch++"``: Meyer et al. (SOSA 2021): ``Q = orth(A S)`` for ``basis`` Rademacher columns
            ``S``, then ``AQ`` (``2·basis`` products) and residual probes.
        ``"krylov"`` (default): ``Q`` the ``basis``-step Lanczos basis from one Rademacher start, so
            ``tr(QᵀAQ) = Σ α_j`` costs ``basis`` products, then residual probes.

    XTrace (Epperly, Tropp & Webber, "XTrace: Making the most of every sample in stochastic trace
    estimation", SIMAX 2024) is not duplicated here: ``bench/spectral.py`` runs curvlinops' ``xtrace``
    beside these, and on a trained network's Hessian it needed as many products as ``"krylov"`` for
    the same median error, and its error estimate rests on correlated leave-one-out traces rather
    than an i.i.d. sample.

    Args:
        op: symmetric LinearOperator, dense symmetric array, or a matvec callable with ``dim=``.
        matvecs: product budget (all of it is used unless ``target_se`` is met first); default
            :data:`DEFAULT_TRACE_MATVECS` (100) when ``target_se`` is not given either.
        target_se: stop adding probes once the SE is at most this (after ``min_probes`` probes); without
            ``matvecs`` the run stops after ``4·dim`` products in all even if the target is not met
            (``se`` says so): ``dim`` products of a full basis would give the trace exactly.
        basis: deflation dimension; default ``matvecs // 2`` (krylov) or ``matvecs // 3`` (hutch++),
            and ``min(dim, 32)`` when only ``target_se`` is given.
        eigenpairs: a caller's (approximate) eigenpairs ``(values, vectors)`` or ``Eigenpairs``; used
            as ``Q`` with ``tr(QᵀAQ) ≈ Σ values`` at no product (the error is of the order of the
            squared residuals ``‖Av − λv‖``), replacing the method's own basis.
        seed: seeds every random draw.
    """
    apply = _Counted(op, dim)
    d = apply.dim
    if matvecs is None and target_se is None:
        matvecs = DEFAULT_TRACE_MATVECS
    budget, target = _check_stopping(matvecs, target_se)
    if method not in ("hutchinson", "hutch++", "krylov"):
        raise InputError(f"method must be 'hutchinson', 'hutch++' or 'krylov'; got {method!r}")
    min_probes = _positive_int(min_probes, "min_probes")
    rng = np.random.default_rng(seed)
    q: FloatArray | None = None
    exact = 0.0
    if eigenpairs is not None:
        vals, q = _eigenpairs(eigenpairs, d)
        exact = float(np.sum(vals))
    elif method != "hutchinson":
        per = 3 if method == "hutch++" else 2
        if basis is None:
            basis = min(d, budget // per) if budget is not None else min(d, 32)
        k = _positive_int(basis, "basis", allow_zero=True)
        cost = 2 * k if method == "hutch++" else k
        if budget is not None and cost > budget:
            raise InputError(
                f"basis={k} needs {cost} products for {method}, over the budget matvecs={budget}"
            )
        if k > d:
            raise InputError(f"basis={k} exceeds the dimension {d}")
        if k:
            if method == "hutch++":
                s = np.column_stack([_rademacher(rng, d) for _ in range(k)])
                q = np.linalg.qr(apply(s))[0]
                exact = float(np.einsum("ij,ij->", q, apply(q)))
            else:
                run = _lanczos(apply, _rademacher(rng, d), k, restart=rng)
                q, exact = run.basis, float(np.sum(run.alpha))
    used = apply.matvecs
    full = q is not None and q.shape[1] >= d
    if full:
        samples = np.zeros(0)
    else:
        # with only target_se, at most 4·dim products in all: a full Krylov basis (dim products) gives
        # the trace exactly, so more probes than that never pay; se then says whether it was met
        left = (budget if budget is not None else 4 * d) - used
        samples = _residual_samples(apply, rng, q, max(left, 0), target, min_probes)
    mean, se = _mean_se(samples)
    if full:
        se = 0.0
    return TraceEstimate(
        value=exact + mean,
        se=se,
        exact_part=exact,
        samples=samples,
        matvecs=apply.matvecs,
        method=method if eigenpairs is None else f"{method}+eigenpairs",
        basis_dim=0 if q is None else int(q.shape[1]),
    )


# --------------------------------------------------------------------------------------------------
# stochastic Lanczos quadrature
# --------------------------------------------------------------------------------------------------


def _pad(rows: list[FloatArray], width: int) -> FloatArray:
    out = np.zeros((len(rows), width))
    for i, r in enumerate(rows):
        out[i, : r.size] = r
    return out


def spectral_density(
    op: Any,
    *,
    dim: int | None = None,
    steps: int = 30,
    probes: int | None = None,
    deflate: int = 0,
    eigenpairs: Any = None,
    matvecs: int | None = None,
    target_se: float | None = None,
    f: Callable[[FloatArray], Any] | None = None,
    seed: int = 0,
    min_probes: int = 8,
) -> SpectralDensity:
    """Stochastic Lanczos quadrature of a symmetric operator (Ubaru, Chen & Saad, SIMAX 2017; applied
    to network Hessians by Ghorbani, Krishnan & Xiao, "An investigation into neural net optimization via
    Hessian eigenvalue density", ICML 2019).

    Per Rademacher probe ``g`` (projected, ``u = Pg``), ``steps`` Lanczos steps with full
    reorthogonalisation from ``u`` give Ritz values ``θ_k`` (nodes) and weights ``‖u‖² τ_k²``
    (``τ_k`` the first component of the k-th unit eigenvector of ``T``), so that ``uᵀf(A)u ≈
    Σ_k ‖u‖² τ_k² f(θ_k)``. ``deflate = m > 0`` first runs ``m + steps`` Lanczos steps from a random
    start and treats its first ``m`` basis vectors as ``Q`` (their part ``tr(Qᵀ f(A) Q)`` read from the
    first ``m`` rows of the eigenvectors of ``T_{m+steps}``); ``eigenpairs`` uses a caller's
    eigenvectors as ``Q`` with nodes at their values and weight 1 each.

    Args:
        steps: Lanczos steps per probe (products per probe); capped at ``dim``.
        probes: number of probes; default from ``matvecs`` (what the budget leaves after deflation,
            divided by ``steps``), at least ``min_probes`` with ``target_se``, and
            :data:`DEFAULT_PROBES` (10) when neither is given. The SE is the sample standard deviation
            over probes, itself noisy with few of them: with 2–3 probes (a budget of 120 products
            with ``steps=30`` and deflation) 17–28 % of estimates fell beyond 3 SE of a dense
            wine-MLP value, with 10 probes 0–3 %; keep ``probes ≥ 8`` when the error bar matters.
        target_se: with ``f``, add probes until the SE of ``tr f(A)`` is at most this (identity ``f``
            when ``f`` is None, i.e. the trace).
        matvecs: product budget.
    Returns:
        a :class:`SpectralDensity`; ``.trace_of(f)``, ``.density(grid)``, ``.measure()``.
    """
    apply = _Counted(op, dim)
    d = apply.dim
    steps = min(_positive_int(steps, "steps"), d)
    deflate = _positive_int(deflate, "deflate", allow_zero=True)
    min_probes = _positive_int(min_probes, "min_probes")
    if probes is None and matvecs is None and target_se is None:
        probes = DEFAULT_PROBES
    if probes is None:
        budget, target = _check_stopping(matvecs, target_se)
    else:
        probes = _positive_int(probes, "probes")
        if target_se is not None:
            raise InputError(f"give probes={probes} or target_se={target_se!r}, not both")
        budget = None if matvecs is None else _positive_int(matvecs, "matvecs")
        target = None
    if deflate > d:
        raise InputError(f"deflate={deflate} exceeds the dimension {d}")
    if deflate and eigenpairs is not None:
        raise InputError("give deflate= or eigenpairs=, not both")
    fun = f if f is not None else (lambda x: x)
    rng = np.random.default_rng(seed)

    q: FloatArray | None = None
    dn = dw = dns = dws = np.zeros(0)
    if eigenpairs is not None:
        dn, q = _eigenpairs(eigenpairs, d)
        dw = np.ones_like(dn)
        dns, dws = dn, dw
    elif deflate:
        total = min(d, deflate + steps)
        if budget is not None and total > budget:
            raise InputError(
                f"deflate={deflate} with steps={steps} needs {total} products; budget is {budget}"
            )
        run = _lanczos(apply, _rademacher(rng, d), total, restart=rng)
        q = run.basis[:, :deflate]
        theta, s = _ritz(run)
        dn, dw = theta, np.sum(s[:deflate, :] ** 2, axis=0)
        theta_s, s_s = _ritz(run, drop_last=run.alpha.size > deflate)
        dns, dws = theta_s, np.sum(s_s[: min(deflate, s_s.shape[0]), :] ** 2, axis=0)
    full = q is not None and q.shape[1] >= d

    rows: list[tuple[FloatArray, FloatArray, FloatArray, FloatArray]] = []

    def value(row: tuple[FloatArray, FloatArray, FloatArray, FloatArray]) -> float:
        th, w = row[0], row[1]
        return float(np.sum(w * np.asarray(fun(th), dtype=np.float64)))

    while not full:
        n = len(rows)
        if probes is not None and n >= probes:
            break
        if budget is not None and apply.matvecs + steps > budget:
            break
        if (
            probes is None
            and target is not None
            and n >= min_probes
            and _mean_se(np.array([value(r) for r in rows]))[1] <= target
        ):
            break
        g = _rademacher(rng, d)
        if q is not None and q.shape[1]:
            g = g - q @ (q.T @ g)
        norm2 = float(g @ g)
        if norm2 <= (10 * d * _EPS) ** 2 * d:  # g lies in span(Q) to rounding: contributes 0
            rows.append((np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1)))
            continue
        run = _lanczos(apply, g, steps)
        theta, s = _ritz(run)
        theta_s, s_s = _ritz(run, drop_last=True)
        rows.append((theta, norm2 * s[0] ** 2, theta_s, norm2 * s_s[0] ** 2))
    if not full and len(rows) == 0:
        raise InputError(
            f"the budget matvecs={budget} leaves no room for one probe of steps={steps} "
            f"after {apply.matvecs} deflation products"
        )
    return SpectralDensity(
        dim=d,
        nodes=_pad([r[0] for r in rows], steps),
        weights=_pad([r[1] for r in rows], steps),
        deflated_nodes=dn,
        deflated_weights=dw,
        nodes_short=_pad([r[2] for r in rows], steps),
        weights_short=_pad([r[3] for r in rows], steps),
        deflated_nodes_short=dns,
        deflated_weights_short=dws,
        matvecs=apply.matvecs,
        steps=steps,
        basis_dim=0 if q is None else int(q.shape[1]),
    )


def effective_dimensionality(
    op: Any,
    alpha: float,
    *,
    dim: int | None = None,
    negative: str = "raise",
    steps: int = 30,
    probes: int | None = None,
    deflate: int | None = None,
    eigenpairs: Any = None,
    matvecs: int | None = None,
    target_se: float | None = None,
    seed: int = 0,
    min_probes: int = 8,
) -> SpectralEstimate:
    """``d_eff(α) = Σ_i λ_i/(λ_i + α) = tr(A(A + αI)⁻¹)`` with a standard error (``l2.dof`` for a
    network; Maddox, Benton & Wilson, "Rethinking parameter counting in deep models: effective
    dimensionality revisited", 2020), by stochastic Lanczos quadrature (:func:`spectral_density`).

    ``f(λ) = λ/(λ + α)`` has a pole at ``λ = −α``; the quadrature evaluates ``f`` at Ritz values, which
    lie in ``[λ_min, λ_max]``. ``negative="raise"`` (default): if any Ritz value is ``≤ −α`` — proof
    that ``A + αI`` is not positive definite, so ``(A + αI)⁻¹`` and the theorem do not apply — raise
    :class:`PreconditionError` naming the smallest Ritz value. (Ritz values all above ``−α`` do not
    prove ``λ_min > −α``; a caller who needs that should compute ``top_eigenpairs(op, 1, "SA")``.)
    ``negative="clip"``: the documented variant ``Σ_i max(λ_i, 0)/(max(λ_i, 0) + α)``, the effective
    dimensionality of the positive part of ``A``, where every negative Ritz value counts 0.

    ``deflate`` defaults to ``steps`` (a Krylov basis that absorbs the outliers, whose ``f ≈ 1`` carry
    most of the variance), capped by the budget.
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not alpha > 0:
        raise InputError(f"alpha must be a positive number; got {alpha!r}")
    if not math.isfinite(float(alpha)):
        raise InputError(f"alpha must be finite; got {alpha!r}")
    if negative not in ("raise", "clip"):
        raise InputError(f"negative must be 'raise' or 'clip'; got {negative!r}")
    a = float(alpha)

    def f(x: FloatArray) -> FloatArray:
        if negative == "clip":
            x = np.maximum(x, 0.0)
        return np.asarray(x / (x + a))

    if deflate is None:
        deflate = 0 if eigenpairs is not None else steps
        if matvecs is not None:
            deflate = min(deflate, max(matvecs - 2 * steps, 0) // 2)
        if dim is not None:
            deflate = min(deflate, dim)
    sd = spectral_density(
        op,
        dim=dim,
        steps=steps,
        probes=probes,
        deflate=min(deflate, _Counted(op, dim).dim) if eigenpairs is None else 0,
        eigenpairs=eigenpairs,
        matvecs=matvecs,
        target_se=target_se,
        f=f,
        seed=seed,
        min_probes=min_probes,
    )
    if negative == "raise":
        low = sd.ritz_min()
        if low <= -a:
            raise PreconditionError(
                f"effective dimensionality needs A + αI positive definite; smallest Ritz value is "
                f"{low:.6g} ≤ −α = {-a:.6g} (use negative='clip' for the positive part)"
            )
    return sd.trace_of(f)
