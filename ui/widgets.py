"""Widgets bound to the URL (``bind="query-params"``), so a link reproduces the view.

A URL is untrusted. Streamlit already drops a bound value it cannot parse or that is out of range and falls back to
the default; these wrappers notice when that happened (the value the widget shows differs from what the URL asked
for) and report the key, so the page can say so in one short line. They also accept a choice written in either
language, or by its id, and ``lecture=1``-style booleans, so links survive a language switch.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import streamlit as st

BIND = "query-params"


def url_value(key: str) -> list[str] | None:
    """What the URL asks this widget to be, on the widget's first run in this session only (later the widget's own
    state wins over the URL, as Streamlit does)."""
    if key in st.session_state:
        return None
    try:
        values = st.query_params.get_all(key)
    except Exception:  # a malformed query string must never break the page
        return None
    return values or None


def _same_number(raw: list[str], value: float) -> bool:
    if len(raw) != 1:
        return False
    try:
        asked = float(raw[0])
    except ValueError:
        return False
    return math.isfinite(asked) and math.isclose(asked, float(value), rel_tol=1e-9, abs_tol=1e-12)


def slider(key: str, label: str, min_value, max_value, default, step=None, *, notices: list[str], **kwargs):
    """``st.slider`` bound to the URL under ``key``; a URL value outside [min, max] or not a number gives the default
    and a notice."""
    raw = url_value(key)
    value = st.slider(label, min_value, max_value, default, step, key=key, bind=BIND, **kwargs)
    if raw is not None and not _same_number(raw, value):
        notices.append(key)
    return value


def number_input(key: str, label: str, min_value, max_value, default, step=None, *, notices: list[str], **kwargs):
    """``st.number_input`` bound to the URL, validated like ``slider``."""
    raw = url_value(key)
    value = st.number_input(label, min_value, max_value, default, step, key=key, bind=BIND, **kwargs)
    if raw is not None and not _same_number(raw, value):
        notices.append(key)
    return value


def choice(key: str, label: str, options: Sequence[str], default: str, format_option: Callable[[str], str], *,
           notices: list[str], aliases: Callable[[str], Sequence[str]] = lambda option: (), kind: str = "selectbox",
           **kwargs):
    """A selectbox (or ``kind="radio"``) over option ids. The URL holds the option's label in the current language;
    a label in another language (``aliases``) or the bare id is accepted too."""
    raw = url_value(key)
    if raw is not None:
        asked = raw[0]
        matches = [option for option in options
                   if asked in (option, format_option(option), *aliases(option))]
        if len(raw) == 1 and matches:
            st.session_state[key] = matches[0]
        else:
            notices.append(key)
    index = list(options).index(default)
    widget = st.radio if kind == "radio" else st.selectbox
    return widget(label, options, index=index, format_func=format_option, key=key, bind=BIND, **kwargs)


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def toggle(key: str, label: str, default: bool = False, *, notices: list[str], **kwargs) -> bool:
    """``st.toggle`` bound to the URL; accepts 1/0, true/false, yes/no, on/off."""
    raw = url_value(key)
    if raw is not None:
        word = raw[0].strip().lower() if len(raw) == 1 else ""
        if word in _TRUE + _FALSE:
            st.session_state[key] = word in _TRUE
        else:
            notices.append(key)
    return st.toggle(label, default, key=key, bind=BIND, **kwargs)


def text_input(key: str, label: str, default: str, *, max_chars: int, notices: list[str], **kwargs) -> str:
    """``st.text_input`` bound to the URL. Streamlit cuts a longer URL value to ``max_chars``; the content itself is
    validated by the core function that parses it, which says what is wrong."""
    raw = url_value(key)
    value = st.text_input(label, default, max_chars=max_chars, key=key, bind=BIND, **kwargs)
    if raw is not None and (len(raw) != 1 or raw[0] != value):
        notices.append(key)
    return value
