"""Playground: a small MLP trained live with real PyTorch (CPU or GPU) on a 2-D data set or the student's CSV.

Widgets (data / network / training) → a ``TrainConfig`` → the student's ``LiveRun`` in st.session_state (rebuilt
when any setting changes; never cached across sessions) → a fragment that advances it a few epochs per tick while
playing and draws the boundary, the hidden units and the curves. Heavy work runs only on Play / Step / "Train A and
B", never on a plain rerun.
"""
import re

import pandas as pd
import streamlit as st

from core import data as D
from core import nets, training
from core.training import TrainConfig
from core.views import playground as V
from ui.charts import show
from ui.charts.base import PALETTE
from ui.charts.grids import boundary_map, relative_unit_maps
from ui.charts.lines import comparison_frame, curves_frame, hover_lines
from ui.i18n import Texts, error_text, escape
from ui.lesson import LessonPage
from ui.training_slots import training_slot, training_slot_if_free

page = LessonPage("playground")
T = page.t

RUN, CSV, CSV_ERROR, COMPARE = "_playground_run", "_playground_csv", "_playground_csv_error", "_playground_compare"
TICK_S = 0.2  # a fragment rerun every TICK_S seconds while playing
TICK_BUDGET_S = 0.35  # at most this much training per tick
STEP_BUDGET_S = 5.0  # at most this much training per Step
COMPARE_SECONDS = 10.0  # time budget of each compared run
DEFAULTS = TrainConfig()

DATASETS = list(D.DATASETS) + ["custom"]
LR_OPTIONS = ["0.00001", "0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"]
PENALTY_OPTIONS = ["0", "0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1"]
TOL_OPTIONS = ["0", "0.000001", "0.00001", "0.0001", "0.001", "0.01"]
CLIP_OPTIONS = ["0.01", "0.1", "0.5", "1", "2", "5", "10", "100"]
EPS_OPTIONS = ["1e-10", "1e-8", "1e-6", "1e-4", "0.01"]
BETA2_OPTIONS = ["0.9", "0.99", "0.999", "0.9999"]
INIT_STD_OPTIONS = ["0.001", "0.01", "0.1", "0.5", "1", "2", "5"]


def log_choice(name: str, options: list[str], default: str) -> float:
    """A number picked on a log scale: a select slider over numbers written as text."""
    return float(page.select_slider(name, options, default))


# --- the student's own CSV -------------------------------------------------------------------------------------------
def safe_name(name: str) -> str:
    return re.sub(r"[^\w.\- ]", "_", str(name))[:60] or "data.csv"


def handle_upload(uploaded, state) -> bool:
    """Read an uploaded CSV into ``state`` (session state): on success the data and dataset = "custom"; on failure
    the error, keeping whatever data was there before. Returns whether the file was read."""
    state.pop(CSV_ERROR, None)
    if uploaded is None:
        return False
    name = safe_name(getattr(uploaded, "name", "data.csv"))
    try:
        X, y = D.load_csv(uploaded)
    except ValueError as error:
        state[CSV_ERROR] = (name, error)
        return False
    state[CSV] = {"name": name, "X": X, "y": y, "token": (name, getattr(uploaded, "file_id", None), len(X),
                                                          float(X.sum()), int(y.sum()))}
    state[page.key("dataset")] = "custom"
    return True


def on_upload() -> None:
    handle_upload(st.session_state.get(page.key("csv_upload")), st.session_state)


# --- controls --------------------------------------------------------------------------------------------------------
page.prose(T("intro"))
with page.main_experiment():
    if page.lecture:  # a projector: the settings in tabs beside the live run, all on the first screen
        settings_col, live_col = st.columns([1, 2], gap="large")
        data_box, net_box, train_box = settings_col.tabs(
            [T("section.data"), T("section.network"), T("section.training")])
    else:
        data_box, net_box, train_box = (column.container(border=True) for column in st.columns(3, gap="medium"))
        live_col = st.container()


def box_title(text: str) -> None:
    if not page.lecture:  # in lecture mode the tab says it
        st.subheader(text)


