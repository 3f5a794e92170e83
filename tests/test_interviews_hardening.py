# SPDX-License-Identifier: AGPL-3.0-or-later
"""Interview hardening: one running invitation per application, personal links beyond the first,
uploads that are retried without duplicates and refused past their limits, rate limits, the
interview's language, and the welcome video."""

from __future__ import annotations

import html
import io
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import urllib3
from sqlalchemy.exc import IntegrityError

from app.answering.services import answer_prefix
from app.core.errors import Conflict
from app.core.extensions import db
from app.core.security import hash_token
from app.core.storage import get_storage
from app.interviews import invitations as invitations_module
from app.interviews import services as template_services
from app.interviews.invitations import (
    find_invitation_by_token,
    invite_application,
    mint_interview_link,
    pending_interview_notices,
)
from app.interviews.tasks import run_interview_reminders, sweep_abandoned_uploads
from app.models import Application, ApplicationStage, ApplicationStageChange, Candidate, Role, User
from app.models.interview import (
    AnswerType,
    InterviewInvitation,
    InterviewTemplate,
    InterviewUpload,
    InvitationState,
    LinkPurpose,
)
from app.portal.services import issue_portal_link
from tests.factories import make_organization, make_user
from tests.helpers import csrf_token, follow_magic_link, login, sent_mail, submit, text_of
from tests.test_answering import (
    JSON,
    answers_of,
    make_interview,
    meta_token,
    record,
    stored,
)
from tests.test_applications import make_job, stored_files
from tests.test_interviews_invitations import make_application, token_from_mail

VIDEO = {"answer_type": AnswerType.VIDEO, "retakes": 1, "max_seconds": 60}


@pytest.fixture
def world(app):
    """A recruiter, a template with one question, a job and two applications."""
    with app.app_context():
        organization = make_organization(name="Aurora")
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        recruiter = db.session.scalar(db.select(User).where(User.email == "rita@example.com"))
        template = template_services.create_template(recruiter, template_services.TemplateData(name="Screen"))
        template_services.add_question(recruiter, template.id, template_services.QuestionData("Why us?"))
        job = make_job(organization, title="Engineer", interview_template_id=template.id)
        ada = make_application(job, "Ada Lovelace", "ada@example.com")
        bob = make_application(job, "Bob Byte", "bob@example.com")
        db.session.commit()
        return {"template": template.id, "ada": ada.id, "ada_public": ada.public_id, "bob": bob.id}


def invite(app, world, application_key: str = "ada", days: int = 7) -> tuple[int, str]:
    """Invite through the service and commit; (invitation id, raw link token)."""
    with app.app_context():
        actor = db.session.scalar(db.select(User).where(User.email == "rita@example.com"))
        invitation, raw = invite_application(
            actor,
            db.session.get(Application, world[application_key]),
            db.session.get(InterviewTemplate, world["template"]),
            datetime.now(UTC) + timedelta(days=days),
        )
        db.session.commit()
        return invitation.id, raw


# -- one running invitation per application --------------------------------------------------------


def test_the_database_itself_allows_one_running_invitation_per_application(app, world):
    with app.app_context():
        application = db.session.get(Application, world["ada"])

        def add(state: InvitationState) -> None:
            db.session.add(
                InterviewInvitation(
                    organization_id=application.organization_id,
                    application_id=application.id,
                    template_id=world["template"],
                    token_hash=hash_token(f"raw-{state}-{datetime.now(UTC).timestamp()}"),
                    state=state,
                    deadline=datetime.now(UTC) + timedelta(days=1),
                )
            )
            db.session.flush()

        # Finished ones do not count: any number of them beside one running invitation.
        for state in (InvitationState.COMPLETED, InvitationState.EXPIRED, InvitationState.CANCELLED):
            add(state)
        add(InvitationState.STARTED)
        for state in (InvitationState.SENT, InvitationState.OPENED, InvitationState.STARTED):
            with pytest.raises(IntegrityError), db.session.begin_nested():
                add(state)
        db.session.commit()


