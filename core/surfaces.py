"""Two-dimensional loss surfaces for the optimizer pages: formulas, analytic gradients, plot boxes, minima.

Every surface is a :class:`Surface` with a vectorized ``f(x, y)`` (numpy arrays broadcast) and an analytic
``grad(x, y) -> (gx, gy)``. Built-in surfaces also carry ``grad1``, the same gradient on plain Python floats, which
``core.optimizers`` uses for a fast single trajectory. numpy only: this module never imports torch.

``custom_surface(text)`` turns a student's formula such as ``"x**2 + 3*sin(y)"`` into a surface. The text is parsed
with :mod:`ast`, checked against a whitelist and compiled to numpy by walking the tree; it is never ``eval``-ed.
Its gradient is exact: forward-mode automatic differentiation (dual numbers) over the same tree, i.e. the derivative
rules of each whitelisted operation, no finite differences.
"""
from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = [
    "Surface", "LinRegSurface", "SURFACES", "linreg_surface", "optimal_gd_lr", "gd_steps_to_reach",
    "custom_surface", "parse_formula", "FORMULA_FUNCTIONS", "MAX_FORMULA_LENGTH", "MAX_FORMULA_DEPTH",
    "MAX_EXPONENT",
]


@dataclass(frozen=True, eq=False)
class Surface:
    """A loss surface f(x, y) on the plot box x_range × y_range.

    ``f`` and ``grad`` accept numpy arrays (broadcast) or floats; ``grad1`` (optional) is the gradient on plain
    Python floats, bit-for-bit the same arithmetic as ``grad``. ``log_levels`` tells a chart to space contour levels
    logarithmically in f − f*. ``minima`` is empty where unknown.
    """

    name: str
    formula: str
    f: Callable = field(repr=False)
    grad: Callable = field(repr=False)
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minima: list[tuple[float, float]]
    default_start: tuple[float, float]
    log_levels: bool = False
    grad1: Callable | None = field(default=None, repr=False)

    @property
    def f_star(self) -> float | None:
        """f* = min over the known minima of f, or None when no minimum is known."""
        if not self.minima:
            return None
        return float(min(float(self.f(mx, my)) for mx, my in self.minima))

    @property
    def center(self) -> tuple[float, float]:
        """Center of the plot box: ((x₀ + x₁)/2, (y₀ + y₁)/2)."""
        return ((self.x_range[0] + self.x_range[1]) / 2, (self.y_range[0] + self.y_range[1]) / 2)

    @property
    def size(self) -> tuple[float, float]:
        """Width and height of the plot box: (x₁ − x₀, y₁ − y₀)."""
        return (self.x_range[1] - self.x_range[0], self.y_range[1] - self.y_range[0])


@dataclass(frozen=True, eq=False)
class LinRegSurface(Surface):
    """Mean squared error of t ≈ w₁x₁ + w₂x₂ over the weights (w₁, w₂) = (x, y) of the plot.

    f(w) = (1/n)·‖Xw − t‖² = f* + ½(w − w*)ᵀH(w − w*), with H = (2/n)·XᵀX and w* = H⁻¹·(2/n)·Xᵀt.
    ``X`` (n, 2) and ``y`` (n,) are the data (y = the centered targets t), ``hessian`` is H and
    ``condition_number`` is κ = λmax(H)/λmin(H).
    """

    X: np.ndarray = field(default=None, repr=False)
    y: np.ndarray = field(default=None, repr=False)
    hessian: np.ndarray = field(default=None, repr=False)
    condition_number: float = 0.0
    scale_ratio: float = 1.0
    normalized: bool = False

    @property
    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """The data set (X, y)."""
        return self.X, self.y


