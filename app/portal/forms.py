# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shapes of the portal's forms: asking for a link, contact details, confirmations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.applications.forms import ContactFields
from app.core.forms import email_field, strip_whitespace


class LinkRequestForm(FlaskForm):
    """The e-mail address a new portal link should go to."""

    email = email_field()


class ContactForm(ContactFields):
    """The contact details a candidate may change on the portal."""


class ConfirmForm(FlaskForm):
    """A button-only form (withdraw, export, sign out): the CSRF token is its whole content."""


class DeleteForm(FlaskForm):
    """Erasing everything needs the confirmation word typed out."""

    confirmation = StringField(
        _l("Type DELETE to confirm"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Type DELETE (or your e-mail address) to confirm.")), Length(max=254)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
