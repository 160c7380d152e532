"""The four concept pages (parameters vs hyperparameters, hidden layers, end to end, deep vs shallow): how long each
page's default experiment takes cold, how long the page takes to open in a fresh process and to rerun warm, and how
many bytes of chart data a rerun sends.

    python benchmarks/bench_concepts.py

Each page is measured in a fresh process:

- experiment s: the page's default core call(s) with empty caches, after the imports and one tiny training (so the
  one-time import of torch's optimizer machinery, about 2 s, is not charged to the first page that trains);
- page cold s: AppTest opening the page in that fresh process (all imports, empty caches, the experiment, charts);
- warm ms: median of 15 reruns with the cache filled;
- chart KB: Vega-Lite specs plus Arrow data of one rerun.

Targets: experiment ≤ 5 s, warm ≤ 100 ms, chart data ≤ 300 KB.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

WARM_RUNS = 15
PAGES = ("parameters_vs_hyperparameters", "hidden_layers", "end_to_end", "deep_vs_shallow")


def default_experiment(page_id: str) -> None:
    """The core calls a page makes with its default settings."""
    from core.views import deep_vs_shallow, end_to_end, hidden_layers, parameters_vs_hyperparameters

    if page_id == "parameters_vs_hyperparameters":
        parameters_vs_hyperparameters.parameter_table(2, 8, "none")
        parameters_vs_hyperparameters.grid_search_view(2, "none", 32, 50, "default")
    elif page_id == "hidden_layers":
        hidden_layers.hidden_layers_view("circle", 2, 6, "tanh", 0)
    elif page_id == "end_to_end":
        end_to_end.end_to_end_view("circle", ("x1sq", "x2sq"), 2, 8, 0)
    elif page_id == "deep_vs_shallow":
        deep_vs_shallow.deep_vs_shallow_view("spiral", 3, "tanh")


def measure_experiment(page_id: str) -> dict:
    from core.training import TrainConfig, train

    train(TrainConfig(hidden=(2,), epochs=1, n_samples=40))  # one-time imports behind torch.optim
    start = time.perf_counter()
    default_experiment(page_id)
    return {"experiment_s": time.perf_counter() - start}


def measure_page(page_id: str) -> dict:
    import streamlit.logger

    streamlit.logger.set_log_level("error")
    from tests.pagekit import time_page

    timing = time_page(f"lessons/{page_id}.py", WARM_RUNS)
    return {key: timing[key] for key in ("cold_s", "warm_ms", "chart_kb", "charts", "errors")}


def child(mode: str, page_id: str) -> dict:
    out = subprocess.run([sys.executable, __file__, f"--{mode}", page_id], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] in ("--experiment", "--page"):
        measure = measure_experiment if sys.argv[1] == "--experiment" else measure_page
        print(json.dumps(measure(sys.argv[2])))
        return
    rows = [(page_id, {**child("experiment", page_id), **child("page", page_id)}) for page_id in PAGES]
    print(f"{'page':32} {'experiment s':>12} {'page cold s':>11} {'warm ms':>8} {'charts':>6} {'chart KB':>9} "
          f"{'errors':>6}")
    for page_id, r in rows:
        print(f"{page_id:32} {r['experiment_s']:12.2f} {r['cold_s']:11.2f} {r['warm_ms']:8.1f} {r['charts']:6d} "
              f"{r['chart_kb']:9.1f} {r['errors']:6d}")


if __name__ == "__main__":
    main()