def test_inviting_again_is_a_clear_conflict_even_when_the_check_loses_a_race(app, client, world, monkeypatch):
    invite(app, world)
    login(client, "rita@example.com")
    page = f"/app/interviews/applications/{world['ada_public']}/invite"
    data = {"template_id": world["template"], "deadline": "2999-01-01"}
    again = submit(client, page, data)
    assert again.status_code == 409 and "already has an open interview invitation" in html.unescape(
        text_of(again)
    )

    # A concurrent request passed the service check before the first one committed: the index decides.
    monkeypatch.setattr(invitations_module, "open_invitation", lambda application: None)
    raced = submit(client, page, data)
    assert raced.status_code == 409 and "already has an open interview invitation" in html.unescape(
        text_of(raced)
    )
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count(InterviewInvitation.id)).where(
                    InterviewInvitation.application_id == world["ada"]
                )
            )
            == 1
        )


def test_two_simultaneous_invitations_leave_exactly_one(app, world, monkeypatch):
    barrier = threading.Barrier(2, timeout=30)
    real_check = invitations_module.open_invitation

    def check_then_wait(application):
        found = real_check(application)
        barrier.wait()  # both requests have checked before either writes
        return found

    monkeypatch.setattr(invitations_module, "open_invitation", check_then_wait)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            invite(app, world)
        except Conflict:
            outcomes.append("conflict")
        else:
            outcomes.append("invited")

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["conflict", "invited"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(InterviewInvitation.id))) == 1


def test_an_expired_invitation_cannot_reopen_beside_a_running_one(app, client, world):
    first_id, _ = invite(app, world)
    with app.app_context():
        first = db.session.get(InterviewInvitation, first_id)
        first.state = InvitationState.EXPIRED
        db.session.commit()
    invite(app, world)
    login(client, "rita@example.com")
    page = f"/app/interviews/applications/{world['ada_public']}/invite"
    response = submit(
        client, page, {"deadline": "2999-01-01"}, action=f"/app/interviews/invitations/{first_id}/extend"
    )
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(InterviewInvitation, first_id).state == InvitationState.EXPIRED


# -- personal links beyond the first ---------------------------------------------------------------


def test_every_reminder_mails_a_fresh_link_and_old_links_keep_working_until_cancelled(app, client, world):
    invitation_id, first_raw = invite(app, world, days=3)
    with app.app_context():
        deadline = db.session.get(InterviewInvitation, invitation_id).deadline
        run_interview_reminders(deadline - timedelta(hours=47))
        first_reminder = token_from_mail(app, "ada@example.com")
        run_interview_reminders(deadline - timedelta(hours=23))
        second_reminder = token_from_mail(app, "ada@example.com")
    reminders = [m for m in sent_mail(app) if "ada@example.com" in m.to and "Reminder" in m.subject]
    assert len(reminders) == 2
    assert len({first_raw, first_reminder, second_reminder}) == 3
    assert all(re.search(r"/interview/[A-Za-z0-9_-]{43}", m.html or "") for m in reminders)  # the button too
    for raw in (first_raw, first_reminder, second_reminder):
        assert client.get(f"/interview/{raw}").status_code == 200

    login(client, "rita@example.com")
    page = f"/app/interviews/applications/{world['ada_public']}/invite"
    submit(client, page, {}, action=f"/app/interviews/invitations/{invitation_id}/cancel")
    for raw in (first_raw, first_reminder, second_reminder):
        assert app.test_client().get(f"/interview/{raw}").status_code == 410


def test_links_stop_at_the_deadline_and_lead_to_the_thanks_page_once_completed(app, world):
    invitation_id, _ = invite(app, world)
    with app.app_context():
        invitation = db.session.get(InterviewInvitation, invitation_id)
        raw = mint_interview_link(invitation, LinkPurpose.REMINDER)
        invitation.state = InvitationState.COMPLETED
        db.session.commit()
    assert "Thank you" in text_of(app.test_client().get(f"/interview/{raw}"))
    with app.app_context():
        invitation = db.session.get(InterviewInvitation, invitation_id)
        invitation.state = InvitationState.STARTED
        invitation.deadline = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
    assert app.test_client().get(f"/interview/{raw}").status_code == 410