def _refine_minimum(grad: Callable, x: float, y: float, iters: int = 60) -> tuple[float, float]:
    """Newton's method on ∇f = 0 from (x, y): p ← p − J⁻¹·∇f(p), J the central-difference Jacobian of ∇f.

    The fixed point depends only on the analytic gradient, so the result is exact to rounding.
    """
    p = np.array([x, y], dtype=float)
    h = 1e-6
    for _ in range(iters):
        g = np.array(grad(p[0], p[1]), dtype=float)
        jac = np.empty((2, 2))
        for k in range(2):
            e = np.zeros(2)
            e[k] = h
            # J[:, k] = (∇f(p + h·e_k) − ∇f(p − h·e_k)) / 2h
            jac[:, k] = (np.array(grad(*(p + e))) - np.array(grad(*(p - e)))) / (2 * h)
        # p ← p − J⁻¹·∇f(p)
        step = np.linalg.solve(jac, g)
        p = p - step
        if np.max(np.abs(step)) < 1e-15:
            break
    return float(p[0]), float(p[1])


# ---------------------------------------------------------------- built-in surfaces
# The formulas use x*x rather than x**2 so that they also run on Python floats (float ** raises OverflowError,
# float * float gives inf like numpy).

def _quadratic_f(x, y):
    # f = 0.1x² + 2y²
    return 0.1 * (x * x) + 2.0 * (y * y)


def _quadratic_grad(x, y):
    # ∇f = (0.2x, 4y)
    return 0.2 * x, 4.0 * y


def _rosenbrock_f(x, y):
    # f = (1 − x)² + 100(y − x²)²
    a = 1.0 - x
    b = y - x * x
    return a * a + 100.0 * (b * b)


def _rosenbrock_grad(x, y):
    b = y - x * x
    # ∂f/∂x = −2(1 − x) − 400x(y − x²),  ∂f/∂y = 200(y − x²)
    return -2.0 * (1.0 - x) - 400.0 * x * b, 200.0 * b


def _beale_f(x, y):
    # f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²
    y2 = y * y
    a = 1.5 - x + x * y
    b = 2.25 - x + x * y2
    c = 2.625 - x + x * (y2 * y)
    return a * a + b * b + c * c


def _beale_grad(x, y):
    y2 = y * y
    y3 = y2 * y
    a = 1.5 - x + x * y
    b = 2.25 - x + x * y2
    c = 2.625 - x + x * y3
    # ∂f/∂x = 2a(y − 1) + 2b(y² − 1) + 2c(y³ − 1)
    gx = 2.0 * a * (y - 1.0) + 2.0 * b * (y2 - 1.0) + 2.0 * c * (y3 - 1.0)
    # ∂f/∂y = 2a·x + 2b·2xy + 2c·3xy²
    gy = 2.0 * a * x + 4.0 * b * (x * y) + 6.0 * c * (x * y2)
    return gx, gy


def _himmelblau_f(x, y):
    # f = (x² + y − 11)² + (x + y² − 7)²
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return a * a + b * b


def _himmelblau_grad(x, y):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    # ∂f/∂x = 4x(x² + y − 11) + 2(x + y² − 7),  ∂f/∂y = 2(x² + y − 11) + 4y(x + y² − 7)
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


def _saddle_f(x, y):
    # f = x² + y⁴/4 − y²/2
    y2 = y * y
    return x * x + 0.25 * (y2 * y2) - 0.5 * y2


def _saddle_grad(x, y):
    # ∇f = (2x, y³ − y)
    return 2.0 * x, y * y * y - y


