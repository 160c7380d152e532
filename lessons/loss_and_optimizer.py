"""Loss and optimizer: one training step of a tiny network in slow motion (forward → loss → backward → update → new
loss), then twenty steps."""
import pandas as pd
import streamlit as st

from core.views import loss_and_optimizer as V
from ui.charts import show
from ui.charts.diagrams import network_diagram
from ui.charts.lines import lines
from ui.lesson import LessonPage

page = LessonPage("loss_and_optimizer")
T = page.t

cached_slow_motion = st.cache_data(V.slow_motion, show_spinner=False)

STAGES = ("1", "2", "3", "4", "5")
NAME = {"w11": "w₁₁", "w12": "w₁₂", "w21": "w₂₁", "w22": "w₂₂", "b1": "b₁", "b2": "b₂", "v1": "v₁", "v2": "v₂",
        "c": "c"}
TEX = {"w11": "w_{11}", "w12": "w_{12}", "w21": "w_{21}", "w22": "w_{22}", "b1": "b_1", "b2": "b_2", "v1": "v_1",
       "v2": "v_2", "c": "c"}
# Where each node sits in the diagram, and which parameter each edge carries (source node, target node).
NODES = {"x1": (0.0, 0.8), "x2": (0.0, -0.8), "h1": (1.0, 0.8), "h2": (1.0, -0.8), "out": (2.0, 0.0)}
EDGES = {"w11": ("x1", "h1"), "w21": ("x1", "h2"), "w12": ("x2", "h1"), "w22": ("x2", "h2"), "v1": ("h1", "out"),
         "v2": ("h2", "out")}
# Where each edge's label goes: mid-edge, except on the two crossing edges, where it sits near the source.
LABEL_AT = {"w11": (0.5, 0.8), "w21": (0.3, 0.32), "w12": (0.3, -0.32), "w22": (0.5, -0.8), "v1": (1.5, 0.4),
            "v2": (1.5, -0.4)}


def num(value: float, digits: int = 4) -> str:
    """A number for a formula: 4 significant digits, negatives in parentheses so products read unambiguously."""
    text = f"{value:.{digits}g}"
    return f"({text})" if value < 0 else text


def val(value: float, digits: int = 4) -> str:
    """A result in a formula: 4 significant digits."""
    return f"{value:.{digits}g}"


def short(value: float) -> str:
    """A number on the diagram or a metric: 3 significant digits, with a true minus sign."""
    return f"{value:.3g}".replace("-", "−")


page.prose(T("roles"))

# --- 1. The network and the controls --------------------------------------------------------------------------------
st.header(T("setup.title"))
with page.main_experiment():
    controls, view = st.columns([1, 2], gap="large")
with controls:
    page.prose(T("setup.intro"))
    left, right = st.columns(2)  # two by two: the whole experiment fits a projector's screen
    with left:
        hidden = page.choice("hidden", V.HIDDEN, "sigmoid", kind="radio", horizontal=True)
    with right:
        seed = page.slider("seed", 0, 50, 0)
    output = page.choice("output", V.OUTPUTS, "sigmoid_bce", kind="radio")
    left, right = st.columns(2)
    with left:
        x1 = page.slider("x1", -3.0, 3.0, 1.0, 0.1)
    with right:
        x2 = page.slider("x2", -3.0, 3.0, -0.5, 0.1)
    with left:
        y = page.slider("y", 0.0, 1.0, 1.0, 0.05)
    with right:
        lr = page.slider("lr", 0.01, 5.0, 0.5, 0.01)

run = cached_slow_motion(float(x1), float(x2), float(y), float(lr), int(seed), hidden, output)
fwd, back, update, after = run.forward, run.backward, run.update, run.after

