"""Who may open the knowledge pages: the township office and reviewers; village workers and
clinic staff are refused every page and action, and their attempts change nothing."""
from __future__ import annotations

import pytest

from tests.console.knowledge_world import ENTRIES, audits, entry, seed_knowledge

PAGES = [ENTRIES, f"{ENTRIES}/new", f"{ENTRIES}/folic.get", f"{ENTRIES}/unanswered",
         f"{ENTRIES}/not-ours", f"{ENTRIES}/not-ours.txt"]
ACTIONS = [f"{ENTRIES}/new", f"{ENTRIES}/folic.get", f"{ENTRIES}/try",
           f"{ENTRIES}/unanswered/attach", f"{ENTRIES}/unanswered/not-ours",
           f"{ENTRIES}/not-ours/1/remove", f"{ENTRIES}/not-ours"]


@pytest.fixture(autouse=True)
def knowledge(app):
    seed_knowledge(app)


@pytest.mark.parametrize("role", ["township_admin", "reviewer"])
@pytest.mark.parametrize("path", PAGES)
def test_the_office_and_reviewers_open_every_page(console, role, path):
    client, _ = console.sign_in(role)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("role", ["village_worker", "clinic"])
@pytest.mark.parametrize("path", PAGES)
def test_village_workers_and_clinics_are_refused_the_pages(app, console, role, path):
    client, _ = console.sign_in(role)
    response = client.get(path)
    assert response.status_code == 403
    assert "没有此项权限" in response.get_data(as_text=True)
    assert audits(app, "faq.not_ours_exported") == 0


@pytest.mark.parametrize("role", ["village_worker", "clinic"])
@pytest.mark.parametrize("path", ACTIONS)
def test_village_workers_and_clinics_change_nothing(app, console, role, path):
    before = entry(app, "folic.get")
    client, _ = console.sign_in(role)
    response = console.post(client, path, data={
        "category": "folic", "question": "改掉", "answer": "改掉的答案", "enabled": "1",
        "code": "folic.get", "log_ids": "1", "trial_question": "叶酸去哪领",
        "questions": "身份证怎么补办"})
    assert response.status_code == 403
    assert entry(app, "folic.get") == before
    assert audits(app, "faq.not_ours") == audits(app, "faq.not_ours_removed") == 0


def test_the_knowledge_base_is_in_the_navigation_of_editors_only(console):
    reviewer, _ = console.sign_in("reviewer")
    assert "问答知识库" in reviewer.get("/console/account").get_data(as_text=True)
    worker, _ = console.sign_in("village_worker")
    assert "问答知识库" not in worker.get("/console/account").get_data(as_text=True)


def test_signed_out_browsers_are_sent_to_sign_in(client):
    response = client.get(ENTRIES)
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_an_unknown_entry_is_not_found(console):
    client, _ = console.sign_in("reviewer")
    assert client.get(f"{ENTRIES}/folic.nothing").status_code == 404
    assert console.post(client, f"{ENTRIES}/try", data={
        "original_code": "folic.nothing", "trial_question": "叶酸"}, htmx=True).status_code == 404
