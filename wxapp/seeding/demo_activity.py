"""Invented activity for the demo township, so that a fresh `seed --demo` shows the reports,
exports and charts with something in them: families who filed birth registrations (some
decided), couples checked before pregnancy over the past months (one high-risk, one who did
not come), and pickups at the cabinets.

Everything a resident or staff member would do goes through the services, so ledgers,
deadlines, follow-ups and audit entries are all as real use would leave them; only the past
(slots months ago, the couples who sat in them) is written directly, since no service books
into the past. Invented people only. It runs once per database.

The history is relative to ``now`` (a parameter, so that it can be shown to hold on any day):
the checks reach back about six months, across New Year when that is where they fall; each
year with a check gets the target, so that January's reports have last year's figures.
"""
from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import select

from wxapp.china_time import CHINA, china_today, utc_now
from wxapp.extensions import db
from wxapp.models import (
    Clinic,
    Resident,
    ScreeningBooking,
    ScreeningResult,
    ScreeningSlot,
    StaffUser,
    SupplyItem,
    SupplyPoint,
    Township,
    Village,
)
from wxapp.services.accounts import residents
from wxapp.services.registration import applications as registrations
from wxapp.services.registration import review
from wxapp.services.screening import couples as screening_couples
from wxapp.services.screening import results as screening_results
from wxapp.services.screening import stats as screening_stats
from wxapp.services.supplies import cabinets as supply_devices
from wxapp.services.supplies import pickups
from wxapp.testing.people import couple_body, make_id_number

OPENID_PREFIX = "demo-resident-"
FAMILIES = [("王芳", "李强"), ("张丽", "陈伟"), ("刘娜", "赵磊"), ("杨静", "黄勇"),
            ("周敏", "吴杰"), ("徐婷", "孙涛"), ("马琳", "朱斌"), ("胡雪", "郭鹏")]
ANNUAL_TARGET = 40


def seed_activity(township_code: str, now: datetime | None = None) -> dict[str, int]:
    """The invented history up to ``now`` (default: this moment)."""
    today = china_today(now or utc_now())
    if db.session.scalar(select(Resident.id).where(
            Resident.mp_openid.startswith(OPENID_PREFIX)).limit(1)) is not None:
        return {"demo_activity": 0}
    township = db.session.scalars(select(Township).filter_by(code=township_code)).one()
    villages = list(db.session.scalars(select(Village).filter_by(township_id=township.id)
                                       .order_by(Village.id)))
    staff = {s.username: s for s in db.session.scalars(
        select(StaffUser).filter_by(township_id=township.id))}
    people = [residents.resident_for_miniprogram(f"{OPENID_PREFIX}{n}", None)
              for n in range(len(FAMILIES))]
    counts = {"demo_registrations": _registrations(people[:6], villages, staff, today),
              "demo_checks": _checks(people, villages, staff, township, today),
              "demo_pickups": _pickups(people[:4], township)}
    db.session.flush()
    return counts


def _registration_form(n: int, village: Village, today) -> dict:
    from wxapp.schemas.registration import RegistrationFormSchema

    mother, father = FAMILIES[n]
    children = [{"birth_date": f"{2019 + k}-0{3 + k}-1{k}", "relation": "both"}
                for k in range(n % 3)]
    # The same shape the mini-program sends, through the same schema.
    return RegistrationFormSchema().load({
        "filer_role": "mother",
        "mother": {"name": mother, "phone": f"1381234{5600 + n:04d}", "hukou_region": "320102",
                   "id_number": make_id_number(birth=f"1995030{n + 1}", sequence=f"{200 + 2 * n}")},
        "father": {"name": father, "phone": f"1398765{4300 + n:04d}", "hukou_region": "320102",
                   "id_number": make_id_number(birth=f"1993041{n}", sequence=f"{201 + 2 * n}")},
        "marriage_date": "2018-05-01",
        "pregnancy_status": "pregnant",
        "expected_or_birth_date": (today + timedelta(days=60 + 20 * n)).isoformat(),
        "existing_children": children,
        "village_id": village.id,
        "promised_documents": ["mother_id_card", "father_id_card", "hukou_page"],
    })


