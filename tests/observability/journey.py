"""One resident's day, through every transport, for the log and metrics tests: she tells the
official account her numbers, files a birth registration with her ID number and phone, books
the pre-pregnancy check, and picks up contraceptives at a cabinet (with a code, and with her
ID card)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from tests.factories import female_id, registration_form
from tests.helpers import drain_jobs, login
from tests.supplies.conftest import Cabinet
from wxapp.extensions import db
from wxapp.models import Clinic, ScreeningSlot, SupplyItem, SupplyPoint, Township, Village
from wxapp.models.base import utcnow
from wxapp.seeding.seed import seed_demo, seed_supply_items
from wxapp.services.registration.applications import CONSENT_TEXT_VERSION
from wxapp.testing.people import couple_body
from wxapp.transactions import commit

MOTHER_ID = female_id("19960711")
MOTHER_PHONE = "13912340001"
OPENID = "o_journey_mother"


@dataclass
class Journey:
    numbers: list[str] = field(default_factory=list)
    request_ids: list[str] = field(default_factory=list)


def _local_village() -> int:
    township = Township(code="320102009", name="旅程街道")
    db.session.add(township)
    db.session.flush()
    village = Village(township_id=township.id, code="320102009001", name="旅程社区")
    db.session.add(village)
    commit()
    return village.id


def _slot(village_id: int) -> int:
    village = db.session.get(Village, village_id)
    clinic = Clinic(township_id=village.township_id, name="旅程卫生院", address="旅程路1号",
                    phone="0000")
    db.session.add(clinic)
    commit()
    starts = utcnow() + timedelta(hours=48)
    slot = ScreeningSlot(clinic_id=clinic.id, starts_at=starts,
                         ends_at=starts + timedelta(hours=1), capacity=2, booked=0)
    db.session.add(slot)
    commit()
    return slot.id


def run_journey(client, sim, wechat) -> Journey:
    journey = Journey(numbers=[MOTHER_ID, MOTHER_PHONE])
    seed_supply_items()
    seed_demo()
    commit()

    def keep(response, status):
        assert response.status_code == status, response.get_data(as_text=True)
        journey.request_ids.append(response.headers["X-Request-Id"])
        return response

    # The official account: she types her numbers into the chat.
    reply = wechat.say(OPENID, f"我的身份证号{MOTHER_ID}，手机{MOTHER_PHONE}，怎么办生育登记？")
    assert reply and reply.get("Content")

    # Birth registration, with her ID number and phone.
    headers = login(client, sim, "journey-mother")
    keep(client.post("/api/v1/me/consents", headers=headers,
                     json={"text_version": CONSENT_TEXT_VERSION}), 201)
    east_lake = db.session.scalars(select(Village).filter_by(name="东湖村")).one().id
    form = registration_form(east_lake)
    form["mother"] = dict(form["mother"], id_number=MOTHER_ID, phone=MOTHER_PHONE)
    journey.numbers += [form["father"]["id_number"], form["father"]["phone"]]
    keep(client.post("/api/v1/me/registrations", headers=headers, json=form), 201)

    # The pre-pregnancy check: the couple's details, then a booking.
    village = _local_village()
    couple = couple_body(7, village)
    couple["wife"]["id_number"] = MOTHER_ID
    journey.numbers.append(couple["husband"]["id_number"])
    keep(client.put("/api/v1/me/screening-couple", headers=headers, json=couple), 200)
    keep(client.post("/api/v1/me/bookings", headers=headers,
                     json={"slot_id": _slot(village)}), 201)

    # A pickup with a code at the cabinet, then one with her ID card.
    point = db.session.scalars(select(SupplyPoint).filter_by(code="CAB-DH-01")).one()
    items = {i.code: i.id for i in db.session.scalars(select(SupplyItem))}
    issued = keep(client.post("/api/v1/me/pickups", headers=headers, json={
        "point_id": point.id, "items": [{"item_id": items["condom-m"], "quantity": 2}]}), 201)
    cabinet = Cabinet(client, "demo-cab-1", "demo-cabinet-secret-1")
    redeemed = keep(cabinet.post("/redeem", {"code": issued.get_json()["code"]}), 200)
    keep(cabinet.post("/dispense-results", {"event_id": "journey-event-1",
                                            "pickup_id": redeemed.get_json()["pickup_id"],
                                            "ok": True}), 200)
    keep(cabinet.post("/id-card-pickups", {"id_number": MOTHER_ID, "items": [
        {"code": "condom-l", "quantity": 1}]}), 200)
    drain_jobs()
    return journey
