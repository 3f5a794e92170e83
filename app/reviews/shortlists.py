# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shortlists: a recruiter's picks for a job, shared with hiring managers or through an outside link."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app.core import mail
from app.core.audit import record_audit
from app.core.database import changed_rows
from app.core.errors import Conflict, Gone, Invalid, NotFound, PermissionDenied
from app.core.extensions import db
from app.core.security import hash_token, new_token
from app.core.urls import public_url
from app.models import Application, ApplicationStage, Job, Role, User, utcnow
from app.models.interview import InterviewInvitation
from app.models.review import Shortlist, ShortlistEntry, ShortlistShare
from app.pipeline.stages import advance_application
from app.reviews.access import active_manager_shares, record_share_event, share_is_active
from app.reviews.services import STARTED_INTERVIEW, Reviewer, Spread, pseudonym, ratings_for, reviewed_by

MANAGING_ROLES = (Role.ADMIN, Role.RECRUITER)
STAFF_ROLES = (Role.ADMIN, Role.RECRUITER, Role.MANAGER)
LINK_DEFAULT_DAYS = 14
LINK_MAX_DAYS = 90
MAX_ENTRIES = 200


class ShareGone(Gone):
    """The link was revoked or has expired."""


class ShareTaken(PermissionDenied):
    """The outside link already belongs to another reviewer (another browser gave its name first)."""


@dataclass(frozen=True)
class ShortlistRow:
    """A shortlist in the index: its job, size and running shares."""

    shortlist: Shortlist
    entry_count: int
    active_share_count: int


@dataclass(frozen=True)
class EntryRow:
    """One application on a shortlist as a given viewer may see it."""

    entry: ShortlistEntry
    application: Application
    display_name: str
    identity_hidden: bool
    has_interview: bool
    reviewed: bool
    review_count: int
    # Only for a viewer who submitted their own review of this application.
    rating: Spread | None


def _require_manager_role(actor: User) -> None:
    if actor.role not in MANAGING_ROLES:
        raise PermissionDenied(str(_l("Shortlists are built and shared by recruiters and admins.")))


# -- staff: building -------------------------------------------------------------------------------


def shortlist_jobs(actor: User) -> list[Job]:
    """The organization's jobs a shortlist can be made for, by title."""
    _require_manager_role(actor)
    return list(
        db.session.scalars(
            db.select(Job).where(Job.organization_id == actor.organization_id).order_by(Job.title, Job.id)
        )
    )


def create_shortlist(actor: User, job_id: int, name: str) -> Shortlist:
    """A new, empty shortlist for one of the organization's jobs."""
    _require_manager_role(actor)
    job = db.session.scalar(
        db.select(Job).where(Job.id == job_id, Job.organization_id == actor.organization_id)
    )
    if job is None:
        raise Invalid(str(_l("Choose one of your jobs.")), field="job_id")
    name = " ".join(name.split())
    if not name:
        raise Invalid(str(_l("Give the shortlist a name.")), field="name")
    shortlist = Shortlist(
        organization_id=actor.organization_id, job_id=job.id, name=name[:200], created_by_id=actor.id
    )
    shortlist.job = job
    db.session.add(shortlist)
    db.session.flush()
    record_audit(actor.organization_id, actor, "shortlist.created", "shortlist", shortlist.id, job_id=job.id)
    return shortlist


def list_shortlists(actor: User) -> list[ShortlistRow]:
    """Recruiters and admins: every shortlist of the organization; managers: those shared with them."""
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied(str(_l("Shortlists are for recruiters, admins and hiring managers.")))
    query = (
        db.select(Shortlist)
        .where(Shortlist.organization_id == actor.organization_id)
        .options(joinedload(Shortlist.job))
        .order_by(Shortlist.created_at.desc(), Shortlist.id.desc())
    )
    if actor.role == Role.MANAGER:
        query = query.where(Shortlist.id.in_(active_manager_shares(actor).with_only_columns(Shortlist.id)))
    shortlists = list(db.session.scalars(query))
    ids = [shortlist.id for shortlist in shortlists]
    entry_counts = _counts(
        db.select(ShortlistEntry.shortlist_id, db.func.count()), ShortlistEntry.shortlist_id, ids
    )
    share_counts = _counts(
        db.select(ShortlistShare.shortlist_id, db.func.count()).where(share_is_active()),
        ShortlistShare.shortlist_id,
        ids,
    )
    return [
        ShortlistRow(shortlist, entry_counts.get(shortlist.id, 0), share_counts.get(shortlist.id, 0))
        for shortlist in shortlists
    ]


