"""A clinic day for the console's clinic pages: the demo township's clinics, and couples booked
today (China's today, at whatever moment the test's clock says) at 示范镇卫生院, with their
check-in codes as the couples would show them.

    day = ClinicDay(app)                 # seeded; day.town / day.county are the clinic ids
    code = day.code(0)                   # the first couple's six digits
    day.set_status(0, "checked_in")      # as if the clinic had checked them in
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from wxapp.china_time import CHINA, china_today
from wxapp.extensions import db
from wxapp.models import (
    AuditLog,
    Clinic,
    ResidentNotice,
    ScreeningBooking,
    ScreeningResult,
    ScreeningSlot,
)
from wxapp.models.base import utcnow
from wxapp.seeding.seed import CLINIC_DAY_COUPLES, seed_demo, seed_demo_clinic_day
from wxapp.transactions import commit

TOWN_CLINIC = "示范镇卫生院"
COUNTY_CLINIC = "示范县妇幼保健院"


class ClinicDay:
    def __init__(self, app):
        self.app = app
        with app.app_context():
            seed_demo()
            seed_demo_clinic_day()
            commit()
            clinics = {c.name: c.id for c in db.session.scalars(select(Clinic))}
            self.town, self.county = clinics[TOWN_CLINIC], clinics[COUNTY_CLINIC]
            start = datetime.combine(china_today(), time.min, tzinfo=CHINA)
            self.booking_ids = list(db.session.scalars(
                select(ScreeningBooking.id).join(ScreeningSlot)
                .where(ScreeningSlot.clinic_id == self.town,
                       ScreeningSlot.starts_at >= start,
                       ScreeningSlot.starts_at < start + timedelta(days=1))
                .order_by(ScreeningBooking.id)))
        assert len(self.booking_ids) == len(CLINIC_DAY_COUPLES)
        self.couple_names = CLINIC_DAY_COUPLES

    def booking(self, n: int) -> ScreeningBooking:
        with self.app.app_context():
            booking = db.session.get(ScreeningBooking, self.booking_ids[n])
            _ = booking.slot
            db.session.expunge(booking)
            return booking

    def code(self, n: int) -> str:
        return self.booking(n).checkin_code

    def status(self, n: int) -> str:
        return self.booking(n).status

    def set_status(self, n: int, status: str) -> None:
        with self.app.app_context():
            booking = db.session.get(ScreeningBooking, self.booking_ids[n])
            booking.status = status
            if status in ("checked_in", "completed"):
                booking.checked_in_at = utcnow()
            commit()

    def result(self, n: int) -> ScreeningResult | None:
        with self.app.app_context():
            result = db.session.scalars(select(ScreeningResult).filter_by(
                booking_id=self.booking_ids[n])).first()
            if result is not None:
                db.session.expunge(result)
            return result

    def count(self, model, *conditions) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(model).where(*conditions))

    def audits(self, action: str) -> int:
        return self.count(AuditLog, AuditLog.action == action)

    def notices(self, kind: str) -> int:
        return self.count(ResidentNotice, ResidentNotice.kind == kind)

    def slot(self, clinic_id: int, day: date, starts: time, ends: time,
             capacity: int = 5) -> int:
        with self.app.app_context():
            slot = ScreeningSlot(clinic_id=clinic_id, capacity=capacity, booked=0,
                                 starts_at=datetime.combine(day, starts, tzinfo=CHINA),
                                 ends_at=datetime.combine(day, ends, tzinfo=CHINA))
            db.session.add(slot)
            commit()
            return slot.id
