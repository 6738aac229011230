"""Landing by role, the home page of staff whose own pages are still to come, and "my
account" (sign out everywhere)."""
from __future__ import annotations

from flask import g, redirect, render_template

from wxapp.console.access import console_required
from wxapp.services.accounts import two_step
from wxapp.web.blueprint import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console")

# Where each role starts its day: the reviewer on what is due today and overdue, the village
# worker on her village's open work, the office on the dashboard. Clinic staff's pages come
# with part 2 of the console; until then their home page lists what they can open.
LANDING = {
    "township_admin": "/console/dashboard",
    "reviewer": "/console/registrations?view=due",
    "village_worker": "/console/registrations?view=open",
    "clinic": "/console/home",
}


@bp.get("/")
@console_required()
def landing():
    return redirect(LANDING.get(g.staff.role, "/console/home"))


@bp.get("/home")
@console_required()
def home():
    return render_template("console/home.html")


@bp.get("/account")
@console_required()
def account():
    return render_template("console/account.html",
                           two_step_required=two_step.required_for(g.staff))
