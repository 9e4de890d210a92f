"""The theorem catalogue: the spine that proofs, numeric checks, torch checks and figures share.

Every derivation in ``proofs/``, every check in ``wdt verify`` and every figure names one of these ids.
Statements use the canonical convention (``docs/reference.md``, "Canonical convention"):
``J(w) = J(w*) + ½(w − w*)ᵀH(w − w*)``, the L2 penalty is ``(α/2)‖w‖²`` and the L1 penalty ``α‖w‖₁``.

Sources: "G" is Goodfellow, Bengio & Courville, *Deep Learning* (2016), chapter 7; "ESL" is Hastie,
Tibshirani & Friedman, *The Elements of Statistical Learning* (2nd ed.); "L&H" is Loshchilov & Hutter,
*Decoupled Weight Decay Regularization*, ICLR 2019.

The catalogue is open: :func:`add` appends a theorem of your own (validated by :func:`validate`), after
which ``theory.checks.register`` accepts its id; :func:`remove` takes an added one out again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from theory.errors import InputError

__all__ = ["CATALOGUE", "ID_PATTERN", "Theorem", "add", "get", "ids", "remove", "validate"]


@dataclass(frozen=True, slots=True)
class Theorem:
    """One theorem of the catalogue.

    Attributes:
        id: stable identifier, e.g. ``"l2.optimum"``; the prefix before the dot is the family.
        title: a few words.
        statement: the statement in LaTeX (no surrounding ``$``).
        source: where it comes from, with equation numbers.
        assumptions: the preconditions, in words.
    """

    id: str
    title: str
    statement: str
    source: str
    assumptions: tuple[str, ...] = ()

    @property
    def family(self) -> str:
        """The id's prefix, e.g. ``"l2"`` for ``"l2.optimum"``."""
        return self.id.split(".", 1)[0]


