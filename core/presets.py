"""Real training runs behind the "convergence" and "train vs val" pages: five presets, one for each row of the note's
train/val table, and a mini-batch run whose loss is recorded after every step. numpy and torch (through
``core.training``) only; every result is plain arrays and numbers, never a model.

The five presets (``run_preset``), each a real ``core.training.train`` run with a fixed seed:

    still_learning  circle, 16 tanh units, plain SGD η = 0.5, full batch, stopped after 60 epochs: both losses
                    are still falling when the run ends.
    overfitting     moons with heavy noise, only 40 training points, a 64-64 ReLU net (4 000+ weights), Adam,
                    400 epochs: the train loss goes to ~0, the val loss turns up and stays high.
    data_problem    "a validation set easier than the training set": two Gaussian clusters; half of the *training*
                    rows are replaced by ambiguous points on the class boundary x₁ + x₂ = 0, each position present
                    twice, once with each label (annotators who disagree); the validation rows stay clean. The
                    ambiguous half of the train loss is stuck at ln 2 whatever the net does, so the train loss is
                    flat; the clean val points keep gaining margin, so the val loss keeps falling.
    converged       moons, 8 tanh units, Adam η = 0.02 with a little L2, 300 epochs: both losses flat.
    diverging       moons, a 32-32 leaky-ReLU net, SGD with momentum at η = 1.5 (far too high), mini-batches:
                    the loss jumps about, climbs and overflows to NaN within a few epochs.

``tests/test_presets.py`` checks that ``core.diagnosis.diagnose`` gives each preset its case (and that the recipe
also holds for other seeds).

The convergence run (``run_steps``): ``core.training.History`` records one number per epoch (the loss of the whole
training set after the epoch, which is smooth). To show the noisy curve a practitioner watches, ``run_steps``
builds the same data, model and optimizer as ``core.training.Trainer`` and runs the same mini-batch updates, but
records the mini-batch loss of every step (computed in the forward pass of that step, before its update), and
every ``eval_every`` steps the loss of the whole training and validation sets (eval mode).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from core import data as D
from core import diagnosis
from core import training as T

PRESETS = ("still_learning", "overfitting", "data_problem", "converged", "diverging")

_CONFIGS = {
    "still_learning": T.TrainConfig(dataset="circle", noise=0.1, n_samples=400, hidden=(16,), activation="tanh",
                                    optimizer="sgd", lr=0.5, batch_size=0, epochs=60, seed=0),
    "overfitting": T.TrainConfig(dataset="moons", noise=0.35, n_samples=80, val_fraction=0.5, hidden=(64, 64),
                                 activation="relu", optimizer="adam", lr=0.01, batch_size=0, epochs=400, seed=0),
    "data_problem": T.TrainConfig(dataset="custom", n_samples=400, val_fraction=0.25, hidden=(8,), activation="tanh",
                                  optimizer="adam", lr=0.01, batch_size=0, epochs=150, seed=0),
    "converged": T.TrainConfig(dataset="moons", noise=0.3, n_samples=400, hidden=(8,), activation="tanh",
                               optimizer="adam", lr=0.02, batch_size=0, epochs=300, l2=0.001, seed=0),
    "diverging": T.TrainConfig(dataset="moons", noise=0.2, n_samples=400, hidden=(32, 32), activation="leaky_relu",
                               optimizer="momentum", lr=1.5, batch_size=32, epochs=80, seed=4),
}
AMBIGUOUS_FRACTION = 0.5  # data_problem: share of the training rows replaced by ambiguous boundary points
AMBIGUOUS_SPREAD = 0.8  # ... spread along the boundary, in units of the unit disc (× DATA_SCALE)


def preset_config(name: str, seed: int | None = None) -> T.TrainConfig:
    """The ``TrainConfig`` of preset ``name`` (one of ``PRESETS``), optionally with another seed."""
    if name not in _CONFIGS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    config = _CONFIGS[name]
    return config if seed is None else config.replace(seed=int(seed))


def ambiguous_boundary_data(n_samples: int = 400, val_fraction: float = 0.25, seed: int = 0,
                            fraction: float = AMBIGUOUS_FRACTION, spread: float = AMBIGUOUS_SPREAD):
    """Two Gaussian clusters (``data.make_dataset("gauss", n, 0.05, seed)``) where the first k = 2⌊f·n_train/2⌋ rows
    of the *training* split (the split ``data.train_val_split`` makes with the same seed and fraction) are replaced by
    ambiguous points on the class boundary: x = s · t · (1, −1)/√2 with t ~ U(−spread, spread) (s = DATA_SCALE), each
    t used twice, once with label 0 and once with label 1. The validation rows are untouched (clean and easy).

    Whatever a model predicts at such a pair, its mean loss there is ≥ ln 2 (reached at p = ½), so the train loss
    has a floor near f · ln 2 while the val loss can keep falling. Returns (X float32 (n, 2), y int64 (n,)).
    """
    X, y = D.make_dataset("gauss", n_samples, 0.05, seed)
    train_rows, _, _, _ = D.train_val_split(np.arange(n_samples), y, val_fraction, seed)
    k = 2 * int(fraction * len(train_rows) / 2)
    rows = train_rows[:k]
    rng = np.random.default_rng([seed, 7])
    # x = s · t · (1, −1)/√2, each t twice
    t = np.repeat(rng.uniform(-spread, spread, k // 2), 2) * D.DATA_SCALE
    X, y = X.copy(), y.copy()
    X[rows, 0], X[rows, 1] = t / math.sqrt(2.0), -t / math.sqrt(2.0)
    y[rows] = np.tile([0, 1], k // 2)
    return X.astype(np.float32), y.astype(np.int64)


def preset_data(name: str, seed: int | None = None):
    """The custom data (X, y) a preset trains on, or None when it uses a built-in data set."""
    config = preset_config(name, seed)
    if config.dataset != "custom":
        return None
    return ambiguous_boundary_data(400, config.val_fraction, config.seed)


@dataclass(frozen=True)
class PresetRun:
    """One finished preset: per-epoch ``epochs`` (1, 2, …), ``train_loss`` / ``val_loss`` (the whole sets after
    each epoch; NaN / inf where the run diverged), accuracies, how it stopped, the epoch of the lowest val loss,
    the settings (``settings``: a plain dict) and the training time in seconds."""

    name: str
    epochs: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    stopped_reason: str
    diverged_epoch: int | None
    best_epoch: int | None
    settings: dict
    seconds: float


def run_preset(name: str, seed: int | None = None) -> PresetRun:
    """Train preset ``name`` with ``core.training.train`` and keep its curves (the model is dropped)."""
    config = preset_config(name, seed)
    start = time.perf_counter()
    history = T.train(config, data=preset_data(name, seed))
    seconds = time.perf_counter() - start
    c = history.config
    settings = {"dataset": c.dataset, "noise": c.noise, "n_samples": 400 if c.dataset == "custom" else c.n_samples,
                "val_fraction": c.val_fraction, "hidden": tuple(c.hidden), "activation": c.activation,
                "optimizer": c.optimizer, "lr": c.lr, "batch_size": c.batch_size, "epochs": c.epochs, "l2": c.l2,
                "seed": c.seed}
    return PresetRun(
        name=name,
        epochs=np.asarray(history.epoch, dtype=np.int64),
        train_loss=np.asarray(history.train_loss, dtype=np.float64),
        val_loss=np.asarray(history.val_loss, dtype=np.float64),
        train_acc=np.asarray(history.train_acc, dtype=np.float64),
        val_acc=np.asarray(history.val_acc, dtype=np.float64),
        stopped_reason="diverged" if history.diverged_epoch is not None else str(history.stopped_reason),
        diverged_epoch=history.diverged_epoch,
        best_epoch=history.best_epoch,
        settings=settings,
        seconds=seconds,
    )


def diagnose_run(run: PresetRun, window_frac: float = diagnosis.WINDOW_FRAC) -> diagnosis.Diagnosis:
    """``core.diagnosis.diagnose`` of a preset's train and val curves (per epoch)."""
    return diagnosis.diagnose(run.train_loss, run.val_loss, window_frac=window_frac)


