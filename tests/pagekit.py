"""Drive pages in-process with Streamlit's AppTest: open a registered page with a query string, list its widgets,
set them to values. Shared by the page tests and the benchmarks."""
from __future__ import annotations

import random
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest, element_tree

from ui import address
from ui.registry import LESSONS

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
WIDGET_KINDS = ("slider", "select_slider", "selectbox", "radio", "toggle", "checkbox", "text_input", "number_input",
                "multiselect")


def open_page(page_file: str | None, query: dict[str, str] | None = None, timeout: float = 60) -> AppTest:
    """Open a link: ``page_file`` (None: the home page) with ``query`` as its query string, in a new session.

    AppTest must run once before it can switch pages, so it runs the home page bare first, then forgets that visit:
    the page's run is then the first of its session, as when a student opens a link."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if page_file is not None:
        at.run()
        del at.session_state[address.VISIT]
        at.switch_page(page_file)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at


def go_to(at: AppTest, page_file: str) -> AppTest:
    """Move to another page inside the session (as Next, Previous or the sidebar do) and run it."""
    at.query_params.clear()
    at.switch_page(page_file)
    return at.run()


def key(page_file: str, name: str) -> str:
    """The Streamlit key of the control ``name`` on the page in ``page_file``."""
    return f"{Path(page_file).stem}__{name}"


def shown(markdown: str) -> str:
    """What a student reads of a Markdown source that quotes escaped text (``x\\*\\*2`` reads ``x**2``)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u200b", "")


def param_name(widget) -> str:
    """The address name of a page's widget (its key without the page prefix)."""
    return widget.key.split("__", 1)[1]


def widgets(at: AppTest) -> list:
    """Every keyed widget on the page (the sidebar's language and lecture switches included)."""
    found = []
    for kind in WIDGET_KINDS:
        found += [widget for widget in getattr(at, kind) if getattr(widget, "key", None)]
    return found


def page_widgets(at: AppTest) -> list:
    """The page's own controls (keys ``<page_id>__<name>``): not the app-wide language and lecture switches."""
    return [widget for widget in widgets(at) if "__" in widget.key]


class PickedLabel(str):
    """An option picked by its displayed label. AppTest's Radio can only be set by the option's value, which a test
    that sees only labels does not know; the frontend sends the label, and so do we."""


_format_value = element_tree._format_value_for_widget


def _format_picked_label(format_func, value):
    return str(value) if isinstance(value, PickedLabel) else _format_value(format_func, value)


element_tree._format_value_for_widget = _format_picked_label


def random_value(widget, rng: random.Random, extreme: str | None = None):
    """A value for ``widget``: its minimum, maximum or a random one (``extreme`` = "min" | "max" | None)."""
    kind = type(widget).__name__
    if kind == "Slider":
        low, high = widget.min, widget.max
        if isinstance(widget.value, tuple):
            return (low, high) if extreme else tuple(sorted((rng.uniform(low, high), rng.uniform(low, high))))
        if extreme == "min":
            return low
        if extreme == "max":
            return high
        value = rng.uniform(low, high)
        return round(value) if isinstance(widget.value, int) else value
    if kind in ("Selectbox", "Radio", "SelectSlider"):
        options = list(widget.options)
        index = 0 if extreme == "min" else len(options) - 1 if extreme == "max" else rng.randrange(len(options))
        return PickedLabel(options[index])
    if kind in ("Toggle", "Checkbox"):
        return {"min": False, "max": True}.get(extreme, rng.random() < 0.5)
    if kind == "NumberInput":
        low = widget.min if widget.min is not None else -1e6
        high = widget.max if widget.max is not None else 1e6
        return {"min": low, "max": high}.get(extreme, rng.uniform(low, high))
    if kind == "TextInput":
        samples = ["", "0.2, 0.3, 0.5", "1, 0, 0", "abc", "1e999", "-1, 2", "0.25 0.25 0.25 0.25", "0,0,0,0,1"]
        return {"min": "", "max": "9" * 100}.get(extreme, rng.choice(samples))
    if kind == "Multiselect":
        options = list(widget.options)
        if extreme:
            return [] if extreme == "min" else options
        return rng.sample(options, rng.randrange(len(options) + 1))
    raise TypeError(f"no fuzz rule for {kind}")


def set_value(widget, value) -> None:
    if type(widget).__name__ == "Selectbox" and isinstance(value, PickedLabel):
        widget.select_index(widget.options.index(value))
    else:
        widget.set_value(value)


def lesson_files() -> list[str]:
    return [lesson.file for lesson in LESSONS]


def chart_bytes(at: AppTest) -> int:
    """Bytes of chart data the page sent: every Vega-Lite spec plus its datasets."""
    return sum(len(chart.proto.spec.encode()) + sum(len(ds.data.data) for ds in chart.proto.datasets)
               for chart in at.get("vega_lite_chart"))


def time_page(page_file: str | None, warm_runs: int = 15, timeout: float = 60) -> dict:
    """Open a page (cold: first run in this process), then rerun it unchanged ``warm_runs`` times. Returns
    cold_s, warm_ms (median), warm_min_ms, chart_kb, charts, errors and the AppTest itself (``at``)."""
    import statistics
    import time

    start = time.perf_counter()
    at = open_page(page_file, {"lang": "en"}, timeout=timeout)
    cold = time.perf_counter() - start
    warm = []
    for _ in range(warm_runs):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    return {"cold_s": cold, "warm_ms": 1000 * statistics.median(warm), "warm_min_ms": 1000 * min(warm),
            "chart_kb": chart_bytes(at) / 1024, "charts": len(at.get("vega_lite_chart")),
            "errors": len(at.exception), "at": at}
