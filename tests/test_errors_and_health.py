# SPDX-License-Identifier: AGPL-3.0-or-later
"""Error pages in HTML and JSON, the 500 handler's rollback, and /healthz."""

from __future__ import annotations

import pytest

from app.core.extensions import db
from app.models import Organization
from tests.factories import make_organization
from tests.helpers import text_of


def test_404_as_html_and_json(client):
    html = client.get("/no/such/page")
    assert html.status_code == 404
    assert "text/html" in html.content_type and "Page not found" in text_of(html)
    api = client.get("/api/v1/nothing")
    assert api.status_code == 404
    assert api.json["error"]["status"] == 404
    asked = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert asked.json["error"]["title"] == "Page not found"


def test_405_says_which_methods_work(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_413_for_oversized_bodies(app_environ):
    from app import create_app
    from config import TestingConfig

    app = create_app(TestingConfig({**app_environ, "MAX_CONTENT_LENGTH": "1024"}))
    response = app.test_client().post("/login", data={"email": "a" * 5000})
    assert response.status_code == 413
    assert "larger than allowed" in text_of(response)


@pytest.mark.fresh_app
def test_500_rolls_back_and_hides_the_stack_trace(app, client):
    def explode():
        db.session.add(Organization(name="Half-written", slug="half-written"))
        db.session.flush()
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/explode", "explode", explode)
    response = client.get("/explode")
    assert response.status_code == 500
    body = text_of(response)
    assert "Something went wrong" in body
    assert "secret internal detail" not in body and "Traceback" not in body
    with app.app_context():
        assert db.session.scalar(db.select(Organization).where(Organization.slug == "half-written")) is None
    api = client.get("/explode", headers={"Accept": "application/json"})
    assert api.status_code == 500 and api.json["error"]["status"] == 500


@pytest.mark.parametrize("status", [400, 403, 409, 410, 429])
@pytest.mark.fresh_app
def test_every_handled_status_has_a_page(app, client, status):
    from flask import abort

    app.add_url_rule(f"/abort/{status}", f"abort_{status}", lambda: abort(status))
    response = client.get(f"/abort/{status}")
    assert response.status_code == status
    assert f'<p class="error-status">{status}</p>' in text_of(response)


def test_healthz_reports_database_and_storage(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["checks"] == {
        "database": "ok",
        "storage": "ok",
        "queue": "ok",
        "outbox": "ok",
        "consumer": "ok",
    }
    assert response.json["failing"] == [] and response.json["storage_backend"] == "local"
    assert client.get("/livez").json == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_healthz_fails_when_storage_is_unusable(app_environ, tmp_path):
    from app import create_app
    from config import TestingConfig

    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the upload folder should be")
    app = create_app(TestingConfig({**app_environ, "STORAGE_LOCAL_PATH": str(blocker)}))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["storage"] == "error" and response.json["checks"]["database"] == "ok"
    assert response.json["failing"] == ["storage"]


def test_healthz_fails_when_the_database_is_unreachable(app_environ, tmp_path):
    from app import create_app
    from config import TestingConfig

    app = create_app(TestingConfig({**app_environ, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/x.db"}))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "error"


def test_unknown_logo_is_404(app, client):
    with app.app_context():
        make_organization(slug="nologo")
        db.session.commit()
    assert client.get("/brand/nologo/logo").status_code == 404
    assert client.get("/brand/unknown-org/logo").status_code == 404
