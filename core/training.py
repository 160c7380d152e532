"""Training an MLP on a 2-D data set: one config dataclass, a stepwise ``Trainer``, ``train``, batched ``train_many``
and ``export_script`` (a standalone PyTorch script that reproduces a run).

One epoch, as ``run_epoch`` does it: the training set is cut into mini-batches (a fresh random order each epoch, or
the whole set for ``batch_size = 0``); for each batch the objective is

    J = L(z, y) + λ₁ Σ|w| + λ₂ Σ w²        (w: the weights of the linear layers; biases and norm scales are free)

with L the mean cross-entropy −log softmax(z)_y ("ce"), or the mean squared error between the softmax probabilities
and the one-hot label, Σ_k (softmax(z)_k − [y = k])² ("mse": the Brier score, bounded by 2, so a wrong confident
answer costs little, which is what the "choosing the loss" page compares with cross-entropy). The gradient is
optionally clipped (each entry to ±c, or the whole vector to norm ≤ c) and a ``torch.optim`` optimizer takes a step.
After the epoch the model is evaluated in eval mode on the full training and validation sets; those numbers (data
loss without the penalty, accuracy) are what ``History`` records.

Randomness, all from ``config.seed``: the data (numpy, see ``core.data``), the initial weights
(``torch.Generator().manual_seed(seed)``, see ``core.nets.build_mlp``) and the batch order
(``torch.Generator().manual_seed(seed + 1)``, one ``randperm`` per epoch). The same config gives the same History on
CPU. Where training runs, ``torch.set_num_threads(1)``.
"""
from __future__ import annotations

import csv
import dataclasses
import inspect
import io
import math
import pprint
import textwrap
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import data as D
from core import nets
from core.errors import InputError, check_choice

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from core.nets import MLP

    CustomData = tuple[ArrayLike, ArrayLike]  # the arrays (X, y) of the data set "custom"

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
LOSSES = ("ce", "mse")
CLIPS = ("none", "value", "norm")
DEVICES = ("auto", "cpu", "cuda")
MAX_PARAMS = 50_000
MAX_DEPTH = 8  # hidden layers on the playground pages
DEEP_MAX_DEPTH = 64  # the highest cap a deep-network experiment may ask ``validate`` for
MAX_WIDTH = 256
MAX_EPOCHS = 2000
DEFAULT_SECONDS, MAX_SECONDS = 20.0, 60.0


@dataclass(frozen=True)
class TrainConfig:
    """Every setting of a run. Frozen and hashable, so it can key a cache; ``validated()`` clamps it to the limits.

    batch_size 0 = full batch; tol > 0 stops when |L_t − L_{t−w}| < tol for the training loss over w = tol_window
    epochs; patience > 0 stops when the validation loss has not improved for that many epochs; max_seconds bounds the
    wall time. n_classes only matters for "blobs". dataset "custom" trains on data passed alongside the config.
    """
    dataset: str = "spiral"
    noise: float = 0.05
    n_samples: int = 400
    val_fraction: float = 0.2
    features: tuple = ()
    n_classes: int = 2
    hidden: tuple = (16, 16)
    activation: str = "tanh"
    init: str = "default"
    init_std: float = 0.01
    init_constant: float = 0.5
    norm: str = "none"
    residual: bool = False
    optimizer: str = "adam"
    lr: float = 0.03
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    alpha: float = 0.99
    eps: float = 1e-8
    batch_size: int = 32
    epochs: int = 200
    loss: str = "ce"
    l1: float = 0.0
    l2: float = 0.0
    clip: str = "none"
    clip_threshold: float = 1.0
    tol: float = 0.0
    tol_window: int = 10
    patience: int = 0
    seed: int = 0
    device: str = "auto"
    max_seconds: float = DEFAULT_SECONDS

    def validated(self, max_depth: int = MAX_DEPTH) -> tuple[TrainConfig, list[Notice]]:
        """``validate(self, max_depth)``: (clamped config, notices)."""
        return validate(self, max_depth=max_depth)

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Notice:
    """A setting that was changed to respect a limit: ``str(notice)`` is English; ``code`` and ``params`` let a UI
    say it in the student's language."""
    code: str
    message: str
    params: dict = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return self.message


# name: (type, low, high); values outside [low, high] are clamped with a notice
_LIMITS = {
    "noise": (float, 0.0, D.MAX_NOISE),
    "n_samples": (int, D.MIN_SAMPLES, D.MAX_SAMPLES),
    "val_fraction": (float, D.MIN_VAL_FRACTION, D.MAX_VAL_FRACTION),
    "n_classes": (int, 2, D.CSV_MAX_CLASSES),
    "init_std": (float, 1e-4, 10.0),
    "init_constant": (float, -10.0, 10.0),
    "lr": (float, 1e-6, 10.0),
    "momentum": (float, 0.0, 0.999),
    "beta1": (float, 0.0, 0.999),
    "beta2": (float, 0.0, 0.99999),
    "alpha": (float, 0.0, 0.99999),
    "eps": (float, 1e-12, 1.0),
    "batch_size": (int, 0, D.MAX_SAMPLES),
    "epochs": (int, 1, MAX_EPOCHS),
    "l1": (float, 0.0, 1.0),
    "l2": (float, 0.0, 1.0),
    "clip_threshold": (float, 1e-4, 1e4),
    "tol": (float, 0.0, 1.0),
    "tol_window": (int, 1, 200),
    "patience": (int, 0, MAX_EPOCHS),
    "seed": (int, 0, 2**31 - 1),
    "max_seconds": (float, 0.1, MAX_SECONDS),
}
_CHOICES = {
    "dataset": tuple(D.DATASETS) + ("custom",),
    "activation": nets.ACTIVATIONS,
    "init": nets.INITS,
    "norm": nets.NORMS,
    "optimizer": OPTIMIZERS,
    "loss": LOSSES,
    "clip": CLIPS,
    "device": DEVICES,
}


