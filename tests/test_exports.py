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
