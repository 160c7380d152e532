"""Batch size: full batch, mini-batch and one sample per step on the same regression, with real mini-batch gradients;
the gradient noise against the batch size; why one sample per step needs a decaying learning rate."""
import pandas as pd
import streamlit as st

from core.views import batch_size as V
from ui.charts import show
from ui.charts.lines import log_lines
from ui.charts.surfaces import surface_with_paths
from ui.i18n import Texts
from ui.lesson import LessonPage

PAGE_ID = "batch_size"
page = LessonPage(PAGE_ID)
T = page.t

cached_view = st.cache_data(V.batch_size_view, show_spinner=False, max_entries=256)
SCHEDULES = list(V.SCHEDULES)
RUNS = ("full", "mini", "single")


def run_names(view, text) -> dict[str, str]:
    """Legend names of the three runs, with their batch sizes."""
    return {key: text(f"col.{key}", b=getattr(view, key).batch_size) for key in RUNS}


# The figures are cached whole (finished Vega-Lite dicts): building and validating a layered Altair chart (the paths
# on their contours) takes longer than a warm rerun may, and a figure changes only with the settings or the language.
@st.cache_data(show_spinner=False, max_entries=128)
def figures(settings: tuple, lang: str, paths_size: int = 380) -> dict[str, dict]:
    """Every chart of the page for one setting and language: "paths" (the three runs on the contours, a square of
    ``paths_size`` px), "by_epoch" and "by_step" (loss above the minimum), "noise" (mini-batch gradient spread
    against b)."""
    text = Texts(PAGE_ID, lang)
    view = cached_view(*settings)
    names = run_names(view, text)
    order = [names[key] for key in RUNS]
    runs = [(names[key], getattr(view, key)) for key in RUNS]
    paths = pd.concat([pd.DataFrame({"series": name, "step": run.path_steps, "x": run.path[:, 0],
                                     "y": run.path[:, 1]}) for name, run in runs], ignore_index=True)
    points = pd.DataFrame({"x": [view.start[0], view.minimum[0]], "y": [view.start[1], view.minimum[1]],
                           "label": [text("col.start"), text("col.minimum")]})
    out = {"paths": surface_with_paths(
        view.contours, view.x_range, view.y_range, paths, points, x_title="w₁", y_title="w₂",
        level_title=text("col.loss"), series_title=text("col.run"), series_order=order,
        path_tooltip={"series": text("col.run"), "step": text("col.step"), "x": "w₁", "y": "w₂"},
        point_tooltip={"label": text("col.point"), "x": "w₁", "y": "w₂"}, size=paths_size)}
    gap = text("col.gap")
    by_epoch = pd.concat([pd.DataFrame({"series": name, "epoch": run.epoch_x, "gap": run.epoch_gaps})
                          for name, run in runs], ignore_index=True)
    by_step = pd.concat([pd.DataFrame({"series": name, "step": run.curve_steps, "gap": run.curve_gaps})
                         for name, run in runs], ignore_index=True)
    out["by_epoch"] = log_lines(
        by_epoch, "epoch", "gap", "series", x_title=text("col.epoch"), y_title=gap, color_title=text("col.run"),
        color_order=order, title=text("runs.by_epoch"), height=240, legend=False, line_width=2.2,
        tooltip={"series": text("col.run"), "epoch": text("col.epoch"), "gap": gap})
    out["by_step"] = log_lines(
        by_step, "step", "gap", "series", x_title=text("col.step_log"), y_title=gap, color_title=text("col.run"),
        color_order=order, x_log=True, title=text("runs.by_step"), height=240, legend=False, line_width=2.2,
        tooltip={"series": text("col.run"), "step": text("col.step"), "gap": gap})
    noise = view.noise
    measured, predicted = text("col.measured"), text("col.predicted")
    count = len(noise.sizes)
    frame = pd.DataFrame({"b": list(noise.sizes.astype(float)) * 2,
                          "spread": list(noise.measured) + list(noise.predicted),
                          "series": [measured] * count + [predicted] * count})
    spread = text("col.spread")
    here = (pd.DataFrame({"b": [float(view.mini.batch_size)], "spread": [view.noise_at_batch]})
            if view.noise_at_batch > 0 else None)
    out["noise"] = log_lines(
        frame, "b", "spread", "series", x_title=text("col.batch"), y_title=spread, color_title=text("col.series"),
        x_log=True, y_log=True, color_order=[measured, predicted], line_width=2.2, dots="solid", height=330,
        tooltip={"series": text("col.series"), "b": text("col.batch"), "spread": spread},
        markers=here, marker_tooltip={"b": text("col.batch"), "spread": spread})
    return out