def _number(name, value, kind):
    """value as ``kind`` (int or float), refusing bools, text, NaN and ±inf; an integral float passes as an int."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError("not_a_number", f"{name} must be a number, got {value!r}"[:120], name=name,
                         position=1, entry=repr(value)[:20])
    if not math.isfinite(value):
        raise InputError("not_finite", f"{name} must be finite, got {value}", name=name, position=1, entry=str(value))
    if kind is int:
        if value != int(value):
            raise InputError("not_integer", f"{name} must be an integer, got {value}", name=name)
        return int(value)
    return float(value)


def _clamp(name, value, low, high, notices):
    clamped = min(max(value, low), high)
    if clamped != value:
        notices.append(Notice("clamped", f"{name} = {value} is outside [{low}, {high}]; using {clamped}",
                              {"name": name, "value": value, "low": low, "high": high, "used": clamped}))
    return clamped


def _fit_widths(hidden, in_features, out_features, norm, notices, limit=MAX_PARAMS):
    """Shrink all widths by one factor f (wᵢ ← max(1, ⌊f wᵢ⌋), f as large as possible) until P ≤ limit."""
    count = nets.mlp_param_count(in_features, hidden, out_features, norm)
    if count <= limit:
        return hidden
    low, high = 0.0, 1.0
    for _ in range(50):
        f = (low + high) / 2
        shrunk = tuple(max(1, int(w * f)) for w in hidden)
        if nets.mlp_param_count(in_features, shrunk, out_features, norm) <= limit:
            low = f
        else:
            high = f
    shrunk = tuple(max(1, int(w * low)) for w in hidden)
    if nets.mlp_param_count(in_features, shrunk, out_features, norm) > limit:
        raise InputError("too_many_params", f"even width 1 needs more than {limit} parameters", limit=limit)
    notices.append(Notice("widths_shrunk", f"{count} parameters exceed the limit of {limit}; widths {hidden} → "
                          f"{shrunk}", {"count": count, "limit": limit, "widths": shrunk}))
    return shrunk


def validate(config: TrainConfig, *, max_depth: int = MAX_DEPTH) -> tuple[TrainConfig, list[Notice]]:
    """Check a ``TrainConfig`` against the limits; return (config within the limits, list of ``Notice``).

    Unknown names (data set, activation, optimizer, …), unknown features, text where a number belongs, NaN and ±inf
    raise ``ValueError``. Numbers out of range are clamped (see ``_LIMITS``; lr ≤ 10, epochs ≤ 2000, n_samples ≤ 2000,
    max_seconds ≤ 60, widths 1–256); more than ``max_depth`` hidden layers are cut to ``max_depth``
    (``max_depth`` ≤ ``DEEP_MAX_DEPTH`` = 64; the playground uses 8); a net over ``MAX_PARAMS`` = 50 000 parameters
    has its widths shrunk by a common factor. features are de-duplicated into the canonical order of
    ``data.FEATURES``; n_classes is 2 for every data set but blobs (3–5); batch norm needs batch_size ≥ 2.
    """
    if not isinstance(config, TrainConfig):
        raise ValueError(f"expected a TrainConfig, got {type(config).__name__}")
    max_depth = _number("max_depth", max_depth, int)
    if not 0 <= max_depth <= DEEP_MAX_DEPTH:
        raise ValueError(f"max_depth must be between 0 and {DEEP_MAX_DEPTH}, got {max_depth}")
    notices, values = [], {}
    for name, choices in _CHOICES.items():
        values[name] = check_choice(name, getattr(config, name), choices)
    for name, (kind, low, high) in _LIMITS.items():
        values[name] = _clamp(name, _number(name, getattr(config, name), kind), low, high, notices)
    residual = config.residual
    if not isinstance(residual, (bool, np.bool_)):
        raise InputError("not_bool", f"residual must be True or False, got {residual!r}"[:120], name="residual")
    values["residual"] = bool(residual)

    features = config.features
    if isinstance(features, str) or not isinstance(features, (tuple, list)):
        raise InputError("bad_features", f"features must be a tuple of names, got {features!r}"[:120])
    unknown = [f for f in features if f not in D.FEATURES]
    if unknown:
        raise InputError("unknown_feature", f"unknown feature(s) {unknown}; choose from {list(D.FEATURES)}"[:200],
                         names=str(unknown)[:60])
    values["features"] = tuple(f for f in D.FEATURES if f in features)

    if values["dataset"] == "blobs":
        values["n_classes"] = _clamp("n_classes", values["n_classes"], D.MIN_BLOB_CLASSES, D.MAX_BLOB_CLASSES,
                                     notices)
    elif values["dataset"] != "custom":
        values["n_classes"] = 2

    hidden = config.hidden
    if isinstance(hidden, (int, np.integer)) and not isinstance(hidden, bool):
        hidden = (hidden,)
    if isinstance(hidden, str) or not isinstance(hidden, (tuple, list)):
        raise InputError("bad_hidden", f"hidden must be a tuple of widths, got {hidden!r}"[:120])
    hidden = tuple(_clamp("width", _number("width", w, int), 1, MAX_WIDTH, notices) for w in hidden)
    if len(hidden) > max_depth:
        notices.append(Notice("depth_cut", f"{len(hidden)} hidden layers exceed the limit of {max_depth}; keeping "
                              f"the first {max_depth}", {"depth": len(hidden), "limit": max_depth}))
        hidden = hidden[:max_depth]
    if values["norm"] == "batch" and values["batch_size"] == 1:
        values["batch_size"] = _clamp("batch_size", 1, 2, D.MAX_SAMPLES, notices)  # batch norm needs 2 rows
    out = D.CSV_MAX_CLASSES if values["dataset"] == "custom" else values["n_classes"]
    values["hidden"] = _fit_widths(hidden, 2 + len(values["features"]), out, values["norm"], notices)
    return TrainConfig(**values), notices


def resolve_device(name: str) -> tuple[torch.device, list[Notice]]:
    """"auto" → CUDA when available, else CPU; "cuda" without CUDA falls back to CPU with a notice."""
    if name == "cuda" and not torch.cuda.is_available():
        return torch.device("cpu"), [Notice("no_cuda", "CUDA is not available; training on the CPU", {})]
    if name == "cuda" or (name == "auto" and torch.cuda.is_available()):
        return torch.device("cuda"), []
    return torch.device("cpu"), []


# --- data ------------------------------------------------------------------------------------------------------------
@dataclass
class PreparedData:
    """The arrays a run trains on: raw points (for plots), then features + standardisation z = (f(x) − μ) / σ."""
    raw_train: np.ndarray
    raw_val: np.ndarray
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    features: tuple
    n_classes: int

    def transform(self, X_raw: ArrayLike) -> np.ndarray:
        """z = (f(x) − μ) / σ for new raw points (n, 2), e.g. a grid."""
        # z = (f(x) − μ) / σ
        return ((D.add_features(np.asarray(X_raw, dtype=np.float32), self.features) - self.mean) / self.std) \
            .astype(np.float32)


def check_data(X: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Validate arrays passed as a custom data set (the same limits as ``data.load_csv``); labels renumbered 0…k−1."""
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (len(X),):
        raise InputError("bad_shape", f"custom data must be X (n, 2) and y (n,), got {X.shape} and {y.shape}",
                         name="X, y")
    if not D.CSV_MIN_ROWS <= len(X) <= D.CSV_MAX_ROWS:
        raise InputError("out_of_range", f"custom data needs {D.CSV_MIN_ROWS}–{D.CSV_MAX_ROWS} rows, got {len(X)}",
                         name="rows", low=D.CSV_MIN_ROWS, high=D.CSV_MAX_ROWS, value=len(X))
    if not np.isfinite(X).all():
        raise InputError("not_finite", "custom data contains NaN or inf", name="X", position=1, entry="nan")
    if not np.issubdtype(y.dtype, np.integer):
        if not np.issubdtype(y.dtype, np.floating) or not np.all(y == np.round(y)):
            raise InputError("csv_label_not_integer", "labels must be integers", row=0, entry="")
    classes, labels = np.unique(y.astype(np.int64), return_inverse=True)
    if not 2 <= len(classes) <= D.CSV_MAX_CLASSES:
        raise InputError("out_of_range", f"custom data needs 2–{D.CSV_MAX_CLASSES} classes, got {len(classes)}",
                         name="classes", low=2, high=D.CSV_MAX_CLASSES, value=len(classes))
    return X, labels.astype(np.int64)


