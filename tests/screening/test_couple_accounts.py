"""A couple's bookings, results and letter belong to the accounts that made and joined them.
Typing the same two ID numbers proves nothing: a stranger who does sees nothing and blocks
nobody; the real spouse joins with a code the first spouse (or staff) gives them."""
from __future__ import annotations

from sqlalchemy import select, update

from tests.helpers import allow_messages, drain_jobs, error_code, login
from wxapp.extensions import db
from wxapp.models import ScreeningBooking, ScreeningCouple
from wxapp.models.base import utcnow
from wxapp.testing.people import couple_body
from wxapp.transactions import commit

COUPLE = "/api/v1/me/screening-couple"
RESULTS = {"risk_category": "high_risk", "risk_factors": ["infection"],
           "advice": "女方到县妇幼保健院复查后再计划怀孕。"}


def _account(client, sim, user, village, n=0, **changes):
    headers = login(client, sim, user)
    saved = client.put(COUPLE, headers=headers, json=couple_body(n, village, **changes))
    assert saved.status_code == 200, saved.get_json()
    return headers


def _book(client, headers, slot_id):
    return client.post("/api/v1/me/bookings", headers=headers, json={"slot_id": slot_id})


def _join(client, headers, code):
    return client.post(f"{COUPLE}/join", headers=headers, json={"join_code": code})


def _code(client, headers):
    issued = client.post(f"{COUPLE}/join-code", headers=headers)
    assert issued.status_code == 201, issued.get_json()
    return issued.get_json()["join_code"]


def _with_results(client, booking_id, staff):
    db.session.execute(update(ScreeningBooking).filter_by(id=booking_id).values(
        status="checked_in", checked_in_at=utcnow()))
    commit()
    recorded = client.post(f"/api/v1/staff/screening/bookings/{booking_id}/results",
                           headers=staff, json=RESULTS)
    assert recorded.status_code == 200


def test_stranger_with_the_same_id_numbers_sees_nothing_of_the_couple(
        client, sim, home_village, make_slot, staff_headers):
    wife = _account(client, sim, "real-wife", home_village)
    booking_id = _book(client, wife, make_slot()).get_json()["id"]
    stranger = _account(client, sim, "stranger", home_village,
                        wife={"name": "冒充", "id_number": couple_body(0, 0)["wife"]["id_number"],
                              "hukou_region": "320102"})
    result_url = f"/api/v1/me/bookings/{booking_id}/result"
    # Not even "not ready yet": the booking does not exist for him.
    not_ready = client.get(result_url, headers=stranger)
    assert not_ready.status_code == 404 and error_code(not_ready) == "booking.not_found"
    _with_results(client, booking_id, staff_headers(township_of_village=home_village))
    assert client.get(result_url, headers=wife).status_code == 200
    for url in (result_url, f"/api/v1/me/bookings/{booking_id}/letter.pdf"):
        assert client.get(url, headers=stranger).status_code == 404
    assert client.get("/api/v1/me/bookings", headers=stranger).get_json() == []
    assert client.post(f"/api/v1/me/bookings/{booking_id}/cancel",
                       headers=stranger).status_code == 404


def test_stranger_who_books_first_does_not_block_the_real_couple(client, sim, home_village,
                                                                 make_slot):
    stranger = _account(client, sim, "squatter", home_village)
    squatted = _book(client, stranger, make_slot())
    assert squatted.status_code == 201  # a booking of his own, for nobody else
    wife = _account(client, sim, "booked-out-wife", home_village)
    mine = _book(client, wife, make_slot())
    assert mine.status_code == 201, mine.get_json()
    # Nor can he join the couple without a code the wife gave.
    refused = _join(client, stranger, "12345678")
    assert refused.status_code == 409 and error_code(refused) == "screening.join_code_invalid"
    assert client.get(f"/api/v1/me/bookings/{mine.get_json()['id']}/result",
                      headers=stranger).status_code == 404


def test_real_spouse_joins_with_the_code_and_then_sees_and_shares_the_booking(
        client, sim, home_village, make_slot, staff_headers):
    wife = _account(client, sim, "joining-wife", home_village)
    husband = _account(client, sim, "joining-husband", home_village)
    booking_id = _book(client, wife, make_slot()).get_json()["id"]
    _with_results(client, booking_id, staff_headers(township_of_village=home_village))
    assert client.get(f"/api/v1/me/bookings/{booking_id}/result",
                      headers=husband).status_code == 404
    code = _code(client, wife)
    joined = _join(client, husband, code)
    assert joined.status_code == 200 and joined.get_json()["accounts"] == 2
    result = client.get(f"/api/v1/me/bookings/{booking_id}/result", headers=husband)
    assert result.status_code == 200 and result.get_json()["risk_category"] == "high_risk"
    letter = client.get(f"/api/v1/me/bookings/{booking_id}/letter.pdf", headers=husband)
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")
    assert [b["id"] for b in client.get("/api/v1/me/bookings", headers=husband).get_json()] \
        == [booking_id]
    # One couple now: one record, and the code is used up.
    assert len(db.session.scalars(select(ScreeningCouple)).all()) == 1
    retried = _join(client, husband, code)  # the answer to his tap got lost
    assert retried.status_code == 200 and retried.get_json() == joined.get_json()
    complete = client.post(f"{COUPLE}/join-code", headers=wife)
    assert complete.status_code == 409 and error_code(complete) == "screening.couple_complete"


