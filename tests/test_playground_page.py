"""The playground page (AppTest) and its pure helpers: Step / Play / Reset, the diverging run, the CSV upload, the
comparison, and the student's Trainer living in session state only."""
import math

import numpy as np
import pytest

from core.training import TrainConfig, Trainer
from core.views import playground as V
from tests.pagekit import open_page, shown
from ui.i18n import catalogue

PAGE = "lessons/playground.py"
RUN = "_playground_run"
EN = catalogue("en", "playground")
ZH = catalogue("zh", "playground")
SMALL = {"n_samples": "200", "depth": "1", "width": "8"}  # a small, fast net for the page tests


def charts(at):
    return at.get("vega_lite_chart")


def specs(at):
    import json

    return [json.loads(chart.proto.spec) for chart in charts(at)]


def own_exceptions(at):
    """Exceptions of this page (another page's catalogue being written at the same time is not ours)."""
    return [e.value for e in at.exception if "playground" in str(e.value) or "No such file" not in str(e.value)]


def open_playground(query=None, lang="en"):
    at = open_page(PAGE, {"lang": lang, **SMALL, **(query or {})})
    assert not own_exceptions(at)
    return at


def run_of(at) -> V.LiveRun:
    return at.session_state[RUN]


# --- the page --------------------------------------------------------------------------------------------------------
def test_defaults_show_an_untrained_boundary_and_no_curves_yet():
    at = open_page(PAGE, {"lang": "en"})
    assert not own_exceptions(at)
    run = run_of(at)
    assert run.epoch == 0 and not run.playing
    assert run.trainer.config.hidden == (16, 16) and run.trainer.config.optimizer == "adam"
    kinds = [spec.get("layer", [{}])[0].get("data", {}).get("name") for spec in specs(at)]
    assert "cells" in kinds, "the decision boundary is drawn before training"
    assert any(EN["live.waiting"] in info.value for info in at.info)
    assert "curves" not in kinds


def test_step_trains_a_few_epochs_and_draws_the_curves():
    at = open_playground()
    at.button(key="step").click().run()
    assert not own_exceptions(at)
    run = run_of(at)
    assert run.epoch == 20  # "Epochs per update" defaults to 20
    names = [layer.get("data", {}).get("name") for spec in specs(at) for layer in spec.get("layer", [])]
    assert names.count("wide") == 2 and "cells" in names  # loss + accuracy charts and the boundary
    assert any(spec.get("facet") for spec in specs(at)), "hidden-unit maps"
    assert at.get("progress")[0].proto.value == 10  # 20 of 200 epochs


def test_play_advances_on_every_tick_and_pause_stops():
    at = open_playground({"speed": "3"})
    at.button(key="play_pause").click().run()
    assert run_of(at).playing
    first = run_of(at).epoch
    at.run()
    at.run()
    assert run_of(at).epoch == first + 6
    at.button(key="play_pause").click().run()
    paused = run_of(at).epoch
    at.run()
    assert not run_of(at).playing and run_of(at).epoch == paused


def test_play_to_the_end_stops_with_the_reason():
    at = open_playground({"epochs": "12", "speed": "5"})
    at.button(key="play_pause").click().run()
    for _ in range(4):
        at.run()
    run = run_of(at)
    assert run.done and not run.playing and run.epoch == 12
    assert any(EN["stop.max_epochs"].format(epoch=12) in s.value for s in at.success)
    assert at.button(key="play_pause").disabled


def test_a_new_setting_and_reset_start_a_fresh_network():
    at = open_playground()
    at.button(key="step").click().run()
    trained = run_of(at)
    assert trained.epoch == 20
    at.slider(key="playground__width").set_value(5).run()
    assert run_of(at) is not trained and run_of(at).epoch == 0
    assert run_of(at).trainer.config.hidden == (5,)
    at.button(key="step").click().run()
    at.button(key="reset").click().run()
    assert run_of(at).epoch == 0


@pytest.mark.parametrize("lang, texts", [("en", EN), ("zh", ZH)])
def test_a_huge_learning_rate_ends_as_diverged_at_epoch_k(lang, texts):
    at = open_playground({"optimizer": "sgd", "lr": "10", "activation": "linear", "depth": "2"}, lang=lang)
    assert run_of(at).trainer.config.lr == 10.0
    at.session_state["lang"] = lang  # AppTest drops the sidebar's language radio on a rerun after switch_page
    at.button(key="step").click().run()
    assert not own_exceptions(at)
    history = run_of(at).trainer.history
    k = history.diverged_epoch
    assert k is not None and history.stopped_reason == f"diverged at epoch {k}"
    assert any(texts["stop.diverged"].format(epoch=k) in error.value for error in at.error)
    if not math.isfinite(history.train_loss[-1]):
        assert any(texts["live.not_finite"] in caption.value for caption in at.caption)



