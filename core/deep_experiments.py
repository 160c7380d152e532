"""The experiments of the deep-network pages, each one function whose result holds plain numbers and numpy arrays
only (never a torch model), so a page can cache it: gradient clipping, normalization layers and residual shortcuts.

Every run is a real ``core.training`` run (``Trainer`` / ``train_many`` on a 2-D data set). The settings that are
not page controls are module constants, chosen so that the effect the page teaches really happens with seed 0
(``tests/test_deep_claims.py`` checks it) and so that each page's default experiments stay a few seconds of CPU:

* ``exploding_runs``: an 8-layer ReLU MLP started with weights ~ N(0, 0.6²) (about 1.7 × He's scale √(2/16)) and
  trained by plain full-batch SGD. Each layer multiplies the backward signal by roughly 1.7, so the gradient is
  ~1.7⁸ ≈ 70 × too large, the first step overshoots, the next gradient is larger still, and within a few steps the
  weights overflow to inf/NaN. The same run with clipping survives.
* ``normalization_race``: none vs batch norm vs layer norm in a deep ReLU MLP with torch's default initialisation,
  plus the distribution of the pre-activations N(z) (the input of φ) of every layer over the epochs.
* ``batch_size_sweep``: batch norm vs layer norm trained with batch sizes 2 … 128, the same number of updates each.
* ``residual_sweep``: plain vs residual MLPs at depths 4, 16, 32, 64.

Measurements that need the network in training mode (batch statistics) use ``probe``, which computes them without
touching the batch-norm running averages.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core.data import n_val_samples
from core.training import DEEP_MAX_DEPTH, Trainer, TrainConfig, data_loss, train_many

# --- shared tools ----------------------------------------------------------------------------------------------------
PERCENTILES = (5, 25, 50, 75, 95)


@torch.no_grad()
def probe(model, X, batch_stats=True):
    """Forward pass of an ``MLP`` on X (n, d) that returns (logits (n, C), [u_l], [h_l]) as torch tensors: per hidden
    block l the pre-activation u_l = N(W h_{l−1} + b) (the input of φ) and the block output h_l.

    batch_stats=True normalises batch-norm layers with the statistics of X itself, as training mode does
    (μ = mean over the rows, σ² = biased variance), but leaves the running averages untouched;
    batch_stats=False uses the running averages, as eval mode does. Layer norm and no norm act alike in both.
    """
    h, pre, out = torch.as_tensor(X), [], []
    for block in model.hidden_blocks:
        z = block.linear(h)
        norm = block.norm
        if isinstance(norm, torch.nn.BatchNorm1d):
            # u = γ (z − μ) / √(σ² + ε) + β with μ, σ² of this batch (running averages: None = not updated) or the
            # running averages
            u = F.batch_norm(z, None if batch_stats else norm.running_mean,
                             None if batch_stats else norm.running_var, norm.weight, norm.bias,
                             training=batch_stats, eps=norm.eps)
        else:
            u = norm(z)
        a = block.act(u)
        # h ← h + a (residual) or h ← a
        h = h + a if block.skip else a
        pre.append(u)
        out.append(h)
    return model.output(h), pre, out


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


def _finite_or_nan(value):
    value = float(value)
    return value if math.isfinite(value) else math.nan


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}"[:160])
    return value


def _check_number(name, value, low, high, kind=float):
    """A number in [low, high] (``ValueError`` otherwise), as ``kind``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}"[:120])
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    if kind is int and value != int(value):
        raise ValueError(f"{name} must be an integer, got {value}")
    return kind(value)


# --- 1. gradient clipping ----------------------------------------------------------------------------------------------
EXPLODE = TrainConfig(dataset="circle", n_samples=200, hidden=(16,) * 8, activation="relu", init="normal",
                      init_std=0.6, optimizer="sgd", lr=0.3, batch_size=0, epochs=80, seed=0, max_seconds=30.0)
CLIP_MODES = ("value", "norm")
LR_RANGE = (0.01, 1.0)
THRESHOLD_RANGE = (0.01, 100.0)


@dataclass(frozen=True)
class ClipRun:
    """One run of the exploding setup. Arrays run over the epochs done; a full-batch epoch is one update, so epoch k
    is global step k. loss: training loss after the epoch (NaN once it overflowed); grad_norm: ‖g‖ of the whole
    gradient before clipping (NaN / inf when it overflowed)."""
    clip: str                    # "none", "value" or "norm"
    threshold: float
    epochs: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    grad_norm: np.ndarray
    diverged_epoch: int | None   # the first epoch whose loss was NaN or inf
    steps: int                   # optimizer updates taken (TensorFlow's global_step, our step counter)
    final_loss: float            # the last finite loss
    final_accuracy: float


@dataclass(frozen=True)
class ClipExperiment:
    unclipped: ClipRun
    clipped: ClipRun
    depth: int
    width: int
    init_std: float
    lr: float
    n_train: int
    epochs: int


def _clip_run(history, steps_per_epoch):
    cfg = history.config
    loss = np.array(history.train_loss, dtype=np.float64)
    finite = loss[np.isfinite(loss)]
    accuracy = np.array(history.train_acc, dtype=np.float64)
    # ‖g‖ = √(Σ_l ‖∇_l‖²) over the linear layers (these nets have no other parameters)
    with np.errstate(over="ignore", invalid="ignore"):
        grad_norm = np.array([math.sqrt(float(np.sum(np.square(np.asarray(g, dtype=np.float64)))))
                              for g in history.grad_norms])
    good = np.isfinite(loss)
    return ClipRun(clip=cfg.clip, threshold=cfg.clip_threshold, epochs=np.array(history.epoch), loss=loss,
                   accuracy=accuracy, grad_norm=grad_norm, diverged_epoch=history.diverged_epoch,
                   steps=history.n_epochs * steps_per_epoch,
                   final_loss=float(finite[-1]) if len(finite) else math.nan,
                   final_accuracy=float(accuracy[good][-1]) if good.any() else math.nan)


