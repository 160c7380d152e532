"""Every claim the initialization and vanishing/exploding pages make, checked on the experiments they draw."""
import math

import numpy as np
import pytest

from core import health_experiments as H
from core import layer_stats as S


# --- initialization page ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("width", [64, 128])
def test_xavier_with_tanh_gain_keeps_every_layer_within_a_factor_2_of_the_first(width):
    view = H.init_view("tanh", "xavier", 10, width, use_gain=True)
    assert view.gain == pytest.approx(5 / 3)
    relative = view.std / view.std[0]
    assert (relative >= 0.5).all() and (relative <= 2.0).all(), relative


@pytest.mark.parametrize("width", [64, 128])
def test_xavier_with_gain_1_decays_slowly_about_3x_by_layer_10(width):
    view = H.init_view("tanh", "xavier", 10, width, use_gain=False)
    assert view.gain == 1.0
    assert 2.0 <= view.std[0] / view.std[9] <= 4.5
    assert (np.diff(view.std) < 0).all(), "the decay is steady, layer after layer"
    # the std-per-layer chart's comparison says the same
    table = H.std_by_init("tanh", 10, width, use_gain=True)
    assert table.xavier_decay[False] == pytest.approx(view.decay)
    assert table.xavier_decay[True] < 2.0


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_standard_normal_saturates_most_units_in_every_layer(activation):
    view = H.init_view(activation, "normal_1", 10, 128)
    assert (view.saturated > 0.5).all(), view.saturated


def test_the_question_10_tanh_layers_from_standard_normal_output_values_near_plus_minus_1():
    view = H.init_view("tanh", "normal_1", 10, 128)
    last = view.hist_share[-1]
    # the outermost tenth of the range on each side holds most of the values
    assert last[:4].sum() + last[-4:].sum() > 0.75


def test_small_normal_collapses_the_std_by_orders_of_magnitude():
    view = H.init_view("tanh", "normal_small", 10, 128)
    assert view.std[-1] / view.std[0] < 1e-6
    assert (np.diff(np.log10(view.std)) < -0.5).all(), "every layer shrinks it by more than 3×"


def test_he_keeps_relu_activations_steady_and_standard_normal_explodes_them():
    he = H.init_view("relu", "he", 20, 128)
    assert (he.std / he.std[0] > 0.5).all() and (he.std / he.std[0] < 2).all()
    wild = H.init_view("relu", "normal_1", 45, 256)
    assert wild.std[10] / wild.std[0] > 1e10
    assert wild.overflow[-1] and not wild.overflow[0], "√(256/2) ≈ 11 per layer leaves the float32 range"
    assert np.isfinite(wild.std).all(), "what the chart draws stays finite"


def test_zeros_give_one_value_per_layer():
    view = H.init_view("tanh", "zeros", 5, 64)
    assert (view.std == 0).all()
    assert math.isnan(view.decay)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_constant_init_keeps_the_hidden_units_of_a_layer_identical_after_training(activation):
    demo = H.symmetry_demo(activation)
    constant, xavier = demo.inits.index("constant"), demo.inits.index("xavier")
    assert (demo.distinct_before[constant] == 1).all()
    assert (demo.distinct_after[constant] == 1).all(), "every unit is still a copy of the others"
    W = demo.first_weights[constant]
    np.testing.assert_allclose(W, np.broadcast_to(W[0], W.shape), rtol=1e-6, atol=1e-6)
    assert np.ptp(W) > 0, "the weights did move during training"
    assert (demo.distinct_after[xavier] == demo.hidden[0]).all()
    assert demo.val_acc[xavier] > demo.val_acc[constant] + 0.15


def test_the_race_xavier_and_he_learn_zeros_and_constant_stay_on_the_plateau():
    race = H.init_race("tanh", 5, 60)
    loss = dict(zip(race.inits, race.final_loss))
    acc = dict(zip(race.inits, race.train_acc))
    assert loss["zeros"] > 0.6 and loss["constant"] > 0.6
    assert acc["zeros"] < 0.7 and acc["constant"] < 0.7
    assert loss["xavier"] < 0.05 and loss["he"] < 0.05
    assert acc["xavier"] > 0.95 and acc["he"] > 0.95
    assert not race.diverged.any()


