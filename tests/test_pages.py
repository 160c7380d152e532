"""Every registered page, in both languages: it runs, survives a widget fuzzer and hostile query strings."""
import random

import pytest

from tests.pagekit import lesson_files, open_page, page_widgets, random_value, set_value
from ui.i18n import LANGUAGES

PAGES = [None] + lesson_files()  # None: the home page
FUZZ_STATES = 24
HOSTILE_VALUES = ["garbage", "1e308", "-1e308", "nan", "inf", "<script>alert(1)</script>", "x" * 5000, "",
                  "%00", "0x1F", "[1,2]", "' OR 1=1 --", "\u202e"]


def blocks(node):
    """Every element and block under ``node`` (AppTest's tree), depth first."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from blocks(child)


def assert_clean(at, context=""):
    assert not at.exception, f"{context}: {[e.value for e in at.exception]}"


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("page_file", PAGES)
def test_page_runs(page_file, lang):
    at = open_page(page_file, {"lang": lang})
    assert_clean(at, f"{page_file} {lang}")
    assert at.title, "every page has a title"


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("page_file", lesson_files())
def test_page_runs_in_lecture_mode(page_file, lang):
    """Lecture mode lays pages out differently (notes folded, controls in tabs or beside the chart): it runs too,
    and marks the main experiment that the projector test measures."""
    at = open_page(page_file, {"lang": lang, "lecture": "1"})
    assert_clean(at, f"{page_file} {lang} lecture")
    assert at.session_state["lecture"] is True
    assert any("nnx-main-experiment" in getattr(block.proto, "id", "") for block in blocks(at.main))


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("page_file", lesson_files())
def test_widget_fuzzer(page_file, lang):
    """Every widget at its min, then its max, then random values: no exception in any of ≥ 20 states."""
    rng = random.Random(f"{page_file}{lang}")
    at = open_page(page_file, {"lang": lang})
    assert page_widgets(at), "a lesson has controls"
    plan = ["min", "max"] + [None] * (FUZZ_STATES - 2)
    for state, extreme in enumerate(plan):
        for widget in page_widgets(at):
            set_value(widget, random_value(widget, rng, extreme))
        at.run()
        assert_clean(at, f"{page_file} {lang} state {state} ({extreme or 'random'})")


@pytest.mark.parametrize("page_file", lesson_files())
def test_hostile_query_strings_give_defaults_and_a_notice(page_file):
    clean = open_page(page_file, {"lang": "en"})
    defaults = {widget.key: widget.value for widget in page_widgets(clean)}
    for value in HOSTILE_VALUES:
        query = {key: value for key in defaults}
        at = open_page(page_file, {"lang": "en", **query})
        assert_clean(at, f"{page_file} with {value[:20]!r}")
        for widget in page_widgets(at):
            if type(widget).__name__ == "TextInput":
                continue  # text is free-form: the page's own parser reports what is wrong with it
            if widget.key in defaults:
                assert widget.value == defaults[widget.key], (widget.key, value[:20])
        if value not in ("", ):
            notices = [w.value for w in at.warning if "link" in w.value]
            assert notices, f"no notice for {value[:20]!r}"


@pytest.mark.parametrize("query", [{"lang": "klingon"}, {"lecture": "maybe"}, {"lang": "<b>"}, {"lecture": "1e308"}])
def test_hostile_app_wide_parameters(query):
    at = open_page(lesson_files()[0], query)
    assert_clean(at, str(query))


def test_lecture_mode_and_language_from_the_url():
    at = open_page(lesson_files()[0], {"lang": "zh", "lecture": "1"})
    assert_clean(at)
    assert at.session_state["lecture"] is True
    assert at.session_state["lang"] == "zh"


def test_a_lecturers_link_hides_controls_but_keeps_their_values():
    at = open_page("lessons/softmax_sigmoid.py", {"lang": "en", "hide": "temperature,shift", "temperature": "2.5"})
    assert_clean(at)
    assert at.slider(key="softmax_sigmoid__temperature").value == 2.5
    assert any("hides some controls" in caption.value for caption in at.caption)


MARKDOWN_LOOKING = ["**bold** x**2 + 3*y**2 +", "[a](http://e.com)", "<b>html</b>", "$x^2$ :red[red]"]
SHOWN_AS_TEXT = ("markdown", "error", "warning", "info", "success", "caption")


@pytest.mark.parametrize("page_file", lesson_files())
def test_text_typed_or_carried_by_a_link_is_escaped_wherever_it_is_shown(page_file):
    """Every text input and text area, and the same strings carried by the link: no Markdown element shows them
    raw (where they appear, they appear escaped, so the browser shows them literally)."""
    at = open_page(page_file, {"lang": "en"})
    texts = [w for w in page_widgets(at) if type(w).__name__ in ("TextInput", "TextArea")]
    names = [w.key.split("__", 1)[1] for w in texts]
    for hostile in MARKDOWN_LOOKING:
        runs = [open_page(page_file, {"lang": "en", "surface": "custom", "hide": hostile, "bogus": hostile,
                                      **{name: hostile for name in names}})]
        if texts:
            at = open_page(page_file, {"lang": "en", "surface": "custom"})
            for widget in page_widgets(at):
                if type(widget).__name__ in ("TextInput", "TextArea"):
                    widget.set_value(hostile)
            runs.append(at.run())
        for run in runs:
            assert_clean(run, f"{page_file} {hostile}")
            for kind in SHOWN_AS_TEXT:
                for element in getattr(run, kind):
                    assert hostile not in element.value, f"{page_file}: {hostile!r} shown raw in a {kind}"
