"""The experiments behind four concept pages: what hidden units compute, end-to-end learning, deep versus shallow at
an equal parameter budget, and parameters versus hyperparameters.

Each page makes one call here, keyed on its settings (the pages cache it); every result is a frozen dataclass of
plain numpy arrays and numbers, never a torch model. The work per setting is capped by the limits below (small data
sets, at most a few hundred epochs, widths and depths from short lists), so every view trains in about a second or
two on one CPU thread.

Shared pieces:

- a **response map** of a hidden unit is its output a(x) over a grid of input points x, min–max scaled per unit:
  r(x) = (a(x) − min a) / (max a − min a) ∈ [0, 1] (a unit that is constant over the plane is "dead": r = 0);
- a **decision map** is p(class 1 | x) = softmax(z(x))₁ over a grid;
- the **sawtooth** task is built by composition: the tent map t(u) = 1 − |2u − 1| applied k times has 2^(k−1)
  teeth, and a point is class 1 when it lies above the curve x₂ = A·(2 t^k(u) − 1), u = (x₁ + 1)/2.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core import data as D
from core import nets
from core.errors import InputError
from core.training import TrainConfig, Trainer, prepare_data, train_many

# --- limits and fixed settings ----------------------------------------------------------------------------------------
BINARY_DATASETS = ("circle", "xor", "gauss", "spiral", "moons")
ACTIVATIONS = ("tanh", "relu", "sigmoid")
MAX_VIEW_DEPTH = 3        # hidden layers whose units are drawn
MAX_VIEW_WIDTH = 8        # units per layer drawn (small multiples stay readable)
MAX_SEED = 99
MAP_RESOLUTION = 24       # response maps: 24 × 24 points per unit
BOUNDARY_RESOLUTION = 40  # decision maps: 40 × 40 points
POINTS_SHOWN = 300        # data points sent with a decision map

# one short, well-behaved recipe for every single-net view: Adam, η = 0.03, mini-batches of 32
VIEW_TRAINING = dict(optimizer="adam", lr=0.03, batch_size=32, epochs=100, n_samples=300, noise=0.05)

# deep vs shallow
BUDGETS = (100, 300, 1000, 3000)
SWEEP_SEEDS = (0, 1)
DEEP_DEPTHS = (2, 3, 4)
TASKS = ("spiral", "sawtooth")
SAWTOOTH_COMPOSITIONS = 2        # t∘t: two teeth
SAWTOOTH_AMPLITUDE = 0.8
SWEEP_TRAINING = dict(optimizer="adam", lr=0.03, batch_size=64, epochs=80, n_samples=400, noise=0.05)
BUDGET_TOLERANCE = 0.05          # the two nets' parameter counts differ by at most 5 %
TIE_MARGIN = 0.015               # |Δ mean val accuracy| ≤ 1.5 points (about one validation point) is a tie

# parameters vs hyperparameters: the grid search
GRID_LRS = (0.001, 0.01, 0.1, 1.0)
GRID_WIDTHS = (2, 4, 8, 16)
GRID_BATCH_SIZES = (32, 64, 0)   # 0 = full batch
GRID_EPOCHS = (10, 25, 50)
GRID_INITS = ("default", "xavier", "he")
GRID_DATASET = "spiral"
GRID_SAMPLES = 200
MAX_GRID_DEPTH = 3


# --- checks (limits live here, not only in the widgets) ---------------------------------------------------------------
def _choice(name, value, choices):
    if not isinstance(value, str) or value not in choices:
        raise InputError("unknown_choice", f"{name} must be one of {', '.join(map(str, choices))}; got {value!r}"[:200],
                         name=name, value=str(value)[:40])
    return value


def _integer(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError("not_integer", f"{name} must be an integer, got {value!r}"[:120], name=name)
    if not low <= value <= high:
        raise InputError("out_of_range", f"{name} must be between {low} and {high}, got {value}",
                         name=name, low=low, high=high, value=value)
    return int(value)


def _member(name, value, allowed):
    if isinstance(value, bool) or value not in allowed:
        raise InputError("unknown_choice", f"{name} must be one of {', '.join(map(str, allowed))}; got {value!r}"[:200],
                         name=name, value=str(value)[:40])
    return value


# --- maps -------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LayerMaps:
    """The response maps of one hidden layer's units over a grid of m points.

    maps (units, m): r = (a − min a) / (max a − min a) per unit; low, high (units,): min a and max a; dead (units,):
    the unit is constant over the plane (max a − min a < 10⁻⁶).
    """
    maps: np.ndarray
    low: np.ndarray
    high: np.ndarray
    dead: np.ndarray

    @property
    def n_dead(self) -> int:
        return int(self.dead.sum())


def scale_maps(activations, max_units=MAX_VIEW_WIDTH):
    """Per-unit min–max scaling of a layer's outputs a (m, units) → ``LayerMaps`` of the first ``max_units`` units:
    r = (a − min a) / (max a − min a), r = 0 where the unit is constant."""
    a = np.asarray(activations, dtype=np.float64)[:, :max_units]
    low, high = a.min(axis=0), a.max(axis=0)
    span = high - low
    dead = span < 1e-6
    # r = (a − min a) / (max a − min a)
    r = np.where(dead, 0.0, (a - low) / np.where(dead, 1.0, span))
    return LayerMaps(r.T.astype(np.float32), low.astype(np.float32), high.astype(np.float32), dead)


def class_one_probability(model, prepared, points):
    """p(class 1 | x) = softmax(z(x))₁ for raw points (m, 2), with the run's features and standardisation."""
    model.eval()
    with torch.no_grad():
        z = model(torch.from_numpy(prepared.transform(points)))
        # p = softmax(z)₁
        return torch.softmax(z, dim=-1)[:, 1].numpy().astype(np.float32)


