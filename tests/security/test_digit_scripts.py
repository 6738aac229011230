"""One person is one person whatever digits her number was typed in (issue 13, item 6).

Arabic-Indic, Devanagari and full-width digits pass a regex's digit class and int(); before
they were folded to ASCII, the same ID number typed in another script was another blind-index
key: a second open registration for the same pregnancy, a second contraceptive quota.
"""
from __future__ import annotations

import pytest

from tests.factories import female_id, male_id
from tests.helpers import error_code, login
from wxapp.security.identity import InvalidIdentity, normalise_mobile, parse_id_number

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EXTENDED_ARABIC_INDIC = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.parametrize("script", [ARABIC_INDIC, EXTENDED_ARABIC_INDIC, DEVANAGARI, FULL_WIDTH])
def test_an_id_number_in_any_digit_script_is_its_ascii_number(script):
    number = "11010519491231002X"  # GB 11643's worked example
    assert parse_id_number(number.translate(script)).value == number
    assert parse_id_number(female_id().translate(script)).value == female_id()


@pytest.mark.parametrize("script", [ARABIC_INDIC, DEVANAGARI, FULL_WIDTH])
def test_a_mobile_number_in_any_digit_script_is_its_ascii_number(script):
    assert normalise_mobile("138 1234 5678".translate(script)) == "13812345678"


@pytest.mark.parametrize("raw", [
    "11010519491231002\u0425",  # Cyrillic Х looks like X
    "1101051949123100２\u00b2",  # a superscript two is not a digit of an ID number
    "110105194912310" + "\u2460" * 3,  # circled digits
])
def test_look_alike_characters_are_refused_not_guessed(raw):
    with pytest.raises(InvalidIdentity):
        parse_id_number(raw)


def test_the_same_mother_typed_in_arabic_indic_digits_cannot_register_twice(
        client, resident, form, sim):
    first = client.post("/api/v1/me/registrations", headers=resident("first-filer"),
                        json=form())
    assert first.status_code == 201, first.get_json()
    base = form()
    mother = dict(base["mother"], id_number=base["mother"]["id_number"].translate(ARABIC_INDIC))
    again = client.post("/api/v1/me/registrations", headers=resident("second-filer"),
                        json=form(mother=mother))
    assert again.status_code == 409 and error_code(again) == "registration.duplicate"


def test_numbers_are_stored_and_shown_in_ascii_digits(client, resident, form):
    base = form()
    mother = dict(base["mother"], id_number=base["mother"]["id_number"].translate(FULL_WIDTH),
                  phone="13812345678".translate(ARABIC_INDIC),
                  hukou_region="320102".translate(DEVANAGARI))
    created = client.post("/api/v1/me/registrations", headers=resident(), json=form(
        mother=mother))
    assert created.status_code == 201, created.get_json()
    shown = created.get_json()["mother"]
    assert shown["id_number"] == base["mother"]["id_number"]
    assert shown["phone"] == "13812345678" and shown["hukou_region"] == "320102"


def test_an_id_card_in_another_script_shares_the_cabinet_quota(client, cabinet):
    number = male_id("19880808")
    first = cabinet.post("/id-card-pickups", {"id_number": number,
                                              "items": [{"code": "condom-m", "quantity": 10}]})
    assert first.status_code == 200, first.get_json()
    cabinet.post("/dispense-results", {"event_id": "evt-script-01",
                                       "pickup_id": first.get_json()["pickup_id"], "ok": True})
    again = cabinet.post("/id-card-pickups", {"id_number": number.translate(ARABIC_INDIC),
                                              "items": [{"code": "condom-m", "quantity": 1}]})
    assert again.status_code == 409 and error_code(again) == "pickup.too_soon"


def test_a_screening_couple_in_another_script_is_stored_in_ascii(client, sim, villages):
    me = login(client, sim, "script-couple")
    wife, husband = female_id("19970101"), male_id("19950505")
    saved = client.put("/api/v1/me/screening-couple", headers=me, json={
        "wife": {"name": "孙丽", "id_number": wife.translate(EXTENDED_ARABIC_INDIC),
                 "hukou_region": "320000", "phone": "13912345678".translate(FULL_WIDTH)},
        "husband": {"name": "周杰", "id_number": husband.translate(DEVANAGARI),
                    "hukou_region": "320000"},
        "village_id": villages["东湖村"], "child_order": 1})
    assert saved.status_code == 200, saved.get_json()
    couple = client.get("/api/v1/me/screening-couple", headers=me).get_json()
    assert couple["wife"]["id_number"] == wife and couple["husband"]["id_number"] == husband
    assert couple["wife"]["phone"] == "13912345678"
