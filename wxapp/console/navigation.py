"""The console's navigation: one entry per page, shown to the roles that may open it.

Page modules add their entry here. An entry whose endpoint is not registered (a page not
built yet) is left out rather than linking to a 404."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for

ROLE_LABELS = {
    "township_admin": "镇卫健办管理员",
    "reviewer": "审核员",
    "village_worker": "村专干",
    "clinic": "医院人员",
}


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: tuple[str, ...]
    # Query arguments of the link (the desk's views: ``{"view": "due"}``).
    args: tuple[tuple[str, str], ...] = ()


NAV_ITEMS: list[NavItem] = [
    NavItem("console_dashboard.page", "统计概览",
            ("township_admin", "reviewer", "village_worker")),
    NavItem("console_desk.queue", "生育登记", ("township_admin", "reviewer", "village_worker")),
    NavItem("console_desk_filing.new_filing", "代办登记申请",
            ("township_admin", "reviewer", "village_worker")),
    NavItem("console_staff.staff_list", "员工账号", ("township_admin",)),
    NavItem("console_audit.audit_page", "审计日志", ("township_admin",)),
    NavItem("console.account", "我的账号",
            ("township_admin", "reviewer", "village_worker", "clinic")),
]


def nav_for(role: str) -> list[dict]:
    """The entries ``role`` may open, with their URL and whether it is the current page."""
    items = []
    for item in NAV_ITEMS:
        if role not in item.roles or item.endpoint not in current_app.view_functions:
            continue
        items.append({"label": item.label, "url": url_for(item.endpoint, **dict(item.args)),
                      "current": request.endpoint == item.endpoint})
    return items