def exploding_runs(lr=EXPLODE.lr, clip="norm", threshold=1.0):
    """The ``EXPLODE`` net trained twice from the same initial weights with learning rate lr: without clipping, and
    with clipping (``clip`` = "value": gᵢ ← clamp(gᵢ, ±c); "norm": g ← g · min(1, c / ‖g‖); c = threshold) between
    ``loss.backward()`` and ``optimizer.step()``. Limits: 0.01 ≤ lr ≤ 1, 0.01 ≤ c ≤ 100."""
    lr = _check_number("lr", lr, *LR_RANGE)
    clip = _check_choice("clip", clip, CLIP_MODES)
    threshold = _check_number("threshold", threshold, *THRESHOLD_RANGE)
    base = EXPLODE.replace(lr=lr)
    plain, clipped = train_many([base, base.replace(clip=clip, clip_threshold=threshold)],
                                max_depth=DEEP_MAX_DEPTH)
    n_train = n_train_rows(base)
    return ClipExperiment(unclipped=_clip_run(plain, 1), clipped=_clip_run(clipped, 1), depth=len(base.hidden),
                          width=base.hidden[0], init_std=base.init_std, lr=lr, n_train=n_train, epochs=base.epochs)


def n_train_rows(config):
    """Rows in the training split of a config's data set: n − round(n · f)."""
    return config.n_samples - n_val_samples(config.n_samples, config.val_fraction)


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
    depth = _check_number("depth", depth, *RACE_DEPTHS, kind=int)
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
            rows.append([_finite_or_nan(h.train_loss[-1]) for h in train_many(configs, max_depth=DEEP_MAX_DEPTH)])
        per_seed[norm] = np.array(rows)
        loss[norm] = per_seed[norm].mean(axis=1)
    return BatchSweep(batch_sizes=np.array(SWEEP_BATCHES), loss=loss, loss_per_seed=per_seed, steps=np.array(steps),
                      epochs=np.array(epochs), depth=len(SWEEP.hidden), seeds=SWEEP_SEEDS, n_train=n_train)


# --- 3. residual shortcuts ---------------------------------------------------------------------------------------------
DEPTH_SWEEP = TrainConfig(dataset="moons", n_samples=200, hidden=(16,), activation="relu", init="he",
                          optimizer="adam", lr=0.01, batch_size=0, epochs=20, seed=0, max_seconds=30.0)
DEPTHS = (4, 16, 32, 64)
RESIDUAL_NORMS = ("batch", "none")
EPOCH_CHOICES = (20, 40)


@dataclass(frozen=True)
class DepthRun:
    """One net of the depth sweep. loss: full-batch training loss after each epoch (with training-mode batch
    statistics: exactly the objective full-batch training minimises); NaN once it overflowed. grad_norms: ‖∇_l‖ of
    every hidden layer's W and b at initialisation, first layer first."""
    residual: bool
    depth: int
    epochs: np.ndarray
    loss: np.ndarray
    final_loss: float             # NaN if the run diverged
    grad_norms: np.ndarray
    first_grad_norm: float
    diverged_epoch: int | None


@dataclass(frozen=True)
class DepthSweep:
    runs: dict                    # (residual, depth) → DepthRun
    depths: tuple
    norm: str
    width: int
    epochs: int
    n_train: int
    lr: float


def depth_run(config):
    """Train one net of the depth sweep (a ``TrainConfig`` with batch_size 0) and return its ``DepthRun``."""
    trainer = Trainer(config, max_depth=DEEP_MAX_DEPTH)
    X, y = trainer.X_train, trainer.y_train
    losses = []
    while not trainer.done:
        trainer.step(1)
        logits, _, _ = probe(trainer.model, X, batch_stats=True)
        losses.append(_finite_or_nan(data_loss(logits, y)) if torch.isfinite(logits).all() else math.nan)
    h = trainer.history
    norms = np.asarray(h.grad_norms[0], dtype=np.float64)[:-1]  # epoch 1 = one full batch: the gradient at init
    loss = np.array(losses)
    diverged = h.diverged_epoch
    if diverged is None and not np.isfinite(loss).all():
        diverged = int(np.argmin(np.isfinite(loss))) + 1
    return DepthRun(residual=config.residual, depth=len(config.hidden), epochs=np.array(h.epoch), loss=loss,
                    final_loss=math.nan if diverged is not None else float(loss[-1]), grad_norms=norms,
                    first_grad_norm=_finite_or_nan(norms[0]), diverged_epoch=diverged)


def residual_sweep(norm="batch", epochs=20):
    """Plain (h ← φ(N(z))) vs residual (h ← h + φ(N(z))) MLPs of width 16 at every depth in ``DEPTHS``, He
    initialisation, full-batch Adam for ``epochs`` epochs (= updates), seed 0; N = batch norm or none. Per net:
    the training loss per epoch and every layer's gradient norm at initialisation."""
    norm = _check_choice("norm", norm, RESIDUAL_NORMS)
    epochs = _check_choice("epochs", epochs, EPOCH_CHOICES)
    base = DEPTH_SWEEP.replace(norm=norm, epochs=epochs)
    runs = {}
    for residual in (False, True):
        for depth in DEPTHS:
            runs[residual, depth] = depth_run(base.replace(hidden=(base.hidden[0],) * depth, residual=residual))
    return DepthSweep(runs=runs, depths=DEPTHS, norm=norm, width=base.hidden[0], epochs=epochs,
                      n_train=n_train_rows(base), lr=base.lr)
