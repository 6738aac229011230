"""Idempotency-Key: a retried create gets the first answer and changes nothing more."""
from __future__ import annotations

import io
import threading
from dataclasses import replace
from datetime import date, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text, update

from tests.conftest import PROJECT_ROOT, _clean, make_app, throwaway_database
from tests.factories import female_id, registration_form
from tests.helpers import error_code, login
from wxapp.config import normalise_database_url
from wxapp.extensions import db
from wxapp.models import (
    BirthRegistration,
    Clinic,
    ClinicClosure,
    GuidanceRecord,
    IdempotencyRecord,
    Pickup,
    ScreeningBooking,
    ScreeningSlot,
    SupplyItem,
    SupplyPoint,
    Township,
    Village,
)
from wxapp.models.base import utcnow
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo, seed_supply_items
from wxapp.services.registration.applications import CONSENT_TEXT_VERSION
from wxapp.testing.people import couple_body
from wxapp.transactions import commit

GRANTS = "/api/v1/me/subscribe-grants"


def _grant(client, headers, key=None, results=None):
    if key:
        headers = dict(headers, **{"Idempotency-Key": key})
    return client.post(GRANTS, headers=headers,
                       json={"results": results or {"TPL_RESULT": "accept"}})


def test_retry_with_the_same_key_replays_the_first_answer_and_counts_once(client, sim):
    headers = login(client, sim, "kim")
    first = _grant(client, headers, key="retry-key-0001")
    second = _grant(client, headers, key="retry-key-0001")
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json() == [{"template_id": "TPL_RESULT",
                                                     "remaining": 1}]
    assert second.headers["Idempotent-Replayed"] == "true"
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["subscribe_grants"] == [{"template_id": "TPL_RESULT", "remaining": 1}]


def test_new_key_is_a_new_request(client, sim):
    headers = login(client, sim, "lee")
    _grant(client, headers, key="first-key-0001")
    assert _grant(client, headers, key="second-key-0002").get_json()[0]["remaining"] == 2


def test_same_key_with_a_different_body_is_a_409_and_changes_nothing(client, sim):
    headers = login(client, sim, "mia")
    _grant(client, headers, key="body-key-00001")
    clash = _grant(client, headers, key="body-key-00001", results={"TPL_OTHER": "accept"})
    assert clash.status_code == 409 and error_code(clash) == "idempotency.key_reused"
    grants = client.get("/api/v1/me", headers=headers).get_json()["subscribe_grants"]
    assert grants == [{"template_id": "TPL_RESULT", "remaining": 1}]


def test_keys_are_per_resident(client, sim):
    nora, omar = login(client, sim, "nora"), login(client, sim, "omar")
    _grant(client, nora, key="shared-key-0001")
    response = _grant(client, omar, key="shared-key-0001")
    assert response.status_code == 200 and response.headers["Idempotent-Replayed"] == "false"


def test_failed_request_is_not_remembered(client, sim, app_ctx):
    headers = login(client, sim, "pam")
    bad = _grant(client, headers, key="fix-and-retry-01", results={"TPL": "maybe"})
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count(IdempotencyRecord.id))) == 0
    good = client.post(GRANTS, headers=dict(headers, **{"Idempotency-Key": "fix-and-retry-01"}),
                       json={"results": {"TPL": "accept"}})
    assert good.status_code == 200


def test_malformed_key_is_refused(client, sim):
    response = _grant(client, login(client, sim, "quin"), key="short")
    assert response.status_code == 422 and error_code(response) == "idempotency.key_invalid"


# -- concurrent retries with one key -----------------------------------------------------------
def _twins(app, path, headers, body, count=10):
    """`count` identical requests with one Idempotency-Key, released together."""
    barrier = threading.Barrier(count)
    responses = []

    def send():
        with app.test_client() as own:
            barrier.wait()
            responses.append(own.post(path, headers=headers, json=body))

    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def _registration(client, sim):
    seed_demo()
    commit()
    village = db.session.scalars(select(Village).filter_by(name="东湖村")).one()
    headers = login(client, sim, "twin-filer")
    consent = client.post("/api/v1/me/consents", headers=headers,
                          json={"text_version": CONSENT_TEXT_VERSION})
    assert consent.status_code == 201
    form = registration_form(village.id, existing_children=[])
    return "/api/v1/me/registrations", headers, form, BirthRegistration


def _booking(client, sim):
    township = Township(code="320102001", name="测试街道")
    db.session.add(township)
    db.session.flush()
    village = Village(township_id=township.id, code="320102001001", name="测试社区")
    clinic = Clinic(township_id=township.id, name="测试卫生院", address="测试路1号", phone="0")
    db.session.add_all([village, clinic])
    db.session.flush()
    starts = utcnow() + timedelta(hours=48)
    slot = ScreeningSlot(clinic_id=clinic.id, starts_at=starts,
                         ends_at=starts + timedelta(hours=1), capacity=5, booked=0)
    db.session.add(slot)
    commit()
    headers = login(client, sim, "twin-booker")
    couple = client.put("/api/v1/me/screening-couple", headers=headers,
                        json=couple_body(1, village.id))
    assert couple.status_code == 200, couple.get_json()
    return "/api/v1/me/bookings", headers, {"slot_id": slot.id}, ScreeningBooking


