"""Altair builders for 2-D loss surfaces: contour lines, optimizer paths over them, start/minimum markers."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.contours import ContourLines
from ui.charts import PALETTE


def contour_frame(lines: ContourLines) -> pd.DataFrame:
    """Rows (level, line, order, x, y) in 32-bit types: half the bytes sent to the browser, no visible change."""
    return pd.DataFrame({"level": lines.level.astype(np.float32), "line": lines.line.astype(np.int32),
                         "order": lines.order.astype(np.int32), "x": lines.x.astype(np.float32),
                         "y": lines.y.astype(np.float32)})


def contour_chart(lines: ContourLines, x_range, y_range, *, x_title: str = "x", y_title: str = "y",
                  level_title: str = "f", size: int = 420, log_color: bool = False) -> alt.Chart:
    """Grey-blue contour lines on the plot box, darker for lower levels; tooltip gives the level."""
    data = contour_frame(lines)
    color_scale = alt.Scale(scheme="blues", reverse=True, type="symlog" if log_color else "linear")
    return alt.Chart(data, width=size, height=size).mark_line(strokeWidth=1, opacity=0.8).encode(
        x=alt.X("x:Q", title=x_title, scale=alt.Scale(domain=list(x_range), nice=False)),
        y=alt.Y("y:Q", title=y_title, scale=alt.Scale(domain=list(y_range), nice=False)),
        detail="line:N",
        order="order:Q",
        color=alt.Color("level:Q", title=level_title, scale=color_scale, legend=None),
        tooltip=[alt.Tooltip("level:Q", title=level_title, format=".4~g")],
    )


def paths_chart(paths: pd.DataFrame, *, series: str = "optimizer", series_title: str = "",
                x_range=None, y_range=None, tooltip: dict[str, str] | None = None) -> alt.Chart:
    """Optimizer paths: rows (series, step, x, y, …), one coloured polyline per series with a dot per step.

    Points outside the plot box are clipped rather than stretching the axes.
    """
    fields = tooltip or {series: series_title or series, "step": "step", "x": "x", "y": "y"}
    tips = [alt.Tooltip(column, title=title, format=".4~g") if pd.api.types.is_numeric_dtype(paths[column])
            else alt.Tooltip(column, title=title) for column, title in fields.items()]
    x_scale = alt.Scale(domain=list(x_range), nice=False) if x_range else alt.Undefined
    y_scale = alt.Scale(domain=list(y_range), nice=False) if y_range else alt.Undefined
    base = alt.Chart(paths).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale),
        color=alt.Color(f"{series}:N", title=series_title, scale=alt.Scale(range=PALETTE),
                        legend=alt.Legend(orient="top")),
        order="step:Q", detail=f"{series}:N", tooltip=tips)
    return base.mark_line(strokeWidth=2, clip=True) + base.mark_circle(size=18, clip=True)


def points_chart(points: pd.DataFrame, *, shape: str = "cross", color: str = "#111", size: int = 140,
                 tooltip: dict[str, str] | None = None) -> alt.Chart:
    """Markers (minima, start point): rows (x, y, label)."""
    fields = tooltip or {column: column for column in points.columns}
    return alt.Chart(points).mark_point(shape=shape, size=size, color=color, filled=True, clip=True).encode(
        x="x:Q", y="y:Q", tooltip=[alt.Tooltip(c, title=t) for c, t in fields.items()])
