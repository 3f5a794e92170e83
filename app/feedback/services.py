# SPDX-License-Identifier: AGPL-3.0-or-later
"""Deciding with a message: one or many applications, a stage, a reason, wording per language, feedback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app.core import mail
from app.core.audit import record_audit
from app.core.errors import Invalid, NotFound
from app.core.extensions import db
from app.feedback.defaults import PLAIN
from app.feedback.message_templates import languages, pick_template, reasons_for, require_editor
from app.feedback.placeholders import check_placeholders, fill_placeholders
from app.feedback.scorecard import CriterionSummary, comments_by_application, criterion_summaries
from app.models import Application, Candidate, CandidateMessage, MessageTemplate, Organization, User, utcnow
from app.models.review import ReviewComment
from app.pipeline.stages import Stage, find_stage, move_application
from app.portal.services import issue_portal_link, link_request_url, portal_link_url

MAX_RECIPIENTS = 200
MAX_FEEDBACK_ITEMS = 10
MAX_FEEDBACK_CHARS = 300
MAX_SUBJECT_CHARS = 200
FEEDBACK_KINDS = ("strengths", "growth")


@dataclass(frozen=True)
class Recipient:
    """One application the message goes to, with what the recruiter may draw feedback from."""

    application: Application
    language: str
    already_in_stage: bool
    criteria: list[CriterionSummary] = field(default_factory=list)
    comments: list[ReviewComment] = field(default_factory=list)


@dataclass(frozen=True)
class Draft:
    """The starting wording for the candidates who read one language."""

    language: str
    subject: str
    body: str
    template: MessageTemplate | None


@dataclass(frozen=True)
class Decision:
    """What the compose page is about: who, which stage and reason, and the drafts per language."""

    organization: Organization
    stage: Stage | None
    reason: str
    recipients: list[Recipient]
    drafts: list[Draft]
    reasons: list[tuple[str, str]]

    @property
    def stage_key(self) -> str | None:
        """The stage key moved to, or None for a plain message."""
        return self.stage.key if self.stage else None


@dataclass(frozen=True)
class Wording:
    """What the recruiter will send in one language (placeholders still in)."""

    subject: str
    body: str


def candidate_language(candidate: Candidate, organization: Organization) -> str:
    """The language a candidate reads: theirs, else the organization's, else English."""
    supported = languages()
    for language in (candidate.language, organization.default_language):
        if language and language in supported:
            return language
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def load_applications(actor: User, public_ids: Sequence[str]) -> list[Application]:
    """The actor's organization's applications named in the request, in the order given; NotFound for any other."""
    require_editor(actor)
    wanted = list(dict.fromkeys(public_id.strip() for public_id in public_ids if public_id.strip()))
    if not wanted:
        raise Invalid(str(_l("Choose at least one application.")), field="application")
    if len(wanted) > MAX_RECIPIENTS:
        raise Invalid(
            str(_l("Write to at most %(count)d candidates at once.", count=MAX_RECIPIENTS)),
            field="application",
        )
    found = {
        application.public_id: application
        for application in db.session.scalars(
            db.select(Application)
            .where(Application.public_id.in_(wanted), Application.organization_id == actor.organization_id)
            .options(joinedload(Application.candidate), joinedload(Application.job))
        )
    }
    missing = [public_id for public_id in wanted if public_id not in found]
    # Only admins and recruiters get here (require_editor): they see every job's applications.
    if missing:
        raise NotFound(str(_l("We could not find one of these applications.")))
    return [found[public_id] for public_id in wanted]


def prepare_decision(actor: User, public_ids: Sequence[str], stage_key: str | None, reason: str) -> Decision:
    """Load the applications and pick the template for the stage and reason in each candidate's language."""
    applications = load_applications(actor, public_ids)
    organization = actor.organization
    stage = find_stage(organization.id, stage_key) if stage_key else None
    key = stage.key if stage else PLAIN
    known_reasons = reasons_for(organization.id, key)
    if reason not in {slug for slug, _label in known_reasons}:
        reason = ""  # a reason of the stage chosen before: start from the new stage's general wording
    ids = [application.id for application in applications]
    criteria, comments = criterion_summaries(ids), comments_by_application(ids)
    recipients = [
        Recipient(
            application=application,
            language=candidate_language(application.candidate, organization),
            already_in_stage=stage is not None and application.stage == stage.key,
            criteria=criteria.get(application.id, []),
            comments=comments.get(application.id, []),
        )
        for application in applications
    ]
    drafts = []
    for language in dict.fromkeys(recipient.language for recipient in recipients):
        template = pick_template(organization, key, reason, language)
        drafts.append(
            Draft(language, template.subject if template else "", template.body if template else "", template)
        )
    return Decision(organization, stage, reason, recipients, drafts, known_reasons)


