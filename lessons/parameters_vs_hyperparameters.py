"""Parameters versus hyperparameters: every quantity of a live configuration sorted into learned parameters,
hyperparameters and running statistics; a small grid search that picks hyperparameters on validation data."""
import pandas as pd
import streamlit as st

from core.views import parameters_vs_hyperparameters as V
from ui.charts import show
from ui.charts.grids import grid_heatmap
from ui.lesson import LessonPage
from ui.training_slots import training_slot

page = LessonPage("parameters_vs_hyperparameters")
T = page.t

cached_table = st.cache_data(V.parameter_table, show_spinner=False, max_entries=64)
cached_grid = st.cache_data(V.grid_search_view, show_spinner=False, max_entries=64)

WIDTH_IDS = [str(w) for w in V.GRID_WIDTHS]
LR_IDS = [f"{lr:g}" for lr in V.GRID_LRS]
BATCH_IDS = [str(b) if b else "full" for b in V.GRID_BATCH_SIZES]
EPOCH_IDS = [str(e) for e in V.GRID_EPOCHS]

page.prose(T("intro"))

# --- 1. A live configuration ------------------------------------------------------------------------------------------
st.header(T("config.title"))
page.prose(T("config.intro"))
with page.main_experiment():
    controls_box, table_box = page.side_by_side((2, 3))
with controls_box:  # lecture mode: the controls in two columns beside the table they fill
    columns = st.columns(2 if page.lecture else 3, gap="large")
    first, second, third = columns[0], columns[1], columns[-1]
    with first:
        depth = page.slider("depth", 1, V.MAX_GRID_DEPTH, 2)
        width_id = page.choice("width", WIDTH_IDS, "8", kind="radio", horizontal=True)
        norm = page.choice("norm", ["none", "batch", "layer"], "none")
    with second:
        lr_id = page.choice("lr", LR_IDS, "0.01", kind="radio", horizontal=True)
        batch_id = page.choice("batch_size", BATCH_IDS, "32", kind="radio", horizontal=True)
    with third:
        epochs_id = page.choice("epochs", EPOCH_IDS, "50", kind="radio", horizontal=True)
        init = page.choice("init", list(V.GRID_INITS), "default")
width = V.GRID_WIDTHS[WIDTH_IDS.index(width_id)]
lr = V.GRID_LRS[LR_IDS.index(lr_id)]
batch_size = V.GRID_BATCH_SIZES[BATCH_IDS.index(batch_id)]
epochs = V.GRID_EPOCHS[EPOCH_IDS.index(epochs_id)]

counts = cached_table(int(depth), width, norm)

# --- 2. Sorting every quantity ----------------------------------------------------------------------------------------
with table_box:
    st.header(T("sorting.title"))
    kind_param, kind_hyper, kind_running = T("kind.parameter"), T("kind.hyper"), T("kind.running")
    how_param, how_hyper, how_running = T("how.parameter"), T("how.hyper"), T("how.running")
    none = T("sorting.none")
    rows = [
        (T("q.weights"), str(int(counts.weights.sum())), kind_param, how_param),
        (T("q.biases"), str(int(counts.biases.sum())) + (T("sorting.bn_no_bias") if norm == "batch" else ""),
         kind_param, how_param),
        (T("q.norm_scales"), str(int(counts.norm_scales.sum())) if norm != "none" else none, kind_param, how_param),
        (T("q.running"), str(int(counts.running.sum())) if norm == "batch" else none, kind_running, how_running),
        (T("q.lr"), lr_id, kind_hyper, how_hyper),
        (T("q.batch_size"), T(f"options.batch_size.{batch_id}"), kind_hyper, how_hyper),
        (T("q.epochs"), epochs_id, kind_hyper, how_hyper),
        (T("q.depth"), str(depth), kind_hyper, how_hyper),
        (T("q.width"), width_id, kind_hyper, how_hyper),
        (T("q.init"), T(f"options.init.{init}"), kind_hyper, how_hyper),
        (T("q.norm"), T(f"options.norm.{norm}"), kind_hyper, how_hyper),
        (T("q.optimizer"), "Adam", kind_hyper, how_hyper),
        (T("q.activation"), "tanh", kind_hyper, how_hyper),
    ]
    st.dataframe(pd.DataFrame(rows, columns=[T("col.quantity"), T("col.value"), T("col.kind"), T("col.how")]),
                 hide_index=True, height="content")
st.markdown(T("sorting.reading"))

