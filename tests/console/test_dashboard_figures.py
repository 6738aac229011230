"""The dashboard's figures, from history made through the services, on any day of the year:
months and years are China's, each figure is cut to the viewer's scope, and clinic staff
get none."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.china_clock import FIXED_MOMENTS, at_china, every_fixed_moment
from tests.console.dashboard_world import DashboardWorld, make_history
from wxapp.errors import Forbidden
from wxapp.services import dashboard

MID_YEAR = FIXED_MOMENTS["30 June"]


@pytest.fixture
def world(app_ctx):
    return DashboardWorld()


def _month(moment: datetime, back: int = 0) -> str:
    year, month = moment.year, moment.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year}-{month:02d}"


@every_fixed_moment
def test_the_office_sees_the_townships_figures(world, moment):
    with at_china(moment):
        make_history(world, moment)
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
    with at_china(MID_YEAR):
        make_history(world, MID_YEAR)
        figures = dashboard.figures(world.staff["demo-village"])  # 东湖村
        other = world.village_worker("西岭村", "xl-worker")
        theirs = dashboard.figures(other)

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

    assert theirs["registrations"]["villages"] == [{"village": "西岭村", "count": 1}]
    assert [c["point"] for c in theirs["offline_cabinets"]] == ["西岭工业园自助发放机"]


def test_reviewers_see_the_township_and_clinic_staff_nothing(world):
    with at_china(MID_YEAR):
        world.registration("南桥社区", MID_YEAR - timedelta(minutes=5))
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
