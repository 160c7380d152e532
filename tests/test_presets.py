"""core.presets: each of the five real training runs gives its own row of the train/val table, also with other
seeds; the per-step run records what torch computes; early stopping, the ε-rule view and the CSV helpers."""
import pickle

import numpy as np
import pytest
import torch

from core import data as D
from core import diagnosis, presets
from core import training as T
from core.curves_io import parse_curves


@pytest.fixture(scope="module")
def runs():
    return {name: presets.run_preset(name) for name in presets.PRESETS}


@pytest.fixture(scope="module")
def conv_run():
    return presets.run_convergence(32)


@pytest.mark.parametrize("name", presets.PRESETS)
def test_each_preset_gives_its_case(runs, name):
    diag = presets.diagnose_run(runs[name])
    assert diag.case == name, (diag.case, diag.evidence.case_probabilities)
    assert diag.confidence >= 0.8
    assert diag.text_key == f"diagnosis.{name}"


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("name", presets.PRESETS)
def test_the_recipe_holds_for_other_seeds(name, seed):
    """Robustness: the case comes from the recipe (data, net, learning rate), not from a lucky seed."""
    assert presets.diagnose_run(presets.run_preset(name, seed=seed)).case == name


def test_presets_hold_plain_arrays_only(runs):
    for run in runs.values():
        for value in vars(run).values():
            assert not isinstance(value, (torch.Tensor, torch.nn.Module))
        assert isinstance(run.train_loss, np.ndarray) and run.train_loss.dtype == np.float64
        assert len(pickle.dumps(run)) < 100_000


def test_preset_shapes_tell_the_story(runs):
    over = runs["overfitting"]
    assert over.train_loss[-1] < 0.05 < 1.0 < over.val_loss[-1]  # memorised train set, val loss turned up
    assert over.best_epoch < over.epochs[-1] / 2
    div = runs["diverging"]
    assert div.diverged_epoch is not None and div.stopped_reason == "diverged"
    assert not np.isfinite(div.train_loss[-1]) and np.isfinite(div.train_loss[0])
    assert runs["converged"].stopped_reason == "max_epochs"
    problem = runs["data_problem"]
    assert problem.val_loss[-1] < 0.1 * problem.train_loss[-1]  # the clean val set is far easier


def test_ambiguous_boundary_data_corrupts_only_the_training_rows():
    X, y = presets.ambiguous_boundary_data(400, 0.25, seed=3)
    X0, y0 = D.make_dataset("gauss", 400, 0.05, 3)
    train_rows, _, val_rows, _ = D.train_val_split(np.arange(400), y0, 0.25, 3)
    np.testing.assert_array_equal(X[val_rows], X0[val_rows])
    np.testing.assert_array_equal(y[val_rows], y0[val_rows])
    k = 2 * int(presets.AMBIGUOUS_FRACTION * len(train_rows) / 2)
    rows = train_rows[:k]
    np.testing.assert_allclose(X[rows, 0] + X[rows, 1], 0.0, atol=1e-5)  # on the boundary x₁ + x₂ = 0
    np.testing.assert_array_equal(X[rows][0::2], X[rows][1::2])  # each position twice …
    np.testing.assert_array_equal(y[rows][0::2] + y[rows][1::2], 1)  # … with opposite labels
    # the split training uses is the one the data was built for
    prepared = T.prepare_data(presets.preset_config("data_problem"), (X, y))
    assert len(prepared.y_val) == len(val_rows)


def test_run_steps_full_batch_step_loss_is_the_training_set_loss():
    """With batch_size 0 every step sees the whole training set, so the step loss recorded in the forward pass
    equals the whole-set loss evaluated at the same step (two separate computations)."""
    config = presets.convergence_config(32).replace(batch_size=0)
    run = presets.run_steps(config, total_steps=40, eval_every=10)
    assert run.batch_loss.shape == (41,)
    np.testing.assert_array_equal(run.check_steps, [0, 10, 20, 30, 40])
    np.testing.assert_allclose(run.batch_loss[run.check_steps], run.check_train, rtol=1e-5)


def test_run_steps_matches_a_plain_torch_loop():
    """The first steps of ``run_steps`` are the Trainer's model and optimizer stepped by hand."""
    config = presets.convergence_config(32)
    run = presets.run_steps(config, total_steps=5, eval_every=5)
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
    assert run.batch_loss.shape == (presets.TOTAL_STEPS + 1,)
    assert run.check_train[-1] < 0.6 * run.check_train[0]
    # the step losses scatter around the whole-set loss by far more than ε = 0.001
    assert np.std(np.diff(run.batch_loss[-300:])) > 0.01
    assert len(pickle.dumps(run)) < 100_000


