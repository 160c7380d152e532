"""Multilayer perceptrons: build one, look inside it (hidden activations, parameter counts), and stack K of them.

An MLP here is x → [hidden block]* → output layer, where a hidden block computes

    z = W h + b,   z ← N(z) (optional batch / layer norm of the pre-activation),   a = φ(z),
    h ← h + a if the block is residual (equal widths in and out), else h ← a,

(with batch norm the linear layer has no bias b: N subtracts the batch mean, so b would get a zero gradient and
only wander on rounding noise; N's shift β takes its place),

and the output layer gives logits W h + b. ``model.hidden_blocks`` (a ``ModuleList``) and ``model.output`` are
public so other code can register hooks. ``StackedMLP`` keeps K MLPs of one architecture in a single (K, P)
parameter tensor and evaluates them with batched matrix products, for ``core.training.train_many``.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "linear")
INITS = ("default", "zeros", "constant", "normal", "xavier", "he")
NORMS = ("none", "batch", "layer")
LEAKY_SLOPE = 0.01


def make_activation(name: str) -> nn.Module:
    """φ as a module: relu max(0, z), leaky_relu max(0.01 z, z), tanh, sigmoid 1/(1 + e⁻ᶻ), linear z."""
    if name == "relu":
        return nn.ReLU()
    if name == "leaky_relu":
        return nn.LeakyReLU(LEAKY_SLOPE)
    if name == "tanh":
        return nn.Tanh()
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "linear":
        return nn.Identity()
    raise ValueError(f"unknown activation {name!r}; choose one of {ACTIVATIONS}")


def make_norm(name: str, width: int) -> nn.Module:
    """N(z): none (identity), batch (BatchNorm1d: over the batch) or layer (LayerNorm: over the units), each
    N(z) = γ ⊙ (z − μ) / √(σ² + 10⁻⁵) + β with learned scale γ and shift β."""
    if name == "none":
        return nn.Identity()
    if name == "batch":
        return nn.BatchNorm1d(width)
    if name == "layer":
        return nn.LayerNorm(width)
    raise ValueError(f"unknown norm {name!r}; choose one of {NORMS}")


class HiddenBlock(nn.Module):
    """One hidden layer: a = φ(N(W h + b)); returns h + a when ``skip`` (residual, equal widths), else a.
    With batch norm there is no b (see the module docstring)."""

    def __init__(self, in_features: int, out_features: int, activation: str = "relu", norm: str = "none",
                 skip: bool = False) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, out_features, bias=norm != "batch")
        self.norm = make_norm(norm, out_features)
        self.act = make_activation(activation)
        self.skip = bool(skip)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        # a = φ(N(W h + b))
        a = self.act(self.norm(self.linear(h)))
        # h ← h + a (residual) or h ← a
        return h + a if self.skip else a


class MLP(nn.Module):
    """logits = W_out h_L + b_out with h_0 = x and h_l = block_l(h_{l−1}) (see ``HiddenBlock``)."""

    def __init__(self, in_features: int, hidden: Sequence[int], out_features: int, activation: str = "relu",
                 norm: str = "none", residual: bool = False) -> None:
        super().__init__()
        self.in_features, self.hidden, self.out_features = in_features, tuple(hidden), out_features
        self.activation, self.norm, self.residual = activation, norm, bool(residual)
        blocks, width = [], in_features
        for w in self.hidden:
            blocks.append(HiddenBlock(width, w, activation, norm, skip=self.residual and w == width))
            width = w
        self.hidden_blocks = nn.ModuleList(blocks)
        self.output = nn.Linear(width, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        for block in self.hidden_blocks:
            h = block(h)
        return self.output(h)

    def linears(self) -> list[nn.Linear]:
        """The linear layers in order: each hidden block's, then the output layer."""
        return [block.linear for block in self.hidden_blocks] + [self.output]


