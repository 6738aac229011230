"""The couple behind a pre-pregnancy check booking, and whether the free programme covers them.

Covered (免费孕前优生健康检查): a couple planning a pregnancy, with at least one spouse holding
local hukou (户籍 in this county) or both living here for six months or more (self-declared
with the date; staff may verify it), once per couple per child (每孩次) unless staff allow
another. The couple is identified by a keyed hash of both ID numbers, so the same couple is
one couple whichever spouse books.
"""
from __future__ import annotations

import hmac
import secrets
from datetime import date, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from wxapp.china_time import china_today
from wxapp.errors import Conflict, NotFound, ValidationFailed
from wxapp.extensions import db, get_redis
from wxapp.models import (
    Resident,
    ScreeningAllowance,
    ScreeningBooking,
    ScreeningCouple,
    ScreeningCoupleMember,
    StaffUser,
    Village,
)
from wxapp.models.base import utcnow
from wxapp.models.screening import ACTIVE_STATUSES
from wxapp.security.blind_index import blind_index
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit
from wxapp.services.registration import applications as registrations
from wxapp.services.registration.rules import FATHER_AGE, MOTHER_AGE, parse_parent

RESIDENCE_MONTHS = 6
CHECKED = ("checked_in", "completed")


def couple_key_for(wife_id_number: str, husband_id_number: str) -> str:
    return blind_index(f"{wife_id_number}|{husband_id_number}", "screening_couple")


def couple_of(resident: Resident) -> ScreeningCouple | None:
    """The couple this account books for and may see: one it gave, or one it joined."""
    return db.session.scalars(select(ScreeningCouple).join(ScreeningCoupleMember).where(
        ScreeningCoupleMember.resident_id == resident.id)).first()


def _months_before(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(day.day, 28))


def save_couple(resident: Resident, data: dict, today: date | None = None) -> ScreeningCouple:
    today = today or china_today()
    problems: dict[str, str] = {}
    wife = parse_parent(data.get("wife"), "wife", "female", MOTHER_AGE, today, problems,
                        phone_required=False)
    husband = parse_parent(data.get("husband"), "husband", "male", FATHER_AGE, today, problems,
                           phone_required=False)
    village = db.session.get(Village, data.get("village_id") or 0)
    if village is None:
        problems["village_id"] = "请从列表中选择现居住的村/社区。"
    since = data.get("residence_since")
    if since is not None and since > today:
        problems["residence_since"] = "居住起始日期不能晚于今天。"
    child_order = data.get("child_order")
    if not isinstance(child_order, int) or not 1 <= child_order <= 6:
        problems["child_order"] = "请选择计划生育的是第几个孩子。"
    if problems:
        raise ValidationFailed("screening.couple_invalid", "填写的信息有误，请按提示修改。",
                               details=problems)
    # A double-tapped first save: both taps would find no couple and insert one, and all but
    # one would hit the unique resident. Her own row serialises her saves; the later taps
    # then find the first one's couple and update it.
    db.session.execute(select(Resident.id).where(Resident.id == resident.id).with_for_update())
    # Whoever types a pair of ID numbers gets a couple of their own, even when another
    # account typed the same pair: that proves nothing, so it shares nothing.
    existing = couple_of(resident)
    couple = existing or ScreeningCouple(resident_id=resident.id)
    couple.couple_key = couple_key_for(wife.id_number, husband.id_number)
    couple.wife_name, couple.wife_id_number = wife.name, wife.id_number
    couple.wife_phone, couple.wife_hukou_region = wife.phone, wife.hukou_region
    couple.husband_name, couple.husband_id_number = husband.name, husband.id_number
    couple.husband_phone, couple.husband_hukou_region = husband.phone, husband.hukou_region
    couple.village_id = village.id
    if couple.residence_since != since:
        couple.residence_verified_by = None
    couple.residence_since = since
    couple.planning_pregnancy = bool(data.get("planning_pregnancy", True))
    couple.child_order = child_order
    db.session.add(couple)
    db.session.flush()
    if existing is None:
        db.session.add(ScreeningCoupleMember(couple_id=couple.id, resident_id=resident.id,
                                             joined_by="created"))
        db.session.flush()
    return couple


