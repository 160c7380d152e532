"""core.surfaces against torch autograd: values, gradients, Hessians, minima, and the custom-formula parser."""
import builtins
import math

import numpy as np
import pytest
import torch

from core.surfaces import (
    MAX_FORMULA_LENGTH,
    SURFACES,
    LinRegSurface,
    custom_surface,
    gd_steps_to_reach,
    linreg_surface,
    optimal_gd_lr,
    parse_formula,
)

torch.set_num_threads(1)

from tests.torch_surfaces import TORCH_F  # noqa: E402  (the spec's formulas, written for torch)


def torch_mse(surface: LinRegSurface):
    X = torch.tensor(surface.X)
    t = torch.tensor(surface.y)
    return lambda x, y: ((X[:, 0] * x + X[:, 1] * y - t) ** 2).mean()


def torch_f(surface):
    return torch_mse(surface) if isinstance(surface, LinRegSurface) else TORCH_F[surface.name]


def autograd(fn, x, y):
    """f and ∇f at each point by torch autograd in float64."""
    vals, gxs, gys = [], [], []
    for a, b in zip(x, y):
        tx = torch.tensor(float(a), dtype=torch.float64, requires_grad=True)
        ty = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
        v = fn(tx, ty)
        gx, gy = torch.autograd.grad(v, (tx, ty), allow_unused=True)
        vals.append(v.item())
        gxs.append(0.0 if gx is None else gx.item())
        gys.append(0.0 if gy is None else gy.item())
    return np.array(vals), np.array(gxs), np.array(gys)


def box_points(surface, n=25, seed=1):
    rng = np.random.default_rng(seed)
    return rng.uniform(*surface.x_range, n), rng.uniform(*surface.y_range, n)


def close(a, b, rtol=1e-10):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.allclose(a, b, rtol=rtol, atol=rtol * max(1.0, float(np.max(np.abs(b)))))


# ---------------------------------------------------------------- built-in surfaces

def test_required_surfaces_exist():
    assert {"quadratic", "rosenbrock", "beale", "himmelblau", "saddle", "two_basins",
            "linreg_raw", "linreg_normalized"} <= set(SURFACES)
    for s in SURFACES.values():
        assert s.formula and isinstance(s.log_levels, bool)
        assert s.x_range[0] < s.x_range[1] and s.y_range[0] < s.y_range[1]
        assert s.x_range[0] <= s.default_start[0] <= s.x_range[1]
        assert s.y_range[0] <= s.default_start[1] <= s.y_range[1]
    assert SURFACES["rosenbrock"].log_levels and SURFACES["beale"].log_levels
    assert not SURFACES["saddle"].log_levels  # f < 0 there


@pytest.mark.parametrize("name", list(SURFACES))
def test_values_and_gradients_match_autograd(name):
    s = SURFACES[name]
    x, y = box_points(s)
    v, gx, gy = autograd(torch_f(s), x, y)
    assert close(s.f(x, y), v)
    ax, ay = s.grad(x, y)
    assert close(ax, gx) and close(ay, gy)


@pytest.mark.parametrize("name", list(SURFACES))
def test_float_gradient_equals_array_gradient(name):
    s = SURFACES[name]
    x, y = box_points(s, 10)
    ax, ay = s.grad(x, y)
    fx, fy = zip(*(s.grad1(float(a), float(b)) for a, b in zip(x, y)))
    assert all(isinstance(v, float) for v in fx + fy)
    assert close(fx, ax, 1e-15) and close(fy, ay, 1e-15)


def test_broadcasting():
    s = SURFACES["himmelblau"]
    X, Y = np.meshgrid(np.linspace(-5, 5, 7), np.linspace(-5, 5, 5))
    assert s.f(X, Y).shape == (5, 7)
    assert s.f(np.linspace(-1, 1, 4)[:, None], np.linspace(-1, 1, 3)[None, :]).shape == (4, 3)
    gx, gy = s.grad(X, Y)
    assert gx.shape == gy.shape == (5, 7)


