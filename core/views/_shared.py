"""Helpers that two or more views use: the planes and unit maps of the hidden-units pages, the deep networks of the
health pages, the probe of the deep-network pages, and the curve helpers of the convergence and train-vs-val pages.

Shared pieces:

- a **response map** of a hidden unit is its output a(x) over a grid of input points x, min–max scaled per unit:
  r(x) = (a(x) − min a) / (max a − min a) ∈ [0, 1] (a unit that is constant over the plane is "dead": r = 0);
- a **decision map** is p(class 1 | x) = softmax(z(x))₁ over a grid (``decision_plane`` builds the grid);
- a **deep MLP at initialisation** (``deep_mlp``) has weights ~ N(0, σ_W²) with σ_W from ``weight_std``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core import data as D
from core import nets
from core.data import n_val_samples
from core.training import TrainConfig

# --- limits and fixed settings ----------------------------------------------------------------------------------------
BINARY_DATASETS = ("circle", "xor", "gauss", "spiral", "moons")
MAP_ACTIVATIONS = ("tanh", "relu", "sigmoid")
MAX_VIEW_DEPTH = 3        # hidden layers whose units are drawn
MAX_VIEW_WIDTH = 8        # units per layer drawn (small multiples stay readable)
MAX_SEED = 99
MAP_RESOLUTION = 24       # response maps: 24 × 24 points per unit
BOUNDARY_RESOLUTION = 40  # decision maps: 40 × 40 points
POINTS_SHOWN = 300        # data points sent with a decision map

# one short, well-behaved recipe for every single-net view: Adam, η = 0.03, mini-batches of 32
VIEW_TRAINING = dict(optimizer="adam", lr=0.03, batch_size=32, epochs=100, n_samples=300, noise=0.05)


# --- maps -------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LayerMaps:
    """The response maps of one hidden layer's units over a grid of m points.

    maps (units, m): r = (a − min a) / (max a − min a) per unit; low, high (units,): min a and max a; dead (units,):
    the unit is constant over the plane (max a − min a < 10⁻⁶).
    """
    maps: np.ndarray
    low: np.ndarray
    high: np.ndarray
    dead: np.ndarray

    @property
    def n_dead(self) -> int:
        return int(self.dead.sum())


def scale_maps(activations, max_units=MAX_VIEW_WIDTH):
    """Per-unit min–max scaling of a layer's outputs a (m, units) → ``LayerMaps`` of the first ``max_units`` units:
    r = (a − min a) / (max a − min a), r = 0 where the unit is constant."""
    a = np.asarray(activations, dtype=np.float64)[:, :max_units]
    low, high = a.min(axis=0), a.max(axis=0)
    span = high - low
    dead = span < 1e-6
    # r = (a − min a) / (max a − min a)
    r = np.where(dead, 0.0, (a - low) / np.where(dead, 1.0, span))
    return LayerMaps(r.T.astype(np.float32), low.astype(np.float32), high.astype(np.float32), dead)


def class_one_probability(model, prepared, points):
    """p(class 1 | x) = softmax(z(x))₁ for raw points (m, 2), with the run's features and standardisation."""
    model.eval()
    with torch.no_grad():
        z = model(torch.from_numpy(prepared.transform(points)))
        # p = softmax(z)₁
        return torch.softmax(z, dim=-1)[:, 1].numpy().astype(np.float32)


def unit_maps(model, prepared, points, max_units=MAX_VIEW_WIDTH):
    """The scaled response maps (``scale_maps``) of every hidden layer for raw points (m, 2)."""
    return tuple(scale_maps(a, max_units) for a in nets.hidden_activations(model, prepared.transform(points)))


@dataclass(frozen=True, eq=False)
class Plane:
    """A grid over the data (g₁, g₂: axes; points in row-major order, x₂ outer) and a sample of the data points."""
    g1: np.ndarray
    g2: np.ndarray
    points: np.ndarray
    X: np.ndarray
    y: np.ndarray


def decision_plane(raw_points, labels, resolution):
    g1, g2, points = D.make_grid(raw_points, resolution=resolution)
    keep = slice(0, POINTS_SHOWN)
    return Plane(g1.astype(np.float32), g2.astype(np.float32), points, raw_points[keep].astype(np.float32),
                 labels[keep].astype(np.int8))


def view_config(dataset, hidden, activation, seed, features=()):
    """The ``TrainConfig`` of a single-net view (``VIEW_TRAINING``)."""
    return TrainConfig(dataset=dataset, hidden=tuple(hidden), activation=activation, seed=seed,
                       features=tuple(features), **VIEW_TRAINING)

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
CONSTANT = 0.5  # W = 0.5 everywhere under "constant"
DEEP_ACTIVATIONS = ("tanh", "sigmoid", "relu")

STATS_SAMPLES = 500
MAX_STATS_DEPTH, MAX_STATS_WIDTH = 50, 256
GRAD_FLOOR = 1e-30  # a gradient norm that underflowed to 0 in float32 is drawn here on a log scale
GRAD_CEILING = 1e30  # and an infinite or NaN one (a diverged run) here
TRAIN = dict(dataset="circle", n_samples=300, noise=0.05, batch_size=64, seed=0, max_seconds=30.0)


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


@torch.no_grad()
def probe(model, X, batch_stats=True):
    """Forward pass of an ``MLP`` on X (n, d) that returns (logits (n, C), [u_l], [h_l]) as torch tensors: per hidden
    block l the pre-activation u_l = N(W h_{l−1} + b) (the input of φ) and the block output h_l.

    batch_stats=True normalises batch-norm layers with the statistics of X itself, as training mode does
    (μ = mean over the rows, σ² = biased variance), but leaves the running averages untouched;
    batch_stats=False uses the running averages, as eval mode does. Layer norm and no norm act alike in both.
    """
    h, pre, out = torch.as_tensor(X), [], []
    for block in model.hidden_blocks:
        z = block.linear(h)
        norm = block.norm
        if isinstance(norm, torch.nn.BatchNorm1d):
            # u = γ (z − μ) / √(σ² + ε) + β with μ, σ² of this batch (running averages: None = not updated) or the
            # running averages
            u = F.batch_norm(z, None if batch_stats else norm.running_mean,
                             None if batch_stats else norm.running_var, norm.weight, norm.bias,
                             training=batch_stats, eps=norm.eps)
        else:
            u = norm(z)
        a = block.act(u)
        # h ← h + a (residual) or h ← a
        h = h + a if block.skip else a
        pre.append(u)
        out.append(h)
    return model.output(h), pre, out


def finite_or_nan(value):
    value = float(value)
    return value if math.isfinite(value) else math.nan


def n_train_rows(config):
    """Rows in the training split of a config's data set: n − round(n · f)."""
    return config.n_samples - n_val_samples(config.n_samples, config.val_fraction)


def finite_curve(x, y, floor: float = 1e-8):
    """The points of a curve that can be drawn on a log axis: finite, and max(y, floor)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    ok = np.isfinite(y)
    return x[ok], np.maximum(y[ok], floor)


def wobble(curve, window: int) -> float:
    """How much a curve moves over ``window`` steps once the trend is gone: the median of |L_t − L_{t−w}| over the
    second half of the curve. An ε below this fires by chance on noise alone."""
    a = np.asarray(curve, dtype=np.float64)
    t = np.arange(max(window, a.size // 2), a.size)
    if t.size == 0:
        return float("nan")
    # median over t of |L_t − L_{t−w}|
    return float(np.median(np.abs(a[t] - a[t - window])))
