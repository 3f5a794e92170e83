# SPDX-License-Identifier: AGPL-3.0-or-later
"""Interview templates and questions: editing with validation, roles, org scoping, recorded prompts."""

from __future__ import annotations

import io
import re

import pytest

from app.core.extensions import db
from app.core.storage import get_storage
from app.models import AuditEvent, Job, Role
from app.models.interview import AnswerType, InterviewQuestion, InterviewTemplate
from tests.factories import make_organization, make_user
from tests.helpers import csrf_token, login, submit, text_of
from tests.test_applications import make_job


@pytest.fixture
def org(app):
    """An organization with each role, a job, and a rival organization with its own template."""
    with app.app_context():
        organization = make_organization(name="Aurora")
        make_user(organization, Role.ADMIN, email="ann@example.com")
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        manager = make_user(organization, Role.MANAGER, email="marta@example.com")
        make_user(organization, Role.EMPLOYEE, email="emma@example.com")
        job = make_job(organization, title="Engineer", hiring_manager_id=manager.id)
        rival = make_organization(name="Rival")
        make_user(rival, Role.ADMIN, email="rival@example.com")
        foreign = InterviewTemplate(organization_id=rival.id, name="Rival screen")
        foreign.questions.append(InterviewQuestion(prompt_text="Why us?", position=0))
        db.session.add(foreign)
        db.session.commit()
        return {"job": job.id, "foreign": foreign.id, "foreign_question": foreign.questions[0].id}


