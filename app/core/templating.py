# SPDX-License-Identifier: AGPL-3.0-or-later
"""What templates may use: the organization in view, navigation per role, formatting filters."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.audit import describe_action
from app.models import Organization, Role
from app.models.organization import DEFAULT_ACCENT_COLOR, DEFAULT_PRIMARY_COLOR


@dataclass(frozen=True)
class NavItem:
    """A link in the staff navigation."""

    endpoint: str
    label: str


# Later areas add their entries here; the order is the order on screen.
NAVIGATION: list[tuple[str, object, frozenset[Role]]] = [
    ("dashboard.index", _l("Dashboard"), frozenset(Role)),
    ("postings.index", _l("Jobs"), frozenset({Role.ADMIN, Role.RECRUITER, Role.MANAGER})),
    ("interviews.index", _l("Interviews"), frozenset({Role.ADMIN, Role.RECRUITER, Role.MANAGER})),
    ("reviews.shortlists", _l("Shortlists"), frozenset({Role.ADMIN, Role.RECRUITER, Role.MANAGER})),
    ("postings.testimonials", _l("Testimonials"), frozenset({Role.ADMIN, Role.RECRUITER})),
    ("marketing.embed", _l("Embed jobs"), frozenset({Role.ADMIN, Role.RECRUITER})),
    ("analytics.index", _l("Analytics"), frozenset({Role.ADMIN, Role.RECRUITER})),
    ("feedback.templates", _l("Messages"), frozenset({Role.ADMIN, Role.RECRUITER})),
    ("postings.my_testimonials", _l("My testimonials"), frozenset({Role.EMPLOYEE})),
    ("voice.results", _l("Candidate experience"), frozenset({Role.ADMIN, Role.RECRUITER})),
    ("voice.pulse_list", _l("Employee pulse"), frozenset({Role.ADMIN})),
    ("profiles.index", _l("Profiles"), frozenset(Role)),
    ("advocacy.home", _l("Share jobs"), frozenset({Role.EMPLOYEE, Role.MANAGER})),
    ("advocacy.report", _l("Advocacy"), frozenset({Role.ADMIN, Role.RECRUITER})),
    ("admin.users", _l("Colleagues"), frozenset({Role.ADMIN})),
    ("admin.organization", _l("Organization"), frozenset({Role.ADMIN})),
    ("pipeline.stages", _l("Pipeline stages"), frozenset({Role.ADMIN})),
]


def navigation_for(role: Role | None) -> list[NavItem]:
    """The navigation entries a role may use."""
    if role is None:
        return []
    return [NavItem(endpoint, str(label)) for endpoint, label, roles in NAVIGATION if role in roles]


def organization_in_view() -> Organization | None:
    """The organization whose branding this page wears."""
    organization = g.get("organization")
    if organization is None and current_user and current_user.is_authenticated:
        organization = current_user.organization
    return organization


def template_context() -> dict[str, object]:
    """Globals for every template."""
    organization = organization_in_view()
    role = current_user.role if current_user and current_user.is_authenticated else None
    return {
        "current_organization": organization,
        "navigation": navigation_for(role),
        "brand_primary": organization.primary_color if organization else DEFAULT_PRIMARY_COLOR,
        "brand_accent": organization.accent_color if organization else DEFAULT_ACCENT_COLOR,
        "current_locale": str(get_locale() or "en"),
        "source_code_url": current_app.config["SOURCE_CODE_URL"],
    }


def init_templating(app: Flask) -> None:
    """Register the context processor and filters."""
    app.context_processor(template_context)
    app.add_template_filter(lambda value: format_datetime(value, "medium") if value else "", "datetime")
    app.add_template_filter(describe_action, "audit_action")
