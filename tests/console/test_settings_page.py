"""系统设置 in the console: only the township office opens it or saves anything; each section
is one form, checked whole before anything is written, its errors beside their fields in
Chinese; a form sent twice changes (and records) nothing the second time; the change history
at the bottom comes from the audit rows."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from wxapp.china_time import china_today
from wxapp.extensions import db
from wxapp.models import AuditLog, ScreeningTarget, SupplyItem, TownshipSetting
from wxapp.seeding.seed import seed_supply_items
from wxapp.transactions import commit

PAGE = "/console/settings"
FORMS = ["/console/settings/rules/office", "/console/settings/rules/registration",
         "/console/settings/rules/bookings", "/console/settings/rules/no_show",
         "/console/settings/quotas", "/console/settings/targets"]
CHANGES = ("settings.changed", "supplies.item_rules", "screening.target")
OFFICE = {"office_name": "示范镇卫生健康办公室", "office_phone": "0571-8888 6666",
          "office_address": "示范镇人民政府一楼便民服务中心3号窗口",
          "office_hours": "工作日 8:30-12:00，14:00-17:30"}


def _body(response) -> str:
    return response.get_data(as_text=True)


def _changes(app) -> list[AuditLog]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditLog).where(AuditLog.action.in_(CHANGES))
                                       .order_by(AuditLog.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def _stored(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(TownshipSetting.key, TownshipSetting.value)).all())


def _items(app) -> dict[str, SupplyItem]:
    with app.app_context():
        seed_supply_items()
        commit()
        items = {item.code: item for item in db.session.scalars(select(SupplyItem))}
        for item in items.values():
            db.session.expunge(item)
        return items


def _quota_form(items, **changed) -> dict:
    """Every item's quotas as the page shows them, with ``changed`` ({"<id>.<field>": v})."""
    form = {f"{item.id}.{name}": str(getattr(item, name)) for item in items.values()
            for name in ("per_pickup_limit", "interval_days", "yearly_limit")}
    form.update(changed)
    return form


def _field_error(html: str, field_id: str) -> str:
    found = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">([^<]+)</p>',
                      html)
    assert found, f"no error beside {field_id}"
    return found.group(1)


# -- who may ------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["reviewer", "village_worker", "clinic"])
def test_only_the_office_opens_the_settings_page(console, role):
    admin, _ = console.sign_in("township_admin")
    page = admin.get(PAGE)
    assert page.status_code == 200 and "系统设置" in _body(page)
    client, _ = console.sign_in(role)
    assert client.get(PAGE).status_code == 403
    assert "系统设置" not in _body(client.get("/console/account"))


@pytest.mark.parametrize("role", ["reviewer", "village_worker", "clinic"])
@pytest.mark.parametrize("path", FORMS)
def test_nobody_but_the_office_saves_a_setting(app, console, role, path):
    client, _ = console.sign_in(role)
    items = _items(app)
    data = {**OFFICE, "booking_cancel_cutoff_hours": "30", "no_show_limit": "5",
            "registration_review_working_days": "9",
            f"target_{china_today().year}": "77",
            **_quota_form(items, **{f"{items['condom-m'].id}.per_pickup_limit": "3"})}
    assert console.post(client, path, data=data).status_code == 403
    assert _stored(app) == {} and _changes(app) == []


def test_signed_out_visitors_are_sent_to_sign_in(console):
    answer = console.client().get(PAGE)
    assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]


def test_a_form_without_its_csrf_token_is_refused(app, console):
    client, _ = console.sign_in("township_admin")
    answer = client.post("/console/settings/rules/office", data=OFFICE)
    assert answer.status_code in (400, 403)
    assert _stored(app) == {}


def test_an_unknown_section_is_not_found(app, console):
    client, _ = console.sign_in("township_admin")
    answer = console.post(client, "/console/settings/rules/secrets", data={"secret_key": "x"})
    assert answer.status_code == 404 and _stored(app) == {}