def init_linear_(layer: nn.Linear, init: str = "default", nonlinearity: str = "relu", std: float = 0.01,
                 constant: float = 0.5, generator: torch.Generator | None = None) -> nn.Linear:
    """Initialise one ``nn.Linear`` in place (fan_in = inputs, fan_out = outputs, g = calculate_gain(φ)):

    default:  torch's own, W ~ U(±√(1/fan_in)) (kaiming_uniform_ with a = √5), b ~ U(±1/√fan_in);
    zeros:    W = 0, b = 0;            constant: W = c, b = 0;            normal: W ~ N(0, std²), b = 0;
    xavier:   W ~ U(±g √(6/(fan_in + fan_out))), b = 0 (Glorot & Bengio 2010, uniform);
    he:       W ~ N(0, g² / fan_in), b = 0 (He et al. 2015, kaiming_normal_).
    """
    weight, bias = layer.weight, layer.bias
    slope = LEAKY_SLOPE if nonlinearity == "leaky_relu" else None
    with torch.no_grad():
        if init == "default":
            # W ~ U(±gain·√(3/fan_in)) with gain = √(2/(1 + 5)), i.e. U(±√(1/fan_in))
            nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
            fan_in = weight.shape[1]
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            if bias is not None:
                # b ~ U(±1/√fan_in)
                nn.init.uniform_(bias, -bound, bound, generator=generator)
            return layer
        if init == "zeros":
            nn.init.zeros_(weight)
        elif init == "constant":
            nn.init.constant_(weight, constant)
        elif init == "normal":
            # W ~ N(0, std²)
            nn.init.normal_(weight, 0.0, std, generator=generator)
        elif init == "xavier":
            # W ~ U(±g √(6/(fan_in + fan_out)))
            nn.init.xavier_uniform_(weight, gain=nn.init.calculate_gain(nonlinearity, slope), generator=generator)
        elif init == "he":
            # W ~ N(0, g²/fan_in)
            nn.init.kaiming_normal_(weight, a=slope or 0.0, nonlinearity=nonlinearity, generator=generator)
        else:
            raise ValueError(f"unknown init {init!r}; choose one of {INITS}")
        if bias is not None:
            nn.init.zeros_(bias)
    return layer


