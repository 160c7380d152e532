"""The convergence and train-vs-val pages: cold training time of each preset and of each convergence run, warm rerun
and chart bytes of both pages (AppTest), and core.diagnosis.diagnose on 100 000 points.

    python benchmarks/bench_curves.py

Training is timed in this process after one tiny warm-up run (so torch's import and first-call costs are not
counted against the first preset); the pages are measured in a fresh process each (cold = imports + training +
first run, warm = median of reruns). Targets: each preset ≤ ~3 s cold, warm rerun ≤ 100 ms, ≤ 300 KB of chart data.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PAGE_IDS = ("convergence", "train_vs_val")
WARM_RUNS = 15
DIAGNOSE_POINTS = 100_000


def measure_page(page_file: str) -> dict:
    """Runs inside the child process."""
    import streamlit.logger

    streamlit.logger.set_log_level("error")
    from tests.pagekit import time_page

    timing = time_page(page_file, WARM_RUNS)
    return {key: timing[key] for key in ("cold_s", "warm_ms", "chart_kb", "errors")}


def time_training() -> list[tuple[str, float, str]]:
    from core.training import TrainConfig, train
    from core.views import convergence, train_vs_val

    train(TrainConfig(epochs=2))  # warm-up: torch's first-call costs
    rows = []
    for name in train_vs_val.PRESETS:
        start = time.perf_counter()
        run = train_vs_val.run_preset(name)
        diag = train_vs_val.diagnose_run(run)
        rows.append((f"preset {name}", time.perf_counter() - start,
                     f"{len(run.epochs)} epochs → {diag.case} ({diag.confidence:.2f})"))
    for batch in convergence.BATCH_SIZES:
        start = time.perf_counter()
        run = convergence.run_convergence(batch)
        rows.append((f"convergence run, batch {batch}", time.perf_counter() - start,
                     f"{run.batch_loss.size} steps, {run.check_steps.size} checks"))
    return rows


def time_diagnose() -> tuple[float, str]:
    from core.diagnosis import diagnose

    rng = np.random.default_rng(0)
    t = np.arange(DIAGNOSE_POINTS)
    train = (0.1 + np.exp(-t / 20_000)) * np.exp(0.3 * rng.standard_normal(t.size))
    val = (0.3 + np.exp(-t / 20_000) + 2e-6 * t) * np.exp(0.05 * rng.standard_normal(t.size))
    diagnose(train, val)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        diag = diagnose(train, val)
        times.append(time.perf_counter() - start)
    return statistics.median(times), f"→ {diag.case} ({diag.confidence:.2f})"


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(measure_page(sys.argv[2])))
        return
    print(f"{'training (cold, in process)':34} {'s':>7}  result")
    for name, seconds, note in time_training():
        print(f"{name:34} {seconds:7.2f}  {note}")
    seconds, note = time_diagnose()
    print(f"\n{'diagnose, 100 000 points':34} {1000 * seconds:7.1f} ms  {note}")
    print(f"\n{'page (fresh process)':34} {'cold s':>7} {'warm ms':>8} {'chart KB':>9} {'errors':>6}")
    from ui.registry import lesson_by_id

    for page in (lesson_by_id(page_id).file for page_id in PAGE_IDS):
        out = subprocess.run([sys.executable, __file__, "--child", page], cwd=ROOT, capture_output=True, text=True,
                             check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{page:34} {r['cold_s']:7.2f} {r['warm_ms']:8.1f} {r['chart_kb']:9.1f} {r['errors']:6d}")


if __name__ == "__main__":
    main()
