"""The frame every lesson page shares: header (title, position, takeaway), URL-bound widgets whose labels come from
the page's text catalogue, a notice line for rejected URL values, a predict-then-reveal question and Previous/Next.

A page reads::

    page = LessonPage("cross_entropy")
    k = page.slider("classes", 3, 5, 3)
    ...
    page.finish()
"""
from __future__ import annotations

import contextlib
import re
from typing import Sequence

import streamlit as st

from ui import chart_export, widgets
from ui.i18n import LANGUAGES, Texts, current_language
from ui.registry import lesson_by_id, neighbours, position


def lecture_mode() -> bool:
    return bool(st.session_state.get("lecture", False))


def carried_query_params() -> dict[str, str]:
    """The app-wide settings a link to another page keeps: the language and lecture mode."""
    params = {"lang": current_language()}
    if lecture_mode():
        params["lecture"] = "1"
    return params


HIDE_CSS = "<style>[class*='st-key-nnx-hidden-'] { display: none !important; }</style>"


def hidden_controls() -> frozenset[str]:
    """Widget keys a lecturer hid with ``hide=key1,key2`` in the link (unknown keys are simply never matched)."""
    raw = st.query_params.get("hide") or ""
    return frozenset(key for key in re.split(r"[,\s]+", raw[:500]) if re.fullmatch(r"[A-Za-z0-9_]{1,40}", key))


class LessonPage:
    def __init__(self, page_id: str):
        self.lesson = lesson_by_id(page_id)
        self.page_id = page_id
        self.t = Texts(page_id)
        self.common = Texts("common")
        self.notices: list[str] = []
        self.hidden = hidden_controls()
        self._hidden_used: list[str] = []
        if self.hidden:
            st.html(HIDE_CSS)
        n, total = position(page_id)
        st.caption(self.common("position", n=n, total=total, section=self.common(f"sections.{self.lesson.section}")))
        st.title(self.t("title"))
        st.info(self.t("takeaway"), icon=":material/lightbulb:")
        self._notice_slot = st.container()
        chart_export.start_page(page_id)

    # --- widgets: the label is the catalogue's widgets.<key>, the help text widgets.<key>_help if present ---------
    def _label(self, key: str) -> dict:
        help_key = f"widgets.{key}_help"
        return {"label": self.t(f"widgets.{key}"), "help": self.t(help_key) if self.t.has(help_key) else None}

    def placed(self, key: str):
        """Where a widget goes: a hidden container if the lecturer's link hides it (it still works and stays bound to
        the URL, so the link's value applies), else right here."""
        if key not in self.hidden:
            return contextlib.nullcontext()
        self._hidden_used.append(key)
        return st.container(key=f"nnx-hidden-{key}")

    def slider(self, key: str, min_value, max_value, default, step=None, **kwargs):
        with self.placed(key):
            return widgets.slider(key, min_value=min_value, max_value=max_value, default=default, step=step,
                                  notices=self.notices, **self._label(key), **kwargs)

    def number_input(self, key: str, min_value, max_value, default, step=None, **kwargs):
        with self.placed(key):
            return widgets.number_input(key, min_value=min_value, max_value=max_value, default=default, step=step,
                                        notices=self.notices, **self._label(key), **kwargs)

    def choice(self, key: str, options: Sequence[str], default: str, kind: str = "selectbox", **kwargs):
        """Option labels come from options.<key>.<option id> in the catalogue."""
        other_languages = [Texts(self.page_id, lang) for lang in LANGUAGES if lang != self.t.lang]
        with self.placed(key):
            return widgets.choice(
                key, options=options, default=default, kind=kind, notices=self.notices,
                format_option=lambda option: self.t(f"options.{key}.{option}"),
                aliases=lambda option: [texts(f"options.{key}.{option}") for texts in other_languages],
                **self._label(key), **kwargs)

    def toggle(self, key: str, default: bool = False, **kwargs) -> bool:
        with self.placed(key):
            return widgets.toggle(key, default=default, notices=self.notices, **self._label(key), **kwargs)

    def text_input(self, key: str, default: str, max_chars: int = 120, **kwargs) -> str:
        with self.placed(key):
            return widgets.text_input(key, default=default, max_chars=max_chars, notices=self.notices,
                                      **self._label(key), **kwargs)

    # --- teaching blocks ------------------------------------------------------------------------------------------
    def question(self, key: str, options: Sequence[str], correct: str) -> None:
        """Predict, then reveal: the explanation appears once the student has committed to an answer."""
        st.subheader(self.common("question"))
        st.markdown(self.t(f"question.{key}.prompt"))
        answer = st.radio(self.common("your_answer"), options, index=None, key=key, bind=widgets.BIND,
                          format_func=lambda option: self.t(f"question.{key}.{option}"))
        if answer is None:
            st.caption(self.common("answer_first"))
            return
        verdict = self.common("correct") if answer == correct else self.common("not_quite")
        (st.success if answer == correct else st.warning)(f"{verdict} {self.t(f'question.{key}.explanation')}")

    def finish(self) -> None:
        """Notices for rejected URL values (shown at the top), then Previous / Next in lecture order."""
        if self.notices:
            names = ", ".join(sorted(set(self.notices)))
            self._notice_slot.warning(self.common("url_notice", names=names), icon=":material/link_off:")
        if self._hidden_used:
            names = ", ".join(self.t(f"widgets.{key}") for key in dict.fromkeys(self._hidden_used))
            self._notice_slot.caption(self.common("hidden_notice", names=names), help=self.common("hidden_help"))
        previous, following = neighbours(self.page_id)
        st.divider()
        n, total = position(self.page_id)
        left, middle, right = st.columns([2, 1, 2], vertical_alignment="center")
        params = carried_query_params()
        big = lecture_mode()
        if previous is not None:
            left.page_link(previous.file, label=f"← {Texts(previous.page_id)('title')}", query_params=params,
                           width="stretch" if big else "content")
        middle.markdown(f"<div style='text-align:center'>{n} / {total}</div>", unsafe_allow_html=True)
        if following is not None:
            right.page_link(following.file, label=f"{Texts(following.page_id)('title')} →", query_params=params,
                            width="stretch" if big else "content")
