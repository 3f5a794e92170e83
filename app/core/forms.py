# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers shared by the forms of every area."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from app.core.errors import DomainError

MAX_EMAIL_LENGTH = 254  # RFC 5321's longest usable address


def strip_whitespace(value: str | None) -> str | None:
    """Leading and trailing spaces are never meant (pasted addresses often carry them)."""
    return value.strip() if isinstance(value, str) else value


def email_field(
    label: Any = None,
    *,
    required: Any = None,
    rule: Any = None,
    autocomplete: str = "email",
) -> EmailField:
    """The one e-mail field: trimmed, required, well-formed by ``rule``, at most 254 characters.

    People's addresses are checked with WTForms' ``Email``; staff forms pass
    ``app.auth.emails.StaffEmail()`` so that every form applies the staff rule the same way.
    ``autocomplete="off"`` where the address is someone else's (invitations, referrals).
    """
    return EmailField(
        label or _l("E-mail"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(required or _l("Tell us your e-mail address.")),
            rule or Email(_l("Write an e-mail address like name@example.com.")),
            Length(max=MAX_EMAIL_LENGTH),
        ],
        render_kw={"autocomplete": autocomplete},
    )


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal next to the field it concerns (or above the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def require_valid(form: FlaskForm) -> FlaskForm:
    """For button-only forms: a missing or stale CSRF token is a 400 that says so."""
    if not form.validate_on_submit():
        abort(400, _("The form was incomplete or has expired. Reload the page and try again."))
    return form
