"""What the playground page shows of a run, as plain arrays: the decision boundary on a grid, the hidden units' maps,
the curves, how the run ended, the parameter count per layer, a side-by-side comparison; and ``LiveRun``, a
student's run that advances a few epochs at a time and recomputes its views only when it has moved.

numpy (and torch through ``core.training``) only: the page turns these arrays into charts.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from core import data as D
from core import nets
from core.training import History, Trainer, train_many

BOUNDARY_RESOLUTION = 50  # cells per axis of the decision-boundary map
UNIT_RESOLUTION = 12  # cells per axis of each hidden unit's map
MAX_UNITS_SHOWN = 16  # per layer
STOP_CODES = ("running", "max_epochs", "converged", "early_stopping", "time_budget", "diverged")


# --- the decision boundary -------------------------------------------------------------------------------------------
@dataclass
class BoundaryView:
    """A probability map on an r × r grid of cells and the data points.

    Cell (i, j) is centred on (x0 + i·dx, y0 + j·dy); ``cls`` is its predicted class argmax p and ``certainty`` =
    (max p − 1/C) / (1 − 1/C) ∈ [0, 1] (0: all classes equally likely, 1: sure), NaN where the net's output is not
    finite. Points: raw coordinates, label and split (0 = training, 1 = validation).
    """
    resolution: int
    x0: float
    dx: float
    y0: float
    dy: float
    i: np.ndarray
    j: np.ndarray
    cls: np.ndarray
    prob: np.ndarray
    certainty: np.ndarray
    finite: bool
    n_classes: int
    px: np.ndarray
    py: np.ndarray
    label: np.ndarray
    split: np.ndarray
    x_range: tuple
    y_range: tuple


def certainty(probabilities):
    """c = (max_k p_k − 1/C) / (1 − 1/C) per row of p (n, C): 0 when every class has 1/C, 1 for a one-hot row."""
    C = probabilities.shape[1]
    # c = (max p − 1/C) / (1 − 1/C)
    return (probabilities.max(axis=1) - 1.0 / C) / (1.0 - 1.0 / C)


def boundary_view(trainer: Trainer, resolution: int = BOUNDARY_RESOLUTION) -> BoundaryView:
    """``trainer.predict_proba`` on the grid of ``data.make_grid`` over all points (train ∪ val)."""
    p = trainer.prepared
    raw = np.concatenate([p.raw_train, p.raw_val])
    g1, g2, grid = D.make_grid(raw, resolution)
    probs = trainer.predict_proba(grid)
    finite_rows = np.isfinite(probs).all(axis=1)
    safe = np.where(finite_rows[:, None], probs, 1.0 / probs.shape[1])
    r = resolution
    dx = float(g1[1] - g1[0]) if r > 1 else 1.0
    dy = float(g2[1] - g2[0]) if r > 1 else 1.0
    return BoundaryView(
        resolution=r, x0=float(g1[0]), dx=dx, y0=float(g2[0]), dy=dy,
        i=np.tile(np.arange(r, dtype=np.int16), r), j=np.repeat(np.arange(r, dtype=np.int16), r),
        cls=safe.argmax(axis=1).astype(np.int8),
        prob=np.where(finite_rows, safe.max(axis=1), np.nan).astype(np.float32),
        certainty=np.where(finite_rows, certainty(safe), np.nan).astype(np.float32),
        finite=bool(finite_rows.all()), n_classes=int(probs.shape[1]),
        px=raw[:, 0].astype(np.float32), py=raw[:, 1].astype(np.float32),
        label=np.concatenate([p.y_train, p.y_val]).astype(np.int8),
        split=np.repeat(np.array([0, 1], dtype=np.int8), [len(p.y_train), len(p.y_val)]),
        x_range=(float(g1[0] - dx / 2), float(g1[-1] + dx / 2)),
        y_range=(float(g2[0] - dy / 2), float(g2[-1] + dy / 2)),
    )


# --- the hidden units ------------------------------------------------------------------------------------------------
@dataclass
class UnitMaps:
    """The first ``shown`` units of hidden layer ``layer`` (1 = first) as maps on an r × r grid: ``a`` holds unit 1's
    r² values, then unit 2's, …; within a unit, grid point g = j·r + i (x₂ index j outer, x₁ index i inner, as
    ``data.make_grid``). NaN where not finite. ``scale`` = max |a| over the shown maps (for a colour scale symmetric
    around 0)."""
    layer: int
    width: int
    shown: int
    resolution: int
    a: np.ndarray
    scale: float


def unit_maps(trainer: Trainer, resolution: int = UNIT_RESOLUTION, cap: int = MAX_UNITS_SHOWN) -> list[UnitMaps]:
    """The output of every unit of the first and the last hidden layer (one entry if they are the same layer, none
    without hidden layers), at most ``cap`` units each."""
    p = trainer.prepared
    _, _, grid = D.make_grid(np.concatenate([p.raw_train, p.raw_val]), resolution)
    layers = trainer.hidden_unit_maps(grid)
    if not layers:
        return []
    chosen = [0] if len(layers) == 1 else [0, len(layers) - 1]
    r, out = resolution, []
    for index in chosen:
        values = layers[index]  # (r², width)
        shown = min(cap, values.shape[1])
        a = values[:, :shown].T.astype(np.float32)  # (shown, r²)
        finite = a[np.isfinite(a)]
        scale = float(np.abs(finite).max()) if finite.size else 1.0
        out.append(UnitMaps(
            layer=index + 1, width=int(values.shape[1]), shown=shown, resolution=r,
            a=np.where(np.isfinite(a), a, np.nan).reshape(-1), scale=scale if scale > 0 else 1.0))
    return out


# --- curves and the end of a run -------------------------------------------------------------------------------------
def _finite_or_nan(values) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(array), array, np.nan).astype(np.float32)


def curves(history: History, max_points: int | None = None) -> dict[str, np.ndarray]:
    """Per epoch: epoch, train_loss, val_loss, train_acc, val_acc (NaN where not finite). With ``max_points``, every
    s-th epoch with s = ⌈n / max_points⌉, and always the last one; the values shown are the exact ones."""
    n = history.n_epochs
    rows = np.arange(n)
    if max_points and n > max_points:
        stride = math.ceil(n / max_points)
        rows = np.unique(np.append(rows[::stride], n - 1))
    out = {"epoch": np.asarray(history.epoch, dtype=np.int32)[rows] if n else np.zeros(0, np.int32)}
    for name in ("train_loss", "val_loss", "train_acc", "val_acc"):
        out[name] = _finite_or_nan(getattr(history, name))[rows] if n else np.zeros(0, np.float32)
    return out


def stop_state(history: History) -> tuple[str, int]:
    """(code, epoch): code is "running" while no stop rule has fired, else one of max_epochs, converged,
    early_stopping, time_budget, diverged; epoch is the last epoch trained (the diverging one for diverged)."""
    reason = history.stopped_reason
    if reason is None:
        return "running", history.n_epochs
    if history.diverged_epoch is not None or reason.startswith("diverged"):
        return "diverged", history.diverged_epoch or history.n_epochs
    return (reason if reason in STOP_CODES else "running"), history.n_epochs


def last_values(history: History) -> dict[str, float] | None:
    """The last epoch's train/val loss and accuracy, or None before the first epoch."""
    if not history.n_epochs:
        return None
    return {name: float(getattr(history, name)[-1]) for name in ("train_loss", "val_loss", "train_acc", "val_acc")}


