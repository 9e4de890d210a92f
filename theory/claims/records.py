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

_REGULARISER_LISTINGS: tuple[Listing, ...] = ()

# ----------------------------------------------------------------------------------------------------
# The claims of the five texts, in the order the texts make them.

_CLAIMS: tuple[Claim, ...] = ()

# ----------------------------------------------------------------------------------------------------

#: One record per code listing of the five texts.
LISTINGS: tuple[Listing, ...] = _D2L_LISTINGS + _REGULARISER_LISTINGS

#: One record per factual claim of the five texts.
CLAIMS: tuple[Claim, ...] = _CLAIMS