def prepare_data(config: TrainConfig, data: CustomData | None = None) -> PreparedData:
    """Data set (or the custom ``data`` = (X, y)) → features f(x) → train/val split → standardisation (train stats)."""
    if config.dataset == "custom":
        if data is None:
            raise InputError("no_data", "the data set 'custom' needs data=(X, y)")
        X, y = check_data(*data)
    else:
        X, y = D.make_dataset(config.dataset, config.n_samples, config.noise, config.seed, config.n_classes)
    X_train, y_train, X_val, y_val = D.train_val_split(X, y, config.val_fraction, config.seed)
    Z_train, Z_val, mean, std = D.standardize(D.add_features(X_train, config.features),
                                              D.add_features(X_val, config.features))
    return PreparedData(X_train, X_val, Z_train, y_train, Z_val, y_val, mean, std, config.features,
                        int(y.max()) + 1)


# --- the pieces of one epoch (also copied verbatim into ``export_script``) --------------------------------------------
def make_optimizer(name: str, params: Iterable[torch.Tensor], lr: float, momentum: float = 0.9, beta1: float = 0.9,
                   beta2: float = 0.999, alpha: float = 0.99, eps: float = 1e-8) -> torch.optim.Optimizer:
    """The ``torch.optim`` optimizer for ``name`` (g = ∇J, η = lr):
    sgd θ ← θ − η g;  momentum v ← μ v + g, θ ← θ − η v;  nesterov θ ← θ − η (g + μ v);
    adagrad s ← s + g², θ ← θ − η g / (√s + ε);  rmsprop s ← α s + (1 − α) g², θ ← θ − η g / (√s + ε);
    adam m ← β₁ m + (1 − β₁) g, s ← β₂ s + (1 − β₂) g², θ ← θ − η m̂ / (√ŝ + ε) with bias-corrected m̂, ŝ."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    if name == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=momentum > 0)  # μ = 0: plain sgd
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, eps=eps)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=alpha, eps=eps)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps)
    raise ValueError(f"unknown optimizer {name!r}")


def sample_losses(logits: torch.Tensor, y: torch.Tensor, loss: str = "ce") -> torch.Tensor:
    """Per-sample loss ℓᵢ over the last axis of logits (…, C): ce ℓ = −log softmax(z)_y;
    mse ℓ = Σ_k (p_k − [y = k])²."""
    if loss == "ce":
        # ℓ = −log softmax(z)_y
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="none").view(y.shape)
    p = torch.softmax(logits, dim=-1)
    # ℓ = Σ_k (p_k − [y = k])²
    return (p - F.one_hot(y, logits.shape[-1]).to(p.dtype)).pow(2).sum(-1)


def data_loss(logits: torch.Tensor, y: torch.Tensor, loss: str = "ce") -> torch.Tensor:
    """Mean loss over a batch: ce L = −(1/N) Σᵢ log softmax(zᵢ)_{yᵢ}; mse L = (1/N) Σᵢ Σ_k (p_ik − [yᵢ = k])²."""
    if loss == "ce":
        # L = −(1/N) Σᵢ log softmax(zᵢ)_{yᵢ}
        return F.cross_entropy(logits, y)
    p = torch.softmax(logits, dim=-1)
    # L = (1/N) Σᵢ Σ_k (p_ik − [yᵢ = k])²
    return (p - F.one_hot(y, logits.shape[-1]).to(p.dtype)).pow(2).sum(-1).mean()


def penalty(weights: Iterable[torch.Tensor], l1: float = 0.0, l2: float = 0.0) -> torch.Tensor | float:
    """R = λ₁ Σ|w| + λ₂ Σ w² over the given weight tensors."""
    total = 0.0
    for w in weights:
        if l1:
            # λ₁ Σ|w|
            total = total + l1 * w.abs().sum()
        if l2:
            # λ₂ Σ w²
            total = total + l2 * w.pow(2).sum()
    return total


def batch_indices(n: int, batch_size: int, generator: torch.Generator, drop_single: bool = False,
                  device: str | torch.device = "cpu") -> list[torch.Tensor | None]:
    """The batches of one epoch: [None] (= all n rows) for batch_size 0 or ≥ n; else π = randperm(n) cut into chunks
    of batch_size, a last chunk of one row dropped when ``drop_single`` (batch norm needs two rows)."""
    if batch_size == 0 or batch_size >= n:
        return [None]
    chunks = list(torch.randperm(n, generator=generator).to(device).split(batch_size))
    if drop_single and len(chunks[-1]) == 1:
        chunks.pop()
    return chunks


def layer_grad_norms(model: MLP) -> torch.Tensor:
    """‖∇_l‖ = √(‖∂J/∂W_l‖² + ‖∂J/∂b_l‖²) for every linear layer l, hidden first, output last."""
    # ‖∇_l‖ = √(Σ (∂J/∂W)² + Σ (∂J/∂b)²)
    return torch.stack([torch.cat([p.grad.reshape(-1) for p in layer.parameters()]).norm()
                        for layer in model.linears()])


def set_mode(model: MLP, training: bool) -> None:
    """``model.train(training)`` where it matters: of our layers only batch norm acts differently in training (batch
    statistics) and eval mode (running averages), and switching every module each epoch costs time."""
    if model.norm == "batch":
        model.train(training)


def run_epoch(model: MLP, optimizer: torch.optim.Optimizer, X: torch.Tensor, y: torch.Tensor,
              batches: Sequence[torch.Tensor | None], loss: str = "ce", l1: float = 0.0, l2: float = 0.0,
              clip: str = "none", clip_threshold: float = 1.0) -> torch.Tensor | None:
    """One epoch: for each batch B: J = L(model(X_B), y_B) + R(w); g = ∇J; clip g (value: gᵢ ← clamp(gᵢ, ±c);
    norm: g ← g · min(1, c / ‖g‖)); optimizer step. Returns the per-layer gradient norms of the last batch, before
    clipping."""
    set_mode(model, True)
    weights = [layer.weight for layer in model.linears()] if (l1 or l2) else []
    last, norms = len(batches) - 1, None
    for i, idx in enumerate(batches):
        xb, yb = (X, y) if idx is None else (X[idx], y[idx])
        optimizer.zero_grad()
        # J = L + λ₁ Σ|w| + λ₂ Σ w²
        objective = data_loss(model(xb), yb, loss)
        if weights:
            objective = objective + penalty(weights, l1, l2)
        objective.backward()
        if i == last:
            norms = layer_grad_norms(model)
        if clip == "value":
            nn.utils.clip_grad_value_(model.parameters(), clip_threshold)
        elif clip == "norm":
            nn.utils.clip_grad_norm_(model.parameters(), clip_threshold)
        optimizer.step()
    return norms


def summarize(logits: torch.Tensor, y: torch.Tensor, n_train: int, loss: str = "ce") -> torch.Tensor:
    """[L_train, L_val, acc_train, acc_val] along the last axis, from logits (…, n, C) of train rows then val rows:
    L = mean ℓᵢ, acc = mean [argmax zᵢ = yᵢ]."""
    # rows ℓᵢ and hitᵢ = [argmax zᵢ = yᵢ]
    pair = torch.stack([sample_losses(logits, y, loss), (logits.argmax(-1) == y).to(logits.dtype)], dim=-2)
    train_part, val_part = pair.split([n_train, y.shape[-1] - n_train], dim=-1)
    # [L_train, acc_train] and [L_val, acc_val] as means, reordered to [L_train, L_val, acc_train, acc_val]
    return torch.stack([train_part.mean(-1), val_part.mean(-1)], dim=-1).flatten(-2)


def evaluate(model: MLP, X_all: torch.Tensor, y_all: torch.Tensor, n_train: int, loss: str = "ce") -> torch.Tensor:
    """``summarize`` of the model's logits on train ∪ val, in eval mode without gradients."""
    set_mode(model, False)
    with torch.no_grad():
        return summarize(model(X_all), y_all, n_train, loss)


