"""Where a control's value comes from (link, the student's last value on the page, default) and the canonical
address a page writes: choices by id, numbers as the page writes them, lecture mode once, hide=, no answers."""
from urllib.parse import parse_qsl

import pytest

from tests.pagekit import go_to, key, open_page, shown
from ui.address import ADDRESS, MEMORY
from ui.i18n import catalogue
from ui.widgets import Choice, Flag, Number, Text

OPTIMIZERS = "lessons/optimizers.py"
LOSS = "lessons/loss_and_optimizer.py"
BATCH = "lessons/batch_size.py"
BATCH_ID = "batch_size"


def address_of(at) -> list[tuple[str, str]]:
    return parse_qsl(at.session_state[ADDRESS])


def warnings(at) -> list[str]:
    return [w.value for w in at.warning]


# --- the kinds of control --------------------------------------------------------------------------------------------
def test_numbers_are_read_checked_and_written_on_their_grid():
    lr = Number(0.01, 5.0, 0.01)
    assert lr.parse("0.3") == 0.3 and lr.parse(" 0.30 ") == 0.3 and lr.parse("3e-1") == 0.3
    assert lr.parse("0.305") in (0.3, 0.31)  # snapped to the slider's grid
    for bad in ("9", "-1", "nan", "inf", "1e308", "abc", "", "0x1F", "1" * 50):
        assert lr.parse(bad) is None, bad
    assert lr.check(9.0) == 5.0 and lr.check(-3) == 0.01 and lr.check("x") is None and lr.check(True) is None
    assert [lr.write(v) for v in (0.3, 0.30000000000000004, 2.0, 5)] == ["0.3", "0.3", "2", "5"]
    seed = Number(0, 99, None, integer=True)
    assert seed.parse("40") == 40 and seed.parse("40.5") is None and seed.write(40) == "40"
    assert Number(-3.0, 3.0, 0.001).write(-0.0004) == "0"


def test_choices_by_id_by_any_label_and_by_number():
    eps = Choice(("1e-2", "1e-3", "1e-4"), (("ten to the minus three", "1e-3"),))
    assert eps.parse("1e-3") == "1e-3" and eps.parse("0.001") == "1e-3" and eps.parse("1E-03") == "1e-3"
    assert eps.parse("ten to the minus three") == "1e-3"
    assert eps.parse("1e-5") is None and eps.parse("<b>") is None
    assert eps.check("1e-3") == "1e-3" and eps.check("Two moons") is None and eps.write("1e-4") == "1e-4"


def test_flags_and_text():
    assert [Flag().parse(word) for word in ("1", "on", "TRUE", "0", "no", "maybe")] == [True] * 3 + [False] * 2 + [None]
    assert Flag().write(True) == "1" and Flag().check(1) is None
    assert Text(5).parse("12345") == "12345" and Text(5).parse("123456") is None and Text(5).check(3) is None


# --- the address a page writes ---------------------------------------------------------------------------------------
def test_a_link_with_choices_by_id_lecture_mode_and_hide_is_its_own_address():
    link = {"lang": "zh", "lecture": "1", "hide": "start_x", "surface": "saddle", "eps": "1e-4",
            "schedule": "step", "step_size": "50"}
    at = open_page(OPTIMIZERS, link)
    assert not at.exception and not warnings(at)
    assert address_of(at) == list(link.items())
    at.run()
    assert address_of(at) == list(link.items()), "a rerun writes the same address"


@pytest.mark.parametrize("written", ["1e-3", "0.001", "1e-03"])
def test_epsilon_is_accepted_as_the_page_writes_it(written):
    at = open_page(OPTIMIZERS, {"lang": "en", "eps": written})
    assert not warnings(at)
    assert at.radio(key=key(OPTIMIZERS, "eps")).value == "1e-3"


