"""The first visitor of a freshly started server, arriving by a deep link, gets the whole app: the frame (language
switch), the requested page in the requested language, and no "Page not found" dialog."""
import pytest

from tests.browser.conftest import serve_app, wait_rendered
from ui.i18n import catalogue
from ui.registry import lesson_by_id


@pytest.fixture
def fresh_server():
    """A server of its own: the shared one has already served other pages."""
    yield from serve_app()


# One address that equals its file's name and one that does not: Streamlit's legacy pages/-folder mode used to
# run the first kind without the app around it and to answer the second with "Page not found".
@pytest.mark.parametrize("lesson", [lesson_by_id("optimizers"), lesson_by_id("cross_entropy")],
                         ids=lambda lesson: lesson.url_path)
def test_first_visit_by_deep_link(fresh_server, page, lesson):
    page.goto(f"{fresh_server}/{lesson.url_path}?lang=zh")
    wait_rendered(page)
    assert catalogue("zh", lesson.page_id)["title"] in page.locator("h1").first.inner_text()
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("中文").count() >= 1  # the frame's language switch is there
