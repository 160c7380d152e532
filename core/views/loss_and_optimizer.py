"""One training step of a tiny network in slow motion, in float64 numpy: forward, loss, backward, update, new loss.

The network (the lecture's §1 in miniature)::

    x = (x₁, x₂)  →  zⱼ = wⱼ₁ x₁ + wⱼ₂ x₂ + bⱼ,  aⱼ = act(zⱼ)  (j = 1, 2; act = sigmoid or tanh)
                  →  z = v₁ a₁ + v₂ a₂ + c
                  →  ŷ = σ(z) with L = BCE(y, ŷ)      ("sigmoid_bce")
                     ŷ = z    with L = (ŷ − y)²       ("linear_mse")

Every stage is a dataclass of plain numbers, so a page draws it without computing anything; the tests check every
number against torch autograd (float64) to 1e-9. Parameter names: ``w11 w12 w21 w22`` (wⱼᵢ: input i → hidden j),
``b1 b2``, ``v1 v2`` (hidden j → output) and ``c``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import losses
from core.errors import InputError, check_choice, check_number

HIDDEN = ("sigmoid", "tanh")
OUTPUTS = ("sigmoid_bce", "linear_mse")
PARAMETERS = ("w11", "w12", "w21", "w22", "b1", "b2", "v1", "v2", "c")
INPUT_LIMIT = 10.0  # |x₁|, |x₂| ≤ 10 and, for the regression output, |y| ≤ 10
MAX_LR = 10.0
MAX_STEPS = 1000
DIVERGED = 1e12  # a loss beyond this (or not finite) ends a run of steps: training has diverged


@dataclass(frozen=True)
class Params:
    """The nine numbers of the network, by name (see the module docstring)."""

    w11: float
    w12: float
    w21: float
    w22: float
    b1: float
    b2: float
    v1: float
    v2: float
    c: float

    def vector(self) -> np.ndarray:
        """The parameters in ``PARAMETERS`` order."""
        return np.array([getattr(self, name) for name in PARAMETERS], dtype=np.float64)

    @classmethod
    def from_vector(cls, values) -> "Params":
        """Nine numbers in ``PARAMETERS`` order → Params."""
        return cls(*(float(v) for v in values))

    def as_dict(self) -> dict[str, float]:
        """{name: value} in ``PARAMETERS`` order."""
        return {name: getattr(self, name) for name in PARAMETERS}

    @property
    def w(self) -> np.ndarray:
        """The 2 × 2 first-layer matrix, w[j − 1, i − 1] = wⱼᵢ."""
        return np.array([[self.w11, self.w12], [self.w21, self.w22]])

    @property
    def b(self) -> np.ndarray:
        """The hidden biases (b₁, b₂)."""
        return np.array([self.b1, self.b2])

    @property
    def v(self) -> np.ndarray:
        """The output weights (v₁, v₂)."""
        return np.array([self.v1, self.v2])


def initial_params(seed: int) -> Params:
    """Nine weights drawn uniformly from [−1, 1] by ``numpy.random.default_rng(seed)``, rounded to 2 decimals so the
    numbers on screen are the exact numbers used."""
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    rng = np.random.default_rng(int(seed))
    return Params.from_vector(np.round(rng.uniform(-1.0, 1.0, size=len(PARAMETERS)), 2))


@dataclass(frozen=True)
class Forward:
    """Stage 1, the forward pass: every unit's input z and output a."""

    x: tuple[float, float]
    z_hidden: tuple[float, float]  # zⱼ = wⱼ₁ x₁ + wⱼ₂ x₂ + bⱼ
    a_hidden: tuple[float, float]  # aⱼ = act(zⱼ)
    z_out: float  # z = v₁ a₁ + v₂ a₂ + c
    y_hat: float  # ŷ = σ(z) or z


@dataclass(frozen=True)
class Loss:
    """Stage 2: how wrong the prediction is."""

    y: float
    y_hat: float
    loss: float
    one_minus_y: float  # 1 − y and 1 − ŷ, the second term of binary cross-entropy
    one_minus_y_hat: float