def _two_basins(exp: Callable) -> tuple[Callable, Callable]:
    """f and ∇f of x² + y² − 2·exp(−((x−1)² + y²)/0.2) − 3·exp(−((x+1)² + y²)/0.2), with the given exp."""

    def f(x, y):
        y2 = y * y
        # E₁ = exp(−((x−1)² + y²)/0.2),  E₂ = exp(−((x+1)² + y²)/0.2)
        e1 = exp(-((x - 1.0) * (x - 1.0) + y2) / 0.2)
        e2 = exp(-((x + 1.0) * (x + 1.0) + y2) / 0.2)
        # f = x² + y² − 2E₁ − 3E₂
        return x * x + y2 - 2.0 * e1 - 3.0 * e2

    def grad(x, y):
        y2 = y * y
        e1 = exp(-((x - 1.0) * (x - 1.0) + y2) / 0.2)
        e2 = exp(-((x + 1.0) * (x + 1.0) + y2) / 0.2)
        # ∂f/∂x = 2x + 20(x − 1)E₁ + 30(x + 1)E₂,  ∂f/∂y = 2y + 20y·E₁ + 30y·E₂
        return 2.0 * x + 20.0 * (x - 1.0) * e1 + 30.0 * (x + 1.0) * e2, 2.0 * y + 20.0 * y * e1 + 30.0 * y * e2

    return f, grad


_two_basins_f, _two_basins_grad = _two_basins(np.exp)
_two_basins_f1, _two_basins_grad1 = _two_basins(math.exp)


