"""排班与停诊 in the console: the weekly schedule per clinic (view, edit, problems per row with
nothing saved), and closures over a range of days: a preview of the bookings it would cancel
and the notice couples get, then the closure, done once however often it is confirmed."""
from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from tests.console.clinic_data import ClinicDay
from wxapp.china_time import china_today
from wxapp.extensions import db
from wxapp.models import ClinicClosure, ScreeningSchedule, ScreeningSlot

SCHEDULE = "/console/clinic/schedule"
PREVIEW = "/console/clinic/closures/preview"
CLOSE = "/console/clinic/closures"


@pytest.fixture
def day(app):
    return ClinicDay(app)


def _windows(app, clinic_id):
    with app.app_context():
        return [(w.weekday, w.starts.strftime("%H:%M"), w.ends.strftime("%H:%M"), w.capacity)
                for w in db.session.scalars(select(ScreeningSchedule).filter_by(
                    clinic_id=clinic_id, active=True).order_by(ScreeningSchedule.weekday,
                                                               ScreeningSchedule.starts))]


def _rows(*windows):
    form = {}
    for n, (weekday, starts, ends, capacity) in enumerate(windows):
        form.update({f"row-{n}-weekday": str(weekday), f"row-{n}-starts": starts,
                     f"row-{n}-ends": ends, f"row-{n}-capacity": str(capacity)})
    return form


def test_the_schedule_page_shows_the_clinics_weekly_windows(app, console, day):
    client, _ = console.sign_in("clinic")
    response = client.get(SCHEDULE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "每周排班" in html and "设置停诊" in html
    for n, (_weekday, starts, _ends, _capacity) in enumerate(_windows(app, day.town)):
        assert f'name="row-{n}-starts" value="{starts}"' in html


def test_saving_the_schedule_replaces_the_weekly_windows(app, console, day):
    client, _ = console.sign_in("clinic")
    form = {"clinic": day.town, **_rows((0, "08:00", "11:30", 20), (2, "14:00", "16:00", 8))}
    response = console.post(client, SCHEDULE, form, token_from=SCHEDULE)
    assert response.status_code == 302
    assert "每周排班已保存（2 个时段）" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert _windows(app, day.town) == [(0, "08:00", "11:30", 20), (2, "14:00", "16:00", 8)]
    # A ticked row is removed; sending the same form twice leaves the same schedule.
    form["row-1-remove"] = "yes"
    for _ in range(2):
        console.post(client, SCHEDULE, form, token_from=SCHEDULE)
    assert _windows(app, day.town) == [(0, "08:00", "11:30", 20)]


@pytest.mark.parametrize(("window", "said"), [
    ((1, "11:00", "09:00", 5), "结束时间必须晚于开始时间。"),
    ((0, "09:00", "10:00", 5), "同一天的时段不能重叠。"),
    ((1, "08:00", "09:00", 0), "可约人数应为1到500之间的整数。"),
    ((1, "08:00", "09:00", 501), "可约人数应为1到500之间的整数。"),
    ((1, "8点", "09:00", 5), "请填写开始和结束时间，例如 08:00。"),
    (("", "08:00", "09:00", 5), "请选择星期几。"),
])
def test_a_bad_row_is_explained_on_its_row_and_nothing_is_saved(app, console, day, window,
                                                                 said):
    client, _ = console.sign_in("clinic")
    before = _windows(app, day.town)
    form = {"clinic": day.town, **_rows((0, "08:00", "11:30", 20), window)}
    response = console.post(client, SCHEDULE, form, token_from=SCHEDULE)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'<p class="field-error" id="error-row-1">{said}</p>', html)
    assert "尚未保存" in html
    assert _windows(app, day.town) == before


def test_closing_today_previews_then_cancels_and_tells_each_couple_once(app, console, day):
    client, _ = console.sign_in("clinic")
    today = china_today().isoformat()
    query = {"clinic": day.town, "first_day": today, "last_day": today, "reason": "停电检修"}
    preview = client.get(PREVIEW, query_string=query)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert re.search(r'取消 <strong id="bookings-to-cancel">3</strong> 个预约', html)
    assert "预约已取消（医院停诊）" in html and "请在小程序中重新预约" in html
    assert "示范镇卫生院" in html
    # The preview changed nothing.
    assert [day.status(n) for n in range(3)] == ["scheduled"] * 3
    assert day.count(ClinicClosure) == 0 and day.notices("screening_clinic_closed") == 0

    done = console.post(client, CLOSE, query, token_from=SCHEDULE)
    assert done.status_code == 302
    assert "已设置停诊 1 天，取消预约 3 个" in client.get(done.headers["Location"]).get_data(
        as_text=True)
    assert [day.status(n) for n in range(3)] == ["cancelled"] * 3
    told = day.notices("screening_clinic_closed")
    assert told >= 3

    # Confirmed again (the back button, a double click): nothing more done, nobody told twice.
    again = console.post(client, CLOSE, query, token_from=SCHEDULE)
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "本次没有重复操作" in page
    assert day.count(ClinicClosure) == 1 and day.notices("screening_clinic_closed") == told
    assert "停电检修" in page  # the closure is listed


