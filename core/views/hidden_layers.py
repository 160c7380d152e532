"""What the hidden-layers page shows: a small net trained on a 2-D data set, its decision map and every hidden
unit's response map, layer by layer. Frozen dataclasses of numpy arrays, never a torch model; the page caches the
one call.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import nets
from core.errors import check_choice, check_integer
from core.training import Trainer
from core.views._shared import (
    BINARY_DATASETS,
    BOUNDARY_RESOLUTION,
    MAP_ACTIVATIONS,
    MAP_RESOLUTION,
    MAX_SEED,
    MAX_VIEW_DEPTH,
    MAX_VIEW_WIDTH,
    VIEW_TRAINING,  # noqa: F401 (the page states the training settings)
    Plane,
    class_one_probability,
    decision_plane,
    unit_maps,
    view_config,
)

ACTIVATIONS = MAP_ACTIVATIONS  # the activations the page offers


# --- hidden layers ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class HiddenLayersView:
    """One trained net: its units' response maps layer by layer, its decision map and its accuracies."""
    hidden: tuple
    activation: str
    map_plane: Plane
    layers: tuple            # LayerMaps per hidden layer, first layer first
    boundary_plane: Plane
    proba: np.ndarray        # p(class 1) on boundary_plane.points
    train_acc: float
    val_acc: float
    n_params: int


def hidden_layers_view(dataset="circle", depth=2, width=6, activation="tanh", seed=0):
    """Train a net with ``depth`` hidden layers of ``width`` units (1 ≤ depth ≤ 3, 1 ≤ width ≤ 8) on a two-class
    data set and return every hidden unit's response map a_{l,j}(x) = φ(W_l h_{l−1}(x) + b_l)_j over the input
    plane, scaled per unit, plus the net's decision map p(class 1 | x)."""
    dataset = check_choice("dataset", dataset, BINARY_DATASETS)
    depth = check_integer("depth", depth, 1, MAX_VIEW_DEPTH)
    width = check_integer("width", width, 1, MAX_VIEW_WIDTH)
    activation = check_choice("activation", activation, MAP_ACTIVATIONS)
    seed = check_integer("seed", seed, 0, MAX_SEED)
    trainer = Trainer(view_config(dataset, (width,) * depth, activation, seed))
    history = trainer.step(trainer.config.epochs)
    prepared = trainer.prepared
    raw = np.concatenate([prepared.raw_train, prepared.raw_val])
    labels = np.concatenate([prepared.y_train, prepared.y_val])
    map_plane = decision_plane(raw, labels, MAP_RESOLUTION)
    boundary_plane = decision_plane(raw, labels, BOUNDARY_RESOLUTION)
    return HiddenLayersView(
        hidden=tuple(trainer.model.hidden), activation=activation, map_plane=map_plane,
        layers=unit_maps(trainer.model, prepared, map_plane.points), boundary_plane=boundary_plane,
        proba=class_one_probability(trainer.model, prepared, boundary_plane.points),
        train_acc=float(history.train_acc[-1]), val_acc=float(history.val_acc[-1]),
        n_params=nets.count_parameters(trainer.model)["total"])
