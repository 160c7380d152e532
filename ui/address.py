"""The address is the truth: which values a page's controls start from, and the one canonical address of what the
page shows.

A *visit* is the time a student spends on one page, from arriving to leaving. How the visit began decides where its
controls start:

- a fresh session (a link opened, a page reloaded) or Back/Forward: the address, else the page's defaults;
- Next/Previous, the sidebar or the home page's map: the student's own last values for this page, else the
  defaults. Those links carry only the language and lecture mode; the query string the browser sends with such a
  move may still be the previous page's, so it is never read.

Each control's value is remembered per page (``MEMORY``), so coming back restores it and a control that shares its
name with another page's (lr, seed, window, …) never carries a value from one to the other. Switching the language
re-applies the remembered values: Streamlit keeps a choice by its translated label, which a new language would not
find.

At the end of every run the page writes its canonical address: the language, lecture mode, ``hide=`` and every
control that differs from its default, choices by id. A tiny script replaces the browser's current history entry
(``history.replaceState``), so the address follows at once and history keeps one entry per page visited.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.i18n import current_language

VISIT = "_visit"
MEMORY = "_memory"
LANG_SEEN = "_lang_seen"
ADDRESS = "_address"  # the last canonical query string written (tests read it; the browser gets it by script)
APP_PARAMS = ("lang", "lecture", "hide")
NAME = re.compile(r"[A-Za-z0-9_]{1,40}")


@dataclass
class Visit:
    page_id: str
    link: dict[str, list[str]]  # the address's values still to apply (used up by the visit's first complete run)
    use_memory: bool  # arrived by a link inside the app: start from the student's own last values
    hide: tuple[str, ...]
    applied: set[str] = field(default_factory=set)  # controls that already got their starting value this visit
    refused: list[str] = field(default_factory=list)  # controls whose address value was refused
    unknown: list[str] = field(default_factory=list)  # names in the address that are not controls of this page


def query_from_address() -> dict[str, list[str]]:
    """The query string the browser sent, as {name: [values]}; a malformed one reads as empty."""
    try:
        return {name: st.query_params.get_all(name) for name in st.query_params}
    except Exception:  # an unparsable query string must never break the page
        return {}


def is_fresh_session() -> bool:
    """True until the first page of this browser session has started its visit."""
    return VISIT not in st.session_state


def _is_history_navigation() -> bool:
    ctx = get_script_run_ctx()
    return bool(ctx is not None and getattr(ctx, "is_history_navigation", False))


def parse_hide(raw: list[str] | None) -> tuple[str, ...]:
    """``hide=a,b`` → ("a", "b"): names only (letters, digits, underscores), each once, in order."""
    names: list[str] = []
    for value in raw or []:
        for name in re.split(r"[,\s]+", value[:500]):
            if name and name not in names:
                names.append(name)
    return tuple(names)


def memory(page_id: str) -> dict[str, Any]:
    """The student's last values on one page (this session only)."""
    return st.session_state.setdefault(MEMORY, {}).setdefault(page_id, {})


def begin_visit(page_id: str, controls: frozenset[str] = frozenset(), private: frozenset[str] = frozenset()) -> Visit:
    """Called once per run by the page, before any control: continue this page's visit or start a new one.
    ``controls`` are the page's control names; ``private`` names (question answers) are never read from a link."""
    visit = st.session_state.get(VISIT)
    if visit is None or _is_history_navigation():
        link = query_from_address()
        values = {name: raw for name, raw in link.items() if name not in APP_PARAMS and name not in private}
        asked_hidden = parse_hide(link.get("hide"))
        visit = Visit(page_id, values, use_memory=False, hide=tuple(n for n in asked_hidden if n in controls))
        visit.unknown = [name for name in (*values, *asked_hidden) if name not in controls][:12]
        st.session_state[VISIT] = visit
    elif visit.page_id != page_id:
        visit = Visit(page_id, {}, use_memory=True, hide=tuple(memory(page_id).get("hide", ())))
        st.session_state[VISIT] = visit
    memory(page_id)["hide"] = visit.hide
    return visit


def lecture_mode() -> bool:
    return bool(st.session_state.get("lecture", False))


def carried_query_params() -> dict[str, str]:
    """What a link to another page of the app carries: the language and lecture mode."""
    params = {"lang": current_language()}
    if lecture_mode():
        params["lecture"] = "1"
    return params


def language_changed(lang: str) -> bool:
    """True on the runs after the language switch until a run of the page has completed in the new language."""
    return st.session_state.get(LANG_SEEN, lang) != lang


def canonical_query(lang: str, lecture: bool, hide: tuple[str, ...], values: list[tuple[str, str]]) -> str:
    """The one written form of a view: language, lecture mode, hidden controls, then each control that differs from
    its default (``values``: name and written value, in page order)."""
    pairs = [("lang", lang)]
    if lecture:
        pairs.append(("lecture", "1"))
    if hide:
        pairs.append(("hide", ",".join(hide)))
    pairs += values
    return urlencode(pairs)


_SYNC_SCRIPT = """<script>
(function () {
  const page = %s, lessons = %s, query = %s;
  let tries = 0;
  clearTimeout(window.nnxAddressTimer);  // an older run's script still waiting must not write after this one
  function replace() {
    const here = location.pathname.replace(/\\/+$/, "").split("/").pop();
    // After a move the app pushes the new page's address a moment later: wait for it, never write on the old one.
    const arrived = page === null ? !lessons.includes(here) : here === page;
    if (!arrived) { if (++tries < 60) window.nnxAddressTimer = setTimeout(replace, 50); return; }
    const target = location.pathname + (query ? "?" + query : "") + location.hash;
    if (location.pathname + location.search + location.hash !== target) {
      history.replaceState(history.state, "", target);
    }
  }
  replace();
})();
</script>"""


def write_address(url_path: str | None, query: str, lang: str, lesson_paths: tuple[str, ...]) -> None:
    """End of a complete run: the browser's address becomes ``query`` on the page ``url_path`` (None: the home page,
    whatever its path), in place: no new history entry. The visit's link values are used up."""
    visit = st.session_state.get(VISIT)
    if visit is not None:
        visit.link = {}
    st.session_state[LANG_SEEN] = lang
    st.session_state[ADDRESS] = query
    with st.container(key="nnx-address"):
        st.html(_SYNC_SCRIPT % (json.dumps(url_path), json.dumps(list(lesson_paths)), json.dumps(query)),
                unsafe_allow_javascript=True)
