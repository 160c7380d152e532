"""Grids and maps: values on a grid as coloured cells (heatmaps, a layer × epoch map, weight matrices), a classifier's
decision map with the data on top, hidden units' response maps as small multiples, histograms and percentile bands
per layer, and the optimizers page's phase diagram and basin maps.

Frame builders lay out arrays that core computed (grid index → column and row, in compact types: int8 indices,
float32 values), so the browser gets few bytes and computes cell edges from the indices itself. Chart builders take
translated titles and return Vega-Lite dicts whose layers read named datasets (see ``ui.charts.base`` for why dicts);
``bands``, ``phase_chart`` and ``basin_chart`` are written with Altair and converted once (their pages cache them).
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.base import PAD, PALETTE, field, from_altair, tooltips
from ui.charts.surfaces import labels_order

if TYPE_CHECKING:
    from core.views.optimizers import BasinView, PhaseView
    from core.views.playground import BoundaryView, UnitMaps


# --- a heatmap of one value over two settings -------------------------------------------------------------------
def heatmap(data: pd.DataFrame, x: str, y: str, color: str, *, x_title: str, y_title: str, color_title: str,
            title: str | None = None, tooltip: dict[str, str] | None = None, axis_values=None,
            scale_type: str = "linear", flag: str | None = None, best: pd.DataFrame | None = None,
            height: int = 340) -> dict:
    """A grid of values as coloured cells (about 1700 cells, redrawn on every rerun). x and y are the grid's
    coordinates, drawn as ordered bands, y growing upwards; ``axis_values``: the coordinates that get a tick label.
    ``flag``: a Vega expression (e.g. "datum.curvature < 0"), the cells where it holds get a white dot. ``best``: rows
    (x, y) marked with a ring."""
    axis = {"values": [float(value) for value in axis_values]} if axis_values is not None else {}
    position = {"x": {"field": x, "type": "ordinal", "title": x_title, "axis": {**axis, "labelAngle": 0}},
                "y": {"field": y, "type": "ordinal", "title": y_title, "sort": "descending", "axis": axis}}
    cells = {"data": {"name": "cells"}, "mark": {"type": "rect"}, "encoding": {
        **position,
        "color": {"field": color, "type": "quantitative", "title": color_title,
                  "scale": {"type": scale_type, "scheme": "viridis"},
                  "legend": {"orient": "right", "gradientLength": max(height - 130, 60)}},
        "tooltip": tooltips(data, tooltip)}}
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


def grid_heatmap(data: pd.DataFrame, *, x_title: str, y_title: str, color_title: str, tooltip: dict[str, str],
                 best: pd.DataFrame, live: pd.DataFrame, x_order, y_order, size: int = 300) -> dict:
    """A grid search: cells (rows lr, width, acc, text, …) coloured by accuracy with the value written in; ``best``
    (rows lr, width) gets an orange ring, ``live`` (rows lr, width) a black square. ``tooltip`` titles columns of
    ``data``."""
    x = field("lr", "O", title=x_title, sort=list(x_order), axis={"labelAngle": 0})
    y = field("width", "O", title=y_title, sort=list(reversed(list(y_order))))
    tips = tooltips(data, tooltip, number=".3~g")
    cells = {"data": {"name": "cells"}, "mark": {"type": "rect"},
             "encoding": {"x": x, "y": y, "tooltip": tips,
                          "color": field("acc", "Q", title=color_title,
                                         scale={"scheme": "viridis", "domain": [0.4, 1], "clamp": True},
                                         legend={"orient": "right", "gradientLength": size - 60, "format": ".0%"})}}
    text = {"data": {"name": "cells"}, "mark": {"type": "text", "fontSize": 13, "fontWeight": "bold"},
            "encoding": {"x": x, "y": y, "text": field("text", "N"), "tooltip": tips,
                         "color": {"condition": {"test": "datum.acc > 0.75", "value": "#1f2a33"},
                                   "value": "white"}}}
    ring = {"data": {"name": "best"},
            "mark": {"type": "point", "shape": "circle", "size": 1500, "strokeWidth": 3.5, "color": "#e07a2f"},
            "encoding": {"x": x, "y": y}}
    square = {"data": {"name": "live"},
              "mark": {"type": "point", "shape": "square", "size": 2600, "strokeWidth": 2, "color": "#111"},
              "encoding": {"x": x, "y": y}}
    return {"autosize": PAD, "width": size + 60, "height": size, "layer": [cells, text, ring, square],
            "datasets": {"cells": data, "best": best, "live": live}}


# --- decision maps and unit maps (frames of a 2-D input plane) -----------------------------------------------------
DOT_COLORS = ["#1f4f8a", "#c2560c"]                     # dark blue, dark orange: the data points
PROBA_RANGE = ["#9cc0e4", "#f7f7f7", "#f5c08f"]         # light blue → white → light orange: p(class 1) 0 → ½ → 1
MAP_SCHEME = "viridis"
OVERLAP = 1.04  # grid cells are drawn 4 % wider than their spacing, so no seams show between them


def maps_frame(maps: np.ndarray, resolution: int, unit_labels=None) -> pd.DataFrame:
    """Rows (unit, gx, gy, r) from response maps (units, r²) on a row-major grid (x₂ outer, x₁ inner)."""
    units, cells = maps.shape
    index = np.arange(cells)
    labels = [str(u + 1) for u in range(units)] if unit_labels is None else list(unit_labels)
    return pd.DataFrame({
        "unit": np.repeat(np.arange(1, units + 1), cells).astype(np.int8) if unit_labels is None
        else np.repeat(np.asarray(labels, dtype=object), cells),
        "gx": np.tile(index % resolution, units).astype(np.int8),
        "gy": np.tile(index // resolution, units).astype(np.int8),
        "r": np.round(maps.reshape(-1), 3).astype(np.float32),
    })


def grid_frame(g1: np.ndarray, g2: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    """Rows (x, y, x2, y2, p): one rectangle per grid point, centred on it, from a row-major grid's values."""
    dx, dy = OVERLAP * float(g1[1] - g1[0]) / 2, OVERLAP * float(g2[1] - g2[0]) / 2
    x = np.tile(np.asarray(g1, dtype=np.float32), len(g2))
    y = np.repeat(np.asarray(g2, dtype=np.float32), len(g1))
    return pd.DataFrame({"x": x - dx, "y": y - dy, "x2": x + dx, "y2": y + dy,
                         "p": np.round(values, 3).astype(np.float32)})


