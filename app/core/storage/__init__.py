# SPDX-License-Identifier: AGPL-3.0-or-later
"""File storage: one interface, a local filesystem backend and an S3 backend.

The database keeps keys, never URLs; links are made on demand and are short-lived.
boto3 is imported only here; S3 clients are created when first needed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from app.core.storage.base import (
    CHUNK_SIZE,
    DEFAULT_URL_TTL,
    DownloadGrant,
    FileTooLarge,
    InvalidKey,
    InvalidUpload,
    LimitedReader,
    LinkExpired,
    LinkInvalid,
    MultipartTicket,
    ObjectNotFound,
    Storage,
    StorageError,
    StoredObject,
    UploadGrant,
    UploadPart,
    UploadTicket,
    content_disposition,
    inline_allowed,
    new_key,
    organization_prefix,
    ticket_key,
    validate_key,
)
from app.core.storage.links import LinkCipher
from app.core.storage.local import LocalStorage, download_link, read_download_token
from app.core.storage.s3 import S3Storage

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_URL_TTL",
    "DownloadGrant",
    "FileTooLarge",
    "InvalidKey",
    "InvalidUpload",
    "LimitedReader",
    "LinkExpired",
    "LinkInvalid",
    "LocalStorage",
    "MultipartTicket",
    "ObjectNotFound",
    "S3Storage",
    "Storage",
    "StorageError",
    "StoredObject",
    "UploadGrant",
    "UploadPart",
    "UploadTicket",
    "build_storage",
    "content_disposition",
    "file_url",
    "get_storage",
    "init_app",
    "inline_allowed",
    "new_key",
    "organization_prefix",
    "read_file_link",
    "ticket_key",
    "validate_key",
]


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
    app.extensions["file_links"] = LinkCipher(app.config["SECRET_KEY"])


def get_storage() -> Storage:
    """The storage backend of the current app."""
    return current_app.extensions["storage"]


def file_url(
    key: str,
    *,
    filename: str,
    content_type: str,
    inline: bool = False,
    expires_in: int | None = None,
) -> str:
    """A short-lived link for a page: an opaque ``/files/d/<token>`` that never shows the key.

    Local storage streams the file from that link; S3 redirects it to a fresh presigned GET, so
    the object key is not written into any page.
    """
    storage = get_storage()
    if isinstance(storage, LocalStorage):
        return storage.download_url(
            key, filename=filename, content_type=content_type, inline=inline, expires_in=expires_in
        )
    ttl = storage.url_ttl if expires_in is None else expires_in
    expires_at = int((time.time() + ttl) * 1000)
    links: LinkCipher = current_app.extensions["file_links"]
    public_url = current_app.config.get("PUBLIC_URL") or ""
    return download_link(links, key, filename, content_type, inline, expires_at, public_url)


def read_file_link(token: str) -> DownloadGrant:
    """What a ``/files/d/<token>`` link allows; LinkInvalid or LinkExpired if it does not hold."""
    return read_download_token(current_app.extensions["file_links"], token)