def test_a_range_skips_days_already_closed(app, console, day):
    client, _ = console.sign_in("clinic")
    start = china_today() + timedelta(days=1)
    booked = day.slot(day.town, start + timedelta(days=1), time(8, 0), time(9, 0))
    with app.app_context():
        db.session.add(ClinicClosure(clinic_id=day.town, day=start, reason="培训"))
        db.session.commit()
    query = {"clinic": day.town, "first_day": start.isoformat(),
             "last_day": (start + timedelta(days=2)).isoformat(), "reason": "设备维护"}
    html = client.get(PREVIEW, query_string=query).get_data(as_text=True)
    assert "此前已停诊" in html and "将停诊 <strong>2</strong> 天" in html
    done = console.post(client, CLOSE, query, token_from=SCHEDULE)
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已设置停诊 2 天" in page and "1 天此前已停诊" in page
    assert day.count(ClinicClosure) == 3
    with app.app_context():
        assert db.session.get(ScreeningSlot, booked).closed


@pytest.mark.parametrize(("change", "field", "said"), [
    ({"first_day": "2020-01-01"}, "first_day", "不能为已经过去的日期设置停诊。"),
    ({"first_day": ""}, "first_day", "请填写停诊开始日期。"),
    ({"first_day": "2026-02-30"}, "first_day", "日期格式不正确"),
    ({"last_day": "yesterday"}, "last_day", "日期格式不正确"),
    ({"reason": "停"}, "reason", "请填写停诊原因，至少2个字。"),
    ({"reason": "停" * 101}, "reason", "停诊原因最多100个字（现在101个字）。"),
])
def test_bad_closure_input_is_explained_next_to_the_field(console, day, change, field, said):
    client, _ = console.sign_in("clinic")
    today = china_today().isoformat()
    query = {"clinic": day.town, "first_day": today, "last_day": today, "reason": "停电检修",
             **change}
    for response in (client.get(PREVIEW, query_string=query),
                     console.post(client, CLOSE, query, token_from=SCHEDULE)):
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        found = re.search(rf'<p class="field-error" id="error-{field}">(.*?)</p>', html)
        assert found and said in found.group(1)
    assert day.count(ClinicClosure) == 0
    assert [day.status(n) for n in range(3)] == ["scheduled"] * 3


def test_the_end_may_not_come_before_the_start_nor_too_far(console, day):
    client, _ = console.sign_in("clinic")
    start = china_today() + timedelta(days=3)
    for last, said in ((start - timedelta(days=1), "结束日期不能早于开始日期。"),
                       (start + timedelta(days=92), "一次最多设置92天停诊。")):
        html = client.get(PREVIEW, query_string={
            "clinic": day.town, "first_day": start.isoformat(), "last_day": last.isoformat(),
            "reason": "装修"}).get_data(as_text=True)
        assert said in html


def test_staff_of_another_clinic_cannot_touch_this_ones_schedule(app, console, day):
    client, _ = console.sign_in("clinic", clinics=("示范县妇幼保健院",))
    before = _windows(app, day.town)
    today = china_today().isoformat()
    assert client.get(SCHEDULE, query_string={"clinic": day.town}).status_code == 404
    assert client.get(PREVIEW, query_string={"clinic": day.town, "first_day": today,
                                             "last_day": today,
                                             "reason": "停电"}).status_code == 404
    assert console.post(client, SCHEDULE, {"clinic": day.town, **_rows(
        (4, "08:00", "09:00", 1))}).status_code == 404
    assert console.post(client, CLOSE, {"clinic": day.town, "first_day": today,
                                        "last_day": today, "reason": "停电"}).status_code == 404
    assert _windows(app, day.town) == before and day.count(ClinicClosure) == 0


def test_the_office_edits_any_clinic_of_the_township(app, console, day):
    client, _ = console.sign_in("township_admin")
    html = client.get(SCHEDULE, query_string={"clinic": day.county}).get_data(as_text=True)
    assert 'id="clinic-picker"' in html
    console.post(client, SCHEDULE, {"clinic": day.county, **_rows((5, "09:00", "11:00", 4))},
                 token_from=SCHEDULE)
    assert _windows(app, day.county) == [(5, "09:00", "11:00", 4)]