_THEOREMS: tuple[Theorem, ...] = (
    Theorem(
        "l2.update",
        "One GD step with weight decay",
        r"w \leftarrow (1 - \epsilon\alpha) w - \epsilon \nabla J(w)",
        "G 7.4–7.5; d2l §Weight Decay",
        ("ε > 0", "α ≥ 0"),
    ),
    Theorem(
        "l2.optimum",
        "L2-regularised optimum of a quadratic",
        r"\tilde w = (H + \alpha I)^{-1} H w^*",
        "G 7.6–7.10",
        ("H symmetric", "H + αI ≻ 0"),
    ),
    Theorem(
        "l2.eigen",
        "Eigenbasis shrinkage",
        r"\tilde w = Q(\Lambda + \alpha I)^{-1}\Lambda Q^\top w^*,"
        r"\quad q_i^\top \tilde w = \frac{\lambda_i}{\lambda_i + \alpha} q_i^\top w^*",
        "G 7.11–7.13",
        ("H = QΛQᵀ symmetric", "λ_i + α > 0"),
    ),
    Theorem(
        "l2.ridge",
        "Ridge regression, and the factor ½ of G 7.15",
        r"\arg\min_w \tfrac12\|Xw - y\|^2 + \tfrac\alpha2\|w\|^2 = (X^\top X + \alpha I)^{-1}X^\top y;"
        r"\ \arg\min_w \|Xw - y\|^2 + \tfrac\alpha2\|w\|^2 = (X^\top X + \tfrac\alpha2 I)^{-1}X^\top y",
        "G 7.14–7.17",
        ("α > 0 or X of full column rank",),
    ),
    Theorem(
        "l2.pinv",
        "Ridge tends to the pseudoinverse",
        r"\lim_{\alpha\to 0^+}(X^\top X + \alpha I)^{-1}X^\top = X^+",
        "G 7.29",
        (),
    ),
    Theorem(
        "l2.kernel",
        "Ridge in kernel (dual) form: the push-through identity",
        r"(X^\top X + n\alpha I_d)^{-1}X^\top y = X^\top(XX^\top + n\alpha I_n)^{-1}y\ (\alpha > 0),"
        r"\ X \in \mathbb{R}^{n\times d};\ \text{both} \to X^+y \text{ as } \alpha \to 0^+",
        "Saunders, Gammerman & Vovk, *Ridge Regression Learning Algorithm in Dual Variables*, ICML 1998; "
        "push-through identity (Petersen & Pedersen, *The Matrix Cookbook*)",
        ("α > 0 for the identity (both inverses exist)", "any X, any rank, for the limit"),
    ),
    Theorem(
        "l2.dof",
        "Effective degrees of freedom",
        r"\mathrm{df}(\alpha) = \sum_i \frac{\lambda_i}{\lambda_i + \alpha}",
        "ESL eq. 3.50",
        ("H ⪰ 0", "α > 0 (or λ_i > 0)"),
    ),
    Theorem(
        "l2.loo",
        "Leave-one-out residual of ridge from one fit (PRESS shortcut)",
        r"y_i - x_i^\top \hat w_{(-i)} = \frac{y_i - x_i^\top \hat w}{1 - S_{ii}},"
        r"\ \hat w = A^{-1}X^\top y,\ \hat w_{(-i)} = (A - x_ix_i^\top)^{-1}(X^\top y - x_iy_i),"
        r"\ A = X^\top X + n\alpha I,\ S = XA^{-1}X^\top",
        "Allen, Technometrics 1974 (PRESS); Sherman & Morrison, Ann. Math. Stat. 1950",
        (
            "α > 0, or A − x_ix_iᵀ invertible",
            "S_ii < 1",
            "the refit keeps the penalty nα of the full problem",
        ),
    ),
    Theorem(
        "l2.gcv",
        "Generalised cross-validation is leave-one-out after a rotation",
        r"\mathrm{GCV}(\alpha) = \frac{\tfrac1n\|(I - S)y\|^2}{(1 - \operatorname{tr}S/n)^2}"
        r" = \tfrac1n\sum_i \Big(\frac{[(I - \tilde S)\tilde y]_i}{1 - \tilde S_{ii}}\Big)^2,"
        r"\ \tilde S = RSR^\top,\ \tilde y = Ry,\ R = W\Gamma^\top,\ S = \Gamma D\Gamma^\top,"
        r"\ W \text{ orthogonal},\ W_{ij}^2 = \tfrac1n;\ \operatorname{tr}S = \mathrm{df}(\alpha)",
        "Golub, Heath & Wahba, Technometrics 1979",
        ("S = X(XᵀX + nαI)⁻¹Xᵀ", "tr S < n"),
    ),
    Theorem(
        "l2.constraint",
        "Penalty ⇔ norm constraint",
        r"\tilde w(\alpha) \in \arg\min_{\|w\| \le k} J(w),\ k = \|\tilde w(\alpha)\|"
        r"\text{ decreasing in } \alpha;\ \text{conversely } \arg\min_{\|w\| \le k} J = \{\tilde w(\alpha)\}"
        r"\text{ for the one } \alpha > 0 \text{ with } \|\tilde w(\alpha)\| = k,\ 0 < k < \|\tilde w(0^+)\|",
        "G 7.26–7.28",
        ("H ⪰ 0", "α > 0"),
    ),
    Theorem(
        "l2.path_derivative",
        "Derivative of the regularisation path at a local minimiser",
        r"\nabla L(\tilde w) + \alpha D\tilde w = 0 \Rightarrow"
        r" \frac{d\tilde w}{d\alpha} = -\left(\nabla^2 L(\tilde w) + \alpha D\right)^{-1} D\tilde w;"
        r"\ L = \tfrac12(w - w^*)^\top H(w - w^*),\ D = I:\ "
        r"\frac{d\tilde w}{d\alpha} = \frac{d}{d\alpha}(H + \alpha I)^{-1}Hw^* = -(H + \alpha I)^{-2}Hw^*",
        "implicit function theorem on the stationarity condition (Nocedal & Wright, *Numerical "
        "Optimization*, 2nd ed., Thm A.2)",
        (
            "w̃(α) a strict local minimiser of L(w) + (α/2)‖Dw‖², D = diag(0/1) the decay mask (‖Dw‖² = wᵀDw)",
            "L twice continuously differentiable near w̃",
            "∇²L(w̃) + αD ≻ 0",
        ),
    ),
    Theorem(
        "l2.conditioning",
        "Weight decay improves conditioning; what GD gains and what it pays",
        r"\kappa_\alpha = \frac{\lambda_{\max} + \alpha}{\lambda_{\min} + \alpha}"
        r" \downarrow \text{ in } \alpha;\ \min_\epsilon \rho\big(I - \epsilon(H + \alpha I)\big)"
        r" = \frac{\kappa_\alpha - 1}{\kappa_\alpha + 1}"
        r" \text{ at } \epsilon = \frac{2}{\lambda_{\max} + \lambda_{\min} + 2\alpha};"
        r"\ q_i^\top(\tilde w - w^*) = \frac{-\alpha c_i}{\lambda_i + \alpha},\ \|\tilde w - w^*\| \uparrow",
        "Nesterov, *Lectures on Convex Optimization* (2nd ed., 2018), Thm 2.1.15 (the rate as an upper "
        "bound); its attainment on a quadratic (along q_min and q_max) is derived here; bias: l2.eigen",
        ("H symmetric, H ⪰ 0", "λ_min + α > 0"),
    ),
    Theorem(
        "l1.soft_threshold",
        "L1 soft threshold for diagonal H",
        r"w_i = \operatorname{sign}(w^*_i)\max\left(|w^*_i| - \frac{\alpha}{H_{ii}}, 0\right)",
        "G 7.20–7.23",
        ("H diagonal", "H_ii > 0", "α ≥ 0"),
    ),
    Theorem(
        "enet.diagonal",
        "Elastic net for diagonal H",
        r"w_i = \operatorname{sign}(H_{ii} w^*_i)"
        r"\frac{\max(|H_{ii} w^*_i| - \alpha_1, 0)}{H_{ii} + \alpha_2}",
        "derived here; Zou & Hastie 2005",
        ("H diagonal", "H_ii + α₂ > 0 (H_ii < 0 allowed)", "α₁, α₂ ≥ 0"),
    ),
    Theorem(
        "enet.path",
        "Elastic-net path: piecewise linear in α₁, certified by KKT",
        r"\tilde w \text{ optimal} \iff c_A = \alpha_1 s_A,\ |c_{A^c}| \le \alpha_1\ "
        r"(c = b - (H + \alpha_2 I)\tilde w,\ b = Hw^*,\ A = \operatorname{supp}\tilde w,"
        r"\ s = \operatorname{sign}\tilde w);\ A, s \text{ fixed}:\ "
        r"\tilde w_A = (H_{AA} + \alpha_2 I)^{-1}(b_A - \alpha_1 s_A),\ \tilde w_{A^c} = 0",
        "Osborne, Presnell & Turlach 2000; Efron, Hastie, Johnstone & Tibshirani 2004 (LARS-lasso); "
        "Zou & Hastie 2005 (LARS-EN)",
        ("H + α₂I ⪰ 0 (a convex objective)", "H_AA + α₂I ≻ 0 on the active set", "α₁ ≥ 0, α₂ ≥ 0"),
    ),
    Theorem(
        "bayes.gaussian",
        "Gaussian prior ⇔ L2 (MAP = posterior mean = ridge)",
        r"y \sim \mathcal N(Xw, \sigma^2 I),\ w \sim \mathcal N(0, s^2 I)"
        r"\Rightarrow w_{\mathrm{MAP}} = \mathbb E[w\mid y]"
        r" = (X^\top X + \tfrac{\sigma^2}{s^2} I)^{-1} X^\top y",
        "G 5.79; ESL 3.4.1",
        ("σ² > 0", "s² > 0"),
    ),
    Theorem(
        "bayes.laplace",
        "Laplace prior ⇔ L1",
        r"\log p(w) = -\alpha\|w\|_1 + d\log\alpha - d\log 2",
        "G 7.24, 3.26",
        ("α > 0",),
    ),
    Theorem(
        "es.trajectory",
        "GD trajectory on a quadratic",
        r"w^{(\tau)} - w^* = (I - \epsilon H)^\tau (w^{(0)} - w^*);"
        r"\ w^{(0)} = 0 \Rightarrow w^{(\tau)} = Q[I - (I - \epsilon\Lambda)^\tau]Q^\top w^*",
        "G 7.33–7.40",
        ("τ ∈ ℕ",),
    ),
    Theorem(
        "es.equivalence",
        "Early stopping ⇔ L2, one α_i per direction",
        r"w^{(\tau)} = \tilde w \iff (1 - \epsilon\lambda_i)^\tau = \frac{\alpha_i}{\lambda_i + \alpha_i},"
        r"\ \alpha_i = \frac{\lambda_i(1-\epsilon\lambda_i)^\tau}{1 - (1 - \epsilon\lambda_i)^\tau}",
        "G 7.41–7.43",
        ("0 < ελ_i < 1", "τ ≥ 1"),
    ),
    Theorem(
        "es.approx",
        "τ ≈ 1/(εα)",
        r"\alpha_i = \frac{1}{\epsilon\tau} - \frac{\lambda_i(\tau + 1)}{2\tau} + O(\lambda_i^2)",
        "G 7.44–7.45",
        ("ελ_i ≪ 1", "λ_i/α ≪ 1"),
    ),
    Theorem(
        "es.nonzero_init",
        "Early stopping from w⁽⁰⁾ ≠ 0 is L2 centred at w⁽⁰⁾",
        r"w^{(\tau)} = \arg\min_w J(w) + \tfrac{\alpha}{2}\|w - w^{(0)}\|^2 \text{ (per direction)}",
        "G footnote to 7.40",
        ("0 < ελ_i < 1",),
    ),
    Theorem(
        "gd.stability",
        "Stability of GD with weight decay",
        r"\text{GD on } J + \tfrac\alpha2\|w\|^2 \text{ converges from every start} \iff"
        r" 0 < \epsilon < \frac{2}{\lambda_{\max} + \alpha}",
        "standard (spectral radius of I − ε(H + αI))",
        ("H + αI ≻ 0",),
    ),
    Theorem(
        "gd.min_norm",
        "GD on least squares finds the minimum-norm solution",
        r"\text{GD on } \tfrac{1}{2n}\|Xw - y\|^2:\ w^{(\infty)} = X^+ y + (I - X^+X) w^{(0)}",
        "standard",
        (
            "loss (1/2n)‖Xw − y‖², so H = XᵀX/n and the step is w ← w − (ε/n)Xᵀ(Xw − y)",
            "0 < ε < 2/λ_max(XᵀX/n), X ≠ 0 (for X = 0 every ε > 0 and w⁽∞⁾ = w⁽⁰⁾)",
        ),
    ),
    Theorem(
        "opt.sgd_equiv",
        "SGD weight decay = L2 penalty",
        r"\mathrm{SGD}(\text{weight\_decay}=\lambda) \text{ on } L \equiv \mathrm{SGD} \text{ on }"
        r" L + \tfrac\lambda2\|w\|^2",
        "Loshchilov & Hutter, ICLR 2019, Prop. 1",
        (),
    ),
    Theorem(
        "opt.adam_not_equiv",
        "Adam + L2 ≠ AdamW",
        r"\text{Adam}(L + \tfrac\lambda2\|w\|^2) \ne \text{AdamW}(L, \lambda)"
        r"\text{ unless the preconditioner is } cI",
        "Loshchilov & Hutter, ICLR 2019, Prop. 2",
        (),
    ),
    Theorem(
        "si.gradient",
        "Scale invariance: the gradient is orthogonal to w and scales as 1/c",
        r"f(cw) = f(w)\ \forall c > 0 \Rightarrow w^\top \nabla f(w) = 0,\ \nabla f(cw) = \nabla f(w)/c,"
        r"\ \nabla^2 f(cw) = \nabla^2 f(w)/c^2,\ \nabla^2 f(w)\,w = -\nabla f(w)",
        "Euler's theorem on homogeneous functions (degree 0); van Laarhoven, *L2 Regularization versus "
        "Batch and Weight Normalization*, 2017",
        (
            "w ≠ 0",
            "f twice differentiable near w",
            "e.g. a Linear's weight before batch normalisation (batch statistics; each row) or a Linear "
            "without bias before layer normalisation (the whole matrix), normalisation ε = 0 (ε > 0 acts "
            "at cw as ε/c² at w); batch normalisation in eval mode is not scale-invariant",
        ),
    ),
    Theorem(
        "si.effective_lr",
        "On scale-invariant weights, weight decay sets the effective learning rate",
        r"w_{t+1} = (1 - \eta\lambda)w_t - \eta\nabla f(w_t) \Rightarrow"
        r" u_{t+1} = \frac{u_t - \hat\eta_t \nabla f(u_t)}{\|u_t - \hat\eta_t \nabla f(u_t)\|},"
        r"\ u_t = \frac{w_t}{\|w_t\|},\ \hat\eta_t = \frac{\eta}{(1 - \eta\lambda)\|w_t\|^2}",
        "van Laarhoven 2017; Zhang, Wang, Xu & Grosse, *Three Mechanisms of Weight Decay Regularization*, "
        "ICLR 2019",
        ("f scale-invariant in w (si.gradient)", "0 ≤ ηλ < 1"),
    ),
    Theorem(
        "si.equilibrium",
        "Rotational equilibrium: weight decay fixes the angular update",
        r"\|w^*\|^2 = \frac{\eta g}{\sqrt{\eta\lambda(2 - \eta\lambda)}},"
        r"\ \cos\theta^* = 1 - \eta\lambda,\ \theta^* = \sqrt{2\eta\lambda} + O((\eta\lambda)^{3/2}),"
        r"\ \tau \approx \frac{1}{4\eta\lambda}\ (\text{SGD});"
        r"\ \theta^* \approx \sqrt{\frac{2\eta\lambda}{1 + \mu}}\ (\text{momentum } \mu),"
        r"\ \sqrt{\frac{2\eta\lambda(1 - \beta_1)}{1 + \beta_1}}\ (\text{AdamW})",
        "Wan, Zhu, Zhang & Sun, *Spherical Motion Dynamics*, NeurIPS 2021; Kosson, Messmer & Jaggi, "
        "*Rotational Equilibrium: How Weight Decay Balances Learning Across Neural Networks*, ICML 2024",
        (
            "f scale-invariant in w (si.gradient)",
            "SGD: ‖∇f(w)‖ = g/‖w‖, g fixed",
            "momentum as in torch: b ← μb + ∇f + λw, w ← w − ηb (decay outside b: √(2ηλ(1 − μ)/(1 + μ)))",
            "AdamW: ĝ = ∇f/√v̂ (not the update) has E‖ĝ‖² = C and is ⟂ w on average",
            "μ, β₁ > 0: gradients uncorrelated, first order in ηλ",
            "0 < ηλ < 1",
            "AdamW on real networks: 0.6–0.9× (per-coordinate √v̂)",
        ),
    ),
    Theorem(
        "adamw.ema",
        "AdamW's weights are an exponential moving average with timescale 1/(ηλ)",
        r"w_{t+1} = (1 - \eta\lambda)w_t + \eta\lambda\,(-u_t/\lambda)"
        r" \Rightarrow w_t = (1 - \eta\lambda)^t w_0"
        r" + \sum_{s<t}\eta\lambda(1 - \eta\lambda)^{t-1-s}(-u_s/\lambda),"
        r"\ \tau_{\mathrm{iter}} = \frac{1}{\eta\lambda},"
        r"\ \tau_{\mathrm{epoch}} = \frac{B}{\eta\lambda N}",
        "Wang & Aitchison, *How to set AdamW's weight decay as you scale model and dataset size*, "
        "ICML 2025 (arXiv 2405.13698)",
        ("u_t the Adam update m̂_t/(√v̂_t + ε)", "0 < ηλ < 1", "torch's decay: w ← (1 − ηλ)w before the step"),
    ),
    Theorem(
        "es.gf_vs_ridge",
        "Gradient flow risk ≤ 1.6860 × ridge risk",
        r"\sup_{x>0}\left[\frac{(1 - e^{-x})(1 + x)}{x}\right]^2 = 1.685909\ldots",
        "Ali, Kolter & Tibshirani, AISTATS 2019, arXiv:1810.10082",
        ("λ = 1/t",),
    ),
    Theorem(
        "es.gf_vs_ridge_tuned",
        "Tuned gradient flow Bayes risk ≤ 1.2147 × optimal ridge",
        r"\sup_{u>0}(1 + u)\left[e^{-2u} + \frac{(1 - e^{-u})^2}{u}\right] = 1.214662\ldots",
        "Ali, Kolter & Tibshirani, AISTATS 2019",
        ("isotropic prior",),
    ),
    Theorem(
        "es.gd_generalized_ridge",
        "Discrete GD is a generalised ridge",
        r"w^{(k)} = (X^\top X + n Q_k)^{-1}X^\top y,"
        r"\ Q_k = V S((I - \epsilon S)^{-k} - I)^{-1}V^\top",
        "Ali, Kolter & Tibshirani, AISTATS 2019, supplement Lemma 3",
        ("0 < εs_i < 1",),
    ),
    Theorem(
        "noise.tikhonov",
        "Input noise = Tikhonov",
        r"\mathbb E\,\tfrac1n\|y - (X + \Xi)w\|^2 = \tfrac1n\|y - Xw\|^2 + s^2\|w\|^2",
        "Bishop, Neural Computation 1995",
        ("Ξ_ij iid, mean 0, variance s²",),
    ),
    Theorem(
        "dropout.ridge",
        "Dropout on linear regression = data-dependent ridge",
        r"\mathbb E\|y - (R\circ X)w\|^2 = \|y - pXw\|^2 + p(1-p)\|\Gamma w\|^2,"
        r"\ \Gamma = \operatorname{diag}(X^\top X)^{1/2}",
        "Srivastava et al., JMLR 2014, §9.1",
        ("R_ij ~ Bernoulli(p) iid",),
    ),
    Theorem(
        "ridge.double_descent",
        "Optimally tuned ridge has no double descent",
        r"n \mapsto \min_\alpha \mathbb E R(\hat w_\alpha) \text{ is non-increasing, attained at }"
        r"\alpha^* = \frac{\sigma^2 d}{n\|\beta\|^2};"
        r"\ \mathbb E R(\hat w_0) = \sigma^2 + \frac{\sigma^2 d}{n - d - 1}\ (n \ge d + 2),"
        r"\ \sigma^2 + \|\beta\|^2(1 - \tfrac nd) + \frac{\sigma^2 n}{d - n - 1}\ (n \le d - 2),"
        r"\ \infty\ (|n - d| \le 1)",
        "Nakkiran, Venkat, Kakade & Ma, *Optimal Regularization Can Mitigate Double Descent*, ICLR 2021, "
        "Thm 1; finite n: inverse-Wishart mean (Muirhead 1982, Thm 3.2.12; Belkin, Hsu & Xu, SIAM J. "
        "Math. Data Sci. 2020, Thm 1); limit d/n → γ: Hastie, Montanari, Rosset & Tibshirani, "
        "Ann. Statist. 2022",
        (
            "x ~ N(0, I_d)",
            "y = xᵀβ + noise of variance σ² > 0, independent of x",
            "R(ŵ) = E(y − xᵀŵ)² = σ² + ‖ŵ − β‖², expectation E over the training set",
            "ŵ_α = (XᵀX + nαI)⁻¹Xᵀy (canonical convention); ŵ_0 = X⁺y, the minimum-norm interpolator",
        ),
    ),
)

