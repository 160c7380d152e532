"""The claims the concept pages make, checked: parameter counts, equal budgets, learned against hand-made features,
the grid search's choice, the sawtooth's composition, and that every cached result is plain data."""
import dataclasses

import numpy as np
import pytest
import torch

from core import concept_experiments as C
from core import nets
from core.training import Trainer


# --- parameter counts -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
@pytest.mark.parametrize("depth,width", [(1, 2), (2, 8), (3, 16)])
def test_parameter_counts_equal_the_sum_of_numel(depth, width, norm):
    table = C.parameter_table(depth, width, norm)
    model = nets.build_mlp(2, (width,) * depth, 2, norm=norm)
    numel = sum(p.numel() for p in model.parameters())
    assert table.total == numel == table.counts["total"]
    assert int((table.weights + table.biases + table.norm_scales).sum()) == numel
    assert table.total == nets.mlp_param_count(2, (width,) * depth, 2, norm)
    assert int(table.weights.sum()) == table.counts["weights"]
    assert int(table.biases.sum()) == table.counts["biases"]
    assert int(table.norm_scales.sum()) == table.counts["norm_scales"]
    assert len(table.layers) == depth + 1


def test_running_statistics_are_buffers_not_parameters():
    table = C.parameter_table(2, 8, "batch")
    model = nets.build_mlp(2, (8, 8), 2, norm="batch")
    buffers = {name: b for name, b in model.named_buffers() if "running_" in name}
    assert int(table.running.sum()) == sum(b.numel() for b in buffers.values()) == 2 * 2 * 8
    assert not any(b.requires_grad for b in buffers.values())
    parameter_ids = {id(p) for p in model.parameters()}
    assert not any(id(b) in parameter_ids for b in buffers.values())
    assert int(C.parameter_table(2, 8, "layer").running.sum()) == 0


# --- deep vs shallow: equal budgets -----------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", C.DEEP_DEPTHS)
@pytest.mark.parametrize("budget", C.BUDGETS)
def test_deep_and_shallow_budgets_agree_within_five_percent(budget, depth):
    pair = C.budget_pair(budget, depth)
    deep = nets.build_mlp(2, (pair.deep_width,) * depth, 2)
    shallow = nets.build_mlp(2, (pair.shallow_width,), 2)
    p_deep = sum(p.numel() for p in deep.parameters())
    p_shallow = sum(p.numel() for p in shallow.parameters())
    assert (p_deep, p_shallow) == (pair.deep_params, pair.shallow_params)
    assert abs(p_shallow - p_deep) / p_deep <= 0.05
    assert p_deep <= budget
    assert pair.deep_width == nets.param_budget_mlp(2, 2, depth, budget)


def test_shallow_width_is_the_nearest_count():
    for target in (50, 87, 272, 942, 2999):
        w = C.shallow_width_for(target)
        best = min(range(1, 1000), key=lambda v: abs(nets.mlp_param_count(2, (v,), 2) - target))
        assert abs(nets.mlp_param_count(2, (w,), 2) - target) == abs(nets.mlp_param_count(2, (best,), 2) - target)


def test_verdict_uses_the_tie_margin():
    assert C.verdict(0.80, 0.90) == "deep"
    assert C.verdict(0.90, 0.80) == "shallow"
    assert C.verdict(0.90, 0.90 + C.TIE_MARGIN / 2) == "tie"


# --- end to end -------------------------------------------------------------------------------------------------------
def test_learned_features_beat_raw_linear_and_hand_made_features_also_do_well():
    view = C.end_to_end_view("circle", ("x1sq", "x2sq"), depth=2, width=8, seed=0)
    raw, hand, net = (view.model(name) for name in C.END_TO_END_MODELS)
    assert raw.hidden == hand.hidden == () and net.hidden == (8, 8)
    assert hand.inputs == ("x1", "x2", "x1sq", "x2sq") and net.inputs == ("x1", "x2")
    assert raw.val_acc < 0.75, "a straight line cannot separate a disc from a ring"
    assert net.val_acc >= 0.9 and net.val_acc > raw.val_acc + 0.2
    assert hand.val_acc >= 0.9, "x₁² + x₂² makes the circle linearly separable"
    assert view.learned.maps.shape == (8, C.MAP_RESOLUTION ** 2)


def test_xor_needs_the_product_feature():
    view = C.end_to_end_view("xor", ("x1x2",), depth=2, width=8, seed=0)
    assert view.model("raw_linear").val_acc < 0.75
    assert view.model("features_linear").val_acc >= 0.9


# --- grid search ------------------------------------------------------------------------------------------------------
def test_pick_best_takes_the_highest_accuracy_then_the_lowest_loss():
    acc = np.array([[0.5, 0.9], [0.9, 0.7]])
    loss = np.array([[0.1, 0.4], [0.3, np.nan]])
    assert C.pick_best(acc, loss) == (1, 0)
    assert C.pick_best(np.array([[np.nan, 0.2]]), np.array([[0.1, 0.5]])) == (0, 1)


def test_grid_search_picks_its_best_cell_by_validation_accuracy():
    grid = C.grid_search_view(depth=1, norm="none", batch_size=0, epochs=25, init="default")
    assert grid.val_acc.shape == (len(C.GRID_WIDTHS), len(C.GRID_LRS))
    i, j = grid.best
    assert grid.val_acc[i, j] == grid.val_acc.max()
    ties = np.argwhere(grid.val_acc == grid.val_acc.max())
    assert grid.val_loss[i, j] == min(grid.val_loss[a, b] for a, b in ties)
    ti, tj = grid.best_by_train
    assert grid.train_acc[ti, tj] == grid.train_acc.max()
    assert grid.rank(i, j) == 1
    assert grid.n_train + grid.n_val == C.GRID_SAMPLES


