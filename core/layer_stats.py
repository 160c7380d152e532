"""Looking inside a deep MLP, layer by layer: what the activations look like on the way forward and how large the
gradients are on the way back (Glorot & Bengio 2010). Works on any ``core.nets.MLP``, through hooks on its
``hidden_blocks``; the model is left as it was found (mode, batch-norm buffers, gradients).

For hidden layer l (1 … L) with pre-activation z_l = W_l h_{l−1} + b_l (then batch / layer norm, if any), activation
a_l = φ(z_l) and block output h_l (= a_l, or h_{l−1} + a_l in a residual block):

    forward   ``activation_stats``: the values a_l (a subsample kept for histograms), their mean, std (over all
              samples and units of the layer) and the saturated fraction, where a unit is *saturated* when φ is flat
              there, φ′ ≈ 0:
                  tanh:     |a| > 0.99                (φ′ = 1 − a² < 0.02)
                  sigmoid:  a < 0.01 or a > 0.99      (φ′ = a (1 − a) < 0.0099)
              (ReLU, leaky ReLU and linear units do not saturate: the fraction is NaN.)
    backward  ``gradient_norms``: ‖∂L/∂W_l‖ (Frobenius) from one backward pass of the loss L on (X, y), for every
              linear layer, hidden first, output last. ``backward_stats`` adds the chain rule's pieces:
                  δ_l = ∂L/∂h_l,   δ_{l−1} = W_lᵀ (φ′(z_l) ⊙ δ_l)   (+ δ_l in a residual block),
              so ‖δ_0‖ / ‖δ_L‖ = Π_l f_l with the per-layer factor f_l = ‖δ_{l−1}‖ / ‖δ_l‖; and the mean slope
              E[φ′(z_l)], which for sigmoid is ≤ ``DERIVATIVE_BOUND["sigmoid"]`` = 1/4.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from core.training import data_loss

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from core.nets import MLP

SATURATING = ("tanh", "sigmoid")
TANH_SATURATION = 0.99  # |a| > 0.99
SIGMOID_SATURATION = 0.01  # a < 0.01 or a > 0.99
# max_z φ′(z): sigmoid′ = σ(1 − σ) peaks at z = 0 with 1/4; tanh′ = 1 − tanh² peaks at 1; ReLU′ ∈ {0, 1}
DERIVATIVE_BOUND = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "leaky_relu": 1.0, "linear": 1.0}


@dataclass
class LayerStats:
    """Forward statistics per hidden layer (index 0 = first hidden layer): ``samples[l]`` a random subsample of a_l
    (at most ``max_samples`` values), ``mean`` / ``std`` over all samples × units, ``saturated`` the saturated
    fraction (NaN for non-saturating φ), ``zero`` the fraction of values exactly 0 (ReLU units that are off)."""
    activation: str
    samples: list
    mean: np.ndarray
    std: np.ndarray
    saturated: np.ndarray
    zero: np.ndarray


@dataclass
class BackwardStats:
    """One backward pass, per layer: ``weight_grad`` ‖∂L/∂W_l‖ for every linear layer (hidden, then output);
    per hidden layer l: ``delta`` ‖δ_l‖ = ‖∂L/∂h_l‖, ``factor`` f_l = ‖δ_{l−1}‖ / ‖δ_l‖ (δ_0 = ∂L/∂x), ``slope``
    E[φ′(z_l)]; ``loss`` the value of L."""
    weight_grad: np.ndarray
    delta: np.ndarray
    input_delta: float
    factor: np.ndarray
    slope: np.ndarray
    loss: float


def saturated_fraction(a: ArrayLike, activation: str) -> float:
    """The share of values a = φ(z) where φ is flat: tanh |a| > 0.99; sigmoid a < 0.01 or a > 0.99; else NaN."""
    a = np.asarray(a)
    if a.size == 0 or activation not in SATURATING:
        return float("nan")
    if activation == "tanh":
        # |a| > 0.99
        return float(np.mean(np.abs(a) > TANH_SATURATION))
    # a < 0.01 or a > 0.99
    return float(np.mean((a < SIGMOID_SATURATION) | (a > 1 - SIGMOID_SATURATION)))


def derivative_from_output(a: torch.Tensor, z: torch.Tensor, activation: str) -> torch.Tensor:
    """φ′(z) written with a = φ(z) where that is exact: sigmoid a (1 − a), tanh 1 − a², ReLU [z > 0], leaky ReLU
    1 or 0.01, linear 1 (torch tensors in, a tensor out)."""
    if activation == "sigmoid":
        # σ′ = σ (1 − σ)
        return a * (1 - a)
    if activation == "tanh":
        # tanh′ = 1 − tanh²
        return 1 - a * a
    if activation == "relu":
        # ReLU′ = [z > 0]
        return (z > 0).to(a.dtype)
    if activation == "leaky_relu":
        from core.nets import LEAKY_SLOPE
        # leaky ReLU′ = 1 if z > 0 else 0.01
        return torch.where(z > 0, torch.ones_like(z), torch.full_like(z, LEAKY_SLOPE))
    return torch.ones_like(z)


class _Recorder:
    """Forward hooks on every hidden block's activation module (z in, a out) and on the block itself (h out)."""

    def __init__(self, model, keep_grad):
        self.z, self.a, self.h, self.keep_grad, self.hooks = [], [], [], keep_grad, []
        for block in model.hidden_blocks:
            self.hooks.append(block.act.register_forward_hook(self._on_act))
            self.hooks.append(block.register_forward_hook(self._on_block))

    def _on_act(self, module, inputs, output):
        self.z.append(inputs[0])
        self.a.append(output)

    def _on_block(self, module, inputs, output):
        if self.keep_grad and output.requires_grad:
            output.retain_grad()
        self.h.append(output)

    def remove(self) -> None:
        for hook in self.hooks:
            hook.remove()


