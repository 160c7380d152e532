"""core.optimizers against torch.optim / torch.optim.lr_scheduler loops in float64 (autograd on the same formula)."""
import numpy as np
import pytest
import torch

from core.optimizers import (
    OPTIMIZERS,
    PHASES,
    SMALL_BATCH,
    Schedule,
    basin_map,
    default_lr,
    lr_at,
    lr_schedule,
    nearest_minimum,
    phase_diagram,
    resolve_hparams,
    steps_to_reach,
    trajectories,
    trajectory,
)
from core.surfaces import SURFACES, LinRegSurface, custom_surface

torch.set_num_threads(1)

from tests.torch_surfaces import TORCH_F  # noqa: E402  (the spec's formulas, written for torch)


def torch_f(surface):
    if isinstance(surface, LinRegSurface):
        X, t = torch.tensor(surface.X), torch.tensor(surface.y)
        return lambda x, y: ((X[:, 0] * x + X[:, 1] * y - t) ** 2).mean()
    return TORCH_F[surface.name]


def torch_run(name, surface, start, steps, lr, hparams, scheduler=None, f=None):
    """The reference: a torch.optim loop on one float64 parameter θ = (x, y)."""
    spec = OPTIMIZERS[name]
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, spec.torch_class)([p], lr=lr, **resolve_hparams(name, **hparams))
    sched = scheduler(opt) if scheduler else None
    fn = f or torch_f(surface)
    path = [p.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        fn(p[0], p[1]).backward()
        opt.step()
        if sched:
            sched.step()
        path.append(p.detach().clone())
    return torch.stack(path).numpy()


CONFIGS = [
    ("sgd", {}),
    ("sgd", {"weight_decay": 0.1}),
    ("sgd", {"momentum": 0.5, "dampening": 0.3}),
    ("momentum", {}),
    ("momentum", {"dampening": 0.1, "weight_decay": 0.05}),
    ("nesterov", {}),
    ("nesterov", {"momentum": 0.8, "weight_decay": 0.01}),
    ("adagrad", {}),
    ("adagrad", {"lr_decay": 0.05, "initial_accumulator_value": 0.1, "weight_decay": 0.01}),
    ("adagrad", {"eps": 1e-3}),
    ("rmsprop", {}),
    ("rmsprop", {"centered": True}),
    ("rmsprop", {"momentum": 0.5}),
    ("rmsprop", {"centered": True, "momentum": 0.3, "alpha": 0.9, "weight_decay": 0.01}),
    ("adam", {}),
    ("adam", {"amsgrad": True}),
    ("adam", {"betas": (0.8, 0.99), "weight_decay": 0.05}),
    ("adam", {"betas": (0.3, 0.9), "eps": 1e-4, "amsgrad": True}),  # torch's other lerp branch (1 − β₁ ≥ 0.5)
]
STEPS = 30


def check_equal(run, ref):
    k = len(run.path)
    assert np.max(np.abs(run.path - ref[:k])) <= 1e-9
    if run.diverged_at is None:
        assert k == len(ref)
    else:
        assert run.diverged_at == k


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("name,hparams", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_trajectory_equals_torch_optim(name, hparams, surface):
    s = SURFACES[surface]
    lr = default_lr(name, s)
    run = trajectory(name, s, s.default_start, STEPS, lr, **hparams)
    ref = torch_run(name, s, s.default_start, STEPS, lr, hparams)
    check_equal(run, ref)
    assert run.losses.shape == (len(run.path),)
    assert np.allclose(run.losses, s.f(run.path[:, 0], run.path[:, 1]))


@pytest.mark.parametrize("name,hparams", CONFIGS[::2], ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS[::2])])
def test_custom_surface_trajectory_equals_torch(name, hparams):
    s = custom_surface("x**2 + 3*sin(y) + 0.1*x*y")
    lr = default_lr(name, s)
    run = trajectory(name, s, (2.0, 1.0), STEPS, lr, **hparams)
    ref = torch_run(name, s, (2.0, 1.0), STEPS, lr, hparams,
                    f=lambda x, y: x**2 + 3 * torch.sin(y) + 0.1 * x * y)
    check_equal(run, ref)