def unit_maps(model, prepared, points, max_units=MAX_VIEW_WIDTH):
    """The scaled response maps (``scale_maps``) of every hidden layer for raw points (m, 2)."""
    return tuple(scale_maps(a, max_units) for a in nets.hidden_activations(model, prepared.transform(points)))


@dataclass(frozen=True, eq=False)
class Plane:
    """A grid over the data (g₁, g₂: axes; points in row-major order, x₂ outer) and a sample of the data points."""
    g1: np.ndarray
    g2: np.ndarray
    points: np.ndarray
    X: np.ndarray
    y: np.ndarray


def _plane(raw_points, labels, resolution):
    g1, g2, points = D.make_grid(raw_points, resolution=resolution)
    keep = slice(0, POINTS_SHOWN)
    return Plane(g1.astype(np.float32), g2.astype(np.float32), points, raw_points[keep].astype(np.float32),
                 labels[keep].astype(np.int8))


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


def view_config(dataset, hidden, activation, seed, features=()):
    """The ``TrainConfig`` of a single-net view (``VIEW_TRAINING``)."""
    return TrainConfig(dataset=dataset, hidden=tuple(hidden), activation=activation, seed=seed,
                       features=tuple(features), **VIEW_TRAINING)


def hidden_layers_view(dataset="circle", depth=2, width=6, activation="tanh", seed=0):
    """Train a net with ``depth`` hidden layers of ``width`` units (1 ≤ depth ≤ 3, 1 ≤ width ≤ 8) on a two-class
    data set and return every hidden unit's response map a_{l,j}(x) = φ(W_l h_{l−1}(x) + b_l)_j over the input
    plane, scaled per unit, plus the net's decision map p(class 1 | x)."""
    dataset = _choice("dataset", dataset, BINARY_DATASETS)
    depth = _integer("depth", depth, 1, MAX_VIEW_DEPTH)
    width = _integer("width", width, 1, MAX_VIEW_WIDTH)
    activation = _choice("activation", activation, ACTIVATIONS)
    seed = _integer("seed", seed, 0, MAX_SEED)
    trainer = Trainer(view_config(dataset, (width,) * depth, activation, seed))
    history = trainer.step(trainer.config.epochs)
    prepared = trainer.prepared
    raw = np.concatenate([prepared.raw_train, prepared.raw_val])
    labels = np.concatenate([prepared.y_train, prepared.y_val])
    map_plane = _plane(raw, labels, MAP_RESOLUTION)
    boundary_plane = _plane(raw, labels, BOUNDARY_RESOLUTION)
    return HiddenLayersView(
        hidden=tuple(trainer.model.hidden), activation=activation, map_plane=map_plane,
        layers=unit_maps(trainer.model, prepared, map_plane.points), boundary_plane=boundary_plane,
        proba=class_one_probability(trainer.model, prepared, boundary_plane.points),
        train_acc=float(history.train_acc[-1]), val_acc=float(history.val_acc[-1]),
        n_params=nets.count_parameters(trainer.model)["total"])


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
    dataset = _choice("dataset", dataset, BINARY_DATASETS)
    if isinstance(features, str) or not isinstance(features, (tuple, list)):
        raise InputError("bad_features", f"features must be a tuple of names, got {features!r}"[:120])
    for name in features:
        _choice("feature", name, tuple(D.FEATURES))
    features = tuple(f for f in D.FEATURES if f in features)
    depth = _integer("depth", depth, 1, MAX_VIEW_DEPTH)
    width = _integer("width", width, 1, MAX_VIEW_WIDTH)
    seed = _integer("seed", seed, 0, MAX_SEED)
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
            plane = _plane(raw, labels, BOUNDARY_RESOLUTION)
            map_plane = _plane(raw, labels, MAP_RESOLUTION)
        results.append(ModelResult(
            name=name, inputs=("x1", "x2") + feats, hidden=hidden,
            n_params=nets.count_parameters(trainer.model)["total"],
            train_acc=float(history.train_acc[-1]), val_acc=float(history.val_acc[-1]),
            proba=class_one_probability(trainer.model, trainer.prepared, plane.points)))
    net = trainers["net"]
    learned = unit_maps(net.model, net.prepared, map_plane.points)[-1]
    return EndToEndView(tuple(results), plane, map_plane, learned)


