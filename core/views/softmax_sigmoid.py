"""What the softmax-and-sigmoid page shows: probabilities from logits (with temperature and a shift), the two-class
softmax against the sigmoid, and the overflow of a naive softmax. The math itself lives in ``core.losses``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import losses


@dataclass(frozen=True)
class SoftmaxView:
    """softmax(z / T) and softmax((z + c) / T): adding the same c to every logit changes nothing."""

    logits: tuple[float, ...]
    temperature: float
    shift: float
    probabilities: tuple[float, ...]
    shifted_probabilities: tuple[float, ...]
    largest_difference: float  # maxᵢ |softmax(z/T)ᵢ − softmax((z + c)/T)ᵢ|, zero up to rounding


def softmax_view(logits, temperature: float, shift: float) -> SoftmaxView:
    z = np.asarray(logits, dtype=np.float64)
    probabilities = losses.softmax(z, temperature=temperature)
    shifted = losses.softmax(z + shift, temperature=temperature)
    return SoftmaxView(logits=tuple(z.tolist()), temperature=temperature, shift=shift,
                       probabilities=tuple(probabilities.tolist()), shifted_probabilities=tuple(shifted.tolist()),
                       largest_difference=float(np.abs(probabilities - shifted).max()))


@dataclass(frozen=True)
class TwoClassCurves:
    """softmax((z₁, z₂))₁ against σ(z₁ − z₂) along d = z₁ − z₂: the same curve."""

    difference: np.ndarray  # d = z₁ − z₂
    sigmoid: np.ndarray  # σ(d)
    softmax_first: np.ndarray  # softmax((d + z₂, z₂))₁ for the chosen z₂
    z2: float
    largest_difference: float


def two_class_curves(z2: float, points: int = 81, span: float = 8.0) -> TwoClassCurves:
    """softmax(z₁, z₂)₁ = e^z₁ / (e^z₁ + e^z₂) = 1 / (1 + e^−(z₁ − z₂)) = σ(z₁ − z₂), whatever z₂ is."""
    difference = np.linspace(-span, span, points)
    pairs = np.stack([difference + z2, np.full_like(difference, z2)], axis=1)
    softmax_first = losses.softmax(pairs, axis=1)[:, 0]
    sig = losses.sigmoid(difference)
    return TwoClassCurves(difference=difference, sigmoid=sig, softmax_first=softmax_first, z2=z2,
                          largest_difference=float(np.abs(sig - softmax_first).max()))


@dataclass(frozen=True)
class OverflowDemo:
    """Naive exp(zᵢ)/Σ exp(zⱼ) against the max-shifted form for logits (base, base − 1, base − 2)."""

    logits: tuple[float, ...]
    naive: tuple[float, ...]  # NaN once exp overflows
    stable: tuple[float, ...]
    naive_overflows: bool
    overflow_logit: float  # ln(largest float64) ≈ 709.78


def overflow_demo(base: float) -> OverflowDemo:
    z = np.array([base, base - 1.0, base - 2.0])
    naive = losses.softmax_naive(z)
    return OverflowDemo(logits=tuple(z.tolist()), naive=tuple(naive.tolist()), stable=tuple(losses.softmax(z).tolist()),
                        naive_overflows=not bool(np.isfinite(naive).all()), overflow_logit=losses.OVERFLOW_LOGIT)
