# SPDX-License-Identifier: AGPL-3.0-or-later
"""Downloading and deleting one's data from the portal, and the erasure service the retention job shares."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
import urllib3

from app.candidates.privacy import delete_candidate_data
from app.core.extensions import db
from app.core.storage import get_storage
from app.models import (
    Application,
    ApplicationAnswer,
    ApplicationStageChange,
    AuditEvent,
    Candidate,
    CandidateAccessToken,
    CandidateSession,
    DataExport,
    JourneyEvent,
    QuestionKind,
    utcnow,
)
from app.portal.export import purge_expired_exports
from tests.factories import make_organization
from tests.helpers import follow_magic_link, link_in_mail, submit, text_of
from tests.test_applications import apply_path, make_job, make_question, post_application, stored_files
from tests.test_uploads import minimal_pdf

EMAIL = "ada@example.com"
CV = minimal_pdf("Ada Lovelace, analyst")


def setup_org(app) -> dict:
    """An organization with a job that asks one question, and a second job; paths and ids."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        job = make_job(organization, "Robot Whisperer")
        second = make_job(organization, "Painter")
        question = make_question(job, "Favourite robot?", QuestionKind.SHORT_TEXT)
        db.session.commit()
        return {
            "org_slug": organization.slug,
            "org_id": organization.id,
            "path": apply_path(organization.slug, job.slug),
            "second_path": apply_path(organization.slug, second.slug),
            "question": f"q_{question.id}",
        }


def apply(app, path: str, email: str = EMAIL, cv: bytes = CV, **fields) -> None:
    """Send an application from a browser of its own."""
    upload = (io.BytesIO(cv), "Ada's CV.pdf", "application/pdf")
    assert post_application(app.test_client(), path, email=email, cv=upload, **fields).status_code == 302


def enter(app, email: str = EMAIL):
    """A browser signed in to the portal through the newest link mailed to ``email``."""
    client = app.test_client()
    assert follow_magic_link(client, link_in_mail(app, email, "portal/enter/")).status_code == 302
    return client


def rows_of(app, email: str, organization_id: int) -> dict[str, int]:
    """How many rows of each kind belong to the person with ``email`` in one organization."""
    with app.app_context():
        candidate_ids = db.select(Candidate.id).where(
            Candidate.email == email, Candidate.organization_id == organization_id
        )
        application_ids = db.select(Application.id).where(Application.candidate_id.in_(candidate_ids))

        def count(model, column, ids) -> int:
            return db.session.scalar(db.select(db.func.count()).select_from(model).where(column.in_(ids)))

        return {
            "candidates": count(Candidate, Candidate.id, candidate_ids),
            "applications": count(Application, Application.id, application_ids),
            "answers": count(ApplicationAnswer, ApplicationAnswer.application_id, application_ids),
            "stage_changes": count(
                ApplicationStageChange, ApplicationStageChange.application_id, application_ids
            ),
            "links": count(CandidateAccessToken, CandidateAccessToken.candidate_id, candidate_ids),
            "sessions": count(CandidateSession, CandidateSession.candidate_id, candidate_ids),
            "exports": count(DataExport, DataExport.candidate_id, candidate_ids),
        }


