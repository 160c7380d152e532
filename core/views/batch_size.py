"""Mini-batch stochastic gradient descent on the linear-regression data, with real mini-batch gradients.

The model is t ≈ Xw (two weights, no bias: :func:`core.surfaces.linreg_data` centers X and t). The loss of the
whole data set is the mean squared error f(w) = (1/n)·‖Xw − t‖²; a step uses only a batch B of b rows:

    g_B = (2/b)·X_Bᵀ(X_B w − t_B),     w ← w − η_t·g_B.

Each epoch shuffles the rows with a seeded generator and cuts them into ⌈n/b⌉ batches in order (the last one is
smaller when b does not divide n, like ``torch.utils.data.DataLoader(shuffle=True, drop_last=False)``). With b = n
the only batch is the whole data set, in its original order, so the run *is* full-batch gradient descent.

``tests/test_batch_size.py`` checks g_B against torch autograd on the same batch. numpy only: this module never
imports torch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.contours import ContourLines, contour_lines
from core.optimizers import lr_schedule
from core.surfaces import linreg_surface

MAX_EPOCHS = 50
MAX_TOTAL_STEPS = 20_000      # updates of one run (epochs·⌈n/b⌉ is capped here)
MAX_LR = 10.0
DIVERGE_FACTOR = 1e8          # a run diverges once f(w) > DIVERGE_FACTOR·(f(w₀) + 1) or w is not finite
GAP_FLOOR = 1e-12             # f − f* is shown on a log axis: values below this are drawn at it
SCHEDULES = ("constant", "inverse_time", "step")
STEP_DECAY_EVERY = 2          # "step": halve the learning rate every 2 epochs
STEP_DECAY_GAMMA = 0.5


# ---------------------------------------------------------------- the math of one step

def mse(X: np.ndarray, t: np.ndarray, w) -> float:
    """Full-data loss f(w) = (1/n)·‖Xw − t‖²."""
    r = X @ np.asarray(w, dtype=float) - t
    # f = (1/n)·Σᵢ (xᵢᵀw − tᵢ)²
    return float(r @ r / len(t))


def batch_gradient(X: np.ndarray, t: np.ndarray, w, idx=None) -> np.ndarray:
    """Gradient of the batch's MSE (1/b)·‖X_B w − t_B‖²: g_B = (2/b)·X_Bᵀ(X_B w − t_B). ``idx`` None: all rows."""
    Xb, tb = (X, t) if idx is None else (X[idx], t[idx])
    if len(tb) == 0:
        raise ValueError("a batch needs at least one row")
    # g_B = (2/b)·X_Bᵀ(X_B w − t_B)
    return 2.0 / len(tb) * (Xb.T @ (Xb @ np.asarray(w, dtype=float) - tb))


def per_sample_gradients(X: np.ndarray, t: np.ndarray, w) -> np.ndarray:
    """(n, d) gradients of each row's own loss (xᵢᵀw − tᵢ)²: gᵢ = 2·xᵢ·(xᵢᵀw − tᵢ). Their mean is ∇f(w)."""
    # gᵢ = 2·xᵢ·(xᵢᵀw − tᵢ)
    return 2.0 * X * (X @ np.asarray(w, dtype=float) - t)[:, None]


