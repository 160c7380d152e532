"""What the end-to-end page shows: the same data set learned by a linear model on the raw inputs, a linear model on
hand-made features, and a small net on the raw inputs (which makes its own features), with their decision maps.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import data as D
from core import nets
from core.errors import InputError, check_choice, check_integer
from core.training import Trainer
from core.views._shared import (
    BINARY_DATASETS,
    BOUNDARY_RESOLUTION,
    MAP_RESOLUTION,
    MAX_SEED,
    MAX_VIEW_DEPTH,
    MAX_VIEW_WIDTH,
    VIEW_TRAINING,  # noqa: F401 (the page states the training settings)
    LayerMaps,
    Plane,
    class_one_probability,
    decision_plane,
    unit_maps,
    view_config,
)

# --- end to end -------------------------------------------------------------------------------------------------------
END_TO_END_MODELS = ("raw_linear", "features_linear", "net")


@dataclass(frozen=True, eq=False)
class ModelResult:
    """One model of the end-to-end comparison: its inputs, size, accuracies and decision map."""
    name: str
    inputs: tuple            # input columns: "x1", "x2" and hand-made feature names
    hidden: tuple
    n_params: int
    train_acc: float
    val_acc: float
    proba: np.ndarray


@dataclass(frozen=True, eq=False)
class EndToEndView:
    """Three models on one data set: a linear model on (x₁, x₂), a linear model on (x₁, x₂) + hand-made features,
    and a net with hidden layers on (x₁, x₂) alone; plus the net's last hidden layer's response maps."""
    models: tuple            # ModelResult for END_TO_END_MODELS, in that order
    boundary_plane: Plane
    map_plane: Plane
    learned: LayerMaps       # the net's last hidden layer

    def model(self, name):
        return self.models[END_TO_END_MODELS.index(name)]


def end_to_end_view(dataset="circle", features=("x1sq", "x2sq"), depth=2, width=8, seed=0):
    """Linear softmax regression z = W f(x) + b on the raw inputs f(x) = (x₁, x₂), the same on hand-made features
    f(x) = (x₁, x₂, x₁², …), and an MLP with ``depth`` hidden layers of ``width`` units on (x₁, x₂) that learns its
    own features by backpropagation. Same data, split and recipe (``VIEW_TRAINING``) for all three."""
    dataset = check_choice("dataset", dataset, BINARY_DATASETS)
    if isinstance(features, str) or not isinstance(features, (tuple, list)):
        raise InputError("bad_features", f"features must be a tuple of names, got {features!r}"[:120])
    for name in features:
        check_choice("feature", name, tuple(D.FEATURES))
    features = tuple(f for f in D.FEATURES if f in features)
    depth = check_integer("depth", depth, 1, MAX_VIEW_DEPTH)
    width = check_integer("width", width, 1, MAX_VIEW_WIDTH)
    seed = check_integer("seed", seed, 0, MAX_SEED)
    specs = {"raw_linear": ((), ()), "features_linear": ((), features), "net": ((width,) * depth, ())}
    results, trainers = [], {}
    plane = None
    for name in END_TO_END_MODELS:
        hidden, feats = specs[name]
        trainer = Trainer(view_config(dataset, hidden, "tanh", seed, feats))
        history = trainer.step(trainer.config.epochs)
        trainers[name] = trainer
        if plane is None:
            p = trainer.prepared
            raw = np.concatenate([p.raw_train, p.raw_val])
            labels = np.concatenate([p.y_train, p.y_val])
            plane = decision_plane(raw, labels, BOUNDARY_RESOLUTION)
            map_plane = decision_plane(raw, labels, MAP_RESOLUTION)
        results.append(ModelResult(
            name=name, inputs=("x1", "x2") + feats, hidden=hidden,
            n_params=nets.count_parameters(trainer.model)["total"],
            train_acc=float(history.train_acc[-1]), val_acc=float(history.val_acc[-1]),
            proba=class_one_probability(trainer.model, trainer.prepared, plane.points)))
    net = trainers["net"]
    learned = unit_maps(net.model, net.prepared, map_plane.points)[-1]
    return EndToEndView(tuple(results), plane, map_plane, learned)
