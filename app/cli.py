"""``flask`` commands: organizations, staff accounts and the demo, all through services."""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from app.admin.services import create_user, parse_role, reset_member_mfa
from app.auth.services import find_user_by_email
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.urls import public_url
from app.demo import seed_demo
from app.organizations.services import create_organization, find_organization_by_slug


def fail(message: str) -> NoReturn:
    """Print a clear message to stderr and exit with status 1."""
    db.session.rollback()
    raise click.ClickException(message)


def read_password() -> str:
    """From a hidden prompt on a terminal, or the first line of standard input when piped."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    if not line.strip():
        fail("No password on standard input.")
    return line.rstrip("\r\n")


@click.group("org", cls=AppGroup)
def org_group() -> None:
    """Manage organizations."""


@org_group.command("create")
@click.option("--name", required=True, help="The organization's display name.")
@click.option("--slug", default=None, help="Public slug for the career site (generated when omitted).")
@click.option("--language", default="en", show_default=True, help="Default language: en or it.")
def org_create(name: str, slug: str | None, language: str) -> None:
    """Create an organization."""
    try:
        organization = create_organization(name, slug, language)
        db.session.commit()
    except DomainError as error:
        fail(error.message)
    click.echo(f"Created organization {organization.name} ({organization.slug}).")


@click.group("user", cls=AppGroup)
def user_group() -> None:
    """Manage staff accounts."""


@user_group.command("create")
@click.option("--org", "org_slug", required=True, help="Slug of the organization.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="admin, recruiter, manager or employee.")
def user_create(org_slug: str, email: str, name: str, role: str) -> None:
    """Create a staff account; the password is read from a prompt or standard input."""
    try:
        organization = find_organization_by_slug(org_slug)
        parsed_role = parse_role(role)
        user = create_user(organization, email=email, name=name, role=parsed_role, password=read_password())
        db.session.commit()
    except DomainError as error:
        fail(error.message)
    click.echo(f"Created {user.role.value} {user.email} in {organization.slug}.")


@user_group.command("reset-mfa")
@click.option("--email", required=True)
def user_reset_mfa(email: str) -> None:
    """Remove an account's two-step sign-in (lost phone and recovery codes) and end its sessions."""
    user = find_user_by_email(email)
    if user is None:
        fail(f"No staff account uses {email}.")
    reset_member_mfa(None, user)
    db.session.commit()
    click.echo(f"Two-step sign-in removed for {user.email}; they sign in with their password.")


@click.command("seed-demo")
@with_appcontext
@click.option("--reset-passwords", is_flag=True, help="Give the demo accounts new passwords and print them.")
def seed_demo_command(reset_passwords: bool) -> None:
    """Create (or complete) the branded demo organization 'demo' and print its logins."""
    result = seed_demo(reset_passwords=reset_passwords)
    db.session.commit()
    login_url = public_url("auth.login")
    if not result.credentials:
        click.echo(f"The demo organization is ready at {login_url}.")
        click.echo("Its accounts already have passwords; `make demo-passwords` prints new ones.")
        return
    click.echo(f"Demo organization '{result.organization.name}' is ready. Sign in at {login_url}")
    for email, role, password in result.credentials:
        click.echo(f"  {role:<10} {email:<32} {password}")


def register_cli(app: Flask) -> None:
    """Attach the commands to ``flask``."""
    app.cli.add_command(org_group)
    app.cli.add_command(user_group)
    app.cli.add_command(seed_demo_command)
