# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fifty identical submissions at the same moment, over real HTTP: one application, no 500."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.core.extensions import db
from app.models import Application, Candidate
from tests.test_applications import counts, published_job
from tests.test_uploads import minimal_pdf

WORKERS = 50
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def app_environ(app_environ):
    """Rate limiting off: fifty posts from one address are the point of this test."""
    app_environ["RATELIMIT_ENABLED"] = "false"
    return app_environ


def multipart(fields: dict[str, str], file_field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body, as a browser sends it."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def apply_once(url: str, barrier: threading.Barrier) -> int:
    """One browser: open the form with its own cookies, wait for the others, then send it."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(url, timeout=60) as response:
        token = CSRF.search(response.read().decode()).group(1)
    body, content_type = multipart(
        {"csrf_token": token, "name": "Ada Lovelace", "email": "ada@example.com", "privacy": "y"},
        "cv",
        "cv.pdf",
        minimal_pdf(),
    )
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
    barrier.wait(timeout=60)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_fifty_simultaneous_submissions_make_one_application(app, live_server):
    path, _ = published_job(app)
    barrier = threading.Barrier(WORKERS)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(lambda _: apply_once(live_server.url + path, barrier), range(WORKERS)))

    # Everyone gets the thank-you page (urllib follows the redirect): a repeat looks like a new application.
    assert set(statuses) == {200}, statuses
    assert counts(app) == (1, 1, 1)  # one application, one candidate, and only its CV is kept
    with app.app_context():
        assert db.session.scalar(db.select(Candidate.email)) == "ada@example.com"
        assert db.session.scalar(db.select(Application.cv_key)) is not None
