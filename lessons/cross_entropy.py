"""Cross-entropy: the note's worked example, your own p and q, a batch, binary cross-entropy, entropy + KL."""
import pandas as pd
import streamlit as st

from core import losses
from core.parse import format_vector, parse_vector
from core.views import cross_entropy as V
from ui.charts import show
from ui.charts.lines import grouped_bars, lines
from ui.i18n import error_text
from ui.lesson import LessonPage

page = LessonPage("cross_entropy")
T = page.t

cached_breakdown = st.cache_data(V.cross_entropy_breakdown, show_spinner=False)
cached_batch = st.cache_data(V.seed_batch, show_spinner=False)
cached_binary = st.cache_data(V.binary_curves, show_spinner=False)


def terms_table(rows: dict[str, V.CrossEntropyBreakdown]) -> pd.DataFrame:
    """One row per class: p, then q and −p ln q for each named prediction."""
    first = next(iter(rows.values()))
    table = {T("col.class"): [str(i + 1) for i in range(len(first.p))], "p": first.p}
    for name, breakdown in rows.items():
        table[name] = breakdown.q
        table[f"−p·ln {name}"] = breakdown.terms
    return pd.DataFrame(table)


def formula(breakdown: V.CrossEntropyBreakdown, name: str) -> str:
    """H(p, q) = −(p₁ ln q₁ + …) = total, with the current numbers."""
    parts = " + ".join(f"{p:.3g}\\cdot\\ln {q:.3g}" for p, q in zip(breakdown.p, breakdown.q))
    total = "\\infty" if breakdown.total == float("inf") else f"{breakdown.total:.3f}"
    return f"H(p, {name}) = -({parts}) = {total}"


# --- 1. The note's worked example -----------------------------------------------------------------------------------
with page.aside_section(T("worked.title")):
    st.markdown(T("worked.intro"))
    q1 = cached_breakdown(V.SEED_P, V.SEED_Q1)
    q2 = cached_breakdown(V.SEED_P, V.SEED_Q2)
    st.dataframe(terms_table({"q1": q1, "q2": q2}), hide_index=True)
    st.latex(formula(q1, "q_1"))
    st.latex(formula(q2, "q_2"))
    st.success(T("worked.conclusion", h1=f"{q1.total:.3f}", h2=f"{q2.total:.3f}"))

# --- 2. Your own p and q ----------------------------------------------------------------------------------------------
st.header(T("yours.title"))
page.prose(T("yours.intro"))
DEFAULT_P = {3: "1, 0, 0", 4: "1, 0, 0, 0", 5: "1, 0, 0, 0, 0"}
DEFAULT_Q = {3: "0.5, 0.2, 0.3", 4: "0.4, 0.3, 0.2, 0.1", 5: "0.4, 0.2, 0.2, 0.1, 0.1"}


def reset_vectors() -> None:
    """A new number of classes starts from that size's example (the old vectors would have the wrong length)."""
    classes = st.session_state[page.key("classes")]
    st.session_state[page.key("p")], st.session_state[page.key("q")] = DEFAULT_P[classes], DEFAULT_Q[classes]


with page.main_experiment():
    controls, result = st.columns([2, 3], gap="large")
with controls:
    classes = page.slider("classes", 3, 5, 3, on_change=reset_vectors)
    p_text = page.text_input("p", DEFAULT_P[classes])
    q_text = page.text_input("q", DEFAULT_Q[classes])


def normalise_into(key: str, text: str) -> None:
    """Button callback: replace the text field's value by the normalised vector (runs before the widget exists)."""
    try:
        st.session_state[page.key(key)] = format_vector(losses.normalize(parse_vector(text)), digits=4)
    except ValueError:
        pass


vectors = {}
for key, text in (("p", p_text), ("q", q_text)):
    try:
        values = parse_vector(text, classes, name=key)
        vectors[key] = losses.check_distribution(values, key)
    except ValueError as error:
        with controls:
            st.error(T("yours.invalid", error=error_text(error)))
            if getattr(error, "code", "") in ("not_sum_one", "negative"):
                st.button(T("yours.normalise", name=key), key=f"normalise_{key}", on_click=normalise_into,
                          args=(key, text))
            elif getattr(error, "code", "") == "wrong_count":
                st.caption(T("yours.count_hint", classes=classes))

