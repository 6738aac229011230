"""Tables for reporting upwards, as CSV that Excel opens correctly and as XLSX workbooks
whose summary sheets carry their own charts (an inspector opens the file, not our console)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from wxapp.china_time import CHINA
from wxapp.errors import ValidationFailed


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """A calendar month in China time, as the county counts it."""
    try:
        first = date.fromisoformat(month + "-01")
    except ValueError as exc:
        raise ValidationFailed("report.month", "月份格式应为 2026-11。") from exc
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return (datetime(first.year, first.month, 1, tzinfo=CHINA),
            datetime(following.year, following.month, 1, tzinfo=CHINA))


def as_csv(columns: list[str], rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    # Excel on Windows needs the BOM to read UTF-8 Chinese headers correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class Chart:
    title: str
    categories: str  # the column whose values label the x axis
    bars: tuple[str, ...]  # columns drawn as clustered bars
    lines: tuple[str, ...] = ()  # columns drawn as lines over the bars (running total, target)
    y_title: str = ""


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: list[str]
    rows: list[dict]
    chart: Chart | None = None


def as_xlsx(sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:31])  # Excel's limit on sheet names
        sheet.append(spec.columns)
        for row in spec.rows:
            sheet.append([row[c] for c in spec.columns])
        for number, column in enumerate(spec.columns, 1):
            widest = max([_display_width(column)] + [_display_width(row[column])
                                                     for row in spec.rows])
            sheet.column_dimensions[_column_letter(number)].width = min(widest + 2, 40)
        if spec.chart is not None and spec.rows:
            # Below the table, so that the sheet prints on portrait pages as one piece.
            sheet.add_chart(_chart(spec, sheet), f"A{len(spec.rows) + 3}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _display_width(value) -> int:
    # A Chinese character takes about two of Excel's width units.
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _column_letter(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(number)


def _chart(spec: Sheet, sheet):
    from openpyxl.chart import BarChart, LineChart, Reference

    chart = spec.chart
    last_row = len(spec.rows) + 1
    categories = Reference(sheet, min_col=spec.columns.index(chart.categories) + 1,
                           min_row=2, max_row=last_row)

    def series(kind, names):
        plot = kind()
        for name in names:
            column = spec.columns.index(name) + 1
            plot.add_data(Reference(sheet, min_col=column, min_row=1, max_row=last_row),
                          titles_from_data=True)
        plot.set_categories(categories)
        return plot

    bars = series(BarChart, chart.bars)
    bars.type = "col"
    bars.grouping = "clustered"
    bars.title = chart.title
    bars.y_axis.title = chart.y_title
    bars.width, bars.height = 15, 8  # centimetres: fits an A4 portrait page
    # Counts of families and pickups: no half steps on a small axis.
    drawn = [row[c] for row in spec.rows for c in (*chart.bars, *chart.lines)
             if isinstance(row[c], (int, float))]
    if drawn and max(drawn) <= 10:
        bars.y_axis.majorUnit = 1
    if chart.lines:
        lines = series(LineChart, chart.lines)
        for line in lines.series:
            line.smooth = False  # a running total rises in steps; a curve would invent values
        bars += lines
    return bars