#: Every theorem by id: the built-in ones above, then those added with :func:`add`, in that order.
#:
#: :meta hide-value:
CATALOGUE: dict[str, Theorem] = {t.id: t for t in _THEOREMS}

#: ``family.name``: lower-case letters, digits and ``_``, each part starting with a letter, at least one
#: dot (the family is what ``wdt verify --only family.`` selects).
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")

_BUILT_IN = frozenset(CATALOGUE)


def validate(theorem: Theorem) -> Theorem:
    """``theorem`` itself if it is a well-formed catalogue entry, else an :class:`InputError` naming the
    field: the id matches :data:`ID_PATTERN`; title, statement and source are non-empty strings;
    assumptions a tuple of non-empty strings."""
    if not isinstance(theorem, Theorem):
        raise InputError(
            f"the catalogue holds theory.catalogue.Theorem objects; got {type(theorem).__name__}"
        )
    if not isinstance(theorem.id, str) or not ID_PATTERN.fullmatch(theorem.id):
        raise InputError(
            f"theorem id {theorem.id!r} is not of the form 'family.name' (lower-case letters, digits and "
            "'_', each part starting with a letter, e.g. 'mine.ridge_bound')"
        )
    for name in ("title", "statement", "source"):
        value = getattr(theorem, name)
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"theorem {theorem.id!r} needs a non-empty {name} (a string); got {value!r}")
    if not isinstance(theorem.assumptions, tuple) or not all(
        isinstance(a, str) and a.strip() for a in theorem.assumptions
    ):
        raise InputError(
            f"theorem {theorem.id!r}: assumptions must be a tuple of non-empty strings; "
            f"got {theorem.assumptions!r}"
        )
    return theorem


