"""Lines against x: a line per series (with a dot for the current setting), the same on log axes, fractions per
layer, loss curves with the rules where a stopping rule fires, curves with exact values under the pointer, and
accuracy against parameter count; grouped bars.

Data in: long DataFrames (x, y, series) that core computed; titles arrive translated. Each builder returns a Vega-Lite
dict whose data are named datasets (see ``ui.charts.base`` for why dicts). ``curves`` is written with Altair (a
layered chart, cached whole by its pages) and converted once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.base import HEIGHT, PAD, PALETTE, field, from_altair, tooltips

if TYPE_CHECKING:
    from core.views.playground import Comparison

SOLID, DASHED = [1, 0], [6, 4]
GREYS = ["#444444", "#999999"]  # series 7 and 8, after the palette


# --- a line per series, markers on top ------------------------------------------------------------------------------
def _y_scale(y_domain) -> dict:
    return {"scale": {"domain": list(y_domain)}} if y_domain else {}


def lines(data: pd.DataFrame, x: str, y: str, color: str, *, x_title: str, y_title: str, color_title: str,
          tooltip: dict[str, str] | None = None, height: int = HEIGHT, dashed: str | None = None,
          y_domain=None, markers: pd.DataFrame | None = None, marker_tooltip: dict[str, str] | None = None,
          marker_color: str = "#222", marker_size: int = 90) -> dict:
    """One line per ``color`` value; ``dashed`` names the one series drawn dashed (to show two curves coincide).
    ``markers``: points (columns ``x`` and ``y``) drawn over the lines, e.g. the current setting on a curve."""
    encoding = {
        "x": field(x, "Q", title=x_title),
        "y": field(y, "Q", title=y_title, **_y_scale(y_domain)),
        "color": field(color, "N", title=color_title, scale={"range": PALETTE}, legend={"orient": "top"}),
        "tooltip": tooltips(data, tooltip),
    }
    if dashed is not None:
        encoding["strokeDash"] = {"condition": {"test": f"(datum[{color!r}] === {dashed!r})", "value": DASHED},
                                  "value": SOLID}
    line = {"data": {"name": "lines"}, "mark": {"type": "line", "strokeWidth": 2.5}, "encoding": encoding}
    if markers is None:
        return {"height": height, **line, "datasets": {"lines": data}}
    dots = {"data": {"name": "markers"}, "mark": {"type": "point", "filled": True, "size": marker_size,
                                                  "color": marker_color},
            "encoding": {"x": field(x), "y": field(y), "tooltip": tooltips(markers, marker_tooltip)}}
    return {"height": height, "datasets": {"lines": data, "markers": markers}, "layer": [line, dots]}


def grouped_bars(data: pd.DataFrame, x: str, y: str, color: str, *, x_title: str, y_title: str, color_title: str,
                 tooltip: dict[str, str] | None = None, height: int = HEIGHT, y_domain=None) -> dict:
    """Bars of ``y`` per ``x``, one coloured bar per ``color`` value side by side."""
    return {"height": height, "data": {"name": "bars"}, "datasets": {"bars": data}, "mark": {"type": "bar"},
            "encoding": {
                "x": field(x, "N", title=x_title, axis={"labelAngle": 0}),
                "xOffset": field(color, "N"),
                "y": field(y, "Q", title=y_title, **_y_scale(y_domain)),
                "color": field(color, "N", title=color_title, scale={"range": PALETTE}, legend={"orient": "top"}),
                "tooltip": tooltips(data, tooltip)}}


# --- log axes ---------------------------------------------------------------------------------------------------------
def _colour(color: str, title: str, domain: list, legend: bool = True, legend_columns: int | None = None) -> dict:
    """A series colour: the palette (then greys) in ``domain`` order; the legend on top, in columns if asked."""
    legend_spec = {"orient": "top"}
    if legend_columns:
        legend_spec.update(columns=legend_columns, labelLimit=300)
    return field(color, "N", title=title, scale={"domain": domain, "range": (PALETTE + GREYS)[:max(len(domain), 1)]},
                 legend=legend_spec if legend else None)


def _highlight(color: str, dashed: list[str] | None, bold: str | None) -> dict:
    """``dashed`` series drawn dashed, the ``bold`` one (the current setting) thicker than the rest."""
    channels = {}
    if dashed:
        channels["strokeDash"] = {"condition": {"test": {"field": color, "oneOf": list(dashed)}, "value": DASHED},
                                  "value": SOLID}
    if bold is not None:
        channels["strokeWidth"] = {"condition": {"test": {"field": color, "equal": bold}, "value": 4.5},
                                   "value": 1.8}
    return channels


def _order(data: pd.DataFrame, color: str, color_order) -> list:
    return list(color_order) if color_order is not None else list(dict.fromkeys(data[color]))


def log_lines(data: pd.DataFrame, x: str, y: str, color: str, *, x_title: str, y_title: str, color_title: str,
              color_order: list[str] | None = None, tooltip: dict[str, str] | None = None,
              height: int = HEIGHT, title: str | None = None, x_log: bool = False, y_log: bool = True,
              whole_x: bool = False, scientific: bool = False, legend: bool = True,
              legend_columns: int | None = None, line_width: float | None = None, clip: bool = False,
              dots: str | None = None, dashed: list[str] | None = None, bold: str | None = None,
              markers: pd.DataFrame | None = None, marker_tooltip: dict[str, str] | None = None) -> dict:
    """One line per ``color`` value (in ``color_order``, default the order of the rows) on a log y axis (``y_log``)
    and a log or linear x axis (``x_log``).

    - ``whole_x``: x counts something (layers, epochs): integer ticks only.
    - ``scientific``: y spans many orders of magnitude: axis labels and tooltip in scientific notation, and rows with
      y ≤ 0 or missing left out (a log axis has no place for them).
    - ``legend`` False: no colour legend (a chart next to it explains the colours); ``legend_columns``: long series
      names in that many columns.
    - ``line_width``: of every line (default Vega-Lite's); ``clip``: lines and dots cut at the plot's edge.
    - ``dots``: a dot per row, "solid" (filled, on the line) or "light" (smaller, semi-transparent).
    - ``dashed``: series drawn dashed; ``bold``: the series drawn thicker (the current setting).
    - ``markers`` (columns ``x`` and ``y``): diamonds on top (the current setting).
    """
    encoding = {
        "x": field(x, "Q", title=x_title),
        "y": field(y, "Q", title=y_title),
        "color": _colour(color, color_title, _order(data, color, color_order), legend, legend_columns),
        "tooltip": tooltips(data, tooltip, log=(y,) if scientific else ()),
    }
    if x_log:
        encoding["x"]["scale"] = {"type": "log", "nice": False}
    if whole_x:
        encoding["x"]["axis"] = {"format": "d", "tickMinStep": 1}
    if y_log:
        encoding["y"]["scale"] = {"type": "log"}
    if scientific:
        encoding["y"]["axis"] = {"format": "~e"}
    source = {"data": {"name": "lines"}}
    if scientific:
        source["transform"] = [{"filter": f"isValid(datum['{y}']) && datum['{y}'] > 0"}]
    mark = {"type": "line"}
    if line_width is not None:
        mark["strokeWidth"] = line_width
    if clip:
        mark["clip"] = True
    if dots == "solid":
        mark["point"] = {"filled": True, "size": 40}
    layers = [{**source, "mark": mark, "encoding": {**encoding, **_highlight(color, dashed, bold)}}]
    if dots == "light":
        layers.append({**source, "mark": {"type": "circle", "size": 28, **({"clip": True} if clip else {})},
                       "encoding": encoding})
    datasets = {"lines": data}
    if markers is not None:
        datasets["markers"] = markers
        layers.append({"data": {"name": "markers"},
                       "mark": {"type": "point", "filled": True, "size": 110, "color": "#222", "shape": "diamond"},
                       "encoding": {"x": encoding["x"], "y": encoding["y"],
                                    "tooltip": tooltips(markers, marker_tooltip)}})
    spec = {"height": height, "datasets": datasets, **({"title": title} if title else {})}
    return {**spec, **layers[0]} if len(layers) == 1 else {**spec, "layer": layers}


def fraction_lines(data: pd.DataFrame, x: str, y: str, color: str, *, x_title: str, y_title: str, color_title: str,
                   color_order: list[str] | None = None, tooltip: dict[str, str] | None = None,
                   bold: str | None = None, height: int = 220) -> dict:
    """Lines of a fraction (0–100 %) per ``color`` value against a count (layers), with a dot per row; ``bold``: the
    current series."""
    encoding = {
        "x": field(x, "Q", title=x_title, axis={"format": "d", "tickMinStep": 1}),
        "y": field(y, "Q", title=y_title, scale={"domain": [0, 1]}, axis={"format": "%"}),
        "color": _colour(color, color_title, _order(data, color, color_order), legend_columns=3),
        "tooltip": tooltips(data, tooltip),
    }
    return {"height": height, "data": {"name": "lines"}, "datasets": {"lines": data},
            "transform": [{"filter": f"isValid(datum['{y}'])"}],
            "mark": {"type": "line", "point": {"size": 20}}, "encoding": {**encoding, **_highlight(color, None, bold)}}


# --- loss curves with stopping rules ------------------------------------------------------------------------------
# Written as plain dicts (tests/test_train_vs_val.py validates them against Altair's Vega-Lite schema, once).
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
CURVES_HEIGHT = HEIGHT + 140  # room for the rule labels above the plot and the legend below
LABEL_LANE_PX = 15  # vertical distance between stacked rule labels (above the plot)


@dataclass(frozen=True)
class Rule:
    """A vertical line at ``x`` with a label at the top (stacked by ``lane``), drawn in ``color``; ``dash`` for a
    dashed line."""
    x: float
    label: str
    color: str = "#333333"
    dash: bool = True
    lane: int = 0


def curve_frame(x, loss, series: str) -> pd.DataFrame:
    """One curve as rows (x, loss, series) in 32-bit floats (half the bytes sent to the browser)."""
    return pd.DataFrame({"x": np.asarray(x, dtype=np.float32), "loss": np.asarray(loss, dtype=np.float32),
                         "series": series})


def loss_curves(data: pd.DataFrame, *, x_title: str, y_title: str, series_title: str, order: list[str],
                colors: list[str] | None = None, faint: tuple[str, ...] = (), dashed: tuple[str, ...] = (),
                dotted: tuple[str, ...] = (), rules: list[Rule] | None = None,
                band: tuple[float, float, str] | None = None, y_log: bool = True, height: int = CURVES_HEIGHT,
                x_domain=None) -> dict:
    """Loss curves from rows (x, loss, series), thinned and cleaned by core (finite, > 0): one line per series in
    ``order`` (colours ``colors``, default the shared palette). ``faint`` series are thin and pale (a raw noisy curve
    under its smoothed version), ``dashed`` series dashed, ``dotted`` series get a dot per row (a curve checked every
    few steps). ``rules``: vertical lines with labels at the top; a label right of the middle of the x range is set
    to the left of its line. ``band`` = (x0, x1, label): a shaded stretch of the run (e.g. the window a diagnosis
    reads)."""
    order = list(order)
    colors = list(colors or PALETTE[:len(order)])
    x_scale = {"nice": False, "zero": False}
    if x_domain is not None:
        x_scale["domain"] = [float(x_domain[0]), float(x_domain[1])]
    x_enc = {"field": "x", "type": "quantitative", "title": x_title, "scale": x_scale,
             "axis": {"format": ",~r", "tickMinStep": 1}}
    y_enc = {"field": "loss", "type": "quantitative", "title": y_title,
             "scale": {"type": "log"} if y_log else {"zero": False}}
    color = {"field": "series", "type": "nominal", "title": series_title,
             "scale": {"domain": order, "range": colors},
             "legend": {"orient": "bottom", "symbolType": "stroke", "symbolStrokeWidth": 3, "symbolOpacity": 1,
                        "symbolDash": SOLID, "labelLimit": 400, "columns": 2}}
    tips = tooltips(data, {"series": series_title, "x": x_title, "loss": y_title})
    datasets = {"curves": data}
    layers = []
    if band is not None:
        x0, x1, label = band
        datasets["band"] = pd.DataFrame({"x0": [float(x0)], "x1": [float(x1)], "label": [label]})
        band_x = {"field": "x0", "type": "quantitative", "scale": x_scale}
        layers.append({"data": {"name": "band"}, "mark": {"type": "rect", "color": "#8a7a5c", "opacity": 0.10},
                       "encoding": {"x": band_x, "x2": {"field": "x1"},
                                    "tooltip": {"field": "label", "type": "nominal"}}})
        layers.append({"data": {"name": "band"},
                       "mark": {"type": "text", "align": "left", "baseline": "bottom", "dx": 4, "dy": -4,
                                "color": "#6b5e45", "fontSize": 11},
                       "encoding": {"x": band_x, "y": {"value": {"expr": "height"}}, "text": {"field": "label"}}})
    # one layer for every line: width, opacity and dash per series from fixed scales without legends
    layers.append({
        "data": {"name": "curves"}, "mark": {"type": "line", "clip": True},
        "encoding": {
            "x": x_enc, "y": y_enc, "color": color, "tooltip": tips,
            "strokeWidth": {"field": "series", "type": "nominal", "legend": None,
                            "scale": {"domain": order, "range": [1.0 if s in faint else 2.4 for s in order]}},
            "opacity": {"field": "series", "type": "nominal", "legend": None,
                        "scale": {"domain": order, "range": [0.35 if s in faint else 1.0 for s in order]}},
            "strokeDash": {"field": "series", "type": "nominal", "legend": None,
                           "scale": {"domain": order, "range": [DASHED if s in dashed else SOLID for s in order]}},
        }})
    if dotted:
        layers.append({"data": {"name": "curves"},
                       "transform": [{"filter": {"field": "series", "oneOf": list(dotted)}}],
                       "mark": {"type": "circle", "size": 22, "opacity": 0.9, "clip": True},
                       "encoding": {"x": x_enc, "y": y_enc, "color": color, "tooltip": tips}})
    if rules:
        middle = (x_domain[0] + x_domain[1]) / 2 if x_domain is not None else float(data["x"].max()) / 2
        datasets["rules"] = pd.DataFrame({
            "x": [float(r.x) for r in rules], "label": [r.label for r in rules], "color": [r.color for r in rules],
            "dash": ["dash" if r.dash else "solid" for r in rules],
            "lane": [-2 - LABEL_LANE_PX * r.lane for r in rules],
            "side": ["right" if r.x > middle else "left" for r in rules]})
        rule_x = {"field": "x", "type": "quantitative", "scale": x_scale}
        # stroke / fill rather than color: the rules' own colours must not join the curves' colour scale
        rule_stroke = {"field": "color", "type": "nominal", "scale": None}
        label_tip = {"field": "label", "type": "nominal"}
        layers.append({"data": {"name": "rules"}, "mark": {"type": "rule", "strokeWidth": 2},
                       "encoding": {"x": rule_x, "stroke": rule_stroke, "tooltip": label_tip,
                                    "strokeDash": {"field": "dash", "type": "nominal", "legend": None,
                                                   "scale": {"domain": ["dash", "solid"],
                                                             "range": [[5, 3], SOLID]}}}})
        # labels above the plot, one lane per rule, so they never sit on a curve; a white halo under each
        for side, dx in (("left", 3), ("right", -3)):
            for halo in (True, False):
                mark = {"type": "text", "align": side, "baseline": "bottom", "dx": dx, "fontSize": 12,
                        "fontWeight": "bold"}
                if halo:
                    mark.update(stroke="white", strokeWidth=4, strokeJoin="round")
                encoding = {"x": rule_x, "y": {"value": 0},
                            "yOffset": {"field": "lane", "type": "quantitative", "scale": None},
                            "text": {"field": "label", "type": "nominal"}, "tooltip": label_tip}
                if not halo:
                    encoding["fill"] = rule_stroke
                layers.append({"data": {"name": "rules"}, "transform": [{"filter": {"field": "side", "equal": side}}],
                               "mark": mark, "encoding": encoding})
    return {"$schema": SCHEMA, "height": height, "datasets": datasets, "layer": layers,
            "resolve": {"scale": {"strokeDash": "independent"}}}


# --- curves with the exact values under the pointer (redrawn while a network trains) ------------------------------
VALID = "isValid(datum.{0}) && isFinite(datum.{0})"


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


def hover_lines(data: pd.DataFrame, *, x_title: str, y_title: str, series_title: str, log_y: bool = False,
                y_domain=None, dashed: list[str] | None = None, colors: list[str] | None = None,
                mark_epoch: int | None = None, mark_label: str = "", height: int = 240) -> dict:
    """Lines (epoch, value) per series (rows of :func:`curves_frame`); under the pointer the nearest epoch gets a
    rule, a dot on every line with the exact value as a tooltip, and a label. ``dashed``: the series drawn dashed;
    ``colors``: one per series (default: the palette); ``mark_epoch``: a red dashed rule with ``mark_label`` (a
    diverging epoch). The data travel in compact types; the spec stays the same from one epoch to the next, so the
    browser only swaps the data."""
    names = list(data["series"].cat.categories)
    keep = VALID.format("value") + (" && datum.value > 0" if log_y else "")
    x = field("epoch", title=x_title, axis={"format": "d", "tickMinStep": 1})
    scale = {"type": "log"} if log_y else ({"domain": list(y_domain)} if y_domain else {})
    y = field("value", title=y_title, scale=scale)
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
                      "tooltip": tooltips(data, {"series": series_title, "epoch": x_title, "value": y_title},
                                         formats={"epoch": None, "value": ".6~g"})}},
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
                      "encoding": {"x": x, "tooltip": tooltips(wide, {"epoch": x_title, **dict(zip(columns, names))},
                                                              number=".6~g", formats={"epoch": None})}})
    if mark_epoch is not None:
        layers.append({"data": {"values": [{"epoch": int(mark_epoch), "label": mark_label}]},
                       "mark": {"type": "rule", "color": "#b8505a", "strokeDash": [4, 3], "strokeWidth": 2},
                       "encoding": {"x": {"field": "epoch", "type": "quantitative"},
                                    "tooltip": tooltips(None, {"label": x_title})}})
    return {"height": height, "datasets": {"curves": data, "wide": wide}, "layer": layers,
            "params": [{"name": "hover", "views": ["catcher"],
                        "select": {"type": "point", "fields": ["epoch"], "nearest": True, "on": "pointerover",
                                   "clear": "pointerout"}}]}


# --- curves on linear, log or log2 axes, with thresholds and divergences (Altair, cached whole) -------------------
DIVERGED_COLOR = "#b8505a"
# log-axis labels: 0.01 … 10 000 as plain numbers, anything further out as 1e+15 / 1e-5
LOG_LABEL = ("datum.value >= 1e5 || datum.value < 1e-3 ? format(datum.value, '.0e') "
             ": format(datum.value, ',~g')")


def drawable(data: pd.DataFrame, column: str, log: bool) -> pd.DataFrame:
    """The rows whose ``column`` a chart can draw: finite, and > 0 on a log axis."""
    values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
    keep = np.isfinite(values) & ((values > 0) if log else True)
    return data[keep].reset_index(drop=True)


def _scale(kind: str, domain=None):
    """"linear", "log" (base 10) or "log2" (base 2, for batch sizes); ``domain`` optional."""
    extra = {} if domain is None else {"domain": list(domain)}
    if kind == "log":
        return alt.Scale(type="log", **extra)
    if kind == "log2":
        return alt.Scale(type="log", base=2, **extra)
    return alt.Scale(zero=False, **extra) if extra else alt.Scale(zero=False)


def curves(data: pd.DataFrame, x: str, y: str, color: str, *, x_title: str, y_title: str, color_title: str,
           color_order: list[str], tooltip: dict[str, str] | None = None, x_scale: str = "linear",
           y_scale: str = "linear", points: bool = False, x_values=None, rule_y: float | None = None,
           rule_label: str | None = None, stops: pd.DataFrame | None = None, stop_label: str | None = None,
           height: int = HEIGHT, y_domain=None, dash: str | None = None, dash_order: list[str] | None = None,
           colors: list[str] | None = None) -> dict:
    """One line per ``color`` value (in ``color_order``), optionally with a dot per point. ``rule_y``: a dashed
    horizontal line (a threshold) labelled ``rule_label``. ``stops``: rows (x, color) where a run broke off (diverged),
    drawn as a red vertical rule labelled ``stop_label``. ``dash``: a column whose values (in ``dash_order``: solid,
    then dashed) pick the line dash, e.g. "at initialisation" / "after training". ``colors``: one per ``color_order``
    entry (default: the palette in order), so a series keeps its colour across a page's charts. Points a log axis
    cannot draw are dropped (the only change a builder makes to its data)."""
    shown = drawable(drawable(data, y, y_scale != "linear"), x, x_scale != "linear")
    x_axis = alt.Axis(values=list(x_values)) if x_values is not None else alt.Axis()
    colour = alt.Color(f"{color}:N", title=color_title, sort=color_order,
                       scale=alt.Scale(domain=color_order, range=colors or PALETTE[:len(color_order)]),
                       legend=alt.Legend(orient="top"))
    y_axis = alt.Axis(tickCount=5, labelExpr=LOG_LABEL) if y_scale != "linear" else alt.Axis()
    encoding = dict(x=alt.X(f"{x}:Q", title=x_title, scale=_scale(x_scale), axis=x_axis),
                    y=alt.Y(f"{y}:Q", title=y_title, scale=_scale(y_scale, y_domain), axis=y_axis),
                    color=colour, tooltip=tooltips(shown, tooltip))
    if dash is not None:
        dashes = alt.Scale(domain=dash_order, range=[[1, 0], [6, 4], [2, 2]][:len(dash_order)]) if dash_order \
            else alt.Undefined
        encoding["strokeDash"] = alt.StrokeDash(f"{dash}:N", title=None, scale=dashes, sort=dash_order,
                                                legend=alt.Legend(orient="top"))
    base = alt.Chart(shown, height=height).encode(**encoding)
    layers = [base.mark_line(strokeWidth=2.5)]
    if points:
        layers.append(base.mark_point(filled=True, size=55))
    if rule_y is not None:
        rule = pd.DataFrame({"y": [rule_y], "label": [rule_label or ""]})
        layers.append(alt.Chart(rule).mark_rule(strokeDash=[6, 4], color="#555").encode(y="y:Q"))
        layers.append(alt.Chart(rule).mark_text(align="left", dx=4, dy=-7, color="#555").encode(
            y="y:Q", x=alt.value(0), text="label:N"))
    if stops is not None and len(stops):
        stops = stops.assign(label=stop_label or "")
        layers.append(alt.Chart(stops).mark_rule(color=DIVERGED_COLOR, strokeDash=[2, 3], strokeWidth=2).encode(
            x=f"{x}:Q"))
        layers.append(alt.Chart(stops).mark_text(color=DIVERGED_COLOR, align="left", dx=4, y=8,
                                                 fontWeight="bold").encode(x=f"{x}:Q", text="label:N"))
    return from_altair(alt.layer(*layers))


# --- accuracy against model size -----------------------------------------------------------------------------------
def accuracy_vs_params(runs: pd.DataFrame, means: pd.DataFrame, *, x_title: str, y_title: str, series_title: str,
                       series_order, tooltip: dict[str, str], height: int = 300, width: int = 520) -> dict:
    """Mean validation accuracy against parameter count (log axis), one line per architecture (rows of ``means``:
    params, acc, series, …), with every seed's run as a hollow dot (rows of ``runs``: params, acc, series, seed, …).
    ``tooltip`` titles the columns of ``means``; ``runs`` has the same columns plus seed."""
    colour = field("series", "N", title=series_title, scale={"domain": list(series_order), "range": PALETTE},
                   legend={"orient": "top"})
    x = field("params", "Q", title=x_title, scale={"type": "log", "nice": False})
    y = field("acc", "Q", title=y_title, scale={"zero": False}, axis={"format": ".0%"})
    line = {"data": {"name": "means"},
            "mark": {"type": "line", "strokeWidth": 2.5, "point": {"size": 70, "filled": True}},
            "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltips(means, tooltip, number=".3~g")}}
    dots = {"data": {"name": "runs"}, "mark": {"type": "point", "size": 45, "opacity": 0.6},
            "encoding": {"x": x, "y": y, "color": colour, "shape": field("series", "N", legend=None),
                         "tooltip": tooltips(runs, {**tooltip, "seed": "seed"}, number=".3~g")}}
    return {"autosize": PAD, "width": width, "height": height,
            "layer": [line, dots], "datasets": {"means": means, "runs": runs}}