@dataclass(frozen=True)
class Backward:
    """Stage 3: the chain rule from the loss back to every parameter."""

    dloss_dyhat: float  # ∂L/∂ŷ
    dyhat_dz: float  # ∂ŷ/∂z: ŷ(1 − ŷ) for a sigmoid output, 1 for a linear one
    delta_out: float  # ∂L/∂z = ∂L/∂ŷ · ∂ŷ/∂z
    dloss_da: tuple[float, float]  # ∂L/∂aⱼ = ∂L/∂z · vⱼ
    da_dz: tuple[float, float]  # ∂aⱼ/∂zⱼ = act'(zⱼ)
    delta_hidden: tuple[float, float]  # ∂L/∂zⱼ = ∂L/∂aⱼ · ∂aⱼ/∂zⱼ
    grads: Params  # ∂L/∂(every parameter)


@dataclass(frozen=True)
class Update:
    """Stage 4, what the optimizer (plain SGD) does: θ ← θ − η · ∂L/∂θ."""

    lr: float
    steps: Params  # −η · ∂L/∂θ
    new: Params


@dataclass(frozen=True)
class After:
    """Stage 5: the same example through the updated network."""

    forward: Forward
    loss: float
    change: float  # new loss − old loss (negative: the step helped)


@dataclass(frozen=True)
class Factor:
    """One local derivative ∂(of)/∂(wrt) in a chain-rule product; ``of`` and ``wrt`` are TeX symbols."""

    of: str
    wrt: str
    value: float


@dataclass(frozen=True)
class Chain:
    """∂L/∂θ for one parameter written as the product of its local factors."""

    parameter: str
    factors: tuple[Factor, ...]
    product: float  # Π factors = ∂L/∂θ


@dataclass(frozen=True)
class SlowMotion:
    """Everything the slow-motion view shows: one step stage by stage, then ``steps`` steps of the loss."""

    hidden: str
    output: str
    params: Params
    forward: Forward
    loss: Loss
    backward: Backward
    update: Update
    after: After
    curve: tuple[float, ...]  # loss before step 0, 1, …, steps (NaN after divergence)
    diverged: bool

    def chain(self, parameter: str) -> Chain:
        """∂L/∂θ = ∂L/∂ŷ · ∂ŷ/∂z · … · ∂(unit input)/∂θ, the factors with their numbers."""
        if parameter not in PARAMETERS:
            raise ValueError(f"parameter must be one of {PARAMETERS}, got {parameter!r}")
        back, fwd = self.backward, self.forward
        factors = [Factor("L", "\\hat y", back.dloss_dyhat), Factor("\\hat y", "z", back.dyhat_dz)]
        symbol = {"w11": "w_{11}", "w12": "w_{12}", "w21": "w_{21}", "w22": "w_{22}", "b1": "b_1", "b2": "b_2",
                  "v1": "v_1", "v2": "v_2", "c": "c"}[parameter]
        if parameter == "c":
            factors.append(Factor("z", "c", 1.0))
        elif parameter.startswith("v"):
            j = int(parameter[1]) - 1
            factors.append(Factor("z", symbol, fwd.a_hidden[j]))  # ∂z/∂vⱼ = aⱼ
        else:
            j = int(parameter[1]) - 1
            factors += [Factor("z", f"a_{j + 1}", getattr(self.params, f"v{j + 1}")),  # ∂z/∂aⱼ = vⱼ
                        Factor(f"a_{j + 1}", f"z_{j + 1}", back.da_dz[j])]  # ∂aⱼ/∂zⱼ = act'(zⱼ)
            # ∂zⱼ/∂wⱼᵢ = xᵢ, ∂zⱼ/∂bⱼ = 1
            last = 1.0 if parameter.startswith("b") else fwd.x[int(parameter[2]) - 1]
            factors.append(Factor(f"z_{j + 1}", symbol, last))
        return Chain(parameter=parameter, factors=tuple(factors), product=getattr(back.grads, parameter))


