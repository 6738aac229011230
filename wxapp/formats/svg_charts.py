"""Charts drawn on the server as inline SVG: no script library, nothing for the browser to run.

What each chart keeps to, whoever reads it:
- a ``<title>`` and a ``<desc>`` that say what it shows and its main figures (``role="img"``,
  ``aria-labelledby``); the page puts the same numbers in a table beside it;
- every value written next to its bar, so no reading depends on colour; the one contrast
  that matters (this month is not over yet, the part of the target still to do) is drawn
  with a hatch pattern or an outline as well as a shade;
- presentation attributes only (``fill=``, ``font-size=``), never ``style=``: the console's
  Content-Security-Policy allows styles from its own files only;
- a ``viewBox`` narrow enough (340 units) that its text stays readable when the drawing is
  scaled to a 360 px phone; the page's stylesheet sets the width.
"""
from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 340
INK = "#1a202c"
BAR = "#2b6cb0"
MUTED = "#4a5568"
TRACK = "#ffffff"
LABEL_CHARS = 18


def _attrs(**values) -> str:
    return " ".join(f'{name.rstrip("_").replace("_", "-")}="{escape(value)}"'
                    for name, value in values.items() if value is not None)


def _shape(tag: str, **values) -> str:
    return f"<{tag} {_attrs(**values)}/>"


def _svg(chart_id: str, title: str, desc: str, height: int, body: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'class="chart-svg" focusable="false" id="{escape(chart_id)}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>{body}</svg>')


def _text(x: float, y: float, content: str, *, size: int = 18, anchor: str = "start",
          fill: str = INK, weight: str | None = None) -> str:
    attrs = _attrs(x=_num(x), y=_num(y), font_size=size, text_anchor=anchor, fill=fill,
                   font_weight=weight)
    return f"<text {attrs}>{escape(content)}</text>"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"


def _hatch(pattern_id: str) -> str:
    return (f'<defs><pattern id="{escape(pattern_id)}" width="6" height="6" '
            f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="{TRACK}"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{BAR}" stroke-width="3"/></pattern></defs>')


def empty_chart(chart_id: str, title: str, message: str = "暂无数据") -> Markup:
    """A chart with nothing to draw says so in words, at the chart's place."""
    body = (f'<rect x="1" y="1" width="{WIDTH - 2}" height="78" rx="6" fill="{TRACK}" '
            f'stroke="{MUTED}" stroke-dasharray="4 4"/>' + _text(WIDTH / 2, 45, message,
                                                                  size=18, anchor="middle",
                                                                  fill=MUTED))
    return _svg(chart_id, title, message, 80, body)


def bar_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int]], *,
              unit: str = "") -> Markup:
    """Horizontal bars, one per row: the label above its bar (long village and point names
    need the whole width on a phone), the value at the bar's end."""
    if not rows or not any(value for _, value in rows):
        return empty_chart(chart_id, title)
    top = max(value for _, value in rows)
    value_room = 78
    row_height = 56
    parts = []
    for n, (label, value) in enumerate(rows):
        y = 4 + n * row_height
        length = (WIDTH - 2 - value_room) * value / top
        parts.append(_text(1, y + 18, _short(label)))
        parts.append(_shape("rect", x=1, y=y + 26, width=_num(length), height=20, fill=BAR))
        # A zero still gets a visible mark, so "none" reads differently from "missing".
        parts.append(_shape("line", x1=1, y1=y + 24, x2=1, y2=y + 48, stroke=MUTED))
        parts.append(_text(length + 6, y + 42, f"{value}{unit}", weight="bold"))
    desc = "；".join(f"{label} {value}{unit}" for label, value in rows)
    return _svg(chart_id, title, desc, 8 + len(rows) * row_height, "".join(parts))


def month_columns(chart_id: str, title: str, rows: Sequence[tuple[str, int]], *,
                  unit: str = "", current: str | None = None) -> Markup:
    """One column per month (``YYYY-MM``, oldest first), its value above it; months are
    numbered, with the year written under each year's first month. ``current``, the month
    still under way, is hatched and said to be so."""
    if not rows or not any(value for _, value in rows):
        return empty_chart(chart_id, title)
    top = max(value for _, value in rows)
    slot = (WIDTH - 4) / len(rows)
    bar = min(20, slot - 6)
    base, plot = 150, 110
    parts = [_hatch(f"{chart_id}-hatch"),
             _shape("line", x1=1, y1=base, x2=WIDTH - 1, y2=base, stroke=MUTED)]
    for n, (month, value) in enumerate(rows):
        centre = 2 + slot * n + slot / 2
        height = plot * value / top
        hatched = month == current
        parts.append(_shape("rect", x=_num(centre - bar / 2), y=_num(base - height),
                            width=_num(bar), height=_num(height),
                            fill=f"url(#{chart_id}-hatch)" if hatched else BAR,
                            stroke=BAR if hatched else None))
        parts.append(_text(centre, base - height - 5, str(value), size=14, anchor="middle",
                           weight="bold"))
        parts.append(_text(centre, base + 18, str(int(month[5:])), size=14, anchor="middle"))
    parts.extend(_year_labels([month for month, _ in rows], slot, base + 38))
    if current:
        parts.append(_text(WIDTH - 1, 13, "斜线：本月至今", size=14, anchor="end", fill=MUTED))
    total = sum(value for _, value in rows)
    peak_month, peak = max(rows, key=lambda row: row[1])
    desc = (f"共 {total}{unit}；最多的是 {month_label(peak_month)}，{peak}{unit}。"
            + "；".join(f"{month_label(month)} {value}{unit}" for month, value in rows))
    return _svg(chart_id, title, desc, base + 46, "".join(parts))


