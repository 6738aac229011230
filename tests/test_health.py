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


def test_api_docs_load_every_asset_from_this_service(client):
    """No CDN: offline (as these machines are) the page must still render."""
    import re

    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert {a.rsplit("/", 1)[-1] for a in assets} == {
        "swagger-ui.css", "swagger-ui-standalone-preset.js", "swagger-ui-bundle.js"}
    for asset in assets:
        assert asset.startswith("/"), asset
        served = client.get(asset)
        assert served.status_code == 200 and len(served.data) > 10_000, asset
        served.close()
    assert "://" not in html

