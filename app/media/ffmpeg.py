"""ffmpeg and ffprobe on local copies of stored recordings: remux, MP4 rendition, poster, duration.

Commands run without a shell, with timeouts; a failure raises MediaError with a short message
that is safe to show to staff (ffmpeg's own output goes to the log only).
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from app.core.storage import CHUNK_SIZE, get_storage

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 600
POSTER_AT_SECONDS = 1.0


class MediaError(Exception):
    """Processing failed; the message is short and safe to show to staff."""


class ToolMissing(MediaError):
    """ffmpeg or ffprobe is not installed where the configuration says."""


@dataclass(frozen=True)
class Probe:
    """What ffprobe found in a file."""

    duration: float | None
    has_video: bool
    has_audio: bool


def find_tool(name: str) -> str:
    """The path of ``ffmpeg`` or ``ffprobe`` (config FFMPEG_PATH / FFPROBE_PATH, else PATH)."""
    configured = current_app.config.get(f"{name.upper()}_PATH") or name
    path = shutil.which(configured)
    if path is None:
        raise ToolMissing(f"{name} is not installed")
    return path


def download_to(key: str, destination: Path) -> Path:
    """Copy a stored object to a local file, in chunks."""
    with get_storage().open(key) as source, destination.open("wb") as target:
        shutil.copyfileobj(source, target, CHUNK_SIZE)
    return destination


def _run(args: list[str], what: str) -> None:
    timeout = int(current_app.config.get("MEDIA_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT)
    try:
        result = subprocess.run(args, capture_output=True, timeout=timeout, check=False)  # noqa: S603
    except subprocess.TimeoutExpired as error:
        raise MediaError(f"{what} took longer than {timeout} seconds") from error
    if result.returncode != 0:
        logger.warning(
            "%s failed (%s): %s", what, result.returncode, result.stderr.decode(errors="replace")[-2000:]
        )
        raise MediaError(f"{what} failed: the recording could not be read")


def probe(path: Path) -> Probe:
    """Duration and streams of a media file; MediaError if it is not one."""
    args = [
        find_tool("ffprobe"),
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        str(path),
    ]
    timeout = int(current_app.config.get("MEDIA_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT)
    try:
        result = subprocess.run(args, capture_output=True, timeout=timeout, check=False)  # noqa: S603
    except subprocess.TimeoutExpired as error:
        raise MediaError("Reading the recording took too long") from error
    if result.returncode != 0:
        logger.warning("ffprobe failed: %s", result.stderr.decode(errors="replace")[-2000:])
        raise MediaError("The recording could not be read")
    try:
        info = json.loads(result.stdout or b"{}")
    except ValueError as error:
        raise MediaError("The recording could not be read") from error
    kinds = {stream.get("codec_type") for stream in info.get("streams", [])}
    if "video" not in kinds and "audio" not in kinds:
        raise MediaError("The recording holds neither video nor audio")
    return Probe(
        duration=_seconds(info.get("format", {}).get("duration")),
        has_video="video" in kinds,
        has_audio="audio" in kinds,
    )


def _seconds(value: object) -> float | None:
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None


def remux(source: Path, destination: Path) -> Path:
    """Rewrite the container without re-encoding, so duration and seeking work (WebM→WebM, MP4→MP4)."""
    args = [
        find_tool("ffmpeg"),
        "-nostdin",
        "-y",
        "-v",
        "error",
        "-i",
        str(source),
        "-map",
        "0",
        "-c",
        "copy",
    ]
    if destination.suffix == ".mp4":
        args += ["-movflags", "+faststart"]
    _run([*args, str(destination)], "Remuxing")
    return destination


def make_mp4(source: Path, destination: Path, *, has_audio: bool) -> Path:
    """An H.264/AAC MP4 that every browser plays, with the index up front for streaming."""
    args = [find_tool("ffmpeg"), "-nostdin", "-y", "-v", "error", "-i", str(source), "-map", "0:v:0"]
    args += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p"]
    # yuv420p needs even dimensions; recordings from some cameras are odd-sized.
    args += ["-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2"]
    args += ["-map", "0:a:0", "-c:a", "aac", "-b:a", "96k"] if has_audio else ["-an"]
    args += ["-movflags", "+faststart", str(destination)]
    _run(args, "Making the MP4")
    return destination


def make_poster(source: Path, destination: Path, *, duration: float | None) -> Path:
    """A JPEG of the frame at about one second (the first frame for shorter recordings)."""
    at = POSTER_AT_SECONDS if duration is None or duration > POSTER_AT_SECONDS + 0.1 else 0.0
    tool = find_tool("ffmpeg")
    for seek in dict.fromkeys((at, 0.0)):
        args = [tool, "-nostdin", "-y", "-v", "error", "-ss", f"{seek:.3f}", "-i", str(source)]
        _run([*args, "-frames:v", "1", "-q:v", "4", "-f", "image2", str(destination)], "Making the poster")
        if destination.exists() and destination.stat().st_size > 0:
            return destination
    raise MediaError("Making the poster failed: no frame found")


def extract_audio(source: Path, destination: Path) -> Path:
    """16 kHz mono WAV of the recording's sound, as speech recognition wants it."""
    args = [find_tool("ffmpeg"), "-nostdin", "-y", "-v", "error", "-i", str(source), "-vn", "-ac", "1"]
    _run([*args, "-ar", "16000", "-f", "wav", str(destination)], "Extracting the sound")
    return destination