with view:
    stage_col, follow_col = st.columns([3, 1])
    with stage_col:
        stage = int(page.choice("stage", STAGES, "1", kind="radio", horizontal=True))
    with follow_col:
        followed = page.choice("follow", V.PARAMETERS, "w11")
    shown_params = update.new if stage == 5 else run.params
    shown_fwd = after.forward if stage == 5 else fwd
    # what each edge shows: the weight, its gradient (stage 3), its step (stage 4) or the new weight (stage 5)
    edge_value = {3: back.grads, 4: update.steps}.get(stage, shown_params)
    prefix = {3: "∂L/∂", 4: "Δ"}.get(stage, "")
    edges = []
    for parameter, (source, target) in EDGES.items():
        (sx, sy), (tx, ty) = NODES[source], NODES[target]
        value = getattr(edge_value, parameter)
        row = {"x": sx, "y": sy, "x2": tx, "y2": ty, "lx": LABEL_AT[parameter][0], "ly": LABEL_AT[parameter][1],
               "label": f"{prefix}{NAME[parameter]} = {short(value)}", "value": value,
               "parameter": NAME[parameter], "weight": getattr(shown_params, parameter)}
        if stage >= 3:
            row["gradient"] = getattr(back.grads, parameter)
        if stage >= 4:
            row["step"] = getattr(update.steps, parameter)
            row["new"] = getattr(update.new, parameter)
        edges.append(row)
    edges = pd.DataFrame(edges)
    edge_tooltip = {"parameter": T("col.parameter"), "weight": T("col.value"), "gradient": T("col.gradient"),
                    "step": T("col.step"), "new": T("col.new")}
    edge_tooltip = {key: title for key, title in edge_tooltip.items() if key in edges.columns}
    out_lines = [f"ŷ = {short(shown_fwd.y_hat)}"]
    if stage >= 2:
        out_lines.append(f"L = {short(after.loss if stage == 5 else run.loss.loss)}")
    nodes = pd.DataFrame([
        {"x": NODES["x1"][0], "y": NODES["x1"][1], "name": "x₁", "text": short(x1), "z": None, "a": x1, "bias": None},
        {"x": NODES["x2"][0], "y": NODES["x2"][1], "name": "x₂", "text": short(x2), "z": None, "a": x2, "bias": None},
        *({"x": NODES[f"h{j + 1}"][0], "y": NODES[f"h{j + 1}"][1], "name": f"h{'₁₂'[j]}",
           "text": f"a = {short(shown_fwd.a_hidden[j])}\nb{'₁₂'[j]} = {short(getattr(shown_params, f'b{j + 1}'))}",
           "z": shown_fwd.z_hidden[j], "a": shown_fwd.a_hidden[j], "bias": getattr(shown_params, f"b{j + 1}")}
          for j in range(2)),
        {"x": NODES["out"][0], "y": NODES["out"][1], "name": "ŷ",
         "text": "\n".join(out_lines) + f"\nc = {short(shown_params.c)}",
         "z": shown_fwd.z_out, "a": shown_fwd.y_hat, "bias": shown_params.c},
    ])
    show(network_diagram(nodes, edges, edge_tooltip=edge_tooltip,
                         node_tooltip={"z": "z", "a": T("col.output"), "bias": T("col.bias")}))
    st.caption(T("setup.legend"))