def placeholder_values(application: Application, sender: User) -> dict[str, str]:
    """What each placeholder becomes for one application."""
    candidate, organization = application.candidate, application.job.organization
    name = candidate.name.strip()
    return {
        "candidate_name": name,
        "first_name": name.split()[0] if name else "",
        "job_title": application.job.title,
        "organization": organization.name,
        "portal_link": link_request_url(organization),
        "sender_name": sender.name,
    }


def render_wording(wording: Wording, application: Application, sender: User) -> Wording:
    """The subject and body with the placeholders filled for one application."""
    values = placeholder_values(application, sender)
    subject = " ".join(fill_placeholders(wording.subject, values).split())
    return Wording(subject[:MAX_SUBJECT_CHARS], fill_placeholders(wording.body, values).strip())


def check_wordings(wordings: Mapping[str, Wording]) -> None:
    """Every language's subject and body: present, and with placeholders we can fill."""
    for language, wording in wordings.items():
        if not wording.subject.strip():
            raise Invalid(str(_l("Write a subject.")), field=f"subject_{language}")
        if not wording.body.strip():
            raise Invalid(str(_l("Write the message.")), field=f"body_{language}")
        check_placeholders(wording.subject, f"subject_{language}")
        check_placeholders(wording.body, f"body_{language}")


def clean_feedback(feedback: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
    """Only the non-empty points the recruiter chose, trimmed; Invalid when there are too many or too long."""
    cleaned: dict[str, list[str]] = {kind: [] for kind in FEEDBACK_KINDS}
    for kind in FEEDBACK_KINDS:
        for item in (feedback or {}).get(kind, []):
            text = " ".join(str(item).split())
            if text and text not in cleaned[kind]:
                cleaned[kind].append(text)
        if len(cleaned[kind]) > MAX_FEEDBACK_ITEMS:
            raise Invalid(str(_l("Share at most %(count)d points of each kind.", count=MAX_FEEDBACK_ITEMS)))
        if any(len(text) > MAX_FEEDBACK_CHARS for text in cleaned[kind]):
            raise Invalid(
                str(_l("Keep each feedback point under %(count)d characters.", count=MAX_FEEDBACK_CHARS))
            )
    return cleaned


def send_decision(
    actor: User,
    decision: Decision,
    wordings: Mapping[str, Wording],
    feedback: Mapping[int, Mapping[str, Sequence[str]]] | None = None,
) -> list[CandidateMessage]:
    """Move each application (unless already there), write it a message in its language and mail it."""
    require_editor(actor)
    check_wordings(wordings)
    cleaned = {application_id: clean_feedback(points) for application_id, points in (feedback or {}).items()}
    messages = []
    for recipient in decision.recipients:
        wording = wordings.get(recipient.language)
        if wording is None:
            raise Invalid(str(_l("Write the message in every language your candidates read.")))
        application = recipient.application
        if decision.stage is not None and application.stage != decision.stage.key:
            move_application(application, decision.stage.key, actor)
        messages.append(
            send_message(
                actor,
                application,
                render_wording(wording, application, actor),
                language=recipient.language,
                stage_key=decision.stage_key,
                reason=decision.reason or None,
                feedback=cleaned.get(application.id),
            )
        )
    return messages


def send_message(
    actor: User,
    application: Application,
    wording: Wording,
    *,
    language: str,
    stage_key: str | None = None,
    reason: str | None = None,
    feedback: dict[str, list[str]] | None = None,
) -> CandidateMessage:
    """Store a message (already filled in) for the candidate's page and mail it after the commit."""
    require_editor(actor)
    if application.organization_id != actor.organization_id:
        raise NotFound(str(_l("We could not find this application.")))
    message = CandidateMessage(
        organization_id=application.organization_id,
        application_id=application.id,
        sender_id=actor.id,
        stage_key=stage_key,
        reason=reason,
        subject=wording.subject,
        body=wording.body,
        feedback=feedback if feedback and any(feedback.values()) else {},
        language=language,
        sent_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    record_audit(
        application.organization_id,
        actor,
        "candidate.message_sent",
        "application",
        application.id,
        stage=stage_key,
        reason=reason,
        feedback_points=sum(len(points) for points in message.feedback.values()),
    )
    mail_message(message)
    return message


def mail_message(message: CandidateMessage) -> None:
    """E-mail a message in its language, with a personal link to the candidate's page."""
    application = message.application
    candidate, organization = application.candidate, application.job.organization
    mail.send_mail(
        to=candidate.email,
        subject=message.subject,
        template="candidate_message",
        organization=organization,
        locale=message.language,
        candidate=candidate,
        job=application.job,
        message=message,
        strengths=message.feedback.get("strengths", []),
        growth=message.feedback.get("growth", []),
        link=portal_link_url(issue_portal_link(candidate)),
        request_url=link_request_url(organization),
    )
