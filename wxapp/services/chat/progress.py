"""进度 and 预约 in the official account: the resident's own applications and bookings, when
the account is linked to her mini-program identity (same unionid); otherwise where to look."""
from __future__ import annotations

from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import BirthRegistration, ScreeningBooking
from wxapp.models.registrations import STATUS_LABELS
from wxapp.services.accounts import residents
from wxapp.services.screening.notices import slot_time_text

BOOKING_LABELS = {"scheduled": "已预约", "waitlisted": "候补中", "offered": "候补到名额，待确认",
                  "checked_in": "已签到", "completed": "已完成检查", "missed": "未到检",
                  "cancelled": "已取消", "moved": "已改约"}


def progress_text(openid: str) -> str:
    resident = residents.resident_for_official_account(openid)
    registrations = list(db.session.scalars(select(BirthRegistration).filter_by(
        resident_id=resident.id).order_by(BirthRegistration.id.desc()).limit(3)))
    if not registrations:
        return ("您在这里还没有生育登记申请。在小程序“生育登记”中办理后，回复“进度”即可查看。"
                "（如已在小程序办理，请确认小程序和公众号使用的是同一个微信号。）")
    lines = ["您的生育登记："]
    for reg in registrations:
        lines.append(f"{reg.application_no}：{STATUS_LABELS.get(reg.status, reg.status)}")
    lines.append("详情请在小程序“我的申请”中查看。")
    return "\n".join(lines)


def booking_text(openid: str) -> str:
    resident = residents.resident_for_official_account(openid)
    bookings = list(db.session.scalars(select(ScreeningBooking).filter_by(
        resident_id=resident.id).order_by(ScreeningBooking.id.desc()).limit(3)))
    if not bookings:
        return "预约免费孕前优生健康检查：请打开小程序“孕检预约”，选择医院、日期和时段。"
    lines = ["您的孕前检查预约："]
    for booking in bookings:
        lines.append(f"{slot_time_text(booking.slot)} {booking.slot.clinic.name}："
                     f"{BOOKING_LABELS.get(booking.status, booking.status)}")
    lines.append("改约、取消或查看结果请打开小程序“孕检预约”。")
    return "\n".join(lines)
