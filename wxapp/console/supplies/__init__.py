"""Free contraceptives in the console (药具): the points and their stock on a sketch map, the
ledger's forms (入库, 领入, 调拨, 报损, 盘点), the work list, guidance records and the month's
distribution, for the township office and village workers.

Pages only translate forms into calls of ``services.supplies`` (the staff API's own), so
scope, ledger and audit rules are theirs: a village worker sees her village's points, and
another village's point is "not found". Discreet: no page names a resident; the ledger
says "发放", and a follow-up task says what to ask about, not who took what."""
from __future__ import annotations

from wxapp.web.blueprint import Blueprint

bp = Blueprint("console_supplies", __name__, url_prefix="/console/supplies")

# Imported for their routes on ``bp``.
from wxapp.console.supplies import (  # noqa: E402, F401
    guidance,
    points,
    report,
    stock_forms,
    tasks,
)
