"""Text catalogues are complete in both languages; the registry is the single source of the page order."""
import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.pagekit import APP
from ui.i18n import LANGUAGES, TEXT_DIR, catalogue
from ui.registry import LESSONS, PLANNED, SECTIONS

CATALOGUES = sorted(path.stem for path in (TEXT_DIR / "en").glob("*.toml"))


def placeholders(text: str) -> set[str]:
    """{name} fields (LaTeX braces such as e^{z_1} match too, harmlessly: both languages carry the same LaTeX)."""
    return set(re.findall(r"\{([A-Za-z_]\w*)\}", text))


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_text_key_exists_in_both_languages_with_the_same_placeholders(name):
    english = catalogue("en", name)
    for lang in LANGUAGES:
        other = catalogue(lang, name)
        assert set(other) == set(english), f"{lang}/{name}: keys differ: {set(other) ^ set(english)}"
        for key in english:
            assert placeholders(other[key]) == placeholders(english[key]), f"{lang}/{name}: {key}"
            assert other[key].strip(), f"{lang}/{name}: {key} is empty"


def test_every_language_has_the_same_catalogues():
    for lang in LANGUAGES:
        assert sorted(path.stem for path in (TEXT_DIR / lang).glob("*.toml")) == CATALOGUES


def test_chinese_text_is_chinese():
    for lesson in LESSONS:
        assert re.search(r"[\u4e00-\u9fff]", catalogue("zh", lesson.page_id)["takeaway"]), lesson.page_id


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.url_path)
def test_every_lesson_has_a_title_and_takeaway(lesson):
    for lang in LANGUAGES:
        texts = catalogue(lang, lesson.page_id)
        assert texts["title"] and texts["takeaway"]
    assert lesson.section in SECTIONS


def test_registry_order_and_paths_are_stable():
    paths = [lesson.url_path for lesson in PLANNED]
    assert len(paths) == len(set(paths)) == 19
    assert paths[:4] == ["loss-and-optimizer", "cross-entropy", "softmax-sigmoid", "choosing-the-loss"]
    assert [lesson.url_path for lesson in LESSONS] == [p for p in paths if p in {l.url_path for l in LESSONS}]
    assert {"cross-entropy", "softmax-sigmoid"} <= {lesson.url_path for lesson in LESSONS}


def test_navigation_registers_exactly_the_registry_in_order(monkeypatch):
    seen = []
    original = st.navigation

    def spy(pages, **kwargs):
        seen[:] = [page for section in pages.values() for page in section]
        return original(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", spy)
    AppTest.from_file(APP, default_timeout=60).run()
    assert [page.url_path for page in seen] == [""] + [lesson.url_path for lesson in LESSONS]
