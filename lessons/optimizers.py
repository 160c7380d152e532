"""Optimizers: a race on 2-D loss surfaces, each update with live numbers, momentum's phase diagram, basin maps."""
import math

import pandas as pd
import streamlit as st

from core.optimizers import OPTIMIZERS, PHASES, default_lr
from core.surfaces import MAX_FORMULA_LENGTH
from core.views import optimizers as V
from ui.charts import show
from ui.charts.grids import basin_chart, basin_frames, phase_chart, phase_frames
from ui.charts.surfaces import PICKS, race_chart, race_frames
from ui.i18n import escape
from ui.lesson import LessonPage

page = LessonPage("optimizers")
T = page.t

NAMES = tuple(OPTIMIZERS)  # sgd, momentum, nesterov, adagrad, rmsprop, adam
START_X, START_Y = (-10.0, 10.0), (-5.0, 5.0)  # the union of the surfaces' boxes; core clamps into the chosen one
LABELS = tuple(T(f"opt.{name}") for name in NAMES)

cached_race = st.cache_data(V.race, show_spinner=False)
cached_numbers = st.cache_data(V.update_numbers, show_spinner=False)
cached_phase = st.cache_data(V.phase_view, show_spinner=False)
cached_basins = st.cache_data(V.basin_view, show_spinner=False)


# The figures are cached whole (finished Vega-Lite dicts): building and validating a layered Altair chart takes
# longer than a warm rerun may, and a figure only changes when its settings or its language do.
@st.cache_data(show_spinner=False, max_entries=256)
def race_figure(surface, formula, start, steps, settings, schedule, eps, labels, texts) -> dict:
    view = cached_race(surface, formula, start, steps, settings, schedule, eps)
    texts = dict(texts)
    frames = race_frames(view, [NAMES.index(name) for name, _, _ in settings], list(labels), texts)
    return race_chart(frames, x_range=view.x_range, y_range=view.y_range, series_domain=list(labels), texts=texts,
                      steps=view.steps, stride=view.stride, log_gap=view.f_star is not None,
                      log_color=view.log_levels)


@st.cache_data(show_spinner=False, max_entries=8)
def phase_figure(phase_labels, line_labels, texts) -> dict:
    phase = cached_phase()
    frames = phase_frames(phase, list(phase_labels), line_labels)
    return phase_chart(frames, phase.lr_edges, phase.mu_edges, phase_domain=list(phase_labels), texts=dict(texts))


@st.cache_data(show_spinner=False, max_entries=64)
def basin_figure(settings, steps, schedule, labels, none_label, texts) -> dict:
    basins = cached_basins(settings, steps, schedule)
    basin_labels = [f"({mx:.2f}, {my:.2f})" for mx, my in basins.minima] + [none_label]
    frames = basin_frames(basins, [NAMES.index(name) for name in basins.names], list(labels), basin_labels)
    return basin_chart(frames, basins.xs, basins.ys, basin_domain=basin_labels, texts=dict(texts))


def apply_scenario() -> None:
    """A new surface brings its experiment: start point, steps, the optimizers shown and their learning rates."""
    state = st.session_state
    surface = state[page.key("surface")]
    scenario = V.scenario(surface)
    state[page.key("start_x")], state[page.key("start_y")] = scenario.start
    state[page.key("steps")] = scenario.steps
    for name in NAMES:
        state[page.key(f"show_{name}")] = name in scenario.optimizers
        state[page.key(f"log_lr_{name}")] = V.log_lr(default_lr(name, surface))


PICKS_MADE = "_optimizers_picks"  # how many starts were picked: the chart's key, so the same spot can be re-picked


def start_from_click(chart_key: str) -> None:
    """Chart callback: the clicked point (a grid node, or the mark clicked) becomes the start point (runs before the
    sliders exist). The chart then gets a new key, so its selection starts empty: clicking the same spot again,
    after the start was moved by its sliders, still counts."""
    selection = st.session_state[chart_key].selection
    for name in PICKS:
        picked = selection.get(name) or []
        if picked and "x" in picked[0] and "y" in picked[0]:
            x, y = float(picked[0]["x"]), float(picked[0]["y"])
            st.session_state[page.key("start_x")] = round(min(max(x, START_X[0]), START_X[1]), 3)
            st.session_state[page.key("start_y")] = round(min(max(y, START_Y[0]), START_Y[1]), 3)
            st.session_state[PICKS_MADE] = st.session_state.get(PICKS_MADE, 0) + 1
            return


