"""Gradient clipping: minimize() = compute_gradients() + apply_gradients(), the note's TensorFlow 1 code beside its
PyTorch equivalent; by value vs by norm on a 2-D gradient; a real run that blows up without clipping and survives
with it."""
import pandas as pd
import streamlit as st

from core import clipping
from core.views import gradient_clipping as V
from ui.charts import show
from ui.charts.diagrams import clip_arrows
from ui.charts.lines import curves
from ui.i18n import Texts
from ui.lesson import LessonPage
from ui.training_slots import training_slot

page = LessonPage("gradient_clipping")
T = page.t

cached_runs = st.cache_data(V.exploding_runs, show_spinner=False, max_entries=256)
cached_demo = st.cache_data(clipping.vector_demo, show_spinner=False, max_entries=256)


@st.cache_data(show_spinner=False, max_entries=256)
def run_figures(lr: float, clip: str, threshold: float, lang: str) -> tuple[dict, dict]:
    """Loss and gradient-norm charts of one setting (cached whole: building them costs more than a warm rerun)."""
    t = Texts("gradient_clipping", lang)
    result = cached_runs(lr, clip, threshold)
    names = {"none": t("col.unclipped"), "clipped": t("col.clipped", mode=t(f"options.clip.{clip}"),
                                                        c=f"{threshold:g}")}
    order = [names["none"], names["clipped"]]
    frames = []
    for key, run in (("none", result.unclipped), ("clipped", result.clipped)):
        frames.append(pd.DataFrame({"run": names[key], "step": run.epochs, "loss": run.loss,
                                    "norm": run.grad_norm}))
    data = pd.concat(frames, ignore_index=True)
    stops = pd.DataFrame({"step": [r.diverged_epoch for r in (result.unclipped, result.clipped)
                                   if r.diverged_epoch is not None]})
    tip = {"run": t("col.run"), "step": t("col.step"), "loss": t("col.loss"), "norm": t("col.grad_norm")}
    loss = curves(data, "step", "loss", "run", x_title=t("col.step"), y_title=t("col.loss_log"),
                  color_title=t("col.run"), color_order=order, tooltip=tip, y_scale="log", stops=stops,
                  stop_label=t("col.nan"), points=True)
    norm = curves(data, "step", "norm", "run", x_title=t("col.step"), y_title=t("col.grad_norm_log"),
                  color_title=t("col.run"), color_order=order, tooltip=tip, y_scale="log",
                  rule_y=threshold if clip == "norm" else None, rule_label=f"c = {threshold:g}", stops=stops,
                  stop_label=t("col.nan"), points=True)
    return loss, norm


@st.cache_data(show_spinner=False, max_entries=256)
def arrow_figure(gx: float, gy: float, c: float, lang: str) -> dict:
    t = Texts("gradient_clipping", lang)
    demo = cached_demo(gx, gy, c)
    names = [t("col.original"), t("col.by_value"), t("col.by_norm")]
    vectors = pd.DataFrame({"name": names, "x": [demo.g[0], demo.by_value[0], demo.by_norm[0]],
                            "y": [demo.g[1], demo.by_value[1], demo.by_norm[1]],
                            "norm": [demo.norm, demo.norm_by_value, demo.norm_by_norm],
                            "angle": [demo.angle, demo.angle_by_value, demo.angle_by_norm]})
    tip = {"name": t("col.vector"), "x": "g₁", "y": "g₂", "norm": "‖g‖", "angle": t("col.direction")}
    return clip_arrows(vectors, demo.c, order=names, name_title=t("col.vector"),
                       region_titles=(t("col.box"), t("col.circle")), tooltip=tip)


# --- 1. minimize() = compute_gradients() + apply_gradients() ---------------------------------------------------------
with page.aside_section(T("minimize.title")):
    st.markdown(T("minimize.intro"))
    tf_col, torch_col = st.columns(2, gap="large")
    with tf_col:
        st.caption(T("minimize.tf_caption"))
        st.code(T("code.tf").strip("\n"), language="python", wrap_lines=True)
    with torch_col:
        st.caption(T("minimize.torch_caption"))
        st.code(T("code.torch").strip("\n"), language="python", wrap_lines=True)
    st.markdown(T("minimize.reading"))

# --- 2. By value or by norm ----------------------------------------------------------------------------------------
st.header(T("vector.title"))
page.prose(T("vector.intro"))
with page.main_experiment():
    controls, picture = st.columns([2, 3], gap="large")
    with controls:
        gx = page.slider("gx", -5.0, 5.0, 3.0, 0.1)
        gy = page.slider("gy", -5.0, 5.0, 1.0, 0.1)
        c = page.slider("c", 0.1, 5.0, 1.0, 0.1)
    gx, gy, c = round(float(gx), 4), round(float(gy), 4), round(float(c), 4)
    demo = cached_demo(gx, gy, c)
    with picture:
        show(arrow_figure(gx, gy, c, page.t.lang), fixed=True)


def direction(angle):
    return "—" if angle is None else f"{angle:.1f}°"