# --- parameters ------------------------------------------------------------------------------------------------------
def parameter_rows(model) -> list[dict]:
    """Per linear layer (hidden first, output last): name ("hidden1", …, "output"), index (1, 2, …), hidden or not,
    fan-in, fan-out, weights n_in·n_out, biases, norm scales (γ and β of its norm), and their sum."""
    rows = []
    blocks = list(model.hidden_blocks)
    for index, linear in enumerate(model.linears()):
        block = blocks[index] if index < len(blocks) else None
        norm = sum(p.numel() for p in block.norm.parameters()) if block is not None else 0
        weights = linear.weight.numel()
        biases = linear.bias.numel() if linear.bias is not None else 0
        rows.append({"layer": f"hidden{index + 1}" if block is not None else "output", "index": index + 1,
                     "hidden": block is not None, "fan_in": linear.in_features, "fan_out": linear.out_features,
                     "weights": weights, "biases": biases, "norm_scales": norm, "total": weights + biases + norm})
    return rows


def parameter_counts(model) -> dict[str, int]:
    """``nets.count_parameters``: weights, biases, norm_scales, total."""
    return nets.count_parameters(model)


# --- a comparison ----------------------------------------------------------------------------------------------------
@dataclass
class Comparison:
    """Two runs trained side by side: long rows (run 0/1, split 0 = training / 1 = validation, epoch, loss, acc)
    and each run's (stop code, epoch) and last values."""
    run: np.ndarray
    split: np.ndarray
    epoch: np.ndarray
    loss: np.ndarray
    acc: np.ndarray
    stops: list = field(default_factory=list)
    finals: list = field(default_factory=list)