def _local(hukou_region: str, village: Village) -> bool:
    # Same county (the first six digits of the division code) as the township.
    return hukou_region[:6] == village.township.code[:6]


def eligibility_problems(couple: ScreeningCouple, today: date | None = None) -> list[str]:
    """Why the free programme does not cover this couple; empty when it does."""
    today = today or china_today()
    reasons = []
    if not couple.planning_pregnancy:
        reasons.append("免费孕前优生健康检查面向计划怀孕的夫妇。")
    village = db.session.get(Village, couple.village_id)
    local = _local(couple.wife_hukou_region, village) or _local(couple.husband_hukou_region,
                                                                  village)
    resident_long_enough = (couple.residence_since is not None and couple.residence_since
                            <= _months_before(today, RESIDENCE_MONTHS))
    if not (local or resident_long_enough):
        reasons.append("需要夫妻至少一方为本地户籍，或双方在本地居住满6个月"
                       "（请填写开始居住的日期）。")
    return reasons


def check_not_checked_already(couple_key: str, child_order: int) -> ScreeningAllowance | None:
    """Refuses a second free check for the same child, unless staff allowed one; returns the
    allowance to use up, if any."""
    done = db.session.scalars(select(ScreeningBooking.id).where(
        ScreeningBooking.couple_key == couple_key, ScreeningBooking.child_order == child_order,
        ScreeningBooking.status.in_(CHECKED))).first()
    if done is None:
        return None
    allowance = db.session.scalars(select(ScreeningAllowance).filter_by(
        couple_key=couple_key, child_order=child_order, used_by_booking_id=None)).first()
    if allowance is None:
        raise Conflict("screening.already_checked",
                       "这一孩次已经做过免费孕前检查。如有特殊情况（如再次备孕），"
                       "请联系镇卫健办。")
    return allowance


def use_allowance_if_needed(booking: ScreeningBooking) -> None:
    """At check-in: a couple checked before for this child uses up the staff's allowance."""
    earlier = db.session.scalars(select(ScreeningBooking.id).where(
        ScreeningBooking.couple_key == booking.couple_key,
        ScreeningBooking.child_order == booking.child_order, ScreeningBooking.id != booking.id,
        ScreeningBooking.status.in_(CHECKED))).first()
    if earlier is None:
        return
    allowance = db.session.scalars(select(ScreeningAllowance).filter_by(
        couple_key=booking.couple_key, child_order=booking.child_order,
        used_by_booking_id=None)).first()
    if allowance is not None:
        allowance.used_by_booking_id = booking.id


def prefill(resident: Resident) -> dict:
    """What the couple form starts from: the couple given before, else the parents of the
    resident's birth registration, else her own profile."""
    couple = couple_of(resident)
    if couple is not None:
        return as_view(couple)
    known = registrations.prefill(resident)
    if "mother" in known:
        return {"wife": _person(known["mother"]), "husband": _person(known["father"]),
                "village_id": known.get("village_id")}
    return {"wife": _person(known["me"])} if "me" in known else {}


def _person(parent: dict) -> dict:
    return {"name": parent.get("name"), "id_number": parent.get("id_number"),
            "phone": parent.get("phone"), "hukou_region": parent.get("hukou_region")}


def as_view(couple: ScreeningCouple) -> dict:
    return {
        "wife": {"name": couple.wife_name, "id_number": couple.wife_id_number,
                 "phone": couple.wife_phone, "hukou_region": couple.wife_hukou_region},
        "husband": {"name": couple.husband_name, "id_number": couple.husband_id_number,
                    "phone": couple.husband_phone, "hukou_region": couple.husband_hukou_region},
        "village_id": couple.village_id,
        "residence_since": couple.residence_since.isoformat() if couple.residence_since else None,
        "residence_verified": couple.residence_verified_by is not None,
        "planning_pregnancy": couple.planning_pregnancy, "child_order": couple.child_order,
        "eligibility_problems": eligibility_problems(couple),
        "accounts": db.session.scalar(select(func.count(ScreeningCoupleMember.id))
                                      .filter_by(couple_id=couple.id)),
    }


