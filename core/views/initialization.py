"""What the initialization page shows, each a pure function of its settings returning plain numpy arrays:

    init_view          forward statistics of a deep MLP at initialisation (``core.layer_stats.activation_stats``)
    std_by_init        the per-layer std and saturation for every initialisation side by side
    init_race          the same network trained from six initialisations at once (``core.training.train_many``)
    symmetry_demo      constant vs random initialisation: are the hidden units of a layer still identical?

Statistics networks take ``STATS_SAMPLES`` standard-normal input vectors with as many features as the hidden width
(fan_in = fan_out in every hidden layer, as after input normalisation); the work per call is capped (``MAX_*``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core import layer_stats, nets, training
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
    gain,
    gaussian_inputs,
    weight_std,
)

ACTIVATIONS = DEEP_ACTIVATIONS  # the activations the page offers

RACE_INITS = ("zeros", "constant", "normal_small", "normal_1", "xavier", "he")
MAX_RACE_DEPTH, MAX_RACE_EPOCHS, RACE_WIDTH = 10, 150, 32
MAX_PANELS = 10


def panel_layers(depth, panels=MAX_PANELS):
    """The hidden layers (1-based) that get a histogram: all of them up to ``panels``, else the first three, the last
    three and evenly spaced ones in between."""
    if depth <= panels:
        return list(range(1, depth + 1))
    middle = np.linspace(4, depth - 3, panels - 4)[1:-1]
    return sorted({1, 2, 3, *(int(round(m)) for m in middle), depth - 2, depth - 1, depth})


# --- initialization page ---------------------------------------------------------------------------------------------
@dataclass
class InitView:
    """Activations of a freshly initialised network. Per hidden layer (index 0 = layer 1): ``std`` (kept within
    [``GRAD_FLOOR``, ``GRAD_CEILING``]; exactly 0 stays 0), ``mean``, ``saturated`` (NaN for ReLU), ``zero``
    (fraction exactly 0), ``overflow`` (the values left the float32 range: inf or NaN). ``panels``: the layers shown
    as histograms, each with ``hist_edges`` (bins + 1) and
    ``hist_share`` (fraction of values per bin). ``sigma_w``: the weights' standard deviation, ``linear_gain``
    √fan_in · σ_W (how a linear layer would scale the std), ``gain`` the g used."""
    activation: str
    init: str
    depth: int
    width: int
    use_gain: bool
    gain: float
    sigma_w: float
    linear_gain: float
    std: np.ndarray
    mean: np.ndarray
    saturated: np.ndarray
    zero: np.ndarray
    overflow: np.ndarray
    panels: list
    hist_edges: list
    hist_share: list
    decay: float  # std of layer 1 / std of the last layer
    growth: float  # std of the last layer / std of layer 1


def init_view(activation, init, depth, width, use_gain=True, seed=0, bins=40):
    """Forward statistics at initialisation (``layer_stats.activation_stats`` on ``STATS_SAMPLES`` Gaussian inputs):
    depth ≤ 50, width ≤ 256. Histogram ranges: tanh [−1, 1], sigmoid [0, 1], ReLU [0, max of the layer]."""
    activation = check_choice("activation", activation, DEEP_ACTIVATIONS)
    init = check_choice("init", init, tuple(INIT_SPECS))
    depth = check_integer("depth", depth, 1, MAX_STATS_DEPTH)
    width = check_integer("width", width, 2, MAX_STATS_WIDTH)
    torch.set_num_threads(1)
    model = deep_mlp(depth, width, activation, init, use_gain=use_gain, seed=seed)
    X, _ = gaussian_inputs(STATS_SAMPLES, width, seed)
    stats = layer_stats.activation_stats(model, X, seed=seed)
    value_range = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}.get(activation)
    panels = panel_layers(depth)
    edges, shares = [], []
    for layer in panels:
        e, s = layer_stats.histogram(stats.samples[layer - 1], bins, value_range)
        edges.append(e)
        shares.append(s)
    sigma = weight_std(init, activation, width, width, use_gain)
    overflow = ~np.isfinite(stats.std)
    std = np.nan_to_num(stats.std, nan=GRAD_CEILING, posinf=GRAD_CEILING)
    std = np.where(std > 0, np.clip(std, GRAD_FLOOR, GRAD_CEILING), 0.0)
    # std of layer 1 / std of layer L, and its inverse (NaN where a std is exactly 0)
    decay = float(std[0] / std[-1]) if std[-1] > 0 else math.nan
    growth = float(std[-1] / std[0]) if std[0] > 0 else math.nan
    return InitView(activation, init, depth, width, bool(use_gain), gain(activation, use_gain), sigma,
                    # √fan_in · σ_W
                    math.sqrt(width) * sigma,
                    std, np.nan_to_num(stats.mean, nan=0.0, posinf=GRAD_CEILING, neginf=-GRAD_CEILING),
                    stats.saturated, stats.zero, overflow, panels, edges, shares, decay, growth)


@dataclass
class StdByInit:
    """Per initialisation in ``inits`` (with the gain setting ``use_gain``) and hidden layer: ``std`` of the
    activations (within [``GRAD_FLOOR``, ``GRAD_CEILING``]; exactly 0 stays 0, e.g. every unit 0 under zeros) and the
    ``saturated`` fraction (NaN for ReLU). ``xavier_other_gain``: Xavier's std with the other gain setting, or None
    when φ's gain is 1 (sigmoid), so both can be compared; ``xavier_decay`` = {True: std₁ / std_L with φ's gain,
    False: with gain 1} (both None for sigmoid)."""
    activation: str
    use_gain: bool
    inits: tuple
    std: np.ndarray
    saturated: np.ndarray
    xavier_other_gain: np.ndarray | None
    xavier_decay: dict | None


def _forward_std(activation, init, depth, width, use_gain, seed):
    model = deep_mlp(depth, width, activation, init, use_gain=use_gain, seed=seed)
    X, _ = gaussian_inputs(STATS_SAMPLES, width, seed)
    stats = layer_stats.activation_stats(model, X, max_samples=1, seed=seed)
    std = np.nan_to_num(stats.std, nan=GRAD_CEILING, posinf=GRAD_CEILING)
    return np.where(std > 0, np.clip(std, GRAD_FLOOR, GRAD_CEILING), 0.0), stats.saturated


def std_by_init(activation, depth, width, use_gain=True, seed=0, inits=RACE_INITS):
    """``init_view``'s std and saturated fraction for every initialisation at once (depth ≤ 50, width ≤ 256)."""
    activation = check_choice("activation", activation, DEEP_ACTIVATIONS)
    depth = check_integer("depth", depth, 1, MAX_STATS_DEPTH)
    width = check_integer("width", width, 2, MAX_STATS_WIDTH)
    inits = tuple(check_choice("init", init, tuple(INIT_SPECS)) for init in inits)
    torch.set_num_threads(1)
    rows = [_forward_std(activation, init, depth, width, use_gain, seed) for init in inits]
    other = decay = None
    if gain(activation) != 1.0:
        other = _forward_std(activation, "xavier", depth, width, not use_gain, seed)[0]
        current = _forward_std(activation, "xavier", depth, width, use_gain, seed)[0]
        # std₁ / std_L with and without φ's gain
        decay = {bool(use_gain): float(current[0] / current[-1]), not use_gain: float(other[0] / other[-1])}
    return StdByInit(activation, bool(use_gain), inits, np.array([r[0] for r in rows]),
                     np.array([r[1] for r in rows]), other, decay)


