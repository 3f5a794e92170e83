# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shapes of the apply form: contact details, CV, links, consent and attribution fields."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.core.forms import email_field, strip_whitespace
from app.models.base import ATTRIBUTION_FIELDS  # also the keys static/js/apply.js copies

# Short query parameters that links to the apply page may carry, and the field each fills.
QUERY_ALIASES = {"ref": "ambassador_code", "s": "share_channel", "embed": "embed_host"}
CV_ACCEPT = ".pdf,.docx,.odt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.oasis.opendocument.text"


class HttpUrl:
    """An absolute http:// or https:// address with a host."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field) -> None:
        value = (field.data or "").strip()
        parts = urlsplit(value)
        if parts.scheme.lower() not in {"http", "https"} or not parts.hostname or " " in value:
            raise ValidationError(self.message or _l("Write a full address starting with https://"))


class ContactFields(FlaskForm):
    """The contact details a candidate gives when applying and may change on the portal."""

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


class ApplyForm(ContactFields):
    """What every application asks; build_apply_form adds the job's own questions."""

    email = email_field()
    cv = FileField(
        _l("CV (PDF, DOCX or ODT, at most 10 MB)"),
        validators=[FileRequired(_l("Attach your CV."))],
        render_kw={"accept": CV_ACCEPT},
    )
    cover_note = TextAreaField(_l("A note to the team (optional)"), validators=[Optional(), Length(max=5000)])
    privacy = BooleanField(
        _l("I have read the privacy notice and agree that my application is processed as it describes."),
        validators=[DataRequired(_l("Agree to the privacy notice so that we can process your application."))],
    )
    talent_pool = BooleanField(
        _l("Keep me in the talent pool and let me know about other jobs that may suit me (optional).")
    )
    # A trap for bots: hidden from people, who leave it empty.
    leave_empty = StringField(_l("Leave this field empty"), validators=[Optional()])

    channel = HiddenField()
    source = HiddenField()
    utm_source = HiddenField()
    utm_medium = HiddenField()
    utm_campaign = HiddenField()
    utm_term = HiddenField()
    utm_content = HiddenField()
    referrer_host = HiddenField()
    embed_host = HiddenField()
    share_channel = HiddenField()
    ambassador_code = HiddenField()
    # The first source this browser ever remembered (JSON from localStorage, see static/js/apply.js).
    first_touch = HiddenField()

    def attribution(self) -> dict[str, str]:
        """The attribution fields and the remembered first touch as submitted (cleaned by the service)."""
        return {name: self[name].data or "" for name in (*ATTRIBUTION_FIELDS, "first_touch")}

    def contact_fields(self) -> list:
        """The visible fields above the custom questions, in order (for the error summary)."""
        return [
            self.name,
            self.email,
            self.phone,
            self.location,
            self.cv,
            self.linkedin_url,
            self.portfolio_url,
        ]


def attribution_from_query(args) -> dict[str, str]:
    """Prefill the attribution fields from ?utm_*, ref, s and embed in the apply link."""
    data = {name: args.get(name, "")[:255] for name in ATTRIBUTION_FIELDS if name.startswith("utm_")}
    for alias, name in QUERY_ALIASES.items():
        if args.get(alias):
            data[name] = args.get(alias, "")[:255]
    return {name: value for name, value in data.items() if value}
