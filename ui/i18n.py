"""Language lookup. Text lives in text/<lang>/<catalogue>.toml, one catalogue per page plus ``common``.

Nested TOML tables flatten to dotted keys: ``[widgets] n_classes = "…"`` is ``widgets.n_classes``. A missing key
raises ``KeyError`` (a test checks that both languages have the same keys, so this only happens while writing).
"""
from __future__ import annotations

import functools
import re
import tomllib

import streamlit as st

from ui.registry import ROOT

LANGUAGES = {"en": "English", "zh": "中文"}
DEFAULT_LANGUAGE = "en"
TEXT_DIR = ROOT / "text"


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


@functools.cache
def catalogue(lang: str, name: str) -> dict[str, str]:
    """Every text of one catalogue in one language, as {dotted key: text}."""
    with open(TEXT_DIR / lang / f"{name}.toml", "rb") as handle:
        return _flatten(tomllib.load(handle))


def language_from_locale(locale: str | None) -> str:
    """'zh-CN' → 'zh'; anything we have no catalogue for → English."""
    code = (locale or "").split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    lang = st.session_state.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


class Texts:
    """``T = Texts("cross_entropy"); T("title")`` → the current language's text; ``T("x", n=3)`` fills {n}."""

    def __init__(self, name: str, lang: str | None = None):
        self.name = name
        self.lang = lang or current_language()

    def __call__(self, key: str, **values) -> str:
        text = catalogue(self.lang, self.name)[key]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in catalogue(self.lang, self.name)


def common(key: str, **values) -> str:
    return Texts("common")(key, **values)


_MARKDOWN_SIGNS = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def escape(text: object) -> str:
    """Text a student typed or a link carried, made safe to show inside Markdown: every ASCII punctuation character
    backslash-escaped (CommonMark allows it for all of them), so ``**``, ``[a](…)``, ``<b>``, ``$…$``, ``:red[…]``
    and bare links show as typed (a bare address gets a zero-width space, so it is not made a link); line breaks
    become spaces."""
    flat = re.sub(r"\s+", " ", str(text))
    # GFM turns bare addresses into links after escapes are read: a zero-width space keeps them plain text
    flat = re.sub(r"(?i)\b(https?|ftp|www)(?=[:.])", "\\1\u200b", flat).replace("@", "@\u200b")
    return _MARKDOWN_SIGNS.sub(r"\\\1", flat)


def error_text(error: Exception) -> str:
    """An input error in the current language, safe to show in Markdown: core's ``InputError`` code looked up in
    common.toml's [errors] with its parameters (which may quote what the student typed) escaped, else the
    exception's own (English) message, escaped."""
    code = getattr(error, "code", None)
    texts = Texts("common")
    if code and texts.has(f"errors.{code}"):
        params = {name: escape(value) for name, value in getattr(error, "params", {}).items()}
        try:
            return texts(f"errors.{code}", **params)
        except (KeyError, IndexError):
            pass
    return escape(error)
