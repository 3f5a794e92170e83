# SPDX-License-Identifier: AGPL-3.0-or-later
"""The media processing Openround used before PyAV: the system ``ffmpeg`` and ``ffprobe`` programs.

Kept only here, as the baseline of ``python -m bench media``; the product never runs them. The
commands are the ones app/media/ffmpeg.py ran (same encoder settings), without Flask.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

TIMEOUT_SECONDS = 3600


def available() -> bool:
    """Whether ``ffmpeg`` and ``ffprobe`` are on PATH."""
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


def _run(args: list[str]) -> None:
    subprocess.run(args, capture_output=True, timeout=TIMEOUT_SECONDS, check=True)


def probe_duration(path: Path) -> tuple[float | None, bool]:
    """Duration in seconds and whether there is sound, as ffprobe reports them."""
    args = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    info = json.loads(subprocess.run(args, capture_output=True, timeout=TIMEOUT_SECONDS, check=True).stdout)
    duration = info.get("format", {}).get("duration")
    kinds = {stream.get("codec_type") for stream in info.get("streams", [])}
    return (float(duration) if duration else None), "audio" in kinds


def remux(source: Path, destination: Path) -> Path:
    """Rewrite the container without re-encoding."""
    args = ["ffmpeg", "-nostdin", "-y", "-v", "error", "-i", str(source), "-map", "0", "-c", "copy"]
    if destination.suffix == ".mp4":
        args += ["-movflags", "+faststart"]
    _run([*args, str(destination)])
    return destination


def make_mp4(source: Path, destination: Path, *, has_audio: bool) -> Path:
    """H.264 (x264 veryfast, CRF 28) and AAC 96 kb/s, index up front."""
    args = ["ffmpeg", "-nostdin", "-y", "-v", "error", "-i", str(source), "-map", "0:v:0"]
    args += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p"]
    args += ["-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2"]
    args += ["-map", "0:a:0", "-c:a", "aac", "-b:a", "96k"] if has_audio else ["-an"]
    _run([*args, "-movflags", "+faststart", str(destination)])
    return destination


def make_poster(source: Path, destination: Path, *, at: float = 1.0) -> Path:
    """A JPEG of the frame at ``at`` seconds."""
    args = ["ffmpeg", "-nostdin", "-y", "-v", "error", "-ss", f"{at:.3f}", "-i", str(source)]
    _run([*args, "-frames:v", "1", "-q:v", "4", "-f", "image2", str(destination)])
    return destination


def extract_audio(source: Path, destination: Path) -> Path:
    """16 kHz mono WAV."""
    args = ["ffmpeg", "-nostdin", "-y", "-v", "error", "-i", str(source), "-vn", "-ac", "1"]
    _run([*args, "-ar", "16000", "-f", "wav", str(destination)])
    return destination