def points_frame(X: np.ndarray, y: np.ndarray, class_names) -> pd.DataFrame:
    """Rows (x, y, label) of data points; label is the class's displayed name."""
    names = np.asarray(class_names, dtype=object)
    return pd.DataFrame({"x": np.round(X[:, 0], 2).astype(np.float32), "y": np.round(X[:, 1], 2).astype(np.float32),
                         "label": names[np.asarray(y, dtype=np.int64)]})


def unit_maps(data: pd.DataFrame, *, unit_title: str, value_title: str, panel: int = 96, columns: int = 8) -> dict:
    """One small square map per unit (rows unit, gx, gy, r of :func:`maps_frame`): colour = the unit's scaled
    response r ∈ [0, 1]."""
    return {
        "autosize": PAD,
        "data": {"name": "maps"},
        "facet": field("unit", "O", title=None,
                       header={"labelExpr": f"{json.dumps(unit_title)} + ' ' + datum.value", "labelFontSize": 12}),
        "columns": columns,
        "spacing": 6,
        "spec": {
            "width": panel, "height": panel,
            "mark": {"type": "rect"},
            "encoding": {
                "x": field("gx", "O", axis=None),
                "y": field("gy", "O", axis=None, sort="descending"),
                "color": field("r", "Q", title=value_title, scale={"scheme": MAP_SCHEME, "domain": [0, 1]},
                               legend={"orient": "right", "gradientLength": panel, "titleLimit": 160}),
                "tooltip": tooltips(data, {"unit": unit_title, "r": value_title}, kinds={"unit": "O"},
                                    formats={"r": ".2f"}),
            },
        },
        "datasets": {"maps": data},
    }


