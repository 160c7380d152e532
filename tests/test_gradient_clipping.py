"""The gradient-clipping page's claims, checked on the real runs: the unclipped run diverges, the clipped ones
survive."""
import numpy as np
import pytest

from core.views import gradient_clipping


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
    result = gradient_clipping.exploding_runs(clip="value", threshold=1.0)
    assert result.unclipped.diverged_epoch is not None
    assert result.clipped.diverged_epoch is None and np.isfinite(result.clipped.final_loss)



def test_a_small_learning_rate_needs_no_clipping():
    assert gradient_clipping.exploding_runs(lr=0.05).unclipped.diverged_epoch is None



@pytest.mark.parametrize("kwargs", [dict(lr=5.0), dict(lr=0.0), dict(clip="none"), dict(threshold=0.0),
                                    dict(threshold=float("nan")), dict(lr="0.3")])
def test_exploding_runs_refuses_out_of_range_settings(kwargs):
    with pytest.raises(ValueError):
        gradient_clipping.exploding_runs(**kwargs)
