"""A class at once: N concurrent real browser sessions (one Chromium, N contexts) walk a lecture script against one
`streamlit run app.py` server.

    python benchmarks/load.py 1 10 30          # session counts to try (default: 1 10 30)
    python benchmarks/load.py --tour            # server memory after one student tours every page

Each session: open a page, move its first slider (one key press), wait for the rerun to finish, go to the next page;
last, on the playground, start a short training. Reported per N: p50/p95 rerun latency on pages without training,
error boxes seen, and the server's peak resident memory. Targets (2-core machine, 30 sessions): no error box,
p95 ≤ 1 s, peak RSS ≤ 1 GB; after one full tour, ≤ 600 MB.
"""
from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, RENDERED, _free_port  # noqa: E402
from ui.registry import LESSONS  # noqa: E402

# The pages a lecture walks through that never train (torch is not even imported for them: benchmarks/bench_pages.py).
LECTURE = ["loss-and-optimizer", "cross-entropy", "softmax-sigmoid", "optimizers", "input-normalization", "batch-size"]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Server:
    def __init__(self):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.peak_mb = 0.0
        self._stop = threading.Event()

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
             str(self.port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(self.base + "/_stcore/health", timeout=2).read().strip() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        threading.Thread(target=self._watch, daemon=True).start()
        return self

    def _watch(self):
        while not self._stop.is_set():
            try:
                self.peak_mb = max(self.peak_mb, rss_mb(self.process.pid))
            except OSError:
                return
            time.sleep(0.2)

    def rss_now(self) -> float:
        return rss_mb(self.process.pid)

    def __exit__(self, *exc):
        self._stop.set()
        self.process.terminate()
        self.process.wait(10)


async def wait_rendered(page, timeout_ms=120_000):
    await page.wait_for_selector(RENDERED, timeout=timeout_ms)
    await page.wait_for_timeout(300)
    await page.wait_for_selector(RENDERED, timeout=timeout_ms)


WATCH_RERUNS = """() => {
    window.__sawRunning = false;
    if (!window.__rerunObserver) {
        // a record's old value catches a run that started and ended between two observer callbacks
        window.__rerunObserver = new MutationObserver((records) => {
            if (records.some(r => r.oldValue === "running" ||
                                  r.target.getAttribute("data-test-script-state") === "running")) {
                window.__sawRunning = true;
            }
        });
        window.__rerunObserver.observe(document.body, {attributes: true, subtree: true, attributeOldValue: true,
                                                       attributeFilter: ["data-test-script-state"]});
    }
}"""
RERUN_DONE = """() => window.__sawRunning &&
    document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']") !== null"""


async def rerun_after(page, action) -> float:
    """Seconds from an interaction to the end of the rerun it causes (a MutationObserver sees the rerun start, so a
    fast rerun is not missed and a slow one is not cut short)."""
    await page.evaluate(WATCH_RERUNS)
    start = time.perf_counter()
    await action()
    await page.wait_for_function(RERUN_DONE, timeout=60_000, polling=20)
    return time.perf_counter() - start


async def student(browser, base: str, latencies: list, errors: list) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        for path in LECTURE:
            await page.goto(f"{base}/{path}?lang=en")
            await wait_rendered(page)
            slider = page.locator("input[type='range']").first
            if await slider.count():
                await slider.focus()
                try:
                    latencies.append(await rerun_after(page, lambda: slider.press("ArrowRight")))
                except Exception:  # no rerun within the limit: counted as an error, not a latency
                    errors.append(1)
            errors.append(await page.locator("[data-testid='stException']").count())
        if any(lesson.url_path == "playground" for lesson in LESSONS):
            await page.goto(f"{base}/playground?lang=en&epochs=20")
            await wait_rendered(page)
            button = page.get_by_role("button", name="Step")
            if await button.count():
                await button.first.click()
                await wait_rendered(page)
            errors.append(await page.locator("[data-testid='stException']").count())
    finally:
        await context.close()


async def class_at_once(n: int) -> dict:
    from playwright.async_api import async_playwright

    latencies: list[float] = []
    errors: list[int] = []
    with Server() as server:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            start = time.perf_counter()
            await asyncio.gather(*(student(browser, server.base, latencies, errors) for _ in range(n)))
            wall = time.perf_counter() - start
            await browser.close()
        peak = server.peak_mb
    return {"n": n, "p50": statistics.median(latencies), "p95": statistics.quantiles(latencies, n=20)[-1]
            if len(latencies) >= 2 else latencies[0], "errors": sum(errors), "peak_mb": peak, "wall_s": wall}


async def tour() -> tuple[float, float]:
    from playwright.async_api import async_playwright

    with Server() as server:
        before = server.rss_now()
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page()
            for lesson in LESSONS:
                await page.goto(f"{server.base}/{lesson.url_path}?lang=en")
                await wait_rendered(page)
            await browser.close()
        return before, server.rss_now()


def main() -> None:
    if "--tour" in sys.argv:
        before, after = asyncio.run(tour())
        print(f"server RSS: {before:.0f} MB at start, {after:.0f} MB after one student toured {len(LESSONS)} pages")
        return
    counts = [int(arg) for arg in sys.argv[1:]] or [1, 10, 30]
    print(f"lecture script: {', '.join(LECTURE)} (+ playground step)")
    print(f"{'sessions':>8} {'p50 s':>7} {'p95 s':>7} {'errors':>7} {'peak RSS MB':>12} {'wall s':>7}")
    for n in counts:
        r = asyncio.run(class_at_once(n))
        print(f"{r['n']:8d} {r['p50']:7.2f} {r['p95']:7.2f} {r['errors']:7d} {r['peak_mb']:12.0f} {r['wall_s']:7.1f}")


if __name__ == "__main__":
    main()
