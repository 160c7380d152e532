"""Chart builders for the concept pages: hidden units' response maps as small multiples, decision maps with the data
on top, accuracy against parameter count, and the grid-search heatmap.

Frame builders lay out arrays that core computed (grid index → column and row, compact dtypes, so the browser gets
few bytes); chart builders take translated titles and never compute math.

The builders write Vega-Lite specs as plain dicts whose layers read named datasets (``{"data": {"name": …}}``, the
frames in the spec's ``datasets``) and ``show`` hands them to ``st.vega_lite_chart``. Streamlit ships the frames as
Arrow, exactly as for an Altair chart; writing the dict directly skips Altair's object model and schema validation,
which would cost tens of milliseconds per chart on every rerun (a page here shows up to six charts, and a warm
rerun must stay under 100 ms).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ui.charts import PALETTE, show_spec

CLASS_COLOURS = ["#1f4f8a", "#c2560c"]                  # dark blue, dark orange: the data points
PROBA_RANGE = ["#9cc0e4", "#f7f7f7", "#f5c08f"]         # light blue → white → light orange: p(class 1) 0 → ½ → 1
MAP_SCHEME = "viridis"
OVERLAP = 1.04  # grid cells are drawn 4 % wider than their spacing, so no seams show between them


def show(spec: dict) -> None:
    """Small multiples and square maps keep their own size (a stretched map is a distorted map)."""
    show_spec(spec, fixed=True)


# --- frames -----------------------------------------------------------------------------------------------------------
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


# --- pieces -----------------------------------------------------------------------------------------------------------
def _field(name: str, kind: str, **more) -> dict:
    return {"field": name, "type": {"Q": "quantitative", "N": "nominal", "O": "ordinal"}[kind], **more}


def _tip(name: str, kind: str, title: str, digits: str | None = ".3~g") -> dict:
    tip = _field(name, kind, title=title)
    if kind == "Q" and digits:
        tip["format"] = digits
    return tip


# autosize "pad": the plot box is the size asked for (Streamlit's default "fit" squeezes legends and titles into it,
# and a square map stops being square)
PAD = {"type": "pad", "contains": "padding"}


def _spec(body: dict, **datasets: pd.DataFrame) -> dict:
    return {"autosize": PAD, **body, "datasets": datasets}


# --- charts -----------------------------------------------------------------------------------------------------------
def unit_maps(data: pd.DataFrame, *, unit_title: str, value_title: str, panel: int = 96, columns: int = 8) -> dict:
    """One small square map per unit (rows unit, gx, gy, r): colour = the unit's scaled response r ∈ [0, 1]."""
    return _spec({
        "data": {"name": "maps"},
        "facet": _field("unit", "O", title=None,
                        header={"labelExpr": f"{_js(unit_title)} + ' ' + datum.value", "labelFontSize": 12}),
        "columns": columns,
        "spacing": 6,
        "spec": {
            "width": panel, "height": panel,
            "mark": {"type": "rect"},
            "encoding": {
                "x": _field("gx", "O", axis=None),
                "y": _field("gy", "O", axis=None, sort="descending"),
                "color": _field("r", "Q", title=value_title, scale={"scheme": MAP_SCHEME, "domain": [0, 1]},
                                legend={"orient": "right", "gradientLength": panel, "titleLimit": 160}),
                "tooltip": [_tip("unit", "O", unit_title), _tip("r", "Q", value_title, ".2f")],
            },
        },
    }, maps=data)


def _js(text: str) -> str:
    """A JavaScript string literal (for Vega expressions)."""
    import json

    return json.dumps(text)


def decision_map(grid: pd.DataFrame, *, title: str, cells: str = "cells", x_title: str = "x₁",
                 y_title: str = "x₂", proba_title: str, class_title: str, size: int = 250,
                 legend: bool = True) -> dict:
    """p(class 1 | x) as coloured cells (rows x, y, x2, y2, p of the dataset named ``cells``) with the data points
    (rows x, y, label of the dataset "dots") on top: a layer, for ``single`` or ``side_by_side``."""
    x_scale = {"domain": [float(grid["x"].iloc[0]), float(grid["x2"].iloc[-1])], "nice": False, "zero": False}
    y_scale = {"domain": [float(grid["y"].iloc[0]), float(grid["y2"].iloc[-1])], "nice": False, "zero": False}
    cell_layer = {
        "data": {"name": cells},
        "mark": {"type": "rect", "strokeWidth": 0},
        "encoding": {
            "x": _field("x", "Q", title=x_title, scale=x_scale), "x2": {"field": "x2"},
            "y": _field("y", "Q", title=y_title, scale=y_scale), "y2": {"field": "y2"},
            "color": _field("p", "Q", title=proba_title, scale={"domain": [0, 0.5, 1], "range": PROBA_RANGE},
                            legend={"orient": "right", "gradientLength": size - 80} if legend else None),
            "tooltip": [_tip("p", "Q", proba_title, ".2f")],
        },
    }
    dots = {
        "data": {"name": "dots"},
        "mark": {"type": "circle", "size": 18, "opacity": 0.95, "stroke": "white", "strokeWidth": 0.6},
        "encoding": {
            "x": _field("x", "Q", scale=x_scale), "y": _field("y", "Q", scale=y_scale),
            "fill": _field("label", "N", title=class_title, scale={"range": CLASS_COLOURS},
                           legend={"orient": "top"} if legend else None),
            "tooltip": [_tip("label", "N", class_title), _tip("x", "Q", x_title, ".2f"),
                        _tip("y", "Q", y_title, ".2f")],
        },
    }
    return {"width": size, "height": size, "title": title, "layer": [cell_layer, dots],
            "resolve": {"scale": {"color": "independent"}}}


