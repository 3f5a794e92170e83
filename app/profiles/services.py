# SPDX-License-Identifier: AGPL-3.0-or-later
"""Profiles that employees own: opting in, items with their visibility, who sees what, export,
erasure, and suggestions of colleagues for a job (suggestions only, never decisions)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.audit import record_audit
from app.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from app.core.extensions import db
from app.core.markdown import markdown_to_text
from app.models import (
    EmployeeProfile,
    Job,
    ProfileItem,
    ProfileItemKind,
    ProfileVisibility,
    Role,
    User,
    utcnow,
)

HR_ROLES = frozenset({Role.ADMIN, Role.RECRUITER})
LABEL_MAX_LENGTH = 80
MAX_ITEMS = 100
EXPORT_FORMAT_VERSION = 1
WORD = re.compile(r"\w+", re.UNICODE)

KIND_LABELS = {
    ProfileItemKind.SKILL: _l("Skills"),
    ProfileItemKind.LANGUAGE: _l("Languages"),
    ProfileItemKind.INTEREST: _l("Interests"),
}
VISIBILITY_LABELS = {
    ProfileVisibility.PRIVATE: _l("Only me"),
    ProfileVisibility.HR: _l("Administrators and recruiters"),
    ProfileVisibility.EVERYONE: _l("Everyone in the organization"),
}


def visible_levels(viewer: User, owner_id: int) -> frozenset[ProfileVisibility]:
    """What ``viewer`` may see of a profile: all of their own, HR-only too for HR, else only "everyone"."""
    if viewer.id == owner_id:
        return frozenset(ProfileVisibility)
    if viewer.role in HR_ROLES:
        return frozenset({ProfileVisibility.HR, ProfileVisibility.EVERYONE})
    return frozenset({ProfileVisibility.EVERYONE})


# -- one's own profile ----------------------------------------------------------------------------


def own_profile(actor: User) -> EmployeeProfile | None:
    """The actor's profile, or None until they opt in."""
    return db.session.scalar(db.select(EmployeeProfile).where(EmployeeProfile.user_id == actor.id))


def create_profile(actor: User) -> EmployeeProfile:
    """Opt in: the actor starts a profile of their own."""
    if own_profile(actor) is not None:
        raise Conflict(str(_l("You already have a profile.")))
    profile = EmployeeProfile(organization_id=actor.organization_id, user_id=actor.id)
    db.session.add(profile)
    db.session.flush()
    record_audit(actor.organization_id, actor, "profile.created", "profile", profile.id)
    return profile


def _require_profile(actor: User) -> EmployeeProfile:
    profile = own_profile(actor)
    if profile is None:
        raise NotFound(str(_l("Create your profile first.")))
    return profile


def normalize_label(label: str) -> str:
    """One space between words, no surrounding blanks."""
    return " ".join(label.split())


def add_item(actor: User, *, kind: ProfileItemKind, label: str, visibility: ProfileVisibility) -> ProfileItem:
    """Add a skill, language or interest to one's own profile."""
    profile = _require_profile(actor)
    label = normalize_label(label)
    if not label:
        raise Invalid(str(_l("Write a skill, language or interest.")), field="label")
    if len(label) > LABEL_MAX_LENGTH:
        raise Invalid(str(_l("Keep it within 80 characters.")), field="label")
    if len(profile.items) >= MAX_ITEMS:
        raise Invalid(str(_l("A profile holds at most 100 items.")), field="label")
    if any(item.kind == kind and item.label.casefold() == label.casefold() for item in profile.items):
        raise Invalid(str(_l("This is already on your profile.")), field="label")
    item = ProfileItem(kind=ProfileItemKind(kind), label=label, visibility=ProfileVisibility(visibility))
    profile.items.append(item)
    profile.updated_at = utcnow()
    db.session.flush()
    return item


def _own_item(actor: User, item_id: int) -> ProfileItem:
    profile = _require_profile(actor)
    item = next((item for item in profile.items if item.id == item_id), None)
    if item is None:
        raise NotFound(str(_l("No such item on your profile.")))
    return item


def change_visibility(actor: User, item_id: int, visibility: ProfileVisibility) -> ProfileItem:
    """Choose who sees one item of one's own profile."""
    item = _own_item(actor, item_id)
    item.visibility = ProfileVisibility(visibility)
    item.profile.updated_at = utcnow()
    return item


def remove_item(actor: User, item_id: int) -> None:
    """Take one item off one's own profile."""
    item = _own_item(actor, item_id)
    profile = item.profile
    profile.items.remove(item)
    profile.updated_at = utcnow()
    db.session.flush()


def export_profile(actor: User) -> dict[str, Any]:
    """Everything the actor's profile holds, as a JSON-ready document."""
    profile = _require_profile(actor)
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": utcnow().isoformat(),
        "person": {"name": actor.name, "email": actor.email},
        "organization": actor.organization.name,
        "profile": {
            "created_at": profile.created_at.isoformat(),
            "updated_at": profile.updated_at.isoformat(),
            "items": [
                {
                    "kind": item.kind.value,
                    "label": item.label,
                    "visibility": item.visibility.value,
                    "added_at": item.created_at.isoformat(),
                }
                for item in profile.items
            ],
        },
    }