with data_box:
    box_title(T("section.data"))
    dataset = page.choice("dataset", DATASETS, DEFAULTS.dataset)
    n_classes = page.slider("n_classes", D.MIN_BLOB_CLASSES, D.MAX_BLOB_CLASSES, 3) if dataset == "blobs" else 2
    noise = page.slider("noise", 0.0, D.MAX_NOISE, DEFAULTS.noise, 0.01)
    n_samples = page.slider("n_samples", D.MIN_SAMPLES, D.MAX_SAMPLES, DEFAULTS.n_samples, 10)
    val_fraction = page.slider("val_fraction", D.MIN_VAL_FRACTION, D.MAX_VAL_FRACTION, DEFAULTS.val_fraction, 0.05)
    seed = page.slider("seed", 0, 999, DEFAULTS.seed)
    with st.expander(T("section.features")):
        st.caption(T("features_intro"))
        features = tuple(name for name in D.FEATURES if page.toggle(name, False))
    with st.expander(T("section.upload"), expanded=dataset == "custom"):
        st.caption(T("upload.help", rows=D.CSV_MAX_ROWS, classes=D.CSV_MAX_CLASSES))
        st.file_uploader(T("upload.label"), type=["csv", "txt"], key=page.key("csv_upload"), on_change=on_upload)
        page.upload_limits(["csv", "txt"], D.CSV_MAX_BYTES)
        if CSV_ERROR in st.session_state:
            bad_name, bad_error = st.session_state[CSV_ERROR]
            st.error(T("upload.error", name=escape(bad_name), error=error_text(bad_error)))
        if CSV in st.session_state:
            mine = st.session_state[CSV]
            st.caption(T("upload.loaded", name=escape(mine["name"]), rows=len(mine["X"]),
                         classes=int(mine["y"].max()) + 1))

with net_box:
    box_title(T("section.network"))
    depth = page.slider("depth", 0, training.MAX_DEPTH, len(DEFAULTS.hidden))
    width = page.slider("width", 1, 128, DEFAULTS.hidden[0])
    activation = page.choice("activation", list(nets.ACTIVATIONS), DEFAULTS.activation)
    init = page.choice("init", list(nets.INITS), DEFAULTS.init)
    init_std = log_choice("init_std", INIT_STD_OPTIONS, "0.01") if init == "normal" else DEFAULTS.init_std
    init_constant = page.slider("init_constant", -2.0, 2.0, DEFAULTS.init_constant, 0.1) if init == "constant" \
        else DEFAULTS.init_constant
    norm = page.choice("norm", list(nets.NORMS), DEFAULTS.norm)
    residual = page.toggle("residual", DEFAULTS.residual)

with train_box:
    box_title(T("section.training"))
    optimizer = page.choice("optimizer", list(training.OPTIMIZERS), DEFAULTS.optimizer)
    lr = log_choice("lr", LR_OPTIONS, "0.03")
    batch_size = page.slider("batch_size", 0, 512, DEFAULTS.batch_size)
    epochs = page.slider("epochs", 1, training.MAX_EPOCHS, DEFAULTS.epochs)
    loss = page.choice("loss", list(training.LOSSES), DEFAULTS.loss, kind="radio", horizontal=True)
    speed = page.slider("speed", 1, 100, 20)
    with st.expander(T("section.more")):
        momentum = page.slider("momentum", 0.0, 0.99, DEFAULTS.momentum, 0.01) \
            if optimizer in ("momentum", "nesterov") else DEFAULTS.momentum
        beta1 = page.slider("beta1", 0.0, 0.99, DEFAULTS.beta1, 0.01) if optimizer == "adam" else DEFAULTS.beta1
        beta2 = log_choice("beta2", BETA2_OPTIONS, "0.999") if optimizer == "adam" else DEFAULTS.beta2
        alpha = page.slider("alpha", 0.5, 0.999, DEFAULTS.alpha, 0.001) if optimizer == "rmsprop" else DEFAULTS.alpha
        eps = log_choice("eps", EPS_OPTIONS, "1e-8") if optimizer in ("adagrad", "rmsprop", "adam") else DEFAULTS.eps
        l1 = log_choice("l1", PENALTY_OPTIONS, "0")
        l2 = log_choice("l2", PENALTY_OPTIONS, "0")
        clip = page.choice("clip", list(training.CLIPS), DEFAULTS.clip, kind="radio", horizontal=True)
        clip_threshold = log_choice("clip_threshold", CLIP_OPTIONS, "1") if clip != "none" \
            else DEFAULTS.clip_threshold
        tol = log_choice("tol", TOL_OPTIONS, "0")
        tol_window = page.slider("tol_window", 1, 200, DEFAULTS.tol_window) if tol > 0 else DEFAULTS.tol_window
        patience = page.slider("patience", 0, 500, DEFAULTS.patience)
        device = page.choice("device", list(training.DEVICES), DEFAULTS.device, kind="radio", horizontal=True)