def test_default_hparams_are_torch_defaults():
    p = [torch.zeros(2, requires_grad=True)]
    for name, spec in OPTIMIZERS.items():
        torch_defaults = getattr(torch.optim, spec.torch_class)(p, lr=0.1).defaults
        for key, value in spec.defaults.items():
            if name in ("momentum", "nesterov") and key in ("momentum", "nesterov"):
                continue
            assert torch_defaults[key] == value, (name, key)
    assert OPTIMIZERS["momentum"].defaults["momentum"] == 0.9 == OPTIMIZERS["nesterov"].defaults["momentum"]
    assert OPTIMIZERS["nesterov"].defaults["nesterov"] is True
    assert OPTIMIZERS["adagrad"].defaults["eps"] == 1e-10
    assert set(OPTIMIZERS) == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"}
    for spec in OPTIMIZERS.values():
        assert spec.label and spec.lr_range[0] < spec.lr < spec.lr_range[1]
        for h in spec.hparams.values():
            if not isinstance(h.default, (bool, tuple)):
                assert h.low <= h.default <= h.high


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("surface", list(SURFACES))
def test_default_lrs_are_stable(name, surface):
    run = trajectory(name, surface, steps=300)
    assert run.diverged_at is None
    assert run.losses[-1] < run.losses[0]


@pytest.mark.parametrize("bad", [
    ("sgd", {"nesterov": True}),
    ("nesterov", {"dampening": 0.5}),
    ("sgd", {"momentum": -0.1}),
    ("adam", {"betas": (1.0, 0.9)}),
    ("adam", {"betas": 0.9}),
    ("adam", {"momentum": 0.9}),
    ("adagrad", {"lr_decay": -1.0}),
    ("rmsprop", {"eps": float("nan")}),
    ("rmsprop", {"centered": "yes"}),
    ("lbfgs", {}),
])
def test_invalid_hparams_raise(bad):
    name, hp = bad
    with pytest.raises(ValueError):
        trajectory(name, "quadratic", steps=5, **hp)


@pytest.mark.parametrize("kwargs", [{"lr": -0.1}, {"steps": -1}, {"steps": 10**6}, {"steps": 2.5},
                                    {"start": (1e9, 0.0)}, {"start": (float("nan"), 0.0)}, {"start": (1, 2, 3)}])
def test_invalid_arguments_raise(kwargs):
    args = {"steps": 5, **kwargs}
    with pytest.raises(ValueError):
        trajectory("adam", "quadratic", **args)
    with pytest.raises(ValueError):
        trajectory("adam", "no_such_surface")


# ---------------------------------------------------------------- schedules

SCHEDULERS = [
    ({"kind": "step", "step_size": 7, "gamma": 0.5}, lambda o: torch.optim.lr_scheduler.StepLR(o, 7, gamma=0.5)),
    ({"kind": "step", "step_size": 10}, lambda o: torch.optim.lr_scheduler.StepLR(o, 10)),
    ({"kind": "exponential", "gamma": 0.9}, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9)),
    (Schedule("cosine", T_max=12, eta_min=0.01), lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 12, 0.01)),
    ({"kind": "cosine"}, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 40)),
    ("constant", None),
]


@pytest.mark.parametrize("schedule,make", SCHEDULERS)
def test_schedules_equal_torch_lr_scheduler(schedule, make):
    steps, lr = 40, 0.3
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = make(opt) if make else None
    expected = []
    for _ in range(steps):
        expected.append(opt.param_groups[0]["lr"])
        opt.step()
        if sched:
            sched.step()
    got = lr_schedule(lr, steps, schedule)
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert lr_at(5, lr, schedule, steps) == pytest.approx(expected[5], rel=1e-12)


@pytest.mark.parametrize("name,hparams,schedule,make", [
    ("adam", {}, SCHEDULERS[3][0], SCHEDULERS[3][1]),
    ("sgd", {"momentum": 0.9}, SCHEDULERS[0][0], SCHEDULERS[0][1]),
    ("adagrad", {"lr_decay": 0.1}, SCHEDULERS[2][0], SCHEDULERS[2][1]),
    ("rmsprop", {"centered": True}, SCHEDULERS[4][0], SCHEDULERS[4][1]),
])
def test_trajectory_with_schedule_equals_torch(name, hparams, schedule, make):
    s = SURFACES["himmelblau"]
    lr = default_lr(name, s)
    run = trajectory(name, s, (-1.0, 1.0), 40, lr, schedule=schedule, **hparams)
    check_equal(run, torch_run(name, s, (-1.0, 1.0), 40, lr, hparams, scheduler=make))


