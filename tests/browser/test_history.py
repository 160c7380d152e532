"""Browser history and what a student brings to a page: one history entry per page visited (never per control
moved), Back and Forward that keep a trained run and an upload, uploads the server accepts up to what the page
says, and text from a student or a link shown exactly as typed."""
from __future__ import annotations

import re

import pytest

from core.parse import parse_vector
from tests.browser.conftest import wait_rendered
from tests.browser.kit import (
    MAIN_SLIDERS,
    address,
    click_next,
    exceptions,
    nudge,
    open_url,
    switch_language,
    wait_for_query,
)
from ui.i18n import catalogue

PLAYGROUND = catalogue("en", "playground")
COMMON = catalogue("en", "common")


def history_length(tab) -> int:
    return tab.evaluate("history.length")


def go_back_to(tab, path: str) -> None:
    tab.go_back()
    tab.wait_for_function(f"() => location.pathname.endsWith('/{path}')")
    wait_rendered(tab)


def test_one_history_entry_per_page_visited_never_per_control(server, page):
    open_url(page, f"{server}/batch-size?lang=en")
    start = history_length(page)
    for _ in range(3):
        nudge(page, page.locator(MAIN_SLIDERS).first)
    assert history_length(page) == start, "moving controls replaces the entry"
    click_next(page, "convergence")
    nudge(page, page.locator(MAIN_SLIDERS).first)
    assert history_length(page) == start + 1
    page.locator("[data-testid='stSidebarNav'] a", has_text=catalogue("en", "cross_entropy")["title"]).click()
    page.wait_for_function("() => location.pathname.endsWith('/cross-entropy')")
    wait_rendered(page)
    assert history_length(page) == start + 2, "the sidebar adds one entry too"
    assert "lang=en" in address(page)
    go_back_to(page, "convergence")
    go_back_to(page, "batch-size")
    assert exceptions(page) == 0


def test_back_and_forward_keep_a_trained_run(server, page):
    open_url(page, f"{server}/playground?lang=en&n_samples=200&depth=1&width=8")
    page.get_by_role("button", name=re.compile(r"Step \+20")).click()
    progress = PLAYGROUND["live.progress"].format(epoch=20, epochs=200)
    page.get_by_text(progress).wait_for(timeout=60000)
    wait_rendered(page)
    trained = address(page)
    click_next(page, "train-vs-val")
    go_back_to(page, "playground")
    assert address(page) == trained
    assert page.get_by_text(progress).count() == 1, "Back keeps the run"
    page.go_forward()
    page.wait_for_function("() => location.pathname.endsWith('/train-vs-val')")
    wait_rendered(page)
    go_back_to(page, "playground")
    assert page.get_by_text(progress).count() == 1, "and so do Forward and Back again"
    switch_language(page, "中文")
    nudge(page, page.locator(".st-key-playground__speed input[type=range]"))
    zh_progress = catalogue("zh", "playground")["live.progress"].format(epoch=20, epochs=200)
    assert page.get_by_text(zh_progress).count() == 1, "a language switch and a move of the speed keep it too"


CURVES = "epoch,train_loss,val_loss\n" + "".join(f"{i},{1 / i:.5f},{1.2 / i + 0.01:.5f}\n" for i in range(1, 300))


def test_an_upload_survives_back_forward_and_a_language_switch(server, page):
    open_url(page, f"{server}/train-vs-val?lang=en&source=csv")
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(
        {"name": "mine.csv", "mimeType": "text/csv", "buffer": CURVES.encode()})
    read = catalogue("en", "train_vs_val")["own.read"].split("{")[0]
    page.get_by_text(re.compile(re.escape(read))).first.wait_for(timeout=30000)
    wait_rendered(page)
    click_next(page, "parameters-vs-hyperparameters")
    go_back_to(page, "train-vs-val")
    assert page.get_by_text(re.compile(re.escape(read))).count() >= 1, "Back keeps the upload"
    assert page.get_by_text(re.compile("mine")).count() >= 1
    switch_language(page, "中文")
    nudge(page, page.locator(MAIN_SLIDERS).first)
    zh_read = catalogue("zh", "train_vs_val")["own.read"].split("{")[0]
    assert page.get_by_text(re.compile(re.escape(zh_read))).count() >= 1, "and so does a language switch"
    wait_for_query(page, "q.get('source') === 'csv'")


def test_uploads_up_to_the_stated_limit_work_and_larger_ones_get_the_pages_message(server, page):
    open_url(page, f"{server}/train-vs-val?lang=zh&source=csv")
    uploader = page.locator("[data-testid='stFileUploader'] input[type=file]")
    rows = "epoch,train_loss,val_loss\n" + "".join(f"{i},{1 / i:.6f},{1.2 / i:.6f}\n" for i in range(1, 110000))
    assert 2 * 2**20 < len(rows) < 8 * 2**20, "between the old server limit (2 MB) and the page's (8 MB)"
    uploader.set_input_files({"name": "big.csv", "mimeType": "text/csv", "buffer": rows.encode()})
    page.get_by_text(re.compile(re.escape(catalogue("zh", "train_vs_val")["own.read"].split("{")[0]))).first.wait_for(
        timeout=60000)
    uploader.set_input_files({"name": "huge.csv", "mimeType": "text/csv", "buffer": b"1,2,3\n" * (9 * 2**20 // 6)})
    message = catalogue("zh", "common")["upload_too_big"].split("{limit}")[1][:12]
    page.get_by_text(re.compile(re.escape(message))).first.wait_for(timeout=60000)
    wait_rendered(page)
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "AxiosError" not in text and "413" not in text
    assert "big.csv" in text, "the page keeps using the file it had"


def plain(element) -> str:
    """The text as read (zero-width spaces, which keep bare addresses from becoming links, are invisible)."""
    return element.inner_text().replace("\u200b", "")


HOSTILE = ["x**2 + 3*y**2 +", "[a](http://e.com)", "<b>bold</b>", "$x^2$ :red[red]"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_from_a_student_or_a_link_is_shown_literally(server, page, text):
    """Typed into a text input, and carried by a link (a formula, a hide= name, an unknown parameter): the page
    shows it as typed, and never turns it into a link, bold type, HTML or math."""
    from urllib.parse import quote

    open_url(page, f"{server}/optimizers?lang=en&surface=custom&formula={quote(text)}&hide={quote(text)}")
    main = page.locator("[data-testid='stMain']")
    assert text in plain(main), "shown as typed: Markdown, HTML or math would have eaten its signs"
    assert main.locator("a[href*='e.com']").count() == 0
    open_url(page, f"{server}/cross-entropy?lang=en")
    box = page.get_by_role("textbox", name=catalogue("en", "cross_entropy")["widgets.p"])
    box.fill(text)
    box.press("Enter")
    wait_rendered(page)
    with pytest.raises(ValueError) as refused:
        parse_vector(text, 3, name="p")
    assert refused.value.params["entry"] in plain(main), "the page quotes the entry it cannot read, as typed"
    assert main.locator("a[href*='e.com']").count() == 0
