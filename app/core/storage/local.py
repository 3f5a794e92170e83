# SPDX-License-Identifier: AGPL-3.0-or-later
"""Files on local disk; links are signed and served back by the ``files`` blueprint."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO

from flask import has_request_context, url_for

from app.core.storage.base import (
    CHUNK_SIZE,
    DEFAULT_URL_TTL,
    DOWNLOAD_PATH,
    DOWNLOAD_SALT,
    UPLOAD_PATH,
    UPLOAD_SALT,
    DownloadGrant,
    InvalidUpload,
    LimitedReader,
    ObjectNotFound,
    Storage,
    StorageError,
    StoredObject,
    UploadGrant,
    UploadTicket,
    inline_allowed,
    new_key,
    ticket_key,
    validate_key,
)
from app.core.storage.links import LinkCipher


class LocalStorage(Storage):
    """Files in a directory; links point back at the app's ``files`` blueprint."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        secret_key: str,
        url_ttl: int = DEFAULT_URL_TTL,
        public_url: str = "",
    ) -> None:
        self.root = Path(root)
        self.url_ttl = url_ttl
        self.public_url = public_url.rstrip("/")
        self._links = LinkCipher(secret_key)

    def path_of(self, key: str) -> Path:
        """The file that holds ``key``; ObjectNotFound if there is none."""
        path = self._data_path(key)
        if not path.is_file():
            raise ObjectNotFound(key)
        return path

    def save(
        self, stream: IO[bytes], *, prefix: str, content_type: str, max_size: int | None = None
    ) -> StoredObject:
        """Stream to a temp file beside the target, then rename it into place."""
        return self.save_as(new_key(prefix), stream, content_type=content_type, max_size=max_size)

    def save_as(
        self, key: str, stream: IO[bytes], *, content_type: str, max_size: int | None = None
    ) -> StoredObject:
        """Store ``stream`` under a given key (used by upload tickets, whose key is fixed)."""
        path = self._data_path(key)
        reader = LimitedReader(stream, max_size)
        with self._temp_beside(path) as tmp:
            while chunk := reader.read(CHUNK_SIZE):
                tmp.write(chunk)
            tmp.flush()
            os.fsync(tmp.fileno())
            tmp.close()
            self._write_atomically(self._meta_path(key), json.dumps({"content_type": content_type}).encode())
            os.replace(tmp.name, path)
        return StoredObject(key=key, size=reader.size, content_type=content_type)

    @contextlib.contextmanager
    def open(self, key: str) -> Iterator[BinaryIO]:
        """Open the file for reading."""
        with self.path_of(key).open("rb") as handle:
            yield handle

    def stat(self, key: str) -> StoredObject | None:
        """Size from the file, content type from its metadata sidecar."""
        try:
            size = self._data_path(key).stat().st_size
        except FileNotFoundError:
            return None
        return StoredObject(key=key, size=size, content_type=self._content_type(key))

    def delete(self, key: str) -> None:
        """Remove the file and its metadata if present."""
        self._data_path(key).unlink(missing_ok=True)
        self._meta_path(key).unlink(missing_ok=True)

    def download_url(
        self,
        key: str,
        *,
        filename: str,
        content_type: str,
        inline: bool = False,
        expires_in: int | None = None,
    ) -> str:
        """An encrypted ``/files/d/<token>`` link (the page never sees the key)."""
        expires_at = self._expiry(expires_in)
        return download_link(self._links, key, filename, content_type, inline, expires_at, self.public_url)

    def upload_ticket(
        self,
        *,
        prefix: str,
        content_type: str,
        max_size: int,
        expires_in: int | None = None,
        key: str | None = None,
    ) -> UploadTicket:
        """An encrypted ``/files/u/<token>`` link fixing key, content type and maximum size."""
        ttl = self.url_ttl if expires_in is None else expires_in
        key = ticket_key(prefix, key)
        payload = {"k": key, "t": content_type, "m": max_size}
        token = self._links.seal(UPLOAD_SALT, payload, self._expiry(ttl))
        url = files_link("files.upload", UPLOAD_PATH, token, self.public_url)
        return UploadTicket(url=url, fields={}, key=key, max_size=max_size, expires_in=ttl)

    def read_download_token(self, token: str) -> DownloadGrant:
        """Verify a download token; LinkInvalid or LinkExpired if it does not hold."""
        return read_download_token(self._links, token)

    def read_upload_token(self, token: str) -> UploadGrant:
        """Verify an upload token; LinkInvalid or LinkExpired if it does not hold."""
        data = self._links.open(UPLOAD_SALT, token)
        return UploadGrant(key=data["k"], content_type=data["t"], max_size=data["m"])

    def receive_upload(self, grant: UploadGrant, stream: IO[bytes], content_type: str) -> StoredObject:
        """Store a browser upload under its ticket's rules, as S3 does for a presigned POST."""
        if content_type != grant.content_type:
            raise InvalidUpload(f"Expected {grant.content_type}, got {content_type}")
        stored = self.save_as(grant.key, stream, content_type=grant.content_type, max_size=grant.max_size)
        if stored.size == 0:
            self.delete(grant.key)
            raise InvalidUpload("The file is empty")
        return stored

    def check(self) -> None:
        """Create the root if needed and prove a file can be written there."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.root):
                pass
        except OSError as error:
            raise StorageError(f"Local storage at {self.root} is not writable: {error}") from error

    def _data_path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def _meta_path(self, key: str) -> Path:
        # A separate tree: keys cannot start a segment with ".", so no key can reach it.
        return self.root / ".meta" / f"{validate_key(key)}.json"

    def _content_type(self, key: str) -> str:
        try:
            return json.loads(self._meta_path(key).read_bytes())["content_type"]
        except (OSError, ValueError, KeyError):
            return "application/octet-stream"

    @contextlib.contextmanager
    def _temp_beside(self, path: Path) -> Iterator[Any]:
        # Same directory as the target, so the final os.replace is an atomic rename.
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as handle:
            try:
                yield handle
            finally:
                Path(handle.name).unlink(missing_ok=True)

    def _write_atomically(self, path: Path, data: bytes) -> None:
        with self._temp_beside(path) as tmp:
            tmp.write(data)
            tmp.close()
            os.replace(tmp.name, path)

    def _expiry(self, expires_in: int | None) -> int:
        ttl = self.url_ttl if expires_in is None else expires_in
        # Milliseconds, so a zero lifetime is already expired (tests rely on that, no sleeping).
        return int((time.time() + ttl) * 1000)


def download_link(
    links: LinkCipher,
    key: str,
    filename: str,
    content_type: str,
    inline: bool,
    expires_at_ms: int,
    public_url: str = "",
) -> str:
    """An encrypted ``/files/d/<token>`` link to ``key``, served by the ``files`` blueprint."""
    validate_key(key)
    payload = {"k": key, "f": filename, "t": content_type, "i": inline and inline_allowed(content_type)}
    token = links.seal(DOWNLOAD_SALT, payload, expires_at_ms)
    return files_link("files.download", DOWNLOAD_PATH, token, public_url)


def read_download_token(links: LinkCipher, token: str) -> DownloadGrant:
    """What a download token allows; LinkInvalid or LinkExpired if it does not hold."""
    data = links.open(DOWNLOAD_SALT, token)
    return DownloadGrant(key=data["k"], filename=data["f"], content_type=data["t"], inline=data["i"])


def files_link(endpoint: str, path: str, token: str, public_url: str) -> str:
    """The app-relative link inside a request, else an absolute one under ``public_url``."""
    if has_request_context():
        return url_for(endpoint, token=token)
    return f"{public_url.rstrip('/')}{path}{token}"