with controls:
    table = pd.DataFrame({
        T("col.vector"): [T("col.original"), T("col.by_value"), T("col.by_norm")],
        "g₁": [f"{demo.g[0]:.3g}", f"{demo.by_value[0]:.3g}", f"{demo.by_norm[0]:.3g}"],
        "g₂": [f"{demo.g[1]:.3g}", f"{demo.by_value[1]:.3g}", f"{demo.by_norm[1]:.3g}"],
        "‖g‖": [f"{demo.norm:.3g}", f"{demo.norm_by_value:.3g}", f"{demo.norm_by_norm:.3g}"],
        T("col.direction"): [direction(demo.angle), direction(demo.angle_by_value), direction(demo.angle_by_norm)],
    })
    st.dataframe(table, hide_index=True)
st.latex(f"\\text{{{T('vector.value_label')}}}:\\ (\\operatorname{{clamp}}({demo.g[0]:.3g}, \\pm {c:g}),\\ "
         f"\\operatorname{{clamp}}({demo.g[1]:.3g}, \\pm {c:g})) = ({demo.by_value[0]:.3g},\\ {demo.by_value[1]:.3g})")
st.latex(f"\\text{{{T('vector.norm_label')}}}:\\ g\\cdot\\min\\!\\left(1, \\frac{{c}}{{\\lVert g\\rVert}}\\right) = "
         f"({demo.g[0]:.3g}, {demo.g[1]:.3g})\\cdot\\min\\!\\left(1, \\frac{{{c:g}}}{{{demo.norm:.3g}}}\\right) = "
         f"({demo.by_norm[0]:.3g},\\ {demo.by_norm[1]:.3g})")
if demo.value_clipped and demo.turn_by_value > 0.05:
    st.markdown(T("vector.turned", turn=f"{demo.turn_by_value:.1f}"))
elif not demo.value_clipped and not demo.norm_clipped:
    st.markdown(T("vector.inside"))
else:
    st.markdown(T("vector.not_turned"))
st.markdown(T("vector.reading"))

# --- 3. A run that blows up ---------------------------------------------------------------------------------------
st.header(T("run.title"))
st.markdown(T("run.intro", depth=len(V.EXPLODE.hidden), width=V.EXPLODE.hidden[0], std=V.EXPLODE.init_std,
              n=V.n_train_rows(V.EXPLODE), epochs=V.EXPLODE.epochs))
first, second, third = st.columns(3, gap="large")
with first:
    lr = page.slider("clip_lr", 0.05, 1.0, 0.3, 0.05)
with second:
    clip = page.choice("clip", list(V.CLIP_MODES), "norm", kind="radio", horizontal=True)
with third:
    threshold = page.slider("threshold", 0.1, 10.0, 1.0, 0.1)
lr, threshold = round(float(lr), 4), round(float(threshold), 4)
with training_slot(), st.spinner(T("run.training")):
    result = cached_runs(lr, clip, threshold)
loss_figure, norm_figure = run_figures(lr, clip, threshold, page.t.lang)

plain, clipped = result.unclipped, result.clipped
left, right = st.columns(2, gap="large")
with left:
    st.subheader(T("run.loss_title"))
    show(loss_figure)
with right:
    st.subheader(T("run.norm_title"))
    show(norm_figure)

m1, m2, m3 = st.columns(3)
if plain.diverged_epoch is not None:
    m1.metric(T("col.unclipped"), T("run.diverged_metric", step=plain.diverged_epoch))
else:
    m1.metric(T("col.unclipped"), f"{plain.final_loss:.3g}", help=T("run.final_help"))
if clipped.diverged_epoch is not None:
    m2.metric(T("col.clipped_short"), T("run.diverged_metric", step=clipped.diverged_epoch))
else:
    m2.metric(T("col.clipped_short"), f"{clipped.final_loss:.3g}",
              help=T("run.final_help"))
m3.metric(T("run.global_step"), f"{clipped.steps}", help=T("run.global_step_help"))

clip_call = ("torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm={c:g})" if clip == "norm"
             else "torch.nn.utils.clip_grad_value_(model.parameters(), clip_value={c:g})").format(c=threshold)
st.code(T("code.loop", lr=f"{lr:g}", epochs=result.epochs, clip_call=clip_call).strip("\n"), language="python")

if plain.diverged_epoch is not None and clipped.diverged_epoch is None:
    st.markdown(T("run.reading_saved", step=plain.diverged_epoch, first=f"{plain.grad_norm[0]:.3g}",
                  loss=f"{clipped.final_loss:.3g}", acc=f"{100 * clipped.final_accuracy:.0f}"))
elif plain.diverged_epoch is None:
    st.info(T("run.reading_no_blowup", lr=f"{lr:g}"))
else:
    st.warning(T("run.reading_both", step=clipped.diverged_epoch))
st.markdown(T(f"run.mode_note.{clip}"))

# --- 4. In practice -------------------------------------------------------------------------------------------------
st.header(T("practice.title"))
st.markdown(T("practice.text"))

page.question("direction", ["value", "norm", "both"], correct="norm")
page.finish()