def test_lecture_mode_is_written_once_and_only_the_controls_that_differ_from_their_default():
    at = open_page(LOSS, {"lang": "en", "lecture": "1", "lr": "0.3", "seed": "0"})
    assert address_of(at) == [("lang", "en"), ("lecture", "1"), ("lr", "0.3")]


def test_a_refused_value_is_named_by_its_label_in_the_students_language():
    at = open_page(BATCH, {"lang": "zh", "lr": "0.9", "seed": "abc"})
    zh = catalogue("zh", "batch_size")
    notice = next(w for w in warnings(at) if catalogue("zh", "common")["url_notice"][:8] in w)
    assert zh["widgets.lr"] in notice and zh["widgets.seed"] in notice
    assert "lr" not in dict(address_of(at)), "the refused value fell back to its default"


def test_hide_names_that_are_no_control_get_a_notice_naming_them_escaped():
    at = open_page(BATCH, {"lang": "en", "hide": "seed,bogus,**x**", "nothing": "1"})
    unknown = [w for w in warnings(at) if "ignored" in w]
    assert len(unknown) == 1 and "bogus" in unknown[0] and "nothing" in unknown[0]
    assert "\\*\\*x\\*\\*" in unknown[0] and "**x**" in shown(unknown[0])
    assert dict(address_of(at))["hide"] == "seed"


def test_an_answer_never_enters_the_address():
    at = open_page("lessons/cross_entropy.py", {"lang": "en", "same_loss": "same"})
    assert at.radio(key=key("lessons/cross_entropy.py", "same_loss")).value is None, "a link never pre-answers"
    at.radio(key=key("lessons/cross_entropy.py", "same_loss")).set_value("same").run()
    assert "same_loss" not in at.session_state[ADDRESS]
    assert at.radio(key=key("lessons/cross_entropy.py", "same_loss")).value == "same"


# --- each page keeps its own state -----------------------------------------------------------------------------------
def test_a_value_never_crosses_to_another_page_and_comes_back_with_its_page():
    at = open_page(LOSS, {"lang": "en"})
    at.slider(key=key(LOSS, "lr")).set_value(0.9).run()
    at.slider(key=key(LOSS, "seed")).set_value(40).run()
    go_to(at, BATCH)
    assert not at.exception
    assert at.slider(key=key(BATCH, "lr")).value == 0.05 and at.slider(key=key(BATCH, "seed")).value == 0
    assert address_of(at) == [("lang", "en")]
    go_to(at, LOSS)
    assert at.slider(key=key(LOSS, "lr")).value == 0.9 and at.slider(key=key(LOSS, "seed")).value == 40
    assert ("lr", "0.9") in address_of(at), "coming back restores the student's own values"


def test_a_stale_remembered_value_is_checked_never_an_exception():
    """Values the session remembers for a page (say, from an older version of the app) are checked like a link's."""
    at = open_page(BATCH, {"lang": "en"})
    remembered = at.session_state[MEMORY][BATCH_ID]
    remembered.update(lr=99.0, seed="abc", schedule="Two moons")
    go_to(at, LOSS)
    go_to(at, BATCH)
    assert not at.exception
    assert at.slider(key=key(BATCH, "lr")).value == 0.5, "clamped into range"
    assert at.slider(key=key(BATCH, "seed")).value == 0, "not a number: the default"
    assert at.radio(key=key(BATCH, "schedule")).value == "constant", "no longer offered: the default"


def test_switching_language_keeps_choices_answers_and_numbers():
    at = open_page("lessons/playground.py", {"lang": "en", "dataset": "moons", "init": "he", "loss": "mse",
                                             "epochs": "20"})
    before = address_of(at)
    at.radio(key=key("lessons/playground.py", "no_hidden")).set_value("line").run()
    at.radio(key="lang").set_value("zh").run()
    assert not at.exception
    assert address_of(at) == [("lang", "zh")] + before[1:]
    assert at.selectbox(key=key("lessons/playground.py", "dataset")).value == "moons"
    assert at.radio(key=key("lessons/playground.py", "no_hidden")).value == "line"
