"""What the official account says outside the FAQ knowledge base."""
from __future__ import annotations

from flask import current_app


def _settings():
    return current_app.config["WXAPP"]


def menu_text() -> str:
    return (
        "您可以直接用文字或语音问我，比如“生育登记怎么办”“孕检要空腹吗”。\n"
        "也可以回复关键词：\n"
        "【进度】查看我的申请进度\n"
        "【预约】预约免费孕前优生健康检查\n"
        "【领取】获取免费避孕药具领取码\n"
        "【人工】联系工作人员"
    )


def welcome_text() -> str:
    return (
        f"您好，欢迎关注{_settings().township_name}卫生健康服务号！\n"
        "在这里可以线上办理生育登记、预约免费孕前检查、领取免费避孕药具，"
        "有问题随时问我。\n\n" + menu_text()
    )


def unsupported_media_text() -> str:
    return "暂时看不懂图片、视频和文件哦。请用文字或语音告诉我您想办理什么。\n\n" + menu_text()


def location_text() -> str:
    return "收到您的位置。查找附近的免费避孕药具自助发放点，请在小程序“免费药具”中查看。"


def contact_text() -> str:
    s = _settings()
    return (f"{s.office_name}\n电话：{s.office_phone}\n地址：{s.office_address}\n"
            f"办公时间：{s.office_hours}")


def apology_text() -> str:
    return f"抱歉，系统开小差了，请稍后再试。着急的话可以拨打{_settings().office_phone}。"

