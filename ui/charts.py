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


def show(chart: alt.Chart) -> None:
    """Every chart goes through here: full width, Streamlit's theme."""
    import streamlit as st

    st.altair_chart(chart, width="stretch")
