"""A month of history for the reports to hand in, made through the services at moments the
test chooses: some of it at the month's two edges (the 1st just after midnight China time,
when UTC is still in the month before; the last evening), some just outside it.

What the month holds, by village (东湖村 / 西岭村 / 南桥社区):
- registrations 2 / 1 / 0, one more just before the month and one just after it;
- checks 2 (one high-risk) / 1 / 0, one more just after the month;
- pickups at 东湖村's cabinet 2 (5 medium condoms; 2 medium + 2 large in one pickup),
  at 西岭村's 1 (3 medium), one more at 东湖村's just before the month;
- ratings of those pickups: 东湖村 非常满意 and 不满意 (a 差评), 西岭村 满意.
The township's target for the month's year is 10 couples; no village has a share."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.china_clock import at_china
from tests.console.dashboard_world import DashboardWorld
from wxapp.china_time import CHINA
from wxapp.extensions import db
from wxapp.models import Pickup, Resident
from wxapp.services import ratings
from wxapp.transactions import commit

TOWNSHIP_TARGET = 10


@dataclass(frozen=True)
class Month:
    name: str  # 2027-05
    start: datetime  # China time
    end: datetime

    @classmethod
    def before(cls, moment: datetime) -> Month:
        """The calendar month (China's) before ``moment``'s."""
        moment = moment.astimezone(CHINA)
        end = datetime(moment.year, moment.month, 1, tzinfo=CHINA)
        last = end - timedelta(days=1)
        start = datetime(last.year, last.month, 1, tzinfo=CHINA)
        return cls(f"{start.year}-{start.month:02d}", start, end)


def rate_last_pickup(when: datetime, score: int) -> None:
    with at_china(when):
        pickup = db.session.scalars(select(Pickup).order_by(Pickup.id.desc())).first()
        resident = db.session.get(Resident, pickup.resident_id)
        ratings.rate(resident, f"pickup:{pickup.id}", score, None)
        commit()


def make_month(world: DashboardWorld, month: Month) -> None:
    first_minutes = month.start + timedelta(minutes=5)  # UTC: still the month before
    middle = month.start + timedelta(days=9, hours=10)
    last_evening = month.end - timedelta(minutes=30)
    before, after = month.start - timedelta(minutes=30), month.end + timedelta(minutes=5)

    world.registration("东湖村", first_minutes)
    world.registration("东湖村", middle)
    world.registration("西岭村", last_evening)
    world.registration("西岭村", before)
    world.registration("南桥社区", after)

    world.target(month.start.year, TOWNSHIP_TARGET)
    world.check("东湖村", first_minutes + timedelta(hours=3))
    world.check("东湖村", middle, risk="high_risk")
    world.check("西岭村", last_evening)
    world.check("西岭村", after + timedelta(hours=3))

    world.pickup("CAB-DH-01", before, ("condom-m", 1))
    world.pickup("CAB-DH-01", first_minutes, ("condom-m", 5))
    rate_last_pickup(first_minutes + timedelta(minutes=2), 5)
    world.pickup("CAB-DH-01", middle, ("condom-m", 2), ("condom-l", 2))
    rate_last_pickup(middle + timedelta(minutes=2), 2)
    world.pickup("CAB-XL-01", last_evening, ("condom-m", 3))
    rate_last_pickup(last_evening + timedelta(minutes=2), 4)
