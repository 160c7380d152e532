"""Save a chart as SVG (vector: sharp on slides and in print).

Streamlit's own chart toolbar already offers "Download as PNG" and "Show data" (a table with a CSV download). SVG
needs a renderer on the server: vl-convert (the Vega project's converter, no browser, no network). It only runs
when someone clicks the button: the button holds a callable, not the file.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Callable

import pandas as pd

EXPORT_WIDTH = 640  # a chart that stretches to the page in the app gets this width on paper
_COMPOSITE = ("facet", "hconcat", "vconcat", "concat", "repeat")


def _finite(value):
    """JSON has no NaN or infinity: a gap in a curve (a diverged step) becomes null, which Vega-Lite skips."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def standalone_spec(spec: dict, data: pd.DataFrame | None = None) -> dict:
    """A spec that draws on its own: ``data`` (drawn as the top-level source) inlined, a fixed width where the app
    stretches the chart to the page, no NaN."""
    out = copy.deepcopy(spec)
    if data is not None:
        out["data"] = {"values": data.to_dict(orient="records")}
    if "datasets" in out:  # Streamlit accepts frames as named datasets; a standalone spec needs rows
        out["datasets"] = {name: rows.to_dict(orient="records") if isinstance(rows, pd.DataFrame) else rows
                           for name, rows in out["datasets"].items()}
    if not any(key in out for key in _COMPOSITE) and out.get("width") in (None, "container"):
        out["width"] = EXPORT_WIDTH
    out.setdefault("background", "white")
    return _finite(out)


def svg_bytes(spec: dict, data: pd.DataFrame | None = None) -> bytes:
    """The chart drawn as an SVG document."""
    import vl_convert

    return vl_convert.vegalite_to_svg(standalone_spec(spec, data)).encode("utf-8")


def offer_svg(spec_source: Callable[[], dict], data: pd.DataFrame | None = None) -> None:
    """A small "SVG" download under the chart just drawn (not in lecture mode: the projector shows charts only).
    ``spec_source`` is called on click, so a rerun pays nothing for it."""
    import streamlit as st

    from ui.address import lecture_mode
    from ui.i18n import Texts

    if lecture_mode():
        return
    page = st.session_state.get("_export_page", "chart")
    number = st.session_state["_export_count"] = st.session_state.get("_export_count", 0) + 1
    common = Texts("common")
    st.download_button(common("save_svg"), lambda: svg_bytes(spec_source(), data), file_name=f"{page}-{number}.svg",
                       mime="image/svg+xml", on_click="ignore", type="tertiary", icon=":material/download:",
                       help=common("save_svg_help"), key=f"svg_{number}")


def start_page(page_id: str) -> None:
    """Number this page's charts from 1 again (file names page-1.svg, page-2.svg, …)."""
    import streamlit as st

    st.session_state["_export_page"] = page_id
    st.session_state["_export_count"] = 0