def test_the_portal_notice_opens_the_interview_with_a_link_made_for_the_signed_in_candidate(
    app, client, world
):
    invitation_id, _ = invite(app, world)
    bob_invitation, _ = invite(app, world, "bob")
    with app.app_context():
        ada = db.session.get(Application, world["ada"]).candidate
        notices = pending_interview_notices(ada, section="invitations")
        portal_raw = issue_portal_link(ada)
        db.session.commit()
    assert len(notices) == 1 and notices[0].url.endswith(f"/interview/portal/{invitation_id}")
    assert notices[0].action_label == "Open the interview"

    # Signed out, the portal explains how to get a link first.
    signed_out = client.get(f"/interview/portal/{invitation_id}")
    assert signed_out.status_code == 302 and "/portal/link" in signed_out.headers["Location"]

    follow_magic_link(client, f"/portal/enter/{portal_raw}")
    home = text_of(client.get("/portal/"))
    assert f"/interview/portal/{invitation_id}" in home and "Open the interview" in home
    opened = client.get(f"/interview/portal/{invitation_id}")
    assert opened.status_code == 302
    raw = re.search(r"/interview/([A-Za-z0-9_-]{43})$", opened.headers["Location"]).group(1)
    with app.app_context():
        assert find_invitation_by_token(raw).id == invitation_id
    assert "Your interview" in text_of(client.get(f"/interview/{raw}"))
    # Another candidate's invitation is not reachable from this portal session.
    assert client.get(f"/interview/portal/{bob_invitation}").status_code == 404


# -- uploads ---------------------------------------------------------------------------------------


def ticket_for(client, link: str, headers: dict, key: str = "", position: int = 1):
    """Ask for an upload ticket, naming an earlier ticket's key on a retry."""
    return client.post(
        f"{link}/q/{position}/ticket", json={"content_type": "video/webm", "key": key}, headers=headers
    )


def answer_objects(app, invitation_id: int) -> list[str]:
    """Keys of every stored object under the invitation's answer prefix."""
    with app.app_context():
        storage = get_storage()
        root = storage.root / answer_prefix(db.session.get(InterviewInvitation, invitation_id))
        return sorted(str(path.relative_to(storage.root)) for path in root.rglob("*") if path.is_file())


def test_an_interrupted_upload_retried_with_its_key_ends_with_one_stored_answer(app, client, tiny_webm):
    ids = make_interview(app, questions=[VIDEO])
    link = ids["link"]
    headers = {"X-CSRFToken": meta_token(client, f"{link}/q/1"), **JSON}
    first = ticket_for(client, link, headers).get_json()
    # The first upload reached the store, but the browser never heard back (the connection dropped).
    assert (
        client.post(first["url"], data={"file": (io.BytesIO(tiny_webm), "a.webm", "video/webm")}).status_code
        == 201
    )

    retry = ticket_for(client, link, headers, key=first["key"]).get_json()
    assert retry["key"] == first["key"]  # the same object is written again, not a second one
    assert (
        client.post(retry["url"], data={"file": (io.BytesIO(tiny_webm), "a.webm", "video/webm")}).status_code
        == 201
    )
    confirmed = client.post(f"{link}/q/1/confirm", json={"key": retry["key"]}, headers=headers)
    assert confirmed.status_code == 200

    (answer,) = answers_of(app, ids)
    assert answer.video_key == first["key"] and answer.attempts == 1
    originals = [key for key in answer_objects(app, ids["invitation"]) if key == first["key"]]
    assert answer_objects(app, ids["invitation"]) == originals == [first["key"]]
    with app.app_context():
        assert db.session.scalars(db.select(InterviewUpload)).all() == []


def test_adopting_an_upload_deletes_the_questions_other_pending_uploads(app, client, tiny_webm):
    ids = make_interview(app, questions=[VIDEO])
    link = ids["link"]
    headers = {"X-CSRFToken": meta_token(client, f"{link}/q/1"), **JSON}
    abandoned, _ = record(client, link, tiny_webm)  # a try whose page was closed before confirming
    kept, _ = record(client, link, tiny_webm)
    assert abandoned["key"] != kept["key"] and stored(app, abandoned["key"])
    assert client.post(f"{link}/q/1/confirm", json={"key": kept["key"]}, headers=headers).status_code == 200
    assert answer_objects(app, ids["invitation"]) == [kept["key"]]
    # A key that is not one of this question's pending uploads is not adopted, even under the prefix.
    assert (
        client.post(f"{link}/q/1/confirm", json={"key": abandoned["key"]}, headers=headers).status_code == 404
    )


