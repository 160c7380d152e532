"""What every chart shares: the palette and sizes, the one tooltip helper, Altair → dict, the projector styling of
lecture mode, and ``show``, through which every page draws every chart.

Builders return Vega-Lite specs as plain dicts, their data as named datasets (DataFrames, which Streamlit sends as
Arrow in the types they have: int8 indices, float32 values). Why dicts rather than Altair charts: Streamlit converts
and schema-validates an Altair chart on every rerun, tens of milliseconds per chart, more than the rest of a warm
rerun; a dict costs microseconds, and a page can cache a finished figure whole (``st.cache_data``). A builder may
still write a large layered chart with Altair and convert it once with :func:`from_altair` (the result is cached).
Titles arrive translated; builders never compute the lesson's math.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

PALETTE = ["#3b6ea5", "#e07a2f", "#4c9a6a", "#b8505a", "#7d62a8", "#8a7a5c"]
HEIGHT = 260
NUMBER, SCIENTIFIC = ".4~g", ".2e"  # tooltip numbers: 4 significant digits; values on a log axis: 1.23e-5
PAD = {"type": "pad", "contains": "padding"}  # autosize: the plot box is exactly width × height, legends around it
KINDS = {"Q": "quantitative", "N": "nominal", "O": "ordinal", "T": "temporal"}


def field(name: str, kind: str = "Q", **more) -> dict:
    """An encoding channel: ``{"field": name, "type": …}`` (``kind`` "Q", "N", "O" or a type name) plus ``more``."""
    return {"field": name, "type": KINDS.get(kind, kind), **more}


def tooltips(data: pd.DataFrame | None, fields: dict[str, str] | None = None, *, log: Iterable[str] = (),
            number: str | None = NUMBER, formats: dict[str, str | None] | None = None,
            kinds: dict[str, str] | None = None) -> list[dict]:
    """Tooltip entries (Vega-Lite dicts) for ``fields`` (column → title; default: every column of ``data``, titled by
    its name). A numeric column is quantitative, shown with ``number`` (4 significant digits), or in scientific
    notation if it is in ``log``; any other column is nominal. ``formats`` and ``kinds`` set the format (None: none)
    or the type ("Q", "N", "O") of single columns: a class index is nominal, and a column the browser computes is not
    in ``data``, so its kind must be named."""
    fields = fields or {column: column for column in data.columns}
    formats, kinds, log = formats or {}, kinds or {}, set(log)
    out = []
    for column, title in fields.items():
        if column in kinds:
            kind = KINDS.get(kinds[column], kinds[column])
        else:
            numeric = data is not None and column in data and pd.api.types.is_numeric_dtype(data[column])
            kind = "quantitative" if numeric else "nominal"
        tip = {"field": column, "type": kind, "title": title}
        if column in formats:
            fmt = formats[column]
        else:
            fmt = (SCIENTIFIC if column in log else number) if kind == "quantitative" else None
        if fmt:
            tip["format"] = fmt
        out.append(tip)
    return out


ALTAIR_DEFAULT_CONFIG = {"view": {"continuousWidth": 300, "continuousHeight": 300}}


def from_altair(chart, datasets: dict[str, pd.DataFrame] | None = None) -> dict:
    """An Altair chart as a Vega-Lite dict, with ``datasets`` attached by name (the chart refers to them with
    ``alt.NamedData``; a DataFrame given to Altair directly is inlined). Altair's default view size is dropped, as
    Streamlit drops it (the page sets the width)."""
    spec = chart.to_dict()
    if spec.get("config") == ALTAIR_DEFAULT_CONFIG:
        del spec["config"]
    if datasets:
        spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    return spec


# --- lecture mode: chart text that reads from the back of a lecture hall ------------------------------------------
PROJECTOR_TEXT = 20  # px: the smallest chart text that reads from the back of a lecture hall
PROJECTOR_TITLE = 22
PROJECTOR_MIN_HEIGHT = 340  # px: a chart stretched over a 1920-px projector stays readable, not a flat strip
STREAMLIT_TEXT = 15  # px: the chart text of Streamlit's theme, which the charts' own sizes were drawn for
_FONT_KEYS = {"fontSize": PROJECTOR_TEXT, "labelFontSize": PROJECTOR_TEXT, "titleFontSize": PROJECTOR_TITLE}
_DATA_KEYS = ("datasets", "data", "values")  # never copied: a projector changes how text looks, not the data


def _enlarged(node, scale: float):
    """``node`` with every font size scaled by ``scale`` and at least its projector minimum (data left alone)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in _DATA_KEYS:
                out[key] = value
            elif key in _FONT_KEYS and isinstance(value, (int, float)):
                out[key] = max(round(value * scale), _FONT_KEYS[key])
            else:
                out[key] = _enlarged(value, scale)
        return out
    if isinstance(node, list):
        return [_enlarged(item, scale) for item in node]
    return node


