"""What the optimizers page shows, computed in one place: a race of optimizers on a surface, the numbers of one
update step, the (η, μ) phase diagram of momentum on the quadratic and basin maps on Himmelblau.

Pure functions of hashable settings (strings, floats, tuples), so a page can cache each with ``st.cache_data``.
numpy only (through :mod:`core.optimizers` and :mod:`core.surfaces`): this module never imports torch.

An optimizer setting is a tuple ``(name, lr, ((hparam, value), …))``, e.g. ``("adam", 0.1, (("betas", (0.9,
0.999)),))``; a schedule is ``(kind, ((param, value), …))``, e.g. ``("step", (("step_size", 50), ("gamma", 0.5)))``.
"""
from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np

from core.contours import ContourLines, contour_lines
from core.optimizers import (
    OPTIMIZERS,
    PHASES,
    default_lr,
    lr_schedule,
    nearest_minimum,
    phase_diagram,
    resolve_hparams,
    steps_to_reach,
    trajectories,
    trajectory,
)
from core.surfaces import SURFACES, Surface, custom_surface

__all__ = [
    "RACE_SURFACES", "SCENARIOS", "Scenario", "DEFAULT_FORMULA", "MAX_PLOTTED", "GAP_FLOOR", "STRIDES",
    "RunSummary", "RaceView", "UpdateNumbers", "PhaseView", "BasinView",
    "scenario", "resolve_surface", "clamp_start", "plot_stride", "race", "update_numbers", "phase_view",
    "basin_view", "schedule_spec", "log_lr", "lr_from_log", "log_lr_range", "default_setting",
]

# The surfaces of the page (the linear-regression ones belong to the input-normalization page) and "custom".
RACE_SURFACES = ("quadratic", "rosenbrock", "beale", "himmelblau", "saddle", "two_basins", "custom")
DEFAULT_FORMULA = "0.5*x**2 + 2*y**2 + sin(2*x)*cos(2*y)"
MAX_PLOTTED = 301          # points per plotted path: at most 300 steps after thinning
STRIDES = (1, 2, 5, 10)    # plotted every k-th step: each divides every multiple of 10
GAP_FLOOR = 1e-15          # f − f* below this is drawn at this value (a log axis cannot show 0)
CONTOUR_LEVELS = 12
CONTOUR_RESOLUTION = 80


@dataclass(frozen=True)
class Scenario:
    """What choosing a surface sets up: a start point, the optimizers shown, the number of steps, and why."""

    start: tuple[float, float]
    optimizers: tuple[str, ...]
    steps: int


# Each surface is a small experiment: the start and the optimizers that show its point best.
SCENARIOS: dict[str, Scenario] = {
    # a long, narrow valley (curvatures 0.2 and 4): GD zigzags across it, momentum and Adam do not
    "quadratic": Scenario((-9.0, 3.5), ("sgd", "momentum", "adam"), 150),
    # the banana valley: finding it is easy, following its flat floor to (1, 1) is slow
    "rosenbrock": Scenario((-1.2, 1.0), ("sgd", "momentum", "adam"), 1000),
    # flat plateaus and steep walls: per-coordinate step sizes help
    "beale": Scenario((1.0, 1.5), ("sgd", "adagrad", "rmsprop", "adam"), 500),
    # four minima: who ends where
    "himmelblau": Scenario((0.0, 0.0), ("sgd", "momentum", "adam"), 200),
    # a saddle at (0, 0): starting a hair off the ridge, GD lingers, normalized steps escape at once
    "saddle": Scenario((-1.8, 0.001), ("sgd", "momentum", "rmsprop", "adam"), 200),
    # a shallow and a deep basin: momentum can roll over the ridge into the deeper one
    "two_basins": Scenario((2.2, 0.8), ("sgd", "momentum", "adam"), 200),
    "custom": Scenario((2.0, 2.0), ("sgd", "momentum", "adam"), 200),
}


