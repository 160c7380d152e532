"""Input normalization: the same regression on raw and on standardized features — ellipses vs circles, κ, gradient
descent at its best learning rate on each, and how the cost of raw features grows with their scale ratio."""
import numpy as np
import pandas as pd
import streamlit as st

from core.views import input_normalization as V
from ui.charts import show
from ui.charts.lines import log_lines
from ui.charts.surfaces import square_scatter, surface_with_paths
from ui.i18n import Texts
from ui.lesson import LessonPage

PAGE_ID = "input_normalization"
page = LessonPage(PAGE_ID)
T = page.t

cached_view = st.cache_data(V.normalization_view, show_spinner=False, max_entries=256)


def fmt(value: float) -> str:
    """A number for text: 4 significant digits, no exponent for everyday sizes."""
    return f"{value:.4g}"


def short(value: float) -> str:
    """A number for a metric tile (at most about 7 characters): 10,602 · 2.5 · 0.00977 · 9.86e-5."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if 0 < abs(value) < 1e-3:
        return f"{value:.2e}".replace("e-0", "e-")
    return f"{value:.3g}"


def minus(value: float) -> str:
    """LaTeX for “− value”: "- 0", "- 2.5", "+ 37.97"."""
    return f"+ {-value:.4g}" if value < 0 else f"- {value:.4g}"


def steps_text(steps) -> str:
    return T("surface.never") if steps is None else f"{steps:,}"


# The figures are cached whole (finished Vega-Lite dicts): building and validating layered Altair charts (the paths
# on their contours, the scatters) takes longer than a warm rerun may, and a figure changes only with the settings or
# the language.
@st.cache_data(show_spinner=False, max_entries=128)
def figures(log_ratio: float, lr_factor: float, lang: str) -> dict[str, dict]:
    """Every chart of the page for one setting and language: "raw" and "normalized" (contours with the gradient-
    descent path), "sweep" (steps to ε against the scale ratio), "scatter_raw/minmax/standardized"."""
    text = Texts(PAGE_ID, lang)
    view = cached_view(log_ratio, lr_factor)
    out = {}
    tooltip = {"series": text("col.run"), "step": text("col.step"), "x": "w₁", "y": "w₂", "gap": text("col.gap")}
    for side in (view.raw, view.normalized):
        kind = "normalized" if side.normalized else "raw"
        paths = pd.DataFrame({"series": text(f"col.{kind}"), "step": np.arange(len(side.path)),
                              "x": side.path[:, 0], "y": side.path[:, 1], "gap": side.gaps})
        points = pd.DataFrame({"x": [side.start[0], side.minimum[0]], "y": [side.start[1], side.minimum[1]],
                               "label": [text("col.start"), text("col.minimum")]})
        out[kind] = surface_with_paths(
            side.contours, side.x_range, side.y_range, paths, points, x_title="w₁", y_title="w₂",
            level_title=text("col.loss"), series_title=text("col.run"), path_tooltip=tooltip,
            point_tooltip={"label": text("col.point"), "x": "w₁", "y": "w₂"}, title=text(f"surface.{kind}_title"),
            log_color=not side.normalized, legend=False)
    raw_name, norm_name = text("col.raw"), text("col.normalized")
    n_sweep = len(view.sweep_ratios)
    sweep = pd.DataFrame({
        "ratio": np.concatenate([view.sweep_ratios, view.sweep_ratios]),
        "steps": np.concatenate([view.sweep_raw_steps, view.sweep_normalized_steps]),
        "features": [raw_name] * n_sweep + [norm_name] * n_sweep,
        "kappa": np.concatenate([view.sweep_raw_kappa, np.full(n_sweep, view.normalized.kappa)]),
    })
    here = pd.DataFrame({"ratio": [view.scale_ratio] * 2,
                         "steps": [view.raw.best_steps_to_eps, view.normalized.best_steps_to_eps],
                         "features": [raw_name, norm_name]}).dropna().astype({"steps": float})
    names = {"features": text("col.features"), "ratio": text("col.ratio"), "steps": text("col.steps")}
    out["sweep"] = log_lines(
        sweep, "ratio", "steps", "features", x_title=text("col.ratio"), y_title=text("col.steps"),
        color_title=text("col.features"), tooltip={**names, "kappa": "κ"}, x_log=True, y_log=True,
        color_order=[raw_name, norm_name], line_width=2.2, dots="solid", markers=here, marker_tooltip=names,
        height=330)
    features = view.features
    for kind, values in (("raw", features.raw), ("minmax", features.minmax), ("standardized", features.standardized)):
        frame = pd.DataFrame({"a": values[:, 0].astype(np.float32), "b": values[:, 1].astype(np.float32)})
        reach = {"raw": features.raw_reach, "standardized": features.standardized_reach}.get(kind)
        domain = (-0.05, 1.05) if reach is None else (-1.05 * reach, 1.05 * reach)
        out[f"scatter_{kind}"] = square_scatter(
            frame, "a", "b", domain=domain, title=text(f"how.{kind}_title"), x_title="x₁", y_title="x₂",
            tooltip={"a": "x₁", "b": "x₂"})
    return out


# --- 1. The experiment ----------------------------------------------------------------------------------------------
st.header(T("surface.title"))
page.prose(T("surface.intro"))
with page.main_experiment():
    left, right = st.columns(2, gap="large")
    with left:
        log_ratio = page.slider("log_ratio", V.MIN_LOG_RATIO, V.MAX_LOG_RATIO, 1.0, 0.1, format="10^%.1f")
    with right:
        lr_factor = page.slider("lr_factor", 0.1, 2.0, 1.0, 0.05, format="%.2f × η*")
    settings = (round(float(log_ratio), 6), round(float(lr_factor), 6))
    view = cached_view(*settings)
    figs = figures(*settings, T.lang)
    st.caption(T("surface.ratio_now", ratio=fmt(view.scale_ratio), kappa=fmt(view.raw.kappa),
                 eps=f"{view.eps:g}", steps=V.PATH_STEPS))

    for column, side in zip(st.columns(2, gap="large"), (view.raw, view.normalized)):
        with column:
            show(figs["normalized" if side.normalized else "raw"], fixed=True)
            a, b, c = st.columns(3)
            a.metric(T("metric.kappa"), short(side.kappa), help=T("metric.kappa_help"))
            b.metric(T("metric.lr"), short(side.lr), help=T("metric.lr_help", best=fmt(side.best_lr),
                                                            stable=fmt(side.max_stable_lr)))
            c.metric(T("metric.steps"), steps_text(side.steps_to_eps), help=T("metric.steps_help", eps=f"{view.eps:g}"))
            if side.diverged_at is not None:
                st.error(T("surface.diverged", step=side.diverged_at, rate=f"{side.worst_rate:.3f}"))
            elif side.worst_rate >= 1.0:
                st.warning(T("surface.not_converging", rate=f"{side.worst_rate:.4f}"))
            elif side.steps_to_eps is not None and side.steps_to_eps <= V.PATH_STEPS:
                st.success(T("surface.reached", steps=side.steps_to_eps, eps=f"{view.eps:g}"))
            else:
                st.info(T("surface.slow", shown=len(side.path) - 1, gap=f"{side.gaps[-1]:.3g}",
                          steps=steps_text(side.steps_to_eps)))

st.markdown(T("surface.reading"))

# --- 2. Why: the formula with the current numbers -------------------------------------------------------------------
st.header(T("why.title"))
st.markdown(T("why.intro"))
raw = view.raw
st.latex(f"\\kappa = \\frac{{\\lambda_{{\\max}}}}{{\\lambda_{{\\min}}}} = "
         f"\\frac{{{raw.lam_max:.4g}}}{{{raw.lam_min:.4g}}} = {raw.kappa:.4g}, \\qquad "
         f"\\eta < \\frac{{2}}{{\\lambda_{{\\max}}}} = {raw.max_stable_lr:.4g}, \\qquad "
         f"\\eta^* = \\frac{{2}}{{\\lambda_{{\\max}} + \\lambda_{{\\min}}}} = {raw.best_lr:.4g}")
st.latex(f"t \\le \\frac{{\\ln(\\Delta_0/\\varepsilon)}}{{2\\ln\\frac{{\\kappa+1}}{{\\kappa-1}}}} "
         f"\\approx \\frac{{\\kappa}}{{4}}\\ln\\frac{{\\Delta_0}}{{\\varepsilon}} = "
         f"\\frac{{{raw.kappa:.4g}}}{{4}}\\ln\\frac{{{raw.gap0:.4g}}}{{{view.eps:g}}} \\approx {raw.steps_bound:,.0f}"
         f"\\qquad(\\text{{{T('why.exact')}}}: {steps_text(raw.best_steps_to_eps)})")
st.markdown(T("why.reading"))

# --- 3. The cost grows with the scale ratio -------------------------------------------------------------------------
st.header(T("sweep.title"))
st.markdown(T("sweep.intro", eps=f"{view.eps:g}"))
show(figs["sweep"])
st.caption(T("sweep.reading", ratio=fmt(view.scale_ratio), raw=steps_text(raw.best_steps_to_eps),
             normalized=steps_text(view.normalized.best_steps_to_eps)))

# --- 4. How to normalize --------------------------------------------------------------------------------------------
st.header(T("how.title"))
st.markdown(T("how.intro"))
features = view.features
mu, sigma, low, high = features.mean[1], features.std[1], features.low[1], features.high[1]
st.latex(f"\\text{{{T('how.standardize')}}}:\\; x' = \\frac{{x - \\mu}}{{\\sigma}}"
         f" \\;\\Rightarrow\\; x_2' = \\frac{{x_2 {minus(mu)}}}{{{sigma:.4g}}}")
st.latex(f"\\text{{{T('how.minmax')}}}:\\; x' = \\frac{{x - \\min}}{{\\max - \\min}}"
         f" \\;\\Rightarrow\\; x_2' = \\frac{{x_2 {minus(low)}}}{{{high:.4g} {minus(low)}}}")
for column, kind in zip(st.columns(3), ("raw", "minmax", "standardized")):
    with column:
        show(figs[f"scatter_{kind}"], fixed=True)
st.markdown(T("how.reading", sigma=f"{sigma:.3g}"))

page.question("kappa", ["x10", "x100", "same"], correct="x100")
page.finish()