def _counts(query, column, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = db.session.execute(query.where(column.in_(ids)).group_by(column))
    return {key: count for key, count in rows}


def find_shortlist(actor: User, shortlist_id: int) -> Shortlist:
    """A shortlist the actor may open: any of the organization's for recruiters, a shared one for managers."""
    shortlist = db.session.scalar(
        db.select(Shortlist).where(
            Shortlist.id == shortlist_id, Shortlist.organization_id == actor.organization_id
        )
    )
    if shortlist is None or actor.role not in STAFF_ROLES:
        raise NotFound(str(_l("We could not find this shortlist.")))
    if actor.role == Role.MANAGER and manager_share(actor, shortlist) is None:
        raise PermissionDenied(str(_l("This shortlist has not been shared with you.")))
    return shortlist


def manager_share(actor: User, shortlist: Shortlist) -> ShortlistShare | None:
    """The running share of ``shortlist`` with the manager ``actor``, if any."""
    return db.session.scalar(
        active_manager_shares(actor)
        .where(ShortlistShare.shortlist_id == shortlist.id)
        .order_by(ShortlistShare.id)
    )


def find_managed_shortlist(actor: User, shortlist_id: int) -> Shortlist:
    """A shortlist the actor may change (recruiters and admins)."""
    _require_manager_role(actor)
    return find_shortlist(actor, shortlist_id)


def delete_shortlist(actor: User, shortlist_id: int) -> None:
    """Delete a shortlist; its shares stop working with it."""
    shortlist = find_managed_shortlist(actor, shortlist_id)
    record_audit(
        actor.organization_id, actor, "shortlist.deleted", "shortlist", shortlist.id, job_id=shortlist.job_id
    )
    db.session.delete(shortlist)
    db.session.flush()


def addable_applications(shortlist: Shortlist) -> list[Application]:
    """The job's open applications not on the shortlist yet, newest first."""
    on_list = db.select(ShortlistEntry.application_id).where(ShortlistEntry.shortlist_id == shortlist.id)
    return list(
        db.session.scalars(
            db.select(Application)
            .where(
                Application.job_id == shortlist.job_id,
                Application.organization_id == shortlist.organization_id,
                Application.closed_at.is_(None),
                Application.id.not_in(on_list),
            )
            .options(joinedload(Application.candidate))
            .order_by(Application.submitted_at.desc(), Application.id.desc())
            .limit(MAX_ENTRIES)
        )
    )


def add_entries(actor: User, shortlist_id: int, application_ids: Sequence[int]) -> int:
    """Put applications of the shortlist's job on it (moving them on to "shortlisted"); returns how many."""
    shortlist = find_managed_shortlist(actor, shortlist_id)
    if not application_ids:
        raise Invalid(str(_l("Choose at least one application.")), field="application_ids")
    addable = {application.id: application for application in addable_applications(shortlist)}
    chosen = [
        addable[application_id]
        for application_id in dict.fromkeys(application_ids)
        if application_id in addable
    ]
    if len(chosen) != len(set(application_ids)):
        raise Invalid(str(_l("Only open applications to this job that are not on the list can be added.")))
    if len(shortlist.entries) + len(chosen) > MAX_ENTRIES:
        raise Invalid(str(_l("A shortlist holds at most %(count)d applications.", count=MAX_ENTRIES)))
    for application in chosen:
        db.session.add(ShortlistEntry(shortlist_id=shortlist.id, application_id=application.id))
        advance_application(application, ApplicationStage.SHORTLISTED.value, actor)
    db.session.flush()
    record_audit(
        actor.organization_id,
        actor,
        "shortlist.entries_added",
        "shortlist",
        shortlist.id,
        application_ids=[application.id for application in chosen],
    )
    return len(chosen)


def remove_entry(actor: User, shortlist_id: int, entry_id: int) -> None:
    """Take an application off the shortlist (its stage stays where it is)."""
    shortlist = find_managed_shortlist(actor, shortlist_id)
    entry = db.session.scalar(
        db.select(ShortlistEntry).where(
            ShortlistEntry.id == entry_id, ShortlistEntry.shortlist_id == shortlist.id
        )
    )
    if entry is None:
        raise NotFound(str(_l("This application is not on the shortlist.")))
    application_id = entry.application_id
    db.session.delete(entry)
    db.session.flush()
    record_audit(
        actor.organization_id,
        actor,
        "shortlist.entry_removed",
        "shortlist",
        shortlist.id,
        application_id=application_id,
    )


# -- staff: sharing --------------------------------------------------------------------------------


def shareable_managers(actor: User) -> list[User]:
    """The organization's active hiring managers, by name."""
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.organization_id == actor.organization_id,
                User.role == Role.MANAGER,
                User.active.is_(True),
            )
            .order_by(User.name, User.id)
        )
    )


