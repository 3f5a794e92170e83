# SPDX-License-Identifier: AGPL-3.0-or-later
"""What ambassadors share: the ready-made texts (the organization's own or the defaults) and each job's links."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement

from app.advocacy.services import CHANNEL_LABELS, SHARE_CHANNELS, ensure_share_links, find_job, short_url
from app.core.audit import record_audit
from app.core.errors import Invalid, PermissionDenied
from app.core.extensions import db
from app.core.urls import public_url
from app.models import (
    Ambassador,
    Job,
    Organization,
    Role,
    ShareText,
    User,
)
from config import SUPPORTED_LANGUAGES

PLACEHOLDERS = ("job", "organization", "link")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
SHARE_TEXT_MAX_LENGTH = 1000
MANAGE_TEXT_ROLES = frozenset({Role.ADMIN, Role.RECRUITER})


def default_share_text(language: str) -> str:
    """The built-in text, in ``language``, used until the organization writes its own."""
    with force_locale(language):
        return _(
            "We're hiring! {organization} is looking for: {job}. Have a look, and apply if it's for you: {link}"
        )


def check_share_text(body: str) -> str:
    """The text trimmed; Invalid when it is too long or uses a placeholder we don't know."""
    body = body.strip()
    if len(body) > SHARE_TEXT_MAX_LENGTH:
        raise Invalid(
            str(_l("Keep the text under %(max)d characters.", max=SHARE_TEXT_MAX_LENGTH)), field="body"
        )
    for name in PLACEHOLDER.findall(body):
        if name not in PLACEHOLDERS:
            raise Invalid(
                str(
                    _l(
                        "Unknown placeholder {%(name)s}. Use {job}, {organization} and {link}.",
                        name=name[:40],
                    )
                ),
                field="body",
            )
    return body


def render_share_text(template: str, *, job: Job, organization: Organization, link: str) -> str:
    """The text with its placeholders filled (plain replacement: no formatting language runs)."""
    text = template.replace("{job}", job.title).replace("{organization}", organization.name)
    if "{link}" in text:
        return text.replace("{link}", link)
    return f"{text} {link}".strip()


def share_language(job: Job, organization: Organization) -> str:
    """The language a job is shared in: the job's own, else the organization's."""
    if job.language in SUPPORTED_LANGUAGES:
        return job.language
    if organization.default_language in SUPPORTED_LANGUAGES:
        return organization.default_language
    return SUPPORTED_LANGUAGES[0]


def share_text_template(organization: Organization, job: Job | None, language: str) -> str:
    """The text for a job: the job's own, else the organization's default, else the built-in one."""
    for_job: ColumnElement[bool] = ShareText.job_id.is_(None)
    if job is not None:
        for_job = for_job | (ShareText.job_id == job.id)
    rows = db.session.scalars(
        db.select(ShareText).where(
            ShareText.organization_id == organization.id, ShareText.language == language, for_job
        )
    ).all()
    by_job = {row.job_id: row.body for row in rows}
    if job is not None and by_job.get(job.id):
        return by_job[job.id]
    return by_job.get(None) or default_share_text(language)


def require_text_manager(actor: User) -> None:
    """Admins and recruiters write the organization's share texts."""
    if actor.role not in MANAGE_TEXT_ROLES:
        raise PermissionDenied(str(_l("Only administrators and recruiters can edit share texts.")))


def save_share_text(actor: User, *, job_id: int | None, language: str, body: str) -> ShareText | None:
    """Write the default text (no job) or a job's text in one language; an empty text removes it."""
    require_text_manager(actor)
    if language not in SUPPORTED_LANGUAGES:
        raise Invalid(str(_l("Choose a language.")), field="language")
    job = find_job(actor, job_id) if job_id else None
    body = check_share_text(body)
    row = db.session.scalar(
        db.select(ShareText).where(
            ShareText.organization_id == actor.organization_id,
            ShareText.language == language,
            ShareText.job_id == job.id if job else ShareText.job_id.is_(None),
        )
    )
    if not body:
        if row is not None:
            db.session.delete(row)
        row = None
    elif row is None:
        row = ShareText(
            organization_id=actor.organization_id,
            job_id=job.id if job else None,
            language=language,
            body=body,
        )
        db.session.add(row)
    else:
        row.body = body
    record_audit(
        actor.organization_id,
        actor,
        "advocacy.share_text_saved",
        "job",
        job.id if job else None,
        language=language,
    )
    db.session.flush()
    return row


def list_share_texts(actor: User) -> list[ShareText]:
    """The organization's own share texts: defaults first, then per job."""
    require_text_manager(actor)
    return list(
        db.session.scalars(
            db.select(ShareText)
            .where(ShareText.organization_id == actor.organization_id)
            .order_by(ShareText.job_id.is_not(None), ShareText.job_id, ShareText.language)
        )
    )


@dataclass(frozen=True)
class ChannelLink:
    """One way of sharing a job: the ambassador's short link and the network's share address."""

    channel: str
    label: str
    short_url: str
    share_url: str | None


@dataclass(frozen=True)
class JobShare:
    """Everything the home shows to share one job."""

    job: Job
    card_url: str
    links: list[ChannelLink]
    copy_url: str
    text: str


def share_address(channel: str, *, link: str, message: str, subject: str) -> str | None:
    """The network's own "share this" address for a channel (None for copy: people paste the link)."""

    def enc(value: str) -> str:
        return quote(value, safe="")

    if channel == "linkedin":
        return f"https://www.linkedin.com/sharing/share-offsite/?url={enc(link)}"
    if channel == "x":
        return f"https://twitter.com/intent/tweet?text={enc(message)}"
    if channel == "facebook":
        return f"https://www.facebook.com/sharer/sharer.php?u={enc(link)}"
    if channel == "whatsapp":
        return f"https://wa.me/?text={enc(message)}"
    if channel == "email":
        return f"mailto:?subject={enc(subject)}&body={enc(message)}"
    return None


def job_shares(ambassador: Ambassador, organization: Organization, jobs: Sequence[Job]) -> list[JobShare]:
    """For each open job: the ambassador's links per channel and the ready-made text."""
    links = ensure_share_links(ambassador, jobs)
    shares = []
    for job in jobs:
        language = share_language(job, organization)
        template = share_text_template(organization, job, language)
        with force_locale(language):
            subject = _("%(job)s at %(organization)s", job=job.title, organization=organization.name)
        channel_links = []
        for channel in SHARE_CHANNELS:
            link = links.get((job.id, channel))
            if link is None:
                continue
            url = short_url(link)
            message = render_share_text(template, job=job, organization=organization, link=url)
            channel_links.append(
                ChannelLink(
                    channel=channel,
                    label=str(CHANNEL_LABELS[channel]),
                    short_url=url,
                    share_url=share_address(channel, link=url, message=message, subject=subject),
                )
            )
        copy = next((item.short_url for item in channel_links if item.channel == "copy"), "")
        shares.append(
            JobShare(
                job=job,
                card_url=public_url("careers.job", org_slug=organization.slug, job_slug=job.slug),
                links=[item for item in channel_links if item.channel != "copy"],
                copy_url=copy,
                text=render_share_text(template, job=job, organization=organization, link=copy),
            )
        )
    return shares
