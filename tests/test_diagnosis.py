"""core.diagnosis: the five cases on synthetic curves at several noise levels, honest low confidence on ambiguous
input, the explicit rules (NaN / inf, blow-up, too short, different lengths), converged() against a hand
computation of the rule, smooth() against reference loops. Behaviour only; speed lives in benchmarks/."""
import dataclasses
import math

import numpy as np
import pytest

from core.diagnosis import (
    ALL_CASES,
    AMBIGUOUS_BELOW,
    CASES,
    FLAT_TOL,
    MIN_POINTS,
    NONFINITE_CONFIDENCE,
    Diagnosis,
    converged,
    diagnose,
    smooth,
    theil_sen,
)

N = 2000
NOISES = (0.0, 0.05, 0.2)
SEEDS = (0, 1, 2)


def _noisy(x, noise, rng):
    """Multiplicative mini-batch noise: x · exp(noise · z), z ~ N(0, 1)."""
    return x * np.exp(noise * rng.standard_normal(x.size))


def _clean(case, n_train=N, n_val=N):
    t, v = np.linspace(0, 1, n_train), np.linspace(0, 1, n_val)
    if case == "still_learning":  # both still decaying at the end
        return 2.3 * np.exp(-2 * t) + 0.05, 2.3 * np.exp(-1.8 * v) + 0.1
    if case == "overfitting":  # train keeps dropping, val U-shaped (bottom at 35 % of the run)
        return 2.3 * np.exp(-5 * t) + 0.02, 0.4 + 1.9 * np.exp(-8 * v) + 0.6 * np.clip(v - 0.35, 0, None)
    if case == "data_problem":  # train stuck, val improving
        return np.full(n_train, 1.0), 1.5 * np.exp(-2 * v) + 0.1
    if case == "converged":  # both decayed to a plateau by 40 % of the run
        return 2.3 * np.exp(-15 * t) + 0.2, 2.3 * np.exp(-15 * v) + 0.3
    if case == "diverging":  # both climbing steadily (×2.7 over the run: the table, not the blow-up rule)
        return 0.5 * np.exp(t), 0.6 * np.exp(v)
    raise ValueError(case)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("case", CASES)
def test_five_cases_with_noise(case, noise, seed):
    rng = np.random.default_rng(seed)
    tr, va = _clean(case)
    d = diagnose(_noisy(tr, noise, rng), _noisy(va, noise, rng))
    assert d.case == case, (d.case, d.confidence, d.evidence.case_probabilities)
    assert AMBIGUOUS_BELOW <= d.confidence <= 1.0
    assert d.text_key == f"diagnosis.{case}"


@pytest.mark.parametrize("case", ["still_learning", "overfitting", "converged"])
def test_per_batch_train_with_per_epoch_val(case):
    """Train logged per batch (3000 noisy points), val per epoch (40 points): same run, different lengths."""
    rng = np.random.default_rng(7)
    tr, _ = _clean(case, 3000, 40)
    _, va = _clean(case, 3000, 40)
    d = diagnose(_noisy(tr, 0.2, rng), _noisy(va, 0.02, rng))
    assert d.case == case
    assert d.confidence >= AMBIGUOUS_BELOW
    assert "different lengths" in d.evidence.alignment
    assert any("different lengths" in n for n in d.evidence.notes)
    assert (d.evidence.n_train, d.evidence.n_val) == (3000, 40)


@pytest.mark.parametrize("bottom", [0.3, 0.5, 0.7, 0.85])
def test_u_shaped_val_is_overfitting(bottom):
    rng = np.random.default_rng(3)
    t, v = np.linspace(0, 1, 3000), np.linspace(0, 1, 40)
    tr = _noisy(2.3 * np.exp(-6 * t) + 0.02, 0.2, rng)
    va = _noisy(0.3 + 2 * np.exp(-10 * v) + np.clip(v - bottom, 0, None) ** 1.5, 0.02, rng)
    d = diagnose(tr, va)
    assert d.case == "overfitting"
    assert d.evidence.val.trend in ("flat", "up")
    assert d.evidence.val.min_step < 39  # the bottom of the U is before the end


