"""Ratings for the console's 好差评 tests: poor ones given through the real ``ratings.rate`` (so
the rated member of staff is whoever the service links, and the call-back deadline is its
own), and plain counts written straight to the table for the monthly figures."""
from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import select

from tests.china_clock import at_china
from tests.console import records
from wxapp.extensions import db
from wxapp.models import Resident, ResidentProfile, ServiceRating, StaffUser
from wxapp.models.base import utcnow
from wxapp.seeding.seed import seed_demo
from wxapp.services import ratings
from wxapp.transactions import commit

_numbers = itertools.count(1)


class RatingWorld:
    def __init__(self, app):
        self.app = app
        with app.app_context():
            seed_demo()
            commit()

    def _resident(self, name: str | None, phone: str | None) -> Resident:
        resident = Resident(mp_openid=f"rater-{next(_numbers)}")
        db.session.add(resident)
        db.session.flush()
        if name or phone:
            db.session.add(ResidentProfile(resident_id=resident.id, name=name, phone=phone))
        return resident

    def rated_case(self, *, score: int = 2, comment: str | None = "材料被退回两次，没说清楚",
                   village: str = "东湖村", decided_by: int | None = None,
                   name: str | None = "陈静怡", phone: str | None = "13912345678",
                   when: datetime | None = None) -> int:
        """A registration of ``village`` decided by ``decided_by`` (a staff id, or the demo
        reviewer), rated by the resident who filed it; the rating's id."""
        def make():
            with self.app.app_context():
                resident = self._resident(name, phone)
                decider = decided_by or db.session.scalars(
                    select(StaffUser.id).filter_by(username="demo-reviewer")).one()
                reg = records.registration(records.village(village), status="approved",
                                           resident_id=resident.id,
                                           decided_by_staff_id=decider, decided_at=utcnow())
                rating = ratings.rate(resident, f"registration:{reg.id}", score, comment)
                commit()
                return rating.id
        if when is None:
            return make()
        with at_china(when):
            return make()

    def counts(self, service: str, village: str | None, scores: dict[int, int],
               when: datetime) -> None:
        """``scores`` ({5: 3, 2: 1}) ratings of ``service`` in ``village`` made at ``when``."""
        with self.app.app_context():
            place = records.village(village) if village else None
            township_id = place.township_id if place else db.session.scalars(
                select(StaffUser.township_id).filter_by(username="demo-admin")).one()
            for score, count in scores.items():
                for _ in range(count):
                    resident = self._resident(None, None)
                    db.session.add(ServiceRating(
                        resident_id=resident.id, service=service,
                        subject=f"{service}:{next(_numbers)}", score=score,
                        township_id=township_id, village_id=place.id if place else None,
                        created_at=when))
            commit()

    def call_back_and_appeal(self, rating_id: int, note: str, appeal: str) -> None:
        """The demo office calls her back; she disagrees with the handling."""
        with self.app.app_context():
            admin = db.session.scalars(select(StaffUser).filter_by(username="demo-admin")).one()
            rating = ratings.record_callback(admin, rating_id, note)
            ratings.appeal(db.session.get(Resident, rating.resident_id), rating_id, appeal)
            commit()

    def rating(self, rating_id: int) -> ServiceRating:
        with self.app.app_context():
            found = db.session.get(ServiceRating, rating_id)
            db.session.expunge(found)
            return found