def epoch_batches(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch: a random permutation of 0 … n−1 cut into ⌈n/b⌉ consecutive batches, each sorted.

    Sorting inside a batch changes nothing mathematically and makes the batch b = n the data set in its own
    order (so the run is bit-for-bit full-batch gradient descent). With b = n no random number is drawn.
    """
    if batch_size >= n:
        return [np.arange(n)]
    order = rng.permutation(n)
    return [np.sort(order[k:k + batch_size]) for k in range(0, n, batch_size)]


def steps_per_epoch(n: int, batch_size: int) -> int:
    """⌈n/b⌉ updates per pass over the data."""
    return -(-n // batch_size)


def learning_rates(lr: float, steps: int, schedule: str, per_epoch: int) -> np.ndarray:
    """η_t for t = 0 … steps−1.

    constant: η_t = η;  inverse_time: η_t = η/(1 + t/T) with T = one epoch of steps (a 1/t decay);
    step: η_t = η·0.5^⌊t/(2T)⌋ (halved every 2 epochs, torch's StepLR).
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")
    t = np.arange(steps, dtype=float)
    if schedule == "inverse_time":
        # η_t = η/(1 + t/T)
        return lr / (1.0 + t / per_epoch)
    if schedule == "step":
        # η_t = η·γ^⌊t/step_size⌋, step_size = 2 epochs, γ = 0.5
        return lr_schedule(lr, steps, {"kind": "step", "step_size": STEP_DECAY_EVERY * per_epoch,
                                       "gamma": STEP_DECAY_GAMMA})
    # η_t = η
    return np.full(steps, float(lr))


# ---------------------------------------------------------------- a run

@dataclass(frozen=True, eq=False)
class SGDRun:
    """One run: ``path`` (k+1, d) = w₀ … w_k and ``losses`` (k+1,) = f(w_t) on the whole data after each step.

    ``epochs_at`` (k+1,) is t/⌈n/b⌉, the epochs done after step t. ``diverged_at`` is the step t at which w_t was
    not finite or f(w_t) blew up (then k = t − 1), None if all steps ran.
    """

    batch_size: int
    steps_per_epoch: int
    path: np.ndarray
    losses: np.ndarray
    lrs: np.ndarray
    epochs_at: np.ndarray
    diverged_at: int | None


def _whole(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number between {low} and {high}, got {value!r}")
    return int(value)


def sgd(X: np.ndarray, t: np.ndarray, w0, batch_size: int, lr: float, epochs: int, schedule: str = "constant",
        seed: int = 0) -> SGDRun:
    """Mini-batch SGD: for each epoch, for each batch B of :func:`epoch_batches`: w ← w − η_t·(2/b)·X_Bᵀ(X_B w − t_B).

    ``batch_size`` 1 … n, ``epochs`` 1 … 50 and at most 20 000 updates in all (fewer epochs run when the cap is
    hit), ``lr`` in (0, 10], ``schedule`` of :func:`learning_rates`. The batches come from
    ``numpy.random.default_rng(seed)``. A run that blows up stops there (``diverged_at``), no exception.
    """
    X = np.asarray(X, dtype=float)
    t = np.asarray(t, dtype=float)
    n = len(t)
    batch_size = _whole("batch_size", batch_size, 1, n)
    epochs = _whole("epochs", epochs, 1, MAX_EPOCHS)
    lr = float(lr)
    if not (math.isfinite(lr) and 0.0 < lr <= MAX_LR):
        raise ValueError(f"lr must be a number in (0, {MAX_LR}], got {lr!r}")
    per_epoch = steps_per_epoch(n, batch_size)
    epochs = min(epochs, max(1, MAX_TOTAL_STEPS // per_epoch))
    steps = epochs * per_epoch
    lrs = learning_rates(lr, steps, schedule, per_epoch)
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    path = np.empty((steps + 1, len(w)))
    losses = np.empty(steps + 1)
    path[0], losses[0] = w, mse(X, t, w)
    limit = DIVERGE_FACTOR * (losses[0] + 1.0)
    step = 0
    diverged_at = None
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            for idx in epoch_batches(n, batch_size, rng):
                # w ← w − η_t·g_B
                w = w - lrs[step] * batch_gradient(X, t, w, idx)
                step += 1
                loss = mse(X, t, w)
                if not (np.all(np.isfinite(w)) and math.isfinite(loss) and loss <= limit):
                    diverged_at = step
                    break
                path[step], losses[step] = w, loss
            if diverged_at is not None:
                break
    k = step if diverged_at is None else diverged_at - 1
    return SGDRun(batch_size=batch_size, steps_per_epoch=per_epoch, path=path[:k + 1], losses=losses[:k + 1],
                  lrs=lrs, epochs_at=np.arange(k + 1) / per_epoch, diverged_at=diverged_at)


# ---------------------------------------------------------------- gradient noise

@dataclass(frozen=True, eq=False)
class GradientNoise:
    """Spread of the mini-batch gradient around the full gradient at one point w, per batch size b.

    ``measured[j]`` = mean over ``trials`` random batches of ‖g_B − ∇f(w)‖²; ``predicted[j]`` =
    (σ²/b)·(n − b)/(n − 1), the exact expectation for a batch drawn without replacement, where
    σ² = (1/n)·Σᵢ ‖gᵢ − ∇f(w)‖² is the spread of single-sample gradients.
    """

    sizes: np.ndarray
    measured: np.ndarray
    predicted: np.ndarray
    sigma2: float
    full_gradient: np.ndarray


def noise_predicted(sigma2: float, n: int, b) -> np.ndarray:
    """E‖g_B − ∇f‖² = (σ²/b)·(n − b)/(n − 1) for b rows drawn without replacement from n."""
    b = np.asarray(b, dtype=float)
    # (σ²/b)·(n − b)/(n − 1)
    return sigma2 / b * (n - b) / (n - 1)


def gradient_noise(X: np.ndarray, t: np.ndarray, w, sizes, trials: int = 200, seed: int = 0) -> GradientNoise:
    """Measure and predict E‖g_B − ∇f(w)‖² for each batch size in ``sizes`` (1 … n; at most 500 trials)."""
    X = np.asarray(X, dtype=float)
    t = np.asarray(t, dtype=float)
    n = len(t)
    sizes = np.array([_whole("batch size", int(b), 1, n) for b in sizes], dtype=int)
    trials = _whole("trials", trials, 1, 500)
    G = per_sample_gradients(X, t, w)
    # ∇f = (1/n)·Σᵢ gᵢ
    full = G.mean(axis=0)
    # σ² = (1/n)·Σᵢ ‖gᵢ − ∇f‖²
    sigma2 = float(np.mean(np.sum((G - full) ** 2, axis=1)))
    rng = np.random.default_rng(seed)
    measured = []
    for b in sizes:
        # each row of `order` is one random batch: its first b entries
        order = np.argsort(rng.random((trials, n)), axis=1)[:, :b]
        # g_B = (1/b)·Σ_{i∈B} gᵢ  (the same as (2/b)·X_Bᵀ(X_B w − t_B))
        gb = G[order].mean(axis=1)
        measured.append(float(np.mean(np.sum((gb - full) ** 2, axis=1))))
    return GradientNoise(sizes=sizes, measured=np.array(measured), predicted=noise_predicted(sigma2, n, sizes),
                         sigma2=sigma2, full_gradient=full)


# ---------------------------------------------------------------- the batch-size page's view

NOISE_SIZES = (1, 2, 3, 5, 8, 12, 20, 30, 50, 80, 120, 160)
MAX_DRAWN_POINTS = 300        # per series and chart: longer series are thinned for drawing (the math is not)
START_OFFSET = (-2.5, 1.8)    # w₀ = w* + offset


@dataclass(frozen=True, eq=False)
class RunSummary:
    """One run of the page, thinned for drawing, with its final numbers."""

    batch_size: int
    steps_per_epoch: int
    steps: int                 # updates done
    schedule: str
    path: np.ndarray           # (m, 2) thinned w_t
    path_steps: np.ndarray     # (m,) the step t of each drawn point
    curve_steps: np.ndarray    # steps t (log-spaced, for the loss-vs-step chart)
    curve_gaps: np.ndarray     # f(w_t) − f*, floored at GAP_FLOOR
    epoch_x: np.ndarray        # epochs done (evenly thinned, for the loss-vs-epoch chart)
    epoch_gaps: np.ndarray
    final_gap: float           # f(w_k) − f*
    final_distance: float      # ‖w_k − w*‖
    last_epoch_distance: float  # mean ‖w_t − w*‖ over the last epoch's steps
    final_lr: float
    diverged_at: int | None


@dataclass(frozen=True, eq=False)
class BatchSizeView:
    n: int
    lr: float
    epochs: int
    contours: ContourLines
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minimum: tuple[float, float]
    start: tuple[float, float]
    f_star: float
    full: RunSummary           # b = n, constant η
    mini: RunSummary           # the chosen b, constant η
    single: RunSummary         # b = 1, the chosen schedule
    single_constant: RunSummary  # b = 1, constant η (the reference for the schedule)
    noise: GradientNoise       # at w*
    noise_at_batch: float      # predicted E‖g_B − ∇f‖² at the chosen b


def _thin(count: int, limit: int) -> np.ndarray:
    """Indices 0 … count−1, evenly thinned to at most ``limit``, first and last kept."""
    if count <= limit:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, limit).round().astype(int))


def _log_thin(count: int, limit: int) -> np.ndarray:
    """Indices 1 … count−1 spaced evenly on a log axis (every step while steps are few), at most ``limit``."""
    if count <= 1:
        return np.zeros(0, dtype=int)
    if count - 1 <= limit:
        return np.arange(1, count)
    return np.unique(np.geomspace(1, count - 1, limit).round().astype(int))


def summarize(run: SGDRun, minimum: np.ndarray, f_star: float, schedule: str) -> RunSummary:
    """Thin a run for drawing and compute its final gap f − f*, distance ‖w − w*‖ and last-epoch mean distance."""
    count = len(run.losses)
    # f(w_t) − f*, floored for a log axis
    gaps = np.maximum(run.losses - f_star, GAP_FLOOR)
    # ‖w_t − w*‖
    dist = np.linalg.norm(run.path - minimum, axis=1)
    drawn = _thin(count, MAX_DRAWN_POINTS)
    curve = _log_thin(count, MAX_DRAWN_POINTS)
    last = dist[max(1, count - run.steps_per_epoch):] if count > 1 else dist
    return RunSummary(
        batch_size=run.batch_size, steps_per_epoch=run.steps_per_epoch, steps=count - 1, schedule=schedule,
        path=run.path[drawn], path_steps=drawn, curve_steps=curve, curve_gaps=gaps[curve],
        epoch_x=run.epochs_at[drawn], epoch_gaps=gaps[drawn],
        final_gap=float(run.losses[-1] - f_star), final_distance=float(dist[-1]),
        last_epoch_distance=float(last.mean()), final_lr=float(run.lrs[count - 2]) if count > 1 else float(run.lrs[0]),
        diverged_at=run.diverged_at)


def batch_size_view(batch_size: int, lr: float, epochs: int, schedule: str, seed: int) -> BatchSizeView:
    """Every number of the batch-size page: SGD on the standardized linear-regression data from w₀ = w* + (−2.5, 1.8)
    with full batch, batch ``batch_size`` and one sample per step (the last with ``schedule``), the same η and
    number of epochs; plus the gradient noise at w* for batch sizes 1 … 160."""
    surface = linreg_surface(10.0, normalized=True)
    X, t = surface.X, surface.y
    n = len(t)
    minimum = np.array(surface.minima[0])
    start = minimum + np.array(START_OFFSET)
    f_star = surface.f_star
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")

    def run(b: int, sched: str, run_seed: int) -> RunSummary:
        return summarize(sgd(X, t, start, b, lr, epochs, sched, seed=run_seed), minimum, f_star, sched)

    single_constant = run(1, "constant", seed + 1)
    noise = gradient_noise(X, t, minimum, NOISE_SIZES, seed=seed)
    return BatchSizeView(
        n=n, lr=float(lr), epochs=int(epochs),
        contours=contour_lines(surface, n_levels=12, resolution=70),
        x_range=surface.x_range, y_range=surface.y_range, minimum=tuple(minimum.tolist()),
        start=tuple(start.tolist()), f_star=f_star,
        full=run(n, "constant", seed), mini=run(int(batch_size), "constant", seed),
        single=single_constant if schedule == "constant" else run(1, schedule, seed + 1),
        single_constant=single_constant, noise=noise,
        noise_at_batch=float(noise_predicted(noise.sigma2, n, int(batch_size))))
