"""The common-questions page: its topics are the knowledge base's, as big links, each to the
topic's own address; the entries themselves come from the public /api/v1/faq/entries."""
from __future__ import annotations

import re

from wxapp.services.faq.admin import known_categories


def test_faq_page_lists_every_topic_by_its_chinese_name_as_a_link(client):
    html = client.get("/h5/faq").get_data(as_text=True)
    topics = known_categories()
    assert topics and "免费孕前优生健康检查" in topics.values()
    links = dict(re.findall(r'href="/h5/faq\?topic=([^"]+)" data-topic="[^"]+">'
                            r'<span class="menu-title">([^<]+)</span>', html))
    assert links == topics


def test_faq_page_offers_asking_the_bot_and_a_person(client):
    html = client.get("/h5/faq?topic=precheck").get_data(as_text=True)
    assert 'href="/h5/ask"' in html and 'href="/h5/ask?person=1"' in html


def test_home_menu_leads_to_the_common_questions(client):
    assert 'href="/h5/faq"' in client.get("/h5/").get_data(as_text=True)


def test_every_topic_link_finds_its_entries_in_the_api(app, client):
    from wxapp.seeding.seed import seed_default
    from wxapp.transactions import commit

    with app.app_context():
        seed_default()
        commit()
    for code in known_categories():
        entries = client.get(f"/api/v1/faq/entries?category={code}").get_json()
        assert entries and {e["category"] for e in entries} == {code}, code