def num(value: float, digits: int = 4) -> str:
    """A number for LaTeX: 4 significant digits, powers of ten written out."""
    if value is None or not math.isfinite(value):
        return r"\text{—}"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}\\times 10^{{{int(exponent)}}}"
    return text


def vec(pair) -> str:
    return f"\\begin{{pmatrix}}{num(pair[0])}\\\\{num(pair[1])}\\end{{pmatrix}}"


def equations(n: V.UpdateNumbers) -> list[str]:
    """The update rule of ``n.name``: with symbols, then with the numbers of step n.t."""
    t, eta = n.t, num(n.lr)
    lines = [rf"g_{{{t}}} = \nabla f(\theta_{{{t - 1}}}) = \nabla f{vec(n.theta_before)} = {vec(n.g)}"]
    step_start = rf"\theta_{{{t}}} = \theta_{{{t - 1}}} - \eta_{{{t}}}"
    if n.name == "sgd":
        lines.append(rf"{step_start}\,g_{{{t}}} = {vec(n.theta_before)} - {eta}\cdot{vec(n.g)} = {vec(n.theta_after)}")
    elif n.name in ("momentum", "nesterov"):
        mu, v = num(n.hparams["momentum"]), vec(n.after["v"])
        first = r"\quad(v_1 = g_1)" if t == 1 else ""
        lines.append(rf"v_{{{t}}} = \mu\,v_{{{t - 1}}} + g_{{{t}}} = {mu}\cdot{vec(n.before['v'])} + {vec(n.g)}"
                     rf" = {v}{first}")
        if n.name == "momentum":
            lines.append(rf"{step_start}\,v_{{{t}}} = {vec(n.theta_before)} - {eta}\cdot{v} = {vec(n.theta_after)}")
        else:
            lines.append(rf"{step_start}\,(g_{{{t}}} + \mu\,v_{{{t}}}) = {vec(n.theta_before)} - {eta}\cdot"
                         rf"\left({vec(n.g)} + {mu}\cdot{v}\right) = {vec(n.theta_after)}")
    elif n.name in ("adagrad", "rmsprop"):
        s = vec(n.after["s"])
        if n.name == "adagrad":
            lines.append(rf"s_{{{t}}} = s_{{{t - 1}}} + g_{{{t}}}^2 = {vec(n.before['s'])} + {vec(n.g)}^2 = {s}")
        else:
            alpha = n.hparams["alpha"]
            lines.append(rf"s_{{{t}}} = \alpha\,s_{{{t - 1}}} + (1-\alpha)\,g_{{{t}}}^2 = {num(alpha)}\cdot"
                         rf"{vec(n.before['s'])} + {num(n.after['w'])}\cdot{vec(n.g)}^2 = {s}")
        lines.append(rf"{step_start}\,\frac{{g_{{{t}}}}}{{\sqrt{{s_{{{t}}}}} + \epsilon}} = {vec(n.theta_before)}"
                     rf" - {eta}\cdot\frac{{{vec(n.g)}}}{{\sqrt{{{s}}} + {num(n.hparams['eps'], 2)}}}"
                     rf" = {vec(n.theta_after)}")
    else:
        b1, b2 = n.hparams["betas"]
        c1, c2 = n.after["c"]
        w1, w2 = n.after["w"]
        m_hat, v_hat = vec(n.after["m_hat"]), vec(n.after["v_hat"])
        lines.append(rf"m_{{{t}}} = \beta_1 m_{{{t - 1}}} + (1-\beta_1)\,g_{{{t}}} = {num(b1)}\cdot"
                     rf"{vec(n.before['m'])} + {num(w1)}\cdot{vec(n.g)} = {vec(n.after['m'])}")
        lines.append(rf"v_{{{t}}} = \beta_2 v_{{{t - 1}}} + (1-\beta_2)\,g_{{{t}}}^2 = {num(b2)}\cdot"
                     rf"{vec(n.before['v'])} + {num(w2)}\cdot{vec(n.g)}^2 = {vec(n.after['v'])}")
        lines.append(rf"\hat m_{{{t}}} = \frac{{m_{{{t}}}}}{{1-\beta_1^{{{t}}}}} = \frac{{{vec(n.after['m'])}}}"
                     rf"{{{num(c1)}}} = {m_hat},\qquad \hat v_{{{t}}} = \frac{{v_{{{t}}}}}{{1-\beta_2^{{{t}}}}}"
                     rf" = \frac{{{vec(n.after['v'])}}}{{{num(c2)}}} = {v_hat}")
        lines.append(rf"{step_start}\,\frac{{\hat m_{{{t}}}}}{{\sqrt{{\hat v_{{{t}}}}} + \epsilon}} = "
                     rf"{vec(n.theta_before)} - {eta}\cdot\frac{{{m_hat}}}{{\sqrt{{{v_hat}}} + "
                     rf"{num(n.hparams['eps'], 2)}}} = {vec(n.theta_after)}")
    return lines