@dataclass
class RaceView:
    """One training run per initialisation in ``inits`` (same data, architecture, optimizer, seed): ``train_loss``
    (runs × epochs; NaN after a divergence), ``final_loss`` (the last finite training loss, NaN if none), final
    ``train_acc`` / ``val_acc``, ``diverged`` (epoch or 0)."""
    activation: str
    depth: int
    width: int
    inits: tuple
    epochs: np.ndarray
    train_loss: np.ndarray
    final_loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    diverged: np.ndarray


def _race_config(activation, depth, width, epochs, init, **more):
    kind, std = INIT_SPECS[init]
    return training.TrainConfig(hidden=(width,) * depth, activation=activation, init=kind, init_std=std,
                         init_constant=CONSTANT, epochs=epochs, optimizer="adam", lr=0.01, **{**TRAIN, **more})


def _loss_matrix(histories, epochs):
    out = np.full((len(histories), epochs), np.nan)
    for k, history in enumerate(histories):
        out[k, :history.n_epochs] = history.train_loss
    return out


def init_race(activation, depth, epochs, seed=0, inits=RACE_INITS, width=RACE_WIDTH):
    """Train the same MLP (``depth`` ≤ 10 hidden layers of ``width``, Adam, η = 0.01, batches of 64) on the circle
    data from each initialisation, all at once with ``train_many``; ``epochs`` ≤ 150."""
    activation = check_choice("activation", activation, DEEP_ACTIVATIONS)
    depth = check_integer("depth", depth, 1, MAX_RACE_DEPTH)
    epochs = check_integer("epochs", epochs, 1, MAX_RACE_EPOCHS)
    inits = tuple(check_choice("init", init, tuple(INIT_SPECS)) for init in inits)
    configs = [_race_config(activation, depth, width, epochs, init, seed=seed) for init in inits]
    histories = training.train_many(configs, max_depth=training.DEEP_MAX_DEPTH)
    final = [[v for v in h.train_loss if math.isfinite(v)] for h in histories]
    return RaceView(activation, depth, width, inits, np.arange(1, epochs + 1), _loss_matrix(histories, epochs),
                    np.array([f[-1] if f else math.nan for f in final]),
                    np.array([h.train_acc[-1] for h in histories]), np.array([h.val_acc[-1] for h in histories]),
                    np.array([h.diverged_epoch or 0 for h in histories]))