def decision_map(grid: pd.DataFrame, *, title: str, cells: str = "cells", x_title: str = "x₁",
                 y_title: str = "x₂", proba_title: str, class_title: str, size: int = 250,
                 legend: bool = True) -> dict:
    """p(class 1 | x) as coloured cells (rows x, y, x2, y2, p of :func:`grid_frame`, the dataset named ``cells``)
    with the data points (rows x, y, label of :func:`points_frame`, the dataset "dots") on top: a layer, for
    :func:`single` or :func:`side_by_side`."""
    x_scale = {"domain": [float(grid["x"].iloc[0]), float(grid["x2"].iloc[-1])], "nice": False, "zero": False}
    y_scale = {"domain": [float(grid["y"].iloc[0]), float(grid["y2"].iloc[-1])], "nice": False, "zero": False}
    cell_layer = {
        "data": {"name": cells},
        "mark": {"type": "rect", "strokeWidth": 0},
        "encoding": {
            "x": field("x", "Q", title=x_title, scale=x_scale), "x2": {"field": "x2"},
            "y": field("y", "Q", title=y_title, scale=y_scale), "y2": {"field": "y2"},
            "color": field("p", "Q", title=proba_title, scale={"domain": [0, 0.5, 1], "range": PROBA_RANGE},
                           legend={"orient": "right", "gradientLength": size - 80} if legend else None),
            "tooltip": tooltips(grid, {"p": proba_title}, number=".2f"),
        },
    }
    dots = {
        "data": {"name": "dots"},
        "mark": {"type": "circle", "size": 18, "opacity": 0.95, "stroke": "white", "strokeWidth": 0.6},
        "encoding": {
            "x": field("x", "Q", scale=x_scale), "y": field("y", "Q", scale=y_scale),
            "fill": field("label", "N", title=class_title, scale={"range": DOT_COLORS},
                          legend={"orient": "top"} if legend else None),
            "tooltip": tooltips(None, {"label": class_title, "x": x_title, "y": y_title},
                                kinds={"label": "N", "x": "Q", "y": "Q"}, number=".2f"),
        },
    }
    return {"width": size, "height": size, "title": title, "layer": [cell_layer, dots],
            "resolve": {"scale": {"color": "independent"}}}


def single(grid: pd.DataFrame, points: pd.DataFrame, **titles) -> dict:
    """One decision map (:func:`decision_map`'s keyword arguments) with its data."""
    return {"autosize": PAD, **decision_map(grid, **titles), "datasets": {"cells": grid, "dots": points}}


def side_by_side(charts: list, grids: dict, points: pd.DataFrame) -> dict:
    """Decision maps next to each other; ``grids`` maps each chart's ``cells`` name to its frame; all share the
    points."""
    return {"autosize": PAD, "hconcat": charts, "spacing": 18, "datasets": {"dots": points, **grids}}


# --- the playground's live maps (redrawn several times a second while a network trains) --------------------------
CLASS_COLORS = ["#3b6ea5", "#e07a2f", "#4c9a6a", "#b8505a", "#7d62a8", "#8a7a5c", "#4a9fb5", "#c77cb0", "#777777",
                "#b5a33a"]
UNIT_SCHEME = "blueorange"
VALID = "isValid(datum.{0}) && isFinite(datum.{0})"


def boundary_map(view: BoundaryView, *, texts: dict[str, str], split_names: tuple[str, str],
                 size: int = 340) -> dict:
    """The decision boundary of a ``core.views.playground.BoundaryView``: cells coloured by the predicted class, more
    opaque where the net is surer (``certainty``); training points as circles, validation points as triangles,
    coloured by their label. ``texts``: x1, x2, class, probability, split, label."""
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
            "x": field("x_lo", title=texts["x1"], scale=x_scale), "x2": {"field": "x_hi"},
            "y": field("y_lo", title=texts["x2"], scale=y_scale), "y2": {"field": "y_hi"},
            "color": {"field": "cls", "type": "nominal", "title": texts["class"], "scale": colour,
                      "legend": {"orient": "top"}},
            "opacity": field("c", scale={"domain": [0, 1], "range": [0.04, 0.8]}, legend=None),
            "tooltip": tooltips(cells, {"cls": texts["class"], "p": texts["probability"]}, kinds={"cls": "N"},
                                number=".3f"),
        },
    }
    dots = {
        "data": {"name": "points"},
        "mark": {"type": "point", "filled": True, "size": 36, "stroke": "white", "strokeWidth": 0.6,
                 "opacity": 0.95, "clip": True},
        "encoding": {
            "x": field("x", scale=x_scale), "y": field("y", scale=y_scale),
            "color": {"field": "label", "type": "nominal", "scale": colour, "legend": None},
            "shape": {"field": "split", "type": "nominal", "title": texts["split"],
                      "scale": {"domain": list(split_names), "range": ["circle", "triangle-up"]},
                      "legend": {"orient": "top", "symbolFillColor": "#666", "symbolStrokeColor": "#666",
                                 "symbolSize": 70}},
            "tooltip": tooltips(points, {"x": texts["x1"], "y": texts["x2"], "label": texts["label"],
                                         "split": texts["split"]}, kinds={"label": "N"}, number=".3f"),
        },
    }
    # autosize "pad": width and height are the plot's own (square), axes and legends come on top
    return {"width": size, "height": size, "autosize": {"type": "pad"}, "datasets": {"cells": cells, "points": points},
            "layer": [rects, dots]}


