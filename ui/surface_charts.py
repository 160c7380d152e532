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


# --- added for input-normalization and batch-size ------------------------------------------------------------------
# Like the optimizers page's builders below, these return a finished Vega-Lite dict (see ``vega_spec``) whose
# datasets are named DataFrames, so a page can cache a figure whole and show it with :func:`ui.charts.show_spec`.
PAD = alt.AutoSizeParams(type="pad", contains="padding")  # the plot box is exactly width × height


def _tips(data: pd.DataFrame, fields: dict[str, str]) -> list:
    """Tooltips for the columns of a named dataset (typed here: Altair cannot look into a NamedData)."""
    return [alt.Tooltip(f"{column}:Q", title=title, format=".4~g") if pd.api.types.is_numeric_dtype(data[column])
            else alt.Tooltip(f"{column}:N", title=title) for column, title in fields.items()]


def surface_with_paths(lines: ContourLines, x_range, y_range, paths: pd.DataFrame, points: pd.DataFrame, *,
                       x_title: str, y_title: str, level_title: str, series_title: str,
                       path_tooltip: dict[str, str], point_tooltip: dict[str, str], series_order=None,
                       title: str | None = None, size: int = 340, log_color: bool = False,
                       legend: bool = True) -> dict:
    """Contour lines + optimizer paths (rows series, step, x, y, …; one colour per series, in ``series_order``, a
    dot per step) + markers (rows x, y, label) on one square plot box of size × size, with the axis titles given.
    ``legend`` False: no colour legend (a single path named by the chart's title). Returns a :func:`vega_spec`."""
    x_enc = alt.X("x:Q", title=x_title, scale=alt.Scale(domain=list(x_range), nice=False))
    y_enc = alt.Y("y:Q", title=y_title, scale=alt.Scale(domain=list(y_range), nice=False))
    contours = alt.Chart(alt.NamedData(name="contours")).mark_line(strokeWidth=1, opacity=0.7).encode(
        x=x_enc, y=y_enc, detail="line:N", order="order:Q",
        color=alt.Color("level:Q", title=level_title, legend=None,
                        scale=alt.Scale(scheme="greys", reverse=True, type="symlog" if log_color else "linear")),
        tooltip=[alt.Tooltip("level:Q", title=level_title, format=".4~g")])
    domain = list(series_order) if series_order is not None else sorted(paths["series"].unique())
    path_layer = alt.Chart(alt.NamedData(name="paths")).mark_line(
        strokeWidth=1.8, clip=True, opacity=0.9, point=alt.OverlayMarkDef(size=14, filled=True, clip=True)).encode(
        x=x_enc, y=y_enc, order="step:Q", detail="series:N",
        color=alt.Color("series:N", title=series_title, scale=alt.Scale(domain=domain, range=PALETTE),
                        legend=alt.Legend(orient="top") if legend else None),
        tooltip=_tips(paths, path_tooltip))
    marks = alt.Chart(alt.NamedData(name="points")).mark_point(
        shape="cross", size=150, color="#111", filled=True, clip=True).encode(
        x=x_enc, y=y_enc, tooltip=_tips(points, point_tooltip))
    chart = alt.layer(contours, path_layer, marks, width=size, height=size, title=title or alt.Undefined,
                      autosize=PAD, resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")))
    return vega_spec(chart, {"contours": contour_frame(lines), "paths": paths, "points": points})


def log_lines(data: pd.DataFrame, x: str, y: str, color: str, *, x_title: str, y_title: str, color_title: str,
              tooltip: dict[str, str] | None = None, x_log: bool = False, y_log: bool = True,
              color_order=None, points: bool = False, height: int = 260, title: str | None = None,
              legend: bool = True, markers: pd.DataFrame | None = None,
              marker_tooltip: dict[str, str] | None = None) -> dict:
    """One line per ``color`` value on log (or linear) axes, optionally with a dot per row; ``markers`` (columns x
    and y named as in ``data``) are drawn as diamonds on top (the current setting). ``legend`` False: no colour
    legend (when a chart next to it already explains the colours). Returns a :func:`vega_spec`."""
    fields = tooltip or {column: column for column in data.columns}
    domain = list(color_order) if color_order is not None else sorted(data[color].unique())
    x_enc = alt.X(f"{x}:Q", title=x_title, scale=alt.Scale(type="log", nice=False) if x_log else alt.Undefined)
    y_enc = alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(type="log") if y_log else alt.Undefined)
    line = alt.Chart(alt.NamedData(name="lines")).mark_line(
        strokeWidth=2.2, point=alt.OverlayMarkDef(size=40, filled=True) if points else False).encode(
        x=x_enc, y=y_enc,
        color=alt.Color(f"{color}:N", title=color_title, scale=alt.Scale(domain=domain, range=PALETTE),
                        legend=alt.Legend(orient="top") if legend else None),
        tooltip=_tips(data, fields))
    datasets = {"lines": data}
    if markers is None:
        chart = line.properties(height=height, **({"title": title} if title else {}))
    else:
        mark_fields = marker_tooltip or {column: column for column in markers.columns}
        dots = alt.Chart(alt.NamedData(name="markers")).mark_point(
            filled=True, size=110, color="#222", shape="diamond").encode(
            x=x_enc, y=y_enc, tooltip=_tips(markers, mark_fields))
        chart = alt.layer(line, dots, height=height, title=title or alt.Undefined)
        datasets["markers"] = markers
    return vega_spec(chart, datasets)


