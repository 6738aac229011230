"""A sketch map of supply points drawn on the server as inline SVG: no online map service
(the county's network may not reach one, and residents' places are none of its business).

The points' own bounding box is scaled into the drawing, north up, with the same care as
``svg_charts``: a ``<title>`` and ``<desc>`` listing every point, presentation attributes
only (the console's CSP), a 340-unit ``viewBox`` that stays readable on a 360 px phone.
Each point is a numbered marker (the number of its row in the table beside the map) with
its name and state written next to it, so nothing depends on the colour; the legend repeats
the colours. Markers that would sit on each other are set apart, joined by a thin line to
their true place.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from wxapp.formats.svg_charts import MUTED, WIDTH, _num, _shape, _svg, _text, empty_chart

STATE_COLOURS = {"online": "#1d6b35", "low": "#8a5300", "out": "#b00020",
                 "offline": "#4a4a4a", "fault": "#6b2fa0"}
MARGIN = 28
RADIUS = 11
LABEL_SIZE = 15
LABEL_CHARS = 9
LEGEND_ROW = 22


@dataclass(frozen=True)
class MapPoint:
    number: int
    name: str
    state: str
    state_label: str
    latitude: float
    longitude: float


def _project(points: Sequence[MapPoint], height: float) -> list[tuple[float, float]]:
    """Longitude and latitude to drawing units, one scale for both axes (a kilometre east is
    as long as one north), the box centred."""
    middle = math.radians(sum(p.latitude for p in points) / len(points))
    xs = [p.longitude * math.cos(middle) for p in points]
    ys = [p.latitude for p in points]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    room_x, room_y = WIDTH - 2 * MARGIN, height - 2 * MARGIN
    scale = min(room_x / span_x if span_x else math.inf, room_y / span_y if span_y else math.inf)
    if scale == math.inf:
        scale = 0
    centre_x, centre_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return [(WIDTH / 2 + (x - centre_x) * scale, height / 2 - (y - centre_y) * scale)
            for x, y in zip(xs, ys, strict=True)]


def _set_apart(places: list[tuple[float, float]], height: float) -> list[tuple[float, float]]:
    """Where markers would overlap, the later one moves down (or up, near the bottom)."""
    placed: list[tuple[float, float]] = []
    for x, y in places:
        for _ in range(40):
            if all(math.hypot(x - px, y - py) >= 2 * RADIUS + 2 for px, py in placed):
                break
            y = y + 2 * RADIUS + 4 if y < height - 2 * RADIUS - 4 else y - 2 * RADIUS - 4
            if y < RADIUS:
                x += 2 * RADIUS + 4
                y = RADIUS + 2
        placed.append((x, y))
    return placed


def _km_across(points: Sequence[MapPoint]) -> float:
    middle = math.radians(sum(p.latitude for p in points) / len(points))
    east = (max(p.longitude for p in points) - min(p.longitude for p in points)) * math.cos(middle)
    north = max(p.latitude for p in points) - min(p.latitude for p in points)
    return max(east, north) * 111.2


def _label_width(label: str) -> float:
    """About how wide a label is drawn: CJK characters are square, the rest about half."""
    return sum(LABEL_SIZE if ord(c) > 0x2E80 else LABEL_SIZE * 0.6 for c in label)


def _label(point: MapPoint, room: float) -> str:
    """Name and state, the name cut short (…) to fit ``room`` where it can; the state is
    never cut."""
    chars = LABEL_CHARS
    while True:
        name = point.name if len(point.name) <= chars else point.name[:chars - 1] + "…"
        label = f"{name}·{point.state_label}"
        if _label_width(label) <= room or chars <= 3:
            return label
        chars -= 1


def point_map(chart_id: str, title: str, points: Sequence[MapPoint], *,
              states: Sequence[tuple[str, str]]) -> Markup:
    """``points`` with coordinates; ``states`` the legend's (state, label) pairs in order."""
    if not points:
        return empty_chart(chart_id, title, "发放点都还没有标注位置")
    height = 240.0
    true_places = _project(points, height)
    places = _set_apart(true_places, height)
    parts = [_shape("rect", x=0.5, y=0.5, width=WIDTH - 1, height=_num(height - 1), fill="#f7f9fb",
                    stroke=MUTED, stroke_width=1)]
    for (tx, ty), (x, y) in zip(true_places, places, strict=True):
        if (tx, ty) != (x, y):
            parts.append(_shape("line", x1=_num(tx), y1=_num(ty), x2=_num(x), y2=_num(y),
                                stroke=MUTED, stroke_width=1))
            parts.append(_shape("circle", cx=_num(tx), cy=_num(ty), r=2.5, fill=MUTED))
    for point, (x, y) in zip(points, places, strict=True):
        colour = STATE_COLOURS.get(point.state, MUTED)
        parts.append(_shape("circle", cx=_num(x), cy=_num(y), r=RADIUS, fill=colour,
                            stroke="#ffffff", stroke_width=2))
        parts.append(_text(x, y + 5, str(point.number), size=14, anchor="middle",
                           fill="#ffffff", weight="bold"))
        room_right = WIDTH - 2 - (x + RADIUS + 4)
        room_left = x - RADIUS - 4 - 2
        whole = _label(point, math.inf)
        if _label_width(whole) <= room_right or _label_width(whole) <= room_left:
            left = _label_width(whole) > room_right
        else:
            left = room_left > room_right
        label = _label(point, room_left if left else room_right)
        parts.append(_text(x - RADIUS - 4 if left else x + RADIUS + 4, y + 5, label,
                           size=LABEL_SIZE, anchor="end" if left else "start"))
    across = _km_across(points)
    parts.append(_text(1, height + 18, "上北下南" + (f"，图示范围约 {across:.1f} 公里"
                                                   if across > 0 else ""), size=13, fill=MUTED))
    legend_top = height + 36
    for n, (state, label) in enumerate(states):
        column, row = n % 3, n // 3
        x, y = 8 + column * 110, legend_top + row * LEGEND_ROW + 8
        parts.append(_shape("circle", cx=x + 7, cy=y, r=7,
                            fill=STATE_COLOURS.get(state, MUTED)))
        parts.append(_text(x + 20, y + 5, label, size=14))
    legend_rows = (len(states) + 2) // 3
    desc = "；".join(f"{p.number}号 {p.name}：{p.state_label}" for p in points)
    return _svg(chart_id, title, desc, int(legend_top + legend_rows * LEGEND_ROW + 4),
                "".join(parts))
