"""The year's target shared out to the villages (任务分解到村): whole numbers of at least 0, never
adding up to more than the township's target, all or nothing, audited once per real change;
the page the township office sets them on; and a village worker's coverage on the dashboard
measured against her village's share."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from tests.china_clock import FIXED_MOMENTS, at_china
from tests.console.dashboard_world import DashboardWorld
from wxapp.errors import Forbidden, NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models import AuditLog, ScreeningVillageTarget, StaffUser, Township, Village
from wxapp.services import dashboard
from wxapp.services.screening import stats, village_targets
from wxapp.transactions import commit

PAGE = "/console/reports/targets"
MID_YEAR = FIXED_MOMENTS["30 June"]
YEAR = MID_YEAR.year


@pytest.fixture
def world(app_ctx):
    world = DashboardWorld()
    world.target(YEAR, 10)
    return world


def _ids(world, **shares):
    return {world.villages[name].id: value for name, value in shares.items()}


def _saved(year=YEAR) -> dict[int, int]:
    db.session.expire_all()
    return {row.village_id: row.target for row in db.session.scalars(
        select(ScreeningVillageTarget).filter_by(year=year))}


def _audits():
    return list(db.session.scalars(select(AuditLog).filter_by(
        action="screening.village_targets").order_by(AuditLog.id)))


def test_shares_are_saved_audited_and_summed(world):
    admin = world.staff["demo-admin"]
    result = village_targets.set_village_targets(admin, YEAR, _ids(world, 东湖村="4", 西岭村=3))
    commit()
    assert _saved() == _ids(world, 东湖村=4, 西岭村=3)
    assert (result["assigned"], result["unassigned"], result["changed"]) == (7, 3, 2)
    assert [v["target"] for v in result["villages"]] == [4, 3, None]  # 南桥社区: no share
    [audit] = _audits()
    assert audit.actor_id == str(admin.id) and audit.detail["township_target"] == 10
    assert audit.detail["changes"] == {"东湖村": {"before": None, "after": 4},
                                       "西岭村": {"before": None, "after": 3}}

    # The same again (a second click, a reload): nothing changes, nothing is audited.
    again = village_targets.set_village_targets(admin, YEAR, _ids(world, 东湖村="4", 西岭村="3"))
    commit()
    assert again["changed"] == 0 and len(_audits()) == 1

    # Full-width digits as typed by a Chinese input method; blank takes a share away.
    village_targets.set_village_targets(admin, YEAR, _ids(world, 东湖村=" ５ ", 西岭村=""))
    commit()
    assert _saved() == _ids(world, 东湖村=5)
    assert _audits()[-1].detail["changes"] == {"东湖村": {"before": 4, "after": 5},
                                               "西岭村": {"before": 3, "after": None}}
    assert stats.village_target(world.villages["东湖村"].id, YEAR) == 5
    assert stats.village_target(world.villages["东湖村"].id, YEAR + 1) is None


@pytest.mark.parametrize("bad", ["-1", "1.5", "abc", "1e3", "４二", "9999999999", -2, True])
def test_only_whole_numbers_of_at_least_zero_and_nothing_saved_on_error(world, bad):
    admin = world.staff["demo-admin"]
    with pytest.raises(ValidationFailed) as refused:
        village_targets.set_village_targets(admin, YEAR, _ids(world, 东湖村="2", 西岭村=bad))
    field = village_targets.field_name(world.villages["西岭村"].id)
    assert refused.value.details == {field: "请填写0或正整数（不分解到本村请留空）。"}
    db.session.rollback()
    assert _saved() == {} and _audits() == []


def test_shares_may_not_add_up_to_more_than_the_township_target(world):
    admin = world.staff["demo-admin"]
    with pytest.raises(ValidationFailed) as refused:
        village_targets.set_village_targets(admin, YEAR, _ids(world, 东湖村=6, 西岭村=5))
    assert refused.value.code == "screening.village_targets_exceed"
    assert refused.value.details["form"] == \
        f"各村分解合计11对，超过了全镇{YEAR}年目标10对，请减少1对。"
    db.session.rollback()
    assert _saved() == {}

    # Shares already saved count too: only 西岭村 is sent, 东湖村 keeps its 8.
    village_targets.set_village_targets(admin, YEAR, _ids(world, 东湖村=8))
    commit()
    with pytest.raises(ValidationFailed):
        village_targets.set_village_targets(admin, YEAR, _ids(world, 西岭村=3))
    db.session.rollback()
    village_targets.set_village_targets(admin, YEAR, _ids(world, 西岭村=2, 南桥社区=0))
    commit()
    assert sum(_saved().values()) == 10


def test_the_township_target_comes_first(world):
    admin = world.staff["demo-admin"]
    with pytest.raises(ValidationFailed) as refused:
        village_targets.set_village_targets(admin, YEAR + 1, _ids(world, 东湖村=1))
    assert refused.value.code == "screening.township_target_missing"
    assert "系统设置" in refused.value.details["form"]
    # Blank shares ask for nothing, so they are fine without a target.
    assert village_targets.set_village_targets(admin, YEAR + 1,
                                               _ids(world, 东湖村=""))["changed"] == 0


def test_only_the_office_sets_shares_and_only_for_its_villages(world):
    for username in ("demo-reviewer", "demo-village", "demo-clinic"):
        with pytest.raises(Forbidden):
            village_targets.set_village_targets(world.staff[username], YEAR,
                                                _ids(world, 东湖村=1))
    township = Township(code="320999001", name="邻镇")
    db.session.add(township)
    db.session.flush()
    elsewhere = Village(township_id=township.id, code="320999001001", name="邻村")
    db.session.add(elsewhere)
    commit()
    with pytest.raises(NotFound):
        village_targets.set_village_targets(world.staff["demo-admin"], YEAR, {elsewhere.id: 1})
    db.session.rollback()
    assert _saved() == {}
    with pytest.raises(ValidationFailed):
        village_targets.village_targets(world.staff["demo-admin"], 1999)


def test_the_dashboard_measures_a_village_worker_against_her_share(world):
    with at_china(MID_YEAR):
        world.check("东湖村", MID_YEAR.replace(hour=9))
        mine = dashboard.figures(world.staff["demo-village"])["programme"]
        assert (mine["checked"], mine["target"], mine["share"]) == (1, None, None)
        village_targets.set_village_targets(world.staff["demo-admin"], YEAR,
                                            _ids(world, 东湖村=4))
        commit()
        mine = dashboard.figures(world.staff["demo-village"])["programme"]
        office = dashboard.figures(world.staff["demo-admin"])["programme"]
    assert (mine["target"], mine["share"], mine["target_of"]) == (4, 0.25, "village")
    assert (office["target"], office["share"], office["target_of"]) == (10, 0.1, "township")


# -- the page ----------------------------------------------------------------------------------
@pytest.fixture
def township(app):
    """The demo township with a target of 10 for the year, set outside any request."""
    with app.app_context():
        DashboardWorld().target(YEAR, 10)
        return {v.name: v.id for v in db.session.scalars(select(Village))}


def _in_app(app, fn):
    with app.app_context():
        return fn()


@pytest.mark.parametrize(("role", "status"), [
    ("township_admin", 200), ("reviewer", 403), ("village_worker", 403), ("clinic", 403)])
def test_who_may_open_the_targets_page(console, township, role, status):
    with at_china(MID_YEAR):
        client, _ = console.sign_in(role)
        assert client.get(PAGE).status_code == status
        if status == 403:
            token = console.csrf(client)
            answer = client.post(PAGE, data={"csrf_token": token, "year": YEAR,
                                             f"village_{township['东湖村']}": "1"})
            assert answer.status_code == 403


def test_the_office_shares_the_target_out_on_the_page(console, township, app):
    field = f"village_{township['东湖村']}"
    with at_china(MID_YEAR):
        client, _ = console.sign_in("township_admin")
        html = client.get(PAGE).get_data(as_text=True)
        assert "全镇目标：<strong>10对</strong>" in html
        assert all(f'id="village_{i}"' in html for i in township.values())
        data = {"year": YEAR, field: "4", f"village_{township['西岭村']}": "3",
                f"village_{township['南桥社区']}": ""}
        answer = console.post(client, PAGE, data, token_from=PAGE)
        assert answer.status_code == 302
        page = client.get(answer.headers["Location"]).get_data(as_text=True)
        assert "已保存" in page and 'value="4"' in page and "3对" in page  # 3 not shared out
        # Sent again (a double click): nothing is done twice.
        again = console.post(client, PAGE, data, token_from=PAGE)
        assert "没有改动" in client.get(again.headers["Location"]).get_data(as_text=True)
    saved = _in_app(app, _saved)
    assert saved == {township["东湖村"]: 4, township["西岭村"]: 3}
    assert len(_in_app(app, _audits)) == 1


@pytest.mark.parametrize(("values", "where", "words"), [
    ({"东湖村": "4.5", "西岭村": "1"}, "东湖村", "请填写0或正整数"),
    ({"东湖村": "-3", "西岭村": "1"}, "东湖村", "请填写0或正整数"),
    ({"东湖村": "6", "西岭村": "5"}, "form", "超过了全镇"),
])
def test_a_wrong_share_is_explained_and_nothing_saved(console, township, app, values, where,
                                                      words):
    with at_china(MID_YEAR):
        client, _ = console.sign_in("township_admin")
        data = {"year": YEAR, **{f"village_{township[k]}": v for k, v in values.items()}}
        answer = console.post(client, PAGE, data, token_from=PAGE)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and words in html
    error_id = "form-error" if where == "form" else f"village_{township[where]}-error"
    assert f'id="{error_id}"' in html
    assert f'value="{values["东湖村"]}"' in html  # what she typed is still there to fix
    assert _in_app(app, _saved) == {} and _in_app(app, _audits) == []


def test_another_year_is_chosen_with_the_year_field(console, township):
    with at_china(MID_YEAR):
        client, _ = console.sign_in("township_admin")
        html = client.get(PAGE, query_string={"year": YEAR + 1}).get_data(as_text=True)
        assert f"{YEAR + 1}年孕前优生健康检查目标任务" in html and "尚未设置" in html
        odd = client.get(PAGE, query_string={"year": "abcd"}).get_data(as_text=True)
        assert f"{YEAR}年孕前优生健康检查目标任务" in odd


@pytest.mark.postgres_only
def test_two_offices_saving_at_once_never_share_out_more_than_the_target(app):
    """Each save alone fits the target of 10; both together would not. The township's target
    row is locked while the shares are checked, so the second sees the first's."""
    with app.app_context():
        world = DashboardWorld()
        world.target(YEAR, 10)
        admin_id = world.staff["demo-admin"].id
        ids = {name: village.id for name, village in world.villages.items()}
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def save(index, village):
        with app.app_context():
            admin = db.session.get(StaffUser, admin_id)
            barrier.wait()
            try:
                village_targets.set_village_targets(admin, YEAR, {ids[village]: 6})
                commit()
                outcomes[index] = "saved"
            except ValidationFailed as refused:
                db.session.rollback()
                outcomes[index] = refused.code

    threads = [threading.Thread(target=save, args=(i, village))
               for i, village in enumerate(("东湖村", "西岭村"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved", "screening.village_targets_exceed"]
    with app.app_context():
        assert sum(_saved().values()) == 6 and len(_audits()) == 1


def test_the_township_target_cannot_drop_below_what_the_villages_were_given(world):
    admin = world.staff["demo-admin"]
    village_targets.set_village_targets(admin, YEAR, _ids(world, 东湖村=4, 西岭村=3))
    commit()
    with pytest.raises(ValidationFailed) as refused:
        stats.set_target(admin, YEAR, 6)
    assert refused.value.code == "screening.target_below_village_shares"
    assert "合计7对" in refused.value.details["target"]
    db.session.rollback()
    assert stats.township_target(admin.township_id, YEAR) == 10
    stats.set_target(admin, YEAR, 7)  # exactly what was shared out is fine
    commit()
    assert stats.township_target(admin.township_id, YEAR) == 7