def square_scatter(data: pd.DataFrame, x: str, y: str, *, domain, title: str, x_title: str, y_title: str,
                   tooltip: dict[str, str] | None = None, size: int = 190, color: str = PALETTE[0]) -> dict:
    """A small scatter with the same range on both axes, so a stretched cloud looks stretched. Returns a
    :func:`vega_spec`."""
    fields = tooltip or {x: x_title, y: y_title}
    scale = alt.Scale(domain=list(domain), nice=False)
    chart = alt.Chart(alt.NamedData(name="points"), width=size, height=size, title=title, autosize=PAD)
    chart = chart.mark_circle(size=12, opacity=0.6, color=color, clip=True).encode(
        x=alt.X(f"{x}:Q", title=x_title, scale=scale), y=alt.Y(f"{y}:Q", title=y_title, scale=scale),
        tooltip=_tips(data, fields))
    return vega_spec(chart, {"points": data})


# ---------------------------------------------------------------- the optimizers page: race, phase diagram, basins
# These builders return a finished Vega-Lite dict (``vega_spec``) whose datasets are named DataFrames, so a page can
# cache the whole figure with st.cache_data and hand it to st.vega_lite_chart: building and validating a layered
# Altair chart costs far more than a warm rerun may take, and it only changes when the settings do.

ALTAIR_DEFAULT_CONFIG = {"view": {"continuousWidth": 300, "continuousHeight": 300}}


def vega_spec(chart, datasets: dict[str, pd.DataFrame]) -> dict:
    """The chart as a Vega-Lite dict with ``datasets`` attached by name (the chart refers to them with
    ``alt.NamedData``); Streamlit sends each as Arrow. The default theme's view size is dropped, as Streamlit does."""
    spec = chart.to_dict()
    if spec.get("config") == ALTAIR_DEFAULT_CONFIG:
        del spec["config"]
    spec["datasets"] = dict(datasets)
    return spec


def compact_contour_frame(lines: ContourLines) -> pd.DataFrame:
    """Rows (level, line, order, x, y) in 32-bit floats and 16-bit ids: the contour lines in the fewest bytes."""
    return pd.DataFrame({"level": lines.level.astype(np.float32), "line": lines.line.astype(np.int16),
                         "order": lines.order.astype(np.int16), "x": lines.x.astype(np.float32),
                         "y": lines.y.astype(np.float32)})


