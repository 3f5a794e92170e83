# SPDX-License-Identifier: AGPL-3.0-or-later
"""Storage keys are capabilities: tickets recorded per user, organization and purpose; opaque links.

A key seen or guessed (another organization's, another colleague's, another purpose's, used or
expired) is refused by every recorder's confirm; a replace or delete never removes a file some
other row still shows; and no page or redirect inside the app shows a storage key.
"""

from __future__ import annotations

import base64
import io
import re
import zlib
from datetime import timedelta

import pytest

from app.core.extensions import db
from app.core.storage import LinkExpired, LinkInvalid, get_storage
from app.core.storage.links import LinkCipher
from app.core.storage.uploads import sweep_upload_tickets
from app.models import (
    InterviewQuestion,
    InterviewTemplate,
    IssuedUpload,
    Job,
    JobPhoto,
    JobStatus,
    Organization,
    Role,
    utcnow,
)
from app.models import Testimonial as StaffTestimonial
from app.postings.services import JobData, LocationData, create_job
from tests.factories import make_organization, make_template, make_user
from tests.helpers import csrf_token, login, logout, text_of
from tests.test_admin import tiny_png

JSON = {"Accept": "application/json"}


@pytest.fixture
def orgs(app):
    """Two organizations, each with a recruiter, a second recruiter, a job, a template and a testimonial."""
    ids = {}
    with app.app_context():
        for name in ("a", "b"):
            organization = make_organization(name=f"Org {name.upper()}", slug=f"org-{name}")
            recruiter = make_user(organization, Role.RECRUITER, email=f"rita@{name}.example.com")
            make_user(organization, Role.RECRUITER, email=f"remo@{name}.example.com")
            job = create_job(
                recruiter, JobData(title="Engineer", locations=[LocationData("Milan", "", "IT")])
            )
            template = make_template(organization)
            testimonial = StaffTestimonial(
                organization_id=organization.id,
                employee_id=recruiter.id,
                quote="Great team.",
                author_name="Rita",
            )
            db.session.add(testimonial)
            db.session.flush()
            ids[name] = {
                "org": organization.id,
                "job": job.id,
                "template": template.id,
                "question": template.questions[0].id,
                "testimonial": testimonial.id,
            }
        db.session.commit()
    return ids


def recorders(ids: dict[str, int]) -> dict[str, str]:
    """Every staff recorder of one organization: purpose → its page (ticket and confirm live below it)."""
    return {
        "pitch": f"/app/jobs/{ids['job']}/video",
        "prompt": f"/app/interviews/{ids['template']}/questions/{ids['question']}/video",
        "welcome": f"/app/interviews/{ids['template']}/welcome-video",
        "testimonial": f"/app/voice/testimonials/{ids['testimonial']}/video",
    }


def headers_for(client) -> dict[str, str]:
    """The CSRF header recorder.js sends."""
    return {"X-CSRFToken": csrf_token(client, "/app/jobs/"), **JSON}


def record(client, base: str, video: bytes, *, confirm: bool = True) -> str:
    """Ask a ticket, upload ``video`` with it, and (unless told not to) confirm it; the key."""
    headers = headers_for(client)
    ticket = client.post(f"{base}/ticket", json={"content_type": "video/webm"}, headers=headers)
    assert ticket.status_code == 200, ticket.get_data(as_text=True)
    body = ticket.get_json()
    sent = client.post(
        body["url"], data={**body["fields"], "file": (io.BytesIO(video), "r.webm", "video/webm")}
    )
    assert sent.status_code == 201
    if confirm:
        confirmed = client.post(f"{base}/confirm", json={"key": body["key"]}, headers=headers)
        assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    return body["key"]


def media_keys(app, ids: dict[str, int]) -> dict[str, str | None]:
    """The keys each recorder's row of one organization holds now."""
    with app.app_context():
        return {
            "pitch": db.session.get(Job, ids["job"]).pitch_video_key,
            "prompt": db.session.get(InterviewQuestion, ids["question"]).prompt_video_key,
            "welcome": db.session.get(InterviewTemplate, ids["template"]).welcome_video_key,
            "testimonial": db.session.get(StaffTestimonial, ids["testimonial"]).video_key,
        }


def exists(app, key: str) -> bool:
    """Whether the storage still holds ``key``."""
    with app.app_context():
        return get_storage().stat(key) is not None


