"""The frame every lesson page shares: header (title, position, takeaway), controls whose labels come from the
page's text catalogue and whose values live in the address, one notice line for refused link values, a
predict-then-reveal question, Previous/Next, and the page's canonical address.

A page reads::

    page = LessonPage("cross_entropy")
    k = page.slider("classes", 3, 5, 3)
    ...
    page.finish()

Controls are named by their address name ("classes"); the Streamlit key is ``page.key(name)``
("cross_entropy__classes"), so no two pages ever share a widget. A callback that sets a control writes
``st.session_state[page.key(name)]``.
"""
from __future__ import annotations

import contextlib
import math
from typing import Any, Callable, Sequence

import streamlit as st

from ui import address, chart_export
from ui.i18n import LANGUAGES, Texts, catalogue, escape
from ui.registry import LESSONS, lesson_by_id, neighbours, position
from ui.widgets import Choice, Flag, Kind, Number, Text

HIDE_CSS = "<style>[class*='st-key-nnx-hidden-'] { display: none !important; }</style>"
UPLOAD_CSS = "<style>[data-testid='stFileUploaderDropzoneInstructions'] { display: none; }</style>"


def lecture_mode() -> bool:
    return address.lecture_mode()


def carried_query_params() -> dict[str, str]:
    """What a link to another page of the app carries: the language and lecture mode (for a link opened in a new
    tab; inside the tab the session keeps both)."""
    return address.carried_query_params()


def control_names(page_id: str) -> frozenset[str]:
    """The page's controls, as named in the address: the keys of its catalogue's [widgets] table."""
    return frozenset(key.split(".", 1)[1] for key in catalogue("en", page_id)
                     if key.startswith("widgets.") and not key.endswith("_help"))


def question_names(page_id: str) -> frozenset[str]:
    return frozenset(key.split(".")[1] for key in catalogue("en", page_id) if key.startswith("question."))


def _same(kind: Kind, a: Any, b: Any) -> bool:
    if isinstance(kind, Number):
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
    return a == b


