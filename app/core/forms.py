# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers shared by the forms of every area."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.core.errors import DomainError


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
        from flask import abort
        from flask_babel import gettext as _

        abort(400, _("The form was incomplete or has expired. Reload the page and try again."))
    return form
