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
    NavItem("console_clinic.today", "孕检门诊", ("township_admin", "clinic")),
    NavItem("console_clinic.schedule", "排班与停诊", ("township_admin", "clinic")),
    NavItem("console_supplies.points", "药具发放点", ("township_admin", "village_worker")),
    NavItem("console_supplies.tasks", "药具待办", ("township_admin", "village_worker")),
    NavItem("console_inbox.inbox", "居民求助", ("township_admin", "reviewer", "village_worker")),
    NavItem("console_notices.page", "通知送达", ("township_admin", "reviewer")),
    NavItem("console_knowledge.entries", "问答知识库", ("township_admin", "reviewer")),
    NavItem("console_reports.page", "报表下载", ("township_admin", "reviewer", "village_worker")),
    NavItem("console_ratings.page", "好差评", ("township_admin", "reviewer", "village_worker")),
    NavItem("console_settings.page", "系统设置", ("township_admin",)),
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
