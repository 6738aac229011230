"""The demo township with a little history, made the way residents, cabinets, clinics and the
bot make it (through the services), at moments the test chooses; only what no service can do
(book a slot in the past) is written directly, as the demo's own history does."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import select

from tests.china_clock import at_china
from tests.factories import registration_form
from wxapp.china_time import CHINA
from wxapp.extensions import db
from wxapp.models import (
    Clinic,
    ScreeningBooking,
    ScreeningSlot,
    StaffUser,
    SupplyItem,
    SupplyPoint,
    Township,
    Village,
)
from wxapp.seeding.seed import seed_demo, seed_supply_items
from wxapp.services.accounts import residents
from wxapp.services.chat import handovers
from wxapp.services.faq import bot
from wxapp.services.registration import applications
from wxapp.services.screening import couples
from wxapp.services.screening import results as screening_results
from wxapp.services.screening import stats as screening_stats
from wxapp.services.supplies import cabinets, ledger, pickups
from wxapp.services.supplies import staff_queries as supply_queries
from wxapp.testing.people import couple_body, make_id_number
from wxapp.transactions import commit


class DashboardWorld:
    """``seed_demo``'s township (东湖村, 西岭村, 南桥社区; two cabinets, a counter, a store,
    each point stocked with 60 of every item) and helpers that add history to it."""

    def __init__(self):
        seed_supply_items()
        seed_demo()
        commit()
        self.township = db.session.scalars(select(Township)).one()
        self.villages = {v.name: v for v in db.session.scalars(select(Village))}
        self.staff = {s.username: s for s in db.session.scalars(select(StaffUser))}
        self.points = {p.code: p for p in db.session.scalars(select(SupplyPoint))}
        self.items = {i.code: i for i in db.session.scalars(select(SupplyItem))}
        self.clinic = db.session.scalars(select(Clinic).order_by(Clinic.id)).first()
        self._people = 0

    def _resident(self):
        self._people += 1
        return residents.resident_for_miniprogram(f"dashboard-{self._people}", None)

    def village_worker(self, village: str, username: str) -> StaffUser:
        from wxapp.services.accounts.passwords import hash_password

        worker = StaffUser(username=username, display_name=f"{village}专干",
                           role="village_worker", township_id=self.township.id,
                           village_id=self.villages[village].id,
                           password_hash=hash_password("unused-in-these-tests"))
        db.session.add(worker)
        commit()
        return worker

    def registration(self, village: str, when: datetime) -> None:
        """A family of ``village`` files a birth registration at ``when``."""
        with at_china(when):
            resident = self._resident()
            n = self._people
            applications.record_consent(resident, applications.CONSENT_TEXT_VERSION)
            applications.submit(resident, registration_form(
                self.villages[village].id,
                mother={"name": "王芳", "phone": "13812345678", "hukou_region": "320102",
                        "id_number": make_id_number(
                            birth=(date(1995, 3, 1) + timedelta(days=n)).strftime("%Y%m%d"),
                            sequence=f"{(2 * n) % 1000:03d}")}))
            commit()

    def check(self, village: str, when: datetime, risk: str = "general") -> None:
        """A couple of ``village`` is checked before pregnancy, its results recorded at
        ``when``."""
        with at_china(when):
            resident = self._resident()
            couple = couples.save_couple(resident, couple_body(
                400 + self._people, self.villages[village].id,
                hukou_region=self.township.code[:6]))
            starts = when - timedelta(hours=2, minutes=self._people)
            slot = ScreeningSlot(clinic_id=self.clinic.id, starts_at=starts,
                                 ends_at=starts + timedelta(hours=1), capacity=10, booked=1)
            db.session.add(slot)
            db.session.flush()
            booking = ScreeningBooking(resident_id=resident.id, slot_id=slot.id,
                                       status="checked_in", couple_id=couple.id,
                                       couple_key=couple.couple_key,
                                       child_order=couple.child_order,
                                       village_id=couple.village_id,
                                       checkin_code=f"{secrets.randbelow(10 ** 6):06d}")
            db.session.add(booking)
            db.session.flush()
            factors = ["chronic_disease"] if risk == "high_risk" else []
            screening_results.record_results(self.staff["demo-clinic"], booking.id, risk,
                                             factors, "可以计划怀孕。", None)
            commit()

    def target(self, year: int, target: int) -> None:
        screening_stats.set_target(self.staff["demo-admin"], year, target)
        commit()

    def pickup(self, point_code: str, when: datetime, *items: tuple[str, int]) -> None:
        """A resident asks for ``items`` and the cabinet gives them out at ``when``."""
        point = self.points[point_code]
        with at_china(when):
            resident = self._resident()
            pickup = pickups.request_pickup(resident, point.id, [
                pickups.Wanted(self.items[code].id, quantity) for code, quantity in items])
            cabinets.redeem(point.id, pickup.code)
            cabinets.report_dispense(point.id, f"dashboard-{pickup.id}", pickup.id, True)
            commit()

    def threshold(self, point_code: str, item_code: str, low_threshold: int) -> None:
        supply_queries.set_threshold(self.staff["demo-admin"], self.points[point_code].id,
                                     self.items[item_code].id, low_threshold)
        commit()

    def lose_all(self, point_code: str, item_code: str) -> None:
        """Every unit of an item at a point is written off (damaged): the point has none."""
        point = self.points[point_code]
        stock = ledger.stock_at(self.staff["demo-admin"], point.id)
        row = next(r for r in stock["items"] if r["item_id"] == self.items[item_code].id)
        for batch in row["batches"]:
            ledger.record_loss(self.staff["demo-admin"], point.id, batch["batch_id"],
                               batch["quantity"], "受潮损坏")
        commit()

    def silent_cabinet(self, point_code: str, now: datetime) -> None:
        """A cabinet last heard from two hours before ``now``, then marked offline."""
        point = self.points[point_code]
        with at_china(now - timedelta(hours=2)):
            cabinets.heartbeat(point.id, [], [])
            commit()
        with at_china(now):
            cabinets.mark_silent_cabinets_offline()
            commit()

    def question(self, outcome: str, when: datetime) -> None:
        with at_china(when):
            bot.log_question("official_account", "怎么办理生育登记", outcome,
                             "reg-001" if outcome != "not_answered" else None, 0.9)
            commit()

    def handover(self, when: datetime) -> None:
        with at_china(when):
            handovers.leave_message(self._resident(), "official_account", "想咨询孕前检查")
            commit()


def make_history(world: DashboardWorld, now: datetime) -> None:
    """Made at the moments a month or a year turns in China, when UTC has not yet turned."""
    month_began = now.replace(day=1, hour=0, minute=5)  # UTC: still the month before
    last_month_night = now.replace(day=1, hour=0, minute=0) - timedelta(minutes=30)
    year_began = datetime(now.year, 1, 1, 0, 5, tzinfo=CHINA)
    world.registration("东湖村", now - timedelta(minutes=10))
    world.registration("东湖村", month_began)
    world.registration("西岭村", last_month_night)
    world.registration("西岭村", now - timedelta(days=400))  # before the twelve months

    world.target(now.year, 4)
    world.target(now.year - 1, 99)
    world.check("东湖村", now - timedelta(minutes=10))
    world.check("西岭村", year_began, risk="high_risk")
    world.check("东湖村", year_began - timedelta(minutes=35))  # 23:30 on New Year's Eve

    world.pickup("CAB-DH-01", now - timedelta(minutes=8), ("condom-m", 5))
    world.pickup("CAB-DH-01", month_began, ("condom-m", 2), ("condom-l", 2))  # one pickup
    world.pickup("CAB-XL-01", now - timedelta(minutes=6), ("condom-m", 3))
    world.pickup("CAB-XL-01", last_month_night, ("condom-m", 3))  # last month's
    world.threshold("CAB-DH-01", "gel-nonoxynol", 100)  # 60 left: low
    world.lose_all("CAB-XL-01", "condom-l")  # none left
    world.silent_cabinet("CAB-XL-01", now)

    thirty_days_began = (now - timedelta(days=29)).replace(hour=0, minute=1)
    for outcome in ("answered", "answered", "suggested", "not_answered"):
        world.question(outcome, now - timedelta(minutes=20))
    world.question("answered", thirty_days_began)
    world.question("not_answered", thirty_days_began - timedelta(minutes=2))  # day 31
    world.handover(now - timedelta(minutes=15))
    world.handover(thirty_days_began - timedelta(minutes=2))
