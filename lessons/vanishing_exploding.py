"""Vanishing and exploding gradients: the chain rule as a product of per-layer factors, per-layer gradient norms at
initialisation, how they scale with depth, and a layer × epoch map during training; every fix switchable."""
import numpy as np
import pandas as pd
import streamlit as st

from core.views import vanishing_exploding as V
from ui.charts import show
from ui.charts.grids import layer_epoch_map
from ui.charts.lines import log_lines
from ui.lesson import LessonPage
from ui.training_slots import training_slot

page = LessonPage("vanishing_exploding")
T = page.t

cached_profile = st.cache_data(V.gradient_profile, show_spinner=False)
cached_depth = st.cache_data(V.gradient_vs_depth, show_spinner=False)
cached_map = st.cache_data(V.gradient_map, show_spinner=False)

INITS = ["normal_small", "normal_1", "default", "xavier", "he"]
ACTIVATIONS = ["sigmoid", "tanh", "relu"]


def sci(value: float) -> str:
    """A number for text: 3 significant digits, scientific notation when tiny or huge; — when undefined."""
    if value is None or not np.isfinite(value):
        return "—"
    return f"{value:.3g}"


def latex_sci(value: float) -> str:
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{mantissa}\\times 10^{{{int(exponent)}}}" if abs(int(exponent)) > 2 else f"{value:.3g}"


# --- the network and the fixes --------------------------------------------------------------------------------------
page.prose(T("setup.intro"))
with page.main_experiment():
    first, second, third = st.columns(3, gap="large")
    with first:
        activation = page.choice("activation", ACTIVATIONS, "sigmoid", kind="radio", horizontal=True)
        init = page.choice("init", INITS, "default")
    with second:
        depth = page.slider("depth", 2, 50, 20)
    with third:
        batchnorm = page.toggle("batchnorm", False)
        residual = page.toggle("residual", False)
    norm = "batch" if batchnorm else "none"
    profile = cached_profile(activation, init, int(depth), norm=norm, residual=bool(residual))

    # --- 1. The chain rule is a product -------------------------------------------------------------------------------
    st.header(T("chain.title"))
    text, plot = page.side_by_side((1, 1))
    with text:
        page.prose(T("chain.intro"))
        st.latex(T("chain.formula"))
        page.prose(T("chain.after"))
        if activation == "sigmoid":
            st.latex(f"\\max_z \\sigma'(z) = \\tfrac14 \\quad\\Rightarrow\\quad "
                     f"\\prod_{{l=1}}^{{{depth}}} \\sigma'(z_l) \\le \\left(\\tfrac14\\right)^{{{depth}}} = "
                     f"{latex_sci(profile.bound[0])}")
        else:
            name = {"tanh": "\\tanh'", "relu": "\\mathrm{ReLU}'"}[activation]
            st.latex(f"\\max_z {name}(z) = 1 \\quad\\Rightarrow\\quad \\prod_{{l=1}}^{{{depth}}} {name}(z_l) \\le "
                     f"1^{{{depth}}} = 1")
    layers = np.arange(1, int(depth) + 1)
    curves = {
        T("chain.bound"): profile.bound,
        T("chain.slopes"): profile.slope_product,
        T("chain.measured"): profile.product,
    }
    chain = pd.DataFrame({"layer": np.tile(layers, len(curves)), "value": np.concatenate(list(curves.values())),
                          "series": np.repeat(list(curves), len(layers))})
    with plot:
        show(log_lines(
            chain, "layer", "value", "series", x_title=T("col.layer"), y_title=T("col.reaches"),
            color_title=T("col.series"), color_order=list(curves), dashed=[T("chain.bound")],
            tooltip={"series": T("col.series"), "layer": T("col.layer"), "value": T("col.reaches")},
            whole_x=True, scientific=True, clip=True, legend_columns=3, dots="light"))
left, middle, right = st.columns(3)
left.metric(T("chain.bound_metric", depth=depth), sci(profile.bound[0]))
middle.metric(T("chain.slope_metric"), sci(float(profile.slope[0])))
right.metric(T("chain.measured_metric"), sci(float(profile.product[0])))
st.markdown(T(f"chain.reading_{activation}"))
st.info(T("chain.correction"), icon=":material/edit_note:")

# --- 2. Per-layer gradient norms ------------------------------------------------------------------------------------
st.header(T("norms.title"))
st.markdown(T("norms.intro"))
norms = pd.DataFrame({"layer": layers, "norm": profile.weight_grad[:-1], "series": T("norms.series"),
                      "underflow": [T("norms.underflow") if u else "" for u in profile.underflow[:-1]]})
