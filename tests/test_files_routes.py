# SPDX-License-Identifier: AGPL-3.0-or-later
"""The files blueprint: signed download and upload links served by the app in local mode."""

from __future__ import annotations

import io

import pytest
import urllib3
from flask import Flask
from flask.testing import FlaskClient

from app.core.storage import LocalStorage, S3Storage, StoredObject, file_url, get_storage


def save_file(app: Flask, data: bytes, content_type: str) -> StoredObject:
    """Store a file through the app's storage."""
    with app.app_context():
        return get_storage().save(io.BytesIO(data), prefix="test", content_type=content_type)


def link(app: Flask, key: str, **options: object) -> str:
    """A download link made the way pages make them, inside a request."""
    with app.test_request_context():
        options.setdefault("filename", "Résumé final.pdf")
        options.setdefault("content_type", "application/pdf")
        return get_storage().download_url(key, **options)  # type: ignore[arg-type]


def ticket_url(app: Flask, **options: object) -> str:
    """An upload ticket URL made inside a request."""
    with app.test_request_context():
        options.setdefault("prefix", "uploads")
        options.setdefault("content_type", "application/pdf")
        options.setdefault("max_size", 1000)
        return get_storage().upload_ticket(**options).url  # type: ignore[arg-type]


def upload(client: FlaskClient, url: str, data: bytes, content_type: str = "application/pdf"):
    """POST one file the way a browser form or fetch() does."""
    return client.post(url, data={"file": (io.BytesIO(data), "cv.pdf", content_type)})


def test_download_streams_as_attachment_with_safe_headers(app: Flask, client: FlaskClient) -> None:
    stored = save_file(app, b"%PDF-1.7 body", "application/pdf")
    url = link(app, stored.key)
    assert url.startswith("/files/d/")

    response = client.get(url)
    assert response.status_code == 200
    assert response.data == b"%PDF-1.7 body"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Resume final.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20final.pdf"
    )
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    with app.test_request_context(url):
        served = app.full_dispatch_request()
        assert served.is_streamed and served.direct_passthrough  # a file wrapper, not bytes in memory
        served.close()


def test_inline_download(app: Flask, client: FlaskClient) -> None:
    stored = save_file(app, b"\x89PNG", "image/png")
    response = client.get(link(app, stored.key, filename="logo.png", content_type="image/png", inline=True))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('inline; filename="logo.png"')


@pytest.mark.parametrize("content_type", ["text/html", "image/svg+xml", "application/javascript", "text/xml"])
def test_active_content_is_never_served_inline(app: Flask, client: FlaskClient, content_type: str) -> None:
    stored = save_file(app, b"<script>alert(document.domain)</script>", content_type)
    response = client.get(link(app, stored.key, filename="x", content_type=content_type, inline=True))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_expired_tampered_and_misused_links_are_refused(app: Flask, client: FlaskClient) -> None:
    stored = save_file(app, b"secret", "text/plain")
    good = link(app, stored.key)
    token = good.rsplit("/", 1)[1]
    tampered = good[: -len(token)] + token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")

    assert client.get(link(app, stored.key, expires_in=0)).status_code == 410
    assert client.get(tampered).status_code == 404
    assert client.get("/files/d/" + ticket_url(app).rsplit("/", 1)[1]).status_code == 404
    assert client.get(good).status_code == 200
    with app.app_context():
        get_storage().delete(stored.key)
    assert client.get(good).status_code == 404


def test_upload_ticket_round_trip(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        ticket = get_storage().upload_ticket(prefix="cv", content_type="application/pdf", max_size=1000)
    assert ticket.url.startswith("/files/u/") and ticket.fields == {}

    # CSRF protection stays on in tests: the signed ticket alone authorizes this POST.
    response = upload(client, ticket.url, b"%PDF" + b"x" * 996)
    assert response.status_code == 201
    assert response.get_json() == {"key": ticket.key, "size": 1000, "content_type": "application/pdf"}
    with app.app_context():
        assert get_storage().stat(ticket.key) == StoredObject(ticket.key, 1000, "application/pdf")
        with get_storage().open(ticket.key) as handle:
            assert handle.read() == b"%PDF" + b"x" * 996


def test_upload_refusals_leave_nothing(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        ticket = get_storage().upload_ticket(prefix="cv", content_type="application/pdf", max_size=1000)
    url = ticket.url

    assert upload(client, url, b"x" * 1001).status_code == 413
    assert upload(client, url, b"x" * 200_000).status_code == 413  # cut off while parsing the body
    assert upload(client, url, b"<html>", content_type="text/html").status_code == 400
    assert upload(client, url, b"").status_code == 400
    assert client.post(url, data={"other": "field"}).status_code == 400
    assert upload(client, ticket_url(app, expires_in=0), b"x").status_code == 410
    assert upload(client, url[:-4] + "AAAA", b"x").status_code == 404
    assert upload(client, "/files/u/" + link(app, "cv/2020/01/x").rsplit("/", 1)[1], b"x").status_code == 404
    with app.app_context():
        storage = get_storage()
        assert isinstance(storage, LocalStorage)
        assert storage.stat(ticket.key) is None
        assert [path for path in storage.root.rglob("*") if path.is_file()] == []


@pytest.mark.usefixtures("s3_credentials")
def test_s3_mode_page_links_are_opaque_and_redirect_to_the_bucket(
    request: pytest.FixtureRequest, app_environ: dict[str, str], s3_environ: dict[str, str]
) -> None:
    app_environ.update(s3_environ)
    app: Flask = request.getfixturevalue("app")
    client = app.test_client()
    stored = save_file(app, b"from s3", "text/plain")
    with app.test_request_context():
        assert isinstance(get_storage(), S3Storage)
        url = file_url(stored.key, filename="note.txt", content_type="text/plain")

    # The page holds an opaque app link; only the redirect to a fresh presigned GET names the object.
    assert url.startswith("/files/d/") and stored.key not in url
    redirected = client.get(url)
    assert redirected.status_code == 303
    assert redirected.headers["Cache-Control"] == "private, no-store"
    target = redirected.headers["Location"]
    assert target.startswith(f"{s3_environ['S3_ENDPOINT_URL']}/{s3_environ['S3_BUCKET']}/")
    response = urllib3.request("GET", target, retries=False)
    assert (response.status, response.data) == (200, b"from s3")
    assert client.get(url[:-4] + "AAAA").status_code == 404
    assert client.post("/files/u/anything", data={"file": (io.BytesIO(b"x"), "a.txt")}).status_code == 404


def test_downloads_may_be_framed_by_our_own_pages_only(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        stored = get_storage().save(
            io.BytesIO(b"%PDF-1.4\n%%EOF\n"), prefix="cvs", content_type="application/pdf"
        )
    with app.test_request_context():
        url = get_storage().download_url(
            stored.key, filename="cv.pdf", content_type="application/pdf", inline=True
        )
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "default-src 'none'" in csp