def test_keys_are_under_their_organization_and_no_other_organization_can_confirm_them(
    app, client, orgs, tiny_webm
):
    login(client, "rita@a.example.com")
    keys_a = {purpose: record(client, base, tiny_webm) for purpose, base in recorders(orgs["a"]).items()}
    assert all(key.startswith(f"orgs/{orgs['a']['org']}/") for key in keys_a.values())
    assert media_keys(app, orgs["a"]) == keys_a
    logout(client)

    login(client, "rita@b.example.com")
    headers = headers_for(client)
    for purpose, base in recorders(orgs["b"]).items():
        for key in keys_a.values():
            refused = client.post(f"{base}/confirm", json={"key": key}, headers=headers)
            assert refused.status_code == 400, (purpose, key)
    assert media_keys(app, orgs["b"]) == dict.fromkeys(keys_a)
    # Their own replace and delete cannot reach org A's files either.
    assert (
        client.post(f"/app/jobs/{orgs['b']['job']}/video/delete", data={}, headers=headers).status_code == 302
    )
    assert all(exists(app, key) for key in keys_a.values())
    assert media_keys(app, orgs["a"]) == keys_a


def test_a_ticket_is_for_one_user_one_purpose_and_one_use(app, client, orgs, tiny_webm):
    recorder = recorders(orgs["a"])
    login(client, "rita@a.example.com")
    pitch_key = record(client, recorder["pitch"], tiny_webm, confirm=False)
    headers = headers_for(client)
    # Another purpose of the same person refuses it.
    for purpose in ("prompt", "welcome", "testimonial"):
        assert (
            client.post(f"{recorder[purpose]}/confirm", json={"key": pitch_key}, headers=headers).status_code
            == 400
        )
    logout(client)

    # A colleague in the same organization cannot adopt it.
    login(client, "remo@a.example.com")
    colleague = client.post(
        f"{recorder['pitch']}/confirm", json={"key": pitch_key}, headers=headers_for(client)
    )
    assert colleague.status_code == 400
    logout(client)

    login(client, "rita@a.example.com")
    headers = headers_for(client)
    assert (
        client.post(f"{recorder['pitch']}/confirm", json={"key": pitch_key}, headers=headers).status_code
        == 200
    )
    # Used once: a second job cannot take the same file (a replace there would delete it here).
    with app.app_context():
        other_job = create_job(
            make_user(db.session.get(Organization, orgs["a"]["org"]), Role.ADMIN),
            JobData(title="Designer", locations=[LocationData("Rome", "", "IT")]),
        )
        db.session.commit()
        other_job_id = other_job.id
    again = client.post(f"/app/jobs/{other_job_id}/video/confirm", json={"key": pitch_key}, headers=headers)
    assert again.status_code == 400
    # A lost response retried on the same job is still fine.
    retried = client.post(f"{recorder['pitch']}/confirm", json={"key": pitch_key}, headers=headers)
    assert retried.status_code == 200

    # An expired ticket is refused too.
    welcome_key = record(client, recorder["welcome"], tiny_webm, confirm=False)
    with app.app_context():
        ticket = db.session.scalar(db.select(IssuedUpload).where(IssuedUpload.key == welcome_key))
        ticket.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    expired = client.post(f"{recorder['welcome']}/confirm", json={"key": welcome_key}, headers=headers)
    assert expired.status_code == 400
    assert media_keys(app, orgs["a"])["welcome"] is None


def test_a_replace_or_delete_keeps_a_file_another_row_still_references(app, client, orgs, tiny_webm):
    login(client, "rita@a.example.com")
    key = record(client, recorders(orgs["a"])["pitch"], tiny_webm)
    logout(client)
    # A row of another organization that holds the same key (as one adopted before this fix could).
    with app.app_context():
        db.session.get(Job, orgs["b"]["job"]).pitch_video_key = key
        db.session.commit()

    login(client, "rita@b.example.com")
    headers = headers_for(client)
    assert (
        client.post(f"/app/jobs/{orgs['b']['job']}/video/delete", data={}, headers=headers).status_code == 302
    )
    assert media_keys(app, orgs["b"])["pitch"] is None
    assert exists(app, key), "org B's delete removed the file org A still shows"
    logout(client)

    login(client, "rita@a.example.com")
    headers = headers_for(client)
    assert (
        client.post(f"/app/jobs/{orgs['a']['job']}/video/delete", data={}, headers=headers).status_code == 302
    )
    assert not exists(app, key), "the last reference is gone, so the file goes"