# --- 2. The current stage -------------------------------------------------------------------------------------------
with view:
    metrics = st.columns(4)
    metrics[0].metric("ŷ", short(shown_fwd.y_hat))
    metrics[1].metric(T("metric.loss"), short(run.loss.loss) if stage >= 2 else "?")
    metrics[2].metric(f"∂L/∂{NAME[followed]}", short(getattr(back.grads, followed)) if stage >= 3 else "?")
    metrics[3].metric(T("metric.new_loss"), short(after.loss) if stage >= 5 else "?",
                      delta=f"{after.change:+.3g}" if stage >= 5 else None, delta_color="inverse")

    st.subheader(T(f"stage{stage}.title"))
    activation = "\\sigma" if hidden == "sigmoid" else "\\tanh"
    if stage == 1 or stage == 5:
        shown, params = shown_fwd, shown_params
        st.markdown(T("stage5.text" if stage == 5 else "stage1.text"))
        rows = []
        for j in range(2):
            w1, w2, b = (getattr(params, name) for name in (f"w{j + 1}1", f"w{j + 1}2", f"b{j + 1}"))
            rows.append(f"z_{j + 1} &= w_{{{j + 1}1}}x_1 + w_{{{j + 1}2}}x_2 + b_{j + 1} = {num(w1)}\\cdot{num(x1)} + "
                        f"{num(w2)}\\cdot{num(x2)} + {num(b)}")
            rows.append(f"&= {val(shown.z_hidden[j])}")
            rows.append(f"a_{j + 1} &= {activation}(z_{j + 1}) = {val(shown.a_hidden[j])}")
        rows.append(f"z &= v_1 a_1 + v_2 a_2 + c = {num(params.v1)}\\cdot{num(shown.a_hidden[0])} + "
                    f"{num(params.v2)}\\cdot{num(shown.a_hidden[1])} + {num(params.c)}")
        rows.append(f"&= {val(shown.z_out)}")
        rows.append(f"\\hat y &= \\sigma(z) = {val(shown.y_hat)}" if output == "sigmoid_bce"
                    else f"\\hat y &= z = {val(shown.y_hat)}")
        st.latex("\\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}")
        if stage == 5:
            st.latex(f"L_\\text{{new}} = {val(after.loss)} \\quad (L = {val(run.loss.loss)},\\ "
                     f"\\Delta L = {val(after.change)})")
            (st.success if after.change < 0 else st.warning)(
                T("stage5.better" if after.change < 0 else "stage5.worse", old=short(run.loss.loss),
                  new=short(after.loss)))
    elif stage == 2:
        st.markdown(T("stage2.text"))
        if output == "sigmoid_bce":
            st.latex(f"L = -[\\,y\\ln\\hat y + (1-y)\\ln(1-\\hat y)\\,] = "
                     f"-[\\,{num(y, 3)}\\cdot\\ln {num(fwd.y_hat)} + {num(run.loss.one_minus_y, 3)}\\cdot"
                     f"\\ln {num(run.loss.one_minus_y_hat)}\\,] = {val(run.loss.loss)}")
        else:
            st.latex(f"L = (\\hat y - y)^2 = ({num(fwd.y_hat)} - {num(y, 3)})^2 = {val(run.loss.loss)}")
        st.markdown(T(f"stage2.{output}"))
    elif stage == 3:
        st.markdown(T("stage3.text"))
        if output == "sigmoid_bce":
            st.latex(f"\\frac{{\\partial L}}{{\\partial z}} = \\frac{{\\partial L}}{{\\partial \\hat y}}\\cdot"
                     f"\\frac{{\\partial \\hat y}}{{\\partial z}} = {num(back.dloss_dyhat)}\\cdot{num(back.dyhat_dz)} "
                     f"= \\hat y - y = {val(back.delta_out)}")
        else:
            st.latex(f"\\frac{{\\partial L}}{{\\partial z}} = \\frac{{\\partial L}}{{\\partial \\hat y}}\\cdot"
                     f"\\frac{{\\partial \\hat y}}{{\\partial z}} = 2(\\hat y - y)\\cdot 1 = {val(back.delta_out)}")
        parameter = followed
        chain = run.chain(parameter)
        symbols = "\\cdot".join(f"\\frac{{\\partial {f.of}}}{{\\partial {f.wrt}}}" for f in chain.factors)
        numbers = "\\cdot".join(num(f.value) for f in chain.factors)
        st.latex(f"\\frac{{\\partial L}}{{\\partial {TEX[parameter]}}} = {symbols}")
        st.latex(f"= {numbers} = {val(chain.product)}")
        st.caption(T(f"stage3.factors_{hidden}"))
        table = pd.DataFrame({T("col.parameter"): [NAME[p] for p in V.PARAMETERS],
                              T("col.value"): run.params.vector(), T("col.gradient"): back.grads.vector()})
        st.dataframe(table.round(6), hide_index=True)
        st.markdown(T("stage3.reading"))
    elif stage == 4:
        st.markdown(T("stage4.text"))
        parameter = followed
        st.latex(f"{TEX[parameter]} \\leftarrow {TEX[parameter]} - \\eta\\,\\frac{{\\partial L}}{{\\partial "
                 f"{TEX[parameter]}}} = {num(getattr(run.params, parameter))} - {num(lr, 3)}\\cdot"
                 f"{num(getattr(back.grads, parameter))} = {val(getattr(update.new, parameter))}")
        table = pd.DataFrame({T("col.parameter"): [NAME[p] for p in V.PARAMETERS],
                              T("col.value"): run.params.vector(), T("col.gradient"): back.grads.vector(),
                              T("col.step"): update.steps.vector(), T("col.new"): update.new.vector()})
        st.dataframe(table.round(6), hide_index=True)
        st.markdown(T("stage4.reading"))

# --- 3. Twenty steps ------------------------------------------------------------------------------------------------
st.header(T("steps.title"))
st.markdown(T("steps.intro", lr=f"{lr:g}"))
steps = list(range(len(run.curve)))
frame = pd.DataFrame({T("col.step_number"): steps, T("col.loss"): list(run.curve),
                      T("col.series"): [f"η = {lr:g}"] * len(steps)})
here = pd.DataFrame({T("col.step_number"): [0, 1], T("col.loss"): [run.curve[0], run.curve[1]]})
show(lines(frame, T("col.step_number"), T("col.loss"), T("col.series"), x_title=T("col.step_number"),
           y_title=T("col.loss"), color_title=T("col.series"), markers=here))
if run.diverged:
    st.warning(T("steps.diverged", lr=f"{lr:g}"))
else:
    st.caption(T("steps.summary", first=short(run.curve[0]), second=short(run.curve[1]),
                  last=short(run.curve[-1]), steps=len(steps) - 1))
st.markdown(T("steps.reading"))

page.question("always_lower", ["always", "small_enough", "never"], correct="small_enough")
page.finish()
