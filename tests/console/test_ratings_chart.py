"""The satisfaction chart (``svg_charts.share_bars``): well-formed and named like the other
charts, each bar as long as its share, small groups in counts only, and words for none."""
from __future__ import annotations

import pytest

from tests.console.test_dashboard_charts import SVG, _assert_accessible, _parse, _texts
from wxapp.formats import svg_charts


def _draw(rows):
    return svg_charts.share_bars("s", "各村满意情况", rows, part_word="满意",
                                 rest_word="不满意", unit="条", fewest_for_share=5)


def test_the_chart_is_well_formed_named_and_free_of_style_attributes():
    _assert_accessible(_parse(_draw([("东湖村", 8, 10), ("<南桥&社区>", 0, 0)])), "s",
                       "各村满意情况")


def test_each_bar_is_its_share_and_a_small_group_is_counts_only():
    root = _parse(_draw([("东湖村", 8, 10), ("西岭村", 1, 3), ("南桥社区", 0, 0)]))
    solid = [float(r.get("width")) for r in root.iter(f"{SVG}rect")
             if r.get("fill") == svg_charts.BAR]
    assert solid == [pytest.approx(338 * 0.8), pytest.approx(338 / 3, abs=0.05)]
    assert _texts(root) == ["东湖村", "满意 8/10条，80%", "西岭村", "满意 1/3条",
                            "南桥社区", "暂无", "实心：满意", "斜线：不满意"]
    assert root.find(f"{SVG}desc").text == ("东湖村 满意 8/10条，80%；西岭村 满意 1/3条；"
                                            "南桥社区 暂无")


def test_a_month_without_ratings_says_so():
    root = _parse(_draw([("东湖村", 0, 0)]))
    assert "暂无数据" in _texts(root)
