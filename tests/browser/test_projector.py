"""Lecture mode on a projector (1920 × 1080): each page's main experiment, its controls and the chart or table they
drive, is on the first screen without scrolling; chart text is at least 20 px; no chart text sticks out of its
chart. (Text is checked in the charts Streamlit draws as SVG; it draws charts with many points on a canvas.)"""
from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.kit import open_url
from ui.charts.base import PROJECTOR_TEXT
from ui.i18n import LANGUAGES
from ui.registry import LESSONS

SCREEN = {"width": 1920, "height": 1080}
CONTROLS = ", ".join(f"[data-testid='{kind}']" for kind in (
    "stSlider", "stRadio", "stSelectbox", "stCheckbox", "stTextInput", "stSelectSlider"))
OUTPUTS = "[data-testid='stVegaLiteChart'], [data-testid='stDataFrame'], [data-testid='stTable'], table"

DRAWN = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
    .every(chart => chart.querySelector('svg.marks, canvas.marks'))"""
MAIN_EXPERIMENT = f"""() => {{
  const box = document.querySelector('.st-key-nnx-main-experiment');
  if (!box) return null;
  const controls = [...box.querySelectorAll("{CONTROLS}")].filter(e => e.checkVisibility());
  const output = box.querySelector("{OUTPUTS}");
  const bottoms = [...controls, output].filter(Boolean).map(e => Math.round(e.getBoundingClientRect().bottom));
  return {{controls: controls.length, output: Boolean(output), bottom: Math.max(...bottoms)}};
}}"""

OVERHANG = 8  # px: a text's box (not its ink) may stick out: Vega sets titles and axis titles at the edge
CHART_TEXT = """overhang => {
  const found = {smallest: Infinity, sticking_out: []};
  for (const svg of document.querySelectorAll("[data-testid='stVegaLiteChart'] svg.marks")) {
    const box = svg.getBoundingClientRect();  // an SVG clips what lies outside it
    for (const text of svg.querySelectorAll('text')) {
      if (!text.textContent.trim()) continue;
      found.smallest = Math.min(found.smallest, parseFloat(getComputedStyle(text).fontSize));
      const r = text.getBoundingClientRect();
      const beyond = Math.max(box.left - r.left, r.right - box.right, box.top - r.top, r.bottom - box.bottom,
                              r.right - window.innerWidth);
      if (r.width && beyond > overhang) found.sticking_out.push(`${text.textContent} (${Math.round(beyond)} px)`);
    }
  }
  return found;
}"""


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport=SCREEN, locale="en-US")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("path", [lesson.url_path for lesson in LESSONS])
def test_the_main_experiment_fits_a_projectors_first_screen(server, projector, path, lang):
    open_url(projector, f"{server}/{path}?lang={lang}&lecture=1")
    # On a loaded machine the first paint can precede the page's elements: wait until the experiment is there.
    with contextlib.suppress(PlaywrightTimeout):  # the assertions below say what is missing
        projector.wait_for_function(f"() => {{ const found = ({MAIN_EXPERIMENT})(); "
                                    "return found && found.controls >= 1 && found.output; }", timeout=30000)
    projector.wait_for_function(DRAWN, timeout=30000)
    experiment = projector.evaluate(MAIN_EXPERIMENT)
    assert experiment is not None, "the page marks its main experiment"
    assert experiment["controls"] >= 1 and experiment["output"], experiment
    assert experiment["bottom"] <= SCREEN["height"], f"{path}: the main experiment ends at {experiment['bottom']} px"
    projector.set_viewport_size({"width": SCREEN["width"], "height": 8000})  # every chart drawn, none scrolled
    projector.wait_for_function(DRAWN, timeout=30000)
    text = projector.evaluate(CHART_TEXT, OVERHANG)
    assert text["smallest"] >= PROJECTOR_TEXT, f"{path}: chart text of {text['smallest']} px"
    assert not text["sticking_out"], f"{path}: cut chart text {text['sticking_out'][:5]}"
