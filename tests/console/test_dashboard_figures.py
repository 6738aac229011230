"""The dashboard's figures, from history made through the services, on any day of the year:
months and years are China's, each figure is cut to the viewer's scope, and clinic staff
get none."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.china_clock import at_china, every_fixed_moment
from tests.console.dashboard_world import DashboardWorld
from wxapp.china_time import CHINA
from wxapp.errors import Forbidden
from wxapp.services import dashboard


@pytest.fixture
def world(app_ctx):
    return DashboardWorld()


def _month(moment: datetime, back: int = 0) -> str:
    year, month = moment.year, moment.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year}-{month:02d}"


def _history(world: DashboardWorld, now: datetime) -> None:
    """Made at the moments a month or a year turns in China, when UTC has not yet turned."""
    month_began = now.replace(day=1, hour=0, minute=5)  # UTC: still the month before
    last_month_night = now.replace(day=1, hour=0, minute=0) - timedelta(minutes=30)
    year_began = datetime(now.year, 1, 1, 0, 5, tzinfo=CHINA)
    world.registration("东湖村", now - timedelta(minutes=10))
    world.registration("东湖村", month_began)
    world.registration("西岭村", last_month_night)
    world.registration("西岭村", now - timedelta(days=400))  # before the twelve months

    world.target(now.year, 4)
    world.target(now.year - 1, 99)
    world.check("东湖村", now - timedelta(minutes=10))
    world.check("西岭村", year_began, risk="high_risk")
    world.check("东湖村", year_began - timedelta(minutes=35))  # 23:30 on New Year's Eve

    world.pickup("CAB-DH-01", now - timedelta(minutes=8), ("condom-m", 5))
    world.pickup("CAB-DH-01", month_began, ("condom-m", 2), ("condom-l", 2))  # one pickup
    world.pickup("CAB-XL-01", now - timedelta(minutes=6), ("condom-m", 3))
    world.pickup("CAB-XL-01", last_month_night, ("condom-m", 3))  # last month's
    world.threshold("CAB-DH-01", "gel-nonoxynol", 100)  # 60 left: low
    world.lose_all("CAB-XL-01", "condom-l")  # none left
    world.silent_cabinet("CAB-XL-01", now)

    thirty_days_began = (now - timedelta(days=29)).replace(hour=0, minute=1)
    for outcome in ("answered", "answered", "suggested", "not_answered"):
        world.question(outcome, now - timedelta(minutes=20))
    world.question("answered", thirty_days_began)
    world.question("not_answered", thirty_days_began - timedelta(minutes=2))  # day 31
    world.handover(now - timedelta(minutes=15))
    world.handover(thirty_days_began - timedelta(minutes=2))


@every_fixed_moment
def test_the_office_sees_the_townships_figures(world, moment):
    with at_china(moment):
        _history(world, moment)
        figures = dashboard.figures(world.staff["demo-admin"])

    assert figures["scope"] == "示范镇" and figures["township_wide"]
    months = figures["registrations"]["months"]
    assert [m["month"] for m in months] == [_month(moment, back) for back in range(11, -1, -1)]
    assert months[-1]["count"] == 2 and months[-2]["count"] == 1
    assert sum(m["count"] for m in months) == 3
    assert figures["registrations"]["villages"] == [
        {"village": "东湖村", "count": 2}, {"village": "西岭村", "count": 1},
        {"village": "南桥社区", "count": 0}]

    programme = figures["programme"]
    assert (programme["year"], programme["checked"], programme["target"]) == (moment.year, 2, 4)
    assert programme["share"] == 0.5
    assert programme["villages"] == [{"village": "东湖村", "checked": 1},
                                     {"village": "西岭村", "checked": 1},
                                     {"village": "南桥社区", "checked": 0}]

    assert figures["pickups"]["month"] == _month(moment)
    assert [(p["point"], p["pickups"]) for p in figures["pickups"]["points"]] == [
        ("东湖村卫生室自助发放机", 2), ("西岭工业园自助发放机", 1), ("示范镇卫生院药具发放窗口", 0)]

    assert [(a["point"], a["item"], a["available"], a["level"])
            for a in figures["stock_alerts"]] == [
        ("西岭工业园自助发放机", "避孕套（大号）", 0, "out"),
        ("东湖村卫生室自助发放机", "壬苯醇醚外用避孕凝胶", 60, "low")]

    [offline] = figures["offline_cabinets"]
    assert (offline["point"], offline["status"]) == ("西岭工业园自助发放机", "offline")
    assert offline["last_seen_at"].tzinfo is not None
    assert offline["last_seen_at"].replace(second=0, microsecond=0) == \
        (moment - timedelta(hours=2)).replace(second=0, microsecond=0)

    bot = figures["bot"]
    assert {k: bot[k] for k in ("answered", "suggested", "not_answered", "handed_over",
                                "questions")} == {"answered": 3, "suggested": 1,
                                                  "not_answered": 1, "handed_over": 1,
                                                  "questions": 5}
    assert bot["answer_rate"] == 0.6 and bot["days"] == 30
    assert bot["since"] == (moment - timedelta(days=29)).date()


def test_a_village_worker_sees_her_village_only(world):
    now = datetime.now(CHINA)
    _history(world, now)
    figures = dashboard.figures(world.staff["demo-village"])  # 东湖村

    assert figures["scope"] == "东湖村" and not figures["township_wide"]
    assert sum(m["count"] for m in figures["registrations"]["months"]) == 2
    assert figures["registrations"]["villages"] == [{"village": "东湖村", "count": 2}]
    programme = figures["programme"]
    # The target is the township's: her village's share of it would mislead.
    assert (programme["checked"], programme["target"], programme["share"]) == (1, None, None)
    assert programme["villages"] == [{"village": "东湖村", "checked": 1}]
    assert [(p["point"], p["pickups"]) for p in figures["pickups"]["points"]] == [
        ("东湖村卫生室自助发放机", 2)]
    assert [a["point"] for a in figures["stock_alerts"]] == ["东湖村卫生室自助发放机"]
    assert figures["offline_cabinets"] == []  # 西岭村's cabinet is not hers
    assert figures["bot"] is None  # the question log records no place

    other = world.village_worker("西岭村", "xl-worker")
    theirs = dashboard.figures(other)
    assert theirs["registrations"]["villages"] == [{"village": "西岭村", "count": 1}]
    assert [c["point"] for c in theirs["offline_cabinets"]] == ["西岭工业园自助发放机"]


def test_reviewers_see_the_township_and_clinic_staff_nothing(world):
    now = datetime.now(CHINA)
    world.registration("南桥社区", now - timedelta(minutes=5))
    reviewer = dashboard.figures(world.staff["demo-reviewer"])
    assert reviewer["township_wide"] and reviewer["bot"] is not None
    assert reviewer["registrations"]["villages"][-1] == {"village": "南桥社区", "count": 1}
    with pytest.raises(Forbidden) as refused:
        dashboard.figures(world.staff["demo-clinic"])
    assert refused.value.code == "dashboard.role_forbidden"


def test_an_empty_township_has_zeros_not_errors(world):
    figures = dashboard.figures(world.staff["demo-admin"])
    assert len(figures["registrations"]["months"]) == 12
    assert all(m["count"] == 0 for m in figures["registrations"]["months"])
    assert figures["programme"]["target"] is None and figures["programme"]["share"] is None
    assert all(p["pickups"] == 0 for p in figures["pickups"]["points"])
    assert figures["stock_alerts"] == [] and figures["offline_cabinets"] == []
    assert figures["bot"]["questions"] == 0 and figures["bot"]["answer_rate"] is None


def test_the_twelve_months_end_with_this_one_across_new_year():
    from datetime import date

    assert dashboard.last_months(date(2027, 1, 1)) == [
        "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08",
        "2026-09", "2026-10", "2026-11", "2026-12", "2027-01"]
    assert dashboard.last_months(date(2028, 2, 29), 3) == ["2027-12", "2028-01", "2028-02"]