def test_a_resume_key_never_reopens_an_adopted_answer_or_another_question(app, client, tiny_webm):
    ids = make_interview(app, questions=[VIDEO, VIDEO])
    link = ids["link"]
    headers = {"X-CSRFToken": meta_token(client, f"{link}/q/1"), **JSON}
    adopted, _ = record(client, link, tiny_webm)
    client.post(f"{link}/q/1/confirm", json={"key": adopted["key"]}, headers=headers)
    assert ticket_for(client, link, headers, key=adopted["key"]).get_json()["key"] != adopted["key"]
    # Nor can one file become the answer to two questions (a retake of one would delete the other's).
    shared = client.post(f"{link}/q/2/confirm", json={"key": adopted["key"]}, headers=headers)
    assert shared.status_code == 400 and len(answers_of(app, ids)) == 1
    other = ticket_for(client, link, headers, position=2).get_json()
    assert ticket_for(client, link, headers, key=other["key"]).get_json()["key"] != other["key"]


def test_the_sweep_removes_abandoned_uploads_and_those_of_deleted_interviews(app, client, tiny_webm):
    ids = make_interview(app, questions=[VIDEO])
    old, _ = record(client, ids["link"], tiny_webm)
    fresh, _ = record(client, ids["link"], tiny_webm)
    with app.app_context():
        upload = db.session.scalar(db.select(InterviewUpload).where(InterviewUpload.key == old["key"]))
        upload.created_at = datetime.now(UTC) - timedelta(hours=7)
        db.session.commit()
        assert sweep_abandoned_uploads(datetime.now(UTC)) == 1
    assert not stored(app, old["key"]) and stored(app, fresh["key"])

    with app.app_context():
        db.session.delete(db.session.get(InterviewInvitation, ids["invitation"]))
        db.session.commit()
        assert db.session.scalar(db.select(InterviewUpload.invitation_id)) is None  # kept, detached
        assert sweep_abandoned_uploads(datetime.now(UTC)) == 1
        assert db.session.scalars(db.select(InterviewUpload)).all() == []
    assert not stored(app, fresh["key"])


def test_an_upload_ticket_never_outlives_the_deadline(app, client):
    ids = make_interview(app, questions=[VIDEO], deadline=datetime.now(UTC) + timedelta(seconds=90))
    headers = {"X-CSRFToken": meta_token(client, f"{ids['link']}/q/1"), **JSON}
    ticket = ticket_for(client, ids["link"], headers).get_json()
    assert 1 <= ticket["expires_in"] <= 90


def test_over_the_limit_the_local_store_refuses_while_streaming_and_the_confirm_checks_again(
    app, client, tiny_webm
):
    app.config["INTERVIEW_ANSWER_MAX_BYTES"] = len(tiny_webm) + 100
    ids = make_interview(app, questions=[VIDEO])
    link = ids["link"]
    headers = {"X-CSRFToken": meta_token(client, f"{link}/q/1"), **JSON}
    ticket = ticket_for(client, link, headers).get_json()
    assert ticket["max_size"] == len(tiny_webm) + 100
    too_big = tiny_webm + b"\x00" * 5000
    refused = client.post(ticket["url"], data={"file": (io.BytesIO(too_big), "a.webm", "video/webm")})
    assert refused.status_code == 413 and not stored(app, ticket["key"])

    # Stored within the limit, then the limit went down before the confirm: the server checks again.
    assert (
        client.post(ticket["url"], data={"file": (io.BytesIO(tiny_webm), "a.webm", "video/webm")}).status_code
        == 201
    )
    app.config["INTERVIEW_ANSWER_MAX_BYTES"] = len(tiny_webm) - 1
    late = client.post(f"{link}/q/1/confirm", json={"key": ticket["key"]}, headers=headers)
    assert late.status_code == 400 and "larger than allowed" in late.get_json()["error"]["message"]
    assert answers_of(app, ids) == []