def test_joining_needs_the_same_id_numbers_as_well_as_the_code(client, sim, home_village):
    wife = _account(client, sim, "careful-wife", home_village, n=3)
    other = _account(client, sim, "wrong-pair", home_village, n=4)
    refused = _join(client, other, _code(client, wife))
    assert refused.status_code == 409 and error_code(refused) == "screening.join_code_invalid"
    nobody = login(client, sim, "no-couple-yet")
    assert error_code(_join(client, nobody, "00000000")) == "screening.couple_required"


def test_guessing_codes_stops_after_a_few_tries(client, sim, home_village):
    wife = _account(client, sim, "guarded-wife", home_village, n=5)
    code = _code(client, wife)
    guesser = _account(client, sim, "guesser", home_village, n=5)
    wrong = f"{(int(code) + 1) % 10 ** 8:08d}"
    for _ in range(5):
        assert error_code(_join(client, guesser, wrong)) == "screening.join_code_invalid"
    stopped = _join(client, guesser, code)  # even the right code, now
    assert stopped.status_code == 409
    assert error_code(stopped) == "screening.join_attempts_exceeded"


def test_spouses_each_holding_a_booking_must_cancel_one_before_joining(client, sim,
                                                                       home_village, make_slot):
    wife = _account(client, sim, "double-wife", home_village, n=6)
    husband = _account(client, sim, "double-husband", home_village, n=6)
    assert _book(client, wife, make_slot()).status_code == 201
    his = _book(client, husband, make_slot()).get_json()["id"]
    code = _code(client, wife)
    clash = _join(client, husband, code)
    assert clash.status_code == 409 and error_code(clash) == "screening.join_conflict"
    client.post(f"/api/v1/me/bookings/{his}/cancel", headers=husband)
    assert _join(client, husband, code).status_code == 200
    # His cancelled booking is now the couple's history, seen by both.
    assert his in [b["id"] for b in client.get("/api/v1/me/bookings", headers=wife).get_json()]


def test_staff_who_saw_both_id_cards_can_issue_the_code(client, sim, home_village,
                                                        staff_headers):
    wife = _account(client, sim, "phone-lost-wife", home_village, n=8)
    husband = _account(client, sim, "office-husband", home_village, n=8)
    couple_id = db.session.scalars(select(ScreeningCouple.id).order_by(ScreeningCouple.id)
                                   ).first()
    url = f"/api/v1/staff/screening/couples/{couple_id}/join-code"
    assert client.post(url, headers=staff_headers()).status_code == 404  # other township
    issued = client.post(url, headers=staff_headers(township_of_village=home_village))
    assert issued.status_code == 201
    joined = _join(client, husband, issued.get_json()["join_code"])
    assert joined.status_code == 200 and joined.get_json()["accounts"] == 2
    assert client.get(COUPLE, headers=wife).get_json()["accounts"] == 2


def test_both_accounts_of_a_joined_couple_hear_of_the_booking_and_nobody_else(
        client, sim, home_village, make_slot, staff_headers):
    template = "TPL_SCREENING_NOTICE"
    wife = _account(client, sim, "told-wife", home_village, n=9)
    husband = _account(client, sim, "told-husband", home_village, n=9)
    stranger = _account(client, sim, "untold-stranger", home_village, n=9)
    openids = {name: allow_messages(client, sim, headers, name, template)
               for name, headers in (("told-wife", wife), ("told-husband", husband),
                                     ("untold-stranger", stranger))}
    assert _join(client, husband, _code(client, wife)).status_code == 200
    assert _book(client, wife, make_slot()).status_code == 201
    drain_jobs()
    subjects = {name: [m["payload"]["data"]["thing1"]["value"]
                       for m in sim.outbox(touser=openid)["messages"]]
                for name, openid in openids.items()}
    assert subjects == {"told-wife": ["孕前检查预约成功"], "told-husband": ["孕前检查预约成功"],
                        "untold-stranger": []}
