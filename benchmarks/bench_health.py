"""Speed of the deep-network-health pages (initialization, vanishing-exploding), printed as tables.

    python benchmarks/bench_health.py

1. Each cached experiment of ``core.health_experiments``, cold (first call in a fresh process, torch already
   imported), at the page's default settings and at the most expensive settings its widgets allow. Wall and CPU
   seconds (on a shared machine wall time includes waiting for a core).
2. Each page through AppTest in a fresh process: cold run (imports + the default experiments + the frame), the median
   warm rerun (every experiment cached), and the chart data sent per rerun. Targets: default experiments cold
   ≤ 5 s, warm ≤ 100 ms, ≤ 300 KB of chart data.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

WARM_RUNS = 15
PAGES = ("lessons/initialization.py", "lessons/vanishing_exploding.py")


def experiments():
    """(page, experiment, settings, call) at the defaults of the page's widgets and at their costliest values."""
    from core.views import initialization, vanishing_exploding

    init, vanish = initialization, vanishing_exploding
    return [
        ("initialization", "init_view", "default: tanh, Xavier, 10 × 128",
         lambda: init.init_view("tanh", "xavier", 10, 128)),
        ("initialization", "init_view", "max: 30 × 256", lambda: init.init_view("relu", "normal_1", 30, 256)),
        ("initialization", "std_by_init", "default: tanh, 10 × 128", lambda: init.std_by_init("tanh", 10, 128)),
        ("initialization", "std_by_init", "max: 30 × 256", lambda: init.std_by_init("tanh", 30, 256)),
        ("initialization", "symmetry_demo", "default: tanh", lambda: init.symmetry_demo("tanh")),
        ("initialization", "init_race", "default: tanh, 5 layers, 60 epochs", lambda: init.init_race("tanh", 5, 60)),
        ("initialization", "init_race", "max: 10 layers, 150 epochs", lambda: init.init_race("relu", 10, 150)),
        ("vanishing", "gradient_profile", "default: sigmoid, default, 20",
         lambda: vanish.gradient_profile("sigmoid", "default", 20)),
        ("vanishing", "gradient_profile", "max: 50, BN + residual",
         lambda: vanish.gradient_profile("relu", "he", 50, norm="batch", residual=True)),
        ("vanishing", "gradient_vs_depth", "default: PyTorch default", lambda: vanish.gradient_vs_depth("default")),
        ("vanishing", "gradient_vs_depth", "max: BN + residual",
         lambda: vanish.gradient_vs_depth("he", norm="batch", residual=True)),
        ("vanishing", "gradient_map", "default: sigmoid, 8 layers, 50 epochs",
         lambda: vanish.gradient_map("sigmoid", "default", 8, epochs=50)),
        ("vanishing", "gradient_map", "max: 16 layers, 100 epochs, BN + res + clip",
         lambda: vanish.gradient_map("relu", "he", 16, norm="batch", residual=True, clip=True, epochs=100)),
    ]


def measure_experiments() -> list[dict]:
    """Runs inside a child process: each experiment once, cold."""
    import torch  # noqa: F401  (imported up front: its import time is not the experiment's)

    rows = []
    for page, name, settings, call in experiments():
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        rows.append({"page": page, "experiment": name, "settings": settings,
                     "wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu})
    return rows


def measure_page(page_file: str) -> dict:
    """Runs inside a child process: AppTest cold, then warm reruns."""
    import streamlit.logger

    streamlit.logger.set_log_level("error")
    from tests.pagekit import open_page

    wall, cpu = time.perf_counter(), time.process_time()
    at = open_page(page_file, {"lang": "en"})
    cold_wall, cold_cpu = time.perf_counter() - wall, time.process_time() - cpu
    warm, warm_cpu = [], []
    for _ in range(WARM_RUNS):
        wall, cpu = time.perf_counter(), time.process_time()
        at.run()
        warm.append(time.perf_counter() - wall)
        warm_cpu.append(time.process_time() - cpu)
    chart_bytes = 0
    for chart in at.get("vega_lite_chart"):
        proto = chart.proto
        chart_bytes += (len(proto.spec.encode()) + len(proto.data.data)
                        + sum(len(ds.data.data) for ds in proto.datasets))
    return {"cold_s": cold_wall, "cold_cpu_s": cold_cpu, "warm_ms": 1000 * statistics.median(warm),
            "warm_cpu_ms": 1000 * statistics.median(warm_cpu), "charts": len(at.get("vega_lite_chart")),
            "chart_kb": chart_bytes / 1024, "errors": len(at.exception)}


def child(*args: str) -> dict | list:
    out = subprocess.run([sys.executable, __file__, "--child", *args], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        result = measure_experiments() if sys.argv[2] == "experiments" else measure_page(sys.argv[2])
        print(json.dumps(result))
        return
    rows = child("experiments")
    print(f"{'page':15} {'experiment':18} {'settings':44} {'wall s':>7} {'cpu s':>6}")
    for r in rows:
        print(f"{r['page']:15} {r['experiment']:18} {r['settings']:44} {r['wall_s']:7.2f} {r['cpu_s']:6.2f}")
    for page in ("initialization", "vanishing"):
        defaults = [r for r in rows if r["page"] == page and r["settings"].startswith("default")]
        print(f"{page + ' defaults':34} {'':44} {sum(r['wall_s'] for r in defaults):7.2f} "
              f"{sum(r['cpu_s'] for r in defaults):6.2f}")
    print()
    print(f"{'page (AppTest)':34} {'cold s':>7} {'cpu s':>6} {'warm ms':>8} {'cpu ms':>7} {'charts':>6} "
          f"{'chart KB':>9} {'errors':>6}")
    for page in PAGES:
        r = child(page)
        print(f"{page:34} {r['cold_s']:7.2f} {r['cold_cpu_s']:6.2f} {r['warm_ms']:8.1f} {r['warm_cpu_ms']:7.1f} "
              f"{r['charts']:6d} {r['chart_kb']:9.1f} {r['errors']:6d}")


if __name__ == "__main__":
    main()
