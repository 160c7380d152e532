"""Diagnosing training curves: is the net still learning, overfitting, converged, diverging — or is the data odd?

Pure numpy. The seed's table, read on the *recent window* (the last ``WINDOW_FRAC`` = 30 % of the run) of both
curves; the (train, val) pairs it does not list are mapped as noted:

    train ↓     val ↓           still_learning   keep training
    train ↓     val flat or ↑   overfitting      stop early, regularise, more data   (also train flat, val ↑)
    train flat  val ↓           data_problem     suspicious data: leak, val easier than train, wrong split
                                                                                     (also train ↑, val ↓)
    train flat  val flat        converged        done (or lower the learning rate)
    train ↑     val ↑           diverging        bad hyperparameters (learning rate) or bad data
    NaN / ±inf anywhere         diverging
    (train ↑, val flat: no case — its probability only lowers the confidence)

plus ``too_short`` (fewer than ``MIN_POINTS`` points) and ``ambiguous`` (no case probable enough): an honest
"cannot tell" with a low confidence instead of a loud guess.

How a trend is measured (``_trend``), on the log-loss ``y = log(max(loss, LOG_FLOOR))``:

1. time ``u`` ∈ [0, 1] over the run (step or index rescaled); the recent window is ``u ≥ 1 − window_frac``
   (at least ``MIN_WINDOW_POINTS`` points);
2. smoothing: the window is cut into at most ``MAX_BINS`` (64) equal blocks, each replaced by its interquartile
   mean (a block filter robust to spikes like a median, less noisy; 100 000 points become 64);
3. robust slope: Theil–Sen ``b = median_{i<j} (y_j − y_i)/(u_j − u_i)`` over the blocks; the change of the
   log-loss over the window is ``Δ = b · span`` (``span`` = the window's length in ``u``): the loss is multiplied
   by ``exp(Δ)`` over the window (relative change ``exp(Δ) − 1``);
4. noise: ``σ_Δ = σ_block · span / sqrt(Σ (u_b − ū)²)`` with ``σ_block = 1.4826 · median|r| · sqrt(m / (m − 2))``
   from the residuals ``r`` of the Theil–Sen line (the least-squares standard error of a slope, made robust),
   floored at ``SIGMA_FLOOR``;
5. threshold: *flat* means the true change over the window is within ``±τ``, ``τ = FLAT_TOL = 0.1`` in log units
   (≈ ±10 % per window); *down* / *up* beyond. The true change ``c`` is uncertain: a prior ``c ~ N(0, s0²)``,
   ``s0 = PRIOR_SD = 0.3``, times the measurement ``Δ ~ N(c, σ_Δ²)`` gives the posterior mean
   ``μ = Δ · s0² / (s0² + σ_Δ²)`` and sd ``s = s0 σ_Δ / sqrt(s0² + σ_Δ²)`` (precise measurements are barely
   touched, noisy ones are pulled towards "no change"); with Student-t tails, ``ν = 0.37 · (m − 2)`` degrees of
   freedom (σ_block comes from the MAD of m residuals, worth about 37 % as many Gaussian ones):
   ``p_down = T_ν((−τ − μ)/s)``, ``p_up = T_ν((μ − τ)/s)``, ``p_flat = 1 − p_down − p_up``.
   So a trend is called only if it beats both τ and the noise: a 25 % drop (Δ = −0.29) is "down" with p ≈ 1
   when σ_Δ = 0.03, but only with p ≈ 0.72 when σ_Δ = 0.2 (the rest "flat").

Combining: ``P(case) = Σ p_train(a) · p_val(b)`` over the (a, b) pairs of the table (``_CASE_OF``).
still_learning, overfitting and converged also need the train loss to have dropped at all, so they are weighted by
``p_learned = Φ((drop − τ)/σ_drop)``, ``drop`` = median log-loss of the first ``HEAD_FRAC`` (10 %) of the run
minus that of the window (``σ_drop = 1.2533 · point noise · sqrt(1/k_head + 1/k_window)``); data_problem needs
the val loss to have dropped (``p_learned_val``, same formula). The rest is "not_learning": pure noise and
flat-from-the-start logs end up there, not in a confident case.
The confidence is ``P(best case) · (1 − exp(−n / SHORT_SCALE))`` (``n``: the shorter aligned curve, so 6 points
never sound sure); below ``AMBIGUOUS_BELOW`` (0.5) the case is ``ambiguous``, the best guess kept in the evidence.

Rules before the table: a NaN / ±inf anywhere → ``diverging`` (confidence ``NONFINITE_CONFIDENCE``, the first
non-finite step in the evidence); a train loss whose last ``TAIL_FRAC`` (2 %) sits ``BLOWUP_FACTOR`` (3×) above its
smoothed minimum, beyond 5 noise levels → ``diverging`` (confidence ``BLOWUP_CONFIDENCE``): Theil–Sen alone would
shrug off a blow-up in the last few percent of the run as outliers.

Curves of different lengths: with ``train_steps`` / ``val_steps`` both are cut to their common step range and the
window is the common tail of that range; without steps each curve is assumed to span the same run (e.g. train
logged per batch, val per epoch), so index ``i`` of ``n`` sits at ``u = i / (n − 1)``. The evidence says which.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

CASES = ("still_learning", "overfitting", "data_problem", "converged", "diverging")
ALL_CASES = CASES + ("too_short", "ambiguous")

WINDOW_FRAC = 0.3  # recent window: the last 30 % of the run
FLAT_TOL = 0.1  # τ: |change of log-loss over the window| ≤ 0.1 (≈ ±10 %) counts as flat
MAX_BINS = 64  # blocks per window (Theil–Sen then costs 64·63/2 = 2016 slopes)
MIN_POINTS = 5  # fewer points in either curve → "too_short"
MIN_WINDOW_POINTS = 5  # the window holds at least this many points
HEAD_FRAC = 0.1  # "start of the run" for p_learned
TAIL_FRAC = 0.02  # "end of the run" for the blow-up rule (at least 3 points)
AMBIGUOUS_BELOW = 0.5  # confidence below this → "ambiguous"
SHORT_SCALE = 10.0  # confidence cap 1 − exp(−n / 10): 0.45 at n = 6, 0.86 at n = 20, 0.95 at n = 30
NONFINITE_CONFIDENCE = 0.95
BLOWUP_FACTOR = 3.0
BLOWUP_CONFIDENCE = 0.9
FINAL_JUMP_FACTOR = 10.0
EXPLOSION_FACTOR = 100.0
BLOWUP_BLOCKS = 16  # the smoothed minimum for the blow-up rule: smallest median of 16 blocks
LOG_FLOOR = 1e-12  # log(max(loss, 1e-12)): a loss of exactly 0 stays finite
MAX_SAMPLES = 20_000  # noise and whole-curve levels use at most this many evenly spread points (speed)
SIGMA_FLOOR = 1e-3  # smallest σ_Δ (log units), so noise-free curves give sharp but finite probabilities
MAD_TO_SIGMA = 1.4826  # σ = 1.4826 · MAD for Gaussian noise
MEDIAN_EFFICIENCY = 1.2533  # sd(median of k) ≈ 1.2533 · σ / sqrt(k)
PRIOR_SD = 0.3  # s0: prior N(0, 0.3²) on a window's log-change; shrinks changes measured with σ_Δ ≳ 0.1
MAD_EFFICIENCY = 0.37  # a MAD-based σ from m residuals is worth ≈ 0.37 · m Gaussian residuals

# (train trend, val trend) → case; the seed's table plus the off-diagonal pairs it implies
_CASE_OF = {
    ("down", "down"): "still_learning",
    ("down", "flat"): "overfitting",
    ("down", "up"): "overfitting",
    ("flat", "up"): "overfitting",  # train at its floor while val climbs: late overfitting
    ("flat", "down"): "data_problem",
    ("up", "down"): "data_problem",  # train worse while val better: suspicious data / split
    ("flat", "flat"): "converged",
    ("up", "up"): "diverging",
}
# cases that only make sense once the train loss has dropped at all (weighted by p_learned of train) ...
_NEEDS_LEARNING = ("still_learning", "overfitting", "converged")
# ... and the case that needs the val loss to have dropped at all (weighted by p_learned of val)
_NEEDS_VAL_LEARNING = ("data_problem",)


@dataclass(frozen=True)
class CurveTrend:
    """The trend of one curve over its recent window (log-loss ``y = log(max(loss, LOG_FLOOR))``).

    ``log_change`` = Δ, the Theil–Sen change of ``y`` over the window; ``rel_change = exp(Δ) − 1``;
    ``log_slope_per_step = Δ / (window_end_step − window_start_step)`` (the slope of log-loss per step);
    ``noise`` = σ_Δ (standard error of Δ, log units);
    ``point_noise = 1.4826 · MAD(diff y) / sqrt(2)`` (per-point mini-batch noise of ``y``);
    ``p_down + p_flat + p_up = 1`` (posterior probabilities, module docstring step 5); ``trend`` is the most
    probable of the three;
    ``last_level`` / ``min_level`` are smoothed losses (block interquartile means; the minimum over the whole
    curve), ``min_step`` where that minimum sits (e.g. the bottom of a U-shaped val curve).
    """

    n_points: int
    window_points: int
    window_start_step: float
    window_end_step: float
    log_change: float
    rel_change: float
    log_slope_per_step: float
    noise: float
    point_noise: float
    p_down: float
    p_flat: float
    p_up: float
    trend: str
    last_level: float
    min_level: float
    min_step: float


@dataclass(frozen=True)
class Evidence:
    """Everything ``diagnose`` looked at, in numbers, for the UI to show next to the verdict.

    ``train`` / ``val``: the ``CurveTrend`` of each curve (None when not computed: non-finite or too short);
    ``n_train`` / ``n_val``: lengths given; ``n_used_train`` / ``n_used_val``: points after alignment;
    ``alignment``: how the two curves were put on one time axis; ``first_nonfinite_train`` / ``_val``: step of the
    first NaN / ±inf (None if all finite); ``blowup_ratio``: train tail median / smoothed train minimum;
    ``p_learned`` / ``p_learned_val``: P(train / val loss dropped by more than ``FLAT_TOL`` from the first
    ``HEAD_FRAC`` of the run to the window); ``case_probabilities``: P of each
    case, plus ``"not_learning"`` (mass taken from the cases that need learning) and ``"unclassified"``
    (train ↑ with val flat); ``best_guess``: the
    most probable case (also when ``case`` is ``ambiguous``); ``notes``: plain-language remarks.
    """

    train: CurveTrend | None
    val: CurveTrend | None
    n_train: int
    n_val: int
    n_used_train: int
    n_used_val: int
    window_frac: float
    alignment: str
    first_nonfinite_train: float | None = None
    first_nonfinite_val: float | None = None
    blowup_ratio: float | None = None
    p_learned: float | None = None
    p_learned_val: float | None = None
    case_probabilities: dict = field(default_factory=dict)
    best_guess: str | None = None
    notes: tuple = ()


@dataclass(frozen=True)
class Diagnosis:
    """The verdict: ``case`` ∈ ``ALL_CASES``, ``confidence`` ∈ [0, 1], the ``evidence``, and ``text_key``
    (``"diagnosis.<case>"``) for the explanation in ``text/<lang>/``."""

    case: str
    confidence: float
    evidence: Evidence
    text_key: str


def _phi(z: float) -> float:
    """Standard normal CDF Φ(z) = (1 + erf(z / √2)) / 2."""
    # Φ(z) = (1 + erf(z/√2)) / 2
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b) by Lentz's continued fraction (Numerical Recipes' betacf)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x > (a + 1.0) / (a + b + 2.0):  # the fraction converges fast only below this point
        return 1.0 - _betainc(b, a, 1.0 - x)
    # front = x^a (1 − x)^b / (a · B(a, b))
    front = math.exp(a * math.log(x) + b * math.log1p(-x) + math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)) / a
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    f = d
    for m in range(1, 300):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            f *= c * d
        if abs(c * d - 1.0) < 1e-12:
            break
    return front * f


def _t_cdf(z: float, nu: float) -> float:
    """Student-t CDF with ``nu`` (real, > 0) degrees of freedom: ``1 − I_{ν/(ν+z²)}(ν/2, 1/2) / 2`` for z ≥ 0."""
    if math.isinf(z):
        return 1.0 if z > 0 else 0.0
    # tail = I_{ν/(ν+z²)}(ν/2, 1/2) / 2
    tail = 0.5 * _betainc(nu / 2.0, 0.5, nu / (nu + z * z))
    return 1.0 - tail if z >= 0 else tail


def _as_losses(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of losses, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} is empty")
    finite = np.isfinite(a)
    if np.any(a[finite] < 0):
        i = int(np.flatnonzero(finite & (a < 0))[0])
        raise ValueError(f"{name}[{i}] = {a[i]:g} is negative; diagnose works on log-loss and needs losses ≥ 0")
    return a


def _as_steps(s, n: int, name: str) -> np.ndarray:
    a = np.asarray(s, dtype=np.float64)
    if a.shape != (n,):
        raise ValueError(f"{name} must have the same length as its losses ({n}), got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf")
    if n > 1 and not np.all(np.diff(a) > 0):
        raise ValueError(f"{name} must be strictly increasing")
    return a


def _first_nonfinite(a: np.ndarray, steps: np.ndarray | None) -> float | None:
    bad = np.flatnonzero(~np.isfinite(a))
    if bad.size == 0:
        return None
    i = int(bad[0])
    return float(steps[i]) if steps is not None else float(i)


def _mad_sigma(r: np.ndarray) -> float:
    """Robust σ = 1.4826 · median(|r − median(r)|)."""
    # σ = 1.4826 · MAD
    return float(MAD_TO_SIGMA * np.median(np.abs(r - np.median(r)))) if r.size else 0.0


def _point_noise(y: np.ndarray) -> float:
    """Per-point noise of ``y``: ``σ_point = 1.4826 · MAD(y[i+1] − y[i]) / √2`` (a smooth trend barely moves the
    MAD of the differences), over at most ``MAX_SAMPLES`` evenly spread pairs ``i``."""
    if y.size < 2:
        return 0.0
    i = np.arange(y.size - 1) if y.size - 1 <= MAX_SAMPLES else np.linspace(0, y.size - 2, MAX_SAMPLES).astype(int)
    # σ_point = 1.4826 · MAD(diff y) / √2
    return _mad_sigma(y[i + 1] - y[i]) / math.sqrt(2.0)


def _thin(a: np.ndarray) -> np.ndarray:
    """Every s-th point, ``s = ceil(n / MAX_SAMPLES)``: whole-curve levels need no more than that."""
    return a[::-(-a.size // MAX_SAMPLES)]


def _blocks(y: np.ndarray, u: np.ndarray, max_bins: int = MAX_BINS) -> tuple[np.ndarray, np.ndarray, int]:
    """Block smoother: cut into ``m = n // k`` equal blocks of ``k = ceil(n / max_bins)`` points (the first
    ``n − m·k < k`` points are dropped); each block becomes its interquartile mean (sort, drop ``k // 4`` points at
    each end, average the rest: robust to spikes like a median, but less noisy) and its mean ``u``. Returns
    (y_blocks, u_blocks, k)."""
    n = y.size
    k = -(-n // max_bins)  # ceil(n / max_bins)
    m = n // k
    drop = n - m * k
    trim = k // 4
    yb = np.sort(y[drop:].reshape(m, k), axis=1)
    # interquartile mean: mean of the sorted block without its k//4 smallest and k//4 largest points
    yb = yb[:, trim:k - trim].mean(axis=1)
    ub = u[drop:].reshape(m, k).mean(axis=1)
    return yb, ub, k


def theil_sen(u: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Theil–Sen line ``y ≈ a + b·u``: ``b = median_{i<j} (y_j − y_i)/(u_j − u_i)``, ``a = median(y − b·u)``.

    Robust to up to ~29 % outliers. ``u`` must be strictly increasing. O(n²): call it on a subsample."""
    u = np.asarray(u, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    i, j = np.triu_indices(u.size, 1)
    # b = median over pairs of (y_j − y_i) / (u_j − u_i)
    b = float(np.median((y[j] - y[i]) / (u[j] - u[i])))
    # a = median(y − b·u)
    a = float(np.median(y - b * u))
    return a, b


def _trend(y: np.ndarray, u: np.ndarray, steps: np.ndarray, window_frac: float) -> CurveTrend:
    """Trend of log-loss ``y`` over the recent window ``u ≥ 1 − window_frac`` (see the module docstring)."""
    n = y.size
    start = int(np.searchsorted(u, 1.0 - window_frac - 1e-12, side="left"))
    start = min(start, max(0, n - MIN_WINDOW_POINTS))
    yw, uw = y[start:], u[start:]
    yb, ub, _ = _blocks(yw, uw)
    m = yb.size
    a, b = theil_sen(ub, yb)
    span = float(uw[-1] - uw[0])
    # Δ = b · span: change of log-loss over the window
    delta = b * span
    r = yb - (a + b * ub)
    # σ_block = 1.4826 · median|r| · sqrt(m / (m − 2))
    sigma_block = MAD_TO_SIGMA * float(np.median(np.abs(r))) * math.sqrt(m / max(m - 2, 1))
    sxx = float(np.sum((ub - ub.mean()) ** 2))
    # σ_Δ = σ_block · span / sqrt(Σ (u_b − ū)²), floored
    noise = max(sigma_block * span / math.sqrt(sxx), SIGMA_FLOOR) if sxx > 0 else float("inf")
    point_noise = _point_noise(yw)
    # ν = 0.37 · (m − 2): σ_block comes from the MAD of m residuals (37 % efficient)
    nu = MAD_EFFICIENCY * max(m - 2, 1)
    # posterior mean of the true change under the prior N(0, s0²): μ = Δ · s0² / (s0² + σ_Δ²)
    mu = delta * PRIOR_SD ** 2 / (PRIOR_SD ** 2 + noise ** 2)
    # posterior sd: s = s0 · σ_Δ / sqrt(s0² + σ_Δ²)
    sd = PRIOR_SD * noise / math.sqrt(PRIOR_SD ** 2 + noise ** 2)
    # p_down = T_ν((−τ − μ)/s), p_up = T_ν((μ − τ)/s), p_flat = 1 − p_down − p_up
    p_down = _t_cdf((-FLAT_TOL - mu) / sd, nu)
    p_up = _t_cdf((mu - FLAT_TOL) / sd, nu)
    p_flat = max(0.0, 1.0 - p_down - p_up)
    probs = {"down": p_down, "flat": p_flat, "up": p_up}
    trend = max(probs, key=probs.get)
    yall, sall, _ = _blocks(_thin(y), _thin(steps))
    imin = int(np.argmin(yall))
    w0, w1 = float(steps[start]), float(steps[-1])
    return CurveTrend(
        n_points=int(n),
        window_points=int(n - start),
        window_start_step=w0,
        window_end_step=w1,
        log_change=float(delta),
        rel_change=float(math.expm1(delta)),
        log_slope_per_step=float(delta / (w1 - w0)) if w1 > w0 else 0.0,
        noise=float(noise),
        point_noise=float(point_noise),
        p_down=float(p_down),
        p_flat=float(p_flat),
        p_up=float(p_up),
        trend=trend,
        last_level=float(np.exp(yb[-1])),
        min_level=float(np.exp(yall[imin])),
        min_step=float(sall[imin]),
    )


def _p_learned(y: np.ndarray, u: np.ndarray, window_frac: float, point_noise: float) -> float:
    """P(the log-loss dropped by more than τ from the start of the run to the window):
    ``Φ((drop − τ)/σ)``, ``drop = median(y[head]) − median(y[window])``,
    ``σ = 1.2533 · point_noise · sqrt(1/k_head + 1/k_window)``."""
    n = y.size
    k_head = min(n, max(MIN_WINDOW_POINTS, int(math.ceil(HEAD_FRAC * n))))
    start = min(int(np.searchsorted(u, 1.0 - window_frac - 1e-12)), max(0, n - MIN_WINDOW_POINTS))
    k_win = n - start
    # drop = median(y_head) − median(y_window)
    drop = float(np.median(y[:k_head]) - np.median(y[start:]))
    # σ_drop = 1.2533 · σ_point · sqrt(1/k_head + 1/k_window), floored
    sigma = max(MEDIAN_EFFICIENCY * point_noise * math.sqrt(1.0 / k_head + 1.0 / k_win), SIGMA_FLOOR)
    return _phi((drop - FLAT_TOL) / sigma)


def _blowup(y: np.ndarray) -> tuple[float, bool]:
    """Train blow-up: the median of the last ``k = max(3, 2 % of n)`` points against the smallest median of the
    curve's blocks of ``max(k, n / 16)`` points: ``log ratio = median(y_tail) − min_b median(y_b)``; a blow-up if
    ``log ratio > log(BLOWUP_FACTOR) + 5 · 1.2533 · σ_point / sqrt(k)`` (5 noise levels: the tail's own
    noise plus the downward bias of a minimum over noisy blocks), ``σ_point`` from the whole curve's diffs."""
    n = y.size
    point_noise = _point_noise(y)
    k_tail = min(n, max(3, int(math.ceil(TAIL_FRAC * n))))
    ys = _thin(y)  # the blocks' medians on every s-th point (s = 1 up to MAX_SAMPLES points)
    kb = max(min(k_tail, ys.size), -(-ys.size // BLOWUP_BLOCKS))
    m = ys.size // kb
    blocks = np.median(ys[ys.size - m * kb:].reshape(m, kb), axis=1)
    # log ratio = median(y_tail) − min_b median(y_b)
    log_ratio = float(np.median(y[-k_tail:]) - blocks.min())
    # margin = log(BLOWUP_FACTOR) + 5 · 1.2533 · σ_point / sqrt(k_tail)
    margin = math.log(BLOWUP_FACTOR) + 5.0 * MEDIAN_EFFICIENCY * point_noise / math.sqrt(k_tail)
    # A run stopped the moment it blew up ends on one huge point, which the tail's median hides: the last point
    # alone ≥ FINAL_JUMP_FACTOR (10×) above the minimum, beyond 5 point-noise levels, is a blow-up too.
    final_jump = float(y[-1] - blocks.min())
    noise_before = _point_noise(y[:-1]) if n > 3 else point_noise  # the jump itself must not count as noise
    jumped = final_jump > math.log(FINAL_JUMP_FACTOR) + 5.0 * noise_before
    log_ratio = max(log_ratio, final_jump) if jumped else log_ratio
    return float(math.exp(min(log_ratio, 700.0))), log_ratio > margin or jumped


def _align(tr, ts, va, vs, steps_given: bool, window_frac: float):
    """Put both curves on one time axis ``u`` ∈ [0, 1]; returns (tr, ts, ut, va, vs, uv, note)."""
    if steps_given:
        lo, hi = max(ts[0], vs[0]), min(ts[-1], vs[-1])
        if not hi > lo:
            raise ValueError(
                f"train steps [{ts[0]:g}, {ts[-1]:g}] and val steps [{vs[0]:g}, {vs[-1]:g}] do not overlap")
        kt, kv = (ts >= lo) & (ts <= hi), (vs >= lo) & (vs <= hi)
        tr, ts, va, vs = tr[kt], ts[kt], va[kv], vs[kv]
        note = f"common step range [{lo:g}, {hi:g}]: train {tr.size} points, val {va.size} points"
        # u = (step − lo) / (hi − lo)
        return tr, ts, (ts - lo) / (hi - lo), va, vs, (vs - lo) / (hi - lo), note
    ut = np.linspace(0.0, 1.0, tr.size)
    uv = np.linspace(0.0, 1.0, va.size)
    if tr.size == va.size:
        note = f"equal lengths ({tr.size} points each)"
    else:
        note = (f"different lengths (train {tr.size}, val {va.size}) and no steps: both assumed to span the same "
                f"run (point i of n at i/(n−1)); the window is the last {window_frac:.0%} of each")
    return tr, ts, ut, va, vs, uv, note


def _result(case: str, confidence: float, evidence: Evidence) -> Diagnosis:
    return Diagnosis(case=case, confidence=float(min(1.0, max(0.0, confidence))), evidence=evidence,
                     text_key=f"diagnosis.{case}")


def diagnose(train_loss: ArrayLike, val_loss: ArrayLike, *, train_steps: ArrayLike | None = None,
             val_steps: ArrayLike | None = None, window_frac: float = WINDOW_FRAC) -> Diagnosis:
    """Diagnose a training run from its train and val loss curves (see the module docstring for the method).

    Rules, in order:

    1. NaN / ±inf in either curve → ``diverging``, confidence ``NONFINITE_CONFIDENCE`` (0.95), the first
       non-finite step in ``evidence.first_nonfinite_train`` / ``_val``.
    2. fewer than ``MIN_POINTS`` (5) points in either (aligned) curve → ``too_short``, confidence 0.
    3. train ends ``BLOWUP_FACTOR`` (3×) above its smoothed minimum, beyond 5 noise levels → ``diverging``,
       confidence ``BLOWUP_CONFIDENCE`` (0.9).
    4. otherwise the table: each curve's trend over the last ``window_frac`` of the run is down / flat / up,
       flat meaning ``|Δ| ≤ FLAT_TOL`` (log-loss change over the window ≤ 0.1, ≈ 10 %), weighed against the
       noise σ_Δ; ``P(case) = Σ p_train · p_val`` (× ``p_learned`` / ``p_learned_val`` for the cases that need
       learning); confidence ``P(best) · (1 − exp(−n/10))``; below 0.5 → ``ambiguous``.

    ``train_steps`` / ``val_steps`` (give both or neither): strictly increasing step numbers; the curves are then
    cut to their common step range. Losses must be ≥ 0 (NaN / inf allowed: they mean divergence).
    Cost: O(n) plus a 64-point Theil–Sen: ~ a few ms for 100 000 points.
    """
    if not 0.0 < window_frac <= 1.0:
        raise ValueError(f"window_frac must be in (0, 1], got {window_frac}")
    if (train_steps is None) != (val_steps is None):
        raise ValueError("give both train_steps and val_steps, or neither")
    tr = _as_losses(train_loss, "train_loss")
    va = _as_losses(val_loss, "val_loss")
    n_train, n_val = tr.size, va.size
    steps_given = train_steps is not None
    ts = _as_steps(train_steps, tr.size, "train_steps") if steps_given else np.arange(tr.size, dtype=np.float64)
    vs = _as_steps(val_steps, va.size, "val_steps") if steps_given else np.arange(va.size, dtype=np.float64)

    # 1. non-finite values: divergence, whatever the trend before
    ft, fv = _first_nonfinite(tr, ts), _first_nonfinite(va, vs)
    if ft is not None or fv is not None:
        notes = []
        for name, a, _, f in (("train", tr, ts, ft), ("val", va, vs, fv)):
            if f is not None:
                i = int(np.flatnonzero(~np.isfinite(a))[0])
                notes.append(f"{name} loss is {a[i]} at step {f:g}: the run diverged (numerical overflow)")
        ev = Evidence(train=None, val=None, n_train=tr.size, n_val=va.size, n_used_train=tr.size,
                      n_used_val=va.size, window_frac=window_frac, alignment="not aligned (non-finite values)",
                      first_nonfinite_train=ft, first_nonfinite_val=fv, best_guess="diverging", notes=tuple(notes))
        return _result("diverging", NONFINITE_CONFIDENCE, ev)

    # 2. too short to say anything
    def too_short(note: str, n_t: int, n_v: int, alignment: str) -> Diagnosis:
        ev = Evidence(train=None, val=None, n_train=n_train, n_val=n_val, n_used_train=n_t, n_used_val=n_v,
                      window_frac=window_frac, alignment=alignment, notes=(note,))
        return _result("too_short", 0.0, ev)

    # 1b. an explosion needs no trend: the last train loss ≥ EXPLOSION_FACTOR (100×) its first, however short the run
    if tr.size >= 2 and tr[0] > 0 and tr[-1] >= EXPLOSION_FACTOR * tr[0]:
        ev = Evidence(train=None, val=None, n_train=tr.size, n_val=va.size, n_used_train=tr.size,
                      n_used_val=va.size, window_frac=window_frac, alignment="not aligned (explosion)",
                      blowup_ratio=float(tr[-1] / tr[0]), best_guess="diverging",
                      notes=(f"train loss grew {tr[-1] / tr[0]:.3g}× from its first value: the run diverged",))
        return _result("diverging", BLOWUP_CONFIDENCE, ev)

    if min(tr.size, va.size) < MIN_POINTS:
        return too_short(f"need at least {MIN_POINTS} points per curve (train {tr.size}, val {va.size})",
                         tr.size, va.size, "not aligned (too short)")
    tr, ts, ut, va, vs, uv, alignment = _align(tr, ts, va, vs, steps_given, window_frac)
    if min(tr.size, va.size) < MIN_POINTS:
        return too_short(f"need at least {MIN_POINTS} points per curve in the common step range "
                         f"(train {tr.size}, val {va.size})", tr.size, va.size, alignment)

    # y = log(max(loss, LOG_FLOOR))
    yt = np.log(np.maximum(tr, LOG_FLOOR))
    yv = np.log(np.maximum(va, LOG_FLOOR))
    t_tr = _trend(yt, ut, ts, window_frac)
    t_va = _trend(yv, uv, vs, window_frac)
    p_learned = _p_learned(yt, ut, window_frac, t_tr.point_noise)
    p_learned_val = _p_learned(yv, uv, window_frac, t_va.point_noise)
    ratio, blown = _blowup(yt)
    notes = []
    if alignment.startswith("different lengths"):
        notes.append(alignment)

    # P(case) = Σ over the table's (a, b) pairs of p_train(a) · p_val(b)
    pt = {"down": t_tr.p_down, "flat": t_tr.p_flat, "up": t_tr.p_up}
    pv = {"down": t_va.p_down, "flat": t_va.p_flat, "up": t_va.p_up}
    probs = dict.fromkeys(CASES, 0.0)
    for (a, b), case in _CASE_OF.items():
        probs[case] += pt[a] * pv[b]
    # still learning / overfitting / converged need the train loss to have dropped, data_problem the val loss:
    # the rest of their mass is "not learning"
    probs["not_learning"] = (sum(probs[c] for c in _NEEDS_LEARNING) * (1.0 - p_learned)
                             + sum(probs[c] for c in _NEEDS_VAL_LEARNING) * (1.0 - p_learned_val))
    for c in _NEEDS_LEARNING:
        probs[c] *= p_learned
    for c in _NEEDS_VAL_LEARNING:
        probs[c] *= p_learned_val
    # (up, flat) is in no case of the table: its mass only lowers the confidence
    probs["unclassified"] = pt["up"] * pv["flat"]
    best = max(CASES, key=probs.get)
    # confidence cap for short curves: 1 − exp(−n / SHORT_SCALE)
    cap = 1.0 - math.exp(-min(tr.size, va.size) / SHORT_SCALE)
    confidence = probs[best] * cap
    if blown:
        best, confidence = "diverging", BLOWUP_CONFIDENCE
        notes.append(f"train loss ends {ratio:.3g}× above its smoothed minimum: the run blew up")
    if probs["not_learning"] > probs[best] and not blown:
        which = "train" if p_learned < 0.5 else "val"
        notes.append(f"the {which} loss never dropped clearly below its level at the start: not learning at all "
                     f"(learning rate too low?), or the log starts after convergence")
    if cap < 0.9:
        notes.append(f"only {min(tr.size, va.size)} points: confidence capped at {cap:.2f}")
    ev = Evidence(train=t_tr, val=t_va, n_train=n_train, n_val=n_val, n_used_train=tr.size, n_used_val=va.size,
                  window_frac=window_frac, alignment=alignment, blowup_ratio=ratio, p_learned=float(p_learned),
                  p_learned_val=float(p_learned_val),
                  case_probabilities={k: float(v) for k, v in probs.items()}, best_guess=best, notes=tuple(notes))
    case = best if confidence >= AMBIGUOUS_BELOW else "ambiguous"
    return _result(case, confidence, ev)


def converged(losses: ArrayLike, eps: float, window: int, max_steps: int | None = None) -> tuple[int | None, str]:
    """The step at which the seed's stopping rule ends training, and why.

    Rule, checked after each step ``t = 0, 1, …`` (``losses[t]`` = training loss after step ``t``):

    * **converged** if ``t ≥ window`` and ``|loss[t] − loss[t − window]| < eps`` — the change of the training loss
      over the last ``window`` steps is below ε → ``(t, "loss_change_below_eps")``;
    * else **iteration cap** if ``t == max_steps`` → ``(max_steps, "max_steps")`` (if both hold at the same ``t``
      the ε rule is reported);
    * neither within the curve → ``(None, "not_converged")``.

    A NaN / inf loss never satisfies the ε rule. ``eps > 0``, ``window ≥ 1``, ``max_steps ≥ 0`` or None (no cap).
    """
    a = np.asarray(losses, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"losses must be 1-D, got shape {a.shape}")
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps}")
    if int(window) != window or window < 1:
        raise ValueError(f"window must be an integer ≥ 1, got {window}")
    if max_steps is not None and (int(max_steps) != max_steps or max_steps < 0):
        raise ValueError(f"max_steps must be an integer ≥ 0 or None, got {max_steps}")
    window = int(window)
    last = a.size - 1 if max_steps is None else min(a.size - 1, int(max_steps))
    if last >= window:
        t = np.arange(window, last + 1)
        with np.errstate(invalid="ignore"):
            # |loss[t] − loss[t − window]| < ε
            hit = np.abs(a[t] - a[t - window]) < eps
        if hit.any():
            return int(t[np.argmax(hit)]), "loss_change_below_eps"
    if max_steps is not None and max_steps <= a.size - 1:
        return int(max_steps), "max_steps"
    return None, "not_converged"


def _ema(x: np.ndarray, beta: float) -> np.ndarray:
    """Debiased EMA ``s_t = β s_{t−1} + (1−β) x_t``, ``s_{−1} = 0``, returned as ``s_t / (1 − β^{t+1})``.

    Vectorised in chunks of L steps: inside a chunk ``s_k = β^{k+1} s_prev + (1−β) β^k Σ_{j≤k} β^{−j} x_j``,
    with L chosen so that ``β^{−L}`` stays below 1e150."""
    n = x.size
    if beta == 0.0:
        return x.copy()
    L = max(1, min(n, int(150 * math.log(10) / -math.log(beta))))
    out = np.empty(n)
    s_prev = 0.0
    k = np.arange(L, dtype=np.float64)
    pow_k = beta ** k
    for c0 in range(0, n, L):
        xc = x[c0:c0 + L]
        kk = xc.size
        # s_k = β^{k+1} s_prev + (1−β) β^k Σ_{j≤k} β^{−j} x_j
        s = beta * pow_k[:kk] * s_prev + (1.0 - beta) * pow_k[:kk] * np.cumsum(xc / pow_k[:kk])
        out[c0:c0 + kk] = s
        s_prev = s[-1]
    # debias: s_t / (1 − β^{t+1})
    return out / -np.expm1(np.arange(1, n + 1) * math.log(beta))


def _running_median(x: np.ndarray, half: int) -> np.ndarray:
    """Centred running median over ``2·half + 1`` points, edges padded with the edge value."""
    if half == 0 or x.size == 0:
        return x.copy()
    padded = np.pad(x, half, mode="edge")
    view = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    out = np.empty(x.size)
    rows = max(1, 2_000_000 // (2 * half + 1))  # bound the temporary copy np.median makes
    for r0 in range(0, x.size, rows):
        out[r0:r0 + rows] = np.median(view[r0:r0 + rows], axis=1)
    return out


def smooth(losses: ArrayLike, method: str = "ema", strength: float = 0.6) -> np.ndarray:
    """Smooth a loss curve for display; ``strength`` ∈ [0, 1] (0 = unchanged).

    * ``"ema"``: TensorBoard's debiased exponential moving average with ``β = min(strength, 0.999)``:
      ``s_t = β s_{t−1} + (1−β) x_t``, ``s_{−1} = 0``, shown as ``s_t / (1 − β^{t+1})``.
    * ``"median"``: centred running median over ``2h + 1`` points, ``h = round(50 · strength)`` (1 … 101 points),
      edges padded with the edge value; removes spikes without smearing steps.
    * ``"none"``: a copy.

    Values from the first NaN / ±inf on are returned unchanged (smoothing stops where the run diverged).
    """
    x = np.asarray(losses, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"losses must be 1-D, got shape {x.shape}")
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be in [0, 1], got {strength}")
    if method not in ("ema", "median", "none"):
        raise ValueError(f"method must be 'ema', 'median' or 'none', got {method!r}")
    out = x.copy()
    bad = np.flatnonzero(~np.isfinite(x))
    n_ok = int(bad[0]) if bad.size else x.size
    if method == "none" or n_ok == 0:
        return out
    if method == "ema":
        out[:n_ok] = _ema(x[:n_ok], min(float(strength), 0.999))
    else:
        out[:n_ok] = _running_median(x[:n_ok], int(round(50 * strength)))
    return out