@pytest.mark.parametrize("name", list(SURFACES))
def test_minima_are_stationary_and_minimal(name):
    s = SURFACES[name]
    assert s.minima
    for mx, my in s.minima:
        gx, gy = s.grad(mx, my)
        assert abs(gx) < 1e-9 and abs(gy) < 1e-9
        # a local minimum: f grows in every direction around it
        ang = np.linspace(0, 2 * np.pi, 16, endpoint=False)
        around = s.f(mx + 1e-3 * np.cos(ang), my + 1e-3 * np.sin(ang))
        assert np.all(around > s.f(mx, my))


def test_known_minima():
    assert SURFACES["quadratic"].minima == [(0.0, 0.0)]
    assert SURFACES["rosenbrock"].minima == [(1.0, 1.0)]
    assert SURFACES["beale"].minima == [(3.0, 0.5)]
    h = SURFACES["himmelblau"]
    assert len(h.minima) == 4 and all(abs(h.f(*m)) < 1e-20 for m in h.minima)
    assert np.allclose(sorted(h.minima), sorted([(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                                                 (3.584428, -1.848126)]), atol=1e-6)
    saddle = SURFACES["saddle"]
    assert sorted(saddle.minima) == [(0.0, -1.0), (0.0, 1.0)]
    assert saddle.f_star == -0.25
    assert saddle.grad(0.0, 0.0) == (0.0, 0.0)  # the saddle point
    # indefinite Hessian at the origin: up along x, down along y
    assert saddle.f(1e-3, 0.0) > 0 > saddle.f(0.0, 1e-3)


def test_two_basins_local_and_global():
    s = SURFACES["two_basins"]
    assert len(s.minima) == 2
    (gx_, gy_), (lx, ly) = s.minima
    assert gx_ < 0 < lx and gy_ == ly == 0.0  # global at x ≈ −1 (depth 3), local at x ≈ +1 (depth 2)
    assert s.f(gx_, gy_) < s.f(lx, ly)
    assert s.f_star == pytest.approx(float(s.f(gx_, gy_)))


def test_surfaces_without_torch():
    import subprocess
    import sys
    code = "import core.surfaces, core.optimizers, sys; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=__file__.rsplit("/tests/", 1)[0]).stdout.strip()
    assert out == "False"


# ---------------------------------------------------------------- linear regression

@pytest.mark.parametrize("name", ["linreg_raw", "linreg_normalized"])
def test_linreg_hessian_and_condition_number_match_torch(name):
    s = SURFACES[name]
    X, t = s.data
    assert X.shape == (200, 2) and t.shape == (200,)
    assert abs(t.mean()) < 1e-12 and np.all(np.abs(X.mean(axis=0)) < 1e-12)
    H = torch.autograd.functional.hessian(lambda w: torch_mse(s)(w[0], w[1]), torch.zeros(2, dtype=torch.float64))
    assert close(s.hessian, H.numpy(), 1e-12)
    ev = torch.linalg.eigvalsh(H)
    assert s.condition_number == pytest.approx((ev[-1] / ev[0]).item(), rel=1e-10)
    # w* is where the autograd gradient vanishes
    _, gx, gy = autograd(torch_mse(s), [s.minima[0][0]], [s.minima[0][1]])
    assert abs(gx[0]) < 1e-12 and abs(gy[0]) < 1e-12


def test_linreg_conditioning():
    raw, norm = SURFACES["linreg_raw"], SURFACES["linreg_normalized"]
    assert raw.X[:, 1].std() / raw.X[:, 0].std() > 5  # very different feature scales
    assert norm.condition_number < 1.3
    assert raw.condition_number > 50
    assert np.allclose(norm.X.std(axis=0), 1.0)
    # the same model: both reach the same least-squares error
    assert raw.f_star == pytest.approx(norm.f_star, rel=1e-12)


def test_gd_needs_far_fewer_steps_when_normalized():
    raw, norm = SURFACES["linreg_raw"], SURFACES["linreg_normalized"]
    n_raw = gd_steps_to_reach(raw.hessian, raw.default_start, raw.minima[0], 1e-6)
    n_norm = gd_steps_to_reach(norm.hessian, norm.default_start, norm.minima[0], 1e-6)
    assert n_norm is not None and n_raw is not None
    assert n_norm * 20 < n_raw


@pytest.mark.parametrize("ratio", [1.0, 3.0, 30.0])
def test_linreg_surface_ratio(ratio):
    raw, norm = linreg_surface(ratio, False), linreg_surface(ratio, True)
    assert raw.condition_number == pytest.approx(ratio**2, rel=0.35) or ratio == 1.0
    assert norm.condition_number < 1.3
    assert raw.X[:, 1].std() / raw.X[:, 0].std() == pytest.approx(ratio, rel=0.2)
    x, y = box_points(raw, 5)
    _, gx, gy = autograd(torch_mse(raw), x, y)
    ax, ay = raw.grad(x, y)
    assert close(ax, gx) and close(ay, gy)


@pytest.mark.parametrize("ratio", [0.0, -1.0, float("nan"), 1e9])
def test_linreg_surface_refuses_bad_ratio(ratio):
    with pytest.raises(ValueError):
        linreg_surface(ratio, False)


def test_optimal_lr_and_steps_match_simulation():
    from core.optimizers import steps_to_reach, trajectory
    s = SURFACES["linreg_raw"]
    lam = np.linalg.eigvalsh(s.hessian)
    assert optimal_gd_lr(s.hessian) == pytest.approx(2 / (lam[0] + lam[1]))
    lr = optimal_gd_lr(s.hessian)
    n = gd_steps_to_reach(s.hessian, s.default_start, s.minima[0], 1e-4)
    run = trajectory("sgd", s, steps=n + 5, lr=lr)
    assert steps_to_reach(run.losses, s.f_star, 1e-4) in (n - 1, n, n + 1)
    # a learning rate beyond 2/λmax never gets there
    assert gd_steps_to_reach(s.hessian, s.default_start, s.minima[0], 1e-4, lr=2.1 / lam[-1]) is None
    assert gd_steps_to_reach(s.hessian, s.minima[0], s.minima[0], 1e-4) == 0


# ---------------------------------------------------------------- custom surfaces

TORCH_NS = {"sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "exp": torch.exp, "log": torch.log,
            "sqrt": torch.sqrt, "abs": torch.abs, "tanh": torch.tanh, "pi": math.pi, "e": math.e}

VALID = [
    "x**2 + 3*sin(y)",
    "(x - 1)**2 + 0.5*y**2",
    "sqrt(x**2 + y**2 + 1)",
    "exp(-x**2 - y**2) * cos(pi*x)",
    "log(1 + x**2) + tanh(y)",
    "x*y/(1 + x**2 + y**2)",
    "tan(x/4) - y**3/3 + e",
    "+x - -y + 2**3*x",
    "abs(x - 0.05) + abs(y + 0.05)**1.5",
    "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
    "x**(1/3) + y**-0.5",       # needs x, y > 0
    "1/x + log(y) - sqrt(x*y)",  # needs x, y > 0
    "3",
]


@pytest.mark.parametrize("text", VALID)
def test_custom_surface_matches_torch(text):
    s = custom_surface(text)
    positive = text in VALID[-3:-1]
    rng = np.random.default_rng(2)
    x = rng.uniform(0.2, 2.8, 12) if positive else rng.uniform(-2.8, 2.8, 12)
    y = rng.uniform(0.2, 2.8, 12) if positive else rng.uniform(-2.8, 2.8, 12)
    v, gx, gy = autograd(lambda a, b: torch.as_tensor(eval(text, {"__builtins__": {}}, {**TORCH_NS, "x": a, "y": b}),
                                                      dtype=torch.float64) + 0 * a + 0 * b, x, y)
    assert close(s.f(x, y), v)
    ax, ay = s.grad(x, y)
    assert ax.shape == ay.shape == x.shape
    assert close(ax, gx) and close(ay, gy)
    assert s.x_range == s.y_range == (-3.0, 3.0) and s.minima == [] and s.f_star is None


def test_custom_surface_shapes_and_domain():
    s = custom_surface("log(x) + y")
    X, Y = np.meshgrid(np.linspace(-3, 3, 4), np.linspace(-3, 3, 6))
    with np.errstate(all="raise"):  # no warnings escape
        v = s.f(X, Y)
        gx, gy = s.grad(X, Y)
    assert v.shape == gx.shape == gy.shape == (6, 4)
    assert np.isnan(v[:, 0]).all() and np.isfinite(v[:, -1]).all()
    assert np.all(gy == 1.0)
    assert custom_surface("1/0 + x").f(1.0, 1.0) == np.inf  # constants follow IEEE, no ZeroDivisionError
    assert custom_surface("x").grad(np.zeros(3), np.zeros(3))[1].tolist() == [0.0, 0.0, 0.0]


def test_custom_surface_never_evals(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("eval/exec must not be used")
    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    s = custom_surface("x**2 + sin(y)")
    assert s.f(1.0, 0.0) == 1.0 and s.grad(1.0, 0.0)[0] == 2.0


HOSTILE = [
    "__import__('os').system('echo pwned')",
    "os.system('ls')",
    "x.__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "x[0]",
    "lambda: 1",
    "[x for x in (1, 2)]",
    "{x for x in (1, 2)}",
    "(x for x in (1, 2))",
    "'abc'",
    "b'x'",
    "f'{x}'",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('1')",
    "getattr(x, 'real')",
    "globals()",
    "__builtins__",
    "x if y else 1",
    "x < y",
    "x and y",
    "not x",
    "~x",
    "x % 2",
    "x // 2",
    "x @ y",
    "x << 2",
    "x ^ 2",
    "x | y",
    "x ** y",
    "2 ** x",
    "x ** 11",
    "x ** -11",
    "x ** (5*3)",
    "9 ** 9 ** 9",
    "x ** (1/0)",
    "x * 1e400",
    "x + 10000000",
    "z + 1",
    "X + y",
    "sin(x, y)",
    "sin()",
    "sin(x=1)",
    "sin(*[x])",
    "max(x, y)",
    "np.sin(x)",
    "math.pi",
    "True + x",
    "None",
    "...",
    "1j * x",
    "(x, y)",
    "[x, y]",
    "{x: 1}",
    "(x := 2)",
    "x = 1",
    "import os",
    "x; y",
    "x +",
    "",
    "   ",
    "x" + "+x" * 150,
    "-" * 40 + "x",
    "sin(" * 35 + "x" + ")" * 35,
    "yield x",
    "await x",
    "x\x00",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_custom_surface_refuses(text):
    with pytest.raises(ValueError) as err:
        custom_surface(text)
    assert str(err.value)


@pytest.mark.parametrize("text", [None, 3, b"x", ["x"]])
def test_custom_surface_refuses_non_text(text):
    with pytest.raises(ValueError):
        custom_surface(text)


def test_refusal_messages_are_clear():
    assert "**" in str(pytest.raises(ValueError, custom_surface, "x^2").value)
    assert "'z'" in str(pytest.raises(ValueError, custom_surface, "z").value)
    assert "__import__" in str(pytest.raises(ValueError, custom_surface, "__import__('os')").value)
    assert str(MAX_FORMULA_LENGTH) in str(pytest.raises(ValueError, custom_surface, "x+" * 150 + "x").value)
    assert "10" in str(pytest.raises(ValueError, parse_formula, "x**12").value)


def test_a_formula_too_large_for_floating_point_steps_is_refused():
    with pytest.raises(ValueError, match="too large to follow"):
        custom_surface("((x**10)**10)**10 + y**2")
    assert custom_surface("exp(x**2) + y**2").f(3.0, 0.0) == pytest.approx(np.exp(9))
