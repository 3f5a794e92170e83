# SPDX-License-Identifier: AGPL-3.0-or-later
"""Small recordings shipped for the demo organization (see README.md here for how they were made).

Seeding stores them through the storage interface like any upload, so the demo shows real,
processed videos on a machine without any system media tool.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from app.core.storage import get_storage

FOLDER = Path(__file__).parent
CONTENT_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".vtt": "text/vtt"}


def demo_file(name: str) -> Path:
    """The path of a shipped demo file; FileNotFoundError if it is missing from this checkout."""
    path = FOLDER / name
    if not path.is_file():
        raise FileNotFoundError(f"The demo file {name} is missing from {FOLDER}")
    return path


def open_demo_file(name: str) -> BinaryIO:
    """A shipped demo file opened for reading, to hand to an upload service."""
    return demo_file(name).open("rb")


def store_demo_file(name: str, prefix: str) -> tuple[str, str]:
    """Store a shipped demo file under ``prefix`` as an upload would; its key and content type."""
    content_type = CONTENT_TYPES[demo_file(name).suffix]
    with open_demo_file(name) as stream:
        return get_storage().save(stream, prefix=prefix, content_type=content_type).key, content_type
