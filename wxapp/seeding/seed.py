"""Default and demo data. Every step looks up before it inserts, so seeding twice changes
nothing."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import (
    Clinic,
    StaffUser,
    StockMovement,
    SupplyItem,
    SupplyPoint,
    Township,
    Village,
)
from wxapp.services.accounts.passwords import hash_password

SEED_DIR = Path(__file__).resolve().parent / "data"
DEMO_FILE = SEED_DIR / "demo.yaml"
SUPPLY_ITEMS_FILE = SEED_DIR / "supply_items.yaml"
# Development only: create_app refuses production without real secrets, and the demo
# command refuses production outright.
DEMO_STAFF_PASSWORD = "demo-pass-123"


def seed_default() -> dict[str, int]:
    """Data every deployment needs. Capabilities add their defaults here as they land."""
    from wxapp.services.faq import admin as faq_admin

    return {"faq_entries_added": faq_admin.load_default_knowledge_base(),
            "supply_items_added": seed_supply_items()}


def seed_supply_items() -> int:
    added = 0
    for entry in yaml.safe_load(SUPPLY_ITEMS_FILE.read_text(encoding="utf-8")):
        if db.session.scalars(select(SupplyItem).filter_by(code=entry["code"])).first():
            continue
        db.session.add(SupplyItem(needs_guidance=entry.pop("needs_guidance", False), **entry))
        added += 1
    db.session.flush()
    return added


def seed_demo() -> dict[str, int]:
    data = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    added = {"townships": 0, "villages": 0, "staff": 0}
    t = data["township"]
    township = db.session.scalars(select(Township).filter_by(code=t["code"])).first()
    if township is None:
        township = Township(code=t["code"], name=t["name"])
        db.session.add(township)
        added["townships"] += 1
        db.session.flush()
    villages = {}
    for v in t["villages"]:
        village = db.session.scalars(select(Village).filter_by(code=v["code"])).first()
        if village is None:
            village = Village(code=v["code"], name=v["name"], township_id=township.id)
            db.session.add(village)
            added["villages"] += 1
        villages[v["name"]] = village
    db.session.flush()
    for s in data["staff"]:
        if db.session.scalars(select(StaffUser).filter_by(username=s["username"])).first():
            continue
        village = villages.get(s.get("village")) if s.get("village") else None
        db.session.add(StaffUser(
            username=s["username"], display_name=s["display_name"], role=s["role"],
            township_id=township.id, village_id=village.id if village else None,
            password_hash=hash_password(DEMO_STAFF_PASSWORD),
        ))
        added["staff"] += 1
    db.session.flush()
    added.update(_seed_demo_clinics(township, data.get("clinics", [])))
    added.update(_seed_demo_clinic_staff(data["staff"]))
    added.update(_seed_demo_points(township, villages, data))
    return added


def seed_demo_activity(now: datetime | None = None) -> dict[str, int]:
    """Invented residents' registrations, checks and pickups, so that the demo's reports and
    charts are not empty (after seed_demo; once per database), as history up to ``now``."""
    from wxapp.seeding.demo_activity import seed_activity

    data = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    return seed_activity(data["township"]["code"], now)


def seed_demo_clinic_day(now: datetime | None = None) -> dict[str, int]:
    """Today a clinic day in the demo township (after seed_demo; again on any later day)."""
    data = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    township = db.session.scalars(select(Township).filter_by(
        code=data["township"]["code"])).one()
    return _seed_demo_clinic_day(township, now)


def _seed_demo_points(township: Township, villages: dict, data: dict) -> dict:
    """Demo points, stocked through the ledger itself so that the books balance."""
    from wxapp.services.supplies import ledger

    added = {"supply_points": 0}
    points = []
    for p in data.get("supply_points", []):
        point = db.session.scalars(select(SupplyPoint).filter_by(code=p["code"])).first()
        if point is None:
            village = villages.get(p.get("village"))
            point = SupplyPoint(township_id=township.id,
                                village_id=village.id if village else None,
                                **{k: v for k, v in p.items() if k != "village"})
            db.session.add(point)
            added["supply_points"] += 1
        points.append(point)
    db.session.flush()
    stock = data.get("supply_stock")
    if not stock or db.session.scalars(select(StockMovement.id)).first() is not None:
        return added
    admin = db.session.scalars(select(StaffUser).filter_by(township_id=township.id,
                                                           role="township_admin")).first()
    expires = datetime.fromisoformat(stock["expires_on"]).date()
    for item in db.session.scalars(select(SupplyItem).order_by(SupplyItem.id)):
        ledger.receive(admin, item.id, stock["batch_no"], expires, stock["receive"])
        for point in points:
            if point.kind != "store":
                ledger.issue(admin, point.id, item.id, stock["issue_each"])
    return added


def _seed_demo_clinic_staff(staff: list[dict]) -> dict:
    """Clinic staff work at the clinics named for them, and see no other."""
    added = {"staff_clinics": 0}
    for s in staff:
        if not s.get("clinics"):
            continue
        user = db.session.scalars(select(StaffUser).filter_by(username=s["username"])).one()
        for name in s["clinics"]:
            clinic = db.session.scalars(select(Clinic).filter_by(name=name)).one()
            if clinic not in user.clinics:
                user.clinics.append(clinic)
                added["staff_clinics"] += 1
    db.session.flush()
    return added


def _seed_demo_clinics(township: Township, clinics: list[dict], weeks: int = 2) -> dict:
    """Demo clinics with two morning windows on weekdays (China time), opened `weeks` ahead
    by the same job that opens real clinics' slots."""
    from wxapp.models import ScreeningSchedule
    from wxapp.services.screening.schedules import generate_slots

    added = {"clinics": 0, "slots": 0}
    for c in clinics:
        clinic = db.session.scalars(select(Clinic).filter_by(name=c["name"])).first()
        if clinic is None:
            clinic = Clinic(township_id=township.id, name=c["name"], address=c["address"],
                            phone=c["phone"], latitude=c.get("latitude"),
                            longitude=c.get("longitude"))
            db.session.add(clinic)
            db.session.flush()
            added["clinics"] += 1
            for weekday in range(5):
                for starts, ends in ((time(8, 30), time(10, 0)), (time(10, 0), time(11, 30))):
                    db.session.add(ScreeningSchedule(clinic_id=clinic.id, weekday=weekday,
                                                     starts=starts, ends=ends,
                                                     capacity=c.get("capacity", 10)))
    db.session.flush()
    added["slots"] = generate_slots(weeks=weeks)
    return added