def _sorted_minima(f: Callable, minima: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Minima ordered by f, the global one first."""
    return sorted(minima, key=lambda m: float(f(*m)))


# ---------------------------------------------------------------- linear regression surfaces

LINREG_SAMPLES = 200
LINREG_SEED = 0
LINREG_TRUE_WEIGHTS = (1.5, -2.0)  # in standardized units: t = 1.5·z₁ − 2·z₂ + 0.5·noise
LINREG_NOISE = 0.5
MIN_SCALE_RATIO, MAX_SCALE_RATIO = 0.01, 1000.0


def linreg_data(scale_ratio: float = 10.0, normalized: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The fixed synthetic data set (X, t): x₁ = z₁ (scale 1), x₂ = scale_ratio·z₂, t = 1.5·ẑ₁ − 2·ẑ₂ + 0.5·ε.

    z, ε ~ N(0, 1) with a fixed seed (the same draws for every ratio; ẑ are the standardized z), 200 samples.
    X is centered (so no intercept is needed) and t is centered; with ``normalized`` each column of X is
    standardized: x̂ = (x − mean)/std.
    """
    if not (np.isfinite(scale_ratio) and MIN_SCALE_RATIO <= scale_ratio <= MAX_SCALE_RATIO):
        raise ValueError(f"scale_ratio must be between {MIN_SCALE_RATIO} and {MAX_SCALE_RATIO}, got {scale_ratio}")
    rng = np.random.default_rng(LINREG_SEED)
    z = rng.standard_normal((LINREG_SAMPLES, 2))
    noise = rng.standard_normal(LINREG_SAMPLES)
    # x₁ = z₁, x₂ = ratio·z₂
    X = z * np.array([1.0, float(scale_ratio)])
    X = X - X.mean(axis=0)
    # ẑ = (x − mean)/std
    Z = X / X.std(axis=0)
    # t = 1.5·ẑ₁ − 2·ẑ₂ + 0.5·ε, centered
    t = Z @ np.array(LINREG_TRUE_WEIGHTS) + LINREG_NOISE * noise
    t = t - t.mean()
    return (Z if normalized else X), t


def linreg_surface(scale_ratio: float = 10.0, normalized: bool = False) -> LinRegSurface:
    """MSE surface f(w₁, w₂) = (1/n)·‖Xw − t‖² of :func:`linreg_data` with feature-scale ratio ``scale_ratio``.

    H = (2/n)·XᵀX, w* = H⁻¹·(2/n)·Xᵀt, f* = f(w*), and f(w) = f* + ½(w − w*)ᵀH(w − w*);
    κ = λmax(H)/λmin(H) ≈ scale_ratio² on raw features and ≈ 1 on standardized ones.
    The plot box is w* ± 3 on both axes; the start is w* + (−2.5, 2.5).
    """
    X, t = linreg_data(scale_ratio, normalized)
    n = len(t)
    # H = (2/n)·XᵀX
    H = 2.0 / n * (X.T @ X)
    # w* = H⁻¹·(2/n)·Xᵀt
    w_star = np.linalg.solve(H, 2.0 / n * (X.T @ t))
    # f* = (1/n)·‖Xw* − t‖²
    f_star = float(np.mean((X @ w_star - t) ** 2))
    lam = np.linalg.eigvalsh(H)
    # κ = λmax/λmin
    kappa = float(lam[-1] / lam[0])
    h11, h12, h22 = float(H[0, 0]), float(H[0, 1]), float(H[1, 1])
    a, b = float(w_star[0]), float(w_star[1])

    def f(x, y):
        dx = x - a
        dy = y - b
        # f = f* + ½(h₁₁dx² + 2h₁₂dx·dy + h₂₂dy²)
        return f_star + 0.5 * (h11 * (dx * dx) + 2.0 * h12 * (dx * dy) + h22 * (dy * dy))

    def grad(x, y):
        dx = x - a
        dy = y - b
        # ∇f = H(w − w*)
        return h11 * dx + h12 * dy, h12 * dx + h22 * dy

    kind = "normalized" if normalized else "raw"
    return LinRegSurface(
        name=f"linreg_{kind}",
        formula=(r"\frac{1}{n}\sum_i (w_1 x_{i1} + w_2 x_{i2} - y_i)^2"
                 + (r"\ \text{(standardized } x)" if normalized else "")),
        f=f, grad=grad, grad1=grad,
        x_range=(a - 3.0, a + 3.0), y_range=(b - 3.0, b + 3.0),
        minima=[(a, b)], default_start=(a - 2.5, b + 2.5),
        log_levels=not normalized,
        X=X, y=t, hessian=H, condition_number=kappa, scale_ratio=float(scale_ratio), normalized=bool(normalized),
    )


def optimal_gd_lr(hessian: np.ndarray) -> float:
    """Best constant learning rate of gradient descent on a quadratic: η* = 2/(λmax + λmin).

    With η*, every eigen-direction contracts by at least (κ − 1)/(κ + 1) per step.
    """
    lam = np.linalg.eigvalsh(np.asarray(hessian, dtype=float))
    if lam[0] <= 0:
        raise ValueError("the Hessian must be positive definite")
    # η* = 2/(λmax + λmin)
    return float(2.0 / (lam[-1] + lam[0]))


def gd_steps_to_reach(hessian: np.ndarray, start: Sequence[float], minimum: Sequence[float], eps: float,
                      lr: float | None = None, max_steps: int = 10_000_000) -> int | None:
    """Steps of gradient descent θ ← θ − η·H(θ − θ*) until f − f* ≤ ε, from the closed form (no simulation).

    In the eigenbasis H = QΛQᵀ, c = Qᵀ(θ₀ − θ*): f(θ_t) − f* = ½·Σᵢ λᵢ·cᵢ²·(1 − ηλᵢ)^(2t).
    η defaults to η* = 2/(λmax + λmin). Returns None when GD does not converge (|1 − ηλ| ≥ 1 for a direction
    with cᵢ ≠ 0) or needs more than ``max_steps``.
    """
    if not eps > 0:
        raise ValueError("eps must be positive")
    H = np.asarray(hessian, dtype=float)
    lam, Q = np.linalg.eigh(H)
    eta = optimal_gd_lr(H) if lr is None else float(lr)
    c = Q.T @ (np.asarray(start, dtype=float) - np.asarray(minimum, dtype=float))
    # rᵢ = 1 − ηλᵢ
    r = np.abs(1.0 - eta * lam)

    def gap(t):
        # f(θ_t) − f* = ½·Σᵢ λᵢ·cᵢ²·rᵢ^(2t)
        return float(0.5 * np.sum(lam * c * c * r ** (2.0 * t)))

    if gap(0) <= eps:
        return 0
    if np.any((r >= 1.0) & (c != 0)):
        return None
    if gap(max_steps) > eps:
        return None
    lo, hi = 0, max_steps  # gap(lo) > eps ≥ gap(hi); the gap is non-increasing since every rᵢ < 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if gap(mid) <= eps:
            hi = mid
        else:
            lo = mid
    return hi


# ---------------------------------------------------------------- custom surfaces from a typed formula

MAX_FORMULA_LENGTH = 200
MAX_FORMULA_DEPTH = 30
MAX_FORMULA_NODES = 120
MAX_EXPONENT = 10
MAX_CONSTANT = 1e6
MAX_MAGNITUDE = 1e100  # |f| on the box: beyond it g² overflows (Adam, RMSprop stand still) and charts cannot draw it
CUSTOM_RANGE = (-3.0, 3.0)


def _d_sin(a):
    return np.cos(a)


def _d_cos(a):
    return -np.sin(a)


def _d_tan(a):
    c = np.cos(a)
    return 1.0 / (c * c)


def _d_log(a):
    return 1.0 / a


def _d_sqrt(a):
    return 0.5 / np.sqrt(a)


def _d_tanh(a):
    t = np.tanh(a)
    return 1.0 - t * t


# name → (numpy function, its derivative a ↦ d fn(a)/da)
FORMULA_FUNCTIONS: dict[str, tuple[Callable, Callable]] = {
    "sin": (np.sin, _d_sin),      # sin′ = cos
    "cos": (np.cos, _d_cos),      # cos′ = −sin
    "tan": (np.tan, _d_tan),      # tan′ = 1/cos²
    "exp": (np.exp, np.exp),      # exp′ = exp
    "log": (np.log, _d_log),      # log′(a) = 1/a
    "sqrt": (np.sqrt, _d_sqrt),   # √′(a) = 1/(2√a)
    "abs": (np.abs, np.sign),     # |a|′ = sign(a)  (0 at 0, like torch)
    "tanh": (np.tanh, _d_tanh),   # tanh′ = 1 − tanh²
}
_CONSTANTS = {"pi": math.pi, "e": math.e}
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_ALLOWED_TEXT = "numbers, x, y, pi, e, + - * / **, and " + ", ".join(FORMULA_FUNCTIONS)


def _refuse(why: str) -> ValueError:
    return ValueError(f"{why}. A formula may use only {_ALLOWED_TEXT}.")


def _has_xy(node: ast.AST) -> bool:
    """Whether the subtree uses the variables x or y."""
    return any(isinstance(n, ast.Name) and n.id in ("x", "y") for n in ast.walk(node))


def _constant_exponent(node: ast.AST) -> float:
    """The value of a checked subtree without x and y (e.g. ``2``, ``-0.5``, ``1/3``), computed by our walker."""
    with np.errstate(all="ignore"):
        return float(_compile_value(node)(np.float64(0.0), np.float64(0.0)))


def _check(node: ast.AST, depth: int) -> None:
    """Raise ValueError unless ``node`` and its children are whitelisted."""
    if depth > MAX_FORMULA_DEPTH:
        raise _refuse(f"The formula is nested too deeply (more than {MAX_FORMULA_DEPTH} levels)")
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise _refuse(f"The constant {node.value!r} is not a number")
        if not (math.isfinite(node.value) and abs(node.value) <= MAX_CONSTANT):
            raise _refuse(f"Numbers must be finite and at most {MAX_CONSTANT:g} in size")
        return
    if isinstance(node, ast.Name):
        if node.id not in ("x", "y") and node.id not in _CONSTANTS:
            raise _refuse(f"Unknown name {node.id!r}")
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _refuse(f"The operator {type(node.op).__name__} is not allowed")
        _check(node.operand, depth + 1)
        return
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.BitXor):
            raise _refuse("^ is not a power here: write x**2, not x^2")
        if type(node.op) not in _BINOPS:
            raise _refuse(f"The operator {type(node.op).__name__} is not allowed")
        _check(node.left, depth + 1)
        _check(node.right, depth + 1)
        if isinstance(node.op, ast.Pow):
            if _has_xy(node.right):
                raise _refuse("An exponent must be a number, not depend on x or y (write exp(y*log(x)) for x^y)")
            c = _constant_exponent(node.right)
            if not (math.isfinite(c) and abs(c) <= MAX_EXPONENT):
                raise _refuse(f"Exponents must be numbers between -{MAX_EXPONENT} and {MAX_EXPONENT}")
        return
    if isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id in FORMULA_FUNCTIONS):
            what = node.func.id if isinstance(node.func, ast.Name) else type(node.func).__name__
            raise _refuse(f"Calling {what!r} is not allowed")
        if node.keywords or len(node.args) != 1:
            raise _refuse(f"{node.func.id}() takes exactly one argument")
        _check(node.args[0], depth + 1)
        return
    raise _refuse(f"{type(node).__name__} is not allowed")


