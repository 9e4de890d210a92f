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

# Numbers are those of the evidence checks at seed 0 in float64 (``wdt claims --source d2l``; d2l runs
# in float32, whose draws differ: there the printed norms are 14.17 and 0.382 scratch, 14.17 and 0.434
# concise, with the same explanations).
_D2L_SECTION_SCRATCH = "权重衰减的从头实现 (weight decay from scratch)"

_D2L_LISTINGS: tuple[Listing, ...] = (
    Listing(
        id="d2l.listing_data",
        source="d2l",
        section=_D2L_SECTION_SCRATCH + ", 数据生成 (data generation)",
        behaviour="Sets 20 training and 100 test examples, 200 inputs and batches of 5; takes every true "
        "weight 0.01 and the true bias 0.05; draws both sets with d2l's synthetic_data (standard normal "
        "inputs, the linear target plus N(0, 0.01²) noise, targets as one column) and wraps them in d2l "
        "loaders: the training set reshuffled on every pass, the test set in fixed order.",
        findings=(
            "The 20 training inputs span only 20 of the 200 dimensions (rank 20), leaving a 180-dimensional "
            "null space that no gradient of the data term reaches, so whatever a run's start puts there "
            "stays unless weight decay shrinks it (gd.min_norm, l2.update).",
            "The noise the helper adds has the stated size: its sample sd over the 120 examples is 0.0101 "
            "(0.01 set).",
            "The animator's evaluation of the training loss iterates the shuffled training loader, which "
            "draws a fresh permutation, so the plotting schedule changes the batch order of later epochs; "
            "both loops plot at the same epochs, so they still see the same batches from the same seed.",
        ),
        evidence=("src.d2l.data",),
    ),
    Listing(
        id="d2l.listing_init_penalty",
        source="d2l",
        section=_D2L_SECTION_SCRATCH + ", 初始化模型参数 / 定义惩罚项 (initialisation, penalty)",
        behaviour="init_params draws the weight column (200 × 1) from N(0, 1) and sets the bias to 0, both "
        "tracking gradients; l2_penalty returns half the sum of the squared weights, ‖w‖²/2, and is applied "
        "to the weight only.",
        findings=(
            "As printed, init_params creates w and b but returns nothing, so the training function's "
            "unpacking of its result raises TypeError (cannot unpack None); the re-implementation returns "
            "[w, b], as d2l does.",
            "λ·l2_penalty(w) is the (λ/2)‖w‖² of the text's formula: its gradient λw turns each step into "
            "w ← (1 − ηλ)w − η∇(data term) (l2.update).",
            "A N(0, I) start in 200 dimensions has norm about √200; at seed 0 its part in the "
            "180-dimensional null space of the training inputs has norm 14.54, which is the norm the "
            "λ = 0 runs print (gd.min_norm).",
        ),
        evidence=("src.d2l.scratch", "src.d2l.data"),
    ),
    Listing(
        id="d2l.listing_train",
        source="d2l",
        section=_D2L_SECTION_SCRATCH + ", 训练 (training)",
        behaviour="For 100 epochs of 4 batches: adds λ·l2_penalty(w), a scalar broadcast onto each of the 5 "
        "per-example squared losses r²/2, sums, backpropagates and calls d2l's sgd with rate 0.003 (which "
        "divides the gradient by the batch size and zeroes it); after every epoch with epoch % 5 == 1 hands "
        "the animator the mean r²/2 on the training and test sets; finally prints ‖w‖.",
        findings=(
            "The penalty is counted 5 times in the summed batch loss and divided by 5 again in sgd, so each "
            "step is w ← w − η(λw + mean_B r·x): plain gradient steps on mean r²/2 + (λ/2)‖w‖² (l2.update).",
            "λ = 0 prints ‖w‖ = 14.54, predicted 14.54: the null-space part of the start (14.54) never moves "
            "and the row-space part (0.047) follows full-batch GD within 3% (gd.min_norm, es.trajectory).",
            "λ = 3 prints ‖w‖ = 0.392, predicted 0.392: the null-space part is multiplied by "
            "(1 − 0.003·3)^400 ≈ 0.027 exactly (14.54 → 0.391, l2.update) and the row-space part is 0.035 "
            "(es.trajectory).",
            "The last plotted test loss is 113 for λ = 0 and 0.12 for λ = 3: the λ = 0 gap comes from the "
            "untouched null-space part of the random start, not from fitted noise (es.nonzero_init, "
            "gd.min_norm).",
            "The print call passes a string with a '{}' placeholder and the number as two separate "
            "arguments, so nothing fills the placeholder and the output shows the braces, a space and the "
            "number.",
        ),
        evidence=("src.d2l.scratch",),
    ),
    Listing(
        id="d2l.listing_train_concise",
        source="d2l",
        section="权重衰减的高级API实现 (the concise implementation)",
        behaviour="Builds nn.Linear(200, 1) and re-draws every parameter, the bias included, from N(0, 1); "
        "uses nn.MSELoss per example (r², no ½) and torch.optim.SGD with rate 0.003 and two parameter "
        "groups, the weight with weight_decay = wd and the bias without; per batch clears the gradients, "
        "backpropagates the mean loss and steps; the same animator schedule and final print of ‖w‖.",
        findings=(
            "Each step is w ← w − η(wd·w + 2·mean_B r·x), which is exactly the scratch loop at λ = wd/2 and "
            "rate 2η: run from one start on the same batches the two agree to 1e-14 over all 400 iterates "
            "in float64, within the derived rounding bound (opt.sgd_equiv, l2.update).",
            "It is not the scratch loop at λ = wd: both shrink the null-space part by the same 1 − η·wd per "
            "step, so at wd = λ = 3 from one start both print about 0.43 (0.435 and 0.427, null parts "
            "equal to 5e-16), while their row-space parts differ by 0.018, as full-batch GD predicts "
            "(0.018; es.trajectory).",
            "wd = 3 prints ‖w‖ = 0.435 against the predicted 0.434 (null part 0.391, row part 0.19 vs 0.19 "
            "predicted); wd = 0 prints 14.54, the untouched null-space part (l2.update, gd.min_norm).",
            "Every parameter is re-drawn, so the bias starts at a N(0, 1) draw (0.94 at seed 0) where the "
            "scratch loop starts it at 0; the bias is not decayed, so its start enters the row-space part "
            "(es.trajectory); the weight is a 1 × 200 row where scratch has a 200 × 1 column.",
            "Its animator plots the mean of r² where scratch plots the mean of r²/2: the same network gives "
            "curves exactly twice as high (ratio 2 to rounding).",
            "The same unfilled '{}' placeholder appears in its print call.",
        ),
        evidence=("src.d2l.concise", "src.d2l.same_experiment"),
    ),
    Listing(
        id="d2l.listing_loop_body",
        source="d2l",
        section="trainer.zero_grad() / l.mean().backward() / trainer.step() (the loop body, explained)",
        behaviour="The text explains the concise loop's body line by line: gradients are cleared first "
        "because backward adds to them; the batch loss is a vector, averaged to a scalar before "
        "backpropagation; the optimiser's step then updates the weights from the gradients.",
        findings=(
            "backward() adds to .grad (two calls leave the sum of both gradients); torch ≥ 2.0's zero_grad() "
            "sets the gradients to None rather than to 0 as the text says, with the same effect on the next "
            "backward.",
            "Without zero_grad the steps use the running sum of all past data gradients (SGD adds the "
            "weight_decay term to a copy, so that term does not pile up): after 4 steps the weights are 1.5 "
            "away from plain SGD (opt.sgd_equiv).",
            "backward() on the vector of 5 losses raises RuntimeError; .mean() gives the gradient of the "
            "batch mean, the summed loss's divided by 5, which the scratch loop's sgd does by hand.",
        ),
        evidence=("src.d2l.zero_grad", "src.d2l.backward_mean"),
    ),
)

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
