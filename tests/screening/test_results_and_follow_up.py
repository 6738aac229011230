"""After the check: results and advice for the couple only, the assessment letter, and the
follow-ups a high-risk couple and every checked couple get."""
from __future__ import annotations

from sqlalchemy import select, update

from tests.helpers import error_code, login
from wxapp.extensions import db
from wxapp.models import AuditLog, ScreeningBooking, ScreeningFollowUp
from wxapp.models.base import utcnow
from wxapp.testing.people import couple_body
from wxapp.transactions import commit

API = "/api/v1/staff/screening"
RESULTS = {"risk_category": "high_risk", "risk_factors": ["infection", "lifestyle"],
           "advice": "建议男方戒烟戒酒三个月后再怀孕；女方到县妇幼保健院复查。",
           "notes": "女方乙肝表面抗原阳性"}


def _checked_in_booking(client, couple_for, make_slot, user="checked"):
    me = couple_for(user)
    booking_id = client.post("/api/v1/me/bookings", headers=me,
                             json={"slot_id": make_slot()}).get_json()["id"]
    db.session.execute(update(ScreeningBooking).filter_by(id=booking_id).values(
        status="checked_in", checked_in_at=utcnow()))
    commit()
    return me, booking_id


def test_results_complete_the_booking_and_open_follow_ups(client, couple_for, make_slot,
                                                          staff_headers, home_village):
    me, booking_id = _checked_in_booking(client, couple_for, make_slot)
    staff = staff_headers(township_of_village=home_village)
    recorded = client.post(f"{API}/bookings/{booking_id}/results", headers=staff, json=RESULTS)
    assert recorded.status_code == 200
    assert recorded.get_json()["risk_category_text"] == "高风险人群"
    db.session.expire_all()
    assert db.session.get(ScreeningBooking, booking_id).status == "completed"
    kinds = {f.kind for f in db.session.scalars(select(ScreeningFollowUp))}
    assert kinds == {"referral", "early_pregnancy", "pregnancy_outcome"}
    # Correcting the results adds no second set of follow-ups.
    client.post(f"{API}/bookings/{booking_id}/results", headers=staff,
                json=dict(RESULTS, advice="复查后再决定怀孕时间。"))
    assert len(db.session.scalars(select(ScreeningFollowUp)).all()) == 3

    mine = client.get(f"/api/v1/me/bookings/{booking_id}/result", headers=me).get_json()
    assert mine["risk_factors"] == ["感染性疾病", "不良生活方式"]
    assert mine["advice"] == "复查后再决定怀孕时间。"
    assert "notes" not in mine  # clinicians' notes stay with staff
    letter = client.get(f"/api/v1/me/bookings/{booking_id}/letter.pdf", headers=me)
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")


def test_nobody_but_the_couple_sees_the_results(client, sim, couple_for, make_slot,
                                                staff_headers, home_village):
    me, booking_id = _checked_in_booking(client, couple_for, make_slot, "private")
    staff = staff_headers(township_of_village=home_village)
    client.post(f"{API}/bookings/{booking_id}/results", headers=staff, json=RESULTS)
    stranger = couple_for("stranger")
    assert client.get(f"/api/v1/me/bookings/{booking_id}/result",
                      headers=stranger).status_code == 404
    assert client.get(f"/api/v1/me/bookings/{booking_id}/letter.pdf",
                      headers=stranger).status_code == 404
    # The other spouse sees them once joined with the code the first spouse gave him.
    spouse = login(client, sim, "the-husband")
    client.put("/api/v1/me/screening-couple", headers=spouse, json=couple_body(0, home_village))
    assert client.get(f"/api/v1/me/bookings/{booking_id}/result",
                      headers=spouse).status_code == 404
    code = client.post("/api/v1/me/screening-couple/join-code", headers=me).get_json()
    assert client.post("/api/v1/me/screening-couple/join", headers=spouse,
                       json={"join_code": code["join_code"]}).status_code == 200
    assert client.get(f"/api/v1/me/bookings/{booking_id}/result",
                      headers=spouse).status_code == 200
    # Staff of another township cannot read them; staff reads are audited.
    assert client.get(f"{API}/bookings/{booking_id}/results",
                      headers=staff_headers()).status_code == 404
    seen = client.get(f"{API}/bookings/{booking_id}/results", headers=staff).get_json()
    assert seen["notes"] == RESULTS["notes"]
    assert db.session.scalars(select(AuditLog).filter_by(
        action="screening.results_read")).first() is not None


