"""XLSX reports read well when opened or printed: readable columns, honest lines, whole
steps on small counts."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from wxapp.formats.spreadsheets import Chart, Sheet, as_xlsx

COLUMNS = ["月份", "当月完成(对)", "累计完成(对)"]
ROWS = [{"月份": "2026-01", "当月完成(对)": 1, "累计完成(对)": 1},
        {"月份": "2026-02", "当月完成(对)": 2, "累计完成(对)": 3},
        {"月份": "2026-03", "当月完成(对)": None, "累计完成(对)": None}]


def _sheet(rows=ROWS):
    data = as_xlsx([Sheet("进度", COLUMNS, rows, Chart("进度", "月份", bars=("当月完成(对)",),
                                                      lines=("累计完成(对)",)))])
    return load_workbook(io.BytesIO(data))["进度"]


def test_columns_are_wide_enough_for_their_chinese_headers():
    sheet = _sheet()
    assert sheet.column_dimensions["B"].width >= 2 * len("当月完成") + len("(对)")


def test_running_totals_are_drawn_straight_and_small_counts_in_whole_steps():
    chart = _sheet()._charts[0]
    line = chart._charts[1]
    assert [s.smooth for s in line.series] == [False]
    assert chart.y_axis.majorUnit == 1
    big = [{**r, "当月完成(对)": 40, "累计完成(对)": 80} for r in ROWS]
    assert _sheet(big)._charts[0].y_axis.majorUnit is None


def test_a_sheet_without_rows_has_its_header_and_no_chart():
    sheet = _sheet([])
    assert [c.value for c in sheet[1]] == COLUMNS and sheet._charts == []


def test_a_sheet_handed_in_has_its_title_block_totals_and_a_chart_of_the_rows_only():
    from datetime import date

    from tests.helpers import chart_series
    from wxapp.formats.spreadsheets import TitleBlock, totals_row

    heading = TitleBlock("示范镇", "孕前检查月报表", "2026年10月", "示范镇卫生健康办公室",
                         date(2026, 11, 1))
    rows = ROWS[:2]
    data = as_xlsx([Sheet("进度", COLUMNS, rows, Chart("进度", "月份", bars=("当月完成(对)",)),
                          heading=heading,
                          totals=[totals_row(rows, COLUMNS, ("当月完成(对)",))])])
    sheet = load_workbook(io.BytesIO(data))["进度"]
    assert [sheet.cell(n, 1).value for n in (1, 2, 3)] == [
        "示范镇孕前检查月报表", "统计期间：2026年10月",
        "制表单位：示范镇卫生健康办公室    制表日期：2026年11月1日"]
    assert "A1:C1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[5]] == COLUMNS
    assert [c.value for c in sheet[8]] == ["合计", 3, None]
    assert sheet["A8"].font.b
    # The chart draws the villages' rows, not their total.
    assert chart_series(sheet) == [("BarChart", "B5", "$B$6:$B$7")]
    assert (sheet.freeze_panes, sheet.print_title_rows) == ("A6", "$5:$5")


def test_a_plain_sheet_prints_on_a4_with_its_header_frozen():
    sheet = _sheet()
    assert sheet.freeze_panes == "A2" and int(sheet.page_setup.paperSize) == 9
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.page_setup.orientation == "portrait"


def test_a_chinese_file_name_has_an_ascii_fallback(app_ctx):
    from wxapp.web.files import download

    answer = download(b"x", "text/plain", "示范镇报表.xlsx", "report.xlsx")
    assert answer.headers["Content-Disposition"] == (
        "attachment; filename=\"report.xlsx\"; "
        "filename*=UTF-8''%E7%A4%BA%E8%8C%83%E9%95%87%E6%8A%A5%E8%A1%A8.xlsx")
    plain = download(b"x", "text/plain", "report.csv")
    assert plain.headers["Content-Disposition"] == 'attachment; filename="report.csv"'


def test_a_narrow_table_is_widened_until_its_title_block_fits_above_it():
    # Merged title cells do not spill: a two-column table printed 制表日期 cut off.
    from datetime import date

    from wxapp.formats.spreadsheets import TitleBlock, _display_width

    heading = TitleBlock("示范镇", "孕前优生健康检查月报表", "2026年1月至10月",
                         "示范镇卫生健康办公室", date(2026, 11, 30))
    rows = [{"指标": "目标人群覆盖率(%)", "数值": 12.5}, {"指标": "早孕随访率(%)", "数值": "—"}]
    data = as_xlsx([Sheet("指标", ["指标", "数值"], rows, heading=heading)])
    sheet = load_workbook(io.BytesIO(data))["指标"]
    width = sheet.column_dimensions["A"].width + sheet.column_dimensions["B"].width
    assert width >= max(_display_width(line) for line in heading.lines()[1:])
    assert width >= 1.5 * _display_width(heading.lines()[0])
    assert sheet["B7"].value == "—" and sheet["B7"].alignment.horizontal == "right"
