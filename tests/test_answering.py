# SPDX-License-Identifier: AGPL-3.0-or-later
"""The candidate's interview: opening the link, written and video answers, resuming, finishing."""

from __future__ import annotations

import io
import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from app.answering.services import answer_prefix
from app.core.extensions import db
from app.core.security import hash_token
from app.core.storage import get_storage
from app.models import Application, Candidate, EventType, JourneyEvent, Role
from app.models.interview import (
    AnswerType,
    InterviewAnswer,
    InterviewInvitation,
    InterviewQuestion,
    InterviewTemplate,
    InvitationState,
    ProcessingState,
)
from tests.factories import make_organization, make_user
from tests.helpers import csrf_token, text_of
from tests.test_applications import make_job, stored_files

JSON = {"Accept": "application/json"}


def make_interview(
    app,
    *,
    questions: list[dict] | None = None,
    deadline: datetime | None = None,
    state: InvitationState = InvitationState.SENT,
    allow_text_accommodation: bool = True,
    language: str | None = None,
    slug_suffix: str = "",
) -> dict:
    """An organization, a job, an application and an invitation to a template; returns ids and the link."""
    questions = questions if questions is not None else [{"answer_type": AnswerType.TEXT, "max_chars": 50}]
    raw = secrets.token_urlsafe(32)
    with app.app_context():
        organization = make_organization(name=f"Aurora{slug_suffix}")
        recruiter = make_user(organization, Role.RECRUITER, email=f"rita{slug_suffix}@example.com")
        job = make_job(organization, title="Engineer")
        candidate = Candidate(
            organization_id=organization.id,
            name="Ada",
            email=f"ada{slug_suffix}@example.com",
            language=language,
        )
        db.session.add(candidate)
        db.session.flush()
        application = Application(
            organization_id=organization.id,
            job_id=job.id,
            candidate_id=candidate.id,
            public_id=secrets.token_urlsafe(24),
        )
        template = InterviewTemplate(
            organization_id=organization.id,
            name="First round",
            intro_md="Welcome to **Aurora**.",
            outro_md="We reply within *a week*.",
            allow_text_accommodation=allow_text_accommodation,
        )
        for position, values in enumerate(questions):
            template.questions.append(
                InterviewQuestion(position=position, prompt_text=f"Question number {position}", **values)
            )
        db.session.add_all([application, template])
        db.session.flush()
        invitation = InterviewInvitation(
            organization_id=organization.id,
            application_id=application.id,
            template_id=template.id,
            token_hash=hash_token(raw),
            state=state,
            deadline=deadline or datetime.now(UTC) + timedelta(days=7),
            invited_by_id=recruiter.id,
        )
        db.session.add(invitation)
        db.session.commit()
        return {"link": f"/interview/{raw}", "invitation": invitation.id, "org": organization.id}


def stored(app, key: str) -> bool:
    """Whether the storage holds ``key``."""
    with app.app_context():
        return get_storage().stat(key) is not None


def invitation_of(app, ids: dict) -> InterviewInvitation:
    """The invitation as stored now (detached; read its columns only)."""
    with app.app_context():
        invitation = db.session.get(InterviewInvitation, ids["invitation"])
        db.session.expunge(invitation)
        return invitation


def answers_of(app, ids: dict) -> list[InterviewAnswer]:
    """Answers of the invitation that were submitted (detached)."""
    with app.app_context():
        answers = list(
            db.session.scalars(
                db.select(InterviewAnswer)
                .where(
                    InterviewAnswer.invitation_id == ids["invitation"],
                    InterviewAnswer.submitted_at.is_not(None),
                )
                .order_by(InterviewAnswer.question_id)
            )
        )
        for answer in answers:
            db.session.expunge(answer)
        return answers


def event_types(app, ids: dict) -> list[str]:
    """Journey event types of the organization, oldest first."""
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(JourneyEvent.type)
                .where(JourneyEvent.organization_id == ids["org"])
                .order_by(JourneyEvent.id)
            )
        )


def meta_token(client, path: str) -> str:
    """The CSRF token of a page's meta tag, as answering.js reads it."""
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', text_of(client.get(path)))
    assert match, f"no CSRF meta tag on {path}"
    return match.group(1)


def answer_text(client, link: str, position: int, text: str):
    """Post a written answer with the question page's CSRF token."""
    page = f"{link}/q/{position}"
    return client.post(page, data={"csrf_token": csrf_token(client, page), "text": text})


