"""Services get the caller's address from the transport; without a request they run all the
same and their audit rows carry none."""
from __future__ import annotations

from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import AuditLog, StaffUser
from wxapp.services.registration import review
from wxapp.transactions import commit


def _reads():
    return db.session.scalars(select(AuditLog).filter_by(action="registration.read")
                              .order_by(AuditLog.id)).all()


def test_a_staff_read_is_audited_with_the_address_the_request_came_from(
        client, resident, form, staff, app_ctx):
    reg_id = client.post("/api/v1/me/registrations", headers=resident(),
                         json=form()).get_json()["id"]
    response = client.get(f"/api/v1/staff/registrations/{reg_id}", headers=staff(),
                          environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 200
    assert [(r.target_id, r.ip) for r in _reads()] == [(str(reg_id), "203.0.113.7")]


def test_a_service_called_outside_any_request_runs_and_records_no_address(
        client, resident, form, staff, app_ctx):
    reg_id = client.post("/api/v1/me/registrations", headers=resident(),
                         json=form()).get_json()["id"]
    # A request just ended on this very thread: its address must not leak into what follows.
    client.get(f"/api/v1/staff/registrations/{reg_id}", headers=staff(),
               environ_base={"REMOTE_ADDR": "203.0.113.7"})
    reviewer = db.session.scalars(select(StaffUser).filter_by(username="demo-reviewer")).one()

    assert review.get_for_staff(reviewer, reg_id).id == reg_id
    commit()

    assert [r.ip for r in _reads()] == ["203.0.113.7", None]