def parse_formula(text: str) -> ast.AST:
    """Parse and check a student's formula; returns the expression's AST or raises ValueError saying why.

    Allowed: numbers (|c| ≤ 1e6), the names x, y, pi, e, the operators + − * / and unary ±, powers a**c whose
    exponent c is a number (a constant expression such as 2, -0.5 or 1/3, without x or y) with |c| ≤ 10
    (exponents depending on x or y are refused: write exp(b*log(a))), and one-argument calls of
    sin cos tan exp log sqrt abs tanh. At most 200 characters, 30 levels of nesting and
    120 nodes. Everything else (other names, attributes, subscripts, other calls, lambdas, comprehensions,
    strings, comparisons, …) is refused.
    """
    if not isinstance(text, str):
        raise ValueError("The formula must be text")
    text = text.strip()
    if not text:
        raise ValueError("The formula is empty")
    if len(text) > MAX_FORMULA_LENGTH:
        raise ValueError(f"The formula is too long ({len(text)} characters; at most {MAX_FORMULA_LENGTH})")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ValueError(f"The formula is not a valid expression: {text!r}") from exc
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_FORMULA_NODES:
        raise ValueError(f"The formula is too complex ({nodes} parts; at most {MAX_FORMULA_NODES})")
    _check(tree.body, 0)
    return tree.body


