"""Hidden layers: a trained net's hidden units as feature detectors, layer by layer, each unit's response over the
input plane; the first layer draws lines, later layers combine them into curved regions."""
import streamlit as st

from core.views import hidden_layers as V
from ui.charts import show
from ui.charts.grids import grid_frame, maps_frame, points_frame, single, unit_maps
from ui.lesson import LessonPage
from ui.training_slots import training_slot

page = LessonPage("hidden_layers")
T = page.t

cached_view = st.cache_data(V.hidden_layers_view, show_spinner=False, max_entries=64)

page.prose(T("intro"))

# --- 1. The net and what it decides -----------------------------------------------------------------------------------
st.header(T("net.title"))
with page.main_experiment():
    controls, result = st.columns([2, 3], gap="large")
    with controls:
        dataset = page.choice("dataset", V.BINARY_DATASETS, "circle")
        depth = page.slider("depth", 1, V.MAX_VIEW_DEPTH, 2)
        width = page.slider("width", 1, V.MAX_VIEW_WIDTH, 6)
        activation = page.choice("activation", V.ACTIVATIONS, "tanh", kind="radio", horizontal=True)
        seed = page.slider("seed", 0, 9, 0)
    with training_slot():
        view = cached_view(dataset, int(depth), int(width), activation, int(seed))

    classes = [T("col.class0"), T("col.class1")]
    with result:
        plane = view.boundary_plane
        show(single(grid_frame(plane.g1, plane.g2, view.proba), points_frame(plane.X, plane.y, classes),
                    title=T("net.map_title", shape=" × ".join(str(w) for w in view.hidden)),
                    proba_title=T("col.proba"), class_title=T("col.class"), size=300), fixed=True)
        st.caption(T("net.caption", train=f"{view.train_acc:.0%}", val=f"{view.val_acc:.0%}", params=view.n_params,
                     epochs=V.VIEW_TRAINING["epochs"], lr=V.VIEW_TRAINING["lr"]))

# --- 2. Layer by layer ------------------------------------------------------------------------------------------------
st.header(T("layers.title"))
st.markdown(T("layers.intro"))
resolution = len(view.map_plane.g1)
for index, layer in enumerate(view.layers):
    number = index + 1
    st.subheader(T("layers.heading", layer=number, units=len(layer.dead)))
    if number == 1:
        st.markdown(T(f"layers.first_{activation}"))
    elif number == 2:
        st.markdown(T("layers.second"))
    else:
        st.markdown(T("layers.later", layer=number, previous=number - 1))
    show(unit_maps(maps_frame(layer.maps, resolution), unit_title=T("col.unit"), value_title=T("col.response")),
         fixed=True)
    if layer.n_dead:
        st.warning(T("layers.dead", dead=layer.n_dead, units=len(layer.dead), layer=number))
st.markdown(T("layers.reading"))

# --- 3. Why it matters ------------------------------------------------------------------------------------------------
st.header(T("meaning.title"))
st.markdown(T("meaning.text"))

page.question("first_layer", ["line", "ring", "any"], correct="line")
page.finish()
