# SPDX-License-Identifier: AGPL-3.0-or-later
"""Creating organizations and changing their branding."""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from app.auth.emails import parse_internal_domains
from app.auth.mfa import MfaPolicy
from app.core.audit import record_audit
from app.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from app.core.extensions import db
from app.core.storage.uploads import (
    IMAGE_TYPES,
    organization_prefix,
    store_checked_upload,
    store_video_upload,
)
from app.models import Organization, Role, User
from app.pipeline.stages import ensure_default_stages
from config import SUPPORTED_LANGUAGES

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
LOGO_MAX_BYTES = 2 * 1024 * 1024
CAREER_VIDEO_MAX_BYTES = 20 * 1024 * 1024
CAREER_INTRO_MAX_CHARS = 5000


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40]


def generate_slug(name: str) -> str:
    """A readable prefix and a random suffix, so public slugs cannot be guessed."""
    prefix = slugify(name) or "org"
    return f"{prefix}-{secrets.token_hex(4)}"


def validate_slug(slug: str) -> str:
    """A slug of 3 to 63 lowercase letters, digits and inner hyphens."""
    slug = slug.strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise Invalid(
            str(
                _l(
                    "Use 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit."
                )
            ),
            field="slug",
        )
    return slug


def validate_color(value: str, field: str) -> str:
    """A colour written as #rrggbb."""
    if not COLOR_PATTERN.match(value.strip()):
        raise Invalid(str(_l("Write the colour as #rrggbb, for example #1f4b99.")), field=field)
    return value.strip().lower()


def validate_language(value: str) -> str:
    """One of the languages the product speaks."""
    if value not in SUPPORTED_LANGUAGES:
        raise Invalid(str(_l("Choose English or Italian.")), field="default_language")
    return value


def find_organization_by_slug(slug: str) -> Organization:
    """The organization with this public slug; NotFound otherwise."""
    organization = db.session.scalar(db.select(Organization).where(Organization.slug == slug.strip().lower()))
    if organization is None:
        raise NotFound(str(_l("No organization uses the slug “%(slug)s”.", slug=slug)))
    return organization


def create_organization(name: str, slug: str | None = None, default_language: str = "en") -> Organization:
    """A new organization; the slug is generated when not given."""
    name = name.strip()
    if not name:
        raise Invalid(str(_l("Give the organization a name.")), field="name")
    slug = validate_slug(slug) if slug else generate_slug(name)
    if db.session.scalar(db.select(Organization.id).where(Organization.slug == slug)) is not None:
        raise Conflict(str(_l("The slug “%(slug)s” is already taken.", slug=slug)), field="slug")
    organization = Organization(
        name=name[:120], slug=slug, default_language=validate_language(default_language)
    )
    db.session.add(organization)
    db.session.flush()
    ensure_default_stages(organization)
    return organization


def update_branding(
    actor: User, *, name: str, primary_color: str, accent_color: str, default_language: str
) -> Organization:
    """Change the organization's name, colours and default language."""
    organization = actor.organization
    if not name.strip():
        raise Invalid(str(_l("Give the organization a name.")), field="name")
    organization.name = name.strip()[:120]
    organization.primary_color = validate_color(primary_color, "primary_color")
    organization.accent_color = validate_color(accent_color, "accent_color")
    organization.default_language = validate_language(default_language)
    record_audit(organization.id, actor, "organization.branding_updated", "organization", organization.id)
    return organization


def replace_logo(actor: User, stream: BinaryIO) -> str | None:
    """Store a new logo (PNG, JPEG or WebP, checked by content); returns the old key to delete."""
    stored = store_checked_upload(
        stream,
        allowed=IMAGE_TYPES,
        prefix=organization_prefix(actor.organization_id, "logos"),
        max_size=LOGO_MAX_BYTES,
        field="logo",
        wrong_type=str(_l("The logo must be a PNG, JPEG or WebP image.")),
        too_large=str(_l("The logo must be at most 2 MB.")),
    )
    organization = actor.organization
    old_key = organization.logo_key
    organization.logo_key = stored.key
    organization.logo_content_type = stored.content_type
    record_audit(organization.id, actor, "organization.logo_replaced", "organization", organization.id)
    return old_key


def update_career_intro(actor: User, intro_md: str) -> Organization:
    """The Markdown welcome text of the career site."""
    if len(intro_md) > CAREER_INTRO_MAX_CHARS:
        raise Invalid(
            str(_l("Keep the introduction under %(count)d characters.", count=CAREER_INTRO_MAX_CHARS)),
            field="career_intro_md",
        )
    actor.organization.career_intro_md = intro_md.strip()
    return actor.organization


def replace_career_video(actor: User, stream: BinaryIO) -> str | None:
    """Store the career site's intro video (WebM or MP4, checked by content); returns the old key."""
    stored = store_video_upload(
        stream,
        prefix=organization_prefix(actor.organization_id, "career-videos"),
        max_size=CAREER_VIDEO_MAX_BYTES,
        field="career_video",
    )
    organization = actor.organization
    old_key = organization.career_video_key
    organization.career_video_key = stored.key
    organization.career_video_content_type = stored.content_type
    record_audit(
        organization.id, actor, "organization.career_video_replaced", "organization", organization.id
    )
    return old_key


def remove_career_video(actor: User) -> str | None:
    """Take the intro video off the career site; returns the key to delete after the commit."""
    organization = actor.organization
    old_key = organization.career_video_key
    organization.career_video_key = None
    organization.career_video_content_type = None
    return old_key


def update_security_settings(actor: User, *, mfa_policy: str, staff_email_domains: str) -> Organization:
    """Who must use two-step sign-in, and which internal domains staff addresses may use."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(str(_l("Only administrators can change the security settings.")))
    if mfa_policy not in MfaPolicy.ALL:
        raise Invalid(str(_l("Choose who must use two-step sign-in.")), field="mfa_policy")
    organization = actor.organization
    domains = "\n".join(parse_internal_domains(staff_email_domains))
    previous = {
        "mfa_policy": organization.mfa_policy,
        "staff_email_domains": organization.staff_email_domains,
    }
    organization.mfa_policy = mfa_policy
    organization.staff_email_domains = domains
    if previous != {"mfa_policy": mfa_policy, "staff_email_domains": domains}:
        record_audit(
            organization.id,
            actor,
            "organization.security_updated",
            "organization",
            organization.id,
            mfa_policy=mfa_policy,
            staff_email_domains=domains.split(),
        )
    return organization