def test_the_trainer_lives_in_session_state_one_per_session():
    first, second = open_playground(), open_playground()
    assert isinstance(run_of(first).trainer, Trainer)
    assert run_of(first).trainer is not run_of(second).trainer
    first.button(key="step").click().run()
    second.run()
    assert run_of(first).epoch == 20 and run_of(second).epoch == 0


def test_plain_reruns_do_not_train():
    at = open_playground()
    at.button(key="step").click().run()
    for _ in range(3):
        at.run()
    assert run_of(at).epoch == 20


def test_notices_are_translated_by_code():
    at = open_page(PAGE, {"lang": "zh", "depth": "8", "width": "128", "device": "cuda"})
    assert not own_exceptions(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "参数" in warnings  # widths_shrunk
    import torch

    if not torch.cuda.is_available():
        assert ZH["notice.no_cuda"] in warnings


GOOD_CSV = "x1,x2,label\n" + "\n".join(f"{x:.2f},{y:.2f},{int(x * y > 0)}"
                                        for x, y in np.random.default_rng(0).uniform(-1, 1, (60, 2)))


def test_a_bad_csv_is_reported_and_the_previous_data_kept():
    at = open_playground()
    uploader = at.get("file_uploader")[0]
    uploader.set_value(("bad.csv", b"1;2;3\n4;5;6\n", "text/csv"))
    at.run()
    assert not own_exceptions(at)
    assert any("bad.csv" in shown(e.value) and "comma" in e.value for e in at.error)
    assert run_of(at).trainer.config.dataset == "spiral", "the page keeps working with the previous data"

    at.get("file_uploader")[0].set_value(("mine.csv", GOOD_CSV.encode(), "text/csv"))
    at.run()
    assert not own_exceptions(at) and not at.error
    run = run_of(at)
    assert run.trainer.config.dataset == "custom" and run.trainer.n_train + run.trainer.n_val == 60
    assert at.selectbox(key="playground__dataset").value == "custom"

    at.get("file_uploader")[0].set_value(("broken.csv", b"x1,x2,label\n1,2,abc\n", "text/csv"))
    at.run()
    assert any("broken.csv" in shown(e.value) for e in at.error)
    assert run_of(at).trainer.n_train + run_of(at).trainer.n_val == 60, "still the previous (good) file"


def test_custom_without_a_file_asks_for_one():
    at = open_page(PAGE, {"lang": "en", "dataset": "custom"})
    assert not own_exceptions(at)
    assert any(EN["upload.need_file"] in info.value for info in at.info)


def test_compare_trains_both_and_overlays_their_curves():
    at = open_playground({"compare": "1", "epochs": "15", "optimizer_b": "sgd", "lr_b": "0.1"})
    before = len(charts(at))
    at.button(key="compare_run").click().run()
    assert not own_exceptions(at)
    overlays = [spec for spec in specs(at)
                if any(s.get("strokeDash") for s in [layer.get("encoding", {}) for layer in spec.get("layer", [])])
                and spec["layer"][0]["encoding"]["color"]["scale"]["domain"][0].startswith("A")]
    assert len(overlays) == 2 and len(charts(at)) == before + 2
    markdown = " ".join(m.value for m in at.markdown)
    assert "**A:" in markdown and "**B:" in markdown
    at.slider(key="playground__epochs").set_value(16).run()
    assert any(EN["compare.stale"] in info.value for info in at.info)


def test_downloads_have_keys():
    at = open_playground()
    keys = {element.proto.id.split("-", 2)[-1] for element in at.get("download_button")}
    assert {"download_csv", "download_script"} <= keys
    assert all(key.startswith(("download_", "svg_")) for key in keys), keys


# --- the helpers -----------------------------------------------------------------------------------------------------
def test_certainty_is_zero_for_uniform_and_one_for_one_hot():
    assert V.certainty(np.array([[0.5, 0.5], [1.0, 0.0], [0.25, 0.75]])).tolist() == [0.0, 1.0, 0.5]
    assert V.certainty(np.full((1, 4), 0.25))[0] == pytest.approx(0.0)


def test_boundary_and_unit_views_have_consistent_shapes():
    run = V.LiveRun("k", TrainConfig(n_samples=100, hidden=(4, 20, 3), epochs=2))
    views = run.views()
    b = views.boundary
    assert len(b.i) == len(b.j) == len(b.cls) == V.BOUNDARY_RESOLUTION ** 2 and b.finite
    assert 0 <= np.nanmin(b.certainty) and np.nanmax(b.certainty) <= 1
    assert len(b.px) == 100 and set(np.unique(b.split)) == {0, 1}
    assert [m.layer for m in views.units] == [1, 3] and [m.shown for m in views.units] == [4, 3]
    assert len(views.units[0].a) == 4 * V.UNIT_RESOLUTION ** 2
    wide = V.unit_maps(V.LiveRun("w", TrainConfig(n_samples=100, hidden=(40,))).trainer)
    assert len(wide) == 1 and wide[0].shown == V.MAX_UNITS_SHOWN and wide[0].width == 40
    assert V.unit_maps(V.LiveRun("0", TrainConfig(n_samples=100, hidden=())).trainer) == []


def test_views_are_recomputed_only_after_the_run_moved():
    run = V.LiveRun("k", TrainConfig(n_samples=100, hidden=(4,), epochs=5))
    first = run.views()
    assert run.views() is first
    run.advance(1, 10.0)
    assert run.views() is not first and run.views().epoch == 1


def test_advance_respects_the_epochs_the_budget_and_the_stop():
    run = V.LiveRun("k", TrainConfig(n_samples=100, hidden=(4,), epochs=7))
    assert run.advance(3, 10.0) == 3
    ticks = iter(range(100))
    assert run.advance(3, 0.5, clock=lambda: next(ticks)) == 1  # the budget ran out after one epoch
    run.playing = True
    assert run.advance(10, 10.0) == 3 and run.done and not run.playing


def test_curves_thin_out_but_keep_exact_values_and_the_last_epoch():
    history = Trainer(TrainConfig(n_samples=100, hidden=(4,), epochs=25)).step(25)
    full, thin = V.curves(history), V.curves(history, max_points=10)
    assert len(full["epoch"]) == 25 and thin["epoch"][-1] == 25 and len(thin["epoch"]) <= 11
    for k, epoch in enumerate(thin["epoch"]):
        assert thin["val_loss"][k] == full["val_loss"][epoch - 1]


def test_stop_state_codes():
    history = Trainer(TrainConfig(n_samples=100, hidden=(4,), epochs=3)).step(1)
    assert V.stop_state(history) == ("running", 1)
    diverged = Trainer(TrainConfig(optimizer="sgd", lr=10.0, activation="linear", batch_size=0, n_samples=100,
                                   epochs=50)).step(50)
    code, epoch = V.stop_state(diverged)
    assert code == "diverged" and epoch == diverged.diverged_epoch
    last = V.curves(diverged)["train_loss"][-1]
    assert math.isnan(last)


def test_parameter_rows_add_up_to_count_parameters():
    for norm in ("none", "batch", "layer"):
        model = Trainer(TrainConfig(n_samples=100, hidden=(5, 7), norm=norm, features=("x1sq",))).model
        rows = V.parameter_rows(model)
        counts = V.parameter_counts(model)
        assert [r["layer"] for r in rows] == ["hidden1", "hidden2", "output"]
        assert sum(r["total"] for r in rows) == counts["total"]
        assert sum(r["weights"] for r in rows) == counts["weights"] == 3 * 5 + 5 * 7 + 7 * 2
        assert sum(r["norm_scales"] for r in rows) == counts["norm_scales"]


def test_compare_gives_long_rows_for_both_runs():
    a = TrainConfig(n_samples=100, hidden=(4,), epochs=6)
    result = V.compare(a, a.replace(optimizer="sgd", lr=0.1))
    assert len(result.epoch) == 2 * 2 * 6 and set(result.run.tolist()) == {0, 1}
    assert [stop for stop in result.stops] == [("max_epochs", 6), ("max_epochs", 6)]
    assert all(final is not None for final in result.finals)


def test_while_every_slot_is_busy_play_waits_without_holding_the_page():
    """A tick that finds no free training slot says "queued" and trains nothing; the page finishes at once (Play
    and Pause are one button, so the two never show together) and the next tick tries again."""
    from ui import training_slots

    at = open_playground({"speed": "3"})
    slots = training_slots._slots()
    held = [slots.acquire(blocking=False) for _ in range(training_slots.MAX_CONCURRENT_TRAININGS)]
    try:
        at.button(key="play_pause").click().run()
        assert run_of(at).playing and run_of(at).epoch == 0
        assert any(catalogue("en", "common")["queued"] in info.value for info in at.info)
        assert [b.label for b in at.button if b.key == "play_pause"] == [EN["buttons.pause"]]
    finally:
        for ok in held:
            if ok:
                slots.release()
    at.run()
    assert run_of(at).epoch == 3, "the next tick trains"