def add(theorem: Theorem) -> Theorem:
    """Add a theorem of your own to the catalogue (after the built-in ones) and return it.

    Then ``theory.checks.register(theorem.id, route, name)`` accepts its id, and ``wdt verify`` runs its
    checks like the built-in ones (a plugin module does both when imported; see ``theory.checks``,
    "Plugins"). Adding an equal theorem again is harmless (a module imported twice); a different theorem
    under an id already present, or a malformed one (:func:`validate`), is an :class:`InputError`.
    """
    validate(theorem)
    present = CATALOGUE.get(theorem.id)
    if present is not None and present != theorem:
        where = "a built-in theorem" if theorem.id in _BUILT_IN else "a theorem added earlier"
        raise InputError(
            f"theorem id {theorem.id!r} is already taken by {where} ({present.title!r}); "
            "choose another id, or another family prefix"
        )
    CATALOGUE[theorem.id] = theorem
    return theorem


def remove(theorem_id: str) -> Theorem:
    """Take an added theorem out of the catalogue again and return it (its checks stop running).

    Built-in theorems cannot be removed: an :class:`InputError`, as for an id that is not present.
    """
    if theorem_id in _BUILT_IN:
        raise InputError(
            f"{theorem_id!r} is a built-in theorem; only theorems added with add() can be removed"
        )
    try:
        return CATALOGUE.pop(theorem_id)
    except KeyError:
        raise InputError(f"no added theorem has the id {theorem_id!r}") from None


def ids(prefix: str = "") -> list[str]:
    """The catalogue's ids, in catalogue order, optionally only those starting with ``prefix``."""
    return [tid for tid in CATALOGUE if tid.startswith(prefix)]


def get(theorem_id: str) -> Theorem:
    """The theorem with this id; an :class:`~theory.errors.InputError` naming the known ids if none."""
    try:
        return CATALOGUE[theorem_id]
    except KeyError:
        known = ", ".join(CATALOGUE)
        raise InputError(f"unknown theorem id {theorem_id!r}; known ids: {known}") from None
