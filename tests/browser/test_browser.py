"""Every page in a real browser: rendered, charts drawn, no error; deep links, Previous/Next, language, lecture."""
import re

import pytest

from tests.browser.conftest import wait_rendered
from ui.i18n import LANGUAGES, catalogue
from ui.registry import LESSONS

ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"


def open_url(page, url):
    page.goto(url)
    wait_rendered(page)


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("path", [""] + [lesson.url_path for lesson in LESSONS])
def test_page_renders_with_charts_and_no_error(server, page, path, lang):
    open_url(page, f"{server}/{path}?lang={lang}")
    assert page.locator("[data-testid='stException']").count() == 0
    heading = page.locator("h1").first.inner_text()
    expected = catalogue(lang, "common")["home_title"] if not path else catalogue(lang, path.replace("-", "_"))["title"]
    assert expected in heading
    if path:
        charts = page.locator("[data-testid='stVegaLiteChart']")
        charts.first.wait_for(timeout=30000)  # charts can attach a moment after the script reports it has finished
        assert charts.count() >= 1
        charts.first.scroll_into_view_if_needed()
        page.wait_for_function(
            "() => [...document.querySelectorAll(\"[data-testid='stVegaLiteChart']\")]"
            ".every(c => c.querySelector('canvas, svg'))", timeout=30000)


def slider_value(page, label):
    slider = page.get_by_role("slider", name=re.compile(re.escape(label)))
    return float(slider.first.input_value())


def test_deep_link_sets_a_widget(server, page):
    open_url(page, f"{server}/softmax-sigmoid?lang=en&temperature=2.5&classes=4")
    assert slider_value(page, "Temperature") == 2.5
    assert page.get_by_role("slider", name=re.compile("Logit z₄")).count() == 1


def test_hostile_link_gives_defaults_and_a_notice(server, page):
    open_url(page, f"{server}/softmax-sigmoid?lang=en&temperature=1e308&classes=%3Cscript%3E")
    assert page.locator("[data-testid='stException']").count() == 0
    assert slider_value(page, "Temperature") == 1.0
    assert page.get_by_text("were replaced by their defaults").count() >= 1


def test_previous_and_next_walk_the_whole_order(server, page):
    first = LESSONS[0]
    open_url(page, f"{server}/{first.url_path}?lang=en")
    visited = [first.url_path]
    for lesson in LESSONS[1:]:
        page.get_by_role("link", name=re.compile(re.escape(catalogue("en", lesson.page_id)["title"]) + " →")).click()
        page.wait_for_url(re.compile(f"/{lesson.url_path}"))
        wait_rendered(page)
        visited.append(lesson.url_path)
        assert f"{len(visited)} / {len(LESSONS)}" in page.content()
    assert visited == [lesson.url_path for lesson in LESSONS]
    for lesson in reversed(LESSONS[:-1]):
        page.get_by_role("link", name=re.compile("← " + re.escape(catalogue("en", lesson.page_id)["title"]))).click()
        page.wait_for_url(re.compile(f"/{lesson.url_path}"))
        wait_rendered(page)
    assert page.url.split("?")[0].endswith(first.url_path)
    assert "lang=en" in page.url


def test_language_switch(server, page):
    lesson = LESSONS[0]
    open_url(page, f"{server}/{lesson.url_path}")
    assert catalogue("en", lesson.page_id)["title"] in page.locator("h1").first.inner_text()
    page.get_by_text("中文").first.click()
    page.wait_for_function(
        f"() => document.querySelector('h1') && document.querySelector('h1').innerText.includes("
        f"{catalogue('zh', lesson.page_id)['title']!r})", timeout=30000)
    wait_rendered(page)
    assert "lang=zh" in page.url


def test_lecture_mode_collapses_the_sidebar_and_keeps_itself_in_links(server, page):
    lesson = LESSONS[0]
    open_url(page, f"{server}/{lesson.url_path}?lang=en&lecture=1")
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_attribute("data-collapsed") == "true"
    next_link = page.get_by_role("link", name=re.compile(" →$"))
    assert "lecture=1" in next_link.first.get_attribute("href")


def test_a_chart_saves_as_png_and_svg_and_shows_its_data(server, browser):
    """PNG and the data table come from Streamlit's chart toolbar, SVG from the button under the chart."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    try:
        open_url(page, f"{server}/optimizers?lang=en")
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.scroll_into_view_if_needed()
        chart.hover()
        # the toolbar sits just above the chart, where the page's sticky header can cover it: click it from script
        with page.expect_download() as png:
            page.get_by_role("button", name="Download as PNG").first.dispatch_event("click")
        assert open(png.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
        with page.expect_download() as svg:
            page.locator("[data-testid='stDownloadButton'] button").first.click()
        assert svg.value.suggested_filename == "optimizers-1.svg"
        assert open(svg.value.path(), "rb").read(4) == b"<svg"
        chart.hover()
        page.get_by_role("button", name="Show data").first.dispatch_event("click")
        page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=30000)
    finally:
        context.close()
