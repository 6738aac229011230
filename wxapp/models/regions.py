"""Townships and their villages: the scope every staff account and record belongs to."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wxapp.extensions import db


class Township(db.Model):
    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Administrative division code (统计用区划代码), 9 digits for a township.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(64))

    villages: Mapped[list[Village]] = relationship(back_populates="township",
                                                     order_by="Village.code")


class Village(db.Model):
    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("township_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    # 12-digit village/community code.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(64))

    township: Mapped[Township] = relationship(back_populates="villages")
