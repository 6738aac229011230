"""Free contraceptives (免费避孕药具): the catalogue, the points that give them out, the stock
ledger, and residents' pickups.

Stock is kept three ways that must always agree (账、卡、物相符): the ledger (every movement,
never edited), per-batch levels at each point (what the ledger sums to), and per-item counters
(`PointItem.on_hand` / `held`) that a pickup reserves from with one conditional UPDATE.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wxapp.extensions import db
from wxapp.models.base import TimestampMixin, UtcDateTime, utcnow
from wxapp.security.encryption import EncryptedText

POINT_KINDS = ("store", "cabinet", "counter")
POINT_STATUSES = ("online", "offline", "fault")
MOVEMENT_KINDS = ("receipt", "issue", "transfer", "dispense", "loss", "adjustment")
PICKUP_STATUSES = ("held", "redeemed", "dispensed", "failed", "cancelled", "expired")
SERVICE_MODES = ("home_delivery_scheduled", "delivery_on_request", "community_office",
                 "self_purchase", "other")
TASK_KINDS = ("restock", "point_report", "follow_up", "offline", "near_expiry")


class SupplyItem(db.Model):
    __tablename__ = "supply_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))  # condom / pill / topical / …
    unit: Mapped[str] = mapped_column(String(8))
    # Pills and injections: a doctor explains first use before a cabinet may give them out.
    needs_guidance: Mapped[bool] = mapped_column(Boolean, default=False)
    # Fair use, per person: most per pickup, least days between pickups, most per year.
    per_pickup_limit: Mapped[int] = mapped_column(Integer)
    interval_days: Mapped[int] = mapped_column(Integer)
    yearly_limit: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SupplyPoint(db.Model):
    __tablename__ = "supply_points"
    __table_args__ = (
        CheckConstraint("kind in ('store', 'cabinet', 'counter')", name="kind"),
        CheckConstraint("status in ('online', 'offline', 'fault')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(200))
    # GCJ-02, as wx.getLocation returns it.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    hours: Mapped[str] = mapped_column(String(64), default="全天")
    status: Mapped[str] = mapped_column(String(16), default="online")
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Cabinets sign their calls with this key; the secret is needed to verify, so it is
    # encrypted rather than hashed.
    device_key_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    device_secret: Mapped[str | None] = mapped_column(EncryptedText("supply_points.device_secret"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PointItem(db.Model):
    """What a point has of an item right now, and how much of it pickups are holding."""
    __tablename__ = "point_items"
    __table_args__ = (
        CheckConstraint("on_hand >= 0 AND held >= 0 AND held <= on_hand",
                        name="held_within_on_hand"),
    )

    point_id: Mapped[int] = mapped_column(ForeignKey("supply_points.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    low_threshold: Mapped[int] = mapped_column(Integer, default=5)
    # What the cabinet last said it holds; a difference is shown to staff, never trusted.
    reported_quantity: Mapped[int | None] = mapped_column(Integer)

    item: Mapped[SupplyItem] = relationship()


class StockBatch(db.Model):
    __tablename__ = "stock_batches"
    __table_args__ = (UniqueConstraint("item_id", "batch_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"), index=True)
    batch_no: Mapped[str] = mapped_column(String(32))
    expires_on: Mapped[date] = mapped_column(Date)


class StockLevel(db.Model):
    """One batch at one point: always the sum of the ledger rows for that pair."""
    __tablename__ = "stock_levels"
    __table_args__ = (CheckConstraint("quantity >= 0", name="not_negative"),)

    point_id: Mapped[int] = mapped_column(ForeignKey("supply_points.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("stock_batches.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer, default=0)

    batch: Mapped[StockBatch] = relationship()


class StockMovement(db.Model):
    """The ledger: one row per batch moved; never updated or deleted."""
    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive"),
        CheckConstraint("from_point_id IS NOT NULL OR to_point_id IS NOT NULL",
                        name="has_a_side"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("stock_batches.id"), index=True)
    from_point_id: Mapped[int | None] = mapped_column(ForeignKey("supply_points.id"), index=True)
    to_point_id: Mapped[int | None] = mapped_column(ForeignKey("supply_points.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(200))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    pickup_id: Mapped[int | None] = mapped_column(ForeignKey("pickups.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 index=True)


class Pickup(TimestampMixin, db.Model):
    __tablename__ = "pickups"
    __table_args__ = (
        # A code is unique among the codes that can still be used.
        Index("uq_pickups_live_code", "code", unique=True,
              postgresql_where=text("status = 'held'"), sqlite_where=text("status = 'held'")),
        # One unused code per person at a time: two quick taps cannot both pass the quota.
        Index("uq_pickups_one_held_per_holder", "holder_key", unique=True,
              postgresql_where=text("status = 'held'"), sqlite_where=text("status = 'held'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Quotas count per person: a resident, or (cabinets with ID-card readers) the blind index
    # of an ID number, never the number itself.
    holder_key: Mapped[str] = mapped_column(String(80), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("supply_points.id"), index=True)
    code: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="held")
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # Asked for while the point was closed: the opening the code was kept for (None: now).
    usable_from: Mapped[datetime | None] = mapped_column(UtcDateTime)
    redeemed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    follow_up_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    follow_up_answer: Mapped[str | None] = mapped_column(String(32))

    point: Mapped[SupplyPoint] = relationship()
    lines: Mapped[list[PickupLine]] = relationship(back_populates="pickup",
                                                     order_by="PickupLine.item_id")


class PickupLine(db.Model):
    __tablename__ = "pickup_lines"

    pickup_id: Mapped[int] = mapped_column(ForeignKey("pickups.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)

    pickup: Mapped[Pickup] = relationship(back_populates="lines")
    item: Mapped[SupplyItem] = relationship()


class SupplyHolder(db.Model):
    """One row per person who has asked for supplies (a resident, or an ID number's blind
    index). Every pickup first locks its holder's row, so that one person's quota is read
    and spent by one request at a time, whichever channel (app code, ID card) and cabinet."""
    __tablename__ = "supply_holders"

    holder_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_claimed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class GuidanceRecord(db.Model):
    """A doctor explained first use of a guided item to this person."""
    __tablename__ = "guidance_records"
    __table_args__ = (UniqueConstraint("holder_key", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_key: Mapped[str] = mapped_column(String(80))
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SupplyPreference(TimestampMixin, db.Model):
    __tablename__ = "supply_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), unique=True)
    mode: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(EncryptedText("supply_preferences.note"))


class DeviceEvent(db.Model):
    """A cabinet's report, kept by its event id so that a resent report changes nothing."""
    __tablename__ = "device_events"
    __table_args__ = (UniqueConstraint("point_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("supply_points.id"))
    event_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    response: Mapped[dict] = mapped_column(db.JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SupplyTask(TimestampMixin, db.Model):
    """Work for staff: restock a point, look at a reported fault, follow a resident up."""
    __tablename__ = "supply_tasks"
    __table_args__ = (
        # One open task per kind and subject: a cabinet silent for a week is one task.
        Index("uq_supply_tasks_open", "kind", "subject", unique=True,
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("supply_points.id"))
    pickup_id: Mapped[int | None] = mapped_column(ForeignKey("pickups.id"))
    detail: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="open")
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
