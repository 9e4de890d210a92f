"""What weight decay does to your own network, and whether the theory's assumptions hold there.

:func:`weight_decay_report` takes any ``nn.Module``, any loss callable ``loss_fn(outputs, targets)``
returning the batch mean, any data source (a DataLoader, a list of batches, one pair) and α, and

1. polishes the model to ``w̃(α)``, a minimiser of ``F_α(w) = L(w) + (α/2)·wᵀDw`` (``D`` the diagonal
   decay mask, from ``decay=`` or the optimiser's parameter groups), first by L-BFGS, then by the
   Newton–Lanczos trust-region method ``scipy.optimize.minimize(method="trust-krylov")`` with the
   Hessian-vector products of :mod:`theory.empirical.curvature` (a trust region copes with zero and
   negative curvature, where a line-search Newton step is undefined); progress is shown, Ctrl-C keeps
   the best iterate, and an unconverged run is returned with its reason, never thrown away;
2. measures the spectrum of ``H = ∇²L(w̃)`` (top-k and bottom eigenpairs, ARPACK), its density by
   stochastic Lanczos quadrature (Ubaru, Chen & Saad, "Fast estimation of tr(f(A)) via stochastic
   Lanczos quadrature", SIAM J. Matrix Anal. Appl. 2017) and the effective dimensionality
   ``Σ λ_i/(λ_i + α)`` (Maddox, Benton & Wilson, "Rethinking parameter counting in deep models", 2020);
3. predicts the path derivative (``l2.path_derivative``; implicit-function theorem applied to
   ``∇L(w̃) + αDw̃ = 0``)::

       dw̃/dα = −(H + αD)⁻¹ D w̃,

   solved by MINRES on Hessian-vector products (never a p×p matrix), and checks it against the
   measured move ``w̃(α + δα) − w̃(α)``, in total and along each top eigenvector;
4. trains the user's optimiser (its class and parameter groups, on a copy of the model) and compares
   its end point with ``w̃(α)``; for ``AdamW`` (decoupled decay) it says what that converges to;
5. reports the assumptions, measured: zero and negative curvature (counted against a rounding
   threshold), symmetry null spaces (the softmax shift), separable data, α against the spectrum, and
   the quadratic model's validity along the predicted step: ``ρ = ΔF / Δm`` (actual over
   model-predicted change of the objective, the ratio trust-region methods use; Nocedal & Wright,
   *Numerical Optimization*, 2nd ed., §4.1).

Theorem ids: ``l2.path_derivative``, ``l2.dof``, ``l2.eigen`` (``docs/reference.md``).
"""

from __future__ import annotations

import copy
import math
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.sparse.linalg

from theory.empirical import _common as C
from theory.empirical.curvature import (
    CurvatureOperator,
    EmpiricalWarning,
    call_model,
    hessian_operator,
    top_eigenpairs,
)
from theory.empirical.path import path_derivative
from theory.errors import InputError
from theory.numerics import relative_error, rounding_zero_tolerance
from theory.spectral import ritz_values

torch = C.torch

__all__ = [
    "RHO_BAND",
    "Assumption",
    "OptimizerComparison",
    "PolishResult",
    "SpectrumSummary",
    "WeightDecayReport",
    "decay_vector",
    "path_derivative_minres",
    "polish",
    "rho_holds",
    "ritz_bottom",
    "softmax_shift_basis",
    "weight_decay_report",
]

FloatArray = C.FloatArray

#: ρ inside this band counts as "the quadratic model holds along the predicted step". A reporting
#: convention, not a bound: trust-region methods call a step very successful from ρ > 3/4 (Nocedal &
#: Wright §4.1); the band is symmetric about 1 in that spirit.
RHO_BAND = (0.75, 1.25)


def rho_holds(rho: float) -> bool:
    """Whether ρ = actual/model-predicted change lies in :data:`RHO_BAND` (NaN: no)."""
    return bool(RHO_BAND[0] <= rho <= RHO_BAND[1])


# ----------------------------------------------------------------------------- objective and polish


def _value_grad(op: CurvatureOperator, theta: FloatArray) -> tuple[float, FloatArray]:
    """``(L(θ), ∇L(θ))`` in one pass over the data, through the operator (its mode and thread cap)."""
    op.set_theta(theta)
    return op.value_and_gradient()


def _hvp(op: CurvatureOperator, theta: FloatArray, v: FloatArray) -> FloatArray:
    op.set_theta(theta)
    return np.asarray(op.matvec(v), dtype=np.float64).ravel()


@dataclass(frozen=True, slots=True)
class PolishResult:
    """Outcome of :func:`polish`: the best iterate ``theta`` (lowest objective seen), its objective
    ``F_α``, data loss ``L``, gradient norm ``‖∇F_α‖``, ``converged`` (``‖∇F_α‖ ≤ gtol``), the
    ``reason`` in words, whether Ctrl-C ``interrupted`` it, and the work done."""

    theta: FloatArray
    objective: float
    loss: float
    grad_norm: float
    gtol: float
    converged: bool
    reason: str
    interrupted: bool
    evaluations: int
    hvps: int
    seconds: float


