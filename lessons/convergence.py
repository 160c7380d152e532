"""Convergence: the note's stopping rule (loss change below ε over a window, or an iteration cap) on a real, noisy
mini-batch run; how noise fools the rule and how smoothing helps; early stopping on the validation loss as a
different question."""
import pandas as pd
import streamlit as st

from core.views import convergence as V
from ui.charts import show
from ui.charts.base import PALETTE
from ui.charts.lines import Rule, curve_frame, loss_curves
from ui.lesson import LessonPage
from ui.training_slots import training_slot

page = LessonPage("convergence")
T = page.t

EPSILONS = ["0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03", "0.1"]
BATCHES = [str(b) for b in V.BATCH_SIZES]
RAW, SMOOTH, EARLY, CAP = PALETTE[3], PALETTE[0], PALETTE[1], "#555555"


@st.cache_data(show_spinner=False, max_entries=len(V.BATCH_SIZES))
def cached_run(batch_size: int) -> V.StepRun:
    """The real training run (plain arrays only), once per batch size for every student."""
    return V.run_convergence(batch_size)


@st.cache_data(show_spinner=False, max_entries=512)
def cached_view(batch_size: int, eps: float, window: int, max_steps: int, method: str, strength: float,
                patience: int) -> V.ConvergenceView:
    return V.convergence_view(cached_run(batch_size), eps, window, max_steps, method, strength, patience)


# --- 1. The rule ------------------------------------------------------------------------------------------------------
st.header(T("rule.title"))
page.prose(T("rule.intro"))

with page.main_experiment():
    columns = st.columns(4, gap="large")  # two rows of controls: the run's chart fits a projector's screen
    with columns[0]:
        batch = int(page.choice("batch", BATCHES, "32", kind="radio", horizontal=True))
        eps_id = page.choice("eps", EPSILONS, "0.001")
    with columns[1]:
        window = page.slider("window", 10, 300, 100, 10)
        max_steps = page.slider("max_steps", 50, V.TOTAL_STEPS, V.TOTAL_STEPS, 50)
    with columns[2]:
        method = page.choice("method", ["ema", "median", "none"], "ema", kind="radio", horizontal=True)
        strength = page.slider("strength", 0.0, 0.99, 0.98, 0.01)
    with columns[3]:
        patience = page.slider("patience", 1, 30, 10)
        st.caption(T("run.settings", total=V.TOTAL_STEPS, every=V.EVAL_EVERY))

    eps = float(eps_id)
    with training_slot():
        run = cached_run(batch)
    view = cached_view(batch, eps, int(window), int(max_steps), method, round(float(strength), 2), int(patience))

    # --- 2. The run, with every stop marked ---------------------------------------------------------------------------
    names = {
        "raw": T("series.raw", batch=batch),
        "smooth": T(f"series.smooth_{method}", strength=f"{strength:.2f}", points=view.smooth_points),
        "train": T("series.train", every=V.EVAL_EVERY),
        "val": T("series.val", every=V.EVAL_EVERY),
    }
    frames = [curve_frame(*V.finite_curve(view.steps, view.raw), names["raw"])]
    order, colors = [names["raw"]], [RAW]
    if method != "none":
        frames.append(curve_frame(*V.finite_curve(view.steps, view.smoothed), names["smooth"]))
        order.append(names["smooth"])
        colors.append(SMOOTH)
    frames.append(curve_frame(*V.finite_curve(view.check_steps, view.check_train), names["train"]))
    frames.append(curve_frame(*V.finite_curve(view.check_steps, view.check_val), names["val"]))
    order += [names["train"], names["val"]]
    colors += ["#222222", EARLY]

    rules = []
    if view.raw_stop.reason == "loss_change_below_eps":
        rules.append(Rule(view.raw_stop.step, T("rules.raw", step=view.raw_stop.step), RAW, lane=0))
    if method != "none" and view.smooth_stop.reason == "loss_change_below_eps":
        rules.append(Rule(view.smooth_stop.step, T("rules.smooth", step=view.smooth_stop.step), SMOOTH, lane=1))
    rules.append(Rule(view.best_step, T("rules.early", step=view.best_step), EARLY, dash=False, lane=2))
    if "max_steps" in (view.raw_stop.reason, view.smooth_stop.reason) or view.max_steps < V.TOTAL_STEPS:
        rules.append(Rule(view.max_steps, T("rules.cap", step=view.max_steps), CAP, lane=3))
    show(loss_curves(
        pd.concat(frames, ignore_index=True), x_title=T("col.step"), y_title=T("col.loss"),
        series_title=T("col.curve"), order=order, colors=colors, faint=(names["raw"],), dashed=(names["train"],),
        dotted=(names["val"],), rules=rules, x_domain=(0, V.TOTAL_STEPS)))
