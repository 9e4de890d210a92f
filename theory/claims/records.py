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
            "draws a fresh permutation, so the plotting schedule changes the batch order of later epochs. "
            "In the text one training loader, driven by torch's global random state, is shared by every "
            "run, so successive runs (λ = 0, then λ = 3; scratch, then concise) see different batch orders; "
            "our re-implementation seeds each run, which is why its two loops see the same batches.",
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
            "The text defines train(lambd) but never calls it (nor train_concise); the runs below use λ = 0 "
            "and λ = 3, the values of the d2l book's own experiment, not values from this text.",
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
            "As with train, the text never calls train_concise; wd ∈ {0, 3} are the d2l book's values.",
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
        id="apx.listing_adam_l2",
        source="apx",
        section="L2 regularisation through the optimiser's weight_decay",
        behaviour="Builds torch.optim.Adam over all of model.parameters() with lr = 0.001 and "
        "weight_decay = 0.01 for the MLP Linear(10, 20)–ReLU–Linear(20, 1) (named in a comment), trains on "
        "nn.MSELoss, and says the L2 term is handled by step(). (The shrink by 1 − ηλ per step is the "
        "text's account of an SGD step, given before the listing, not a statement about this Adam code.)",
        findings=(
            "As printed the snippet cannot run: the model exists only in a comment, so building the "
            "optimiser over its parameters raises NameError (the training steps are comments too); the "
            "re-implementation builds the commented MLP.",
            "Adam(weight_decay=λ) adds λθ to the gradient before the moments (opt.adam_not_equiv): on the "
            "diabetes data its iterates equal Adam on MSE + (λ/2)Σ‖θ‖² over every parameter, biases "
            "included, step by step within a derived rounding bound (worst 0.1 of it).",
            "It is not AdamW: from the same state the two differ by a median 6.6e-7 per step at λ = 0.01, "
            "η = 0.001, 9·10⁹ times its rounding bound.",
            "The text's 'shrink by 1 − ηλ first' account (stated for an SGD step, before the listing) holds "
            "for SGD (opt.sgd_equiv, to rounding) but does not carry over to the Adam the listing uses: "
            "after 25 steps Adam's decay contribution per entry ranges from −1.2 to 47 times ηλθ (median "
            "1.1), because it is divided by √v̂ with the data gradient.",
        ),
        evidence=("src.apx.adam_l2",),
    ),
    Listing(
        id="apx.listing_l1_sgd",
        source="apx",
        section="L1 regularisation added to the loss by hand",
        behaviour="Sums |θ| over the parameters with more than one dimension, multiplies by λ₁ = 0.005, "
        "adds it to the MSE loss and trains with plain SGD (lr = 0.001).",
        findings=(
            "As printed the snippet cannot run: the model and the original (data) loss are defined only in "
            "comments, so the optimiser line and the line adding the penalty to the loss raise NameError.",
            "On the commented MLP with the listing's λ₁ = 0.005 the term touches the weight matrices only "
            "(dim > 1), never the biases; its gradient is λ₁·sign(W), and torch's subgradient at an entry "
            "equal to 0 is 0.",
            "The sparsity runs use other values than the listing, on purpose: Linear(10, 1) on the diabetes "
            "data with λ₁ = 0.1 and η = 0.05, because the lasso solution to start from is computable "
            "exactly only for the convex linear model, and at the listing's λ₁ = 0.005 (α₁ = 0.0025) it has "
            "no zero coefficient to test, while at λ₁ = 0.1 it has 4.",
            "SGD on it leaves no exact zeros: started at that lasso solution (l1.soft_threshold; the MSE's "
            "λ₁ is α₁ = λ₁/2 = 0.05 on (1/2n)‖r‖²), SGD with η = 0.05 "
            "moves every zero off 0: over 300 steps they stay between 3.5e-6 and 0.0092 in absolute "
            "value, inside the derived bound η(λ₁ + max|∂MSE/∂w|) ≈ 0.0096 and never within rounding of 0.",
            "A proximal step (gradient step then soft threshold, l1.soft_threshold) from the same point "
            "keeps the 4 exact zeros and stays at the project's lasso solution within its KKT bound.",
        ),
        evidence=("src.apx.l1_sgd",),
    ),
    Listing(
        id="apx.listing_enet_adam",
        source="apx",
        section="Elastic net: the hand L1 term plus Adam's weight_decay",
        behaviour="Adds λ₁ = 0.005 times the L1 norm of the weight matrices to the MSE loss and trains "
        "with Adam(lr = 0.001, weight_decay = 0.01) for the L2 part.",
        findings=(
            "As printed the snippet cannot run: the model and the original loss exist only in comments "
            "(NameError at the optimiser line and at the total loss).",
            "The run uses Linear(10, 1) on the diabetes data with λ₁ = λ₂ = 0.1 and the listing's η = 0.001, "
            "not the listing's λ₁ = 0.005, λ₂ = 0.01 on the MLP: the elastic-net solution is exactly "
            "computable only for the convex linear model, and the larger λ₁ gives it zero coefficients to "
            "test (4).",
            "The objective is MSE + λ₁Σ_{dim>1}‖W‖₁ + (λ₂/2)Σ_all‖θ‖²: the L1 part skips the biases and the "
            "L2 part decays them. The project's elastic net (enet.path, α₁ = λ₁/2, α₂ = λ₂/2 on (1/2n)‖r‖²) "
            "with intercept 2ȳ/(2 + λ₂) is stationary for it in the subgradient sense: the gradient Adam's "
            "moments see is 0 on the support and on the bias, within the KKT and rounding bound; at the zero "
            "entries it is ∂MSE/∂w_i (torch's sign(0) = 0), non-zero but at most λ₁ in size (KKT). So the "
            "solution is not a fixed point of Adam.",
            "Accordingly Adam produces no exact zeros: from the elastic-net solution it moves every zero off "
            "0 and hovers within about 10⁻³ (one to a few learning rates) of the solution.",
            "Because Adam's weight_decay is coupled L2, this is not the elastic net one gets with AdamW "
            "(opt.adam_not_equiv).",
        ),
        evidence=("src.apx.enet_adam", "src.apx.adam_l2"),
    ),
    Listing(
        id="pydl.listing_adam_wd",
        source="pydl",
        section="4.代码实现",
        behaviour="One line building torch.optim.Adam over all the model's parameters, its learning rate a "
        "variable and weight_decay set to 0.01, said to give L2 regularisation with λ = 0.01.",
        findings=(
            "As printed the line cannot run: model and learning_rate are never defined in the text "
            "(NameError).",
            "The same coupled L2 as the apx listing: Adam on loss + (0.01/2)Σ‖θ‖² over every parameter, "
            "biases included, not AdamW (opt.adam_not_equiv); checked at η = 0.001 and η = 0.01.",
        ),
        evidence=("src.apx.adam_l2",),
    ),
    Listing(
        id="pydl.listing_regularization",
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
            "identify_penalty (theory.empirical.penalties), pointed at the module's forward as a user "
            "would, finds the same from the outside: p = 2 a group norm with c = wd, p = 1 L1 with μ = wd, "
            "p = 0 a zero-gradient count; the apx text's hand L1 is L1 with μ = λ₁ on the weight matrices.",
        ),
        evidence=(
            "src.pydl.listing_defects",
            "src.pydl.regularization_p2",
            "src.pydl.regularization_p1",
            "src.pydl.regularization_p0",
            "src.pydl.name_filter",
            "src.pydl.identified",
        ),
    ),
    Listing(
        id="manhua.listing_sgd_wd",
        source="manhua",
        section="如何在常见框架中使用权重衰减?",
        behaviour="A torch.optim.SGD over all the model's parameters with learning rate 0.01 and "
        "weight_decay 1e-4, given as the PyTorch form of Loss + ½λ‖w‖².",
        findings=(
            "As printed the code cannot run: the import statement and the optimiser line are fused into one "
            "line (the line break between them was lost), a SyntaxError when copied; with the break "
            "restored it still needs a model, which the text does not define.",
            "It is SGD on Loss + ½λ‖θ‖² with λ = 1e-4 (opt.sgd_equiv), step by step within a derived "
            "rounding bound, over every parameter: the biases are decayed too, which the formula's w "
            "does not say; with the weights only, the bias updates differ by up to 6.9e-7 per step.",
        ),
        evidence=("src.manhua.sgd_wd",),
    ),
    Listing(
        id="manhua.listing_keras_l2",
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

#: What the catalogue says for weights followed by BatchNorm/LayerNorm (used by several claims).
_NET_SCALE_INVARIANT = (
    "For weights of a bias-free layer (or one whose bias is scaled with W) followed by BatchNorm (batch "
    "statistics) or LayerNorm with eps → 0, the network computes the same function at W and cW "
    "(si.gradient; src.manhua.normalised_sensitivity; a bias before LayerNorm breaks this, BatchNorm's "
    "batch mean removes it), so the size of those weights "
    "says nothing about the function: weight decay there raises the effective learning rate η/‖w‖² "
    "(si.effective_lr) and sets an equilibrium angular update of about √(2ηλ) per step (si.equilibrium)."
)
_NET_QUADRATIC = (
    "For a network the statement holds only in the local quadratic model at a strict minimiser: with the "
    "loss Hessian H positive definite there and α well below its smallest eigenvalue, the regularised "
    "minimiser is (H + αI)⁻¹Hw* to first order in α (l2.path_derivative; l2.eigen's empirical route "
    "trains a tanh MLP with more examples than parameters and α ≪ λ_min). Networks' minima are often "
    "degenerate: ReLU rescaling (a → ca, b → b/c) or normalisation leaves the loss unchanged along curves "
    "through w*, so H is singular at every minimiser. There the penalty slides w* along the set of "
    "minimisers towards its least-norm point, which the formula does not see: for ½(ab − 1)² at "
    "w* = (2, 0.5), H has eigenvalues 0 and 4.25, the penalised minimiser tends to (1, 1), 1.12 from w*, "
    "and the formula gives (0.235, 0.941), not even a minimiser (src.ddlee.degenerate_minimum)."
)
#: The optimiser-side condition of every "weight decay is L2" claim (linear models and networks alike).
_DECOUPLED = (
    " With decoupled decay (AdamW, Adafactor and Muon, and Adam, NAdam and RAdam with "
    "decoupled_weight_decay=True, found by running every torch.optim optimiser: src.pydl.weight_decay_is_l2) "
    "the step is w ← (1 − ηλ)w − ηu, so the weights are an exponential moving average of the updates u "
    "with timescale 1/(ηλ) iterations (adamw.ema), not the minimiser of a penalised loss; this holds for "
    "linear models as for networks."
)
_OVERFITTING_CONDITIONS = (
    "For linear regression (x ~ N(0, I)): ridge with the optimal α never has larger expected test risk than "
    "with α = 0 and its risk does not increase with n (ridge.double_descent), and α lowers the effective "
    "degrees of freedom Σλ_i/(λ_i + α) (l2.dof). A badly chosen α can do worse than no penalty: as α → ∞ "
    "the expected risk tends to σ² + ‖β‖², which exceeds least squares' σ² + σ²d/(n − d − 1) whenever "
    "‖β‖² > σ²d/(n − d − 1) (src.manhua.bad_alpha_risk, with ridge.double_descent's E R(ŵ₀)). The texts "
    "give no conditions and no network result; the catalogue proves none for networks."
)
#: the evidence the overfitting conditions cite
_OVERFITTING_EVIDENCE = ("ridge.double_descent", "l2.dof", "src.manhua.bad_alpha_risk")

_CLAIMS: tuple[Claim, ...] = (
    # ------------------------------------------------------------------------------------------ d2l
    Claim(
        id="d2l.wd_is_l2",
        source="d2l",
        section="权重衰减",
        claim="Weight decay works by adding to the loss a term proportional to the squared weights, and is "
        "therefore the same thing as L2 regularisation.",
        verdict="holds under conditions",
        conditions="Identical for (S)GD, with or without momentum: SGD(weight_decay=λ) takes exactly the "
        "steps of SGD on L + (λ/2)‖w‖² (opt.sgd_equiv). For Adam the L2 term's gradient is rescaled by "
        "1/√v̂, and AdamW's decoupled decay is not an L2 penalty at all (opt.adam_not_equiv)." + _DECOUPLED,
        evidence=(
            "opt.sgd_equiv",
            "opt.adam_not_equiv",
            "l2.update",
            "src.pydl.weight_decay_is_l2",
            "adamw.ema",
        ),
    ),
    Claim(
        id="d2l.smaller_weights",
        source="d2l",
        section="权重衰减",
        claim="Minimising the squared L2 norm of the weights together with the loss keeps the weights from "
        "becoming large.",
        verdict="holds",
        conditions="Exactly: the penalised minimiser's norm ‖w̃(α)‖ decreases as α grows, and w̃(α) "
        "minimises the loss on the ball of that radius (l2.constraint); along each eigendirection of H it is "
        "scaled by λ_i/(λ_i + α) (l2.eigen).",
        evidence=("l2.constraint", "l2.eigen"),
        network=_NET_SCALE_INVARIANT,
    ),
    Claim(
        id="d2l.l2_norm_definition",
        source="d2l",
        section="L2范数",
        claim="The text defines the L2 norm of a weight vector and its square (the formulas are not in the "
        "text as we have it; they were images).",
        verdict="not a mathematical claim",
        conditions="A definition, and its formula is missing from our copy, so there is nothing to check.",
    ),
    Claim(
        id="d2l.penalised_loss",
        source="d2l",
        section="损失函数及权重衰减项",
        claim="The loss with weight decay is the original loss plus (λ/2)‖w‖₂², with λ a positive "
        "hyperparameter; the second term is the weight-decay (L2) term.",
        verdict="holds",
        conditions="A definition; it is the catalogue's canonical convention (α/2)‖w‖² (docs/reference.md, "
        "'Library conventions'), whose gradient gives the update rule of l2.update.",
        evidence=("l2.update",),
    ),
    Claim(
        id="d2l.less_complexity",
        source="d2l",
        section="权重衰减的效果",
        claim="Weight decay makes training prefer smaller weights, and smaller weights reduce the model's "
        "complexity and so the risk of overfitting.",
        verdict="holds under conditions",
        conditions="'Complexity' is not defined in the text. For a linear model, the effective degrees of "
        "freedom Σλ_i/(λ_i + α) fall as α grows (l2.dof) and the minimiser's norm falls (l2.constraint). "
        + _OVERFITTING_CONDITIONS,
        evidence=("l2.dof", "l2.constraint", "ridge.double_descent", "src.manhua.bad_alpha_risk"),
        network=_NET_SCALE_INVARIANT,
    ),
    Claim(
        id="d2l.generalisation",
        source="d2l",
        section="权重衰减的效果",
        claim="L2 regularisation improves generalisation, so the model does better on unseen data (repeated "
        "at the end of the update-rule section).",
        verdict="holds under conditions",
        conditions=_OVERFITTING_CONDITIONS,
        evidence=("ridge.double_descent", "l2.conditioning", "src.manhua.bad_alpha_risk"),
        network=_NET_SCALE_INVARIANT,
    ),
    Claim(
        id="d2l.update_rule",
        source="d2l",
        section="梯度下降中的权重更新规则",
        claim="Under gradient descent with learning rate η on the penalised loss, each weight's update "
        "contains a term proportional to the weight itself (the formula is not in the text as we have it), "
        "which keeps the weights from growing too fast.",
        verdict="holds under conditions",
        conditions="For (S)GD the step is w ← (1 − ηλ)w − η∇L(w): a shrink by the factor 1 − ηλ (l2.update, "
        "opt.sgd_equiv). With momentum the decay enters the momentum buffer (still the L2 gradient); with "
        "Adam's coupled weight_decay the term is divided by √v̂, so it is not a uniform shrink "
        "(opt.adam_not_equiv).",
        evidence=("l2.update", "opt.sgd_equiv", "opt.adam_not_equiv"),
        network="On scale-invariant weights the shrink does not slow the function's change: it raises the "
        "effective learning rate η/‖w‖² (si.effective_lr).",
    ),
    Claim(
        id="d2l.data_model",
        source="d2l",
        section="权重衰减的从头实现",
        claim="The experiment is high-dimensional linear regression: 200 inputs, 20 training and 100 test "
        "examples, labels 0.05 + Σ 0.01·x_i plus Gaussian noise of standard deviation 0.01 (the formula is "
        "not in the text as we have it; the values are in its code and the noise line).",
        verdict="holds",
        conditions="The data model as the listing generates it: the re-implemented generator gives noise of "
        "sample sd 0.0101, the stated shapes and training inputs of rank 20 (src.d2l.data); with 20 examples "
        "and 200 inputs H = XᵀX/n has rank 20, so GD never moves the 180-dimensional null-space part of the "
        "initial weights (gd.min_norm, es.nonzero_init), which is what the printed norms reflect.",
        evidence=("src.d2l.data", "gd.min_norm"),
    ),
    Claim(
        id="d2l.closure_remark",
        source="d2l",
        section="权重衰减的从头实现",
        claim="A code comment says the training function only needs the network and the loss as abstract "
        "functions, not their concrete parameters.",
        verdict="not a mathematical claim",
        conditions="A remark on how the code is organised; the network lambda does use w and b, which it "
        "captures by closure from the enclosing function.",
    ),
    Claim(
        id="d2l.norm_comment",
        source="d2l",
        section="权重衰减的从头实现",
        claim="A code comment says that torch.norm(w) computes the norm (the value the loop prints).",
        verdict="holds",
        conditions="torch.norm(w) with the default p is the unsquared Euclidean norm ‖w‖₂ (the Frobenius "
        "norm for a matrix), not the squared norm ‖w‖² of the penalty; the same function with p = 2 inside a "
        "penalty is what makes the pydl text's module a group-lasso penalty instead of weight decay "
        "(src.pydl.regularization_p2).",
        evidence=("src.pydl.regularization_p2",),
    ),
    Claim(
        id="d2l.same_experiment",
        source="d2l",
        section="权重衰减的高级API实现",
        claim="The concise implementation (nn.MSELoss, torch.optim.SGD with weight_decay on the weight's "
        "parameter group only) is the same weight-decay experiment as the from-scratch one.",
        verdict="false",
        conditions="Not at the same numbers: the from-scratch data term is the mean of (ŷ − y)²/2 while "
        "nn.MSELoss has no ½, so the concise run's data gradient is twice as large at the same lr and the "
        "same value of wd is half the penalty relative to the data term; the concise run also initialises "
        "the bias from N(0, 1) where the from-scratch one starts it at 0. Both decay the weight only.",
        evidence=("src.d2l.same_experiment", "src.d2l.scratch", "src.d2l.concise", "l2.ridge"),
    ),
    Claim(
        id="d2l.trainer_comment",
        source="d2l",
        section="权重衰减的高级API实现",
        claim="A code comment says that the trainer holds the parameters to optimise and the learning rate.",
        verdict="holds under conditions",
        conditions="It also holds a weight_decay per parameter group: the weight's group decays with wd and "
        "the bias's group not at all, which is where the concise loop's weight decay lives "
        "(src.d2l.concise); the comment leaves that out.",
        evidence=("src.d2l.concise",),
    ),
    Claim(
        id="d2l.zero_grad_accumulates",
        source="d2l",
        section="权重衰减的高级API实现",
        claim="Gradients accumulate by default: each backward() adds to the stored gradient, so the old "
        "gradients must be cleared before every training iteration or the gradient used is wrong.",
        verdict="holds under conditions",
        conditions="Accumulation is torch's behaviour (src.d2l.zero_grad_semantics). Clearing is needed when "
        "each step should use only the current batch; accumulating over several backward calls on purpose "
        "(gradient accumulation over micro-batches) is a correct and common use.",
        evidence=("src.d2l.zero_grad", "src.d2l.zero_grad_semantics"),
    ),
    Claim(
        id="d2l.zero_grad_sets_zero",
        source="d2l",
        section="权重衰减的高级API实现",
        claim="trainer.zero_grad() sets all the model parameters' gradients to 0; trainer is the optimiser "
        "object that updates the weights.",
        verdict="holds under conditions",
        conditions="Since torch 2.0 the default set_to_none=True leaves .grad as None rather than a zero "
        "tensor (zeros only with set_to_none=False); the next backward() then writes the gradient afresh, so "
        "the effect on training is the same. It touches only the parameters given to that optimiser, not "
        "every parameter of the model (src.d2l.zero_grad_semantics).",
        evidence=("src.d2l.zero_grad_semantics",),
    ),
    Claim(
        id="d2l.loss_line",
        source="d2l",
        section="权重衰减的高级API实现",
        claim="l = loss(net(X), y) computes the difference between the model's predictions for X and the "
        "labels with a loss function chosen for the task.",
        verdict="holds",
        conditions="With nn.MSELoss(reduction='none') it is the vector of squared errors (ŷ − y)², one per "
        "example, without the ½ of the from-scratch squared_loss: on the same network its values are exactly "
        "twice squared_loss's (src.d2l.same_experiment measures the ratio 2).",
        evidence=("src.d2l.same_experiment",),
    ),
    Claim(
        id="d2l.mean_backward",
        source="d2l",
        section="权重衰减的高级API实现",
        claim="Because the batch loss is a vector, .mean() first reduces it to a scalar, and .backward() "
        "then computes the gradient of that mean loss with respect to the parameters by the chain rule.",
        verdict="holds",
        conditions="backward() on the vector of per-example losses raises (it needs an explicit gradient "
        "argument), hence the reduction; the mean makes the gradient the batch average, which the "
        "from-scratch version obtains by summing and dividing by the batch size inside its sgd (both checked "
        "on real autograd: src.d2l.backward_mean).",
        evidence=("src.d2l.backward_mean",),
    ),
    Claim(
        id="d2l.step",
        source="d2l",
        section="权重衰减的高级API实现",
        claim="trainer.step() updates the weights from the gradients by the optimiser's rule; the gradient "
        "gives the slope of the loss and the optimiser uses it to reduce the loss.",
        verdict="holds under conditions",
        conditions="For SGD with weight_decay the step is w ← w − lr·(∇L + wd·w) (l2.update, opt.sgd_equiv). "
        "A step lowers the loss only for a small enough learning rate: on a quadratic GD with decay "
        "converges iff 0 < lr < 2/(λ_max + wd) (gd.stability), and a stochastic step can raise the full "
        "loss.",
        evidence=("l2.update", "opt.sgd_equiv", "gd.stability"),
    ),
    # ---------------------------------------------------------------------------------------- ddlee
    Claim(
        id="ddlee.wd_is_l2_penalty",
        source="ddlee",
        section="深度学习中的权重衰减",
        claim="Weight decay is the L² norm penalty, one of the most common regularisation techniques.",
        verdict="holds under conditions",
        conditions="The same for (S)GD (opt.sgd_equiv); not for Adam's preconditioned steps or AdamW's "
        "decoupled decay (opt.adam_not_equiv). 'Most common' is not a mathematical statement." + _DECOUPLED,
        evidence=("opt.sgd_equiv", "opt.adam_not_equiv", "src.pydl.weight_decay_is_l2", "adamw.ema"),
    ),
    Claim(
        id="ddlee.ml_philosophy",
        source="ddlee",
        section="为什么要引入权重衰减",
        claim="Machine learning proceeds by trial, error and correction: it searches a space of hypotheses "
        "for the model that best fits the data, reasoning from effects to causes, which is the idea of "
        "maximum likelihood.",
        verdict="not a mathematical claim",
        conditions="A view of the method, not a statement that can be checked.",
    ),
    Claim(
        id="ddlee.distributed_representations",
        source="ddlee",
        section="为什么要引入权重衰减",
        claim="Distributed representations give deep models an exponential gain, so their capacity to scale "
        "is almost unlimited.",
        verdict="not a mathematical claim",
        conditions="Stated without a model class, measure or conditions; nothing in the catalogue decides "
        "it.",
    ),
    Claim(
        id="ddlee.core_problem",
        source="ddlee",
        section="为什么要引入权重衰减",
        claim="Given a family of models and data, the central problem of machine learning is to make the "
        "model both describe the data (fit) and generate it (generalise).",
        verdict="not a mathematical claim",
        conditions="A framing of the field, not a checkable statement; its precise counterpart for ridge "
        "regression is the bias-variance trade-off of ddlee.bias_variance.",
    ),
    Claim(
        id="ddlee.three_regimes",
        source="ddlee",
        section="为什么要引入权重衰减",
        claim="There are three cases: the model family excludes the true data-generating process "
        "(underfitting, high bias), matches it, or includes it along with other information (overfitting, "
        "high variance).",
        verdict="not a mathematical claim",
        conditions="An informal taxonomy (after Goodfellow et al., Deep Learning, ch. 7), not a checkable "
        "statement.",
    ),
    Claim(
        id="ddlee.bias_variance",
        source="ddlee",
        section="为什么要引入权重衰减",
        claim="High bias is cured by a more expressive model, high variance by suitable regularisation, and "
        "the two trade off against each other.",
        verdict="holds under conditions",
        conditions="For ridge regression the trade-off is exact: the bias ‖w̃ − w*‖ grows with α "
        "(l2.conditioning) while the estimate's variance along q_i falls by (λ_i/(λ_i + α))² "
        "(src.ddlee.noise_directions). That a deeper network cures high bias is not a mathematical claim "
        "here.",
        evidence=("l2.conditioning", "src.ddlee.noise_directions"),
    ),
    Claim(
        id="ddlee.mlp_suffices",
        source="ddlee",
        section="深度学习模型的参数",
        claim="The text says the ordinary multilayer perceptron is adequate for fitting ordinary functions, "
        "while images and similar data call for more flexible architectures.",
        verdict="not a mathematical claim",
        conditions="No measure of 'adequate' is given. An MLP with one hidden layer can approximate any "
        "continuous function on a compact set (the universal approximation theorem), so the difference is "
        "one of efficiency and inductive bias, which the catalogue does not treat.",
    ),
    Claim(
        id="ddlee.parameters_carry_capacity",
        source="ddlee",
        section="深度学习模型的参数",
        claim="Deep models stack linear layers and nonlinearities; architectures such as CNNs, LSTMs and "
        "ResNets add human prior knowledge, and what determines a model's expressive power is the matrices "
        "and vectors of its multiplications.",
        verdict="not a mathematical claim",
        conditions="A description of architectures and an opinion on where capacity lies; nothing here "
        "decides it (with normalisation layers the scale of those matrices does not change the function: "
        "si.gradient).",
    ),
    Claim(
        id="ddlee.objective",
        source="ddlee",
        section="权重衰减如何起作用",
        claim="With the bias set to 0 for simplicity, the regularised objective is J₁(w) = (α/2)wᵀw + J(w), "
        "and its gradient is αw + ∇J(w).",
        verdict="holds",
        conditions="Differentiation of the definition (G 7.2–7.3).",
        evidence=("l2.update:symbolic",),
    ),
    Claim(
        id="ddlee.update",
        source="ddlee",
        section="权重衰减如何起作用",
        claim="A gradient-descent step on J₁ is w ← (1 − εα)w − ε∇J(w): weight decay first rescales the "
        "parameters and then steps along the gradient.",
        verdict="holds under conditions",
        conditions="Plain (S)GD (l2.update). The gradient is taken at the unscaled w, so 'first shrink, then "
        "step' describes one simultaneous update. With momentum the decay term enters the buffer "
        "(opt.sgd_equiv); for Adam's coupled weight_decay it is rescaled by 1/√v̂ and is no uniform shrink "
        "(opt.adam_not_equiv); AdamW does shrink by (1 − ηλ) before its Adam step (adamw.ema).",
        evidence=("l2.update", "opt.sgd_equiv", "opt.adam_not_equiv"),
        network="On scale-invariant weights this shrink raises the effective learning rate η/‖w‖² "
        "(si.effective_lr).",
    ),
    Claim(
        id="ddlee.quadratic_model",
        source="ddlee",
        section="权重衰减如何起作用",
        claim="Near the optimal parameters w⁽¹⁾ (written x⁽¹⁾ once in the text) the objective is "
        "approximated by J(w⁽¹⁾) + ½(w − w⁽¹⁾)ᵀH(w − w⁽¹⁾), H the Hessian, whose gradient H(w − w⁽¹⁾) "
        "vanishes at the minimum.",
        verdict="holds under conditions",
        conditions="The second-order Taylor expansion at a minimiser of a twice differentiable J (the "
        "gradient there is 0); exact for a quadratic loss (linear least squares). The text states the "
        "gradient formula as if it followed from the gradient vanishing; it holds everywhere in the "
        "quadratic model and vanishes at w⁽¹⁾.",
        evidence=(
            "l2.optimum",
            "l2.path_derivative:numeric",
            "l2.eigen:empirical",
            "src.ddlee.degenerate_minimum",
        ),
        network=_NET_QUADRATIC,
    ),
    Claim(
        id="ddlee.hessian_information",
        source="ddlee",
        section="权重衰减如何起作用",
        claim="This shows that gradient-based optimisation draws its main information from the Hessian; in "
        "the summary, the (explicit, implicit or approximate) Hessian is the main basis of existing "
        "optimisation algorithms.",
        verdict="not a mathematical claim",
        conditions="An interpretation: first-order methods never form H; what is true is that on a quadratic "
        "the gradient is H times the displacement, so GD's progress along q_i is governed by λ_i "
        "(es.trajectory).",
        evidence=("es.trajectory",),
    ),
    Claim(
        id="ddlee.optimum",
        source="ddlee",
        section="权重衰减如何起作用",
        claim="With weight decay the optimum becomes w⁽²⁾ = (H + αI)⁻¹Hw⁽¹⁾, determined jointly by the "
        "Hessian and α.",
        verdict="holds under conditions",
        conditions="H + αI positive definite (l2.optimum). Exact for a quadratic J. For a general twice "
        "differentiable J only near a strict minimiser w⁽¹⁾ (H positive definite) and to first order in α, "
        "for α well below H's smallest eigenvalue (l2.path_derivative). At a degenerate minimiser (H "
        "singular, as for the rescaling symmetries of networks) it fails even as α → 0: the penalised "
        "minimiser moves along the set of minimisers to its least-norm point (src.ddlee.degenerate_minimum).",
        evidence=(
            "l2.optimum",
            "l2.path_derivative:numeric",
            "l2.eigen:empirical",
            "src.ddlee.degenerate_minimum",
        ),
        network=_NET_QUADRATIC,
    ),
    Claim(
        id="ddlee.eigen_scaling",
        source="ddlee",
        section="权重衰减如何起作用",
        claim="Decomposing H = QΛQᵀ gives w⁽²⁾ = Q(Λ + αI)⁻¹ΛQᵀw⁽¹⁾: weight decay rescales w along the "
        "eigenvectors of H, by the factor λ_i/(λ_i + α) along the i-th.",
        verdict="holds under conditions",
        conditions="H symmetric (a Hessian is) and λ_i + α > 0 for every i (l2.eigen).",
        evidence=("l2.eigen", "src.ddlee.degenerate_minimum"),
        network=_NET_QUADRATIC,
    ),
    Claim(
        id="ddlee.small_eigen_to_zero",
        source="ddlee",
        section="权重衰减如何起作用",
        claim="Where λ_i is large compared with α the factor barely changes the weight; where it is small, α "
        "dominates and decays the weight in that direction to 0.",
        verdict="holds under conditions",
        conditions="The factor λ_i/(λ_i + α) shrinks small-eigenvalue components toward 0, but to exactly 0 "
        "only where λ_i = 0 (l2.eigen); for λ_i ≪ α the component is about λ_i/α of its original size, not "
        "0. The effective degrees of freedom Σλ_i/(λ_i + α) count this soft cut (l2.dof).",
        evidence=("l2.eigen", "l2.dof", "src.ddlee.degenerate_minimum"),
        network=_NET_QUADRATIC,
    ),
    Claim(
        id="ddlee.important_directions_kept",
        source="ddlee",
        section="权重衰减如何起作用",
        claim="Through α one controls how strongly the weights are scaled along the Hessian's "
        "eigendirections: directions that reduce the objective a lot are kept, directions that do not help "
        "decay away in the course of training.",
        verdict="holds under conditions",
        conditions="For the minimiser (l2.eigen): moving by δ along q_i changes the quadratic by ½λ_iδ², so "
        "'important' means large λ_i, and those components are kept most. 'In the course of training' holds "
        "for GD on the penalised quadratic, whose iterate converges to that minimiser direction by direction "
        "at the rate 1 − ε(λ_i + α) (es.trajectory applied to H + αI; l2.conditioning).",
        evidence=("l2.eigen", "es.trajectory", "l2.conditioning", "src.ddlee.degenerate_minimum"),
        network=_NET_QUADRATIC,
    ),
    Claim(
        id="ddlee.noise_directions",
        source="ddlee",
        section="权重衰减如何起作用",
        claim="Large-eigenvalue directions carry more information about the data and small ones carry random "
        "noise; weight decay counters overfitting by ignoring the less informative directions.",
        verdict="holds under conditions",
        conditions="For linear regression with homoscedastic noise of variance σ², the least-squares "
        "estimate varies along q_i with variance σ²/(nλ_i), so noise dominates the small-eigenvalue "
        "directions, and ridge cuts that variance by (λ_i/(λ_i + α))² (src.ddlee.noise_directions). "
        "Small-eigenvalue directions are not pure noise: the true signal there is shrunk too, which is "
        "ridge's bias (l2.conditioning).",
        evidence=("src.ddlee.noise_directions", "l2.eigen", "l2.conditioning"),
        network="For a network H is the loss Hessian at a minimiser, not a data covariance; the reading "
        "holds only in the local quadratic model (l2.path_derivative).",
    ),
    Claim(
        id="ddlee.l1_formula",
        source="ddlee",
        section="L^1 范数正则化",
        claim="By a similar derivation the L1 penalty gives w⁽²⁾_i = sign(w⁽¹⁾_i)·max(|w⁽¹⁾_i| − α/H_ii, 0).",
        verdict="holds under conditions",
        conditions="Only for a diagonal H with H_ii > 0 (l1.soft_threshold; Goodfellow et al. state the "
        "assumption, the text omits it). For a general H there is no coordinate-wise formula: the solution "
        "is piecewise linear in α and certified by the KKT conditions (enet.path).",
        evidence=("l1.soft_threshold", "enet.path", "src.ddlee.degenerate_minimum"),
        network=_NET_QUADRATIC,
    ),
    Claim(
        id="ddlee.l1_sparse",
        source="ddlee",
        section="L^1 范数正则化",
        claim="Unlike the L2 result this one is discrete, so the L1 penalty pushes the parameters toward "
        "sparser solutions.",
        verdict="holds under conditions",
        conditions="For the exact minimiser: w_i is exactly 0 whenever |w⁽¹⁾_i| ≤ α/H_ii (diagonal H), and "
        "in general wherever the KKT slack is strict, while ridge has no zero coordinate for generic data "
        "(src.manhua.l2_dense_l1_sparse). The solution is continuous (piecewise linear) in α and w⁽¹⁾; only "
        "its support changes in jumps. Plain SGD on the loss with the L1 term does not reach exact zeros "
        "(src.apx.l1_sgd; l1.soft_threshold's empirical route): that needs a proximal step or an exact "
        "solver.",
        evidence=("l1.soft_threshold", "src.manhua.l2_dense_l1_sparse", "src.apx.l1_sgd"),
    ),
    Claim(
        id="ddlee.feature_selection",
        source="ddlee",
        section="L^1 范数正则化",
        claim="The text adds that practitioners often exploit this sparsity to select features.",
        verdict="holds under conditions",
        conditions="A zero coefficient drops its feature, for the exact (or proximal) L1 solution "
        "(src.manhua.l2_dense_l1_sparse, enet.path). Whether the selected features are the true ones needs "
        "conditions on the design (e.g. the irrepresentable condition of Zhao & Yu, 'On model selection "
        "consistency of Lasso', JMLR 2006), which the catalogue does not check.",
        evidence=("src.manhua.l2_dense_l1_sparse", "enet.path"),
    ),
    Claim(
        id="ddlee.map_formula",
        source="ddlee",
        section="权重衰减的贝叶斯解释",
        claim="The maximum a posteriori estimate maximises p(θ | x), equivalently log p(x | θ) + log p(θ): a "
        "log-likelihood term plus a prior term (from Bayes' rule).",
        verdict="holds",
        conditions="log p(x) does not depend on θ and log is increasing.",
        evidence=("bayes.gaussian",),
    ),
    Claim(
        id="ddlee.mle_not_enough",
        source="ddlee",
        section="权重衰减的贝叶斯解释",
        claim="From this viewpoint maximum likelihood alone is not enough; the prior p(θ) must be considered "
        "too.",
        verdict="not a mathematical claim",
        conditions="A modelling stance.",
    ),
    Claim(
        id="ddlee.gaussian_prior",
        source="ddlee",
        section="权重衰减的贝叶斯解释",
        claim="With a Gaussian prior N(w; 0, (1/λ)I) (printed with I²) the prior term is proportional to the "
        "weight-decay penalty λwᵀw plus a constant, so MAP inference with a Gaussian prior corresponds to "
        "weight decay.",
        verdict="holds under conditions",
        conditions="log N(w; 0, (1/λ)I) = −(λ/2)wᵀw + const, so the penalty is (λ/2)‖w‖². With a Gaussian "
        "likelihood of noise variance σ², MAP is ridge with α = σ²λ on the ½‖Xw − y‖² scale (= σ²λ/n on the "
        "mean scale), and equals the posterior mean (bayes.gaussian); the text's λ is the ridge α only when "
        "σ² = 1. The correspondence is between minimisers, not between training runs (see opt.adam_not_equiv "
        "for optimisers whose steps differ).",
        evidence=("bayes.gaussian",),
    ),
    Claim(
        id="ddlee.early_stopping_procedure",
        source="ddlee",
        section="权重衰减与提前终止",
        claim="Early stopping evaluates on a validation set after each epoch and stops when the validation "
        "error no longer falls; it pays for the protection against overfitting with training data held out "
        "for validation.",
        verdict="not a mathematical claim",
        conditions="A description of the procedure and its cost.",
    ),
    Claim(
        id="ddlee.es_like_l2",
        source="ddlee",
        section="权重衰减与提前终止",
        claim="Under the quadratic approximation and plain gradient descent, early stopping can have an "
        "effect equivalent to weight decay.",
        verdict="holds under conditions",
        conditions="Exactly only direction by direction, with one α_i per eigendirection, α_i = λ_i(1 − "
        "ελ_i)^τ/(1 − (1 − ελ_i)^τ), for 0 < ελ_i < 1 and w⁽⁰⁾ = 0 (es.equivalence; es.gd_generalized_ridge "
        "writes the whole iterate as a generalised ridge); a single α matches only approximately, α ≈ 1/(ετ) "
        "when ελ_i ≪ 1 and λ_i ≪ α (es.approx); from w⁽⁰⁾ ≠ 0 the penalty is centred at w⁽⁰⁾ "
        "(es.nonzero_init).",
        evidence=(
            "es.equivalence",
            "es.approx",
            "es.nonzero_init",
            "es.gd_generalized_ridge",
            "src.ddlee.degenerate_minimum",
        ),
        network=_NET_QUADRATIC,
    ),
    Claim(
        id="ddlee.es_gd_recursion",
        source="ddlee",
        section="权重衰减与提前终止",
        claim="Without regularisation a GD step on the quadratic is w⁽τ⁾ = w⁽τ⁻¹⁾ − εH(w⁽τ⁻¹⁾ − w⁽¹⁾), i.e. "
        "w⁽τ⁾ − w⁽¹⁾ = (I − εH)(w⁽τ⁻¹⁾ − w⁽¹⁾).",
        verdict="holds",
        conditions="A rearrangement of the step (the text calls it accumulation); on the quadratic model "
        "(es.trajectory).",
        evidence=("es.trajectory",),
    ),
    Claim(
        id="ddlee.es_trajectory",
        source="ddlee",
        section="权重衰减与提前终止",
        claim="Decomposing H gives w⁽τ⁾ = Q[I − (I − εΛ)^τ]Qᵀw⁽¹⁾.",
        verdict="holds under conditions",
        conditions="Only from w⁽⁰⁾ = 0, which the text does not say (Goodfellow et al. assume it); in "
        "general w⁽τ⁾ − w⁽¹⁾ = (I − εH)^τ(w⁽⁰⁾ − w⁽¹⁾) (es.trajectory), and the equivalent penalty is "
        "centred at w⁽⁰⁾ (es.nonzero_init).",
        evidence=("es.trajectory", "es.nonzero_init"),
    ),
    Claim(
        id="ddlee.l2_rewritten",
        source="ddlee",
        section="权重衰减与提前终止",
        claim="The weight-decay optimum can be rewritten as w⁽²⁾ = Q[I − (Λ + αI)⁻¹α]Qᵀw⁽¹⁾.",
        verdict="holds under conditions",
        conditions="I − α(Λ + αI)⁻¹ = (Λ + αI)⁻¹Λ, so this is l2.eigen again; it needs λ_i + α > 0.",
        evidence=("l2.eigen",),
    ),
    Claim(
        id="ddlee.es_condition",
        source="ddlee",
        section="权重衰减与提前终止",
        claim="If ε, α and τ satisfy (I − εΛ)^τ = (Λ + αI)⁻¹α, training stopped after τ steps reaches the L2 "
        "optimum with hyperparameter α.",
        verdict="holds under conditions",
        conditions="The matrix equation is one scalar equation per eigenvalue; one α satisfies all of them "
        "only when the eigenvalues (with non-zero components of w⁽¹⁾) coincide, so in general no single α "
        "exists and each direction has its own α_i (es.equivalence). It also needs 0 < ελ_i < 1 (so the left "
        "side lies in (0, 1)) and w⁽⁰⁾ = 0 (es.nonzero_init otherwise).",
        evidence=("es.equivalence", "es.nonzero_init"),
    ),
    Claim(
        id="ddlee.es_no_alpha_search",
        source="ddlee",
        section="权重衰减与提前终止",
        claim="Early stopping spares us from searching for α: only a stopping rule is needed (e.g. stop "
        "after 3 epochs without validation improvement), which saves training cost.",
        verdict="not a mathematical claim",
        conditions="A practical judgement. The stopping time τ is itself the hyperparameter that plays α's "
        "role (α ≈ 1/(ετ) for directions with ελ_i ≪ 1 and λ_i ≪ α: es.approx), chosen on the validation "
        "set, but one training run visits every τ, whereas each α needs its own run.",
        evidence=("es.approx",),
    ),
    # ------------------------------------------------------------------------------------------ apx
    Claim(
        id="apx.purpose",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="L1, L2 and elastic-net regularisation are techniques against overfitting of deep models; in a "
        "framework they need the training loop adapted to the penalty added to the loss, and L1 and L2 are "
        "implemented differently because their gradients behave differently.",
        verdict="not a mathematical claim",
        conditions="A description of purpose and practice; the gradient difference is decided in "
        "apx.l1_gradient.",
    ),
    Claim(
        id="apx.optimisers_have_weight_decay",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="L2 regularisation is so common that most optimisers implement it directly as a parameter, "
        "usually called weight_decay.",
        verdict="holds under conditions",
        conditions="In torch 2.13, 12 of torch.optim's 15 optimisers take weight_decay (LBFGS, Rprop and "
        "SparseAdam do not; src.pydl.optim_no_l1). Run step by step (src.pydl.weight_decay_is_l2), it is the "
        "gradient of an L2 penalty only in ASGD, Adadelta, Adagrad, Adam, Adamax, NAdam, RAdam, RMSprop and "
        "SGD; in AdamW, Adafactor and Muon, and in Adam, NAdam and RAdam with decoupled_weight_decay=True, "
        "it is decoupled decay, not an L2 penalty (opt.adam_not_equiv). AdamW and Muon decay by default "
        "(0.01 and 0.1).",
        evidence=("src.pydl.optim_no_l1", "src.pydl.weight_decay_is_l2", "opt.adam_not_equiv"),
    ),
    Claim(
        id="apx.l2_gradient",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="The L2-regularised loss adds a penalty on the squared weights, whose derivative with respect "
        "to the weights is proportional to the weights (the formulas are not in the text as we have it).",
        verdict="holds",
        conditions="With the penalty (λ/2)‖w‖² the derivative is λw; the factor depends on the missing "
        "formula.",
        evidence=("l2.update",),
    ),
    Claim(
        id="apx.sgd_shrink",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="In an SGD step the update becomes a shrink of the weights by a constant factor before the "
        "ordinary gradient step (the formulas are not in the text as we have it), which is why L2 "
        "regularisation is called weight decay.",
        verdict="holds under conditions",
        conditions="Plain SGD: w ← (1 − ηλ)w − η∇L (l2.update). With momentum the L2 gradient goes into the "
        "buffer, so the steps are still SGD on the penalised loss (opt.sgd_equiv) but no longer a shrink by "
        "(1 − ηλ) per step; with Adam it is no uniform shrink (opt.adam_not_equiv).",
        evidence=("l2.update", "opt.sgd_equiv", "opt.adam_not_equiv"),
    ),
    Claim(
        id="apx.weight_decay_is_lambda",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="In PyTorch the optimiser's weight_decay parameter is the λ hyperparameter of the L2 penalty "
        "formula.",
        verdict="holds under conditions",
        conditions="weight_decay = λ of (λ/2)‖w‖² added to the loss the optimiser differentiates (the mean "
        "loss in the listings): for SGD the steps are identical (opt.sgd_equiv), for the coupled adaptive "
        "optimisers the gradient term is the same but the steps are rescaled (src.pydl.weight_decay_is_l2, "
        "opt.adam_not_equiv); if the penalty is written λ‖w‖², weight_decay = 2λ; for AdamW it is no L2 "
        "coefficient at all (src.apx.adam_l2)." + _DECOUPLED,
        evidence=("opt.sgd_equiv", "src.pydl.weight_decay_is_l2", "src.apx.adam_l2", "adamw.ema"),
    ),
    Claim(
        id="apx.adam_weight_decay_is_l2",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="Adam(weight_decay=λ) is an optimiser with L2 regularisation, the decay being applied "
        "automatically during step().",
        verdict="holds under conditions",
        conditions="Adam adds λw to the gradient (coupled), so with full batches its fixed point is the L2 "
        "minimiser; but the L2 gradient is divided by √v̂ with the data gradient, so large-gradient weights "
        "are decayed less, unlike SGD's uniform shrink and unlike AdamW (opt.adam_not_equiv, "
        "src.apx.adam_l2)." + _DECOUPLED,
        evidence=("opt.adam_not_equiv", "src.apx.adam_l2", "src.pydl.weight_decay_is_l2", "adamw.ema"),
    ),
    Claim(
        id="apx.weight_decay_most_effective",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="Using the weight_decay parameter is the standard and most effective way to implement L2 "
        "regularisation in PyTorch.",
        verdict="not a mathematical claim",
        conditions="For SGD and for Adam's coupled decay, weight_decay and the same penalty written into the "
        "loss take identical steps up to rounding (src.pydl.weight_decay_is_l2), so neither regularises more "
        "effectively; weight_decay only saves the autograd work of the penalty term.",
        evidence=("src.pydl.weight_decay_is_l2",),
    ),
    Claim(
        id="apx.l1_penalty",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="L1 regularisation adds a penalty proportional to the sum of the absolute values of the "
        "weights (the formula is not in the text as we have it).",
        verdict="holds",
        conditions="A definition (λ₁‖w‖₁). The listing's hand-written term has exactly that value and the "
        "gradient λ₁·sign(w) on the tensors it selects (src.apx.l1_sgd; the same penalty through torch.norm "
        "with p = 1: src.pydl.regularization_p1).",
        evidence=("src.apx.l1_sgd", "src.pydl.regularization_p1"),
    ),
    Claim(
        id="apx.l1_gradient",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="The L1 penalty's gradient is the sign function times λ, which is problematic: it is undefined "
        "at 0, and its derivative (needed by some advanced optimisers) is 0 away from 0 and infinite at 0.",
        verdict="holds under conditions",
        conditions="|w| is not differentiable at 0: its subdifferential there is [−1, 1] (torch's autograd "
        "uses 0, a valid subgradient). The second derivative is 0 away from 0 and does not exist at 0 "
        "('infinite' only in the sense of a Dirac delta); only second-order methods would need it. The "
        "practical consequence holds: plain (sub)gradient steps on the L1 loss oscillate around 0 instead of "
        "landing on it (src.apx.l1_sgd; l1.soft_threshold's empirical route).",
        evidence=("src.apx.l1_sgd", "l1.soft_threshold"),
    ),
    Claim(
        id="apx.l1_added_to_loss",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="So L1 is usually not built into optimisers like weight decay; instead the L1 penalty is added "
        "to the loss by hand before backpropagation.",
        verdict="holds under conditions",
        conditions="No torch.optim optimiser has an L1 option (src.pydl.optim_no_l1), and adding the term to "
        "the loss does minimise the L1-penalised loss by subgradient steps; but those iterates have no exact "
        "zeros (src.apx.l1_sgd). The sparse solution needs a proximal step (soft-thresholding after each "
        "step; l1.soft_threshold's empirical route).",
        evidence=("src.pydl.optim_no_l1", "src.apx.l1_sgd", "l1.soft_threshold"),
    ),
    Claim(
        id="apx.l1_weights_only",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="The listing penalises only weight matrices and tensors (param.dim() > 1), not bias vectors; "
        "this is optional but common.",
        verdict="holds under conditions",
        conditions="The filter is by shape: it also skips every 1-d weight (the scales of "
        "BatchNorm/LayerNorm) and includes every tensor of 2 or more dimensions (convolution kernels, "
        "embeddings). The listing's run shows which parameters the term touches (src.apx.l1_sgd).",
        evidence=("src.apx.l1_sgd",),
    ),
    Claim(
        id="apx.l1_norm_sum",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="The listing sums the absolute values of the selected parameters (their L1 norm), scales it by "
        "λ, adds it to the criterion's loss, and backpropagation then computes the gradient of that total "
        "loss.",
        verdict="holds",
        conditions="What the code does; its gradient on a weight w is λ·sign(w) (0 at w = 0).",
        evidence=("src.apx.l1_sgd",),
    ),
    Claim(
        id="apx.enet_definition",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="The elastic net combines the L1 and L2 penalties (the formula is not in the text as we have "
        "it).",
        verdict="holds",
        conditions="A definition: α₁‖w‖₁ + (α₂/2)‖w‖² (enet.diagonal, enet.path).",
        evidence=("enet.diagonal", "enet.path"),
    ),
    Claim(
        id="apx.enet_implementation",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="To implement the elastic net, use the optimiser's weight_decay for the L2 part and add the L1 "
        "penalty to the loss by hand.",
        verdict="holds under conditions",
        conditions="With SGD or Adam's coupled weight_decay the steps are (preconditioned) subgradient steps "
        "on loss + λ₁‖w‖₁ + (λ₂/2)‖w‖²; but the two parts touch different parameters in the listing "
        "(weight_decay every parameter including biases, L1 only dim() > 1), the iterates have no exact "
        "zeros, and with AdamW the L2 part would not be a penalty at all (src.apx.enet_adam, "
        "opt.adam_not_equiv; the exact elastic-net solution: enet.path).",
        evidence=("src.apx.enet_adam", "enet.path", "opt.adam_not_equiv"),
    ),
    Claim(
        id="apx.hyperparameter_search",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="The regularisation strengths are hyperparameters, usually searched on a logarithmic scale "
        "(the range is not in the text as we have it) by grid or random search on a validation set.",
        verdict="not a mathematical claim",
        conditions="Practice. The scale of a good λ depends on the loss convention (mean or sum, with or "
        "without ½: docs/reference.md, 'Library conventions') and on the data.",
    ),
    Claim(
        id="apx.tools_against_overfitting",
        source="apx",
        section="L1、L2 和弹性网络正则化",
        claim="With these implementations L1, L2 or elastic-net regularisation can be applied effectively to "
        "neural networks as powerful tools against overfitting and for better generalisation.",
        verdict="holds under conditions",
        conditions="The text states it without conditions, and 'effectively' has no measure; the same claim "
        "is judged alike for every text (d2l.generalisation, pydl.prevents_overfitting, "
        "manhua.prevents_overfitting). " + _OVERFITTING_CONDITIONS,
        evidence=("ridge.double_descent", "l2.dof", "src.manhua.bad_alpha_risk"),
    ),
    # ----------------------------------------------------------------------------------------- pydl
    Claim(
        id="pydl.constraint_metaphor",
        source="pydl",
        section="1. 什么是正则化",
        claim="Regularisation adds restrictions to the loss that keep the parameters from inflating "
        "themselves in later iterations.",
        verdict="not a mathematical claim",
        conditions="A metaphor; the precise version is that the L2 penalty is equivalent to a norm "
        "constraint ‖w‖ ≤ k whose radius falls as α grows (l2.constraint).",
        evidence=("l2.constraint",),
    ),
    Claim(
        id="pydl.many_parameters_overfit",
        source="pydl",
        section="1. 什么是正则化",
        claim="The text blames overfitting on too many parameters: a model that is too complex, it says, "
        "does well on its training samples and worse on test samples.",
        verdict="holds under conditions",
        conditions="Holds below the interpolation threshold: for linear regression with d ≤ n − 2 the "
        "least-squares expected risk σ² + σ²d/(n − d − 1) grows with d (ridge.double_descent). Not monotone "
        "beyond it: the unregularised (minimum-norm) expected risk is infinite at |n − d| ≤ 1 and finite on "
        "both sides, and past it the variance term σ²n/(d − n − 1) falls as d grows (ridge.double_descent "
        "gives E R(ŵ₀) exactly); optimally tuned ridge has no such peak.",
        evidence=("ridge.double_descent",),
    ),
    Claim(
        id="pydl.regularisation_common",
        source="pydl",
        section="1. 什么是正则化",
        claim="Regularisation such as L1 and L2 is the most common way to avoid overfitting.",
        verdict="not a mathematical claim",
        conditions="A statement about practice.",
    ),
    Claim(
        id="pydl.prevents_overfitting",
        source="pydl",
        section="1. 什么是正则化 / 2. L1和L2正则化",
        claim="The text gives preventing overfitting as regularisation's main role (section 1) and heads its "
        "L1/L2 section with the statement that weight regularisation reduces overfitting (section 2).",
        verdict="holds under conditions",
        conditions=_OVERFITTING_CONDITIONS,
        evidence=_OVERFITTING_EVIDENCE,
        network=_NET_SCALE_INVARIANT,
    ),
    Claim(
        id="pydl.limits_complexity",
        source="pydl",
        section="1. 什么是正则化",
        claim="A regularisation term limits the model's complexity, balancing complexity and performance.",
        verdict="holds under conditions",
        conditions="For linear models with complexity read as effective degrees of freedom Σλ_i/(λ_i + α), "
        "which fall as α grows (l2.dof), traded against the bias ‖w̃ − w*‖, which grows (l2.conditioning).",
        evidence=("l2.dof", "l2.conditioning"),
        network=_NET_SCALE_INVARIANT,
    ),
    Claim(
        id="pydl.penalty_restricts",
        source="pydl",
        section="1. 什么是正则化",
        claim="L1 and L2 regularisation are penalty terms of the loss; the penalty restricts some of the "
        "loss's parameters.",
        verdict="holds",
        conditions="Made precise by penalty ⇔ constraint: the L2-penalised minimiser minimises the loss on "
        "the ball ‖w‖ ≤ ‖w̃(α)‖ (l2.constraint).",
        evidence=("l2.constraint",),
    ),
    Claim(
        id="pydl.lasso_ridge_names",
        source="pydl",
        section="1. 什么是正则化",
        claim="A model with L1 regularisation is called Lasso regression and one with L2 regularisation "
        "Ridge regression.",
        verdict="holds under conditions",
        conditions="The names belong to linear least-squares regression with those penalties (l2.ridge; the "
        "lasso is the α₂ = 0 case of enet.path).",
        evidence=("l2.ridge", "enet.path"),
    ),
    Claim(
        id="pydl.l1_sparse",
        source="pydl",
        section="2. L1和L2正则化",
        claim="L1 regularisation adds a cost proportional to the absolute values of the weights, and the "
        "learned weights are sparse.",
        verdict="holds under conditions",
        conditions="The exact minimiser has exact zeros once the penalty is large enough for some "
        "coordinates (|w*_i| ≤ α/H_ii for diagonal H; l1.soft_threshold, src.manhua.l2_dense_l1_sparse); "
        "weights learned by SGD on the loss with the L1 term are not exactly 0 (src.apx.l1_sgd).",
        evidence=("l1.soft_threshold", "src.manhua.l2_dense_l1_sparse", "src.apx.l1_sgd"),
    ),
    Claim(
        id="pydl.l2_smooth",
        source="pydl",
        section="2. L1和L2正则化",
        claim="L2 regularisation, also called weight decay, adds a cost proportional to the squared weights, "
        "and the learned weights are smooth.",
        verdict="holds under conditions",
        conditions="'Smooth' is not defined in the text. Read as 'dense and evenly shrunk': the ridge "
        "minimiser has no zero coordinate for generic data (src.manhua.l2_dense_l1_sparse) and is shrunk "
        "most along low-curvature directions (l2.eigen). 'Also called weight decay': the same for SGD, not "
        "for Adam/AdamW (opt.sgd_equiv, opt.adam_not_equiv).",
        evidence=("src.manhua.l2_dense_l1_sparse", "l2.eigen", "opt.sgd_equiv"),
    ),
    Claim(
        id="pydl.dropout",
        source="pydl",
        section="3. Dropout正则化",
        claim="The text presents dropout as a third regulariser and describes it as removing units from the "
        "network at random, with a fixed probability, while training.",
        verdict="holds under conditions",
        conditions="The definition holds; its regularising effect is proved here for linear regression, "
        "where dropout on the inputs equals in expectation a ridge penalty weighted by diag(XᵀX) "
        "(dropout.ridge).",
        evidence=("dropout.ridge",),
    ),
    Claim(
        id="pydl.optimisers_weight_decay_is_lambda",
        source="pydl",
        section="4.代码实现",
        claim="The optimisers of torch.optim (SGD, Adadelta, Adam, Adagrad, RMSprop, ...) have a "
        "weight_decay parameter giving the decay rate, which is the λ of L2 regularisation.",
        verdict="holds under conditions",
        conditions="For the five named, weight_decay = λ takes, step by step, the same steps as the "
        "optimiser on L + (λ/2)‖w‖² (src.pydl.weight_decay_is_l2): λ multiplies (1/2)‖w‖², not ‖w‖². The "
        "'...' does not extend to all of torch.optim: LBFGS, Rprop and SparseAdam have no weight_decay "
        "(src.pydl.optim_no_l1), and where the run finds decoupled decay it is no L2 coefficient "
        "(opt.adam_not_equiv)." + _DECOUPLED,
        evidence=("src.pydl.weight_decay_is_l2", "src.pydl.optim_no_l1", "opt.adam_not_equiv", "adamw.ema"),
    ),
    Claim(
        id="pydl.only_l2_no_l1",
        source="pydl",
        section="4.代码实现",
        claim="The optimisers in torch.optim offer only L2 regularisation and cannot do L1.",
        verdict="holds under conditions",
        conditions="No torch.optim optimiser takes an L1 parameter (src.pydl.optim_no_l1). 'Only L2' is not "
        "exact: running each optimiser that takes weight_decay (src.pydl.weight_decay_is_l2) finds decoupled "
        "decay, which is not an L2 penalty (opt.adam_not_equiv), in AdamW, Adafactor and Muon and in Adam, "
        "NAdam and RAdam with decoupled_weight_decay=True; LBFGS, Rprop and SparseAdam have no decay at all. "
        "L1 is done by adding it to the loss (src.apx.l1_sgd) or by a proximal step.",
        evidence=(
            "src.pydl.optim_no_l1",
            "src.pydl.weight_decay_is_l2",
            "opt.adam_not_equiv",
            "src.apx.l1_sgd",
        ),
    ),
    Claim(
        id="pydl.adam_l2",
        source="pydl",
        section="4.代码实现",
        claim="Passing weight_decay=0.01 to torch.optim.Adam sets up L2 regularisation.",
        verdict="holds under conditions",
        conditions="Adam's weight_decay is coupled: the same steps as Adam on L + (λ/2)‖w‖² "
        "(src.pydl.weight_decay_is_l2), whose steps are preconditioned, so not the uniform decay of SGD and "
        "not AdamW (opt.adam_not_equiv); it also decays biases and normalisation scales (every parameter "
        "passed)." + _DECOUPLED,
        evidence=("src.pydl.weight_decay_is_l2", "opt.adam_not_equiv", "adamw.ema"),
    ),
    Claim(
        id="pydl.module_p2_is_l2",
        source="pydl",
        section="4.代码实现",
        claim="The text implies, without saying it in a sentence, that the Regularization module with its "
        "default p = 2 adds L2 regularisation (weight decay) with coefficient weight_decay: the implication "
        "is carried by its names (a weight_decay argument, a variable called l2_reg) and by its place right "
        "after the text's lines on L2 through torch.optim.",
        verdict="false",
        conditions="torch.norm(W, p=2) is the unsquared Frobenius norm of each weight tensor, so the penalty "
        "is weight_decay·Σ_W ‖W‖, a group-lasso penalty: its gradient weight_decay·W/‖W‖ has constant size, "
        "not the weight_decay·W of (λ/2)‖w‖², and it is not weight decay (src.pydl.regularization_p2).",
        evidence=("src.pydl.regularization_p2", "src.pydl.identified"),
    ),
    Claim(
        id="pydl.module_p1_is_l1",
        source="pydl",
        section="4.代码实现",
        claim="With p = 1 the Regularization module adds L1 regularisation.",
        verdict="holds",
        conditions="torch.norm(W, p=1) is Σ|w| over the tensor, so the penalty is weight_decay·‖w‖₁ over the "
        "parameters its name filter selects (src.pydl.regularization_p1, src.pydl.name_filter).",
        evidence=("src.pydl.regularization_p1",),
    ),
    Claim(
        id="pydl.module_p0_is_l2",
        source="pydl",
        section="4.代码实现",
        claim="The module's docstring says that p = 0 gives L2 regularisation (and p = 1 L1).",
        verdict="false",
        conditions="torch.norm(W, p=0) counts the non-zero entries (the L0 'norm'): piecewise constant, with "
        "zero gradient wherever it is defined, so it adds a constant to the loss and changes no step "
        "(src.pydl.regularization_p0).",
        evidence=("src.pydl.regularization_p0", "src.pydl.identified"),
    ),
    Claim(
        id="pydl.module_weight_list",
        source="pydl",
        section="4.代码实现",
        claim="The module's get_weight collects the model's weights to be penalised.",
        verdict="holds under conditions",
        conditions="It selects parameters by name ('weight' in the name), which also catches the affine "
        "scales of BatchNorm/LayerNorm and skips any weight named otherwise (src.pydl.name_filter).",
        evidence=("src.pydl.name_filter",),
        network="Penalising the scale γ of a normalisation layer shrinks the layer's output scale, which is "
        "not what weight decay on the pre-norm weights does (those are scale-invariant: si.gradient).",
    ),
    Claim(
        id="pydl.slower_curves",
        source="pydl",
        section="5.正则化对结果的影响",
        claim="With regularisation the training loss falls more slowly and the accuracy rises more slowly "
        "than without.",
        verdict="holds under conditions",
        conditions="On a quadratic, GD from w⁽⁰⁾ = 0 with ε(λ_max + α) ≤ 1: the data loss with decay is "
        "never below the data loss without, at every step; from a start beyond w* decay can make it fall "
        "faster (src.pydl.loss_curves), and the penalised objective itself converges faster, its condition "
        "number being smaller (l2.conditioning). The accuracy part (classification) is not checked here.",
        evidence=("src.pydl.loss_curves", "l2.conditioning"),
        network=_NET_SCALE_INVARIANT,
    ),
    Claim(
        id="pydl.smoother_curves",
        source="pydl",
        section="5.正则化对结果的影响",
        claim="Without regularisation the loss and accuracy fluctuate more (larger variance); with it the "
        "curves are smoother, and the larger λ, the smoother.",
        verdict="false",
        conditions="False for the loss curves as stated: on a noisy quadratic (additive Gaussian gradient "
        "noise) the data loss's stationary variance can rise with α, because the bias of w̃ multiplies the "
        "fluctuations; in one dimension (λ = 2, w* = 5, s = 1, ε = 0.1) it rises from 0.00154 at α = 0 to "
        "0.0925 at α = 0.5 (src.pydl.sgd_fluctuation). What does hold is about the weights, and only with a "
        "small enough step: SGD's stationary fluctuation along q_i, εs²/((λ_i + α)(2 − ε(λ_i + α))), falls "
        "as α grows at a fixed step while ε(λ_i + α) ≤ 1; for 1 < ε(λ_i + α) < 2 the factor "
        "x(2 − x), x = ε(λ_i + α), falls, so the weights' variance rises with α. The accuracy part "
        "(classification) is not checked here.",
        evidence=("src.pydl.sgd_fluctuation",),
        network=_NET_SCALE_INVARIANT,
    ),
    Claim(
        id="pydl.smooth_solves_overfitting",
        source="pydl",
        section="5.正则化对结果的影响",
        claim="This is the penalising effect of regularisation: making the model behave more smoothly, "
        "regularisation effectively solves overfitting.",
        verdict="not a mathematical claim",
        conditions="The inference does not follow: overfitting is a gap between training and test risk, "
        "which smoother training curves do not measure (and the curves need not get smoother: "
        "pydl.smoother_curves). The conclusion itself, that regularisation reduces overfitting, is judged "
        "in pydl.prevents_overfitting.",
    ),
    # --------------------------------------------------------------------------------------- manhua
    Claim(
        id="manhua.regularisation_for_generalisation",
        source="manhua",
        section="【漫话机器学习系列】245.权重衰减(Weight Decay)",
        claim="Training often meets overfitting; regularisation improves generalisation to unseen data, and "
        "weight decay is its most used form.",
        verdict="not a mathematical claim",
        conditions="Motivation and a statement about practice; the mathematical part, that weight decay "
        "improves generalisation, is judged in manhua.prevents_overfitting.",
    ),
    Claim(
        id="manhua.wd_is_l2",
        source="manhua",
        section="什么是权重衰减(Weight Decay)?",
        claim="Weight decay, also called L2 regularisation, adds to the loss a penalty on the size of the "
        "parameters, so that besides the prediction error the weights themselves are kept from being large.",
        verdict="holds under conditions",
        conditions="Equivalent for (S)GD (opt.sgd_equiv); for Adam the penalty's gradient is preconditioned, "
        "and AdamW's decoupled decay is no penalty (opt.adam_not_equiv)." + _DECOUPLED,
        evidence=(
            "opt.sgd_equiv",
            "opt.adam_not_equiv",
            "l2.constraint",
            "src.pydl.weight_decay_is_l2",
            "adamw.ema",
        ),
    ),
    Claim(
        id="manhua.feature_reliance",
        source="manhua",
        section="什么是权重衰减(Weight Decay)?",
        claim="The purpose is to keep the model from relying too much on particular features, improving its "
        "stability and generalisation.",
        verdict="holds under conditions",
        conditions="For linear models: among weight vectors that fit equally well, the L2 penalty prefers "
        "the one of least norm (l2.pinv as α → 0), which spreads weight over correlated features instead of "
        "concentrating it, and it shrinks most the low-variance directions of the features (l2.eigen). "
        "Stability and generalisation: see manhua.prevents_overfitting.",
        evidence=("l2.pinv", "l2.eigen"),
    ),
    Claim(
        id="manhua.formula",
        source="manhua",
        section="权重衰减的数学表达式",
        claim="The loss with weight decay is Loss_original + ½λ‖w‖₂², with w the weight vector and ‖w‖₂² its "
        "squared L2 norm.",
        verdict="holds",
        conditions="A definition, the catalogue's canonical convention; its gradient step is l2.update.",
        evidence=("l2.update",),
    ),
    Claim(
        id="manhua.lambda_small",
        source="manhua",
        section="权重衰减的数学表达式",
        claim="λ is usually a very small number, for example 0.001.",
        verdict="not a mathematical claim",
        conditions="A habit, not a fact: the useful size of λ depends on the loss convention (a sum over n "
        "examples instead of a mean multiplies the matching λ by n; a loss without ½ doubles it: "
        "docs/reference.md, 'Library conventions') and on the scale of the data (λ is compared with the "
        "eigenvalues λ_i of H: l2.eigen).",
    ),
    Claim(
        id="manhua.pulls_back",
        source="manhua",
        section="权重衰减的数学表达式",
        claim="The text describes weight decay as a steady pull on the weights during optimisation, which in "
        "its account stops them from growing without bound and thereby keeps the model's complexity in "
        "check.",
        verdict="holds under conditions",
        conditions="For SGD each step multiplies w by 1 − ηλ before the gradient step (l2.update), and on a "
        "quadratic the iterates converge to w̃ with ‖w̃‖ < ‖w*‖ (l2.constraint).",
        evidence=("l2.update", "l2.constraint", "si.equilibrium"),
        network="On scale-invariant weights SGD without decay grows ‖w‖ at every step (the gradient is "
        "orthogonal to w: si.gradient); decay balances that growth at an equilibrium norm with angular "
        "update ≈ √(2ηλ) per step (si.equilibrium), which controls the effective learning rate "
        "(si.effective_lr), not the function's complexity.",
    ),
    Claim(
        id="manhua.figure_formula",
        source="manhua",
        section="图示解读",
        claim="The hand-drawn figure writes the rule as Loss = Loss + ½‖w‖₂²: the original loss plus the L2 "
        "penalty.",
        verdict="holds under conditions",
        conditions="As printed the penalty has no λ (λ = 1), and the same name on both sides reads as an "
        "assignment; with λ restored it is the text's own formula (manhua.formula).",
        evidence=("l2.update",),
    ),
    Claim(
        id="manhua.ridge_name",
        source="manhua",
        section="图示解读",
        claim="In regression, using the L2 penalty is called ridge regression.",
        verdict="holds",
        conditions="Linear least squares with an L2 penalty (l2.ridge, which also pins down the ½ of each "
        "convention).",
        evidence=("l2.ridge",),
    ),
    Claim(
        id="manhua.prevents_overfitting",
        source="manhua",
        section="权重衰减的作用",
        claim="Weight decay prevents overfitting: it shrinks the weights, lowers model complexity and makes "
        "the model generalise better to the test set.",
        verdict="holds under conditions",
        conditions=_OVERFITTING_CONDITIONS,
        evidence=_OVERFITTING_EVIDENCE,
        network=_NET_SCALE_INVARIANT,
    ),
    Claim(
        id="manhua.numerical_stability",
        source="manhua",
        section="权重衰减的作用",
        claim="The text lists better numerical stability as a benefit of weight decay, attributing it to "
        "large weights being a common cause of exploding gradients, which decay is said to relieve.",
        verdict="holds under conditions",
        conditions="In a bias-free ReLU (or linear) network without normalisation the gradients do grow with "
        "the weights: with all k weight matrices scaled by c, the gradient of the output in each matrix (the "
        "parameter gradients that 'exploding gradients' refers to) scales as c^(k−1), and its gradient in "
        "the input as c^k (src.manhua.normalised_sensitivity), so shrinking the weights limits them. On a "
        "quadratic the penalty also makes H + αI invertible and better conditioned, κ_α = (λ_max + α)/(λ_min "
        "+ α) (l2.conditioning).",
        evidence=("src.manhua.normalised_sensitivity", "l2.conditioning", "si.gradient"),
        network="Reversed for the weights of a bias-free layer followed by BatchNorm/LayerNorm (eps → 0): "
        "∇f(cw) = ∇f(w)/c (si.gradient), so small weights give large gradients, and decay raises the "
        "effective learning rate η/‖w‖² (si.effective_lr).",
    ),
    Claim(
        id="manhua.faster_training",
        source="manhua",
        section="权重衰减的作用",
        claim="Among weight decay's benefits the text lists faster training, attributing it to smaller "
        "weights, which it says let gradient descent converge more quickly.",
        verdict="holds under conditions",
        conditions="Only for scale-invariant weights (a bias-free layer followed by BatchNorm or LayerNorm, "
        "eps → 0), where a smaller norm does speed up the function's change: the effective learning rate is "
        "η/‖w‖² (si.effective_lr). False for linear models and quadratic losses: there the speed-up comes "
        "from the curvature α the penalty adds, not from the weights being small; the condition number κ_α "
        "and GD's best rate (κ_α − 1)/(κ_α + 1) fall with α, but GD then converges to w̃, whose distance "
        "from w* grows with α (l2.conditioning), and the largest stable step shrinks to 2/(λ_max + α) "
        "(gd.stability).",
        evidence=("l2.conditioning", "gd.stability", "si.effective_lr"),
        network="For weights followed by normalisation layers see the conditions; other weights of a network "
        "behave as in the quadratic model near a strict minimiser.",
    ),
    Claim(
        id="manhua.robust_to_input_noise",
        source="manhua",
        section="权重衰减的作用",
        claim="The text lists robustness as a benefit: in its account, models with smaller weights react "
        "less to noise in their inputs.",
        verdict="holds under conditions",
        conditions="For a linear model the output moves by wᵀδ (at most ‖w‖‖δ‖), and input noise of variance "
        "s² adds exactly s²‖w‖² to the expected squared error (noise.tikhonov); for a bias-free ReLU network "
        "the input gradient scales with the weights (src.manhua.normalised_sensitivity).",
        evidence=("noise.tikhonov", "src.manhua.normalised_sensitivity"),
        network="Fails for the weights of a bias-free layer followed by BatchNorm/LayerNorm (eps → 0): "
        "scaling them changes neither the output nor its gradient in the input "
        "(src.manhua.normalised_sensitivity; si.gradient). With a bias before a LayerNorm the output does "
        "change with the scale, but not as a smaller sensitivity to the input.",
    ),
    Claim(
        id="manhua.l2_small_l1_zero",
        source="manhua",
        section="权重衰减与其他正则化的区别",
        claim="L2 (penalty ‖w‖₂²) makes the weights close to 0 but not 0, while L1 (penalty ‖w‖₁) makes them "
        "sparse, some exactly 0; so to keep every weight small use L2, to zero some use L1.",
        verdict="holds under conditions",
        conditions="For the exact minimisers: ridge has no zero coordinate for generic data, the lasso has "
        "coordinates certified 0 (src.manhua.l2_dense_l1_sparse; l1.soft_threshold). L2 shrinks each "
        "eigen-component by λ_i/(λ_i + α), so large-curvature components stay far from 0 (l2.eigen). The L1 "
        "part fails for weights trained by SGD on the loss with an L1 term: they hover near 0 but are not 0 "
        "(src.apx.l1_sgd).",
        evidence=("src.manhua.l2_dense_l1_sparse", "l1.soft_threshold", "l2.eigen", "src.apx.l1_sgd"),
    ),
    Claim(
        id="manhua.use_cases",
        source="manhua",
        section="权重衰减与其他正则化的区别",
        claim="L2 is used against overfitting and to control model complexity; L1 for feature selection and "
        "model interpretability.",
        verdict="not a mathematical claim",
        conditions="Usage advice; the mathematical parts are manhua.prevents_overfitting, "
        "manhua.l2_small_l1_zero and ddlee.feature_selection.",
    ),
    Claim(
        id="manhua.pytorch_weight_decay",
        source="manhua",
        section="如何在常见框架中使用权重衰减?",
        claim="In PyTorch it suffices to set the optimiser's weight_decay, e.g. SGD(lr=0.01, "
        "weight_decay=1e-4), to get weight decay.",
        verdict="holds under conditions",
        conditions="SGD(weight_decay=λ) takes the steps of SGD on L + (λ/2)‖w‖², the text's formula with the "
        "same λ on the loss torch differentiates (opt.sgd_equiv, src.manhua.sgd_wd); it decays every "
        "parameter passed, biases and normalisation scales included.",
        evidence=("src.manhua.sgd_wd", "opt.sgd_equiv"),
    ),
    Claim(
        id="manhua.keras_l2",
        source="manhua",
        section="如何在常见框架中使用权重衰减?",
        claim="In TensorFlow/Keras the same is done by adding the L2 regulariser tf.keras.regularizers.l2.",
        verdict="holds under conditions",
        conditions="Keras' l2(c) adds c·Σw² (no ½) per regularised layer, so the text's ½λ‖w‖² needs c = λ/2 "
        "(docs/reference.md, 'Library conventions'; src.manhua.keras_l2); it is attached per layer "
        "(kernel_regularizer), not to the optimiser.",
        evidence=("src.manhua.keras_l2",),
    ),
    Claim(
        id="manhua.simple_effective",
        source="manhua",
        section="总结",
        claim="Weight decay is simple but very effective, especially for improving the training of deep "
        "models.",
        verdict="not a mathematical claim",
        conditions="A judgement without conditions; the catalogue's results are those of "
        "manhua.prevents_overfitting and manhua.faster_training.",
    ),
)

# ----------------------------------------------------------------------------------------------------

#: One record per code listing of the five texts.
LISTINGS: tuple[Listing, ...] = _D2L_LISTINGS + _REGULARISER_LISTINGS

#: One record per factual claim of the five texts.
CLAIMS: tuple[Claim, ...] = _CLAIMS
