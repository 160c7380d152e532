"""The residual page's claims, checked on the real runs: a residual 32-layer MLP reaches a lower loss than the plain
one; the depth run's loss is the full-batch objective."""
import copy

import pytest
import torch

from core.training import DEEP_MAX_DEPTH, Trainer
from core.views import residual as residual_view


# --- residual connections ---------------------------------------------------------------------------------------------
def test_a_residual_32_layer_mlp_trains_to_a_lower_loss_than_the_plain_one():
    base = residual_view.DEPTH_SWEEP.replace(norm="batch", hidden=(16,) * 32)
    plain = residual_view.depth_run(base)
    residual = residual_view.depth_run(base.replace(residual=True))
    assert len(plain.loss) == len(residual.loss) == base.epochs
    assert residual.final_loss < plain.final_loss
    assert residual.final_loss < 0.1 < 0.5 < plain.final_loss  # degradation: the plain net is stuck near ln 2
    # the first layer's gradient at initialisation: orders of magnitude apart in the plain net, modest with shortcuts
    assert plain.first_grad_norm > 30 * residual.first_grad_norm
    assert plain.grad_norms[0] > 30 * plain.grad_norms[-1]
    spread = {name: run.grad_norms.max() / run.grad_norms.min() for name, run in (("plain", plain), ("res", residual))}
    assert spread["plain"] > 10 * spread["res"]  # far flatter from layer to layer with shortcuts



def test_depth_run_loss_is_the_full_batch_objective_in_training_mode():
    config = residual_view.DEPTH_SWEEP.replace(norm="batch", hidden=(16,) * 4, epochs=3)
    run = residual_view.depth_run(config)
    trainer = Trainer(config, max_depth=DEEP_MAX_DEPTH)
    trainer.step(3)
    model = copy.deepcopy(trainer.model).train()
    with torch.no_grad():
        expected = torch.nn.functional.cross_entropy(model(trainer.X_train), trainer.y_train).item()
    assert run.loss[-1] == pytest.approx(expected, rel=1e-5)



@pytest.mark.parametrize("kwargs", [dict(norm="layer"), dict(epochs=7), dict(epochs="20")])
def test_residual_sweep_refuses_unknown_settings(kwargs):
    with pytest.raises(ValueError):
        residual_view.residual_sweep(**kwargs)
