# SPDX-License-Identifier: AGPL-3.0-or-later
"""Dependencies that fail: the rate-limit store, the job queue; answers stay useful and honest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask

from app.core.extensions import db
from app.models import OutboxMessage, Role
from tests.factories import PASSWORD, make_organization, make_user
from tests.fixtures.redis_server import RedisServer, free_port
from tests.helpers import login, text_of
from tests.test_applications import post_application, published_job
from tests.test_outbox import queued  # noqa: F401 (fixture)

EMBED = "/embed/v1"


def test_applying_and_signing_in_work_while_the_rate_limit_store_is_down(
    app_environ: dict[str, str], request
) -> None:
    app_environ["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app: Flask = request.getfixturevalue("app")
    path, _ = published_job(app)
    with app.app_context():
        organization = make_organization()
        user = make_user(organization, role=Role.RECRUITER)
        db.session.commit()
        email = user.email
    client = app.test_client()

    response = post_application(client, path)
    assert response.status_code == 302, text_of(response)
    job_page = path.rsplit("/apply", 1)[0]
    org_slug, job_slug = job_page.split("/")[2], job_page.split("/")[4]
    for public in (
        job_page,
        f"/careers/{org_slug}",
        f"/api/v1/public/orgs/{org_slug}/jobs",
        f"/api/v1/public/orgs/{org_slug}/jobs/{job_slug}",
        f"{EMBED}/frame/{org_slug}",
    ):
        assert client.get(public).status_code == 200, public

    failed = login(client, email, password=PASSWORD + "-wrong")
    assert failed.status_code < 500
    signed_in = login(client, email)
    assert signed_in.status_code == 302
    assert client.get("/app/").status_code == 200


def test_healthz_names_the_queue_while_it_is_down(
    app: Flask,
    redis_server: RedisServer,
    queued: Callable[[str], Flask],  # noqa: F811
) -> None:
    app = queued(redis_server.url)
    client = app.test_client()
    with app.app_context():
        from app.core import outbox

        outbox.record_heartbeat("test-consumer")
    assert client.get("/healthz").status_code == 200

    redis_server.stop()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "queue" in response.json["failing"]
    assert response.json["checks"]["database"] == "ok"
    assert client.get("/livez").status_code == 200

    redis_server.start()
    assert client.get("/healthz").status_code == 200


def test_healthz_names_a_missing_consumer(app: Flask, queued: Callable[[str], Flask]) -> None:  # noqa: F811
    app = queued("")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["failing"] == ["consumer"]


def test_a_database_outage_answers_503_with_retry_after_not_500(
    app_environ: dict[str, str], tmp_path
) -> None:
    from app import create_app
    from config import TestingConfig

    app = create_app(TestingConfig({**app_environ, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/x.db"}))
    client = app.test_client()
    page = client.get("/careers/acme")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    assert "Nothing you already sent was lost" in text_of(page)
    api = client.get("/api/v1/public/orgs/acme/jobs")
    assert api.status_code == 503 and api.json["error"]["status"] == 503
    assert client.get("/livez").status_code == 200


def test_applying_while_storage_is_down_answers_503_and_keeps_what_was_typed(
    app_environ: dict[str, str], tmp_path, request
) -> None:
    app: Flask = request.getfixturevalue("app")
    path, _ = published_job(app)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the upload folder should be")
    app.config["STORAGE_LOCAL_PATH"] = str(blocker)
    from app.core import storage

    storage.init_app(app)  # the storage now fails to write, as a lost mount would
    client = app.test_client()

    response = post_application(client, path, name="Grace Hopper", cover_note="Compilers, mostly.")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 30  # Flask-Limiter may raise it to its window
    page = text_of(response)
    assert "We could not save your application just now." in page
    assert "choose your CV file again" in page
    assert 'value="Grace Hopper"' in page and "Compilers, mostly." in page
    with app.app_context():
        from app.models import Application

        assert db.session.scalars(db.select(Application)).all() == []
        assert db.session.scalars(db.select(OutboxMessage)).all() == []  # no confirmation for nothing


def test_a_cv_stored_for_an_application_that_never_committed_is_swept(app: Flask) -> None:
    from app.core.orphans import sweep_orphan_files
    from app.models import PendingFile
    from tests.test_applications import stored_files

    path, _ = published_job(app)
    client = app.test_client()
    assert post_application(client, path, email="kept@example.com").status_code == 302
    with app.app_context():
        assert db.session.scalars(db.select(PendingFile)).all() == []  # adopted with its row
    [kept] = stored_files(app)

    # A crash mid-apply: the CV is stored, the transaction never commits.
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with app.app_context():
        from app.applications import services
        from app.applications.uploads import inspect_cv
        from app.models import Job
        from tests.test_uploads import minimal_pdf

        job = db.session.scalar(db.select(Job))
        services.submit_application(
            job.organization,
            job,
            services.ApplicantDetails(
                name="Crash", email="crash@example.com", phone="", location="", linkedin_url=None,
                portfolio_url=None, cover_note="", talent_pool_consent=False, language="en",
            ),
            questions=[],
            answers={},
            document=inspect_cv("cv.pdf", minimal_pdf()),
            attribution=services.attribution_from_first_touch({}),
        )  # fmt: skip
        db.session.rollback()  # the process died before the commit
    assert len(stored_files(app)) == 2

    with app.app_context():
        assert sweep_orphan_files() == 0  # within the grace period
        assert sweep_orphan_files(grace=timedelta(0)) == 1
    assert stored_files(app) == [kept]
