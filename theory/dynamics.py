"""Gradient descent and early stopping on the quadratic model, in closed form per eigendirection.

GD with weight decay on ``J(w) + (α/2)‖w‖²``, ``J(w) = ½(w − w*)ᵀH(w − w*)``, is the linear iteration
``w ← w − ε(H(w − w*) + αw)``. In the eigenbasis ``H = QΛQᵀ`` it decouples into one scalar recurrence
per direction, whose error is multiplied by ``1 − ε(λ_i + α)`` each step. :class:`DynamicsMethods`
gives :class:`theory.quadratic.Quadratic` these methods; the derivations are in ``proofs/dynamics.py``,
and the catalogue ids are:

* ``es.trajectory`` (G 7.33–7.40), :meth:`~DynamicsMethods.gd_iterates`:
  ``w⁽τ⁾ − w̃ = (I − ε(H + αI))^τ(w⁽⁰⁾ − w̃)``; from 0 with α = 0, ``w⁽τ⁾ = Q[I − (I − εΛ)^τ]Qᵀw*``;
  :meth:`~DynamicsMethods.gradient_flow` is its ε → 0, ετ = t limit ``w(t) = Q[I − e^{−tΛ}]Qᵀw*``
  (the estimator compared with ridge in ``es.gf_vs_ridge``, Ali, Kolter & Tibshirani 2019), and
  :meth:`~DynamicsMethods.simulate_gd` is the plain loop, the independent route;
* ``gd.stability``, :meth:`~DynamicsMethods.max_stable_step` and :meth:`~DynamicsMethods.gd_limit`:
  GD converges from every start iff ``0 < ε < 2/(λ_max + α)``, to the ridge optimum for α > 0;
* ``gd.min_norm``, :meth:`~DynamicsMethods.gd_limit` with α = 0: on least squares the limit is
  ``X⁺y + (I − X⁺X)w⁽⁰⁾``;
* ``es.nonzero_init`` (G footnote to 7.40): from ``w⁽⁰⁾ ≠ 0`` the iterate is L2 centred at ``w⁽⁰⁾``;
* ``es.equivalence`` (G 7.41–7.43), :meth:`~DynamicsMethods.early_stopping_alpha`: the GD iterate is
  the generalised ridge with ``α_i = λ_i(1 − ελ_i)^τ/(1 − (1 − ελ_i)^τ)``
  (``es.gd_generalized_ridge``, Ali et al. 2019, supplement Lemma 3);
* ``es.approx`` (G 7.44–7.45), :meth:`~DynamicsMethods.early_stopping_alpha_series` and
  :meth:`~DynamicsMethods.early_stopping_approx_error`: ``α_i = 1/(ετ) − λ_i(τ + 1)/(2τ) + O(λ_i²)``.

Every method operates on the base's eigenbasis (:class:`theory._eigenbasis.QuadraticBase`): the
per-direction factors use its λ, Q and ``b = λ·Qᵀw*``; nothing here decomposes H.
:meth:`~DynamicsMethods.simulate_gd` uses only products with H.

"G" is Goodfellow, Bengio & Courville, *Deep Learning* (2016).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from theory._eigenbasis import FloatArray, QuadraticBase
from theory.errors import InputError, PreconditionError, StabilityError
from theory.numerics import gd_fraction_done
from theory.resources import array_bytes, check_allocation
from theory.validate import as_nonneg_float, as_positive_float, as_steps, as_vector

__all__ = ["DynamicsMethods"]


class DynamicsMethods(QuadraticBase):
    """Gradient-descent and early-stopping methods of :class:`theory.quadratic.Quadratic` (gd.*, es.*),
    over the shared eigenbasis of :class:`theory._eigenbasis.QuadraticBase`."""

    # ------------------------------------------------------------------ gradient descent

    def max_stable_step(self, alpha: float = 0.0) -> float:
        """``2/(λ_max + α)``: GD on ``J + (α/2)‖w‖²`` converges iff ``0 < ε <`` this (gd.stability).

        For ``H = 0`` (every eigenvalue zero within rounding) and α = 0 the gradient is identically 0, GD
        never moves and every step is stable: the bound is ``2/0 = +inf``.

        Raises:
            PreconditionError: ``λ_max + α < 0`` (every direction grows: no step is stable), or
                ``λ_max + α = 0`` with a negative eigenvalue.
        """
        a = as_nonneg_float(alpha, "alpha", where="gd.stability")
        top = self._lam_hi + a
        if top == 0 and self._lam_lo == 0:  # exact: λ is 0 after rounding-to-zero, α = 0
            return math.inf
        if top <= 0:
            raise PreconditionError(f"gd.stability needs λ_max + α > 0; λ_max = {self._lam_hi:.6g}, α = {a}")
        return 2.0 / top

    def _gd_setup(
        self, eps: float, alpha: float, w0: ArrayLike | None, where: str
    ) -> tuple[float, float, FloatArray, FloatArray, FloatArray]:
        """(ε, α, w⁽⁰⁾, Qᵀ(fixed point − w⁽⁰⁾), x_i = ε(λ_i + α)): what GD from w⁽⁰⁾ needs.

        The per-direction rate is ``1 − x_i``; x is returned, not the rate, because rounding ``1 − x``
        loses ``log10(1/x)`` digits of x (see :func:`theory.numerics.gd_fraction_done`).
        """
        e = as_positive_float(eps, "eps", where=where)
        a = as_nonneg_float(alpha, "alpha", where=where)
        start = np.zeros(self.d, dtype=self.dtype) if w0 is None else self._vector(w0, "w0")
        den = self._lam + a
        if a > 0 and not self._positive_shift(self._lam, a).all() and (np.abs(den) <= self._zero_tol).any():
            i = int(np.argmin(np.abs(den)))
            raise PreconditionError(
                f"{where} needs H + αI invertible; λ_{i} + α = {self._lam[i]:.6g} + {a} is zero within the "
                f"rounding {self._zero_tol:.3g} of the eigenvalues"
            )
        # the fixed point is w* for α = 0 (the gap Qᵀ(w* − w⁽⁰⁾) taken before rotating, to keep
        # precision), and w̃(α) = Q(λ/(λ + α))c for α > 0
        if a == 0 and self._given_w_star:
            gap = self._Q.T @ (self.w_star - start)
        else:  # b/(λ + α), with c = b/λ on range(H) and 0 on its null space at α = 0
            gap = self._b_over(a) - self._Q.T @ start
        return e, a, start, gap, e * den

    def _check_trajectory(self, k: int, where: str) -> None:
        """Count a k-point trajectory before any of it is made: the k×d output and the k×m work arrays
        (the per-direction factors, their product with the gap, and a temporary of forming them)."""
        m = self._Q.shape[1] + 1
        check_allocation(
            array_bytes((k, self.d), self.dtype) + 3 * array_bytes((k, m), self.dtype),
            f"{where}: {k} points × {self.d} weights ({self.dtype}) and 3 work arrays of {k}×{m}",
            hint="ask for fewer times per call",
        )

    def _trajectory(
        self, coef: FloatArray, start: FloatArray, complement_done: FloatArray | None, where: str
    ) -> FloatArray:
        """``w⁽⁰⁾ + coef·Qᵀ − done_⊥ ⊗ (I − QQᵀ)w⁽⁰⁾``, k×d (the caller checks: :meth:`_check_trajectory`).

        ``complement_done`` (k values) is how far the complement part of w⁽⁰⁾ has decayed toward 0 (the
        weight decay alone acts there on a thin basis); ``None`` when there is nothing to move.
        """
        if complement_done is not None and self._thin and start.any():
            perp = self._perp(start)
            coef = np.hstack([coef, -complement_done[:, None]])
            out = coef @ np.vstack([self._Q.T, perp[None, :]])
        else:
            out = coef @ self._Q.T
        # w⁽⁰⁾ is added in the original basis: τ = 0 returns it exactly, not Q(Qᵀw⁽⁰⁾)
        out += start
        return out

    def gd_iterates(
        self, eps: float, taus: ArrayLike, w0: ArrayLike | None = None, alpha: float = 0.0
    ) -> FloatArray:
        """GD iterates on ``J + (α/2)‖w‖²`` in closed form, shape (len(taus), d).

        ``w⁽τ⁾ − w̃ = (I − ε(H + αI))^τ (w⁽⁰⁾ − w̃)`` (es.trajectory, G 7.33–7.40; with α = 0 and
        ``w⁽⁰⁾ = 0``: ``w⁽τ⁾ = Q[I − (I − εΛ)^τ]Qᵀw*``, G 7.40). Computed per eigendirection, then one
        (k×d)·(d×d) product. ``taus`` are non-negative integers (a scalar gives one row).

        Written as ``w⁽τ⁾ = w⁽⁰⁾ + Q[1 − r^τ]Qᵀ(w̃ − w⁽⁰⁾)``, ``r = 1 − x_i``, ``x_i = ε(λ_i + α)`` per
        direction, with ``1 − r^τ = −expm1(τ·log1p(−x_i))`` when x_i < 1, taken from the product x_i
        itself (:func:`theory.numerics.gd_fraction_done`): the naive ``z̃ − r^τz̃`` loses
        ``log10(1/(ελτ))`` digits to cancellation, and even ``log1p(r − 1)`` loses ``log10(1/(ελ))``
        because ``r`` is rounded first. The factor is accurate to ``eps·(κ + 2.5)`` relative,
        ``κ = x/((1 − x)|log1p(−x)|)``, for every τ (:func:`theory.numerics.gd_fraction_done_tolerance`;
        tested against a 50-digit mpmath reference down to ελ = 1e-12).

        On a thin (Gram-route) basis the complement part of w⁽⁰⁾ is multiplied by ``(1 − εα)^τ``.

        Raises:
            StabilityError: an iterate overflows (ε beyond :meth:`max_stable_step` and τ large).
            ResourceError: the k×d output exceeds the memory limit.
        """
        steps = as_steps(taus, "taus")
        e, a, start, gap, x = self._gd_setup(eps, alpha, w0, "es.trajectory")
        self._check_trajectory(steps.size, "es.trajectory")
        t = steps[:, None].astype(self.dtype)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            done = gd_fraction_done(x, t)
            # on a thin basis the complement of w⁽⁰⁾ (H = 0 there) is multiplied by (1 − εα)^τ
            perp_done = gd_fraction_done(np.asarray(e * a, dtype=self.dtype), t[:, 0]) if a > 0 else None
            out = self._trajectory(done * gap, start, perp_done, "es.trajectory")
        if not np.isfinite(out).all():
            raise StabilityError(
                f"es.trajectory: GD iterates overflow at τ = {int(steps.max())}: ε = {eps} is beyond the "
                f"stability bound 2/(λ_max + α) = {self.max_stable_step(alpha):.6g} (gd.stability)"
            )
        return out

    def gradient_flow(self, t: ArrayLike, w0: ArrayLike | None = None, alpha: float = 0.0) -> FloatArray:
        """Gradient flow ``ẇ = −∇(J + (α/2)‖w‖²)`` at times ``t``, shape (len(t), d).

        ``w(t) = w̃ + Q e^{−t(Λ + αI)} Qᵀ(w⁽⁰⁾ − w̃)``; from 0 with α = 0, ``w(t) = Q[I − e^{−tΛ}]Qᵀw*``:
        the ε → 0, ετ = t limit of :meth:`gd_iterates` (es.trajectory; the estimator of Ali, Kolter &
        Tibshirani 2019, es.gf_vs_ridge). Along q_i it keeps ``1 − e^{−λ_i t}`` of w*, against ridge's
        ``λ_i/(λ_i + 1/t)``. On a thin basis the complement part of w⁽⁰⁾ is multiplied by ``e^{−αt}``.
        """
        times = as_vector(np.atleast_1d(np.asarray(t, dtype=float)), "t", dtype=self.dtype)
        if (times < 0).any():
            raise PreconditionError(f"gradient flow needs t ≥ 0; got t = {times[times < 0][0]}")
        # the step size only enters through rate, which the flow does not use
        _, a, start, gap, _ = self._gd_setup(1.0, alpha, w0, "es.trajectory")
        self._check_trajectory(times.size, "gradient_flow")
        done = -np.expm1(-times[:, None] * (self._lam + a))
        perp_done = -np.expm1(-times * a) if a > 0 else None
        return self._trajectory(done * gap, start, perp_done, "gradient_flow")

    def simulate_gd(
        self, eps: float, taus: ArrayLike, w0: ArrayLike | None = None, alpha: float = 0.0
    ) -> FloatArray:
        """The plain loop ``w ← w − ε(H(w − w*) + αw)`` (l2.update, G 7.5), recorded at ``taus``.

        The independent route for :meth:`gd_iterates`: max(taus) matrix-vector products.
        """
        steps = as_steps(taus, "taus")
        e = as_positive_float(eps, "eps", where="l2.update")
        a = as_nonneg_float(alpha, "alpha", where="l2.update")
        w = np.zeros(self.d, dtype=self.dtype) if w0 is None else self._vector(w0, "w0").copy()
        check_allocation(  # the k×d record, and the k-long sort order of the steps
            array_bytes((steps.size, self.d), self.dtype) + array_bytes(steps.size, np.intp),
            f"simulate_gd: {steps.size} recorded iterates × {self.d} weights ({self.dtype})",
            hint="ask for fewer times per call",
        )
        out = np.empty((steps.size, self.d), dtype=self.dtype)
        order = np.argsort(steps, kind="stable")  # fill the rows in step order, each as its τ is reached
        hv = self._hv_many()
        pos = 0
        for tau in range(int(steps.max()) + 1):
            if tau > 0:
                grad = hv(w - self.w_star) if self._given_w_star else hv(w) - self._hws
                w = (1.0 - e * a) * w - e * grad
            while pos < order.size and steps[order[pos]] == tau:
                out[order[pos]] = w
                pos += 1
        return out

    def gd_limit(self, eps: float, w0: ArrayLike | None = None, alpha: float = 0.0) -> FloatArray:
        """``lim_{τ→∞} w⁽τ⁾`` of GD on ``J + (α/2)‖w‖²`` from ``w⁽⁰⁾``.

        The iteration is ``w ← w − ε(H(w − w*) + αw)``: per eigendirection the error is multiplied by
        ``1 − ε(λ_i + α)`` each step, so (gd.stability, G 7.33–7.40):

        * α > 0 and ``H + αI ≻ 0`` (any α > 0 for PSD H; α > −λ_min for an indefinite one): the limit is
          the ridge optimum w̃(α) = :meth:`l2_optimum` (α) for every ``0 < ε < 2/(λ_max + α)``, whatever
          ``w⁽⁰⁾``;
        * α = 0 and singular PSD H: a direction with λ_i = 0 has zero gradient and keeps its ``w⁽⁰⁾``
          component, so the limit is ``w* + (I − H⁺H)(w⁽⁰⁾ − w*)``; on least squares with the
          minimum-norm w* that is ``X⁺y + (I − X⁺X)w⁽⁰⁾`` (gd.min_norm); for H = 0 it is ``w⁽⁰⁾`` for
          every ε (:meth:`max_stable_step` is +inf).

        On a thin (Gram-route) basis the complement part of ``w⁽⁰⁾`` is kept for α = 0 and decays to 0
        for α > 0.

        Scale: ε is the step on J itself. For :meth:`from_regression` (``H = XᵀX/n``) that is GD on the
        mean loss ``(1/2n)‖Xw − y‖²``, ``w ← w − (ε/n)Xᵀ(Xw − y)``, stable for ``ε < 2/λ_max(XᵀX/n)``
        (:func:`theory.regression.max_stable_step`); on ``½‖Xw − y‖²`` the same ε is n times larger.

        Raises:
            PreconditionError: ``H + αI`` has an eigenvalue ≤ 0 beyond rounding while H has a negative
                one (GD diverges along it, or drifts under a constant gradient when it is 0).
            StabilityError: ε ≥ 2/(λ_max + α) (gd.stability): GD does not converge.
        """
        e, a, start, gap, _ = self._gd_setup(eps, alpha, w0, "gd.stability")
        if self._indefinite and not bool(self._positive_shift(self._lam[:1], a)[0]):
            raise PreconditionError(
                f"gd.stability needs H + αI ≻ 0 for a limit when H is indefinite; λ_min + α = "
                f"{self._lam_lo:.6g} + {a} = {self._lam_lo + a:.6g}"
            )
        bound = self.max_stable_step(a)
        if not e < bound:
            raise StabilityError(
                f"gd.stability: GD converges only for 0 < ε < 2/(λ_max + α) = {bound:.6g}; got ε = {e}"
            )
        # here every λ_i + α > 0 except, for α = 0, the λ_i that are exactly 0 (rounded to 0 in
        # __init__): those directions have zero gradient and keep their w⁽⁰⁾ component
        moving = (self._lam + a) > 0
        out = start + self._Q @ np.where(moving, gap, 0.0)
        if self._thin and a > 0:  # the complement of a thin basis decays to 0 under α > 0 alone
            out -= self._perp(start)
        return out

    # ------------------------------------------------------------------ early stopping ⇔ L2

    def _es_setup(self, eps: float, tau: int, where: str) -> tuple[float, int, FloatArray]:
        e = as_positive_float(eps, "eps", where=where)
        steps = as_steps(tau, "tau")
        if steps.size != 1:
            raise InputError(f"{where}: tau must be one step count; got {steps.size} values")
        t = int(steps[0])
        if t < 1:
            raise PreconditionError(f"{where} needs τ ≥ 1 (at τ = 0 the equivalent α is ∞); got τ = {t}")
        if self._indefinite:
            raise PreconditionError(f"{where} needs H ⪰ 0; smallest eigenvalue {self._lam_lo:.6g}")
        top = e * self._lam_hi
        if top >= 1:
            raise PreconditionError(
                f"{where} needs 0 < ελ_i < 1 for every i (monotone GD, G 7.41); ελ_max = {top:.6g}"
            )
        return e, t, self._lam

    def early_stopping_alpha(self, eps: float, tau: int) -> FloatArray:
        """Exact per-direction penalty ``α_i = λ_i(1 − ελ_i)^τ / (1 − (1 − ελ_i)^τ)`` (es.equivalence).

        With these α_i, ``generalized_ridge(α)`` equals ``gd_iterates(eps, tau)`` from 0 (G 7.41–7.43).
        A single α matches only a degenerate spectrum. Directions with λ_i = 0 get the λ → 0 limit
        ``1/(ετ)``; on a thin basis there is one α_i per stored direction, and the complement (λ = 0) has
        ``1/(ετ)`` too, which leaves GD's complement part (0 from w⁽⁰⁾ = 0) alone. Evaluated as
        ``λ·exp(τ·log1p(−ελ)) / −expm1(τ·log1p(−ελ))`` to keep precision when ελ ≪ 1.
        """
        e, t, lam = self._es_setup(eps, tau, "es.equivalence")
        log_r = t * np.log1p(-e * lam)
        den = -np.expm1(log_r)
        positive = lam > 0
        safe = np.where(positive, den, 1.0)
        return np.where(positive, lam * np.exp(log_r) / safe, 1.0 / (e * t))

    def early_stopping_alpha_series(self, eps: float, tau: int) -> FloatArray:
        """``α_i ≈ 1/(ετ) − λ_i(τ + 1)/(2τ)``: the series of α_i to first order in λ_i (es.approx)."""
        e, t, lam = self._es_setup(eps, tau, "es.approx")
        return 1.0 / (e * t) - lam * (t + 1) / (2.0 * t)

    def early_stopping_approx_error(self, eps: float, tau: int) -> FloatArray:
        """Relative error ``|1/(ετ) − α_i| / α_i`` of the rule τ ≈ 1/(εα) per direction (es.approx, G 7.45).

        To first order it is ``ελ_i(τ + 1)/2 = λ_i(τ + 1)/(2τα)`` with ``α = 1/(ετ)``, i.e. ``λ_i/(2α)`` for
        large τ: small only where λ_i ≪ α.
        """
        exact = self.early_stopping_alpha(eps, tau)
        return np.abs(1.0 / (float(eps) * int(np.asarray(tau))) - exact) / exact
