"""Train loss vs val loss: the note's five patterns as a table, a real training run for each (diagnosed by
core.diagnosis), and a diagnosis of the student's own curves (CSV, two TensorBoard exports, or pasted numbers)."""
import pandas as pd
import streamlit as st

from core import curves_io, diagnosis
from core.views import train_vs_val as V
from ui.charts import show
from ui.charts.base import PALETTE
from ui.charts.lines import Rule, curve_frame, loss_curves
from ui.i18n import escape
from ui.lesson import LessonPage
from ui.training_slots import training_slot

page = LessonPage("train_vs_val")
T = page.t
TRAIN, VAL, MARK = PALETTE[0], PALETTE[1], "#555555"
ALERT = {"still_learning": st.info, "converged": st.success, "overfitting": st.warning, "data_problem": st.warning,
         "diverging": st.error, "too_short": st.info, "ambiguous": st.info}
MAX_DRAWN = 800  # points per curve in a chart


@st.cache_data(show_spinner=False, max_entries=len(V.PRESETS))
def cached_preset(name: str) -> V.PresetRun:
    """A preset's real training run (plain arrays only), trained once for every student."""
    return V.run_preset(name)


@st.cache_data(show_spinner=False, max_entries=256)
def cached_preset_diagnosis(name: str, window_frac: float) -> diagnosis.Diagnosis:
    return V.diagnose_run(cached_preset(name), window_frac)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_parse(data, filename: str) -> curves_io.Curves:
    return curves_io.parse_curves(data, filename)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_parse_pair(train_data, val_data, train_name: str, val_name: str) -> curves_io.Curves:
    return curves_io.parse_tensorboard_pair(train_data, val_data, train_name, val_name)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_diagnose(steps, train_loss, val_loss, window_frac: float) -> diagnosis.Diagnosis:
    return diagnosis.diagnose(train_loss, val_loss, train_steps=steps, val_steps=steps, window_frac=window_frac)


def curves_chart(steps, train_loss, val_loss, diag: diagnosis.Diagnosis, x_title: str, rules=()) -> None:
    """Train and val loss on a log axis, the window the diagnosis read shaded."""
    x, train, val = V.thin(steps, train_loss, val_loss, max_points=MAX_DRAWN)
    names = [T("series.train"), T("series.val")]
    frame = pd.concat([curve_frame(*V.finite_curve(x, train), names[0]),
                       curve_frame(*V.finite_curve(x, val), names[1])], ignore_index=True)
    trend = diag.evidence.train
    band = (trend.window_start_step, trend.window_end_step, T("chart.window")) if trend is not None else None
    few = len(x) <= 60
    show(loss_curves(
        frame, x_title=x_title, y_title=T("col.loss"), series_title=T("col.curve"), order=names,
        colors=[TRAIN, VAL], dotted=tuple(names) if few else (), rules=list(rules), band=band, height=340))


def trend_rows(diag: diagnosis.Diagnosis) -> pd.DataFrame | None:
    """The evidence of each curve as a table: trend, change over the window, noise, probabilities, levels."""
    ev = diag.evidence
    if ev.train is None or ev.val is None:
        return None
    rows = {T("evidence.quantity"): [T(f"evidence.{key}") for key in
                                     ("trend", "change", "noise", "p_down", "p_flat", "p_up", "last", "lowest")]}
    for name, trend in ((T("series.train"), ev.train), (T("series.val"), ev.val)):
        rows[name] = [T(f"trend.{trend.trend}"), f"{trend.rel_change:+.1%}", f"{trend.noise:.3f}",
                      f"{trend.p_down:.2f}", f"{trend.p_flat:.2f}", f"{trend.p_up:.2f}", f"{trend.last_level:.4g}",
                      T("evidence.at", level=f"{trend.min_level:.4g}", step=f"{trend.min_step:g}")]
    return pd.DataFrame(rows)


def show_diagnosis(diag: diagnosis.Diagnosis) -> None:
    """Verdict, confidence, what it means, what to do next, and the numbers it rests on."""
    ev = diag.evidence
    verdict = T("verdict", case=T(f"case.{diag.case}"), confidence=f"{diag.confidence:.0%}")
    ALERT[diag.case](f"**{verdict}** {T(diag.text_key)}")
    st.markdown(f"**{T('next.title')}** {T(f'next.{diag.case}')}")
    if diag.case == "ambiguous" and ev.best_guess:
        st.caption(T("evidence.best_guess", case=T(f"case.{ev.best_guess}")))
    notes = []
    if ev.first_nonfinite_train is not None or ev.first_nonfinite_val is not None:
        first = min(s for s in (ev.first_nonfinite_train, ev.first_nonfinite_val) if s is not None)
        notes.append(T("evidence.nonfinite", step=f"{first:g}"))
    if diag.case == "diverging" and ev.blowup_ratio is not None and ev.train is not None and ev.blowup_ratio >= 3:
        notes.append(T("evidence.blowup", ratio=f"{ev.blowup_ratio:.3g}"))
    if ev.case_probabilities.get("not_learning", 0.0) > max(ev.case_probabilities.get(c, 0.0)
                                                             for c in diagnosis.CASES):
        notes.append(T("evidence.not_learning"))
    if min(ev.n_used_train, ev.n_used_val) < 22 and diag.case not in ("too_short",):
        notes.append(T("evidence.short", n=min(ev.n_used_train, ev.n_used_val)))
    if diag.case == "too_short":
        notes.append(T("evidence.too_short", n=min(ev.n_used_train, ev.n_used_val), need=diagnosis.MIN_POINTS))
    for note in notes:
        st.markdown(f"- {note}")
    table = trend_rows(diag)
    if table is not None:
        with st.expander(T("evidence.title"), expanded=True):
            st.caption(T("evidence.window", frac=f"{ev.window_frac:.0%}", start=f"{ev.train.window_start_step:g}",
                         end=f"{ev.train.window_end_step:g}", points=ev.train.window_points))
            st.dataframe(table, hide_index=True)
            probs = sorted(((p, c) for c, p in ev.case_probabilities.items() if c in diagnosis.CASES), reverse=True)
            st.caption(T("evidence.probabilities", list=", ".join(
                f"{T(f'case.{c}')} {p:.2f}" for p, c in probs)))
            st.caption(T("evidence.learned", train=f"{ev.p_learned:.2f}", val=f"{ev.p_learned_val:.2f}"))


