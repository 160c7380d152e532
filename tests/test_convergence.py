"""The convergence page: the per-step run records what torch computes, early stopping, the ε-rule view, and the page
in AppTest."""
import pickle

import numpy as np
import pytest
import torch

from core import diagnosis
from core import training as T
from core.views import convergence
from tests.pagekit import open_page
from ui.i18n import catalogue
from ui.registry import lesson_by_id

CONVERGENCE = lesson_by_id("convergence").file
EN_CONV = catalogue("en", "convergence")


@pytest.fixture(scope="module")
def conv_run():
    return convergence.run_convergence(32)



def test_run_steps_full_batch_step_loss_is_the_training_set_loss():
    """With batch_size 0 every step sees the whole training set, so the step loss recorded in the forward pass
    equals the whole-set loss evaluated at the same step (two separate computations)."""
    config = convergence.convergence_config(32).replace(batch_size=0)
    run = convergence.run_steps(config, total_steps=40, eval_every=10)
    assert run.batch_loss.shape == (41,)
    np.testing.assert_array_equal(run.check_steps, [0, 10, 20, 30, 40])
    np.testing.assert_allclose(run.batch_loss[run.check_steps], run.check_train, rtol=1e-5)



def test_run_steps_matches_a_plain_torch_loop():
    """The first steps of ``run_steps`` are the Trainer's model and optimizer stepped by hand."""
    config = convergence.convergence_config(32)
    run = convergence.run_steps(config, total_steps=5, eval_every=5)
    trainer = T.Trainer(config)
    losses = []
    for idx in T.batch_indices(trainer.n_train, 32, trainer.generator)[:6]:
        trainer.optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(trainer.model(trainer.X_train[idx]), trainer.y_train[idx])
        loss.backward()
        trainer.optimizer.step()
        losses.append(loss.item())
    np.testing.assert_allclose(run.batch_loss, losses, rtol=1e-6)



def test_convergence_run_is_noisy_and_learns(conv_run):
    run = conv_run
    assert run.batch_loss.shape == (convergence.TOTAL_STEPS + 1,)
    assert run.check_train[-1] < 0.6 * run.check_train[0]
    # the step losses scatter around the whole-set loss by far more than ε = 0.001
    assert np.std(np.diff(run.batch_loss[-300:])) > 0.01
    assert len(pickle.dumps(run)) < 100_000



def test_convergence_view_default_raw_stops_before_smoothed(conv_run):
    view = convergence.convergence_view(conv_run, 0.001, 100, convergence.TOTAL_STEPS, "ema", 0.98, 10)
    assert view.raw_stop.reason == view.smooth_stop.reason == "loss_change_below_eps"
    assert view.raw_stop.step < view.smooth_stop.step and view.raw_fooled
    assert view.raw_stop.before_step == view.raw_stop.step - 100
    assert view.raw_stop.true_train_loss > view.smooth_stop.true_train_loss
    assert view.raw_wobble > 3 * view.smooth_wobble



def test_convergence_view_agrees_with_core_rules(conv_run):
    run = conv_run
    view = convergence.convergence_view(run, 0.003, 50, 400, "median", 0.5, 5)
    assert (view.raw_stop.step, view.raw_stop.reason) == diagnosis.converged(run.batch_loss, 0.003, 50, 400)
    smoothed = diagnosis.smooth(run.batch_loss, "median", 0.5)
    np.testing.assert_array_equal(view.smoothed, smoothed)
    assert (view.smooth_stop.step, view.smooth_stop.reason) == diagnosis.converged(smoothed, 0.003, 50, 400)
    t = view.raw_stop.step
    if view.raw_stop.reason == "loss_change_below_eps":
        assert view.raw_stop.change == pytest.approx(abs(run.batch_loss[t] - run.batch_loss[t - 50]))
        assert view.raw_stop.change < 0.003
    assert view.smooth_points == 51
    best, stop = convergence.early_stopping(run.check_val, 5)
    assert view.best_step == run.check_steps[best]
    # tiny ε and a cap: the cap ends the run
    capped = convergence.convergence_view(run, 1e-12, 300, 200, "none", 0.0, 5)
    assert (capped.raw_stop.step, capped.raw_stop.reason) == (200, "max_steps")
    assert not capped.raw_fooled



@pytest.mark.parametrize("values, patience, expected", [
    ([3, 2, 1, 2, 3, 4], 2, (2, 4)),
    ([3, 2, 1, 2, 3, 4], 5, (2, None)),
    ([5, 4, 3, 2, 1], 1, (4, None)),
    ([1, 2, 0.5, 3, 4], 2, (2, 4)),
    ([np.nan, 2, 1, np.inf, 3], 2, (2, 4)),
])
def test_early_stopping(values, patience, expected):
    assert convergence.early_stopping(values, patience) == expected



def test_early_stopping_rejects_bad_patience():
    with pytest.raises(ValueError):
        convergence.early_stopping([1, 2, 3], 0)



def chart_bytes(at) -> int:
    return sum(len(c.proto.spec.encode()) + sum(len(ds.data.data) for ds in c.proto.datasets)
               for c in at.get("vega_lite_chart"))



def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in ("info", "success", "warning", "error"):
        parts += [e.value for e in getattr(at, kind)]
    return "\n".join(parts)



def test_convergence_default_shows_raw_test_fooled_by_noise():
    at = open_page(CONVERGENCE, {"lang": "en"})
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    raw = int(metrics[EN_CONV["metric.raw"]].split()[-1])
    smooth = int(metrics[EN_CONV["metric.smooth"]].split()[-1])
    assert raw < smooth
    assert any("That is noise, not convergence" in w.value for w in at.warning)
    assert chart_bytes(at) < 300 * 1024
    assert len(at.get("vega_lite_chart")) == 1



def test_convergence_deep_link_and_no_smoothing():
    at = open_page(CONVERGENCE, {"lang": "en", "eps": "0.0001", "window": "300", "max_steps": "500",
                                 "method": "none", "batch": "128"})
    assert not at.exception
    assert at.slider(key="convergence__window").value == 300 and at.slider(key="convergence__max_steps").value == 500
    assert at.selectbox(key="convergence__eps").value == "0.0001"
    assert EN_CONV["metric.smooth_none"] in [m.label for m in at.metric]
    assert not [w for w in at.warning if "link" in w.value]



def test_convergence_big_eps_stops_both_at_once():
    at = open_page(CONVERGENCE, {"lang": "en", "eps": "0.1", "window": "10"})
    assert not at.exception
    assert "< \\varepsilon = 0.1$" in texts(at)