def compare(config_a, config_b, data=None, max_points: int = 500) -> Comparison:
    """``train_many([a, b])`` (stacked into one batched run when the two share architecture, batch size, optimizer,
    loss and clip mode), as long rows for one overlaid chart."""
    histories = train_many([config_a, config_b], data=data)
    parts = {"run": [], "split": [], "epoch": [], "loss": [], "acc": []}
    for run, history in enumerate(histories):
        c = curves(history, max_points)
        for split, prefix in enumerate(("train", "val")):
            n = len(c["epoch"])
            parts["run"].append(np.full(n, run, np.int8))
            parts["split"].append(np.full(n, split, np.int8))
            parts["epoch"].append(c["epoch"])
            parts["loss"].append(c[f"{prefix}_loss"])
            parts["acc"].append(c[f"{prefix}_acc"])
    return Comparison(**{k: np.concatenate(v) for k, v in parts.items()},
                      stops=[stop_state(h) for h in histories], finals=[last_values(h) for h in histories])


# --- a student's live run --------------------------------------------------------------------------------------------
@dataclass
class Views:
    epoch: int
    boundary: BoundaryView
    units: list
    curves: dict


class LiveRun:
    """One student's run: a ``Trainer`` (built from ``config`` and ``data``), whether it is playing, epochs asked
    for by a Step, and the views of its current state, recomputed only after the run has moved. ``key`` identifies
    the settings it was built from: a page builds a new run when its settings change."""

    def __init__(self, key, config, data=None):
        self.key, self.config, self.data = key, config, data
        self.trainer = Trainer(config, data)
        self.playing = False
        self.pending = 0
        self._views: Views | None = None
        self.compute_s = 0.0

    @property
    def done(self) -> bool:
        return self.trainer.done

    @property
    def epoch(self) -> int:
        return self.trainer.history.n_epochs

    def advance(self, epochs: int, budget_s: float, clock=time.perf_counter) -> int:
        """Train up to ``epochs`` more epochs one by one, stopping early after ``budget_s`` seconds or on a stop
        rule; returns the epochs done."""
        start, done = clock(), 0
        while done < epochs and not self.trainer.done:
            self.trainer.step(1)
            done += 1
            if clock() - start >= budget_s:
                break
        if self.trainer.done:
            self.playing = False
        self.compute_s = clock() - start
        return done

    def views(self) -> Views:
        """Boundary, unit maps and curves of the current state (cached until the next epoch)."""
        if self._views is None or self._views.epoch != self.epoch:
            self._views = Views(self.epoch, boundary_view(self.trainer), unit_maps(self.trainer),
                                curves(self.trainer.history))
        return self._views