@pytest.mark.usefixtures("s3_credentials")
def test_over_the_limit_the_s3_policy_refuses_the_upload(request, app_environ, s3_environ, tiny_webm):
    app_environ.update(s3_environ)
    app = request.getfixturevalue("app")
    client = app.test_client()
    app.config["INTERVIEW_ANSWER_MAX_BYTES"] = len(tiny_webm) + 100
    ids = make_interview(app, questions=[VIDEO])
    link = ids["link"]
    headers = {"X-CSRFToken": meta_token(client, f"{link}/q/1"), **JSON}
    ticket = ticket_for(client, link, headers).get_json()
    assert ticket["url"].startswith(s3_environ["S3_ENDPOINT_URL"])

    def post(data: bytes):
        fields = {**ticket["fields"], "file": ("answer.webm", data, "video/webm")}
        return urllib3.request("POST", ticket["url"], fields=fields, retries=False)

    refused = post(tiny_webm + b"\x00" * 5000)
    assert refused.status >= 400 and b"EntityTooLarge" in refused.data
    with app.app_context():
        assert get_storage().stat(ticket["key"]) is None
    assert post(tiny_webm).status in (200, 201, 204)
    confirmed = client.post(f"{link}/q/1/confirm", json={"key": ticket["key"]}, headers=headers)
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    (answer,) = answers_of(app, ids)
    assert answer.video_key == ticket["key"] and answer.video_size == len(tiny_webm)


MB = 1024 * 1024


@pytest.mark.usefixtures("s3_credentials")
def test_a_large_answer_goes_to_s3_in_parts_and_a_retry_sends_only_the_missing_ones(
    request, app_environ, s3_environ, s3_server, tiny_webm
):
    app_environ.update(s3_environ)
    app = request.getfixturevalue("app")
    app.config.update(INTERVIEW_MULTIPART_THRESHOLD=1, INTERVIEW_MULTIPART_PART_SIZE=5 * MB)
    client = app.test_client()
    ids = make_interview(app, questions=[VIDEO])
    link = ids["link"]
    headers = {"X-CSRFToken": meta_token(client, f"{link}/q/1"), **JSON}
    video = tiny_webm + b"\x00" * (5 * MB + 1000 - len(tiny_webm))  # still a WebM by its first bytes

    def ticket(key: str = "", size: int = len(video)) -> dict:
        body = {"content_type": "video/webm", "key": key, "size": size}
        return client.post(f"{link}/q/1/ticket", json=body, headers=headers).get_json()

    def put(parts: list[dict], data: bytes = video) -> None:
        for part in parts:
            body = data[part["start"] : part["end"]]
            assert urllib3.request("PUT", part["url"], body=body, retries=False).status == 200

    first = ticket()
    parts = first["multipart"]["parts"]
    assert [(part["number"], part["end"] - part["start"]) for part in parts] == [(1, 5 * MB), (2, 1000)]
    put(parts[:1])  # the connection dropped after the first part
    early = client.post(f"{link}/q/1/confirm", json={"key": first["key"]}, headers=headers)
    assert early.status_code == 404  # a part is missing: the page sends it and confirms again

    renewed = ticket(key=first["key"])
    assert renewed["key"] == first["key"] and [part["number"] for part in renewed["multipart"]["parts"]] == [
        2
    ]
    put(renewed["multipart"]["parts"])
    confirmed = client.post(f"{link}/q/1/confirm", json={"key": first["key"]}, headers=headers)
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    (answer,) = answers_of(app, ids)
    assert answer.video_key == first["key"] and answer.video_size == len(video)
    bucket = s3_environ["S3_BUCKET"]
    answer_objects = [key for key in s3_server.object_keys(bucket, "orgs/") if "/answers/" in key]
    assert answer_objects == [first["key"]]
    assert s3_server.admin_client().list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