def _registrations(people: list[Resident], villages: list[Village], staff: dict,
                   today) -> int:
    filed = []
    for n, resident in enumerate(people):
        registrations.record_consent(resident, registrations.CONSENT_TEXT_VERSION)
        filed.append(registrations.submit(resident, _registration_form(
            n, villages[n % len(villages)], today)))
    reviewer = staff["demo-reviewer"]
    for reg in filed[:3]:
        review.approve(reviewer, reg.id)
    review.return_for_changes(reviewer, filed[3].id, [
        {"field": "expected_or_birth_date", "message": "预产期与孕检记录不一致，请核对后修改。"}])
    return len(filed)  # the last two wait for review


def _checks(people: list[Resident], villages: list[Village], staff: dict,
            township: Township, today) -> int:
    clinic = db.session.scalars(select(Clinic).filter_by(township_id=township.id)
                                .order_by(Clinic.id)).first()
    # One couple about every three weeks back from a few days ago: eight check days in the
    # past six months, whichever year each falls in.
    days = [today - timedelta(days=3 + 24 * (len(people) - 1 - n)) for n in range(len(people))]
    for year in sorted({today.year, *(day.year for day in days)}):
        screening_stats.set_target(staff["demo-admin"], year, ANNUAL_TARGET)
    county = township.code[:6]
    checked = 0
    for n, (resident, day) in enumerate(zip(people, days, strict=True)):
        couple = screening_couples.save_couple(resident, couple_body(
            300 + n, villages[n % len(villages)].id, hukou_region=county), today)
        starts = datetime.combine(day, time(8, 30), tzinfo=CHINA)
        slot = ScreeningSlot(clinic_id=clinic.id, starts_at=starts,
                             ends_at=starts + timedelta(hours=1, minutes=30), capacity=10,
                             booked=1)
        db.session.add(slot)
        db.session.flush()
        came = n != 2
        booking = ScreeningBooking(resident_id=resident.id, slot_id=slot.id,
                                   status="checked_in" if came else "missed",
                                   couple_id=couple.id, couple_key=couple.couple_key,
                                   child_order=couple.child_order,
                                   village_id=couple.village_id,
                                   checkin_code=f"{secrets.randbelow(10 ** 6):06d}")
        db.session.add(booking)
        db.session.flush()
        if not came:
            continue
        if n == 4:
            screening_results.record_results(
                staff["demo-clinic"], booking.id, "high_risk", ["chronic_disease"],
                "血压偏高，请先到内科就诊控制血压，再计划怀孕。", None)
        else:
            screening_results.record_results(
                staff["demo-clinic"], booking.id, "general", [],
                "可以计划怀孕，孕前三个月开始每天补充0.4毫克叶酸。", None)
        # Recorded on the day of the check, as it would have been.
        result = db.session.scalars(select(ScreeningResult).filter_by(
            booking_id=booking.id)).one()
        result.recorded_at = starts + timedelta(hours=3)
        checked += 1
    return checked


def _pickups(people: list[Resident], township: Township) -> int:
    cabinets = list(db.session.scalars(select(SupplyPoint).filter_by(
        township_id=township.id, kind="cabinet").order_by(SupplyPoint.id)))
    items = {i.code: i for i in db.session.scalars(select(SupplyItem))}
    wanted = [("condom-m", 10), ("condom-l", 6), ("gel-nonoxynol", 2), ("condom-m", 5)]
    for n, resident in enumerate(people):
        point = cabinets[n % len(cabinets)]
        code, quantity = wanted[n]
        pickup = pickups.request_pickup(resident, point.id,
                                        [pickups.Wanted(items[code].id, quantity)])
        supply_devices.redeem(point.id, pickup.code)
        supply_devices.report_dispense(point.id, f"demo-dispense-{n}", pickup.id, True)
    return len(people)
