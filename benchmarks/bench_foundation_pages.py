"""The loss-and-optimizer and choosing-the-loss pages: per page cold / warm run time, chart bytes and torch (measured
by bench_pages.py's child, each in a fresh process), then the cold time of each core call behind them.

    python benchmarks/bench_foundation_pages.py
Targets: warm ≤ 100 ms, ≤ 300 KB of chart data per rerun, the race ≤ ~2 s cold (torch import included).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGES = ("lessons/loss_and_optimizer.py", "lessons/choosing_the_loss.py")
CORE_CALLS = {
    "loss_and_optimizer.slow_motion (default)":
        "from core.views import loss_and_optimizer as m; m.slow_motion(1.0, -0.5, 1.0, 0.5, 0)",
    "choosing_the_loss.decision_examples": "from core.views import choosing_the_loss as m; m.decision_examples(-3.0)",
    "choosing_the_loss.logit_gradients": "from core.views import choosing_the_loss as m; m.logit_gradients(-3.0)",
    "choosing_the_loss.landscapes": "from core.views import choosing_the_loss as m; m.landscapes()",
    "choosing_the_loss.training_race": "from core.views import choosing_the_loss as m; m.training_race()",
}
TIMER = """
import json, sys, time
sys.path.insert(0, {root!r})
start = time.perf_counter()
{call}
print(json.dumps({{"cold_s": time.perf_counter() - start, "torch": "torch" in sys.modules}}))
"""


def main() -> None:
    bench = os.path.join(ROOT, "benchmarks", "bench_pages.py")
    print(f"{'page':34} {'cold s':>7} {'warm ms':>8} {'chart KB':>9} {'torch':>6} {'errors':>6}")
    for page in PAGES:
        out = subprocess.run([sys.executable, bench, "--child", page], cwd=ROOT, capture_output=True, text=True,
                             check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{page:34} {r['cold_s']:7.2f} {r['warm_ms']:8.1f} {r['chart_kb']:9.1f} {str(r['torch']):>6} "
              f"{r['errors']:6d}")
    print()
    print(f"{'core call (fresh process, imports included)':46} {'cold s':>7} {'torch':>6}")
    for name, call in CORE_CALLS.items():
        out = subprocess.run([sys.executable, "-c", TIMER.format(root=ROOT, call=call)], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{name:46} {r['cold_s']:7.2f} {str(r['torch']):>6}")


if __name__ == "__main__":
    main()
