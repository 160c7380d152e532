"""core.layer_stats against a direct computation and against torch autograd."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core import layer_stats as S
from core import nets


def small_net(activation="tanh", norm="none", residual=False, depth=3, width=6, seed=1, init="xavier"):
    return nets.build_mlp(width, (width,) * depth, 3, activation, init, norm, residual, seed=seed)


def data(n=40, d=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(np.float32), rng.integers(0, classes, n)


def direct_forward(model, X):
    """Every hidden layer's a_l = φ(W_l h_{l−1} + b_l) with numpy, no hooks (plain MLP, no norm)."""
    phi = {"tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0)}
    h, out = X.astype(np.float64), []
    for block in model.hidden_blocks:
        W = block.linear.weight.detach().double().numpy()
        b = block.linear.bias.detach().double().numpy()
        a = phi[model.activation](h @ W.T + b)
        out.append(a)
        h = h + a if block.skip else a
    return out


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("residual", [False, True])
def test_activation_stats_match_a_direct_forward_pass(activation, residual):
    model = small_net(activation, residual=residual)
    X, _ = data()
    stats = S.activation_stats(model, X, max_samples=50)
    expected = direct_forward(model, X)
    assert len(stats.std) == len(expected) == 3
    for l, a in enumerate(expected):
        assert stats.mean[l] == pytest.approx(a.mean(), abs=1e-5)
        assert stats.std[l] == pytest.approx(a.std(), rel=1e-4, abs=1e-6)
        assert stats.zero[l] == pytest.approx(np.mean(a == 0), abs=1e-9)
        if activation in S.SATURATING:
            assert stats.saturated[l] == pytest.approx(S.saturated_fraction(a, activation))
        else:
            assert np.isnan(stats.saturated[l])
        # the histogram subsample holds values of that layer
        assert len(stats.samples[l]) == 50
        assert np.abs(stats.samples[l][:, None] - a.reshape(1, -1)).min(axis=1).max() < 1e-5


def test_saturation_thresholds():
    assert S.saturated_fraction([0.995, -0.999, 0.5, 0.98], "tanh") == 0.5
    assert S.saturated_fraction([0.005, 0.995, 0.5, 0.02], "sigmoid") == 0.5
    assert np.isnan(S.saturated_fraction([0.0, 5.0], "relu"))
    # the boundaries themselves are not saturated
    assert S.saturated_fraction([0.99, -0.99], "tanh") == 0.0
    assert S.saturated_fraction([0.01, 0.99], "sigmoid") == 0.0


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("norm,residual", [("none", False), ("batch", False), ("none", True), ("layer", True)])
def test_gradient_norms_match_autograd(activation, norm, residual):
    model = small_net(activation, norm, residual)
    X, y = data()
    norms = S.gradient_norms(model, X, y)
    reference = small_net(activation, norm, residual)
    reference.train()
    F.cross_entropy(reference(torch.from_numpy(X)), torch.from_numpy(y)).backward()
    expected = [layer.weight.grad.norm().item() for layer in reference.linears()]
    np.testing.assert_allclose(norms, expected, rtol=1e-5, atol=1e-9)


def test_mse_loss_is_supported():
    model = small_net("sigmoid")
    X, y = data()
    norms = S.gradient_norms(model, X, y, loss="mse")
    reference = small_net("sigmoid")
    p = torch.softmax(reference(torch.from_numpy(X)), dim=-1)
    (p - F.one_hot(torch.from_numpy(y), 3).float()).pow(2).sum(-1).mean().backward()
    np.testing.assert_allclose(norms, [l.weight.grad.norm().item() for l in reference.linears()], rtol=1e-5)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("residual", [False, True])
def test_backward_deltas_factors_and_slopes_match_autograd(activation, residual):
    model = small_net(activation, residual=residual, depth=4)
    X, y = data()
    stats = S.backward_stats(model, X, y)
    # δ_l = ∂L/∂h_l by autograd.grad, block by block
    x = torch.from_numpy(X).requires_grad_(True)
    hs, zs, h = [], [], x
    for block in model.hidden_blocks:
        z = block.linear(h)
        zs.append(z)
        h = block(h)
        hs.append(h)
    loss = F.cross_entropy(model.output(h), torch.from_numpy(y))
    grads = torch.autograd.grad(loss, [x] + hs)
    delta = np.array([g.norm().item() for g in grads[1:]])
    np.testing.assert_allclose(stats.delta, delta, rtol=1e-5)
    assert stats.input_delta == pytest.approx(grads[0].norm().item(), rel=1e-5)
    below = np.concatenate([[grads[0].norm().item()], delta[:-1]])
    np.testing.assert_allclose(stats.factor, below / delta, rtol=1e-5)
    # the running product from the top is ‖δ_{l−1}‖ / ‖δ_L‖; its first entry ‖δ_0‖ / ‖δ_L‖
    product = S.chain_product(stats.factor)
    np.testing.assert_allclose(product, below / delta[-1], rtol=1e-4)
    # E[φ′(z_l)] against autograd's derivative of φ
    phi = nets.make_activation(activation)
    for l, z in enumerate(zs):
        z = z.detach().requires_grad_(True)
        (slope,) = torch.autograd.grad(phi(z).sum(), z)
        assert stats.slope[l] == pytest.approx(slope.mean().item(), rel=1e-5, abs=1e-7)
    assert stats.loss == pytest.approx(loss.item(), rel=1e-6)


def test_sigmoid_slope_never_exceeds_a_quarter():
    model = small_net("sigmoid", init="normal", depth=5)
    X, y = data(n=200)
    assert (S.backward_stats(model, X, y).slope <= S.DERIVATIVE_BOUND["sigmoid"] + 1e-7).all()
    z = torch.linspace(-10, 10, 2001)
    assert torch.sigmoid(z).mul(1 - torch.sigmoid(z)).max().item() == pytest.approx(0.25, abs=1e-6)


def test_the_model_is_left_as_it_was():
    model = small_net("relu", norm="batch")
    X, y = data()
    model.eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    for p in model.parameters():
        p.grad = torch.full_like(p, 7.0)
    S.backward_stats(model, X, y)
    S.activation_stats(model, X)
    assert not model.training
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key
    assert all(torch.equal(p.grad, torch.full_like(p, 7.0)) for p in model.parameters())


def test_bound_and_chain_products():
    np.testing.assert_allclose(S.bound_product("sigmoid", 4), [0.25, 0.0625, 0.015625, 0.00390625])
    np.testing.assert_allclose(S.bound_product("relu", 3), [1, 1, 1])
    np.testing.assert_allclose(S.chain_product([2.0, 3.0, 0.5]), [3.0, 1.5, 0.5])


def test_histogram_shares_sum_to_one_and_skip_non_finite_values():
    edges, share = S.histogram([0.1, 0.2, 0.2, 0.9, np.inf, np.nan], bins=4, value_range=(0, 1))
    np.testing.assert_allclose(edges, [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(share, [0.75, 0, 0, 0.25])
    edges, share = S.histogram([3.0, 3.0], bins=2)
    assert edges[0] < 3 < edges[-1] and share.sum() == pytest.approx(1)
    _, share = S.histogram([np.inf], bins=3)
    assert share.sum() == 0
