"""通知送达: the office and reviewers see every notice of a month (China's month), how each
reached the resident, and which only wait in her notice list; names masked, pickups by kind
only. The registration desk's case page shows the same for its applicant."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from tests.china_clock import at_china
from tests.console.desk_data import make_desk
from tests.factories import registration_form
from tests.helpers import drain_jobs, login
from wxapp.china_time import CHINA
from wxapp.extensions import db
from wxapp.models import AuditLog, Resident, ResidentProfile
from wxapp.models.base import utcnow
from wxapp.seeding.seed import seed_demo
from wxapp.services.registration.applications import CONSENT_TEXT_VERSION
from wxapp.services.resident_notices import BySms, tell
from wxapp.transactions import commit

JANUARY_NIGHT = datetime(2026, 1, 31, 23, 30, tzinfo=CHINA)  # UTC: 15:30 on the 31st
FEBRUARY_DAWN = datetime(2026, 2, 1, 0, 10, tzinfo=CHINA)  # UTC: still 31 January


class Notices:
    def __init__(self, app):
        self.app = app
        self.people = 0
        with app.app_context():
            seed_demo()
            commit()

    def resident(self, name: str, *, sms_consent: bool = False) -> int:
        self.people += 1
        with self.app.app_context():
            resident = Resident(oa_openid=f"oa-notices-{self.people}",
                                follows_official_account=True)
            db.session.add(resident)
            db.session.flush()
            db.session.add(ResidentProfile(resident_id=resident.id, name=name,
                                           phone=f"1390000{self.people:04d}",
                                           sms_consent_at=utcnow() if sms_consent else None))
            commit()
            return resident.id

    def tell(self, resident_id: int, kind: str, subject: str, title: str,
             when: datetime | None = None) -> None:
        def told():
            with self.app.app_context():
                tell(resident_id, kind, dedupe_key=f"{subject}:{kind}", subject=subject,
                     title=title, text=f"{title}。",
                     sms=BySms("service_update", ["测试", "有新消息"]))
                commit()
                drain_jobs()

        if when is None:
            told()
        else:
            with at_china(when):
                told()


@pytest.fixture
def notices(app, sim, sms_gateway):
    return Notices(app)


def test_the_office_sees_how_each_notice_reached_whom(console, notices):
    texted = notices.resident("王芳", sms_consent=True)
    listed = notices.resident("李娜")
    notices.tell(texted, "registration_approved", "registration:41", "生育登记已登记")
    notices.tell(listed, "pickup_follow_up", "pickup:7", "避孕药具使用回访")
    client, _ = console.sign_in("township_admin")
    page = client.get("/console/notices").get_data(as_text=True)
    assert "王*" in page and "李*" in page and "王芳" not in page and "李娜" not in page
    assert "生育登记已登记" in page and "已短信通知" in page
    assert "/console/registrations/41" in page
    # A pickup is told by its kind: no title that could name what she took.
    assert "避孕药具" not in page and "使用回访" in page
    assert "居民下次打开时可在通知中看到" in page and "短信：未同意短信" in page


def test_only_what_waits_in_the_notice_list(console, notices):
    notices.tell(notices.resident("王芳", sms_consent=True), "handover_answered",
                 "handover:1", "工作人员回复了您的留言")
    notices.tell(notices.resident("李娜"), "screening_confirmed", "booking:3", "孕前检查预约成功")
    client, _ = console.sign_in("reviewer")
    page = client.get("/console/notices?waiting=1").get_data(as_text=True)
    assert "孕前检查预约成功" in page and "工作人员回复了您的留言" not in page
    assert "共 1 条" in page and "尚未查看" in page
    about = client.get("/console/notices?about=handover").get_data(as_text=True)
    assert "工作人员回复了您的留言" in about and "孕前检查预约成功" not in about


def test_months_are_chinas_months(console, notices):
    resident = notices.resident("王芳")
    notices.tell(resident, "registration_approved", "registration:1", "一月的通知", JANUARY_NIGHT)
    notices.tell(resident, "registration_returned", "registration:2", "二月的通知", FEBRUARY_DAWN)
    client, _ = console.sign_in("township_admin")
    january = client.get("/console/notices?month=2026-01").get_data(as_text=True)
    february = client.get("/console/notices?month=2026-02").get_data(as_text=True)
    assert "一月的通知" in january and "二月的通知" not in january
    assert "二月的通知" in february and "一月的通知" not in february


@pytest.mark.parametrize(("query", "field", "says"), [
    ("month=2026-13", "month", "请按“年-月”选择月份"),
    ("month=January", "month", "请按“年-月”选择月份"),
    ("about=everything", "about", "请从列表中选择业务"),
])
def test_a_filter_it_cannot_read_is_said_beside_its_field(console, notices, query, field,
                                                          says):
    notices.tell(notices.resident("王芳"), "registration_approved", "registration:1", "某通知")
    client, _ = console.sign_in("township_admin")
    response = client.get(f"/console/notices?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert says in html and f'id="{field}-error"' in html and "某通知" not in html


def test_reading_the_page_is_recorded(console, notices):
    notices.tell(notices.resident("王芳"), "registration_approved", "registration:1", "某通知")
    client, staff = console.sign_in("reviewer")
    client.get("/console/notices")
    with notices.app.app_context():
        [row] = db.session.scalars(select(AuditLog).filter_by(action="notices.list",
                                                             actor_id=str(staff.id)))
        assert len(row.detail["ids"]) == 1


@pytest.mark.parametrize("role", ["village_worker", "clinic"])
def test_only_the_office_and_reviewers_open_the_page(console, notices, role):
    client, _ = console.sign_in(role)
    assert client.get("/console/notices").status_code == 403
    assert "通知送达" not in client.get("/console/account").get_data(as_text=True)


def test_signed_out_the_page_asks_for_sign_in(console, notices):
    response = console.client().get("/console/notices")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_the_case_page_shows_what_reached_the_applicant(app, console, client, sim):
    desk = make_desk(app)
    me = login(client, sim, "case-notices")
    client.post("/api/v1/me/consents", headers=me, json={"text_version": CONSENT_TEXT_VERSION})
    submitted = client.post("/api/v1/me/registrations", headers=me,
                            json=registration_form(desk.villages["东湖村"]))
    assert submitted.status_code == 201, submitted.get_json()
    case_id = submitted.get_json()["id"]
    reviewer, _ = console.sign_in("reviewer")
    before = reviewer.get(f"/console/registrations/{case_id}").get_data(as_text=True)
    assert "通知送达" in before and "还没有发给申请人的通知" in before
    console.post(reviewer, f"/console/registrations/{case_id}/approve")
    with app.app_context():
        drain_jobs()
    page = reviewer.get(f"/console/registrations/{case_id}").get_data(as_text=True)
    section = page[page.index('id="notices-title"'):]
    assert "生育登记已登记" in section
    assert "居民下次打开时可在通知中看到" in section and "订阅消息：未授权订阅" in section
    worker, _ = console.sign_in("village_worker", village="东湖村")
    assert "生育登记已登记" in worker.get(f"/console/registrations/{case_id}").get_data(
        as_text=True)
