"""The dashboard page: who may open it, what it shows each of them, and how it is drawn
(well-formed SVG whose numbers are the tables' numbers, which are the service's; nothing
the console's CSP would block)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from tests.china_clock import FIXED_MOMENTS, at_china
from tests.console.dashboard_world import DashboardWorld, make_history
from wxapp.formats.svg_charts import month_label
from wxapp.services import dashboard

PAGE = "/console/dashboard"
SVG = "{http://www.w3.org/2000/svg}"
MID_YEAR = FIXED_MOMENTS["30 June"]


class _Tables(HTMLParser):
    """Every <table id=...> of a page as its rows of cell texts (header cells included)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id"), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return {name: rows[1:] for name, rows in parser.tables.items()}  # without the headings


def _charts(html: str) -> dict[str, ET.Element]:
    return {root.get("id"): root for root in
            (ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", html, re.S))}


def _texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


@pytest.fixture
def history(app):
    """``history(moment)`` makes the world's history at ``moment``. In an app context of its
    own, left before any request: a request inside an outer app context would share its ``g``
    (and the CSRF token cached there) with every other request of the test."""
    def make(moment):
        with app.app_context():
            make_history(DashboardWorld(), moment)
    return make


@pytest.mark.parametrize(("role", "status"), [
    ("township_admin", 200), ("reviewer", 200), ("village_worker", 200), ("clinic", 403)])
def test_who_may_open_the_dashboard(console, role, status):
    client, _ = console.sign_in(role)
    response = client.get(PAGE)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    if status == 403:
        assert "没有权限" in page and "智能问答" not in page
    else:
        assert "<h1>统计概览</h1>" in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login?next=")
    htmx = client.get(PAGE, headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/console/login")


@pytest.mark.parametrize(("role", "shown"), [
    ("township_admin", True), ("reviewer", True), ("village_worker", True), ("clinic", False)])
def test_the_dashboard_is_in_the_navigation_of_those_who_may_open_it(console, role, shown):
    client, _ = console.sign_in(role)
    page = client.get("/console/account").get_data(as_text=True)
    assert (f'href="{PAGE}"' in page) is shown


def test_the_office_lands_on_the_dashboard(console):
    client, _ = console.sign_in("township_admin")
    response = client.get("/console/")
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)


def test_the_office_sees_charts_whose_numbers_are_the_services(app, history, console):
    with at_china(MID_YEAR):  # signed in then too: a session from another day has expired
        history(MID_YEAR)
        client, staff = console.sign_in("township_admin")
        page = client.get(PAGE).get_data(as_text=True)
        with app.app_context():
            figures = dashboard.figures(staff)

    tables = _tables(page)
    charts = _charts(page)
    registrations = figures["registrations"]
    assert tables["table-registration-months"] == [
        [month_label(m["month"]), str(m["count"])] for m in registrations["months"]]
    assert tables["table-registration-villages"] == [
        [v["village"], str(v["count"])] for v in registrations["villages"]]
    assert tables["table-programme"] == [
        *([v["village"], str(v["checked"])] for v in figures["programme"]["villages"]),
        ["合计", "2"], ["年度目标", "4"]]
    assert tables["table-pickups"] == [
        [p["point"], str(p["pickups"])] for p in figures["pickups"]["points"]]
    assert tables["table-bot"] == [["直接答复", "3"], ["推荐相近问题", "1"], ["未能回答", "1"],
                                   ["转人工留言", "1"], ["提问合计", "5"]]
    assert [row[:3] + row[4:] for row in tables["table-stock"]] == [
        ["西岭工业园自助发放机", "避孕套（大号）", "0只", "缺货"],
        ["东湖村卫生室自助发放机", "壬苯醇醚外用避孕凝胶", "60支", "库存偏低"]]
    [cabinet] = tables["table-cabinets"]
    assert cabinet[0] == "西岭工业园自助发放机" and cabinet[2] == "离线"

    # Each chart carries the same numbers as its table, in words a screen reader gets too.
    assert set(charts) == {"chart-registration-months", "chart-registration-villages",
                           "chart-programme-progress", "chart-programme-villages",
                           "chart-pickups", "chart-bot"}
    month_values = _texts(charts["chart-registration-months"])[:24:2]  # value, month
    assert month_values == [str(m["count"]) for m in registrations["months"]]
    assert _texts(charts["chart-registration-villages"]) == [
        text for v in registrations["villages"] for text in (v["village"], f"{v['count']}件")]
    assert _texts(charts["chart-pickups"]) == [
        text for p in figures["pickups"]["points"] for text in (p["point"], f"{p['pickups']}人次")]
    assert _texts(charts["chart-bot"]) == ["直接答复", "3次", "推荐相近问题", "1次", "未能回答",
                                           "1次", "转人工留言", "1次"]
    assert _texts(charts["chart-programme-progress"])[0] == "已完成 2对，目标 4对，50%"
    for chart_id, root in charts.items():
        assert root.find(f"{SVG}title").get("id") == f"{chart_id}-title"
        assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"


def test_a_village_worker_sees_her_village_and_no_township_figure(history, console):
    with at_china(MID_YEAR):
        history(MID_YEAR)
        client, _ = console.sign_in("village_worker", village="东湖村")
        page = client.get(PAGE).get_data(as_text=True)
    tables = _tables(page)
    assert "范围：<strong>东湖村</strong>" in page
    assert tables["table-registration-villages"] == [["东湖村", "2"]]
    assert tables["table-programme"] == [["东湖村", "1"], ["合计", "1"]]
    assert tables["table-pickups"] == [["东湖村卫生室自助发放机", "2"]]
    assert [row[0] for row in tables["table-stock"]] == ["东湖村卫生室自助发放机"]
    assert "table-cabinets" not in tables and "所有自助发放机都在线" in page
    assert "table-bot" not in tables and "chart-programme-progress" not in _charts(page)
    assert "西岭" not in page and "本村年度目标：未分解到村" in page


def test_an_empty_township_says_there_is_nothing_yet(console):
    client, _ = console.sign_in("township_admin")
    page = client.get(PAGE).get_data(as_text=True)
    charts = _charts(page)
    assert _texts(charts["chart-registration-months"]) == ["暂无数据"]
    assert _texts(charts["chart-programme-progress"]) == ["尚未设置年度目标"]
    assert _texts(charts["chart-bot"]) == ["暂无数据"]
    assert "暂无库存预警" in page and "所有自助发放机都在线" in page
    assert _tables(page)["table-registration-villages"] == [
        ["东湖村", "0"], ["西岭村", "0"], ["南桥社区", "0"]]


def test_the_page_has_no_inline_style_or_script(history, console):
    with at_china(MID_YEAR):
        history(MID_YEAR)
        client, _ = console.sign_in("township_admin")
        response = client.get(PAGE)
    page = response.get_data(as_text=True)
    assert not re.search(r"\sstyle\s*=", page, re.I)
    assert "<style" not in page
    assert not re.search(r"\son[a-z]+\s*=", page, re.I)
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", page))
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    assert "console/dashboard.css" in page
