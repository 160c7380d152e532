"""Diagrams: a small network as a graph (weights on its edges, values in its nodes), and gradient vectors as arrows
with the clipping box and circle they are held to.

``network_diagram`` is written as a plain dict (six layers redrawn on every rerun of its page: Altair's schema
validation would cost more than the rest of the rerun); ``clip_arrows`` is written with Altair and converted once
(its page caches the figure). See ``ui.charts.base``.
"""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.base import PALETTE, from_altair, tooltips

POSITIVE, NEGATIVE = PALETTE[0], PALETTE[3]


def network_diagram(nodes: pd.DataFrame, edges: pd.DataFrame, *, node_tooltip: dict[str, str],
                    edge_tooltip: dict[str, str], height: int = 360) -> dict:
    """A small network as a graph. ``edges``: one row per connection with columns x, y (source), x2, y2 (target),
    lx, ly (where its label goes), label (text) and value (the number shown: blue ≥ 0, red < 0, wider for larger
    |value|). ``nodes``: columns x, y, name (drawn inside the circle) and text (drawn below it; lines separated by
    newlines). Tooltips name any further columns."""
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
    edge_tips, node_tips = tooltips(edges, edge_tooltip), tooltips(nodes, node_tooltip)
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


def _circle(radius: float, points: int = 97) -> pd.DataFrame:
    """The outline of ‖v‖ = radius, for drawing."""
    angle = np.linspace(0.0, 2 * math.pi, points)
    return pd.DataFrame({"x": radius * np.cos(angle), "y": radius * np.sin(angle), "order": np.arange(points)})


def clip_arrows(vectors: pd.DataFrame, c: float, *, order: list[str], name_title: str, region_titles: tuple[str, str],
                tooltip: dict[str, str], size: int = 380) -> dict:
    """Arrows from the origin to rows (name, x, y, angle°) in one square plot, with the value-clipping box
    |g_x|, |g_y| ≤ c (dashed) and the norm-clipping circle ‖g‖ ≤ c (dotted) drawn behind them."""
    reach = max(float(np.abs(vectors[["x", "y"]].to_numpy()).max()), c * math.sqrt(2), 1e-3) * 1.15
    domain = [-reach, reach]
    scale = alt.Scale(domain=domain, nice=False)

    def X(field):
        return alt.X(f"{field}:Q", title="g₁", scale=scale)

    def Y(field):
        return alt.Y(f"{field}:Q", title="g₂", scale=scale)

    x, y = X("x"), Y("y")
    box = pd.DataFrame({"x": [-c, c, c, -c, -c], "y": [-c, -c, c, c, -c], "order": range(5),
                        "region": region_titles[0]})
    ring = _circle(c).assign(region=region_titles[1])
    regions = pd.concat([box, ring], ignore_index=True)
    outlines = alt.Chart(regions).mark_line(color="#777", strokeWidth=1.5).encode(
        x=x, y=y, order="order:Q", detail="region:N",
        strokeDash=alt.StrokeDash("region:N", title=None, scale=alt.Scale(domain=list(region_titles),
                                                                            range=[[6, 4], [2, 3]]),
                                  legend=alt.Legend(orient="bottom")))
    colour = alt.Color("name:N", title=name_title, sort=order,
                       scale=alt.Scale(domain=order, range=PALETTE[:len(order)]), legend=alt.Legend(orient="top"))
    # a triangle mark points up (0°) and turns clockwise; the vector points at angle° counter-clockwise from +x
    arrows = vectors.assign(x0=0.0, y0=0.0, heading=90.0 - vectors["angle"].fillna(0.0))
    shafts = alt.Chart(arrows).mark_rule(strokeWidth=3).encode(
        x=X("x0"), y=Y("y0"), x2="x:Q", y2="y:Q", color=colour,
        tooltip=tooltips(arrows, tooltip))
    heads = alt.Chart(arrows).mark_point(shape="triangle", filled=True, size=170, opacity=1).encode(
        x=x, y=y, angle=alt.Angle("heading:Q", scale=alt.Scale(domain=[0, 360], range=[0, 360])), color=colour,
        tooltip=tooltips(arrows, tooltip))
    axes = pd.DataFrame({"zero": [0.0]})
    zero_x = alt.Chart(axes).mark_rule(color="#bbb").encode(x=X("zero"))
    zero_y = alt.Chart(axes).mark_rule(color="#bbb").encode(y=Y("zero"))
    return from_altair(alt.layer(zero_x, zero_y, outlines, shafts, heads).properties(width=size, height=size))