def _compile_value(node: ast.AST) -> Callable:
    """Compile a checked AST into v(x, y) built from numpy operations."""
    # constants are numpy scalars so that 1/0 or 10.0**10**... give inf like arrays do (Python floats raise)
    if isinstance(node, ast.Constant):
        c = np.float64(node.value)
        return lambda x, y: c
    if isinstance(node, ast.Name):
        if node.id == "x":
            return lambda x, y: x
        if node.id == "y":
            return lambda x, y: y
        c = np.float64(_CONSTANTS[node.id])
        return lambda x, y: c
    if isinstance(node, ast.UnaryOp):
        a = _compile_value(node.operand)
        if isinstance(node.op, ast.USub):
            return lambda x, y: -a(x, y)
        return a
    if isinstance(node, ast.Call):
        fn = FORMULA_FUNCTIONS[node.func.id][0]
        a = _compile_value(node.args[0])
        return lambda x, y: fn(a(x, y))
    a = _compile_value(node.left)
    if isinstance(node.op, ast.Pow):
        c = _constant_exponent(node.right)
        return lambda x, y: np.power(a(x, y), c)
    b = _compile_value(node.right)
    op = type(node.op)
    if op is ast.Add:
        return lambda x, y: a(x, y) + b(x, y)
    if op is ast.Sub:
        return lambda x, y: a(x, y) - b(x, y)
    if op is ast.Mult:
        return lambda x, y: a(x, y) * b(x, y)
    return lambda x, y: a(x, y) / b(x, y)


# Forward-mode AD: each compiled node returns (v, ∂v/∂x, ∂v/∂y); None stands for a derivative that is exactly 0.

def _add(p, q):
    if p is None:
        return q
    if q is None:
        return p
    return p + q


