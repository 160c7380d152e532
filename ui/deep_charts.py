"""Altair builders for the deep-network pages (gradient clipping, normalization layers, residual shortcuts).

Each builder takes small DataFrames (columns named by the caller) and already translated titles, and returns a
finished Vega-Lite dict, so a page can cache a figure whole (``st.cache_data``) and show it with :func:`show`:
building and validating a layered Altair chart costs more than a warm rerun may take. Builders never compute the
lesson's math; they only drop points a log axis cannot draw (NaN, ±inf, ≤ 0) and lay out the picture.
"""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ui.charts import HEIGHT, PALETTE, show_spec

ALTAIR_DEFAULT_CONFIG = {"view": {"continuousWidth": 300, "continuousHeight": 300}}
DIVERGED_COLOR = "#b8505a"
# log-axis labels: 0.01 … 10 000 as plain numbers, anything further out as 1e+15 / 1e-5
LOG_LABEL = ("datum.value >= 1e5 || datum.value < 1e-3 ? format(datum.value, '.0e') "
             ": format(datum.value, ',~g')")


def spec(chart) -> dict:
    """The chart as a Vega-Lite dict (data inline), without Altair's default view size (Streamlit sets the width)."""
    out = chart.to_dict()
    if out.get("config") == ALTAIR_DEFAULT_CONFIG:
        del out["config"]
    return out


show = show_spec  # full width, or at its own size with fixed=True


def drawable(data: pd.DataFrame, column: str, log: bool) -> pd.DataFrame:
    """The rows whose ``column`` a chart can draw: finite, and > 0 on a log axis."""
    values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
    keep = np.isfinite(values) & ((values > 0) if log else True)
    return data[keep].reset_index(drop=True)


def _tooltip(data: pd.DataFrame, fields: dict[str, str] | None) -> list:
    fields = fields or {column: column for column in data.columns}
    return [alt.Tooltip(f"{column}:Q", title=title, format=".4~g") if pd.api.types.is_numeric_dtype(data[column])
            else alt.Tooltip(f"{column}:N", title=title) for column, title in fields.items()]


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
    cannot draw are dropped."""
    shown = drawable(drawable(data, y, y_scale != "linear"), x, x_scale != "linear")
    x_axis = alt.Axis(values=list(x_values)) if x_values is not None else alt.Axis()
    colour = alt.Color(f"{color}:N", title=color_title, sort=color_order,
                       scale=alt.Scale(domain=color_order, range=colors or PALETTE[:len(color_order)]),
                       legend=alt.Legend(orient="top"))
    y_axis = alt.Axis(tickCount=5, labelExpr=LOG_LABEL) if y_scale != "linear" else alt.Axis()
    encoding = dict(x=alt.X(f"{x}:Q", title=x_title, scale=_scale(x_scale), axis=x_axis),
                    y=alt.Y(f"{y}:Q", title=y_title, scale=_scale(y_scale, y_domain), axis=y_axis),
                    color=colour, tooltip=_tooltip(shown, tooltip))
    detail = [color]
    if dash is not None:
        dashes = alt.Scale(domain=dash_order, range=[[1, 0], [6, 4], [2, 2]][:len(dash_order)]) if dash_order \
            else alt.Undefined
        encoding["strokeDash"] = alt.StrokeDash(f"{dash}:N", title=None, scale=dashes, sort=dash_order,
                                                legend=alt.Legend(orient="top"))
        detail.append(dash)
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
    return spec(alt.layer(*layers))


def bands(data: pd.DataFrame, *, facet: str, facet_order: list[str], x_title: str, y_title: str,
          tooltip: dict[str, str], height: int = 210) -> dict:
    """Percentile bands over the epochs, one small panel per ``facet`` value: rows (facet, epoch, p5, p25, p50, p75,
    p95). Light band 5–95 %, dark band 25–75 %, line = median."""
    base = alt.Chart(data).encode(x=alt.X("epoch:Q", title=x_title))
    outer = base.mark_area(opacity=0.25, color=PALETTE[0]).encode(y=alt.Y("p5:Q", title=y_title), y2="p95:Q")
    inner = base.mark_area(opacity=0.5, color=PALETTE[0]).encode(y="p25:Q", y2="p75:Q")
    median = base.mark_line(color="#1f2a33", strokeWidth=2).encode(y="p50:Q", tooltip=_tooltip(data, tooltip))
    chart = alt.layer(outer, inner, median, data=data).properties(height=height, width=220).facet(
        column=alt.Column(f"{facet}:N", sort=facet_order, title=None, header=alt.Header(labelFontSize=13)))
    return spec(chart.resolve_scale(y="shared"))


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
        tooltip=_tooltip(arrows, tooltip))
    heads = alt.Chart(arrows).mark_point(shape="triangle", filled=True, size=170, opacity=1).encode(
        x=x, y=y, angle=alt.Angle("heading:Q", scale=alt.Scale(domain=[0, 360], range=[0, 360])), color=colour,
        tooltip=_tooltip(arrows, tooltip))
    axes = pd.DataFrame({"zero": [0.0]})
    zero_x = alt.Chart(axes).mark_rule(color="#bbb").encode(x=X("zero"))
    zero_y = alt.Chart(axes).mark_rule(color="#bbb").encode(y=Y("zero"))
    return spec(alt.layer(zero_x, zero_y, outlines, shafts, heads).properties(width=size, height=size))