def race_frames(view, run_codes, labels: list[str], texts: dict[str, str]) -> dict[str, pd.DataFrame]:
    """DataFrames of a :class:`core.views.optimizers.RaceView`: "paths" (opt, step, x, y, f, gap, last; opt is
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
    Streamlit to read. Returns a :func:`vega_spec`.

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
    tips = [alt.Tooltip("opt:N", title=texts["opt"]), alt.Tooltip("step:Q", title=texts["step"]),
            alt.Tooltip("x:Q", title=texts["x"], format=".4~g"), alt.Tooltip("y:Q", title=texts["y"], format=".4~g"),
            alt.Tooltip("f:Q", title=texts["f"], format=".4~g")]

    (x0, x1), (y0, y1) = x_range, y_range
    n = int(pick_grid)
    grid = alt.Chart(alt.sequence(0, n * n, as_="i")).transform_calculate(
        x=f"{x0} + (datum.i % {n}) * {(x1 - x0) / (n - 1)}",
        y=f"{y0} + floor(datum.i / {n}) * {(y1 - y0) / (n - 1)}",
    ).mark_square(size=30, opacity=0).encode(
        x=alt.X("x:Q", title=texts["x"], scale=x_scale), y=alt.Y("y:Q", title=texts["y"], scale=y_scale),
        tooltip=[alt.Tooltip("x:Q", title=texts["x"], format=".3~g"),
                 alt.Tooltip("y:Q", title=texts["y"], format=".3~g")],
    ).add_params(pick).properties(name="pick_view")
    contour_color = alt.Scale(scheme="blues", reverse=True, type="symlog" if log_color else "linear")
    contours = alt.Chart(alt.NamedData(name="contours")).mark_line(strokeWidth=1, opacity=0.7, clip=True).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), detail="line:N", order="order:Q",
        color=alt.Color("level:Q", scale=contour_color, legend=None),
        tooltip=[alt.Tooltip("level:Q", title=texts["level"], format=".4~g")])
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
        tooltip=[alt.Tooltip("label:N", title=texts["marker"]), alt.Tooltip("x:Q", title=texts["x"], format=".4~g"),
                 alt.Tooltip("y:Q", title=texts["y"], format=".4~g")]).add_params(picks[3]).properties(
        name="pick_marker_view")
    left = alt.layer(grid, contours, faded, trail_line, trail_dots, now, marks).properties(width=size, height=size)

    gap_scale = alt.Scale(type="log") if log_gap else alt.Scale(zero=False)
    gap_axis = alt.Axis(format=".0e") if log_gap else alt.Axis()
    loss_base = alt.Chart(alt.NamedData(name="paths")).encode(
        x=alt.X("step:Q", title=texts["step"], scale=alt.Scale(domain=[0, max(steps, 1)], nice=False)),
        y=alt.Y("gap:Q", title=texts["gap"], scale=gap_scale, axis=gap_axis), color=color, detail="opt:N",
        order="step:Q")
    loss_tips = tips[:2] + [alt.Tooltip("gap:Q", title=texts["gap"], format=".3~e" if log_gap else ".4~g")]
    loss_faded = loss_base.mark_line(strokeWidth=1.5, opacity=0.25)
    loss_walked = loss_base.transform_filter("datum.step <= k").mark_line(strokeWidth=2.2)
    loss_now = loss_base.transform_filter("datum.step == min(k, datum.last)").mark_point(
        filled=True, size=90, stroke="#111", strokeWidth=1, opacity=1).encode(tooltip=loss_tips)
    loss_hover = loss_base.mark_circle(size=40, opacity=0).encode(tooltip=loss_tips)
    right = alt.layer(loss_faded, loss_walked, loss_now, loss_hover).properties(width=size, height=size)
    chart = alt.hconcat(left, right).add_params(k).resolve_scale(color="shared")
    spec = vega_spec(chart, frames)
    # Altair hoists the four click selections to the top and lists every one of their views under each; each
    # belongs to its own layer only (else all four would answer every click on any of them).
    layers = spec["hconcat"][0]["layer"]
    for param in spec["params"]:
        if param["name"] in PICKS:
            param["views"] = [layer["name"] for layer in layers  # Altair suffixes the names (pick_view_0)
                              if str(layer.get("name")).startswith(f"{param['name']}_view")]
    return spec


PHASE_COLORS = ["#4c9a6a", "#e0a42f", "#b8505a"]  # converges, oscillates, diverges


def phase_frames(view, phase_labels: list[str], line_labels: tuple[str, str]) -> dict[str, pd.DataFrame]:
    """DataFrames of a :class:`core.views.optimizers.PhaseView`: "cells" (i, j, phase, lr, mu; column i of the η
    grid, row j of the μ grid) and "lines" (lr, mu, line: the two theory boundaries)."""
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
    small columns travel. ``texts``: lr, mu, phase, line, current. Returns a :func:`vega_spec` (without "current",
    which the caller adds: it changes with the settings while the rest does not)."""
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
        tooltip=[alt.Tooltip("lr:Q", title=texts["lr"], format=".3~g"),
                 alt.Tooltip("mu:Q", title=texts["mu"], format=".3~g"), alt.Tooltip("phase:N", title=texts["phase"])])
    lines = alt.Chart(alt.NamedData(name="lines")).mark_line(
        color="#111", strokeDash=[5, 3], strokeWidth=1.5, clip=True).encode(
        x=alt.X("lr:Q", scale=x_scale), y=alt.Y("mu:Q", scale=y_scale), detail="line:N", order="mu:Q",
        tooltip=[alt.Tooltip("line:N", title=texts["line"])])
    here = alt.Chart(alt.NamedData(name="current")).mark_point(
        shape="cross", filled=True, size=260, color="#111", stroke="white", strokeWidth=1, clip=True).encode(
        x=alt.X("lr:Q", scale=x_scale), y=alt.Y("mu:Q", scale=y_scale),
        tooltip=[alt.Tooltip("label:N", title=texts["current"]),
                 alt.Tooltip("lr:Q", title=texts["lr"], format=".4~g"),
                 alt.Tooltip("mu:Q", title=texts["mu"], format=".3~g")])
    return vega_spec(alt.layer(rects, lines, here).properties(height=height), frames)


BASIN_COLORS = ["#3b6ea5", "#e07a2f", "#4c9a6a", "#7d62a8", "#d9d9d9"]


def basin_frames(view, run_codes, labels: list[str], basin_labels: list[str]) -> dict[str, pd.DataFrame]:
    """The "cells" DataFrame of a :class:`core.views.optimizers.BasinView`: rows (opt, i, j, basin), basin the label
    of the minimum reached (the last label, "none", for −1)."""
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
    Returns a :func:`vega_spec`.
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
        tooltip=[alt.Tooltip("opt:N", title=texts["opt"]), alt.Tooltip("x:Q", title=texts["x"], format=".3~g"),
                 alt.Tooltip("y:Q", title=texts["y"], format=".3~g"), alt.Tooltip("basin:N", title=texts["basin"])],
    ).facet(facet=alt.Facet("opt:N", title=None, sort=labels_order(frames["cells"])), columns=columns)
    return vega_spec(chart, frames)


def labels_order(cells: pd.DataFrame) -> list[str]:
    """The optimizers present, in their categorical order (facet panels follow the page's order)."""
    present = set(cells["opt"].astype(str))
    return [label for label in cells["opt"].cat.categories if label in present]
