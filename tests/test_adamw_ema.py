"""adamw.ema: AdamW's weights as an exponential moving average of −u_t/λ, its timescale 1/(ηλ), and
the λ ∝ 1/N rule.

The closed form (``theory.adamw.ema_weights``) is checked against the plain recursion and against
real ``torch.optim.AdamW`` runs (updates recomputed from the recorded gradients by an independent NumPy
Adam), with the rounding bounds the library derives; negative controls show that a wrong decay factor
(1 − λ for 1 − ηλ) or a wrong timescale (1/λ, η/λ) fails the same comparisons.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, target
from hypothesis import strategies as st

from proofs import registry
from theory import adamw
from theory.errors import InputError, PreconditionError

EPS = float(np.finfo(np.float64).eps)

small_decay = st.floats(-6.0, math.log10(0.5)).map(lambda e: 10.0**e)  # ηλ


@st.composite
def ema_problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray | float, float]:
    """(w0, updates (T × d), lr (scalar or a schedule), λ) with 0 < ηλ ≤ ½."""
    T = draw(st.integers(1, 300))
    d = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    lr = 10.0 ** draw(st.floats(-5.0, -1.0))
    x = draw(small_decay)
    u = rng.standard_normal((T, d)) * 10.0 ** draw(st.floats(-3.0, 2.0))
    w0 = rng.standard_normal(d) * 10.0 ** draw(st.floats(-3.0, 3.0))
    if draw(st.booleans()):
        lrs: np.ndarray | float = lr * rng.uniform(0.01, 1.0, size=T)
    else:
        lrs = lr
    return w0, u, lrs, x / lr


@given(ema_problems())
def test_closed_form_is_the_recursion(p: tuple[np.ndarray, np.ndarray, np.ndarray | float, float]) -> None:
    w0, u, lrs, lam = p
    loop = adamw.recursion(w0, u, lrs, lam)
    bound = adamw.ema_rounding_bound(w0, u, lrs)
    ratio = float(np.max(np.abs(adamw.ema_weights(w0, u, lrs, lam) - loop[-1]))) / bound
    target(ratio)
    assert ratio <= 1
    # every prefix too: the EMA holds at each t
    t = u.shape[0] // 2
    assert (
        float(
            np.max(np.abs(adamw.ema_weights(w0, u[:t], np.broadcast_to(lrs, u.shape[0])[:t], lam) - loop[t]))
        )
        <= bound
    )


@given(ema_problems())
def test_weights_sum_to_one(p: tuple[np.ndarray, np.ndarray, np.ndarray | float, float]) -> None:
    _, u, lrs, lam = p
    p0, a = adamw.ema_coefficients(lrs, lam, u.shape[0])
    assert abs(p0 + float(a.sum()) - 1.0) <= (2 * u.shape[0] + 4) * EPS
    assert (a > 0).all() and 0 < p0 < 1


@given(st.floats(-5.0, -1.0).map(lambda e: 10.0**e), small_decay)
def test_timescale_is_one_over_eta_lambda(lr: float, x: float) -> None:
    """The loop with no updates falls below w₀/e after ⌈−1/log(1 − ηλ)⌉ steps and not before, and that
    count is within one step of 1/(ηλ)."""
    lam = x / lr
    tau = adamw.efolding_iterations(lr, lam)
    assert abs(adamw.iteration_timescale(lr, lam) - tau) < 1.0
    n = math.ceil(tau)
    if n <= 5000:
        w = adamw.recursion(np.ones(1), np.zeros((n, 1)), lr, lam)[:, 0]
        if abs(tau - round(tau)) > 4 * n * EPS * tau:  # not a tie within rounding
            assert w[n] < math.exp(-1) <= w[n - 1]


def test_wrong_timescales_fail_that_comparison() -> None:
    lr, lam = 1e-3, 5.0  # ηλ = 0.005: τ = 199.5
    tau = adamw.efolding_iterations(lr, lam)
    for wrong in (1 / lam, lr / lam, 1 / (lr * lam**2)):
        assert abs(wrong - tau) > 1.0


def test_epoch_timescale_and_the_one_over_n_rule() -> None:
    lr, lam, B, N = 1e-3, 0.1, 64, 50_000
    assert adamw.epoch_timescale(lr, lam, B, N) == pytest.approx(B / (lr * lam * N), rel=1e-15)
    tau_e = adamw.epoch_timescale(lr, lam, B, N)
    assert adamw.decay_for_epoch_timescale(tau_e, lr, B, N) == pytest.approx(lam, rel=1e-15)
    # λ ∝ 1/N at fixed τ_epoch, B and η
    assert adamw.decay_for_epoch_timescale(tau_e, lr, B, 4 * N) == pytest.approx(lam / 4, rel=1e-15)


@given(st.floats(-4.0, -1.0).map(lambda e: 10.0**e), small_decay, st.integers(2, 20), st.integers(1, 2000))
def test_matched_decay_for_k_times_the_data(lr: float, x: float, k: int, T: int) -> None:
    """(1 − ηλ')^{kT} = (1 − ηλ)^T exactly for λ' = matched_decay; λ/k keeps a weight larger by
    exp(T(k log(1 − x/k) − log(1 − x))), between exp(Tx²(1 − 1/k)/2) and exp(T(−log(1 − x) − x))."""
    lam = x / lr
    expo = T * abs(math.log1p(-x))
    # (1 − x)^T must be a normal float64 (it underflows to 0 past e^−708, e.g. x = 0.5, T = 1117);
    # a margin of 100 keeps the ratios below away from subnormal rounding
    assume(expo < 600)
    small = adamw.initial_weight(lr, lam, T)
    slack = (k * T + T + 8) * EPS * expo + 4 * EPS
    assert abs(adamw.initial_weight(lr, adamw.matched_decay(lr, lam, k), k * T) / small - 1) <= slack
    log_ratio = math.log(adamw.initial_weight(lr, lam / k, k * T) / small)
    assert T * x * x * (1 - 1 / k) / 2 - slack <= log_ratio <= T * (-math.log1p(-x) - x) + slack
    assert adamw.matched_decay(lr, lam, k) == pytest.approx(lam / k, rel=x)


def test_the_derivation_and_the_library_agree() -> None:
    d = registry.derivation("adamw.ema")
    lr, lam, T = 3e-3, 2.0, 37
    p0, a = adamw.ema_coefficients(lr, lam, T)
    assert d.function("initial_weight")(lr, lam, T) == pytest.approx(p0, rel=1e-13)
    for s in (0, 10, T - 1):
        assert d.function("update_weight")(lr, lam, T, s) == pytest.approx(a[s], rel=1e-13)
    assert d.function("timescale")(lr, lam) == pytest.approx(adamw.iteration_timescale(lr, lam), rel=1e-15)
    assert d.function("epoch_timescale")(lr, lam, 32, 1000) == pytest.approx(
        adamw.epoch_timescale(lr, lam, 32, 1000), rel=1e-15
    )


def test_errors_name_the_values() -> None:
    with pytest.raises(PreconditionError, match=r"0 < ηλ < 1; η_0·λ = 0.5·3 = 1.5"):
        adamw.ema_coefficients(0.5, 3.0, 4)
    with pytest.raises(InputError, match=r"schedule needs 4 entries; got shape \(3,\)"):
        adamw.ema_weights(np.zeros(2), np.zeros((4, 2)), np.ones(3) * 1e-3, 0.1)
    with pytest.raises(InputError, match=r"updates must have shape \(T, \*w0.shape\)"):
        adamw.recursion(np.zeros(2), np.zeros((4, 3)), 1e-3, 0.1)
    with pytest.raises(InputError, match="1 ≤ batch_size ≤ n; got batch_size = 10, n = 5"):
        adamw.epoch_timescale(1e-3, 0.1, 10, 5)
    with pytest.raises(InputError, match="betas must lie in"):
        adamw.adam_updates(np.zeros((2, 1)), betas=(1.0, 0.9))


# ----------------------------------------------------------------------------------- real torch


@pytest.fixture(scope="module")
def runs() -> dict[str, Any]:
    pytest.importorskip("torch")
    from theory.empirical import _common as C
    from theory.empirical.dynamics import digits_adamw_run

    with C.exact_math(threads=1):
        return {
            "constant": digits_adamw_run(100, epochs=4, weight_decay=0.5),
            "cosine": digits_adamw_run(100, epochs=4, weight_decay=0.5, cosine=True),
        }


def _worst(run: Any, formula: Callable[[Any, np.ndarray, int], np.ndarray]) -> tuple[float, float]:
    """The step with the worst |torch weights − formula| / derived tolerance, as (error, tolerance)."""
    up = adamw.adam_updates(run.grads, run.betas, run.eps)
    worst = (0.0, 1.0)
    for t in range(1, run.grads.shape[0] + 1):
        err = float(np.max(np.abs(run.weights[t] - formula(run, up.u, t))))
        lrs = run.lrs[:t]
        tol = adamw.ema_rounding_bound(run.w0, up.u[:t], lrs) + float(
            np.max(np.tensordot(lrs, up.error[:t], axes=(0, 0)))
        )
        if err / tol > worst[0] / worst[1]:
            worst = (err, tol)
    return worst


def _ema(run: Any, u: np.ndarray, t: int) -> np.ndarray:
    return adamw.ema_weights(run.w0, u[:t], run.lrs[:t], run.weight_decay)


def _one_minus_lambda(run: Any, u: np.ndarray, t: int) -> np.ndarray:
    """The classic slip: decay by (1 − λ) per step instead of (1 − ηλ)."""
    a = 1.0 - run.weight_decay
    return a**t * run.w0 - np.tensordot(run.lrs[:t] * a ** (t - 1 - np.arange(t)), u[:t], axes=(0, 0))


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["constant", "cosine"])
def test_torch_adamw_weights_are_the_ema(runs: dict[str, Any], kind: str) -> None:
    err, tol = _worst(runs[kind], _ema)
    assert err <= tol, f"error {err:.3g} / tolerance {tol:.3g}"


@pytest.mark.torch
def test_torch_adamw_rejects_a_wrong_decay_factor(runs: dict[str, Any]) -> None:
    err, tol = _worst(runs["constant"], _one_minus_lambda)
    assert err > 1e6 * tol


@pytest.mark.torch
def test_the_verify_rows_pass() -> None:
    pytest.importorskip("torch")
    from theory.checks import CheckContext, all_checks, run_check

    ids = ("adamw.ema", "l2.conditioning")
    rows = [c for c in all_checks() if c.theorem_id in ids]
    assert {(c.theorem_id, c.route) for c in rows} == {
        (t, r) for t in ids for r in ("symbolic", "numeric", "empirical")
    }
    # the symbolic rows are checked with the derivations document, the numeric ones by test_verify_cli
    for check in (c for c in rows if c.route == "empirical"):
        out = run_check(check, CheckContext())
        assert out.status == "pass", (out.id, out.route, out.detail)


def _empirical_row() -> Any:
    from theory.checks import CheckContext, all_checks, run_check

    (check,) = [c for c in all_checks() if c.theorem_id == "adamw.ema" and c.route == "empirical"]
    return run_check(check, CheckContext())


@pytest.mark.torch
def test_the_probe_is_the_product_of_decay_factors(runs: dict[str, Any]) -> None:
    """torch moves the zero-gradient probe by exactly 1 − η_tλ a step (the schedule included)."""
    for run in runs.values():
        T = run.grads.shape[0]
        p0 = adamw.ema_coefficients(run.lrs, run.weight_decay, T)[0]
        assert run.probe.shape == (T + 1,) and run.probe[0] == 1.0
        assert abs(run.probe[-1] / p0 - 1) <= (4 * T + (T + 1) * abs(math.log(p0)) + 4) * EPS / 2


@pytest.mark.torch
def test_the_row_fails_when_3n_keeps_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    """Training the 3N run with λ instead of λ/3 must fail the data-size part (it passed when p_3N was
    computed from the formula, torch contributing only the step count)."""
    pytest.importorskip("torch")
    from theory.empirical import dynamics

    real = dynamics.digits_adamw_run

    def keep_lambda(n: int, **kw: Any) -> Any:
        if n > 200:
            kw["weight_decay"] = kw["weight_decay"] * n / 200
        return real(n, **kw)

    monkeypatch.setattr(dynamics, "digits_adamw_run", keep_lambda)
    out = _empirical_row()
    assert out.status == "fail", out.detail


@pytest.mark.torch
def test_the_row_fails_with_an_inverted_epoch_timescale(monkeypatch: pytest.MonkeyPatch) -> None:
    """N/(ηλB) for B/(ηλN) must fail the epochs-to-1/e part."""
    pytest.importorskip("torch")
    monkeypatch.setattr(adamw, "epoch_timescale", lambda lr, lam, b, n: n / (lr * lam * b))
    out = _empirical_row()
    assert out.status == "fail", out.detail


def test_timescales_refuse_eta_lambda_at_least_one() -> None:
    """One policy: every function refuses ηλ ≥ 1 with the values (iteration_timescale returned 0.2)."""
    with pytest.raises(PreconditionError, match=r"η_0·λ = 1·5 = 5"):
        adamw.iteration_timescale(1.0, 5.0)
    with pytest.raises(PreconditionError, match=r"η_0·λ = 1·5 = 5"):
        adamw.epoch_timescale(1.0, 5.0, 10, 100)
    with pytest.raises(PreconditionError, match=r"ηλ = B/\(τ_epoch·N\) = 50/\(0.1·100\) = 5"):
        adamw.decay_for_epoch_timescale(0.1, 1e-3, 50, 100)
    assert adamw.iteration_timescale(0.5, 1.0) == 2.0  # ηλ = ½ is fine


def test_numeric_row_says_what_its_numbers_measure() -> None:
    """The row printed "0.53 / 1.0" with no unit: its detail now names the worst case and its unit."""
    from theory.checks import CheckContext, all_checks, run_check

    for tid in ("adamw.ema", "l2.conditioning"):
        (check,) = [c for c in all_checks() if c.theorem_id == tid and c.route == "numeric"]
        out = run_check(check, CheckContext())
        assert out.status == "pass"
        assert out.detail.startswith("max_error/tolerance is the worst case: "), out.detail
    assert (
        "steps"
        in run_check(
            next(c for c in all_checks() if c.theorem_id == "adamw.ema" and c.route == "numeric"),
            CheckContext(),
        ).detail.split(";")[0]
    )
