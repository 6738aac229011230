"""Files residents upload (ID cards, hukou pages, marriage certificates), stored encrypted
outside the web root; the database keeps only what is needed to find and check them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wxapp.extensions import db
from wxapp.models.base import UtcDateTime, utcnow

DOCUMENT_KINDS = ("mother_id_card", "father_id_card", "hukou_page", "marriage_certificate",
                  "other")


class UploadedDocument(db.Model):
    __tablename__ = "uploaded_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("birth_registrations.id"),
                                                        index=True)
    kind: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(32))  # detected from the bytes
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
