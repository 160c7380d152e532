"""What the gradient-clipping page shows: ``exploding_runs``, an 8-layer ReLU MLP started with weights
~ N(0, 0.6²) (about 1.7 × He's scale √(2/16)) trained by plain full-batch SGD, with and without clipping. Each layer
multiplies the backward signal by roughly 1.7, so the gradient is ~1.7⁸ ≈ 70 × too large, the first step overshoots,
the next gradient is larger still, and within a few steps the weights overflow to inf/NaN. The same run with
clipping survives.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.errors import check_choice, check_number
from core.training import DEEP_MAX_DEPTH, TrainConfig, train_many
from core.views._shared import n_train_rows

# --- gradient clipping ---------------------------------------------------------------------------------------------
EXPLODE = TrainConfig(dataset="circle", n_samples=200, hidden=(16,) * 8, activation="relu", init="normal",
                      init_std=0.6, optimizer="sgd", lr=0.3, batch_size=0, epochs=80, seed=0, max_seconds=30.0)
CLIP_MODES = ("value", "norm")
LR_RANGE = (0.01, 1.0)
THRESHOLD_RANGE = (0.01, 100.0)


@dataclass(frozen=True)
class ClipRun:
    """One run of the exploding setup. Arrays run over the epochs done; a full-batch epoch is one update, so epoch k
    is global step k. loss: training loss after the epoch (NaN once it overflowed); grad_norm: ‖g‖ of the whole
    gradient before clipping (NaN / inf when it overflowed)."""
    clip: str                    # "none", "value" or "norm"
    threshold: float
    epochs: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    grad_norm: np.ndarray
    diverged_epoch: int | None   # the first epoch whose loss was NaN or inf
    steps: int                   # optimizer updates taken (TensorFlow's global_step, our step counter)
    final_loss: float            # the last finite loss
    final_accuracy: float


@dataclass(frozen=True)
class ClipExperiment:
    unclipped: ClipRun
    clipped: ClipRun
    depth: int
    width: int
    init_std: float
    lr: float
    n_train: int
    epochs: int


def _clip_run(history, steps_per_epoch):
    cfg = history.config
    loss = np.array(history.train_loss, dtype=np.float64)
    finite = loss[np.isfinite(loss)]
    accuracy = np.array(history.train_acc, dtype=np.float64)
    # ‖g‖ = √(Σ_l ‖∇_l‖²) over the linear layers (these nets have no other parameters)
    with np.errstate(over="ignore", invalid="ignore"):
        grad_norm = np.array([math.sqrt(float(np.sum(np.square(np.asarray(g, dtype=np.float64)))))
                              for g in history.grad_norms])
    good = np.isfinite(loss)
    return ClipRun(clip=cfg.clip, threshold=cfg.clip_threshold, epochs=np.array(history.epoch), loss=loss,
                   accuracy=accuracy, grad_norm=grad_norm, diverged_epoch=history.diverged_epoch,
                   steps=history.n_epochs * steps_per_epoch,
                   final_loss=float(finite[-1]) if len(finite) else math.nan,
                   final_accuracy=float(accuracy[good][-1]) if good.any() else math.nan)


def exploding_runs(lr=EXPLODE.lr, clip="norm", threshold=1.0):
    """The ``EXPLODE`` net trained twice from the same initial weights with learning rate lr: without clipping, and
    with clipping (``clip`` = "value": gᵢ ← clamp(gᵢ, ±c); "norm": g ← g · min(1, c / ‖g‖); c = threshold) between
    ``loss.backward()`` and ``optimizer.step()``. Limits: 0.01 ≤ lr ≤ 1, 0.01 ≤ c ≤ 100."""
    lr = check_number("lr", lr, *LR_RANGE)
    clip = check_choice("clip", clip, CLIP_MODES)
    threshold = check_number("threshold", threshold, *THRESHOLD_RANGE)
    base = EXPLODE.replace(lr=lr)
    plain, clipped = train_many([base, base.replace(clip=clip, clip_threshold=threshold)],
                                max_depth=DEEP_MAX_DEPTH)
    n_train = n_train_rows(base)
    return ClipExperiment(unclipped=_clip_run(plain, 1), clipped=_clip_run(clipped, 1), depth=len(base.hidden),
                          width=base.hidden[0], init_std=base.init_std, lr=lr, n_train=n_train, epochs=base.epochs)