def single(grid: pd.DataFrame, points: pd.DataFrame, **titles) -> dict:
    """One decision map (``decision_map``'s keyword arguments) as a spec."""
    return _spec(decision_map(grid, **titles), cells=grid, dots=points)


def side_by_side(charts: list, grids: dict, points: pd.DataFrame) -> dict:
    """Decision maps next to each other; ``grids`` maps each chart's ``cells`` name to its frame; all share the
    points."""
    return _spec({"hconcat": charts, "spacing": 18}, dots=points, **grids)


def accuracy_vs_params(runs: pd.DataFrame, means: pd.DataFrame, *, x_title: str, y_title: str, series_title: str,
                       series_order, tooltip: dict[str, str], height: int = 300, width: int = 520) -> dict:
    """Mean validation accuracy against parameter count (log axis), one line per architecture (rows of ``means``:
    params, acc, series, …), with every seed's run as a hollow dot (rows of ``runs``: params, acc, series, seed, …).
    ``tooltip`` titles the columns of ``means``; ``runs`` has the same columns plus seed."""
    colour = _field("series", "N", title=series_title, scale={"domain": list(series_order), "range": PALETTE},
                    legend={"orient": "top"})
    x = _field("params", "Q", title=x_title, scale={"type": "log", "nice": False})
    y = _field("acc", "Q", title=y_title, scale={"zero": False}, axis={"format": ".0%"})

    def tips(frame: pd.DataFrame, fields: dict[str, str]) -> list:
        return [_tip(c, "Q" if pd.api.types.is_numeric_dtype(frame[c]) else "N", t) for c, t in fields.items()]

    line = {"data": {"name": "means"},
            "mark": {"type": "line", "strokeWidth": 2.5, "point": {"size": 70, "filled": True}},
            "encoding": {"x": x, "y": y, "color": colour, "tooltip": tips(means, tooltip)}}
    dots = {"data": {"name": "runs"}, "mark": {"type": "point", "size": 45, "opacity": 0.6},
            "encoding": {"x": x, "y": y, "color": colour, "shape": _field("series", "N", legend=None),
                         "tooltip": tips(runs, {**tooltip, "seed": "seed"})}}
    return _spec({"width": width, "height": height, "layer": [line, dots]}, means=means, runs=runs)


def grid_heatmap(data: pd.DataFrame, *, x_title: str, y_title: str, color_title: str, tooltip: dict[str, str],
                 best: pd.DataFrame, live: pd.DataFrame, x_order, y_order, size: int = 300) -> dict:
    """Cells (rows lr, width, acc, text, …) coloured by accuracy with the value written in; ``best`` (rows lr,
    width) gets an orange ring, ``live`` (rows lr, width) a black square. ``tooltip`` titles columns of ``data``."""
    x = _field("lr", "O", title=x_title, sort=list(x_order), axis={"labelAngle": 0})
    y = _field("width", "O", title=y_title, sort=list(reversed(list(y_order))))
    tips = [_tip(c, "Q" if pd.api.types.is_numeric_dtype(data[c]) else "N", t) for c, t in tooltip.items()]
    cells = {"data": {"name": "cells"}, "mark": {"type": "rect"},
             "encoding": {"x": x, "y": y, "tooltip": tips,
                          "color": _field("acc", "Q", title=color_title,
                                          scale={"scheme": "viridis", "domain": [0.4, 1], "clamp": True},
                                          legend={"orient": "right", "gradientLength": size - 60,
                                                  "format": ".0%"})}}
    text = {"data": {"name": "cells"}, "mark": {"type": "text", "fontSize": 13, "fontWeight": "bold"},
            "encoding": {"x": x, "y": y, "text": _field("text", "N"), "tooltip": tips,
                         "color": {"condition": {"test": "datum.acc > 0.75", "value": "#1f2a33"},
                                   "value": "white"}}}
    ring = {"data": {"name": "best"},
            "mark": {"type": "point", "shape": "circle", "size": 1500, "strokeWidth": 3.5, "color": "#e07a2f"},
            "encoding": {"x": x, "y": y}}
    square = {"data": {"name": "live"},
              "mark": {"type": "point", "shape": "square", "size": 2600, "strokeWidth": 2, "color": "#111"},
              "encoding": {"x": x, "y": y}}
    return _spec({"width": size + 60, "height": size, "layer": [cells, text, ring, square]}, cells=data, best=best,
                 live=live)
