"""Our text-message templates: the name the code uses, the text Tencent Cloud approved (kept
here so the simulator renders what a phone would show), and how many parameters it takes.

Operators register each text in Tencent Cloud's console and give the ids it assigns in
``SMS_TEMPLATE_IDS`` ("name:id,name:id"). Texts say what happened and where to look, never a
diagnosis or a contraceptive: a phone's lock screen is not private."""
from __future__ import annotations

TEMPLATES: dict[str, str] = {
    # {1}: the service in a few words (e.g. 生育登记); {2}: the outcome (已通过/需补充材料).
    "service_update": "您办理的{1}有新进展：{2}。详情请在微信中打开本镇卫健服务查看。",
    # {1}: date; {2}: time; {3}: clinic.
    "booking_reminder": "提醒：您预约的检查在{1} {2}，地点{3}。如需改期请在公众号操作。",
    # Staff alerts. {1}: what needs doing; {2}: how many or which.
    "staff_alert": "工作提醒：{1}（{2}），请登录工作台处理。",
}


def parameter_count(text: str) -> int:
    count = 0
    while "{" + str(count + 1) + "}" in text:
        count += 1
    return count


def render(text: str, params: list[str]) -> str:
    for index, value in enumerate(params, start=1):
        text = text.replace("{" + str(index) + "}", value)
    return text


def parse_template_ids(raw: str) -> dict[str, str]:
    """"service_update:1234567,booking_reminder:1234568" → {name: id}."""
    ids = {}
    for pair in filter(None, (part.strip() for part in raw.split(","))):
        name, _, template_id = pair.partition(":")
        if name.strip() and template_id.strip():
            ids[name.strip()] = template_id.strip()
    return ids