def export_zip(client) -> tuple[zipfile.ZipFile, str]:
    """Ask for the data from the portal page and download the zip; returns it and its link."""
    made = submit(client, "/portal/", {}, action="/portal/export")
    assert made.status_code == 302 and made.headers["Location"] == "/portal/export/ready"
    ready = text_of(client.get("/portal/export/ready"))
    [link] = [part.split('"')[0] for part in ready.split('href="')[1:] if part.startswith("/portal/export/")]
    download = client.get(link)
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/zip"
    assert download.headers["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-store"
    return zipfile.ZipFile(io.BytesIO(download.data)), link


def test_the_export_holds_everything_and_the_exact_cv(app):
    ids = setup_org(app)
    apply(app, ids["path"], talent_pool="y", utm_source="newsletter", **{ids["question"]: "R2-D2"})
    client = enter(app)

    archive, link = export_zip(client)
    names = archive.namelist()
    assert "data.json" in names
    [cv_name] = [name for name in names if name.startswith("cv/")]
    assert archive.read(cv_name) == CV
    assert "/" not in cv_name.removeprefix("cv/")

    data = json.loads(archive.read("data.json"))
    assert data["candidate"]["email"] == EMAIL and data["candidate"]["name"] == "Ada Lovelace"
    assert data["organization"]["name"] == "Aurora Robotics"
    assert data["consents"]["privacy_notice_accepted_at"] and data["consents"]["talent_pool_consent_at"]
    [application] = data["applications"]
    assert application["job"]["title"] == "Robot Whisperer"
    assert application["answers"] == [{"question": "Favourite robot?", "answer": "R2-D2"}]
    assert [step["to"] for step in application["stage_history"]] == ["new"]
    assert application["cv"]["file_in_this_archive"] == cv_name
    assert application["cv"]["filename"] == "Ada's CV.pdf"
    assert application["attribution"]["utm_source"] == "newsletter"
    assert application["attribution"]["channel"] == "campaign"
    assert data["portal"]["sign_in_links"][0]["used_at"]

    with app.app_context():
        export = db.session.scalar(db.select(DataExport))
        assert timedelta(hours=23) < export.expires_at - utcnow() <= timedelta(hours=24)
        assert "/exports/" in export.storage_key and export.token_hash not in link
        assert (
            db.session.scalar(
                db.select(db.func.count(JourneyEvent.id)).where(JourneyEvent.type == "data_exported")
            )
            == 1
        )
    assert len(stored_files(app)) == 2  # the CV and the zip


def test_the_download_link_expires_after_24_hours_and_a_new_export_replaces_the_old(app):
    ids = setup_org(app)
    apply(app, ids["path"])
    client = enter(app)
    _, link = export_zip(client)
    assert app.test_client().get(link).status_code == 200  # the link itself is the key, for 24 hours

    with app.app_context():
        # As if the 24 hours had passed.
        db.session.execute(db.update(DataExport).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    gone = client.get(link)
    assert gone.status_code == 410 and "expired" in text_of(gone)
    assert client.get("/portal/export/not-a-real-token").status_code == 404

    _, second = export_zip(client)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(DataExport.id))) == 1
    assert client.get(link).status_code == 404
    assert len(stored_files(app)) == 2  # the old zip was deleted after the commit

    with app.app_context():
        db.session.execute(db.update(DataExport).values(expires_at=utcnow() - timedelta(seconds=1)))
        assert purge_expired_exports() == 1
        db.session.commit()
    assert len(stored_files(app)) == 1 and client.get(second).status_code == 404


