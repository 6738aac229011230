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


class ConfigurationError(RuntimeError):
    """The environment does not describe a service that may start."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from exc


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'wxapp.sqlite3'}"


def normalise_database_url(url: str) -> str:
    # Operators paste libpq-style URLs; SQLAlchemy needs the driver named to pick psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


@dataclass
class Settings:
    env: str = "development"
    database_url: str = field(default_factory=_default_database_url)
    redis_url: str | None = None
    # Pooled connections idle longer than this are pinged before use (see database_pool).
    database_ping_after_idle_seconds: int = 10
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
    wechat_api_base_url: str = WECHAT_PUBLIC_API_BASE_URL
    # Resident tokens are short lived; the mini-program logs in again silently with wx.login.
    resident_token_ttl_seconds: int = 2 * 3600
    # WeChat accepts a push for 5 minutes; older ones are replays.
    wechat_timestamp_window_seconds: int = 300
    wechat_max_body_bytes: int = 64 * 1024
    # Birth registration: review deadline in working days, and whether this province asks for
    # the marriage date.
    registration_review_working_days: int = 3
    registration_requires_marriage_date: bool = False
    # 即办: register at once when nothing needs a reviewer's judgement.
    instant_registration: bool = False
    # Where residents and checkers reach this service (links in certificates' QR codes).
    public_base_url: str = "http://127.0.0.1:5000/"
    # Uploaded documents live here, encrypted, outside anything the web server serves.
    upload_dir: str = str(INSTANCE_DIR / "uploads")
    upload_max_bytes: int = 5 * 1024 * 1024
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
    device_timestamp_window_seconds: int = 300
    near_expiry_days: int = 90
    pickup_follow_up_days: int = 7
    # Mini-program subscribe-message template for "your registration was decided".
    registration_result_template_id: str = "TPL_REGISTRATION_RESULT"
    # …and for "how did it go" some days after a pickup (worded discreetly: it shows in
    # WeChat's service notifications, which others may see).
    pickup_follow_up_template_id: str = "TPL_PICKUP_FOLLOW_UP"
    # …and for news about a pre-pregnancy check booking.
    screening_notice_template_id: str = "TPL_SCREENING_NOTICE"
    # Township facts quoted in replies (placeholders in the knowledge base).
    office_name: str = "镇卫生健康办公室"
    office_phone: str = "镇卫健办电话"
    office_address: str = "镇人民政府便民服务中心"
    office_hours: str = "工作日 8:30-12:00，14:00-17:30"
    township_name: str = "本镇"

    @classmethod
    def from_env(cls) -> Settings:
        defaults = cls()
        return cls(
            env=_env("WXAPP_ENV", "development"),
            database_url=normalise_database_url(_env("DATABASE_URL", defaults.database_url)),
            redis_url=_env("REDIS_URL"),
            database_ping_after_idle_seconds=_env_int("DATABASE_PING_AFTER_IDLE_SECONDS", 10),
            secret_key=_env("SECRET_KEY", DEV_SECRET_KEY),
            data_encryption_key=_env("DATA_ENCRYPTION_KEY", DEV_DATA_ENCRYPTION_KEY),
            data_encryption_old_keys=_env("DATA_ENCRYPTION_OLD_KEYS", ""),
            blind_index_key=_env("BLIND_INDEX_KEY", DEV_BLIND_INDEX_KEY),
            wechat_token=_env("WECHAT_TOKEN", DEV_WECHAT_TOKEN),
            wechat_app_id=_env("WECHAT_APP_ID", DEV_WECHAT_APP_ID),
            wechat_app_secret=_env("WECHAT_APP_SECRET", DEV_WECHAT_APP_SECRET),
            wechat_encoding_aes_key=_env("WECHAT_ENCODING_AES_KEY", DEV_WECHAT_ENCODING_AES_KEY),
            miniprogram_app_id=_env("MINIPROGRAM_APP_ID", DEV_MINIPROGRAM_APP_ID),
            miniprogram_app_secret=_env("MINIPROGRAM_APP_SECRET", DEV_MINIPROGRAM_APP_SECRET),
            wechat_api_base_url=_with_trailing_slash(
                _env("WECHAT_API_BASE_URL", WECHAT_PUBLIC_API_BASE_URL)
            ),
            resident_token_ttl_seconds=_env_int("RESIDENT_TOKEN_TTL_SECONDS", 2 * 3600),
            registration_review_working_days=_env_int("REGISTRATION_REVIEW_WORKING_DAYS", 3),
            upload_dir=_env("UPLOAD_DIR", defaults.upload_dir),
            pdf_font_path=_env("PDF_FONT_PATH", defaults.pdf_font_path),
            booking_min_notice_hours=_env_int("BOOKING_MIN_NOTICE_HOURS", 2),
            booking_max_days_ahead=_env_int("BOOKING_MAX_DAYS_AHEAD", 60),
            booking_cancel_cutoff_hours=_env_int("BOOKING_CANCEL_CUTOFF_HOURS", 12),
            waitlist_hold_minutes=_env_int("WAITLIST_HOLD_MINUTES", 120),
            slot_generation_weeks=_env_int("SLOT_GENERATION_WEEKS", 8),
            no_show_limit=_env_int("NO_SHOW_LIMIT", 2),
            no_show_window_days=_env_int("NO_SHOW_WINDOW_DAYS", 180),
            no_show_restriction_days=_env_int("NO_SHOW_RESTRICTION_DAYS", 90),
            pickup_code_valid_minutes=_env_int("PICKUP_CODE_VALID_MINUTES", 30),
            device_offline_after_minutes=_env_int("DEVICE_OFFLINE_AFTER_MINUTES", 30),
            device_dispense_report_minutes=_env_int("DEVICE_DISPENSE_REPORT_MINUTES", 10),
            near_expiry_days=_env_int("NEAR_EXPIRY_DAYS", 90),
            pickup_follow_up_days=_env_int("PICKUP_FOLLOW_UP_DAYS", 7),
            public_base_url=_with_trailing_slash(_env("PUBLIC_BASE_URL",
                                                      defaults.public_base_url)),
            registration_requires_marriage_date=_env(
                "REGISTRATION_REQUIRES_MARRIAGE_DATE", "false").lower() in ("1", "true", "yes"),
            instant_registration=_env("INSTANT_REGISTRATION", "false").lower() in (
                "1", "true", "yes"),
            registration_result_template_id=_env("REGISTRATION_RESULT_TEMPLATE_ID",
                                                 defaults.registration_result_template_id),
            pickup_follow_up_template_id=_env("PICKUP_FOLLOW_UP_TEMPLATE_ID",
                                              defaults.pickup_follow_up_template_id),
            screening_notice_template_id=_env("SCREENING_NOTICE_TEMPLATE_ID",
                                              defaults.screening_notice_template_id),
            office_name=_env("OFFICE_NAME", defaults.office_name),
            office_phone=_env("OFFICE_PHONE", defaults.office_phone),
            office_address=_env("OFFICE_ADDRESS", defaults.office_address),
            office_hours=_env("OFFICE_HOURS", defaults.office_hours),
            township_name=_env("TOWNSHIP_NAME", defaults.township_name),
        )

    @property
    def is_production(self) -> bool:
        return self.env == "production"

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
        return problems

    def check_can_start(self) -> None:
        if not self.is_production:
            return
        problems = self.problems_for_production()
        if problems:
            raise ConfigurationError(
                "refusing to start in production: " + "; ".join(problems)
            )

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

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


def _with_trailing_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