def curves_csv(steps, train_loss, val_loss, step_name: str = "epoch") -> str:
    """Curves as CSV text with the header ``<step_name>,train_loss,val_loss`` (what ``core.curves_io`` reads);
    rows from the first non-finite loss on are left out (a CSV of losses holds finite numbers only)."""
    steps, train, val = (np.asarray(a, dtype=np.float64) for a in (steps, train_loss, val_loss))
    ok = np.isfinite(train) & np.isfinite(val)
    n = int(np.argmin(ok)) if not ok.all() else ok.size
    lines = [f"{step_name},train_loss,val_loss"]
    lines += [f"{int(s) if float(s).is_integer() else s:g},{a:.6g},{b:.6g}"
              for s, a, b in zip(steps[:n], train[:n], val[:n])]
    return "\n".join(lines) + "\n"


def sample_paste(points: int = 30) -> str:
    """A short example for the paste box: two lines of numbers (train, then val) shaped like an overfitting run,
    L_train(t) = 0.05 + 0.65 e^{−t/6} and L_val(t) = 0.25 + 0.45 e^{−t/6} + 0.012 t, with a fixed ±3 % wobble."""
    t = np.arange(points, dtype=np.float64)
    wobble = 1.0 + 0.03 * np.sin(2.3 * t + 0.5)
    # L_train = 0.05 + 0.65 e^{−t/6}
    train = (0.05 + 0.65 * np.exp(-t / 6.0)) * wobble
    # L_val = 0.25 + 0.45 e^{−t/6} + 0.012 t
    val = (0.25 + 0.45 * np.exp(-t / 6.0) + 0.012 * t) * wobble[::-1]
    return "\n".join(", ".join(f"{v:.3f}" for v in curve) for curve in (train, val))