# --- deep vs shallow --------------------------------------------------------------------------------------------------
def tent(u):
    """The tent map t(u) = 1 − |2u − 1| on [0, 1]: up from 0 to 1 and back down."""
    # t(u) = 1 − |2u − 1|
    return 1.0 - np.abs(2.0 * u - 1.0)


def sawtooth_curve(x1, compositions=SAWTOOTH_COMPOSITIONS, amplitude=SAWTOOTH_AMPLITUDE):
    """s(x₁) = A·(2 t^k(u) − 1) with u = (x₁ + 1)/2 on x₁ ∈ [−1, 1]: k compositions of the tent map, 2^(k−1)
    teeth. Each composition doubles the teeth: a deep ReLU net can compute it with about two units per layer."""
    # u = (x₁ + 1) / 2
    u = (np.asarray(x1, dtype=np.float64) + 1.0) / 2.0
    for _ in range(int(compositions)):
        # u ← t(u)
        u = tent(u)
    # s = A (2u − 1)
    return amplitude * (2.0 * u - 1.0)


def sawtooth_data(n_samples=400, seed=0, compositions=SAWTOOTH_COMPOSITIONS):
    """Points x ~ U([−1, 1]²), label y = [x₂ > s(x₁)] (``sawtooth_curve``), scaled like ``core.data``:
    X = DATA_SCALE · x. Returns float32 (n, 2) and int64 (n,)."""
    n_samples = _integer("n_samples", n_samples, D.MIN_SAMPLES, D.MAX_SAMPLES)
    compositions = _integer("compositions", compositions, 1, 4)
    rng = np.random.default_rng([seed, 7])
    x = rng.uniform(-1.0, 1.0, (n_samples, 2))
    # y = [x₂ > s(x₁)]
    y = (x[:, 1] > sawtooth_curve(x[:, 0], compositions)).astype(np.int64)
    return (D.DATA_SCALE * x).astype(np.float32), y


def shallow_width_for(n_params, in_features=2, out_features=2):
    """The width w of one hidden layer whose count P(w) = (d + c + 1) w + c is nearest to ``n_params``:
    w = round((P − c) / (d + c + 1)), at least 1."""
    # w = round((P − c) / (d + c + 1))
    return max(1, int(round((n_params - out_features) / (in_features + out_features + 1))))


@dataclass(frozen=True)
class BudgetPair:
    """A deep and a shallow net with (almost) the same number of parameters."""
    budget: int
    deep_width: int
    deep_depth: int
    deep_params: int
    shallow_width: int
    shallow_params: int

    @property
    def mismatch(self) -> float:
        """|P_shallow − P_deep| / P_deep."""
        # |P_s − P_d| / P_d
        return abs(self.shallow_params - self.deep_params) / self.deep_params


def budget_pair(budget, depth, in_features=2, out_features=2):
    """The deep net: ``depth`` hidden layers of the largest width w with P(w) ≤ budget (``nets.param_budget_mlp``);
    the shallow net: one hidden layer whose count is nearest the deep net's (``shallow_width_for``). Raises
    ``ValueError`` if the two counts differ by more than ``BUDGET_TOLERANCE``."""
    deep_width = nets.param_budget_mlp(in_features, out_features, depth, budget)
    deep_params = nets.mlp_param_count(in_features, (deep_width,) * depth, out_features)
    shallow_width = shallow_width_for(deep_params, in_features, out_features)
    shallow_params = nets.mlp_param_count(in_features, (shallow_width,), out_features)
    pair = BudgetPair(budget, deep_width, depth, deep_params, shallow_width, shallow_params)
    if pair.mismatch > BUDGET_TOLERANCE:
        raise ValueError(f"budget {budget}: {deep_params} vs {shallow_params} parameters differ by more than 5 %")
    return pair