def test_unused_tickets_are_swept_with_their_files_and_used_ones_keep_theirs(app, client, orgs, tiny_webm):
    recorder = recorders(orgs["a"])
    login(client, "rita@a.example.com")
    used = record(client, recorder["pitch"], tiny_webm)
    abandoned = record(client, recorder["welcome"], tiny_webm, confirm=False)
    with app.app_context():
        assert sweep_upload_tickets(utcnow()) == 0
        db.session.commit()
        assert sweep_upload_tickets(utcnow() + timedelta(days=1)) == 2
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(IssuedUpload.id))) == 0
    assert exists(app, used) and not exists(app, abandoned)


def readable(text: str) -> str:
    """The text, plus what anyone can decode from the file-link tokens in it (base64 or zlib JSON)."""
    parts = [text]
    for token in re.findall(r"/files/[du]/([A-Za-z0-9_.\-]+)", text):
        compressed = token.startswith(".")
        payload = token.lstrip(".").split(".")[0]
        try:
            raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            parts.append((zlib.decompress(raw) if compressed else raw).decode("utf-8", "replace"))
        except (ValueError, zlib.error):
            continue
    return "\n".join(parts)


def test_no_page_or_in_app_link_shows_a_storage_key(app, client, orgs, tiny_webm):
    recorder = recorders(orgs["a"])
    login(client, "rita@a.example.com")
    keys = [record(client, recorder[purpose], tiny_webm) for purpose in ("pitch", "welcome", "testimonial")]
    with app.app_context():
        organization = db.session.get(Organization, orgs["a"]["org"])
        job = db.session.get(Job, orgs["a"]["job"])
        job.status, job.published_at = JobStatus.PUBLISHED, utcnow()
        storage = get_storage()
        logo = storage.save(io.BytesIO(tiny_png()), prefix="orgs/1/logos", content_type="image/png")
        photo = storage.save(io.BytesIO(tiny_png()), prefix="orgs/1/job-photos", content_type="image/png")
        organization.logo_key, organization.logo_content_type = logo.key, "image/png"
        job.photos.append(JobPhoto(key=photo.key, content_type="image/png", alt_text="The team"))
        testimonial = db.session.get(StaffTestimonial, orgs["a"]["testimonial"])
        testimonial.job_id, testimonial.photo_key, testimonial.photo_content_type = (
            job.id,
            photo.key,
            "image/png",
        )
        testimonial.employee_approved_at = testimonial.admin_approved_at = utcnow()
        db.session.commit()
        keys += [logo.key, photo.key]
        pages = [
            f"/app/jobs/{job.id}",
            f"/app/interviews/{orgs['a']['template']}",
            "/app/jobs/testimonials",
            f"/careers/{organization.slug}",
            f"/careers/{organization.slug}/jobs/{job.slug}",
        ]
    seen = []
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = text_of(response)
        seen.append(html)
        # Media the page loads through the app: their redirects must not show keys either.
        for link in set(re.findall(r'(?:src|href)="(/(?:app|brand|files)/[^"]+)"', html)):
            if any(word in link for word in ("photo", "video", "logo", "captions", "/files/d/")):
                followed = client.get(link.replace("&amp;", "&"))
                seen.append(followed.headers.get("Location", ""))
    text = readable("\n".join(seen))
    assert "/files/d/" in text
    for key in keys:
        assert key not in text


@pytest.mark.single_database
def test_link_tokens_are_sealed_bound_to_their_purpose_and_expire():
    cipher = LinkCipher("a-secret-key-long-enough-for-the-tests")
    token = cipher.seal("download", {"k": "orgs/1/cvs/2026/01/abc"}, expires_at_ms=2**41)
    assert "orgs" not in readable(f"/files/d/{token}")
    assert cipher.open("download", token)["k"] == "orgs/1/cvs/2026/01/abc"
    with pytest.raises(LinkInvalid):
        cipher.open("upload", token)
    with pytest.raises(LinkInvalid):
        LinkCipher("another-secret-key-long-enough-too").open("download", token)
    with pytest.raises(LinkInvalid):
        cipher.open("download", token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    with pytest.raises(LinkExpired):
        cipher.open("download", cipher.seal("download", {"k": "x"}, expires_at_ms=0))
