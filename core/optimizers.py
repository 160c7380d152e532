"""Optimizer trajectories on 2-D surfaces with exactly the update rules of torch.optim, without torch.

θ = (x, y) is one parameter tensor of two numbers and g = ∇f(θ) the analytic gradient of a
:class:`core.surfaces.Surface`. The engines follow torch.optim's single-tensor code line by line (same
hyperparameter names, defaults and order of operations), so a trajectory equals a ``torch.optim`` loop in float64
to rounding; ``tests/test_optimizers.py`` checks that.

Two engines, identical arithmetic:

* a single trajectory runs on plain Python floats (no numpy per step), ~200–300× faster than a torch loop
  (``benchmarks/bench_optimizers.py``); surfaces without a float gradient (custom ones) use the numpy engine;
* :func:`trajectories` advances many optimizers × many start points at once on numpy arrays of shape (2, n_runs)
  (it uses the float engine run by run when there are only a few runs, where that is faster).

A run *diverges* at step t when θ_t is not finite, or lies more than ``FAR`` = 10 box sizes from the center of the
surface's plot box (|x − x_c| > 10·width or |y − y_c| > 10·height), or f(θ_t) is not finite. It stops there, no
exception: ``diverged_at = t`` and the path holds θ₀ … θ_{t−1}.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from core.surfaces import SURFACES, Surface

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    # an optimizer as a name, (name, hparams) or a dict with "name" (and optionally "lr")
    OptimizerChoice = str | dict | tuple[str, dict]
    # a hyperparameter value: a number, a flag (nesterov, centered, amsgrad) or Adam's betas pair
    HParamValue = float | bool | tuple[float, float]

__all__ = [
    "HParam", "OptimizerSpec", "OPTIMIZERS", "default_lr", "resolve_hparams",
    "Schedule", "SCHEDULES", "lr_at", "lr_schedule",
    "Trajectory", "Trajectories", "trajectory", "trajectories",
    "nearest_minimum", "basin_map", "phase_diagram", "PHASES", "steps_to_reach",
    "FAR", "MAX_STEPS", "MAX_RUNS", "MAX_RECORDED_POINTS", "MAX_GRID_N",
]

FAR = 10.0                      # divergence: farther than FAR box sizes from the box center
MAX_STEPS = 20_000              # steps of one run
MAX_RUNS = 1_000_000            # runs of one vectorized call
MAX_RECORDED_POINTS = 10_000_000  # n_runs·(steps + 1) when whole paths are kept (160 MB of float64 + losses)
MAX_GRID_N = 256                # basin map side
SMALL_BATCH = 24                # at most this many runs: the float engine, run by run, is faster than numpy


# ---------------------------------------------------------------- optimizer specs

@dataclass(frozen=True)
class HParam:
    """A hyperparameter: its torch default and a sensible slider range (``log``: log-scale slider)."""

    default: float | bool | tuple
    low: float | None = None
    high: float | None = None
    log: bool = False
    help: str = ""


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer of the pages: label, torch.optim class, default lr and hyperparameters (torch names/defaults).

    ``lr`` is the default learning rate; ``surface_lr`` overrides it per built-in surface (gradient scales differ by
    orders of magnitude between surfaces). ``lr_range`` is the slider range (log scale).
    """

    name: str
    label: str
    torch_class: str
    lr: float
    lr_range: tuple[float, float]
    hparams: dict = field(default_factory=dict)
    surface_lr: dict = field(default_factory=dict)

    @property
    def defaults(self) -> dict:
        """Hyperparameter name → default."""
        return {k: h.default for k, h in self.hparams.items()}


_WD = HParam(0.0, 0.0, 1.0, help="L2 penalty added to the gradient: g ← g + λθ")


def _sgd_hparams(momentum: float, nesterov: bool) -> dict:
    return {
        "momentum": HParam(momentum, 0.0, 0.99, help="μ: v ← μv + (1 − τ)g"),
        "dampening": HParam(0.0, 0.0, 0.99, help="τ: share of the new gradient removed from the velocity"),
        "nesterov": HParam(nesterov, help="look ahead: step along g + μv"),
        "weight_decay": _WD,
    }


