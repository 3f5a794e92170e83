"""The demo organization: idempotent, with fresh random passwords, never fixed ones."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from app.admin.services import create_user
from app.auth.services import set_password
from app.extensions import db
from app.models import Organization, Role, User

DEMO_SLUG = "demo"
DEMO_STAFF = [
    ("admin@demo.example.com", "Alessandra Admin", Role.ADMIN),
    ("recruiter@demo.example.com", "Roberto Recruiter", Role.RECRUITER),
    ("manager@demo.example.com", "Marta Manager", Role.MANAGER),
    ("employee@demo.example.com", "Elena Employee", Role.EMPLOYEE),
]


@dataclass
class DemoResult:
    """The demo organization and the passwords set during this run."""

    organization: Organization
    credentials: list[tuple[str, str, str]] = field(default_factory=list)


def generate_password() -> str:
    """A random password (about 120 bits) that passes the password policy."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(4))


def seed_demo(reset_passwords: bool = False) -> DemoResult:
    """Create what is missing of the demo; new (or reset) accounts get fresh passwords."""
    organization = db.session.scalar(db.select(Organization).where(Organization.slug == DEMO_SLUG))
    if organization is None:
        organization = Organization(
            name="Aurora Robotics (demo)",
            slug=DEMO_SLUG,
            primary_color="#0b5394",
            accent_color="#f6b26b",
            default_language="en",
        )
        db.session.add(organization)
        db.session.flush()
    result = DemoResult(organization)
    for email, name, role in DEMO_STAFF:
        _seed_staff_member(result, email, name, role, reset_passwords)
    return result


def _seed_staff_member(result: DemoResult, email: str, name: str, role: Role, reset: bool) -> None:
    user = db.session.scalar(db.select(User).where(User.email == email))
    password = generate_password()
    if user is None:
        create_user(result.organization, email=email, name=name, role=role, password=password)
    elif reset:
        set_password(user, password)
    else:
        return
    result.credentials.append((email, role.value, password))
