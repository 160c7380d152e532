"""Initialization: activations layer by layer (Glorot & Bengio 2010), the std per layer for every scheme, Xavier's
gain, the symmetry problem of a constant start, and a training race across initialisations."""
import numpy as np
import pandas as pd
import streamlit as st

from core.views import initialization as V
from ui.charts import show
from ui.charts.grids import histogram_panels, weight_grids
from ui.charts.lines import fraction_lines, log_lines
from ui.lesson import LessonPage
from ui.training_slots import training_slot

page = LessonPage("initialization")
T = page.t

cached_view = st.cache_data(V.init_view, show_spinner=False)
cached_std = st.cache_data(V.std_by_init, show_spinner=False)
cached_symmetry = st.cache_data(V.symmetry_demo, show_spinner=False)
cached_race = st.cache_data(V.init_race, show_spinner=False)

INITS = list(V.RACE_INITS)


def init_name(init: str) -> str:
    return T(f"options.init.{init}")


def number(value: float) -> str:
    """3 significant digits; tiny and huge numbers in scientific notation."""
    if np.isnan(value):
        return "—"
    if not np.isfinite(value):
        return "∞"
    return f"{value:.3g}"


# --- 1. Activations, layer by layer ------------------------------------------------------------------------------
st.header(T("hist.title"))
page.prose(T("hist.intro"))
with page.main_experiment():
    first, second, third = st.columns(3, gap="large")
    with first:
        activation = page.choice("activation", list(V.ACTIVATIONS), "tanh", kind="radio", horizontal=True)
        init = page.choice("init", INITS, "xavier")
    with second:
        depth = page.slider("depth", 2, 30, 10)
        width = page.slider("width", 16, 256, 128, 16)
    with third:
        use_gain = page.toggle("use_gain", True)
    view = cached_view(activation, init, int(depth), int(width), bool(use_gain))
    with third:
        st.metric(T("hist.gain_metric"), f"{view.gain:.3g}")

    panel_names = [T("col.layer_n", n=layer) for layer in view.panels]
    bins = len(view.hist_share[0])
    hist = pd.DataFrame({"panel": np.repeat(panel_names, bins),
                         "x0": np.concatenate([edges[:-1] for edges in view.hist_edges]),
                         "x1": np.concatenate([edges[1:] for edges in view.hist_edges]),
                         "share": np.concatenate(view.hist_share)})
    show(histogram_panels(
        hist, panel="panel", x0="x0", x1="x1", share="share", x_title=T("col.activation_value"),
        panel_order=panel_names, independent_x=activation == "relu",
        tooltip={"panel": T("col.layer"), "x0": T("col.from"), "x1": T("col.to"), "share": T("col.share")}),
        fixed=True)
st.caption(T("hist.panels_note", shown=len(view.panels), depth=view.depth, n=V.STATS_SAMPLES, width=view.width))
if view.overflow.any():
    st.warning(T("hist.overflow", layer=int(np.argmax(view.overflow)) + 1))

sigma_formula = {
    "zeros": "\\sigma_W = 0",
    "constant": f"W_{{ij}} = {V.CONSTANT:g}\\ (\\sigma_W = 0)",
    "normal_small": "\\sigma_W = 0.01",
    "normal_1": "\\sigma_W = 1",
    "xavier": f"\\sigma_W = g\\sqrt{{\\tfrac{{2}}{{n_{{in}} + n_{{out}}}}}} = {view.gain:.3g}"
              f"\\sqrt{{\\tfrac{{2}}{{{width} + {width}}}}} = {view.sigma_w:.4g}",
    "he": f"\\sigma_W = \\frac{{g}}{{\\sqrt{{n_{{in}}}}}} = \\frac{{{view.gain:.3g}}}{{\\sqrt{{{width}}}}} = "
          f"{view.sigma_w:.4g}",
}[init]
st.latex(f"{sigma_formula},\\qquad \\sqrt{{n_{{in}}}}\\,\\sigma_W = \\sqrt{{{width}}}\\cdot{view.sigma_w:.4g} = "
         f"{view.linear_gain:.3g}")
left, middle, right = st.columns(3)
left.metric(T("hist.std_first"), number(view.std[0]))
middle.metric(T("hist.std_last", layer=view.depth), number(view.std[-1]),
              delta=T("hist.ratio", ratio=number(view.growth)), delta_color="off", delta_arrow="off")
if activation in ("tanh", "sigmoid"):
    right.metric(T("hist.saturated_last", layer=view.depth), f"{100 * view.saturated[-1]:.0f} %")
else:
    right.metric(T("hist.zero_last", layer=view.depth), f"{100 * view.zero[-1]:.0f} %")
st.markdown(T("hist.variance"))
st.info(T(f"reading.{init}"), icon=":material/visibility:")

# --- 2. Std per layer, every initialisation ------------------------------------------------------------------------
st.header(T("std.title"))
st.markdown(T("std.intro"))
table = cached_std(activation, int(depth), int(width), bool(use_gain))
layers = np.arange(1, int(depth) + 1)
names = [init_name(i) for i in table.inits]
rows, dashed = list(table.std), []
if table.xavier_other_gain is not None:
    dashed = [T("std.xavier_other", gain="1" if use_gain else f"{V.gain(activation):.3g}")]
    rows.append(table.xavier_other_gain)