# --- 1. Three ways through an epoch --------------------------------------------------------------------------------
st.header(T("runs.title"))
page.prose(T("runs.intro"))
with page.main_experiment():
    first, second, third = st.columns(3, gap="large")
    with first:
        batch_size = page.slider("batch_size", 1, 200, 20)
        lr = page.slider("lr", 0.01, 0.5, 0.05, 0.01)
    with second:
        epochs = page.slider("epochs", 1, 20, 10)
        seed = page.slider("seed", 0, 99, 0)
    with third:
        schedule = page.choice("schedule", SCHEDULES, "constant", kind="radio")
    settings = (int(batch_size), round(float(lr), 6), int(epochs), schedule, int(seed))
    view = cached_view(*settings)
    figs = figures(settings, T.lang, 260 if page.lecture else 380)  # lecture mode: the first screen holds it
    names = run_names(view, T)
    runs = [(key, getattr(view, key)) for key in RUNS]

    left, right = st.columns([1, 1], gap="large")
    with left:
        show(figs["paths"], fixed=True)
    with right:
        show(figs["by_epoch"])
        show(figs["by_step"])
st.caption(T("runs.charts_note"))
table = pd.DataFrame({
    T("col.run"): [names[key] for key in RUNS],
    T("col.per_epoch"): [run.steps_per_epoch for _, run in runs],
    T("col.updates"): [run.steps for _, run in runs],
    T("col.final_gap"): [f"{run.final_gap:.3g}" for _, run in runs],
    T("col.final_distance"): [f"{run.final_distance:.3g}" for _, run in runs],
})
st.dataframe(table, hide_index=True, width="stretch")
st.caption(T("runs.table_note", n=view.n, epochs=view.epochs, lr=f"{view.lr:g}",
             schedule=T(f"options.schedule.{schedule}")))
for key, run in runs:
    if run.diverged_at is not None:
        st.error(T("runs.diverged", run=names[key], step=run.diverged_at))
st.latex(f"g_B = \\frac{{2}}{{b}} X_B^\\top (X_B w - t_B),\\quad b = {view.mini.batch_size},\\qquad "
         f"w \\leftarrow w - \\eta\\, g_B,\\quad \\eta = {view.lr:g},\\qquad "
         f"\\lceil n/b \\rceil = \\lceil {view.n}/{view.mini.batch_size} \\rceil = {view.mini.steps_per_epoch}"
         f"\\ \\text{{{T('runs.updates_per_epoch')}}}")
st.markdown(T("runs.reading"))

# --- 2. Gradient noise ------------------------------------------------------------------------------------------------
st.header(T("noise.title"))
st.markdown(T("noise.intro"))
noise = view.noise
show(figs["noise"])
st.latex(f"\\mathbb{{E}}\\,\\lVert g_B - \\nabla f \\rVert^2 = \\frac{{\\sigma^2}}{{b}}\\cdot\\frac{{n-b}}{{n-1}} = "
         f"\\frac{{{noise.sigma2:.3g}}}{{{view.mini.batch_size}}}\\cdot\\frac{{{view.n}-{view.mini.batch_size}}}"
         f"{{{view.n}-1}} = {view.noise_at_batch:.3g}")
st.markdown(T("noise.reading"))

# --- 3. One sample per step: a constant learning rate never settles -----------------------------------------------
st.header(T("settle.title"))
st.markdown(T("settle.intro"))
formulas = {
    "constant": f"\\eta_t = \\eta = {view.lr:g}",
    "inverse_time": f"\\eta_t = \\frac{{\\eta}}{{1 + t/T}},\\ T = {view.single.steps_per_epoch}:\\ "
                    f"\\eta_{{{view.single.steps - 1}}} = {view.single.final_lr:.3g}",
    "step": f"\\eta_t = \\eta\\cdot 0.5^{{\\lfloor t/(2T) \\rfloor}},\\ T = {view.single.steps_per_epoch}:\\ "
            f"\\eta_{{{view.single.steps - 1}}} = {view.single.final_lr:.3g}",
}
st.latex(formulas[schedule])
constant_col, chosen_col, mini_col = st.columns(3)
constant_col.metric(T("settle.constant_distance"), f"{view.single_constant.last_epoch_distance:.3g}",
                    help=T("settle.distance_help"))
if schedule == "constant":
    chosen_col.info(T("settle.pick"))
else:
    chosen_col.metric(T("settle.chosen_distance", schedule=T(f"options.schedule.{schedule}")),
                      f"{view.single.last_epoch_distance:.3g}", help=T("settle.distance_help"))
mini_col.metric(names["mini"], f"{view.mini.last_epoch_distance:.3g}", help=T("settle.distance_help"))
st.markdown(T("settle.reading"))

st.header(T("practice.title"))
st.markdown(T("practice.text"))

page.question("settle", ["exact", "cloud", "away"], correct="cloud")
page.finish()
