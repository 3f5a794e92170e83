# SPDX-License-Identifier: AGPL-3.0-or-later
"""Any S3-compatible store through boto3 (the only module that imports it)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import IO, Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.client import BaseClient
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from app.core.storage.base import (
    DEFAULT_URL_TTL,
    FileTooLarge,
    InvalidUpload,
    LimitedReader,
    MultipartTicket,
    ObjectNotFound,
    Storage,
    StorageError,
    StoredObject,
    UploadPart,
    UploadTicket,
    content_disposition,
    inline_allowed,
    new_key,
    ticket_key,
    validate_key,
)


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
        self, stream: IO[bytes], *, prefix: str, content_type: str, max_size: int | None = None
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
        self,
        *,
        prefix: str,
        content_type: str,
        max_size: int,
        expires_in: int | None = None,
        key: str | None = None,
    ) -> UploadTicket:
        """A presigned POST whose policy fixes the key, the content type and the size range."""
        ttl = self.url_ttl if expires_in is None else expires_in
        key = ticket_key(prefix, key)
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

    supports_multipart = True

    def start_multipart(self, key: str, content_type: str) -> str:
        """CreateMultipartUpload at ``key`` with its content type; the upload id."""
        try:
            created = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=validate_key(key), ContentType=content_type
            )
        except (BotoCoreError, ClientError) as error:
            raise self._wrap(error, key) from error
        return created["UploadId"]

    def multipart_ticket(
        self, key: str, multipart_id: str, *, size: int, part_size: int, expires_in: int | None = None
    ) -> MultipartTicket:
        """Presigned UploadPart links for the parts S3 does not hold yet (a retry resends only those)."""
        ttl = self.url_ttl if expires_in is None else expires_in
        stored = {part["PartNumber"]: part["Size"] for part in self._parts(key, multipart_id)}
        parts = []
        for number, start in enumerate(range(0, max(size, 1), part_size), start=1):
            end = min(start + part_size, size)
            if stored.get(number) == end - start:
                continue
            params = {"Bucket": self.bucket, "Key": key, "UploadId": multipart_id, "PartNumber": number}
            url = self.public_client.generate_presigned_url("upload_part", Params=params, ExpiresIn=ttl)
            parts.append(UploadPart(number=number, url=url, start=start, end=end))
        return MultipartTicket(
            key=key, multipart_id=multipart_id, size=size, part_size=part_size, parts=parts, expires_in=ttl
        )

    def complete_multipart(self, key: str, multipart_id: str, *, size: int, max_size: int) -> StoredObject:
        """CompleteMultipartUpload with the parts S3 lists (never the browser's word for them)."""
        parts = self._parts(key, multipart_id)
        total = sum(part["Size"] for part in parts)
        if total > max_size:
            self.abort_multipart(key, multipart_id)
            raise FileTooLarge(f"Multipart upload of {total} bytes; the limit is {max_size}")
        if not parts or total != size:
            raise InvalidUpload(f"Multipart upload holds {total} of {size} bytes")
        try:
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=multipart_id,
                MultipartUpload={
                    "Parts": [{"PartNumber": part["PartNumber"], "ETag": part["ETag"]} for part in parts]
                },
            )
        except (BotoCoreError, ClientError) as error:
            raise self._wrap(error, key) from error
        stored = self.stat(key)
        if stored is None:
            raise ObjectNotFound(key)
        return stored

    def abort_multipart(self, key: str, multipart_id: str) -> None:
        """AbortMultipartUpload; an upload that is already gone is fine."""
        try:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=validate_key(key), UploadId=multipart_id
            )
        except (BotoCoreError, ClientError) as error:
            code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
            if code not in {"NoSuchUpload", "404", "NotFound"}:
                raise self._wrap(error, key) from error

    def _parts(self, key: str, multipart_id: str) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        try:
            paginator = self.client.get_paginator("list_parts")
            for page in paginator.paginate(Bucket=self.bucket, Key=validate_key(key), UploadId=multipart_id):
                parts += page.get("Parts", [])
        except (BotoCoreError, ClientError) as error:
            raise self._wrap(error, key) from error
        return sorted(parts, key=lambda part: part["PartNumber"])

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
