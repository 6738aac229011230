"""The daily reminder to reviewers about registrations near or past their deadline."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from wxapp.china_time import china_today
from wxapp.extensions import db
from wxapp.models import BirthRegistration


def test_daily_job_reminds_reviewers_once_a_day(app, client, resident, form, staff, app_ctx):
    reg_id = client.post("/api/v1/me/registrations", headers=resident(),
                         json=form()).get_json()["id"]
    reg = db.session.get(BirthRegistration, reg_id)
    reg.due_at = datetime.now(UTC) - timedelta(days=2)
    db.session.commit()
    runner = app.test_cli_runner()
    assert "deadline reminders: 2" in runner.invoke(args=["jobs", "daily"]).output
    # Once a day however many instances run it; a deliberate rerun reminds nobody twice.
    assert "skipped" in runner.invoke(args=["jobs", "daily"]).output
    assert "deadline reminders: 0" in runner.invoke(args=["jobs", "daily", "--rerun"]).output
    notices = client.get("/api/v1/staff/auth/notices", headers=staff()).get_json()
    assert len(notices) == 1 and "已超期 1 件" in notices[0]["text"]
    assert notices[0]["day"] == china_today().isoformat()
    village = client.get("/api/v1/staff/auth/notices", headers=staff("demo-village")).get_json()
    assert village == []
    overdue = client.get("/api/v1/staff/registrations?overdue=true", headers=staff()).get_json()
    assert [r["id"] for r in overdue] == [reg_id] and overdue[0]["overdue"] is True
    assert db.session.scalars(select(BirthRegistration)).one().status == "submitted"