# Default learning rates, per surface: picked from a sweep (1e-4 … 2, 300 steps from the default start) as a
# stable step size at which each method shows its character within a few hundred steps (GD zigzags on the
# quadratic and crawls along Rosenbrock's valley, momentum overshoots, Adagrad slows down, Adam/RMSprop take
# steps of about lr). ``lr`` is the fallback for custom surfaces on (−3, 3)².
OPTIMIZERS: dict[str, OptimizerSpec] = {
    "sgd": OptimizerSpec(
        "sgd", "Gradient descent", "SGD", 0.05, (1e-4, 1.0), _sgd_hparams(0.0, False),
        {"quadratic": 0.4, "rosenbrock": 0.002, "beale": 0.01, "himmelblau": 0.01, "saddle": 0.1,
         "two_basins": 0.05, "linreg_raw": 0.005, "linreg_normalized": 0.4}),
    "momentum": OptimizerSpec(
        "momentum", "Momentum", "SGD", 0.01, (1e-4, 1.0), _sgd_hparams(0.9, False),
        {"quadratic": 0.05, "rosenbrock": 0.001, "beale": 0.002, "himmelblau": 0.003, "saddle": 0.02,
         "two_basins": 0.02, "linreg_raw": 0.002, "linreg_normalized": 0.05}),
    "nesterov": OptimizerSpec(
        "nesterov", "Nesterov momentum", "SGD", 0.01, (1e-4, 1.0), _sgd_hparams(0.9, True),
        {"quadratic": 0.05, "rosenbrock": 0.001, "beale": 0.002, "himmelblau": 0.003, "saddle": 0.02,
         "two_basins": 0.02, "linreg_raw": 0.002, "linreg_normalized": 0.05}),
    "adagrad": OptimizerSpec(
        "adagrad", "Adagrad", "Adagrad", 0.5, (1e-3, 10.0), {
            "lr_decay": HParam(0.0, 0.0, 0.1, help="η_t = η/(1 + (t − 1)·lr_decay)"),
            "weight_decay": _WD,
            "initial_accumulator_value": HParam(0.0, 0.0, 10.0, help="starting value of the sum of g²"),
            "eps": HParam(1e-10, 1e-10, 1e-1, log=True, help="added to √(Σg²)"),
        },
        {"quadratic": 1.0, "rosenbrock": 1.0, "beale": 0.5, "himmelblau": 0.5, "saddle": 0.3,
         "two_basins": 0.5, "linreg_raw": 0.5, "linreg_normalized": 0.5}),
    "rmsprop": OptimizerSpec(
        "rmsprop", "RMSprop", "RMSprop", 0.02, (1e-4, 1.0), {
            "alpha": HParam(0.99, 0.5, 0.999, help="decay of the running mean of g²"),
            "eps": HParam(1e-8, 1e-10, 1e-1, log=True, help="added to √(mean g²)"),
            "weight_decay": _WD,
            "momentum": HParam(0.0, 0.0, 0.99, help="momentum on the normalized step"),
            "centered": HParam(False, help="divide by the standard deviation of g instead of its RMS"),
        },
        {"quadratic": 0.1, "rosenbrock": 0.05, "beale": 0.02, "himmelblau": 0.05, "saddle": 0.02,
         "two_basins": 0.02, "linreg_raw": 0.02, "linreg_normalized": 0.05}),
    "adam": OptimizerSpec(
        "adam", "Adam", "Adam", 0.05, (1e-4, 1.0), {
            "betas": HParam((0.9, 0.999), 0.0, 0.9999, help="(β₁, β₂): decays of the mean of g and of g²"),
            "eps": HParam(1e-8, 1e-10, 1e-1, log=True, help="added to √v̂"),
            "weight_decay": _WD,
            "amsgrad": HParam(False, help="divide by the largest v seen so far"),
        },
        {"quadratic": 0.3, "rosenbrock": 0.2, "beale": 0.1, "himmelblau": 0.1, "saddle": 0.05,
         "two_basins": 0.05, "linreg_raw": 0.1, "linreg_normalized": 0.1}),
}


def default_lr(name: str, surface: Surface | str | None = None) -> float:
    """The default learning rate of optimizer ``name`` on ``surface`` (its ``surface_lr`` entry, else ``lr``)."""
    spec = _spec(name)
    key = surface if isinstance(surface, str) else getattr(surface, "name", None)
    return float(spec.surface_lr.get(key, spec.lr))


def _spec(name: str) -> OptimizerSpec:
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name]


