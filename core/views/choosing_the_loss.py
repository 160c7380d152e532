"""Choosing the loss: the decision table's live examples, why cross-entropy beats MSE for classification (the gradient
at the logit, the loss surface over (w, b), a real training race), and the softmax + cross-entropy gradient q − p
checked against autograd.

numpy at import time; torch only inside the two functions that need it (``decision_examples`` for the autograd
check, ``training_race`` for the race), so importing this module stays cheap.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import losses

# --- the decision table's live examples -------------------------------------------------------------------------
MULTICLASS_OTHER_LOGITS = (1.0, 0.1)  # the two wrong classes' logits; the true class's logit is the score
REGRESSION_TARGET = 2.0
SCORE_LIMIT = 20.0


@dataclass(frozen=True)
class GradientCheck:
    """∂H(p, softmax(z))/∂z by the formula q − p and by torch autograd (float64), and their largest difference."""

    logits: tuple[float, ...]
    p: tuple[float, ...]
    q: tuple[float, ...]
    formula: tuple[float, ...]  # q − p (core.losses.softmax_cross_entropy_grad)
    autograd: tuple[float, ...]
    largest_difference: float


@dataclass(frozen=True)
class DecisionExamples:
    """One live example per row of the decision table, all driven by one score s (the model's raw output for the
    right answer)."""

    score: float
    # binary: logit z = s, ŷ = σ(z), label y = 1, BCE = −ln ŷ
    binary_y_hat: float
    binary_loss: float
    # multi-class: logits (s, 1, 0.1), label class 1, q = softmax(z), CE = −ln q₁
    multiclass: GradientCheck
    multiclass_loss: float
    # regression: linear output ŷ = s, target y = 2, MSE = (ŷ − y)²
    regression_target: float
    regression_loss: float


def softmax_gradient_check(logits, label: int) -> GradientCheck:
    """The gradient of H(p, softmax(z)) with p = one-hot(label), by the formula q − p and by autograd."""
    import torch  # only here: the check needs autograd

    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1 or not 0 <= label < z.size:
        raise ValueError(f"label must index the logits (0 … {z.size - 1}), got {label}")
    p = np.eye(z.size)[label]
    # ∂H/∂z = q − p
    formula = losses.softmax_cross_entropy_grad(z, p)
    z_t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    # H(p, softmax(z)) = −Σᵢ pᵢ log softmax(z)ᵢ
    loss = -(torch.tensor(p) * torch.log_softmax(z_t, dim=0)).sum()
    loss.backward()
    autograd = z_t.grad.numpy()
    return GradientCheck(logits=tuple(z.tolist()), p=tuple(p.tolist()), q=tuple(losses.softmax(z).tolist()),
                         formula=tuple(formula.tolist()), autograd=tuple(autograd.tolist()),
                         largest_difference=float(np.abs(formula - autograd).max()))


def decision_examples(score: float) -> DecisionExamples:
    """The three recipes on numbers: sigmoid + BCE, softmax + cross-entropy, linear + MSE, for a score |s| ≤ 20."""
    if not (np.isfinite(score) and abs(score) <= SCORE_LIMIT):
        raise ValueError(f"score must be a finite number in [−{SCORE_LIMIT:g}, {SCORE_LIMIT:g}], got {score}")
    y_hat = float(losses.sigmoid(score))
    check = softmax_gradient_check((score, *MULTICLASS_OTHER_LOGITS), label=0)
    return DecisionExamples(
        score=float(score), binary_y_hat=y_hat, binary_loss=losses.binary_cross_entropy(1.0, y_hat),
        multiclass=check, multiclass_loss=float(-losses.log_softmax(check.logits)[0]),
        regression_target=REGRESSION_TARGET, regression_loss=losses.mse(REGRESSION_TARGET, score))


# --- (a) the gradient at the logit --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LogitGradients:
    """∂L/∂z for one example with label y, as a function of the logit z, for cross-entropy and for ½·MSE."""

    y: float
    z: np.ndarray
    y_hat: np.ndarray  # σ(z)
    cross_entropy: np.ndarray  # ŷ − y
    mse: np.ndarray  # (ŷ − y) · ŷ(1 − ŷ)
    chosen: float
    chosen_y_hat: float
    chosen_cross_entropy: float
    chosen_mse: float


def logit_gradient_cross_entropy(z, y: float) -> np.ndarray:
    """∂/∂z of −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = σ(z) − y."""
    # ∂L/∂z = ŷ − y
    return losses.sigmoid(z) - y


def logit_gradient_mse(z, y: float) -> np.ndarray:
    """∂/∂z of ½(σ(z) − y)² = (ŷ − y) · ŷ(1 − ŷ): the sigmoid's slope multiplies the error and vanishes when the
    model is confident, right or wrong."""
    y_hat = losses.sigmoid(z)
    # ∂L/∂z = (ŷ − y) · σ'(z),  σ'(z) = ŷ(1 − ŷ)
    return (y_hat - y) * y_hat * (1.0 - y_hat)


def logit_gradients(chosen: float, y: float = 1.0, span: float = 8.0, points: int = 161) -> LogitGradients:
    """Both gradients over z ∈ [−span, span], and their values at the chosen logit."""
    if not 0.0 <= y <= 1.0:
        raise ValueError(f"y must lie in [0, 1], got {y}")
    if not (np.isfinite(chosen) and abs(chosen) <= SCORE_LIMIT):
        raise ValueError(f"chosen must be a finite number in [−{SCORE_LIMIT:g}, {SCORE_LIMIT:g}], got {chosen}")
    z = np.linspace(-span, span, points)
    return LogitGradients(
        y=float(y), z=z, y_hat=losses.sigmoid(z), cross_entropy=logit_gradient_cross_entropy(z, y),
        mse=logit_gradient_mse(z, y), chosen=float(chosen), chosen_y_hat=float(losses.sigmoid(chosen)),
        chosen_cross_entropy=float(logit_gradient_cross_entropy(chosen, y)),
        chosen_mse=float(logit_gradient_mse(chosen, y)))


# --- (b) the loss surface of 1-D logistic regression over (w, b) -----------------------------------------------
# A small fixed data set: ten points on a line, labels 0 on the left and 1 on the right, mixed in the middle so the
# classes overlap: no threshold is perfect, and both losses have their minimum at a finite (w, b) inside the grid.
LANDSCAPE_X = (-3.0, -2.2, -1.5, -0.9, -0.4, 0.2, 0.7, 1.3, 2.0, 2.8)
LANDSCAPE_Y = (0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0)
LOSSES = ("cross_entropy", "mse")


def _design(w, b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """z[..., i] = w · xᵢ + b over a grid of (w, b), with the data x and labels y."""
    x, y = np.array(LANDSCAPE_X), np.array(LANDSCAPE_Y)
    # zᵢ = w xᵢ + b
    z = np.asarray(w, dtype=np.float64)[..., None] * x + np.asarray(b, dtype=np.float64)[..., None]
    return z, x, y


def surface_loss(w, b, loss: str) -> np.ndarray:
    """Mean loss of ŷᵢ = σ(w xᵢ + b) on the fixed data, for arrays of w and b (broadcast together).

    cross_entropy: (1/n) Σᵢ −[yᵢ ln ŷᵢ + (1 − yᵢ) ln(1 − ŷᵢ)], computed as softplus(z) − y z (stable for any z);
    mse: (1/n) Σᵢ (ŷᵢ − yᵢ)².
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    z, _, y = _design(w, b)
    if loss == "cross_entropy":
        # −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = ln(1 + e^z) − y z
        return (np.logaddexp(0.0, z) - y * z).mean(axis=-1)
    # (σ(z) − y)²
    return ((losses.sigmoid(z) - y) ** 2).mean(axis=-1)


