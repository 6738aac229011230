"""Settings read from the environment.

Development gets working defaults so that one command runs the service on a fresh machine;
production (``WXAPP_ENV=production``) refuses to start until every secret is real, the
database is not SQLite, Redis is configured, and what residents are shown (the office's phone
and address, the public address, the subscribe templates) is the township's own.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

# Development-only values. They are public (they are in this file), so production refuses them.
DEV_SECRET_KEY = "dev-only-secret-key-change-me"
# 32 bytes, base64: development and tests only.
DEV_DATA_ENCRYPTION_KEY = "ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE="
DEV_BLIND_INDEX_KEY = "dev-only-blind-index-key"
DEV_WECHAT_TOKEN = "wxapp-dev-token"
# 43 characters, as WeChat's EncodingAESKey is.
DEV_WECHAT_ENCODING_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
DEV_WECHAT_APP_ID = "wx_dev_official_account"
DEV_WECHAT_APP_SECRET = "dev-oa-secret"
DEV_MINIPROGRAM_APP_ID = "wx_dev_miniprogram"
DEV_MINIPROGRAM_APP_SECRET = "dev-mp-secret"
WECHAT_PUBLIC_API_BASE_URL = "https://api.weixin.qq.com/"
# Where the resident's browser is sent for web authorisation (网页授权): a page of WeChat's,
# not an API, on another host than the API.
WECHAT_PUBLIC_OAUTH_BASE_URL = "https://open.weixin.qq.com/"


class ConfigurationError(RuntimeError):
    """The environment does not describe a service that may start."""


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'wxapp.sqlite3'}"


def normalise_database_url(url: str) -> str:
    # Operators paste libpq-style URLs; SQLAlchemy needs the driver named to pick psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _with_trailing_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _parse(name: str, raw: str, kind: str):
    # Annotations are strings here (``from __future__ import annotations``).
    numbers = {"int": (int, "a whole number"), "float": (float, "a number")}
    if kind in numbers:
        convert, what = numbers[kind]
        try:
            return convert(raw)
        except ValueError as exc:
            raise ConfigurationError(f"{name} must be {what}, got {raw!r}") from exc
    if kind == "bool":
        return raw.lower() in ("1", "true", "yes")
    return raw


def _yes(raw: str) -> bool:
    return raw.lower() in ("1", "true", "yes")


def _fixed(default):
    """A setting the environment cannot change: a protocol's limit, not a local choice."""
    return field(default=default, metadata={"env": None})


