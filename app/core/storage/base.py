# SPDX-License-Identifier: AGPL-3.0-or-later
"""The storage interface: stored objects, upload tickets, errors and key rules."""

from __future__ import annotations

import re
import secrets
import unicodedata
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, BinaryIO
from urllib.parse import quote

CHUNK_SIZE = 64 * 1024
DEFAULT_URL_TTL = 300
KEY_PATTERN = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*")
# Types a browser can show without running anything; everything else downloads as an attachment.
INLINE_TYPES = frozenset(
    {"application/pdf", "text/plain", "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"}
)
INLINE_TYPE_PREFIXES = ("audio/", "video/")
DOWNLOAD_SALT = "openround.files.download"
UPLOAD_SALT = "openround.files.upload"
DOWNLOAD_PATH = "/files/d/"
UPLOAD_PATH = "/files/u/"


@dataclass(frozen=True)
class StoredObject:
    """A stored file as the storage knows it."""

    key: str
    size: int
    content_type: str


@dataclass(frozen=True)
class UploadTicket:
    """Where and how a browser uploads one file directly: POST the fields, then ``file``."""

    url: str
    fields: dict[str, str]
    key: str
    max_size: int
    expires_in: int


@dataclass(frozen=True)
class UploadPart:
    """One part of a multipart upload: its 1-based number, where to PUT it, and its byte range."""

    number: int
    url: str
    start: int
    end: int


@dataclass(frozen=True)
class MultipartTicket:
    """A large file uploaded in parts the browser PUTs directly; the server completes it.

    ``parts`` lists only what is still to send: a renewed ticket leaves out parts already stored.
    """

    key: str
    multipart_id: str
    size: int
    part_size: int
    parts: list[UploadPart]
    expires_in: int


@dataclass(frozen=True)
class DownloadGrant:
    """What a verified local download link allows."""

    key: str
    filename: str
    content_type: str
    inline: bool


@dataclass(frozen=True)
class UploadGrant:
    """What a verified local upload link allows."""

    key: str
    content_type: str
    max_size: int


class StorageError(Exception):
    """The storage could not do what was asked."""


class FileTooLarge(StorageError):
    """The stream was longer than the allowed size; nothing was kept."""


class ObjectNotFound(StorageError):
    """No object under that key."""


class InvalidKey(StorageError, ValueError):
    """A key or prefix that could escape the storage root or is not ours."""


class InvalidUpload(StorageError):
    """An upload that does not match its ticket (content type, empty file)."""


class LinkInvalid(StorageError):
    """A signed link that was forged, altered or made for something else."""


class LinkExpired(StorageError):
    """A genuine signed link past its expiry."""


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative key, else raise InvalidKey."""
    # Segments may not start with "." so "..", "." and our temp and metadata names are unreachable.
    if not KEY_PATTERN.fullmatch(key) or any(part.startswith(".") for part in key.split("/")):
        raise InvalidKey(f"Invalid storage key: {key!r}")
    return key


def ticket_key(prefix: str, key: str | None) -> str:
    """``key`` when it is a valid key under ``prefix``, a fresh key when None; InvalidKey otherwise."""
    if key is None:
        return new_key(prefix)
    validate_key(key)
    if not key.startswith(f"{validate_key(prefix)}/"):
        raise InvalidKey(f"Key {key!r} is not under {prefix!r}")
    return key


def organization_prefix(organization_id: int, kind: str) -> str:
    """Where an organization's files of one kind live: ``orgs/<id>/<kind>``."""
    return validate_key(f"orgs/{int(organization_id)}/{kind}")


def new_key(prefix: str) -> str:
    """A fresh unguessable key ``<prefix>/<yyyy>/<mm>/<random>``."""
    validate_key(prefix)
    now = datetime.now(UTC)
    return f"{prefix}/{now:%Y}/{now:%m}/{secrets.token_urlsafe(24)}"


def inline_allowed(content_type: str) -> bool:
    """Whether a type may be shown in the browser (never HTML, SVG or scripts: they could run code)."""
    base = content_type.split(";", 1)[0].strip().lower()
    return base in INLINE_TYPES or base.startswith(INLINE_TYPE_PREFIXES)


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """An RFC 6266 Content-Disposition value with an ASCII fallback and a UTF-8 filename*."""
    name = "".join(ch for ch in filename.replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable())
    name = name.strip() or "download"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9 ._()+-]", "_", ascii_name).strip() or "download"
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


class LimitedReader:
    """A read-only, non-seekable view of a stream that raises FileTooLarge past ``max_size``."""

    def __init__(self, stream: IO[bytes], max_size: int | None) -> None:
        self._stream = stream
        self._max_size = max_size
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes, counting them against the limit."""
        data = self._stream.read(size if size is not None else -1)
        self.size += len(data)
        if self._max_size is not None and self.size > self._max_size:
            raise FileTooLarge(f"File is larger than {self._max_size} bytes")
        return data


class Storage(ABC):
    """Where uploaded files live. Keys are opaque strings chosen by ``save``."""

    url_ttl: int = DEFAULT_URL_TTL

    @abstractmethod
    def save(
        self, stream: IO[bytes], *, prefix: str, content_type: str, max_size: int | None = None
    ) -> StoredObject:
        """Stream ``stream`` to a new random key under ``prefix``; FileTooLarge past ``max_size``."""

    @abstractmethod
    def open(self, key: str) -> AbstractContextManager[BinaryIO]:
        """Open a stored object for streaming reads; ObjectNotFound if absent."""

    @abstractmethod
    def stat(self, key: str) -> StoredObject | None:
        """Size and content type of a stored object, or None if absent."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove an object; removing a missing object is not an error."""

    @abstractmethod
    def download_url(
        self,
        key: str,
        *,
        filename: str,
        content_type: str,
        inline: bool = False,
        expires_in: int | None = None,
    ) -> str:
        """A short-lived link serving the object as ``filename``; inline only for inline_allowed types."""

    @abstractmethod
    def upload_ticket(
        self,
        *,
        prefix: str,
        content_type: str,
        max_size: int,
        expires_in: int | None = None,
        key: str | None = None,
    ) -> UploadTicket:
        """A short-lived permission for a browser to upload one file directly.

        ``key`` (under ``prefix``) renews the permission for an earlier ticket's key, so a retried
        upload replaces what an interrupted one may have left instead of adding a second object.
        """

    supports_multipart: bool = False

    def start_multipart(self, key: str, content_type: str) -> str:
        """Begin a multipart upload at ``key``; its id. Only where ``supports_multipart``."""
        raise StorageError("This storage does not take multipart uploads")

    def multipart_ticket(
        self, key: str, multipart_id: str, *, size: int, part_size: int, expires_in: int | None = None
    ) -> MultipartTicket:
        """Short-lived PUT links for the parts of ``size`` bytes not stored yet."""
        raise StorageError("This storage does not take multipart uploads")

    def complete_multipart(self, key: str, multipart_id: str, *, size: int, max_size: int) -> StoredObject:
        """Join the stored parts into the ``size`` bytes announced.

        FileTooLarge (and the upload aborted) past ``max_size``; InvalidUpload while parts are missing.
        """
        raise StorageError("This storage does not take multipart uploads")

    def abort_multipart(self, key: str, multipart_id: str) -> None:
        """Drop a multipart upload and its parts; an unknown one is not an error."""
        raise StorageError("This storage does not take multipart uploads")

    @abstractmethod
    def check(self) -> None:
        """Raise StorageError if the storage cannot be used right now."""
