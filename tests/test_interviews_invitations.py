# SPDX-License-Identifier: AGPL-3.0-or-later
"""Interview invitations: personal links, duplicates, bulk, extend/cancel, reminders, expiry, portal."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, timedelta

import pytest

from app.core.errors import Gone, NotFound
from app.core.extensions import db
from app.core.security import hash_token
from app.interviews.invitations import find_invitation_by_token, invite_application, pending_interview_notices
from app.interviews.tasks import run_interview_reminders
from app.models import Application, Candidate, JourneyEvent, Role, User
from app.models.interview import (
    InterviewInvitation,
    InterviewLink,
    InterviewQuestion,
    InterviewTemplate,
    InvitationState,
)
from app.models.journey import EventType
from tests.factories import make_organization, make_user
from tests.helpers import csrf_token, login, sent_mail, submit, text_of
from tests.test_applications import make_job


def make_application(job, name: str, email: str, language: str | None = None) -> Application:
    """A candidate of the job's organization and their application."""
    candidate = Candidate(organization_id=job.organization_id, name=name, email=email, language=language)
    application = Application(
        organization_id=job.organization_id,
        job_id=job.id,
        candidate=candidate,
        public_id=secrets.token_urlsafe(16),
    )
    db.session.add(application)
    db.session.flush()
    return application


@pytest.fixture
def world(app):
    """A recruiter, a manager, a job with a default template and three applications; a rival org."""
    with app.app_context():
        organization = make_organization(name="Aurora")
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        make_user(organization, Role.MANAGER, email="marta@example.com")
        template = InterviewTemplate(organization_id=organization.id, name="First screen")
        template.questions.append(InterviewQuestion(prompt_text="Warm up", position=0, is_practice=True))
        template.questions.append(InterviewQuestion(prompt_text="Why robots?", position=1, retakes=2))
        template.questions.append(InterviewQuestion(prompt_text="A hard bug?", position=2, retakes=0))
        db.session.add(template)
        db.session.flush()
        job = make_job(organization, title="Engineer", interview_template_id=template.id)
        ada = make_application(job, "Ada Lovelace", "ada@example.com", language="it")
        bob = make_application(job, "Bob Byte", "bob@example.com")
        cy = make_application(job, "Cy Circuit", "cy@example.com")
        rival = make_organization(name="Rival")
        make_user(rival, Role.ADMIN, email="rival@example.com")
        db.session.commit()
        return {
            "job": job.id,
            "template": template.id,
            "ada": ada.public_id,
            "ada_id": ada.id,
            "bob_id": bob.id,
            "cy_id": cy.id,
        }


def invite_page(world) -> str:
    return f"/app/interviews/applications/{world['ada']}/invite"


def token_from_mail(app, to: str) -> str:
    for message in sent_mail(app):
        if to in message.to:
            match = re.search(r"/interview/([A-Za-z0-9_-]{43})", message.text or "")
            if match:
                return match.group(1)
    raise AssertionError(f"no interview link mailed to {to}")


def test_invite_one_application_mails_a_personal_link(app, client, world):
    login(client, "rita@example.com")
    page = invite_page(world)
    form = text_of(client.get(page))
    assert "First screen" in form and (date.today() + timedelta(days=7)).isoformat() in form

    deadline = (date.today() + timedelta(days=5)).isoformat()
    response = submit(client, page, {"template_id": str(world["template"]), "deadline": deadline})
    assert response.status_code == 302

    raw = token_from_mail(app, "ada@example.com")
    message = next(m for m in sent_mail(app) if "ada@example.com" in m.to)
    # In the candidate's language (Italian), with the count of real questions and the retakes.
    assert message.headers and dict(message.headers).get("Content-Language") == "it"
    assert "Engineer" in message.subject
    assert "2" in message.text
    with app.app_context():
        invitation = db.session.scalar(db.select(InterviewInvitation))
        assert invitation.token_hash == hash_token(raw) and raw not in invitation.token_hash
        assert invitation.state == InvitationState.SENT
        assert invitation.deadline.date().isoformat() == deadline
        assert find_invitation_by_token(raw).id == invitation.id
        with pytest.raises(NotFound):
            find_invitation_by_token("not-a-token")
        events = db.session.scalars(db.select(JourneyEvent.type)).all()
        assert EventType.INTERVIEW_INVITED.value in [str(e) for e in events]

    again = submit(client, page, {"template_id": str(world["template"]), "deadline": deadline})
    assert again.status_code == 409 and "already has an open interview invitation" in text_of(again)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(InterviewInvitation.id))) == 1

    past = submit(client, page, {"template_id": str(world["template"]), "deadline": "2001-01-01"})
    assert past.status_code in (400, 409)
    assert "Ada Lovelace" in text_of(client.get(page))


