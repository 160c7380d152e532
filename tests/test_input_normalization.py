"""Input normalization: standardized features need far fewer gradient-descent steps than raw ones; the closed-form
step counts agree with a torch.optim.SGD loop; the stability limit 2/λmax; the feature rescalings."""
import math

import numpy as np
import pytest
import torch

from core.surfaces import gd_steps_to_reach, linreg_surface, optimal_gd_lr
from core.views import input_normalization as nv

torch.set_num_threads(1)


def start_of(surface):
    return tuple(np.array(surface.minima[0]) + np.array(nv.START_OFFSET))


@pytest.mark.parametrize("ratio", [10.0, 100.0])
def test_normalized_features_need_far_fewer_gd_steps(ratio):
    raw, norm = linreg_surface(ratio, False), linreg_surface(ratio, True)
    raw_steps = gd_steps_to_reach(raw.hessian, start_of(raw), raw.minima[0], nv.EPS)
    norm_steps = gd_steps_to_reach(norm.hessian, start_of(norm), norm.minima[0], nv.EPS)
    assert norm_steps <= 5
    assert raw_steps > 30 * norm_steps * (ratio / 10) ** 2
    assert raw.condition_number > 0.5 * ratio**2 and norm.condition_number < 1.5


def test_kappa_grows_like_the_square_of_the_ratio_and_the_bound_holds():
    ratios = np.array([1.0, 10.0, 100.0])
    raw_steps, norm_steps, kappa = nv.steps_vs_ratio(ratios)
    assert np.all(np.diff(raw_steps) > 0) and np.all(norm_steps == norm_steps[0])
    np.testing.assert_allclose(kappa[1:] / kappa[:-1], 100.0, rtol=0.1)
    for ratio in ratios:
        side = nv.gd_on_surface(float(ratio), False, 1.0)
        assert side.best_steps_to_eps <= math.ceil(side.steps_bound)
        assert side.best_steps_to_eps >= 0.8 * side.steps_bound - 1


def test_closed_form_step_count_matches_a_torch_sgd_loop():
    side = nv.gd_on_surface(10.0, False, 1.0)
    surface = linreg_surface(10.0, False)
    X, t = torch.tensor(surface.X), torch.tensor(surface.y)
    w = torch.tensor(side.start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=side.lr)
    gaps = []
    for _ in range(side.steps_to_eps + 1):
        loss = torch.mean((X @ w - t) ** 2)
        gaps.append(loss.item() - side.f_star)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert gaps[-1] <= nv.EPS < gaps[-2]
    # the drawn path is the same gradient descent
    np.testing.assert_allclose(side.gaps[:10], gaps[:10], rtol=1e-8)


def test_gradient_points_across_the_valley_on_raw_features_and_at_the_minimum_on_standardized_ones():
    def angle_to_minimum(normalized):
        s = linreg_surface(10.0, normalized)
        start = np.array(start_of(s))
        g = np.array(s.grad(*start))
        to_min = np.array(s.minima[0]) - start
        cos = -g @ to_min / (np.linalg.norm(g) * np.linalg.norm(to_min))
        return math.degrees(math.acos(cos))

    assert angle_to_minimum(False) > 45   # almost straight down the steep w₂ axis, 54° off the minimum
    assert angle_to_minimum(True) < 10


def test_beyond_two_over_lambda_max_gd_diverges():
    # the threshold factor is (λmax + λmin)/λmax = 1 + 1/κ
    view = nv.normalization_view(1.0, 1.05)
    raw = view.raw
    assert raw.lr > raw.max_stable_lr and raw.steps_to_eps is None and raw.diverged_at is not None
    assert raw.worst_rate > 1
    assert view.normalized.steps_to_eps is not None and view.normalized.diverged_at is None
    stable = nv.normalization_view(1.0, 0.95).raw
    assert stable.diverged_at is None and stable.steps_to_eps is not None
    np.testing.assert_allclose(raw.best_lr, optimal_gd_lr(linreg_surface(10.0, False).hessian))


def test_the_rescalings():
    f = nv.feature_stats(30.0)
    np.testing.assert_allclose(f.standardized.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(f.standardized.std(axis=0), 1.0)
    np.testing.assert_allclose(f.minmax.min(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(f.minmax.max(axis=0), 1.0)
    np.testing.assert_allclose(f.std[1] / f.std[0], 30.0, rtol=0.2)
    # the standardized features are the ones the normalized surface uses
    np.testing.assert_allclose(f.standardized, linreg_surface(30.0, True).X)


@pytest.mark.parametrize("args", [(-0.1, 1.0), (2.1, 1.0), (1.0, 0.0), (1.0, 3.0), (float("nan"), 1.0)])
def test_limits_are_enforced(args):
    with pytest.raises(ValueError):
        nv.normalization_view(*args)


def test_the_view_stays_small():
    view = nv.normalization_view(2.0, 1.0)
    for side in (view.raw, view.normalized):
        assert len(side.path) <= nv.PATH_STEPS + 1
        assert len(side.contours.x) < 5000
