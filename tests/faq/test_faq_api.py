"""The mini-program's FAQ and staff's editor."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.helpers import error_code
from wxapp.extensions import db
from wxapp.models import AuditLog, KnowledgeEntry, QuestionLog
from wxapp.staff_api.faq import SIMILAR_QUESTIONS_MAX


def test_ask_returns_the_documented_shape(client, knowledge_base):
    body = client.post("/api/v1/faq/ask", json={"question": "孕前检查要钱吗"}).get_json()
    assert set(body) == {"matched", "code", "answer", "suggestions", "feedback_token", "intent"}
    assert body["intent"] is None
    assert body["matched"] is True and body["code"] == "precheck.free"
    assert "{" not in body["answer"]


def test_ask_out_of_scope_is_not_matched(client, knowledge_base):
    body = client.post("/api/v1/faq/ask", json={"question": "怎么申请房贷"}).get_json()
    assert body["matched"] is False and body["code"] is None


def test_ask_rejects_empty_and_oversized_questions(client, knowledge_base):
    assert error_code(client.post("/api/v1/faq/ask", json={"question": ""})) == \
        "request.validation_failed"
    assert client.post("/api/v1/faq/ask", json={"question": "长" * 501}).status_code == 422


def test_entries_can_be_listed_by_category(client, knowledge_base):
    entries = client.get("/api/v1/faq/entries?category=folic").get_json()
    assert {e["code"] for e in entries} >= {"folic.what", "folic.get"}
    assert all(e["category"] == "folic" for e in entries)


def test_editing_an_entry_changes_answers_without_a_restart(client, knowledge_base,
                                                            staff_headers):
    headers = staff_headers()
    def ask():
        return client.post("/api/v1/faq/ask", json={"question": "叶酸去哪领"}).get_json()
    assert ask()["code"] == "folic.get"
    patched = client.patch("/api/v1/staff/faq/entries/folic.get", headers=headers,
                           json={"answer": "叶酸请到{office_name}新址领取。"})
    assert patched.status_code == 200
    assert "新址" in ask()["answer"]
    client.post("/api/v1/staff/faq/entries/folic.get/disable", headers=headers)
    assert ask()["code"] != "folic.get"


def test_new_entry_is_matched_at_once_and_a_retry_creates_it_once(client, knowledge_base,
                                                                  staff_headers):
    headers = dict(staff_headers(), **{"Idempotency-Key": "new-entry-0001"})
    entry = {"code": "service.parking", "category": "service", "question": "办事大厅哪里停车",
             "similar_questions": ["停车场在哪", "开车去停哪里"], "keywords": ["停车"],
             "answer": "便民服务中心门口有免费停车位。"}
    first = client.post("/api/v1/staff/faq/entries", headers=headers, json=entry)
    second = client.post("/api/v1/staff/faq/entries", headers=headers, json=entry)
    assert first.status_code == second.status_code == 201
    assert db.session.scalars(select(KnowledgeEntry).filter_by(code="service.parking")).one()
    assert client.post("/api/v1/faq/ask", json={"question": "停车场在哪里"}).get_json()["code"] \
        == "service.parking"


def test_invalid_entry_names_the_field_and_saves_nothing(client, knowledge_base, staff_headers):
    response = client.post("/api/v1/staff/faq/entries", headers=staff_headers(), json={
        "code": "service.bad", "category": "service", "question": "问题",
        "answer": "请拨打{office_fax}"})
    assert response.status_code == 422 and "office_fax" in response.get_json()["error"]["message"]
    assert db.session.scalars(select(KnowledgeEntry).filter_by(code="service.bad")).first() is None


def test_village_worker_may_read_but_not_edit(client, knowledge_base, staff_headers):
    headers = staff_headers("demo-village")
    assert client.get("/api/v1/staff/faq/entries", headers=headers).status_code == 200
    response = client.patch("/api/v1/staff/faq/entries/folic.get", headers=headers,
                            json={"answer": "x"})
    assert response.status_code == 403


def test_residents_cannot_use_the_admin_api(client, knowledge_base, sim):
    from tests.helpers import login

    response = client.get("/api/v1/staff/faq/entries", headers=login(client, sim, "nosy"))
    assert response.status_code == 401


def test_unanswered_questions_are_grouped_and_one_step_adds_them(client, knowledge_base,
                                                                 staff_headers):
    for text in ("卫健办门口能停电动车吗", "卫健办门口可以停电动车吗", "医保卡怎么激活"):
        client.post("/api/v1/faq/ask", json={"question": text})
    headers = staff_headers()
    groups = client.get("/api/v1/staff/faq/unanswered", headers=headers).get_json()
    by_text = {g["representative"]: g for g in groups}
    assert any(g["count"] == 2 for g in groups), groups
    group = next(g for g in groups if g["count"] == 2)
    attached = client.post("/api/v1/staff/faq/unanswered/attach", headers=headers,
                           json={"log_ids": group["log_ids"], "code": "service.contact"})
    assert attached.status_code == 200
    assert group["representative"] in attached.get_json()["similar_questions"] or \
        any(t in attached.get_json()["similar_questions"] for t in group["examples"])
    remaining = client.get("/api/v1/staff/faq/unanswered", headers=headers).get_json()
    assert all(g["representative"] not in group["examples"] for g in remaining)
    assert "医保卡怎么激活" in by_text
    assert db.session.scalars(select(AuditLog).filter_by(action="faq.attach_question")).one()


def test_numbers_residents_type_are_not_kept_with_their_questions(client, knowledge_base,
                                                                  staff_headers):
    client.post("/api/v1/faq/ask", json={"question": "我身份证32010219950302006X怎么查不到医保"})
    client.post("/api/v1/faq/ask", json={"question": "电话13812345678打不通怎么办理医保"})
    stored = db.session.scalars(select(QuestionLog.text)).all()
    assert stored == ["我身份证[身份证号]怎么查不到医保", "电话[手机号]打不通怎么办理医保"]
    shown = str(client.get("/api/v1/staff/faq/unanswered", headers=staff_headers()).get_json())
    assert "3201021995" not in shown and "13812345678" not in shown


def test_hit_counts_follow_answers(client, knowledge_base, staff_headers):
    for _ in range(3):
        client.post("/api/v1/faq/ask", json={"question": "叶酸一天吃多少"})
    entry = client.get("/api/v1/staff/faq/entries/folic.what", headers=staff_headers()).get_json()
    assert entry["hit_count"] == 3


def test_export_then_import_round_trips(client, knowledge_base, staff_headers):
    headers = staff_headers()
    exported = client.get("/api/v1/staff/faq/export", headers=headers).get_json()
    result = client.post("/api/v1/staff/faq/import", headers=headers, json=exported).get_json()
    assert result == {"added": 0, "updated": 0, "unchanged": len(exported)}
    json.dumps(exported, ensure_ascii=False)


def test_an_entry_holds_residents_wordings_up_to_its_own_bound(client, knowledge_base,
                                                              staff_headers):
    headers = staff_headers()
    wordings = [f"第{n}种问法" for n in range(SIMILAR_QUESTIONS_MAX + 1)]
    url = "/api/v1/staff/faq/entries/folic.what"
    refused = client.patch(url, headers=headers, json={"similar_questions": wordings})
    assert refused.status_code == 422 and error_code(refused) == "request.validation_failed"
    assert "第0种问法" not in client.get(url, headers=headers).get_json()["similar_questions"]
    kept = client.patch(url, headers=headers, json={"similar_questions": wordings[:-1]})
    assert kept.status_code == 200
    assert len(client.get(url, headers=headers).get_json()["similar_questions"]) == \
        SIMILAR_QUESTIONS_MAX


def test_answers_name_the_townships_clinics(client, knowledge_base, staff_headers):
    staff_headers()  # seeds the demo township, whose clinics residents can book
    body = client.post("/api/v1/faq/ask", json={"question": "孕前检查在哪里做"}).get_json()
    assert body["code"] == "precheck.where" and "示范镇卫生院" in body["answer"]


def test_the_asker_rates_an_answer_once_with_its_token(client, knowledge_base):
    from wxapp.models.faq import QuestionLog

    body = client.post("/api/v1/faq/ask", json={"question": "孕前检查要钱吗"}).get_json()
    token = body["feedback_token"]
    assert client.post("/api/v1/faq/feedback", json={"token": token, "useful": False}
                       ).status_code == 204
    client.post("/api/v1/faq/feedback", json={"token": token, "useful": True})
    assert db.session.scalars(select(QuestionLog.feedback)).one() == "not_useful"
    forged = client.post("/api/v1/faq/feedback", json={"token": token[:-3] + "abc",
                                                        "useful": True})
    assert forged.status_code == 422 and error_code(forged) == "faq.feedback_token_invalid"
    unmatched = client.post("/api/v1/faq/ask", json={"question": "怎么申请房贷"}).get_json()
    assert unmatched["feedback_token"] is None


def test_a_group_marked_not_ours_is_refused_and_can_be_taken_back(client, knowledge_base,
                                                                   staff_headers):
    asked = "孕前检查可以开病假条吗"
    assert client.post("/api/v1/faq/ask", json={"question": asked}).get_json()["suggestions"]
    headers = staff_headers()
    group = next(g for g in client.get("/api/v1/staff/faq/unanswered", headers=headers)
                 .get_json() if asked in g["examples"])
    marked = client.post("/api/v1/staff/faq/unanswered/not-ours", headers=headers,
                         json={"log_ids": group["log_ids"]})
    assert marked.status_code == 200 and marked.get_json() == {"question": asked, "marked": True}
    again = client.post("/api/v1/staff/faq/unanswered/not-ours", headers=headers,
                        json={"log_ids": group["log_ids"]})
    assert again.get_json() == {"question": asked, "marked": False}
    refused = client.post("/api/v1/faq/ask", json={"question": "孕前检查给开病假条吗"})
    assert refused.get_json()["matched"] is False and refused.get_json()["suggestions"] == []
    listed = client.get("/api/v1/staff/faq/not-ours", headers=headers).get_json()
    assert [q["text"] for q in listed] == [asked]
    assert db.session.scalars(select(AuditLog).filter_by(action="faq.not_ours")).one()

    for _ in range(2):  # a retry finds nothing left to take off
        gone = client.delete(f"/api/v1/staff/faq/not-ours/{listed[0]['id']}", headers=headers)
        assert gone.status_code == 204
    assert client.get("/api/v1/staff/faq/not-ours", headers=headers).get_json() == []
    assert db.session.scalars(select(AuditLog).filter_by(action="faq.not_ours_removed")).one()
    assert client.post("/api/v1/faq/ask", json={"question": asked}).get_json()["suggestions"]


def test_marking_nothing_or_unknown_questions_is_refused(client, knowledge_base, staff_headers):
    headers = staff_headers()
    empty = client.post("/api/v1/staff/faq/unanswered/not-ours", headers=headers,
                        json={"log_ids": []})
    assert empty.status_code == 422 and error_code(empty) == "request.validation_failed"
    unknown = client.post("/api/v1/staff/faq/unanswered/not-ours", headers=headers,
                          json={"log_ids": [999999]})
    assert unknown.status_code == 404 and error_code(unknown) == "faq.question_not_found"
    assert client.get("/api/v1/staff/faq/not-ours", headers=headers).get_json() == []


NOT_OURS = "/api/v1/staff/faq/not-ours"


def test_a_list_of_not_ours_questions_is_added_once_and_downloads_as_text(
        client, knowledge_base, staff_headers):
    headers = staff_headers()
    listed = ["身份证丢了怎么补办", " 医保今年交多少钱 ", "", "身份证丢了怎么补办",
              "我的电话13812345678能改吗"]
    added = client.post(NOT_OURS, headers=headers, json={"questions": listed})
    assert added.status_code == 200 and added.get_json() == {"added": 3, "already": 0}
    again = client.post(NOT_OURS, headers=headers, json={"questions": listed})
    assert again.status_code == 200 and again.get_json() == {"added": 0, "already": 3}
    assert len(db.session.scalars(select(AuditLog).filter_by(action="faq.not_ours")).all()) == 3
    texts = [q["text"] for q in client.get(NOT_OURS, headers=headers).get_json()]
    # Newest first; the phone number redacted as the question log does.
    assert texts[1:] == ["医保今年交多少钱", "身份证丢了怎么补办"]
    assert "13812345678" not in texts[0]
    refused = client.post("/api/v1/faq/ask", json={"question": "医保今年交多少钱"}).get_json()
    assert refused["matched"] is False

    download = client.get(f"{NOT_OURS}.txt", headers=headers)
    assert download.status_code == 200 and download.mimetype == "text/plain"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"
    assert download.get_data(as_text=True).splitlines() == texts[::-1]
    assert db.session.scalars(select(AuditLog).filter_by(action="faq.not_ours_exported")).one()


@pytest.mark.parametrize("questions, code", [
    ([], "faq.not_ours_empty"),
    (["  ", ""], "faq.not_ours_empty"),
    ([f"第{n}个别的部门的问题" for n in range(201)], "faq.not_ours_too_many"),
    (["医保交多少钱", "长" * 201], "faq.not_ours_too_long"),
    (["医保交多少钱", "叶酸去哪领"], "faq.not_ours_is_ours"),
])
def test_a_list_that_cannot_be_added_is_refused_whole(client, knowledge_base, staff_headers,
                                                     questions, code):
    headers = staff_headers()
    refused = client.post(NOT_OURS, headers=headers, json={"questions": questions})
    assert refused.status_code == 422 and error_code(refused) == code, refused.get_json()
    assert "问题" in refused.get_json()["error"]["message"]  # said in Chinese, for staff
    assert client.get(NOT_OURS, headers=headers).get_json() == []
    assert not db.session.scalars(select(AuditLog).filter_by(action="faq.not_ours")).all()


@pytest.mark.parametrize("body", [{}, {"questions": "医保交多少钱"}, {"questions": [1]},
                                  {"questions": ["医保交多少钱"], "extra": True}])
def test_a_malformed_list_is_a_validation_error(client, knowledge_base, staff_headers, body):
    headers = staff_headers()
    refused = client.post(NOT_OURS, headers=headers, json=body)
    assert refused.status_code == 422 and error_code(refused) == "request.validation_failed"
    assert client.get(NOT_OURS, headers=headers).get_json() == []