class LessonPage:
    def __init__(self, page_id: str):
        self.lesson = lesson_by_id(page_id)
        self.page_id = page_id
        self.t = Texts(page_id)
        self.common = Texts("common")
        self.controls = control_names(page_id)
        self.visit = address.begin_visit(page_id, self.controls, question_names(page_id))
        self.memory = address.memory(page_id)
        self.relang = address.language_changed(self.t.lang)
        self.lecture = lecture_mode()
        self.hidden = frozenset(self.visit.hide)
        self._in_address: list[tuple[str, Kind, Any, Any]] = []  # (name, kind, default, value) drawn this run
        self._hidden_used: list[str] = []
        if self.hidden:
            st.html(HIDE_CSS)
        n, total = position(page_id)
        st.caption(self.common("position", n=n, total=total, section=self.common(f"sections.{self.lesson.section}")))
        st.title(self.t("title"))
        st.info(self.t("takeaway"), icon=":material/lightbulb:")
        self._notice_slot = st.container()
        chart_export.start_page(page_id)

    # --- where a control's value comes from -------------------------------------------------------------------------
    def key(self, name: str) -> str:
        """The Streamlit key of this page's control ``name``."""
        return f"{self.page_id}__{name}"

    def _starting_value(self, name: str, kind: Kind, default: Any, first: bool, in_address: bool) -> Any:
        """A control's value when it (re)appears: the link's, else the student's last on this page, else the
        default. A refused link value gives the default and a notice."""
        if first and in_address and name in self.visit.link:
            raw = self.visit.link[name]
            value = kind.parse(raw[0]) if len(raw) == 1 else None
            if value is not None:
                return value
            if name not in self.visit.refused:
                self.visit.refused.append(name)
            return default
        if (self.visit.use_memory or not first) and name in self.memory:
            value = kind.check(self.memory[name])
            if value is not None:
                return value
        return default

    def _control(self, name: str, kind: Kind, default: Any, draw: Callable[[str], Any], in_address: bool = True):
        """Give the widget ``draw(key)`` a valid value before it exists, draw it, remember what it shows."""
        key = self.key(name)
        state = st.session_state
        first = name not in self.visit.applied
        if first or self.relang or key not in state:
            state[key] = self._starting_value(name, kind, default, first, in_address)
            self.visit.applied.add(name)
        else:
            current = state[key]
            value = kind.check(current)
            if value is None and current is not None:
                value = default  # e.g. a value from an older version of the app
            if not _same(kind, value, current):
                state[key] = value
        with self.placed(name):
            shown = draw(key)
        self.memory[name] = shown
        if in_address:
            self._in_address.append((name, kind, default, shown))
        return shown

    # --- controls: the label is the catalogue's widgets.<name>, the help text widgets.<name>_help if present --------
    def label(self, name: str) -> dict:
        help_key = f"widgets.{name}_help"
        return {"label": self.t(f"widgets.{name}"), "help": self.t(help_key) if self.t.has(help_key) else None}

    def placed(self, name: str):
        """Where a control goes: a hidden container if the lecturer's link hides it (it still works and its value
        stays in the address), else right here."""
        if name not in self.hidden:
            return contextlib.nullcontext()
        self._hidden_used.append(name)
        return st.container(key=f"nnx-hidden-{name}")

    def slider(self, name: str, min_value, max_value, default, step=None, **kwargs):
        integer = all(isinstance(v, int) and not isinstance(v, bool) for v in (min_value, max_value, default))
        kind = Number(min_value, max_value, step, integer)
        return self._control(name, kind, default, lambda key: st.slider(
            min_value=min_value, max_value=max_value, step=step, key=key, **self.label(name), **kwargs))

    def number_input(self, name: str, min_value, max_value, default, step=None, **kwargs):
        integer = all(isinstance(v, int) and not isinstance(v, bool) for v in (min_value, max_value, default))
        kind = Number(min_value, max_value, step, integer)
        return self._control(name, kind, default, lambda key: st.number_input(
            min_value=min_value, max_value=max_value, step=step, key=key, **self.label(name), **kwargs))

    def choice(self, name: str, options: Sequence[str], default: str, kind: str = "selectbox",
               labels_from: str | None = None, **kwargs) -> str:
        """One of ``options`` (ids). Labels come from options.<name>.<id> in the catalogue (options.<labels_from>.<id>
        for a control that borrows another's labels)."""
        table = f"options.{labels_from or name}"
        spec = Choice(tuple(options), tuple((Texts(self.page_id, lang)(f"{table}.{option}"), option)
                                            for lang in LANGUAGES for option in options))
        widget = st.radio if kind == "radio" else st.selectbox
        return self._control(name, spec, default, lambda key: widget(
            options=list(options), format_func=lambda option: self.t(f"{table}.{option}"), key=key,
            **self.label(name), **kwargs))

    def select_slider(self, name: str, options: Sequence[str], default: str, **kwargs) -> str:
        """A select slider over options written as text (e.g. a log scale of numbers)."""
        return self._control(name, Choice(tuple(options)), default, lambda key: st.select_slider(
            options=list(options), key=key, **self.label(name), **kwargs))

    def toggle(self, name: str, default: bool = False, **kwargs) -> bool:
        return self._control(name, Flag(), default, lambda key: st.toggle(key=key, **self.label(name), **kwargs))

    def text_input(self, name: str, default: str, max_chars: int = 120, **kwargs) -> str:
        return self._control(name, Text(max_chars), default, lambda key: st.text_input(
            max_chars=max_chars, key=key, **self.label(name), **kwargs))

    def text_area(self, name: str, default: str, max_chars: int, label: str, **kwargs) -> str:
        """Long text (a pasted log): kept on this page and across a language switch, but not in the address. The core
        function that reads it enforces its own limit; ``max_chars`` only bounds what session state may hold."""
        return self._control(name, Text(max_chars), default, lambda key: st.text_area(label, key=key, **kwargs),
                             in_address=False)

    def upload(self, name: str, label: str, types: Sequence[str], max_bytes: int, **kwargs) -> tuple[str, bytes] | None:
        """A file upload that the student keeps for this session: (file name, content), or None. The file outlives
        the widget (which Streamlit empties when the student leaves the page): coming back by Back, Forward or Next,
        the page still uses it, and says so; only "Forget this file" lets it go. A file over ``max_bytes`` gets this
        page's own message, in the student's language, and is not kept (the server accepts larger uploads so that
        the page, not the browser, can say so; see .streamlit/config.toml)."""
        key, kept = self.key(name), f"file:{name}"

        def keep() -> None:
            file = st.session_state.get(key)
            if file is None:  # the browser clears the widget on its way to a new file: keep using the old one
                return
            if file.size > max_bytes:  # refused; the file kept before stays in use
                self.memory[f"too_big:{name}"] = (file.name, file.size)
            else:
                self.memory[kept] = (file.name, file.getvalue())
                self.memory.pop(f"too_big:{name}", None)

        with self.placed(name):
            file = st.file_uploader(label, type=list(types), key=key, on_change=keep, **kwargs)
            self.upload_limits(types, max_bytes)
            too_big = self.memory.get(f"too_big:{name}")
            stored = self.memory.get(kept)
            if too_big is not None:
                st.error(self.common("upload_too_big", name=escape(too_big[0]), limit=f"{max_bytes / 2**20:g}"),
                         icon=":material/error:")
            if stored is not None and (file is None or too_big is not None):
                st.caption(self.common("upload_kept", name=escape(stored[0])))
                st.button(self.common("upload_forget"), key=f"{key}_forget", type="tertiary",
                          icon=":material/close:", on_click=self.memory.pop, args=(kept, None))
        return self.memory.get(kept)

    def upload_limits(self, types: Sequence[str], max_bytes: int) -> None:
        """The upload's accepted types and size limit in the student's language, in place of Streamlit's own line
        (English, and stating the server's limit rather than this page's)."""
        st.html(UPLOAD_CSS)
        size = f"{max_bytes / 2**20:g} MB" if max_bytes >= 2**20 else f"{max_bytes / 1000:g} kB"
        st.caption(self.common("upload_limits", types=", ".join(t.upper() for t in types), size=size))

    # --- teaching blocks ------------------------------------------------------------------------------------------
    def prose(self, text: str) -> None:
        """Explanation a lecturer says aloud: Markdown, or in lecture mode folded into a small "notes" expander, so
        that the experiment fits a projector's first screen."""
        with self.folded():
            st.markdown(text)

    def main_experiment(self):
        """Where the page's main experiment goes (its first controls and the chart they drive). In lecture mode it
        fits a projector's first screen, 1920 × 1080: a browser test measures every control and the first chart in
        it."""
        return st.container(key="nnx-main-experiment")

    def folded(self, label: str | None = None):
        """A block that lecture mode folds away (into an expander titled ``label``, else "notes"); shown in place
        otherwise."""
        if not lecture_mode():
            return contextlib.nullcontext()
        return st.expander(label or self.common("notes"), icon=":material/notes:")

    def side_by_side(self, widths=(1, 1)) -> tuple:
        """Two places for two blocks: side by side in lecture mode (a projector is wide and short), one after the
        other otherwise."""
        if self.lecture:
            return tuple(st.columns(list(widths), gap="large"))
        return st.container(), st.container()

    def aside_section(self, title: str):
        """A section that comes before the page's main experiment: under its header as usual, but in lecture mode
        folded into an expander titled ``title``, so that the experiment starts on the projector's first screen."""
        if lecture_mode():
            return st.expander(title, icon=":material/notes:")
        st.header(title)
        return contextlib.nullcontext()

    def question(self, name: str, options: Sequence[str], correct: str) -> None:
        """Predict, then reveal: the explanation appears once the student has committed to an answer. The answer is
        the student's own: kept on this page, never written into the address (a link never pre-answers)."""
        st.subheader(self.common("question"))
        st.markdown(self.t(f"question.{name}.prompt"))
        answer = self._control(name, Choice(tuple(options)), None, lambda key: st.radio(
            self.common("your_answer"), list(options), index=None, key=key,
            format_func=lambda option: self.t(f"question.{name}.{option}")), in_address=False)
        if answer is None:
            st.caption(self.common("answer_first"))
            return
        verdict = self.common("correct") if answer == correct else self.common("not_quite")
        (st.success if answer == correct else st.warning)(f"{verdict} {self.t(f'question.{name}.explanation')}")

    def canonical_query(self) -> str:
        values = [(name, kind.write(value)) for name, kind, default, value in self._in_address
                  if value is not None and not (default is not None and kind.write(value) == kind.write(default))]
        return address.canonical_query(self.t.lang, lecture_mode(), self.visit.hide, values)

    def finish(self) -> None:
        """Notices (shown at the top), Previous / Next in lecture order, then the page's canonical address."""
        label = lambda name: self.t(f"widgets.{name}") if name in self.controls else name  # noqa: E731
        if self.visit.refused:
            names = ", ".join(label(name) for name in self.visit.refused)
            self._notice_slot.warning(self.common("url_notice", names=names), icon=":material/link_off:")
        if self.visit.unknown:
            self._notice_slot.warning(self.common("url_unknown", names=escape(", ".join(self.visit.unknown))),
                                      icon=":material/link_off:")
        if self._hidden_used:
            names = ", ".join(label(name) for name in dict.fromkeys(self._hidden_used))
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
        address.write_address(self.lesson.url_path, self.canonical_query(), self.t.lang,
                              tuple(lesson.url_path for lesson in LESSONS))
