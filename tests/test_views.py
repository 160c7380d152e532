"""What every view promises: limits enforced in core (a coded error, never a crash), and results made of plain
numbers and arrays only (never a model), so a page can cache them; the helpers the views share."""
import pickle

import numpy as np
import pytest

from core import nets
from core.views import _shared as shared
from core.views import (
    convergence,
    deep_vs_shallow,
    end_to_end,
    hidden_layers,
    initialization,
    parameters_vs_hyperparameters,
    train_vs_val,
    vanishing_exploding,
)
from tests.plain import assert_plain, is_plain


# --- hidden layers, maps, sawtooth ------------------------------------------------------------------------------------
def test_scale_maps_is_min_max_per_unit_and_flags_dead_units():
    a = np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 4.0], [2.0, 1.0, 6.0]])
    maps = shared.scale_maps(a)
    assert maps.maps.shape == (3, 3)
    assert np.allclose(maps.maps[0], [0, 0.5, 1]) and np.allclose(maps.maps[2], [0, 0.5, 1])
    assert list(maps.dead) == [False, True, False] and maps.n_dead == 1
    assert np.allclose(maps.maps[1], 0)



# --- limits and plain data --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda: hidden_layers.hidden_layers_view("blobs"),
    lambda: hidden_layers.hidden_layers_view(depth=0),
    lambda: hidden_layers.hidden_layers_view(width=shared.MAX_VIEW_WIDTH + 1),
    lambda: hidden_layers.hidden_layers_view(seed=-1),
    lambda: hidden_layers.hidden_layers_view(activation="swish"),
    lambda: end_to_end.end_to_end_view(features=("x3",)),
    lambda: end_to_end.end_to_end_view(features="x1sq"),
    lambda: deep_vs_shallow.deep_vs_shallow_view(depth=9),
    lambda: deep_vs_shallow.deep_vs_shallow_view(task="mnist"),
    lambda: parameters_vs_hyperparameters.grid_search_view(epochs=10_000),
    lambda: parameters_vs_hyperparameters.grid_search_view(batch_size=True),
    lambda: parameters_vs_hyperparameters.parameter_table(depth=4),
])
def test_limits_are_enforced_in_core(call):
    with pytest.raises(ValueError):
        call()



def test_results_hold_plain_arrays_only():
    assert is_plain(hidden_layers.hidden_layers_view(depth=1, width=2))
    assert is_plain(parameters_vs_hyperparameters.parameter_table(2, 4, "batch"))
    assert is_plain(end_to_end.end_to_end_view(depth=1, width=2))
    assert not is_plain((np.zeros(2), nets.build_mlp(2, (2,), 2)))  # the check does catch a model









def test_deep_results_hold_plain_arrays_only(explosion, race):
    for result in (explosion, race):
        assert_plain(result)
        assert len(pickle.dumps(result)) < 200_000



# --- limits are enforced in core --------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda: initialization.init_view("tanh", "xavier", 51, 64),
    lambda: initialization.init_view("tanh", "xavier", 10, 257),
    lambda: initialization.init_view("softplus", "xavier", 10, 64),
    lambda: initialization.init_race("tanh", 11, 60),
    lambda: initialization.init_race("tanh", 5, 151),
    lambda: vanishing_exploding.gradient_profile("sigmoid", "bogus", 20),
    lambda: vanishing_exploding.gradient_map("relu", "he", 17),
    lambda: vanishing_exploding.gradient_map("relu", "he", 8, epochs=0),
    lambda: vanishing_exploding.gradient_vs_depth("he", norm="layer"),
])
def test_settings_beyond_the_caps_are_refused(call):
    with pytest.raises(ValueError):
        call()



def test_wobble_is_the_median_window_change():
    curve = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 8.0, 6.0, 7.0])
    # second half: t = 4 … 7 with w = 2 → |4−2|, |8−5|, |6−4|, |7−8| = 2, 3, 2, 1
    assert shared.wobble(curve, 2) == 2.0



def test_unknown_names_are_refused():
    with pytest.raises(ValueError):
        train_vs_val.preset_config("lucky")
    with pytest.raises(ValueError):
        convergence.convergence_config(7)