def surface_hessian(w, b, loss: str) -> np.ndarray:
    """The 2 × 2 Hessian over (w, b), shape (..., 2, 2): H = (1/n) Σᵢ ℓ''(zᵢ) gᵢ gᵢᵀ with gᵢ = (xᵢ, 1).

    cross_entropy: ℓ''(z) = σ'(z) = ŷ(1 − ŷ) ≥ 0, so H is a sum of positive semi-definite matrices: convex.
    mse: ℓ''(z) = 2[σ'(z)² + (ŷ − y) σ''(z)] with σ'' = σ'(1 − 2ŷ), negative where the model is confidently wrong.
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    z, x, y = _design(w, b)
    y_hat = losses.sigmoid(z)
    slope = y_hat * (1.0 - y_hat)  # σ'(z)
    if loss == "cross_entropy":
        # ℓ''(z) = σ'(z)
        curvature = slope
    else:
        # ℓ''(z) = 2[σ'² + (ŷ − y) σ'(1 − 2ŷ)]
        curvature = 2.0 * (slope ** 2 + (y_hat - y) * slope * (1.0 - 2.0 * y_hat))
    g = np.stack([np.broadcast_to(x, z.shape), np.ones_like(z)], axis=-1)  # gᵢ = (xᵢ, 1)
    # H = (1/n) Σᵢ ℓ''(zᵢ) gᵢ gᵢᵀ
    return np.einsum("...i,...ij,...ik->...jk", curvature, g, g) / z.shape[-1]


def smallest_eigenvalue(hessian: np.ndarray) -> np.ndarray:
    """λ_min of symmetric 2 × 2 matrices [[a, c], [c, d]]: (a + d)/2 − √(((a − d)/2)² + c²)."""
    a, c, d = hessian[..., 0, 0], hessian[..., 0, 1], hessian[..., 1, 1]
    # λ_min = (a + d)/2 − √(((a − d)/2)² + c²)
    return (a + d) / 2.0 - np.sqrt(((a - d) / 2.0) ** 2 + c ** 2)


@dataclass(frozen=True)
class Landscapes:
    """Both losses on a grid over (w, b): values[b index, w index], the smallest Hessian eigenvalue per cell."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    w: np.ndarray
    b: np.ndarray
    cross_entropy: np.ndarray
    mse: np.ndarray
    cross_entropy_curvature: np.ndarray  # λ_min of the Hessian
    mse_curvature: np.ndarray
    cross_entropy_best: tuple[float, float, float]  # (w, b, loss) at the grid's lowest cell
    mse_best: tuple[float, float, float]
    cross_entropy_min_curvature: float  # ≥ 0 (up to rounding): convex
    mse_min_curvature: float  # < 0: not convex
    mse_negative_share: float  # share of cells where MSE curves downward in some direction


