"""The assessment letter carries the whole advice, however long, inside the page."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from sqlalchemy import update

from wxapp.extensions import db
from wxapp.models import ScreeningBooking
from wxapp.models.base import utcnow
from wxapp.transactions import commit

# Chinese with Latin words and numbers, which are narrower than a Chinese character: counted
# as characters they wrap early; measured they fill the line.
SENTENCE = "建议女方每日口服叶酸0.4mg，男方戒烟戒酒，三个月后复查TORCH与B超；"
ADVICE = "\n".join([SENTENCE * 4] * 13)  # 1,988 characters: staff may write up to 2,000


def _letter_for(client, couple_for, make_slot, staff_headers, home_village, advice):
    me = couple_for("letter")
    booking_id = client.post("/api/v1/me/bookings", headers=me,
                             json={"slot_id": make_slot()}).get_json()["id"]
    db.session.execute(update(ScreeningBooking).filter_by(id=booking_id).values(
        status="checked_in", checked_in_at=utcnow()))
    commit()
    recorded = client.post(f"/api/v1/staff/screening/bookings/{booking_id}/results",
                           headers=staff_headers(township_of_village=home_village),
                           json={"risk_category": "general", "risk_factors": [],
                                 "advice": advice})
    assert recorded.status_code == 200, recorded.get_json()
    letter = client.get(f"/api/v1/me/bookings/{booking_id}/letter.pdf", headers=me)
    assert letter.status_code == 200
    return PdfReader(io.BytesIO(letter.data))


def test_long_advice_is_wrapped_by_width_and_carried_on_to_another_page(
        client, couple_for, make_slot, staff_headers, home_village):
    pdf = _letter_for(client, couple_for, make_slot, staff_headers, home_village, ADVICE)
    width, height = A4
    placed = []

    def keep(text, cm, tm, font, size):
        if text.strip():  # where it starts: the text matrix moved by the page's transform
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            placed.append((text, x, y))

    text = ""
    for page in pdf.pages:
        text += page.extract_text(visitor_text=keep)
    assert len(pdf.pages) > 1
    # Each page ends with the same footer; between them the advice reads on without a gap.
    footer = r"本告知书仅供受检夫妇本人使用。.*?出具日期：[0-9-]{10}"
    body = re.sub(footer, "", "".join(text.split()))
    assert "".join(ADVICE.split()) in body
    # Every line starts within the page's margins and above the footer line.
    for line, x, y in placed:
        assert 15 * mm <= x < width - 20 * mm and 20 * mm <= y <= height, (line, x, y)