@dataclass
class Settings:
    env: str = field(default="development", metadata={"env": "WXAPP_ENV"})
    database_url: str = field(default_factory=_default_database_url,
                              metadata={"clean": normalise_database_url})
    redis_url: str | None = None
    # Pooled connections idle longer than this are pinged before use (see database_pool).
    database_ping_after_idle_seconds: int = 10
    # A PostgreSQL server that does not answer must not hold a request (and a worker thread)
    # for the kernel's TCP timeout: the request answers 503 instead.
    database_connect_timeout_seconds: int = 3
    secret_key: str = DEV_SECRET_KEY
    data_encryption_key: str = DEV_DATA_ENCRYPTION_KEY
    # Older keys stay readable during rotation: "keyid:base64key,keyid:base64key".
    data_encryption_old_keys: str = ""
    # Separate from the encryption key so that rotating that key leaves look-ups intact.
    blind_index_key: str = DEV_BLIND_INDEX_KEY
    wechat_token: str = DEV_WECHAT_TOKEN
    wechat_app_id: str = DEV_WECHAT_APP_ID
    wechat_app_secret: str = DEV_WECHAT_APP_SECRET
    wechat_encoding_aes_key: str = DEV_WECHAT_ENCODING_AES_KEY
    miniprogram_app_id: str = DEV_MINIPROGRAM_APP_ID
    miniprogram_app_secret: str = DEV_MINIPROGRAM_APP_SECRET
    wechat_api_base_url: str = field(default=WECHAT_PUBLIC_API_BASE_URL,
                                     metadata={"clean": _with_trailing_slash})
    # Root of WeChat's web-authorisation page (``connect/oauth2/authorize`` below it). Unset:
    # WeChat's own when WECHAT_API_BASE_URL is WeChat's, otherwise that same base, since the
    # simulator that stands in for the API in development and tests serves the page too.
    wechat_oauth_base_url: str = field(default="", metadata={"clean": _with_trailing_slash})
    # Resident tokens are short lived; the mini-program logs in again silently with wx.login.
    resident_token_ttl_seconds: int = 2 * 3600
    # WeChat accepts a push for 5 minutes; older ones are replays.
    wechat_timestamp_window_seconds: int = _fixed(300)
    wechat_max_body_bytes: int = _fixed(64 * 1024)
    # Safe mode (安全模式): only encrypted pushes are accepted, since a plaintext push's signature
    # covers neither its body nor anything a replay could not reuse. None: on in production.
    wechat_safe_mode: bool | None = field(default=None, metadata={"clean": _yes})
    # Birth registration: review deadline in working days, and whether this province asks for
    # the marriage date.
    registration_review_working_days: int = 3
    # 好差评: the office calls back on a poor rating within this many working days.
    rating_callback_working_days: int = 1
    registration_requires_marriage_date: bool = False
    # 即办: register at once when nothing needs a reviewer's judgement.
    instant_registration: bool = False
    # Where residents and checkers reach this service (links in certificates' QR codes).
    public_base_url: str = field(default="http://127.0.0.1:5000/",
                                 metadata={"clean": _with_trailing_slash})
    # Uploaded documents live here, encrypted, outside anything the web server serves.
    upload_dir: str = str(INSTANCE_DIR / "uploads")
    upload_max_bytes: int = _fixed(5 * 1024 * 1024)
    # A Chinese TrueType font to embed in certificates and letters; empty: look for the usual
    # Debian ones (wxapp/formats/pdf_fonts.py).
    pdf_font_path: str = ""
    # Pre-pregnancy checks: minimum notice and furthest date for booking, and the latest
    # a booking can be cancelled or moved before its slot.
    booking_min_notice_hours: int = 2
    booking_max_days_ahead: int = 60
    booking_cancel_cutoff_hours: int = 12
    # A place offered from the waitlist is held this long; couples who miss `no_show_limit`
    # checks within `no_show_window_days` wait `no_show_restriction_days` to book again.
    waitlist_hold_minutes: int = 120
    # How far ahead the daily job opens slots from clinics' weekly schedules.
    slot_generation_weeks: int = 8
    no_show_limit: int = 2
    no_show_window_days: int = 180
    no_show_restriction_days: int = 90
    # Free contraceptives: how long a pickup code holds stock, when a silent cabinet counts
    # as offline, how far a device's clock may drift, when a batch is "near expiry", and when
    # residents are asked how things went after a pickup.
    pickup_code_valid_minutes: int = 30
    device_offline_after_minutes: int = 30
    # A redeemed code with no dispense report after this long becomes a task for staff.
    device_dispense_report_minutes: int = 10
    device_timestamp_window_seconds: int = _fixed(300)
    near_expiry_days: int = 90
    pickup_follow_up_days: int = 7
    # Mini-program subscribe-message template for "your registration was decided".
    registration_result_template_id: str = "TPL_REGISTRATION_RESULT"
    # …and for "how did it go" some days after a pickup (worded discreetly: it shows in
    # WeChat's service notifications, which others may see).
    pickup_follow_up_template_id: str = "TPL_PICKUP_FOLLOW_UP"
    # …and for news about a pre-pregnancy check booking.
    screening_notice_template_id: str = "TPL_SCREENING_NOTICE"
    # SMS (Tencent Cloud), the channel of last resort for notices, to residents who agreed.
    # Unset SMS_SDK_APP_ID: no SMS at all. Development and tests point SMS_ENDPOINT at the
    # local gateway (wxapp/sms/simulator.py) over plain HTTP.
    sms_sdk_app_id: str = ""
    sms_secret_id: str = ""
    sms_secret_key: str = ""
    sms_sign_name: str = ""
    # "service_update:1234567,booking_reminder:1234568,staff_alert:1234569" (wxapp/sms/templates.py)
    sms_template_ids: str = ""
    sms_endpoint: str = "sms.tencentcloudapi.com"
    sms_protocol: str = "https"
    sms_region: str = "ap-guangzhou"
    # Staff alerts by text wait out the night: none from QUIET_START to QUIET_END (China time).
    staff_sms_quiet_start_hour: int = 21
    staff_sms_quiet_end_hour: int = 8
    # Township facts quoted in replies (placeholders in the knowledge base).
    office_name: str = "镇卫生健康办公室"
    office_phone: str = "镇卫健办电话"
    office_address: str = "镇人民政府便民服务中心"
    office_hours: str = "工作日 8:30-12:00，14:00-17:30"
    township_name: str = "本镇"
    # Redis: a refused or silent Redis must cost a request well under a second, not redis-py's
    # 5 s default, so the outage is answered (503) instead of queuing every worker thread.
    redis_connect_timeout_seconds: float = 0.5
    redis_read_timeout_seconds: float = 1.0
    # Idempotency-Key: how long a concurrent twin waits for the first request's answer, and
    # how long stored answers (personal data, encrypted) are kept for replays.
    idempotency_wait_seconds: float = 10.0
    idempotency_ttl_hours: int = 24
    # Reverse proxies (nginx) in front of the app whose X-Forwarded-For is trusted: rate limits
    # count per client address, and behind nginx every request comes from 127.0.0.1.
    trusted_proxy_count: int = 0
    # Rate limits ("N/minute;M/hour", limits' notation). Mobile carriers put many residents
    # behind one address, so per-address limits are wide and per-account ones tight.
    # Benchmarks switch them off: every simulated client there shares one address.
    rate_limits_disabled: bool = False
    rate_limit_login_per_address: str = "30/minute;300/hour"
    # Staff sign-in failures per account from all addresses together; the 5-failure lock
    # counts per account and address, so a stranger cannot lock a reviewer out.
    rate_limit_login_failures_per_account: str = "50/hour"
    staff_login_max_failures: int = 5
    rate_limit_create_per_address: str = "600/minute"
    rate_limit_create_per_account: str = "20/minute;200/day"
    rate_limit_verify_per_address: str = "60/minute"
    rate_limit_device_per_address: str = "1200/minute"
    rate_limit_device_per_cabinet: str = "120/minute"
    # Full ID and phone numbers shown to one staff account (the audited reveal), from every
    # browser together: a reviewer checking forms needs dozens an hour, not a whole register.
    rate_limit_reveal_per_staff: str = "60/hour;300/day"
    # The staff console's cookie session ends after this long without a request, and this
    # long after sign-in however busy the day (a shared office PC left signed in).
    console_session_idle_minutes: int = 30
    console_session_absolute_hours: int = 10

    # Logs: "json" (one JSON object a line, for a log collector) or "console" (readable);
    # empty: json in production, console in development.
    log_format: str = ""
    # /metrics answers only a request with "Authorization: Bearer <this>"; empty: /metrics is
    # not served at all (404).
    metrics_token: str = ""
    # Error reports to the county's own Sentry server; empty: nothing is sent anywhere.
    sentry_dsn: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        """Each field from the environment variable of its name in capitals (``env`` from
        WXAPP_ENV); unset or blank leaves the default above, the only place it is written."""
        values = {}
        for setting in fields(cls):
            name = setting.metadata.get("env", setting.name.upper())
            raw = _env(name) if name else None
            if raw is not None:
                clean = setting.metadata.get("clean", lambda value: value)
                values[setting.name] = clean(_parse(name, raw, setting.type))
        return cls(**values)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def log_json(self) -> bool:
        return self.log_format.lower() == "json" if self.log_format else self.is_production

    @property
    def web_authorisation_base_url(self) -> str:
        if self.wechat_oauth_base_url:
            return self.wechat_oauth_base_url
        if self.wechat_api_base_url == WECHAT_PUBLIC_API_BASE_URL:
            return WECHAT_PUBLIC_OAUTH_BASE_URL
        return self.wechat_api_base_url

    @property
    def requires_encrypted_pushes(self) -> bool:
        return self.is_production if self.wechat_safe_mode is None else self.wechat_safe_mode

    def problems_for_production(self) -> list[str]:
        """Every reason this configuration must not serve real residents."""
        problems = []
        dev_values = {
            "SECRET_KEY": (self.secret_key, DEV_SECRET_KEY),
            "DATA_ENCRYPTION_KEY": (self.data_encryption_key, DEV_DATA_ENCRYPTION_KEY),
            "BLIND_INDEX_KEY": (self.blind_index_key, DEV_BLIND_INDEX_KEY),
            "WECHAT_TOKEN": (self.wechat_token, DEV_WECHAT_TOKEN),
            "WECHAT_ENCODING_AES_KEY": (self.wechat_encoding_aes_key, DEV_WECHAT_ENCODING_AES_KEY),
            "WECHAT_APP_ID": (self.wechat_app_id, DEV_WECHAT_APP_ID),
            "WECHAT_APP_SECRET": (self.wechat_app_secret, DEV_WECHAT_APP_SECRET),
            "MINIPROGRAM_APP_ID": (self.miniprogram_app_id, DEV_MINIPROGRAM_APP_ID),
            "MINIPROGRAM_APP_SECRET": (self.miniprogram_app_secret, DEV_MINIPROGRAM_APP_SECRET),
        }
        # Subscribe messages go out under the account's own templates; the development ids
        # would make every one fail.
        for name in ("REGISTRATION_RESULT_TEMPLATE_ID", "PICKUP_FOLLOW_UP_TEMPLATE_ID",
                     "SCREENING_NOTICE_TEMPLATE_ID"):
            attribute = name.lower()
            dev_values[name] = (getattr(self, attribute), getattr(Settings, attribute))
        for name, (value, dev_value) in dev_values.items():
            if value == dev_value:
                problems.append(f"{name} is missing or still the development value")
        # Replies tell residents to call or visit the office: a placeholder there would send
        # a grandmother looking for a phone number that is not in the message.
        for name in ("OFFICE_PHONE", "OFFICE_ADDRESS"):
            attribute = name.lower()
            if getattr(self, attribute) == getattr(Settings, attribute):
                problems.append(f"{name} is missing: replies would quote the placeholder "
                                f"“{getattr(self, attribute)}”")
        public = urlsplit(self.public_base_url)
        if public.scheme != "https" or public.hostname in (None, "localhost", "127.0.0.1", "::1"):
            problems.append("PUBLIC_BASE_URL must be the public https:// address residents "
                            "reach (certificate QR codes point at it)")
        if len(self.secret_key) < 32:
            problems.append("SECRET_KEY must be at least 32 characters")
        if self.database_url.startswith("sqlite"):
            problems.append("DATABASE_URL must point at PostgreSQL, not SQLite")
        if not self.redis_url:
            problems.append("REDIS_URL is missing (the in-process Redis serves one process only)")
        if self.sms_sdk_app_id and (self.sms_protocol != "https" or not self.sms_secret_key
                                    or not self.sms_sign_name or not self.sms_template_ids):
            # Unset SMS_SDK_APP_ID is fine (no texts); half a configuration is not.
            problems.append("SMS_* must all be set, over https, or SMS_SDK_APP_ID left unset")
        return problems

    def check_can_start(self) -> None:
        if not self.is_production:
            return
        problems = self.problems_for_production()
        if problems:
            raise ConfigurationError(
                "refusing to start in production: " + "; ".join(problems)
            )

    def reply_placeholders(self) -> dict[str, str]:
        return {
            "office_name": self.office_name,
            "office_phone": self.office_phone,
            "office_address": self.office_address,
            "office_hours": self.office_hours,
            "township_name": self.township_name,
            "review_working_days": str(self.registration_review_working_days),
            "booking_cancel_cutoff_hours": str(self.booking_cancel_cutoff_hours),
            "pickup_code_valid_minutes": str(self.pickup_code_valid_minutes),
        }


def settings() -> Settings:
    """The Settings of the app whose context is active (``create_app`` stores them).

    Services, jobs and commands read configuration through this one typed accessor; it needs
    an app context, never a request, so a service runs the same from a job or the CLI."""
    return current_app.config["WXAPP"]
