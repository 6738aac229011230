"""The cabinet simulator drives a running service over real HTTP, as a cabinet would."""
from __future__ import annotations

from sqlalchemy import select

from wxapp.devices import cabinet_sim
from wxapp.extensions import db
from wxapp.models import Pickup
from wxapp.wechat.simulator import serve_in_thread


def test_simulated_cabinet_redeems_and_reports(app, client, world, resident, capsys):
    me = resident()
    body = client.post("/api/v1/me/pickups", headers=me, json={
        "point_id": world["points"]["CAB-DH-01"],
        "items": [{"item_id": world["items"]["condom-m"], "quantity": 4}]}).get_json()
    server = serve_in_thread(app)
    try:
        url = server.base_url
        assert cabinet_sim.main(["--url", url, "heartbeat"]) == 0
        assert cabinet_sim.main(["--url", url, "redeem", body["code"]]) == 0
        assert '"status": "dispensed"' in capsys.readouterr().out
        assert cabinet_sim.main(["--url", url, "redeem", body["code"]]) == 1
        assert "pickup.code_used" in capsys.readouterr().out
        assert cabinet_sim.main(["--url", url, "--secret", "wrong", "heartbeat"]) == 1
    finally:
        server.stop()
    db.session.expire_all()
    assert db.session.scalars(select(Pickup.status)).one() == "dispensed"