def for_projector(spec: dict) -> dict:
    """A Vega-Lite spec as lecture mode draws it: chart text at least ``PROJECTOR_TEXT`` px (axes, legends, facet
    headers, titles, text marks; sizes a chart sets itself grow by the same factor); a chart of a fixed size that
    fits its text inside that size grows with it (else its larger legends would squeeze the plot; a "pad" chart
    adds them around its plot and keeps its size); a stretched chart is at least
    ``PROJECTOR_MIN_HEIGHT`` px tall. Returns a new dict; ``spec`` (often a cached figure) is left as it was."""
    out = _enlarged(spec, PROJECTOR_TEXT / 12)
    config = dict(out.get("config", {}))
    for part, sizes in (("axis", {"labelFontSize": PROJECTOR_TEXT, "titleFontSize": PROJECTOR_TITLE}),
                        ("legend", {"labelFontSize": PROJECTOR_TEXT, "titleFontSize": PROJECTOR_TITLE}),
                        ("header", {"labelFontSize": PROJECTOR_TEXT, "titleFontSize": PROJECTOR_TITLE}),
                        ("title", {"fontSize": PROJECTOR_TITLE + 4}), ("text", {"fontSize": PROJECTOR_TEXT})):
        config[part] = {**sizes, **config.get(part, {})}
    out["config"] = config
    width, height = out.get("width"), out.get("height")
    padded = isinstance(out.get("autosize"), dict) and out["autosize"].get("type") == "pad"
    if isinstance(width, (int, float)) and not padded:
        # a chart that fits its text and legends into its own size grows with them, or they squeeze the plot
        out["width"] = round(width * PROJECTOR_TEXT / STREAMLIT_TEXT)
        if isinstance(height, (int, float)):
            out["height"] = round(height * PROJECTOR_TEXT / STREAMLIT_TEXT)
    elif not isinstance(width, (int, float)) and isinstance(height, (int, float)):
        out["height"] = max(height, PROJECTOR_MIN_HEIGHT)
    return out


def styled(spec: dict) -> dict:
    """``spec`` as the current mode draws it: for a projector in lecture mode, as it is otherwise."""
    from ui.address import lecture_mode

    return for_projector(spec) if lecture_mode() else spec


def show(spec: dict, data: pd.DataFrame | None = None, *, fixed: bool = False, **options):
    """Draw a chart (every page draws every chart through here), Streamlit's theme, then offer it as SVG.

    Across the column, or at its own size with ``fixed`` (a square map or small multiples must keep their shape).
    ``data``: the spec's top-level data when it is not in the spec. ``options`` go to ``st.vega_lite_chart`` (the
    race chart's ``key``, ``on_select``, ``selection_mode``); its return value is returned. Lecture mode restyles the
    spec for a projector; the SVG export draws the spec as built."""
    import streamlit as st

    from ui.chart_export import offer_svg

    result = st.vega_lite_chart(data, styled(spec), width="content" if fixed else "stretch", **options)
    offer_svg(lambda: spec, data)
    return result
