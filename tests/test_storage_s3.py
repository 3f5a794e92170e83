# SPDX-License-Identifier: AGPL-3.0-or-later
"""S3Storage against a real SeaweedFS server: what the server itself refuses, not what we hope it does."""

from __future__ import annotations

import base64
import io
import json
import re
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import urllib3

from app.core.storage import (
    FileTooLarge,
    InvalidUpload,
    ObjectNotFound,
    S3Storage,
    StorageError,
    UploadTicket,
)
from tests.fixtures.s3 import S3Server
from tests.test_storage_local import EndlessStream

MB = 1024 * 1024


@pytest.fixture
def storage(s3_server: S3Server, s3_bucket: str, s3_credentials: None) -> S3Storage:
    """An S3Storage on its own bucket, credentials from the environment as in production."""
    return S3Storage(s3_bucket, endpoint_url=s3_server.endpoint_url, region=s3_server.region)


def fetch(url: str) -> urllib3.BaseHTTPResponse:
    """GET a URL over loopback without following redirects."""
    return urllib3.request("GET", url, redirect=False, retries=False)


def post_ticket(
    ticket: UploadTicket, data: bytes, content_type: str, **overrides: str
) -> urllib3.BaseHTTPResponse:
    """POST a multipart form the way a browser does: the ticket's fields, then the file."""
    fields: dict[str, str | tuple[str, bytes, str]] = {**ticket.fields, **overrides}
    fields["file"] = ("upload.bin", data, content_type)
    return urllib3.request("POST", ticket.url, fields=fields, retries=False)


