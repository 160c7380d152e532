"""The deep-vs-shallow page's claims, checked: equal parameter budgets, the sawtooth's composition, the verdict's tie
margin and a sweep that trains every budget and seed."""
import numpy as np
import pytest

from core import nets
from core.views import _shared as shared
from core.views import deep_vs_shallow
from tests.plain import is_plain


# --- deep vs shallow: equal budgets -----------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", deep_vs_shallow.DEEP_DEPTHS)
@pytest.mark.parametrize("budget", deep_vs_shallow.BUDGETS)
def test_deep_and_shallow_budgets_agree_within_five_percent(budget, depth):
    pair = deep_vs_shallow.budget_pair(budget, depth)
    deep = nets.build_mlp(2, (pair.deep_width,) * depth, 2)
    shallow = nets.build_mlp(2, (pair.shallow_width,), 2)
    p_deep = sum(p.numel() for p in deep.parameters())
    p_shallow = sum(p.numel() for p in shallow.parameters())
    assert (p_deep, p_shallow) == (pair.deep_params, pair.shallow_params)
    assert abs(p_shallow - p_deep) / p_deep <= 0.05
    assert p_deep <= budget
    assert pair.deep_width == nets.param_budget_mlp(2, 2, depth, budget)



def test_shallow_width_is_the_nearest_count():
    for target in (50, 87, 272, 942, 2999):
        w = deep_vs_shallow.shallow_width_for(target)
        best = min(range(1, 1000), key=lambda v: abs(nets.mlp_param_count(2, (v,), 2) - target))
        assert abs(nets.mlp_param_count(2, (w,), 2) - target) == abs(nets.mlp_param_count(2, (best,), 2) - target)



def test_verdict_uses_the_tie_margin():
    assert deep_vs_shallow.verdict(0.80, 0.90) == "deep"
    assert deep_vs_shallow.verdict(0.90, 0.80) == "shallow"
    assert deep_vs_shallow.verdict(0.90, 0.90 + deep_vs_shallow.TIE_MARGIN / 2) == "tie"



def test_sawtooth_is_the_composed_tent_map():
    u = np.linspace(0, 1, 2001)
    relu = lambda v: np.maximum(v, 0)  # noqa: E731
    assert np.allclose(deep_vs_shallow.tent(u), 2 * relu(u) - 4 * relu(u - 0.5))
    x1 = np.linspace(-1, 1, 4001)
    for k in (1, 2, 3):
        s = deep_vs_shallow.sawtooth_curve(x1, compositions=k, amplitude=1.0)
        peaks = np.sum((s[1:-1] > s[:-2]) & (s[1:-1] >= s[2:]))
        assert peaks == 2 ** (k - 1)
    X, y = deep_vs_shallow.sawtooth_data(400, seed=0)
    assert X.shape == (400, 2) and set(np.unique(y)) == {0, 1}
    assert np.array_equal(y, (X[:, 1] / 5 > deep_vs_shallow.sawtooth_curve(X[:, 0] / 5)).astype(np.int64))



def test_the_sweep_trains_every_budget_and_seed():
    view = deep_vs_shallow.deep_vs_shallow_view("sawtooth", depth=2, activation="relu")
    k, s = len(deep_vs_shallow.BUDGETS), len(deep_vs_shallow.SWEEP_SEEDS)
    assert view.shallow_acc.shape == view.deep_acc.shape == (k, s)
    assert view.proba.shape == (k, 2, shared.BOUNDARY_RESOLUTION ** 2)
    assert all(pair.mismatch <= 0.05 for pair in view.pairs)
    assert len(view.winner) == k and set(view.winner) <= {"deep", "shallow", "tie"}
    assert (view.shallow_mean >= 0.6).all() and (view.deep_mean >= 0.5).all()
    assert is_plain(view)
