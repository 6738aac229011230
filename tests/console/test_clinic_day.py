"""孕检门诊 in the console: today's bookings at the staff member's clinic, check-in by the code
typed, scanned by a USB scanner (the QR's text) or read by the camera (the same text), and
未到检 once the slot is over. Clinic staff see only their clinics; others are refused."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.china_clock import at_china, every_fixed_moment
from tests.console.clinic_data import ClinicDay
from wxapp.china_time import CHINA, to_china
from wxapp.security.masking import mask_name

DAY = "/console/clinic"
CHECK_IN = "/console/clinic/check-in"


@pytest.fixture
def day(app):
    return ClinicDay(app)


def _page(client, path=DAY, **query):
    response = client.get(path, query_string=query)
    return response, response.get_data(as_text=True)


@every_fixed_moment
def test_clinic_staff_see_chinas_today_masked_and_without_codes(app, console, moment):
    with at_china(moment):
        day = ClinicDay(app)
        client, _ = console.sign_in("clinic")
        response, html = _page(client)
    assert response.status_code == 200
    assert f"{moment.year}年{moment.month}月{moment.day}日（今天）" in html
    for n, (wife, husband) in enumerate(day.couple_names):
        assert mask_name(wife) in html and mask_name(husband) in html
        assert wife not in html and husband not in html
        assert day.code(n) not in html
    assert "共 3 个预约" in html and "已预约 3" in html
    assert day.audits("booking.day_list_read") == 1


def test_check_in_by_typed_code_once_and_the_second_time_says_when(console, day):
    client, _ = console.sign_in("clinic")
    response = console.post(client, CHECK_IN, {"clinic": day.town, "code": day.code(0)},
                            token_from=DAY)
    assert response.status_code == 302 and response.headers["Location"].startswith(
        f"{DAY}?clinic={day.town}")
    _, html = _page(client, clinic=day.town)
    assert "签到成功" in html and day.status(0) == "checked_in"
    assert 'data-status="checked_in"' in html and "录入结果" in html

    # The double click, the scanner's second read: nothing twice, and it says so with the time.
    again = console.post(client, CHECK_IN, {"clinic": day.town, "code": day.code(0)},
                         token_from=DAY)
    assert again.status_code == 302
    _, html = _page(client, clinic=day.town)
    at = to_china(day.booking(0).checked_in_at).strftime("%H:%M")
    assert f"该预约已签到（{at}），不用再签到。" in html
    assert "签到码无效" not in html
    assert day.audits("booking.check_in") == 1


def test_scanner_payload_and_full_width_digits_check_in_too(console, day):
    client, _ = console.sign_in("clinic")
    console.post(client, CHECK_IN, {"clinic": day.town, "code": f"WXAPP-CHECKIN:{day.code(1)}\n"},
                 token_from=DAY)
    assert day.status(1) == "checked_in"
    wide = day.code(2).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    console.post(client, CHECK_IN, {"clinic": day.town, "code": f" {wide} "}, token_from=DAY)
    assert day.status(2) == "checked_in"


@pytest.mark.parametrize(("typed", "said"), [
    ("", "请输入6位数字签到码"),
    ("12345", "请输入6位数字签到码"),
    ("OTHER:123456", "请输入6位数字签到码"),
    ("000000", "签到码无效：请核对医院和预约日期。"),
])
def test_a_bad_code_is_refused_in_chinese_and_changes_nothing(console, day, typed, said):
    client, _ = console.sign_in("clinic")
    if typed == "000000" and "000000" in {day.code(n) for n in range(3)}:
        typed = "000001"
    console.post(client, CHECK_IN, {"clinic": day.town, "code": typed}, token_from=DAY)
    _, html = _page(client, clinic=day.town)
    assert said in html
    assert [day.status(n) for n in range(3)] == ["scheduled"] * 3
    assert day.audits("booking.check_in") == 0


def test_a_code_of_another_clinic_is_not_valid_here(console, day):
    client, _ = console.sign_in("township_admin")
    console.post(client, CHECK_IN, {"clinic": day.county, "code": day.code(0)}, token_from=DAY)
    _, html = _page(client, clinic=day.county)
    assert "签到码无效" in html and day.status(0) == "scheduled"


def test_the_office_picks_either_clinic(console, day):
    client, _ = console.sign_in("township_admin")
    _, html = _page(client)
    assert 'id="clinic-picker"' in html and "示范县妇幼保健院" in html
    _, html = _page(client, clinic=day.county)
    assert "今天本院没有孕检预约" in html
    _, html = _page(client, clinic=day.town)
    assert "共 3 个预约" in html


def test_clinic_staff_of_another_clinic_get_404_for_this_ones_day(console, day):
    client, _ = console.sign_in("clinic", clinics=("示范县妇幼保健院",))
    response, html = _page(client)
    assert response.status_code == 200 and "示范镇卫生院" not in html
    assert 'id="clinic-picker"' not in html
    assert _page(client, clinic=day.town)[0].status_code == 404
    assert _page(client, clinic="abc")[0].status_code == 404
    refused = console.post(client, CHECK_IN, {"clinic": day.town, "code": day.code(0)},
                           token_from=DAY)
    assert refused.status_code == 404 and day.status(0) == "scheduled"
    day.set_status(0, "checked_in")
    booking = day.booking_ids[0]
    assert client.get(f"{DAY}/bookings/{booking}/results").status_code == 404
    assert console.post(client, f"{DAY}/bookings/{booking}/missed",
                        token_from=DAY).status_code == 404


def test_a_clinic_account_without_clinics_is_told_to_ask_the_office(console, day):
    client, _ = console.sign_in("clinic", clinics=())
    response, html = _page(client)
    assert response.status_code == 200 and "还没有分配医院" in html


@pytest.mark.parametrize("role", ["reviewer", "village_worker"])
def test_reviewers_and_village_workers_are_refused_every_clinic_page(console, day, role):
    client, _ = console.sign_in(role)
    booking = day.booking_ids[0]
    for path in (DAY, f"{DAY}?clinic={day.town}", f"{DAY}/schedule",
                 f"{DAY}/bookings/{booking}/results", f"{DAY}/bookings/{booking}/letter.pdf",
                 f"{DAY}/closures/preview?clinic={day.town}"):
        assert client.get(path).status_code == 403, path
    for path, data in ((CHECK_IN, {"clinic": day.town, "code": day.code(0)}),
                       (f"{DAY}/bookings/{booking}/missed", {}),
                       (f"{DAY}/bookings/{booking}/results", {"risk_category": "general",
                                                              "advice": "注意休息"}),
                       (f"{DAY}/schedule", {"clinic": day.town}),
                       (f"{DAY}/closures", {"clinic": day.town})):
        assert console.post(client, path, data).status_code == 403, path
    assert day.status(0) == "scheduled"


def test_signed_out_browsers_go_to_sign_in(client, day):
    response = client.get(DAY)
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_no_show_only_after_the_slot_and_only_once(app, console):
    evening = datetime(2027, 6, 30, 18, 0, tzinfo=CHINA)  # the demo's slot ends at 17:00
    with at_china(evening):
        day = ClinicDay(app)
        client, _ = console.sign_in("clinic")
        _, html = _page(client)
        assert "标记未到检" in html
        path = f"{DAY}/bookings/{day.booking_ids[0]}/missed"
        assert console.post(client, path, token_from=DAY).status_code == 302
        assert day.status(0) == "missed"
        console.post(client, path, token_from=DAY)
        _, html = _page(client)
        assert "已经标记为未到检，本次没有重复操作" in html
        assert day.audits("booking.missed") == 1
    afternoon = datetime(2027, 7, 1, 14, 0, tzinfo=CHINA)
    with at_china(afternoon):
        day = ClinicDay(app)
        client, _ = console.sign_in("clinic")
        assert "标记未到检" not in _page(client)[1]
        console.post(client, f"{DAY}/bookings/{day.booking_ids[0]}/missed", token_from=DAY)
        assert "检查时段结束后才能标记未到检" in _page(client)[1]
        assert day.status(0) == "scheduled"