def with_query(url: str, **changes: str) -> str:
    """The same URL with some query parameters replaced."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def error_code(response: urllib3.BaseHTTPResponse) -> str:
    """The S3 error code from an XML error body."""
    match = re.search(r"<Code>([^<]+)</Code>", response.data.decode(errors="replace"))
    return match.group(1) if match else ""


def test_round_trip(storage: S3Storage) -> None:
    data = bytes(range(256)) * 4000
    stored = storage.save(io.BytesIO(data), prefix="cv", content_type="application/pdf", max_size=2 * MB)

    assert re.fullmatch(r"cv/\d{4}/\d{2}/[A-Za-z0-9_-]{32}", stored.key)
    assert storage.stat(stored.key) == stored
    assert (stored.size, stored.content_type) == (len(data), "application/pdf")
    with storage.open(stored.key) as body:
        assert body.read() == data

    storage.delete(stored.key)
    storage.delete(stored.key)
    assert storage.stat(stored.key) is None
    with pytest.raises(ObjectNotFound), storage.open(stored.key):
        pass


def test_small_over_limit_save_sends_nothing(storage: S3Storage) -> None:
    with pytest.raises(FileTooLarge):
        storage.save(io.BytesIO(b"x" * 5000), prefix="cv", content_type="text/plain", max_size=4999)
    assert storage.client.list_objects_v2(Bucket=storage.bucket).get("KeyCount") == 0


def test_streaming_multipart_save_over_limit_is_aborted(storage: S3Storage) -> None:
    stream = EndlessStream()  # never ends: only the limit stops the upload
    with pytest.raises(FileTooLarge):
        storage.save(stream, prefix="cv", content_type="video/mp4", max_size=9 * MB)  # type: ignore[arg-type]
    assert stream.consumed < 30 * MB
    assert storage.client.list_objects_v2(Bucket=storage.bucket).get("KeyCount") == 0
    assert storage.client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", []) == []


def test_presigned_get_serves_with_disposition_and_type(storage: S3Storage) -> None:
    stored = storage.save(io.BytesIO(b"%PDF-1.7 hello"), prefix="cv", content_type="application/pdf")

    response = fetch(storage.download_url(stored.key, filename="Résumé.pdf", content_type="application/pdf"))
    assert response.status == 200
    assert response.data == b"%PDF-1.7 hello"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Resume.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf"
    )
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"

    inline = fetch(storage.download_url(stored.key, filename="a.pdf", content_type="text/plain", inline=True))
    assert inline.status == 200
    assert inline.headers["Content-Disposition"].startswith('inline; filename="a.pdf"')
    assert inline.headers["Content-Type"] == "text/plain"

    html = fetch(storage.download_url(stored.key, filename="a.html", content_type="text/html", inline=True))
    assert html.headers["Content-Disposition"].startswith('attachment; filename="a.html"')


def test_server_refuses_unsigned_and_tampered_gets(storage: S3Storage, s3_server: S3Server) -> None:
    stored = storage.save(io.BytesIO(b"secret"), prefix="cv", content_type="text/plain")
    url = storage.download_url(stored.key, filename="a.txt", content_type="text/plain")
    signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
    forged = ("0" if signature[0] != "0" else "1") + signature[1:]
    other = storage.save(io.BytesIO(b"other"), prefix="cv", content_type="text/plain")

    assert fetch(url).status == 200
    assert fetch(f"{s3_server.endpoint_url}/{storage.bucket}/{stored.key}").status == 403
    tampered = fetch(with_query(url, **{"X-Amz-Signature": forged}))
    assert (tampered.status, error_code(tampered)) == (403, "SignatureDoesNotMatch")
    # The response overrides are signed too: nobody can turn an attachment into inline HTML.
    inline = with_query(
        url, **{"response-content-disposition": "inline", "response-content-type": "text/html"}
    )
    assert fetch(inline).status == 403
    # A signature is bound to its key.
    assert fetch(url.replace(stored.key, other.key)).status == 403


def test_presigned_post_within_limits_is_stored(storage: S3Storage) -> None:
    ticket = storage.upload_ticket(prefix="photos", content_type="image/png", max_size=1000)
    assert ticket.fields["key"] == ticket.key and ticket.key.startswith("photos/")
    assert "acl" not in {name.lower() for name in ticket.fields}

    response = post_ticket(ticket, b"p" * 1000, "image/png")
    assert response.status == 204, response.data
    stored = storage.stat(ticket.key)
    assert stored is not None and (stored.size, stored.content_type) == (1000, "image/png")


def test_a_renewed_post_keeps_its_key_and_a_retry_overwrites(storage: S3Storage) -> None:
    first = storage.upload_ticket(prefix="answers/7", content_type="video/webm", max_size=1000)
    again = storage.upload_ticket(prefix="answers/7", content_type="video/webm", max_size=1000, key=first.key)
    assert again.key == first.key == again.fields["key"]
    assert post_ticket(first, b"a" * 10, "video/webm").status == 204
    assert post_ticket(again, b"b" * 20, "video/webm").status == 204
    listed = storage.client.list_objects_v2(Bucket=storage.bucket)
    assert [item["Key"] for item in listed["Contents"]] == [first.key]
    assert storage.stat(first.key).size == 20


def put_parts(parts, data: bytes) -> None:
    """PUT each part's bytes to its presigned link, as the browser does."""
    for part in parts:
        response = urllib3.request("PUT", part.url, body=data[part.start : part.end], retries=False)
        assert response.status == 200, response.data


def test_a_multipart_upload_resends_only_missing_parts_and_is_completed_by_the_server(
    storage: S3Storage,
) -> None:
    size = 5 * MB + 1000
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    key = "answers/1/2026/01/large"
    multipart_id = storage.start_multipart(key, "video/webm")
    ticket = storage.multipart_ticket(key, multipart_id, size=size, part_size=5 * MB, expires_in=60)
    assert [(part.number, part.start, part.end) for part in ticket.parts] == [
        (1, 0, 5 * MB),
        (2, 5 * MB, size),
    ]
    put_parts(ticket.parts[:1], data)  # the connection dropped after the first part

    renewed = storage.multipart_ticket(key, multipart_id, size=size, part_size=5 * MB)
    assert [part.number for part in renewed.parts] == [2]
    with pytest.raises(InvalidUpload):  # a part is missing: nothing is joined yet
        storage.complete_multipart(key, multipart_id, size=size, max_size=size)
    put_parts(renewed.parts, data)
    stored = storage.complete_multipart(key, multipart_id, size=size, max_size=size)
    assert (stored.key, stored.size, stored.content_type) == (key, size, "video/webm")
    with storage.open(key) as body:
        assert body.read() == data
    assert storage.client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", []) == []


