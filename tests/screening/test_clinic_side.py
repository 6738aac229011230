"""The clinic's own screens: its clinics, and the day's list of couples."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import AuditLog, Clinic, ScreeningSlot
from wxapp.services.screening.schedules import CHINA

API = "/api/v1/staff/clinics"


def test_township_admin_adds_and_changes_clinics(client, staff_headers, home_village):
    admin = staff_headers(township_of_village=home_village)
    created = client.post(API, headers=admin, json={
        "name": "测试街道社区卫生服务中心", "address": "测试路9号", "phone": "0000-1234",
        "latitude": 31.9, "longitude": 118.7})
    assert created.status_code == 201 and created.get_json()["active"] is True
    clinic_id = created.get_json()["id"]
    changed = client.put(f"{API}/{clinic_id}", headers=admin, json={"phone": "0000-5678"})
    assert changed.get_json()["phone"] == "0000-5678"
    assert changed.get_json()["name"] == "测试街道社区卫生服务中心"
    assert [c["id"] for c in client.get(API, headers=admin).get_json()] == [clinic_id]
    assert client.put(f"{API}/{clinic_id}", headers=staff_headers(),
                      json={"phone": "0000-9999"}).status_code == 404
    assert client.post(API, headers=admin, json={"name": "缺地址"}).status_code == 422
    assert client.post(API, headers=staff_headers("demo-clinic"), json={
        "name": "越权", "address": "某路", "phone": "000"}).status_code == 403


def test_day_list_greets_couples_by_masked_name_without_their_codes(client, couple_for,
                                                                    make_slot, staff_headers,
                                                                    home_village):
    me = couple_for("listed")
    booking = client.post("/api/v1/me/bookings", headers=me,
                          json={"slot_id": make_slot(in_hours=48)}).get_json()
    slot = db.session.get(ScreeningSlot, booking["slot_id"])
    day = slot.starts_at.astimezone(CHINA).date().isoformat()
    clinic_id = db.session.scalars(select(Clinic.id)).first()
    staff = staff_headers(township_of_village=home_village)
    listed = client.get(f"{API}/{clinic_id}/day", headers=staff, query_string={"date": day})
    [row] = listed.get_json()
    assert (row["wife_name"], row["husband_name"]) == ("王*", "李*")
    assert "checkin_code" not in row and booking["checkin_code"] not in str(row)
    assert db.session.scalars(select(AuditLog).filter_by(
        action="booking.day_list_read")).first() is not None
    other = client.get(f"{API}/{clinic_id}/day", headers=staff_headers(),
                       query_string={"date": day})
    assert other.status_code == 404
    empty_day = datetime(2030, 1, 1).date().isoformat()
    assert client.get(f"{API}/{clinic_id}/day", headers=staff,
                      query_string={"date": empty_day}).get_json() == []
