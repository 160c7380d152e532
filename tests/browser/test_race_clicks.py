"""Clicking the optimizers race sets the start point: also on a mark drawn over the grid (a minimum, the start, a
path's dot), and again on the same spot after the start was moved by its sliders."""
import re

from tests.browser.conftest import wait_rendered
from tests.browser.kit import nudge, open_url, query


def race_marks(page, label_part: str, role: str = "point"):
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.locator("[aria-roledescription=square]").first.wait_for(state="attached", timeout=30000)
    return chart.locator(f"[aria-roledescription={role}][aria-label*='{label_part}']")


def start(page) -> tuple[float, float]:
    values = dict(query(page))
    return float(values.get("start_x", "nan")), float(values.get("start_y", "nan"))


def test_a_click_on_a_mark_sets_the_start_and_the_same_spot_counts_twice(server, page):
    open_url(page, f"{server}/optimizers?lang=en")
    dot = race_marks(page, "optimizer: Momentum; step: 20;", role="circle").first  # a path's dot, over the grid
    x, y = (float(v.replace("−", "-")) for v in re.findall(r"[xy]: ([−\d.e+-]+);", dot.get_attribute("aria-label")))
    dot.click(force=True)
    wait_rendered(page)
    assert start(page) == (round(x, 3), round(y, 3)), "the point clicked, not a grid node under it"

    race_marks(page, "minimum").first.click(force=True)  # the minimum's diamond
    wait_rendered(page)
    assert start(page) == (0.0, 0.0)
    nudge(page, page.locator(".st-key-optimizers__start_x input[type=range]"))
    assert start(page)[0] != 0.0
    race_marks(page, "minimum").first.click(force=True)
    wait_rendered(page)
    assert start(page) == (0.0, 0.0), "the same spot, clicked again, sets the start again"
