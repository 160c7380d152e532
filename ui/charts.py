"""Altair chart builders shared by the pages: data in (a small DataFrame), a chart with tooltips out.

Titles arrive already translated; builders never compute math.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

PALETTE = ["#3b6ea5", "#e07a2f", "#4c9a6a", "#b8505a", "#7d62a8", "#8a7a5c"]
HEIGHT = 260


def _tooltip(data: pd.DataFrame, fields: dict[str, str] | None) -> list:
    """Tooltips with readable titles; numbers shown to 4 significant digits."""
    fields = fields or {column: column for column in data.columns}
    out = []
    for column, title in fields.items():
        numeric = pd.api.types.is_numeric_dtype(data[column])
        out.append(alt.Tooltip(column, title=title, format=".4~g") if numeric else alt.Tooltip(column, title=title))
    return out


def grouped_bars(data: pd.DataFrame, x: str, y: str, color: str, *, x_title: str, y_title: str, color_title: str,
                 tooltip: dict[str, str] | None = None, height: int = HEIGHT, y_domain=None) -> alt.Chart:
    """Bars of ``y`` per ``x``, one coloured bar per ``color`` value side by side."""
    scale = alt.Scale(domain=y_domain) if y_domain else alt.Undefined
    return alt.Chart(data, height=height).mark_bar().encode(
        x=alt.X(f"{x}:N", title=x_title, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset(f"{color}:N"),
        y=alt.Y(f"{y}:Q", title=y_title, scale=scale),
        color=alt.Color(f"{color}:N", title=color_title, scale=alt.Scale(range=PALETTE),
                        legend=alt.Legend(orient="top")),
        tooltip=_tooltip(data, tooltip),
    )


def lines(data: pd.DataFrame, x: str, y: str, color: str, *, x_title: str, y_title: str, color_title: str,
          tooltip: dict[str, str] | None = None, height: int = HEIGHT, dashed: str | None = None,
          y_domain=None) -> alt.Chart:
    """One line per ``color`` value; ``dashed`` names the one series drawn dashed (to show two curves coincide)."""
    encoding = dict(
        x=alt.X(f"{x}:Q", title=x_title),
        y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(domain=y_domain) if y_domain else alt.Undefined),
        color=alt.Color(f"{color}:N", title=color_title, scale=alt.Scale(range=PALETTE),
                        legend=alt.Legend(orient="top")),
        tooltip=_tooltip(data, tooltip),
    )
    if dashed is not None:
        encoding["strokeDash"] = alt.condition(alt.datum[color] == dashed, alt.value([6, 4]), alt.value([1, 0]))
    return alt.Chart(data, height=height).mark_line(strokeWidth=2.5).encode(**encoding)


def markers(data: pd.DataFrame, x: str, y: str, *, tooltip: dict[str, str] | None = None, color: str = "#222",
            size: int = 90) -> alt.Chart:
    """Points drawn over another chart (the current setting on a curve)."""
    return alt.Chart(data).mark_point(filled=True, size=size, color=color).encode(
        x=f"{x}:Q", y=f"{y}:Q", tooltip=_tooltip(data, tooltip))


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


def show(chart: alt.Chart) -> None:
    """Every chart goes through here: full width, Streamlit's theme."""
    import streamlit as st

    from ui.address import lecture_mode
    from ui.chart_export import altair_spec, offer_svg

    if lecture_mode():
        st.vega_lite_chart(spec=for_projector(altair_spec(chart)), width="stretch")
    else:
        st.altair_chart(chart, width="stretch")
    offer_svg(lambda: altair_spec(chart))


# --- added for loss-and-optimizer and choosing-the-loss -------------------------------------------------------------
POSITIVE, NEGATIVE = PALETTE[0], PALETTE[3]


def _tooltip_spec(data: pd.DataFrame, fields: dict[str, str]) -> list[dict]:
    """``_tooltip`` as plain Vega-Lite: readable titles, numbers to 4 significant digits."""
    return [{"field": column, "title": title, "type": "quantitative", "format": ".4~g"}
            if pd.api.types.is_numeric_dtype(data[column]) else {"field": column, "title": title, "type": "nominal"}
            for column, title in fields.items()]