def landscapes(points: int = 41, span: float = 6.0) -> Landscapes:
    """Both losses over w, b ∈ [−span, span] on a points × points grid (2 ≤ points ≤ 101, 0 < span ≤ 20)."""
    if not 2 <= points <= 101:
        raise ValueError(f"points must lie in [2, 101], got {points}")
    if not 0 < span <= 20:
        raise ValueError(f"span must lie in (0, 20], got {span}")
    axis = np.round(np.linspace(-span, span, points), 6)
    w, b = np.meshgrid(axis, axis)  # w varies along columns, b along rows
    values, curvature, best = {}, {}, {}
    for loss in LOSSES:
        values[loss] = surface_loss(w, b, loss)
        curvature[loss] = smallest_eigenvalue(surface_hessian(w, b, loss))
        row, col = np.unravel_index(np.argmin(values[loss]), values[loss].shape)
        best[loss] = (float(axis[col]), float(axis[row]), float(values[loss][row, col]))
    return Landscapes(
        x=LANDSCAPE_X, y=LANDSCAPE_Y, w=axis, b=axis, cross_entropy=values["cross_entropy"], mse=values["mse"],
        cross_entropy_curvature=curvature["cross_entropy"], mse_curvature=curvature["mse"],
        cross_entropy_best=best["cross_entropy"], mse_best=best["mse"],
        cross_entropy_min_curvature=float(curvature["cross_entropy"].min()),
        mse_min_curvature=float(curvature["mse"].min()),
        mse_negative_share=float((curvature["mse"] < 0).mean()))


