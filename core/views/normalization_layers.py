"""What the normalization-layers page shows: ``normalization_race`` (none vs batch norm vs layer norm in a deep ReLU
MLP with torch's default initialisation, and the distribution of every layer's pre-activations over the epochs) and
``batch_size_sweep`` (batch norm vs layer norm trained with batch sizes 2 … 128, the same number of updates each).
Real ``core.training`` runs; results are plain numbers and arrays.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core.errors import check_integer
from core.training import DEEP_MAX_DEPTH, TrainConfig, Trainer, train_many
from core.views._shared import finite_or_nan, n_train_rows, probe

# --- shared tools ----------------------------------------------------------------------------------------------------
PERCENTILES = (5, 25, 50, 75, 95)


def sample_diversity(h):
    """How different the rows of h (n, units) are: D = Σ_u Var_n(h_{n,u}) / Σ_u mean_n(h_{n,u}²) ∈ [0, 1] (biased
    variance). D = 0: every sample gives the same vector; D = 1: the vectors average to zero. 0 for h = 0."""
    h = np.asarray(h, dtype=np.float64)
    total = float(np.mean(h * h, axis=0).sum())
    if not math.isfinite(total) or total <= 0:
        return 0.0
    # D = Σ_u Var_n(h) / Σ_u E_n[h²]
    return float(np.var(h, axis=0).sum() / total)


def layer_percentiles(pre):
    """(layers, 5): the PERCENTILES of every entry of each u_l (all samples and units pooled), linear interpolation
    as ``np.percentile``; a row of NaN where u_l is not finite."""
    values = torch.stack([u.detach().reshape(-1) for u in pre]).double()
    q = torch.tensor(PERCENTILES, dtype=torch.float64) / 100
    out = torch.quantile(values, q, dim=1).T.numpy().copy()
    out[~torch.isfinite(values).all(dim=1).numpy()] = np.nan
    return out


CHANCE_LOSS = math.log(2)    # cross-entropy of a two-class net that always answers 50 : 50
VERDICTS = ("stalled", "slow", "trained")


def verdict(loss):
    """How far a two-class run got: "stalled" if L ≥ 0.6 (near ln 2 ≈ 0.693, a coin flip) or not finite, "slow" if
    0.1 ≤ L < 0.6, else "trained"."""
    loss = float(loss)
    if not math.isfinite(loss) or loss >= 0.6:
        return "stalled"
    return "slow" if loss >= 0.1 else "trained"


# --- 2. normalization layers ------------------------------------------------------------------------------------------
NORMS = ("none", "batch", "layer")
RACE = TrainConfig(dataset="moons", n_samples=200, hidden=(16,) * 16, activation="relu", init="default",
                   optimizer="momentum", lr=0.05, momentum=0.9, batch_size=32, epochs=30, seed=0, max_seconds=30.0)
RACE_DEPTHS = (4, 24)        # allowed depths of the race
DEMO_BATCHES = ((0, 1, 2, 3), (0, 4, 5, 6))   # training rows of the two mini-batches that both contain row 0


@dataclass(frozen=True)
class NormModes:
    """Unit 1 of hidden layer 1 for training row 0 (x₀), normalised three ways: in training mode inside batch A, in
    training mode inside batch B (both contain x₀), and in eval mode. mean / var: the μ and σ² used;
    value: N(z) = γ (z − μ) / √(σ² + ε) + β."""
    z: float                      # W x₀ + b for that unit (before normalising)
    mean: tuple                   # (batch A, batch B, eval)
    var: tuple
    value: tuple
    torch_eval: float             # the same unit from torch's module in eval mode (a check)


@dataclass(frozen=True)
class NormRun:
    norm: str
    epochs: np.ndarray            # 1 … E
    loss: np.ndarray              # training loss after each epoch (eval mode)
    accuracy: np.ndarray
    bands: np.ndarray             # (E + 1, depth, 5): PERCENTILES of u_l after epoch e (row 0: at initialisation)
    diversity_init: np.ndarray    # (depth,): sample_diversity(h_l) at initialisation
    diversity_final: np.ndarray   # (depth,): after training
    modes: NormModes | None       # for batch and layer norm
    stopped_reason: str
    verdict: str                  # ``verdict`` of the final loss


@dataclass(frozen=True)
class NormRace:
    runs: dict                    # norm → NormRun
    depth: int
    residual: bool
    width: int
    epochs: int
    batch_size: int
    lr: float
    n_train: int


def _modes(model, X):
    """``NormModes`` of hidden layer 1, unit 1, for training row 0 (see its docstring)."""
    block = model.hidden_blocks[0]
    norm = block.norm
    with torch.no_grad():
        z_rows = block.linear(torch.as_tensor(X))
        z0 = z_rows[0]
        if isinstance(norm, torch.nn.BatchNorm1d):
            means, variances = [], []
            for rows in DEMO_BATCHES:
                zb = z_rows[list(rows), 0]
                means.append(float(zb.mean()))
                # σ² = (1/b) Σ (z − μ)² (biased, as batch norm normalises with)
                variances.append(float(zb.var(unbiased=False)))
            means.append(float(norm.running_mean[0]))
            variances.append(float(norm.running_var[0]))
            gamma, beta = float(norm.weight[0]), float(norm.bias[0])
            values = [gamma * (float(z0[0]) - m) / math.sqrt(v + norm.eps) + beta for m, v in zip(means, variances)]
            was = model.training
            model.eval()
            torch_eval = float(norm(z_rows[:1])[0, 0])
            model.train(was)
        else:
            # layer norm: μ and σ² over the units of x₀ alone, the same in every mode and every batch
            mean, var = float(z0.mean()), float(z0.var(unbiased=False))
            value = float(norm(z0.unsqueeze(0))[0, 0])
            means, variances, values = [mean] * 3, [var] * 3, [value] * 3
            torch_eval = value
    return NormModes(z=float(z0[0]), mean=tuple(means), var=tuple(variances), value=tuple(values),
                     torch_eval=torch_eval)


def _race_run(config):
    trainer = Trainer(config, max_depth=DEEP_MAX_DEPTH)
    X = trainer.X_train
    depth = len(config.hidden)

    def snapshot(diversity=False):
        _, pre, out = probe(trainer.model, X, batch_stats=True)
        return layer_percentiles(pre), [sample_diversity(h.numpy()) for h in out] if diversity else None

    first, diversity_init = snapshot(diversity=True)
    bands = [first]
    while True:
        trainer.step(1)
        if trainer.done:
            break
        bands.append(snapshot()[0])
    last, diversity_final = snapshot(diversity=True)
    bands.append(last)
    h = trainer.history
    modes = _modes(trainer.model, X) if config.norm != "none" else None
    return NormRun(norm=config.norm, epochs=np.array(h.epoch), loss=np.array(h.train_loss, dtype=np.float64),
                   accuracy=np.array(h.train_acc, dtype=np.float64), bands=np.stack(bands).reshape(-1, depth, 5),
                   diversity_init=np.array(diversity_init), diversity_final=np.array(diversity_final),
                   modes=modes, stopped_reason=h.stopped_reason, verdict=verdict(h.train_loss[-1]))


def normalization_race(depth=16, residual=False):
    """Three runs of the ``RACE`` net (ReLU, width 16, torch's default initialisation, SGD with momentum, mini-batches
    of 32) from the same seed, differing only in N: none, batch norm, layer norm (``residual`` adds the shortcut
    h ← h + φ(N(z)) to every block but the first). Sequential: the architectures differ, so they cannot be stacked.
    Besides the losses, every epoch records the percentiles of each layer's pre-activations u_l = N(z_l) on the whole
    training set (training-mode statistics). 4 ≤ depth ≤ 24."""
    depth = check_integer("depth", depth, *RACE_DEPTHS)
    if not isinstance(residual, (bool, np.bool_)):
        raise ValueError(f"residual must be True or False, got {residual!r}"[:120])
    base = RACE.replace(hidden=(RACE.hidden[0],) * depth, residual=bool(residual))
    runs = {norm: _race_run(base.replace(norm=norm)) for norm in NORMS}
    return NormRace(runs=runs, depth=depth, residual=bool(residual), width=base.hidden[0], epochs=base.epochs,
                    batch_size=base.batch_size, lr=base.lr, n_train=n_train_rows(base))


SWEEP = TrainConfig(dataset="moons", n_samples=200, hidden=(16,) * 4, activation="relu", init="default",
                    optimizer="adam", lr=0.01, seed=0, max_seconds=30.0)
SWEEP_BATCHES = (2, 4, 8, 16, 32, 64, 128)
SWEEP_STEPS = 60             # updates per run (at least; whole epochs)
SWEEP_SEEDS = 3


@dataclass(frozen=True)
class BatchSweep:
    batch_sizes: np.ndarray
    loss: dict                    # norm → (len(batch_sizes),) final training loss (eval mode), mean over the seeds
    loss_per_seed: dict           # norm → (len(batch_sizes), seeds)
    steps: np.ndarray             # updates each run took
    epochs: np.ndarray
    depth: int
    seeds: int
    n_train: int


def batch_size_sweep():
    """Batch norm vs layer norm in the ``SWEEP`` net (4 ReLU layers of 16) for batch sizes 2 … 128, each run at least
    ``SWEEP_STEPS`` updates (whole epochs), ``SWEEP_SEEDS`` seeds per setting stacked with ``train_many``. The final
    training loss is measured in eval mode: batch norm then uses its running averages."""
    n_train = n_train_rows(SWEEP)
    loss, per_seed, steps, epochs = {}, {}, [], []
    for b in SWEEP_BATCHES:
        per_epoch = math.ceil(n_train / b) if b < n_train else 1
        n_epochs = math.ceil(SWEEP_STEPS / per_epoch)
        epochs.append(n_epochs)
        steps.append(n_epochs * per_epoch)
    for norm in ("batch", "layer"):
        rows = []
        for b, n_epochs in zip(SWEEP_BATCHES, epochs):
            configs = [SWEEP.replace(norm=norm, batch_size=b, epochs=n_epochs, seed=seed)
                       for seed in range(SWEEP_SEEDS)]
            rows.append([finite_or_nan(h.train_loss[-1]) for h in train_many(configs, max_depth=DEEP_MAX_DEPTH)])
        per_seed[norm] = np.array(rows)
        loss[norm] = per_seed[norm].mean(axis=1)
    return BatchSweep(batch_sizes=np.array(SWEEP_BATCHES), loss=loss, loss_per_seed=per_seed, steps=np.array(steps),
                      epochs=np.array(epochs), depth=len(SWEEP.hidden), seeds=SWEEP_SEEDS, n_train=n_train)