def test_results_need_a_check_in_and_valid_factors(client, couple_for, make_slot,
                                                   staff_headers, home_village):
    me = couple_for("early")
    booking_id = client.post("/api/v1/me/bookings", headers=me,
                             json={"slot_id": make_slot()}).get_json()["id"]
    staff = staff_headers(township_of_village=home_village)
    early = client.post(f"{API}/bookings/{booking_id}/results", headers=staff, json=RESULTS)
    assert early.status_code == 409 and error_code(early) == "screening.not_checked_in"
    not_ready = client.get(f"/api/v1/me/bookings/{booking_id}/result", headers=me)
    assert not_ready.status_code == 409 and error_code(not_ready) == "screening.results_not_ready"
    db.session.execute(update(ScreeningBooking).filter_by(id=booking_id).values(
        status="checked_in"))
    commit()
    unknown = client.post(f"{API}/bookings/{booking_id}/results", headers=staff,
                          json=dict(RESULTS, risk_factors=["astrology"]))
    assert unknown.status_code == 422 and error_code(unknown) == "screening.unknown_risk_factor"
    bare = client.post(f"{API}/bookings/{booking_id}/results", headers=staff,
                       json=dict(RESULTS, risk_factors=[]))
    assert error_code(bare) == "screening.risk_factors_required"
    assert db.session.get(ScreeningBooking, booking_id).status == "checked_in"
    village_worker = staff_headers("demo-village")
    assert client.post(f"{API}/bookings/{booking_id}/results", headers=village_worker,
                       json=RESULTS).status_code == 403


def test_follow_up_is_recorded_with_an_outcome_from_the_list(client, couple_for, make_slot,
                                                             staff_headers, home_village):
    _, booking_id = _checked_in_booking(client, couple_for, make_slot, "followed")
    staff = staff_headers(township_of_village=home_village)
    client.post(f"{API}/bookings/{booking_id}/results", headers=staff,
                json=dict(RESULTS, risk_category="general", risk_factors=[]))
    open_items = client.get(f"{API}/follow-ups", headers=staff).get_json()
    assert [f["kind"] for f in open_items] == ["early_pregnancy", "pregnancy_outcome"]
    early = open_items[0]
    wrong = client.post(f"{API}/follow-ups/{early['id']}", headers=staff,
                        json={"outcome": "live_birth"})
    assert wrong.status_code == 422 and error_code(wrong) == "screening.bad_outcome"
    done = client.post(f"{API}/follow-ups/{early['id']}", headers=staff,
                       json={"outcome": "pregnant", "notes": "孕8周，已建档"})
    assert done.get_json()["status"] == "done"
    assert len(client.get(f"{API}/follow-ups", headers=staff).get_json()) == 1
    assert client.post(f"{API}/follow-ups/{early['id']}", headers=staff_headers(),
                       json={"outcome": "pregnant"}).status_code == 404


def test_a_follow_up_is_recorded_once(client, couple_for, make_slot, staff_headers,
                                      home_village):
    _, booking_id = _checked_in_booking(client, couple_for, make_slot, "followed-once")
    staff = staff_headers(township_of_village=home_village)
    client.post(f"{API}/bookings/{booking_id}/results", headers=staff,
                json=dict(RESULTS, risk_category="general", risk_factors=[]))
    early = client.get(f"{API}/follow-ups", headers=staff).get_json()[0]
    path = f"{API}/follow-ups/{early['id']}"
    first = client.post(path, headers=staff, json={"outcome": "pregnant", "notes": "孕8周"})
    assert first.status_code == 200
    # A retry answers what was recorded and writes nothing.
    retry = client.post(path, headers=staff, json={"outcome": "pregnant", "notes": "又一次"})
    assert retry.status_code == 200 and retry.get_json() == first.get_json()
    other = client.post(path, headers=staff, json={"outcome": "not_pregnant"})
    assert other.status_code == 409
    assert error_code(other) == "screening.follow_up_already_recorded"
    db.session.expire_all()
    recorded = db.session.get(ScreeningFollowUp, early["id"])
    assert (recorded.outcome, recorded.notes) == ("pregnant", "孕8周")
    assert len(db.session.scalars(select(AuditLog).filter_by(
        action="screening.follow_up_recorded")).all()) == 1
