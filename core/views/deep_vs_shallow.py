"""What the deep-versus-shallow page shows: nets of one hidden layer against deeper nets at equal parameter budgets,
on the spiral and on a sawtooth built by composition.

The **sawtooth** task: the tent map t(u) = 1 − |2u − 1| applied k times has 2^(k−1) teeth, and a point is class 1
when it lies above the curve x₂ = A·(2 t^k(u) − 1), u = (x₁ + 1)/2.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import data as D
from core import nets
from core.errors import check_choice, check_integer
from core.training import TrainConfig, prepare_data, train_many
from core.views._shared import BOUNDARY_RESOLUTION, MAP_ACTIVATIONS, Plane, class_one_probability, decision_plane

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
    n_samples = check_integer("n_samples", n_samples, D.MIN_SAMPLES, D.MAX_SAMPLES)
    compositions = check_integer("compositions", compositions, 1, 4)
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
    task = check_choice("task", task, TASKS)
    depth = check_integer("depth", depth, min(DEEP_DEPTHS), max(DEEP_DEPTHS))
    activation = check_choice("activation", activation, MAP_ACTIVATIONS)
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
    plane = decision_plane(raw, labels, BOUNDARY_RESOLUTION)
    proba = np.stack([
        np.stack([class_one_probability(histories[(i * 2 + j) * s].model, prepared, plane.points) for j in (0, 1)])
        for i in range(k)])
    return DeepShallowView(task, depth, activation, pairs, val[:, 0], val[:, 1], train[:, 0], train[:, 1], plane,
                           proba, len(prepared.y_val))
