"""Follow-up outcomes recorded from the clinic day's list of follow-ups due: an outcome from
the kind's own list, notes for staff, each problem in Chinese next to its field with nothing
saved; recorded once whatever is sent twice, audited as the staff API's recording is; the
clinic's own couples only (others 404), the office's too, reviewers and village workers
refused."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.console.clinic_data import ClinicDay
from tests.console.test_clinic_races import all_at_once
from wxapp.extensions import db
from wxapp.models import AuditLog, ScreeningFollowUp
from wxapp.security.masking import mask_name

DAY = "/console/clinic"
HIGH_RISK = {"risk_category": "high_risk", "risk_factors": ["chronic_disease"],
             "advice": "建议到县妇幼保健院进一步咨询。"}


class FollowUps:
    """A couple of the demo clinic day examined (high-risk), so three follow-ups are open:
    the referral due in 14 days, early pregnancy and the pregnancy outcome later."""

    def __init__(self, app, console):
        self.app = app
        self.day = ClinicDay(app)
        self.day.set_status(0, "checked_in")
        client, _ = console.sign_in("clinic")
        results = f"{DAY}/bookings/{self.day.booking_ids[0]}/results"
        assert console.post(client, results, HIGH_RISK, token_from=results).status_code == 302
        with app.app_context():
            self.ids = {f.kind: f.id for f in db.session.scalars(select(ScreeningFollowUp))}

    def path(self, kind: str = "referral") -> str:
        return f"{DAY}/follow-ups/{self.ids[kind]}"

    def get(self, kind: str = "referral") -> ScreeningFollowUp:
        with self.app.app_context():
            follow_up = db.session.get(ScreeningFollowUp, self.ids[kind])
            _ = follow_up.notes  # decrypted while the session is there
            db.session.expunge(follow_up)
            return follow_up

    def audits(self, action: str, target_id: int | None = None) -> int:
        conditions = [AuditLog.action == action]
        if target_id is not None:
            conditions.append(AuditLog.target_id == str(target_id))
        return self.day.count(AuditLog, *conditions)


@pytest.fixture
def follow_ups(app, console):
    return FollowUps(app, console)


def _field_error(html: str, field: str) -> str | None:
    found = re.search(rf'<p class="field-error" id="error-{field}">(.*?)</p>', html)
    return found.group(1) if found else None


def _record(console, client, follow_ups, form, kind="referral"):
    return console.post(client, follow_ups.path(kind), form, token_from=follow_ups.path(kind))


def _said(client, response) -> str:
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_each_follow_up_due_links_to_its_form_which_shows_the_couple_masked(console,
                                                                            follow_ups):
    client, _ = console.sign_in("clinic")
    day_page = client.get(DAY).get_data(as_text=True)
    listed = day_page[day_page.index('id="follow-ups"'):]
    assert f'href="{follow_ups.path()}"' in listed
    # Early pregnancy falls due in 90 days: not on today's list.
    assert follow_ups.path("early_pregnancy") not in listed

    reads = follow_ups.audits("screening.follow_ups_read", follow_ups.ids["referral"])
    response = client.get(follow_ups.path())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    wife, husband = follow_ups.day.couple_names[0]
    assert mask_name(wife) in html and wife not in html and mask_name(husband) in html
    assert "高风险转诊" in html
    assert [label in html for label in ("已转诊", "拒绝转诊", "无法联系")] == [True] * 3
    assert "已怀孕" not in html  # another kind's outcomes
    assert follow_ups.audits("screening.follow_ups_read", follow_ups.ids["referral"]) == \
        reads + 1


def test_an_outcome_is_recorded_once_and_leaves_the_list(console, follow_ups):
    client, staff = console.sign_in("clinic")
    response = _record(console, client, follow_ups,
                       {"outcome": "referred", "notes": "  已转县妇幼保健院遗传咨询门诊  "})
    assert response.headers["Location"] == f"{DAY}?clinic={follow_ups.day.town}#follow-ups"
    page = _said(client, response)
    assert "随访已记录：高风险转诊，已转诊。" in page
    assert follow_ups.path() not in page[page.index('id="follow-ups"'):]
    done = follow_ups.get()
    assert (done.status, done.outcome, done.notes, done.recorded_by) == (
        "done", "referred", "已转县妇幼保健院遗传咨询门诊", staff.id)
    assert follow_ups.audits("screening.follow_up_recorded", done.id) == 1

    # A double click, the back button: the same outcome again is done nothing with.
    again = _record(console, client, follow_ups, {"outcome": "referred", "notes": "第二次"})
    assert "这条随访已经记录为“已转诊”，本次没有重复记录。" in _said(client, again)
    # Another outcome does not overwrite what was recorded.
    other = _record(console, client, follow_ups, {"outcome": "declined"})
    assert "这条随访已经记录为“已转诊”，不能再记录为其他结果。" in _said(client, other)
    after = follow_ups.get()
    assert (after.outcome, after.notes, after.done_at) == (done.outcome, done.notes,
                                                           done.done_at)
    assert follow_ups.audits("screening.follow_up_recorded") == 1

    # Its page now says what was recorded, with nothing to submit.
    html = client.get(follow_ups.path()).get_data(as_text=True)
    assert "记录为“已转诊”" in html and "保存随访结果" not in html


def test_each_kind_takes_its_own_outcomes(console, follow_ups):
    client, _ = console.sign_in("clinic")
    _said(client, _record(console, client, follow_ups, {"outcome": "pregnant"},
                          "early_pregnancy"))
    _said(client, _record(console, client, follow_ups, {"outcome": "live_birth"},
                          "pregnancy_outcome"))
    assert (follow_ups.get("early_pregnancy").outcome,
            follow_ups.get("pregnancy_outcome").outcome) == ("pregnant", "live_birth")
    assert follow_ups.get("early_pregnancy").notes is None


CHOOSE = "请选择随访结果：已转诊、拒绝转诊、无法联系。"


@pytest.mark.parametrize(("form", "field", "said"), [
    ({}, "outcome", CHOOSE),
    ({"outcome": "pregnant"}, "outcome", CHOOSE),  # early pregnancy's, not a referral's
    ({"outcome": "已转诊"}, "outcome", CHOOSE),
    ({"outcome": "referred", "notes": "备" * 2001}, "notes", "最多填写2000个字（现在2001个字）。"),
])
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(console, follow_ups,
                                                                       form, field, said):
    client, _ = console.sign_in("clinic")
    response = _record(console, client, follow_ups, {"notes": "电话未接通，明天再打", **form})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _field_error(html, field) == said
    assert (form.get("notes") or "电话未接通，明天再打") in html  # what was typed stays
    still = follow_ups.get()
    assert (still.status, still.outcome, still.notes) == ("open", None, None)
    assert follow_ups.audits("screening.follow_up_recorded") == 0


def test_the_office_records_follow_ups_of_the_townships_clinics(console, follow_ups):
    client, staff = console.sign_in("township_admin")
    assert client.get(follow_ups.path()).status_code == 200
    page = _said(client, _record(console, client, follow_ups, {"outcome": "unreachable"}))
    assert "随访已记录：高风险转诊，无法联系。" in page
    assert follow_ups.get().recorded_by == staff.id


def test_clinic_staff_of_another_clinic_get_404_and_change_nothing(console, follow_ups):
    client, _ = console.sign_in("clinic", clinics=("示范县妇幼保健院",))
    assert client.get(follow_ups.path()).status_code == 404
    assert console.post(client, follow_ups.path(), {"outcome": "referred"}).status_code == 404
    assert client.get(f"{DAY}/follow-ups/999999").status_code == 404
    assert follow_ups.get().status == "open"
    assert follow_ups.audits("screening.follow_up_recorded") == 0


@pytest.mark.parametrize("role", ["reviewer", "village_worker"])
def test_reviewers_and_village_workers_are_refused(console, follow_ups, role):
    client, _ = console.sign_in(role)
    assert client.get(follow_ups.path()).status_code == 403
    assert console.post(client, follow_ups.path(), {"outcome": "referred"}).status_code == 403
    assert follow_ups.get().status == "open"


def test_signed_out_browsers_go_to_sign_in(client, follow_ups):
    response = client.get(follow_ups.path())
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]
    # A form posted without a session has no CSRF token either: refused before anything.
    assert client.post(follow_ups.path(), data={"outcome": "referred"}).status_code in (302, 400)
    assert follow_ups.get().status == "open"


@pytest.mark.postgres_only
def test_two_browsers_recording_at_once_record_once(app, console, follow_ups):
    staff = console.make_staff("clinic")
    browsers = [console.sign_in_as(staff) for _ in range(2)]
    tokens = [console.csrf(b, follow_ups.path()) for b in browsers]

    def record(browser, token, outcome):
        return lambda: browser.post(follow_ups.path(), data={"outcome": outcome,
                                                             "csrf_token": token})

    answers = all_at_once([record(browsers[0], tokens[0], "referred"),
                           record(browsers[1], tokens[1], "declined")])
    assert [r.status_code for r in answers] == [302, 302]
    said = [_said(b, r) for b, r in zip(browsers, answers, strict=True)]
    assert sum("随访已记录" in page for page in said) == 1
    assert sum("不能再记录为其他结果" in page for page in said) == 1
    assert follow_ups.get().outcome in ("referred", "declined")
    assert follow_ups.audits("screening.follow_up_recorded") == 1
