"""Toy 2-D data sets, the train/validation split, standardisation, hand-made features and a student's own CSV.

numpy only (pages that only show data never import torch). Every data set is generated in a unit disc, jittered with
Gaussian noise and scaled by ``DATA_SCALE`` (so coordinates lie roughly in [−5, 5], as in the TensorFlow playground,
and sin x₁ / sin x₂ span more than one period). Labels are int64 class indices 0 … k−1; X is float32 of shape (n, 2).

Limits live here: ``make_dataset`` refuses more than ``MAX_SAMPLES`` points, ``load_csv`` refuses anything that is not
a small, clean, comma-separated table. Both raise ``core.errors.InputError`` (a ``ValueError``) with a stable code.
"""
from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Sequence
from typing import IO

import numpy as np

from core.errors import InputError, check_integer, check_number

DATA_SCALE = 5.0
MIN_SAMPLES, MAX_SAMPLES = 20, 2000
MAX_NOISE = 1.0
MIN_BLOB_CLASSES, MAX_BLOB_CLASSES = 3, 5
MIN_VAL_FRACTION, MAX_VAL_FRACTION = 0.05, 0.5

CSV_MAX_BYTES = 1_000_000
CSV_MIN_ROWS, CSV_MAX_ROWS = 10, 5000
CSV_MAX_CLASSES = 10
CSV_MAX_ABS = 1e6

DATASETS = {
    "circle": "Circle (a disc inside a ring)",
    "xor": "XOR (opposite quadrants)",
    "gauss": "Two Gaussian clusters",
    "spiral": "Two spirals",
    "moons": "Two moons",
    "blobs": "Blobs (3–5 classes)",
}
FEATURES = {"x1sq": "x₁²", "x2sq": "x₂²", "x1x2": "x₁x₂", "sinx1": "sin x₁", "sinx2": "sin x₂"}


