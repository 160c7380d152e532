"""End-to-end learning: hand-made features with a linear model against raw inputs with a net that learns its own
features; their decisions, their accuracies and what the learned features look like."""
import pandas as pd
import streamlit as st

from core.data import FEATURES
from core.views import end_to_end as V
from ui.charts import show
from ui.charts.grids import decision_map, grid_frame, maps_frame, points_frame, side_by_side, unit_maps
from ui.lesson import LessonPage
from ui.training_slots import training_slot

page = LessonPage("end_to_end")
T = page.t

cached_view = st.cache_data(V.end_to_end_view, show_spinner=False, max_entries=64)

page.prose(T("intro"))

# --- 1. Three models, one data set ------------------------------------------------------------------------------------
st.header(T("compare.title"))
page.prose(T("compare.intro"))
with page.main_experiment():
    data_col, feature_col, net_col = st.columns(3, gap="large")
    with data_col:
        dataset = page.choice("dataset", V.BINARY_DATASETS, "circle")
        seed = page.slider("seed", 0, 9, 0)
    with feature_col:
        st.markdown(T("compare.features_label"))
        halves = st.columns(2)
        chosen = []
        for index, name in enumerate(FEATURES):
            with halves[index % 2]:
                if page.toggle(name, default=name in ("x1sq", "x2sq")):
                    chosen.append(name)
        chosen = tuple(chosen)
    with net_col:
        depth = page.slider("depth", 1, V.MAX_VIEW_DEPTH, 2)
        width = page.slider("width", 1, V.MAX_VIEW_WIDTH, 8)
    with training_slot():
        view = cached_view(dataset, chosen, int(depth), int(width), int(seed))

    classes = [T("col.class0"), T("col.class1")]
    plane = view.boundary_plane
    points = points_frame(plane.X, plane.y, classes)
    names = {name: T(f"models.{name}") for name in V.END_TO_END_MODELS}
    grids, maps = {}, []
    for k, model in enumerate(view.models):
        grids[f"cells{k}"] = grid_frame(plane.g1, plane.g2, model.proba)
        maps.append(decision_map(grids[f"cells{k}"], cells=f"cells{k}",
                                 title=T("compare.map_title", model=names[model.name], val=f"{model.val_acc:.0%}"),
                                 proba_title=T("col.proba"), class_title=T("col.class"), size=230,
                                 legend=k == len(view.models) - 1))
    show(side_by_side(maps, grids, points), fixed=True)


def inputs_text(model: V.ModelResult) -> str:
    return ", ".join({"x1": "x₁", "x2": "x₂", **FEATURES}[name] for name in model.inputs)


table = pd.DataFrame({
    T("col.model"): [names[m.name] for m in view.models],
    T("col.inputs"): [inputs_text(m) for m in view.models],
    T("col.hidden"): [" × ".join(str(w) for w in m.hidden) or "—" for m in view.models],
    T("col.params"): [m.n_params for m in view.models],
    T("col.features_by"): [T(f"col.by_{m.name}") for m in view.models],
    T("col.train_acc"): [f"{m.train_acc:.0%}" for m in view.models],
    T("col.val_acc"): [f"{m.val_acc:.0%}" for m in view.models],
})
st.dataframe(table, hide_index=True)

raw, hand, net = (view.model(name) for name in V.END_TO_END_MODELS)
lines = [T("verdict.raw", val=f"{raw.val_acc:.0%}")]
if not chosen:
    lines.append(T("verdict.no_features"))
elif hand.val_acc >= net.val_acc - 0.02:
    lines.append(T("verdict.hand_good", val=f"{hand.val_acc:.0%}", features=inputs_text(hand)))
else:
    lines.append(T("verdict.hand_short", val=f"{hand.val_acc:.0%}", features=inputs_text(hand)))
lines.append(T("verdict.net", val=f"{net.val_acc:.0%}", params=net.n_params))
st.markdown("\n".join(f"- {line}" for line in lines))
st.caption(T("compare.recipe", epochs=V.VIEW_TRAINING["epochs"], lr=V.VIEW_TRAINING["lr"]))

# --- 2. The features the net made for itself --------------------------------------------------------------------------
st.header(T("learned.title"))
st.markdown(T("learned.intro", layer=len(net.hidden), units=len(view.learned.dead)))
show(unit_maps(maps_frame(view.learned.maps, len(view.map_plane.g1)), unit_title=T("col.unit"),
               value_title=T("col.response")), fixed=True)
st.markdown(T("learned.reading"))

# --- 3. What end-to-end means -----------------------------------------------------------------------------------------
st.header(T("meaning.title"))
st.markdown(T("meaning.text"))

page.question("xor_features", ["x1x2", "squares", "sines"], correct="x1x2")
page.finish()
