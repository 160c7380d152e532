"""Input normalization, the numbers of one view: the linear-regression loss surface on raw and on standardized
features, gradient descent on each, and how the cost of raw features grows with their scale ratio.

Everything the page shows comes from :func:`normalization_view` (one cached call). numpy only, never torch: the
surfaces and the gradient-descent engine are :mod:`core.surfaces` and :mod:`core.optimizers`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.contours import ContourLines, contour_lines
from core.errors import check_number
from core.optimizers import trajectory
from core.surfaces import gd_steps_to_reach, linreg_data, linreg_surface, optimal_gd_lr

EPS = 1e-4                   # "reached the minimum": f(w) − f* ≤ ε
PATH_STEPS = 80              # gradient-descent steps drawn on each surface (fewer when ε is reached earlier)
MIN_LOG_RATIO, MAX_LOG_RATIO = 0.0, 2.0   # scale ratio 10^0 … 10^2
MIN_LR_FACTOR, MAX_LR_FACTOR = 0.05, 2.5  # learning rate = factor · η*
SWEEP_POINTS = 21            # scale ratios of the steps-vs-ratio curve, log-spaced over 1 … 100
CONTOUR_LEVELS = 12
CONTOUR_RESOLUTION = 80
# w₀ = w* + START_OFFSET on both surfaces. Not the surfaces' default (−2.5, 2.5): on standardized features that
# offset lies exactly along an eigenvector of H, which would hide the (small) remaining anisotropy.
START_OFFSET = (-2.5, 1.8)


@dataclass(frozen=True, eq=False)
class GDOnSurface:
    """Gradient descent w ← w − η·∇f(w) on one MSE surface f(w) = f* + ½(w − w*)ᵀH(w − w*)."""

    normalized: bool
    contours: ContourLines
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minimum: tuple[float, float]       # w*
    start: tuple[float, float]         # w₀
    f_star: float
    lam_min: float                     # eigenvalues of H
    lam_max: float
    kappa: float                       # κ = λmax/λmin
    best_lr: float                     # η* = 2/(λmax + λmin)
    max_stable_lr: float               # 2/λmax: every larger η diverges
    lr: float                          # η = factor·η*
    worst_rate: float                  # max over directions of |1 − ηλᵢ| (≥ 1: no convergence)
    path: np.ndarray                   # (k+1, 2): w₀ … w_k, at most PATH_STEPS steps, stopped once f − f* ≤ ε
    gaps: np.ndarray                   # (k+1,): f(w_t) − f*
    diverged_at: int | None            # step at which the run left the far box or overflowed (core.optimizers)
    steps_to_eps: int | None           # steps until f − f* ≤ ε at η, closed form; None: never
    best_steps_to_eps: int | None      # the same at η*
    gap0: float                        # f(w₀) − f*
    steps_bound: float                 # at η*: ln(gap₀/ε) / (2·ln((κ + 1)/(κ − 1))) ≥ best_steps_to_eps


@dataclass(frozen=True, eq=False)
class FeatureStats:
    """The two raw feature columns and their two rescalings."""

    raw: np.ndarray            # (n, 2) x, as the surface uses it (centered)
    minmax: np.ndarray         # (n, 2) (x − min)/(max − min)
    standardized: np.ndarray   # (n, 2) (x − μ)/σ
    mean: tuple[float, float]
    std: tuple[float, float]
    low: tuple[float, float]
    high: tuple[float, float]
    raw_reach: float           # max |x| over both raw columns: a square plot box ±raw_reach shows the true shape
    standardized_reach: float  # the same for the standardized columns


@dataclass(frozen=True, eq=False)
class NormalizationView:
    scale_ratio: float
    lr_factor: float
    eps: float
    raw: GDOnSurface
    normalized: GDOnSurface
    features: FeatureStats
    sweep_ratios: np.ndarray          # scale ratios 1 … 100
    sweep_raw_steps: np.ndarray       # GD steps to ε at η* on raw features (nan: more than the cap)
    sweep_normalized_steps: np.ndarray
    sweep_raw_kappa: np.ndarray


def steps_bound(kappa: float, gap0: float, eps: float) -> float:
    """Steps that suffice at η* = 2/(λmax + λmin): every direction shrinks by r = (κ − 1)/(κ + 1) per step, so
    f(w_t) − f* ≤ r^(2t)·(f(w₀) − f*) ≤ ε once t ≥ ln(gap₀/ε) / (2·ln(1/r)) ≈ (κ/4)·ln(gap₀/ε)."""
    if gap0 <= eps:
        return 0.0
    if kappa <= 1.0:
        return 1.0
    # t = ln(gap₀/ε) / (2·ln((κ + 1)/(κ − 1)))
    return math.log(gap0 / eps) / (2.0 * math.log((kappa + 1.0) / (kappa - 1.0)))


def gd_on_surface(scale_ratio: float, normalized: bool, lr_factor: float, eps: float = EPS,
                  path_steps: int = PATH_STEPS) -> GDOnSurface:
    """Gradient descent at η = lr_factor·η* on the MSE surface of :func:`core.surfaces.linreg_surface`.

    η* = 2/(λmax + λmin) is the best constant step on a quadratic; 2/λmax the largest stable one. Step counts to ε
    come from the closed form f(w_t) − f* = ½·Σᵢ λᵢ·cᵢ²·(1 − ηλᵢ)^(2t) (:func:`core.surfaces.gd_steps_to_reach`);
    the drawn path is a real run of :func:`core.optimizers.trajectory` ("sgd" on the exact gradient).
    """
    surface = linreg_surface(scale_ratio, normalized=normalized)
    lam = np.linalg.eigvalsh(surface.hessian)
    lam_min, lam_max = float(lam[0]), float(lam[-1])
    best = optimal_gd_lr(surface.hessian)
    lr = lr_factor * best
    minimum = surface.minima[0]
    # w₀ = w* + offset
    start = (minimum[0] + START_OFFSET[0], minimum[1] + START_OFFSET[1])
    f_star = surface.f_star
    run = trajectory("sgd", surface, start=start, steps=path_steps, lr=lr)
    gaps = run.losses - f_star
    reached = np.flatnonzero(gaps <= eps)
    end = int(reached[0]) + 1 if len(reached) else len(gaps)
    gap0 = float(surface.f(*start)) - f_star
    return GDOnSurface(
        normalized=bool(normalized),
        contours=contour_lines(surface, n_levels=CONTOUR_LEVELS, resolution=CONTOUR_RESOLUTION),
        x_range=surface.x_range, y_range=surface.y_range, minimum=minimum, start=start, f_star=f_star,
        lam_min=lam_min, lam_max=lam_max,
        # κ = λmax/λmin
        kappa=lam_max / lam_min,
        best_lr=best,
        # η < 2/λmax ⇔ |1 − ηλmax| < 1
        max_stable_lr=2.0 / lam_max,
        lr=lr,
        # max |1 − ηλᵢ|
        worst_rate=float(np.max(np.abs(1.0 - lr * lam))),
        path=run.path[:end], gaps=gaps[:end], diverged_at=run.diverged_at,
        steps_to_eps=gd_steps_to_reach(surface.hessian, start, minimum, eps, lr=lr),
        best_steps_to_eps=gd_steps_to_reach(surface.hessian, start, minimum, eps, lr=best),
        gap0=gap0, steps_bound=steps_bound(lam_max / lam_min, gap0, eps))


def feature_stats(scale_ratio: float) -> FeatureStats:
    """The raw features and both rescalings: min-max x' = (x − min)/(max − min), standardization x' = (x − μ)/σ."""
    X, _ = linreg_data(scale_ratio, normalized=False)
    low, high = X.min(axis=0), X.max(axis=0)
    mean, std = X.mean(axis=0), X.std(axis=0)
    # the data are centered: a mean of rounding size (~1e-16) is reported as the 0 it is
    mean = np.where(np.abs(mean) < 1e-12 * std, 0.0, mean)
    # x' = (x − μ)/σ
    standardized = (X - mean) / std
    return FeatureStats(
        raw=X,
        # x' = (x − min)/(max − min)
        minmax=(X - low) / (high - low),
        standardized=standardized,
        mean=tuple(mean.tolist()), std=tuple(std.tolist()), low=tuple(low.tolist()), high=tuple(high.tolist()),
        raw_reach=float(np.abs(X).max()), standardized_reach=float(np.abs(standardized).max()))


def steps_vs_ratio(ratios, eps: float = EPS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GD steps to ε at η* for each scale ratio, on raw and on standardized features, and κ of the raw Hessian.

    Returns (raw steps, normalized steps, raw κ); a step count above the closed form's cap is nan.
    """
    raw, norm, kappa = [], [], []
    for ratio in np.asarray(ratios, dtype=float):
        for normalized, out in ((False, raw), (True, norm)):
            s = linreg_surface(float(ratio), normalized=normalized)
            start = (s.minima[0][0] + START_OFFSET[0], s.minima[0][1] + START_OFFSET[1])
            steps = gd_steps_to_reach(s.hessian, start, s.minima[0], eps)
            out.append(np.nan if steps is None else float(steps))
            if not normalized:
                kappa.append(s.condition_number)
    return np.array(raw), np.array(norm), np.array(kappa)


