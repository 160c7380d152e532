"""Gradient clipping, the two rules PyTorch ships, written out on numpy arrays; and a 2-D gradient to draw them on.

A gradient is a list of arrays g_1 … g_T (one per parameter tensor). Seen as one long vector g, its total norm is

    ‖g‖ = √(Σ_t Σ_i g_{t,i}²).

* by value (``torch.nn.utils.clip_grad_value_``, TensorFlow's ``tf.clip_by_value``): every entry on its own,
  g_i ← clamp(g_i, −c, c). Entries inside [−c, c] stay; the vector generally turns (its direction changes).
* by norm (``torch.nn.utils.clip_grad_norm_``, TensorFlow's ``tf.clip_by_global_norm``): the whole vector at once,
  g ← g · min(1, c / (‖g‖ + 10⁻⁶)). It only ever shrinks g and never turns it; the 10⁻⁶ is torch's guard against 0/0.

numpy only (``tests/test_clipping.py`` checks both rules against torch); this module never imports torch.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NORM_EPS = 1e-6  # torch.nn.utils.clip_grad_norm_: clip_coef = max_norm / (total_norm + 1e-6)
MAX_ABS_COMPONENT = 1e6  # the 2-D demo's limit on |g_x|, |g_y|


def _threshold(value, name):
    """A clipping threshold: a finite number > 0 (``ValueError`` otherwise)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}"[:120])
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return value


def _arrays(grads):
    """The gradient as a list of float arrays (copies: the caller's arrays are never changed)."""
    if isinstance(grads, np.ndarray) or np.isscalar(grads):
        grads = [grads]
    out = [np.array(g, dtype=np.result_type(np.asarray(g).dtype, np.float32)) for g in grads]
    if not out:
        raise ValueError("grads is empty: clip at least one gradient array")
    return out


def total_norm(grads: np.ndarray | float | Sequence[np.ndarray]) -> float:
    """‖g‖ = √(Σ_t ‖g_t‖²) over every entry of every array (the norm ``clip_grad_norm_`` returns)."""
    arrays = _arrays(grads)
    # ‖g‖ = √(Σ_t ‖g_t‖²), each ‖g_t‖ = √(Σ_i g_{t,i}²)
    return float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in arrays)))


def clip_by_value(grads: np.ndarray | float | Sequence[np.ndarray],
                  clip_value: float) -> tuple[list[np.ndarray], float]:
    """Clip every entry on its own: g_i ← clamp(g_i, −c, c), as ``torch.nn.utils.clip_grad_value_(params, c)``.

    ``grads``: one array or a list of arrays. Returns (clipped arrays, ‖g‖ before clipping). c must be > 0.
    """
    c = _threshold(clip_value, "clip_value")
    arrays = _arrays(grads)
    norm = total_norm(arrays)
    # g_i ← clamp(g_i, −c, c)
    return [np.clip(g, -c, c) for g in arrays], norm


def clip_by_norm(grads: np.ndarray | float | Sequence[np.ndarray],
                 max_norm: float) -> tuple[list[np.ndarray], float]:
    """Rescale the whole gradient: g ← g · min(1, c / (‖g‖ + 10⁻⁶)), as ``torch.nn.utils.clip_grad_norm_(params, c)``
    (L2 norm over all arrays together, the "global norm").

    ``grads``: one array or a list of arrays. Returns (clipped arrays, ‖g‖ before clipping). c must be > 0.
    """
    c = _threshold(max_norm, "max_norm")
    arrays = _arrays(grads)
    norm = total_norm(arrays)
    # coefficient = min(1, c / (‖g‖ + 10⁻⁶))
    coefficient = min(1.0, c / (norm + NORM_EPS))
    # g ← g · coefficient
    return [g * np.asarray(coefficient, dtype=g.dtype) for g in arrays], norm


@dataclass(frozen=True)
class VectorDemo:
    """One 2-D gradient g = (g_x, g_y) and what each rule makes of it with threshold c."""
    c: float
    g: tuple[float, float]
    by_value: tuple[float, float]          # (clamp(g_x, ±c), clamp(g_y, ±c))
    by_norm: tuple[float, float]           # g · min(1, c / (‖g‖ + 10⁻⁶))
    norm: float                            # ‖g‖
    norm_by_value: float
    norm_by_norm: float
    angle: float | None                    # direction of g in degrees, atan2(g_y, g_x); None for g = 0
    angle_by_value: float | None
    angle_by_norm: float | None
    turn_by_value: float                   # |angle between g and its value-clipped version| in degrees, 0 … 180
    turn_by_norm: float                    # the same for norm clipping (always 0 up to rounding)
    value_clipped: bool                    # some |g_i| > c
    norm_clipped: bool                     # ‖g‖ > c


def _angle(v):
    """atan2(v_y, v_x) in degrees; None for the zero vector (it has no direction)."""
    return None if v[0] == 0 and v[1] == 0 else math.degrees(math.atan2(v[1], v[0]))


def _turn(a, b):
    """The angle between vectors a and b in degrees, θ = atan2(|a × b|, a·b) (= arccos(a·b / (‖a‖ ‖b‖)), without
    arccos's rounding trouble near 0°); 0 if either is zero."""
    if math.hypot(*a) == 0 or math.hypot(*b) == 0:
        return 0.0
    # θ = atan2(|a₁b₂ − a₂b₁|, a₁b₁ + a₂b₂)
    return math.degrees(math.atan2(abs(a[0] * b[1] - a[1] * b[0]), a[0] * b[0] + a[1] * b[1]))


def vector_demo(gx: float, gy: float, c: float) -> VectorDemo:
    """Clip g = (g_x, g_y) by value and by norm with threshold c (see the module docstring); |g_x|, |g_y| ≤ 10⁶."""
    c = _threshold(c, "c")
    g = []
    for name, value in (("gx", gx), ("gy", gy)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueError(f"{name} must be a number, got {value!r}"[:120])
        if not math.isfinite(value) or abs(value) > MAX_ABS_COMPONENT:
            raise ValueError(f"{name} must be a finite number with |{name}| ≤ {MAX_ABS_COMPONENT:g}, got {value}")
        g.append(float(value))
    vector = np.array(g, dtype=np.float64)
    (by_value,), norm = clip_by_value([vector], c)
    (by_norm,), _ = clip_by_norm([vector], c)
    by_value, by_norm = tuple(float(v) for v in by_value), tuple(float(v) for v in by_norm)
    return VectorDemo(
        c=c, g=tuple(g), by_value=by_value, by_norm=by_norm, norm=norm, norm_by_value=math.hypot(*by_value),
        norm_by_norm=math.hypot(*by_norm), angle=_angle(g), angle_by_value=_angle(by_value),
        angle_by_norm=_angle(by_norm), turn_by_value=_turn(g, by_value), turn_by_norm=_turn(g, by_norm),
        value_clipped=bool(np.any(np.abs(vector) > c)), norm_clipped=bool(norm > c))