# --- 1. The race -----------------------------------------------------------------------------------------------------
st.header(T("race.title"))
page.prose(T("race.intro"))

with page.main_experiment():
    controls_box, chart_box = page.side_by_side((2, 3))
with controls_box:
    if page.lecture:  # a narrower column: the surface and the steps first, the formula below them
        surface_col, steps_col = st.columns([3, 2], gap="medium")
        formula_col = st.container()
    else:
        surface_col, formula_col, steps_col = st.columns([2, 3, 2], gap="medium")
    with surface_col:
        surface = page.choice("surface", V.RACE_SURFACES, "quadratic", on_change=apply_scenario)
    scenario = V.scenario(surface)
    with formula_col:
        if surface == "custom":
            formula_text = page.text_input("formula", V.DEFAULT_FORMULA, max_chars=MAX_FORMULA_LENGTH)
        else:
            formula_text = V.DEFAULT_FORMULA
            st.caption(T("race.formula_hint"))
    with steps_col:
        steps = page.slider("steps", 10, 2000, scenario.steps, 10)

    place = st.columns([1, 1] if page.lecture else [2, 2, 3], gap="medium")
    with place[0]:
        start_x = page.slider("start_x", *START_X, float(scenario.start[0]), 0.001, format="%.3f")
    with place[1]:
        start_y = page.slider("start_y", *START_Y, float(scenario.start[1]), 0.001, format="%.3f")
    with st.container() if page.lecture else place[2]:
        eps_choice = page.choice("eps", ["1e-2", "1e-3", "1e-4", "1e-6"], "1e-3", kind="radio", horizontal=True)
    eps = float(eps_choice)

    shown = {}
    toggle_columns = st.columns(3 if page.lecture else len(NAMES))
    for index, name in enumerate(NAMES):
        with toggle_columns[index % len(toggle_columns)]:
            shown[name] = page.toggle(f"show_{name}", name in scenario.optimizers)

    with st.expander(T("race.settings"), icon=":material/tune:"):
        lrs, hparams = {}, {}
        for tab, name in zip(st.tabs(list(LABELS)), NAMES):
            with tab:
                st.caption(T(f"character.{name}"))
                left, right = st.columns(2)
                with left:
                    low, high = V.log_lr_range(name)
                    log_lr = page.slider(f"log_lr_{name}", low, high, V.log_lr(default_lr(name, surface)), 0.01,
                                         format="%.2f")
                    lrs[name] = V.lr_from_log(log_lr)
                    st.markdown(T("race.lr_now", lr=f"{lrs[name]:.3g}"))
                    st.caption(T("race.suggested_lr", lr=f"{default_lr(name, surface):g}",
                                 surface=T(f"options.surface.{surface}")))
                with right:
                    if name == "momentum":
                        hparams[name] = (("momentum", page.slider("mu_momentum", 0.0, 0.99, 0.9, 0.01)),)
                    elif name == "nesterov":
                        hparams[name] = (("momentum", page.slider("mu_nesterov", 0.01, 0.99, 0.9, 0.01)),)
                    elif name == "rmsprop":
                        hparams[name] = (("alpha", page.slider("alpha_rmsprop", 0.5, 0.999, 0.99, 0.001,
                                                               format="%.3f")),)
                    elif name == "adam":
                        beta1 = page.slider("beta1_adam", 0.0, 0.99, 0.9, 0.01)
                        beta2 = page.slider("beta2_adam", 0.5, 0.9999, 0.999, 0.0001, format="%.4f")
                        hparams[name] = (("betas", (beta1, beta2)),)
                    else:
                        hparams[name] = ()
                        st.caption(T(f"race.no_hparams_{name}"))

    with st.expander(T("race.schedule"), icon=":material/trending_down:"):
        schedule_kind = page.choice("schedule", ["constant", "step", "exponential", "cosine"], "constant",
                                    kind="radio", horizontal=True)
        cols = st.columns(2)
        if schedule_kind == "step":
            with cols[0]:
                step_size = page.slider("step_size", 1, 1000, 100, 1)
            with cols[1]:
                step_gamma = page.slider("step_gamma", 0.05, 1.0, 0.5, 0.05)
            schedule = ("step", (("step_size", step_size), ("gamma", step_gamma)))
            st.latex(rf"\eta_t = \eta\cdot {step_gamma:g}^{{\lfloor t/{step_size} \rfloor}}")
        elif schedule_kind == "exponential":
            with cols[0]:
                exp_gamma = page.slider("exp_gamma", 0.9, 1.0, 0.99, 0.001, format="%.3f")
            schedule = ("exponential", (("gamma", exp_gamma),))
            st.latex(rf"\eta_t = \eta\cdot {exp_gamma:g}^{{t}}")
        elif schedule_kind == "cosine":
            schedule = ("cosine", ())
            st.latex(rf"\eta_t = \tfrac{{\eta}}{{2}}\left(1 + \cos\tfrac{{\pi t}}{{{steps}}}\right)")
        else:
            schedule = ("constant", ())
            st.latex(r"\eta_t = \eta")
        st.caption(T("race.schedule_note"))