def polish(
    op: CurvatureOperator,
    alpha: float,
    decay: FloatArray,
    *,
    theta0: FloatArray | None = None,
    gtol: float = 1e-10,
    lbfgs_iter: int = 200,
    newton_iter: int = 20,
    progress: bool = True,
) -> PolishResult:
    """Minimise ``F_α(θ) = L(θ) + (α/2)·θᵀDθ`` from ``theta0`` (default: the model's parameters):
    L-BFGS (``lbfgs_iter`` iterations; 0 skips it), then inexact Newton steps ``(H + αD)s = −∇F`` by
    MINRES while they lower F (or, at a tie within rounding, ``‖∇F‖``), then ``trust-krylov`` with
    ``hessp = Hv + αDv`` if still not
    converged (a trust region copes with negative curvature). Never raises on non-convergence.

    The model is left at the best iterate. Ctrl-C stops it; the best iterate is kept and the
    ``reason`` says so.
    """
    d = np.asarray(decay, dtype=np.float64)
    x0 = op.theta() if theta0 is None else np.asarray(theta0, dtype=np.float64).copy()
    best: dict[str, Any] = {"f": math.inf, "x": x0.copy(), "g": math.inf, "L": math.nan}
    count = {"f": 0}
    hv0 = op.matvecs
    start = time.perf_counter()
    bar = _bar(progress, "polish to w̃(α)")

    def fun(x: FloatArray) -> tuple[float, FloatArray]:
        L, g = _value_grad(op, x)
        f = L + 0.5 * alpha * float(x @ (d * x))
        gf = g + alpha * d * x
        gn = float(np.linalg.norm(gf))
        count["f"] += 1
        # objective values within rounding of each other (the mean of N per-example losses is known to
        # about N·eps·|F|) tie; then the smaller gradient wins, so a Newton step that ends at rounding
        # level is kept
        tie = op.n_examples * op.precision * max(abs(f), abs(best["f"]) if math.isfinite(best["f"]) else 0.0)
        if f < best["f"] - tie or (f <= best["f"] + tie and gn < best["g"]):
            best.update(f=f, x=x.copy(), g=gn, L=L)
        if bar is not None:
            bar.set_postfix_str(f"F={best['f']:.10g} |∇F|={best['g']:.2e}", refresh=False)
            bar.update(1)
        return f, gf

    def hessp(x: FloatArray, v: FloatArray) -> FloatArray:
        return _hvp(op, x, v) + alpha * d * v

    def newton() -> None:
        """Inexact Newton steps (MINRES on H + αD, which needs no definiteness) while they improve."""
        for _ in range(newton_iter):
            if best["g"] <= gtol:
                return
            x = best["x"]
            _, gx = fun(x)
            A = scipy.sparse.linalg.LinearOperator(
                (x.size, x.size), matvec=lambda v, x=x: hessp(x, np.ravel(v)), dtype=np.float64
            )
            s, _ = scipy.sparse.linalg.minres(A, -gx, rtol=1e-6, maxiter=2 * x.size)
            fun(x + s)
            if best["x"] is x:  # no lower F (nor, at a tie within rounding, smaller ‖∇F‖)
                return

    reason, interrupted = "", False
    try:
        if lbfgs_iter > 0:
            res = scipy.optimize.minimize(
                fun, x0, jac=True, method="L-BFGS-B", options={"maxiter": lbfgs_iter, "gtol": gtol}
            )
            reason = str(res.message)
        else:
            fun(x0)
        newton()
        if best["g"] > gtol:
            with warnings.catch_warnings(), np.errstate(invalid="ignore"):
                # trust-krylov's subproblem solver warns on a NaN it then rejects: not the user's business
                warnings.simplefilter("ignore", RuntimeWarning)
                res = scipy.optimize.minimize(
                    fun, best["x"], jac=True, hessp=hessp, method="trust-krylov",
                    options={"maxiter": newton_iter, "gtol": gtol},
                )  # fmt: skip
            reason = str(res.message)
            newton()  # the trust region stalls at rounding level near a singular H + αD; Newton does not
        reason = "converged" if best["g"] <= gtol else (reason or "not converged")
    except KeyboardInterrupt:
        interrupted = True
        reason = f"interrupted (Ctrl-C) after {count['f']} evaluations; the best iterate is kept"
    finally:
        if bar is not None:
            bar.close()
    op.set_theta(best["x"])
    converged = bool(best["g"] <= gtol)
    if not converged and not interrupted:
        reason = f"not converged: ‖∇F‖ = {best['g']:.3g} > gtol = {gtol:.3g} ({reason})"
    return PolishResult(
        best["x"], float(best["f"]), float(best["L"]), float(best["g"]), gtol, converged,
        reason, interrupted, count["f"], op.matvecs - hv0, time.perf_counter() - start,
    )  # fmt: skip


def _bar(progress: bool, desc: str) -> Any:
    """A tqdm bar on stderr, or ``None`` when ``progress`` is off or stderr is not a terminal."""
    if not progress or not sys.stderr.isatty():
        return None
    from tqdm.auto import tqdm

    return tqdm(desc=desc, unit="eval", leave=False)


# ----------------------------------------------------------------------------- decay mask


def decay_vector(op: CurvatureOperator, decay: Any, alpha: float) -> FloatArray:
    """The diagonal ``D`` of the penalty ``(α/2)·θᵀDθ``, one entry per selected parameter.

    ``decay`` is ``"all"`` (D = I, torch's ``weight_decay`` on every parameter), ``"weights"``
    (tensors with ≥ 2 dimensions decayed, biases and norms not), a dict ``name → factor``, a
    callable ``(name, parameter) → factor``, a flat array of length p, or a torch optimiser whose
    parameter groups carry ``weight_decay`` (then ``D = weight_decay_group / α``).
    """
    named = dict(op.model.named_parameters())
    params = [named[n] for n in op.names]
    if isinstance(decay, torch.optim.Optimizer):
        wd = {id(p): float(g.get("weight_decay", 0.0)) for g in decay.param_groups for p in g["params"]}
        missing = [n for n, p in zip(op.names, params, strict=True) if id(p) not in wd]
        if missing:
            raise InputError(f"the optimiser does not hold the parameters {missing}")
        factors = [wd[id(p)] / alpha for p in params]
    elif isinstance(decay, str):
        if decay not in ("all", "weights"):
            raise InputError(f"decay must be 'all', 'weights', a dict, a callable or an array; got {decay!r}")
        factors = [1.0 if (decay == "all" or p.ndim >= 2) else 0.0 for p in params]
    elif isinstance(decay, dict):
        unknown = set(decay) - set(op.names)
        if unknown:
            raise InputError(f"decay names unknown parameters {sorted(unknown)}")
        factors = [float(decay.get(n, 0.0)) for n in op.names]
    elif callable(decay):
        factors = [float(decay(n, p)) for n, p in zip(op.names, params, strict=True)]
    else:
        arr = np.asarray(decay, dtype=np.float64).ravel()
        if arr.shape != (op.dim,):
            raise InputError(f"a decay array must have length p = {op.dim}; got shape {arr.shape}")
        if np.any(arr < 0) or not np.all(np.isfinite(arr)):
            raise InputError("decay factors must be finite and ≥ 0")
        return arr
    if any(f < 0 or not math.isfinite(f) for f in factors):
        raise InputError(f"decay factors must be finite and ≥ 0; got {factors}")
    return np.concatenate([np.full(s, f) for s, f in zip(op.sizes, factors, strict=True)])


# ----------------------------------------------------------------------------- spectrum


def ritz_bottom(
    matvec: Callable[[FloatArray], FloatArray], p: int, k: int, *, steps: int = 60, seed: int = 0
) -> tuple[FloatArray, FloatArray]:
    """The ``k`` smallest Ritz values of ``steps`` Lanczos steps and their residual norms
    (:func:`theory.spectral.ritz_values`)."""
    return ritz_values(matvec, k, steps=min(steps, p), which="SA", dim=p, seed=seed)


