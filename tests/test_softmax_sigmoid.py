"""The softmax-and-sigmoid page's numbers: the naive softmax overflows, the stable one does not; shift invariance."""
import numpy as np
import pytest
import torch

from core.views import softmax_sigmoid


def test_naive_softmax_overflows_and_stable_does_not():
    demo = softmax_sigmoid.overflow_demo(1000.0)
    assert demo.naive_overflows
    assert np.isfinite(demo.stable).all()
    np.testing.assert_allclose(demo.stable, torch.softmax(torch.tensor(demo.logits), 0).numpy())
    assert not softmax_sigmoid.overflow_demo(700.0).naive_overflows



def test_shift_invariance_and_two_class_identity():
    view = softmax_sigmoid.softmax_view((2.0, 1.0, 0.1), 1.0, 37.0)
    assert view.largest_difference < 1e-12
    assert view.probabilities == pytest.approx((0.659, 0.242, 0.099), abs=1e-3)
    for z2 in (-3.0, 0.0, 4.5):
        assert softmax_sigmoid.two_class_curves(z2).largest_difference < 1e-12
