"""好差评: one rating per finished service, a call-back on a poor one, an appeal, and
satisfaction by month, service and village, without telling the rated whom they were rated by."""
from __future__ import annotations

import itertools
import threading
from datetime import date, datetime

import pytest

from tests.china_clock import at_china
from tests.factories import female_id
from tests.helpers import error_code
from wxapp.china_time import CHINA, to_china
from wxapp.extensions import db
from wxapp.models import ServiceRating
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD

_mothers = itertools.count(1)


def _form_of_another_mother(form):
    """Each case a different mother: one open registration per mother and pregnancy."""
    mother = form()["mother"] | {"id_number": female_id(f"199501{next(_mothers):02d}")}
    return form(mother=mother)


@pytest.fixture
def decided(client, resident, form, staff):
    """A resident's registration, approved by the demo reviewer: (her headers, subject)."""
    def make(user="rating-rita", approver="demo-reviewer"):
        headers = resident(user)
        reg = client.post("/api/v1/me/registrations", headers=headers,
                          json=_form_of_another_mother(form)).get_json()
        approved = client.post(f"/api/v1/staff/registrations/{reg['id']}/approve",
                               headers=staff(approver))
        assert approved.status_code == 200, approved.get_json()
        return headers, f"registration:{reg['id']}"
    return make


def _rate(client, headers, subject, score, comment=None):
    return client.post("/api/v1/me/ratings", headers=headers,
                       json={"subject": subject, "score": score, "comment": comment})


def _second_admin(client, staff):
    created = client.post("/api/v1/staff/accounts", headers=staff("demo-admin"), json={
        "username": "admin-two", "display_name": "第二管理员", "role": "township_admin",
        "password": DEMO_STAFF_PASSWORD})
    assert created.status_code == 201, created.get_json()
    return staff("admin-two")


def test_a_decided_registration_waits_to_be_rated_once(client, decided, app_ctx):
    headers, subject = decided()
    pending = client.get("/api/v1/me/ratings/pending", headers=headers).get_json()
    assert [p["subject"] for p in pending] == [subject]
    assert pending[0]["service_label"] == "生育登记"
    answer = _rate(client, headers, subject, 5, "很方便，不用跑腿")
    assert answer.status_code == 201
    assert answer.get_json()["score_label"] == "非常满意"
    assert answer.get_json()["callback_status"] == "none"
    assert client.get("/api/v1/me/ratings/pending", headers=headers).get_json() == []
    again = _rate(client, headers, subject, 1)
    assert again.status_code == 409 and error_code(again) == "rating.already_rated"
    assert db.session.query(ServiceRating).count() == 1


def test_only_her_own_finished_services_can_be_rated(client, decided, resident, form, app_ctx):
    headers, subject = decided()
    stranger = resident("rating-stranger")
    response = _rate(client, stranger, subject, 5)
    assert response.status_code == 404 and error_code(response) == "rating.subject_not_found"
    open_case = client.post("/api/v1/me/registrations", headers=stranger,
                            json=_form_of_another_mother(form)).get_json()
    response = _rate(client, stranger, f"registration:{open_case['id']}", 5)
    assert response.status_code == 404
    for subject_text in ("registration", "cabinet:1", "registration:abc", "registration:-1"):
        bad = _rate(client, headers, subject_text, 5)
        assert bad.status_code == 422, subject_text
    assert db.session.query(ServiceRating).count() == 0


@pytest.mark.parametrize("body", [{"score": 0}, {"score": 6}, {"score": "好"},
                                  {"score": 5, "comment": "长" * 301}])
def test_bad_ratings_are_refused_and_nothing_is_saved(client, decided, app_ctx, body):
    headers, subject = decided()
    response = client.post("/api/v1/me/ratings", headers=headers, json={"subject": subject,
                                                                        **body})
    assert response.status_code == 422
    assert db.session.query(ServiceRating).count() == 0


# A Friday afternoon in China: one working day later is the Monday.
FRIDAY = datetime(2027, 7, 2, 15, 0, tzinfo=CHINA)
MID_MONTH = datetime(2027, 6, 16, 10, 0, tzinfo=CHINA)


def test_a_poor_rating_opens_a_call_back_the_rated_reviewer_never_sees(client, decided, staff,
                                                                       app_ctx):
    with at_china(FRIDAY):
        _poor_rating_and_its_call_back(client, decided, staff)


def _poor_rating_and_its_call_back(client, decided, staff):
    headers, subject = decided(approver="demo-admin")
    rating = _rate(client, headers, subject, 2, "材料被退回两次，没说清楚").get_json()
    assert rating["callback_status"] == "open"
    # Due one working day later: from a Friday, the Monday.
    due = to_china(datetime.fromisoformat(rating["callback_due_at"]))
    assert due.date() == date(2027, 7, 5)
    # demo-admin approved the case: she is the one rated, and does not get the call-back.
    own = client.get("/api/v1/staff/ratings/callbacks", headers=staff("demo-admin")).get_json()
    assert own["items"] == []
    other_admin = _second_admin(client, staff)
    [item] = client.get("/api/v1/staff/ratings/callbacks", headers=other_admin).get_json()["items"]
    assert item["comment"] == "材料被退回两次，没说清楚" and item["score_label"] == "不满意"
    refused = client.get("/api/v1/staff/ratings/callbacks", headers=staff("demo-reviewer"))
    assert refused.status_code == 403