def test_loss_exploding_to_inf_reports_first_nonfinite_step():
    t = np.linspace(0, 1, 1000)
    tr = 2.3 * np.exp(-3 * t)
    with np.errstate(over="ignore"):
        tr[700:] = tr[699] * np.exp(np.arange(300) * 5.0)  # overflows to inf
    first_inf = int(np.flatnonzero(np.isinf(tr))[0])
    va = tr[::10].copy()
    d = diagnose(tr, va)
    assert d.case == "diverging"
    assert d.confidence == NONFINITE_CONFIDENCE
    assert d.evidence.first_nonfinite_train == first_inf
    assert d.evidence.first_nonfinite_val == math.ceil(first_inf / 10)
    assert any("inf" in n for n in d.evidence.notes)


def test_nan_with_steps_reports_the_step_value():
    tr = np.linspace(1, 0.5, 50)
    va = np.linspace(1.1, 0.6, 50)
    va[20] = np.nan
    steps = np.arange(50) * 100
    d = diagnose(tr, va, train_steps=steps, val_steps=steps)
    assert d.case == "diverging"
    assert d.evidence.first_nonfinite_val == 2000
    assert d.evidence.first_nonfinite_train is None


def test_nan_in_a_very_short_curve_is_still_divergence():
    d = diagnose([1.0, float("nan")], [1.0, 1.0])
    assert d.case == "diverging"
    assert d.evidence.first_nonfinite_train == 1


def test_finite_blowup_in_the_last_steps_is_diverging():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, 3000)
    tr = _noisy(2.3 * np.exp(-5 * t) + 0.1, 0.1, rng)
    tr[-50:] = 30.0  # last 1.7 %: Theil–Sen alone would call these outliers
    va = _noisy(2.3 * np.exp(-5 * t) + 0.15, 0.02, rng)
    d = diagnose(tr, va)
    assert d.case == "diverging"
    assert d.evidence.blowup_ratio > 100