@dataclass(frozen=True, slots=True)
class SpectrumSummary:
    """The spectrum of ``H = ∇²L(w̃)``: top eigenvalues (``which="LA"``) with residuals, the bottom
    ones (``"SA"``, after shifting the verified symmetry null space out of the way) and those of
    ``H + αD``; the zero threshold; counts; SLQ nodes/weights; the effective dimensionality
    ``Σ λ_i/(λ_i + α)`` with its standard error over the probes."""

    top: FloatArray
    top_residuals: FloatArray
    bottom: FloatArray
    bottom_residuals: FloatArray
    bottom_penalised: FloatArray
    zero_threshold: float
    n_zero: int
    n_negative: int
    n_below_alpha: int
    slq_nodes: FloatArray
    slq_weights: FloatArray
    effective_dim: float
    effective_dim_se: float
    fraction_below_alpha: float
    matvecs: int
    density: Any = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Assumption:
    """One assumption of the theory, measured: ``holds`` is True/False, or None when not testable
    here (then ``detail`` says why)."""

    name: str
    holds: bool | None
    detail: str
    numbers: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OptimizerComparison:
    """The user's optimiser trained on a copy of the model, against ``w̃(α)``.

    ``distance``: ``‖P(θ_opt − w̃)‖/‖Pw̃‖`` (P projects out the undecayed symmetry null space);
    ``objective_gap``: ``F_α(θ_opt) − F_α(w̃)``; ``l2_residual`` and ``adamw_residual``: the
    relative stationarity residuals of ``∇L + αDθ = 0`` and, per coordinate with the group's decay
    λ, of AdamW's full-batch fixed point ``g + λθ(|g| + ε) = 0`` (Loshchilov & Hutter 2019).
    """

    name: str
    decoupled: bool
    groups: list[dict[str, float]]
    epochs: int
    distance: float
    objective_gap: float
    l2_residual: float
    adamw_residual: float
    converges_to: str


