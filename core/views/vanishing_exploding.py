"""What the vanishing/exploding-gradients page shows:

    gradient_profile   one backward pass at initialisation: per-layer gradient norms and the chain rule's factors
    gradient_vs_depth  how the first layer's gradient shrinks (or not) as the network gets deeper
    gradient_map       a training run's per-layer gradient norms, layer × epoch (``History.grad_norms``)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core import layer_stats, training
from core.errors import check_choice, check_integer
from core.views._shared import (
    CONSTANT,
    DEEP_ACTIVATIONS,
    GRAD_CEILING,
    GRAD_FLOOR,
    INIT_SPECS,
    MAX_STATS_DEPTH,
    MAX_STATS_WIDTH,
    STATS_SAMPLES,
    TRAIN,
    deep_mlp,
    gaussian_inputs,
)

ACTIVATIONS = DEEP_ACTIVATIONS  # the activations the page offers

MAX_MAP_DEPTH, MAX_MAP_EPOCHS, MAP_WIDTH = 16, 150, 32
DEPTHS = (2, 3, 5, 8, 10, 15, 20, 25, 30, 40, 50)


# --- vanishing / exploding page --------------------------------------------------------------------------------------
@dataclass
class GradientProfile:
    """One backward pass at initialisation (``layer_stats.backward_stats``), per hidden layer l = 1 … L:
    ``weight_grad`` ‖∂L/∂W_l‖ (then the output layer's, last), ``factor`` f_l = ‖δ_{l−1}‖/‖δ_l‖, ``product`` Π_{k≥l}
    f_k (how much of the gradient at the top reaches layer l), ``slope`` E[φ′(z_l)], ``bound`` (max φ′)^(L−l+1);
    ``ratio`` = ‖∂L/∂W_1‖ / ‖∂L/∂W_L‖ (first / last hidden layer; NaN when undefined). Norms and products are kept
    within [``GRAD_FLOOR``, ``GRAD_CEILING``] for a log scale; ``underflow`` marks norms that were exactly 0."""
    activation: str
    init: str
    depth: int
    norm: str
    residual: bool
    weight_grad: np.ndarray
    underflow: np.ndarray
    factor: np.ndarray
    product: np.ndarray
    slope: np.ndarray
    slope_product: np.ndarray
    bound: np.ndarray
    ratio: float


def _backward(activation, init, depth, width, norm, residual, seed):
    model = deep_mlp(depth, width, activation, init, norm=norm, residual=residual, seed=seed)
    X, y = gaussian_inputs(STATS_SAMPLES // 2, width, seed)
    return layer_stats.backward_stats(model, X, y)


def _within_range(values):
    """Positive values for a log scale: NaN and +inf (overflow) → ``GRAD_CEILING``, 0 (underflow) →
    ``GRAD_FLOOR``."""
    values = np.nan_to_num(np.asarray(values, dtype=float), nan=GRAD_CEILING, posinf=GRAD_CEILING)
    return np.clip(values, GRAD_FLOOR, GRAD_CEILING)


def _ratio(weight_grad):
    first, last = weight_grad[0], weight_grad[-2]
    if not (np.isfinite(first) and np.isfinite(last) and last > 0):
        return math.nan
    # ‖∂L/∂W_1‖ / ‖∂L/∂W_L‖
    return float(first / last)


def gradient_profile(activation, init, depth, width=64, norm="none", residual=False, seed=0):
    """See ``GradientProfile``; depth ≤ 50, width ≤ 256, ``STATS_SAMPLES``/2 Gaussian inputs, cross-entropy."""
    activation = check_choice("activation", activation, DEEP_ACTIVATIONS)
    init = check_choice("init", init, tuple(INIT_SPECS))
    norm = check_choice("norm", norm, ("none", "batch"))
    depth = check_integer("depth", depth, 1, MAX_STATS_DEPTH)
    width = check_integer("width", width, 2, MAX_STATS_WIDTH)
    torch.set_num_threads(1)
    stats = _backward(activation, init, depth, width, norm, bool(residual), seed)
    grads = stats.weight_grad
    factor = np.nan_to_num(stats.factor, nan=0.0, posinf=GRAD_CEILING)
    slope = np.nan_to_num(stats.slope, nan=0.0)
    return GradientProfile(activation, init, depth, norm, bool(residual), _within_range(grads), grads <= 0, factor,
                           _within_range(layer_stats.chain_product(factor)), slope,
                           # E[φ′] per layer and its running product from the top
                           _within_range(layer_stats.chain_product(slope)),
                           layer_stats.bound_product(activation, depth)[::-1], _ratio(grads))


@dataclass
class DepthCurve:
    """For each activation in ``activations`` and each depth in ``depths``: ``ratio`` ‖∂L/∂W_1‖ / ‖∂L/∂W_L‖
    (activations × depths; NaN where the forward pass overflowed or the last layer's gradient is exactly 0)."""
    init: str
    norm: str
    residual: bool
    activations: tuple
    depths: np.ndarray
    ratio: np.ndarray


def gradient_vs_depth(init, width=64, norm="none", residual=False, seed=0, depths=DEPTHS, activations=DEEP_ACTIVATIONS):
    """``gradient_profile``'s first/last ratio over ``depths`` (≤ 50) for each activation."""
    init = check_choice("init", init, tuple(INIT_SPECS))
    norm = check_choice("norm", norm, ("none", "batch"))
    width = check_integer("width", width, 2, MAX_STATS_WIDTH)
    depths = [check_integer("depth", d, 2, MAX_STATS_DEPTH) for d in depths]
    torch.set_num_threads(1)
    ratio = np.array([[_ratio(_backward(a, init, d, width, norm, bool(residual), seed).weight_grad) for d in depths]
                      for a in activations])
    return DepthCurve(init, norm, bool(residual), tuple(activations), np.array(depths), ratio)


@dataclass
class GradientMap:
    """A training run's ``grad_norms`` (epochs × linear layers, hidden first, output last; measured on each epoch's
    last batch, before clipping, kept within [``GRAD_FLOOR``, ``GRAD_CEILING``]), its ``train_loss`` per epoch and
    ``diverged`` (the epoch,
    or 0)."""
    layer_names: list
    epochs: np.ndarray
    grad_norms: np.ndarray
    train_loss: np.ndarray
    train_acc: float
    diverged: int
    clip: bool


def gradient_map(activation, init, depth, norm="none", residual=False, clip=False, epochs=60, seed=0,
                 width=MAP_WIDTH):
    """Train ``depth`` ≤ 16 hidden layers of ``width`` on the circle data with plain SGD (η = 0.1, batches of 64; SGD
    steps are proportional to the gradient, so vanishing and exploding show in the loss), clipping the gradient's
    norm to 1 when ``clip``; ``epochs`` ≤ 150."""
    activation = check_choice("activation", activation, DEEP_ACTIVATIONS)
    init = check_choice("init", init, tuple(INIT_SPECS))
    norm = check_choice("norm", norm, ("none", "batch"))
    depth = check_integer("depth", depth, 1, MAX_MAP_DEPTH)
    epochs = check_integer("epochs", epochs, 1, MAX_MAP_EPOCHS)
    kind, std = INIT_SPECS[init]
    config = training.TrainConfig(hidden=(width,) * depth, activation=activation, init=kind, init_std=std,
                           init_constant=CONSTANT, norm=norm, residual=bool(residual), optimizer="sgd", lr=0.1,
                           clip="norm" if clip else "none", clip_threshold=1.0, epochs=epochs,
                           **{**TRAIN, "seed": seed})
    history = training.train(config, max_depth=training.DEEP_MAX_DEPTH)
    norms = np.nan_to_num(np.array(history.grad_norms, dtype=float), nan=GRAD_CEILING, posinf=GRAD_CEILING)
    return GradientMap(list(history.layer_names), np.array(history.epoch), np.clip(norms, GRAD_FLOOR, GRAD_CEILING),
                       np.array(history.train_loss, dtype=float), float(history.train_acc[-1]),
                       history.diverged_epoch or 0, bool(clip))
