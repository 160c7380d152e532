"""Choosing the loss: the decision table with live examples, why cross-entropy for classification (gradient at the
logit, loss surface, a training race), and the softmax + cross-entropy gradient q − p checked against autograd."""
import pandas as pd
import streamlit as st

from core.views import choosing_the_loss as V
from ui.charts import show
from ui.charts.grids import heatmap
from ui.charts.lines import lines
from ui.lesson import LessonPage

page = LessonPage("choosing_the_loss")
T = page.t

cached_examples = st.cache_data(V.decision_examples, show_spinner=False)
cached_gradients = st.cache_data(V.logit_gradients, show_spinner=False)
cached_landscapes = st.cache_data(V.landscapes, show_spinner=False)
cached_race = st.cache_data(V.training_race, show_spinner=False)


def val(value: float, digits: int = 3) -> str:
    """A number standing alone in a formula: 3 significant digits."""
    return f"{value:.{digits}g}"


# --- 1. The decision table ------------------------------------------------------------------------------------------
st.header(T("table.title"))
page.prose(T("table.intro"))
with page.main_experiment():
    score = page.slider("score", -6.0, 6.0, -3.0, 0.1)
    examples = cached_examples(float(score))
    check = examples.multiclass
    rows = [
        (T("table.binary"), "sigmoid", f"{T('table.bce')} (`nn.BCEWithLogitsLoss`)",
         f"$\\sigma({val(score)}) = {val(examples.binary_y_hat)},\\ y = 1:\\ "
         f"L = -\\ln {val(examples.binary_y_hat)} = {val(examples.binary_loss)}$"),
        (T("table.multiclass"), "softmax", f"{T('table.ce')} (`nn.CrossEntropyLoss`)",
         f"$\\mathrm{{softmax}}({val(score)}, {check.logits[1]:g}, {check.logits[2]:g}) = "
         f"({', '.join(val(v) for v in check.q)}),\\ p = (1, 0, 0):\\ "
         f"L = -\\ln {val(check.q[0])} = {val(examples.multiclass_loss)}$"),
        (T("table.regression"), T("table.linear"), f"{T('table.mse')} (`nn.MSELoss`)",
         f"$\\hat y = {val(score)},\\ y = {examples.regression_target:g}:\\ "
         f"L = ({val(score)} - {examples.regression_target:g})^2 = {val(examples.regression_loss)}$"),
    ]
    header = [T("table.task"), T("table.output"), T("table.loss"), T("table.example")]
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    st.markdown("\n".join(table))
    st.caption(T("table.score_note"))
st.warning(T("table.correction"), icon=":material/edit_note:")

# --- 2. (a) The gradient at the logit -----------------------------------------------------------------------------
st.header(T("gradient.title"))
st.markdown(T("gradient.derivation"))
gradients = cached_gradients(float(score))
size = len(gradients.z)
frame = pd.DataFrame({
    "z": list(gradients.z) * 2,
    "ŷ": list(gradients.y_hat) * 2,
    T("col.gradient"): list(gradients.cross_entropy) + list(gradients.mse),
    T("col.loss"): [T("col.cross_entropy")] * size + [T("col.mse_half")] * size,
})
here = pd.DataFrame({"z": [score, score],
                     T("col.gradient"): [gradients.chosen_cross_entropy, gradients.chosen_mse]})
show(lines(frame, "z", T("col.gradient"), T("col.loss"), x_title=T("col.logit"), y_title=T("col.gradient"),
           color_title=T("col.loss"), markers=here))
st.latex(f"z = {val(score)},\\ \\hat y = {gradients.chosen_y_hat:.3f}:\\quad "
         f"\\text{{CE}}:\\ \\hat y - y = {val(gradients.chosen_cross_entropy)} \\qquad "
         f"\\text{{MSE}}:\\ (\\hat y - y)\\,\\hat y(1-\\hat y) = {val(gradients.chosen_mse)}")
st.markdown(T("gradient.reading"))

# --- 3. (b) The loss surface over (w, b) ------------------------------------------------------------------------------
st.header(T("surface.title"))
st.markdown(T("surface.intro", points=", ".join(f"({x:g}, {y:g})" for x, y in
                                                 zip(V.LANDSCAPE_X, V.LANDSCAPE_Y))))
