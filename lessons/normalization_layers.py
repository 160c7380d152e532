"""Normalization layers: none vs batch norm vs layer norm in a deep MLP (same seed), what one layer's pre-activations
look like over the epochs, batch norm in training vs evaluation mode, and batch norm's trouble with small batches."""
import pandas as pd
import streamlit as st

from core.views import normalization_layers as V
from ui.charts import show
from ui.charts.base import PALETTE
from ui.charts.grids import bands
from ui.charts.lines import curves, drawable
from ui.i18n import Texts
from ui.lesson import LessonPage
from ui.training_slots import training_slot

page = LessonPage("normalization_layers")
T = page.t

cached_race = st.cache_data(V.normalization_race, show_spinner=False, max_entries=64)
cached_sweep = st.cache_data(V.batch_size_sweep, show_spinner=False, max_entries=1)
LAYERS = ["first", "middle", "last"]
COLORS = dict(zip(V.NORMS, PALETTE))  # one colour per normalization on every chart of the page
DEPTHS = [str(d) for d in range(V.RACE_DEPTHS[0], V.RACE_DEPTHS[1] + 1, 4)]


def layer_index(which: str, depth: int) -> int:
    """0-based hidden layer shown for "first" / "middle" / "last"."""
    return {"first": 0, "middle": depth // 2 - 1, "last": depth - 1}[which]


@st.cache_data(show_spinner=False, max_entries=128)
def race_figures(depth: int, residual: bool, layer: str, lang: str) -> tuple[dict, dict, dict]:
    """Loss curves, the chosen layer's percentile bands and the sample-diversity profile (cached whole)."""
    t = Texts("normalization_layers", lang)
    race = cached_race(depth, residual)
    names = {norm: t(f"col.{norm}") for norm in V.NORMS}
    order = [names[norm] for norm in V.NORMS]
    loss = pd.concat([pd.DataFrame({"norm": names[norm], "epoch": run.epochs, "loss": run.loss,
                                    "acc": run.accuracy}) for norm, run in race.runs.items()], ignore_index=True)
    loss_figure = curves(
        loss, "epoch", "loss", "norm", x_title=t("col.epoch"), y_title=t("col.loss"), color_title=t("col.norm"),
        color_order=order, colors=list(COLORS.values()),
        tooltip={"norm": t("col.norm"), "epoch": t("col.epoch"), "loss": t("col.loss"), "acc": t("col.accuracy")})
    index = layer_index(layer, depth)
    rows = []
    for norm, run in race.runs.items():
        band = run.bands[:, index, :]
        rows.append(pd.DataFrame({"norm": names[norm], "epoch": range(len(band)), "p5": band[:, 0],
                                  "p25": band[:, 1], "p50": band[:, 2], "p75": band[:, 3], "p95": band[:, 4]}))
    percentiles = drawable(pd.concat(rows, ignore_index=True), "p50", False)
    band_figure = bands(percentiles, facet="norm", facet_order=order, x_title=t("col.epoch"),
                        y_title=t("col.preactivation"),
                        tooltip={"norm": t("col.norm"), "epoch": t("col.epoch"), "p5": "5 %", "p25": "25 %",
                                 "p50": t("col.median"), "p75": "75 %", "p95": "95 %"})
    stages = {"init": t("col.at_init"), "final": t("col.after_training")}
    diversity = pd.concat(
        [pd.DataFrame({"norm": names[norm], "stage": stages[stage], "layer": range(1, depth + 1),
                       "diversity": values})
         for norm, run in race.runs.items()
         for stage, values in (("init", run.diversity_init), ("final", run.diversity_final))], ignore_index=True)
    diversity_figure = curves(
        diversity, "layer", "diversity", "norm", x_title=t("col.hidden_layer"), y_title=t("col.diversity"),
        color_title=t("col.norm"), color_order=order, colors=list(COLORS.values()), dash="stage",
        dash_order=list(stages.values()), y_domain=[0, 1],
        tooltip={"norm": t("col.norm"), "stage": t("col.stage"), "layer": t("col.hidden_layer"),
                 "diversity": t("col.diversity")})
    return loss_figure, band_figure, diversity_figure


@st.cache_data(show_spinner=False, max_entries=4)
def sweep_figure(lang: str) -> dict:
    t = Texts("normalization_layers", lang)
    sweep = cached_sweep()
    names = {"batch": t("col.batch"), "layer": t("col.layer_norm")}
    frame = pd.concat([pd.DataFrame({"norm": names[norm], "b": sweep.batch_sizes, "loss": sweep.loss[norm],
                                     "steps": sweep.steps, "epochs": sweep.epochs}) for norm in names],
                      ignore_index=True)
    return curves(
        frame, "b", "loss", "norm", x_title=t("col.batch_size"), y_title=t("col.final_loss"),
        color_title=t("col.norm"), color_order=list(names.values()), colors=[COLORS["batch"], COLORS["layer"]],
        x_scale="log2", points=True,
        x_values=list(sweep.batch_sizes),
        tooltip={"norm": t("col.norm"), "b": t("col.batch_size"), "loss": t("col.final_loss"),
                 "steps": t("col.updates"), "epochs": t("col.epochs")})


# --- 1. The race ------------------------------------------------------------------------------------------------------
st.header(T("race.title"))
page.prose(T("race.intro"))
with page.main_experiment():
    first, second = st.columns(2, gap="large")
    with first:
        depth = int(page.choice("depth", DEPTHS, "16", kind="radio", horizontal=True))
    with second:
        residual = bool(page.toggle("residual", False))
    with training_slot(), st.spinner(T("race.training")):
        race = cached_race(depth, residual)
    st.caption(T("race.setup", depth=depth, width=race.width, epochs=race.epochs, b=race.batch_size, lr=f"{race.lr:g}",
                 n=race.n_train))
    layer = page.choice("layer", LAYERS, "last", kind="radio", horizontal=True)
    loss_figure, band_figure, diversity_figure = race_figures(depth, residual, layer, page.t.lang)
    show(loss_figure)
cols = st.columns(3)
for col, norm in zip(cols, V.NORMS):
    run = race.runs[norm]
    col.metric(T(f"col.{norm}"), f"{run.loss[-1]:.3f}", help=T("race.metric_help", acc=f"{100 * run.accuracy[-1]:.0f}"))
st.markdown("\n".join(f"- {T(f'race.verdict.{run.verdict}', name=T(f'col.{norm}'), loss=f'{run.loss[-1]:.3f}')}"
                       for norm, run in race.runs.items()))
st.markdown(T("race.reading_residual" if residual else "race.reading_plain"))

# --- 2. What a layer sees ---------------------------------------------------------------------------------------------
st.header(T("inside.title"))
st.markdown(T("inside.intro", layer=T(f"options.layer.{layer}"), index=layer_index(layer, depth) + 1))
show(band_figure)
st.markdown(T("inside.reading"))
st.subheader(T("inside.diversity_title"))
st.markdown(T("inside.diversity_intro"))
show(diversity_figure)
st.markdown(T("inside.diversity_reading"))

# --- 3. Training mode vs evaluation mode ----------------------------------------------------------------------------
st.header(T("modes.title"))
st.markdown(T("modes.intro"))
st.latex(r"\text{BN: } \hat z_{i,k} = \gamma_k \frac{z_{i,k} - \mu_k}{\sqrt{\sigma_k^2 + \epsilon}} + \beta_k,\quad "
         r"\mu_k = \tfrac{1}{B}\sum_{i \in \text{batch}} z_{i,k}"
         r"\qquad\qquad \text{LN: } \mu_i = \tfrac{1}{H}\sum_{k=1}^{H} z_{i,k}")
bn, ln = race.runs["batch"].modes, race.runs["layer"].modes
labels = [T("modes.row_a"), T("modes.row_b"), T("modes.row_eval")]
table = pd.DataFrame({
    T("col.mode"): [f"BN · {label}" for label in labels] + [f"LN · {label}" for label in labels],
    "z": [f"{bn.z:.3f}"] * 3 + [f"{ln.z:.3f}"] * 3,
    "μ": [f"{v:.3f}" for v in bn.mean + ln.mean],
    "σ²": [f"{v:.3f}" for v in bn.var + ln.var],
    T("col.output"): [f"{v:.3f}" for v in bn.value + ln.value],
})
st.dataframe(table, hide_index=True)
st.caption(T("modes.check", torch=f"{bn.torch_eval:.3f}"))
st.markdown(T("modes.reading"))
st.code(T("modes.code").strip("\n"), language="python")

# --- 4. Small batches ----------------------------------------------------------------------------------------------
st.header(T("small.title"))
with training_slot(), st.spinner(T("small.training")):
    sweep = cached_sweep()
st.markdown(T("small.intro", depth=sweep.depth, seeds=sweep.seeds, steps=V.SWEEP_STEPS, n=sweep.n_train))
show(sweep_figure(page.t.lang))
st.markdown(T("small.reading", bn2=f"{sweep.loss['batch'][0]:.2f}", ln2=f"{sweep.loss['layer'][0]:.2f}"))

# --- 5. Why does it help? -------------------------------------------------------------------------------------------
st.header(T("why.title"))
st.markdown(T("why.text"))

page.question("test_time", ["own", "running", "none"], correct="running")
page.finish()