# -- the page -----------------------------------------------------------------------------------
def test_the_page_shows_the_values_in_effect_and_the_environments_defaults(app, console):
    client, _ = console.sign_in("township_admin")
    env = app.config["WXAPP"]
    html = _body(client.get(PAGE))
    for title in ("办公室联系方式", "生育登记", "孕检预约", "预约未到检", "药具领取限额",
                  "孕检年度目标", "修改记录"):
        assert title in html
    assert f'value="{env.booking_cancel_cutoff_hours}"' in html
    assert f"默认值：{env.no_show_restriction_days}天" in html
    assert "还没有修改过设置" in html
    assert 'name="csrf_token"' in html and 'href="/static/console/settings.css' in html


# -- saving -------------------------------------------------------------------------------------
def test_saving_the_office_contact_takes_effect_and_records_each_change(app, console):
    client, admin = console.sign_in("township_admin")
    env = app.config["WXAPP"]
    answer = console.post(client, "/console/settings/rules/office", data=OFFICE)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#office")
    page = _body(client.get(PAGE))
    assert "已保存" in page and 'value="0571-8888 6666"' in page
    stored = _stored(app)
    assert stored["office_phone"] == "0571-8888 6666"
    # The hours were sent back as they were: not a change, not stored.
    assert "office_hours" not in stored
    rows = {row.target_id: row for row in _changes(app)}
    assert set(rows) == {"office_name", "office_phone", "office_address"}
    assert rows["office_phone"].detail == {"key": "office_phone", "old": env.office_phone,
                                           "new": "0571-8888 6666"}
    assert all(row.actor_id == str(admin.id) for row in rows.values())
    history = page[page.find('id="history"'):]
    assert "办公电话：" in history and "0571-8888 6666" in history and "测试管理员" in history


def test_a_double_submit_changes_and_records_nothing_twice(app, console):
    client, _ = console.sign_in("township_admin")
    form = {"booking_min_notice_hours": "4", "booking_max_days_ahead": "90",
            "booking_cancel_cutoff_hours": "24", "waitlist_hold_minutes": "120"}
    first = console.post(client, "/console/settings/rules/bookings", data=form)
    second = console.post(client, "/console/settings/rules/bookings", data=form)
    assert first.status_code == second.status_code == 303
    assert "没有改动" in _body(client.get(PAGE))
    assert len(_changes(app)) == 3  # the hold was already 120 minutes
    items = _items(app)
    quota = _quota_form(items, **{f"{items['condom-m'].id}.per_pickup_limit": "6"})
    for _ in range(2):
        assert console.post(client, "/console/settings/quotas", data=quota).status_code == 303
    year = china_today().year
    for _ in range(2):
        assert console.post(client, "/console/settings/targets",
                            data={f"target_{year}": "45"}).status_code == 303
    actions = [row.action for row in _changes(app)]
    assert actions.count("supplies.item_rules") == 1 and actions.count("screening.target") == 1


BAD_FIELDS = [
    ("office", "office_phone", "电话打不通"), ("office", "office_address", "镇"),
    ("office", "office_hours", "全" * 61), ("office", "office_name", ""),
    ("registration", "registration_review_working_days", "31"),
    ("registration", "registration_review_working_days", "三天"),
    ("bookings", "booking_min_notice_hours", "100"),
    ("bookings", "booking_max_days_ahead", "181"),
    ("bookings", "booking_cancel_cutoff_hours", "-2"),
    ("bookings", "waitlist_hold_minutes", "5"),
    ("no_show", "no_show_limit", "0"), ("no_show", "no_show_window_days", "1000"),
    ("no_show", "no_show_restriction_days", "1.5"),
]
GOOD = {"office": dict(OFFICE), "registration": {"registration_review_working_days": "5"},
        "bookings": {"booking_min_notice_hours": "4", "booking_max_days_ahead": "90",
                     "booking_cancel_cutoff_hours": "24", "waitlist_hold_minutes": "60"},
        "no_show": {"no_show_limit": "3", "no_show_window_days": "365",
                    "no_show_restriction_days": "30"}}