def test_a_multipart_upload_over_the_limit_is_aborted_and_leaves_nothing(storage: S3Storage) -> None:
    size = 5 * MB + 10
    key = "answers/1/2026/01/too-large"
    multipart_id = storage.start_multipart(key, "video/webm")
    put_parts(storage.multipart_ticket(key, multipart_id, size=size, part_size=5 * MB).parts, b"v" * size)
    with pytest.raises(FileTooLarge):
        storage.complete_multipart(key, multipart_id, size=size, max_size=size - 1)
    assert storage.stat(key) is None
    assert storage.client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", []) == []
    storage.abort_multipart(key, multipart_id)  # again: already gone, not an error


def test_bucket_cors_rules_admit_only_the_apps_origin(storage: S3Storage, s3_server: S3Server) -> None:
    stored = storage.save(io.BytesIO(b"WEBVTT\n"), prefix="captions", content_type="text/vtt")
    s3_server.allow_browser_origin(storage.bucket, "http://127.0.0.1:5000")
    url = storage.download_url(stored.key, filename="c.vtt", content_type="text/vtt", inline=True)

    def get_from(origin: str) -> urllib3.BaseHTTPResponse:
        return urllib3.request("GET", url, headers={"Origin": origin}, retries=False)

    allowed = get_from("http://127.0.0.1:5000")
    assert allowed.status == 200 and allowed.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:5000"
    assert get_from("http://evil.example").headers.get("Access-Control-Allow-Origin") is None


def test_server_enforces_the_post_size_range(storage: S3Storage) -> None:
    ticket = storage.upload_ticket(prefix="photos", content_type="image/png", max_size=1000)

    too_large = post_ticket(ticket, b"p" * 1001, "image/png")
    assert (too_large.status, error_code(too_large)) == (400, "EntityTooLarge")
    empty = post_ticket(ticket, b"", "image/png")
    assert (empty.status, error_code(empty)) == (400, "EntityTooSmall")
    assert storage.stat(ticket.key) is None


def test_server_enforces_the_post_content_type(storage: S3Storage) -> None:
    ticket = storage.upload_ticket(prefix="photos", content_type="image/png", max_size=1000)

    response = post_ticket(ticket, b"<script>", "text/html", **{"Content-Type": "text/html"})
    assert response.status == 403
    assert "Policy Condition failed" in response.data.decode()
    assert storage.stat(ticket.key) is None


def test_server_refuses_tampered_post_policies(storage: S3Storage) -> None:
    ticket = storage.upload_ticket(prefix="photos", content_type="image/png", max_size=1000)
    policy = json.loads(base64.b64decode(ticket.fields["policy"]))
    for condition in policy["conditions"]:
        if isinstance(condition, list) and condition[0] == "content-length-range":
            condition[2] = 10 * MB
    widened = base64.b64encode(json.dumps(policy).encode()).decode()
    signature = ticket.fields["x-amz-signature"]
    forged = ("0" if signature[0] != "0" else "1") + signature[1:]

    bigger = post_ticket(ticket, b"p" * 2000, "image/png", policy=widened)
    assert (bigger.status, error_code(bigger)) == (403, "SignatureDoesNotMatch")
    resigned = post_ticket(ticket, b"p" * 10, "image/png", **{"x-amz-signature": forged})
    assert (resigned.status, error_code(resigned)) == (403, "SignatureDoesNotMatch")
    elsewhere = post_ticket(ticket, b"p" * 10, "image/png", key="photos/chosen-by-attacker")
    assert elsewhere.status == 403
    assert storage.stat(ticket.key) is None
    assert storage.stat("photos/chosen-by-attacker") is None