def scenario(surface_name: str) -> Scenario:
    """The scenario of a page surface (unknown names: the quadratic's)."""
    return SCENARIOS.get(surface_name, SCENARIOS["quadratic"])


@functools.lru_cache(maxsize=64)
def resolve_surface(surface_name: str, formula: str = DEFAULT_FORMULA) -> tuple[Surface, str | None]:
    """(surface, error): the built-in surface, or the typed formula's surface on (−3, 3)².

    A formula that :func:`core.surfaces.custom_surface` refuses gives ``DEFAULT_FORMULA``'s surface and the
    refusal's message as ``error``; an unknown surface name gives the quadratic.
    """
    if surface_name == "custom":
        try:
            return custom_surface(formula), None
        except ValueError as error:
            return custom_surface(DEFAULT_FORMULA), str(error)
    if surface_name in RACE_SURFACES:
        return SURFACES[surface_name], None
    return SURFACES["quadratic"], None


@functools.lru_cache(maxsize=64)
def surface_contours(surface_name: str, formula: str = DEFAULT_FORMULA) -> ContourLines:
    """Contour lines of the page surface: 12 levels on an 80 × 80 grid, log-spaced where the surface says so."""
    surface, _ = resolve_surface(surface_name, formula)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lines = contour_lines(surface, CONTOUR_LEVELS, CONTOUR_RESOLUTION)
        if math.isfinite(lines.f_min) and np.all(np.isfinite(lines.levels)):
            return lines
    except (ValueError, FloatingPointError, IndexError):
        pass
    # a formula that is nowhere finite on the box: no lines
    empty = np.empty(0)
    return ContourLines(empty, empty.astype(int), empty.astype(int), empty, empty, empty, math.nan)


def clamp_start(surface: Surface, start) -> tuple[tuple[float, float], bool]:
    """(start clamped into the surface's plot box, whether it had to move). Non-finite coordinates give the box's
    default start."""
    x, y = (float(v) for v in start)
    if not (math.isfinite(x) and math.isfinite(y)):
        return tuple(surface.default_start), True
    cx = min(max(x, surface.x_range[0]), surface.x_range[1])
    cy = min(max(y, surface.y_range[0]), surface.y_range[1])
    return (cx, cy), (cx, cy) != (x, y)


def plot_stride(steps: int) -> int:
    """Plot every k-th step, k the smallest of 1, 2, 5, 10 with steps/k ≤ 300 (so k divides any multiple of 10)."""
    for stride in STRIDES:
        if steps <= (MAX_PLOTTED - 1) * stride:
            return stride
    return STRIDES[-1]


def schedule_spec(schedule) -> dict | None:
    """("step", (("step_size", 50), ("gamma", 0.5))) → {"kind": "step", "step_size": 50, "gamma": 0.5}."""
    if schedule is None:
        return None
    kind, params = schedule
    return {"kind": kind, **dict(params)}


def log_lr(lr: float) -> float:
    """log₁₀ η: the page's learning-rate sliders move in powers of ten."""
    return math.log10(float(lr))


def lr_from_log(value: float) -> float:
    """η = 10^value."""
    return 10.0 ** float(value)


def log_lr_range(name: str) -> tuple[float, float]:
    """(log₁₀ η_low, log₁₀ η_high) of optimizer ``name``'s learning-rate range."""
    low, high = OPTIMIZERS[name].lr_range
    return log_lr(low), log_lr(high)


def _hparams(name: str, hparams) -> dict:
    return resolve_hparams(name, **dict(hparams))


@dataclass(frozen=True)
class RunSummary:
    """One optimizer's race: settings, outcome, and its row of the table."""

    name: str
    lr: float
    hparams: dict
    steps_to_eps: int | None       # first t with f(θ_t) − f* ≤ ε (None: never, or f* unknown)
    final_loss: float              # f at the last point reached
    final_gap: float | None        # f − f* there (None where f* is unknown)
    final_point: tuple[float, float]
    diverged_at: int | None        # step at which the run left the far box / became non-finite
    last_step: int                 # index of the last point of the path