# --- history ---------------------------------------------------------------------------------------------------------
@dataclass
class History:
    """Per-epoch records of one run (epoch k at index k − 1) and how it ended.

    train_loss / val_loss: data loss (no penalty) on the full sets after the epoch, eval mode; train_acc / val_acc
    likewise; grad_norms: per linear layer (hidden first, output last) ‖∇_l‖ on the epoch's last batch, before
    clipping; elapsed: seconds of training so far. stopped_reason: None while running, then "max_epochs",
    "converged", "early_stopping", "time_budget" or "diverged at epoch k" (diverged_epoch = k: the loss or a weight
    became NaN or inf). best_epoch: the epoch with the lowest validation loss so far.
    """
    config: TrainConfig
    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    grad_norms: list = field(default_factory=list)
    elapsed: list = field(default_factory=list)
    stopped_reason: str | None = None
    diverged_epoch: int | None = None
    best_epoch: int | None = None
    layer_names: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    model: nn.Module | None = field(default=None, repr=False, compare=False)

    @property
    def n_epochs(self) -> int:
        """Epochs done."""
        return len(self.epoch)

    def to_csv(self) -> str:
        """The per-epoch records as CSV text: epoch, losses, accuracies, elapsed_s, one grad_norm column per layer."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["epoch", "train_loss", "val_loss", "train_acc", "val_acc", "elapsed_s"]
                        + [f"grad_norm_{name}" for name in self.layer_names])
        for i, epoch in enumerate(self.epoch):
            writer.writerow([epoch, repr(self.train_loss[i]), repr(self.val_loss[i]), repr(self.train_acc[i]),
                             repr(self.val_acc[i]), f"{self.elapsed[i]:.6f}"]
                            + [repr(float(g)) for g in self.grad_norms[i]])
        return out.getvalue()


# --- the stepwise trainer --------------------------------------------------------------------------------------------
class Trainer:
    """A run that advances on demand: ``step(n)`` trains n more epochs (fewer if it stops) and returns the history.

    ``Trainer(config)`` validates the config (limits hold whatever the caller passes), prepares the data, builds the
    model (``build_mlp`` with ``seed``) and a ``torch.optim`` optimizer. ``done`` turns True when a stop rule fires.
    """

    def __init__(self, config: TrainConfig, data: CustomData | None = None, *, max_depth: int = MAX_DEPTH) -> None:
        torch.set_num_threads(1)
        self.config, notices = validate(config, max_depth=max_depth)
        cfg = self.config
        self.device, more = resolve_device(cfg.device)
        self.prepared = prepare_data(cfg, data)
        n_classes = self.prepared.n_classes
        hidden = _fit_widths(cfg.hidden, self.prepared.X_train.shape[1], n_classes, cfg.norm, more)
        self.model = nets.build_mlp(self.prepared.X_train.shape[1], hidden, n_classes, cfg.activation, cfg.init,
                                    cfg.norm, cfg.residual, cfg.init_std, cfg.init_constant, seed=cfg.seed)
        self.model.to(self.device)
        self.optimizer = make_optimizer(cfg.optimizer, self.model.parameters(), cfg.lr, cfg.momentum, cfg.beta1,
                                        cfg.beta2, cfg.alpha, cfg.eps)
        self.generator = torch.Generator().manual_seed(cfg.seed + 1)
        p = self.prepared
        self.n_train, self.n_val = len(p.y_train), len(p.y_val)
        self.X_train = torch.from_numpy(p.X_train).to(self.device)
        self.y_train = torch.from_numpy(p.y_train).to(self.device)
        self.X_all = torch.from_numpy(np.concatenate([p.X_train, p.X_val])).to(self.device)
        self.y_all = torch.from_numpy(np.concatenate([p.y_train, p.y_val])).to(self.device)
        self.full_batch = cfg.batch_size == 0 or cfg.batch_size >= self.n_train
        names = [f"hidden{i + 1}" for i in range(len(hidden))] + ["output"]
        self.history = History(config=cfg, layer_names=names, notices=notices + more, model=self.model)
        self.done = False
        self._seconds = 0.0
        self._best_val = math.inf

    def step(self, n_epochs: int = 1, callback: Callable[[History], None] | None = None) -> History:
        """Train up to n_epochs more epochs; stop early on a stop rule. ``callback(history)`` runs after each epoch.
        Returns the history so far."""
        torch.set_num_threads(1)
        cfg, start = self.config, time.perf_counter()
        for _ in range(int(n_epochs)):
            if self.done:
                break
            batches = batch_indices(self.n_train, cfg.batch_size, self.generator, cfg.norm == "batch", self.device)
            norms = run_epoch(self.model, self.optimizer, self.X_train, self.y_train, batches, cfg.loss, cfg.l1,
                              cfg.l2, cfg.clip, cfg.clip_threshold)
            stats = evaluate(self.model, self.X_all, self.y_all, self.n_train, cfg.loss)
            values = torch.cat([stats, norms]).tolist()
            self.record(values[:4], np.array(values[4:]), self._seconds + time.perf_counter() - start)
            if callback is not None:
                callback(self.history)
        self._seconds += time.perf_counter() - start
        return self.history

    def record(self, stats: Sequence[float], norms: np.ndarray, elapsed: float) -> None:
        """Append one epoch's numbers and apply the stop rules, in this order: divergence, convergence, early
        stopping, max epochs, time budget."""
        h, cfg = self.history, self.config
        train_loss, val_loss, train_acc, val_acc = stats
        epoch = h.n_epochs + 1
        h.epoch.append(epoch)
        h.train_loss.append(train_loss)
        h.val_loss.append(val_loss)
        h.train_acc.append(train_acc)
        h.val_acc.append(val_acc)
        h.grad_norms.append(norms)
        h.elapsed.append(elapsed)
        if val_loss < self._best_val:
            self._best_val, h.best_epoch = val_loss, epoch
        reason = None
        if not (math.isfinite(train_loss) and math.isfinite(val_loss)):
            reason, h.diverged_epoch = f"diverged at epoch {epoch}", epoch
        # converged: |L_t − L_{t−w}| < tol
        elif cfg.tol > 0 and epoch > cfg.tol_window and abs(train_loss - h.train_loss[-1 - cfg.tol_window]) < cfg.tol:
            reason = "converged"
        elif cfg.patience > 0 and epoch - (h.best_epoch or 0) >= cfg.patience:
            reason = "early_stopping"
        elif epoch >= cfg.epochs:
            reason = "max_epochs"
        elif elapsed >= cfg.max_seconds:
            reason = "time_budget"
        if reason is not None:
            h.stopped_reason, self.done = reason, True

    def predict_proba(self, grid_X: ArrayLike) -> np.ndarray:
        """softmax(model(z)) for raw points (m, 2) (features and standardisation applied): numpy (m, C)."""
        self.model.eval()
        with torch.no_grad():
            z = torch.from_numpy(self.prepared.transform(grid_X)).to(self.device)
            # p = softmax(logits)
            return torch.softmax(self.model(z), dim=-1).cpu().numpy()

    def hidden_unit_maps(self, grid: ArrayLike) -> list[np.ndarray]:
        """Every hidden unit's output on raw points (m, 2): a list per hidden layer of arrays (m, width)."""
        return nets.hidden_activations(self.model, self.prepared.transform(grid))


