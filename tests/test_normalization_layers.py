"""The normalization-layers page's claims, checked on the real runs, plus its measurement tools (probe, percentiles,
diversity) against torch and numpy."""
import copy

import numpy as np
import pytest
import torch

from core import nets
from core.views import _shared as shared
from core.views import normalization_layers


# --- normalization layers ---------------------------------------------------------------------------------------------
def trained_bn_model(steps=5):
    torch.manual_seed(0)
    model = nets.build_mlp(2, (8, 8), 2, "relu", norm="batch", seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(32, 2), torch.randint(0, 2, (32,))
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    return model, x



def test_batch_norm_in_eval_mode_uses_the_running_statistics():
    model, x = trained_bn_model()
    norm = model.hidden_blocks[0].norm
    assert not torch.allclose(norm.running_mean, torch.zeros_like(norm.running_mean))  # they did move
    model.eval()
    with torch.no_grad():
        z = model.hidden_blocks[0].linear(x[:3])
        # N(z) = γ (z − running mean) / √(running var + ε) + β
        expected = norm.weight * (z - norm.running_mean) / torch.sqrt(norm.running_var + norm.eps) + norm.bias
        torch.testing.assert_close(norm(z), expected)
        # …which is what our probe computes with batch_stats=False, for the whole network
        logits, _, _ = shared.probe(model, x[:3], batch_stats=False)
        torch.testing.assert_close(logits, model(x[:3]))
        # one sample alone gives the same output as inside a batch: nothing depends on the batch any more
        torch.testing.assert_close(model(x[:1]), model(x[:3])[:1])



def test_probe_in_training_mode_matches_torch_and_leaves_the_running_statistics_alone():
    model, x = trained_bn_model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    logits, pre, out = shared.probe(model, x, batch_stats=True)
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, before[key], msg=key)
    reference = copy.deepcopy(model).train()
    with torch.no_grad():
        torch.testing.assert_close(logits, reference(x))
        z = reference.hidden_blocks[0].linear(x)
        torch.testing.assert_close(pre[0], reference.hidden_blocks[0].norm(z))
    assert len(pre) == len(out) == 2
    model.eval()
    with torch.no_grad():
        assert not torch.allclose(logits, model(x))  # batch statistics ≠ running averages



def test_layer_norm_is_the_same_in_training_and_eval_mode():
    model = nets.build_mlp(2, (8, 8), 2, "relu", norm="layer", seed=0)
    x = torch.randn(5, 2)
    with torch.no_grad():
        train_out = model.train()(x)
        eval_out = model.eval()(x)
        alone = model(x[:1])
    torch.testing.assert_close(train_out, eval_out)
    torch.testing.assert_close(alone, eval_out[:1])






def test_race_batch_norm_rescues_the_deep_plain_net(race):
    assert race.runs["none"].verdict == "stalled"
    assert race.runs["batch"].verdict == "trained"
    assert race.runs["batch"].loss[-1] < race.runs["none"].loss[-1] - 0.5
    for run in race.runs.values():
        assert run.bands.shape == (race.epochs + 1, race.depth, len(normalization_layers.PERCENTILES))
        assert np.all(np.diff(run.bands, axis=-1) >= 0)  # percentiles are ordered
    # normalization holds the deep layers' pre-activations at unit scale; without it they shrink
    last = {norm: run.bands[0, -1, 4] - run.bands[0, -1, 0] for norm, run in race.runs.items()}
    assert last["batch"] > 2 and last["layer"] > 2 and last["none"] < 1
    # BatchNorm keeps the samples apart; without normalization they collapse onto one vector
    assert race.runs["batch"].diversity_init[-1] > 0.5 > 0.05 > race.runs["none"].diversity_init[-1]



def test_race_train_and_eval_mode_demo(race):
    bn, ln = race.runs["batch"].modes, race.runs["layer"].modes
    assert bn.value[0] != pytest.approx(bn.value[1], abs=1e-3)  # batch A vs batch B
    assert bn.value[2] == pytest.approx(bn.torch_eval, abs=1e-5)  # eval mode = torch's module in eval mode
    assert ln.value[0] == ln.value[1] == ln.value[2] == pytest.approx(ln.torch_eval)
    assert race.runs["none"].modes is None



def test_batch_norm_suffers_from_tiny_batches_and_layer_norm_does_not():
    sweep = normalization_layers.batch_size_sweep()
    bn, ln = sweep.loss["batch"], sweep.loss["layer"]
    assert list(sweep.batch_sizes) == [2, 4, 8, 16, 32, 64, 128]
    assert np.all(sweep.steps >= normalization_layers.SWEEP_STEPS)
    assert bn[0] > 0.45 and bn[0] > ln[0] + 0.2  # batch size 2
    assert bn[3] < 0.1 and ln[3] < 0.1  # batch size 16: both fine
    assert bn[0] > bn[1] > bn[2] > bn[3]  # BatchNorm improves steadily as the batch grows



def test_normalization_race_refuses_out_of_range_settings():
    for kwargs in (dict(depth=2), dict(depth=30), dict(depth=8.5), dict(residual="yes")):
        with pytest.raises(ValueError):
            normalization_layers.normalization_race(**kwargs)



# --- tools ------------------------------------------------------------------------------------------------------------
def test_layer_percentiles_equal_numpy():
    rng = np.random.default_rng(0)
    pre = [torch.from_numpy(rng.standard_normal((20, 6)).astype(np.float32)) for _ in range(3)]
    pre.append(torch.full((20, 6), float("nan")))
    out = normalization_layers.layer_percentiles(pre)
    for row, u in zip(out[:3], pre[:3]):
        expected = np.percentile(u.numpy().astype(np.float64), normalization_layers.PERCENTILES)
        np.testing.assert_allclose(row, expected, rtol=1e-12)
    assert np.isnan(out[3]).all()



def test_sample_diversity():
    same = np.tile([[1.0, -2.0, 3.0]], (5, 1))
    assert normalization_layers.sample_diversity(same) == pytest.approx(0.0)
    centred = np.array([[1.0, -1.0], [-1.0, 1.0]])
    assert normalization_layers.sample_diversity(centred) == pytest.approx(1.0)
    assert normalization_layers.sample_diversity(np.zeros((4, 3))) == 0.0
    assert normalization_layers.sample_diversity(np.full((2, 2), np.inf)) == 0.0



def test_verdicts():
    verdicts = [normalization_layers.verdict(x) for x in (0.69, 0.3, 0.01, float("nan"))]
    assert verdicts == ["stalled", "slow", "trained", "stalled"]