def test_grid_cells_are_the_runs_of_their_configs():
    """Cell (width, lr) holds what training that config alone gives (train_many stacks the four lrs of a width)."""
    grid = C.grid_search_view(depth=1, norm="batch", batch_size=64, epochs=25, init="he")
    i, j = 1, 2
    trainer = Trainer(C.grid_config(C.GRID_WIDTHS[i], C.GRID_LRS[j], 1, "batch", 64, 25, "he"))
    history = trainer.step(25)
    assert grid.val_acc[i, j] == pytest.approx(history.val_acc[-1], abs=1e-6)
    block = trainer.model.hidden_blocks[-1].norm
    assert np.allclose(grid.running_mean[i][j], block.running_mean.numpy(), atol=1e-4)
    assert np.allclose(grid.running_var[i][j], block.running_var.numpy(), atol=1e-4)


# --- hidden layers, maps, sawtooth ------------------------------------------------------------------------------------
def test_scale_maps_is_min_max_per_unit_and_flags_dead_units():
    a = np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 4.0], [2.0, 1.0, 6.0]])
    maps = C.scale_maps(a)
    assert maps.maps.shape == (3, 3)
    assert np.allclose(maps.maps[0], [0, 0.5, 1]) and np.allclose(maps.maps[2], [0, 0.5, 1])
    assert list(maps.dead) == [False, True, False] and maps.n_dead == 1
    assert np.allclose(maps.maps[1], 0)


def test_first_layer_units_are_constant_along_lines():
    """A first-layer unit is φ(w·z + b): its response is a function of one projection of the input."""
    view = C.hidden_layers_view("circle", depth=2, width=4, activation="tanh", seed=0)
    assert len(view.layers) == 2 and all(layer.maps.shape == (4, C.MAP_RESOLUTION ** 2) for layer in view.layers)
    trainer = Trainer(C.view_config("circle", (4, 4), "tanh", 0))
    trainer.step(trainer.config.epochs)
    points = view.map_plane.points
    z = torch.from_numpy(trainer.prepared.transform(points))
    linear = trainer.model.hidden_blocks[0].linear
    with torch.no_grad():
        expected = torch.tanh(linear(z)).numpy()
    assert np.allclose(C.scale_maps(expected).maps, view.layers[0].maps, atol=1e-4)
    assert view.train_acc >= 0.9


def test_sawtooth_is_the_composed_tent_map():
    u = np.linspace(0, 1, 2001)
    relu = lambda v: np.maximum(v, 0)  # noqa: E731
    assert np.allclose(C.tent(u), 2 * relu(u) - 4 * relu(u - 0.5))
    x1 = np.linspace(-1, 1, 4001)
    for k in (1, 2, 3):
        s = C.sawtooth_curve(x1, compositions=k, amplitude=1.0)
        peaks = np.sum((s[1:-1] > s[:-2]) & (s[1:-1] >= s[2:]))
        assert peaks == 2 ** (k - 1)
    X, y = C.sawtooth_data(400, seed=0)
    assert X.shape == (400, 2) and set(np.unique(y)) == {0, 1}
    assert np.array_equal(y, (X[:, 1] / 5 > C.sawtooth_curve(X[:, 0] / 5)).astype(np.int64))


# --- limits and plain data --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda: C.hidden_layers_view("blobs"),
    lambda: C.hidden_layers_view(depth=0),
    lambda: C.hidden_layers_view(width=C.MAX_VIEW_WIDTH + 1),
    lambda: C.hidden_layers_view(seed=-1),
    lambda: C.hidden_layers_view(activation="swish"),
    lambda: C.end_to_end_view(features=("x3",)),
    lambda: C.end_to_end_view(features="x1sq"),
    lambda: C.deep_vs_shallow_view(depth=9),
    lambda: C.deep_vs_shallow_view(task="mnist"),
    lambda: C.grid_search_view(epochs=10_000),
    lambda: C.grid_search_view(batch_size=True),
    lambda: C.parameter_table(depth=4),
])
def test_limits_are_enforced_in_core(call):
    with pytest.raises(ValueError):
        call()


def _plain(value):
    if isinstance(value, (torch.Tensor, torch.nn.Module)):
        return False
    if dataclasses.is_dataclass(value):
        return all(_plain(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, (tuple, list)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    return isinstance(value, (np.ndarray, np.generic, int, float, str, bool, type(None)))


def test_results_hold_plain_arrays_only():
    assert _plain(C.hidden_layers_view(depth=1, width=2))
    assert _plain(C.parameter_table(2, 4, "batch"))
    assert _plain(C.end_to_end_view(depth=1, width=2))
    assert not _plain((np.zeros(2), nets.build_mlp(2, (2,), 2)))  # the check does catch a model


def test_the_sweep_trains_every_budget_and_seed():
    view = C.deep_vs_shallow_view("sawtooth", depth=2, activation="relu")
    k, s = len(C.BUDGETS), len(C.SWEEP_SEEDS)
    assert view.shallow_acc.shape == view.deep_acc.shape == (k, s)
    assert view.proba.shape == (k, 2, C.BOUNDARY_RESOLUTION ** 2)
    assert all(pair.mismatch <= 0.05 for pair in view.pairs)
    assert len(view.winner) == k and set(view.winner) <= {"deep", "shallow", "tie"}
    assert (view.shallow_mean >= 0.6).all() and (view.deep_mean >= 0.5).all()
    assert _plain(view)
