"""The cross-entropy page's worked numbers: the note's example, an infinite loss and its clipped value, entropy + KL."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core import losses
from core.views import cross_entropy

RNG = np.random.default_rng(0)



def random_distribution(shape):
    weights = RNG.random(shape) + 1e-3
    return weights / weights.sum(axis=-1, keepdims=True)



def test_seed_worked_example():
    assert losses.cross_entropy(cross_entropy.SEED_P, cross_entropy.SEED_Q1) == pytest.approx(0.693, abs=5e-4)
    assert losses.cross_entropy(cross_entropy.SEED_P, cross_entropy.SEED_Q2) == pytest.approx(0.223, abs=5e-4)
    batch = cross_entropy.seed_batch()
    assert batch.per_row == pytest.approx((np.log(2), -np.log(0.8)))
    predictions = torch.tensor([cross_entropy.SEED_Q1, cross_entropy.SEED_Q2], dtype=torch.float64)
    torch_mean = F.cross_entropy(torch.log(predictions),
                                 torch.tensor([0, 0])).item()
    assert batch.mean == pytest.approx(torch_mean, rel=1e-12)
    assert batch.mean == pytest.approx(0.458, abs=5e-4)



def test_zero_probability_on_the_true_class_is_infinite_and_clipping_makes_it_finite():
    p, q = (1.0, 0.0, 0.0), (0.0, 0.5, 0.5)
    assert losses.cross_entropy(p, q) == np.inf
    assert losses.cross_entropy(p, q, eps=losses.PRACTICAL_EPS) == pytest.approx(-np.log(1e-7))
    breakdown = cross_entropy.cross_entropy_breakdown(p, q)
    assert breakdown.zero_where_needed == (0,)
    # zero probability where p = 0 costs nothing
    assert losses.cross_entropy((0.0, 1.0), (0.0, 1.0)) == 0.0



def test_cross_entropy_is_entropy_plus_kl_and_kl_matches_torch():
    p, q = random_distribution((5,)), random_distribution((5,))
    breakdown = cross_entropy.cross_entropy_breakdown(p, q)
    assert breakdown.total == pytest.approx(breakdown.entropy + breakdown.kl)
    expected_kl = F.kl_div(torch.log(torch.tensor(q)), torch.tensor(p), reduction="sum").item()
    assert breakdown.kl == pytest.approx(expected_kl, rel=1e-10)
    assert losses.kl_divergence(p, p) == pytest.approx(0.0, abs=1e-12)