def normalization_view(log10_ratio: float, lr_factor: float) -> NormalizationView:
    """Every number of the input-normalization page for scale ratio 10^log10_ratio and η = lr_factor·η*.

    log10_ratio ∈ [0, 2] (ratio 1 … 100), lr_factor ∈ [0.05, 2.5]; ValueError outside.
    """
    log10_ratio = check_number("log10_ratio", log10_ratio, MIN_LOG_RATIO, MAX_LOG_RATIO)
    lr_factor = check_number("lr_factor", lr_factor, MIN_LR_FACTOR, MAX_LR_FACTOR)
    # ratio = 10^log10_ratio
    ratio = float(10.0 ** log10_ratio)
    ratios = np.logspace(MIN_LOG_RATIO, MAX_LOG_RATIO, SWEEP_POINTS)
    raw_steps, norm_steps, raw_kappa = steps_vs_ratio(ratios)
    return NormalizationView(
        scale_ratio=ratio, lr_factor=lr_factor, eps=EPS,
        raw=gd_on_surface(ratio, False, lr_factor), normalized=gd_on_surface(ratio, True, lr_factor),
        features=feature_stats(ratio), sweep_ratios=ratios, sweep_raw_steps=raw_steps,
        sweep_normalized_steps=norm_steps, sweep_raw_kappa=raw_kappa)
