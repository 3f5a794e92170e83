# SPDX-License-Identifier: AGPL-3.0-or-later
"""Team photos and the pitch video: content checks, the upload ticket flow, old files removed."""

from __future__ import annotations

import io
from pathlib import Path

from app.core.extensions import db
from app.core.storage import get_storage
from app.models import AuditEvent, Job, JobPhoto, Role
from app.postings.services import JobData, LocationData, create_job
from tests.factories import make_organization, make_user
from tests.helpers import csrf_token, login, submit, text_of
from tests.test_admin import tiny_png


def _setup(app) -> dict[str, int]:
    with app.app_context():
        organization = make_organization(name="Aurora")
        recruiter = make_user(organization, Role.RECRUITER, email="rita@example.com")
        manager = make_user(organization, Role.MANAGER, email="marta@example.com")
        make_user(organization, Role.MANAGER, email="other-manager@example.com")
        job = create_job(
            recruiter,
            JobData(
                title="Engineer", locations=[LocationData("Milan", "", "IT")], hiring_manager_id=manager.id
            ),
        )
        stranger = make_user(make_organization(), Role.ADMIN, email="sam@other.example.com")
        db.session.commit()
        return {"job": job.id, "manager": manager.id, "stranger": stranger.id}


def stored_files(app) -> list[str]:
    """Keys of the files in local storage (metadata and temp files left out)."""
    root = Path(app.config["STORAGE_LOCAL_PATH"])
    if not root.exists():
        return []
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )


def test_photo_upload_checks_content_needs_alt_text_and_can_be_ordered_and_removed(app, client):
    ids = _setup(app)
    job_id = ids["job"]
    login(client, "rita@example.com")
    page = f"/app/jobs/{job_id}"

    fake = submit(
        client,
        page,
        {"photo": (io.BytesIO(b"GIF89a but not really"), "team.png"), "alt_text": "Team"},
        action=f"{page}/photos",
    )
    assert fake.status_code == 400 and "The photo must be a PNG, JPEG or WebP image." in text_of(fake)
    no_alt = submit(
        client, page, {"photo": (io.BytesIO(tiny_png()), "team.png"), "alt_text": ""}, action=f"{page}/photos"
    )
    assert no_alt.status_code == 400 and 'id="alt_text-error"' in text_of(no_alt)
    assert stored_files(app) == []

    for alt in ("First photo", "Second photo"):
        added = submit(
            client,
            page,
            {"photo": (io.BytesIO(tiny_png()), "team.png"), "alt_text": alt},
            action=f"{page}/photos",
        )
        assert added.status_code == 302
    assert len(stored_files(app)) == 2
    with app.app_context():
        photos = list(db.session.scalars(db.select(JobPhoto).order_by(JobPhoto.position)))
        assert [photo.alt_text for photo in photos] == ["First photo", "Second photo"]
        assert all(
            photo.key.startswith(f"orgs/{photo.job.organization_id}/job-photos/")
            and photo.content_type == "image/png"
            for photo in photos
        )
        first, second = photos[0].id, photos[1].id
    html = text_of(client.get(page))
    assert 'alt="First photo"' in html
    served = client.get(f"{page}/photos/{first}")
    assert served.status_code == 302 and "/files/d/" in served.headers["Location"]

    assert submit(client, page, {"offset": "1"}, action=f"{page}/photos/{first}/move").status_code == 302
    with app.app_context():
        order = list(db.session.scalars(db.select(JobPhoto.id).order_by(JobPhoto.position)))
    assert order == [second, first]

    assert submit(client, page, {}, action=f"{page}/photos/{first}/delete").status_code == 302
    assert len(stored_files(app)) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(JobPhoto.id))) == 1
        actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"job.photo_added", "job.photos_reordered", "job.photo_removed"} <= actions

    stranger = app.test_client()
    login(stranger, "sam@other.example.com")
    assert stranger.get(f"{page}/photos/{second}").status_code == 404


def test_video_upload_is_checked_by_content_and_replaces_the_old_file(app, client, tiny_webm):
    ids = _setup(app)
    page = f"/app/jobs/{ids['job']}"
    # The job's hiring manager may record or replace the pitch video.
    login(client, "marta@example.com")

    fake = submit(
        client,
        page,
        {"video": (io.BytesIO(b"\x1aE\xdf\xa3 nope" * 10), "pitch.webm", "video/webm")},
        action=f"{page}/video",
    )
    assert fake.status_code == 400 and "The video must be a WebM or MP4 file." in text_of(fake)
    assert stored_files(app) == []

    first = submit(
        client, page, {"video": (io.BytesIO(tiny_webm), "pitch.webm", "video/webm")}, action=f"{page}/video"
    )
    assert first.status_code == 302
    with app.app_context():
        job = db.session.get(Job, ids["job"])
        first_key = job.pitch_video_key
        assert "/pitch-videos/" in first_key and job.pitch_video_content_type == "video/webm"
    assert stored_files(app) == [first_key]

    bad_captions = submit(
        client,
        page,
        {"captions": (io.BytesIO(b"1\n00:00 --> 00:01\nHi"), "c.vtt", "text/vtt")},
        action=f"{page}/video",
    )
    assert bad_captions.status_code == 400 and "WEBVTT" in text_of(bad_captions)
    captions = b"WEBVTT\n\n00:00.000 --> 00:01.000\nCiao!\n"
    second = submit(
        client,
        page,
        {
            "video": (io.BytesIO(tiny_webm), "again.webm", "video/webm"),
            "captions": (io.BytesIO(captions), "c.vtt", "text/vtt"),
        },
        action=f"{page}/video",
    )
    assert second.status_code == 302
    with app.app_context():
        job = db.session.get(Job, ids["job"])
        assert job.pitch_video_key != first_key and job.pitch_captions_key.startswith("orgs/")
        keys = sorted([job.pitch_video_key, job.pitch_captions_key])
    assert stored_files(app) == keys  # the old video is gone after the commit
    html = text_of(client.get(page))
    assert "<video" in html and '<track kind="captions"' in html

    assert submit(client, page, {}, action=f"{page}/video/delete").status_code == 302
    assert stored_files(app) == []


