"""Monthly registration figures for the county, as JSON, CSV and XLSX."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.helpers import chart_series
from wxapp.china_time import china_today

STAFF = "/api/v1/staff/registrations"


def test_monthly_report_counts_by_village_order_and_status(client, resident, form, staff):
    me = resident()
    first = client.post("/api/v1/me/registrations", headers=me, json=form()).get_json()
    client.post(f"{STAFF}/{first['id']}/approve", headers=staff())
    # The report's month is China's: from 16:00 UTC on a month's last day it is the next.
    month = china_today().strftime("%Y-%m")
    rows = client.get(f"{STAFF}/report?month={month}", headers=staff()).get_json()
    assert rows == [{"村/社区": "东湖村", "申请数": 1, "一孩": 0, "二孩": 1, "三孩及以上": 0,
                     "待审核": 0, "已退回": 0, "已登记": 1, "未通过": 0, "已撤回": 0,
                     "平均审核用时(小时)": 0.0, "超期未审": 0}]
    csv = client.get(f"{STAFF}/report?month={month}&format=csv", headers=staff())
    assert csv.data.startswith("\ufeff村/社区".encode()) and "东湖村" in csv.get_data(as_text=True)
    xlsx = client.get(f"{STAFF}/report?month={month}&format=xlsx", headers=staff())
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A2"].value == "东湖村" and sheet["B2"].value == 1
    # The chart counts each village's applications by child order.
    assert chart_series(sheet) == [("BarChart", "C1", "$C$2"),
                                   ("BarChart", "D1", "$D$2"),
                                   ("BarChart", "E1", "$E$2")]
    assert "王芳" not in xlsx.get_data(as_text=False).decode("latin-1")


def test_report_rejects_a_bad_month_and_village_workers(client, staff, villages):
    assert client.get(f"{STAFF}/report?month=2026-13", headers=staff()).status_code == 422
    assert client.get(f"{STAFF}/report?month=11-2026", headers=staff()).status_code == 422
    assert client.get(f"{STAFF}/report?month=2026-11",
                      headers=staff("demo-village")).status_code == 403