@pytest.mark.parametrize(("section", "field", "value"), BAD_FIELDS)
def test_a_bad_field_is_explained_beside_it_and_nothing_in_its_form_is_saved(
        app, console, section, field, value):
    client, _ = console.sign_in("township_admin")
    form = {**GOOD[section], field: value}
    answer = console.post(client, f"/console/settings/rules/{section}", data=form)
    assert answer.status_code == 422
    html = _body(answer)
    message = _field_error(html, field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert f'id="{field}"' in html and 'aria-invalid="true"' in html
    # What was typed stays in the form, to be corrected rather than typed again.
    assert f'value="{value}"' in html
    assert _stored(app) == {} and _changes(app) == []


def test_a_bad_quota_saves_no_item(app, console):
    client, _ = console.sign_in("township_admin")
    items = _items(app)
    condom, gel = items["condom-m"], items["gel-nonoxynol"]
    for bad in ({f"{gel.id}.per_pickup_limit": "0"}, {f"{gel.id}.interval_days": "天天"},
                {f"{gel.id}.yearly_limit": "2", f"{gel.id}.per_pickup_limit": "5"}):
        form = _quota_form(items, **{f"{condom.id}.per_pickup_limit": "4"}, **bad)
        answer = console.post(client, "/console/settings/quotas", data=form)
        assert answer.status_code == 422
        field = next(iter(bad)) if len(bad) == 1 else f"{gel.id}.yearly_limit"
        assert _field_error(_body(answer), field.replace(".", "-"))
    after = _items(app)
    assert after["condom-m"].per_pickup_limit == condom.per_pickup_limit
    assert after["gel-nonoxynol"].per_pickup_limit == gel.per_pickup_limit
    assert _changes(app) == []


def test_quotas_are_saved_through_the_supplies_service_with_old_and_new(app, console):
    client, _ = console.sign_in("township_admin")
    items = _items(app)
    condom = items["condom-m"]
    form = _quota_form(items, **{f"{condom.id}.per_pickup_limit": "6",
                                 f"{condom.id}.interval_days": "30"})
    assert console.post(client, "/console/settings/quotas", data=form).status_code == 303
    after = _items(app)["condom-m"]
    assert (after.per_pickup_limit, after.interval_days) == (6, 30)
    (row,) = _changes(app)
    assert row.action == "supplies.item_rules" and row.target_id == str(condom.id)
    assert row.detail["per_pickup_limit"] == 6 and row.detail["interval_days"] == 30
    assert row.detail["old"] == {"per_pickup_limit": condom.per_pickup_limit,
                                 "interval_days": condom.interval_days}
    history = _body(client.get(PAGE))
    assert f"{condom.name}领取限额：每次最多 {condom.per_pickup_limit} → 6" in history


def test_targets_are_saved_through_set_target_and_validated(app, console):
    client, _ = console.sign_in("township_admin")
    year = china_today().year
    bad = console.post(client, "/console/settings/targets",
                       data={f"target_{year}": "50", f"target_{year + 1}": "很多"})
    assert bad.status_code == 422 and _field_error(_body(bad), f"target_{year + 1}")
    too_many = console.post(client, "/console/settings/targets",
                            data={f"target_{year}": "50", f"target_{year + 1}": "2000000"})
    assert too_many.status_code == 422
    assert "1000000" in _field_error(_body(too_many), f"target_{year + 1}")
    with app.app_context():
        assert db.session.scalar(select(func.count(ScreeningTarget.id))) == 0
    good = console.post(client, "/console/settings/targets",
                        data={f"target_{year}": "50", f"target_{year + 1}": ""})
    assert good.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(ScreeningTarget.target)).all() == [50]
    (row,) = _changes(app)
    assert row.detail == {"year": year, "target": 50, "old": None}
    assert f"{year}年孕检目标：（未设置） → 50对" in _body(client.get(PAGE))


def test_the_history_lists_the_newest_change_first(app, console):
    client, _ = console.sign_in("township_admin")
    console.post(client, "/console/settings/rules/no_show", data={
        "no_show_limit": "3", "no_show_window_days": "180", "no_show_restriction_days": "90"})
    console.post(client, "/console/settings/rules/no_show", data={
        "no_show_limit": "4", "no_show_window_days": "180", "no_show_restriction_days": "90"})
    html = _body(client.get(PAGE))
    history = html[html.find('id="history"'):]
    assert history.find("未到检次数：3 → 4次") < history.find("未到检次数：2 → 3次")
