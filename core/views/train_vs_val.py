"""What the train-vs-val page shows: five real training runs, one for each row of the note's train/val table
(``run_preset``), diagnosed by ``core.diagnosis``, and helpers for the student's own curves.

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
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from core import data as D
from core import diagnosis, training
from core.views._shared import finite_curve  # noqa: E402,F401  (the page draws its curves with it)

PRESETS = ("still_learning", "overfitting", "data_problem", "converged", "diverging")

Config = training.TrainConfig
_CONFIGS = {
    "still_learning": Config(dataset="circle", noise=0.1, n_samples=400, hidden=(16,), activation="tanh",
                             optimizer="sgd", lr=0.5, batch_size=0, epochs=60, seed=0),
    "overfitting": Config(dataset="moons", noise=0.35, n_samples=80, val_fraction=0.5, hidden=(64, 64),
                          activation="relu", optimizer="adam", lr=0.01, batch_size=0, epochs=400, seed=0),
    "data_problem": Config(dataset="custom", n_samples=400, val_fraction=0.25, hidden=(8,), activation="tanh",
                           optimizer="adam", lr=0.01, batch_size=0, epochs=150, seed=0),
    "converged": Config(dataset="moons", noise=0.3, n_samples=400, hidden=(8,), activation="tanh",
                        optimizer="adam", lr=0.02, batch_size=0, epochs=300, l2=0.001, seed=0),
    "diverging": Config(dataset="moons", noise=0.2, n_samples=400, hidden=(32, 32), activation="leaky_relu",
                        optimizer="momentum", lr=1.5, batch_size=32, epochs=80, seed=4),
}
AMBIGUOUS_FRACTION = 0.5  # data_problem: share of the training rows replaced by ambiguous boundary points
AMBIGUOUS_SPREAD = 0.8  # ... spread along the boundary, in units of the unit disc (× DATA_SCALE)


def preset_config(name: str, seed: int | None = None) -> training.TrainConfig:
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
    history = training.train(config, data=preset_data(name, seed))
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


def thin(x, *arrays, max_points: int = 1000):
    """Every s-th point (s = ⌈n / max_points⌉), the last one always kept: a long curve cut down for a chart."""
    x = np.asarray(x)
    s = max(1, -(-x.size // max_points))
    idx = np.arange(0, x.size, s)
    if idx[-1] != x.size - 1:
        idx = np.append(idx, x.size - 1)
    return (x[idx],) + tuple(np.asarray(a)[idx] for a in arrays)
