# SPDX-License-Identifier: AGPL-3.0-or-later
"""``flask`` commands: organizations, staff accounts, the demo and the setup check, all through services."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.admin.services import create_user, parse_role, reset_member_mfa
from app.applications.cv_text import fill_pdf_cv_text, pdf_cvs_without_text
from app.auth.services import find_user_by_email
from app.core import jobs, outbox
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.urls import public_url
from app.demo import seed_demo
from app.organizations.services import create_organization, find_organization_by_slug
from app.system.setup_report import setup_report


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


@click.command("fill-cv-text")
@with_appcontext
@click.option("--batch", default=50, show_default=True, help="CVs read between two commits.")
def fill_cv_text_command(batch: int) -> None:
    """Read the text of PDF CVs stored without it (uploaded before PDF text was extracted)."""
    filled = unreadable = 0
    last_id = 0
    while applications := pdf_cvs_without_text(last_id, batch):
        for application in applications:
            if fill_pdf_cv_text(application):
                filled += 1
            else:
                unreadable += 1
            last_id = application.id
        db.session.commit()
    click.echo(f"PDF CVs given their text: {filled}; without readable text: {unreadable}.")


@click.command("setup-check")
@with_appcontext
def setup_check_command() -> None:
    """Say where this instance keeps data, sends mail and runs jobs, and warn about anything missing."""
    lines = setup_report()
    width = max(len(line.part) for line in lines)
    for line in lines:
        click.echo(f"  {line.part + ':':<{width + 1}} {line.detail}")
    warnings = [line for line in lines if line.warning]
    for line in warnings:
        click.secho(f"WARNING: {line.part}: {line.detail}", fg="yellow", bold=True, err=True)


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
    app.cli.add_command(setup_check_command)
    app.cli.add_command(fill_cv_text_command)
    app.cli.add_command(outbox_group)