def _number(name: str, value, low: float = 0.0, high: float = math.inf, high_open: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not (math.isfinite(v) and low <= v and (v < high if high_open else v <= high)):
        bound = f"[{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"Invalid {name} value: {value!r} (must be finite and in {bound})")
    return v


def resolve_hparams(name: str, **hparams: HParamValue) -> dict:
    """All hyperparameters of ``name``: the given ones, validated as torch.optim does, plus torch's defaults.

    Raises ValueError for unknown names or invalid values (negative momentum/eps/weight_decay/lr_decay,
    betas outside [0, 1), Nesterov without momentum or with dampening, …).
    """
    spec = _spec(name)
    unknown = set(hparams) - set(spec.hparams)
    if unknown:
        raise ValueError(f"{name} has no hyperparameter {', '.join(sorted(unknown))}; "
                         f"it has {', '.join(spec.hparams)}")
    hp = {**spec.defaults, **hparams}
    for key, h in spec.hparams.items():
        if isinstance(h.default, bool):
            if not isinstance(hp[key], (bool, np.bool_)):
                raise ValueError(f"{key} must be True or False, got {hp[key]!r}")
            hp[key] = bool(hp[key])
        elif key == "betas":
            try:
                b1, b2 = hp[key]
            except (TypeError, ValueError):
                raise ValueError(f"betas must be a pair (beta1, beta2), got {hp[key]!r}") from None
            hp[key] = (_number("beta parameter at index 0", b1, 0.0, 1.0, True),
                       _number("beta parameter at index 1", b2, 0.0, 1.0, True))
        elif key == "dampening":
            hp[key] = _number(key, hp[key], -math.inf)
        else:
            hp[key] = _number(key, hp[key])
    if spec.torch_class == "SGD" and hp["nesterov"] and (hp["momentum"] <= 0 or hp["dampening"] != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    return hp


# ---------------------------------------------------------------- learning-rate schedules

@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule with torch.optim.lr_scheduler's semantics (``scheduler.step()`` after each step).

    kind: "constant" | "step" (StepLR step_size, gamma=0.1) | "exponential" (ExponentialLR gamma=0.99) |
    "cosine" (CosineAnnealingLR T_max, eta_min=0; T_max=None means the run's number of steps).
    """

    kind: str = "constant"
    step_size: int = 30
    gamma: float | None = None
    T_max: int | None = None
    eta_min: float = 0.0


# kind → parameter → HParam (default and slider range)
SCHEDULES: dict[str, dict[str, HParam]] = {
    "constant": {},
    "step": {"step_size": HParam(30, 1, 1000, help="steps between drops"),
             "gamma": HParam(0.1, 0.01, 1.0, help="factor per drop")},
    "exponential": {"gamma": HParam(0.99, 0.9, 1.0, help="factor per step")},
    "cosine": {"T_max": HParam(None, 1, MAX_STEPS, help="half period (default: all steps)"),
               "eta_min": HParam(0.0, 0.0, 1.0, help="lowest learning rate")},
}


def _schedule(schedule) -> Schedule:
    if schedule is None:
        return Schedule()
    if isinstance(schedule, str):
        schedule = Schedule(schedule)
    elif isinstance(schedule, dict):
        params = dict(schedule)
        kind = params.pop("kind", params.pop("name", "constant"))
        allowed = set(SCHEDULES.get(kind, {}))
        if set(params) - allowed:
            raise ValueError(f"schedule {kind!r} has no parameter {', '.join(sorted(set(params) - allowed))}")
        schedule = Schedule(kind, **params)
    if not isinstance(schedule, Schedule):
        raise ValueError(f"not a schedule: {schedule!r}")
    if schedule.kind not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule.kind!r}; choose one of {', '.join(SCHEDULES)}")
    if schedule.kind == "step" and not (isinstance(schedule.step_size, (int, np.integer)) and schedule.step_size >= 1):
        raise ValueError(f"step_size must be a whole number ≥ 1, got {schedule.step_size!r}")
    if schedule.gamma is not None:
        _number("gamma", schedule.gamma, 0.0)
    if schedule.T_max is not None and not (isinstance(schedule.T_max, (int, np.integer)) and schedule.T_max >= 1):
        raise ValueError(f"T_max must be a whole number ≥ 1, got {schedule.T_max!r}")
    _number("eta_min", schedule.eta_min)
    return schedule


def lr_at(step: int | np.ndarray, lr: float, schedule: Schedule | str | dict | None = None,
          steps: int | None = None) -> float | np.ndarray:
    """Learning rate η_t used by optimizer step t = 0, 1, … (after t calls of ``scheduler.step()``).

    constant: η_t = η;  step: η_t = η·γ^⌊t/step_size⌋;  exponential: η_t = η·γ^t;
    cosine: η_t = η_min + (η − η_min)·(1 + cos(π·t/T_max))/2  (T_max defaults to ``steps``).
    ``step`` may be an int or an integer array.
    """
    s = _schedule(schedule)
    t = np.asarray(step, dtype=float)
    if s.kind == "constant":
        # η_t = η
        out = np.full_like(t, lr)
    elif s.kind == "step":
        gamma = 0.1 if s.gamma is None else s.gamma
        # η_t = η·γ^⌊t/step_size⌋
        out = lr * gamma ** np.floor(t / s.step_size)
    elif s.kind == "exponential":
        gamma = 0.99 if s.gamma is None else s.gamma
        # η_t = η·γ^t
        out = lr * gamma ** t
    else:
        t_max = s.T_max if s.T_max is not None else steps
        if t_max is None or t_max < 1:
            raise ValueError("cosine schedule needs T_max (or the number of steps)")
        # η_t = η_min + (η − η_min)·(1 + cos(π·t/T_max))/2
        out = s.eta_min + (lr - s.eta_min) * (1.0 + np.cos(np.pi * t / t_max)) / 2.0
    return float(out) if out.ndim == 0 else out


def lr_schedule(lr: float, steps: int, schedule: Schedule | str | dict | ArrayLike | None = None) -> np.ndarray:
    """Array (steps,) of η_t for t = 0 … steps−1 (see :func:`lr_at`); an array given as ``schedule`` is used as is."""
    if steps == 0:
        if isinstance(schedule, (str, dict, Schedule)):
            _schedule(schedule)
        return np.zeros(0)
    if schedule is not None and not isinstance(schedule, (str, dict, Schedule)):
        lrs = np.asarray(schedule, dtype=float)
        if lrs.ndim != 1 or len(lrs) < steps or not np.all(np.isfinite(lrs[:steps])) or np.any(lrs[:steps] < 0):
            raise ValueError(f"an explicit schedule must hold at least {steps} finite learning rates ≥ 0")
        return lrs[:steps].copy()
    return np.asarray(lr_at(np.arange(steps), _number("lr", lr), schedule, steps), dtype=float).reshape(steps)


# ---------------------------------------------------------------- the float engine (one run, plain Python)
# Each function mirrors torch/optim/<name>.py `_single_tensor_<name>` for a parameter θ = (x, y).
# It returns the lists of x and y (θ₀ … θ_{k}) and the step at which the run diverged (None if it did not).

def _sgd_floats(grad, x, y, lrs, box, momentum, dampening, nesterov, weight_decay):
    x0, x1, y0, y1 = box
    xs, ys = [x], [y]
    vx = vy = 0.0
    first = True
    try:
        for lr in lrs:
            gx, gy = grad(x, y)
            if weight_decay != 0:
                # g ← g + λ·θ
                gx = gx + weight_decay * x
                gy = gy + weight_decay * y
            if momentum != 0:
                if first:
                    # v ← g   (first step)
                    vx, vy = gx, gy
                    first = False
                else:
                    # v ← μ·v + (1 − τ)·g
                    vx = momentum * vx + (1 - dampening) * gx
                    vy = momentum * vy + (1 - dampening) * gy
                if nesterov:
                    # g ← g + μ·v
                    gx = gx + momentum * vx
                    gy = gy + momentum * vy
                else:
                    # g ← v
                    gx, gy = vx, vy
            # θ ← θ − η·g
            x = x - lr * gx
            y = y - lr * gy
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                return xs, ys, len(xs)
            xs.append(x)
            ys.append(y)
    except (ArithmeticError, ValueError):
        return xs, ys, len(xs)
    return xs, ys, None


def _adagrad_floats(grad, x, y, lrs, box, lr_decay, weight_decay, initial_accumulator_value, eps):
    x0, x1, y0, y1 = box
    xs, ys = [x], [y]
    sx = sy = initial_accumulator_value
    try:
        for t, lr in enumerate(lrs, 1):
            gx, gy = grad(x, y)
            if weight_decay != 0:
                # g ← g + λ·θ
                gx = gx + weight_decay * x
                gy = gy + weight_decay * y
            # η_t = η/(1 + (t − 1)·lr_decay)
            clr = lr / (1 + (t - 1) * lr_decay)
            # s ← s + g²
            sx = sx + gx * gx
            sy = sy + gy * gy
            # θ ← θ − η_t·g/(√s + ε)
            x = x - clr * (gx / (math.sqrt(sx) + eps))
            y = y - clr * (gy / (math.sqrt(sy) + eps))
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                return xs, ys, len(xs)
            xs.append(x)
            ys.append(y)
    except (ArithmeticError, ValueError):
        return xs, ys, len(xs)
    return xs, ys, None


def _rmsprop_floats(grad, x, y, lrs, box, alpha, eps, weight_decay, momentum, centered):
    x0, x1, y0, y1 = box
    xs, ys = [x], [y]
    sx = sy = mx = my = bx = by = 0.0
    w = 1 - alpha
    try:
        for lr in lrs:
            gx, gy = grad(x, y)
            if weight_decay != 0:
                # g ← g + λ·θ
                gx = gx + weight_decay * x
                gy = gy + weight_decay * y
            # s ← α·s + (1 − α)·g²
            sx = alpha * sx + w * (gx * gx)
            sy = alpha * sy + w * (gy * gy)
            if centered:
                # m ← m + (1 − α)·(g − m)   (torch lerp)
                if abs(w) < 0.5:
                    mx = mx + w * (gx - mx)
                    my = my + w * (gy - my)
                else:
                    mx = gx - (gx - mx) * (1 - w)
                    my = gy - (gy - my) * (1 - w)
                # d ← √(s − m²) + ε
                dx = math.sqrt(sx - mx * mx) + eps
                dy = math.sqrt(sy - my * my) + eps
            else:
                # d ← √s + ε
                dx = math.sqrt(sx) + eps
                dy = math.sqrt(sy) + eps
            if momentum > 0:
                # b ← μ·b + g/d;  θ ← θ − η·b
                bx = momentum * bx + gx / dx
                by = momentum * by + gy / dy
                x = x - lr * bx
                y = y - lr * by
            else:
                # θ ← θ − η·g/d
                x = x - lr * (gx / dx)
                y = y - lr * (gy / dy)
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                return xs, ys, len(xs)
            xs.append(x)
            ys.append(y)
    except (ArithmeticError, ValueError):
        return xs, ys, len(xs)
    return xs, ys, None


def _adam_floats(grad, x, y, lrs, box, betas, eps, weight_decay, amsgrad):
    x0, x1, y0, y1 = box
    xs, ys = [x], [y]
    b1, b2 = betas
    w1, w2 = 1 - b1, 1 - b2
    mx = my = vx = vy = vmx = vmy = 0.0
    try:
        for t, lr in enumerate(lrs, 1):
            gx, gy = grad(x, y)
            if weight_decay != 0:
                # g ← g + λ·θ
                gx = gx + weight_decay * x
                gy = gy + weight_decay * y
            # m ← m + (1 − β₁)·(g − m)   (torch lerp)
            if abs(w1) < 0.5:
                mx = mx + w1 * (gx - mx)
                my = my + w1 * (gy - my)
            else:
                mx = gx - (gx - mx) * (1 - w1)
                my = gy - (gy - my) * (1 - w1)
            # v ← β₂·v + (1 − β₂)·g²
            vx = b2 * vx + w2 * (gx * gx)
            vy = b2 * vy + w2 * (gy * gy)
            # step = η/(1 − β₁ᵗ),  c₂ = √(1 − β₂ᵗ)
            step = lr / (1 - b1 ** float(t))
            c2 = (1 - b2 ** float(t)) ** 0.5
            if amsgrad:
                # v_max ← max(v_max, v);  d ← √v_max/c₂ + ε
                vmx = vmx if vmx >= vx else vx
                vmy = vmy if vmy >= vy else vy
                dx = math.sqrt(vmx) / c2 + eps
                dy = math.sqrt(vmy) / c2 + eps
            else:
                # d ← √v/c₂ + ε
                dx = math.sqrt(vx) / c2 + eps
                dy = math.sqrt(vy) / c2 + eps
            # θ ← θ − step·m/d
            x = x - step * (mx / dx)
            y = y - step * (my / dy)
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                return xs, ys, len(xs)
            xs.append(x)
            ys.append(y)
    except (ArithmeticError, ValueError):
        return xs, ys, len(xs)
    return xs, ys, None


_FLOAT_ENGINES = {"SGD": _sgd_floats, "Adagrad": _adagrad_floats, "RMSprop": _rmsprop_floats, "Adam": _adam_floats}


# ---------------------------------------------------------------- the numpy engine (many runs)
# A stepper updates p (2, n) in place from g (2, n): the same formulas as the float engine, on arrays.
# Numeric hyperparameters may be scalars or arrays (n,) (one value per run).

def _lerp(m, g, w):
    # m + w·(g − m) for |w| < 0.5, else g − (g − m)·(1 − w)   (torch lerp)
    if np.ndim(w) == 0:
        return m + w * (g - m) if abs(w) < 0.5 else g - (g - m) * (1 - w)
    return np.where(np.abs(w) < 0.5, m + w * (g - m), g - (g - m) * (1 - w))


def _sgd_stepper(momentum, dampening, nesterov, weight_decay):
    state = {}
    use_momentum = np.ndim(momentum) > 0 or momentum != 0

    def step(p, g, lr, t):
        if np.ndim(weight_decay) > 0 or weight_decay != 0:
            # g ← g + λ·θ
            g = g + weight_decay * p
        if use_momentum:
            if "v" not in state:
                # v ← g   (first step)
                state["v"] = g.copy()
            else:
                # v ← μ·v + (1 − τ)·g
                v = state["v"]
                v *= momentum
                v += (1 - dampening) * g
            # g ← g + μ·v  (Nesterov)  or  g ← v
            g = g + momentum * state["v"] if nesterov else state["v"]
        # θ ← θ − η·g
        p -= lr * g
    return step


def _adagrad_stepper(lr_decay, weight_decay, initial_accumulator_value, eps):
    state = {}

    def step(p, g, lr, t):
        if np.ndim(weight_decay) > 0 or weight_decay != 0:
            # g ← g + λ·θ
            g = g + weight_decay * p
        # η_t = η/(1 + (t − 1)·lr_decay)
        clr = lr / (1 + (t - 1) * lr_decay)
        if "s" not in state:
            state["s"] = np.zeros_like(p) + initial_accumulator_value
        s = state["s"]
        # s ← s + g²
        s += g * g
        # θ ← θ − η_t·g/(√s + ε)
        p -= clr * (g / (np.sqrt(s) + eps))
    return step


def _rmsprop_stepper(alpha, eps, weight_decay, momentum, centered):
    state = {}
    use_momentum = np.ndim(momentum) > 0 or momentum > 0

    def step(p, g, lr, t):
        if np.ndim(weight_decay) > 0 or weight_decay != 0:
            # g ← g + λ·θ
            g = g + weight_decay * p
        if "s" not in state:
            state.update(s=np.zeros_like(p), m=np.zeros_like(p), b=np.zeros_like(p))
        # s ← α·s + (1 − α)·g²
        s = state["s"] = alpha * state["s"] + (1 - alpha) * (g * g)
        if centered:
            # m ← m + (1 − α)·(g − m);  d ← √(s − m²) + ε
            m = state["m"] = _lerp(state["m"], g, 1 - alpha)
            d = np.sqrt(s - m * m) + eps
        else:
            # d ← √s + ε
            d = np.sqrt(s) + eps
        if use_momentum:
            # b ← μ·b + g/d;  θ ← θ − η·b
            b = state["b"] = momentum * state["b"] + g / d
            p -= lr * b
        else:
            # θ ← θ − η·g/d
            p -= lr * (g / d)
    return step


def _adam_stepper(betas, eps, weight_decay, amsgrad):
    state = {}
    b1, b2 = betas

    def step(p, g, lr, t):
        if np.ndim(weight_decay) > 0 or weight_decay != 0:
            # g ← g + λ·θ
            g = g + weight_decay * p
        if "m" not in state:
            state.update(m=np.zeros_like(p), v=np.zeros_like(p), vmax=np.zeros_like(p))
        # m ← m + (1 − β₁)·(g − m)
        m = state["m"] = _lerp(state["m"], g, 1 - b1)
        # v ← β₂·v + (1 − β₂)·g²
        v = state["v"] = b2 * state["v"] + (1 - b2) * (g * g)
        # step = η/(1 − β₁ᵗ),  c₂ = √(1 − β₂ᵗ)
        stepsize = lr / (1 - b1 ** float(t))
        c2 = (1 - b2 ** float(t)) ** 0.5
        if amsgrad:
            # v_max ← max(v_max, v);  d ← √v_max/c₂ + ε
            vmax = state["vmax"] = np.maximum(state["vmax"], v)
            d = np.sqrt(vmax) / c2 + eps
        else:
            # d ← √v/c₂ + ε
            d = np.sqrt(v) / c2 + eps
        # θ ← θ − step·m/d
        p -= stepsize * (m / d)
    return step


_STEPPERS = {"SGD": _sgd_stepper, "Adagrad": _adagrad_stepper, "RMSprop": _rmsprop_stepper, "Adam": _adam_stepper}


def _far_box(surface: Surface) -> tuple[float, float, float, float]:
    """(x_lo, x_hi, y_lo, y_hi) of the divergence box: center ± FAR·(width, height)."""
    (cx, cy), (w, h) = surface.center, surface.size
    return cx - FAR * w, cx + FAR * w, cy - FAR * h, cy + FAR * h


def _simulate(surface: Surface, groups, theta0: np.ndarray, steps: int, record: bool):
    """Advance all runs together. groups: list of (slice of runs, stepper, lrs (steps,) or (steps, n)).

    Returns (P (steps+1, 2, n) or None, final (2, n), first out-of-box step (n,) with −1 for none).
    """
    p = np.array(theta0, dtype=float)
    n = p.shape[1]
    x_lo, x_hi, y_lo, y_hi = _far_box(surface)
    center = np.array([[(x_lo + x_hi) / 2], [(y_lo + y_hi) / 2]])
    radius = np.array([[(x_hi - x_lo) / 2], [(y_hi - y_lo) / 2]])
    div = np.full(n, -1, dtype=np.int64)
    P = np.empty((steps + 1, 2, n)) if record else None
    if record:
        P[0] = p
    G = np.empty_like(p)
    dist = np.empty_like(p)
    inside = np.empty(p.shape, dtype=bool)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            G[0], G[1] = surface.grad(p[0], p[1])
            for sl, stepper, lrs in groups:
                stepper(p[:, sl], G[:, sl], lrs[t - 1], t)
            # inside ⇔ |θ − c| ≤ r on both axes (false for nan)
            np.subtract(p, center, out=dist)
            np.abs(dist, out=dist)
            np.less_equal(dist, radius, out=inside)
            ok = inside[0] & inside[1]
            if not ok.all():
                div[~ok & (div < 0)] = t
            if record:
                P[t] = p
    return P, p, div


def _first_nonfinite(losses: np.ndarray) -> np.ndarray:
    """Index of the first non-finite value along axis 0, −1 where all are finite."""
    bad = ~np.isfinite(losses)
    return np.where(bad.any(axis=0), bad.argmax(axis=0), -1)


# ---------------------------------------------------------------- results and the public engine

@dataclass(frozen=True, eq=False)
class Trajectory:
    """One run: ``path`` (k+1, 2) = θ₀ … θ_k, ``losses`` (k+1,) = f(θ_t), ``lrs`` (steps,) = η_t.

    ``diverged_at`` is the step t at which the run became non-finite or left the far box (then k = t − 1),
    None if it ran all steps (k = steps).
    """

    name: str
    path: np.ndarray
    losses: np.ndarray
    diverged_at: int | None
    lrs: np.ndarray
    hparams: dict


@dataclass(frozen=True, eq=False)
class Trajectories:
    """Many runs, run r = (optimizer ``spec_index[r]``, start ``start_index[r]``), optimizer-major.

    ``paths`` (n_runs, steps+1, 2) and ``losses`` (n_runs, steps+1) are nan from a run's ``diverged_at`` on
    (−1: did not diverge); both are None when ``record`` was False. ``final`` (n_runs, 2) and ``final_loss`` are
    the last point and its loss (nan for diverged runs). Without ``record`` a non-finite loss is only noticed at
    the last step (``diverged_at = steps``); points are checked every step either way.
    """

    names: tuple
    spec_index: np.ndarray
    start_index: np.ndarray
    starts: np.ndarray
    paths: np.ndarray | None
    losses: np.ndarray | None
    final: np.ndarray
    final_loss: np.ndarray
    diverged_at: np.ndarray


def _surface(surface: Surface | str) -> Surface:
    if isinstance(surface, Surface):
        return surface
    if surface in SURFACES:
        return SURFACES[surface]
    raise ValueError(f"unknown surface {surface!r}; choose one of {', '.join(SURFACES)}")


def _steps(steps) -> int:
    if not (isinstance(steps, (int, np.integer)) and 0 <= steps <= MAX_STEPS):
        raise ValueError(f"steps must be a whole number between 0 and {MAX_STEPS}, got {steps!r}")
    return int(steps)


def _starts(surface: Surface, starts) -> np.ndarray:
    s = np.array(surface.default_start if starts is None else starts, dtype=float)
    if s.ndim == 1:
        s = s[None, :]
    if s.ndim != 2 or s.shape[1] != 2 or len(s) == 0:
        raise ValueError(f"starts must be a point (x, y) or an array of points (n, 2), got shape {s.shape}")
    x_lo, x_hi, y_lo, y_hi = _far_box(surface)
    if not (np.all(np.isfinite(s)) and np.all((x_lo <= s[:, 0]) & (s[:, 0] <= x_hi)
                                              & (y_lo <= s[:, 1]) & (s[:, 1] <= y_hi))):
        raise ValueError("start points must be finite and near the surface's plot box")
    return s


def trajectory(name: str, surface: Surface | str, start: Sequence[float] | np.ndarray | None = None,
               steps: int = 100, lr: float | None = None, schedule: Schedule | str | dict | ArrayLike | None = None,
               **hparams: HParamValue) -> Trajectory:
    """Run optimizer ``name`` (sgd, momentum, nesterov, adagrad, rmsprop, adam) on ``surface`` from ``start``.

    Exactly torch.optim's update (see the float engines above) with learning rates η_t from ``schedule``
    (None/"constant", "step", "exponential", "cosine", a dict or :class:`Schedule`, or an array). ``lr`` defaults to
    :func:`default_lr`, ``start`` to the surface's default start, hyperparameters to torch's defaults (momentum 0.9
    for "momentum"/"nesterov"). Divergence stops the run without an exception (``diverged_at``).
    """
    surface = _surface(surface)
    steps = _steps(steps)
    spec = _spec(name)
    hp = resolve_hparams(name, **hparams)
    lr = default_lr(name, surface) if lr is None else _number("lr", lr)
    lrs = lr_schedule(lr, steps, schedule)
    x, y = (float(v) for v in _starts(surface, start)[0])
    if surface.grad1 is not None:
        xs, ys, div = _FLOAT_ENGINES[spec.torch_class](surface.grad1, x, y, lrs.tolist(), _far_box(surface), **hp)
        path = np.column_stack([xs, ys])
    else:
        stepper = _STEPPERS[spec.torch_class](**hp)
        P, _, out = _simulate(surface, [(slice(0, 1), stepper, lrs)], np.array([[x], [y]]), steps, True)
        div = int(out[0]) if out[0] >= 0 else None
        path = P[:div, :, 0] if div is not None else P[:, :, 0]
    with np.errstate(all="ignore"):
        losses = np.asarray(surface.f(path[:, 0], path[:, 1]), dtype=float)
    bad = _first_nonfinite(losses)
    if bad >= 0:
        div, path, losses = int(bad), path[:bad], losses[:bad]
    return Trajectory(name, path, losses, div, lrs, hp)


def _parse_specs(names_or_specs, lr) -> list[tuple[str, float | None, dict]]:
    """Normalize "adam" | ("adam", {...}) | {"name": "adam", ...} (or a list of them) to (name, lr, hparams)."""
    items = [names_or_specs] if isinstance(names_or_specs, (str, dict)) else list(names_or_specs)
    if isinstance(names_or_specs, tuple) and len(names_or_specs) == 2 and isinstance(names_or_specs[1], dict):
        items = [names_or_specs]
    out = []
    for item in items:
        if isinstance(item, str):
            name, hp = item, {}
        elif isinstance(item, dict):
            hp = dict(item)
            name = hp.pop("name", None)
        elif isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[1], dict):
            name, hp = item[0], dict(item[1])
        else:
            raise ValueError(f"not an optimizer spec: {item!r} (use a name, (name, hparams) or a dict with 'name')")
        run_lr = hp.pop("lr", lr)
        out.append((name, run_lr, hp))
    if not out:
        raise ValueError("no optimizer given")
    return out


def trajectories(names_or_specs: OptimizerChoice | Sequence[OptimizerChoice], surface: Surface | str,
                 starts: ArrayLike | None = None, steps: int = 100, lr: float | None = None,
                 schedule: Schedule | str | dict | ArrayLike | None = None, record: bool = True,
                 **hparams: HParamValue) -> Trajectories:
    """Run every optimizer of ``names_or_specs`` from every point of ``starts`` (m, 2) at once.

    ``names_or_specs``: a name, or a list of names / (name, hparams) / dicts with "name" (and optionally "lr").
    ``hparams`` apply to every optimizer. Run r = i·m + j is optimizer i from start j. The results equal
    :func:`trajectory` run by run (same arithmetic); diverged runs are nan from ``diverged_at`` on.
    ``record=False`` keeps only the final points (for basin maps: no (n_runs, steps+1, 2) array).
    """
    surface = _surface(surface)
    steps = _steps(steps)
    specs = _parse_specs(names_or_specs, lr)
    s = _starts(surface, starts)
    m = len(s)
    n = m * len(specs)
    if n > MAX_RUNS:
        raise ValueError(f"too many runs ({n}; at most {MAX_RUNS})")
    if record and n * (steps + 1) > MAX_RECORDED_POINTS:
        raise ValueError(f"too many points to record ({n}×{steps + 1}; at most {MAX_RECORDED_POINTS}); "
                         "use record=False or fewer runs/steps")
    resolved = []
    for name, run_lr, hp in specs:
        hp = resolve_hparams(name, **{**hparams, **hp})
        run_lr = default_lr(name, surface) if run_lr is None else _number("lr", run_lr)
        resolved.append((name, hp, lr_schedule(run_lr, steps, schedule)))

    names = tuple(name for name, _, _ in resolved for _ in range(m))
    spec_index = np.repeat(np.arange(len(resolved)), m)
    start_index = np.tile(np.arange(m), len(resolved))
    all_starts = s[start_index]

    if n <= SMALL_BATCH and surface.grad1 is not None:
        # few runs: the float engine, run by run, is faster than numpy on tiny arrays
        runs = [trajectory(name, surface, start, steps, schedule=lrs, **hp)
                for name, hp, lrs in resolved for start in s]
        div = np.array([-1 if r.diverged_at is None else r.diverged_at for r in runs], dtype=np.int64)
        paths = np.full((n, steps + 1, 2), np.nan)
        losses = np.full((n, steps + 1), np.nan)
        for r, run in enumerate(runs):
            paths[r, :len(run.path)] = run.path
            losses[r, :len(run.losses)] = run.losses
        final, final_loss = paths[:, -1].copy(), losses[:, -1].copy()
        return Trajectories(names, spec_index, start_index, all_starts, paths if record else None,
                            losses if record else None, final, final_loss, div)

    groups = [(slice(i * m, (i + 1) * m), _STEPPERS[_spec(name).torch_class](**hp), lrs)
              for i, (name, hp, lrs) in enumerate(resolved)]
    P, final, div = _simulate(surface, groups, all_starts.T, steps, record)
    with np.errstate(all="ignore"):
        if record:
            L = np.asarray(surface.f(P[:, 0, :], P[:, 1, :]), dtype=float)
            bad = _first_nonfinite(L)
            div = np.where((bad >= 0) & ((div < 0) | (bad < div)), bad, div)
            if np.any(div >= 0):
                mask = np.arange(steps + 1)[:, None] >= np.where(div < 0, steps + 1, div)[None, :]
                P[:, 0, :][mask] = np.nan
                P[:, 1, :][mask] = np.nan
                L[mask] = np.nan
            paths, losses = P.transpose(2, 0, 1), L.T
            final, final_loss = paths[:, -1].copy(), losses[:, -1].copy()
        else:
            final = final.T.copy()
            final_loss = np.asarray(surface.f(final[:, 0], final[:, 1]), dtype=float)
            bad = (div < 0) & ~np.isfinite(final_loss)
            div[bad] = steps
            paths = losses = None
        final[div >= 0] = np.nan
        final_loss[div >= 0] = np.nan
    return Trajectories(names, spec_index, start_index, all_starts, paths, losses, final, final_loss, div)


# ---------------------------------------------------------------- analyses

def steps_to_reach(losses: ArrayLike, f_star: float, eps: float) -> int | None:
    """First step t with f(θ_t) − f* ≤ ε, or None if the run never gets there."""
    gap = np.asarray(losses, dtype=float) - f_star
    hit = np.flatnonzero(gap <= eps)
    return int(hit[0]) if len(hit) else None


def nearest_minimum(surface: Surface | str, points: ArrayLike, tol: float | None = None) -> np.ndarray:
    """Index into ``surface.minima`` of the minimum nearest each point (n, 2), −1 if farther than ``tol``.

    tol defaults to 2 % of the larger side of the plot box; nan points give −1.
    """
    surface = _surface(surface)
    if not surface.minima:
        raise ValueError(f"surface {surface.name!r} has no known minima")
    tol = 0.02 * max(surface.size) if tol is None else _number("tol", tol)
    best, dist = _nearest(surface, points)
    return np.where(dist <= tol, best, -1)


def _nearest(surface: Surface, points) -> tuple[np.ndarray, np.ndarray]:
    """(index of the nearest known minimum, its distance ‖p − m‖) for each point; nan points: (0, nan)."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    mins = np.asarray(surface.minima, dtype=float)
    # dᵢⱼ = ‖pᵢ − mⱼ‖
    d = np.hypot(pts[:, None, 0] - mins[None, :, 0], pts[:, None, 1] - mins[None, :, 1])
    best = np.argmin(np.where(np.isnan(d), np.inf, d), axis=1)
    return best, d[np.arange(len(pts)), best]


def basin_map(name: str | Sequence[OptimizerChoice], surface: Surface | str = "himmelblau", grid_n: int = 64,
              steps: int = 300, lr: float | None = None, tol: float | None = None,
              **hparams: HParamValue) -> np.ndarray:
    """Which minimum each start of a grid_n × grid_n grid over the plot box ends in (−1: not converged/diverged).

    Start [i, j] = (xs[j], ys[i]) with xs = linspace(*x_range, grid_n), ys = linspace(*y_range, grid_n) (rows go
    up in y). Label = :func:`nearest_minimum` of the point after ``steps`` steps. ``name`` may be a list of
    optimizers: then the result is (len(name), grid_n, grid_n), all advanced in one vectorized run.
    """
    surface = _surface(surface)
    if not (isinstance(grid_n, (int, np.integer)) and 2 <= grid_n <= MAX_GRID_N):
        raise ValueError(f"grid_n must be a whole number between 2 and {MAX_GRID_N}, got {grid_n!r}")
    if not surface.minima:
        raise ValueError(f"surface {surface.name!r} has no known minima")
    xs = np.linspace(*surface.x_range, grid_n)
    ys = np.linspace(*surface.y_range, grid_n)
    gx, gy = np.meshgrid(xs, ys)
    starts = np.column_stack([gx.ravel(), gy.ravel()])
    single = isinstance(name, str)
    res = trajectories([name] if single else list(name), surface, starts, steps, lr, record=False, **hparams)
    labels = nearest_minimum(surface, res.final, tol)
    labels[res.diverged_at >= 0] = -1
    labels = labels.reshape(-1, grid_n, grid_n)
    return labels[0] if single else labels


PHASES = ("converges", "oscillates", "diverges")


def phase_diagram(lrs: ArrayLike, momenta: ArrayLike, surface: Surface | str = "quadratic", steps: int = 200,
                  start: Sequence[float] | np.ndarray | None = None) -> np.ndarray:
    """Classify heavy-ball momentum (torch SGD, momentum μ, dampening 0) for every (η, μ): array [i, j] for
    (momenta[i], lrs[j]) of "converges" / "oscillates" / "diverges".

    Each pair runs ``steps`` steps from ``start`` (default: the surface's). Rule, with θ* the known minimum
    nearest the last point and gap_t = f(θ_t) − f(θ*):
    diverges — the run diverged (non-finite / left the far box) or gap_T > gap_0;
    oscillates — otherwise, some coordinate of θ_t − θ* changes sign at least twice (the iterate swings back and
    forth across the minimum; |θ_t − θ*| ≤ 1e-9·box size counts as zero);
    converges — otherwise (a monotone approach, at most one overshoot).
    On a quadratic this matches the eigenvalues z of the iteration, z² − (1 + μ − ηλ)z + μ = 0:
    diverges ⇔ max|z| ≥ 1, oscillates ⇔ some z is complex or negative.
    """
    surface = _surface(surface)
    steps = _steps(steps)
    if not surface.minima:
        raise ValueError(f"surface {surface.name!r} has no known minima")
    lr_arr = np.array([_number("lr", v) for v in np.atleast_1d(lrs)], dtype=float)
    mu_arr = np.array([_number("momentum", v) for v in np.atleast_1d(momenta)], dtype=float)
    n = len(lr_arr) * len(mu_arr)
    if n == 0 or n * (steps + 1) > MAX_RECORDED_POINTS:
        raise ValueError(f"phase diagram too large ({len(mu_arr)}×{len(lr_arr)}×{steps + 1} points)")
    mu_grid, lr_grid = np.meshgrid(mu_arr, lr_arr, indexing="ij")
    mu_runs, lr_runs = mu_grid.ravel(), lr_grid.ravel()
    s = _starts(surface, start)[0]
    stepper = _sgd_stepper(mu_runs, 0.0, False, 0.0)
    lr_sched = np.broadcast_to(lr_runs, (steps, n))
    P, final, div = _simulate(surface, [(slice(0, n), stepper, lr_sched)], np.repeat(s[:, None], n, axis=1),
                              steps, True)
    mins = np.asarray(surface.minima, dtype=float)
    with np.errstate(all="ignore"):
        target = mins[_nearest(surface, final.T)[0]]                   # (n, 2)
        f_target = np.asarray(surface.f(target[:, 0], target[:, 1]), dtype=float)
        # gap_t = f(θ_t) − f(θ*)
        gap0 = float(surface.f(s[0], s[1])) - f_target
        gapT = np.asarray(surface.f(final[0], final[1]), dtype=float) - f_target
        diverges = (div >= 0) | ~np.isfinite(gapT) | (gapT > gap0)
        # sign of θ_t − θ*, 0 inside the dead zone
        offset = P - target.T[None, :, :]                              # (steps+1, 2, n)
        sign = np.sign(offset) * (np.abs(offset) > 1e-9 * max(surface.size))
        flips = np.zeros((2, n), dtype=np.int64)
        last = sign[0].copy()
        for t in range(1, steps + 1):
            cur = sign[t]
            # a flip: the sign is the opposite of the last non-zero sign
            flips += (cur * last) < 0
            last = np.where(cur != 0, cur, last)
        oscillates = ~diverges & (flips.max(axis=0) >= 2)
    out = np.where(diverges, PHASES[2], np.where(oscillates, PHASES[1], PHASES[0]))
    return out.reshape(len(mu_arr), len(lr_arr))