# --- vanishing / exploding page --------------------------------------------------------------------------------------
@pytest.mark.parametrize("init", ["default", "xavier", "he"])
def test_20_sigmoid_layers_first_gradient_is_at_least_100x_smaller_than_the_last(init):
    profile = H.gradient_profile("sigmoid", init, 20)
    assert profile.weight_grad[0] * 100 <= profile.weight_grad[-2]
    assert profile.ratio <= 1e-2


def test_relu_with_he_does_not_vanish_at_any_depth():
    assert H.gradient_profile("relu", "he", 20).ratio > 1e-2
    curve = H.gradient_vs_depth("he")
    relu = curve.ratio[curve.activations.index("relu")]
    assert (relu > 0.1).all() and (relu < 10).all(), relu


def test_the_slope_product_obeys_the_quarter_bound():
    profile = H.gradient_profile("sigmoid", "default", 20)
    assert (profile.slope <= 0.25 + 1e-7).all()
    assert (profile.slope_product <= profile.bound * (1 + 1e-6)).all()
    assert profile.bound[0] == pytest.approx(0.25 ** 20)


def test_tanh_with_standard_normal_explodes_towards_the_input():
    assert H.gradient_profile("tanh", "normal_1", 20).ratio > 100


def test_batch_norm_keeps_sigmoid_within_a_small_factor_but_not_plain_relu():
    curve = H.gradient_vs_depth("default", norm="batch")
    sigmoid = curve.ratio[curve.activations.index("sigmoid")]
    relu = curve.ratio[curve.activations.index("relu")]
    assert (sigmoid > 0.1).all() and (sigmoid < 10).all(), sigmoid
    assert relu[-1] > 1e3, "a deep plain batch-norm ReLU net's gradient grows towards the input"


def test_batch_norm_plus_residual_keeps_every_activation_within_a_small_factor():
    for init in ("default", "he"):
        curve = H.gradient_vs_depth(init, norm="batch", residual=True)
        assert (curve.ratio > 0.1).all() and (curve.ratio < 20).all(), (init, curve.ratio)


def test_clipping_rescues_an_exploding_run_but_not_a_vanishing_one():
    wild = H.gradient_map("relu", "normal_1", 8, clip=False, epochs=20)
    tamed = H.gradient_map("relu", "normal_1", 8, clip=True, epochs=20)
    assert wild.diverged > 0
    assert tamed.diverged == 0 and np.isfinite(tamed.train_loss).all()
    for clip in (False, True):
        stuck = H.gradient_map("sigmoid", "default", 8, clip=clip, epochs=30)
        assert abs(stuck.train_loss[-1] - math.log(2)) < 0.02, "the loss stays near ln 2"
        first, output = stuck.grad_norms[:, 0], stuck.grad_norms[:, -1]
        assert (first * 100 < output).all(), "the first layer's gradient stays tiny in every epoch"


def test_relu_with_he_learns_in_the_training_map():
    run = H.gradient_map("relu", "he", 8, epochs=50)
    assert run.diverged == 0 and run.train_acc > 0.9


# --- limits are enforced in core --------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda: H.init_view("tanh", "xavier", 51, 64),
    lambda: H.init_view("tanh", "xavier", 10, 257),
    lambda: H.init_view("softplus", "xavier", 10, 64),
    lambda: H.init_race("tanh", 11, 60),
    lambda: H.init_race("tanh", 5, 151),
    lambda: H.gradient_profile("sigmoid", "bogus", 20),
    lambda: H.gradient_map("relu", "he", 17),
    lambda: H.gradient_map("relu", "he", 8, epochs=0),
    lambda: H.gradient_vs_depth("he", norm="layer"),
])
def test_settings_beyond_the_caps_are_refused(call):
    with pytest.raises(ValueError):
        call()


def test_layer_stats_agree_with_the_page_numbers():
    """The page's per-layer std is ``layer_stats.activation_stats`` on the page's network and inputs."""
    model = H.deep_mlp(6, 64, "tanh", "xavier")
    X, _ = H.gaussian_inputs(H.STATS_SAMPLES, 64)
    np.testing.assert_allclose(S.activation_stats(model, X).std, H.init_view("tanh", "xavier", 6, 64).std)
