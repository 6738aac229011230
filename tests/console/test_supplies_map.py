"""The points' sketch map: scaled to the points' own box, every label inside the drawing,
markers that would cover each other set apart, states in words as well as colours."""
from __future__ import annotations

import re

from wxapp.formats.svg_point_map import MapPoint, _label_width, point_map

STATES = [("online", "正常"), ("low", "库存偏低"), ("out", "缺货"), ("offline", "离线"),
          ("fault", "故障")]


def _points():
    return [MapPoint(1, "示范镇药具库房", "online", "正常", 31.950, 118.800),
            MapPoint(2, "东湖村卫生室自助发放机", "out", "缺货", 31.962, 118.812),
            MapPoint(3, "西岭工业园自助发放机", "fault", "故障", 31.941, 118.779),
            MapPoint(4, "示范镇卫生院药具发放窗口", "low", "库存偏低", 31.9502, 118.8003)]


def _markers(svg: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in
            re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="11"', svg)]


def test_every_point_is_drawn_inside_the_frame_and_named_with_its_state():
    svg = str(point_map("m", "示意图", _points(), states=STATES))
    markers = _markers(svg)
    assert len(markers) == 4
    assert all(0 < x < 340 and 0 < y < 240 for x, y in markers)
    assert "东湖村卫生室自助…·缺货" in svg and "西岭工业园自助发…·故障" in svg
    assert "2号 东湖村卫生室自助发放机：缺货" in svg  # <desc>, for screen readers
    assert "style=" not in svg and "<script" not in svg
    # North up, east right: 东湖村 (north-east) above and right of 西岭 (south-west).
    assert markers[1][0] > markers[2][0] and markers[1][1] < markers[2][1]


def test_markers_that_would_overlap_are_set_apart_and_joined_to_their_place():
    svg = str(point_map("m", "示意图", _points(), states=STATES))
    store, counter = _markers(svg)[0], _markers(svg)[3]
    assert abs(store[0] - counter[0]) + abs(store[1] - counter[1]) >= 22
    assert "<line " in svg


def test_labels_are_written_on_the_side_where_they_fit():
    svg = str(point_map("m", "示意图", _points(), states=STATES))
    labels = re.findall(r'<text x="([\d.]+)" y="[\d.]+" font-size="15" '
                        r'text-anchor="(start|end)" fill="[^"]+">([^<]+)<', svg)
    assert len(labels) == 4
    for x, anchor, label in labels:
        width = _label_width(label)
        left, right = (float(x) - width, float(x)) if anchor == "end" else \
            (float(x), float(x) + width)
        assert left >= 0 and right <= 340, label


def test_one_point_sits_in_the_middle_and_none_says_so():
    one = str(point_map("m", "示意图", _points()[:1], states=STATES))
    assert _markers(one) == [(170.0, 120.0)]
    none = str(point_map("m", "示意图", [], states=STATES))
    assert "发放点都还没有标注位置" in none


def test_the_legend_names_every_state():
    svg = str(point_map("m", "示意图", _points(), states=STATES))
    for _, label in STATES:
        assert f">{label}</text>" in svg
