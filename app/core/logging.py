# SPDX-License-Identifier: AGPL-3.0-or-later
"""One logging configuration for the web app, the job consumer and the CLI.

Readable lines in development, one JSON object per line in production (for a log
collector), levels from the configuration. ``create_app`` applies it once per process.
"""

from __future__ import annotations

import logging.config
from typing import Any

from flask import Flask

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d %(threadName)s"


def logging_settings(level: str, log_format: str) -> dict[str, Any]:
    """The ``dictConfig`` for a level and a format (``text`` or ``json``)."""
    formatters: dict[str, dict[str, Any]] = {
        "text": {"format": TEXT_FORMAT},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": formatters,
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": log_format,
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        # Libraries that are chatty at INFO stay at WARNING unless asked for with LOG_LEVEL=DEBUG.
        "loggers": {
            name: {"level": "WARNING" if level != "DEBUG" else "DEBUG"}
            for name in (
                "botocore",
                "boto3",
                "s3transfer",
                "urllib3",
                "faster_whisper",
                "alembic.runtime.plugins",
            )
        },
    }


def configure_logging(app: Flask) -> None:
    """Apply the app's logging configuration (LOG_LEVEL, LOG_FORMAT) to this process."""
    if not app.config["LOG_CONFIGURE"]:
        return
    logging.config.dictConfig(logging_settings(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"]))