def train(config: TrainConfig, callback: Callable[[History], None] | None = None, data: CustomData | None = None, *,
          max_depth: int = MAX_DEPTH) -> History:
    """Train one config to the end (``Trainer(config, data).step(config.epochs)``); returns its ``History``."""
    trainer = Trainer(config, data, max_depth=max_depth)
    return trainer.step(trainer.config.epochs, callback)


# --- K runs at once ---------------------------------------------------------------------------------------------------
class StackedOptimizer:
    """The ``torch.optim`` update rules of ``make_optimizer`` applied to a stacked (K, P) parameter with per-model
    hyperparameters (K, 1): every rule is elementwise, so row k moves exactly as model k alone would."""

    def __init__(self, name: str, configs: Sequence[TrainConfig], device: str | torch.device) -> None:
        self.name, self.t = name, 0

        def column(values):
            return torch.tensor(values, dtype=torch.float64).view(-1, 1)

        self.lr = column([c.lr for c in configs])
        self.momentum = column([c.momentum for c in configs])
        self.beta1, self.beta2 = column([c.beta1 for c in configs]), column([c.beta2 for c in configs])
        self.alpha, self.eps = column([c.alpha for c in configs]), column([c.eps for c in configs])
        self.device = device
        self.f32 = {k: v.to(device, torch.float32) for k, v in vars(self).items() if isinstance(v, torch.Tensor)}
        # 1 − β in float64 first, as torch.optim does with its Python floats (1 − float32(β) loses digits)
        for name in ("beta1", "beta2", "alpha"):
            self.f32["1-" + name] = (1 - getattr(self, name)).to(device, torch.float32)
        self.state = None

    @torch.no_grad()
    def step(self, p: torch.Tensor, g: torch.Tensor) -> None:
        """One update of p (K, P) from the gradient g (K, P); see ``make_optimizer`` for the rules."""
        self.t += 1
        h, name = self.f32, self.name
        if name == "sgd":
            # θ ← θ − η g
            p.sub_(h["lr"] * g)
        elif name in ("momentum", "nesterov"):
            if self.state is None:
                self.state = g.clone()
            else:
                # v ← μ v + g
                self.state.mul_(h["momentum"]).add_(g)
            # θ ← θ − η (g + μ v) (nesterov) or θ ← θ − η v
            p.sub_(h["lr"] * (g + h["momentum"] * self.state if name == "nesterov" else self.state))
        elif name == "adagrad":
            self.state = torch.zeros_like(p) if self.state is None else self.state
            # s ← s + g²
            self.state.addcmul_(g, g)
            # θ ← θ − η g / (√s + ε)
            p.sub_(h["lr"] * (g / (self.state.sqrt() + h["eps"])))
        elif name == "rmsprop":
            self.state = torch.zeros_like(p) if self.state is None else self.state
            # s ← α s + (1 − α) g²
            self.state.mul_(h["alpha"]).add_(h["1-alpha"] * (g * g))
            # θ ← θ − η g / (√s + ε)
            p.sub_(h["lr"] * (g / (self.state.sqrt() + h["eps"])))
        elif name == "adam":
            if self.state is None:
                self.state = (torch.zeros_like(p), torch.zeros_like(p))
            m, s = self.state
            # m ← β₁ m + (1 − β₁) g
            m.lerp_(g, h["1-beta1"].expand_as(m))
            # s ← β₂ s + (1 − β₂) g²
            s.mul_(h["beta2"]).add_(h["1-beta2"] * (g * g))
            # m̂ = m / (1 − β₁ᵗ), √ŝ = √s / √(1 − β₂ᵗ), computed in float64 as torch does
            step_size = (self.lr / (1 - self.beta1 ** self.t)).to(self.device, torch.float32)
            root = torch.sqrt(1 - self.beta2 ** self.t).to(self.device, torch.float32)
            # θ ← θ − η m̂ / (√ŝ + ε)
            p.sub_(step_size * (m / (s.sqrt() / root + h["eps"])))
        else:
            raise ValueError(f"unknown optimizer {name!r}")


