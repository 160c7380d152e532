"""core.nets: MLPs against hand-written torch, initialisations, hooks, parameter counts, the stacked MLP."""
import itertools
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from core import nets

torch.set_num_threads(1)  # small nets, shared cores

COMBOS = list(itertools.product(nets.ACTIVATIONS, nets.INITS, nets.NORMS, (False, True)))


@pytest.mark.parametrize("activation, init, norm, residual", COMBOS)
def test_every_combination_builds_and_runs(activation, init, norm, residual):
    model = nets.build_mlp(3, (6, 6, 4), 3, activation, init, norm, residual, init_std=0.1, seed=1)
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))
    out = model(x)
    assert out.shape == (5, 3) and torch.isfinite(out).all()
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.eval()
    assert torch.isfinite(model(x)).all()
    assert [b.skip for b in model.hidden_blocks] == [False, residual, False]


def test_forward_equals_hand_written_torch():
    """a = φ(N(W h + b)) per hidden layer, h ← h + a for equal widths, logits = W_out h + b_out."""
    torch.manual_seed(0)
    for norm, residual in [("none", False), ("layer", True), ("batch", True)]:
        model = nets.build_mlp(2, (5, 5), 3, "tanh", "he", norm, residual, seed=2)
        model.train()
        x = torch.randn(7, 2)
        blocks = model.hidden_blocks

        def normed(z, block, norm=norm):
            if norm == "layer":
                return F.layer_norm(z, (5,), block.norm.weight, block.norm.bias, 1e-5)
            if norm == "batch":
                return (z - z.mean(0)) / torch.sqrt(z.var(0, unbiased=False) + 1e-5) * block.norm.weight \
                    + block.norm.bias
            return z

        def linear(h, layer, norm=norm):
            return h @ layer.weight.T + (layer.bias if norm != "batch" else 0)  # batch norm: no bias

        h1 = torch.tanh(normed(linear(x, blocks[0].linear), blocks[0]))
        a2 = torch.tanh(normed(linear(h1, blocks[1].linear), blocks[1]))
        h2 = h1 + a2 if residual else a2
        expected = h2 @ model.output.weight.T + model.output.bias
        assert torch.allclose(model(x), expected, atol=1e-5)


def test_default_init_is_torchs_own_with_the_seed():
    torch.manual_seed(7)
    reference = [nn.Linear(2, 8), nn.Linear(8, 8), nn.Linear(8, 3)]
    state = torch.get_rng_state()
    model = nets.build_mlp(2, (8, 8), 3, seed=7)
    assert torch.equal(torch.get_rng_state(), state)  # the global RNG is untouched
    for ours, theirs in zip(model.linears(), reference):
        assert torch.equal(ours.weight, theirs.weight) and torch.equal(ours.bias, theirs.bias)
    again = nets.build_mlp(2, (8, 8), 3, seed=7)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), again.parameters()))


def test_inits_follow_their_formulas():
    big = (256, 256)
    zeros = nets.build_mlp(256, big, 3, init="zeros", seed=0)
    assert all((p == 0).all() for p in zeros.parameters())
    const = nets.build_mlp(256, big, 3, init="constant", init_constant=0.3, seed=0)
    assert all((layer.weight == 0.3).all() and (layer.bias == 0).all() for layer in const.linears())
    normal = nets.build_mlp(256, big, 3, init="normal", init_std=0.05, seed=0)
    assert abs(normal.hidden_blocks[1].linear.weight.std().item() - 0.05) < 0.002
    for activation in ("tanh", "relu", "leaky_relu", "sigmoid"):
        slope = nets.LEAKY_SLOPE if activation == "leaky_relu" else None
        gain = nn.init.calculate_gain(activation, slope)
        xavier = nets.build_mlp(256, big, 3, activation, init="xavier", seed=0)
        w = xavier.hidden_blocks[1].linear.weight
        bound = gain * math.sqrt(6 / (256 + 256))
        # U(±a) has std a/√3
        assert w.abs().max() <= bound + 1e-6 and abs(w.std().item() - bound / math.sqrt(3)) < 0.03 * bound
        he = nets.build_mlp(256, big, 3, activation, init="he", seed=0)
        w = he.hidden_blocks[1].linear.weight
        assert abs(w.std().item() - gain / math.sqrt(256)) < 0.03 * gain / math.sqrt(256)
        assert (he.hidden_blocks[1].linear.bias == 0).all()
        # the output layer uses the gain of "linear"
        assert he.output.weight.abs().max() <= 6 / math.sqrt(256)