def _check(x1: float, x2: float, y: float, lr: float, hidden: str, output: str) -> None:
    check_choice("hidden", hidden, HIDDEN)
    check_choice("output", output, OUTPUTS)
    for name, value in (("x1", x1), ("x2", x2), ("y", y)):
        check_number(name, value, -INPUT_LIMIT, INPUT_LIMIT)
    if output == "sigmoid_bce":  # a probability target
        check_number("y", y, 0.0, 1.0)
    check_number("lr", lr, 0.0, MAX_LR)
    if lr == 0.0:
        raise InputError("out_of_range", f"lr must lie in (0, {MAX_LR:g}], got {lr}", name="lr", low=0, high=MAX_LR,
                         value=lr)


def _activation(z: np.ndarray, hidden: str) -> tuple[np.ndarray, np.ndarray]:
    """(act(z), act'(z)): sigmoid σ with σ' = σ(1 − σ), or tanh with tanh' = 1 − tanh²."""
    if hidden == "sigmoid":
        a = losses.sigmoid(z)
        # σ'(z) = σ(z)(1 − σ(z))
        return a, a * (1.0 - a)
    a = np.tanh(z)
    # tanh'(z) = 1 − tanh²(z)
    return a, 1.0 - a * a


def forward(params: Params, x1: float, x2: float, hidden: str, output: str) -> Forward:
    """zⱼ = wⱼ₁x₁ + wⱼ₂x₂ + bⱼ, aⱼ = act(zⱼ), z = v₁a₁ + v₂a₂ + c, ŷ = σ(z) (sigmoid_bce) or z (linear_mse)."""
    x = np.array([x1, x2], dtype=np.float64)
    # zⱼ = Σᵢ wⱼᵢ xᵢ + bⱼ
    z_hidden = params.w @ x + params.b
    a_hidden, _ = _activation(z_hidden, hidden)
    # z = Σⱼ vⱼ aⱼ + c
    z_out = float(params.v @ a_hidden + params.c)
    y_hat = float(losses.sigmoid(z_out)) if output == "sigmoid_bce" else z_out
    return Forward(x=(float(x1), float(x2)), z_hidden=tuple(z_hidden.tolist()), a_hidden=tuple(a_hidden.tolist()),
                   z_out=z_out, y_hat=y_hat)


def loss_value(y: float, y_hat: float, output: str) -> float:
    """BCE(y, ŷ) = −[y ln ŷ + (1 − y) ln(1 − ŷ)] (logs clamped at −100, as PyTorch does) or (ŷ − y)²."""
    if output == "sigmoid_bce":
        return losses.binary_cross_entropy(y, y_hat)
    return losses.mse(y, y_hat)


def backward(params: Params, fwd: Forward, y: float, hidden: str, output: str) -> Backward:
    """The chain rule, from the loss back to every parameter."""
    y_hat = fwd.y_hat
    if output == "sigmoid_bce":
        # ∂L/∂ŷ = −y/ŷ + (1 − y)/(1 − ŷ) = (ŷ − y) / (ŷ(1 − ŷ)); ∂ŷ/∂z = ŷ(1 − ŷ)
        dyhat_dz = y_hat * (1.0 - y_hat)
        with np.errstate(divide="ignore", invalid="ignore"):  # ŷ rounded to exactly 0 or 1: the factor is ±inf
            dloss_dyhat = (y_hat - y) / dyhat_dz
    else:
        # ∂L/∂ŷ = 2(ŷ − y); ∂ŷ/∂z = 1
        dyhat_dz = 1.0
        dloss_dyhat = 2.0 * (y_hat - y)
    # ∂L/∂z = ∂L/∂ŷ · ∂ŷ/∂z  (for sigmoid + BCE this is exactly ŷ − y)
    delta_out = y_hat - y if output == "sigmoid_bce" else dloss_dyhat * dyhat_dz
    a = np.array(fwd.a_hidden)
    _, da_dz = _activation(np.array(fwd.z_hidden), hidden)
    # ∂L/∂aⱼ = ∂L/∂z · vⱼ
    dloss_da = delta_out * params.v
    # ∂L/∂zⱼ = ∂L/∂aⱼ · act'(zⱼ)
    delta_hidden = dloss_da * da_dz
    # ∂L/∂wⱼᵢ = ∂L/∂zⱼ · xᵢ,  ∂L/∂bⱼ = ∂L/∂zⱼ,  ∂L/∂vⱼ = ∂L/∂z · aⱼ,  ∂L/∂c = ∂L/∂z
    grad_w = np.outer(delta_hidden, np.array(fwd.x))
    grads = Params(w11=grad_w[0, 0], w12=grad_w[0, 1], w21=grad_w[1, 0], w22=grad_w[1, 1],
                   b1=delta_hidden[0], b2=delta_hidden[1], v1=delta_out * a[0], v2=delta_out * a[1], c=delta_out)
    return Backward(dloss_dyhat=float(dloss_dyhat), dyhat_dz=float(dyhat_dz), delta_out=float(delta_out),
                    dloss_da=tuple(dloss_da.tolist()), da_dz=tuple(da_dz.tolist()),
                    delta_hidden=tuple(delta_hidden.tolist()), grads=Params.from_vector(grads.vector()))