@dataclass(frozen=True, slots=True)
class WeightDecayReport:
    """Everything :func:`weight_decay_report` measured (``to_dict()`` for JSON, ``render()`` for text)."""

    alpha: float
    delta_alpha: float
    n_params: int
    n_examples: int
    precision: float
    polish: PolishResult
    polish_next: PolishResult
    spectrum: SpectrumSummary
    theta: FloatArray
    decay: FloatArray
    predicted_derivative: FloatArray
    minres_residual: float
    minres_matvecs: int
    predicted_change: FloatArray
    measured_change: FloatArray
    relative_error: float
    top_vectors: FloatArray
    predicted_along: FloatArray
    measured_along: FloatArray
    rho: float
    null_space_dim: int
    null_space_undecayed: int
    train_accuracy: float | None
    assumptions: list[Assumption]
    optimizer: OptimizerComparison | None
    seconds: float

    @property
    def failed(self) -> list[Assumption]:
        """The assumptions measured to fail."""
        return [a for a in self.assumptions if a.holds is False]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (arrays become lists; the p×k eigenvectors and θ are left out)."""
        out: dict[str, Any] = {}
        for key in self.__slots__:
            if key in ("top_vectors", "theta", "decay", "predicted_derivative"):
                continue
            out[key] = _jsonable(getattr(self, key))
        out["failed"] = [a.name for a in self.failed]
        return out

    def render(self, width: int = 110) -> str:
        """A readable text rendering (rich tables)."""
        import io

        from rich.console import Console
        from rich.table import Table

        con = Console(record=True, width=width, file=io.StringIO())
        s = self.spectrum
        head = Table(
            title=f"weight-decay report: α = {self.alpha:.4g}, p = {self.n_params}, N = {self.n_examples}"
        )
        head.add_column("quantity")
        head.add_column("value")
        head.add_row(
            "w̃(α) polish",
            f"F = {self.polish.objective:.8g}, ‖∇F‖ = {self.polish.grad_norm:.2e}; "
            f"{'converged' if self.polish.converged else self.polish.reason}",
        )
        head.add_row("top eigenvalues of H", ", ".join(f"{v:.4g}" for v in s.top))
        head.add_row(
            "bottom eigenvalues of H",
            ", ".join(f"{v:.3g}" for v in s.bottom)
            + f" (Ritz values; |λ| ≤ {s.zero_threshold:.1e} counts as zero)",
        )
        head.add_row("bottom of H + αD", ", ".join(f"{v:.3g}" for v in s.bottom_penalised))
        head.add_row(
            "effective dimensionality Σλ⁺/(λ⁺+α)",
            f"{s.effective_dim:.1f} ± {s.effective_dim_se:.1f} of {self.n_params}",
        )
        head.add_row(
            "dw̃/dα (MINRES)",
            f"‖·‖ = {np.linalg.norm(self.predicted_derivative):.4g}, residual {self.minres_residual:.1e}, "
            f"{self.minres_matvecs} HVPs",
        )
        head.add_row(
            f"change α → α + {self.delta_alpha:.3g}",
            f"relative error predicted vs measured {self.relative_error:.2e}; ρ = {self.rho:.4f}",
        )
        if self.optimizer is not None:
            o = self.optimizer
            head.add_row(
                f"{o.name} ({o.epochs} epochs)",
                f"‖θ − w̃‖/‖w̃‖ = {o.distance:.3g}, F gap {o.objective_gap:.3g}; {o.converges_to}",
            )
        con.print(head)
        along = Table(title="change along the top eigenvectors q_i of H")
        for col in ("i", "λ_i", "predicted q_iᵀΔw̃", "measured", "ratio"):
            along.add_column(col)
        for i, lam in enumerate(s.top):
            p_, m_ = self.predicted_along[i], self.measured_along[i]
            along.add_row(str(i + 1), f"{lam:.4g}", f"{p_:.4e}", f"{m_:.4e}", f"{m_ / p_:.4f}" if p_ else "—")
        con.print(along)
        ass = Table(title="assumptions, measured")
        for col in ("assumption", "holds", "numbers"):
            ass.add_column(col)
        for a in self.assumptions:
            mark = {True: "yes", False: "NO", None: "n/a"}[a.holds]
            ass.add_row(a.name, mark, a.detail)
        con.print(ass)
        return con.export_text()


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return [_jsonable(x) for x in v.tolist()] if v.ndim else _jsonable(v.item())
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, (np.floating, np.integer)):
        return _jsonable(v.item())
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if hasattr(v, "__dataclass_fields__"):
        return {k: _jsonable(getattr(v, k)) for k in v.__dataclass_fields__ if k not in ("theta", "density")}
    return v


# ----------------------------------------------------------------------------- symmetry, separability


def _final_linears(op: CurvatureOperator, n_out: int) -> list[str]:
    """Names of ``nn.Linear`` modules with ``n_out`` outputs whose weight is a selected parameter."""
    return [
        name
        for name, mod in op.model.named_modules()
        if isinstance(mod, torch.nn.Linear) and mod.out_features == n_out and f"{name}.weight" in op.names
    ]


def softmax_shift_basis(op: CurvatureOperator, n_out: int) -> tuple[FloatArray, list[str]]:
    """Orthonormal candidate directions of the softmax shift: adding one number to every logit leaves
    cross-entropy unchanged, so for a final ``Linear(F, C)`` the moves ``b → b + c·1`` and
    ``W → W + 1·rᵀ`` (r ∈ ℝ^F) are ``F + 1`` flat directions. Returns ``(U (p, m), labels)``; the
    caller verifies ``HU ≈ 0`` (a loss without the symmetry fails that test)."""
    offsets = np.cumsum([0, *op.sizes])
    index = {n: i for i, n in enumerate(op.names)}
    cols, labels = [], []
    for name in _final_linears(op, n_out):
        w = index[f"{name}.weight"]
        C_, F = op.shapes[w]
        for j in range(F):
            u = np.zeros(op.dim)
            u[offsets[w] + np.arange(C_) * F + j] = 1.0 / math.sqrt(C_)
            cols.append(u)
            labels.append(f"{name}.weight[:, {j}]")
        b = index.get(f"{name}.bias")
        if b is not None:
            u = np.zeros(op.dim)
            u[offsets[b] : offsets[b + 1]] = 1.0 / math.sqrt(C_)
            cols.append(u)
            labels.append(f"{name}.bias")
    return (np.array(cols).T if cols else np.zeros((op.dim, 0))), labels


def _features(op: CurvatureOperator, layer: str) -> tuple[Any, Any]:
    """Inputs of module ``layer`` and the targets, over the whole data (one pass, no grad)."""
    mod = dict(op.model.named_modules())[layer]
    feats: list[Any] = []
    handle = mod.register_forward_hook(lambda _m, inp, _o: feats.append(inp[0].detach()))
    ys = []
    try:
        with torch.no_grad():
            for x, y, _ in op.batches():
                op.outputs(x)
                ys.append(y)
    finally:
        handle.remove()
    return torch.cat(feats), torch.cat(ys)


def separable_lp(H: FloatArray, y: FloatArray, classes: int) -> tuple[bool, FloatArray | None, str]:
    """Linear-programming test of multiclass linear separability of features ``H`` (N, F): is there
    ``(W, b)`` with ``(w_y − w_j)·h + b_y − b_j ≥ 1`` for every example and every ``j ≠ y``? (HiGHS via
    ``scipy.optimize.linprog``; feasible ⇔ separable.) Returns ``(separable, [W | b] or None, status)``."""
    import scipy.sparse

    N, F = H.shape
    Hb = np.hstack([H, np.ones((N, 1))])
    rows, cols, vals = [], [], []
    r = 0
    for n in range(N):
        yn = int(y[n])
        for j in range(classes):
            if j == yn:
                continue
            for c, sign in ((yn, -1.0), (j, 1.0)):  # −(w_y − w_j)·h ≤ −1
                rows.append(np.full(F + 1, r))
                cols.append(c * (F + 1) + np.arange(F + 1))
                vals.append(sign * Hb[n])
            r += 1
    A = scipy.sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, classes * (F + 1))
    )
    res = scipy.optimize.linprog(
        np.zeros(classes * (F + 1)), A_ub=A, b_ub=-np.ones(r), bounds=(None, None), method="highs"
    )
    if res.status == 0:
        return True, res.x.reshape(classes, F + 1), "feasible"
    return False, None, str(res.message)


# ----------------------------------------------------------------------------- path derivative


def path_derivative_minres(
    op: CurvatureOperator, alpha: float, decay: FloatArray, *, rtol: float = 1e-10, maxiter: int | None = None
) -> tuple[FloatArray, float, int]:
    """``dw̃/dα = −(H + αD)⁻¹ D w̃`` at the operator's current θ = w̃, by MINRES on ``Hv + αDv``
    (:func:`theory.empirical.path.path_derivative`, which takes a weighted D as well: parameter groups
    with different ``weight_decay``).

    MINRES (Paige & Saunders 1975) needs only symmetry, so it also runs when ``H + αD`` is singular
    along an undecayed symmetry direction ``u`` (``Hu = 0``, ``Du = 0``): ``Dw̃ ⊥ u``, the system is
    consistent, and from 0 the iterates stay orthogonal to ``u`` (the minimum-norm solution).
    Returns ``(v, ‖(H + αD)v + Dw̃‖, matvecs)``.
    """
    d = np.asarray(decay, dtype=np.float64)
    pd = path_derivative(op, alpha, d, rtol=rtol, maxiter=maxiter, stationarity=False)
    return pd.derivative, pd.residual * float(np.linalg.norm(d * op.theta())), pd.matvecs


# ----------------------------------------------------------------------------- the report


def _shifted(op: CurvatureOperator, shift: FloatArray | None, U: FloatArray, lift: float) -> Any:
    """``H + diag(shift) + lift·UUᵀ`` as a LinearOperator (lift moves the known null space away)."""

    def mv(v: FloatArray) -> FloatArray:
        v = np.ravel(v)
        out = np.asarray(op.matvec(v), dtype=np.float64).ravel()
        if shift is not None:
            out = out + shift * v
        if U.shape[1]:
            out = out + lift * (U @ (U.T @ v))
        return out

    return scipy.sparse.linalg.LinearOperator(op.shape, matvec=mv, dtype=np.float64)


def _project_out(U: FloatArray) -> Callable[[FloatArray], FloatArray]:
    """``x ↦ (I − UUᵀ)x`` for orthonormal columns ``U`` (the identity when U has none): comparisons made
    orthogonal to the undecayed symmetry directions, along which w̃(α) is not unique."""
    if not U.shape[1]:
        return lambda x: x
    return lambda x: x - U @ (U.T @ x)


def _trust_ratio(
    op: CurvatureOperator, w: FloatArray, d: FloatArray, alpha: float, step: FloatArray
) -> float:
    """``ρ = ΔF/Δm`` for ``F = L + (α/2)θᵀDθ`` from ``w`` along ``step``: the actual change of the
    objective over that of its quadratic model ``∇F(w)·s + ½sᵀ(H + αD)s``, the ratio trust-region
    methods use (Nocedal & Wright, *Numerical Optimization*, 2nd ed., §4.1). Leaves the operator at w."""
    L0, g0 = _value_grad(op, w)
    op.set_theta(w + step)
    L1 = op.loss()
    op.set_theta(w)
    change = L1 + 0.5 * alpha * float((w + step) @ (d * (w + step))) - L0 - 0.5 * alpha * float(w @ (d * w))
    model = float((g0 + alpha * d * w) @ step + 0.5 * step @ (op.matvec(step) + alpha * d * step))
    return change / model if model != 0 else math.nan


def _symmetries(
    op: CurvatureOperator, d: FloatArray, top: Any
) -> tuple[bool, int, float, FloatArray, list[str], FloatArray]:
    """The verified symmetry null space of ``H`` at the operator's θ.

    Returns ``(classification, n_out, thr, U, labels, U0)``: the zero threshold ``thr`` (the rounding
    level ``10·p·eps·λ_max`` or the top eigenpairs' residual, whichever is larger), an orthonormal
    basis ``U`` of the softmax-shift directions kept only when ``‖HU‖ ≤ thr`` column by column, their
    labels, and ``U0``, the columns the decay mask does not touch (``DU0 = 0``: ``H + αD`` is singular
    there).
    """
    lam_max = float(max(abs(top.values[0]), 1e-300))
    thr = max(rounding_zero_tolerance(op.dim, lam_max, eps=op.precision), float(top.residuals.max()))
    classification, n_out = _is_classification(op)
    U = np.zeros((op.dim, 0))
    labels: list[str] = []
    if classification:
        Ucand, lab = softmax_shift_basis(op, n_out)
        if Ucand.shape[1]:
            Q_, _ = np.linalg.qr(Ucand)
            HU = np.column_stack([op.matvec(Q_[:, j]) for j in range(Q_.shape[1])])
            if float(np.linalg.norm(HU, axis=0).max()) <= thr:
                U, labels = Q_, lab
    undecayed = np.linalg.norm(d[:, None] * U, axis=0) <= 0 if U.shape[1] else np.zeros(0, bool)
    return classification, n_out, thr, U, labels, U[:, undecayed]


def _is_classification(op: CurvatureOperator) -> tuple[bool, int]:
    x, y, _ = next(iter(op.batches()))
    if not isinstance(y, torch.Tensor) or y.dtype not in (torch.int64, torch.int32, torch.int16, torch.uint8):
        return False, 0
    with torch.no_grad():
        out = op.outputs(x)
    return (out.ndim == 2 and out.shape[1] >= 2), int(out.shape[-1])


def _accuracy(op: CurvatureOperator) -> float:
    right = 0
    with torch.no_grad():
        for x, y, _ in op.batches():
            right += int((op.outputs(x).argmax(-1) == y).sum())
    return right / op.n_examples


def weight_decay_report(
    model: Any,
    loss_fn: Callable[[Any, Any], Any],
    data: Any,
    alpha: float | None = None,
    *,
    decay: Any = None,
    optimizer: Any = None,
    epochs: int = 20,
    k: int = 5,
    bottom_k: int = 3,
    rel_step: float = 0.05,
    slq_steps: int = 60,
    slq_probes: int = 4,
    gtol: float = 1e-10,
    lbfgs_iter: int = 200,
    newton_iter: int = 20,
    separability: bool = True,
    progress: bool = True,
    seed: int = 0,
    dtype: Any = "float64",
    device: Any = None,
    stochastic: str = "raise",
) -> WeightDecayReport:
    """One call: what weight decay α does to ``model`` on ``loss_fn`` and ``data`` (module doc).

    Args:
        model: any ``nn.Module`` (worked on as a copy; the caller's model is not changed).
        loss_fn: ``loss_fn(outputs, targets)`` returning the batch mean.
        data: a DataLoader, a list of ``(inputs, targets)`` batches or one pair (re-iterable, the
            same examples every pass).
        alpha: α of the penalty ``(α/2)θᵀDθ``; default: the largest ``weight_decay`` of the
            optimiser's groups.
        decay: the mask D (see :func:`decay_vector`); default: from ``optimizer``'s groups, else "all".
        optimizer: a torch optimiser over ``model``'s parameters (its class and groups are rebuilt on
            a copy and trained ``epochs`` epochs from the model's current weights), or None.
        k, bottom_k: top and bottom eigenpairs computed.
        rel_step: δα = rel_step·α for the measured change.
        gtol: the polish stops at ``‖∇F_α‖ ≤ gtol``; lbfgs_iter, newton_iter: its budgets (L-BFGS
            iterations; Newton–MINRES steps and trust-krylov iterations).
        separability: run the linear-programming test on the final layer's inputs (classification).
        progress: show progress bars (only on a terminal).
        stochastic: ``"raise"`` (train-mode batch norm or dropout is refused) or ``"eval"`` (those
            modules run in eval mode for every evaluation, as in
            :func:`theory.empirical.curvature.hessian_operator`).
        dtype, device: what the copy of the model is computed in (default float64 on the model's
            device, so that ``gtol = 1e-10`` is reachable; ``dtype=None`` keeps the model's dtype: a
            float32 model then needs a ``gtol`` above its rounding, about 1e-5, or the first
            assumption reports the polish as not converged). The optimiser comparison trains a copy in
            the model's own dtype, as the user would.

    Ctrl-C during a polish stops that polish only: the report goes on from the best iterate and its
    first assumption ("w̃(α) reached") says it was interrupted. A polish that does not converge is
    reported the same way, never raised.
    """
    start = time.perf_counter()
    if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
        raise InputError(f"optimizer must be a torch.optim.Optimizer; got {type(optimizer).__name__}")
    if alpha is None:
        if optimizer is None:
            raise InputError("give alpha, or an optimizer whose parameter groups carry weight_decay")
        alpha = max(float(g.get("weight_decay", 0.0)) for g in optimizer.param_groups)
    alpha = float(alpha)
    if not (alpha > 0 and math.isfinite(alpha)):
        raise InputError(f"alpha must be finite and > 0; got {alpha!r}")
    if not 0 < rel_step < 1:
        raise InputError(f"rel_step must be in (0, 1); got {rel_step!r}")
    work = copy.deepcopy(model)
    op = hessian_operator(work, loss_fn, data, dtype=dtype, device=device, stochastic=stochastic)
    if optimizer is not None and decay is None:
        names = {id(p): n for n, p in model.named_parameters()}
        wd = {
            names[id(p)]: float(g.get("weight_decay", 0.0)) / alpha
            for g in optimizer.param_groups
            for p in g["params"]
        }
        decay = {n: wd.get(n, 0.0) for n in op.names}
    d = decay_vector(op, "all" if decay is None else decay, alpha)
    theta_start = op.theta()

    # (a) polish to w̃(α)
    pol = polish(op, alpha, d, gtol=gtol, lbfgs_iter=lbfgs_iter, newton_iter=newton_iter, progress=progress)
    w = pol.theta
    op.set_theta(w)

    # (b) spectrum
    mv0 = op.matvecs
    top = top_eigenpairs(op, min(k, op.dim - 1), "LA", seed=seed)
    lam_max = float(max(abs(top.values[0]), 1e-300))
    classification, n_out, thr, U, labels, U0 = _symmetries(op, d, top)
    bottom, bottom_res = ritz_bottom(
        _shifted(op, None, U, 2 * lam_max).matvec, op.dim, bottom_k, steps=slq_steps, seed=seed
    )
    bottom_pen, _ = ritz_bottom(
        _shifted(op, alpha * d, U0, 2 * lam_max).matvec, op.dim, bottom_k, steps=slq_steps, seed=seed
    )
    # the zero threshold is the rounding one; the Ritz residuals (how far each Ritz value may be from an
    # eigenvalue) are reported next to the values, not folded into it
    thr_b = thr
    n_neg = int(np.sum(bottom < -thr_b))
    n_zero = int(np.sum(np.abs(bottom) <= thr_b)) + U.shape[1]
    n_below = int(np.sum((bottom > thr_b) & (bottom < alpha)))
    from theory.spectral import spectral_density

    density = spectral_density(op, steps=min(slq_steps, op.dim), probes=slq_probes, seed=seed)
    n_eff = density.trace_of(lambda x: np.clip(x, 0, None) / (np.clip(x, 0, None) + alpha))
    below = density.trace_of(lambda x: (x < alpha).astype(np.float64)).value / op.dim
    nodes, weights = density.measure()
    spec = SpectrumSummary(
        top.values, top.residuals, bottom, bottom_res, bottom_pen, thr_b, n_zero, n_neg, n_below,
        nodes, weights, n_eff.value, n_eff.se,
        float(below), op.matvecs - mv0, density,
    )  # fmt: skip

    # (c) predicted and measured path derivative
    op.set_theta(w)
    v, mres, mmv = path_derivative_minres(op, alpha, d)
    da = rel_step * alpha
    # start from the first-order prediction: Newton then needs no L-BFGS warm-up
    nxt = polish(
        op,
        alpha + da,
        d,
        theta0=w + da * v,
        gtol=gtol,
        lbfgs_iter=0,
        newton_iter=newton_iter,
        progress=progress,
    )

    proj = _project_out(U0)
    meas, pred = proj(nxt.theta - w), proj(da * v)
    rel = relative_error(pred, meas)
    Q = top.vectors
    # ρ: objective at α + δα along the predicted step, against its quadratic model
    rho = _trust_ratio(op, w, d, alpha + da, da * v)
    acc = _accuracy(op) if classification else None

    assumptions = _assumptions(op, alpha, d, pol, nxt, spec, U, labels, int(U0.shape[1]), rho, rel, acc,
                               classification, n_out, separability)  # fmt: skip
    comparison = None
    if optimizer is not None:
        comparison = _compare_optimizer(
            model, op, optimizer, loss_fn, data, alpha, d, w, theta_start, U0, epochs
        )
    op.set_theta(w)
    return WeightDecayReport(
        alpha, da, op.dim, op.n_examples, op.precision, pol, nxt, spec, w, d, v, mres, mmv, pred, meas,
        rel, Q, Q.T @ pred, Q.T @ meas, rho, int(U.shape[1]), int(U0.shape[1]), acc, assumptions,
        comparison, time.perf_counter() - start,
    )  # fmt: skip


def _slq_count(s: SpectrumSummary, where: Callable[[FloatArray], Any]) -> str:
    """``"about N ± se"`` eigenvalues satisfying ``where``, from the report's SLQ density."""
    if s.density is None:
        return "nothing (no density)"
    est = s.density.trace_of(lambda x: np.asarray(where(x), dtype=np.float64))
    return f"about {est.value:.0f} ± {est.se:.0f}"


def _assumptions(
    op: CurvatureOperator,
    alpha: float,
    d: FloatArray,
    pol: PolishResult,
    nxt: PolishResult,
    s: SpectrumSummary,
    U: FloatArray,
    labels: list[str],
    n_undecayed: int,
    rho: float,
    rel: float,
    acc: float | None,
    classification: bool,
    n_out: int,
    separability: bool,
) -> list[Assumption]:
    out = [
        Assumption(
            "w̃(α) reached (‖∇F_α‖ ≤ gtol)",
            pol.converged,
            f"‖∇F_α‖ = {pol.grad_norm:.2e}, gtol = {pol.gtol:.1e}, {pol.evaluations} evaluations, "
            f"{pol.hvps} HVPs" + ("" if pol.converged else f"; {pol.reason}"),
            {"grad_norm": pol.grad_norm},
        ),
        Assumption(
            "w̃(α + δα) reached (the measured change is a difference of minimisers)",
            nxt.converged,
            f"‖∇F_(α+δα)‖ = {nxt.grad_norm:.2e}, {nxt.evaluations} evaluations, {nxt.hvps} HVPs"
            + ("" if nxt.converged else f"; {nxt.reason}: the measured change is not meaningful"),
            {"grad_norm": nxt.grad_norm},
        ),
    ]
    if s.bottom_penalised.size:
        lo = float(s.bottom_penalised[0])
        out.append(Assumption(
            "strict local minimiser: H + αD ≻ 0 (off the undecayed symmetry directions)",
            lo > s.zero_threshold,
            f"λ_min(H + αD) = {lo:.3g} (zero threshold {s.zero_threshold:.1e}; {n_undecayed} undecayed "
            "symmetry directions set aside)",
            {"lambda_min_penalised": lo},
        ))  # fmt: skip
        lo_h = float(s.bottom[0])
        neg = _slq_count(s, lambda x: x < -s.zero_threshold)
        out.append(Assumption(
            "no negative curvature of H",
            s.n_negative == 0,
            f"λ_min(H) = {lo_h:.3g} off the symmetry null space; {s.n_negative} of the {s.bottom.size} "
            f"bottom Ritz values below −{s.zero_threshold:.1e} (Lanczos does not resolve repeated "
            f"eigenvalues: a lower bound on the count); SLQ estimates {neg}",
            {"lambda_min": lo_h, "n_negative": float(s.n_negative)},
        ))  # fmt: skip
    zero = _slq_count(s, lambda x: np.abs(x) <= s.zero_threshold)
    out.append(Assumption(
        "no zero curvature of H",
        s.n_zero == 0,
        f"{s.n_zero} eigenvalues within ±{s.zero_threshold:.1e} (rounding threshold 10·p·eps·λ_max or the "
        f"eigsh residual): {U.shape[1]} from verified symmetries + {s.n_zero - U.shape[1]} among the bottom "
        f"{s.bottom.size} Ritz values (a lower bound); SLQ estimates {zero}",
        {"n_zero": float(s.n_zero)},
    ))  # fmt: skip
    if classification:
        if U.shape[1]:
            sym = (f"softmax shift: a {U.shape[1]}-dimensional null space of H "
                   f"(‖Hu‖ ≤ {s.zero_threshold:.1e} "
                   f"along {labels[0]} … {labels[-1]}); " + (
                       f"{n_undecayed} of its directions are undecayed (Du = 0), so H + αD is singular "
                       "along them and w̃(α) is unique only up to them (the comparisons are made "
                       "orthogonal to them)" if n_undecayed else
                       "every one of its directions is decayed, so H + αD ≻ 0 along them: weight decay "
                       "alone pins them down"))  # fmt: skip
        else:
            sym = "no softmax-shift null space found (no final Linear, or the loss is not shift-invariant)"
        out.append(
            Assumption("no symmetry null space", U.shape[1] == 0, sym, {"null_space_dim": float(U.shape[1])})
        )
        out.append(_separability(op, n_out, acc, separability))
    else:
        out.append(
            Assumption(
                "no symmetry null space", None, "not a classification output: softmax shift not tested"
            )
        )
        out.append(
            Assumption("finite unregularised minimiser", None, "not a classification task: not tested")
        )
    smallest = float(s.bottom[0]) if s.bottom.size else math.nan
    regime = bool(s.n_negative == 0 and s.n_zero == 0 and smallest > alpha)
    out.append(Assumption(
        "α below the curvature (λ_min > α: the quadratic shrinkage λ/(λ+α) about w* applies)",
        regime if s.bottom.size or s.n_zero else None,
        f"α = {alpha:.3g}; λ_min = {smallest:.3g}"
        + (f" and {s.n_zero} zero eigenvalues" if s.n_zero else "")
        + f", λ_max = {s.top[0]:.4g}; SLQ: {100 * s.fraction_below_alpha:.0f}% of the spectral mass "
        f"below α; n_eff = Σλ⁺/(λ⁺+α) (negative λ count 0) = {s.effective_dim:.1f} ± "
        f"{s.effective_dim_se:.1f} of p = {op.dim}",
        {"alpha": alpha, "lambda_min": smallest, "lambda_max": float(s.top[0]),
         "fraction_below_alpha": s.fraction_below_alpha, "effective_dim": s.effective_dim},
    ))  # fmt: skip
    out.append(Assumption(
        "quadratic model valid along the predicted step",
        rho_holds(rho),
        f"ρ = ΔF/Δm = {rho:.4f} (band {RHO_BAND}); predicted vs measured change: relative error {rel:.2e}",
        {"rho": rho, "relative_error": rel},
    ))  # fmt: skip
    return out


def _separability(op: CurvatureOperator, n_out: int, acc: float | None, run: bool) -> Assumption:
    name = "finite unregularised minimiser (data not separable)"
    layers = _final_linears(op, n_out)
    if not run or not layers:
        why = "not run (separability=False)" if not run else "no final Linear layer to test"
        return Assumption(name, None, why)
    H, y = _features(op, layers[0])
    Hn, yn = C.numpy(H.reshape(len(H), -1)), y.cpu().numpy()
    sep, Wb, status = separable_lp(Hn, yn, n_out)
    if not sep:
        return Assumption(name, True, f"the final layer's {Hn.shape[1]} input features are not linearly "
                          f"separable (LP: {status}); training accuracy {acc:.1%}",
                          {"train_accuracy": acc or 0.0})  # fmt: skip
    assert Wb is not None
    # the model's own loss along the ray θ(t): the final layer set to t·[W | b] from the LP, every other
    # parameter at w̃; through the model, so whatever follows the layer (log_softmax, a logit penalty,
    # label smoothing inside the loss) is included
    layer = layers[0]
    offsets = dict(zip(op.names, np.cumsum([0, *op.sizes])[:-1], strict=True))
    sizes = dict(zip(op.names, op.sizes, strict=True))
    base = op.theta()
    losses = []
    try:
        for t in (1.0, 10.0, 100.0):
            theta = base.copy()
            o = offsets[f"{layer}.weight"]
            theta[o : o + sizes[f"{layer}.weight"]] = t * Wb[:, :-1].ravel()
            if f"{layer}.bias" in offsets:
                ob = offsets[f"{layer}.bias"]
                theta[ob : ob + sizes[f"{layer}.bias"]] = t * Wb[:, -1]
            op.set_theta(theta)
            losses.append(op.loss())
    finally:
        op.set_theta(base)
    shown = ", ".join(f"{v:.2e}" for v in losses)
    numbers = {"train_accuracy": acc or 0.0, "loss_t1": losses[0], "loss_t100": losses[-1]}
    head = (
        f"separable: an LP finds a last layer with margin ≥ 1 on all {len(yn)} examples over the "
        f"{Hn.shape[1]} features; along that layer scaled by t = 1, 10, 100 the loss is {shown}"
    )
    if losses[2] < losses[1] < losses[0]:
        return Assumption(
            name,
            False,
            head + f", still falling: L has no finite minimiser along this ray (training accuracy at "
            f"w̃: {acc:.1%}); only α > 0 has one",
            numbers,
        )
    return Assumption(
        name,
        True,
        head + ", not falling: this loss (label smoothing, a logit penalty, …) does not reward an "
        "unbounded margin, so separability leaves a finite minimiser possible",
        numbers,
    )


def _compare_optimizer(
    model: Any,
    op: CurvatureOperator,
    optimizer: Any,
    loss_fn: Callable[[Any, Any], Any],
    data: Iterable[Any],
    alpha: float,
    d: FloatArray,
    w: FloatArray,
    theta_start: FloatArray,
    U0: FloatArray,
    epochs: int,
) -> OptimizerComparison:
    """Rebuild ``optimizer`` (class, groups, hyper-parameters) on a copy of ``model`` and train it."""
    clone = copy.deepcopy(model)
    names = {id(p): n for n, p in model.named_parameters()}
    cparams = dict(clone.named_parameters())
    groups, summary = [], []
    lam = np.zeros(op.dim)
    eps_ = np.zeros(op.dim)
    offsets = dict(zip(op.names, np.cumsum([0, *op.sizes])[:-1], strict=True))
    for g in optimizer.param_groups:
        hyper = {k: v for k, v in g.items() if k != "params"}
        groups.append({**hyper, "params": [cparams[names[id(p)]] for p in g["params"]]})
        summary.append(
            {k: float(v) for k, v in hyper.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        )
        for p in g["params"]:
            n = names[id(p)]
            if n in offsets:
                sl = slice(offsets[n], offsets[n] + p.numel())
                lam[sl], eps_[sl] = float(g.get("weight_decay", 0.0)), float(g.get("eps", 0.0))
    opt = type(optimizer)(groups)
    decoupled = isinstance(optimizer, torch.optim.AdamW) or bool(
        optimizer.defaults.get("decoupled_weight_decay")
    )
    with warnings.catch_warnings():  # the user already saw the eval-mode warning for the report
        warnings.simplefilter("ignore", EmpiricalWarning)
        clone_op = hessian_operator(
            clone, loss_fn, data, params=[cparams[n] for n in op.names], cache=False, check_data=False,
            stochastic=op.stochastic,
        )  # fmt: skip
    clone_op.set_theta(theta_start)
    for _ in range(epochs):
        for x, y, _ in clone_op.batches():
            opt.zero_grad()
            loss_fn(call_model(clone, x), y).backward()
            opt.step()
    theta = clone_op.theta()
    L, g = _value_grad(op, theta)
    Lw, _ = _value_grad(op, w)
    op.set_theta(w)
    F = L + 0.5 * alpha * float(theta @ (d * theta))
    Fw = Lw + 0.5 * alpha * float(w @ (d * w))

    proj = _project_out(U0)
    dist = relative_error(proj(theta), proj(w))
    pen = alpha * d * theta
    l2 = float(np.linalg.norm(g + pen)) / max(float(np.linalg.norm(g) + np.linalg.norm(pen)), 1e-300)
    dec = lam * theta * (np.abs(g) + eps_)
    adw = float(np.linalg.norm(g + dec)) / max(float(np.linalg.norm(g) + np.linalg.norm(dec)), 1e-300)
    if decoupled:
        text = (
            "decoupled decay: with λ_g its group's weight_decay, its full-batch fixed point solves "
            "g + λ_gθ(|g| + ε) = 0 per coordinate, not ∇L + αDθ = 0 (where |g| ≫ ε that pins "
            "|θ_i| = 1/λ_g; elsewhere it acts like an L2 of strength ≈ λ_gε); residuals at its end point: "
            f"AdamW equation {adw:.2e}, L2 stationarity {l2:.2e}"
        )
    else:
        text = (
            "coupled L2: its full-batch fixed point is ∇L + αDθ = 0, i.e. w̃(α) (mini-batch noise and "
            f"finite training leave the gap shown); L2 stationarity residual at its end point {l2:.2e}"
        )
    return OptimizerComparison(
        type(optimizer).__name__, decoupled, summary, epochs, dist, F - Fw, l2, adw, text
    )


# ----------------------------------------------------------------------------- the wdt verify case


@dataclass(frozen=True, slots=True)
class PathDerivativeCheck:
    """``l2.path_derivative`` on one model: predicted ``v = −(H + αD)⁻¹Dw̃`` (MINRES) against the
    forward differences ``m(h) = (w̃(α + h) − w̃(α))/h`` of polished minimisers, ``h = δα, 2δα``.

    ``error = ‖v − m(δα)‖/‖m(δα)‖``; ``truncation = ‖m(2δα) − m(δα)‖/‖m(δα)‖`` is the a-posteriori
    estimate of the O(δα) term of the forward difference (``m(h) = v + ch + O(h²)``, so
    ``m(2h) − m(h) = ch + O(h²)``); ``solve`` bounds the polish and MINRES errors,
    ``(‖∇F‖ at the three points·2/δα + MINRES residual)/μ``, μ the Lanczos estimate of
    ``λ_min(H + αD)`` off the undecayed null space, relative to ``‖m(δα)‖``.
    """

    n_params: int
    alpha: float
    delta_alpha: float
    error: float
    truncation: float
    solve: float
    mu: float
    rho: float
    null_space_dim: int
    null_space_undecayed: int
    separable: bool | None
    train_accuracy: float
    polished: bool
    matvecs: int


def path_derivative_check(
    model: Any,
    loss_fn: Callable[[Any, Any], Any],
    data: Any,
    alpha: float,
    decay: Any = "all",
    *,
    rel_step: float = 0.02,
    lbfgs_iter: int = 100,
    gtol: float = 1e-10,
    seed: int = 0,
) -> PathDerivativeCheck:
    """The measurements of :class:`PathDerivativeCheck` (the model is polished in place)."""
    op = hessian_operator(model, loss_fn, data)
    d = decay_vector(op, decay, alpha)
    pol = polish(op, alpha, d, gtol=gtol, lbfgs_iter=lbfgs_iter, progress=False)
    w = pol.theta
    op.set_theta(w)
    top = top_eigenpairs(op, 1, "LA", seed=seed)
    lam_max = float(abs(top.values[0]))
    classification, n_out, _, U, _, U0 = _symmetries(op, d, top)
    mu_r, _ = ritz_bottom(_shifted(op, alpha * d, U0, 2 * lam_max).matvec, op.dim, 1, steps=40, seed=seed)
    mu = float(mu_r[0])
    op.set_theta(w)
    v, mres, _ = path_derivative_minres(op, alpha, d)
    h = rel_step * alpha
    ends, grads = [], [pol.grad_norm]
    for step in (h, 2 * h):
        q = polish(op, alpha + step, d, theta0=w + step * v, gtol=gtol, lbfgs_iter=0, progress=False)
        ends.append(q.theta)
        grads.append(q.grad_norm)

    proj = _project_out(U0)
    m1, m2 = proj(ends[0] - w) / h, proj(ends[1] - w) / (2 * h)
    nm = float(np.linalg.norm(m1))
    rho = _trust_ratio(op, w, d, alpha + h, h * v)  # along the predicted step at α + h
    sep: bool | None = None
    if classification and _final_linears(op, n_out):
        H_, y_ = _features(op, _final_linears(op, n_out)[0])
        sep = separable_lp(C.numpy(H_.reshape(len(H_), -1)), y_.cpu().numpy(), n_out)[0]
    acc = _accuracy(op) if classification else math.nan
    solve = ((2 * sum(grads) / h + mres) / mu / nm) if mu > 0 else math.inf
    return PathDerivativeCheck(
        op.dim, alpha, h, relative_error(proj(v), m1), float(np.linalg.norm(m2 - m1)) / nm, solve, mu,
        rho, int(U.shape[1]), int(U0.shape[1]), sep, acc, pol.converged, op.matvecs,
    )  # fmt: skip
