"""The server-drawn charts: well-formed SVG, named for screen readers, readable without
colour, nothing the console's CSP would block, and a clear word when there is nothing."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from wxapp.formats import svg_charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def _texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def _assert_accessible(root: ET.Element, chart_id: str, title: str) -> None:
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.find(f"{SVG}title").get("id") == f"{chart_id}-title"
    assert root.find(f"{SVG}title").text == title
    assert root.find(f"{SVG}desc").get("id") == f"{chart_id}-desc"
    assert root.get("viewBox").startswith("0 0 340 ")
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert not any(name.startswith("on") for name in element.attrib), element.tag


CHARTS = {
    "bars": lambda: svg_charts.bar_chart("c", "各村登记", [("东湖村", 3), ("西岭村", 0),
                                                      ("<南桥&社区>", 12)], unit="件"),
    "months": lambda: svg_charts.month_columns("c", "每月登记", [
        ("2025-12", 2), ("2026-01", 0), ("2026-02", 5)], unit="件", current="2026-02"),
    "progress": lambda: svg_charts.progress("c", "孕检进度", 12, 40, unit="对"),
    "empty": lambda: svg_charts.bar_chart("c", "空", []),
    "no target": lambda: svg_charts.progress("c", "孕检进度", 3, None),
}


@pytest.mark.parametrize("draw", CHARTS.values(), ids=CHARTS.keys())
def test_every_chart_is_well_formed_named_and_free_of_style_attributes(draw):
    root = _parse(draw())
    _assert_accessible(root, "c", root.find(f"{SVG}title").text)


def test_bars_are_as_long_as_their_values_and_carry_them_in_words():
    root = _parse(svg_charts.bar_chart("v", "各村登记", [("东湖村", 3), ("西岭村", 0),
                                                      ("<南桥&社区>", 12)], unit="件"))
    bars = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert bars[1] == 0 and bars[2] == pytest.approx(4 * bars[0])
    assert _texts(root) == ["东湖村", "3件", "西岭村", "0件", "<南桥&社区>", "12件"]
    assert root.find(f"{SVG}desc").text == "东湖村 3件；西岭村 0件；<南桥&社区> 12件"


def test_a_long_name_is_shortened_on_the_chart_only():
    name = "示范镇东湖村第三村民小组文化活动中心旁卫生室自助发放机"
    root = _parse(svg_charts.bar_chart("v", "发放", [(name, 1)]))
    assert _texts(root)[0].endswith("…") and len(_texts(root)[0]) == 18
    assert name in root.find(f"{SVG}desc").text


def test_month_columns_number_the_months_and_mark_the_one_under_way():
    root = _parse(svg_charts.month_columns("m", "每月", [
        ("2025-12", 2), ("2026-01", 0), ("2026-02", 5), ("2026-03", 4)], current="2026-03"))
    texts = _texts(root)
    assert texts[:8] == ["2", "12", "0", "1", "5", "2", "4", "3"]  # value, month number
    assert "2026年" in texts and "斜线：本月至今" in texts
    # December alone before the new year is not labelled: "2025年" would run into "2026年".
    assert "2025年" not in texts
    columns = list(root.iter(f"{SVG}rect"))[1:]  # the first is the hatch pattern's
    assert [c.get("fill") for c in columns] == ["#2b6cb0"] * 3 + ["url(#m-hatch)"]
    assert float(columns[2].get("height")) == pytest.approx(110)  # the tallest fills it
    assert "共 11" in root.find(f"{SVG}desc").text


def test_twelve_months_ending_in_january_keep_the_year_labels_inside_the_drawing():
    months = [f"2026-{m:02d}" for m in range(2, 13)] + ["2027-01"]
    root = _parse(svg_charts.month_columns("m", "每月", [(m, 1) for m in months]))
    labels = {t.text: t for t in root.iter(f"{SVG}text") if t.text.endswith("年")}
    assert set(labels) == {"2026年", "2027年"}
    assert labels["2027年"].get("text-anchor") == "end"
    assert float(labels["2027年"].get("x")) <= 340


def test_progress_says_how_far_and_caps_the_bar_past_the_target():
    root = _parse(svg_charts.progress("p", "进度", 12, 40, unit="对"))
    assert _texts(root)[0] == "已完成 12对，目标 40对，30%"
    track, done = list(root.iter(f"{SVG}rect"))[1:]
    assert float(done.get("width")) == pytest.approx(0.3 * float(track.get("width")))
    over = _parse(svg_charts.progress("p", "进度", 50, 40, unit="对"))
    assert _texts(over)[0] == "已完成 50对，目标 40对，125%，已超过目标"
    track, done = list(over.iter(f"{SVG}rect"))[1:]
    assert done.get("width") == track.get("width")
    assert "斜线：尚待完成" not in _texts(over)


@pytest.mark.parametrize("rows", [[], [("东湖村", 0), ("西岭村", 0)]], ids=["none", "zeros"])
def test_nothing_to_draw_says_so(rows):
    for chart in (svg_charts.bar_chart("e", "空", rows),
                  svg_charts.month_columns("e", "空", rows and [("2026-01", 0)])):
        root = _parse(chart)
        assert _texts(root) == ["暂无数据"]
        _assert_accessible(root, "e", "空")