# --- (c) a real training race ----------------------------------------------------------------------------------------
RACE_POINTS = 200
RACE_NOISE = 0.1
RACE_INNER_RADIUS = 0.5
RACE_HIDDEN = 16
RACE_EPOCHS = 200
RACE_TARGET = 0.9  # the accuracy the race is run to
MAX_RACE_LR = 10.0


def rings(points: int = RACE_POINTS, noise: float = RACE_NOISE, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric rings (class 0: radius 1, class 1: radius 0.5) with Gaussian noise, standardised per feature;
    a fixed data set for a fixed seed. No straight line separates them (a line gets about half right): the network
    has to learn a closed boundary."""
    rng = np.random.default_rng(seed)
    y = np.repeat([0.0, 1.0], [points - points // 2, points // 2])
    angle = rng.uniform(0.0, 2.0 * np.pi, size=points)
    radius = np.where(y == 0, 1.0, RACE_INNER_RADIUS)
    x = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1) + rng.normal(scale=noise, size=(points, 2))
    # standardise: (x − mean) / std per feature
    return (x - x.mean(axis=0)) / x.std(axis=0), y


@dataclass(frozen=True)
class RaceRun:
    """One contestant: accuracy and its own loss before each epoch's update (index k: after k updates)."""

    loss_name: str
    accuracy: np.ndarray
    loss: np.ndarray
    epochs_to_target: int | None  # first k with accuracy ≥ RACE_TARGET, None if never


@dataclass(frozen=True)
class Race:
    lr: float
    seed: int
    epochs: int
    hidden: int
    runs: tuple[RaceRun, RaceRun]  # cross-entropy, then MSE


def _train(loss_name: str, lr: float, seed: int, epochs: int, hidden: int) -> RaceRun:
    import torch  # only here: this function trains

    torch.set_num_threads(1)
    x, y = rings()
    inputs = torch.tensor(x, dtype=torch.float32)
    labels = torch.tensor(y, dtype=torch.float32)[:, None]
    torch.manual_seed(seed)  # the same seed gives both contestants the same initial weights
    net = torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 1))
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    accuracy, loss_values = np.empty(epochs + 1), np.empty(epochs + 1)
    for epoch in range(epochs + 1):
        logits = net(inputs)
        if loss_name == "cross_entropy":
            # BCE(y, σ(z)), computed from the logit z
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
        else:
            # (σ(z) − y)², averaged
            loss = torch.nn.functional.mse_loss(torch.sigmoid(logits), labels)
        with torch.no_grad():
            # predict class 1 where σ(z) > 0.5, i.e. z > 0
            accuracy[epoch] = ((logits > 0).float() == labels).sum().item() / len(y)
        loss_values[epoch] = loss.item()
        if epoch == epochs:
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    reached = np.flatnonzero(accuracy >= RACE_TARGET)
    return RaceRun(loss_name=loss_name, accuracy=accuracy, loss=loss_values,
                   epochs_to_target=int(reached[0]) if reached.size else None)


def training_race(lr: float = 1.0, seed: int = 0, epochs: int = RACE_EPOCHS, hidden: int = RACE_HIDDEN) -> Race:
    """Train the same 2–hidden–1 tanh network from the same initial weights (torch seed) on the same rings with
    full-batch SGD at learning rate lr, once minimising cross-entropy and once MSE on σ(z): accuracy and loss per
    epoch for both.

    Raises ``ValueError`` for lr ∉ (0, 10], a negative seed, epochs ∉ [1, 2000] or hidden ∉ [1, 256].
    """
    if not (np.isfinite(lr) and 0 < lr <= MAX_RACE_LR):
        raise ValueError(f"lr must lie in (0, {MAX_RACE_LR:g}], got {lr}")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not 1 <= epochs <= 2000:
        raise ValueError(f"epochs must lie in [1, 2000], got {epochs}")
    if not 1 <= hidden <= 256:
        raise ValueError(f"hidden must lie in [1, 256], got {hidden}")
    runs = tuple(_train(name, float(lr), int(seed), int(epochs), int(hidden)) for name in LOSSES)
    return Race(lr=float(lr), seed=int(seed), epochs=int(epochs), hidden=int(hidden), runs=runs)
