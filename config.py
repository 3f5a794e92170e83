"""Configuration classes, read from environment variables when instantiated.

Nothing is read at import time: ``create_app`` instantiates the class it is given,
and the instance reads ``os.environ`` (or a mapping passed in tests).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEVELOPMENT_SECRET = "openround-development-secret-do-not-use-in-production"  # noqa: S105 - refused in production
SUPPORTED_LANGUAGES = ("en", "it")


def _flag(value: str | None, default: bool) -> bool:
    """Read an on/off environment value such as 1/0, true/false, yes/no, on/off."""
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class ConfigurationError(RuntimeError):
    """The environment does not describe a configuration that can start."""


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "development"
    DEBUG = False
    TESTING = False

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.SECRET_KEY = env.get("SECRET_KEY") or DEVELOPMENT_SECRET
        database_url = env.get("DATABASE_URL") or ""
        self.SQLALCHEMY_DATABASE_URI = normalize_database_url(
            database_url or f"sqlite:///{INSTANCE_DIR / 'openround.db'}"
        )
        # A second instance on another database gets its own queue and outbox by default,
        # so its job consumer never picks up the first instance's work.
        suffix = f"-{hashlib.sha256(database_url.encode()).hexdigest()[:8]}" if database_url else ""
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.PUBLIC_URL = (env.get("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/")
        self.PREFERRED_URL_SCHEME = "https" if self.PUBLIC_URL.startswith("https") else "http"

        self.STORAGE_BACKEND = (env.get("STORAGE_BACKEND") or "local").lower()
        self.STORAGE_LOCAL_PATH = env.get("STORAGE_LOCAL_PATH") or str(INSTANCE_DIR / "uploads")
        self.S3_BUCKET = env.get("S3_BUCKET") or ""
        self.S3_ENDPOINT_URL = env.get("S3_ENDPOINT_URL") or None
        self.S3_REGION = env.get("S3_REGION") or "us-east-1"
        self.S3_PUBLIC_ENDPOINT_URL = env.get("S3_PUBLIC_ENDPOINT_URL") or self.S3_ENDPOINT_URL
        self.STORAGE_URL_TTL = int(env.get("STORAGE_URL_TTL") or 300)

        self.SMTP_URL = env.get("SMTP_URL") or ""
        self.MAIL_FROM = env.get("MAIL_FROM") or "Openround <no-reply@localhost>"
        self.MAIL_OUTBOX_PATH = env.get("MAIL_OUTBOX_PATH") or str(INSTANCE_DIR / f"outbox{suffix}")
        self.DEV_OUTBOX_ENABLED = False

        self.REDIS_URL = env.get("REDIS_URL") or ""
        self.JOBS_SQLITE_PATH = env.get("JOBS_SQLITE_PATH") or str(INSTANCE_DIR / f"jobs{suffix}.sqlite3")
        self.JOBS_IMMEDIATE = _flag(env.get("JOBS_IMMEDIATE"), False)
        # The outbox relay: how long a claimed delivery stays claimed without a heartbeat, how
        # often each consumer sweeps for due rows, and when a waiting row counts as stuck.
        self.OUTBOX_LEASE_SECONDS = int(env.get("OUTBOX_LEASE_SECONDS") or 120)
        self.OUTBOX_RELAY_INTERVAL = float(env.get("OUTBOX_RELAY_INTERVAL") or 10)
        self.OUTBOX_STUCK_MINUTES = int(env.get("OUTBOX_STUCK_MINUTES") or 15)
        self.HEALTH_CONSUMER_MAX_AGE = int(env.get("HEALTH_CONSUMER_MAX_AGE") or 300)
        self.HEALTH_MIN_FREE_BYTES = int(env.get("HEALTH_MIN_FREE_BYTES") or 256 * 1024 * 1024)

        self.RATELIMIT_ENABLED = _flag(env.get("RATELIMIT_ENABLED"), True)
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI") or "memory://"
        self.RATELIMIT_STRATEGY = "moving-window"
        self.RATELIMIT_HEADERS_ENABLED = True
        # A rate-limit store that is down must not take sign-in or applying down with it.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.JOURNEY_RATE_LIMIT = env.get("JOURNEY_RATE_LIMIT") or "120 per minute"

        self.INTERVIEW_REMINDER_HOURS = env.get("INTERVIEW_REMINDER_HOURS") or "48,24"
        self.INTERVIEW_ANSWER_MAX_BYTES = int(env.get("INTERVIEW_ANSWER_MAX_BYTES") or 300 * 1024 * 1024)
        self.TRANSCRIPTION_ENABLED = _flag(env.get("TRANSCRIPTION_ENABLED"), True)
        self.MEDIA_TIMEOUT_SECONDS = int(env.get("MEDIA_TIMEOUT_SECONDS") or 600)
        # A multilingual faster-whisper model directory; without it only English is transcribed.
        self.WHISPER_MODEL_PATH = env.get("WHISPER_MODEL_PATH") or None
        self.INTERVIEW_UPLOAD_RATE_LIMIT = env.get("INTERVIEW_UPLOAD_RATE_LIMIT") or "60 per hour"
        self.INTERVIEW_MULTIPART_THRESHOLD = int(env.get("INTERVIEW_MULTIPART_THRESHOLD") or 64 * 1024 * 1024)
        self.INTERVIEW_MULTIPART_PART_SIZE = int(env.get("INTERVIEW_MULTIPART_PART_SIZE") or 16 * 1024 * 1024)

        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.PUBLIC_URL.startswith("https")
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=int(env.get("SESSION_HOURS") or 12))
        self.STAFF_SESSION_LIFETIME = self.PERMANENT_SESSION_LIFETIME
        self.WTF_CSRF_TIME_LIMIT = None  # tied to the session instead of a clock
        self.MAX_CONTENT_LENGTH = int(env.get("MAX_CONTENT_LENGTH") or 25 * 1024 * 1024)
        self.TRUSTED_PROXIES = int(env.get("TRUSTED_PROXIES") or 0)

        self.BABEL_DEFAULT_LOCALE = "en"
        self.BABEL_DEFAULT_TIMEZONE = "UTC"
        self.BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")
        self.LANGUAGES = SUPPORTED_LANGUAGES

        self.INVITE_TTL = timedelta(days=int(env.get("INVITE_TTL_DAYS") or 7))
        self.PASSWORD_RESET_TTL = timedelta(minutes=int(env.get("PASSWORD_RESET_TTL_MINUTES") or 60))
        self.LOGIN_FAILURE_LIMIT = "10 per 15 minutes"

    def validate(self) -> None:
        """Refuse configurations that cannot work; overridden where stricter rules apply."""
        if self.STORAGE_BACKEND not in {"local", "s3"}:
            raise ConfigurationError("STORAGE_BACKEND must be 'local' or 's3'.")
        if self.STORAGE_BACKEND == "s3" and not self.S3_BUCKET:
            raise ConfigurationError("STORAGE_BACKEND=s3 needs S3_BUCKET.")


class DevelopmentConfig(Config):
    """The embedded default: SQLite, local files, an outbox for mail."""

    ENV_NAME = "development"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(environ)
        self.DEV_OUTBOX_ENABLED = True


class TestingConfig(Config):
    """Used by the test suite: jobs run inline, CSRF stays on unless a test turns it off."""

    ENV_NAME = "testing"
    TESTING = True
    __test__ = False  # a configuration, not a test class for pytest to collect

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(environ)
        self.JOBS_IMMEDIATE = True
        self.SERVER_NAME = None
        self.DEV_OUTBOX_ENABLED = True


class ProductionConfig(Config):
    """Production refuses to start without a real secret, a database and storage."""

    ENV_NAME = "production"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        super().__init__(env)
        self._explicit_database = bool(env.get("DATABASE_URL"))
        self._explicit_secret = env.get("SECRET_KEY") or ""
        self.SESSION_COOKIE_SECURE = _flag(env.get("SESSION_COOKIE_SECURE"), True)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE

    def validate(self) -> None:
        """Fail fast on a missing or development secret, database or storage."""
        secret = self._explicit_secret
        if not secret or secret == DEVELOPMENT_SECRET or len(secret) < 32:
            raise ConfigurationError(
                "Production needs SECRET_KEY: a random value of at least 32 characters "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        if not self._explicit_database:
            raise ConfigurationError("Production needs DATABASE_URL.")
        super().validate()


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for_environment(environ: Mapping[str, str] | None = None) -> type[Config]:
    """Pick the configuration class named by OPENROUND_ENV (development by default)."""
    env = os.environ if environ is None else environ
    name = (env.get("OPENROUND_ENV") or "development").lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigurationError(f"OPENROUND_ENV must be one of {', '.join(CONFIGS)}.") from None


def normalize_database_url(url: str) -> str:
    """Use the psycopg 3 driver for postgres URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
