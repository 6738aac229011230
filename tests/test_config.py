import base64
import os
from dataclasses import replace

import pytest

from wxapp import create_app
from wxapp.config import ConfigurationError, Settings


def _real_production_settings() -> Settings:
    key = base64.b64encode(os.urandom(32)).decode()
    return replace(
        Settings(), env="production",
        database_url="postgresql+psycopg://wxapp@db.internal/wxapp",
        redis_url="redis://cache.internal:6379/0",
        secret_key="s" * 40, data_encryption_key=key, blind_index_key="b" * 40,
        wechat_token="prod-token", wechat_encoding_aes_key="x" * 43,
        wechat_app_id="wx1234567890abcdef", wechat_app_secret="0" * 32,
        miniprogram_app_id="wxfedcba0987654321", miniprogram_app_secret="1" * 32,
        registration_result_template_id="tmpl-reg-01", pickup_follow_up_template_id="tmpl-pk-01",
        screening_notice_template_id="tmpl-sc-01", office_phone="0571-8888 6666",
        office_address="镇人民政府一楼卫健办", public_base_url="https://wx.example.gov.cn/",
    )


def test_production_refuses_development_secrets_and_names_each_missing_setting():
    settings = replace(Settings(), env="production")
    with pytest.raises(ConfigurationError) as err:
        create_app(settings)
    message = str(err.value)
    for name in ("SECRET_KEY", "DATA_ENCRYPTION_KEY", "BLIND_INDEX_KEY", "WECHAT_TOKEN",
                 "WECHAT_APP_SECRET", "MINIPROGRAM_APP_SECRET", "DATABASE_URL", "REDIS_URL",
                 "OFFICE_PHONE", "PUBLIC_BASE_URL", "REGISTRATION_RESULT_TEMPLATE_ID"):
        assert name in message


def test_production_refuses_sqlite_even_with_real_secrets():
    settings = replace(_real_production_settings(), database_url="sqlite:///x.db")
    assert settings.problems_for_production() == [
        "DATABASE_URL must point at PostgreSQL, not SQLite"]


def test_production_refuses_missing_redis():
    settings = replace(_real_production_settings(), redis_url=None)
    assert any("REDIS_URL" in p for p in settings.problems_for_production())


def test_production_refuses_what_residents_would_see_as_placeholders():
    settings = replace(_real_production_settings(), office_phone=Settings.office_phone,
                       office_address=Settings.office_address,
                       screening_notice_template_id=Settings.screening_notice_template_id)
    problems = settings.problems_for_production()
    assert [p.split(" ")[0] for p in problems] == [
        "SCREENING_NOTICE_TEMPLATE_ID", "OFFICE_PHONE", "OFFICE_ADDRESS"]
    assert "镇卫健办电话" in problems[1]


@pytest.mark.parametrize("url", ["http://127.0.0.1:5000/", "https://localhost/",
                                 "http://wx.example.gov.cn/", "wx.example.gov.cn"])
def test_production_refuses_a_public_address_residents_cannot_reach(url):
    settings = replace(_real_production_settings(), public_base_url=url)
    assert [p.split(" ")[0] for p in settings.problems_for_production()] == ["PUBLIC_BASE_URL"]


def test_production_with_every_setting_real_has_no_objection():
    assert _real_production_settings().problems_for_production() == []


def test_environment_is_read(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/d")
    monkeypatch.setenv("WECHAT_API_BASE_URL", "http://127.0.0.1:8090")
    monkeypatch.setenv("WXAPP_ENV", "development")
    monkeypatch.setenv("BOOKING_CANCEL_CUTOFF_HOURS", "24")
    monkeypatch.setenv("DATABASE_PING_AFTER_IDLE_SECONDS", "30")
    monkeypatch.setenv("DEVICE_DISPENSE_REPORT_MINUTES", "15")
    settings = Settings.from_env()
    assert settings.booking_cancel_cutoff_hours == 24
    assert settings.database_ping_after_idle_seconds == 30
    assert settings.device_dispense_report_minutes == 15
    assert settings.database_url == "postgresql+psycopg://u@h/d"
    assert settings.wechat_api_base_url == "http://127.0.0.1:8090/"


def test_development_defaults_use_sqlite_under_instance(monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL", "WXAPP_ENV"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert settings.database_url.startswith("sqlite:///") and "instance" in settings.database_url
    assert settings.redis_url is None
    assert settings.wechat_api_base_url == "https://api.weixin.qq.com/"


def _environment_names():
    from dataclasses import fields

    for setting in fields(Settings):
        name = setting.metadata.get("env", setting.name.upper())
        if name:
            yield setting, name


def test_an_unset_environment_leaves_every_default_of_the_dataclass(monkeypatch):
    for _, name in _environment_names():
        monkeypatch.delenv(name, raising=False)
    from_env, defaults = Settings.from_env(), Settings()
    assert from_env == defaults


def test_every_setting_is_read_from_its_environment_variable(monkeypatch):
    from dataclasses import asdict

    samples = {"int": "4321", "bool": "true", "float": "0.25"}
    for setting, name in _environment_names():
        monkeypatch.setenv(name, samples.get(setting.type, "http://example.test:1/x/"))
    monkeypatch.setenv("WXAPP_ENV", "production")  # from_env reads; create_app refuses
    read, defaults = asdict(Settings.from_env()), asdict(Settings())
    assert [name for setting, name in _environment_names()
            if read[setting.name] == defaults[setting.name]] == []


def test_a_number_that_is_not_one_is_named(monkeypatch):
    monkeypatch.setenv("NO_SHOW_LIMIT", "two")
    with pytest.raises(ConfigurationError, match="NO_SHOW_LIMIT must be a whole number"):
        Settings.from_env()


def test_production_takes_sms_whole_or_not_at_all():
    assert _real_production_settings().problems_for_production() == []
    whole = replace(_real_production_settings(), sms_sdk_app_id="1400123456",
                    sms_secret_id="AKIDx", sms_secret_key="k" * 32, sms_sign_name="某镇卫健办",
                    sms_template_ids="service_update:1,booking_reminder:2,staff_alert:3")
    assert whole.problems_for_production() == []
    for half in ({"sms_secret_key": ""}, {"sms_protocol": "http"}, {"sms_template_ids": ""}):
        assert any("SMS_" in p for p in replace(whole, **half).problems_for_production())
