"""``flask`` commands: organizations, staff accounts and the demo, all through services."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app import jobs, outbox
from app.admin.services import create_user, parse_role
from app.demo import seed_demo
from app.errors import DomainError
from app.extensions import db
from app.organizations.services import create_organization, find_organization_by_slug


def fail(message: str) -> None:
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


@click.command("seed-demo")
@with_appcontext
@click.option("--reset-passwords", is_flag=True, help="Give the demo accounts new passwords and print them.")
def seed_demo_command(reset_passwords: bool) -> None:
    """Create (or complete) the branded demo organization 'demo' and print its logins."""
    result = seed_demo(reset_passwords=reset_passwords)
    db.session.commit()
    login_url = f"{current_app.config['PUBLIC_URL']}/login"
    if not result.credentials:
        click.echo(f"The demo organization is ready at {login_url}.")
        click.echo("Its accounts already have passwords; `make demo-passwords` prints new ones.")
        return
    click.echo(f"Demo organization '{result.organization.name}' is ready. Sign in at {login_url}")
    for email, role, password in result.credentials:
        click.echo(f"  {role:<10} {email:<32} {password}")


@click.group("outbox", cls=AppGroup)
def outbox_group() -> None:
    """Deliveries (mail, jobs) recorded in the outbox."""


@outbox_group.command("list")
def outbox_list() -> None:
    """Every failed, retried or long-waiting delivery, of every organization."""
    stuck_after = timedelta(minutes=current_app.config["OUTBOX_STUCK_MINUTES"])
    for message in outbox.list_problem_messages(None, stuck_after):
        click.echo(
            f"{message.id}\t{message.status.value}\t{message.kind.value}\t{message.topic}\t"
            f"{message.attempts}/{message.max_attempts}\t{message.last_error or ''}"
        )


@outbox_group.command("retry")
@click.argument("message_id", type=int)
def outbox_retry(message_id: int) -> None:
    """Make one failed or waiting delivery due now, with a fresh set of attempts."""
    try:
        outbox.retry_message(message_id)
    except DomainError as error:
        fail(error.message)
    db.session.commit()
    click.echo(f"Delivery {message_id} will be tried again.")


@outbox_group.command("relay")
def outbox_relay() -> None:
    """Deliver every due row now, in this process (no consumer or queue needed)."""
    jobs.import_task_modules()
    click.echo(f"Tried {outbox.relay_due()} delivery(ies).")


def register_cli(app: Flask) -> None:
    """Attach the commands to ``flask``."""
    app.cli.add_command(org_group)
    app.cli.add_command(user_group)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(outbox_group)
