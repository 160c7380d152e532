"""Every claim the vanishing/exploding-gradients page makes, checked on the experiments it draws."""
import math

import numpy as np
import pytest

from core.views import vanishing_exploding


# --- vanishing / exploding page --------------------------------------------------------------------------------------
@pytest.mark.parametrize("init", ["default", "xavier", "he"])
def test_20_sigmoid_layers_first_gradient_is_at_least_100x_smaller_than_the_last(init):
    profile = vanishing_exploding.gradient_profile("sigmoid", init, 20)
    assert profile.weight_grad[0] * 100 <= profile.weight_grad[-2]
    assert profile.ratio <= 1e-2



def test_relu_with_he_does_not_vanish_at_any_depth():
    assert vanishing_exploding.gradient_profile("relu", "he", 20).ratio > 1e-2
    curve = vanishing_exploding.gradient_vs_depth("he")
    relu = curve.ratio[curve.activations.index("relu")]
    assert (relu > 0.1).all() and (relu < 10).all(), relu



def test_the_slope_product_obeys_the_quarter_bound():
    profile = vanishing_exploding.gradient_profile("sigmoid", "default", 20)
    assert (profile.slope <= 0.25 + 1e-7).all()
    assert (profile.slope_product <= profile.bound * (1 + 1e-6)).all()
    assert profile.bound[0] == pytest.approx(0.25 ** 20)



def test_tanh_with_standard_normal_explodes_towards_the_input():
    assert vanishing_exploding.gradient_profile("tanh", "normal_1", 20).ratio > 100



def test_batch_norm_keeps_sigmoid_within_a_small_factor_but_not_plain_relu():
    curve = vanishing_exploding.gradient_vs_depth("default", norm="batch")
    sigmoid = curve.ratio[curve.activations.index("sigmoid")]
    relu = curve.ratio[curve.activations.index("relu")]
    assert (sigmoid > 0.1).all() and (sigmoid < 10).all(), sigmoid
    assert relu[-1] > 1e3, "a deep plain batch-norm ReLU net's gradient grows towards the input"



def test_batch_norm_plus_residual_keeps_every_activation_within_a_small_factor():
    for init in ("default", "he"):
        curve = vanishing_exploding.gradient_vs_depth(init, norm="batch", residual=True)
        assert (curve.ratio > 0.1).all() and (curve.ratio < 20).all(), (init, curve.ratio)



def test_clipping_rescues_an_exploding_run_but_not_a_vanishing_one():
    wild = vanishing_exploding.gradient_map("relu", "normal_1", 8, clip=False, epochs=20)
    tamed = vanishing_exploding.gradient_map("relu", "normal_1", 8, clip=True, epochs=20)
    assert wild.diverged > 0
    assert tamed.diverged == 0 and np.isfinite(tamed.train_loss).all()
    for clip in (False, True):
        stuck = vanishing_exploding.gradient_map("sigmoid", "default", 8, clip=clip, epochs=30)
        assert abs(stuck.train_loss[-1] - math.log(2)) < 0.02, "the loss stays near ln 2"
        first, output = stuck.grad_norms[:, 0], stuck.grad_norms[:, -1]
        assert (first * 100 < output).all(), "the first layer's gradient stays tiny in every epoch"



def test_relu_with_he_learns_in_the_training_map():
    run = vanishing_exploding.gradient_map("relu", "he", 8, epochs=50)
    assert run.diverged == 0 and run.train_acc > 0.9