def _pickup(client, sim):
    seed_supply_items()
    seed_demo()
    commit()
    cabinet = db.session.scalars(select(SupplyPoint).filter_by(code="CAB-DH-01")).one()
    condom = db.session.scalars(select(SupplyItem).filter_by(code="condom-m")).one()
    body = {"point_id": cabinet.id, "items": [{"item_id": condom.id, "quantity": 2}]}
    return "/api/v1/me/pickups", login(client, sim, "twin-picker"), body, Pickup


@pytest.mark.postgres_only
@pytest.mark.parametrize("make_request", [_registration, _booking, _pickup],
                         ids=["registration", "booking", "pickup"])
def test_ten_concurrent_retries_with_one_key_get_the_first_answer(
        app, client, sim, app_ctx, make_request):
    path, headers, body, model = make_request(client, sim)
    headers = dict(headers, **{"Idempotency-Key": "twin-key-0001"})
    responses = _twins(app, path, headers, body)
    assert [r.status_code for r in responses] == [201] * 10, \
        [r.get_json() for r in responses]
    assert len({r.get_data() for r in responses}) == 1
    assert sorted(r.headers["Idempotent-Replayed"] for r in responses) == \
        ["false"] + ["true"] * 9
    db.session.expire_all()
    assert db.session.scalar(select(func.count(model.id))) == 1


