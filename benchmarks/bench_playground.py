"""Epochs per second on the playground: core alone vs the page while playing.

    python benchmarks/bench_playground.py

Rows, per configuration (the page's defaults, and a bigger net on more points):
  core Trainer.step     ``Trainer.step(n)`` alone: the ceiling.
  tick (no UI)          what one fragment tick does besides drawing: ``LiveRun.advance(speed)`` + the views
                        (boundary grid, hidden-unit maps, curves) + the chart specs.
  page playing (AppTest) the page run by AppTest after pressing Play: every run is a full rerun that includes one tick
                        (in a browser only the fragment reruns, so this is a lower bound).
"""
from __future__ import annotations

import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import streamlit.logger  # noqa: E402

streamlit.logger.set_log_level("error")

from core.training import TrainConfig, Trainer  # noqa: E402
from core.views import playground as V  # noqa: E402
from ui.charts.grids import boundary_map, relative_unit_maps  # noqa: E402
from ui.charts.lines import curves_frame, hover_lines  # noqa: E402

SPEED = 20  # epochs per tick, the page's default
EPOCHS = 60
CONFIGS = {
    "defaults (spiral, 16-16 tanh, adam)": ({}, TrainConfig(epochs=EPOCHS)),
    "bigger (1000 points, 4x32 relu)": ({"n_samples": "1000", "depth": "4", "width": "32", "activation": "relu"},
                                        TrainConfig(epochs=EPOCHS, n_samples=1000, hidden=(32,) * 4,
                                                    activation="relu")),
}
TEXTS = {"x1": "x1", "x2": "x2", "class": "class", "probability": "p", "split": "set", "label": "label"}


def core_alone(config: TrainConfig) -> tuple[int, float]:
    trainer = Trainer(config)
    start = time.perf_counter()
    trainer.step(EPOCHS)
    return trainer.history.n_epochs, time.perf_counter() - start


def ticks_without_ui(config: TrainConfig) -> tuple[int, float]:
    run = V.LiveRun("bench", config)
    start = time.perf_counter()
    while not run.done:
        run.advance(SPEED, 10.0)
        views = run.views()
        boundary_map(views.boundary, texts=TEXTS, split_names=("train", "val"))
        for maps in views.units:
            relative_unit_maps(maps, texts={"unit": "u", "activation": "a"})
        c = views.curves
        for a, b in (("train_loss", "val_loss"), ("train_acc", "val_acc")):
            hover_lines(curves_frame(c["epoch"], {"t": c[a], "v": c[b]}), x_title="e", y_title="y",
                        series_title="s")
    return run.epoch, time.perf_counter() - start


def page_playing(query: dict) -> tuple[int, float]:
    from tests.pagekit import open_page

    at = open_page("lessons/playground.py", {"lang": "en", "epochs": str(EPOCHS), "speed": str(SPEED), **query})
    at.button(key="play_pause").click()
    start = time.perf_counter()
    at.run()
    for _ in range(EPOCHS // SPEED + 2):
        if at.session_state["_playground_run"].done:
            break
        at.run()
    run = at.session_state["_playground_run"]
    return run.epoch, time.perf_counter() - start


def main() -> None:
    rows = []
    for name, (query, config) in CONFIGS.items():
        for mode, measure in (("core Trainer.step", lambda config=config: core_alone(config)),
                              ("tick (no UI)", lambda config=config: ticks_without_ui(config)),
                              ("page playing (AppTest)", lambda query=query: page_playing(query))):
            epochs, seconds = measure()
            rows.append((name, mode, epochs, seconds))
    print(f"{'configuration':38} {'mode':24} {'epochs':>6} {'seconds':>8} {'epochs/s':>9} {'ms/tick':>8}")
    for name, mode, epochs, seconds in rows:
        per_tick = "" if mode.startswith("core") else f"{1000 * seconds / max(1, -(-epochs // SPEED)):8.1f}"
        print(f"{name:38} {mode:24} {epochs:6d} {seconds:8.2f} {epochs / seconds:9.1f} {per_tick:>8}")


if __name__ == "__main__":
    main()