@dataclass(frozen=True, eq=False)
class RaceView:
    """A race of optimizers on one surface from one start.

    ``plot`` holds the thinned paths as flat arrays (run index, step, x, y, f, gap, last step of the run): every
    ``stride``-th step plus each run's last point. ``gap`` is f − f* floored at ``GAP_FLOOR`` (f itself where f* is
    unknown).
    """

    surface_name: str
    formula: str                   # the surface's formula (LaTeX for built-ins, the typed text for custom)
    error: str | None              # why the typed formula was refused (then DEFAULT_FORMULA is shown)
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    f_star: float | None
    log_levels: bool
    start: tuple[float, float]
    start_moved: bool              # the asked start lay outside the box and was clamped
    start_loss: float
    steps: int
    stride: int
    eps: float
    runs: tuple[RunSummary, ...]
    plot: dict
    lr_factor_last: float          # η at the last step / η (the schedule's effect)
    contours: ContourLines


def race(surface_name: str, formula: str, start, steps: int, settings, schedule=None, eps: float = 1e-3) -> RaceView:
    """Run each optimizer of ``settings`` (tuples (name, lr, hparams)) for ``steps`` steps from ``start`` (clamped
    into the box) with the learning-rate schedule ``schedule``; tabulate steps to f − f* ≤ ε and the final loss.

    Exactly :func:`core.optimizers.trajectory` run by run (torch.optim's update rules).
    """
    surface, error = resolve_surface(surface_name, formula)
    steps = int(steps)
    (sx, sy), moved = clamp_start(surface, start)
    sched = schedule_spec(schedule)
    f_star = surface.f_star
    stride = plot_stride(steps)
    runs, cols = [], {k: [] for k in ("run", "step", "x", "y", "f", "gap", "last")}
    for index, (name, lr, hparams) in enumerate(settings):
        hp = _hparams(name, hparams)
        run = trajectory(name, surface, (sx, sy), steps, lr=float(lr), schedule=sched, **hp)
        last = len(run.path) - 1   # −1: f is not finite at the start itself (a custom formula's hole)
        final_loss = float(run.losses[-1]) if last >= 0 else math.nan
        runs.append(RunSummary(
            name=name, lr=float(lr), hparams=hp,
            steps_to_eps=None if f_star is None else steps_to_reach(run.losses, f_star, eps),
            final_loss=final_loss, final_gap=None if f_star is None else final_loss - f_star,
            final_point=_pair(run.path[-1]) if last >= 0 else (math.nan, math.nan),
            diverged_at=run.diverged_at, last_step=last))
        keep = np.unique(np.r_[np.arange(0, last + 1, stride), last]) if last >= 0 else np.zeros(0, dtype=int)
        # gap = max(f − f*, floor); f itself where f* is unknown
        gap = run.losses[keep] if f_star is None else np.maximum(run.losses[keep] - f_star, GAP_FLOOR)
        cols["run"].append(np.full(len(keep), index))
        cols["step"].append(keep)
        cols["x"].append(run.path[keep, 0])
        cols["y"].append(run.path[keep, 1])
        cols["f"].append(run.losses[keep])
        cols["gap"].append(gap)
        cols["last"].append(np.full(len(keep), last))
    plot = {k: (np.concatenate(v) if v else np.empty(0)) for k, v in cols.items()}
    lrs = lr_schedule(1.0, max(steps, 1), sched)
    return RaceView(
        surface_name=surface.name, formula=surface.formula, error=error, x_range=surface.x_range,
        y_range=surface.y_range, minima=tuple(tuple(m) for m in surface.minima), f_star=f_star,
        log_levels=surface.log_levels, start=(sx, sy), start_moved=moved, start_loss=float(surface.f(sx, sy)),
        steps=steps, stride=stride, eps=float(eps), runs=tuple(runs), plot=plot,
        lr_factor_last=float(lrs[-1]),
        contours=surface_contours(surface.name if surface.name in RACE_SURFACES else "quadratic",
                                  formula if surface.name == "custom" else DEFAULT_FORMULA))


