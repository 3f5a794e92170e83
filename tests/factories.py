"""Small factories that build data through the same services users go through."""

from __future__ import annotations

import itertools

from app.admin.services import create_user
from app.extensions import db
from app.models import Organization, Role, User
from app.organizations.services import create_organization

PASSWORD = "plum-orbit-canyon-7-violet"
_counter = itertools.count(1)


def make_organization(name: str | None = None, slug: str | None = None, **branding: str) -> Organization:
    """An organization with a unique slug."""
    number = next(_counter)
    organization = create_organization(name or f"Org {number}", slug or f"org-{number}")
    for key, value in branding.items():
        setattr(organization, key, value)
    db.session.flush()
    return organization


def make_user(
    organization: Organization | None = None,
    role: Role = Role.RECRUITER,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
) -> User:
    """A staff member with a known password."""
    number = next(_counter)
    return create_user(
        organization or make_organization(),
        email=email or f"user{number}@example.com",
        name=name or f"User {number}",
        role=role,
        password=password,
    )
