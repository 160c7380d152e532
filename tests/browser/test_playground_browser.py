"""The playground in a real browser: press Play, the fragment ticks, the curves and the boundary are drawn."""
import re

from tests.browser.conftest import wait_rendered

CHARTS = "[data-testid='stVegaLiteChart']"


def drawn_charts(page) -> int:
    return page.evaluate(f"() => [...document.querySelectorAll(\"{CHARTS}\")]"
                         ".filter(c => c.querySelector('canvas, svg')).length")


def test_play_trains_live_and_draws_boundary_and_curves(server, page):
    problems = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and ("vega" in message.text.lower() or "Error" in message.text) else None)
    page.goto(f"{server}/playground?lang=en&n_samples=200&epochs=40&speed=5")
    wait_rendered(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.wait_for_function(f"() => document.querySelectorAll(\"{CHARTS}\").length >= 1", timeout=30000)
    before = drawn_charts(page)
    assert before >= 2, "the boundary and the hidden-unit maps are drawn before training"

    page.get_by_role("button", name=re.compile("Play")).click()
    page.get_by_text(re.compile(r"Finished: reached the last epoch \(40\)")).wait_for(timeout=60000)
    wait_rendered(page)
    assert page.get_by_text(re.compile(r"Epoch 40 of at most 40")).count() >= 1
    assert drawn_charts(page) >= before + 2, "loss and accuracy curves appear"
    assert page.locator("[data-testid='stException']").count() == 0
    assert not problems, problems

    with page.expect_download() as csv_download:
        page.get_by_role("button", name=re.compile("Training history")).click()
    rows = open(csv_download.value.path(), encoding="utf-8").read().splitlines()
    assert rows[0].startswith("epoch,train_loss,val_loss") and len(rows) == 41
    with page.expect_download() as script_download:
        page.get_by_role("button", name=re.compile("PyTorch script")).click()
    script = open(script_download.value.path(), encoding="utf-8").read()
    assert "def main()" in script and "'epochs': 40" in script