def relative_unit_maps(maps: UnitMaps, *, texts: dict[str, str], pixels: int = 5, columns: int = 8) -> dict:
    """One small map per unit of a ``core.views.playground.UnitMaps``: its output over the input plane divided by
    the layer's ``scale`` (max |output|), so the colours (blue −1 … white 0 … orange +1) and therefore the spec stay
    the same from one epoch to the next and the browser only swaps the data. Each grid cell is ``pixels`` wide (a
    whole number of pixels: no seams). ``texts``: unit, activation (the title of the relative output)."""
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
                "color": field("a", title=texts["activation"],
                               scale={"scheme": UNIT_SCHEME, "domain": [-1, 1], "clamp": True},
                               legend={"orient": "right", "gradientLength": 2 * cell}),
                "tooltip": tooltips(data, {"unit": texts["unit"], "a": texts["activation"]}, kinds={"unit": "O"},
                                    number=".3f"),
            },
        },
        "config": {"view": {"stroke": "#bbb"}},
    }


# --- per layer: histograms, a layer × epoch map, weight matrices, percentile bands ---------------------------------
def histogram_panels(data: pd.DataFrame, *, panel: str, x0: str, x1: str, share: str, x_title: str,
                     panel_order: list[str], independent_x: bool = False, columns: int = 5,
                     tooltip: dict[str, str] | None = None, width: int = 92, height: int = 80) -> dict:
    """Small multiples: one histogram per ``panel`` value (in ``panel_order``), a bar from ``x0`` to ``x1`` with
    height ``share`` per bin (each panel its own y scale, no y title: say what it is in the text);
    ``independent_x`` gives each panel its own x range (ReLU layers spread differently)."""
    fields = tooltip or {panel: panel, x0: x0, x1: x1, share: share}
    return {
        "data": {"name": "bins"}, "datasets": {"bins": data},
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
                "tooltip": tooltips(data, fields),
            },
        },
        "resolve": {"scale": {"x": "independent" if independent_x else "shared", "y": "independent"}},
    }


def layer_epoch_map(data: pd.DataFrame, *, epoch: str, layer: str, value: str, layer_order: list[str],
                    x_title: str, y_title: str, color_title: str, tooltip: dict[str, str],
                    epoch_ticks: list[int] | None = None, height: int = 300) -> dict:
    """A layer × epoch heatmap of a positive quantity on a log colour scale: one cell per (epoch, layer), the layers
    of ``layer_order`` from the bottom (input side) to the top (output)."""
    x_axis = {"labelAngle": 0}
    if epoch_ticks:
        x_axis["values"] = list(epoch_ticks)
    return {
        "height": height,
        "data": {"name": "cells"}, "datasets": {"cells": data},
        "mark": {"type": "rect"},
        "encoding": {
            "x": {"field": epoch, "type": "ordinal", "title": x_title, "axis": x_axis},
            "y": {"field": layer, "type": "ordinal", "title": y_title, "sort": list(reversed(layer_order))},
            "color": {"field": value, "type": "quantitative", "title": color_title,
                      "scale": {"type": "log", "scheme": "viridis"},
                      "legend": {"orient": "right", "format": "~e", "gradientLength": max(height - 60, 60)}},
            "tooltip": tooltips(data, tooltip, log=(value,)),
        },
    }


def weight_grids(data: pd.DataFrame, *, panel: str, row: str, column: str, value: str, panel_order: list[str],
                 row_title: str, column_title: str, color_title: str, tooltip: dict[str, str],
                 cell: int = 24, column_width: int = 64) -> dict:
    """Small heatmaps of weight matrices side by side (one per ``panel``): rows = hidden units, columns = inputs, one
    diverging colour scale centred on 0 shared by all panels, so equal rows look equal."""
    rows, columns = data[row].nunique(), data[column].nunique()
    return {
        "data": {"name": "weights"}, "datasets": {"weights": data},
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
                "tooltip": tooltips(data, tooltip),
            },
        },
    }


