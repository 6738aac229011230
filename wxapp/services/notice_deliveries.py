"""What reached whom: the notices a resident was sent about one record, for the staff who may
read that record (anyone else gets the record's own 404), and how each outcome reads.

Each look-up finds its record through the loader staff already use for it, so the scope is
that record's: a booking's clinic or village, a message's village, a pickup's point. Pickups
are told discreetly: the kind and the channels, never a title (which could name what she
took)."""
from __future__ import annotations

from sqlalchemy import select

from wxapp.china_time import to_china
from wxapp.errors import NotFound
from wxapp.extensions import db
from wxapp.models import ResidentNotice, StaffUser
from wxapp.services.audit import Actor, record_audit
from wxapp.services.chat import handovers
from wxapp.services.resident_notices import deliveries_about
from wxapp.services.screening.results import booking_for_staff
from wxapp.services.supplies.staff_queries import pickup_for_staff

# How the notice reached her, in the words staff read ("" while the job has not run yet).
REACHED = {
    "subscribe": "已通过小程序订阅消息送达",
    "customer_service": "已通过公众号客服消息送达",
    "sms": "已短信通知",
    "notice_list": "居民下次打开时可在通知中看到",
}
SENDING = "发送中"
CHANNEL_LABELS = {"subscribe": "订阅消息", "customer_service": "公众号客服消息",
                  "sms": "短信", "notice_list": "通知列表"}
ATTEMPT_LABELS = {
    "sent": "已发送", "no_grant": "未授权订阅", "window_closed": "已超过48小时未互动",
    "no_phone": "未留手机号", "no_consent": "未同意短信", "rate_limited": "发送过于频繁",
    "failed": "发送失败", "retrying": "暂时失败，稍后重试", "unavailable": "短信未开通",
    "listed": "已放入通知列表",
}


def reached_label(delivered_via: str | None) -> str:
    return REACHED.get(delivered_via or "", SENDING)


def attempt_label(channel: str, status: str) -> str:
    return f"{CHANNEL_LABELS.get(channel, channel)}：{ATTEMPT_LABELS.get(status, status)}"


def _read(staff: StaffUser, target_type: str, target_id: int) -> None:
    record_audit(Actor("staff", str(staff.id)), "notices.read", target_type, target_id)


def about_booking(staff: StaffUser, booking_id: int) -> list[dict]:
    booking = booking_for_staff(staff, booking_id)
    _read(staff, "screening_booking", booking.id)
    return deliveries_about(f"booking:{booking.id}")


def about_handover(staff: StaffUser, handover_id: int) -> list[dict]:
    handover = handovers.get_for_staff(staff, handover_id)
    return deliveries_about(f"handover:{handover.id}")


def about_pickup(staff: StaffUser, pickup_id: int) -> list[dict]:
    pickup = pickup_for_staff(staff, pickup_id)
    _read(staff, "pickup", pickup.id)
    return [{key: value for key, value in notice.items() if key != "title"}
            for notice in deliveries_about(f"pickup:{pickup.id}")]


def reached_by_subject(subjects: list[str]) -> dict[str, str | None]:
    """For a list page: the channel that carried the latest notice about each subject (None
    while sending; the caller has already checked that the staff member may see them)."""
    if not subjects:
        return {}
    rows = db.session.execute(select(ResidentNotice.subject, ResidentNotice.delivered_via)
                              .where(ResidentNotice.subject.in_(subjects))
                              .order_by(ResidentNotice.id))
    return {subject: via for subject, via in rows}


def described(notices: list[dict]) -> list[dict]:
    """``deliveries_about``'s notices with what a page says of them: when (China time), how
    each reached her (or 发送中), and every channel tried on the way."""
    return [{**notice, "at": to_china(notice["created_at"]),
             "pending": notice["delivered_via"] is None,
             "reached": reached_label(notice["delivered_via"]),
             "tried": [attempt_label(a["channel"], a["status"]) for a in notice["attempts"]
                       if a["channel"] != "notice_list"]}
            for notice in notices]


def answer_delivery(staff: StaffUser, handover_id: int) -> list[dict]:
    """How the answer to a message went, for a page that asks again until the delivery job
    has run. Not recorded as a read: the page that asks recorded it when it was opened, and
    this says only which channel carried the answer."""
    handover = handovers.visible_handover(staff, handover_id)
    if handover is None:
        raise NotFound("handover.not_found", "没有找到该留言。")
    return described(deliveries_about(f"handover:{handover.id}"))