@pytest.mark.usefixtures("s3_credentials")
def test_a_multipart_answer_over_the_limit_is_refused_and_aborted(
    request, app_environ, s3_environ, s3_server, tiny_webm
):
    app_environ.update(s3_environ)
    app = request.getfixturevalue("app")
    app.config.update(
        INTERVIEW_MULTIPART_THRESHOLD=1,
        INTERVIEW_MULTIPART_PART_SIZE=5 * MB,
        INTERVIEW_ANSWER_MAX_BYTES=5 * MB + 500,
    )
    client = app.test_client()
    ids = make_interview(app, questions=[VIDEO])
    link = ids["link"]
    headers = {"X-CSRFToken": meta_token(client, f"{link}/q/1"), **JSON}
    asked = {"content_type": "video/webm", "key": "", "size": 5 * MB + 1000}
    refused = client.post(f"{link}/q/1/ticket", json=asked, headers=headers)
    assert refused.status_code == 400 and "larger than allowed" in refused.get_json()["error"]["message"]

    # A browser that announces less than it sends: the server counts the stored parts itself.
    ticket = client.post(f"{link}/q/1/ticket", json={**asked, "size": 5 * MB}, headers=headers).get_json()
    (part,) = ticket["multipart"]["parts"]
    bigger = tiny_webm + b"\x00" * (5 * MB + 1000 - len(tiny_webm))
    assert urllib3.request("PUT", part["url"], body=bigger, retries=False).status == 200
    confirm = client.post(f"{link}/q/1/confirm", json={"key": ticket["key"]}, headers=headers)
    assert confirm.status_code == 400 and "larger than allowed" in confirm.get_json()["error"]["message"]
    assert answers_of(app, ids) == []
    bucket = s3_environ["S3_BUCKET"]
    assert [key for key in s3_server.object_keys(bucket, "orgs/") if "/answers/" in key] == []
    assert s3_server.admin_client().list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with app.app_context():
        assert sweep_abandoned_uploads(datetime.now(UTC) + timedelta(hours=7)) == 1


def test_tickets_and_confirms_are_rate_limited_per_link_with_a_clear_message(app, client):
    app.config["INTERVIEW_UPLOAD_RATE_LIMIT"] = "3 per minute"
    ids = make_interview(app, questions=[VIDEO])
    other = make_interview(app, questions=[VIDEO], slug_suffix="b")
    headers = {"X-CSRFToken": meta_token(client, f"{ids['link']}/q/1"), **JSON}
    statuses = [ticket_for(client, ids["link"], headers).status_code for _ in range(3)]
    blocked = ticket_for(client, ids["link"], headers)
    assert statuses == [200, 200, 200]
    assert blocked.status_code == 429
    message = blocked.get_json()["error"]["message"]
    assert "Too many attempts" in message and "recording is kept" in message
    assert ticket_for(client, other["link"], headers).status_code == 200  # another link has its own count
    assert client.get(ids["link"]).status_code == 200  # reading the pages stays allowed


# -- the interview's language ----------------------------------------------------------------------


def test_a_new_interview_speaks_the_organizations_language_and_can_be_changed(app, client):
    with app.app_context():
        organization = make_organization(name="Robotica", default_language="it")
        make_user(organization, Role.RECRUITER, email="rina@example.com").language = "en"
        db.session.commit()
    login(client, "rina@example.com")
    form = text_of(client.get("/app/interviews/new"))
    assert re.search(r'<option selected value="it">|<option value="it" selected>', form)
    created = submit(client, "/app/interviews/new", {"name": "Primo colloquio", "language": "it"})
    template_id = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        assert db.session.get(InterviewTemplate, template_id).language == "it"
    edit = f"/app/interviews/{template_id}/edit"
    assert submit(client, edit, {"name": "First talk", "language": "en"}).status_code == 302
    assert submit(client, edit, {"name": "First talk", "language": "de"}).status_code == 400
    with app.app_context():
        assert db.session.get(InterviewTemplate, template_id).language == "en"


def test_the_prompt_captions_follow_the_interviews_language(app, client, tiny_webm):
    ids = make_interview(app, questions=[VIDEO], language="en")
    with app.app_context():
        invitation = db.session.get(InterviewInvitation, ids["invitation"])
        question = invitation.template.questions[0]
        storage = get_storage()
        question.prompt_video_key = storage.save(
            io.BytesIO(tiny_webm), prefix="prompt-videos", content_type="video/webm"
        ).key
        question.prompt_captions_key = storage.save(
            io.BytesIO(b"WEBVTT\n"), prefix="prompts-derived", content_type="text/vtt"
        ).key
        invitation.template.language = "it"
        db.session.commit()
    page = text_of(client.get(f"{ids['link']}/q/1"))
    assert '<html lang="en"' in page and 'srclang="it"' in page


# -- the welcome video -----------------------------------------------------------------------------