surfaces = cached_landscapes()
show_curvature = page.toggle("curvature", False)
ticks = [value for value in surfaces.w if float(value).is_integer() and int(value) % 2 == 0]
panels = st.columns(2, gap="medium")
for panel, name, values, curvature, best in (
        (panels[0], "cross_entropy", surfaces.cross_entropy, surfaces.cross_entropy_curvature,
         surfaces.cross_entropy_best),
        (panels[1], "mse", surfaces.mse, surfaces.mse_curvature, surfaces.mse_best)):
    grid = pd.DataFrame({
        "w": list(surfaces.w) * len(surfaces.b),
        "b": [b for b in surfaces.b for _ in surfaces.w],
        "loss": values.ravel(),
        "curvature": curvature.ravel(),
    })
    with panel:
        show(heatmap(
            grid, "w", "b", "loss", x_title="w", y_title="b", color_title=T("col.loss"),
            title=T(f"surface.{name}_title"), axis_values=ticks, scale_type="log",
            tooltip={"w": "w", "b": "b", "loss": T("col.loss"), "curvature": T("col.curvature")},
            flag="datum.curvature < 0" if show_curvature else None,
            best=pd.DataFrame({"w": [best[0]], "b": [best[1]]})))
        st.caption(T(f"surface.{name}_best", w=f"{best[0]:g}", b=f"{best[1]:g}", loss=f"{best[2]:.3f}"))
left, middle, right = st.columns(3)
left.metric(T("surface.min_curvature_ce"), f"{surfaces.cross_entropy_min_curvature:.2e}")
middle.metric(T("surface.min_curvature_mse"), f"{surfaces.mse_min_curvature:.3f}")
right.metric(T("surface.negative_share"), f"{surfaces.mse_negative_share:.0%}")
st.markdown(T("surface.hessian"))

# --- 4. (c) A training race ---------------------------------------------------------------------------------------
st.header(T("race.title"))
st.markdown(T("race.intro", hidden=V.RACE_HIDDEN, points=V.RACE_POINTS,
              epochs=V.RACE_EPOCHS))
controls, result = st.columns([1, 3], gap="large")
with controls:
    race_lr = page.slider("race_lr", 0.1, 5.0, 1.0, 0.1)
    race_seed = page.slider("race_seed", 0, 9, 0)
race = cached_race(float(race_lr), int(race_seed))
names = {"cross_entropy": T("col.cross_entropy"), "mse": T("col.mse")}
epochs = list(range(race.epochs + 1))
frame = pd.DataFrame({
    T("col.epoch"): epochs * 2,
    T("col.accuracy"): [a for run in race.runs for a in run.accuracy],
    T("col.own_loss"): [v for run in race.runs for v in run.loss],
    T("col.loss"): [names[run.loss_name] for run in race.runs for _ in epochs],
})
finish = pd.DataFrame({T("col.epoch"): [run.epochs_to_target for run in race.runs if run.epochs_to_target is not None],
                       T("col.accuracy"): [run.accuracy[run.epochs_to_target] for run in race.runs
                                           if run.epochs_to_target is not None]})
with result:
    show(lines(frame, T("col.epoch"), T("col.accuracy"), T("col.loss"), x_title=T("col.epoch"),
               y_title=T("col.accuracy"), color_title=T("col.loss"), y_domain=[0, 1],
               markers=finish if len(finish) else None))
with controls:
    for run in race.runs:
        reached = run.epochs_to_target
        st.metric(T("race.epochs_to_target", loss=names[run.loss_name]),
                  str(reached) if reached is not None else T("race.not_reached", epochs=race.epochs))
st.markdown(T("race.reading"))

# --- 5. The softmax + cross-entropy gradient, derived and checked -----------------------------------------------
st.header(T("softmax.title"))
st.markdown(T("softmax.derivation"))
table = pd.DataFrame({
    T("col.class"): ["1", "2", "3"],
    "z": check.logits,
    "q = softmax(z)": check.q,
    "p": check.p,
    "q − p": check.formula,
    T("col.autograd"): check.autograd,
})
st.dataframe(table.round(6), hide_index=True)
difference = f"{check.largest_difference:.1e}" if check.largest_difference else "0"
st.latex(f"\\max_i \\left|\\,(q_i - p_i) - \\text{{autograd}}_i\\,\\right| = {difference}")
st.markdown(T("softmax.weights"))

page.question("confident_wrong", ["cross_entropy", "mse", "same"], correct="cross_entropy")
page.finish()
