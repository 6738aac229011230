"""Small steps that tests take again and again."""
from __future__ import annotations


def login(client, sim, user: str = "alice") -> dict:
    """Log in through the mini-program flow; returns the Authorization header."""
    code = sim.login_code(user)["code"]
    response = client.post("/api/v1/auth/login", json={"code": code})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


def drain_jobs() -> None:
    """Run queued background jobs now (with an in-process Redis they already ran inline)."""
    from wxapp.extensions import redis_is_real
    from wxapp.jobs import run_worker

    if redis_is_real():
        run_worker(burst=True)


def allow_messages(client, sim, headers: dict, user: str, template_id: str, times: int = 1
                   ) -> str:
    """The resident taps "allow" in wx.requestSubscribeMessage `times` times: WeChat (the
    simulator) and our server both record it. Returns her mini-program openid."""
    openid = sim.login_code(user)["openid"]
    for _ in range(times):
        sim.call("POST", "/sim/grant-subscribe", json={"openid": openid,
                                                       "template_id": template_id})
        client.post("/api/v1/me/subscribe-grants", headers=headers,
                    json={"results": {template_id: "accept"}})
    return openid


def chart_series(sheet) -> list[tuple[str, str, str]]:
    """(plot kind, series title cell, values range) of every chart on an XLSX sheet, bars and
    the lines drawn over them alike."""
    found = []
    for chart in sheet._charts:
        for plot in getattr(chart, "_charts", [chart]):
            for series in plot.series:
                found.append((type(plot).__name__, series.tx.strRef.f.split("!")[1],
                              series.val.numRef.f.split("!")[1]))
    return found



def all_at_once(actions, timeout: float = 60) -> list:
    """Each action in its own thread, all released together by a barrier (PostgreSQL races);
    what each returned, in order. An action marked ``waits_itself`` is handed the barrier's
    wait, to call once its set-up is done, so that only the racing part starts together. A
    thread that never finishes fails the test rather than hanging it."""
    import threading

    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def ready():
        barrier.wait(timeout=timeout)

    def run(index, action):
        if getattr(action, "waits_itself", False):
            results[index] = action(ready)
        else:
            ready()
            results[index] = action()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
        assert not thread.is_alive(), "a racing request never finished"
    return results


def committed_or_refused(app, load, race, done: str = "done"):
    """An action for ``all_at_once``, in its own app context and transaction: ``load()``
    first (who acts, read before the race), then ``race(loaded)`` together with the others,
    committed. ``done`` when it went through, else the code of the domain error that refused
    it (rolled back)."""
    from wxapp.errors import DomainError
    from wxapp.transactions import commit, rollback

    def action(ready):
        with app.app_context():
            loaded = load()
            ready()
            try:
                race(loaded)
                commit()
                return done
            except DomainError as refused:
                rollback()
                return refused.code

    action.waits_itself = True
    return action