# -- the other spouse joins ----------------------------------------------------------------------
# The first spouse (or staff, who have seen both ID cards) gives the other spouse a code; the
# other spouse saves the same two ID numbers and types the code. Knowing the ID numbers alone
# (a stranger may) or the code alone (a forwarded screenshot) is not enough.
JOIN_CODE_HOURS = 24
JOIN_CODE_DIGITS = 8
JOIN_ATTEMPTS_PER_DAY = 5
COUPLE_ACCOUNTS = 2  # the wife and the husband


def _join_code_digest(couple: ScreeningCouple, code: str) -> str:
    return blind_index(f"{couple.id}|{code}", "screening_couples.join_code")


def _issue_join_code(couple: ScreeningCouple) -> dict:
    if _member_count(couple) >= COUPLE_ACCOUNTS:
        raise Conflict("screening.couple_complete", "夫妻双方的微信都已关联，无需再邀请。")
    code = f"{secrets.randbelow(10 ** JOIN_CODE_DIGITS):0{JOIN_CODE_DIGITS}d}"
    couple.join_code_digest = _join_code_digest(couple, code)
    couple.join_code_expires_at = utcnow() + timedelta(hours=JOIN_CODE_HOURS)
    db.session.flush()
    return {"join_code": code, "expires_at": couple.join_code_expires_at}


def _member_count(couple: ScreeningCouple) -> int:
    return db.session.scalar(select(func.count(ScreeningCoupleMember.id))
                             .filter_by(couple_id=couple.id))


def create_join_code(resident: Resident) -> dict:
    """A code for the other spouse, valid for a day and once; a new one replaces the old."""
    couple = couple_of(resident)
    if couple is None:
        raise Conflict("screening.couple_required", "请先填写夫妻双方的信息。")
    return _issue_join_code(couple)


def join_couple(resident: Resident, code: str) -> ScreeningCouple:
    """The other spouse joins the couple that issued `code`: from then on both accounts see
    its bookings, results and letter. Their own bookings, if any, become the couple's."""
    mine = couple_of(resident)
    if mine is None:
        raise Conflict("screening.couple_required",
                       "请先填写夫妻双方的信息（与配偶填写的身份证号一致），再输入邀请码。")
    if _joined_with_code(resident):
        return mine  # joined already: a retried tap gets the same answer
    code = code.strip()
    attempts_key = f"screening:join-attempts:{resident.id}"
    redis = get_redis()
    if int(redis.get(attempts_key) or 0) >= JOIN_ATTEMPTS_PER_DAY:
        raise Conflict("screening.join_attempts_exceeded",
                       "邀请码输错次数过多，请明天再试，或请配偶重新生成邀请码。")
    now = utcnow()
    candidates = db.session.scalars(select(ScreeningCouple).where(
        ScreeningCouple.couple_key == mine.couple_key, ScreeningCouple.id != mine.id,
        ScreeningCouple.join_code_digest.is_not(None),
        ScreeningCouple.join_code_expires_at > now).with_for_update())
    target = next((c for c in candidates if hmac.compare_digest(
        c.join_code_digest, _join_code_digest(c, code))), None)
    if target is None:
        # Counted outside the database: this refusal rolls the request's transaction back.
        redis.incr(attempts_key)
        redis.expire(attempts_key, 24 * 3600)
        raise Conflict("screening.join_code_invalid",
                       "邀请码不正确或已过期。请核对夫妻双方身份证号与配偶填写的一致，"
                       "并请配偶重新生成邀请码。")
    if _member_count(target) >= COUPLE_ACCOUNTS:
        raise Conflict("screening.couple_complete", "夫妻双方的微信都已关联。")
    if _member_count(mine) > 1:
        raise Conflict("screening.already_joined", "您的微信已经和配偶关联了。")
    if db.session.scalar(select(func.count(ScreeningBooking.id)).where(
            ScreeningBooking.couple_id.in_((mine.id, target.id)),
            ScreeningBooking.status.in_(ACTIVE_STATUSES))) > 1:
        raise _join_conflict()
    # The code is used up before anything else changes: two taps cannot both join.
    used = db.session.execute(update(ScreeningCouple).where(
        ScreeningCouple.id == target.id,
        ScreeningCouple.join_code_digest == target.join_code_digest)
        .values(join_code_digest=None, join_code_expires_at=None)
        .execution_options(synchronize_session=False)).rowcount
    if used != 1:
        raise Conflict("screening.join_code_invalid", "邀请码已经用过，请配偶重新生成。")
    try:
        db.session.execute(update(ScreeningBooking).where(ScreeningBooking.couple_id == mine.id)
                           .values(couple_id=target.id)
                           .execution_options(synchronize_session=False))
    except IntegrityError:
        # The other spouse booked while this one was joining: one active booking per couple.
        raise _join_conflict() from None
    db.session.execute(delete(ScreeningCoupleMember).where(
        ScreeningCoupleMember.couple_id == mine.id))
    db.session.execute(delete(ScreeningCouple).where(ScreeningCouple.id == mine.id))
    db.session.add(ScreeningCoupleMember(couple_id=target.id, resident_id=resident.id,
                                         joined_by="join_code"))
    db.session.flush()
    db.session.expire_all()
    return db.session.get(ScreeningCouple, target.id)


