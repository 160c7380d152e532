"""Residual connections: plain vs residual MLPs at depths 4 … 64 (final training loss, the degradation problem), the
loss curves at one depth, and the gradient that reaches the first layer: h ← h + f(h) gives it a path that does not
shrink."""
import pandas as pd
import streamlit as st

from core.views import residual as V
from ui.charts import show
from ui.charts.lines import curves
from ui.i18n import Texts
from ui.lesson import LessonPage
from ui.training_slots import training_slot

page = LessonPage("residual")
T = page.t

cached_sweep = st.cache_data(V.residual_sweep, show_spinner=False, max_entries=16)
EPOCHS = [str(e) for e in V.EPOCH_CHOICES]
DEPTHS = [str(d) for d in V.DEPTHS]


def labels(t: Texts) -> tuple[dict, list[str]]:
    names = {False: t("col.plain"), True: t("col.residual")}
    return names, [names[False], names[True]]


@st.cache_data(show_spinner=False, max_entries=32)
def depth_figures(norm: str, epochs: int, lang: str) -> tuple[dict, dict]:
    """Final loss vs depth and first-layer gradient vs depth (cached whole)."""
    t = Texts("residual", lang)
    sweep = cached_sweep(norm, epochs)
    names, order = labels(t)
    rows = pd.DataFrame([{"net": names[r], "depth": d, "loss": run.final_loss, "grad": run.first_grad_norm}
                         for (r, d), run in sweep.runs.items()])
    stops = pd.DataFrame({"depth": sorted({d for (r, d), run in sweep.runs.items()
                                           if run.diverged_epoch is not None})})
    tip = {"net": t("col.net"), "depth": t("col.depth"), "loss": t("col.final_loss"), "grad": t("col.first_grad")}
    loss_figure = curves(
        rows, "depth", "loss", "net", x_title=t("col.depth_log"), y_title=t("col.final_loss_log"),
        color_title=t("col.net"), color_order=order, x_scale="log2", y_scale="log", x_values=list(sweep.depths),
        points=True, tooltip=tip, stops=stops, stop_label=t("col.diverged"))
    grad_figure = curves(
        rows, "depth", "grad", "net", x_title=t("col.depth_log"), y_title=t("col.first_grad_log"),
        color_title=t("col.net"), color_order=order, x_scale="log2", y_scale="log", x_values=list(sweep.depths),
        points=True, tooltip=tip)
    return loss_figure, grad_figure


@st.cache_data(show_spinner=False, max_entries=128)
def one_depth_figures(norm: str, epochs: int, depth: int, lang: str) -> tuple[dict, dict]:
    """Loss curves and per-layer gradient norms at one depth (cached whole)."""
    t = Texts("residual", lang)
    sweep = cached_sweep(norm, epochs)
    names, order = labels(t)
    losses = pd.concat([pd.DataFrame({"net": names[r], "epoch": sweep.runs[r, depth].epochs,
                                      "loss": sweep.runs[r, depth].loss}) for r in (False, True)],
                       ignore_index=True)
    curve_figure = curves(
        losses, "epoch", "loss", "net", x_title=t("col.epoch"), y_title=t("col.loss_log"), color_title=t("col.net"),
        color_order=order, y_scale="log", points=True,
        tooltip={"net": t("col.net"), "epoch": t("col.epoch"), "loss": t("col.loss")})
    layers = pd.concat([pd.DataFrame({"net": names[r], "layer": range(1, depth + 1),
                                      "grad": sweep.runs[r, depth].grad_norms}) for r in (False, True)],
                       ignore_index=True)
    layer_figure = curves(
        layers, "layer", "grad", "net", x_title=t("col.layer"), y_title=t("col.layer_grad_log"),
        color_title=t("col.net"), color_order=order, y_scale="log", points=depth <= 16,
        tooltip={"net": t("col.net"), "layer": t("col.layer"), "grad": t("col.layer_grad")})
    return curve_figure, layer_figure


# --- 1. Deeper is not automatically better ------------------------------------------------------------------------
st.header(T("depth.title"))
page.prose(T("depth.intro"))
with page.main_experiment():
    first, second = st.columns(2, gap="large")
    with first:
        norm = page.choice("norm", list(V.RESIDUAL_NORMS), "batch", kind="radio", horizontal=True)
    with second:
        epochs = int(page.choice("epochs", EPOCHS, "20", kind="radio", horizontal=True))
    with training_slot(), st.spinner(T("depth.training")):
        sweep = cached_sweep(norm, epochs)
    st.caption(T("depth.setup", width=sweep.width, n=sweep.n_train, epochs=epochs, lr=f"{sweep.lr:g}",
                 depths=", ".join(str(d) for d in sweep.depths)))
    loss_figure, grad_figure = depth_figures(norm, epochs, page.t.lang)
    show(loss_figure)

shallow, deep = sweep.depths[0], sweep.depths[-1]
plain_shallow, plain_deep = sweep.runs[False, shallow], sweep.runs[False, deep]
res_deep = sweep.runs[True, deep]


def shown(run):
    return T("col.diverged") if run.diverged_epoch is not None else f"{run.final_loss:.3f}"


cols = st.columns(3)
cols[0].metric(T("depth.metric_plain", depth=shallow), shown(plain_shallow))
cols[1].metric(T("depth.metric_plain", depth=deep), shown(plain_deep))
cols[2].metric(T("depth.metric_residual", depth=deep), shown(res_deep))
st.markdown(T(f"depth.reading_{norm}"))

# --- 2. One depth, epoch by epoch -----------------------------------------------------------------------------------
st.header(T("curves.title"))
depth = int(page.choice("show_depth", DEPTHS, "32", kind="radio", horizontal=True))
curve_figure, layer_figure = one_depth_figures(norm, epochs, depth, page.t.lang)
left, right = st.columns(2, gap="large")
with left:
    st.subheader(T("curves.loss_title"))
    show(curve_figure)
with right:
    st.subheader(T("curves.layers_title"))
    show(layer_figure)
st.markdown(T("curves.reading"))

# --- 3. The gradient's shortcut ---------------------------------------------------------------------------------
st.header(T("shortcut.title"))
st.markdown(T("shortcut.intro"))
st.latex(r"h_{l} = h_{l-1} + f_l(h_{l-1}) \quad\Rightarrow\quad "
         r"\frac{\partial h_{l}}{\partial h_{l-1}} = I + \frac{\partial f_l}{\partial h_{l-1}}")
st.latex(r"\frac{\partial L}{\partial h_{0}} = \frac{\partial L}{\partial h_{L}}\prod_{l=L}^{1}"
         r"\left(I + \frac{\partial f_l}{\partial h_{l-1}}\right) \quad\text{vs. plain:}\quad "
         r"\frac{\partial L}{\partial h_{L}}\prod_{l=L}^{1}\frac{\partial f_l}{\partial h_{l-1}}")
show(grad_figure)
plain_grads = [sweep.runs[False, d].first_grad_norm for d in sweep.depths]
res_grads = [sweep.runs[True, d].first_grad_norm for d in sweep.depths]
st.markdown(T(f"shortcut.reading_{norm}", shallow=shallow, deep=deep, p0=f"{plain_grads[0]:.2g}",
              p1=f"{plain_grads[-1]:.2g}", r0=f"{res_grads[0]:.2g}", r1=f"{res_grads[-1]:.2g}"))

# --- 4. In practice -------------------------------------------------------------------------------------------------
st.header(T("practice.title"))
st.markdown(T("practice.text"))

page.question("identity", ["zero", "identity", "weights"], correct="identity")
page.finish()