def test_convergence_view_default_raw_stops_before_smoothed(conv_run):
    view = presets.convergence_view(conv_run, 0.001, 100, presets.TOTAL_STEPS, "ema", 0.98, 10)
    assert view.raw_stop.reason == view.smooth_stop.reason == "loss_change_below_eps"
    assert view.raw_stop.step < view.smooth_stop.step and view.raw_fooled
    assert view.raw_stop.before_step == view.raw_stop.step - 100
    assert view.raw_stop.true_train_loss > view.smooth_stop.true_train_loss
    assert view.raw_wobble > 3 * view.smooth_wobble


def test_convergence_view_agrees_with_core_rules(conv_run):
    run = conv_run
    view = presets.convergence_view(run, 0.003, 50, 400, "median", 0.5, 5)
    assert (view.raw_stop.step, view.raw_stop.reason) == diagnosis.converged(run.batch_loss, 0.003, 50, 400)
    smoothed = diagnosis.smooth(run.batch_loss, "median", 0.5)
    np.testing.assert_array_equal(view.smoothed, smoothed)
    assert (view.smooth_stop.step, view.smooth_stop.reason) == diagnosis.converged(smoothed, 0.003, 50, 400)
    t = view.raw_stop.step
    if view.raw_stop.reason == "loss_change_below_eps":
        assert view.raw_stop.change == pytest.approx(abs(run.batch_loss[t] - run.batch_loss[t - 50]))
        assert view.raw_stop.change < 0.003
    assert view.smooth_points == 51
    best, stop = presets.early_stopping(run.check_val, 5)
    assert view.best_step == run.check_steps[best]
    # tiny ε and a cap: the cap ends the run
    capped = presets.convergence_view(run, 1e-12, 300, 200, "none", 0.0, 5)
    assert (capped.raw_stop.step, capped.raw_stop.reason) == (200, "max_steps")
    assert not capped.raw_fooled


def test_wobble_is_the_median_window_change():
    curve = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 8.0, 6.0, 7.0])
    # second half: t = 4 … 7 with w = 2 → |4−2|, |8−5|, |6−4|, |7−8| = 2, 3, 2, 1
    assert presets.wobble(curve, 2) == 2.0


@pytest.mark.parametrize("values, patience, expected", [
    ([3, 2, 1, 2, 3, 4], 2, (2, 4)),
    ([3, 2, 1, 2, 3, 4], 5, (2, None)),
    ([5, 4, 3, 2, 1], 1, (4, None)),
    ([1, 2, 0.5, 3, 4], 2, (2, 4)),
    ([np.nan, 2, 1, np.inf, 3], 2, (2, 4)),
])
def test_early_stopping(values, patience, expected):
    assert presets.early_stopping(values, patience) == expected


def test_early_stopping_rejects_bad_patience():
    with pytest.raises(ValueError):
        presets.early_stopping([1, 2, 3], 0)


def test_curves_csv_round_trips_and_cuts_at_divergence(runs):
    run = runs["overfitting"]
    curves = parse_curves(presets.curves_csv(run.epochs, run.train_loss, run.val_loss).encode())
    np.testing.assert_array_equal(curves.steps, run.epochs)
    np.testing.assert_allclose(curves.train_loss, run.train_loss, rtol=1e-5)
    div = runs["diverging"]
    text = presets.curves_csv(div.epochs, div.train_loss, div.val_loss)
    assert "nan" not in text.lower() and "inf" not in text.lower()
    assert len(text.strip().splitlines()) == 1 + int(np.argmin(np.isfinite(div.train_loss)))


def test_sample_paste_reads_as_an_overfitting_run():
    curves = parse_curves(presets.sample_paste())
    assert curves.train_loss.size == 30
    assert diagnosis.diagnose(curves.train_loss, curves.val_loss).case == "overfitting"


def test_thin_and_finite_curve():
    x, a = presets.thin(np.arange(2501), np.arange(2501) * 2.0, max_points=1000)
    assert len(x) <= 1001 and x[-1] == 2500 and np.all(a == 2 * x)
    x, y = presets.finite_curve([0, 1, 2, 3], [1.0, np.nan, 0.0, np.inf])
    np.testing.assert_array_equal(x, [0, 2])
    assert y[1] == 1e-8


def test_unknown_names_are_refused():
    with pytest.raises(ValueError):
        presets.preset_config("lucky")
    with pytest.raises(ValueError):
        presets.convergence_config(7)