def finite_curve(x, y, floor: float = 1e-8):
    """The points of a curve that can be drawn on a log axis: finite, and max(y, floor)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    ok = np.isfinite(y)
    return x[ok], np.maximum(y[ok], floor)


# --- the convergence run: every step's mini-batch loss ----------------------------------------------------------------
BATCH_SIZES = (8, 32, 128)
TOTAL_STEPS = 1000
EVAL_EVERY = 10


def convergence_config(batch_size: int = 32) -> T.TrainConfig:
    """The convergence page's run: moons (n = 400, noise 0.3, 320 training points), a 32-32 tanh net, Adam
    η = 0.01, ``TOTAL_STEPS`` steps; ``batch_size`` one of ``BATCH_SIZES``."""
    if batch_size not in BATCH_SIZES:
        raise ValueError(f"batch_size must be one of {BATCH_SIZES}, got {batch_size!r}")
    return T.TrainConfig(dataset="moons", noise=0.3, n_samples=400, hidden=(32, 32), activation="tanh",
                         optimizer="adam", lr=0.01, batch_size=int(batch_size), epochs=T.MAX_EPOCHS, seed=0)


@dataclass(frozen=True)
class StepRun:
    """A mini-batch run recorded step by step.

    ``batch_loss[t]`` (t = 0 … total_steps): the loss of the mini-batch used at step t, computed in that step's
    forward pass (before its update). Every ``eval_every`` steps (``check_steps`` = 0, e, 2e, …) the loss of the
    whole training set (``check_train``) and validation set (``check_val``) in eval mode, before that step's update.
    """

    batch_size: int
    steps_per_epoch: int
    eval_every: int
    steps: np.ndarray
    batch_loss: np.ndarray
    check_steps: np.ndarray
    check_train: np.ndarray
    check_val: np.ndarray
    seconds: float


def run_steps(config: T.TrainConfig, total_steps: int = TOTAL_STEPS, eval_every: int = EVAL_EVERY,
              data=None) -> StepRun:
    """Train ``config`` for ``total_steps + 1`` mini-batch steps and record every step's batch loss.

    Setup as ``core.training.Trainer`` (validated config, data, standardisation, seeded model, ``torch.optim``
    optimizer, seeded batch order); each step is J = L(model(X_B), y_B) + λ₁ Σ|w| + λ₂ Σ w², g = ∇J, one optimizer
    step (no clipping). ``1 ≤ total_steps ≤ 20 000``, ``1 ≤ eval_every ≤ total_steps``.
    """
    total_steps, eval_every = int(total_steps), int(eval_every)
    if not 1 <= total_steps <= 20_000:
        raise ValueError(f"total_steps must be in [1, 20000], got {total_steps}")
    if not 1 <= eval_every <= total_steps:
        raise ValueError(f"eval_every must be in [1, total_steps], got {eval_every}")
    torch.set_num_threads(1)
    start = time.perf_counter()
    trainer = T.Trainer(config, data)
    cfg, model, optimizer = trainer.config, trainer.model, trainer.optimizer
    weights = [layer.weight for layer in model.linears()] if (cfg.l1 or cfg.l2) else []
    batch_losses = np.empty(total_steps + 1)
    checks = []
    t = 0
    while t <= total_steps:
        for idx in T.batch_indices(trainer.n_train, cfg.batch_size, trainer.generator, cfg.norm == "batch"):
            if t > total_steps:
                break
            if t % eval_every == 0:
                stats = T.evaluate(model, trainer.X_all, trainer.y_all, trainer.n_train, cfg.loss).tolist()
                checks.append((t, stats[0], stats[1]))
            T.set_mode(model, True)
            xb, yb = (trainer.X_train, trainer.y_train) if idx is None else (trainer.X_train[idx],
                                                                               trainer.y_train[idx])
            optimizer.zero_grad()
            # L_B = mean loss of the mini-batch B
            loss = T.data_loss(model(xb), yb, cfg.loss)
            objective = loss + T.penalty(weights, cfg.l1, cfg.l2) if weights else loss
            objective.backward()
            optimizer.step()
            batch_losses[t] = loss.item()
            t += 1
    check = np.array(checks, dtype=np.float64)
    per_epoch = len(T.batch_indices(trainer.n_train, cfg.batch_size, torch.Generator().manual_seed(0)))
    return StepRun(batch_size=cfg.batch_size, steps_per_epoch=per_epoch, eval_every=eval_every,
                   steps=np.arange(total_steps + 1),
                   batch_loss=batch_losses, check_steps=check[:, 0].astype(np.int64), check_train=check[:, 1],
                   check_val=check[:, 2], seconds=time.perf_counter() - start)


def run_convergence(batch_size: int = 32) -> StepRun:
    """``run_steps(convergence_config(batch_size))``: the run the convergence page shows."""
    return run_steps(convergence_config(batch_size))


def early_stopping(val_loss, patience: int) -> tuple[int, int | None]:
    """Early stopping on a validation curve checked at indices k = 0, 1, …: keep the best k* = argmin so far; stop
    at the first k with k − k* ≥ patience (``patience`` checks without a new minimum).

    Returns (k*, k_stop): the best index up to the stop (the weights one keeps) and the stop index, or None when
    the curve ends first (then k* is the best of the whole curve). Non-finite values never count as a minimum.
    ``patience ≥ 1``.
    """
    if int(patience) != patience or patience < 1:
        raise ValueError(f"patience must be an integer ≥ 1, got {patience}")
    v = np.asarray(val_loss, dtype=np.float64)
    if v.ndim != 1 or v.size == 0:
        raise ValueError("val_loss must be a non-empty 1-D sequence")
    best_k, best = 0, math.inf
    for k, value in enumerate(v):
        if math.isfinite(value) and value < best:
            best_k, best = k, float(value)
        elif k - best_k >= patience:
            return best_k, k
    return best_k, None


@dataclass(frozen=True)
class StopPoint:
    """Where a stopping rule ends a curve: ``step`` (None: never), ``reason`` ("loss_change_below_eps",
    "max_steps", "not_converged"), the losses compared (L_t and L_{t−w}) and the whole-training-set loss at the
    nearest check before the stop (what the model really has there); ``before_step`` = t − w; ``change`` =
    |L_t − L_{t−w}|."""

    step: int | None
    reason: str
    loss_now: float | None
    before_step: int | None
    loss_before: float | None
    change: float | None
    true_train_loss: float | None


@dataclass(frozen=True)
class ConvergenceView:
    """Everything the convergence page shows for one setting, as plain arrays: the raw and smoothed batch loss,
    the stop of the ε rule on each, the iteration cap, and early stopping on the val checks (``best_step``: the
    check with the lowest val loss before patience ran out; ``patience_step``: where it ran out, None if never);
    ``raw_wobble`` / ``smooth_wobble``: see ``wobble``; ``smooth_points``: the running median's width (None for
    the EMA); ``raw_fooled``: the ε rule fired on the raw curve before it fired on the smoothed one (or the
    smoothed one never met ε)."""

    steps: np.ndarray
    raw: np.ndarray
    smoothed: np.ndarray
    check_steps: np.ndarray
    check_val: np.ndarray
    check_train: np.ndarray
    raw_stop: StopPoint
    smooth_stop: StopPoint
    max_steps: int
    best_step: int
    best_val: float
    patience_step: int | None
    final_train: float
    min_true_train: float
    raw_wobble: float
    smooth_wobble: float
    smooth_points: int | None
    raw_fooled: bool


def wobble(curve, window: int) -> float:
    """How much a curve moves over ``window`` steps once the trend is gone: the median of |L_t − L_{t−w}| over the
    second half of the curve. An ε below this fires by chance on noise alone."""
    a = np.asarray(curve, dtype=np.float64)
    t = np.arange(max(window, a.size // 2), a.size)
    if t.size == 0:
        return float("nan")
    # median over t of |L_t − L_{t−w}|
    return float(np.median(np.abs(a[t] - a[t - window])))


def _stop_point(curve: np.ndarray, run: StepRun, eps: float, window: int, max_steps: int) -> StopPoint:
    t, reason = diagnosis.converged(curve, eps, window, max_steps)
    if t is None:
        return StopPoint(None, reason, None, None, None, None, None)
    before_step = t - window if t >= window else None
    before = float(curve[before_step]) if before_step is not None else None
    # |L_t − L_{t−w}|
    change = abs(float(curve[t]) - before) if before is not None else None
    k = int(np.searchsorted(run.check_steps, t, side="right")) - 1
    return StopPoint(int(t), reason, float(curve[t]), before_step, before, change, float(run.check_train[k]))


def convergence_view(run: StepRun, eps: float, window: int, max_steps: int, method: str = "ema",
                     strength: float = 0.9, patience: int = 5) -> ConvergenceView:
    """Apply the stopping rules to ``run``: ``diagnosis.converged`` (|L_t − L_{t−w}| < ε, cap at ``max_steps``) on
    the raw batch losses and on ``diagnosis.smooth(raw, method, strength)``, and ``early_stopping`` with
    ``patience`` checks on the val loss."""
    raw = np.asarray(run.batch_loss, dtype=np.float64)
    smoothed = diagnosis.smooth(raw, method, strength)
    best_k, stop_k = early_stopping(run.check_val, patience)
    raw_stop, smooth_stop = (_stop_point(raw, run, eps, window, max_steps),
                             _stop_point(smoothed, run, eps, window, max_steps))
    eps_stop = "loss_change_below_eps"
    return ConvergenceView(
        steps=run.steps, raw=raw, smoothed=smoothed, check_steps=run.check_steps, check_val=run.check_val,
        check_train=run.check_train,
        raw_stop=raw_stop, smooth_stop=smooth_stop,
        max_steps=int(max_steps), best_step=int(run.check_steps[best_k]), best_val=float(run.check_val[best_k]),
        patience_step=None if stop_k is None else int(run.check_steps[stop_k]),
        final_train=float(run.check_train[-1]), min_true_train=float(np.min(run.check_train)),
        raw_wobble=wobble(raw, window), smooth_wobble=wobble(smoothed, window),
        # the running median covers 2h + 1 steps, h = round(50 · strength)
        smooth_points=2 * int(round(50 * strength)) + 1 if method == "median" else None,
        raw_fooled=raw_stop.reason == eps_stop and (smooth_stop.reason != eps_stop or raw_stop.step < smooth_stop.step))


def thin(x, *arrays, max_points: int = 1000):
    """Every s-th point (s = ⌈n / max_points⌉), the last one always kept: a long curve cut down for a chart."""
    x = np.asarray(x)
    s = max(1, -(-x.size // max_points))
    idx = np.arange(0, x.size, s)
    if idx[-1] != x.size - 1:
        idx = np.append(idx, x.size - 1)
    return (x[idx],) + tuple(np.asarray(a)[idx] for a in arrays)