def test_welcome_opens_the_invitation_once_and_describes_the_interview(app, client):
    ids = make_interview(
        app,
        questions=[
            {"answer_type": AnswerType.VIDEO, "is_practice": True, "max_seconds": 60},
            {"answer_type": AnswerType.VIDEO, "max_seconds": 90, "think_seconds": 30, "retakes": 2},
            {"answer_type": AnswerType.TEXT},
        ],
    )
    response = client.get(ids["link"])
    html = text_of(response)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "<strong>Aurora</strong>" in html and "2 questions" in html and "practice question" in html
    assert "About 5 minutes" in html  # (30 + 90) + 180 seconds for the written answer
    assert "re-record" in html and "Answer in writing instead of video" in html
    assert "/device-check" in html  # video questions: the device check comes first
    invitation = invitation_of(app, ids)
    assert invitation.state == InvitationState.OPENED and invitation.opened_at is not None

    client.get(ids["link"])
    assert event_types(app, ids).count(EventType.INTERVIEW_OPENED.value) == 1


def test_the_page_is_in_the_candidates_language(app, client):
    ids = make_interview(app, language="it")
    response = client.get(ids["link"])
    assert response.status_code == 200
    assert '<html lang="it"' in text_of(response)


def test_unknown_link_is_404_and_closed_ones_are_410(app, client):
    assert client.get("/interview/not-a-real-token").status_code == 404

    past = make_interview(app, deadline=datetime.now(UTC) - timedelta(hours=1), slug_suffix="1")
    response = client.get(past["link"])
    html = text_of(response)
    assert response.status_code == 410 and "expired on" in html and "rita1@example.com" in html
    assert invitation_of(app, past).state == InvitationState.EXPIRED  # the overdue link is marked
    assert EventType.INTERVIEW_EXPIRED.value in event_types(app, past)

    cancelled = make_interview(app, state=InvitationState.CANCELLED, slug_suffix="2")
    assert client.get(cancelled["link"]).status_code == 410
    assert client.get(f"{cancelled['link']}/q/1").status_code == 410


def test_written_answers_limit_resume_and_finish(app, client):
    ids = make_interview(
        app,
        questions=[
            {"answer_type": AnswerType.TEXT, "max_chars": 20},
            {"answer_type": AnswerType.TEXT, "max_chars": 200},
            {"answer_type": AnswerType.TEXT, "required": False},
        ],
    )
    link = ids["link"]
    client.get(link)
    page = text_of(client.get(f"{link}/q/1"))
    assert "Question 1 of 3" in page and "data-counter" in page and 'data-max="20"' in page
    invitation = invitation_of(app, ids)
    assert invitation.state == InvitationState.STARTED and invitation.started_at is not None

    too_long = answer_text(client, link, 1, "x" * 21 + " kept")
    assert too_long.status_code == 400
    assert "the limit is 20" in text_of(too_long) and "x" * 21 + " kept" in text_of(too_long)
    assert answers_of(app, ids) == []

    done = answer_text(client, link, 1, "Short and sweet")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"{link}/q/2")

    # Finishing now is refused and names the missing required question (2), not the optional one.
    refused = client.post(f"{link}/finish", data={"csrf_token": csrf_token(client, f"{link}/review")})
    assert refused.status_code == 400 and "answer these questions before finishing: 2." in text_of(refused)

    # Coming back with the same link (a new browser) continues at the first unanswered question.
    other_device = app.test_client()
    welcome = text_of(other_device.get(link))
    assert "Continue" in welcome and f'href="{link}/q/2"' in welcome

    assert answer_text(client, link, 2, "Second answer").headers["Location"].endswith(f"{link}/q/3")
    token = csrf_token(client, f"{link}/review")
    finished = client.post(f"{link}/finish", data={"csrf_token": token})
    assert finished.status_code == 302
    invitation = invitation_of(app, ids)
    assert invitation.state == InvitationState.COMPLETED and invitation.completed_at is not None
    thanks = text_of(client.get(link))
    assert "<em>a week</em>" in thanks and "completed" in thanks
    types = event_types(app, ids)
    assert types.count(EventType.QUESTION_STARTED.value) == 2  # q1 opened twice, still one event
    assert types.count(EventType.QUESTION_SUBMITTED.value) == 2
    assert types.count(EventType.INTERVIEW_COMPLETED.value) == 1
    assert [answer.text for answer in answers_of(app, ids)] == ["Short and sweet", "Second answer"]
    # After completion answers can no longer change.
    late = client.post(f"{link}/q/1", data={"csrf_token": token, "text": "changed"})
    assert late.status_code == 409
    assert answers_of(app, ids)[0].text == "Short and sweet"


