"""What the browser tests do again and again: open a page and wait for it, read the address bar, move sliders by
keyboard, click Next, switch the language."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl

from tests.browser.conftest import wait_rendered

MAIN_SLIDERS = "[data-testid='stMain'] [data-testid='stSlider'] input[type=range]:visible"
EXCEPTIONS = "[data-testid='stException']"


def open_url(tab, url: str) -> None:
    tab.goto(url)
    wait_rendered(tab)


def address(tab) -> str:
    """The address bar now: path and query string (Playwright's ``page.url`` misses ``history.replaceState``)."""
    return tab.evaluate("location.pathname + location.search")


def query(tab) -> list[tuple[str, str]]:
    """The address's query string as (name, value) pairs, in order and with repeats."""
    return parse_qsl(tab.evaluate("location.search").lstrip("?"), keep_blank_values=True)


def wait_for_query(tab, predicate_js: str, timeout_ms: int = 5000) -> None:
    """Wait until ``predicate_js`` (an expression over ``q``, the URLSearchParams of the address) holds."""
    tab.wait_for_function(f"() => {{ const q = new URLSearchParams(location.search); return {predicate_js}; }}",
                          timeout=timeout_ms)


def nudge(tab, slider) -> None:
    """Move a slider one step by keyboard (left unless it is at its minimum), and wait for the rerun. The slider must
    really have the focus: a key press on whatever else has it (the language radio) would change that instead."""
    slider.focus()
    assert slider.evaluate("element => element === document.activeElement"), "the slider did not take the focus"
    at_min = float(slider.input_value()) <= float(slider.get_attribute("min"))
    tab.keyboard.press("ArrowRight" if at_min else "ArrowLeft")
    wait_rendered(tab)


def move_a_control(tab) -> None:
    """Change one control of the page: its last slider, else its first toggle, else another option of its first
    radio group (never the question's, which is the last)."""
    sliders = tab.locator(MAIN_SLIDERS)
    if sliders.count():
        nudge(tab, sliders.last)
        return
    toggles = tab.locator("[data-testid='stMain'] [data-testid='stCheckbox'] label:visible")
    if toggles.count():
        toggles.first.click()
    else:
        group = tab.locator("[data-testid='stMain'] [data-testid='stRadio']").first
        group.locator("label:not(:has(input:checked))").first.click()
    wait_rendered(tab)


def open_all_expanders(tab) -> None:
    """Open every folded expander the student can see (not those inside a tab that is not shown)."""
    closed = tab.locator("[data-testid='stMain'] [data-testid='stExpander'] details:not([open]) > summary:visible")
    while closed.count():
        closed.first.click()


def push_sliders(tab, key: str) -> int:
    """Press ``key`` (End: maximum, Home: minimum) on every slider of the page, one after the other, as fast as a
    student could; returns how many were pushed. A slider that disappears on the way (fewer classes, fewer logits)
    is simply not reached."""
    sliders = tab.locator(MAIN_SLIDERS)
    pushed = 0
    while pushed < sliders.count():
        slider = sliders.nth(pushed)
        slider.focus()
        if slider.evaluate("element => element === document.activeElement"):
            tab.keyboard.press(key)
        pushed += 1
    wait_rendered(tab)
    return pushed


def click_next(tab, url_path: str) -> None:
    """Click the page's Next link and wait until the next page (``url_path``) has rendered."""
    tab.locator("[data-testid='stMain'] [data-testid='stPageLink'] a").last.click()
    tab.wait_for_function(f"() => location.pathname.endsWith('/{url_path}')")
    wait_rendered(tab)


def switch_language(tab, label: str) -> None:
    """Click a language ("English" or "中文") in the sidebar."""
    tab.locator("[data-testid='stSidebar'] [data-testid='stRadio'] label").filter(
        has_text=re.compile(f"^{re.escape(label)}$")).click()
    wait_rendered(tab)


def chosen_labels(tab) -> list[str]:
    """The labels the page's radios and select boxes show as chosen."""
    return tab.evaluate("""() => [
        ...[...document.querySelectorAll("[data-testid='stMain'] [data-testid='stRadio'] label")]
            .filter(label => label.querySelector('input:checked')).map(label => label.textContent.trim()),
        ...[...document.querySelectorAll("[data-testid='stMain'] [data-testid='stSelectbox'] input[role='combobox']")]
            .map(box => box.value.trim()),
    ]""")


def exceptions(tab) -> int:
    return tab.locator(EXCEPTIONS).count()
