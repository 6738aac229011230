"""领取 in the official account: the same pickup flow as the mini-program, in three replies.

领取 → send your location → numbered nearest points with stock → reply a number (or the
point's name) → numbered items → reply a number or the item's name (and optionally how many,
"1 5", "中号 5个") → a one-time code. The state lives in
the chat state for ten minutes; 取消 leaves the flow at any step.
"""
from __future__ import annotations

import re

from wxapp.errors import DomainError
from wxapp.extensions import db
from wxapp.faq.normalize import basic, canonical
from wxapp.models import SupplyItem, SupplyPoint
from wxapp.services.accounts import residents
from wxapp.services.chat import state as chat_state
from wxapp.services.supplies import pickups

CHOICE = re.compile(r"^\s*(\d{1,2})(?:\s*[\s xX*×个只盒支张板]\s*(\d{1,3}))?\s*[个只盒支张板]?\s*$")
# "避孕套", "套套", "中号 5个", "我要卫生院那个": a name, or part of one, instead of the number.
NAMED = re.compile(r"^(.*?)\s*(\d{1,3})?\s*[个只盒支张板]?$")
ASKING = re.compile(r"^(?:我想要|我要|我想|要|领取|领|拿|给我|选)+|(?:那个|这个|的)+$")
LOCATION_PROMPT = ("请发送您的位置（点击输入框旁的“+”，选择“位置”），我帮您找最近有货的"
                   "免费避孕药具发放点。\n也可以打开小程序“免费药具”直接获取领取码。回复“取消”退出。")


def in_progress(state: dict) -> bool:
    return bool(state.get("pickup_step"))


def start(openid: str, state: dict) -> str:
    chat_state.save(openid, {"pickup_step": "location"}, previous=state)
    return LOCATION_PROMPT


def reply_to_location(openid: str, latitude: float, longitude: float) -> str:
    resident = residents.resident_for_official_account(openid)
    points = [p for p in pickups.nearby(resident, latitude, longitude, limit=10)
              if p["status"] == "online"
              and any(i["availability"] != "out" for i in p["items"])][:3]
    if not points:
        chat_state.save(openid, {})
        return "附近暂时没有有货的发放点。可以回复“人工”留言，工作人员会联系您。"
    lines = ["离您最近、有货的发放点："]
    for n, point in enumerate(points, 1):
        stocked = "、".join(i["name"] for i in point["items"] if i["availability"] != "out")
        closed = "" if point["open_now"] else f"，现在未开放，{point['next_opening']}开放"
        lines.append(f"{n}. {point['name']}（约{_distance(point['distance_m'])}，"
                     f"{point['hours']}{closed}）\n   {point['address']}\n   有货：{stocked}")
    lines.append("回复序号，在该点获取领取码。")
    chat_state.save(openid, {"pickup_step": "point", "points": [p["id"] for p in points]})
    return "\n".join(lines)


def _distance(metres: int) -> str:
    return f"{metres}米" if metres < 1000 else f"{metres / 1000:.1f}公里"


def reply_to_choice(openid: str, text: str, state: dict) -> str | None:
    """The reply to a message sent while the flow waits; None when it is not an answer to it
    (the caller then treats the text as a new question)."""
    step = state["pickup_step"]
    if step == "location":
        return None
    match = CHOICE.match(text)
    if not match:
        return _choice_by_name(openid, text, state)
    number, quantity = int(match.group(1)), match.group(2)
    if step == "point":
        ids = state.get("points") or []
        if not 1 <= number <= len(ids):
            return f"请回复 1 到 {len(ids)} 之间的序号。"
        return _list_items(openid, ids[number - 1])
    ids = state.get("items") or []
    if not 1 <= number <= len(ids):
        return f"请回复 1 到 {len(ids)} 之间的序号。"
    return _issue_code(openid, state["point"], ids[number - 1],
                       int(quantity) if quantity else None)


def _choice_by_name(openid: str, text: str, state: dict) -> str | None:
    """A reply naming the point or item; None when it names none of those listed (then it is
    a new question). A name that fits several (避孕套: three sizes) lists just those."""
    found = NAMED.match(ASKING.sub("", basic(text).replace(" ", "")))
    wanted = "".join(canonical(ASKING.sub("", found.group(1))).split())
    if not wanted:
        return None
    if state["pickup_step"] == "point":
        ids, model = state.get("points") or [], SupplyPoint
    else:
        ids, model = state.get("items") or [], SupplyItem
    names = [db.session.get(model, i).name for i in ids]
    fits = [n for n, name in enumerate(names, 1) if wanted in "".join(basic(name).split())]
    if not fits:
        return None
    if len(fits) > 1:
        return "请回复序号选择：\n" + "\n".join(f"{n}. {names[n - 1]}" for n in fits)
    if state["pickup_step"] == "point":
        return _list_items(openid, ids[fits[0] - 1])
    quantity = found.group(2)
    return _issue_code(openid, state["point"], ids[fits[0] - 1],
                       int(quantity) if quantity else None)


def _list_items(openid: str, point_id: int) -> str:
    resident = residents.resident_for_official_account(openid)
    point = db.session.get(SupplyPoint, point_id)
    guided = pickups.guided_item_ids(pickups.holder_key_for(resident))
    offered = [row for row in pickups.stock_rows(point_id)
               if pickups.offered(point, row.item, guided) and row.on_hand - row.held > 0]
    if not offered:
        chat_state.save(openid, {})
        return "这个发放点刚刚没货了，请回复“领取”重新查找。"
    lines = [f"{point.name}可以领取："]
    for n, row in enumerate(offered, 1):
        lines.append(f"{n}. {row.item.name}（每次最多{row.item.per_pickup_limit}{row.item.unit}）")
    lines.append("回复序号领取最多数量；要少拿一些，回复序号和数量，如“1 5”。")
    chat_state.save(openid, {"pickup_step": "item", "point": point_id,
                             "items": [row.item_id for row in offered]})
    return "\n".join(lines)


def _issue_code(openid: str, point_id: int, item_id: int, quantity: int | None) -> str:
    resident = residents.resident_for_official_account(openid)
    item = db.session.get(SupplyItem, item_id)
    try:
        wanted = pickups.Wanted(item_id, quantity or item.per_pickup_limit)
        pickup = pickups.request_pickup(resident, point_id, [wanted])
    except DomainError as exc:
        # The state stays, so she can pick another item or a smaller number.
        return exc.message
    chat_state.save(openid, {})
    return (f"您的领取码：{pickup.code}\n发放点：{pickup.point.name}\n"
            f"{pickups.when_to_come(pickup)}\n"
            "不需要了可以在小程序“免费药具”中取消。")
