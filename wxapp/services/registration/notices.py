"""Telling the resident about a decision on their birth registration.

Imports nothing of the registration services: they call ``notify_decision``, never the
other way round (the labels residents read live with the model)."""
from __future__ import annotations

from wxapp import config
from wxapp.extensions import db
from wxapp.jobs import enqueue_after_commit
from wxapp.models import BirthRegistration, Resident
from wxapp.models.registrations import STATUS_LABELS
from wxapp.services import notifications


def notify_decision(reg: BirthRegistration) -> None:
    """Queued after the commit; a failed send is retried and never undoes the decision."""
    if reg.resident_id is None:
        return  # filed on paper by a village worker: the worker tells the family
    label = STATUS_LABELS[reg.status]
    notifications.notify_by_subscribe_message(
        reg.resident_id, config.settings().registration_result_template_id,
        {"thing1": "生育登记", "phrase2": label, "character_string3": reg.application_no,
         "thing4": "请在小程序“我的申请”查看详情"},
        f"pages/registration/detail?id={reg.id}", "registration_result")
    resident = db.session.get(Resident, reg.resident_id)
    if resident is not None and resident.oa_openid and resident.follows_official_account:
        enqueue_after_commit(notifications.send_customer_service_text, resident.oa_openid,
                             f"您的生育登记申请（{reg.application_no}）：{label}。"
                             "详情请打开小程序“我的申请”查看。", "registration_result")