def _batch_key(trainer):
    """Runs with equal keys can be stacked: same architecture, data shapes, batch schedule shape and update rule."""
    c, m = trainer.config, trainer.model
    return (str(trainer.device), m.in_features, m.hidden, m.out_features, c.activation, c.norm, c.residual,
            trainer.n_train, trainer.n_val, 0 if trainer.full_batch else c.batch_size, c.optimizer, c.loss, c.clip)


def _train_stacked(trainers, callback=None):
    """Train K compatible trainers together on a ``StackedMLP``; each one's history and model end as if alone."""
    torch.set_num_threads(1)
    K, first = len(trainers), trainers[0]
    cfg0, device = first.config, first.device
    net = nets.StackedMLP([t.model for t in trainers])
    flat = net.flat
    optimizer = StackedOptimizer(cfg0.optimizer, [t.config for t in trainers], device)
    X_train = torch.stack([t.X_train for t in trainers])  # (K, n, d)
    y_train = torch.stack([t.y_train for t in trainers])
    X_all, y_all = torch.stack([t.X_all for t in trainers]), torch.stack([t.y_all for t in trainers])
    rows = torch.arange(K, device=device).view(K, 1)

    def column(values):
        return torch.tensor(values, dtype=torch.float32, device=device).view(K, 1)

    l1, l2 = column([t.config.l1 for t in trainers]), column([t.config.l2 for t in trainers])
    use_penalty = bool((l1 > 0).any() or (l2 > 0).any())
    threshold = column([t.config.clip_threshold for t in trainers])
    saved = [None] * K
    n, bs, loss, clip = first.n_train, cfg0.batch_size, cfg0.loss, cfg0.clip
    start = time.perf_counter()
    while not all(t.done for t in trainers):
        if first.full_batch:
            batches = [None]
        else:
            perms = torch.stack([torch.randperm(n, generator=t.generator) for t in trainers]).to(device)
            batches = list(perms.split(bs, dim=1))
            if cfg0.norm == "batch" and batches[-1].shape[1] == 1:
                batches.pop()
        last = len(batches) - 1
        for i, idx in enumerate(batches):
            xb, yb = (X_train, y_train) if idx is None else (X_train[rows, idx], y_train[rows, idx])
            flat.grad = None
            # J = Σ_k J_k: model k's gradient is ∂J_k/∂θ_k alone
            objective = sample_losses(net(xb, training=True), yb, loss).mean(-1).sum()
            if use_penalty:
                w = flat * net.weight_mask
                # R_k = λ₁ₖ Σ|w| + λ₂ₖ Σ w²
                objective = objective + (l1 * w.abs()).sum() + (l2 * (w * w)).sum()
            objective.backward()
            g = flat.grad
            if i == last:
                # ‖∇_l‖ per model and layer
                norms = torch.sqrt((g * g) @ net.segment)
            if clip == "value":
                # gᵢ ← clamp(gᵢ, −c_k, c_k)
                torch.maximum(torch.minimum(g, threshold), -threshold, out=g)
            elif clip == "norm":
                # g ← g · min(1, c_k / (‖g‖ + 10⁻⁶)), per model as clip_grad_norm_ does
                g.mul_((threshold / (g.norm(dim=1, keepdim=True) + 1e-6)).clamp(max=1.0))
            optimizer.step(flat, g)
        with torch.no_grad():
            stats = summarize(net(X_all, training=False), y_all, first.n_train, loss)
        values = torch.cat([stats, norms], dim=1).tolist()
        elapsed = time.perf_counter() - start
        for k, t in enumerate(trainers):
            if t.done:
                continue
            t.record(values[k][:4], np.array(values[k][4:]), elapsed)
            if t.done:
                saved[k] = (flat[k].detach().clone(), net.running_state(k))
            if callback is not None:
                callback(k, t.history)
    for k, t in enumerate(trainers):
        net.write_to(t.model, k, *saved[k])
        t._seconds = time.perf_counter() - start


