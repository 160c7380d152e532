"""Chart builders for the deep-network-health pages: histogram small multiples (one panel per layer), per-layer
lines on a log scale, a layer × epoch heatmap and small weight-matrix heatmaps.

Each builder returns a ``VegaChart``: a plain Vega-Lite spec (a dict) and its DataFrame, which ``show`` hands to
``st.vega_lite_chart``. Writing the spec directly instead of through Altair keeps a warm
rerun of these chart-heavy pages fast: Altair spends ~20–40 ms per chart building and validating its objects. The
numbers arrive computed by ``core``; titles arrive translated.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ui.charts import HEIGHT, PALETTE

NUMBER_FORMAT, LOG_FORMAT = ".4~g", ".2e"


@dataclass
class VegaChart:
    """A Vega-Lite spec without data, and the data it draws (its top-level data source)."""
    spec: dict
    data: pd.DataFrame


def _tips(data: pd.DataFrame, fields: dict[str, str], log_fields: tuple[str, ...] = ()) -> list[dict]:
    """Tooltips with readable titles: numbers to 4 significant digits, ``log_fields`` in scientific notation."""
    out = []
    for column, title in fields.items():
        if pd.api.types.is_numeric_dtype(data[column]):
            out.append({"field": column, "type": "quantitative", "title": title,
                        "format": LOG_FORMAT if column in log_fields else NUMBER_FORMAT})
        else:
            out.append({"field": column, "type": "nominal", "title": title})
    return out


def _colour(field: str, title: str, domain: list[str], palette=PALETTE, legend_columns: int = 3) -> dict:
    return {"field": field, "type": "nominal", "title": title,
            "scale": {"domain": domain, "range": list(palette)[:max(len(domain), 1)]},
            "legend": {"orient": "top", "columns": legend_columns, "labelLimit": 300}}


def _highlight(color: str, dashed: list[str] | None, bold: str | None) -> dict:
    channels = {}
    if dashed:
        channels["strokeDash"] = {"condition": {"test": {"field": color, "oneOf": list(dashed)}, "value": [6, 4]},
                                  "value": [1, 0]}
    if bold is not None:
        channels["strokeWidth"] = {"condition": {"test": {"field": color, "equal": bold}, "value": 4.5},
                                   "value": 1.8}
    return channels


def log_lines(data: pd.DataFrame, x: str, y: str, color: str, *, x_title: str, y_title: str, color_title: str,
              color_order: list[str] | None = None, tooltip: dict[str, str] | None = None, height: int = HEIGHT,
              dashed: list[str] | None = None, bold: str | None = None, points: bool = True) -> VegaChart:
    """One line per ``color`` value on a log y axis; rows with y ≤ 0 or missing are left out (a log axis has no
    place for them). ``dashed``: series drawn dashed; ``bold``: the series drawn thicker (the current setting)."""
    fields = tooltip or {column: column for column in data.columns}
    domain = list(color_order) if color_order is not None else list(dict.fromkeys(data[color]))
    palette = PALETTE + ["#444444", "#999999"]
    encoding = {
        "x": {"field": x, "type": "quantitative", "title": x_title, "axis": {"format": "d", "tickMinStep": 1}},
        "y": {"field": y, "type": "quantitative", "title": y_title, "scale": {"type": "log"},
              "axis": {"format": "~e"}},
        "color": _colour(color, color_title, domain, palette),
        "tooltip": _tips(data, fields, (y,)),
    }
    layers = [{"mark": {"type": "line", "clip": True}, "encoding": {**encoding, **_highlight(color, dashed, bold)}}]
    if points:
        layers.append({"mark": {"type": "circle", "size": 28, "clip": True}, "encoding": encoding})
    return VegaChart({"height": height, "transform": [{"filter": f"isValid(datum['{y}']) && datum['{y}'] > 0"}],
                      "layer": layers}, data)


def fraction_lines(data: pd.DataFrame, x: str, y: str, color: str, *, x_title: str, y_title: str, color_title: str,
                   color_order: list[str] | None = None, tooltip: dict[str, str] | None = None,
                   bold: str | None = None, height: int = 220) -> VegaChart:
    """Lines of a fraction (0–100 %) per ``color`` value, with a dot per row; ``bold``: the current series."""
    fields = tooltip or {column: column for column in data.columns}
    domain = list(color_order) if color_order is not None else list(dict.fromkeys(data[color]))
    encoding = {
        "x": {"field": x, "type": "quantitative", "title": x_title, "axis": {"format": "d", "tickMinStep": 1}},
        "y": {"field": y, "type": "quantitative", "title": y_title, "scale": {"domain": [0, 1]},
              "axis": {"format": "%"}},
        "color": _colour(color, color_title, domain),
        "tooltip": _tips(data, fields),
    }
    return VegaChart({"height": height, "transform": [{"filter": f"isValid(datum['{y}'])"}],
                      "mark": {"type": "line", "point": {"size": 20}},
                      "encoding": {**encoding, **_highlight(color, None, bold)}}, data)


def histogram_panels(data: pd.DataFrame, *, panel: str, x0: str, x1: str, share: str, x_title: str,
                     panel_order: list[str], independent_x: bool = False, columns: int = 5,
                     tooltip: dict[str, str] | None = None, width: int = 92, height: int = 80) -> VegaChart:
    """Small multiples: one histogram per ``panel`` value (in ``panel_order``), a bar from ``x0`` to ``x1`` with
    height ``share`` per bin (each panel its own y scale, no y title: say what it is in the text);
    ``independent_x`` gives each panel its own x range (ReLU layers spread differently)."""
    fields = tooltip or {panel: panel, x0: x0, x1: x1, share: share}
    return VegaChart({
        "facet": {"field": panel, "type": "nominal", "sort": list(panel_order), "title": None,
                  "header": {"labelFontSize": 12, "labelFontWeight": "bold"}},
        "columns": columns, "spacing": 10,
        "spec": {
            "width": width, "height": height,
            "mark": {"type": "rect", "color": PALETTE[0], "opacity": 0.9},
            "encoding": {
                "x": {"field": x0, "type": "quantitative", "title": x_title,
                      "axis": {"tickCount": 3, "labelFlush": True, "labelFontSize": 10}},
                "x2": {"field": x1},
                "y": {"field": share, "type": "quantitative", "title": None,
                      "axis": {"format": ".0%", "tickCount": 2, "labelFontSize": 10}},
                "tooltip": _tips(data, fields),
            },
        },
        "resolve": {"scale": {"x": "independent" if independent_x else "shared", "y": "independent"}},
    }, data)


def layer_epoch_map(data: pd.DataFrame, *, epoch: str, layer: str, value: str, layer_order: list[str],
                    x_title: str, y_title: str, color_title: str, tooltip: dict[str, str],
                    epoch_ticks: list[int] | None = None, height: int = 300) -> VegaChart:
    """A layer × epoch heatmap of a positive quantity on a log colour scale: one cell per (epoch, layer), the layers
    of ``layer_order`` from the bottom (input side) to the top (output)."""
    x_axis = {"labelAngle": 0}
    if epoch_ticks:
        x_axis["values"] = list(epoch_ticks)
    return VegaChart({
        "height": height,
        "mark": {"type": "rect"},
        "encoding": {
            "x": {"field": epoch, "type": "ordinal", "title": x_title, "axis": x_axis},
            "y": {"field": layer, "type": "ordinal", "title": y_title, "sort": list(reversed(layer_order))},
            "color": {"field": value, "type": "quantitative", "title": color_title,
                      "scale": {"type": "log", "scheme": "viridis"},
                      "legend": {"orient": "right", "format": "~e", "gradientLength": max(height - 60, 60)}},
            "tooltip": _tips(data, tooltip, (value,)),
        },
    }, data)


def weight_grids(data: pd.DataFrame, *, panel: str, row: str, column: str, value: str, panel_order: list[str],
                 row_title: str, column_title: str, color_title: str, tooltip: dict[str, str],
                 cell: int = 24, column_width: int = 64) -> VegaChart:
    """Small heatmaps of weight matrices side by side (one per ``panel``): rows = hidden units, columns = inputs, one
    diverging colour scale centred on 0 shared by all panels, so equal rows look equal."""
    rows, columns = data[row].nunique(), data[column].nunique()
    return VegaChart({
        "facet": {"column": {"field": panel, "type": "nominal", "sort": list(panel_order), "title": None,
                             "header": {"labelFontSize": 12, "labelFontWeight": "bold"}}},
        "spacing": 56,
        "spec": {
            "width": column_width * columns, "height": cell * rows,
            "mark": {"type": "rect", "stroke": "white", "strokeWidth": 0.5},
            "encoding": {
                "x": {"field": column, "type": "ordinal", "title": column_title, "axis": {"labelAngle": 0}},
                "y": {"field": row, "type": "ordinal", "title": row_title},
                "color": {"field": value, "type": "quantitative", "title": color_title,
                          "scale": {"scheme": "blueorange", "domainMid": 0}},
                "tooltip": _tips(data, tooltip),
            },
        },
    }, data)


def show(chart: VegaChart) -> None:
    """Draw a chart: single views stretch to the column's width, small multiples keep their own size."""
    import streamlit as st

    from ui.chart_export import offer_svg
    from ui.charts import styled

    st.vega_lite_chart(chart.data, styled(chart.spec), width="content" if "facet" in chart.spec else "stretch")
    offer_svg(lambda: chart.spec, chart.data)