def test_roles_and_scoping_of_inviting(app, client, world):
    login(client, "marta@example.com")
    assert client.get(invite_page(world)).status_code == 403
    assert client.get(f"/app/interviews/jobs/{world['job']}/invite").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/app/")})
    login(client, "rival@example.com")
    assert client.get(invite_page(world)).status_code == 404
    assert client.get(f"/app/interviews/jobs/{world['job']}/invitations").status_code == 404


def test_bulk_invite_extend_and_cancel(app, client, world):
    login(client, "rita@example.com")
    page = f"/app/interviews/jobs/{world['job']}/invite"
    listing = text_of(client.get(page))
    assert "Ada Lovelace" in listing and "Bob Byte" in listing and "Cy Circuit" in listing

    deadline = (date.today() + timedelta(days=3)).isoformat()
    nobody = submit(client, page, {"template_id": str(world["template"]), "deadline": deadline})
    assert nobody.status_code == 400 and "Choose at least one candidate" in text_of(nobody)

    sent = submit(
        client,
        page,
        {
            "template_id": str(world["template"]),
            "deadline": deadline,
            "application_ids": [world["ada_id"], world["bob_id"]],
        },
    )
    assert sent.status_code == 302
    recipients = {m.to for m in sent_mail(app)}
    assert {"ada@example.com", "bob@example.com"} <= recipients and "cy@example.com" not in recipients
    # Invited applications leave the list.
    listing = text_of(client.get(page))
    assert "Ada Lovelace" not in listing and "Cy Circuit" in listing

    invitations_page = f"/app/interviews/jobs/{world['job']}/invitations"
    table = text_of(client.get(invitations_page))
    assert "Ada Lovelace" in table and "Bob Byte" in table and "Sent" in table

    raw = token_from_mail(app, "bob@example.com")
    with app.app_context():
        bob = db.session.scalar(
            db.select(InterviewInvitation).where(InterviewInvitation.application_id == world["bob_id"])
        )
        bob_id = bob.id
        # Overdue: the link answers Gone and the invitation is marked expired.
        bob.deadline = datetime.now(UTC) - timedelta(hours=1)
        db.session.commit()
        with pytest.raises(Gone):
            find_invitation_by_token(raw)
        db.session.commit()
        assert db.session.get(InterviewInvitation, bob_id).state == InvitationState.EXPIRED

    later = (date.today() + timedelta(days=10)).isoformat()
    extended = submit(
        client,
        invitations_page,
        {"deadline": later, "next": "job"},
        action=f"/app/interviews/invitations/{bob_id}/extend",
    )
    assert extended.status_code == 302 and extended.headers["Location"].endswith(invitations_page)
    with app.app_context():
        bob = db.session.get(InterviewInvitation, bob_id)
        assert bob.state == InvitationState.SENT and bob.deadline.date().isoformat() == later
        assert find_invitation_by_token(raw).id == bob_id
    refused = submit(
        client,
        invitations_page,
        {"deadline": "2001-01-01"},
        action=f"/app/interviews/invitations/{bob_id}/extend",
    )
    assert refused.status_code == 400

    cancelled = submit(
        client, invitations_page, {"next": "job"}, action=f"/app/interviews/invitations/{bob_id}/cancel"
    )
    assert cancelled.status_code == 302
    with app.app_context():
        assert db.session.get(InterviewInvitation, bob_id).state == InvitationState.CANCELLED
        with pytest.raises(Gone):
            find_invitation_by_token(raw)
    again = submit(client, invitations_page, {}, action=f"/app/interviews/invitations/{bob_id}/cancel")
    assert again.status_code == 409


