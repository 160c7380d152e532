"""core.views.batch_size against torch autograd and against full-batch gradient descent; SGD's behaviour with b = 1."""
import numpy as np
import pytest
import torch

from core.optimizers import trajectory
from core.surfaces import linreg_surface
from core.views import batch_size as mb

torch.set_num_threads(1)

SURFACE = linreg_surface(10.0, normalized=True)
X, T = SURFACE.X, SURFACE.y
W_STAR = np.array(SURFACE.minima[0])
START = W_STAR + np.array(mb.START_OFFSET)


def torch_batch_gradient(idx, w):
    """∇ of the batch's mean squared error by autograd, in float64."""
    Xb = torch.tensor(X[idx])
    tb = torch.tensor(T[idx])
    wt = torch.tensor(np.asarray(w, dtype=float), requires_grad=True)
    loss = torch.nn.functional.mse_loss(Xb @ wt, tb)
    loss.backward()
    return wt.grad.numpy(), loss.item()


@pytest.mark.parametrize("b", [1, 7, 32, 200])
def test_batch_gradient_equals_torch_autograd(b):
    rng = np.random.default_rng(b)
    idx = np.sort(rng.choice(len(T), size=b, replace=False))
    w = rng.normal(size=2) * 2
    grad, loss = torch_batch_gradient(idx, w)
    np.testing.assert_allclose(mb.batch_gradient(X, T, w, idx), grad, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mb.mse(X[idx], T[idx], w), loss, rtol=1e-12)


def test_per_sample_gradients_average_to_the_full_gradient():
    w = np.array([0.3, -1.1])
    np.testing.assert_allclose(mb.per_sample_gradients(X, T, w).mean(axis=0), mb.batch_gradient(X, T, w),
                               rtol=1e-12, atol=1e-13)
    # ∇f = H(w − w*) on the surface
    np.testing.assert_allclose(mb.batch_gradient(X, T, w), SURFACE.hessian @ (w - W_STAR), rtol=1e-10, atol=1e-12)


def test_batch_size_n_is_full_batch_gradient_descent_exactly():
    lr, epochs = 0.1, 25
    run = mb.sgd(X, T, START, len(T), lr, epochs, seed=123)
    w = START.copy()
    expected = [w.copy()]
    for _ in range(epochs):
        # w ← w − η·(2/n)·Xᵀ(Xw − t)
        w = w - lr * (2.0 / len(T) * (X.T @ (X @ w - T)))
        expected.append(w.copy())
    assert run.steps_per_epoch == 1
    assert np.array_equal(run.path, np.array(expected))
    # and the same as torch-exact gradient descent on the surface's closed-form gradient, to rounding
    gd = trajectory("sgd", SURFACE, start=START, steps=epochs, lr=lr)
    np.testing.assert_allclose(run.path, gd.path, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(run.losses, gd.losses, rtol=1e-9)


def test_full_batch_loss_always_decreases_and_mini_batch_loss_does_not():
    full = mb.sgd(X, T, START, len(T), 0.05, 20)
    assert np.all(np.diff(full.losses) < 0)
    mini = mb.sgd(X, T, START, 10, 0.05, 20, seed=0)
    assert np.any(np.diff(mini.losses) > 0)
    # per epoch, the mini-batch run gets much further
    assert mini.losses[-1] < full.losses[-1]


def test_every_epoch_visits_every_sample_once_and_the_seed_reproduces():
    rng = np.random.default_rng(5)
    batches = mb.epoch_batches(200, 30, rng)
    assert [len(b) for b in batches] == [30] * 6 + [20]
    assert np.array_equal(np.sort(np.concatenate(batches)), np.arange(200))
    a = mb.sgd(X, T, START, 16, 0.05, 3, seed=9)
    b = mb.sgd(X, T, START, 16, 0.05, 3, seed=9)
    c = mb.sgd(X, T, START, 16, 0.05, 3, seed=10)
    assert np.array_equal(a.path, b.path) and not np.array_equal(a.path, c.path)


def test_one_sample_constant_lr_never_settles_but_a_decaying_lr_does():
    f_star = SURFACE.f_star
    epochs, lr = 30, 0.05

    def last_epoch_gap(schedule):
        gaps = []
        for seed in range(3):
            run = mb.sgd(X, T, START, 1, lr, epochs, schedule, seed=seed)
            gaps.append(np.mean(run.losses[-len(T):] - f_star))
        return float(np.mean(gaps))

    constant = last_epoch_gap("constant")
    full = mb.sgd(X, T, START, len(T), 0.5, epochs).losses[-1] - f_star
    assert full < 1e-10                      # full batch reaches the optimum
    assert constant > 5e-3                   # one sample with constant η stays above it by a margin
    for schedule in ("inverse_time", "step"):
        assert last_epoch_gap(schedule) < constant / 5


def test_gradient_noise_falls_like_one_over_b():
    noise = mb.gradient_noise(X, T, W_STAR, [1, 4, 16, 64], trials=500, seed=1)
    np.testing.assert_allclose(noise.full_gradient, 0.0, atol=1e-12)
    np.testing.assert_allclose(noise.measured, noise.predicted, rtol=0.25)
    assert np.all(np.diff(noise.measured) < 0)
    # variance ∝ 1/b up to the finite-population factor
    np.testing.assert_allclose(noise.predicted * noise.sizes / ((200 - noise.sizes) / 199), noise.sigma2)


def test_learning_rate_schedules():
    lrs = mb.learning_rates(0.1, 800, "inverse_time", 200)
    np.testing.assert_allclose(lrs[[0, 200, 600]], [0.1, 0.05, 0.025])
    step = mb.learning_rates(0.1, 800, "step", 200)
    np.testing.assert_allclose(step[[0, 399, 400, 799]], [0.1, 0.1, 0.05, 0.05])
    assert np.all(mb.learning_rates(0.1, 10, "constant", 5) == 0.1)


@pytest.mark.parametrize("kwargs", [dict(batch_size=0), dict(batch_size=201), dict(epochs=0),
                                    dict(epochs=mb.MAX_EPOCHS + 1), dict(lr=float("nan")), dict(lr=-0.1),
                                    dict(lr=1e9), dict(schedule="cosine"), dict(batch_size=2.5)])
def test_limits_are_enforced(kwargs):
    args = dict(batch_size=10, lr=0.05, epochs=2, schedule="constant")
    args.update(kwargs)
    with pytest.raises(ValueError):
        mb.sgd(X, T, START, **args)


def test_steps_are_capped_and_a_blow_up_stops_the_run():
    run = mb.sgd(X, T, START, 1, 0.001, mb.MAX_EPOCHS)
    assert len(run.losses) - 1 <= mb.MAX_TOTAL_STEPS
    wild = mb.sgd(X, T, START, len(T), 5.0, 50)
    assert wild.diverged_at is not None and np.all(np.isfinite(wild.losses))


def test_the_page_view_is_consistent():
    view = mb.batch_size_view(20, 0.05, 10, "inverse_time", 0)
    assert view.full.steps == 10 and view.mini.steps == 100 and view.single.steps == 2000
    assert view.single.last_epoch_distance < view.single_constant.last_epoch_distance
    for run in (view.full, view.mini, view.single):
        assert len(run.path) <= mb.MAX_DRAWN_POINTS and np.all(run.curve_gaps >= mb.GAP_FLOOR)