@dataclass(frozen=True, eq=False)
class DeepShallowView:
    """The sweep: for every budget, a shallow and a deep net, each trained with every seed of ``SWEEP_SEEDS``.

    Per budget b (index i): pairs[i]; shallow_acc[i], deep_acc[i] (seeds,): final validation accuracies;
    shallow_mean, deep_mean: their means; winner[i] ∈ {"deep", "shallow", "tie"} (tie: |Δ| ≤ TIE_MARGIN);
    proba[i, 0 | 1]: the shallow | deep net's decision map (first seed) on ``plane.points``.
    """
    task: str
    depth: int
    activation: str
    pairs: tuple
    shallow_acc: np.ndarray
    deep_acc: np.ndarray
    shallow_train: np.ndarray
    deep_train: np.ndarray
    plane: Plane
    proba: np.ndarray
    n_val: int

    @property
    def shallow_mean(self):
        return self.shallow_acc.mean(axis=1)

    @property
    def deep_mean(self):
        return self.deep_acc.mean(axis=1)

    @property
    def winner(self):
        return tuple(verdict(s, d) for s, d in zip(self.shallow_mean, self.deep_mean))


def verdict(shallow_acc, deep_acc, margin=TIE_MARGIN):
    """"deep" if deep − shallow > margin, "shallow" if shallow − deep > margin, else "tie"."""
    # Δ = acc_deep − acc_shallow
    delta = deep_acc - shallow_acc
    return "deep" if delta > margin else "shallow" if delta < -margin else "tie"


def sweep_config(task, hidden, activation, seed):
    """The ``TrainConfig`` of one run of the sweep (``SWEEP_TRAINING``); the sawtooth is a custom data set."""
    return TrainConfig(dataset="custom" if task == "sawtooth" else task, hidden=tuple(hidden),
                       activation=activation, seed=seed, **SWEEP_TRAINING)


def deep_vs_shallow_view(task="spiral", depth=3, activation="tanh"):
    """Train, for every budget in ``BUDGETS`` and seed in ``SWEEP_SEEDS``, one hidden layer (shallow) and ``depth``
    hidden layers (deep) with matched parameter counts (``budget_pair``) on a task with compositional structure;
    ``train_many`` stacks the seeds of each architecture. Returns validation accuracies and decision maps."""
    task = _choice("task", task, TASKS)
    depth = _integer("depth", depth, min(DEEP_DEPTHS), max(DEEP_DEPTHS))
    activation = _choice("activation", activation, ACTIVATIONS)
    pairs = tuple(budget_pair(b, depth) for b in BUDGETS)
    data = sawtooth_data(SWEEP_TRAINING["n_samples"]) if task == "sawtooth" else None
    configs = [sweep_config(task, hidden, activation, seed)
               for pair in pairs for hidden in ((pair.shallow_width,), (pair.deep_width,) * depth)
               for seed in SWEEP_SEEDS]
    histories = train_many(configs, data=data)
    k, s = len(BUDGETS), len(SWEEP_SEEDS)
    val = np.array([h.val_acc[-1] for h in histories]).reshape(k, 2, s)
    train = np.array([h.train_acc[-1] for h in histories]).reshape(k, 2, s)
    prepared = prepare_data(histories[0].config, data)
    raw = np.concatenate([prepared.raw_train, prepared.raw_val])
    labels = np.concatenate([prepared.y_train, prepared.y_val])
    plane = _plane(raw, labels, BOUNDARY_RESOLUTION)
    proba = np.stack([
        np.stack([class_one_probability(histories[(i * 2 + j) * s].model, prepared, plane.points) for j in (0, 1)])
        for i in range(k)])
    return DeepShallowView(task, depth, activation, pairs, val[:, 0], val[:, 1], train[:, 0], train[:, 1], plane,
                           proba, len(prepared.y_val))


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
    depth = _integer("depth", depth, 0, MAX_GRID_DEPTH)
    width = _integer("width", width, 1, 256)
    norm = _choice("norm", norm, nets.NORMS)
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
    depth = _integer("depth", depth, 1, MAX_GRID_DEPTH)
    norm = _choice("norm", norm, nets.NORMS)
    batch_size = _member("batch_size", batch_size, GRID_BATCH_SIZES)
    epochs = _member("epochs", epochs, GRID_EPOCHS)
    init = _choice("init", init, GRID_INITS)
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