def test_staff_record_a_welcome_video_and_the_candidate_sees_it_first(app, client, world, tiny_webm):
    login(client, "rita@example.com")
    show = f"/app/interviews/{world['template']}"
    page = text_of(client.get(show))
    assert "Welcome video" in page and f"/app/interviews/{world['template']}/welcome-video/ticket" in page
    headers = {"X-CSRFToken": re.search(r'name="csrf-token" content="([^"]+)"', page).group(1), **JSON}
    ticket = client.post(f"{show}/welcome-video/ticket", json={"content_type": "video/webm"}, headers=headers)
    ticket = ticket.get_json()
    assert re.match(r"orgs/\d+/welcome-videos/", ticket["key"])
    assert (
        client.post(ticket["url"], data={"file": (io.BytesIO(tiny_webm), "w.webm", "video/webm")}).status_code
        == 201
    )
    saved = client.post(f"{show}/welcome-video/confirm", json={"key": ticket["key"]}, headers=headers)
    assert saved.status_code == 200 and saved.get_json()["ok"] is True
    assert "welcome-video" in text_of(client.get(show))

    _, raw = invite(app, world)
    welcome = text_of(app.test_client().get(f"/interview/{raw}"))
    video = re.search(r'<video class="prompt-video welcome-video"[^>]* src="([^"]+)"', welcome)
    assert video and app.test_client().get(html.unescape(video.group(1))).data == tiny_webm

    # A file works as well; it replaces the recording, whose file is deleted.
    token = csrf_token(client, show)
    uploaded = client.post(
        f"{show}/welcome-video",
        data={"csrf_token": token, "video": (io.BytesIO(tiny_webm), "hello.webm")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302 and not stored(app, ticket["key"])
    removed = submit(client, show, {}, action=f"{show}/welcome-video/delete")
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.get(InterviewTemplate, world["template"]).welcome_video_key is None
    assert "welcome-video" not in text_of(app.test_client().get(f"/interview/{raw}"))
    assert [path for path in stored_files(app) if "welcome-videos" in path.parts] == []


def test_a_welcome_upload_that_is_not_a_video_is_refused(app, client, world):
    login(client, "rita@example.com")
    show = f"/app/interviews/{world['template']}"
    response = client.post(
        f"{show}/welcome-video",
        data={"csrf_token": csrf_token(client, show), "video": (io.BytesIO(b"not a video" * 50), "x.webm")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "WebM or MP4" in text_of(response)
    with app.app_context():
        assert db.session.get(InterviewTemplate, world["template"]).welcome_video_key is None
        assert db.session.scalar(db.select(db.func.count(Candidate.id))) == 2


# -- the pipeline ----------------------------------------------------------------------------------


def stage_of(app, application_id: int) -> str:
    """The application's stage key as stored now."""
    with app.app_context():
        return db.session.get(Application, application_id).stage


def test_inviting_and_completing_move_the_application_forward_in_the_pipeline(app, client, world):
    invitation_id, raw = invite(app, world)
    assert stage_of(app, world["ada"]) == ApplicationStage.INTERVIEW_INVITED
    with app.app_context():
        changes = db.session.scalars(
            db.select(ApplicationStageChange).where(ApplicationStageChange.application_id == world["ada"])
        ).all()
        actor = db.session.scalar(db.select(User).where(User.email == "rita@example.com"))
        assert [(c.to_stage, c.actor_user_id) for c in changes][-1] == ("interview_invited", actor.id)

    with app.app_context():
        question = db.session.get(InterviewInvitation, invitation_id).template.questions[0]
        question.answer_type = AnswerType.TEXT
        db.session.commit()
    link = f"/interview/{raw}"
    page = f"{link}/q/1"
    answered = client.post(page, data={"csrf_token": csrf_token(client, page), "text": "Because."})
    assert answered.status_code == 302
    finished = client.post(f"{link}/finish", data={"csrf_token": csrf_token(client, f"{link}/review")})
    assert finished.status_code == 302
    assert stage_of(app, world["ada"]) == ApplicationStage.INTERVIEW_COMPLETED
    with app.app_context():
        last = db.session.scalars(
            db.select(ApplicationStageChange)
            .where(ApplicationStageChange.application_id == world["ada"])
            .order_by(ApplicationStageChange.id.desc())
        ).first()
        assert (last.to_stage, last.actor_user_id) == ("interview_completed", None)


def test_an_invitation_never_moves_an_application_backwards(app, world):
    with app.app_context():
        application = db.session.get(Application, world["bob"])
        application.stage = ApplicationStage.SHORTLISTED.value
        db.session.commit()
    invite(app, world, "bob")
    assert stage_of(app, world["bob"]) == ApplicationStage.SHORTLISTED