# --- generators: unit-scale points X₀ and labels, class by class (no noise, no shuffling) -----------------------------
def class_sizes(n_samples: int, n_classes: int) -> list[int]:
    """Split n points into k classes as evenly as possible: n_c = ⌊n/k⌋ + [c < n mod k]."""
    # n_c = ⌊n/k⌋ + [c < n mod k]
    return [n_samples // n_classes + (c < n_samples % n_classes) for c in range(n_classes)]


def circle(n_samples: int, rng: np.random.Generator, n_classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Class 0: a disc r ~ U(0, 0.5); class 1: a ring r ~ U(0.7, 1); angle θ ~ U(0, 2π); x = (r cos θ, r sin θ)."""
    n0, n1 = class_sizes(n_samples, 2)
    r = np.concatenate([rng.uniform(0.0, 0.5, n0), rng.uniform(0.7, 1.0, n1)])
    theta = rng.uniform(0.0, 2 * np.pi, n_samples)
    # x = (r cos θ, r sin θ)
    X = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    return X, np.repeat([0, 1], [n0, n1])


def xor(n_samples: int, rng: np.random.Generator, n_classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """|xᵢ| ~ U(0.05, 1) with signs s₁, s₂; class 0 when s₁ = s₂ (quadrants I and III), class 1 otherwise."""
    n0, n1 = class_sizes(n_samples, 2)
    magnitude = rng.uniform(0.05, 1.0, (n_samples, 2))
    s1 = rng.choice([-1.0, 1.0], n_samples)
    # s₂ = s₁ for class 0, s₂ = −s₁ for class 1
    s2 = np.concatenate([s1[:n0], -s1[n0:]])
    return magnitude * np.stack([s1, s2], axis=1), np.repeat([0, 1], [n0, n1])


def gauss(n_samples: int, rng: np.random.Generator, n_classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clusters: x ~ N(±(0.5, 0.5), 0.2² I)."""
    n0, n1 = class_sizes(n_samples, 2)
    centres = np.repeat([[0.5, 0.5], [-0.5, -0.5]], [n0, n1], axis=0)
    # x = μ_c + 0.2 ε
    return centres + 0.2 * rng.standard_normal((n_samples, 2)), np.repeat([0, 1], [n0, n1])


def spiral(n_samples: int, rng: np.random.Generator, n_classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals: t ~ U(0.05, 1), r = t, θ = 1.5 · 2π t + cπ, x = (r sin θ, r cos θ)."""
    n0, n1 = class_sizes(n_samples, 2)
    t = rng.uniform(0.05, 1.0, n_samples)
    c = np.repeat([0, 1], [n0, n1])
    # θ = 1.5 · 2π t + c π
    theta = 1.5 * 2 * np.pi * t + c * np.pi
    # x = (t sin θ, t cos θ)
    return np.stack([t * np.sin(theta), t * np.cos(theta)], axis=1), c


def moons(n_samples: int, rng: np.random.Generator, n_classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (sklearn's moons): (cos θ, sin θ) and (1 − cos θ, ½ − sin θ), θ ~ U(0, π),
    centred by (½, ¼) and scaled by 1/1.5 into the unit disc."""
    n0, n1 = class_sizes(n_samples, 2)
    theta = rng.uniform(0.0, np.pi, n_samples)
    upper = np.stack([np.cos(theta[:n0]), np.sin(theta[:n0])], axis=1)
    lower = np.stack([1 - np.cos(theta[n0:]), 0.5 - np.sin(theta[n0:])], axis=1)
    # x = (x_moon − (½, ¼)) / 1.5
    X = (np.concatenate([upper, lower]) - np.array([0.5, 0.25])) / 1.5
    return X, np.repeat([0, 1], [n0, n1])


def blobs(n_samples: int, rng: np.random.Generator, n_classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """k Gaussian blobs on a circle: μ_c = 0.6 (cos 2πc/k, sin 2πc/k), x ~ N(μ_c, 0.15² I)."""
    sizes = class_sizes(n_samples, n_classes)
    angle = 2 * np.pi * np.arange(n_classes) / n_classes
    # μ_c = 0.6 (cos 2πc/k, sin 2πc/k)
    centres = 0.6 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    labels = np.repeat(np.arange(n_classes), sizes)
    # x = μ_c + 0.15 ε
    return centres[labels] + 0.15 * rng.standard_normal((n_samples, 2)), labels


GENERATORS = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral, "moons": moons, "blobs": blobs}


def sample(generator: Callable[[int, np.random.Generator, int], tuple[np.ndarray, np.ndarray]], n_samples: int,
           noise: float, seed: int, n_classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Draw a data set: X = s · (X₀ + σ ε), ε ~ N(0, I), s = DATA_SCALE, σ = noise;
    rows shuffled; rng seeded by seed."""
    rng = np.random.default_rng(seed)
    X, y = generator(n_samples, rng, n_classes)
    # X = s · (X₀ + σ ε)
    X = DATA_SCALE * (X + noise * rng.standard_normal(X.shape))
    order = rng.permutation(n_samples)
    return X[order].astype(np.float32), y[order].astype(np.int64)


def make_dataset(name: str, n_samples: int = 400, noise: float = 0.05, seed: int = 0,
                 n_classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """A toy data set: X float32 (n, 2), y int64 (n,); X = s · (X₀ + σ ε) with X₀ from the generator of ``name``.

    ``name`` is a key of ``DATASETS``; ``n_classes`` (3–5) only matters for "blobs", the others have two classes.
    ``MIN_SAMPLES ≤ n_samples ≤ MAX_SAMPLES`` and ``0 ≤ noise ≤ MAX_NOISE`` (σ is in units of the unit disc);
    anything else raises ``ValueError``. The same arguments always give the same arrays.
    """
    if name not in GENERATORS:
        raise InputError("unknown_dataset", f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}",
                         name=str(name)[:40])
    n_samples = check_integer("n_samples", n_samples, MIN_SAMPLES, MAX_SAMPLES)
    noise = check_number("noise", noise, 0.0, MAX_NOISE)
    seed = check_integer("seed", seed, 0, 2**32 - 1)
    if name == "blobs":
        n_classes = check_integer("n_classes", n_classes, MIN_BLOB_CLASSES, MAX_BLOB_CLASSES)
    else:
        n_classes = 2
    return sample(GENERATORS[name], n_samples, noise, seed, n_classes)


def n_val_samples(n_samples: int, val_fraction: float) -> int:
    """Size of the validation set: n_val = round(n · f), kept within [1, n − 1]."""
    # n_val = round(n · f) ∈ [1, n − 1]
    return min(max(int(round(n_samples * val_fraction)), 1), n_samples - 1)


def train_val_split(X: np.ndarray, y: np.ndarray, val_fraction: float = 0.2,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random split: a permutation π (rng seeded by (seed, 1)); validation = the first n_val = round(n · f) rows of
    X[π], training = the rest. Returns (X_train, y_train, X_val, y_val)."""
    n = len(X)
    if len(y) != n or n < 2:
        raise InputError("bad_shape", "X and y must have the same length, at least 2", name="X, y")
    f = check_number("val_fraction", val_fraction, MIN_VAL_FRACTION, MAX_VAL_FRACTION)
    order = np.random.default_rng([seed, 1]).permutation(n)
    n_val = n_val_samples(n, f)
    val, train = order[:n_val], order[n_val:]
    return X[train], y[train], X[val], y[val]


def standardize(X_train: np.ndarray, X_val: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """z = (x − μ) / σ per column, with μ and σ from the training set only (σ = 1 where a column is constant).

    Returns (Z_train, Z_val, μ, σ); apply the same μ, σ to any later input (a grid for a decision-boundary map).
    """
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std < 1e-8, 1.0, std)
    # z = (x − μ) / σ
    return ((X_train - mean) / std).astype(np.float32), ((X_val - mean) / std).astype(np.float32), \
        mean.astype(np.float32), std.astype(np.float32)


def add_features(X: np.ndarray, features: Sequence[str] = ()) -> np.ndarray:
    """[x₁, x₂] followed by the hand-made features named in ``features``, in that order:
    "x1sq" = x₁², "x2sq" = x₂², "x1x2" = x₁x₂, "sinx1" = sin x₁, "sinx2" = sin x₂. Returns float32 (n, 2 + m)."""
    x1, x2 = X[:, 0], X[:, 1]
    formulas = {
        "x1sq": lambda: x1 * x1,  # x₁²
        "x2sq": lambda: x2 * x2,  # x₂²
        "x1x2": lambda: x1 * x2,  # x₁x₂
        "sinx1": lambda: np.sin(x1),  # sin x₁
        "sinx2": lambda: np.sin(x2),  # sin x₂
    }
    unknown = [f for f in features if f not in formulas]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; choose from {list(formulas)}")
    columns = [x1, x2] + [formulas[f]() for f in features]
    return np.stack(columns, axis=1).astype(np.float32)


def make_grid(X: np.ndarray, resolution: int = 60,
              margin: float = 0.1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A square grid over the data: g = linspace(min − m·w, max + m·w, r) per axis (w = max − min), and its r² points
    as float32 (r², 2) in row-major order (x₂ outer, x₁ inner): returns (g₁, g₂, points)."""
    X = np.asarray(X, dtype=np.float64)
    low, high = X.min(axis=0), X.max(axis=0)
    width = np.maximum(high - low, 1e-6)
    # g = linspace(min − m·w, max + m·w, r)
    g1 = np.linspace(low[0] - margin * width[0], high[0] + margin * width[0], resolution)
    g2 = np.linspace(low[1] - margin * width[1], high[1] + margin * width[1], resolution)
    xx, yy = np.meshgrid(g1, g2)
    return g1, g2, np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32)


# --- a student's own data ---------------------------------------------------------------------------------------------
def _csv_bytes(file_or_bytes):
    if isinstance(file_or_bytes, (bytes, bytearray, memoryview)):
        return bytes(file_or_bytes)
    if isinstance(file_or_bytes, os.PathLike) or (isinstance(file_or_bytes, str) and "\n" not in file_or_bytes
                                                  and os.path.isfile(file_or_bytes)):
        if os.path.getsize(file_or_bytes) > CSV_MAX_BYTES:
            raise InputError("csv_too_big", f"the file is larger than {CSV_MAX_BYTES // 1_000_000} MB",
                             limit=CSV_MAX_BYTES)
        with open(file_or_bytes, "rb") as handle:
            return handle.read()
    if isinstance(file_or_bytes, str):
        return file_or_bytes.encode("utf-8")
    if hasattr(file_or_bytes, "getvalue"):  # Streamlit's UploadedFile, io.BytesIO
        return _csv_bytes(file_or_bytes.getvalue())
    if hasattr(file_or_bytes, "read"):
        return _csv_bytes(file_or_bytes.read(CSV_MAX_BYTES + 1))
    raise InputError("csv_not_text", f"expected CSV bytes or a file, got {type(file_or_bytes).__name__}")


def _parse_number(text, row, column):
    try:
        value = float(text)
    except ValueError:
        raise InputError("csv_not_a_number", f"row {row}, column {column}: {text[:20]!r} is not a number",
                         row=row, column=column, entry=text[:20]) from None
    if not math.isfinite(value):
        raise InputError("csv_not_finite", f"row {row}, column {column}: {text[:20]} is not a finite number",
                         row=row, column=column, entry=text[:20])
    return value


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def _check_delimiter(line):
    if "," in line:
        return
    for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars"), (" ", "spaces")):
        if delimiter in line:
            raise InputError("csv_delimiter", f"the columns are separated by {name}; use commas: x1,x2,label",
                             delimiter=name)


def load_csv(file_or_bytes: bytes | bytearray | memoryview | str | os.PathLike | IO) -> tuple[np.ndarray, np.ndarray]:
    """Read a student's 2-D data: rows "x₁,x₂,label", comma-separated, an optional header row (a first row with no
    number in it). Returns (X float32 (n, 2), y int64 (n,)); labels are renumbered 0 … k−1 in sorted order
    (so labels {−1, 1} become {0, 1}).

    Refused with a ``ValueError`` that says what is wrong: a file over 1 MB, binary or non-UTF-8 content, no data
    rows, another delimiter than a comma, a row without exactly 3 columns, an entry that is not a number, NaN or inf,
    |x| > 10⁶, a label that is not an integer, fewer than ``CSV_MIN_ROWS`` or more than ``CSV_MAX_ROWS`` rows, one
    class only or more than ``CSV_MAX_CLASSES`` classes.
    """
    raw = _csv_bytes(file_or_bytes)
    if len(raw) > CSV_MAX_BYTES:
        raise InputError("csv_too_big", f"the file is larger than {CSV_MAX_BYTES // 1_000_000} MB",
                         limit=CSV_MAX_BYTES)
    if not raw.strip():
        raise InputError("csv_empty", "the file is empty")
    if b"\x00" in raw:
        raise InputError("csv_not_text", "this is not a text CSV file (it contains binary data)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("csv_not_text", "this is not a text CSV file (it is not UTF-8 text)") from None
    lines = [(number, line.strip()) for number, line in enumerate(io.StringIO(text), start=1) if line.strip()]
    if not lines:
        raise InputError("csv_empty", "the file is empty")
    _check_delimiter(lines[0][1])
    first = [field.strip() for field in lines[0][1].split(",")]
    if not any(_is_number(field) for field in first):
        lines = lines[1:]  # a header row
    if not lines:
        raise InputError("csv_no_rows", "the file has a header but no data rows")
    if len(lines) > CSV_MAX_ROWS:
        raise InputError("csv_too_many_rows", f"the file has {len(lines)} rows; at most {CSV_MAX_ROWS} are allowed",
                         rows=len(lines), limit=CSV_MAX_ROWS)
    values = np.empty((len(lines), 3))
    for i, (number, line) in enumerate(lines):
        fields = [field.strip() for field in line.split(",")]
        if len(fields) == 1:
            _check_delimiter(line)
        if len(fields) != 3:
            raise InputError("csv_columns", f"row {number} has {len(fields)} columns; expected 3: x1,x2,label",
                             row=number, got=len(fields))
        values[i] = [_parse_number(field, number, column) for column, field in enumerate(fields, start=1)]
    if np.abs(values[:, :2]).max() > CSV_MAX_ABS:
        raise InputError("csv_too_large_value", f"coordinates must lie within ±{CSV_MAX_ABS:g}", limit=CSV_MAX_ABS)
    labels = values[:, 2]
    bad = np.flatnonzero(labels != np.round(labels))
    if bad.size:
        raise InputError("csv_label_not_integer",
                         f"labels must be integers (row {lines[bad[0]][0]}: {labels[bad[0]]:g})",
                         row=lines[bad[0]][0], entry=f"{labels[bad[0]]:g}")
    if len(lines) < CSV_MIN_ROWS:
        raise InputError("csv_too_few_rows", f"the file has {len(lines)} rows; at least {CSV_MIN_ROWS} are needed",
                         rows=len(lines), limit=CSV_MIN_ROWS)
    classes, y = np.unique(labels.astype(np.int64), return_inverse=True)
    if len(classes) < 2:
        raise InputError("csv_one_class", "all rows have the same label; a classifier needs at least 2 classes")
    if len(classes) > CSV_MAX_CLASSES:
        raise InputError("csv_too_many_classes", f"the file has {len(classes)} classes; at most {CSV_MAX_CLASSES}",
                         classes=len(classes), limit=CSV_MAX_CLASSES)
    return values[:, :2].astype(np.float32), y.astype(np.int64)
