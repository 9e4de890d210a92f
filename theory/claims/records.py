"""The records of the claims ledger: the five source texts, their code listings and their claims.

Each claim is paraphrased in English and each listing's behaviour described in our own words; the
texts are cited by title (and by address where the text gives one), never quoted. See
:mod:`theory.claims` for the record types and how the evidence is run.
"""

from __future__ import annotations

from theory.claims import Claim, Listing, Source

__all__ = ["CLAIMS", "LISTINGS", "SOURCES"]

#: The five texts, by the key ``wdt claims --source`` takes.
SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            key="d2l",
            title="深度学习笔记(五):权重衰减",
            site="a blog post of notes on Dive into Deep Learning (d2l-zh)",
            url=None,
            covers="the L2 penalty and the GD update; d2l's high-dimensional linear regression, from "
            "scratch and with torch.optim.SGD parameter groups",
        ),
        Source(
            key="ddlee",
            title="深度学习中的权重衰减",
            site="blog.ddlee.cn, after Goodfellow, Bengio and Courville, Deep Learning, ch. 7 (CC BY-SA 4.0)",
            url="https://blog.ddlee.cn/posts/cd6f40b8/",
            covers="the update rule, (H + αI)⁻¹Hw* and its eigenbasis form, the L1 soft threshold, the MAP "
            "reading, early stopping as L2",
        ),
        Source(
            key="apx",
            title="L1、L2 和弹性网络正则化",
            site="ApX Machine Learning, course page",
            url=None,
            covers="L2 through an optimiser's weight_decay (Adam), L1 added to the loss by hand, elastic net "
            "as both",
        ),
        Source(
            key="pydl",
            title="《python深度学习》笔记(十三):正则化",
            site="a blog post of notes on the book Deep Learning with Python",
            url=None,
            covers="L1, L2 and dropout in words; torch.optim's weight_decay; a hand-written Regularization "
            "module",
        ),
        Source(
            key="manhua",
            title="【漫话机器学习系列】245.权重衰减(Weight Decay)",
            site="a blog post in an illustrated machine-learning series",
            url=None,
            covers="Loss + ½λ‖w‖², the benefits claimed for it, L1 against L2, PyTorch and Keras usage",
        ),
    )
}

# ----------------------------------------------------------------------------------------------------
# The listings of "d2l" (run by theory/empirical/listings_d2l.py).

_D2L_LISTINGS: tuple[Listing, ...] = ()

# ----------------------------------------------------------------------------------------------------
# The listings of "apx", "pydl" and "manhua" (run by theory/empirical/listings_regularisers.py).