# ---------------------------------------------------------------- the numbers of one update step

@dataclass(frozen=True)
class UpdateNumbers:
    """The quantities of update step t (1-based; it moves θ_{t−1} to θ_t), per coordinate (x, y).

    ``g`` = ∇f(θ_{t−1}); ``before``/``after`` hold the optimizer's state before and after the step (v for
    momentum and Nesterov, s for Adagrad and RMSprop, m and v for Adam, plus m̂, v̂, the bias corrections
    c = (1 − β₁ᵗ, 1 − β₂ᵗ) and the weights w = (1 − β₁, 1 − β₂) after; w = 1 − α for RMSprop); ``lr`` = η_t.
    ``t`` may be smaller than asked when the run stopped earlier (``clamped``); t = 0 means no step was taken.
    """

    name: str
    t: int
    clamped: bool
    lr: float
    hparams: dict
    theta_before: tuple[float, float]
    g: tuple[float, float]
    before: dict
    after: dict
    theta_after: tuple[float, float]


def _pair(a) -> tuple[float, float]:
    return float(a[0]), float(a[1])


def update_numbers(surface_name: str, formula: str, start, steps: int, setting, schedule=None,
                   t: int = 1) -> UpdateNumbers:
    """Replay optimizer ``setting`` = (name, lr, hparams) from the gradients along its path up to step t and
    return that step's numbers. Weight decay is 0 on this page; the recurrences are torch.optim's:

    SGD:      θ_t = θ_{t−1} − η_t·g_t
    momentum: v_t = μ·v_{t−1} + g_t (v_1 = g_1),  θ_t = θ_{t−1} − η_t·v_t
    Nesterov: v_t as momentum,  θ_t = θ_{t−1} − η_t·(g_t + μ·v_t)
    Adagrad:  s_t = s_{t−1} + g_t²,  θ_t = θ_{t−1} − η_t·g_t/(√s_t + ε)
    RMSprop:  s_t = α·s_{t−1} + (1 − α)·g_t²,  θ_t = θ_{t−1} − η_t·g_t/(√s_t + ε)
    Adam:     m_t = β₁·m_{t−1} + (1 − β₁)·g_t,  v_t = β₂·v_{t−1} + (1 − β₂)·g_t²,
              m̂_t = m_t/(1 − β₁ᵗ),  v̂_t = v_t/(1 − β₂ᵗ),  θ_t = θ_{t−1} − η_t·m̂_t/(√v̂_t + ε)
    The tests check that θ_t computed here equals the trajectory's θ_t.
    """
    name, lr, hparams = setting
    surface, _ = resolve_surface(surface_name, formula)
    (sx, sy), _ = clamp_start(surface, start)
    hp = _hparams(name, hparams)
    sched = schedule_spec(schedule)
    run = trajectory(name, surface, (sx, sy), int(steps), lr=float(lr), schedule=sched, **hp)
    last = len(run.path) - 1
    asked = int(t)
    if last < 1:   # no step was taken (the run stopped at once)
        here = _pair(run.path[0]) if last == 0 else (sx, sy)
        return UpdateNumbers(name, 0, True, float(lr), hp, here, (math.nan, math.nan), {}, {}, here)
    t = min(max(asked, 1), last)
    clamped = t != asked
    with np.errstate(all="ignore"):
        gx, gy = surface.grad(run.path[:t, 0], run.path[:t, 1])
    G = np.column_stack([np.asarray(gx, dtype=float), np.asarray(gy, dtype=float)])  # G[i] = g_{i+1}
    lrs = run.lrs
    kind = OPTIMIZERS[name].torch_class
    before, after = {}, {}
    if kind == "SGD" and hp["momentum"] != 0:
        mu, damp = hp["momentum"], hp["dampening"]
        v = G[0].copy()
        prev = np.zeros(2)
        for i in range(1, t):
            prev = v.copy()
            # v ← μ·v + (1 − τ)·g
            v = mu * v + (1 - damp) * G[i]
        before["v"], after["v"] = _pair(prev), _pair(v)
        # Nesterov: θ ← θ − η·(g + μ·v);  heavy ball: θ ← θ − η·v
        direction = G[t - 1] + mu * v if hp["nesterov"] else v
    elif kind == "SGD":
        direction = G[t - 1]
    elif kind == "Adagrad":
        s = np.full(2, hp["initial_accumulator_value"], dtype=float)
        prev = s.copy()
        for i in range(t):
            prev = s.copy()
            # s ← s + g²
            s = s + G[i] * G[i]
        before["s"], after["s"] = _pair(prev), _pair(s)
        # η_t = η/(1 + (t − 1)·lr_decay)
        decay = 1 + (t - 1) * hp["lr_decay"]
        direction = G[t - 1] / (np.sqrt(s) + hp["eps"]) / decay
    elif kind == "RMSprop":
        alpha = hp["alpha"]
        s = np.zeros(2)
        prev = s.copy()
        for i in range(t):
            prev = s.copy()
            # s ← α·s + (1 − α)·g²
            s = alpha * s + (1 - alpha) * G[i] * G[i]
        before["s"], after["s"] = _pair(prev), _pair(s)
        after["w"] = 1 - alpha   # the weight of the new g²
        direction = G[t - 1] / (np.sqrt(s) + hp["eps"])
    else:  # Adam
        b1, b2 = hp["betas"]
        m, v = np.zeros(2), np.zeros(2)
        pm, pv = m.copy(), v.copy()
        for i in range(t):
            pm, pv = m.copy(), v.copy()
            # m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²
            m = b1 * m + (1 - b1) * G[i]
            v = b2 * v + (1 - b2) * G[i] * G[i]
        # m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ)
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        before.update(m=_pair(pm), v=_pair(pv))
        # c = (1 − β₁ᵗ, 1 − β₂ᵗ): the bias corrections;  w = (1 − β₁, 1 − β₂): the weights of the new g and g²
        after.update(m=_pair(m), v=_pair(v), m_hat=_pair(m_hat), v_hat=_pair(v_hat),
                     c=(1 - b1 ** t, 1 - b2 ** t), w=(1 - b1, 1 - b2))
        direction = m_hat / (np.sqrt(v_hat) + hp["eps"])
    eta = float(lrs[t - 1])
    # θ_t = θ_{t−1} − η_t·(direction)
    theta = run.path[t - 1] - eta * direction
    return UpdateNumbers(name, t, clamped, eta, hp, _pair(run.path[t - 1]), _pair(G[t - 1]), before, after,
                         _pair(theta))