def train_many(configs: Sequence[TrainConfig], callback: Callable[[int, History], None] | None = None,
               data: CustomData | None = None, *, max_depth: int = MAX_DEPTH, batched: bool = True) -> list[History]:
    """Train several configs; returns their histories in order, each equal (within float32 rounding) to ``train``.

    Runs that share architecture, data shapes, batch size, optimizer, loss and clip mode (they may differ in data
    set, seed, lr and the other optimizer settings, init, l1/l2, clip threshold, epochs and stop rules) are stacked
    into one ``StackedMLP`` and advance together with batched matrix products; the rest train one by one.
    ``callback(index, history)`` runs after each epoch of each run. Elapsed times are those of the shared run.
    """
    torch.set_num_threads(1)
    trainers = [Trainer(config, data, max_depth=max_depth) for config in configs]
    groups = {}
    for index, trainer in enumerate(trainers):
        groups.setdefault(_batch_key(trainer) if batched else index, []).append(index)
    for members in groups.values():
        if len(members) == 1:
            index = members[0]
            trainers[index].step(trainers[index].config.epochs,
                                 None if callback is None else (lambda h, i=index: callback(i, h)))
        else:
            _train_stacked([trainers[i] for i in members],
                           None if callback is None else (lambda k, h, m=members: callback(m[k], h)))
    return [t.history for t in trainers]


# --- a standalone script ----------------------------------------------------------------------------------------------
_DATA_CODE = (D.class_sizes, D.sample, D.add_features, D.standardize)
_NET_CODE = (nets.make_activation, nets.make_norm, nets.HiddenBlock, nets.MLP, nets.init_linear_)
_TRAIN_CODE = (make_optimizer, sample_losses, data_loss, penalty, batch_indices, layer_grad_norms, set_mode,
               run_epoch, summarize, evaluate)

