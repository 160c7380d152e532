"""Every chart on every page can be saved as SVG; lecture mode keeps the projector clean of save buttons."""
import math
import xml.etree.ElementTree as ElementTree

import pandas as pd
import pytest
import streamlit

from tests.pagekit import lesson_files, open_page
from ui.chart_export import EXPORT_WIDTH, standalone_spec, svg_bytes


@pytest.fixture
def svg_offers(monkeypatch):
    """The SVG download buttons a page run creates: (file name, the callable that makes the file on click)."""
    offers = []
    original = streamlit.download_button

    def recording(label, data, *args, **kwargs):
        if kwargs.get("mime") == "image/svg+xml":
            offers.append((kwargs["file_name"], data))
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    return offers


def charts_on(at) -> int:
    return len(at.get("vega_lite_chart")) + len(at.get("arrow_vega_lite_chart"))


@pytest.mark.parametrize("page_file", lesson_files())
def test_every_chart_saves_as_svg(page_file, svg_offers):
    at = open_page(page_file, {"lang": "en"})
    assert not at.exception
    assert len(svg_offers) == charts_on(at), "one SVG button per chart"
    names = [name for name, _ in svg_offers]
    assert len(set(names)) == len(names), f"file names repeat: {names}"
    for name, make in svg_offers:
        svg = make()
        root = ElementTree.fromstring(svg)
        assert root.tag.endswith("svg"), name
        assert float(root.get("width")) > 100 and float(root.get("height")) > 50, name


def test_chinese_labels_reach_the_svg(svg_offers):
    at = open_page("lessons/cross_entropy.py", {"lang": "zh"})
    assert not at.exception and svg_offers
    assert any("概率" in make().decode("utf-8") for _, make in svg_offers)


def test_lecture_mode_has_no_save_buttons(svg_offers):
    at = open_page("lessons/cross_entropy.py", {"lang": "en", "lecture": "1"})
    assert not at.exception and charts_on(at) > 0
    assert svg_offers == []


def test_standalone_spec_inlines_frames_and_drops_nan():
    spec = {"mark": "line", "encoding": {"x": {"field": "x"}}, "datasets": {"d": pd.DataFrame({"x": [1.0, math.nan]})}}
    out = standalone_spec(spec, data=pd.DataFrame({"x": [math.inf, 2.0]}))
    assert out["datasets"]["d"] == [{"x": 1.0}, {"x": None}]
    assert out["data"]["values"] == [{"x": None}, {"x": 2.0}]
    assert out["width"] == EXPORT_WIDTH and "datasets" in spec and "width" not in spec, "the original is untouched"
    assert "width" not in standalone_spec({"facet": {}, "spec": {}}), "small multiples keep their own size"


def test_svg_of_a_minimal_chart():
    svg = svg_bytes({"mark": "point", "encoding": {"x": {"field": "a", "type": "quantitative"}}},
                    pd.DataFrame({"a": [1, 2, 3]}))
    assert svg.startswith(b"<svg") and svg.count(b"<path") >= 1