def bands(data: pd.DataFrame, *, facet: str, facet_order: list[str], x_title: str, y_title: str,
          tooltip: dict[str, str], height: int = 210) -> dict:
    """Percentile bands over the epochs, one small panel per ``facet`` value: rows (facet, epoch, p5, p25, p50, p75,
    p95). Light band 5–95 %, dark band 25–75 %, line = median."""
    base = alt.Chart(data).encode(x=alt.X("epoch:Q", title=x_title))
    outer = base.mark_area(opacity=0.25, color=PALETTE[0]).encode(y=alt.Y("p5:Q", title=y_title), y2="p95:Q")
    inner = base.mark_area(opacity=0.5, color=PALETTE[0]).encode(y="p25:Q", y2="p75:Q")
    median = base.mark_line(color="#1f2a33", strokeWidth=2).encode(y="p50:Q", tooltip=tooltips(data, tooltip))
    chart = alt.layer(outer, inner, median, data=data).properties(height=height, width=220).facet(
        column=alt.Column(f"{facet}:N", sort=facet_order, title=None, header=alt.Header(labelFontSize=13)))
    return from_altair(chart.resolve_scale(y="shared"))


# --- the optimizers page: momentum's phase diagram, basins of attraction -----------------------------------------
PHASE_COLORS = ["#4c9a6a", "#e0a42f", "#b8505a"]  # converges, oscillates, diverges
BASIN_COLORS = ["#3b6ea5", "#e07a2f", "#4c9a6a", "#7d62a8", "#d9d9d9"]


def phase_frames(view: PhaseView, phase_labels: list[str], line_labels: tuple[str, str]) -> dict[str, pd.DataFrame]:
    """DataFrames of a ``core.views.optimizers.PhaseView``: "cells" (i, j, phase, lr, mu; column i of the η grid, row
    j of the μ grid) and "lines" (lr, mu, line: the two theory boundaries)."""
    n_mu, n_lr = view.phase.shape
    jj, ii = np.meshgrid(np.arange(n_mu), np.arange(n_lr), indexing="ij")
    cells = pd.DataFrame({
        "i": ii.ravel().astype(np.int8), "j": jj.ravel().astype(np.int8),
        "phase": pd.Categorical.from_codes(view.phase.ravel().astype(np.int8), categories=phase_labels),
        "lr": view.lrs[ii.ravel()].astype(np.float32), "mu": view.mus[jj.ravel()].astype(np.float32)})
    m = len(view.boundary_mu)
    lines = pd.DataFrame({
        "lr": np.r_[view.diverge_lr, view.oscillate_lr].astype(np.float32),
        "mu": np.r_[view.boundary_mu, view.boundary_mu].astype(np.float32),
        "line": pd.Categorical.from_codes(np.repeat([0, 1], m).astype(np.int8), categories=list(line_labels))})
    return {"cells": cells, "lines": lines}


def phase_chart(frames: dict[str, pd.DataFrame], lr_edges, mu_edges, *, phase_domain: list[str],
                texts: dict[str, str], height: int = 420) -> dict:
    """The (η, μ) plane as coloured cells, the theory lines, and the current setting (a parameter-free layer fed by
    the dataset "current": rows lr, mu, label). Cell edges are computed by the browser from the indices, so only
    small columns travel. ``texts``: lr, mu, phase, line, current. The spec lacks "current", which the caller adds:
    it changes with the settings while the rest does not."""
    lr_edges, mu_edges = np.asarray(lr_edges, dtype=float), np.asarray(mu_edges, dtype=float)
    l0, dl = float(np.log10(lr_edges[0])), float(np.log10(lr_edges[1] / lr_edges[0]))
    m0, dm = float(mu_edges[0]), float(mu_edges[1] - mu_edges[0])
    x_scale = alt.Scale(type="log", domain=[float(lr_edges[0]), float(lr_edges[-1])], nice=False)
    y_scale = alt.Scale(domain=[float(mu_edges[0]), float(mu_edges[-1])], nice=False, zero=False)
    rects = alt.Chart(alt.NamedData(name="cells")).transform_calculate(
        lr_lo=f"pow(10, {l0} + datum.i * {dl})", lr_hi=f"pow(10, {l0} + (datum.i + 1) * {dl})",
        mu_lo=f"{m0} + datum.j * {dm}", mu_hi=f"{m0} + (datum.j + 1) * {dm}",
    ).mark_rect(opacity=0.85).encode(
        x=alt.X("lr_lo:Q", title=texts["lr"], scale=x_scale), x2="lr_hi:Q",
        y=alt.Y("mu_lo:Q", title=texts["mu"], scale=y_scale), y2="mu_hi:Q",
        color=alt.Color("phase:N", title=texts["phase"], scale=alt.Scale(domain=phase_domain, range=PHASE_COLORS),
                        legend=alt.Legend(orient="top")),
        tooltip=tooltips(frames["cells"], {"lr": texts["lr"], "mu": texts["mu"], "phase": texts["phase"]},
                         number=".3~g"))
    lines = alt.Chart(alt.NamedData(name="lines")).mark_line(
        color="#111", strokeDash=[5, 3], strokeWidth=1.5, clip=True).encode(
        x=alt.X("lr:Q", scale=x_scale), y=alt.Y("mu:Q", scale=y_scale), detail="line:N", order="mu:Q",
        tooltip=tooltips(frames["lines"], {"line": texts["line"]}))
    here = alt.Chart(alt.NamedData(name="current")).mark_point(
        shape="cross", filled=True, size=260, color="#111", stroke="white", strokeWidth=1, clip=True).encode(
        x=alt.X("lr:Q", scale=x_scale), y=alt.Y("mu:Q", scale=y_scale),
        tooltip=tooltips(None, {"label": texts["current"], "lr": texts["lr"], "mu": texts["mu"]},
                         kinds={"label": "N", "lr": "Q", "mu": "Q"}, formats={"mu": ".3~g"}))
    return from_altair(alt.layer(rects, lines, here).properties(height=height), frames)