settings = tuple((name, lrs[name], hparams[name]) for name in NAMES if shown[name])
formula_key = formula_text if surface == "custom" else V.DEFAULT_FORMULA
view = cached_race(surface, formula_key, (start_x, start_y), steps, settings, schedule, eps)
known = view.f_star is not None

with chart_box:
    if view.error:
        st.error(T("formula.invalid", error=escape(view.error)), icon=":material/function:")
        st.caption(T("formula.fallback", formula=V.DEFAULT_FORMULA))
    if view.start_moved:
        st.caption(T("race.start_moved", x=f"{view.start[0]:.3g}", y=f"{view.start[1]:.3g}"))
    if surface == "custom":
        st.markdown(T("race.formula_custom", formula=escape(view.formula)))
    else:
        st.latex(f"f(x, y) = {view.formula}")

    texts = {"x": "x", "y": "y", "level": "f", "opt": T("chart.optimizer"), "step": T("chart.step"), "f": "f",
             "gap": T("chart.gap") if known else "f", "slider": T("chart.slider"), "start": T("chart.start"),
             "start_label": T("chart.start_label"), "minimum": T("chart.minimum"),
             "minimum_label": T("chart.minimum_label"), "marker": T("chart.marker")}
    spec = race_figure(surface, formula_key, (start_x, start_y), steps, settings, schedule, eps, LABELS,
                       tuple(sorted(texts.items())))
    race_key = f"race_chart_{st.session_state.get(PICKS_MADE, 0)}"
    # its own size (two square plots side by side); a click on it sets the start point
    show(spec, fixed=True, key=race_key, on_select=lambda key=race_key: start_from_click(key),
         selection_mode=list(PICKS))
st.caption(T("race.how_to", stride=view.stride))
if not settings:
    st.info(T("race.none_selected"))