def _as_input(model, X):
    parameter = next(model.parameters())
    return torch.as_tensor(np.asarray(X), dtype=parameter.dtype, device=parameter.device)


def activation_stats(model: MLP, X: ArrayLike, max_samples: int = 2000, seed: int = 0) -> LayerStats:
    """Forward statistics of every hidden layer's activations a_l = φ(z_l) for inputs X (n, d), in the model's
    current mode, without gradients (see ``LayerStats``). mean = (1/N) Σ a, std = √((1/N) Σ (a − mean)²) over all
    N = n · width values; the histogram subsample is the same positions in every layer (``seed``)."""
    activation = model.activation
    recorder = _Recorder(model, keep_grad=False)
    try:
        with torch.no_grad():
            model(_as_input(model, X))
    finally:
        recorder.remove()
    rng = np.random.default_rng(seed)
    samples, means, stds, saturated, zero = [], [], [], [], []
    for a in recorder.a:
        values = a.detach().double().cpu().numpy().reshape(-1)
        pick = values if values.size <= max_samples else values[rng.choice(values.size, max_samples, replace=False)]
        samples.append(pick.astype(np.float32))
        with np.errstate(invalid="ignore", over="ignore"):  # an overflowed layer (inf) gives NaN, as it should
            # mean = (1/N) Σ a,  std = √((1/N) Σ (a − mean)²)
            means.append(values.mean())
            stds.append(values.std())
        saturated.append(saturated_fraction(values, activation))
        # share of a = 0
        zero.append(float(np.mean(values == 0)))
    return LayerStats(activation, samples, np.array(means), np.array(stds), np.array(saturated), np.array(zero))


def backward_stats(model: MLP, X: ArrayLike, y: ArrayLike, loss: str = "ce") -> BackwardStats:
    """One forward and backward pass of L = data_loss(model(X), y) (mean cross-entropy, or "mse"), in training
    mode (batch norm normalises with the batch's own statistics, as during training); see ``BackwardStats``.
    The model's mode, batch-norm running averages and .grad fields are restored afterwards."""
    was_training = model.training
    buffers = {name: value.clone() for name, value in model.named_buffers()}
    saved_grads = [p.grad for p in model.parameters()]
    recorder = _Recorder(model, keep_grad=True)
    try:
        model.train()
        for p in model.parameters():
            p.grad = None
        x = _as_input(model, X).requires_grad_(True)
        target = torch.as_tensor(np.asarray(y), dtype=torch.long, device=x.device)
        value = data_loss(model(x), target, loss)
        value.backward()
        # ‖∂L/∂W_l‖ = √(Σ (∂L/∂W_l)²)
        weight_grad = np.array([layer.weight.grad.norm().item() for layer in model.linears()])
        # ‖δ_l‖ = ‖∂L/∂h_l‖ (Frobenius over the batch)
        delta = np.array([h.grad.norm().item() if h.grad is not None else 0.0 for h in recorder.h])
        input_delta = x.grad.norm().item()
        below = np.concatenate([[input_delta], delta[:-1]])
        with np.errstate(divide="ignore", invalid="ignore"):
            # f_l = ‖δ_{l−1}‖ / ‖δ_l‖
            factor = np.where(delta > 0, below / np.where(delta > 0, delta, 1.0), np.nan)
        with torch.no_grad():
            # E[φ′(z_l)] over samples and units
            slope = np.array([derivative_from_output(a, z, model.activation).mean().item()
                              for a, z in zip(recorder.a, recorder.z)])
        return BackwardStats(weight_grad, delta, input_delta, factor, slope, value.item())
    finally:
        recorder.remove()
        for p, g in zip(model.parameters(), saved_grads):
            p.grad = g
        with torch.no_grad():
            for name, value in model.named_buffers():
                value.copy_(buffers[name])
        model.train(was_training)


def gradient_norms(model: MLP, X: ArrayLike, y: ArrayLike, loss: str = "ce") -> np.ndarray:
    """‖∂L/∂W_l‖ for every linear layer (hidden first, output last) from one backward pass of L on (X, y): a numpy
    array of length L + 1 (see ``backward_stats``)."""
    return backward_stats(model, X, y, loss).weight_grad


def chain_product(factors: ArrayLike) -> np.ndarray:
    """The chain rule's running product from the output down: P_l = Π_{k ≥ l} f_k (P_1 = ‖δ_0‖ / ‖δ_L‖ for the
    measured factors), for factors ordered first layer first."""
    factors = np.asarray(factors, dtype=float)
    # P_l = f_l · f_{l+1} ⋯ f_L
    return np.cumprod(factors[::-1])[::-1]


def bound_product(activation: str, depth: int) -> np.ndarray:
    """The slope bound over the depth: (max φ′)^k for k = 1 … depth (sigmoid: 0.25^k, at most 1 for the others)."""
    # (max φ′)^k
    return DERIVATIVE_BOUND[activation] ** np.arange(1, int(depth) + 1, dtype=float)


def histogram(values: ArrayLike, bins: int = 40,
              value_range: tuple[float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Fractions of ``values`` in ``bins`` equal bins over ``value_range`` (default: [min, max], widened to a unit
    interval when all values are equal); values outside the range fall into the end bins, non-finite values (an
    overflowed layer) are left out. Returns (edges, share) with Σ share = 1, or all zeros when nothing is finite."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if value_range is None:
        low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    else:
        low, high = map(float, value_range)
    if not high > low:
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(np.clip(values, low, high), bins=bins, range=(low, high))
    # share_b = count_b / n
    return edges, counts / max(values.size, 1)
