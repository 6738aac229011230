"""Telling the resident about a decision on their birth registration.

Imports nothing of the registration services: they call ``notify_decision``, never the
other way round (the labels residents read live with the model)."""
from __future__ import annotations

from sqlalchemy import func, select

from wxapp import config
from wxapp.extensions import db
from wxapp.models import BirthRegistration, RegistrationEvent
from wxapp.models.registrations import STATUS_LABELS
from wxapp.services.resident_notices import BySms, BySubscribe, tell


def notify_decision(reg: BirthRegistration) -> None:
    """Delivered after the commit; a failed send is retried and never undoes the decision."""
    if reg.resident_id is None:
        return  # filed on paper by a village worker: the worker tells the family
    label = STATUS_LABELS[reg.status]
    # Each transition is its own notice: returned twice is told twice, a retry once.
    event_id = db.session.scalar(select(func.max(RegistrationEvent.id))
                                 .filter_by(registration_id=reg.id))
    text = f"您的生育登记申请（{reg.application_no}）：{label}。"
    if reg.status == "returned" and reg.return_items:
        text += "需要补正：" + "；".join(item["message"] for item in reg.return_items) + "。"
    elif reg.status == "rejected" and reg.reject_reason:
        text += f"原因：{reg.reject_reason}。"
    tell(reg.resident_id, f"registration_{reg.status}",
         dedupe_key=f"registration:{reg.id}:{event_id}", subject=f"registration:{reg.id}",
         title=f"生育登记{label}", text=text + "详情请在“我的申请”中查看。",
         link=f"pages/registration/detail?id={reg.id}",
         subscribe=BySubscribe(
             config.settings().registration_result_template_id,
             {"thing1": "生育登记", "phrase2": label, "character_string3": reg.application_no,
              "thing4": "请在小程序“我的申请”查看详情"},
             f"pages/registration/detail?id={reg.id}"),
         sms=BySms("service_update", ["生育登记", label]))
