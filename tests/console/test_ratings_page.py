"""好差评 in the console: who opens the page and what each role sees of a month's satisfaction,
counted by service and by village, with small groups given as counts and never a rater."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from tests.china_clock import at_china
from tests.console.rating_world import RatingWorld
from wxapp.china_time import CHINA

PAGE = "/console/ratings"
JUNE = datetime(2027, 6, 16, 10, 0, tzinfo=CHINA)
JULY = datetime(2027, 7, 1, 0, 30, tzinfo=CHINA)  # July in China, still June 30 in UTC


@pytest.fixture
def world(app):
    return RatingWorld(app)


@pytest.fixture
def june(world):
    """June 2027: registrations 东湖村 5×非常满意 + 1×满意 + 1×不满意, 西岭村 1×满意 + 1×非常不满意;
    two pickups at 东湖村 (满意, 基本满意); one hand-over (no village) 非常满意. The 东湖村 不满意
    is a real poor rating with a comment and a rater."""
    world.counts("registration", "东湖村", {5: 5, 4: 1}, JUNE)
    world.counts("registration", "西岭村", {4: 1, 1: 1}, JUNE)
    world.counts("pickup", "东湖村", {4: 1, 3: 1}, JUNE)
    world.counts("handover", None, {5: 1}, JUNE)
    world.rated_case(score=2, when=JUNE)
    # The first hour of July in China belongs to July, not June.
    world.counts("registration", "东湖村", {1: 1}, JULY)
    return world


def _rows(html: str, table_id: str) -> dict[str, list[str]]:
    """A table's body rows: the row heading -> the cells' text."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S):
        heading = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))
        cells = [re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                          row, re.S)]
        rows[heading.strip()] = [" ".join(c) for c in cells]
    return rows


@pytest.mark.parametrize(("role", "status"), [("township_admin", 200), ("reviewer", 200),
                                              ("village_worker", 200), ("clinic", 403)])
def test_who_may_open_the_page(console, role, status):
    client, _ = console.sign_in(role)
    response = client.get(PAGE)
    assert response.status_code == status
    if status == 403:
        assert "没有此项权限" in response.get_data(as_text=True)


def test_signed_out_browsers_are_sent_to_sign_in(console):
    response = console.client().get(PAGE)
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_the_nav_shows_the_page_to_the_roles_that_may_open_it(console):
    for role, shown in (("reviewer", True), ("village_worker", True), ("clinic", False)):
        client, _ = console.sign_in(role)
        home = client.get("/console/account").get_data(as_text=True)
        assert (f'href="{PAGE}"' in home) is shown, role


def test_the_office_sees_the_township_by_service_and_village(console, june):
    client, _ = console.sign_in("township_admin")
    html = client.get(f"{PAGE}?month=2027-06").get_data(as_text=True)
    services = _rows(html, "table-rating-services")
    # 评价数, 非常满意, 满意, 基本满意, 不满意, 非常不满意, 满意率
    assert services["生育登记"] == ["9", "5", "2", "0", "1", "1", "77.8%"]
    assert services["免费药具领取"][:6] == ["2", "0", "1", "1", "0", "0"]
    # Two ratings are no percentage: the counts, and why not.
    assert services["免费药具领取"][6] == "2/2 条数少，不计比例"
    assert services["孕前优生健康检查"] == ["0", "0", "0", "0", "0", "0", "—"]
    assert services["人工咨询"][0] == "1"
    assert services["合计"] == ["12", "6", "3", "1", "1", "1", "83.3%"]
    villages = _rows(html, "table-rating-villages")
    assert villages["东湖村"][:6] == ["9", "5", "2", "1", "1", "0"]
    assert villages["东湖村"][6] == "88.9%"
    assert villages["西岭村"][6] == "1/2 条数少，不计比例"
    assert villages["不属于某村（社区）"][0] == "1"
    # Drawn as SVG, with its figures in words for screen readers.
    assert html.count('role="img"') == 2
    assert "生育登记 满意 7/9条，78%" in html


def test_reviewers_see_the_counts_and_never_a_rater_or_a_comment(console, june):
    client, _ = console.sign_in("reviewer")
    html = client.get(f"{PAGE}?month=2027-06").get_data(as_text=True)
    assert _rows(html, "table-rating-services")["生育登记"][0] == "9"
    for private in ("陈静怡", "陈**", "139****5678", "材料被退回", "待回访", "/callback",
                    "显示完整"):
        assert private not in html, private


def test_a_village_worker_sees_her_village_alone(console, june):
    client, _ = console.sign_in("village_worker", village="西岭村")
    html = client.get(f"{PAGE}?month=2027-06").get_data(as_text=True)
    villages = _rows(html, "table-rating-villages")
    assert list(villages) == ["西岭村"]
    services = _rows(html, "table-rating-services")
    assert services["生育登记"][:6] == ["2", "0", "1", "0", "0", "1"]
    assert services["人工咨询"][0] == "0"  # belongs to no village: not hers
    assert "东湖村" not in html and "待回访" not in html


def test_each_month_counts_its_own_china_days(console, june):
    client, _ = console.sign_in("township_admin")
    july = client.get(f"{PAGE}?month=2027-07").get_data(as_text=True)
    assert _rows(july, "table-rating-services")["合计"][0] == "1"
    may = client.get(f"{PAGE}?month=2027-05").get_data(as_text=True)
    assert _rows(may, "table-rating-services")["合计"][0] == "0"
    assert "暂无数据" in may  # the charts say so in words


@pytest.mark.parametrize("month", ["2027-13", "2027-6", "June", "1999-12", "2027-06-01",
                                   "２０２７-０６"])
def test_a_bad_month_is_explained_beside_the_picker_and_this_month_shown(console, month):
    client, _ = console.sign_in("township_admin")
    response = client.get(PAGE, query_string={"month": month})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<p class="field-error" id="month-error">月份应为 年-月' in html
    assert 'aria-invalid="true" aria-describedby="month-error"' in html


def test_with_no_month_the_page_shows_this_month_in_china(console, world):
    with at_china(JULY):
        client, _ = console.sign_in("reviewer")
        html = client.get(PAGE).get_data(as_text=True)
    assert 'value="2027-07"' in html and "2027年7月" in html
