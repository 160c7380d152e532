"""The experiments behind the deep-network-health pages (initialization, vanishing / exploding gradients): each one
a pure function of its settings that returns a dataclass of plain numpy arrays and numbers (never a model), so a page
can cache it.

    init_view          forward statistics of a deep MLP at initialisation (``core.layer_stats.activation_stats``)
    std_by_init        the per-layer std and saturation for every initialisation side by side
    init_race          the same network trained from six initialisations at once (``core.training.train_many``)
    symmetry_demo      constant vs random initialisation: are the hidden units of a layer still identical?
    gradient_profile   one backward pass at initialisation: per-layer gradient norms and the chain rule's factors
    gradient_vs_depth  how the first layer's gradient shrinks (or not) as the network gets deeper
    gradient_map       a training run's per-layer gradient norms, layer × epoch (``History.grad_norms``)

The work per call is capped (``MAX_*`` below; beyond a cap the function raises ``ValueError``) so any setting a page
offers runs in well under a second or two on one core.

Statistics networks take ``STATS_SAMPLES`` standard-normal input vectors with as many features as the hidden width
(fan_in = fan_out in every hidden layer, as after input normalisation) and labels y = [x₁ + x₂ > 0]; training
networks learn a 2-D toy data set.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core import layer_stats, nets
from core import training as T

# Initialisations by page id: (core.nets init, std of "normal")
INIT_SPECS = {
    "zeros": ("zeros", 0.01),
    "constant": ("constant", 0.01),
    "normal_small": ("normal", 0.01),
    "normal_1": ("normal", 1.0),
    "default": ("default", 0.01),
    "xavier": ("xavier", 0.01),
    "he": ("he", 0.01),
}
RACE_INITS = ("zeros", "constant", "normal_small", "normal_1", "xavier", "he")
CONSTANT = 0.5  # W = 0.5 everywhere under "constant"
ACTIVATIONS = ("tanh", "sigmoid", "relu")

STATS_SAMPLES = 500
MAX_STATS_DEPTH, MAX_STATS_WIDTH = 50, 256
MAX_RACE_DEPTH, MAX_RACE_EPOCHS, RACE_WIDTH = 10, 150, 32
MAX_MAP_DEPTH, MAX_MAP_EPOCHS, MAP_WIDTH = 16, 150, 32
MAX_PANELS = 10
GRAD_FLOOR = 1e-30  # a gradient norm that underflowed to 0 in float32 is drawn here on a log scale
GRAD_CEILING = 1e30  # and an infinite or NaN one (a diverged run) here
DEPTHS = (2, 3, 5, 8, 10, 15, 20, 25, 30, 40, 50)
TRAIN = dict(dataset="circle", n_samples=300, noise=0.05, batch_size=64, seed=0, max_seconds=30.0)


def _check(name, value, low, high):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return int(value)


def _choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def gain(activation, use_gain=True):
    """g = torch.nn.init.calculate_gain(φ): tanh 5/3, relu √2, sigmoid 1; 1 when ``use_gain`` is off."""
    return torch.nn.init.calculate_gain(activation) if use_gain else 1.0


def weight_std(init, activation, fan_in, fan_out, use_gain=True):
    """The standard deviation σ_W of every weight: zeros / constant 0; N(0, s²) s; Xavier (uniform on ±g√(6/(in+out)),
    so σ = g √(2/(in + out))); He σ = g / √fan_in; PyTorch's default U(±1/√fan_in), σ = 1/√(3 fan_in)."""
    kind, std = INIT_SPECS[init]
    g = gain(activation, use_gain)
    if kind in ("zeros", "constant"):
        return 0.0
    if kind == "normal":
        return std
    if kind == "xavier":
        # σ = g √(2 / (fan_in + fan_out))
        return g * math.sqrt(2.0 / (fan_in + fan_out))
    if kind == "he":
        # σ = g / √fan_in
        return g / math.sqrt(fan_in)
    # σ of U(±a) is a/√3 with a = 1/√fan_in
    return 1.0 / math.sqrt(3 * fan_in)


def deep_mlp(depth, width, activation, init, *, use_gain=True, norm="none", residual=False, in_features=None,
             out_features=2, seed=0):
    """``core.nets.build_mlp`` with ``depth`` hidden layers of ``width`` units, the page's ``init`` id
    (``INIT_SPECS``) and, when ``use_gain`` is off, the hidden layers re-drawn with gain 1 (Xavier / He only)."""
    kind, std = INIT_SPECS[init]
    in_features = width if in_features is None else in_features
    model = nets.build_mlp(in_features, (width,) * depth, out_features, activation, kind, norm, residual,
                           init_std=std, init_constant=CONSTANT, seed=seed)
    if not use_gain and kind in ("xavier", "he"):
        generator = torch.Generator().manual_seed(seed)
        for block in model.hidden_blocks:
            nets.init_linear_(block.linear, kind, "linear", std, CONSTANT, generator)
    return model