def _scale(p, s):
    return None if p is None else p * s


def _compile_dual(node: ast.AST) -> Callable:
    """Compile a checked AST into d(x, y) → (v, ∂v/∂x, ∂v/∂y) by the derivative rule of each node."""
    if isinstance(node, ast.Constant) or (isinstance(node, ast.Name) and node.id in _CONSTANTS):
        c = np.float64(node.value if isinstance(node, ast.Constant) else _CONSTANTS[node.id])
        return lambda x, y: (c, None, None)
    if isinstance(node, ast.Name):
        if node.id == "x":
            return lambda x, y: (x, 1.0, None)
        return lambda x, y: (y, None, 1.0)
    if isinstance(node, ast.UnaryOp):
        a = _compile_dual(node.operand)
        if isinstance(node.op, ast.UAdd):
            return a

        def neg(x, y):
            v, dx, dy = a(x, y)
            # (−a)′ = −a′
            return -v, _scale(dx, -1.0), _scale(dy, -1.0)
        return neg
    if isinstance(node, ast.Call):
        fn, dfn = FORMULA_FUNCTIONS[node.func.id]
        a = _compile_dual(node.args[0])

        def call(x, y):
            v, dx, dy = a(x, y)
            # fn(a)′ = fn′(a)·a′
            d = dfn(v) if (dx is not None or dy is not None) else None
            return fn(v), _scale(dx, d), _scale(dy, d)
        return call
    a = _compile_dual(node.left)
    if isinstance(node.op, ast.Pow):
        c = _constant_exponent(node.right)

        def power(x, y):
            v, dx, dy = a(x, y)
            if c == 0.0 or (dx is None and dy is None):
                return np.power(v, c), None, None
            # (a^c)′ = c·a^(c−1)·a′
            d = c * np.power(v, c - 1.0)
            return np.power(v, c), _scale(dx, d), _scale(dy, d)
        return power
    b = _compile_dual(node.right)
    op = type(node.op)

    def binop(x, y):
        va, ax, ay = a(x, y)
        vb, bx, by = b(x, y)
        if op is ast.Add:
            # (a + b)′ = a′ + b′
            return va + vb, _add(ax, bx), _add(ay, by)
        if op is ast.Sub:
            # (a − b)′ = a′ − b′
            return va - vb, _add(ax, _scale(bx, -1.0)), _add(ay, _scale(by, -1.0))
        if op is ast.Mult:
            # (a·b)′ = a′·b + a·b′
            return va * vb, _add(_scale(ax, vb), _scale(bx, va)), _add(_scale(ay, vb), _scale(by, va))
        # (a/b)′ = (a′ − (a/b)·b′)/b
        v = va / vb
        dx = _add(ax, _scale(bx, -v))
        dy = _add(ay, _scale(by, -v))
        return v, (None if dx is None else dx / vb), (None if dy is None else dy / vb)
    return binop