@pytest.mark.parametrize("schedule", ["linear", {"kind": "step", "step_size": 0}, {"kind": "step", "foo": 1},
                                      {"kind": "exponential", "gamma": -1.0}, [0.1, float("nan")], [0.1]])
def test_invalid_schedules_raise(schedule):
    with pytest.raises(ValueError):
        lr_schedule(0.1, 2, schedule)


# ---------------------------------------------------------------- divergence

def test_divergence_is_reported_not_raised():
    s = SURFACES["quadratic"]
    run = trajectory("sgd", s, steps=200, lr=0.6)  # |1 − 0.6·4| > 1: y grows 1.4× per step
    assert run.diverged_at is not None and 0 < run.diverged_at < 200
    assert len(run.path) == len(run.losses) == run.diverged_at
    assert np.all(np.isfinite(run.path)) and np.all(np.isfinite(run.losses))
    # it stopped at the first point farther than 10 box sizes from the center
    ref = torch_run("sgd", s, s.default_start, run.diverged_at, 0.6, {})
    assert abs(ref[-1, 1]) > 10 * 10 and np.all(np.abs(ref[:-1, 1]) <= 10 * 10)
    check_equal(run, ref)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_non_finite_runs_stop(name):
    # sqrt(x) has a nan gradient for x < 0: big steps go there
    s = custom_surface("sqrt(x) + y**2")
    run = trajectory(name, s, (0.5, 1.0), 50, lr=3.0)
    assert run.diverged_at is not None
    assert np.all(np.isfinite(run.path)) and np.all(np.isfinite(run.losses))
    if name in ("sgd", "momentum", "nesterov"):  # adaptive steps stay about lr long: they cannot blow up
        overflow = trajectory(name, "rosenbrock", (-2.0, 3.0), 50, lr=1.0)
        assert overflow.diverged_at is not None and len(overflow.path) == overflow.diverged_at


# ---------------------------------------------------------------- the vectorized engine

def grid_starts(s, n):
    (x0, x1), (y0, y1) = s.x_range, s.y_range
    return np.column_stack([np.linspace(x0, x1, n) * 0.9, np.linspace(y1, y0, n) * 0.9])


@pytest.mark.parametrize("surface", ["himmelblau", "rosenbrock", "two_basins", "linreg_raw"])
def test_vectorized_equals_single(surface):
    s = SURFACES[surface]
    starts = grid_starts(s, 3)
    res = trajectories(CONFIGS, s, starts, 25)
    assert len(CONFIGS) * len(starts) > SMALL_BATCH  # the numpy engine
    assert res.paths.shape == (len(CONFIGS) * 3, 26, 2) and res.losses.shape == (len(CONFIGS) * 3, 26)
    for r in range(len(res.names)):
        name, hp = CONFIGS[res.spec_index[r]]
        one = trajectory(name, s, starts[res.start_index[r]], 25, **hp)
        k = len(one.path)
        assert res.names[r] == name
        assert np.allclose(res.paths[r, :k], one.path, rtol=1e-12, atol=1e-12)
        assert np.allclose(res.losses[r, :k], one.losses, rtol=1e-12, atol=1e-12)
        assert res.diverged_at[r] == (-1 if one.diverged_at is None else one.diverged_at)
        assert np.all(np.isnan(res.paths[r, k:]))


def test_vectorized_divergence_and_small_batches():
    s = SURFACES["quadratic"]
    starts = grid_starts(s, 30)
    big = trajectories(["sgd", ("adam", {"amsgrad": True})], s, starts, 60, lr=0.6)
    small = trajectories(["sgd", ("adam", {"amsgrad": True})], s, starts[:5], 60, lr=0.6)
    assert np.any(big.diverged_at[:30] > 0)
    assert np.array_equal(big.diverged_at[[0, 1, 2, 3, 4, 30, 31, 32, 33, 34]], small.diverged_at)
    assert np.allclose(big.paths[[0, 1, 2, 3, 4, 30, 31, 32, 33, 34]], small.paths, equal_nan=True, atol=1e-12)
    lean = trajectories(["sgd", ("adam", {"amsgrad": True})], s, starts, 60, lr=0.6, record=False)
    assert lean.paths is None and np.array_equal(lean.diverged_at, big.diverged_at)
    assert np.allclose(lean.final, big.final, equal_nan=True)
    # per-spec lr in a dict spec
    mixed = trajectories([{"name": "adam", "lr": 0.01}, "adam"], s, starts[:1], 5)
    assert np.allclose(mixed.paths[0], trajectory("adam", s, starts[0], 5, 0.01).path)


