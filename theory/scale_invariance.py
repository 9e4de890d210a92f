"""Scale-invariant weights: the gradient identities (si.gradient) and the effective learning rate of
weight decay (si.effective_lr).

A loss f is *scale-invariant* in a weight vector w when ``f(cw) = f(w)`` for every ``c > 0``, as it is
for the weight of a linear layer followed by batch normalisation (batch statistics) or layer
normalisation. Differentiating ``f(cw) = f(w)`` (Euler's theorem for degree-0 homogeneous functions;
van Laarhoven, *L2 Regularization versus Batch and Weight Normalization*, 2017) gives

* ``wᵀ∇f(w) = 0`` (in c at c = 1),
* ``∇f(cw) = ∇f(w)/c`` and ``∇²f(cw) = ∇²f(w)/c²`` (in w),
* ``∇²f(w)w = −∇f(w)`` (differentiating the first identity in w).

One GD step with weight decay, ``w' = (1 − ηλ)w − η∇f(w)``, then moves the direction ``u = w/‖w‖``
exactly as a normalised step on the unit sphere with learning rate
``η̂ = η/((1 − ηλ)‖w‖²)`` (si.effective_lr; Zhang, Wang, Xu & Grosse, *Three Mechanisms of Weight
Decay Regularization*, ICLR 2019), and the norm follows
``‖w'‖² = (1 − ηλ)²‖w‖² + η²‖∇f(u)‖²/‖w‖²`` (the gradient is orthogonal to w; :func:`norm_step`).
:mod:`theory.equilibrium` (si.equilibrium) builds on this module's :func:`norm_step`,
:func:`validate_decay` and :func:`angle_between`.

Two scale-invariant test functions with closed-form gradients and Hessians (chain rule, never the
identities above) are provided: :class:`BatchNormLoss`, a linear unit followed by batch normalisation
and a loss, and :class:`SphereFunction`, ``g(w/‖w‖)`` for a random smooth g. Both evaluate at complex
w (they are analytic), so :func:`complex_step_gradient` gives an independent gradient.

The ``eps`` of a normalisation layer breaks the invariance: with ``ẑ = (z − z̄)/√(v + ε)``, scaling w
by c gives exactly the layer with ``ε/c²`` at w, so the features change by the factor
``ρ = √((v + ε)/(v + ε/c²))`` and ``|ρ − 1| ≤ ε|1 − c⁻²| / (2(v + ε·min(1, c⁻²)))``
(:func:`eps_defect_bound`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from theory.errors import InputError, PreconditionError
from theory.numerics import is_zero_within_rounding
from theory.validate import (
    as_count,
    as_matrix,
    as_nonneg_float,
    as_positive_float,
    as_vector,
    symmetric_tolerance,
)

__all__ = [
    "BatchNormLoss",
    "SphereFunction",
    "SphereRun",
    "angle_between",
    "complex_step_gradient",
    "complex_step_jacobian",
    "direction",
    "effective_lr",
    "eps_defect_bound",
    "gd_weight_decay",
    "norm_step",
    "sphere_gd",
    "sphere_step",
    "validate_decay",
    "weight_decay_step",
]

FloatArray = NDArray[np.floating[Any]]
Gradient = Callable[[FloatArray], FloatArray]


def direction(w: ArrayLike, name: str = "w") -> tuple[FloatArray, float]:
    """``(w/‖w‖, ‖w‖)``; a scale-invariant loss has no gradient at w = 0 (si.gradient needs w ≠ 0).

    Raises:
        PreconditionError: ``w`` is the zero vector (``‖w‖ = 0`` exactly: a non-zero float vector has
            a positive 2-norm, numpy's norm rescales to avoid underflow).
    """
    v = as_vector(w, name)
    r = float(np.linalg.norm(v))
    if not r > 0:
        raise PreconditionError(f"si.gradient needs {name} ≠ 0; got ‖{name}‖ = {r} (shape {v.shape})")
    return v / r, r


def validate_decay(
    lr: object, weight_decay: object, *, where: str, lr_name: str = "lr", strict: bool = False
) -> tuple[float, float, float]:
    """``(η, λ, ηλ)`` after checking ``η > 0``, ``λ ≥ 0`` (``λ > 0`` when ``strict``) and ``ηλ < 1``.

    The one validator of a step ``w' = (1 − ηλ)w − η∇f(w)`` (si.effective_lr, si.equilibrium): with
    ``ηλ ≥ 1`` the factor ``1 − ηλ`` zeroes or flips w. si.equilibrium needs ``λ > 0`` (without decay
    there is no equilibrium norm), hence ``strict``; ``lr_name`` is the caller's name for η.

    Raises:
        PreconditionError: the offending condition, with η, λ and ηλ.
        InputError: a value that is not a finite real number.
    """
    eta = as_positive_float(lr, lr_name, where=where)
    check = as_positive_float if strict else as_nonneg_float
    lam = check(weight_decay, "weight_decay", where=where)
    p = eta * lam
    if not p < 1:
        low = "0 <" if strict else "0 ≤"
        raise PreconditionError(
            f"{where} needs {low} ηλ < 1 (else 1 − ηλ ≤ 0 flips or zeroes w); got η = {eta}, λ = {lam}, "
            f"ηλ = {p}"
        )
    return eta, lam, p


def effective_lr(lr: float, weight_decay: float, norm: float) -> float:
    """``η̂ = η/((1 − ηλ)‖w‖²)``: the learning rate of the direction on the unit sphere (si.effective_lr).

    Raises:
        PreconditionError: ``η ≤ 0``, ``λ < 0``, ``ηλ ≥ 1`` or ``‖w‖ ≤ 0``, with the values.
    """
    eta, lam, _ = validate_decay(lr, weight_decay, where="si.effective_lr")
    r = as_positive_float(norm, "norm", where="si.effective_lr")
    return eta / ((1.0 - eta * lam) * r * r)


def weight_decay_step(w: ArrayLike, grad: ArrayLike, lr: float, weight_decay: float) -> FloatArray:
    """``w' = (1 − ηλ)w − η∇f(w)``: one step of ``torch.optim.SGD(lr=η, weight_decay=λ)`` (l2.update)."""
    eta, lam, _ = validate_decay(lr, weight_decay, where="si.effective_lr")
    wv = as_vector(w, "w")
    g = as_vector(grad, "grad", size=wv.shape[0])
    return (1.0 - eta * lam) * wv - eta * g


def sphere_step(u: ArrayLike, grad_u: ArrayLike, eta_hat: float) -> FloatArray:
    """``(u − η̂∇f(u)) / ‖u − η̂∇f(u)‖``: a gradient step at the unit vector u, projected back to the
    sphere by normalising (si.effective_lr)."""
    uv = as_vector(u, "u")
    g = as_vector(grad_u, "grad_u", size=uv.shape[0])
    h = as_nonneg_float(eta_hat, "eta_hat", where="sphere_step")
    step = uv - h * g
    return step / float(np.linalg.norm(step))


def angle_between(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Angles between the rows of ``a`` and ``b`` (or two vectors), as ``atan2(‖b_⊥‖, b·â)``.

    ``arccos`` of the cosine would lose half the digits of a small angle; ``b_⊥ = b − (b·â)â`` keeps
    them (accurate to a few ``eps`` relative for angles well above ``√eps``). The angle by which a
    step turns w is the distance its direction ``w/‖w‖`` moves on the sphere (si.effective_lr).

    Raises:
        InputError: ``a`` and ``b`` of different shapes (no broadcasting: each row of ``a`` is paired
            with the same row of ``b``), non-numeric or non-finite entries, with the shapes/values.
        PreconditionError: a zero row (no direction), with the norms.
    """
    try:
        av = np.asarray(a, dtype=np.float64)
        bv = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"angle_between needs real arrays; got {a!r} and {b!r} ({exc})") from None
    if av.shape != bv.shape or av.ndim == 0:
        raise InputError(
            f"angle_between needs a and b of one shape (vectors or rows of vectors); got shapes "
            f"{av.shape} and {bv.shape}"
        )
    if not (np.all(np.isfinite(av)) and np.all(np.isfinite(bv))):
        raise InputError(f"angle_between needs finite entries; got a = {a!r}, b = {b!r}")
    na = np.linalg.norm(av, axis=-1, keepdims=True)
    nb = np.linalg.norm(bv, axis=-1)
    if not (np.all(na > 0) and np.all(nb > 0)):
        raise PreconditionError(
            f"angle_between needs non-zero vectors; got norms {na.ravel()[:3]} and {np.ravel(nb)[:3]} …"
        )
    ahat = av / na
    along = np.sum(bv * ahat, axis=-1)
    perp = np.linalg.norm(bv - along[..., None] * ahat, axis=-1)
    return np.arctan2(perp, along)


def norm_step(x: float | FloatArray, lr: float, weight_decay: float, g: float) -> Any:
    """``x' = (1 − ηλ)²x + η²g²/x``, ``x = ‖w‖²``: the exact squared norm after one step (broadcasts in x).

    ``g = ‖w‖·‖∇f(w)‖ = ‖∇f(u)‖`` at ``u = w/‖w‖``. The step ``(1 − ηλ)w − η∇f(w)`` is the sum of two
    orthogonal vectors (``wᵀ∇f(w) = 0``), so Pythagoras gives ``‖w'‖² = (1 − ηλ)²‖w‖² + η²‖∇f(w)‖²``,
    and ``∇f(w) = ∇f(u)/‖w‖`` (si.gradient) turns the second term into ``η²g²/x`` (van Laarhoven 2017;
    Zhang, Wang, Xu & Grosse 2019). The recursion of si.effective_lr's norms and si.equilibrium's.
    """
    eta, _, p = validate_decay(lr, weight_decay, where="norm_step")
    gg = as_nonneg_float(g, "g", where="norm_step")
    xs = np.asarray(x, dtype=np.float64)
    if not np.all(xs > 0):
        raise PreconditionError(f"norm_step needs x = ‖w‖² > 0; got x = {x}")
    out = (1.0 - p) ** 2 * xs + (eta * gg) ** 2 / xs
    return float(out) if out.ndim == 0 else out


def gd_weight_decay(grad: Gradient, w0: ArrayLike, lr: float, weight_decay: float, steps: int) -> FloatArray:
    """The iterates ``w_0, …, w_T`` of ``w_{t+1} = (1 − ηλ)w_t − η∇f(w_t)``, shape ``(T + 1, d)``."""
    eta, lam, _ = validate_decay(lr, weight_decay, where="si.effective_lr")
    steps = as_count(steps, "steps", where="si.effective_lr")
    w = as_vector(w0, "w0").copy()
    direction(w, "w0")
    out = np.empty((steps + 1, w.shape[0]))
    out[0] = w
    for t in range(steps):
        w = (1.0 - eta * lam) * w - eta * np.asarray(grad(w), dtype=np.float64)
        out[t + 1] = w
    return out


@dataclass(frozen=True, slots=True)
class SphereRun:
    """The sphere route of si.effective_lr: directions ``u_t`` (T + 1, d), norms ``‖w_t‖`` (T + 1,) from
    the norm recursion, and the learning rates ``η̂_t`` (T,) used for each step."""

    directions: FloatArray
    norms: FloatArray
    eta_hats: FloatArray


def sphere_gd(grad: Gradient, w0: ArrayLike, lr: float, weight_decay: float, steps: int) -> SphereRun:
    """GD on the unit sphere with ``η̂_t = η/((1 − ηλ)r_t²)``, ``r_t²`` from :func:`norm_step`.

    Uses the gradient only at unit vectors and never forms ``w_t``: an independent route to the
    directions of :func:`gd_weight_decay` (si.effective_lr), valid when f is scale-invariant.
    """
    eta, lam, _ = validate_decay(lr, weight_decay, where="si.effective_lr")
    steps = as_count(steps, "steps", where="si.effective_lr")
    u, r = direction(w0, "w0")
    us = np.empty((steps + 1, u.shape[0]))
    rs = np.empty(steps + 1)
    hats = np.empty(steps)
    us[0], rs[0] = u, r
    for t in range(steps):
        g = np.asarray(grad(u), dtype=np.float64)
        hats[t] = effective_lr(eta, lam, r)
        u, r = sphere_step(u, g, hats[t]), math.sqrt(norm_step(r * r, eta, lam, float(np.linalg.norm(g))))
        us[t + 1], rs[t + 1] = u, r
    return SphereRun(us, rs, hats)


def eps_defect_bound(eps: float, variance: float, c: float) -> float:
    """``ε|1 − c⁻²| / (2(v + ε·min(1, c⁻²)))``: bound on ``|ρ − 1|``, the relative change of normalised
    features ``(z − z̄)/√(v + ε)`` when the weight is scaled by c.

    Scaling w by c scales z − z̄ by c and v by c², so the features at cw are those at w with ``ε/c²``,
    i.e. ``ρ = √(A/B)`` times them, ``A = v + ε``, ``B = v + ε/c²``. Then
    ``|ρ − 1| = |A − B| / (√B(√A + √B)) ≤ |A − B| / (2 min(A, B))``. Zero iff ε = 0 or c = 1.
    """
    e = as_nonneg_float(eps, "eps", where="eps_defect_bound")
    v = as_positive_float(variance, "variance", where="eps_defect_bound")
    cc = as_positive_float(c, "c", where="eps_defect_bound")
    return e * abs(1.0 - cc**-2) / (2.0 * (v + e * min(1.0, cc**-2)))


def complex_step_gradient(value: Callable[[Any], Any], w: ArrayLike, h: float = 1e-30) -> FloatArray:
    """``∂f/∂w_i ≈ Im f(w + ih·e_i)/h`` (Squire & Trapp, *Using complex variables to estimate
    derivatives of real functions*, SIAM Review 1998): no subtraction, so accurate to rounding for
    analytic f; an independent route to a closed-form gradient."""
    wv = as_vector(w, "w")
    out = np.empty_like(wv)
    for i in range(wv.shape[0]):
        z = wv.astype(np.complex128)
        z[i] += 1j * h
        out[i] = float(np.imag(value(z))) / h
    return out


def complex_step_jacobian(fn: Callable[[Any], Any], w: ArrayLike, h: float = 1e-30) -> FloatArray:
    """``J[:, j] = Im fn(w + ih·e_j)/h`` for a vector-valued analytic ``fn``; applied to an analytic
    gradient it gives the Hessian to rounding, independently of a closed-form Hessian."""
    wv = as_vector(w, "w")
    cols = []
    for j in range(wv.shape[0]):
        z = wv.astype(np.complex128)
        z[j] += 1j * h
        cols.append(np.imag(np.asarray(fn(z))) / h)
    return np.stack(cols, axis=1)


def _norm(w: Any) -> Any:
    """``√(wᵀw)`` without ``abs``, so it is analytic (complex-step differentiable)."""
    return np.sqrt(np.sum(w * w))


class BatchNormLoss:
    """``f(w) = (1/n)Σ_i ℓ(γẑ_i + β, y_i)``, ``ẑ = (z − z̄)/√(v + ε)``, ``z = Xw``, ``v = ‖z − z̄‖²/n``.

    One linear unit followed by batch normalisation (batch statistics, affine γ, β) and a loss
    ``ℓ``: ``"squared"`` ``½(p − y)²`` or ``"logistic"`` ``log(1 + e^{−yp})`` (y = ±1). Scale-invariant
    in w when ``eps = 0``; with ``eps > 0``, ``f_ε(cw) = f_{ε/c²}(w)`` (see :func:`eps_defect_bound`).

    Gradient and Hessian are the chain rule written out. With ``A = XcᵀXc/n`` (Xc the centred X),
    ``s = √(wᵀAw + ε)``, ``a_i`` the rows of Xc and ``g = γℓ'/n``:
    ``∇ẑ_i = a_i/s − (a_iᵀw)Aw/s³``, so ``∇f = Xcᵀg/s − (gᵀXcw)Aw/s³``;
    ``∇²f = JᵀDJ − (rpᵀ + prᵀ)/s³ − mA/s³ + 3m·ppᵀ/s⁵`` with ``J = ∂ẑ/∂w``, ``D = diag(γ²ℓ''/n)``,
    ``r = Xcᵀg``, ``p = Aw``, ``m = gᵀXcw``.
    """

    def __init__(
        self,
        X: ArrayLike,
        y: ArrayLike,
        *,
        gamma: float = 1.0,
        beta: float = 0.0,
        eps: float = 0.0,
        loss: str = "squared",
    ) -> None:
        self.X = as_matrix(X, "X")
        n, d = self.X.shape
        if n < 2:
            raise InputError(f"batch normalisation needs a batch of n ≥ 2; got X of shape {self.X.shape}")
        self.y = as_vector(y, "y", size=n)
        if loss not in ("squared", "logistic"):
            raise InputError(f"loss must be 'squared' or 'logistic'; got {loss!r}")
        self.loss = loss
        self.gamma = float(gamma)
        self.beta = float(beta)
        self.eps = as_nonneg_float(eps, "eps", where="BatchNormLoss")
        self.Xc = self.X - self.X.mean(axis=0)
        self.A = self.Xc.T @ self.Xc / n
        self.d = d
        sv = np.linalg.svd(self.Xc, compute_uv=False)
        #: κ(Xc) = σ_max/σ_min of the centred design (∞ when it is rank-deficient): ‖Xc‖‖w‖/‖Xcw‖ ≤ κ,
        #: the factor by which rounding in z = Xcw is amplified relative to ‖z‖
        self.condition = float(sv[0] / sv[-1]) if sv[-1] > 0 else math.inf
        self.size = max(n, d)

    def value_scale(self, w: ArrayLike) -> float:
        """``(1/n)Σ|ℓ_i|`` = f(w) (both losses are ≥ 0): the scale of f's rounding error."""
        return abs(self.value(w))

    def _loss_derivatives(self, p: Any) -> tuple[Any, Any, Any]:
        y = self.y
        if self.loss == "squared":
            r = p - y
            return 0.5 * r * r, r, np.ones_like(r)
        m = -y * p
        # log(1 + e^m) = logaddexp(0, m) for real input; log1p(exp) is analytic for complex steps
        value = np.logaddexp(0.0, m) if np.isrealobj(m) else np.log1p(np.exp(m))
        sig = 0.5 * (1.0 + np.tanh(0.5 * m))  # σ(m), without overflow
        return value, -y * sig, sig * (1.0 - sig)

    def features(self, w: Any) -> Any:
        """``ẑ = (z − z̄)/√(v + ε)`` (accepts complex w for complex steps)."""
        zc = self.Xc @ w
        return zc / np.sqrt(np.sum(zc * zc) / self.X.shape[0] + self.eps)

    def evaluate(self, w: Any) -> Any:
        """``f(w)`` without input checks; analytic, so complex w is allowed (complex-step)."""
        value, _, _ = self._loss_derivatives(self.gamma * self.features(w) + self.beta)
        return np.mean(value)

    def value(self, w: ArrayLike) -> float:
        """``f(w)``."""
        return float(self.evaluate(self._checked(w)))

    def _parts(self, w: Any) -> tuple[Any, Any, Any, Any, Any]:
        n = self.X.shape[0]
        zc = self.Xc @ w
        s = np.sqrt(zc @ zc / n + self.eps)
        _, d1, d2 = self._loss_derivatives(self.gamma * zc / s + self.beta)
        return s, zc, self.A @ w, self.gamma * d1 / n, self.gamma**2 * d2 / n

    def _checked(self, w: ArrayLike) -> FloatArray:
        wv = as_vector(w, "w", size=self.d)
        zc = self.Xc @ wv
        spread = float(np.linalg.norm(zc))
        scale = float(np.linalg.norm(self.Xc)) * float(np.linalg.norm(wv))
        # ‖Xc·w‖ at rounding level (d·eps·‖Xc‖‖w‖): Xw is constant over the batch, the variance is 0
        if self.eps == 0 and is_zero_within_rounding(spread, self.d, scale):
            raise PreconditionError(
                f"BatchNormLoss needs Xw non-constant over the batch (or eps > 0); got variance 0 "
                f"(‖Xw − mean‖ = {spread:.3g}, rounding level of ‖Xc‖‖w‖ = {scale:.3g}) at w = {wv}"
            )
        return wv

    def evaluate_grad(self, w: Any) -> Any:
        """``∇f(w)`` without input checks; analytic in w (complex-step differentiable)."""
        s, zc, p, g, _ = self._parts(w)
        return self.Xc.T @ g / s - (g @ zc) * p / s**3

    def grad(self, w: ArrayLike) -> FloatArray:
        """``∇f(w) = Xcᵀg/s − (gᵀXcw)Aw/s³`` (chain rule, see the class docstring)."""
        return np.asarray(self.evaluate_grad(self._checked(w)), dtype=np.float64)

    def hess(self, w: ArrayLike) -> FloatArray:
        """``∇²f(w)`` (chain rule to second order, see the class docstring)."""
        s, zc, p, g, dd = self._parts(self._checked(w))
        J = self.Xc / s - np.outer(zc, p) / s**3
        r = self.Xc.T @ g
        m = float(g @ zc)
        return (
            (J.T * dd) @ J
            - (np.outer(r, p) + np.outer(p, r)) / s**3
            - m * self.A / s**3
            + 3.0 * m * np.outer(p, p) / s**5
        )


class SphereFunction:
    """``f(w) = g(w/‖w‖)`` with ``g(u) = ½uᵀAu + bᵀu + Σ_k sin(c_kᵀu)`` (A symmetric, c_k rows of C).

    Scale-invariant by construction, and every scale-invariant f is of this form (take g = f: the
    choice c = 1/‖w‖ gives ``f(w) = f(w/‖w‖)``). With ``u = w/r``, ``P = I − uuᵀ``, ``q = ∇g(u)``:
    ``∇f = Pq/r`` and ``∇²f = (P∇²g P − u(Pq)ᵀ − (Pq)uᵀ − (uᵀq)P)/r²`` (chain rule through
    ``∂u/∂w = P/r``).
    """

    def __init__(self, A: ArrayLike, b: ArrayLike, C: ArrayLike) -> None:
        self.A = as_matrix(A, "A", square=True)
        self.d = self.A.shape[0]
        asym = float(np.max(np.abs(self.A - self.A.T)))
        if asym > symmetric_tolerance(self.A):
            raise InputError(f"A must be symmetric; max|A − Aᵀ| = {asym:.3g}")
        self.b = as_vector(b, "b", size=self.d)
        self.C = as_matrix(C, "C")
        if self.C.shape[1] != self.d:
            raise InputError(f"C must have {self.d} columns; got shape {self.C.shape}")
        #: no design to amplify rounding: the evaluation condition is 1
        self.condition = 1.0
        self.size = max(self.d, self.C.shape[0])

    def value_scale(self, w: ArrayLike) -> float:
        """``½|uᵀAu| + |bᵀu| + Σ|sin(c_kᵀu)|``: the sum of the absolute terms of g, f's rounding scale."""
        u, _ = direction(as_vector(w, "w", size=self.d))
        return float(0.5 * abs(u @ self.A @ u) + abs(self.b @ u) + np.sum(np.abs(np.sin(self.C @ u))))

    @classmethod
    def random(cls, rng: np.random.Generator, d: int, k: int = 3) -> SphereFunction:
        """Standard-normal b and C (k×d), A = (M + Mᵀ)/2 with M standard normal."""
        M = rng.standard_normal((d, d))
        return cls((M + M.T) / 2, rng.standard_normal(d), rng.standard_normal((k, d)))

    def evaluate(self, w: Any) -> Any:
        """``f(w)`` without input checks; analytic, so complex w is allowed (complex-step)."""
        u = w / _norm(w)
        return 0.5 * u @ self.A @ u + self.b @ u + np.sum(np.sin(self.C @ u))

    def value(self, w: ArrayLike) -> float:
        """``f(w)``."""
        u, r = direction(as_vector(w, "w", size=self.d))
        return float(self.evaluate(u * r))

    def _g(self, u: Any) -> tuple[Any, Any]:
        cu = self.C @ u
        q = self.A @ u + self.b + self.C.T @ np.cos(cu)
        G = self.A - (self.C.T * np.sin(cu)) @ self.C
        return q, G

    def evaluate_grad(self, w: Any) -> Any:
        """``∇f(w)`` without input checks; analytic in w (complex-step differentiable)."""
        r = _norm(w)
        u = w / r
        q, _ = self._g(u)
        return (q - u * (u @ q)) / r

    def grad(self, w: ArrayLike) -> FloatArray:
        """``∇f(w) = (I − uuᵀ)∇g(u)/‖w‖``."""
        wv = as_vector(w, "w", size=self.d)
        direction(wv)  # refuses w = 0, where f is undefined
        return np.asarray(self.evaluate_grad(wv), dtype=np.float64)

    def hess(self, w: ArrayLike) -> FloatArray:
        """``∇²f(w) = (P∇²g P − u(Pq)ᵀ − (Pq)uᵀ − (uᵀq)P)/‖w‖²``."""
        u, r = direction(as_vector(w, "w", size=self.d))
        q, G = self._g(u)
        P = np.eye(self.d) - np.outer(u, u)
        pq = P @ q
        return (P @ G @ P - np.outer(u, pq) - np.outer(pq, u) - float(u @ q) * P) / r**2
