"""What the official account says outside the FAQ knowledge base."""
from __future__ import annotations

from wxapp import config
from wxapp.services import township_settings


def menu_text() -> str:
    return (
        "您可以直接用文字或语音问我，比如“生育登记怎么办”“孕检要空腹吗”。\n"
        "也可以回复关键词：\n"
        "【进度】查看我的申请进度\n"
        "【预约】预约免费孕前优生健康检查\n"
        "【领取】获取免费避孕药具领取码\n"
        "【人工】联系工作人员"
    )


def greeting_text() -> str:
    return "您好！我是卫生健康服务助手。\n" + menu_text()


def welcome_text() -> str:
    return (
        f"您好，欢迎关注{config.settings().township_name}卫生健康服务号！\n"
        "在这里可以线上办理生育登记、预约免费孕前检查、领取免费避孕药具，"
        "有问题随时问我。\n\n" + menu_text()
    )


def unsupported_media_text() -> str:
    return "暂时看不懂图片、视频和文件哦。请用文字或语音告诉我您想办理什么。\n\n" + menu_text()


def contact_text() -> str:
    s = township_settings.current()
    return (f"{s.office_name}\n电话：{s.office_phone}\n地址：{s.office_address}\n"
            f"办公时间：{s.office_hours}")


def apology_text() -> str:
    phone = township_settings.current().office_phone
    return f"抱歉，系统开小差了，请稍后再试。着急的话可以拨打{phone}。"



def suggestions_text(suggestions: list[dict]) -> str:
    lines = ["您是不是想问："]
    lines += [f"{i}. {s['question']}" for i, s in enumerate(suggestions, start=1)]
    lines.append("请回复数字查看答案；都不是的话，可以换个说法再问，或回复“人工”留言。")
    return "\n".join(lines)


def cannot_answer_text() -> str:
    s = township_settings.current()
    return (
        "抱歉，这个问题我还答不上来，已经记下来交给工作人员完善。\n"
        f"您可以回复“人工”给工作人员留言，着急的话请拨打{s.office_phone}"
        f"（{s.office_hours}）。\n\n" + menu_text()
    )


def feedback_thanks_text(useful: bool) -> str:
    if useful:
        return "谢谢您的反馈！还有其他问题随时问我。"
    return "抱歉没能帮上忙。您可以换个说法再问，或回复“人工”给工作人员留言。"


def voice_not_understood_text() -> str:
    # Whoever sends a voice message may not type at all: a number to call helps more.
    s = township_settings.current()
    return (f"没听清您的语音。请再说一遍，说慢一点、离话筒近一点；也可以直接打电话问"
            f"{s.office_name}：{s.office_phone}（{s.office_hours}）。")


def smalltalk_text() -> str:
    return ("我是卫生健康服务助手，只会回答生育登记、孕前检查、叶酸、免费避孕药具、孕产期保健、"
            "奖励扶助和育儿补贴方面的问题。回复“菜单”可以看我能办的事，需要工作人员请回复“人工”。")


def acknowledgement_text() -> str:
    return "不客气！还有其他问题随时问我，回复“菜单”可以看我能办的事。"


def handover_prompt_text() -> str:
    hours = township_settings.current().office_hours
    return (f"好的，请直接发送您想咨询的问题，工作人员会在办公时间（{hours}）"
            "回复您。回复“取消”可以退出留言。")


def handover_received_text() -> str:
    return "留言已收到，工作人员回复后会通过公众号消息通知您。"


def answer_feedback_hint() -> str:
    return "\n\n这条回答有帮助吗？回复“有用”或“没用”。"
