"""The dashboard (统计概览), where the township office lands: the figures of
``services.dashboard`` drawn as server-side SVG, each chart followed by its numbers as a
table. Reviewers see the township too; a village worker sees her own village."""
from __future__ import annotations

from flask import g, render_template

from wxapp.console.access import console_required
from wxapp.formats import svg_charts
from wxapp.services import dashboard
from wxapp.web.blueprint import Blueprint

bp = Blueprint("console_dashboard", __name__, url_prefix="/console")

# What the bot did with a question, in the words the office uses.
BOT_OUTCOMES = (("answered", "直接答复"), ("suggested", "推荐相近问题"),
                ("not_answered", "未能回答"), ("handed_over", "转人工留言"))


@bp.get("/dashboard")
@console_required(*dashboard.VIEWERS)
def page():
    figures = dashboard.figures(g.staff)
    return render_template("console/dashboard.html", figures=figures,
                           charts=_charts(figures), tables=_tables(figures),
                           month_label=svg_charts.month_label)


def _charts(figures: dict) -> dict:
    registrations = figures["registrations"]
    programme = figures["programme"]
    charts = {
        "registration_months": svg_charts.month_columns(
            "chart-registration-months", "近12个月每月生育登记申请数",
            [(m["month"], m["count"]) for m in registrations["months"]], unit="件",
            current=registrations["months"][-1]["month"]),
        "registration_villages": svg_charts.bar_chart(
            "chart-registration-villages", "近12个月各村（社区）生育登记申请数",
            [(v["village"], v["count"]) for v in registrations["villages"]], unit="件"),
        "programme_villages": svg_charts.bar_chart(
            "chart-programme-villages", f"{programme['year']}年各村（社区）完成孕前检查对数",
            [(v["village"], v["checked"]) for v in programme["villages"]], unit="对"),
        "pickups": svg_charts.bar_chart(
            "chart-pickups", "本月各发放点药具发放人次",
            [(p["point"], p["pickups"]) for p in figures["pickups"]["points"]], unit="人次"),
    }
    if figures["township_wide"] or programme["target"] is not None:
        whose = "" if figures["township_wide"] else "本村"
        charts["programme_progress"] = svg_charts.progress(
            "chart-programme-progress", f"{programme['year']}年{whose}孕前检查完成进度",
            programme["checked"], programme["target"], unit="对")
    if figures["bot"] is not None:
        charts["bot"] = svg_charts.bar_chart(
            "chart-bot", f"近{figures['bot']['days']}天智能问答情况",
            [(label, figures["bot"][key]) for key, label in BOT_OUTCOMES], unit="次")
    return charts


def _tables(figures: dict) -> dict:
    """Each chart's numbers as a table: caption, column headings, rows."""
    registrations = figures["registrations"]
    programme = figures["programme"]
    month = svg_charts.month_label(figures["pickups"]["month"])
    programme_rows = [(v["village"], v["checked"]) for v in programme["villages"]]
    programme_rows.append(("合计", programme["checked"]))
    if programme["target"] is not None:
        programme_rows.append(("年度目标" if figures["township_wide"] else "本村年度目标",
                               programme["target"]))
    tables = {
        "registration_months": ("近12个月每月生育登记申请数", ("月份", "申请数（件）"),
                                [(svg_charts.month_label(m["month"]), m["count"])
                                 for m in registrations["months"]]),
        "registration_villages": ("近12个月各村（社区）生育登记申请数",
                                  ("村（社区）", "申请数（件）"),
                                  [(v["village"], v["count"]) for v in registrations["villages"]]),
        "programme": (f"{programme['year']}年各村（社区）完成孕前检查",
                      ("村（社区）", "完成检查（对）"), programme_rows),
        "pickups": (f"{month}各发放点药具发放人次", ("发放点", "发放人次"),
                    [(p["point"], p["pickups"]) for p in figures["pickups"]["points"]]),
    }
    if figures["bot"] is not None:
        bot = figures["bot"]
        tables["bot"] = (f"近{bot['days']}天智能问答情况", ("情况", "次数"),
                         [(label, bot[key]) for key, label in BOT_OUTCOMES]
                         + [("提问合计", bot["questions"])])
    return tables