def test_extra_form_fields_cannot_make_an_upload_public(storage: S3Storage, s3_server: S3Server) -> None:
    ticket = storage.upload_ticket(prefix="photos", content_type="image/png", max_size=1000)

    metadata = post_ticket(ticket, b"p", "image/png", **{"x-amz-meta-owner": "attacker"})
    assert metadata.status == 403 and "Extra input fields" in metadata.data.decode()
    # AWS refuses an unlisted acl field too; SeaweedFS accepts the upload but ignores the ACL.
    public = post_ticket(ticket, b"p", "image/png", acl="public-read")
    assert public.status in {204, 403}
    assert fetch(f"{s3_server.endpoint_url}/{storage.bucket}/{ticket.key}").status == 403


def test_server_refuses_expired_links(storage: S3Storage) -> None:
    stored = storage.save(io.BytesIO(b"x"), prefix="cv", content_type="text/plain")
    url = storage.download_url(stored.key, filename="a.txt", content_type="text/plain", expires_in=1)
    ticket = storage.upload_ticket(prefix="photos", content_type="image/png", max_size=10, expires_in=1)
    assert fetch(url).status == 200
    assert post_ticket(ticket, b"first", "image/png").status == 204

    time.sleep(2.2)  # SigV4 dates have one-second resolution

    expired_get = fetch(url)
    assert expired_get.status == 403 and "expired" in expired_get.data.decode().lower()
    expired_post = post_ticket(ticket, b"second", "image/png")
    assert expired_post.status == 403 and "expired" in expired_post.data.decode().lower()
    with storage.open(ticket.key) as body:
        assert body.read() == b"first"


def test_browser_links_are_signed_for_the_public_endpoint(
    s3_server: S3Server, s3_bucket: str, s3_credentials: None
) -> None:
    public = s3_server.endpoint_url.replace("127.0.0.1", "localhost")
    storage = S3Storage(
        s3_bucket, endpoint_url=s3_server.endpoint_url, public_endpoint_url=public, region=s3_server.region
    )
    stored = storage.save(io.BytesIO(b"hi"), prefix="cv", content_type="text/plain")
    url = storage.download_url(stored.key, filename="a.txt", content_type="text/plain")
    ticket = storage.upload_ticket(prefix="cv", content_type="text/plain", max_size=10)

    assert url.startswith(f"{public}/{s3_bucket}/") and ticket.url == f"{public}/{s3_bucket}"
    assert fetch(url).status == 200
    # The host is part of the signature, so the same URL via the internal name is refused.
    assert fetch(url.replace(public, s3_server.endpoint_url)).status == 403
    assert post_ticket(ticket, b"hello", "text/plain").status == 204


def test_check(storage: S3Storage, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    storage.check()
    with pytest.raises(StorageError):
        S3Storage("no-such-bucket", endpoint_url=s3_server.endpoint_url).check()
    with pytest.raises(StorageError):
        S3Storage(storage.bucket, endpoint_url="http://127.0.0.1:9").check()
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret")
    with pytest.raises(StorageError, match=r"SignatureDoesNotMatch|AccessDenied|403"):
        S3Storage(storage.bucket, endpoint_url=s3_server.endpoint_url).check()


def test_aws_links_use_the_regional_virtual_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a custom endpoint, links name the origin the CSP allows (no network: signing is local)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for region in ("us-east-1", "eu-west-1"):
        storage = S3Storage("my-bucket", region=region)
        origin = f"https://my-bucket.s3.{region}.amazonaws.com/"
        assert storage.download_url("cv/x", filename="a", content_type="text/plain").startswith(origin)
        ticket = storage.upload_ticket(prefix="cv", content_type="text/plain", max_size=10)
        assert ticket.url == origin
        assert "acl" not in ticket.fields
