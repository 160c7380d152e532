"""The parameters-vs-hyperparameters page's claims, checked: parameter counts against torch's numel, running
statistics as buffers, and the grid search's choice of its best cell."""
import numpy as np
import pytest

from core import nets
from core.training import Trainer
from core.views import parameters_vs_hyperparameters


# --- parameter counts -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
@pytest.mark.parametrize("depth,width", [(1, 2), (2, 8), (3, 16)])
def test_parameter_counts_equal_the_sum_of_numel(depth, width, norm):
    table = parameters_vs_hyperparameters.parameter_table(depth, width, norm)
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
    table = parameters_vs_hyperparameters.parameter_table(2, 8, "batch")
    model = nets.build_mlp(2, (8, 8), 2, norm="batch")
    buffers = {name: b for name, b in model.named_buffers() if "running_" in name}
    assert int(table.running.sum()) == sum(b.numel() for b in buffers.values()) == 2 * 2 * 8
    assert not any(b.requires_grad for b in buffers.values())
    parameter_ids = {id(p) for p in model.parameters()}
    assert not any(id(b) in parameter_ids for b in buffers.values())
    assert int(parameters_vs_hyperparameters.parameter_table(2, 8, "layer").running.sum()) == 0



# --- grid search ------------------------------------------------------------------------------------------------------
def test_pick_best_takes_the_highest_accuracy_then_the_lowest_loss():
    acc = np.array([[0.5, 0.9], [0.9, 0.7]])
    loss = np.array([[0.1, 0.4], [0.3, np.nan]])
    assert parameters_vs_hyperparameters.pick_best(acc, loss) == (1, 0)
    assert parameters_vs_hyperparameters.pick_best(np.array([[np.nan, 0.2]]), np.array([[0.1, 0.5]])) == (0, 1)



def test_grid_search_picks_its_best_cell_by_validation_accuracy():
    grid = parameters_vs_hyperparameters.grid_search_view(depth=1, norm="none", batch_size=0, epochs=25, init="default")
    view = parameters_vs_hyperparameters
    assert grid.val_acc.shape == (len(view.GRID_WIDTHS), len(view.GRID_LRS))
    i, j = grid.best
    assert grid.val_acc[i, j] == grid.val_acc.max()
    ties = np.argwhere(grid.val_acc == grid.val_acc.max())
    assert grid.val_loss[i, j] == min(grid.val_loss[a, b] for a, b in ties)
    ti, tj = grid.best_by_train
    assert grid.train_acc[ti, tj] == grid.train_acc.max()
    assert grid.rank(i, j) == 1
    assert grid.n_train + grid.n_val == parameters_vs_hyperparameters.GRID_SAMPLES



def test_grid_cells_are_the_runs_of_their_configs():
    """Cell (width, lr) holds what training that config alone gives (train_many stacks the four lrs of a width)."""
    grid = parameters_vs_hyperparameters.grid_search_view(depth=1, norm="batch", batch_size=64, epochs=25, init="he")
    i, j = 1, 2
    view = parameters_vs_hyperparameters
    trainer = Trainer(view.grid_config(view.GRID_WIDTHS[i], view.GRID_LRS[j], 1, "batch", 64, 25, "he"))
    history = trainer.step(25)
    assert grid.val_acc[i, j] == pytest.approx(history.val_acc[-1], abs=1e-6)
    block = trainer.model.hidden_blocks[-1].norm
    assert np.allclose(grid.running_mean[i][j], block.running_mean.numpy(), atol=1e-4)
    assert np.allclose(grid.running_var[i][j], block.running_var.numpy(), atol=1e-4)
