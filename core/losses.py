"""Losses and output activations, in numpy: softmax, sigmoid, cross-entropy, binary cross-entropy, MSE.

Every function takes array-likes, returns numpy, is numerically stable, and raises ``ValueError`` with a clear
message on bad shapes, negative probabilities or NaN. ``reduction`` follows PyTorch: "none" | "mean" | "sum".
Notation: p is the true distribution (the label), q the predicted one; ln is the natural log.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.errors import InputError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

REDUCTIONS = ("none", "mean", "sum")
# How far a probability vector may sum away from 1 before it is refused (float32 outputs of a net sum to 1 ± 1e-7).
SUM_TOLERANCE = 1e-6
# The clipping used in practice (Keras' backend epsilon): q is clipped to [ε, 1 − ε] before the log.
PRACTICAL_EPS = 1e-7


def _as_float_array(x, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InputError("not_numbers", f"{name} must be numbers", name=name) from err
    if arr.size == 0:
        raise InputError("empty", f"{name} is empty", name=name)
    if np.isnan(arr).any():
        raise InputError("nan", f"{name} contains NaN", name=name)
    return arr


def _reduce(values: np.ndarray, reduction: str):
    if reduction == "none":
        return values
    if reduction == "mean":
        return float(np.mean(values))
    if reduction == "sum":
        return float(np.sum(values))
    raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def check_distribution(p: ArrayLike, name: str = "p") -> np.ndarray:
    """Return p as a float array of shape (k,) or (m, k) if every row is a probability distribution.

    A distribution has pᵢ ≥ 0, finite entries and Σᵢ pᵢ = 1 (within ``SUM_TOLERANCE``); anything else raises
    ``ValueError`` saying which rule is broken.
    """
    arr = _as_float_array(p, name)
    if arr.ndim not in (1, 2):
        raise InputError("bad_shape", f"{name} must have shape (k,) or (m, k), got shape {arr.shape}", name=name)
    if not np.isfinite(arr).all():
        raise InputError("inf", f"{name} contains inf", name=name)
    if (arr < 0).any():
        raise InputError("negative", f"{name} has a negative entry ({arr.min():g}); probabilities are ≥ 0", name=name,
                         value=f"{arr.min():g}")
    sums = arr.sum(axis=-1)
    if np.abs(sums - 1).max() > SUM_TOLERANCE:
        worst = float(np.atleast_1d(sums)[np.argmax(np.abs(np.atleast_1d(sums) - 1))])
        raise InputError("not_sum_one", f"{name} sums to {worst:.6g}, not 1", name=name, total=f"{worst:.6g}")
    return arr


def normalize(p: ArrayLike) -> np.ndarray:
    """Rescale non-negative weights into a distribution: pᵢ / Σⱼ pⱼ (negatives are set to 0 first)."""
    arr = np.clip(_as_float_array(p, "p"), 0.0, None)
    if not np.isfinite(arr).all():
        raise InputError("inf", "p contains inf", name="p")
    total = arr.sum(axis=-1, keepdims=True)
    if (total <= 0).any():
        raise InputError("no_positive", "p has no positive entry, so it cannot be normalised", name="p")
    return arr / total


def softmax(z: ArrayLike, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """softmax(z)ᵢ = exp(zᵢ/T) / Σⱼ exp(zⱼ/T), computed as exp(zᵢ/T − m) / Σⱼ exp(zⱼ/T − m) with m = maxⱼ zⱼ/T.

    Subtracting m changes nothing mathematically (it cancels in the ratio) but keeps every exp ≤ 1, so large logits
    never overflow. T is the temperature (T > 0): T → 0 approaches argmax, T → ∞ the uniform distribution.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    zs = _as_float_array(z, "z") / temperature
    if not np.isfinite(zs).all():
        raise InputError("inf", "z contains inf", name="z")
    shifted = zs - zs.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_naive(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """exp(zᵢ) / Σⱼ exp(zⱼ) without the max shift — kept only to show how it fails: exp(z) overflows to inf for
    z > ln(float64 max) ≈ 709.78, and inf / inf = NaN."""
    zs = _as_float_array(z, "z")
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(zs)
        return e / e.sum(axis=axis, keepdims=True)


OVERFLOW_LOGIT = float(np.log(np.finfo(np.float64).max))  # ≈ 709.78: exp(z) is inf beyond it


def log_softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """log softmax(z)ᵢ = zᵢ − m − ln Σⱼ exp(zⱼ − m), m = maxⱼ zⱼ (the log-sum-exp trick)."""
    zs = _as_float_array(z, "z")
    shifted = zs - zs.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def sigmoid(z: ArrayLike) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)); for z < 0 computed as e^z / (1 + e^z) so that e^(−z) never overflows."""
    zs = _as_float_array(z, "z")
    out = np.empty_like(zs)
    pos = zs >= 0
    # σ(z) = 1 / (1 + e^(−z)) where z ≥ 0
    out[pos] = 1.0 / (1.0 + np.exp(-zs[pos]))
    # σ(z) = e^z / (1 + e^z) where z < 0
    ez = np.exp(zs[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def cross_entropy_terms(p: ArrayLike, q: ArrayLike, eps: float | None = None) -> np.ndarray:
    """The terms −pᵢ · ln qᵢ of H(p, q), elementwise, same shape as p.

    A term with pᵢ = 0 is 0 whatever qᵢ is (the limit of 0·ln 0 is 0). A term with pᵢ > 0 and qᵢ = 0 is +inf: the
    model gave zero probability to something that happened. With ``eps``, q is first clipped to [eps, 1 − eps], as
    frameworks do in practice, which turns that inf into the finite −pᵢ · ln eps.
    """
    p_arr = check_distribution(p, "p")
    q_arr = check_distribution(q, "q")
    if p_arr.shape != q_arr.shape:
        raise InputError("shape_mismatch", f"p and q must have the same shape, got {p_arr.shape} and {q_arr.shape}",
                         a="p", b="q")
    if eps is not None:
        if not 0 < eps < 0.5:
            raise ValueError(f"eps must be in (0, 0.5), got {eps}")
        q_arr = np.clip(q_arr, eps, 1 - eps)
    with np.errstate(divide="ignore"):
        log_q = np.log(q_arr)
    # −pᵢ · ln qᵢ, with 0 · ln 0 taken as 0 (the log is masked first so 0 · (−inf) never forms a NaN)
    return -p_arr * np.where(p_arr > 0, log_q, 0.0) + 0.0  # + 0.0 turns −0.0 into 0.0 for display


def cross_entropy(p: ArrayLike, q: ArrayLike, reduction: str = "mean",
                  eps: float | None = None) -> float | np.ndarray:
    """H(p, q) = −Σᵢ pᵢ ln qᵢ per row; for a batch (m, k) the rows are reduced by ``reduction``.

    Equals ``torch.nn.functional.cross_entropy(torch.log(q), p, reduction=...)`` (probabilities as targets), and for
    one-hot p equals the negative log-likelihood of the true class. Smaller means q is closer to p.
    """
    terms = cross_entropy_terms(p, q, eps)
    per_row = terms.sum(axis=-1)
    if terms.ndim == 1:
        return float(per_row)
    return _reduce(per_row, reduction)


def entropy(p: ArrayLike) -> float | np.ndarray:
    """H(p) = −Σᵢ pᵢ ln pᵢ (0 · ln 0 = 0): the cross-entropy of p with itself, the least H(p, q) can be."""
    p_arr = check_distribution(p, "p")
    with np.errstate(divide="ignore"):
        terms = np.where(p_arr > 0, -p_arr * np.log(np.where(p_arr > 0, p_arr, 1.0)), 0.0)
    out = terms.sum(axis=-1)
    return float(out) if out.ndim == 0 else out


def kl_divergence(p: ArrayLike, q: ArrayLike) -> float | np.ndarray:
    """KL(p ‖ q) = Σᵢ pᵢ ln(pᵢ / qᵢ) = H(p, q) − H(p) ≥ 0, zero only when q = p."""
    h_pq = cross_entropy_terms(p, q).sum(axis=-1)
    # KL(p‖q) = H(p, q) − H(p)
    out = h_pq - entropy(p)
    return float(out) if np.ndim(out) == 0 else out


def _check_binary(y, y_hat) -> tuple[np.ndarray, np.ndarray]:
    y_arr = _as_float_array(y, "y")
    y_hat_arr = _as_float_array(y_hat, "y_hat")
    if y_arr.shape != y_hat_arr.shape:
        raise ValueError(f"y and y_hat must have the same shape, got {y_arr.shape} and {y_hat_arr.shape}")
    for name, arr in (("y", y_arr), ("y_hat", y_hat_arr)):
        if not np.isfinite(arr).all():
            raise InputError("inf", f"{name} contains inf", name=name)
        if (arr < 0).any() or (arr > 1).any():
            raise InputError("out_of_unit", f"{name} must lie in [0, 1]", name=name)
    return y_arr, y_hat_arr


def binary_cross_entropy(y: ArrayLike, y_hat: ArrayLike, reduction: str = "mean") -> float | np.ndarray:
    """BCE(y, ŷ) = −[y ln ŷ + (1 − y) ln(1 − ŷ)] per sample.

    It is the negative log-likelihood of a Bernoulli model: P(y | ŷ) = ŷ^y (1 − ŷ)^(1 − y), so −ln P is the line
    above. Like PyTorch's ``binary_cross_entropy``, each log is clamped at −100, so ŷ = 0 with y = 1 costs 100.
    """
    y_arr, y_hat_arr = _check_binary(y, y_hat)
    with np.errstate(divide="ignore"):
        log_y_hat = np.maximum(np.log(y_hat_arr), -100.0)
        log_one_minus = np.maximum(np.log1p(-y_hat_arr), -100.0)
    # −[y ln ŷ + (1 − y) ln(1 − ŷ)]
    per_sample = -(y_arr * log_y_hat + (1 - y_arr) * log_one_minus)
    if per_sample.ndim == 0:
        return float(per_sample)
    return _reduce(per_sample, reduction)


def mse(y: ArrayLike, y_hat: ArrayLike, reduction: str = "mean") -> float | np.ndarray:
    """MSE(y, ŷ) = (y − ŷ)² elementwise, then reduced ("mean" averages over every element, as PyTorch does)."""
    y_arr = _as_float_array(y, "y")
    y_hat_arr = _as_float_array(y_hat, "y_hat")
    if y_arr.shape != y_hat_arr.shape:
        raise ValueError(f"y and y_hat must have the same shape, got {y_arr.shape} and {y_hat_arr.shape}")
    # (y − ŷ)²
    squared = (y_arr - y_hat_arr) ** 2
    if squared.ndim == 0:
        return float(squared)
    return _reduce(squared, reduction)


def softmax_cross_entropy_grad(z: ArrayLike, p: ArrayLike) -> np.ndarray:
    """∂H(p, softmax(z)) / ∂z = softmax(z) − p: the gradient of cross-entropy with respect to the logits.

    For a batch (m, k) this is the gradient of the *sum* over rows; divide by m for the mean.
    """
    z_arr = _as_float_array(z, "z")
    p_arr = check_distribution(p, "p")
    if z_arr.shape != p_arr.shape:
        raise ValueError(f"z and p must have the same shape, got {z_arr.shape} and {p_arr.shape}")
    # ∂L/∂zᵢ = qᵢ − pᵢ with q = softmax(z)
    return softmax(z_arr) - p_arr
