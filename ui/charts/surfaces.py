"""2-D loss surfaces: contour lines with optimizer paths and start/minimum markers over them, the optimizer race
(paths and the loss per step, scrubbed by a slider in the browser, a click picking the start), and a square scatter.

These layered charts are written with Altair and converted once into Vega-Lite dicts (``from_altair``) whose
datasets are named DataFrames in compact types; their pages cache the finished figure (``st.cache_data``), since
building and validating a layered Altair chart costs more than a warm rerun may take, and a figure only changes when
its settings do.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.base import PAD, PALETTE, from_altair, tooltips

if TYPE_CHECKING:
    from core.contours import ContourLines
    from core.views.optimizers import RaceView


def compact_contour_frame(lines: ContourLines) -> pd.DataFrame:
    """Rows (level, line, order, x, y) in 32-bit floats and 16-bit ids: the contour lines in the fewest bytes."""
    return pd.DataFrame({"level": lines.level.astype(np.float32), "line": lines.line.astype(np.int16),
                         "order": lines.order.astype(np.int16), "x": lines.x.astype(np.float32),
                         "y": lines.y.astype(np.float32)})


def surface_with_paths(lines: ContourLines, x_range, y_range, paths: pd.DataFrame, points: pd.DataFrame, *,
                       x_title: str, y_title: str, level_title: str, series_title: str,
                       path_tooltip: dict[str, str], point_tooltip: dict[str, str], series_order=None,
                       title: str | None = None, size: int = 340, log_color: bool = False,
                       legend: bool = True) -> dict:
    """Contour lines + optimizer paths (rows series, step, x, y, …; one colour per series, in ``series_order``, a
    dot per step) + markers (rows x, y, label) on one square plot box of size × size, with the axis titles given.
    ``legend`` False: no colour legend (a single path named by the chart's title)."""
    contour_rows = compact_contour_frame(lines)
    x_enc = alt.X("x:Q", title=x_title, scale=alt.Scale(domain=list(x_range), nice=False))
    y_enc = alt.Y("y:Q", title=y_title, scale=alt.Scale(domain=list(y_range), nice=False))
    contours = alt.Chart(alt.NamedData(name="contours")).mark_line(strokeWidth=1, opacity=0.7).encode(
        x=x_enc, y=y_enc, detail="line:N", order="order:Q",
        color=alt.Color("level:Q", title=level_title, legend=None,
                        scale=alt.Scale(scheme="greys", reverse=True, type="symlog" if log_color else "linear")),
        tooltip=tooltips(contour_rows, {"level": level_title}))
    domain = list(series_order) if series_order is not None else sorted(paths["series"].unique())
    path_layer = alt.Chart(alt.NamedData(name="paths")).mark_line(
        strokeWidth=1.8, clip=True, opacity=0.9, point=alt.OverlayMarkDef(size=14, filled=True, clip=True)).encode(
        x=x_enc, y=y_enc, order="step:Q", detail="series:N",
        color=alt.Color("series:N", title=series_title, scale=alt.Scale(domain=domain, range=PALETTE),
                        legend=alt.Legend(orient="top") if legend else None),
        tooltip=tooltips(paths, path_tooltip))
    marks = alt.Chart(alt.NamedData(name="points")).mark_point(
        shape="cross", size=150, color="#111", filled=True, clip=True).encode(
        x=x_enc, y=y_enc, tooltip=tooltips(points, point_tooltip))
    chart = alt.layer(contours, path_layer, marks, width=size, height=size, title=title or alt.Undefined,
                      autosize=PAD, resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")))
    return from_altair(chart, {"contours": contour_rows, "paths": paths, "points": points})


def square_scatter(data: pd.DataFrame, x: str, y: str, *, domain, title: str, x_title: str, y_title: str,
                   tooltip: dict[str, str] | None = None, size: int = 190, color: str = PALETTE[0]) -> dict:
    """A small scatter with the same range on both axes, so a stretched cloud looks stretched."""
    scale = alt.Scale(domain=list(domain), nice=False)
    chart = alt.Chart(alt.NamedData(name="points"), width=size, height=size, title=title, autosize=PAD)
    chart = chart.mark_circle(size=12, opacity=0.6, color=color, clip=True).encode(
        x=alt.X(f"{x}:Q", title=x_title, scale=scale), y=alt.Y(f"{y}:Q", title=y_title, scale=scale),
        tooltip=tooltips(data, tooltip or {x: x_title, y: y_title}))
    return from_altair(chart, {"points": data})


# --- the optimizer race -----------------------------------------------------------------------------------------------
def race_frames(view: RaceView, run_codes, labels: list[str], texts: dict[str, str]) -> dict[str, pd.DataFrame]:
    """DataFrames of a ``core.views.optimizers.RaceView``: "paths" (opt, step, x, y, f, gap, last; opt is
    ``labels[run_codes[run]]``), "markers" (x, y, kind, label: the start and the known minima), "contours"."""
    plot = view.plot
    runs = plot["run"].astype(int)
    codes = np.asarray(run_codes, dtype=np.int8)[runs] if len(runs) else np.zeros(0, dtype=np.int8)
    paths = pd.DataFrame({
        "opt": pd.Categorical.from_codes(codes, categories=labels),
        "step": plot["step"].astype(np.int16), "x": plot["x"].astype(np.float32),
        "y": plot["y"].astype(np.float32), "f": plot["f"].astype(np.float64),  # f may exceed float32's 3.4e38
        "gap": plot["gap"].astype(np.float64), "last": plot["last"].astype(np.int16)})
    rows = [(view.start[0], view.start[1], texts["start"], texts["start_label"])]
    rows += [(mx, my, texts["minimum"], texts["minimum_label"]) for mx, my in view.minima]
    markers = pd.DataFrame(rows, columns=["x", "y", "kind", "label"])
    return {"paths": paths, "markers": markers, "contours": compact_contour_frame(view.contours)}


PICKS = ("pick", "pick_dot", "pick_now", "pick_marker")  # the race chart's click selections, grid node first


def race_chart(frames: dict[str, pd.DataFrame], *, x_range, y_range, series_domain: list[str],
               texts: dict[str, str], steps: int, stride: int, log_gap: bool, log_color: bool = False,
               pick_grid: int = 41, size: int = 360) -> dict:
    """Contour lines with the optimizers' paths (left) and the loss against the step (right), linked by one step
    slider drawn by the browser: scrubbing it filters both views to step ≤ k and moves a dot per optimizer, with
    no Streamlit rerun. Clicking the contour plot selects the nearest node of a pick_grid × pick_grid grid (the
    selection "pick", fields x and y), or the mark clicked (selections "pick_dot", "pick_now", "pick_marker"), for
    Streamlit to read (``show(..., on_select=…, selection_mode=list(PICKS))``).

    ``frames``: from :func:`race_frames`. ``texts``: translated titles x, y, level, opt, step, f, gap, slider,
    start, minimum, marker.

    There is no "play" button: Vega-Lite 6.4's timer animation refuses layered and concatenated views ("Animation
    involving facet, layer, or concat is currently unsupported"), and a variable parameter cannot listen to a timer.
    """
    paths = frames["paths"]
    x_scale = alt.Scale(domain=list(x_range), nice=False, zero=False)
    y_scale = alt.Scale(domain=list(y_range), nice=False, zero=False)
    color_scale = alt.Scale(domain=series_domain, range=PALETTE)
    # one legend (on the trail's line); every other layer uses the same scale without drawing its own
    color = alt.Color("opt:N", title=texts["opt"], scale=color_scale, legend=None)
    shown = [label for label in series_domain if label in set(paths["opt"].astype(str))] or series_domain
    color_legend = alt.Color("opt:N", title=texts["opt"], scale=color_scale,
                             legend=alt.Legend(orient="top", symbolType="stroke", symbolStrokeWidth=3,
                                               values=shown))
    k_max = -(-steps // stride) * stride
    k = alt.param(name="k", value=k_max,
                  bind=alt.binding_range(min=0, max=k_max, step=stride, name=texts["slider"] + " "))
    # A click picks the nearest grid node; a click that lands on a mark drawn above the grid (a path's dot, an
    # optimizer's current point, the start or a minimum) picks that mark's point instead, through its own selection.
    picks = [alt.selection_point(name=name, fields=["x", "y"], on="click", nearest=name == "pick", clear=False)
             for name in PICKS]
    pick = picks[0]
    tips = tooltips(paths, {"opt": texts["opt"], "step": texts["step"], "x": texts["x"], "y": texts["y"],
                            "f": texts["f"]}, formats={"step": None})

    (x0, x1), (y0, y1) = x_range, y_range
    n = int(pick_grid)
    grid = alt.Chart(alt.sequence(0, n * n, as_="i")).transform_calculate(
        x=f"{x0} + (datum.i % {n}) * {(x1 - x0) / (n - 1)}",
        y=f"{y0} + floor(datum.i / {n}) * {(y1 - y0) / (n - 1)}",
    ).mark_square(size=30, opacity=0).encode(
        x=alt.X("x:Q", title=texts["x"], scale=x_scale), y=alt.Y("y:Q", title=texts["y"], scale=y_scale),
        tooltip=tooltips(None, {"x": texts["x"], "y": texts["y"]}, kinds={"x": "Q", "y": "Q"}, number=".3~g"),
    ).add_params(pick).properties(name="pick_view")
    contour_color = alt.Scale(scheme="blues", reverse=True, type="symlog" if log_color else "linear")
    contours = alt.Chart(alt.NamedData(name="contours")).mark_line(strokeWidth=1, opacity=0.7, clip=True).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), detail="line:N", order="order:Q",
        color=alt.Color("level:Q", scale=contour_color, legend=None),
        tooltip=tooltips(frames["contours"], {"level": texts["level"]}))
    base = alt.Chart(alt.NamedData(name="paths")).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), color=color, detail="opt:N",
        order="step:Q")
    faded = base.mark_line(strokeWidth=1.5, opacity=0.25, clip=True)
    walked = base.transform_filter("datum.step <= k")
    trail_line = walked.mark_line(strokeWidth=2.2, clip=True).encode(color=color_legend)
    trail_dots = walked.mark_circle(size=14, clip=True).encode(tooltip=tips).add_params(picks[1]).properties(
        name="pick_dot_view")
    now = base.transform_filter("datum.step == min(k, datum.last)").mark_point(
        filled=True, size=120, stroke="#111", strokeWidth=1, opacity=1, clip=True).encode(
        tooltip=tips).add_params(picks[2]).properties(name="pick_now_view")
    marks = alt.Chart(alt.NamedData(name="markers")).mark_point(
        filled=True, size=160, color="#111", clip=True).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale),
        shape=alt.Shape("kind:N", scale=alt.Scale(domain=[texts["start"], texts["minimum"]],
                                                  range=["cross", "diamond"]), legend=None),
        tooltip=tooltips(frames["markers"], {"label": texts["marker"], "x": texts["x"], "y": texts["y"]}),
    ).add_params(picks[3]).properties(name="pick_marker_view")
    left = alt.layer(grid, contours, faded, trail_line, trail_dots, now, marks).properties(width=size, height=size)

    gap_scale = alt.Scale(type="log") if log_gap else alt.Scale(zero=False)
    gap_axis = alt.Axis(format=".0e") if log_gap else alt.Axis()
    loss_base = alt.Chart(alt.NamedData(name="paths")).encode(
        x=alt.X("step:Q", title=texts["step"], scale=alt.Scale(domain=[0, max(steps, 1)], nice=False)),
        y=alt.Y("gap:Q", title=texts["gap"], scale=gap_scale, axis=gap_axis), color=color, detail="opt:N",
        order="step:Q")
    loss_tips = tooltips(paths, {"opt": texts["opt"], "step": texts["step"], "gap": texts["gap"]},
                         formats={"step": None, "gap": ".3~e" if log_gap else ".4~g"})
    loss_faded = loss_base.mark_line(strokeWidth=1.5, opacity=0.25)
    loss_walked = loss_base.transform_filter("datum.step <= k").mark_line(strokeWidth=2.2)
    loss_now = loss_base.transform_filter("datum.step == min(k, datum.last)").mark_point(
        filled=True, size=90, stroke="#111", strokeWidth=1, opacity=1).encode(tooltip=loss_tips)
    loss_hover = loss_base.mark_circle(size=40, opacity=0).encode(tooltip=loss_tips)
    right = alt.layer(loss_faded, loss_walked, loss_now, loss_hover).properties(width=size, height=size)
    chart = alt.hconcat(left, right).add_params(k).resolve_scale(color="shared")
    spec = from_altair(chart, frames)
    # Altair hoists the four click selections to the top and lists every one of their views under each; each
    # belongs to its own layer only (else all four would answer every click on any of them).
    layers = spec["hconcat"][0]["layer"]
    for param in spec["params"]:
        if param["name"] in PICKS:
            param["views"] = [layer["name"] for layer in layers  # Altair suffixes the names (pick_view_0)
                              if str(layer.get("name")).startswith(f"{param['name']}_view")]
    return spec


def labels_order(cells: pd.DataFrame) -> list[str]:
    """The optimizers present, in their categorical order (facet panels follow the page's order)."""
    present = set(cells["opt"].astype(str))
    return [label for label in cells["opt"].cat.categories if label in present]
