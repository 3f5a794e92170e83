# SPDX-License-Identifier: AGPL-3.0-or-later
"""AGPL-3.0 section 13: every page links to the running source, which /source hands out."""

from __future__ import annotations

import io
import tarfile

import pytest

from config import BASE_DIR
from tests.helpers import text_of

pytestmark = pytest.mark.single_database


def test_pages_link_to_the_source_and_it_downloads_as_the_running_files(app, client):
    assert 'href="http://localhost/source"' in text_of(client.get("/login"))

    response = app.test_client().get("/source")  # a first-time visitor: no cookie comes back

    assert response.status_code == 200 and response.mimetype == "application/gzip"
    with tarfile.open(fileobj=io.BytesIO(response.data), mode="r:gz") as archive:
        names = set(archive.getnames())
        assert (
            archive.extractfile("openround/app/__init__.py").read()
            == (BASE_DIR / "app/__init__.py").read_bytes()
        )
    assert {"openround/LICENSE", "openround/config.py", "openround/migrations/env.py"} <= names
    assert not [
        name for name in names if "/.venv/" in name or "/instance/" in name or name.endswith((".pyc", ".mo"))
    ]
    assert "Set-Cookie" not in response.headers


def test_an_operator_running_a_modified_version_points_the_link_at_their_source(app_environ):
    from app import create_app
    from config import TestingConfig

    app = create_app(
        TestingConfig({**app_environ, "SOURCE_CODE_URL": "https://git.example.org/acme/openround"})
    )
    assert 'href="https://git.example.org/acme/openround"' in text_of(app.test_client().get("/login"))