def basin_frames(view: BasinView, run_codes, labels: list[str], basin_labels: list[str]) -> dict[str, pd.DataFrame]:
    """The "cells" DataFrame of a ``core.views.optimizers.BasinView``: rows (opt, i, j, basin), basin the label of
    the minimum reached (the last label, "none", for −1)."""
    k, i, j = np.meshgrid(np.arange(len(view.names)), np.arange(len(view.ys)), np.arange(len(view.xs)),
                          indexing="ij")
    label = view.labels.ravel()
    return {"cells": pd.DataFrame({
        "opt": pd.Categorical.from_codes(np.asarray(run_codes, dtype=np.int8)[k.ravel()], categories=labels),
        "i": i.ravel().astype(np.int8), "j": j.ravel().astype(np.int8),
        "basin": pd.Categorical.from_codes(np.where(label < 0, len(basin_labels) - 1, label).astype(np.int8),
                                           categories=basin_labels)})}


def basin_chart(frames: dict[str, pd.DataFrame], xs, ys, *, basin_domain: list[str], texts: dict[str, str],
                panel: int = 170, columns: int = 3) -> dict:
    """Small multiples, one per optimizer: each start (xs[j], ys[i]) of the grid coloured by the minimum it ends in.

    ``frames["cells"]``: rows (opt, i, j, basin) with i, j small integers; the browser turns them into cell edges.
    ``basin_domain`` lists the basin labels, the last one meaning "none". ``texts``: x, y, basin, opt.
    """
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    dx, dy = float(xs[1] - xs[0]), float(ys[1] - ys[0])
    x0, y0 = float(xs[0]), float(ys[0])
    x_scale = alt.Scale(domain=[x0 - dx / 2, float(xs[-1]) + dx / 2], nice=False, zero=False)
    y_scale = alt.Scale(domain=[y0 - dy / 2, float(ys[-1]) + dy / 2], nice=False, zero=False)
    colors = BASIN_COLORS[:len(basin_domain) - 1] + BASIN_COLORS[-1:]
    chart = alt.Chart(alt.NamedData(name="cells"), width=panel, height=panel).transform_calculate(
        x=f"{x0} + datum.j * {dx}", y=f"{y0} + datum.i * {dy}",
        x_lo=f"{x0} + (datum.j - 0.5) * {dx}", x_hi=f"{x0} + (datum.j + 0.5) * {dx}",
        y_lo=f"{y0} + (datum.i - 0.5) * {dy}", y_hi=f"{y0} + (datum.i + 0.5) * {dy}",
    ).mark_rect().encode(
        x=alt.X("x_lo:Q", title=texts["x"], scale=x_scale), x2="x_hi:Q",
        y=alt.Y("y_lo:Q", title=texts["y"], scale=y_scale), y2="y_hi:Q",
        color=alt.Color("basin:N", title=texts["basin"], scale=alt.Scale(domain=basin_domain, range=colors),
                        legend=alt.Legend(orient="top")),
        tooltip=tooltips(frames["cells"], {"opt": texts["opt"], "x": texts["x"], "y": texts["y"],
                                           "basin": texts["basin"]}, kinds={"x": "Q", "y": "Q"}, number=".3~g"),
    ).facet(facet=alt.Facet("opt:N", title=None, sort=labels_order(frames["cells"])), columns=columns)
    return from_altair(chart, frames)
