"""The lecture flow, as a lecturer and students live it in a real browser: Next through the whole lecture after
pushing every slider to an end, links that hold their state through reload, copy and Back, answers that stay
private, a language switch that keeps every choice, and an address that follows a burst of key presses."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.browser.conftest import wait_rendered
from tests.browser.kit import (
    MAIN_SLIDERS,
    address,
    chosen_labels,
    click_next,
    exceptions,
    move_a_control,
    nudge,
    open_all_expanders,
    open_url,
    push_sliders,
    query,
    switch_language,
    wait_for_query,
)
from ui.i18n import LANGUAGES, catalogue
from ui.registry import LESSONS


def labels(lang: str, page: str, name: str, option: str) -> str:
    return catalogue(lang, page.replace("-", "_"))[f"options.{name}.{option}"]


# --- Next through the whole lecture --------------------------------------------------------------------------------
@pytest.mark.parametrize("key, lang", [("End", "en"), ("Home", "zh")])  # one walk per end, each language once
def test_next_through_the_lecture_after_pushing_every_slider_to_an_end(server, page, key, lang):
    """Every page pushed to its maximum (End) or minimum (Home), then Next: no page ever shows an exception, the
    address says lecture=1 exactly once, and each page arrives with its own defaults (an address with no control
    in it: every control is at its default)."""
    open_url(page, f"{server}/{LESSONS[0].url_path}?lang={lang}&lecture=1")
    arrived = []
    for index, lesson in enumerate(LESSONS):
        arrived.append((lesson.url_path, query(page)))
        open_all_expanders(page)
        push_sliders(page, key)
        assert exceptions(page) == 0, f"{lesson.url_path} after {key}"
        pairs = query(page)
        assert [name for name, _ in pairs].count("lecture") == 1 and ("lecture", "1") in pairs, pairs
        if index + 1 < len(LESSONS):
            click_next(page, LESSONS[index + 1].url_path)
            assert exceptions(page) == 0, f"{LESSONS[index + 1].url_path} after Next"
    assert arrived[1:] == [(lesson.url_path, [("lang", lang), ("lecture", "1")]) for lesson in LESSONS[1:]]


# --- links hold their state -----------------------------------------------------------------------------------------
LINKS = {  # a lecturer's links: choices by id, lecture mode, hidden controls
    "optimizers": {"surface": "saddle", "schedule": "step", "step_size": "50", "eps": "1e-4", "hide": "start_x"},
    "loss-and-optimizer": {"output": "linear_mse", "stage": "5", "lr": "0.3", "seed": "40"},
    "batch-size": {"schedule": "inverse_time", "lr": "0.3", "hide": "seed"},
    "train-vs-val": {"preset": "data_problem", "window": "0.4"},
    "playground": {"dataset": "moons", "init": "he", "loss": "mse", "epochs": "20"},
}


def canonical(lang: str, link: dict[str, str]) -> dict[str, str]:
    return {"lang": lang, "lecture": "1", **link}


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("path", list(LINKS))
def test_a_link_holds_through_load_reload_copy_and_back(server, browser, page, path, lang):
    link = LINKS[path]
    open_url(page, f"{server}/{path}?{urlencode(canonical(lang, link))}")
    assert dict(query(page)) == canonical(lang, link), "after load the address still holds the link"
    shown = chosen_labels(page)
    page.reload()
    wait_rendered(page)
    assert dict(query(page)) == canonical(lang, link) and chosen_labels(page) == shown, "after reload"

    slider = page.locator(MAIN_SLIDERS).first
    before = slider.input_value()
    nudge(page, slider)
    moved = slider.input_value()
    assert moved != before
    copied = address(page)
    assert query(page) != list(canonical(lang, link).items())

    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        other = fresh.new_page()
        open_url(other, server + copied)
        assert address(other) == copied, "the copied address opens as itself"
        assert other.locator(MAIN_SLIDERS).first.input_value() == moved
        assert chosen_labels(other) == chosen_labels(page)
    finally:
        fresh.close()

    following = LESSONS[[lesson.url_path for lesson in LESSONS].index(path) + 1].url_path
    click_next(page, following)
    page.go_back()
    page.wait_for_function(f"() => location.pathname.endsWith('/{path}')")
    wait_rendered(page)
    assert address(page) == copied, "Back returns to the page with its values"
    assert page.locator(MAIN_SLIDERS).first.input_value() == moved


def test_a_copied_address_never_carries_an_answer(server, browser, page):
    open_url(page, f"{server}/cross-entropy?lang=en")
    question = catalogue("en", "cross_entropy")
    page.get_by_text(question["question.same_loss.same"]).click()
    wait_rendered(page)
    assert page.get_by_text(question["question.same_loss.explanation"][:40]).count() == 1
    copied = address(page)
    assert "same_loss" not in copied
    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        open_url(other, server + copied)
        assert other.get_by_text(question["question.same_loss.explanation"][:40]).count() == 0
        assert other.get_by_text(catalogue("en", "common")["answer_first"]).count() == 1
    finally:
        fresh.close()


# --- a language switch keeps everything -----------------------------------------------------------------------------
CHOICES = {  # every page with something other than its defaults: choices by id, a number, a toggle
    "loss-and-optimizer": {"hidden": "tanh", "output": "linear_mse", "stage": "5", "follow": "c", "lr": "0.3"},
    "cross-entropy": {"reduction": "sum", "classes": "4", "y_hat": "0.3"},
    "softmax-sigmoid": {"classes": "4", "temperature": "2.5"},
    "choosing-the-loss": {"curvature": "1", "race_seed": "3"},
    "optimizers": {"surface": "himmelblau", "eps": "1e-6", "schedule": "cosine", "steps": "300", "show_adam": "0"},
    "input-normalization": {"log_ratio": "1.5"},
    "batch-size": {"schedule": "step", "batch_size": "40"},
    "convergence": {"eps": "0.01", "batch": "128", "method": "median", "window": "150"},
    "playground": {"dataset": "moons", "activation": "relu", "init": "he", "norm": "layer", "optimizer": "sgd",
                   "loss": "mse", "clip": "norm", "noise": "0.2"},
    "train-vs-val": {"preset": "diverging", "window": "0.4"},
    "parameters-vs-hyperparameters": {"norm": "layer", "init": "he", "width": "16", "lr": "0.1", "depth": "3"},
    "hidden-layers": {"dataset": "moons", "activation": "sigmoid", "width": "5"},
    "end-to-end": {"dataset": "moons", "x1x2": "1", "seed": "3"},
    "deep-vs-shallow": {"task": "sawtooth", "activation": "relu", "budget": "3000"},
    "initialization": {"init": "he", "activation": "relu", "use_gain": "0", "depth": "12"},
    "vanishing-exploding": {"init": "he", "activation": "relu", "batchnorm": "1", "depth": "30"},
    "gradient-clipping": {"clip": "value", "gx": "2.5"},
    "normalization-layers": {"depth": "24", "layer": "first", "residual": "1"},
    "residual": {"norm": "none", "epochs": "40", "show_depth": "64"},
}


def test_every_page_has_a_language_switch_case():
    assert set(CHOICES) == {lesson.url_path for lesson in LESSONS}


@pytest.mark.parametrize("path", list(CHOICES))
def test_switching_language_keeps_every_choice(server, page, path):
    """From English to Chinese on odd pages, Chinese to English on even ones; then a control moves: nothing resets,
    every chosen option shows its label in the new language, and the answer stays."""
    index = [lesson.url_path for lesson in LESSONS].index(path)
    start, end = ("en", "zh") if index % 2 == 0 else ("zh", "en")
    values = CHOICES[path]
    open_url(page, f"{server}/{path}?{urlencode({'lang': start, **values})}")
    assert dict(query(page)) == {"lang": start, **values}
    page_id = path.replace("-", "_")
    question_name = next(key.split(".")[1] for key in catalogue("en", page_id) if key.startswith("question."))
    options = [key.split(".")[2] for key in catalogue("en", page_id)
               if key.startswith(f"question.{question_name}.") and key.split(".")[2] not in ("prompt", "explanation")]
    page.get_by_role("radiogroup", name=catalogue(start, "common")["your_answer"]).get_by_text(
        catalogue(start, page_id)[f"question.{question_name}.{options[0]}"], exact=True).click()
    wait_rendered(page)

    switch_language(page, "中文" if end == "zh" else "English")
    wait_for_query(page, f"q.get('lang') === '{end}'")
    assert dict(query(page)) == {"lang": end, **values}, "the switch itself changes nothing but the language"
    move_a_control(page)
    after = dict(query(page))
    moved = {name for name in set(after) | set(values) if after.get(name) != values.get(name)} - {"lang"}
    assert len(moved) <= 1, f"only the moved control changed, got {moved}"
    assert exceptions(page) == 0
    shown = chosen_labels(page)
    for name, option in values.items():
        if f"options.{name}.{option}" in catalogue(end, page_id) and name not in moved:
            assert labels(end, path, name, option) in shown, (name, option, shown)
    assert catalogue(end, page_id)[f"question.{question_name}.{options[0]}"] in shown, "the answer stays"
    assert page.get_by_text(catalogue(end, "common")["answer_first"]).count() == 0, "and so does its explanation"


# --- the address follows at once -------------------------------------------------------------------------------------
@pytest.mark.parametrize("path, name", [("cross-entropy", "y_hat"), ("batch-size", "batch_size"),
                                        ("convergence", "window")])
def test_the_address_follows_a_burst_of_key_presses_within_a_second(server, page, path, name):
    open_url(page, f"{server}/{path}?lang=en")
    slider = page.locator(f"[data-testid='stMain'] .st-key-{path.replace('-', '_')}__{name} input[type=range]")
    slider.focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    wait_rendered(page)
    on_screen = slider.input_value()
    wait_for_query(page, f"Number(q.get('{name}')) === {float(on_screen)}", timeout_ms=1000)