# ---------------------------------------------------------------- phase diagram of momentum on the quadratic

PHASE_LR = (1e-3, 2.0)       # η axis (log)
PHASE_MU = (0.0, 0.99)       # μ axis
PHASE_N_LR, PHASE_N_MU = 40, 34


@dataclass(frozen=True, eq=False)
class PhaseView:
    """phase[i, j] for (mus[i], lrs[j]) ∈ PHASES (indices into ``PHASES``), the cell edges, and the theory:
    heavy ball on a quadratic with curvatures λ diverges for η ≥ 2(1 + μ)/λmax and swings back and forth
    (oscillates) for η > (1 − √μ)²/λmax."""

    lrs: np.ndarray
    mus: np.ndarray
    lr_edges: np.ndarray
    mu_edges: np.ndarray
    phase: np.ndarray              # (n_mu, n_lr) int8 index into PHASES
    curvatures: tuple[float, float]
    boundary_mu: np.ndarray
    diverge_lr: np.ndarray         # η = 2(1 + μ)/λmax
    oscillate_lr: np.ndarray       # η = (1 − √μ)²/λmax


def phase_view(steps: int = 200) -> PhaseView:
    """:func:`core.optimizers.phase_diagram` on the quadratic over η log-spaced in [0.001, 2] × μ in [0, 0.99],
    plus the boundaries the eigenvalues of the iteration predict (for λmax = 4, the quadratic's larger curvature)."""
    lr_edges = np.logspace(np.log10(PHASE_LR[0]), np.log10(PHASE_LR[1]), PHASE_N_LR + 1)
    mu_edges = np.linspace(PHASE_MU[0], PHASE_MU[1], PHASE_N_MU + 1)
    # cell centers: geometric in η, arithmetic in μ
    lrs = np.sqrt(lr_edges[:-1] * lr_edges[1:])
    mus = (mu_edges[:-1] + mu_edges[1:]) / 2
    labels = phase_diagram(lrs, mus, "quadratic", steps)
    phase = np.zeros(labels.shape, dtype=np.int8)
    for k, name in enumerate(PHASES):
        phase[labels == name] = k
    surface = SURFACES["quadratic"]
    gx, _ = surface.grad(1.0, 0.0)
    _, gy = surface.grad(0.0, 1.0)
    lam = (float(gx), float(gy))   # ∇f = (λ₁x, λ₂y) on this quadratic
    lam_max = max(lam)
    mu = np.linspace(PHASE_MU[0], PHASE_MU[1], 60)
    # η = 2(1 + μ)/λmax  and  η = (1 − √μ)²/λmax
    return PhaseView(lrs, mus, lr_edges, mu_edges, phase, lam, mu, 2 * (1 + mu) / lam_max,
                     (1 - np.sqrt(mu)) ** 2 / lam_max)


