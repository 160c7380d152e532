"""What the parameters-versus-hyperparameters page shows: every quantity of one configuration sorted into learned
parameters, hyperparameters and running statistics, and a grid search of two hyperparameters on validation data.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import data as D
from core import nets
from core.errors import check_choice, check_integer
from core.training import TrainConfig, train_many

# parameters vs hyperparameters: the grid search
GRID_LRS = (0.001, 0.01, 0.1, 1.0)
GRID_WIDTHS = (2, 4, 8, 16)
GRID_BATCH_SIZES = (32, 64, 0)   # 0 = full batch
GRID_EPOCHS = (10, 25, 50)
GRID_INITS = ("default", "xavier", "he")
GRID_DATASET = "spiral"
GRID_SAMPLES = 200
MAX_GRID_DEPTH = 3


# --- parameters vs hyperparameters ------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ParameterTable:
    """Per layer (hidden 1 … L, then output): weights, biases, norm_scales (γ and β) — the learned parameters — and
    running (BatchNorm's running mean and variance: updated by averaging, not by gradients, so not parameters).
    total = Σ p.numel() over ``model.parameters()``; counts = ``nets.count_parameters`` of the same model."""
    layers: tuple
    weights: np.ndarray
    biases: np.ndarray
    norm_scales: np.ndarray
    running: np.ndarray
    total: int
    counts: dict


def parameter_table(depth=2, width=8, norm="none", in_features=2, out_features=2):
    """Build the MLP of the live config (``depth`` hidden layers of ``width``) and sort its numbers layer by layer."""
    depth = check_integer("depth", depth, 0, MAX_GRID_DEPTH)
    width = check_integer("width", width, 1, 256)
    norm = check_choice("norm", norm, nets.NORMS)
    model = nets.build_mlp(in_features, (width,) * depth, out_features, norm=norm, seed=0)
    names, weights, biases, scales, running = [], [], [], [], []
    blocks = list(model.hidden_blocks) + [None]
    for index, block in enumerate(blocks):
        linear = block.linear if block is not None else model.output
        names.append(f"hidden{index + 1}" if block is not None else "output")
        weights.append(linear.weight.numel())
        biases.append(linear.bias.numel() if linear.bias is not None else 0)
        norm_module = getattr(block, "norm", None)
        scales.append(sum(p.numel() for p in norm_module.parameters()) if norm_module is not None else 0)
        buffers = [b for name, b in norm_module.named_buffers() if name in ("running_mean", "running_var")] \
            if norm_module is not None else []
        running.append(sum(b.numel() for b in buffers))
    # total = Σ p.numel()
    total = sum(p.numel() for p in model.parameters())
    return ParameterTable(tuple(names), np.array(weights), np.array(biases), np.array(scales), np.array(running),
                          int(total), nets.count_parameters(model))


@dataclass(frozen=True, eq=False)
class GridSearchView:
    """Val and train accuracy (and loss) of every (width, lr) cell, [i_width, i_lr]; the best cell by validation
    accuracy (ties: lower validation loss) and, for contrast, by training accuracy. With batch norm, running_mean /
    running_var [i_width][i_lr] hold the last hidden layer's running statistics after training."""
    widths: tuple
    lrs: tuple
    val_acc: np.ndarray
    train_acc: np.ndarray
    val_loss: np.ndarray
    train_loss: np.ndarray
    best: tuple
    best_by_train: tuple
    running_mean: tuple
    running_var: tuple
    n_train: int
    n_val: int

    def rank(self, i, j):
        """1 + the number of cells with a strictly higher validation accuracy than cell (i, j)."""
        # rank = 1 + #{cells with acc > acc_ij}
        return 1 + int((self.val_acc > self.val_acc[i, j]).sum())


def pick_best(acc, loss):
    """The cell (i, j) with the highest accuracy; among equal accuracies, the lowest loss (NaN loss counts as ∞)."""
    acc = np.nan_to_num(np.asarray(acc, dtype=np.float64), nan=-1.0)
    loss = np.nan_to_num(np.asarray(loss, dtype=np.float64), nan=np.inf, posinf=np.inf)
    # argmax over acc, then argmin over loss (lexicographic)
    order = np.lexsort((loss.ravel(), -acc.ravel()))
    return tuple(int(v) for v in np.unravel_index(order[0], acc.shape))


def grid_config(width, lr, depth, norm, batch_size, epochs, init):
    """The ``TrainConfig`` of one grid cell: spiral, ``GRID_SAMPLES`` points, Adam, tanh."""
    return TrainConfig(dataset=GRID_DATASET, n_samples=GRID_SAMPLES, hidden=(width,) * depth, activation="tanh",
                       norm=norm, optimizer="adam", lr=lr, batch_size=batch_size, epochs=epochs, init=init, seed=0)


def grid_search_view(depth=2, norm="none", batch_size=32, epochs=50, init="default"):
    """Train every (width, lr) of ``GRID_WIDTHS`` × ``GRID_LRS`` with the other hyperparameters of the live config
    (``train_many``: the four learning rates of one width advance together) and pick the cell with the best
    validation accuracy. Gradients never touch lr or width: they are chosen by comparing finished runs."""
    depth = check_integer("depth", depth, 1, MAX_GRID_DEPTH)
    norm = check_choice("norm", norm, nets.NORMS)
    batch_size = check_choice("batch_size", batch_size, GRID_BATCH_SIZES)
    epochs = check_choice("epochs", epochs, GRID_EPOCHS)
    init = check_choice("init", init, GRID_INITS)
    configs = [grid_config(w, lr, depth, norm, batch_size, epochs, init) for w in GRID_WIDTHS for lr in GRID_LRS]
    histories = train_many(configs)
    shape = (len(GRID_WIDTHS), len(GRID_LRS))

    def final(name):
        return np.array([getattr(h, name)[-1] for h in histories], dtype=np.float64).reshape(shape)

    val_acc, train_acc, val_loss, train_loss = final("val_acc"), final("train_acc"), final("val_loss"), \
        final("train_loss")
    means, variances = [], []
    for i in range(shape[0]):
        row_m, row_v = [], []
        for j in range(shape[1]):
            block = histories[i * shape[1] + j].model.hidden_blocks[-1]
            if norm == "batch":
                row_m.append(block.norm.running_mean.detach().numpy().copy())
                row_v.append(block.norm.running_var.detach().numpy().copy())
            else:
                row_m.append(np.zeros(0, np.float32))
                row_v.append(np.zeros(0, np.float32))
        means.append(tuple(row_m))
        variances.append(tuple(row_v))
    n_val = D.n_val_samples(GRID_SAMPLES, configs[0].val_fraction)
    return GridSearchView(GRID_WIDTHS, GRID_LRS, val_acc, train_acc, val_loss, train_loss,
                          pick_best(val_acc, val_loss), pick_best(train_acc, train_loss), tuple(means),
                          tuple(variances), GRID_SAMPLES - n_val, n_val)