def test_deleting_erases_the_person_and_their_files_and_nobody_else(app):
    with app.app_context():  # the same address at another company
        other_org = make_organization(name="Borealis")
        other_job = make_job(other_org, "Welder")
        other_path, other_org_id = apply_path(other_org.slug, other_job.slug), other_org.id
        db.session.commit()
    apply(app, other_path, cv=minimal_pdf("elsewhere"))
    ids = setup_org(app)
    apply(app, ids["path"], email="grace@example.com", cv=minimal_pdf("Grace"))  # another candidate
    apply(app, ids["path"], **{ids["question"]: "R2-D2"})
    apply(app, ids["second_path"], cv=minimal_pdf("second"))  # its mail holds the newest link

    client = enter(app)
    export_zip(client)
    person = rows_of(app, EMAIL, ids["org_id"])
    assert person == {
        "candidates": 1,
        "applications": 2,
        "answers": 1,
        "stage_changes": 2,
        "links": 2,
        "sessions": 1,
        "exports": 1,
    }
    grace, elsewhere = rows_of(app, "grace@example.com", ids["org_id"]), rows_of(app, EMAIL, other_org_id)
    assert len(stored_files(app)) == 5  # 4 CVs and the zip

    page = client.get("/portal/delete")
    assert page.status_code == 200 and "This cannot be undone." in text_of(page)
    refused = submit(client, "/portal/delete", {"confirmation": "yes please"})
    assert refused.status_code == 400 and 'value="yes please"' in text_of(refused)
    assert rows_of(app, EMAIL, ids["org_id"]) == person

    done = submit(client, "/portal/delete", {"confirmation": "delete"})
    assert done.status_code == 302 and done.headers["Location"] == f"/portal/goodbye?org={ids['org_slug']}"
    assert "Your data was deleted" in text_of(client.get(done.headers["Location"]))
    assert client.get("/portal/").headers["Location"] == "/portal/link"

    assert set(rows_of(app, EMAIL, ids["org_id"]).values()) == {0}
    assert rows_of(app, "grace@example.com", ids["org_id"]) == grace
    assert rows_of(app, EMAIL, other_org_id) == elsewhere
    assert sorted(path.read_bytes() for path in stored_files(app)) == sorted(
        [minimal_pdf("Grace"), minimal_pdf("elsewhere")]
    )

    with app.app_context():
        [audit] = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "candidate.deleted")
        ).all()
        assert audit.organization_id == ids["org_id"] and audit.actor_user_id is None
        assert audit.details == {
            "reason": "candidate_request",
            "applications": 2,
            "answers": 1,
            "stage_changes": 2,
            "files": 3,
        }
        serialized = json.dumps(audit.details).lower()
        assert "ada" not in serialized and "example.com" not in serialized
        [event] = db.session.scalars(db.select(JourneyEvent).where(JourneyEvent.type == "data_deleted")).all()
        assert event.organization_id == ids["org_id"] and event.data == {} and event.job_id is None


def test_the_email_address_also_confirms_a_deletion(app):
    ids = setup_org(app)
    apply(app, ids["path"])
    client = enter(app)
    assert submit(client, "/portal/delete", {"confirmation": " Ada@Example.com "}).status_code == 302
    assert set(rows_of(app, EMAIL, ids["org_id"]).values()) == {0}


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_stored_files_go_only_when_the_erasure_commits(app, outcome):
    ids = setup_org(app)
    apply(app, ids["path"])
    with app.app_context():
        candidate = db.session.scalar(db.select(Candidate))
        delete_candidate_data(candidate, reason="retention")
        assert db.session.scalar(db.select(db.func.count(Candidate.id))) == 0  # flushed
        assert len(stored_files(app)) == 1  # not before the commit
        getattr(db.session, outcome)()
    with app.app_context():
        remaining = db.session.scalar(db.select(db.func.count(Candidate.id)))
    assert (remaining, len(stored_files(app))) == ((0, 0) if outcome == "commit" else (1, 1))


@pytest.mark.usefixtures("s3_credentials")
def test_with_s3_the_download_is_a_short_lived_bucket_link_and_erasure_empties_the_bucket(
    request: pytest.FixtureRequest, app_environ: dict[str, str], s3_environ: dict[str, str]
) -> None:
    app_environ.update(s3_environ)
    app = request.getfixturevalue("app")
    ids = setup_org(app)
    apply(app, ids["path"])
    client = enter(app)
    assert submit(client, "/portal/", {}, action="/portal/export").status_code == 302
    ready = text_of(client.get("/portal/export/ready"))
    link = ready.split('href="/portal/export/', 1)[1].split('"', 1)[0]
    redirect = client.get(f"/portal/export/{link}")
    assert redirect.status_code == 302
    assert redirect.headers["Location"].startswith(
        f"{s3_environ['S3_ENDPOINT_URL']}/{s3_environ['S3_BUCKET']}/"
    )
    zipped = urllib3.request("GET", redirect.headers["Location"], retries=False)
    assert zipped.status == 200
    with zipfile.ZipFile(io.BytesIO(zipped.data)) as archive:
        assert [archive.read(name) for name in archive.namelist() if name.startswith("cv/")] == [CV]
    with app.app_context():
        keys = [
            db.session.scalar(db.select(Application.cv_key)),
            db.session.scalar(db.select(DataExport.storage_key)),
        ]

    assert submit(client, "/portal/delete", {"confirmation": "DELETE"}).status_code == 302
    with app.app_context():
        storage = get_storage()
        assert [storage.stat(key) for key in keys] == [None, None]
