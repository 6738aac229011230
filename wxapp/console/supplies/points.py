"""The points (药具发放点): a sketch map and a table of every point in scope with its state,
and each point's stock by item and batch with its latest ledger entries."""
from __future__ import annotations

from collections import Counter

from flask import g, render_template

from wxapp.console.access import console_required
from wxapp.console.supplies import bp
from wxapp.formats.svg_point_map import MapPoint, point_map
from wxapp.services.supplies import ledger
from wxapp.services.supplies import point_overview as overview

VIEWERS = ledger.LEDGER_STAFF


def _map(states: list[overview.PointState]):
    placed = [MapPoint(n, p.name, p.state, p.state_label, p.latitude, p.longitude)
              for n, p in enumerate(states, 1)
              if p.latitude is not None and p.longitude is not None]
    return point_map("supply-point-map", "药具发放点分布示意图", placed,
                     states=[(s, overview.STATE_LABELS[s]) for s in reversed(overview.STATES)])


@bp.get("/points")
@console_required(*VIEWERS)
def points():
    states = overview.point_states(g.staff)
    counts = Counter(p.state for p in states)
    return render_template("console/supplies/points.html", points=states, map=_map(states),
                           counts=[(overview.STATE_LABELS[s], counts[s])
                                   for s in reversed(overview.STATES) if counts[s]],
                           unplaced=[p for p in states if p.latitude is None
                                     or p.longitude is None])


@bp.get("/points/<int:point_id>")
@console_required(*VIEWERS)
def point(point_id):
    stock = ledger.stock_at(g.staff, point_id)
    # None for a point no longer in use: its books stay readable.
    state = next((p for p in overview.point_states(g.staff) if p.id == point_id), None)
    return render_template("console/supplies/point.html", stock=stock, state=state,
                           movements=overview.recent_movements(g.staff, point_id))
