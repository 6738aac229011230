"""The township and villages the mini-program offers in its pickers."""
from __future__ import annotations

from wxapp.seeding.seed import seed_demo
from wxapp.transactions import commit


def test_regions_list_townships_with_their_villages(client, app_ctx):
    assert client.get("/api/v1/regions").get_json() == []
    seed_demo()
    commit()
    [township] = client.get("/api/v1/regions").get_json()
    assert township["name"] == "示范镇"
    assert [v["name"] for v in township["villages"]] == ["东湖村", "西岭村", "南桥社区"]