def _noise_verdicts(n, draw, seed, runs):
    """Confidence of each non-ambiguous verdict on pure noise (0 where the verdict is ambiguous)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(runs):
        d = diagnose(draw(rng, n), draw(rng, n))
        assert d.evidence.best_guess in CASES
        out.append(0.0 if d.case == "ambiguous" else d.confidence)
    return np.array(out)


def _lognormal(noise):
    return lambda rng, n: np.exp(noise * rng.standard_normal(n))


def _uniform(rng, n):
    return rng.uniform(0, 1, n)


@pytest.mark.parametrize("n,draw", [(1000, _lognormal(0.05)), (2000, _lognormal(0.2)), (5000, _lognormal(0.5))])
def test_pure_noise_is_ambiguous(n, draw):
    conf = _noise_verdicts(n, draw, seed=n, runs=20)
    assert np.all(conf == 0.0)


@pytest.mark.parametrize("n,draw", [(50, _lognormal(0.2)), (200, _lognormal(0.2)), (200, _lognormal(0.5)),
                                    (1000, _uniform), (5000, _uniform)])
def test_pure_noise_rarely_gets_a_verdict_and_never_a_loud_one(n, draw):
    """Where the noise is as large as the flat band (short or very noisy curves), a verdict on pure noise is rare
    (≤ 10 % of runs) and almost never loud (≤ 2 % above 0.8); most runs are "ambiguous"."""
    conf = _noise_verdicts(n, draw, seed=n + 1, runs=100)
    assert np.mean(conf > 0) <= 0.1
    assert np.mean(conf > 0.8) <= 0.02


def test_flat_from_the_start_is_not_called_converged():
    """Flat curves that never dropped: converged or never learning? Cannot tell → ambiguous."""
    d = diagnose(np.full(500, 2.3), np.full(500, 2.3))
    assert d.case == "ambiguous"
    assert d.evidence.case_probabilities["not_learning"] > 0.9
    assert d.evidence.p_learned < 0.01


@pytest.mark.parametrize("n", [1, 2, 3, MIN_POINTS - 1])
def test_too_short(n):
    d = diagnose(np.linspace(1, 0.5, n), np.linspace(1, 0.6, n))
    assert d.case == "too_short"
    assert d.confidence == 0.0
    assert d.text_key == "diagnosis.too_short"


def test_too_short_if_either_curve_is():
    d = diagnose(np.linspace(1, 0.1, 100), [1.0, 0.9, 0.8])
    assert d.case == "too_short"


def test_six_clean_points_never_sound_sure():
    d = diagnose([1, 0.8, 0.6, 0.5, 0.4, 0.35], [1, 0.9, 0.8, 0.7, 0.65, 0.6])
    assert d.confidence < AMBIGUOUS_BELOW
    assert d.case == "ambiguous"
    assert d.evidence.best_guess == "still_learning"


def test_six_noisy_points_have_low_confidence():
    rng = np.random.default_rng(0)
    d = diagnose(np.exp(0.2 * rng.standard_normal(6)), np.exp(0.2 * rng.standard_normal(6)))
    assert d.confidence < 0.3


def test_keras_ten_epochs_overfitting():
    d = diagnose([0.9, 0.5, 0.35, 0.27, 0.21, 0.17, 0.14, 0.11, 0.09, 0.07],
                 [0.6, 0.45, 0.40, 0.38, 0.39, 0.41, 0.44, 0.47, 0.51, 0.55])
    assert d.case == "overfitting"
    assert d.evidence.val.trend == "up"


def test_steps_align_on_the_common_range():
    t = np.arange(0, 3000)
    v = np.arange(1000, 4000, 100)  # val starts later and runs longer
    tr = 2 * np.exp(-t / 1000) + 0.1
    va = 2 * np.exp(-v / 1000) + 0.15
    d = diagnose(tr, va, train_steps=t, val_steps=v)
    assert d.case == "still_learning"
    assert "common step range [1000, 2999]" in d.evidence.alignment
    assert d.evidence.n_used_train == 2000
    assert d.evidence.n_used_val == 20
    assert d.evidence.val.window_end_step == 2900


def test_evidence_numbers_are_consistent():
    t = np.linspace(0, 1, 1000)
    d = diagnose(np.exp(-t), np.exp(-0.5 * t))  # log-loss exactly linear: slope −1 and −0.5 per unit of run
    ev = d.evidence
    assert ev.train.log_change == pytest.approx(-ev.window_frac, rel=0.02)  # Δ = b · span = −1 · 0.3
    assert ev.val.log_change == pytest.approx(-0.5 * ev.window_frac, rel=0.02)
    for tr in (ev.train, ev.val):
        assert tr.rel_change == pytest.approx(math.expm1(tr.log_change))
        assert tr.p_down + tr.p_flat + tr.p_up == pytest.approx(1.0)
        assert tr.window_points == 300
        assert tr.log_slope_per_step == pytest.approx(tr.log_change / (tr.window_end_step - tr.window_start_step))
        assert tr.noise > 0 and tr.point_noise >= 0
    assert ev.train.log_slope_per_step == pytest.approx(-1 / 999, rel=0.02)
    assert d.case == "still_learning"
    assert set(CASES) <= set(ev.case_probabilities)
    assert all(0.0 <= p <= 1.0 for p in ev.case_probabilities.values())
    assert ev.alignment == "equal lengths (1000 points each)"


def test_flat_threshold_is_tau_per_window():
    """A clean change just inside ±τ over the window is flat, just outside it is a trend."""
    t = np.linspace(0, 1, 1000)
    head = 3 * np.exp(-20 * t)  # learning at the start, gone by the window

    def run(change):  # log-loss changes by `change` over the last 30 %
        return diagnose(head + np.exp(change / 0.3 * t), head + np.exp(0 * t) + 0.1)

    assert run(-0.8 * FLAT_TOL).evidence.train.trend == "flat"
    assert run(-1.3 * FLAT_TOL).evidence.train.trend == "down"
    assert run(1.3 * FLAT_TOL).evidence.train.trend == "up"


def test_diagnosis_is_frozen_and_cases_are_known():
    d = diagnose(np.linspace(1, 0.1, 50), np.linspace(1, 0.2, 50))
    assert isinstance(d, Diagnosis)
    assert d.case in ALL_CASES
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.case = "converged"


def test_zero_loss_stays_finite():
    d = diagnose(np.r_[np.linspace(1, 0.01, 100), np.zeros(100)], np.linspace(1, 0.5, 200))
    assert math.isfinite(d.evidence.train.log_change)


@pytest.mark.parametrize("kwargs,match", [
    (dict(train_loss=[1, -0.5, 0.2, 0.1, 0.1], val_loss=[1] * 5), "negative"),
    (dict(train_loss=np.ones((3, 3)), val_loss=[1] * 5), "1-D"),
    (dict(train_loss=[], val_loss=[1] * 5), "empty"),
    (dict(train_loss=[1] * 5, val_loss=[1] * 5, window_frac=0.0), "window_frac"),
    (dict(train_loss=[1] * 5, val_loss=[1] * 5, train_steps=range(5)), "both"),
    (dict(train_loss=[1] * 5, val_loss=[1] * 5, train_steps=[0, 1, 1, 2, 3], val_steps=range(5)), "increasing"),
    (dict(train_loss=[1] * 5, val_loss=[1] * 5, train_steps=range(4), val_steps=range(5)), "same length"),
    (dict(train_loss=[1] * 5, val_loss=[1] * 5, train_steps=range(5), val_steps=range(10, 15)), "overlap"),
])
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        diagnose(**kwargs)


def test_theil_sen_ignores_outliers():
    rng = np.random.default_rng(0)
    u = np.linspace(0, 1, 50)
    y = 2.0 - 3.0 * u
    idx = rng.choice(50, 10, replace=False)
    y[idx] += rng.uniform(5, 50, 10)  # 20 % gross outliers
    a, b = theil_sen(u, y)
    assert b == pytest.approx(-3.0, abs=1e-9)
    assert a == pytest.approx(2.0, abs=1e-9)


# --- converged(): the seed's stopping rule -------------------------------------------------------------------


def _rule_by_hand(losses, eps, window, max_steps):
    """The rule written as the training loop would run it."""
    for t in range(len(losses)):
        if t >= window and abs(losses[t] - losses[t - window]) < eps:
            return t, "loss_change_below_eps"
        if max_steps is not None and t == max_steps:
            return t, "max_steps"
    return None, "not_converged"


LOSSES = [1.0, 0.5, 0.3, 0.25, 0.24, 0.235]


@pytest.mark.parametrize("eps,window,max_steps,expected", [
    (0.02, 1, None, (4, "loss_change_below_eps")),  # |0.24 − 0.25| = 0.01 < 0.02 at t = 4
    (0.06, 1, None, (3, "loss_change_below_eps")),  # |0.25 − 0.3| = 0.05 < 0.06 at t = 3
    (0.1, 2, None, (4, "loss_change_below_eps")),  # |0.24 − 0.3| = 0.06 < 0.1; t = 3: |0.25 − 0.5| = 0.25
    (0.02, 1, 3, (3, "max_steps")),  # the cap comes first
    (0.02, 1, 4, (4, "loss_change_below_eps")),  # both at t = 4: the ε rule is reported
    (0.001, 1, None, (None, "not_converged")),
    (0.001, 1, 99, (None, "not_converged")),  # cap beyond the curve, ε never met
    (0.5, 5, None, (None, "not_converged")),  # |0.235 − 1.0| = 0.765
    (0.8, 5, None, (5, "loss_change_below_eps")),
    (0.02, 1, 0, (0, "max_steps")),
])
def test_converged_by_hand(eps, window, max_steps, expected):
    assert converged(LOSSES, eps, window, max_steps) == expected


def test_converged_is_strict():
    assert converged([1.0, 0.5], 0.5, 1) == (None, "not_converged")  # |0.5 − 1.0| = 0.5 is not < 0.5
    assert converged([1.0, 0.5], 0.50001, 1) == (1, "loss_change_below_eps")


def test_converged_ignores_nan():
    assert converged([1.0, float("nan"), float("nan"), 0.9, 0.9], 0.01, 1) == (4, "loss_change_below_eps")


@pytest.mark.parametrize("seed", range(20))
def test_converged_matches_the_loop(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    losses = list(np.round(np.exp(-rng.uniform(0, 0.2, n).cumsum()) + rng.normal(0, 0.01, n), 3))
    eps = float(rng.choice([0.001, 0.005, 0.02]))
    window = int(rng.integers(1, 6))
    max_steps = None if seed % 3 == 0 else int(rng.integers(0, 70))
    assert converged(losses, eps, window, max_steps) == _rule_by_hand(losses, eps, window, max_steps)


@pytest.mark.parametrize("args", [([1, 2], 0, 1, None), ([1, 2], 0.1, 0, None), ([1, 2], 0.1, 1.5, None),
                                  ([1, 2], 0.1, 1, -1), (np.ones((2, 2)), 0.1, 1, None)])
def test_converged_bad_arguments(args):
    with pytest.raises(ValueError):
        converged(*args)


# --- smooth() --------------------------------------------------------------------------------------------------


def _ema_loop(x, beta):
    s, out = 0.0, []
    for t, v in enumerate(x):
        s = beta * s + (1 - beta) * v
        out.append(s / (1 - beta ** (t + 1)))
    return np.array(out)


@pytest.mark.parametrize("strength", [0.0, 0.3, 0.6, 0.9, 0.99, 1.0])
def test_smooth_ema_matches_the_loop(strength):
    rng = np.random.default_rng(0)
    x = np.exp(-np.linspace(0, 3, 3000)) * np.exp(0.3 * rng.standard_normal(3000))  # > one chunk for β = 0.3
    got = smooth(x, "ema", strength)
    np.testing.assert_allclose(got, _ema_loop(x, min(strength, 0.999)), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("strength", [0.0, 0.05, 0.5, 1.0])
def test_smooth_median_matches_the_definition(strength):
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, 300)
    h = int(round(50 * strength))
    padded = np.pad(x, h, mode="edge")
    ref = np.array([np.median(padded[i:i + 2 * h + 1]) for i in range(x.size)])
    np.testing.assert_allclose(smooth(x, "median", strength), ref)


def test_smooth_median_removes_a_spike():
    x = np.full(101, 1.0)
    x[50] = 100.0
    assert smooth(x, "median", 0.1).max() == 1.0


def test_smooth_stops_at_the_first_nonfinite_value():
    x = np.array([1.0, 0.8, 0.6, np.inf, 0.5, np.nan])
    out = smooth(x, "ema", 0.5)
    np.testing.assert_allclose(out[:3], _ema_loop(x[:3], 0.5))
    assert np.isinf(out[3]) and out[4] == 0.5 and np.isnan(out[5])


def test_smooth_none_is_a_copy():
    x = np.array([1.0, 2.0])
    out = smooth(x, "none", 0.7)
    np.testing.assert_array_equal(out, x)
    assert out is not x


@pytest.mark.parametrize("method,strength", [("ema", -0.1), ("ema", 1.5), ("gauss", 0.5)])
def test_smooth_bad_arguments(method, strength):
    with pytest.raises(ValueError):
        smooth([1.0, 2.0], method, strength)


def test_a_run_stopped_at_its_blow_up_is_diverging_however_short():
    """core.training stops a run as soon as cross-entropy exceeds 10 · ln C, so a diverging curve can end on one
    huge finite point, or be only two points long."""
    stopped = [0.348, 0.425, 0.389, 0.375, 0.579, 0.630, 0.869, 10.4]
    assert diagnose(stopped, [0.36, 0.39, 0.38, 0.36, 0.87, 0.67, 0.69, 7.5]).case == "diverging"
    assert diagnose([0.94, 71191.6], [0.9, 50000.0]).case == "diverging"
    assert diagnose([0.94, 0.9], [0.9, 0.8]).case == "too_short"
