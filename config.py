# SPDX-License-Identifier: AGPL-3.0-or-later
"""Configuration classes, read from environment variables when instantiated.

Nothing is read at import time: ``create_app`` instantiates the class it is given,
and the instance reads ``os.environ`` (or a mapping passed in tests).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import tempfile
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


def instance_secret(path: Path) -> str:
    """This install's own random SECRET_KEY: read from ``path``, or created there (mode 0600) on first use."""
    existing = _read_secret(path)
    if existing:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # mkstemp creates the file 0600; os.link publishes it whole and never replaces a key that
    # another process (a second worker, `flask db upgrade`) wrote a moment earlier.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secret + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return _read_secret(path) or secret
    finally:
        os.unlink(temporary)
    return secret


def _read_secret(path: Path) -> str | None:
    """The secret kept in ``path`` (tightened to mode 0600 if looser), or None when there is none yet."""
    try:
        secret = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)
    if len(secret) < 32:
        raise ConfigurationError(f"{path} does not hold a usable secret key; delete it to make a new one.")
    return secret


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "development"
    DEBUG = False
    TESTING = False

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.SECRET_KEY = env.get("SECRET_KEY") or DEVELOPMENT_SECRET
        # Where development keeps its own random secret when SECRET_KEY is not set (see DevelopmentConfig).
        self.SECRET_KEY_FILE = env.get("SECRET_KEY_FILE") or str(INSTANCE_DIR / "secret_key")
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
        # Failed sign-ins: per account from one address, per address across accounts, and per
        # account from every address (then the account waits for its owner's e-mailed unlock link).
        self.LOGIN_FAILURE_LIMIT = env.get("LOGIN_FAILURE_LIMIT") or "10 per 15 minutes"
        self.LOGIN_ADDRESS_FAILURE_LIMIT = env.get("LOGIN_ADDRESS_FAILURE_LIMIT") or "50 per 15 minutes"
        self.LOGIN_ACCOUNT_FAILURE_LIMIT = env.get("LOGIN_ACCOUNT_FAILURE_LIMIT") or "30 per 15 minutes"
        self.LOGIN_UNLOCK_TTL = timedelta(hours=int(env.get("LOGIN_UNLOCK_TTL_HOURS") or 24))
        self.MFA_FAILURE_LIMIT = env.get("MFA_FAILURE_LIMIT") or "10 per 15 minutes"
        self.SESSION_IDLE_TIMEOUT = timedelta(minutes=int(env.get("SESSION_IDLE_MINUTES") or 60))
        self.REAUTHENTICATION_WINDOW = timedelta(minutes=int(env.get("REAUTHENTICATION_MINUTES") or 10))
        # AGPL-3.0 section 13: every page links to the source of the version this server runs.
        # Whoever runs a modified version points this at their own published source.
        self.SOURCE_CODE_URL = env.get("SOURCE_CODE_URL") or f"{self.PUBLIC_URL}/source"
        self.LOG_LEVEL = (env.get("LOG_LEVEL") or "INFO").upper()
        self.LOG_FORMAT = (env.get("LOG_FORMAT") or "text").lower()
        self.LOG_CONFIGURE = True
        self.ARGON2_PARAMETERS: dict[str, int] = {}  # argon2-cffi's defaults (RFC 9106 low-memory)

    def validate(self) -> None:
        """Refuse configurations that cannot work; overridden where stricter rules apply."""
        if self.STORAGE_BACKEND not in {"local", "s3"}:
            raise ConfigurationError("STORAGE_BACKEND must be 'local' or 's3'.")
        if self.LOG_FORMAT not in {"text", "json"}:
            raise ConfigurationError("LOG_FORMAT must be 'text' or 'json'.")
        if self.LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ConfigurationError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL.")
        if self.STORAGE_BACKEND == "s3" and not self.S3_BUCKET:
            raise ConfigurationError("STORAGE_BACKEND=s3 needs S3_BUCKET.")


class DevelopmentConfig(Config):
    """The embedded default: SQLite, local files, an outbox for mail, a random secret per install."""

    ENV_NAME = "development"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        super().__init__(env)
        self.DEV_OUTBOX_ENABLED = True
        self._explicit_secret = env.get("SECRET_KEY") or ""

    def validate(self) -> None:
        """Without SECRET_KEY, use this install's own secret under instance/ (never a well-known one)."""
        super().validate()
        if not self._explicit_secret:
            self.SECRET_KEY = instance_secret(Path(self.SECRET_KEY_FILE))


class TestingConfig(Config):
    """Used by the test suite: jobs run inline, CSRF stays on unless a test turns it off."""

    ENV_NAME = "testing"
    TESTING = True
    __test__ = False  # a configuration, not a test class for pytest to collect

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(environ)
        self.JOBS_IMMEDIATE = True
        self.SERVER_NAME = None
        self.LOG_CONFIGURE = False  # pytest captures and reports logs itself
        # A test-cost hash (well under a millisecond): production parameters cost ~1 s a hash
        # on a loaded 2-core machine, and the suite hashes thousands of passwords.
        self.ARGON2_PARAMETERS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
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
        self.LOG_FORMAT = (env.get("LOG_FORMAT") or "json").lower()
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
