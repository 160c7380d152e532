"""What the cross-entropy page shows: the lecture note's worked example term by term, a batch of two rows, and the
two binary cross-entropy curves. Plain numbers and arrays; the math itself lives in ``core.losses``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import losses

# The lecture note's example (§12): true distribution p and two predictions.
SEED_P = (1.0, 0.0, 0.0)
SEED_Q1 = (0.5, 0.2, 0.3)
SEED_Q2 = (0.8, 0.1, 0.1)


@dataclass(frozen=True)
class CrossEntropyBreakdown:
    """H(p, q) term by term, with its split into entropy and KL divergence."""

    p: tuple[float, ...]
    q: tuple[float, ...]
    terms: tuple[float, ...]  # −pᵢ ln qᵢ
    total: float  # H(p, q) = Σᵢ −pᵢ ln qᵢ (inf when some qᵢ = 0 < pᵢ)
    entropy: float  # H(p)
    kl: float  # KL(p ‖ q) = H(p, q) − H(p)
    clipped_total: float  # H(p, clip(q, ε, 1 − ε)) with ε = losses.PRACTICAL_EPS
    zero_where_needed: tuple[int, ...]  # classes i with pᵢ > 0 but qᵢ = 0 (each makes the loss infinite)


def cross_entropy_breakdown(p, q) -> CrossEntropyBreakdown:
    """Every number the cross-entropy view shows for one pair of distributions; raises ``InputError`` on bad input."""
    p_arr = losses.check_distribution(p, "p")
    q_arr = losses.check_distribution(q, "q")
    terms = losses.cross_entropy_terms(p_arr, q_arr)
    total = float(terms.sum())
    entropy = losses.entropy(p_arr)
    return CrossEntropyBreakdown(
        p=tuple(p_arr.tolist()), q=tuple(q_arr.tolist()), terms=tuple(terms.tolist()), total=total,
        entropy=entropy, kl=total - entropy,
        clipped_total=losses.cross_entropy(p_arr, q_arr, eps=losses.PRACTICAL_EPS),
        zero_where_needed=tuple(int(i) for i in np.flatnonzero((p_arr > 0) & (q_arr == 0))))


@dataclass(frozen=True)
class BatchCrossEntropy:
    """The note's batch: an m×n matrix of predictions Q against labels P, one loss per row and its reduction."""

    labels: tuple[tuple[float, ...], ...]
    predictions: tuple[tuple[float, ...], ...]
    per_row: tuple[float, ...]
    mean: float
    total: float


def seed_batch() -> BatchCrossEntropy:
    """The note's batch of 2: rows (q1, q2) both labelled p = (1, 0, 0): losses 0.693 and 0.223, mean 0.458."""
    labels = np.array([SEED_P, SEED_P])
    predictions = np.array([SEED_Q1, SEED_Q2])
    per_row = losses.cross_entropy(labels, predictions, reduction="none")
    return BatchCrossEntropy(labels=tuple(map(tuple, labels.tolist())),
                             predictions=tuple(map(tuple, predictions.tolist())),
                             per_row=tuple(per_row.tolist()), mean=float(per_row.mean()), total=float(per_row.sum()))


@dataclass(frozen=True)
class BinaryCurves:
    """BCE as a function of the prediction ŷ, for y = 1 and y = 0, plus the value at one chosen ŷ."""

    y_hat: np.ndarray
    loss_if_1: np.ndarray  # −ln ŷ
    loss_if_0: np.ndarray  # −ln(1 − ŷ)
    chosen: float
    chosen_if_1: float
    chosen_if_0: float


def binary_curves(chosen: float, points: int = 199) -> BinaryCurves:
    """−[y ln ŷ + (1 − y) ln(1 − ŷ)] over ŷ ∈ (0, 1) for y = 1 (→ −ln ŷ) and y = 0 (→ −ln(1 − ŷ))."""
    if not 0 < chosen < 1:
        raise ValueError(f"chosen must lie strictly between 0 and 1, got {chosen}")
    y_hat = np.linspace(0.005, 0.995, points)
    return BinaryCurves(
        y_hat=y_hat,
        loss_if_1=losses.binary_cross_entropy(np.ones_like(y_hat), y_hat, reduction="none"),
        loss_if_0=losses.binary_cross_entropy(np.zeros_like(y_hat), y_hat, reduction="none"),
        chosen=chosen,
        chosen_if_1=losses.binary_cross_entropy(1.0, chosen),
        chosen_if_0=losses.binary_cross_entropy(0.0, chosen))
