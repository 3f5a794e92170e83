# SPDX-License-Identifier: AGPL-3.0-or-later
"""Configuration comes from the environment; production refuses to start half-configured."""

from __future__ import annotations

import pytest

from app import create_app
from config import (
    DEVELOPMENT_SECRET,
    ConfigurationError,
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
    config_for_environment,
)

GOOD_SECRET = "x" * 48
PG = "postgresql://openround@db.internal/openround"


def test_development_defaults_are_embedded():
    config = DevelopmentConfig({})
    assert (
        config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
        and "instance" in config.SQLALCHEMY_DATABASE_URI
    )
    assert config.STORAGE_BACKEND == "local" and config.STORAGE_LOCAL_PATH.endswith("instance/uploads")
    assert config.SMTP_URL == "" and config.REDIS_URL == ""
    assert config.RATELIMIT_ENABLED is True
    assert config.SESSION_COOKIE_SECURE is False


def test_another_database_gets_its_own_queue_and_outbox():
    first, second = DevelopmentConfig({}), DevelopmentConfig({"DATABASE_URL": "sqlite:////tmp/other.db"})
    assert first.JOBS_SQLITE_PATH.endswith("instance/jobs.sqlite3")
    assert second.JOBS_SQLITE_PATH != first.JOBS_SQLITE_PATH
    assert second.MAIL_OUTBOX_PATH != first.MAIL_OUTBOX_PATH


def test_environment_variables_are_read():
    config = DevelopmentConfig(
        {
            "DATABASE_URL": "postgres://u@h/db",
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": "files",
            "S3_ENDPOINT_URL": "http://127.0.0.1:8333",
            "S3_REGION": "eu-south-1",
            "SMTP_URL": "smtp://mail:25",
            "MAIL_FROM": "Jobs <jobs@acme.example>",
            "REDIS_URL": "redis://r:6379/0",
            "PUBLIC_URL": "https://jobs.acme.example/",
            "RATELIMIT_ENABLED": "off",
            "RATELIMIT_STORAGE_URI": "redis://r:6379/1",
        }
    )
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@h/db"
    assert (config.STORAGE_BACKEND, config.S3_BUCKET, config.S3_REGION) == ("s3", "files", "eu-south-1")
    assert config.PUBLIC_URL == "https://jobs.acme.example"
    assert config.SESSION_COOKIE_SECURE is True
    assert config.RATELIMIT_ENABLED is False and config.RATELIMIT_STORAGE_URI == "redis://r:6379/1"
    assert config.REDIS_URL == "redis://r:6379/0" and config.MAIL_FROM == "Jobs <jobs@acme.example>"


@pytest.mark.parametrize("secret", [None, "", DEVELOPMENT_SECRET, "short"])
def test_production_refuses_a_missing_or_development_secret(secret):
    environ = {"DATABASE_URL": PG}
    if secret is not None:
        environ["SECRET_KEY"] = secret
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(ProductionConfig(environ))


def test_production_refuses_to_start_without_a_database_or_bucket():
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        ProductionConfig({"SECRET_KEY": GOOD_SECRET}).validate()
    with pytest.raises(ConfigurationError, match="S3_BUCKET"):
        ProductionConfig({"SECRET_KEY": GOOD_SECRET, "DATABASE_URL": PG, "STORAGE_BACKEND": "s3"}).validate()


def test_production_with_everything_set_starts_with_secure_cookies(tmp_path):
    config = ProductionConfig(
        {
            "SECRET_KEY": GOOD_SECRET,
            "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
            "STORAGE_LOCAL_PATH": str(tmp_path / "files"),
            "JOBS_SQLITE_PATH": str(tmp_path / "jobs.db"),
        }
    )
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "dev" not in app.blueprints  # the outbox viewer exists only in development


def test_only_the_test_configuration_uses_a_cheap_password_hash(tmp_path):
    from app.core.security import hash_password

    production = create_app(
        ProductionConfig(
            {
                "SECRET_KEY": GOOD_SECRET,
                "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
                "STORAGE_LOCAL_PATH": str(tmp_path / "files"),
                "JOBS_SQLITE_PATH": str(tmp_path / "jobs.db"),
            }
        )
    )
    with production.app_context():
        assert hash_password("correct horse").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    testing = create_app(TestingConfig({"DATABASE_URL": f"sqlite:///{tmp_path}/t.db"}))
    with testing.app_context():
        assert hash_password("correct horse").startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_openround_env_selects_the_class():
    assert config_for_environment({}) is DevelopmentConfig
    assert config_for_environment({"OPENROUND_ENV": "production"}) is ProductionConfig
    with pytest.raises(ConfigurationError):
        config_for_environment({"OPENROUND_ENV": "staging"})
