"""The demo township's supply points for the console's supplies pages: a store, a cabinet in
东湖村 and one in 西岭村, a counter at the health centre, each stocked through the ledger."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import (
    StaffUser,
    StockBatch,
    StockLevel,
    StockMovement,
    SupplyItem,
    SupplyPoint,
)
from wxapp.models.base import utcnow
from wxapp.seeding.seed import seed_demo, seed_supply_items
from wxapp.services.accounts import residents
from wxapp.services.supplies import cabinets, dispense_checks, pickups, staff_queries
from wxapp.services.supplies.ledger import ledger_problems
from wxapp.transactions import commit


class SuppliesWorld:
    def __init__(self, app):
        self.app = app
        with app.app_context():
            seed_supply_items()
            seed_demo()
            commit()
            self.points = {p.code: p.id for p in db.session.scalars(select(SupplyPoint))}
            self.items = {i.code: i.id for i in db.session.scalars(select(SupplyItem))}

    def read(self, query):
        with self.app.app_context():
            return db.session.scalars(query).all()

    def movements(self, kind: str) -> int:
        return len(self.read(select(StockMovement).filter_by(kind=kind)))

    def level(self, point: str, item: str, batch_no: str = "DEMO-2026-01") -> int:
        with self.app.app_context():
            batch = db.session.scalars(select(StockBatch).filter_by(
                item_id=self.items[item], batch_no=batch_no)).one()
            row = db.session.get(StockLevel, (self.points[point], batch.id))
            return row.quantity if row else 0

    def admin(self) -> StaffUser:
        return db.session.scalars(select(StaffUser).filter_by(username="demo-admin")).one()

    def threshold(self, point: str, item: str, low_threshold: int) -> None:
        """A threshold at or above the stock: the point is low, and a restock task opens."""
        with self.app.app_context():
            staff_queries.set_threshold(self.admin(), self.points[point], self.items[item],
                                        low_threshold)
            commit()

    def status(self, point: str, status: str) -> None:
        with self.app.app_context():
            db.session.get(SupplyPoint, self.points[point]).status = status
            commit()

    def unconfirmed_pickup(self, point: str = "CAB-DH-01") -> int:
        """A resident's code redeemed at a cabinet that never said whether it dispensed: the
        job opens a dispense-check task. Returns the pickup's id."""
        with self.app.app_context():
            resident = residents.resident_for_miniprogram(f"supplies-{point}", None)
            pickup = pickups.request_pickup(resident, self.points[point], [
                pickups.Wanted(self.items["condom-m"], 2)])
            cabinets.redeem(self.points[point], pickup.code)
            dispense_checks.flag_unreported(utcnow() + timedelta(hours=1))
            commit()
            return pickup.id

    def problems(self) -> list[str]:
        with self.app.app_context():
            return ledger_problems()


_TOKEN = re.compile(r'name="form_token" value="([0-9a-f]{32})"')


def form_token(client, path: str) -> str:
    """The one-use token of a freshly shown form (as the browser would send it back)."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, f"{path} has no form token"
    return found.group(1)


def send_form(console, client, path: str, data: dict, *, token: str | None = None):
    """Show the form, fill it in and send it, as a person would; ``token`` sends it again."""
    data = dict(data, form_token=token or form_token(client, path))
    return console.post(client, path, data, token_from=path), data["form_token"]
