"""The train-vs-val page: each of the five real runs gives its own row of the train/val table (also with other seeds),
the CSV helpers, and the page in AppTest (bad input handled, chart data kept small, valid Vega-Lite)."""
import pickle

import altair as alt
import jsonschema
import numpy as np
import pandas as pd
import pytest
import torch

from core import data as D
from core import diagnosis
from core import training as T
from core.curves_io import parse_curves
from core.views import _shared as shared
from core.views import train_vs_val
from tests.pagekit import open_page, shown
from ui.charts.lines import Rule, curve_frame, loss_curves
from ui.i18n import catalogue
from ui.registry import lesson_by_id

TRAIN_VS_VAL = lesson_by_id("train_vs_val").file
EN_TVV = catalogue("en", "train_vs_val")


@pytest.fixture(scope="module")
def runs():
    return {name: train_vs_val.run_preset(name) for name in train_vs_val.PRESETS}



@pytest.mark.parametrize("name", train_vs_val.PRESETS)
def test_each_preset_gives_its_case(runs, name):
    diag = train_vs_val.diagnose_run(runs[name])
    assert diag.case == name, (diag.case, diag.evidence.case_probabilities)
    assert diag.confidence >= 0.8
    assert diag.text_key == f"diagnosis.{name}"



@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("name", train_vs_val.PRESETS)
def test_the_recipe_holds_for_other_seeds(name, seed):
    """Robustness: the case comes from the recipe (data, net, learning rate), not from a lucky seed."""
    assert train_vs_val.diagnose_run(train_vs_val.run_preset(name, seed=seed)).case == name



def test_presets_hold_plain_arrays_only(runs):
    for run in runs.values():
        for value in vars(run).values():
            assert not isinstance(value, (torch.Tensor, torch.nn.Module))
        assert isinstance(run.train_loss, np.ndarray) and run.train_loss.dtype == np.float64
        assert len(pickle.dumps(run)) < 100_000



def test_preset_shapes_tell_the_story(runs):
    over = runs["overfitting"]
    assert over.train_loss[-1] < 0.05 < 1.0 < over.val_loss[-1]  # memorised train set, val loss turned up
    assert over.best_epoch < over.epochs[-1] / 2
    div = runs["diverging"]
    assert div.diverged_epoch is not None and div.stopped_reason == "diverged"
    assert not np.isfinite(div.train_loss[-1]) and np.isfinite(div.train_loss[0])
    assert runs["converged"].stopped_reason == "max_epochs"
    problem = runs["data_problem"]
    assert problem.val_loss[-1] < 0.1 * problem.train_loss[-1]  # the clean val set is far easier



def test_ambiguous_boundary_data_corrupts_only_the_training_rows():
    X, y = train_vs_val.ambiguous_boundary_data(400, 0.25, seed=3)
    X0, y0 = D.make_dataset("gauss", 400, 0.05, 3)
    train_rows, _, val_rows, _ = D.train_val_split(np.arange(400), y0, 0.25, 3)
    np.testing.assert_array_equal(X[val_rows], X0[val_rows])
    np.testing.assert_array_equal(y[val_rows], y0[val_rows])
    k = 2 * int(train_vs_val.AMBIGUOUS_FRACTION * len(train_rows) / 2)
    rows = train_rows[:k]
    np.testing.assert_allclose(X[rows, 0] + X[rows, 1], 0.0, atol=1e-5)  # on the boundary x₁ + x₂ = 0
    np.testing.assert_array_equal(X[rows][0::2], X[rows][1::2])  # each position twice …
    np.testing.assert_array_equal(y[rows][0::2] + y[rows][1::2], 1)  # … with opposite labels
    # the split training uses is the one the data was built for
    prepared = T.prepare_data(train_vs_val.preset_config("data_problem"), (X, y))
    assert len(prepared.y_val) == len(val_rows)



def test_curves_csv_round_trips_and_cuts_at_divergence(runs):
    run = runs["overfitting"]
    curves = parse_curves(train_vs_val.curves_csv(run.epochs, run.train_loss, run.val_loss).encode())
    np.testing.assert_array_equal(curves.steps, run.epochs)
    np.testing.assert_allclose(curves.train_loss, run.train_loss, rtol=1e-5)
    div = runs["diverging"]
    text = train_vs_val.curves_csv(div.epochs, div.train_loss, div.val_loss)
    assert "nan" not in text.lower() and "inf" not in text.lower()
    assert len(text.strip().splitlines()) == 1 + int(np.argmin(np.isfinite(div.train_loss)))



def test_sample_paste_reads_as_an_overfitting_run():
    curves = parse_curves(train_vs_val.sample_paste())
    assert curves.train_loss.size == 30
    assert diagnosis.diagnose(curves.train_loss, curves.val_loss).case == "overfitting"



def test_thin_and_finite_curve():
    x, a = train_vs_val.thin(np.arange(2501), np.arange(2501) * 2.0, max_points=1000)
    assert len(x) <= 1001 and x[-1] == 2500 and np.all(a == 2 * x)
    x, y = shared.finite_curve([0, 1, 2, 3], [1.0, np.nan, 0.0, np.inf])
    np.testing.assert_array_equal(x, [0, 2])
    assert y[1] == 1e-8



def chart_bytes(at) -> int:
    return sum(len(c.proto.spec.encode()) + sum(len(ds.data.data) for ds in c.proto.datasets)
               for c in at.get("vega_lite_chart"))



def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in ("info", "success", "warning", "error"):
        parts += [e.value for e in getattr(at, kind)]
    return "\n".join(parts)



@pytest.mark.parametrize("preset", train_vs_val.PRESETS)
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
    frame = pd.concat([curve_frame(np.arange(50), np.linspace(1, 0.1, 50), "a"),
                       curve_frame(np.arange(0, 50, 10), np.linspace(1, 0.5, 5), "b")])
    full = loss_curves(frame, x_title="x", y_title="y", series_title="s", order=["a", "b"],
                       faint=("a",), dashed=("b",), dotted=("b",),
                       rules=[Rule(10, "left"), Rule(40, "right", dash=False, lane=1)],
                       band=(30, 49, "window"), x_domain=(0, 50))
    _validate(full)
    assert [r["side"] for r in full["datasets"]["rules"].to_dict("records")] == ["left", "right"]
    _validate(loss_curves(frame, x_title="x", y_title="y", series_title="s", order=["a", "b"],
                          y_log=False))
    broken = loss_curves(frame, x_title="x", y_title="y", series_title="s", order=["a", "b"])
    broken["layer"][0]["mark"]["type"] = "no-such-mark"
    with pytest.raises(jsonschema.ValidationError):
        _validate(broken)
