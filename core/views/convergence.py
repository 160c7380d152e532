"""What the convergence page shows: a mini-batch run whose loss is recorded after every step, and when each stopping
rule (the ε test on the raw or the smoothed loss, early stopping on the validation loss, a step cap) would stop it.

``core.training.History`` records one number per epoch (the loss of the whole training set, which is smooth). To
show the noisy curve a practitioner watches, ``run_steps`` builds the same data, model and optimizer as
``core.training.Trainer`` and runs the same mini-batch updates, but records the mini-batch loss of every step
(computed in the forward pass of that step, before its update), and every ``eval_every`` steps the loss of the whole
training and validation sets (eval mode).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from core import diagnosis, training
from core.views._shared import (
    finite_curve,  # noqa: F401 (the page draws its curves with it)
    wobble,
)

# --- the convergence run: every step's mini-batch loss ----------------------------------------------------------------
BATCH_SIZES = (8, 32, 128)
TOTAL_STEPS = 1000
EVAL_EVERY = 10


def convergence_config(batch_size: int = 32) -> training.TrainConfig:
    """The convergence page's run: moons (n = 400, noise 0.3, 320 training points), a 32-32 tanh net, Adam
    η = 0.01, ``TOTAL_STEPS`` steps; ``batch_size`` one of ``BATCH_SIZES``."""
    if batch_size not in BATCH_SIZES:
        raise ValueError(f"batch_size must be one of {BATCH_SIZES}, got {batch_size!r}")
    return training.TrainConfig(dataset="moons", noise=0.3, n_samples=400, hidden=(32, 32), activation="tanh",
                         optimizer="adam", lr=0.01, batch_size=int(batch_size), epochs=training.MAX_EPOCHS, seed=0)


@dataclass(frozen=True)
class StepRun:
    """A mini-batch run recorded step by step.

    ``batch_loss[t]`` (t = 0 … total_steps): the loss of the mini-batch used at step t, computed in that step's
    forward pass (before its update). Every ``eval_every`` steps (``check_steps`` = 0, e, 2e, …) the loss of the
    whole training set (``check_train``) and validation set (``check_val``) in eval mode, before that step's update.
    """

    batch_size: int
    steps_per_epoch: int
    eval_every: int
    steps: np.ndarray
    batch_loss: np.ndarray
    check_steps: np.ndarray
    check_train: np.ndarray
    check_val: np.ndarray
    seconds: float


def run_steps(config: training.TrainConfig, total_steps: int = TOTAL_STEPS, eval_every: int = EVAL_EVERY,
              data=None) -> StepRun:
    """Train ``config`` for ``total_steps + 1`` mini-batch steps and record every step's batch loss.

    Setup as ``core.training.Trainer`` (validated config, data, standardisation, seeded model, ``torch.optim``
    optimizer, seeded batch order); each step is J = L(model(X_B), y_B) + λ₁ Σ|w| + λ₂ Σ w², g = ∇J, one optimizer
    step (no clipping). ``1 ≤ total_steps ≤ 20 000``, ``1 ≤ eval_every ≤ total_steps``.
    """
    total_steps, eval_every = int(total_steps), int(eval_every)
    if not 1 <= total_steps <= 20_000:
        raise ValueError(f"total_steps must be in [1, 20000], got {total_steps}")
    if not 1 <= eval_every <= total_steps:
        raise ValueError(f"eval_every must be in [1, total_steps], got {eval_every}")
    torch.set_num_threads(1)
    start = time.perf_counter()
    trainer = training.Trainer(config, data)
    cfg, model, optimizer = trainer.config, trainer.model, trainer.optimizer
    weights = [layer.weight for layer in model.linears()] if (cfg.l1 or cfg.l2) else []
    batch_losses = np.empty(total_steps + 1)
    checks = []
    t = 0
    while t <= total_steps:
        for idx in training.batch_indices(trainer.n_train, cfg.batch_size, trainer.generator, cfg.norm == "batch"):
            if t > total_steps:
                break
            if t % eval_every == 0:
                stats = training.evaluate(model, trainer.X_all, trainer.y_all, trainer.n_train, cfg.loss).tolist()
                checks.append((t, stats[0], stats[1]))
            training.set_mode(model, True)
            xb, yb = (trainer.X_train, trainer.y_train) if idx is None else (trainer.X_train[idx],
                                                                               trainer.y_train[idx])
            optimizer.zero_grad()
            # L_B = mean loss of the mini-batch B
            loss = training.data_loss(model(xb), yb, cfg.loss)
            objective = loss + training.penalty(weights, cfg.l1, cfg.l2) if weights else loss
            objective.backward()
            optimizer.step()
            batch_losses[t] = loss.item()
            t += 1
    check = np.array(checks, dtype=np.float64)
    per_epoch = len(training.batch_indices(trainer.n_train, cfg.batch_size, torch.Generator().manual_seed(0)))
    return StepRun(batch_size=cfg.batch_size, steps_per_epoch=per_epoch, eval_every=eval_every,
                   steps=np.arange(total_steps + 1),
                   batch_loss=batch_losses, check_steps=check[:, 0].astype(np.int64), check_train=check[:, 1],
                   check_val=check[:, 2], seconds=time.perf_counter() - start)


def run_convergence(batch_size: int = 32) -> StepRun:
    """``run_steps(convergence_config(batch_size))``: the run the convergence page shows."""
    return run_steps(convergence_config(batch_size))


def early_stopping(val_loss, patience: int) -> tuple[int, int | None]:
    """Early stopping on a validation curve checked at indices k = 0, 1, …: keep the best k* = argmin so far; stop
    at the first k with k − k* ≥ patience (``patience`` checks without a new minimum).

    Returns (k*, k_stop): the best index up to the stop (the weights one keeps) and the stop index, or None when
    the curve ends first (then k* is the best of the whole curve). Non-finite values never count as a minimum.
    ``patience ≥ 1``.
    """
    if int(patience) != patience or patience < 1:
        raise ValueError(f"patience must be an integer ≥ 1, got {patience}")
    v = np.asarray(val_loss, dtype=np.float64)
    if v.ndim != 1 or v.size == 0:
        raise ValueError("val_loss must be a non-empty 1-D sequence")
    best_k, best = 0, math.inf
    for k, value in enumerate(v):
        if math.isfinite(value) and value < best:
            best_k, best = k, float(value)
        elif k - best_k >= patience:
            return best_k, k
    return best_k, None


@dataclass(frozen=True)
class StopPoint:
    """Where a stopping rule ends a curve: ``step`` (None: never), ``reason`` ("loss_change_below_eps",
    "max_steps", "not_converged"), the losses compared (L_t and L_{t−w}) and the whole-training-set loss at the
    nearest check before the stop (what the model really has there); ``before_step`` = t − w; ``change`` =
    |L_t − L_{t−w}|."""

    step: int | None
    reason: str
    loss_now: float | None
    before_step: int | None
    loss_before: float | None
    change: float | None
    true_train_loss: float | None


@dataclass(frozen=True)
class ConvergenceView:
    """Everything the convergence page shows for one setting, as plain arrays: the raw and smoothed batch loss,
    the stop of the ε rule on each, the iteration cap, and early stopping on the val checks (``best_step``: the
    check with the lowest val loss before patience ran out; ``patience_step``: where it ran out, None if never);
    ``raw_wobble`` / ``smooth_wobble``: see ``wobble``; ``smooth_points``: the running median's width (None for
    the EMA); ``raw_fooled``: the ε rule fired on the raw curve before it fired on the smoothed one (or the
    smoothed one never met ε)."""

    steps: np.ndarray
    raw: np.ndarray
    smoothed: np.ndarray
    check_steps: np.ndarray
    check_val: np.ndarray
    check_train: np.ndarray
    raw_stop: StopPoint
    smooth_stop: StopPoint
    max_steps: int
    best_step: int
    best_val: float
    patience_step: int | None
    final_train: float
    min_true_train: float
    raw_wobble: float
    smooth_wobble: float
    smooth_points: int | None
    raw_fooled: bool


def _stop_point(curve: np.ndarray, run: StepRun, eps: float, window: int, max_steps: int) -> StopPoint:
    t, reason = diagnosis.converged(curve, eps, window, max_steps)
    if t is None:
        return StopPoint(None, reason, None, None, None, None, None)
    before_step = t - window if t >= window else None
    before = float(curve[before_step]) if before_step is not None else None
    # |L_t − L_{t−w}|
    change = abs(float(curve[t]) - before) if before is not None else None
    k = int(np.searchsorted(run.check_steps, t, side="right")) - 1
    return StopPoint(int(t), reason, float(curve[t]), before_step, before, change, float(run.check_train[k]))


def convergence_view(run: StepRun, eps: float, window: int, max_steps: int, method: str = "ema",
                     strength: float = 0.9, patience: int = 5) -> ConvergenceView:
    """Apply the stopping rules to ``run``: ``diagnosis.converged`` (|L_t − L_{t−w}| < ε, cap at ``max_steps``) on
    the raw batch losses and on ``diagnosis.smooth(raw, method, strength)``, and ``early_stopping`` with
    ``patience`` checks on the val loss."""
    raw = np.asarray(run.batch_loss, dtype=np.float64)
    smoothed = diagnosis.smooth(raw, method, strength)
    best_k, stop_k = early_stopping(run.check_val, patience)
    raw_stop, smooth_stop = (_stop_point(raw, run, eps, window, max_steps),
                             _stop_point(smoothed, run, eps, window, max_steps))
    eps_stop = "loss_change_below_eps"
    return ConvergenceView(
        steps=run.steps, raw=raw, smoothed=smoothed, check_steps=run.check_steps, check_val=run.check_val,
        check_train=run.check_train,
        raw_stop=raw_stop, smooth_stop=smooth_stop,
        max_steps=int(max_steps), best_step=int(run.check_steps[best_k]), best_val=float(run.check_val[best_k]),
        patience_step=None if stop_k is None else int(run.check_steps[stop_k]),
        final_train=float(run.check_train[-1]), min_true_train=float(np.min(run.check_train)),
        raw_wobble=wobble(raw, window), smooth_wobble=wobble(smoothed, window),
        # the running median covers 2h + 1 steps, h = round(50 · strength)
        smooth_points=2 * int(round(50 * strength)) + 1 if method == "median" else None,
        raw_fooled=raw_stop.reason == eps_stop and (smooth_stop.reason != eps_stop or raw_stop.step < smooth_stop.step))
