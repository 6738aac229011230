"""Messages residents leave for staff (转人工, 请村里代办), made through the service as the
official account and the mini-program make them, each in its own app context (a test
client's requests must not share the test's session)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy import select

from tests.helpers import drain_jobs
from wxapp.extensions import db
from wxapp.models import NoticeDelivery, Resident, ResidentNotice, ResidentProfile, Village
from wxapp.models.base import utcnow
from wxapp.models.faq import Handover
from wxapp.seeding.seed import seed_demo
from wxapp.services.chat import handovers
from wxapp.transactions import commit

_numbers = itertools.count(1)


@dataclass
class Left:
    handover_id: int
    resident_id: int
    oa_openid: str


class Inbox:
    def __init__(self, app):
        self.app = app
        with app.app_context():
            seed_demo()
            commit()
            self.villages = {v.name: v.id for v in db.session.scalars(select(Village))}

    def leave(self, message: str = "请问孕前检查要带什么？", *, village: str | None = None,
              name: str = "王芳", phone: str | None = "13812345678", sms_consent: bool = False,
              channel: str = "official_account") -> Left:
        """A follower of the official account (with her profile) leaves a message; with
        ``village`` it is a 请村里代办 request for that village's workers."""
        n = next(_numbers)
        with self.app.app_context():
            resident = Resident(oa_openid=f"oa-inbox-{n}", follows_official_account=True)
            db.session.add(resident)
            db.session.flush()
            db.session.add(ResidentProfile(resident_id=resident.id, name=name, phone=phone,
                                           sms_consent_at=utcnow() if sms_consent else None))
            left = handovers.leave_message(
                resident, channel, message,
                purpose="filing_help" if village else "question",
                village_id=self.villages[village] if village else None)
            commit()
            return Left(left.id, resident.id, resident.oa_openid)

    def handover(self, handover_id: int) -> Handover:
        with self.app.app_context():
            found = db.session.get(Handover, handover_id)
            db.session.expunge(found)
            return found

    def notices(self, handover_id: int) -> list[tuple[str | None, list[tuple[str, str]]]]:
        """(delivered_via, [(channel, status)]) of each notice about the message."""
        with self.app.app_context():
            drain_jobs()
            found = db.session.scalars(select(ResidentNotice).filter_by(
                subject=f"handover:{handover_id}").order_by(ResidentNotice.id)).all()
            return [(n.delivered_via, [(d.channel, d.status) for d in n.deliveries])
                    for n in found]

    def as_if_still_sending(self, handover_id: int) -> None:
        """The answer's notice as it is before the delivery job has run (the queue is
        behind): no delivery record yet."""
        with self.app.app_context():
            notice = db.session.scalars(select(ResidentNotice).filter_by(
                subject=f"handover:{handover_id}")).one()
            for delivery in db.session.scalars(select(NoticeDelivery).filter_by(
                    notice_id=notice.id)):
                db.session.delete(delivery)
            notice.delivered_via = None
            notice.delivered_at = None
            commit()
