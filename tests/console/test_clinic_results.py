"""Results entry in the console: risk category and factors, advice, notes; problems in Chinese
next to their fields with nothing saved; saving twice corrects and tells the couple once; the
follow-ups the results open appear on the clinic day when they fall due."""
from __future__ import annotations

import re

import pytest

from tests.console.clinic_data import ClinicDay
from wxapp.security.masking import mask_name

DAY = "/console/clinic"


@pytest.fixture
def day(app):
    day = ClinicDay(app)
    day.set_status(0, "checked_in")
    return day


def _results_path(day, n=0):
    return f"{DAY}/bookings/{day.booking_ids[n]}/results"


def _field_error(html: str, field: str) -> str | None:
    found = re.search(rf'<p class="field-error" id="error-{field}">(.*?)</p>', html)
    return found.group(1) if found else None


GOOD = {"risk_category": "general", "advice": "可以计划怀孕，孕前三个月开始补充叶酸。",
        "notes": "血常规正常"}


def test_the_form_shows_the_couple_masked_and_the_choices(console, day):
    client, _ = console.sign_in("clinic")
    response = client.get(_results_path(day))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    wife, husband = day.couple_names[0]
    assert mask_name(wife) in html and wife not in html and mask_name(husband) in html
    assert "一般人群" in html and "高风险人群" in html and "慢性疾病" in html
    assert day.code(0) not in html
    assert day.audits("booking.read") == 1


def test_saving_results_completes_the_booking_and_tells_the_couple_once(console, day):
    client, staff = console.sign_in("clinic")
    response = console.post(client, _results_path(day), GOOD, token_from=_results_path(day))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{DAY}?clinic={day.town}"
    assert "检查结果已保存" in client.get(response.headers["Location"]).get_data(as_text=True)
    result = day.result(0)
    assert (result.risk_category, result.advice, result.notes) == (
        "general", GOOD["advice"], "血常规正常")
    assert result.recorded_by == staff.id and day.status(0) == "completed"
    told = day.notices("screening_results_ready")
    assert told >= 1

    # Sent again (the back button, a double click) or corrected: one result, no new notice.
    again = console.post(client, _results_path(day), {**GOOD, "advice": "注意休息，按时复查。"},
                         token_from=_results_path(day))
    assert again.status_code == 302
    assert "检查结果已更正" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert day.result(0).advice == "注意休息，按时复查。"
    assert day.notices("screening_results_ready") == told
    assert day.audits("screening.results_recorded") == 2

    # The form for a completed booking shows what was recorded (an audited read).
    reads = day.audits("screening.results_read")
    html = client.get(_results_path(day)).get_data(as_text=True)
    assert "注意休息，按时复查。" in html and "保存更正" in html
    assert day.audits("screening.results_read") == reads + 1


def test_a_high_risk_couple_gets_a_referral_due_on_the_clinic_day_page(console, day):
    client, _ = console.sign_in("clinic")
    console.post(client, _results_path(day), {
        "risk_category": "high_risk", "risk_factors": ["chronic_disease", "age"],
        "advice": "建议到县妇幼保健院进一步咨询。"}, token_from=_results_path(day))
    assert sorted(day.result(0).risk_factors) == ["age", "chronic_disease"]
    html = client.get(DAY).get_data(as_text=True)
    follow_ups = html[html.index("待随访"):]
    assert "高风险转诊" in follow_ups and mask_name(day.couple_names[0][0]) in follow_ups
    # Early pregnancy (90 days) and the outcome (a year) are not due yet.
    assert "早孕随访" not in follow_ups


@pytest.mark.parametrize(("form", "field", "said"), [
    ({"risk_category": "general", "advice": "好"}, "advice", "至少填写2个字。"),
    ({"risk_category": "general", "advice": "   "}, "advice", "至少填写2个字。"),
    ({"advice": "可以计划怀孕。"}, "risk_category", "请选择一般人群或高风险人群。"),
    ({"risk_category": "high_risk", "advice": "建议转诊。"}, "risk_factors",
     "高风险人群请至少选择一项风险因素。"),
    ({"risk_category": "general", "advice": "可以计划怀孕。", "notes": "备" * 2001}, "notes",
     "最多填写2000个字（现在2001个字）。"),
])
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(console, day, form,
                                                                       field, said):
    client, _ = console.sign_in("clinic")
    response = console.post(client, _results_path(day), form, token_from=_results_path(day))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _field_error(html, field) == said
    assert day.result(0) is None and day.status(0) == "checked_in"
    assert day.notices("screening_results_ready") == 0
    # What was typed is still there.
    if form.get("advice", "").strip():
        assert form["advice"] in html


def test_every_problem_is_shown_at_once(console, day):
    client, _ = console.sign_in("clinic")
    response = console.post(client, _results_path(day), {"risk_category": "high_risk",
                                                         "advice": "x"},
                            token_from=_results_path(day))
    html = response.get_data(as_text=True)
    assert _field_error(html, "risk_factors") and _field_error(html, "advice")


def test_an_unknown_risk_factor_is_refused(console, day):
    client, _ = console.sign_in("clinic")
    response = console.post(client, _results_path(day), {**GOOD, "risk_factors": ["magic"]},
                            token_from=_results_path(day))
    assert response.status_code == 422 and "有未知的风险因素" in response.get_data(as_text=True)
    assert day.result(0) is None


def test_results_wait_for_check_in(console, day):
    client, _ = console.sign_in("clinic")
    path = _results_path(day, 1)
    page = client.get(path)
    assert page.status_code == 302
    assert "签到后才能录入检查结果" in client.get(page.headers["Location"]).get_data(as_text=True)
    console.post(client, path, GOOD)
    assert day.result(1) is None and day.status(1) == "scheduled"


def test_the_office_may_record_results_too(console, day):
    client, _ = console.sign_in("township_admin")
    response = console.post(client, _results_path(day), GOOD, token_from=_results_path(day))
    assert response.status_code == 302 and day.status(0) == "completed"


def test_the_letter_opens_for_a_completed_booking_only(console, day):
    client, _ = console.sign_in("clinic")
    letter = f"{DAY}/bookings/{day.booking_ids[0]}/letter.pdf"
    assert client.get(letter).status_code == 404
    console.post(client, _results_path(day), GOOD, token_from=_results_path(day))
    response = client.get(letter)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_staff_of_another_clinic_cannot_see_or_record_results(console, day):
    client, _ = console.sign_in("clinic", clinics=("示范县妇幼保健院",))
    assert client.get(_results_path(day)).status_code == 404
    response = console.post(client, _results_path(day), GOOD)
    assert response.status_code == 404 and day.result(0) is None
