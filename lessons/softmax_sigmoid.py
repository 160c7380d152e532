"""Softmax and sigmoid: logits to probabilities, temperature, shift invariance, the two-class case, stability."""
import pandas as pd
import streamlit as st

from core.parse import format_vector
from core.views import softmax_sigmoid as V
from ui.charts import show
from ui.charts.lines import grouped_bars, lines
from ui.lesson import LessonPage

page = LessonPage("softmax_sigmoid")
T = page.t

cached_softmax = st.cache_data(V.softmax_view, show_spinner=False)
cached_two_class = st.cache_data(V.two_class_curves, show_spinner=False)
cached_overflow = st.cache_data(V.overflow_demo, show_spinner=False)

DEFAULT_LOGITS = (2.0, 1.0, 0.1, -1.0, -2.0)

# --- 1. Logits → probabilities -------------------------------------------------------------------------------------
st.header(T("softmax.title"))
page.prose(T("softmax.intro"))
with page.main_experiment():
    controls, result = st.columns([2, 3], gap="large")
with controls:
    halves = st.columns(2)  # two by two: the whole experiment fits a projector's screen
    with halves[0]:
        classes = page.slider("classes", 2, 5, 3)
    with halves[1]:
        temperature = page.slider("temperature", 0.1, 5.0, 1.0, 0.1)
    logits = []
    for i in range(classes):
        with halves[i % 2]:
            logits.append(page.slider(f"z{i + 1}", -10.0, 10.0, DEFAULT_LOGITS[i], 0.1))
    logits = tuple(logits)
    with halves[classes % 2]:
        shift = page.slider("shift", -50.0, 50.0, 0.0, 1.0)
view = cached_softmax(logits, temperature, shift)
with result:
    names = [f"z{i + 1}" for i in range(classes)]
    frame = pd.DataFrame({
        T("col.logit"): names * 2,
        T("col.version"): [T("col.original")] * classes + [T("col.shifted", shift=f"{shift:+g}")] * classes,
        T("col.probability"): list(view.probabilities) + list(view.shifted_probabilities),
    })
    show(grouped_bars(frame, T("col.logit"), T("col.probability"), T("col.version"), x_title=T("col.logit"),
                      y_title=T("col.probability"), color_title=T("col.version"), y_domain=[0, 1]))
    exps = " + ".join(f"e^{{{z:.1f}/{temperature:g}}}" for z in logits)
    st.latex(f"\\mathrm{{softmax}}(z/T)_1 = \\frac{{e^{{{logits[0]:.1f}/{temperature:g}}}}}{{{exps}}} "
             f"= {view.probabilities[0]:.4f}")
    st.caption(T("softmax.shift_result", shift=f"{shift:+g}", diff=f"{view.largest_difference:.1e}",
                 probabilities=format_vector(view.probabilities, 3)))
st.markdown(T("softmax.reading"))

# --- 2. Two classes: softmax is a sigmoid ---------------------------------------------------------------------------
st.header(T("two.title"))
st.markdown(T("two.derivation"))
z1, z2 = logits[0], logits[1]
curves = cached_two_class(z2)
frame = pd.DataFrame({
    "z₁ − z₂": list(curves.difference) * 2,
    T("col.probability"): list(curves.sigmoid) + list(curves.softmax_first),
    T("col.curve"): ["σ(z₁ − z₂)"] * len(curves.difference) + [f"softmax(z₁, {z2:g})₁"] * len(curves.difference),
})
here = pd.DataFrame({"z₁ − z₂": [z1 - z2], T("col.probability"): [cached_softmax((z1, z2), 1.0, 0.0).probabilities[0]]})
show(lines(frame, "z₁ − z₂", T("col.probability"), T("col.curve"), x_title="z₁ − z₂", y_title=T("col.probability"),
           color_title=T("col.curve"), dashed=f"softmax(z₁, {z2:g})₁", markers=here))
st.caption(T("two.match", z1=f"{z1:g}", z2=f"{z2:g}", diff=f"{curves.largest_difference:.1e}"))
st.markdown(T("two.underdetermined"))

# --- 3. Why implementations subtract the maximum ------------------------------------------------------------------
st.header(T("stable.title"))
st.markdown(T("stable.intro"))
base = page.slider("base", 0.0, 1000.0, 1000.0, 1.0)
demo = cached_overflow(base)
table = pd.DataFrame({
    T("col.logit"): [f"{z:g}" for z in demo.logits],
    T("col.naive"): [f"{v:.4f}" for v in demo.naive],
    T("col.stable"): [f"{v:.4f}" for v in demo.stable],
})
st.dataframe(table, hide_index=True)
if demo.naive_overflows:
    st.error(T("stable.overflow", limit=f"{demo.overflow_logit:.2f}"))
else:
    st.success(T("stable.fine", limit=f"{demo.overflow_logit:.2f}"))
st.markdown(T("stable.reading"))

page.question("double", ["same", "sharper", "flatter"], correct="sharper")
page.finish()
