# SPDX-License-Identifier: AGPL-3.0-or-later
"""Message templates: each organization's wording per stage, reason and language."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.core.audit import record_audit
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.extensions import db
from app.feedback.defaults import DEFAULT_TEMPLATES, PLAIN, REASONS
from app.feedback.placeholders import check_placeholders
from app.models import MessageTemplate, Organization, Role, User
from app.pipeline.stages import stage_names

EDITING_ROLES = (Role.ADMIN, Role.RECRUITER)
REASON_PATTERN = re.compile(r"[a-z0-9_]{0,40}")
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class TemplateData:
    """The editable fields of a message template."""

    stage_key: str
    reason: str
    language: str
    name: str
    subject: str
    body: str


def require_editor(actor: User) -> None:
    """Only admins and recruiters write to candidates and edit what they receive."""
    if actor.role not in EDITING_ROLES:
        raise PermissionDenied(str(_l("You do not have permission to do this.")))


def languages() -> tuple[str, ...]:
    """The languages candidates may read messages in."""
    return tuple(current_app.config["LANGUAGES"])


def ensure_default_templates(organization: Organization) -> int:
    """Give an organization without any template the default ones, in every language; how many were added."""
    has_any = db.session.scalar(
        db.select(MessageTemplate.id).where(MessageTemplate.organization_id == organization.id).limit(1)
    )
    if has_any is not None:
        return 0
    rows = [
        MessageTemplate(
            organization_id=organization.id,
            stage_key=default.stage_key,
            reason=default.reason,
            language=language,
            name=default.names[language],
            subject=default.subjects[language],
            body=default.bodies[language],
        )
        for default in DEFAULT_TEMPLATES
        for language in languages()
        if language in default.bodies
    ]
    try:
        with db.session.begin_nested():
            db.session.add_all(rows)
    except IntegrityError:
        return 0  # another request created them at the same moment
    return len(rows)


def list_templates(actor: User) -> list[MessageTemplate]:
    """The organization's templates, by stage, reason and language (defaults created on first use)."""
    require_editor(actor)
    ensure_default_templates(actor.organization)
    return list(
        db.session.scalars(
            db.select(MessageTemplate)
            .where(MessageTemplate.organization_id == actor.organization_id)
            .order_by(MessageTemplate.stage_key, MessageTemplate.reason, MessageTemplate.language)
        )
    )


def get_template(actor: User, template_id: int) -> MessageTemplate:
    """One template of the actor's organization; NotFound otherwise."""
    require_editor(actor)
    template = db.session.scalar(
        db.select(MessageTemplate).where(
            MessageTemplate.id == template_id, MessageTemplate.organization_id == actor.organization_id
        )
    )
    if template is None:
        raise NotFound(str(_l("We could not find this message template.")))
    return template


def validate_template(organization_id: int, data: TemplateData, template_id: int | None = None) -> None:
    """Check the stage, reason, language and placeholders; Invalid names the field at fault."""
    if data.stage_key != PLAIN and data.stage_key not in stage_names(organization_id):
        raise Invalid(str(_l("Choose one of your pipeline's stages.")), field="stage_key")
    if not REASON_PATTERN.fullmatch(data.reason):
        raise Invalid(
            str(_l("Use lowercase letters, digits and underscores only (at most 40).")), field="reason"
        )
    if data.language not in languages():
        raise Invalid(str(_l("Choose a language candidates can read.")), field="language")
    check_placeholders(data.subject, "subject")
    check_placeholders(data.body, "body")
    clash = db.session.scalar(
        db.select(MessageTemplate.id).where(
            MessageTemplate.organization_id == organization_id,
            MessageTemplate.stage_key == data.stage_key,
            MessageTemplate.reason == data.reason,
            MessageTemplate.language == data.language,
            MessageTemplate.id != (template_id or 0),
        )
    )
    if clash is not None:
        raise Invalid(
            str(_l("There is already a template for this stage, reason and language.")), field="reason"
        )


def create_template(actor: User, data: TemplateData) -> MessageTemplate:
    """Add a template for a stage, reason and language."""
    require_editor(actor)
    ensure_default_templates(actor.organization)
    validate_template(actor.organization_id, data)
    template = MessageTemplate(organization_id=actor.organization_id, **asdict(data))
    db.session.add(template)
    db.session.flush()
    record_audit(actor.organization_id, actor, "feedback.template_created", "message_template", template.id)
    return template


def update_template(actor: User, template_id: int, data: TemplateData) -> MessageTemplate:
    """Change a template's wording (and where it applies)."""
    template = get_template(actor, template_id)
    validate_template(actor.organization_id, data, template_id=template.id)
    for key, value in asdict(data).items():
        setattr(template, key, value)
    db.session.flush()
    record_audit(actor.organization_id, actor, "feedback.template_updated", "message_template", template.id)
    return template


def delete_template(actor: User, template_id: int) -> None:
    """Remove a template; messages already sent keep their text."""
    template = get_template(actor, template_id)
    db.session.delete(template)
    db.session.flush()
    record_audit(actor.organization_id, actor, "feedback.template_deleted", "message_template", template_id)


def pick_template(
    organization: Organization, stage_key: str, reason: str, language: str
) -> MessageTemplate | None:
    """The best template for a decision: the stage's (for the reason, else general), else a plain message.

    Each is looked for in the candidate's language, then the organization's, then English.
    """
    ensure_default_templates(organization)
    rows = db.session.scalars(
        db.select(MessageTemplate).where(
            MessageTemplate.organization_id == organization.id,
            MessageTemplate.stage_key.in_({stage_key, PLAIN}),
        )
    ).all()
    found = {(row.stage_key, row.reason, row.language): row for row in rows}
    tongues = list(dict.fromkeys([language, organization.default_language, FALLBACK_LANGUAGE]))
    # The candidate's language matters more than the exact reason; a plain message comes last.
    keys = [(stage_key, wanted, tongue) for tongue in tongues for wanted in (reason, "")]
    keys += [(PLAIN, "", tongue) for tongue in tongues]
    for key in dict.fromkeys(keys):
        if key in found:
            return found[key]
    return None


def reasons_for(organization_id: int, stage_key: str) -> list[tuple[str, str]]:
    """The reasons recruiters can pick for a stage: the built-in ones and those of the organization's templates."""
    reasons = [(slug, str(label)) for slug, label in REASONS.get(stage_key, [])]
    known = {slug for slug, _label in reasons}
    own = db.session.scalars(
        db.select(MessageTemplate.reason)
        .where(
            MessageTemplate.organization_id == organization_id,
            MessageTemplate.stage_key == stage_key,
            MessageTemplate.reason != "",
        )
        .distinct()
        .order_by(MessageTemplate.reason)
    )
    reasons += [(slug, reason_label(slug)) for slug in own if slug not in known]
    return reasons


def reason_label(slug: str) -> str:
    """A readable name for a reason slug: the built-in label, else the slug with spaces."""
    for reasons in REASONS.values():
        for key, label in reasons:
            if key == slug:
                return str(label)
    return slug.replace("_", " ").capitalize()
