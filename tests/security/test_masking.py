from wxapp.security.masking import mask_id_number, mask_name, mask_phone, mask_text


def test_id_number_keeps_only_first_and_last_four():
    assert mask_id_number("32010219930415123X") == "3201********123X"


def test_phone_keeps_prefix_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


def test_name_keeps_the_surname_only():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "*"


def test_empty_values_mask_to_empty_and_notes_never_show():
    assert mask_id_number(None) == "" and mask_phone("") == "" and mask_name(None) == ""
    assert mask_text("孕期有出血史") == "（已填写）"


def test_identifiers_typed_into_free_text_are_redacted():
    from wxapp.security.masking import redact_identifiers

    text = ("我身份证32010219950302006X，老身份证320102950302006，手机138 1234 5678，"
            "家里电话025-84561234，预约第3号，2026年11月28日，要10只，编号DJ20260000001")
    assert redact_identifiers(text) == (
        "我身份证[身份证号]，老身份证[身份证号]，手机[手机号]，家里电话[电话]，预约第3号，"
        "2026年11月28日，要10只，编号DJ20260000001")
    assert redact_identifiers(None) == ""


def test_identifiers_in_other_digit_scripts_or_grouped_are_redacted_too():
    from wxapp.security.masking import redact_identifiers

    full_width = "３２０１０２１９９５０３０２００６Ｘ"
    arabic_indic_phone = "١٣٨١٢٣٤٥٦٧٨"
    text = f"身份证{full_width}，手机{arabic_indic_phone}，卡上是320102 19950302 006X"
    assert redact_identifiers(text) == "身份证[身份证号]，手机[手机号]，卡上是[身份证号]"
