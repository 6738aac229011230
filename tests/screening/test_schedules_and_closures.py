"""Weekly schedules open slots ahead; a closed day cancels its bookings and tells couples."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from tests.helpers import allow_messages, drain_jobs, error_code
from wxapp.extensions import db
from wxapp.models import Clinic, ScreeningBooking, ScreeningSlot
from wxapp.services.screening.schedules import CHINA, generate_slots
from wxapp.transactions import commit

WINDOWS = [{"weekday": d, "starts": "08:30", "ends": "10:00", "capacity": 5} for d in range(5)]


def _clinic_id():
    return db.session.scalars(select(Clinic.id)).first()


def _monday_after(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


def test_schedule_opens_weekday_slots_once(client, make_slot, staff_headers, home_village):
    staff = staff_headers(township_of_village=home_village)
    clinic = _clinic_id()
    saved = client.put(f"/api/v1/staff/clinics/{clinic}/schedule", headers=staff,
                       json={"windows": WINDOWS})
    assert saved.status_code == 200 and len(saved.get_json()["windows"]) == 5
    today = date(2026, 11, 25)  # a Wednesday
    generate_slots(today=today, weeks=2)
    assert generate_slots(today=today, weeks=2) == 0
    commit()
    mine = db.session.scalar(select(func.count(ScreeningSlot.id)).filter_by(clinic_id=clinic))
    assert mine == 10  # two weeks of weekdays
    first = db.session.scalars(select(ScreeningSlot).where(ScreeningSlot.capacity == 5)
                               .order_by(ScreeningSlot.starts_at)).first()
    starts = first.starts_at.astimezone(CHINA)
    assert (starts.date(), starts.hour, starts.minute) == (date(2026, 11, 26), 8, 30)


def test_bad_schedules_are_refused(client, make_slot, staff_headers, home_village):
    staff = staff_headers(township_of_village=home_village)
    url = f"/api/v1/staff/clinics/{_clinic_id()}/schedule"
    backwards = client.put(url, headers=staff, json={"windows": [
        {"weekday": 0, "starts": "10:00", "ends": "08:00", "capacity": 5}]})
    assert backwards.status_code == 422 and error_code(backwards) == "schedule.window_invalid"
    overlapping = client.put(url, headers=staff, json={"windows": [
        {"weekday": 0, "starts": "08:00", "ends": "10:00", "capacity": 5},
        {"weekday": 0, "starts": "09:30", "ends": "11:00", "capacity": 5}]})
    assert error_code(overlapping) == "schedule.windows_overlap"
    assert client.put(url, headers=staff_headers("demo-admin"),
                      json={"windows": WINDOWS}).status_code == 404
    assert client.put(url, headers=staff, json={"windows": [
        {"weekday": 7, "starts": "08:00", "ends": "10:00", "capacity": 5}]}).status_code == 422


def test_closing_a_day_cancels_its_bookings_and_tells_the_couples(client, sim, couple_for,
                                                                   make_slot, staff_headers,
                                                                   home_village):
    template = "TPL_SCREENING_NOTICE"
    staff = staff_headers(township_of_village=home_village)
    clinic = _clinic_id()
    client.put(f"/api/v1/staff/clinics/{clinic}/schedule", headers=staff,
               json={"windows": [{"weekday": w, "starts": "08:30", "ends": "10:00",
                                  "capacity": 1} for w in range(7)]})
    generate_slots(weeks=1)
    commit()
    day = datetime.now(CHINA).date() + timedelta(days=3)
    slot = db.session.scalars(select(ScreeningSlot).where(
        ScreeningSlot.clinic_id == clinic, ScreeningSlot.capacity == 1,
        ScreeningSlot.starts_at >= datetime.combine(day, datetime.min.time(), tzinfo=CHINA))
        .order_by(ScreeningSlot.starts_at)).first()
    booked, waiting = couple_for("booked-couple"), couple_for("waiting-couple")
    openid = allow_messages(client, sim, booked, "booked-couple", template, times=2)
    client.post("/api/v1/me/bookings", headers=booked, json={"slot_id": slot.id})
    client.post("/api/v1/me/bookings", headers=waiting, json={"slot_id": slot.id,
                                                               "waitlist": True})
    closed = client.post(f"/api/v1/staff/clinics/{clinic}/closures", headers=staff,
                         json={"date": day.isoformat(), "reason": "上级培训停诊"})
    assert closed.status_code == 201
    assert closed.get_json() == {"day": day.isoformat(), "slots_closed": 1,
                                 "bookings_cancelled": 2}
    db.session.expire_all()
    statuses = {b.status for b in db.session.scalars(select(ScreeningBooking))}
    assert statuses == {"cancelled"}
    assert db.session.get(ScreeningSlot, slot.id).booked == 0
    assert client.get(f"/api/v1/clinics/{clinic}/slots").get_json()[0]["id"] != slot.id
    again = client.post(f"/api/v1/staff/clinics/{clinic}/closures", headers=staff,
                        json={"date": day.isoformat(), "reason": "重复"})
    assert again.status_code == 409 and error_code(again) == "clinic.day_already_closed"
    # A closed day is not opened again by the daily job.
    before = db.session.scalar(select(func.count(ScreeningSlot.id)))
    generate_slots(weeks=1)
    commit()
    assert db.session.scalar(select(func.count(ScreeningSlot.id))) == before
    drain_jobs()
    subjects = [m["payload"]["data"]["thing1"]["value"]
                for m in sim.outbox(touser=openid)["messages"]]
    assert subjects == ["孕前检查预约成功", "预约已取消（医院停诊）"]