custom = st.session_state.get(CSV) if dataset == "custom" else None
if custom:
    n_classes = int(custom["y"].max()) + 1
config = TrainConfig(
    dataset=dataset, noise=float(noise), n_samples=int(n_samples), val_fraction=float(val_fraction),
    features=features, n_classes=int(n_classes), hidden=(int(width),) * int(depth), activation=activation, init=init,
    init_std=float(init_std), init_constant=float(init_constant), norm=norm, residual=bool(residual),
    optimizer=optimizer, lr=lr, momentum=float(momentum), beta1=float(beta1), beta2=float(beta2),
    alpha=float(alpha), eps=float(eps), batch_size=int(batch_size), epochs=int(epochs), loss=loss, l1=l1, l2=l2,
    clip=clip, clip_threshold=float(clip_threshold), tol=tol, tol_window=int(tol_window), patience=int(patience),
    seed=int(seed), device=device, max_seconds=training.MAX_SECONDS)
data = (custom["X"], custom["y"]) if custom else None
token = custom["token"] if custom else None


# --- the student's run: in session state only ------------------------------------------------------------------------
def current_run() -> V.LiveRun | None:
    """The session's run for these settings; a new one (untrained, paused) when any setting changed."""
    run = st.session_state.get(RUN)
    key = (config, token)
    if run is None or run.key != key:
        st.session_state.pop(RUN, None)
        run = V.LiveRun(key, config, data)
        st.session_state[RUN] = run
    return run


def set_playing(playing: bool) -> None:
    run = st.session_state.get(RUN)
    if run is not None:
        run.playing = playing and not run.done


def ask_step(epochs: int) -> None:
    run = st.session_state.get(RUN)
    if run is not None and not run.done:
        run.pending += epochs


def reset_run() -> None:
    st.session_state.pop(RUN, None)


def notice_text(notice) -> str:
    key = f"notice.{notice.code}"
    if not T.has(key):
        return str(notice)
    params = dict(notice.params)
    if "widths" in params:
        params["widths"] = ", ".join(str(w) for w in params["widths"])
    if "name" in params:
        params["name"] = T(f"widgets.{params['name']}") if T.has(f"widgets.{params['name']}") else params["name"]
    try:
        return T(key, **params)
    except (KeyError, IndexError):
        return str(notice)


def stop_text(history) -> tuple[str, str]:
    code, epoch = V.stop_state(history)
    return code, T(f"stop.{code}", epoch=epoch)


def fmt(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}g}" if value == value and abs(value) != float("inf") else "—"


def live_view() -> None:
    """One tick: train a little if playing (or if a Step is pending), then draw the current state."""
    run = st.session_state.get(RUN)
    if run is None:
        return
    trained = False
    if run.pending and not run.done:  # a Step: asked for once, so it waits for a slot (saying so)
        epochs, run.pending = run.pending, 0
        with training_slot():
            run.advance(epochs, STEP_BUDGET_S)
        trained = True
    elif run.playing and not run.done:  # Play: a little every tick; when the server is busy this tick is skipped
        with training_slot_if_free() as free:
            if free:
                run.advance(int(speed), TICK_BUDGET_S)
                trained = True
        if not free:
            st.info(Texts("common")("queued"), icon=":material/hourglass_top:")
    if trained and run.done:
        st.rerun()  # a full rerun: Play and Step turn off and the ticking stops
    history = run.trainer.history
    views = run.views()
    st.progress(min(1.0, run.epoch / run.trainer.config.epochs),
                text=T("live.progress", epoch=run.epoch, epochs=run.trainer.config.epochs))
    code, message = stop_text(history)
    last = V.last_values(history)
    if code == "diverged":
        st.error(message, icon=":material/warning:")
    elif code != "running":
        st.success(message, icon=":material/flag:")
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader(T("live.boundary_title"))
        show(boundary_map(
            views.boundary, split_names=(T("col.train"), T("col.val")),
            texts={"x1": "x₁", "x2": "x₂", "class": T("col.class"), "probability": T("col.probability"),
                   "split": T("col.split"), "label": T("col.label")}), fixed=True)
        if not views.boundary.finite:
            st.caption(T("live.not_finite"))
    with right:
        st.subheader(T("live.curves_title"))
        if last is None:
            st.info(T("live.waiting"), icon=":material/play_arrow:")
        else:
            st.caption(T("live.now", epoch=run.epoch, train_loss=fmt(last["train_loss"]),
                         val_loss=fmt(last["val_loss"]), train_acc=fmt(100 * last["train_acc"], 3),
                         val_acc=fmt(100 * last["val_acc"], 3)))
            c = views.curves
            mark = V.stop_state(history)[1] if code == "diverged" else None
            names = (T("col.train"), T("col.val"))
            loss_frame = curves_frame(c["epoch"], {names[0]: c["train_loss"], names[1]: c["val_loss"]})
            show(hover_lines(
                loss_frame, x_title=T("col.epoch"), y_title=T("col.loss"), series_title=T("col.split"), log_y=True,
                mark_epoch=mark, mark_label=message))
            acc_frame = curves_frame(c["epoch"], {names[0]: c["train_acc"], names[1]: c["val_acc"]})
            show(hover_lines(
                acc_frame, x_title=T("col.epoch"), y_title=T("col.accuracy"), series_title=T("col.split"),
                y_domain=[0, 1], mark_epoch=mark, mark_label=message))
    st.subheader(T("units.title"))
    if not views.units:
        st.caption(T("units.none"))
    for maps in views.units:
        which = T("units.first") if maps.layer == 1 else T("units.last")
        st.markdown(T("units.layer", which=which, layer=maps.layer, shown=maps.shown, width=maps.width,
                      scale=fmt(maps.scale, 3)))
        show(relative_unit_maps(
            maps, texts={"unit": T("col.unit"), "activation": T("col.activation")}), fixed=True)


