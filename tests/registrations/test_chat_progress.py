"""进度 in the official account lists the resident's own birth registrations."""
from __future__ import annotations

from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import Resident
from wxapp.transactions import commit


def test_progress_keyword_lists_her_applications(client, wechat, resident, form, app_ctx):
    me = resident("progress")
    submitted = client.post("/api/v1/me/registrations", headers=me, json=form()).get_json()
    person = db.session.scalars(select(Resident)).one()
    person.oa_openid = "o_progress"
    commit()
    reply = wechat.say("o_progress", "进度")["Content"]
    assert f"{submitted['application_no']}：待审核" in reply
    assert submitted["application_no"] not in wechat.say("o_nobody", "进度")["Content"]