st.markdown(T(f"look.{surface}"))

# --- the table: how fast, how far -----------------------------------------------------------------------------------
st.subheader(T("table.title", eps=eps_choice))


def result(run: V.RunSummary) -> str:
    if run.diverged_at is not None:
        return T("table.diverged", step=run.diverged_at)
    if run.steps_to_eps is not None:
        return T("table.reached", step=run.steps_to_eps)
    return T("table.not_reached", steps=view.steps) if known else T("table.unknown")


if settings:
    st.dataframe(pd.DataFrame({
        T("table.optimizer"): [T(f"opt.{run.name}") for run in view.runs],
        "η": [f"{run.lr:.3g}" for run in view.runs],
        T("table.steps", eps=eps_choice): [str(run.steps_to_eps) if run.steps_to_eps is not None else "—"
                                           for run in view.runs],
        (T("table.final_gap") if known else T("table.final_f")): [
            f"{(run.final_gap if known else run.final_loss):.3g}" if math.isfinite(run.final_loss) else "—"
            for run in view.runs],
        T("table.result"): [result(run) for run in view.runs],
    }), hide_index=True)
    if not known:
        st.caption(T("table.no_fstar"))

# --- 2. One step, with the numbers -----------------------------------------------------------------------------------
st.header(T("eq.title"))
st.markdown(T("eq.intro"))
t_asked = page.slider("numbers_step", 1, 2000, 1, 1)
if not settings:
    st.info(T("race.none_selected"))
for setting in settings:
    numbers = cached_numbers(surface, formula_key, (start_x, start_y), steps, setting, schedule, t_asked)
    st.markdown(T("eq.heading", name=T(f"opt.{numbers.name}"), idea=T(f"eq.idea.{numbers.name}")))
    if numbers.t == 0:  # the run stopped before a step: f was not finite at the start, or after the first step
        st.caption(T("eq.no_step") if not math.isfinite(view.start_loss) else T("eq.diverged_at_once"))
        continue
    if numbers.clamped:
        st.caption(T("eq.clamped", t=numbers.t))
    for line in equations(numbers):
        st.latex(line)
st.caption(T("eq.elementwise"))

# --- 3. Momentum's phase diagram on the quadratic --------------------------------------------------------------------
st.header(T("phase.title"))
st.markdown(T("phase.intro"))
phase_texts = {"lr": T("chart.lr"), "mu": T("chart.mu"), "phase": T("chart.phase"), "line": T("chart.theory"),
               "current": T("chart.current")}
spec = phase_figure(tuple(T(f"phases.{name}") for name in PHASES),
                    (T("phase.line_diverge"), T("phase.line_oscillate")), tuple(sorted(phase_texts.items())))
mu_now = dict(hparams["momentum"])["momentum"]
spec["datasets"]["current"] = pd.DataFrame({"lr": [lrs["momentum"]], "mu": [mu_now],
                                            "label": [T("phase.current_label")]})
show(spec)
st.caption(T("phase.marker", lr=f"{lrs['momentum']:.3g}", mu=f"{mu_now:g}"))
st.markdown(T("phase.reading"))

# --- 4. Basins on Himmelblau -----------------------------------------------------------------------------------------
st.header(T("basin.title"))
st.markdown(T("basin.intro"))
if surface == "himmelblau":
    basin_settings, basin_steps, basin_schedule = settings, steps, schedule
    st.caption(T("basin.yours"))
else:
    basin_settings = tuple(V.default_setting(name, "himmelblau") for name in NAMES if shown[name])
    basin_steps, basin_schedule = 300, None
    st.caption(T("basin.defaults"))
if basin_settings:
    spec = basin_figure(basin_settings, basin_steps, basin_schedule, LABELS, T("basin.none"),
                        (("basin", T("chart.basin")), ("opt", T("chart.optimizer")), ("x", "x"), ("y", "y")))
    show(spec, fixed=True)  # small multiples keep their own size
    st.markdown(T("basin.reading"))
else:
    st.info(T("race.none_selected"))

page.question("velocity", ["same", "ten", "unbounded"], correct="ten")
page.finish()