st.caption(T("run.caption", batch=batch, per_epoch=run.steps_per_epoch, seconds=f"{run.seconds:.1f}"))


def stop_metric(column, title: str, stop: V.StopPoint) -> None:
    if stop.step is None:
        column.metric(title, T("metric.never"), help=T("metric.never_help"))
    else:
        column.metric(title, T("metric.step", step=stop.step),
                      T("metric.true_loss", loss=f"{stop.true_train_loss:.3f}"), delta_color="off", delta_arrow="off",
                      help=T(f"metric.reason.{stop.reason}"))


first, second, third = st.columns(3)
stop_metric(first, T("metric.raw"), view.raw_stop)
stop_metric(second, T("metric.smooth") if method != "none" else T("metric.smooth_none"), view.smooth_stop)
third.metric(T("metric.early"), T("metric.step", step=view.best_step),
             T("metric.val_loss", loss=f"{view.best_val:.3f}"), delta_color="off", delta_arrow="off",
             help=T("metric.early_help"))

# --- 3. The rule with live numbers ------------------------------------------------------------------------------------
for key, stop in (("raw", view.raw_stop), ("smooth", view.smooth_stop)):
    if method == "none" and key == "smooth":
        continue
    if stop.reason == "loss_change_below_eps":
        math = (f"$|L_{{{stop.step}}} - L_{{{stop.before_step}}}| = |{stop.loss_now:.5f} - {stop.loss_before:.5f}|"
                f" = {stop.change:.5f} < \\varepsilon = {eps:g}$")
        st.markdown(T(f"formula.{key}_stop", math=math, step=stop.step))
    elif stop.reason == "max_steps":
        st.markdown(T(f"formula.{key}_cap", step=stop.step))
    else:
        st.markdown(T(f"formula.{key}_never", math=f"$|L_t - L_{{t-{window}}}| \\geq \\varepsilon = {eps:g}$"))
st.markdown(T("noise.wobble", window=window, raw=f"{view.raw_wobble:.4f}", smooth=f"{view.smooth_wobble:.4f}",
              eps=f"{eps:g}"))
if method != "none" and view.raw_fooled:
    st.warning(T("noise.fooled", raw=view.raw_stop.step, loss=f"{view.raw_stop.true_train_loss:.3f}",
                 final=f"{view.min_true_train:.3f}"), icon=":material/warning:")
st.markdown(T("noise.reading"))

# --- 4. Convergence is not early stopping --------------------------------------------------------------------------
st.header(T("early.title"))
patience_text = (T("early.ran_out", step=view.patience_step, patience=patience, every=V.EVAL_EVERY)
                 if view.patience_step is not None else T("early.never_ran_out", patience=patience))
st.markdown(T("early.intro", best=view.best_step, val=f"{view.best_val:.3f}", patience_text=patience_text))
st.markdown(T("early.reading"))

st.header(T("practice.title"))
st.markdown(T("practice.text"))

page.question("noisy_eps", ["raw_late", "raw_early", "same"], correct="raw_early")
page.finish()