CLINIC_DAY_OPENID_PREFIX = "demo-clinic-day-"
CLINIC_DAY_COUPLES = (("陈晓燕", "林海"), ("吕佳", "何明"), ("苏悦", "罗刚"))


def _seed_demo_clinic_day(township: Township, now: datetime | None = None) -> dict:
    """Today is a clinic day at the first demo clinic, with couples booked into it, so that the
    clinic's side (day list, check-in, results, the letter) can be tried at once. Residents
    cannot book today themselves (BOOKING_MIN_NOTICE_HOURS), so these bookings are written
    directly, as the demo's history is. Seeding on a later day books the same couples again
    for that day (a booking still waiting moves; one already checked is followed by a new)."""
    import secrets

    from wxapp.formats.spreadsheets import CHINA
    from wxapp.models import ScreeningBooking, ScreeningSlot
    from wxapp.services.accounts import residents
    from wxapp.services.screening import couples
    from wxapp.testing.people import couple_body

    today = (now or datetime.now(CHINA)).astimezone(CHINA).date()
    clinic = db.session.scalars(select(Clinic).filter_by(township_id=township.id)
                                .order_by(Clinic.id)).first()
    village = db.session.scalars(select(Village).filter_by(township_id=township.id)
                                 .order_by(Village.id)).first()
    if clinic is None or village is None or demo_clinic_day_codes(today):
        return {"clinic_day_bookings": 0}
    # An afternoon the demo's weekly schedule (mornings) never opens, so it is the demo's own.
    starts = datetime.combine(today, time(13, 30), tzinfo=CHINA)
    slot = db.session.scalars(select(ScreeningSlot).filter_by(clinic_id=clinic.id,
                                                              starts_at=starts)).first()
    if slot is None:
        slot = ScreeningSlot(clinic_id=clinic.id, starts_at=starts, capacity=10, booked=0,
                             ends_at=datetime.combine(today, time(17, 0), tzinfo=CHINA))
        db.session.add(slot)
        db.session.flush()
    for n, (wife, husband) in enumerate(CLINIC_DAY_COUPLES):
        resident = residents.resident_for_miniprogram(f"{CLINIC_DAY_OPENID_PREFIX}{n}", None)
        body = couple_body(400 + n, village.id, hukou_region=township.code[:6])
        body["wife"]["name"], body["husband"]["name"] = wife, husband
        couple = couples.save_couple(resident, body, today=today)
        booking = db.session.scalars(select(ScreeningBooking).filter_by(
            couple_id=couple.id, status="scheduled")).first()
        if booking is None:
            booking = ScreeningBooking(resident_id=resident.id, couple_id=couple.id,
                                       couple_key=couple.couple_key,
                                       child_order=couple.child_order, status="scheduled",
                                       village_id=couple.village_id)
            db.session.add(booking)
        else:
            booking.slot.booked -= 1
        booking.slot_id = slot.id
        booking.checkin_code = f"{secrets.randbelow(10 ** 6):06d}"
        slot.booked += 1
    db.session.flush()
    return {"clinic_day_bookings": len(CLINIC_DAY_COUPLES)}


def demo_clinic_day_codes(day) -> list[str]:
    """The check-in codes of the demo couples booked on ``day``, for the seed command to show
    (nobody can sign in as an invented resident to see them)."""
    from wxapp.formats.spreadsheets import CHINA
    from wxapp.models import Resident, ScreeningBooking, ScreeningSlot

    start = datetime.combine(day, time.min, tzinfo=CHINA)
    return list(db.session.scalars(
        select(ScreeningBooking.checkin_code).join(ScreeningSlot)
        .join(Resident, Resident.id == ScreeningBooking.resident_id)
        .where(Resident.mp_openid.startswith(CLINIC_DAY_OPENID_PREFIX),
               ScreeningSlot.starts_at >= start,
               ScreeningSlot.starts_at < start + timedelta(days=1))
        .order_by(ScreeningBooking.id)))
