"""Per page: cold and warm AppTest run time, bytes of chart data per rerun, and whether torch was imported.

    python benchmarks/bench_pages.py            # every registered page, both languages' first (en)
Each page is measured in a fresh process, so "cold" includes imports and empty caches, and the torch column
tells whether that page (with the app frame) imports torch. Targets: warm ≤ 100 ms, ≤ 300 KB of chart data.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

WARM_RUNS = 15


def measure(page_file: str | None) -> dict:
    """Runs inside the child process."""
    import streamlit.logger

    streamlit.logger.set_log_level("error")
    from tests.pagekit import time_page

    timing = time_page(page_file, WARM_RUNS)
    return {"cold_s": timing["cold_s"], "warm_ms": timing["warm_ms"], "chart_kb": timing["chart_kb"],
            "torch": "torch" in sys.modules, "errors": timing["errors"]}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        page = None if sys.argv[2] == "home" else sys.argv[2]
        print(json.dumps(measure(page)))
        return
    from ui.registry import LESSONS

    rows = []
    for page in ["home"] + [lesson.file for lesson in LESSONS]:
        out = subprocess.run([sys.executable, __file__, "--child", page], cwd=ROOT, capture_output=True, text=True,
                             check=True)
        rows.append((page, json.loads(out.stdout.strip().splitlines()[-1])))
    print(f"{'page':34} {'cold s':>7} {'warm ms':>8} {'chart KB':>9} {'torch':>6} {'errors':>6}")
    for page, r in rows:
        print(f"{page:34} {r['cold_s']:7.2f} {r['warm_ms']:8.1f} {r['chart_kb']:9.1f} {str(r['torch']):>6} "
              f"{r['errors']:6d}")


if __name__ == "__main__":
    main()