def test_vectorized_custom_surface():
    s = custom_surface("x**2 + 3*sin(y)")
    res = trajectories(["sgd", "adam", "rmsprop"], s, grid_starts(s, 10), 20)
    for r in (0, 15, 29):
        name = res.names[r]
        one = trajectory(name, s, res.starts[r], 20)
        assert np.allclose(res.paths[r], one.path, rtol=1e-12, atol=1e-12)


def test_too_many_runs_refused():
    s = SURFACES["himmelblau"]
    with pytest.raises(ValueError):
        trajectories(["adam"] * 10, s, np.zeros((100_000, 2)), 100)
    with pytest.raises(ValueError):
        basin_map("adam", s, grid_n=10_000)


# ---------------------------------------------------------------- basin maps, phase diagrams

def test_basin_map_himmelblau():
    s = SURFACES["himmelblau"]
    labels = basin_map("sgd", s, grid_n=9, steps=200)
    assert labels.shape == (9, 9) and set(np.unique(labels)) <= {-1, 0, 1, 2, 3}
    xs, ys = np.linspace(-5, 5, 9), np.linspace(-5, 5, 9)
    # labels agree with running each start alone
    for i, j in [(0, 0), (8, 8), (2, 7), (6, 1), (4, 4)]:
        run = trajectory("sgd", s, (xs[j], ys[i]), 200)
        expect = -1 if run.diverged_at is not None else nearest_minimum(s, run.path[-1:])[0]
        assert labels[i, j] == expect
    # each quadrant's corner falls into its own minimum
    assert len({labels[0, 0], labels[0, 8], labels[8, 0], labels[8, 8]} - {-1}) == 4
    many = basin_map(["sgd", "adam"], s, grid_n=9, steps=200)
    assert many.shape == (2, 9, 9) and np.array_equal(many[0], labels)


def test_basin_map_marks_divergence():
    labels = basin_map("sgd", "himmelblau", grid_n=6, steps=50, lr=0.2)
    assert np.all(labels == -1)


def momentum_regime(lr, mu, lams=(0.2, 4.0)):
    """Analytic: roots of z² − (1 + μ − ηλ)z + μ = 0 for each eigenvalue λ of the quadratic; margin to borders."""
    worst, osc, margin = 0.0, False, np.inf
    for lam in lams:
        b = 1 + mu - lr * lam
        z = np.roots([1.0, -b, mu])
        worst = max(worst, np.max(np.abs(z)))
        disc = b * b - 4 * mu
        osc |= bool(disc < 0 or np.min(z.real) < 0)
        margin = min(margin, abs(disc), abs(b))
    kind = "diverges" if worst >= 1 else ("oscillates" if osc else "converges")
    return kind, min(margin, abs(worst - 1))


def test_phase_diagram_matches_eigenvalues():
    lrs = np.array([0.01, 0.1, 0.2, 0.3, 0.45, 0.6, 1.0])
    momenta = np.array([0.0, 0.3, 0.6, 0.9, 0.99])
    out = phase_diagram(lrs, momenta, steps=300)
    assert out.shape == (5, 7) and set(np.unique(out)) <= set(PHASES)
    checked = 0
    for i, mu in enumerate(momenta):
        for j, lr in enumerate(lrs):
            kind, margin = momentum_regime(lr, mu)
            if margin > 1e-3:  # not on a border
                assert out[i, j] == kind, (lr, mu)
                checked += 1
    assert checked >= 30
    assert out[0, 0] == "converges" and out[0, 4] == "oscillates" and out[0, 6] == "diverges"
    assert out[3, 0] == "oscillates"  # heavy momentum rings even at a tiny lr


def test_steps_to_reach():
    assert steps_to_reach([5.0, 3.0, 1.0, 0.5, 0.1], 0.0, 0.6) == 3
    assert steps_to_reach([5.0, 3.0], 0.0, 0.1) is None
    assert steps_to_reach(np.array([1.0, -0.2]), -0.25, 0.1) == 1
    run = trajectory("adam", "quadratic", steps=300)
    t = steps_to_reach(run.losses, 0.0, 1e-3)
    assert t is not None and run.losses[t] <= 1e-3 < run.losses[t - 1]
