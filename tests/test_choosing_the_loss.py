"""core.views.choosing_the_loss against torch: logit gradients, the Hessian over (w, b), the softmax gradient check, the
training race."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.views import choosing_the_loss as ll

Z = np.linspace(-8, 8, 33)


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_logit_gradient_formulas_equal_autograd(y):
    z = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    target = torch.full_like(z, y)
    F.binary_cross_entropy_with_logits(z, target, reduction="sum").backward()
    np.testing.assert_allclose(ll.logit_gradient_cross_entropy(Z, y), z.grad.numpy(), rtol=0, atol=1e-12)
    z.grad = None
    (0.5 * (torch.sigmoid(z) - target) ** 2).sum().backward()
    np.testing.assert_allclose(ll.logit_gradient_mse(Z, y), z.grad.numpy(), rtol=0, atol=1e-12)


def test_mse_gradient_vanishes_when_confidently_wrong():
    view = ll.logit_gradients(chosen=-6.0, y=1.0)
    assert view.chosen_cross_entropy < -0.99
    assert abs(view.chosen_mse) < 0.003
    assert np.all(np.abs(view.mse) <= np.abs(view.cross_entropy) / 4 + 1e-15)  # damped by ŷ(1 − ŷ) ≤ ¼


@pytest.mark.parametrize("loss", ll.LOSSES)
def test_surface_loss_and_hessian_equal_torch(loss):
    x, y = torch.tensor(ll.LANDSCAPE_X, dtype=torch.float64), torch.tensor(ll.LANDSCAPE_Y, dtype=torch.float64)

    def torch_loss(theta):
        z = theta[0] * x + theta[1]
        if loss == "cross_entropy":
            return F.binary_cross_entropy_with_logits(z, y)
        return F.mse_loss(torch.sigmoid(z), y)

    for w, b in [(-5.0, 3.0), (0.0, 0.0), (1.2, 0.1), (4.5, -4.5), (-1.0, -6.0)]:
        theta = torch.tensor([w, b], dtype=torch.float64)
        assert ll.surface_loss(w, b, loss) == pytest.approx(torch_loss(theta).item(), abs=1e-12)
        expected = torch.autograd.functional.hessian(torch_loss, theta).numpy()
        np.testing.assert_allclose(ll.surface_hessian(w, b, loss), expected, rtol=0, atol=1e-12)


def test_cross_entropy_is_convex_and_mse_is_not():
    grid = np.linspace(-6, 6, 41)
    w, b = np.meshgrid(grid, grid)
    ce = np.linalg.eigvalsh(ll.surface_hessian(w, b, "cross_entropy"))
    mse = np.linalg.eigvalsh(ll.surface_hessian(w, b, "mse"))
    assert ce.min() >= -1e-12, "the cross-entropy Hessian is positive semi-definite everywhere on the grid"
    assert mse.min() < -1e-2, "MSE through a sigmoid curves downward somewhere"
    view = ll.landscapes()
    np.testing.assert_allclose(view.cross_entropy_curvature, ce[..., 0], atol=1e-12)
    np.testing.assert_allclose(view.mse_curvature, mse[..., 0], atol=1e-12)
    assert view.cross_entropy_min_curvature >= -1e-12 and view.mse_min_curvature < 0
    # both minima lie inside the grid, not on its edge
    for w_best, b_best, _ in (view.cross_entropy_best, view.mse_best):
        assert abs(w_best) < 6 and abs(b_best) < 6


@pytest.mark.parametrize("score", [-6.0, -0.3, 0.0, 2.5, 6.0])
def test_softmax_gradient_check_against_autograd(score):
    examples = ll.decision_examples(score)
    check = examples.multiclass
    assert check.largest_difference < 1e-12
    np.testing.assert_allclose(check.formula, np.array(check.q) - np.array(check.p), atol=1e-15)
    z = torch.tensor(check.logits, dtype=torch.float64, requires_grad=True)
    F.cross_entropy(z[None], torch.tensor([0])).backward()
    np.testing.assert_allclose(check.formula, z.grad.numpy(), rtol=0, atol=1e-12)
    assert examples.multiclass_loss == pytest.approx(F.cross_entropy(z[None], torch.tensor([0])).item(), abs=1e-12)
    assert examples.binary_loss == pytest.approx(
        F.binary_cross_entropy_with_logits(torch.tensor(score), torch.tensor(1.0)).item(), rel=1e-6)
    assert examples.regression_loss == pytest.approx((score - ll.REGRESSION_TARGET) ** 2)


def test_race_preset_cross_entropy_reaches_ninety_percent_first():
    race = ll.training_race()  # the page's default: lr 1, seed 0, 200 epochs
    ce, mse = race.runs
    assert (ce.loss_name, mse.loss_name) == ("cross_entropy", "mse")
    assert ce.epochs_to_target is not None
    assert mse.epochs_to_target is not None and ce.epochs_to_target < mse.epochs_to_target
    assert ce.accuracy.shape == mse.accuracy.shape == (race.epochs + 1,)
    assert ce.accuracy[0] == mse.accuracy[0], "same seed, same starting network"


def test_race_is_reproducible():
    first, second = ll.training_race(lr=0.5, seed=3, epochs=20), ll.training_race(lr=0.5, seed=3, epochs=20)
    for a, b in zip(first.runs, second.runs):
        np.testing.assert_array_equal(a.accuracy, b.accuracy)
        np.testing.assert_array_equal(a.loss, b.loss)


@pytest.mark.parametrize("call", [lambda: ll.training_race(lr=0.0), lambda: ll.training_race(seed=-1),
                                  lambda: ll.decision_examples(float("inf")), lambda: ll.landscapes(points=1),
                                  lambda: ll.logit_gradients(0.0, y=2.0), lambda: ll.surface_loss(0, 0, "hinge")])
def test_bad_settings_raise(call):
    with pytest.raises(ValueError):
        call()


def test_importing_the_module_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, core.views.choosing_the_loss, core.views.loss_and_optimizer; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    assert out.stdout.strip() == "False"