with result:
    if len(vectors) == 2:
        mine = cached_breakdown(tuple(vectors["p"]), tuple(vectors["q"]))
        frame = pd.DataFrame({
            T("col.class"): [str(i + 1) for i in range(classes)] * 2,
            T("col.distribution"): ["p"] * classes + ["q"] * classes,
            T("col.probability"): list(mine.p) + list(mine.q),
            "−p·ln q": list(mine.terms) * 2,
        })
        show(grouped_bars(frame, T("col.class"), T("col.probability"), T("col.distribution"),
                          x_title=T("col.class"), y_title=T("col.probability"), color_title=T("col.distribution"),
                          y_domain=[0, 1]))
        st.latex(formula(mine, "q"))
        if mine.zero_where_needed:
            st.warning(T("yours.infinite", classes=", ".join(str(i + 1) for i in mine.zero_where_needed),
                         eps=losses.PRACTICAL_EPS, clipped=f"{mine.clipped_total:.3f}"))
        left, middle, right = st.columns(3)
        left.metric("H(p, q)", "∞" if mine.total == float("inf") else f"{mine.total:.4f}")
        middle.metric("H(p)", f"{mine.entropy:.4f}")
        right.metric("KL(p ‖ q)", "∞" if mine.kl == float("inf") else f"{mine.kl:.4f}")
        st.markdown(T("yours.decomposition"))
    else:
        st.info(T("yours.waiting"))

# --- 3. A batch -------------------------------------------------------------------------------------------------------
st.header(T("batch.title"))
st.markdown(T("batch.intro"))
batch = cached_batch()
reduction = page.choice("reduction", ["none", "mean", "sum"], "mean", kind="radio", horizontal=True)
matrix = pd.DataFrame({
    T("col.row"): ["1", "2"],
    T("col.label"): [format_vector(row) for row in batch.labels],
    T("col.prediction"): [format_vector(row) for row in batch.predictions],
    T("col.row_loss"): batch.per_row,
})
st.dataframe(matrix, hide_index=True)
reduced = {"none": f"[{batch.per_row[0]:.4f}, {batch.per_row[1]:.4f}]", "mean": f"{batch.mean:.4f}",
           "sum": f"{batch.total:.4f}"}[reduction]
st.code(f"F.cross_entropy(torch.log(Q), P, reduction=\"{reduction}\")  # → {reduced}", language="python")
st.markdown(T("batch.after", mean=f"{batch.mean:.3f}"))

# --- 4. Binary cross-entropy ---------------------------------------------------------------------------------------
st.header(T("binary.title"))
st.markdown(T("binary.derivation"))
y_hat = page.slider("y_hat", 0.01, 0.99, 0.8, 0.01)
curves = cached_binary(y_hat)
frame = pd.DataFrame({
    "ŷ": list(curves.y_hat) * 2,
    T("col.loss"): list(curves.loss_if_1) + list(curves.loss_if_0),
    T("col.label"): ["y = 1"] * len(curves.y_hat) + ["y = 0"] * len(curves.y_hat),
})
here = pd.DataFrame({"ŷ": [y_hat, y_hat], T("col.loss"): [curves.chosen_if_1, curves.chosen_if_0]})
show(lines(frame, "ŷ", T("col.loss"), T("col.label"), x_title="ŷ", y_title=T("col.loss"), color_title=T("col.label"),
           markers=here))
st.latex(f"y=1:\\; -\\ln {y_hat:.2f} = {curves.chosen_if_1:.3f} \\qquad "
         f"y=0:\\; -\\ln(1-{y_hat:.2f}) = {curves.chosen_if_0:.3f}")
st.markdown(T("binary.reading"))

page.question("same_loss", ["a", "b", "same"], correct="same")
page.finish()