def build_mlp(in_features: int, hidden: Sequence[int], out_features: int, activation: str = "relu",
              init: str = "default", norm: str = "none", residual: bool = False, init_std: float = 0.01,
              init_constant: float = 0.5, seed: int | None = None) -> MLP:
    """An ``MLP`` (see its docstring) with every linear layer initialised by ``init_linear_``: hidden layers with
    the gain of φ, the output layer with the gain of "linear".

    With ``seed`` the weights come from ``torch.Generator().manual_seed(seed)``, drawn layer by layer (weight then
    bias) exactly as torch draws them for ``init="default"`` after ``torch.manual_seed(seed)``; the global RNG is left
    untouched. Without a seed the global RNG is used.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {ACTIVATIONS}")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {INITS}")
    if norm not in NORMS:
        raise ValueError(f"unknown norm {norm!r}; choose one of {NORMS}")
    hidden = tuple(int(w) for w in hidden)
    if in_features < 1 or out_features < 1 or any(w < 1 for w in hidden):
        raise ValueError(f"layer widths must be ≥ 1, got {in_features}, {hidden}, {out_features}")
    generator = None if seed is None else torch.Generator().manual_seed(int(seed))
    with torch.random.fork_rng(devices=[], enabled=seed is not None):
        model = MLP(in_features, hidden, out_features, activation, norm, residual)
    if seed is None and init == "default":
        return model  # torch's constructors already drew the default initialisation from the global RNG
    for layer in [block.linear for block in model.hidden_blocks]:
        init_linear_(layer, init, activation, init_std, init_constant, generator)
    init_linear_(model.output, init, "linear", init_std, init_constant, generator)
    return model


def hidden_activations(model: MLP, X: ArrayLike) -> list[np.ndarray]:
    """The output h_l of every hidden block for inputs X (n, d), via forward hooks on ``model.hidden_blocks``, in
    eval mode without gradients: a list of numpy arrays (n, width_l), first hidden layer first."""
    outputs = []
    hooks = [block.register_forward_hook(lambda module, inputs, output: outputs.append(output.detach()))
             for block in model.hidden_blocks]
    was_training = model.training
    parameter = next(model.parameters())
    try:
        model.eval()
        with torch.no_grad():
            model(torch.as_tensor(np.asarray(X), dtype=parameter.dtype, device=parameter.device))
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    return [out.cpu().numpy() for out in outputs]


def count_parameters(model: nn.Module) -> dict[str, int]:
    """Learnable numbers by kind: weights (of linear layers), biases (of linear layers), norm_scales (the scales γ
    and shifts β of batch / layer norm) and total = Σ p.numel() over all parameters."""
    counts = {"weights": 0, "biases": 0, "norm_scales": 0}
    for module in model.modules():
        if isinstance(module, nn.Linear):
            counts["weights"] += module.weight.numel()
            counts["biases"] += module.bias.numel() if module.bias is not None else 0  # none under batch norm
        elif isinstance(module, (nn.BatchNorm1d, nn.LayerNorm)):
            counts["norm_scales"] += sum(p.numel() for p in module.parameters(recurse=False))
    # total = Σ p.numel()
    counts["total"] = sum(p.numel() for p in model.parameters())
    return counts


def mlp_param_count(in_features: int, hidden: Sequence[int], out_features: int, norm: str = "none") -> int:
    """P = Σ_l (n_{l−1} n_l + n_l) + [norm] Σ_hidden 2 n_l − [batch norm] Σ_hidden n_l, with n_0 = in_features and
    n_{L+1} = out_features (γ and β per normalised unit; no hidden biases under batch norm)."""
    widths = [in_features, *hidden, out_features]
    # P = Σ (n_{l−1} · n_l + n_l)
    total = sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))
    # + 2 n_l per normalised hidden layer (γ and β), − n_l per hidden bias dropped by batch norm
    return total + {"none": 0, "layer": 2, "batch": 1}[norm] * sum(hidden)


def param_budget_mlp(in_features: int, out_features: int, depth: int, budget: int, norm: str = "none") -> int:
    """The largest width w such that an MLP with ``depth`` hidden layers of width w has P(w) ≤ budget parameters
    (to compare depths at equal parameter count). Raises ``ValueError`` if even w = 1 does not fit."""
    if depth == 0:
        return 0
    if mlp_param_count(in_features, (1,) * depth, out_features, norm) > budget:
        raise ValueError(f"{budget} parameters are too few for {depth} hidden layers")
    low, high = 1, 1
    while mlp_param_count(in_features, (high * 2,) * depth, out_features, norm) <= budget:
        high *= 2
    high *= 2
    while high - low > 1:  # P(low) ≤ budget < P(high)
        mid = (low + high) // 2
        if mlp_param_count(in_features, (mid,) * depth, out_features, norm) <= budget:
            low = mid
        else:
            high = mid
    return low


# --- K MLPs of one architecture, side by side -------------------------------------------------------------------------
_FUNCTIONAL = {
    "relu": F.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, LEAKY_SLOPE),
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "linear": lambda z: z,
}
BN_MOMENTUM, NORM_EPS = 0.1, 1e-5


class StackedMLP:
    """K MLPs of one architecture in one leaf tensor ``flat`` of shape (K, P): row k holds model k's parameters,
    layer by layer as [Wᵀ (in·out), b (absent under batch norm), γ, β]. For inputs x (K, B, d) a layer computes
    z = x W + b with one ``torch.baddbmm`` for all K models; batch norm uses each model's own batch statistics and
    running averages.
    Every operation acts on each row separately, so model k's outputs and gradients are those of model k alone.
    """

    def __init__(self, models: Sequence[MLP]) -> None:
        first = models[0]
        shape = [(m.in_features, m.hidden, m.out_features, m.activation, m.norm, m.residual) for m in models]
        if any(s != shape[0] for s in shape):
            raise ValueError("StackedMLP needs models of one architecture")
        self.K = len(models)
        self.activation, self.norm, self.residual = first.activation, first.norm, first.residual
        self.hidden, self.in_features, self.out_features = first.hidden, first.in_features, first.out_features
        self.layers = []  # per linear layer: dict of slices into a row, shapes and flags
        offset, width = 0, self.in_features
        for i, w in enumerate(self.hidden + (self.out_features,)):
            is_hidden = i < len(self.hidden)
            layer = {"in": width, "out": w, "W": (offset, offset + width * w), "b": None}
            offset += width * w
            if not (is_hidden and self.norm == "batch"):
                layer["b"] = (offset, offset + w)
                offset += w
            if is_hidden and self.norm != "none":
                layer["gamma"] = (offset, offset + w)
                layer["beta"] = (offset + w, offset + 2 * w)
                offset += 2 * w
            layer["skip"] = is_hidden and self.residual and w == width
            layer["hidden"] = is_hidden
            self.layers.append(layer)
            width = w
        self.P = offset
        device = first.output.weight.device
        with torch.no_grad():
            self.flat = torch.stack([self._row(m) for m in models]).to(device).requires_grad_(True)
        if self.norm == "batch":
            # per hidden layer l: (K, 1, width_l)
            self.running_mean = [torch.stack([m.hidden_blocks[l].norm.running_mean for m in models]).unsqueeze(1)
                                 .to(device) for l in range(len(self.hidden))]
            self.running_var = [torch.stack([m.hidden_blocks[l].norm.running_var for m in models]).unsqueeze(1)
                                .to(device) for l in range(len(self.hidden))]
            self.batches_tracked = int(first.hidden_blocks[0].norm.num_batches_tracked) if self.hidden else 0
        # weight_mask[p] = 1 where entry p of a row is a linear weight (for l1 / l2 penalties)
        self.weight_mask = torch.zeros(self.P, device=device)
        # segment[p, l] = 1 where entry p belongs to linear layer l's W or b (for per-layer gradient norms)
        self.segment = torch.zeros(self.P, len(self.layers), device=device)
        for l, layer in enumerate(self.layers):
            self.weight_mask[slice(*layer["W"])] = 1
            self.segment[layer["W"][0]:(layer["b"] or layer["W"])[1], l] = 1

    def _row(self, model):
        parts = []
        for block in model.hidden_blocks:
            parts += [block.linear.weight.t().reshape(-1)]
            parts += [block.linear.bias] if block.linear.bias is not None else []
            if self.norm != "none":
                parts += [block.norm.weight, block.norm.bias]
        parts += [model.output.weight.t().reshape(-1), model.output.bias]
        return torch.cat([p.detach().reshape(-1) for p in parts])

    def forward(self, x: torch.Tensor, training: bool = True) -> torch.Tensor:
        """Logits (K, B, C) for inputs x (K, B, d): per layer z = x W + b (batched), z ← N(z), a = φ(z)."""
        K, flat, phi = self.K, self.flat, _FUNCTIONAL[self.activation]
        h = x
        for l, layer in enumerate(self.layers):
            W = flat[:, slice(*layer["W"])].view(K, layer["in"], layer["out"])
            if layer["b"] is None:
                # z = h W
                z = torch.bmm(h, W)
            else:
                # z = h W + b
                z = torch.baddbmm(flat[:, slice(*layer["b"])].view(K, 1, layer["out"]), h, W)
            if not layer["hidden"]:
                return z
            if self.norm != "none":
                gamma = flat[:, slice(*layer["gamma"])].view(K, 1, layer["out"])
                beta = flat[:, slice(*layer["beta"])].view(K, 1, layer["out"])
                z = self._normalize(z, l, training) * gamma + beta
            a = phi(z)
            # h ← h + a (residual) or h ← a
            h = h + a if layer["skip"] else a
        return h

    __call__ = forward

    def _normalize(self, z, l, training):
        """(z − μ) / √(σ² + ε): batch norm over the batch axis (running averages in eval), layer norm over units."""
        if self.norm == "layer":
            return F.layer_norm(z, z.shape[-1:], eps=NORM_EPS)
        if training:
            var, mean = torch.var_mean(z, dim=1, keepdim=True, unbiased=False)
            n = z.shape[1]
            with torch.no_grad():
                # running ← (1 − m) running + m · batch statistic (variance unbiased: σ² n/(n − 1))
                self.running_mean[l].mul_(1 - BN_MOMENTUM).add_(BN_MOMENTUM * mean)
                self.running_var[l].mul_(1 - BN_MOMENTUM).add_(BN_MOMENTUM * var * (n / max(n - 1, 1)))
                if l == 0:
                    self.batches_tracked += 1
        else:
            mean, var = self.running_mean[l], self.running_var[l]
        # (z − μ) / √(σ² + ε)
        return (z - mean) * torch.rsqrt(var + NORM_EPS)

    def write_to(self, model: MLP, k: int, row: torch.Tensor | None = None,
                 running: tuple[list[torch.Tensor], list[torch.Tensor], int] | None = None) -> MLP:
        """Copy row k (or a saved ``row`` and BN ``running`` = (means, vars, count)) back into an ``MLP``."""
        row = self.flat[k].detach() if row is None else row
        with torch.no_grad():
            for block, layer in zip(list(model.hidden_blocks) + [None], self.layers):
                linear = block.linear if block is not None else model.output
                linear.weight.copy_(row[slice(*layer["W"])].view(layer["in"], layer["out"]).t())
                if layer["b"] is not None:
                    linear.bias.copy_(row[slice(*layer["b"])])
                if block is not None and self.norm != "none":
                    block.norm.weight.copy_(row[slice(*layer["gamma"])])
                    block.norm.bias.copy_(row[slice(*layer["beta"])])
            if self.norm == "batch":
                means, variances, count = running if running is not None else self.running_state(k)
                for block, mean, var in zip(model.hidden_blocks, means, variances):
                    block.norm.running_mean.copy_(mean)
                    block.norm.running_var.copy_(var)
                    block.norm.num_batches_tracked.fill_(count)
        return model

    def running_state(self, k: int) -> tuple[list[torch.Tensor], list[torch.Tensor], int] | None:
        """Model k's batch-norm running means and variances (cloned) and the number of batches seen."""
        if self.norm != "batch":
            return None
        return ([m[k, 0].clone() for m in self.running_mean], [v[k, 0].clone() for v in self.running_var],
                self.batches_tracked)