# --- 1. The five patterns --------------------------------------------------------------------------------------------
with page.aside_section(T("table.title")):
    st.markdown(T("table.intro"))
    st.dataframe(pd.DataFrame({
        T("table.train"): [T(f"table.rows.{case}.train") for case in V.PRESETS],
        T("table.val"): [T(f"table.rows.{case}.val") for case in V.PRESETS],
        T("table.meaning"): [T(f"case.{case}") for case in V.PRESETS],
        T("table.next"): [T(f"table.rows.{case}.next") for case in V.PRESETS],
    }), hide_index=True)
    st.caption(T("table.note"))

# --- 2. A real run for each ----------------------------------------------------------------------------------------
st.header(T("presets.title"))
page.prose(T("presets.intro"))
with page.main_experiment():
    controls, readout = st.columns([1, 3], gap="large")
    with controls:
        preset = page.choice("preset", list(V.PRESETS), "overfitting", kind="radio")
        window = page.slider("window", 0.1, 0.6, 0.3, 0.05)
    with training_slot():
        run = cached_preset(preset)
    diag = cached_preset_diagnosis(preset, round(float(window), 2))
    with controls:
        st.markdown(T(f"presets.how.{preset}"))
        s = run.settings
        st.caption(T("presets.settings", dataset=T(f"presets.dataset.{s['dataset']}"),
                     net="–".join(str(w) for w in s["hidden"]),
                     activation=s["activation"], optimizer=s["optimizer"], lr=f"{s['lr']:g}",
                     batch=s["batch_size"] or T("presets.full_batch"), epochs=s["epochs"],
                     seconds=f"{run.seconds:.1f}"))
    with readout:
        rules = []
        if run.best_epoch is not None and preset != "diverging":
            rules.append(Rule(run.best_epoch, T("chart.best_val", epoch=run.best_epoch), VAL, lane=0))
        if run.diverged_epoch is not None:
            rules.append(Rule(run.diverged_epoch, T("chart.diverged", epoch=run.diverged_epoch), MARK, dash=False,
                              lane=1))
        curves_chart(run.epochs, run.train_loss, run.val_loss, diag, T("col.epoch"), rules)
        show_diagnosis(diag)

# --- 3. Your own curves ----------------------------------------------------------------------------------------------
st.header(T("own.title"))
st.markdown(T("own.intro"))
source = page.choice("source", ["paste", "csv", "tensorboard"], "paste", kind="radio", horizontal=True)
curves, problem = None, None
try:
    if source == "paste":
        # not in the address: a pasted log can be thousands of numbers long
        text = page.text_area("pasted", V.sample_paste(), curves_io.MAX_BYTES, T("own.paste"),
                              height=140, help=T("own.paste_help"))
        if text.strip():
            curves = cached_parse(text, "")
        else:
            st.info(T("own.empty"))
    elif source == "csv":
        upload = page.upload("upload_csv", T("own.csv"), ["csv", "txt", "log", "tsv"], curves_io.MAX_BYTES,
                             help=T("own.csv_help"))
        if upload is not None:
            curves = cached_parse(upload[1], upload[0])
        else:
            st.info(T("own.waiting_csv"))
    else:
        left, right = st.columns(2)
        with left:
            train_file = page.upload("upload_tb_train", T("own.tb_train"), ["csv"], curves_io.MAX_BYTES)
        with right:
            val_file = page.upload("upload_tb_val", T("own.tb_val"), ["csv"], curves_io.MAX_BYTES)
        if train_file is not None and val_file is not None:
            curves = cached_parse_pair(train_file[1], val_file[1], train_file[0], val_file[0])
        else:
            st.info(T("own.waiting_tb"))
except curves_io.CurveFileError as error:
    problem = escape(error)
if problem is not None:
    st.error(f"{T('own.bad_file')} {problem}", icon=":material/error:")
    st.caption(T("own.bad_file_hint"))
elif curves is not None:
    if curves.notices:
        st.caption(T("own.notices") + " " + escape("; ".join(curves.notices)) + ".")
    try:
        own = cached_diagnose(curves.steps, curves.train_loss, curves.val_loss, round(float(window), 2))
    except ValueError as error:
        st.error(f"{T('own.bad_file')} {escape(error)}", icon=":material/error:")
    else:
        st.caption(T("own.read", n=curves.steps.size, first=f"{curves.steps[0]:g}", last=f"{curves.steps[-1]:g}",
                     drawn=min(curves.steps.size, MAX_DRAWN)))
        curves_chart(curves.steps, curves.train_loss, curves.val_loss, own, T("col.step"))
        show_diagnosis(own)
st.download_button(T("own.sample"), V.curves_csv(run.epochs, run.train_loss, run.val_loss),
                   file_name=f"sample_curves_{preset}.csv", mime="text/csv", on_click="ignore", key="sample_csv",
                   icon=":material/download:", help=T("own.sample_help", preset=T(f"case.{preset}")))

page.question("flat_train", ["overfitting", "data", "converged"], correct="data")
page.finish()