# -- staff -------------------------------------------------------------------------------------
def couple_for_staff(staff: StaffUser, couple_id: int) -> ScreeningCouple:
    couple = db.session.scalars(
        scoped(select(ScreeningCouple).join(Village).filter(ScreeningCouple.id == couple_id),
               staff, Village.township_id, ScreeningCouple.village_id)).first()
    if couple is None:
        raise NotFound("screening.couple_not_found", "没有找到这对夫妇的信息。")
    record_audit(Actor("staff", str(staff.id)), "screening.couple_read", "screening_couple",
                 couple.id)
    return couple


def _joined_with_code(resident: Resident) -> bool:
    return db.session.scalar(select(ScreeningCoupleMember.joined_by)
                             .filter_by(resident_id=resident.id)) == "join_code"


def _join_conflict() -> Conflict:
    return Conflict("screening.join_conflict", "夫妻双方各有一个预约，请先取消其中一个，再关联。")


def join_code_for_staff(staff: StaffUser, couple_id: int) -> dict:
    """Staff who have seen both spouses' ID cards in person issue the code for the spouse
    whose partner cannot (a lost phone, say). Audited."""
    couple = couple_for_staff(staff, couple_id)
    issued = _issue_join_code(couple)
    record_audit(Actor("staff", str(staff.id)), "screening.join_code_issued",
                 "screening_couple", couple.id)
    return issued


def verify_residence(staff: StaffUser, couple_id: int) -> ScreeningCouple:
    couple = couple_for_staff(staff, couple_id)
    if couple.residence_since is None:
        raise Conflict("screening.no_residence_date", "这对夫妇没有填写居住起始日期。")
    couple.residence_verified_by = staff.id
    record_audit(Actor("staff", str(staff.id)), "screening.residence_verified",
                 "screening_couple", couple.id)
    db.session.flush()
    return couple


def allow_another_check(staff: StaffUser, couple_id: int, reason: str) -> ScreeningAllowance:
    couple = couple_for_staff(staff, couple_id)
    allowance = ScreeningAllowance(couple_key=couple.couple_key, child_order=couple.child_order,
                                   reason=reason.strip()[:200], staff_id=staff.id)
    db.session.add(allowance)
    record_audit(Actor("staff", str(staff.id)), "screening.allowance", "screening_couple",
                 couple.id, {"child_order": couple.child_order})
    db.session.flush()
    return allowance
