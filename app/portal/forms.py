"""Shapes of the portal's forms: asking for a link, contact details, confirmations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, URLField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from app.applications.forms import HttpUrl, strip_whitespace


class LinkRequestForm(FlaskForm):
    """The e-mail address a new portal link should go to."""

    email = EmailField(
        _l("E-mail"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Tell us your e-mail address.")),
            Email(_l("Write an e-mail address like name@example.com.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )


class ContactForm(FlaskForm):
    """The contact details a candidate may change on the portal."""

    name = StringField(
        _l("Full name"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Tell us your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    phone = StringField(
        _l("Phone (optional)"),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+()./ -]+$", message=_l("Use digits, spaces and + ( ) - . / only.")),
        ],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    location = StringField(
        _l("Where you live (optional)"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=120)],
        render_kw={"autocomplete": "address-level2"},
    )
    linkedin_url = URLField(
        _l("LinkedIn profile (optional)"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=500), HttpUrl()],
    )
    portfolio_url = URLField(
        _l("Portfolio or website (optional)"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=500), HttpUrl()],
    )


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
