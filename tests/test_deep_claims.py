"""The claims the deep-network pages make, checked on the real experiments (core.deep_experiments), plus the
measurement tools (probe, percentiles, diversity) against torch and numpy."""
import copy
import pickle

import numpy as np
import pytest
import torch

from core import deep_experiments as E
from core import nets
from core.training import DEEP_MAX_DEPTH, Trainer

torch.set_num_threads(1)


# --- gradient clipping ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def explosion():
    return E.exploding_runs()


def test_the_unclipped_demo_run_diverges_and_the_clipped_one_does_not(explosion):
    plain, clipped = explosion.unclipped, explosion.clipped
    assert plain.diverged_epoch is not None and plain.diverged_epoch <= 10
    assert not np.isfinite(plain.loss[-1])
    assert plain.grad_norm[0] > 10 * clipped.threshold  # the very first gradient is already far too large
    assert clipped.diverged_epoch is None
    assert len(clipped.loss) == explosion.epochs and np.isfinite(clipped.loss).all()
    assert clipped.final_loss < 0.1 and clipped.final_accuracy > 0.95
    assert clipped.steps == explosion.epochs  # full batch: one update (global step) per epoch
    assert clipped.grad_norm[0] == pytest.approx(plain.grad_norm[0], rel=1e-5)  # same start, same first gradient


def test_value_clipping_also_survives():
    result = E.exploding_runs(clip="value", threshold=1.0)
    assert result.unclipped.diverged_epoch is not None
    assert result.clipped.diverged_epoch is None and np.isfinite(result.clipped.final_loss)


def test_a_small_learning_rate_needs_no_clipping():
    assert E.exploding_runs(lr=0.05).unclipped.diverged_epoch is None


@pytest.mark.parametrize("kwargs", [dict(lr=5.0), dict(lr=0.0), dict(clip="none"), dict(threshold=0.0),
                                    dict(threshold=float("nan")), dict(lr="0.3")])
def test_exploding_runs_refuses_out_of_range_settings(kwargs):
    with pytest.raises(ValueError):
        E.exploding_runs(**kwargs)


# --- residual connections ---------------------------------------------------------------------------------------------
def test_a_residual_32_layer_mlp_trains_to_a_lower_loss_than_the_plain_one():
    base = E.DEPTH_SWEEP.replace(norm="batch", hidden=(16,) * 32)
    plain = E.depth_run(base)
    residual = E.depth_run(base.replace(residual=True))
    assert len(plain.loss) == len(residual.loss) == base.epochs
    assert residual.final_loss < plain.final_loss
    assert residual.final_loss < 0.1 < 0.5 < plain.final_loss  # degradation: the plain net is stuck near ln 2
    # the first layer's gradient at initialisation: orders of magnitude apart in the plain net, modest with shortcuts
    assert plain.first_grad_norm > 30 * residual.first_grad_norm
    assert plain.grad_norms[0] > 30 * plain.grad_norms[-1]
    spread = {name: run.grad_norms.max() / run.grad_norms.min() for name, run in (("plain", plain), ("res", residual))}
    assert spread["plain"] > 10 * spread["res"]  # far flatter from layer to layer with shortcuts


def test_depth_run_loss_is_the_full_batch_objective_in_training_mode():
    config = E.DEPTH_SWEEP.replace(norm="batch", hidden=(16,) * 4, epochs=3)
    run = E.depth_run(config)
    trainer = Trainer(config, max_depth=DEEP_MAX_DEPTH)
    trainer.step(3)
    model = copy.deepcopy(trainer.model).train()
    with torch.no_grad():
        expected = torch.nn.functional.cross_entropy(model(trainer.X_train), trainer.y_train).item()
    assert run.loss[-1] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("kwargs", [dict(norm="layer"), dict(epochs=7), dict(epochs="20")])
