"""The township office's call-backs on poor ratings (差评) in the console: the deadline counted
in China's working days and marked when passed, the rater masked until an audited reveal, the
call-back recorded once however often it is sent, the appealed ones handled again, and the
member of staff a rating is about never shown who gave it."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests.china_clock import at_china
from tests.console import records
from tests.console.rating_world import RatingWorld
from tests.helpers import all_at_once, committed_or_refused
from wxapp.china_time import CHINA
from wxapp.extensions import db
from wxapp.models import AuditLog, ResidentNotice, StaffUser
from wxapp.services import ratings
from wxapp.services.personal_data import REVEALED
from wxapp.transactions import commit

PAGE = "/console/ratings"
# Rated on a Friday afternoon in China: one working day later is Monday, same hour.
FRIDAY = datetime(2027, 7, 2, 15, 0, tzinfo=CHINA)
SATURDAY = datetime(2027, 7, 3, 11, 0, tzinfo=CHINA)
MONDAY_MORNING = datetime(2027, 7, 5, 9, 0, tzinfo=CHINA)
MONDAY_EVENING = datetime(2027, 7, 5, 16, 0, tzinfo=CHINA)
NAME, PHONE = "陈静怡", "13912345678"


@pytest.fixture
def world(app):
    return RatingWorld(app)


def _audits(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditLog.id)).filter_by(action=action))


def _notices(app, rating_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ResidentNotice.id)).filter_by(
            subject=f"rating:{rating_id}"))


def _item(html: str, rating_id: int) -> str:
    found = re.search(rf'<article [^>]*id="callback-{rating_id}".*?</article>', html, re.S)
    return found.group(0) if found else ""


def _callback(console, client, rating_id, note):
    return console.post(client, f"{PAGE}/{rating_id}/callback", data={"note": note},
                        token_from=PAGE)


def test_the_office_sees_a_poor_rating_with_its_deadline_and_the_rater_masked(
        app, console, world):
    rating_id = world.rated_case(score=2, comment="材料被退回两次，没说清楚。我的电话13912345678",
                                 when=FRIDAY)
    with at_china(SATURDAY):
        client, _ = console.sign_in("township_admin")
        html = client.get(PAGE).get_data(as_text=True)
    item = _item(html, rating_id)
    assert item, "the poor rating is not on the office's page"
    assert "不满意" in item and "生育登记" in item and "东湖村" in item
    # Due one working day later: from a Friday, the Monday; not overdue at the weekend.
    assert "2027-07-05 15:00 前" in item and "已逾期" not in item
    assert "材料被退回两次，没说清楚" in item
    assert "经办人员</dt><dd>示范审核员" in item
    # Who rated: masked, the numbers she typed into her comment too; in full only on request.
    assert "陈**" in item and "139****5678" in item
    assert NAME not in html and PHONE not in html and "[手机号]" in item
    assert "显示完整姓名" in item and "显示完整号码" in item
    assert _audits(app, "rating.callbacks_read") == 1
    assert _audits(app, REVEALED) == 0


@pytest.mark.parametrize(("moment", "overdue", "today"), [
    (SATURDAY, False, False), (MONDAY_MORNING, False, True), (MONDAY_EVENING, True, False)])
def test_an_overdue_call_back_is_marked_in_china_working_days(console, world, moment, overdue,
                                                              today):
    rating_id = world.rated_case(when=FRIDAY)
    with at_china(moment):
        client, _ = console.sign_in("township_admin")
        html = client.get(PAGE).get_data(as_text=True)
    item = _item(html, rating_id)
    assert ("已逾期" in item) is overdue and ("callback-overdue" in item) is overdue
    assert ("今天到期" in item) is today
    assert ("1 条已逾期" in html) is overdue


def test_the_rater_is_revealed_to_the_office_one_audited_field_at_a_time(app, console, world):
    rating_id = world.rated_case()
    client, admin = console.sign_in("township_admin")
    for field, value in (("rater_phone", PHONE), ("rater_name", NAME)):
        answer = console.post(client, f"/console/reveal/rating/{rating_id}/{field}",
                              htmx=True, token_from=PAGE)
        assert answer.status_code == 200 and value in answer.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(select(AuditLog).filter_by(action=REVEALED)
                                  .order_by(AuditLog.id)).all()
        assert [(r.actor_id, r.target_type, r.target_id, r.detail) for r in rows] == [
            (str(admin.id), "service_rating", str(rating_id), {"field": "rater_phone"}),
            (str(admin.id), "service_rating", str(rating_id), {"field": "rater_name"})]


def test_a_rater_without_a_profile_shows_nothing_to_reveal(console, world):
    rating_id = world.rated_case(name=None, phone=None)
    client, _ = console.sign_in("township_admin")
    item = _item(client.get(PAGE).get_data(as_text=True), rating_id)
    assert item.count("未填写") == 2 and "显示完整" not in item
    answer = console.post(client, f"/console/reveal/rating/{rating_id}/rater_phone",
                          token_from=PAGE)
    assert answer.status_code == 404


def test_the_rated_administrator_never_sees_who_rated_her(app, console, world):
    client, admin = console.sign_in("township_admin")
    rating_id = world.rated_case(decided_by=admin.id)
    # The service ties the rating to whoever decided the case.
    assert world.rating(rating_id).staff_id == admin.id
    html = client.get(PAGE).get_data(as_text=True)
    assert not _item(html, rating_id) and "材料被退回" not in html
    assert "暂无待回访的差评" in html
    for field in ("rater_name", "rater_phone"):
        answer = console.post(client, f"/console/reveal/rating/{rating_id}/{field}",
                              token_from=PAGE)
        assert answer.status_code == 404
        assert NAME not in answer.get_data(as_text=True)
    assert _callback(console, client, rating_id, "我自己处理了").status_code == 404
    assert world.rating(rating_id).callback_status == "open"
    assert _audits(app, REVEALED) == 0
    # Another administrator handles it.
    other, _ = console.sign_in("township_admin")
    assert _item(other.get(PAGE).get_data(as_text=True), rating_id)
    assert _callback(console, other, rating_id, "已电话回访并解释。").status_code == 303
    assert world.rating(rating_id).callback_status == "done"


@pytest.mark.parametrize("role", ["reviewer", "village_worker"])
def test_rated_reviewers_and_village_workers_get_no_call_backs_and_no_rater(app, console, world,
                                                                            role):
    client, rated = console.sign_in(role)
    rating_id = world.rated_case(decided_by=rated.id)
    html = client.get(PAGE).get_data(as_text=True)
    assert "材料被退回" not in html and "陈**" not in html and 'id="callbacks"' not in html
    answer = console.post(client, f"/console/reveal/rating/{rating_id}/rater_phone",
                          token_from=PAGE)
    assert answer.status_code == 403 and PHONE not in answer.get_data(as_text=True)
    assert _callback(console, client, rating_id, "看看").status_code == 403
    assert world.rating(rating_id).callback_status == "open"
    assert _audits(app, REVEALED) == 0


def test_clinic_staff_cannot_record_a_call_back(console, world):
    rating_id = world.rated_case()
    client, _ = console.sign_in("clinic")
    response = console.post(client, f"{PAGE}/{rating_id}/callback", data={"note": "看看"})
    assert response.status_code == 403
    assert world.rating(rating_id).callback_status == "open"


def test_another_townships_office_finds_nothing(app, console, world):
    rating_id = world.rated_case()
    with app.app_context():
        township_id = records.other_township_village().township_id
        commit()
    client, _ = console.sign_in("township_admin", township_id=township_id)
    assert not _item(client.get(PAGE).get_data(as_text=True), rating_id)
    assert _callback(console, client, rating_id, "回访").status_code == 404
    answer = console.post(client, f"/console/reveal/rating/{rating_id}/rater_name",
                          token_from=PAGE)
    assert answer.status_code == 404
    assert world.rating(rating_id).callback_status == "open"


def test_a_call_back_sent_twice_is_recorded_once(app, console, world):
    rating_id = world.rated_case()
    client, admin = console.sign_in("township_admin")
    first = _callback(console, client, rating_id, "7月5日电话回访，已解释退回原因并致歉。")
    assert first.status_code == 303 and first.headers["Location"].endswith("#callbacks")
    page = client.get(PAGE).get_data(as_text=True)
    assert "已记录回访情况，并已通知居民处理结果" in page
    assert not _item(page, rating_id)  # handled: off the list
    again = _callback(console, client, rating_id, "再点一次")
    assert again.status_code == 303
    assert "本次没有重复记录，也没有再次通知居民" in client.get(PAGE).get_data(as_text=True)
    rating = world.rating(rating_id)
    assert rating.callback_status == "done" and rating.callback_by == admin.id
    assert rating.callback_note == "7月5日电话回访，已解释退回原因并致歉。"
    assert _audits(app, "rating.callback") == 1
    assert _notices(app, rating_id) == 1


@pytest.mark.parametrize(("note", "message"), [
    ("", "请填写回访核实和整改的情况。"), ("   \n ", "请填写回访核实和整改的情况。"),
    ("长" * 1001, "回访情况请不要超过1000字。")])
def test_a_bad_note_is_explained_beside_its_field_and_nothing_is_saved(app, console, world,
                                                                       note, message):
    rating_id = world.rated_case()
    client, _ = console.sign_in("township_admin")
    response = _callback(console, client, rating_id, note)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#callback-{rating_id}")
    item = _item(client.get(PAGE).get_data(as_text=True), rating_id)
    assert f'<p class="field-error" id="note-{rating_id}-error">{message}</p>' in item
    assert 'aria-invalid="true"' in item
    # Said once: the next look at the page is clean.
    assert "field-error" not in _item(client.get(PAGE).get_data(as_text=True), rating_id)
    assert world.rating(rating_id).callback_status == "open"
    assert _audits(app, "rating.callback") == 0 and _notices(app, rating_id) == 0


def test_a_call_back_without_the_csrf_token_is_refused(console, world):
    rating_id = world.rated_case()
    client, _ = console.sign_in("township_admin")
    response = client.post(f"{PAGE}/{rating_id}/callback", data={"note": "回访"})
    assert response.status_code == 400
    assert world.rating(rating_id).callback_status == "open"


def test_an_appealed_handling_is_listed_apart_and_handled_again(app, console, world):
    rating_id = world.rated_case(score=1)
    world.call_back_and_appeal(rating_id, "已电话解释。", "解释不清楚，还是不明白为什么退回")
    client, _ = console.sign_in("township_admin")
    html = client.get(PAGE).get_data(as_text=True)
    appeals = html.split('id="appeals"')[1]
    item = _item(appeals, rating_id)
    assert item and not _item(html.split('id="appeals"')[0], rating_id)
    assert "非常不满意" in item and "已电话解释。" in item
    assert "解释不清楚，还是不明白为什么退回" in item and "再次回访核实和整改情况" in item
    again = _callback(console, client, rating_id, "镇卫健办上门说明，居民表示理解。")
    assert again.status_code == 303
    rating = world.rating(rating_id)
    assert rating.callback_status == "done"
    assert rating.callback_note == "镇卫健办上门说明，居民表示理解。"
    assert _audits(app, "rating.callback") == 2 and _notices(app, rating_id) == 2
    assert "暂无居民申诉" in client.get(PAGE).get_data(as_text=True)


@pytest.mark.postgres_only
def test_two_offices_saving_one_call_back_at_once_record_it_once(app, console, world):
    rating_id = world.rated_case()
    admins = [console.make_staff("township_admin").id for _ in range(2)]

    def office_saves(staff_id):
        return committed_or_refused(
            app, lambda: db.session.get(StaffUser, staff_id),
            lambda staff: ratings.record_callback(staff, rating_id, f"回访人 {staff_id}"),
            "recorded")

    outcomes = all_at_once([office_saves(admin) for admin in admins])
    assert sorted(outcomes) == ["rating.callback_done", "recorded"]
    assert _audits(app, "rating.callback") == 1 and _notices(app, rating_id) == 1