def test_accommodation_switches_video_questions_to_writing(app, client):
    ids = make_interview(app, questions=[{"answer_type": AnswerType.VIDEO}])
    link = ids["link"]
    assert "data-answer-recorder" in text_of(client.get(f"{link}/q/1"))
    response = client.post(f"{link}/accommodation", data={"csrf_token": csrf_token(client, link)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{link}/q/1")
    page = text_of(client.get(f"{link}/q/1"))
    assert "data-answer-recorder" not in page and "data-text-answer" in page
    assert client.get(f"{link}/device-check").status_code == 302  # no camera needed any more
    assert answer_text(client, link, 1, "In writing").status_code == 302
    assert answers_of(app, ids)[0].kind == AnswerType.TEXT


def test_accommodation_is_refused_when_the_template_does_not_offer_it(app, client):
    ids = make_interview(app, questions=[{"answer_type": AnswerType.VIDEO}], allow_text_accommodation=False)
    assert "Answer in writing" not in text_of(client.get(ids["link"]))
    token = meta_token(client, ids["link"])
    response = client.post(f"{ids['link']}/accommodation", data={"csrf_token": token})
    assert response.status_code == 400
    assert invitation_of(app, ids).text_accommodation is False


def test_device_check_outcome_is_counted(app, client):
    ids = make_interview(app, questions=[{"answer_type": AnswerType.VIDEO}])
    link = ids["link"]
    page = text_of(client.get(f"{link}/device-check"))
    assert "data-device-check" in page
    headers = {"X-CSRFToken": meta_token(client, f"{link}/device-check"), **JSON}
    assert client.post(f"{link}/device-check", json={"outcome": "maybe"}, headers=headers).status_code == 400
    assert client.post(f"{link}/device-check", json={"outcome": "failed"}, headers=headers).status_code == 200
    assert client.post(f"{link}/device-check", json={"outcome": "passed"}, headers=headers).status_code == 200
    types = event_types(app, ids)
    assert EventType.DEVICE_CHECK_FAILED.value in types and EventType.DEVICE_CHECK_PASSED.value in types


# --- video answers ------------------------------------------------------------------------------


def video_interview(app):
    """An interview with one video question (one retake) and a text question."""
    question = {"answer_type": AnswerType.VIDEO, "retakes": 1, "max_seconds": 60}
    return make_interview(app, questions=[question, {"answer_type": AnswerType.TEXT, "required": False}])


def record(client, link: str, video: bytes, position: int = 1) -> tuple[dict, dict]:
    """Get a ticket and upload to it as the browser does; returns the ticket and the CSRF headers."""
    headers = {"X-CSRFToken": meta_token(client, f"{link}/q/{position}"), **JSON}
    response = client.post(
        f"{link}/q/{position}/ticket", json={"content_type": "video/webm;codecs=vp8,opus"}, headers=headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    ticket = response.get_json()
    uploaded = client.post(
        ticket["url"], data={**ticket["fields"], "file": (io.BytesIO(video), "a.webm", "video/webm")}
    )
    assert uploaded.status_code == 201
    return ticket, headers


def test_video_answer_confirm_is_idempotent_and_a_retake_replaces_the_file(app, client, tiny_webm):
    ids = video_interview(app)
    link = ids["link"]
    ticket, headers = record(client, link, tiny_webm)
    assert ticket["key"].startswith("orgs/") and f"/answers/{ids['invitation']}/" in ticket["key"]
    assert ticket["max_size"] == 300 * 1024 * 1024

    confirmed = client.post(
        f"{link}/q/1/confirm", json={"key": ticket["key"], "duration": 1.2}, headers=headers
    )
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    body = confirmed.get_json()
    assert body["attempts"] == 1 and body["attempts_left"] == 1 and body["next_url"].endswith(f"{link}/q/2")
    # The response was lost and the browser confirms again: still one answer, one attempt.
    again = client.post(f"{link}/q/1/confirm", json={"key": ticket["key"], "duration": 1.2}, headers=headers)
    assert again.status_code == 200 and again.get_json()["attempts"] == 1
    (answer,) = answers_of(app, ids)
    assert answer.video_key == ticket["key"] and answer.video_content_type == "video/webm"
    # Processing was queued after the commit (it runs inline in tests and keeps the original).
    assert answer.processing_state in (ProcessingState.PENDING, ProcessingState.READY)
    assert answer.duration_seconds == pytest.approx(1.2, abs=0.5)
    first_files = {answer.video_key, answer.mp4_key, answer.poster_key} - {None}
    assert all(stored(app, key) for key in first_files)

    retake, _ = record(client, link, tiny_webm)
    response = client.post(f"{link}/q/1/confirm", json={"key": retake["key"]}, headers=headers)
    assert response.status_code == 200 and response.get_json()["attempts"] == 2
    (answer,) = answers_of(app, ids)
    assert answer.video_key == retake["key"] and answer.attempts == 2
    assert stored(app, retake["key"]) and not any(stored(app, key) for key in first_files)  # old files gone

    # One retake was allowed: a third take is refused, at the ticket and at the confirm.
    over = client.post(f"{link}/q/1/ticket", json={"content_type": "video/webm"}, headers=headers)
    assert over.status_code == 409
    with app.app_context():
        extra = get_storage().save(
            io.BytesIO(tiny_webm), prefix=f"answers/{ids['invitation']}", content_type="video/webm"
        )
    refused = client.post(f"{link}/q/1/confirm", json={"key": extra.key}, headers=headers)
    assert refused.status_code == 409
    assert answers_of(app, ids)[0].video_key == retake["key"]


def our_prefix(app, ids: dict) -> str:
    """Where this invitation's answers are uploaded."""
    with app.app_context():
        return answer_prefix(db.session.get(InterviewInvitation, ids["invitation"]))


def test_foreign_keys_fakes_and_oversized_uploads_are_refused(app, client, tiny_webm):
    ids = video_interview(app)
    other = (
        video_interview(app, slug_suffix="x")
        if False
        else make_interview(app, questions=[{"answer_type": AnswerType.VIDEO}], slug_suffix="other")
    )
    theirs, _ = record(client, other["link"], tiny_webm)
    link = ids["link"]
    headers = {"X-CSRFToken": meta_token(client, f"{link}/q/1"), **JSON}
    refused = client.post(f"{link}/q/1/confirm", json={"key": theirs["key"]}, headers=headers)
    assert (
        refused.status_code == 400
        and "does not belong to this interview" in refused.get_json()["error"]["message"]
    )
    missing = client.post(
        f"{link}/q/1/confirm", json={"key": f"{our_prefix(app, ids)}/2020/01/nope"}, headers=headers
    )
    assert missing.status_code == 404

    # Bytes that are not a video, even labelled video/webm, are refused after sniffing.
    fake, _ = record(client, link, b"<html>not a video</html>" * 10)
    assert client.post(f"{link}/q/1/confirm", json={"key": fake["key"]}, headers=headers).status_code == 400
    assert answers_of(app, ids) == []

    before = len(stored_files(app))
    app.config["INTERVIEW_ANSWER_MAX_BYTES"] = 1000
    ticket = client.post(
        f"{link}/q/1/ticket", json={"content_type": "video/webm"}, headers=headers
    ).get_json()
    assert ticket["max_size"] == 1000
    too_big = client.post(
        ticket["url"], data={"file": (io.BytesIO(b"\x1aE\xdf\xa3" + b"0" * 5000), "a.webm", "video/webm")}
    )
    assert too_big.status_code == 413
    assert len(stored_files(app)) == before


def test_nothing_is_accepted_after_the_deadline(app, client, tiny_webm):
    ids = video_interview(app)
    link = ids["link"]
    ticket, headers = record(client, link, tiny_webm)
    page_token = csrf_token(client, f"{link}/q/2")
    with app.app_context():
        invitation = db.session.get(InterviewInvitation, ids["invitation"])
        invitation.deadline = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
    confirm = client.post(f"{link}/q/1/confirm", json={"key": ticket["key"]}, headers=headers)
    assert confirm.status_code == 410 and confirm.is_json
    assert (
        client.post(f"{link}/q/1/ticket", json={"content_type": "video/webm"}, headers=headers).status_code
        == 410
    )
    text = client.post(f"{link}/q/2", data={"csrf_token": page_token, "text": "late"})
    assert text.status_code == 410
    assert answers_of(app, ids) == []
    assert invitation_of(app, ids).state == InvitationState.EXPIRED
