"""The optimizers page: its core views (core.views.optimizers) and page behaviour beyond the generic harness."""
import math

import numpy as np
import pytest

from core.optimizers import OPTIMIZERS, default_lr, trajectory
from core.surfaces import SURFACES
from core.views import optimizers as views
from tests.pagekit import open_page, shown
from ui.i18n import catalogue

PAGE = "lessons/optimizers.py"
NAMES = tuple(OPTIMIZERS)


def settings_for(surface):
    return tuple(views.default_setting(name, surface) for name in NAMES)


@pytest.mark.parametrize("surface", ["quadratic", "rosenbrock", "saddle", "custom"])
@pytest.mark.parametrize("schedule", [None, ("step", (("step_size", 3), ("gamma", 0.5))), ("cosine", ())])
def test_update_numbers_reproduce_the_trajectory(surface, schedule):
    """θ_t recomputed from g, v, s, m, m̂, v̂ equals the engine's θ_t (which equals torch.optim's)."""
    start = views.scenario(surface).start
    surf, _ = views.resolve_surface(surface)
    for setting in settings_for(surface):
        name, lr, hp = setting
        run = trajectory(name, surf, start, 40, lr=lr, schedule=views.schedule_spec(schedule), **dict(hp))
        for t in (1, 2, 9, 40):
            n = views.update_numbers(surface, views.DEFAULT_FORMULA, start, 40, setting, schedule, t)
            assert n.t == min(t, len(run.path) - 1)
            np.testing.assert_allclose(n.theta_after, run.path[n.t], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(n.theta_before, run.path[n.t - 1], rtol=0, atol=0)


def test_update_numbers_first_steps_by_hand():
    """At t = 1: momentum's v₁ = g₁; Adam's m̂₁ = g₁ and v̂₁ = g₁², so its step is ≈ η in each coordinate."""
    start = (-9.0, 3.5)
    g = np.array(SURFACES["quadratic"].grad(*start))
    mom = views.update_numbers("quadratic", views.DEFAULT_FORMULA, start, 10, ("momentum", 0.05, ()), None, 1)
    np.testing.assert_allclose(mom.after["v"], g)
    adam = views.update_numbers("quadratic", views.DEFAULT_FORMULA, start, 10, ("adam", 0.3, ()), None, 1)
    np.testing.assert_allclose(adam.after["m_hat"], g, rtol=1e-12)
    np.testing.assert_allclose(adam.after["v_hat"], g * g, rtol=1e-12)
    np.testing.assert_allclose(np.array(start) - np.array(adam.theta_after), 0.3 * np.sign(g), rtol=1e-6)


def test_momentum_velocity_builds_up_to_g_over_one_minus_mu():
    """On a plane f = 2x + y the gradient is constant: v_t → g/(1 − μ) while μ stays 0.9 (the question's answer)."""
    n = views.update_numbers("custom", "2*x + y", (0.0, 0.0), 200, ("momentum", 1e-4, (("momentum", 0.9),)),
                             None, 200)
    np.testing.assert_allclose(n.after["v"], np.array([2.0, 1.0]) / (1 - 0.9), rtol=1e-6)
    assert n.hparams["momentum"] == 0.9


def test_race_table_and_plot():
    view = views.race("quadratic", views.DEFAULT_FORMULA, (-9.0, 3.5), 150, settings_for("quadratic"))
    assert [run.name for run in view.runs] == list(NAMES)
    sgd = view.runs[0]
    assert sgd.steps_to_eps is not None and sgd.diverged_at is None and sgd.final_gap < 1e-3
    assert view.stride == 1 and set(view.plot["step"]) == set(range(151))
    assert np.all(view.plot["gap"] >= views.GAP_FLOOR)
    # a too-large learning rate: diverged at a step, reported, never an exception
    big = views.race("quadratic", views.DEFAULT_FORMULA, (-9.0, 3.5), 150, (("sgd", 1.0, ()),))
    assert big.runs[0].diverged_at is not None and big.runs[0].steps_to_eps is None


def test_race_thins_long_runs_and_clamps_the_start():
    view = views.race("rosenbrock", views.DEFAULT_FORMULA, (-9.0, 4.0), 2000, (("adam", 0.2, ()),))
    assert view.start_moved and view.start == (-2.0, 3.0)
    assert view.stride == 10 and len(view.plot["step"]) <= views.MAX_PLOTTED + 1
    assert view.plot["step"][-1] == view.runs[0].last_step == 2000


def test_custom_formula_errors_fall_back():
    view = views.race("custom", "__import__('os')", (2.0, 2.0), 20, (("sgd", 0.05, ()),))
    assert view.error and view.formula == views.DEFAULT_FORMULA and view.f_star is None
    nowhere = views.race("custom", "log(-1 - x**2)", (2.0, 2.0), 20, (("sgd", 0.05, ()),))
    assert nowhere.error is None and nowhere.runs[0].last_step == -1 and math.isnan(nowhere.runs[0].final_loss)


def test_phase_view_matches_the_theory_away_from_the_boundaries():
    phase = views.phase_view()
    lam = max(phase.curvatures)
    mu, lr = np.meshgrid(phase.mus, phase.lrs, indexing="ij")
    diverges = lr * lam >= 2 * (1 + mu) * 1.1
    calm = lr * lam <= (1 - np.sqrt(mu)) ** 2 * 0.9
    assert np.all(phase.phase[diverges] == 2)
    assert np.all(phase.phase[calm & (mu < 0.5)] == 0)


def test_basin_view_labels_every_start():
    basins = views.basin_view(settings_for("himmelblau")[:2], 200, grid_n=12)
    assert basins.labels.shape == (2, 12, 12)
    assert set(np.unique(basins.labels)) <= {-1, 0, 1, 2, 3}
    assert views.basin_view((), 200).labels.shape[0] == 0


def test_a_deep_link_to_a_surface_brings_its_scenario():
    at = open_page(PAGE, {"lang": "en", "surface": "saddle"})
    assert not at.exception
    assert at.slider(key="optimizers__start_y").value == pytest.approx(0.001)
    assert at.toggle(key="optimizers__show_rmsprop").value is True
    assert at.toggle(key="optimizers__show_adagrad").value is False
    assert at.slider(key="optimizers__log_lr_sgd").value == pytest.approx(math.log10(default_lr("sgd", "saddle")))


def test_choosing_a_surface_applies_its_scenario_and_a_bad_formula_shows_an_error():
    at = open_page(PAGE, {"lang": "en"})
    at.selectbox(key="optimizers__surface").select("rosenbrock").run()
    assert not at.exception
    assert at.slider(key="optimizers__steps").value == views.scenario("rosenbrock").steps
    assert at.slider(key="optimizers__start_x").value == pytest.approx(-1.2)
    at.selectbox(key="optimizers__surface").select("custom").run()
    at.text_input(key="optimizers__formula").input("x^2 + y").run()
    assert not at.exception
    assert any("x**2" in shown(error.value) for error in at.error)


def test_a_formula_too_large_to_optimise_is_refused_with_its_size():
    """((x**10)**10)**10 reaches 1e301 on the box: its gradient squared overflows (Adam would stand still in x) and a
    chart cannot draw it, so the page refuses it and says why, and races the example formula instead."""
    at = open_page(PAGE, {"lang": "en", "surface": "custom", "formula": "((x**10)**10)**10 + y**2"})
    assert not at.exception
    assert any("too large to follow" in shown(error.value) for error in at.error)
    view = views.race("custom", "((x**10)**10)**10 + y**2", (2, 2), 50, settings_for("custom"))
    assert view.error and view.formula == views.DEFAULT_FORMULA


EN = catalogue("en", "optimizers")


def test_a_run_that_diverges_at_its_first_step_says_so_not_that_the_start_is_not_finite():
    at = open_page(PAGE, {"lang": "en", "surface": "custom", "formula": "exp(x**2) + y**2", "log_lr_sgd": "0"})
    assert not at.exception
    captions = " ".join(caption.value for caption in at.caption)
    assert EN["eq.diverged_at_once"] in captions and EN["eq.no_step"] not in captions