_REGULARISER_LISTINGS: tuple[Listing, ...] = (
    Listing(
        id="apx.adam_l2",
        source="apx",
        section="L2 regularisation through the optimiser's weight_decay",
        behaviour="Builds torch.optim.Adam over all of model.parameters() with lr = 0.001 and "
        "weight_decay = 0.01 for the MLP Linear(10, 20)–ReLU–Linear(20, 1), trains on nn.MSELoss, and "
        "says the L2 term is handled by step() and that each step first shrinks the weights by 1 − ηλ.",
        findings=(
            "Adam(weight_decay=λ) adds λθ to the gradient before the moments (opt.adam_not_equiv): on the "
            "diabetes data its iterates equal Adam on MSE + (λ/2)Σ‖θ‖² over every parameter, biases "
            "included, step by step within a derived rounding bound (worst 0.1 of it).",
            "It is not AdamW: from the same state the two differ by a median 6.6e-7 per step at λ = 0.01, "
            "η = 0.001, 9·10⁹ times its rounding bound.",
            "The 'shrink by 1 − ηλ first' reading holds for SGD (opt.sgd_equiv, to rounding) but not for "
            "Adam: after 25 steps Adam's decay contribution per entry ranges from −1.2 to 47 times ηλθ "
            "(median 1.1), because it is divided by √v̂ with the data gradient.",
        ),
        evidence=("src.apx.adam_l2",),
    ),
    Listing(
        id="apx.l1_sgd",
        source="apx",
        section="L1 regularisation added to the loss by hand",
        behaviour="Sums |θ| over the parameters with more than one dimension, multiplies by λ₁ = 0.005, "
        "adds it to the MSE loss and trains with plain SGD (lr = 0.001).",
        findings=(
            "The term touches the weight matrices only (dim > 1), never the biases; its gradient is "
            "λ₁·sign(W), and torch's subgradient at an entry equal to 0 is 0.",
            "SGD on it leaves no exact zeros: started at the lasso solution of the diabetes data "
            "(l1.soft_threshold, α₁ = λ₁/2 = 0.05 on (1/2n)‖r‖², 4 zero coefficients), SGD with η = 0.05 "
            "moves every zero off 0: over 300 steps they stay between 3.5e-6 and 0.0092 in absolute "
            "value, inside the derived bound η(λ₁ + max|∂MSE/∂w|) ≈ 0.0096 and never within rounding of 0.",
            "A proximal step (gradient step then soft threshold, l1.soft_threshold) from the same point "
            "keeps the 4 exact zeros and stays at the project's lasso solution within its KKT bound.",
        ),
        evidence=("src.apx.l1_sgd",),
    ),
    Listing(
        id="apx.enet_adam",
        source="apx",
        section="Elastic net: the hand L1 term plus Adam's weight_decay",
        behaviour="Adds λ₁ = 0.005 times the L1 norm of the weight matrices to the MSE loss and trains "
        "with Adam(lr = 0.001, weight_decay = 0.01) for the L2 part.",
        findings=(
            "Its stationary points are those of MSE + λ₁Σ_{dim>1}‖W‖₁ + (λ₂/2)Σ_all‖θ‖²: the L1 part "
            "skips the biases and the L2 part decays them; on Linear(10, 1) and the diabetes data the "
            "project's elastic net (enet.path, α₁ = λ₁/2, α₂ = λ₂/2 on (1/2n)‖r‖²) with intercept "
            "2ȳ/(2 + λ₂) zeroes the gradient Adam's moments see, within the KKT and rounding bound.",
            "Adam does not produce exact zeros either: from the elastic-net solution (4 zeros at "
            "λ₁ = λ₂ = 0.1) it moves every zero off 0 and hovers within about 10⁻³ (one to a few "
            "learning rates) of the solution.",
            "Because Adam's weight_decay is coupled L2, this is not the elastic net one gets with AdamW "
            "(opt.adam_not_equiv).",
        ),
        evidence=("src.apx.enet_adam", "src.apx.adam_l2"),
    ),
    Listing(
        id="pydl.adam_wd",
        source="pydl",
        section="4.代码实现",
        behaviour="One line: optim.Adam(model.parameters(), lr=learning_rate, weight_decay=0.01), said to "
        "give L2 regularisation with λ = 0.01.",
        findings=(
            "The same coupled L2 as the apx listing: Adam on loss + (0.01/2)Σ‖θ‖² over every parameter, "
            "biases included, not AdamW (opt.adam_not_equiv); checked at η = 0.001 and η = 0.01.",
        ),
        evidence=("src.apx.adam_l2",),
    ),
    Listing(
        id="pydl.regularization",
        source="pydl",
        section="4.代码实现",
        behaviour="A torch.nn.Module whose forward(model) returns weight_decay times the sum of "
        "torch.norm(W, p) over the parameters whose name contains 'weight'; its docstring says p = 0 "
        "gives L2 and p = 1 gives L1.",
        findings=(
            "As printed it cannot be built: with weight_decay > 0 the constructor calls a weight-printing "
            "method the class never defines (AttributeError), and with weight_decay ≤ 0 it prints a "
            "message and exits the process with status 0, as if it had succeeded.",
            "p = 2 (the default) adds wd·Σ‖W‖_F, the unsquared norm: degree 1, gradient wd·W/‖W‖_F of "
            "constant size wd per tensor, a group-lasso penalty and not weight decay; SGD (η = 1) on it "
            "alone takes a 1×20 weight from ‖W‖ = 0.72 to below ηwd in 72 steps, where weight decay with "
            "λ = wd would leave 0.35.",
            "p = 1 adds wd·Σ|W|: L1 with μ = wd on the selected tensors, gradient wd·sign(W).",
            "p = 0, said to be L2, adds wd times the number of nonzero entries (0.01 × 220 = 2.2 on the "
            "MLP) with zero gradient: training with it is training without it.",
            "The 'weight' in name filter selects LayerNorm and BatchNorm scales, embeddings, GRU and "
            "attention projection weights, and any bias under a module whose name contains 'weight'; it "
            "misses every other bias and parameters named otherwise (a 'kernel').",
        ),
        evidence=(
            "src.pydl.listing_defects",
            "src.pydl.regularization_p2",
            "src.pydl.regularization_p1",
            "src.pydl.regularization_p0",
            "src.pydl.name_filter",
        ),
    ),
    Listing(
        id="manhua.sgd_wd",
        source="manhua",
        section="如何在常见框架中使用权重衰减?",
        behaviour="optim.SGD(model.parameters(), lr=0.01, weight_decay=1e-4), given as the PyTorch form of "
        "Loss + ½λ‖w‖².",
        findings=(
            "It is SGD on Loss + ½λ‖θ‖² with λ = 1e-4 (opt.sgd_equiv), step by step within a derived "
            "rounding bound, over every parameter: the biases are decayed too, which the formula's w "
            "does not say; with the weights only, the bias updates differ by up to 6.9e-7 per step.",
        ),
        evidence=("src.manhua.sgd_wd",),
    ),
    Listing(
        id="manhua.keras_l2",
        source="manhua",
        section="如何在常见框架中使用权重衰减?",
        behaviour="Says that in TensorFlow/Keras weight decay is added with the L2 regulariser "
        "(regularizers.l2) on a layer.",
        findings=(
            "keras.regularizers.L2(l2) on a Dense kernel adds l2·‖W‖² (no ½) and gradient 2·l2·W, and "
            "nothing for the bias: the formula's ½λ‖w‖² needs l2 = λ/2 (checked with Keras 3 on the "
            "torch backend); l2 = λ doubles the penalty.",
        ),
        evidence=("src.manhua.keras_l2",),
    ),
)

# ----------------------------------------------------------------------------------------------------
# The claims of the five texts, in the order the texts make them.

_CLAIMS: tuple[Claim, ...] = ()

# ----------------------------------------------------------------------------------------------------

#: One record per code listing of the five texts.
LISTINGS: tuple[Listing, ...] = _D2L_LISTINGS + _REGULARISER_LISTINGS

#: One record per factual claim of the five texts.
CLAIMS: tuple[Claim, ...] = _CLAIMS
