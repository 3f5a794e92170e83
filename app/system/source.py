# SPDX-License-Identifier: AGPL-3.0-or-later
"""The source of the running server, offered to every user as AGPL-3.0 section 13 asks.

The archive is made from the files this process runs (local changes included), not from a
repository, so what a user downloads is what answered them.
"""

from __future__ import annotations

import io
import tarfile
import threading
from pathlib import Path

# What a build of Openround is made of; everything else (the virtualenv, instance/ with its
# database, uploads and secrets, caches, compiled catalogs) stays out.
SOURCE_ENTRIES = (
    ".ci",
    "app",
    "bench",
    "deploy",
    "migrations",
    "static",
    "templates",
    "tests",
    "babel.cfg",
    "CHANGELOG.md",
    "config.py",
    "CONTRIBUTING.md",
    "LICENSE",
    "Makefile",
    "pyproject.toml",
    "README.md",
    "requirements-dev.txt",
    "requirements-models.txt",
    "requirements.txt",
    "wsgi.py",
)
LEFT_OUT_NAMES = {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", "node_modules"}
LEFT_OUT_SUFFIXES = {".pyc", ".mo"}

_lock = threading.Lock()


def source_files(base_dir: Path) -> list[Path]:
    """The files of the source archive, relative to ``base_dir``, in a stable order."""
    found: list[Path] = []
    for entry in SOURCE_ENTRIES:
        path = base_dir / entry
        candidates = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
        for candidate in candidates:
            relative = candidate.relative_to(base_dir)
            if (
                candidate.is_file()
                and not candidate.is_symlink()
                and not LEFT_OUT_NAMES.intersection(relative.parts)
                and candidate.suffix not in LEFT_OUT_SUFFIXES
            ):
                found.append(relative)
    return found


def build_source_archive(base_dir: Path) -> bytes:
    """A gzipped tar of the running source under a top-level ``openround/`` folder."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for relative in source_files(base_dir):
            archive.add(base_dir / relative, arcname=str(Path("openround") / relative), recursive=False)
    return buffer.getvalue()


def source_archive(cache: dict[str, bytes], base_dir: Path) -> bytes:
    """The archive, built once per process on first request (the files do not change while it runs)."""
    with _lock:
        if "archive" not in cache:
            cache["archive"] = build_source_archive(base_dir)
        return cache["archive"]
