"""Redis that cannot be used: refusing connections (a closed port) or accepting them and
never answering (a loopback server that reads and says nothing)."""
from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from dataclasses import replace

from tests.conftest import make_app


@contextmanager
def refusing_redis():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connections are refused
    yield f"redis://127.0.0.1:{port}/3"


@contextmanager
def silent_redis():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    stop = threading.Event()
    held = []

    def swallow(conn):
        try:
            while not stop.is_set() and conn.recv(4096):
                pass
        except OSError:
            pass

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            threading.Thread(target=swallow, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/3"
    finally:
        stop.set()
        server.close()
        for conn in held:
            conn.close()


OUTAGES = {"refused": refusing_redis, "silent": silent_redis}


@contextmanager
def app_without_redis(base_settings, kind: str):
    """The service on the test database, with Redis unusable in the way `kind` names."""
    with OUTAGES[kind]() as url:
        app = make_app(replace(base_settings, redis_url=url))
        yield app
        from wxapp.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
