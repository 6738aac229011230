"""What residents tell the programme: how a pickup went, a point that is empty or broken, and
how they would rather receive supplies (服务方式)."""
from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import String, cast, literal, select

from wxapp import config
from wxapp.errors import Conflict, NotFound
from wxapp.extensions import db
from wxapp.models import Pickup, Resident, ResidentNotice, SupplyPoint, SupplyPreference
from wxapp.models.base import utcnow
from wxapp.services.resident_notices import BySubscribe, tell
from wxapp.services.supplies import pickups
from wxapp.services.supplies.tasks import open_task

FOLLOW_UP_ANSWERS = {"fine": "使用正常", "side_effects": "有不良反应",
                     "want_other_method": "想换其他避孕方法"}
REPORT_KINDS = {"empty": "缺货", "broken": "设备故障", "other": "其他问题"}


def answer_follow_up(resident: Resident, pickup_id: int, answer: str) -> Pickup:
    """Anything but "fine" becomes a task for the staff who follow up that point's village;
    the task says what to ask about, not what was taken."""
    pickup = pickups.get_mine(resident, pickup_id)
    if pickup.status != "dispensed":
        raise Conflict("pickup.follow_up_not_open", "领取完成后才能反馈使用情况。")
    if pickup.follow_up_answer == answer:
        return pickup  # the same answer sent again
    if pickup.follow_up_answer is not None:
        raise Conflict("pickup.follow_up_answered", "您已经反馈过了，谢谢！")
    pickup.follow_up_answer = answer
    if answer != "fine":
        open_task("follow_up", f"pickup:{pickup.id}", pickup.point,
                  f"居民反馈：{FOLLOW_UP_ANSWERS[answer]}，请联系随访（领取记录 {pickup.id}）。",
                  pickup_id=pickup.id)
    db.session.flush()
    return pickup


def ask_follow_up_questions(now=None) -> int:
    """Once, some days after a pickup, ask the resident how it went (if she allowed that
    message). Returns how many were asked; running it again the same day asks nobody twice."""
    settings = config.settings()
    now = now or utcnow()
    due = db.session.scalars(select(Pickup).where(
        Pickup.status == "dispensed", Pickup.resident_id.is_not(None),
        Pickup.follow_up_asked_at.is_(None),
        Pickup.finished_at <= now - timedelta(days=settings.pickup_follow_up_days)
    ).limit(500)).all()
    for pickup in due:
        pickup.follow_up_asked_at = now
        # No text message: a follow-up is not worth a lock-screen line about this service.
        tell(pickup.resident_id, "pickup_follow_up", dedupe_key=f"pickup:{pickup.id}:follow_up",
             subject=f"pickup:{pickup.id}", title="健康服务回访",
             text="请告诉我们使用是否顺利，有问题可随时咨询。",
             link=f"pages/supplies/follow-up?id={pickup.id}",
             subscribe=BySubscribe(
                 settings.pickup_follow_up_template_id,
                 {"thing1": "健康服务回访", "thing2": "请告诉我们使用是否顺利，有问题可随时咨询"},
                 f"pages/supplies/follow-up?id={pickup.id}"))
    db.session.flush()
    return len(due)


def report_point(resident: Resident, point_id: int, kind: str, note: str | None) -> dict:
    point = db.session.get(SupplyPoint, point_id)
    if point is None or not point.active or point.kind == "store":
        raise NotFound("pickup.point_not_found", "没有找到这个发放点。")
    detail = f"居民报告{point.name}{REPORT_KINDS[kind]}" + (f"：{note.strip()}" if note else "")
    task = open_task("point_report", f"report:{point.id}:{kind}", point, detail)
    db.session.flush()
    return {"point_id": point.id, "kind": kind, "task_id": task.id}


def preference_of(resident: Resident) -> SupplyPreference | None:
    return db.session.scalars(select(SupplyPreference).filter_by(resident_id=resident.id)).first()


def set_preference(resident: Resident, mode: str, note: str | None) -> SupplyPreference:
    preference = preference_of(resident) or SupplyPreference(resident_id=resident.id)
    preference.mode = mode
    preference.note = (note or "").strip() or None
    db.session.add(preference)
    db.session.flush()
    return preference


EXPIRY_WARNING = timedelta(minutes=10)


def warn_of_expiring_codes(now=None) -> int:
    """Once per code, when about ten minutes are left and she has not collected: a notice in
    words that say nothing of what the code is for. Returns how many were told."""
    now = now or utcnow()
    told = select(ResidentNotice.id).where(
        ResidentNotice.resident_id == Pickup.resident_id,
        ResidentNotice.dedupe_key
        == literal("pickup:") + cast(Pickup.id, String) + literal(":expiring"))
    due = db.session.scalars(select(Pickup).where(
        Pickup.status == "held", Pickup.resident_id.is_not(None),
        Pickup.expires_at > now, Pickup.expires_at <= now + EXPIRY_WARNING,
        ~told.exists()).order_by(Pickup.id).limit(500)).all()
    for pickup in due:
        minutes = max(1, int((_aware(pickup.expires_at) - now).total_seconds() // 60))
        tell(pickup.resident_id, "pickup_expiring", dedupe_key=f"pickup:{pickup.id}:expiring",
             subject=f"pickup:{pickup.id}", title="领取码快要失效了",
             text=f"您的自助领取码还有约{minutes}分钟失效，过时请重新申请。",
             link="pages/supplies/index",
             subscribe=BySubscribe(
                 config.settings().pickup_follow_up_template_id,
                 {"thing1": "自助领取码快要失效",
                  "thing2": f"约{minutes}分钟后失效，过时可重新申请"},
                 "pages/supplies/index"))
    db.session.flush()
    return len(due)


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