def custom_surface(expression: str, x_range: tuple[float, float] = CUSTOM_RANGE,
                   y_range: tuple[float, float] = CUSTOM_RANGE) -> Surface:
    """A surface from a typed formula, e.g. ``custom_surface("x**2 + 3*sin(y)")``.

    The text is checked by :func:`parse_formula` (ValueError with the reason if refused) and compiled to numpy
    by walking its AST; it is never passed to eval/exec. The gradient is exact, by forward-mode automatic
    differentiation over the AST (value and derivative carried through each node with its derivative rule).
    The box defaults to (−3, 3)², the start to (2, 2); minima are unknown (empty list). Out-of-domain points
    (log of a negative, …) give nan, overflow gives inf, silently; a formula whose finite values on the box exceed
    ``MAX_MAGNITUDE`` in size is refused (ValueError).
    """
    tree = parse_formula(expression)
    value = _compile_value(tree)
    dual = _compile_dual(tree)

    def f(x, y):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        with np.errstate(all="ignore"):
            v = value(x, y)
        return np.broadcast_to(v, np.broadcast_shapes(x.shape, y.shape)).astype(float)

    def grad(x, y):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        shape = np.broadcast_shapes(x.shape, y.shape)
        with np.errstate(all="ignore"):
            _, gx, gy = dual(x, y)
        gx = np.zeros(shape) if gx is None else np.broadcast_to(gx, shape).astype(float)
        gy = np.zeros(shape) if gy is None else np.broadcast_to(gy, shape).astype(float)
        return gx, gy

    for lo, hi in (x_range, y_range):
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError("a range must be two finite numbers (low, high) with low < high")
    gx, gy = np.meshgrid(np.linspace(*x_range, 41), np.linspace(*y_range, 41))
    sampled = f(gx, gy)
    finite = np.abs(sampled[np.isfinite(sampled)])
    if finite.size and finite.max() > MAX_MAGNITUDE:
        raise ValueError(f"The formula reaches {finite.max():.3g} on the box; values beyond {MAX_MAGNITUDE:.0e} are "
                         "too large to follow in floating point (the squared gradient overflows)")
    start = (x_range[0] + 5 / 6 * (x_range[1] - x_range[0]), y_range[0] + 5 / 6 * (y_range[1] - y_range[0]))
    return Surface(name="custom", formula=expression.strip(), f=f, grad=grad,
                   x_range=(float(x_range[0]), float(x_range[1])), y_range=(float(y_range[0]), float(y_range[1])),
                   minima=[], default_start=start, log_levels=False, grad1=None)


# ---------------------------------------------------------------- the registry

def _builtin_surfaces() -> dict[str, Surface]:
    himmelblau_minima = [_refine_minimum(_himmelblau_grad, *p)
                         for p in [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]]
    two_basins_minima = _sorted_minima(_two_basins_f, [_refine_minimum(_two_basins_grad, *p)
                                                       for p in [(-0.95, 0.0), (0.9, 0.0)]])
    surfaces = [
        Surface("quadratic", r"0.1x^2 + 2y^2", _quadratic_f, _quadratic_grad, (-10.0, 10.0), (-5.0, 5.0),
                [(0.0, 0.0)], (-9.0, 3.5), False, _quadratic_grad),
        Surface("rosenbrock", r"(1-x)^2 + 100(y-x^2)^2", _rosenbrock_f, _rosenbrock_grad, (-2.0, 2.0), (-1.0, 3.0),
                [(1.0, 1.0)], (-1.2, 1.0), True, _rosenbrock_grad),
        Surface("beale", r"(1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2", _beale_f, _beale_grad,
                (-4.5, 4.5), (-4.5, 4.5), [(3.0, 0.5)], (1.0, 1.5), True, _beale_grad),
        Surface("himmelblau", r"(x^2+y-11)^2 + (x+y^2-7)^2", _himmelblau_f, _himmelblau_grad, (-5.0, 5.0),
                (-5.0, 5.0), himmelblau_minima, (0.0, 0.0), True, _himmelblau_grad),
        Surface("saddle", r"x^2 + y^4/4 - y^2/2", _saddle_f, _saddle_grad, (-2.0, 2.0), (-2.0, 2.0),
                [(0.0, 1.0), (0.0, -1.0)], (-1.8, 0.02), False, _saddle_grad),
        Surface("two_basins", r"x^2 + y^2 - 2e^{-((x-1)^2+y^2)/0.2} - 3e^{-((x+1)^2+y^2)/0.2}",
                _two_basins_f, _two_basins_grad, (-2.5, 2.5), (-2.0, 2.0), two_basins_minima, (2.2, 0.8), False,
                _two_basins_grad1),
        linreg_surface(10.0, normalized=False),
        linreg_surface(10.0, normalized=True),
    ]
    return {s.name: s for s in surfaces}


SURFACES: dict[str, Surface] = _builtin_surfaces()
