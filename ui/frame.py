"""The app around the lessons: page config, the language and lecture-mode switches, navigation and the home page."""
from __future__ import annotations

import streamlit as st

from ui import address
from ui.i18n import LANGUAGES, Texts, current_language, escape, language_from_locale
from ui.registry import LESSONS, SECTIONS
from ui.widgets import Flag

LECTURE_CSS = """
<style>
/* Larger text for a projector, without scaling Streamlit's spacing (rem-based): the first screen is precious. */
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stMarkdownContainer"] td, [data-testid="stMarkdownContainer"] th { font-size: 1.3rem; }
[data-testid="stWidgetLabel"] p, [data-testid="stCaptionContainer"], [data-testid="stExpander"] summary p,
[data-testid="stTab"] p, [data-testid="stMetricLabel"] p { font-size: 1.15rem !important; }
[data-testid="stSliderThumbValue"], [data-testid="stSliderTickBar"] { font-size: 1.1rem; }
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; padding-bottom: 2rem; }
h1 { font-size: 2.5rem !important; padding: 0.2rem 0 0.4rem 0 !important; }
h2 { font-size: 1.9rem !important; padding-top: 0.5rem !important; padding-bottom: 0.3rem !important; }
h3 { font-size: 1.5rem !important; padding-top: 0.3rem !important; padding-bottom: 0.2rem !important; }
[data-testid="stPageLink"] a { font-size: 1.4rem; padding: 0.6rem 1rem; border: 1px solid #c9d3dd;
  border-radius: 0.6rem; }
</style>
"""


LANG, LECTURE = "_lang", "_lecture"  # the session's own record of both; the sidebar widgets start from it


def _session_settings(notices: list[str]) -> tuple[str, bool]:
    """The session's language and lecture mode. A new browser session takes them from its link (else the
    browser's locale, and lecture mode off); later runs keep the session's own: Back, Forward and links inside
    the app never switch them."""
    state = st.session_state
    if address.is_fresh_session() or LANG not in state:
        link = address.query_from_address()
        asked = link.get("lang", [])
        lang = asked[0].strip().lower() if len(asked) == 1 else None
        if asked and lang not in LANGUAGES:
            notices.append("lang")
        if lang not in LANGUAGES:
            lang = state.get(LANG) or language_from_locale(getattr(st.context, "locale", None))
        asked = link.get("lecture", [])
        lecture = Flag().parse(asked[0]) if len(asked) == 1 else None
        if asked and lecture is None:
            notices.append("lecture")
        state[LANG], state[LECTURE] = lang, bool(lecture if lecture is not None else state.get(LECTURE, False))
        # A widget that already exists (a test that reuses a session) must show the link's value too.
        for key, value in (("lang", state[LANG]), ("lecture", state[LECTURE])):
            if key in state and state[key] != value:
                state[key] = value
    return state[LANG], state[LECTURE]


def setup() -> list[str]:
    """Page config, then the sidebar's language and lecture-mode switches. Their starting values are their
    defaults (``index``, ``value``), so a new session's link never goes through session state. Returns the names of
    link values that were refused."""
    notices: list[str] = []
    lang, lecture = _session_settings(notices)
    st.set_page_config(page_title="Training neural networks · 神经网络训练", page_icon=":material/neurology:",
                       layout="wide", initial_sidebar_state="collapsed" if lecture else "auto")
    with st.sidebar:
        lang = st.radio("Language · 语言", list(LANGUAGES), index=list(LANGUAGES).index(lang),
                        format_func=LANGUAGES.get, key="lang", horizontal=True)
        common = Texts("common", lang)
        lecture = st.toggle(common("lecture_mode"), value=lecture, key="lecture", help=common("lecture_mode_help"))
    st.session_state[LANG], st.session_state[LECTURE] = lang, lecture
    if lecture:
        st.html(LECTURE_CSS)
    return notices


def navigation() -> st.navigation:
    """st.navigation with one section per part of the lecture, lessons in lecture order, home first."""
    t = Texts("common")
    sections: dict[str, list] = {"": [st.Page(home, title=t("home_title"), icon=":material/home:", default=True)]}
    for section in SECTIONS:
        pages = [st.Page(lesson.file, title=Texts(lesson.page_id)("title"), url_path=lesson.url_path)
                 for lesson in LESSONS if lesson.section == section]
        if pages:
            sections[t(f"sections.{section}")] = pages
    return st.navigation(sections)


def home() -> None:
    """What the app teaches, the map of lessons in lecture order with each takeaway, and how to use it in class."""
    t = Texts("common")
    st.title(t("home_title"))
    st.markdown(t("home_intro"))
    visit = address.begin_visit("home")
    if visit.unknown:
        st.warning(t("url_unknown", names=escape(", ".join(visit.unknown))), icon=":material/link_off:")
    params = address.carried_query_params()
    number = 0
    for section in SECTIONS:
        lessons = [lesson for lesson in LESSONS if lesson.section == section]
        if not lessons:
            continue
        st.subheader(t(f"sections.{section}"))
        for lesson in lessons:
            number += 1
            texts = Texts(lesson.page_id)
            left, right = st.columns([2, 5])
            left.page_link(lesson.file, label=f"{number}. {texts('title')}", query_params=params)
            right.markdown(texts("takeaway"))
    st.subheader(t("in_class_title"))
    st.markdown(t("in_class"))
    lang = current_language()
    address.write_address(None, address.canonical_query(lang, address.lecture_mode(), (), []), lang,
                          tuple(lesson.url_path for lesson in LESSONS))


def refused_url_values_notice(names: list[str]) -> None:
    """The app-wide link values (language, lecture mode) that were refused, by their labels."""
    if names:
        common = Texts("common")
        labels = {"lang": "Language · 语言", "lecture": common("lecture_mode")}
        st.sidebar.warning(common("url_notice", names=", ".join(labels[name] for name in names)))
