"""Loss-curve charts: train / val (and raw / smoothed) losses against steps or epochs on a log axis, with vertical
rules and labels where a stopping rule fires, and a shaded band for a window of the run.

Data in: a long DataFrame (x, loss, series) already thinned and cleaned by core (finite, > 0); titles and labels
arrive translated. Builders never compute math.

Unlike ``ui/charts.py`` these builders write the Vega-Lite spec as a plain dict (shown with ``st.vega_lite_chart``)
instead of going through Altair: Streamlit converts and schema-validates an Altair chart on every rerun, which for a
layered chart like these costs more than the whole rest of the page. ``tests/test_curve_pages.py`` validates the
specs against Altair's Vega-Lite schema instead, once.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ui.charts import HEIGHT as _BASE_HEIGHT
from ui.charts import PALETTE, show_spec

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
HEIGHT = _BASE_HEIGHT + 140  # room for the rule labels above the plot and the legend below
LABEL_LANE_PX = 15  # vertical distance between stacked rule labels (above the plot)
SOLID, DASHED = [1, 0], [6, 4]
NUMBER = ".4~g"


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
                band: tuple[float, float, str] | None = None, y_log: bool = True, height: int = HEIGHT,
                x_domain=None) -> dict:
    """A Vega-Lite spec (dict; its ``datasets`` hold DataFrames) of loss curves from rows (x, loss, series): one
    line per series in ``order`` (colours ``colors``, default the shared palette). ``faint`` series are thin and
    pale (a raw noisy curve under its smoothed version), ``dashed`` series dashed, ``dotted`` series get a dot per
    row (a curve checked every few steps). ``rules``: vertical lines with labels at the top; a label right of the
    middle of the x range is set to the left of its line. ``band`` = (x0, x1, label): a shaded stretch of the run
    (e.g. the window a diagnosis reads). Show it with ``show``."""
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
    tooltip = [{"field": "series", "type": "nominal", "title": series_title},
               {"field": "x", "type": "quantitative", "title": x_title, "format": NUMBER},
               {"field": "loss", "type": "quantitative", "title": y_title, "format": NUMBER}]
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
            "x": x_enc, "y": y_enc, "color": color, "tooltip": tooltip,
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
                       "encoding": {"x": x_enc, "y": y_enc, "color": color, "tooltip": tooltip}})
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


show = show_spec  # full width
