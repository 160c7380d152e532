"""The deep-network pages (gradient clipping, normalization layers, residual connections): cold time of each page's
default experiments, the page's cold and warm AppTest runs, and the chart data it sends.

    python benchmarks/bench_deep.py

Each page is measured in a fresh process (empty caches). "experiments" calls the page's default core experiments
directly, after torch (and the torch._dynamo that torch.optim imports on first use) is imported: wall time and the
CPU time of the process (on a machine shared with other jobs the wall time can be several times the CPU time; the
CPU time is what one free core would need). "page cold" is the
first AppTest run of the page, experiments included; "warm" the median of later reruns.
Targets: experiments ≤ 5 s cold, warm ≤ 100 ms, ≤ 300 KB of chart data per rerun.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

WARM_RUNS = 10
PAGES = ("gradient_clipping", "normalization_layers", "residual")


def default_experiments(page: str) -> list:
    """The core calls a page makes with its default settings."""
    from core.views import gradient_clipping, normalization_layers, residual

    if page == "gradient_clipping":
        return [lambda: gradient_clipping.exploding_runs(0.3, "norm", 1.0)]
    if page == "normalization_layers":
        return [lambda: normalization_layers.normalization_race(16, False), normalization_layers.batch_size_sweep]
    return [lambda: residual.residual_sweep("batch", 20)]


def measure(page: str) -> dict:
    """Runs inside the child process."""
    import streamlit.logger

    streamlit.logger.set_log_level("error")
    import torch

    # Imports are not part of an experiment: torch itself, and torch._dynamo, which the first torch.optim optimizer
    # of a process imports lazily (about 1.5 s, once per server process).
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)

    from tests.pagekit import time_page

    wall, cpu = time.perf_counter(), time.process_time()
    for experiment in default_experiments(page):
        experiment()
    experiments_s, experiments_cpu = time.perf_counter() - wall, time.process_time() - cpu

    timing = time_page(f"lessons/{page}.py", WARM_RUNS, timeout=300)
    return {"experiments_s": experiments_s, "experiments_cpu_s": experiments_cpu,
            **{key: timing[key] for key in ("cold_s", "warm_ms", "warm_min_ms", "chart_kb", "errors")}}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2])))
        return
    rows = []
    for page in PAGES:
        out = subprocess.run([sys.executable, __file__, "--child", page], cwd=ROOT, capture_output=True, text=True,
                             check=True)
        rows.append((page, json.loads(out.stdout.strip().splitlines()[-1])))
    print(f"{'page':22} {'exp wall s':>10} {'exp CPU s':>9} {'page cold s':>11} {'warm ms':>8} {'warm min':>8} "
          f"{'chart KB':>8} {'errors':>6}")
    for page, r in rows:
        print(f"{page:22} {r['experiments_s']:10.2f} {r['experiments_cpu_s']:9.2f} {r['cold_s']:11.2f} "
              f"{r['warm_ms']:8.1f} {r['warm_min_ms']:8.1f} {r['chart_kb']:8.1f} {r['errors']:6d}")
    print(f"load average (1 min) during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