def test_other_manager_and_stranger_cannot_touch_the_video(app, client, tiny_webm):
    ids = _setup(app)
    page = f"/app/jobs/{ids['job']}"
    login(client, "other-manager@example.com")
    token = csrf_token(client, "/app/jobs")
    response = client.post(
        f"{page}/video/ticket", json={"content_type": "video/webm"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 404
    response = client.post(
        f"{page}/video", data={"csrf_token": token, "video": (io.BytesIO(tiny_webm), "p.webm", "video/webm")}
    )
    assert response.status_code == 404
    assert stored_files(app) == []


def test_recording_ticket_upload_and_confirm(app, client, tiny_webm):
    ids = _setup(app)
    page = f"/app/jobs/{ids['job']}"
    login(client, "rita@example.com")
    html = text_of(client.get(page))
    assert 'name="csrf-token"' in html and "data-recorder" in html and "js/recorder.js" in html
    headers = {"X-CSRFToken": csrf_token(client, page), "Accept": "application/json"}

    assert (
        client.post(f"{page}/video/ticket", json={"content_type": "video/webm"}).status_code == 400
    )  # no CSRF
    refused = client.post(f"{page}/video/ticket", json={"content_type": "image/png"}, headers=headers)
    assert refused.status_code == 400 and refused.is_json
    unnamed = client.post(f"{page}/video/ticket", json={}, headers=headers)
    assert unnamed.status_code == 400
    assert unnamed.get_json()["error"]["message"] == "Say which kind of video will be uploaded."
    keyless = client.post(f"{page}/video/confirm", json={}, headers=headers)
    assert (
        keyless.status_code == 400 and keyless.get_json()["error"]["message"] == "The upload key is missing."
    )

    ticket = client.post(
        f"{page}/video/ticket", json={"content_type": "video/webm;codecs=vp8,opus"}, headers=headers
    )
    assert ticket.status_code == 200
    body = ticket.get_json()
    assert body["key"].startswith("orgs/") and body["url"].startswith("/files/u/")
    assert body["max_size"] == 200 * 1024 * 1024

    uploaded = client.post(
        body["url"], data={**body["fields"], "file": (io.BytesIO(tiny_webm), "r.webm", "video/webm")}
    )
    assert uploaded.status_code == 201

    # A key outside the pitch videos (e.g. someone's CV) is refused, and so is one that does not exist.
    with app.app_context():
        foreign = get_storage().save(io.BytesIO(tiny_webm), prefix="cv", content_type="video/webm")
    outside = client.post(f"{page}/video/confirm", json={"key": foreign.key}, headers=headers)
    assert (
        outside.status_code == 400
        and "does not belong to a pitch video" in outside.get_json()["error"]["message"]
    )
    traversal = client.post(f"{page}/video/confirm", json={"key": "pitch-videos/../cv/x"}, headers=headers)
    assert traversal.status_code in (400, 404)
    missing = client.post(
        f"{page}/video/confirm", json={"key": "pitch-videos/2020/01/missing"}, headers=headers
    )
    assert missing.status_code == 400  # never issued: refused before the storage is asked

    confirmed = client.post(f"{page}/video/confirm", json={"key": body["key"]}, headers=headers)
    assert confirmed.status_code == 200 and confirmed.get_json()["ok"] is True
    with app.app_context():
        job = db.session.get(Job, ids["job"])
        assert job.pitch_video_key == body["key"] and job.pitch_video_content_type == "video/webm"


def test_confirm_sniffs_the_uploaded_bytes(app, client):
    ids = _setup(app)
    page = f"/app/jobs/{ids['job']}"
    login(client, "rita@example.com")
    headers = {"X-CSRFToken": csrf_token(client, page), "Accept": "application/json"}
    body = client.post(
        f"{page}/video/ticket", json={"content_type": "video/webm"}, headers=headers
    ).get_json()
    # The ticket fixes the declared type, but the bytes are a PNG.
    uploaded = client.post(body["url"], data={"file": (io.BytesIO(tiny_png()), "r.webm", "video/webm")})
    assert uploaded.status_code == 201
    refused = client.post(f"{page}/video/confirm", json={"key": body["key"]}, headers=headers)
    assert refused.status_code == 400 and "not a WebM or MP4 video" in refused.get_json()["error"]["message"]
    with app.app_context():
        assert db.session.get(Job, ids["job"]).pitch_video_key is None
