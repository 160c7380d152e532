"""Every claim the initialization page makes, checked on the experiments it draws."""
import math

import numpy as np
import pytest

from core import layer_stats as S
from core.views import _shared as shared
from core.views import initialization


# --- initialization page ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("width", [64, 128])
def test_xavier_with_tanh_gain_keeps_every_layer_within_a_factor_2_of_the_first(width):
    view = initialization.init_view("tanh", "xavier", 10, width, use_gain=True)
    assert view.gain == pytest.approx(5 / 3)
    relative = view.std / view.std[0]
    assert (relative >= 0.5).all() and (relative <= 2.0).all(), relative



@pytest.mark.parametrize("width", [64, 128])
def test_xavier_with_gain_1_decays_slowly_about_3x_by_layer_10(width):
    view = initialization.init_view("tanh", "xavier", 10, width, use_gain=False)
    assert view.gain == 1.0
    assert 2.0 <= view.std[0] / view.std[9] <= 4.5
    assert (np.diff(view.std) < 0).all(), "the decay is steady, layer after layer"
    # the std-per-layer chart's comparison says the same
    table = initialization.std_by_init("tanh", 10, width, use_gain=True)
    assert table.xavier_decay[False] == pytest.approx(view.decay)
    assert table.xavier_decay[True] < 2.0



@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_standard_normal_saturates_most_units_in_every_layer(activation):
    view = initialization.init_view(activation, "normal_1", 10, 128)
    assert (view.saturated > 0.5).all(), view.saturated



def test_the_question_10_tanh_layers_from_standard_normal_output_values_near_plus_minus_1():
    view = initialization.init_view("tanh", "normal_1", 10, 128)
    last = view.hist_share[-1]
    # the outermost tenth of the range on each side holds most of the values
    assert last[:4].sum() + last[-4:].sum() > 0.75



def test_small_normal_collapses_the_std_by_orders_of_magnitude():
    view = initialization.init_view("tanh", "normal_small", 10, 128)
    assert view.std[-1] / view.std[0] < 1e-6
    assert (np.diff(np.log10(view.std)) < -0.5).all(), "every layer shrinks it by more than 3×"



def test_he_keeps_relu_activations_steady_and_standard_normal_explodes_them():
    he = initialization.init_view("relu", "he", 20, 128)
    assert (he.std / he.std[0] > 0.5).all() and (he.std / he.std[0] < 2).all()
    wild = initialization.init_view("relu", "normal_1", 45, 256)
    assert wild.std[10] / wild.std[0] > 1e10
    assert wild.overflow[-1] and not wild.overflow[0], "√(256/2) ≈ 11 per layer leaves the float32 range"
    assert np.isfinite(wild.std).all(), "what the chart draws stays finite"



def test_zeros_give_one_value_per_layer():
    view = initialization.init_view("tanh", "zeros", 5, 64)
    assert (view.std == 0).all()
    assert math.isnan(view.decay)



@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_constant_init_keeps_the_hidden_units_of_a_layer_identical_after_training(activation):
    demo = initialization.symmetry_demo(activation)
    constant, xavier = demo.inits.index("constant"), demo.inits.index("xavier")
    assert (demo.distinct_before[constant] == 1).all()
    assert (demo.distinct_after[constant] == 1).all(), "every unit is still a copy of the others"
    W = demo.first_weights[constant]
    np.testing.assert_allclose(W, np.broadcast_to(W[0], W.shape), rtol=1e-6, atol=1e-6)
    assert np.ptp(W) > 0, "the weights did move during training"
    assert (demo.distinct_after[xavier] == demo.hidden[0]).all()
    assert demo.val_acc[xavier] > demo.val_acc[constant] + 0.15



def test_the_race_xavier_and_he_learn_zeros_and_constant_stay_on_the_plateau():
    race = initialization.init_race("tanh", 5, 60)
    loss = dict(zip(race.inits, race.final_loss))
    acc = dict(zip(race.inits, race.train_acc))
    assert loss["zeros"] > 0.6 and loss["constant"] > 0.6
    assert acc["zeros"] < 0.7 and acc["constant"] < 0.7
    assert loss["xavier"] < 0.05 and loss["he"] < 0.05
    assert acc["xavier"] > 0.95 and acc["he"] > 0.95
    assert not race.diverged.any()



def test_layer_stats_agree_with_the_page_numbers():
    """The page's per-layer std is ``layer_stats.activation_stats`` on the page's network and inputs."""
    model = shared.deep_mlp(6, 64, "tanh", "xavier")
    X, _ = shared.gaussian_inputs(shared.STATS_SAMPLES, 64)
    np.testing.assert_allclose(S.activation_stats(model, X).std, initialization.init_view("tanh", "xavier", 6, 64).std)