def test_residual_sweep_refuses_unknown_settings(kwargs):
    with pytest.raises(ValueError):
        E.residual_sweep(**kwargs)


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
        logits, _, _ = E.probe(model, x[:3], batch_stats=False)
        torch.testing.assert_close(logits, model(x[:3]))
        # one sample alone gives the same output as inside a batch: nothing depends on the batch any more
        torch.testing.assert_close(model(x[:1]), model(x[:3])[:1])


def test_probe_in_training_mode_matches_torch_and_leaves_the_running_statistics_alone():
    model, x = trained_bn_model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    logits, pre, out = E.probe(model, x, batch_stats=True)
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


@pytest.fixture(scope="module")
def race():
    return E.normalization_race(depth=8, residual=False)


def test_race_batch_norm_rescues_the_deep_plain_net(race):
    assert race.runs["none"].verdict == "stalled"
    assert race.runs["batch"].verdict == "trained"
    assert race.runs["batch"].loss[-1] < race.runs["none"].loss[-1] - 0.5
    for run in race.runs.values():
        assert run.bands.shape == (race.epochs + 1, race.depth, len(E.PERCENTILES))
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
    sweep = E.batch_size_sweep()
    bn, ln = sweep.loss["batch"], sweep.loss["layer"]
    assert list(sweep.batch_sizes) == [2, 4, 8, 16, 32, 64, 128]
    assert np.all(sweep.steps >= E.SWEEP_STEPS)
    assert bn[0] > 0.45 and bn[0] > ln[0] + 0.2  # batch size 2
    assert bn[3] < 0.1 and ln[3] < 0.1  # batch size 16: both fine
    assert bn[0] > bn[1] > bn[2] > bn[3]  # BatchNorm improves steadily as the batch grows


def test_normalization_race_refuses_out_of_range_settings():
    for kwargs in (dict(depth=2), dict(depth=30), dict(depth=8.5), dict(residual="yes")):
        with pytest.raises(ValueError):
            E.normalization_race(**kwargs)


# --- tools ------------------------------------------------------------------------------------------------------------
def test_layer_percentiles_equal_numpy():
    rng = np.random.default_rng(0)
    pre = [torch.from_numpy(rng.standard_normal((20, 6)).astype(np.float32)) for _ in range(3)]
    pre.append(torch.full((20, 6), float("nan")))
    out = E.layer_percentiles(pre)
    for row, u in zip(out[:3], pre[:3]):
        np.testing.assert_allclose(row, np.percentile(u.numpy().astype(np.float64), E.PERCENTILES), rtol=1e-12)
    assert np.isnan(out[3]).all()


def test_sample_diversity():
    same = np.tile([[1.0, -2.0, 3.0]], (5, 1))
    assert E.sample_diversity(same) == pytest.approx(0.0)
    centred = np.array([[1.0, -1.0], [-1.0, 1.0]])
    assert E.sample_diversity(centred) == pytest.approx(1.0)
    assert E.sample_diversity(np.zeros((4, 3))) == 0.0
    assert E.sample_diversity(np.full((2, 2), np.inf)) == 0.0


def test_verdicts():
    assert [E.verdict(x) for x in (0.69, 0.3, 0.01, float("nan"))] == ["stalled", "slow", "trained", "stalled"]


def plain_values(value, path="result"):
    """Every leaf of a result: numbers, strings, None and numpy arrays only (never a torch object)."""
    if isinstance(value, (int, float, str, bool, type(None), np.integer, np.floating, np.bool_)):
        return
    if isinstance(value, np.ndarray):
        assert value.dtype != object, path
        return
    if isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            plain_values(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            plain_values(key, f"{path} key")
            plain_values(item, f"{path}[{key!r}]")
        return
    assert hasattr(value, "__dataclass_fields__"), f"{path}: {type(value).__name__}"
    for name in value.__dataclass_fields__:
        plain_values(getattr(value, name), f"{path}.{name}")


def test_results_hold_plain_arrays_only(explosion, race):
    for result in (explosion, race):
        plain_values(result)
        assert len(pickle.dumps(result)) < 200_000