order = names + dashed
std_frame = pd.DataFrame({"layer": np.tile(layers, len(order)), "std": np.concatenate(rows),
                          "series": np.repeat(order, len(layers))})
show(log_lines(
    std_frame, "layer", "std", "series", x_title=T("col.layer"), y_title=T("col.std"), color_title=T("col.init"),
    color_order=order, dashed=dashed, bold=init_name(init),
    tooltip={"series": T("col.init"), "layer": T("col.layer"), "std": T("col.std")},
    whole_x=True, scientific=True, clip=True, legend_columns=3, dots="light"))
if (table.std == 0).any():
    st.caption(T("std.zero_note"))
if table.xavier_decay is not None:
    st.markdown(T(f"std.gain_reading_{activation}", g=f"{V.gain(activation):.3g}", depth=int(depth),
                  ratio_gain=number(table.xavier_decay[True]), ratio_one=number(table.xavier_decay[False])))
else:
    st.markdown(T("std.sigmoid_gain"))
if activation in ("tanh", "sigmoid"):
    st.subheader(T("std.saturation_title"))
    saturation = pd.DataFrame({"layer": np.tile(layers, len(names)), "saturated": table.saturated.reshape(-1),
                               "series": np.repeat(names, len(layers))})
    show(fraction_lines(
        saturation, "layer", "saturated", "series", x_title=T("col.layer"), y_title=T("col.saturated"),
        color_title=T("col.init"), color_order=names, bold=init_name(init),
        tooltip={"series": T("col.init"), "layer": T("col.layer"), "saturated": T("col.saturated")}))
    st.markdown(T(f"std.saturation_{activation}"))

# --- 3. The symmetry problem -----------------------------------------------------------------------------------------
st.header(T("symmetry.title"))
st.markdown(T("symmetry.intro"))
with training_slot():
    symmetry = cached_symmetry(activation)
panels = [T("symmetry.panel", init=init_name(i)) for i in symmetry.inits]
units, inputs = symmetry.first_weights[0].shape
cells = pd.DataFrame({"panel": np.repeat(panels, units * inputs),
                      "unit": np.tile(np.repeat(np.arange(1, units + 1), inputs), len(panels)),
                      "input": np.tile([f"x{chr(0x2081 + j)}" for j in range(inputs)], units * len(panels)),
                      "w": np.concatenate([W.reshape(-1) for W in symmetry.first_weights])})
show(weight_grids(
    cells, panel="panel", row="unit", column="input", value="w", panel_order=panels,
    row_title=T("col.unit"), column_title=T("col.input"), color_title="w",
    tooltip={"panel": T("col.init"), "unit": T("col.unit"), "input": T("col.input"), "w": "w"}), fixed=True)
constant_run, xavier_run = 0, 1
left, right = st.columns(2)
left.metric(T("symmetry.distinct", init=init_name("constant")),
            T("symmetry.distinct_value", distinct=int(symmetry.distinct_after[constant_run].max()),
              width=symmetry.hidden[0]),
            delta=T("symmetry.accuracy", acc=f"{100 * symmetry.val_acc[constant_run]:.0f}"), delta_color="off",
            delta_arrow="off")
right.metric(T("symmetry.distinct", init=init_name("xavier")),
             T("symmetry.distinct_value", distinct=int(symmetry.distinct_after[xavier_run].min()),
               width=symmetry.hidden[0]),
             delta=T("symmetry.accuracy", acc=f"{100 * symmetry.val_acc[xavier_run]:.0f}"), delta_color="off",
             delta_arrow="off")
st.markdown(T("symmetry.reading", epochs=symmetry.epochs))

# --- 4. A training race ----------------------------------------------------------------------------------------------
st.header(T("race.title"))
st.markdown(T("race.intro"))
left, right = st.columns(2, gap="large")
with left:
    race_depth = page.slider("race_depth", 2, 10, 5)
with right:
    race_epochs = page.slider("race_epochs", 20, 150, 60, 10)
with training_slot():
    race = cached_race(activation, int(race_depth), int(race_epochs))
race_names = [init_name(i) for i in race.inits]
curves = pd.DataFrame({"epoch": np.tile(race.epochs, len(race_names)), "loss": race.train_loss.reshape(-1),
                       "series": np.repeat(race_names, len(race.epochs))})
show(log_lines(
    curves, "epoch", "loss", "series", x_title=T("col.epoch"), y_title=T("col.loss"), color_title=T("col.init"),
    color_order=race_names, bold=init_name(init),
    tooltip={"series": T("col.init"), "epoch": T("col.epoch"), "loss": T("col.loss")},
    whole_x=True, scientific=True, clip=True, legend_columns=3))
results = pd.DataFrame({
    T("col.init"): race_names,
    T("col.final_loss"): [number(v) for v in race.final_loss],
    T("col.train_acc"): [f"{100 * a:.0f} %" for a in race.train_acc],
    T("col.val_acc"): [f"{100 * a:.0f} %" for a in race.val_acc],
    T("col.diverged"): [T("race.diverged_at", epoch=int(e)) if e else "—" for e in race.diverged],
})
st.dataframe(results, hide_index=True)
st.caption(T("race.setup", depth=race.depth, width=race.width, epochs=int(race_epochs)))
st.markdown(T("race.reading"))

page.question("deep_normal", ["near_zero", "saturated", "spread"], correct="saturated")
page.finish()
