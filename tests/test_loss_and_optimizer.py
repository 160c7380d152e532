"""core.views.loss_and_optimizer against torch autograd (float64): every number of the slow-motion step, to 1e-9."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.views import loss_and_optimizer as slow_motion
from core.views.loss_and_optimizer import HIDDEN, OUTPUTS, PARAMETERS

TOL = 1e-9
CASES = [(1.0, -0.5, 1.0, 0.5), (-2.3, 1.7, 0.0, 1.3), (0.4, 2.9, 0.3, 0.05)]


def torch_step(params: slow_motion.Params, x1, x2, y, lr, hidden, output):
    """The same network in torch (float64): forward values, loss, autograd gradients, SGD update, new loss."""
    theta = {name: torch.tensor(value, dtype=torch.float64, requires_grad=True)
             for name, value in params.as_dict().items()}

    def forward(t):
        x = torch.tensor([x1, x2], dtype=torch.float64)
        w = torch.stack([torch.stack([t["w11"], t["w12"]]), torch.stack([t["w21"], t["w22"]])])
        z_hidden = w @ x + torch.stack([t["b1"], t["b2"]])
        a_hidden = torch.sigmoid(z_hidden) if hidden == "sigmoid" else torch.tanh(z_hidden)
        z_out = torch.stack([t["v1"], t["v2"]]) @ a_hidden + t["c"]
        y_hat = torch.sigmoid(z_out) if output == "sigmoid_bce" else z_out
        target = torch.tensor(y, dtype=torch.float64)
        loss = F.binary_cross_entropy(y_hat, target) if output == "sigmoid_bce" else F.mse_loss(y_hat, target)
        return z_hidden, a_hidden, z_out, y_hat, loss

    z_hidden, a_hidden, z_out, y_hat, loss = forward(theta)
    for tensor in (z_hidden, a_hidden, z_out, y_hat):
        tensor.retain_grad()
    loss.backward()
    optimizer = torch.optim.SGD(list(theta.values()), lr=lr)
    grads = {name: t.grad.item() for name, t in theta.items()}
    intermediate = {"z_hidden": z_hidden.grad.numpy().copy(), "a_hidden": a_hidden.grad.numpy().copy(),
                    "z_out": z_out.grad.item(), "y_hat": y_hat.grad.item()}
    optimizer.step()
    new = {name: t.item() for name, t in theta.items()}
    with torch.no_grad():
        after = forward(theta)
    return {"z_hidden": z_hidden.detach().numpy(), "a_hidden": a_hidden.detach().numpy(), "z_out": z_out.item(),
            "y_hat": y_hat.item(), "loss": loss.item(), "grads": grads, "intermediate": intermediate, "new": new,
            "new_y_hat": after[3].item(), "new_loss": after[4].item()}


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("seed", [0, 1, 7, 42])
@pytest.mark.parametrize("case", CASES)
def test_every_number_equals_autograd(case, seed, hidden, output):
    x1, x2, y, lr = case
    run = slow_motion.slow_motion(x1, x2, y, lr, seed, hidden, output)
    ref = torch_step(run.params, x1, x2, y, lr, hidden, output)
    # stage 1: forward
    np.testing.assert_allclose(run.forward.z_hidden, ref["z_hidden"], rtol=0, atol=TOL)
    np.testing.assert_allclose(run.forward.a_hidden, ref["a_hidden"], rtol=0, atol=TOL)
    assert run.forward.z_out == pytest.approx(ref["z_out"], abs=TOL)
    assert run.forward.y_hat == pytest.approx(ref["y_hat"], abs=TOL)
    # stage 2: loss
    assert run.loss.loss == pytest.approx(ref["loss"], abs=TOL)
    # stage 3: backward, the parameters and the intermediate quantities of the chain rule
    for name in PARAMETERS:
        assert getattr(run.backward.grads, name) == pytest.approx(ref["grads"][name], abs=TOL), name
    assert run.backward.dloss_dyhat == pytest.approx(ref["intermediate"]["y_hat"], abs=TOL)
    assert run.backward.delta_out == pytest.approx(ref["intermediate"]["z_out"], abs=TOL)
    np.testing.assert_allclose(run.backward.dloss_da, ref["intermediate"]["a_hidden"], rtol=0, atol=TOL)
    np.testing.assert_allclose(run.backward.delta_hidden, ref["intermediate"]["z_hidden"], rtol=0, atol=TOL)
    # stage 4: torch.optim.SGD's update
    for name in PARAMETERS:
        assert getattr(run.update.new, name) == pytest.approx(ref["new"][name], abs=TOL), name
        assert getattr(run.update.steps, name) == pytest.approx(-lr * ref["grads"][name], abs=TOL), name
    # stage 5: the new loss
    assert run.after.forward.y_hat == pytest.approx(ref["new_y_hat"], abs=TOL)
    assert run.after.loss == pytest.approx(ref["new_loss"], abs=TOL)
    assert run.after.change == pytest.approx(ref["new_loss"] - ref["loss"], abs=TOL)
    assert run.curve[0] == run.loss.loss and run.curve[1] == run.after.loss


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_chain_factors_multiply_to_the_gradient(hidden, output):
    run = slow_motion.slow_motion(0.8, -1.4, 1.0, 0.5, 3, hidden, output)
    for name in PARAMETERS:
        chain = run.chain(name)
        assert np.prod([factor.value for factor in chain.factors]) == pytest.approx(chain.product, abs=1e-12)
        assert chain.product == getattr(run.backward.grads, name)
    # the first-layer chain has five factors: ∂L/∂ŷ · ∂ŷ/∂z · vⱼ · act'(zⱼ) · xᵢ
    chain = run.chain("w12")
    assert [f.value for f in chain.factors][2:] == [run.params.v1, run.backward.da_dz[0], -1.4]


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_twenty_steps_match_torch_sgd(hidden, output):
    x1, x2, y, lr = 1.0, -0.5, 1.0, 0.3
    run = slow_motion.slow_motion(x1, x2, y, lr, 5, hidden, output, steps=20)
    params, expected = run.params, []
    for _ in range(21):
        ref = torch_step(params, x1, x2, y, lr, hidden, output)
        expected.append(ref["loss"])
        params = slow_motion.Params(**ref["new"])
    np.testing.assert_allclose(run.curve, expected, rtol=0, atol=1e-9)
    assert not run.diverged


def test_sigmoid_bce_output_gradient_is_prediction_minus_target():
    run = slow_motion.slow_motion(1.0, -0.5, 1.0, 0.5, 0)
    assert run.backward.delta_out == pytest.approx(run.forward.y_hat - 1.0, abs=1e-15)
    assert run.backward.dloss_dyhat * run.backward.dyhat_dz == pytest.approx(run.backward.delta_out, abs=1e-12)


def test_small_step_lowers_the_loss_and_a_large_one_can_diverge():
    small = slow_motion.slow_motion(1.0, -0.5, 1.0, 0.05, 0, "tanh", "linear_mse")
    assert small.after.change < 0
    large = slow_motion.slow_motion(1.0, -0.5, 1.0, 1.0, 0, "tanh", "linear_mse")
    assert large.after.change > 0 and large.diverged
    assert np.isnan(large.curve[-1]) and len(large.curve) == 21


def test_seed_gives_rounded_reproducible_weights():
    a, b = slow_motion.initial_params(3), slow_motion.initial_params(3)
    assert a == b
    assert np.all(np.abs(a.vector()) <= 1) and np.allclose(a.vector(), np.round(a.vector(), 2))
    assert slow_motion.initial_params(4) != a


@pytest.mark.parametrize("kwargs", [dict(hidden="relu"), dict(output="softmax"), dict(x1=11.0), dict(y=1.5),
                                    dict(lr=0.0), dict(lr=float("nan")), dict(seed=-1), dict(steps=0)])
def test_bad_settings_raise(kwargs):
    settings = dict(x1=1.0, x2=0.0, y=1.0, lr=0.5, seed=0) | kwargs
    with pytest.raises(ValueError):
        slow_motion.slow_motion(**settings)