# --- the page --------------------------------------------------------------------------------------------------------
with live_col:
    run = None
    if dataset == "custom" and custom is None:
        st.info(T("upload.need_file"), icon=":material/upload_file:")
    else:
        try:
            run = current_run()
        except ValueError as error:
            st.error(T("invalid", error=error_text(error)))

    if run is not None:
        trainer = run.trainer
        for notice in trainer.history.notices:
            st.warning(notice_text(notice), icon=":material/tune:")
        play_col, step_col, reset_col, info_col = st.columns([1, 1, 1, 3], vertical_alignment="center")
        # one button that turns from Play to Pause (one key: the two can never show side by side)
        play_col.button(T("buttons.pause") if run.playing else T("buttons.play"), key="play_pause",
                        icon=":material/pause:" if run.playing else ":material/play_arrow:", on_click=set_playing,
                        args=(not run.playing,), disabled=run.done and not run.playing,
                        type="secondary" if run.playing else "primary")
        step_col.button(T("buttons.step", n=int(speed)), key="step", icon=":material/skip_next:", on_click=ask_step,
                        args=(int(speed),), disabled=run.done or run.playing)
        reset_col.button(T("buttons.reset"), key="reset", icon=":material/restart_alt:", on_click=reset_run)
        info_col.caption(T("live.device", device=str(trainer.device), speed=int(speed)))
        st.fragment(live_view, run_every=TICK_S if run.playing else None)()
        st.markdown(T("live.reading"))

