"""Tables for reporting upwards, as CSV that Excel opens correctly and as XLSX workbooks
whose summary sheets carry their own charts (an inspector opens the file, not our console).

Every sheet prints on A4, as wide as the page allows and as many pages long as it takes,
with its header row frozen and repeated on each printed page. A sheet handed in to the
county also carries a title block (whose figures, for when, made by whom and on which day)
above its header, and its totals ("合计") below the rows."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
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
class TitleBlock:
    """What a county office asks to see above every table it is handed."""
    township: str  # the township, and the village when the figures are one village's
    report: str  # 生育登记情况月报表
    period: str  # 2026年10月
    made_by: str  # 制表单位
    made_on: date  # 制表日期

    def lines(self) -> list[str]:
        return [f"{self.township}{self.report}",
                f"统计期间：{self.period}",
                f"制表单位：{self.made_by}    制表日期：{self.made_on.year}年"
                f"{self.made_on.month}月{self.made_on.day}日"]


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: list[str]
    rows: list[dict]
    chart: Chart | None = None
    heading: TitleBlock | None = None
    totals: list[dict] = field(default_factory=list)  # "合计" rows, printed bold below
    notes: tuple[str, ...] = ()  # printed below the table: what a reader must know

    @property
    def header_row(self) -> int:
        # The title block's lines, then an empty row before the header.
        return len(self.heading.lines()) + 2 if self.heading else 1


def totals_row(rows: list[dict], columns: list[str], summed: tuple[str, ...],
               label: str = "合计") -> dict:
    """One "合计" row: ``label`` in the first column, the sums of ``summed`` (empty cells
    count as nothing), and the rest left empty."""
    total = dict.fromkeys(columns)
    total[columns[0]] = label
    for column in summed:
        total[column] = sum(row[column] or 0 for row in rows)
    return total


# Excel's width units that fit across an A4 portrait page at 100% with its default margins;
# a wider table is printed landscape (and scaled down only if it is wider still).
A4_PORTRAIT_WIDTH = 90


def as_xlsx(sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    workbook = Workbook()
    workbook.remove(workbook.active)
    thin = Side(style="thin")
    boxed = Border(left=thin, right=thin, top=thin, bottom=thin)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:31])  # Excel's limit on sheet names
        header = spec.header_row
        last_column = _column_letter(len(spec.columns))
        if spec.heading:
            for number, line in enumerate(spec.heading.lines(), 1):
                sheet.cell(number, 1, line)
                sheet.merge_cells(f"A{number}:{last_column}{number}")
            sheet["A1"].font = Font(bold=True, size=16)
            sheet["A1"].alignment = Alignment(horizontal="center")
            sheet.row_dimensions[1].height = 26
        for number, column in enumerate(spec.columns, 1):
            cell = sheet.cell(header, number, column)
            if spec.heading:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center",
                                           wrap_text=True)
        for row in [*spec.rows, *spec.totals]:
            sheet.append([row[c] for c in spec.columns])
        last_row = header + len(spec.rows) + len(spec.totals)
        for number in range(header + len(spec.rows) + 1, last_row + 1):
            for cell in sheet[number]:
                cell.font = Font(bold=True)
        if spec.heading:
            for line in sheet.iter_rows(min_row=header, max_row=last_row):
                for cell in line:
                    cell.border = boxed
        for offset, note in enumerate(spec.notes, 2):
            sheet.cell(last_row + offset, 1, note)
        widths = []
        for column in spec.columns:
            widest = max([_display_width(column)] + [_display_width(row[column])
                                                     for row in [*spec.rows, *spec.totals]])
            widths.append(min(widest + 2, 40))
        widths = _wide_enough_for(spec.heading, widths)
        for number, width in enumerate(widths, 1):
            sheet.column_dimensions[_column_letter(number)].width = width
        for line in sheet.iter_rows(min_row=header + 1, max_row=last_row):
            for cell in line:
                if cell.value == "—":  # "nothing to count" sits where the figure would
                    cell.alignment = Alignment(horizontal="right")
        _print_setup(sheet, header, sum(widths))
        if spec.chart is not None and spec.rows:
            # Below the table, so that the sheet prints on portrait pages as one piece.
            sheet.add_chart(_chart(spec, sheet),
                            f"A{last_row + len(spec.notes) + (3 if spec.notes else 2)}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# The title's font is 16 points against the body's 11.
TITLE_SCALE = 1.5


def _wide_enough_for(heading: TitleBlock | None, widths: list[int]) -> list[int]:
    """Columns widened evenly until the title block fits above them: its lines are merged
    across the table, and a merged cell does not spill, so a narrow table (the indicators:
    two columns) would print 制表日期 cut off."""
    if heading is None:
        return widths
    title, *others = heading.lines()
    needed = max([round(_display_width(title) * TITLE_SCALE)]
                 + [_display_width(line) for line in others]) + 2
    short = needed - sum(widths)
    if short <= 0:
        return widths
    extra, remainder = divmod(short, len(widths))
    return [width + extra + (1 if number < remainder else 0)
            for number, width in enumerate(widths)]


def _print_setup(sheet, header_row: int, width: int) -> None:
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait" if width <= A4_PORTRAIT_WIDTH else "landscape"
    # One page wide, as many pages long as the rows need.
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_options.horizontalCentered = True


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
    header = spec.header_row
    last_row = header + len(spec.rows)  # the totals are not drawn
    categories = Reference(sheet, min_col=spec.columns.index(chart.categories) + 1,
                           min_row=header + 1, max_row=last_row)

    def series(kind, names):
        plot = kind()
        for name in names:
            column = spec.columns.index(name) + 1
            plot.add_data(Reference(sheet, min_col=column, min_row=header, max_row=last_row),
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