st.subheader(T("layers.title"))
layer_names = [T("layers.hidden", n=i + 1) for i in range(len(counts.layers) - 1)] + [T("layers.output")]
layer_table = pd.DataFrame({
    T("col.layer"): layer_names + [T("layers.total")],
    T("col.weights"): list(counts.weights) + [int(counts.weights.sum())],
    T("col.biases"): list(counts.biases) + [int(counts.biases.sum())],
    T("col.norm_scales"): list(counts.norm_scales) + [int(counts.norm_scales.sum())],
    T("col.learned"): list(counts.weights + counts.biases + counts.norm_scales) + [counts.total],
    T("col.running"): list(counts.running) + [int(counts.running.sum())],
})
st.dataframe(layer_table, hide_index=True)
st.caption(T("layers.check", total=counts.total, weights=counts.counts["weights"], biases=counts.counts["biases"],
             scales=counts.counts["norm_scales"], running=int(counts.running.sum())))

# --- 3. Choosing hyperparameters: a grid search on validation data ----------------------------------------------------
st.header(T("grid.title"))
with training_slot():
    grid = cached_grid(int(depth), norm, batch_size, epochs, init)
st.markdown(T("grid.intro", n_train=grid.n_train, n_val=grid.n_val, widths=", ".join(WIDTH_IDS),
              lrs=", ".join(LR_IDS), cells=grid.val_acc.size))
i_live, j_live = V.GRID_WIDTHS.index(width), V.GRID_LRS.index(lr)
cells = pd.DataFrame({
    "lr": [lr_text for _ in WIDTH_IDS for lr_text in LR_IDS],
    "width": [w for w in WIDTH_IDS for _ in LR_IDS],
    "acc": grid.val_acc.ravel(),
    "train": grid.train_acc.ravel(),
    "loss": grid.val_loss.ravel(),
    "text": [f"{a:.0%}" for a in grid.val_acc.ravel()],
})
best = pd.DataFrame({"lr": [LR_IDS[grid.best[1]]], "width": [WIDTH_IDS[grid.best[0]]]})
live = pd.DataFrame({"lr": [lr_id], "width": [width_id]})
left, right = st.columns([3, 2], gap="large")
with left:
    show(grid_heatmap(cells, x_title=T("col.lr"), y_title=T("col.width"), color_title=T("col.val_acc"),
                      tooltip={"width": T("col.width"), "lr": T("col.lr"), "acc": T("col.val_acc"),
                               "train": T("col.train_acc"), "loss": T("col.val_loss")},
                      best=best, live=live, x_order=LR_IDS, y_order=WIDTH_IDS), fixed=True)
    st.caption(T("grid.legend"))
with right:
    bi, bj = grid.best
    ti, tj = grid.best_by_train
    st.markdown(T("grid.best", width=WIDTH_IDS[bi], lr=LR_IDS[bj], val=f"{grid.val_acc[bi, bj]:.1%}",
                  train=f"{grid.train_acc[bi, bj]:.1%}"))
    if (ti, tj) == (bi, bj):
        st.markdown(T("grid.train_same"))
    else:
        st.markdown(T("grid.train_differs", width=WIDTH_IDS[ti], lr=LR_IDS[tj], train=f"{grid.train_acc[ti, tj]:.1%}",
                      val=f"{grid.val_acc[ti, tj]:.1%}"))
    st.markdown(T("grid.yours", width=width_id, lr=lr_id, val=f"{grid.val_acc[i_live, j_live]:.1%}",
                  rank=grid.rank(i_live, j_live), cells=grid.val_acc.size))
st.markdown(T("grid.reading"))

# --- 4. Running statistics: neither -----------------------------------------------------------------------------------
st.header(T("running.title"))
st.markdown(T("running.text"))
if norm == "batch":
    mean, var = grid.running_mean[i_live][j_live], grid.running_var[i_live][j_live]
    shown = min(len(mean), 8)
    st.dataframe(pd.DataFrame({
        T("col.unit"): [str(u + 1) for u in range(shown)],
        T("col.running_mean"): [f"{v:.3f}" for v in mean[:shown]],
        T("col.running_var"): [f"{v:.3f}" for v in var[:shown]],
    }), hide_index=True)
    st.caption(T("running.caption", width=width_id, lr=lr_id))
else:
    st.caption(T("running.switch"))

# --- 5. The two kinds side by side ------------------------------------------------------------------------------------
st.header(T("props.title"))
prop_keys = ["needed", "defines", "from_data", "by_hand", "heuristics", "tuned", "saved"]
st.dataframe(pd.DataFrame({
    T("col.property"): [T(f"props.{k}.name") for k in prop_keys],
    T("col.parameters"): [T(f"props.{k}.parameters") for k in prop_keys],
    T("col.hyperparameters"): [T(f"props.{k}.hyperparameters") for k in prop_keys],
    T("col.running_stats"): [T(f"props.{k}.running") for k in prop_keys],
}), hide_index=True, height="content")
st.markdown(T("props.rule"))

page.question("which_hyper", ["bias", "lr", "running_mean"], correct="lr")
page.finish()