def network_diagram(nodes: pd.DataFrame, edges: pd.DataFrame, *, node_tooltip: dict[str, str],
                    edge_tooltip: dict[str, str], height: int = 360) -> dict:
    """A small network as a graph, as a Vega-Lite spec (draw it with ``show_spec``). ``edges``: one row per connection
    with columns x, y (source), x2, y2 (target), lx, ly (where its label goes), label (text) and value (the number
    shown: blue ≥ 0, red < 0, wider for larger |value|). ``nodes``: columns x, y, name (drawn inside the circle) and
    text (drawn below it; lines separated by newlines). Tooltips name any further columns.

    A plain spec rather than an Altair chart: this six-layer chart is redrawn on every rerun of its page, and Altair's
    schema validation of it would cost more than the rest of the rerun."""
    x_scale, y_scale = {"domain": [-0.25, 2.25]}, {"domain": [-1.5, 1.15]}
    at = {"x": {"field": "x", "type": "quantitative", "axis": None, "scale": x_scale},
          "y": {"field": "y", "type": "quantitative", "axis": None, "scale": y_scale}}
    label_at = {"x": {"field": "lx", "type": "quantitative", "axis": None, "scale": x_scale},
                "y": {"field": "ly", "type": "quantitative", "axis": None, "scale": y_scale}}
    sign = {"field": "sign", "type": "nominal", "legend": None,
            "scale": {"domain": ["positive", "negative"], "range": [POSITIVE, NEGATIVE]}}
    edge_data = {"data": {"name": "edges"}, "transform": [
        {"calculate": "abs(datum.value)", "as": "magnitude"},
        {"calculate": "datum.value >= 0 ? 'positive' : 'negative'", "as": "sign"}]}
    edge_tips, node_tips = _tooltip_spec(edges, edge_tooltip), _tooltip_spec(nodes, node_tooltip)
    text = {"fontSize": 13, "fontWeight": "bold", "dy": -9}
    layers = [
        {**edge_data, "mark": {"type": "rule", "opacity": 0.7},
         "encoding": {**at, "x2": {"field": "x2"}, "y2": {"field": "y2"}, "color": sign, "tooltip": edge_tips,
                      "strokeWidth": {"field": "magnitude", "type": "quantitative", "legend": None,
                                      "scale": {"range": [1.5, 9], "zero": True}}}},
        {**edge_data, "mark": {"type": "text", **text, "stroke": "white", "strokeWidth": 6, "strokeJoin": "round"},
         "encoding": {**label_at, "text": {"field": "label", "type": "nominal"}}},
        {**edge_data, "mark": {"type": "text", **text},
         "encoding": {**label_at, "text": {"field": "label", "type": "nominal"}, "color": sign,
                      "tooltip": edge_tips}},
        {"data": {"name": "nodes"}, "mark": {"type": "circle", "size": 2600, "color": "#eef2f5", "opacity": 1,
                                             "stroke": "#1f2a33", "strokeWidth": 1.5},
         "encoding": {**at, "tooltip": node_tips}},
        {"data": {"name": "nodes"}, "mark": {"type": "text", "fontSize": 16, "fontWeight": "bold", "color": "#1f2a33"},
         "encoding": {**at, "text": {"field": "name", "type": "nominal"}, "tooltip": node_tips}},
        {"data": {"name": "nodes"}, "mark": {"type": "text", "fontSize": 12, "lineBreak": "\n", "color": "#1f2a33",
                                             "baseline": "top", "dy": 32},
         "encoding": {**at, "text": {"field": "text", "type": "nominal"}}},
    ]
    return {"height": height, "config": {"view": {"strokeWidth": 0}}, "datasets": {"edges": edges, "nodes": nodes},
            "layer": layers}


def show_spec(spec: dict, fixed: bool = False) -> None:
    """A chart given as a plain Vega-Lite spec (cheap to cache and to send): full width like ``show``, or at its own
    size (``fixed``: a contour plot or scatter must stay square to be read)."""
    import streamlit as st

    from ui.chart_export import offer_svg

    st.vega_lite_chart(spec=styled(spec), width="content" if fixed else "stretch")
    offer_svg(lambda: spec)


def heatmap(data: pd.DataFrame, x: str, y: str, color: str, *, x_title: str, y_title: str, color_title: str,
            title: str | None = None, tooltip: dict[str, str] | None = None, axis_values=None,
            scale_type: str = "linear", flag: str | None = None, best: pd.DataFrame | None = None,
            height: int = 340) -> dict:
    """A grid of values as coloured cells, as a Vega-Lite spec (draw it with ``show_spec``: a grid of ~1700 cells
    redrawn on every rerun is cheaper without Altair's validation). x and y are the grid's coordinates, drawn as
    ordered bands, y growing upwards; ``axis_values``: the coordinates that get a tick label. ``flag``: a Vega
    expression (e.g. "datum.curvature < 0"), the cells where it holds get a white dot. ``best``: rows (x, y) marked
    with a ring."""
    axis = {"values": [float(value) for value in axis_values]} if axis_values is not None else {}
    position = {"x": {"field": x, "type": "ordinal", "title": x_title, "axis": {**axis, "labelAngle": 0}},
                "y": {"field": y, "type": "ordinal", "title": y_title, "sort": "descending", "axis": axis}}
    cells = {"data": {"name": "cells"}, "mark": {"type": "rect"}, "encoding": {
        **position,
        "color": {"field": color, "type": "quantitative", "title": color_title,
                  "scale": {"type": scale_type, "scheme": "viridis"},
                  "legend": {"orient": "right", "gradientLength": max(height - 130, 60)}},
        "tooltip": _tooltip_spec(data, tooltip or {column: column for column in data.columns})}}
    layers, datasets = [cells], {"cells": data}
    if flag is not None:
        layers.append({"data": {"name": "cells"}, "transform": [{"filter": flag}],
                       "mark": {"type": "point", "shape": "circle", "size": 5, "filled": True, "color": "white",
                                "opacity": 0.8}, "encoding": position})
    if best is not None:
        datasets["best"] = best
        layers.append({"data": {"name": "best"}, "mark": {"type": "point", "shape": "circle", "size": 160,
                                                          "strokeWidth": 2.5, "color": "#e07a2f"},
                       "encoding": position})
    spec = {"height": height, "datasets": datasets, "layer": layers}
    if title:
        spec["title"] = title
    return spec