def _year_labels(months: list[str], slot: float, y: float) -> list[str]:
    """Each year written under its first month. A year shown by one month only, before the
    next year begins, goes unlabelled: the label would run into the next one, and the month
    before "2026年" reads as 2025 anyway."""
    runs: list[tuple[str, int, int]] = []  # year, first column, columns
    for n, month in enumerate(months):
        if runs and runs[-1][0] == month[:4]:
            runs[-1] = (runs[-1][0], runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((month[:4], n, 1))
    labels = []
    for k, (year, first, count) in enumerate(runs):
        last = k == len(runs) - 1
        if count == 1 and not last:
            continue
        if last and count < 3 and len(runs) > 1:  # too little room left: end at the edge
            labels.append(_text(WIDTH - 1, y, f"{year}年", size=14, anchor="end", fill=MUTED))
        else:
            labels.append(_text(3 + slot * first, y, f"{year}年", size=14, fill=MUTED))
    return labels


def progress(chart_id: str, title: str, done: int, target: int | None, *,
             unit: str = "") -> Markup:
    """Done against a target: the done part solid, the part still to do outlined and
    hatched, the figures written above; without a target, says so."""
    if not target:
        return empty_chart(chart_id, title, "尚未设置年度目标")
    share = done / target
    filled = (WIDTH - 2) * min(share, 1)
    words = f"已完成 {done}{unit}，目标 {target}{unit}，{round(100 * share)}%"
    if done > target:
        words += "，已超过目标"
    parts = [_hatch(f"{chart_id}-hatch"), _text(1, 18, words, size=17, weight="bold"),
             _shape("rect", x=1, y=30, width=WIDTH - 2, height=26,
                    fill=f"url(#{chart_id}-hatch)", stroke=BAR),
             _shape("rect", x=1, y=30, width=_num(filled), height=26, fill=BAR),
             _text(1, 76, "实心：已完成", size=14, fill=MUTED)]
    if done < target:
        parts.append(_text(WIDTH - 1, 76, "斜线：尚待完成", size=14, anchor="end", fill=MUTED))
    return _svg(chart_id, title, words, 84, "".join(parts))


def month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{year}年{int(number)}月"



def share_bars(chart_id: str, title: str, rows: Sequence[tuple[str, int, int]], *,
               part_word: str, rest_word: str, unit: str = "", fewest_for_share: int = 1
               ) -> Markup:
    """One bar per row for ``part`` out of ``whole``: the part solid, the rest outlined and
    hatched, the label and the figures written above. A row with fewer than
    ``fewest_for_share`` in all gives its counts without a percentage (two out of three is
    not "67 %"); a row with none says so."""
    if not rows or not any(whole for _, _, whole in rows):
        return empty_chart(chart_id, title)
    row_height = 56
    parts = [_hatch(f"{chart_id}-hatch")]
    said = []
    for n, (label, part, whole) in enumerate(rows):
        y = 4 + n * row_height
        if whole:
            figure = f"{part_word} {part}/{whole}{unit}"
            if whole >= fewest_for_share:
                figure += f"，{round(100 * part / whole)}%"
        else:
            figure = "暂无"
        parts.append(_text(1, y + 18, label if len(label) <= 10 else label[:9] + "…"))
        parts.append(_text(WIDTH - 1, y + 18, figure, size=16, anchor="end", weight="bold"))
        if whole:
            parts.append(_shape("rect", x=1, y=y + 26, width=WIDTH - 2, height=20,
                                fill=f"url(#{chart_id}-hatch)", stroke=BAR))
            parts.append(_shape("rect", x=1, y=y + 26,
                                width=_num((WIDTH - 2) * part / whole), height=20, fill=BAR))
        else:
            parts.append(_shape("rect", x=1, y=y + 26, width=WIDTH - 2, height=20,
                                fill=TRACK, stroke=MUTED, stroke_dasharray="4 4"))
        said.append(f"{label} {figure}")
    legend_y = 8 + len(rows) * row_height + 10
    parts.append(_text(1, legend_y, f"实心：{part_word}", size=14, fill=MUTED))
    parts.append(_text(WIDTH - 1, legend_y, f"斜线：{rest_word}", size=14, anchor="end",
                       fill=MUTED))
    return _svg(chart_id, title, "；".join(said), legend_y + 8, "".join(parts))
