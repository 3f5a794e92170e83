"""File storage: one interface, a local filesystem backend and an S3 backend.

The database keeps keys, never URLs; links are made on demand and are short-lived.
boto3 is imported only here; S3 clients are created when first needed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import tempfile
import threading
import time
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.client import BaseClient
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, current_app, has_request_context, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

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

    def __init__(self, stream: BinaryIO, max_size: int | None) -> None:
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
        self, stream: BinaryIO, *, prefix: str, content_type: str, max_size: int | None = None
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
        self, *, prefix: str, content_type: str, max_size: int, expires_in: int | None = None
    ) -> UploadTicket:
        """A short-lived permission for a browser to upload one file directly."""

    @abstractmethod
    def check(self) -> None:
        """Raise StorageError if the storage cannot be used right now."""


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
        self._downloads = URLSafeTimedSerializer(secret_key, salt=DOWNLOAD_SALT)
        self._uploads = URLSafeTimedSerializer(secret_key, salt=UPLOAD_SALT)

    def path_of(self, key: str) -> Path:
        """The file that holds ``key``; ObjectNotFound if there is none."""
        path = self._data_path(key)
        if not path.is_file():
            raise ObjectNotFound(key)
        return path

    def save(
        self, stream: BinaryIO, *, prefix: str, content_type: str, max_size: int | None = None
    ) -> StoredObject:
        """Stream to a temp file beside the target, then rename it into place."""
        return self.save_as(new_key(prefix), stream, content_type=content_type, max_size=max_size)

    def save_as(
        self, key: str, stream: BinaryIO, *, content_type: str, max_size: int | None = None
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
        """A signed ``/files/d/<token>`` link."""
        validate_key(key)
        payload = {
            "k": key,
            "f": filename,
            "t": content_type,
            "i": inline and inline_allowed(content_type),
            "e": self._expiry(expires_in),
        }
        return self._link("files.download", DOWNLOAD_PATH, self._downloads.dumps(payload))

    def upload_ticket(
        self, *, prefix: str, content_type: str, max_size: int, expires_in: int | None = None
    ) -> UploadTicket:
        """A signed ``/files/u/<token>`` link fixing key, content type and maximum size."""
        ttl = self.url_ttl if expires_in is None else expires_in
        key = new_key(prefix)
        payload = {"k": key, "t": content_type, "m": max_size, "e": self._expiry(ttl)}
        url = self._link("files.upload", UPLOAD_PATH, self._uploads.dumps(payload))
        return UploadTicket(url=url, fields={}, key=key, max_size=max_size, expires_in=ttl)

    def read_download_token(self, token: str) -> DownloadGrant:
        """Verify a download token; LinkInvalid or LinkExpired if it does not hold."""
        data = self._verify(self._downloads, token)
        return DownloadGrant(key=data["k"], filename=data["f"], content_type=data["t"], inline=data["i"])

    def read_upload_token(self, token: str) -> UploadGrant:
        """Verify an upload token; LinkInvalid or LinkExpired if it does not hold."""
        data = self._verify(self._uploads, token)
        return UploadGrant(key=data["k"], content_type=data["t"], max_size=data["m"])

    def receive_upload(self, grant: UploadGrant, stream: BinaryIO, content_type: str) -> StoredObject:
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

    def _verify(self, serializer: URLSafeTimedSerializer, token: str) -> dict[str, Any]:
        try:
            data = serializer.loads(token)
        except BadSignature as error:
            raise LinkInvalid("Bad or altered link") from error
        if not isinstance(data, dict) or not isinstance(data.get("e"), int):
            raise LinkInvalid("Malformed link")
        if time.time() * 1000 >= data["e"]:
            raise LinkExpired("Link expired")
        return data

    def _link(self, endpoint: str, path: str, token: str) -> str:
        if has_request_context():
            return url_for(endpoint, token=token)
        return f"{self.public_url}{path}{token}"


class S3Storage(Storage):
    """A private S3 (or S3-compatible) bucket; links are presigned against the public endpoint."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        public_endpoint_url: str | None = None,
        region: str = "us-east-1",
        url_ttl: int = DEFAULT_URL_TTL,
    ) -> None:
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.public_endpoint_url = public_endpoint_url or endpoint_url
        self.region = region
        self.url_ttl = url_ttl
        self._lock = threading.Lock()
        self._clients: dict[str | None, BaseClient] = {}

    @property
    def client(self) -> BaseClient:
        """The client the app itself talks to the bucket with."""
        return self._client_for(self.endpoint_url)

    @property
    def public_client(self) -> BaseClient:
        """The client that signs URLs for browsers (their host is part of the signature)."""
        return self._client_for(self.public_endpoint_url)

    def save(
        self, stream: BinaryIO, *, prefix: str, content_type: str, max_size: int | None = None
    ) -> StoredObject:
        """Stream with upload_fileobj; an over-limit stream aborts before anything is committed."""
        key = new_key(prefix)
        reader = LimitedReader(stream, max_size)
        config = TransferConfig(max_concurrency=4)
        try:
            self.client.upload_fileobj(
                reader, self.bucket, key, ExtraArgs={"ContentType": content_type}, Config=config
            )
        except FileTooLarge:
            self.delete(key)
            raise
        except (BotoCoreError, ClientError) as error:
            raise self._wrap(error) from error
        return StoredObject(key=key, size=reader.size, content_type=content_type)

    @contextlib.contextmanager
    def open(self, key: str) -> Iterator[BinaryIO]:
        """Stream the object body."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=validate_key(key))
        except (BotoCoreError, ClientError) as error:
            raise self._wrap(error, key) from error
        body = response["Body"]
        try:
            yield body
        finally:
            body.close()

    def stat(self, key: str) -> StoredObject | None:
        """HEAD the object."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=validate_key(key))
        except (BotoCoreError, ClientError) as error:
            wrapped = self._wrap(error, key)
            if isinstance(wrapped, ObjectNotFound):
                return None
            raise wrapped from error
        content_type = head.get("ContentType") or "application/octet-stream"
        return StoredObject(key=key, size=head["ContentLength"], content_type=content_type)

    def delete(self, key: str) -> None:
        """DELETE the object (S3 answers success for a missing key)."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=validate_key(key))
        except (BotoCoreError, ClientError) as error:
            wrapped = self._wrap(error, key)
            if not isinstance(wrapped, ObjectNotFound):
                raise wrapped from error

    def download_url(
        self,
        key: str,
        *,
        filename: str,
        content_type: str,
        inline: bool = False,
        expires_in: int | None = None,
    ) -> str:
        """A presigned GET that also fixes the response's type, disposition and caching."""
        params = {
            "Bucket": self.bucket,
            "Key": validate_key(key),
            "ResponseContentDisposition": content_disposition(
                filename, inline=inline and inline_allowed(content_type)
            ),
            "ResponseContentType": content_type,
            "ResponseCacheControl": "private, no-store",
        }
        ttl = self.url_ttl if expires_in is None else expires_in
        return self.public_client.generate_presigned_url("get_object", Params=params, ExpiresIn=ttl)

    def upload_ticket(
        self, *, prefix: str, content_type: str, max_size: int, expires_in: int | None = None
    ) -> UploadTicket:
        """A presigned POST whose policy fixes the key, the content type and the size range."""
        ttl = self.url_ttl if expires_in is None else expires_in
        key = new_key(prefix)
        post = self.public_client.generate_presigned_post(
            self.bucket,
            key,
            Fields={"Content-Type": content_type},
            Conditions=[["content-length-range", 1, max_size], {"Content-Type": content_type}],
            ExpiresIn=ttl,
        )
        return UploadTicket(
            url=post["url"], fields=post["fields"], key=key, max_size=max_size, expires_in=ttl
        )

    def check(self) -> None:
        """HEAD the bucket: proves the endpoint, the credentials and the bucket."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as error:
            raise StorageError(f"S3 bucket {self.bucket!r} is not usable: {error}") from error

    def _client_for(self, endpoint_url: str | None) -> BaseClient:
        # Created on first use: building a client resolves credentials, which may mean network I/O.
        with self._lock:
            if endpoint_url not in self._clients:
                self._clients[endpoint_url] = self._make_client(endpoint_url)
            return self._clients[endpoint_url]

    def _make_client(self, endpoint_url: str | None) -> BaseClient:
        # A short connect timeout keeps check() and requests from hanging on an unreachable endpoint.
        options: dict[str, Any] = {
            "signature_version": "s3v4",
            "connect_timeout": 5,
            "read_timeout": 60,
            "retries": {"mode": "standard", "max_attempts": 3},
        }
        if endpoint_url:
            # S3-compatible servers rarely do virtual-host buckets or the newer default checksums.
            options["s3"] = {"addressing_style": "path"}
            options["request_checksum_calculation"] = "when_required"
            options["response_checksum_validation"] = "when_required"
        else:
            # On AWS, sign for https://<bucket>.s3.<region>.amazonaws.com (the origin the CSP allows),
            # not the legacy global host, which redirects for buckets outside us-east-1.
            options["s3"] = {"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"}
        session = boto3.session.Session()
        return session.client(
            "s3", endpoint_url=endpoint_url, region_name=self.region, config=BotoConfig(**options)
        )

    @staticmethod
    def _wrap(error: BotoCoreError | ClientError, key: str | None = None) -> StorageError:
        if isinstance(error, ClientError):
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in {"404", "NoSuchKey", "NotFound"}:
                return ObjectNotFound(key or "")
            return StorageError(f"S3 refused the request: {code or error}")
        return StorageError(f"S3 is unreachable: {error}")


def build_storage(config: Mapping[str, Any]) -> Storage:
    """Build the backend named by STORAGE_BACKEND from the app configuration."""
    backend = (config.get("STORAGE_BACKEND") or "local").lower()
    ttl = int(config.get("STORAGE_URL_TTL") or DEFAULT_URL_TTL)
    if backend == "local":
        return LocalStorage(
            config["STORAGE_LOCAL_PATH"],
            secret_key=config["SECRET_KEY"],
            url_ttl=ttl,
            public_url=config.get("PUBLIC_URL") or "",
        )
    if backend == "s3":
        return S3Storage(
            config["S3_BUCKET"],
            endpoint_url=config.get("S3_ENDPOINT_URL") or None,
            public_endpoint_url=config.get("S3_PUBLIC_ENDPOINT_URL") or None,
            region=config.get("S3_REGION") or "us-east-1",
            url_ttl=ttl,
        )
    raise StorageError(f"Unknown STORAGE_BACKEND {backend!r}: use 'local' or 's3'.")


def init_app(app: Flask) -> None:
    """Attach the configured storage backend to the app (no network I/O here)."""
    app.extensions["storage"] = build_storage(app.config)


def get_storage() -> Storage:
    """The storage backend of the current app."""
    return current_app.extensions["storage"]