# ---------------------------------------------------------------- basin maps on Himmelblau

BASIN_GRID = 40


@dataclass(frozen=True, eq=False)
class BasinView:
    """labels[k, i, j]: the index into ``minima`` of the minimum that optimizer ``names[k]`` reaches from start
    (xs[j], ys[i]), −1 where it did not settle near one (or diverged)."""

    names: tuple[str, ...]
    lrs: tuple[float, ...]
    xs: np.ndarray
    ys: np.ndarray
    labels: np.ndarray
    minima: tuple[tuple[float, float], ...]
    steps: int


def basin_view(settings, steps: int = 300, schedule=None, grid_n: int = BASIN_GRID) -> BasinView:
    """Which Himmelblau minimum each optimizer of ``settings`` ends in from every start of a grid_n × grid_n grid
    over the box (as :func:`core.optimizers.basin_map`, with each optimizer's own lr and hyperparameters)."""
    surface = SURFACES["himmelblau"]
    xs = np.linspace(*surface.x_range, grid_n)
    ys = np.linspace(*surface.y_range, grid_n)
    gx, gy = np.meshgrid(xs, ys)
    starts = np.column_stack([gx.ravel(), gy.ravel()])
    names = tuple(name for name, _, _ in settings)
    if not names:
        return BasinView((), (), xs, ys, np.zeros((0, grid_n, grid_n), dtype=np.int8),
                         tuple(tuple(m) for m in surface.minima), int(steps))
    specs = [(name, {"lr": float(lr), **_hparams(name, hp)}) for name, lr, hp in settings]
    res = trajectories(specs, surface, starts, int(steps), schedule=schedule_spec(schedule), record=False)
    labels = nearest_minimum(surface, res.final)
    labels[res.diverged_at >= 0] = -1
    return BasinView(names, tuple(float(lr) for _, lr, _ in settings), xs, ys,
                     labels.reshape(len(names), grid_n, grid_n).astype(np.int8),
                     tuple(tuple(m) for m in surface.minima), int(steps))


def default_setting(name: str, surface_name: str) -> tuple:
    """(name, default lr on that surface, torch's default hyperparameters as a tuple)."""
    hp = OPTIMIZERS[name].defaults
    return (name, default_lr(name, surface_name), tuple(sorted(hp.items())))
