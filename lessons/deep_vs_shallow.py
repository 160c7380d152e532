"""Deep versus shallow at equal parameter budgets: one wide hidden layer against several narrow ones, on tasks with
compositional structure; what the runs show, budget by budget; why not train layer by layer."""
import pandas as pd
import streamlit as st

from core.views import deep_vs_shallow as V
from ui.charts import show
from ui.charts.grids import decision_map, grid_frame, points_frame, side_by_side
from ui.charts.lines import accuracy_vs_params
from ui.lesson import LessonPage
from ui.training_slots import training_slot

page = LessonPage("deep_vs_shallow")
T = page.t

cached_view = st.cache_data(V.deep_vs_shallow_view, show_spinner=False, max_entries=32)

page.prose(T("intro"))

# --- 1. The sweep -----------------------------------------------------------------------------------------------------
st.header(T("sweep.title"))
page.prose(T("sweep.intro", budgets=", ".join(str(b) for b in V.BUDGETS), seeds=len(V.SWEEP_SEEDS),
              tolerance=f"{V.BUDGET_TOLERANCE:.0%}"))
with page.main_experiment():
    controls, result = st.columns([1, 3], gap="large")
    with controls:
        task = page.choice("task", V.TASKS, "spiral")
        depth = page.slider("depth", min(V.DEEP_DEPTHS), max(V.DEEP_DEPTHS), 3)
        activation = page.choice("activation", ("tanh", "relu"), "tanh", kind="radio", horizontal=True)
    with training_slot():
        view = cached_view(task, int(depth), activation)

    shallow_name, deep_name = T("col.shallow"), T("col.deep", depth=view.depth)
    seeds = len(V.SWEEP_SEEDS)
    runs = pd.DataFrame({
        "params": [p for pair in view.pairs for p in [pair.shallow_params] * seeds + [pair.deep_params] * seeds],
        "acc": [a for i in range(len(view.pairs)) for a in list(view.shallow_acc[i]) + list(view.deep_acc[i])],
        "series": [name for _ in view.pairs for name in [shallow_name] * seeds + [deep_name] * seeds],
        "shape": [s for pair in view.pairs for s in [f"1 × {pair.shallow_width}"] * seeds
                  + [f"{view.depth} × {pair.deep_width}"] * seeds],
        "seed": [seed for _ in view.pairs for _ in range(2) for seed in V.SWEEP_SEEDS],
    })
    means = pd.DataFrame({
        "params": [p for pair in view.pairs for p in (pair.shallow_params, pair.deep_params)],
        "acc": [a for s, d in zip(view.shallow_mean, view.deep_mean) for a in (s, d)],
        "series": [shallow_name, deep_name] * len(view.pairs),
        "shape": [s for pair in view.pairs for s in (f"1 × {pair.shallow_width}", f"{view.depth} × {pair.deep_width}")],
    })
    with result:
        show(accuracy_vs_params(runs, means, x_title=T("col.params"), y_title=T("col.val_acc"),
                                series_title=T("col.net"), series_order=[shallow_name, deep_name],
                                tooltip={"series": T("col.net"), "shape": T("col.shape"), "params": T("col.params"),
                                         "acc": T("col.val_acc")}), fixed=True)

table = pd.DataFrame({
    T("col.budget"): [pair.budget for pair in view.pairs],
    T("col.shallow_net"): [f"1 × {p.shallow_width} · {p.shallow_params}" for p in view.pairs],
    T("col.deep_net"): [f"{view.depth} × {p.deep_width} · {p.deep_params}" for p in view.pairs],
    T("col.mismatch"): [f"{p.mismatch:.1%}" for p in view.pairs],
    T("col.shallow_acc"): [f"{a:.1%}" for a in view.shallow_mean],
    T("col.deep_acc"): [f"{a:.1%}" for a in view.deep_mean],
    T("col.verdict"): [T(f"verdict.short_{w}") for w in view.winner],
})
st.dataframe(table, hide_index=True)

lines = []
for pair, shallow, deep, winner in zip(view.pairs, view.shallow_mean, view.deep_mean, view.winner):
    lines.append(T(f"verdict.{winner}", n=pair.deep_params, shallow=f"{shallow:.1%}", deep=f"{deep:.1%}",
                   margin=f"{abs(deep - shallow) * 100:.1f}"))
st.markdown("\n".join(f"- {line}" for line in lines))
counts = {w: view.winner.count(w) for w in ("deep", "shallow", "tie")}
st.info(T("verdict.summary", deep=counts["deep"], shallow=counts["shallow"], tie=counts["tie"],
          total=len(view.pairs), n_val=view.n_val, seeds=seeds, margin=f"{V.TIE_MARGIN * 100:.1f}"))
st.caption(T("sweep.recipe", epochs=V.SWEEP_TRAINING["epochs"], lr=V.SWEEP_TRAINING["lr"],
             batch=V.SWEEP_TRAINING["batch_size"], n=V.SWEEP_TRAINING["n_samples"]))

# --- 2. Look at one budget --------------------------------------------------------------------------------------------
st.header(T("maps.title"))
budget_ids = [str(b) for b in V.BUDGETS]
chosen = page.choice("budget", budget_ids, "1000", kind="radio", horizontal=True)
index = budget_ids.index(chosen)
pair = view.pairs[index]
plane = view.plane
classes = [T("col.class0"), T("col.class1")]
points = points_frame(plane.X, plane.y, classes)
grids = {"cells0": grid_frame(plane.g1, plane.g2, view.proba[index, 0]),
         "cells1": grid_frame(plane.g1, plane.g2, view.proba[index, 1])}
maps = [
    decision_map(grids["cells0"], cells="cells0", size=260, legend=False, proba_title=T("col.proba"),
                 class_title=T("col.class"),
                 title=T("maps.map_title", net=f"1 × {pair.shallow_width}", params=pair.shallow_params,
                         val=f"{view.shallow_acc[index, 0]:.0%}")),
    decision_map(grids["cells1"], cells="cells1", size=260, proba_title=T("col.proba"),
                 class_title=T("col.class"),
                 title=T("maps.map_title", net=f"{view.depth} × {pair.deep_width}", params=pair.deep_params,
                         val=f"{view.deep_acc[index, 0]:.0%}")),
]
show(side_by_side(maps, grids, points), fixed=True)
st.caption(T("maps.caption", seed=V.SWEEP_SEEDS[0]))
st.markdown(T(f"maps.reading_{view.task}"))

# --- 3. Why depth can pay: composition --------------------------------------------------------------------------------
st.header(T("composition.title"))
st.markdown(T("composition.text"))
st.latex(r"t(u) = 1 - |2u - 1|,\qquad s(x_1) = A\,\bigl(2\,t^{k}(u) - 1\bigr),\quad u = \tfrac{x_1 + 1}{2},\quad "
         rf"k = {V.SAWTOOTH_COMPOSITIONS},\ A = {V.SAWTOOTH_AMPLITUDE}")
st.markdown(T("composition.honest"))

# --- 4. Why not train one layer at a time? ----------------------------------------------------------------------------
st.header(T("greedy.title"))
st.markdown(T("greedy.text"))

page.question("always_deep", ["always", "usually_not", "depends"], correct="depends")
page.finish()
