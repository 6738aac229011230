"""Two phones of one couple submitting the same pregnancy at the same moment."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from wxapp.extensions import db
from wxapp.models import BirthRegistration


def test_concurrent_double_submit_creates_one_record(app, client, resident, form, app_ctx):
    wife, husband = resident("wife"), resident("husband")
    data_wife, data_husband = form(), form(filer_role="father")
    barrier = threading.Barrier(2)
    statuses = []

    def submit(headers, data):
        with app.test_client() as own_client:
            barrier.wait()
            statuses.append(own_client.post("/api/v1/me/registrations", headers=headers,
                                            json=data).status_code)

    threads = [threading.Thread(target=submit, args=(wife, data_wife)),
               threading.Thread(target=submit, args=(husband, data_husband))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(BirthRegistration.id))) == 1