def gaussian_inputs(n, d, seed=0):
    """X (n, d) with X_ij ~ N(0, 1) and labels y = [x₁ + x₂ > 0] (float32, int64)."""
    rng = np.random.default_rng([seed, 7])
    X = rng.standard_normal((n, d)).astype(np.float32)
    # y = [x₁ + x₂ > 0]
    y = (X[:, 0] + X[:, min(1, d - 1)] > 0).astype(np.int64)
    return X, y


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
    activation = _choice("activation", activation, ACTIVATIONS)
    init = _choice("init", init, tuple(INIT_SPECS))
    depth = _check("depth", depth, 1, MAX_STATS_DEPTH)
    width = _check("width", width, 2, MAX_STATS_WIDTH)
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
    activation = _choice("activation", activation, ACTIVATIONS)
    depth = _check("depth", depth, 1, MAX_STATS_DEPTH)
    width = _check("width", width, 2, MAX_STATS_WIDTH)
    inits = tuple(_choice("init", init, tuple(INIT_SPECS)) for init in inits)
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
    return T.TrainConfig(hidden=(width,) * depth, activation=activation, init=kind, init_std=std,
                         init_constant=CONSTANT, epochs=epochs, optimizer="adam", lr=0.01, **{**TRAIN, **more})


def _loss_matrix(histories, epochs):
    out = np.full((len(histories), epochs), np.nan)
    for k, history in enumerate(histories):
        out[k, :history.n_epochs] = history.train_loss
    return out


def init_race(activation, depth, epochs, seed=0, inits=RACE_INITS, width=RACE_WIDTH):
    """Train the same MLP (``depth`` ≤ 10 hidden layers of ``width``, Adam, η = 0.01, batches of 64) on the circle
    data from each initialisation, all at once with ``train_many``; ``epochs`` ≤ 150."""
    activation = _choice("activation", activation, ACTIVATIONS)
    depth = _check("depth", depth, 1, MAX_RACE_DEPTH)
    epochs = _check("epochs", epochs, 1, MAX_RACE_EPOCHS)
    inits = tuple(_choice("init", init, tuple(INIT_SPECS)) for init in inits)
    configs = [_race_config(activation, depth, width, epochs, init, seed=seed) for init in inits]
    histories = T.train_many(configs, max_depth=T.DEEP_MAX_DEPTH)
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
    activation = _choice("activation", activation, ACTIVATIONS)
    inits = ("constant", "xavier")
    configs = [_race_config(activation, len(hidden), hidden[0], epochs, init, seed=seed).replace(hidden=hidden)
               for init in inits]
    before = []
    for config in configs:
        model = nets.build_mlp(2, hidden, 2, activation, config.init, init_std=config.init_std,
                               init_constant=CONSTANT, seed=seed)
        before.append([distinct_rows(block.linear.weight.detach().numpy()) for block in model.hidden_blocks])
    histories = T.train_many(configs, max_depth=T.DEEP_MAX_DEPTH)
    weights = [[block.linear.weight.detach().cpu().numpy().copy() for block in h.model.hidden_blocks]
               for h in histories]
    return SymmetryView(activation, inits, tuple(hidden), [w[0] for w in weights], np.array(before),
                        np.array([[distinct_rows(W) for W in run] for run in weights]),
                        np.array([h.train_acc[-1] for h in histories]), np.array([h.val_acc[-1] for h in histories]),
                        epochs)


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
    activation = _choice("activation", activation, ACTIVATIONS)
    init = _choice("init", init, tuple(INIT_SPECS))
    norm = _choice("norm", norm, ("none", "batch"))
    depth = _check("depth", depth, 1, MAX_STATS_DEPTH)
    width = _check("width", width, 2, MAX_STATS_WIDTH)
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


def gradient_vs_depth(init, width=64, norm="none", residual=False, seed=0, depths=DEPTHS, activations=ACTIVATIONS):
    """``gradient_profile``'s first/last ratio over ``depths`` (≤ 50) for each activation."""
    init = _choice("init", init, tuple(INIT_SPECS))
    norm = _choice("norm", norm, ("none", "batch"))
    width = _check("width", width, 2, MAX_STATS_WIDTH)
    depths = [_check("depth", d, 2, MAX_STATS_DEPTH) for d in depths]
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
    activation = _choice("activation", activation, ACTIVATIONS)
    init = _choice("init", init, tuple(INIT_SPECS))
    norm = _choice("norm", norm, ("none", "batch"))
    depth = _check("depth", depth, 1, MAX_MAP_DEPTH)
    epochs = _check("epochs", epochs, 1, MAX_MAP_EPOCHS)
    kind, std = INIT_SPECS[init]
    config = T.TrainConfig(hidden=(width,) * depth, activation=activation, init=kind, init_std=std,
                           init_constant=CONSTANT, norm=norm, residual=bool(residual), optimizer="sgd", lr=0.1,
                           clip="norm" if clip else "none", clip_threshold=1.0, epochs=epochs,
                           **{**TRAIN, "seed": seed})
    history = T.train(config, max_depth=T.DEEP_MAX_DEPTH)
    norms = np.nan_to_num(np.array(history.grad_norms, dtype=float), nan=GRAD_CEILING, posinf=GRAD_CEILING)
    return GradientMap(list(history.layer_names), np.array(history.epoch), np.clip(norms, GRAD_FLOOR, GRAD_CEILING),
                       np.array(history.train_loss, dtype=float), float(history.train_acc[-1]),
                       history.diverged_epoch or 0, bool(clip))