def test_reminders_go_once_at_48_and_24_hours_and_overdue_invitations_expire(app, world):
    with app.app_context():
        actor = db.session.scalar(db.select(User).where(User.email == "rita@example.com"))
        template = db.session.get(InterviewTemplate, world["template"])
        now = datetime.now(UTC)
        deadline = now + timedelta(days=5)
        long_one, first_raw = invite_application(
            actor, db.session.get(Application, world["ada_id"]), template, deadline
        )
        short_deadline = now + timedelta(hours=30)
        bob = db.session.get(Application, world["bob_id"])
        short_one, _ = invite_application(actor, bob, template, short_deadline)
        long_id, short_id = long_one.id, short_one.id
        db.session.commit()

        def reminders_to(email: str) -> int:
            # Every mail after the invitation itself is a reminder (Ada's come in Italian).
            return sum(1 for m in sent_mail(app) if email in m.to) - 1

        # Bob was invited with 30 h left: the 48 h reminder is skipped, not sent late; Ada has nothing due.
        run_interview_reminders(now + timedelta(minutes=1))
        assert reminders_to("bob@example.com") == 0 and reminders_to("ada@example.com") == 0
        assert db.session.get(InterviewInvitation, short_id).reminders_sent == [48]
        run_interview_reminders(short_deadline - timedelta(hours=23))
        run_interview_reminders(short_deadline - timedelta(hours=22))
        assert reminders_to("bob@example.com") == 1

        run_interview_reminders(deadline - timedelta(hours=47))
        run_interview_reminders(deadline - timedelta(hours=46))
        assert reminders_to("ada@example.com") == 1
        assert db.session.get(InterviewInvitation, short_id).state == InvitationState.EXPIRED
        run_interview_reminders(deadline - timedelta(hours=23))
        run_interview_reminders(deadline - timedelta(hours=22))
        assert reminders_to("ada@example.com") == 2
        assert db.session.get(InterviewInvitation, long_id).reminders_sent == [48, 24]
        reminder = next(m for m in sent_mail(app) if "ada@example.com" in m.to)
        assert "Engineer" in reminder.subject
        # Each reminder carries a freshly made personal link to the same invitation; the first works too.
        reminder_raw = token_from_mail(app, "ada@example.com")
        assert reminder_raw != first_raw and reminder_raw not in (reminder.html or "").split("hash")
        assert find_invitation_by_token(reminder_raw).id == long_id
        assert find_invitation_by_token(first_raw).id == long_id
        assert (
            db.session.scalar(
                db.select(db.func.count(InterviewLink.id)).where(InterviewLink.invitation_id == long_id)
            )
            == 2
        )

        run_interview_reminders(deadline + timedelta(minutes=1))
        run_interview_reminders(deadline + timedelta(minutes=16))
        long_one = db.session.get(InterviewInvitation, long_id)
        assert long_one.state == InvitationState.EXPIRED and long_one.expired_at is not None
        expired_events = db.session.scalar(
            db.select(db.func.count(JourneyEvent.id)).where(
                JourneyEvent.type == EventType.INTERVIEW_EXPIRED.value
            )
        )
        assert expired_events == 2  # Ada's and Bob's, once each
        assert reminders_to("ada@example.com") == 2 and reminders_to("bob@example.com") == 1


def test_pending_invitations_appear_as_portal_notices(app, world):
    with app.app_context():
        actor = db.session.scalar(db.select(User).where(User.email == "rita@example.com"))
        ada = db.session.get(Application, world["ada_id"])
        invitation, _ = invite_application(
            actor,
            ada,
            db.session.get(InterviewTemplate, world["template"]),
            datetime.now(UTC) + timedelta(days=2),
        )
        db.session.commit()
        notices = pending_interview_notices(ada.candidate, section="invitations")
        assert len(notices) == 1 and "Engineer" in notices[0].title
        invitation.state = InvitationState.COMPLETED
        db.session.commit()
        assert pending_interview_notices(ada.candidate, section="invitations") == []


def test_application_and_job_pages_link_to_inviting(app, client, world):
    login(client, "rita@example.com")
    detail = text_of(client.get(f"/app/applications/{world['ada']}"))
    assert f'href="/app/interviews/applications/{world["ada"]}/invite"' in detail
    listing = text_of(client.get(f"/app/jobs/{world['job']}/applications"))
    assert f'href="/app/interviews/jobs/{world["job"]}/invite"' in listing
    assert f'href="/app/interviews/jobs/{world["job"]}/invite"' in text_of(
        client.get(f"/app/jobs/{world['job']}")
    )
