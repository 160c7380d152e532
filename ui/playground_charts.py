"""Chart builders for the playground: the decision boundary with the data points, a small map per hidden unit,
curves with the exact values under the pointer, and two runs overlaid.

These charts are redrawn several times a second while a network trains, so they are written as plain Vega-Lite
specs (dicts) rather than Altair objects: building and validating an Altair chart costs tens of milliseconds, a
dict costs microseconds. The data travel as named datasets (DataFrames, sent as Arrow) in compact types (int8/int16
indices, float32 values); cell edges are computed by the browser from the indices. Titles arrive translated.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.views.playground import BoundaryView, Comparison, UnitMaps
from ui.charts import PALETTE, show_spec

CLASS_COLORS = ["#3b6ea5", "#e07a2f", "#4c9a6a", "#b8505a", "#7d62a8", "#8a7a5c", "#4a9fb5", "#c77cb0", "#777777",
                "#b5a33a"]
UNIT_SCHEME = "blueorange"
VALID = "isValid(datum.{0}) && isFinite(datum.{0})"


def _q(field: str, title: str | None = None, **extra) -> dict:
    spec = {"field": field, "type": "quantitative", **extra}
    if title is not None:
        spec["title"] = title
    return spec


def _tip(field: str, title: str, kind: str = "quantitative", fmt: str | None = None) -> dict:
    tip = {"field": field, "type": kind, "title": title}
    if fmt:
        tip["format"] = fmt
    return tip


# --- the decision boundary -------------------------------------------------------------------------------------------
def boundary_spec(view: BoundaryView, *, texts: dict[str, str], split_names: tuple[str, str],
                  size: int = 340) -> dict:
    """Cells coloured by the predicted class, more opaque where the net is surer (``certainty``); training points
    as circles, validation points as triangles, coloured by their label. ``texts``: x1, x2, class, probability,
    split, label."""
    index = np.int8 if view.resolution <= 127 else np.int16
    cells = pd.DataFrame({"i": view.i.astype(index), "j": view.j.astype(index), "cls": view.cls, "p": view.prob})
    points = pd.DataFrame({"x": view.px, "y": view.py, "label": view.label,
                           "split": pd.Categorical.from_codes(view.split, categories=list(split_names))})
    x_scale = {"domain": list(view.x_range), "nice": False, "zero": False}
    y_scale = {"domain": list(view.y_range), "nice": False, "zero": False}
    colour = {"domain": list(range(view.n_classes)), "range": CLASS_COLORS[:view.n_classes]}
    x0, dx, y0, dy = view.x0, view.dx, view.y0, view.dy
    chance = 1.0 / view.n_classes
    rects = {
        "data": {"name": "cells"},
        "transform": [{"filter": VALID.format("p")},
                      # certainty c = (max p − 1/C) / (1 − 1/C), as core.views.playground.certainty
                      {"calculate": f"(datum.p - {chance!r}) / (1 - {chance!r})", "as": "c"},
                      # cell edges, each cell 2 % wider than its step so that no seams show between cells
                      {"calculate": f"{x0!r} + (datum.i - 0.51) * {dx!r}", "as": "x_lo"},
                      {"calculate": f"{x0!r} + (datum.i + 0.51) * {dx!r}", "as": "x_hi"},
                      {"calculate": f"{y0!r} + (datum.j - 0.51) * {dy!r}", "as": "y_lo"},
                      {"calculate": f"{y0!r} + (datum.j + 0.51) * {dy!r}", "as": "y_hi"}],
        "mark": {"type": "rect", "strokeWidth": 0},
        "encoding": {
            "x": _q("x_lo", texts["x1"], scale=x_scale), "x2": {"field": "x_hi"},
            "y": _q("y_lo", texts["x2"], scale=y_scale), "y2": {"field": "y_hi"},
            "color": {"field": "cls", "type": "nominal", "title": texts["class"], "scale": colour,
                      "legend": {"orient": "top"}},
            "opacity": _q("c", scale={"domain": [0, 1], "range": [0.04, 0.8]}, legend=None),
            "tooltip": [_tip("cls", texts["class"], "nominal"), _tip("p", texts["probability"], fmt=".3f")],
        },
    }
    dots = {
        "data": {"name": "points"},
        "mark": {"type": "point", "filled": True, "size": 36, "stroke": "white", "strokeWidth": 0.6,
                 "opacity": 0.95, "clip": True},
        "encoding": {
            "x": _q("x", scale=x_scale), "y": _q("y", scale=y_scale),
            "color": {"field": "label", "type": "nominal", "scale": colour, "legend": None},
            "shape": {"field": "split", "type": "nominal", "title": texts["split"],
                      "scale": {"domain": list(split_names), "range": ["circle", "triangle-up"]},
                      "legend": {"orient": "top", "symbolFillColor": "#666", "symbolStrokeColor": "#666",
                                 "symbolSize": 70}},
            "tooltip": [_tip("x", texts["x1"], fmt=".3f"), _tip("y", texts["x2"], fmt=".3f"),
                        _tip("label", texts["label"], "nominal"), _tip("split", texts["split"], "nominal")],
        },
    }
    # autosize "pad": width and height are the plot's own (square), axes and legends come on top
    return {"width": size, "height": size, "autosize": {"type": "pad"}, "datasets": {"cells": cells, "points": points},
            "layer": [rects, dots]}


# --- the hidden units ------------------------------------------------------------------------------------------------
def unit_maps_spec(maps: UnitMaps, *, texts: dict[str, str], pixels: int = 5, columns: int = 8) -> dict:
    """One small map per unit: its output over the input plane divided by the layer's ``scale`` (max |output|), so
    the colours (blue −1 … white 0 … orange +1) and therefore the spec stay the same from one epoch to the next and
    the browser only swaps the data. Each grid cell is ``pixels`` wide (a whole number of pixels: no seams).
    ``texts``: unit, activation (the title of the relative output)."""
    r = maps.resolution
    cell = pixels * r
    # only the row number k and the value travel: unit = ⌊k / r²⌋ + 1, i = k mod r, j = ⌊(k mod r²) / r⌋
    data = pd.DataFrame({"k": np.arange(len(maps.a), dtype=np.int16 if len(maps.a) < 2**15 else np.int32),
                         "a": (maps.a / np.float32(maps.scale)).astype(np.float32)})
    band = {"domain": list(range(r)), "paddingInner": 0, "paddingOuter": 0}
    return {
        "datasets": {"units": data}, "data": {"name": "units"},
        "transform": [{"filter": VALID.format("a")},
                      {"calculate": f"floor(datum.k / {r * r}) + 1", "as": "unit"},
                      {"calculate": f"datum.k % {r}", "as": "i"},
                      {"calculate": f"floor((datum.k % {r * r}) / {r})", "as": "j"}],
        "facet": {"field": "unit", "type": "ordinal", "title": None,
                  "header": {"labelFontSize": 10, "labelPadding": 2}},
        "columns": min(columns, maps.shown), "spacing": 6,
        "spec": {
            "width": cell, "height": cell, "mark": {"type": "rect", "strokeWidth": 0},
            "encoding": {
                "x": {"field": "i", "type": "ordinal", "axis": None, "scale": band},
                "y": {"field": "j", "type": "ordinal", "axis": None, "sort": "descending", "scale": band},
                "color": _q("a", texts["activation"], scale={"scheme": UNIT_SCHEME, "domain": [-1, 1], "clamp": True},
                            legend={"orient": "right", "gradientLength": 2 * cell}),
                "tooltip": [_tip("unit", texts["unit"], "ordinal"), _tip("a", texts["activation"], fmt=".3f")],
            },
        },
        "config": {"view": {"stroke": "#bbb"}},
    }


# --- curves ----------------------------------------------------------------------------------------------------------
def curves_frame(epoch, series: dict[str, np.ndarray]) -> pd.DataFrame:
    """Long rows (epoch, series, value) from one array per series name, in compact types."""
    names = list(series)
    n = len(epoch)
    return pd.DataFrame({
        "epoch": np.tile(np.asarray(epoch, dtype=np.int16), len(names)),
        "series": pd.Categorical.from_codes(np.repeat(np.arange(len(names), dtype=np.int8), n), categories=names),
        "value": np.concatenate([np.asarray(series[name], dtype=np.float32) for name in names]),
    })


def comparison_frame(result: Comparison, metric: str, series_names: list[str]) -> pd.DataFrame:
    """Long rows (epoch, series, value) of a ``core.views.playground.Comparison``: series k is run k // 2, split
    k % 2 (training, validation), named by ``series_names``; ``metric`` is "loss" or "acc"."""
    series = pd.Categorical.from_codes((2 * result.run + result.split).astype(np.int8), categories=series_names)
    return pd.DataFrame({"epoch": result.epoch.astype(np.int16), "series": series,
                         "value": getattr(result, metric).astype(np.float32)})


def hover_lines_spec(data: pd.DataFrame, *, x_title: str, y_title: str, series_title: str, log_y: bool = False,
                     y_domain=None, dashed: list[str] | None = None, colors: list[str] | None = None,
                     mark_epoch: int | None = None, mark_label: str = "", height: int = 240) -> dict:
    """Lines (epoch, value) per series; under the pointer the nearest epoch gets a rule, a dot on every line with
    the exact value as a tooltip, and a label. ``dashed``: the series drawn dashed; ``colors``: one per series
    (default: the palette); ``mark_epoch``: a red dashed rule with ``mark_label`` (a diverging epoch)."""
    names = list(data["series"].cat.categories)
    keep = VALID.format("value") + (" && datum.value > 0" if log_y else "")
    x = _q("epoch", x_title, axis={"format": "d", "tickMinStep": 1})
    scale = {"type": "log"} if log_y else ({"domain": list(y_domain)} if y_domain else {})
    y = _q("value", y_title, scale=scale)
    color = {"field": "series", "type": "nominal", "title": series_title,
             "scale": {"domain": names, "range": colors or PALETTE}, "legend": {"orient": "top"}}
    line_encoding = {"x": x, "y": y, "color": color}
    if dashed:
        line_encoding["strokeDash"] = {"condition": {"test": {"field": "series", "oneOf": list(dashed)},
                                                     "value": [6, 3]}, "value": [1, 0]}
    hovered = {"filter": {"param": "hover", "empty": False}}
    layers = [
        {"mark": {"type": "line", "strokeWidth": 2.2}, "encoding": line_encoding},
        {"transform": [hovered], "mark": {"type": "rule", "color": "#888"}, "encoding": {"x": x}},
        {"transform": [hovered], "mark": {"type": "point", "filled": True, "size": 50},
         "encoding": {"x": x, "y": y, "color": color,
                      "tooltip": [_tip("series", series_title, "nominal"), _tip("epoch", x_title),
                                  _tip("value", y_title, fmt=".6~g")]}},
        {"transform": [hovered], "mark": {"type": "text", "align": "left", "dx": 6, "dy": -7, "fontSize": 11},
         "encoding": {"x": x, "y": y, "color": color,
                      "text": {"field": "value", "type": "quantitative", "format": ".4~g"}}},
    ]
    for layer in layers:
        layer["data"] = {"name": "curves"}
        layer["transform"] = [{"filter": keep}] + layer.get("transform", [])
    # the pointer catcher: one invisible point per epoch (x only, so "nearest" means nearest epoch), whose tooltip
    # lists every series' exact value at that epoch
    columns = [f"s{k}" for k in range(len(names))]
    epochs = np.unique(data["epoch"].to_numpy())
    codes = data["series"].cat.codes.to_numpy()
    table = np.full((len(names), len(epochs)), np.nan, dtype=np.float32)
    table[codes, np.searchsorted(epochs, data["epoch"].to_numpy())] = data["value"].to_numpy()
    wide = pd.DataFrame({"epoch": epochs.astype(np.int16), **dict(zip(columns, table))})
    layers.insert(1, {"name": "catcher", "data": {"name": "wide"},
                      "mark": {"type": "point", "opacity": 0, "size": 80},
                      "encoding": {"x": x, "tooltip": [_tip("epoch", x_title)] + [
                          _tip(column, name, fmt=".6~g") for column, name in zip(columns, names)]}})
    if mark_epoch is not None:
        layers.append({"data": {"values": [{"epoch": int(mark_epoch), "label": mark_label}]},
                       "mark": {"type": "rule", "color": "#b8505a", "strokeDash": [4, 3], "strokeWidth": 2},
                       "encoding": {"x": {"field": "epoch", "type": "quantitative"},
                                    "tooltip": [_tip("label", x_title, "nominal")]}})
    return {"height": height, "datasets": {"curves": data, "wide": wide}, "layer": layers,
            "params": [{"name": "hover", "views": ["catcher"],
                        "select": {"type": "point", "fields": ["epoch"], "nearest": True, "on": "pointerover",
                                   "clear": "pointerout"}}]}


show = show_spec  # across the column, or at its own size with fixed=True (a square map must stay square)