def sgd_update(params: Params, grads: Params, lr: float) -> Update:
    """θ ← θ − η · ∂L/∂θ for every parameter: the direction is −gradient, the step size η (the learning rate)."""
    # Δθ = −η · ∂L/∂θ
    steps = -lr * grads.vector()
    return Update(lr=float(lr), steps=Params.from_vector(steps), new=Params.from_vector(params.vector() + steps))


def slow_motion(x1: float, x2: float, y: float, lr: float, seed: int, hidden: str = "sigmoid",
                output: str = "sigmoid_bce", steps: int = 20) -> SlowMotion:
    """One SGD step on the single example ((x₁, x₂), y), stage by stage, then the loss over ``steps`` steps.

    Raises ``ValueError`` for an unknown activation or output, |x| or |y| > 10, y ∉ [0, 1] with a sigmoid output,
    η ∉ (0, 10], or steps ∉ [1, 1000]. A run of steps that diverges (loss > 1e12 or not finite) stops there: the
    rest of ``curve`` is NaN and ``diverged`` is True.
    """
    _check(x1, x2, y, lr, hidden, output)
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must lie in [1, {MAX_STEPS}], got {steps}")
    params = initial_params(seed)
    fwd = forward(params, x1, x2, hidden, output)
    loss = Loss(y=float(y), y_hat=fwd.y_hat, loss=loss_value(y, fwd.y_hat, output), one_minus_y=1.0 - float(y),
                one_minus_y_hat=1.0 - fwd.y_hat)
    back = backward(params, fwd, y, hidden, output)
    update = sgd_update(params, back.grads, lr)
    new_fwd = forward(update.new, x1, x2, hidden, output)
    new_loss = loss_value(y, new_fwd.y_hat, output)
    after = After(forward=new_fwd, loss=new_loss, change=new_loss - loss.loss)

    curve = [loss.loss, new_loss]
    current, diverged = update.new, False
    while len(curve) <= steps:
        if not (np.isfinite(curve[-1]) and curve[-1] <= DIVERGED):
            diverged = True
            break
        current_fwd = forward(current, x1, x2, hidden, output)
        current = sgd_update(current, backward(current, current_fwd, y, hidden, output).grads, lr).new
        with np.errstate(over="ignore", invalid="ignore"):
            curve.append(loss_value(y, forward(current, x1, x2, hidden, output).y_hat, output))
    if not diverged and not (np.isfinite(curve[-1]) and curve[-1] <= DIVERGED):
        diverged = True
    curve = [value if np.isfinite(value) and value <= DIVERGED else float("nan") for value in curve]
    curve += [float("nan")] * (steps + 1 - len(curve))
    return SlowMotion(hidden=hidden, output=output, params=params, forward=fwd, loss=loss, backward=back,
                      update=update, after=after, curve=tuple(curve), diverged=diverged)
