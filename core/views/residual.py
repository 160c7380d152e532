"""What the residual page shows: ``residual_sweep``, plain vs residual MLPs at depths 4, 16, 32, 64 (the degradation
problem), with the gradient that reaches each layer. Real ``core.training`` runs; results are plain arrays.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core.errors import check_choice
from core.training import DEEP_MAX_DEPTH, TrainConfig, Trainer, data_loss
from core.views._shared import finite_or_nan, n_train_rows, probe

# --- residual shortcuts --------------------------------------------------------------------------------------------
DEPTH_SWEEP = TrainConfig(dataset="moons", n_samples=200, hidden=(16,), activation="relu", init="he",
                          optimizer="adam", lr=0.01, batch_size=0, epochs=20, seed=0, max_seconds=30.0)
DEPTHS = (4, 16, 32, 64)
RESIDUAL_NORMS = ("batch", "none")
EPOCH_CHOICES = (20, 40)


@dataclass(frozen=True)
class DepthRun:
    """One net of the depth sweep. loss: full-batch training loss after each epoch (with training-mode batch
    statistics: exactly the objective full-batch training minimises); NaN once it overflowed. grad_norms: ‖∇_l‖ of
    every hidden layer's W and b at initialisation, first layer first."""
    residual: bool
    depth: int
    epochs: np.ndarray
    loss: np.ndarray
    final_loss: float             # NaN if the run diverged
    grad_norms: np.ndarray
    first_grad_norm: float
    diverged_epoch: int | None


@dataclass(frozen=True)
class DepthSweep:
    runs: dict                    # (residual, depth) → DepthRun
    depths: tuple
    norm: str
    width: int
    epochs: int
    n_train: int
    lr: float


def depth_run(config):
    """Train one net of the depth sweep (a ``TrainConfig`` with batch_size 0) and return its ``DepthRun``."""
    trainer = Trainer(config, max_depth=DEEP_MAX_DEPTH)
    X, y = trainer.X_train, trainer.y_train
    losses = []
    while not trainer.done:
        trainer.step(1)
        logits, _, _ = probe(trainer.model, X, batch_stats=True)
        losses.append(finite_or_nan(data_loss(logits, y)) if torch.isfinite(logits).all() else math.nan)
    h = trainer.history
    norms = np.asarray(h.grad_norms[0], dtype=np.float64)[:-1]  # epoch 1 = one full batch: the gradient at init
    loss = np.array(losses)
    diverged = h.diverged_epoch
    if diverged is None and not np.isfinite(loss).all():
        diverged = int(np.argmin(np.isfinite(loss))) + 1
    return DepthRun(residual=config.residual, depth=len(config.hidden), epochs=np.array(h.epoch), loss=loss,
                    final_loss=math.nan if diverged is not None else float(loss[-1]), grad_norms=norms,
                    first_grad_norm=finite_or_nan(norms[0]), diverged_epoch=diverged)


def residual_sweep(norm="batch", epochs=20):
    """Plain (h ← φ(N(z))) vs residual (h ← h + φ(N(z))) MLPs of width 16 at every depth in ``DEPTHS``, He
    initialisation, full-batch Adam for ``epochs`` epochs (= updates), seed 0; N = batch norm or none. Per net:
    the training loss per epoch and every layer's gradient norm at initialisation."""
    norm = check_choice("norm", norm, RESIDUAL_NORMS)
    epochs = check_choice("epochs", epochs, EPOCH_CHOICES)
    base = DEPTH_SWEEP.replace(norm=norm, epochs=epochs)
    runs = {}
    for residual in (False, True):
        for depth in DEPTHS:
            runs[residual, depth] = depth_run(base.replace(hidden=(base.hidden[0],) * depth, residual=residual))
    return DepthSweep(runs=runs, depths=DEPTHS, norm=norm, width=base.hidden[0], epochs=epochs,
                      n_train=n_train_rows(base), lr=base.lr)