show(log_lines(
    norms, "layer", "norm", "series", x_title=T("col.layer"), y_title=T("col.grad_norm"),
    color_title=T("col.series"),
    tooltip={"layer": T("col.layer"), "norm": T("col.grad_norm"), "underflow": T("col.note")},
    whole_x=True, scientific=True, clip=True, legend_columns=3, dots="light"))
left, middle, right = st.columns(3)
left.metric(T("norms.first"), sci(float(profile.weight_grad[0])))
middle.metric(T("norms.last", layer=depth), sci(float(profile.weight_grad[-2])))
right.metric(T("norms.ratio"), sci(profile.ratio))
if profile.underflow.any():
    st.caption(T("norms.underflow_note", floor=f"{V.GRAD_FLOOR:.0e}"))
st.markdown(T("norms.reading"))

# --- 3. Deeper and deeper ---------------------------------------------------------------------------------------------
st.header(T("depth.title"))
st.markdown(T("depth.intro"))
curve = cached_depth(init, norm=norm, residual=bool(residual))
names = [T(f"options.activation.{a}") for a in curve.activations]
by_depth = pd.DataFrame({"depth": np.tile(curve.depths, len(names)), "ratio": curve.ratio.reshape(-1),
                         "series": np.repeat(names, len(curve.depths))})
show(log_lines(
    by_depth, "depth", "ratio", "series", x_title=T("col.depth"), y_title=T("col.ratio"),
    color_title=T("col.activation"), color_order=names, bold=T(f"options.activation.{activation}"),
    tooltip={"series": T("col.activation"), "depth": T("col.depth"), "ratio": T("col.ratio")},
    whole_x=True, scientific=True, clip=True, legend_columns=3, dots="light"))
fixes = [T("depth.bn")] if batchnorm else []
fixes += [T("depth.res")] if residual else []
st.caption(T("depth.caption", init=T(f"options.init.{init}"), fixes=T("depth.joiner").join(fixes) or T("depth.none")))
st.markdown(T("depth.reading"))

# --- 4. During training: a layer × epoch map ------------------------------------------------------------------------
st.header(T("map.title"))
st.markdown(T("map.intro"))
left, middle, right = st.columns(3, gap="large")
with left:
    train_depth = page.slider("train_depth", 2, 16, 8)
with middle:
    train_epochs = page.slider("train_epochs", 10, 100, 50, 10)
with right:
    clip = page.toggle("clip", False)
with training_slot():
    run = cached_map(activation, init, int(train_depth), norm=norm, residual=bool(residual), clip=bool(clip),
                     epochs=int(train_epochs))
layer_labels = [T("col.layer_n", n=i + 1) for i in range(len(run.layer_names) - 1)] + [T("col.output")]
n_epochs = len(run.epochs)
cells = pd.DataFrame({"epoch": np.repeat(run.epochs, len(layer_labels)),
                      "layer": np.tile(layer_labels, n_epochs),
                      "norm": run.grad_norms.reshape(-1)})
ticks = [int(e) for e in run.epochs if e == 1 or e % 10 == 0]
show(layer_epoch_map(
    cells, epoch="epoch", layer="layer", value="norm", layer_order=layer_labels, x_title=T("col.epoch"),
    y_title=T("col.linear_layer"), color_title=T("col.grad_norm"), epoch_ticks=ticks,
    tooltip={"epoch": T("col.epoch"), "layer": T("col.linear_layer"), "norm": T("col.grad_norm")}))
loss = pd.DataFrame({"epoch": run.epochs, "loss": run.train_loss, "series": T("col.loss")})
show(log_lines(
    loss, "epoch", "loss", "series", x_title=T("col.epoch"), y_title=T("col.loss"), color_title=T("col.series"),
    height=200, tooltip={"epoch": T("col.epoch"), "loss": T("col.loss")},
    whole_x=True, scientific=True, clip=True, legend_columns=3))
if run.diverged:
    st.error(T("map.diverged", epoch=run.diverged))
else:
    st.caption(T("map.result", acc=f"{100 * run.train_acc:.0f}", loss=sci(float(run.train_loss[-1]))))
st.caption(T("map.setup", depth=int(train_depth), width=V.MAP_WIDTH, epochs=int(train_epochs)))
st.markdown(T("map.reading"))

# --- 5. The fixes ---------------------------------------------------------------------------------------------------
st.header(T("fixes.title"))
st.markdown(T("fixes.table"))

page.question("deep_sigmoid", ["same", "smaller", "larger"], correct="smaller")
page.finish()
