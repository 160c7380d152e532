"""The app around the lessons: page config, the language and lecture-mode switches, navigation and the home page."""
from __future__ import annotations

import streamlit as st

from ui import widgets
from ui.i18n import LANGUAGES, Texts, language_from_locale
from ui.lesson import carried_query_params
from ui.registry import LESSONS, SECTIONS

LECTURE_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 1.25rem; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.25rem; }
h1 { font-size: 2.8rem !important; }
[data-testid="stPageLink"] a { font-size: 1.4rem; padding: 0.6rem 1rem; border: 1px solid #c9d3dd;
  border-radius: 0.6rem; }
</style>
"""


def _lecture_from_url() -> bool:
    if "lecture" in st.session_state:
        return bool(st.session_state["lecture"])
    return (st.query_params.get("lecture") or "").strip().lower() in ("1", "true", "yes", "on")


def setup() -> list[str]:
    """Page config, then the sidebar's language and lecture-mode switches (both kept in the URL).

    The language defaults to the browser's locale where Streamlit exposes it, else English. Returns the keys of
    URL values that were refused.
    """
    lecture = _lecture_from_url()
    st.set_page_config(page_title="Training neural networks · 神经网络训练", page_icon=":material/neurology:",
                       layout="wide", initial_sidebar_state="collapsed" if lecture else "auto")
    notices: list[str] = []
    with st.sidebar:
        lang = language_switch(notices)
        widgets.toggle("lecture", Texts("common", lang)("lecture_mode"), notices=notices,
                       help=Texts("common", lang)("lecture_mode_help"))
    if st.session_state.get("lecture"):
        st.html(LECTURE_CSS)
    return notices


def language_switch(notices: list[str]) -> str:
    """The language radio. Unlike the lessons' widgets it keeps the language *code* in the URL (``lang=zh``), which
    lecturers type by hand, so it syncs the URL itself instead of through Streamlit's binding (which would store
    the label "中文"). First visit: the URL's ``lang``, else the browser's locale where Streamlit exposes it, else
    English."""
    if "lang" not in st.session_state:
        asked = st.query_params.get("lang")
        if asked is not None and asked not in LANGUAGES:
            notices.append("lang")
            asked = None
        st.session_state["lang"] = asked or language_from_locale(getattr(st.context, "locale", None))
    lang = st.radio("Language · 语言", list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True)
    st.query_params["lang"] = lang
    return lang


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
    params = carried_query_params()
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


def refused_url_values_notice(keys: list[str]) -> None:
    if keys:
        st.sidebar.warning(Texts("common")("url_notice", names=", ".join(keys)))
