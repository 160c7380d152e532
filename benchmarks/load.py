"""A class at once: N concurrent real browser sessions (one Chromium, N contexts) walk a lecture script against one
`streamlit run app.py` server.

    python benchmarks/load.py 1 10 30              # session counts to try (default: 1 10 30)
    python benchmarks/load.py 30 --think 5         # each student reads a page ~5 s before touching it
    python benchmarks/load.py --tour               # server memory after one student tours every page

Each session: open a page, move its first slider (one key press), wait for the rerun to finish, go to the next page;
last, on the playground, start a short training. All sessions start at the same moment.

Reported per N, for the pages without training:
- **server** rerun p50/p95: from a slider's rerun request reaching the server to the server sending "script
  finished" (benchmarks/timed_server.py); and the same for page loads (p95). This is what the hosting controls.
- **browser** p50/p95: from the key press to the page's script state going back to notRunning, seen in Chromium.
  Here the 30 "students" share the server's 2 cores with one Chromium that renders all 30 pages; in a class each
  student's browser runs on the student's machine. So Chromium runs under SCHED_IDLE (only on CPU the server leaves),
  as a stand-in for being elsewhere, and does not slow the server it measures; its own wait still counts here.
- page-load p95, error boxes, reruns not seen within 120 s ("missed": the slider moved, the request never reached
  the server; "lost": the browser dropped the key press), the server's peak resident memory, and the CPU
  seconds the server and everything else (Chromium, the driver) used.
Targets (2-core machine, 30 sessions): no error box, p95 ≤ 1 s, peak RSS ≤ 1 GB; after one full tour, ≤ 600 MB.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, RENDERED, _free_port  # noqa: E402
from ui.registry import LESSONS  # noqa: E402

# The pages a lecture walks through that never train (torch is not even imported for them: benchmarks/bench_pages.py).
LECTURE = ["loss-and-optimizer", "cross-entropy", "softmax-sigmoid", "optimizers", "input-normalization", "batch-size"]


def machine_cpu_s() -> float:
    """CPU seconds the whole machine has been busy (all cores; /proc/stat's user+nice+system+irq+softirq)."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq = map(int, stat.readline().split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Server:
    def __init__(self):
        self.timings = tempfile.NamedTemporaryFile(prefix="load-timings-", suffix=".jsonl", delete=False).name
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.peak_mb = 0.0
        self._stop = threading.Event()

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "benchmarks/timed_server.py", "app.py", "--server.headless", "true", "--server.port",
             str(self.port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "LOAD_TIMINGS": self.timings})
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

    def cpu_s(self) -> float:
        """CPU seconds the server has used so far (user + system)."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_now(self) -> float:
        return rss_mb(self.process.pid)

    def run_ms(self, kind: str) -> list[float]:
        """Server-side milliseconds of every finished run of this kind ("load": a page opened, "rerun": a widget
        moved) on the pages without training."""
        with open(self.timings) as lines:
            return [row["ms"] for row in map(json.loads, lines) if row["kind"] == kind and row["page"] in LECTURE]

    def __exit__(self, *exc):
        self._stop.set()
        self.process.terminate()
        self.process.wait(10)
        if not os.environ.get("LOAD_KEEP_TIMINGS"):
            os.unlink(self.timings)


async def wait_rendered(page, timeout_ms=120_000):
    await page.wait_for_selector(RENDERED, timeout=timeout_ms)
    await page.wait_for_timeout(300)
    await page.wait_for_selector(RENDERED, timeout=timeout_ms)


WATCH_RERUNS = """() => {
    // drop records still queued from earlier runs (a busy browser delivers them late): only a run that starts
    // after this point counts
    if (window.__rerunObserver) window.__rerunObserver.takeRecords();
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
    await page.wait_for_function(RERUN_DONE, timeout=120_000, polling=20)
    return time.perf_counter() - start


def quantile(values: list[float], q: float) -> float:
    """The q-quantile (0.5: median, 0.95: p95) of at least one value."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


class Results:
    def __init__(self):
        self.rerun_s: list[float] = []
        self.load_s: list[float] = []
        self.error_boxes = 0
        self.missed_reruns = 0
        self.lost_presses = 0


async def open_page(page, url: str, results: Results) -> None:
    start = time.perf_counter()
    await page.goto(url, timeout=300_000, wait_until="commit")
    await wait_rendered(page, timeout_ms=300_000)
    results.load_s.append(time.perf_counter() - start)


async def student(browser, base: str, think_s: float, results: Results) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = await context.new_page()
    try:
        for path in LECTURE:
            await open_page(page, f"{base}/{path}?lang=en", results)
            # reading time, spread so that 30 students do not act on the same millisecond
            await asyncio.sleep(random.uniform(0.5, 1.5) * think_s)
            slider = page.locator("input[type='range']").first
            if await slider.count():
                await slider.focus()
                before = await slider.input_value()
                try:
                    results.rerun_s.append(await rerun_after(page, lambda slider=slider: slider.press("ArrowRight")))
                except Exception:  # no rerun within the limit: counted, not a latency
                    if await slider.input_value() == before:
                        results.lost_presses += 1  # the slider never moved: the browser dropped the key press
                    else:
                        results.missed_reruns += 1
            results.error_boxes += await page.locator("[data-testid='stException']").count()
        if any(lesson.url_path == "playground" for lesson in LESSONS):
            await open_page(page, f"{base}/playground?lang=en&epochs=20", results)
            button = page.get_by_role("button", name="Step")
            if await button.count():
                await button.first.click()
                await wait_rendered(page)
            results.error_boxes += await page.locator("[data-testid='stException']").count()
    finally:
        await context.close()


def idle_chromium() -> str:
    """An executable that starts Debian's Chromium under Linux's SCHED_IDLE policy (all its processes inherit it):
    it gets only CPU time the server leaves, as if it ran on another machine."""
    wrapper = tempfile.NamedTemporaryFile("w", prefix="chromium-idle-", suffix=".sh", delete=False)
    wrapper.write(f'#!/bin/sh\nexec chrt --idle 0 {CHROMIUM} "$@"\n')
    wrapper.close()
    os.chmod(wrapper.name, 0o755)
    return wrapper.name


async def class_at_once(n: int, think_s: float, browser_idle: bool) -> dict:
    from playwright.async_api import async_playwright

    results = Results()
    chromium = idle_chromium() if browser_idle else CHROMIUM
    with Server() as server:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            start, server_cpu, machine_cpu = time.perf_counter(), server.cpu_s(), machine_cpu_s()
            await asyncio.gather(*(student(browser, server.base, think_s, results) for _ in range(n)))
            wall = time.perf_counter() - start
            server_cpu, machine_cpu = server.cpu_s() - server_cpu, machine_cpu_s() - machine_cpu
            await browser.close()
        peak = server.peak_mb
        server_rerun_ms, server_load_ms = server.run_ms("rerun"), server.run_ms("load")
    if browser_idle:
        os.unlink(chromium)
    return {"n": n, "server_p50": quantile(server_rerun_ms, 0.5), "server_p95": quantile(server_rerun_ms, 0.95),
            "server_load_p95": quantile(server_load_ms, 0.95),
            "p50": quantile(results.rerun_s, 0.5), "p95": quantile(results.rerun_s, 0.95),
            "load_p95": quantile(results.load_s, 0.95), "errors": results.error_boxes,
            "missed": results.missed_reruns, "lost": results.lost_presses, "peak_mb": peak, "wall_s": wall,
            "server_cpu": server_cpu, "other_cpu": machine_cpu - server_cpu}


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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sessions", nargs="*", type=int, default=[1, 10, 30])
    parser.add_argument("--think", type=float, default=0.0, help="seconds a student reads a page before acting")
    parser.add_argument("--browser-same-priority", action="store_true",
                        help="run Chromium at the server's priority instead of SCHED_IDLE")
    parser.add_argument("--tour", action="store_true", help="server memory after one student tours every page")
    args = parser.parse_args()
    if args.tour:
        before, after = asyncio.run(tour())
        print(f"server RSS: {before:.0f} MB at start, {after:.0f} MB after one student toured {len(LESSONS)} pages")
        return
    print(f"lecture script: {', '.join(LECTURE)} (+ playground step); think {args.think:g} s; "
          f"Chromium {'at the server priority' if args.browser_same_priority else 'SCHED_IDLE'}")
    print(f"{'':8} {'server rerun ms':>16} {'load ms':>8} {'browser rerun s':>16} {'load s':>7} {'':>18} "
          f"{'peak RSS':>9} {'':>6} {'CPU s':>15}")
    print(f"{'sessions':>8} {'p50':>7} {'p95':>8} {'p95':>8} {'p50':>7} {'p95':>8} {'p95':>7} {'errors':>6} "
          f"{'missed':>6} {'lost':>4} {'MB':>9} {'wall s':>6} {'server':>7} {'browser':>7}")
    for n in args.sessions:
        r = asyncio.run(class_at_once(n, args.think, not args.browser_same_priority))
        print(f"{r['n']:8d} {r['server_p50']:7.0f} {r['server_p95']:8.0f} {r['server_load_p95']:8.0f} "
              f"{r['p50']:7.2f} {r['p95']:8.2f} {r['load_p95']:7.1f} {r['errors']:6d} {r['missed']:6d} "
              f"{r['lost']:4d} {r['peak_mb']:9.0f} {r['wall_s']:6.0f} {r['server_cpu']:7.1f} {r['other_cpu']:7.1f}")


if __name__ == "__main__":
    main()