def share_with_manager(actor: User, shortlist_id: int, user_id: int) -> ShortlistShare:
    """Share the shortlist with a hiring manager and e-mail them a link (after the commit)."""
    shortlist = find_managed_shortlist(actor, shortlist_id)
    manager = db.session.scalar(
        db.select(User).where(
            User.id == user_id,
            User.organization_id == actor.organization_id,
            User.role == Role.MANAGER,
            User.active.is_(True),
        )
    )
    if manager is None:
        raise Invalid(str(_l("Choose one of your active hiring managers.")), field="user_id")
    if manager_share(manager, shortlist) is not None:
        raise Conflict(str(_l("This shortlist is already shared with %(name)s.", name=manager.name)))
    share = ShortlistShare(
        shortlist_id=shortlist.id, user_id=manager.id, label=manager.name[:120], created_by_id=actor.id
    )
    share.shortlist, share.user = shortlist, manager
    db.session.add(share)
    db.session.flush()
    for entry in shortlist.entries:
        advance_application(entry.application, ApplicationStage.MANAGER_REVIEW.value, actor)
    record_audit(
        actor.organization_id,
        actor,
        "shortlist.shared",
        "shortlist",
        shortlist.id,
        share_id=share.id,
        user_id=manager.id,
    )
    send_share_mail(actor, share)
    return share


def send_share_mail(actor: User, share: ShortlistShare) -> None:
    """Tell a manager a shortlist was shared with them, with the link to it."""
    manager, shortlist = share.user, share.shortlist
    if manager is None:  # a link for outside reviewers: no colleague to tell
        return
    organization = shortlist.job.organization
    mail.send_mail(
        to=manager.email,
        subject=_l(
            "%(name)s shared a shortlist for %(job)s with you", name=actor.name, job=shortlist.job.title
        ),
        template="shortlist_shared",
        organization=organization,
        locale=manager.language or organization.default_language,
        manager=manager,
        sharer=actor,
        shortlist=shortlist,
        job=shortlist.job,
        entry_count=len(shortlist.entries),
        link=public_url("reviews.shortlist", shortlist_id=shortlist.id),
    )


def create_share_link(actor: User, shortlist_id: int, label: str, days: int) -> tuple[ShortlistShare, str]:
    """An outside link to the shortlist that expires after ``days``; returns the share and its raw token."""
    shortlist = find_managed_shortlist(actor, shortlist_id)
    label = " ".join(label.split())
    if not label:
        raise Invalid(str(_l("Say who the link is for, so you can recognise it later.")), field="label")
    if not 1 <= days <= LINK_MAX_DAYS:
        raise Invalid(str(_l("A link lasts from 1 to %(days)d days.", days=LINK_MAX_DAYS)), field="days")
    raw, token_hash = new_token()
    share = ShortlistShare(
        shortlist_id=shortlist.id,
        token_hash=token_hash,
        label=label[:120],
        expires_at=utcnow() + timedelta(days=days),
        created_by_id=actor.id,
    )
    share.shortlist = shortlist
    db.session.add(share)
    db.session.flush()
    record_audit(
        actor.organization_id,
        actor,
        "shortlist.link_created",
        "shortlist",
        shortlist.id,
        share_id=share.id,
        share_label=share.label,
        days=days,
    )
    return share, raw


def share_link_url(raw: str) -> str:
    """The absolute address of an outside link."""
    return public_url("reviews.shared_shortlist", token=raw)


def revoke_share(actor: User, shortlist_id: int, share_id: int) -> ShortlistShare:
    """Stop a share (a manager's or a link) at once."""
    shortlist = find_managed_shortlist(actor, shortlist_id)
    share = db.session.scalar(
        db.select(ShortlistShare).where(
            ShortlistShare.id == share_id, ShortlistShare.shortlist_id == shortlist.id
        )
    )
    if share is None:
        raise NotFound(str(_l("We could not find this share.")))
    if share.revoked_at is None:
        share.revoked_at = utcnow()
        db.session.flush()
        record_audit(
            actor.organization_id,
            actor,
            "shortlist.share_revoked",
            "shortlist",
            shortlist.id,
            share_id=share.id,
            share_label=share.label,
        )
    return share


# -- outside links -------------------------------------------------------------------------------