def question_data(**overrides) -> dict:
    """A valid question form."""
    data = {
        "prompt_text": "Tell us about a robot you built.",
        "answer_type": "video",
        "think_seconds": "30",
        "max_seconds": "120",
        "max_chars": "2000",
        "retakes": "1",
        "required": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def create_template(client, name: str = "First screen") -> int:
    """Create a template through the form; its id."""
    response = submit(client, "/app/interviews/new", {"name": name, "intro_md": "**Hi**", "outro_md": "Bye"})
    assert response.status_code == 302, text_of(response)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def questions_of(app, template_id: int) -> list[tuple[str, int, bool]]:
    with app.app_context():
        template = db.session.get(InterviewTemplate, template_id)
        return [(q.prompt_text, q.position, q.is_practice) for q in template.questions]


def test_recruiter_creates_a_template_with_questions_and_reorders_them(app, client, org):
    login(client, "rita@example.com")
    refused = submit(client, "/app/interviews/new", {"name": "  ", "intro_md": "kept intro"})
    assert (
        refused.status_code == 400 and "kept intro" in text_of(refused) and "field-error" in text_of(refused)
    )

    template_id = create_template(client)
    page = f"/app/interviews/{template_id}"
    shown = text_of(client.get(page))
    assert "<strong>Hi</strong>" in shown and "No questions yet." in shown

    assert (
        submit(client, page, question_data(prompt_text="First?"), action=f"{page}/questions").status_code
        == 302
    )
    assert submit(client, page, question_data(prompt_text="Second?", answer_type="text", max_chars="500", think_seconds=""), action=f"{page}/questions").status_code == 302  # fmt: skip
    warmup = submit(
        client, page, question_data(prompt_text="Warm up", is_practice="y"), action=f"{page}/questions"
    )
    assert warmup.status_code == 302
    # The practice question goes first whatever the order it was added in.
    assert questions_of(app, template_id) == [
        ("Warm up", 0, True),
        ("First?", 1, False),
        ("Second?", 2, False),
    ]
    with app.app_context():
        second = db.session.scalar(
            db.select(InterviewQuestion).where(InterviewQuestion.prompt_text == "Second?")
        )
        assert (
            second.answer_type == AnswerType.TEXT and second.think_seconds is None and second.max_chars == 500
        )
        second_id = second.id

    # Validation: bad ranges and a second practice question are 400s that keep what was typed.
    for overrides, message in [
        ({"max_seconds": "5"}, "between 10 and 600"),
        ({"answer_type": "text", "max_chars": "50"}, "between 100 and 5000"),
        ({"retakes": "9"}, "between 0 and 5"),
        ({"is_practice": "y"}, "only one practice question"),
        ({"prompt_text": ""}, "field-error"),
    ]:
        response = submit(
            client, page, question_data(prompt_text=overrides.pop("prompt_text", "Kept text"), **overrides),
            action=f"{page}/questions",
        )  # fmt: skip
        body = text_of(response)
        assert response.status_code == 400, overrides
        assert message in body, (overrides, message)
        assert "Kept text" in body or "prompt_text" in body
    assert len(questions_of(app, template_id)) == 3

    # Move "Second?" up: it swaps with "First?"; the practice question cannot be overtaken.
    for _ in range(2):
        submit(client, page, {"offset": "-1"}, action=f"{page}/questions/{second_id}/move")
    assert [q[0] for q in questions_of(app, template_id)] == ["Warm up", "Second?", "First?"]

    # Edit and delete.
    edited = submit(
        client, f"{page}/questions/{second_id}", question_data(prompt_text="Second, edited", retakes="0"),
        action=f"{page}/questions/{second_id}",
    )  # fmt: skip
    assert edited.status_code == 302
    submit(client, page, {}, action=f"{page}/questions/{second_id}/delete")
    assert questions_of(app, template_id) == [("Warm up", 0, True), ("First?", 1, False)]

    edit = submit(client, f"{page}/edit", {"name": "Renamed", "intro_md": "", "outro_md": ""})
    assert edit.status_code == 302
    with app.app_context():
        assert db.session.get(InterviewTemplate, template_id).name == "Renamed"
        actions = set(db.session.scalars(db.select(AuditEvent.action)))
        assert {
            "interview.template_created",
            "interview.question_added",
            "interview.question_removed",
        } <= actions


def test_a_job_gets_a_default_template(app, client, org):
    login(client, "ann@example.com")
    template_id = create_template(client)
    page = f"/app/interviews/{template_id}"
    assert submit(client, page, {"job_id": str(org["job"])}, action=f"{page}/job").status_code == 302
    with app.app_context():
        assert db.session.get(Job, org["job"]).interview_template_id == template_id
    assert "Engineer" in text_of(client.get(page))
    assert submit(client, page, {"job_id": "999999"}, action=f"{page}/job").status_code == 400


def test_roles_and_organization_scoping(app, client, org):
    login(client, "rita@example.com")
    template_id = create_template(client)
    page = f"/app/interviews/{template_id}"
    submit(client, page, question_data(), action=f"{page}/questions")
    question_id = questions_id(app, template_id)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/app/")})

    # A manager sees the templates of their jobs and their questions, but cannot change them.
    use_for_job(app, template_id, org["job"])
    login(client, "marta@example.com")
    assert client.get("/app/interviews/").status_code == 200
    assert client.get(page).status_code == 200
    assert client.get(f"{page}/questions/{question_id}").status_code == 200
    assert client.get("/app/interviews/new").status_code == 403
    assert submit(client, page, question_data(), action=f"{page}/questions").status_code == 403
    assert submit(client, page, {}, action=f"{page}/questions/{question_id}/delete").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/app/")})

    login(client, "emma@example.com")
    assert client.get("/app/interviews/").status_code == 403
    assert client.get(page).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/app/")})

    # Another organization's template does not exist for this one.
    login(client, "rita@example.com")
    assert client.get(f"/app/interviews/{org['foreign']}").status_code == 404
    assert (
        client.get(f"/app/interviews/{org['foreign']}/questions/{org['foreign_question']}").status_code == 404
    )
    assert (
        submit(
            client, page, question_data(), action=f"/app/interviews/{org['foreign']}/questions"
        ).status_code
        == 404
    )
    assert "Rival screen" not in text_of(client.get("/app/interviews/"))


def use_for_job(app, template_id: int, job_id: int) -> None:
    """Make the template the job's default interview (so the job's hiring manager reaches it)."""
    with app.app_context():
        db.session.get(Job, job_id).interview_template_id = template_id
        db.session.commit()


def questions_id(app, template_id: int) -> int:
    with app.app_context():
        return db.session.get(InterviewTemplate, template_id).questions[0].id


def test_a_manager_records_a_prompt_through_the_ticket_flow(app, client, org, tiny_webm):
    login(client, "rita@example.com")
    template_id = create_template(client)
    page = f"/app/interviews/{template_id}"
    submit(client, page, question_data(), action=f"{page}/questions")
    question_id = questions_id(app, template_id)
    use_for_job(app, template_id, org["job"])
    client.post("/logout", data={"csrf_token": csrf_token(client, "/app/")})

    login(client, "marta@example.com")
    question_page = f"{page}/questions/{question_id}"
    html = text_of(client.get(question_page))
    assert "data-recorder" in html and "js/recorder.js" in html and "/video/ticket" in html
    headers = {"X-CSRFToken": csrf_token(client, question_page), "Accept": "application/json"}

    refused = client.post(
        f"{question_page}/video/ticket", json={"content_type": "image/png"}, headers=headers
    )
    assert refused.status_code == 400
    ticket = client.post(
        f"{question_page}/video/ticket", json={"content_type": "video/webm;codecs=vp8"}, headers=headers
    )
    body = ticket.get_json()
    assert ticket.status_code == 200 and re.match(r"orgs/\d+/prompt-videos/", body["key"])
    assert body["max_size"] == 200 * 1024 * 1024
    uploaded = client.post(
        body["url"], data={**body["fields"], "file": (io.BytesIO(tiny_webm), "r.webm", "video/webm")}
    )
    assert uploaded.status_code == 201

    with app.app_context():
        foreign = get_storage().save(io.BytesIO(tiny_webm), prefix="cv", content_type="video/webm")
    outside = client.post(f"{question_page}/video/confirm", json={"key": foreign.key}, headers=headers)
    assert outside.status_code == 400
    missing = client.post(
        f"{question_page}/video/confirm", json={"key": "prompt-videos/2020/x"}, headers=headers
    )
    assert missing.status_code == 400  # never issued: refused before the storage is asked
    # Another organization's question cannot take the upload.
    stranger = client.post(
        f"/app/interviews/{org['foreign']}/questions/{org['foreign_question']}/video/confirm",
        json={"key": body["key"]},
        headers=headers,
    )
    assert stranger.status_code == 404

    confirmed = client.post(f"{question_page}/video/confirm", json={"key": body["key"]}, headers=headers)
    assert confirmed.status_code == 200 and confirmed.get_json()["ok"] is True
    with app.app_context():
        question = db.session.get(InterviewQuestion, question_id)
        assert question.prompt_video_key == body["key"]
        assert question.prompt_video_content_type == "video/webm"
        assert question.prompt_recorded_by.email == "marta@example.com"
    assert "<video" in text_of(client.get(question_page))

    # Replacing by a file upload deletes the old recording after the commit.
    replaced = submit(
        client, question_page, {"video": (io.BytesIO(tiny_webm), "p.webm", "video/webm")},
        action=f"{question_page}/video", content_type="multipart/form-data",
    )  # fmt: skip
    assert replaced.status_code == 302
    with app.app_context():
        question = db.session.get(InterviewQuestion, question_id)
        assert question.prompt_video_key != body["key"]
        assert get_storage().stat(body["key"]) is None
        assert get_storage().stat(question.prompt_video_key) is not None

    not_video = submit(
        client, question_page, {"video": (io.BytesIO(b"%PDF-1.4 nope"), "p.webm", "video/webm")},
        action=f"{question_page}/video", content_type="multipart/form-data",
    )  # fmt: skip
    assert not_video.status_code == 400 and "WebM or MP4" in text_of(not_video)
