import base64
import os

import pytest
from sqlalchemy import select, text

from tests.factories import female_id
from wxapp.extensions import db
from wxapp.models import Resident, ResidentProfile
from wxapp.security.blind_index import id_number_index
from wxapp.security.encryption import DecryptionError, Keyring, configure_keyring, get_keyring
from wxapp.services.key_rotation import rotate_all


def _new_key_spec(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def _store_profile(id_number: str, phone="13812345678") -> int:
    resident = Resident(mp_openid=f"o_{os.urandom(4).hex()}")
    db.session.add(resident)
    db.session.flush()
    profile = ResidentProfile(resident_id=resident.id, name="王芳", id_number=id_number,
                              id_number_index=id_number_index(id_number), phone=phone)
    db.session.add(profile)
    db.session.commit()
    return profile.id


def _raw(profile_id: int, column: str) -> str:
    return db.session.execute(
        text(f"SELECT {column} FROM resident_profiles WHERE id = :id"), {"id": profile_id}
    ).scalar_one()


@pytest.fixture
def restore_keyring(app_ctx):
    original = get_keyring()
    yield
    configure_keyring(original)


def test_personal_data_is_stored_encrypted_and_reads_back(app_ctx):
    number = female_id()
    profile_id = _store_profile(number)
    raw = _raw(profile_id, "id_number")
    assert raw.startswith("v1:") and number not in raw
    assert "王芳" not in _raw(profile_id, "name")
    db.session.expire_all()
    assert db.session.get(ResidentProfile, profile_id).id_number == number


def test_same_value_encrypts_differently_each_time(app_ctx):
    first, second = _store_profile(female_id()), _store_profile(female_id())
    assert _raw(first, "id_number") != _raw(second, "id_number")


def test_blind_index_finds_the_person_by_id_number_typed_differently(app_ctx):
    number = female_id()
    profile_id = _store_profile(number)
    _store_profile(female_id(birth="19900101"))
    typed = number.lower() if number.endswith("X") else " " + number + " "
    found = db.session.scalars(
        select(ResidentProfile).filter_by(id_number_index=id_number_index(typed))).all()
    assert [p.id for p in found] == [profile_id]
    assert number not in id_number_index(number)


def test_ciphertext_moved_to_another_column_does_not_decrypt(app_ctx):
    profile_id = _store_profile(female_id())
    db.session.execute(text("UPDATE resident_profiles SET phone = id_number WHERE id = :id"),
                       {"id": profile_id})
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(DecryptionError):
        _ = db.session.get(ResidentProfile, profile_id).phone


def test_rotation_re_encrypts_with_the_new_key_and_the_old_key_is_then_not_needed(
        app_ctx, restore_keyring):
    number = female_id()
    profile_id = _store_profile(number)
    old = get_keyring()
    old_spec = f"{old.primary_id}:{base64.b64encode(old.keys[old.primary_id]).decode()}"
    new_spec = _new_key_spec("k2")

    # The new key is primary, the old one still configured: old rows read, new rows use k2.
    configure_keyring(Keyring.from_settings(new_spec, old_spec))
    db.session.expire_all()
    assert db.session.get(ResidentProfile, profile_id).id_number == number
    counts = rotate_all()
    assert counts["resident_profiles.id_number"] == 1
    assert _raw(profile_id, "id_number").startswith("v1:k2:")
    assert rotate_all()["resident_profiles.id_number"] == 0  # re-runnable, nothing left

    # With only the new key, everything still reads.
    configure_keyring(Keyring.from_settings(new_spec))
    db.session.expire_all()
    assert db.session.get(ResidentProfile, profile_id).id_number == number


def test_without_the_key_that_wrote_a_row_it_cannot_be_read(app_ctx, restore_keyring):
    profile_id = _store_profile(female_id())
    configure_keyring(Keyring.from_settings(_new_key_spec("k9")))
    db.session.expire_all()
    with pytest.raises(DecryptionError):
        _ = db.session.get(ResidentProfile, profile_id).id_number