def test_build_mlp_refuses_unknown_names():
    for kwargs in (dict(activation="relu6"), dict(init="orthogonal"), dict(norm="group")):
        with pytest.raises(ValueError):
            nets.build_mlp(2, (4,), 2, **kwargs)
    with pytest.raises(ValueError):
        nets.build_mlp(2, (4, 0), 2)


def test_hidden_activations_via_hooks():
    model = nets.build_mlp(2, (4, 4, 3), 2, "relu", norm="batch", residual=True, seed=3)
    model.train()
    x = torch.randn(9, 2)
    outs = nets.hidden_activations(model, x.numpy())
    assert [o.shape for o in outs] == [(9, 4), (9, 4), (9, 3)]
    model.eval()
    h = x
    for block, out in zip(model.hidden_blocks, outs):
        h = block(h)
        assert torch.allclose(torch.from_numpy(out), h.detach(), atol=1e-6)
    model.train()
    nets.hidden_activations(model, x)  # the mode is restored and the hooks are removed
    assert model.training and all(not b._forward_hooks for b in model.hidden_blocks)


@pytest.mark.parametrize("hidden, norm", [((), "none"), ((8,), "batch"), ((16, 16, 4), "layer"), ((5,) * 6, "none")])
def test_count_parameters(hidden, norm):
    model = nets.build_mlp(4, hidden, 3, norm=norm, residual=True)
    counts = nets.count_parameters(model)
    assert counts["total"] == sum(p.numel() for p in model.parameters())
    assert counts["weights"] + counts["biases"] + counts["norm_scales"] == counts["total"]
    assert counts["total"] == nets.mlp_param_count(4, hidden, 3, norm)
    assert counts["norm_scales"] == (2 * sum(hidden) if norm != "none" else 0)
    assert counts["biases"] == (0 if norm == "batch" else sum(hidden)) + 3  # batch norm's β replaces the bias


def test_param_budget_mlp():
    for depth in (1, 2, 4, 8):
        w = nets.param_budget_mlp(2, 2, depth, 5000)
        assert nets.mlp_param_count(2, (w,) * depth, 2) <= 5000 < nets.mlp_param_count(2, (w + 1,) * depth, 2)
    with pytest.raises(ValueError):
        nets.param_budget_mlp(2, 2, 8, 10)


@pytest.mark.parametrize("norm, residual, activation", [("none", False, "tanh"), ("batch", True, "relu"),
                                                        ("layer", True, "leaky_relu")])
def test_stacked_mlp_equals_each_model(norm, residual, activation):
    models = [nets.build_mlp(3, (6, 6), 4, activation, "default", norm, residual, seed=s) for s in range(3)]
    stacked = nets.StackedMLP(models)
    x = torch.randn(3, 10, 3, generator=torch.Generator().manual_seed(0))
    for training in (True, False):
        out = stacked(x, training=training)
        for k, model in enumerate(models):
            model.train(training)
            assert torch.allclose(out[k], model(x[k]), atol=1e-5)
    # gradients of Σ_k outputs_k are each model's own gradients
    stacked.flat.grad = None
    stacked(x, training=True).pow(2).sum().backward()
    for k, model in enumerate(models):
        model.train()
        model.zero_grad()
        model(x[k]).pow(2).sum().backward()
        row = torch.cat([g.reshape(-1) for g in _row_grads(model, norm)])
        assert torch.allclose(stacked.flat.grad[k], row, rtol=1e-4, atol=1e-4), (stacked.flat.grad[k] - row).abs().max()
    # write back: a fresh model with another seed takes model 1's parameters
    target = nets.build_mlp(3, (6, 6), 4, activation, "default", norm, residual, seed=9)
    stacked.write_to(target, 1)
    for a, b in zip(target.state_dict().values(), models[1].state_dict().values()):
        assert torch.allclose(a.float(), b.float(), atol=1e-6)


def _row_grads(model, norm):
    grads = []
    for block in model.hidden_blocks:
        grads += [block.linear.weight.grad.t()] + ([block.linear.bias.grad] if norm != "batch" else [])
        if norm != "none":
            grads += [block.norm.weight.grad, block.norm.bias.grad]
    return grads + [model.output.weight.grad.t(), model.output.bias.grad]
