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

_REGULARISER_LISTINGS: tuple[Listing, ...] = ()

# ----------------------------------------------------------------------------------------------------
# The claims of the five texts, in the order the texts make them.

_CLAIMS: tuple[Claim, ...] = ()

# ----------------------------------------------------------------------------------------------------

#: One record per code listing of the five texts.
LISTINGS: tuple[Listing, ...] = _D2L_LISTINGS + _REGULARISER_LISTINGS

#: One record per factual claim of the five texts.
CLAIMS: tuple[Claim, ...] = _CLAIMS