@pytest.mark.postgres_only
def test_concurrent_twins_with_another_body_are_409(app, client, sim, app_ctx):
    path, headers, body, _ = _booking(client, sim)
    headers = dict(headers, **{"Idempotency-Key": "twin-key-0002"})
    barrier = threading.Barrier(2)
    responses = []

    def send(payload):
        with app.test_client() as own:
            barrier.wait()
            responses.append(own.post(path, headers=headers, json=payload))

    threads = [threading.Thread(target=send, args=(payload,))
               for payload in (body, dict(body, waitlist=True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in responses) == [201, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert error_code(loser) == "idempotency.key_reused"


# -- stored answers: encrypted, kept 24 hours --------------------------------------------------
def test_stored_answer_is_encrypted_and_holds_no_id_number(client, sim, app_ctx):
    path, headers, form, _ = _registration(client, sim)
    headers = dict(headers, **{"Idempotency-Key": "stored-key-0001"})
    first = client.post(path, headers=headers, json=form)
    assert first.status_code == 201
    raw = db.session.execute(text("SELECT response_body FROM idempotency_records")).scalars()
    stored = list(raw)
    assert len(stored) == 1 and stored[0].startswith("v1:")
    for secret in (form["mother"]["id_number"], form["father"]["id_number"], "13812345678",
                   "王芳"):
        assert secret not in stored[0]
    replay = client.post(path, headers=headers, json=form)
    assert replay.status_code == 201 and replay.get_data() == first.get_data()


def _age_records(hours):
    db.session.execute(update(IdempotencyRecord).values(
        created_at=utcnow() - timedelta(hours=hours)))
    commit()


def test_an_answer_older_than_a_day_is_not_replayed(client, sim, app_ctx):
    headers = login(client, sim, "rita")
    _grant(client, headers, key="old-key-000001")
    _age_records(25)
    again = _grant(client, headers, key="old-key-000001")
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "false"
    assert again.get_json()[0]["remaining"] == 2
    # A day-old key may even carry another body now: it is a new request.
    _age_records(25)
    other = _grant(client, headers, key="old-key-000001", results={"TPL_OTHER": "accept"})
    assert other.status_code == 200


def test_an_answer_within_the_day_is_replayed(client, sim, app_ctx):
    headers = login(client, sim, "sam")
    _grant(client, headers, key="day-key-000001")
    _age_records(23)
    assert _grant(client, headers, key="day-key-000001").headers["Idempotent-Replayed"] == "true"


def test_daily_job_deletes_expired_answers(client, sim, app_ctx):
    headers = login(client, sim, "tess")
    _grant(client, headers, key="purge-key-0001")
    _age_records(25)
    _grant(client, headers, key="purge-key-0002")
    result = app_ctx.test_cli_runner().invoke(args=["jobs", "daily"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    keys = db.session.scalars(select(IdempotencyRecord.key)).all()
    assert keys == ["purge-key-0002"]


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def test_a_retried_upload_stores_one_document(client, sim, app_ctx):
    from wxapp.models import UploadedDocument

    headers = login(client, sim, "uma")
    client.post("/api/v1/me/consents", headers=headers,
                json={"text_version": CONSENT_TEXT_VERSION})
    headers = dict(headers, **{"Idempotency-Key": "upload-key-001"})

    def upload(content=PNG):
        # A new multipart boundary each time, as a phone's retry would have.
        return client.post("/api/v1/me/uploads", headers=headers,
                           content_type="multipart/form-data",
                           data={"kind": "hukou_page", "file": (io.BytesIO(content), "p.png")})

    first, again = upload(), upload()
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.get_json() == again.get_json()
    assert db.session.scalar(select(func.count(UploadedDocument.id))) == 1
    other = upload(PNG + b"\x00")
    assert other.status_code == 409 and error_code(other) == "idempotency.key_reused"


@pytest.mark.postgres_only
def test_a_twin_waits_a_bounded_time_then_hears_the_first_is_still_running(
        base_settings, migrated, sim):
    app = make_app(replace(base_settings, idempotency_wait_seconds=0.2))
    client = app.test_client()
    try:
        headers = login(client, sim, "vic")
        with app.app_context():
            resident_id = client.get("/api/v1/me", headers=headers).get_json()["id"]
            # The first request, still running: its claim is inserted and not yet committed.
            with db.engine.connect() as first:
                first.execute(text(
                    "INSERT INTO idempotency_records (scope, key, request_fingerprint, "
                    "created_at) VALUES (:scope, 'slow-key-00001', 'x', now())"),
                    {"scope": f"resident:{resident_id}"})
                twin = _grant(client, headers, key="slow-key-00001")
                first.rollback()
        assert twin.status_code == 409 and error_code(twin) == "idempotency.in_progress"
        assert twin.headers["Retry-After"] == "2"
        # The first request failed and let go of the key: the retry now runs.
        retried = _grant(client, headers, key="slow-key-00001")
        assert retried.status_code == 200 and retried.headers["Idempotent-Replayed"] == "false"
    finally:
        _clean(app)


def test_migration_encrypts_answers_stored_in_plaintext_and_downgrade_restores_them(
        base_settings):
    migrations = str(PROJECT_ROOT / "migrations")
    plaintext = '{"id_number": "320102199503021234"}'
    with throwaway_database() as url:
        app = make_app(replace(base_settings, database_url=normalise_database_url(url)))
        with app.app_context():
            upgrade(directory=migrations, revision="0011")
            db.session.execute(text(
                "INSERT INTO idempotency_records (scope, key, request_fingerprint, status_code, "
                "response_body, created_at) VALUES ('resident:1', 'old-plain-key', 'f', 201, "
                ":body, CURRENT_TIMESTAMP)"), {"body": plaintext})
            db.session.commit()
            upgrade(directory=migrations, revision="0012c")
            raw = db.session.execute(text("SELECT response_body FROM idempotency_records")
                                     ).scalar_one()
            assert raw.startswith("v1:") and "3201" not in raw
            assert db.session.scalars(select(IdempotencyRecord)).one().response_body == plaintext
            db.session.remove()
            downgrade(directory=migrations, revision="0011")
            raw = db.session.execute(text("SELECT response_body FROM idempotency_records")
                                     ).scalar_one()
            assert raw == plaintext
            db.session.remove()
            db.engine.dispose()


# -- staff create endpoints ---------------------------------------------------------------------
def _staff_create_requests():
    """(path, body, model) of staff endpoints that create something."""
    seed_supply_items()
    seed_demo()
    commit()
    clinic = db.session.scalars(select(Clinic)).first()
    pill = db.session.scalars(select(SupplyItem).filter_by(code="pill-combined")).one()
    some_day = (date.today() + timedelta(days=20)).isoformat()
    return [
        ("/api/v1/staff/clinics", {"name": "新建卫生院", "address": "新路1号", "phone": "0000"},
         Clinic),
        ("/api/v1/staff/supplies/guidance", {"id_number": female_id("19900101"),
                                             "item_id": pill.id}, GuidanceRecord),
        (f"/api/v1/staff/clinics/{clinic.id}/closures", {"date": some_day, "reason": "设备检修"},
         ClinicClosure),
    ]


def test_staff_creates_are_replayed_on_retry_and_happen_once(client, app_ctx):
    for number, (path, body, model) in enumerate(_staff_create_requests()):
        token = client.post("/api/v1/staff/auth/login", json={
            "username": "demo-admin", "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}",
                   "Idempotency-Key": f"staff-create-{number:04d}"}
        before = db.session.scalar(select(func.count(model.id)))
        first = client.post(path, headers=headers, json=body)
        again = client.post(path, headers=headers, json=body)
        assert first.status_code == again.status_code == 201, (path, first.get_json())
        assert again.headers["Idempotent-Replayed"] == "true", path
        assert again.get_data() == first.get_data()
        db.session.expire_all()
        assert db.session.scalar(select(func.count(model.id))) == before + 1, path