def distinct_rows(W, tol=1e-6):
    """How many different rows W has: rows i and j count as one when max |W_i − W_j| ≤ tol · max(1, max |W|)."""
    W = np.asarray(W, dtype=float)
    scale = tol * max(1.0, float(np.abs(W).max()) if W.size else 1.0)
    kept = []
    for row in W:
        if not any(np.abs(row - other).max() <= scale for other in kept):
            kept.append(row)
    return len(kept)


@dataclass
class SymmetryView:
    """A small MLP trained from ``inits`` (constant first): per run, ``first_weights`` (units × inputs, the first
    hidden layer's W after training), ``distinct`` (distinct units per hidden layer, before and after training:
    runs × layers), and final accuracies."""
    activation: str
    inits: tuple
    hidden: tuple
    first_weights: list
    distinct_before: np.ndarray
    distinct_after: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    epochs: int


def symmetry_demo(activation, seed=0, hidden=(8, 8), epochs=80):
    """Constant initialisation (every weight 0.5, biases 0) against Xavier on the same small MLP, trained together.
    Under a constant start every hidden unit of a layer computes the same function, receives the same gradient and so
    takes the same step: the units stay identical for ever, and the layer acts like a single unit."""
    activation = check_choice("activation", activation, DEEP_ACTIVATIONS)
    inits = ("constant", "xavier")
    configs = [_race_config(activation, len(hidden), hidden[0], epochs, init, seed=seed).replace(hidden=hidden)
               for init in inits]
    before = []
    for config in configs:
        model = nets.build_mlp(2, hidden, 2, activation, config.init, init_std=config.init_std,
                               init_constant=CONSTANT, seed=seed)
        before.append([distinct_rows(block.linear.weight.detach().numpy()) for block in model.hidden_blocks])
    histories = training.train_many(configs, max_depth=training.DEEP_MAX_DEPTH)
    weights = [[block.linear.weight.detach().cpu().numpy().copy() for block in h.model.hidden_blocks]
               for h in histories]
    return SymmetryView(activation, inits, tuple(hidden), [w[0] for w in weights], np.array(before),
                        np.array([[distinct_rows(W) for W in run] for run in weights]),
                        np.array([h.train_acc[-1] for h in histories]), np.array([h.val_acc[-1] for h in histories]),
                        epochs)
