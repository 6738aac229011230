"""Tables for reporting upwards, as CSV that Excel opens correctly and as XLSX."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

from wxapp.errors import ValidationFailed

CHINA = timezone(timedelta(hours=8))


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


def as_xlsx(columns: list[str], rows: list[dict], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]  # Excel's limit on sheet names
    sheet.append(columns)
    for row in rows:
        sheet.append([row[c] for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