_MAIN = '''
def split_indices(n, val_fraction, seed):
    """The split of core.data.train_val_split: validation = the first round(n · f) rows of a permutation."""
    order = np.random.default_rng([seed, 1]).permutation(n)
    n_val = min(max(int(round(n * val_fraction)), 1), n - 1)
    return order[n_val:], order[:n_val]


def build_mlp(in_features, hidden, out_features, activation, init, norm, residual, init_std, init_constant, seed):
    """As core.nets.build_mlp with a seed: weights drawn from torch.Generator().manual_seed(seed), layer by layer."""
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        model = MLP(in_features, hidden, out_features, activation, norm, residual)
    for block in model.hidden_blocks:
        init_linear_(block.linear, init, activation, init_std, init_constant, generator)
    init_linear_(model.output, init, "linear", init_std, init_constant, generator)
    return model


def main():
    torch.set_num_threads(1)
    c = CONFIG
    X, y = load_data()
    train_rows, val_rows = split_indices(len(X), c["val_fraction"], c["seed"])
    Z_train, Z_val, mean, std = standardize(add_features(X[train_rows], c["features"]),
                                            add_features(X[val_rows], c["features"]))
    y_train, y_val = y[train_rows], y[val_rows]
    n_train = len(y_train)
    model = build_mlp(Z_train.shape[1], c["hidden"], int(y.max()) + 1, c["activation"], c["init"], c["norm"],
                      c["residual"], c["init_std"], c["init_constant"], c["seed"])
    optimizer = make_optimizer(c["optimizer"], model.parameters(), c["lr"], c["momentum"], c["beta1"], c["beta2"],
                               c["alpha"], c["eps"])
    generator = torch.Generator().manual_seed(c["seed"] + 1)
    X_train, Y_train = torch.from_numpy(Z_train), torch.from_numpy(y_train)
    X_all = torch.from_numpy(np.concatenate([Z_train, Z_val]))
    y_all = torch.from_numpy(np.concatenate([y_train, y_val]))
    history, best_val, best_epoch, reason = [], math.inf, 0, "max_epochs"
    for epoch in range(1, c["epochs"] + 1):
        batches = batch_indices(n_train, c["batch_size"], generator, c["norm"] == "batch")
        run_epoch(model, optimizer, X_train, Y_train, batches, c["loss"], c["l1"], c["l2"], c["clip"],
                  c["clip_threshold"])
        train_loss, val_loss, train_acc, val_acc = evaluate(model, X_all, y_all, n_train, c["loss"]).tolist()
        history.append(train_loss)
        if epoch == 1 or epoch % 10 == 0 or epoch == c["epochs"]:
            print(f"epoch {epoch:4d}  train loss {train_loss:.4f}  val loss {val_loss:.4f}  "
                  f"train acc {train_acc:.3f}  val acc {val_acc:.3f}")
        if val_loss < best_val:
            best_val, best_epoch = val_loss, epoch
        if not (math.isfinite(train_loss) and math.isfinite(val_loss)):
            reason = f"diverged at epoch {epoch}"
            break
        if c["tol"] > 0 and epoch > c["tol_window"] and abs(train_loss - history[-1 - c["tol_window"]]) < c["tol"]:
            reason = "converged"
            break
        if c["patience"] > 0 and epoch - best_epoch >= c["patience"]:
            reason = "early_stopping"
            break
    print(f"stopped: {reason}")
    print(f"final: epoch={epoch} train_loss={train_loss!r} val_loss={val_loss!r} "
          f"train_acc={train_acc!r} val_acc={val_acc!r}")
    return model


if __name__ == "__main__":
    main()
'''


def _source(objects):
    return "\n\n\n".join(textwrap.dedent(inspect.getsource(obj)).rstrip() for obj in objects)


def export_script(config: TrainConfig, data: CustomData | None = None) -> str:
    """A standalone Python script (numpy + torch only) that reproduces the run of ``train(config, data=data)`` on a
    CPU: the data code, the model code and the epoch code are copied from ``core``, so it computes the same numbers
    (the wall-time budget is not applied). A custom data set is embedded as literal arrays."""
    cfg, notices = validate(config)
    settings = {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg)}
    if cfg.dataset == "custom":
        if data is None:
            raise InputError("no_data", "the data set 'custom' needs data=(X, y)")
        X, y = check_data(*data)
        loader = ("X = np.array(" + repr([[float(a), float(b)] for a, b in X]) + ", dtype=np.float32)\n"
                  "y = np.array(" + repr([int(v) for v in y]) + ", dtype=np.int64)\n\n\n"
                  "def load_data():\n    return X, y")
    else:
        generator = D.GENERATORS[cfg.dataset]
        loader = (f"{_source([generator])}\n\n\ndef load_data():\n"
                  f"    return sample({generator.__name__}, CONFIG['n_samples'], CONFIG['noise'], CONFIG['seed'], "
                  f"CONFIG['n_classes'])")
    shown = "Settings: " + ", ".join(f"{k}={v!r}" for k, v in settings.items() if k not in ("device", "max_seconds"))
    shown = "\n".join(textwrap.wrap(shown, 110) + [f"Note: {n}." for n in notices])
    header = f'''"""Reproduces a training run of the neural-network explainer with plain numpy and PyTorch.

{shown}
Run with: python this_file.py (needs numpy and torch, nothing else)
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

CONFIG = {pprint.pformat(settings, width=110, sort_dicts=False)}
DATA_SCALE = {D.DATA_SCALE!r}
LEAKY_SLOPE = {nets.LEAKY_SLOPE!r}
ACTIVATIONS = {nets.ACTIVATIONS!r}
INITS = {nets.INITS!r}
NORMS = {nets.NORMS!r}
'''
    parts = [header, "# --- data " + "-" * 90, _source(_DATA_CODE), loader,
             "# --- model " + "-" * 89, _source(_NET_CODE),
             "# --- training " + "-" * 86, _source(_TRAIN_CODE), _MAIN.strip()]
    return "\n\n\n".join(part.strip("\n") for part in parts) + "\n"
