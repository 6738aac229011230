"""Reading a handed-in XLSX back as a county clerk would: the title block, the header, the
rows, the totals ("合计"/"小计") and the notes of each sheet."""
from __future__ import annotations

import io
from dataclasses import dataclass

from openpyxl import load_workbook

TOTAL_LABELS = ("合计", "小计")


@dataclass
class ReadSheet:
    title_block: list[str]
    header: list[str]
    rows: list[dict]
    totals: list[dict]
    notes: list[str]
    sheet: object


def read_workbook(data: bytes) -> dict[str, ReadSheet]:
    workbook = load_workbook(io.BytesIO(data))
    return {name: read_sheet(workbook[name]) for name in workbook.sheetnames}


def read_sheet(sheet) -> ReadSheet:
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    title_block = [row[0] for row in values[:3]]
    header_index = 4  # three lines of title block, then an empty row
    header = values[header_index]
    rows, totals, notes = [], [], []
    index = header_index + 1
    while index < len(values) and any(v is not None for v in values[index]):
        row = dict(zip(header, values[index], strict=True))
        (totals if row[header[0]] in TOTAL_LABELS else rows).append(row)
        index += 1
    notes = [row[0] for row in values[index:] if row[0] is not None]
    return ReadSheet(title_block, header, rows, totals, notes, sheet)


def summed(rows: list[dict], column: str) -> int:
    return sum(row[column] or 0 for row in rows)