if run is not None:
    # --- learned parameters vs hyperparameters ------------------------------------------------------------------
    st.header(T("params.title"))
    counts = V.parameter_counts(trainer.model)
    learned_col, hyper_col = st.columns(2, gap="large")
    with learned_col:
        st.subheader(T("params.learned", total=counts["total"]))
        st.markdown(T("params.learned_intro", weights=counts["weights"], biases=counts["biases"],
                      norm_scales=counts["norm_scales"]))
        rows = V.parameter_rows(trainer.model)
        st.table(pd.DataFrame({
            T("col.layer"): [T("col.hidden", n=row["index"]) if row["hidden"] else T("col.output") for row in rows],
            T("col.shape"): [f"{row['fan_in']} → {row['fan_out']}" for row in rows],
            T("col.weights"): [row["weights"] for row in rows],
            T("col.biases"): [row["biases"] for row in rows],
            T("col.norm_scales"): [row["norm_scales"] for row in rows],
            T("col.total"): [row["total"] for row in rows],
        }), hide_index=True)
    with hyper_col:
        cfg = trainer.config
        st.subheader(T("params.hyper"))
        st.markdown(T("params.hyper_intro"))
        chosen = [("dataset", T(f"options.dataset.{cfg.dataset}")),
                  ("features_chosen", ", ".join(D.FEATURES[f] for f in cfg.features) or "—"),
                  ("depth", str(len(cfg.hidden))), ("width", ", ".join(str(w) for w in cfg.hidden) or "—"),
                  ("activation", T(f"options.activation.{cfg.activation}")),
                  ("init", T(f"options.init.{cfg.init}")), ("norm", T(f"options.norm.{cfg.norm}")),
                  ("residual", T("yes") if cfg.residual else T("no")),
                  ("optimizer", T(f"options.optimizer.{cfg.optimizer}")), ("lr", f"{cfg.lr:g}"),
                  ("batch_size", str(cfg.batch_size) if not trainer.full_batch else T("full_batch")),
                  ("epochs", str(cfg.epochs)), ("loss", T(f"options.loss.{cfg.loss}")),
                  ("l1", f"{cfg.l1:g}"), ("l2", f"{cfg.l2:g}"), ("clip", T(f"options.clip.{cfg.clip}")),
                  ("seed", str(cfg.seed))]
        st.table(pd.DataFrame({T("col.hyperparameter"): [T(f"hyper.{key}") if T.has(f"hyper.{key}")
                                                         else T(f"widgets.{key}") for key, _ in chosen],
                                   T("col.value"): [value for _, value in chosen]}), hide_index=True)

    # --- compare with another configuration ----------------------------------------------------------------------
    st.header(T("compare.title"))
    st.markdown(T("compare.intro"))
    if page.toggle("compare", False):
        a_col, b_col = st.columns([1, 3], gap="large")
        with a_col:
            optimizer_b = page.choice("optimizer_b", list(training.OPTIMIZERS), "sgd", labels_from="optimizer")
            lr_b = log_choice("lr_b", LR_OPTIONS, "0.03")
            init_b = page.choice("init_b", list(nets.INITS), DEFAULTS.init, labels_from="init")
            norm_b = page.choice("norm_b", list(nets.NORMS), DEFAULTS.norm, labels_from="norm")
            config_a = config.replace(max_seconds=COMPARE_SECONDS)
            config_b = config_a.replace(optimizer=optimizer_b, lr=lr_b, init=init_b, norm=norm_b)
            pair = (config_a, config_b, token)
            pressed = st.button(T("compare.run"), key="compare_run", icon=":material/compare_arrows:",
                                type="primary")
        with b_col:
            if pressed:
                with training_slot(), st.spinner(T("compare.running")):
                    try:
                        st.session_state[COMPARE] = (pair, V.compare(config_a, config_b, data))
                    except ValueError as error:
                        st.error(T("invalid", error=error_text(error)))
            stored = st.session_state.get(COMPARE)
            if stored is None:
                st.info(T("compare.press"))
            elif stored[0] != pair:
                st.info(T("compare.stale"))
            else:
                result = stored[1]
                names = [T("compare.name", run=run_name, optimizer=T(f"options.optimizer.{c.optimizer}"),
                           lr=f"{c.lr:g}", init=T(f"options.init.{c.init}"), norm=T(f"options.norm.{c.norm}"))
                         for run_name, c in (("A", config_a), ("B", config_b))]
                for (code, epoch), final, name in zip(result.stops, result.finals, names):
                    summary = T(f"stop.{code}", epoch=epoch)
                    if final is not None:
                        summary += " " + T("compare.final", val_loss=fmt(final["val_loss"]),
                                           val_acc=fmt(100 * final["val_acc"], 3))
                    st.markdown(f"**{name}** — {summary}")
                series = [f"{run_name} · {split}" for run_name in ("A", "B")
                          for split in (T("col.train"), T("col.val"))]
                for metric, title, log_y, domain in (("loss", T("col.loss"), True, None),
                                                      ("acc", T("col.accuracy"), False, [0, 1])):
                    show(hover_lines(
                        comparison_frame(result, metric, series), x_title=T("col.epoch"), y_title=title,
                        series_title=T("col.run"), log_y=log_y, y_domain=domain, dashed=[series[1], series[3]],
                        colors=[PALETTE[0], PALETTE[0], PALETTE[1], PALETTE[1]]))

    # --- downloads ---------------------------------------------------------------------------------------------------
    st.header(T("download.title"))
    st.markdown(T("download.intro"))
    csv_col, script_col = st.columns(2)
    csv_col.download_button(T("download.csv"), data=lambda history=trainer.history: history.to_csv(),
                            file_name="playground_history.csv", mime="text/csv", key="download_csv",
                            on_click="ignore", icon=":material/table:")
    script_col.download_button(T("download.script"), data=lambda c=config, d=data: training.export_script(c, d),
                               file_name="playground_run.py", mime="text/x-python", key="download_script",
                               on_click="ignore", icon=":material/code:")

page.question("no_hidden", ["line", "curve", "spiral"], correct="line")
page.finish()