def test_call_back_then_appeal_once(client, decided, staff, app_ctx):
    headers, subject = decided()
    rating = _rate(client, headers, subject, 1).get_json()
    early = client.post(f"/api/v1/me/ratings/{rating['id']}/appeal", headers=headers,
                        json={"text": "还没人联系我"})
    assert early.status_code == 409 and error_code(early) == "rating.cannot_appeal"
    admin = staff("demo-admin")
    empty = client.post(f"/api/v1/staff/ratings/{rating['id']}/callback", headers=admin,
                        json={"note": "  "})
    assert empty.status_code == 422
    done = client.post(f"/api/v1/staff/ratings/{rating['id']}/callback", headers=admin,
                       json={"note": "已电话回访，退回原因已当面解释。"})
    assert done.status_code == 200 and done.get_json()["callback_status"] == "done"
    twice = client.post(f"/api/v1/staff/ratings/{rating['id']}/callback", headers=admin,
                        json={"note": "再次"})
    assert twice.status_code == 409
    notices = client.get("/api/v1/me/notices", headers=headers).get_json()["items"]
    assert notices[0]["title"] == "您的评价已处理" and "当面解释" in notices[0]["text"]
    appealed = client.post(f"/api/v1/me/ratings/{rating['id']}/appeal", headers=headers,
                           json={"text": "解释不清楚"})
    assert appealed.status_code == 200 and appealed.get_json()["callback_status"] == "appealed"
    again = client.post(f"/api/v1/me/ratings/{rating['id']}/appeal", headers=headers,
                        json={"text": "再申诉"})
    assert again.status_code == 409 and error_code(again) == "rating.already_appealed"
    [item] = client.get("/api/v1/staff/ratings/callbacks", headers=admin).get_json()["items"]
    assert item["appeal"] == "解释不清楚"


def test_monthly_satisfaction_by_service_and_village(client, decided, staff, villages, app_ctx):
    with at_china(MID_MONTH):
        _monthly_satisfaction(client, decided, staff, villages)


def _monthly_satisfaction(client, decided, staff, villages):
    for user, score in (("r-one", 5), ("r-two", 4), ("r-three", 2)):
        headers, subject = decided(user)
        assert _rate(client, headers, subject, score).status_code == 201
    month = "2027-06"
    [row] = client.get(f"/api/v1/staff/ratings/summary?month={month}",
                       headers=staff("demo-reviewer")).get_json()
    assert row["service"] == "registration" and row["village_id"] == villages["东湖村"]
    assert row["total"] == 3 and row["by_score"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert row["satisfaction_percent"] == 66.7
    # Nothing in the summary says who rated.
    assert "resident_id" not in row and "comment" not in row
    village = client.get(f"/api/v1/staff/ratings/summary?month={month}",
                         headers=staff("demo-village")).get_json()
    assert [r["total"] for r in village] == [3]  # the cases are of her village, 东湖村
    bad = client.get("/api/v1/staff/ratings/summary?month=2026-13",
                     headers=staff("demo-reviewer"))
    assert bad.status_code == 422


def test_clinic_staff_get_no_summary_as_in_the_console(client, decided, staff, app_ctx):
    with at_china(MID_MONTH):
        headers, subject = decided("r-clinic")
        assert _rate(client, headers, subject, 5).status_code == 201
        refused = client.get("/api/v1/staff/ratings/summary?month=2027-06",
                             headers=staff("demo-clinic"))
    assert refused.status_code == 403 and error_code(refused) == "auth.role_forbidden"
    assert "by_score" not in refused.get_data(as_text=True)


def test_a_rated_message_counts_in_the_village_it_was_left_for(client, resident, staff,
                                                                villages, app_ctx):
    with at_china(MID_MONTH):
        headers = resident("rating-helped")
        left = client.post("/api/v1/me/handovers", headers=headers, json={
            "message": "请村里帮我代办生育登记", "purpose": "filing_help",
            "village_id": villages["东湖村"]}).get_json()
        worker = staff("demo-village")
        answered = client.post(f"/api/v1/staff/faq/handovers/{left['id']}/answer",
                               headers=worker, json={"answer": "明天上午给您回电。"})
        assert answered.status_code == 200, answered.get_json()
        assert _rate(client, headers, f"handover:{left['id']}", 5).status_code == 201
        [row] = client.get("/api/v1/staff/ratings/summary?month=2027-06",
                           headers=worker).get_json()
        created = client.post("/api/v1/staff/accounts", headers=staff("demo-admin"), json={
            "username": "xl-worker-two", "display_name": "西岭村专干", "role": "village_worker",
            "village_id": villages["西岭村"], "password": DEMO_STAFF_PASSWORD})
        assert created.status_code == 201, created.get_json()
        other = client.get("/api/v1/staff/ratings/summary?month=2027-06",
                           headers=staff("xl-worker-two")).get_json()
    assert (row["service"], row["village_id"], row["total"]) == (
        "handover", villages["东湖村"], 1)
    assert other == []  # 西岭村's worker: not her village's message


@pytest.mark.postgres_only
def test_two_taps_at_once_rate_once(app, client, decided, app_ctx):
    headers, subject = decided()
    barrier, statuses = threading.Barrier(2), []

    def tap():
        barrier.wait(timeout=30)
        statuses.append(app.test_client().post(
            "/api/v1/me/ratings", headers=headers,
            json={"subject": subject, "score": 4}).status_code)

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201, 409]
    assert db.session.query(ServiceRating).count() == 1