def delete_profile(actor: User) -> None:
    """Erase one's own profile and every item; the audit trail keeps only the count."""
    profile = _require_profile(actor)
    count = len(profile.items)
    profile_id = profile.id
    db.session.delete(profile)
    db.session.flush()
    record_audit(actor.organization_id, actor, "profile.deleted", "profile", profile_id, items=count)


# -- colleagues' profiles -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileView:
    """A profile as one viewer may see it."""

    user: User
    items: list[ProfileItem]

    def of_kind(self, kind: ProfileItemKind) -> list[ProfileItem]:
        """The visible items of one kind."""
        return [item for item in self.items if item.kind == kind]


def view_profile(viewer: User, user_id: int) -> ProfileView:
    """A colleague's profile with only the items ``viewer`` may see."""
    profile = db.session.scalar(
        db.select(EmployeeProfile)
        .join(User, User.id == EmployeeProfile.user_id)
        .where(
            EmployeeProfile.user_id == user_id,
            EmployeeProfile.organization_id == viewer.organization_id,
            User.active.is_(True),
        )
    )
    if profile is None:
        raise NotFound(str(_l("No such profile in your organization.")))
    levels = visible_levels(viewer, profile.user_id)
    return ProfileView(profile.user, [item for item in profile.items if item.visibility in levels])


def directory(viewer: User) -> list[ProfileView]:
    """Active colleagues who opted in, each with what ``viewer`` may see."""
    profiles = db.session.scalars(
        db.select(EmployeeProfile)
        .join(User, User.id == EmployeeProfile.user_id)
        .where(EmployeeProfile.organization_id == viewer.organization_id, User.active.is_(True))
        .order_by(User.name)
    )
    views = []
    for profile in profiles:
        levels = visible_levels(viewer, profile.user_id)
        views.append(ProfileView(profile.user, [item for item in profile.items if item.visibility in levels]))
    return views


# -- suggestions for a job ------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A colleague whose profile matches a job, with the items that matched."""

    user: User
    matches: list[ProfileItem]


@dataclass(frozen=True)
class JobSuggestions:
    """Internal candidates (by skills and languages) and ambassadors (by interests and skills)."""

    job: Job
    internal_candidates: list[Suggestion]
    ambassadors: list[Suggestion]


def job_words(job: Job) -> list[str]:
    """The job's title, team and description as lowercase words, in order."""
    text = " ".join(
        [
            job.title,
            job.team or "",
            markdown_to_text(job.description_md or ""),
            markdown_to_text(job.responsibilities_md or ""),
            markdown_to_text(job.requirements_md or ""),
        ]
    )
    return [word.casefold() for word in WORD.findall(text)]


def label_matches(label: str, words: list[str], word_set: set[str]) -> bool:
    """Whether the label's words appear in the job text, in a row (case-insensitive)."""
    tokens = [token.casefold() for token in WORD.findall(label)]
    if not tokens or not all(token in word_set for token in tokens):
        return False
    if len(tokens) == 1:
        return True
    width = len(tokens)
    return any(words[index : index + width] == tokens for index in range(len(words) - width + 1))


def suggest_for_job(actor: User, job_id: int) -> JobSuggestions:
    """Colleagues whose visible-to-HR profile items match the job (administrators and recruiters)."""
    if actor.role not in HR_ROLES:
        raise PermissionDenied(str(_l("Only administrators and recruiters see suggestions.")))
    job = db.session.scalar(
        db.select(Job).where(Job.id == job_id, Job.organization_id == actor.organization_id)
    )
    if job is None:
        raise NotFound(str(_l("No such job in your organization.")))
    words = job_words(job)
    word_set = set(words)
    internal: list[Suggestion] = []
    ambassadors: list[Suggestion] = []
    shared = frozenset({ProfileVisibility.HR, ProfileVisibility.EVERYONE})  # never what people kept private
    for view in directory(actor):
        matched = [
            item
            for item in view.items
            if item.visibility in shared and label_matches(item.label, words, word_set)
        ]
        skills = [item for item in matched if item.kind in (ProfileItemKind.SKILL, ProfileItemKind.LANGUAGE)]
        interests = [
            item for item in matched if item.kind in (ProfileItemKind.INTEREST, ProfileItemKind.SKILL)
        ]
        if skills:
            internal.append(Suggestion(view.user, skills))
        if interests and view.user.role == Role.EMPLOYEE:  # ambassadors are employees
            ambassadors.append(Suggestion(view.user, interests))
    rank = lambda suggestion: (-len(suggestion.matches), suggestion.user.name.casefold())  # noqa: E731
    return JobSuggestions(job, sorted(internal, key=rank), sorted(ambassadors, key=rank))


def jobs_for_suggestions(actor: User) -> list[Job]:
    """The organization's jobs to pick from (HR)."""
    if actor.role not in HR_ROLES:
        raise PermissionDenied(str(_l("Only administrators and recruiters see suggestions.")))
    return list(
        db.session.scalars(
            db.select(Job).where(Job.organization_id == actor.organization_id).order_by(Job.title)
        )
    )
