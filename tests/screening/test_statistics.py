"""The programme's figures for a year: checks against the target by village and month, the
indicators, and exports — aggregates only, within the staff member's scope."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select, update

from tests.helpers import chart_series
from wxapp.extensions import db
from wxapp.models import ScreeningBooking, ScreeningFollowUp, ScreeningResult
from wxapp.services.screening.stats import CHINA
from wxapp.transactions import commit

API = "/api/v1/staff/screening"
GENERAL = {"risk_category": "general", "risk_factors": [],
           "advice": "可以计划怀孕，孕前三个月补充叶酸。"}
HIGH = {"risk_category": "high_risk", "risk_factors": ["chronic_disease"],
        "advice": "先控制血压，再计划怀孕。"}


def _book(client, headers, slot):
    return client.post("/api/v1/me/bookings", headers=headers, json={"slot_id": slot}).get_json()


def test_year_figures_and_exports(client, couple_for, make_slot, staff_headers, home_village):
    staff = staff_headers(township_of_village=home_village)
    year = datetime.now(CHINA).year
    assert client.put(f"{API}/targets/{year}", headers=staff,
                      json={"target": 4}).get_json() == {"year": year, "target": 4}
    ids = []
    for n, results in enumerate((GENERAL, HIGH, None)):
        booking = _book(client, couple_for(f"couple-{n}"), make_slot())
        ids.append(booking["id"])
        db.session.execute(update(ScreeningBooking).filter_by(id=booking["id"]).values(
            status="checked_in" if results else "missed"))
        commit()
        if results:
            client.post(f"{API}/bookings/{booking['id']}/results", headers=staff, json=results)
    # One early-pregnancy follow-up is due and done; the other is not due yet.
    early = db.session.scalars(select(ScreeningFollowUp).filter_by(
        booking_id=ids[0], kind="early_pregnancy")).one()
    db.session.execute(update(ScreeningFollowUp).filter_by(booking_id=ids[0]).values(
        due_on=date.today() - timedelta(days=1)))
    commit()
    client.post(f"{API}/follow-ups/{early.id}", headers=staff, json={"outcome": "pregnant"})

    figures = client.get(f"{API}/stats", headers=staff, query_string={"year": year}).get_json()
    assert (figures["target"], figures["checks_done"]) == (4, 2)
    indicators = figures["indicators"]
    assert indicators["target_group_coverage"] == 0.5
    assert indicators["high_risk_share"] == 0.5
    assert indicators["early_pregnancy_follow_up_rate"] == 1.0  # 1 done of 1 due
    assert indicators["no_show_rate"] is not None and indicators["no_show_rate"] > 0
    month = f"{year}-{datetime.now(CHINA).month:02d}"
    assert sum(m["checks"] for m in figures["by_month"] if m["month"] == month) == 2
    row = next(r for r in figures["rows"] if r["完成检查(对)"])
    assert row["村/社区"] == "测试社区" and row["高风险(对)"] == 1
    assert "王芳" not in str(figures) and "李强" not in str(figures)

    csv = client.get(f"{API}/stats", headers=staff, query_string={"year": year,
                                                                   "format": "csv"})
    assert csv.data.decode("utf-8-sig").splitlines()[0].startswith("村/社区,月份,完成检查(对)")
    xlsx = client.get(f"{API}/stats", headers=staff, query_string={"year": year,
                                                                    "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(xlsx.data))
    assert workbook.sheetnames == [f"孕前检查{year}", "全年进度", "指标"]
    assert workbook.active.cell(1, 3).value == "完成检查(对)"
    progress = workbook["全年进度"]
    by_month = {r[0]: r[1:] for r in progress.iter_rows(min_row=2, values_only=True)}
    assert by_month[month] == (2, 2, 4)  # this month, the running total, the year's target
    assert all(by_month[m][:2] == (None, None) for m in by_month if m > month)  # to come
    assert chart_series(progress) == [("BarChart", "B1", "$B$2:$B$13"),
                                      ("LineChart", "C1", "$C$2:$C$13"),
                                      ("LineChart", "D1", "$D$2:$D$13")]
    indicators = {r[0]: r[1] for r in workbook["指标"].iter_rows(min_row=2, values_only=True)}
    assert indicators["目标人群覆盖率"] == 50.0 and indicators["高风险人群占比"] == 50.0


def test_other_township_sees_none_of_it_and_clinics_cannot_ask(client, couple_for, make_slot,
                                                               staff_headers, home_village):
    staff = staff_headers(township_of_village=home_village)
    booking = _book(client, couple_for("scoped"), make_slot())
    db.session.execute(update(ScreeningBooking).filter_by(id=booking["id"]).values(
        status="checked_in"))
    commit()
    client.post(f"{API}/bookings/{booking['id']}/results", headers=staff, json=GENERAL)
    year = datetime.now(CHINA).year
    other = client.get(f"{API}/stats", headers=staff_headers(), query_string={"year": year})
    assert other.get_json()["checks_done"] == 0 and other.get_json()["target"] is None
    assert other.get_json()["indicators"]["target_group_coverage"] is None
    clinic = client.get(f"{API}/stats", headers=staff_headers("demo-clinic"),
                        query_string={"year": year})
    assert clinic.status_code == 403
    bad = client.get(f"{API}/stats", headers=staff, query_string={"year": 1850})
    assert bad.status_code == 422
    assert db.session.scalars(select(ScreeningResult)).first() is not None


def test_progress_leaves_months_to_come_empty():
    from wxapp.services.screening.stats import progress_rows

    figures = {"target": 10, "by_month": [{"month": f"2026-{m:02d}", "checks": m % 2}
                                          for m in range(1, 13)]}
    rows = progress_rows(figures, today=date(2026, 3, 15))
    assert [(r["当月完成(对)"], r["累计完成(对)"]) for r in rows[:4]] == [
        (1, 1), (0, 1), (1, 2), (None, None)]
    assert all(r["年度目标(对)"] == 10 for r in rows)
    past_year = progress_rows(figures, today=date(2027, 1, 2))
    assert past_year[-1]["累计完成(对)"] == 6
