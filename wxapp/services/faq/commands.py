"""What the mini-program's question box answers to a command (转人工, 我的进度, 预约, 领取,
谢谢, 你好). The router is the official account's (``wxapp.faq.intents``); the replies differ
because the mini-program shows pages where the official account runs chat flows."""
from __future__ import annotations

from wxapp.services import township_settings


def _human() -> str:
    s = township_settings.current()
    return (f"需要工作人员帮忙的话，请在公众号里回复“人工”后发送您的问题，工作人员会在办公时间"
            f"（{s.office_hours}）回复您；着急的事请直接拨打{s.office_phone}。")


def _contact() -> str:
    s = township_settings.current()
    return (f"{s.office_name}\n电话：{s.office_phone}\n地址：{s.office_address}\n"
            f"办公时间：{s.office_hours}")


def _menu() -> str:
    return ("您好！我可以解答生育登记、免费孕前优生健康检查、叶酸、免费避孕药具、孕产期保健、"
            "奖励扶助和育儿补贴等问题，直接输入您的问题就行，比如“生育登记要什么材料”"
            "“孕检要空腹吗”。\n查进度看「我的申请」，预约孕检看「孕检预约」，"
            "领药具看「免费药具」；需要工作人员请输入“人工”。")


REPLIES = {
    "progress": lambda: ("打开「我的申请」就能看到每份申请的状态和办理记录；审核有结果时，"
                         "我们也会发微信通知给您。"),
    "booking": lambda: ("预约免费孕前优生健康检查：打开「孕检预约」，选择医院、日期和时段即可；"
                        "已有的预约在「我的预约」里查看、改约或取消。"),
    "pickup": lambda: ("领取免费避孕药具：打开「免费药具」，选择附近有货的发放点和物品，"
                       "获取一次性领取码，到发放机上输入或扫码即可出货。"),
    "human": _human,
    "contact": _contact,
    "menu": _menu,
    "greeting": _menu,
    "thanks": lambda: "不客气！还有其他问题随时问我。",
    "smalltalk": lambda: ("我是卫生健康服务助手，只会回答生育登记、孕前检查、避孕药具等方面的问题，"
                          "直接输入您的问题就行。"),
    "useful": lambda: "谢谢您的反馈！还有其他问题随时问我。",
    "not_useful": lambda: "抱歉没能帮上忙。您可以换个说法再问，或输入“人工”联系工作人员。",
}


def command_reply(intent: str) -> str:
    return REPLIES[intent]()
