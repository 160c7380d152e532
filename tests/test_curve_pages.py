"""The convergence and train-vs-val pages in AppTest: what they show for their settings, bad input handled on the
page, and chart data kept small. (Both languages, the widget fuzzer and hostile links are in test_pages.py.)"""
import altair as alt
import jsonschema
import numpy as np
import pandas as pd
import pytest

from core import presets
from tests.pagekit import open_page, shown
from ui import curve_charts
from ui.curve_charts import Rule
from ui.i18n import catalogue
from ui.registry import lesson_by_id

CONVERGENCE, TRAIN_VS_VAL = lesson_by_id("convergence").file, lesson_by_id("train_vs_val").file
EN_CONV, EN_TVV = catalogue("en", "convergence"), catalogue("en", "train_vs_val")


def chart_bytes(at) -> int:
    return sum(len(c.proto.spec.encode()) + sum(len(ds.data.data) for ds in c.proto.datasets)
               for c in at.get("vega_lite_chart"))


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in ("info", "success", "warning", "error"):
        parts += [e.value for e in getattr(at, kind)]
    return "\n".join(parts)


def test_convergence_default_shows_raw_test_fooled_by_noise():
    at = open_page(CONVERGENCE, {"lang": "en"})
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    raw = int(metrics[EN_CONV["metric.raw"]].split()[-1])
    smooth = int(metrics[EN_CONV["metric.smooth"]].split()[-1])
    assert raw < smooth
    assert any("That is noise, not convergence" in w.value for w in at.warning)
    assert chart_bytes(at) < 300 * 1024
    assert len(at.get("vega_lite_chart")) == 1


def test_convergence_deep_link_and_no_smoothing():
    at = open_page(CONVERGENCE, {"lang": "en", "eps": "0.0001", "window": "300", "max_steps": "500",
                                 "method": "none", "batch": "128"})
    assert not at.exception
    assert at.slider(key="convergence__window").value == 300 and at.slider(key="convergence__max_steps").value == 500
    assert at.selectbox(key="convergence__eps").value == "0.0001"
    assert EN_CONV["metric.smooth_none"] in [m.label for m in at.metric]
    assert not [w for w in at.warning if "link" in w.value]


def test_convergence_big_eps_stops_both_at_once():
    at = open_page(CONVERGENCE, {"lang": "en", "eps": "0.1", "window": "10"})
    assert not at.exception
    assert "< \\varepsilon = 0.1$" in texts(at)


@pytest.mark.parametrize("preset", presets.PRESETS)
def test_train_vs_val_each_preset_is_diagnosed_as_its_case(preset):
    at = open_page(TRAIN_VS_VAL, {"lang": "en", "preset": preset, "source": "csv"})  # no second diagnosis
    assert not at.exception
    verdicts = [e.value for kind in ("info", "success", "warning", "error") for e in getattr(at, kind)
                if e.value.startswith("**Diagnosis:")]
    assert len(verdicts) == 1 and verdicts[0].startswith(f"**Diagnosis: {EN_TVV[f'case.{preset}']} ")
    assert EN_TVV[f"next.{preset}"] in texts(at)
    assert chart_bytes(at) < 300 * 1024


def test_train_vs_val_bad_paste_gives_a_message_and_the_page_keeps_working():
    at = open_page(TRAIN_VS_VAL, {"lang": "zh"})
    at.text_area(key="train_vs_val__pasted").set_value("0.9, 0.5, abc\n1.0, 0.8, 0.7").run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and catalogue("zh", "train_vs_val")["own.bad_file"] in errors[0] and "'abc'" in shown(errors[0])
    assert at.title[0].value == catalogue("zh", "train_vs_val")["title"]
    assert len(at.get("vega_lite_chart")) == 1  # the preset chart is still there


def test_train_vs_val_short_paste_is_too_short_and_empty_paste_is_an_info():
    at = open_page(TRAIN_VS_VAL, {"lang": "en"})
    at.text_area(key="train_vs_val__pasted").set_value("0.9 0.7 0.6\n1.0 0.8 0.75").run()
    assert not at.exception
    assert any(e.value.startswith(f"**Diagnosis: {EN_TVV['case.too_short']}") for e in at.info)
    at.text_area(key="train_vs_val__pasted").set_value("   ").run()
    assert not at.exception
    assert any(e.value == EN_TVV["own.empty"] for e in at.info)


def test_train_vs_val_pasted_csv_with_header():
    at = open_page(TRAIN_VS_VAL, {"lang": "en", "preset": "converged"})
    rows = "\n".join(f"{i},{1 / (i + 1):.4f},{1.2 / (i + 1):.4f}" for i in range(40))
    at.text_area(key="train_vs_val__pasted").set_value("epoch,train_loss,val_loss\n" + rows).run()
    assert not at.exception
    verdicts = [e.value for e in at.info if e.value.startswith("**Diagnosis:")]
    assert any(v.startswith(f"**Diagnosis: {EN_TVV['case.still_learning']}") for v in verdicts)
    assert len(at.get("vega_lite_chart")) == 2


def test_train_vs_val_other_sources_wait_for_files():
    for source, key in (("csv", "own.waiting_csv"), ("tensorboard", "own.waiting_tb")):
        at = open_page(TRAIN_VS_VAL, {"lang": "en", "source": source})
        assert not at.exception
        assert any(e.value == EN_TVV[key] for e in at.info)


def _validate(spec: dict) -> None:
    """Check a spec against Altair's Vega-Lite schema (the pages skip Altair, so the check happens here)."""
    spec = dict(spec, datasets={name: frame.to_dict("records") for name, frame in spec["datasets"].items()})
    alt.LayerChart.from_dict(spec, validate=True)


def test_loss_curve_specs_are_valid_vega_lite():
    frame = pd.concat([curve_charts.curve_frame(np.arange(50), np.linspace(1, 0.1, 50), "a"),
                       curve_charts.curve_frame(np.arange(0, 50, 10), np.linspace(1, 0.5, 5), "b")])
    full = curve_charts.loss_curves(frame, x_title="x", y_title="y", series_title="s", order=["a", "b"],
                                    faint=("a",), dashed=("b",), dotted=("b",),
                                    rules=[Rule(10, "left"), Rule(40, "right", dash=False, lane=1)],
                                    band=(30, 49, "window"), x_domain=(0, 50))
    _validate(full)
    assert [r["side"] for r in full["datasets"]["rules"].to_dict("records")] == ["left", "right"]
    _validate(curve_charts.loss_curves(frame, x_title="x", y_title="y", series_title="s", order=["a", "b"],
                                       y_log=False))
    broken = curve_charts.loss_curves(frame, x_title="x", y_title="y", series_title="s", order=["a", "b"])
    broken["layer"][0]["mark"]["type"] = "no-such-mark"
    with pytest.raises(jsonschema.ValidationError):
        _validate(broken)
