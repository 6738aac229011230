from datetime import date

import pytest

from tests.factories import female_id, make_id_number, male_id
from wxapp.security.identity import InvalidIdentity, normalise_mobile, parse_id_number


def test_valid_id_number_gives_birth_date_and_sex():
    parsed = parse_id_number(male_id("19930415"))
    assert parsed.birth_date == date(1993, 4, 15)
    assert parsed.sex == "male"
    assert parse_id_number(female_id()).sex == "female"


def test_known_public_sample_with_x_check_digit_is_accepted_in_lowercase():
    # The GB 11643 worked example ends in X; residents often type it in lowercase.
    first17 = "11010519491231002"
    assert parse_id_number(first17 + "x").value == first17 + "X"


def test_full_width_digits_and_spaces_are_normalised():
    number = male_id()
    typed = " ".join(number).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert parse_id_number(typed).value == number


def test_wrong_check_digit_is_refused_with_a_chinese_reason():
    number = male_id()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(InvalidIdentity) as err:
        parse_id_number(wrong)
    assert err.value.code == "id_number.check_digit"
    assert "校验位" in err.value.message


@pytest.mark.parametrize("birth", ["19930230", "19931301", "20991231", "18991231"])
def test_impossible_or_future_birth_date_is_refused(birth):
    with pytest.raises(InvalidIdentity) as err:
        parse_id_number(make_id_number(birth=birth), today=date(2026, 11, 24))
    assert err.value.code == "id_number.birth_date"


@pytest.mark.parametrize("raw", ["", "12345", "32010219930415123", "3201021993041512345",
                                 "32010219930415123Y"])
def test_wrong_shape_is_refused(raw):
    with pytest.raises(InvalidIdentity) as err:
        parse_id_number(raw)
    assert err.value.code == "id_number.format"


def test_unknown_province_code_is_refused():
    with pytest.raises(InvalidIdentity) as err:
        parse_id_number(make_id_number(region="990102"))
    assert err.value.code == "id_number.region"


@pytest.mark.parametrize("raw,expected", [("13812345678", "13812345678"),
                                          ("+86 138-1234-5678", "13812345678"),
                                          ("008619912345678", "19912345678")])
def test_mainland_mobile_numbers_are_normalised(raw, expected):
    assert normalise_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["", "12812345678", "1381234567", "138123456789", "021-12345678"])
def test_non_mobile_numbers_are_refused(raw):
    with pytest.raises(InvalidIdentity) as err:
        normalise_mobile(raw)
    assert err.value.code == "phone.format"
