def test_healthz_answers(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_checks_database_and_redis(client):
    body = client.get("/readyz").get_json()
    assert body == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}


def test_readyz_is_503_when_redis_is_down(app, client):
    class DeadRedis:
        def ping(self):
            raise ConnectionError("down")

    real = app.extensions["wxapp_redis"]
    app.extensions["wxapp_redis"] = DeadRedis()
    try:
        response = client.get("/readyz")
    finally:
        app.extensions["wxapp_redis"] = real
    assert response.status_code == 503 and response.get_json()["checks"]["redis"] == "unreachable"


def test_openapi_document_is_served(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/auth/login" in spec["paths"]
