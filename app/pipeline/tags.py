# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tags on applications: one list per organization, names compared without regard to case."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.audit import record_audit
from app.core.errors import Invalid
from app.core.extensions import db
from app.models import Application, ApplicationTag, Tag, User

MAX_TAG_LENGTH = 40


def clean_tag_name(name: str | None) -> str:
    """A tag name with its spaces tidied; Invalid when empty or too long."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise Invalid(str(_l("Type the name of a tag.")), field="tag")
    if len(cleaned) > MAX_TAG_LENGTH:
        raise Invalid(
            str(_l("A tag can be at most %(count)d characters long.", count=MAX_TAG_LENGTH)), field="tag"
        )
    return cleaned


def list_tags(organization_id: int) -> list[Tag]:
    """The organization's tags, alphabetically."""
    return list(
        db.session.scalars(
            select(Tag).where(Tag.organization_id == organization_id).order_by(func.lower(Tag.name), Tag.id)
        )
    )


def find_tag(organization_id: int, name: str) -> Tag | None:
    """The organization's tag with this name, whatever its case."""
    return db.session.scalar(
        select(Tag).where(Tag.organization_id == organization_id, func.lower(Tag.name) == name.lower())
    )


def find_or_create_tag(organization_id: int, name: str) -> Tag:
    """The organization's tag with this name, created when it does not exist yet."""
    cleaned = clean_tag_name(name)
    tag = find_tag(organization_id, cleaned)
    if tag is None:
        tag = Tag(organization_id=organization_id, name=cleaned)
        db.session.add(tag)
        db.session.flush()
    return tag


def tag_applications(actor: User, applications: Sequence[Application], name: str) -> tuple[Tag, int]:
    """Put a tag on applications of the actor's organization; returns the tag and how many got it."""
    tag = find_or_create_tag(actor.organization_id, name)
    ids = [
        application.id for application in applications if application.organization_id == actor.organization_id
    ]
    already = set(
        db.session.scalars(
            select(ApplicationTag.application_id).where(
                ApplicationTag.tag_id == tag.id, ApplicationTag.application_id.in_(ids)
            )
        )
    )
    added = [application_id for application_id in ids if application_id not in already]
    db.session.add_all(
        ApplicationTag(application_id=application_id, tag_id=tag.id) for application_id in added
    )
    for application_id in added:
        record_audit(
            actor.organization_id, actor, "application.tagged", "application", application_id, tag_id=tag.id
        )
    db.session.flush()
    return tag, len(added)


def untag_applications(actor: User, applications: Sequence[Application], name: str) -> tuple[Tag, int]:
    """Take a tag off applications; returns the tag and how many lost it."""
    tag = find_tag(actor.organization_id, clean_tag_name(name))
    if tag is None:
        raise Invalid(str(_l("There is no tag “%(tag)s”.", tag=name.strip())), field="tag")
    ids = [
        application.id for application in applications if application.organization_id == actor.organization_id
    ]
    links = db.session.scalars(
        select(ApplicationTag).where(ApplicationTag.tag_id == tag.id, ApplicationTag.application_id.in_(ids))
    ).all()
    for link in links:
        record_audit(
            actor.organization_id,
            actor,
            "application.untagged",
            "application",
            link.application_id,
            tag_id=tag.id,
        )
        db.session.delete(link)
    db.session.flush()
    return tag, len(links)