def open_share_link(raw: str, now: datetime | None = None) -> ShortlistShare:
    """The share behind an outside link; NotFound if unknown, ShareGone (recorded) if revoked or expired."""
    share = db.session.scalar(
        db.select(ShortlistShare)
        .where(ShortlistShare.token_hash == hash_token(raw or ""), ShortlistShare.token_hash.is_not(None))
        .options(joinedload(ShortlistShare.shortlist))
    )
    if share is None:
        raise NotFound(str(_l("This review link is not valid.")))
    moment = now or utcnow()
    if not share.is_active_at(moment):
        record_share_event(
            share, "shortlist.share_refused", reason="revoked" if share.revoked_at else "expired"
        )
        if share.revoked_at is not None:
            raise ShareGone(str(_l("This review link was withdrawn by the team that shared it.")))
        raise ShareGone(str(_l("This review link has expired.")))
    share.last_used_at = moment
    return share


def share_reviewer(share: ShortlistShare, key: str | None) -> Reviewer | None:
    """The link's reviewer when ``key`` (kept in their browser) is theirs; None otherwise."""
    if not key or share.reviewer_key_hash is None or hash_token(key) != share.reviewer_key_hash:
        return None
    return Reviewer(name=share.reviewer_name or "", share=share, key=key)


def join_share_link(share: ShortlistShare, name: str, key: str | None = None) -> Reviewer:
    """Make the first person to give their name the link's one reviewer; ShareTaken for anyone after.

    ``key`` adopts a browser key from before links had one reviewer (its earlier reviews stay theirs);
    otherwise a new random key is made for the browser to keep.
    """
    name = " ".join(name.split())[:120]
    if not name:
        raise Invalid(str(_l("Tell us your name.")), field="name")
    key = key or new_token()[0]
    # Conditional on nobody having joined, so two browsers opening the link at once cannot both join.
    joined = changed_rows(
        db.update(ShortlistShare)
        .where(ShortlistShare.id == share.id, ShortlistShare.reviewer_key_hash.is_(None))
        .values(reviewer_name=name, reviewer_key_hash=hash_token(key), reviewer_joined_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(share, ["reviewer_name", "reviewer_key_hash", "reviewer_joined_at"])
    if joined != 1:
        raise ShareTaken(
            str(
                _l(
                    "Someone else already reviews through this link. Each reviewer needs a link of "
                    "their own: ask the team that sent it to you for one."
                )
            )
        )
    record_share_event(share, "shortlist.share_reviewer_joined", reviewer_name=name)
    return Reviewer(name=name, share=share, key=key)


def find_shared_application(share: ShortlistShare, public_id: str) -> Application:
    """An application on the shared shortlist; NotFound for anything else."""
    application = db.session.scalar(
        db.select(Application)
        .join(ShortlistEntry, ShortlistEntry.application_id == Application.id)
        .where(
            ShortlistEntry.shortlist_id == share.shortlist_id,
            Application.public_id == public_id,
            Application.organization_id == share.shortlist.organization_id,
        )
        .options(joinedload(Application.candidate), joinedload(Application.job))
    )
    if application is None:
        raise NotFound(str(_l("This candidate is not on the shared shortlist.")))
    return application


# -- what a viewer sees of the entries -------------------------------------------------------------


def entry_rows(shortlist: Shortlist, reviewer: Reviewer) -> list[EntryRow]:
    """The shortlist's applications as ``reviewer`` may see them (pseudonyms and ratings per the rules)."""
    entries = list(
        db.session.scalars(
            db.select(ShortlistEntry)
            .where(ShortlistEntry.shortlist_id == shortlist.id)
            .options(joinedload(ShortlistEntry.application).joinedload(Application.candidate))
            .order_by(ShortlistEntry.added_at, ShortlistEntry.id)
        )
    )
    ids = [entry.application_id for entry in entries]
    ratings = ratings_for(ids)
    mine = reviewed_by(reviewer, ids)
    interviewed = _interviewed(ids)
    blind = bool(shortlist.job.blind_review)
    rows = []
    for entry in entries:
        application = entry.application
        hidden = blind and application.id not in mine
        rating = ratings.get(application.id)
        rows.append(
            EntryRow(
                entry=entry,
                application=application,
                display_name=pseudonym(application) if hidden else application.candidate.name,
                identity_hidden=hidden,
                has_interview=application.id in interviewed,
                reviewed=application.id in mine,
                review_count=rating.count if rating else 0,
                rating=rating if application.id in mine else None,
            )
        )
    return rows


def _interviewed(application_ids: Sequence[int]) -> set[int]:
    if not application_ids:
        return set()
    return set(
        db.session.scalars(
            db.select(InterviewInvitation.application_id).where(
                InterviewInvitation.application_id.in_(application_ids), STARTED_INTERVIEW
            )
        )
    )
