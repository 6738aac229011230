"""Dates on a birth registration are China's, also between 00:00 and 08:00 China time, when
the UTC date is still yesterday: the certificate, /verify, the registration number's year,
working-day deadlines, the overdue flag, the reviewers' notices and the monthly report."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.china_clock import at_china
from tests.helpers import login
from wxapp.china_time import CHINA, to_china
from wxapp.extensions import db
from wxapp.models import BirthRegistration
from wxapp.transactions import commit

MINE = "/api/v1/me/registrations"
STAFF = "/api/v1/staff/registrations"


def _approved(client, resident, form, staff) -> dict:
    me = resident()
    reg_id = client.post(MINE, headers=me, json=form()).get_json()["id"]
    assert client.post(f"{STAFF}/{reg_id}/approve", headers=staff()).status_code == 200
    return {"me": me, **client.get(f"{MINE}/{reg_id}", headers=me).get_json()}


@pytest.mark.parametrize("moment, day", [
    (datetime(2027, 1, 1, 0, 30, tzinfo=CHINA), "2027-01-01"),    # UTC: 31 Dec, 16:30
    (datetime(2026, 12, 31, 23, 30, tzinfo=CHINA), "2026-12-31"),
    (datetime(2028, 2, 29, 0, 30, tzinfo=CHINA), "2028-02-29"),   # UTC: 28 Feb
], ids=["1 January 00:30", "31 December 23:30", "29 February 00:30"])
def test_certificate_and_verify_page_carry_the_china_date(client, resident, form, staff,
                                                          moment, day):
    with at_china(moment):
        reg = _approved(client, resident, form, staff)
        pdf = client.get(f"{MINE}/{reg['id']}/certificate.pdf", headers=reg["me"]).data
        verified = client.get(f"/verify/{reg['certificate_code']}",
                              headers={"Accept": "application/json"}).get_json()
    assert f"({day})".encode() in pdf  # 登记日期, drawn in Helvetica
    assert verified["registered_on"] == day
    assert reg["registration_number"].startswith(f"DJ{day[:4]}")


@pytest.mark.parametrize("submitted, due", [
    # Sunday 00:30 in China is still Saturday in UTC: Monday, Tuesday, Wednesday.
    (datetime(2027, 1, 3, 0, 30, tzinfo=CHINA), date(2027, 1, 6)),
    # Friday 23:30: the weekend does not count.
    (datetime(2027, 1, 1, 23, 30, tzinfo=CHINA), date(2027, 1, 6)),
    # Monday 00:30 (Sunday in UTC) across a leap day.
    (datetime(2028, 2, 28, 0, 30, tzinfo=CHINA), date(2028, 3, 2)),
    (datetime(2027, 6, 30, 9, 0, tzinfo=CHINA), date(2027, 7, 5)),
    (datetime(2027, 12, 31, 23, 30, tzinfo=CHINA), date(2028, 1, 5)),
], ids=["Sunday 00:30", "Friday 23:30", "Monday 00:30 before 29 February", "30 June",
        "31 December 23:30"])
def test_review_deadline_counts_working_days_in_china(client, resident, form, submitted, due):
    with at_china(submitted):
        created = client.post(MINE, headers=resident(), json=form()).get_json()
    due_at = datetime.fromisoformat(created["due_at"])
    assert to_china(due_at).date() == due
    # Whole working days: the same time of day (the clock ran on for a moment).
    assert to_china(due_at).strftime("%H:%M") == submitted.strftime("%H:%M")


def test_overdue_and_reviewer_notices_follow_the_china_date(app, client, sim, resident, form,
                                                             staff):
    with at_china(datetime(2027, 1, 4, 10, 0, tzinfo=CHINA)) as clock:
        me = resident()
        reg_id = client.post(MINE, headers=me, json=form()).get_json()["id"]
        # Due at 10:00 on Thursday 7 January; at 00:30 on Friday (16:30 Thursday in UTC)
        # it is a day late in China.
        clock.move_to(datetime(2027, 1, 8, 0, 30, tzinfo=CHINA).astimezone(UTC))
        me = login(client, sim, "wangfang")  # days later: her earlier session has expired
        assert client.get(f"{MINE}/{reg_id}", headers=me).get_json()["overdue"] is True
        output = app.test_cli_runner().invoke(args=["jobs", "daily"]).output
        assert "deadline reminders: 2" in output
        notices = client.get("/api/v1/staff/auth/notices", headers=staff()).get_json()
    assert notices[0]["day"] == "2027-01-08" and "已超期 1 件" in notices[0]["text"]


def test_monthly_report_counts_a_new_year_night_submission_in_january(client, resident, form,
                                                                      staff):
    with at_china(datetime(2027, 1, 1, 0, 30, tzinfo=CHINA)):
        client.post(MINE, headers=resident(), json=form())
        january = client.get(f"{STAFF}/report", headers=staff(),
                             query_string={"month": "2027-01"}).get_json()
        december = client.get(f"{STAFF}/report", headers=staff(),
                              query_string={"month": "2026-12"}).get_json()
    assert sum(row["申请数"] for row in january) == 1
    assert sum(row["申请数"] for row in december) == 0


def test_stored_moments_stay_utc(client, resident, form, app_ctx):
    moment = datetime(2027, 1, 1, 0, 30, tzinfo=CHINA)
    with at_china(moment):
        reg_id = client.post(MINE, headers=resident(), json=form()).get_json()["id"]
    db.session.expire_all()
    stored = db.session.get(BirthRegistration, reg_id).submitted_at
    assert stored.utcoffset() in (None, timedelta(0))
    assert abs(to_china(stored) - moment) < timedelta(minutes=1)
    commit()
